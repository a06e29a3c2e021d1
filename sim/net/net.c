/* net: sockets over libuv (see net.h). A socket's life: opening (the network's round trip,
 * then the connect, then for an SSL client the handshake), connected (reading into its buffer while there is room), closing (the peer
 * closed: what it sent can still be read) and free again after AT+QICLOSE. */
#include "net.h"
#include "net_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "log.h"

/* A UDP SERVICE keeps datagrams in its buffer, each behind this header. */
struct dgram_head {
  uint16_t len;
  uint16_t port;
  char ip[48];
};

static void urc(struct net_socket *s, const char *fmt, int a, int b)
    __attribute__((format(printf, 2, 0)));

static void urc(struct net_socket *s, const char *fmt, int a, int b)
{
  char text[96];
  snprintf(text, sizeof(text), fmt, a, b);
  s->net->ops->urc(s->net->ctx, s->port, text);
}

void net_init(struct net *n, uv_loop_t *loop, struct vclock *clock, struct network *nw,
              const struct dns_entry *dns, int ndns, int index, const struct net_ops *ops,
              void *ctx)
{
  memset(n, 0, sizeof(*n));
  n->loop = loop;
  n->clock = clock;
  n->nw = nw;
  n->dns = dns;
  n->ndns = ndns;
  n->index = index;
  n->ops = ops;
  n->ctx = ctx;
  n->data_echo = 1;
  n->cfg.transpktsize = 1024;
  n->cfg.transwaittm = 2;
  n->cfg.keepidle = 120;
  n->cfg.keepinterval = 75;
  n->cfg.keepcount = 9;
  for (int cid = 1; cid <= PDP_CID_MAX; cid++) {
    snprintf(n->dns_servers[cid][0], sizeof(n->dns_servers[cid][0]), "8.8.8.8");
    snprintf(n->dns_servers[cid][1], sizeof(n->dns_servers[cid][1]), "114.114.114.114");
  }
  for (int i = 0; i < NET_SSL_CTX; i++) {
    n->ssl[i].set.version = 4;
    n->ssl[i].set.ciphersuite = 0xFFFF;
    n->ssl[i].set.ignore_time = 1;
    n->ssl[i].negotiate_s = 300;
  }
  n->ping.net = n;
  vtimer_init(clock, &n->ping.timer, &n->ping);
  for (int i = 0; i < NET_SOCKETS; i++) {
    n->sock[i].net = n;
    n->sock[i].id = i;
    n->sock[i].ssl_ctx = -1;
    vtimer_init(clock, &n->sock[i].timer, &n->sock[i]);
    vtimer_init(clock, &n->sock[i].pace_timer, &n->sock[i]);
  }
}

const char *net_urc_name(const struct net_socket *s)
{
  return s->ssl_ctx >= 0 ? "+QSSLURC" : "+QIURC";
}

const char *net_type_name(enum net_type t)
{
  static const char *const names[] = { "TCP", "UDP", "TCP LISTENER", "TCP INCOMING",
                                       "UDP SERVICE" };
  return names[t];
}

static void conn_freed(uv_handle_t *h)
{
  struct net_conn *c = h->data;
  if (--c->handles == 0)
    free(c);
}

static void tcp_freed(uv_handle_t *h)
{
  free(h);
}

/* The handle goes (the peer closed, an error, AT+QICLOSE); the socket keeps its buffer. */
static void drop_conn(struct net_socket *s)
{
  struct net_conn *c = s->conn;
  if (!c)
    return;
  s->conn = NULL;
  s->reading = s->paced = 0;
  vtimer_stop(&s->pace_timer);
  c->s = NULL;
  uv_close(&c->h.handle, conn_freed);
  uv_close((uv_handle_t *)&c->deadline, conn_freed);
}

static void free_socket(struct net_socket *s)
{
  vtimer_stop(&s->timer);
  drop_conn(s);
  free(s->rx);
  s->rx = NULL;
  s->rx_len = 0;
  tls_free(s->tls);
  s->tls = NULL;
  s->ssl_ctx = -1;
  s->stalled = s->corrupt_rx = s->corrupt_tx = 0;
  s->wire_rx = 0;
  s->used = 0;
  s->state = NET_INITIAL;
}

/* ---- fault rules ---- */

/* A fault rule at one of the socket's moments: 1 if one fired (its effect on the socket in f). */
static int moment(struct net_socket *s, enum net_moment what, uint64_t bytes, struct net_fault *f)
{
  struct net *n = s->net;
  memset(f, 0, sizeof(*f));
  if (!n->ops->fault || !n->ops->fault(n->ctx, what, s->id, s->cid, bytes, f))
    return 0;
  if (f->stall)
    s->stalled = 1;
  if (f->corrupt && what == NET_AT_RECEIVE)
    s->corrupt_rx = 1;
  else if (f->corrupt)
    s->corrupt_tx = 1;
  return 1;
}

