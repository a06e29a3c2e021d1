/* errors: the catalogue expanded from errors.def: +CME ERROR texts, fault-rule validation and
 * (through tools/error_docs.c) docs/errors.md and scenarios/errors/ all come from it. */
#include "errors.h"

#include <stddef.h>
#include <string.h>

#define INJECT_ONLY NULL
#define NOTE "as listed in the FOTA application note (its text is not part of fotasim's contract)"

static const struct error_info table[] = {
#define XX(name, number, list, text, where, cause) \
  { #name, number, ERR_##list, text, where, cause },
#include "errors.def"
#undef XX
};
#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

const char *error_family_name(enum error_family f)
{
  static const char *const names[] = { "CME", "file", "FOTA", "FTP", "HTTP(S)", "data call", "TCP/IP", "SMS" };
  return names[f];
}

const struct error_info *error_find(enum error_family family, int code)
{
  for (size_t i = 0; i < TABLE_LEN; i++)
    if (table[i].code == code && table[i].family == family)
      return &table[i];
  return NULL;
}

const struct error_info *cme_error_find(int code)
{
  const struct error_info *e;
  if (code >> ERROR_LIST_SHIFT)
    return error_find((enum error_family)(code >> ERROR_LIST_SHIFT), code & 0xffff);
  e = error_find(ERR_CME, code);
  if (!e)
    e = error_find(ERR_FILE, code);
  if (!e)
    e = error_find(ERR_FOTA, code);
  return e;
}

const char *error_meaning(int code)
{
  static const enum error_family fota_lists[] = { ERR_FOTA, ERR_FTP, ERR_HTTP };
  const struct error_info *e = NULL;
  for (size_t i = 0; !e && i < sizeof(fota_lists) / sizeof(fota_lists[0]); i++)
    e = error_find(fota_lists[i], code);
  for (size_t i = 0; !e && i < TABLE_LEN; i++)
    if (table[i].code == code)
      e = &table[i];
  return e ? e->text : "not in the catalogue";
}

int error_known(int code)
{
  for (size_t i = 0; i < TABLE_LEN; i++)
    if (table[i].code == code)
      return 1;
  return 0;
}

const struct error_info *error_table(int *count)
{
  *count = (int)TABLE_LEN;
  return table;
}

int error_documented(const struct error_info *e)
{
  return e->family == ERR_FOTA || e->family == ERR_FTP || e->family == ERR_HTTP ||
         e->family == ERR_DATACALL || e->family == ERR_TCPIP;
}

int ftp_reply_code(const char *line, size_t len)
{
  if (len < 4 || line[0] < '1' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
      line[2] < '0' || line[2] > '9' || (line[3] != ' ' && line[3] != '-'))
    return 0;
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
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
