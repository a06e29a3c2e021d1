/* cmd_datacall: PPP data calls: ATD*99#, ATD*99***<cid># and AT+CGDATA="PPP",<cid> answer
 * CONNECT and hand the port to the module's PPP (sim/net/ppp); "+++" between guard times goes
 * back to command mode (OK) with the call up, ATO online again (CONNECT), ATH hangs up (LCP
 * Terminate, OK); the host's LCP Terminate, a failed authentication or the context dropping
 * end it with NO CARRIER. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "escape.h"
#include "log.h"
#include "module_port.h"
#include "nat.h"
#include "network.h"
#include "nv.h"
#include "ppp.h"
#include "quiet_timer.h"
#include "shaper.h"

#define CALL_QUEUE_MAX (256 * 1024)  /* bytes waiting for the downlink; more are dropped */

/* A packet for the host waiting for its time on the downlink. */
struct queued {
  struct queued *next;
  uint64_t due_vt;           /* virtual ms when it goes */
  size_t len;
  uint8_t data[];
};

struct call {
  struct module_port *mp;
  int cid;
  int online;                /* the port carries PPP now (not online command mode) */
  struct ppp ppp;
  struct nat *nat;           /* behind IPCP: the host's packets to real servers */
  struct escape esc;
  struct quiet_timer guard;  /* the silence after "+++" */
  uint64_t rx_bytes;         /* the host's bytes in this call, for fault rules */
  int stalled;               /* a fault rule: nothing more passes either way */
  int corrupt;               /* a fault rule: bits flipped in what goes to the host */
  struct queued *q, *q_tail; /* the module's downlink: the network model's bandwidth (the link
                              * its downloads and sockets share, shaper.c) and latency */
  size_t q_bytes;
  struct vtimer pace;        /* the next packet's time (virtual) */
  int closing;               /* handle groups still closing; the call is freed at 0 */
};

/* The call's memory goes once its guard timer and its PPP's timers are closed (all closed at
 * once in call_end, before a shutdown's walk over the loop's handles could). */
static void guard_closed(uv_handle_t *h)
{
  struct call *k = h->data;
  if (--k->closing == 0)
    free(k);
}

static void call_freed(struct ppp *p)
{
  struct call *k = (struct call *)((char *)p - offsetof(struct call, ppp));
  if (--k->closing == 0)
    free(k);
}

/* The call is over: the port is plain AT; said NO CARRIER if say. */
static void call_end(struct module_port *mp, int say)
{
  struct call *k = mp->call;
  int online;
  if (!k)
    return;
  online = k->online;
  mp->call = NULL;
  mp->call_abort = NULL;
  mp->call_status = NULL;
  if (online)
    port_release(&mp->port, k);
  k->closing = 2; /* the guard timer and the PPP's timers */
  quiet_timer_close(&k->guard, guard_closed);
  vtimer_stop(&k->pace);
  while (k->q) {
    struct queued *next = k->q->next;
    free(k->q);
    k->q = next;
  }
  nat_free(k->nat);
  k->nat = NULL;
  log_info("module port %s: data call on context %d ended (%lu IP packets in, %lu out)",
           mp->name, k->cid, k->ppp.ip_in, k->ppp.ip_out);
  ppp_free(&k->ppp, call_freed);
  if (!say)
    return;
  if (online && at_session_busy(&mp->at))
    at_session_finish(&mp->at, "NO CARRIER"); /* the dial command's final result */
  else
    at_urc(&mp->at, "NO CARRIER");
}


static void ppp_write(void *ctx, const uint8_t *data, size_t len)
{
  struct call *k = ctx;
  if (!k->online || k->stalled) /* in online command mode the host's line is AT: PPP waits */
    return;
  if (k->corrupt) { /* bit 0 of every byte past the flags flipped: the host sees bad FCS */
    uint8_t bad[2 * (PPP_MRU_MAX + 16) + 2];
    size_t n = len < sizeof(bad) ? len : sizeof(bad);
    for (size_t i = 0; i < n; i++)
      bad[i] = data[i] == 0x7E ? data[i] : (uint8_t)(data[i] ^ 1);
    port_write(&k->mp->port, (const char *)bad, n);
    return;
  }
  port_write(&k->mp->port, (const char *)data, len);
}

