/* net: the module's TCP/IP stack as the TCP/IP and SSL notes' commands see it: twelve sockets
 * (connectID 0-11, shared by AT+QIOPEN and AT+QSSLOPEN), TCP and UDP clients on real libuv
 * handles, to addresses resolved through the DNS map, on an active PDP context, TLS on top for
 * SSL clients; each socket buffers what it receives for AT+QIRD/AT+QSSLRECV (buffer access mode)
 * or pushes it to its port (direct push mode). It never sees a port, a file or the module: it
 * reports through struct net_ops. */
#ifndef FOTASIM_NET_H
#define FOTASIM_NET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#include "network.h"
#include "ntp.h"
#include "shaper.h"
#include "tls.h"
#include "vclock.h"

#define NET_SOCKETS 12
#define NET_RX_MAX (64 * 1024)     /* received bytes a socket holds; then it stops reading */
#define NET_PACE_SLACK_MS SHAPER_SLACK_MS /* how far reading may run ahead of the downlink */
#define NET_READ_MAX 1500          /* AT+QIRD's longest read, and a direct push's largest piece */
#define NET_SEND_MAX 1460          /* AT+QISEND's longest fixed length */
#define NET_TX_MAX (64 * 1024)     /* bytes written but not yet taken by the kernel: SEND FAIL */
#define NET_HOST_MAX 150
#define NET_SSL_CTX 6             /* AT+QSSLCFG's SSL contexts 0-5 */
#define NET_FILE_MAX 96

enum net_type { NET_TCP, NET_UDP, NET_TCP_LISTENER, NET_TCP_INCOMING, NET_UDP_SERVICE };
enum net_state { NET_INITIAL, NET_OPENING, NET_CONNECTED, NET_LISTENING, NET_CLOSING };
enum net_mode { NET_BUFFER, NET_PUSH, NET_TRANSPARENT };

struct net;
struct net_conn;

struct net_socket {
  struct net *net;
  int id;
  int used;
  int cid, port;              /* the context, and the module port that opened it (URCs) */
  enum net_type type;
  enum net_state state;
  enum net_mode mode;
  char host[NET_HOST_MAX + 1];
  char addr[64];              /* what the host resolved to */
  int remote_port, local_port;
  int server_id;              /* TCP INCOMING: the listener that accepted it; -1 */
  struct net_conn *conn;      /* the libuv handle; outlives the socket until it has closed */
  int reading;
  struct vtimer timer;        /* the network's round trip before the connect goes out */
  char *rx;                   /* received, not yet read or pushed */
  size_t rx_len;
  int told;                   /* buffer mode: "recv" was reported since the buffer was empty */
  int online;                 /* transparent mode: the port is in data mode for it */
  uint64_t sent, acked, received, read;
  size_t tx_pending;          /* bytes in writes libuv has not finished */
  int ssl_ctx;                /* an SSL client: its AT+QSSLCFG context; -1 for the rest */
  struct tls *tls;            /* an SSL client's session */
  int pumping;                /* decrypting into rx now (no re-entry) */
  int stalled;                /* a fault rule: nothing more passes either way */
  uint64_t wire_rx;           /* bytes read from the peer (an SSL client's records included) */
  int paced;                  /* the downlink is busy with what came: reading waits for it */
  struct vtimer pace_timer;   /* ... until the link has carried it (virtual time) */
  int corrupt_rx, corrupt_tx; /* a fault rule: bits flipped in what comes / goes from now on */
};

/* One SSL context of AT+QSSLCFG. */
struct net_ssl {
  struct tls_settings set;
  int negotiate_s;            /* "negotiatetime": the handshake's limit, 10-300 s */
  char cacert[NET_FILE_MAX], clientcert[NET_FILE_MAX], clientkey[NET_FILE_MAX];
};

/* What a fault rule does to a socket at one of its moments (see fault_rule.h). */
enum net_moment { NET_AT_CONNECT, NET_AT_SEND, NET_AT_RECEIVE, NET_AT_NTP };
struct net_fault {
  int fail;                   /* a TCP/IP code: the open's result, or SEND FAIL; 0: none */
  int drop;                   /* the connection is reset ("closed", NO CARRIER) */
  int stall;                  /* nothing more passes either way */
  int corrupt;                /* bytes from here on have bits flipped */
  uint64_t from;              /* receive: the byte (counted from the first) corruption starts at */
};

/* How the stack reports upward; ports are the module's port numbers. */
struct net_ops {
  void (*urc)(void *ctx, int port, const char *text);
  /* Direct push: may the port take data now (no command running)? */
  int (*can_push)(void *ctx, int port);
  /* Direct push: the URC line, then the data on the port. */
  void (*push)(void *ctx, int port, const char *head, const char *data, size_t len);
  /* Transparent mode, online: the peer's bytes as they are; how many the port took (the rest
   * waits in the socket's buffer until net_port_writable). */
  size_t (*raw)(void *ctx, int port, const char *data, size_t len);
  /* What was sent has gone out: a held sender may go on. */
  void (*drained)(void *ctx, int port);
  /* Transparent mode, online: the peer closed (NO CARRIER). */
  void (*hangup)(void *ctx, int port, int id);
  /* A transparent-mode open ended: connected (err 0, the port goes online) or not. */
  void (*opened)(void *ctx, int port, int id, int err);
  /* A socket's moment (bytes: received so far): 1 if a fault rule fired, what it does to the
   * socket in out (the rest, such as a dropped context, the module does on its own turn). */
  int (*fault)(void *ctx, enum net_moment what, int id, int cid, uint64_t bytes,
               struct net_fault *out);
  /* AT+QNTP with <autosettime> 1: the module's clock becomes the server's time. */
  void (*set_clock)(void *ctx, time_t t);
};

