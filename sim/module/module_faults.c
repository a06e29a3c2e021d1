/* fault_apply: a fired rule's module-wide actions and the time rules' clock (see fault_apply.h). */
#include "module_faults.h"

#include <stdint.h>

#include "fault.h"
#include "log.h"
#include "module.h"

static void cut_now(struct vtimer *t)
{
  struct module *m = t->data;
  log_info("module %d: fault rule: power cut", m->cfg.index);
  module_power_cut(m);
}

void fault_apply(struct module *m, const struct fault_rule *r, struct port *port)
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
      struct port *p = &m->ports[i];
      if (r->output_port >= 0 ? i == r->output_port : !port || p == port)
        port_shape_arm(&p->shape, (enum output_fault)r->output, r->output_ms, r->output_bytes);
    }
  }
  if (r->urc[0] && m->power == POWER_ON)
    module_urc(m, r->urc);
  if (r->cut_power) /* never inside a library's callback or a command's handler */
    vtimer_start(&m->fault_cut_timer, 0, cut_now);
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
    if (r->fail > 0 && m->fota.phase != FOTA_IDLE)
      m->fota.pending_fail = r->fail; /* the FOTA under way fails at its next step */
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
  vtimer_stop(&m->fault_cut_timer);
}
