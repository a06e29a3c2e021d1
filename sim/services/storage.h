/* storage: the module's file systems for downloaded packages and files: UFS (internal), SD card,
 * EFS (external flash). Each is a directory in the state dir with a capacity; the SD card can be
 * absent. "fota/path" values ("UFS:dir") are resolved here. */
#ifndef FOTASIM_STORAGE_H
#define FOTASIM_STORAGE_H

#include <stddef.h>
#include <stdint.h>

enum medium { MEDIUM_UFS, MEDIUM_SD, MEDIUM_EFS, MEDIUM_COUNT };

struct storage_medium {
  const char *name;      /* "UFS", "SD", "EFS" as AT commands spell them */
  const char *dirname;   /* "ufs", "sd", "efs" under the state dir */
  uint64_t capacity;
  int present;
};

struct storage {
  char root[4096];
  struct storage_medium media[MEDIUM_COUNT];
};

#define UFS_CAPACITY (6ull * 1024 * 1024)
#define EFS_CAPACITY (16ull * 1024 * 1024)
#define SD_CAPACITY (8ull * 1024 * 1024 * 1024)

/* A file being written (AT+QFUPL, a FOTA download) is NAME.part until it is whole, then takes
 * its name; one a kill cut short is deleted at boot (storage_init). No user file ends so. */
#define STORAGE_PARTIAL_SUFFIX ".part"
int storage_is_partial(const char *name);

int storage_init(struct storage *st, const char *state_dir);
/* The medium named by the first len bytes of name ("UFS", "sd", ...; any case), or -1. */
int storage_medium(const struct storage *st, const char *name, size_t len);
/* The medium called name ("UFS", "SD", "EFS"; any case), or -1. */
int storage_medium_named(const char *name);
/* The medium a "<MEDIUM>:<dir>" path is on, or -1. */
int storage_medium_of(const struct storage *st, const char *fota_path);
/* Creates a directory and its missing parents below the state dir. */
void storage_mkdirs(const struct storage *st, char *dir);
/* Bytes used by files on a medium (the sum of their sizes). */
uint64_t storage_used(const struct storage *st, enum medium m);
uint64_t storage_free(const struct storage *st, enum medium m);
/* Fills a medium with a placeholder file (".fill") of this many bytes, replacing an earlier
 * one; 0 removes it. -1 if it cannot be written. */
int storage_fill(const struct storage *st, enum medium m, uint64_t bytes);
/* Fills a medium so that exactly `left` bytes stay free (or as near as the files allow). */
int storage_fill_leaving(const struct storage *st, enum medium m, uint64_t left);
/* Resolves "<MEDIUM>:<dir>" and a file name to a host path, creating the directory.
 * Returns the medium, or -1 if the medium is unknown. */
int storage_resolve(const struct storage *st, const char *fota_path, const char *file, char *out,
                    size_t size);

#define FILE_NAME_MAX 80

/* A file command's name: "name" (UFS), "UFS:name", "SD:name", "EFS:name". Resolves it to a
 * host path; returns the medium, or -1 for a bad name. */
int storage_file(const struct storage *st, const char *name, char *out, size_t size);
/* Quectel's file checksum: XOR of the data taken as big-endian 16-bit words (an odd last byte is
 * the high byte of a word). */
uint16_t storage_checksum(uint16_t sum, const uint8_t *data, size_t len, int *odd_carry,
                          uint8_t *pending);

#endif
