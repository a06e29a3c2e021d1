/* scenario_apply: a loaded scenario put into a module: what module_init needs (revision, seed,
 * quirks, resume) into its config, then the network, storage, outages and fault rules into the
 * module it made, through module_*() calls. */
#ifndef FOTASIM_SCENARIO_APPLY_H
#define FOTASIM_SCENARIO_APPLY_H

#include "module.h"
#include "scenario.h"

void scenario_apply_config(const struct scenario *sc, struct module_config *cfg);
/* Before the module is powered on. */
void scenario_apply(const struct scenario *sc, struct module *m);

#endif
