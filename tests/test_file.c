/* test_file: FOTA from the host over the serial line (AT+QFOTADL="FILE:<length>"), driven as an
 * MCU driver would drive it: exact bytes, lost and surplus bytes, timeouts, flow control, and the
 * main UART's model. Packages are built in memory with the core library. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fotasim/fwimage.h"
#include "fotasim/package.h"
#include "file_util.h"
#include "host.h"
#include "scenario.h"
#include "cme_error.h"
#include <jansson.h>
#include <dirent.h>

#define BOOT_URCS \
  "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n"
#define REV_A FW_DEFAULT_REVISION_EC200U
#define REV_B "EC200UCNAAR02A10M08"
#define REV_C "EC200UCNAAR02A11M08"

static uint8_t *delta_ab, *delta_bc;
static size_t delta_ab_len, delta_bc_len;

static void make_packages(void)
{
  size_t a_len = FW_HEADER_SIZE + FW_DEFAULT_BODY_SIZE, b_len, c_len;
  uint8_t *a = fw_image_synthesize(REV_A, FW_DEFAULT_BODY_SIZE, 1);
  uint8_t *b = fw_image_mutate(a, a_len, REV_B, 30, 5, &b_len);
  uint8_t *c = fw_image_mutate(b, b_len, REV_C, 20, 6, &c_len);
  delta_ab = pkg_build(a, a_len, b, b_len, &delta_ab_len, NULL);
  delta_bc = pkg_build(b, b_len, c, c_len, &delta_bc_len, NULL);
  free(a);
  free(b);
  free(c);
  if (!delta_ab || !delta_bc) {
    fprintf(stderr, "cannot build the test packages\n");
    exit(1);
  }
}


static void start(void)
{
  ck_assert_msg(sim_start(&S, NULL) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  U = tty_open(S.usb_link);
  expect_tty(M, BOOT_URCS);
  expect_tty(U, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

static void urc(int fd, const char *body)
{
  char want[320];
  snprintf(want, sizeof(want), "\r\n+QIND: \"FOTA\",%s\r\n", body);
  expect_tty(fd, want);
}

/* The n progress URCs of one kind: the k-th says k*100/n. */
static void progress(int fd, const char *what, int n)
{
  for (int k = 1; k <= n; k++) {
    char body[64];
    snprintf(body, sizeof(body), "\"%s\",%d", what, k * 100 / n);
    urc(fd, body);
  }
}

static void updating(int fd, int n)
{
  progress(fd, "UPDATING", n);
}

static void file_command(int fd, size_t len, const char *rest)
{
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"FILE:%zu\"%s\r", len, rest);
  chat(fd, cmd, "\r\nOK\r\n\r\n+QIND: \"FOTA\",\"FILESTART\"\r\n");
}

static void revision_is(int fd, const char *rev)
{
  char want[128];
  snprintf(want, sizeof(want), "\r\n%s\r\n\r\nOK\r\n", rev);
  chat(fd, "AT+CGMR\r", want);
}

/* After END,0 on the USB port: it goes away; the new one comes up with the new firmware. */
static void usb_reboots_into(const char *rev)
{
  char buf[64];
  struct pollfd p = { U, POLLIN, 0 };
  ck_assert_int_eq(poll(&p, 1, 10000), 1);
  ck_assert_int_le(read(U, buf, sizeof(buf)), 0); /* hang-up */
  close(U);
  expect_tty(M, BOOT_URCS);
  for (int i = 0; i < 500 && access(S.usb_link, F_OK) != 0; i++)
    usleep(10000);
  U = tty_open(S.usb_link);
  expect_tty(U, BOOT_URCS);
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
  revision_is(U, rev);
}

START_TEST(file_mode_on_usb)
{
  start();
  file_command(U, delta_ab_len, "");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
  updating(U, 100);
  urc(U, "\"END\",0");
  usb_reboots_into(REV_B);
}
END_TEST

