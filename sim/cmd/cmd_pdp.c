/* cmd_pdp: PDP contexts: +QICSGP and +CGDCONT define them (one shared table in NV), +QIACT,
 * +QIDEACT and +CGACT bring them up and down on the network model, taking virtual time;
 * +CGPADDR gives their addresses. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

static const char *const pdp_type_names[] = { "", "IP", "IPV6", "IPV4V6" };

static int printable(const char *s, size_t max)
{
  size_t n = strlen(s);
  if (n > max)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] > 0x7e)
      return 0;
  return 1;
}

static void copy_str(char *dst, size_t size, const char *src)
{
  snprintf(dst, size, "%s", src ? src : "");
}

/* AT+QICSGP=<cid> reads; AT+QICSGP=<cid>,<type>,<APN>,<user>,<password>[,<auth>] writes. */
int cmd_qicsgp_write(struct at_call *c)
{
  struct module *m = call_module(c);
  struct pdp_context *pc, nc;
  long cid, type, auth = 0;

  if (at_param_int(c, 0, 1, PDP_CID_MAX, &cid) != 0)
    return CME_INCORRECT_PARAMETERS;
  pc = &module_nv(m)->ctx[cid];
  if (c->cmd->nparams == 1) {
    at_info(c, "+QICSGP: %d,\"%s\",\"%s\",\"%s\",%d", pc->defined ? pc->type : 1, pc->apn,
            pc->user, pc->password, pc->auth);
    return AT_OK;
  }
  if (at_param_int(c, 1, 1, 3, &type) != 0 || c->cmd->nparams > 6)
    return CME_INCORRECT_PARAMETERS;
  if (at_param_present(c, 5) && at_param_int(c, 5, 0, 3, &auth) != 0)
    return CME_INCORRECT_PARAMETERS;
  for (int i = 2; i <= 4; i++) {
    const char *s = at_param_str(c, i);
    if (s && (!c->cmd->params[i].quoted || !printable(s, i == 2 ? 100 : 127)))
      return CME_INCORRECT_PARAMETERS;
  }
  memset(&nc, 0, sizeof(nc));
  nc.defined = 1;
  nc.type = (int)type;
  nc.auth = (int)auth;
  copy_str(nc.apn, sizeof(nc.apn), at_param_str(c, 2));
  copy_str(nc.user, sizeof(nc.user), at_param_str(c, 3));
  copy_str(nc.password, sizeof(nc.password), at_param_str(c, 4));
  *pc = nc;
  return module_save_nv(m) == 0 ? AT_OK : CME_MEMORY_FULL;
}

/* AT+CGAUTH=<cid>[,<auth_prot>[,"<userid>"[,"<password>"]]] (27.007 10.1.31): the context's
 * credentials, shared with AT+QICSGP; <auth_prot> 0 none, 1 PAP, 2 CHAP (3 either). */
int cmd_cgauth_write(struct at_call *c)
{
  struct module *m = call_module(c);
  struct pdp_context *pc;
  long cid, auth = 0;
  if (c->cmd->nparams > 4 || at_param_int(c, 0, 1, PDP_CID_MAX, &cid) != 0 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 0, 3, &auth) != 0))
    return CME_INCORRECT_PARAMETERS;
  for (int i = 2; i <= 3; i++) {
    const char *s = at_param_str(c, i);
    if (s && (!c->cmd->params[i].quoted || !printable(s, 127)))
      return CME_INCORRECT_PARAMETERS;
  }
  pc = &module_nv(m)->ctx[cid];
  if (!pc->defined)
    return CME_INCORRECT_PARAMETERS;
  pc->auth = (int)auth;
  copy_str(pc->user, sizeof(pc->user), auth ? at_param_str(c, 2) : NULL);
  copy_str(pc->password, sizeof(pc->password), auth ? at_param_str(c, 3) : NULL);
  return module_save_nv(m) == 0 ? AT_OK : CME_MEMORY_FULL;
}

