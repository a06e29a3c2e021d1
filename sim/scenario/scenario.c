/* scenario: a scenario file (YAML, read with libyaml's document API): the module, the network,
 * storage, a seed and fault rules. A bad file gives one line naming the file, the line and the
 * field. Format: docs/scenarios.md. */
#include "scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "errors.h"
#include "network.h"
#include "storage.h"
#include "vclock.h"
#include "yaml_walk.h"

static int get_registration(struct walk *w, const yaml_node_t *n, const char *field, int *out)
{
  const char *s = yw_scalar(n);
  if (!s || (*out = network_stat_parse(s)) < 0)
    return yw_bad(w, n, field, "expected home, roaming, searching, denied or not-registered");
  return 0;
}

static int module_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                        yaml_node_t *v, void *arg)
{
  struct scenario *sc = base;
  double scale;
  (void)arg;
  if (!strcmp(key, "model")) {
    const char *s = yw_scalar(v);
    if (s && !strcasecmp(s, "EC200U"))
      sc->model = 0;
    else if (s && !strcasecmp(s, "EG915U"))
      sc->model = 1;
    else
      return yw_bad(w, v, "module.model", "expected EC200U or EG915U");
    return 0;
  }
  if (!strcmp(key, "revision"))
    return yw_str(w, v, "module.revision", sc->revision, sizeof(sc->revision));
  if (!strcmp(key, "timing")) {
    if (yw_str(w, v, "module.timing", sc->timing, sizeof(sc->timing)) != 0)
      return -1;
    if (vclock_parse_timing(sc->timing, &scale) != 0)
      return yw_bad(w, v, "module.timing", "expected real, fast, instant or a positive factor");
    return 0;
  }
  if (!strcmp(key, "quirks"))
    return yw_bool(w, v, "module.quirks", &sc->quirks);
  if (!strcmp(key, "resume_update"))
    return yw_bool(w, v, "module.resume_update", &sc->resume_update);
  return yw_bad(w, k, "module", "unknown field '%s'", key);
}

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

static int outage_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                        yaml_node_t *v, void *arg)
{
  struct scenario *sc = base;
  struct network_outage *o = arg;
  (void)sc;
  if (!strcmp(key, "at"))
    return yw_u64(w, v, "network.outages.at", 0, 1ull << 40, &o->at_ms);
  if (!strcmp(key, "for"))
    return yw_u64(w, v, "network.outages.for", 1, 1ull << 40, &o->for_ms);
  if (!strcmp(key, "registration"))
    return get_registration(w, v, "network.outages.registration", &o->stat);
  return yw_bad(w, k, "network.outages", "unknown field '%s'", key);
}

static int network_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                         yaml_node_t *v, void *arg)
{
  struct scenario *sc = base;
  uint64_t u;
  (void)arg;
  if (!strcmp(key, "registration"))
    return get_registration(w, v, "network.registration", &sc->registration);
  if (!strcmp(key, "rat")) {
    const char *s = yw_scalar(v);
    if (s && !strcmp(s, "LTE"))
      sc->rat = RAT_LTE;
    else if (s && !strcmp(s, "GSM"))
      sc->rat = RAT_GSM;
    else
      return yw_bad(w, v, "network.rat", "expected LTE or GSM");
    return 0;
  }
  if (!strcmp(key, "rssi")) {
    if (yw_int(w, v, "network.rssi", 0, 99, &sc->rssi) != 0)
      return -1;
    if (sc->rssi > 31 && sc->rssi != 99)
      return yw_bad(w, v, "network.rssi", "expected 0-31 or 99");
    return 0;
  }
  if (!strcmp(key, "bandwidth"))
    return yw_u64(w, v, "network.bandwidth", 1000, 10000000000ull, &sc->bandwidth_bps);
  if (!strcmp(key, "latency")) {
    if (yw_u64(w, v, "network.latency", 0, 60000, &u) != 0)
      return -1;
    sc->latency_ms = (uint32_t)u;
    sc->latency_given = 1;
    return 0;
  }
  if (!strcmp(key, "dns"))
    return yw_each(w, sc, v, "network.dns", dns_field, NULL);
  if (!strcmp(key, "apns")) {
    if (v->type != YAML_SEQUENCE_NODE)
      return yw_bad(w, v, "network.apns", "expected a list of APNs");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
      if (sc->napns == NETWORK_MAX_APNS)
        return yw_bad(w, v, "network.apns", "more than %d APNs", NETWORK_MAX_APNS);
      if (yw_str(w, yw_node(w, *it), "network.apns", sc->apns[sc->napns], NETWORK_APN_MAX) != 0)
        return -1;
      sc->napns++;
    }
    return 0;
  }
  if (!strcmp(key, "outages")) {
    if (v->type != YAML_SEQUENCE_NODE)
      return yw_bad(w, v, "network.outages", "expected a list");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
      struct network_outage *o;
      if (sc->noutages == SCENARIO_MAX_OUTAGES)
        return yw_bad(w, v, "network.outages", "more than %d outages", SCENARIO_MAX_OUTAGES);
      o = &sc->outages[sc->noutages];
      o->stat = REG_SEARCHING;
      o->for_ms = 0;
      if (yw_each(w, sc, yw_node(w, *it), "network.outages", outage_field, o) != 0)
        return -1;
      if (!o->for_ms)
        return yw_bad(w, yw_node(w, *it), "network.outages", "needs 'for' (ms)");
      if (sc->noutages > 0 &&
          o->at_ms < sc->outages[sc->noutages - 1].at_ms + sc->outages[sc->noutages - 1].for_ms)
        return yw_bad(w, yw_node(w, *it), "network.outages", "outages must be in order, not overlapping");
      sc->noutages++;
    }
    return 0;
  }
  return yw_bad(w, k, "network", "unknown field '%s'", key);
}

