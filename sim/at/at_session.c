/* at_session: one AT interpreter bound to one port: echo, result-code formatting (V0/V1, Q,
 * CMEE), command dispatch through a command table, asynchronous commands and the URC queue. */
#include "at_session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

void at_settings_default(struct at_settings *set)
{
  memset(set, 0, sizeof(*set));
  set->echo = 1;
  set->verbose = 1;
  set->quiet = 0;
  set->cmee = 1;
  set->s3 = '\r';
  set->s4 = '\n';
  set->s5 = '\b';
  set->x = 4;
  set->dcd = 1;
  set->dtr = 1;
}

void at_session_init(struct at_session *s, const struct at_command *table, size_t table_len,
                     const struct at_session_ops *ops, void *user)
{
  memset(s, 0, sizeof(*s));
  at_settings_default(&s->set);
  at_line_init(&s->line);
  s->table = table;
  s->table_len = table_len;
  s->ops = ops;
  s->user = user;
}

void at_raw(struct at_session *s, const char *data, size_t len)
{
  s->ops->write(s->user, data, len);
}

void at_prompt(struct at_session *s)
{
  at_raw(s, "\r\n> ", 4);
}

/* Writes text framed as V.250 information text or result codes: header S3 S4 in verbose mode,
 * trailer S3 S4 always. */
static void write_framed_len(struct at_session *s, const char *text, size_t tl, int header)
{
  char buf[AT_BODY_MAX + 64];
  size_t n = 0;
  char s34[2] = { (char)s->set.s3, (char)s->set.s4 };
  if (tl > sizeof(buf) - 5) { /* long text (a URC with a payload): three writes, no copy */
    if (header)
      at_raw(s, s34, 2);
    at_raw(s, text, tl);
    at_raw(s, s34, 2);
    return;
  }
  if (header) {
    buf[n++] = s34[0];
    buf[n++] = s34[1];
  }
  memcpy(buf + n, text, tl);
  n += tl;
  buf[n++] = s34[0];
  buf[n++] = s34[1];
  at_raw(s, buf, n);
}

static void write_framed(struct at_session *s, const char *text, int header)
{
  write_framed_len(s, text, strlen(text), header);
}

static void vinfo(struct at_session *s, const char *fmt, va_list ap)
{
  char text[AT_BODY_MAX + 1];
  vsnprintf(text, sizeof(text), fmt, ap);
  write_framed(s, text, s->set.verbose && !s->info_started);
  s->info_started = 1;
}

void at_info_bytes(struct at_call *call, const char *text, size_t len)
{
  struct at_session *s = call->session;
  write_framed_len(s, text, len, s->set.verbose && !s->info_started);
  s->info_started = 1;
}

void at_info(struct at_call *call, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vinfo(call->session, fmt, ap);
  va_end(ap);
}

void at_session_info(struct at_session *s, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vinfo(s, fmt, ap);
  va_end(ap);
}

void at_connect(struct at_session *s)
{
  char num[4];
  if (s->set.quiet)
    return;
  if (s->set.verbose) {
    write_framed(s, "CONNECT", 1);
    return;
  }
  num[0] = '1';
  num[1] = (char)s->set.s3;
  at_raw(s, num, 2);
}

static size_t urc_entry_len(const unsigned char *e)
{
  return (size_t)e[0] << 8 | e[1];
}

static void flush_urcs(struct at_session *s)
{
  size_t at = 0;
  while (at < s->urc_used) {
    size_t len = urc_entry_len(s->urc + at);
    write_framed_len(s, (const char *)s->urc + at + 2, len, s->set.verbose);
    at += 2 + len;
  }
  s->urc_used = 0;
}

void at_urc_len(struct at_session *s, const char *text, size_t len)
{
  if (!s->busy) {
    write_framed_len(s, text, len, s->set.verbose);
    return;
  }
  if (len > AT_URC_BYTES - 2)
    len = AT_URC_BYTES - 2;
  while (s->urc_used + 2 + len > AT_URC_BYTES) { /* keep the newest: drop the oldest */
    size_t first = 2 + urc_entry_len(s->urc);
    memmove(s->urc, s->urc + first, s->urc_used - first);
    s->urc_used -= first;
    s->urc_dropped++;
  }
  s->urc[s->urc_used] = (unsigned char)(len >> 8);
  s->urc[s->urc_used + 1] = (unsigned char)len;
  memcpy(s->urc + s->urc_used + 2, text, len);
  s->urc_used += 2 + len;
}

void at_urc(struct at_session *s, const char *text)
{
  at_urc_len(s, text, strlen(text));
}

/* The final result code of a line, as V/Q/CMEE say; returns the text for events. */
static const char *final_result(struct at_session *s, int result, char *text, size_t size)
{
  const char *verbose_text;
  int numeric;
  int sms = result >= 0 && (result >> ERROR_LIST_SHIFT) == ERR_SMS; /* 27.005: whatever CMEE says */

  if (result == AT_OK) {
    verbose_text = "OK";
    numeric = 0;
  } else if (result >= 0 && (s->set.cmee > 0 || sms)) {
    const struct error_info *e = cme_error_find(result);
    const char *prefix = sms ? "+CMS ERROR" : "+CME ERROR";
    if (s->set.cmee == 2 && e)
      snprintf(text, size, "%s: %s", prefix, e->text);
    else
      snprintf(text, size, "%s: %d", prefix, result & 0xffff);
    if (!s->set.quiet)
      write_framed(s, text, s->set.verbose);
    return text;
  } else {
    verbose_text = "ERROR";
    numeric = 4;
  }
  snprintf(text, size, "%s", verbose_text);
  if (s->set.quiet)
    return text;
  if (s->set.verbose) {
    write_framed(s, verbose_text, 1);
  } else {
    char num[8];
    int n = snprintf(num, sizeof(num), "%d%c", numeric, s->set.s3);
    at_raw(s, num, (size_t)n);
  }
  return text;
}

