/* ppp: a data call's PPP on the module's side (see ppp.h): the protocols by number, LCP's and
 * IPCP's options, PAP and CHAP-MD5 as the authenticator, LCP echo, Protocol-Reject for the
 * rest. */
#include "ppp.h"

#include <mbedtls/md.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* LCP options */
enum { LCP_MRU = 1, LCP_ACCM = 2, LCP_AUTH = 3, LCP_MAGIC = 5, LCP_PFC = 7, LCP_ACFC = 8 };
/* IPCP options */
enum { IPCP_COMPRESS = 2, IPCP_ADDRESS = 3, IPCP_DNS1 = 129, IPCP_DNS2 = 131 };

static struct ppp *of_fsm(struct ppp_fsm *f)
{
  return f->ctx;
}

static void put32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One packet of a protocol: code, id, length, data; framed and written. */
static void send_packet(struct ppp *p, uint16_t proto, uint8_t code, uint8_t id,
                        const uint8_t *data, size_t len)
{
  uint8_t pkt[PPP_MRU_MAX + 4], frame[2 * (PPP_MRU_MAX + 16) + 2];
  size_t n;
  if (len > PPP_MRU_MAX)
    len = PPP_MRU_MAX;
  pkt[0] = code;
  pkt[1] = id;
  pkt[2] = (uint8_t)((len + 4) >> 8);
  pkt[3] = (uint8_t)(len + 4);
  if (len)
    memcpy(pkt + 4, data, len);
  n = ppp_hdlc_encode(frame, proto, pkt, len + 4, p->tx_accm, p->tx_acfc, p->tx_pfc);
  p->ops->write(p->ctx, frame, n);
}

static void fsm_send(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *d, size_t len)
{
  struct ppp *p = of_fsm(f);
  send_packet(p, f == &p->lcp ? PPP_LCP : PPP_IPCP, code, id, d, len);
}

/* Walks options: each (type, length, value) checked well formed; -1 if one is not. */
static int next_option(const uint8_t *opts, size_t len, size_t *at, uint8_t *type,
                       const uint8_t **val, size_t *vlen)
{
  if (*at + 2 > len || opts[*at + 1] < 2 || *at + opts[*at + 1] > len)
    return -1;
  *type = opts[*at];
  *val = opts + *at + 2;
  *vlen = (size_t)opts[*at + 1] - 2;
  *at += opts[*at + 1];
  return 0;
}

static size_t add_option(uint8_t *out, size_t n, uint8_t type, const uint8_t *val, size_t vlen)
{
  out[n++] = type;
  out[n++] = (uint8_t)(vlen + 2);
  if (vlen)
    memcpy(out + n, val, vlen);
  return n + vlen;
}

/* A request's answer when something was wrong with it: the rejects if any (RFC 1661 5.4: a
 * Reject before a Nak), else the naks. */
static int verdict(const uint8_t *rej, size_t nr, const uint8_t *nak, size_t nn, uint8_t *out,
                   size_t *olen)
{
  memcpy(out, nr ? rej : nak, nr ? nr : nn);
  *olen = nr ? nr : nn;
  return nr ? CONF_REJ : CONF_NAK;
}

/* ---- LCP ---- */

static size_t lcp_request(struct ppp_fsm *f, uint8_t *out, size_t room)
{
  struct ppp *p = of_fsm(f);
  uint8_t v[5];
  size_t n = 0;
  (void)room;
  if (p->ask_accm) {
    put32(v, 0);
    n = add_option(out, n, LCP_ACCM, v, 4);
  }
  if (p->want_auth == PPP_CHAP) {
    v[0] = 0xC2, v[1] = 0x23, v[2] = 5; /* CHAP with MD5 */
    n = add_option(out, n, LCP_AUTH, v, 3);
  } else if (p->want_auth == PPP_PAP) {
    v[0] = 0xC0, v[1] = 0x23;
    n = add_option(out, n, LCP_AUTH, v, 2);
  }
  if (p->ask_magic) {
    put32(v, p->cfg.magic);
    n = add_option(out, n, LCP_MAGIC, v, 4);
  }
  if (p->ask_pfc)
    n = add_option(out, n, LCP_PFC, NULL, 0);
  if (p->ask_acfc)
    n = add_option(out, n, LCP_ACFC, NULL, 0);
  return n;
}

