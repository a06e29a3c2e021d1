/* test_cmux: AT+CMUX and 27.010 basic option on the main UART, driven by a 27.010 client of the
 * test's own (its frames and FCS written here, checked against frames as Linux n_gsm traces
 * show them): Zephyr's exact command sequence, DLCI 0 and DLCs opened with SABM/UA, AT on two
 * DLCs at once with interleaved output, MSC with the FC bit, FCoff/FCon, Test, PN, an
 * unsupported message (NSC), a bad FCS dropped and counted, DM for closed DLCIs, CLD and
 * DISC of DLCI 0 back to plain AT, the USB port working beside it. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fota_host.h"
#include "host.h"
#include "mux_fcs.h"

enum { SABM = 0x2F, UA = 0x63, DM = 0x0F, DISC = 0x43, UIH = 0xEF, PF = 0x10 };


/* A frame: flag, address (C/R as given), control, one-octet length, info, FCS, flag. */
static size_t frame(uint8_t *out, int dlci, int cr, uint8_t ctrl, const void *info, size_t len)
{
  size_t n = 0;
  out[n++] = 0xF9;
  out[n++] = (uint8_t)(dlci << 2 | cr << 1 | 1);
  out[n++] = ctrl;
  out[n++] = (uint8_t)(len << 1 | 1);
  if (len)
    memcpy(out + n, info, len);
  n += len;
  out[n] = mux_fcs(out + 1, (ctrl & ~PF) == UIH ? 3 : 3 + len);
  n++;
  out[n++] = 0xF9;
  return n;
}

static void send_frame(int dlci, uint8_t ctrl, const void *info, size_t len)
{
  uint8_t buf[300];
  size_t n = frame(buf, dlci, 1, ctrl, info, len);
  tty_send(M, (const char *)buf, n);
}

/* Exactly this frame next from the module. */
static void expect_frame(int dlci, int cr, uint8_t ctrl, const void *info, size_t len)
{
  uint8_t want[300];
  char got[300];
  size_t n = frame(want, dlci, cr, ctrl, info, len), g = tty_read_n(M, got, n, 3000);
  if (g != n || memcmp(got, want, n)) {
    char w[1024];
    snprintf(w, sizeof(w), "%s", show((const char *)want, n)); /* show() has one buffer */
    ck_abort_msg("DLCI %d: want %s, got %s", dlci, w, show(got, g));
  }
}

/* Text on a DLC, one UIH frame; the module's answer as one UIH frame. */
static void dlc_chat(int dlci, const char *cmd, const char *answer)
{
  send_frame(dlci, UIH, cmd, strlen(cmd));
  expect_frame(dlci, 0, UIH, answer, strlen(answer));
}

static void quiet(int fd, int ms)
{
  char got[64];
  size_t n = tty_read_for(fd, got, sizeof(got), ms);
  ck_assert_msg(n == 0, "unexpected %s", show(got, n));
}

/* A command whose answer this test does not pin down: it must end in OK. */
static void until_ok(const char *cmd)
{
  char got[1024];
  size_t n;
  tty_send(M, cmd, strlen(cmd));
  n = tty_read_for(M, got, sizeof(got) - 1, 500);
  got[n] = '\0';
  ck_assert_msg(n >= 6 && !strcmp(got + n - 6, "\r\nOK\r\n"), "%s: got %s", cmd, show(got, n));
}

