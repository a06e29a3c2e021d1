/* module: one virtual EC200U/EG915U. Owns its state dir, flash, NV settings, identity, network
 * model, its two ports (main UART, USB AT) and its power/boot state machine. */
#ifndef FOTASIM_MODULE_H
#define FOTASIM_MODULE_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#include "cmux.h"
#include "download.h"
#include "events.h"
#include "fault.h"
#include "flash.h"
#include "fota.h"
#include "net.h"
#include "identity.h"
#include "module_port.h"
#include "network.h"
#include "nv.h"
#include "statedir.h"
#include "storage.h"
#include "vclock.h"

enum power_state {
  POWER_OFF,      /* no power: silent, reads nothing */
  POWER_BOOTING,  /* powered, before RDY: reads nothing */
  POWER_ON,       /* running firmware: answers AT */
  POWER_BRICKED   /* powered, but the flash holds no bootable image: silent */
};

enum model { MODEL_EC200U, MODEL_EG915U };

/* Changes of power or topology asked for from inside a callback (a library's, a handler's, a
 * fault rule's): module_defer runs them on a turn of the loop of their own. */
enum module_deferred { DEFER_POWER_CUT = 1, DEFER_RESET = 2, DEFER_CONTEXTS = 4 };

struct module_config {
  const char *state_dir;
  const char *main_link;   /* NULL: <state_dir>/ttyMAIN */
  const char *usb_link;    /* NULL: <state_dir>/ttyUSBAT */
  const char *port_spec[3];  /* main, usb, modem: NULL a PTY, else "tcp-listen:HOST:PORT" */
  const char *image_file;  /* flashed when the state dir is new; NULL: built-in image */
  enum model model;
  int index;               /* module number in this process */
  struct curl_loop *curl;  /* the process's libcurl multi handle */
  struct flash_bases *bases; /* the process's shared flash bases; NULL: none shared */
  const struct at_command *commands;  /* the command table every port's session dispatches to */
  size_t ncommands;
  const char *revision;    /* the first image's revision; NULL: the model's default */
  uint64_t seed;           /* the scenario's: identity and fault draws follow it */
  int seed_given;
  int quirks;              /* URCs as the note prints them, spaces and misspellings included */
  int resume_update;       /* later firmware: an interrupted update resumes after reboot */
  const struct dns_entry *dns;  /* the DNS map downloads resolve through */
  int ndns;
};

/* Virtual durations (ms) of module-side delays; the clock scales them. */
#define BOOT_TIME_MS 10000
#define BOOT_URC_GAP_MS 300
#define SMS_DONE_DELAY_MS 2000
#define POWER_DOWN_MS 1000
#define REBOOT_AFTER_OK_MS 100

/* The module itself is module/'s own (module_internal.h): everyone else calls module_*(). */
struct module;


extern const char *const model_names[];

/* A zeroed module to module_init; module_free after module_close. */
struct module *module_new(void);
void module_free(struct module *m);
/* Opens the state dir, flashes the first image if it is new, opens the main port; the module
 * stays off until module_power_on. -1 with a one-line message in err. */
int module_init(struct module *m, uv_loop_t *loop, struct vclock *clock, struct event_bus *bus,
                const struct module_config *cfg, char *err, size_t errlen);
void module_close(struct module *m);

void module_power_on(struct module *m);
void module_power_off(struct module *m, int graceful); /* graceful: "POWERED DOWN" first */
void module_power_cut(struct module *m);
void module_reset(struct module *m);                    /* reboot now */
/* Reboot once the command that asked has answered (AT+CFUN=1,1). */
void module_reboot_soon(struct module *m);
/* Writes an image into the firmware partition of a module that is off or bricked; it stays off
 * until powered on. NULL: the built-in image. -1 with a message. */
