/* fault: the fault-injection engine's rules and when they fire: at a point of a FOTA (data
 * call, connect, download progress in percent or bytes, verification, update progress, the
 * reboot), when the host sends a command, or at a virtual time. What a rule then does is
 * the module's (module_faults.c) and the FOTA engine's (fota.c). */
#ifndef FOTASIM_FAULT_H
#define FOTASIM_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "fault_rule.h"

/* A repeating time rule stops after this many periods (under --timing instant the periods
 * pass as fast as the loop turns). */
#define FAULT_TIME_REPEAT_MAX 1000

struct fault_set {
  struct fault_rule rules[FAULT_MAX_RULES];
  int n;
  uint64_t rng;              /* seeded from the scenario: the same seed, the same draws */
  /* Told of each rule that fires (its index in rules), before the caller acts on it. */
  void (*on_fire)(void *ctx, int index, const struct fault_rule *r);
  void *fire_ctx;
};

/* The rule that fires now for this phase, progress (percent and bytes) and FOTA attempt, or
 * NULL. */
struct fault_rule *fault_check(struct fault_set *fs, enum fault_phase phase, int percent,
                               uint64_t bytes, int attempt);

/* The command rule that fires for this command (e.g. "+QFOTADL"), counting its occurrences,
 * or NULL. */
struct fault_rule *fault_command(struct fault_set *fs, const char *name);

/* The socket rule that fires now: a connect or send of connectID id (counting occurrences),
 * or received bytes that reach past the rule's offset (bytes: received so far); NULL if none. */
struct fault_rule *fault_socket(struct fault_set *fs, enum fault_socket what, int id,
                                uint64_t bytes);
/* The HTTP(S) client sends a request: the rule that fires for it, or NULL. */
struct fault_rule *fault_http(struct fault_set *fs);
/* An MQTT client opens, connects or publishes: the rule that fires, or NULL. */
struct fault_rule *fault_mqtt(struct fault_set *fs, enum fault_mqtt what);
/* The rule for the message the host sends now (counted by every sms rule), or NULL. */
struct fault_rule *fault_sms(struct fault_set *fs);
/* The data call rule due now: a dial (counting them), or the host's bytes in a call (bytes:
 * how many have come in this call). */
struct fault_rule *fault_call(struct fault_set *fs, enum fault_call what, uint64_t bytes);
/* The rule for the NTP query starting now (counted by every ntp rule), or NULL. */
struct fault_rule *fault_ntp(struct fault_set *fs);

/* A time rule due at `elapsed` virtual ms since the module started, or NULL (call again until
 * NULL: several can be due at once). */
struct fault_rule *fault_due(struct fault_set *fs, uint64_t elapsed);
/* When the next time rule is due (virtual ms since the start), or UINT64_MAX if none. */
uint64_t fault_next_due(const struct fault_set *fs);

/* A rule in words, as a scenario would give it ("phase: download, percent: 30 -> fail: 702");
 * stat_name names a registration (network_stat_name). snprintf's result. */
int fault_rule_format(const struct fault_rule *r, const char *(*stat_name)(int), char *buf,
                      size_t size);

#endif
