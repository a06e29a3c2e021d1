/* test_at: unit tests of the AT layer (line assembly, parser, session) against SPEC section 2,
 * with a small command table of its own, asserting the exact bytes written. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_parser.h"
#include "at_session.h"
#include "errors.h"

static char out[65536];
static size_t out_len;
static struct at_session S;
static int idle_calls;
static char last_result[64];

static void cap_write(void *user, const char *data, size_t len)
{
  (void)user;
  ck_assert_uint_lt(out_len + len, sizeof(out));
  memcpy(out + out_len, data, len);
  out_len += len;
}

static void cap_result(void *user, const struct at_cmd *cmd, const char *result)
{
  (void)user;
  (void)cmd;
  snprintf(last_result, sizeof(last_result), "%s", result);
}

static void cap_idle(void *user)
{
  (void)user;
  idle_calls++;
}

static int set_basic(struct at_call *c, int *field)
{
  long v = 0;
  if (at_param_present(c, 0) && at_param_int(c, 0, 0, 1, &v) != 0)
    return AT_ERROR;
  *field = (int)v;
  return AT_OK;
}
static int h_echo(struct at_call *c) { return set_basic(c, &c->session->set.echo); }
static int h_verbose(struct at_call *c) { return set_basic(c, &c->session->set.verbose); }
static int h_quiet(struct at_call *c) { return set_basic(c, &c->session->set.quiet); }
static int h_cmee(struct at_call *c)
{
  long v;
  if (at_param_int(c, 0, 0, 2, &v) != 0)
    return CME_INCORRECT_PARAMETERS;
  c->session->set.cmee = (int)v;
  return AT_OK;
}
static int h_s_write(struct at_call *c)
{
  long r, v;
  if (at_param_int(c, 0, 0, 255, &r) != 0 || at_param_int(c, 1, 0, 127, &v) != 0)
    return AT_ERROR;
  if (r == 3)
    c->session->set.s3 = (unsigned char)v;
  else if (r == 5)
    c->session->set.s5 = (unsigned char)v;
  else
    return AT_ERROR;
  return AT_OK;
}
/* +X: each form prints what it got, so the parser's work can be read back. */
static int h_x_test(struct at_call *c) { at_info(c, "+X: test"); return AT_OK; }
static int h_x_read(struct at_call *c) { at_info(c, "+X: read"); return AT_OK; }
static int h_x_exec(struct at_call *c) { at_info(c, "+X: exec"); return AT_OK; }
static int h_x_write(struct at_call *c)
{
  char buf[2 * AT_LINE_MAX];
  size_t n = 0;
  for (int i = 0; i < c->cmd->nparams && n < sizeof(buf); i++) {
    const struct at_param *p = &c->cmd->params[i];
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s%s", i ? "|" : "",
                          p->quoted ? "q:" : "", p->present ? "" : "<none>", p->s);
  }
  buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
  at_info(c, "+X: %s", buf);
  return AT_OK;
}
static int h_two_lines(struct at_call *c)
{
  at_info(c, "line1");
  at_info(c, "line2");
  return AT_OK;
}
static int h_fail(struct at_call *c) { (void)c; return CME_INCORRECT_PARAMETERS; }
static int h_async(struct at_call *c) { (void)c; return AT_PENDING; }
static int h_urc_inside(struct at_call *c)
{
  at_urc(c->session, "+URC: during");
  at_info(c, "+INSIDE: 1");
  return AT_OK;
}

static const struct at_command table[] = {
  { "E", NULL, NULL, NULL, h_echo },
  { "V", NULL, NULL, NULL, h_verbose },
  { "Q", NULL, NULL, NULL, h_quiet },
  { "S", NULL, NULL, h_s_write, NULL },
  { "+CMEE", NULL, NULL, h_cmee, NULL },
  { "+X", h_x_test, h_x_read, h_x_write, h_x_exec },
  { "+TWO", NULL, NULL, NULL, h_two_lines },
  { "+FAIL", NULL, NULL, NULL, h_fail },
  { "+ASYNC", NULL, NULL, NULL, h_async },
  { "+INSIDE", NULL, NULL, NULL, h_urc_inside },
};

