/* flash: the emulated 8 MB NOR flash, a file in the state dir. Erase sets a sector to 0xFF;
 * program can only clear bits. Every erase and program goes through flash_op(), the one place a
 * later power-cut fault hooks into. Partitions: boot, firmware, UFS, NV. */
#include "flash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statedir.h"

static const struct flash_partition partitions[PART_COUNT] = {
  { "boot", 0x000000, 0x040000 },     /* 256 KB */
  { "firmware", 0x040000, 0x600000 }, /* 6 MB */
  { "ufs", 0x640000, 0x180000 },      /* 1.5 MB */
  { "nv", 0x7C0000, 0x040000 },       /* 256 KB */
};

const struct flash_partition *flash_partition(enum flash_part p)
{
  return &partitions[p];
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t w = pwrite(fd, p, len, off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    len -= (size_t)w;
    off += w;
  }
  return 0;
}

int flash_open(struct flash *f, const struct statedir *sd, const uint8_t *(*make_image)(void *ctx, size_t *len),
               void *ctx, int *created)
{
  char path[4200], tmp[4300];
  memset(f, 0, sizeof(*f));
  *created = 0;
  statedir_file(sd, "flash.bin", path, sizeof(path));
  f->fd = open(path, O_RDWR | O_CLOEXEC);
  if (f->fd >= 0) {
    off_t size = lseek(f->fd, 0, SEEK_END);
    if (size == (off_t)FLASH_SIZE)
      return 0;
    close(f->fd); /* wrong size: not ours; start again with an erased part */
  }
  {
    int fd;
    uint8_t *erased = malloc(FLASH_SIZE);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || !erased) {
      free(erased);
      if (fd >= 0)
        close(fd);
      return -1;
    }
    memset(erased, 0xFF, FLASH_SIZE);
    if (make_image) { /* the first image goes in before the file gets its name */
      size_t ilen = 0;
      const uint8_t *img = make_image(ctx, &ilen);
      const struct flash_partition *fw = flash_partition(PART_FIRMWARE);
      if (!img || ilen > fw->size) {
        free(erased);
        close(fd);
        unlink(tmp);
        return -1;
      }
      memcpy(erased + fw->offset, img, ilen);
    }
    if (pwrite_all(fd, erased, FLASH_SIZE, 0) != 0 || fsync(fd) != 0 || rename(tmp, path) != 0) {
      free(erased);
      close(fd);
      unlink(tmp);
      return -1;
    }
    free(erased);
    f->fd = fd;
    *created = 1;
  }
  return 0;
}

void flash_close(struct flash *f)
{
  if (f->fd >= 0)
    close(f->fd);
  f->fd = -1;
}

int flash_read(struct flash *f, uint32_t off, void *buf, size_t len)
{
  char *p = buf;
  if (off > FLASH_SIZE || len > FLASH_SIZE - off)
    return -1;
  while (len > 0) {
    ssize_t r = pread(f->fd, p, len, off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    p += r;
    len -= (size_t)r;
    off += (uint32_t)r;
  }
  return 0;
}

int flash_op(struct flash *f, enum flash_op_kind kind, uint32_t off, const void *data, size_t len)
{
  if (kind == FLASH_ERASE) {
    uint8_t ff[FLASH_SECTOR];
    if (off % FLASH_SECTOR || off >= FLASH_SIZE)
      return -1;
    memset(ff, 0xFF, sizeof(ff));
    f->erases++;
    return pwrite_all(f->fd, ff, sizeof(ff), off);
  } else {
    uint8_t cur[FLASH_SECTOR];
    const uint8_t *src = data;
    if (off > FLASH_SIZE || len > FLASH_SIZE - off)
      return -1;
    /* NOR: a program can only clear bits. Check chunk by chunk, then write. */
    for (size_t done = 0; done < len;) {
      size_t n = len - done < sizeof(cur) ? len - done : sizeof(cur);
      if (flash_read(f, off + (uint32_t)done, cur, n) != 0)
        return -1;
      for (size_t i = 0; i < n; i++)
        if ((cur[i] & src[done + i]) != src[done + i])
          return -1;
      done += n;
    }
    f->programs++;
    return pwrite_all(f->fd, data, len, off);
  }
}

int flash_tear(struct flash *f, uint32_t off, const uint8_t *data, size_t len)
{
  if (flash_op(f, FLASH_ERASE, off, NULL, 0) != 0)
    return -1;
  return flash_op(f, FLASH_PROGRAM, off, data, len / 2);
}

int flash_write_image(struct flash *f, const uint8_t *image, size_t len)
{
  const struct flash_partition *p = flash_partition(PART_FIRMWARE);
  if (len > p->size)
    return -1;
  for (uint32_t s = 0; s < len; s += FLASH_SECTOR) {
    size_t n = len - s < FLASH_SECTOR ? len - s : FLASH_SECTOR;
    if (flash_op(f, FLASH_ERASE, p->offset + s, NULL, 0) != 0 ||
        flash_op(f, FLASH_PROGRAM, p->offset + s, image + s, n) != 0)
      return -1;
  }
  /* Erase the sector after the image so that no stale tail looks like data. */
  if (len % FLASH_SECTOR == 0 && len < p->size)
    return flash_op(f, FLASH_ERASE, p->offset + (uint32_t)len, NULL, 0);
  return 0;
}

enum fw_status flash_check_firmware(struct flash *f, struct fw_info *info)
{
  const struct flash_partition *p = flash_partition(PART_FIRMWARE);
  uint8_t hdr[FW_HEADER_SIZE], digest[32], chunk[65536];
  struct fw_sha256 h;
  enum fw_status st;
  uint32_t done = 0;

  if (flash_read(f, p->offset, hdr, sizeof(hdr)) != 0)
    return FW_BAD_MAGIC;
  st = fw_header_parse(hdr, p->size - FW_HEADER_SIZE, info);
  if (st != FW_OK)
    return st;
  fw_sha256_start(&h);
  while (done < info->body_size) {
    uint32_t n = info->body_size - done < sizeof(chunk) ? info->body_size - done : sizeof(chunk);
    if (flash_read(f, p->offset + FW_HEADER_SIZE + done, chunk, n) != 0) {
      fw_sha256_finish(&h, digest);
      return FW_BAD_HASH;
    }
    fw_sha256_update(&h, chunk, n);
    done += n;
  }
  fw_sha256_finish(&h, digest);
  return memcmp(digest, info->body_sha256, 32) == 0 ? FW_OK : FW_BAD_HASH;
}
