/* scenario: a scenario file (YAML, read with libyaml): the module, the network, storage, a seed
 * and fault rules. A bad file gives one line naming the file, the line and the field.
 * Format: docs/scenarios.md. */
#ifndef FOTASIM_SCENARIO_H
#define FOTASIM_SCENARIO_H

#include <stdint.h>

#include "download.h"
#include "fotasim/fwimage.h"
#include "network.h"

#define SCENARIO_MAX_OUTAGES 16
#define SCENARIO_MAX_FAULTS 32

struct scenario_outage {
  uint64_t at_ms, for_ms;    /* virtual, from power on */
  int stat;                  /* what the network offers meanwhile */
};

enum fault_phase {
  FAULT_ANY = -1, FAULT_DATACALL, FAULT_DOWNLOAD, FAULT_VERIFY, FAULT_UPDATE
};

#define FAULT_COMMAND_MAX 32

struct fault_rule {
  int phase;                 /* enum fault_phase; FAULT_ANY for a command rule */
  char command[FAULT_COMMAND_MAX];  /* "AT+QFOTADL": answer that command with `fail` */
  int occurrence;            /* the N-th time the command comes (0: every time) */
  int seen;
  int percent;               /* fires once progress reaches it (0: at the phase's start) */
  int attempt;               /* the N-th FOTA of this run; 0: any */
  int fail;                  /* the error code to fail with; -1: none */
  int cut_power;
  int corrupt;               /* download: flip bits in the bytes from here on */
  int drop;                  /* download: the connection closes (the scheme's own code) */
  int stall;                 /* download: no more bytes (the download times out) */
  int network;               /* offer this registration (enum reg_stat); -1: none */
  char urc[64];              /* emit this URC on every port */
  int probability;           /* percent chance each time it could fire (0: always) */
  int repeat;                /* fires every time, not once */
  int fired;
};

struct scenario {
  int model;                 /* -1 when not given */
  char revision[FW_REVISION_MAX + 1];
  char timing[32];
  int quirks;                /* URCs as the note prints them, spaces and misspellings included */
  int resume_update;         /* later firmware: an interrupted update resumes after reboot */
  int registration, rat, rssi;
  uint64_t bandwidth_bps;
  uint32_t latency_ms;
  int latency_given;
  char apns[NETWORK_MAX_APNS][NETWORK_APN_MAX];  /* accepted APNs; none: any */
  int napns;
  struct dns_entry dns[DNS_MAX_ENTRIES];
  int ndns;
  struct scenario_outage outages[SCENARIO_MAX_OUTAGES];
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
/* One fault rule from text (YAML or JSON, as in a scenario's faults list). */
int fault_rule_parse(const char *text, struct fault_rule *r, char *err, size_t errlen);

#endif
