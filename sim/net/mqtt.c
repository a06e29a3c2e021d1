/* mqtt: six MQTT clients on libmosquitto without its thread: the client's socket is a uv_poll
 * (read when readable, write while mosquitto wants to), keep-alive a 1 s uv_timer; libmosquitto's
 * callbacks become +QMTCONN, +QMTSUB, +QMTUNS, +QMTPUBEX, +QMTRECV, +QMTDISC, +QMTPING and
 * +QMTSTAT. TLS ("ssl" 1) is libmosquitto's own, set from the client's SSL context; received
 * messages are pushed in the URC or held in five buffers for AT+QMTRECV ("recv/mode" 1). What
 * the broker sends crosses the module's modelled downlink, as a socket's bytes do. */
#include "mqtt.h"

#include <mosquitto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "shaper.h"
#include "storage.h"

static void defaults(struct mqtt_config *c)
{
  memset(c, 0, sizeof(*c));
  c->version = 4;
  c->cid = 1;
  c->keepalive = 120;
  c->clean = 1;
  c->pkt_timeout = 5;
  c->retries = 3;
}

static void urc(struct mqtt_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void urc(struct mqtt_client *c, const char *fmt, ...)
{
  char text[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  c->owner->ops->urc(c->owner->ctx, c->port, text, strlen(text));
}

void mqtt_init(struct mqtt *q, const struct svc_env *env, const struct mqtt_ops *ops, void *ctx)
{
  static int lib_done;
  memset(q, 0, sizeof(*q));
  if (!lib_done) {
    mosquitto_lib_init();
    lib_done = 1;
  }
  q->env = *env;
  q->ops = ops;
  q->ctx = ctx;
  uv_timer_init(env->loop, &q->tick);
  q->tick.data = q;
  q->tick_open = 1;
  for (int i = 0; i < MQTT_CLIENTS; i++) {
    q->c[i].owner = q;
    q->c[i].idx = i;
    q->c[i].fd = -1;
    vtimer_init(env->clock, &q->c[i].pace, &q->c[i]);
    defaults(&q->c[i].cfg);
  }
}

static void poll_closed(uv_handle_t *h)
{
  free(h);
}

static void probe_closed(uv_handle_t *h)
{
  free(h->data); /* the connect request; the handle is in it */
}

/* The client's network goes: mosquitto, its poll, a probe under way. */
static void teardown(struct mqtt_client *c)
{
  if (c->poll) {
    uv_poll_stop(c->poll);
    uv_close((uv_handle_t *)c->poll, poll_closed);
    c->poll = NULL;
  }
  c->fd = -1;
  if (c->mosq) {
    mosquitto_destroy(c->mosq);
    c->mosq = NULL;
  }
  if (c->probe) { /* its connect is cancelled: the callback finds no client */
    ((uv_connect_t *)c->probe->data)->data = NULL;
    uv_close((uv_handle_t *)c->probe, probe_closed);
    c->probe = NULL;
  }
  memset(c->pend, 0, sizeof(c->pend));
  vtimer_stop(&c->pace);
  c->lost = c->quiet = c->lost_why = 0;
  c->state = MQTT_IDLE;
}

void mqtt_message_free(struct mqtt_message *msg)
{
  if (!msg)
    return;
  free(msg->topic);
  free(msg->payload);
  free(msg);
}

/* The buffers and the backlog empty (a power cycle). */
static void drop_messages(struct mqtt_client *c)
{
  for (int i = 0; i < MQTT_RECV_SLOTS; i++) {
    mqtt_message_free(c->slot[i]);
    c->slot[i] = NULL;
  }
  while (c->backlog) {
    struct mqtt_message *next = c->backlog->next;
    mqtt_message_free(c->backlog);
    c->backlog = next;
  }
  c->backlog_tail = NULL;
  c->backlog_n = 0;
}

void mqtt_reset(struct mqtt *q)
{
  for (int i = 0; i < MQTT_CLIENTS; i++) {
    teardown(&q->c[i]);
    drop_messages(&q->c[i]);
    defaults(&q->c[i].cfg);
  }
  if (q->tick_open)
    uv_timer_stop(&q->tick);
}

static void tick_closed(uv_handle_t *h)
{
  (void)h;
}

void mqtt_close(struct mqtt *q)
{
  mqtt_reset(q);
  if (q->tick_open) {
    q->tick_open = 0;
    uv_close((uv_handle_t *)&q->tick, tick_closed);
  }
}

/* ---- the socket on the loop ---- */

static void on_poll(uv_poll_t *h, int status, int events);

static void watch(struct mqtt_client *c)
{
  int fd, ev;
  if (!c->mosq)
    return;
  fd = mosquitto_socket(c->mosq);
  if (fd < 0)
    return;
  if (fd != c->fd && c->poll) {
    uv_poll_stop(c->poll);
    uv_close((uv_handle_t *)c->poll, poll_closed);
    c->poll = NULL;
  }
  if (!c->poll) {
    c->poll = malloc(sizeof(*c->poll));
    if (!c->poll || uv_poll_init_socket(c->owner->env.loop, c->poll, fd) != 0) {
      free(c->poll);
      c->poll = NULL;
      return;
    }
    c->poll->data = c;
    c->fd = fd;
  }
  ev = (vtimer_active(&c->pace) ? 0 : UV_READABLE) | (mosquitto_want_write(c->mosq) ? UV_WRITABLE : 0);
  if (ev)
    uv_poll_start(c->poll, ev, on_poll);
  else
    uv_poll_stop(c->poll);
}

static void pace_over(struct vtimer *t)
{
  watch(t->data);
}

/* A PUBLISH of len bytes came through the downlink: once the link is behind on the virtual
 * clock (instant timing included), the client reads no more until it has carried them, and
 * the broker's TCP waits. (mosquitto reads one packet a call here: nothing is queued with QoS
 * above 0 on our side for long. Acknowledgements and pings are too small to count.) */
static void pace(struct mqtt_client *c, size_t len)
{
  uint64_t wait_ms;
  if (!len || !(wait_ms = shaper_carry(c->owner->env.nw, c->owner->env.clock, len)))
    return;
  vtimer_start(&c->pace, wait_ms, pace_over);
}

/* The broker went (or never answered): the note's link-loss URC. */
static void link_lost(struct mqtt_client *c, int why)
{
  enum mqtt_state was = c->state;
  int quiet = c->quiet, no_pong = why == MOSQ_ERR_KEEPALIVE || c->lost_why == MOSQ_ERR_KEEPALIVE;
  log_info("mqtt %d: the link is gone (%s)%s", c->idx,
           mosquitto_strerror(no_pong ? MOSQ_ERR_KEEPALIVE : why),
           why == MOSQ_ERR_TLS ? ": the TLS handshake failed (certificate, CA or version)" : "");
  teardown(c);
  if (quiet) /* the broker refused the session: +QMTCONN said so */
    return;
  if (no_pong && was == MQTT_CONNECTED) { /* the PINGRESP did not come in time */
    urc(c, "+QMTPING: %d,1", c->idx);
    urc(c, "+QMTSTAT: %d,2", c->idx);
  } else if (was == MQTT_DISCONNECTING)
    urc(c, "+QMTDISC: %d,0", c->idx);
  else if (was == MQTT_CONNECTING)
    urc(c, "+QMTSTAT: %d,3", c->idx); /* no CONNACK */
  else
    urc(c, "+QMTSTAT: %d,1", c->idx);
}

static void after(struct mqtt_client *c, int rc)
{
  if (c->lost || rc != MOSQ_ERR_SUCCESS) {
    link_lost(c, rc ? rc : MOSQ_ERR_CONN_LOST);
    return;
  }
  watch(c);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
  struct mqtt_client *c = h->data;
  int rc = MOSQ_ERR_SUCCESS;
  if (status < 0) {
    link_lost(c, MOSQ_ERR_CONN_LOST);
    return;
  }
  if ((events & UV_READABLE) && !vtimer_active(&c->pace))
    rc = mosquitto_loop_read(c->mosq, 1);
  if (rc == MOSQ_ERR_SUCCESS && !c->lost && c->mosq && (events & UV_WRITABLE))
    rc = mosquitto_loop_write(c->mosq, 1);
  if (c->mosq)
    after(c, rc);
}

static void on_tick(uv_timer_t *t)
{
  struct mqtt *q = t->data;
  int any = 0;
  for (int i = 0; i < MQTT_CLIENTS; i++) {
    struct mqtt_client *c = &q->c[i];
    if (!c->mosq)
      continue;
    any = 1;
    after(c, mosquitto_loop_misc(c->mosq)); /* PINGREQ when due, PINGRESP overdue: lost */
  }
  if (!any)
    uv_timer_stop(&q->tick);
}

/* ---- libmosquitto's callbacks ---- */

/* The request behind an acknowledgement; mid -1 is the one being sent now (a QoS 0 publish
 * is reported from inside mosquitto_publish, before its mid is known here). */
static struct mqtt_pending *pending(struct mqtt_client *c, int mid)
{
  for (int i = 0; i < MQTT_PENDING; i++)
    if (c->pend[i].verb && c->pend[i].mid == mid)
      return &c->pend[i];
  return mid != -1 ? pending(c, -1) : NULL;
}

static int remember(struct mqtt_client *c, int mid, int msgid, const char *verb)
{
  for (int i = 0; i < MQTT_PENDING; i++)
    if (!c->pend[i].verb) {
      c->pend[i].mid = mid;
      c->pend[i].msgid = msgid;
      c->pend[i].verb = verb;
      return 0;
    }
  return -1;
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
  struct mqtt_client *c = obj;
  (void)m;
  urc(c, "+QMTCONN: %d,0,%d", c->idx, rc);
  if (rc == 0) {
    c->state = MQTT_CONNECTED;
  } else {
    c->lost = c->quiet = 1; /* refused: the session ends without a +QMTSTAT */
  }
}

static void on_disconnect(struct mosquitto *m, void *obj, int rc)
{
  struct mqtt_client *c = obj;
  (void)m;
  c->lost = 1; /* handled once mosquitto has returned */
  c->lost_why = rc;
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
  struct mqtt_client *c = obj;
  struct mqtt_pending *p = pending(c, mid);
  (void)m;
  if (!p)
    return;
  urc(c, "+QMTSUB: %d,%d,0,%d", c->idx, p->msgid, n > 0 ? granted[0] : 128);
  p->verb = NULL;
}

static void on_unsubscribe(struct mosquitto *m, void *obj, int mid)
{
  struct mqtt_client *c = obj;
  struct mqtt_pending *p = pending(c, mid);
  (void)m;
  if (!p)
    return;
  urc(c, "+QMTUNS: %d,%d,0", c->idx, p->msgid);
  p->verb = NULL;
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
  struct mqtt_client *c = obj;
  struct mqtt_pending *p = pending(c, mid);
  (void)m;
  if (!p)
    return;
  urc(c, "%s: %d,%d,0", p->verb, c->idx, p->msgid);
  p->verb = NULL;
}

size_t mqtt_recv_text(const struct mqtt_client *c, const struct mqtt_message *msg, char **out)
{
  size_t tl = strlen(msg->topic);
  char *text = malloc(tl + msg->len + 97);
  int n;
  *out = text;
  if (!text)
    return 0;
  if (c->cfg.len_enable)
    n = snprintf(text, 96 + tl, "+QMTRECV: %d,%d,\"%s\",%zu,\"", c->idx, msg->msgid, msg->topic,
                 msg->len);
  else
    n = snprintf(text, 96 + tl, "+QMTRECV: %d,%d,\"%s\",\"", c->idx, msg->msgid, msg->topic);
  memcpy(text + n, msg->payload, msg->len);
  text[(size_t)n + msg->len] = '"';
  text[(size_t)n + msg->len + 1] = '\0'; /* for logs and events; the length is what counts */
  return (size_t)n + msg->len + 1;
}

/* "recv/mode" 1: into the first free buffer, with +QMTRECV: <idx>,<recv_id>; 0 if none. */
static int store(struct mqtt_client *c, struct mqtt_message *msg)
{
  for (int i = 0; i < MQTT_RECV_SLOTS; i++)
    if (!c->slot[i]) {
      c->slot[i] = msg;
      urc(c, "+QMTRECV: %d,%d", c->idx, i);
      return 1;
    }
  return 0;
}

/* A PUBLISH packet's bytes on the wire: fixed header, topic, packet id (QoS 1, 2), payload. */
static size_t publish_size(const struct mosquitto_message *in)
{
  size_t rest = 2 + strlen(in->topic) + (in->qos ? 2 : 0) + (size_t)in->payloadlen, head = 2;
  for (size_t r = rest; r > 127; r >>= 7)
    head++;
  return head + rest;
}

/* +QMTRECV: the payload as it came, NUL bytes included; or into a buffer for AT+QMTRECV. */
static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *in)
{
  struct mqtt_client *c = obj;
  struct mqtt_message *msg = calloc(1, sizeof(*msg));
  (void)m;
  if (!msg || !(msg->topic = strdup(in->topic)) ||
      !(msg->payload = malloc((size_t)in->payloadlen + 1))) {
    mqtt_message_free(msg);
    return;
  }
  msg->msgid = in->mid;
  msg->len = (size_t)in->payloadlen;
  memcpy(msg->payload, in->payload, msg->len);
  pace(c, publish_size(in));
  if (c->cfg.recv_mode == 0) {
    char *text;
    size_t n = mqtt_recv_text(c, msg, &text);
    if (text)
      c->owner->ops->urc(c->owner->ctx, c->port, text, n);
    free(text);
    mqtt_message_free(msg);
    return;
  }
  if (store(c, msg))
    return;
  if (c->backlog_n == MQTT_BACKLOG) {
    log_warn("mqtt %d: a message on %s is dropped: the five buffers and the backlog are full",
             c->idx, msg->topic);
    mqtt_message_free(msg);
    return;
  }
  if (c->backlog_tail)
    c->backlog_tail->next = msg;
  else
    c->backlog = msg;
  c->backlog_tail = msg;
  c->backlog_n++;
}

struct mqtt_message *mqtt_take(struct mqtt *q, int idx, int recv_id)
{
  struct mqtt_client *c = &q->c[idx];
  struct mqtt_message *msg = c->slot[recv_id];
  c->slot[recv_id] = NULL;
  if (msg && c->backlog) { /* the oldest waiting one takes the freed buffer */
    struct mqtt_message *next = c->backlog;
    c->backlog = next->next;
    if (!c->backlog)
      c->backlog_tail = NULL;
    c->backlog_n--;
    next->next = NULL;
    store(c, next);
  }
  return msg;
}

/* ---- the commands ---- */

static struct mqtt_client *client(struct mqtt *q, int idx)
{
  return idx >= 0 && idx < MQTT_CLIENTS ? &q->c[idx] : NULL;
}

static void probed(uv_connect_t *req, int status)
{
  struct mqtt_client *c = req->data;
  if (!c) /* the client went meanwhile */
    return;
  uv_close((uv_handle_t *)c->probe, probe_closed);
  c->probe = NULL;
  if (status < 0) {
    log_info("mqtt %d: %s:%d: %s", c->idx, c->host, c->rport, uv_strerror(status));
    c->state = MQTT_IDLE;
    urc(c, "+QMTOPEN: %d,-1", c->idx);
    return;
  }
  c->state = MQTT_OPEN;
  urc(c, "+QMTOPEN: %d,0", c->idx);
}

static int fault_at(struct mqtt_client *c, enum mqtt_moment what)
{
  struct mqtt *q = c->owner;
  return q->ops->fault ? q->ops->fault(q->ctx, what) : 0;
}

/* AT+QMTOPEN: the broker's name through the DNS map, then a real TCP connect to it. */
int mqtt_open(struct mqtt *q, int idx, int port, const char *host, int rport)
{
  struct mqtt_client *c = client(q, idx);
  const char *ip;
  struct sockaddr_storage sa;
  struct { uv_connect_t req; uv_tcp_t tcp; } *pr;
  if (!c)
    return -1;
  c->port = port;
  if (c->state != MQTT_IDLE) {
    urc(c, "+QMTOPEN: %d,2", idx); /* the index is in use */
    return 0;
  }
  if (!q->env.nw->active[c->cfg.cid]) {
    urc(c, "+QMTOPEN: %d,3", idx);
    return 0;
  }
  if (c->cfg.ssl && q->env.tcpip->ssl[c->cfg.ssl_ctx].set.version == 0) {
    log_info("mqtt %d: SSL context %d asks for SSL 3.0, which no broker speaks", idx,
             c->cfg.ssl_ctx);
    urc(c, "+QMTOPEN: %d,-1", idx);
    return 0;
  }
  if (fault_at(c, MQTT_AT_OPEN) == 1) {
    urc(c, "+QMTOPEN: %d,-1", idx);
    return 0;
  }
  ip = network_resolve(q->env.dns, q->env.ndns, host);
  if (!ip || (uv_ip4_addr(ip, rport, (struct sockaddr_in *)&sa) != 0 &&
              uv_ip6_addr(ip, rport, (struct sockaddr_in6 *)&sa) != 0)) {
    urc(c, "+QMTOPEN: %d,4", idx);
    return 0;
  }
  snprintf(c->host, sizeof(c->host), "%s", host);
  snprintf(c->ip, sizeof(c->ip), "%s", ip);
  c->rport = rport;
  pr = calloc(1, sizeof(*pr));
  if (!pr)
    return -1;
  uv_tcp_init(q->env.loop, &pr->tcp);
  pr->tcp.data = pr;
  pr->req.data = c;
  c->probe = &pr->tcp;
  c->state = MQTT_OPENING;
  if (uv_tcp_connect(&pr->req, &pr->tcp, (const struct sockaddr *)&sa, probed) != 0) {
    uv_close((uv_handle_t *)&pr->tcp, probe_closed);
    c->probe = NULL;
    c->state = MQTT_IDLE;
    urc(c, "+QMTOPEN: %d,-1", idx);
  }
  return 0;
}

int mqtt_close_client(struct mqtt *q, int idx, int port)
{
  struct mqtt_client *c = client(q, idx);
  if (!c)
    return -1;
  c->port = port;
  if (c->state == MQTT_IDLE) {
    urc(c, "+QMTCLOSE: %d,-1", idx);
    return 0;
  }
  if (c->mosq && c->state == MQTT_CONNECTED) {
    mosquitto_disconnect(c->mosq);
    mosquitto_loop_write(c->mosq, 1);
  }
  teardown(c);
  urc(c, "+QMTCLOSE: %d,0", idx);
  return 0;
}

/* "ssl" 1: libmosquitto's TLS as the SSL context says. seclevel 0 checks nothing, 1 the broker
 * against "cacert" (and its address with "sni"), 2 also presents our certificate and key. */
static int tls_setup(struct mqtt_client *c)
{
  static const char *const versions[] = { NULL, "tlsv1", "tlsv1.1", "tlsv1.2", NULL };
  const struct net_ssl *ssl = &c->owner->env.tcpip->ssl[c->cfg.ssl_ctx];
  const struct storage *st = c->owner->env.st;
  char ca[4400], cert[4400], key[4400];
  int lvl = ssl->set.seclevel;
  int have_ca = lvl >= 1 && storage_file(st, ssl->cacert, ca, sizeof(ca)) >= 0;
  int have_cert = lvl == 2 && storage_file(st, ssl->clientcert, cert, sizeof(cert)) >= 0 &&
                  storage_file(st, ssl->clientkey, key, sizeof(key)) >= 0;
  int rc;
  if (lvl >= 1 && !have_ca) {
    log_info("mqtt %d: SSL context %d has no CA certificate (\"cacert\")", c->idx, c->cfg.ssl_ctx);
    return -1;
  }
  /* seclevel 0 verifies nothing, but libmosquitto 2.0 wants a CA location all the same: "/"
   * (a directory OpenSSL searches lazily, so never) */
  rc = mosquitto_tls_set(c->mosq, have_ca ? ca : NULL, have_ca ? NULL : "/", have_cert ? cert : NULL,
                         have_cert ? key : NULL, NULL);
  if (rc == MOSQ_ERR_SUCCESS)
    rc = mosquitto_tls_opts_set(c->mosq, lvl >= 1 ? 1 : 0, versions[ssl->set.version], NULL);
  if (rc == MOSQ_ERR_SUCCESS)
    rc = mosquitto_tls_insecure_set(c->mosq, lvl >= 1 && ssl->set.sni ? false : true);
  if (rc != MOSQ_ERR_SUCCESS) {
    log_info("mqtt %d: TLS settings: %s", c->idx, mosquitto_strerror(rc));
    return -1;
  }
  return 0;
}

int mqtt_connect(struct mqtt *q, int idx, int port, const char *client_id, const char *user,
                 const char *password)
{
  struct mqtt_client *c = client(q, idx);
  int rc, keep;
  if (!c)
    return -1;
  c->port = port;
  if (c->state != MQTT_OPEN)
    return -1;
  if (fault_at(c, MQTT_AT_CONNECT) == 1) { /* as a broker that is not available */
    teardown(c);
    urc(c, "+QMTCONN: %d,0,3", idx);
    return 0;
  }
  c->mosq = mosquitto_new(client_id, c->cfg.clean ? true : false, c);
  if (!c->mosq)
    return -1;
  mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION,
                       c->cfg.version == 3 ? MQTT_PROTOCOL_V31 : MQTT_PROTOCOL_V311);
  if (c->cfg.ssl && tls_setup(c) != 0) {
    mosquitto_destroy(c->mosq);
    c->mosq = NULL;
    urc(c, "+QMTCONN: %d,2", idx); /* the CONNECT could not be sent */
    return 0;
  }
  if (user)
    mosquitto_username_pw_set(c->mosq, user, password);
  if (c->cfg.will_fg)
    mosquitto_will_set(c->mosq, c->cfg.will_topic, (int)strlen(c->cfg.will_msg), c->cfg.will_msg,
                       c->cfg.will_qos, c->cfg.will_retain ? true : false);
  mosquitto_connect_callback_set(c->mosq, on_connect);
  mosquitto_disconnect_callback_set(c->mosq, on_disconnect);
  mosquitto_subscribe_callback_set(c->mosq, on_subscribe);
  mosquitto_unsubscribe_callback_set(c->mosq, on_unsubscribe);
  mosquitto_publish_callback_set(c->mosq, on_publish);
  mosquitto_message_callback_set(c->mosq, on_message);
  keep = c->cfg.keepalive == 0 ? 0 : c->cfg.keepalive < 5 ? 5 : c->cfg.keepalive;
  rc = mosquitto_connect_async(c->mosq, c->ip, c->rport, keep);
  c->state = MQTT_CONNECTING;
  if (rc == MOSQ_ERR_TLS) { /* the handshake failed at once: as when it fails later */
    link_lost(c, rc);
    return 0;
  }
  if (rc != MOSQ_ERR_SUCCESS) {
    log_info("mqtt %d: connect: %s", idx, mosquitto_strerror(rc));
    mosquitto_destroy(c->mosq);
    c->mosq = NULL;
    c->state = MQTT_OPEN;
    urc(c, "+QMTCONN: %d,2", idx); /* the CONNECT could not be sent */
    return 0;
  }
  uv_timer_start(&q->tick, on_tick, 1000, 1000);
  watch(c);
  return 0;
}

