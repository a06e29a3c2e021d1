/* network: the radio network as the module sees it: registration state, RAT, signal, operator,
 * cell, and the PDP contexts the module has active. A scenario will drive it later; by default
 * the module registers on its home LTE network a few seconds after boot. */
#ifndef FOTASIM_NETWORK_H
#define FOTASIM_NETWORK_H

#include <stdint.h>

#include "nv.h"
#include "vclock.h"

/* 3GPP 27.007 <stat> values */
enum reg_stat {
  REG_NOT = 0, REG_HOME = 1, REG_SEARCHING = 2, REG_DENIED = 3, REG_UNKNOWN = 4, REG_ROAMING = 5
};

/* 27.007 <AcT> values */
enum rat { RAT_GSM = 0, RAT_LTE = 7 };

#define NETWORK_MAX_OUTAGES 16
#define DNS_MAX_ENTRIES 32

/* A spell without (or with other) service, virtual ms from power on. */
struct network_outage {
  uint64_t at_ms, for_ms;
  int stat;                  /* what the network offers meanwhile */
};

/* One name of the DNS map host names resolve through. */
struct dns_entry {
  char name[64];
  char addr[64];
};

#define REGISTRATION_MS 2500
#define PDP_ACTIVATE_MS 800    /* virtual: a context comes up */
#define PDP_DEACTIVATE_MS 300
#define NETWORK_MAX_APNS 8
#define NETWORK_APN_MAX 101   /* as a context's APN: 100 characters */
#define LTE_BANDWIDTH_BPS 10000000 /* LTE Cat 1 downlink */
#define LTE_LATENCY_MS 50

struct network {
  /* what the scenario offers */
  int offered_stat;     /* the stat the module reaches once registered */
  int rat;
  int rssi, ber;        /* +CSQ */
  char oper_long[32], oper_short[16], mccmnc[8];
  char tac[8], cell[12];
  int band, earfcn;
  uint64_t bandwidth_bps;  /* downlink */
  uint32_t latency_ms;     /* round trip */
  double downlink_free_vt; /* virtual ms when the downlink has carried all it was given: the
                            * module's downloads and sockets share the one link */
  char apns[NETWORK_MAX_APNS][NETWORK_APN_MAX];  /* the APNs it accepts; none listed: any */
  int napns;
  /* what the module has now */
  int radio_on;
  int stat;
  int attached;
  int active[PDP_CID_MAX + 1];
  int dropped[PDP_CID_MAX + 1];  /* the network took these down; the module clears the flag */
  char ip[PDP_CID_MAX + 1][24];
  struct vtimer reg_timer;
  void (*on_change)(void *ctx);
  void *ctx;
};

void network_init(struct network *n, struct vclock *clock, void (*on_change)(void *), void *ctx);
/* Radio on (after boot or CFUN=1): registration follows after REGISTRATION_MS. */
void network_radio_on(struct network *n);
/* Radio off (CFUN=0/4, power off): not registered, contexts down. */
void network_radio_off(struct network *n);
/* What the network now offers (a scenario, the control channel): applied at once if the radio
 * is on. */
void network_offer(struct network *n, int stat);
int network_stat_parse(const char *name);   /* -1 if unknown */
/* A context comes up: attached, with a CGNAT-style address derived from the IMEI (stable per
 * module and context). */
void network_activate(struct network *n, int cid, const char *imei);
int network_registered(const struct network *n);
/* Whether the network accepts a context with this APN (APNs compare without case). */
int network_apn_accepted(const struct network *n, const char *apn);
const char *network_rat_name(const struct network *n);   /* "LTE", "GSM" */
const char *network_stat_name(int stat);
/* What +CREG/+CGREG/+CEREG report after their name for URC mode `mode`: <stat>, then from mode 2
 * on (while registered) "<tac>","<ci>",<AcT>, and from mode 4 on the PSM timers active and tau
 * (NULL while PSM is off). The length written. */
size_t network_reg_text(const struct network *n, int mode, const char *active, const char *tau,
                        char *out, size_t size);
/* Whether host is an IPv4 or IPv6 address literal. */
int network_is_ip(const char *host);
/* The address a host name resolves to through the DNS map (a literal resolves to itself), or
 * NULL: an unknown name fails as DNS does. The one rule for downloads and sockets. */
const char *network_resolve(const struct dns_entry *dns, int ndns, const char *host);

#endif
