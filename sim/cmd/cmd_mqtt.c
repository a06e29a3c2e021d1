/* cmd_mqtt: the MQTT note's commands: AT+QMTCFG, AT+QMTOPEN, AT+QMTCLOSE, AT+QMTCONN,
 * AT+QMTDISC, AT+QMTSUB, AT+QMTUNS, AT+QMTPUBEX and AT+QMTPUB (the "> " prompt, fixed length
 * or Ctrl-Z), AT+QMTRECV (the buffers of "recv/mode" 1), on the module's clients (sim/net/mqtt).
 * Bad parameters answer ERROR, as the note. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "module_port.h"
#include "mqtt.h"
#include "net.h"

#define CTRL_Z 0x1a
#define ESC 0x1b
#define MQTT_SUB_MAX 5

static struct mqtt_client *client_param(struct at_call *c, int i)
{
  long idx;
  if (at_param_int(c, i, 0, MQTT_CLIENTS - 1, &idx) != 0)
    return NULL;
  return &module_mqtt(call_module(c))->c[idx];
}

/* ---- AT+QMTCFG ---- */

static int int_param(struct at_call *c, int i, long min, long max, int *out)
{
  long v;
  if (at_param_int(c, i, min, max, &v) != 0)
    return -1;
  *out = (int)v;
  return 0;
}

/* AT+QMTCFG="<name>",<idx>[,<values>]: the values, or new ones. */
int cmd_qmtcfg_write(struct at_call *c)
{
  const char *name = at_param_str(c, 0);
  struct mqtt_client *cl = client_param(c, 1);
  struct mqtt_config *g, n;
  int np = c->cmd->nparams;
  if (!name || !cl)
    return AT_ERROR;
  g = &cl->cfg;
  n = *g;
  if (!strcasecmp(name, "version")) {
    if (np == 2) {
      at_info(c, "+QMTCFG: \"version\",%d", g->version);
      return AT_OK;
    }
    if (np != 3 || int_param(c, 2, 3, 4, &n.version))
      return AT_ERROR;
  } else if (!strcasecmp(name, "pdpcid")) {
    if (np == 2) {
      at_info(c, "+QMTCFG: \"pdpcid\",%d", g->cid);
      return AT_OK;
    }
    if (np != 3 || int_param(c, 2, 1, PDP_CID_MAX, &n.cid))
      return AT_ERROR;
  } else if (!strcasecmp(name, "keepalive")) {
    if (np == 2) {
      at_info(c, "+QMTCFG: \"keepalive\",%d", g->keepalive);
      return AT_OK;
    }
    if (np != 3 || int_param(c, 2, 0, 3600, &n.keepalive))
      return AT_ERROR;
  } else if (!strcasecmp(name, "session")) {
    if (np == 2) {
      at_info(c, "+QMTCFG: \"session\",%d", g->clean);
      return AT_OK;
    }
    if (np != 3 || int_param(c, 2, 0, 1, &n.clean))
      return AT_ERROR;
  } else if (!strcasecmp(name, "timeout")) {
    if (np == 2) {
      at_info(c, "+QMTCFG: \"timeout\",%d,%d,%d", g->pkt_timeout, g->retries, g->timeout_notice);
      return AT_OK;
    }
    if (np < 3 || np > 5 || int_param(c, 2, 1, 60, &n.pkt_timeout) ||
        (np > 3 && int_param(c, 3, 0, 10, &n.retries)) ||
        (np > 4 && int_param(c, 4, 0, 1, &n.timeout_notice)))
      return AT_ERROR;
  } else if (!strcasecmp(name, "will")) {
    if (np == 2) {
      at_info(c, "+QMTCFG: \"will\",%d,%d,%d,\"%s\",\"%s\"", g->will_fg, g->will_qos,
              g->will_retain, g->will_topic, g->will_msg);
      return AT_OK;
    }
    if (int_param(c, 2, 0, 1, &n.will_fg) || (n.will_fg && np != 7) || (!n.will_fg && np != 3 && np != 7))
      return AT_ERROR;
    if (np == 7) {
      const char *t = at_param_str(c, 5), *msg = at_param_str(c, 6);
      if (int_param(c, 3, 0, 2, &n.will_qos) || int_param(c, 4, 0, 1, &n.will_retain) || !t ||
          !msg || !t[0] || strlen(t) >= sizeof(n.will_topic) || strlen(msg) >= sizeof(n.will_msg))
        return AT_ERROR;
      snprintf(n.will_topic, sizeof(n.will_topic), "%s", t);
      snprintf(n.will_msg, sizeof(n.will_msg), "%s", msg);
    }
  } else if (!strcasecmp(name, "ssl")) {
    if (np == 2) {
      at_info(c, "+QMTCFG: \"ssl\",%d,%d", g->ssl, g->ssl_ctx);
      return AT_OK;
    }
    if (np < 3 || np > 4 || int_param(c, 2, 0, 1, &n.ssl) ||
        (np == 4 && int_param(c, 3, 0, NET_SSL_CTX - 1, &n.ssl_ctx)))
      return AT_ERROR;
  } else if (!strcasecmp(name, "recv/mode")) {
    if (np == 2) {
      at_info(c, "+QMTCFG: \"recv/mode\",%d,%d", g->recv_mode, g->len_enable);
      return AT_OK;
    }
    if (np < 3 || np > 4 || int_param(c, 2, 0, 1, &n.recv_mode) ||
        (np == 4 && int_param(c, 3, 0, 1, &n.len_enable)))
      return AT_ERROR;
  } else {
    return AT_ERROR;
  }
  *g = n;
  return AT_OK;
}

