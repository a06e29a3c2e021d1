/* test_ssl: the SSL note's commands against real TLS servers (openssl s_server -rev on
 * 127.0.0.1, with a CA, server and client certificates the test makes with openssl), the files
 * uploaded with AT+QFUPL as a host would: seclevel 0, 1 (the right CA, a wrong CA, a name that
 * does not match) and 2 (a server that wants a client certificate), buffer, direct push and
 * transparent access, a server that is not TLS, a server that goes away, the settings. */
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
#include "loopback.h"
#include "server_proc.h"

static char certs[256];          /* the test's CA, certificates and keys */

/* ---- the certificates, made once per test process ---- */

static void openssl(const char *args)
{
  char cmd[2048];
  snprintf(cmd, sizeof(cmd), "cd '%s' && openssl %s >/dev/null 2>&1", certs, args);
  if (system(cmd) != 0) { /* before the tests run: no check assertions here */
    fprintf(stderr, "test_ssl: openssl %s failed\n", args);
    exit(1);
  }
}

/* A CA that signs the server's (CN tls.example) and the client's certificate, and a second
 * CA that signs nothing here. P-256 keys, as small embedded CAs use. */
static void make_certs(void)
{
  static const char ec[] = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  char args[512];
  snprintf(certs, sizeof(certs), "/tmp/fotasim-ssl-XXXXXX");
  if (!mkdtemp(certs)) {
    perror("test_ssl: mkdtemp");
    exit(1);
  }
  snprintf(args, sizeof(args), "req -x509 %s -keyout ca.key -out ca.pem -days 30 -subj /CN=testca", ec);
  openssl(args);
  snprintf(args, sizeof(args), "req -x509 %s -keyout other.key -out other.pem -days 30 -subj /CN=otherca", ec);
  openssl(args);
  snprintf(args, sizeof(args), "req %s -keyout srv.key -out srv.csr -subj /CN=tls.example", ec);
  openssl(args);
  openssl("x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 30");
  snprintf(args, sizeof(args), "req %s -keyout cli.key -out cli.csr -subj /CN=device-1", ec);
  openssl(args);
  openssl("x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem -days 30");
}

/* ---- the servers ---- */

static pid_t servers[2] = { -1, -1 };

/* openssl s_server -rev (each line comes back reversed) on 127.0.0.1; with_ca: it asks for a
 * client certificate signed by the test CA and refuses a handshake without one. Stops after
 * 120 s at the most. A server whose port was taken before it bound it gets another, five
 * times at the most; its output is in CERTS/s_server.log. */
static int tls_server(int slot, int with_ca)
{
  char accept[32], log[300], why[512] = "";
  const char *plain[] = { "openssl", "s_server", "-accept", accept, "-cert", "srv.pem", "-key",
                          "srv.key", "-rev", "-quiet", NULL };
  const char *ca[] = { "openssl", "s_server", "-accept", accept, "-cert", "srv.pem", "-key",
                       "srv.key", "-rev", "-quiet", "-Verify", "1", "-CAfile", "ca.pem", NULL };
  snprintf(log, sizeof(log), "%s/s_server.log", certs);
  for (int attempt = 0; attempt < 5; attempt++) {
    int port = loopback_free_port();
    ck_assert_int_gt(port, 0);
    snprintf(accept, sizeof(accept), "127.0.0.1:%d", port);
    servers[slot] = server_spawn(with_ca ? ca : plain, certs, log, port, 120, 5000, why,
                                 sizeof(why));
    if (servers[slot] > 0)
      return port;
    if (servers[slot] < 0)
      break;
  }
  servers[slot] = -1;
  ck_abort_msg("openssl s_server did not start: %s", why);
  return -1;
}

static void stop_server(int slot)
{
  server_stop(servers[slot]);
  servers[slot] = -1;
}

static void setup(void)
{
  fixture_setup();
}

static void teardown(void)
{
  stop_server(0);
  stop_server(1);
  fixture_teardown();
}

/* ---- the host side ---- */

static void up(void)
{
  start_data("network:\n  dns:\n    tls.example: 127.0.0.1\n");
}

static void upload(const char *file, const char *as)
{
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", certs, file);
  ufs_upload(M, path, as);
}