/* The host's LCP request: what we can take is acked; a loop (our own magic) or a tiny MRU is
 * naked; authentication of us, and what we do not know, rejected. */
static int lcp_check(struct ppp_fsm *f, const uint8_t *opts, size_t len, uint8_t *out,
                     size_t *olen)
{
  struct ppp *p = of_fsm(f);
  uint8_t rej[PPP_OPTS_MAX], nak[PPP_OPTS_MAX], type;
  size_t at = 0, nr = 0, nn = 0, vlen;
  const uint8_t *val;
  uint32_t accm = 0xFFFFFFFF;
  int pfc = 0, acfc = 0, mru = PPP_MRU_MAX;
  while (at < len) {
    size_t start = at;
    if (next_option(opts, len, &at, &type, &val, &vlen) != 0) { /* malformed: rejected whole */
      memcpy(out, opts + start, len - start);
      *olen = len - start;
      return CONF_REJ;
    }
    if (type == LCP_MRU && vlen == 2) {
      mru = val[0] << 8 | val[1];
      if (mru < 128) {
        uint8_t v[2] = { (uint8_t)(PPP_MRU_MAX >> 8), (uint8_t)PPP_MRU_MAX };
        nn = add_option(nak, nn, LCP_MRU, v, 2);
      }
    } else if (type == LCP_ACCM && vlen == 4) {
      accm = get32(val);
    } else if (type == LCP_MAGIC && vlen == 4) {
      if (get32(val) == p->cfg.magic || get32(val) == 0) { /* a looped-back line */
        uint8_t v[4];
        put32(v, p->cfg.magic ^ 0x5A5A5A5A);
        nn = add_option(nak, nn, LCP_MAGIC, v, 4);
      }
    } else if (type == LCP_PFC && vlen == 0) {
      pfc = 1;
    } else if (type == LCP_ACFC && vlen == 0) {
      acfc = 1;
    } else { /* the host asking us to authenticate, or anything else */
      memcpy(rej + nr, opts + start, at - start);
      nr += at - start;
    }
  }
  if (nr || nn)
    return verdict(rej, nr, nak, nn, out, olen);
  p->peer_mru = (uint16_t)mru;
  p->tx_accm = accm; /* these apply from the Configure-Ack on; LCP itself stays in full */
  p->tx_pfc = pfc;
  p->tx_acfc = acfc;
  return CONF_ACK;
}

static void lcp_acked(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
  (void)f;
  (void)opts;
  (void)len;
}

/* The host would rather authenticate with PAP (or MD5 is not its CHAP): we follow. */
static void lcp_naked(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
  struct ppp *p = of_fsm(f);
  size_t at = 0, vlen;
  uint8_t type;
  const uint8_t *val;
  while (next_option(opts, len, &at, &type, &val, &vlen) == 0)
    if (type == LCP_AUTH && vlen >= 2)
      p->want_auth = val[0] == 0xC0 && val[1] == 0x23 && p->want_auth == PPP_CHAP ? PPP_PAP : 0;
}

static void lcp_rejected(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
  struct ppp *p = of_fsm(f);
  size_t at = 0, vlen;
  uint8_t type;
  const uint8_t *val;
  while (next_option(opts, len, &at, &type, &val, &vlen) == 0) {
    if (type == LCP_AUTH)
      p->want_auth = 0; /* no authentication, then: any host goes (see docs/cmux-ppp.md) */
    else if (type == LCP_ACCM)
      p->ask_accm = 0;
    else if (type == LCP_MAGIC)
      p->ask_magic = 0;
    else if (type == LCP_PFC)
      p->ask_pfc = 0;
    else if (type == LCP_ACFC)
      p->ask_acfc = 0;
  }
}

static void network_phase(struct ppp *p)
{
  p->phase = PPP_NETWORK;
  ppp_fsm_up(&p->ipcp);
  ppp_fsm_open(&p->ipcp);
}

/* CHAP: a challenge of 16 random bytes, with our name. */
static void chap_challenge(struct ppp *p)
{
  uint8_t v[1 + 16 + 8];
  p->chap_id++;
  for (int i = 0; i < 16; i++)
    p->challenge[i] = (uint8_t)(rand() >> 7);
  v[0] = 16;
  memcpy(v + 1, p->challenge, 16);
  memcpy(v + 17, "fotasim", 7);
  send_packet(p, PPP_CHAP, 1, p->chap_id, v, 24);
}