/* "corrupt": every byte has its lowest bit flipped (TLS records then fail their checks). */
static void flip(char *p, size_t len)
{
  for (size_t i = 0; i < len; i++)
    p[i] ^= 1;
}

/* ---- receiving ---- */

/* Direct push: what is buffered goes to the port in pieces, while the port can take it. */
static void push_out(struct net_socket *s)
{
  struct net *n = s->net;
  while (s->type == NET_UDP_SERVICE && s->rx_len > 0 && n->ops->can_push(n->ctx, s->port)) {
    struct dgram_head h;
    char head[128];
    memcpy(&h, s->rx, sizeof(h));
    snprintf(head, sizeof(head), "+QIURC: \"recv\",%d,%u,\"%s\",%u", s->id, h.len, h.ip, h.port);
    n->ops->push(n->ctx, s->port, head, s->rx + sizeof(h), h.len);
    s->read += h.len;
    memmove(s->rx, s->rx + sizeof(h) + h.len, s->rx_len - sizeof(h) - h.len);
    s->rx_len -= sizeof(h) + h.len;
  }
  while (s->rx_len > 0 && n->ops->can_push(n->ctx, s->port)) {
    size_t len = s->rx_len < NET_READ_MAX ? s->rx_len : NET_READ_MAX;
    char head[64];
    snprintf(head, sizeof(head), "%s: \"recv\",%d,%zu", net_urc_name(s), s->id, len);
    n->ops->push(n->ctx, s->port, head, s->rx, len);
    s->read += len;
    memmove(s->rx, s->rx + len, s->rx_len - len);
    s->rx_len -= len;
  }
  if (s->rx_len < NET_RX_MAX)
    net_start_reading(s);
}

/* Transparent mode, online: all that is buffered goes to the port as it is. */
static void raw_out(struct net_socket *s)
{
  if (s->rx_len) {
    size_t n = s->net->ops->raw(s->net->ctx, s->port, s->rx, s->rx_len);
    s->read += n;
    memmove(s->rx, s->rx + n, s->rx_len - n);
    s->rx_len -= n;
  }
  if (s->rx_len < NET_RX_MAX)
    net_start_reading(s);
}

void net_received(struct net_socket *s, size_t len)
{
  s->rx_len += len;
  s->received += len;
  if (s->type == NET_UDP_SERVICE)
    s->received -= sizeof(struct dgram_head); /* count the data, not the headers */
  if (s->mode == NET_TRANSPARENT) {
    if (s->online)
      raw_out(s);
    return; /* in command mode it waits for ATO */
  }
  if (s->mode == NET_PUSH) {
    push_out(s);
    return;
  }
  if (!s->told) { /* once, until the host has read the buffer empty */
    char text[64];
    s->told = 1;
    if (s->net->cfg.recvind && s->ssl_ctx < 0)
      snprintf(text, sizeof(text), "+QIURC: \"recv\",%d,%d", s->id,
               (int)(s->received - s->read));
    else
      snprintf(text, sizeof(text), "%s: \"recv\",%d", net_urc_name(s), s->id);
    s->net->ops->urc(s->net->ctx, s->port, text);
  }
}

/* ---- the downlink ---- */

static void stop_reading(struct net_socket *s)
{
  if (!s->reading || !s->conn)
    return;
  if (s->type != NET_UDP && s->type != NET_UDP_SERVICE)
    uv_read_stop(&s->conn->h.stream);
  else
    uv_udp_recv_stop(&s->conn->h.udp);
  s->reading = 0;
}

static void pace_over(struct vtimer *t)
{
  struct net_socket *s = t->data;
  s->paced = 0;
  if (s->conn)
    net_start_reading(s);
}

static int paced_link(const struct net_socket *s)
{
  return s->net->nw->bandwidth_bps && s->conn && s->state == NET_CONNECTED;
}

/* The most one read of a TCP stream takes: what the downlink carries in NET_PACE_SLACK_MS of
 * virtual time. */
static size_t downlink_room(const struct net_socket *s, size_t room)
{
  double most;
  if (s->type == NET_UDP || s->type == NET_UDP_SERVICE || !paced_link(s))
    return room; /* a datagram comes whole or not at all */
  most = (double)s->net->nw->bandwidth_bps / 8000.0 * NET_PACE_SLACK_MS;
  return most < 1.0 ? 1 : most < (double)room ? (size_t)most : room;
}

/* What the peer sent crosses the module's modelled downlink, the one its downloads use too
 * (shaper.c): once the bytes read are ahead of its bandwidth on the virtual clock (instant
 * timing included), the socket stops reading until the link has carried them, and the peer's
 * TCP waits. */
