/* flash: the emulated 8 MB NOR flash of a state dir: its store (a shared read-only base under
 * a sparse, inverted file of the sectors written since), NOR semantics, and the one entry for
 * changes, flash_op(). */
#include "flash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_util.h"
#include "log.h"
#include "statedir.h"

static const struct flash_partition partitions[PART_COUNT] = {
  { "boot", 0x000000, 0x040000 },     /* 256 KB */
  { "firmware", 0x040000, 0x600000 }, /* 6 MB */
  { "ufs", 0x640000, 0x180000 },      /* 1.5 MB */
  { "nv", 0x7C0000, 0x040000 },       /* 256 KB */
};

/* flash.nor: FLASH_SIZE bytes of inverted sectors (a hole reads as erased), then this map. */
#define MAP_MAGIC "fotasim-nor 1\n"
#define MAP_BASE_LEN 16 /* u32 little-endian: how many bytes of flash.base there are */
#define MAP_OWN 64      /* the sector bitmap */
#define MAP_SIZE 4096u

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

/* len bytes at off; what lies past the end of the file reads as zeros. */
static int pread_all(int fd, void *buf, size_t len, off_t off)
{
  char *p = buf;
  while (len > 0) {
    ssize_t r = pread(fd, p, len, off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -1;
    if (r == 0) {
      memset(p, 0, len);
      return 0;
    }
    p += r;
    len -= (size_t)r;
    off += r;
  }
  return 0;
}

static int is_own(const struct flash *f, uint32_t sector)
{
  return (f->own[sector / 8] >> (sector % 8)) & 1;
}

/* The sector's map bit, set on disk: from now on it reads from flash.nor. */
static int set_own(struct flash *f, uint32_t sector)
{
  f->own[sector / 8] |= (uint8_t)(1u << (sector % 8));
  return pwrite_all(f->fd, &f->own[sector / 8], 1, (off_t)FLASH_SIZE + MAP_OWN + sector / 8);
}

/* A stored sector back to zeros, that is erased: a hole where the file system has them. */
static int clear_stored(int fd, uint32_t off)
{
  static const uint8_t zero[FLASH_SECTOR];
  if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, FLASH_SECTOR) == 0)
    return 0;
  return pwrite_all(fd, zero, sizeof(zero), off);
}

static void invert(uint8_t *dst, const uint8_t *src, size_t n)
{
  size_t i = 0;
  for (; i + 8 <= n; i += 8) { /* a word at a time: reads of whole images go through here */
    uint64_t w;
    memcpy(&w, src + i, 8);
    w = ~w;
    memcpy(dst + i, &w, 8);
  }
  for (; i < n; i++)
    dst[i] = (uint8_t)~src[i];
}

/* Where a sector's bytes come from: 1 the store, 0 the base (or erased past it). */
static int run_end(const struct flash *f, uint32_t off, size_t len, int own)
{
  uint32_t s = off / FLASH_SECTOR + 1, last = (uint32_t)((off + len - 1) / FLASH_SECTOR);
  while (s <= last && is_own(f, s) == own)
    s++;
  return (int)(s <= last ? s * FLASH_SECTOR - off : len);
}

int flash_read(struct flash *f, uint32_t off, void *buf, size_t len)
{
  uint8_t *p = buf;
  if (off > FLASH_SIZE || len > FLASH_SIZE - off)
    return -1;
  while (len > 0) { /* one pread for each run of sectors from the same file */
    int own = is_own(f, off / FLASH_SECTOR);
    size_t n = (size_t)run_end(f, off, len, own);
    if (own) {
      if (pread_all(f->fd, p, n, off) != 0)
        return -1;
      invert(p, p, n);
    } else { /* the base sits at the firmware partition's start; erased around it */
      uint32_t b0 = partitions[PART_FIRMWARE].offset, b1 = b0 + f->base_len;
      uint32_t lo = off > b0 ? off : b0, hi = off + (uint32_t)n < b1 ? off + (uint32_t)n : b1;
      memset(p, 0xFF, n);
      if (lo < hi && pread_all(f->base_fd, p + (lo - off), hi - lo, lo - b0) != 0)
        return -1;
    }
    p += n;
    off += (uint32_t)n;
    len -= n;
  }
  return 0;
}

int flash_matches(struct flash *f, uint32_t off, const uint8_t *data, size_t len)
{
  uint8_t chunk[65536];
  for (size_t done = 0; done < len;) {
    size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
    if (flash_read(f, off + (uint32_t)done, chunk, n) != 0)
      return -1;
    if (memcmp(chunk, data + done, n) != 0)
      return 0;
    done += n;
  }
  return 1;
}

