/* mqtt: the module's MQTT clients (the MQTT note): six client indexes on libmosquitto, whose
 * socket is driven by a uv_poll and whose keep-alive by a uv_timer (no mosquitto thread).
 * AT+QMTOPEN's network step is a real TCP connect to the broker; AT+QMTCONN then opens the
 * MQTT session. Reports the note's URCs through struct mqtt_ops. */
#ifndef FOTASIM_MQTT_H
#define FOTASIM_MQTT_H

#include <stddef.h>
#include <uv.h>

#include "network.h"
#include "svc_env.h"
#include "vclock.h"

#define MQTT_CLIENTS 6
#define MQTT_TOPIC_MAX 256
#define MQTT_PAYLOAD_MAX 4096        /* AT+QMTPUBEX's <msglen> */
#define MQTT_PENDING 32              /* SUB/UNS/PUB waiting for their acknowledgement */
#define MQTT_RECV_SLOTS 5            /* "recv/mode" 1: the buffers AT+QMTRECV reads (recv_id 0-4) */
#define MQTT_BACKLOG 32              /* messages waiting for a free buffer; more are dropped */

/* AT+QMTCFG of one client index */
struct mqtt_config {
  int version;                       /* 3: MQTT 3.1, 4: 3.1.1 */
  int cid;                           /* "pdpcid" */
  int keepalive;                     /* s, 0-3600 */
  int clean;                         /* "session" */
  int pkt_timeout, retries, timeout_notice;
  int will_fg, will_qos, will_retain;
  char will_topic[MQTT_TOPIC_MAX], will_msg[MQTT_TOPIC_MAX];
  int recv_mode, len_enable;         /* "recv/mode": 0 pushed with +QMTRECV, 1 buffered */
  int ssl, ssl_ctx;                  /* "ssl" 1: TLS with that SSL context of AT+QSSLCFG */
};

enum mqtt_state {
  MQTT_IDLE, MQTT_OPENING, MQTT_OPEN, MQTT_CONNECTING, MQTT_CONNECTED, MQTT_DISCONNECTING
};

/* The client's moments a fault rule may meet (the order of enum fault_mqtt). */
enum mqtt_moment { MQTT_AT_OPEN, MQTT_AT_CONNECT, MQTT_AT_PUBLISH };

struct mqtt_ops {
  /* text may hold any byte (a payload): len says where it ends */
  void (*urc)(void *ctx, int port, const char *text, size_t len);
  /* A fault rule at this moment: 0 none, 1 refuse (open: -1; connect: CONNACK 3), 2 drop the
   * link (publish: +QMTSTAT). */
  int (*fault)(void *ctx, enum mqtt_moment what);
};

struct mqtt;

struct mqtt_pending {
  int mid, msgid;
  const char *verb;                  /* "+QMTSUB", "+QMTUNS", "+QMTPUBEX" */
};

/* A message received: held in a buffer for AT+QMTRECV, or waiting for one. */
struct mqtt_message {
  int msgid;
  char *topic;
  char *payload;
  size_t len;
  struct mqtt_message *next;
};

struct mqtt_client {
  struct mqtt *owner;
  int idx;
  struct mqtt_config cfg;
  enum mqtt_state state;
  int port;                          /* where its URCs go */
  char host[MQTT_TOPIC_MAX];
  char ip[64];
  int rport;
  struct uv_tcp_s *probe;            /* AT+QMTOPEN's connect */
  struct mosquitto *mosq;
  uv_poll_t *poll;
  int fd;
  int lost;                          /* the link went while mosquitto ran a callback */
  int lost_why;                      /* libmosquitto's reason (MOSQ_ERR_KEEPALIVE: no PINGRESP) */
  int quiet;                         /* ... after a refused CONNECT: nothing more to say */
  struct vtimer pace;                /* while it runs, no reading: the downlink carries what
                                      * came (shaper.c) */
  struct mqtt_pending pend[MQTT_PENDING];
  struct mqtt_message *slot[MQTT_RECV_SLOTS];
  struct mqtt_message *backlog, *backlog_tail;
  int backlog_n;
};

struct mqtt {
  struct svc_env env;
  const struct mqtt_ops *ops;
  void *ctx;
  uv_timer_t tick;                   /* keep-alive: mosquitto_loop_misc once a second */
  int tick_open;
  struct mqtt_client c[MQTT_CLIENTS];
};

void mqtt_init(struct mqtt *q, const struct svc_env *env, const struct mqtt_ops *ops, void *ctx);
/* Every client closes without a word and the settings return to their defaults. */
void mqtt_reset(struct mqtt *q);
void mqtt_close(struct mqtt *q);

/* The commands: 0 (the result comes as the note's URC), or a plain-ERROR -1. */
int mqtt_open(struct mqtt *q, int idx, int port, const char *host, int rport);
int mqtt_close_client(struct mqtt *q, int idx, int port);
int mqtt_connect(struct mqtt *q, int idx, int port, const char *client_id, const char *user,
                 const char *password);
int mqtt_disconnect(struct mqtt *q, int idx, int port);
int mqtt_subscribe(struct mqtt *q, int idx, int msgid, const char *const *topics,
                   const int *qos, int n);
int mqtt_unsubscribe(struct mqtt *q, int idx, int msgid, const char *const *topics, int n);
/* verb: "+QMTPUBEX" or "+QMTPUB", the result's name */
int mqtt_publish(struct mqtt *q, int idx, const char *verb, int msgid, int qos, int retain,
                 const char *topic, const void *payload, size_t len);
/* "recv/mode" 1: the message in buffer recv_id, taken out (NULL if empty; free with
 * mqtt_message_free). A backlogged message moves into the freed buffer with its URC. */
struct mqtt_message *mqtt_take(struct mqtt *q, int idx, int recv_id);
void mqtt_message_free(struct mqtt_message *msg);
/* The text of +QMTRECV for a message ("+QMTRECV: <idx>,<msgid>,"<topic>",[<len>,]"<payload>"");
 * its length, malloc'd in *out. */
size_t mqtt_recv_text(const struct mqtt_client *c, const struct mqtt_message *msg, char **out);

#endif