static void pace(struct net_socket *s, size_t len)
{
  uint64_t wait_ms;
  if (!paced_link(s) || !(wait_ms = shaper_carry(s->net->nw, s->net->clock, len)))
    return;
  stop_reading(s);
  s->paced = 1;
  vtimer_start(&s->pace_timer, wait_ms, pace_over);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
  struct net_conn *c = h->data;
  struct net_socket *s = c->s;
  size_t head = s && s->type == NET_UDP_SERVICE ? sizeof(struct dgram_head) : 0;
  (void)hint;
  if (s && s->tls) { /* ciphertext: into the session's input */
    size_t room;
    unsigned char *p = tls_input_space(s->tls, &room);
    *buf = uv_buf_init((char *)p, (unsigned)downlink_room(s, room));
    return;
  }
  if (!s || s->rx_len + head >= NET_RX_MAX) {
    *buf = uv_buf_init(NULL, 0);
    return;
  }
  *buf = uv_buf_init(s->rx + s->rx_len + head,
                     (unsigned)downlink_room(s, NET_RX_MAX - s->rx_len - head));
}

static void closed_urc(struct net_socket *s)
{
  char text[48];
  snprintf(text, sizeof(text), "%s: \"closed\",%d", net_urc_name(s), s->id);
  s->net->ops->urc(s->net->ctx, s->port, text);
}

void net_peer_closed(struct net_socket *s)
{
  drop_conn(s);
  s->state = NET_CLOSING;
  if (s->mode == NET_TRANSPARENT && s->online) {
    s->online = 0;
    s->net->ops->hangup(s->net->ctx, s->port, s->id);
    return;
  }
  if (s->mode == NET_PUSH)
    push_out(s);
  closed_urc(s);
}

static void on_tcp_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
  struct net_conn *c = st->data;
  struct net_socket *s = c->s;
  struct net_fault f;
  int fired = 0;
  if (!s)
    return;
  if (nread > 0) {
    uint64_t before = s->wire_rx, skip = 0;
    s->wire_rx += (uint64_t)nread;
    fired = moment(s, NET_AT_RECEIVE, s->wire_rx, &f);
    if (fired && f.corrupt && f.from > before) /* exactly the bytes past the offset */
      skip = f.from - before;
    if (s->corrupt_rx)
      flip(buf->base + skip, (size_t)nread - skip);
  }
  if (s->tls) {
    net_tls_arrived(s, nread);
    if (!s->used || !s->conn)
      return; /* the handshake failed, or the peer closed */
  } else if (nread > 0) {
    net_received(s, (size_t)nread);
  }
  if (fired && s->used && s->conn && s->state == NET_CONNECTED) {
    if (s->stalled && s->reading) {
      uv_read_stop(st);
      s->reading = 0;
    }
    if (f.drop || f.fail) {
      net_peer_closed(s); /* the connection is reset under the host */
      return;
    }
  }
  if (nread > 0 && s->used && s->conn)
    pace(s, (size_t)nread);
  if (s->tls)
    return;
  if (nread > 0) {
    if (s->rx_len >= NET_RX_MAX && s->reading) { /* full: the peer's sends back up (TCP) */
      uv_read_stop(st);
      s->reading = 0;
    }
  } else if (nread < 0 && nread != UV_ENOBUFS) {
    net_peer_closed(s);
  }
}

static void on_udp_read(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf,
                        const struct sockaddr *addr, unsigned flags)
{
  struct net_conn *c = u->data;
  struct net_socket *s = c->s;
  (void)buf;
  (void)addr;
  if (!s || nread <= 0 || (flags & UV_UDP_PARTIAL) || !addr)
    return; /* a datagram that finds the buffer full is lost, as UDP's are */
  if (s->type == NET_UDP_SERVICE) { /* its sender goes in front of it */
    struct dgram_head h;
    memset(&h, 0, sizeof(h));
    h.len = (uint16_t)nread;
    if (addr->sa_family == AF_INET6) {
      uv_ip6_name((const struct sockaddr_in6 *)addr, h.ip, sizeof(h.ip));
      h.port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
    } else {
      uv_ip4_name((const struct sockaddr_in *)addr, h.ip, sizeof(h.ip));
      h.port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
    }
    memcpy(s->rx + s->rx_len, &h, sizeof(h));
    net_received(s, sizeof(h) + (size_t)nread);
  } else {
    net_received(s, (size_t)nread);
  }
  if (s->used && s->conn)
    pace(s, (size_t)nread);
}

