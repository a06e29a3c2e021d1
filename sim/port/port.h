/* port: one AT port of a module on a PTY: the master side polled on the loop, the slave linked
 * where the host opens it. Input is fed to the port's AT session with back-pressure while a
 * command runs; output is buffered (bounded) and written without blocking. */
#ifndef FOTASIM_PORT_H
#define FOTASIM_PORT_H

#include <stddef.h>
#include <uv.h>

#include "at_session.h"
#include "port_shape.h"
#include "uart.h"
#include "url_mask.h"
#include "vclock.h"

enum port_id { PORT_MAIN, PORT_USB, PORT_COUNT };

#define PORT_IN_CHUNK 4096
#define PORT_OUT_MAX (256 * 1024)
#define PORT_OUT_LOW (32 * 1024)  /* below this, a drain callback is asked for more */

struct module;
struct port_io;

/* A consumer of raw bytes (FILE-mode FOTA, AT+QFUPL): while set, input bypasses the AT
 * interpreter and is not echoed. It returns how many bytes it took. */
struct port_raw {
  size_t (*on_bytes)(void *ctx, const char *data, size_t len);
  void *ctx;
};

struct port {
  struct module *m;
  enum port_id id;
  const char *name;          /* "main", "usb" */
  char link[4096];
  char pts[64];
  struct port_io *io;        /* NULL while the port does not exist */
  int listening;             /* the firmware reads this port (module on) */
  int in_callback;
  struct at_session at;
  struct port_raw raw;
  void (*on_drain)(struct port *p);  /* streaming output (AT+QFDWL): called when room frees */
  int draining;
  void *xfer;                        /* an upload or download in progress (cmd_file.c) */
  void (*xfer_abort)(struct port *p);

  char in[PORT_IN_CHUNK];    /* input held while a command runs */
  size_t in_len, in_off;

  char *out;
  size_t out_len, out_cap, out_unevented;
  unsigned long out_dropped;
  unsigned long rx_bytes, tx_bytes;
  struct url_mask mask_rx, mask_tx;

  struct uart uart;          /* the main UART's line model (unused on USB) */
  struct port_shape shape;   /* output faults armed by fault rules */

  struct vtimer cmd_timer;   /* completes this port's asynchronous command */
  int cmd_arg;

  /* per-port settings of the network commands */
  int creg_n, cgreg_n, cereg_n;
  int cops_format;
  int cgerep_mode, cgerep_bfr;
  char cscs[8];
};

void port_init(struct port *p, struct module *m, enum port_id id, const char *link);
/* Creates the PTY and its link; -1 with a message naming the link. */
int port_open(struct port *p, char *err, size_t errlen);
/* Closes the PTY (the host sees a hang-up); remove_link also deletes the link. */
void port_close(struct port *p, int remove_link);
void port_free(struct port *p);
void port_write(struct port *p, const char *data, size_t len);
/* The baud rate the host has set on its end of the PTY (0 if unknown). */
long port_host_baud(const struct port *p);
/* Routes input to a raw consumer (NULL on_bytes: back to the AT interpreter). */
void port_set_raw(struct port *p, const struct port_raw *raw);
/* Starts or stops the firmware reading this port; stopping discards pending input. */
void port_listen(struct port *p, int on);

#endif
