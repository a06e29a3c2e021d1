/* flash: the emulated 8 MB NOR flash, a file in the state dir. Erase sets a sector to 0xFF;
 * program can only clear bits. Every erase and program goes through flash_op(), the one place a
 * later power-cut fault hooks into. Partitions: boot, firmware, UFS, NV. */
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

struct flash {
  int fd;
  unsigned long erases, programs;
};

struct statedir;
/* Opens flash.bin. If the state dir has none, creates it (reporting *created): erased, with the
 * image make_image returns in the firmware partition, renamed into place only once complete. */
int flash_open(struct flash *f, const struct statedir *sd,
               const uint8_t *(*make_image)(void *ctx, size_t *len), void *ctx, int *created);
void flash_close(struct flash *f);
int flash_read(struct flash *f, uint32_t off, void *buf, size_t len);
/* The single entry for changes: erase the sector at off, or program len bytes at off.
 * Programming a 1 over a 0 is refused (-1), as the chip would. */
int flash_op(struct flash *f, enum flash_op_kind kind, uint32_t off, const void *data, size_t len);
/* Power lost while a sector was being written: it is left erased with only part of data
 * programmed, as a torn NOR write leaves it. */
int flash_tear(struct flash *f, uint32_t off, const uint8_t *data, size_t len);
/* Erases the firmware partition's sectors and programs an image into it. */
int flash_write_image(struct flash *f, const uint8_t *image, size_t len);
/* Checks the image in the firmware partition, streaming its body through SHA-256. */
enum fw_status flash_check_firmware(struct flash *f, struct fw_info *info);

#endif
