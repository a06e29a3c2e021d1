/* test_socket_faults: the scenario's socket fault rules against a real echo server on
 * 127.0.0.1: a refused connect, a connect that fails with a chosen code or never completes
 * (569), a connection reset on the N-th send, corrupted bytes past an offset, a stalled socket,
 * a context dropped under a socket, rules injected through the control channel, and the
 * rules the loader refuses. Exact bytes on the module's port. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_server.h"
#include "fota_host.h"
#include "host.h"


/* fotasim with these fault rules (a scenario's faults list). */
static void up_with(const char *faults)
{
  char yaml[2048];
  snprintf(yaml, sizeof(yaml), "faults:\n%s", faults);
  start_data(yaml);
}

static void open_result(int id, int err)
{
  char cmd[128], want[64];
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,%d,\"TCP\",\"127.0.0.1\",%d,0,0\r", id, tcp_port);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QIOPEN: %d,%d\r\n", id, err);
  chat(M, cmd, want);
}

/* AT+QISEND=<id>,<len>, the prompt, the bytes; then the result line. */
static void send_text(int id, const char *text, const char *result)
{
  char cmd[64];
  snprintf(cmd, sizeof(cmd), "AT+QISEND=%d,%zu\r", id, strlen(text));
  chat(M, cmd, "\r\n> ");
  tty_send(M, text, strlen(text));
  expect_tty(M, result);
}

static void read_back(int id, const char *text)
{
  char cmd[64], want[256];
  snprintf(cmd, sizeof(cmd), "AT+QIRD=%d,1500\r", id);
  snprintf(want, sizeof(want), "\r\n+QIRD: %zu\r\n%s\r\n\r\nOK\r\n", strlen(text), text);
  chat(M, cmd, want);
}

START_TEST(connect_rules)
{
  up_with("  - socket: connect\n    id: 1\n    refuse: true\n"
          "  - socket: connect\n    id: 2\n    fail: 569\n"
          "  - socket: connect\n    occurrence: 4\n    refuse: true\n"
          "  - socket: connect\n    id: 5\n    stall: true\n");
  open_result(1, 566);
  open_result(2, 569);
  open_result(0, 0);
  open_result(3, 566); /* the 4th connect of any socket */
  open_result(3, 0);   /* a rule fires once */
  chat(M, "AT+QIGETERROR\r", "\r\n+QIGETERROR: 0,operation success\r\n\r\nOK\r\n");
  open_result(1, 0);
  /* the SYN goes nowhere: after the wait for a connect (real time, 5 s at --timing instant) */
  {
    char cmd[128], buf[64];
    size_t n;
    snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,5,\"TCP\",\"127.0.0.1\",%d,0,0\r", tcp_port);
    chat(M, cmd, "\r\nOK\r\n");
    n = tty_read_for(M, buf, sizeof(buf) - 1, 3000);
    ck_assert_msg(n == 0, "too early: %s", show(buf, n));
    expect_tty(M, "\r\n+QIOPEN: 5,569\r\n");
  }
}
END_TEST

START_TEST(send_and_receive_rules)
{
  up_with("  - socket: send\n    id: 3\n    occurrence: 2\n    drop: true\n"
          "  - socket: receive\n    id: 4\n    offset: 5\n    corrupt: true\n"
          "  - socket: send\n    id: 6\n    stall: true\n");
  open_result(3, 0);
  send_text(3, "first", "\r\nSEND OK\r\n\r\n+QIURC: \"recv\",3\r\n");
  read_back(3, "first");
  /* the second send resets the connection */
  send_text(3, "second", "\r\nSEND FAIL\r\n\r\n+QIURC: \"closed\",3\r\n");
  chat(M, "AT+QISEND=3,1\r", "\r\nERROR\r\n");
  chat(M, "AT+QIGETERROR\r", "\r\n+QIGETERROR: 567,socket has been closed\r\n\r\nOK\r\n");
  /* the bytes past the fifth come with their lowest bit flipped */
  open_result(4, 0);
  send_text(4, "hello world", "\r\nSEND OK\r\n\r\n+QIURC: \"recv\",4\r\n");
  read_back(4, "hello!vnsme");
  send_text(4, "abc", "\r\nSEND OK\r\n\r\n+QIURC: \"recv\",4\r\n");
  read_back(4, "`cb");
  /* a stalled socket takes the data and never sees it acknowledged, nor any answer */
  open_result(6, 0);
  send_text(6, "lost", "\r\nSEND OK\r\n");
  {
    char buf[64];
    size_t n = tty_read_for(M, buf, sizeof(buf), 500);
    ck_assert_msg(n == 0, "%s", show(buf, n));
  }
  chat(M, "AT+QISEND=6,0\r", "\r\n+QISEND: 4,0,4\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(rules_from_the_control_channel)
{
  char reply[512];
  up_with("  - socket: send\n    id: 7\n    pdpdeact: true\n");
  /* the context drops under socket 7 as it sends */
  open_result(7, 0);
  send_text(7, "bye", "\r\nSEND OK\r\n");
  expect_tty(M, "\r\n+QIURC: \"closed\",7\r\n\r\n+QIURC: \"pdpdeact\",1\r\n");
  chat(M, "AT+CGACT?\r", "\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
  chat(M, "AT+QIACT=1\r", "\r\nOK\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"socket\":\"receive\",\"id\":8,"
                           "\"drop\":true}}", reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "\"ok\": true") || strstr(reply, "\"ok\":true"), "%s", reply);
  open_result(8, 0);
  send_text(8, "x", "\r\nSEND OK\r\n");
  expect_tty(M, "\r\n+QIURC: \"recv\",8\r\n\r\n+QIURC: \"closed\",8\r\n");
  read_back(8, "x"); /* what came before the reset can still be read */
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"phase\":\"download\",\"refuse\":true}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "refuse and pdpdeact act on sockets"), "%s", reply);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"socket\":\"send\",\"fail\":601}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "a socket fails with a TCP/IP code (550-574)"), "%s", reply);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"socket\":\"receive\",\"occurrence\":2,"
                           "\"drop\":true}}", reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "counts bytes"), "%s", reply);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("socket-faults");
  TCase *t = tcase_create("socket-faults");
  tcase_add_checked_fixture(t, echo_fixture_setup, echo_fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, connect_rules);
  tcase_add_test(t, send_and_receive_rules);
  tcase_add_test(t, rules_from_the_control_channel);
  suite_add_tcase(s, t);
  return run_suite(s);
}
