/* cmd_socket: the TCP/IP note's socket commands: +QIOPEN, +QICLOSE, +QISEND (fixed length,
 * Ctrl-Z terminated, Esc cancels, the ",0" counters), +QIRD, +QISTATE, +QIGETERROR, +QISDE,
 * +QIDNSGIP, and transparent mode (CONNECT, "+++" between guard times, ATO, +QISWTMD,
 * NO CARRIER), on the module's stack (sim/net). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "escape.h"
#include "quiet_timer.h"

#define CTRL_Z 0x1a
#define ESC 0x1b

static int tcpip_error(int code)
{
  return error_in_list(ERR_TCPIP, code);
}

static int no_socket(struct net *n, int code);

/* A socket command on an id that is not open answers ERROR; +QIGETERROR tells why. */
static int no_socket(struct net *n, int code)
{
  n->last_error = code;
  return AT_ERROR;
}

/* ---- transparent mode: the port online for one socket ---- */

struct online {
  struct module_port *mp;
  int id;
  struct escape esc;     /* "+++" held back; when the host's last byte came (or CONNECT went) */
  struct quiet_timer guard; /* the silence after "+++" */
};

static void online_freed(uv_handle_t *h)
{
  free(h->data);
}

static void online_end(struct module_port *mp)
{
  struct online *o = mp->xfer;
  if (!o)
    return;
  mp->xfer = NULL;
  mp->xfer_abort = NULL;
  mp->data_event = NULL;
  port_release(&mp->port, o);
  net_set_online(module_tcpip(mp->m), o->id, 0);
  quiet_timer_close(&o->guard, online_freed);
}

/* "+++" and a second of silence: back to command mode, the socket stays open. */
static void escaped(void *data)
{
  struct online *o = data;
  struct module_port *mp = o->mp;
  online_end(mp);
  at_session_finish(&mp->at, "OK");
}

/* Pluses that were not an escape after all go to the peer. */
static void held_out(struct online *o, int pluses)
{
  net_send(module_tcpip(o->mp->m), o->id, "+++", (size_t)pluses);
  quiet_timer_stop(&o->guard);
}

/* The host's bytes go to the peer as they are, but for "+++" between two guard times. */
static size_t online_bytes(void *ctx, const char *data, size_t len)
{
  struct online *o = ctx;
  struct net *n = module_tcpip(o->mp->m);
  uint64_t now = uv_hrtime();
  size_t i = 0, start = 0;
  if (!net_has_room(n, o->id, len + 3))
    return 0; /* held until what was sent has gone (ops->drained) */
  while (i < len) {
    int released;
    enum escape_step step = escape_byte(&o->esc, data[i], i == 0, now, &released);
    if (step != ESCAPE_DATA) {
      if (i > start)
        net_send(n, o->id, data + start, i - start);
      start = ++i;
      if (step == ESCAPE_ARMED)
        quiet_timer_start(&o->guard, ESCAPE_GUARD_MS, escaped);
      continue;
    }
    if (released)
      held_out(o, released);
    i++;
  }
  if (i > start)
    net_send(n, o->id, data + start, i - start);
  o->esc.last_ns = now;
  return len;
}

static void go_online(struct online *o)
{
  struct module_port *mp = o->mp;
  at_connect(&mp->at);
  mp->data_id = o->id;
  o->esc.last_ns = uv_hrtime();
  port_attach(&mp->port, online_bytes, o);
  net_set_online(module_tcpip(mp->m), o->id, 1);
}

static void data_event(struct module_port *mp, int what, int id, int err)
{
  struct online *o = mp->xfer;
  if (!o || o->id != id)
    return;
  if (what == DATA_OPENED && !err) {
    go_online(o);
    return;
  }
  online_end(mp);
  if (what == DATA_HANGUP) {
    mp->data_id = -1;
    at_session_finish(&mp->at, "NO CARRIER");
    return;
  }
  at_session_complete(&mp->at, AT_ERROR); /* the open failed: AT+QIGETERROR says why */
}

static struct online *online_new(struct module_port *mp, int id)
{
  struct online *o = calloc(1, sizeof(*o));
  if (!o)
    return NULL;
  o->mp = mp;
  o->id = id;
  quiet_timer_init(&o->guard, module_loop(mp->m), o);
  mp->xfer = o;
  mp->xfer_abort = online_end;
  mp->data_event = data_event;
  return o;
}

