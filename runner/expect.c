/* expect: a scenario's expectations and their evaluation from the event stream (see expect.h). */
#include "expect.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fota_phase.h"
#include "url_mask.h"

void expectations_init(struct expectations *e)
{
  memset(e, 0, sizeof(*e));
  e->bricked = -1;
  e->host_exit = 0; /* a host that fails or crashes fails its scenario unless told otherwise */
}

int expectations_empty(const struct expectations *e)
{
  return !e->revision[0] && e->bricked < 0 && !e->host_exit_given && !e->nout && !e->ncmd &&
         !e->npub;
}

void expect_run_init(struct expect_run *r, const struct expectations *e, uint64_t start_vt)
{
  memset(r, 0, sizeof(*r));
  r->e = e;
  r->phase = FOTA_IDLE;
  r->now_vt = start_vt;
  for (int i = 0; i < e->ncmd; i++) /* a window with no opening line starts now */
    r->window_from[i] = e->cmd[i].within_ms && !e->cmd[i].after[0] ? (int64_t)start_vt : -1;
}

void expect_fail(struct expect_run *r, const char *fmt, ...)
{
  va_list ap;
  if (r->nfails == EXPECT_FAILS_MAX)
    return;
  va_start(ap, fmt);
  vsnprintf(r->fails[r->nfails], sizeof(r->fails[0]), fmt, ap);
  va_end(ap);
  url_mask_string(r->fails[r->nfails], strlen(r->fails[r->nfails]));
  r->nfails++;
}

static void count_text(char *out, size_t size, int min, int max)
{
  if (max == 0)
    snprintf(out, size, "never");
  else if (min == max)
    snprintf(out, size, "exactly %d", min);
  else if (max < 0)
    snprintf(out, size, "at least %d", min);
  else
    snprintf(out, size, "%d to %d", min, max);
}

static void on_line(struct expect_run *r, int port, const char *line, uint64_t vt)
{
  const struct expectations *e = r->e;
  for (int i = 0; i < e->nout; i++) {
    const struct expect_output *o = &e->out[i];
    if ((o->port >= 0 && o->port != port) || !strstr(line, o->match))
      continue;
    r->out_seen[i]++;
    if (o->max >= 0 && r->out_seen[i] == o->max + 1) {
      char want[32];
      count_text(want, sizeof(want), o->min, o->max);
      expect_fail(r, "output '%s' (line %lu): seen %d times, expected %s: '%s'", o->match,
                  o->line, r->out_seen[i], want, line);
    }
  }
  for (int i = 0; i < e->ncmd; i++)
    if (e->cmd[i].after[0] && r->window_from[i] < 0 && strstr(line, e->cmd[i].after))
      r->window_from[i] = (int64_t)vt;
}

void expect_output(struct expect_run *r, int port, const char *data, size_t len, uint64_t vt)
{
  char *buf = r->line[port];
  size_t *n = &r->line_len[port];
  expect_time(r, vt);
  for (size_t i = 0; i < len; i++) {
    char c = data[i];
    if (c == '\r' || c == '\n') {
      if (*n) {
        buf[*n] = '\0';
        on_line(r, port, buf, vt);
      }
      *n = 0;
    } else if (*n < sizeof(r->line[0]) - 1) {
      buf[(*n)++] = c;
    }
  }
}

void expect_command(struct expect_run *r, const char *text, uint64_t vt)
{
  const struct expectations *e = r->e;
  expect_time(r, vt);
  for (int i = 0; i < e->ncmd; i++) {
    const struct expect_command *c = &e->cmd[i];
    if (!strstr(text, c->match))
      continue;
    if (c->during >= 0) { /* only counts inside that phase */
      if (r->phase != c->during)
        continue;
    }
    r->cmd_seen[i]++;
    if (c->within_ms && r->window_from[i] >= 0 && !r->window_met[i])
      r->window_met[i] = 1;
    if (c->max >= 0 && r->cmd_seen[i] == c->max + 1) {
      char want[32];
      count_text(want, sizeof(want), c->min, c->max);
      expect_fail(r, "command '%s'%s%s (line %lu): sent %d times, expected %s: '%s'", c->match,
                  c->during >= 0 ? " during " : "",
                  c->during >= 0 ? fota_phase_name((enum fota_phase)c->during) : "", c->line,
                  r->cmd_seen[i], want, text);
    }
  }
}

void expect_phase(struct expect_run *r, const char *name, uint64_t vt)
{
  int p = fota_phase_parse(name);
  expect_time(r, vt);
  if (p >= 0)
    r->phase = p;
}

