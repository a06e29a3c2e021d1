/* test_ftp: the FTP(S) note's commands against real servers on 127.0.0.1 (tests/servers.py:
 * pyftpdlib, plain and explicit FTPS), driven over the PTYs as a host would: exact bytes of each
 * command, CONNECT transfer and URC; 300,000 binary bytes up and down; one control connection
 * for a whole session; passive and active data connections; the upload's end by length and by
 * "+++" between guard times; the errors the servers' real replies cause. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_util.h"
#include "fota_host.h"
#include "host.h"

static char root[] = "/tmp/fotasim-ftp-XXXXXX";
static struct servers SV;
static char *big;                    /* 300,000 bytes, NUL and CR LF included */
enum { BIG = 300000 };

static void make_world(void)
{
  char dir[128];
  big = malloc(BIG);
  if (!big || !mkdtemp(root)) {
    fprintf(stderr, "test_ftp: cannot prepare %s\n", root);
    exit(1);
  }
  for (size_t i = 0; i < BIG; i++)
    big[i] = (char)(i * 37 + (i >> 9));
  memcpy(big + 500, "\r\nOK\r\n\0", 7);
  snprintf(dir, sizeof(dir), "%s/rw", root);
  mkdir(dir, 0755);
  www_write(root, "rw/hello.txt", "hello ftp\n", 10);
  www_write(root, "reply-452.pkg", "x", 1);
  if (servers_start(&SV, root) != 0) {
    fprintf(stderr, "test_ftp: cannot start the test servers\n");
    exit(1);
  }
}

static void end_world(void)
{
  www_end(&SV, root);
  free(big);
}

/* GET /ftp-sessions from the test servers: what their FTP side has seen. */
static void sessions(char *out, size_t size)
{
  struct sockaddr_in a;
  char req[] = "GET /ftp-sessions HTTP/1.0\r\n\r\n", buf[1024], *body;
  size_t got = 0;
  ssize_t r;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)SV.http);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
  ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
  while (got < sizeof(buf) - 1 && (r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
    got += (size_t)r;
  close(fd);
  buf[got] = '\0';
  body = strstr(buf, "\r\n\r\n");
  ck_assert_ptr_nonnull(body);
  snprintf(out, size, "%s", body + 4);
}

static void open_session(int port, const char *user, const char *pass, const char *want)
{
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "AT+QFTPCFG=\"account\",\"%s\",\"%s\"\r", user, pass);
  chat(U, cmd, "\r\nOK\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QFTPOPEN=\"127.0.0.1\",%d\r", port);
  chat(U, cmd, want);
}

/* A transfer to the port: exactly CONNECT, the bytes, OK and the result. */
static void fetch(const char *cmd, const char *body, size_t len, const char *verb)
{
  char head[] = "\r\nCONNECT\r\n", tail[64], *got = malloc(len + 128);
  size_t tl = (size_t)snprintf(tail, sizeof(tail), "\r\nOK\r\n\r\n%s: 0,%zu\r\n", verb, len);
  size_t want = strlen(head) + len + tl, n;
  ck_assert_ptr_nonnull(got);
  tty_send(U, cmd, strlen(cmd));
  n = tty_read_n(U, got, want, 20000);
  ck_assert_msg(n == want, "%s: %zu of %zu bytes: %s", cmd, n, want, show(got, n < 200 ? n : 200));
  ck_assert_msg(!memcmp(got, head, strlen(head)), "got %s", show(got, 40));
  ck_assert_msg(!memcmp(got + strlen(head), body, len), "the bytes came back changed");
  ck_assert_msg(!memcmp(got + strlen(head) + len, tail, tl), "got %s",
                show(got + strlen(head) + len, tl));
  free(got);
}

static void server_file_is(const char *name, const char *data, size_t len)
{
  char path[256];
  size_t n = 0;
  uint8_t *got;
  snprintf(path, sizeof(path), "%s/rw/%s", root, name);
  got = read_whole_file(path, 1 << 22, &n);
  ck_assert_msg(got != NULL, "%s is not on the server", name);
  ck_assert_uint_eq(n, len);
  ck_assert_msg(!memcmp(got, data, len), "%s differs on the server", name);
  free(got);
}

