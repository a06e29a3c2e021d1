/* fuzz_module: one real module in the fuzz target's process for the targets that drive it as a
 * host does (the real AT command table, the control channel): its state dir, loop, instant
 * clock, and its USB AT port opened as the host opens it. */
#ifndef FOTASIM_FUZZ_MODULE_H
#define FOTASIM_FUZZ_MODULE_H

#include <stddef.h>
#include <uv.h>

#include "events.h"
#include "module.h"

struct fuzz_module {
  uv_loop_t *loop;
  struct vclock clock;
  struct event_bus bus;
  struct curl_loop *curl;
  struct module *m;
  char dir[64];
  int usb;  /* the host's end of the USB AT port, -1 while it is away */
};

/* Makes and boots the module (exits if it cannot: the target cannot run). */
void fuzz_module_init(struct fuzz_module *f);
/* Reboots it (every input starts from the same booted module) and reopens the port. */
void fuzz_module_reset(struct fuzz_module *f);
/* Runs the loop for a few turns, reading and dropping what the port says. */
void fuzz_module_settle(struct fuzz_module *f);
/* Writes bytes to the USB AT port as a host does, the loop running between pieces. */
void fuzz_module_send(struct fuzz_module *f, const char *data, size_t len);

#endif
