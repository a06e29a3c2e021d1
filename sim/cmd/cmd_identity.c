/* cmd_identity: who the module is: ATI, manufacturer, model, revision, IMEI, IMSI, ICCID (also
 * through +CRSM reads of the SIM's EF_ICCID), capabilities. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

#define QGMR_SUFFIX "_01.001.01.001"

int cmd_i(struct at_call *c)
{
  struct module *m = call_module(c);
  if (basic_number(c, 0) < 0)
    return AT_ERROR;
  at_info(c, "Quectel");
  at_info(c, "%s", model_names[module_model(m)]);
  at_info(c, "Revision: %s", module_revision(m));
  return AT_OK;
}

int cmd_cgmi(struct at_call *c)
{
  at_info(c, "Quectel");
  return AT_OK;
}

int cmd_cgmm(struct at_call *c)
{
  at_info(c, "%s", model_names[module_model(call_module(c))]);
  return AT_OK;
}

int cmd_cgmr(struct at_call *c)
{
  at_info(c, "%s", module_revision(call_module(c)));
  return AT_OK;
}

int cmd_qgmr(struct at_call *c)
{
  at_info(c, "%s%s", module_revision(call_module(c)), QGMR_SUFFIX);
  return AT_OK;
}

int cmd_cgsn(struct at_call *c)
{
  at_info(c, "%s", module_identity(call_module(c))->imei);
  return AT_OK;
}

int cmd_cimi(struct at_call *c)
{
  at_info(c, "%s", module_identity(call_module(c))->imsi);
  return AT_OK;
}

int cmd_qccid(struct at_call *c)
{
  at_info(c, "+QCCID: %s", module_identity(call_module(c))->iccid);
  return AT_OK;
}

#define SIM_READ_BINARY 176
#define SIM_STATUS 242
#define EF_ICCID 12258

/* +CRSM: READ BINARY of EF_ICCID answers the ICCID in the SIM's nibble-swapped BCD. */
int cmd_crsm_write(struct at_call *c)
{
  const char *iccid = module_identity(call_module(c))->iccid;
  long command, fileid = 0;
  char swapped[24];
  size_t n = strlen(iccid);

  if (at_param_int(c, 0, 0, 255, &command) != 0)
    return CME_INCORRECT_PARAMETERS;
  if (at_param_present(c, 1) && at_param_int(c, 1, 0, 65535, &fileid) != 0)
    return CME_INCORRECT_PARAMETERS;
  if (command == SIM_STATUS) {
    at_info(c, "+CRSM: 144,0,\"\"");
    return AT_OK;
  }
  if (command != SIM_READ_BINARY || fileid != EF_ICCID) {
    at_info(c, "+CRSM: 106,130,\"\""); /* 6A82: file not found */
    return AT_OK;
  }
  for (size_t i = 0; i + 1 < n; i += 2) {
    swapped[i] = iccid[i + 1];
    swapped[i + 1] = iccid[i];
  }
  swapped[n] = '\0';
  at_info(c, "+CRSM: 144,0,\"%s\"", swapped);
  return AT_OK;
}

int cmd_gcap(struct at_call *c)
{
  at_info(c, "+GCAP: +CGSM");
  return AT_OK;
}
