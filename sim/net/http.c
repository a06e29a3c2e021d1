/* http: the module's HTTP(S) client on the process's curl loop: the request AT+QHTTPGET /
 * QHTTPPOST / QHTTPPOSTFILE describe, the response header reported as the note's URC, the body
 * buffered (bounded) for AT+QHTTPREAD, curl's results as the HTTP(S) list's codes. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curl_tls.h"
#include "errors.h"
#include "log.h"

static const char *const content_types[] = {
  "application/x-www-form-urlencoded", "text/plain", "application/octet-stream",
  "multipart/form-data", "application/json", "image/jpeg",
};

static void defaults(struct http *h)
{
  h->cfg.contextid = 1;
  h->cfg.requestheader = 0;
  h->cfg.responseheader = 0;
  h->cfg.sslctxid = 1;
  h->cfg.contenttype = 0;
  h->url[0] = '\0';
}

void http_init(struct http *h, const struct svc_env *env, const struct http_ops *ops, void *ctx)
{
  memset(h, 0, sizeof(*h));
  h->env = *env;
  h->ops = ops;
  h->ctx = ctx;
  uv_timer_init(env->loop, &h->rsp_timer);
  h->rsp_timer.data = h;
  h->timer_open = 1;
  defaults(h);
}

/* The transfer's curl side goes; what was buffered stays readable. */
static void release(struct http *h)
{
  if (h->timer_open)
    uv_timer_stop(&h->rsp_timer);
  if (h->easy) {
    if (!h->stalled)
      curl_loop_remove(h->env.cl, h->easy);
    curl_easy_cleanup(h->easy);
    h->easy = NULL;
  }
  curl_slist_free_all(h->resolve);
  curl_slist_free_all(h->headers);
  h->resolve = h->headers = NULL;
  free(h->tx);
  h->tx = NULL;
  h->tx_len = 0;
  h->paused = 0;
  shaper_stop(&h->shape);
}

static void forget_response(struct http *h)
{
  release(h);
  free(h->rx);
  free(h->head);
  h->rx = h->head = NULL;
  h->rx_off = h->rx_len = h->head_len = 0;
  h->head_done = 0;
  h->body_total = 0;
  h->status = 0;
  h->told = 0;
  h->err = 0;
  h->stalled = h->cut = 0;
  h->state = HTTP_IDLE;
}

void http_stop(struct http *h)
{
  forget_response(h);
}

void http_reset(struct http *h)
{
  forget_response(h);
  defaults(h);
}

static void timer_closed(uv_handle_t *t)
{
  (void)t;
}

void http_close(struct http *h)
{
  forget_response(h);
  if (h->timer_open) {
    h->timer_open = 0;
    uv_close((uv_handle_t *)&h->rsp_timer, timer_closed);
  }
}

/* "+QHTTPGET: <err>[,<httprspcode>[,<content_length>]]": the length only for 200 and 206 with a
 * length the server gave. */
