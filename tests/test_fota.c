/* test_fota: FOTA over FTP, HTTP and HTTPS end to end: real servers on 127.0.0.1
 * (tests/servers.py), real packages made with the core library, fotasim as a process; every case
 * asserts the exact URC bytes and the revision the module runs afterwards. */
#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fotasim/fwimage.h"
#include "fotasim/package.h"
#include "host.h"

#define BOOT_URCS \
  "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n"
#define OLD_REV FW_DEFAULT_REVISION_EC200U
#define NEW_REV "EC200UCNAAR02A10M08"

static char root[] = "/tmp/fotasim-www-XXXXXX";

/* Every FTP reply SPEC §7 maps, as the real server sends it to RETR (file reply-NNN.pkg), and
 * the code the module must report; written here by hand, not from the catalogue under test. */
static const struct { int reply, code; } ftp_replies[] = {
  { 421, 614 }, { 425, 615 }, { 426, 616 }, { 450, 617 }, { 451, 618 }, { 452, 619 },
  { 500, 620 }, { 501, 621 }, { 502, 622 }, { 503, 623 }, { 504, 624 }, { 532, 626 },
  { 551, 628 }, { 552, 629 }, { 553, 630 },
};
static struct servers SV;

static void write_file(const char *name, const void *data, size_t len)
{
  www_write(root, name, data, len);
}

/* Once for all tests: the packages, and the servers that serve them. */
static void make_world(void)
{
  size_t a_len = FW_HEADER_SIZE + FW_DEFAULT_BODY_SIZE, b_len, o_len = FW_HEADER_SIZE + 500000;
  size_t full_len, delta_len, wrong_len, signed_len;
  uint8_t *a = fw_image_synthesize(OLD_REV, FW_DEFAULT_BODY_SIZE, 1); /* the built-in image */
  uint8_t *b = fw_image_mutate(a, a_len, NEW_REV, 30, 5, &b_len);
  uint8_t *other = fw_image_synthesize("EC200UCNAAR02A07M08", 500000, 3);
  uint8_t *full = pkg_build(NULL, 0, b, b_len, &full_len, NULL);
  uint8_t *delta = pkg_build(a, a_len, b, b_len, &delta_len, NULL);
  uint8_t *wrong = pkg_build(other, o_len, b, b_len, &wrong_len, NULL);
  uint8_t *signed_pkg;
  char *priv, *pub, err[256];

  if (!mkdtemp(root) || !full || !delta || !wrong || pkg_keygen(&priv, &pub, err, sizeof(err))) {
    fprintf(stderr, "cannot prepare the test packages\n");
    exit(1);
  }
  write_file("full.pkg", full, full_len);
  write_file("delta.pkg", delta, delta_len);
  /* files the FTP server misbehaves on exist, so that SIZE works and RETR misbehaves */
  {
    static const char *const odd[] = { "stall.pkg", "close-control.pkg", "close-data.pkg",
                                       "reset.pkg" };
    for (size_t i = 0; i < sizeof(ftp_replies) / sizeof(ftp_replies[0]); i++) {
      char name[32];
      snprintf(name, sizeof(name), "reply-%d.pkg", ftp_replies[i].reply);
      write_file(name, delta, delta_len);
    }
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
      write_file(odd[i], delta, delta_len);
  }
  write_file("wrongbase.pkg", wrong, wrong_len);
  write_file("pub.pem", pub, strlen(pub));
  signed_len = delta_len;
  signed_pkg = pkg_sign(delta, &signed_len, priv, err, sizeof(err));
  write_file("signed.pkg", signed_pkg, signed_len);
  signed_pkg[PKG_HEADER_SIZE + 100] ^= 0x01;
  write_file("tampered.pkg", signed_pkg, signed_len);
  free(signed_pkg);
  free(full);
  free(wrong);
  free(a);
  free(b);
  free(other);
  free(priv);
  free(pub);
  if (servers_start(&SV, root) != 0) {
    fprintf(stderr, "cannot start the test servers (python3-pyftpdlib, openssl)\n");
    exit(1);
  }
}

static void end_world(void)
{
  www_end(&SV, root);
}