static void up(void)
{
  start();
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
}

/* A whole session over one control connection: directories, 300,000 bytes up and down (from
 * the port and from UFS), listings, sizes, ranges, rename, delete, and QUIT at the end. */
START_TEST(one_session_one_control_connection)
{
  char cmd[128], want[128], s0[256], s1[256];
  int c0, q0, c1, q1;
  sessions(s0, sizeof(s0));
  ck_assert_int_eq(sscanf(s0, "{\"connects\": %d, \"quits\": %d}", &c0, &q0), 2);
  up();
  chat(U, "AT+QFTPSTAT\r", "\r\nOK\r\n\r\n+QFTPSTAT: 0,4\r\n");
  chat(U, "AT+QFTPCFG=\"transmode\",1\r", "\r\nOK\r\n");
  chat(U, "AT+QFTPCFG=\"transmode\"\r", "\r\n+QFTPCFG: \"transmode\",1\r\n\r\nOK\r\n");
  chat(U, "AT+QFTPCFG=\"rsptimeout\",10\r", "\r\n+CME ERROR: 610\r\n"); /* 20-180 */
  open_session(SV.ftp, "rw", "wr1te", "\r\nOK\r\n\r\n+QFTPOPEN: 0,0\r\n");
  chat(U, "AT+QFTPCFG=\"account\"\r", "\r\n+QFTPCFG: \"account\",\"rw\",\"***\"\r\n\r\nOK\r\n");
  chat(U, "AT+QFTPSTAT\r", "\r\nOK\r\n\r\n+QFTPSTAT: 0,1\r\n");
  chat(U, "AT+QFTPPWD\r", "\r\nOK\r\n\r\n+QFTPPWD: 0,/\r\n");
  chat(U, "AT+QFTPMKDIR=\"d1\"\r", "\r\nOK\r\n\r\n+QFTPMKDIR: 0,0\r\n");
  chat(U, "AT+QFTPCWD=\"d1\"\r", "\r\nOK\r\n\r\n+QFTPCWD: 0,0\r\n");
  chat(U, "AT+QFTPPWD\r", "\r\nOK\r\n\r\n+QFTPPWD: 0,/d1\r\n");
  /* up from the port: a length, binary bytes */
  snprintf(cmd, sizeof(cmd), "AT+QFTPPUT=\"big.bin\",\"COM:\",0,%d\r", BIG);
  chat(U, cmd, "\r\nCONNECT\r\n");
  tty_send(U, big, BIG);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QFTPPUT: 0,%d\r\n", BIG);
  expect_tty(U, want);
  server_file_is("d1/big.bin", big, BIG);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QFTPSIZE: 0,%d\r\n", BIG);
  chat(U, "AT+QFTPSIZE=\"big.bin\"\r", want);
  chat(U, "AT+QFTPMDTM=\"big.bin\"\r", "\r\nOK\r\n\r\n+QFTPMDTM: 0,20");
  {
    char got[32];
    size_t n = tty_read_for(U, got, sizeof(got) - 1, 500); /* 14 digits in all, then CR LF */
    got[n] = '\0';
    ck_assert_msg(n == 14 && strspn(got, "0123456789") == 12 && !strcmp(got + 12, "\r\n"),
                  "got %s", show(got, n));
  }
  /* down to the port, whole and a range */
  fetch("AT+QFTPGET=\"big.bin\",\"COM:\"\r", big, BIG, "+QFTPGET");
  fetch("AT+QFTPGET=\"/hello.txt\"\r", "hello ftp\n", 10, "+QFTPGET");
  snprintf(want, sizeof(want), "\r\n+QFTPLEN: 10\r\n\r\nOK\r\n");
  chat(U, "AT+QFTPLEN\r", want);
  /* down into UFS, and up from it under another name */
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QFTPGET: 0,%d\r\n", BIG);
  chat(U, "AT+QFTPGET=\"big.bin\",\"UFS:copy.bin\"\r", want);
  snprintf(want, sizeof(want), "\r\n+QFLST: \"copy.bin\",%d\r\n\r\nOK\r\n", BIG);
  chat(U, "AT+QFLST=\"copy.bin\"\r", want);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QFTPPUT: 0,%d\r\n", BIG);
  chat(U, "AT+QFTPPUT=\"again.bin\",\"UFS:copy.bin\",0\r", want);
  server_file_is("d1/again.bin", big, BIG);
  /* listings */
  fetch("AT+QFTPNLST\r", "again.bin\nbig.bin\n", 18, "+QFTPNLST");
  chat(U, "AT+QFTPRENAME=\"again.bin\",\"moved.bin\"\r", "\r\nOK\r\n\r\n+QFTPRENAME: 0,0\r\n");
  fetch("AT+QFTPNLST=\".\"\r", "big.bin\nmoved.bin\n", 18, "+QFTPNLST");
  fetch("AT+QFTPNLST=\"/\"\r", "d1\nhello.txt\n", 13, "+QFTPNLST");
  chat(U, "AT+QFTPNLST=\"/\",\"UFS:list.txt\"\r", "\r\nOK\r\n\r\n+QFTPNLST: 0,13\r\n");
  chat(U, "AT+QFLST=\"list.txt\"\r", "\r\n+QFLST: \"list.txt\",13\r\n\r\nOK\r\n");
  {
    char got[1024];
    size_t n;
    tty_send(U, "AT+QFTPLIST=\"/\"\r", 16);
    n = tty_read_for(U, got, sizeof(got) - 1, 1500);
    got[n] = '\0';
    ck_assert_msg(!strncmp(got, "\r\nCONNECT\r\n", 11), "got %s", show(got, n));
    ck_assert_msg(strstr(got, " hello.txt\n") && strstr(got, " d1\n"), "got %s", show(got, n));
    ck_assert_msg(strstr(got, "\n\r\nOK\r\n\r\n+QFTPLIST: 0,"), "got %s", show(got, n));
  }
  /* deletes: a second one is refused by the server (550 → 627), and the session goes on */
  chat(U, "AT+QFTPDEL=\"moved.bin\"\r", "\r\nOK\r\n\r\n+QFTPDEL: 0,0\r\n");
  chat(U, "AT+QFTPDEL=\"moved.bin\"\r", "\r\nOK\r\n\r\n+QFTPDEL: 627,550\r\n");
  chat(U, "AT+QFTPDEL=\"big.bin\"\r", "\r\nOK\r\n\r\n+QFTPDEL: 0,0\r\n");
  chat(U, "AT+QFTPCWD=\"/nowhere\"\r", "\r\nOK\r\n\r\n+QFTPCWD: 627,550\r\n");
  chat(U, "AT+QFTPPWD\r", "\r\nOK\r\n\r\n+QFTPPWD: 0,/d1\r\n"); /* where it was */
  chat(U, "AT+QFTPCWD=\"..\"\r", "\r\nOK\r\n\r\n+QFTPCWD: 0,0\r\n");
  chat(U, "AT+QFTPRMDIR=\"d1\"\r", "\r\nOK\r\n\r\n+QFTPRMDIR: 0,0\r\n");
  chat(U, "AT+QFTPSIZE=\"nothing.bin\"\r", "\r\nOK\r\n\r\n+QFTPSIZE: 627,550\r\n");
  /* all of it on one control connection, QUIT at the close */
  sessions(s1, sizeof(s1));
  ck_assert_int_eq(sscanf(s1, "{\"connects\": %d, \"quits\": %d}", &c1, &q1), 2);
  ck_assert_msg(c1 == c0 + 1 && q1 == q0, "before %s, now %s", s0, s1);
  /* a range: curl ends the data connection early and with it the control connection (QUIT);
   * the next command logs in again, unseen by the host */
  fetch("AT+QFTPGET=\"/hello.txt\",\"COM:\",6,3\r", "ftp", 3, "+QFTPGET");
  chat(U, "AT+QFTPPWD\r", "\r\nOK\r\n\r\n+QFTPPWD: 0,/\r\n");
  chat(U, "AT+QFTPCLOSE\r", "\r\nOK\r\n\r\n+QFTPCLOSE: 0,0\r\n");
  chat(U, "AT+QFTPSTAT\r", "\r\nOK\r\n\r\n+QFTPSTAT: 0,4\r\n");
  sessions(s1, sizeof(s1));
  ck_assert_int_eq(sscanf(s1, "{\"connects\": %d, \"quits\": %d}", &c1, &q1), 2);
  ck_assert_msg(c1 == c0 + 2 && q1 == q0 + 2, "before %s, now %s", s0, s1);
}
END_TEST

