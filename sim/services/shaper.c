/* shaper: downlink pacing of downloads on the virtual clock (see shaper.h). */
#include "shaper.h"


static void crossed(struct vtimer *t)
{
  struct shaper *s = t->data;
  s->waiting = 0;
  s->crossed += s->pending;
  s->pending = 0;
  s->resume(s->ctx);
}

void shaper_init(struct shaper *s, struct vclock *clock, uint64_t bps, void (*resume)(void *),
                 void *ctx)
{
  if (s->timer.active)
    vtimer_stop(&s->timer);
  s->bps = bps;
  s->free_vt = 0;
  s->crossed = s->pending = 0;
  s->waiting = 0;
  s->resume = resume;
  s->ctx = ctx;
  vtimer_init(clock, &s->timer, s);
}

int shaper_admit(struct shaper *s, size_t len)
{
  double now;
  size_t extra;
  if (!s->bps || len <= s->crossed)
    return 1;
  if (s->waiting)
    return 0;
  extra = len - s->crossed;
  now = (double)vclock_now(s->timer.clock);
  if (s->free_vt < now)
    s->free_vt = now;
  s->free_vt += (double)extra * 8000.0 / (double)s->bps;
  if (s->free_vt <= now + SHAPER_SLACK_MS) {
    s->crossed += extra;
    return 1;
  }
  s->pending = extra;
  s->waiting = 1;
  vtimer_start(&s->timer, (uint64_t)(s->free_vt - now) + 1, crossed);
  return 0;
}

void shaper_took(struct shaper *s, size_t len)
{
  s->crossed = len >= s->crossed ? 0 : s->crossed - len;
}

void shaper_stop(struct shaper *s)
{
  vtimer_stop(&s->timer);
  s->waiting = 0;
}
