/* test_ppp: PPP data calls on the USB modem port, driven by a PPP client of the test's own (its
 * HDLC framing and FCS-16 written here; frames checked by the RFC 1662 good-FCS rule): ATD and
 * AT+CGDATA answer CONNECT; LCP both ways (the module's ACCM 0, CHAP-MD5, magic number, PFC,
 * ACFC), CHAP with any credentials, PAP when the host prefers it and against AT+QICSGP's
 * credentials, IPCP (the context's address and DNS servers, naked into place), LCP echo,
 * Protocol-Reject, "+++" to online command mode, ATO, ATH, the host's LCP Terminate and a
 * dropped context giving NO CARRIER, malformed frames ignored; then real IP through the NAT
 * (libslirp): a UDP datagram and a TCP exchange with the test's echo servers on 127.0.0.1
 * (the call's gateway), and a DNS query the scenario's DNS map answers. */
#include <check.h>
#include <jansson.h>
#include <mbedtls/md.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "echo_server.h"
#include "fota_host.h"
#include "host.h"
#include "inet_sum.h"
#include "mux_fcs.h"

static int P = -1; /* the modem port */
static int dlc;    /* 0: PPP on P; else PPP inside UIH frames of this DLC, CMUX on the UART */

/* ---- the line: the modem port, or a CMUX DLC on the main UART ---- */


/* One 27.010 frame (UIH, or ctrl as given) to DLCI d on the UART. */
static void mux_frame(int d, uint8_t ctrl, const void *info, size_t len)
{
  uint8_t f[140];
  f[0] = 0xF9;
  f[1] = (uint8_t)(d << 2 | 3);
  f[2] = ctrl;
  f[3] = (uint8_t)(len << 1 | 1);
  if (len)
    memcpy(f + 4, info, len);
  f[4 + len] = mux_fcs(f + 1, (ctrl & ~0x10) == 0xEF ? 3 : 3 + len);
  f[5 + len] = 0xF9;
  tty_send(M, (const char *)f, len + 6);
}

static void link_send(const void *data, size_t len)
{
  const char *p = data;
  if (!dlc) {
    tty_send(P, p, len);
    return;
  }
  while (len) {
    size_t n = len < 127 ? len : 127;
    mux_frame(dlc, 0xEF, p, n);
    p += n;
    len -= n;
  }
}

/* Bytes the module sent on a DLC, taken from its UIH frames as they come. */
static uint8_t rx_dlc[8][4096];
static size_t rx_len[8], rx_off[8];

static int next_frame(int timeout_ms)
{
  uint8_t h[4], info[1600], tail[2];
  size_t len;
  do {
    if (tty_read_n(M, (char *)h, 1, timeout_ms) != 1)
      return -1;
  } while (h[0] != 0xF9);
  do { /* flags between frames */
    if (tty_read_n(M, (char *)h + 1, 1, timeout_ms) != 1)
      return -1;
  } while (h[1] == 0xF9);
  ck_assert_int_eq(tty_read_n(M, (char *)h + 2, 2, timeout_ms), 2);
  ck_assert_msg(h[3] & 1, "a two-octet length from the module");
  len = h[3] >> 1;
  ck_assert_uint_eq(tty_read_n(M, (char *)info, len, timeout_ms), len);
  ck_assert_int_eq(tty_read_n(M, (char *)tail, 2, timeout_ms), 2);
  ck_assert_int_eq(tail[0], mux_fcs(h + 1, 3));
  ck_assert_int_eq(tail[1], 0xF9);
  if ((h[2] & ~0x10) == 0xEF) {
    int d = h[1] >> 2;
    ck_assert(d < 8 && rx_len[d] + len <= sizeof(rx_dlc[0]));
    memcpy(rx_dlc[d] + rx_len[d], info, len);
    rx_len[d] += len;
  }
  return h[1] >> 2;
}

static int link_byte(char *c, int timeout_ms)
{
  if (!dlc)
    return (int)tty_read_n(P, c, 1, timeout_ms);
  while (rx_off[dlc] == rx_len[dlc]) {
    rx_off[dlc] = rx_len[dlc] = 0;
    if (next_frame(timeout_ms) < 0)
      return 0;
  }
  *c = (char)rx_dlc[dlc][rx_off[dlc]++];
  return 1;
}

/* A command on DLC d and exactly its answer there. */
static void dlc_chat(int d, const char *cmd, const char *want)
{
  size_t wl = strlen(want);
  mux_frame(d, 0xEF, cmd, strlen(cmd));
  while (rx_len[d] - rx_off[d] < wl)
    ck_assert_msg(next_frame(3000) >= 0, "DLC %d: no answer to %s", d, cmd);
  ck_assert_msg(rx_len[d] - rx_off[d] == wl && !memcmp(rx_dlc[d] + rx_off[d], want, wl),
                "DLC %d: got %s", d, show((const char *)rx_dlc[d] + rx_off[d], rx_len[d] - rx_off[d]));
  rx_off[d] = rx_len[d] = 0;
}

