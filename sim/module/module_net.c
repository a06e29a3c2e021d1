/* module_net: the TCP/IP stack's callbacks into its module (URCs and direct-push data on the
 * socket's port, the scenario's socket fault rules) and what the module tells the stack
 * (contexts the network dropped). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "fault.h"
#include "log.h"
#include "module_faults.h"
#include "module_internal.h"

static struct module_port *live_port(struct module *m, int port)
{
  struct module_port *mp = port >= 0 && port < PORT_COUNT ? &m->ports[port] : NULL;
  return mp && module_port_live(mp) ? mp : NULL;
}

static void net_urc(void *ctx, int port, const char *text)
{
  struct module *m = ctx;
  struct module_port *mp = live_port(m, port);
  if (!mp)
    return;
  at_urc(&mp->at, text);
  module_emit(m, EV_URC, mp->name, text, NULL);
}

/* The port's output is full: the stack goes on once it has drained. */
static void writable(void *ctx)
{
  struct module_port *mp = ctx;
  port_set_drain(&mp->port, NULL, NULL);
  net_port_writable(&mp->m->tcpip, mp->id);
}

static void wait_for_room(struct module_port *mp)
{
  if (!mp->port.on_drain)
    port_set_drain(&mp->port, writable, mp);
}

static int net_can_push(void *ctx, int port)
{
  struct module_port *mp = live_port(ctx, port);
  if (!mp || at_session_busy(&mp->at) || port_attached(&mp->port))
    return 0;
  if (port_room(&mp->port) < NET_READ_MAX + 64) { /* a whole piece, or wait */
    wait_for_room(mp);
    return 0;
  }
  return 1;
}

/* The URC line, the data, and CR LF after it (as AT+QIRD frames its data). */
static void net_push(void *ctx, int port, const char *head, const char *data, size_t len)
{
  struct module *m = ctx;
  struct module_port *mp = live_port(m, port);
  if (!mp)
    return;
  at_urc(&mp->at, head);
  module_emit(m, EV_URC, mp->name, head, NULL);
  port_write(&mp->port, data, len);
  port_write(&mp->port, "\r\n", 2);
}

static size_t net_raw(void *ctx, int port, const char *data, size_t len)
{
  struct module_port *mp = live_port(ctx, port);
  size_t room;
  if (!mp)
    return len; /* nobody to give it to: gone, as on a real line */
  room = port_room(&mp->port);
  if (room < len) {
    len = room;
    wait_for_room(mp);
  }
  port_write(&mp->port, data, len);
  return len;
}

static void net_drained(void *ctx, int port)
{
  struct module_port *mp = live_port(ctx, port);
  if (mp)
    port_resume(&mp->port);
}

static void data_event(void *ctx, int port, int what, int id, int err)
{
  struct module_port *mp = live_port(ctx, port);
  if (mp && mp->data_event)
    mp->data_event(mp, what, id, err);
}

static void net_hangup(void *ctx, int port, int id)
{
  data_event(ctx, port, DATA_HANGUP, id, 0);
}

static void net_opened(void *ctx, int port, int id, int err)
{
  data_event(ctx, port, DATA_OPENED, id, err);
}