static void tell(struct http *h, int err)
{
  char text[96];
  curl_off_t len = -1;
  if (h->told)
    return;
  h->told = 1;
  if (err) {
    snprintf(text, sizeof(text), "%s: %d", h->verb, err);
  } else {
    if (h->easy)
      curl_easy_getinfo(h->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
    if ((h->status == 200 || h->status == 206) && len > 0)
      snprintf(text, sizeof(text), "%s: 0,%ld,%lld", h->verb, h->status, (long long)len);
    else
      snprintf(text, sizeof(text), "%s: 0,%ld", h->verb, h->status);
  }
  h->ops->urc(h->ctx, h->port, text);
}

static int map_error(struct http *h, CURLcode rc)
{
  switch (rc) {
  case CURLE_OK: return 0;
  case CURLE_COULDNT_RESOLVE_HOST: return HTTP_DNS_FAILED;
  case CURLE_COULDNT_CONNECT: return HTTP_CONNECT_FAILED;
  case CURLE_OPERATION_TIMEDOUT: return h->state == HTTP_WAITING ? HTTP_RESPONSE_TIMEOUT
                                                                 : HTTP_READ_TIMEOUT;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
    return HTTP_CONNECT_FAILED;
  case CURLE_SEND_ERROR: return HTTP_SOCKET_WRITE;
  case CURLE_RECV_ERROR: return HTTP_SOCKET_READ;
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_UNSUPPORTED_PROTOCOL: return HTTP_DECODE;
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE: return HTTP_SOCKET_CLOSED;
  case CURLE_OUT_OF_MEMORY: return HTTP_NO_MEMORY;
  case CURLE_URL_MALFORMAT: return HTTP_URL_ERROR;
  default: return HTTP_UNKNOWN;
  }
}

/* The transfer is over: before the header, the request's URC carries the code; after it, the
 * reader hears of the end. */
static void ended(struct http *h, int err)
{
  if (h->state == HTTP_ENDED)
    return;
  if (!h->told) {
    if (!err && !h->status)
      err = HTTP_DECODE;
    tell(h, err);
    if (err) {
      forget_response(h); /* nothing to read */
      return;
    }
  }
  h->err = err;
  h->state = HTTP_ENDED;
  release(h);
  h->ops->readable(h->ctx, h->port);
}

static void transfer_done(struct curl_job *job, CURLcode rc)
{
  struct http *h = (struct http *)((char *)job - offsetof(struct http, job));
  int err = map_error(h, rc);
  if (h->cut && rc == CURLE_WRITE_ERROR)
    err = HTTP_SOCKET_CLOSED;
  if (err)
    log_info("http: %s: %s", h->verb, curl_easy_strerror(rc));
  ended(h, err);
}

static void response_timeout(uv_timer_t *t)
{
  struct http *h = t->data;
  log_info("http: %s: no response in time", h->verb);
  ended(h, HTTP_RESPONSE_TIMEOUT);
}

/* The final header block is in (a 100 Continue's is not): the request's URC. */
static void header_complete(struct http *h)
{
  long code = 0;
  curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
  if (code < 200)
    return;
  h->status = code;
  h->head_done = 1;
  h->state = HTTP_RESPONDED;
  uv_timer_stop(&h->rsp_timer);
  tell(h, 0);
}

static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
  struct http *h = userp;
  size_t len = size * n;
  if (h->head_done) /* trailers: not part of the header the host reads */
    return len;
  if (!strncmp(line, "HTTP/", 5)) /* a new block (after 1xx, or the only one) */
    h->head_len = 0;
  if (h->cfg.responseheader && h->head_len + len <= HTTP_HEAD_MAX) {
    if (!h->head)
      h->head = malloc(HTTP_HEAD_MAX);
    if (h->head) {
      memcpy(h->head + h->head_len, line, len);
      h->head_len += len;
    }
  }
  if (len <= 2 && (line[0] == '\r' || line[0] == '\n'))
    header_complete(h);
  return len;
}

/* The bytes held for the link have crossed: curl offers them again (unless the buffer is full:
 * then http_take unpauses). */
static void body_carried(void *ctx)
{
  struct http *h = ctx;
  if (h->easy && !h->paused)
    curl_easy_pause(h->easy, CURLPAUSE_CONT);
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
  struct http *h = userp;
  size_t len = size * n;
  if (!h->head_done)
    header_complete(h);
  if (h->cut) {
    log_info("http: fault rule: the connection closes after the header");
    return 0; /* CURLE_WRITE_ERROR: the body is cut */
  }
  if (!shaper_admit(&h->shape, len))
    return CURL_WRITEFUNC_PAUSE; /* on the link: body_carried unpauses */
  if (h->rx_len + len > HTTP_BODY_MAX) {
    h->paused = 1;
    return CURL_WRITEFUNC_PAUSE; /* curl hands the same bytes again once unpaused */
  }
  if (!h->rx && !(h->rx = malloc(HTTP_BODY_MAX)))
    return 0;
  if (h->rx_off + h->rx_len + len > HTTP_BODY_MAX) { /* compact: the taken bytes' room */
    memmove(h->rx, h->rx + h->rx_off, h->rx_len);
    h->rx_off = 0;
  }
  memcpy(h->rx + h->rx_off + h->rx_len, data, len);
  shaper_took(&h->shape, len);
  h->rx_len += len;
  h->body_total += len;
  if (!h->taking) /* bytes that come as http_take unpauses go after what it took */
    h->ops->readable(h->ctx, h->port);
  return len;
}

