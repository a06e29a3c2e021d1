/* cmux: 27.010 basic option on the module's side (see cmux.h): the receive state machine, the
 * frame types, DLCI 0's control messages and the DLCs' flow control. */
#include "cmux.h"

#include <string.h>

#include "log.h"

/* Frame types (the control octet without the P/F bit). */
enum { SABM = 0x2F, UA = 0x63, DM = 0x0F, DISC = 0x43, UIH = 0xEF, UI = 0x03, PF = 0x10 };

/* Control message types on DLCI 0 (the type octet's bits 3-8: without EA and C/R). */
enum { MSG_PN = 0x80, MSG_PSC = 0x40, MSG_CLD = 0xC0, MSG_TEST = 0x20, MSG_FCON = 0xA0,
       MSG_FCOFF = 0x60, MSG_MSC = 0xE0, MSG_NSC = 0x10, MSG_RPN = 0x90, MSG_RLS = 0x50,
       MSG_SNC = 0xD0 };

#define EA 0x01
#define CR 0x02
#define MSC_FC 0x02                  /* V.24 octet: flow control (1: cannot take frames) */

void cmux_params_default(struct cmux_params *p)
{
  p->mode = 0;
  p->subset = 0;
  p->port_speed = 5;
  p->n1 = 127;
  p->t1 = 10;
  p->n2 = 3;
  p->t2 = 30;
  p->t3 = 10;
  p->k = 2;
}

void cmux_init(struct cmux *c, const struct cmux_params *par, const struct cmux_ops *ops,
               void *ctx)
{
  memset(c, 0, sizeof(*c));
  c->par = *par;
  c->ops = ops;
  c->ctx = ctx;
  c->rx = RX_FLAG;
}

uint8_t cmux_fcs(const uint8_t *data, size_t len)
{
  uint8_t crc = 0xFF;
  for (size_t i = 0; i < len; i++) { /* CRC-8, x^8 + x^2 + x + 1, reflected (27.010 annex B) */
    crc ^= data[i];
    for (int b = 0; b < 8; b++)
      crc = (uint8_t)(crc & 1 ? (crc >> 1) ^ 0xE0 : crc >> 1);
  }
  return (uint8_t)(0xFF - crc);
}

size_t cmux_frame(uint8_t *out, int dlci, int cr, uint8_t control, const uint8_t *info,
                  size_t len)
{
  size_t n = 0, head;
  out[n++] = CMUX_FLAG;
  out[n++] = (uint8_t)(dlci << 2 | (cr ? CR : 0) | EA);
  out[n++] = control;
  if (len <= 127) {
    out[n++] = (uint8_t)(len << 1 | EA);
  } else {
    out[n++] = (uint8_t)(len << 1);
    out[n++] = (uint8_t)(len >> 7);
  }
  head = n;
  if (len)
    memcpy(out + n, info, len);
  n += len;
  /* UIH: the FCS covers address, control and length; the other frames their info too */
  out[n] = cmux_fcs(out + 1, (control & ~PF) == UIH ? head - 1 : n - 1);
  n++;
  out[n++] = CMUX_FLAG;
  return n;
}

/* The module answers as the responder: responses (UA, DM) with C/R 1, its own frames (UIH)
 * with C/R 0 (27.010 5.2.1.2). */
static void send_frame(struct cmux *c, int dlci, int cr, uint8_t control, const uint8_t *info,
                       size_t len)
{
  uint8_t buf[CMUX_N1_MAX + 8];
  size_t n = cmux_frame(buf, dlci, cr, control, info, len);
  c->frames_out++;
  c->ops->write(c->ctx, (const char *)buf, n);
}

/* A control message on DLCI 0: type (with C/R as given), its values. */
static void send_message(struct cmux *c, uint8_t type, int command, const uint8_t *values,
                         size_t len)
{
  uint8_t msg[64];
  size_t n = 0;
  if (len > sizeof(msg) - 2)
    len = sizeof(msg) - 2;
  msg[n++] = (uint8_t)(type | (command ? CR : 0) | EA);
  msg[n++] = (uint8_t)(len << 1 | EA);
  if (len)
    memcpy(msg + n, values, len);
  send_frame(c, 0, 0, UIH, msg, n + len);
}

int cmux_can_send(const struct cmux *c, int dlci)
{
  return dlci >= 1 && dlci <= CMUX_DLCS && c->started && c->dlc[dlci].open && !c->fcoff &&
         !c->dlc[dlci].stopped;
}

