/* test_module: integration tests: fotasim runs as a separate process on a temporary state dir;
 * the test opens its PTY links in raw mode as host software would and checks exact bytes. */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fotasim/fwimage.h"
#include "host.h"

#define BOOT_URCS \
  "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n"


static void start_and_attach(const char *const *extra)
{
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  U = tty_open(S.usb_link);
  expect_tty(M, BOOT_URCS);
  expect_tty(U, BOOT_URCS);
}


static void nothing_more(int fd, int ms)
{
  char buf[256];
  size_t n = tty_read_for(fd, buf, sizeof(buf), ms);
  ck_assert_msg(n == 0, "unexpected bytes: \"%s\"", show(buf, n));
}

static json_t *status(void)
{
  char reply[8192];
  json_error_t e;
  json_t *j, *st;
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
  j = json_loads(reply, 0, &e);
  ck_assert_ptr_nonnull(j);
  ck_assert(json_is_true(json_object_get(j, "ok")));
  st = json_incref(json_object_get(j, "status"));
  json_decref(j);
  return st;
}

static void read_link(const char *link, char *out, size_t size)
{
  ssize_t n = readlink(link, out, size - 1);
  out[n > 0 ? n : 0] = '\0';
}

/* Waits (bounded) until the link exists and points somewhere other than `old`. */
static int wait_link_change(const char *link, const char *old, char *now, size_t size)
{
  for (int i = 0; i < 500; i++) {
    read_link(link, now, size);
    if (now[0] && strcmp(now, old) != 0)
      return 0;
    usleep(10000);
  }
  return -1;
}

START_TEST(boot_urcs_on_both_ports)
{
  start_and_attach(NULL);
  ck_assert_ptr_nonnull(strstr(S.ready, " main=/dev/pts/"));
  ck_assert_ptr_nonnull(strstr(S.ready, " usb=/dev/pts/"));
  ck_assert_ptr_nonnull(strstr(S.ready, " control="));
  nothing_more(M, 100);
}
END_TEST

START_TEST(identity_commands)
{
  json_t *st;
  char want[256];
  start_and_attach(NULL);
  chat(M, "ATI\r", "ATI\r\r\nQuectel\r\nEC200U\r\nRevision: EC200UCNAAR02A09M08\r\n\r\nOK\r\n");
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+CGMI\r", "\r\nQuectel\r\n\r\nOK\r\n");
  chat(M, "AT+GMI\r", "\r\nQuectel\r\n\r\nOK\r\n");
  chat(M, "AT+CGMM\r", "\r\nEC200U\r\n\r\nOK\r\n");
  chat(M, "AT+GMM\r", "\r\nEC200U\r\n\r\nOK\r\n");
  chat(M, "AT+CGMR\r", "\r\nEC200UCNAAR02A09M08\r\n\r\nOK\r\n");
  chat(M, "AT+GMR\r", "\r\nEC200UCNAAR02A09M08\r\n\r\nOK\r\n");
  chat(M, "AT+QGMR\r", "\r\nEC200UCNAAR02A09M08_01.001.01.001\r\n\r\nOK\r\n");
  st = status();
  snprintf(want, sizeof(want), "\r\n%s\r\n\r\nOK\r\n",
           json_string_value(json_object_get(st, "imei")));
  chat(M, "AT+CGSN\r", want);
  chat(M, "AT+GSN\r", want);
  ck_assert_uint_eq(strlen(json_string_value(json_object_get(st, "imei"))), 15);
  json_decref(st);
  {
    char buf[128];
    size_t n;
    tty_send(M, "AT+CIMI\r", 8);
    n = tty_read_n(M, buf, 2 + 15 + 2 + 6, 5000);
    ck_assert_uint_eq(n, 25);
    ck_assert(memcmp(buf, "\r\n46001", 7) == 0);
    ck_assert(memcmp(buf + 17, "\r\n\r\nOK\r\n", 8) == 0);
    tty_send(M, "AT+QCCID\r", 9);
    n = tty_read_n(M, buf, 2 + 8 + 20 + 2 + 6, 5000);
    ck_assert_uint_eq(n, 38);
    ck_assert(memcmp(buf, "\r\n+QCCID: 898601", 16) == 0);
  }
}
END_TEST

START_TEST(echo_numeric_and_cmee)
{
  start_and_attach(NULL);
  chat(U, "AT\r", "AT\r\r\nOK\r\n");
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(U, "AT\r", "\r\nOK\r\n");
  chat(U, "ATV0\r", "0\r");
  chat(U, "AT+BOGUS\r", "4\r");
  chat(U, "ATV1\r", "\r\nOK\r\n");
  chat(U, "AT+QCFG=\"fota/cid\",99\r", "\r\n+CME ERROR: 50\r\n");
  chat(U, "AT+CMEE=2\r", "\r\nOK\r\n");
  chat(U, "AT+QCFG=\"fota/cid\",99\r", "\r\n+CME ERROR: incorrect parameters\r\n");
  chat(U, "AT+CMEE=0\r", "\r\nOK\r\n");
  chat(U, "AT+QCFG=\"fota/cid\",99\r", "\r\nERROR\r\n");
  chat(U, "AT+CMEE?\r", "\r\n+CMEE: 0\r\n\r\nOK\r\n");
  chat(U, "ATQ1\r", "");
  chat(U, "AT+CMEE?\r", "\r\n+CMEE: 0\r\n");
  chat(U, "ATQ0\r", "\r\nOK\r\n");
  /* the main port has its own settings */
  chat(M, "AT\r", "AT\r\r\nOK\r\n");
}
END_TEST

