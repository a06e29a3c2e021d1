/* transcript_print: a transcript pretty-printed (see transcript_print.h). Event data holds one
 * code point per byte (U+0000-U+00FF, so that any byte round-trips through JSON); here the
 * bytes are printed as text: printable ASCII as is, \r \n \t \\ and \xHH for the rest, a long
 * run shortened in the middle. */
#include "transcript_print.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_MAX 240  /* bytes of one event shown before the middle is left out */

/* The bytes a data string stands for (each code point one byte); their count. */
static size_t bytes_of(const char *s, unsigned char *out, size_t max)
{
  size_t n = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p && n < max) {
    if (p[0] >= 0xC2 && p[0] <= 0xC3 && (p[1] & 0xC0) == 0x80) {
      out[n++] = (unsigned char)((p[0] & 0x03) << 6 | (p[1] & 0x3F));
      p += 2;
    } else {
      out[n++] = *p++;
    }
  }
  return n;
}

static void put_escaped(FILE *out, const unsigned char *b, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = b[i];
    if (c == '\r')
      fputs("\\r", out);
    else if (c == '\n')
      fputs("\\n", out);
    else if (c == '\t')
      fputs("\\t", out);
    else if (c == '\\')
      fputs("\\\\", out);
    else if (c >= 0x20 && c < 0x7F)
      fputc(c, out);
    else
      fprintf(out, "\\x%02x", c);
  }
}

static void put_data(FILE *out, const char *s)
{
  size_t len = strlen(s), n;
  unsigned char *b = malloc(len + 1);
  if (!b)
    return;
  n = bytes_of(s, b, len + 1);
  if (n <= SHOW_MAX) {
    put_escaped(out, b, n);
  } else {
    put_escaped(out, b, SHOW_MAX / 2);
    fprintf(out, " ... (%zu bytes in all) ... ", n);
    put_escaped(out, b + n - SHOW_MAX / 2, SHOW_MAX / 2);
  }
  free(b);
}

static const char *str(json_t *o, const char *key)
{
  return json_string_value(json_object_get(o, key));
}

static void print_event(FILE *out, json_t *ev)
{
  const char *type = str(ev, "event"), *port = str(ev, "port"), *text;
  static const char *const keys[] = { "data", "command", "result", "text", "detail" };
  fprintf(out, "%10.3f s  vt %8lld  m%lld %-6s %-7s", json_real_value(json_object_get(ev, "t")),
          (long long)json_integer_value(json_object_get(ev, "vt")),
          (long long)json_integer_value(json_object_get(ev, "module")), port ? port : "-",
          type ? type : "?");
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    if (!(text = str(ev, keys[i])))
      continue;
    fputs(i ? "  " : " ", out);
    if (i)
      fprintf(out, "%s: ", keys[i]);
    put_data(out, text);
  }
  { /* the other fields (a state change, the network), as compact JSON */
    const char *key;
    json_t *v, *rest = json_object();
    json_object_foreach(ev, key, v) {
      int shown = !strcmp(key, "event") || !strcmp(key, "t") || !strcmp(key, "vt") ||
                  !strcmp(key, "module") || !strcmp(key, "port");
      for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        shown |= !strcmp(key, keys[i]);
      if (!shown)
        json_object_set(rest, key, v);
    }
    if (json_object_size(rest)) {
      char *s = json_dumps(rest, JSON_COMPACT | JSON_SORT_KEYS);
      if (s)
        fprintf(out, " %s", s);
      free(s);
    }
    json_decref(rest);
  }
  fputc('\n', out);
}

int transcript_print(const char *path, FILE *out)
{
  FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  if (!f) {
    fprintf(stderr, "fotasimctl: cannot read the transcript %s: %s\n", path, strerror(errno));
    return -1;
  }
  while ((n = getline(&line, &cap, f)) > 0) {
    json_t *ev = json_loads(line, 0, NULL);
    if (json_is_object(ev) && str(ev, "event"))
      print_event(out, ev);
    else
      fputs(line, out); /* not an event: as it is */
    json_decref(ev);
  }
  free(line);
  if (f != stdin)
    fclose(f);
  return 0;
}
