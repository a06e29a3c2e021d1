/* fault_format: a fault rule in words, as a scenario file gives it (see fault.h). */
#include "fault.h"
#include "fault_words.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

struct out {
  char *buf;
  size_t size;
  int len;
};

static void put(struct out *o, const char *fmt, ...)
{
  va_list ap;
  size_t at = o->len < 0 ? 0 : (size_t)o->len;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(at < o->size ? o->buf + at : NULL, at < o->size ? o->size - at : 0, fmt, ap);
  va_end(ap);
  if (n > 0)
    o->len += n;
}

static void word(struct out *o, const char *key, const char *const *words, int value)
{
  put(o, "%s: %s", key, value >= 0 ? words[value] : "?");
}

/* One action, if cond: " -> " before the first, ", " before the others. (The arguments are
 * evaluated either way: index tables only when cond holds.) */
static void action(struct out *o, const char **sep, int cond, const char *fmt, ...)
{
  va_list ap;
  char text[200];
  if (!cond)
    return;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  put(o, "%s%s", *sep, text);
  *sep = ", ";
}

static void trigger(struct out *o, const struct fault_rule *r)
{
  if (r->phase >= 0)
    word(o, "phase", fault_phase_words, r->phase);
  else if (r->command[0])
    put(o, "command: %s", r->command);
  else if (r->at_given)
    put(o, "at: %" PRIu64, r->at_ms);
  else if (r->socket >= 0)
    word(o, "socket", fault_socket_words, r->socket);
  else if (r->http >= 0)
    word(o, "http", fault_http_words, r->http);
  else if (r->mqtt >= 0)
    word(o, "mqtt", fault_mqtt_words, r->mqtt);
  else if (r->sms >= 0)
    word(o, "sms", fault_sms_words, r->sms);
  else if (r->ntp >= 0)
    word(o, "ntp", fault_ntp_words, r->ntp);
  else if (r->call >= 0)
    word(o, "datacall", fault_call_words, r->call);
  if (r->socket_id >= 0)
    put(o, ", id: %d", r->socket_id);
  if (r->percent)
    put(o, ", percent: %d", r->percent);
  if (r->offset_given)
    put(o, ", offset: %" PRIu64, r->offset);
  if (r->occurrence)
    put(o, ", occurrence: %d", r->occurrence);
  if (r->attempt)
    put(o, ", attempt: %d", r->attempt);
  if (r->probability)
    put(o, ", probability: %d", r->probability);
  if (r->repeat)
    put(o, ", repeat");
}

int fault_rule_format(const struct fault_rule *r, const char *(*stat_name)(int), char *buf,
                      size_t size)
{
  struct out o = { buf, size, 0 };
  const char *sep = " -> ";
  if (size)
    buf[0] = '\0';
  trigger(&o, r);
  action(&o, &sep, r->fail > 0, "fail: %d", r->fail);
  action(&o, &sep, r->cut_power, "cut_power");
  action(&o, &sep, r->corrupt, "corrupt");
  action(&o, &sep, r->drop, "drop");
  action(&o, &sep, r->stall, "stall");
  action(&o, &sep, r->refuse, "refuse");
  action(&o, &sep, r->pdpdeact, "pdpdeact");
  action(&o, &sep, r->network >= 0, "network: %s",
         r->network >= 0 && stat_name ? stat_name(r->network) : "?");
  action(&o, &sep, r->rssi >= 0, "rssi: %d", r->rssi);
  action(&o, &sep, r->urc[0] != 0, "urc: %s", r->urc);
  action(&o, &sep, r->sms_text[0] != 0, "sms_text from %s", r->sms_from[0] ? r->sms_from : "the network");
  action(&o, &sep, r->fill_medium >= 0, "fill, free: %" PRIu64, r->fill_free);
  action(&o, &sep, r->output > 0, "output: %s", r->output > 0 ? fault_output_words[r->output - 1] : "");
  return o.len;
}