START_TEST(concatenation_and_repeat)
{
  start_and_attach(NULL);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+CGMI;+CGMM\r", "\r\nQuectel\r\n\r\nEC200U\r\n\r\nOK\r\n");
  chat(M, "ATV1E0Q0\r", "\r\nOK\r\n");
  chat(M, "AT+CGMM;+NOPE;+CGMI\r", "\r\nEC200U\r\n\r\nERROR\r\n");
  chat(M, "AT+CGMR\r", "\r\nEC200UCNAAR02A09M08\r\n\r\nOK\r\n");
  chat(M, "A/", "\r\nEC200UCNAAR02A09M08\r\n\r\nOK\r\n");
  chat(M, "AT+CGMI\b\bMM\r", "\r\nEC200U\r\n\r\nOK\r\n"); /* S5 backspace */
}
END_TEST

START_TEST(overlong_line_then_good_command)
{
  char line[1100];
  start_and_attach(NULL);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  memset(line, '1', sizeof(line));
  memcpy(line, "AT+CSQ=", 7);
  line[1099] = '\r';
  tty_send(M, line, sizeof(line));
  expect_tty(M, "\r\nERROR\r\n");
  chat(M, "AT+CGMI\r", "\r\nQuectel\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(garbage_then_good_command)
{
  static const char junk[] = "\x00\xff\n\n\xfe\x01\x1b[A\r\r\x00zz\n";
  start_and_attach(NULL);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  tty_send(M, junk, sizeof(junk) - 1);
  nothing_more(M, 100);
  chat(M, "AT+CGMI\r", "\r\nQuectel\r\n\r\nOK\r\n");
  tty_send(M, "AT\x00\xff\r", 5); /* binary inside a command line: an error, not a crash */
  expect_tty(M, "\r\nERROR\r\n");
  chat(M, "AT\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(reboot_recreates_usb_port)
{
  char before[256], after[256], buf[64];
  struct pollfd p;
  start_and_attach(NULL);
  read_link(S.usb_link, before, sizeof(before));
  chat(M, "AT+CFUN=1,1\r", "AT+CFUN=1,1\r\r\nOK\r\n");
  expect_tty(M, BOOT_URCS);
  /* the old USB port has gone: the host sees a hang-up */
  p.fd = U;
  p.events = POLLIN;
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
  ck_assert(p.revents & (POLLHUP | POLLERR | POLLIN));
  ck_assert_int_le(read(U, buf, sizeof(buf)), 0);
  close(U);
  ck_assert_int_eq(wait_link_change(S.usb_link, before, after, sizeof(after)), 0);
  U = tty_open(S.usb_link);
  expect_tty(U, BOOT_URCS);
  chat(U, "AT\r", "AT\r\r\nOK\r\n");
  {
    json_t *st = status();
    ck_assert_int_eq(json_integer_value(json_object_get(st, "boots")), 2);
    json_decref(st);
  }
}
END_TEST

START_TEST(settings_saved_with_and_w_survive_restart)
{
  start_and_attach(NULL);
  chat(M, "ATE0V1\r", "ATE0V1\r\r\nOK\r\n");
  chat(M, "AT+CMEE=2\r", "\r\nOK\r\n");
  chat(M, "AT&W\r", "\r\nOK\r\n");
  chat(M, "AT+QCFG=\"fota/path\",\"efs:fota/pkg\"\r", "\r\nOK\r\n");
  chat(M, "AT+QCFG=\"fota/cid\",3\r", "\r\nOK\r\n");
  chat(M, "ATE1\r", "\r\nOK\r\n"); /* not saved */
  close(M);
  close(U);
  M = U = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  start_and_attach(NULL);
  chat(M, "AT\r", "\r\nOK\r\n"); /* E0 came back from NV */
  chat(M, "AT+QCFG=\"fota/path\"\r", "\r\n+QCFG: \"fota/path\",\"EFS:fota/pkg\"\r\n\r\nOK\r\n");
  chat(M, "AT+QCFG=\"fota/cid\"\r", "\r\n+QCFG: \"fota/cid\",3\r\n\r\nOK\r\n");
  chat(M, "AT+QCFG=\"fota/cid\",0\r", "\r\n+CME ERROR: incorrect parameters\r\n");
  chat(M, "ATE1\r", "\r\nOK\r\n");
  chat(M, "ATZ\r", "ATZ\r\r\nOK\r\n"); /* back to the saved profile: echo off */
  chat(M, "AT\r", "\r\nOK\r\n");
  chat(M, "AT&F\r", "\r\nOK\r\n");       /* factory: echo on, CMEE 1 */
  chat(M, "AT+CMEE?\r", "AT+CMEE?\r\r\n+CMEE: 1\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(qpowd_then_power_on_by_fotasimctl)
{
  char out[4096];
  json_t *st;
  const char *on[] = { "power", "on", NULL };
  start_and_attach(NULL);
  chat(M, "AT+QPOWD\r", "AT+QPOWD\r\r\nOK\r\n\r\nPOWERED DOWN\r\n");
  for (int i = 0; i < 500 && access(S.usb_link, F_OK) == 0; i++)
    usleep(10000);
  ck_assert_int_ne(access(S.usb_link, F_OK), 0); /* USB port gone while off */
  st = status();
  ck_assert_str_eq(json_string_value(json_object_get(st, "power")), "off");
  json_decref(st);
  tty_send(M, "AT\r", 3);
  nothing_more(M, 300); /* off: silent */
  ck_assert_int_eq(run_ctl(&S, on, out, sizeof(out)), 0);
  ck_assert_ptr_nonnull(strstr(out, "\"ok\": true"));
  expect_tty(M, BOOT_URCS);
  chat(M, "AT\r", "AT\r\r\nOK\r\n");
}
END_TEST

START_TEST(control_power_cut_and_reset)
{
  char reply[4096];
  start_and_attach(NULL);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"cut\",\"id\":7}", reply, sizeof(reply),
                       5000), 0);
  ck_assert_str_eq(reply, "{\"ok\":true,\"power\":\"off\",\"id\":7}\n");
  tty_send(M, "AT\r", 3);
  nothing_more(M, 200); /* no POWERED DOWN on a cut */
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"reset\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_str_eq(reply, "{\"ok\":true}\n");
  expect_tty(M, BOOT_URCS);
  chat(M, "AT\r", "AT\r\r\nOK\r\n");
}
END_TEST

START_TEST(corrupt_firmware_bricks_module)
{
  char out[4096];
  json_t *st;
  int fd;
  unsigned char b;
  start_and_attach(NULL);
  close(M);
  close(U);
  M = U = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  /* flip one byte of the firmware body: never written since the state dir began, it is in
   * flash.base (the first image, header 128 bytes) */
  {
    char path[400];
    snprintf(path, sizeof(path), "%s/flash.base", S.dir);
    ck_assert_int_eq(chmod(path, 0600), 0);
    fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, &b, 1, 128 + 100000), 1);
    b ^= 0x10;
    ck_assert_int_eq(pwrite(fd, &b, 1, 128 + 100000), 1);
    close(fd);
  }
  ck_assert_int_eq(sim_start(&S, NULL), 0);
  ck_assert_ptr_nonnull(strstr(S.ready, " usb=- "));
  st = status();
  ck_assert(json_is_true(json_object_get(st, "bricked")));
  ck_assert_str_eq(json_string_value(json_object_get(st, "boot")), "bricked");
  ck_assert_str_eq(json_string_value(json_object_get(st, "brick_reason")),
                   "image body fails its SHA-256");
  json_decref(st);
  M = tty_open(S.main_link);
  tty_send(M, "AT\r", 3);
  nothing_more(M, 300);
  ck_assert_int_ne(access(S.usb_link, F_OK), 0);
  {
    const char *args[] = { "status", NULL };
    ck_assert_int_eq(run_ctl(&S, args, out, sizeof(out)), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"bricked\": true"));
  }
}
END_TEST

START_TEST(network_and_sim_queries)
{
  start_and_attach(NULL);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+CPIN?\r", "\r\n+CPIN: READY\r\n\r\nOK\r\n");
  chat(M, "AT+CSQ\r", "\r\n+CSQ: 24,99\r\n\r\nOK\r\n");
  chat(M, "AT+CREG?\r", "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
  chat(M, "AT+CGREG?;+CEREG?\r", "\r\n+CGREG: 0,1\r\n\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
  chat(M, "AT+CEREG=2;+CEREG?\r", "\r\n+CEREG: 2,1,\"5A1F\",\"0B2C3D41\",7\r\n\r\nOK\r\n");
  chat(M, "AT+CREG=3\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+COPS?\r", "\r\n+COPS: 0,0,\"CHN-UNICOM\",7\r\n\r\nOK\r\n");
  chat(M, "AT+COPS=3,2;+COPS?\r", "\r\n+COPS: 0,2,\"46001\",7\r\n\r\nOK\r\n");
  chat(M, "AT+CGATT?\r", "\r\n+CGATT: 1\r\n\r\nOK\r\n");
  chat(M, "AT+QNWINFO\r", "\r\n+QNWINFO: \"FDD LTE\",\"46001\",\"LTE BAND 3\",1650\r\n\r\nOK\r\n");
  chat(M, "AT+CFUN?\r", "\r\n+CFUN: 1\r\n\r\nOK\r\n");
  chat(M, "AT+CFUN=4\r", "\r\nOK\r\n\r\n+CEREG: 0\r\n");
  chat(M, "AT+CEREG?;+CSQ\r", "\r\n+CEREG: 2,0\r\n\r\n+CSQ: 99,99\r\n\r\nOK\r\n");
  /* back on: +CEREG: 2 URCs follow the search and the registration */
  chat(M, "AT+CFUN=1\r", "\r\nOK\r\n\r\n+CEREG: 2\r\n\r\n+CEREG: 1,\"5A1F\",\"0B2C3D41\",7\r\n");
  chat(M, "AT+CFUN=2\r", "\r\n+CME ERROR: 50\r\n");
}
END_TEST

START_TEST(pdp_contexts)
{
  start_and_attach(NULL);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+QICSGP=1,1,\"iot.example\",\"user\",\"pw\",1\r", "\r\nOK\r\n");
  chat(M, "AT+QICSGP=1\r", "\r\n+QICSGP: 1,\"iot.example\",\"user\",\"pw\",1\r\n\r\nOK\r\n");
  chat(M, "AT+QICSGP=16,1,\"x\",\"\",\"\"\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+QICSGP=1,4,\"x\",\"\",\"\"\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+QIACT?\r", "\r\nOK\r\n");
  chat(M, "AT+QIACT=1\r", "\r\nOK\r\n");
  {
    char buf[128];
    size_t n;
    tty_send(M, "AT+QIACT?\r", 10);
    n = tty_read_for(M, buf, sizeof(buf) - 1, 300);
    buf[n] = '\0';
    ck_assert_msg(strncmp(buf, "\r\n+QIACT: 1,1,1,\"10.", 20) == 0, "%s", show(buf, n));
    ck_assert_ptr_nonnull(strstr(buf, "\"\r\n\r\nOK\r\n"));
  }
  chat(M, "AT+QIACT=2\r", "\r\nERROR\r\n"); /* context 2 is not defined */
  chat(M, "AT+CGDCONT=2,\"IPV4V6\",\"apn2\"\r", "\r\nOK\r\n");
  chat(M, "AT+CGDCONT?\r", "");
  {
    char buf[256];
    size_t n = tty_read_for(M, buf, sizeof(buf) - 1, 300);
    buf[n] = '\0';
    ck_assert_ptr_nonnull(strstr(buf, "\r\n+CGDCONT: 1,\"IP\",\"iot.example\",\"10."));
    ck_assert_ptr_nonnull(strstr(buf, "+CGDCONT: 2,\"IPV4V6\",\"apn2\",\"0.0.0.0\",0,0\r\n"));
  }
  chat(M, "AT+QIDEACT=1\r", "\r\nOK\r\n");
  chat(M, "AT+QIACT?\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(host_stack_probes)
{
  start_and_attach(NULL);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+GCAP\r", "\r\n+GCAP: +CGSM\r\n\r\nOK\r\n");
  chat(M, "AT+WS46=?\r", "\r\n+WS46: (12,28,30)\r\n\r\nOK\r\n");
  chat(M, "ATX4\r", "\r\nOK\r\n");
  chat(M, "AT&C1&D2\r", "\r\nOK\r\n");
  chat(M, "AT+CSCS=?\r", "\r\n+CSCS: (\"GSM\",\"IRA\",\"UCS2\",\"HEX\")\r\n\r\nOK\r\n");
  chat(M, "AT+CSCS=\"UCS2\"\r", "\r\nOK\r\n");
  chat(M, "AT+CSCS?\r", "\r\n+CSCS: \"UCS2\"\r\n\r\nOK\r\n");
  chat(M, "AT+CSCS=\"EBCDIC\"\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+CGEREP=2,1;+CGEREP?\r", "\r\n+CGEREP: 2,1\r\n\r\nOK\r\n");
  chat(M, "AT+CIND?\r", "\r\n+CIND: 5,4,1,0,0,0,0\r\n\r\nOK\r\n");
  chat(M, "ATH\r", "\r\nOK\r\n");
  chat(M, "ATD10086;\r", "\r\nERROR\r\n"); /* no voice calls (data calls: test_ppp) */
  chat(M, "AT+CGMI=?\r", "\r\nOK\r\n");
  chat(M, "AT$QCSIMSTAT?\r", "\r\nERROR\r\n");
  chat(M, "AT^SYSINFO\r", "\r\nERROR\r\n");
  chat(M, "ATS0?\r", "\r\n000\r\n\r\nOK\r\n");
  chat(M, "AT+IPR?;+IFC?;+ICF?\r", "\r\n+IPR: 115200\r\n\r\n+IFC: 0,0\r\n\r\n+ICF: 3,3\r\n\r\nOK\r\n");
  chat(M, "AT+IFC=2,2;+IFC?\r", "\r\n+IFC: 2,2\r\n\r\nOK\r\n");
  chat(M, "AT+IPR=12345\r", "\r\n+CME ERROR: 50\r\n");
  {
    char buf[128];
    size_t n;
    tty_send(M, "AT+CRSM=176,12258,0,0,10\r", 25);
    n = tty_read_for(M, buf, sizeof(buf) - 1, 300);
    buf[n] = '\0';
    ck_assert_msg(strncmp(buf, "\r\n+CRSM: 144,0,\"98", 18) == 0, "%s", show(buf, n));
    ck_assert_uint_eq(n, 18 + 18 + 1 + 8);
  }
  chat(M, "AT+CRSM=176,28423,0,0,9\r", "\r\n+CRSM: 106,130,\"\"\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(transcript_masks_passwords)
{
  char tr[400], buf[65536];
  const char *extra[] = { "--transcript", tr, NULL };
  FILE *f;
  size_t n;
  snprintf(tr, sizeof(tr), "%s/transcript.jsonl", S.dir);
  start_and_attach(extra);
  { /* written as it happens (once the loop goes idle), not only at exit: it can be tailed */
    char lbuf[4096];
    int seen = 0;
    for (int i = 0; i < 100 && !seen; i++) {
      FILE *live = fopen(tr, "r");
      size_t ln;
      ck_assert_ptr_nonnull(live);
      ln = fread(lbuf, 1, sizeof(lbuf) - 1, live);
      fclose(live);
      lbuf[ln] = '\0';
      seen = strstr(lbuf, "+QIND: SMS DONE") != NULL;
      if (!seen)
        usleep(20000);
    }
    ck_assert_msg(seen, "the transcript lags: %s", lbuf);
  }
  tty_send(M, "AT+QFOTADL=\"FTP://fw:s3cr", 25);
  usleep(50000); /* the password arrives split across reads, and is echoed */
  chat(M, "@3tpw@127.0.0.1:1/pkg.bin\"\r", /* a raw '@' inside the password too */
       "AT+QFOTADL=\"FTP://fw:s3cr@3tpw@127.0.0.1:1/pkg.bin\"\r\r\nOK\r\n"
       "\r\n+QIND: \"FOTA\",\"FTPSTART\"\r\n\r\n+QIND: \"FOTA\",\"FTPEND\",605\r\n");
  /* MQTT credentials, split too: the client is not open, the line still went by */
  tty_send(M, "AT+QMTCONN=0,\"dev\",\"fwuser\",\"mq", 31);
  usleep(50000);
  chat(M, "ttpw9\"\r", "AT+QMTCONN=0,\"dev\",\"fwuser\",\"mqttpw9\"\r\r\nERROR\r\n");
  close(M);
  close(U);
  M = U = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  f = fopen(tr, "r");
  ck_assert_ptr_nonnull(f);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  ck_assert_ptr_null(strstr(buf, "3tpw"));
  ck_assert_ptr_null(strstr(buf, "s3cr"));
  ck_assert_ptr_nonnull(strstr(buf, "fw:*********@127.0.0.1"));
  ck_assert_ptr_null(strstr(buf, "mqttpw9"));
  ck_assert_ptr_null(strstr(buf, "fwuser"));
  ck_assert_ptr_nonnull(strstr(buf, "AT+QMTCONN=0,\\\"dev\\\",\\\"******\\\",\\\"**"));
  ck_assert_ptr_nonnull(strstr(buf, "\"event\":\"rx\""));
  ck_assert_ptr_nonnull(strstr(buf, "\"data\":\"\\r\\nRDY\\r\\n\""));
  { /* fotasimctl transcript: one line an event, the bytes as text with escapes */
    static char text[1 << 16];
    const char *args[] = { "transcript", tr, NULL };
    ck_assert_int_eq(run_ctl(&S, args, text, sizeof(text)), 0);
    ck_assert_ptr_nonnull(strstr(text, " m0 main   tx      \\r\\nRDY\\r\\n\n"));
    ck_assert_ptr_nonnull(strstr(text, "fw:*********@127.0.0.1:1/pkg.bin\"\\r"));
    ck_assert_ptr_null(strstr(text, "3tpw"));
  }
  {
    FILE *lf = fopen(S.log, "r");
    char lbuf[65536];
    size_t ln = lf ? fread(lbuf, 1, sizeof(lbuf) - 1, lf) : 0;
    if (lf)
      fclose(lf);
    lbuf[ln] = '\0';
    ck_assert_ptr_null(strstr(lbuf, "3tpw"));
    ck_assert_ptr_null(strstr(lbuf, "s3cr"));
    ck_assert_ptr_null(strstr(lbuf, "mqttpw9"));
  }
}
END_TEST

START_TEST(control_protocol_errors_events_and_wait)
{
  char reply[8192];
  start_and_attach(NULL);
  ck_assert_int_eq(ctl(&S, "{not json", reply, sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "\"ok\":false"));
  ck_assert_ptr_nonnull(strstr(reply, "bad JSON"));
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"fly\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_str_eq(reply, "{\"ok\":false,\"error\":\"unknown command 'fly' (try \\\"help\\\")\"}\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"sideways\"}", reply, sizeof(reply),
                       5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "unknown power action 'sideways'"));
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"wait\",\"event\":\"urc\",\"match\":\"NEVER\",\"timeout\":50}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_str_eq(reply, "{\"ok\":false,\"error\":\"timeout\"}\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"wait\",\"event\":\"bogus\"}", reply, sizeof(reply), 5000),
                   0);
  ck_assert_ptr_nonnull(strstr(reply, "unknown event type 'bogus'"));
  /* a wait that is satisfied by a command the host sends */
  {
    const char *args[] = { "wait", "cmd", "--match", "AT+CSQ", "--timeout", "5000", NULL };
    char out[4096];
    pid_t pid = fork();
    if (pid == 0) {
      usleep(200000);
      tty_send(M, "AT+CSQ\r", 7);
      _exit(0);
    }
    ck_assert_int_eq(run_ctl(&S, args, out, sizeof(out)), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"command\": \"AT+CSQ\""));
    ck_assert_ptr_nonnull(strstr(out, "\"port\": \"main\""));
  }
  { /* wait's options as getopt_long takes them: --opt=value, any order; bad ones named */
    static const struct { const char *opts, *said; int rc; } cases[] = {
      { "--timeout=50 --match=NEVER", "timeout", 1 },
      { "--match", "fotasimctl: missing value after --match", 2 },
      { "--bogus 1", "fotasimctl: unknown wait option --bogus", 2 },
      { "--timeout x", "fotasimctl: bad --timeout x", 2 },
      { "extra", "fotasimctl: unexpected argument to wait: extra", 2 },
    };
    const char *ctlbin = getenv("FOTASIMCTL_BIN");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      char cmd[1024], out[4096];
      size_t n;
      FILE *p;
      int rc;
      snprintf(cmd, sizeof(cmd), "timeout 10 '%s' --socket '%s' wait urc %s 2>&1",
               ctlbin ? ctlbin : "fotasimctl", S.sock, cases[i].opts);
      p = popen(cmd, "r");
      ck_assert_ptr_nonnull(p);
      n = fread(out, 1, sizeof(out) - 1, p);
      out[n] = '\0';
      rc = pclose(p);
      ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == cases[i].rc, "case %zu: %d %s", i, rc, out);
      ck_assert_msg(strstr(out, cases[i].said) != NULL, "case %zu: %s", i, out);
    }
  }
}
END_TEST

START_TEST(host_that_stops_reading)
{
  /* The host writes 200 KB of commands and reads nothing: the module must neither block nor
   * grow without bound, and must answer normally once the host reads again. */
  char chunk[4096], buf[65536];
  json_t *st, *main_port;
  start_and_attach(NULL);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  for (size_t i = 0; i + 4 <= sizeof(chunk); i += 4)
    memcpy(chunk + i, "ATI\r", 4);
  {
    int fl = fcntl(M, F_GETFL);
    fcntl(M, F_SETFL, fl | O_NONBLOCK);
    for (int i = 0; i < 50; i++) {
      size_t off = 0;
      for (int tries = 0; off < sizeof(chunk) && tries < 200; tries++) {
        ssize_t w = write(M, chunk + off, sizeof(chunk) - off);
        if (w > 0)
          off += (size_t)w;
        else
          usleep(1000);
      }
    }
    fcntl(M, F_SETFL, fl);
  }
  st = status(); /* the control channel still answers */
  main_port = json_object_get(json_object_get(st, "ports"), "main");
  ck_assert_int_le(json_integer_value(json_object_get(main_port, "tx_dropped")), 200L * 1024 * 60);
  json_decref(st);
  while (tty_read_for(M, buf, sizeof(buf), 200) > 0)
    ;
  chat(M, "AT+CGMI\r", "\r\nQuectel\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(program_usage_and_bad_options)
{
  char err[4096], file[400], out[4096];
  const char *help[] = { "--help", NULL };
  const char *bad[] = { "--frobnicate", NULL };
  const char *timing[] = { "--timing", "warp", NULL };
  const char *model[] = { "--model", "BG96", NULL };
  const char *notdir[] = { "--state-dir", file, NULL };
  ck_assert_int_eq(run_fotasim(help, err, sizeof(err)), 0);
  ck_assert_int_eq(run_fotasim(bad, err, sizeof(err)), 2);
  ck_assert_str_eq(err, "fotasim: bad option '--frobnicate' (see fotasim --help)\n");
  ck_assert_int_eq(run_fotasim(timing, err, sizeof(err)), 2);
  ck_assert_str_eq(err, "fotasim: bad --timing 'warp' (real, fast, instant or a positive factor)"
                        " (see fotasim --help)\n");
  ck_assert_int_eq(run_fotasim(model, err, sizeof(err)), 2);
  ck_assert_ptr_nonnull(strstr(err, "unknown model 'BG96'"));
  {
    const char *zero[] = { "--modules", "0", NULL };
    const char *linked[] = { "--modules", "2", "--link", "/tmp/x", NULL };
    ck_assert_int_eq(run_fotasim(zero, err, sizeof(err)), 2);
    ck_assert_str_eq(err, "fotasim: bad --modules '0' (1 to 10000) (see fotasim --help)\n");
    ck_assert_int_eq(run_fotasim(linked, err, sizeof(err)), 2);
    ck_assert_str_eq(err, "fotasim: --link and --usb-link name one module's ports: not with "
                          "--modules (see fotasim --help)\n");
  }
  snprintf(file, sizeof(file), "%s/plainfile", S.dir);
  fclose(fopen(file, "w"));
  ck_assert_int_eq(run_fotasim(notdir, err, sizeof(err)), 2);
  ck_assert_ptr_nonnull(strstr(err, "cannot create state dir"));
  ck_assert_ptr_null(strchr(err, '\n') + 1 == err + strlen(err) ? NULL : "more than one line");
  /* a second fotasim on a state dir in use */
  start_and_attach(NULL);
  {
    const char *again[] = { "--state-dir", S.dir, "--timing", "instant", NULL };
    ck_assert_int_eq(run_fotasim(again, err, sizeof(err)), 2);
    ck_assert_ptr_nonnull(strstr(err, "is in use by another fotasim"));
  }
  /* --control at a live socket of another fotasim, or at a file: refused, neither deleted */
  {
    char other[400], plain[400], want[1200];
    const char *live[] = { "--state-dir", other, "--quiet", "--control", S.sock, NULL };
    const char *onfile[] = { "--state-dir", other, "--quiet", "--control", plain, NULL };
    const char *st[] = { "status", NULL };
    FILE *pf;
    snprintf(other, sizeof(other), "%s/other", S.dir);
    snprintf(plain, sizeof(plain), "%s/plain.txt", S.dir);
    ck_assert_int_eq(run_fotasim(live, err, sizeof(err)), 2);
    snprintf(want, sizeof(want),
             "fotasim: control socket %s is in use by another process: not replaced\n", S.sock);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(run_ctl(&S, st, out, sizeof(out)), 0); /* the first one still answers */
    pf = fopen(plain, "w");
    ck_assert_ptr_nonnull(pf);
    fputs("keep me\n", pf);
    fclose(pf);
    ck_assert_int_eq(run_fotasim(onfile, err, sizeof(err)), 2);
    snprintf(want, sizeof(want),
             "fotasim: control socket path %s exists and is not a socket: not replaced\n", plain);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(access(plain, F_OK), 0);
  }
  {
    const char *args[] = { "--help", NULL };
    ck_assert_int_eq(run_ctl(&S, args, out, sizeof(out)), 0);
    ck_assert_ptr_nonnull(strstr(out, "Usage: fotasimctl"));
  }
  {
    const char *args[] = { "power", "sideways", NULL };
    ck_assert_int_eq(run_ctl(&S, args, out, sizeof(out)), 2);
  }
  /* more modules than the descriptor limit allows: refused before any is made (last: the
   * hard limit cannot be raised again) */
  {
    struct rlimit rl = { 300, 300 };
    char many[400];
    const char *args[] = { "--modules", "100", "--state-dir", many, NULL };
    snprintf(many, sizeof(many), "%s/many", S.dir);
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    ck_assert_int_eq(run_fotasim(args, err, sizeof(err)), 2);
    ck_assert_str_eq(err, "fotasim: --modules 100 needs 964 file descriptors and the limit is 300: "
                          "at most 26 modules; raise it with ulimit -n (hard limit: limits.conf "
                          "or LimitNOFILE=)\n");
    ck_assert_int_ne(access(many, F_OK), 0);
  }
}
END_TEST

START_TEST(control_socket_is_private)
{
  struct stat st;
  start_and_attach(NULL);
  ck_assert_int_eq(stat(S.sock, &st), 0);
  ck_assert(S_ISSOCK(st.st_mode));
  ck_assert_int_eq(st.st_mode & 0777, 0600);
}
END_TEST

/* One line from fd (within 5 s), NUL-terminated; its length. */
static ssize_t read_line(int fd, char *buf, size_t size)
{
  size_t k = 0;
  while (k + 1 < size && tty_read_n(fd, buf + k, 1, 5000) == 1)
    if (buf[k++] == '\n')
      break;
  buf[k] = '\0';
  return (ssize_t)k;
}

/* 256 control connections may be open at once; the next is told so in one JSON line and
 * closed; once one closes, a new one is served again. */
START_TEST(control_connections_are_bounded)
{
  enum { MAX = 256 };
  int fds[MAX + 1];
  char buf[16384], reply[16384];
  struct sockaddr_un addr;
  ssize_t n;
  start_and_attach(NULL);
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, S.sock, strnlen(S.sock, sizeof(addr.sun_path) - 1));
  for (int i = 0; i <= MAX; i++) {
    fds[i] = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(fds[i], 0);
    ck_assert_int_eq(connect(fds[i], (struct sockaddr *)&addr, sizeof(addr)), 0);
    if (i < MAX) { /* each answers, so each is accepted before the next connects */
      tty_send(fds[i], "{\"cmd\":\"status\"}\n", 17);
      n = read_line(fds[i], buf, sizeof(buf));
      ck_assert_msg(n > 0 && !memcmp(buf, "{\"ok\":true", 10), "connection %d: %.*s", i,
                    (int)n, buf);
    }
  }
  n = read_line(fds[MAX], buf, sizeof(buf));
  ck_assert_str_eq(buf, "{\"ok\":false,\"error\":\"too many control connections open (at "
                        "most 256): close one and connect again\"}\n");
  close(fds[MAX]);
  close(fds[0]);
  usleep(100000);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "\"ok\":true"));
  for (int i = 1; i < MAX; i++)
    close(fds[i]);
}
END_TEST