/* The host's bytes reach the call: fault rules at their offset, then PPP. */
static void to_ppp(struct call *k, const char *data, size_t len)
{
  struct net_fault f;
  if (k->stalled)
    return;
  k->rx_bytes += len;
  if (module_call_fault(k->mp->m, FAULT_CALL_DATA, k->rx_bytes, &f)) {
    k->stalled |= f.stall;
    k->corrupt |= f.corrupt;
    if (f.drop) { /* the network drops the call: the rest of these bytes are lost with it */
      k->stalled = 1;
      call_end(k->mp, 1);
      return;
    }
  }
  if (!k->stalled)
    ppp_input(&k->ppp, (const uint8_t *)data, len);
}

/* Queued packets whose time has come go to the host. */
static void paced(struct vtimer *t)
{
  struct call *k = t->data;
  uint64_t now = vclock_now(t->clock);
  while (k->q && k->q->due_vt <= now) {
    struct queued *e = k->q;
    k->q = e->next;
    if (!k->q)
      k->q_tail = NULL;
    k->q_bytes -= e->len;
    ppp_send_ip(&k->ppp, e->data, e->len);
    free(e);
  }
  if (k->q)
    vtimer_start(&k->pace, k->q->due_vt - now, paced);
}

/* A packet from the NAT: at once with no bandwidth set; else after its time on the module's
 * downlink and half the round trip, on the virtual clock (at instant timing too, where the
 * clock jumps ahead). */
static void nat_to_host(void *ctx, const uint8_t *ip, size_t len)
{
  struct call *k = ctx;
  struct network *nw = module_network(k->mp->m);
  uint64_t now = vclock_now(module_clock(k->mp->m));
  struct queued *e;
  if (!nw->bandwidth_bps) {
    ppp_send_ip(&k->ppp, ip, len);
    return;
  }
  if (k->q_bytes + len > CALL_QUEUE_MAX || !(e = malloc(sizeof(*e) + len)))
    return; /* the network's buffer is full: dropped, as a router would (TCP sends again) */
  e->next = NULL;
  e->len = len;
  e->due_vt = (uint64_t)(shaper_link_take(nw, (double)now, len) + nw->latency_ms / 2.0);
  memcpy(e->data, ip, len);
  if (k->q_tail)
    k->q_tail->next = e;
  else
    k->q = e;
  k->q_tail = e;
  k->q_bytes += len;
  if (!vtimer_active(&k->pace))
    vtimer_start(&k->pace, e->due_vt > now ? e->due_vt - now : 0, paced);
}

static const struct nat_ops call_nat_ops = { nat_to_host };

static void ppp_ip_up(void *ctx)
{
  struct call *k = ctx;
  struct module *m = k->mp->m;
  const struct dns_entry *dns;
  int ndns;
  if (k->nat)
    return; /* IPCP renegotiated: the connections stay */
  dns = module_dns(m, &ndns);
  k->nat = nat_new(module_loop(m), k->ppp.cfg.peer_ip, dns, ndns, &call_nat_ops, k);
  if (!k->nat)
    log_warn("module port %s: libslirp would not start: the call carries no IP", k->mp->name);
  log_info("module port %s: data call on context %d carries IP", k->mp->name, k->cid);
}

static void ppp_ip_packet(void *ctx, const uint8_t *pkt, size_t len)
{
  struct call *k = ctx;
  if (k->nat)
    nat_from_host(k->nat, pkt, len);
}

