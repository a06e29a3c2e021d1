/* run_package: the firmware package `fotasim run` builds for each scenario, so that a host under
 * test has a real package that fits the module (or, on purpose, does not). */
#ifndef FOTASIM_RUN_PACKAGE_H
#define FOTASIM_RUN_PACKAGE_H

#include <stddef.h>

#include "expect_parse.h"

/* The revision a scenario's package installs when it does not name one. */
#define RUN_PACKAGE_REVISION_EC200U "EC200UCNAAR02A10M08"
#define RUN_PACKAGE_REVISION_EG915U "EG915UEUABR03A02M08"

/* Builds the scenario's package into path; its new revision in revision. -1 with a message. */
int run_package_build(const struct run_scenario *sc, int model, const char *path, char *revision,
                      size_t revlen, char *err, size_t errlen);

#endif