void net_start_reading(struct net_socket *s)
{
  if (s->tls) {
    net_tls_pump(s); /* what the session already holds comes first */
    if (!s->used || !s->tls)
      return;
  }
  if (s->reading || !s->conn || s->stalled || s->paced ||
      (s->state != NET_CONNECTED && !s->tls))
    return;
  if (s->tls && s->state != NET_CONNECTED && s->state != NET_OPENING)
    return;
  if (s->type != NET_UDP && s->type != NET_UDP_SERVICE)
    uv_read_start(&s->conn->h.stream, on_alloc, on_tcp_read);
  else
    uv_udp_recv_start(&s->conn->h.udp, on_alloc, on_udp_read);
  s->reading = 1;
}

/* ---- opening ---- */

static void deadline_passed(uv_timer_t *t)
{
  struct net_conn *c = t->data;
  struct net_socket *s = c->s;
  if (!s || (s->state != NET_OPENING))
    return;
  log_info("module %d: socket %d: %s:%d: no answer in time", s->net->index, s->id, s->addr,
           s->remote_port);
  net_open_result(s, c->deadline_err);
}

void net_deadline(struct net_socket *s, uint64_t virt_ms, int err)
{
  if (!s->conn)
    return;
  s->conn->deadline_err = err;
  uv_timer_start(&s->conn->deadline, deadline_passed,
                 vclock_real_timeout(s->net->clock, virt_ms, NET_DEADLINE_FLOOR_MS), 0);
}

void net_open_result(struct net_socket *s, int err)
{
  vtimer_stop(&s->timer);
  if (s->conn)
    uv_timer_stop(&s->conn->deadline);
  if (s->mode == NET_TRANSPARENT) /* no URC: the command itself answers */
    s->net->ops->opened(s->net->ctx, s->port, s->id, err);
  else
    urc(s, s->ssl_ctx >= 0 ? "+QSSLOPEN: %d,%d" : "+QIOPEN: %d,%d", s->id, err);
  if (err) {
    s->net->last_error = err;
    free_socket(s);
    return;
  }
  s->net->last_error = 0; /* AT+QIGETERROR: the last operation went well */
  s->state = NET_CONNECTED;
  s->online = s->mode == NET_TRANSPARENT;
  if (s->type == NET_TCP && s->net->cfg.keepalive)
    uv_tcp_keepalive(&s->conn->h.tcp, 1, (unsigned)s->net->cfg.keepidle * 60);
  net_start_reading(s);
}

static void on_connect(uv_connect_t *req, int status)
{
  struct net_conn *c = req->data;
  struct net_socket *s = c->s;
  if (!s)
    return;
  if (status < 0)
    log_info("module %d: socket %d: connect to %s:%d: %s", s->net->index, s->id, s->addr,
             s->remote_port, uv_strerror(status));
  if (status == 0 && s->tls) {
    net_tls_begin(s);
    return;
  }
  net_open_result(s, status < 0 ? TCPIP_CONNECT : 0);
}

static int address(const struct net_socket *s, struct sockaddr_storage *sa)
{
  if (uv_ip4_addr(s->addr, s->remote_port, (struct sockaddr_in *)sa) == 0)
    return 0;
  return uv_ip6_addr(s->addr, s->remote_port, (struct sockaddr_in6 *)sa);
}

static int bind_local(struct net_socket *s, const struct sockaddr_storage *remote)
{
  struct sockaddr_storage local;
  int rc;
  if (!s->local_port)
    return 0;
  if (remote->ss_family == AF_INET6)
    uv_ip6_addr("::", s->local_port, (struct sockaddr_in6 *)&local);
  else
    uv_ip4_addr("0.0.0.0", s->local_port, (struct sockaddr_in *)&local);
  if (s->type == NET_TCP)
    rc = uv_tcp_bind(&s->conn->h.tcp, (const struct sockaddr *)&local, 0);
  else
    rc = uv_udp_bind(&s->conn->h.udp, (const struct sockaddr *)&local, 0);
  return rc;
}

/* ---- listening ---- */

#define NET_CONNECT_MS 150000  /* AT+QIOPEN's longest wait for a TCP connect */

static struct net_conn *conn_new(struct net_socket *s)
{
  struct net_conn *c = calloc(1, sizeof(*c));
  if (!c)
    return NULL;
  c->s = s;
  c->h.handle.data = c;
  c->connect.data = c;
  uv_timer_init(s->net->loop, &c->deadline);
  c->deadline.data = c;
  c->handles = 2;
  s->conn = c;
  return c;
}

/* The lowest free connectID takes an incoming connection. */
static struct net_socket *free_socket_slot(struct net *n)
{
  for (int i = 0; i < NET_SOCKETS; i++)
    if (!n->sock[i].used)
      return &n->sock[i];
  return NULL;
}

static void refuse(struct net_socket *l)
{
  uv_tcp_t *t = malloc(sizeof(*t));
  if (!t)
    return;
  uv_tcp_init(l->net->loop, t);
  t->data = t;
  if (uv_accept(&l->conn->h.stream, (uv_stream_t *)t) == 0)
    urc(l, "+QIURC: \"incoming full\"", 0, 0);
  uv_close((uv_handle_t *)t, tcp_freed);
}

