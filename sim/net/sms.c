/* sms: the SIM's message store and the SMS settings of text mode. */
#include "sms.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const stat_names[SMS_STAT_COUNT] = { "REC UNREAD", "REC READ", "STO UNSENT",
                                                        "STO SENT" };

void sms_boot(struct sms *s)
{
  s->cmgf = 0;
  s->fo = 17;
  s->vp = 167;
  s->pid = 0;
  s->dcs = 0;
  memset(s->cnmi, 0, sizeof(s->cnmi));
  s->cnmi[0] = 2;
  s->cnmi[1] = 1; /* a new message is reported with +CMTI */
  s->csdh = 0;
  if (!s->sca[0]) {
    snprintf(s->sca, sizeof(s->sca), "+8613800210500");
    s->sca_type = 145;
  }
}

int sms_store(struct sms *s, const char *from, const char *text, size_t len, time_t when)
{
  for (int i = 0; i < SMS_SLOTS; i++) {
    struct sms_msg *m = &s->slot[i];
    if (m->used)
      continue;
    memset(m, 0, sizeof(*m));
    m->used = 1;
    m->stat = SMS_REC_UNREAD;
    snprintf(m->addr, sizeof(m->addr), "%s", from);
    m->len = len > SMS_TEXT_MAX ? SMS_TEXT_MAX : len;
    memcpy(m->text, text, m->len);
    m->when = when;
    return i + 1;
  }
  return -1;
}

struct sms_msg *sms_at(struct sms *s, int index)
{
  if (index < 1 || index > SMS_SLOTS || !s->slot[index - 1].used)
    return NULL;
  return &s->slot[index - 1];
}

int sms_used(const struct sms *s)
{
  int n = 0;
  for (int i = 0; i < SMS_SLOTS; i++)
    n += s->slot[i].used;
  return n;
}

const char *sms_stat_name(enum sms_stat st)
{
  return stat_names[st];
}

int sms_stat_of(const char *name)
{
  if (!strcasecmp(name, "ALL"))
    return SMS_STAT_COUNT;
  for (int i = 0; i < SMS_STAT_COUNT; i++)
    if (!strcasecmp(name, stat_names[i]))
      return i;
  return -1;
}

int sms_address_valid(const char *addr)
{
  size_t n = 0;
  if (*addr == '+')
    addr++;
  for (; *addr; addr++, n++)
    if ((*addr < '0' || *addr > '9') && *addr != '*' && *addr != '#')
      return 0;
  return n >= 1 && n <= SMS_ADDR_MAX - 1;
}

void sms_delete_flag(struct sms *s, int flag)
{
  for (int i = 0; i < SMS_SLOTS; i++) {
    struct sms_msg *m = &s->slot[i];
    if (!m->used)
      continue;
    if (flag == 4 || m->stat == SMS_REC_READ || (flag >= 2 && m->stat == SMS_STO_SENT) ||
        (flag >= 3 && m->stat == SMS_STO_UNSENT))
      m->used = 0;
  }
}

void sms_time_text(time_t t, char *out, size_t size)
{
  struct tm tm;
  char text[32];
  gmtime_r(&t, &tm);
  strftime(text, sizeof(text), "%y/%m/%d,%H:%M:%S", &tm);
  snprintf(out, size, "%s+00", text);
}