/* The command waits for the connect (transparent AT+QIOPEN). */
static void online_wait(struct module_port *mp, int id)
{
  online_new(mp, id);
}

/* ATO, AT+QISWTMD=<id>,2: back online for a connected transparent socket. */
static int online_now(struct at_call *c, int id)
{
  struct module_port *mp = call_port(c);
  const struct net_socket *s = net_socket(module_tcpip(call_module(c)), id);
  struct online *o;
  if (!s || s->state != NET_CONNECTED || s->mode != NET_TRANSPARENT)
    return AT_ERROR;
  if (!(o = online_new(mp, id)))
    return tcpip_error(TCPIP_NO_MEMORY);
  go_online(o);
  return AT_PENDING;
}

int cmd_o(struct at_call *c)
{
  if (datacall_online(c))
    return AT_PENDING;
  return call_port(c)->data_id >= 0 ? online_now(c, call_port(c)->data_id) : AT_ERROR;
}

/* AT+QISWTMD=<connectID>,<access_mode>: a socket's mode changes; 2 goes online now. */
int cmd_qiswtmd_write(struct at_call *c)
{
  struct net *n = module_tcpip(call_module(c));
  struct net_socket *s;
  long id, mode;
  if (c->cmd->nparams != 2 || at_param_int(c, 0, 0, NET_SOCKETS - 1, &id) ||
      at_param_int(c, 1, 0, 2, &mode))
    return tcpip_error(TCPIP_INVALID_PARAM);
  if (!net_socket(n, (int)id))
    return no_socket(n, TCPIP_NOT_ALLOWED);
  s = &n->sock[id];
  s->mode = (enum net_mode)mode;
  if (mode == NET_TRANSPARENT)
    return online_now(c, (int)id);
  if (mode == NET_PUSH)
    net_port_ready(n, (int)call_port(c)->id);
  return AT_OK;
}

int cmd_qiswtmd_test(struct at_call *c)
{
  at_info(c, "+QISWTMD: (0-%d),(0-2)", NET_SOCKETS - 1);
  return AT_OK;
}

/* AT+QIOPEN=<cid>,<connectID>,<service_type>,<host>,<remote_port>[,<local_port>[,<mode>]] */
int cmd_qiopen_write(struct at_call *c)
{
  struct module *m = call_module(c);
  const char *type = at_param_str(c, 2), *host = at_param_str(c, 3);
  long cid, id, rport, lport = 0, mode = 0;
  enum net_type t;
  if (c->cmd->nparams < 5 || c->cmd->nparams > 7 || at_param_int(c, 0, 1, PDP_CID_MAX, &cid) ||
      at_param_int(c, 1, 0, NET_SOCKETS - 1, &id) || !type || !host || !host[0] ||
      at_param_int(c, 4, 0, 65535, &rport) ||
      (at_param_present(c, 5) && at_param_int(c, 5, 0, 65535, &lport)) ||
      (at_param_present(c, 6) && at_param_int(c, 6, 0, 2, &mode)))
    return tcpip_error(TCPIP_INVALID_PARAM);
  if (!strcasecmp(type, "TCP"))
    t = NET_TCP;
  else if (!strcasecmp(type, "UDP"))
    t = NET_UDP;
  else if (!strcasecmp(type, "TCP LISTENER"))
    t = NET_TCP_LISTENER;
  else if (!strcasecmp(type, "UDP SERVICE"))
    t = NET_UDP_SERVICE;
  else
    return tcpip_error(TCPIP_INVALID_PARAM);
  if (t == NET_TCP_LISTENER || t == NET_UDP_SERVICE ? !lport || mode == NET_TRANSPARENT : !rport)
    return tcpip_error(TCPIP_INVALID_PARAM); /* a server needs its local port */
  return socket_open_answer(c, net_open(module_tcpip(m), (int)call_port(c)->id, (int)cid,
                                         (int)id, t, host, (int)rport, (int)lport,
                                         (enum net_mode)mode),
                            (int)id, (int)mode);
}