void expect_time(struct expect_run *r, uint64_t vt)
{
  const struct expectations *e = r->e;
  if (vt > r->now_vt)
    r->now_vt = vt;
  for (int i = 0; i < e->ncmd; i++) {
    const struct expect_command *c = &e->cmd[i];
    if (!c->within_ms || r->window_from[i] < 0 || r->window_met[i] ||
        r->now_vt <= (uint64_t)r->window_from[i] + c->within_ms)
      continue;
    r->window_met[i] = -1; /* failed once, not again */
    expect_fail(r, "command '%s' (line %lu): not sent within %llu ms %s%s%s", c->match, c->line,
                (unsigned long long)c->within_ms, c->after[0] ? "after '" : "of the start",
                c->after, c->after[0] ? "'" : "");
  }
}

int expect_settled(const struct expect_run *r, const char *revision, int bricked)
{
  const struct expectations *e = r->e;
  int goal = e->revision[0] != 0;
  if (e->host_exit >= 0 || r->nfails)
    return 0;
  if (e->revision[0] && strcmp(revision, e->revision) != 0)
    return 0;
  if (e->bricked >= 0 && bricked != e->bricked)
    return 0;
  for (int i = 0; i < e->nout; i++) {
    goal |= e->out[i].min > 0;
    if (r->out_seen[i] < e->out[i].min)
      return 0;
  }
  for (int i = 0; i < e->ncmd; i++) {
    goal |= e->cmd[i].min > 0 || e->cmd[i].within_ms;
    if (r->cmd_seen[i] < e->cmd[i].min || (e->cmd[i].within_ms && r->window_met[i] != 1))
      return 0;
  }
  return goal;
}

void expect_finish(struct expect_run *r, const char *revision, int bricked, int exit_status,
                   int signal)
{
  const struct expectations *e = r->e;
  char want[32];
  for (int port = 0; port < 2; port++) /* a last line without its CR LF */
    expect_output(r, port, "\r\n", 2, r->now_vt);
  if (e->host_exit >= 0 && signal)
    expect_fail(r, "host killed by signal %d", signal);
  else if (e->host_exit >= 0 && exit_status >= 0 && exit_status != e->host_exit)
    expect_fail(r, "host exit status %d, expected %d", exit_status, e->host_exit);
  if (e->revision[0] && strcmp(revision, e->revision) != 0)
    expect_fail(r, "revision %s at the end, expected %s", revision[0] ? revision : "(none)",
                e->revision);
  if (e->bricked >= 0 && bricked != e->bricked)
    expect_fail(r, "module %s at the end, expected %s", bricked ? "bricked" : "not bricked",
                e->bricked ? "bricked" : "not bricked");
  for (int i = 0; i < e->nout; i++) {
    const struct expect_output *o = &e->out[i];
    if (r->out_seen[i] >= o->min)
      continue;
    count_text(want, sizeof(want), o->min, o->max);
    expect_fail(r, "output '%s' (line %lu): seen %d times, expected %s", o->match, o->line,
                r->out_seen[i], want);
  }
  for (int i = 0; i < e->ncmd; i++) {
    const struct expect_command *c = &e->cmd[i];
    if (c->within_ms && c->after[0] && r->window_from[i] < 0)
      expect_fail(r, "command '%s' (line %lu): '%s' never came, so its window never opened",
                  c->match, c->line, c->after);
    else if (c->within_ms && !r->window_met[i])
      expect_fail(r, "command '%s' (line %lu): not sent within %llu ms %s%s%s", c->match,
                  c->line, (unsigned long long)c->within_ms, c->after[0] ? "after '" : "of the start",
                  c->after, c->after[0] ? "'" : "");
    if (r->cmd_seen[i] >= c->min)
      continue;
    count_text(want, sizeof(want), c->min, c->max);
    expect_fail(r, "command '%s' (line %lu): sent %d times, expected %s", c->match, c->line,
                r->cmd_seen[i], want);
  }
}

void expect_published(struct expect_run *r, const char *log, size_t len,
                      const char *const *matches)
{
  const struct expectations *e = r->e;
  for (int i = 0; i < e->npub; i++) {
    const struct expect_published *p = &e->pub[i];
    size_t tl = strlen(p->topic);
    const char *want = matches && matches[i] ? matches[i] : p->match;
    int on_topic = 0, found = 0;
    for (size_t at = 0; at < len && !found;) {
      const char *nl = memchr(log + at, '\n', len - at);
      size_t n = nl ? (size_t)(nl - (log + at)) : len - at;
      if (n > tl && !memcmp(log + at, p->topic, tl) && log[at + tl] == ' ') {
        char payload[4200];
        size_t pl = n - tl - 1 < sizeof(payload) - 1 ? n - tl - 1 : sizeof(payload) - 1;
        memcpy(payload, log + at + tl + 1, pl);
        payload[pl] = '\0';
        on_topic++;
        found = strstr(payload, want) != NULL;
      }
      at += n + 1;
    }
    if (!found)
      expect_fail(r, "published (line %lu): no message on '%s' with '%s' (%d on that topic)",
                  p->line, p->topic, want, on_topic);
  }
}
