/* port_tcp: a port attached as a TCP listener ("tcp-listen:HOST:PORT"), as QEMU's
 * `-serial tcp:HOST:PORT` and `-chardev socket` expect: one host at a time, the newest
 * connection taking over; a host that disconnects is a host that unplugged the cable, and the
 * module goes on until the next one connects. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "port_io.h"

static void attach_host(struct port_io *io, int fd)
{
  struct port *p = io->port;
  io->master = fd;
  if (uv_poll_init_socket(p->loop, &io->poll, fd) != 0) {
    close(fd);
    io->master = -1;
    return;
  }
  io->poll.data = io;
  io->poll_live = 1;
  io->handles_open++;
  io->events = 0;
  p->in_len = p->in_off = 0;
  log_info("module %d port %s: a host connected to %s", p->owner, p->name, p->spec + 11);
  port_update_poll(p);
}

static void host_closed(uv_handle_t *h)
{
  struct port_io *io = h->data;
  close(io->master);
  io->master = -1;
  if (!io->port) { /* the port closed meanwhile: this may be the transport's last handle */
    port_io_closed(h);
    return;
  }
  io->handles_open--;
  if (io->pending >= 0) { /* the one that connected meanwhile */
    int fd = io->pending;
    io->pending = -1;
    attach_host(io, fd);
  }
}

void port_tcp_drop(struct port_io *io)
{
  if (!io->poll_live)
    return;
  io->poll_live = 0;
  if (io->port)
    log_info("module %d port %s: the host disconnected", io->port->owner, io->port->name);
  uv_poll_stop(&io->poll);
  uv_close((uv_handle_t *)&io->poll, host_closed);
}

static void on_accept(uv_poll_t *h, int status, int events)
{
  struct port_io *io = h->data;
  int fd;
  (void)events;
  if (status < 0 || !io->port)
    return;
  fd = accept4(io->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0)
    return;
  if (io->poll_live) { /* a new host takes over from the old one */
    port_tcp_drop(io);
    io->pending = fd;
  } else if (uv_is_closing((uv_handle_t *)&io->poll) && io->master >= 0) {
    if (io->pending >= 0)
      close(io->pending);
    io->pending = fd;
  } else {
    attach_host(io, fd);
  }
}

int port_tcp_open(struct port *p, const char *hostport, char *err, size_t errlen)
{
  struct sockaddr_in a;
  char host[64];
  const char *colon = strrchr(hostport, ':');
  long port = colon ? strtol(colon + 1, NULL, 10) : 0;
  struct port_io *io;
  int fd, one = 1;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  if (!colon || (size_t)(colon - hostport) >= sizeof(host) || port < 1 || port > 65535) {
    snprintf(err, errlen, "port %s: bad address '%s' (expected tcp-listen:HOST:PORT)", p->name,
             hostport);
    return -1;
  }
  snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
  a.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
    snprintf(err, errlen, "port %s: '%s' is not an IPv4 address", p->name, host);
    return -1;
  }
  fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0) {
    snprintf(err, errlen, "port %s: cannot listen on %s: %s", p->name, hostport, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  io = calloc(1, sizeof(*io));
  if (!io) {
    close(fd);
    snprintf(err, errlen, "port %s: out of memory", p->name);
    return -1;
  }
  io->tcp = 1;
  io->lfd = fd;
  io->master = io->slave = io->pending = -1;
  io->port = p;
  uv_poll_init_socket(p->loop, &io->lpoll, fd);
  io->lpoll.data = io;
  uv_poll_start(&io->lpoll, UV_READABLE, on_accept);
  port_io_install(p, io, 1);
  snprintf(p->pts, sizeof(p->pts), "tcp-listen:%.50s", hostport);
  return 0;
}

void port_tcp_close(struct port_io *io, uv_close_cb closed)
{
  if (io->poll_live) {
    io->poll_live = 0;
    uv_close((uv_handle_t *)&io->poll, closed); /* closed() counts it down with the rest */
  }
  uv_close((uv_handle_t *)&io->lpoll, closed);
  uv_close((uv_handle_t *)&io->pace, closed);
}