/* A socket's moment meets the scenario's socket rules. */
static int net_fault(void *ctx, enum net_moment what, int id, int cid, uint64_t bytes,
                     struct net_fault *out)
{
  static const enum fault_socket as_rule[] = { FAULT_SOCKET_CONNECT, FAULT_SOCKET_SEND,
                                               FAULT_SOCKET_RECEIVE };
  static const char *const names[] = { "connect", "send", "receive" };
  struct module *m = ctx;
  struct fault_rule *r;
  if (what == NET_AT_NTP) { /* AT+QNTP: the server silent, or a code at once */
    if (!m->faults.n || !(r = fault_ntp(&m->faults)))
      return 0;
    log_info("module %d: NTP query: fault rule fires", m->cfg.index);
    out->fail = r->fail > 0 ? r->fail : 0;
    out->stall = r->stall;
    fault_apply(m, r, NULL);
    return 1;
  }
  if (!m->faults.n || !(r = fault_socket(&m->faults, as_rule[what], id, bytes)))
    return 0;
  log_info("module %d: socket %d: fault rule fires at its %s", m->cfg.index, id, names[what]);
  out->fail = r->refuse ? TCPIP_CONNECT : r->fail > 0 ? r->fail : 0;
  out->drop = r->drop;
  out->stall = r->stall;
  out->corrupt = r->corrupt;
  out->from = r->offset;
  if (r->pdpdeact && cid >= 1 && cid <= PDP_CID_MAX) { /* "pdpdeact" on the module's own turn */
    m->net.dropped[cid] |= m->net.active[cid];
    m->net.active[cid] = 0;
    module_defer(m, DEFER_CONTEXTS);
  }
  fault_apply(m, r, NULL);
  return 1;
}

/* AT+QNTP's <autosettime>: the RTC follows (kept in NV as AT+CCLK's setting is). */
static void net_set_clock(void *ctx, time_t t)
{
  struct module *m = ctx;
  m->nv.clock_offset = (long)(t - time(NULL));
  module_save_nv(m);
}

const struct net_ops module_net_ops = {
  .urc = net_urc,
  .can_push = net_can_push,
  .push = net_push,
  .raw = net_raw,
  .drained = net_drained,
  .hangup = net_hangup,
  .opened = net_opened,
  .fault = net_fault,
  .set_clock = net_set_clock,
};

void module_contexts_changed(struct module *m)
{
  for (int cid = 1; cid <= PDP_CID_MAX; cid++) {
    char text[40];
    if (!m->net.dropped[cid])
      continue;
    m->net.dropped[cid] = 0;
    snprintf(text, sizeof(text), "+QIURC: \"pdpdeact\",%d", cid);
    net_context_down(&m->tcpip, cid, 1);
    m->tcpip.last_error = TCPIP_PDP_BROKEN; /* AT+QIGETERROR after the URC says why */
    module_urc(m, text);
    for (int i = 0; i < PORT_COUNT; i++) /* a data call on it ends: NO CARRIER */
      if (m->ports[i].call_abort && m->ports[i].call_cid == cid)
        m->ports[i].call_abort(&m->ports[i], 1);
  }
}

void module_context_closed(struct module *m, int cid)
{
  m->net.active[cid] = 0;
  net_context_down(&m->tcpip, cid, 0);
}

/* ---- the HTTP(S) client ---- */

/* A service has bytes (or its end) for the port's reader: HTTP(S), FTP(S). */
static void svc_readable(void *ctx, int port)
{
  struct module_port *mp = live_port(ctx, port);
  if (mp && mp->svc_readable)
    mp->svc_readable(mp);
}

static int http_fault(void *ctx, struct http_fault *out)
{
  struct module *m = ctx;
  struct fault_rule *r;
  if (!m->faults.n || !(r = fault_http(&m->faults)))
    return 0;
  log_info("module %d: HTTP(S) request: fault rule fires", m->cfg.index);
  out->fail = r->fail > 0 ? r->fail : 0;
  out->stall = r->stall;
  out->drop = r->drop;
  fault_apply(m, r, NULL);
  return 1;
}

const struct http_ops module_http_ops = {
  .urc = net_urc,
  .readable = svc_readable,
  .fault = http_fault,
};

static int mqtt_fault(void *ctx, enum mqtt_moment what)
{
  static const enum fault_mqtt as_rule[] = { FAULT_MQTT_OPEN, FAULT_MQTT_CONNECT,
                                             FAULT_MQTT_PUBLISH };
  struct module *m = ctx;
  struct fault_rule *r;
  if (!m->faults.n || !(r = fault_mqtt(&m->faults, as_rule[what])))
    return 0;
  log_info("module %d: MQTT: fault rule fires", m->cfg.index);
  fault_apply(m, r, NULL);
  return r->refuse ? 1 : r->drop ? 2 : 0;
}

