/* jsonl: the control protocol's framing, one JSON object per line each way, for both ends (the
 * control server in fotasim and the runner's client): a line reader over a bounded buffer that
 * the caller reads into, and an encoder. No I/O of its own. */
#ifndef FOTASIM_JSONL_H
#define FOTASIM_JSONL_H

#include <jansson.h>
#include <stddef.h>

struct jsonl_reader {
  char *buf;
  size_t len, cap;
  size_t max;          /* the longest line it holds */
};

/* A line handler: nonzero stops the reading (the connection is closing). */
typedef int (*jsonl_line_fn)(void *ctx, const char *line, size_t len);

void jsonl_init(struct jsonl_reader *r, size_t max);
void jsonl_free(struct jsonl_reader *r);
/* Where the next read goes and how much fits (0: no memory). */
char *jsonl_space(struct jsonl_reader *r, size_t *room);
/* n bytes were read into the space: fn for each whole line without its '\n' (empty lines are
 * skipped). 0, 1 if fn stopped it, -1 if a line is longer than max (nothing more is read). */
int jsonl_feed(struct jsonl_reader *r, size_t n, jsonl_line_fn fn, void *ctx);
/* One object as a line: malloc'd text ending in '\n' (*len counts it), NULL on failure. */
char *jsonl_encode(const json_t *obj, size_t *len);

#endif