static void on_incoming(uv_stream_t *server, int status)
{
  struct net_conn *lc = server->data;
  struct net_socket *l = lc->s, *s;
  struct sockaddr_storage sa;
  int len = sizeof(sa);
  char text[224];
  if (!l || status < 0)
    return;
  if (!(s = free_socket_slot(l->net))) {
    refuse(l);
    return;
  }
  memset(s->host, 0, sizeof(s->host));
  s->used = 1;
  s->port = l->port;
  s->cid = l->cid;
  s->type = NET_TCP_INCOMING;
  s->mode = NET_BUFFER;
  s->server_id = l->id;
  s->local_port = l->local_port;
  s->told = s->online = 0;
  s->sent = s->acked = s->received = s->read = 0;
  s->tx_pending = s->rx_len = 0;
  s->rx = malloc(NET_RX_MAX);
  if (!s->rx || !conn_new(s)) {
    free_socket(s);
    refuse(l);
    return;
  }
  uv_tcp_init(l->net->loop, &s->conn->h.tcp);
  if (uv_accept(server, &s->conn->h.stream) != 0) {
    free_socket(s);
    return;
  }
  uv_tcp_getpeername(&s->conn->h.tcp, (struct sockaddr *)&sa, &len);
  if (sa.ss_family == AF_INET6) {
    uv_ip6_name((struct sockaddr_in6 *)&sa, s->host, sizeof(s->host));
    s->remote_port = ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
  } else {
    uv_ip4_name((struct sockaddr_in *)&sa, s->host, sizeof(s->host));
    s->remote_port = ntohs(((struct sockaddr_in *)&sa)->sin_port);
  }
  {
    size_t hl = strnlen(s->host, sizeof(s->addr) - 1);
    memcpy(s->addr, s->host, hl);
    s->addr[hl] = '\0';
  }
  s->state = NET_CONNECTED;
  snprintf(text, sizeof(text), "+QIURC: \"incoming\",%d,%d,\"%s\",%d", s->id, l->id, s->host,
           s->remote_port);
  s->net->ops->urc(s->net->ctx, s->port, text);
  net_start_reading(s);
}

/* A TCP listener on the loopback address at <local_port>: the host machine's peers reach it
 * there (the modelled network gives the module no address of its own to listen on). */
static int listen_now(struct net_socket *s)
{
  struct sockaddr_in sa;
  struct net_conn *c = conn_new(s);
  if (!c)
    return TCPIP_NO_MEMORY;
  uv_tcp_init(s->net->loop, &c->h.tcp);
  uv_ip4_addr("127.0.0.1", s->local_port, &sa);
  if (uv_tcp_bind(&c->h.tcp, (const struct sockaddr *)&sa, 0) != 0)
    return TCPIP_BIND;
  if (uv_listen(&c->h.stream, 8, on_incoming) != 0)
    return TCPIP_LISTEN;
  s->state = NET_LISTENING;
  return 0;
}

/* A UDP SERVICE on 127.0.0.1:<local_port>: datagrams from anyone, answers to anyone. */
static int serve_udp(struct net_socket *s)
{
  struct sockaddr_in sa;
  struct net_conn *c = conn_new(s);
  if (!c)
    return TCPIP_NO_MEMORY;
  uv_udp_init(s->net->loop, &c->h.udp);
  uv_ip4_addr("127.0.0.1", s->local_port, &sa);
  if (uv_udp_bind(&c->h.udp, (const struct sockaddr *)&sa, 0) != 0)
    return TCPIP_BIND;
  s->state = NET_CONNECTED;
  net_start_reading(s);
  return 0;
}

/* The network's round trip has passed: the connect goes out. */
static void connect_now(struct vtimer *t)
{
  struct net_socket *s = t->data;
  struct sockaddr_storage sa;
  struct net_conn *c;
  struct net_fault f;
  if (moment(s, NET_AT_CONNECT, 0, &f) && (f.fail || f.drop)) {
    net_open_result(s, f.fail ? f.fail : TCPIP_CONNECT);
    return;
  }
  if (address(s, &sa) != 0) {
    net_open_result(s, TCPIP_DNS_PARSE);
    return;
  }
  c = conn_new(s);
  if (!c) {
    net_open_result(s, TCPIP_NO_MEMORY);
    return;
  }
  if (s->type == NET_TCP)
    uv_tcp_init(s->net->loop, &c->h.tcp);
  else
    uv_udp_init(s->net->loop, &c->h.udp);
  if (bind_local(s, &sa) != 0) {
    net_open_result(s, TCPIP_BIND);
    return;
  }
  if (s->type == NET_UDP) {
    net_open_result(s, uv_udp_connect(&c->h.udp, (const struct sockaddr *)&sa) ? TCPIP_CONNECT : 0);
    return;
  }
  if (s->stalled) /* the SYN goes nowhere: the open times out */
    net_deadline(s, NET_CONNECT_MS, TCPIP_TIMEOUT);
  else if (uv_tcp_connect(&c->connect, &c->h.tcp, (const struct sockaddr *)&sa, on_connect) != 0)
    net_open_result(s, TCPIP_CONNECT);
  else
    net_deadline(s, NET_CONNECT_MS, TCPIP_TIMEOUT);
}

