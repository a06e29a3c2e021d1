/* fuzz_package: package verification (header, payload, zstd with the installed image as prefix,
 * target checks, signature) on any bytes against a small installed image. A refusal is fine;
 * an accepted package must yield a well-formed image. */
#include <stdlib.h>
#include <string.h>

#include "fotasim/fwimage.h"
#include "fotasim/package.h"
#include "fuzz.h"

#define BODY 65536

static uint8_t *base, *target;
static size_t base_len, target_len;

void fuzz_init(void)
{
  base = fw_image_synthesize("EC200UCNAAR02A09M08", BODY, 1);
  base_len = FW_HEADER_SIZE + BODY;
  target = fw_image_mutate(base, base_len, "EC200UCNAAR02A10M08", 30, 5, &target_len);
  if (!base || !target)
    abort();
}

void fuzz_one(const uint8_t *data, size_t len)
{
  uint8_t *img = NULL;
  size_t img_len = 0;
  enum pkg_status st = pkg_apply(data, len, base, base_len, NULL, &img, &img_len);
  if (st == PKG_OK) {
    struct fw_info info;
    if (!img || fw_image_check(img, img_len, &info) != FW_OK)
      __builtin_trap(); /* accepted means a good image, nothing less */
  }
  free(img);
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  size_t len = 0;
  uint8_t *delta = pkg_build(base, base_len, target, target_len, &len, NULL);
  uint8_t *full;
  emit(delta, len);
  free(delta);
  full = pkg_build(NULL, 0, target, target_len, &len, NULL);
  emit(full, len);
  free(full);
}
