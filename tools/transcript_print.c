/* transcript_print: a transcript pretty-printed (see transcript_print.h). Data is ASCII text
 * ("data", also events' one code point per byte) or "base64"; the bytes are printed as text:
 * printable ASCII as is, \r \n \t \\ and \xHH for the rest, a long run shortened in the
 * middle. */
#include "transcript_print.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bytes_text.h"

#define SHOW_MAX 240  /* bytes of one event shown before the middle is left out */

/* Bytes shown as text, a long run shortened in the middle. */
static void put_bytes(FILE *out, const unsigned char *b, size_t n)
{
  char text[SHOW_MAX * 4 + 1];
  if (n <= SHOW_MAX) {
    bytes_escape(b, n, text, sizeof(text));
    fputs(text, out);
    return;
  }
  bytes_escape(b, SHOW_MAX / 2, text, sizeof(text));
  fprintf(out, "%s ... (%zu bytes in all) ... ", text, n);
  bytes_escape(b + n - SHOW_MAX / 2, SHOW_MAX / 2, text, sizeof(text));
  fputs(text, out);
}

/* A string of one code point per byte (events), shown as its bytes. */
static void put_data(FILE *out, const char *s)
{
  size_t len = strlen(s);
  unsigned char *b = malloc(len + 1);
  if (!b)
    return;
  put_bytes(out, b, bytes_from_codepoints(s, len, b));
  free(b);
}

/* The transcript's binary data ("base64"), shown as its bytes. */
static void put_base64(FILE *out, const char *s)
{
  size_t n;
  unsigned char *b = bytes_from_base64(s, &n);
  if (b)
    put_bytes(out, b, n);
  else
    fputs("(bad base64)", out);
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
  if ((text = str(ev, "base64"))) { /* the bytes; its "text" is only their preview */
    fputc(' ', out);
    put_base64(out, text);
  }
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    if (!(text = str(ev, keys[i])) || (!strcmp(keys[i], "text") && str(ev, "base64")))
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
                  !strcmp(key, "module") || !strcmp(key, "port") || !strcmp(key, "base64");
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
