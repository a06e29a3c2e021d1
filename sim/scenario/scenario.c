/* scenario: a scenario file (YAML, read with libyaml's document API): the module, the network,
 * storage, a seed and fault rules. A bad file gives one line naming the file, the line and the
 * field. Format: docs/scenarios.md. */
#include "scenario.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "errors.h"
#include "file_util.h"
#include "network.h"
#include "storage.h"
#include "vclock.h"
#include "scenario_faults.h"
#include "yaml_walk.h"

#define S(member) offsetof(struct scenario, member)

static int module_model(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                        const char *field)
{
  const char *s = yw_scalar(v);
  struct scenario *sc = obj;
  (void)base;
  if (s && !strcasecmp(s, "EC200U"))
    sc->model = 0;
  else if (s && !strcasecmp(s, "EG915U"))
    sc->model = 1;
  else
    return yw_bad(w, v, field, "expected EC200U or EG915U");
  return 0;
}

static int module_timing(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                         const char *field)
{
  struct scenario *sc = obj;
  double scale;
  (void)base;
  if (yw_str(w, v, field, sc->timing, sizeof(sc->timing)) != 0)
    return -1;
  if (vclock_parse_timing(sc->timing, &scale) != 0)
    return yw_bad(w, v, field, "expected real, fast, instant or a positive factor");
  return 0;
}

static const struct yw_field module_fields[] = {
  { .name = "model", .type = YW_CUSTOM, .parse = module_model },
  { .name = "revision", .type = YW_STR, .offset = S(revision), .max = FW_REVISION_MAX },
  { .name = "timing", .type = YW_CUSTOM, .parse = module_timing },
  { .name = "quirks", .type = YW_BOOL, .offset = S(quirks) },
  { .name = "resume_update", .type = YW_BOOL, .offset = S(resume_update) },
  { .name = "host_timeout", .type = YW_U64, .offset = S(host_timeout_ms), .min = 1,
    .max = 3600000 },
};

static int dns_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                     yaml_node_t *v, void *arg)
{
  struct scenario *sc = base;
  (void)arg;
  if (sc->ndns == DNS_MAX_ENTRIES)
    return yw_bad(w, k, "network.dns", "more than %d names", DNS_MAX_ENTRIES);
  if (strlen(key) >= sizeof(sc->dns[0].name))
    return yw_bad(w, k, "network.dns", "name too long");
  snprintf(sc->dns[sc->ndns].name, sizeof(sc->dns[0].name), "%s", key);
  if (yw_str(w, v, "network.dns", sc->dns[sc->ndns].addr, sizeof(sc->dns[0].addr)) != 0)
    return -1;
  sc->ndns++;
  return 0;
}

static int network_dns(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                       const char *field)
{
  return yw_each(w, obj, (yaml_node_t *)v, field, dns_field, NULL);
}

static int network_apns(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                        const char *field)
{
  struct scenario *sc = obj;
  (void)base;
  if (v->type != YAML_SEQUENCE_NODE)
    return yw_bad(w, v, field, "expected a list of APNs");
  for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
       it++) {
    if (sc->napns == NETWORK_MAX_APNS)
      return yw_bad(w, v, field, "more than %d APNs", NETWORK_MAX_APNS);
    if (yw_str(w, yw_node(w, *it), field, sc->apns[sc->napns], NETWORK_APN_MAX) != 0)
      return -1;
    sc->napns++;
  }
  return 0;
}

#define O(member) offsetof(struct network_outage, member)

static int outage_registration(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                               const char *field)
{
  return scenario_registration(w, base, &((struct network_outage *)obj)->stat, v, field);
}

static const struct yw_field outage_fields[] = {
  { .name = "at", .type = YW_U64, .offset = O(at_ms), .max = 1ull << 40 },
  { .name = "for", .type = YW_U64, .offset = O(for_ms), .min = 1, .max = 1ull << 40 },
  { .name = "registration", .type = YW_CUSTOM, .parse = outage_registration },
};