static void lcp_up(struct ppp_fsm *f)
{
  struct ppp *p = of_fsm(f);
  log_info("ppp: LCP open (MRU %u, ACCM %08x%s%s), %s", p->peer_mru, p->tx_accm,
           p->tx_pfc ? ", PFC" : "", p->tx_acfc ? ", ACFC" : "",
           p->want_auth == PPP_CHAP ? "CHAP" : p->want_auth == PPP_PAP ? "PAP" : "no authentication");
  if (p->want_auth) {
    p->phase = PPP_AUTHENTICATE;
    if (p->want_auth == PPP_CHAP)
      chap_challenge(p);
  } else {
    network_phase(p);
  }
}

static void lcp_down(struct ppp_fsm *f)
{
  struct ppp *p = of_fsm(f);
  ppp_fsm_down(&p->ipcp);
  p->phase = PPP_TERMINATE;
}

static void lcp_finished(struct ppp_fsm *f)
{
  struct ppp *p = of_fsm(f);
  if (p->phase == PPP_DEAD)
    return;
  p->phase = PPP_DEAD;
  p->ops->ended(p->ctx, p->end_reason[0] ? p->end_reason : "LCP closed");
}

/* Echo-Request: answered with our magic number; Discard-Request and Protocol-Reject taken. */
static int lcp_extra(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *d, size_t len)
{
  struct ppp *p = of_fsm(f);
  if (code == ECHO_REQ) {
    uint8_t rep[PPP_MRU_MAX];
    if (f->state != PPP_OPENED || len < 4)
      return 1; /* silently discarded outside Opened */
    p->echo_in++;
    put32(rep, p->ask_magic ? p->cfg.magic : 0);
    memcpy(rep + 4, d + 4, len - 4);
    send_packet(p, PPP_LCP, ECHO_REP, id, rep, len);
    return 1;
  }
  return code == ECHO_REP || code == DISCARD_REQ || code == PROTO_REJ;
}

static const struct ppp_fsm_ops lcp_ops = {
  lcp_request, lcp_check, lcp_acked, lcp_naked, lcp_rejected, lcp_up, lcp_down, lcp_finished,
  lcp_extra, fsm_send,
};

/* ---- IPCP ---- */

static size_t ipcp_request(struct ppp_fsm *f, uint8_t *out, size_t room)
{
  struct ppp *p = of_fsm(f);
  uint8_t v[4];
  (void)room;
  if (!p->ask_ip)
    return 0;
  put32(v, p->cfg.local_ip);
  return add_option(out, 0, IPCP_ADDRESS, v, 4);
}

/* The host's IPCP request: its address and DNS servers as we assign them (naked until it asks
 * for exactly those); compression and the rest rejected. */
static int ipcp_check(struct ppp_fsm *f, const uint8_t *opts, size_t len, uint8_t *out,
                      size_t *olen)
{
  struct ppp *p = of_fsm(f);
  uint8_t rej[PPP_OPTS_MAX], nak[PPP_OPTS_MAX], type;
  size_t at = 0, nr = 0, nn = 0, vlen;
  const uint8_t *val;
  while (at < len) {
    size_t start = at;
    uint32_t want;
    if (next_option(opts, len, &at, &type, &val, &vlen) != 0) {
      memcpy(out, opts + start, len - start);
      *olen = len - start;
      return CONF_REJ;
    }
    want = type == IPCP_ADDRESS ? p->cfg.peer_ip : type == IPCP_DNS1 ? p->cfg.dns1
                                                 : type == IPCP_DNS2 ? p->cfg.dns2 : 0;
    if ((type == IPCP_ADDRESS || type == IPCP_DNS1 || type == IPCP_DNS2) && vlen == 4) {
      if (get32(val) != want) {
        uint8_t v[4];
        put32(v, want);
        nn = add_option(nak, nn, type, v, 4);
      }
    } else {
      memcpy(rej + nr, opts + start, at - start);
      nr += at - start;
    }
  }
  if (nr || nn)
    return verdict(rej, nr, nak, nn, out, olen);
  return CONF_ACK;
}

