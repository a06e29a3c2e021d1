/* expect_parse: the sections of a scenario file that only `fotasim run` reads: `expect` (what
 * the host under test must achieve), `package` (the firmware package the runner builds for
 * it) and `services` (the broker, the HTTP server and what they hold). Format:
 * docs/scenarios.md. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "expect_parse.h"

#include "fota_phase.h"

static int count_fields(struct walk *w, const char *key, yaml_node_t *v, const char *field,
                        int *min, int *max)
{
  int never = 0;
  if (!strcmp(key, "count")) {
    if (yw_int(w, v, field, 0, 1000000, min) != 0)
      return -1;
    *max = *min;
    return 1;
  }
  if (!strcmp(key, "min"))
    return yw_int(w, v, field, 0, 1000000, min) ? -1 : 1;
  if (!strcmp(key, "max"))
    return yw_int(w, v, field, 0, 1000000, max) ? -1 : 1;
  if (!strcmp(key, "never")) {
    if (yw_bool(w, v, field, &never) != 0)
      return -1;
    if (never)
      *min = *max = 0;
    return 1;
  }
  return 0;
}

static int output_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                        yaml_node_t *v, void *arg)
{
  struct run_scenario *sc = base;
  struct expect_output *o = arg;
  int rc = count_fields(w, key, v, "expect.output", &o->min, &o->max);
  (void)sc;
  if (rc)
    return rc < 0 ? -1 : 0;
  if (!strcmp(key, "match"))
    return yw_str(w, v, "expect.output.match", o->match, sizeof(o->match));
  if (!strcmp(key, "port")) {
    const char *s = yw_scalar(v);
    o->port = s && !strcmp(s, "main") ? 0 : s && !strcmp(s, "usb") ? 1 : -2;
    return o->port < 0 ? yw_bad(w, v, "expect.output.port", "expected main or usb") : 0;
  }
  return yw_bad(w, k, "expect.output", "unknown field '%s'", key);
}

static int command_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                         yaml_node_t *v, void *arg)
{
  struct run_scenario *sc = base;
  struct expect_command *c = arg;
  int rc = count_fields(w, key, v, "expect.commands", &c->min, &c->max);
  (void)sc;
  if (rc)
    return rc < 0 ? -1 : 0;
  if (!strcmp(key, "match"))
    return yw_str(w, v, "expect.commands.match", c->match, sizeof(c->match));
  if (!strcmp(key, "after"))
    return yw_str(w, v, "expect.commands.after", c->after, sizeof(c->after));
  if (!strcmp(key, "within"))
    return yw_u64(w, v, "expect.commands.within", 1, 1ull << 40, &c->within_ms);
  if (!strcmp(key, "during")) {
    const char *s = yw_scalar(v);
    int p = s ? fota_phase_parse(s) : -1;
    c->during = p > FOTA_IDLE ? p : -1;
    return c->during < 0 ? yw_bad(w, v, "expect.commands.during",
                                  "expected datacall, download, verify, update or reboot")
                         : 0;
  }
  return yw_bad(w, k, "expect.commands", "unknown field '%s'", key);
}

static int published_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                           yaml_node_t *v, void *arg)
{
  struct expect_published *p = arg;
  (void)base;
  if (!strcmp(key, "topic"))
    return yw_str(w, v, "expect.published.topic", p->topic, sizeof(p->topic));
  if (!strcmp(key, "match"))
    return yw_str(w, v, "expect.published.match", p->match, sizeof(p->match));
  return yw_bad(w, k, "expect.published", "unknown field '%s'", key);
}

static void init_published(void *p)
{
  memset(p, 0, sizeof(struct expect_published));
}

static int deadline_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                          yaml_node_t *v, void *arg)
{
  struct run_scenario *sc = base;
  (void)arg;
  if (!strcmp(key, "wall"))
    return yw_u64(w, v, "expect.deadline.wall", 1, 1ull << 40, &sc->expect.wall_ms);
  if (!strcmp(key, "virtual"))
    return yw_u64(w, v, "expect.deadline.virtual", 1, 1ull << 40, &sc->expect.virtual_ms);
  return yw_bad(w, k, "expect.deadline", "unknown field '%s'", key);
}

/* A list of mappings, each read into the next slot of an array; each needs its `match`
 * (a string at match_offset in the slot). */
