/* test_scenarios: scenario files and the fault-injection engine, driven from the host side over
 * FILE-mode FOTAs: shipped stories, bad files, power cuts and resume, rules fired by phase,
 * progress, bytes, commands, time and chance, actions on the ports' output, and one scenario
 * per documented error code with the exact bytes that carry it. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fotasim/fwimage.h"
#include "fotasim/package.h"
#include "file_util.h"
#include "fota_host.h"
#include "host.h"
#include "expect_parse.h"
#include "error_docs.h"
#include "errors.h"
#include <jansson.h>
#include <dirent.h>

START_TEST(power_cut_mid_update_bricks_until_reflash)
{
  const char *fast[] = { "--timing", "fast", NULL };
  char reply[4096];
  start_args(fast);
  send_delta_ab(U, ",1,0,10");
  for (int k = 1; k <= 5; k++) {
    char body[64];
    snprintf(body, sizeof(body), "\"UPDATING\",%d", k * 10);
    urc(U, body);
  }
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"cut\"}", reply, sizeof(reply),
                       5000), 0);
  ck_assert_str_eq(reply, "{\"ok\":true,\"power\":\"off\"}\n");
  close(U);
  U = -1;
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"on\"}", reply, sizeof(reply),
                       5000), 0);
  status_has("\"bricked\":true", 10000);
  tty_send(M, "AT\r", 3);
  {
    char buf[64];
    ck_assert_uint_eq(tty_read_for(M, buf, sizeof(buf), 300), 0); /* silent */
  }
  ck_assert_int_ne(access(S.usb_link, F_OK), 0);
  /* a reflash that is refused while it runs, then one that works */
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"reflash\",\"image\":\"/nonexistent.img\"}", reply,
                       sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "cannot read image /nonexistent.img"));
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"reflash\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_str_eq(reply, "{\"ok\":true,\"power\":\"off\"}\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"on\"}", reply, sizeof(reply),
                       5000), 0);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  revision_is(M, REV_A);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"reflash\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "reflash needs the module off or bricked (it is on)"));
}
END_TEST

START_TEST(control_storage_and_network)
{
  char reply[4096];
  start();
  chat(U, "AT+QFLDS=\"SD\"\r", "\r\n+CME ERROR: 400\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"storage\",\"medium\":\"SD\",\"present\":true}", reply,
                       sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "\"present\":true"));
  chat(U, "AT+QFLDS=\"SD\"\r", "\r\n+QFLDS: 8589934592,8589934592\r\n\r\nOK\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"storage\",\"medium\":\"UFS\",\"fill\":6000000}", reply,
                       sizeof(reply), 5000), 0);
  chat(U, "AT+QFLDS=\"UFS\"\r", "\r\n+QFLDS: 291456,6291456\r\n\r\nOK\r\n");
  chat(U, "AT+QFOTADL=\"FILE:300000\"\r", "\r\n+CME ERROR: 564\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"storage\",\"medium\":\"UFS\",\"free\":true}", reply,
                       sizeof(reply), 5000), 0);
  chat(U, "AT+QFLDS=\"UFS\"\r", "\r\n+QFLDS: 6291456,6291456\r\n\r\nOK\r\n");
  /* the network: registration URCs and queries follow what it offers */
  chat(U, "AT+CREG=1\r", "\r\nOK\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"network\",\"registration\":\"denied\"}", reply,
                       sizeof(reply), 5000), 0);
  expect_tty(U, "\r\n+CREG: 3\r\n");
  chat(U, "AT+CREG?;+CSQ\r", "\r\n+CREG: 1,3\r\n\r\n+CSQ: 99,99\r\n\r\nOK\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"network\",\"registration\":\"roaming\",\"rssi\":9}",
                       reply, sizeof(reply), 5000), 0);
  expect_tty(U, "\r\n+CREG: 5\r\n");
  chat(U, "AT+CSQ\r", "\r\n+CSQ: 9,99\r\n\r\nOK\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"network\",\"registration\":\"moon\"}", reply,
                       sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "unknown registration 'moon'"));
}
END_TEST



START_TEST(every_shipped_scenario_loads)
{
  DIR *d = opendir(scenario_dir());
  struct dirent *e;
  int n = 0;
  ck_assert_ptr_nonnull(d);
  while ((e = readdir(d))) {
    char path[512], err[512];
    struct run_scenario sc;
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
      continue;
    snprintf(path, sizeof(path), "%s/%s", scenario_dir(), e->d_name);
    ck_assert_msg(run_scenario_load(path, &sc, err, sizeof(err)) == 0, "%s", err);
    n++;
  }
  closedir(d);
  ck_assert_int_ge(n, 6);
}
END_TEST