int socket_open_answer(struct at_call *c, int rc, int id, int mode)
{
  if (mode != NET_TRANSPARENT)
    return rc ? rc : AT_OK;
  if (rc) /* transparent mode answers ERROR; AT+QIGETERROR tells why */
    return (rc & 0xffff) == TCPIP_INVALID_PARAM ? rc : AT_ERROR;
  online_wait(call_port(c), id); /* CONNECT once connected, or ERROR */
  return AT_PENDING;
}

int cmd_qiopen_test(struct at_call *c)
{
  at_info(c, "+QIOPEN: (1-%d),(0-%d),\"TCP/UDP/TCP LISTENER/UDP SERVICE\","
             "\"<IP_address>/<domain_name>\",<remote_port>,<local_port>,(0-2)",
          PDP_CID_MAX, NET_SOCKETS - 1);
  return AT_OK;
}

/* AT+QICLOSE=<connectID>[,<timeout>]: closing a free id is no error (hosts close first). */
int cmd_qiclose_write(struct at_call *c)
{
  long id, timeout;
  if (at_param_int(c, 0, 0, NET_SOCKETS - 1, &id) ||
      (at_param_present(c, 1) && at_param_int(c, 1, 0, 65535, &timeout)) || c->cmd->nparams > 2)
    return tcpip_error(TCPIP_INVALID_PARAM);
  net_close(module_tcpip(call_module(c)), (int)id);
  return AT_OK;
}

int cmd_qiclose_test(struct at_call *c)
{
  at_info(c, "+QICLOSE: (0-%d),(0-65535)", NET_SOCKETS - 1);
  return AT_OK;
}

/* ---- AT+QISEND: the data after the prompt ---- */

struct send_xfer {
  struct module_port *mp;
  int id;
  size_t want;               /* fixed length (hex mode: twice the bytes); 0: up to Ctrl-Z */
  size_t len;
  char ip[64];               /* a UDP SERVICE's destination */
  int port;
  char data[2 * NET_SEND_MAX];
};

static void send_end(struct module_port *mp)
{
  struct send_xfer *x = mp->xfer;
  if (!x)
    return;
  mp->xfer = NULL;
  mp->xfer_abort = NULL;
  port_release(&mp->port, x);
  free(x);
}

static int hex_value(char ch)
{
  return ch >= '0' && ch <= '9' ? ch - '0'
         : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
         : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* "dataformat" send 1: the host's text is hex, two digits a byte; -1 if it is not. */
static int unhex(struct send_xfer *x)
{
  size_t n = 0;
  if (x->len % 2)
    return -1;
  for (size_t i = 0; i < x->len; i += 2) {
    int hi = hex_value(x->data[i]), lo = hex_value(x->data[i + 1]);
    if (hi < 0 || lo < 0)
      return -1;
    x->data[n++] = (char)(hi << 4 | lo);
  }
  x->len = n;
  return 0;
}

static void send_now(struct send_xfer *x)
{
  struct module_port *mp = x->mp;
  struct net *n = module_tcpip(mp->m);
  int rc = n->cfg.send_hex && unhex(x) != 0 ? TCPIP_INVALID_PARAM
                                            : net_send_to(n, x->id, x->data, x->len,
                                                          x->ip[0] ? x->ip : NULL, x->port);
  send_end(mp);
  if (rc > 1) {
    n->last_error = rc;
    at_session_complete(&mp->at, AT_ERROR);
    return;
  }
  at_session_finish(&mp->at, rc ? "SEND FAIL" : "SEND OK");
}

static size_t send_bytes(void *ctx, const char *data, size_t len)
{
  struct send_xfer *x = ctx;
  struct module_port *mp = x->mp;
  size_t i = 0;
  int echo = mp->at.set.echo && module_tcpip(mp->m)->data_echo;
  if (x->want) { /* exactly want bytes, whatever they are */
    size_t take = x->want - x->len < len ? x->want - x->len : len;
    memcpy(x->data + x->len, data, take);
    x->len += take;
    if (echo)
      port_write(&mp->port, data, take);
    if (x->len == x->want)
      send_now(x);
    return take;
  }
  while (i < len) {
    char ch = data[i++];
    if (ch == CTRL_Z) {
      send_now(x);
      return i;
    }
    if (ch == ESC) { /* nothing is sent */
      send_end(mp);
      module_tcpip(mp->m)->last_error = TCPIP_SEND_CANCELLED;
      at_session_complete(&mp->at, AT_ERROR);
      return i;
    }
    if (x->len == (module_tcpip(mp->m)->cfg.send_hex ? 2 : 1) * NET_SEND_MAX) { /* too long */
      send_end(mp);
      module_tcpip(mp->m)->last_error = TCPIP_INVALID_PARAM;
      at_session_complete(&mp->at, AT_ERROR);
      return i;
    }
    x->data[x->len++] = ch;
    if (echo)
      port_write(&mp->port, &ch, 1);
  }
  return i;
}

/* AT+QISEND=<connectID>[,<send_length>]: "> ", the data, SEND OK; ",0": the counters. */
int cmd_qisend_write(struct at_call *c)
{
  struct net *n = module_tcpip(call_module(c));
  const struct net_socket *s;
  long id, len = 0, port = 0;
  const char *ip = at_param_str(c, 2);
  int counters;
  if (at_param_int(c, 0, 0, NET_SOCKETS - 1, &id) || c->cmd->nparams > 4 ||
      c->cmd->nparams == 3 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 0, NET_SEND_MAX, &len)) ||
      (c->cmd->nparams == 4 && (!ip || strlen(ip) > 63 || at_param_int(c, 3, 1, 65535, &port))))
    return tcpip_error(TCPIP_INVALID_PARAM);
  s = net_socket(n, (int)id);
  counters = at_param_present(c, 1) && len == 0;
  /* a UDP SERVICE sends to "<ip>",<port>; the others take no destination */
  if (s && !counters && (s->type == NET_UDP_SERVICE) != (c->cmd->nparams == 4))
    return tcpip_error(TCPIP_INVALID_PARAM);
  if (counters) {
    if (!s)
      return no_socket(n, TCPIP_NOT_ALLOWED);
    at_info(c, "+QISEND: %llu,%llu,%llu", (unsigned long long)s->sent,
            (unsigned long long)s->acked, (unsigned long long)(s->sent - s->acked));
    return AT_OK;
  }
  return socket_send_begin(c, (int)id, (size_t)len, ip, (int)port);
}