static int each_item(struct walk *w, void *base, yaml_node_t *v, const char *field,
                     pair_fn fn, void *slots, size_t slot_size, size_t match_offset, int *n,
                     void (*init)(void *))
{
  struct run_scenario *sc = base;
  if (v->type != YAML_SEQUENCE_NODE)
    return yw_bad(w, v, field, "expected a list");
  for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
       it++) {
    yaml_node_t *item = yw_node(w, *it);
    void *slot = (char *)slots + (size_t)*n * slot_size;
    if (*n == EXPECT_MAX)
      return yw_bad(w, v, field, "more than %d entries", EXPECT_MAX);
    init(slot);
    if (yw_each(w, sc, item, field, fn, slot) != 0)
      return -1;
    if (!((const char *)slot)[match_offset])
      return yw_bad(w, item, field, "needs 'match'");
    (*n)++;
  }
  return 0;
}

static void init_output(void *p)
{
  struct expect_output *o = p;
  memset(o, 0, sizeof(*o));
  o->port = -1;
  o->min = 1;
  o->max = -1;
}

static void init_command(void *p)
{
  struct expect_command *c = p;
  memset(c, 0, sizeof(*c));
  c->min = 0;
  c->max = -1;
  c->during = -1;
}

static int expect_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                        yaml_node_t *v, void *arg)
{
  struct run_scenario *sc = base;
  struct expectations *e = &sc->expect;
  (void)arg;
  if (!strcmp(key, "revision"))
    return yw_str(w, v, "expect.revision", e->revision, sizeof(e->revision));
  if (!strcmp(key, "bricked"))
    return yw_bool(w, v, "expect.bricked", &e->bricked);
  if (!strcmp(key, "host_exit")) {
    e->host_exit_given = 1;
    const char *s = yw_scalar(v);
    if (s && !strcmp(s, "any")) {
      e->host_exit = -1;
      return 0;
    }
    return yw_int(w, v, "expect.host_exit", 0, 255, &e->host_exit);
  }
  if (!strcmp(key, "deadline"))
    return yw_each(w, sc, v, "expect.deadline", deadline_field, NULL);
  if (!strcmp(key, "output")) {
    int first = e->nout, rc = each_item(w, sc, v, "expect.output", output_field, e->out,
                                        sizeof(e->out[0]), offsetof(struct expect_output, match),
                                        &e->nout, init_output);
    for (int i = first; i < e->nout; i++)
      e->out[i].line = yw_node(w, v->data.sequence.items.start[i - first])->start_mark.line + 1;
    return rc;
  }
  if (!strcmp(key, "commands")) {
    int first = e->ncmd, rc = each_item(w, sc, v, "expect.commands", command_field, e->cmd,
                                        sizeof(e->cmd[0]), offsetof(struct expect_command, match),
                                        &e->ncmd, init_command);
    for (int i = first; i < e->ncmd; i++) {
      yaml_node_t *item = yw_node(w, v->data.sequence.items.start[i - first]);
      e->cmd[i].line = item->start_mark.line + 1;
      if (e->cmd[i].after[0] && !e->cmd[i].within_ms)
        return yw_bad(w, item, "expect.commands", "'after' needs 'within' (ms)");
    }
    return rc;
  }
  if (!strcmp(key, "published")) {
    int first = e->npub, rc = each_item(w, sc, v, "expect.published", published_field, e->pub,
                                        sizeof(e->pub[0]), offsetof(struct expect_published, match),
                                        &e->npub, init_published);
    for (int i = first; i < e->npub; i++) {
      yaml_node_t *item = yw_node(w, v->data.sequence.items.start[i - first]);
      e->pub[i].line = item->start_mark.line + 1;
      if (!e->pub[i].topic[0])
        return yw_bad(w, item, "expect.published", "needs 'topic'");
    }
    return rc;
  }
  return yw_bad(w, k, "expect", "unknown field '%s'", key);
}

static int package_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                         yaml_node_t *v, void *arg)
{
  struct run_scenario *sc = base;
  struct scenario_package *p = &sc->package;
  (void)arg;
  if (!strcmp(key, "revision"))
    return yw_str(w, v, "package.revision", p->revision, sizeof(p->revision));
  if (!strcmp(key, "kind")) {
    const char *s = yw_scalar(v);
    if (s && (!strcmp(s, "full") || !strcmp(s, "delta"))) {
      p->full = !strcmp(s, "full");
      return 0;
    }
    return yw_bad(w, v, "package.kind", "expected full or delta");
  }
  if (!strcmp(key, "base")) {
    const char *s = yw_scalar(v);
    if (s && (!strcmp(s, "module") || !strcmp(s, "default"))) {
      p->base_default = !strcmp(s, "default");
      return 0;
    }
    return yw_bad(w, v, "package.base", "expected module or default");
  }
  return yw_bad(w, k, "package", "unknown field '%s'", key);
}