/* ---- the test's HDLC ---- */

static uint16_t fcs16(uint16_t fcs, const uint8_t *p, size_t n)
{
  while (n--) {
    fcs ^= *p++;
    for (int i = 0; i < 8; i++)
      fcs = (uint16_t)(fcs & 1 ? (fcs >> 1) ^ 0x8408 : fcs >> 1);
  }
  return fcs;
}

/* A frame with FF 03 and a two-octet protocol, every control character escaped. */
static void send_ppp(uint16_t proto, const uint8_t *pkt, size_t len)
{
  uint8_t raw[1600], out[3300];
  size_t n = 0, o = 0;
  uint16_t f;
  raw[n++] = 0xFF;
  raw[n++] = 0x03;
  raw[n++] = (uint8_t)(proto >> 8);
  raw[n++] = (uint8_t)proto;
  memcpy(raw + n, pkt, len);
  n += len;
  f = fcs16(0xFFFF, raw, n) ^ 0xFFFF;
  raw[n++] = (uint8_t)f;
  raw[n++] = (uint8_t)(f >> 8);
  out[o++] = 0x7E;
  for (size_t i = 0; i < n; i++) {
    if (raw[i] < 0x20 || raw[i] == 0x7D || raw[i] == 0x7E) {
      out[o++] = 0x7D;
      out[o++] = raw[i] ^ 0x20;
    } else {
      out[o++] = raw[i];
    }
  }
  out[o++] = 0x7E;
  link_send(out, o);
}

/* A control packet: code, id, length, data. */
static void send_ctl(uint16_t proto, uint8_t code, uint8_t id, const void *data, size_t len)
{
  uint8_t pkt[600];
  pkt[0] = code;
  pkt[1] = id;
  pkt[2] = (uint8_t)((len + 4) >> 8);
  pkt[3] = (uint8_t)(len + 4);
  if (len)
    memcpy(pkt + 4, data, len);
  send_ppp(proto, pkt, len + 4);
}

/* The next frame from the module: its protocol and packet. The FCS must be good; FF 03 and a
 * two-octet protocol are taken off where present. */
static size_t read_ppp(uint16_t *proto, uint8_t *pkt, size_t size)
{
  uint8_t raw[3300];
  size_t n = 0;
  int started = 0, esc = 0;
  char c;
  for (;;) {
    ck_assert_msg(link_byte(&c, 5000) == 1, "no PPP frame came (%zu bytes so far)", n);
    if ((uint8_t)c == 0x7E) {
      if (started && n > 0)
        break;
      started = 1;
      n = 0;
      continue;
    }
    ck_assert_msg(started, "bytes outside a frame: %s", show(&c, 1));
    if ((uint8_t)c == 0x7D) {
      esc = 1;
      continue;
    }
    raw[n++] = esc ? (uint8_t)c ^ 0x20 : (uint8_t)c;
    esc = 0;
  }
  ck_assert_msg(n >= 4 && fcs16(0xFFFF, raw, n) == 0xF0B8, "a frame with a bad FCS: %s",
                show((const char *)raw, n));
  n -= 2;
  {
    size_t at = 0;
    if (raw[0] == 0xFF && raw[1] == 0x03)
      at = 2;
    if (raw[at] & 1) {
      *proto = raw[at];
      at += 1;
    } else {
      *proto = (uint16_t)(raw[at] << 8 | raw[at + 1]);
      at += 2;
    }
    ck_assert_uint_le(n - at, size);
    memcpy(pkt, raw + at, n - at);
    return n - at;
  }
}

/* Exactly this packet of this protocol next. */
static void expect_ppp(uint16_t proto, const void *want, size_t len)
{
  uint8_t got[1600];
  uint16_t gp;
  size_t n = read_ppp(&gp, got, sizeof(got));
  char w[2048];
  snprintf(w, sizeof(w), "%s", show(want, len));
  ck_assert_msg(gp == proto && n == len && !memcmp(got, want, len),
                "want %04x %s, got %04x %s", proto, w, gp, show((const char *)got, n));
}

/* ---- the call's steps ---- */

static uint8_t module_magic[4];

/* The module's LCP request (ACCM 0, auth, magic, PFC, ACFC); its identifier returned. */
static uint8_t module_lcp_request(const uint8_t *auth, size_t alen)
{
  uint8_t got[300];
  uint16_t proto;
  size_t n = read_ppp(&proto, got, sizeof(got)), at;
  ck_assert_uint_eq(proto, 0xC021);
  ck_assert_int_eq(got[0], 1);
  ck_assert_uint_eq(n, (size_t)(got[2] << 8 | got[3]));
  ck_assert_msg(n == 4 + 6 + 2 + alen + 6 + 2 + 2, "LCP request of %zu bytes", n);
  ck_assert(!memcmp(got + 4, "\x02\x06\x00\x00\x00\x00", 6)); /* ACCM 0 */
  ck_assert_int_eq(got[10], 3);
  ck_assert_int_eq(got[11], 2 + alen);
  ck_assert(!memcmp(got + 12, auth, alen));
  at = 12 + alen;
  ck_assert_int_eq(got[at], 5);
  memcpy(module_magic, got + at + 2, 4);
  ck_assert(!memcmp(got + at + 6, "\x07\x02\x08\x02", 4)); /* PFC, ACFC */
  return got[1];
}

