/* run_shard: `fotasim run --shard I/N|auto`: the spec, where CI systems put it, and the split. */
#include "run_shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARD_MAX 1000

static int parse_pair(const char *text, struct run_shard *s)
{
  char *end;
  long i = strtol(text, &end, 10), n;
  if (end == text || *end != '/')
    return -1;
  text = end + 1;
  n = strtol(text, &end, 10);
  if (end == text || *end || n < 1 || n > SHARD_MAX || i < 1 || i > n)
    return -1;
  s->index = (int)i;
  s->count = (int)n;
  return 0;
}

int run_shard_parse(const char *spec, struct run_shard *s, char *err, size_t errlen)
{
  const char *env, *count;
  s->index = s->count = 0;
  if (strcmp(spec, "auto") != 0) {
    if (parse_pair(spec, s) == 0)
      return 0;
    snprintf(err, errlen, "bad --shard '%s' (I/N with 1 <= I <= N <= %d, or auto)", spec, SHARD_MAX);
    return -1;
  }
  if ((env = getenv("FOTASIM_SHARD")) && *env) {
    if (parse_pair(env, s) == 0)
      return 0;
    snprintf(err, errlen, "bad FOTASIM_SHARD '%s' (I/N with 1 <= I <= N <= %d)", env, SHARD_MAX);
    return -1;
  }
  if ((env = getenv("JOB_COMPLETION_INDEX")) && *env) {
    char pair[64], *end;
    long k = strtol(env, &end, 10);
    count = getenv("FOTASIM_SHARD_COUNT");
    if (!count || !*count) {
      snprintf(err, errlen, "--shard auto: JOB_COMPLETION_INDEX is %s but FOTASIM_SHARD_COUNT "
               "(the Job's completions) is not set", env);
      return -1;
    }
    snprintf(pair, sizeof(pair), "%ld/%.20s", k + 1, count);
    if (*end || k < 0 || parse_pair(pair, s) != 0) {
      snprintf(err, errlen, "--shard auto: JOB_COMPLETION_INDEX '%s' does not fit "
               "FOTASIM_SHARD_COUNT '%s' (0 <= index < count <= %d)", env, count, SHARD_MAX);
      return -1;
    }
    return 0;
  }
  snprintf(err, errlen, "--shard auto: neither FOTASIM_SHARD (I/N) nor JOB_COMPLETION_INDEX "
           "is set");
  return -1;
}

static int by_name(const void *a, const void *b, void *names)
{
  const char *const *v = names;
  return strcmp(v[*(const int *)a], v[*(const int *)b]);
}

int run_shard_select(const struct run_shard *s, const char *const *names, int n, char *keep)
{
  int *order;
  for (int i = 0; i < n; i++)
    keep[i] = s->count == 0;
  if (s->count == 0 || n == 0)
    return 0;
  order = malloc(sizeof(int) * (size_t)n);
  if (!order)
    return -1;
  for (int i = 0; i < n; i++)
    order[i] = i;
  qsort_r(order, (size_t)n, sizeof(int), by_name, (void *)names);
  for (int p = 0; p < n; p++)
    keep[order[p]] = p % s->count == s->index - 1;
  free(order);
  return 0;
}
