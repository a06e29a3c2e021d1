/* cmd_power: +CFUN (functionality, reboot) and +QPOWD (power down). */
#include "commands.h"

int cmd_cfun_read(struct at_call *c)
{
  at_info(c, "+CFUN: %d", module_cfun(call_module(c)));
  return AT_OK;
}

int cmd_cfun_write(struct at_call *c)
{
  long fun, rst = 0;
  if (at_param_int(c, 0, 0, 4, &fun) != 0 || (fun != 0 && fun != 1 && fun != 4))
    return CME_INCORRECT_PARAMETERS;
  if (at_param_present(c, 1) && at_param_int(c, 1, 0, 1, &rst) != 0)
    return CME_INCORRECT_PARAMETERS;
  if (rst) { /* answer OK first, then reboot */
    module_reboot_soon(call_module(c));
    return AT_OK;
  }
  module_set_cfun(call_module(c), (int)fun);
  return AT_OK;
}

int cmd_cfun_test(struct at_call *c)
{
  at_info(c, "+CFUN: (0,1,4),(0,1)");
  return AT_OK;
}

int cmd_qpowd(struct at_call *c)
{
  long mode = 1;
  if (c->cmd->form == AT_FORM_WRITE && at_param_int(c, 0, 0, 1, &mode) != 0)
    return CME_INCORRECT_PARAMETERS;
  module_power_off(call_module(c), 1);
  return AT_OK;
}
