/* report_log: a run's events kept for its HTML report, their bytes as escaped text, bounded
 * (see report.h). */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes_text.h"

static const char *const kind_names[RK_KINDS] = {
  "cmd", "tx", "rx", "urc", "state", "network", "fota", "fault", "sms", "fail",
};

const char *report_kind_name(enum report_kind k)
{
  return (unsigned)k < RK_KINDS ? kind_names[k] : "?";
}

static int kind_of(const char *type)
{
  for (int i = 0; i < RK_KINDS; i++)
    if (!strcmp(kind_names[i], type))
      return i;
  return -1;
}

/* Up to REPORT_TEXT_BYTES of raw bytes as escaped text, "... (N bytes)" after a longer run. */
static char *escaped(const unsigned char *b, size_t n)
{
  return bytes_preview(b, n, REPORT_TEXT_BYTES);
}

/* A field of one code point per byte, shown. */
static char *field_text(json_t *v)
{
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  unsigned char *b;
  char *out;
  if (!s)
    return NULL;
  b = malloc(len + 1);
  if (!b)
    return NULL;
  out = escaped(b, bytes_from_codepoints(s, len, b));
  free(b);
  return out;
}

/* A transcript's binary data, shown. */
static char *base64_text(const char *s)
{
  size_t n;
  unsigned char *b = bytes_from_base64(s, &n);
  char *out = b ? escaped(b, n) : NULL;
  free(b);
  return out;
}

static struct report_event *add(struct report_log *l, enum report_kind k)
{
  int traffic = k == RK_CMD || k == RK_TX || k == RK_RX || k == RK_URC;
  if (l->n == REPORT_EVENTS_MAX || (traffic && l->traffic == REPORT_TRAFFIC_MAX)) {
    l->left_out++;
    return NULL;
  }
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    struct report_event *ev = realloc(l->ev, cap * sizeof(*ev));
    if (!ev) {
      l->left_out++;
      return NULL;
    }
    l->ev = ev;
    l->cap = cap;
  }
  l->traffic += (size_t)traffic;
  memset(&l->ev[l->n], 0, sizeof(l->ev[0]));
  l->ev[l->n].kind = k;
  l->ev[l->n].t = l->t;
  l->ev[l->n].vt = l->vt;
  return &l->ev[l->n++];
}

/* A virtual time from a line: kept if it goes forward and is within bounds. */
static void note_vt(struct report_log *l, json_t *vt)
{
  if (json_is_integer(vt) && json_integer_value(vt) >= 0 &&
      json_integer_value(vt) <= REPORT_VT_MAX && (uint64_t)json_integer_value(vt) >= l->vt)
    l->vt = (uint64_t)json_integer_value(vt);
}

void report_log_event(struct report_log *l, json_t *ev, double now)
{
  const char *type = json_string_value(json_object_get(ev, "event"));
  const char *port = json_string_value(json_object_get(ev, "port"));
  const char *b64 = json_string_value(json_object_get(ev, "base64"));
  int k = type ? kind_of(type) : -1;
  struct report_event *e;
  json_t *t = json_object_get(ev, "t"), *vt = json_object_get(ev, "vt");
  if (k < 0 || k == RK_FAIL)
    return; /* results: the output has them; unknown kinds: a newer module's */
  if (json_is_number(t) && json_number_value(t) >= l->t && json_number_value(t) < 1e12)
    l->t = json_number_value(t); /* times only go forward; nonsense ones are left out */
  if (json_is_number(t) && now >= 0) {
    l->t_offset = json_number_value(t) - now;
    l->have_offset = 1;
  }
  for (size_t i = l->n; i > 0 && l->ev[i - 1].t < 0; i--)
    l->ev[i - 1].t = l->t; /* a status's state: its wall time is the next event's */
  note_vt(l, vt);
  if (!(e = add(l, (enum report_kind)k)))
    return;
  if (port)
    snprintf(e->port, sizeof(e->port), "%s", port);
  switch (e->kind) {
  case RK_CMD:
    e->text = field_text(json_object_get(ev, "command"));
    break;
  case RK_TX:
  case RK_RX:
    e->text = b64 ? base64_text(b64) : field_text(json_object_get(ev, "data"));
    break;
  case RK_STATE:
  case RK_NETWORK:
  case RK_FOTA:
    e->state = field_text(json_object_get(ev, "state"));
    e->text = field_text(json_object_get(ev, "detail"));
    break;
  default: /* urc, sms, fault: the text; a fault's rule number and line, an sms's detail */
    e->text = field_text(json_object_get(ev, "text"));
    e->state = field_text(json_object_get(ev, "detail"));
    break;
  }
}

void report_log_status(struct report_log *l, json_t *st)
{
  json_t *net = json_object_get(st, "network"), *vt = json_object_get(st, "vclock_ms");
  json_t *boot = json_object_get(st, "boot"), *reg = json_object_get(net, "registration");
  struct report_event *e;
  double t = l->have_offset ? l->t : -1; /* before any event: the next one's */
  note_vt(l, vt);
  if (json_is_string(boot) && (e = add(l, RK_STATE))) {
    e->t = t;
    e->state = field_text(boot);
    e->text = field_text(json_object_get(st, "revision"));
  }
  if (json_is_string(reg) && (e = add(l, RK_NETWORK))) {
    e->t = t;
    e->state = field_text(reg);
    e->text = field_text(json_object_get(net, "rat"));
  }
}

void report_log_fails(struct report_log *l, const struct expect_run *er, double now)
{
  if (now >= 0 && l->have_offset && now + l->t_offset > l->t)
    l->t = now + l->t_offset;
  for (; l->fails_noted < er->nfails; l->fails_noted++) {
    struct report_event *e;
    if (er->now_vt > l->vt)
      l->vt = er->now_vt;
    if (l->n == REPORT_EVENTS_MAX) { /* a failure is never left out: it takes the last place */
      l->n--;
      free(l->ev[l->n].text);
      free(l->ev[l->n].state);
      l->left_out++;
    }
    if ((e = add(l, RK_FAIL)))
      e->text = strdup(er->fails[l->fails_noted]);
  }
}

void report_log_free(struct report_log *l)
{
  for (size_t i = 0; i < l->n; i++) {
    free(l->ev[i].text);
    free(l->ev[i].state);
  }
  free(l->ev);
  memset(l, 0, sizeof(*l));
}
