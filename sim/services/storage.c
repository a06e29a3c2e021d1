/* storage: the module's file systems for downloaded packages and files: UFS (internal), SD card,
 * EFS (external flash). Each is a directory in the state dir with a capacity; the SD card can be
 * absent. "fota/path" values ("UFS:dir") are resolved here. */
#include "storage.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct storage_medium defaults[MEDIUM_COUNT] = {
  { "UFS", "ufs", UFS_CAPACITY, 1 },
  { "SD", "sd", SD_CAPACITY, 0 },
  { "EFS", "efs", EFS_CAPACITY, 1 },
};

int storage_medium_named(const char *name)
{
  for (int i = 0; i < MEDIUM_COUNT; i++)
    if (!strcasecmp(name, defaults[i].name))
      return i;
  return -1;
}

int storage_is_partial(const char *name)
{
  size_t n = strlen(name), k = strlen(STORAGE_PARTIAL_SUFFIX);
  return n > k && !strcmp(name + n - k, STORAGE_PARTIAL_SUFFIX);
}

/* A transfer that a kill cut short left its NAME.part: not a file, and it took room. */
static void drop_partials(const char *dir, int depth)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  if (!d)
    return;
  while ((e = readdir(d))) {
    char path[4400];
    struct stat st;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (lstat(path, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode) && depth < 16)
      drop_partials(path, depth + 1);
    else if (S_ISREG(st.st_mode) && storage_is_partial(e->d_name))
      unlink(path);
  }
  closedir(d);
}

int storage_init(struct storage *st, const char *state_dir)
{
  snprintf(st->root, sizeof(st->root), "%s", state_dir);
  memcpy(st->media, defaults, sizeof(defaults));
  for (int i = 0; i < MEDIUM_COUNT; i++) {
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", st->root, st->media[i].dirname);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
      return -1;
    drop_partials(path, 0);
  }
  return 0;
}

int storage_medium(const struct storage *st, const char *name, size_t len)
{
  for (int i = 0; i < MEDIUM_COUNT; i++)
    if (strlen(st->media[i].name) == len && !strncasecmp(name, st->media[i].name, len))
      return i;
  return -1;
}

int storage_medium_of(const struct storage *st, const char *fota_path)
{
  const char *colon = strchr(fota_path, ':');
  return colon ? storage_medium(st, fota_path, (size_t)(colon - fota_path)) : -1;
}

void storage_mkdirs(const struct storage *st, char *dir)
{
  for (char *p = dir + strlen(st->root) + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      mkdir(dir, 0755);
      *p = '/';
    }
  }
  mkdir(dir, 0755);
}

static uint64_t du(const char *path, int depth)
{
  DIR *d = opendir(path);
  struct dirent *e;
  uint64_t total = 0;
  if (!d || depth > 8) {
    if (d)
      closedir(d);
    return 0;
  }
  while ((e = readdir(d))) {
    char child[4200];
    struct stat s;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
    if (lstat(child, &s) != 0)
      continue;
    if (S_ISDIR(s.st_mode))
      total += du(child, depth + 1);
    else if (S_ISREG(s.st_mode))
      total += (uint64_t)s.st_size;
  }
  closedir(d);
  return total;
}

uint64_t storage_used(const struct storage *st, enum medium m)
{
  char path[4200];
  snprintf(path, sizeof(path), "%s/%s", st->root, st->media[m].dirname);
  return du(path, 0);
}

uint64_t storage_free(const struct storage *st, enum medium m)
{
  uint64_t used = storage_used(st, m);
  return used >= st->media[m].capacity ? 0 : st->media[m].capacity - used;
}

static void fill_path(const struct storage *st, enum medium m, char *path, size_t size)
{
  snprintf(path, size, "%s/%s/.fill", st->root, st->media[m].dirname);
}

int storage_fill(const struct storage *st, enum medium m, uint64_t bytes)
{
  char path[4200];
  FILE *f;
  int rc;
  fill_path(st, m, path, sizeof(path));
  if (!bytes)
    return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
  f = fopen(path, "wb");
  if (!f)
    return -1;
  rc = ftruncate(fileno(f), (off_t)bytes);
  return fclose(f) == 0 && rc == 0 ? 0 : -1;
}

int storage_fill_leaving(const struct storage *st, enum medium m, uint64_t left)
{
  uint64_t others;
  if (storage_fill(st, m, 0) != 0)
    return -1;
  others = storage_used(st, m);
  if (others + left >= st->media[m].capacity)
    return 0;
  return storage_fill(st, m, st->media[m].capacity - others - left);
}

int storage_resolve(const struct storage *st, const char *fota_path, const char *file, char *out,
                    size_t size)
{
  int m = storage_medium_of(st, fota_path);
  char dir[4200];
  if (m < 0)
    return -1;
  snprintf(dir, sizeof(dir), "%s/%s%s%s", st->root, st->media[m].dirname,
           strchr(fota_path, ':')[1] ? "/" : "", strchr(fota_path, ':') + 1);
  storage_mkdirs(st, dir);
  snprintf(out, size, "%s/%s", dir, file);
  return m;
}

int storage_file(const struct storage *st, const char *name, char *out, size_t size)
{
  const char *colon = strchr(name, ':'), *file = name;
  int m = MEDIUM_UFS;
  size_t n;
  if (colon) {
    if ((m = storage_medium(st, name, (size_t)(colon - name))) < 0)
      return -1;
    file = colon + 1;
  }
  n = strlen(file);
  if (n == 0 || n > FILE_NAME_MAX || file[0] == '/' || file[n - 1] == '/' || strstr(file, "..") ||
      strstr(file, "//"))
    return -1;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)file[i]) && !strchr("_-./", file[i]))
      return -1;
  snprintf(out, size, "%s/%s/%s", st->root, st->media[m].dirname, file);
  return m;
}

uint16_t storage_checksum(uint16_t sum, const uint8_t *data, size_t len, int *odd_carry,
                          uint8_t *pending)
{
  size_t i = 0;
  if (*odd_carry && len > 0) {
    sum ^= (uint16_t)(*pending << 8 | data[0]);
    *odd_carry = 0;
    i = 1;
  }
  for (; i + 1 < len; i += 2)
    sum ^= (uint16_t)(data[i] << 8 | data[i + 1]);
  if (i < len) {
    *pending = data[i];
    *odd_carry = 1;
  }
  return sum;
}
