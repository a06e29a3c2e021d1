/* scenario: a scenario file (YAML, read with libyaml): the module, the network, storage, a seed
 * and fault rules. A bad file gives one line naming the file, the line and the field.
 * Format: docs/scenarios.md. */
#ifndef FOTASIM_SCENARIO_H
#define FOTASIM_SCENARIO_H

#include <stdint.h>

#include "fault_rule.h"
#include "fotasim/fwimage.h"
#include "network.h"
#include "yaml_walk.h"

#define SCENARIO_MAX_OUTAGES NETWORK_MAX_OUTAGES
#define SCENARIO_MAX_FAULTS FAULT_MAX_RULES

struct scenario {
  int model;                 /* -1 when not given */
  char revision[FW_REVISION_MAX + 1];
  char timing[32];
  int quirks;                /* URCs as the note prints them, spaces and misspellings included */
  int resume_update;         /* later firmware: an interrupted update resumes after reboot */
  uint64_t host_timeout_ms;  /* 0, or a cap on every wait for the host (real ms), for tests */
  int registration, rat, rssi;
  uint64_t bandwidth_bps;
  uint32_t latency_ms;
  int latency_given;
  char apns[NETWORK_MAX_APNS][NETWORK_APN_MAX];  /* accepted APNs; none: any */
  int napns;
  struct dns_entry dns[DNS_MAX_ENTRIES];
  int ndns;
  struct network_outage outages[SCENARIO_MAX_OUTAGES];
  int noutages;
  uint64_t capacity[3];      /* UFS, SD, EFS; 0: default */
  int sd_present;            /* -1: default */
  uint64_t seed;
  int seed_given;
  struct fault_rule faults[SCENARIO_MAX_FAULTS];
  int nfaults;
};

void scenario_init(struct scenario *sc);
int scenario_load(const char *path, struct scenario *sc, char *err, size_t errlen);
/* A top-level section the loader leaves to its caller (`fotasim run`'s expect and package):
 * 0 read, -1 error (written by yw_bad), 1 not one of the caller's. */
typedef int (*scenario_section_fn)(void *ctx, struct walk *w, const char *key, yaml_node_t *k,
                                   yaml_node_t *v);
int scenario_load_sections(const char *path, struct scenario *sc, scenario_section_fn fn,
                           void *ctx, char *err, size_t errlen);
/* One fault rule from text (YAML or JSON, as in a scenario's faults list). */
int fault_rule_parse(const char *text, struct fault_rule *r, char *err, size_t errlen);

#endif