/* Each bad file: exit 2 and one line that names the file, the line and the field. */
START_TEST(bad_scenarios_give_one_line_errors)
{
  static const struct { const char *text, *want; } cases[] = {
    { "network:\n  registration: sideways\n",
      "%s:2: network.registration: expected home, roaming, searching, denied or not-registered\n" },
    { "faults:\n  - phase: update\n    fail: 999\n",
      "%s:3: faults.fail: 999 is not a documented error code\n" },
    { "faults:\n  - phase: flash\n    fail: 502\n",
      "%s:2: faults.phase: expected datacall, connect, download, verify, update or reboot\n" },
    { "faults:\n  - percent: 50\n    fail: 502\n",
      "%s:2: faults: a rule needs a trigger: 'phase', 'command', 'at', 'socket', 'http', 'mqtt', 'sms', 'ntp' or 'datacall'\n" },
    { "faults:\n  - at: 100\n    phase: update\n    fail: 502\n",
      "%s:2: faults: a rule has one trigger: 'phase', 'command', 'at', 'socket', 'http', 'mqtt', 'sms', 'ntp' or 'datacall'\n" },
    { "faults:\n  - phase: verify\n    offset: 100\n    fail: 502\n",
      "%s:2: faults: 'offset' counts bytes downloaded, written or received: it needs phase: "
      "download or update, socket: receive or datacall: data\n" },
    { "faults:\n  - datacall: dial\n    drop: true\n",
      "%s:2: faults: datacall rules: dial refuses (NO CARRIER); data drops, stalls or corrupts "
      "the call past an offset\n" },
    { "faults:\n  - socket: send\n    refuse: true\n",
      "%s:2: faults: refuse acts on socket: connect\n" },
    { "faults:\n  - phase: connect\n    id: 3\n    fail: 601\n",
      "%s:2: faults: 'id' names a socket: it needs 'socket'\n" },
    { "faults:\n  - socket: listen\n    drop: true\n",
      "%s:2: faults.socket: expected connect, send or receive\n" },
    { "faults:\n  - phase: reboot\n    fail: 502\n",
      "%s:2: faults: the reboot cannot fail with a code; cut_power instead\n" },
    { "faults:\n  - command: AT+CSQ\n    output: shout\n",
      "%s:3: faults.output: expected delay, drop or split\n" },
    { "faults:\n  - at: 10\n    fill: {medium: CD}\n",
      "%s:3: faults.fill.medium: expected UFS, SD or EFS\n" },
    { "faults:\n  - at: 10\n    repeat: true\n",
      "%s:2: faults: a rule needs an action: fail, cut_power, corrupt, drop, stall, refuse, pdpdeact, network, rssi, urc, fill, output or sms_text\n" },
    { "modul:\n  model: EC200U\n", "%s:1: scenario: unknown field 'modul'\n" },
    { "module:\n  timing: warp\n",
      "%s:2: module.timing: expected real, fast, instant or a positive factor\n" },
    { "network: [1\n", "%s:2: YAML: did not find expected ',' or ']'\n" },
    { "storage:\n  ufs: -5\n", "%s:2: storage.ufs: expected a whole number\n" },
    /* limits, met before a document is built: nesting, values, size (generated below) */
    { "[65", "%s:1: YAML: nested deeper than 64 levels\n" },
    { "{100001", "%s:1: YAML: more than 100000 values\n" },
    { "#1048577", "%s: larger than 1048576 bytes\n" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char path[512], want[1024], err[2048];
    const char *args[] = { "--scenario", path, "--state-dir", S.dir, NULL };
    FILE *f;
    snprintf(path, sizeof(path), "%s.bad%zu.yaml", S.dir, i);
    f = fopen(path, "w");
    if (cases[i].text[0] == '[') { /* [[[...]]] this deep */
      for (int k = atoi(cases[i].text + 1); k > 0; k--)
        fputc('[', f);
    } else if (cases[i].text[0] == '{') { /* a flow mapping of this many values */
      fputs("{", f);
      for (int k = atoi(cases[i].text + 1) / 2; k > 0; k--)
        fprintf(f, "a%d: 1, ", k);
      fputs("}\n", f);
    } else if (cases[i].text[0] == '#') { /* a comment this long */
      for (int k = atoi(cases[i].text + 1); k > 0; k--)
        fputc('#', f);
    } else {
      fputs(cases[i].text, f);
    }
    fclose(f);
    ck_assert_int_eq(run_fotasim(args, err, sizeof(err)), 2);
    snprintf(want, sizeof(want), "fotasim: ");
    snprintf(want + 9, sizeof(want) - 9, cases[i].want, path);
    ck_assert_str_eq(err, want);
    unlink(path);
  }
}
END_TEST

START_TEST(scenario_power_cut_at_50_percent)
{
  char reply[4096];
  start_with_scenario("power-cut-at-50-percent-of-update.yaml", "instant");
  send_delta_ab(U, ",1,0,10");
  {
    /* UPDATING 10..50, then the cut: the port hangs up, with no END. The URCs written just
     * before the cut may vanish with the port, so what arrives is a prefix of them. */
    static const char all[] =
        "\r\n+QIND: \"FOTA\",\"UPDATING\",10\r\n\r\n+QIND: \"FOTA\",\"UPDATING\",20\r\n"
        "\r\n+QIND: \"FOTA\",\"UPDATING\",30\r\n\r\n+QIND: \"FOTA\",\"UPDATING\",40\r\n"
        "\r\n+QIND: \"FOTA\",\"UPDATING\",50\r\n";
    char got[512];
    size_t n = usb_cut_then_power_on(got, sizeof(got));
    ck_assert_msg(n <= sizeof(all) - 1 && memcmp(got, all, n) == 0, "%s", show(got, n));
  }
  status_has("\"bricked\":true", 5000);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"reflash\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"on\"}", reply, sizeof(reply),
                       5000), 0);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  revision_is(M, REV_A);
}
END_TEST

START_TEST(scenario_flaky_network_first_attempt_fails)
{
  start_with_scenario("flaky-network-with-recovery.yaml", "instant");
  chat(U, "AT+CSQ\r", "\r\n+CSQ: 12,99\r\n\r\nOK\r\n");
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",702");
  chat(U, "AT\r", "\r\nOK\r\n"); /* none of the package reached the AT interpreter */
  revision_is(U, REV_A);
  send_delta_ab(U, ",1,0,5");
  updating(U, 5);
  urc(U, "\"END\",0");
  usb_reboots_into(REV_B);
}
END_TEST

START_TEST(scenario_network_settings_and_outage)
{
  start_with_scenario("roaming-with-outage.yaml", "fast");
  chat(U, "AT+CREG?\r", "\r\n+CREG: 0,5\r\n\r\nOK\r\n");
  chat(U, "AT+CREG=1\r", "\r\nOK\r\n");
  expect_tty(U, "\r\n+CREG: 2\r\n");   /* the outage begins (15 s virtual after power on) */
  expect_tty(U, "\r\n+CREG: 5\r\n");   /* and ends 20 s later */
}
END_TEST