/* A failure found before anything went out: the +QIOPEN URC says it, or in transparent mode
 * the command itself (ERROR, AT+QIGETERROR). */
static int open_fails(struct net_socket *s, int err)
{
  if (s->mode != NET_TRANSPARENT) {
    net_open_result(s, err);
    return 0;
  }
  s->net->last_error = err;
  free_socket(s);
  return error_in_list(ERR_TCPIP, err);
}

static int open_socket(struct net *n, int port, int cid, int ssl_ctx, int id,
                       enum net_type type, const char *host, int remote_port, int local_port,
                       enum net_mode mode, const struct tls_keys *keys)
{
  struct net_socket *s = &n->sock[id];
  const char *addr;
  if (strlen(host) > NET_HOST_MAX)
    return error_in_list(ERR_TCPIP, TCPIP_INVALID_PARAM);
  if (s->used && mode == NET_TRANSPARENT)
    return error_in_list(ERR_TCPIP, TCPIP_ID_IN_USE);
  if (s->used) { /* the answer is OK, the result says why not */
    char text[48];
    snprintf(text, sizeof(text), "%s: %d,%d", ssl_ctx >= 0 ? "+QSSLOPEN" : "+QIOPEN", id,
             TCPIP_ID_IN_USE);
    n->last_error = TCPIP_ID_IN_USE;
    n->ops->urc(n->ctx, port, text);
    return 0;
  }
  memset(&s->host, 0, sizeof(s->host));
  s->used = 1;
  s->port = port;
  s->cid = cid;
  s->type = type;
  s->mode = mode;
  s->remote_port = remote_port;
  s->local_port = local_port;
  s->server_id = -1;
  s->told = 0;
  s->online = 0;
  s->sent = s->acked = s->received = s->read = 0;
  s->tx_pending = 0;
  s->rx_len = 0;
  snprintf(s->host, sizeof(s->host), "%s", host);
  s->state = NET_OPENING;
  s->ssl_ctx = ssl_ctx;
  if (!n->nw->active[cid])
    return open_fails(s, TCPIP_PDP_OPEN);
  if (ssl_ctx >= 0) { /* the settings and files are checked before anything goes out */
    char why[200];
    if (!(s->tls = tls_new(&n->ssl[ssl_ctx].set, keys, host, why, sizeof(why)))) {
      log_info("module %d: ssl socket %d: context %d: %s", n->index, id, ssl_ctx, why);
      return open_fails(s, TCPIP_CONNECT);
    }
  }
  if (type == NET_TCP_LISTENER || type == NET_UDP_SERVICE) {
    int err;
    if (type == NET_UDP_SERVICE && !(s->rx = malloc(NET_RX_MAX)))
      return open_fails(s, TCPIP_NO_MEMORY);
    err = type == NET_TCP_LISTENER ? listen_now(s) : serve_udp(s);
    urc(s, "+QIOPEN: %d,%d", id, err);
    if (err) {
      n->last_error = err;
      free_socket(s);
    }
    return 0;
  }
  addr = network_resolve(n->dns, n->ndns, host);
  if (!addr)
    return open_fails(s, TCPIP_DNS_PARSE);
  snprintf(s->addr, sizeof(s->addr), "%s", addr);
  s->rx = malloc(NET_RX_MAX);
  if (!s->rx)
    return open_fails(s, TCPIP_NO_MEMORY);
  vtimer_start(&s->timer, n->nw->latency_ms, connect_now); /* SYN and SYN-ACK */
  return 0;
}

int net_open(struct net *n, int port, int cid, int id, enum net_type type, const char *host,
             int remote_port, int local_port, enum net_mode mode)
{
  return open_socket(n, port, cid, -1, id, type, host, remote_port, local_port, mode, NULL);
}

int net_open_tls(struct net *n, int port, int cid, int ctx, int id, const char *host,
                 int remote_port, enum net_mode mode, const struct tls_keys *keys)
{
  return open_socket(n, port, cid, ctx, id, NET_TCP, host, remote_port, 0, mode, keys);
}

/* ---- sending, reading, closing ---- */

