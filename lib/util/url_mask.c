/* url_mask: hides passwords of URLs ("scheme://user:PASSWORD@host") and the user name and
 * password of AT+QMTCONN, AT+QFTPCFG="account", AT+QICSGP (and its answer) and AT+CGAUTH in logs, events and the transcript. Streaming: bytes of a URL's authority are held until it is known whether they hold
 * a password, so a password split across reads is still masked. Each password byte becomes '*'. */
#include "url_mask.h"

#include <stdlib.h>
#include <string.h>

void url_mask_init(struct url_mask *m)
{
  memset(m, 0, sizeof(*m));
}

static int ends_authority(char c)
{
  return c == '/' || c == '"' || c == ' ' || c == '\r' || c == '\n' || c == ',' || c == ';' ||
         c == '\0';
}

/* Emits the held authority; mask=1 hides what lies between the first ':' and the end. */
static size_t release(struct url_mask *m, char *out, int mask, size_t mask_end)
{
  size_t n = m->hold_len;
  char *colon = memchr(m->hold, ':', mask_end);
  memcpy(out, m->hold, n);
  if (mask && colon)
    for (size_t i = (size_t)(colon - m->hold) + 1; i < mask_end; i++)
      out[i] = '*';
  m->hold_len = 0;
  m->last_at = 0;
  m->in_authority = 0;
  m->matched = 0;
  return n;
}

/* Commands whose parameters carry credentials: after `commas` commas, every byte but quotes
 * and commas becomes '*', to the end of the line. */
static const struct {
  const char *word;
  int commas;
} creds[URL_MASK_CREDS] = {
  { "QMTCONN=", 2 },             /* AT+QMTCONN=<idx>,"<clientid>","<user>","<password>" */
  { "QFTPCFG=\"ACCOUNT\"", 1 },  /* AT+QFTPCFG="account","<user>","<password>" */
  { "QICSGP=", 3 },              /* AT+QICSGP=<cid>,<type>,"<apn>","<user>","<password>"... */
  { "QICSGP: ", 2 },             /* its answer: +QICSGP: <type>,"<apn>","<user>","<password>" */
  { "CGAUTH=", 2 },              /* AT+CGAUTH=<cid>,<auth>,"<user>","<password>" */
};

static char credential(struct url_mask *m, char c)
{
  if (m->cred_on) {
    if (c == '\r' || c == '\n')
      m->cred_on = 0;
    else if (c == ',')
      m->cred_commas++;
    else if (m->cred_commas >= m->cred_after && c != '"')
      return '*';
    return c;
  }
  for (int k = 0; k < URL_MASK_CREDS; k++) {
    const char *word = creds[k].word;
    if ((c & ~0x20) == word[m->cred_matched[k]] || c == word[m->cred_matched[k]]) {
      if (word[++m->cred_matched[k]] == '\0') {
        m->cred_on = 1;
        m->cred_commas = 0;
        m->cred_after = creds[k].commas;
        memset(m->cred_matched, 0, sizeof(m->cred_matched));
        return c;
      }
    } else {
      m->cred_matched[k] = (c & ~0x20) == 'Q' ? 1 : 0;
    }
  }
  return c;
}

size_t url_mask_feed(struct url_mask *m, const char *in, size_t n, char *out)
{
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char c = in[i];
    if (m->in_authority) {
      m->hold[m->hold_len++] = c;
      if (c == '@') /* the password runs to the last '@': it may hold raw '@'s itself */
        m->last_at = m->hold_len;
      else if (ends_authority(c))
        o += release(m, out + o, m->last_at > 0, m->last_at ? m->last_at - 1 : 0);
      else if (m->hold_len == URL_MASK_HOLD)
        o += release(m, out + o, 1, m->hold_len);
      continue;
    }
    out[o++] = credential(m, c);
    if (c == "://"[m->matched]) {
      if (++m->matched == 3) {
        m->in_authority = 1;
        m->hold_len = 0;
        m->last_at = 0;
      }
    } else {
      m->matched = c == ':' ? 1 : 0;
    }
  }
  return o;
}

size_t url_mask_flush(struct url_mask *m, char *out)
{
  if (!m->in_authority) {
    m->matched = 0;
    return 0;
  }
  return release(m, out, 1, m->hold_len); /* cut short: any of it may be the password */
}

void url_mask_string(char *s, size_t len)
{
  struct url_mask m;
  char *out = malloc(len + URL_MASK_HOLD);
  size_t o;
  if (!out)
    return;
  url_mask_init(&m);
  o = url_mask_feed(&m, s, len, out);
  o += url_mask_flush(&m, out + o);
  if (o == len)
    memcpy(s, out, len);
  free(out);
}
