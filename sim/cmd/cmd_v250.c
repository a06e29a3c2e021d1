/* cmd_v250: the V.250 settings commands (E, V, Q, X, Z, &F, &W, &V, S-registers, &C, &D, H) and
 * the serial-port and error-reporting settings (+CMEE, +IPR, +IFC, +ICF, +CSCS). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

long basic_number(struct at_call *call, long max)
{
  long v = 0;
  if (!at_param_present(call, 0))
    return 0;
  if (at_param_int(call, 0, 0, max, &v) != 0)
    return -1;
  return v;
}

static int set_flag(struct at_call *c, int *field, long max)
{
  long v = basic_number(c, max);
  if (v < 0)
    return AT_ERROR;
  *field = (int)v;
  return AT_OK;
}

int cmd_ok(struct at_call *c)
{
  (void)c;
  return AT_OK;
}

int cmd_e(struct at_call *c) { return set_flag(c, &c->session->set.echo, 1); }
int cmd_v(struct at_call *c) { return set_flag(c, &c->session->set.verbose, 1); }
int cmd_q(struct at_call *c) { return set_flag(c, &c->session->set.quiet, 1); }
int cmd_x(struct at_call *c) { return set_flag(c, &c->session->set.x, 4); }
int cmd_and_c(struct at_call *c) { return set_flag(c, &c->session->set.dcd, 1); }
int cmd_and_d(struct at_call *c) { return set_flag(c, &c->session->set.dtr, 2); }

int cmd_h(struct at_call *c)
{
  if (basic_number(c, 0) < 0)
    return AT_ERROR;
  datacall_hangup(c);
  return AT_OK;
}

int cmd_z(struct at_call *c)
{
  if (basic_number(c, 0) < 0)
    return AT_ERROR;
  c->session->set = module_nv(call_module(c))->profile;
  return AT_OK;
}

int cmd_and_f(struct at_call *c)
{
  if (basic_number(c, 0) < 0)
    return AT_ERROR;
  at_settings_default(&c->session->set);
  return AT_OK;
}

int cmd_and_w(struct at_call *c)
{
  struct module *m = call_module(c);
  if (basic_number(c, 0) < 0)
    return AT_ERROR;
  module_nv(m)->profile = c->session->set;
  return module_save_nv(m) == 0 ? AT_OK : CME_MEMORY_FULL;
}

int cmd_and_v(struct at_call *c)
{
  const struct at_settings *s = &c->session->set;
  at_info(c, "&C: %d; &D: %d; &F: 0; &W: 0; E: %d; L: 0; M: 0; Q: %d; V: %d; X: %d; Z: 0; "
             "S0: 0; S3: %d; S4: %d; S5: %d; S6: 2; S7: 0; S8: 2; S10: 15",
          s->dcd, s->dtr, s->echo, s->quiet, s->verbose, s->x, s->s3, s->s4, s->s5);
  return AT_OK;
}

/* S-registers: S3, S4, S5 can be changed; S0, S6, S7, S8, S10 read their fixed values. */
struct sreg {
  int num;
  int max;
  int fixed;
};
static const struct sreg sregs[] = {
  { 0, 255, 0 }, { 3, 127, -1 }, { 4, 127, -1 }, { 5, 127, -1 },
  { 6, 10, 2 },  { 7, 255, 0 },  { 8, 255, 2 },  { 10, 254, 15 },
};

static const struct sreg *find_sreg(struct at_call *c)
{
  long n;
  if (at_param_int(c, 0, 0, 255, &n) != 0)
    return NULL;
  for (size_t i = 0; i < sizeof(sregs) / sizeof(sregs[0]); i++)
    if (sregs[i].num == n)
      return &sregs[i];
  return NULL;
}

static unsigned char *sreg_field(struct at_settings *s, int num)
{
  return num == 3 ? &s->s3 : num == 4 ? &s->s4 : num == 5 ? &s->s5 : NULL;
}

int cmd_s_read(struct at_call *c)
{
  const struct sreg *r = find_sreg(c);
  unsigned char *f;
  if (!r)
    return AT_ERROR;
  f = sreg_field(&c->session->set, r->num);
  at_info(c, "%03d", f ? *f : r->fixed);
  return AT_OK;
}

int cmd_s_write(struct at_call *c)
{
  const struct sreg *r = find_sreg(c);
  unsigned char *f;
  long v;
  if (!r || at_param_int(c, 1, 0, r->max, &v) != 0)
    return AT_ERROR;
  f = sreg_field(&c->session->set, r->num);
  if (f)
    *f = (unsigned char)v;
  else if (v != r->fixed && r->num != 0 && r->num != 7)
    return AT_ERROR;
  return AT_OK;
}

