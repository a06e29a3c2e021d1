/* expect_parse: a scenario as `fotasim run` reads it: the module's sections (scenario.c) and
 * the three only the runner reads, `expect` (what the host under test must achieve), `package`
 * (the firmware package the runner builds for it) and `services` (servers it starts). */
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

#define RUN_FILES_MAX 4
#define RUN_FILE_TEXT_MAX 2048

/* The servers `fotasim run` starts for a scenario on 127.0.0.1 (docs/scenarios.md). */
struct scenario_services {
  int broker;                /* Debian's mosquitto, anonymous */
  int http;                  /* python3 -m http.server over the run's directory */
  char announce_topic[EXPECT_TEXT_MAX];   /* a retained message put on the broker first */
  char announce_message[RUN_FILE_TEXT_MAX];
  struct { char name[64]; char text[RUN_FILE_TEXT_MAX]; } files[RUN_FILES_MAX];  /* served */
  int nfiles;
};

struct run_scenario {
  struct scenario base;          /* what the module plays */
  struct expectations expect;
  struct scenario_package package;
  struct scenario_services services;
};

/* Loads a whole scenario file; -1 with one line naming file:line: field. */
int run_scenario_load(const char *path, struct run_scenario *rs, char *err, size_t errlen);

#endif
