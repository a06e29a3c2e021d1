/* quiet_timer: a wait for a peer that has gone quiet (the host's bytes after CONNECT or "+++",
 * a server's body). libuv runs timers before it polls: after this process was held up (a
 * loaded machine, a debugger), bytes that came in time may not have been read yet when the
 * timer is due. So a due timer gives its verdict only after one more poll, and bytes read in
 * that poll (a new start) call it off. */
#ifndef FOTASIM_QUIET_TIMER_H
#define FOTASIM_QUIET_TIMER_H

#include <stdint.h>
#include <uv.h>

typedef void (*quiet_timer_cb)(void *data);

struct quiet_timer {
  uv_timer_t timer;      /* first; its data is the owner's (for its close callback) */
  quiet_timer_cb cb;
  uint64_t ms;
  int due;               /* the time is up: the verdict waits for what is already unread */
};

void quiet_timer_init(struct quiet_timer *q, uv_loop_t *loop, void *data);
/* cb(data) once ms (real) pass from now with no new start. */
void quiet_timer_start(struct quiet_timer *q, uint64_t ms, quiet_timer_cb cb);
/* The last started wait again from now (bytes came), stopped or not; nothing if none was. */
void quiet_timer_again(struct quiet_timer *q);
/* No verdict until the next start or again. */
void quiet_timer_stop(struct quiet_timer *q);
/* uv_close of its timer; cb gets the handle, whose data is init's. */
void quiet_timer_close(struct quiet_timer *q, uv_close_cb cb);

#endif