static int network_outages(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                           const char *field)
{
  struct scenario *sc = obj;
  if (v->type != YAML_SEQUENCE_NODE)
    return yw_bad(w, v, field, "expected a list");
  for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
       it++) {
    struct network_outage *o;
    if (sc->noutages == SCENARIO_MAX_OUTAGES)
      return yw_bad(w, v, field, "more than %d outages", SCENARIO_MAX_OUTAGES);
    o = &sc->outages[sc->noutages];
    o->stat = REG_SEARCHING;
    o->for_ms = 0;
    if (yw_fields(w, base, o, yw_node(w, *it), field, outage_fields,
                  YW_FIELD_COUNT(outage_fields)) != 0)
      return -1;
    if (!o->for_ms)
      return yw_bad(w, yw_node(w, *it), field, "needs 'for' (ms)");
    if (sc->noutages > 0 &&
        o->at_ms < sc->outages[sc->noutages - 1].at_ms + sc->outages[sc->noutages - 1].for_ms)
      return yw_bad(w, yw_node(w, *it), field, "outages must be in order, not overlapping");
    sc->noutages++;
  }
  return 0;
}

static int network_registration(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                                const char *field)
{
  return scenario_registration(w, base, &((struct scenario *)obj)->registration, v, field);
}

static int network_rssi(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                        const char *field)
{
  return scenario_rssi(w, base, &((struct scenario *)obj)->rssi, v, field);
}

static const char *const rat_words[] = { "LTE", "GSM", NULL };
static const int rat_values[] = { RAT_LTE, RAT_GSM };

static const struct yw_field network_fields[] = {
  { .name = "registration", .type = YW_CUSTOM, .parse = network_registration },
  { .name = "rat", .type = YW_WORD, .offset = S(rat), .words = rat_words, .values = rat_values,
    .expected = "expected LTE or GSM" },
  { .name = "rssi", .type = YW_CUSTOM, .parse = network_rssi },
  { .name = "bandwidth", .type = YW_U64, .offset = S(bandwidth_bps), .min = 1000,
    .max = 10000000000ull },
  { .name = "latency", .type = YW_U32, .offset = S(latency_ms), .max = 60000,
    .given = YW_GIVEN(struct scenario, latency_given) },
  { .name = "dns", .type = YW_CUSTOM, .parse = network_dns },
  { .name = "apns", .type = YW_CUSTOM, .parse = network_apns },
  { .name = "outages", .type = YW_CUSTOM, .parse = network_outages },
};

static const struct yw_field sd_fields[] = {
  { .name = "present", .type = YW_BOOL, .offset = S(sd_present) },
  { .name = "capacity", .type = YW_U64, .offset = S(capacity[MEDIUM_SD]), .min = 1,
    .max = 1ull << 40 },
};

/* `sd: false`, or a mapping of its own */
static int storage_sd(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                      const char *field)
{
  struct scenario *sc = obj;
  if (v->type == YAML_SCALAR_NODE)
    return yw_bool(w, v, field, &sc->sd_present);
  return yw_fields(w, base, sc, (yaml_node_t *)v, field, sd_fields, YW_FIELD_COUNT(sd_fields));
}

static const struct yw_field storage_fields[] = {
  { .name = "ufs", .type = YW_U64, .offset = S(capacity[MEDIUM_UFS]), .min = 1,
    .max = 1ull << 40 },
  { .name = "efs", .type = YW_U64, .offset = S(capacity[MEDIUM_EFS]), .min = 1,
    .max = 1ull << 40 },
  { .name = "sd", .type = YW_CUSTOM, .parse = storage_sd },
};

static int a_string(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                    const char *field)
{
  (void)base;
  (void)obj;
  return yw_scalar(v) ? 0 : yw_bad(w, v, field, "expected a string");
}

static int section(struct walk *w, void *base, const yaml_node_t *v, const char *field,
                   const struct yw_field *t, size_t n)
{
  return yw_fields(w, base, base, (yaml_node_t *)v, field, t, n);
}