START_TEST(scenario_slow_gsm_link)
{
  start_with_scenario("slow-gsm-like-link.yaml", "instant");
  chat(U, "AT+CSQ;+COPS?\r",
       "\r\n+CSQ: 9,99\r\n\r\n+COPS: 0,0,\"CHN-UNICOM\",0\r\n\r\nOK\r\n");
  chat(U, "AT+QNWINFO\r", "\r\n+QNWINFO: \"GSM\",\"46001\",\"GSM 900\",1650\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(scenario_power_cut_resumed_after_reboot)
{
  char reply[4096];
  start_with_scenario("power-cut-with-resume.yaml", "instant");
  send_delta_ab(U, ",1,0,10");
  for (int k = 1; k <= 4; k++) {
    char body[64];
    snprintf(body, sizeof(body), "\"UPDATING\",%d", k * 10);
    urc(U, body);
  }
  status_has("\"power\":\"off\"", 5000);
  close(U);
  U = -1;
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"on\"}", reply, sizeof(reply),
                       5000), 0);
  /* the updater carries on, on the port that asked (the USB port, new after the boot) */
  for (int i = 0; i < 500 && access(S.usb_link, F_OK) != 0; i++)
    usleep(10000);
  U = tty_open(S.usb_link);
  urc(U, "\"START\"");
  {
    /* from where it stopped (50 or 60: the last URC before the cut may have been lost with
     * the port) to the end */
    char buf[1024];
    size_t n = 0;
    while (n < sizeof(buf) - 1 && !strstr(buf, "\"END\",0\r\n")) {
      size_t k = tty_read_for(U, buf + n, 1, 5000);
      ck_assert_uint_eq(k, 1);
      n += k;
      buf[n] = '\0';
    }
    static const char at50[] = "\r\n+QIND: \"FOTA\",\"UPDATING\",50\r\n";
    static const char at60[] = "\r\n+QIND: \"FOTA\",\"UPDATING\",60\r\n";
    ck_assert_msg(!strncmp(buf, at50, sizeof(at50) - 1) || !strncmp(buf, at60, sizeof(at60) - 1),
                  "%s", buf);
    ck_assert_ptr_nonnull(strstr(buf, "\"UPDATING\",90\r\n\r\n+QIND: \"FOTA\",\"UPDATING\",100\r\n"
                                      "\r\n+QIND: \"FOTA\",\"END\",0\r\n"));
  }
  usb_reboots_into(REV_B);
}
END_TEST

START_TEST(inject_and_clear_fault_rules)
{
  char out[4096];
  const char *good[] = { "inject", "{\"phase\":\"verify\",\"fail\":547}", NULL };
  const char *bad[] = { "inject", "{\"phase\":\"verify\",\"fail\":999}", NULL };
  const char *clear[] = { "clear", NULL };
  start();
  ck_assert_int_eq(run_ctl(&S, bad, out, sizeof(out)), 1);
  ck_assert_int_eq(run_ctl(&S, good, out, sizeof(out)), 0);
  ck_assert_ptr_nonnull(strstr(out, "\"rules\": 1"));
  send_delta_ab(U, ",1,0,5");
  urc(U, "\"END\",547");
  revision_is(U, REV_A);
  ck_assert_int_eq(run_ctl(&S, clear, out, sizeof(out)), 0);
  send_delta_ab(U, ",1,0,5");
  updating(U, 5);
  urc(U, "\"END\",0");
  usb_reboots_into(REV_B);
}
END_TEST


static char *one_seeded_run(void)
{
  char tr[512], path[512], cmd[128];
  const char *extra[] = { "--scenario", path, "--transcript", tr, NULL };
  char *streams;
  snprintf(path, sizeof(path), "%s/default.yaml", scenario_dir());
  snprintf(tr, sizeof(tr), "%s.transcript", S.dir);
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  U = tty_open(S.usb_link);
  expect_tty(U, BOOT_URCS);
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
  tty_send(U, "AT+CGSN;+CIMI;+QCCID\r", 21);
  {
    char buf[256];
    tty_read_n(U, buf, 2 + 15 + 2 + 2 + 15 + 2 + 2 + 28 + 2 + 6, 5000);
  }
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"FILE:%zu\",1,5,5\r", delta_ab_len);
  chat(U, cmd, "\r\nOK\r\n\r\n+QIND: \"FOTA\",\"FILESTART\"\r\n");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  progress(U, "DOWNLOADING", 5);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
  updating(U, 5);
  urc(U, "\"END\",0");
  close(U);
  U = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  streams = transcript_streams(tr);
  unlink(tr);
  return streams;
}

START_TEST(same_seed_same_scenario_same_bytes)
{
  char *first = one_seeded_run(), *second;
  char cmd[600];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", S.dir, S.dir);
  ck_assert_int_eq(system(cmd), 0); /* a new state dir: identity made again from the seed */
  second = one_seeded_run();
  if (strcmp(first, second) != 0) {
    size_t i = 0;
    while (first[i] && first[i] == second[i])
      i++;
    ck_abort_msg("runs differ at byte %zu:\n...%.300s\n---\n...%.300s", i,
                 first + (i > 100 ? i - 100 : 0), second + (i > 100 ? i - 100 : 0));
  }
  free(first);
  free(second);
}
END_TEST


START_TEST(fault_corrupt_bytes_fail_verification)
{
  start_with_rules("faults:\n  - phase: download\n    percent: 10\n    corrupt: true\n");
  send_delta_ab(U, ",1,0,5");
  urc(U, "\"END\",547"); /* the corrupted package fails verification by itself */
  revision_is(U, REV_A);
}
END_TEST