const struct net_socket *net_socket(const struct net *n, int id)
{
  return id >= 0 && id < NET_SOCKETS && n->sock[id].used ? &n->sock[id] : NULL;
}

int net_local_port(const struct net *n, int id)
{
  const struct net_socket *s = net_socket(n, id);
  struct sockaddr_storage sa;
  int len = sizeof(sa);
  if (!s || !s->conn)
    return s ? s->local_port : 0;
  if ((s->type != NET_UDP && s->type != NET_UDP_SERVICE ? uv_tcp_getsockname(&s->conn->h.tcp, (struct sockaddr *)&sa, &len)
                          : uv_udp_getsockname(&s->conn->h.udp, (struct sockaddr *)&sa, &len)) != 0)
    return s->local_port;
  return ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                        : ((struct sockaddr_in *)&sa)->sin_port);
}

int net_can_send(const struct net *n, int id)
{
  const struct net_socket *s = net_socket(n, id);
  if (!s)
    return TCPIP_NOT_ALLOWED;
  if (s->type == NET_TCP_LISTENER)
    return TCPIP_NOT_SUPPORTED; /* a listener sends nothing */
  if (s->state == NET_CLOSING)
    return TCPIP_SOCKET_CLOSED;
  return s->state == NET_CONNECTED ? 0 : TCPIP_NOT_ALLOWED;
}

static void sent(struct net_write *w, int status)
{
  struct net_socket *s = w->conn->s;
  if (s) {
    int was_full = s->tx_pending > NET_TX_MAX / 2;
    s->tx_pending -= w->len;
    if (status == 0)
      s->acked += w->plain; /* the kernel has it: as close to the peer's ACK as we see */
    if (was_full && s->tx_pending <= NET_TX_MAX / 2)
      s->net->ops->drained(s->net->ctx, s->port);
  }
  free(w);
}

int net_has_room(const struct net *n, int id, size_t len)
{
  const struct net_socket *s = net_socket(n, id);
  return s && s->tx_pending + len <= NET_TX_MAX;
}

void net_set_online(struct net *n, int id, int on)
{
  struct net_socket *s = &n->sock[id];
  if (!s->used || s->mode != NET_TRANSPARENT)
    return;
  s->online = on;
  if (on)
    raw_out(s);
}

static void tcp_sent(uv_write_t *req, int status)
{
  sent(req->data, status);
}

static void udp_sent(uv_udp_send_t *req, int status)
{
  sent(req->data, status);
}

int net_send(struct net *n, int id, const char *data, size_t len)
{
  return net_send_to(n, id, data, len, NULL, 0);
}

int net_write_stream(struct net_socket *s, const void *data, size_t len, size_t plain)
{
  struct net_write *w = malloc(sizeof(*w) + len);
  uv_buf_t b;
  if (!w)
    return -1;
  memcpy(w->data, data, len);
  if (s->corrupt_tx)
    flip(w->data, len);
  w->len = len;
  w->plain = plain;
  w->conn = s->conn;
  w->req.w.data = w;
  b = uv_buf_init(w->data, (unsigned)len);
  if (uv_write(&w->req.w, &s->conn->h.stream, &b, 1, tcp_sent) != 0) {
    free(w);
    return -1;
  }
  s->tx_pending += len;
  return 0;
}

int net_send_to(struct net *n, int id, const char *data, size_t len, const char *ip, int port)
{
  struct net_socket *s = &n->sock[id];
  struct sockaddr_storage to;
  struct net_write *w;
  struct net_fault f;
  uv_buf_t b;
  int rc = net_can_send(n, id);
  if (rc)
    return rc;
  if (s->type == NET_UDP_SERVICE &&
      (!ip || (uv_ip4_addr(ip, port, (struct sockaddr_in *)&to) != 0 &&
               uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&to) != 0)))
    return TCPIP_INVALID_PARAM;
  if (s->tx_pending + len > NET_TX_MAX)
    return 1;
  if (moment(s, NET_AT_SEND, 0, &f)) {
    if (f.fail)
      return 1;
    if (f.drop) { /* the connection is reset as the data goes */
      net_peer_closed(s);
      return 1;
    }
  }
  if (s->stalled) { /* it goes nowhere and is never acknowledged */
    s->sent += len;
    return 0;
  }
  if (s->tls)
    return net_tls_send(s, data, len);
  if (s->type != NET_UDP && s->type != NET_UDP_SERVICE) {
    if (net_write_stream(s, data, len, len) != 0)
      return 1;
    s->sent += len;
    return 0;
  }
  if (!(w = malloc(sizeof(*w) + len)))
    return 1;
  memcpy(w->data, data, len);
  if (s->corrupt_tx)
    flip(w->data, len);
  w->len = w->plain = len;
  w->conn = s->conn;
  b = uv_buf_init(w->data, (unsigned)len);
  w->req.u.data = w;
  rc = uv_udp_send(&w->req.u, &s->conn->h.udp, &b, 1,
                   s->type == NET_UDP_SERVICE ? (const struct sockaddr *)&to : NULL, udp_sent);
  if (rc) {
    free(w);
    return 1;
  }
  s->tx_pending += len;
  s->sent += len;
  return 0;
}