static void line_ended(struct at_session *s, const char *result)
{
  if (s->ops->on_result)
    s->ops->on_result(s->user, &s->cmd, result);
  s->busy = 0;
  flush_urcs(s);
  if (s->ops->on_ready)
    s->ops->on_ready(s->user);
}

static void end_line(struct at_session *s, int result)
{
  char text[64];
  line_ended(s, final_result(s, result, text, sizeof(text)));
}

void at_session_finish(struct at_session *s, const char *text)
{
  if (!s->busy)
    return;
  if (!s->set.quiet)
    write_framed(s, text, s->set.verbose);
  line_ended(s, text);
  if (s->ops->on_idle)
    s->ops->on_idle(s->user);
}

const struct at_command *at_table_find(const struct at_command *table, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(table[i].name, name) == 0)
      return &table[i];
  return NULL;
}

static at_handler handler_for(const struct at_command *c, enum at_form form)
{
  switch (form) {
  case AT_FORM_TEST: return c->test;
  case AT_FORM_READ: return c->read;
  case AT_FORM_WRITE: return c->write;
  default: return c->exec;
  }
}

/* Runs commands of the executing line until it ends or one goes asynchronous. */
static void run_line(struct at_session *s)
{
  for (;;) {
    enum at_parse_status st = at_parse_next(s->exec, s->exec_len, &s->exec_pos, &s->cmd);
    const struct at_command *c;
    at_handler h;
    struct at_call call;
    int r;

    if (st == AT_PARSE_END) {
      end_line(s, AT_OK);
      return;
    }
    if (st == AT_PARSE_SYNTAX) {
      end_line(s, AT_ERROR);
      return;
    }
    if (s->ops->on_command)
      s->ops->on_command(s->user, &s->cmd);
    if (s->ops->intercept) {
      int forced = s->ops->intercept(s->user, &s->cmd);
      if (forced != AT_PENDING) {
        end_line(s, forced);
        return;
      }
    }
    c = at_table_find(s->table, s->table_len, s->cmd.name);
    h = c ? handler_for(c, s->cmd.form) : NULL;
    if (!h) {
      end_line(s, AT_ERROR);
      return;
    }
    s->info_started = 0;
    call.session = s;
    call.cmd = &s->cmd;
    call.user = s->user;
    r = h(&call);
    if (r == AT_PENDING)
      return;
    if (r != AT_OK) {
      end_line(s, r);
      return;
    }
  }
}

void at_session_complete(struct at_session *s, int result)
{
  if (!s->busy)
    return;
  if (result == AT_OK)
    run_line(s);
  else
    end_line(s, result);
  if (!s->busy && s->ops->on_idle)
    s->ops->on_idle(s->user);
}

static void start_line(struct at_session *s, const char *body, size_t len)
{
  memcpy(s->exec, body, len);
  s->exec[len] = '\0';
  s->exec_len = len;
  s->exec_pos = 0;
  s->busy = 1;
  s->cmd.name[0] = '\0';
  s->cmd.text[0] = '\0';
  at_line_remember(&s->line, body, len);
  if (len == 0 && s->ops->on_command) /* a bare AT is a command line too: hosts probe with it */
    s->ops->on_command(s->user, &s->cmd);
  run_line(s);
}

size_t at_session_input(struct at_session *s, const char *data, size_t len)
{
  size_t i = 0;
  while (i < len && !s->busy) {
    int echo = 0;
    unsigned char c = (unsigned char)data[i++];
    enum at_line_event ev = at_line_feed(&s->line, c, s->set.s3, s->set.s5, &echo);
    if (echo && s->set.echo)
      at_raw(s, (const char *)&c, 1);
    switch (ev) {
    case AT_LINE_READY:
      start_line(s, s->line.body, s->line.len);
      if (s->yielded) { /* what follows is not for the interpreter */
        s->yielded = 0;
        return i;
      }
      break;
    case AT_LINE_REPEAT: {
      char prev[AT_BODY_MAX + 1];
      size_t n = s->line.prev_len;
      memcpy(prev, s->line.prev, n);
      start_line(s, prev, n);
      break;
    }
    case AT_LINE_OVERFLOW:
      s->busy = 1;
      s->cmd.name[0] = '\0';
      snprintf(s->cmd.text, sizeof(s->cmd.text), "(line over %d bytes)", AT_LINE_MAX);
      end_line(s, AT_ERROR);
      break;
    default:
      break;
    }
  }
  return i;
}

void at_session_reset(struct at_session *s)
{
  at_line_init(&s->line);
  s->busy = 0;
  s->urc_used = 0;
}

int at_param_present(const struct at_call *call, int i)
{
  return i < call->cmd->nparams && call->cmd->params[i].present;
}

const char *at_param_str(const struct at_call *call, int i)
{
  return at_param_present(call, i) ? call->cmd->params[i].s : NULL;
}

int at_param_int(const struct at_call *call, int i, long min, long max, long *out)
{
  const struct at_param *p;
  char *end;
  long v;
  if (!at_param_present(call, i))
    return -1;
  p = &call->cmd->params[i];
  if (p->quoted || p->len == 0 || p->len > 10)
    return -1;
  errno = 0;
  v = strtol(p->s, &end, 10);
  if (errno || *end != '\0' || p->s[0] == '-' || p->s[0] == '+' || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}