static const struct at_session_ops ops = { cap_write, NULL, cap_result, cap_idle, NULL, NULL };

static void setup(void)
{
  out_len = 0;
  idle_calls = 0;
  last_result[0] = '\0';
  at_session_init(&S, table, sizeof(table) / sizeof(table[0]), &ops, NULL);
}

static void feed(const char *s)
{
  size_t n = strlen(s);
  ck_assert_uint_eq(at_session_input(&S, s, n), n);
}

static void feedn(const char *s, size_t n)
{
  ck_assert_uint_eq(at_session_input(&S, s, n), n);
}

/* Asserts what was written since the last check, exactly, then forgets it. */
#define expect(want) expect_bytes(want, sizeof(want) - 1, __LINE__)
static void expect_bytes(const char *want, size_t n, int line)
{
  if (out_len != n || memcmp(out, want, n) != 0) {
    char got[1024];
    size_t k = 0;
    for (size_t i = 0; i < out_len && k < sizeof(got) - 8; i++) {
      unsigned char ch = (unsigned char)out[i];
      k += (size_t)(ch >= 0x20 && ch < 0x7f ? snprintf(got + k, sizeof(got) - k, "%c", ch)
                                            : snprintf(got + k, sizeof(got) - k, "\\x%02x", ch));
    }
    ck_abort_msg("line %d: output was \"%s\" (%zu bytes, wanted %zu)", line, got, out_len, n);
  }
  out_len = 0;
}

START_TEST(plain_at_ok_with_echo)
{
  feed("AT\r");
  expect("AT\r\r\nOK\r\n");
}
END_TEST