/* +CGAUTH: <cid>,<auth_prot>,"<userid>" for each defined context (the password is not shown). */
int cmd_cgauth_read(struct at_call *c)
{
  struct nv *nv = module_nv(call_module(c));
  for (int cid = 1; cid <= PDP_CID_MAX; cid++)
    if (nv->ctx[cid].defined)
      at_info(c, "+CGAUTH: %d,%d,\"%s\"", cid, nv->ctx[cid].auth, nv->ctx[cid].user);
  return AT_OK;
}

int cmd_cgauth_test(struct at_call *c)
{
  at_info(c, "+CGAUTH: (1-%d),(0-3),(127),(127)", PDP_CID_MAX);
  return AT_OK;
}

int cmd_qicsgp_test(struct at_call *c)
{
  at_info(c, "+QICSGP: (1-%d),(1-3),<APN>,<username>,<password>,(0-3)", PDP_CID_MAX);
  return AT_OK;
}

int cmd_qiact_read(struct at_call *c)
{
  struct module *m = call_module(c);
  for (int cid = 1; cid <= PDP_CID_MAX; cid++)
    if (module_network(m)->active[cid])
      at_info(c, "+QIACT: %d,1,%d,\"%s\"", cid, module_nv(m)->ctx[cid].type, module_network(m)->ip[cid]);
  return AT_OK;
}

static void activated(struct vtimer *t)
{
  struct module_port *p = t->data;
  struct module *m = p->m;
  int cid = p->cmd_arg;
  if (!module_online(m) ||
      !network_apn_accepted(module_network(m), module_nv(m)->ctx[cid].apn)) { /* the network rejects it */
    at_session_complete(&p->at, AT_ERROR);
    return;
  }
  network_activate(module_network(m), cid, module_identity(m)->imei);
  at_session_complete(&p->at, AT_OK);
}

/* Brings a context up, taking virtual time: AT+QIACT=<cid>, AT+CGACT=1,<cid>. */
static int activate(struct at_call *c, long cid)
{
  struct module *m = call_module(c);
  struct module_port *p = call_port(c);
  if (module_network(m)->active[cid])
    return AT_OK;
  if (!module_nv(m)->ctx[cid].defined || !module_online(m))
    return AT_ERROR;
  p->cmd_arg = (int)cid;
  vtimer_start(&p->cmd_timer, PDP_ACTIVATE_MS, activated);
  return AT_PENDING;
}

int cmd_qiact_write(struct at_call *c)
{
  long cid;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 1, PDP_CID_MAX, &cid) != 0)
    return CME_INCORRECT_PARAMETERS;
  return activate(c, cid);
}

int cmd_qiact_test(struct at_call *c)
{
  at_info(c, "+QIACT: (1-%d)", PDP_CID_MAX);
  return AT_OK;
}

static void deactivated(struct vtimer *t)
{
  struct module_port *p = t->data;
  module_context_closed(p->m, p->cmd_arg);
  at_session_complete(&p->at, AT_OK);
}

/* Takes a context down, its sockets with it: AT+QIDEACT=<cid>, AT+CGACT=0,<cid>. */
static int deactivate(struct at_call *c, long cid)
{
  struct module_port *p = call_port(c);
  if (!module_network(call_module(c))->active[cid])
    return AT_OK;
  p->cmd_arg = (int)cid;
  vtimer_start(&p->cmd_timer, PDP_DEACTIVATE_MS, deactivated);
  return AT_PENDING;
}

int cmd_qideact_write(struct at_call *c)
{
  long cid;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 1, PDP_CID_MAX, &cid) != 0)
    return CME_INCORRECT_PARAMETERS;
  return deactivate(c, cid);
}

/* +CGACT: <cid>,<state> for each defined context. */
int cmd_cgact_read(struct at_call *c)
{
  struct module *m = call_module(c);
  for (int cid = 1; cid <= PDP_CID_MAX; cid++)
    if (module_nv(m)->ctx[cid].defined)
      at_info(c, "+CGACT: %d,%d", cid, module_network(m)->active[cid]);
  return AT_OK;
}

/* AT+CGACT=<state>,<cid>: the one context (the module takes one at a time). */
int cmd_cgact_write(struct at_call *c)
{
  long state, cid;
  if (c->cmd->nparams != 2 || at_param_int(c, 0, 0, 1, &state) != 0 ||
      at_param_int(c, 1, 1, PDP_CID_MAX, &cid) != 0)
    return CME_INCORRECT_PARAMETERS;
  return state ? activate(c, cid) : deactivate(c, cid);
}

