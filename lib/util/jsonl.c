/* jsonl: JSON-lines framing (see jsonl.h). */
#include "jsonl.h"

#include <stdlib.h>
#include <string.h>

#define JSONL_READ_MIN 65536  /* room offered to each read, while the line limit allows */

void jsonl_init(struct jsonl_reader *r, size_t max)
{
  memset(r, 0, sizeof(*r));
  r->max = max;
}

void jsonl_free(struct jsonl_reader *r)
{
  free(r->buf);
  r->buf = NULL;
  r->len = r->cap = 0;
}

char *jsonl_space(struct jsonl_reader *r, size_t *room)
{
  if (r->cap - r->len < JSONL_READ_MIN && r->cap < r->max) {
    size_t cap = r->cap ? r->cap * 2 : JSONL_READ_MIN;
    char *n;
    while (cap - r->len < JSONL_READ_MIN && cap < r->max)
      cap *= 2;
    if (cap > r->max)
      cap = r->max;
    n = realloc(r->buf, cap);
    if (n) {
      r->buf = n;
      r->cap = cap;
    }
  }
  *room = r->cap - r->len;
  return r->buf ? r->buf + r->len : NULL;
}

int jsonl_feed(struct jsonl_reader *r, size_t n, jsonl_line_fn fn, void *ctx)
{
  size_t start = 0;
  r->len += n;
  for (size_t i = 0; i < r->len; i++) {
    if (r->buf[i] != '\n')
      continue;
    if (i > start && fn(ctx, r->buf + start, i - start) != 0)
      return 1;
    start = i + 1;
  }
  memmove(r->buf, r->buf + start, r->len - start);
  r->len -= start;
  return r->len >= r->max ? -1 : 0;
}

char *jsonl_encode(const json_t *obj, size_t *len)
{
  char *text = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(12)), *line;
  size_t n;
  if (!text)
    return NULL;
  n = strlen(text);
  line = realloc(text, n + 2);
  if (!line) {
    free(text);
    return NULL;
  }
  line[n] = '\n';
  line[n + 1] = '\0';
  *len = n + 1;
  return line;
}
