/* inproc_module: one real module in the process of a fuzz target or test that drives it as a
 * host does (the real AT command table, the control channel, a FOTA), with no process of its
 * own in between: its state dir, loop, instant clock, and its USB AT port opened as the host
 * opens it. So many runs fit where a process per run would not. */
#ifndef FOTASIM_INPROC_MODULE_H
#define FOTASIM_INPROC_MODULE_H

#include <stddef.h>
#include <uv.h>

#include "events.h"
#include "module.h"

struct inproc_module {
  uv_loop_t *loop;
  struct vclock clock;
  struct event_bus bus;
  struct curl_loop *curl;
  struct module *m;
  char dir[64];
  int usb;  /* the host's end of the USB AT port, -1 while it is away */
  char said[1024];  /* the last bytes the port said (NUL-terminated), for failure messages */
};

/* How a module is made: NULL options are the defaults. */
struct inproc_options {
  int resume_update;         /* a scenario's module.resume_update */
  const char *image_file;    /* the first firmware; NULL: the built-in image */
  uint64_t host_cap_ms;      /* a scenario's module.host_timeout; 0: none */
};

/* Makes and boots the module (exits if it cannot: the target cannot run). */
void inproc_module_init(struct inproc_module *f, const struct inproc_options *o);
/* Powers it on and runs the loop until it is on (the port reopened) or bricked; the state. */
enum power_state inproc_module_boot(struct inproc_module *f);
/* Runs the loop until the module is no longer on (a power cut) or max_turns have passed; the
 * state. */
enum power_state inproc_module_run_while_on(struct inproc_module *f, int max_turns);
/* Reboots it (every input starts from the same booted module) and reopens the port. */
void inproc_module_reset(struct inproc_module *f);
/* Runs the loop for a few turns, reading and dropping what the port says. */
void inproc_module_settle(struct inproc_module *f);
/* Writes bytes to the USB AT port as a host does, the loop running between pieces. */
void inproc_module_send(struct inproc_module *f, const char *data, size_t len);

#endif
