/* fuzz_session: the AT interpreter alone (line assembly, V.250 parser, session framing) on any bytes, fed
 * in pieces of varying size, with a small command table that covers every command form, a
 * command that goes asynchronous, and one that fails. The session must consume every byte (an
 * asynchronous command is completed at once) and never write more than it was given reason to. */
#include <string.h>

#include "at_session.h"
#include "errors.h"
#include "fuzz.h"

static struct at_session S;
static size_t written;

static void count_write(void *user, const char *data, size_t len)
{
  (void)user;
  (void)data;
  written += len;
}

/* E, V, Q and +CMEE: one optional number; +CMEE's takes effect (CME errors in text). */
static int h_basic(struct at_call *c)
{
  long v = 0;
  int extended = c->cmd->name[0] == '+';
  if (c->cmd->nparams > 1 || (c->cmd->nparams && at_param_int(c, 0, 0, 2, &v) != 0))
    return extended ? CME_INCORRECT_PARAMETERS : AT_ERROR;
  if (extended)
    c->session->set.cmee = (int)v;
  return AT_OK;
}
static int h_info(struct at_call *c)
{
  for (int i = 0; i < c->cmd->nparams; i++)
    at_info(c, "+X: %s", at_param_str(c, i) ? at_param_str(c, i) : "");
  return AT_OK;
}
static int h_async(struct at_call *c) { (void)c; return AT_PENDING; }
static int h_fail(struct at_call *c) { (void)c; return CME_INCORRECT_PARAMETERS; }

static const struct at_command table[] = {
  { "E", NULL, NULL, NULL, h_basic },   { "V", NULL, NULL, NULL, h_basic },
  { "Q", NULL, NULL, NULL, h_basic },   { "+CMEE", h_info, h_info, h_basic, NULL },
  { "+X", h_info, h_info, h_info, h_info }, { "+ASYNC", NULL, NULL, h_async, h_async },
  { "+FAIL", NULL, NULL, h_fail, h_fail },
};

static const struct at_session_ops ops = { count_write, NULL, NULL, NULL, NULL, NULL };

void fuzz_init(void)
{
}

void fuzz_one(const uint8_t *data, size_t len)
{
  size_t off = 0, piece = len ? (size_t)data[0] % 17 + 1 : 1;
  at_session_init(&S, table, sizeof(table) / sizeof(table[0]), &ops, NULL);
  written = 0;
  while (off < len) {
    size_t n = len - off < piece ? len - off : piece;
    size_t used = at_session_input(&S, (const char *)data + off, n);
    if (S.busy)
      at_session_complete(&S, AT_OK); /* the asynchronous command ends: go on */
    else if (used != n)
      __builtin_trap(); /* an idle session takes every byte */
    off += used;
  }
  /* Every byte can at most be echoed and end a line with a framed result and URC-free info:
   * a generous bound that catches runaway output. */
  if (written > 64 * len + 1024)
    __builtin_trap();
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  static const char *const seeds[] = {
    "AT\r", "ATE0V1Q0\r", "AT+CMEE=2;+X=1,\"a,b\",,3\r", "AT+X?;+X=?\r\nAT+X\r",
    "at+x=\"unterminated\r", "A/", "AT+ASYNC;+X=1\rAT\r", "AT+FAIL\rAT+CMEE=1;+FAIL=1\r",
    "ATS3=13S5=8\r", "AT\x08\x08T\r", "AT+X=\"0123456789012345678901234567890123456789\"\r",
  };
  for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
    emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}
