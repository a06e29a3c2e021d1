/* cmd_http: the HTTP(S) note's commands: AT+QHTTPCFG, AT+QHTTPURL (CONNECT, the URL), AT+QHTTPGET,
 * AT+QHTTPPOST (CONNECT, the body), AT+QHTTPPOSTFILE, AT+QHTTPREAD (CONNECT, the body, OK,
 * +QHTTPREAD: <err>), AT+QHTTPREADFILE, AT+QHTTPSTOP, on the module's client (sim/net/http). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "file_util.h"
#include "http.h"
#include "module_port.h"
#include "quiet_timer.h"

#define HTTP_DEFAULT_S 60
#define HTTP_READ_CHUNK 16384

/* ---- AT+QHTTPCFG ---- */

struct httpcfg {
  const char *name;
  size_t offset;             /* into struct http_config */
  long min, max;
};

#define HC(member) offsetof(struct http_config, member)

static const struct httpcfg httpcfgs[] = {
  { "contextid", HC(contextid), 1, PDP_CID_MAX },
  { "requestheader", HC(requestheader), 0, 1 },
  { "responseheader", HC(responseheader), 0, 1 },
  { "sslctxid", HC(sslctxid), 0, NET_SSL_CTX - 1 },
  { "contenttype", HC(contenttype), 0, 5 },
};
#define HTTPCFG_COUNT (sizeof(httpcfgs) / sizeof(httpcfgs[0]))

static int *cfg_value(struct http *h, const struct httpcfg *q)
{
  return (int *)((char *)&h->cfg + q->offset);
}

/* AT+QHTTPCFG="<name>"[,<value>] */
int cmd_qhttpcfg_write(struct at_call *c)
{
  struct http *h = module_http(call_module(c));
  const char *name = at_param_str(c, 0);
  if (!name || c->cmd->nparams > 2)
    return HTTP_INVALID_PARAM;
  for (size_t i = 0; i < HTTPCFG_COUNT; i++) {
    const struct httpcfg *q = &httpcfgs[i];
    long v;
    if (strcasecmp(name, q->name))
      continue;
    if (c->cmd->nparams == 1) {
      at_info(c, "+QHTTPCFG: \"%s\",%d", q->name, *cfg_value(h, q));
      return AT_OK;
    }
    if (at_param_int(c, 1, q->min, q->max, &v) != 0)
      return HTTP_INVALID_PARAM;
    *cfg_value(h, q) = (int)v;
    return AT_OK;
  }
  return HTTP_INVALID_PARAM;
}

int cmd_qhttpcfg_read(struct at_call *c)
{
  struct http *h = module_http(call_module(c));
  for (size_t i = 0; i < HTTPCFG_COUNT; i++)
    at_info(c, "+QHTTPCFG: \"%s\",%d", httpcfgs[i].name, *cfg_value(h, &httpcfgs[i]));
  return AT_OK;
}

int cmd_qhttpcfg_test(struct at_call *c)
{
  for (size_t i = 0; i < HTTPCFG_COUNT; i++)
    at_info(c, "+QHTTPCFG: \"%s\",(%ld-%ld)", httpcfgs[i].name, httpcfgs[i].min,
            httpcfgs[i].max);
  return AT_OK;
}

/* ---- what the host types after CONNECT (the URL, a header, a body) ---- */

struct input;
typedef void (*input_done_fn)(struct input *in, int timed_out);

struct input {
  struct module_port *port;
  char *data;
  size_t len, want;
  struct quiet_timer timer;  /* the host's input, or the server's next bytes */
  input_done_fn done;
  enum http_method method;
  uint64_t rsptime_s;
  FILE *f;                   /* AT+QHTTPREADFILE: the file being written */
  char path[4400], tmp[4500];
  int reading;               /* AT+QHTTPREAD: the body goes to the port */
  uint64_t wait_ms;
};

static void input_freed(uv_handle_t *h)
{
  struct input *in = h->data;
  free(in->data);
  free(in);
}

