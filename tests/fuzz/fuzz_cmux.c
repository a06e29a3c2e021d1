/* fuzz_cmux: the 27.010 multiplexer's receive side on any bytes from the host: frames of any
 * shape, lengths, FCS, control messages on DLCI 0. Every frame it sends back must be well
 * formed (flag, address with EA, a length that fits, a right FCS, flag), and it must keep its
 * counts and DLC states in range. */
#include <string.h>

#include "cmux.h"
#include "fuzz.h"

static struct cmux mux;

/* Checks one frame the multiplexer wrote. */
static void wrote(void *ctx, const char *data, size_t len)
{
  const uint8_t *f = (const uint8_t *)data;
  size_t hl, il;
  (void)ctx;
  if (len < 6 || f[0] != CMUX_FLAG || f[len - 1] != CMUX_FLAG || !(f[1] & 1))
    __builtin_trap();
  hl = f[3] & 1 ? 3 : 4;
  il = f[3] >> 1 | (hl == 4 ? (size_t)f[4] << 7 : 0);
  if (1 + hl + il + 2 != len || il > (size_t)mux.par.n1 + 64)
    __builtin_trap();
  if (cmux_fcs(f + 1, (f[2] & ~0x10) == 0xEF ? hl : hl + il) != f[len - 2])
    __builtin_trap();
}

static void opened(void *ctx, int dlci)
{
  (void)ctx;
  if (dlci < 1 || dlci > CMUX_DLCS)
    __builtin_trap();
}

static size_t data(void *ctx, int dlci, const char *d, size_t len)
{
  (void)ctx;
  (void)d;
  if (dlci < 1 || dlci > CMUX_DLCS || !mux.dlc[dlci].open || len > CMUX_N1_MAX)
    __builtin_trap();
  cmux_send(&mux, dlci, "\r\nOK\r\n", 6); /* an answer, as a channel would give */
  return len / 2;
}

static void nothing(void *ctx, int dlci)
{
  (void)ctx;
  (void)dlci;
}

static void ended(void *ctx)
{
  (void)ctx;
}

static const struct cmux_ops ops = { wrote, opened, nothing, data, nothing, ended };

void fuzz_init(void)
{
}

void fuzz_one(const uint8_t *in, size_t len)
{
  struct cmux_params p;
  cmux_params_default(&p);
  if (len > 0)
    p.n1 = 1 + in[0] % 200; /* small frame sizes too */
  cmux_init(&mux, &p, &ops, NULL);
  for (size_t at = 1; at < len;) { /* in pieces, as reads come */
    size_t n = 1 + (in[at] & 31);
    if (n > len - at)
      n = len - at;
    at += cmux_input(&mux, (const char *)in + at, n);
    if (mux.ended)
      break;
  }
  if (mux.frames_in > len || mux.bad_fcs > len)
    __builtin_trap();
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  uint8_t s[256];
  size_t n = 0;
  s[n++] = 127;
  n += cmux_frame(s + n, 0, 1, 0x3F, NULL, 0);                      /* SABM 0 */
  n += cmux_frame(s + n, 1, 1, 0x3F, NULL, 0);                      /* SABM 1 */
  n += cmux_frame(s + n, 1, 1, 0xEF, (const uint8_t *)"AT\r", 3);   /* UIH 1 */
  n += cmux_frame(s + n, 0, 1, 0xEF, (const uint8_t *)"\xe3\x05\x07\x0f", 4);  /* MSC */
  n += cmux_frame(s + n, 0, 1, 0xEF, (const uint8_t *)"\x83\x11\x01\x00\x00\x0a\xe8\x03\x03\x02",
                  10);                                              /* PN */
  n += cmux_frame(s + n, 0, 1, 0xEF, (const uint8_t *)"\x63\x01", 2);  /* FCoff */
  emit(s, n);
  n += cmux_frame(s + n, 0, 1, 0xEF, (const uint8_t *)"\xc3\x01", 2);  /* CLD */
  emit(s, n);
}