START_TEST(image_option_and_model)
{
  char img[400], err[4096];
  uint8_t *image = fw_image_synthesize("EG915UEUABR03A02M08", 200000, 3);
  FILE *f;
  const char *extra[] = { "--image", img, "--model", "EG915U", NULL };
  snprintf(img, sizeof(img), "%s.img", S.dir);
  f = fopen(img, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(image, 1, FW_HEADER_SIZE + 200000, f), FW_HEADER_SIZE + 200000);
  fclose(f);
  free(image);
  start_and_attach(extra);
  chat(M, "ATI\r", "ATI\r\r\nQuectel\r\nEG915U\r\nRevision: EG915UEUABR03A02M08\r\n\r\nOK\r\n");
  close(M);
  close(U);
  M = U = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  /* --image only flashes a new state dir: the next run keeps what the flash holds */
  start_and_attach(NULL);
  chat(M, "AT+CGMR\r", "AT+CGMR\r\r\nEG915UEUABR03A02M08\r\n\r\nOK\r\n");
  unlink(img);
  {
    struct sim other;
    const char *missing[] = { "--state-dir", "/tmp/fotasim-never-made", "--image",
                              "/nonexistent/fw.img", NULL };
    (void)other;
    ck_assert_int_eq(run_fotasim(missing, err, sizeof(err)), 2);
    ck_assert_str_eq(err, "fotasim: cannot read image /nonexistent/fw.img: "
                          "No such file or directory\n");
    ck_assert_int_eq(system("rm -rf /tmp/fotasim-never-made"), 0);
  }
}
END_TEST