/* The transfer ends (done, or the port stops listening): the port is free again. */
static void input_end(struct module_port *p)
{
  struct input *in = p->xfer;
  if (!in)
    return;
  p->xfer = NULL;
  p->xfer_abort = NULL;
  p->svc_readable = NULL;
  port_set_drain(&p->port, NULL, NULL);
  port_release(&p->port, in);
  if (in->f)
    fclose(in->f);
  if (in->tmp[0])
    unlink(in->tmp);
  quiet_timer_close(&in->timer, input_freed);
}

static void input_timeout(void *data)
{
  struct input *in = data;
  in->done(in, 1);
}

static size_t input_bytes(void *ctx, const char *data, size_t len)
{
  struct input *in = ctx;
  size_t take = in->want - in->len < len ? in->want - in->len : len;
  memcpy(in->data + in->len, data, take);
  in->len += take;
  if (in->len == in->want)
    in->done(in, 0);
  return take; /* what follows is AT input again */
}

static struct input *input_new(struct module_port *p, size_t want, uint64_t timeout_s,
                               input_done_fn done)
{
  struct input *in = calloc(1, sizeof(*in));
  if (!in || (want && !(in->data = malloc(want + 1)))) {
    free(in);
    return NULL;
  }
  in->port = p;
  in->want = want;
  in->done = done;
  quiet_timer_init(&in->timer, module_loop(p->m), in);
  p->xfer = in;
  p->xfer_abort = input_end;
  if (want) {
    uint64_t ms = vclock_host_timeout(module_clock(p->m), timeout_s * 1000);
    quiet_timer_start(&in->timer, ms, input_timeout);
    at_connect(&p->at);
    port_attach(&p->port, input_bytes, in);
  }
  return in;
}

/* ---- AT+QHTTPURL ---- */

static void url_done(struct input *in, int timed_out)
{
  struct module_port *p = in->port;
  struct http *h = module_http(p->m);
  int rc = AT_OK;
  if (timed_out) {
    rc = HTTP_TIMEOUT;
  } else {
    in->data[in->len] = '\0';
    if (memchr(in->data, '\0', in->len) || !http_url_valid(in->data)) {
      rc = HTTP_URL_ERROR;
    } else {
      http_stop(h); /* a new URL: the old response goes */
      snprintf(h->url, sizeof(h->url), "%s", in->data);
    }
  }
  input_end(p);
  at_session_complete(&p->at, rc);
}

/* AT+QHTTPURL=<URL_length>[,<timeout>]: CONNECT, the URL's bytes, OK. */
int cmd_qhttpurl_write(struct at_call *c)
{
  struct module_port *p = call_port(c);
  long len, timeout = HTTP_DEFAULT_S;
  if (c->cmd->nparams > 2 || at_param_int(c, 0, 1, HTTP_URL_MAX, &len) != 0 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 1, 65535, &timeout) != 0))
    return HTTP_INVALID_PARAM;
  if (p->xfer)
    return HTTP_BUSY;
  if (!input_new(p, (size_t)len, (uint64_t)timeout, url_done))
    return HTTP_NO_MEMORY;
  return AT_PENDING;
}

int cmd_qhttpurl_read(struct at_call *c)
{
  struct http *h = module_http(call_module(c));
  if (h->url[0])
    at_info(c, "+QHTTPURL: %s", h->url);
  return AT_OK;
}

int cmd_qhttpurl_test(struct at_call *c)
{
  at_info(c, "+QHTTPURL: (1-%d),(1-65535)", HTTP_URL_MAX);
  return AT_OK;
}

/* ---- requests ---- */

static const char *verb_of(enum http_method m)
{
  return m == HTTP_POST ? "+QHTTPPOST" : "+QHTTPGET";
}

/* The bytes after CONNECT are in: with "requestheader" 1 a header (and for POST the body after
 * its blank line), else the POST body. */
