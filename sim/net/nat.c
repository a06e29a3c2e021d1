/* nat: libslirp on the loop (see nat.h). Its sockets are uv_polls kept in step with
 * slirp_pollfds_fill after every event, its timers uv_timers; the host's packets get an
 * Ethernet header, a gratuitous ARP tells libslirp the host's address, and its ARP requests
 * are answered here. A DNS query for a name in the scenario's map is answered here too. */
#include "nat.h"

#include <arpa/inet.h>
#include <slirp/libslirp.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet_sum.h"
#include "log.h"

#define ETH_HLEN 14
#define NAT_FDS_MAX 256
#define NAT_TICK_MAX_MS 500

static const uint8_t host_mac[6] = { 0x02, 0x46, 0x4f, 0x54, 0x41, 0x01 };  /* "FOTA" */
static const uint8_t nat_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x00, 0x01 };

struct nat_fd {
  struct nat *n;
  int fd;                    /* -1: gone (removed at the next fill) */
  int events, revents;
  uv_poll_t *poll;
};

struct nat_timer {
  struct nat *n;
  SlirpTimerId id;
  void *cb_opaque;
  uv_timer_t t;
};

struct nat {
  uv_loop_t *loop;
  Slirp *slirp;
  const struct nat_ops *ops;
  void *ctx;
  uint32_t host_ip, gw_ip, dns_ip;
  const struct dns_entry *dns;
  int ndns;
  struct nat_fd fds[NAT_FDS_MAX];
  int nfds;
  uv_timer_t tick;
  int handles;               /* open libuv handles; freed at 0 once closing */
  int closing;
  int polling;               /* inside slirp_pollfds_poll */
};

static void handle_closed(uv_handle_t *h);
static void pump(struct nat *n);

/* ---- libslirp's callbacks ---- */

static ssize_t send_packet(const void *buf, size_t len, void *opaque)
{
  struct nat *n = opaque;
  const uint8_t *f = buf;
  if (len < ETH_HLEN || n->closing)
    return (ssize_t)len;
  if (f[12] == 0x08 && f[13] == 0x00) { /* IPv4 for the host */
    n->ops->to_host(n->ctx, f + ETH_HLEN, len - ETH_HLEN);
  } else if (f[12] == 0x08 && f[13] == 0x06 && len >= ETH_HLEN + 28 && f[ETH_HLEN + 7] == 1) {
    /* an ARP request: the host's address is ours to answer */
    uint8_t rep[ETH_HLEN + 28];
    const uint8_t *a = f + ETH_HLEN;
    memcpy(rep, f + 6, 6);
    memcpy(rep + 6, host_mac, 6);
    rep[12] = 0x08, rep[13] = 0x06;
    memcpy(rep + ETH_HLEN, a, 6);      /* htype, ptype, hlen, plen */
    rep[ETH_HLEN + 6] = 0, rep[ETH_HLEN + 7] = 2;
    memcpy(rep + ETH_HLEN + 8, host_mac, 6);
    memcpy(rep + ETH_HLEN + 14, a + 24, 4); /* the address asked for */
    memcpy(rep + ETH_HLEN + 18, a + 8, 10); /* the asker's MAC and address */
    slirp_input(n->slirp, rep, sizeof(rep));
  }
  return (ssize_t)len;
}

static void guest_error(const char *msg, void *opaque)
{
  (void)opaque;
  log_info("nat: %s", msg);
}

static int64_t clock_ns(void *opaque)
{
  (void)opaque;
  return (int64_t)uv_hrtime();
}

static void timer_fired(uv_timer_t *t)
{
  struct nat_timer *nt = t->data;
  slirp_handle_timer(nt->n->slirp, nt->id, nt->cb_opaque);
  pump(nt->n);
}

static void *timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
  struct nat *n = opaque;
  struct nat_timer *nt = calloc(1, sizeof(*nt));
  if (!nt)
    return NULL;
  nt->n = n;
  nt->id = id;
  nt->cb_opaque = cb_opaque;
  uv_timer_init(n->loop, &nt->t);
  nt->t.data = nt;
  n->handles++;
  return nt;
}

