/* cme_error: the one table of error codes the module reports (+CME ERROR and, later, the FOTA
 * codes carried by URCs). Every code and its text is defined here once. */
#ifndef FOTASIM_CME_ERROR_H
#define FOTASIM_CME_ERROR_H

enum cme_code {
  CME_PHONE_FAILURE = 0,
  CME_NOT_ALLOWED = 3,
  CME_NOT_SUPPORTED = 4,
  CME_SIM_NOT_INSERTED = 10,
  CME_SIM_PIN_REQUIRED = 11,
  CME_SIM_FAILURE = 13,
  CME_SIM_BUSY = 14,
  CME_MEMORY_FULL = 20,
  CME_INVALID_INDEX = 21,
  CME_NOT_FOUND = 22,
  CME_TEXT_TOO_LONG = 24,
  CME_INVALID_CHARS = 25,
  CME_NO_NETWORK = 30,
  CME_NETWORK_TIMEOUT = 31,
  CME_INCORRECT_PARAMETERS = 50,
  CME_UNKNOWN = 100,
  CME_PDP_AUTH_FAILURE = 149
};

struct cme_error {
  int code;
  const char *text;
};

const struct cme_error *cme_error_find(int code);
/* The whole table, for documentation and tests. */
const struct cme_error *cme_error_table(int *count);

#endif
