/* run_shard: `fotasim run --shard`: which scenarios one machine of a CI matrix runs. */
#ifndef FOTASIM_RUN_SHARD_H
#define FOTASIM_RUN_SHARD_H

#include <stddef.h>

struct run_shard {
  int index, count; /* index 1..count; count 0: no sharding */
};

/* "I/N" (1 <= I <= N <= 1000), or "auto": FOTASIM_SHARD ("I/N"), else a Kubernetes Indexed
 * Job's JOB_COMPLETION_INDEX (0-based) with FOTASIM_SHARD_COUNT. -1 with a one-line message. */
int run_shard_parse(const char *spec, struct run_shard *s, char *err, size_t errlen);
/* Marks in keep[] the n named scenarios that are this shard's: the names in byte order, dealt
 * out in turn, so that the N shards are disjoint, cover all, differ in size by one at most and
 * do not depend on the order of the command line. -1 when out of memory. */
int run_shard_select(const struct run_shard *s, const char *const *names, int n, char *keep);

#endif
