/* cmd_sms: the SMS commands of text mode (3GPP TS 27.005 as the EC200U has them): AT+CMGF,
 * AT+CSCA, AT+CSMP, AT+CNMI, AT+CPMS, AT+CSDH, AT+CMGS ("> ", the text, Ctrl-Z or Esc,
 * +CMGS: <mr>), AT+CMGR, AT+CMGL, AT+CMGD, on the module's store (sim/net/sms). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "errors.h"
#include "module_port.h"
#include "sms.h"

#define CTRL_Z 0x1a
#define ESC 0x1b

static int cms(int code)
{
  return error_in_list(ERR_SMS, code);
}

/* Message commands need text mode. */
static struct sms *text_mode(struct at_call *c)
{
  struct sms *s = module_sms(call_module(c));
  return s->cmgf == 1 ? s : NULL;
}

int cmd_cmgf_write(struct at_call *c)
{
  long v;
  if (at_param_int(c, 0, 0, 1, &v) != 0)
    return cms(SMS_INVALID_TEXT_PARAM);
  module_sms(call_module(c))->cmgf = (int)v;
  return AT_OK;
}

int cmd_cmgf_read(struct at_call *c)
{
  at_info(c, "+CMGF: %d", module_sms(call_module(c))->cmgf);
  return AT_OK;
}

int cmd_cmgf_test(struct at_call *c)
{
  at_info(c, "+CMGF: (0,1)");
  return AT_OK;
}

/* AT+CSCA="<sca>"[,<tosca>] */
int cmd_csca_write(struct at_call *c)
{
  struct sms *s = module_sms(call_module(c));
  const char *sca = at_param_str(c, 0);
  long type = 0;
  if (!sca || (sca[0] && !sms_address_valid(sca)) ||
      (at_param_present(c, 1) && at_param_int(c, 1, 129, 161, &type) != 0))
    return cms(SMS_INVALID_TEXT_PARAM);
  snprintf(s->sca, sizeof(s->sca), "%s", sca);
  s->sca_type = type ? (int)type : sca[0] == '+' ? 145 : 129;
  return AT_OK;
}

int cmd_csca_read(struct at_call *c)
{
  struct sms *s = module_sms(call_module(c));
  at_info(c, "+CSCA: \"%s\",%d", s->sca, s->sca_type);
  return AT_OK;
}

/* AT+CSMP=<fo>,<vp>,<pid>,<dcs> */
int cmd_csmp_write(struct at_call *c)
{
  struct sms *s = module_sms(call_module(c));
  long v[4] = { s->fo, s->vp, s->pid, s->dcs };
  if (c->cmd->nparams > 4)
    return cms(SMS_INVALID_TEXT_PARAM);
  for (int i = 0; i < 4; i++)
    if (at_param_present(c, i) && at_param_int(c, i, 0, 255, &v[i]) != 0)
      return cms(SMS_INVALID_TEXT_PARAM);
  s->fo = (int)v[0];
  s->vp = (int)v[1];
  s->pid = (int)v[2];
  s->dcs = (int)v[3];
  return AT_OK;
}

int cmd_csmp_read(struct at_call *c)
{
  struct sms *s = module_sms(call_module(c));
  at_info(c, "+CSMP: %d,%d,%d,%d", s->fo, s->vp, s->pid, s->dcs);
  return AT_OK;
}

/* AT+CNMI=<mode>[,<mt>[,<bm>[,<ds>[,<bfr>]]]]: <mt> 0 none, 1 +CMTI, 2 +CMT (not stored). */
int cmd_cnmi_write(struct at_call *c)
{
  struct sms *s = module_sms(call_module(c));
  static const long max[5] = { 3, 3, 3, 2, 1 };
  long v[5];
  if (c->cmd->nparams > 5)
    return cms(SMS_INVALID_TEXT_PARAM);
  for (int i = 0; i < 5; i++) {
    v[i] = s->cnmi[i];
    if (at_param_present(c, i) && at_param_int(c, i, 0, max[i], &v[i]) != 0)
      return cms(SMS_INVALID_TEXT_PARAM);
  }
  for (int i = 0; i < 5; i++)
    s->cnmi[i] = (int)v[i];
  return AT_OK;
}