int cmd_qmtcfg_test(struct at_call *c)
{
  at_info(c, "+QMTCFG: \"version\",(0-5),(3,4)");
  at_info(c, "+QMTCFG: \"pdpcid\",(0-5),(1-%d)", PDP_CID_MAX);
  at_info(c, "+QMTCFG: \"keepalive\",(0-5),(0-3600)");
  at_info(c, "+QMTCFG: \"session\",(0-5),(0,1)");
  at_info(c, "+QMTCFG: \"timeout\",(0-5),(1-60),(0-10),(0,1)");
  at_info(c, "+QMTCFG: \"will\",(0-5),(0,1),(0-2),(0,1),\"will_topic\",\"will_msg\"");
  at_info(c, "+QMTCFG: \"recv/mode\",(0-5),(0,1),(0,1)");
  at_info(c, "+QMTCFG: \"ssl\",(0-5),(0,1),(0-%d)", NET_SSL_CTX - 1);
  return AT_OK;
}

/* ---- the session ---- */

/* AT+QMTOPEN=<idx>,"<host>",<port> */
int cmd_qmtopen_write(struct at_call *c)
{
  const char *host = at_param_str(c, 1);
  long idx, port;
  if (c->cmd->nparams != 3 || at_param_int(c, 0, 0, MQTT_CLIENTS - 1, &idx) || !host ||
      !host[0] || at_param_int(c, 2, 1, 65535, &port))
    return AT_ERROR;
  return mqtt_open(module_mqtt(call_module(c)), (int)idx, call_port(c)->id, host, (int)port)
             ? AT_ERROR : AT_OK;
}

int cmd_qmtopen_read(struct at_call *c)
{
  struct mqtt *q = module_mqtt(call_module(c));
  for (int i = 0; i < MQTT_CLIENTS; i++)
    if (q->c[i].state >= MQTT_OPEN)
      at_info(c, "+QMTOPEN: %d,\"%s\",%d", i, q->c[i].host, q->c[i].rport);
  return AT_OK;
}

int cmd_qmtopen_test(struct at_call *c)
{
  at_info(c, "+QMTOPEN: (0-5),\"<host_name>\",(1-65535)");
  return AT_OK;
}

int cmd_qmtclose_write(struct at_call *c)
{
  long idx;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 0, MQTT_CLIENTS - 1, &idx))
    return AT_ERROR;
  return mqtt_close_client(module_mqtt(call_module(c)), (int)idx, call_port(c)->id)
             ? AT_ERROR : AT_OK;
}

/* AT+QMTCONN=<idx>,"<clientid>"[,"<username>"[,"<password>"]] */
int cmd_qmtconn_write(struct at_call *c)
{
  const char *id = at_param_str(c, 1), *user = at_param_str(c, 2), *pw = at_param_str(c, 3);
  long idx;
  if (c->cmd->nparams < 2 || c->cmd->nparams > 4 ||
      at_param_int(c, 0, 0, MQTT_CLIENTS - 1, &idx) || !id || !id[0])
    return AT_ERROR;
  return mqtt_connect(module_mqtt(call_module(c)), (int)idx, call_port(c)->id, id,
                      user && user[0] ? user : NULL, pw) ? AT_ERROR : AT_OK;
}

/* AT+QMTCONN?: +QMTCONN: <idx>,<state> (1 initializing, 2 connecting, 3 connected,
 * 4 disconnecting) for each client with a network. */
int cmd_qmtconn_read(struct at_call *c)
{
  static const int states[] = { 0, 1, 1, 2, 3, 4 };
  struct mqtt *q = module_mqtt(call_module(c));
  for (int i = 0; i < MQTT_CLIENTS; i++)
    if (q->c[i].state >= MQTT_OPEN)
      at_info(c, "+QMTCONN: %d,%d", i, states[q->c[i].state]);
  return AT_OK;
}

