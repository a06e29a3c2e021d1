/* vclock: the one virtual clock. Every module-side delay is a vtimer on it; the timing setting
 * scales virtual milliseconds to real ones, and "instant" runs timers in virtual-time order with
 * no real delay (a discrete-event queue driven by one libuv timer). */
#ifndef FOTASIM_VCLOCK_H
#define FOTASIM_VCLOCK_H

#include <stdint.h>
#include <uv.h>

struct vclock;
struct vtimer;
typedef void (*vtimer_cb)(struct vtimer *t);

struct vtimer {
  struct vclock *clock;
  vtimer_cb cb;
  void *data;
  uint64_t due;    /* virtual ms */
  uint64_t seq;    /* start order, breaks ties */
  int active;
  struct vtimer *prev, *next;
};

struct vclock {
  uv_loop_t *loop;
  double scale;    /* virtual ms per real ms; 0 means instant */
  uint64_t vbase, rbase;   /* virtual and real ms at the last rebase */
  uint64_t vfloor;         /* virtual time never goes back below this */
  uint64_t seq;
  uint64_t host_cap_ms;    /* 0, or a scenario's cap on waits for the host (module.host_timeout) */
  struct vtimer *head;     /* active timers, sorted by (due, seq) */
  uv_timer_t driver;
};

/* Parses "real", "fast", "instant" or a positive number; -1 if none of them. */
int vclock_parse_timing(const char *s, double *scale);
void vclock_init(struct vclock *c, uv_loop_t *loop, double scale);
void vclock_close(struct vclock *c);
uint64_t vclock_now(struct vclock *c);
/* Real milliseconds for a wait on the host (its bytes after CONNECT or a prompt, FILE-mode
 * input): ms as given, since the host is real, unscaled by the timing; at most host_cap_ms when
 * a scenario sets one for a test. */
uint64_t vclock_host_timeout(const struct vclock *c, uint64_t ms);
/* Real milliseconds for a wait on a server of virt_ms, never below floor_ms. */
uint64_t vclock_real_timeout(struct vclock *c, uint64_t virt_ms, uint64_t floor_ms);
const char *vclock_describe(const struct vclock *c, char *buf, size_t size);

void vtimer_init(struct vclock *c, struct vtimer *t, void *data);
void vtimer_start(struct vtimer *t, uint64_t virt_ms, vtimer_cb cb);
void vtimer_stop(struct vtimer *t);
static inline int vtimer_active(const struct vtimer *t)
{
  return t->active;
}

#endif
