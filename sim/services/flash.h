/* flash: the emulated 8 MB NOR flash of a state dir. Erase sets a sector to 0xFF; program can
 * only clear bits. Every erase and program goes through flash_op(), the one place a power-cut
 * fault hooks into. Partitions: boot, firmware, UFS, NV. Stored cheaply: sectors never written
 * since the state dir began read from flash.base (its first image, read-only, shared as one
 * inode by the modules of a process); written sectors live inverted in the sparse flash.nor, so
 * an erased sector is a hole. */
#ifndef FOTASIM_FLASH_H
#define FOTASIM_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include "fotasim/fwimage.h"

#define FLASH_SIZE (8u * 1024u * 1024u)
#define FLASH_SECTOR 4096u

enum flash_part { PART_BOOT, PART_FIRMWARE, PART_UFS, PART_NV, PART_COUNT };

struct flash_partition {
  const char *name;
  uint32_t offset, size;
};

const struct flash_partition *flash_partition(enum flash_part p);

enum flash_op_kind { FLASH_ERASE, FLASH_PROGRAM };

#define FLASH_SECTORS (FLASH_SIZE / FLASH_SECTOR)

/* What the modules of one process share: the base the first new state dir wrote, which later
 * new ones link rather than make again, and the bases already checked. */
struct flash_bases {
  char made[4200];
  struct flash_base_check {
    unsigned long long dev, ino, mtime_ns;
    long long size;
    enum fw_status status;
    struct fw_info info;
    uint8_t sha256[32];
  } checked[8];
  int nchecked;
};

struct flash {
  int fd;                 /* flash.nor: the written sectors, inverted, then the sector map */
  int base_fd;            /* flash.base, or -1 */
  uint32_t base_len;      /* its bytes: the start of the firmware partition */
  uint8_t own[FLASH_SECTORS / 8]; /* a set bit: the sector is in flash.nor, not the base */
  struct flash_bases *bases;
  uint8_t fw_sha256[32];  /* of the firmware's header and body, when fw_checked */
  int fw_checked;         /* checked sound, and not written since */
  unsigned long erases, programs;
};

struct statedir;
/* Opens the state dir's flash (moving an old flash.bin to the cheap store). If there is none,
 * creates it (reporting *created): erased, with the image make_image returns (or the one
 * bases->made holds) in the firmware partition, renamed into place only once complete.
 * bases may be NULL. */
int flash_open(struct flash *f, const struct statedir *sd,
               const uint8_t *(*make_image)(void *ctx, size_t *len), void *ctx,
               struct flash_bases *bases, int *created);

void flash_close(struct flash *f);
int flash_read(struct flash *f, uint32_t off, void *buf, size_t len);
/* The single entry for changes: erase the sector at off, or program len bytes at off.
 * Programming a 1 over a 0 is refused (-1), as the chip would. */
int flash_op(struct flash *f, enum flash_op_kind kind, uint32_t off, const void *data, size_t len);
/* Power lost while the sector at off was being written with len bytes of data, at byte `at`
 * of that write: 0 during its erase (the sector's first half erased, the rest as it was), 1 to
 * len - 1 while programming (erased, the first `at` bytes programmed); -1: half way through
 * programming. As a torn NOR write leaves it. */
int flash_tear(struct flash *f, uint32_t off, const uint8_t *data, size_t len, long at);
/* Erases the firmware partition's sectors and programs an image into it. */
int flash_write_image(struct flash *f, const uint8_t *image, size_t len);
/* Whether the len bytes at off read back as data (1) or not (0); -1 if they cannot be read. */
int flash_matches(struct flash *f, uint32_t off, const uint8_t *data, size_t len);
/* Checks the image in the firmware partition, streaming its body through SHA-256. */
enum fw_status flash_check_firmware(struct flash *f, struct fw_info *info);
/* The SHA-256 of the firmware's header and body if it was checked sound and has not been
 * written since; NULL otherwise. */
const uint8_t *flash_firmware_sha256(const struct flash *f);

#endif
