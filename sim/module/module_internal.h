/* module_internal: what the files of module/ share and nobody else sees: struct module itself,
 * the FOTA engine's callbacks and the fault actions. */
#ifndef FOTASIM_MODULE_INTERNAL_H
#define FOTASIM_MODULE_INTERNAL_H

#include "cmux.h"
#include "fota.h"
#include "ftp.h"
#include "http.h"
#include "mqtt.h"
#include "net.h"
#include "sms.h"
#include "module.h"
#include "module_faults.h"

struct module {
  uv_loop_t *loop;
  struct vclock *clock;
  struct event_bus *bus;
  struct module_config cfg;
  struct statedir sd;
  struct flash flash;
  struct identity id;
  struct nv nv;
  struct network net;
  struct storage storage;
  struct fota fota;
  struct net tcpip;             /* the sockets of the TCP/IP note */
  struct http http;             /* the HTTP(S) client of the HTTP(S) note */
  struct mqtt mqtt;             /* the MQTT clients of the MQTT note */
  struct ftp ftp;               /* the FTP(S) client of the FTP(S) note */
  struct sms sms;               /* the SIM's messages and the SMS settings */
  struct module_port ports[PORT_COUNT];
  struct cmux mux;              /* AT+CMUX's multiplexer, on ports[mux_port] */
  int mux_port;                 /* -1: none */
  struct cmux_params cmux_par;  /* AT+CMUX's last parameters (AT+CMUX? reports them) */

  enum power_state power;
  int cfun;                 /* 0, 1, 4 */
  int boot_step;            /* which boot URC comes next */
  int powering_down;
  char revision[FW_REVISION_MAX + 1];
  char brick_reason[64];
  unsigned long boots;

  struct vtimer boot_timer;
  struct vtimer power_timer;

  struct fault_set faults;
  uint64_t fault_epoch;         /* virtual ms when the module started: time rules count from it */
  struct vtimer fault_timer;    /* the next time rule */
  struct vtimer defer_timer;    /* runs what module_defer asked for on its own loop turn */
  unsigned deferred;            /* enum module_deferred bits */
  struct vtimer outage_timer;   /* steps through the scenario's network outages */
  int outage_step;
  struct network_outage outages[NETWORK_MAX_OUTAGES];
  int noutages;
  int outage_base;              /* the registration offered outside the outages */
};

/* How the FOTA engine reports to its module (module_fota.c); ctx is the module. */
extern const struct fota_ops module_fota_ops;
/* How the TCP/IP stack reports to its module (module_net.c). */
extern const struct net_ops module_net_ops;
/* How the HTTP(S) client reports to its module (module_net.c). */
extern const struct http_ops module_http_ops;
/* How the MQTT clients report to their module (module_net.c). */
extern const struct mqtt_ops module_mqtt_ops;
/* How the FTP(S) client reports to its module (module_net.c). */
extern const struct ftp_ops module_ftp_ops;
/* Contexts the network dropped: +QIURC: "pdpdeact" and their sockets closed (module_net.c). */
void module_contexts_changed(struct module *m);

#endif