START_TEST(lowercase_prefix)
{
  feed("at+x\r");
  expect("at+x\r\r\n+X: exec\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(mixed_case_prefix)
{
  feed("aT+x?\r");
  expect("aT+x?\r\r\n+X: read\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(garbage_before_at_discarded)
{
  static const char in[] = "xyz\n\x00\xff" "AT\r";
  feedn(in, sizeof(in) - 1);
  expect("AT\r\r\nOK\r\n");
}
END_TEST

START_TEST(lf_after_s3_ignored)
{
  feed("AT\r\nAT\r\n");
  expect("AT\r\r\nOK\r\nAT\r\r\nOK\r\n");
}
END_TEST

START_TEST(backspace_deletes)
{
  feed("AT+Y\bX\r");
  expect("AT+Y\bX\r\r\n+X: exec\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(backspace_over_t_restarts)
{
  feed("AT\bT+X\r");
  expect("AT\bT+X\r\r\n+X: exec\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(changed_s3_terminates)
{
  feed("ATS3=33\r"); /* the new S3 already frames this line's result */
  expect("ATS3=33\r!\nOK!\n");
  feed("AT+X!");
  expect("AT+X!!\n+X: exec!\n!\nOK!\n");
}
END_TEST

START_TEST(echo_off)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+X\r");
  expect("\r\n+X: exec\r\n\r\nOK\r\n");
  feed("ATE1\r");
  expect("\r\nOK\r\n");
  feed("AT\r");
  expect("AT\r\r\nOK\r\n");
}
END_TEST

START_TEST(numeric_results_v0)
{
  feed("ATE0V0\r");
  expect("ATE0V0\r0\r");
  feed("AT+X\r");
  expect("+X: exec\r\n0\r");
  feed("AT+NOPE\r");
  expect("4\r");
  feed("ATV1\r");
  expect("\r\nOK\r\n");
}
END_TEST

START_TEST(quiet_suppresses_result_codes)
{
  feed("ATE0Q1\r");
  expect("ATE0Q1\r");
  feed("AT+X\r");
  expect("\r\n+X: exec\r\n");
  feed("AT+FAIL\r");
  expect("");
  feed("ATQ0\r");
  expect("\r\nOK\r\n");
}
END_TEST

START_TEST(cmee_modes)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+FAIL\r"); /* default CMEE=1 */
  expect("\r\n+CME ERROR: 50\r\n");
  feed("AT+CMEE=2\r");
  expect("\r\nOK\r\n");
  feed("AT+FAIL\r");
  expect("\r\n+CME ERROR: incorrect parameters\r\n");
  feed("AT+CMEE=0\r");
  expect("\r\nOK\r\n");
  feed("AT+FAIL\r");
  expect("\r\nERROR\r\n");
  feed("AT+CMEE=1;V0\r");
  expect("0\r");
  feed("AT+FAIL\r");
  expect("+CME ERROR: 50\r\n");
}
END_TEST

START_TEST(unknown_command_plain_error)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+NOPE\r");
  expect("\r\nERROR\r\n");
  feed("AT+X=?\r");
  expect("\r\n+X: test\r\n\r\nOK\r\n");
  feed("AT+TWO?\r"); /* a form the command does not have */
  expect("\r\nERROR\r\n");
}
END_TEST

START_TEST(concatenation)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+X;+X?;+X=?\r");
  expect("\r\n+X: exec\r\n\r\n+X: read\r\n\r\n+X: test\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(concatenation_stops_at_error)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+X;+FAIL;+X?\r");
  expect("\r\n+X: exec\r\n\r\n+CME ERROR: 50\r\n");
  feed("AT+X;+NOPE;+X?\r");
  expect("\r\n+X: exec\r\n\r\nERROR\r\n");
}
END_TEST

START_TEST(basic_commands_run_together)
{
  feed("ATE0V0Q0\r");
  expect("ATE0V0Q0\r0\r");
  ck_assert_int_eq(S.set.echo, 0);
  ck_assert_int_eq(S.set.verbose, 0);
  feed("ATV1E1+X\r"); /* typed while echo was off */
  expect("\r\n+X: exec\r\n\r\nOK\r\n");
  feed("AT\r");
  expect("AT\r\r\nOK\r\n");
}
END_TEST

START_TEST(write_parameters)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+X=1,\"a,b;c\",,  7 ,\"\"\r");
  expect("\r\n+X: 1|q:a,b;c|<none>|7|q:\r\n\r\nOK\r\n");
  feed("AT+X = \"A b\" , 2\r"); /* spaces outside quotes and names are ignored */
  expect("\r\n+X: q:A b|2\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(unterminated_quote_is_error)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+X=\"abc\r");
  expect("\r\nERROR\r\n");
  feed("AT+X=\"a\"b\r");
  expect("\r\nERROR\r\n");
}
END_TEST

START_TEST(repeat_last_line)
{
  feed("AT+X?\r");
  expect("AT+X?\r\r\n+X: read\r\n\r\nOK\r\n");
  feed("A/");
  expect("A/\r\n+X: read\r\n\r\nOK\r\n");
  feed("a/");
  expect("a/\r\n+X: read\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(overlong_line_error_then_good)
{
  char line[AT_LINE_MAX + 64];
  memset(line, 'X', sizeof(line));
  memcpy(line, "ATE0\r", 5);
  feedn(line, 5);
  expect("ATE0\r\r\nOK\r\n");
  memcpy(line, "AT+X=", 5);
  line[AT_LINE_MAX + 1] = '\r'; /* AT_LINE_MAX + 1 bytes before S3: one too many */
  feedn(line, AT_LINE_MAX + 2);
  expect("\r\nERROR\r\n");
  feed("AT+X\r");
  expect("\r\n+X: exec\r\n\r\nOK\r\n");
  /* exactly AT_LINE_MAX bytes is accepted */
  memset(line, '1', sizeof(line));
  memcpy(line, "AT+X=", 5);
  line[AT_LINE_MAX] = '\r';
  feedn(line, AT_LINE_MAX + 1);
  ck_assert_str_eq(last_result, "OK");
  out_len = 0;
}
END_TEST

START_TEST(multiline_info)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+TWO\r");
  expect("\r\nline1\r\nline2\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(urc_immediate_when_idle)
{
  at_urc(&S, "+URC: 1");
  expect("\r\n+URC: 1\r\n");
}
END_TEST

START_TEST(urc_queued_during_command)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+INSIDE\r");
  expect("\r\n+INSIDE: 1\r\n\r\nOK\r\n\r\n+URC: during\r\n");
}
END_TEST

START_TEST(async_command_holds_input_and_urcs)
{
  const char *rest = "AT+X\r";
  size_t used;
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  used = at_session_input(&S, "AT+ASYNC;+X?\rAT+X\r", 18);
  ck_assert_uint_eq(used, 13); /* stops after the line that went asynchronous */
  ck_assert(S.busy);
  at_urc(&S, "+URC: later");
  expect("");
  at_session_complete(&S, AT_OK); /* the rest of the line runs, then the result, then URCs */
  expect("\r\n+X: read\r\n\r\nOK\r\n\r\n+URC: later\r\n");
  ck_assert_int_eq(idle_calls, 1);
  feed(rest);
  expect("\r\n+X: exec\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(async_command_failure)
{
  feed("ATE0\r");
  expect("ATE0\r\r\nOK\r\n");
  feed("AT+ASYNC;+X\r");
  at_session_complete(&S, 21);
  expect("\r\n+CME ERROR: 21\r\n");
}
END_TEST

START_TEST(parser_forms)
{
  struct at_cmd c;
  size_t pos = 0;
  const char *b = "+CSQ;S3?;S5=8;&W0;E1;D*99#;+C=?";
  size_t n = strlen(b);
  ck_assert_int_eq(at_parse_next(b, n, &pos, &c), AT_PARSE_OK);
  ck_assert_str_eq(c.name, "+CSQ");
  ck_assert_int_eq(c.form, AT_FORM_EXEC);
  ck_assert_int_eq(at_parse_next(b, n, &pos, &c), AT_PARSE_OK);
  ck_assert_str_eq(c.name, "S");
  ck_assert_int_eq(c.form, AT_FORM_READ);
  ck_assert_str_eq(c.params[0].s, "3");
  ck_assert_int_eq(at_parse_next(b, n, &pos, &c), AT_PARSE_OK);
  ck_assert_int_eq(c.form, AT_FORM_WRITE);
  ck_assert_str_eq(c.params[1].s, "8");
  ck_assert_int_eq(at_parse_next(b, n, &pos, &c), AT_PARSE_OK);
  ck_assert_str_eq(c.name, "&W");
  ck_assert_str_eq(c.params[0].s, "0");
  ck_assert_int_eq(at_parse_next(b, n, &pos, &c), AT_PARSE_OK);
  ck_assert_str_eq(c.name, "E");
  ck_assert_int_eq(at_parse_next(b, n, &pos, &c), AT_PARSE_OK);
  ck_assert_str_eq(c.name, "D");
  ck_assert_str_eq(c.params[0].s, "*99#");
  ck_assert_int_eq(at_parse_next(b, n, &pos, &c), AT_PARSE_OK);
  ck_assert_str_eq(c.name, "+C");
  ck_assert_int_eq(c.form, AT_FORM_TEST);
  ck_assert_int_eq(at_parse_next(b, n, &pos, &c), AT_PARSE_END);
}
END_TEST

START_TEST(parser_rejects_junk)
{
  struct at_cmd c;
  const char *bad[] = { "+", "#", "+X?junk", "+X=?1", "S", "Sx", "&", "+X=1,\"a", "\x01" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    size_t pos = 0;
    ck_assert_msg(at_parse_next(bad[i], strlen(bad[i]), &pos, &c) == AT_PARSE_SYNTAX,
                  "accepted \"%s\"", bad[i]);
  }
  { /* a NUL inside a value, quoted or not: C code would read it cut short */
    static const char quoted[] = "+QCFG=\"fota/path\",\"UFS:a\0b\"", bare[] = "+X=1\0002";
    size_t pos = 0;
    ck_assert_int_eq(at_parse_next(quoted, sizeof(quoted) - 1, &pos, &c), AT_PARSE_SYNTAX);
    pos = 0;
    ck_assert_int_eq(at_parse_next(bare, sizeof(bare) - 1, &pos, &c), AT_PARSE_SYNTAX);
  }
}
END_TEST

START_TEST(parser_too_many_params)
{
  struct at_cmd c;
  char b[200] = "+X=";
  size_t pos = 0;
  for (int i = 0; i < AT_MAX_PARAMS + 1; i++)
    strcat(b, "1,");
  ck_assert_int_eq(at_parse_next(b, strlen(b), &pos, &c), AT_PARSE_SYNTAX);
}
END_TEST

/* Every byte value in any order must leave the session able to answer. */
START_TEST(random_bytes_never_break_session)
{
  unsigned seed = 12345;
  char buf[4096];
  for (int round = 0; round < 200; round++) {
    for (size_t i = 0; i < sizeof(buf); i++) {
      seed = seed * 1103515245u + 12345u;
      buf[i] = (char)(seed >> 16);
      if ((seed >> 8) % 7 == 0)
        buf[i] = "AT+X=\";,?\r\b"[(seed >> 4) % 11];
    }
    at_session_input(&S, buf, sizeof(buf));
    if (S.busy)
      at_session_complete(&S, AT_OK);
  }
  at_session_reset(&S);
  S.set.s3 = '\r';
  S.set.s5 = '\b';
  S.set.echo = 0;
  S.set.verbose = 1;
  S.set.quiet = 0;
  out_len = 0;
  feed("\rAT\r");
  expect("\r\nOK\r\n");
}
END_TEST

static Suite *at_suite(void)
{
  Suite *s = suite_create("at");
  TCase *t = tcase_create("session");
  tcase_add_checked_fixture(t, setup, NULL);
  tcase_add_test(t, plain_at_ok_with_echo);
  tcase_add_test(t, lowercase_prefix);
  tcase_add_test(t, mixed_case_prefix);
  tcase_add_test(t, garbage_before_at_discarded);
  tcase_add_test(t, lf_after_s3_ignored);
  tcase_add_test(t, backspace_deletes);
  tcase_add_test(t, backspace_over_t_restarts);
  tcase_add_test(t, changed_s3_terminates);
  tcase_add_test(t, echo_off);
  tcase_add_test(t, numeric_results_v0);
  tcase_add_test(t, quiet_suppresses_result_codes);
  tcase_add_test(t, cmee_modes);
  tcase_add_test(t, unknown_command_plain_error);
  tcase_add_test(t, concatenation);
  tcase_add_test(t, concatenation_stops_at_error);
  tcase_add_test(t, basic_commands_run_together);
  tcase_add_test(t, write_parameters);
  tcase_add_test(t, unterminated_quote_is_error);
  tcase_add_test(t, repeat_last_line);
  tcase_add_test(t, overlong_line_error_then_good);
  tcase_add_test(t, multiline_info);
  tcase_add_test(t, urc_immediate_when_idle);
  tcase_add_test(t, urc_queued_during_command);
  tcase_add_test(t, async_command_holds_input_and_urcs);
  tcase_add_test(t, async_command_failure);
  tcase_add_test(t, random_bytes_never_break_session);
  suite_add_tcase(s, t);
  t = tcase_create("parser");
  tcase_add_test(t, parser_forms);
  tcase_add_test(t, parser_rejects_junk);
  tcase_add_test(t, parser_too_many_params);
  suite_add_tcase(s, t);
  return s;
}

int main(void)
{
  SRunner *sr = srunner_create(at_suite());
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
