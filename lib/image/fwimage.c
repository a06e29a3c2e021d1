/* fwimage: checks, builds and synthesizes firmware images (format in include/fotasim/fwimage.h). */
#include "fotasim/fwimage.h"

#include <mbedtls/version.h>
#include <mbedtls/sha256.h>
#include <stdlib.h>
#include <string.h>

void fw_put_u32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

uint32_t fw_get_u32(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
  struct fw_sha256 h;
  fw_sha256_start(&h);
  fw_sha256_update(&h, data, len);
  fw_sha256_finish(&h, out);
}

/* mbedTLS 2.x names these *_ret; 3.x drops the suffix. */
void fw_sha256_start(struct fw_sha256 *h)
{
  mbedtls_sha256_init(&h->ctx);
#if MBEDTLS_VERSION_MAJOR >= 3
  mbedtls_sha256_starts(&h->ctx, 0);
#else
  mbedtls_sha256_starts_ret(&h->ctx, 0);
#endif
}

void fw_sha256_update(struct fw_sha256 *h, const uint8_t *data, size_t len)
{
#if MBEDTLS_VERSION_MAJOR >= 3
  mbedtls_sha256_update(&h->ctx, data, len);
#else
  mbedtls_sha256_update_ret(&h->ctx, data, len);
#endif
}

void fw_sha256_finish(struct fw_sha256 *h, uint8_t out[32])
{
#if MBEDTLS_VERSION_MAJOR >= 3
  mbedtls_sha256_finish(&h->ctx, out);
#else
  mbedtls_sha256_finish_ret(&h->ctx, out);
#endif
  mbedtls_sha256_free(&h->ctx);
}

const char *fw_status_text(enum fw_status st)
{
  switch (st) {
  case FW_OK: return "valid";
  case FW_BAD_MAGIC: return "no firmware image (bad magic)";
  case FW_BAD_HEADER: return "corrupt image header";
  case FW_BAD_SIZE: return "image size out of range";
  case FW_BAD_HASH: return "image body fails its SHA-256";
  }
  return "?";
}

enum fw_status fw_header_parse(const uint8_t *hdr, size_t room, struct fw_info *info)
{
  uint8_t digest[32];
  uint32_t body_size;
  const char *rev = (const char *)hdr + 16;
  size_t rlen;

  if (memcmp(hdr, FW_MAGIC, 8) != 0)
    return FW_BAD_MAGIC;
  sha256(hdr, 96, digest);
  if (fw_get_u32(hdr + 8) != FW_HEADER_SIZE || memcmp(digest, hdr + 96, 32) != 0)
    return FW_BAD_HEADER;
  rlen = strnlen(rev, FW_REVISION_MAX + 1);
  if (rlen == 0 || rlen > FW_REVISION_MAX)
    return FW_BAD_HEADER;
  for (size_t i = 0; i < rlen; i++)
    if (rev[i] < 0x21 || rev[i] > 0x7e)
      return FW_BAD_HEADER;
  body_size = fw_get_u32(hdr + 12);
  if (body_size == 0 || body_size > room)
    return FW_BAD_SIZE;
  info->body_size = body_size;
  memcpy(info->revision, rev, rlen);
  info->revision[rlen] = '\0';
  memcpy(info->body_sha256, hdr + 64, 32);
  return FW_OK;
}

enum fw_status fw_image_check(const uint8_t *image, size_t len, struct fw_info *info)
{
  uint8_t digest[32];
  struct fw_info local;
  enum fw_status st;

  if (!info)
    info = &local;
  if (len < FW_HEADER_SIZE)
    return FW_BAD_MAGIC;
  st = fw_header_parse(image, len - FW_HEADER_SIZE, info);
  if (st != FW_OK)
    return st;
  sha256(image + FW_HEADER_SIZE, info->body_size, digest);
  return memcmp(digest, info->body_sha256, 32) == 0 ? FW_OK : FW_BAD_HASH;
}

void fw_image_header(uint8_t *hdr, const char *revision, const uint8_t *body, uint32_t body_size)
{
  memset(hdr, 0, FW_HEADER_SIZE);
  memcpy(hdr, FW_MAGIC, 8);
  fw_put_u32(hdr + 8, FW_HEADER_SIZE);
  fw_put_u32(hdr + 12, body_size);
  strncpy((char *)hdr + 16, revision, FW_REVISION_MAX);
  sha256(body, body_size, hdr + 64);
  sha256(hdr, 96, hdr + 96);
}