/* --image with a file that is not a firmware image (a README, random bytes) is refused with
 * one line before anything is flashed: it would only brick the module. (A bricked module is
 * still a flash corruption away: corrupt_firmware_bricks_module.) */
START_TEST(non_image_refused)
{
  char img[400], err[4096], want[600];
  FILE *f;
  const char *args[] = { "--state-dir", S.dir, "--image", img, "--quiet", NULL };
  snprintf(img, sizeof(img), "%s.img", S.dir);
  f = fopen(img, "wb");
  for (int i = 0; i < 100000; i++)
    fputc(i * 7, f);
  fclose(f);
  ck_assert_int_eq(run_fotasim(args, err, sizeof(err)), 2);
  snprintf(want, sizeof(want), "fotasim: image %s is not a firmware image: no firmware image "
                               "(bad magic) (fotapack image makes one)\n", img);
  ck_assert_str_eq(err, want);
  unlink(img);
  ck_assert_int_ne(access(img, F_OK), 0);
  {
    char path[600];
    snprintf(path, sizeof(path), "%s/flash.base", S.dir);
    ck_assert_int_ne(access(path, F_OK), 0); /* nothing flashed */
  }
}
END_TEST

START_TEST(unusable_link_path)
{
  char err[4096];
  const char *args[] = { "--state-dir", S.dir, "--link", "/nonexistent/dir/ttyX", "--quiet",
                         NULL };
  ck_assert_int_eq(run_fotasim(args, err, sizeof(err)), 2);
  ck_assert_str_eq(err, "fotasim: cannot create link /nonexistent/dir/ttyX: "
                        "No such file or directory\n");
}
END_TEST

