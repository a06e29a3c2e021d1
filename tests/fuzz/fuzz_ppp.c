/* fuzz_ppp: the data call's PPP on any bytes from the host: HDLC framing (flags, escapes,
 * FCS-16), LCP, PAP, CHAP, IPCP and stray protocols. Every frame the module sends back must
 * decode as exactly one good frame, and IP packets may only come up once IPCP is open. */
#include <string.h>
#include <uv.h>

#include "fuzz.h"
#include "ppp.h"

static uv_loop_t *loop;
static struct ppp link_;
static int frames_back;

static void count(void *ctx, const struct ppp_packet *p)
{
  (void)ctx;
  (void)p;
  frames_back++;
}

static void wrote(void *ctx, const uint8_t *data, size_t len)
{
  struct ppp_hdlc_rx rx;
  (void)ctx;
  ppp_hdlc_rx_init(&rx);
  frames_back = 0;
  ppp_hdlc_input(&rx, data, len, count, NULL);
  if (frames_back != 1 || rx.bad_fcs || data[0] != 0x7E || data[len - 1] != 0x7E)
    __builtin_trap();
}

static void ip_packet(void *ctx, const uint8_t *pkt, size_t len)
{
  (void)ctx;
  (void)pkt;
  if (link_.ipcp.state != PPP_OPENED || len > PPP_FRAME_MAX)
    __builtin_trap();
  ppp_send_ip(&link_, pkt, len); /* echoed, as a server might answer */
}

static void ended(void *ctx, const char *why)
{
  (void)ctx;
  (void)why;
}

static void freed(struct ppp *p)
{
  (void)p;
}

static const struct ppp_ops ops = { wrote, NULL, ip_packet, ended };

void fuzz_init(void)
{
  loop = uv_default_loop();
}

void fuzz_one(const uint8_t *in, size_t len)
{
  struct ppp_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.local_ip = 0x0A000202;
  cfg.peer_ip = 0x0A00020F;
  cfg.dns1 = cfg.dns2 = 0x0A000203;
  cfg.magic = 0x12345678;
  if (len > 0 && (in[0] & 1)) { /* credentials set, or any accepted */
    strcpy(cfg.user, "fw");
    strcpy(cfg.password, "s3cret");
  }
  ppp_init(&link_, loop, &cfg, &ops, NULL);
  ppp_start(&link_);
  for (size_t at = 1; at < len;) {
    size_t n = 1 + (in[at] & 63);
    if (n > len - at)
      n = len - at;
    ppp_input(&link_, in + at, n);
    at += n;
  }
  ppp_close(&link_);
  ppp_free(&link_, freed);
  uv_run(loop, UV_RUN_NOWAIT);
}

/* A host's opening: LCP Configure-Request (ACCM 0, magic, PFC, ACFC), a PAP request, an IPCP
 * request for 0.0.0.0 and the DNS servers, an LCP echo, an IP packet. */
void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  static const uint8_t lcp[] = { 1, 1, 0, 18, 2, 6, 0, 0, 0, 0, 5, 6, 0xAA, 0xBB, 0xCC, 0xDD,
                                 7, 2, 8, 2 };
  static const uint8_t ack[] = { 2, 1, 0, 4 };
  static const uint8_t pap[] = { 1, 1, 0, 14, 2, 'f', 'w', 6, 's', '3', 'c', 'r', 'e', 't' };
  static const uint8_t ipcp[] = { 1, 1, 0, 22, 3, 6, 0, 0, 0, 0, 129, 6, 0, 0, 0, 0, 131, 6, 0,
                                  0, 0, 0 };
  static const uint8_t echo[] = { 9, 7, 0, 12, 0xAA, 0xBB, 0xCC, 0xDD, 'p', 'i', 'n', 'g' };
  static const uint8_t ip[] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 2, 15, 10, 0,
                                2, 2 };
  uint8_t s[1024];
  size_t n = 0;
  s[n++] = 1;
  n += ppp_hdlc_encode(s + n, PPP_LCP, lcp, sizeof(lcp), 0xFFFFFFFF, 0, 0);
  n += ppp_hdlc_encode(s + n, PPP_LCP, ack, sizeof(ack), 0xFFFFFFFF, 0, 0);
  n += ppp_hdlc_encode(s + n, PPP_PAP, pap, sizeof(pap), 0, 1, 1);
  n += ppp_hdlc_encode(s + n, PPP_IPCP, ipcp, sizeof(ipcp), 0, 1, 1);
  n += ppp_hdlc_encode(s + n, PPP_LCP, echo, sizeof(echo), 0, 0, 0);
  n += ppp_hdlc_encode(s + n, PPP_IP, ip, sizeof(ip), 0, 1, 1);
  emit(s, n);
}