/* AT+QICFG: the stack's settings. */
struct net_config {
  int transpktsize;           /* 1-1460; transparent mode sends as bytes come (at most this) */
  int transwaittm;            /* 0-20 (x100 ms) */
  int send_hex, recv_hex;     /* "dataformat": AT+QISEND takes hex text, AT+QIRD gives it */
  int viewmode;               /* 1: AT+QIRD's header and data on one line, comma between */
  int recvind;                /* 1: the buffer-mode "recv" URC carries the length */
  int keepalive, keepidle, keepinterval, keepcount;  /* "tcp/keepalive" (min, s, count) */
};

/* One AT+QPING under way. */
struct net_ping {
  struct net *net;
  int port, left, sent;
  unsigned rtt;               /* ms: the network's round trip */
  char addr[64];
  struct vtimer timer;
};

struct net {
  uv_loop_t *loop;
  struct vclock *clock;
  struct network *nw;
  const struct dns_entry *dns;
  int ndns;
  int index;                  /* the module's number, for logs */
  const struct net_ops *ops;
  void *ctx;
  int last_error;             /* AT+QIGETERROR */
  int data_echo;              /* AT+QISDE: AT+QISEND's data echoed (with ATE1) */
  struct net_config cfg;
  struct net_ssl ssl[NET_SSL_CTX];
  struct net_ping ping;
  char dns_servers[PDP_CID_MAX + 1][2][64];  /* AT+QIDNSCFG */
  struct ntp_query *ntp;      /* AT+QNTP under way */
  int ntp_port, ntp_autoset;
  struct net_socket sock[NET_SOCKETS];
};

void net_init(struct net *n, uv_loop_t *loop, struct vclock *clock, struct network *nw,
              const struct dns_entry *dns, int ndns, int index, const struct net_ops *ops,
              void *ctx);
/* AT+QIOPEN: 0 when accepted (the result follows as +QIOPEN: <id>,<err>, or in transparent
 * mode as ops->opened), or a TCP/IP code for the write command's answer (in transparent mode
 * also every failure found at once: the context, the name). */
int net_open(struct net *n, int port, int cid, int id, enum net_type type, const char *host,
             int remote_port, int local_port, enum net_mode mode);
/* AT+QSSLOPEN: a TCP client on SSL context ctx, TLS once connected; keys are the context's
 * files as read (the session keeps what it needs). The result follows as +QSSLOPEN. */
int net_open_tls(struct net *n, int port, int cid, int ctx, int id, const char *host,
                 int remote_port, enum net_mode mode, const struct tls_keys *keys);
/* The URC prefix of a socket: "+QSSLURC" for an SSL client, else "+QIURC". */
const char *net_urc_name(const struct net_socket *s);
/* AT+QISEND's data: 0 SEND OK, 1 SEND FAIL (the send buffer is full), or a TCP/IP code. A UDP
 * SERVICE sends to ip:port (NULL for the others). */
int net_send(struct net *n, int id, const char *data, size_t len);
int net_send_to(struct net *n, int id, const char *data, size_t len, const char *ip, int port);
/* Whether a socket can send now (AT+QISEND before its prompt): 0, or a TCP/IP code. */
int net_can_send(const struct net *n, int id);
/* Transparent mode: the port goes into data mode for the socket (what was buffered meanwhile
 * goes out first) or back to command mode. */
void net_set_online(struct net *n, int id, int on);
/* Whether a socket can take len more bytes without SEND FAIL. */
int net_has_room(const struct net *n, int id, size_t len);
/* AT+QIRD: up to max bytes into buf; the count. A UDP SERVICE gives one datagram and its
 * sender (ip of 64 bytes, port) instead. */
size_t net_read(struct net *n, int id, char *buf, size_t max);
size_t net_read_from(struct net *n, int id, char *buf, size_t max, char *ip, int *port);
/* AT+QICLOSE: the socket is closed and its id free again. */
void net_close(struct net *n, int id);
/* The port the socket's own end is bound to (0 if none yet). */
int net_local_port(const struct net *n, int id);
/* The socket if that id is open, else NULL. */
const struct net_socket *net_socket(const struct net *n, int id);
/* The port can take direct-push data again (its command ended). */
void net_port_ready(struct net *n, int port);
/* The port's output has room again: pushed and transparent data go on. */
void net_port_writable(struct net *n, int port);
/* A context went down (an outage, AT+QIDEACT, power): its sockets close, with "closed" URCs
 * when urc is set. */
void net_context_down(struct net *n, int cid, int urc);
/* Power is gone: every socket closes silently. */
void net_reset(struct net *n);
/* AT+QNTP: 0 (the result comes as +QNTP: <err>[,"<time>"]), or a code for +CME ERROR. */
int net_ntp(struct net *n, int port, int cid, const char *server, int server_port, int autoset);
const char *net_type_name(enum net_type t);
/* AT+QPING: 0 when the pings go out (+QPING URCs follow), or a TCP/IP code for a URC now. */
int net_ping(struct net *n, int port, int cid, const char *host, int count);

#endif