static int sd_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                    yaml_node_t *v, void *arg)
{
  struct scenario *sc = base;
  (void)arg;
  if (!strcmp(key, "present"))
    return yw_bool(w, v, "storage.sd.present", &sc->sd_present);
  if (!strcmp(key, "capacity"))
    return yw_u64(w, v, "storage.sd.capacity", 1, 1ull << 40, &sc->capacity[1]);
  return yw_bad(w, k, "storage.sd", "unknown field '%s'", key);
}

static int storage_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                         yaml_node_t *v, void *arg)
{
  struct scenario *sc = base;
  (void)arg;
  if (!strcmp(key, "ufs"))
    return yw_u64(w, v, "storage.ufs", 1, 1ull << 40, &sc->capacity[0]);
  if (!strcmp(key, "efs"))
    return yw_u64(w, v, "storage.efs", 1, 1ull << 40, &sc->capacity[2]);
  if (!strcmp(key, "sd")) {
    if (v->type == YAML_SCALAR_NODE)
      return yw_bool(w, v, "storage.sd", &sc->sd_present);
    return yw_each(w, sc, v, "storage.sd", sd_field, NULL);
  }
  return yw_bad(w, k, "storage", "unknown field '%s'", key);
}

static int fill_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                      yaml_node_t *v, void *arg)
{
  struct scenario *sc = base;
  struct fault_rule *r = arg;
  (void)sc;
  if (!strcmp(key, "medium")) {
    const char *s = yw_scalar(v);
    r->fill_medium = s ? storage_medium_named(s) : -1;
    return r->fill_medium < 0 ? yw_bad(w, v, "faults.fill.medium", "expected UFS, SD or EFS") : 0;
  }
  if (!strcmp(key, "free"))
    return yw_u64(w, v, "faults.fill.free", 0, 1ull << 40, &r->fill_free);
  return yw_bad(w, k, "faults.fill", "unknown field '%s'", key);
}

