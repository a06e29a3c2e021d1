/* fault: the fault-injection engine: the scenario's rules, checked at each point of a FOTA
 * (data call, download progress, verification, update progress). A rule that fires makes the
 * FOTA fail with its code or cuts the power. */
#ifndef FOTASIM_FAULT_H
#define FOTASIM_FAULT_H

#include <stdint.h>

#include "scenario.h"

struct fault_set {
  struct fault_rule rules[SCENARIO_MAX_FAULTS];
  int n;
  uint64_t rng;              /* seeded from the scenario: the same seed, the same draws */
};

/* The rule that fires now for this phase, progress and FOTA attempt, or NULL. */
struct fault_rule *fault_check(struct fault_set *fs, enum fault_phase phase, int percent,
                               int attempt);

/* A command rule for this command (e.g. "+QFOTADL"), counting its occurrences: the code to
 * answer with, or -1. */
int fault_command(struct fault_set *fs, const char *name);

#endif
