/* package: builds, signs, parses and applies FOTA packages (format in
 * include/fotasim/package.h). Applying checks everything before it returns an image: header,
 * signature, payload hash, source image, target hash. */
#include "fotasim/package.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* Deltas reference the whole source image: windows up to 2^27 bytes (128 MB). */
#define PKG_WINDOW_LOG_MAX 27

#ifndef MBEDTLS_PRIVATE /* mbedTLS 3 hides struct members behind this; 2.x does not */
#define MBEDTLS_PRIVATE(member) member
#endif

static void put_u16(uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void sha256(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t out[32])
{
  struct fw_sha256 h;
  fw_sha256_start(&h);
  fw_sha256_update(&h, a, alen);
  if (b)
    fw_sha256_update(&h, b, blen);
  fw_sha256_finish(&h, out);
}

const char *pkg_status_text(enum pkg_status st)
{
  switch (st) {
  case PKG_OK: return "valid";
  case PKG_TRUNCATED: return "package truncated";
  case PKG_BAD_HEADER: return "not a package or unsupported package header";
  case PKG_BAD_PAYLOAD: return "package payload corrupt";
  case PKG_WRONG_SOURCE: return "delta does not match the installed firmware";
  case PKG_BAD_TARGET: return "result does not match the target hash";
  case PKG_UNSIGNED: return "package not signed, and a key is installed";
  case PKG_BAD_SIGNATURE: return "package signature does not verify";
  case PKG_NO_MEMORY: return "out of memory";
  }
  return "?";
}

void pkg_header_write(uint8_t *out, const struct pkg_header *h)
{
  memset(out, 0, PKG_HEADER_SIZE);
  memcpy(out, PKG_MAGIC, 8);
  put_u16(out + 8, PKG_VERSION);
  out[10] = (uint8_t)h->kind;
  out[11] = (uint8_t)h->flags;
  fw_put_u32(out + 12, PKG_HEADER_SIZE);
  memcpy(out + 16, h->source_rev, strnlen(h->source_rev, FW_REVISION_MAX));
  memcpy(out + 64, h->target_rev, strnlen(h->target_rev, FW_REVISION_MAX));
  memcpy(out + 112, h->source_sha256, 32);
  memcpy(out + 144, h->target_sha256, 32);
  fw_put_u32(out + 176, h->target_size);
  fw_put_u32(out + 180, h->payload_size);
  memcpy(out + 184, h->payload_sha256, 32);
}

static int read_rev(const uint8_t *p, char *out, int allow_empty)
{
  size_t n = strnlen((const char *)p, FW_REVISION_MAX + 1);
  if (n > FW_REVISION_MAX || (n == 0 && !allow_empty))
    return -1;
  for (size_t i = 0; i < n; i++)
    if (p[i] < 0x21 || p[i] > 0x7e)
      return -1;
  memcpy(out, p, n);
  out[n] = '\0';
  return 0;
}

enum pkg_status pkg_header_parse(const uint8_t *buf, size_t len, struct pkg_header *h)
{
  if (len < PKG_HEADER_SIZE)
    return len >= 8 && memcmp(buf, PKG_MAGIC, 8) == 0 ? PKG_TRUNCATED : PKG_BAD_HEADER;
  if (memcmp(buf, PKG_MAGIC, 8) != 0 || buf[8] != PKG_VERSION || buf[9] != 0 ||
      fw_get_u32(buf + 12) != PKG_HEADER_SIZE)
    return PKG_BAD_HEADER;
  memset(h, 0, sizeof(*h));
  h->kind = buf[10];
  h->flags = buf[11];
  if ((h->kind != PKG_KIND_FULL && h->kind != PKG_KIND_DELTA) || (h->flags & ~PKG_FLAG_SIGNED))
    return PKG_BAD_HEADER;
  if (read_rev(buf + 16, h->source_rev, h->kind == PKG_KIND_FULL) != 0 ||
      read_rev(buf + 64, h->target_rev, 0) != 0)
    return PKG_BAD_HEADER;
  memcpy(h->source_sha256, buf + 112, 32);
  memcpy(h->target_sha256, buf + 144, 32);
  h->target_size = fw_get_u32(buf + 176);
  h->payload_size = fw_get_u32(buf + 180);
  memcpy(h->payload_sha256, buf + 184, 32);
  if (h->target_size < FW_HEADER_SIZE || h->target_size > 64u * 1024 * 1024 ||
      h->payload_size == 0)
    return PKG_BAD_HEADER;
  return PKG_OK;
}

/* ---- signatures (mbedTLS) ---- */

static int parse_private(mbedtls_pk_context *pk, const char *pem, mbedtls_ctr_drbg_context *drbg)
{
#if MBEDTLS_VERSION_MAJOR >= 3
  return mbedtls_pk_parse_key(pk, (const unsigned char *)pem, strlen(pem) + 1, NULL, 0,
                              mbedtls_ctr_drbg_random, drbg);
#else
  (void)drbg;
  return mbedtls_pk_parse_key(pk, (const unsigned char *)pem, strlen(pem) + 1, NULL, 0);
#endif
}

static int is_p256(mbedtls_pk_context *pk)
{
  return mbedtls_pk_can_do(pk, MBEDTLS_PK_ECDSA) &&
         mbedtls_pk_ec(*pk)->MBEDTLS_PRIVATE(grp).id == MBEDTLS_ECP_DP_SECP256R1;
}

static int seed_drbg(mbedtls_entropy_context *ent, mbedtls_ctr_drbg_context *drbg)
{
  static const unsigned char pers[] = "fotasim";
  mbedtls_entropy_init(ent);
  mbedtls_ctr_drbg_init(drbg);
  return mbedtls_ctr_drbg_seed(drbg, mbedtls_entropy_func, ent, pers, sizeof(pers) - 1);
}

int pkg_keygen(char **priv_pem, char **pub_pem, char *err, size_t errlen)
{
  mbedtls_entropy_context ent;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_pk_context pk;
  unsigned char buf[2048];
  int rc = -1;
  mbedtls_pk_init(&pk);
  if (seed_drbg(&ent, &drbg) != 0 ||
      mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
      mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random,
                          &drbg) != 0) {
    snprintf(err, errlen, "key generation failed");
    goto out;
  }
  if (mbedtls_pk_write_key_pem(&pk, buf, sizeof(buf)) != 0) {
    snprintf(err, errlen, "cannot write the private key");
    goto out;
  }
  *priv_pem = strdup((char *)buf);
  if (mbedtls_pk_write_pubkey_pem(&pk, buf, sizeof(buf)) != 0) {
    snprintf(err, errlen, "cannot write the public key");
    free(*priv_pem);
    goto out;
  }
  *pub_pem = strdup((char *)buf);
  rc = 0;
out:
  mbedtls_pk_free(&pk);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&ent);
  return rc;
}