/* An MQTT URC: its payload may hold any byte, NUL included. */
static void mqtt_urc(void *ctx, int port, const char *text, size_t len)
{
  struct module *m = ctx;
  struct module_port *mp = live_port(m, port);
  if (!mp)
    return;
  at_urc_len(&mp->at, text, len);
  module_emit(m, EV_URC, mp->name, text, NULL);
}

const struct mqtt_ops module_mqtt_ops = {
  .urc = mqtt_urc,
  .fault = mqtt_fault,
};

const struct ftp_ops module_ftp_ops = {
  .urc = net_urc,
  .readable = svc_readable,
};

/* ---- short messages ---- */

int module_sms_receive(struct module *m, const char *from, const char *text, size_t len)
{
  struct sms *s = &m->sms;
  char urc[SMS_TEXT_MAX + 160], when[32], detail[64];
  time_t now = module_clock_time(m);
  int index = 0;
  snprintf(detail, sizeof(detail), "received from %s", from);
  module_emit(m, EV_SMS, NULL, len ? text : "", detail);
  if (len > SMS_TEXT_MAX)
    len = SMS_TEXT_MAX;
  if (s->cmgf == 1 && s->cnmi[1] == 2) { /* routed to the host at once, not stored */
    sms_time_text(now, when, sizeof(when));
    snprintf(urc, sizeof(urc), "+CMT: \"%s\",,\"%s\"\r\n%.*s", from, when, (int)len, text);
    module_urc(m, urc);
    return 0;
  }
  index = sms_store(s, from, text, len, now);
  if (index < 0) {
    log_warn("module %d: SMS from %s dropped: the SIM's store is full", m->cfg.index, from);
    return -1;
  }
  if (s->cnmi[1] == 1 || s->cnmi[1] == 2) {
    snprintf(urc, sizeof(urc), "+CMTI: \"SM\",%d", index);
    module_urc(m, urc);
  }
  return index;
}

int module_call_fault(struct module *m, enum fault_call what, uint64_t bytes,
                      struct net_fault *out)
{
  struct fault_rule *r;
  if (!m->faults.n || !(r = fault_call(&m->faults, what, bytes)))
    return 0;
  log_info("module %d: data call: fault rule fires at its %s", m->cfg.index,
           what == FAULT_CALL_DIAL ? "dial" : "data");
  memset(out, 0, sizeof(*out));
  out->fail = r->refuse;
  out->drop = r->drop;
  out->stall = r->stall;
  out->corrupt = r->corrupt;
  fault_apply(m, r, NULL);
  return 1;
}

int module_sms_send(struct module *m, const char *to, const char *text, size_t len, int *mr)
{
  struct fault_rule *r;
  char detail[64];
  if (m->cfun != 1)
    return error_in_list(ERR_SMS, SMS_NOT_ALLOWED);
  if (!network_registered(&m->net))
    return error_in_list(ERR_SMS, SMS_NO_NETWORK);
  if (!m->sms.sca[0])
    return error_in_list(ERR_SMS, SMS_SMSC_UNKNOWN);
  if (m->faults.n && (r = fault_sms(&m->faults))) {
    log_info("module %d: SMS to %s: fault rule fires", m->cfg.index, to);
    fault_apply(m, r, NULL);
    if (r->fail > 0)
      return error_in_list(ERR_SMS, r->fail);
  }
  m->sms.mr = (m->sms.mr + 1) & 0xff;
  *mr = m->sms.mr;
  snprintf(detail, sizeof(detail), "sent to %s, mr %d", to, *mr);
  module_emit(m, EV_SMS, NULL, len ? text : "", detail);
  return 0;
}
