/* control: the control channel, JSON lines on a Unix socket (mode 0600), in the spirit of QMP:
 * status, power, reset, events, wait. One request object per line, one reply per request;
 * "events" turns the connection into a stream of event objects. */
#ifndef FOTASIM_CONTROL_H
#define FOTASIM_CONTROL_H

#include <uv.h>

#include "module.h"

#define CONTROL_LINE_MAX (64 * 1024)
#define CONTROL_QUEUE_MAX (4 * 1024 * 1024)

struct control_client;

#define CONTROL_BACKLOG 128       /* connections the kernel queues before fotasim accepts */
#define CONTROL_MAX_CLIENTS 256   /* connections open at once; more are told so and closed */

struct control {
  uv_loop_t *loop;
  uv_pipe_t server;
  char path[4096];
  struct module **modules;
  int nmodules;
  struct event_bus *bus;
  struct control_client *clients;
  int nclients;
  int open;
};

int control_start(struct control *c, uv_loop_t *loop, const char *path, struct module **modules,
                  int nmodules, struct event_bus *bus, char *err, size_t errlen);
void control_stop(struct control *c);

#endif
