/* port_io: the transport under a port, shared by port.c (PTYs, carried ports) and port_tcp.c
 * (a TCP listener): private to sim/port. */
#ifndef FOTASIM_PORT_IO_H
#define FOTASIM_PORT_IO_H

#include <sys/socket.h>
#include <uv.h>

#include "port.h"

struct port_io {
  port_carry_fn carry; /* a carried port (a CMUX channel): output goes here, no PTY */
  void *carry_ctx;
  int tcp;             /* 1: a TCP listener (the host is whoever connects), 2: a TCP client
                        * that connects to the host and again when it goes (port_tcp.c) */
  struct sockaddr_storage peer;  /* the client's target */
  uv_timer_t retry;    /* the client's next connect */
  int connecting;      /* poll is set up on master, waiting for the connect */
  int device;          /* master is an existing serial device (port.c) */
  int lfd;             /* its listening socket */
  uv_poll_t lpoll;
  int poll_live;       /* poll is set up on master (a TCP host is connected) */
  int pending;         /* a host that connected while the last one's poll was closing */
  uv_poll_t poll;
  uv_timer_t pace;     /* the UART model's waits (real time) */
  int master, slave;
  int events;
  int rx_wait, tx_wait;
  int handles_open;
  struct port *port;   /* NULL once the port has let go of it */
};

/* A new transport for p, its descriptors all -1 (NULL with a message; fd is closed then). */
struct port_io *port_io_new(struct port *p, int fd, char *err, size_t errlen);
/* The transport becomes the port's: its pace timer made, handles counted (the caller's and
 * the timer), the UART model reset. */
void port_io_install(struct port *p, struct port_io *io, int handles);
/* A handle of the transport closed: the last one frees it (and closes its descriptors). */
void port_io_closed(uv_handle_t *h);
/* port.c's poll callback, for the TCP host's socket too. */
void port_on_poll(uv_poll_t *h, int status, int events);
/* port.c's output flush and poll update. */
void port_flush(struct port *p);
void port_update_poll(struct port *p);
/* port_tcp.c: opens the listener of "tcp-listen:HOST:PORT" (listen 1) or the client of
 * "tcp:HOST:PORT" (listen 0; -1 with a message), drops the connected host (EOF, a write
 * error), closes it all. */
int port_tcp_open(struct port *p, const char *hostport, int listen, char *err, size_t errlen);
void port_tcp_drop(struct port_io *io);
void port_tcp_close(struct port_io *io, uv_close_cb closed);

#endif