static void ipcp_naked(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
  (void)f; /* the host wants our address otherwise: we keep ours, it will ack or reject it */
  (void)opts;
  (void)len;
}

static void ipcp_rejected(struct ppp_fsm *f, const uint8_t *opts, size_t len)
{
  (void)opts;
  (void)len;
  of_fsm(f)->ask_ip = 0;
}

static void ipcp_up(struct ppp_fsm *f)
{
  struct ppp *p = of_fsm(f);
  log_info("ppp: IPCP open: host %u.%u.%u.%u, DNS %u.%u.%u.%u", p->cfg.peer_ip >> 24,
           p->cfg.peer_ip >> 16 & 255, p->cfg.peer_ip >> 8 & 255, p->cfg.peer_ip & 255,
           p->cfg.dns1 >> 24, p->cfg.dns1 >> 16 & 255, p->cfg.dns1 >> 8 & 255, p->cfg.dns1 & 255);
  if (p->ops->ip_up)
    p->ops->ip_up(p->ctx);
}

static const struct ppp_fsm_ops ipcp_ops = {
  ipcp_request, ipcp_check, lcp_acked, ipcp_naked, ipcp_rejected, ipcp_up, NULL, NULL, NULL,
  fsm_send,
};

/* ---- authentication (we are the authenticator) ---- */

static int credentials_ok(const struct ppp *p, const uint8_t *user, size_t ulen)
{
  return !p->cfg.user[0] || (strlen(p->cfg.user) == ulen && !memcmp(p->cfg.user, user, ulen));
}

static void auth_done(struct ppp *p, int ok, uint16_t proto, uint8_t id)
{
  static const char ok_msg[] = "Welcome", no_msg[] = "Authentication failed";
  uint8_t m[32];
  const char *msg = ok ? ok_msg : no_msg;
  size_t n = strlen(msg);
  if (proto == PPP_PAP) { /* PAP's message has a length octet */
    m[0] = (uint8_t)n;
    memcpy(m + 1, msg, n);
    send_packet(p, PPP_PAP, ok ? 2 : 3, id, m, n + 1);
  } else {
    send_packet(p, PPP_CHAP, ok ? 3 : 4, id, (const uint8_t *)msg, n);
  }
  if (ok) {
    if (!p->authed) {
      p->authed = 1;
      network_phase(p);
    }
  } else {
    snprintf(p->end_reason, sizeof(p->end_reason), "authentication failed");
    ppp_fsm_close(&p->lcp);
  }
}

static void on_pap(struct ppp *p, const uint8_t *d, size_t len)
{
  size_t ulen, plen;
  if (len < 6 || d[0] != 1 || p->want_auth != PPP_PAP)
    return;
  ulen = d[4];
  if (5 + ulen >= len)
    return;
  plen = d[5 + ulen];
  if (6 + ulen + plen > len)
    return;
  auth_done(p, credentials_ok(p, d + 5, ulen) &&
                   (!p->cfg.user[0] || (strlen(p->cfg.password) == plen &&
                                        !memcmp(p->cfg.password, d + 6 + ulen, plen))),
            PPP_PAP, d[1]);
}

/* CHAP Response: MD5(id, secret, challenge) when credentials are set, else any. */
static void on_chap(struct ppp *p, const uint8_t *d, size_t len)
{
  size_t vlen;
  int ok;
  if (len < 5 || d[0] != 2 || p->want_auth != PPP_CHAP || d[1] != p->chap_id)
    return;
  vlen = d[4];
  if (5 + vlen > len)
    return;
  ok = credentials_ok(p, d + 5 + vlen, len - 5 - vlen);
  if (ok && p->cfg.user[0]) {
    uint8_t in[1 + 128 + 16], md[16];
    size_t sl = strlen(p->cfg.password);
    in[0] = p->chap_id;
    memcpy(in + 1, p->cfg.password, sl);
    memcpy(in + 1 + sl, p->challenge, 16);
    ok = mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_MD5), in, 1 + sl + 16, md) == 0 &&
         vlen == 16 && !memcmp(md, d + 5, 16);
  }
  auth_done(p, ok, PPP_CHAP, d[1]);
}

/* ---- packets in ---- */

