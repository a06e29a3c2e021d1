/* scenario_faults: fault rules as the scenario file and the control channel write them (a
 * faults list item, YAML or JSON), read by one field table, checked as a whole. */
#ifndef FOTASIM_SCENARIO_FAULTS_H
#define FOTASIM_SCENARIO_FAULTS_H

#include "fault_rule.h"
#include "yaml_walk.h"

/* One rule from a mapping node; -1 with the error in w. */
int scenario_fault_rule(struct walk *w, yaml_node_t *n, struct fault_rule *r);
/* A registration word (home, roaming, ...) into an int at obj; a YW_CUSTOM parse. */
int scenario_registration(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                          const char *field);
/* An rssi (0-31 or 99) into an int at obj; a YW_CUSTOM parse. */
int scenario_rssi(struct walk *w, void *base, void *obj, const yaml_node_t *v,
                  const char *field);

#endif
