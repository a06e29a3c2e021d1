/* cmd_network: SIM and network queries: +CPIN, +CSQ, +CREG/+CGREG/+CEREG, +COPS, +CGATT,
 * +QNWINFO, +WS46, +CGEREP, +CIND, answered from the module's network model. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

int cmd_cpin_read(struct at_call *c)
{
  at_info(c, "+CPIN: READY");
  return AT_OK;
}

int cmd_cpin_write(struct at_call *c)
{
  return CME_NOT_ALLOWED; /* the SIM asks for no PIN */
}


int cmd_csq(struct at_call *c)
{
  struct module *m = call_module(c);
  if (module_online(m))
    at_info(c, "+CSQ: %d,%d", module_network(m)->rssi, module_network(m)->ber);
  else
    at_info(c, "+CSQ: 99,99");
  return AT_OK;
}

int cmd_csq_test(struct at_call *c)
{
  at_info(c, "+CSQ: (0-31,99),(0-7,99)");
  return AT_OK;
}

/* +CREG, +CGREG and +CEREG share handlers: the command name picks the port's mode field. */
static int *reg_mode(struct at_call *c)
{
  struct module_port *p = call_port(c);
  if (strcmp(c->cmd->name, "+CREG") == 0)
    return &p->creg_n;
  if (strcmp(c->cmd->name, "+CGREG") == 0)
    return &p->cgreg_n;
  return &p->cereg_n;
}

/* +CEREG takes the PSM modes 3-5 of 27.007 too (3 and 5: no reject cause to give here). */
static long reg_max(const struct at_call *c)
{
  return strcmp(c->cmd->name, "+CEREG") == 0 ? 5 : 2;
}

int cmd_creg_read(struct at_call *c)
{
  struct module *m = call_module(c);
  struct nv *nv = module_nv(m);
  int mode = *reg_mode(c);
  char text[128];
  network_reg_text(module_network(m), mode, nv->psm_active, nv->psm_mode ? nv->psm_tau : NULL,
                   text, sizeof(text));
  at_info(c, "%s: %d,%s", c->cmd->name, mode, text);
  return AT_OK;
}

int cmd_creg_write(struct at_call *c)
{
  long v;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 0, reg_max(c), &v) != 0)
    return CME_INCORRECT_PARAMETERS;
  *reg_mode(c) = (int)v;
  return AT_OK;
}

int cmd_reg_test(struct at_call *c)
{
  at_info(c, "%s: (0-%ld)", c->cmd->name, reg_max(c));
  return AT_OK;
}

int cmd_cops_read(struct at_call *c)
{
  struct module *m = call_module(c);
  struct network *n = module_network(m);
  int fmt = call_port(c)->cops_format;
  if (!module_online(m)) {
    at_info(c, "+COPS: 0");
    return AT_OK;
  }
  at_info(c, "+COPS: 0,%d,\"%s\",%d", fmt,
          fmt == 0 ? n->oper_long : fmt == 1 ? n->oper_short : n->mccmnc, n->rat);
  return AT_OK;
}

int cmd_cops_write(struct at_call *c)
{
  long mode, fmt;
  if (at_param_int(c, 0, 0, 4, &mode) != 0)
    return CME_INCORRECT_PARAMETERS;
  if (at_param_present(c, 1)) {
    if (at_param_int(c, 1, 0, 2, &fmt) != 0)
      return CME_INCORRECT_PARAMETERS;
    call_port(c)->cops_format = (int)fmt;
  }
  if (mode == 0 || mode == 3)
    return AT_OK;
  return CME_NOT_ALLOWED; /* manual selection and deregistration are not emulated */
}

int cmd_cops_test(struct at_call *c)
{
  struct network *n = module_network(call_module(c));
  at_info(c, "+COPS: (2,\"%s\",\"%s\",\"%s\",%d),,(0-4),(0-2)", n->oper_long, n->oper_short,
          n->mccmnc, n->rat);
  return AT_OK;
}

int cmd_cgatt_read(struct at_call *c)
{
  at_info(c, "+CGATT: %d", module_network(call_module(c))->attached);
  return AT_OK;
}

int cmd_cgatt_write(struct at_call *c)
{
  struct network *n = module_network(call_module(c));
  long v;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 0, 1, &v) != 0)
    return CME_INCORRECT_PARAMETERS;
  if (v == 1 && !module_online(call_module(c)))
    return CME_NO_NETWORK;
  n->attached = (int)v;
  if (!v)
    for (int cid = 1; cid <= PDP_CID_MAX; cid++)
      n->active[cid] = 0;
  return AT_OK;
}

int cmd_cgatt_test(struct at_call *c)
{
  at_info(c, "+CGATT: (0,1)");
  return AT_OK;
}

int cmd_qnwinfo(struct at_call *c)
{
  struct module *m = call_module(c);
  struct network *n = module_network(m);
  if (!module_online(m))
    at_info(c, "+QNWINFO: No Service");
  else if (n->rat == RAT_LTE)
    at_info(c, "+QNWINFO: \"FDD LTE\",\"%s\",\"LTE BAND %d\",%d", n->mccmnc, n->band, n->earfcn);
  else
    at_info(c, "+QNWINFO: \"GSM\",\"%s\",\"GSM 900\",%d", n->mccmnc, n->earfcn);
  return AT_OK;
}

/* +WS46: 12 GSM, 22 UTRAN, 25 3GPP, 28 E-UTRAN, 29 GERAN+UTRAN, 30 GERAN+E-UTRAN, 31 all. */
int cmd_ws46_read(struct at_call *c)
{
  at_info(c, "+WS46: 30");
  return AT_OK;
}

int cmd_ws46_write(struct at_call *c)
{
  long v;
  if (at_param_int(c, 0, 12, 31, &v) != 0 || (v != 12 && v != 28 && v != 30))
    return CME_INCORRECT_PARAMETERS;
  return AT_OK;
}

int cmd_ws46_test(struct at_call *c)
{
  at_info(c, "+WS46: (12,28,30)");
  return AT_OK;
}

int cmd_cgerep_read(struct at_call *c)
{
  at_info(c, "+CGEREP: %d,%d", call_port(c)->cgerep_mode, call_port(c)->cgerep_bfr);
  return AT_OK;
}

int cmd_cgerep_write(struct at_call *c)
{
  long mode, bfr = 0;
  if (at_param_int(c, 0, 0, 2, &mode) != 0)
    return CME_INCORRECT_PARAMETERS;
  if (at_param_present(c, 1) && at_param_int(c, 1, 0, 1, &bfr) != 0)
    return CME_INCORRECT_PARAMETERS;
  call_port(c)->cgerep_mode = (int)mode;
  call_port(c)->cgerep_bfr = (int)bfr;
  return AT_OK;
}

int cmd_cgerep_test(struct at_call *c)
{
  at_info(c, "+CGEREP: (0-2),(0,1)");
  return AT_OK;
}

int cmd_cind_read(struct at_call *c)
{
  struct module *m = call_module(c);
  int up = module_online(m);
  int signal = up ? (module_network(m)->rssi >= 31 ? 5 : module_network(m)->rssi / 6) : 0;
  at_info(c, "+CIND: 5,%d,%d,0,0,%d,0", signal, up, module_network(m)->stat == REG_ROAMING);
  return AT_OK;
}

int cmd_cind_test(struct at_call *c)
{
  at_info(c, "+CIND: (\"battchg\",(0-5)),(\"signal\",(0-5)),(\"service\",(0,1)),"
             "(\"message\",(0,1)),(\"call\",(0,1)),(\"roam\",(0,1)),(\"smsfull\",(0,1))");
  return AT_OK;
}
