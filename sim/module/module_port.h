/* module_port: one of the module's ports as a session: the transport (struct port) and what
 * belongs to the host's session on it — the AT interpreter, a command's timer, a transfer in
 * progress, the per-port URC modes and character set (as Redis keeps `client` apart from
 * `connection`). */
#ifndef FOTASIM_MODULE_PORT_H
#define FOTASIM_MODULE_PORT_H

#include <jansson.h>

#include "at_session.h"
#include "port.h"
#include "vclock.h"

/* The main UART, the USB AT port, the USB modem port (AT and data calls), and the four
 * channels a CMUX multiplexer carries. */
enum port_id { PORT_MAIN, PORT_USB, PORT_MODEM, PORT_DLC1, PORT_DLC2, PORT_DLC3, PORT_DLC4,
               PORT_COUNT };

struct module;

/* What the TCP/IP stack tells a port in data mode (data_event's `what`). */
enum { DATA_OPENED, DATA_HANGUP };

struct module_port {
  struct module *m;
  enum port_id id;
  const char *name;          /* "main", "usb" */
  struct port port;          /* the transport */
  struct at_session at;
  void *xfer;                /* an upload or download in progress (cmd_file.c) */
  void (*xfer_abort)(struct module_port *mp);
  void (*svc_readable)(struct module_port *mp); /* a read (AT+QHTTPREAD, AT+QFTPGET) waits */
  /* transparent mode (cmd_socket.c): the socket the port is online for, or was last */
  void (*data_event)(struct module_port *mp, int what, int id, int err);
  int data_id;               /* -1: none */
  int muxed;                 /* AT+CMUX carries frames here: no AT, no URCs on it */
  void *call;                /* a PPP data call on this port (cmd_datacall.c) */
  void (*call_abort)(struct module_port *mp, int say);  /* ends it (say: NO CARRIER) */
  int call_cid;              /* its context: the call ends when the context drops */
  json_t *(*call_status)(struct module_port *mp);     /* for status: the call's state */
  struct vtimer cmd_timer;   /* completes this port's asynchronous command */
  int cmd_arg;

  /* per-port settings of the network commands */
  int creg_n, cgreg_n, cereg_n;
  int cops_format;
  int cgerep_mode, cgerep_bfr;
  char cscs[8];
};

void module_port_init(struct module_port *mp, struct module *m, enum port_id id,
                      const char *link);
/* The session's settings as after a boot: the saved profile, URC modes off, GSM charset. */
void module_port_boot(struct module_port *mp);
/* The firmware starts or stops reading the port; stopping ends its command and transfer. */
void module_port_listen(struct module_port *mp, int on);
/* Whether the port exists and the firmware reads it. */
int module_port_live(const struct module_port *mp);

#endif