static int file_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                      yaml_node_t *v, void *arg)
{
  struct run_scenario *sc = base;
  int i = sc->services.nfiles;
  (void)arg;
  if (!strcmp(key, "name")) {
    const char *s = yw_scalar(v);
    if (!s || !s[0] || strchr(s, '/') || s[0] == '.' || strlen(s) >= sizeof(sc->services.files[i].name))
      return yw_bad(w, v, "services.files.name", "expected a plain file name (no '/')");
    return yw_str(w, v, "services.files.name", sc->services.files[i].name,
                  sizeof(sc->services.files[i].name));
  }
  if (!strcmp(key, "text"))
    return yw_str(w, v, "services.files.text", sc->services.files[i].text,
                  sizeof(sc->services.files[i].text));
  return yw_bad(w, k, "services.files", "unknown field '%s'", key);
}

static int announce_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                          yaml_node_t *v, void *arg)
{
  struct scenario_services *s = &((struct run_scenario *)base)->services;
  (void)arg;
  if (!strcmp(key, "topic"))
    return yw_str(w, v, "services.announce.topic", s->announce_topic, sizeof(s->announce_topic));
  if (!strcmp(key, "message"))
    return yw_str(w, v, "services.announce.message", s->announce_message,
                  sizeof(s->announce_message));
  return yw_bad(w, k, "services.announce", "unknown field '%s'", key);
}

static int services_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                          yaml_node_t *v, void *arg)
{
  struct run_scenario *sc = base;
  struct scenario_services *s = &sc->services;
  (void)arg;
  if (!strcmp(key, "broker"))
    return yw_bool(w, v, "services.broker", &s->broker);
  if (!strcmp(key, "http"))
    return yw_bool(w, v, "services.http", &s->http);
  if (!strcmp(key, "announce")) {
    if (yw_each(w, sc, v, "services.announce", announce_field, NULL) != 0)
      return -1;
    if (!s->announce_topic[0] || !s->announce_message[0])
      return yw_bad(w, v, "services.announce", "needs 'topic' and 'message'");
    return 0;
  }
  if (!strcmp(key, "files")) {
    if (v->type != YAML_SEQUENCE_NODE)
      return yw_bad(w, v, "services.files", "expected a list");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
      yaml_node_t *item = yw_node(w, *it);
      if (s->nfiles == RUN_FILES_MAX)
        return yw_bad(w, v, "services.files", "more than %d files", RUN_FILES_MAX);
      if (yw_each(w, sc, item, "services.files", file_field, NULL) != 0)
        return -1;
      if (!s->files[s->nfiles].name[0])
        return yw_bad(w, item, "services.files", "needs 'name'");
      s->nfiles++;
    }
    return 0;
  }
  return yw_bad(w, k, "services", "unknown field '%s'", key);
}

static int runner_section(void *ctx, struct walk *w, const char *key, yaml_node_t *k,
                          yaml_node_t *v)
{
  struct run_scenario *sc = ctx;
  (void)k;
  if (!strcmp(key, "expect")) {
    sc->expect.given = 1;
    return yw_each(w, sc, v, "expect", expect_field, NULL);
  }
  if (!strcmp(key, "package"))
    return yw_each(w, sc, v, "package", package_field, NULL);
  if (!strcmp(key, "services")) {
    struct scenario_services *s = &sc->services;
    if (yw_each(w, sc, v, "services", services_field, NULL) != 0)
      return -1;
    if (s->announce_topic[0] && !s->broker)
      return yw_bad(w, v, "services", "'announce' needs 'broker: true'");
    if (s->nfiles && !s->http)
      return yw_bad(w, v, "services", "'files' needs 'http: true'");
    return 0;
  }
  return 1; /* not one of these */
}

int run_scenario_load(const char *path, struct run_scenario *rs, char *err, size_t errlen)
{
  memset(&rs->package, 0, sizeof(rs->package));
  memset(&rs->services, 0, sizeof(rs->services));
  expectations_init(&rs->expect);
  if (scenario_load_sections(path, &rs->base, runner_section, rs, err, errlen) != 0)
    return -1;
  if (rs->expect.npub && !rs->services.broker) {
    snprintf(err, errlen, "%s:%lu: expect.published: needs 'services: {broker: true}'", path,
             rs->expect.pub[0].line);
    return -1;
  }
  return 0;
}
