/* cmd_device: what host stacks ask and set while they bring a module up: battery (+CBC),
 * clock (+CCLK, +QLTS, +CTZU, +QNTP), activity (+CPAS), the serving cell (+QENG), the URC port
 * (+QURCCFG), sleep (+QSCLK), the SIM slot (+QDSIM), power saving (+CPSMS, +CEDRXS) and the ICCID
 * (+CCID, +ICCID). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "commands.h"
#include "module_port.h"
#include "net.h"

#define BATTERY_MV 3800  /* a module on a steady supply */

int cmd_cbc_exec(struct at_call *c)
{
  at_info(c, "+CBC: 0,100,%d", BATTERY_MV);
  return AT_OK;
}

int cmd_cclk_read(struct at_call *c)
{
  time_t t = module_clock_time(call_module(c));
  struct tm tm;
  char text[32];
  gmtime_r(&t, &tm);
  strftime(text, sizeof(text), "%y/%m/%d,%H:%M:%S", &tm);
  at_info(c, "+CCLK: \"%s+00\"", text);
  return AT_OK;
}

/* AT+CCLK="yy/MM/dd,hh:mm:ss±zz": the time zone is quarters of an hour from UTC. */
int cmd_cclk_write(struct at_call *c)
{
  const char *v = at_param_str(c, 0);
  struct tm tm;
  int yy, mo, dd, hh, mi, ss, tz;
  char sign, end;
  if (!v || c->cmd->nparams != 1 ||
      sscanf(v, "%2d/%2d/%2d,%2d:%2d:%2d%c%2d%c", &yy, &mo, &dd, &hh, &mi, &ss, &sign, &tz,
             &end) != 8 ||
      (sign != '+' && sign != '-') || mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 ||
      mi > 59 || ss > 59 || yy < 0 || tz > 96 || tz < 0)
    return CME_INCORRECT_PARAMETERS;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = 100 + yy;
  tm.tm_mon = mo - 1;
  tm.tm_mday = dd;
  tm.tm_hour = hh;
  tm.tm_min = mi;
  tm.tm_sec = ss;
  module_nv(call_module(c))->clock_offset =
      (long)(timegm(&tm) - (sign == '+' ? 1 : -1) * tz * 900 - time(NULL));
  return module_save_nv(call_module(c)) == 0 ? AT_OK : CME_MEMORY_FULL;
}

/* AT+CTZU=<0/1>: the clock follows the network's time zone reports (kept in NV). */
int cmd_ctzu_write(struct at_call *c)
{
  long v;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 0, 1, &v) != 0)
    return CME_INCORRECT_PARAMETERS;
  module_nv(call_module(c))->ctzu = (int)v;
  return module_save_nv(call_module(c)) == 0 ? AT_OK : CME_MEMORY_FULL;
}

int cmd_ctzu_read(struct at_call *c)
{
  at_info(c, "+CTZU: %d", module_nv(call_module(c))->ctzu);
  return AT_OK;
}

int cmd_ctzu_test(struct at_call *c)
{
  at_info(c, "+CTZU: (0,1)");
  return AT_OK;
}

/* AT+QNTP=<contextID>,"<server>"[,<port>[,<autosettime>]]: OK, then +QNTP: <err>[,"<time>"]. */
int cmd_qntp_write(struct at_call *c)
{
  const char *server = at_param_str(c, 1);
  long cid, port = 123, autoset = 1;
  int rc;
  if (!server || !server[0] || c->cmd->nparams > 4 ||
      at_param_int(c, 0, 1, PDP_CID_MAX, &cid) != 0 ||
      (at_param_present(c, 2) && at_param_int(c, 2, 1, 65535, &port) != 0) ||
      (at_param_present(c, 3) && at_param_int(c, 3, 0, 1, &autoset) != 0))
    return error_in_list(ERR_TCPIP, TCPIP_INVALID_PARAM);
  rc = net_ntp(module_tcpip(call_module(c)), call_port(c)->id, (int)cid, server, (int)port,
               (int)autoset);
  return rc ? error_in_list(ERR_TCPIP, rc) : AT_OK;
}

int cmd_qntp_test(struct at_call *c)
{
  at_info(c, "+QNTP: (1-%d),\"<host>\",(1-65535),(0,1)", PDP_CID_MAX);
  return AT_OK;
}

int cmd_cclk_test(struct at_call *c)
{
  (void)c;
  return AT_OK;
}

