/* scenario_expect: the scenario sections only `fotasim run` reads (`expect`, `package`). */
#ifndef FOTASIM_SCENARIO_EXPECT_H
#define FOTASIM_SCENARIO_EXPECT_H

#include "yaml_walk.h"

/* Reads a top-level field if it is one of these: 0 done, -1 error (in w), 1 not one of them. */
int scenario_runner_field(struct walk *w, struct scenario *sc, const char *key, yaml_node_t *k,
                          yaml_node_t *v);

#endif
