/* download_file: FILE-mode downloads: the package arrives as exactly <length> raw bytes on the
 * port that sent AT+QFOTADL="FILE:<length>". No echo, no AT parsing. A pause longer than the
 * receive timeout ends it with 567; bytes beyond <length> (within a short guard time after the
 * last expected byte) end it with 564 and are thrown away, never executed as commands. */
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "download.h"
#include "quiet_timer.h"

struct download {
  const struct download_ops *ops; /* first: the interface's view of a download */
  void (*attach_input)(void *actx, download_input_fn fn, void *fn_ctx);
  void *actx;
  struct download_sink sink;
  uint64_t expected, got;
  int surplus, finished, guarding, handles_open;
  int stop_err;          /* the sink stopped the download: swallow until quiet, then report */
  uint64_t timeout_ms, guard_ms;
  struct quiet_timer timer; /* the receive timeout, then the guard time */
};

static void closed(uv_handle_t *h)
{
  free(h->data);
}

static void release(struct download *d)
{
  d->attach_input(d->actx, NULL, d);
  quiet_timer_close(&d->timer, closed);
}

static void finish(struct download *d, int err, const char *cause)
{
  struct download_sink sink = d->sink;
  if (d->finished)
    return;
  d->finished = 1;
  release(d);
  sink.on_done(sink.ctx, err, cause);
}

/* The host was quiet for the receive timeout or the guard time (see quiet_timer.h). */
static void timed_out(void *data)
{
  struct download *d = data;
  char cause[160];
  if (d->stop_err) {
    finish(d, d->stop_err, NULL);
  } else if (d->guarding) {
    finish(d, d->surplus ? FOTA_FILE_TOO_LARGE : 0,
           d->surplus ? "the host sent more bytes than the command's length" : NULL);
  } else {
    snprintf(cause, sizeof(cause), "no byte from the host for %llu ms, %llu of %llu bytes came",
             (unsigned long long)d->timeout_ms, (unsigned long long)d->got,
             (unsigned long long)d->expected);
    finish(d, FOTA_FILE_TIMEOUT, cause);
  }
}

static size_t on_bytes(void *ctx, const char *data, size_t len)
{
  struct download *d = ctx;
  if (d->finished)
    return len;
  if (!d->guarding) {
    size_t take = len;
    if (take > d->expected - d->got)
      take = (size_t)(d->expected - d->got);
    if (take > 0) {
      int err = d->sink.on_data(d->sink.ctx, data, take);
      if (err) { /* the rest of the package must not reach the AT interpreter */
        d->stop_err = err;
        d->guarding = 1;
        quiet_timer_start(&d->timer, d->guard_ms, timed_out);
        return len;
      }
      d->got += take;
    }
    if (d->got < d->expected) {
      quiet_timer_start(&d->timer, d->timeout_ms, timed_out);
      return len;
    }
    d->guarding = 1; /* all there: anything more within the guard time is surplus */
    if (take < len)
      d->surplus = 1;
  } else if (!d->stop_err) {
    d->surplus = 1;
  }
  quiet_timer_start(&d->timer, d->guard_ms, timed_out);
  return len; /* surplus is swallowed, never interpreted */
}

static void file_cancel(struct download *d)
{
  if (d->finished)
    return;
  d->finished = 1;
  release(d);
}

static const struct download_ops file_ops = { file_cancel };

struct download *download_file_start(const struct download_env *env, const struct fota_url *url,
                                      const struct download_sink *sink)
{
  struct download *d = calloc(1, sizeof(*d));
  d->ops = &file_ops;
  d->attach_input = env->attach_input;
  d->actx = env->actx;
  d->sink = *sink;
  d->expected = url->file_length;
  d->timeout_ms = vclock_host_timeout(env->clock, FILE_RX_TIMEOUT_MS);
  d->guard_ms = vclock_host_timeout(env->clock, FILE_GUARD_MS); /* the host's bytes: real time */
  quiet_timer_init(&d->timer, env->loop, d);
  d->attach_input(d->actx, on_bytes, d);
  sink->on_size(sink->ctx, (int64_t)d->expected);
  quiet_timer_start(&d->timer, d->timeout_ms, timed_out);
  return d;
}
