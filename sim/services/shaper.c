/* shaper: downlink pacing on the virtual clock, one link per module (see shaper.h). */
#include "shaper.h"

static void crossed(struct vtimer *t)
{
  struct shaper *s = t->data;
  s->crossed += s->pending;
  s->pending = 0;
  s->resume(s->ctx);
}

void shaper_init(struct shaper *s, struct vclock *clock, struct network *nw,
                 void (*resume)(void *), void *ctx)
{
  if (s->timer.active)
    vtimer_stop(&s->timer);
  s->nw = nw;
  s->crossed = s->pending = 0;
  s->resume = resume;
  s->ctx = ctx;
  vtimer_init(clock, &s->timer, s);
}

double shaper_link_take(struct network *nw, double now, size_t len)
{
  if (nw->downlink_free_vt < now)
    nw->downlink_free_vt = now;
  nw->downlink_free_vt += (double)len * 8000.0 / (double)nw->bandwidth_bps;
  return nw->downlink_free_vt;
}

int shaper_admit(struct shaper *s, size_t len)
{
  double now, free_vt;
  size_t extra;
  if (!s->nw || !s->nw->bandwidth_bps || len <= s->crossed)
    return 1;
  if (vtimer_active(&s->timer))
    return 0;
  extra = len - s->crossed;
  now = (double)vclock_now(s->timer.clock);
  free_vt = shaper_link_take(s->nw, now, extra);
  if (free_vt <= now + SHAPER_SLACK_MS) {
    s->crossed += extra;
    return 1;
  }
  s->pending = extra;
  vtimer_start(&s->timer, (uint64_t)(free_vt - now) + 1, crossed);
  return 0;
}

uint64_t shaper_carry(struct network *nw, struct vclock *clock, size_t len)
{
  double now = (double)vclock_now(clock), free_vt;
  if (!nw->bandwidth_bps)
    return 0;
  free_vt = shaper_link_take(nw, now, len);
  return free_vt <= now + SHAPER_SLACK_MS ? 0 : (uint64_t)(free_vt - now) + 1;
}

void shaper_took(struct shaper *s, size_t len)
{
  s->crossed = len >= s->crossed ? 0 : s->crossed - len;
}

void shaper_stop(struct shaper *s)
{
  vtimer_stop(&s->timer);
  s->pending = 0;
}
