/* port_tcp: a port attached over TCP: a listener ("tcp-listen:HOST:PORT"), as QEMU's
 * `-serial tcp:HOST:PORT` and `-chardev socket` expect, one host at a time, the newest
 * connection taking over; or a client ("tcp:HOST:PORT") that connects to the host's server, as
 * Renode's server socket terminal offers, and again a second after it goes. A host that
 * disconnects is a host that unplugged the cable, and the module goes on meanwhile. */
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
  log_info("module %d port %s: a host is connected (%s)", p->owner, p->name, p->spec);
  port_update_poll(p);
}

static void connect_now(struct port_io *io);

static void retry_due(uv_timer_t *t)
{
  connect_now(t->data);
}

static void host_closed(uv_handle_t *h)
{
  struct port_io *io = h->data;
  close(io->master);
  io->master = -1;
  io->connecting = 0;
  if (!io->port) { /* the port closed meanwhile: this may be the transport's last handle */
    port_io_closed(h);
    return;
  }
  io->handles_open--;
  if (io->tcp == 2) { /* a client: connect again in a second */
    uv_timer_start(&io->retry, retry_due, 1000, 0);
    return;
  }
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

/* The client's connect finished: the host is there, or a retry in a second. */
static void connected(uv_poll_t *h, int status, int events)
{
  struct port_io *io = h->data;
  int e = 0;
  socklen_t el = sizeof(e);
  (void)events;
  if (status < 0 || getsockopt(io->master, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0) {
    uv_poll_stop(h);
    uv_close((uv_handle_t *)h, host_closed);
    return;
  }
  io->connecting = 0;
  io->poll_live = 1;
  io->events = 0;
  io->port->in_len = io->port->in_off = 0;
  log_info("module %d port %s: connected (%s)", io->port->owner, io->port->name, io->port->spec);
  port_update_poll(io->port);
}

static void connect_now(struct port_io *io)
{
  int fd = socket(io->peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (!io->port)
    return;
  if (fd < 0 || (connect(fd, (struct sockaddr *)&io->peer, sizeof(struct sockaddr_in)) != 0 &&
                 errno != EINPROGRESS) ||
      uv_poll_init_socket(io->port->loop, &io->poll, fd) != 0) {
    if (fd >= 0)
      close(fd);
    uv_timer_start(&io->retry, retry_due, 1000, 0);
    return;
  }
  io->master = fd;
  io->poll.data = io;
  io->connecting = 1;
  io->handles_open++;
  uv_poll_start(&io->poll, UV_WRITABLE, connected);
}

int port_tcp_open(struct port *p, const char *hostport, int listen_, char *err, size_t errlen)
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
    snprintf(err, errlen, "port %s: bad address '%s' (expected %s:HOST:PORT)", p->name,
             hostport, listen_ ? "tcp-listen" : "tcp");
    return -1;
  }
  snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
  a.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
    snprintf(err, errlen, "port %s: '%s' is not an IPv4 address", p->name, host);
    return -1;
  }
  if (!listen_) { /* a client: it connects now and whenever the host has gone */
    if (!(io = port_io_new(p, -1, err, errlen)))
      return -1;
    io->tcp = 2;
    memcpy(&io->peer, &a, sizeof(a));
    uv_timer_init(p->loop, &io->retry);
    io->retry.data = io;
    port_io_install(p, io, 1);
    snprintf(p->pts, sizeof(p->pts), "tcp:%.50s", hostport);
    connect_now(io);
    return 0;
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
  if (!(io = port_io_new(p, fd, err, errlen)))
    return -1;
  io->tcp = 1;
  io->lfd = fd;
  uv_poll_init_socket(p->loop, &io->lpoll, fd);
  io->lpoll.data = io;
  uv_poll_start(&io->lpoll, UV_READABLE, on_accept);
  port_io_install(p, io, 1);
  snprintf(p->pts, sizeof(p->pts), "tcp-listen:%.50s", hostport);
  return 0;
}

void port_tcp_close(struct port_io *io, uv_close_cb closed)
{
  if ((io->poll_live || io->connecting) && !uv_is_closing((uv_handle_t *)&io->poll)) {
    io->poll_live = io->connecting = 0;
    uv_close((uv_handle_t *)&io->poll, closed); /* closed() counts it down with the rest */
  }
  if (io->tcp == 1)
    uv_close((uv_handle_t *)&io->lpoll, closed);
  else
    uv_close((uv_handle_t *)&io->retry, closed);
  uv_close((uv_handle_t *)&io->pace, closed);
}