static int module_section(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                          const char *field)
{
  (void)obj;
  return section(w, base, v, field, module_fields, YW_FIELD_COUNT(module_fields));
}

static int network_section(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                           const char *field)
{
  (void)obj;
  return section(w, base, v, field, network_fields, YW_FIELD_COUNT(network_fields));
}

static int storage_section(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                           const char *field)
{
  (void)obj;
  return section(w, base, v, field, storage_fields, YW_FIELD_COUNT(storage_fields));
}

static int faults_section(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                          const char *field)
{
  struct scenario *sc = obj;
  (void)base;
  if (v->type != YAML_SEQUENCE_NODE)
    return yw_bad(w, v, field, "expected a list");
  for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
       it++) {
    if (sc->nfaults == SCENARIO_MAX_FAULTS)
      return yw_bad(w, v, field, "more than %d rules", SCENARIO_MAX_FAULTS);
    if (scenario_fault_rule(w, yw_node(w, *it), &sc->faults[sc->nfaults]) != 0)
      return -1;
    sc->nfaults++;
  }
  return 0;
}

static const struct yw_field top_fields[] = {
  { .name = "name", .type = YW_CUSTOM, .parse = a_string },
  { .name = "description", .type = YW_CUSTOM, .parse = a_string },
  { .name = "module", .type = YW_CUSTOM, .parse = module_section },
  { .name = "network", .type = YW_CUSTOM, .parse = network_section },
  { .name = "storage", .type = YW_CUSTOM, .parse = storage_section },
  { .name = "seed", .type = YW_U64, .offset = S(seed), .max = ~0ull, .given = YW_GIVEN(struct scenario, seed_given) },
  { .name = "faults", .type = YW_CUSTOM, .parse = faults_section },
};

/* The top level: the caller's sections first (`fotasim run`'s), then the table. */
static int top_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                     yaml_node_t *v, void *arg)
{
  int rc;
  (void)arg;
  if (w->section_fn && (rc = w->section_fn(w->section_ctx, w, key, k, v)) <= 0)
    return rc;
  return yw_field_read(w, base, base, "scenario", top_fields, YW_FIELD_COUNT(top_fields), key, k,
                       v);
}

void scenario_init(struct scenario *sc)
{
  memset(sc, 0, sizeof(*sc));
  sc->model = -1;
  sc->registration = -1;
  sc->rat = -1;
  sc->rssi = -1;
  sc->sd_present = -1;
}

int scenario_load(const char *path, struct scenario *sc, char *err, size_t errlen)
{
  return scenario_load_sections(path, sc, NULL, NULL, err, errlen);
}

int scenario_load_sections(const char *path, struct scenario *sc, scenario_section_fn fn,
                           void *ctx, char *err, size_t errlen)
{
  size_t len = 0;
  uint8_t *text = read_whole_file(path, YW_MAX_BYTES, &len);
  yaml_parser_t parser;
  yaml_document_t doc;
  struct walk w = { &doc, path, err, errlen, fn, ctx };
  yaml_node_t *root;
  int rc;

  scenario_init(sc);
  if (!text) {
    if (errno == EFBIG)
      snprintf(err, errlen, "%s: larger than %d bytes", path, YW_MAX_BYTES);
    else
      snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    return -1;
  }
  if (yw_precheck(text, len, path, err, errlen) != 0) {
    free(text);
    return -1;
  }
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, text, len);
  if (!yaml_parser_load(&parser, &doc)) {
    snprintf(err, errlen, "%s:%lu: YAML: %s", path, (unsigned long)parser.problem_mark.line + 1,
             parser.problem ? parser.problem : "syntax error");
    yaml_parser_delete(&parser);
    free(text);
    return -1;
  }
  root = yaml_document_get_root_node(&doc);
  if (!root)
    rc = 0; /* an empty file: all defaults */
  else
    rc = yw_each(&w, sc, root, "scenario", top_field, NULL);
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  free(text);
  return rc;
}