size_t net_read(struct net *n, int id, char *buf, size_t max)
{
  struct net_socket *s = &n->sock[id];
  size_t len = s->rx_len < max ? s->rx_len : max;
  if (!s->used || !len)
    return 0;
  memcpy(buf, s->rx, len);
  memmove(s->rx, s->rx + len, s->rx_len - len);
  s->rx_len -= len;
  s->read += len;
  if (s->rx_len == 0)
    s->told = 0;
  net_start_reading(s); /* room again: the peer may go on */
  return len;
}

size_t net_read_from(struct net *n, int id, char *buf, size_t max, char *ip, int *port)
{
  struct net_socket *s = &n->sock[id];
  struct dgram_head h;
  size_t len;
  if (!s->used || s->type != NET_UDP_SERVICE || s->rx_len < sizeof(h))
    return 0;
  memcpy(&h, s->rx, sizeof(h));
  len = h.len < max ? h.len : max; /* the rest of a longer datagram is lost, as UDP's is */
  memcpy(buf, s->rx + sizeof(h), len);
  snprintf(ip, 64, "%s", h.ip);
  *port = h.port;
  memmove(s->rx, s->rx + sizeof(h) + h.len, s->rx_len - sizeof(h) - h.len);
  s->rx_len -= sizeof(h) + h.len;
  s->read += h.len;
  if (s->rx_len == 0)
    s->told = 0;
  return len;
}

void net_close(struct net *n, int id)
{
  if (id >= 0 && id < NET_SOCKETS && n->sock[id].used)
    free_socket(&n->sock[id]);
}

void net_port_ready(struct net *n, int port)
{
  for (int i = 0; i < NET_SOCKETS; i++)
    if (n->sock[i].used && n->sock[i].port == port && n->sock[i].mode == NET_PUSH)
      push_out(&n->sock[i]);
}

void net_port_writable(struct net *n, int port)
{
  for (int i = 0; i < NET_SOCKETS; i++) {
    struct net_socket *s = &n->sock[i];
    if (!s->used || s->port != port)
      continue;
    if (s->mode == NET_PUSH)
      push_out(s);
    else if (s->mode == NET_TRANSPARENT && s->online)
      raw_out(s);
  }
}

void net_context_down(struct net *n, int cid, int with_urc)
{
  for (int i = 0; i < NET_SOCKETS; i++) {
    struct net_socket *s = &n->sock[i];
    if (!s->used || s->cid != cid)
      continue;
    if (with_urc && s->state != NET_CLOSING)
      closed_urc(s);
    free_socket(s);
  }
}

/* ---- AT+QPING: answered by the modelled network ---- */

static void ping_step(struct vtimer *t)
{
  struct net_ping *p = t->data;
  struct net *n = p->net;
  char text[128];
  if (p->left > 0) {
    snprintf(text, sizeof(text), "+QPING: 0,\"%s\",32,%u,255", p->addr, p->rtt);
    n->ops->urc(n->ctx, p->port, text);
    p->left--;
    p->sent++;
    vtimer_start(&p->timer, p->left ? 1000 : 0, ping_step); /* one a second */
    return;
  }
  snprintf(text, sizeof(text), "+QPING: 0,%d,%d,0,%u,%u,%u", p->sent, p->sent, p->rtt, p->rtt,
           p->rtt);
  n->ops->urc(n->ctx, p->port, text);
}

int net_ping(struct net *n, int port, int cid, const char *host, int count)
{
  struct net_ping *p = &n->ping;
  const char *addr;
  if (vtimer_active(&p->timer))
    return TCPIP_BUSY;
  if (!n->nw->active[cid])
    return TCPIP_PDP_OPEN;
  if (!(addr = network_resolve(n->dns, n->ndns, host)))
    return TCPIP_DNS_PARSE;
  snprintf(p->addr, sizeof(p->addr), "%s", addr);
  p->port = port;
  p->left = count;
  p->sent = 0;
  p->rtt = n->nw->latency_ms;
  vtimer_start(&p->timer, p->rtt, ping_step);
  return 0;
}

void net_reset(struct net *n)
{
  vtimer_stop(&n->ping.timer);
  ntp_query_cancel(n->ntp);
  n->ntp = NULL;
  for (int i = 0; i < NET_SOCKETS; i++)
    if (n->sock[i].used)
      free_socket(&n->sock[i]);
}
