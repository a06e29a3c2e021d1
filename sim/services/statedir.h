/* statedir: the module's persistent directory: creation, an exclusive lock, and crash-safe
 * (write, fsync, rename) file replacement. */
#ifndef FOTASIM_STATEDIR_H
#define FOTASIM_STATEDIR_H

#include <stddef.h>

struct statedir {
  char path[4096];
  int lock_fd;
};

/* Creates the directory if needed and locks it; -1 with a message naming the problem. */
int statedir_open(struct statedir *sd, const char *path, char *err, size_t errlen);
void statedir_close(struct statedir *sd);
/* Joins the state dir and a file name into buf; returns buf. */
char *statedir_file(const struct statedir *sd, const char *name, char *buf, size_t size);
/* Replaces a file atomically: a crash leaves either the old content or the new one. */
int statedir_write_atomic(const struct statedir *sd, const char *name, const void *data,
                          size_t len);
/* The same without fsync: survives the process being killed at any moment (rename is atomic),
 * not the machine losing power; for frequent progress records. */
int statedir_write_quick(const struct statedir *sd, const char *name, const void *data,
                         size_t len);
/* Reads a whole small file (malloc'd, NUL-terminated); NULL if missing or unreadable. */
char *statedir_read(const struct statedir *sd, const char *name, size_t *len);

#endif