static void on_packet(void *ctx, const struct ppp_packet *pk)
{
  struct ppp *p = ctx;
  switch (pk->protocol) {
  case PPP_LCP:
    ppp_fsm_input(&p->lcp, pk->data, pk->len);
    return;
  case PPP_PAP:
    if (p->phase == PPP_AUTHENTICATE || p->authed)
      on_pap(p, pk->data, pk->len);
    return;
  case PPP_CHAP:
    if (p->phase == PPP_AUTHENTICATE || p->authed)
      on_chap(p, pk->data, pk->len);
    return;
  case PPP_IPCP:
    if (p->phase == PPP_NETWORK)
      ppp_fsm_input(&p->ipcp, pk->data, pk->len);
    return;
  case PPP_IP:
    if (p->ipcp.state == PPP_OPENED && p->ops->ip_packet) {
      p->ip_in++;
      p->ops->ip_packet(p->ctx, pk->data, pk->len);
    }
    return;
  default: /* IPv6CP, CCP, ...: Protocol-Reject (RFC 1661 5.7), only while LCP is open */
    if (p->lcp.state == PPP_OPENED) {
      uint8_t rej[PPP_MRU_MAX];
      size_t n = pk->len + 2 < sizeof(rej) ? pk->len + 2 : sizeof(rej);
      rej[0] = (uint8_t)(pk->protocol >> 8);
      rej[1] = (uint8_t)pk->protocol;
      memcpy(rej + 2, pk->data, n - 2);
      send_packet(p, PPP_LCP, PROTO_REJ, ++p->lcp.id, rej, n);
    }
    return;
  }
}

void ppp_init(struct ppp *p, uv_loop_t *loop, const struct ppp_config *cfg,
              const struct ppp_ops *ops, void *ctx)
{
  memset(p, 0, sizeof(*p));
  p->cfg = *cfg;
  p->ops = ops;
  p->ctx = ctx;
  p->tx_accm = 0xFFFFFFFF;
  p->peer_mru = PPP_MRU_MAX;
  p->want_auth = PPP_CHAP;
  p->ask_accm = p->ask_magic = p->ask_pfc = p->ask_acfc = 1;
  p->ask_ip = 1;
  ppp_hdlc_rx_init(&p->rx);
  ppp_fsm_init(&p->lcp, loop, "LCP", &lcp_ops, p);
  ppp_fsm_init(&p->ipcp, loop, "IPCP", &ipcp_ops, p);
  p->handles = 2;
}

void ppp_start(struct ppp *p)
{
  p->phase = PPP_ESTABLISH;
  ppp_fsm_up(&p->lcp);
  ppp_fsm_open(&p->lcp);
}

void ppp_input(struct ppp *p, const uint8_t *data, size_t len)
{
  ppp_hdlc_input(&p->rx, data, len, on_packet, p);
}

void ppp_send_ip(struct ppp *p, const uint8_t *pkt, size_t len)
{
  uint8_t frame[2 * (PPP_MRU_MAX + 16) + 2];
  size_t n;
  if (p->ipcp.state != PPP_OPENED || len > p->peer_mru)
    return;
  n = ppp_hdlc_encode(frame, PPP_IP, pkt, len, p->tx_accm, p->tx_acfc, p->tx_pfc);
  p->ip_out++;
  p->ops->write(p->ctx, frame, n);
}

void ppp_close(struct ppp *p)
{
  if (!p->end_reason[0])
    snprintf(p->end_reason, sizeof(p->end_reason), "closed by the module");
  if (p->lcp.state == PPP_OPENED || p->lcp.state == PPP_REQ_SENT ||
      p->lcp.state == PPP_ACK_RCVD || p->lcp.state == PPP_ACK_SENT)
    ppp_fsm_close(&p->lcp);
  else
    lcp_finished(&p->lcp);
}

static void timer_closed(uv_handle_t *h)
{
  struct ppp_fsm *f = h->data;
  struct ppp *p = f->ctx;
  if (--p->handles == 0 && p->freed)
    p->freed(p);
}

void ppp_free(struct ppp *p, void (*freed)(struct ppp *p))
{
  p->freed = freed;
  p->phase = PPP_DEAD;
  ppp_fsm_close_timer(&p->lcp, timer_closed);
  ppp_fsm_close_timer(&p->ipcp, timer_closed);
}