static void request_input_done(struct input *in, int timed_out)
{
  struct module_port *p = in->port;
  struct http *h = module_http(p->m);
  const char *head = NULL, *body = in->data;
  size_t head_len = 0, body_len = in->len;
  int rc;
  if (timed_out) { /* the note: OK, then the request's result says so */
    char text[48];
    input_end(p);
    at_session_complete(&p->at, AT_OK);
    snprintf(text, sizeof(text), "%s: %d", verb_of(in->method), HTTP_INPUT_TIMEOUT);
    at_urc(&p->at, text);
    return;
  }
  if (h->cfg.requestheader) {
    const char *end = NULL;
    for (size_t i = 0; i + 3 < in->len; i++)
      if (!memcmp(in->data + i, "\r\n\r\n", 4)) {
        end = in->data + i + 4;
        break;
      }
    head = in->data;
    head_len = end ? (size_t)(end - in->data) : in->len;
    body = end ? end : in->data + in->len;
    body_len = in->len - head_len;
  }
  rc = http_request(h, in->method, verb_of(in->method), p->id, head, head_len, body, body_len,
                    in->rsptime_s);
  input_end(p);
  at_session_complete(&p->at, rc ? rc : AT_OK);
}

/* AT+QHTTPGET[=<rsptime>[,<data_length>[,<input_time>]]] */
static int get(struct at_call *c)
{
  struct module_port *p = call_port(c);
  struct http *h = module_http(p->m);
  long rsptime = HTTP_DEFAULT_S, len = 0, input = HTTP_DEFAULT_S;
  struct input *in;
  int rc;
  if (c->cmd->nparams > 3 ||
      (at_param_present(c, 0) && at_param_int(c, 0, 1, 65535, &rsptime) != 0) ||
      (at_param_present(c, 1) && at_param_int(c, 1, 1, HTTP_POST_MAX, &len) != 0) ||
      (at_param_present(c, 2) && at_param_int(c, 2, 1, 65535, &input) != 0))
    return HTTP_INVALID_PARAM;
  if (h->cfg.requestheader != (len > 0))
    return HTTP_INVALID_PARAM; /* a header's length exactly when the host sends the header */
  if (p->xfer)
    return HTTP_BUSY;
  if (!len) {
    rc = http_request(h, HTTP_GET, "+QHTTPGET", p->id, NULL, 0, NULL, 0, (uint64_t)rsptime);
    return rc ? rc : AT_OK;
  }
  if (!h->url[0])
    return HTTP_EMPTY_URL;
  if (!(in = input_new(p, (size_t)len, (uint64_t)input, request_input_done)))
    return HTTP_NO_MEMORY;
  in->method = HTTP_GET;
  in->rsptime_s = (uint64_t)rsptime;
  return AT_PENDING;
}

int cmd_qhttpget_write(struct at_call *c)
{
  return get(c);
}

int cmd_qhttpget_exec(struct at_call *c)
{
  return get(c);
}

int cmd_qhttpget_test(struct at_call *c)
{
  at_info(c, "+QHTTPGET: (1-65535),(1-%d),(1-65535)", HTTP_POST_MAX);
  return AT_OK;
}

/* AT+QHTTPPOST=<data_length>[,<input_time>[,<rsptime>]]: CONNECT, the body, OK. */
int cmd_qhttppost_write(struct at_call *c)
{
  struct module_port *p = call_port(c);
  struct http *h = module_http(p->m);
  long len, input = HTTP_DEFAULT_S, rsptime = HTTP_DEFAULT_S;
  struct input *in;
  if (c->cmd->nparams > 3 || at_param_int(c, 0, 1, HTTP_POST_MAX, &len) != 0 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 1, 65535, &input) != 0) ||
      (at_param_present(c, 2) && at_param_int(c, 2, 1, 65535, &rsptime) != 0))
    return HTTP_INVALID_PARAM;
  if (p->xfer || h->state == HTTP_WAITING)
    return HTTP_BUSY;
  if (!h->url[0])
    return HTTP_EMPTY_URL;
  if (!(in = input_new(p, (size_t)len, (uint64_t)input, request_input_done)))
    return HTTP_NO_MEMORY;
  in->method = HTTP_POST;
  in->rsptime_s = (uint64_t)rsptime;
  return AT_PENDING;
}