int flash_op(struct flash *f, enum flash_op_kind kind, uint32_t off, const void *data, size_t len)
{
  const struct flash_partition *fw = &partitions[PART_FIRMWARE];
  if (off < fw->offset + fw->size && off + (kind == FLASH_ERASE ? FLASH_SECTOR : len) > fw->offset)
    f->fw_checked = 0; /* the firmware changes: its check no longer holds */
  if (kind == FLASH_ERASE) {
    uint32_t sector = off / FLASH_SECTOR;
    if (off % FLASH_SECTOR || off >= FLASH_SIZE)
      return -1;
    f->erases++;
    /* Hole first, map bit second: a kill between leaves the sector as it was. */
    if (clear_stored(f->fd, off) != 0)
      return -1;
    return is_own(f, sector) ? 0 : set_own(f, sector);
  } else {
    const uint8_t *src = data;
    if (off > FLASH_SIZE || len > FLASH_SIZE - off)
      return -1;
    /* NOR: a program can only clear bits. Check every byte first, then write. */
    for (size_t done = 0; done < len;) {
      uint8_t cur[FLASH_SECTOR];
      size_t n = len - done < sizeof(cur) ? len - done : sizeof(cur);
      if (flash_read(f, off + (uint32_t)done, cur, n) != 0)
        return -1;
      for (size_t i = 0; i < n; i++)
        if ((cur[i] & src[done + i]) != src[done + i])
          return -1;
      done += n;
    }
    f->programs++;
    while (len > 0) {
      uint8_t sec[FLASH_SECTOR];
      uint32_t sector = off / FLASH_SECTOR, start = sector * FLASH_SECTOR;
      size_t n = len < start + FLASH_SECTOR - off ? len : start + FLASH_SECTOR - off;
      if (is_own(f, sector)) {
        invert(sec, src, n);
        if (pwrite_all(f->fd, sec, n, off) != 0)
          return -1;
      } else { /* the base's sector, programmed, becomes this store's: whole, then mapped */
        if (flash_read(f, start, sec, FLASH_SECTOR) != 0)
          return -1;
        memcpy(sec + (off - start), src, n);
        invert(sec, sec, FLASH_SECTOR);
        if (pwrite_all(f->fd, sec, FLASH_SECTOR, start) != 0 || set_own(f, sector) != 0)
          return -1;
      }
      src += n;
      off += (uint32_t)n;
      len -= n;
    }
    return 0;
  }
}