static void ppp_ended(void *ctx, const char *why)
{
  struct call *k = ctx;
  log_info("module port %s: PPP ended: %s", k->mp->name, why);
  call_end(k->mp, 1);
}

static const struct ppp_ops call_ppp_ops = { ppp_write, ppp_ip_up, ppp_ip_packet, ppp_ended };

/* "+++" and a guard time of silence: online command mode, the call stays. */
static void escaped(void *data)
{
  struct call *k = data;
  struct module_port *mp = k->mp;
  k->online = 0;
  port_release(&mp->port, k);
  at_session_finish(&mp->at, "OK");
}

static size_t call_bytes(void *ctx, const char *data, size_t len)
{
  struct call *k = ctx;
  uint64_t now = uv_hrtime();
  size_t i = 0, start = 0;
  while (i < len) {
    int released;
    enum escape_step step = escape_byte(&k->esc, data[i], i == 0, now, &released);
    if (step != ESCAPE_DATA) {
      if (i > start)
        to_ppp(k, data + start, i - start);
      start = ++i;
      if (step == ESCAPE_ARMED)
        quiet_timer_start(&k->guard, ESCAPE_GUARD_MS, escaped);
      continue;
    }
    if (released) {
      to_ppp(k, "+++", (size_t)released);
      quiet_timer_stop(&k->guard);
    }
    i++;
  }
  if (i > start)
    to_ppp(k, data + start, i - start);
  k->esc.last_ns = now;
  return len;
}

static void go_online(struct call *k)
{
  struct module_port *mp = k->mp;
  at_connect(&mp->at);
  k->online = 1;
  k->esc.last_ns = uv_hrtime();
  port_attach(&mp->port, call_bytes, k);
  at_session_yield(&mp->at); /* bytes after the command line are PPP */
}

/* The address plan of a call: the host gets the context's address; the module's end and the
 * DNS server are .1 and .3 of its /24 (where the NAT answers). */
static void call_config(struct module *m, int cid, struct ppp_config *cfg)
{
  struct in_addr a;
  uint32_t host = 0x0A40400F;
  const struct pdp_context *pc = &module_nv(m)->ctx[cid];
  memset(cfg, 0, sizeof(*cfg));
  if (inet_pton(AF_INET, module_network(m)->ip[cid], &a) == 1)
    host = ntohl(a.s_addr);
  cfg->peer_ip = host;
  cfg->local_ip = (host & 0xFFFFFF00) | 1;
  cfg->dns1 = cfg->dns2 = (host & 0xFFFFFF00) | 3;
  if (pc->auth && pc->user[0]) { /* AT+QICSGP's credentials: the host must give them */
    snprintf(cfg->user, sizeof(cfg->user), "%s", pc->user);
    snprintf(cfg->password, sizeof(cfg->password), "%s", pc->password);
  }
  cfg->magic = (uint32_t)rand() << 16 ^ (uint32_t)rand();
}

static void no_carrier(struct vtimer *t)
{
  struct module_port *mp = t->data;
  at_session_finish(&mp->at, "NO CARRIER");
}

static json_t *call_status(struct module_port *mp)
{
  struct call *k = mp->call;
  return json_pack("{s:i, s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "cid", k->cid, "online",
                   k->online, "address", module_network(mp->m)->ip[k->cid], "lcp",
                   ppp_state_name(k->ppp.lcp.state), "ipcp", ppp_state_name(k->ppp.ipcp.state),
                   "ip_in", (json_int_t)k->ppp.ip_in, "ip_out", (json_int_t)k->ppp.ip_out,
                   "bad_fcs", (json_int_t)k->ppp.rx.bad_fcs, "host_bytes",
                   (json_int_t)k->rx_bytes);
}

