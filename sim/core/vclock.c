/* vclock: the one virtual clock. Every module-side delay is a vtimer on it; the timing setting
 * scales virtual milliseconds to real ones, and "instant" runs timers in virtual-time order with
 * no real delay (a discrete-event queue driven by one libuv timer). */
#include "vclock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vclock_parse_timing(const char *s, double *scale)
{
  char *end;
  double v;
  if (strcmp(s, "real") == 0) {
    *scale = 1.0;
    return 0;
  }
  if (strcmp(s, "fast") == 0) {
    *scale = 10.0;
    return 0;
  }
  if (strcmp(s, "instant") == 0) {
    *scale = 0.0;
    return 0;
  }
  v = strtod(s, &end);
  if (end == s || *end != '\0' || !(v > 0.0) || v > 1e9)
    return -1;
  *scale = v;
  return 0;
}

const char *vclock_describe(const struct vclock *c, char *buf, size_t size)
{
  if (c->scale == 0.0)
    snprintf(buf, size, "instant");
  else
    snprintf(buf, size, "x%g", c->scale);
  return buf;
}

static void arm(struct vclock *c);

static void fire(uv_timer_t *h)
{
  struct vclock *c = h->data;
  uint64_t now = vclock_now(c);
  /* Fire every timer that is due, earliest first; callbacks may start new ones. */
  while (c->head && (c->scale == 0.0 || c->head->due <= now)) {
    struct vtimer *t = c->head;
    c->head = t->next;
    if (c->head)
      c->head->prev = NULL;
    t->active = 0;
    t->next = t->prev = NULL;
    if (t->due > c->vfloor)
      c->vfloor = t->due;
    t->cb(t);
    if (c->scale == 0.0)
      break; /* one per turn of the loop: I/O between instant events keeps its place */
    now = vclock_now(c);
  }
  arm(c);
}

static void arm(struct vclock *c)
{
  uint64_t now, wait = 0;
  if (!c->head) {
    uv_timer_stop(&c->driver);
    return;
  }
  if (c->scale != 0.0) {
    now = vclock_now(c);
    if (c->head->due > now)
      wait = (uint64_t)((double)(c->head->due - now) / c->scale + 0.999);
  }
  uv_timer_start(&c->driver, fire, wait, 0);
}

void vclock_init(struct vclock *c, uv_loop_t *loop, double scale)
{
  memset(c, 0, sizeof(*c));
  c->loop = loop;
  c->scale = scale;
  c->rbase = uv_now(loop);
  uv_timer_init(loop, &c->driver);
  c->driver.data = c;
}

void vclock_close(struct vclock *c)
{
  uv_close((uv_handle_t *)&c->driver, NULL);
}

uint64_t vclock_now(struct vclock *c)
{
  uint64_t v;
  if (c->scale == 0.0)
    return c->vfloor;
  v = c->vbase + (uint64_t)((double)(uv_now(c->loop) - c->rbase) * c->scale);
  return v > c->vfloor ? v : c->vfloor;
}

uint64_t vclock_host_timeout(const struct vclock *c, uint64_t ms)
{
  return c->host_cap_ms && c->host_cap_ms < ms ? c->host_cap_ms : ms;
}

uint64_t vclock_real_timeout(struct vclock *c, uint64_t virt_ms, uint64_t floor_ms)
{
  uint64_t real = c->scale == 0.0 ? 0 : (uint64_t)((double)virt_ms / c->scale);
  return real > floor_ms ? real : floor_ms;
}

void vtimer_init(struct vclock *c, struct vtimer *t, void *data)
{
  memset(t, 0, sizeof(*t));
  t->clock = c;
  t->data = data;
}

void vtimer_stop(struct vtimer *t)
{
  struct vclock *c = t->clock;
  if (!t->active)
    return;
  if (t->prev)
    t->prev->next = t->next;
  else
    c->head = t->next;
  if (t->next)
    t->next->prev = t->prev;
  t->prev = t->next = NULL;
  t->active = 0;
  arm(c);
}

void vtimer_start(struct vtimer *t, uint64_t virt_ms, vtimer_cb cb)
{
  struct vclock *c = t->clock;
  struct vtimer **pp = &c->head, *prev = NULL;
  vtimer_stop(t);
  t->cb = cb;
  t->due = vclock_now(c) + virt_ms;
  t->seq = c->seq++;
  while (*pp && ((*pp)->due < t->due || ((*pp)->due == t->due && (*pp)->seq < t->seq))) {
    prev = *pp;
    pp = &(*pp)->next;
  }
  t->next = *pp;
  t->prev = prev;
  if (*pp)
    (*pp)->prev = t;
  *pp = t;
  t->active = 1;
  arm(c);
}