int mqtt_disconnect(struct mqtt *q, int idx, int port)
{
  struct mqtt_client *c = client(q, idx);
  if (!c || c->state != MQTT_CONNECTED)
    return -1;
  c->port = port;
  c->state = MQTT_DISCONNECTING;
  mosquitto_disconnect(c->mosq); /* DISCONNECT goes out; on_disconnect follows */
  watch(c);
  return 0;
}

int mqtt_subscribe(struct mqtt *q, int idx, int msgid, const char *const *topics,
                   const int *qos, int n)
{
  struct mqtt_client *c = client(q, idx);
  int mid, rc;
  if (!c || c->state != MQTT_CONNECTED || n < 1)
    return -1;
  /* one SUBSCRIBE per topic; the first one's acknowledgement answers the command */
  rc = mosquitto_subscribe(c->mosq, &mid, topics[0], qos[0]);
  if (rc != MOSQ_ERR_SUCCESS || remember(c, mid, msgid, "+QMTSUB") != 0)
    return -1;
  for (int i = 1; i < n; i++)
    mosquitto_subscribe(c->mosq, NULL, topics[i], qos[i]);
  watch(c);
  return 0;
}

int mqtt_unsubscribe(struct mqtt *q, int idx, int msgid, const char *const *topics, int n)
{
  struct mqtt_client *c = client(q, idx);
  int mid, rc;
  if (!c || c->state != MQTT_CONNECTED || n < 1)
    return -1;
  rc = mosquitto_unsubscribe(c->mosq, &mid, topics[0]);
  if (rc != MOSQ_ERR_SUCCESS || remember(c, mid, msgid, "+QMTUNS") != 0)
    return -1;
  for (int i = 1; i < n; i++)
    mosquitto_unsubscribe(c->mosq, NULL, topics[i]);
  watch(c);
  return 0;
}

int mqtt_publish(struct mqtt *q, int idx, const char *verb, int msgid, int qos, int retain,
                 const char *topic, const void *payload, size_t len)
{
  struct mqtt_client *c = client(q, idx);
  int mid, rc;
  struct mqtt_pending *p;
  if (!c || c->state != MQTT_CONNECTED || remember(c, -1, msgid, verb) != 0)
    return -1;
  if (fault_at(c, MQTT_AT_PUBLISH) == 2) { /* the link goes as the message would */
    link_lost(c, MOSQ_ERR_CONN_LOST);
    return 0;
  }
  rc = mosquitto_publish(c->mosq, &mid, topic, (int)len, payload, qos, retain ? true : false);
  p = pending(c, -1);
  if (p && p->mid == -1) { /* not reported yet: its acknowledgement will be */
    if (rc != MOSQ_ERR_SUCCESS)
      p->verb = NULL;
    else
      p->mid = mid;
  }
  if (rc != MOSQ_ERR_SUCCESS)
    return -1;
  if (c->mosq)
    watch(c);
  return 0;
}