static void timer_handle_closed(uv_handle_t *h)
{
  struct nat_timer *nt = h->data;
  struct nat *n = nt->n;
  free(nt);
  handle_closed((uv_handle_t *)&n->tick); /* counts one handle down */
}

static void timer_free(void *timer, void *opaque)
{
  struct nat_timer *nt = timer;
  (void)opaque;
  if (nt)
    uv_close((uv_handle_t *)&nt->t, timer_handle_closed);
}

static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
  struct nat_timer *nt = timer;
  int64_t now = (int64_t)(uv_hrtime() / 1000000);
  (void)opaque;
  if (nt)
    uv_timer_start(&nt->t, timer_fired, (uint64_t)(expire_ms > now ? expire_ms - now : 0), 0);
}

static void poll_closed(uv_handle_t *h)
{
  struct nat *n = h->data;
  free(h);
  handle_closed((uv_handle_t *)&n->tick);
}

/* A socket libslirp closes: its poll goes first, before the number can be reused. */
static void unregister_fd(int fd, void *opaque)
{
  struct nat *n = opaque;
  for (int i = 0; i < n->nfds; i++)
    if (n->fds[i].fd == fd) {
      if (n->fds[i].poll) {
        n->fds[i].poll->data = n;
        uv_close((uv_handle_t *)n->fds[i].poll, poll_closed);
      }
      n->fds[i].poll = NULL;
      n->fds[i].fd = -1;
    }
}

static void register_fd(int fd, void *opaque)
{
  (void)fd;
  (void)opaque;
}

static void notify(void *opaque)
{
  pump(opaque);
}

static const SlirpCb slirp_cb = {
  .send_packet = send_packet,
  .guest_error = guest_error,
  .clock_get_ns = clock_ns,
  .timer_free = timer_free,
  .timer_mod = timer_mod,
  .register_poll_fd = register_fd,
  .unregister_poll_fd = unregister_fd,
  .notify = notify,
  .timer_new_opaque = timer_new_opaque,
};

/* ---- the sockets on the loop ---- */

static int add_poll(int fd, int events, void *opaque)
{
  struct nat *n = opaque;
  int i;
  for (i = 0; i < n->nfds; i++)
    if (n->fds[i].fd == fd)
      break;
  if (i == n->nfds) {
    if (n->nfds == NAT_FDS_MAX)
      return -1;
    memset(&n->fds[i], 0, sizeof(n->fds[i]));
    n->fds[i].n = n;
    n->fds[i].fd = fd;
    n->nfds++;
  }
  n->fds[i].events |= events;
  return i;
}

static int get_revents(int idx, void *opaque)
{
  struct nat *n = opaque;
  return idx >= 0 && idx < n->nfds ? n->fds[idx].revents : 0;
}

static void run_poll(struct nat *n)
{
  if (n->closing || n->polling)
    return;
  n->polling = 1;
  slirp_pollfds_poll(n->slirp, 0, get_revents, n);
  n->polling = 0;
  for (int i = 0; i < n->nfds; i++)
    n->fds[i].revents = 0;
  pump(n);
}

static void poll_event(uv_poll_t *h, int status, int events)
{
  struct nat_fd *e = h->data;
  e->revents = (events & UV_READABLE ? SLIRP_POLL_IN : 0) |
               (events & UV_WRITABLE ? SLIRP_POLL_OUT : 0) |
               (events & UV_DISCONNECT ? SLIRP_POLL_HUP : 0) | (status < 0 ? SLIRP_POLL_ERR : 0);
  run_poll(e->n);
}

static void ticked(uv_timer_t *t)
{
  run_poll(t->data);
}