int cmd_cnmi_read(struct at_call *c)
{
  int *n = module_sms(call_module(c))->cnmi;
  at_info(c, "+CNMI: %d,%d,%d,%d,%d", n[0], n[1], n[2], n[3], n[4]);
  return AT_OK;
}

int cmd_cnmi_test(struct at_call *c)
{
  at_info(c, "+CNMI: (0-3),(0-3),(0-3),(0-2),(0,1)");
  return AT_OK;
}

/* AT+CPMS="<mem1>"[,"<mem2>"[,"<mem3>"]]: the SIM ("SM"; "ME" and "MT" name the same store). */
int cmd_cpms_write(struct at_call *c)
{
  struct sms *s = module_sms(call_module(c));
  int n = sms_used(s);
  if (c->cmd->nparams < 1 || c->cmd->nparams > 3)
    return cms(SMS_INVALID_TEXT_PARAM);
  for (int i = 0; i < c->cmd->nparams; i++) {
    const char *mem = at_param_str(c, i);
    if (!mem || (strcmp(mem, "SM") && strcmp(mem, "ME") && strcmp(mem, "MT")))
      return cms(SMS_INVALID_TEXT_PARAM);
  }
  at_info(c, "+CPMS: %d,%d,%d,%d,%d,%d", n, SMS_SLOTS, n, SMS_SLOTS, n, SMS_SLOTS);
  return AT_OK;
}

int cmd_cpms_read(struct at_call *c)
{
  int n = sms_used(module_sms(call_module(c)));
  at_info(c, "+CPMS: \"SM\",%d,%d,\"SM\",%d,%d,\"SM\",%d,%d", n, SMS_SLOTS, n, SMS_SLOTS, n,
          SMS_SLOTS);
  return AT_OK;
}

int cmd_cpms_test(struct at_call *c)
{
  at_info(c, "+CPMS: (\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\",\"MT\")");
  return AT_OK;
}

int cmd_csdh_write(struct at_call *c)
{
  long v;
  if (at_param_int(c, 0, 0, 1, &v) != 0)
    return cms(SMS_INVALID_TEXT_PARAM);
  module_sms(call_module(c))->csdh = (int)v;
  return AT_OK;
}

int cmd_csdh_read(struct at_call *c)
{
  at_info(c, "+CSDH: %d", module_sms(call_module(c))->csdh);
  return AT_OK;
}

/* ---- reading and deleting ---- */

/* AT+CMGR=<index>: +CMGR: <stat>,<oa>,,<scts>, the text; a received message becomes read. */
int cmd_cmgr_write(struct at_call *c)
{
  struct sms *s = text_mode(c);
  struct sms_msg *m;
  char when[32];
  long index;
  if (!s)
    return cms(SMS_NOT_SUPPORTED);
  if (at_param_int(c, 0, 0, 1000, &index) != 0)
    return cms(SMS_INVALID_TEXT_PARAM);
  if (!(m = sms_at(s, (int)index)))
    return cms(SMS_INVALID_INDEX);
  sms_time_text(m->when, when, sizeof(when));
  at_info(c, "+CMGR: \"%s\",\"%s\",,\"%s\"\r\n%.*s", sms_stat_name(m->stat), m->addr, when,
          (int)m->len, m->text);
  if (m->stat == SMS_REC_UNREAD)
    m->stat = SMS_REC_READ;
  return AT_OK;
}

/* AT+CMGL[=<stat>]: +CMGL: <index>,<stat>,<oa>,,<scts> and the text, for each message. */
static int list(struct at_call *c)
{
  struct sms *s = text_mode(c);
  const char *name = at_param_present(c, 0) ? at_param_str(c, 0) : "REC UNREAD";
  int want;
  if (!s)
    return cms(SMS_NOT_SUPPORTED);
  if (!name || (want = sms_stat_of(name)) < 0)
    return cms(SMS_INVALID_TEXT_PARAM);
  for (int i = 1; i <= SMS_SLOTS; i++) {
    struct sms_msg *m = sms_at(s, i);
    char when[32];
    if (!m || (want != SMS_STAT_COUNT && (int)m->stat != want))
      continue;
    sms_time_text(m->when, when, sizeof(when));
    at_info(c, "+CMGL: %d,\"%s\",\"%s\",,\"%s\"\r\n%.*s", i, sms_stat_name(m->stat), m->addr,
            when, (int)m->len, m->text);
    if (m->stat == SMS_REC_UNREAD)
      m->stat = SMS_REC_READ;
  }
  return AT_OK;
}