int cmd_s_test(struct at_call *c)
{
  const struct sreg *r = find_sreg(c);
  if (!r)
    return AT_ERROR;
  at_info(c, "S%d: (0-%d)", r->num, r->max);
  return AT_OK;
}

int cmd_cmee_read(struct at_call *c)
{
  at_info(c, "+CMEE: %d", c->session->set.cmee);
  return AT_OK;
}

int cmd_cmee_write(struct at_call *c)
{
  long v;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 0, 2, &v) != 0)
    return CME_INCORRECT_PARAMETERS;
  c->session->set.cmee = (int)v;
  return AT_OK;
}

int cmd_cmee_test(struct at_call *c)
{
  at_info(c, "+CMEE: (0-2)");
  return AT_OK;
}

static const long baud_rates[] = { 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800,
                                   921600, 1000000, 2000000, 3000000 };

int cmd_ipr_read(struct at_call *c)
{
  at_info(c, "+IPR: %ld", module_nv(call_module(c))->ipr);
  return AT_OK;
}

int cmd_ipr_write(struct at_call *c)
{
  long v;
  if (at_param_int(c, 0, 0, 4000000, &v) != 0)
    return CME_INCORRECT_PARAMETERS;
  for (size_t i = 0; i < sizeof(baud_rates) / sizeof(baud_rates[0]); i++) {
    if (baud_rates[i] == v) {
      module_nv(call_module(c))->ipr = v;
      module_line_changed(call_module(c));
      return AT_OK;
    }
  }
  return CME_INCORRECT_PARAMETERS;
}

int cmd_ipr_test(struct at_call *c)
{
  char list[256];
  size_t n = 0;
  for (size_t i = 0; i < sizeof(baud_rates) / sizeof(baud_rates[0]); i++)
    n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%ld", i ? "," : "", baud_rates[i]);
  at_info(c, "+IPR: (),(%s)", list);
  return AT_OK;
}

int cmd_ifc_read(struct at_call *c)
{
  at_info(c, "+IFC: %d,%d", module_nv(call_module(c))->ifc_dce, module_nv(call_module(c))->ifc_dte);
  return AT_OK;
}

int cmd_ifc_write(struct at_call *c)
{
  long dce, dte = 0;
  if (at_param_int(c, 0, 0, 2, &dce) != 0 || dce == 1)
    return CME_INCORRECT_PARAMETERS;
  if (at_param_present(c, 1) && (at_param_int(c, 1, 0, 2, &dte) != 0 || dte == 1))
    return CME_INCORRECT_PARAMETERS;
  module_nv(call_module(c))->ifc_dce = (int)dce;
  module_nv(call_module(c))->ifc_dte = (int)dte;
  module_line_changed(call_module(c));
  return AT_OK;
}

int cmd_ifc_test(struct at_call *c)
{
  at_info(c, "+IFC: (0,2),(0,2)");
  return AT_OK;
}

int cmd_icf_read(struct at_call *c)
{
  at_info(c, "+ICF: %d,%d", module_nv(call_module(c))->icf_format, module_nv(call_module(c))->icf_parity);
  return AT_OK;
}

int cmd_icf_write(struct at_call *c)
{
  long fmt, parity = 3;
  if (at_param_int(c, 0, 1, 6, &fmt) != 0)
    return CME_INCORRECT_PARAMETERS;
  if (at_param_present(c, 1) && at_param_int(c, 1, 0, 3, &parity) != 0)
    return CME_INCORRECT_PARAMETERS;
  module_nv(call_module(c))->icf_format = (int)fmt;
  module_nv(call_module(c))->icf_parity = (int)parity;
  return AT_OK;
}

int cmd_icf_test(struct at_call *c)
{
  at_info(c, "+ICF: (1-6),(0-3)");
  return AT_OK;
}

static const char *const charsets[] = { "GSM", "IRA", "UCS2", "HEX" };

int cmd_cscs_read(struct at_call *c)
{
  at_info(c, "+CSCS: \"%s\"", call_port(c)->cscs);
  return AT_OK;
}

int cmd_cscs_write(struct at_call *c)
{
  const char *v = at_param_str(c, 0);
  if (!v || c->cmd->nparams != 1)
    return CME_INCORRECT_PARAMETERS;
  for (size_t i = 0; i < sizeof(charsets) / sizeof(charsets[0]); i++) {
    if (strcasecmp(v, charsets[i]) == 0) {
      snprintf(call_port(c)->cscs, sizeof(call_port(c)->cscs), "%s", charsets[i]);
      return AT_OK;
    }
  }
  return CME_INCORRECT_PARAMETERS;
}

int cmd_cscs_test(struct at_call *c)
{
  at_info(c, "+CSCS: (\"GSM\",\"IRA\",\"UCS2\",\"HEX\")");
  return AT_OK;
}