int cmd_qmtconn_test(struct at_call *c)
{
  at_info(c, "+QMTCONN: (0-5),\"<clientid>\",\"<username>\",\"<password>\"");
  return AT_OK;
}

int cmd_qmtdisc_write(struct at_call *c)
{
  long idx;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 0, MQTT_CLIENTS - 1, &idx))
    return AT_ERROR;
  return mqtt_disconnect(module_mqtt(call_module(c)), (int)idx, call_port(c)->id)
             ? AT_ERROR : AT_OK;
}

/* AT+QMTSUB=<idx>,<msgid>,"<topic>",<qos>[,"<topic>",<qos>...] */
int cmd_qmtsub_write(struct at_call *c)
{
  const char *topics[MQTT_SUB_MAX];
  int qos[MQTT_SUB_MAX], n = 0;
  long idx, msgid;
  if (c->cmd->nparams < 4 || c->cmd->nparams % 2 || c->cmd->nparams > 2 + 2 * MQTT_SUB_MAX ||
      at_param_int(c, 0, 0, MQTT_CLIENTS - 1, &idx) || at_param_int(c, 1, 1, 65535, &msgid))
    return AT_ERROR;
  for (int i = 2; i < c->cmd->nparams; i += 2, n++) {
    topics[n] = at_param_str(c, i);
    if (!topics[n] || !topics[n][0] || int_param(c, i + 1, 0, 2, &qos[n]))
      return AT_ERROR;
  }
  return mqtt_subscribe(module_mqtt(call_module(c)), (int)idx, (int)msgid, topics, qos, n)
             ? AT_ERROR : AT_OK;
}

/* AT+QMTUNS=<idx>,<msgid>,"<topic>"[,"<topic>"...] */
int cmd_qmtuns_write(struct at_call *c)
{
  const char *topics[MQTT_SUB_MAX];
  int n = 0;
  long idx, msgid;
  if (c->cmd->nparams < 3 || c->cmd->nparams > 2 + MQTT_SUB_MAX ||
      at_param_int(c, 0, 0, MQTT_CLIENTS - 1, &idx) || at_param_int(c, 1, 1, 65535, &msgid))
    return AT_ERROR;
  for (int i = 2; i < c->cmd->nparams; i++, n++)
    if (!(topics[n] = at_param_str(c, i)) || !topics[n][0])
      return AT_ERROR;
  return mqtt_unsubscribe(module_mqtt(call_module(c)), (int)idx, (int)msgid, topics, n)
             ? AT_ERROR : AT_OK;
}

/* ---- publishing: the "> " prompt and the message ---- */

struct pub {
  struct module_port *port;
  int idx, msgid, qos, retain;
  const char *verb;
  char topic[MQTT_TOPIC_MAX];
  size_t want;               /* 0: up to Ctrl-Z */
  size_t len;
  char data[MQTT_PAYLOAD_MAX];
};

static void pub_end(struct module_port *p)
{
  struct pub *x = p->xfer;
  if (!x)
    return;
  p->xfer = NULL;
  p->xfer_abort = NULL;
  port_release(&p->port, x);
  free(x);
}

static void pub_send(struct pub *x)
{
  struct module_port *p = x->port;
  int rc = mqtt_publish(module_mqtt(p->m), x->idx, x->verb, x->msgid, x->qos, x->retain, x->topic,
                        x->data, x->len);
  pub_end(p);
  at_session_complete(&p->at, rc ? AT_ERROR : AT_OK);
}

static size_t pub_bytes(void *ctx, const char *data, size_t len)
{
  struct pub *x = ctx;
  struct module_port *p = x->port;
  for (size_t i = 0; i < len; i++) {
    if (!x->want && data[i] == CTRL_Z) {
      pub_send(x);
      return i + 1;
    }
    if (!x->want && data[i] == ESC) { /* cancelled: nothing goes */
      pub_end(p);
      at_session_complete(&p->at, AT_ERROR);
      return i + 1;
    }
    if (x->len == sizeof(x->data)) { /* Ctrl-Z mode past the most a message holds */
      pub_end(p);
      at_session_complete(&p->at, AT_ERROR);
      return i + 1;
    }
    x->data[x->len++] = data[i];
    if (x->want && x->len == x->want) {
      pub_send(x);
      return i + 1;
    }
  }
  return len;
}

/* AT+QMTPUBEX=<idx>,<msgid>,<qos>,<retain>,"<topic>",<msglen>;
 * AT+QMTPUB=<idx>,<msgid>,<qos>,<retain>,"<topic>"[,<msglen>] */