/* Active mode (the default): the server connects to the module. An upload without a length
 * ends with "+++" between guard times; "+++" inside the data is data. */
START_TEST(active_mode_and_plus_escape)
{
  up();
  chat(U, "AT+QFTPCFG=\"transmode\"\r", "\r\n+QFTPCFG: \"transmode\",0\r\n\r\nOK\r\n");
  open_session(SV.ftp, "rw", "wr1te", "\r\nOK\r\n\r\n+QFTPOPEN: 0,0\r\n");
  chat(U, "AT+QFTPPUT=\"esc.txt\",\"COM:\"\r", "\r\nCONNECT\r\n");
  tty_send(U, "a+++b\r\n", 7);
  usleep(1200 * 1000);
  tty_send(U, "+++", 3);
  {
    char got[64];
    size_t n = tty_read_for(U, got, sizeof(got) - 1, 4000);
    got[n] = '\0';
    ck_assert_msg(!strcmp(got, "\r\nOK\r\n\r\n+QFTPPUT: 0,7\r\n"), "got %s", show(got, n));
  }
  server_file_is("esc.txt", "a+++b\r\n", 7);
  chat(U, "AT+QFTPPUT=\"esc.txt\",\"COM:\",7,3\r", "\r\nCONNECT\r\n"); /* appends */
  chat(U, "xyz", "\r\nOK\r\n\r\n+QFTPPUT: 0,3\r\n");
  server_file_is("esc.txt", "a+++b\r\nxyz", 10);
  fetch("AT+QFTPGET=\"esc.txt\",\"COM:\"\r", "a+++b\r\nxyz", 10, "+QFTPGET");
  chat(U, "AT+QFTPGET=\"none.txt\",\"COM:\"\r", "\r\nOK\r\n\r\n+QFTPGET: 627,550\r\n");
  chat(U, "AT+QFTPDEL=\"esc.txt\"\r", "\r\nOK\r\n\r\n+QFTPDEL: 0,0\r\n");
  chat(U, "AT+QFTPCLOSE\r", "\r\nOK\r\n\r\n+QFTPCLOSE: 0,0\r\n");
}
END_TEST