int socket_send_begin(struct at_call *c, int id, size_t len, const char *ip, int port)
{
  struct module_port *mp = call_port(c);
  struct net *n = module_tcpip(call_module(c));
  struct send_xfer *x;
  int rc;
  if ((rc = net_can_send(n, id)) != 0)
    return no_socket(n, rc);
  x = calloc(1, sizeof(*x));
  if (!x)
    return tcpip_error(TCPIP_NO_MEMORY);
  x->mp = mp;
  x->id = id;
  x->want = len * (n->cfg.send_hex ? 2 : 1);
  if (ip) {
    snprintf(x->ip, sizeof(x->ip), "%s", ip);
    x->port = port;
  }
  mp->xfer = x;
  mp->xfer_abort = send_end;
  at_prompt(&mp->at);
  port_attach(&mp->port, send_bytes, x);
  return AT_PENDING;
}

int cmd_qisend_test(struct at_call *c)
{
  at_info(c, "+QISEND: (0-%d),(0-%d)", NET_SOCKETS - 1, NET_SEND_MAX);
  return AT_OK;
}

/* AT+QIRD=<connectID>[,<read_length>]: +QIRD: <n>, the bytes, OK; ",0": the counters. */
int cmd_qird_write(struct at_call *c)
{
  struct net *n = module_tcpip(call_module(c));
  const struct net_socket *s;
  char buf[NET_READ_MAX];
  long id, max = NET_READ_MAX;
  size_t got;
  if (at_param_int(c, 0, 0, NET_SOCKETS - 1, &id) || c->cmd->nparams > 2 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 0, NET_READ_MAX, &max)))
    return tcpip_error(TCPIP_INVALID_PARAM);
  if (!(s = net_socket(n, (int)id)))
    return no_socket(n, TCPIP_NOT_ALLOWED);
  if (at_param_present(c, 1) && max == 0) {
    at_info(c, "+QIRD: %llu,%llu,%llu", (unsigned long long)s->received,
            (unsigned long long)s->read, (unsigned long long)(s->received - s->read));
    return AT_OK;
  }
  if (s->mode != NET_BUFFER)
    return no_socket(n, TCPIP_NOT_ALLOWED);
  if (s->type == NET_UDP_SERVICE) { /* one datagram and its sender */
    char ip[64];
    int port = 0;
    got = net_read_from(n, (int)id, buf, (size_t)max, ip, &port);
    if (!got) {
      at_info(c, "+QIRD: 0");
      return AT_OK;
    }
    at_info(c, "+QIRD: %zu,\"%s\",%d", got, ip, port);
    at_raw(c->session, buf, got);
    at_raw(c->session, "\r\n", 2);
    return AT_OK;
  }
  got = net_read(n, (int)id, buf, (size_t)max);
  if (!got) {
    at_info(c, "+QIRD: 0");
    return AT_OK;
  }
  if (n->cfg.viewmode) { /* header and data on one line */
    char head[32];
    int hl = snprintf(head, sizeof(head), "\r\n+QIRD: %zu,", got);
    at_raw(c->session, head, (size_t)hl);
  } else {
    at_info(c, "+QIRD: %zu", got);
  }
  if (n->cfg.recv_hex) {
    char hex[2 * NET_READ_MAX];
    for (size_t i = 0; i < got; i++)
      snprintf(hex + 2 * i, 3, "%02X", (unsigned char)buf[i]);
    at_raw(c->session, hex, 2 * got);
  } else {
    at_raw(c->session, buf, got);
  }
  at_raw(c->session, "\r\n", 2);
  return AT_OK;
}