static void ssl_open(int ctx, int id, const char *host, int port, int mode, int err)
{
  char cmd[160], want[64];
  snprintf(cmd, sizeof(cmd), "AT+QSSLOPEN=1,%d,%d,\"%s\",%d,%d\r", ctx, id, host, port, mode);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QSSLOPEN: %d,%d\r\n", id, err);
  chat(M, cmd, want);
}

static void ssl_send(int id, const char *text)
{
  char cmd[64];
  snprintf(cmd, sizeof(cmd), "AT+QSSLSEND=%d,%zu\r", id, strlen(text));
  chat(M, cmd, "\r\n> ");
  tty_send(M, text, strlen(text));
  expect_tty(M, "\r\nSEND OK\r\n");
}

/* One line there and back, reversed by the server, read with AT+QSSLRECV. */
static void round_trip(int id, const char *line, const char *back)
{
  char want[256];
  ssl_send(id, line);
  snprintf(want, sizeof(want), "\r\n+QSSLURC: \"recv\",%d\r\n", id);
  expect_tty(M, want);
  snprintf(want, sizeof(want), "AT+QSSLRECV=%d,1500\r", id);
  {
    char expect[256];
    snprintf(expect, sizeof(expect), "\r\n+QSSLRECV: %zu\r\n%s\r\n\r\nOK\r\n", strlen(back), back);
    chat(M, want, expect);
  }
}

static void cfg(const char *setting)
{
  char cmd[160];
  snprintf(cmd, sizeof(cmd), "AT+QSSLCFG=%s\r", setting);
  chat(M, cmd, "\r\nOK\r\n");
}

/* Transparent mode: a line out, the reversed line back, byte for byte. */
static void online_line(const char *line, const char *back)
{
  char buf[64];
  size_t n = strlen(back);
  tty_send(M, line, strlen(line));
  ck_assert_uint_eq(tty_read_n(M, buf, n, 3000), n);
  ck_assert_msg(!memcmp(buf, back, n), "%s", show(buf, n));
}

/* "+++" between two guard times: back to command mode. */
static void escape(void)
{
  usleep(1200 * 1000);
  tty_send(M, "+++", 3);
  usleep(1200 * 1000);
  expect_tty(M, "\r\nOK\r\n");
}

/* AT+QSSLCFG="<name>",<ctx>: its one line. */
static void shows(const char *name_ctx, const char *value)
{
  char cmd[128], want[160];
  snprintf(cmd, sizeof(cmd), "AT+QSSLCFG=%s\r", name_ctx);
  snprintf(want, sizeof(want), "\r\n+QSSLCFG: %s,%s\r\n\r\nOK\r\n", name_ctx, value);
  chat(M, cmd, want);
}