START_TEST(fault_stall_times_out)
{
  start_with_rules("faults:\n  - phase: download\n    percent: 30\n    stall: true\n");
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",567");
  chat(U, "AT\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(fault_network_change_and_urc)
{
  start_with_rules("faults:\n  - phase: verify\n    network: denied\n"
                   "    urc: '+QIND: \"custom\",1'\n");
  chat(M, "AT+CREG=1\r", "\r\nOK\r\n");
  send_delta_ab(U, ",1,0,5");
  expect_tty(U, "\r\n+QIND: \"custom\",1\r\n");  /* the rule's URC, on every port */
  expect_tty(M, "\r\n+CREG: 3\r\n\r\n+QIND: \"custom\",1\r\n");
  updating(U, 5);                                   /* the update itself goes on */
  urc(U, "\"END\",0");
  usb_reboots_into(REV_B);
  chat(U, "AT+CREG?\r", "\r\n+CREG: 0,3\r\n\r\nOK\r\n"); /* the network still denies */
}
END_TEST

/* A rule with a probability draws from the scenario's seed: the same seed, the same outcomes. */
static void draws(const char *seed, char *out, int n)
{
  char yaml[256];
  snprintf(yaml, sizeof(yaml), "seed: %s\nfaults:\n  - command: AT+QFOTADL\n    fail: 549\n"
                               "    probability: 50\n    repeat: true\n", seed);
  start_with_rules(yaml);
  for (int i = 0; i < n; i++) {
    char buf[128];
    size_t k;
    tty_send(U, "AT+QFOTADL=?\r", 13);
    k = tty_read_n(U, buf, 6, 5000); /* "\r\nOK\r\n" or the start of "\r\n+QFOTADL..." */
    ck_assert_uint_eq(k, 6);
    static const char fail[] = "\r\n+CME ERROR: 549\r\n";
    static const char pass[] = "\r\n+QFOTADL: <url>,(0,1),(0,5-100),(0,5-100)\r\n\r\nOK\r\n";
    const char *whole = memcmp(buf, fail, 6) == 0 ? fail : pass;
    size_t rest = strlen(whole) - 6;
    out[i] = whole == fail ? 'F' : 'p';
    ck_assert_uint_eq(tty_read_n(U, buf + 6, rest, 5000), rest);
    ck_assert(memcmp(buf, whole, strlen(whole)) == 0);
  }
  out[n] = '\0';
  close(M);
  close(U);
  M = U = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
}

START_TEST(fault_probability_follows_the_seed)
{
  char a[33], b[33], c[33];
  draws("7", a, 32);
  draws("7", b, 32);
  draws("8", c, 32);
  ck_assert_str_eq(a, b);
  ck_assert_str_ne(a, c);
  ck_assert_ptr_nonnull(strchr(a, 'F'));
  ck_assert_ptr_nonnull(strchr(a, 'p'));
}
END_TEST

START_TEST(scenario_urc_quirks)
{
  char cmd[128];
  start_with_scenario("urc-quirks.yaml", "instant");
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"FILE:%zu\",1,5,5\r", delta_ab_len);
  chat(U, cmd, "\r\nOK\r\n\r\n+QIND: \"FOTA\", \"FILESTART\"\r\n");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  expect_tty(U, "\r\n+QIND: \"FOTA\", \" DOWNLOADING\", 20\r\n");
  expect_tty(U, "\r\n+QIND: \"FOTA\", \" DOWNLOADING\", 40\r\n");
  expect_tty(U, "\r\n+QIND: \"FOTA\", \" DOWNLOADING\", 60\r\n");
  expect_tty(U, "\r\n+QIND: \"FOTA\", \" DOWNLOADING\", 80\r\n");
  expect_tty(U, "\r\n+QIND: \"FOTA\", \" DOWNLOADING\", 100\r\n");
  expect_tty(U, "\r\n+QIND: \"FOTA\", \"FILEEND\", 0\r\n");
  expect_tty(U, "\r\n+QIND: \"FOTA\", \"START\"\r\n");
  expect_tty(U, "\r\n+QIND: \"FOTA\", \"UPDATING\", 20\r\n");
}
END_TEST

/* The i-th documented code of the catalogue. */
static const struct error_info *documented(int i)
{
  int n;
  const struct error_info *t = error_table(&n);
  for (int k = 0; k < n; k++)
    if (error_documented(&t[k]) && i-- == 0)
      return &t[k];
  return NULL;
}

static int documented_count(void)
{
  int n, count = 0;
  const struct error_info *t = error_table(&n);
  for (int k = 0; k < n; k++)
    count += error_documented(&t[k]);
  return count;
}

/* For every documented code: its scenario, the host's side, the exact bytes that carry the
 * code, and a module that still answers afterwards. */
