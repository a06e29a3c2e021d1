/* scenario_faults: a fault rule from its mapping (see scenario_faults.h). Format:
 * docs/scenarios.md. */
#include "scenario_faults.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "fault_words.h"
#include "network.h"
#include "port_shape.h"
#include "storage.h"

int scenario_registration(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                          const char *field)
{
  const char *s = yw_scalar(v);
  int *out = obj;
  (void)base;
  if (!s || (*out = network_stat_parse(s)) < 0)
    return yw_bad(w, v, field, "expected home, roaming, searching, denied or not-registered");
  return 0;
}

int scenario_rssi(struct walk *w, void *base, void *obj, const yaml_node_t *v, const char *field)
{
  int *out = obj;
  (void)base;
  if (yw_int(w, v, field, 0, 99, out) != 0)
    return -1;
  return *out > 31 && *out != 99 ? yw_bad(w, v, field, "expected 0-31 or 99") : 0;
}

#define R(member) offsetof(struct fault_rule, member)

static int rule_registration(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                             const char *field)
{
  return scenario_registration(w, base, &((struct fault_rule *)obj)->network, v, field);
}

static int rule_rssi(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                     const char *field)
{
  return scenario_rssi(w, base, &((struct fault_rule *)obj)->rssi, v, field);
}

static int rule_command(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                        const char *field)
{
  struct fault_rule *r = obj;
  (void)base;
  if (yw_str(w, v, field, r->command, sizeof(r->command)) != 0)
    return -1;
  if (strncasecmp(r->command, "AT", 2) != 0 || !r->command[2])
    return yw_bad(w, v, field, "expected a command such as AT+QFOTADL");
  return 0;
}

static int rule_fail(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                     const char *field)
{
  struct fault_rule *r = obj;
  (void)base;
  if (yw_int(w, v, field, 1, 999, &r->fail) != 0)
    return -1;
  if (!error_known(r->fail))
    return yw_bad(w, v, field, "%d is not a documented error code", r->fail);
  return 0;
}

static int fill_medium(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                       const char *field)
{
  const char *s = yw_scalar(v);
  struct fault_rule *r = obj;
  (void)base;
  r->fill_medium = s ? storage_medium_named(s) : -1;
  return r->fill_medium < 0 ? yw_bad(w, v, field, "expected UFS, SD or EFS") : 0;
}

static const struct yw_field fill_fields[] = {
  { .name = "medium", .type = YW_CUSTOM, .parse = fill_medium },
  { .name = "free", .type = YW_U64, .offset = R(fill_free), .max = 1ull << 40 },
};

static int rule_fill(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                     const char *field)
{
  struct fault_rule *r = obj;
  r->fill_medium = MEDIUM_UFS;
  return yw_fields(w, base, r, (yaml_node_t *)v, field, fill_fields,
                   YW_FIELD_COUNT(fill_fields));
}

static const int output_values[] = { OUTPUT_DELAY, OUTPUT_DROP, OUTPUT_SPLIT };