START_TEST(file_mode_twice_across_reboots)
{
  start();
  file_command(U, delta_ab_len, ",1,5,5");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  progress(U, "DOWNLOADING", 5);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
  updating(U, 5);
  urc(U, "\"END\",0");
  usb_reboots_into(REV_B);
  file_command(U, delta_bc_len, ",1,0,5");
  tty_send(U, (const char *)delta_bc, delta_bc_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
  updating(U, 5);
  urc(U, "\"END\",0");
  usb_reboots_into(REV_C);
}
END_TEST

START_TEST(too_many_bytes_564_surplus_not_executed)
{
  size_t len = delta_ab_len + 12;
  uint8_t *buf = malloc(len);
  memcpy(buf, delta_ab, delta_ab_len);
  memcpy(buf + delta_ab_len, "\rAT+QPOWD\r\n", 12); /* would power the module off if executed */
  start();
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)buf, len);
  free(buf);
  urc(U, "\"FILEEND\",564");
  chat(U, "AT\r", "\r\nOK\r\n");
  chat(M, "AT\r", "\r\nOK\r\n");
  revision_is(U, REV_A);
}
END_TEST

START_TEST(host_stops_halfway_567)
{
  start();
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)delta_ab, delta_ab_len / 2);
  urc(U, "\"FILEEND\",567");
  chat(U, "AT\r", "\r\nOK\r\n");
  revision_is(U, REV_A);
}
END_TEST

START_TEST(length_larger_than_free_storage)
{
  start();
  chat(U, "AT+QFOTADL=\"FILE:7000000\"\r", "\r\n+CME ERROR: 564\r\n");
  chat(U, "AT+QFOTADL=\"FILE:0\"\r", "\r\n+CME ERROR: 551\r\n");
  chat(U, "AT+QFOTADL=\"FILE:12x\"\r", "\r\n+CME ERROR: 551\r\n");
  chat(U, "AT\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(corrupt_file_package_refused)
{
  uint8_t *bad = malloc(delta_ab_len);
  memcpy(bad, delta_ab, delta_ab_len);
  bad[delta_ab_len / 2] ^= 0x5A;
  start();
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)bad, delta_ab_len);
  free(bad);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
  urc(U, "\"END\",547");
  revision_is(U, REV_A);
}
END_TEST

/* Sends the package on the main UART in chunks of `chunk` bytes with `gap_us` between them. */
static void send_paced(int fd, const uint8_t *data, size_t len, size_t chunk, int gap_us)
{
  for (size_t off = 0; off < len; off += chunk) {
    size_t n = len - off < chunk ? len - off : chunk;
    tty_send(fd, (const char *)data + off, n);
    if (gap_us)
      usleep((useconds_t)gap_us);
  }
}

static void main_uart_at(const char *ifc)
{
  char cmd[64];
  start();
  chat(M, "AT+IPR=921600\r", "\r\nOK\r\n");
  snprintf(cmd, sizeof(cmd), "AT+IFC=%s\r", ifc);
  chat(M, cmd, "\r\nOK\r\n");
}

static void main_uart_succeeds(void)
{
  urc(M, "\"FILEEND\",0");
  urc(M, "\"START\"");
  updating(M, 5);
  urc(M, "\"END\",0");
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  revision_is(M, REV_B);
}

START_TEST(main_uart_hardware_flow_control)
{
  char reply[8192];
  struct termios t;
  main_uart_at("2,2");
  /* status shows the module's rate and the one the host set on its end */
  ck_assert_int_eq(tcgetattr(M, &t), 0);
  cfsetospeed(&t, B921600);
  cfsetispeed(&t, B921600);
  ck_assert_int_eq(tcsetattr(M, TCSANOW, &t), 0);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "\"baud\":921600"));
  ck_assert_ptr_nonnull(strstr(reply, "\"host_baud\":921600"));
  file_command(M, delta_ab_len, ",1,0,5");
  tty_send(M, (const char *)delta_ab, delta_ab_len); /* blocks while CTS is off */
  main_uart_succeeds();
}
END_TEST

START_TEST(main_uart_32_byte_chunks_with_gaps)
{
  main_uart_at("0,0");
  file_command(M, delta_ab_len, ",1,0,5");
  send_paced(M, delta_ab, delta_ab_len, 32, 1000);
  main_uart_succeeds();
}
END_TEST