START_TEST(every_documented_code_from_its_scenario)
{
  const struct error_info *e = documented(_i);
  char path[512], name[64], want[256], *gen = NULL;
  size_t gen_len = 0, have_len = 0;
  FILE *mem;
  uint8_t *have;
  const char *extra[] = { "--scenario", path, NULL };
  const char *qiopen = "AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",9,0,0\r";
  ck_assert_ptr_nonnull(e);
  error_scenario_name(e, name, sizeof(name));
  snprintf(path, sizeof(path), "%s/errors/%s", scenario_dir(), name);
  mem = open_memstream(&gen, &gen_len);
  error_scenario_yaml(e, mem);
  fclose(mem);
  have = read_whole_file(path, 1 << 16, &have_len);
  ck_assert_msg(have && have_len == gen_len && !memcmp(have, gen, gen_len),
                "%s is missing or stale: build/tools/fotaerrors --scenarios scenarios/errors", path);
  free(have);
  free(gen);

  start_args(extra);
  switch (error_route_of(e)) {
  case ROUTE_SUCCESS:
    file_command(U, delta_ab_len, ",1,0,0");
    tty_send(U, (const char *)delta_ab, delta_ab_len);
    urc(U, "\"FILEEND\",0");
    urc(U, "\"START\"");
    urc(U, "\"END\",0");
    usb_reboots_into(REV_B);
    return;
  case ROUTE_RESPONSE:
    snprintf(want, sizeof(want), "\r\n+CME ERROR: %d\r\n", e->code);
    chat(U, "AT+QFOTADL=\"FILE:1000\"\r", want);
    break;
  case ROUTE_FILEEND:
    file_command(U, delta_ab_len, ",1,0,0");
    tty_send(U, (const char *)delta_ab, delta_ab_len);
    snprintf(want, sizeof(want), "\"FILEEND\",%d", e->code);
    urc(U, want);
    break;
  case ROUTE_END:
    file_command(U, delta_ab_len, ",1,0,0");
    tty_send(U, (const char *)delta_ab, delta_ab_len);
    urc(U, "\"FILEEND\",0");
    urc(U, "\"START\"");
    snprintf(want, sizeof(want), "\"END\",%d", e->code);
    urc(U, want);
    break;
  case ROUTE_HTTPEND:
  case ROUTE_FTPEND: {
    int ftp = error_route_of(e) == ROUTE_FTPEND;
    chat(U, ftp ? "AT+QFOTADL=\"ftp://u:p@127.0.0.1:1/x.pkg\",1,0,0\r"
                : "AT+QFOTADL=\"http://127.0.0.1:1/x.pkg\",1,0,0\r",
         "\r\nOK\r\n");
    urc(U, ftp ? "\"FTPSTART\"" : "\"HTTPSTART\"");
    snprintf(want, sizeof(want), "\"%s\",%d", ftp ? "FTPEND" : "HTTPEND", e->code);
    urc(U, want);
    break;
  }
  case ROUTE_QIOPEN:
  case ROUTE_PDPDEACT:
    chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
    snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QIOPEN: 0,%d\r\n", e->code);
    chat(U, qiopen, want);
    if (error_route_of(e) == ROUTE_PDPDEACT) {
      expect_tty(U, "\r\n+QIURC: \"pdpdeact\",1\r\n");
      snprintf(want, sizeof(want), "\r\n+QIGETERROR: %d,%s\r\n\r\nOK\r\n", e->code, e->text);
      chat(U, "AT+QIGETERROR\r", want);
      chat(U, "AT+CGACT?\r", "\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
    }
    break;
  case ROUTE_QHTTPCOMMAND:
    snprintf(want, sizeof(want), "\r\n+CME ERROR: %d\r\n", e->code);
    chat(U, "AT+QHTTPGET\r", want);
    break;
  case ROUTE_QHTTPGET: {
    static const char url[] = "http://127.0.0.1:9/manifest.json";
    char cmd[64];
    chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
    snprintf(cmd, sizeof(cmd), "AT+QHTTPURL=%zu,10\r", strlen(url));
    chat(U, cmd, "\r\nCONNECT\r\n");
    chat(U, url, "\r\nOK\r\n");
    snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QHTTPGET: %d\r\n", e->code);
    chat(U, "AT+QHTTPGET\r", want);
    break;
  }
  case ROUTE_QICOMMAND:
    chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
    snprintf(want, sizeof(want), "\r\n+CME ERROR: %d\r\n", e->code);
    chat(U, qiopen, want);
    break;
  }
  chat(U, "AT\r", "\r\nOK\r\n");
  revision_is(U, REV_A);
}
END_TEST

/* The transcript's events on one port, in order: {"event", "port", "data", "vt"}. */
static json_t *port_events(const char *path, const char *port)
{
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  json_t *list = json_array();
  ck_assert_ptr_nonnull(f);
  while (getline(&line, &cap, f) > 0) {
    json_t *ev = json_loads(line, JSON_ALLOW_NUL, NULL);
    ck_assert_ptr_nonnull(ev);
    if (json_is_string(json_object_get(ev, "port")) &&
        !strcmp(json_string_value(json_object_get(ev, "port")), port))
      json_array_append(list, ev);
    json_decref(ev);
  }
  free(line);
  fclose(f);
  return list;
}

/* The virtual time of the first event of this type on the list from index *from whose data
 * starts with prefix; *from moves past it. */
static json_int_t vt_of(json_t *list, size_t *from, const char *type, const char *prefix)
{
  for (; *from < json_array_size(list); (*from)++) {
    json_t *ev = json_array_get(list, *from);
    const char *data = json_string_value(json_object_get(ev, "data"));
    if (!strcmp(json_string_value(json_object_get(ev, "event")), type) && data &&
        !strncmp(data, prefix, strlen(prefix))) {
      (*from)++;
      return json_integer_value(json_object_get(ev, "vt"));
    }
  }
  ck_abort_msg("no %s event starting with %s", type, show(prefix, strlen(prefix)));
  return -1;
}

/* A delta built against A09 offered to a module running A08: END,510, nothing written. */
START_TEST(scenario_wrong_base_delta)
{
  start_with_scenario("wrong-base-delta.yaml", "instant");
  send_delta_ab(U, ",1,0,5");
  urc(U, "\"END\",510");
  revision_is(U, "EC200UCNAAR02A08M08");
}
END_TEST

/* Power cut at flash operations across the whole update, from outside (fotasim its own
 * process, over PTYs; tests/test_powercut.c cuts at every sector in-process): the first
 * sector, the last, and 6 between, each torn in one of four ways in turn: during its erase
 * (half erased, half as it was), after 1, 2048 or 4095 bytes of its programming. Without
 * resume the module never comes up on a bad image: bricked and silent until reflash, then the
 * old firmware. With resume_update it always finishes on the new one. */
#define CUT_POINTS 8

static void power_cut_at(int point, int resume)
{
  static const size_t tear[4] = { 0, 1, 2048, 4095 }; /* byte of the sector's write */
  size_t nsec = (image_b_len + 4095) / 4096;
  size_t sector = point == CUT_POINTS - 1 ? nsec - 1 : (size_t)point * (nsec - 1) / (CUT_POINTS - 1);
  char yaml[256], got[4096], reply[4096];
  snprintf(yaml, sizeof(yaml),
           "module:\n  resume_update: %s\nfaults:\n  - phase: update\n    offset: %zu\n"
           "    cut_power: true\n", resume ? "true" : "false",
           sector * 4096 + tear[(point + resume) % 4]);
  start_with_rules(yaml);
  send_delta_ab(U, ",1,0,0");
  usb_cut_then_power_on(got, sizeof(got));
  ck_assert_msg(strstr(got, "END") == NULL, "sector %zu: %s", sector, show(got, strlen(got)));
  if (!resume) {
    status_has("\"bricked\":true", 5000);
    ck_assert_uint_eq(tty_read_for(M, got, sizeof(got), 200), 0); /* silent */
    ck_assert_int_eq(ctl(&S, "{\"cmd\":\"reflash\"}", reply, sizeof(reply), 5000), 0);
    ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"on\"}", reply,
                         sizeof(reply), 5000), 0);
  }
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  revision_is(M, resume ? REV_B : REV_A);
}