size_t cmux_send(struct cmux *c, int dlci, const char *data, size_t len)
{
  size_t sent = 0, n1 = (size_t)c->par.n1;
  if (!cmux_can_send(c, dlci))
    return 0;
  while (sent < len) {
    size_t n = len - sent < n1 ? len - sent : n1;
    send_frame(c, dlci, 0, UIH, (const uint8_t *)data + sent, n);
    sent += n;
  }
  return sent;
}

/* ---- what the host sends ---- */

static void all_closed(struct cmux *c)
{
  for (int d = 1; d <= CMUX_DLCS; d++)
    if (c->dlc[d].open) {
      c->dlc[d].open = 0;
      c->ops->closed(c->ctx, d);
    }
  c->started = 0;
}

/* DLCI 0's message: its type, whether it is a command, its values. */
static void on_message(struct cmux *c, uint8_t type, int command, const uint8_t *v, size_t len)
{
  if (!command) /* a response to something we sent: we send no commands that need one */
    return;
  switch (type) {
  case MSG_CLD: /* close down: back to AT on the carrying port */
    send_message(c, MSG_CLD, 0, NULL, 0);
    all_closed(c);
    c->ended = 1;
    c->ops->ended(c->ctx);
    return;
  case MSG_TEST:
    send_message(c, MSG_TEST, 0, v, len);
    return;
  case MSG_FCON:
  case MSG_FCOFF:
    c->fcoff = type == MSG_FCOFF;
    send_message(c, type, 0, NULL, 0);
    if (!c->fcoff)
      for (int d = 1; d <= CMUX_DLCS; d++)
        if (cmux_can_send(c, d))
          c->ops->ready(c->ctx, d);
    return;
  case MSG_MSC:
    if (len >= 2) {
      int d = v[0] >> 2;
      send_message(c, MSG_MSC, 0, v, len);
      if (d >= 1 && d <= CMUX_DLCS) {
        int was = c->dlc[d].stopped;
        c->dlc[d].v24 = v[1];
        c->dlc[d].stopped = (v[1] & MSC_FC) != 0;
        if (was && !c->dlc[d].stopped && cmux_can_send(c, d))
          c->ops->ready(c->ctx, d);
      }
    }
    return;
  case MSG_PN: /* parameter negotiation: the DLC's values accepted as asked (frame size
                  capped at ours) */
    if (len >= 8) {
      uint8_t r[8];
      int n1 = v[4] | v[5] << 8;
      memcpy(r, v, 8);
      if (n1 > c->par.n1) {
        r[4] = (uint8_t)c->par.n1;
        r[5] = (uint8_t)(c->par.n1 >> 8);
      }
      send_message(c, MSG_PN, 0, r, 8);
    }
    return;
  case MSG_PSC: case MSG_RPN: case MSG_RLS: case MSG_SNC:
    send_message(c, type, 0, v, len); /* accepted as given */
    return;
  default: {
    uint8_t t = (uint8_t)(type | CR | EA);
    send_message(c, MSG_NSC, 0, &t, 1); /* not supported: the type it was */
  }
  }
}

/* DLCI 0's UIH info: control messages, one after another. */
static void on_control(struct cmux *c, const uint8_t *p, size_t len)
{
  size_t at = 0;
  while (at + 2 <= len) {
    uint8_t type = p[at] & 0xFC;
    int command = (p[at] & CR) != 0;
    size_t l = p[at + 1] >> 1, hl = 2;
    if (!(p[at + 1] & EA)) { /* a two-octet length */
      if (at + 3 > len)
        return;
      l |= (size_t)p[at + 2] << 7;
      hl = 3;
    }
    if (at + hl + l > len)
      return; /* cut short: ignored */
    on_message(c, type, command, p + at + hl, l);
    at += hl + l;
  }
}

