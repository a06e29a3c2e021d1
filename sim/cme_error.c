/* cme_error: the one table of error codes the module reports (+CME ERROR and, later, the FOTA
 * codes carried by URCs). Every code and its text is defined here once. */
#include "cme_error.h"

#include <stddef.h>

static const struct cme_error table[] = {
  { CME_PHONE_FAILURE, "phone failure" },
  { CME_NOT_ALLOWED, "operation not allowed" },
  { CME_NOT_SUPPORTED, "operation not supported" },
  { CME_SIM_NOT_INSERTED, "SIM not inserted" },
  { CME_SIM_PIN_REQUIRED, "SIM PIN required" },
  { CME_SIM_FAILURE, "SIM failure" },
  { CME_SIM_BUSY, "SIM busy" },
  { CME_MEMORY_FULL, "memory full" },
  { CME_INVALID_INDEX, "invalid index" },
  { CME_NOT_FOUND, "not found" },
  { CME_TEXT_TOO_LONG, "text string too long" },
  { CME_INVALID_CHARS, "invalid characters in text string" },
  { CME_NO_NETWORK, "no network service" },
  { CME_NETWORK_TIMEOUT, "network timeout" },
  { CME_INCORRECT_PARAMETERS, "incorrect parameters" },
  { CME_UNKNOWN, "unknown" },
  { CME_PDP_AUTH_FAILURE, "PDP authentication failure" },
};

const struct cme_error *cme_error_find(int code)
{
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
    if (table[i].code == code)
      return &table[i];
  return NULL;
}

const struct cme_error *cme_error_table(int *count)
{
  *count = (int)(sizeof(table) / sizeof(table[0]));
  return table;
}