/* AT+QLTS[=<mode>]: the time the network gave, once registered (as +CTZV would). */
int cmd_qlts_exec(struct at_call *c)
{
  struct module *m = call_module(c);
  time_t t = module_clock_time(m);
  struct tm tm;
  char text[32];
  long mode = 0;
  if (c->cmd->form == AT_FORM_WRITE && (c->cmd->nparams != 1 || at_param_int(c, 0, 0, 2, &mode)))
    return CME_INCORRECT_PARAMETERS;
  if (!module_online(m)) {
    at_info(c, "+QLTS: \"\"");
    return AT_OK;
  }
  gmtime_r(&t, &tm);
  strftime(text, sizeof(text), "%Y/%m/%d,%H:%M:%S", &tm);
  at_info(c, "+QLTS: \"%s+00,0\"", text);
  return AT_OK;
}

int cmd_qlts_test(struct at_call *c)
{
  at_info(c, "+QLTS: (0-2)");
  return AT_OK;
}

int cmd_cpas_exec(struct at_call *c)
{
  at_info(c, "+CPAS: 0");
  return AT_OK;
}

int cmd_cpas_test(struct at_call *c)
{
  at_info(c, "+CPAS: (0,3,4)");
  return AT_OK;
}

/* AT+QENG="servingcell": the modelled cell; the signal follows +CSQ. */
int cmd_qeng_write(struct at_call *c)
{
  struct module *m = call_module(c);
  struct network *n = module_network(m);
  const char *what = at_param_str(c, 0);
  int rssi, active = 0;
  if (!what || c->cmd->nparams != 1 || strcasecmp(what, "servingcell") != 0)
    return CME_INCORRECT_PARAMETERS;
  if (!module_online(m)) {
    at_info(c, "+QENG: \"servingcell\",\"SEARCH\"");
    return AT_OK;
  }
  for (int cid = 1; cid <= PDP_CID_MAX; cid++)
    active |= n->active[cid];
  rssi = n->rssi == 99 ? -113 : -113 + 2 * n->rssi;
  if (n->rat == RAT_LTE)
    at_info(c, "+QENG: \"servingcell\",\"%s\",\"LTE\",\"FDD\",%.3s,%s,%s,%d,%d,%d,5,5,%s,%d,%d,%d,%d,%d",
            active ? "CONNECT" : "NOCONN", n->mccmnc, n->mccmnc + 3, n->cell, 325, n->earfcn,
            n->band, n->tac, rssi - 25, -10, rssi, 15, 40);
  else
    at_info(c, "+QENG: \"servingcell\",\"%s\",\"GSM\",%.3s,%s,%s,%s,%d,%d,%d", active ? "CONNECT" : "NOCONN",
            n->mccmnc, n->mccmnc + 3, n->tac, n->cell, 62, rssi, 40);
  return AT_OK;
}

int cmd_qeng_test(struct at_call *c)
{
  at_info(c, "+QENG: \"servingcell\"");
  return AT_OK;
}

static const char *const urc_ports[] = { "usbat", "usbmodem", "uart1", NULL };

/* AT+QURCCFG="urcport"[,"<port>"]: kept and reported; URCs still go where docs/at-commands.md
 * says. */
int cmd_qurccfg_write(struct at_call *c)
{
  struct module *m = call_module(c);
  const char *what = at_param_str(c, 0), *port = at_param_str(c, 1);
  if (!what || strcasecmp(what, "urcport") != 0 || c->cmd->nparams > 2)
    return CME_INCORRECT_PARAMETERS;
  if (c->cmd->nparams == 1) {
    at_info(c, "+QURCCFG: \"urcport\",\"%s\"", module_nv(m)->urcport);
    return AT_OK;
  }
  for (int i = 0; port && urc_ports[i]; i++) {
    if (!strcasecmp(port, urc_ports[i])) {
      snprintf(module_nv(m)->urcport, sizeof(module_nv(m)->urcport), "%s", urc_ports[i]);
      return module_save_nv(m) == 0 ? AT_OK : CME_MEMORY_FULL;
    }
  }
  return CME_INCORRECT_PARAMETERS;
}

int cmd_qurccfg_test(struct at_call *c)
{
  at_info(c, "+QURCCFG: \"urcport\",(\"usbat\",\"usbmodem\",\"uart1\")");
  return AT_OK;
}

/* One small integer setting: read as "+X: <v>", written in [0, max]. */
static int setting_read(struct at_call *c, int v)
{
  at_info(c, "%s: %d", c->cmd->name, v);
  return AT_OK;
}

static int setting_write(struct at_call *c, int *v, long max)
{
  long n;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 0, max, &n) != 0)
    return CME_INCORRECT_PARAMETERS;
  *v = (int)n;
  return AT_OK;
}

int cmd_qsclk_read(struct at_call *c)
{
  return setting_read(c, module_nv(call_module(c))->sclk);
}

int cmd_qsclk_write(struct at_call *c)
{
  return setting_write(c, &module_nv(call_module(c))->sclk, 2);
}

int cmd_qsclk_test(struct at_call *c)
{
  at_info(c, "+QSCLK: (0-2)");
  return AT_OK;
}

