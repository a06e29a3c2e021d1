/* standalone: runs a fuzz target without libFuzzer: its seeds and the files of a corpus
 * directory (inputs that once failed), then deterministic mutations of them (bit flips, byte
 * changes, cuts, insertions, splices), so that every test run, with AddressSanitizer and UBSan,
 * tries thousands of bad inputs. `--seeds DIR` writes the seeds for libFuzzer's corpus instead. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_SEEDS 64
#define FUZZ_INPUT_MAX (1u << 20)

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static int nseeds;
static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void keep(const uint8_t *data, size_t len)
{
  if (nseeds == MAX_SEEDS || len > FUZZ_INPUT_MAX)
    return;
  seeds[nseeds] = malloc(len ? len : 1);
  memcpy(seeds[nseeds], data, len);
  seed_len[nseeds++] = len;
}

/* One mutation of a seed into buf; its length. */
static size_t mutate(uint8_t *buf, int s)
{
  size_t len = seed_len[s];
  memcpy(buf, seeds[s], len);
  for (int k = 1 + (int)(next() % 4); k > 0; k--) {
    size_t at = len ? next() % len : 0;
    switch (next() % 6) {
    case 0: if (len) buf[at] ^= (uint8_t)(1u << (next() % 8)); break;
    case 1: if (len) buf[at] = (uint8_t)next(); break;
    case 2: len = at; break;                                       /* cut */
    case 3: if (len < FUZZ_INPUT_MAX) {                                 /* insert a byte */
        memmove(buf + at + 1, buf + at, len - at);
        buf[at] = (uint8_t)next();
        len++;
      }
      break;
    case 4: {                                                      /* splice another seed */
      int o = (int)(next() % (uint64_t)nseeds);
      size_t from = seed_len[o] ? next() % seed_len[o] : 0, n = seed_len[o] - from;
      if (at + n > FUZZ_INPUT_MAX)
        n = FUZZ_INPUT_MAX - at;
      memcpy(buf + at, seeds[o] + from, n);
      if (at + n > len)
        len = at + n;
      break;
    }
    default: if (len) memset(buf + at, 0xFF, (len - at) < 8 ? len - at : 8); break;
    }
  }
  return len;
}

/* Every file of dir becomes a seed (a missing directory is no corpus). */
static void read_corpus(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  uint8_t *buf = malloc(FUZZ_INPUT_MAX);
  while (d && buf && (e = readdir(d))) {
    char path[4200];
    FILE *f;
    size_t n;
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (!(f = fopen(path, "rb")))
      continue;
    n = fread(buf, 1, FUZZ_INPUT_MAX, f);
    fclose(f);
    keep(buf, n);
  }
  if (d)
    closedir(d);
  free(buf);
}

int main(int argc, char **argv)
{
  long runs = 5000;
  uint8_t *buf = malloc(FUZZ_INPUT_MAX + 1);
  fuzz_init();
  fuzz_seeds(keep);
  if (argc == 3 && !strcmp(argv[1], "--seeds")) {
    for (int i = 0; i < nseeds; i++) {
      char path[4200];
      FILE *f;
      snprintf(path, sizeof(path), "%s/seed-%02d", argv[2], i);
      f = fopen(path, "wb");
      if (!f || fwrite(seeds[i], 1, seed_len[i], f) != seed_len[i]) {
        fprintf(stderr, "cannot write %s\n", path);
        return 1;
      }
      fclose(f);
    }
    return 0;
  }
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 < argc && !strcmp(argv[i], "--runs")) {
      runs = atol(argv[i + 1]);
    } else if (i + 1 < argc && !strcmp(argv[i], "--corpus")) {
      read_corpus(argv[i + 1]);
    } else {
      fprintf(stderr, "Usage: %s [--runs N] [--corpus DIR] | --seeds DIR\n", argv[0]);
      return 2;
    }
  }
  if (!buf || nseeds == 0)
    return 1;
  for (int i = 0; i < nseeds; i++)
    fuzz_one(seeds[i], seed_len[i]);
  for (long r = 0; r < runs; r++) {
    size_t len = mutate(buf, (int)(next() % (uint64_t)nseeds));
    fuzz_one(buf, len);
  }
  printf("%d seeds, %ld mutated inputs: no failure\n", nseeds, runs);
  for (int i = 0; i < nseeds; i++)
    free(seeds[i]);
  free(buf);
  return 0;
}
