/* quiet_timer: a wait for a quiet peer whose verdict comes after one more poll (see
 * quiet_timer.h). */
#include "quiet_timer.h"

static void verdict(uv_timer_t *t)
{
  struct quiet_timer *q = (struct quiet_timer *)t;
  if (!q->due)
    return; /* bytes came after all */
  q->due = 0;
  q->cb(t->data);
}

/* The time is up; a timer 1 ms on runs in the loop's next iteration, after its poll. */
static void up(uv_timer_t *t)
{
  struct quiet_timer *q = (struct quiet_timer *)t;
  q->due = 1;
  uv_timer_start(t, verdict, 1, 0);
}

void quiet_timer_init(struct quiet_timer *q, uv_loop_t *loop, void *data)
{
  uv_timer_init(loop, &q->timer);
  q->timer.data = data;
  q->cb = NULL;
  q->ms = 0;
  q->due = 0;
}

void quiet_timer_start(struct quiet_timer *q, uint64_t ms, quiet_timer_cb cb)
{
  q->cb = cb;
  q->ms = ms;
  q->due = 0;
  uv_timer_start(&q->timer, up, ms, 0);
}

void quiet_timer_again(struct quiet_timer *q)
{
  if (q->cb)
    quiet_timer_start(q, q->ms, q->cb);
}

void quiet_timer_stop(struct quiet_timer *q)
{
  q->due = 0;
  uv_timer_stop(&q->timer);
}

void quiet_timer_close(struct quiet_timer *q, uv_close_cb cb)
{
  q->due = 0;
  uv_close((uv_handle_t *)&q->timer, cb);
}