int cmd_qird_test(struct at_call *c)
{
  at_info(c, "+QIRD: (0-%d),(0-%d)", NET_SOCKETS - 1, NET_READ_MAX);
  return AT_OK;
}

/* +QISTATE: <connectID>,"<type>","<host>",<remote_port>,<local_port>,<state>,<cid>,
 * <serverID>,<mode>,"<AT port>"; +QSSLSTATE: the same with "SSLClient" and ,<sslctxID>. */
void socket_state_line(struct at_call *c, const struct net *n, const struct net_socket *s)
{
  char ctx[16] = "";
  if (s->ssl_ctx >= 0)
    snprintf(ctx, sizeof(ctx), ",%d", s->ssl_ctx);
  at_info(c, "%s: %d,\"%s\",\"%s\",%d,%d,%d,%d,%d,%d,\"%s\"%s",
          s->ssl_ctx >= 0 ? "+QSSLSTATE" : "+QISTATE", s->id,
          s->ssl_ctx >= 0 ? "SSLClient" : net_type_name(s->type), s->host, s->remote_port,
          net_local_port(n, s->id), (int)s->state, s->cid, s->server_id, (int)s->mode,
          s->port == PORT_MAIN ? "uart1" : s->port == PORT_MODEM ? "usbmodem" : "usbat", ctx);
}

/* AT+QISTATE lists the TCP/IP note's sockets, AT+QSSLSTATE the SSL clients. */
static int list_states(struct at_call *c, int by_cid, int which)
{
  struct net *n = module_tcpip(call_module(c));
  for (int i = 0; i < NET_SOCKETS; i++) {
    const struct net_socket *s = net_socket(n, i);
    if (s && s->ssl_ctx < 0 && (which < 0 || (by_cid ? s->cid == which : s->id == which)))
      socket_state_line(c, n, s);
  }
  return AT_OK;
}

/* AT+QISTATE? (every socket), AT+QISTATE=0,<cid> or =1,<connectID> */
int cmd_qistate_read(struct at_call *c)
{
  return list_states(c, 0, -1);
}

int cmd_qistate_exec(struct at_call *c)
{
  return list_states(c, 0, -1);
}

int cmd_qistate_write(struct at_call *c)
{
  long kind, which;
  if (c->cmd->nparams != 2 || at_param_int(c, 0, 0, 1, &kind) ||
      at_param_int(c, 1, 0, kind ? NET_SOCKETS - 1 : PDP_CID_MAX, &which))
    return tcpip_error(TCPIP_INVALID_PARAM);
  return list_states(c, kind == 0, (int)which);
}

int cmd_qistate_test(struct at_call *c)
{
  at_info(c, "+QISTATE: (0,1),(0-%d)", NET_SOCKETS - 1);
  return AT_OK;
}

/* AT+QIGETERROR: the last socket operation's result code and what it means. */
int cmd_qigeterror_exec(struct at_call *c)
{
  int code = module_tcpip(call_module(c))->last_error;
  const struct error_info *e = code ? error_find(ERR_TCPIP, code) : NULL;
  at_info(c, "+QIGETERROR: %d,%s", code, e ? e->text : "operation success");
  return AT_OK;
}

