/* statedir: the module's persistent directory: creation, an exclusive lock, and crash-safe
 * (write, fsync, rename) file replacement. */
#include "statedir.h"

#include "file_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdirs(const char *path)
{
  char tmp[4096];
  size_t n = strlen(path);
  if (n >= sizeof(tmp))
    return -1;
  memcpy(tmp, path, n + 1);
  for (char *p = tmp + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return -1;
      *p = '/';
    }
  }
  if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
    return -1;
  return 0;
}

int statedir_open(struct statedir *sd, const char *path, char *err, size_t errlen)
{
  char lock[4200];
  struct stat st;
  sd->lock_fd = -1;
  if (strlen(path) >= sizeof(sd->path) - 64) {
    snprintf(err, errlen, "state dir path too long: %s", path);
    return -1;
  }
  if (mkdirs(path) != 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(err, errlen, "cannot create state dir %s: %s", path,
             errno ? strerror(errno) : "not a directory");
    return -1;
  }
  snprintf(sd->path, sizeof(sd->path), "%s", path);
  statedir_file(sd, "lock", lock, sizeof(lock));
  sd->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (sd->lock_fd < 0) {
    snprintf(err, errlen, "state dir %s is not writable: %s", path, strerror(errno));
    return -1;
  }
  if (flock(sd->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    snprintf(err, errlen, "state dir %s is in use by another fotasim", path);
    close(sd->lock_fd);
    sd->lock_fd = -1;
    return -1;
  }
  return 0;
}

void statedir_close(struct statedir *sd)
{
  if (sd->lock_fd >= 0)
    close(sd->lock_fd);
  sd->lock_fd = -1;
}

char *statedir_file(const struct statedir *sd, const char *name, char *buf, size_t size)
{
  snprintf(buf, size, "%s/%s", sd->path, name);
  return buf;
}

static int replace_file(const struct statedir *sd, const char *name, const void *data, size_t len,
                        int sync);

int statedir_write_atomic(const struct statedir *sd, const char *name, const void *data,
                          size_t len)
{
  return replace_file(sd, name, data, len, 1);
}

int statedir_write_quick(const struct statedir *sd, const char *name, const void *data,
                         size_t len)
{
  return replace_file(sd, name, data, len, 0);
}

static int replace_file(const struct statedir *sd, const char *name, const void *data, size_t len,
                        int sync)
{
  char path[4200], tmp[4300];
  const char *p = data;
  int fd, dfd;
  statedir_file(sd, name, path, sizeof(path));
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      close(fd);
      unlink(tmp);
      return -1;
    }
    p += w;
    len -= (size_t)w;
  }
  if ((sync && fsync(fd) != 0) || close(fd) != 0 || rename(tmp, path) != 0) {
    unlink(tmp);
    return -1;
  }
  if (!sync)
    return 0;
  dfd = open(sd->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}

char *statedir_read(const struct statedir *sd, const char *name, size_t *len)
{
  char path[4200];
  size_t n = 0;
  char *buf = (char *)read_whole_file(statedir_file(sd, name, path, sizeof(path)), 1 << 20, &n);
  if (buf && len)
    *len = n;
  return buf;
}