/* kill -9 at arbitrary moments (during start-up, boot, NV writes) never leaves a state dir
 * that fails to load: every restart gets ready and boots. */
START_TEST(kill_9_at_any_moment_keeps_state_loadable)
{
  unsigned seed = 4242;
  start_and_attach(NULL);
  chat(M, "AT+QCFG=\"fota/cid\",2\r", "AT+QCFG=\"fota/cid\",2\r\r\nOK\r\n");
  close(M);
  close(U);
  M = U = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  for (int round = 0; round < 12; round++) {
    pid_t pid;
    seed = seed * 1103515245u + 12345u;
    ck_assert_msg(sim_start(&S, NULL) == 0, "round %d: not ready: %s", round, S.ready);
    M = tty_open(S.main_link);
    pid = S.pid;
    for (int i = 0; i < 20; i++)
      tty_send(M, "AT&W;+QCFG=\"fota/cid\",2;+QICSGP=1,1,\"a\",\"\",\"\"\r", 45);
    usleep((seed >> 8) % 20000);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(S.out_fd);
    S.pid = -1;
    close(M);
    M = -1;
  }
  start_and_attach(NULL);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+QCFG=\"fota/cid\"\r", "\r\n+QCFG: \"fota/cid\",2\r\n\r\nOK\r\n");
}
END_TEST

