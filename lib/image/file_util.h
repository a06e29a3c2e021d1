/* file_util: reading a whole file into memory, the one place that does it. */
#ifndef FOTASIM_FILE_UTIL_H
#define FOTASIM_FILE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The file's bytes (malloc'd, with a NUL after them) and its length, or NULL if it is missing,
 * unreadable or larger than max bytes (errno says which, EFBIG for too large). */
uint8_t *read_whole_file(const char *path, size_t max, size_t *len);

#endif