/* The polls set for what libslirp waits for now, and a tick for its TCP timers. */
static void pump(struct nat *n)
{
  uint32_t timeout = UINT32_MAX;
  int k = 0;
  if (n->closing || n->polling)
    return;
  for (int i = 0; i < n->nfds; i++) /* gone sockets leave the table before it is refilled */
    if (n->fds[i].fd >= 0) {
      n->fds[k] = n->fds[i];
      if (n->fds[k].poll)
        n->fds[k].poll->data = &n->fds[k];
      k++;
    }
  n->nfds = k;
  for (int i = 0; i < n->nfds; i++)
    n->fds[i].events = 0;
  slirp_pollfds_fill(n->slirp, &timeout, add_poll, n);
  for (int i = 0; i < n->nfds; i++) {
    struct nat_fd *e = &n->fds[i];
    int want = (e->events & SLIRP_POLL_IN ? UV_READABLE : 0) |
               (e->events & SLIRP_POLL_OUT ? UV_WRITABLE : 0);
    if (!e->poll) {
      e->poll = malloc(sizeof(*e->poll));
      if (!e->poll || uv_poll_init_socket(n->loop, e->poll, e->fd) != 0) {
        free(e->poll);
        e->poll = NULL;
        continue;
      }
      n->handles++;
    }
    e->poll->data = e;
    if (want)
      uv_poll_start(e->poll, want, poll_event);
    else
      uv_poll_stop(e->poll);
  }
  uv_timer_start(&n->tick, ticked, timeout > NAT_TICK_MAX_MS ? NAT_TICK_MAX_MS : timeout, 0);
}

/* ---- the scenario's DNS map on .3 ---- */


size_t nat_dns_reply(const uint8_t *ip, size_t len, uint32_t dns_ip, const struct dns_entry *dns,
                     int ndns, uint8_t *rep, size_t size)
{
  size_t ihl, q, at, nl = 0, dl, rl;
  char name[256];
  const char *addr;
  struct in_addr a;
  const uint8_t *d;
  uint32_t dst;
  if (len < 20)
    return 0;
  ihl = (size_t)(ip[0] & 15) * 4;
  dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19];
  if (ip[9] != 17 || ihl < 20 || len < ihl + 8 + 12 || dst != dns_ip ||
      (ip[ihl + 2] << 8 | ip[ihl + 3]) != 53)
    return 0;
  d = ip + ihl + 8;
  dl = len - ihl - 8;
  if ((d[2] & 0x80) || (d[4] << 8 | d[5]) != 1) /* a response, or not one question */
    return 0;
  for (at = 12; at < dl && d[at];) { /* labels, no compression in a question */
    size_t l = d[at];
    if (l > 63 || at + 1 + l >= dl || nl + l + 1 >= sizeof(name))
      return 0;
    if (nl)
      name[nl++] = '.';
    memcpy(name + nl, d + at + 1, l);
    nl += l;
    at += 1 + l;
  }
  name[nl] = '\0';
  q = at + 5; /* the root label, type, class */
  if (q > dl || (d[at + 1] << 8 | d[at + 2]) != 1 || (d[at + 3] << 8 | d[at + 4]) != 1)
    return 0;
  if (!(addr = network_resolve(dns, ndns, name)) || inet_pton(AF_INET, addr, &a) != 1 ||
      q + 16 + 28 > size)
    return 0;
  /* IP and UDP back to the host, the question, one answer (a pointer to the name) */
  memcpy(rep, ip, 20);
  rep[0] = 0x45;
  memcpy(rep + 12, ip + 16, 4);
  memcpy(rep + 16, ip + 12, 4);
  rep[8] = 64;
  rep[20] = ip[ihl + 2], rep[21] = ip[ihl + 3];
  rep[22] = ip[ihl], rep[23] = ip[ihl + 1];
  memcpy(rep + 28, d, q);
  rep[28 + 2] = 0x81, rep[28 + 3] = 0x80; /* a response, recursion available, no error */
  rep[28 + 6] = 0, rep[28 + 7] = 1;       /* one answer */
  rep[28 + 8] = rep[28 + 9] = rep[28 + 10] = rep[28 + 11] = 0;
  rl = 28 + q;
  memcpy(rep + rl, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04", 12);
  memcpy(rep + rl + 12, &a.s_addr, 4);
  rl += 16;
  rep[2] = (uint8_t)(rl >> 8), rep[3] = (uint8_t)rl;
  rep[24] = (uint8_t)((rl - 20) >> 8), rep[25] = (uint8_t)(rl - 20);
  rep[26] = rep[27] = 0; /* no UDP checksum (IPv4 allows it) */
  rep[10] = rep[11] = 0;
  {
    uint16_t c = inet_sum(0, rep, 20);
    rep[10] = (uint8_t)(c >> 8), rep[11] = (uint8_t)c;
  }
  log_info("nat: %s from the DNS map: %s", name, addr);
  return rl;
}

