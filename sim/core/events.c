/* events: the event bus. Modules emit what happens (bytes on a port, commands, results, URCs,
 * state changes); the control channel, the transcript and the log subscribe. Emitting costs
 * nothing beyond a mask test when nobody listens for that type. */
#include "events.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "vclock.h"

static const char *const type_names[EV_TYPE_COUNT] = {
  "rx", "tx", "cmd", "result", "urc", "state", "network", "fota", "sms", "fault",
};

const char *event_type_name(enum event_type t)
{
  return (unsigned)t < EV_TYPE_COUNT ? type_names[t] : "?";
}

int event_type_parse(const char *name)
{
  for (int i = 0; i < EV_TYPE_COUNT; i++)
    if (strcmp(type_names[i], name) == 0)
      return i;
  return -1;
}

void event_bus_init(struct event_bus *bus, struct vclock *clock)
{
  memset(bus, 0, sizeof(*bus));
  bus->clock = clock;
  bus->start_ns = uv_hrtime();
}

static void recompute_mask(struct event_bus *bus)
{
  bus->mask = 0;
  for (struct event_sub *s = bus->subs; s; s = s->next)
    bus->mask |= s->mask;
}

void event_subscribe(struct event_bus *bus, struct event_sub *sub)
{
  sub->next = bus->subs;
  bus->subs = sub;
  recompute_mask(bus);
}

void event_unsubscribe(struct event_bus *bus, struct event_sub *sub)
{
  for (struct event_sub **pp = &bus->subs; *pp; pp = &(*pp)->next) {
    if (*pp == sub) {
      *pp = sub->next;
      break;
    }
  }
  recompute_mask(bus);
}

void event_emit(struct event_bus *bus, struct event *ev)
{
  struct event_sub *s, *next;
  if (!event_wanted(bus, ev->type))
    return;
  ev->t = (double)(uv_hrtime() - bus->start_ns) / 1e9;
  ev->vt = bus->clock ? vclock_now(bus->clock) : 0;
  for (s = bus->subs; s; s = next) {
    next = s->next; /* a subscriber may leave from its callback */
    if (s->mask & EV_MASK(ev->type))
      s->fn(s->ctx, ev);
  }
}

json_t *json_bytes(const char *data, size_t len)
{
  char stackbuf[512];
  char *buf = len * 2 <= sizeof(stackbuf) ? stackbuf : malloc(len * 2);
  size_t o = 0;
  json_t *j;
  if (!buf || len == 0) {
    if (buf != stackbuf)
      free(buf);
    return json_string("");
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c < 0x80) {
      buf[o++] = (char)c;
    } else {
      buf[o++] = (char)(0xC0 | (c >> 6));
      buf[o++] = (char)(0x80 | (c & 0x3F));
    }
  }
  j = json_stringn(buf, o);
  if (buf != stackbuf)
    free(buf);
  return j;
}

json_t *event_to_json(const struct event *ev)
{
  json_t *o = json_object();
  json_object_set_new(o, "event", json_string(event_type_name(ev->type)));
  json_object_set_new(o, "t", json_real((double)(int64_t)(ev->t * 1e6) / 1e6));
  json_object_set_new(o, "vt", json_integer((json_int_t)ev->vt));
  json_object_set_new(o, "module", json_integer(ev->module));
  if (ev->port)
    json_object_set_new(o, "port", json_string(ev->port));
  switch (ev->type) {
  case EV_RX:
  case EV_TX:
    json_object_set_new(o, "data", json_bytes(ev->data, ev->len));
    break;
  case EV_CMD:
    json_object_set_new(o, "command", json_bytes(ev->data, ev->len));
    break;
  case EV_RESULT:
    json_object_set_new(o, "result", json_bytes(ev->data, ev->len));
    if (ev->detail)
      json_object_set_new(o, "command", json_bytes(ev->detail, strlen(ev->detail)));
    break;
  case EV_URC:
    json_object_set_new(o, "text", json_bytes(ev->data, ev->len));
    break;
  case EV_SMS:
  case EV_FAULT:
    json_object_set_new(o, "text", json_bytes(ev->data, ev->len));
    if (ev->detail)
      json_object_set_new(o, "detail", json_bytes(ev->detail, strlen(ev->detail)));
    break;
  case EV_STATE:
  case EV_NETWORK:
  case EV_FOTA:
    json_object_set_new(o, "state", json_bytes(ev->data, ev->len));
    if (ev->detail)
      json_object_set_new(o, "detail", json_bytes(ev->detail, strlen(ev->detail)));
    break;
  default:
    break;
  }
  return o;
}
