/* ppp_hdlc: PPP in HDLC-like framing over an async line (RFC 1662): 0x7E flags, 0x7D escapes
 * (the ACCM's control characters, 0x7D and 0x7E), FCS-16; address and control (FF 03, which
 * ACFC lets the host leave out) and the protocol field (one octet with PFC). Bytes in, whole
 * packets out; packets in, bytes out. No state beyond the frame being read. */
#ifndef FOTASIM_PPP_HDLC_H
#define FOTASIM_PPP_HDLC_H

#include <stddef.h>
#include <stdint.h>

#define PPP_MRU_MAX 1500
#define PPP_FRAME_MAX (PPP_MRU_MAX + 8)      /* protocol, info, FCS and slack */

struct ppp_hdlc_rx {
  uint8_t buf[PPP_FRAME_MAX];
  size_t len;
  int escaped;
  int overflow;                              /* this frame grew past the buffer: dropped */
  unsigned long bad_fcs, too_long, frames;
};

/* One packet: its protocol and information field (points into the decoder's buffer). */
struct ppp_packet {
  uint16_t protocol;
  const uint8_t *data;
  size_t len;
};

uint16_t ppp_fcs16(uint16_t fcs, const uint8_t *p, size_t len);

void ppp_hdlc_rx_init(struct ppp_hdlc_rx *rx);
/* Feeds bytes; each good frame calls fn(ctx, packet). Frames with a bad FCS, too short or too
 * long are dropped and counted. */
void ppp_hdlc_input(struct ppp_hdlc_rx *rx, const uint8_t *data, size_t len,
                    void (*fn)(void *ctx, const struct ppp_packet *p), void *ctx);

/* Encodes one packet into out (at least 2 * (len + 8) + 2 bytes): the frame's length. accm:
 * the control characters to escape (bit n for character n); acfc/pfc: leave out address and
 * control / compress the protocol (never done for LCP, RFC 1661 6.5-6.6). */
size_t ppp_hdlc_encode(uint8_t *out, uint16_t protocol, const uint8_t *data, size_t len,
                       uint32_t accm, int acfc, int pfc);

#endif
