/* events: the event bus. Modules emit what happens (bytes on a port, commands, results, URCs,
 * state changes); the control channel, the transcript and the log subscribe. Emitting costs
 * nothing beyond a mask test when nobody listens for that type. */
#ifndef FOTASIM_EVENTS_H
#define FOTASIM_EVENTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct vclock;

enum event_type {
  EV_RX,      /* bytes from the host on a port */
  EV_TX,      /* bytes to the host on a port */
  EV_CMD,     /* a command the interpreter executes */
  EV_RESULT,  /* the final result code of a line */
  EV_URC,     /* an unsolicited result code */
  EV_STATE,   /* power / boot state change */
  EV_NETWORK, /* registration change */
  EV_FOTA,    /* FOTA phase change */
  EV_SMS,     /* a short message sent by the host or received from the network */
  EV_FAULT,   /* a fault rule fired */
  EV_TYPE_COUNT
};

#define EV_MASK(t) (1u << (t))
#define EV_MASK_ALL ((1u << EV_TYPE_COUNT) - 1)

struct event {
  enum event_type type;
  int module;
  const char *port;   /* "main", "usb" or NULL */
  const char *data;   /* bytes (rx/tx) or text */
  size_t len;
  const char *detail; /* command of a result, revision of a state, ... */
  double t;           /* wall seconds since the process started */
  uint64_t vt;        /* virtual ms */
};

typedef void (*event_fn)(void *ctx, const struct event *ev);

struct event_sub {
  event_fn fn;
  void *ctx;
  unsigned mask;
  struct event_sub *next;
};

struct event_bus {
  struct event_sub *subs;
  unsigned mask;      /* union of the subscribers' masks */
  uint64_t start_ns;
  struct vclock *clock;
};

void event_bus_init(struct event_bus *bus, struct vclock *clock);
void event_subscribe(struct event_bus *bus, struct event_sub *sub);
void event_unsubscribe(struct event_bus *bus, struct event_sub *sub);
static inline int event_wanted(const struct event_bus *bus, enum event_type t)
{
  return (bus->mask & EV_MASK(t)) != 0;
}
void event_emit(struct event_bus *bus, struct event *ev);

const char *event_type_name(enum event_type t);
int event_type_parse(const char *name); /* -1 if unknown */
/* {"event":..., "t":..., "vt":..., "module":..., "port":..., ...}; caller owns the reference. */
json_t *event_to_json(const struct event *ev);
/* A JSON string holding raw bytes: each byte becomes the code point of the same value. */
json_t *json_bytes(const char *data, size_t len);

#endif
