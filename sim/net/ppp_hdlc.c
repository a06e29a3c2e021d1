/* ppp_hdlc: RFC 1662 async framing (see ppp_hdlc.h). */
#include "ppp_hdlc.h"

#include <string.h>

#define FLAG 0x7E
#define ESC 0x7D
#define FCS_GOOD 0xF0B8
#define PROTO_LCP 0xC021

uint16_t ppp_fcs16(uint16_t fcs, const uint8_t *p, size_t len)
{
  while (len--) { /* RFC 1662 C.2, bit by bit: x^16 + x^12 + x^5 + 1, reflected */
    fcs ^= *p++;
    for (int i = 0; i < 8; i++)
      fcs = (uint16_t)(fcs & 1 ? (fcs >> 1) ^ 0x8408 : fcs >> 1);
  }
  return fcs;
}

void ppp_hdlc_rx_init(struct ppp_hdlc_rx *rx)
{
  memset(rx, 0, sizeof(*rx));
}

/* A whole frame between flags: FCS, then address/control and protocol as sent. */
static void frame_end(struct ppp_hdlc_rx *rx, void (*fn)(void *, const struct ppp_packet *),
                      void *ctx)
{
  const uint8_t *p = rx->buf;
  size_t n = rx->len;
  struct ppp_packet pk;
  if (rx->overflow) {
    rx->too_long++;
    return;
  }
  if (n == 0)
    return; /* back-to-back flags */
  if (n < 4 || ppp_fcs16(0xFFFF, p, n) != FCS_GOOD) {
    rx->bad_fcs++;
    return;
  }
  n -= 2;
  if (n >= 2 && p[0] == 0xFF && p[1] == 0x03) { /* address and control, unless ACFC */
    p += 2;
    n -= 2;
  }
  if (n < 1)
    return;
  if (p[0] & 1) { /* a compressed (one-octet) protocol */
    pk.protocol = p[0];
    p += 1;
    n -= 1;
  } else {
    if (n < 2)
      return;
    pk.protocol = (uint16_t)(p[0] << 8 | p[1]);
    p += 2;
    n -= 2;
  }
  pk.data = p;
  pk.len = n;
  rx->frames++;
  fn(ctx, &pk);
}

void ppp_hdlc_input(struct ppp_hdlc_rx *rx, const uint8_t *data, size_t len,
                    void (*fn)(void *ctx, const struct ppp_packet *p), void *ctx)
{
  for (size_t i = 0; i < len; i++) {
    uint8_t b = data[i];
    if (b == FLAG) {
      if (!rx->escaped) /* an escape right before a flag aborts the frame (RFC 1662 4.4.1) */
        frame_end(rx, fn, ctx);
      rx->len = 0;
      rx->escaped = 0;
      rx->overflow = 0;
      continue;
    }
    if (b == ESC) {
      rx->escaped = 1;
      continue;
    }
    /* a control character sent raw is data: we ask the host for ACCM 0 (RFC 1662 7.1) */
    if (rx->escaped) {
      b ^= 0x20;
      rx->escaped = 0;
    }
    if (rx->len == sizeof(rx->buf)) {
      rx->overflow = 1;
      continue;
    }
    rx->buf[rx->len++] = b;
  }
}

static size_t put(uint8_t *out, size_t n, uint8_t b, uint32_t accm)
{
  if (b == FLAG || b == ESC || (b < 0x20 && (accm >> b) & 1)) {
    out[n++] = ESC;
    out[n++] = b ^ 0x20;
  } else {
    out[n++] = b;
  }
  return n;
}

size_t ppp_hdlc_encode(uint8_t *out, uint16_t protocol, const uint8_t *data, size_t len,
                       uint32_t accm, int acfc, int pfc)
{
  uint8_t head[4];
  size_t h = 0, n = 0;
  uint16_t fcs;
  if (protocol == PROTO_LCP) { /* LCP always in full, every control character escaped */
    accm = 0xFFFFFFFF;
    acfc = pfc = 0;
  }
  if (!acfc) {
    head[h++] = 0xFF;
    head[h++] = 0x03;
  }
  if (!pfc || protocol > 0xFF)
    head[h++] = (uint8_t)(protocol >> 8);
  head[h++] = (uint8_t)protocol;
  fcs = ppp_fcs16(ppp_fcs16(0xFFFF, head, h), data, len) ^ 0xFFFF;
  out[n++] = FLAG;
  for (size_t i = 0; i < h; i++)
    n = put(out, n, head[i], accm);
  for (size_t i = 0; i < len; i++)
    n = put(out, n, data[i], accm);
  n = put(out, n, (uint8_t)fcs, accm);
  n = put(out, n, (uint8_t)(fcs >> 8), accm);
  out[n++] = FLAG;
  return n;
}