/* Each failure with the code its natural cause gives. */
START_TEST(errors_from_real_replies)
{
  char cmd[96];
  start();
  chat(U, "AT+QFTPCWD=\"x\"\r", "\r\n+CME ERROR: 625\r\n"); /* no session */
  chat(U, "AT+QFTPCFG=\"nosuch\",1\r", "\r\n+CME ERROR: 610\r\n");
  open_session(SV.ftp, "rw", "wr1te", "\r\nOK\r\n\r\n+QFTPOPEN: 605,0\r\n"); /* no context */
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
  open_session(SV.ftp, "rw", "wrong", "\r\nOK\r\n\r\n+QFTPOPEN: 625,530\r\n");
  chat(U, "AT+QFTPOPEN=\"127.0.0.1\",9\r", "\r\nOK\r\n\r\n+QFTPOPEN: 605,0\r\n");
  chat(U, "AT+QFTPOPEN=\"ftp.nowhere.example\",21\r", "\r\nOK\r\n\r\n+QFTPOPEN: 604,0\r\n");
  /* the read-only account: the server refuses writes */
  open_session(SV.ftp, "fw", "s3cret", "\r\nOK\r\n\r\n+QFTPOPEN: 0,0\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QFTPOPEN=\"127.0.0.1\",%d\r", SV.ftp);
  chat(U, cmd, "\r\n+CME ERROR: 603\r\n"); /* open already */
  chat(U, "AT+QFTPCFG=\"transmode\",1\r", "\r\nOK\r\n");
  chat(U, "AT+QFTPMKDIR=\"new\"\r", "\r\nOK\r\n\r\n+QFTPMKDIR: 627,550\r\n");
  chat(U, "AT+QFTPPUT=\"x.txt\",\"COM:\",0,1\r", "\r\nCONNECT\r\n");
  chat(U, "x", "\r\nOK\r\n\r\n+QFTPPUT: 627,550\r\n");
  chat(U, "AT+QFTPGET=\"reply-452.pkg\",\"COM:\"\r", "\r\nOK\r\n\r\n+QFTPGET: 619,452\r\n");
  chat(U, "AT+QFTPGET=\"rw/hello.txt\",\"UFS:h.txt\"\r", "\r\nOK\r\n\r\n+QFTPGET: 0,10\r\n");
  chat(U, "AT+QFTPGET=\"rw/hello.txt\",\"UFS:../h.txt\"\r", "\r\n+CME ERROR: 610\r\n");
  chat(U, "AT+QFTPCLOSE\r", "\r\nOK\r\n\r\n+QFTPCLOSE: 0,0\r\n");
  chat(U, "AT+QFTPCLOSE\r", "\r\n+CME ERROR: 625\r\n");
}
END_TEST

