/* fault_apply: a fired rule's module-wide actions and the time rules' clock (see fault_apply.h). */
#include "module_faults.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "log.h"
#include "module_internal.h"

void fault_apply(struct module *m, const struct fault_rule *r, struct module_port *port)
{
  if (r->network >= 0)
    network_offer(&m->net, r->network);
  if (r->rssi >= 0)
    m->net.rssi = r->rssi;
  if (r->fill_medium >= 0 &&
      storage_fill_leaving(&m->storage, (enum medium)r->fill_medium, r->fill_free) != 0)
    log_warn("module %d: fault rule: cannot fill %s", m->cfg.index,
             m->storage.media[r->fill_medium].name);
  if (r->output) {
    for (int i = 0; i < PORT_COUNT; i++) {
      struct module_port *p = &m->ports[i];
      if (r->output_port >= 0 ? i == r->output_port : !port || p == port)
        port_shape_arm(&p->port.shape, (enum output_fault)r->output, r->output_ms, r->output_bytes);
    }
  }
  if (r->urc[0] && m->power == POWER_ON)
    module_urc(m, r->urc);
  if (r->sms_text[0] && m->power == POWER_ON)
    module_sms_receive(m, r->sms_from[0] ? r->sms_from : "+10086", r->sms_text,
                       strlen(r->sms_text));
  if (r->cut_power) { /* never inside a library's callback or a command's handler */
    log_info("module %d: fault rule: power cut", m->cfg.index);
    module_defer(m, DEFER_POWER_CUT);
  }
}

/* fault_set's on_fire: each rule that fires is an event and a log line, named by its number,
 * its line in the scenario file and its fields. */
void fault_fired(void *ctx, int index, const struct fault_rule *r)
{
  struct module *m = ctx;
  char rule[320], where[64];
  fault_rule_format(r, network_stat_name, rule, sizeof(rule));
  if (r->line)
    snprintf(where, sizeof(where), "rule %d (scenario line %u)", index + 1, r->line);
  else
    snprintf(where, sizeof(where), "rule %d (injected)", index + 1);
  log_info("module %d: fault %s fired: %s", m->cfg.index, where, rule);
  module_emit(m, EV_FAULT, NULL, rule, where);
}

static void time_rules_due(struct vtimer *t);

static void arm(struct module *m)
{
  uint64_t next = fault_next_due(&m->faults), now = vclock_now(m->clock) - m->fault_epoch;
  if (next == UINT64_MAX) {
    vtimer_stop(&m->fault_timer);
    return;
  }
  vtimer_start(&m->fault_timer, next > now ? next - now : 0, time_rules_due);
}

static void time_rules_due(struct vtimer *t)
{
  struct module *m = t->data;
  uint64_t now = vclock_now(m->clock) - m->fault_epoch;
  struct fault_rule *r;
  while ((r = fault_due(&m->faults, now))) {
    log_info("module %d: time fault rule fires at %llu ms", m->cfg.index,
             (unsigned long long)now);
    if (r->fail > 0)
      fota_fail_pending(&m->fota, r->fail); /* the FOTA under way fails at its next step */
    fault_apply(m, r, NULL);
  }
  arm(m);
}

void fault_clock_start(struct module *m)
{
  m->fault_epoch = vclock_now(m->clock);
  arm(m);
}

void fault_clock_update(struct module *m)
{
  arm(m);
}

void fault_clock_stop(struct module *m)
{
  vtimer_stop(&m->fault_timer);
}

int module_fault_count(const struct module *m)
{
  return m->faults.n;
}

int module_fault_add(struct module *m, const struct fault_rule *r)
{
  if (m->faults.n == FAULT_MAX_RULES)
    return -1;
  m->faults.rules[m->faults.n++] = *r;
  fault_clock_update(m);
  return m->faults.n;
}

void module_fault_clear(struct module *m)
{
  m->faults.n = 0;
  fault_clock_update(m);
}
