/* scenario: a scenario file (YAML, read with libyaml): the module, the network, storage, a seed
 * and fault rules. A bad file gives one line naming the file, the line and the field.
 * Format: docs/scenarios.md. */
#ifndef FOTASIM_SCENARIO_H
#define FOTASIM_SCENARIO_H

#include <stdint.h>

#include "download.h"
#include "expect.h"
#include "fotasim/fwimage.h"
#include "network.h"

#define SCENARIO_MAX_OUTAGES 16
#define SCENARIO_MAX_FAULTS 32

struct scenario_outage {
  uint64_t at_ms, for_ms;    /* virtual, from power on */
  int stat;                  /* what the network offers meanwhile */
};

enum fault_phase {
  FAULT_ANY = -1, FAULT_DATACALL, FAULT_CONNECT, FAULT_DOWNLOAD, FAULT_VERIFY, FAULT_UPDATE,
  FAULT_REBOOT, FAULT_PHASES
};

/* What a rule does to the bytes the module writes to a port. */
enum output_fault { OUTPUT_NONE, OUTPUT_DELAY, OUTPUT_DROP, OUTPUT_SPLIT };

#define FAULT_COMMAND_MAX 32

struct fault_rule {
  /* triggers */
  int phase;                 /* enum fault_phase; FAULT_ANY for a command or time rule */
  char command[FAULT_COMMAND_MAX];  /* "AT+QFOTADL": when that command comes */
  int occurrence;            /* the N-th time the command comes (0: every time) */
  int seen;
  int percent;               /* fires once progress reaches it (0: at the phase's start) */
  uint64_t offset;           /* download: fires once this many bytes have come */
  int offset_given;
  uint64_t at_ms;            /* virtual ms after the module started (repeat: every at_ms) */
  int at_given;
  int attempt;               /* the N-th FOTA of this run; 0: any */
  /* actions */
  int fail;                  /* the error code to fail with; -1: none */
  int cut_power;
  int corrupt;               /* download: flip bits in the bytes from here on */
  int drop;                  /* download: the connection closes (the scheme's own code) */
  int stall;                 /* download: no more bytes (the download times out) */
  int network;               /* offer this registration (enum reg_stat); -1: none */
  int rssi;                  /* the signal (+CSQ) from now on; -1: none */
  char urc[64];              /* emit this URC on every port */
  int fill_medium;           /* fill this medium (enum medium) ...; -1: none */
  uint64_t fill_free;        /* ... leaving this many bytes free */
  int output;                /* enum output_fault on the module's next output */
  uint32_t output_ms;        /* how long output is held (delay, split) */
  uint32_t output_bytes;     /* split: bytes that go before the pause */
  int output_port;           /* enum port_id; -1: every port */
  int probability;           /* percent chance each time it could fire (0: always) */
  int repeat;                /* fires every time, not once */
  int fired;
  unsigned fires;            /* how many times it has fired */
};

/* The firmware package `fotasim run` builds for the host under test. */
struct scenario_package {
  char revision[FW_REVISION_MAX + 1];  /* the new firmware's; "" : the runner's default */
  int full;                  /* a full image rather than a delta */
  int base_default;          /* built against the model's default image, not the module's */
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
  struct expectations expect;   /* for `fotasim run` */
  struct scenario_package package;
};

void scenario_init(struct scenario *sc);
int scenario_load(const char *path, struct scenario *sc, char *err, size_t errlen);
/* One fault rule from text (YAML or JSON, as in a scenario's faults list). */
int fault_rule_parse(const char *text, struct fault_rule *r, char *err, size_t errlen);

#endif
