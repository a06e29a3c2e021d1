/* yaml_walk: typed reads from a libyaml document with file:line: field errors (see yaml_walk.h). */
#include "yaml_walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int yw_bad(struct walk *w, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  for (char *p = msg; *p; p++) /* the file's own text may be quoted: the error stays one line */
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
  snprintf(w->err, w->errlen, "%s:%lu: %s: %s", w->path,
           (unsigned long)(n ? n->start_mark.line + 1 : 0), field, msg);
  return -1;
}

yaml_node_t *yw_node(struct walk *w, int id)
{
  return yaml_document_get_node(w->doc, id);
}

const char *yw_scalar(const yaml_node_t *n)
{
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int yw_u64(struct walk *w, const yaml_node_t *n, const char *field, uint64_t min,
                   uint64_t max, uint64_t *out)
{
  const char *s = yw_scalar(n);
  char *end;
  unsigned long long v;
  if (!s || !*s || *s == '-')
    return yw_bad(w, n, field, "expected a whole number");
  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno || *end)
    return yw_bad(w, n, field, "expected a whole number, not '%s'", s);
  if (v < min || v > max)
    return yw_bad(w, n, field, "%llu is out of range (%llu to %llu)", v, (unsigned long long)min,
               (unsigned long long)max);
  *out = v;
  return 0;
}

int yw_int(struct walk *w, const yaml_node_t *n, const char *field, int min, int max,
                   int *out)
{
  uint64_t v;
  if (yw_u64(w, n, field, (uint64_t)min, (uint64_t)max, &v) != 0)
    return -1;
  *out = (int)v;
  return 0;
}

int yw_bool(struct walk *w, const yaml_node_t *n, const char *field, int *out)
{
  const char *s = yw_scalar(n);
  if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
    *out = 1;
  else if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")))
    *out = 0;
  else
    return yw_bad(w, n, field, "expected true or false");
  return 0;
}

int yw_str(struct walk *w, const yaml_node_t *n, const char *field, char *out,
                   size_t size)
{
  const char *s = yw_scalar(n);
  if (!s)
    return yw_bad(w, n, field, "expected a string");
  if (strlen(s) >= size)
    return yw_bad(w, n, field, "longer than %zu characters", size - 1);
  snprintf(out, size, "%s", s);
  return 0;
}



int yw_each(struct walk *w, void *base, yaml_node_t *n, const char *field,
                     pair_fn fn, void *arg)
{
  if (!n || n->type != YAML_MAPPING_NODE)
    return yw_bad(w, n, field, "expected a mapping");
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yw_node(w, p->key), *v = yw_node(w, p->value);
    const char *key = yw_scalar(k);
    if (!key)
      return yw_bad(w, k, field, "keys must be plain names");
    if (fn(w, base, key, k, v, arg) != 0)
      return -1;
  }
  return 0;
}

