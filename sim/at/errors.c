/* cme_error: THE error catalogue. Every code the module reports is one row: its list, its
 * text, where it surfaces, and what produces it here by itself (or NULL: only a fault rule).
 * +CME ERROR texts, fault-rule validation and docs/errors.md all come from this table. */
#include "errors.h"

#include <stddef.h>
#include <string.h>

#define INJECT NULL
#define NOTE "as listed in the FOTA application note (its text is not part of fotasim's contract)"

static const struct cme_error table[] = {
  /* +CME ERROR codes of general commands */
  { CME_PHONE_FAILURE, ERR_CME, "phone failure", "response", INJECT },
  { CME_NOT_ALLOWED, ERR_CME, "operation not allowed", "response", "AT+CPIN=<pin>; AT+COPS=1/2/4; CGDCONT on an active context" },
  { CME_NOT_SUPPORTED, ERR_CME, "operation not supported", "response", INJECT },
  { CME_SIM_NOT_INSERTED, ERR_CME, "SIM not inserted", "response", INJECT },
  { CME_SIM_PIN_REQUIRED, ERR_CME, "SIM PIN required", "response", INJECT },
  { CME_SIM_FAILURE, ERR_CME, "SIM failure", "response", INJECT },
  { CME_SIM_BUSY, ERR_CME, "SIM busy", "response", INJECT },
  { CME_MEMORY_FULL, ERR_CME, "memory full", "response", "NV cannot be written" },
  { CME_INVALID_INDEX, ERR_CME, "invalid index", "response", INJECT },
  { CME_NOT_FOUND, ERR_CME, "not found", "response", INJECT },
  { CME_TEXT_TOO_LONG, ERR_CME, "text string too long", "response", INJECT },
  { CME_INVALID_CHARS, ERR_CME, "invalid characters in text string", "response", INJECT },
  { CME_NO_NETWORK, ERR_CME, "no network service", "response", "AT+CGATT=1 while not registered" },
  { CME_NETWORK_TIMEOUT, ERR_CME, "network timeout", "response", INJECT },
  { CME_INCORRECT_PARAMETERS, ERR_CME, "incorrect parameters", "response", "a parameter out of range" },
  { CME_UNKNOWN, ERR_CME, "unknown", "response", INJECT },
  { CME_PDP_AUTH_FAILURE, ERR_CME, "PDP authentication failure", "response", INJECT },

  /* file commands */
  { FILE_INVALID_INPUT, ERR_FILE, "invalid input value", "response", "AT+QFLDS/AT+QFLST on a bad or absent medium" },
  { FILE_DRIVE_FULL, ERR_FILE, "drive full", "response", "AT+QFUPL larger than the free space" },
  { FILE_NOT_FOUND, ERR_FILE, "file not found", "response", "AT+QFDWL/AT+QFDEL of a missing file" },
  { FILE_INVALID_NAME, ERR_FILE, "invalid file name", "response", "a bad name, or a medium not present" },
  { FILE_EXISTS, ERR_FILE, "file already exists", "response", "AT+QFUPL of an existing name" },
  { FILE_WRITE_FAILED, ERR_FILE, "failed to write the file", "response", "the host file system refuses" },
  { FILE_OPEN_FAILED, ERR_FILE, "failed to open the file", "response", "the host file system refuses" },
  { FILE_READ_FAILED, ERR_FILE, "failed to read the file", "response", "the file changes while it is read" },
  { FILE_TIMEOUT, ERR_FILE, "time out", "response", "AT+QFUPL with no byte before the timeout" },
  { FILE_TOO_LARGE, ERR_FILE, "file too large", "response", INJECT },
  { FILE_INVALID_PARAM, ERR_FILE, "invalid parameter", "response", "AT+QFUPL/AT+QFDWL parameters" },

  /* FOTA: AT+QFOTADL's response and END */
  { FOTA_OK, ERR_FOTA, "success", "*END, END", "a FOTA that works" },
  { FOTA_UNKNOWN, ERR_FOTA, "FOTA unknown error", "END", INJECT },
  { FOTA_UPDATE_FAILED, ERR_FOTA, "upgrade exited for an unpredictable error", "END", "the flash cannot be written or reads back wrong" },
  { FOTA_PATCH_MISMATCH, ERR_FOTA, "package does not match the installed firmware", "END", "a delta for another revision or image" },
  { FOTA_PACKAGE_INVALID, ERR_FOTA, "package verification failed", "END", "a corrupt, truncated, unsigned or badly signed package" },
  { FOTA_BUSY, ERR_FOTA, "FOTA busy", "response", "AT+QFOTADL while a FOTA runs" },
  { 550, ERR_FOTA, NOTE, "response", INJECT },
  { FOTA_INVALID_PARAM, ERR_FOTA, "invalid parameter", "response", "bad mode or URC count, URL not quoted or over 255 bytes" },
  { FOTA_NO_MEDIUM, ERR_FOTA, "storage medium not present", "response", "fota/path on an SD card that is not there" },
  { 553, ERR_FOTA, NOTE, "response", INJECT },
  { 554, ERR_FOTA, NOTE, "response", INJECT },
  { 555, ERR_FOTA, NOTE, "response", INJECT },
  { 556, ERR_FOTA, NOTE, "response", INJECT },
  { FOTA_NAME_TOO_LONG, ERR_FOTA, "name too long", "response", "user, password, server or file over 50 bytes" },
  { 558, ERR_FOTA, NOTE, "response", INJECT },
  { 559, ERR_FOTA, NOTE, "response", INJECT },
  { FOTA_BAD_SCHEME, ERR_FOTA, "unsupported URL scheme", "response", "a scheme other than FTP, HTTP, HTTPS, FILE" },
  { FOTA_BAD_URL, ERR_FOTA, "URL error", "response", "no file, a bad port, an FTP file outside the root" },
  { 562, ERR_FOTA, NOTE, "FILEEND", INJECT },
  { 563, ERR_FOTA, NOTE, "FILEEND", INJECT },
  { FOTA_FILE_TOO_LARGE, ERR_FOTA, "file larger than the storage available, or too many bytes", "response, HTTPEND, FILEEND", "FILE length over the free space; an HTTP package that does not fit; bytes beyond <length>" },
  { 565, ERR_FOTA, NOTE, "FILEEND", INJECT },
  { 566, ERR_FOTA, NOTE, "FILEEND", INJECT },
  { FOTA_FILE_TIMEOUT, ERR_FOTA, "timed out waiting for FILE data", "FILEEND", "the host pauses, or UART bytes are lost" },
  { 568, ERR_FOTA, NOTE, "FILEEND", INJECT },
  { 569, ERR_FOTA, NOTE, "END", INJECT },
  { FOTA_CONNECTION_CLOSED, ERR_FOTA, "connection closed", "HTTPEND", "the HTTP server closes before the end" },
  { 571, ERR_FOTA, NOTE, "END", INJECT },

  /* FTP: FTPEND */
  { FTP_UNKNOWN, ERR_FTP, "FTP unknown error", "FTPEND", "any FTP failure without a better code" },
  { 602, ERR_FTP, "FTP server blocked", "FTPEND", INJECT },
  { 603, ERR_FTP, "FTP server busy", "FTPEND", INJECT },
  { FTP_DNS_FAILED, ERR_FTP, "DNS parse failed", "FTPEND", "a host name not in the DNS map" },
  { FTP_NETWORK_ERROR, ERR_FTP, "network error", "FTPEND", "connection refused" },
  { FTP_CONTROL_CLOSED, ERR_FTP, "control connection closed", "FTPEND", "the server closes the control connection before the file's first byte" },
  { FTP_DATA_CLOSED, ERR_FTP, "data connection closed", "FTPEND", "the data connection ends before the file's size" },
  { FTP_PEER_CLOSED, ERR_FTP, "socket closed by peer", "FTPEND", "the server's sockets close or reset during the transfer" },
  { FTP_TIMEOUT, ERR_FTP, "timeout", "FTPEND", "no byte for 60 s virtual" },
  { 610, ERR_FTP, "invalid parameter", "FTPEND", INJECT },
  { 611, ERR_FTP, "failed to open file", "FTPEND", INJECT },
  { 612, ERR_FTP, "file position invalid", "FTPEND", INJECT },
  { FTP_FILE_ERROR, ERR_FTP, "file error", "FTPEND", "the package cannot be stored (fota/path names a file, not a directory)" },
  { FTP_REPLY_421, ERR_FTP, "service not available (421)", "FTPEND", "server reply 421" },
  { FTP_REPLY_425, ERR_FTP, "cannot open data connection (425)", "FTPEND", "server reply 425" },
  { FTP_REPLY_426, ERR_FTP, "connection closed, transfer aborted (426)", "FTPEND", "server reply 426" },
  { FTP_REPLY_450, ERR_FTP, "file unavailable (450)", "FTPEND", "server reply 450" },
  { FTP_REPLY_451, ERR_FTP, "local error in processing (451)", "FTPEND", "server reply 451" },
  { FTP_REPLY_452, ERR_FTP, "insufficient storage (452)", "FTPEND", "server reply 452, or a package that does not fit" },
  { FTP_REPLY_500, ERR_FTP, "syntax error, command unrecognized (500)", "FTPEND", "server reply 500" },
  { 621, ERR_FTP, "syntax error in parameters (501)", "FTPEND", "server reply 501" },
  { 622, ERR_FTP, "command not implemented (502)", "FTPEND", "server reply 502" },
  { 623, ERR_FTP, "bad sequence of commands (503)", "FTPEND", "server reply 503" },
  { 624, ERR_FTP, "command parameter not implemented (504)", "FTPEND", "server reply 504" },
  { FTP_REPLY_530, ERR_FTP, "not logged in (530)", "FTPEND", "wrong user or password" },
  { FTP_REPLY_532, ERR_FTP, "need account for storing files (532)", "FTPEND", "server reply 532" },
  { FTP_REPLY_550, ERR_FTP, "file unavailable (550)", "FTPEND", "a file the server does not have" },
  { FTP_REPLY_551, ERR_FTP, "page type unknown (551)", "FTPEND", "server reply 551" },
  { 629, ERR_FTP, "exceeded storage allocation (552)", "FTPEND", "server reply 552" },
  { 630, ERR_FTP, "file name not allowed (553)", "FTPEND", "server reply 553" },
  { FTP_TLS_FAILED, ERR_FTP, "SSL/TLS authentication failed", "FTPEND, HTTPEND", "a TLS handshake that fails" },

  /* HTTP(S): HTTPEND */
  { HTTP_UNKNOWN, ERR_HTTP, "HTTP(S) unknown error", "HTTPEND", "any HTTP failure without a better code, e.g. the package cannot be stored" },
  { HTTP_TIMEOUT, ERR_HTTP, "HTTP(S) timeout", "HTTPEND", "no byte for 60 s virtual" },
  { HTTP_BUSY, ERR_HTTP, "HTTP(S) busy", "HTTPEND", INJECT },
  { HTTP_DNS_FAILED, ERR_HTTP, "DNS error", "HTTPEND", "a host name not in the DNS map" },
  { HTTP_CONNECT_FAILED, ERR_HTTP, "socket connect error", "HTTPEND", "connection refused" },
  { HTTP_NO_MEMORY, ERR_HTTP, "memory allocation failed", "HTTPEND", INJECT },
  { HTTP_INVALID_PARAM, ERR_HTTP, "invalid parameter", "HTTPEND", INJECT },
  { HTTP_BAD_STATUS, ERR_HTTP, "HTTP(S) server answered an error status", "HTTPEND", "404 or any other non-2xx status" },

  /* data call: FTPEND/HTTPEND when the FOTA's data call fails */
  { 1, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 2, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { DC_CONTEXT_UNDEFINED, ERR_DATACALL, "data call: context not defined", "FTPEND, HTTPEND", "fota/cid names an undefined context" },
  { DC_NO_NETWORK, ERR_DATACALL, "data call: no network", "FTPEND, HTTPEND", "not registered, or AT+CFUN not 1" },
  { 5, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 6, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 7, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 8, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 9, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 10, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 11, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 12, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 13, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 14, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 15, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 16, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 17, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 18, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 19, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { 20, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
  { DC_APN_REJECTED, ERR_DATACALL, "data call: APN rejected", "FTPEND, HTTPEND",
    "the context's APN is not among the scenario's network.apns" },
  { 22, ERR_DATACALL, "data call: " NOTE, "FTPEND, HTTPEND", INJECT },
};
#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

const char *error_family_name(enum error_family f)
{
  static const char *const names[] = { "CME", "file", "FOTA", "FTP", "HTTP(S)", "data call" };
  return names[f];
}

const struct cme_error *error_find(enum error_family family, int code)
{
  for (size_t i = 0; i < TABLE_LEN; i++)
    if (table[i].code == code && table[i].family == family)
      return &table[i];
  return NULL;
}

const struct cme_error *cme_error_find(int code)
{
  const struct cme_error *e = error_find(ERR_CME, code);
  if (!e)
    e = error_find(ERR_FILE, code);
  if (!e)
    e = error_find(ERR_FOTA, code);
  return e;
}

int error_known(int code)
{
  for (size_t i = 0; i < TABLE_LEN; i++)
    if (table[i].code == code)
      return 1;
  return 0;
}

const struct cme_error *cme_error_table(int *count)
{
  *count = (int)TABLE_LEN;
  return table;
}

int error_documented(const struct cme_error *e)
{
  return e->family == ERR_FOTA || e->family == ERR_FTP || e->family == ERR_HTTP ||
         e->family == ERR_DATACALL;
}

enum error_route error_route_of(const struct cme_error *e)
{
  if (e->family == ERR_FTP)
    return ROUTE_FTPEND;
  if (e->family == ERR_HTTP || e->family == ERR_DATACALL)
    return ROUTE_HTTPEND;
  if (e->code == FOTA_OK)
    return ROUTE_SUCCESS;
  if (!strncmp(e->where, "response", 8))
    return ROUTE_RESPONSE;
  if (!strcmp(e->where, "FILEEND"))
    return ROUTE_FILEEND;
  if (!strcmp(e->where, "HTTPEND"))
    return ROUTE_HTTPEND;
  return ROUTE_END;
}

void error_scenario_yaml(const struct cme_error *e, FILE *out)
{
  static const char *const hosts[] = {
    "a FOTA that works", "AT+QFOTADL (answered with the code)",
    "a FILE-mode FOTA (FILEEND carries the code)", "a FILE-mode FOTA (END carries the code)",
    "an HTTP FOTA (HTTPEND carries the code)", "an FTP FOTA (FTPEND carries the code)",
  };
  enum error_route route = error_route_of(e);
  fprintf(out, "# Error %d (%s): %s.\n# Where: %s. Natural cause here: %s.\n"
               "# The host: %s.\n# Generated from the catalogue by `fotaerrors --scenarios`.\n"
               "name: error %d\n",
          e->code, error_family_name(e->family), e->text, e->where,
          e->cause ? e->cause : "none, injection only", hosts[route], e->code);
  switch (route) {
  case ROUTE_SUCCESS:
    break;
  case ROUTE_RESPONSE:
    fprintf(out, "faults:\n  - command: AT+QFOTADL\n    fail: %d\n", e->code);
    break;
  case ROUTE_FILEEND:
    fprintf(out, "faults:\n  - phase: download\n    fail: %d\n", e->code);
    break;
  case ROUTE_END:
    fprintf(out, "faults:\n  - phase: verify\n    fail: %d\n", e->code);
    break;
  default:
    fprintf(out, "faults:\n  - phase: datacall\n    fail: %d\n", e->code);
    break;
  }
}

void error_catalogue_markdown(FILE *out)
{
  fprintf(out, "# Error codes\n\n"
               "Generated from the catalogue in `sim/cme_error.c` by `fotaerrors`; a test fails "
               "when this file and the table disagree. Every code can be produced by a fault "
               "rule (`fail: <code>` in a scenario, or `inject` on the control channel); each "
               "documented FOTA, FTP, HTTP(S) and data-call code has its scenario in "
               "`scenarios/errors/<code>.yaml`; the last column says what produces it by "
               "itself.\n\n"
               "| code | list | meaning | where | natural cause here |\n"
               "| --- | --- | --- | --- | --- |\n");
  for (size_t i = 0; i < TABLE_LEN; i++)
    fprintf(out, "| %d | %s | %s | %s | %s |\n", table[i].code,
            error_family_name(table[i].family), table[i].text, table[i].where,
            table[i].cause ? table[i].cause : "injection only");
}

int ftp_reply_error(int reply)
{
  switch (reply) {
  case 421: return FTP_REPLY_421;
  case 425: return FTP_REPLY_425;
  case 426: return FTP_REPLY_426;
  case 450: return FTP_REPLY_450;
  case 451: return FTP_REPLY_451;
  case 452: return FTP_REPLY_452;
  case 530: return FTP_REPLY_530;
  case 532: return FTP_REPLY_532;
  case 550: return FTP_REPLY_550;
  default:
    if (reply >= 500 && reply <= 504)
      return FTP_REPLY_500 + (reply - 500);
    if (reply >= 551 && reply <= 553)
      return FTP_REPLY_551 + (reply - 551);
    return 0;
  }
}
