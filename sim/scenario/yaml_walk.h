/* yaml_walk: reading a libyaml document tree with errors that name the file, the line and the
 * field: typed getters for scalars and a walk over a mapping's pairs. Used by the scenario
 * loader and the runner's sections. */
#ifndef FOTASIM_YAML_WALK_H
#define FOTASIM_YAML_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

struct walk {
  yaml_document_t *doc;
  const char *path;
  char *err;
  size_t errlen;
  /* sections the scenario loader leaves to its caller (see scenario_load_sections) */
  int (*section_fn)(void *ctx, struct walk *w, const char *key, yaml_node_t *k, yaml_node_t *v);
  void *section_ctx;
};

/* Limits on YAML from outside (scenario files, injected rules), checked before a document tree
 * is built: libyaml's loader is quadratic in nesting depth and holds every node in memory. */
#define YW_MAX_BYTES (1024 * 1024)
#define YW_MAX_DEPTH 64
#define YW_MAX_NODES 100000

/* Parses text as events only, stopping at the first limit passed: 0, or -1 with
 * "where:line: YAML: ..." in err. */
int yw_precheck(const unsigned char *text, size_t len, const char *where, char *err,
                size_t errlen);

/* Writes "file:line: field: message" into w->err; returns -1. */
int yw_bad(struct walk *w, const yaml_node_t *n, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
yaml_node_t *yw_node(struct walk *w, int id);
/* A scalar's text, or NULL for another kind of node. */
const char *yw_scalar(const yaml_node_t *n);
int yw_u64(struct walk *w, const yaml_node_t *n, const char *field, uint64_t min, uint64_t max,
           uint64_t *out);
int yw_int(struct walk *w, const yaml_node_t *n, const char *field, int min, int max, int *out);
int yw_bool(struct walk *w, const yaml_node_t *n, const char *field, int *out);
int yw_str(struct walk *w, const yaml_node_t *n, const char *field, char *out, size_t size);

/* base: what the walk fills (a scenario, the runner's sections); arg: the item at hand. */
typedef int (*pair_fn)(struct walk *w, void *base, const char *key, yaml_node_t *k,
                       yaml_node_t *v, void *arg);
/* Calls fn for each key/value of a mapping; a non-mapping is an error. */
int yw_each(struct walk *w, void *base, yaml_node_t *n, const char *field, pair_fn fn,
            void *arg);

/* Settings as rows, not strcmp chains: one row a key of a mapping, walked by yw_fields. */
enum yw_type {
  YW_BOOL,     /* int: true/false */
  YW_INT,      /* int in [min, max] */
  YW_U32,      /* uint32_t in [min, max] */
  YW_U64,      /* uint64_t in [min, max] */
  YW_STR,      /* char[max + 1] */
  YW_WORD,     /* int: one of words[] (values[i], or its index when values is NULL) */
  YW_CUSTOM    /* parse() reads it */
};

struct yw_field {
  const char *name;
  enum yw_type type;
  size_t offset;               /* where in the object the value goes */
  uint64_t min, max;           /* numbers; YW_STR: max is the longest string */
  const char *const *words;    /* YW_WORD: NULL-terminated */
  const int *values;
  const char *expected;        /* YW_WORD: the error's "expected ..." */
  size_t given;                /* an int flag set to 1 when the key is present: its offset + 1
                                  (0: none), as YW_GIVEN writes it */
  int (*parse)(struct walk *w, void *base, void *obj, const yaml_node_t *v, const char *field);
};

#define YW_GIVEN(type, member) (offsetof(type, member) + 1)
#define YW_FIELD_COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* One key of a mapping by the table (what yw_fields does for each). */
int yw_field_read(struct walk *w, void *base, void *obj, const char *section,
                  const struct yw_field *table, size_t count, const char *key, yaml_node_t *k,
                  yaml_node_t *v);
/* Reads a mapping into obj by the table; a key not in it is "unknown field" of section. */
int yw_fields(struct walk *w, void *base, void *obj, yaml_node_t *n, const char *section,
              const struct yw_field *table, size_t count);

#endif