/* Explicit FTPS (AUTH TLS, PROT P) with and without checking the server; plain FTP against a
 * server that demands TLS is refused with its reply. */
START_TEST(explicit_ftps)
{
  up();
  chat(U, "AT+QFTPCFG=\"transmode\",1\r", "\r\nOK\r\n");
  open_session(SV.ftps, "rw", "wr1te", "\r\nOK\r\n\r\n+QFTPOPEN: 627,550\r\n");
  chat(U, "AT+QFTPCFG=\"ssltype\",2\r", "\r\nOK\r\n");
  chat(U, "AT+QSSLCFG=\"seclevel\",1,0\r", "\r\nOK\r\n");
  open_session(SV.ftps, "rw", "wr1te", "\r\nOK\r\n\r\n+QFTPOPEN: 0,0\r\n");
  chat(U, "AT+QFTPCWD=\"/\"\r", "\r\nOK\r\n\r\n+QFTPCWD: 0,0\r\n");
  chat(U, "AT+QFTPPUT=\"tls.txt\",\"COM:\",0,4\r", "\r\nCONNECT\r\n");
  chat(U, "safe", "\r\nOK\r\n\r\n+QFTPPUT: 0,4\r\n");
  fetch("AT+QFTPGET=\"tls.txt\",\"COM:\"\r", "safe", 4, "+QFTPGET");
  chat(U, "AT+QFTPDEL=\"tls.txt\"\r", "\r\nOK\r\n\r\n+QFTPDEL: 0,0\r\n");
  chat(U, "AT+QFTPCLOSE\r", "\r\nOK\r\n\r\n+QFTPCLOSE: 0,0\r\n");
  /* seclevel 1 with a CA that is not there: the handshake fails */
  chat(U, "AT+QFTPCFG=\"sslctxid\",2\r", "\r\nOK\r\n");
  chat(U, "AT+QSSLCFG=\"seclevel\",2,1\r", "\r\nOK\r\n");
  chat(U, "AT+QSSLCFG=\"cacert\",2,\"none.pem\"\r", "\r\nOK\r\n");
  open_session(SV.ftps, "rw", "wr1te", "\r\nOK\r\n\r\n+QFTPOPEN: 631,0\r\n");
}
END_TEST

int main(void)
{
  int rc;
  Suite *s = suite_create("ftp");
  TCase *t = tcase_create("ftp");
  make_world();
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 90);
  tcase_add_test(t, one_session_one_control_connection);
  tcase_add_test(t, active_mode_and_plus_escape);
  tcase_add_test(t, errors_from_real_replies);
  tcase_add_test(t, explicit_ftps);
  suite_add_tcase(s, t);
  rc = run_suite(s);
  end_world();
  return rc;
}