static const struct yw_field rule_fields[] = {
  { .name = "phase", .type = YW_WORD, .offset = R(phase), .words = fault_phase_words,
    .expected = "expected datacall, connect, download, verify, update or reboot" },
  { .name = "percent", .type = YW_INT, .offset = R(percent), .max = 100 },
  { .name = "offset", .type = YW_U64, .offset = R(offset), .max = 1ull << 40,
    .given = YW_GIVEN(struct fault_rule, offset_given) },
  { .name = "at", .type = YW_U64, .offset = R(at_ms), .max = 1ull << 40, .given = YW_GIVEN(struct fault_rule, at_given) },
  { .name = "command", .type = YW_CUSTOM, .parse = rule_command },
  { .name = "occurrence", .type = YW_INT, .offset = R(occurrence), .min = 1, .max = 1000000 },
  { .name = "attempt", .type = YW_INT, .offset = R(attempt), .min = 1, .max = 1000000 },
  { .name = "socket", .type = YW_WORD, .offset = R(socket), .words = fault_socket_words,
    .expected = "expected connect, send or receive" },
  { .name = "id", .type = YW_INT, .offset = R(socket_id), .min = 0, .max = 11 },
  { .name = "http", .type = YW_WORD, .offset = R(http), .words = fault_http_words,
    .expected = "expected request" },
  { .name = "mqtt", .type = YW_WORD, .offset = R(mqtt), .words = fault_mqtt_words,
    .expected = "expected open, connect or publish" },
  { .name = "sms", .type = YW_WORD, .offset = R(sms), .words = fault_sms_words,
    .expected = "expected send" },
  { .name = "ntp", .type = YW_WORD, .offset = R(ntp), .words = fault_ntp_words,
    .expected = "expected query" },
  { .name = "datacall", .type = YW_WORD, .offset = R(call), .words = fault_call_words,
    .expected = "expected dial or data" },
  { .name = "sms_from", .type = YW_STR, .offset = R(sms_from),
    .max = sizeof(((struct fault_rule *)0)->sms_from) - 1 },
  { .name = "sms_text", .type = YW_STR, .offset = R(sms_text), .max = 160 },
  { .name = "fail", .type = YW_CUSTOM, .parse = rule_fail },
  { .name = "cut_power", .type = YW_BOOL, .offset = R(cut_power) },
  { .name = "corrupt", .type = YW_BOOL, .offset = R(corrupt) },
  { .name = "drop", .type = YW_BOOL, .offset = R(drop) },
  { .name = "stall", .type = YW_BOOL, .offset = R(stall) },
  { .name = "refuse", .type = YW_BOOL, .offset = R(refuse) },
  { .name = "pdpdeact", .type = YW_BOOL, .offset = R(pdpdeact) },
  { .name = "network", .type = YW_CUSTOM, .parse = rule_registration },
  { .name = "rssi", .type = YW_CUSTOM, .parse = rule_rssi },
  { .name = "urc", .type = YW_STR, .offset = R(urc), .max = sizeof(((struct fault_rule *)0)->urc) - 1 },
  { .name = "fill", .type = YW_CUSTOM, .parse = rule_fill },
  { .name = "output", .type = YW_WORD, .offset = R(output), .words = fault_output_words,
    .values = output_values, .expected = "expected delay, drop or split" },
  { .name = "ms", .type = YW_U32, .offset = R(output_ms), .max = 3600000 },
  { .name = "bytes", .type = YW_U32, .offset = R(output_bytes), .min = 1, .max = 65536 },
  { .name = "port", .type = YW_WORD, .offset = R(output_port), .words = fault_port_words,
    .expected = "expected main or usb" },
  { .name = "probability", .type = YW_INT, .offset = R(probability), .min = 1, .max = 100 },
  { .name = "repeat", .type = YW_BOOL, .offset = R(repeat) },
};