/* Starts the module and opens the main UART with echo off. */
static void start(void)
{
  ck_assert_msg(sim_start(&S, NULL) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

static void urc(const char *body)
{
  char want[256];
  snprintf(want, sizeof(want), "\r\n+QIND: \"FOTA\",%s\r\n", body);
  expect_tty(M, want);
}

/* The n progress URCs: the k-th says k*100/n. */
static void progress(const char *what, int n)
{
  for (int k = 1; k <= n; k++) {
    char body[64];
    snprintf(body, sizeof(body), "\"%s\",%d", what, k * 100 / n);
    urc(body);
  }
}

static void revision_is(const char *rev)
{
  char want[128];
  snprintf(want, sizeof(want), "\r\n%s\r\n\r\nOK\r\n", rev);
  chat(M, "AT+CGMR\r", want);
}

/* The log (fotasim --log) has this text, within 5 s. */
static void log_has(const char *text)
{
  char buf[65536];
  for (int i = 0; i < 250; i++) {
    FILE *f = fopen(S.log, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    if (f)
      fclose(f);
    buf[n] = '\0';
    if (strstr(buf, text))
      return;
    usleep(20000);
  }
  ck_abort_msg("the log has no \"%s\":\n%s", text, buf);
}

static void fotadl(const char *scheme, int port, const char *file, const char *rest)
{
  char cmd[512];
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"%s://%s127.0.0.1:%d/%s\"%s\r", scheme,
           strcmp(scheme, "ftp") == 0 ? "fw:s3cret@" : "", port, file, rest);
  chat(M, cmd, "\r\nOK\r\n");
}

/* The whole success path after OK: download URCs, update URCs, reboot, new revision. */
static void succeeds(const char *proto, int dl, int up)
{
  char body[64];
  snprintf(body, sizeof(body), "\"%sSTART\"", proto);
  urc(body);
  progress("DOWNLOADING", dl);
  snprintf(body, sizeof(body), "\"%sEND\",0", proto);
  urc(body);
  urc("\"START\"");
  progress("UPDATING", up);
  urc("\"END\",0");
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n"); /* rebooted: the saved profile, echo on */
  revision_is(NEW_REV);
}

static void download_fails(const char *proto, int err)
{
  char body[64];
  snprintf(body, sizeof(body), "\"%sSTART\"", proto);
  urc(body);
  snprintf(body, sizeof(body), "\"%sEND\",%d", proto, err);
  urc(body);
  chat(M, "AT\r", "\r\nOK\r\n");
  revision_is(OLD_REV);
}

START_TEST(test_command)
{
  start();
  chat(M, "AT+QFOTADL=?\r", "\r\n+QFOTADL: <url>,(0,1),(0,5-100),(0,5-100)\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(http_full_progress_5)
{
  start();
  fotadl("http", SV.http, "full.pkg", ",1,5,5");
  succeeds("HTTP", 5, 5);
  /* the new firmware survives a restart of the process */
  close(M);
  M = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  start();
  revision_is(NEW_REV);
}
END_TEST

START_TEST(http_delta_default_counts)
{
  start();
  fotadl("http", SV.http, "delta.pkg", "");
  succeeds("HTTP", 50, 100);
}
END_TEST

START_TEST(ftp_full_no_progress)
{
  start();
  fotadl("ftp", SV.ftp, "full.pkg", ",1,0,0");
  succeeds("FTP", 0, 0);
}
END_TEST

START_TEST(ftp_delta_progress_100)
{
  start();
  fotadl("ftp", SV.ftp, "delta.pkg", ",1,100,5");
  succeeds("FTP", 100, 5);
}
END_TEST

START_TEST(https_delta)
{
  start();
  fotadl("https", SV.https, "delta.pkg", ",1,5,50");
  succeeds("HTTP", 5, 50);
}
END_TEST

START_TEST(https_full)
{
  start();
  fotadl("HTTPS", SV.https, "full.pkg", ",1,0,5");
  succeeds("HTTP", 0, 5);
}
END_TEST

START_TEST(mode_0_updates_at_next_reboot)
{
  start();
  fotadl("http", SV.http, "delta.pkg", ",0,5,5");
  urc("\"HTTPSTART\"");
  progress("DOWNLOADING", 5);
  urc("\"HTTPEND\",0");
  revision_is(OLD_REV); /* nothing installed yet */
  chat(M, "AT+CFUN=1,1\r", "\r\nOK\r\n");
  urc("\"START\"");
  progress("UPDATING", 5);
  urc("\"END\",0");
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  revision_is(NEW_REV);
}
END_TEST

/* A pending mode-0 update outlives the process: kill -9 after HTTPEND,0 and the next start
 * installs it, as a reboot in the same process does. */
START_TEST(mode_0_pending_update_survives_kill_9)
{
  start();
  fotadl("http", SV.http, "delta.pkg", ",0,0,5");
  urc("\"HTTPSTART\"");
  urc("\"HTTPEND\",0");
  sim_kill_9(&S);
  close(M);
  M = -1;
  ck_assert_msg(sim_start(&S, NULL) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  urc("\"START\"");
  progress("UPDATING", 5);
  urc("\"END\",0");
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  revision_is(NEW_REV);
  chat(M, "AT+QFLST\r", "\r\nOK\r\n"); /* installed, then deleted */
}
END_TEST

/* The virtual time from HTTPSTART to HTTPEND of a mode-0 HTTP download of delta.pkg at this
 * bandwidth, read off the transcript's tx events (timing instant, as sim_start runs). */
static double download_vt(const char *bandwidth)
{
  char yaml[600], tr[600], *line = NULL;
  const char *extra[] = { "--scenario", yaml, "--transcript", tr, NULL };
  json_int_t start = -1, end = -1;
  size_t cap = 0;
  FILE *f;
  snprintf(yaml, sizeof(yaml), "%s.bw.yaml", S.dir);
  snprintf(tr, sizeof(tr), "%s.bw.transcript", S.dir);
  unlink(tr);
  f = fopen(yaml, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "network:\n  bandwidth: %s\n  latency: 0\n", bandwidth);
  fclose(f);
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  fotadl("http", SV.http, "delta.pkg", ",0,0,0");
  urc("\"HTTPSTART\"");
  urc("\"HTTPEND\",0");
  close(M);
  M = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  f = fopen(tr, "r");
  ck_assert_ptr_nonnull(f);
  while (getline(&line, &cap, f) > 0) {
    json_t *ev = json_loads(line, 0, NULL);
    const char *data = ev ? json_string_value(json_object_get(ev, "data")) : NULL;
    if (data && !strcmp(json_string_value(json_object_get(ev, "event")), "tx")) {
      if (start < 0 && strstr(data, "\"HTTPSTART\""))
        start = json_integer_value(json_object_get(ev, "vt"));
      if (end < 0 && strstr(data, "\"HTTPEND\",0"))
        end = json_integer_value(json_object_get(ev, "vt"));
    }
    json_decref(ev);
  }
  free(line);
  fclose(f);
  unlink(tr);
  unlink(yaml);
  ck_assert_msg(start >= 0 && end >= start, "HTTPSTART at %lld, HTTPEND at %lld",
                (long long)start, (long long)end);
  return (double)(end - start);
}

/* network.bandwidth shapes a download on the virtual clock, at instant timing too: the package
 * takes its size over the bandwidth (plus the data call's few seconds, which do not depend on
 * it), 200 times longer at 50 kbit/s than at 10 Mbit/s. */
START_TEST(bandwidth_shapes_the_download_in_virtual_time)
{
  char path[600];
  struct stat st;
  double bytes, fast, slow, want_fast, want_slow;
  snprintf(path, sizeof(path), "%s/delta.pkg", root);
  ck_assert_int_eq(stat(path, &st), 0);
  bytes = (double)st.st_size;
  fast = download_vt("10000000");
  {
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", S.dir, S.dir);
    ck_assert_int_eq(system(cmd), 0);
  }
  slow = download_vt("50000");
  want_fast = bytes * 8000.0 / 10000000.0;
  want_slow = bytes * 8000.0 / 50000.0;
  /* the same fixed part in both: the difference is the link's alone */
  ck_assert_msg(slow - fast > (want_slow - want_fast) * 0.97 &&
                    slow - fast < (want_slow - want_fast) * 1.03 + 50,
                "%.0f bytes: %.0f ms at 10 Mbit/s, %.0f ms at 50 kbit/s (want %.0f more)", bytes,
                fast, slow, want_slow - want_fast);
}
END_TEST

static void install_key(void)
{
  char cmd[700];
  snprintf(cmd, sizeof(cmd), "mkdir -p %s && cp %s/pub.pem %s/fota_pubkey.pem", S.dir, root,
           S.dir);
  ck_assert_int_eq(system(cmd), 0);
}

START_TEST(signed_package_accepted)
{
  install_key();
  start();
  fotadl("http", SV.http, "signed.pkg", ",1,5,5");
  succeeds("HTTP", 5, 5);
}
END_TEST

START_TEST(tampered_or_unsigned_package_refused)
{
  install_key();
  start();
  fotadl("http", SV.http, "tampered.pkg", ",1,0,5");
  urc("\"HTTPSTART\"");
  urc("\"HTTPEND\",0");
  urc("\"START\"");
  urc("\"END\",547");
  revision_is(OLD_REV);
  fotadl("http", SV.http, "delta.pkg", ",1,0,5"); /* not signed at all */
  urc("\"HTTPSTART\"");
  urc("\"HTTPEND\",0");
  urc("\"START\"");
  urc("\"END\",547");
  revision_is(OLD_REV);
}
END_TEST

START_TEST(delta_for_another_base_refused)
{
  start();
  fotadl("ftp", SV.ftp, "wrongbase.pkg", ",1,0,5");
  urc("\"FTPSTART\"");
  urc("\"FTPEND\",0");
  urc("\"START\"");
  urc("\"END\",510");
  revision_is(OLD_REV);
  chat(M, "AT+QCFG=\"fota/path\"\r", "\r\n+QCFG: \"fota/path\",\"UFS:\"\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(ftp_server_replies)
{
  char cmd[256];
  start();
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"ftp://fw:wrong@127.0.0.1:%d/full.pkg\",1,0,0\r", SV.ftp);
  chat(M, cmd, "\r\nOK\r\n");
  download_fails("FTP", 625);                      /* 530 not logged in */
  fotadl("ftp", SV.ftp, "missing.pkg", ",1,0,0");
  download_fails("FTP", 627);                      /* 550 */
  for (size_t i = 0; i < sizeof(ftp_replies) / sizeof(ftp_replies[0]); i++) {
    char name[32];
    snprintf(name, sizeof(name), "reply-%d.pkg", ftp_replies[i].reply);
    fotadl("ftp", SV.ftp, name, ",1,0,0");
    download_fails("FTP", ftp_replies[i].code);
  }
}
END_TEST

START_TEST(ftp_servers_closing_connections)
{
  start();
  fotadl("ftp", SV.ftp, "close-control.pkg", ",1,0,0");
  download_fails("FTP", 606);                      /* control connection closed, no reply */
  fotadl("ftp", SV.ftp, "close-data.pkg", ",1,0,0");
  download_fails("FTP", 607);                      /* data connection ends at half the file */
  fotadl("ftp", SV.ftp, "reset.pkg", ",1,0,0");
  download_fails("FTP", 608);                      /* both connections reset mid-transfer */
  chat(M, "AT\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(http_errors_from_real_causes)
{
  start();
  fotadl("http", SV.http, "missing.pkg", ",1,0,0");
  download_fails("HTTP", 731);                     /* 404 */
  fotadl("http", SV.http, "close/full.pkg", ",1,0,0");
  download_fails("HTTP", 570);                     /* the server closes mid-transfer */
  fotadl("https", SV.http, "full.pkg", ",1,0,0");  /* TLS to a plain HTTP server */
  download_fails("HTTP", 631);
  chat(M, "AT+QFOTADL=\"htp://u:pw@127.0.0.1/a.pkg\"\r", "\r\n+CME ERROR: 560\r\n");
  /* each failure is one log line: code, meaning, phase, what was seen, the URL without secrets */
  {
    char want[600];
    snprintf(want, sizeof(want),
             "module 0: FOTA failed in download: 731 (HTTP(S) server answered an error status): "
             "the HTTP server answered status 404; http://127.0.0.1:%d/missing.pkg\n", SV.http);
    log_has(want);
    snprintf(want, sizeof(want), "module 0: FOTA failed in download: 631 (");
    log_has(want);
    log_has("module 0: AT+QFOTADL refused: 560 (unsupported URL scheme); URL "
            "\"htp://u:**@127.0.0.1/a.pkg\"\n");
  }
}
END_TEST

/* fotaerrors CODE explains a code from the catalogue, in every list that has it. */
START_TEST(fotaerrors_explains_a_code)
{
  char cmd[600], out[2048];
  FILE *p;
  size_t n;
  const char *bin = getenv("FOTAERRORS_BIN");
  snprintf(cmd, sizeof(cmd), "'%s' 731 2>&1", bin ? bin : "fotaerrors");
  p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  n = fread(out, 1, sizeof(out) - 1, p);
  out[n] = '\0';
  ck_assert_int_eq(pclose(p), 0);
  ck_assert_str_eq(out, "731 (HTTP(S) list): HTTP(S) server answered an error status\n"
                        "  appears in: HTTPEND\n"
                        "  produced by: 404 or any other non-2xx status\n");
  snprintf(cmd, sizeof(cmd), "'%s' 9999 2>&1", bin ? bin : "fotaerrors");
  p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  n = fread(out, 1, sizeof(out) - 1, p);
  out[n] = '\0';
  ck_assert_int_eq(WEXITSTATUS(pclose(p)), 1);
  ck_assert_str_eq(out, "fotaerrors: 9999 is in none of the module's lists\n");
}
END_TEST

START_TEST(unknown_host_and_refused_port)
{
  start();
  chat(M, "AT+QFOTADL=\"http://fw.invalid.example/full.pkg\",1,0,0\r", "\r\nOK\r\n");
  download_fails("HTTP", 714);
  chat(M, "AT+QFOTADL=\"ftp://u:p@fw.invalid.example/full.pkg\",1,0,0\r", "\r\nOK\r\n");
  download_fails("FTP", 604);
  chat(M, "AT+QFOTADL=\"http://127.0.0.1:1/full.pkg\",1,0,0\r", "\r\nOK\r\n");
  download_fails("HTTP", 716);
  chat(M, "AT+QFOTADL=\"ftp://u:p@127.0.0.1:1/full.pkg\",1,0,0\r", "\r\nOK\r\n");
  download_fails("FTP", 605);
  /* localhost is in the default DNS map */
  chat(M, "AT+QFOTADL=\"http://localhost:1/full.pkg\",1,0,0\r", "\r\nOK\r\n");
  download_fails("HTTP", 716);
}
END_TEST

START_TEST(stalled_servers_time_out)
{
  start();
  fotadl("http", SV.http, "stall/full.pkg", ",1,0,0");
  download_fails("HTTP", 702);
  fotadl("ftp", SV.ftp, "stall.pkg", ",1,0,0");
  download_fails("FTP", 609);
}
END_TEST

START_TEST(storage_full_and_no_sd_card)
{
  char path[512];
  FILE *f;
  snprintf(path, sizeof(path), "%s/ufs", S.dir);
  ck_assert_int_eq(mkdir(path, 0755), 0);
  snprintf(path, sizeof(path), "%s/ufs/other.dat", S.dir);
  f = fopen(path, "wb");
  ck_assert_int_eq(ftruncate(fileno(f), 5800 * 1024), 0); /* 5.8 of the 6 MB UFS in use */
  fclose(f);
  start();
  fotadl("http", SV.http, "full.pkg", ",1,0,0");
  download_fails("HTTP", 564);
  fotadl("ftp", SV.ftp, "full.pkg", ",1,0,0");
  download_fails("FTP", 619);
  /* EFS has room */
  chat(M, "AT+QCFG=\"fota/path\",\"EFS:fota\"\r", "\r\nOK\r\n");
  fotadl("http", SV.http, "delta.pkg", ",1,0,0");
  succeeds("HTTP", 0, 0);
  /* the setting went back to UFS after the FOTA */
  chat(M, "AT+QCFG=\"fota/path\"\r", "\r\n+QCFG: \"fota/path\",\"UFS:\"\r\n\r\nOK\r\n");
  chat(M, "AT+QCFG=\"fota/path\",\"SD:\"\r", "\r\nOK\r\n");
  chat(M, "AT+QFOTADL=\"http://127.0.0.1:1/x.pkg\"\r", "\r\n+CME ERROR: 552\r\n");
}
END_TEST

START_TEST(busy_module)
{
  char cmd[256];
  start();
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"http://127.0.0.1:%d/stall/full.pkg\",1,0,0\r", SV.http);
  chat(M, cmd, "\r\nOK\r\n");
  urc("\"HTTPSTART\"");
  chat(M, cmd, "\r\n+CME ERROR: 549\r\n");
  urc("\"HTTPEND\",702");
  chat(M, "AT\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(malformed_urls_and_parameters)
{
  char longname[300], cmd[400];
  start();
  chat(M, "AT+QFOTADL=\"htp://127.0.0.1/a.pkg\"\r", "\r\n+CME ERROR: 560\r\n");
  chat(M, "AT+QFOTADL=\"127.0.0.1/a.pkg\"\r", "\r\n+CME ERROR: 561\r\n");
  chat(M, "AT+QFOTADL=\"http://127.0.0.1\"\r", "\r\n+CME ERROR: 561\r\n");
  chat(M, "AT+QFOTADL=\"http://127.0.0.1:0/a.pkg\"\r", "\r\n+CME ERROR: 561\r\n");
  chat(M, "AT+QFOTADL=\"http://127.0.0.1:65536/a.pkg\"\r", "\r\n+CME ERROR: 561\r\n");
  chat(M, "AT+QFOTADL=\"ftp://u:p@127.0.0.1/dir/a.pkg\"\r", "\r\n+CME ERROR: 561\r\n");
  memset(longname, 'a', 51);
  longname[51] = '\0';
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"http://127.0.0.1/%s\"\r", longname);
  chat(M, cmd, "\r\n+CME ERROR: 557\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"ftp://%s:p@127.0.0.1/a.pkg\"\r", longname);
  chat(M, cmd, "\r\n+CME ERROR: 557\r\n");
  memset(longname, 'a', 250);
  longname[250] = '\0';
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"http://h/%s\"\r", longname);
  chat(M, cmd, "\r\n+CME ERROR: 551\r\n");
  chat(M, "AT+QFOTADL=\"http://127.0.0.1/a.pkg\",2\r", "\r\n+CME ERROR: 551\r\n");
  chat(M, "AT+QFOTADL=\"http://127.0.0.1/a.pkg\",1,3\r", "\r\n+CME ERROR: 551\r\n");
  chat(M, "AT+QFOTADL=\"http://127.0.0.1/a.pkg\",1,50,101\r", "\r\n+CME ERROR: 551\r\n");
  chat(M, "AT+QFOTADL=http://127.0.0.1/a.pkg\r", "\r\n+CME ERROR: 551\r\n");
  chat(M, "AT+QFOTADL\r", "\r\nERROR\r\n");
  chat(M, "AT+CMEE=0\r", "\r\nOK\r\n");
  chat(M, "AT+QFOTADL=\"htp://127.0.0.1/a.pkg\"\r", "\r\nERROR\r\n");
}
END_TEST

START_TEST(status_and_events_report_fota)
{
  char reply[8192];
  start();
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "\"fota\":{\"phase\":\"idle\",\"percent\":0,"
                                      "\"last_error\":null}"));
  fotadl("ftp", SV.ftp, "missing.pkg", ",1,0,0");
  download_fails("FTP", 627);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "\"phase\":\"idle\""));
  ck_assert_ptr_nonnull(strstr(reply, "\"last_error\":627"));
  /* a wait on the fota event sees the update phase of a good FOTA */
  {
    const char *args[] = { "wait", "fota", "--match", "update", "--timeout", "10000", NULL };
    char out[4096];
    pid_t pid = fork();
    if (pid == 0) {
      usleep(300000);
      fotadl("http", SV.http, "delta.pkg", ",1,0,0");
      _exit(0);
    }
    ck_assert_int_eq(run_ctl(&S, args, out, sizeof(out)), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"state\": \"update\""));
    waitpid(pid, NULL, 0);
  }
}
END_TEST

START_TEST(quirks_spell_httpend_as_the_note_does)
{
  char scenario[512], cmd[256];
  const char *extra[] = { "--scenario", scenario, NULL };
  snprintf(scenario, sizeof(scenario), "%s/urc-quirks.yaml",
           getenv("FOTASIM_SCENARIOS") ? getenv("FOTASIM_SCENARIOS") : "scenarios");
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"http://127.0.0.1:%d/missing.pkg\",1,0,0\r", SV.http);
  chat(M, cmd, "\r\nOK\r\n");
  expect_tty(M, "\r\n+QIND: \"FOTA\", \"HTTPSTART\"\r\n");
  expect_tty(M, "\r\n+QIND: \"FOTA\", \"HTTPPEND\", 731\r\n");
}
END_TEST

START_TEST(no_network_for_the_download)
{
  start();
  chat(M, "AT+CFUN=4\r", "\r\nOK\r\n");
  fotadl("http", SV.http, "delta.pkg", ",1,0,0");
  download_fails("HTTP", 4);
}
END_TEST

/* A module on a scenario given as text (written next to the served files). */
static void start_with_yaml(const char *name, const char *yaml)
{
  char scenario[512];
  const char *extra[] = { "--scenario", scenario, NULL };
  snprintf(scenario, sizeof(scenario), "%s/%s", root, name);
  write_file(name, yaml, strlen(yaml));
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

START_TEST(network_rejects_the_apn)
{
  start_with_yaml("private-apn.yaml", "network:\n  apns: [fota.corp]\n");
  chat(M, "AT+QICSGP=1,1,\"internet\"\r", "\r\nOK\r\n");
  fotadl("http", SV.http, "delta.pkg", ",1,0,0");
  download_fails("HTTP", 21);                      /* the network refuses the APN */
  chat(M, "AT+QIACT=1\r", "\r\nERROR\r\n");
  chat(M, "AT+QICSGP=1,1,\"FOTA.corp\"\r", "\r\nOK\r\n");
  chat(M, "AT+QIACT=1\r", "\r\nOK\r\n");
}
END_TEST

/* The package cannot be stored: fota/path names a directory that is a file on the medium. */
START_TEST(package_cannot_be_stored)
{
  char path[512];
  FILE *f;
  start();
  snprintf(path, sizeof(path), "%s/ufs/blocked", S.dir);
  f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fclose(f);
  chat(M, "AT+QCFG=\"fota/path\",\"UFS:blocked\"\r", "\r\nOK\r\n");
  fotadl("ftp", SV.ftp, "delta.pkg", ",1,0,0");
  download_fails("FTP", 613);                      /* FTP: file error */
  chat(M, "AT+QCFG=\"fota/path\",\"UFS:blocked\"\r", "\r\nOK\r\n");
  fotadl("http", SV.http, "delta.pkg", ",1,0,0");
  download_fails("HTTP", 701);                     /* HTTP: no better code than unknown */
}
END_TEST

/* Rules at the connection: refused (drop) and nobody answering (stall), by attempt. */
START_TEST(connect_phase_rules)
{
  start_with_yaml("connect-rules.yaml",
                  "faults:\n  - phase: connect\n    attempt: 1\n    drop: true\n"
                  "  - phase: connect\n    attempt: 2\n    stall: true\n"
                  "  - phase: connect\n    attempt: 3\n    drop: true\n");
  fotadl("http", SV.http, "delta.pkg", ",1,0,0");
  download_fails("HTTP", 716);
  fotadl("http", SV.http, "delta.pkg", ",1,0,0");
  download_fails("HTTP", 702);
  fotadl("ftp", SV.ftp, "delta.pkg", ",1,0,0");
  download_fails("FTP", 605);
}
END_TEST

int main(void)
{
  int rc;
  Suite *s = suite_create("fota");
  TCase *t = tcase_create("fota");
  make_world();
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, test_command);
  tcase_add_test(t, http_full_progress_5);
  tcase_add_test(t, http_delta_default_counts);
  tcase_add_test(t, ftp_full_no_progress);
  tcase_add_test(t, ftp_delta_progress_100);
  tcase_add_test(t, https_delta);
  tcase_add_test(t, https_full);
  tcase_add_test(t, mode_0_updates_at_next_reboot);
  tcase_add_test(t, mode_0_pending_update_survives_kill_9);
  tcase_add_test(t, fotaerrors_explains_a_code);
  tcase_add_test(t, bandwidth_shapes_the_download_in_virtual_time);
  tcase_add_test(t, signed_package_accepted);
  tcase_add_test(t, tampered_or_unsigned_package_refused);
  tcase_add_test(t, delta_for_another_base_refused);
  tcase_add_test(t, ftp_server_replies);
  tcase_add_test(t, ftp_servers_closing_connections);
  tcase_add_test(t, network_rejects_the_apn);
  tcase_add_test(t, connect_phase_rules);
  tcase_add_test(t, package_cannot_be_stored);
  tcase_add_test(t, http_errors_from_real_causes);
  tcase_add_test(t, unknown_host_and_refused_port);
  tcase_add_test(t, stalled_servers_time_out);
  tcase_add_test(t, storage_full_and_no_sd_card);
  tcase_add_test(t, busy_module);
  tcase_add_test(t, malformed_urls_and_parameters);
  tcase_add_test(t, no_network_for_the_download);
  tcase_add_test(t, status_and_events_report_fota);
  tcase_add_test(t, quirks_spell_httpend_as_the_note_does);
  suite_add_tcase(s, t);
  rc = run_suite(s);
  end_world();
  return rc;
}