START_TEST(main_uart_blast_without_flow_control_loses_bytes)
{
  char reply[8192];
  char *lost;
  main_uart_at("0,0");
  file_command(M, delta_ab_len, ",1,0,5");
  tty_send(M, (const char *)delta_ab, delta_ab_len); /* all at once: the buffer overruns */
  urc(M, "\"FILEEND\",567"); /* bytes were lost, so the length never arrives */
  chat(M, "AT\r", "\r\nOK\r\n");
  revision_is(M, REV_A);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
  lost = strstr(reply, "\"rx_lost\":");
  ck_assert_ptr_nonnull(lost);
  ck_assert_int_gt(atoi(lost + 10), 1000);
}
END_TEST

static unsigned checksum(const uint8_t *d, size_t n)
{
  unsigned sum = 0;
  for (size_t i = 0; i < n; i += 2)
    sum ^= (unsigned)(d[i] << 8 | (i + 1 < n ? d[i + 1] : 0));
  return sum;
}

START_TEST(file_commands_small)
{
  char want[256];
  start();
  chat(U, "AT+QFLDS=\"UFS\"\r", "\r\n+QFLDS: 6291456,6291456\r\n\r\nOK\r\n");
  chat(U, "AT+QFLST\r", "\r\nOK\r\n");
  chat(U, "AT+QFUPL=\"test.bin\",10,5\r", "\r\nCONNECT\r\n");
  snprintf(want, sizeof(want), "\r\n+QFUPL: 10,%x\r\n\r\nOK\r\n",
           checksum((const uint8_t *)"0123456789", 10));
  chat(U, "0123456789", want);
  chat(U, "AT+QFLST\r", "\r\n+QFLST: \"test.bin\",10\r\n\r\nOK\r\n");
  chat(U, "AT+QFLDS\r", "\r\n+QFLDS: 10,1\r\n\r\nOK\r\n");
  chat(U, "AT+QFLDS=\"UFS\"\r", "\r\n+QFLDS: 6291446,6291456\r\n\r\nOK\r\n");
  snprintf(want, sizeof(want), "\r\nCONNECT\r\n0123456789\r\n+QFDWL: 10,%x\r\n\r\nOK\r\n",
           checksum((const uint8_t *)"0123456789", 10));
  chat(U, "AT+QFDWL=\"test.bin\"\r", want);
  chat(U, "AT+QFUPL=\"test.bin\",10\r", "\r\n+CME ERROR: 407\r\n");
  chat(U, "AT+QFDWL=\"nothere.bin\"\r", "\r\n+CME ERROR: 405\r\n");
  chat(U, "AT+QFUPL=\"../escape.bin\",10\r", "\r\n+CME ERROR: 406\r\n");
  chat(U, "AT+QFUPL=\"big.bin\",7000000\r", "\r\n+CME ERROR: 403\r\n");
  chat(U, "AT+QFUPL=\"SD:x.bin\",10\r", "\r\n+CME ERROR: 406\r\n"); /* no SD card */
  /* EFS with a sub-directory; what follows the upload is AT input again */
  chat(U, "AT+QFUPL=\"EFS:cfg/a.txt\",3,5\r", "\r\nCONNECT\r\n");
  snprintf(want, sizeof(want), "\r\n+QFUPL: 3,%x\r\n\r\nOK\r\n\r\nOK\r\n",
           checksum((const uint8_t *)"abc", 3));
  chat(U, "abcAT\r", want);
  chat(U, "AT+QFLST=\"EFS:*\"\r", "\r\n+QFLST: \"EFS:cfg/a.txt\",3\r\n\r\nOK\r\n");
  chat(U, "AT+QFDEL=\"*\"\r", "\r\nOK\r\n");
  chat(U, "AT+QFLST\r", "\r\nOK\r\n");
  chat(U, "AT+QFDEL=\"test.bin\"\r", "\r\n+CME ERROR: 405\r\n");
  chat(U, "AT+QFLST=\"EFS:*\"\r", "\r\n+QFLST: \"EFS:cfg/a.txt\",3\r\n\r\nOK\r\n");
}
END_TEST