START_TEST(power_cut_at_any_sector_never_boots_a_bad_image)
{
  power_cut_at(_i % CUT_POINTS, _i >= CUT_POINTS);
}
END_TEST

/* Output faults on the answers to commands: a line lost, an answer cut in two with a pause,
 * an answer held back on another port. The pauses are measured on the virtual clock from the
 * transcript. */
START_TEST(output_faults_on_command_answers)
{
  char tr[512], path[512];
  const char *extra[] = { "--scenario", path, "--transcript", tr, NULL };
  json_t *usb, *main_port;
  size_t i = 0;
  json_int_t t0, t1;
  FILE *f;
  snprintf(path, sizeof(path), "%s.rules.yaml", S.dir);
  snprintf(tr, sizeof(tr), "%s.transcript", S.dir);
  f = fopen(path, "w");
  fputs("faults:\n"
        "  - command: AT+CSQ\n    output: drop\n"
        "  - command: AT+CGMR\n    output: split\n    bytes: 4\n    ms: 1500\n"
        "  - command: AT+GMI\n    output: delay\n    ms: 2000\n    port: main\n", f);
  fclose(f);
  start_args(extra);
  chat(U, "AT+CSQ\r", "\r\nOK\r\n");                 /* the +CSQ line is lost */
  chat(U, "AT+CSQ\r", "\r\n+CSQ: 24,99\r\n\r\nOK\r\n"); /* one-shot: whole again */
  revision_is(U, REV_A);                               /* split, but every byte comes */
  chat(M, "AT+GMI\r", "\r\nQuectel\r\n\r\nOK\r\n");     /* held, then whole */
  close(U);
  close(M);
  U = M = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  usb = port_events(tr, "usb");
  main_port = port_events(tr, "main");
  vt_of(usb, &i, "rx", "AT+CGMR");
  t0 = vt_of(usb, &i, "tx", "\r\nEC");
  t1 = vt_of(usb, &i, "tx", "");
  ck_assert_int_ge(t1 - t0, 1500);
  i = 0;
  t0 = vt_of(main_port, &i, "rx", "AT+GMI");
  t1 = vt_of(main_port, &i, "tx", "\r\nQuectel");
  ck_assert_int_ge(t1 - t0, 2000);
  json_decref(usb);
  json_decref(main_port);
  unlink(tr);
  unlink(path);
}
END_TEST

/* A time rule due before the boot ends changes the network the module finds; one injected at
 * run time whose time has passed fires at once, with its URC and signal. */
START_TEST(time_rules_fire_on_the_virtual_clock)
{
  char out[4096];
  const char *now[] = { "inject", "{\"at\":0,\"urc\":\"+QIND: \\\"custom\\\",2\",\"rssi\":7}",
                        NULL };
  start_with_rules("faults:\n  - at: 5000\n    network: roaming\n    rssi: 12\n");
  chat(U, "AT+CSQ;+CREG?\r", "\r\n+CSQ: 12,99\r\n\r\n+CREG: 0,5\r\n\r\nOK\r\n");
  ck_assert_int_eq(run_ctl(&S, now, out, sizeof(out)), 0);
  expect_tty(U, "\r\n+QIND: \"custom\",2\r\n");
  expect_tty(M, "\r\n+QIND: \"custom\",2\r\n");
  chat(U, "AT+CSQ\r", "\r\n+CSQ: 7,99\r\n\r\nOK\r\n");
}
END_TEST

/* A download rule at a byte offset: the progress URCs go on to that point, then FILEEND. */
START_TEST(offset_trigger_fires_at_its_byte)
{
  char yaml[256], got[8192], want[8192];
  size_t n = 0, wn = 0;
  int k = 0;
  snprintf(yaml, sizeof(yaml), "faults:\n  - phase: download\n    offset: %zu\n    fail: 565\n",
           delta_ab_len / 2);
  start_with_rules(yaml);
  file_command(U, delta_ab_len, ",1,100,0");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  /* DOWNLOADING 1, 2, ... up to at least 50 (the offset is half the package), then FILEEND */
  for (;;) {
    ssize_t r = (ssize_t)tty_read_for(U, got + n, sizeof(got) - 1 - n, 3000);
    ck_assert_int_gt(r, 0);
    n += (size_t)r;
    got[n] = '\0';
    if (strstr(got, "\"FILEEND\""))
      break;
  }
  while (wn < n) {
    char line[64];
    int len = snprintf(line, sizeof(line), "\r\n+QIND: \"FOTA\",\"DOWNLOADING\",%d\r\n", k + 1);
    if (strncmp(got + wn, line, (size_t)len) != 0)
      break;
    wn += (size_t)len;
    k++;
  }
  ck_assert_msg(k >= 50 && k < 100, "%d progress URCs before the fault: %s", k, show(got, n));
  snprintf(want, sizeof(want), "\r\n+QIND: \"FOTA\",\"FILEEND\",565\r\n");
  ck_assert_str_eq(got + wn, want);
  chat(U, "AT\r", "\r\nOK\r\n");
  revision_is(U, REV_A);
}
END_TEST