/* Three modules in one process: each on its own PTYs and state dir, its own identity, reached
 * on the one control socket by number. */
START_TEST(many_modules_in_one_process)
{
  const char *extra[] = { "--modules", "3", NULL };
  char want[700], imei[3][32], reply[8192];
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  snprintf(want, sizeof(want), "fotasim: ready modules=3 control=%s\n", S.sock);
  ck_assert_str_eq(S.ready, want);
  for (int i = 0; i < 3; i++) {
    char path[600], buf[64];
    int fd;
    snprintf(path, sizeof(path), "%s/m%d/ttyUSBAT", S.dir, i);
    fd = tty_open(path);
    expect_tty(fd, BOOT_URCS);
    chat(fd, "ATE0\r", "ATE0\r\r\nOK\r\n");
    tty_send(fd, "AT+CGSN\r", 8);
    ck_assert_uint_eq(tty_read_n(fd, buf, 2 + 15 + 2 + 6, 5000), 2 + 15 + 2 + 6);
    ck_assert_int_eq(memcmp(buf + 17, "\r\n\r\nOK\r\n", 8), 0);
    memcpy(imei[i], buf + 2, 15);
    imei[i][15] = '\0';
    close(fd);
  }
  ck_assert_str_ne(imei[0], imei[1]);
  ck_assert_str_ne(imei[1], imei[2]);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\",\"module\":2}", reply, sizeof(reply), 5000), 0);
  snprintf(want, sizeof(want), "\"imei\":\"%s\"", imei[2]);
  ck_assert_ptr_nonnull(strstr(reply, want));
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\",\"module\":3}", reply, sizeof(reply), 5000), 0);
  ck_assert_ptr_nonnull(strstr(reply, "no such module"));
}
END_TEST