int cmd_qhttppost_test(struct at_call *c)
{
  at_info(c, "+QHTTPPOST: (1-%d),(1-65535),(1-65535)", HTTP_POST_MAX);
  return AT_OK;
}

/* AT+QHTTPPOSTFILE=<file_name>[,<rsptime>[,<file_type>]]: the body is the file on UFS. */
int cmd_qhttppostfile_write(struct at_call *c)
{
  struct module_port *p = call_port(c);
  struct http *h = module_http(p->m);
  const char *name = at_param_str(c, 0);
  long rsptime = HTTP_DEFAULT_S, type = 0;
  char path[4400];
  uint8_t *data;
  size_t len = 0;
  int rc;
  if (!name || c->cmd->nparams > 3 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 1, 65535, &rsptime) != 0) ||
      (at_param_present(c, 2) && at_param_int(c, 2, 0, 1, &type) != 0))
    return HTTP_INVALID_PARAM;
  if (p->xfer)
    return HTTP_BUSY;
  if (storage_file(module_storage(p->m), name, path, sizeof(path)) < 0)
    return HTTP_INVALID_PARAM;
  data = read_whole_file(path, HTTP_POST_MAX, &len);
  if (!data)
    return FILE_NOT_FOUND;
  rc = http_request(h, HTTP_POST, "+QHTTPPOSTFILE", p->id, NULL, 0, (const char *)data, len,
                    (uint64_t)rsptime);
  free(data);
  return rc ? rc : AT_OK;
}

int cmd_qhttppostfile_test(struct at_call *c)
{
  at_info(c, "+QHTTPPOSTFILE: <file_name>,(1-65535),(0,1)");
  return AT_OK;
}

/* ---- reading the response ---- */

static void read_over(struct input *in, int err)
{
  struct module_port *p = in->port;
  char text[48];
  int file = in->reading == 0;
  if (file) {
    int ok = !err && fflush(in->f) == 0 && fclose(in->f) == 0;
    in->f = NULL;
    if (!err && (!ok || rename(in->tmp, in->path) != 0))
      err = FILE_WRITE_FAILED;
    if (!err)
      in->tmp[0] = '\0';
  }
  http_stop(module_http(p->m)); /* read: the response is gone */
  input_end(p);
  if (!file)
    at_session_complete(&p->at, AT_OK);
  snprintf(text, sizeof(text), "%s: %d", file ? "+QHTTPREADFILE" : "+QHTTPREAD", err);
  at_urc(&p->at, text);
}

static void read_drained(void *ctx);

/* As much of the body as the port (or the file) takes now; the end when it has all gone. */
static void read_more(struct module_port *p)
{
  struct input *in = p->xfer;
  struct http *h = module_http(p->m);
  char buf[HTTP_READ_CHUNK];
  int err, moved = 0, full = 0;
  if (!in)
    return;
  for (;;) {
    size_t room = in->reading ? port_room(&p->port) : sizeof(buf), n;
    if (room < 64) {
      full = 1; /* the drain callback comes back */
      break;
    }
    n = http_take(h, buf, room < sizeof(buf) ? room : sizeof(buf));
    if (!n)
      break;
    moved = 1;
    if (in->reading) {
      port_write(&p->port, buf, n);
    } else if (fwrite(buf, 1, n, in->f) != n) {
      read_over(in, FILE_WRITE_FAILED);
      return;
    }
  }
  if (http_finished(h, &err)) {
    read_over(in, err);
    return;
  }
  if (moved)
    quiet_timer_again(&in->timer);
  if (in->reading) /* room wanted only while the port is full; else the body's next bytes */
    port_set_drain(&p->port, full ? read_drained : NULL, full ? p : NULL);
}

