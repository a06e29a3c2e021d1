/* test_http: the HTTP(S) note's commands against real servers on 127.0.0.1 (tests/servers.py:
 * python's http.server, a TLS-wrapped one, a POST echo), driven over the PTYs as a host would:
 * exact bytes of each command and URC, bodies of 0, 1 and 300,000 bytes both ways, READFILE then
 * AT+QFDWL, custom request headers, response headers, HTTPS with the CA checked, the errors
 * with natural causes, and the fault rules. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_util.h"
#include "fota_host.h"
#include "host.h"

static char root[] = "/tmp/fotasim-http-XXXXXX";
static struct servers SV;
static char *big;                    /* 300,000 bytes the server serves and the host posts */
enum { BIG = 300000 };

static void write_file(const char *name, const void *data, size_t len)
{
  www_write(root, name, data, len);
}

/* Once for all tests: the files and the servers. */
static void make_world(void)
{
  big = malloc(BIG);
  if (!big || !mkdtemp(root)) {
    fprintf(stderr, "test_http: cannot prepare %s\n", root);
    exit(1);
  }
  for (size_t i = 0; i < BIG; i++)
    big[i] = (char)(i * 31 + (i >> 7));
  big[1000] = '\0'; /* binary, NUL included */
  write_file("one.txt", "x", 1);
  write_file("empty.txt", "", 0);
  write_file("big.bin", big, BIG);
  write_file("manifest.json", "{\"revision\":\"B\"}", 16);
  if (servers_start(&SV, root) != 0) {
    fprintf(stderr, "test_http: cannot start the test servers\n");
    exit(1);
  }
}

static void end_world(void)
{
  www_end(&SV, root);
  free(big);
}

/* AT+QHTTPURL with the URL's exact length: CONNECT, the URL, OK. */
static void set_url(const char *url)
{
  char cmd[64];
  snprintf(cmd, sizeof(cmd), "AT+QHTTPURL=%zu,10\r", strlen(url));
  chat(U, cmd, "\r\nCONNECT\r\n");
  chat(U, url, "\r\nOK\r\n");
}

static void url_for(const char *scheme, int port, const char *path)
{
  char url[256];
  snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", scheme, port, path);
  set_url(url);
}

/* AT+QHTTPREAD: exactly CONNECT, the body, OK, +QHTTPREAD: <err>. */
static void read_back(const char *body, size_t len, int err)
{
  char head[] = "\r\nCONNECT\r\n", tail[64], *got = malloc(len + 128);
  size_t tl = (size_t)snprintf(tail, sizeof(tail), "\r\nOK\r\n\r\n+QHTTPREAD: %d\r\n", err);
  size_t want = strlen(head) + len + tl, n;
  ck_assert_ptr_nonnull(got);
  tty_send(U, "AT+QHTTPREAD=10\r", 16);
  n = tty_read_n(U, got, want, 20000);
  ck_assert_msg(n == want, "QHTTPREAD: %zu of %zu bytes: %s", n, want, show(got, n < 200 ? n : 200));
  ck_assert_msg(!memcmp(got, head, strlen(head)), "got %s", show(got, 40));
  ck_assert_msg(!memcmp(got + strlen(head), body, len), "the body came back changed");
  ck_assert_msg(!memcmp(got + strlen(head) + len, tail, tl), "got %s",
                show(got + strlen(head) + len, tl));
  free(got);
}

static void up(void)
{
  start();
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
}

