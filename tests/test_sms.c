/* test_sms: SMS in text mode over the PTYs as a host would: exact bytes of AT+CMGF, AT+CNMI,
 * AT+CPMS, AT+CMGS ("> ", Ctrl-Z, Esc, +CMGS: <mr>), +CMTI for a message the control channel
 * delivers, AT+CMGR/AT+CMGL/AT+CMGD, +CMT with <mt> 2; scenario rules that deliver a message
 * at a time and that fail a send; the +CMS ERROR codes of natural causes. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "fota_host.h"
#include "host.h"

static void deliver(const char *from, const char *text, const char *want_reply)
{
  char req[512], reply[512];
  snprintf(req, sizeof(req), "{\"cmd\":\"sms\",\"from\":\"%s\",\"text\":\"%s\"}", from, text);
  ck_assert_int_eq(ctl(&S, req, reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, want_reply), "%s: %s", req, reply);
}

/* The service centre's time stamp "yy/MM/dd,hh:mm:ss", then exactly rest. */
static void stamp_then(int fd, const char *rest)
{
  char got[32];
  size_t n = tty_read_n(fd, got, 17, 3000);
  got[n] = '\0';
  ck_assert_msg(n == 17 && got[2] == '/' && got[5] == '/' && got[8] == ',' && got[11] == ':' &&
                got[14] == ':', "got %s", show(got, n));
  expect_tty(fd, rest);
}

START_TEST(text_mode_send_receive_read_delete)
{
  start();
  chat(U, "AT+CMGS=\"+15551234\"\r", "\r\n+CMS ERROR: 303\r\n"); /* PDU mode: not built */
  chat(U, "AT+CMGF=1\r", "\r\nOK\r\n");
  chat(U, "AT+CMGF?\r", "\r\n+CMGF: 1\r\n\r\nOK\r\n");
  chat(U, "AT+CSMP=17,167,0,0\r", "\r\nOK\r\n");
  chat(U, "AT+CNMI=2,1,0,0,0\r", "\r\nOK\r\n");
  chat(U, "AT+CPMS=\"SM\",\"SM\",\"SM\"\r", "\r\n+CPMS: 0,50,0,50,0,50\r\n\r\nOK\r\n");
  chat(U, "AT+CMGS=\"+15551234\"\r", "\r\n> ");
  chat(U, "fw B installed\x1a", "\r\n+CMGS: 1\r\n\r\nOK\r\n");
  chat(U, "AT+CMGS=\"+15551234\",145\r", "\r\n> ");
  chat(U, "never mind\x1b", "\r\nOK\r\n"); /* Esc: nothing goes */
  chat(U, "AT+CMGS=\"+15551234\"\r", "\r\n> ");
  chat(U, "second\x1a", "\r\n+CMGS: 2\r\n\r\nOK\r\n");
  chat(U, "AT+CMGS=\"not a number\"\r", "\r\n+CMS ERROR: 305\r\n");
  /* a message arrives: +CMTI on every port, then read, listed, deleted */
  deliver("+4915112345", "update: rev B at http://fw/b.pkg", "\"index\":1");
  expect_tty(U, "\r\n+CMTI: \"SM\",1\r\n");
  expect_tty(M, "\r\n+CMTI: \"SM\",1\r\n");
  chat(U, "AT+CPMS?\r", "\r\n+CPMS: \"SM\",1,50,\"SM\",1,50,\"SM\",1,50\r\n\r\nOK\r\n");
  chat(U, "AT+CMGL=\"REC UNREAD\"\r", "\r\n+CMGL: 1,\"REC UNREAD\",\"+4915112345\",,\"");
  stamp_then(U, "+00\"\r\nupdate: rev B at http://fw/b.pkg\r\n\r\nOK\r\n");
  chat(U, "AT+CMGR=1\r", "\r\n+CMGR: \"REC READ\",\"+4915112345\",,\"");
  stamp_then(U, "+00\"\r\nupdate: rev B at http://fw/b.pkg\r\n\r\nOK\r\n");
  chat(U, "AT+CMGL=\"REC UNREAD\"\r", "\r\nOK\r\n"); /* read now */
  chat(U, "AT+CMGR=2\r", "\r\n+CMS ERROR: 321\r\n");
  chat(U, "AT+CMGD=1\r", "\r\nOK\r\n");
  chat(U, "AT+CMGR=1\r", "\r\n+CMS ERROR: 321\r\n");
  chat(U, "AT+CMGD=1\r", "\r\n+CMS ERROR: 321\r\n");
  /* <mt> 2: shown at once, not stored */
  chat(U, "AT+CNMI=2,2,0,0,0\r", "\r\nOK\r\n");
  deliver("+4915112345", "direct", "\"index\":0");
  expect_tty(U, "\r\n+CMT: \"+4915112345\",,\"");
  stamp_then(U, "+00\"\r\ndirect\r\n");
  chat(U, "AT+CPMS?\r", "\r\n+CPMS: \"SM\",0,50,\"SM\",0,50,\"SM\",0,50\r\n\r\nOK\r\n");
  /* the store holds 50 */
  chat(U, "AT+CNMI=2,0,0,0,0\r", "\r\nOK\r\n");
  for (int i = 0; i < 50; i++)
    deliver("+1555", "fill", "\"ok\":true");
  deliver("+1555", "one too many", "store is full");
  chat(U, "AT+CMGD=1,4\r", "\r\nOK\r\n");
  chat(U, "AT+CPMS?\r", "\r\n+CPMS: \"SM\",0,50,");
  deliver("12ab", "bad", "must be a phone number");
}
END_TEST