/* ---- the call's side ---- */

struct nat *nat_new(uv_loop_t *loop, uint32_t host_ip, const struct dns_entry *dns, int ndns,
                    const struct nat_ops *ops, void *ctx)
{
  struct nat *n = calloc(1, sizeof(*n));
  SlirpConfig cfg;
  uint8_t arp[ETH_HLEN + 28];
  uint32_t a;
  if (!n)
    return NULL;
  n->loop = loop;
  n->ops = ops;
  n->ctx = ctx;
  n->dns = dns;
  n->ndns = ndns;
  n->host_ip = host_ip;
  n->gw_ip = (host_ip & 0xFFFFFF00) | 1;
  n->dns_ip = (host_ip & 0xFFFFFF00) | 3;
  memset(&cfg, 0, sizeof(cfg));
  cfg.version = 4;
  cfg.in_enabled = true;
  cfg.vnetwork.s_addr = htonl(host_ip & 0xFFFFFF00);
  cfg.vnetmask.s_addr = htonl(0xFFFFFF00);
  cfg.vhost.s_addr = htonl(n->gw_ip);
  cfg.vdhcp_start.s_addr = htonl(host_ip);
  cfg.vnameserver.s_addr = htonl(n->dns_ip);
  cfg.if_mtu = 1500;
  cfg.if_mru = 1500;
  cfg.disable_dhcp = true;
  uv_timer_init(loop, &n->tick);
  n->tick.data = n;
  n->handles = 1;
  n->slirp = slirp_new(&cfg, &slirp_cb, n);
  if (!n->slirp) {
    n->closing = 1;
    uv_close((uv_handle_t *)&n->tick, handle_closed);
    return NULL;
  }
  /* a gratuitous ARP from the host: libslirp knows where to send its answers */
  memcpy(arp, "\xff\xff\xff\xff\xff\xff", 6);
  memcpy(arp + 6, host_mac, 6);
  arp[12] = 0x08, arp[13] = 0x06;
  memcpy(arp + ETH_HLEN, "\x00\x01\x08\x00\x06\x04\x00\x02", 8);
  memcpy(arp + ETH_HLEN + 8, host_mac, 6);
  a = htonl(host_ip);
  memcpy(arp + ETH_HLEN + 14, &a, 4);
  memcpy(arp + ETH_HLEN + 18, nat_mac, 6);
  a = htonl(n->gw_ip);
  memcpy(arp + ETH_HLEN + 24, &a, 4);
  slirp_input(n->slirp, arp, sizeof(arp));
  pump(n);
  return n;
}

void nat_from_host(struct nat *n, const uint8_t *ip, size_t len)
{
  uint8_t frame[ETH_HLEN + 1600];
  if (n->closing || len < 20 || len > 1600 || (ip[0] >> 4) != 4)
    return;
  {
    uint8_t rep[600];
    size_t rl = nat_dns_reply(ip, len, n->dns_ip, n->dns, n->ndns, rep, sizeof(rep));
    if (rl) { /* answered from the scenario's map */
      n->ops->to_host(n->ctx, rep, rl);
      return;
    }
  }
  memcpy(frame, nat_mac, 6);
  memcpy(frame + 6, host_mac, 6);
  frame[12] = 0x08, frame[13] = 0x00;
  memcpy(frame + ETH_HLEN, ip, len);
  slirp_input(n->slirp, frame, ETH_HLEN + len);
  pump(n);
}

static void handle_closed(uv_handle_t *h)
{
  struct nat *n = h->data;
  if (--n->handles == 0 && n->closing)
    free(n);
}

void nat_free(struct nat *n)
{
  if (!n)
    return;
  n->closing = 1;
  for (int i = 0; i < n->nfds; i++)
    if (n->fds[i].poll && n->fds[i].fd >= 0) {
      n->fds[i].poll->data = n;
      uv_close((uv_handle_t *)n->fds[i].poll, poll_closed);
      n->fds[i].poll = NULL;
    }
  n->nfds = 0;
  if (n->slirp)
    slirp_cleanup(n->slirp); /* closes its sockets and frees its timers (timer_free) */
  n->slirp = NULL;
  uv_close((uv_handle_t *)&n->tick, handle_closed);
}
