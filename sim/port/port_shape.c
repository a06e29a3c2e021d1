/* port_shape: faults on the bytes the module writes to one port (see port_shape.h). */
#include "port_shape.h"

#include <stdlib.h>
#include <string.h>

#define HELD_MAX (256u * 1024)   /* as the port's own output bound */

static void hold(struct port_shape *s, const char *data, size_t len)
{
  if (s->held_len + len > s->held_cap) {
    size_t cap = s->held_cap ? s->held_cap : 256;
    char *n;
    while (cap < s->held_len + len && cap < HELD_MAX)
      cap *= 2;
    n = cap > s->held_cap ? realloc(s->held, cap) : NULL;
    if (n) {
      s->held = n;
      s->held_cap = cap;
    }
  }
  if (s->held_len + len > s->held_cap) { /* over the bound: lost, as the port would lose it */
    s->dropped += s->held_len + len - s->held_cap;
    len = s->held_cap - s->held_len;
  }
  memcpy(s->held + s->held_len, data, len);
  s->held_len += len;
}

static void release(struct vtimer *t)
{
  struct port_shape *s = t->data;
  size_t n = s->held_len;
  s->holding = 0;
  s->held_len = 0;
  if (n)
    s->pass(s->ctx, s->held, n); /* nothing new is held meanwhile: the mode is spent */
}

static void start_holding(struct port_shape *s)
{
  s->mode = OUTPUT_NONE;
  s->holding = 1;
  vtimer_start(&s->timer, s->ms, release);
}

void port_shape_init(struct port_shape *s, struct vclock *clock,
                     void (*pass)(void *ctx, const char *data, size_t len), void *ctx)
{
  memset(s, 0, sizeof(*s));
  s->pass = pass;
  s->ctx = ctx;
  vtimer_init(clock, &s->timer, s);
}

void port_shape_arm(struct port_shape *s, enum output_fault mode, uint32_t ms, size_t bytes)
{
  s->mode = mode;
  s->ms = ms;
  s->split_left = bytes;
  s->seen_text = 0;
}

void port_shape_write(struct port_shape *s, const char *data, size_t len)
{
  size_t i = 0;
  if (s->holding) {
    hold(s, data, len);
    return;
  }
  switch (s->mode) {
  case OUTPUT_DROP: /* up to the end of the next line that has text */
    while (i < len && s->mode == OUTPUT_DROP) {
      char c = data[i++];
      if (c != '\r' && c != '\n')
        s->seen_text = 1;
      else if (c == '\n' && s->seen_text)
        s->mode = OUTPUT_NONE;
    }
    s->dropped += i;
    break;
  case OUTPUT_SPLIT: /* the first bytes now, the rest after the pause */
    i = len < s->split_left ? len : s->split_left;
    s->split_left -= i;
    if (i)
      s->pass(s->ctx, data, i);
    if (!s->split_left && i < len) {
      start_holding(s);
      hold(s, data + i, len - i);
      return;
    }
    return;
  case OUTPUT_DELAY:
    start_holding(s);
    hold(s, data, len);
    return;
  default:
    break;
  }
  if (i < len)
    s->pass(s->ctx, data + i, len - i);
}

void port_shape_reset(struct port_shape *s)
{
  vtimer_stop(&s->timer);
  s->mode = OUTPUT_NONE;
  s->holding = 0;
  s->held_len = 0;
}

void port_shape_free(struct port_shape *s)
{
  port_shape_reset(s);
  free(s->held);
  s->held = NULL;
  s->held_cap = 0;
}