/* Zephyr modem_cellular's order, then AT+CMUX as it sends it; DLCI 0, 1 and 2 opened. */
static void zephyr_start(void)
{
  static const char *const setup[] = { "AT+CFUN=4\r", "AT+CMEE=1\r", "AT+CREG=1\r",
                                       "AT+CGREG=1\r", "AT+CEREG=1\r", "AT+CREG?\r",
                                       "AT+CEREG?\r", "AT+CGREG?\r", "AT+CGSN\r", "AT+CGMM\r",
                                       "AT+CGMI\r", "AT+CGMR\r", "AT+CIMI\r" };
  start();
  for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
    until_ok(setup[i]);
  chat(M, "AT+CMUX=?\r",
       "\r\n+CMUX: (0),(0),(1-7),(1-1540),(1-255),(0-100),(2-255),(0-255),(1-7)\r\n\r\nOK\r\n");
  chat(M, "AT+CMUX=0,0,5,127,10,3,30,10,2\r", "\r\nOK\r\n");
  {
    static const uint8_t sabm0[] = { 0xF9, 0x03, 0x3F, 0x01, 0x1C, 0xF9 };
    static const uint8_t ua0[] = { 0xF9, 0x03, 0x73, 0x01, 0xD7, 0xF9 };
    char got[8];
    tty_send(M, (const char *)sabm0, sizeof(sabm0)); /* as n_gsm sends it */
    ck_assert_int_eq(tty_read_n(M, got, sizeof(ua0), 3000), sizeof(ua0));
    ck_assert_msg(!memcmp(got, ua0, sizeof(ua0)), "got %s", show(got, sizeof(ua0)));
  }
  send_frame(1, SABM | PF, NULL, 0);
  expect_frame(1, 1, UA | PF, NULL, 0);
  send_frame(2, SABM | PF, NULL, 0);
  expect_frame(2, 1, UA | PF, NULL, 0);
  dlc_chat(1, "ATE0\r", "ATE0\r\r\nOK\r\n");
  dlc_chat(2, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

START_TEST(zephyr_sequence_and_two_channels)
{
  char reply[4096];
  zephyr_start();
  /* settings are each channel's own; AT answers on the channel it came on */
  dlc_chat(1, "ATV0\r", "0\r");
  dlc_chat(2, "AT\r", "\r\nOK\r\n");
  dlc_chat(1, "AT\r", "0\r");
  /* both at once: each answer on its own DLC, in the order the commands came */
  {
    uint8_t two[64];
    size_t n = frame(two, 1, 1, UIH, "AT+CMEE?\r", 9);
    n += frame(two + n, 2, 1, UIH, "AT+CMEE?\r", 9);
    tty_send(M, (const char *)two, n);
    expect_frame(1, 0, UIH, "+CMEE: 1\r\n0\r", 12);
    expect_frame(2, 0, UIH, "\r\n+CMEE: 1\r\n\r\nOK\r\n", 18);
  }
  dlc_chat(2, "AT+CMEE=2\r", "\r\nOK\r\n");
  dlc_chat(1, "AT+CMEE?\r", "+CMEE: 1\r\n0\r");
  /* the USB port goes on beside it */
  chat(U, "AT+CMUX?\r", "\r\n+CMUX: 0,0,5,127,10,3,30,10,2\r\n\r\nOK\r\n");
  chat(U, "AT+CMUX=0\r", "\r\n+CME ERROR: 3\r\n"); /* one multiplexer at a time */
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "\"cmux\":{\"port\":\"main\",\"n1\":127,\"started\":true,"
                              "\"dlcs\":[{\"dlci\":1,\"port\":\"dlc1\""), "%s", reply);
  /* a DLC that is not open: DM; a DLCI over 4: DM for its SABM */
  send_frame(3, UIH | PF, "AT\r", 3);
  expect_frame(3, 1, DM | PF, NULL, 0);
  send_frame(9, SABM | PF, NULL, 0);
  expect_frame(9, 1, DM | PF, NULL, 0);
  /* DLC 2 closes; its frames then get DM */
  send_frame(2, DISC | PF, NULL, 0);
  expect_frame(2, 1, UA | PF, NULL, 0);
  send_frame(2, UIH | PF, "AT\r", 3);
  expect_frame(2, 1, DM | PF, NULL, 0);
}
END_TEST

/* DLCI 0's messages: Test echoed, PN answered, MSC with FC holding a DLC's output, FCoff and
 * FCon for all, an unknown type answered NSC; a bad FCS dropped and counted. */
