/* http: the module's HTTP(S) client (the HTTP(S) note): one request at a time on the process's
 * curl loop, its response header reported once it is in, its body held in a bounded buffer
 * that the host drains (AT+QHTTPREAD / AT+QHTTPREADFILE) while curl waits when it is full.
 * Knows no port and no command: it reports through struct http_ops. */
#ifndef FOTASIM_HTTP_H
#define FOTASIM_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "curl_loop.h"
#include "svc_env.h"
#include "net.h"
#include "network.h"
#include "shaper.h"
#include "storage.h"
#include "vclock.h"

#define HTTP_URL_MAX 700             /* AT+QHTTPURL's <URL_length> */
#define HTTP_BODY_MAX (128 * 1024)   /* response bytes held for the host; then curl waits */
#define HTTP_CURL_CHUNK (64 * 1024)  /* the most curl hands over at once (its buffer) */
#define HTTP_POST_MAX (1024 * 1024)  /* AT+QHTTPPOST's <data_length> */
#define HTTP_HEAD_MAX (16 * 1024)    /* response header bytes kept for "responseheader" 1 */
#define HTTP_WAIT_FLOOR_MS 2000      /* the least real time a response or read is waited for */

enum http_method { HTTP_GET, HTTP_POST };

/* AT+QHTTPCFG */
struct http_config {
  int contextid, requestheader, responseheader, sslctxid, contenttype;
};

/* A scenario fault at the request (see fault_rule.h): what happens to it. */
struct http_fault {
  int fail;                  /* the request ends with this code */
  int stall;                 /* the server's answer never comes (the response timeout ends it) */
  int drop;                  /* the connection closes after the header: the body is cut */
};

struct http_ops {
  void (*urc)(void *ctx, int port, const char *text);
  void (*readable)(void *ctx, int port); /* body bytes, or the body's end, for the reader */
  int (*fault)(void *ctx, struct http_fault *out); /* 1 if a rule fires at this request */
};

enum http_state {
  HTTP_IDLE,        /* no response to read */
  HTTP_WAITING,     /* the request is out; no response header yet */
  HTTP_RESPONDED,   /* the header is in: the body flows into the buffer */
  HTTP_ENDED        /* the transfer is over; what is buffered can still be read */
};

struct http {
  struct svc_env env;
  const struct http_ops *ops;
  void *ctx;

  struct http_config cfg;
  char url[HTTP_URL_MAX + 1];

  enum http_state state;
  const char *verb;          /* "+QHTTPGET", "+QHTTPPOST", "+QHTTPPOSTFILE" */
  int port;                  /* where its URCs go */
  CURL *easy;
  struct curl_job job;
  struct curl_slist *resolve, *headers;
  char *tx;                  /* the request body */
  size_t tx_len;
  long status;
  int told;                  /* the request's URC is out */
  int err;                   /* the transfer's end: 0 or an HTTP(S) code */
  int paused;                /* curl waits for room in the buffer */
  struct shaper shape;       /* the body crosses the modelled downlink on the virtual clock */
  int taking;                /* inside http_take: the reader is already reading */
  int stalled;               /* a fault rule: the answer never comes */
  int cut;                   /* a fault rule: the body is cut after the header */
  char *head;                /* the response header, for "responseheader" 1 */
  size_t head_len;
  int head_done;             /* the final header block is complete */
  char *rx;                  /* body bytes not yet read: rx_len of them from rx_off */
  size_t rx_off, rx_len;
  uint64_t body_total;
  uv_timer_t rsp_timer;      /* <rsptime>: the response header must come within it */
  int timer_open;
};

void http_init(struct http *h, const struct svc_env *env, const struct http_ops *ops, void *ctx);
/* Ends any request and forgets the URL and settings (power off, reboot). */
void http_reset(struct http *h);
void http_close(struct http *h);

/* Starts a request to h->url: 0 (the result comes as "<verb>: <err>[,<status>[,<length>]]"),
 * or a code for +CME ERROR. raw_head: the host's own request header ("requestheader" 1), its
 * first line naming the method and path; body is copied. */
int http_request(struct http *h, enum http_method method, const char *verb, int port,
                 const char *raw_head, size_t head_len, const char *body, size_t body_len,
                 uint64_t rsptime_s);
/* Whether a URL is one the client takes: http:// or https://, a host, an optional port. */
int http_url_valid(const char *url);
/* Takes up to max bytes of the response (the header first with "responseheader" 1). */
size_t http_take(struct http *h, char *out, size_t max);
/* Whether the body has ended and everything was taken: 1 and its code in *err. */
int http_finished(const struct http *h, int *err);
/* Whether a response is there to read (a request answered and not stopped). */
int http_has_response(const struct http *h);
/* AT+QHTTPSTOP: the request ends, nothing more is reported. */
void http_stop(struct http *h);

#endif
