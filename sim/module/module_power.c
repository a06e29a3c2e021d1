/* module_power: power and boot. Off → booting (silent, reads nothing) → firmware check →
 * on (RDY and the boot URCs on both ports, USB port re-created, network search) or bricked. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "module_internal.h"

static const char *const boot_urcs[] = { "RDY", "+CFUN: 1", "+CPIN: READY", "+QUSIM: 1",
                                         "+QIND: SMS DONE" };
#define BOOT_URC_COUNT (sizeof(boot_urcs) / sizeof(boot_urcs[0]))

static void set_power(struct module *m, enum power_state p)
{
  m->power = p;
  module_emit(m, EV_STATE, NULL, module_power_name(p), m->revision[0] ? m->revision : NULL);
}

static void boot_urc_step(struct vtimer *t)
{
  struct module *m = t->data;
  if (m->power != POWER_ON || m->boot_step >= (int)BOOT_URC_COUNT)
    return;
  module_urc(m, boot_urcs[m->boot_step]);
  if (strcmp(boot_urcs[m->boot_step], "+CFUN: 1") == 0)
    network_radio_on(&m->net);
  m->boot_step++;
  if (m->boot_step < (int)BOOT_URC_COUNT)
    vtimer_start(&m->boot_timer,
                 m->boot_step == (int)BOOT_URC_COUNT - 1 ? SMS_DONE_DELAY_MS : BOOT_URC_GAP_MS,
                 boot_urc_step);
}

static void boot_done(struct vtimer *t)
{
  struct module *m = t->data;
  struct fw_info info;
  enum fw_status st = flash_check_firmware(&m->flash, &info);
  char err[256];

  if (st != FW_OK && !fota_resumable(&m->fota)) {
    snprintf(m->brick_reason, sizeof(m->brick_reason), "%s", fw_status_text(st));
    m->revision[0] = '\0';
    log_error("module %d: bricked: %s", m->cfg.index, m->brick_reason);
    set_power(m, POWER_BRICKED);
    return;
  }
  snprintf(m->revision, sizeof(m->revision), "%s", st == FW_OK ? info.revision : "");
  m->boots++;
  m->cfun = 1;
  if (port_open(&m->ports[PORT_USB].port, err, sizeof(err)) != 0)
    log_error("module %d: %s", m->cfg.index, err);
  if (port_open(&m->ports[PORT_MODEM].port, err, sizeof(err)) != 0)
    log_error("module %d: %s", m->cfg.index, err);
  for (int i = 0; i < PORT_COUNT; i++) {
    module_port_boot(&m->ports[i]);
    module_port_listen(&m->ports[i], 1);
  }
  if (fota_boot(&m->fota)) { /* the updater runs instead of the firmware, then reboots */
    for (int i = 0; i < PORT_COUNT; i++)
      module_port_listen(&m->ports[i], 0);
    return;
  }
  log_info("module %d: booted %s", m->cfg.index, m->revision);
  set_power(m, POWER_ON);
  m->boot_step = 0;
  boot_urc_step(&m->boot_timer);
}

/* The scenario's outages, in time order from power on: each starts by offering its
 * registration and ends by offering the scenario's own again. */
static void outage_step(struct vtimer *t)
{
  struct module *m = t->data;
  const struct network_outage *cur = &m->outages[m->outage_step / 2];
  int ending = m->outage_step % 2;
  network_offer(&m->net, ending ? m->outage_base : cur->stat);
  m->outage_step++;
  if (m->outage_step / 2 < m->noutages) {
    const struct network_outage *o = &m->outages[m->outage_step / 2];
    uint64_t now = ending ? cur->at_ms + cur->for_ms : cur->at_ms;
    uint64_t next = m->outage_step % 2 ? o->at_ms + o->for_ms : o->at_ms;
    vtimer_start(&m->outage_timer, next > now ? next - now : 0, outage_step);
  }
}

void module_power_on(struct module *m)
{
  if (m->power != POWER_OFF)
    return;
  if (m->noutages > 0) {
    m->outage_step = 0;
    vtimer_start(&m->outage_timer, m->outages[0].at_ms, outage_step);
  }
  m->brick_reason[0] = '\0';
  sms_boot(&m->sms);
  set_power(m, POWER_BOOTING);
  vtimer_start(&m->boot_timer, BOOT_TIME_MS, boot_done);
}

/* Power is gone: timers stop, ports go deaf, the USB port disappears. */
static void go_off(struct module *m)
{
  fota_abort(&m->fota);
  net_reset(&m->tcpip);
  http_reset(&m->http);
  ftp_reset(&m->ftp);
  mqtt_reset(&m->mqtt);
  vtimer_stop(&m->outage_timer);
  vtimer_stop(&m->boot_timer);
  vtimer_stop(&m->power_timer);
  module_cmux_stop(m); /* the multiplexer goes with the power: the host sees plain AT after */
  for (int i = 0; i < PORT_COUNT; i++) /* silent first: a module losing power says nothing */
    module_port_listen(&m->ports[i], 0);
  network_radio_off(&m->net);
  port_close(&m->ports[PORT_USB].port, 1);
  port_close(&m->ports[PORT_MODEM].port, 1);
  m->powering_down = 0;
  m->cfun = 0;
  set_power(m, POWER_OFF);
}

static void powered_down(struct vtimer *t)
{
  struct module *m = t->data;
  module_urc(m, "POWERED DOWN");
  go_off(m);
}

void module_power_off(struct module *m, int graceful)
{
  if (m->power == POWER_OFF)
    return;
  if (graceful && m->power == POWER_ON) {
    m->powering_down = 1;
    vtimer_start(&m->power_timer, POWER_DOWN_MS, powered_down);
    return;
  }
  go_off(m);
}

void module_power_cut(struct module *m)
{
  if (m->power == POWER_OFF)
    return;
  log_info("module %d: power cut", m->cfg.index);
  go_off(m);
}

void module_reset(struct module *m)
{
  log_info("module %d: reset", m->cfg.index);
  go_off(m);
  module_power_on(m);
}

static void reboot_due(struct vtimer *t)
{
  module_reset(t->data);
}

void module_reboot_soon(struct module *m)
{
  vtimer_start(&m->power_timer, REBOOT_AFTER_OK_MS, reboot_due);
}

void module_set_cfun(struct module *m, int fun)
{
  if (fun == m->cfun)
    return;
  m->cfun = fun;
  if (fun == 1)
    network_radio_on(&m->net);
  else
    network_radio_off(&m->net);
}

static void run_deferred(struct vtimer *t)
{
  struct module *m = t->data;
  unsigned what = m->deferred;
  m->deferred = 0;
  if (what & DEFER_CONTEXTS) /* contexts a fault rule dropped: their sockets close */
    module_contexts_changed(m);
  if (what & DEFER_POWER_CUT)
    module_power_cut(m);
  else if (what & DEFER_RESET)
    module_reset(m);
}

void module_defer(struct module *m, enum module_deferred what)
{
  m->deferred |= what;
  vtimer_start(&m->defer_timer, 0, run_deferred);
}

void module_line_changed(struct module *m)
{
  port_set_line(&m->ports[PORT_MAIN].port, m->nv.ipr, m->nv.ifc_dte == 2);
}