/* What no single field can say: a trigger, an action, and the combinations that make sense. */
static int check_rule(struct walk *w, yaml_node_t *n, const struct fault_rule *r)
{
  int triggers = (r->phase >= 0) + (r->command[0] != 0) + r->at_given + (r->socket >= 0) +
                 (r->http >= 0) + (r->mqtt >= 0) + (r->sms >= 0) + (r->ntp >= 0) + (r->call >= 0);
  int sock = r->socket >= 0, http = r->http >= 0, mqtt = r->mqtt >= 0, sms = r->sms >= 0;
  int ntp = r->ntp >= 0, call = r->call >= 0;
  if (!triggers)
    return yw_bad(w, n, "faults", "a rule needs a trigger: 'phase', 'command', 'at', 'socket', "
                                  "'http', 'mqtt', 'sms', 'ntp' or 'datacall'");
  if (triggers > 1)
    return yw_bad(w, n, "faults", "a rule has one trigger: 'phase', 'command', 'at', 'socket', "
                                  "'http', 'mqtt', 'sms', 'ntp' or 'datacall'");
  if (call && (r->fail > 0 || r->pdpdeact ||
               (r->call == FAULT_CALL_DIAL && (r->drop || r->stall || r->corrupt || r->offset_given)) ||
               (r->call == FAULT_CALL_DATA && (r->refuse || r->occurrence))))
    return yw_bad(w, n, "faults", "datacall rules: dial refuses (NO CARRIER); data drops, "
                                  "stalls or corrupts the call past an offset");
  if (ntp && (r->corrupt || r->drop || r->refuse || r->pdpdeact ||
              (r->fail > 0 && (r->fail < 550 || r->fail > 574)) || (r->fail > 0) == r->stall))
    return yw_bad(w, n, "faults", "an ntp: query rule stalls (the server is silent: 569) or "
                                  "fails with a TCP/IP code (550-574)");
  if (mqtt && (r->corrupt || r->stall || r->pdpdeact || r->fail > 0 ||
               (r->refuse && r->mqtt == FAULT_MQTT_PUBLISH) ||
               (r->drop && r->mqtt != FAULT_MQTT_PUBLISH)))
    return yw_bad(w, n, "faults", "mqtt rules: open and connect refuse, publish drops the link");
  if (r->corrupt && r->phase != FAULT_DOWNLOAD && !sock && !call)
    return yw_bad(w, n, "faults", "corrupt acts on the download phase and on sockets");
  if ((r->drop || r->stall) && r->phase != FAULT_DOWNLOAD && r->phase != FAULT_CONNECT && !sock &&
      !http && !mqtt && !ntp && !call)
    return yw_bad(w, n, "faults", "drop and stall act on the connect and download phases, on "
                                  "sockets, HTTP requests and NTP queries");
  if (sms && (r->fail <= 0 || !error_find(ERR_SMS, r->fail) || r->sms_text[0] || r->drop ||
              r->stall || r->refuse))
    return yw_bad(w, n, "faults", "an sms: send rule fails the message with an SMS code "
                                  "(+CMS ERROR 300-500)");
  if (r->sms_from[0] && !r->sms_text[0])
    return yw_bad(w, n, "faults", "'sms_from' goes with 'sms_text' (the message that arrives)");
  if (http && r->fail > 0 && (r->fail < 701 || r->fail > 730))
    return yw_bad(w, n, "faults", "an HTTP request fails with an HTTP(S) code (701-730)");
  if (((r->refuse && !mqtt && !call) || r->pdpdeact) && !sock)
    return yw_bad(w, n, "faults", "refuse and pdpdeact act on sockets");
  if (r->refuse && !mqtt && !call && r->socket != FAULT_SOCKET_CONNECT)
    return yw_bad(w, n, "faults", "refuse acts on socket: connect");
  if (r->socket_id >= 0 && !sock)
    return yw_bad(w, n, "faults", "'id' names a socket: it needs 'socket'");
  if (r->offset_given && r->phase != FAULT_DOWNLOAD && r->phase != FAULT_UPDATE &&
      r->socket != FAULT_SOCKET_RECEIVE && r->call != FAULT_CALL_DATA)
    return yw_bad(w, n, "faults", "'offset' counts bytes downloaded, written or received: it "
                                  "needs phase: download or update, socket: receive or "
                                  "datacall: data");
  if (r->occurrence && sock && r->socket == FAULT_SOCKET_RECEIVE)
    return yw_bad(w, n, "faults", "socket: receive counts bytes ('offset'), not occurrences");
  if (sock && r->fail > 0 && (r->fail < 550 || r->fail > 574))
    return yw_bad(w, n, "faults", "a socket fails with a TCP/IP code (550-574)");
  if (r->offset_given && r->percent)
    return yw_bad(w, n, "faults", "a rule has 'percent' or 'offset', not both");
  if (r->fail > 0 && r->phase == FAULT_REBOOT)
    return yw_bad(w, n, "faults", "the reboot cannot fail with a code; cut_power instead");
  if (r->fail < 0 && !r->cut_power && !r->corrupt && !r->drop && !r->stall && r->network < 0 &&
      r->rssi < 0 && !r->urc[0] && r->fill_medium < 0 && !r->output && !r->refuse &&
      !r->pdpdeact && !r->sms_text[0])
    return yw_bad(w, n, "faults", "a rule needs an action: fail, cut_power, corrupt, drop, stall, "
                               "refuse, pdpdeact, network, rssi, urc, fill, output or sms_text");
  if (r->at_given && r->repeat && !r->at_ms)
    return yw_bad(w, n, "faults", "a repeating time rule needs 'at' above 0 (its period)");
  return 0;
}

int scenario_fault_rule(struct walk *w, yaml_node_t *n, struct fault_rule *r)
{
  memset(r, 0, sizeof(*r));
  r->phase = FAULT_ANY;
  r->socket = FAULT_SOCKET_NONE;
  r->socket_id = -1;
  r->http = FAULT_HTTP_NONE;
  r->mqtt = FAULT_MQTT_NONE;
  r->sms = FAULT_SMS_NONE;
  r->ntp = FAULT_NTP_NONE;
  r->call = FAULT_CALL_NONE;
  r->fail = -1;
  r->network = -1;
  r->rssi = -1;
  r->fill_medium = -1;
  r->output_port = -1;
  r->output_ms = 1000;
  r->output_bytes = 4;
  r->line = (unsigned)n->start_mark.line + 1;
  if (yw_fields(w, NULL, r, n, "faults", rule_fields, YW_FIELD_COUNT(rule_fields)) != 0)
    return -1;
  return check_rule(w, n, r);
}

int fault_rule_parse(const char *text, struct fault_rule *r, char *err, size_t errlen)
{
  yaml_parser_t parser;
  yaml_document_t doc;
  struct walk w = { &doc, "rule", err, errlen, NULL, NULL };
  yaml_node_t *root;
  int rc;
  if (yw_precheck((const unsigned char *)text, strlen(text), "rule", err, errlen) != 0)
    return -1;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
  if (!yaml_parser_load(&parser, &doc)) {
    snprintf(err, errlen, "rule: %s", parser.problem ? parser.problem : "syntax error");
    yaml_parser_delete(&parser);
    return -1;
  }
  root = yaml_document_get_root_node(&doc);
  rc = root ? scenario_fault_rule(&w, root, r) : yw_bad(&w, NULL, "faults", "empty rule");
  r->line = 0; /* not from a scenario file */
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  return rc;
}
