/* errors: the error codes the module reports (+CME ERROR, the file, FOTA, FTP, HTTP(S),
 * data-call, TCP/IP lists, and +CMS ERROR for SMS), expanded from the one table errors.def, and their look-ups. */
#ifndef FOTASIM_ERRORS_H
#define FOTASIM_ERRORS_H

#include <stddef.h>


enum error_code {
#define XX(name, number, list, text, where, cause) name = number,
#include "errors.def"
#undef XX
};

/* Which list a code belongs to: the same number can mean different things in two lists
 * (4 is "operation not supported" as a CME error, "no network" as a data-call result). */
enum error_family { ERR_CME, ERR_FILE, ERR_FOTA, ERR_FTP, ERR_HTTP, ERR_DATACALL, ERR_TCPIP,
                    ERR_SMS };

/* A handler's result that names its list, for codes whose number another list has too (the
 * TCP/IP list's 550-574 are FOTA codes as well): +CME ERROR gives the number, CMEE=2 that list's
 * text. error_in_list(ERR_TCPIP, TCPIP_ID_IN_USE) */
#define ERROR_LIST_SHIFT 16
static inline int error_in_list(enum error_family list, int code)
{
  return (int)list << ERROR_LIST_SHIFT | code;
}

#define ERROR_NAME_MAX 32

struct error_info {
  const char *name;    /* the enum's: "FTP_REPLY_530" */
  int code;
  enum error_family family;
  const char *text;
  const char *where;   /* response, FTPEND, HTTPEND, FILEEND, END, ... */
  const char *cause;   /* what produces it here by itself; NULL: fault injection only */
};

/* The reply code (100-599) that starts an FTP server's reply line ("NNN " or "NNN-"), or 0. */
int ftp_reply_code(const char *line, size_t len);
/* FTP reply code (421..553) → FTPEND code (614..630), or 0 if the reply has none. */
int ftp_reply_error(int reply);

/* The entry +CME ERROR gives for a result: a code of the CME, file or FOTA list, or one that
 * error_in_list tagged. */
const struct error_info *cme_error_find(int code);
const struct error_info *error_find(enum error_family family, int code);
/* What a code means, for logs: its entry in the FOTA, FTP or HTTP list (a FOTA's codes), else
 * in any list; "not in the catalogue" if none has it. */
const char *error_meaning(int code);
/* Any list has the code (what a fault rule may fail with). */
int error_known(int code);
const char *error_family_name(enum error_family f);
/* The documented FOTA, FTP, HTTP(S), data-call and TCP/IP codes: the ones with a scenario each. */
int error_documented(const struct error_info *e);
/* The whole table, for documentation and tests. */
const struct error_info *error_table(int *count);

#endif
