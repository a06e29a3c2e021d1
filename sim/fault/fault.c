/* fault: the fault-injection engine's rules and when they fire (see fault.h). */
#include "fault.h"

#include <stddef.h>
#include <strings.h>

/* A rule with a probability fires when the seeded generator says so (xorshift64). */
static int draw(struct fault_set *fs, const struct fault_rule *r)
{
  uint64_t x = fs->rng ? fs->rng : 0x2545F4914F6CDD1DULL;
  if (!r->probability)
    return 1;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  fs->rng = x;
  return (int)(x % 100) < r->probability;
}

static struct fault_rule *fire(struct fault_set *fs, struct fault_rule *r)
{
  r->fired = 1;
  r->fires++;
  if (fs->on_fire)
    fs->on_fire(fs->fire_ctx, (int)(r - fs->rules), r);
  return r;
}

struct fault_rule *fault_check(struct fault_set *fs, enum fault_phase phase, int percent,
                               uint64_t bytes, int attempt)
{
  for (int i = 0; i < fs->n; i++) {
    struct fault_rule *r = &fs->rules[i];
    if (r->phase != (int)phase || (r->fired && !r->repeat))
      continue;
    if (r->offset_given ? bytes < r->offset : percent < r->percent)
      continue;
    if (r->attempt && r->attempt != attempt)
      continue;
    if (!draw(fs, r))
      continue;
    return fire(fs, r);
  }
  return 0;
}

struct fault_rule *fault_command(struct fault_set *fs, const char *name)
{
  for (int i = 0; i < fs->n; i++) {
    struct fault_rule *r = &fs->rules[i];
    if (!r->command[0] || strcasecmp(r->command + 2, name) != 0)
      continue;
    r->seen++;
    if (r->occurrence && r->seen != r->occurrence)
      continue;
    if (r->fired && !r->repeat && !r->occurrence)
      continue;
    if (!draw(fs, r))
      continue;
    return fire(fs, r);
  }
  return 0;
}

/* A counted moment (a send, a request) comes: whether the rule is due at it. */
static int occurs(struct fault_rule *r)
{
  r->seen++;
  return r->occurrence ? r->seen == r->occurrence : !r->fired || r->repeat;
}

struct fault_rule *fault_socket(struct fault_set *fs, enum fault_socket what, int id,
                                uint64_t bytes)
{
  struct fault_rule *chosen = NULL;
  for (int i = 0; i < fs->n; i++) { /* every rule counts the moment, the first due fires */
    struct fault_rule *r = &fs->rules[i];
    if (r->socket != (int)what || (r->socket_id >= 0 && r->socket_id != id))
      continue;
    if (what == FAULT_SOCKET_RECEIVE) {
      if ((r->fired && !r->repeat) || bytes <= r->offset) /* fires on a byte past it */
        continue;
    } else if (!occurs(r)) {
      continue;
    }
    if (!chosen && draw(fs, r))
      chosen = r;
  }
  return chosen ? fire(fs, chosen) : NULL;
}

/* A counted moment of one kind: every rule of the kind counts it, the first due fires. */
static struct fault_rule *counted(struct fault_set *fs, size_t field, int value)
{
  struct fault_rule *chosen = NULL;
  for (int i = 0; i < fs->n; i++) {
    struct fault_rule *r = &fs->rules[i];
    if (*(int *)((char *)r + field) != value || !occurs(r))
      continue;
    if (!chosen && draw(fs, r))
      chosen = r;
  }
  return chosen ? fire(fs, chosen) : NULL;
}

struct fault_rule *fault_http(struct fault_set *fs)
{
  return counted(fs, offsetof(struct fault_rule, http), FAULT_HTTP_REQUEST);
}

struct fault_rule *fault_sms(struct fault_set *fs)
{
  return counted(fs, offsetof(struct fault_rule, sms), FAULT_SMS_SEND);
}

struct fault_rule *fault_call(struct fault_set *fs, enum fault_call what, uint64_t bytes)
{
  struct fault_rule *chosen = NULL;
  if (what == FAULT_CALL_DIAL)
    return counted(fs, offsetof(struct fault_rule, call), FAULT_CALL_DIAL);
  for (int i = 0; i < fs->n; i++) { /* data: once a byte past the offset has come */
    struct fault_rule *r = &fs->rules[i];
    if (r->call != FAULT_CALL_DATA || (r->fired && !r->repeat) || bytes <= r->offset)
      continue;
    if (!chosen && draw(fs, r))
      chosen = r;
  }
  return chosen ? fire(fs, chosen) : NULL;
}

struct fault_rule *fault_ntp(struct fault_set *fs)
{
  return counted(fs, offsetof(struct fault_rule, ntp), FAULT_NTP_QUERY);
}

struct fault_rule *fault_mqtt(struct fault_set *fs, enum fault_mqtt what)
{
  return counted(fs, offsetof(struct fault_rule, mqtt), (int)what);
}

/* A time rule's next due time: `at`, or every `at` when it repeats. */
static uint64_t due_time(const struct fault_rule *r)
{
  if (!r->at_given || (r->fired && !r->repeat) || r->fires >= FAULT_TIME_REPEAT_MAX)
    return UINT64_MAX;
  return r->repeat ? r->at_ms * (r->fires + 1) : r->at_ms;
}

struct fault_rule *fault_due(struct fault_set *fs, uint64_t elapsed)
{
  for (int i = 0; i < fs->n; i++) {
    struct fault_rule *r = &fs->rules[i];
    if (due_time(r) > elapsed)
      continue;
    if (!draw(fs, r)) { /* this time passes without it; a repeating rule tries next period */
      r->fired = !r->repeat;
      r->fires++;
      continue;
    }
    return fire(fs, r);
  }
  return 0;
}

uint64_t fault_next_due(const struct fault_set *fs)
{
  uint64_t next = UINT64_MAX;
  for (int i = 0; i < fs->n; i++) {
    uint64_t d = due_time(&fs->rules[i]);
    if (d < next)
      next = d;
  }
  return next;
}