static int fault_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                       yaml_node_t *v, void *arg)
{
  struct scenario *sc = base;
  static const char *const phases[FAULT_PHASES] = { "datacall", "connect", "download", "verify",
                                                    "update", "reboot" };
  static const char *const outputs[] = { "", "delay", "drop", "split" };
  struct fault_rule *r = arg;
  uint64_t u;
  if (!strcmp(key, "phase")) {
    const char *s = yw_scalar(v);
    for (int i = 0; s && i < FAULT_PHASES; i++)
      if (!strcmp(s, phases[i]))
        r->phase = i;
    if (r->phase < 0)
      return yw_bad(w, v, "faults.phase",
                 "expected datacall, connect, download, verify, update or reboot");
    return 0;
  }
  if (!strcmp(key, "percent"))
    return yw_int(w, v, "faults.percent", 0, 100, &r->percent);
  if (!strcmp(key, "offset")) {
    r->offset_given = 1;
    return yw_u64(w, v, "faults.offset", 0, 1ull << 40, &r->offset);
  }
  if (!strcmp(key, "at")) {
    r->at_given = 1;
    return yw_u64(w, v, "faults.at", 0, 1ull << 40, &r->at_ms);
  }
  if (!strcmp(key, "command")) {
    if (yw_str(w, v, "faults.command", r->command, sizeof(r->command)) != 0)
      return -1;
    if (strncasecmp(r->command, "AT", 2) != 0 || !r->command[2])
      return yw_bad(w, v, "faults.command", "expected a command such as AT+QFOTADL");
    return 0;
  }
  if (!strcmp(key, "occurrence"))
    return yw_int(w, v, "faults.occurrence", 1, 1000000, &r->occurrence);
  if (!strcmp(key, "attempt"))
    return yw_int(w, v, "faults.attempt", 1, 1000000, &r->attempt);
  if (!strcmp(key, "fail")) {
    if (yw_int(w, v, "faults.fail", 1, 999, &r->fail) != 0)
      return -1;
    if (!error_known(r->fail))
      return yw_bad(w, v, "faults.fail", "%d is not a documented error code", r->fail);
    return 0;
  }
  if (!strcmp(key, "cut_power"))
    return yw_bool(w, v, "faults.cut_power", &r->cut_power);
  if (!strcmp(key, "corrupt"))
    return yw_bool(w, v, "faults.corrupt", &r->corrupt);
  if (!strcmp(key, "drop"))
    return yw_bool(w, v, "faults.drop", &r->drop);
  if (!strcmp(key, "stall"))
    return yw_bool(w, v, "faults.stall", &r->stall);
  if (!strcmp(key, "network"))
    return get_registration(w, v, "faults.network", &r->network);
  if (!strcmp(key, "rssi")) {
    if (yw_int(w, v, "faults.rssi", 0, 99, &r->rssi) != 0)
      return -1;
    return r->rssi > 31 && r->rssi != 99 ? yw_bad(w, v, "faults.rssi", "expected 0-31 or 99") : 0;
  }
  if (!strcmp(key, "urc"))
    return yw_str(w, v, "faults.urc", r->urc, sizeof(r->urc));
  if (!strcmp(key, "fill")) {
    r->fill_medium = MEDIUM_UFS;
    return yw_each(w, sc, v, "faults.fill", fill_field, r);
  }
  if (!strcmp(key, "output")) {
    const char *s = yw_scalar(v);
    for (int i = 1; s && i < 4; i++)
      if (!strcmp(s, outputs[i]))
        r->output = i;
    return r->output ? 0 : yw_bad(w, v, "faults.output", "expected delay, drop or split");
  }
  if (!strcmp(key, "ms")) {
    if (yw_u64(w, v, "faults.ms", 0, 3600000, &u) != 0)
      return -1;
    r->output_ms = (uint32_t)u;
    return 0;
  }
  if (!strcmp(key, "bytes")) {
    if (yw_u64(w, v, "faults.bytes", 1, 65536, &u) != 0)
      return -1;
    r->output_bytes = (uint32_t)u;
    return 0;
  }
  if (!strcmp(key, "port")) {
    const char *s = yw_scalar(v);
    r->output_port = s && !strcmp(s, "main") ? 0 : s && !strcmp(s, "usb") ? 1 : -2;
    return r->output_port < 0 ? yw_bad(w, v, "faults.port", "expected main or usb") : 0;
  }
  if (!strcmp(key, "probability"))
    return yw_int(w, v, "faults.probability", 1, 100, &r->probability);
  if (!strcmp(key, "repeat"))
    return yw_bool(w, v, "faults.repeat", &r->repeat);
  return yw_bad(w, k, "faults", "unknown field '%s'", key);
}