START_TEST(control_channel_and_flow_control)
{
  char reply[4096];
  zephyr_start();
  {
    static const uint8_t test[] = { 0x23, 0x09, 'p', 'i', 'n', 'g' };
    static const uint8_t echo[] = { 0x21, 0x09, 'p', 'i', 'n', 'g' };
    send_frame(0, UIH, test, sizeof(test));
    expect_frame(0, 0, UIH, echo, sizeof(echo));
  }
  { /* PN for DLC 1 asking N1 = 1000: answered with ours, 127 */
    static const uint8_t pn[] = { 0x83, 0x11, 0x01, 0x00, 0x00, 0x0A, 0xE8, 0x03, 0x03, 0x02 };
    static const uint8_t rsp[] = { 0x81, 0x11, 0x01, 0x00, 0x00, 0x0A, 0x7F, 0x00, 0x03, 0x02 };
    send_frame(0, UIH, pn, sizeof(pn));
    expect_frame(0, 0, UIH, rsp, sizeof(rsp));
  }
  { /* MSC: DLC 1 with FC set: its answers wait; FC clear: they come */
    static const uint8_t stop[] = { 0xE3, 0x05, 0x07, 0x0F };
    static const uint8_t stop_r[] = { 0xE1, 0x05, 0x07, 0x0F };
    static const uint8_t go[] = { 0xE3, 0x05, 0x07, 0x0D };
    static const uint8_t go_r[] = { 0xE1, 0x05, 0x07, 0x0D };
    send_frame(0, UIH, stop, sizeof(stop));
    expect_frame(0, 0, UIH, stop_r, sizeof(stop_r));
    send_frame(1, UIH, "AT\r", 3);
    quiet(M, 300);
    dlc_chat(2, "AT\r", "\r\nOK\r\n"); /* the other DLC is not held */
    send_frame(0, UIH, go, sizeof(go));
    expect_frame(0, 0, UIH, go_r, sizeof(go_r));
    expect_frame(1, 0, UIH, "\r\nOK\r\n", 6);
  }
  { /* FCoff: nothing on any DLC until FCon */
    static const uint8_t off[] = { 0x63, 0x01 }, off_r[] = { 0x61, 0x01 };
    static const uint8_t on[] = { 0xA3, 0x01 }, on_r[] = { 0xA1, 0x01 };
    send_frame(0, UIH, off, sizeof(off));
    expect_frame(0, 0, UIH, off_r, sizeof(off_r));
    send_frame(2, UIH, "AT\r", 3);
    quiet(M, 300);
    send_frame(0, UIH, on, sizeof(on));
    expect_frame(0, 0, UIH, on_r, sizeof(on_r));
    expect_frame(2, 0, UIH, "\r\nOK\r\n", 6);
  }
  { /* a type the module does not know: NSC naming it */
    static const uint8_t odd[] = { 0xF3, 0x01 }, nsc[] = { 0x11, 0x03, 0xF3 };
    send_frame(0, UIH, odd, sizeof(odd));
    expect_frame(0, 0, UIH, nsc, sizeof(nsc));
  }
  { /* a bad FCS: dropped, no answer; counted */
    uint8_t bad[32];
    size_t n = frame(bad, 1, 1, UIH, "AT\r", 3);
    bad[n - 2] ^= 0x5A;
    tty_send(M, (const char *)bad, n);
    quiet(M, 300);
    dlc_chat(1, "AT\r", "\r\nOK\r\n"); /* the next good frame is read */
    ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
    ck_assert_msg(strstr(reply, "\"bad_fcs\":1,"), "%s", reply);
  }
}
END_TEST

/* CLD: answered, then the UART is plain AT; AT+CMUX again, DISC of DLCI 0 does the same. */
START_TEST(close_down_returns_to_at)
{
  static const uint8_t cld[] = { 0xC3, 0x01 }, cld_r[] = { 0xC1, 0x01 };
  zephyr_start();
  send_frame(0, UIH, cld, sizeof(cld));
  expect_frame(0, 0, UIH, cld_r, sizeof(cld_r));
  chat(M, "AT\r", "\r\nOK\r\n");
  chat(M, "AT+CMUX=0\r", "\r\nOK\r\n");
  send_frame(0, SABM | PF, NULL, 0);
  expect_frame(0, 1, UA | PF, NULL, 0);
  send_frame(1, SABM | PF, NULL, 0);
  expect_frame(1, 1, UA | PF, NULL, 0);
  dlc_chat(1, "AT\r", "AT\r\r\nOK\r\n"); /* a new channel: echo on again */
  send_frame(0, DISC | PF, NULL, 0);
  expect_frame(0, 1, UA | PF, NULL, 0);
  chat(M, "AT\r", "\r\nOK\r\n");
  chat(M, "AT+CMUX=1\r", "\r\n+CME ERROR: 50\r\n"); /* advanced option: not built */
  chat(M, "AT+CMUX=0,0,5,2000\r", "\r\n+CME ERROR: 50\r\n");
}
END_TEST

/* A reboot asked for on a DLC: OK there, then the multiplexer goes with the power; the UART
 * boots as plain AT (the boot URCs, then AT answers unframed). */
START_TEST(reboot_ends_the_multiplexer)
{
  char reply[4096];
  zephyr_start();
  dlc_chat(1, "AT+CFUN=1,1\r", "\r\nOK\r\n");
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT\r", "\r\nOK\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "\"cmux\":null"), "%s", reply);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("cmux");
  TCase *t = tcase_create("cmux");
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, zephyr_sequence_and_two_channels);
  tcase_add_test(t, control_channel_and_flow_control);
  tcase_add_test(t, close_down_returns_to_at);
  tcase_add_test(t, reboot_ends_the_multiplexer);
  suite_add_tcase(s, t);
  return run_suite(s);
}