/* 300 KB each way on the USB port, byte for byte, with the module's checksum. */
START_TEST(file_upload_download_round_trip)
{
  size_t n = 300 * 1024, got;
  uint8_t *data = malloc(n), *back = malloc(n + 256);
  char cmd[128], want[128];
  unsigned seed = 99;
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    data[i] = (uint8_t)(seed >> 16);
  }
  start();
  snprintf(cmd, sizeof(cmd), "AT+QFUPL=\"UFS:big.bin\",%zu,10\r", n);
  chat(U, cmd, "\r\nCONNECT\r\n");
  snprintf(want, sizeof(want), "\r\n+QFUPL: %zu,%x\r\n\r\nOK\r\n", n, checksum(data, n));
  tty_send(U, (const char *)data, n);
  expect_tty(U, want);
  tty_send(U, "AT+QFDWL=\"big.bin\"\r", 19);
  expect_tty(U, "\r\nCONNECT\r\n");
  got = tty_read_n(U, (char *)back, n, 15000);
  ck_assert_uint_eq(got, n);
  ck_assert(memcmp(back, data, n) == 0);
  snprintf(want, sizeof(want), "\r\n+QFDWL: %zu,%x\r\n\r\nOK\r\n", n, checksum(data, n));
  expect_tty(U, want);
  free(data);
  free(back);
}
END_TEST

START_TEST(file_upload_timeout_keeps_what_came)
{
  char want[128];
  start();
  chat(U, "AT+QFUPL=\"part.bin\",100,1\r", "\r\nCONNECT\r\n");
  tty_send(U, "12345", 5);
  snprintf(want, sizeof(want), "\r\n+QFUPL: 5,%x\r\n\r\nOK\r\n",
           checksum((const uint8_t *)"12345", 5));
  expect_tty(U, want);
  chat(U, "AT+QFLST=\"part*\"\r", "\r\n+QFLST: \"part.bin\",5\r\n\r\nOK\r\n");
  chat(U, "AT+QFUPL=\"none.bin\",100,1\r", "\r\nCONNECT\r\n");
  expect_tty(U, "\r\n+CME ERROR: 421\r\n");
  chat(U, "AT\r", "\r\nOK\r\n");
}
END_TEST

static void status_has(const char *needle, int timeout_ms)
{
  char reply[8192];
  for (int waited = 0;; waited += 50) {
    ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
    if (strstr(reply, needle))
      return;
    ck_assert_msg(waited < timeout_ms, "status never showed %s: %s", needle, reply);
    usleep(50000);
  }
}