/* A call on context cid from this port: CONNECT and PPP, or the reason it cannot start. */
static int dial(struct at_call *c, int cid)
{
  struct module *m = call_module(c);
  struct module_port *mp = call_port(c);
  struct network *nw = module_network(m);
  struct ppp_config cfg;
  struct call *k;
  if (cid < 1 || cid > PDP_CID_MAX || !module_nv(m)->ctx[cid].defined)
    return CME_INCORRECT_PARAMETERS;
  if (mp->call || mp->data_id >= 0 || mp->muxed)
    return CME_NOT_ALLOWED;
  if (!module_online(m) || !network_registered(nw) ||
      !network_apn_accepted(nw, module_nv(m)->ctx[cid].apn)) {
    vtimer_start(&mp->cmd_timer, 0, no_carrier); /* V.250: a dial that fails */
    return AT_PENDING;
  }
  {
    struct net_fault f;
    if (module_call_fault(m, FAULT_CALL_DIAL, 0, &f) && f.fail) { /* refused by the network */
      vtimer_start(&mp->cmd_timer, 0, no_carrier);
      return AT_PENDING;
    }
  }
  if (!nw->active[cid])
    network_activate(nw, cid, module_identity(m)->imei);
  k = calloc(1, sizeof(*k));
  if (!k)
    return CME_NOT_ALLOWED;
  k->mp = mp;
  k->cid = cid;
  quiet_timer_init(&k->guard, module_loop(m), k);
  vtimer_init(module_clock(m), &k->pace, k);
  call_config(m, cid, &cfg);
  ppp_init(&k->ppp, module_loop(m), &cfg, &call_ppp_ops, k);
  mp->call = k;
  mp->call_abort = call_end;
  mp->call_cid = cid;
  mp->call_status = call_status;
  log_info("module port %s: data call on context %d (%s)", mp->name, cid, nw->ip[cid]);
  go_online(k);
  ppp_start(&k->ppp);
  return AT_PENDING;
}

/* ATD<string>: *99#, *99***<cid># (and *99**...*<cid># forms); anything else is not dialled. */
int cmd_d(struct at_call *c)
{
  const char *s = at_param_str(c, 0);
  int cid = 1;
  if (!s || (strncmp(s, "*99", 3) != 0))
    return AT_ERROR; /* no voice calls */
  s += 3;
  if (*s == '*') { /* *99***<cid>#: the cid after the last '*' */
    const char *last = strrchr(s, '*');
    char *end;
    long v = strtol(last + 1, &end, 10);
    if (end == last + 1 || *end != '#')
      return AT_ERROR;
    cid = (int)v;
  } else if (*s != '#') {
    return AT_ERROR;
  }
  return dial(c, cid);
}

/* AT+CGDATA="PPP",<cid> */
int cmd_cgdata_write(struct at_call *c)
{
  const char *l2 = at_param_str(c, 0);
  long cid = 1;
  if (c->cmd->nparams > 2 || (l2 && l2[0] && strcasecmp(l2, "PPP") != 0) ||
      (c->cmd->nparams == 2 && at_param_int(c, 1, 1, PDP_CID_MAX, &cid)))
    return CME_INCORRECT_PARAMETERS;
  return dial(c, (int)cid);
}

int cmd_cgdata_test(struct at_call *c)
{
  at_info(c, "+CGDATA: (\"PPP\")");
  return AT_OK;
}

/* ATO for a call in online command mode: CONNECT, PPP again. 1 handled, 0 not a call. */
int datacall_online(struct at_call *c)
{
  struct module_port *mp = call_port(c);
  struct call *k = mp->call;
  if (!k || k->online)
    return 0;
  go_online(k);
  return 1;
}

/* ATH with a call: LCP Terminate goes, the call ends without NO CARRIER; 1 handled. */
int datacall_hangup(struct at_call *c)
{
  struct module_port *mp = call_port(c);
  struct call *k = mp->call;
  if (!k)
    return 0;
  ppp_close(&k->ppp);   /* may end it at once */
  if (mp->call == k) /* the Terminate-Ack need not come: the call is over for us */
    call_end(mp, 0);
  return 1;
}
