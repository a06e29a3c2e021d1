/* ppp: the module's side of a PPP data call (RFC 1661, 1662, 1334, 1994, 1332, 1877) over
 * one port: HDLC framing (ppp_hdlc), LCP (MRU, ACCM, magic number, PFC, ACFC, echo,
 * terminate; it asks for CHAP-MD5 and takes PAP instead when the host prefers it), the host's
 * authentication, IPCP (the host's address and two DNS servers), and IP packets both ways.
 * Bytes and packets go through struct ppp_ops: no port, no socket here. */
#ifndef FOTASIM_PPP_H
#define FOTASIM_PPP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "ppp_fsm.h"
#include "ppp_hdlc.h"

#define PPP_LCP 0xC021
#define PPP_PAP 0xC023
#define PPP_CHAP 0xC223
#define PPP_IPCP 0x8021
#define PPP_IP 0x0021

enum ppp_phase { PPP_DEAD, PPP_ESTABLISH, PPP_AUTHENTICATE, PPP_NETWORK, PPP_TERMINATE };

struct ppp_config {
  uint32_t local_ip, peer_ip, dns1, dns2;   /* host byte order */
  char user[128], password[128];            /* "" : any credentials (or none) are accepted */
  uint32_t magic;
};

struct ppp_ops {
  void (*write)(void *ctx, const uint8_t *data, size_t len);        /* frames to the host */
  void (*ip_up)(void *ctx);                                         /* IPCP opened */
  void (*ip_packet)(void *ctx, const uint8_t *pkt, size_t len);     /* the host's IP packet */
  void (*ended)(void *ctx, const char *why);                        /* the link is done */
};

struct ppp {
  struct ppp_config cfg;
  const struct ppp_ops *ops;
  void *ctx;
  enum ppp_phase phase;
  struct ppp_hdlc_rx rx;
  struct ppp_fsm lcp, ipcp;
  /* what the host accepted of our LCP request, and asked of us */
  int want_auth;                 /* 0 none, PPP_PAP or PPP_CHAP */
  int ask_accm, ask_magic, ask_pfc, ask_acfc;
  uint32_t tx_accm;              /* the host's ACCM: what we escape */
  int tx_pfc, tx_acfc;
  uint16_t peer_mru;
  /* authentication */
  uint8_t chap_id, challenge[16];
  int authed;
  /* IPCP: what we ask the host to take */
  int ask_ip;
  int handles;                   /* timers still open; the struct may go at 0 */
  void (*freed)(struct ppp *p);
  unsigned long ip_in, ip_out, echo_in;
  char end_reason[64];
};

void ppp_init(struct ppp *p, uv_loop_t *loop, const struct ppp_config *cfg,
              const struct ppp_ops *ops, void *ctx);
/* The link is up: our LCP Configure-Request goes. */
void ppp_start(struct ppp *p);
/* The host's bytes. */
void ppp_input(struct ppp *p, const uint8_t *data, size_t len);
/* An IP packet for the host (dropped unless IPCP is open). */
void ppp_send_ip(struct ppp *p, const uint8_t *pkt, size_t len);
/* ATH or the network: LCP Terminate-Request, then ended. */
void ppp_close(struct ppp *p);
/* Releases the timers; freed(p) is called once they are closed (then p may be freed). */
void ppp_free(struct ppp *p, void (*freed)(struct ppp *p));

#endif