START_TEST(get_bodies_of_0_1_and_300000_bytes)
{
  char want[64];
  up();
  chat(U, "AT+QHTTPCFG?\r",
       "\r\n+QHTTPCFG: \"contextid\",1\r\n+QHTTPCFG: \"requestheader\",0\r\n"
       "+QHTTPCFG: \"responseheader\",0\r\n+QHTTPCFG: \"sslctxid\",1\r\n"
       "+QHTTPCFG: \"contenttype\",0\r\n\r\nOK\r\n");
  chat(U, "AT+QHTTPREAD\r", "\r\n+CME ERROR: 705\r\n"); /* nothing asked yet */
  url_for("http", SV.http, "/one.txt");
  chat(U, "AT+QHTTPGET=10\r", "\r\nOK\r\n\r\n+QHTTPGET: 0,200,1\r\n");
  read_back("x", 1, 0);
  chat(U, "AT+QHTTPREAD\r", "\r\n+CME ERROR: 705\r\n"); /* read once */
  url_for("http", SV.http, "/empty.txt");
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 0,200\r\n"); /* no length for 0 bytes */
  read_back("", 0, 0);
  url_for("http", SV.http, "/big.bin");
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QHTTPGET: 0,200,%d\r\n", BIG);
  chat(U, "AT+QHTTPGET=10\r", want);
  read_back(big, BIG, 0);
  /* an error status is a result, with its body to read */
  url_for("http", SV.http, "/status/503");
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 0,503\r\n");
  read_back("status 503", 10, 0);
  chat(U, "AT+QHTTPURL?\r", "\r\n+QHTTPURL: http://127.0.0.1:");
}
END_TEST

/* READFILE stores the body on UFS; AT+QFDWL gives the same bytes back. */
START_TEST(readfile_then_qfdwl)
{
  char want[64], *got = malloc(BIG + 64);
  size_t n;
  ck_assert_ptr_nonnull(got);
  up();
  url_for("http", SV.http, "/big.bin");
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QHTTPGET: 0,200,%d\r\n", BIG);
  chat(U, "AT+QHTTPGET\r", want);
  chat(U, "AT+QHTTPREADFILE=\"UFS:body.bin\",10\r", "\r\nOK\r\n\r\n+QHTTPREADFILE: 0\r\n");
  snprintf(want, sizeof(want), "\r\n+QFLST: \"body.bin\",%d\r\n\r\nOK\r\n", BIG);
  chat(U, "AT+QFLST=\"body.bin\"\r", want);
  tty_send(U, "AT+QFDWL=\"body.bin\"\r", 20);
  n = tty_read_n(U, got, 11 + BIG, 20000);
  ck_assert_uint_eq(n, 11 + BIG);
  ck_assert_msg(!memcmp(got, "\r\nCONNECT\r\n", 11), "got %s", show(got, 20));
  ck_assert_msg(!memcmp(got + 11, big, BIG), "the stored body differs from the served one");
  n = tty_read_for(U, got, 64, 1000);
  ck_assert_msg(n > 10 && !memcmp(got, "\r\n+QFDWL: 300000,", 17), "got %s", show(got, n));
  chat(U, "AT+QHTTPREADFILE=\"x.bin\"\r", "\r\n+CME ERROR: 705\r\n"); /* read already */
  free(got);
}
END_TEST

START_TEST(post_bodies_and_content_type)
{
  char cmd[64], want[64];
  up();
  url_for("http", SV.http, "/echo");
  chat(U, "AT+QHTTPPOST=1,10,10\r", "\r\nCONNECT\r\n");
  chat(U, "z", "\r\nOK\r\n\r\n+QHTTPPOST: 0,200,1\r\n");
  read_back("z", 1, 0);
  snprintf(cmd, sizeof(cmd), "AT+QHTTPPOST=%d,30,30\r", BIG);
  chat(U, cmd, "\r\nCONNECT\r\n");
  tty_send(U, big, BIG);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QHTTPPOST: 0,200,%d\r\n", BIG);
  expect_tty(U, want);
  read_back(big, BIG, 0);
  /* contenttype 4 and the response header in front of the body */
  chat(U, "AT+QHTTPCFG=\"contenttype\",4\r", "\r\nOK\r\n");
  chat(U, "AT+QHTTPCFG=\"responseheader\",1\r", "\r\nOK\r\n");
  chat(U, "AT+QHTTPCFG=\"contenttype\"\r", "\r\n+QHTTPCFG: \"contenttype\",4\r\n\r\nOK\r\n");
  chat(U, "AT+QHTTPPOST=2\r", "\r\nCONNECT\r\n");
  chat(U, "{}", "\r\nOK\r\n\r\n+QHTTPPOST: 0,200,2\r\n");
  {
    char got[1024];
    size_t n;
    tty_send(U, "AT+QHTTPREAD\r", 13);
    n = tty_read_for(U, got, sizeof(got) - 1, 1500);
    got[n] = '\0';
    ck_assert_msg(!strncmp(got, "\r\nCONNECT\r\nHTTP/1.0 200 OK\r\n", 28), "got %s", show(got, n));
    ck_assert_msg(strstr(got, "\r\nX-Got-Content-Type: application/json\r\n"), "got %s", show(got, n));
    ck_assert_msg(strstr(got, "\r\n\r\n{}\r\nOK\r\n\r\n+QHTTPREAD: 0\r\n"), "got %s", show(got, n));
  }
  /* POSTFILE: the body is a file uploaded to UFS */
  chat(U, "AT+QHTTPCFG=\"responseheader\",0\r", "\r\nOK\r\n");
  chat(U, "AT+QFUPL=\"post.txt\",5\r", "\r\nCONNECT\r\n");
  chat(U, "hello", "\r\n+QFUPL: 5,");
  tty_read_for(U, cmd, sizeof(cmd), 300); /* the checksum and OK */
  chat(U, "AT+QHTTPPOSTFILE=\"post.txt\",10\r", "\r\nOK\r\n\r\n+QHTTPPOSTFILE: 0,200,5\r\n");
  read_back("hello", 5, 0);
}
END_TEST

