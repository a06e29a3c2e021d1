/* ntp: one SNTP exchange with a real server over a libuv UDP handle, with a real-time wait
 * derived from the virtual one; the reply checked against the request before it is believed. */
#include "ntp.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "log.h"

#define NTP_UNIX_OFFSET 2208988800u  /* seconds from 1900 to 1970 */

struct ntp_query {
  uv_udp_t udp;
  uv_timer_t timer;
  int handles;
  int done;
  uint8_t transmit[8];
  uint8_t packet[NTP_PACKET];
  uv_udp_send_t send;
  ntp_done_fn cb;
  void *ctx;
};

void ntp_request(uint8_t out[NTP_PACKET], const uint8_t transmit[8])
{
  memset(out, 0, NTP_PACKET);
  out[0] = (0 << 6) | (4 << 3) | 3; /* no leap warning, version 4, client */
  memcpy(out + 40, transmit, 8);
}

int ntp_parse_reply(const uint8_t *buf, size_t len, const uint8_t transmit[8], time_t *out)
{
  uint32_t secs;
  if (len < NTP_PACKET || (buf[0] & 7) != 4) /* a server's answer */
    return -1;
  if (buf[1] == 0) /* stratum 0: a kiss-of-death */
    return -1;
  if (memcmp(buf + 24, transmit, 8)) /* its origin is our transmit time: an answer to us */
    return -1;
  secs = (uint32_t)buf[40] << 24 | (uint32_t)buf[41] << 16 | (uint32_t)buf[42] << 8 | buf[43];
  if (secs == 0)
    return -1;
  /* era 0 until 2036; after it, a time below 1970's is the next era */
  *out = (time_t)((int64_t)secs - NTP_UNIX_OFFSET + (secs < NTP_UNIX_OFFSET ? 4294967296LL : 0));
  return 0;
}

static void closed(uv_handle_t *h)
{
  struct ntp_query *q = h->data;
  if (--q->handles == 0)
    free(q);
}

static void finish(struct ntp_query *q, int err, time_t t)
{
  ntp_done_fn cb = q->cb;
  void *ctx = q->ctx;
  if (q->done)
    return;
  q->done = 1;
  uv_close((uv_handle_t *)&q->udp, closed);
  uv_close((uv_handle_t *)&q->timer, closed);
  if (cb)
    cb(ctx, err, t);
}

void ntp_query_cancel(struct ntp_query *q)
{
  if (!q)
    return;
  q->cb = NULL;
  finish(q, 0, 0);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
  static char space[512]; /* one datagram at a time: the loop has one thread */
  (void)h;
  (void)hint;
  *buf = uv_buf_init(space, sizeof(space));
}

static void on_read(uv_udp_t *u, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr,
                    unsigned flags)
{
  struct ntp_query *q = u->data;
  time_t t;
  (void)flags;
  if (nread <= 0 || !addr || q->done)
    return;
  if (ntp_parse_reply((const uint8_t *)buf->base, (size_t)nread, q->transmit, &t) != 0) {
    log_info("ntp: a datagram that is not an answer to the request: ignored");
    return;
  }
  finish(q, 0, t);
}

static void on_timeout(uv_timer_t *t)
{
  struct ntp_query *q = t->data;
  log_info("ntp: no answer in time");
  finish(q, TCPIP_TIMEOUT, 0);
}

static void on_sent(uv_udp_send_t *req, int status)
{
  struct ntp_query *q = req->data;
  if (status < 0 && !q->done) {
    log_info("ntp: send failed: %s", uv_strerror(status));
    finish(q, TCPIP_WRITE, 0);
  }
}

struct ntp_query *ntp_query_start(uv_loop_t *loop, struct vclock *clock, const char *ip, int port,
                                  int deaf, ntp_done_fn done, void *ctx)
{
  struct sockaddr_storage sa;
  struct ntp_query *q;
  uv_buf_t b;
  uint64_t now;
  if (uv_ip4_addr(ip, port, (struct sockaddr_in *)&sa) != 0 &&
      uv_ip6_addr(ip, port, (struct sockaddr_in6 *)&sa) != 0)
    return NULL;
  q = calloc(1, sizeof(*q));
  if (!q)
    return NULL;
  q->cb = done;
  q->ctx = ctx;
  uv_udp_init(loop, &q->udp);
  uv_timer_init(loop, &q->timer);
  q->udp.data = q->timer.data = q->send.data = q;
  q->handles = 2;
  now = uv_hrtime(); /* any unique value will do: the server only echoes it */
  for (int i = 0; i < 8; i++)
    q->transmit[i] = (uint8_t)(now >> (8 * (7 - i)));
  ntp_request(q->packet, q->transmit);
  b = uv_buf_init((char *)q->packet, NTP_PACKET);
  if (uv_udp_send(&q->send, &q->udp, &b, 1, (const struct sockaddr *)&sa, on_sent) != 0) {
    ntp_query_cancel(q);
    return NULL;
  }
  if (!deaf)
    uv_udp_recv_start(&q->udp, on_alloc, on_read);
  uv_timer_start(&q->timer, on_timeout, vclock_real_timeout(clock, NTP_WAIT_MS, NTP_WAIT_FLOOR_MS),
                 0);
  return q;
}