uint8_t *pkg_sign(uint8_t *pkg, size_t *len, const char *privkey_pem, char *err, size_t errlen)
{
  mbedtls_entropy_context ent;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_pk_context pk;
  uint8_t hash[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
  size_t sig_len = 0;
  uint8_t *out = NULL;
  mbedtls_pk_init(&pk);
  if (seed_drbg(&ent, &drbg) != 0 || parse_private(&pk, privkey_pem, &drbg) != 0 ||
      !is_p256(&pk)) {
    snprintf(err, errlen, "not an ECDSA P-256 private key in PEM");
    goto out;
  }
  pkg[11] |= PKG_FLAG_SIGNED; /* the flag is part of what is signed */
  sha256(pkg, *len, NULL, 0, hash);
#if MBEDTLS_VERSION_MAJOR >= 3
  if (mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, hash, 32, sig, sizeof(sig), &sig_len,
                      mbedtls_ctr_drbg_random, &drbg) != 0 || sig_len > PKG_SIG_MAX) {
#else
  if (mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, hash, 32, sig, &sig_len, mbedtls_ctr_drbg_random,
                      &drbg) != 0 || sig_len > PKG_SIG_MAX) {
#endif
    snprintf(err, errlen, "signing failed");
    goto out;
  }
  out = realloc(pkg, *len + 2 + sig_len);
  if (!out) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  put_u16(out + *len, (uint16_t)sig_len);
  memcpy(out + *len + 2, sig, sig_len);
  *len += 2 + sig_len;
out:
  mbedtls_pk_free(&pk);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&ent);
  return out;
}

