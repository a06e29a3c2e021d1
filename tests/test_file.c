/* test_file: FOTA from the host over the serial line (AT+QFOTADL="FILE:<length>"), driven as an
 * MCU driver would drive it: exact bytes, lost and surplus bytes, timeouts, flow control, and the
 * main UART's model. Packages are built in memory with the core library. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
#include "fota_host.h"
#include "host.h"
#include "scenario.h"
#include "errors.h"
#include <jansson.h>
#include <dirent.h>

START_TEST(file_mode_on_usb)
{
  start();
  send_delta_ab(U, "");
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
  chat(U, "AT+QFUPL=\"x.part\",10\r", "\r\n+CME ERROR: 406\r\n"); /* a transfer's own name */
  chat(U, "AT+QFUPL=\"big.bin\",7000000\r", "\r\n+CME ERROR: 403\r\n");
  chat(U, "AT+QFUPL=\"SD:x.bin\",10\r", "\r\n+CME ERROR: 406\r\n"); /* no SD card */
  /* EFS with a sub-directory; what follows the upload is AT input again */
  chat(U, "AT+QFUPL=\"EFS:cfg/a.txt\",3,5\r", "\r\nCONNECT\r\n");
  snprintf(want, sizeof(want), "\r\n+QFUPL: 3,%x\r\n\r\nOK\r\n\r\nOK\r\n",
           checksum((const uint8_t *)"abc", 3));
  chat(U, "abcAT\r", want);
  /* an upload whose bytes hold "at": none of them reaches the AT interpreter */
  chat(U, "AT+QFUPL=\"EFS:cfg/b.txt\",6,5\r", "\r\nCONNECT\r\n");
  snprintf(want, sizeof(want), "\r\n+QFUPL: 6,%x\r\n\r\nOK\r\n\r\nOK\r\n",
           checksum((const uint8_t *)"dataAT", 6));
  chat(U, "dataATAT\r", want);
  chat(U, "AT+QFDEL=\"EFS:cfg/b.txt\"\r", "\r\nOK\r\n");
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
  /* the LF of the command's CRLF is not file data, nor is it when the file follows at once */
  chat(U, "AT+QFUPL=\"none.bin\",100,1\r\n", "\r\nCONNECT\r\n");
  expect_tty(U, "\r\n+CME ERROR: 421\r\n");
  snprintf(want, sizeof(want), "\r\nCONNECT\r\n\r\n+QFUPL: 5,%x\r\n\r\nOK\r\n",
           checksum((const uint8_t *)"abcde", 5));
  chat(U, "AT+QFUPL=\"crlf.bin\",5,1\r\nabcde", want);
  /* the wait is real time, whatever --timing says: a host that pauses 1.5 s of a 3 s timeout
   * before sending (under instant timing) uploads its whole file */
  chat(U, "AT+QFUPL=\"late.bin\",5,3\r\n", "\r\nCONNECT\r\n");
  usleep(1500 * 1000);
  snprintf(want, sizeof(want), "\r\n+QFUPL: 5,%x\r\n\r\nOK\r\n",
           checksum((const uint8_t *)"vwxyz", 5));
  chat(U, "vwxyz", want);
}
END_TEST

/* A module held up (SIGSTOP: a loaded machine, a debugger) while the host's bytes come in
 * time: once it runs again, it reads them before it judges the wait. Here the rest of an upload
 * comes within its 1 s timeout, and surplus bytes within FILE mode's guard time after 2 KiB
 * (the verdict, 564, comes before any check of a package); it stays stopped past both. */
START_TEST(held_up_module_reads_bytes_that_came_in_time)
{
  char want[128], small[2048];
  start();
  chat(U, "AT+QFUPL=\"held.bin\",10,1\r", "\r\nCONNECT\r\n");
  tty_send(U, "01234", 5);
  usleep(200 * 1000);
  ck_assert_int_eq(kill(S.pid, SIGSTOP), 0);
  tty_send(U, "56789", 5);
  usleep(1300 * 1000);
  ck_assert_int_eq(kill(S.pid, SIGCONT), 0);
  snprintf(want, sizeof(want), "\r\n+QFUPL: 10,%x\r\n\r\nOK\r\n",
           checksum((const uint8_t *)"0123456789", 10));
  expect_tty(U, want);
  memset(small, 0x5A, sizeof(small)); /* read within 100 ms: the guard time runs */
  file_command(U, sizeof(small), ",1,0,5");
  tty_send(U, small, sizeof(small));
  usleep(100 * 1000);
  ck_assert_int_eq(kill(S.pid, SIGSTOP), 0);
  tty_send(U, "\rAT+QPOWD\r\n", 11); /* would power the module off if executed */
  usleep(600 * 1000);
  ck_assert_int_eq(kill(S.pid, SIGCONT), 0);
  urc(U, "\"FILEEND\",564");
  chat(U, "AT\r", "\r\nOK\r\n");
  revision_is(U, REV_A);
}
END_TEST

/* An upload a kill cut short leaves NAME.part: gone at the next start, other files kept. */
START_TEST(cut_upload_cleared_at_boot)
{
  char path[600];
  FILE *f;
  start();
  close(M);
  close(U);
  M = U = -1;
  ck_assert_int_eq(sim_stop(&S), 0);
  snprintf(path, sizeof(path), "%s/ufs/sub", S.dir);
  ck_assert_int_eq(mkdir(path, 0755), 0);
  snprintf(path, sizeof(path), "%s/ufs/sub/fw.pkg.part", S.dir);
  f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("half an upload", f);
  fclose(f);
  snprintf(path, sizeof(path), "%s/ufs/keep.bin", S.dir);
  f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("0123456789", f);
  fclose(f);
  start();
  snprintf(path, sizeof(path), "%s/ufs/sub/fw.pkg.part", S.dir);
  ck_assert_int_ne(access(path, F_OK), 0);
  chat(U, "AT+QFLST\r", "\r\n+QFLST: \"keep.bin\",10\r\n\r\nOK\r\n");
}
END_TEST

int main(void)
{
  Suite *s = suite_create("file");
  TCase *t = tcase_create("file");
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
  tcase_add_test(t, held_up_module_reads_bytes_that_came_in_time);
  tcase_add_test(t, cut_upload_cleared_at_boot);
  suite_add_tcase(s, t);
  return run_suite(s);
}