/* AT+QISDE=<0|1>: echo of AT+QISEND's data. */
int cmd_qisde_read(struct at_call *c)
{
  at_info(c, "+QISDE: %d", module_tcpip(call_module(c))->data_echo);
  return AT_OK;
}

int cmd_qisde_write(struct at_call *c)
{
  long v;
  if (c->cmd->nparams != 1 || at_param_int(c, 0, 0, 1, &v))
    return CME_INCORRECT_PARAMETERS;
  module_tcpip(call_module(c))->data_echo = (int)v;
  return AT_OK;
}

int cmd_qisde_test(struct at_call *c)
{
  at_info(c, "+QISDE: (0,1)");
  return AT_OK;
}

/* AT+QIDNSGIP=<cid>,"<host>": OK, then +QIURC: "dnsgip",<err>,<count>,<ttl> and an address
 * URC, through the DNS map. */
int cmd_qidnsgip_write(struct at_call *c)
{
  struct module *m = call_module(c);
  struct module_port *mp = call_port(c);
  struct net *n = module_tcpip(m);
  const char *host = at_param_str(c, 1), *addr;
  char text[200];
  long cid;
  if (c->cmd->nparams != 2 || at_param_int(c, 0, 1, PDP_CID_MAX, &cid) || !host || !host[0] ||
      strlen(host) > NET_HOST_MAX)
    return tcpip_error(TCPIP_INVALID_PARAM);
  addr = module_network(m)->active[cid] ? network_resolve(n->dns, n->ndns, host) : NULL;
  if (!addr) {
    int err = module_network(m)->active[cid] ? TCPIP_DNS_PARSE : TCPIP_PDP_OPEN;
    n->last_error = err;
    snprintf(text, sizeof(text), "+QIURC: \"dnsgip\",%d", err);
    n->ops->urc(n->ctx, (int)mp->id, text);
    return AT_OK;
  }
  n->ops->urc(n->ctx, (int)mp->id, "+QIURC: \"dnsgip\",0,1,600");
  snprintf(text, sizeof(text), "+QIURC: \"dnsgip\",\"%s\"", addr);
  n->ops->urc(n->ctx, (int)mp->id, text);
  return AT_OK;
}

int cmd_qidnsgip_test(struct at_call *c)
{
  at_info(c, "+QIDNSGIP: (1-%d),<hostname>", PDP_CID_MAX);
  return AT_OK;
}

/* ---- AT+QICFG, AT+QIDNSCFG, AT+QPING ---- */

struct qicfg {
  const char *name;
  const char *test;
  int n;                      /* how many values */
  size_t offset[4];           /* into struct net_config */
  int min[4], max[4];
};

#define NC(member) offsetof(struct net_config, member)

static const struct qicfg qicfgs[] = {
  { "transpktsize", "(1-1460)", 1, { NC(transpktsize) }, { 1 }, { 1460 } },
  { "transwaittm", "(0-20)", 1, { NC(transwaittm) }, { 0 }, { 20 } },
  { "dataformat", "(0,1),(0,1)", 2, { NC(send_hex), NC(recv_hex) }, { 0, 0 }, { 1, 1 } },
  { "viewmode", "(0,1)", 1, { NC(viewmode) }, { 0 }, { 1 } },
  { "recvind", "(0,1)", 1, { NC(recvind) }, { 0 }, { 1 } },
  { "tcp/keepalive", "(0,1),(1-120),(25-100),(3-10)", 4,
    { NC(keepalive), NC(keepidle), NC(keepinterval), NC(keepcount) }, { 0, 1, 25, 3 },
    { 1, 120, 100, 10 } },
};