/* requestheader 1: the host's own request line and headers go to the server as they are. */
START_TEST(custom_request_header)
{
  static const char head[] = "GET /headers HTTP/1.1\r\nHost: fw.example\r\nX-Device: 42\r\n\r\n";
  char cmd[64], got[2048];
  size_t n;
  up();
  chat(U, "AT+QHTTPCFG=\"requestheader\",1\r", "\r\nOK\r\n");
  url_for("http", SV.http, "/");
  chat(U, "AT+QHTTPGET\r", "\r\n+CME ERROR: 730\r\n"); /* the header's length is needed */
  snprintf(cmd, sizeof(cmd), "AT+QHTTPGET=10,%zu\r", strlen(head));
  chat(U, cmd, "\r\nCONNECT\r\n");
  tty_send(U, head, strlen(head));
  n = tty_read_for(U, got, sizeof(got) - 1, 1500);
  got[n] = '\0';
  ck_assert_msg(!strncmp(got, "\r\nOK\r\n\r\n+QHTTPGET: 0,200,", 25), "got %s", show(got, n));
  tty_send(U, "AT+QHTTPREAD\r", 13);
  n = tty_read_for(U, got, sizeof(got) - 1, 1500);
  got[n] = '\0';
  ck_assert_msg(strstr(got, "X-Device: 42\n") && strstr(got, "Host: fw.example\n"), "got %s",
                show(got, n));
  ck_assert_msg(strstr(got, "\r\nOK\r\n\r\n+QHTTPREAD: 0\r\n"), "got %s", show(got, n));
}
END_TEST

/* HTTPS through SSL context 1: seclevel 0 takes any server; seclevel 1 checks it against the CA
 * uploaded to UFS (the server's self-signed certificate for localhost), and with sni the name. */
START_TEST(https_with_the_ca_checked)
{
  char url[128], path[512], *pem;
  size_t pem_len = 0;
  up();
  snprintf(url, sizeof(url), "https://localhost:%d/one.txt", SV.https);
  set_url(url);
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 0,200,1\r\n");
  read_back("x", 1, 0);
  chat(U, "AT+QSSLCFG=\"seclevel\",1,1\r", "\r\nOK\r\n");
  chat(U, "AT+QSSLCFG=\"sni\",1,1\r", "\r\nOK\r\n");
  chat(U, "AT+QSSLCFG=\"cacert\",1,\"UFS:ca.pem\"\r", "\r\nOK\r\n");
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 716\r\n"); /* no CA file yet */
  snprintf(path, sizeof(path), "%s/cert.pem", root);
  pem = (char *)read_whole_file(path, 1 << 16, &pem_len);
  ck_assert_ptr_nonnull(pem);
  {
    char cmd[64], want[32];
    snprintf(cmd, sizeof(cmd), "AT+QFUPL=\"ca.pem\",%zu\r", pem_len);
    chat(U, cmd, "\r\nCONNECT\r\n");
    snprintf(want, sizeof(want), "\r\n+QFUPL: %zu,", pem_len);
    chat(U, pem, want);
    tty_read_for(U, path, sizeof(path), 300);
  }
  free(pem);
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 0,200,1\r\n");
  read_back("x", 1, 0);
  /* the same server by another name: the certificate does not match it */
  snprintf(url, sizeof(url), "https://127.0.0.1:%d/one.txt", SV.https);
  set_url(url);
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 716\r\n");
}
END_TEST

