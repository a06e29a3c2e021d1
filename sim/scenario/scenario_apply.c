/* scenario_apply: a scenario put into a module (see scenario_apply.h). */
#include "scenario_apply.h"

#include <string.h>

void scenario_apply_config(const struct scenario *sc, struct module_config *cfg)
{
  cfg->revision = sc->revision[0] ? sc->revision : NULL;
  cfg->seed = sc->seed;
  cfg->seed_given = sc->seed_given;
  cfg->quirks = sc->quirks;
  cfg->resume_update = sc->resume_update;
}

void scenario_apply(const struct scenario *sc, struct module *m)
{
  struct network *net = module_network(m);
  struct storage *st = module_storage(m);
  if (sc->registration >= 0)
    net->offered_stat = sc->registration;
  if (sc->rat >= 0)
    net->rat = sc->rat;
  if (sc->rssi >= 0)
    net->rssi = sc->rssi;
  if (sc->bandwidth_bps)
    net->bandwidth_bps = sc->bandwidth_bps;
  if (sc->latency_given)
    net->latency_ms = sc->latency_ms;
  memcpy(net->apns, sc->apns, sizeof(net->apns));
  net->napns = sc->napns;
  for (int i = 0; i < MEDIUM_COUNT; i++)
    if (sc->capacity[i])
      st->media[i].capacity = sc->capacity[i];
  if (sc->sd_present >= 0)
    st->media[MEDIUM_SD].present = sc->sd_present;
  module_set_outages(m, sc->outages, sc->noutages,
                     sc->registration >= 0 ? sc->registration : REG_HOME);
  for (int i = 0; i < sc->nfaults; i++)
    module_fault_add(m, &sc->faults[i]);
}