/* A command rule fills the storage before the command runs: the FILE length no longer fits. */
START_TEST(fill_action_leaves_too_little_room)
{
  char cmd[128];
  start_with_rules("faults:\n  - command: AT+QFOTADL\n    fill: {medium: UFS, free: 1000}\n");
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"FILE:%zu\",1,0,0\r", delta_ab_len);
  chat(U, cmd, "\r\n+CME ERROR: 564\r\n");
  chat(U, "AT+QFLDS=\"UFS\"\r", "\r\n+QFLDS: 1000,6291456\r\n\r\nOK\r\n");
}
END_TEST

/* A reboot rule: END,0, then the power goes instead of the reboot; the next power on boots
 * the new firmware (the update had finished). */
START_TEST(reboot_rule_cuts_power_after_a_good_update)
{
  start_with_rules("faults:\n  - phase: reboot\n    cut_power: true\n");
  static const char all[] =
      "\r\n+QIND: \"FOTA\",\"UPDATING\",20\r\n\r\n+QIND: \"FOTA\",\"UPDATING\",40\r\n"
      "\r\n+QIND: \"FOTA\",\"UPDATING\",60\r\n\r\n+QIND: \"FOTA\",\"UPDATING\",80\r\n"
      "\r\n+QIND: \"FOTA\",\"UPDATING\",100\r\n\r\n+QIND: \"FOTA\",\"END\",0\r\n";
  char got[512];
  size_t n;
  send_delta_ab(U, ",1,0,5");
  n = usb_cut_then_power_on(got, sizeof(got));
  ck_assert_msg(n <= sizeof(all) - 1 && memcmp(got, all, n) == 0, "%s", show(got, n));
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+CGMR\r", "\r\n" REV_B "\r\n\r\nOK\r\n");
}
END_TEST

/* The package in the same write as its command: every byte after the command's \r belongs to
 * the download, on both ports; commands inside it are never answered. */
START_TEST(package_in_the_same_write_as_the_command)
{
  static const char want_start[] = "\r\nOK\r\n\r\n+QIND: \"FOTA\",\"FILESTART\"\r\n";
  int ports[2], n;
  char buf[256];
  start();
  ports[0] = M;
  ports[1] = U;
  for (int i = 0; i < 2; i++) { /* 64 bytes of commands: a package that fails verification */
    int fd = ports[i];
    n = snprintf(buf, sizeof(buf), "AT+QFOTADL=\"FILE:64\",1,0,0\r%-64s", "ATI\rAT+CFUN=0\rAT\r");
    tty_send(fd, buf, (size_t)n);
    expect_tty(fd, want_start);
    urc(fd, "\"FILEEND\",0");
    urc(fd, "\"START\"");
    urc(fd, "\"END\",547");
    chat(fd, "AT+CFUN?\r", "\r\n+CFUN: 1\r\n\r\nOK\r\n"); /* AT+CFUN=0 was package bytes */
  }
  /* a real package the same way, on the USB port: it installs */
  n = snprintf(buf, sizeof(buf), "AT+QFOTADL=\"FILE:%zu\",1,0,0\r", delta_ab_len);
  {
    char *all = malloc((size_t)n + delta_ab_len);
    memcpy(all, buf, (size_t)n);
    memcpy(all + n, delta_ab, delta_ab_len);
    tty_send(U, all, (size_t)n + delta_ab_len);
    free(all);
  }
  expect_tty(U, want_start);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
  urc(U, "\"END\",0");
  usb_reboots_into(REV_B);
}
END_TEST

/* kill -9 half-way through a download: the part that came is gone at the next start and
 * the storage is all free again; a package that had arrived whole is kept. */
START_TEST(kill_9_mid_download_leaves_no_partial_package)
{
  start();
  file_command(U, delta_ab_len, ",0,0,0");
  tty_send(U, (const char *)delta_ab, delta_ab_len / 2);
  chat(M, "AT+QFLST\r", "\r\n+QFLST: \"fota_file.pkg.part\",");
  sim_kill_9(&S);
  close(M);
  close(U);
  M = U = -1;
  start();
  chat(U, "AT+QFLST\r", "\r\nOK\r\n");
  chat(U, "AT+QFLDS=\"UFS\"\r", "\r\n+QFLDS: 6291456,6291456\r\n\r\nOK\r\n");
}
END_TEST

/* Waits for the host are real time and as documented (10 s for FILE input, the command's own
 * for AT+QFUPL); a scenario's module.host_timeout caps them for a test: here both end well
 * inside expect_tty's 5 s. */
START_TEST(host_timeout_caps_waits_for_the_host)
{
  start_with_rules("module:\n  host_timeout: 300\n");
  chat(U, "AT+QFUPL=\"a.bin\",10,100\r", "\r\nCONNECT\r\n");
  expect_tty(U, "\r\n+CME ERROR: 421\r\n");
  file_command(U, 100, ",1,0,0");
  urc(U, "\"FILEEND\",567");
  chat(U, "AT\r", "\r\nOK\r\n");
}
END_TEST

/* kill -9 at a seeded instant during NV writes, a FILE-mode download, an update or an upload
 * (the iteration picks which, and when): the state dir always loads. The next start gets
 * ready; a module killed mid-update may be bricked (the sector being written is torn, as a
 * power cut leaves it), any other boots with its NV intact and no partial file left in UFS.
 * FOTASIM_KILL_ROUNDS sets how many (default 40 in the suite; docs/design.md has a run of 400). */