int main(void)
{
  Suite *s = suite_create("module");
  TCase *t = tcase_create("module");
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, boot_urcs_on_both_ports);
  tcase_add_test(t, identity_commands);
  tcase_add_test(t, echo_numeric_and_cmee);
  tcase_add_test(t, concatenation_and_repeat);
  tcase_add_test(t, overlong_line_then_good_command);
  tcase_add_test(t, garbage_then_good_command);
  tcase_add_test(t, reboot_recreates_usb_port);
  tcase_add_test(t, settings_saved_with_and_w_survive_restart);
  tcase_add_test(t, qpowd_then_power_on_by_fotasimctl);
  tcase_add_test(t, control_power_cut_and_reset);
  tcase_add_test(t, corrupt_firmware_bricks_module);
  tcase_add_test(t, network_and_sim_queries);
  tcase_add_test(t, pdp_contexts);
  tcase_add_test(t, host_stack_probes);
  tcase_add_test(t, transcript_masks_passwords);
  tcase_add_test(t, control_protocol_errors_events_and_wait);
  tcase_add_test(t, host_that_stops_reading);
  tcase_add_test(t, program_usage_and_bad_options);
  tcase_add_test(t, control_socket_is_private);
  tcase_add_test(t, control_connections_are_bounded);
  tcase_add_test(t, image_option_and_model);
  tcase_add_test(t, non_image_refused);
  tcase_add_test(t, unusable_link_path);
  tcase_add_test(t, kill_9_at_any_moment_keeps_state_loadable);
  tcase_add_test(t, many_modules_in_one_process);
  suite_add_tcase(s, t);
  return run_suite(s);
}
