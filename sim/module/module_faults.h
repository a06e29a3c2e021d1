/* module_faults: what a fired fault rule does to the module as a whole (the network's
 * registration and signal, a URC, storage filled, faults on the ports' output, a power cut on
 * its own turn of the loop), and the clock that fires time rules. The FOTA's own actions
 * (fail, corrupt, drop, stall) are fota.c's. For module/ only. */
#ifndef FOTASIM_MODULE_FAULTS_H
#define FOTASIM_MODULE_FAULTS_H

#include "fault_rule.h"

struct module;
struct module_port;

/* Applies a rule's module-wide actions. Output faults go to the rule's port, else to `port`
 * (the one a command came on), else to every port. */
void fault_apply(struct module *m, const struct fault_rule *r, struct module_port *port);

/* A rule fired (the fault set's on_fire): an event and a log line. */
void fault_fired(void *ctx, int index, const struct fault_rule *r);

/* The module starts: time rules count from now. */
void fault_clock_start(struct module *m);
/* The rules changed (inject, clear): the next time rule is looked up again. */
void fault_clock_update(struct module *m);
void fault_clock_stop(struct module *m);

#endif
