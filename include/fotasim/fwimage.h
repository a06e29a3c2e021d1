/* fwimage: the firmware image format that fotasim flashes and boots, and fotapack builds.
 *
 * An image is a 128-byte header followed by the body. All integers are little-endian.
 *   0   magic        8 bytes  "FSIMFW01"
 *   8   header_size  u32      128
 *   12  body_size    u32      bytes of body after the header
 *   16  revision     48 bytes NUL-padded ASCII, e.g. "EC200UCNAAR02A09M08"
 *   64  body_sha256  32 bytes SHA-256 of the body
 *   96  header_sha256 32 bytes SHA-256 of header bytes 0..95
 * A module boots an image only if every field checks out. */
#ifndef FOTASIM_FWIMAGE_H
#define FOTASIM_FWIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/sha256.h>

#define FW_MAGIC "FSIMFW01"
#define FW_HEADER_SIZE 128
#define FW_REVISION_MAX 47
#define FW_DEFAULT_REVISION_EC200U "EC200UCNAAR02A09M08"
#define FW_DEFAULT_REVISION_EG915U "EG915UEUABR03A01M08"
#define FW_DEFAULT_BODY_SIZE (3u * 1024u * 1024u)

struct fw_info {
  uint32_t body_size;
  char revision[FW_REVISION_MAX + 1];
  uint8_t body_sha256[32];
};

enum fw_status {
  FW_OK = 0,
  FW_BAD_MAGIC,
  FW_BAD_HEADER,    /* header size, header hash or revision */
  FW_BAD_SIZE,      /* body larger than the room it has */
  FW_BAD_HASH       /* body does not match its SHA-256 */
};

/* Checks a header; room is the most body bytes that can follow it. Fills *info on FW_OK. */
enum fw_status fw_header_parse(const uint8_t *hdr, size_t room, struct fw_info *info);
/* Checks an image of `len` bytes (header and body); fills *info when the header is sound. */
enum fw_status fw_image_check(const uint8_t *image, size_t len, struct fw_info *info);
const char *fw_status_text(enum fw_status st);
/* Writes a header for `body` into hdr (FW_HEADER_SIZE bytes). */
void fw_image_header(uint8_t *hdr, const char *revision, const uint8_t *body, uint32_t body_size);
/* A synthetic image: code-like body of body_size bytes, deterministic for (revision, seed).
 * Returns a malloc'd buffer of FW_HEADER_SIZE + body_size bytes, or NULL. */
uint8_t *fw_image_synthesize(const char *revision, uint32_t body_size, uint64_t seed);
/* The image a new module starts with: the model's default revision (model 0 EC200U, 1 EG915U)
 * or `revision` when not NULL or empty. The one place it is made: the module flashes it and
 * `fotasim run` builds its deltas against it. Sets *len; NULL on allocation failure. */
uint8_t *fw_default_image(int model, const char *revision, size_t *len);

/* A plausible next version of an image: the same body with about permille/1000 of it rewritten in
 * clustered runs and a few KB appended, under a new revision. malloc'd, or NULL. */
uint8_t *fw_image_mutate(const uint8_t *old, size_t old_len, const char *revision, unsigned permille,
                         uint64_t seed, size_t *new_len);

/* Little-endian fields of the on-disk formats (images, packages, the flash store's map). */
void fw_put_u32(uint8_t *p, uint32_t v);
uint32_t fw_get_u32(const uint8_t *p);

/* Streaming SHA-256 (mbedTLS), for hashing images without holding them in memory. */
struct fw_sha256 {
  mbedtls_sha256_context ctx;
};
void fw_sha256_start(struct fw_sha256 *h);
void fw_sha256_update(struct fw_sha256 *h, const uint8_t *data, size_t len);
void fw_sha256_finish(struct fw_sha256 *h, uint8_t out[32]);

#endif
