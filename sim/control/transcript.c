/* transcript: every byte each way on each port (and state, network, FOTA and fault events),
 * timestamped, one JSON object per line, passwords in URLs masked (the port masks before it
 * emits). Bytes that are all ASCII are "data" as a JSON string; others are "base64", with
 * "text", the first of them shown with escapes, for people. */
#include "transcript.h"

#include <mbedtls/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes_text.h"

#define PREVIEW_BYTES 120   /* of binary data, shown in "text" */

static int all_ascii(const char *data, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)data[i] >= 0x80)
      return 0;
  return 1;
}

/* Binary data as "base64" and a "text" preview, in place of "data". */
static void binary_data(json_t *j, const struct event *ev)
{
  size_t need = 0;
  unsigned char *b64;
  char *text = bytes_preview((const unsigned char *)ev->data, ev->len, PREVIEW_BYTES);
  mbedtls_base64_encode(NULL, 0, &need, (const unsigned char *)ev->data, ev->len);
  b64 = text ? malloc(need + 1) : NULL;
  if (!b64 || mbedtls_base64_encode(b64, need + 1, &need, (const unsigned char *)ev->data,
                                    ev->len) != 0) {
    free(b64);
    free(text);
    return; /* out of memory: "data" stays */
  }
  json_object_del(j, "data");
  json_object_set_new(j, "base64", json_stringn((const char *)b64, need));
  json_object_set_new(j, "text", json_string(text));
  free(b64);
  free(text);
}

static void on_event(void *ctx, const struct event *ev)
{
  struct transcript *t = ctx;
  json_t *j = event_to_json(ev);
  if ((ev->type == EV_RX || ev->type == EV_TX) && !all_ascii(ev->data, ev->len))
    binary_data(j, ev);
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
  t->sub.mask = EV_MASK(EV_RX) | EV_MASK(EV_TX) | EV_MASK(EV_STATE) | EV_MASK(EV_NETWORK) |
                EV_MASK(EV_FOTA) | EV_MASK(EV_FAULT);
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