static const uint8_t chap_md5[] = { 0xC2, 0x23, 0x05 }, pap[] = { 0xC0, 0x23 };
static const uint8_t host_lcp[] = { 0x02, 0x06, 0, 0, 0, 0, 0x05, 0x06, 0x11, 0x22, 0x33, 0x44,
                                    0x07, 0x02, 0x08, 0x02 };

/* LCP: the host's request acked, the module's acked by the host. */
static void lcp_up(int prefer_pap)
{
  uint8_t id = module_lcp_request(chap_md5, 3);
  send_ctl(0xC021, 1, 0x41, host_lcp, sizeof(host_lcp));
  {
    uint8_t ack[4 + sizeof(host_lcp)] = { 2, 0x41, 0, 4 + sizeof(host_lcp) };
    memcpy(ack + 4, host_lcp, sizeof(host_lcp));
    expect_ppp(0xC021, ack, sizeof(ack));
  }
  if (prefer_pap) { /* the host naks CHAP with PAP: the module asks again with PAP */
    static const uint8_t nak[] = { 0x03, 0x04, 0xC0, 0x23 };
    send_ctl(0xC021, 3, id, nak, sizeof(nak));
    id = module_lcp_request(pap, 2);
  }
  {
    uint8_t opts[32];
    size_t n = 0;
    memcpy(opts + n, "\x02\x06\x00\x00\x00\x00", 6), n += 6;
    opts[n++] = 3, opts[n++] = prefer_pap ? 4 : 5;
    memcpy(opts + n, prefer_pap ? pap : chap_md5, prefer_pap ? 2 : 3), n += prefer_pap ? 2 : 3;
    opts[n++] = 5, opts[n++] = 6;
    memcpy(opts + n, module_magic, 4), n += 4;
    memcpy(opts + n, "\x07\x02\x08\x02", 4), n += 4;
    send_ctl(0xC021, 2, id, opts, n);
  }
}

/* CHAP: the challenge, a response (MD5 of id, secret and challenge), Success. */
static void chap(const char *user, const char *secret)
{
  uint8_t got[300], in[200], md[16], rsp[100];
  uint16_t proto;
  size_t n = read_ppp(&proto, got, sizeof(got)), sl = strlen(secret), ul = strlen(user);
  ck_assert_uint_eq(proto, 0xC223);
  ck_assert_int_eq(got[0], 1);
  ck_assert_int_eq(got[4], 16);
  ck_assert_uint_eq(n, 4 + 1 + 16 + 7);
  ck_assert(!memcmp(got + 21, "fotasim", 7));
  in[0] = got[1];
  memcpy(in + 1, secret, sl);
  memcpy(in + 1 + sl, got + 5, 16);
  ck_assert_int_eq(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_MD5), in, 1 + sl + 16, md), 0);
  rsp[0] = 16;
  memcpy(rsp + 1, md, 16);
  memcpy(rsp + 17, user, ul);
  send_ctl(0xC223, 2, got[1], rsp, 17 + ul);
  {
    uint8_t ok[11] = { 3, got[1], 0, 11, 'W', 'e', 'l', 'c', 'o', 'm', 'e' };
    expect_ppp(0xC223, ok, sizeof(ok));
  }
}

/* IPCP: the module's address acked; the host asks for 0.0.0.0 and is naked to its address
 * and DNS servers, then acked. Returns the address. */
static uint32_t ipcp_up(void)
{
  uint8_t got[300], req[32], nak[32];
  uint16_t proto;
  size_t n = read_ppp(&proto, got, sizeof(got));
  static const uint8_t zero[] = { 3, 6, 0, 0, 0, 0, 129, 6, 0, 0, 0, 0, 131, 6, 0, 0, 0, 0 };
  ck_assert_uint_eq(proto, 0x8021);
  ck_assert_int_eq(got[0], 1);
  ck_assert_uint_eq(n, 10);
  ck_assert_int_eq(got[4], 3); /* the module's own address */
  memcpy(req, got, n);
  req[0] = 2;
  send_ppp(0x8021, req, n); /* Configure-Ack */
  send_ctl(0x8021, 1, 7, zero, sizeof(zero));
  n = read_ppp(&proto, nak, sizeof(nak));
  ck_assert_uint_eq(proto, 0x8021);
  ck_assert_int_eq(nak[0], 3);
  ck_assert_int_eq(nak[1], 7);
  ck_assert_uint_eq(n, 4 + 18);
  ck_assert(nak[4] == 3 && nak[10] == 129 && nak[16] == 131);
  ck_assert(!memcmp(nak + 12, nak + 18, 4)); /* one DNS server twice */
  ck_assert_int_eq(nak[15], 3);              /* .3 of the host's /24 */
  ck_assert(!memcmp(nak + 6, got + 6, 3));   /* the module's end is in the same /24 */
  nak[0] = 1;
  nak[1] = 8;
  send_ppp(0x8021, nak, n); /* the same values asked for: acked */
  {
    uint8_t ack[22];
    memcpy(ack, nak, n);
    ack[0] = 2;
    expect_ppp(0x8021, ack, n);
  }
  return (uint32_t)nak[6] << 24 | (uint32_t)nak[7] << 16 | (uint32_t)nak[8] << 8 | nak[9];
}