static enum pkg_status check_signature(const uint8_t *pkg, size_t signed_len, const uint8_t *sig,
                                       size_t sig_len, const char *pubkey_pem)
{
  mbedtls_pk_context pk;
  uint8_t hash[32];
  enum pkg_status st = PKG_BAD_SIGNATURE;
  mbedtls_pk_init(&pk);
  if (mbedtls_pk_parse_public_key(&pk, (const unsigned char *)pubkey_pem,
                                  strlen(pubkey_pem) + 1) == 0 && is_p256(&pk)) {
    sha256(pkg, signed_len, NULL, 0, hash);
    if (mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, hash, 32, sig, sig_len) == 0)
      st = PKG_OK;
  }
  mbedtls_pk_free(&pk);
  return st;
}

/* ---- compression (zstd) ---- */

static unsigned window_log_for(size_t source_len, size_t target_len)
{
  size_t need = source_len + target_len;
  unsigned log = 10;
  while (log < PKG_WINDOW_LOG_MAX && ((size_t)1 << log) < need)
    log++;
  return log;
}

uint8_t *pkg_build(const uint8_t *source, size_t source_len, const uint8_t *target,
                   size_t target_len, size_t *pkg_len, pkg_progress_fn progress)
{
  struct fw_info src_info, dst_info;
  struct pkg_header h;
  ZSTD_CCtx *cctx;
  size_t cap = ZSTD_compressBound(target_len), done = 0;
  uint8_t *pkg;
  ZSTD_outBuffer out;

  if (fw_image_check(target, target_len, &dst_info) != FW_OK)
    return NULL;
  if (source && fw_image_check(source, source_len, &src_info) != FW_OK)
    return NULL;
  pkg = malloc(PKG_HEADER_SIZE + cap);
  cctx = ZSTD_createCCtx();
  if (!pkg || !cctx) {
    free(pkg);
    ZSTD_freeCCtx(cctx);
    return NULL;
  }
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 19);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (source) {
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, (int)window_log_for(source_len, target_len));
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1);
    ZSTD_CCtx_refPrefix(cctx, source, source_len);
  }
  ZSTD_CCtx_setPledgedSrcSize(cctx, target_len);
  out.dst = pkg + PKG_HEADER_SIZE;
  out.size = cap;
  out.pos = 0;
  while (done < target_len) { /* in slices, so that progress can be shown */
    size_t slice = target_len - done < 256 * 1024 ? target_len - done : 256 * 1024;
    ZSTD_inBuffer in = { target + done, slice, 0 };
    int last = done + slice == target_len;
    size_t r;
    do {
      r = ZSTD_compressStream2(cctx, &out, &in, last ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(r)) {
        free(pkg);
        ZSTD_freeCCtx(cctx);
        return NULL;
      }
    } while (last ? r != 0 : in.pos < in.size);
    done += slice;
    if (progress)
      progress("compressing", (int)(done * 100 / target_len));
  }
  ZSTD_freeCCtx(cctx);

  memset(&h, 0, sizeof(h));
  h.kind = source ? PKG_KIND_DELTA : PKG_KIND_FULL;
  if (source) {
    snprintf(h.source_rev, sizeof(h.source_rev), "%s", src_info.revision);
    sha256(source, source_len, NULL, 0, h.source_sha256);
  }
  snprintf(h.target_rev, sizeof(h.target_rev), "%s", dst_info.revision);
  sha256(target, target_len, NULL, 0, h.target_sha256);
  h.target_size = (uint32_t)target_len;
  h.payload_size = (uint32_t)out.pos;
  sha256(pkg + PKG_HEADER_SIZE, out.pos, NULL, 0, h.payload_sha256);
  pkg_header_write(pkg, &h);
  *pkg_len = PKG_HEADER_SIZE + out.pos;
  return realloc(pkg, *pkg_len);
}

enum pkg_status pkg_apply(const uint8_t *pkg, size_t len, const uint8_t *current, size_t cur_len,
                          const char *pubkey_pem, uint8_t **out, size_t *out_len)
{
  return pkg_apply_checked(pkg, len, current, cur_len, NULL, pubkey_pem, out, out_len);
}