int module_reflash(struct module *m, const char *image_file, char *err, size_t errlen);
/* AT+CFUN=0/1/4 */
void module_set_cfun(struct module *m, int fun);
/* Runs a power or topology change on its own loop turn (enum module_deferred). */
void module_defer(struct module *m, enum module_deferred what);
/* The main UART's line settings changed (AT+IPR, AT+IFC): pushed into the port. */
void module_line_changed(struct module *m);

/* AT+CMUX: the port's input becomes 27.010 frames, its DLCs 1-4 the ports dlc1-dlc4 (-1: a
 * multiplexer runs already, or the port is a DLC); stop ends it without a word (power loss). */
int module_cmux_start(struct module *m, struct module_port *carrier, const struct cmux_params *par);
void module_cmux_stop(struct module *m);
json_t *module_cmux_status(const struct module *m);
struct cmux_params *module_cmux_params(struct module *m);

/* The scenario's DNS map (names to addresses) and its size. */
const struct dns_entry *module_dns(const struct module *m, int *n);

/* A URC to every open port (of the CMUX channels, the first DLC only). */
void module_urc(struct module *m, const char *text);
void module_emit(struct module *m, enum event_type type, const char *port, const char *data,
                 const char *detail);
const char *module_power_name(enum power_state p);
enum power_state module_power_state(const struct module *m);
/* Where a port is: its PTY (NULL while it does not exist) and the link the host opens. */
const char *module_port_pts(const struct module *m, enum port_id id);
const char *module_port_link(const struct module *m, enum port_id id);
/* Fault rules at run time (the control channel): add one (-1 when FAULT_MAX_RULES are there;
 * else the count), clear all, count. */
int module_fault_add(struct module *m, const struct fault_rule *r);
void module_fault_clear(struct module *m);
int module_fault_count(const struct module *m);
json_t *module_status(struct module *m);
int module_save_nv(struct module *m);
/* The module's parts, for what sets them up (the scenario, the control channel) and the
 * command handlers. */
struct network *module_network(struct module *m);
struct storage *module_storage(struct module *m);
struct nv *module_nv(struct module *m);
struct fota *module_fota(struct module *m);
struct net *module_tcpip(struct module *m);
struct http *module_http(struct module *m);
struct ftp *module_ftp(struct module *m);
struct sms *module_sms(struct module *m);
/* The module's clock: the host machine's UTC plus what AT+CCLK set (kept in NV, as the RTC). */
time_t module_clock_time(struct module *m);
/* A message arrives from the network: stored and announced as AT+CNMI says (+CMTI, or +CMT
 * for <mt> 2), and an "sms" event. Its index, 0 when shown at once, or -1 (store full). */
int module_sms_receive(struct module *m, const char *from, const char *text, size_t len);
/* The host sends a message (AT+CMGS): 0 and its reference in *mr, or a +CMS ERROR code
 * (error_in_list(ERR_SMS, ...)) from the radio's state or a fault rule. */
int module_sms_send(struct module *m, const char *to, const char *text, size_t len, int *mr);
/* A data call's moment (a dial; bytes: the host's bytes so far in the call): 1 if a fault rule
 * fires, with what it does in out (refuse, drop, stall, corrupt). */
int module_call_fault(struct module *m, enum fault_call what, uint64_t bytes,
                      struct net_fault *out);
struct mqtt *module_mqtt(struct module *m);
/* The host deactivated a context (AT+QIDEACT, AT+CGACT=0): its sockets close. */
void module_context_closed(struct module *m, int cid);
const struct identity *module_identity(const struct module *m);
const char *module_revision(const struct module *m);   /* "" while bricked */
enum model module_model(const struct module *m);
int module_cfun(const struct module *m);
uv_loop_t *module_loop(struct module *m);
struct vclock *module_clock(struct module *m);
/* Registered with the radio on (AT+CFUN=1): what data calls need. */
int module_online(const struct module *m);
/* The network's outages from power on, in time order; base: what is offered outside them. */
void module_set_outages(struct module *m, const struct network_outage *o, int n, int base);

#endif