/* Scenario rules: messages that arrive when the host sends a command (a time rule's action is
 * the same), and a send that fails with an SMS code. */
START_TEST(sms_rules)
{
  char got[256];
  start_with_rules("faults:\n  - command: AT+CPMS\n    sms_from: \"+4930123\"\n    sms_text: \"early\"\n"
                   "  - command: AT+CMGF\n    sms_from: \"+4930123\"\n    sms_text: \"ping\"\n"
                   "  - sms: send\n    occurrence: 1\n    fail: 332\n");
  chat(U, "AT+CPMS?\r", "\r\n+CPMS: \"SM\",1,50,\"SM\",1,50,\"SM\",1,50\r\n\r\nOK\r\n"
                        "\r\n+CMTI: \"SM\",1\r\n"); /* the rule acts before the command */
  chat(U, "AT+CMGF=1\r", "\r\nOK\r\n\r\n+CMTI: \"SM\",2\r\n");
  chat(U, "AT+CMGR=2\r", "\r\n+CMGR: \"REC UNREAD\",\"+4930123\",,\"");
  stamp_then(U, "+00\"\r\nping\r\n\r\nOK\r\n");
  chat(U, "AT+CMGR=1\r", "\r\n+CMGR: \"REC UNREAD\",\"+4930123\",,\"");
  stamp_then(U, "+00\"\r\nearly\r\n\r\nOK\r\n");
  chat(U, "AT+CMGS=\"+4930123\"\r", "\r\n> ");
  chat(U, "pong\x1a", "\r\n+CMS ERROR: 332\r\n");
  chat(U, "AT+CMGS=\"+4930123\"\r", "\r\n> ");
  chat(U, "pong\x1a", "\r\n+CMGS: 1\r\n\r\nOK\r\n"); /* the rule is spent */
  chat(U, "AT+CFUN=4\r", "\r\nOK\r\n");
  tty_read_for(U, got, sizeof(got), 300);
  chat(U, "AT+CMGS=\"+4930123\"\r", "\r\n> ");
  chat(U, "pong\x1a", "\r\n+CMS ERROR: 302\r\n"); /* radio off */
}
END_TEST

int main(void)
{
  Suite *s = suite_create("sms");
  TCase *t = tcase_create("sms");
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, text_mode_send_receive_read_delete);
  tcase_add_test(t, sms_rules);
  suite_add_tcase(s, t);
  return run_suite(s);
}