/* The installed image is the delta's source: revision and SHA-256 of header and body. */
static int is_source(const struct pkg_header *h, const uint8_t *current, size_t cur_len,
                     const uint8_t *cur_sha256, struct fw_info *cur)
{
  uint8_t digest[32];
  if (!current || cur_len < FW_HEADER_SIZE)
    return 0;
  if (cur_sha256) {
    if (fw_header_parse(current, cur_len - FW_HEADER_SIZE, cur) != FW_OK)
      return 0;
  } else if (fw_image_check(current, cur_len, cur) != FW_OK) {
    return 0;
  }
  if (strcmp(cur->revision, h->source_rev))
    return 0;
  if (!cur_sha256) {
    sha256(current, FW_HEADER_SIZE + cur->body_size, NULL, 0, digest);
    cur_sha256 = digest;
  }
  return memcmp(cur_sha256, h->source_sha256, 32) == 0;
}

enum pkg_status pkg_apply_checked(const uint8_t *pkg, size_t len, const uint8_t *current,
                                  size_t cur_len, const uint8_t *cur_sha256,
                                  const char *pubkey_pem, uint8_t **out, size_t *out_len)
{
  struct pkg_header h;
  struct fw_info cur;
  uint8_t digest[32], *image;
  size_t body_end, r;
  ZSTD_DCtx *dctx;
  enum pkg_status st = pkg_header_parse(pkg, len, &h);

  *out = NULL;
  if (st != PKG_OK)
    return st;
  body_end = PKG_HEADER_SIZE + (size_t)h.payload_size;
  if (len < body_end)
    return PKG_TRUNCATED;
  if (h.flags & PKG_FLAG_SIGNED) {
    size_t sig_len;
    if (len < body_end + 2)
      return PKG_TRUNCATED;
    sig_len = (size_t)pkg[body_end] | (size_t)pkg[body_end + 1] << 8;
    if (sig_len == 0 || sig_len > PKG_SIG_MAX)
      return PKG_BAD_SIGNATURE;
    if (len < body_end + 2 + sig_len)
      return PKG_TRUNCATED;
    if (len > body_end + 2 + sig_len)
      return PKG_BAD_HEADER; /* trailing bytes */
    if (pubkey_pem && check_signature(pkg, body_end, pkg + body_end + 2, sig_len, pubkey_pem) !=
                          PKG_OK)
      return PKG_BAD_SIGNATURE;
  } else {
    if (len > body_end)
      return PKG_BAD_HEADER;
    if (pubkey_pem)
      return PKG_UNSIGNED;
  }
  sha256(pkg + PKG_HEADER_SIZE, h.payload_size, NULL, 0, digest);
  if (memcmp(digest, h.payload_sha256, 32) != 0)
    return PKG_BAD_PAYLOAD;
  if (h.kind == PKG_KIND_DELTA) {
    if (!is_source(&h, current, cur_len, cur_sha256, &cur))
      return PKG_WRONG_SOURCE;
    cur_len = FW_HEADER_SIZE + cur.body_size;
  }
  image = malloc(h.target_size);
  dctx = ZSTD_createDCtx();
  if (!image || !dctx) {
    free(image);
    ZSTD_freeDCtx(dctx);
    return PKG_NO_MEMORY;
  }
  if (h.kind == PKG_KIND_DELTA) {
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, PKG_WINDOW_LOG_MAX);
    ZSTD_DCtx_refPrefix(dctx, current, cur_len);
  }
  r = ZSTD_decompressDCtx(dctx, image, h.target_size, pkg + PKG_HEADER_SIZE, h.payload_size);
  ZSTD_freeDCtx(dctx);
  if (ZSTD_isError(r) || r != h.target_size) {
    free(image);
    return PKG_BAD_PAYLOAD;
  }
  sha256(image, h.target_size, NULL, 0, digest);
  if (memcmp(digest, h.target_sha256, 32) != 0 || fw_image_check(image, h.target_size, NULL)) {
    free(image);
    return PKG_BAD_TARGET;
  }
  *out = image;
  *out_len = h.target_size;
  return PKG_OK;
}