int cmd_cmgl_write(struct at_call *c)
{
  return list(c);
}

int cmd_cmgl_exec(struct at_call *c)
{
  return list(c);
}

int cmd_cmgl_test(struct at_call *c)
{
  at_info(c, "+CMGL: (\"REC UNREAD\",\"REC READ\",\"STO UNSENT\",\"STO SENT\",\"ALL\")");
  return AT_OK;
}

/* AT+CMGD=<index>[,<delflag>] */
int cmd_cmgd_write(struct at_call *c)
{
  struct sms *s = module_sms(call_module(c));
  long index, flag = 0;
  struct sms_msg *m;
  if (at_param_int(c, 0, 0, 1000, &index) != 0 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 0, 4, &flag) != 0))
    return cms(SMS_INVALID_TEXT_PARAM);
  if (flag) {
    sms_delete_flag(s, (int)flag);
    return AT_OK;
  }
  if (!(m = sms_at(s, (int)index)))
    return cms(SMS_INVALID_INDEX);
  m->used = 0;
  return AT_OK;
}

int cmd_cmgd_test(struct at_call *c)
{
  at_info(c, "+CMGD: (1-%d),(0-4)", SMS_SLOTS);
  return AT_OK;
}

/* ---- AT+CMGS: "> ", the text, Ctrl-Z sends, Esc cancels ---- */

struct compose {
  struct module_port *port;
  char to[SMS_ADDR_MAX + 1];
  size_t len;
  char text[SMS_TEXT_MAX + 1];
  int over;                  /* more than a message holds came */
};

static void compose_end(struct module_port *p)
{
  struct compose *x = p->xfer;
  if (!x)
    return;
  p->xfer = NULL;
  p->xfer_abort = NULL;
  port_release(&p->port, x);
  free(x);
}

static size_t compose_bytes(void *ctx, const char *data, size_t len)
{
  struct compose *x = ctx;
  struct module_port *p = x->port;
  for (size_t i = 0; i < len; i++) {
    if (data[i] == CTRL_Z) {
      int mr, rc = x->over ? cms(SMS_INVALID_TEXT_PARAM)
                           : module_sms_send(p->m, x->to, x->text, x->len, &mr);
      compose_end(p);
      if (!rc) {
        char line[32];
        snprintf(line, sizeof(line), "+CMGS: %d", mr);
        at_session_info(&p->at, "%s", line);
      }
      at_session_complete(&p->at, rc ? rc : AT_OK);
      return i + 1;
    }
    if (data[i] == ESC) { /* cancelled: nothing goes */
      compose_end(p);
      at_session_complete(&p->at, AT_OK);
      return i + 1;
    }
    if (x->len < SMS_TEXT_MAX) {
      x->text[x->len++] = data[i];
      x->text[x->len] = '\0';
    } else {
      x->over = 1;
    }
  }
  return len;
}

/* AT+CMGS="<da>"[,<toda>] */
int cmd_cmgs_write(struct at_call *c)
{
  struct module_port *p = call_port(c);
  const char *to = at_param_str(c, 0);
  long type = 0;
  struct compose *x;
  if (!text_mode(c))
    return cms(SMS_NOT_SUPPORTED);
  if (!to || !sms_address_valid(to) || c->cmd->nparams > 2 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 129, 161, &type) != 0))
    return cms(SMS_INVALID_TEXT_PARAM);
  if (p->xfer || !(x = calloc(1, sizeof(*x))))
    return cms(SMS_ME_FAILURE);
  x->port = p;
  snprintf(x->to, sizeof(x->to), "%s", to);
  p->xfer = x;
  p->xfer_abort = compose_end;
  at_prompt(&p->at);
  port_attach(&p->port, compose_bytes, x);
  return AT_PENDING;
}

int cmd_cmgs_test(struct at_call *c)
{
  (void)c;
  return AT_OK;
}
