/* cme_error: the one table of error codes the module reports (+CME ERROR and, later, the FOTA
 * codes carried by URCs). Every code and its text is defined here once. */
#ifndef FOTASIM_CME_ERROR_H
#define FOTASIM_CME_ERROR_H

#include <stdio.h>

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
  CME_PDP_AUTH_FAILURE = 149,

  /* file commands (+QFLDS, +QFLST, +QFDEL, +QFUPL, +QFDWL) */
  FILE_INVALID_INPUT = 400,
  FILE_DRIVE_FULL = 403,
  FILE_NOT_FOUND = 405,
  FILE_INVALID_NAME = 406,
  FILE_EXISTS = 407,
  FILE_WRITE_FAILED = 409,
  FILE_OPEN_FAILED = 410,
  FILE_READ_FAILED = 411,
  FILE_TIMEOUT = 421,
  FILE_TOO_LARGE = 423,
  FILE_INVALID_PARAM = 425,

  /* data call (carried by FTPEND/HTTPEND when the FOTA data call fails) */
  DC_NO_NETWORK = 4,
  DC_CONTEXT_UNDEFINED = 3,
  DC_APN_REJECTED = 21,

  /* FOTA: the write command's response and "END" */
  FOTA_OK = 0,
  FOTA_UNKNOWN = 500,
  FOTA_UPDATE_FAILED = 502,
  FOTA_PATCH_MISMATCH = 510,
  FOTA_PACKAGE_INVALID = 547,
  FOTA_BUSY = 549,
  FOTA_INVALID_PARAM = 551,
  FOTA_NO_MEDIUM = 552,
  FOTA_NAME_TOO_LONG = 557,
  FOTA_BAD_SCHEME = 560,
  FOTA_BAD_URL = 561,
  FOTA_FILE_TOO_LARGE = 564,
  FOTA_FILE_TIMEOUT = 567,
  FOTA_CONNECTION_CLOSED = 570,

  /* FTP: "FTPEND" (server replies map to 614-630) */
  FTP_UNKNOWN = 601,
  FTP_DNS_FAILED = 604,
  FTP_NETWORK_ERROR = 605,
  FTP_CONTROL_CLOSED = 606,
  FTP_DATA_CLOSED = 607,
  FTP_PEER_CLOSED = 608,
  FTP_TIMEOUT = 609,
  FTP_FILE_ERROR = 613,
  FTP_REPLY_421 = 614,
  FTP_REPLY_425 = 615,
  FTP_REPLY_426 = 616,
  FTP_REPLY_450 = 617,
  FTP_REPLY_451 = 618,
  FTP_REPLY_452 = 619,
  FTP_REPLY_500 = 620,
  FTP_REPLY_530 = 625,
  FTP_REPLY_532 = 626,
  FTP_REPLY_550 = 627,
  FTP_REPLY_551 = 628,
  FTP_TLS_FAILED = 631,

  /* HTTP(S): "HTTPEND" */
  HTTP_UNKNOWN = 701,
  HTTP_TIMEOUT = 702,
  HTTP_BUSY = 703,
  HTTP_DNS_FAILED = 714,
  HTTP_CONNECT_FAILED = 716,
  HTTP_NO_MEMORY = 729,
  HTTP_INVALID_PARAM = 730,
  HTTP_BAD_STATUS = 731
};

/* Which list a code belongs to: the same number can mean different things in two lists
 * (4 is "operation not supported" as a CME error, "no network" as a data-call result). */
enum error_family { ERR_CME, ERR_FILE, ERR_FOTA, ERR_FTP, ERR_HTTP, ERR_DATACALL };

struct cme_error {
  int code;
  enum error_family family;
  const char *text;
  const char *where;   /* response, FTPEND, HTTPEND, FILEEND, END, ... */
  const char *cause;   /* what produces it here by itself; NULL: fault injection only */
};

/* FTP reply code (421..553) → FTPEND code (614..630), or 0 if the reply has none. */
int ftp_reply_error(int reply);

/* The text +CME ERROR gives for a code (CME, file and FOTA lists). */
const struct cme_error *cme_error_find(int code);
const struct cme_error *error_find(enum error_family family, int code);
/* Any list has the code (what a fault rule may fail with). */
int error_known(int code);
const char *error_family_name(enum error_family f);
/* The documented FOTA, FTP, HTTP(S) and data-call codes: the ones with a scenario each. */
int error_documented(const struct cme_error *e);
/* How a host meets a documented code: the scenario rule that produces it and the FOTA the host
 * starts. */
enum error_route {
  ROUTE_SUCCESS,      /* 0: a FOTA that works */
  ROUTE_RESPONSE,     /* the write command's answer: a command rule on AT+QFOTADL */
  ROUTE_FILEEND,      /* FILE mode, failing as the download starts */
  ROUTE_END,          /* FILE mode, failing at verification */
  ROUTE_HTTPEND,      /* an HTTP FOTA whose data call fails */
  ROUTE_FTPEND        /* an FTP FOTA whose data call fails */
};
enum error_route error_route_of(const struct cme_error *e);
/* scenarios/errors/<code>.yaml, generated from the table. */
void error_scenario_yaml(const struct cme_error *e, FILE *out);
/* docs/errors.md, generated from the table. */
void error_catalogue_markdown(FILE *out);
/* The whole table, for documentation and tests. */
const struct cme_error *cme_error_table(int *count);

#endif
