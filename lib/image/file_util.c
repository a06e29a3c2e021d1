/* file_util: reading a whole file into memory, the one place that does it. */
#include "file_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

uint8_t *read_whole_file(const char *path, size_t max, size_t *len)
{
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long n;
  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return NULL;
  }
  if ((size_t)n > max) {
    fclose(f);
    errno = EFBIG;
    return NULL;
  }
  buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
    errno = EIO;
  }
  fclose(f);
  if (buf) {
    buf[n] = 0;
    *len = (size_t)n;
  }
  return buf;
}
