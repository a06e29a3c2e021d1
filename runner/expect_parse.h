/* expect_parse: a scenario as `fotasim run` reads it: the module's sections (scenario.c) and
 * the two only the runner reads, `expect` (what the host under test must achieve) and `package`
 * (the firmware package the runner builds for it). */
#ifndef FOTASIM_EXPECT_PARSE_H
#define FOTASIM_EXPECT_PARSE_H

#include "expect.h"
#include "fotasim/fwimage.h"
#include "scenario.h"

/* The firmware package `fotasim run` builds for the host under test. */
struct scenario_package {
  char revision[FW_REVISION_MAX + 1];  /* the new firmware's; "" : the runner's default */
  int full;                  /* a full image rather than a delta */
  int base_default;          /* built against the model's default image, not the module's */
};

struct run_scenario {
  struct scenario base;          /* what the module plays */
  struct expectations expect;
  struct scenario_package package;
};

/* Loads a whole scenario file; -1 with one line naming file:line: field. */
int run_scenario_load(const char *path, struct run_scenario *rs, char *err, size_t errlen);

#endif