size_t http_take(struct http *h, char *out, size_t max)
{
  size_t n = 0;
  if (h->head_len && h->head_done) { /* the header first, whole or in pieces */
    n = h->head_len < max ? h->head_len : max;
    memcpy(out, h->head, n);
    memmove(h->head, h->head + n, h->head_len - n);
    h->head_len -= n;
    return n;
  }
  n = h->rx_len < max ? h->rx_len : max;
  if (!n)
    return 0;
  memcpy(out, h->rx + h->rx_off, n);
  h->rx_off += n;
  h->rx_len -= n;
  if (!h->rx_len)
    h->rx_off = 0;
  if (h->paused && h->easy && HTTP_BODY_MAX - h->rx_len >= HTTP_CURL_CHUNK) {
    h->paused = 0;
    h->taking = 1;
    curl_easy_pause(h->easy, CURLPAUSE_CONT); /* may call on_body again at once */
    h->taking = 0;
  }
  return n;
}

int http_finished(const struct http *h, int *err)
{
  if (h->state != HTTP_ENDED || h->rx_len || h->head_len)
    return 0;
  *err = h->err;
  return 1;
}

int http_has_response(const struct http *h)
{
  return h->state == HTTP_RESPONDED || h->state == HTTP_ENDED;
}

/* "requestheader" 1: the host's request line and header lines; its method and path are used
 * with the URL's scheme, host and port. Returns 0, or -1 if there is no request line. */
static int custom_head(struct http *h, const char *raw, size_t len, char *path, size_t psize,
                       char *method, size_t msize)
{
  const char *end = raw + len, *p = raw, *eol;
  const char *sp1, *sp2;
  eol = memchr(p, '\n', (size_t)(end - p));
  if (!eol)
    return -1;
  sp1 = memchr(p, ' ', (size_t)(eol - p));
  sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
  if (!sp1 || !sp2 || (size_t)(sp1 - p) >= msize || (size_t)(sp2 - sp1 - 1) >= psize ||
      sp2 == sp1 + 1 || sp1[1] != '/')
    return -1;
  memcpy(method, p, (size_t)(sp1 - p));
  method[sp1 - p] = '\0';
  memcpy(path, sp1 + 1, (size_t)(sp2 - sp1 - 1));
  path[sp2 - sp1 - 1] = '\0';
  for (p = eol + 1; p < end; p = eol + 1) {
    char line[1024];
    size_t l;
    eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol)
      eol = end;
    l = (size_t)(eol - p);
    if (l && p[l - 1] == '\r')
      l--;
    if (!l)
      break; /* the blank line: the header ends */
    if (l >= sizeof(line))
      continue;
    memcpy(line, p, l);
    line[l] = '\0';
    if (!strncasecmp(line, "Content-Length:", 15))
      continue; /* curl counts the body itself */
    h->headers = curl_slist_append(h->headers, line);
    if (eol == end)
      break;
  }
  return 0;
}

/* Splits http[s]://host[:port]/path: 0, or -1. */
static int split_url(const char *url, int *https, char *host, size_t hsize, int *port,
                     const char **path)
{
  const char *p, *end;
  size_t n;
  if (!strncasecmp(url, "http://", 7)) {
    *https = 0;
    p = url + 7;
  } else if (!strncasecmp(url, "https://", 8)) {
    *https = 1;
    p = url + 8;
  } else {
    return -1;
  }
  end = p + strcspn(p, ":/?#");
  n = (size_t)(end - p);
  if (!n || n >= hsize || strchr(p, '@'))
    return -1;
  memcpy(host, p, n);
  host[n] = '\0';
  *port = *https ? 443 : 80;
  if (*end == ':') {
    char *e;
    long v = strtol(end + 1, &e, 10);
    if (e == end + 1 || v < 1 || v > 65535)
      return -1;
    *port = (int)v;
    end = e;
  }
  *path = end;
  return 0;
}

int http_url_valid(const char *url)
{
  char host[256];
  int https, port;
  const char *path;
  return split_url(url, &https, host, sizeof(host), &port, &path) == 0;
}