static void modem_port(void)
{
  char path[400];
  snprintf(path, sizeof(path), "%s/ttyUSBMODEM", S.dir);
  P = tty_open(path);
  ck_assert_int_ge(P, 0);
  chat(P, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

/* Until AT+CREG? on the modem port says registered (at most 10 s). */
static void registered(void)
{
  for (int i = 0; i < 50; i++) {
    char got[128];
    size_t n;
    tty_send(P, "AT+CREG?\r", 9);
    n = tty_read_for(P, got, sizeof(got) - 1, 200);
    got[n] = '\0';
    if (strstr(got, "+CREG: 0,1"))
      return;
  }
  ck_abort_msg("the module did not register");
}

static void open_modem(void)
{
  char path[400];
  start();
  snprintf(path, sizeof(path), "%s/ttyUSBMODEM", S.dir);
  P = tty_open(path);
  ck_assert_int_ge(P, 0);
  chat(P, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

START_TEST(dial_negotiate_escape_and_terminate)
{
  char want[128], ip[32];
  uint32_t addr;
  open_modem();
  chat(P, "ATD*99***1#\r", "\r\nCONNECT\r\n");
  lcp_up(0);
  chap("anyone", "anything"); /* no credentials set: any are taken */
  addr = ipcp_up();
  snprintf(ip, sizeof(ip), "%u.%u.%u.%u", addr >> 24, addr >> 16 & 255, addr >> 8 & 255,
           addr & 255);
  snprintf(want, sizeof(want), "\r\n+CGPADDR: 1,\"%s\"\r\n\r\nOK\r\n", ip);
  chat(U, "AT+CGPADDR=1\r", want); /* the host has the context's address */
  {
    char reply[8192], call[160];
    snprintf(call, sizeof(call), "\"call\":{\"cid\":1,\"online\":true,\"address\":\"%s\","
             "\"lcp\":\"opened\",\"ipcp\":\"opened\"", ip);
    ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
    ck_assert_msg(strstr(reply, call), "%s", reply);
  }
  { /* LCP echo: answered with the module's magic number */
    static const uint8_t echo[] = { 0x11, 0x22, 0x33, 0x44, 'h', 'i' };
    uint8_t rep[10] = { 10, 9, 0, 10 };
    memcpy(rep + 4, module_magic, 4);
    memcpy(rep + 8, "hi", 2);
    send_ctl(0xC021, 9, 9, echo, sizeof(echo));
    expect_ppp(0xC021, rep, sizeof(rep));
  }
  { /* IPv6CP is not built: Protocol-Reject */
    static const uint8_t v6[] = { 1, 1, 0, 4 };
    uint8_t rej[10];
    uint16_t proto;
    size_t n;
    send_ppp(0x8057, v6, sizeof(v6));
    n = read_ppp(&proto, rej, sizeof(rej));
    ck_assert_uint_eq(proto, 0xC021);
    ck_assert_int_eq(rej[0], 8);
    ck_assert_uint_eq(n, 10);
    ck_assert(!memcmp(rej + 4, "\x80\x57\x01\x01\x00\x04", 6));
  }
  tty_send(P, "\x7e\x7d\x7d\x7e\x7e\x12\x34\x7e", 8); /* junk frames: dropped */
  /* "+++" between guard times: online command mode, the call stays */
  usleep(1100 * 1000);
  tty_send(P, "+++", 3);
  usleep(1100 * 1000);
  expect_tty(P, "\r\nOK\r\n");
  chat(P, "AT\r", "\r\nOK\r\n");
  chat(P, "ATO\r", "\r\nCONNECT\r\n");
  {
    static const uint8_t echo[] = { 0x11, 0x22, 0x33, 0x44 };
    uint8_t rep[8] = { 10, 10, 0, 8 };
    memcpy(rep + 4, module_magic, 4);
    send_ctl(0xC021, 9, 10, echo, sizeof(echo));
    expect_ppp(0xC021, rep, sizeof(rep));
  }
  /* the host hangs up: Terminate-Ack, then NO CARRIER, and the port is AT again */
  send_ctl(0xC021, 5, 11, NULL, 0);
  expect_ppp(0xC021, "\x06\x0b\x00\x04", 4);
  {
    char got[64];
    size_t n = tty_read_for(P, got, sizeof(got) - 1, 5000);
    ck_assert_msg(n == 14 && !memcmp(got, "\r\nNO CARRIER\r\n", 14), "got %s", show(got, n));
  }
  chat(P, "AT\r", "\r\nOK\r\n");
}
END_TEST

/* PAP when the host prefers it, against AT+QICSGP's credentials: a wrong password ends the
 * call; the right one opens IPCP. AT+CGDATA dials too; ATH in command mode hangs up (OK). */
START_TEST(pap_credentials_cgdata_and_ath)
{
  static const uint8_t bad[] = { 1, 3, 0, 15, 2, 'f', 'w', 7, 'w', 'r', 'o', 'n', 'g', '!', '!' };
  static const uint8_t good[] = { 1, 4, 0, 14, 2, 'f', 'w', 6, 's', '3', 'c', 'r', 'e', 't' };
  open_modem();
  chat(P, "AT+QICSGP=1,1,\"internet\",\"fw\",\"s3cret\",1\r", "\r\nOK\r\n");
  chat(P, "AT+CGDATA=\"PPP\",1\r", "\r\nCONNECT\r\n");
  lcp_up(1);
  send_ppp(0xC023, bad, sizeof(bad));
  {
    uint8_t nak[26] = { 3, 3, 0, 26, 21 };
    memcpy(nak + 5, "Authentication failed", 21);
    expect_ppp(0xC023, nak, sizeof(nak));
  }
  { /* the module terminates the link; the host acks; NO CARRIER */
    uint8_t got[16];
    uint16_t proto;
    size_t n = read_ppp(&proto, got, sizeof(got));
    ck_assert(proto == 0xC021 && got[0] == 5 && n == 4);
    send_ctl(0xC021, 6, got[1], NULL, 0);
    expect_tty(P, "\r\nNO CARRIER\r\n");
  }
  chat(P, "AT+CGAUTH?\r", "\r\n+CGAUTH: 1,1,\"fw\"\r\n\r\nOK\r\n"); /* QICSGP's */
  chat(P, "AT+CGAUTH=1,1,\"fw\",\"s3cret\"\r", "\r\nOK\r\n");
  chat(P, "AT+CGAUTH=9,1\r", "\r\n+CME ERROR: 50\r\n");
  chat(P, "ATD*99#\r", "\r\nCONNECT\r\n");
  lcp_up(1);
  send_ppp(0xC023, good, sizeof(good));
  expect_ppp(0xC023, "\x02\x04\x00\x0c\x07Welcome", 12);
  ipcp_up();
  usleep(1100 * 1000);
  tty_send(P, "+++", 3);
  usleep(1100 * 1000);
  expect_tty(P, "\r\nOK\r\n");
  chat(P, "ATH\r", "\r\nOK\r\n");
  chat(P, "ATO\r", "\r\nERROR\r\n"); /* no call to go back to */
  chat(P, "AT+CGDATA=\"X25\",1\r", "\r\n+CME ERROR: 50\r\n");
  chat(P, "ATD12345;\r", "\r\nERROR\r\n");
}
END_TEST

/* No network: NO CARRIER at once; a context that drops ends the call with NO CARRIER. */
START_TEST(no_network_and_a_dropped_context)
{
  char reply[512];
  open_modem();
  chat(P, "AT+CFUN=4\r", "\r\nOK\r\n");
  chat(P, "ATD*99#\r", "\r\nNO CARRIER\r\n");
  chat(P, "AT+CFUN=1\r", "\r\nOK\r\n");
  registered();
  chat(P, "ATD*99#\r", "\r\nCONNECT\r\n");
  lcp_up(0);
  chap("a", "b");
  ipcp_up();
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"at\":0,\"network\":\"searching\"}}",
                       reply, sizeof(reply), 5000), 0);
  {
    char got[256];
    size_t n = tty_read_for(P, got, sizeof(got) - 1, 5000);
    got[n] = '\0';
    ck_assert_msg(strstr(got, "\r\nNO CARRIER\r\n"), "got %s", show(got, n));
  }
  chat(P, "AT\r", "\r\nOK\r\n");
}
END_TEST

/* ---- IP packets, built and read as a host stack would ---- */


/* IPv4 + UDP or TCP (proto 17 / 6): the header fields, checksums filled. */
static size_t ip_packet(uint8_t *out, uint32_t src, uint32_t dst, int proto, const uint8_t *l4,
                        size_t l4len)
{
  uint32_t pseudo;
  uint16_t c;
  memset(out, 0, 20);
  out[0] = 0x45;
  out[2] = (uint8_t)((20 + l4len) >> 8), out[3] = (uint8_t)(20 + l4len);
  out[8] = 64;
  out[9] = (uint8_t)proto;
  for (int i = 0; i < 4; i++) {
    out[12 + i] = (uint8_t)(src >> (24 - 8 * i));
    out[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
  }
  c = inet_sum(0, out, 20);
  out[10] = (uint8_t)(c >> 8), out[11] = (uint8_t)c;
  memcpy(out + 20, l4, l4len);
  pseudo = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + (uint32_t)proto +
           (uint32_t)l4len;
  out[20 + (proto == 6 ? 16 : 6)] = out[20 + (proto == 6 ? 17 : 7)] = 0;
  c = inet_sum(pseudo, out + 20, l4len);
  if (proto == 17 && c == 0)
    c = 0xFFFF;
  out[20 + (proto == 6 ? 16 : 6)] = (uint8_t)(c >> 8);
  out[20 + (proto == 6 ? 17 : 7)] = (uint8_t)c;
  return 20 + l4len;
}

static void send_udp(uint32_t src, uint32_t dst, int sport, int dport, const void *data,
                     size_t len)
{
  uint8_t l4[1500], pkt[1600];
  ck_assert_uint_le(len, sizeof(l4) - 8);
  l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport;
  l4[2] = (uint8_t)(dport >> 8), l4[3] = (uint8_t)dport;
  l4[4] = (uint8_t)((8 + len) >> 8), l4[5] = (uint8_t)(8 + len);
  memcpy(l4 + 8, data, len);
  send_ppp(0x0021, pkt, ip_packet(pkt, src, dst, 17, l4, 8 + len));
}

/* The next IP packet for the host (frames of other protocols are an error here). */
static size_t read_ip(uint8_t *pkt, size_t size)
{
  uint16_t proto;
  size_t n = read_ppp(&proto, pkt, size);
  ck_assert_msg(proto == 0x0021, "protocol %04x, not IP", proto);
  ck_assert_uint_ge(n, 20);
  ck_assert_int_eq(inet_sum(0, pkt, 20), 0); /* its header checksum holds */
  return n;
}

static void send_tcp(uint32_t src, uint32_t dst, int sport, int dport, uint32_t seq,
                     uint32_t ack, uint8_t flags, const void *data, size_t len)
{
  uint8_t l4[600], pkt[700];
  memset(l4, 0, 20);
  l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport;
  l4[2] = (uint8_t)(dport >> 8), l4[3] = (uint8_t)dport;
  for (int i = 0; i < 4; i++) {
    l4[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
    l4[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
  }
  l4[12] = 5 << 4;
  l4[13] = flags;
  l4[14] = 0x40, l4[15] = 0; /* window 16 KiB */
  if (len)
    memcpy(l4 + 20, data, len);
  send_ppp(0x0021, pkt, ip_packet(pkt, src, dst, 6, l4, 20 + len));
}

static uint32_t get32be(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A call up to IPCP on the modem port, with the DNS map ppp.example -> 127.0.0.1. */
static uint32_t call_up(void)
{
  start_data("network:\n  dns:\n    ppp.example: 127.0.0.1\n");
  modem_port();
  chat(P, "ATD*99#\r", "\r\nCONNECT\r\n");
  lcp_up(0);
  chap("h", "s");
  return ipcp_up();
}

START_TEST(udp_through_the_nat_and_dns_from_the_map)
{
  uint8_t got[1600];
  uint32_t host = call_up(), gw = (host & 0xFFFFFF00) | 1, dns = (host & 0xFFFFFF00) | 3;
  size_t n;
  send_udp(host, gw, 40000, udp_port, "hello ppp", 9);
  n = read_ip(got, sizeof(got));
  ck_assert_int_eq(got[9], 17);
  ck_assert_uint_eq(get32be(got + 12), gw);
  ck_assert_uint_eq(get32be(got + 16), host);
  ck_assert_int_eq(got[20] << 8 | got[21], udp_port);
  ck_assert_int_eq(got[22] << 8 | got[23], 40000);
  ck_assert_uint_eq(n, 20 + 8 + 9);
  ck_assert(!memcmp(got + 28, "hello ppp", 9));
  { /* DNS: an A query for ppp.example, answered from the map */
    static const uint8_t q[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'p', 'p', 'p',
                                 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };
    send_udp(host, dns, 40001, 53, q, sizeof(q));
    n = read_ip(got, sizeof(got));
    ck_assert_uint_eq(get32be(got + 12), dns);
    ck_assert_int_eq(got[20] << 8 | got[21], 53);
    ck_assert_uint_eq(n, 20 + 8 + sizeof(q) + 16);
    ck_assert(got[28] == 0x12 && got[29] == 0x34 && (got[30] & 0x80) && (got[31] & 15) == 0);
    ck_assert_int_eq(got[28 + 7], 1); /* one answer */
    ck_assert(!memcmp(got + 28 + sizeof(q) + 12, "\x7f\x00\x00\x01", 4));
  }
}
END_TEST

START_TEST(tcp_exchange_through_the_nat)
{
  uint8_t got[1600];
  uint32_t host = call_up(), gw = (host & 0xFFFFFF00) | 1, seq = 1000, peer;
  size_t n, hl;
  send_tcp(host, gw, 40100, tcp_port, seq, 0, 0x02, NULL, 0); /* SYN */
  n = read_ip(got, sizeof(got));
  ck_assert_int_eq(got[9], 6);
  ck_assert_int_eq(got[20 + 13] & 0x12, 0x12); /* SYN+ACK */
  ck_assert_uint_eq(get32be(got + 28), seq + 1);
  peer = get32be(got + 24) + 1;
  seq++;
  send_tcp(host, gw, 40100, tcp_port, seq, peer, 0x10, NULL, 0); /* ACK */
  send_tcp(host, gw, 40100, tcp_port, seq, peer, 0x18, "tcp through ppp", 15);
  for (int i = 0; i < 5; i++) { /* pure ACKs may come first */
    n = read_ip(got, sizeof(got));
    hl = (size_t)(got[20 + 12] >> 4) * 4;
    if (n > 20 + hl)
      break;
  }
  ck_assert_uint_eq(n, 20 + hl + 15);
  ck_assert(!memcmp(got + 20 + hl, "tcp through ppp", 15)); /* the echo server's answer */
  ck_assert_uint_eq(get32be(got + 24), peer);
  seq += 15;
  peer += 15;
  send_tcp(host, gw, 40100, tcp_port, seq, peer, 0x11, NULL, 0); /* FIN */
  n = read_ip(got, sizeof(got));
  ck_assert_int_eq(got[20 + 13] & 0x10, 0x10); /* acknowledged */
  (void)n;
}
END_TEST

/* A data call on a CMUX DLC: AT+CMUX on the UART, AT on DLC 1 while DLC 2 carries PPP and a
 * UDP exchange through the NAT. */
START_TEST(ppp_on_a_cmux_channel)
{
  uint8_t got[1600];
  uint32_t host, gw;
  size_t n;
  start();
  chat(M, "AT+CMUX=0,0,5,127,10,3,30,10,2\r", "\r\nOK\r\n");
  for (int d = 0; d <= 2; d++) {
    mux_frame(d, 0x3F, NULL, 0); /* SABM: UA back */
    ck_assert_int_eq(next_frame(3000), d);
  }
  dlc_chat(1, "ATE0\r", "ATE0\r\r\nOK\r\n");
  dlc_chat(2, "ATE0\r", "ATE0\r\r\nOK\r\n");
  mux_frame(2, 0xEF, "ATD*99#\r", 8); /* CONNECT, and the module's LCP may share a frame */
  while (rx_len[2] < 11)
    ck_assert_msg(next_frame(3000) >= 0, "no CONNECT on DLC 2");
  ck_assert_msg(!memcmp(rx_dlc[2], "\r\nCONNECT\r\n", 11), "got %s",
                show((const char *)rx_dlc[2], rx_len[2]));
  rx_off[2] = 11;
  dlc = 2;
  lcp_up(0);
  chap("h", "s");
  host = ipcp_up();
  gw = (host & 0xFFFFFF00) | 1;
  { /* AT goes on beside the call, on its own channel */
    char want[96];
    snprintf(want, sizeof(want), "\r\n+CGPADDR: 1,\"%u.%u.%u.%u\"\r\n\r\nOK\r\n", host >> 24,
             host >> 16 & 255, host >> 8 & 255, host & 255);
    dlc_chat(1, "AT+CGPADDR=1\r", want);
  }
  send_udp(host, gw, 40200, udp_port, "over a DLC", 10);
  n = read_ip(got, sizeof(got));
  ck_assert_uint_eq(n, 20 + 8 + 10);
  ck_assert(!memcmp(got + 28, "over a DLC", 10));
  dlc_chat(1, "AT\r", "\r\nOK\r\n");
  { /* CLD: the multiplexer and the call on DLC 2 end; the UART is plain AT */
    char reply[8192];
    mux_frame(0, 0xEF, "\xc3\x01", 2);
    ck_assert_int_eq(next_frame(3000), 0);
    chat(M, "AT\r", "\r\nOK\r\n");
    ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
    ck_assert_msg(strstr(reply, "\"cmux\":null") && !strstr(reply, "\"call\""), "%s", reply);
  }
  dlc = 0;
}
END_TEST

/* A module that plays this scenario text (with these options), a call up on the modem port:
 * the host's address. */
static uint32_t call_up_with(const char *yaml, const char *timing, const char *transcript)
{
  char path[512];
  const char *extra[] = { "--scenario", path, "--timing", timing,
                          transcript ? "--transcript" : NULL, transcript, NULL };
  FILE *f;
  snprintf(path, sizeof(path), "%s.scenario.yaml", S.dir);
  f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(yaml, f);
  fclose(f);
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  unlink(path);
  modem_port();
  registered();
  chat(P, "ATD*99#\r", "\r\nCONNECT\r\n");
  lcp_up(0);
  chap("h", "s");
  return ipcp_up();
}

/* The scenario's bandwidth paces the call's downlink: 40 datagrams of 1000 bytes echoed back
 * over 8 kbit/s at --timing fast (x10) take at least 4 s of real time (a lower bound; without
 * the pacing they take well under 1 s here). */
START_TEST(bandwidth_paces_the_call)
{
  uint8_t data[1000], got[1600];
  struct timespec t0, t1;
  uint32_t host = call_up_with("network:\n  bandwidth: 8000\n", "fast", NULL), gw;
  double took;
  gw = (host & 0xFFFFFF00) | 1;
  memset(data, 'x', sizeof(data));
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < 40; i++)
    send_udp(host, gw, 40300, udp_port, data, sizeof(data));
  for (int i = 0; i < 40; i++)
    ck_assert_uint_eq(read_ip(got, sizeof(got)), 20 + 8 + sizeof(data));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  ck_assert_msg(took >= 3.9, "40 KB crossed an 8 kbit/s call (x10) in %.3f s", took);
}
END_TEST

/* At instant timing too, the call's downlink is the module's link on the virtual clock: the 40
 * echoed datagrams (1028-byte IP packets) at 8 kbit/s are spread over 39 x 1.028 s of virtual
 * time in the transcript (its frames of more than 1000 bytes, the first to the last). */
START_TEST(bandwidth_shapes_the_call_at_instant)
{
  uint8_t data[1000], got[1600];
  char tr[512];
  uint32_t host, gw;
  long long first, last;
  double want = 39 * 1028 * 8000.0 / 8000.0, span;
  int frames;
  snprintf(tr, sizeof(tr), "%s.call.transcript", S.dir);
  host = call_up_with("network:\n  bandwidth: 8000\n  latency: 0\n", "instant", tr);
  gw = (host & 0xFFFFFF00) | 1;
  memset(data, 'x', sizeof(data));
  for (int i = 0; i < 40; i++)
    send_udp(host, gw, 40300, udp_port, data, sizeof(data));
  for (int i = 0; i < 40; i++)
    ck_assert_uint_eq(read_ip(got, sizeof(got)), 20 + 8 + sizeof(data));
  sim_stop(&S);
  frames = transcript_tx_span(tr, NULL, 1000, &first, &last); /* PPP frames are binary */
  unlink(tr);
  span = (double)(last - first);
  ck_assert_int_ge(frames, 2);
  ck_assert_msg(span > want * 0.97 && span < want * 1.03 + 100,
                "40 datagrams at 8 kbit/s spanned %.0f ms of virtual time (want %.0f)", span,
                want);
}
END_TEST

/* datacall rules: the first dial refused; bytes to the host corrupted (bad FCS), then the
 * call dropped (NO CARRIER), both injected while the call runs; a rule that makes no sense. */
START_TEST(call_fault_rules)
{
  char reply[512];
  start_with_rules("faults:\n  - datacall: dial\n    occurrence: 1\n    refuse: true\n");
  modem_port();
  chat(P, "ATD*99#\r", "\r\nNO CARRIER\r\n");
  chat(P, "ATD*99#\r", "\r\nCONNECT\r\n");
  lcp_up(0);
  chap("h", "s");
  ipcp_up();
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"datacall\":\"data\",\"corrupt\":true}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "true"), "%s", reply);
  send_ctl(0xC021, 9, 20, "\x11\x22\x33\x44", 4);
  { /* the echo's reply comes, its bytes flipped: the FCS fails */
    uint8_t raw[64];
    size_t n = 0;
    char c;
    do
      ck_assert_int_eq(link_byte(&c, 3000), 1);
    while ((uint8_t)c != 0x7E);
    while (link_byte(&c, 3000) == 1 && (uint8_t)c != 0x7E && n < sizeof(raw))
      raw[n++] = (uint8_t)c;
    ck_assert_uint_ge(n, 8);
    ck_assert_uint_ne(fcs16(0xFFFF, raw, n), 0xF0B8);
  }
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"datacall\":\"data\",\"drop\":true}}",
                       reply, sizeof(reply), 5000), 0);
  send_ctl(0xC021, 9, 21, "\x11\x22\x33\x44", 4);
  expect_tty(P, "\r\nNO CARRIER\r\n");
  chat(P, "AT\r", "\r\nOK\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"datacall\":\"dial\",\"stall\":true}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "datacall rules: dial refuses (NO CARRIER); data drops, stalls or "
                              "corrupts the call past an offset"), "%s", reply);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("ppp");
  TCase *t = tcase_create("ppp");
  tcase_add_checked_fixture(t, fixture_setup, fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, dial_negotiate_escape_and_terminate);
  tcase_add_test(t, pap_credentials_cgdata_and_ath);
  tcase_add_test(t, no_network_and_a_dropped_context);
  tcase_add_test(t, call_fault_rules);
  suite_add_tcase(s, t);
  {
    TCase *ip = tcase_create("ip");
    tcase_add_checked_fixture(ip, echo_fixture_setup, echo_fixture_teardown);
    tcase_set_timeout(ip, 60);
    tcase_add_test(ip, udp_through_the_nat_and_dns_from_the_map);
    tcase_add_test(ip, tcp_exchange_through_the_nat);
    tcase_add_test(ip, ppp_on_a_cmux_channel);
    tcase_add_test(ip, bandwidth_paces_the_call);
    tcase_add_test(ip, bandwidth_shapes_the_call_at_instant);
    suite_add_tcase(s, ip);
  }
  return run_suite(s);
}
