/* package: the FOTA package format fotapack writes and the module verifies (docs/package-format.md).
 *
 * A package is a 256-byte header, the payload, and an optional signature. Integers little-endian.
 *   0   magic          8 bytes "FSIMPKG1"
 *   8   version        u16     1
 *   10  kind           u8      0 full, 1 delta
 *   11  flags          u8      bit 0: signed
 *   12  header_size    u32     256
 *   16  source_rev     48 bytes NUL-padded (empty for a full package)
 *   64  target_rev     48 bytes NUL-padded
 *   112 source_sha256  32 bytes SHA-256 of the whole source image (zero for full)
 *   144 target_sha256  32 bytes SHA-256 of the whole target image
 *   176 target_size    u32     bytes of the target image
 *   180 payload_size   u32     bytes of payload after the header
 *   184 payload_sha256 32 bytes SHA-256 of the payload
 *   216 reserved       40 bytes zero
 * Payload: one zstd frame. Full: the target image. Delta: the target image compressed with the
 * source image as prefix (zstd's --patch-from).
 * Signature (when flags bit 0): u16 length, then a DER ECDSA P-256 signature of
 * SHA-256(header || payload). */
#ifndef FOTASIM_PACKAGE_H
#define FOTASIM_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "fotasim/fwimage.h"

#define PKG_MAGIC "FSIMPKG1"
#define PKG_VERSION 1
#define PKG_HEADER_SIZE 256
#define PKG_KIND_FULL 0
#define PKG_KIND_DELTA 1
#define PKG_FLAG_SIGNED 1
#define PKG_SIG_MAX 128

struct pkg_header {
  int kind;
  int flags;
  char source_rev[FW_REVISION_MAX + 1];
  char target_rev[FW_REVISION_MAX + 1];
  uint8_t source_sha256[32];
  uint8_t target_sha256[32];
  uint32_t target_size;
  uint32_t payload_size;
  uint8_t payload_sha256[32];
};

enum pkg_status {
  PKG_OK = 0,
  PKG_TRUNCATED,       /* shorter than its header says */
  PKG_BAD_HEADER,      /* not a package, unknown version or kind, sizes out of range */
  PKG_BAD_PAYLOAD,     /* payload hash mismatch, or it does not decompress */
  PKG_WRONG_SOURCE,    /* a delta for another revision or another image */
  PKG_BAD_TARGET,      /* the result does not match the target hash */
  PKG_UNSIGNED,        /* a key is installed and the package carries no signature */
  PKG_BAD_SIGNATURE,   /* the signature does not verify */
  PKG_NO_MEMORY
};

const char *pkg_status_text(enum pkg_status st);
void pkg_header_write(uint8_t *out, const struct pkg_header *h);
/* Parses and sanity-checks a header (len bytes available). */
enum pkg_status pkg_header_parse(const uint8_t *buf, size_t len, struct pkg_header *h);

/* Checks a whole package against the installed image and, when pubkey_pem is not NULL, its
 * signature; on PKG_OK *out holds the new image (malloc'd, *out_len bytes). Touches nothing. */
enum pkg_status pkg_apply(const uint8_t *pkg, size_t len, const uint8_t *current, size_t cur_len,
                          const char *pubkey_pem, uint8_t **out, size_t *out_len);
/* The same for an installed image already checked whole, whose SHA-256 (header and body) is
 * cur_sha256: its header is read, its body not hashed again. NULL: as pkg_apply. */
enum pkg_status pkg_apply_checked(const uint8_t *pkg, size_t len, const uint8_t *current,
                                  size_t cur_len, const uint8_t *cur_sha256,
                                  const char *pubkey_pem, uint8_t **out, size_t *out_len);

/* Building (fotapack). progress may be NULL; it is called with 0..100. */
typedef void (*pkg_progress_fn)(const char *what, int percent);
/* Compresses target (with source as prefix if not NULL) into a new package; malloc'd. */
uint8_t *pkg_build(const uint8_t *source, size_t source_len, const uint8_t *target,
                   size_t target_len, size_t *pkg_len, pkg_progress_fn progress);
/* Appends a signature made with the PEM private key; returns the new buffer or NULL with a
 * message in err. */
uint8_t *pkg_sign(uint8_t *pkg, size_t *len, const char *privkey_pem, char *err, size_t errlen);
/* A new P-256 key pair as PEM strings (malloc'd). */
int pkg_keygen(char **priv_pem, char **pub_pem, char *err, size_t errlen);

#endif