int http_request(struct http *h, enum http_method method, const char *verb, int port,
                 const char *raw_head, size_t head_len, const char *body, size_t body_len,
                 uint64_t rsptime_s)
{
  char host[256], cpath[2048], cmethod[16];
  const char *path;
  int https, uport;
  struct http_fault f;
  if (h->state == HTTP_WAITING || (h->state == HTTP_RESPONDED && h->easy))
    return HTTP_BUSY;
  if (!h->url[0])
    return HTTP_EMPTY_URL;
  if (split_url(h->url, &https, host, sizeof(host), &uport, &path) != 0)
    return HTTP_URL_ERROR;
  forget_response(h);
  h->verb = verb;
  h->port = port;
  h->state = HTTP_WAITING;
  memset(&f, 0, sizeof(f));
  if (h->ops->fault && h->ops->fault(h->ctx, &f)) {
    if (f.fail) {
      tell(h, f.fail);
      forget_response(h);
      return 0;
    }
    h->stalled = f.stall;
    h->cut = f.drop;
  }
  if (!h->env.nw->active[h->cfg.contextid]) {
    tell(h, HTTP_NETWORK_DEACTIVATED);
    forget_response(h);
    return 0;
  }
  h->easy = curl_easy_init();
  if (!h->easy) {
    tell(h, HTTP_NO_MEMORY);
    forget_response(h);
    return 0;
  }
  shaper_init(&h->shape, h->env.clock, h->env.nw, body_carried, h);
  if (curl_loop_prepare(h->easy, h->env.dns, h->env.ndns, host, uport, &h->resolve) != 0) {
    tell(h, HTTP_DNS_FAILED);
    forget_response(h);
    return 0;
  }
  cmethod[0] = '\0';
  if (raw_head) {
    char full[HTTP_URL_MAX + 2048];
    if (custom_head(h, raw_head, head_len, cpath, sizeof(cpath), cmethod, sizeof(cmethod))) {
      forget_response(h);
      return HTTP_INVALID_PARAM;
    }
    snprintf(full, sizeof(full), "%s://%s:%d%s", https ? "https" : "http", host, uport, cpath);
    curl_easy_setopt(h->easy, CURLOPT_URL, full);
  } else {
    curl_easy_setopt(h->easy, CURLOPT_URL, h->url);
  }
  if (method == HTTP_POST) {
    h->tx = malloc(body_len ? body_len : 1);
    if (!h->tx) {
      tell(h, HTTP_NO_MEMORY);
      forget_response(h);
      return 0;
    }
    memcpy(h->tx, body, body_len);
    h->tx_len = body_len;
    curl_easy_setopt(h->easy, CURLOPT_POST, 1L);
    curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, h->tx);
    curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    if (!raw_head) {
      char ct[80];
      snprintf(ct, sizeof(ct), "Content-Type: %s", content_types[h->cfg.contenttype]);
      h->headers = curl_slist_append(h->headers, ct);
    }
    h->headers = curl_slist_append(h->headers, "Expect:"); /* no 100-continue round trip */
  }
  if (cmethod[0] && strcmp(cmethod, method == HTTP_POST ? "POST" : "GET"))
    curl_easy_setopt(h->easy, CURLOPT_CUSTOMREQUEST, cmethod);
  if (!raw_head)
    h->headers = curl_slist_append(h->headers, "User-Agent: QUECTEL_MODULE");
  curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, h->headers);
  curl_easy_setopt(h->easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h->easy, CURLOPT_HEADERDATA, h);
  curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, h);
  curl_easy_setopt(h->easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h->easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h->easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h->easy, CURLOPT_ACCEPT_ENCODING, NULL);
  curl_easy_setopt(h->easy, CURLOPT_BUFFERSIZE, (long)HTTP_CURL_CHUNK);
  if (https)
    curl_tls_options(h->easy, &h->env.tcpip->ssl[h->cfg.sslctxid], h->env.st);
  h->job.on_done = transfer_done;
  uv_timer_start(&h->rsp_timer, response_timeout,
                 vclock_real_timeout(h->env.clock, rsptime_s * 1000, HTTP_WAIT_FLOOR_MS), 0);
  if (h->stalled) { /* a fault rule: the server never answers; the response timeout ends it */
    log_info("http: fault rule: %s stalls", verb);
    return 0;
  }
  curl_loop_add(h->env.cl, h->easy, &h->job);
  return 0;
}
