/* port: one byte pipe of a module on a PTY: the master side polled on the loop, the slave linked
 * where the host opens it. Input goes to exactly one attached consumer (the AT session by
 * default; a FILE-mode download or an upload while it runs), held with back-pressure while the
 * consumer takes nothing; output is buffered (bounded) and written without blocking. The line
 * settings (baud rate, flow control) are pushed in by the owner; the port reads no settings. */
#ifndef FOTASIM_PORT_H
#define FOTASIM_PORT_H

#include <stddef.h>
#include <uv.h>

#include "events.h"
#include "port_shape.h"
#include "uart.h"
#include "url_mask.h"
#include "vclock.h"

#define PORT_IN_CHUNK 4096
#define PORT_OUT_MAX (256 * 1024)
#define PORT_OUT_LOW (32 * 1024)  /* below this, a drain callback is asked for more */

struct port_io;

/* A consumer of the port's input: it returns how many bytes it took; 0 holds the rest until
 * port_resume (a command running). */
typedef size_t (*port_bytes_fn)(void *ctx, const char *data, size_t len);
/* Where a carried port's output goes (a CMUX channel's frames): how much it took; 0 holds the
 * rest until port_carrier_ready. */
typedef size_t (*port_carry_fn)(void *ctx, const char *data, size_t len);

struct port_consumer {
  port_bytes_fn on_bytes;
  void *ctx;
};

struct port {
  uv_loop_t *loop;
  struct vclock *clock;
  struct event_bus *bus;
  int owner;                 /* the module's number, for events and logs */
  const char *name;          /* "main", "usb" */
  int is_uart;               /* the UART model applies (the main UART) */
  char link[4096];
  char spec[128];            /* how it attaches: "" a PTY at link, "tcp-listen:HOST:PORT",
                              * "tcp:HOST:PORT", or a serial device's path ("/dev/ttyUSB0") */
  char pts[64];
  struct port_io *io;        /* NULL while the port does not exist */
  int listening;             /* the firmware reads this port (module on) */
  int in_callback;
  int feeding;               /* feed_held is running: not again from inside a consumer */
  struct port_consumer fallback;  /* the AT session: who gets input when nobody is attached */
  struct port_consumer cur;       /* who gets it now */
  void (*on_drain)(void *ctx);    /* streaming output (AT+QFDWL): called when room frees */
  void *drain_ctx;
  int draining;
  long baud;                 /* line settings, pushed in with port_set_line */
  int flow;                  /* RTS/CTS: the module stops reading when its buffer is full */

  char in[PORT_IN_CHUNK];    /* input held while the consumer takes nothing */
  size_t in_len, in_off;

  char *out;
  size_t out_len, out_cap, out_unevented;
  unsigned long out_dropped;
  unsigned long rx_bytes, tx_bytes;
  struct url_mask mask_rx, mask_tx;

  struct uart uart;          /* the main UART's line model (unused on USB) */
  struct port_shape shape;   /* output faults armed by fault rules */
};

void port_init(struct port *p, uv_loop_t *loop, struct vclock *clock, struct event_bus *bus,
               int owner, const char *name, int is_uart, const char *link);
/* Creates the PTY and its link, or what the spec names (a TCP listener); -1 with a message
 * naming the link or the address. */
int port_open(struct port *p, char *err, size_t errlen);
int port_open_pty(struct port *p, char *err, size_t errlen);
/* How the port attaches from its next open (see struct port's spec). */
void port_set_spec(struct port *p, const char *spec);
/* A port carried by another (a CMUX channel): no PTY; output goes to carry, input comes in
 * with port_input. port_close ends it. */
void port_open_carried(struct port *p, port_carry_fn carry, void *ctx);
/* Input for a carried port; returns how much it holds (the rest is the carrier's to keep). */
size_t port_input(struct port *p, const char *data, size_t len);
/* The carrier takes output again (flow control on): pending output goes now. */
void port_carrier_ready(struct port *p);
/* Closes the PTY (the host sees a hang-up); remove_link also deletes the link. */
void port_close(struct port *p, int remove_link);
void port_free(struct port *p);
void port_write(struct port *p, const char *data, size_t len);
/* The baud rate the host has set on its end of the PTY (0 if unknown). */
long port_host_baud(const struct port *p);
/* The consumer input goes to when nobody is attached (the AT session). */
void port_set_fallback(struct port *p, port_bytes_fn on_bytes, void *ctx);
/* Input goes to on_bytes from the next byte on, bypassing the fallback (no echo, no AT). When
 * a command line hands over, an LF that came with its CR (in the same read) ends that line
 * and is dropped; bytes after it, and any that come later, are on_bytes's. */
void port_attach(struct port *p, port_bytes_fn on_bytes, void *ctx);
/* Back to the fallback, if ctx is the consumer attached (NULL: whoever is). */
void port_release(struct port *p, void *ctx);
/* Whether a consumer other than the fallback is attached. */
static inline int port_attached(const struct port *p)
{
  return p->cur.on_bytes != p->fallback.on_bytes || p->cur.ctx != p->fallback.ctx;
}
/* The consumer can take input again (a command finished): held input is fed now. */
void port_resume(struct port *p);
/* How many more bytes the output buffer takes before it drops any. */
static inline size_t port_room(const struct port *p)
{
  return p->out_len < PORT_OUT_MAX ? PORT_OUT_MAX - p->out_len : 0;
}
/* Streaming output: fn(ctx) is called whenever the output buffer has room (NULL: stop). */
void port_set_drain(struct port *p, void (*fn)(void *ctx), void *ctx);
/* The line settings the host's end would see: baud rate (AT+IPR) and RTS/CTS (AT+IFC=2,2). */
void port_set_line(struct port *p, long baud, int flow);
/* Starts or stops the firmware reading this port; stopping discards pending input and output
 * faults and gives input back to the fallback. */
void port_listen(struct port *p, int on);

#endif
