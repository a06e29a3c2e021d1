/* test_time: the clock commands against a real SNTP exchange: AT+QNTP with a responder the
 * test runs on 127.0.0.1 (a forked child with a UDP socket answering a fixed time), one that
 * never answers, an unknown name, no context; the clock it sets read back with AT+CCLK; ntp fault rules (a silent server, a code);
 * AT+CTZU kept across a restart. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fota_host.h"
#include "host.h"

#define SERVER_TIME 1893553445u  /* 2030-01-02 03:04:05 UTC */

static pid_t responder;
static int ntp_port, silent_port, silent_fd;

static int udp_bound(int *port)
{
  struct sockaddr_in a;
  socklen_t l = sizeof(a);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &l) != 0)
    return -1;
  *port = ntohs(a.sin_port);
  return fd;
}

/* A server's answer to each request for at most 120 s: mode 4, stratum 2, the request's transmit
 * time as origin, SERVER_TIME as its transmit time. */
static void serve(int fd)
{
  struct timeval tv = { 1, 0 };
  time_t end = time(NULL) + 120;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  while (time(NULL) < end) {
    unsigned char in[512], out[48];
    struct sockaddr_in from;
    socklen_t fl = sizeof(from);
    uint32_t t = htonl(SERVER_TIME + 2208988800u);
    ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);
    if (n < 48)
      continue;
    memset(out, 0, sizeof(out));
    out[0] = (4 << 3) | 4;
    out[1] = 2;
    memcpy(out + 24, in + 40, 8);
    memcpy(out + 40, &t, 4);
    sendto(fd, out, sizeof(out), 0, (struct sockaddr *)&from, fl);
  }
  _exit(0);
}

static void servers_up(void)
{
  int fd = udp_bound(&ntp_port);
  silent_fd = udp_bound(&silent_port); /* bound, never answers */
  if (fd < 0 || silent_fd < 0) {
    fprintf(stderr, "test_time: no UDP socket on 127.0.0.1\n");
    exit(1);
  }
  responder = fork();
  if (responder == 0) {
    signal(SIGTERM, SIG_DFL);
    serve(fd);
  }
  close(fd);
}

static void servers_down(void)
{
  kill(responder, SIGTERM);
  waitpid(responder, NULL, 0);
  close(silent_fd);
}

/* AT+CCLK? answers a time that starts with prefix (the seconds run on). */
static void clock_reads(const char *prefix)
{
  char got[128];
  size_t n;
  tty_send(U, "AT+CCLK?\r", 9);
  n = tty_read_for(U, got, sizeof(got) - 1, 500);
  got[n] = '\0';
  ck_assert_msg(!strncmp(got, prefix, strlen(prefix)), "got %s", show(got, n));
}

START_TEST(qntp_sets_the_clock)
{
  char cmd[96], want[96], got[128];
  size_t n;
  start();
  snprintf(cmd, sizeof(cmd), "AT+QNTP=1,\"127.0.0.1\",%d\r", ntp_port);
  chat(U, cmd, "\r\nOK\r\n\r\n+QNTP: 561\r\n"); /* no context yet */
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
  chat(U, cmd, "\r\nOK\r\n\r\n+QNTP: 0,\"2030/01/02,03:04:05+00\"\r\n");
  clock_reads("\r\n+CCLK: \"30/01/02,03:04:0");
  /* <autosettime> 0: the time is told, the clock stays */
  chat(U, "AT+CCLK=\"24/05/06,07:08:09+00\"\r", "\r\nOK\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QNTP=1,\"localhost\",%d,0\r", ntp_port);
  chat(U, cmd, "\r\nOK\r\n\r\n+QNTP: 0,\"2030/01/02,03:04:05+00\"\r\n");
  clock_reads("\r\n+CCLK: \"24/05/06,07:08:");
  chat(U, "AT+QNTP=1,\"ntp.nowhere.example\"\r", "\r\nOK\r\n\r\n+QNTP: 565\r\n");
  chat(U, "AT+QNTP=1\r", "\r\n+CME ERROR: 552\r\n");
  chat(U, "AT+QNTP=0,\"127.0.0.1\"\r", "\r\n+CME ERROR: 552\r\n");
  /* a server that never answers: 569 after the wait (10 s virtual, at least 2 s real) */
  snprintf(cmd, sizeof(cmd), "AT+QNTP=1,\"127.0.0.1\",%d\r", silent_port);
  chat(U, cmd, "\r\nOK\r\n");
  chat(U, cmd, "\r\n+CME ERROR: 568\r\n"); /* one at a time */
  n = tty_read_for(U, got, sizeof(got) - 1, 5000);
  snprintf(want, sizeof(want), "\r\n+QNTP: 569\r\n");
  ck_assert_msg(n == strlen(want) && !memcmp(got, want, n), "got %s", show(got, n));
}
END_TEST

/* ntp rules: the first query meets a silent server (569 after the wait), the second a code at
 * once; the third is the real exchange; one more injected from the control channel. */
START_TEST(ntp_fault_rules)
{
  char cmd[96], got[128], reply[256];
  size_t n;
  start_with_rules("faults:\n  - ntp: query\n    occurrence: 1\n    stall: true\n"
                   "  - ntp: query\n    occurrence: 2\n    fail: 565\n");
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QNTP=1,\"127.0.0.1\",%d\r", ntp_port);
  chat(U, cmd, "\r\nOK\r\n");
  n = tty_read_for(U, got, sizeof(got) - 1, 6000);
  ck_assert_msg(n == 14 && !memcmp(got, "\r\n+QNTP: 569\r\n", n), "got %s", show(got, n));
  chat(U, cmd, "\r\nOK\r\n\r\n+QNTP: 565\r\n");
  chat(U, cmd, "\r\nOK\r\n\r\n+QNTP: 0,\"2030/01/02,03:04:05+00\"\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"ntp\":\"query\",\"fail\":550}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "true"), "%s", reply);
  chat(U, cmd, "\r\nOK\r\n\r\n+QNTP: 550\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"ntp\":\"query\",\"drop\":true}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "an ntp: query rule stalls (the server is silent: 569) or fails"),
                "%s", reply);
}
END_TEST

START_TEST(ctzu_is_kept)
{
  start();
  chat(U, "AT+CTZU?\r", "\r\n+CTZU: 0\r\n\r\nOK\r\n");
  chat(U, "AT+CTZU=?\r", "\r\n+CTZU: (0,1)\r\n\r\nOK\r\n");
  chat(U, "AT+CTZU=2\r", "\r\n+CME ERROR: 50\r\n");
  chat(U, "AT+CTZU=1\r", "\r\nOK\r\n");
  ck_assert_int_eq(sim_stop(&S), 0);
  close(M);
  close(U);
  start();
  chat(U, "AT+CTZU?\r", "\r\n+CTZU: 1\r\n\r\nOK\r\n");
}
END_TEST

int main(void)
{
  int rc;
  Suite *s = suite_create("time");
  TCase *t = tcase_create("time");
  servers_up();
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, qntp_sets_the_clock);
  tcase_add_test(t, ntp_fault_rules);
  tcase_add_test(t, ctzu_is_kept);
  suite_add_tcase(s, t);
  rc = run_suite(s);
  servers_down();
  return rc;
}
