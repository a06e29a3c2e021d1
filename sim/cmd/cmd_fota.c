/* cmd_fota: AT+QFOTADL, the FOTA download-and-update command (SPEC §5). The engine is fota.c. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "url_mask.h"

#define UP_URC_DEFAULT 100

/* 0 or 5..100; dflt when omitted */
static int urc_count(struct at_call *c, int i, int dflt, long *out)
{
  if (!at_param_present(c, i)) {
    *out = dflt;
    return 0;
  }
  if (at_param_int(c, i, 0, 100, out) != 0 || (*out > 0 && *out < 5))
    return -1;
  return 0;
}

/* A refusal is logged with its meaning and the URL, password masked. */
static int refused(struct at_call *c, int err)
{
  const char *url = at_param_str(c, 0);
  char shown[300];
  snprintf(shown, sizeof(shown), "%s", url ? url : "");
  url_mask_string(shown, strlen(shown));
  log_info("module %d: AT+QFOTADL refused: %d (%s); URL \"%s\"",
           module_tcpip(call_module(c))->index, err, error_meaning(err), shown);
  return err;
}

int cmd_qfotadl_write(struct at_call *c)
{
  const char *url = at_param_str(c, 0);
  long mode = 1, dl, up;
  int err;
  if (!url || !c->cmd->params[0].quoted || c->cmd->nparams > 4)
    return refused(c, FOTA_INVALID_PARAM);
  if (at_param_present(c, 1) && at_param_int(c, 1, 0, 1, &mode) != 0)
    return refused(c, FOTA_INVALID_PARAM);
  if (urc_count(c, 2, -1, &dl) != 0 || urc_count(c, 3, UP_URC_DEFAULT, &up))
    return refused(c, FOTA_INVALID_PARAM);
  err = fota_request(module_fota(call_module(c)), (int)call_port(c)->id, url, (int)mode,
                     (int)dl, (int)up);
  return err ? refused(c, err) : AT_OK;
}

int cmd_qfotadl_test(struct at_call *c)
{
  at_info(c, "+QFOTADL: <url>,(0,1),(0,5-100),(0,5-100)");
  return AT_OK;
}