/* xorshift64*: small, fast, deterministic. */
static uint64_t next_rand(uint64_t *s)
{
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* Code-like bytes: 32-bit words built from a small set of opcode patterns, register fields and
 * skewed immediates, with runs of literal tables and padding, so that zstd compresses it about
 * in the range real firmware does (about 3.5:1 at level 19). */
static void synth_body(uint8_t *body, uint32_t size, uint64_t seed)
{
  static const uint32_t opcodes[16] = {
    0xE5900000, 0xE5800000, 0xE1A00000, 0xE2800000, 0xEB000000, 0xE3500000, 0x0A000000,
    0xE8BD8000, 0xE92D4000, 0xE0800000, 0xE2400000, 0x1A000000, 0xE12FFF1E, 0xE3A00000,
    0xE5D00000, 0xE1500000,
  };
  uint64_t s = seed ? seed : 0x9E3779B97F4A7C15ULL;
  uint32_t i = 0;
  while (i + 4 <= size) {
    uint64_t r = next_rand(&s);
    uint32_t word;
    if ((r & 0xFF) < 8) { /* a run of padding or a literal table */
      uint32_t run = 16 + (uint32_t)((r >> 8) & 0xFF);
      uint32_t fill = (r & 0x100) ? 0xFFFFFFFFu : (uint32_t)(r >> 32);
      while (run-- && i + 4 <= size) {
        memcpy(body + i, &fill, 4);
        i += 4;
        if (!(r & 0x100))
          fill += 4;
      }
      continue;
    }
    word = opcodes[(r >> 8) & 15] | (uint32_t)((r >> 12) & 0xF) << 16 |
           (uint32_t)((r >> 16) & 0xF) << 12;
    if ((r >> 20) & 1)
      word |= (uint32_t)((r >> 24) & ((r >> 40) & 1 ? 0xFFF : 0x3F));
    body[i] = (uint8_t)word;
    body[i + 1] = (uint8_t)(word >> 8);
    body[i + 2] = (uint8_t)(word >> 16);
    body[i + 3] = (uint8_t)(word >> 24);
    i += 4;
  }
  while (i < size)
    body[i++] = 0xFF;
}

uint8_t *fw_image_synthesize(const char *revision, uint32_t body_size, uint64_t seed)
{
  uint8_t *img = malloc((size_t)FW_HEADER_SIZE + body_size);
  uint64_t h = seed ^ 0xCBF29CE484222325ULL;
  if (!img)
    return NULL;
  for (const char *p = revision; *p; p++) /* the revision feeds the seed: new rev, new body */
    h = (h ^ (uint8_t)*p) * 0x100000001B3ULL;
  synth_body(img + FW_HEADER_SIZE, body_size, h);
  fw_image_header(img, revision, img + FW_HEADER_SIZE, body_size);
  return img;
}

uint8_t *fw_image_mutate(const uint8_t *old, size_t old_len, const char *revision, unsigned permille,
                         uint64_t seed, size_t *new_len)
{
  struct fw_info info;
  uint8_t *img;
  uint32_t body_size, grow;
  uint64_t s = seed ? seed : 0x51ED270B27A1ULL;
  size_t budget;

  if (fw_image_check(old, old_len, &info) != FW_OK)
    return NULL;
  grow = (uint32_t)(next_rand(&s) % 8192) & ~3u; /* a new version is usually a little larger */
  body_size = info.body_size + grow;
  img = malloc((size_t)FW_HEADER_SIZE + body_size);
  if (!img)
    return NULL;
  memcpy(img + FW_HEADER_SIZE, old + FW_HEADER_SIZE, info.body_size);
  synth_body(img + FW_HEADER_SIZE + info.body_size, grow, next_rand(&s));
  /* Rewrite clustered runs ("changed functions") until permille/1000 of the body differs. */
  budget = (size_t)body_size * permille / 1000;
  while (budget > 0) {
    uint32_t run = 64 + (uint32_t)(next_rand(&s) % 1024);
    uint32_t at = (uint32_t)(next_rand(&s) % body_size) & ~3u;
    if (run > budget)
      run = (uint32_t)budget;
    if (at + run > body_size)
      run = body_size - at;
    synth_body(img + FW_HEADER_SIZE + at, run, next_rand(&s));
    budget -= run;
  }
  fw_image_header(img, revision, img + FW_HEADER_SIZE, body_size);
  *new_len = FW_HEADER_SIZE + body_size;
  return img;
}

uint8_t *fw_default_image(int model, const char *revision, size_t *len)
{
  const char *rev = model == 1 ? FW_DEFAULT_REVISION_EG915U : FW_DEFAULT_REVISION_EC200U;
  if (revision && revision[0])
    rev = revision;
  *len = FW_HEADER_SIZE + FW_DEFAULT_BODY_SIZE;
  return fw_image_synthesize(rev, FW_DEFAULT_BODY_SIZE, 1);
}