START_TEST(power_cut_mid_update_bricks_until_reflash)
{
  const char *fast[] = { "--timing", "fast", NULL };
  char reply[4096];
  ck_assert_msg(sim_start(&S, fast) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  U = tty_open(S.usb_link);
  expect_tty(M, BOOT_URCS);
  expect_tty(U, BOOT_URCS);
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
  file_command(U, delta_ab_len, ",1,0,10");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
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

static const char *scenario_dir(void)
{
  const char *d = getenv("FOTASIM_SCENARIOS");
  return d ? d : "scenarios";
}

static void start_with_scenario(const char *name, const char *timing)
{
  char path[512];
  const char *extra[] = { "--scenario", path, "--timing", timing, NULL };
  snprintf(path, sizeof(path), "%s/%s", scenario_dir(), name);
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  U = tty_open(S.usb_link);
  expect_tty(M, BOOT_URCS);
  expect_tty(U, BOOT_URCS);
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

START_TEST(every_shipped_scenario_loads)
{
  DIR *d = opendir(scenario_dir());
  struct dirent *e;
  int n = 0;
  ck_assert_ptr_nonnull(d);
  while ((e = readdir(d))) {
    char path[512], err[512];
    struct scenario sc;
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
      continue;
    snprintf(path, sizeof(path), "%s/%s", scenario_dir(), e->d_name);
    ck_assert_msg(scenario_load(path, &sc, err, sizeof(err)) == 0, "%s", err);
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
      "%s:2: faults.phase: expected datacall, download, verify or update\n" },
    { "faults:\n  - percent: 50\n    fail: 502\n",
      "%s:2: faults: a rule needs a 'phase' or a 'command'\n" },
    { "modul:\n  model: EC200U\n", "%s:1: scenario: unknown field 'modul'\n" },
    { "module:\n  timing: warp\n",
      "%s:2: module.timing: expected real, fast, instant or a positive factor\n" },
    { "network: [1\n", "%s:2: YAML: did not find expected ',' or ']'\n" },
    { "storage:\n  ufs: -5\n", "%s:2: storage.ufs: expected a whole number\n" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char path[512], want[1024], err[2048];
    const char *args[] = { "--scenario", path, "--state-dir", S.dir, NULL };
    FILE *f;
    snprintf(path, sizeof(path), "%s.bad%zu.yaml", S.dir, i);
    f = fopen(path, "w");
    fputs(cases[i].text, f);
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
  file_command(U, delta_ab_len, ",1,0,10");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
  {
    /* UPDATING 10..50, then the cut: the port hangs up, with no END. The URCs written just
     * before the cut may vanish with the port, so what arrives is a prefix of them. */
    static const char all[] =
        "\r\n+QIND: \"FOTA\",\"UPDATING\",10\r\n\r\n+QIND: \"FOTA\",\"UPDATING\",20\r\n"
        "\r\n+QIND: \"FOTA\",\"UPDATING\",30\r\n\r\n+QIND: \"FOTA\",\"UPDATING\",40\r\n"
        "\r\n+QIND: \"FOTA\",\"UPDATING\",50\r\n";
    char got[512];
    size_t n = 0;
    for (;;) {
      struct pollfd p = { U, POLLIN, 0 };
      ssize_t r;
      ck_assert_int_eq(poll(&p, 1, 5000), 1);
      r = read(U, got + n, sizeof(got) - 1 - n);
      if (r <= 0)
        break;
      n += (size_t)r;
    }
    got[n] = '\0';
    ck_assert_msg(n <= sizeof(all) - 1 && memcmp(got, all, n) == 0, "%s", show(got, n));
  }
  status_has("\"power\":\"off\"", 5000);
  close(U);
  U = -1;
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"on\"}", reply, sizeof(reply),
                       5000), 0);
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
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
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
  file_command(U, delta_ab_len, ",1,0,10");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
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
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
  urc(U, "\"END\",547");
  revision_is(U, REV_A);
  ck_assert_int_eq(run_ctl(&S, clear, out, sizeof(out)), 0);
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
  updating(U, 5);
  urc(U, "\"END\",0");
  usb_reboots_into(REV_B);
}
END_TEST

/* The transcript's bytes per port and direction, and its state changes, timestamps aside. */
static char *transcript_streams(const char *path)
{
  FILE *f = fopen(path, "r");
  char *line = NULL, *out = NULL;
  size_t cap = 0, outlen = 0;
  json_t *streams = json_object();
  ck_assert_ptr_nonnull(f);
  while (getline(&line, &cap, f) > 0) {
    json_t *ev = json_loads(line, JSON_ALLOW_NUL, NULL);
    const char *type = json_string_value(json_object_get(ev, "event"));
    char key[64];
    json_t *old;
    ck_assert_ptr_nonnull(ev);
    if (!strcmp(type, "state"))
      snprintf(key, sizeof(key), "state");
    else
      snprintf(key, sizeof(key), "%s/%s", json_string_value(json_object_get(ev, "port")), type);
    old = json_object_get(streams, key);
    {
      /* bytes are compared as streams: how the kernel split them into reads is not ours */
      int state = !strcmp(type, "state");
      json_t *add = json_object_get(ev, state ? "state" : "data");
      size_t olen = old ? json_string_length(old) : 0, alen = json_string_length(add);
      char *joined = malloc(olen + alen + 1);
      if (old)
        memcpy(joined, json_string_value(old), olen);
      memcpy(joined + olen, json_string_value(add), alen);
      joined[olen + alen] = '|';
      json_object_set_new(streams, key, json_stringn(joined, olen + alen + (size_t)state));
      free(joined);
    }
    json_decref(ev);
  }
  free(line);
  fclose(f);
  out = json_dumps(streams, JSON_SORT_KEYS | JSON_ENSURE_ASCII);
  outlen = strlen(out);
  ck_assert_uint_gt(outlen, 1000);
  json_decref(streams);
  return out;
}

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

/* A scenario written by the test into the state dir's neighbourhood. */
static void start_with_rules(const char *yaml)
{
  char path[512];
  const char *extra[] = { "--scenario", path, NULL };
  FILE *f;
  snprintf(path, sizeof(path), "%s.rules.yaml", S.dir);
  f = fopen(path, "w");
  fputs(yaml, f);
  fclose(f);
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  unlink(path);
  M = tty_open(S.main_link);
  U = tty_open(S.usb_link);
  expect_tty(M, BOOT_URCS);
  expect_tty(U, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

START_TEST(fault_corrupt_bytes_fail_verification)
{
  start_with_rules("faults:\n  - phase: download\n    percent: 10\n    corrupt: true\n");
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
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
  file_command(U, delta_ab_len, ",1,0,5");
  tty_send(U, (const char *)delta_ab, delta_ab_len);
  urc(U, "\"FILEEND\",0");
  urc(U, "\"START\"");
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
static const struct cme_error *documented(int i)
{
  int n;
  const struct cme_error *t = cme_error_table(&n);
  for (int k = 0; k < n; k++)
    if (error_documented(&t[k]) && i-- == 0)
      return &t[k];
  return NULL;
}

static int documented_count(void)
{
  int n, count = 0;
  const struct cme_error *t = cme_error_table(&n);
  for (int k = 0; k < n; k++)
    count += error_documented(&t[k]);
  return count;
}

/* For every documented code: its scenario, the host's side, the exact bytes that carry the
 * code, and a module that still answers afterwards. */
START_TEST(every_documented_code_from_its_scenario)
{
  const struct cme_error *e = documented(_i);
  char path[512], want[256], *gen = NULL;
  size_t gen_len = 0, have_len = 0;
  FILE *mem;
  uint8_t *have;
  const char *extra[] = { "--scenario", path, NULL };
  ck_assert_ptr_nonnull(e);
  snprintf(path, sizeof(path), "%s/errors/%d.yaml", scenario_dir(), e->code);
  mem = open_memstream(&gen, &gen_len);
  error_scenario_yaml(e, mem);
  fclose(mem);
  have = read_whole_file(path, 1 << 16, &have_len);
  ck_assert_msg(have && have_len == gen_len && !memcmp(have, gen, gen_len),
                "%s is missing or stale: build/tools/fotaerrors --scenarios scenarios/errors", path);
  free(have);
  free(gen);

  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  U = tty_open(S.usb_link);
  expect_tty(M, BOOT_URCS);
  expect_tty(U, BOOT_URCS);
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
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
  }
  chat(U, "AT\r", "\r\nOK\r\n");
  revision_is(U, REV_A);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("file");
  TCase *t = tcase_create("file");
  SRunner *sr;
  int failed;
  make_packages();
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 120);
  tcase_add_test(t, file_mode_on_usb);
  tcase_add_test(t, file_mode_twice_across_reboots);
  tcase_add_test(t, too_many_bytes_564_surplus_not_executed);
  tcase_add_test(t, host_stops_halfway_567);
  tcase_add_test(t, length_larger_than_free_storage);
  tcase_add_test(t, corrupt_file_package_refused);
  tcase_add_test(t, main_uart_hardware_flow_control);
  tcase_add_test(t, main_uart_32_byte_chunks_with_gaps);
  tcase_add_test(t, main_uart_blast_without_flow_control_loses_bytes);
  tcase_add_test(t, file_commands_small);
  tcase_add_test(t, file_upload_download_round_trip);
  tcase_add_test(t, file_upload_timeout_keeps_what_came);
  tcase_add_test(t, power_cut_mid_update_bricks_until_reflash);
  tcase_add_test(t, control_storage_and_network);
  tcase_add_test(t, every_shipped_scenario_loads);
  tcase_add_test(t, bad_scenarios_give_one_line_errors);
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
  suite_add_tcase(s, t);
  t = tcase_create("errors");
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_loop_test(t, every_documented_code_from_its_scenario, 0, documented_count());
  suite_add_tcase(s, t);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
