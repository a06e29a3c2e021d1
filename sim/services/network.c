/* network: the radio network as the module sees it: registration state, RAT, signal, operator,
 * cell, and the PDP contexts the module has active. A scenario will drive it later; by default
 * the module registers on its home LTE network a few seconds after boot. */
#include "network.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void network_init(struct network *n, struct vclock *clock, void (*on_change)(void *), void *ctx)
{
  memset(n, 0, sizeof(*n));
  n->offered_stat = REG_HOME;
  n->rat = RAT_LTE;
  n->rssi = 24;
  n->ber = 99;
  snprintf(n->oper_long, sizeof(n->oper_long), "CHN-UNICOM");
  snprintf(n->oper_short, sizeof(n->oper_short), "UNICOM");
  snprintf(n->mccmnc, sizeof(n->mccmnc), "46001");
  snprintf(n->tac, sizeof(n->tac), "5A1F");
  snprintf(n->cell, sizeof(n->cell), "0B2C3D41");
  n->band = 3;
  n->earfcn = 1650;
  n->bandwidth_bps = LTE_BANDWIDTH_BPS;
  n->latency_ms = LTE_LATENCY_MS;
  n->stat = REG_NOT;
  n->on_change = on_change;
  n->ctx = ctx;
  vtimer_init(clock, &n->reg_timer, n);
}

static void set_stat(struct network *n, int stat)
{
  if (n->stat == stat)
    return;
  n->stat = stat;
  n->attached = network_registered(n);
  if (!n->attached)
    for (int cid = 1; cid <= PDP_CID_MAX; cid++) {
      n->dropped[cid] |= n->active[cid];
      n->active[cid] = 0;
    }
  if (n->on_change)
    n->on_change(n->ctx);
}

static void registered(struct vtimer *t)
{
  struct network *n = t->data;
  set_stat(n, n->offered_stat);
}

void network_radio_on(struct network *n)
{
  n->radio_on = 1;
  set_stat(n, REG_SEARCHING);
  vtimer_start(&n->reg_timer, REGISTRATION_MS, registered);
}

void network_radio_off(struct network *n)
{
  n->radio_on = 0;
  vtimer_stop(&n->reg_timer);
  set_stat(n, REG_NOT);
}

void network_offer(struct network *n, int stat)
{
  n->offered_stat = stat;
  if (n->radio_on) {
    vtimer_stop(&n->reg_timer);
    set_stat(n, stat);
  }
}

void network_activate(struct network *n, int cid, const char *imei)
{
  n->active[cid] = 1;
  n->attached = 1;
  snprintf(n->ip[cid], sizeof(n->ip[cid]), "10.%u.%u.%u",
           (unsigned)(64 + (imei[12] - '0') % 10 * 6 + cid % 6),
           (unsigned)((imei[13] - '0') % 10 * 25), (unsigned)(10 + cid));
}

int network_stat_parse(const char *name)
{
  static const int stats[] = { REG_NOT, REG_HOME, REG_SEARCHING, REG_DENIED, REG_ROAMING };
  for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++)
    if (!strcmp(name, network_stat_name(stats[i])))
      return stats[i];
  return -1;
}

int network_registered(const struct network *n)
{
  return n->stat == REG_HOME || n->stat == REG_ROAMING;
}

int network_apn_accepted(const struct network *n, const char *apn)
{
  if (!n->napns)
    return 1;
  for (int i = 0; i < n->napns; i++)
    if (!strcasecmp(n->apns[i], apn))
      return 1;
  return 0;
}

const char *network_rat_name(const struct network *n)
{
  return n->rat == RAT_LTE ? "LTE" : "GSM";
}

const char *network_stat_name(int stat)
{
  switch (stat) {
  case REG_NOT: return "not-registered";
  case REG_HOME: return "home";
  case REG_SEARCHING: return "searching";
  case REG_DENIED: return "denied";
  case REG_ROAMING: return "roaming";
  default: return "unknown";
  }
}

int network_is_ip(const char *host)
{
  unsigned char buf[16];
  return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

const char *network_resolve(const struct dns_entry *dns, int ndns, const char *host)
{
  const char *addr = NULL;
  if (network_is_ip(host))
    return host;
  for (int i = 0; i < ndns; i++) /* the last entry for a name wins: --dns, then the scenario */
    if (!strcasecmp(dns[i].name, host))
      addr = dns[i].addr;
  return addr;
}

size_t network_reg_text(const struct network *n, int mode, const char *active, const char *tau,
                        char *out, size_t size)
{
  int w;
  if (mode < 2 || !network_registered(n))
    w = snprintf(out, size, "%d", n->stat);
  else if (mode >= 4 && active && tau)
    w = snprintf(out, size, "%d,\"%s\",\"%s\",%d,,,\"%s\",\"%s\"", n->stat, n->tac, n->cell,
                 n->rat, active, tau);
  else
    w = snprintf(out, size, "%d,\"%s\",\"%s\",%d", n->stat, n->tac, n->cell, n->rat);
  return w < 0 ? 0 : (size_t)w;
}