/* AT+QICFG="<name>"[,<value>...]: one row a setting. */
int cmd_qicfg_write(struct at_call *c)
{
  struct net_config *cfg = &module_tcpip(call_module(c))->cfg;
  const char *name = at_param_str(c, 0);
  for (size_t i = 0; name && i < sizeof(qicfgs) / sizeof(qicfgs[0]); i++) {
    const struct qicfg *q = &qicfgs[i];
    long v[4];
    char text[96];
    int o;
    if (strcasecmp(name, q->name) != 0)
      continue;
    if (c->cmd->nparams == 1) {
      o = snprintf(text, sizeof(text), "+QICFG: \"%s\"", q->name);
      for (int k = 0; k < q->n; k++)
        o += snprintf(text + o, sizeof(text) - (size_t)o, ",%d",
                      *(int *)((char *)cfg + q->offset[k]));
      at_info(c, "%s", text);
      return AT_OK;
    }
    /* tcp/keepalive,0 turns it off without the timers */
    if (c->cmd->nparams - 1 != q->n && !(q->n == 4 && c->cmd->nparams == 2))
      return CME_INCORRECT_PARAMETERS;
    for (int k = 0; k < c->cmd->nparams - 1; k++)
      if (at_param_int(c, k + 1, q->min[k], q->max[k], &v[k]) != 0)
        return CME_INCORRECT_PARAMETERS;
    for (int k = 0; k < c->cmd->nparams - 1; k++)
      *(int *)((char *)cfg + q->offset[k]) = (int)v[k];
    return AT_OK;
  }
  return CME_INCORRECT_PARAMETERS;
}

int cmd_qicfg_test(struct at_call *c)
{
  for (size_t i = 0; i < sizeof(qicfgs) / sizeof(qicfgs[0]); i++)
    at_info(c, "+QICFG: \"%s\",%s", qicfgs[i].name, qicfgs[i].test);
  return AT_OK;
}

/* AT+QIDNSCFG=<cid>[,"<pri>"[,"<sec>"]]: kept and reported; names resolve through the DNS map. */
int cmd_qidnscfg_write(struct at_call *c)
{
  struct net *n = module_tcpip(call_module(c));
  long cid;
  if (c->cmd->nparams > 3 || at_param_int(c, 0, 1, PDP_CID_MAX, &cid) != 0)
    return CME_INCORRECT_PARAMETERS;
  if (c->cmd->nparams == 1) {
    at_info(c, "+QIDNSCFG: %ld,\"%s\",\"%s\"", cid, n->dns_servers[cid][0],
            n->dns_servers[cid][1]);
    return AT_OK;
  }
  for (int k = 1; k < c->cmd->nparams; k++) {
    const char *v = at_param_str(c, k);
    if (!v || !network_is_ip(v) || strlen(v) >= sizeof(n->dns_servers[0][0]))
      return CME_INCORRECT_PARAMETERS;
  }
  for (int k = 1; k < c->cmd->nparams; k++)
    snprintf(n->dns_servers[cid][k - 1], sizeof(n->dns_servers[0][0]), "%s", at_param_str(c, k));
  return AT_OK;
}

int cmd_qidnscfg_test(struct at_call *c)
{
  at_info(c, "+QIDNSCFG: (1-%d),<pridnsaddr>,<secdnsaddr>", PDP_CID_MAX);
  return AT_OK;
}

/* AT+QPING=<cid>,"<host>"[,<timeout>[,<pingnum>]]: OK, then a +QPING line a ping and the
 * summary; a failure is one +QPING: <err>. */
int cmd_qping_write(struct at_call *c)
{
  struct net *n = module_tcpip(call_module(c));
  const char *host = at_param_str(c, 1);
  long cid, timeout = 4, count = 4;
  int err;
  if (c->cmd->nparams < 2 || c->cmd->nparams > 4 || at_param_int(c, 0, 1, PDP_CID_MAX, &cid) ||
      !host || !host[0] || strlen(host) > NET_HOST_MAX ||
      (at_param_present(c, 2) && at_param_int(c, 2, 1, 255, &timeout)) ||
      (at_param_present(c, 3) && at_param_int(c, 3, 1, 10, &count)))
    return tcpip_error(TCPIP_INVALID_PARAM);
  err = net_ping(n, (int)call_port(c)->id, (int)cid, host, (int)count);
  if (err) {
    char text[32];
    n->last_error = err;
    snprintf(text, sizeof(text), "+QPING: %d", err);
    n->ops->urc(n->ctx, (int)call_port(c)->id, text);
  }
  return AT_OK;
}

int cmd_qping_test(struct at_call *c)
{
  at_info(c, "+QPING: (1-%d),<host>,(1-255),(1-10)", PDP_CID_MAX);
  return AT_OK;
}