static void on_frame(struct cmux *c)
{
  int dlci = c->addr >> 2, pf = (c->ctrl & PF) != 0;
  uint8_t type = (uint8_t)(c->ctrl & ~PF);
  c->frames_in++;
  switch (type) {
  case SABM:
    if (dlci == 0) {
      c->started = 1;
      send_frame(c, 0, 1, UA | PF, NULL, 0);
    } else if (c->started && dlci <= CMUX_DLCS) {
      int was = c->dlc[dlci].open;
      c->dlc[dlci].open = 1;
      c->dlc[dlci].stopped = 0;
      send_frame(c, dlci, 1, UA | PF, NULL, 0);
      if (!was)
        c->ops->opened(c->ctx, dlci);
    } else {
      send_frame(c, dlci, 1, DM | PF, NULL, 0);
    }
    return;
  case DISC:
    if (dlci == 0 && c->started) {
      send_frame(c, 0, 1, UA | PF, NULL, 0);
      all_closed(c);
      c->ended = 1;
      c->ops->ended(c->ctx);
    } else if (dlci >= 1 && dlci <= CMUX_DLCS && c->dlc[dlci].open) {
      c->dlc[dlci].open = 0;
      send_frame(c, dlci, 1, UA | PF, NULL, 0);
      c->ops->closed(c->ctx, dlci);
    } else {
      send_frame(c, dlci, 1, DM | PF, NULL, 0);
    }
    return;
  case UIH:
  case UI:
    if (dlci == 0 && c->started) {
      on_control(c, c->info, c->len);
    } else if (dlci >= 1 && dlci <= CMUX_DLCS && c->dlc[dlci].open) {
      size_t took = c->len ? c->ops->data(c->ctx, dlci, (const char *)c->info, c->len) : 0;
      if (took < c->len)
        c->dropped_bytes += c->len - took;
    } else if (pf || dlci != 0) {
      send_frame(c, dlci, 1, DM | (pf ? PF : 0), NULL, 0); /* no such channel open */
    }
    return;
  default: /* UA and DM from the host, or something else: nothing to do */
    return;
  }
}

/* The frame's FCS byte has come: checked, then the closing flag is awaited. */
static int fcs_ok(const struct cmux *c, uint8_t fcs)
{
  uint8_t head[4 + CMUX_N1_MAX];
  size_t n = 0;
  head[n++] = c->addr;
  head[n++] = c->ctrl;
  if (c->len <= 127) {
    head[n++] = (uint8_t)(c->len << 1 | EA);
  } else {
    head[n++] = (uint8_t)(c->len << 1);
    head[n++] = (uint8_t)(c->len >> 7);
  }
  if ((c->ctrl & ~PF) != UIH) {
    memcpy(head + n, c->info, c->len);
    n += c->len;
  }
  return cmux_fcs(head, n) == fcs;
}

size_t cmux_input(struct cmux *c, const char *data, size_t len)
{
  for (size_t i = 0; i < len && !c->ended; i++) {
    uint8_t b = (uint8_t)data[i];
    switch (c->rx) {
    case RX_FLAG:
      if (b == CMUX_FLAG)
        c->rx = RX_ADDRESS;
      break;
    case RX_ADDRESS:
      if (b == CMUX_FLAG) /* flags between frames */
        break;
      if (!(b & EA)) { /* not an address: wait for the next flag */
        c->rx = RX_FLAG;
        break;
      }
      c->addr = b;
      c->rx = RX_CONTROL;
      break;
    case RX_CONTROL:
      c->ctrl = b;
      c->rx = RX_LENGTH;
      break;
    case RX_LENGTH:
      c->len = b >> 1;
      c->got = 0;
      c->rx = b & EA ? (c->len ? RX_INFO : RX_FCS) : RX_LENGTH2;
      break;
    case RX_LENGTH2:
      c->len |= (size_t)b << 7;
      c->rx = c->len ? RX_INFO : RX_FCS;
      break;
    case RX_INFO:
      if (c->len > (size_t)c->par.n1 || c->len > sizeof(c->info)) { /* over N1: dropped */
        c->too_long++;
        c->rx = RX_FLAG;
        break;
      }
      c->info[c->got++] = b;
      if (c->got == c->len)
        c->rx = RX_FCS;
      break;
    case RX_FCS:
      if (!fcs_ok(c, b)) {
        c->bad_fcs++;
        log_info("cmux: a frame for DLCI %d with a bad FCS dropped", c->addr >> 2);
        c->rx = RX_FLAG;
        break;
      }
      c->rx = RX_CLOSE;
      break;
    case RX_CLOSE:
      if (b != CMUX_FLAG) { /* no closing flag: not a frame */
        c->rx = RX_FLAG;
        break;
      }
      c->rx = RX_ADDRESS; /* the closing flag may open the next frame */
      on_frame(c);
      if (c->ended)
        return i + 1; /* the rest is plain AT again */
      break;
    }
  }
  return len;
}
