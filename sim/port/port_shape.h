/* port_shape: faults on the bytes the module writes to one port, armed by fault rules: the next
 * line lost, the next output held back for a while, or cut in two with a pause between. It sits
 * between the port's writers and its output buffer and keeps byte order. */
#ifndef FOTASIM_PORT_SHAPE_H
#define FOTASIM_PORT_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "vclock.h"

/* What a fault rule does to the bytes the module writes to a port (a rule's `output`). */
enum output_fault { OUTPUT_NONE, OUTPUT_DELAY, OUTPUT_DROP, OUTPUT_SPLIT };

struct port_shape {
  int mode;                  /* enum output_fault armed, OUTPUT_NONE when idle */
  uint32_t ms;               /* delay and split: how long output is held */
  size_t split_left;         /* split: bytes still to go before the pause */
  int seen_text;             /* drop: a byte other than CR or LF has been lost */
  int holding;               /* output is held until the timer */
  char *held;
  size_t held_len, held_cap;
  unsigned long dropped;     /* bytes lost to drop rules */
  struct vtimer timer;
  void (*pass)(void *ctx, const char *data, size_t len);  /* on to the port's buffer */
  void *ctx;
};

void port_shape_init(struct port_shape *s, struct vclock *clock,
                     void (*pass)(void *ctx, const char *data, size_t len), void *ctx);
/* Arms a fault on the output from now on (replacing one not yet acted on). */
void port_shape_arm(struct port_shape *s, enum output_fault mode, uint32_t ms, size_t bytes);
/* Whether writes must go through port_shape_write. */
static inline int port_shape_active(const struct port_shape *s)
{
  return s->mode != OUTPUT_NONE || s->holding;
}
void port_shape_write(struct port_shape *s, const char *data, size_t len);
/* Power gone or port closed: held bytes are lost, nothing stays armed. */
void port_shape_reset(struct port_shape *s);
void port_shape_free(struct port_shape *s);

#endif