static void read_drained(void *ctx)
{
  read_more(ctx);
}

static void read_timeout(void *data)
{
  struct input *in = data;
  read_over(in, HTTP_READ_TIMEOUT);
}

static struct input *reader(struct module_port *p, long wait_s)
{
  struct input *in = input_new(p, 0, 0, NULL);
  uint64_t ms;
  if (!in)
    return NULL;
  ms = vclock_real_timeout(module_clock(p->m), (uint64_t)wait_s * 1000, HTTP_WAIT_FLOOR_MS);
  quiet_timer_start(&in->timer, ms, read_timeout);
  p->svc_readable = read_more;
  return in;
}

/* AT+QHTTPREAD[=<wait_time>]: CONNECT, the body, OK, then +QHTTPREAD: <err>. */
static int read_body(struct at_call *c)
{
  struct module_port *p = call_port(c);
  struct http *h = module_http(p->m);
  long wait = HTTP_DEFAULT_S;
  struct input *in;
  if (c->cmd->nparams > 1 ||
      (at_param_present(c, 0) && at_param_int(c, 0, 1, 65535, &wait) != 0))
    return HTTP_INVALID_PARAM;
  if (p->xfer)
    return HTTP_BUSY;
  if (!http_has_response(h))
    return HTTP_NO_REQUEST;
  if (!(in = reader(p, wait)))
    return HTTP_NO_MEMORY;
  in->reading = 1;
  at_connect(&p->at);
  read_more(p);
  return AT_PENDING;
}

int cmd_qhttpread_write(struct at_call *c)
{
  return read_body(c);
}

int cmd_qhttpread_exec(struct at_call *c)
{
  return read_body(c);
}

int cmd_qhttpread_test(struct at_call *c)
{
  at_info(c, "+QHTTPREAD: (1-65535)");
  return AT_OK;
}

/* AT+QHTTPREADFILE=<file_name>[,<wait_time>]: OK, the body into the file, +QHTTPREADFILE. */
int cmd_qhttpreadfile_write(struct at_call *c)
{
  struct module_port *p = call_port(c);
  struct http *h = module_http(p->m);
  const char *name = at_param_str(c, 0);
  long wait = HTTP_DEFAULT_S;
  char path[4400];
  struct input *in;
  struct stat s;
  if (!name || c->cmd->nparams > 2 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 1, 65535, &wait) != 0))
    return HTTP_INVALID_PARAM;
  if (p->xfer)
    return HTTP_BUSY;
  if (!http_has_response(h))
    return HTTP_NO_REQUEST;
  if (storage_file(module_storage(p->m), name, path, sizeof(path)) < 0)
    return FILE_INVALID_NAME;
  if (stat(path, &s) == 0)
    return FILE_EXISTS;
  if (!(in = reader(p, wait)))
    return HTTP_NO_MEMORY;
  snprintf(in->path, sizeof(in->path), "%s", path);
  snprintf(in->tmp, sizeof(in->tmp), "%s.download", path);
  in->f = fopen(in->tmp, "wb");
  if (!in->f) {
    in->tmp[0] = '\0';
    input_end(p);
    return FILE_OPEN_FAILED;
  }
  read_more(p); /* OK now (a URC that comes at once waits for it); the rest as it comes */
  return AT_OK;
}

int cmd_qhttpreadfile_test(struct at_call *c)
{
  at_info(c, "+QHTTPREADFILE: <file_name>,(1-65535)");
  return AT_OK;
}

/* AT+QHTTPSTOP: the request (or the response not read) goes. */
int cmd_qhttpstop_exec(struct at_call *c)
{
  struct module_port *p = call_port(c);
  if (p->xfer && p->svc_readable)
    input_end(p);
  http_stop(module_http(p->m));
  return AT_OK;
}