START_TEST(kill_9_during_writes_keeps_state_loadable)
{
  unsigned seed = 2654435761u * (unsigned)(_i + 1);
  int activity = _i % 4;
  char buf[256], reply[8192] = "";
  size_t part = 1 + (seed >> 4) % (delta_ab_len - 1);
  start();
  chat(U, "AT+QCFG=\"fota/cid\",2;&W\r", "\r\nOK\r\n");
  switch (activity) {
  case 0: /* NV writes */
    for (int i = 0; i < 20; i++)
      tty_send(U, "AT&W;+QCFG=\"fota/cid\",2;+QICSGP=1,1,\"a\",\"\",\"\"\r", 45);
    break;
  case 1: /* a download */
    file_command(U, delta_ab_len, ",1,0,0");
    tty_send(U, (const char *)delta_ab, part);
    break;
  case 2: { /* an update: killed after a seeded share of it */
    char want[64];
    file_command(U, delta_ab_len, ",1,0,100");
    tty_send(U, (const char *)delta_ab, delta_ab_len);
    urc(U, "\"FILEEND\",0");
    urc(U, "\"START\"");
    snprintf(want, sizeof(want), "\"UPDATING\",%u\r\n", 1 + (seed >> 12) % 98);
    for (size_t n = 0; n + 1 < sizeof(reply) && !strstr(reply, want);) {
      ck_assert_uint_eq(tty_read_n(U, reply + n, 1, 5000), 1);
      reply[++n] = '\0';
    }
    break;
  }
  default: /* an upload */
    chat(U, "AT+QFUPL=\"up.bin\",100000,5\r", "\r\nCONNECT\r\n");
    tty_send(U, (const char *)delta_ab, part < 100000 ? part : 99999);
    break;
  }
  usleep(activity == 2 ? (seed >> 8) % 2000 : (seed >> 8) % 30000);
  sim_kill_9(&S);
  close(M);
  close(U);
  M = U = -1;
  ck_assert_msg(sim_start(&S, NULL) == 0, "round %d (activity %d): not ready: %s", _i, activity,
                S.ready);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
  if (getenv("FOTASIM_KILL_ROUNDS")) /* a measuring run: one line a round */
    fprintf(stderr, "kill round %d activity %d: %s\n", _i, activity,
            strstr(reply, "\"bricked\":true") ? "bricked" : "booted");
  if (activity == 2 && strstr(reply, "\"bricked\":true"))
    return; /* killed while a sector was written: as a power cut, until reflash */
  M = tty_open(S.main_link);
  U = tty_open(S.usb_link);
  expect_tty(U, BOOT_URCS);
  chat(U, "ATE0\r", "\r\nOK\r\n"); /* no echo: AT&W saved ATE0 */
  chat(U, "AT+QCFG=\"fota/cid\"\r", "\r\n+QCFG: \"fota/cid\",2\r\n\r\nOK\r\n");
  tty_send(U, "AT+QFLST\r", 9);
  buf[tty_read_for(U, buf, sizeof(buf) - 1, 300)] = '\0';
  ck_assert_msg(!strstr(buf, ".part"), "round %d: %s", _i, buf);
  ck_assert_msg(strstr(buf, "OK\r\n") != NULL, "round %d: %s", _i, buf);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("scenarios");
  TCase *t = tcase_create("scenarios");
  make_packages();
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 120);
  tcase_add_test(t, power_cut_mid_update_bricks_until_reflash);
  tcase_add_test(t, control_storage_and_network);
  tcase_add_test(t, every_shipped_scenario_loads);
  tcase_add_test(t, bad_scenarios_give_one_line_errors);
  tcase_add_test(t, package_in_the_same_write_as_the_command);
  tcase_add_test(t, host_timeout_caps_waits_for_the_host);
  tcase_add_test(t, kill_9_mid_download_leaves_no_partial_package);
  tcase_add_test(t, scenario_power_cut_at_50_percent);
  tcase_add_test(t, scenario_flaky_network_first_attempt_fails);
  tcase_add_test(t, scenario_network_settings_and_outage);
  tcase_add_test(t, scenario_slow_gsm_link);
  tcase_add_test(t, scenario_urc_quirks);
  tcase_add_test(t, inject_and_clear_fault_rules);
  tcase_add_test(t, same_seed_same_scenario_same_bytes);
  tcase_add_test(t, fault_corrupt_bytes_fail_verification);
  tcase_add_test(t, fault_stall_times_out);
  tcase_add_test(t, fault_network_change_and_urc);
  tcase_add_test(t, fault_probability_follows_the_seed);
  tcase_add_test(t, scenario_power_cut_resumed_after_reboot);
  tcase_add_test(t, scenario_wrong_base_delta);
  tcase_add_test(t, output_faults_on_command_answers);
  tcase_add_test(t, time_rules_fire_on_the_virtual_clock);
  tcase_add_test(t, offset_trigger_fires_at_its_byte);
  tcase_add_test(t, fill_action_leaves_too_little_room);
  tcase_add_test(t, reboot_rule_cuts_power_after_a_good_update);
  suite_add_tcase(s, t);
  t = tcase_create("errors");
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_loop_test(t, every_documented_code_from_its_scenario, 0, documented_count());
  tcase_add_loop_test(t, power_cut_at_any_sector_never_boots_a_bad_image, 0, 2 * CUT_POINTS);
  suite_add_tcase(s, t);
  t = tcase_create("kills");
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_loop_test(t, kill_9_during_writes_keeps_state_loadable, 0,
                      getenv("FOTASIM_KILL_ROUNDS") ? atoi(getenv("FOTASIM_KILL_ROUNDS")) : 40);
  suite_add_tcase(s, t);
  return run_suite(s);
}