START_TEST(errors_from_natural_causes)
{
  start();
  chat(U, "AT+QHTTPGET\r", "\r\n+CME ERROR: 712\r\n"); /* no URL */
  chat(U, "AT+QHTTPURL=12,10\r", "\r\nCONNECT\r\n");
  chat(U, "ftp://x/y.z/", "\r\n+CME ERROR: 711\r\n");
  chat(U, "AT+QHTTPURL=0\r", "\r\n+CME ERROR: 730\r\n");
  chat(U, "AT+QHTTPCFG=\"contextid\",99\r", "\r\n+CME ERROR: 730\r\n");
  chat(U, "AT+QHTTPCFG=\"nosuch\",1\r", "\r\n+CME ERROR: 730\r\n");
  url_for("http", SV.http, "/one.txt");
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 709\r\n"); /* the context is not active */
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
  set_url("http://nowhere.example/x");
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 714\r\n");
  set_url("http://127.0.0.1:9/x");
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 716\r\n");
  /* the server closes half way through the body: the read ends with 719 */
  url_for("http", SV.http, "/close/big.bin");
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 0,200,300000\r\n");
  read_back(big, BIG / 2, 719);
  /* the URL is not all there within its timeout (1 s virtual; at least 2 s real) */
  chat(U, "AT+QHTTPURL=40,1\r", "\r\nCONNECT\r\n");
  tty_send(U, "http://", 7);
  {
    char got[64];
    size_t n = tty_read_for(U, got, sizeof(got), 4000);
    ck_assert_msg(n == 19 && !memcmp(got, "\r\n+CME ERROR: 702\r\n", 19), "got %s", show(got, n));
  }
  chat(U, "AT\r", "\r\nOK\r\n");
}
END_TEST

/* http rules: a request that fails with a code, a server that never answers (728 after the
 * response time), a connection cut after the header; and one from the control channel. */
START_TEST(http_fault_rules)
{
  char reply[512];
  start_with_rules("faults:\n  - http: request\n    occurrence: 1\n    fail: 710\n"
                   "  - http: request\n    occurrence: 2\n    stall: true\n"
                   "  - http: request\n    occurrence: 3\n    drop: true\n");
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
  url_for("http", SV.http, "/big.bin");
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 710\r\n");
  chat(U, "AT+QHTTPGET=1\r", "\r\nOK\r\n");
  {
    char got[64];
    size_t n = tty_read_for(U, got, sizeof(got), 4000);
    ck_assert_msg(n == 18 && !memcmp(got, "\r\n+QHTTPGET: 728\r\n", 18), "got %s", show(got, n));
  }
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 0,200,300000\r\n");
  read_back("", 0, 719);
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 0,200,300000\r\n"); /* the rules are spent */
  chat(U, "AT+QHTTPSTOP\r", "\r\nOK\r\n");
  chat(U, "AT+QHTTPREAD\r", "\r\n+CME ERROR: 705\r\n"); /* stopped: nothing to read */
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"http\":\"request\",\"fail\":717}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "true"), "%s", reply);
  chat(U, "AT+QHTTPGET\r", "\r\nOK\r\n\r\n+QHTTPGET: 717\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"http\":\"request\",\"fail\":566}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "an HTTP request fails with an HTTP(S) code (701-730)"), "%s", reply);
}
END_TEST

int main(void)
{
  int rc;
  Suite *s = suite_create("http");
  TCase *t = tcase_create("http");
  make_world();
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, get_bodies_of_0_1_and_300000_bytes);
  tcase_add_test(t, readfile_then_qfdwl);
  tcase_add_test(t, post_bodies_and_content_type);
  tcase_add_test(t, custom_request_header);
  tcase_add_test(t, https_with_the_ca_checked);
  tcase_add_test(t, errors_from_natural_causes);
  tcase_add_test(t, http_fault_rules);
  suite_add_tcase(s, t);
  rc = run_suite(s);
  end_world();
  return rc;
}
