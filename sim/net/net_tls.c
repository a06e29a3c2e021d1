/* net_tls: an SSL client's socket: the handshake once TCP is up (bounded by "negotiatetime"),
 * records decrypted into the socket's buffer while it has room, the host's bytes encrypted onto
 * the stream. The socket core (net.c) does the rest as for a TCP client. */
#include "net_internal.h"

#include <stdio.h>

#include "errors.h"
#include "log.h"

/* What the session wrote goes onto the stream. */
static void flush(struct net_socket *s, size_t plain)
{
  size_t len;
  const unsigned char *out = tls_output(s->tls, &len);
  if (!len || !s->conn)
    return;
  if (net_write_stream(s, out, len, plain) == 0)
    tls_output_taken(s->tls, len);
}

static void step(struct net_socket *s)
{
  char why[200];
  int rc = tls_handshake(s->tls, why, sizeof(why));
  flush(s, 0);
  if (rc == TLS_AGAIN)
    return;
  if (rc == TLS_FAILED) {
    log_info("module %d: ssl socket %d: %s:%d: %s", s->net->index, s->id, s->addr,
             s->remote_port, why);
    net_open_result(s, TCPIP_CONNECT);
    return;
  }
  log_info("module %d: ssl socket %d: %s", s->net->index, s->id,
           tls_describe(s->tls, why, sizeof(why)));
  net_open_result(s, 0); /* connected: reads what came with the last flight */
}

void net_tls_begin(struct net_socket *s)
{
  net_deadline(s, (uint64_t)s->net->ssl[s->ssl_ctx].negotiate_s * 1000, TCPIP_TIMEOUT);
  net_start_reading(s);
  step(s);
}

void net_tls_pump(struct net_socket *s)
{
  if (s->pumping || s->state == NET_OPENING)
    return;
  s->pumping = 1;
  while (s->used && s->tls && s->rx_len < NET_RX_MAX) {
    long n = tls_read(s->tls, (unsigned char *)s->rx + s->rx_len, NET_RX_MAX - s->rx_len);
    if (n == 0)
      break;
    if (n < 0) { /* close_notify, an alert, a bad record: the peer is gone */
      if (s->state == NET_CONNECTED)
        net_peer_closed(s);
      break;
    }
    net_received(s, (size_t)n);
  }
  if (s->used && s->tls)
    flush(s, 0);
  s->pumping = 0;
}

void net_tls_arrived(struct net_socket *s, ssize_t nread)
{
  if (nread > 0)
    tls_input_added(s->tls, (size_t)nread);
  if (nread < 0 && nread != UV_ENOBUFS) { /* the stream ended */
    if (s->state == NET_OPENING) {
      log_info("module %d: ssl socket %d: %s:%d closed during the handshake", s->net->index,
               s->id, s->addr, s->remote_port);
      net_open_result(s, TCPIP_CONNECT);
      return;
    }
    net_tls_pump(s);
    if (s->used && s->state == NET_CONNECTED)
      net_peer_closed(s);
    return;
  }
  if (s->state == NET_OPENING) {
    step(s);
    return;
  }
  net_tls_pump(s);
  if (s->used && s->conn && s->reading) {
    size_t room;
    tls_input_space(s->tls, &room);
    if (!room) { /* the host is not reading: the peer's sends back up (TCP) */
      uv_read_stop(&s->conn->h.stream);
      s->reading = 0;
    }
  }
}

int net_tls_send(struct net_socket *s, const char *data, size_t len)
{
  if (tls_write(s->tls, (const unsigned char *)data, len) != 0)
    return 1;
  flush(s, len);
  s->sent += len;
  return 0;
}
