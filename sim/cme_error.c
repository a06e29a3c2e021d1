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
  { FILE_INVALID_INPUT, "invalid input value" },
  { FILE_DRIVE_FULL, "drive full" },
  { FILE_NOT_FOUND, "file not found" },
  { FILE_INVALID_NAME, "invalid file name" },
  { FILE_EXISTS, "file already exists" },
  { FILE_WRITE_FAILED, "failed to write the file" },
  { FILE_OPEN_FAILED, "failed to open the file" },
  { FILE_READ_FAILED, "failed to read the file" },
  { FILE_TIMEOUT, "time out" },
  { FILE_TOO_LARGE, "file too large" },
  { FILE_INVALID_PARAM, "invalid parameter" },
  { 1, "data call: unknown error" },
  { 2, "data call: operation not supported" },
  { 5, "data call: network not attached" },
  { 21, "data call: APN rejected" },
  { FOTA_UNKNOWN, "FOTA unknown error" },
  { FOTA_UPDATE_FAILED, "upgrade exited for an unpredictable error" },
  { FOTA_PATCH_MISMATCH, "package does not match the installed firmware" },
  { FOTA_PACKAGE_INVALID, "package verification failed" },
  { FOTA_BUSY, "FOTA busy" },
  { FOTA_INVALID_PARAM, "invalid parameter" },
  { FOTA_NO_MEDIUM, "storage medium not present" },
  { FOTA_NAME_TOO_LONG, "name too long" },
  { FOTA_BAD_SCHEME, "unsupported URL scheme" },
  { FOTA_BAD_URL, "URL error" },
  { FOTA_FILE_TOO_LARGE, "file larger than the storage available, or too many bytes" },
  { FOTA_FILE_TIMEOUT, "timed out waiting for FILE data" },
  { FOTA_CONNECTION_CLOSED, "connection closed" },
  { FTP_UNKNOWN, "FTP unknown error" },
  { 602, "FTP server blocked" },
  { 603, "FTP server busy" },
  { FTP_DNS_FAILED, "DNS parse failed" },
  { FTP_NETWORK_ERROR, "network error" },
  { FTP_CONTROL_CLOSED, "control connection closed" },
  { FTP_DATA_CLOSED, "data connection closed" },
  { FTP_PEER_CLOSED, "socket closed by peer" },
  { FTP_TIMEOUT, "timeout" },
  { 610, "invalid parameter" },
  { 611, "failed to open file" },
  { 612, "file position invalid" },
  { FTP_FILE_ERROR, "file error" },
  { FTP_REPLY_421, "service not available (421)" },
  { FTP_REPLY_425, "cannot open data connection (425)" },
  { FTP_REPLY_426, "connection closed, transfer aborted (426)" },
  { FTP_REPLY_450, "file unavailable (450)" },
  { FTP_REPLY_451, "local error in processing (451)" },
  { FTP_REPLY_452, "insufficient storage (452)" },
  { FTP_REPLY_500, "syntax error, command unrecognized (500)" },
  { 621, "syntax error in parameters (501)" },
  { 622, "command not implemented (502)" },
  { 623, "bad sequence of commands (503)" },
  { 624, "command parameter not implemented (504)" },
  { FTP_REPLY_530, "not logged in (530)" },
  { FTP_REPLY_532, "need account for storing files (532)" },
  { FTP_REPLY_550, "file unavailable (550)" },
  { FTP_REPLY_551, "page type unknown (551)" },
  { 629, "exceeded storage allocation (552)" },
  { 630, "file name not allowed (553)" },
  { FTP_TLS_FAILED, "SSL/TLS authentication failed" },
  { HTTP_UNKNOWN, "HTTP(S) unknown error" },
  { HTTP_TIMEOUT, "HTTP(S) timeout" },
  { HTTP_BUSY, "HTTP(S) busy" },
  { HTTP_DNS_FAILED, "DNS error" },
  { HTTP_CONNECT_FAILED, "socket connect error" },
  { HTTP_NO_MEMORY, "memory allocation failed" },
  { HTTP_INVALID_PARAM, "invalid parameter" },
  { HTTP_BAD_STATUS, "HTTP(S) server answered an error status" },
};

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
