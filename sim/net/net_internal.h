/* net_internal: what the socket core (net.c) shares with its TLS half (net_tls.c): the libuv
 * side of a socket and the steps of its life. Included by sim/net only. */
#ifndef FOTASIM_NET_INTERNAL_H
#define FOTASIM_NET_INTERNAL_H

#include "net.h"

/* The libuv side of a socket, freed once its handle has closed. */
struct net_conn {
  union {
    uv_tcp_t tcp;
    uv_udp_t udp;
    uv_handle_t handle;
    uv_stream_t stream;
  } h;
  uv_connect_t connect;
  uv_timer_t deadline;       /* real time: how long an open may take (connect, handshake), then
                                when reading goes on after the downlink's pause (pacing) */
  int deadline_err;          /* the open's result when it passes */
  int handles;               /* open libuv handles; freed at 0 */
  struct net_socket *s;      /* NULL once the socket has let go of it */
};

struct net_write {
  union {
    uv_write_t w;
    uv_udp_send_t u;
  } req;
  struct net_conn *conn;
  size_t len;                /* on the wire */
  size_t plain;              /* the host's bytes in it (an SSL client's records carry more) */
  char data[];
};

/* net.c */
void net_received(struct net_socket *s, size_t len);
void net_peer_closed(struct net_socket *s);
void net_open_result(struct net_socket *s, int err);
void net_start_reading(struct net_socket *s);
/* The open ends with err unless it has within virt_ms of virtual time (real time: a wait on
 * the outside world, never below NET_DEADLINE_FLOOR_MS). */
void net_deadline(struct net_socket *s, uint64_t virt_ms, int err);
#define NET_DEADLINE_FLOOR_MS 5000
/* Bytes onto the socket's TCP stream, plain of them the host's: 0, or -1. */
int net_write_stream(struct net_socket *s, const void *data, size_t len, size_t plain);

/* net_tls.c */
void net_tls_begin(struct net_socket *s);
void net_tls_arrived(struct net_socket *s, ssize_t nread);
void net_tls_pump(struct net_socket *s);
/* AT+QSSLSEND's data as records: 0 SEND OK, 1 SEND FAIL. */
int net_tls_send(struct net_socket *s, const char *data, size_t len);

#endif
