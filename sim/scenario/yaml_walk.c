/* yaml_walk: typed reads from a libyaml document with file:line: field errors (see yaml_walk.h). */
#include "yaml_walk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yw_precheck(const unsigned char *text, size_t len, const char *where, char *err,
                size_t errlen)
{
  yaml_parser_t p;
  int depth = 0, nodes = 0, rc = 0;
  if (len > YW_MAX_BYTES) {
    snprintf(err, errlen, "%s: larger than %d bytes", where, YW_MAX_BYTES);
    return -1;
  }
  yaml_parser_initialize(&p);
  yaml_parser_set_input_string(&p, text, len);
  for (;;) {
    yaml_event_t e;
    int done;
    if (!yaml_parser_parse(&p, &e)) {
      snprintf(err, errlen, "%s:%lu: YAML: %s", where, (unsigned long)p.problem_mark.line + 1,
               p.problem ? p.problem : "syntax error");
      rc = -1;
      break;
    }
    done = e.type == YAML_STREAM_END_EVENT;
    if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT)
      depth++;
    else if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT)
      depth--;
    if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT ||
        e.type == YAML_SCALAR_EVENT || e.type == YAML_ALIAS_EVENT)
      nodes++;
    if (depth > YW_MAX_DEPTH || nodes > YW_MAX_NODES) {
      snprintf(err, errlen, "%s:%lu: YAML: %s %d %s", where,
               (unsigned long)e.start_mark.line + 1,
               depth > YW_MAX_DEPTH ? "nested deeper than" : "more than",
               depth > YW_MAX_DEPTH ? YW_MAX_DEPTH : YW_MAX_NODES,
               depth > YW_MAX_DEPTH ? "levels" : "values");
      rc = -1;
      done = 1;
    }
    yaml_event_delete(&e);
    if (done)
      break;
  }
  yaml_parser_delete(&p);
  return rc;
}

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

struct fields_walk {
  void *obj;
  const char *section;
  const struct yw_field *table;
  size_t count;
};

static int word_value(const struct yw_field *f, const char *s, int *out)
{
  for (int i = 0; s && f->words[i]; i++) {
    if (!strcmp(s, f->words[i])) {
      *out = f->values ? f->values[i] : i;
      return 0;
    }
  }
  return -1;
}

int yw_field_read(struct walk *w, void *base, void *obj, const char *section,
                  const struct yw_field *table, size_t count, const char *key, yaml_node_t *k,
                  yaml_node_t *v)
{
  const struct yw_field *f = NULL;
  char field[96];
  char *at;
  uint64_t u;
  for (size_t i = 0; i < count && !f; i++)
    if (!strcmp(key, table[i].name))
      f = &table[i];
  if (!f)
    return yw_bad(w, k, section, "unknown field '%s'", key);
  if (strcmp(section, "scenario")) /* the top level's fields go by their own names */
    snprintf(field, sizeof(field), "%s.%s", section, key);
  else
    snprintf(field, sizeof(field), "%s", key);
  at = (char *)obj + f->offset;
  if (f->given)
    *(int *)((char *)obj + f->given - 1) = 1;
  switch (f->type) {
  case YW_BOOL:
    return yw_bool(w, v, field, (int *)at);
  case YW_INT:
    return yw_int(w, v, field, (int)f->min, (int)f->max, (int *)at);
  case YW_U32:
    if (yw_u64(w, v, field, f->min, f->max, &u) != 0)
      return -1;
    *(uint32_t *)at = (uint32_t)u;
    return 0;
  case YW_U64:
    return yw_u64(w, v, field, f->min, f->max, (uint64_t *)at);
  case YW_STR:
    return yw_str(w, v, field, at, (size_t)f->max + 1);
  case YW_WORD:
    return word_value(f, yw_scalar(v), (int *)at) ? yw_bad(w, v, field, "%s", f->expected) : 0;
  case YW_CUSTOM:
    return f->parse(w, base, obj, v, field);
  }
  return -1;
}

static int field_pair(struct walk *w, void *base, const char *key, yaml_node_t *k,
                      yaml_node_t *v, void *arg)
{
  const struct fields_walk *fw = arg;
  return yw_field_read(w, base, fw->obj, fw->section, fw->table, fw->count, key, k, v);
}

int yw_fields(struct walk *w, void *base, void *obj, yaml_node_t *n, const char *section,
              const struct yw_field *table, size_t count)
{
  struct fields_walk fw = { obj, section, table, count };
  return yw_each(w, base, n, section, field_pair, &fw);
}
