/* test_init: the commands public host stacks send while they bring the module up (battery,
 * clock, activity, serving cell, URC port, sleep, SIM slot, PSM, eDRX, ICCID, +CEREG=4, the
 * +QCFG radio settings kept in NV), and AT+QFLST/AT+QFUPL forms they use: exact bytes. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fota_host.h"
#include "host.h"

static void up(void)
{
  ck_assert_msg(sim_start(&S, NULL) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

/* Sends cmd; the answer must start with head and end with tail. */
static void answer_like(const char *cmd, const char *head, const char *tail)
{
  char buf[512];
  size_t n;
  tty_send(M, cmd, strlen(cmd));
  n = tty_read_for(M, buf, sizeof(buf) - 1, 300);
  buf[n] = '\0';
  ck_assert_msg(!strncmp(buf, head, strlen(head)), "%s: %s", cmd, show(buf, n));
  ck_assert_msg(n >= strlen(tail) && !strcmp(buf + n - strlen(tail), tail), "%s: %s", cmd,
                show(buf, n));
}

START_TEST(status_and_identity)
{
  char want[128], iccid[32];
  up();
  chat(M, "AT+CBC\r", "\r\n+CBC: 0,100,3800\r\n\r\nOK\r\n");
  chat(M, "AT+CPAS\r", "\r\n+CPAS: 0\r\n\r\nOK\r\n");
  chat(M, "AT+QDSIM?\r", "\r\n+QDSIM: 0\r\n\r\nOK\r\n");
  chat(M, "AT+QDSIM=0\r", "\r\nOK\r\n");
  chat(M, "AT+QDSIM=1\r", "\r\n+CME ERROR: 10\r\n");
  chat(M, "AT+QSCLK=1\r", "\r\nOK\r\n");
  chat(M, "AT+QSCLK?\r", "\r\n+QSCLK: 1\r\n\r\nOK\r\n");
  chat(M, "AT+QSCLK=3\r", "\r\n+CME ERROR: 50\r\n");
  {
    char buf[128];
    size_t n;
    tty_send(M, "AT+QCCID\r", 9);
    n = tty_read_for(M, buf, sizeof(buf) - 1, 300);
    buf[n] = '\0';
    ck_assert_int_eq(sscanf(buf, "\r\n+QCCID: %31s", iccid), 1);
  }
  snprintf(want, sizeof(want), "\r\n+CCID: %s\r\n\r\nOK\r\n", iccid);
  chat(M, "AT+CCID\r", want);
  snprintf(want, sizeof(want), "\r\n+ICCID: %s\r\n\r\nOK\r\n", iccid);
  chat(M, "AT+ICCID\r", want);
  chat(M, "AT+CSCS=\"HEX\"\r", "\r\nOK\r\n");
  chat(M, "AT+CSCS?\r", "\r\n+CSCS: \"HEX\"\r\n\r\nOK\r\n");
  answer_like("AT+QENG=\"servingcell\"\r",
              "\r\n+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",460,01,0B2C3D41,325,1650,3,5,5,5A1F,-90,-10,-65,15,40\r\n",
              "\r\nOK\r\n");
  chat(M, "AT+QIACT=1\r", "\r\nOK\r\n");
  answer_like("AT+QENG=\"servingcell\"\r", "\r\n+QENG: \"servingcell\",\"CONNECT\",\"LTE\"",
              "\r\n\r\nOK\r\n");
  chat(M, "AT+QENG=\"neighbourcell\"\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+CFUN=4\r", "\r\nOK\r\n\r\n+QIURC: \"pdpdeact\",1\r\n"); /* radio off */
  chat(M, "AT+QENG=\"servingcell\"\r", "\r\n+QENG: \"servingcell\",\"SEARCH\"\r\n\r\nOK\r\n");
  chat(M, "AT+QLTS\r", "\r\n+QLTS: \"\"\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(rtc_clock)
{
  char buf[128], want[64];
  time_t now = time(NULL);
  struct tm tm;
  size_t n;
  up();
  gmtime_r(&now, &tm);
  strftime(want, sizeof(want), "\r\n+CCLK: \"%y/%m/%d,", &tm);
  answer_like("AT+CCLK?\r", want, "+00\"\r\n\r\nOK\r\n");
  /* 2030-01-02 03:04:05 in UTC+8 (32 quarters) is 2030-01-01 19:04:05 UTC */
  chat(M, "AT+CCLK=\"30/01/02,03:04:05+32\"\r", "\r\nOK\r\n");
  answer_like("AT+CCLK?\r", "\r\n+CCLK: \"30/01/01,19:04:0", "+00\"\r\n\r\nOK\r\n");
  answer_like("AT+QLTS\r", "\r\n+QLTS: \"2030/01/01,19:04:0", "+00,0\"\r\n\r\nOK\r\n");
  chat(M, "AT+CCLK=\"30/13/02,03:04:05+32\"\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+CCLK=\"yesterday\"\r", "\r\n+CME ERROR: 50\r\n");
  /* the RTC keeps its time across a restart of the module */
  chat(M, "AT+CFUN=1,1\r", "\r\nOK\r\n");
  expect_tty(M, BOOT_URCS);
  tty_send(M, "AT+CCLK?\r", 9);
  n = tty_read_for(M, buf, sizeof(buf) - 1, 300);
  buf[n] = '\0';
  ck_assert_msg(strstr(buf, "+CCLK: \"30/01/01,19:0"), "%s", show(buf, n));
}
END_TEST

START_TEST(power_saving_and_registration)
{
  up();
  chat(M, "AT+CPSMS?\r", "\r\n+CPSMS: 0,,,\"00000100\",\"00001111\"\r\n\r\nOK\r\n");
  chat(M, "AT+CEREG=4\r", "\r\nOK\r\n");
  chat(M, "AT+CEREG?\r", "\r\n+CEREG: 4,1,\"5A1F\",\"0B2C3D41\",7\r\n\r\nOK\r\n");
  chat(M, "AT+CPSMS=1,,,\"00100100\",\"00000001\"\r", "\r\nOK\r\n");
  chat(M, "AT+CPSMS?\r", "\r\n+CPSMS: 1,,,\"00100100\",\"00000001\"\r\n\r\nOK\r\n");
  chat(M, "AT+CEREG?\r",
       "\r\n+CEREG: 4,1,\"5A1F\",\"0B2C3D41\",7,,,\"00000001\",\"00100100\"\r\n\r\nOK\r\n");
  chat(M, "AT+CPSMS=1,,,\"0010010\"\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+CEREG=6\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+CEREG=?\r", "\r\n+CEREG: (0-5)\r\n\r\nOK\r\n");
  chat(M, "AT+CREG=4\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+CPSMS=2\r", "\r\nOK\r\n");
  chat(M, "AT+CPSMS?\r", "\r\n+CPSMS: 0,,,\"00000100\",\"00001111\"\r\n\r\nOK\r\n");
  chat(M, "AT+CEDRXS?\r", "\r\nOK\r\n");
  chat(M, "AT+CEDRXS=1,5,\"0101\"\r", "\r\nOK\r\n");
  chat(M, "AT+CEDRXS?\r", "\r\n+CEDRXS: 5,\"0101\"\r\n\r\nOK\r\n");
  chat(M, "AT+CEDRXS=1,7\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+CEDRXS=3\r", "\r\nOK\r\n");
  chat(M, "AT+CEDRXS?\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(qcfg_settings_kept)
{
  up();
  chat(M, "AT+QCFG=\"nwscanmode\"\r", "\r\n+QCFG: \"nwscanmode\",0\r\n\r\nOK\r\n");
  chat(M, "AT+QCFG=\"nwscanmode\",3,1\r", "\r\nOK\r\n");
  chat(M, "AT+QCFG=\"nwscanmode\",2\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+QCFG=\"band\"\r", "\r\n+QCFG: \"band\",0xf,0x800d5\r\n\r\nOK\r\n");
  chat(M, "AT+QCFG=\"band\",0x3,0x80085,1\r", "\r\nOK\r\n");
  chat(M, "AT+QCFG=\"band\",3,0x80085\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+QCFG=\"usbnet\",3\r", "\r\nOK\r\n");
  chat(M, "AT+QCFG=\"usbnet\",2\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+QCFG=\"psm/urc\",1\r", "\r\nOK\r\n");
  chat(M, "AT+QCFG=\"apready\",1,0,200\r", "\r\nOK\r\n");
  chat(M, "AT+QCFG=\"apready\",1,0,20\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+QURCCFG=\"urcport\",\"uart1\"\r", "\r\nOK\r\n");
  chat(M, "AT+QURCCFG=\"urcport\",\"com9\"\r", "\r\n+CME ERROR: 50\r\n");
  /* all of it is in NV: a new fotasim on the same state dir reports it */
  ck_assert_int_eq(sim_stop(&S), 0);
  close(M);
  M = -1;
  up();
  chat(M, "AT+QCFG=\"nwscanmode\";+QCFG=\"band\";+QCFG=\"usbnet\";+QCFG=\"psm/urc\";+QCFG=\"apready\"\r",
       "\r\n+QCFG: \"nwscanmode\",3\r\n\r\n+QCFG: \"band\",0x3,0x80085\r\n"
       "\r\n+QCFG: \"usbnet\",3\r\n\r\n+QCFG: \"psm/urc\",1\r\n\r\n+QCFG: \"apready\",1,0,200\r\n"
       "\r\nOK\r\n");
  chat(M, "AT+QURCCFG=\"urcport\"\r", "\r\n+QURCCFG: \"urcport\",\"uart1\"\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(file_forms)
{
  char data[2500], want[64];
  size_t n;
  up();
  chat(M, "AT+QFLST=\"nothere.txt\"\r", "\r\n+CME ERROR: 405\r\n");
  chat(M, "AT+QFLST=\"*\"\r", "\r\nOK\r\n");
  /* ack mode: an "A" after each 1024 bytes, none after the last block */
  for (size_t i = 0; i < sizeof(data); i++)
    data[i] = (char)('a' + i % 26);
  chat(M, "AT+QFUPL=\"acked.bin\",2500,5,1\r", "\r\nCONNECT\r\n");
  tty_send(M, data, 1024);
  expect_tty(M, "A");
  tty_send(M, data + 1024, 1024);
  expect_tty(M, "A");
  tty_send(M, data + 2048, 452);
  n = tty_read_for(M, want, sizeof(want) - 1, 500);
  want[n] = '\0';
  ck_assert_msg(!strncmp(want, "\r\n+QFUPL: 2500,", 15), "%s", show(want, n));
  chat(M, "AT+QFLST=\"acked.bin\"\r", "\r\n+QFLST: \"acked.bin\",2500\r\n\r\nOK\r\n");
}
END_TEST

static Suite *init_suite(void)
{
  Suite *s = suite_create("init");
  TCase *t = tcase_create("init");
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, status_and_identity);
  tcase_add_test(t, rtc_clock);
  tcase_add_test(t, power_saving_and_registration);
  tcase_add_test(t, qcfg_settings_kept);
  tcase_add_test(t, file_forms);
  suite_add_tcase(s, t);
  return s;
}

int main(void)
{
  return run_suite(init_suite());
}
