/* cmd_cmux: AT+CMUX (27.007 5.7): the write form starts the 27.010 multiplexer on the port
 * after its OK (basic option, UIH frames only); the read form gives the parameters, the test
 * form their ranges. */
#include <stddef.h>

#include "commands.h"
#include "module_port.h"

/* One parameter's range and where it goes (27.007's order). */
static const struct { long min, max; size_t at; } cmux_ranges[] = {
  { 0, 0, offsetof(struct cmux_params, mode) },      { 0, 0, offsetof(struct cmux_params, subset) },
  { 1, 7, offsetof(struct cmux_params, port_speed) }, { 1, CMUX_N1_MAX, offsetof(struct cmux_params, n1) },
  { 1, 255, offsetof(struct cmux_params, t1) },      { 0, 100, offsetof(struct cmux_params, n2) },
  { 2, 255, offsetof(struct cmux_params, t2) },      { 0, 255, offsetof(struct cmux_params, t3) },
  { 1, 7, offsetof(struct cmux_params, k) },
};

/* AT+CMUX=<mode>[,<subset>[,<port_speed>[,<N1>[,<T1>[,<N2>[,<T2>[,<T3>[,<k>]]]]]]]]: absent
 * values take the defaults; OK, then frames. */
int cmd_cmux_write(struct at_call *c)
{
  struct module *m = call_module(c);
  struct cmux_params p;
  int np = c->cmd->nparams;
  cmux_params_default(&p);
  if (np < 1 || np > (int)(sizeof(cmux_ranges) / sizeof(cmux_ranges[0])))
    return CME_INCORRECT_PARAMETERS;
  for (int i = 0; i < np; i++) {
    long v;
    if (!at_param_present(c, i))
      continue;
    if (at_param_int(c, i, cmux_ranges[i].min, cmux_ranges[i].max, &v) != 0)
      return CME_INCORRECT_PARAMETERS;
    *(int *)((char *)&p + cmux_ranges[i].at) = (int)v;
  }
  if (module_cmux_start(m, call_port(c), &p) != 0)
    return CME_NOT_ALLOWED;
  *module_cmux_params(m) = p;
  return AT_OK;
}

int cmd_cmux_read(struct at_call *c)
{
  const struct cmux_params *p = module_cmux_params(call_module(c));
  at_info(c, "+CMUX: %d,%d,%d,%d,%d,%d,%d,%d,%d", p->mode, p->subset, p->port_speed, p->n1,
          p->t1, p->n2, p->t2, p->t3, p->k);
  return AT_OK;
}

int cmd_cmux_test(struct at_call *c)
{
  at_info(c, "+CMUX: (0),(0),(1-7),(1-%d),(1-255),(0-100),(2-255),(0-255),(1-7)", CMUX_N1_MAX);
  return AT_OK;
}