int cmd_cgact_test(struct at_call *c)
{
  at_info(c, "+CGACT: (0,1)");
  return AT_OK;
}

static void paddr_line(struct at_call *c, int cid)
{
  struct network *n = module_network(call_module(c));
  if (n->active[cid])
    at_info(c, "+CGPADDR: %d,\"%s\"", cid, n->ip[cid]);
  else
    at_info(c, "+CGPADDR: %d", cid);
}

/* AT+CGPADDR[=<cid>]: each defined context's address (none while it is down). */
int cmd_cgpaddr_exec(struct at_call *c)
{
  struct module *m = call_module(c);
  for (int cid = 1; cid <= PDP_CID_MAX; cid++)
    if (module_nv(m)->ctx[cid].defined)
      paddr_line(c, cid);
  return AT_OK;
}

int cmd_cgpaddr_write(struct at_call *c)
{
  long cid;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 1, PDP_CID_MAX, &cid) != 0)
    return CME_INCORRECT_PARAMETERS;
  if (!module_nv(call_module(c))->ctx[cid].defined)
    return CME_INCORRECT_PARAMETERS;
  paddr_line(c, (int)cid);
  return AT_OK;
}

int cmd_cgpaddr_test(struct at_call *c)
{
  struct module *m = call_module(c);
  char list[64] = "";
  size_t n = 0;
  for (int cid = 1; cid <= PDP_CID_MAX; cid++)
    if (module_nv(m)->ctx[cid].defined)
      n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%d", n ? "," : "", cid);
  at_info(c, "+CGPADDR: (%s)", list);
  return AT_OK;
}

int cmd_qideact_test(struct at_call *c)
{
  at_info(c, "+QIDEACT: (1-%d)", PDP_CID_MAX);
  return AT_OK;
}

int cmd_cgdcont_read(struct at_call *c)
{
  struct module *m = call_module(c);
  for (int cid = 1; cid <= PDP_CID_MAX; cid++) {
    const struct pdp_context *pc = &module_nv(m)->ctx[cid];
    if (pc->defined)
      at_info(c, "+CGDCONT: %d,\"%s\",\"%s\",\"%s\",0,0", cid, pdp_type_names[pc->type], pc->apn,
              module_network(m)->active[cid] ? module_network(m)->ip[cid] : "0.0.0.0");
  }
  return AT_OK;
}

/* AT+CGDCONT=<cid>[,<PDP_type>[,<APN>]]; <cid> alone undefines the context. */
int cmd_cgdcont_write(struct at_call *c)
{
  struct module *m = call_module(c);
  struct pdp_context *pc;
  long cid;
  int type = 0;
  const char *t, *apn;

  if (at_param_int(c, 0, 1, PDP_CID_MAX, &cid) != 0)
    return CME_INCORRECT_PARAMETERS;
  pc = &module_nv(m)->ctx[cid];
  if (c->cmd->nparams == 1) {
    if (module_network(m)->active[cid])
      return CME_NOT_ALLOWED;
    memset(pc, 0, sizeof(*pc));
    return module_save_nv(m) == 0 ? AT_OK : CME_MEMORY_FULL;
  }
  t = at_param_str(c, 1);
  for (int i = 1; t && i <= 3; i++)
    if (strcasecmp(t, pdp_type_names[i]) == 0)
      type = i;
  apn = at_param_str(c, 2);
  if (!type || (apn && !printable(apn, 100)))
    return CME_INCORRECT_PARAMETERS;
  if (!pc->defined)
    memset(pc, 0, sizeof(*pc));
  pc->defined = 1;
  pc->type = type;
  copy_str(pc->apn, sizeof(pc->apn), apn);
  return module_save_nv(m) == 0 ? AT_OK : CME_MEMORY_FULL;
}

int cmd_cgdcont_test(struct at_call *c)
{
  for (int i = 1; i <= 3; i++)
    at_info(c, "+CGDCONT: (1-%d),\"%s\",,,(0-2),(0-4)", PDP_CID_MAX, pdp_type_names[i]);
  return AT_OK;
}
