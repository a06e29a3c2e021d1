/* transcript: every byte each way on each port (and state changes), timestamped, one JSON
 * object per line, passwords in URLs masked (the port masks before it emits). */
#include "transcript.h"

#include <stdlib.h>

static void on_event(void *ctx, const struct event *ev)
{
  struct transcript *t = ctx;
  json_t *j = event_to_json(ev);
  if (json_dumpf(j, t->f, JSON_COMPACT | JSON_REAL_PRECISION(12)) == 0)
    fputc('\n', t->f);
  json_decref(j);
  t->dirty = 1;
}

static void flush_cb(uv_prepare_t *h)
{
  struct transcript *t = h->data;
  if (t->dirty) {
    fflush(t->f);
    t->dirty = 0;
  }
}

int transcript_open(struct transcript *t, uv_loop_t *loop, struct event_bus *bus,
                    const char *path)
{
  t->f = fopen(path, "a");
  if (!t->f)
    return -1;
  t->bus = bus;
  t->dirty = 0;
  t->sub.fn = on_event;
  t->sub.ctx = t;
  t->sub.mask = EV_MASK(EV_RX) | EV_MASK(EV_TX) | EV_MASK(EV_STATE);
  event_subscribe(bus, &t->sub);
  uv_prepare_init(loop, &t->flusher);
  t->flusher.data = t;
  uv_prepare_start(&t->flusher, flush_cb);
  uv_unref((uv_handle_t *)&t->flusher);
  return 0;
}

void transcript_close(struct transcript *t)
{
  if (!t->f)
    return;
  event_unsubscribe(t->bus, &t->sub);
  uv_close((uv_handle_t *)&t->flusher, NULL);
  fclose(t->f);
  t->f = NULL;
}