static int publish(struct at_call *c, const char *verb, int len_needed)
{
  struct module_port *p = call_port(c);
  struct mqtt *q = module_mqtt(p->m);
  const char *topic = at_param_str(c, 4);
  long idx, msgid, qos, retain, len = 0;
  struct pub *x;
  if (c->cmd->nparams < 5 + len_needed || c->cmd->nparams > 6 ||
      at_param_int(c, 0, 0, MQTT_CLIENTS - 1, &idx) || at_param_int(c, 1, 0, 65535, &msgid) ||
      at_param_int(c, 2, 0, 2, &qos) || at_param_int(c, 3, 0, 1, &retain) || !topic ||
      !topic[0] || strlen(topic) >= MQTT_TOPIC_MAX || (qos == 0) != (msgid == 0) ||
      (c->cmd->nparams == 6 && at_param_int(c, 5, 1, MQTT_PAYLOAD_MAX, &len)))
    return AT_ERROR;
  if (q->c[idx].state != MQTT_CONNECTED || p->xfer)
    return AT_ERROR;
  x = calloc(1, sizeof(*x));
  if (!x)
    return AT_ERROR;
  x->port = p;
  x->idx = (int)idx;
  x->msgid = (int)msgid;
  x->qos = (int)qos;
  x->retain = (int)retain;
  x->verb = verb;
  x->want = (size_t)len;
  snprintf(x->topic, sizeof(x->topic), "%s", topic);
  p->xfer = x;
  p->xfer_abort = pub_end;
  at_prompt(&p->at);
  port_attach(&p->port, pub_bytes, x);
  return AT_PENDING;
}

int cmd_qmtpubex_write(struct at_call *c)
{
  return publish(c, "+QMTPUBEX", 1);
}

int cmd_qmtpubex_test(struct at_call *c)
{
  at_info(c, "+QMTPUBEX: (0-5),<msgid>,(0-2),(0,1),\"topic\",(1-%d)", MQTT_PAYLOAD_MAX);
  return AT_OK;
}

int cmd_qmtpub_write(struct at_call *c)
{
  return publish(c, "+QMTPUB", 0);
}

int cmd_qmtpub_test(struct at_call *c)
{
  at_info(c, "+QMTPUB: (0-5),<msgid>,(0-2),(0,1),\"topic\",(1-%d)", MQTT_PAYLOAD_MAX);
  return AT_OK;
}

/* ---- the buffers of "recv/mode" 1 ---- */

static void recv_one(struct at_call *c, struct mqtt *q, int idx, int recv_id)
{
  struct mqtt_message *msg = mqtt_take(q, idx, recv_id);
  char *text;
  size_t n;
  if (!msg)
    return;
  n = mqtt_recv_text(&q->c[idx], msg, &text);
  if (text)
    at_info_bytes(c, text, n);
  free(text);
  mqtt_message_free(msg);
}

/* AT+QMTRECV=<idx>[,<recv_id>]: the message in that buffer, or every held one in buffer
 * order; an empty buffer reads as OK alone. */
int cmd_qmtrecv_write(struct at_call *c)
{
  struct mqtt *q = module_mqtt(call_module(c));
  long idx, id;
  int np = c->cmd->nparams;
  if (np < 1 || np > 2 || at_param_int(c, 0, 0, MQTT_CLIENTS - 1, &idx) ||
      (np == 2 && at_param_int(c, 1, 0, MQTT_RECV_SLOTS - 1, &id)))
    return AT_ERROR;
  if (np == 2) {
    recv_one(c, q, (int)idx, (int)id);
    return AT_OK;
  }
  for (int i = 0; i < MQTT_RECV_SLOTS; i++)
    recv_one(c, q, (int)idx, i);
  return AT_OK;
}

/* AT+QMTRECV?: +QMTRECV: <idx>,<s0>,...,<s4> (1: a message waits there) for each client with a
 * network or a held message. */
int cmd_qmtrecv_read(struct at_call *c)
{
  struct mqtt *q = module_mqtt(call_module(c));
  for (int i = 0; i < MQTT_CLIENTS; i++) {
    struct mqtt_client *cl = &q->c[i];
    int held = 0;
    for (int k = 0; k < MQTT_RECV_SLOTS; k++)
      held |= cl->slot[k] != NULL;
    if (cl->state < MQTT_OPEN && !held)
      continue;
    at_info(c, "+QMTRECV: %d,%d,%d,%d,%d,%d", i, !!cl->slot[0], !!cl->slot[1], !!cl->slot[2],
            !!cl->slot[3], !!cl->slot[4]);
  }
  return AT_OK;
}

int cmd_qmtrecv_test(struct at_call *c)
{
  at_info(c, "+QMTRECV: (0-5),(0-4)");
  return AT_OK;
}