START_TEST(seclevel0_buffer_mode)
{
  int port = tls_server(0, 0);
  char cmd[64], buf[256], want[96];
  size_t n;
  up();
  ssl_open(0, 0, "127.0.0.1", port, 0, 0);
  round_trip(0, "hello\n", "olleh\n");
  round_trip(0, "second line\n", "enil dnoces\n");
  chat(M, "AT+QSSLRECV=0,1500\r", "\r\n+QSSLRECV: 0\r\n\r\nOK\r\n");
  tty_send(M, "AT+QSSLSTATE=0\r", 15);
  n = tty_read_for(M, buf, sizeof(buf) - 1, 500);
  buf[n] = '\0';
  snprintf(want, sizeof(want), "\r\n+QSSLSTATE: 0,\"SSLClient\",\"127.0.0.1\",%d,", port);
  ck_assert_msg(!strncmp(buf, want, strlen(want)), "%s", show(buf, n));
  ck_assert_msg(strstr(buf, ",2,1,-1,0,\"uart1\",0\r\n\r\nOK\r\n"), "%s", show(buf, n));
  chat(M, "AT+QISTATE?\r", "\r\nOK\r\n"); /* the TCP/IP list does not show SSL clients */
  /* the id is taken for AT+QIOPEN too */
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",%d\r", port);
  chat(M, cmd, "\r\nOK\r\n\r\n+QIOPEN: 0,563\r\n");
  chat(M, "AT+QSSLCLOSE=0\r", "\r\nOK\r\n");
  chat(M, "AT+QSSLSTATE\r", "\r\nOK\r\n");
  chat(M, "AT+QSSLSEND=0,3\r", "\r\nERROR\r\n");
  chat(M, "AT+QIGETERROR\r", "\r\n+QIGETERROR: 572,operation not allowed\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(seclevel1_checks_the_server)
{
  int port = tls_server(0, 0);
  up();
  upload("ca.pem", "ca.pem");
  upload("other.pem", "other.pem");
  cfg("\"cacert\",1,\"UFS:ca.pem\"");
  cfg("\"seclevel\",1,1");
  cfg("\"sni\",1,1");
  shows("\"cacert\",1", "\"UFS:ca.pem\"");
  shows("\"seclevel\",1", "1");
  ssl_open(1, 2, "tls.example", port, 0, 0);
  round_trip(2, "checked\n", "dekcehc\n");
  chat(M, "AT+QSSLCLOSE=2\r", "\r\nOK\r\n");
  /* the name in the certificate is tls.example: 127.0.0.1 does not match it */
  ssl_open(1, 2, "127.0.0.1", port, 0, 566);
  /* a CA that did not sign the server's certificate */
  cfg("\"cacert\",2,\"other.pem\"");
  cfg("\"seclevel\",2,1");
  ssl_open(2, 3, "tls.example", port, 0, 566);
  chat(M, "AT+QSSLSTATE\r", "\r\nOK\r\n");
  /* a CA file that is not there */
  cfg("\"cacert\",3,\"UFS:missing.pem\"");
  cfg("\"seclevel\",3,1");
  ssl_open(3, 3, "tls.example", port, 0, 566);
  /* seclevel 0 takes the server as it is */
  ssl_open(4, 3, "127.0.0.1", port, 0, 0);
  round_trip(3, "anyone\n", "enoyna\n");
}
END_TEST

START_TEST(seclevel2_presents_the_client)
{
  int port = tls_server(1, 1);
  up();
  upload("ca.pem", "ca.pem");
  upload("cli.pem", "cli.pem");
  upload("cli.key", "cli.key");
  cfg("\"cacert\",0,\"UFS:ca.pem\"");
  cfg("\"clientcert\",0,\"UFS:cli.pem\"");
  cfg("\"clientkey\",0,\"UFS:cli.key\"");
  cfg("\"seclevel\",0,1");
  ssl_open(0, 1, "tls.example", port, 0, 566); /* no certificate: the server refuses */
  cfg("\"seclevel\",0,2");
  ssl_open(0, 1, "tls.example", port, 0, 0);
  round_trip(1, "mutual\n", "lautum\n");
}
END_TEST

START_TEST(push_and_transparent)
{
  int port = tls_server(0, 0);
  char cmd[160];
  up();
  ssl_open(0, 4, "127.0.0.1", port, 1, 0);
  ssl_send(4, "pushed\n");
  expect_tty(M, "\r\n+QSSLURC: \"recv\",4,7\r\ndehsup\n\r\n");
  chat(M, "AT+QSSLRECV=4,100\r", "\r\nERROR\r\n"); /* not a buffer-mode client */
  chat(M, "AT+QSSLCLOSE=4\r", "\r\nOK\r\n"); /* s_server serves one client at a time */
  snprintf(cmd, sizeof(cmd), "AT+QSSLOPEN=1,0,5,\"127.0.0.1\",%d,2\r", port);
  chat(M, cmd, "\r\nCONNECT\r\n");
  online_line("raw bytes\n", "setyb war\n");
  escape();
  chat(M, "AT+QSSLSTATE=5\r", "");
  {
    char st[256];
    size_t n = tty_read_for(M, st, sizeof(st) - 1, 300);
    st[n] = '\0';
    ck_assert_msg(strstr(st, ",2,1,-1,2,\"uart1\",0\r\n\r\nOK\r\n"), "%s", show(st, n));
  }
  chat(M, "ATO\r", "\r\nCONNECT\r\n");
  online_line("again\n", "niaga\n");
  escape();
  chat(M, "AT+QSSLCLOSE=5\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(failures)
{
  int port = tls_server(0, 0), plain = loopback_free_port(), lfd;
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                           .sin_port = htons((uint16_t)plain) };
  char cmd[160];
  up();
  /* a server that is not TLS: it accepts and closes */
  lfd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(lfd, 4) == 0);
  snprintf(cmd, sizeof(cmd), "AT+QSSLOPEN=1,0,0,\"127.0.0.1\",%d,0\r", plain);
  tty_send(M, cmd, strlen(cmd));
  expect_tty(M, "\r\nOK\r\n");
  {
    int c = accept(lfd, NULL, NULL);
    ck_assert(c >= 0);
    close(c);
  }
  expect_tty(M, "\r\n+QSSLOPEN: 0,566\r\n");
  close(lfd);
  ssl_open(0, 0, "127.0.0.1", plain, 0, 566); /* nobody listens now */
  ssl_open(0, 0, "no.such.host", port, 0, 565);
  snprintf(cmd, sizeof(cmd), "AT+QSSLOPEN=2,0,0,\"127.0.0.1\",%d,0\r", port);
  chat(M, cmd, "\r\nOK\r\n\r\n+QSSLOPEN: 0,561\r\n"); /* context 2 is not active */
  chat(M, "AT+QSSLOPEN=1,6,0,\"127.0.0.1\",443\r", "\r\n+CME ERROR: 552\r\n");
  chat(M, "AT+QSSLCFG=\"seclevel\",0,3\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+QSSLCFG=\"nosuch\",0\r", "\r\n+CME ERROR: 50\r\n");
  /* an RSA suite against the server's ECDSA certificate: nothing in common */
  cfg("\"ciphersuite\",5,0XC02F");
  shows("\"ciphersuite\",5", "0XC02F");
  ssl_open(5, 0, "127.0.0.1", port, 0, 566);
  cfg("\"ciphersuite\",5,0XC02B");
  cfg("\"sslversion\",5,3");
  ssl_open(5, 0, "127.0.0.1", port, 0, 0);
  chat(M, "AT+QSSLCLOSE=0\r", "\r\nOK\r\n");
  shows("\"sslversion\",0", "4");
  shows("\"ignorelocaltime\",0", "1");
  shows("\"negotiatetime\",0", "300");
  /* a server that goes away while connected: the client is closed, its data still readable */
  ssl_open(0, 0, "127.0.0.1", port, 0, 0);
  ssl_send(0, "last\n");
  expect_tty(M, "\r\n+QSSLURC: \"recv\",0\r\n");
  stop_server(0);
  expect_tty(M, "\r\n+QSSLURC: \"closed\",0\r\n");
  chat(M, "AT+QSSLRECV=0,1500\r", "\r\n+QSSLRECV: 5\r\ntsal\n\r\n\r\nOK\r\n");
  chat(M, "AT+QSSLSEND=0,1\r", "\r\nERROR\r\n");
  chat(M, "AT+QIGETERROR\r", "\r\n+QIGETERROR: 567,socket has been closed\r\n\r\nOK\r\n");
  /* the host deactivates the context: its SSL clients go with it */
  port = tls_server(1, 0);
  chat(M, "AT+QSSLCLOSE=0\r", "\r\nOK\r\n");
  ssl_open(0, 7, "127.0.0.1", port, 0, 0);
  chat(M, "AT+QIDEACT=1\r", "\r\nOK\r\n");
  chat(M, "AT+QSSLSTATE\r", "\r\nOK\r\n");
}
END_TEST

int main(void)
{
  Suite *s = suite_create("ssl");
  TCase *t = tcase_create("ssl");
  int rc;
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, seclevel0_buffer_mode);
  tcase_add_test(t, seclevel1_checks_the_server);
  tcase_add_test(t, seclevel2_presents_the_client);
  tcase_add_test(t, push_and_transparent);
  tcase_add_test(t, failures);
  suite_add_tcase(s, t);
  make_certs(); /* once, before the tests fork */
  rc = run_suite(s);
  if (certs[0]) {
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", certs);
    if (system(cmd) != 0)
      return 1;
  }
  return rc;
}
