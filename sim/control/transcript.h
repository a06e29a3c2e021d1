/* transcript: every byte each way on each port (and state changes), timestamped, one JSON
 * object per line, passwords in URLs masked (the port masks before it emits). */
#ifndef FOTASIM_TRANSCRIPT_H
#define FOTASIM_TRANSCRIPT_H

#include <stdio.h>
#include <uv.h>

#include "events.h"

struct transcript {
  FILE *f;
  int dirty;
  struct event_sub sub;
  uv_prepare_t flusher; /* flushes before the loop blocks, not once per event */
  struct event_bus *bus;
};

int transcript_open(struct transcript *t, uv_loop_t *loop, struct event_bus *bus,
                    const char *path);
void transcript_close(struct transcript *t);

#endif