int cmd_qdsim_read(struct at_call *c)
{
  return setting_read(c, 0);
}

/* One SIM slot: slot 0 is taken, slot 1 holds no SIM. */
int cmd_qdsim_write(struct at_call *c)
{
  int slot = 0;
  int rc = setting_write(c, &slot, 1);
  return rc == AT_OK && slot != 0 ? CME_SIM_NOT_INSERTED : rc;
}

int cmd_qdsim_test(struct at_call *c)
{
  at_info(c, "+QDSIM: (0,1)");
  return AT_OK;
}

/* An 8-bit timer string of 27.007 ("00100100"), or absent. */
static int bits_param(const struct at_call *c, int i, char *out, size_t size)
{
  const char *v = at_param_str(c, i);
  if (!at_param_present(c, i) || !v || !*v)
    return 0;
  if (strlen(v) != 8 || strspn(v, "01") != 8)
    return -1;
  snprintf(out, size, "%s", v);
  return 0;
}

/* AT+CPSMS=<mode>[,<RAU>[,<GPRS-READY>[,<TAU>[,<Active-Time>]]]] */
int cmd_cpsms_write(struct at_call *c)
{
  struct nv *nv = module_nv(call_module(c));
  char tau[9], active[9];
  long mode;
  snprintf(tau, sizeof(tau), "%s", nv->psm_tau);
  snprintf(active, sizeof(active), "%s", nv->psm_active);
  if (c->cmd->nparams > 5 || at_param_int(c, 0, 0, 2, &mode) != 0 ||
      bits_param(c, 3, tau, sizeof(tau)) || bits_param(c, 4, active, sizeof(active)))
    return CME_INCORRECT_PARAMETERS;
  nv->psm_mode = mode == 1;
  if (mode == 2) { /* 27.007: off, and the timers back to their defaults */
    snprintf(nv->psm_tau, sizeof(nv->psm_tau), "00000100");
    snprintf(nv->psm_active, sizeof(nv->psm_active), "00001111");
  } else {
    snprintf(nv->psm_tau, sizeof(nv->psm_tau), "%s", tau);
    snprintf(nv->psm_active, sizeof(nv->psm_active), "%s", active);
  }
  return module_save_nv(call_module(c)) == 0 ? AT_OK : CME_MEMORY_FULL;
}

int cmd_cpsms_read(struct at_call *c)
{
  struct nv *nv = module_nv(call_module(c));
  at_info(c, "+CPSMS: %d,,,\"%s\",\"%s\"", nv->psm_mode, nv->psm_tau, nv->psm_active);
  return AT_OK;
}

int cmd_cpsms_test(struct at_call *c)
{
  at_info(c, "+CPSMS: (0-2),,,(\"00000000\"-\"11111111\"),(\"00000000\"-\"11111111\")");
  return AT_OK;
}

/* AT+CEDRXS=<mode>[,<AcT-type>[,"<eDRX value>"]]: 4 and 5 (LTE, NB-IoT) as AcT types. */
int cmd_cedrxs_write(struct at_call *c)
{
  struct nv *nv = module_nv(call_module(c));
  const char *v = at_param_str(c, 2);
  long mode, act = nv->edrx_act;
  if (c->cmd->nparams > 3 || at_param_int(c, 0, 0, 3, &mode) != 0 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 4, 5, &act) != 0) ||
      (v && (strlen(v) != 4 || strspn(v, "01") != 4)))
    return CME_INCORRECT_PARAMETERS;
  nv->edrx_mode = (int)mode;
  nv->edrx_act = (int)act;
  if (v)
    snprintf(nv->edrx_value, sizeof(nv->edrx_value), "%s", v);
  if (mode == 3) { /* off, and back to the defaults */
    nv->edrx_mode = 0;
    snprintf(nv->edrx_value, sizeof(nv->edrx_value), "0010");
  }
  return module_save_nv(call_module(c)) == 0 ? AT_OK : CME_MEMORY_FULL;
}

int cmd_cedrxs_read(struct at_call *c)
{
  struct nv *nv = module_nv(call_module(c));
  if (nv->edrx_mode)
    at_info(c, "+CEDRXS: %d,\"%s\"", nv->edrx_act, nv->edrx_value);
  return AT_OK;
}

int cmd_cedrxs_test(struct at_call *c)
{
  at_info(c, "+CEDRXS: (0-3),(4,5),(\"0000\"-\"1111\")");
  return AT_OK;
}

/* AT+CCID and AT+ICCID: the SIM's ICCID, as +QCCID gives it. */
int cmd_ccid_exec(struct at_call *c)
{
  at_info(c, "%s: %s", c->cmd->name, module_identity(call_module(c))->iccid);
  return AT_OK;
}
