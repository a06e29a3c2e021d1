/* net_ntp: AT+QNTP on the stack: the context and the name checked as a socket's would be, one
 * SNTP exchange (sim/net/ntp), its result as +QNTP on the asking port, the clock set if asked;
 * an ntp fault rule makes the server silent or answers a code at once. */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "log.h"
#include "net.h"

static void answered(void *ctx, int err, time_t t)
{
  struct net *n = ctx;
  char text[64];
  n->ntp = NULL;
  if (err) {
    snprintf(text, sizeof(text), "+QNTP: %d", err);
  } else {
    struct tm tm;
    char when[32];
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y/%m/%d,%H:%M:%S", &tm);
    snprintf(text, sizeof(text), "+QNTP: 0,\"%s+00\"", when);
    if (n->ntp_autoset && n->ops->set_clock)
      n->ops->set_clock(n->ctx, t);
  }
  n->ops->urc(n->ctx, n->ntp_port, text);
}

int net_ntp(struct net *n, int port, int cid, const char *server, int server_port, int autoset)
{
  const char *ip;
  char text[32];
  struct net_fault f = { 0 };
  if (n->ntp)
    return TCPIP_BUSY;
  n->ntp_port = port;
  n->ntp_autoset = autoset;
  if (!n->nw->active[cid] || !(ip = network_resolve(n->dns, n->ndns, server))) {
    snprintf(text, sizeof(text), "+QNTP: %d", n->nw->active[cid] ? TCPIP_DNS_PARSE : TCPIP_PDP_OPEN);
    n->ops->urc(n->ctx, port, text); /* after OK: the command's answer comes first */
    return 0;
  }
  if (n->ops->fault && n->ops->fault(n->ctx, NET_AT_NTP, -1, cid, 0, &f) && f.fail) {
    snprintf(text, sizeof(text), "+QNTP: %d", f.fail);
    n->ops->urc(n->ctx, port, text);
    return 0;
  }
  n->ntp = ntp_query_start(n->loop, n->clock, ip, server_port, f.stall, answered, n);
  if (!n->ntp)
    return TCPIP_SOCKET_CREATE;
  log_info("module %d: NTP query to %s:%d", n->index, server, server_port);
  return 0;
}