int flash_tear(struct flash *f, uint32_t off, const uint8_t *data, size_t len, long at)
{
  if (at == 0) { /* mid-erase: the second half keeps what it held */
    uint8_t old[FLASH_SECTOR / 2];
    if (flash_read(f, off + FLASH_SECTOR / 2, old, sizeof(old)) != 0 ||
        flash_op(f, FLASH_ERASE, off, NULL, 0) != 0)
      return -1;
    return flash_op(f, FLASH_PROGRAM, off + FLASH_SECTOR / 2, old, sizeof(old));
  }
  if (flash_op(f, FLASH_ERASE, off, NULL, 0) != 0)
    return -1;
  if (at < 0 || (size_t)at > len)
    at = (long)(len / 2);
  return flash_op(f, FLASH_PROGRAM, off, data, (size_t)at);
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

/* The firmware check proper: the header, then the body streamed through SHA-256; in the same
 * pass the whole image's SHA-256 (what a delta names as its source) into whole. */
static enum fw_status check_firmware(struct flash *f, struct fw_info *info, uint8_t whole[32])
{
  const struct flash_partition *p = flash_partition(PART_FIRMWARE);
  uint8_t hdr[FW_HEADER_SIZE], digest[32], chunk[65536];
  struct fw_sha256 h, w;
  enum fw_status st;
  uint32_t done = 0;

  if (flash_read(f, p->offset, hdr, sizeof(hdr)) != 0)
    return FW_BAD_MAGIC;
  st = fw_header_parse(hdr, p->size - FW_HEADER_SIZE, info);
  if (st != FW_OK)
    return st;
  fw_sha256_start(&h);
  fw_sha256_start(&w);
  fw_sha256_update(&w, hdr, sizeof(hdr));
  while (done < info->body_size) {
    uint32_t n = info->body_size - done < sizeof(chunk) ? info->body_size - done : sizeof(chunk);
    if (flash_read(f, p->offset + FW_HEADER_SIZE + done, chunk, n) != 0) {
      fw_sha256_finish(&h, digest);
      fw_sha256_finish(&w, whole);
      return FW_BAD_HASH;
    }
    fw_sha256_update(&h, chunk, n);
    fw_sha256_update(&w, chunk, n);
    done += n;
  }
  fw_sha256_finish(&h, digest);
  fw_sha256_finish(&w, whole);
  return memcmp(digest, info->body_sha256, 32) == 0 ? FW_OK : FW_BAD_HASH;
}

const uint8_t *flash_firmware_sha256(const struct flash *f)
{
  return f->fw_checked ? f->fw_sha256 : NULL;
}

static enum fw_status checked(struct flash *f, enum fw_status st)
{
  f->fw_checked = st == FW_OK;
  return st;
}

/* A firmware partition read wholly from the base gives the base's verdict: one check for every
 * module of the process that shares that file (while its size and mtime stay). */
enum fw_status flash_check_firmware(struct flash *f, struct fw_info *info)
{
  const struct flash_partition *p = flash_partition(PART_FIRMWARE);
  struct flash_base_check *c;
  struct stat st;
  enum fw_status status;
  if (!f->bases || f->base_fd < 0 || fstat(f->base_fd, &st) != 0)
    return checked(f, check_firmware(f, info, f->fw_sha256));
  for (uint32_t s = p->offset / FLASH_SECTOR; s < (p->offset + p->size) / FLASH_SECTOR; s++)
    if (is_own(f, s))
      return checked(f, check_firmware(f, info, f->fw_sha256));
  for (int i = 0; i < f->bases->nchecked; i++) {
    c = &f->bases->checked[i];
    if (c->dev == (unsigned long long)st.st_dev && c->ino == (unsigned long long)st.st_ino &&
        c->size == (long long)st.st_size &&
        c->mtime_ns == (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec) {
      *info = c->info;
      memcpy(f->fw_sha256, c->sha256, 32);
      return checked(f, c->status);
    }
  }
  status = checked(f, check_firmware(f, info, f->fw_sha256));
  c = &f->bases->checked[f->bases->nchecked < 8 ? f->bases->nchecked++ : 7];
  c->dev = (unsigned long long)st.st_dev;
  c->ino = (unsigned long long)st.st_ino;
  c->size = (long long)st.st_size;
  c->mtime_ns = (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec;
  c->status = status;
  c->info = *info;
  memcpy(c->sha256, f->fw_sha256, 32);
  return status;
}

static int sync_dir(const struct statedir *sd)
{
  int dfd = open(sd->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return -1;
  fsync(dfd);
  close(dfd);
  return 0;
}

/* An existing flash.nor with its map and its base; 0 when sound. */
static int open_store(struct flash *f, const char *nor, const char *base)
{
  uint8_t map[MAP_SIZE];
  struct stat st;
  f->fd = open(nor, O_RDWR | O_CLOEXEC);
  if (f->fd < 0)
    return -1;
  if (fstat(f->fd, &st) != 0 || st.st_size != (off_t)FLASH_SIZE + MAP_SIZE ||
      pread_all(f->fd, map, sizeof(map), FLASH_SIZE) != 0 ||
      memcmp(map, MAP_MAGIC, sizeof(MAP_MAGIC) - 1) != 0)
    goto bad;
  f->base_len = fw_get_u32(map + MAP_BASE_LEN);
  if (f->base_len > partitions[PART_FIRMWARE].size)
    goto bad;
  memcpy(f->own, map + MAP_OWN, sizeof(f->own));
  if (f->base_len > 0) {
    f->base_fd = open(base, O_RDONLY | O_CLOEXEC);
    if (f->base_fd < 0 || fstat(f->base_fd, &st) != 0 || st.st_size != (off_t)f->base_len)
      goto bad;
  }
  return 0;
bad:
  log_warn("flash %s is not sound: starting again with a new flash", nor);
  flash_close(f);
  return -1;
}

/* A new flash.nor from a map and the sectors of an old 8 MB image (NULL: none), in place only
 * once complete. */
static int write_store(const struct statedir *sd, const char *nor, uint32_t base_len,
                       const uint8_t *image)
{
  char tmp[4300];
  uint8_t map[MAP_SIZE], sec[FLASH_SECTOR];
  int fd;
  memset(map, 0, sizeof(map));
  memcpy(map, MAP_MAGIC, sizeof(MAP_MAGIC) - 1);
  fw_put_u32(map + MAP_BASE_LEN, base_len);
  snprintf(tmp, sizeof(tmp), "%s.tmp", nor);
  fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  if (ftruncate(fd, FLASH_SIZE) != 0)
    goto fail;
  for (uint32_t s = 0; image && s < FLASH_SECTORS; s++) {
    const uint8_t *p = image + (size_t)s * FLASH_SECTOR;
    size_t i = 0;
    while (i < FLASH_SECTOR && p[i] == 0xFF)
      i++;
    if (i == FLASH_SECTOR) /* erased: a hole */
      continue;
    invert(sec, p, FLASH_SECTOR);
    if (pwrite_all(fd, sec, FLASH_SECTOR, (off_t)s * FLASH_SECTOR) != 0)
      goto fail;
    map[MAP_OWN + s / 8] |= (uint8_t)(1u << (s % 8));
  }
  if (pwrite_all(fd, map, sizeof(map), FLASH_SIZE) != 0 || fsync(fd) != 0 || close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  if (rename(tmp, nor) != 0) {
    unlink(tmp);
    return -1;
  }
  sync_dir(sd);
  return 0;
fail:
  if (fd >= 0)
    close(fd);
  unlink(tmp);
  return -1;
}

/* flash.base: a link to the process's base when there is one, else the image written out. */
static int write_base(const struct statedir *sd, const char *base, struct flash_bases *bases,
                      const uint8_t *img, size_t len)
{
  char tmp[4300];
  int fd;
  snprintf(tmp, sizeof(tmp), "%s.tmp", base);
  unlink(tmp);
  if (!img && bases && bases->made[0] && link(bases->made, tmp) == 0 && rename(tmp, base) == 0)
    return 0;
  if (!img) {
    size_t n = 0;
    uint8_t *copy = read_whole_file(bases->made, partitions[PART_FIRMWARE].size, &n);
    int rc = copy ? write_base(sd, base, NULL, copy, n) : -1;
    free(copy);
    return rc;
  }
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
  if (fd < 0)
    return -1;
  if (pwrite_all(fd, img, len, 0) != 0 || fsync(fd) != 0) {
    close(fd);
    unlink(tmp);
    return -1;
  }
  close(fd);
  if (rename(tmp, base) != 0) {
    unlink(tmp);
    return -1;
  }
  if (bases && !bases->made[0])
    snprintf(bases->made, sizeof(bases->made), "%s", base);
  return 0;
}

/* An 8 MB flash.bin of an earlier fotasim: its written sectors move into a new flash.nor. */
static int migrate(const struct statedir *sd, const char *bin, const char *nor, const char *base)
{
  size_t n = 0;
  uint8_t *image = read_whole_file(bin, FLASH_SIZE, &n);
  int rc = -1;
  if (!image)
    return -1;
  if (n == FLASH_SIZE && write_store(sd, nor, 0, image) == 0) {
    unlink(base);
    unlink(bin);
    log_info("flash %s moved to %s (written sectors only)", bin, nor);
    rc = 0;
  }
  free(image);
  return rc;
}

int flash_open(struct flash *f, const struct statedir *sd, const uint8_t *(*make_image)(void *ctx, size_t *len),
               void *ctx, struct flash_bases *bases, int *created)
{
  char nor[4200], base[4200], bin[4200];
  const uint8_t *img = NULL;
  size_t ilen = 0;
  memset(f, 0, sizeof(*f));
  f->fd = f->base_fd = -1;
  f->bases = bases;
  *created = 0;
  statedir_file(sd, "flash.nor", nor, sizeof(nor));
  statedir_file(sd, "flash.base", base, sizeof(base));
  statedir_file(sd, "flash.bin", bin, sizeof(bin));
  if (access(nor, F_OK) != 0 && access(bin, F_OK) == 0)
    migrate(sd, bin, nor, base);
  if (access(nor, F_OK) == 0 && open_store(f, nor, base) == 0) {
    unlink(bin); /* a migration that was killed before its last step */
    return 0;
  }
  /* New: the base first, then the store that names it. */
  if (!(bases && bases->made[0]) && make_image) {
    img = make_image(ctx, &ilen);
    if (!img || ilen > partitions[PART_FIRMWARE].size)
      return -1;
  }
  if (img || (bases && bases->made[0])) {
    struct stat st;
    if (write_base(sd, base, bases, img, ilen) != 0 || stat(base, &st) != 0)
      return -1;
    ilen = (size_t)st.st_size;
  } else {
    unlink(base);
  }
  if (write_store(sd, nor, (uint32_t)ilen, NULL) != 0 || open_store(f, nor, base) != 0)
    return -1;
  unlink(bin);
  *created = 1;
  return 0;
}

void flash_close(struct flash *f)
{
  if (f->fd >= 0)
    close(f->fd);
  if (f->base_fd >= 0)
    close(f->base_fd);
  f->fd = f->base_fd = -1;
}