static int parse_rule(struct walk *w, void *base, yaml_node_t *n, struct fault_rule *r)
{
  struct scenario *sc = base;
  int triggers;
  memset(r, 0, sizeof(*r));
  r->phase = FAULT_ANY;
  r->fail = -1;
  r->network = -1;
  r->rssi = -1;
  r->fill_medium = -1;
  r->output_port = -1;
  r->output_ms = 1000;
  r->output_bytes = 4;
  if (yw_each(w, sc, n, "faults", fault_field, r) != 0)
    return -1;
  triggers = (r->phase >= 0) + (r->command[0] != 0) + r->at_given;
  if (!triggers)
    return yw_bad(w, n, "faults", "a rule needs a trigger: 'phase', 'command' or 'at'");
  if (triggers > 1)
    return yw_bad(w, n, "faults", "a rule has one trigger: 'phase', 'command' or 'at'");
  if (r->corrupt && r->phase != FAULT_DOWNLOAD)
    return yw_bad(w, n, "faults", "corrupt acts on the download phase");
  if ((r->drop || r->stall) && r->phase != FAULT_DOWNLOAD && r->phase != FAULT_CONNECT)
    return yw_bad(w, n, "faults", "drop and stall act on the connect and download phases");
  if (r->offset_given && r->phase != FAULT_DOWNLOAD && r->phase != FAULT_UPDATE)
    return yw_bad(w, n, "faults", "'offset' counts bytes downloaded or written: it needs phase: "
                                  "download or update");
  if (r->offset_given && r->percent)
    return yw_bad(w, n, "faults", "a rule has 'percent' or 'offset', not both");
  if (r->fail > 0 && r->phase == FAULT_REBOOT)
    return yw_bad(w, n, "faults", "the reboot cannot fail with a code; cut_power instead");
  if (r->fail < 0 && !r->cut_power && !r->corrupt && !r->drop && !r->stall && r->network < 0 &&
      r->rssi < 0 && !r->urc[0] && r->fill_medium < 0 && !r->output)
    return yw_bad(w, n, "faults", "a rule needs an action: fail, cut_power, corrupt, drop, stall, "
                               "network, rssi, urc, fill or output");
  if (r->at_given && r->repeat && !r->at_ms)
    return yw_bad(w, n, "faults", "a repeating time rule needs 'at' above 0 (its period)");
  return 0;
}

static int top_field(struct walk *w, void *base, const char *key, yaml_node_t *k,
                     yaml_node_t *v, void *arg)
{
  struct scenario *sc = base;
  int rc;
  (void)arg;
  if (!strcmp(key, "name") || !strcmp(key, "description"))
    return yw_scalar(v) ? 0 : yw_bad(w, v, key, "expected a string");
  if (!strcmp(key, "module"))
    return yw_each(w, sc, v, "module", module_field, NULL);
  if (!strcmp(key, "network"))
    return yw_each(w, sc, v, "network", network_field, NULL);
  if (!strcmp(key, "storage"))
    return yw_each(w, sc, v, "storage", storage_field, NULL);
  if (!strcmp(key, "seed")) {
    sc->seed_given = 1;
    return yw_u64(w, v, "seed", 0, ~0ull, &sc->seed);
  }
  if (!strcmp(key, "faults")) {
    if (v->type != YAML_SEQUENCE_NODE)
      return yw_bad(w, v, "faults", "expected a list");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
      struct fault_rule *r;
      if (sc->nfaults == SCENARIO_MAX_FAULTS)
        return yw_bad(w, v, "faults", "more than %d rules", SCENARIO_MAX_FAULTS);
      r = &sc->faults[sc->nfaults];
      if (parse_rule(w, sc, yw_node(w, *it), r) != 0)
        return -1;
      sc->nfaults++;
    }
    return 0;
  }
  if (w->section_fn && (rc = w->section_fn(w->section_ctx, w, key, k, v)) <= 0)
    return rc;
  return yw_bad(w, k, "scenario", "unknown field '%s'", key);
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
  FILE *f = fopen(path, "rb");
  yaml_parser_t parser;
  yaml_document_t doc;
  struct walk w = { &doc, path, err, errlen, fn, ctx };
  yaml_node_t *root;
  int rc;

  scenario_init(sc);
  if (!f) {
    snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    return -1;
  }
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f);
  if (!yaml_parser_load(&parser, &doc)) {
    snprintf(err, errlen, "%s:%lu: YAML: %s", path, (unsigned long)parser.problem_mark.line + 1,
             parser.problem ? parser.problem : "syntax error");
    yaml_parser_delete(&parser);
    fclose(f);
    return -1;
  }
  root = yaml_document_get_root_node(&doc);
  if (!root)
    rc = 0; /* an empty file: all defaults */
  else
    rc = yw_each(&w, sc, root, "scenario", top_field, NULL);
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  fclose(f);
  return rc;
}

int fault_rule_parse(const char *text, struct fault_rule *r, char *err, size_t errlen)
{
  yaml_parser_t parser;
  yaml_document_t doc;
  struct scenario scratch;
  struct walk w = { &doc, "rule", err, errlen, NULL, NULL };
  yaml_node_t *root;
  int rc;
  scenario_init(&scratch);
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
  if (!yaml_parser_load(&parser, &doc)) {
    snprintf(err, errlen, "rule: %s", parser.problem ? parser.problem : "syntax error");
    yaml_parser_delete(&parser);
    return -1;
  }
  root = yaml_document_get_root_node(&doc);
  rc = root ? parse_rule(&w, &scratch, root, r) : yw_bad(&w, NULL, "faults", "empty rule");
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  return rc;
}
