/* control: the control channel, JSON lines on a Unix socket (mode 0600), in the spirit of QMP:
 * status, power, reset, events, wait. One request object per line, one reply per request;
 * "events" turns the connection into a stream of event objects. */
#include "control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "jsonl.h"
#include "log.h"
#include "scenario.h"
#include "sms.h"

struct control_wait {
  struct control_client *client;
  json_t *id;
  unsigned mask;
  char *match;       /* substring of the event's text, or NULL */
  char *port;        /* "main"/"usb", or NULL */
  int module;
  uv_timer_t timer;
  struct event_sub sub;
  struct control_wait *next;
};

struct control_client {
  uv_pipe_t pipe;
  struct control *ctl;
  struct jsonl_reader in;
  int closing;
  struct event_sub stream;   /* active after "events" */
  int streaming;
  int stream_module;         /* -1: all */
  struct control_wait *waits;
  struct control_client *next;
};

struct write_req {
  uv_write_t req;
  char *data;
};

static void client_close(struct control_client *cl);

static void written(uv_write_t *req, int status)
{
  struct write_req *w = (struct write_req *)req;
  (void)status;
  free(w->data);
  free(w);
}

/* Sends one JSON object as a line; a client that lets its queue grow too long is dropped. */
static void send_json(struct control_client *cl, json_t *obj)
{
  struct write_req *w;
  uv_buf_t b;
  char *text;
  size_t n;
  if (cl->closing)
    return;
  if (uv_stream_get_write_queue_size((uv_stream_t *)&cl->pipe) > CONTROL_QUEUE_MAX) {
    log_warn("control: client not reading, disconnected");
    client_close(cl);
    return;
  }
  text = jsonl_encode(obj, &n);
  if (!text)
    return;
  w = malloc(sizeof(*w));
  if (!w) {
    free(text);
    return;
  }
  w->data = text;
  b = uv_buf_init(w->data, (unsigned)n);
  if (uv_write(&w->req, (uv_stream_t *)&cl->pipe, &b, 1, written) != 0) {
    free(w->data);
    free(w);
  }
}

static void reply(struct control_client *cl, json_t *id, json_t *obj)
{
  if (id)
    json_object_set(obj, "id", id);
  send_json(cl, obj);
  json_decref(obj);
}

static void reply_error(struct control_client *cl, json_t *id, const char *fmt, const char *arg)
{
  char msg[512];
  snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
  reply(cl, id, json_pack("{s:b, s:s}", "ok", 0, "error", msg));
}

/* ---- events and waits ---- */

static int event_matches(const struct event *ev, int module, const char *port, const char *match)
{
  if (module >= 0 && ev->module != module)
    return 0;
  if (port && (!ev->port || strcmp(port, ev->port) != 0))
    return 0;
  if (match) {
    size_t mlen = strlen(match);
    if (mlen > ev->len)
      return 0;
    for (size_t i = 0; i + mlen <= ev->len; i++)
      if (memcmp(ev->data + i, match, mlen) == 0)
        return 1;
    return 0;
  }
  return 1;
}

static void stream_event(void *ctx, const struct event *ev)
{
  struct control_client *cl = ctx;
  json_t *j;
  if (!event_matches(ev, cl->stream_module, NULL, NULL))
    return;
  j = event_to_json(ev);
  send_json(cl, j);
  json_decref(j);
}

static void wait_free_cb(uv_handle_t *h)
{
  struct control_wait *w = h->data;
  json_decref(w->id);
  free(w->match);
  free(w->port);
  free(w);
}

static void wait_end(struct control_wait *w)
{
  struct control_client *cl = w->client;
  for (struct control_wait **pp = &cl->waits; *pp; pp = &(*pp)->next) {
    if (*pp == w) {
      *pp = w->next;
      break;
    }
  }
  event_unsubscribe(cl->ctl->bus, &w->sub);
  uv_close((uv_handle_t *)&w->timer, wait_free_cb);
}

static void wait_event(void *ctx, const struct event *ev)
{
  struct control_wait *w = ctx;
  if (!event_matches(ev, w->module, w->port, w->match))
    return;
  reply(w->client, w->id, json_pack("{s:b, s:o}", "ok", 1, "event", event_to_json(ev)));
  wait_end(w);
}

static void wait_timeout(uv_timer_t *t)
{
  struct control_wait *w = t->data;
  reply(w->client, w->id, json_pack("{s:b, s:s}", "ok", 0, "error", "timeout"));
  wait_end(w);
}

/* ---- requests ---- */

static struct module *pick_module(struct control_client *cl, json_t *req, json_t *id)
{
  json_t *m = json_object_get(req, "module");
  json_int_t idx = 0;
  if (m) {
    if (!json_is_integer(m) || json_integer_value(m) < 0 ||
        json_integer_value(m) >= cl->ctl->nmodules) {
      reply_error(cl, id, "no such module%s", "");
      return NULL;
    }
    idx = json_integer_value(m);
  }
  return cl->ctl->modules[idx];
}

static void do_status(struct control_client *cl, json_t *req, json_t *id)
{
  struct module *m = pick_module(cl, req, id);
  if (m)
    reply(cl, id, json_pack("{s:b, s:o}", "ok", 1, "status", module_status(m)));
}

static void do_power(struct control_client *cl, json_t *req, json_t *id)
{
  struct module *m = pick_module(cl, req, id);
  const char *action = json_string_value(json_object_get(req, "action"));
  if (!m)
    return;
  if (!action) {
    reply_error(cl, id, "power needs \"action\": \"on\", \"off\" or \"cut\"%s", "");
    return;
  }
  if (strcmp(action, "on") == 0)
    module_power_on(m);
  else if (strcmp(action, "off") == 0)
    module_power_off(m, 1);
  else if (strcmp(action, "cut") == 0)
    module_power_cut(m);
  else {
    reply_error(cl, id, "unknown power action '%s' (on, off, cut)", action);
    return;
  }
  reply(cl, id, json_pack("{s:b, s:s}", "ok", 1, "power", module_power_name(module_power_state(m))));
}

static void do_reset(struct control_client *cl, json_t *req, json_t *id)
{
  struct module *m = pick_module(cl, req, id);
  if (!m)
    return;
  module_reset(m);
  reply(cl, id, json_pack("{s:b}", "ok", 1));
}

/* Parses "types": ["urc", ...] into a mask; all types when absent. */
static int parse_types(json_t *types, unsigned *mask, const char **bad)
{
  size_t i;
  json_t *t;
  if (!types) {
    *mask = EV_MASK_ALL;
    return 0;
  }
  if (json_is_string(types)) {
    int ty = event_type_parse(json_string_value(types));
    if (ty < 0) {
      *bad = json_string_value(types);
      return -1;
    }
    *mask = EV_MASK(ty);
    return 0;
  }
  if (!json_is_array(types)) {
    *bad = "(not a list)";
    return -1;
  }
  *mask = 0;
  json_array_foreach(types, i, t) {
    int ty = json_is_string(t) ? event_type_parse(json_string_value(t)) : -1;
    if (ty < 0) {
      *bad = json_is_string(t) ? json_string_value(t) : "(not a string)";
      return -1;
    }
    *mask |= EV_MASK(ty);
  }
  return 0;
}

static void do_events(struct control_client *cl, json_t *req, json_t *id)
{
  const char *bad = NULL;
  unsigned mask;
  json_t *m = json_object_get(req, "module");
  if (parse_types(json_object_get(req, "types"), &mask, &bad) != 0) {
    reply_error(cl, id, "unknown event type '%s' (rx, tx, cmd, result, urc, state, network)",
                bad);
    return;
  }
  if (cl->streaming)
    event_unsubscribe(cl->ctl->bus, &cl->stream);
  cl->stream_module = json_is_integer(m) ? (int)json_integer_value(m) : -1;
  cl->stream.fn = stream_event;
  cl->stream.ctx = cl;
  cl->stream.mask = mask;
  cl->streaming = 1;
  reply(cl, id, json_pack("{s:b}", "ok", 1));
  event_subscribe(cl->ctl->bus, &cl->stream);
}

static void do_wait(struct control_client *cl, json_t *req, json_t *id)
{
  const char *bad = NULL, *match, *port;
  json_t *timeout = json_object_get(req, "timeout"), *m = json_object_get(req, "module");
  struct control_wait *w;
  unsigned mask;
  json_int_t ms = 10000;

  if (parse_types(json_object_get(req, "event"), &mask, &bad) != 0) {
    reply_error(cl, id, "unknown event type '%s' (rx, tx, cmd, result, urc, state, network)",
                bad);
    return;
  }
  if (timeout) {
    if (!json_is_integer(timeout) || json_integer_value(timeout) < 0) {
      reply_error(cl, id, "\"timeout\" must be a number of milliseconds%s", "");
      return;
    }
    ms = json_integer_value(timeout);
  }
  match = json_string_value(json_object_get(req, "match"));
  port = json_string_value(json_object_get(req, "port"));
  w = calloc(1, sizeof(*w));
  w->client = cl;
  w->id = id ? json_incref(id) : NULL;
  w->mask = mask;
  w->match = match ? strdup(match) : NULL;
  w->port = port ? strdup(port) : NULL;
  w->module = json_is_integer(m) ? (int)json_integer_value(m) : -1;
  w->sub.fn = wait_event;
  w->sub.ctx = w;
  w->sub.mask = mask;
  uv_timer_init(cl->ctl->loop, &w->timer);
  w->timer.data = w;
  uv_timer_start(&w->timer, wait_timeout, (uint64_t)ms, 0);
  w->next = cl->waits;
  cl->waits = w;
  event_subscribe(cl->ctl->bus, &w->sub);
}

static void do_reflash(struct control_client *cl, json_t *req, json_t *id)
{
  struct module *m = pick_module(cl, req, id);
  const char *image = json_string_value(json_object_get(req, "image"));
  char err[512];
  if (!m)
    return;
  if (module_reflash(m, image, err, sizeof(err)) != 0) {
    reply_error(cl, id, "%s", err);
    return;
  }
  reply(cl, id, json_pack("{s:b, s:s}", "ok", 1, "power", module_power_name(module_power_state(m))));
}

/* {"medium":"SD","present":true} inserts or removes a medium; "fill": N puts an N-byte file on
 * it; "free": true removes that file again. */
static void do_storage(struct control_client *cl, json_t *req, json_t *id)
{
  struct module *m = pick_module(cl, req, id);
  const char *name = json_string_value(json_object_get(req, "medium"));
  json_t *present = json_object_get(req, "present"), *fill = json_object_get(req, "fill");
  struct storage *st;
  int medium;
  if (!m)
    return;
  st = module_storage(m);
  medium = name ? storage_medium(st, name, strlen(name)) : -1;
  if (medium < 0) {
    reply_error(cl, id, "storage needs \"medium\": \"UFS\", \"SD\" or \"EFS\"%s", "");
    return;
  }
  if (json_is_boolean(present))
    st->media[medium].present = json_is_true(present);
  if (fill) {
    if (!json_is_integer(fill) || json_integer_value(fill) < 0) {
      reply_error(cl, id, "\"fill\" must be a number of bytes%s", "");
      return;
    }
    if (storage_fill(st, (enum medium)medium, (uint64_t)json_integer_value(fill)) != 0) {
      reply_error(cl, id, "cannot fill %s", name);
      return;
    }
  }
  if (json_is_true(json_object_get(req, "free")))
    storage_fill(st, (enum medium)medium, 0);
  reply(cl, id, json_pack("{s:b, s:s, s:b, s:I, s:I}", "ok", 1, "medium",
                          st->media[medium].name, "present",
                          st->media[medium].present, "free",
                          (json_int_t)storage_free(st, (enum medium)medium), "capacity",
                          (json_int_t)st->media[medium].capacity));
}

/* {"registration":"home|roaming|searching|denied|not-registered","rat":"LTE|GSM","rssi":0-31} */
static void do_network(struct control_client *cl, json_t *req, json_t *id)
{
  struct module *m = pick_module(cl, req, id);
  const char *reg = json_string_value(json_object_get(req, "registration"));
  const char *rat = json_string_value(json_object_get(req, "rat"));
  json_t *rssi = json_object_get(req, "rssi");
  struct network *net;
  int stat = -1;
  if (!m)
    return;
  net = module_network(m);
  if (reg && (stat = network_stat_parse(reg)) < 0) {
    reply_error(cl, id, "unknown registration '%s' (home, roaming, searching, denied, "
                        "not-registered)", reg);
    return;
  }
  if (rat && strcmp(rat, "LTE") && strcmp(rat, "GSM")) {
    reply_error(cl, id, "unknown rat '%s' (LTE, GSM)", rat);
    return;
  }
  if (rssi && (!json_is_integer(rssi) || json_integer_value(rssi) < 0 ||
               (json_integer_value(rssi) > 31 && json_integer_value(rssi) != 99))) {
    reply_error(cl, id, "\"rssi\" must be 0-31 or 99%s", "");
    return;
  }
  if (rat)
    net->rat = strcmp(rat, "LTE") == 0 ? RAT_LTE : RAT_GSM;
  if (rssi)
    net->rssi = (int)json_integer_value(rssi);
  if (stat >= 0)
    network_offer(net, stat);
  reply(cl, id, json_pack("{s:b, s:s, s:s, s:i}", "ok", 1, "registration",
                          network_stat_name(net->stat), "rat", network_rat_name(net),
                          "rssi", net->rssi));
}

/* {"rule": {...}}: one more fault rule, with the fields of a scenario's faults list. */
static void do_inject(struct control_client *cl, json_t *req, json_t *id)
{
  struct module *m = pick_module(cl, req, id);
  json_t *rule = json_object_get(req, "rule");
  char err[512], *text;
  struct fault_rule r;
  if (!m)
    return;
  if (!json_is_object(rule)) {
    reply_error(cl, id, "inject needs \"rule\": {\"phase\": ..., \"fail\": ... }%s", "");
    return;
  }
  if (module_fault_count(m) == FAULT_MAX_RULES) {
    reply_error(cl, id, "already %s fault rules: clear some first", "32");
    return;
  }
  text = json_dumps(rule, JSON_COMPACT);
  if (fault_rule_parse(text, &r, err, sizeof(err)) != 0) {
    free(text);
    reply_error(cl, id, "%s", err);
    return;
  }
  free(text);
  reply(cl, id, json_pack("{s:b, s:i}", "ok", 1, "rules", module_fault_add(m, &r)));
}

static void do_clear(struct control_client *cl, json_t *req, json_t *id)
{
  struct module *m = pick_module(cl, req, id);
  if (!m)
    return;
  module_fault_clear(m);
  reply(cl, id, json_pack("{s:b, s:i}", "ok", 1, "rules", 0));
}

struct control_command {
  const char *name;
  void (*fn)(struct control_client *cl, json_t *req, json_t *id);
  const char *help;
};

static void do_help(struct control_client *cl, json_t *req, json_t *id);

/* {"cmd":"sms","from":"+1555...","text":"..."}: a message arrives from the network. */
static void do_sms(struct control_client *cl, json_t *req, json_t *id)
{
  struct module *m = pick_module(cl, req, id);
  const char *from = json_string_value(json_object_get(req, "from"));
  json_t *text = json_object_get(req, "text");
  int index;
  if (!m)
    return;
  if (!from || !sms_address_valid(from)) {
    reply_error(cl, id, "\"from\" must be a phone number (\"+\" and up to 19 digits)%s", "");
    return;
  }
  if (!json_is_string(text) || json_string_length(text) > SMS_TEXT_MAX) {
    reply_error(cl, id, "\"text\" must be a string of at most 160 characters%s", "");
    return;
  }
  if (module_power_state(m) != POWER_ON) {
    reply_error(cl, id, "the module is not on: no message can arrive%s", "");
    return;
  }
  index = module_sms_receive(m, from, json_string_value(text), json_string_length(text));
  if (index < 0) {
    reply_error(cl, id, "the SIM's message store is full (50 messages)%s", "");
    return;
  }
  reply(cl, id, json_pack("{s:b, s:i}", "ok", 1, "index", index));
}

static const struct control_command commands[] = {
  { "status", do_status, "module state: power, boot, revision, network, FOTA, ports" },
  { "power", do_power, "\"action\": \"on\" | \"off\" (graceful) | \"cut\" (abrupt)" },
  { "reset", do_reset, "reboot the module now" },
  { "reflash", do_reflash, "write \"image\" (default: built-in) into a module that is off or bricked" },
  { "storage", do_storage, "\"medium\" with \"present\" (bool), \"fill\" (bytes) or \"free\" (true)" },
  { "inject", do_inject, "add a fault rule: \"rule\": {trigger: phase | command | at, ...; action: fail, cut_power, output, ...}" },
  { "clear", do_clear, "remove every fault rule" },
  { "sms", do_sms, "\"from\", \"text\": a short message arrives (+CMTI, or +CMT)" },
  { "network", do_network, "\"registration\", \"rat\", \"rssi\": change what the network offers" },
  { "events", do_events, "stream events; \"types\": [rx, tx, cmd, result, urc, state, network]" },
  { "wait", do_wait, "wait for an event: \"event\", \"match\", \"port\", \"timeout\" (ms)" },
  { "help", do_help, "list the commands" },
};

static void do_help(struct control_client *cl, json_t *req, json_t *id)
{
  json_t *list = json_object();
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    json_object_set_new(list, commands[i].name, json_string(commands[i].help));
  reply(cl, id, json_pack("{s:b, s:o}", "ok", 1, "commands", list));
}

static void handle_line(struct control_client *cl, const char *line, size_t len)
{
  json_error_t jerr;
  json_t *req = json_loadb(line, len, 0, &jerr), *id;
  const char *name;
  if (!req) {
    char msg[300];
    snprintf(msg, sizeof(msg), "bad JSON at column %d: %s", jerr.column, jerr.text);
    reply(cl, NULL, json_pack("{s:b, s:s}", "ok", 0, "error", msg));
    return;
  }
  id = json_object_get(req, "id");
  name = json_string_value(json_object_get(req, "cmd"));
  if (!json_is_object(req) || !name) {
    reply_error(cl, id, "a request is an object with \"cmd\"%s", "");
  } else {
    size_t i;
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
      if (strcmp(commands[i].name, name) == 0) {
        commands[i].fn(cl, req, id);
        break;
      }
    }
    if (i == sizeof(commands) / sizeof(commands[0]))
      reply_error(cl, id, "unknown command '%s' (try \"help\")", name);
  }
  json_decref(req);
}

/* ---- connections ---- */

static void client_freed(uv_handle_t *h)
{
  struct control_client *cl = h->data;
  jsonl_free(&cl->in);
  free(cl);
}

static void client_close(struct control_client *cl)
{
  struct control *ctl = cl->ctl;
  if (cl->closing)
    return;
  cl->closing = 1;
  while (cl->waits)
    wait_end(cl->waits);
  if (cl->streaming)
    event_unsubscribe(ctl->bus, &cl->stream);
  for (struct control_client **pp = &ctl->clients; *pp; pp = &(*pp)->next) {
    if (*pp == cl) {
      *pp = cl->next;
      ctl->nclients--;
      break;
    }
  }
  uv_close((uv_handle_t *)&cl->pipe, client_freed);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
  struct control_client *cl = h->data;
  size_t room;
  char *at = jsonl_space(&cl->in, &room);
  (void)suggested;
  *buf = uv_buf_init(at, at ? (unsigned)room : 0);
}

static int on_line(void *ctx, const char *line, size_t len)
{
  struct control_client *cl = ctx;
  handle_line(cl, line, len);
  return cl->closing;
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
  struct control_client *cl = s->data;
  (void)buf;
  if (n < 0) {
    client_close(cl);
    return;
  }
  if (jsonl_feed(&cl->in, (size_t)n, on_line, cl) < 0) {
    reply(cl, NULL, json_pack("{s:b, s:s}", "ok", 0, "error", "request line too long"));
    client_close(cl);
  }
}

static void on_connection(uv_stream_t *server, int status)
{
  struct control *ctl = server->data;
  struct control_client *cl;
  if (status < 0)
    return;
  cl = calloc(1, sizeof(*cl));
  cl->ctl = ctl;
  jsonl_init(&cl->in, CONTROL_LINE_MAX);
  uv_pipe_init(ctl->loop, &cl->pipe, 0);
  cl->pipe.data = cl;
  if (uv_accept(server, (uv_stream_t *)&cl->pipe) != 0) {
    uv_close((uv_handle_t *)&cl->pipe, client_freed);
    return;
  }
  if (ctl->nclients >= CONTROL_MAX_CLIENTS) { /* told why, in one line, and closed */
    char full[160];
    int n = snprintf(full, sizeof(full), "{\"ok\":false,\"error\":\"too many control "
                     "connections open (at most %d): close one and connect again\"}\n",
                     CONTROL_MAX_CLIENTS);
    uv_buf_t b = uv_buf_init(full, (unsigned)n);
    uv_try_write((uv_stream_t *)&cl->pipe, &b, 1);
    uv_close((uv_handle_t *)&cl->pipe, client_freed);
    return;
  }
  cl->next = ctl->clients;
  ctl->clients = cl;
  ctl->nclients++;
  uv_read_start((uv_stream_t *)&cl->pipe, alloc_cb, read_cb);
}

/* The socket's path: free, or a socket an earlier run left (nobody answers on it). Anything
 * else there (a file, a live socket of another fotasim) is refused, never deleted. */
static int take_path(const char *path, char *err, size_t errlen)
{
  struct sockaddr_un sa;
  struct stat st;
  int fd, live;
  if (lstat(path, &st) != 0)
    return 0;
  if (!S_ISSOCK(st.st_mode)) {
    snprintf(err, errlen, "control socket path %s exists and is not a socket: not replaced", path);
    return -1;
  }
  memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path, strlen(path) + 1); /* the length was checked */
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  live = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
  if (fd >= 0)
    close(fd);
  if (live) {
    snprintf(err, errlen, "control socket %s is in use by another process: not replaced", path);
    return -1;
  }
  unlink(path);
  return 0;
}

int control_start(struct control *c, uv_loop_t *loop, const char *path, struct module **modules,
                  int nmodules, struct event_bus *bus, char *err, size_t errlen)
{
  mode_t old;
  int r;
  memset(c, 0, sizeof(*c));
  c->loop = loop;
  c->modules = modules;
  c->nmodules = nmodules;
  c->bus = bus;
  snprintf(c->path, sizeof(c->path), "%s", path);
  if (strlen(path) >= 108) {
    snprintf(err, errlen, "control socket path too long (max 107 bytes): %s", path);
    return -1;
  }
  if (take_path(path, err, errlen) != 0)
    return -1;
  uv_pipe_init(loop, &c->server, 0);
  c->server.data = c;
  old = umask(077); /* created 0600, with no window where others could connect */
  r = uv_pipe_bind(&c->server, path);
  umask(old);
  if (r == 0 && chmod(path, 0600) != 0)
    r = UV_EPERM;
  if (r == 0)
    r = uv_listen((uv_stream_t *)&c->server, CONTROL_BACKLOG, on_connection);
  if (r != 0) {
    snprintf(err, errlen, "cannot listen on control socket %s: %s", path, uv_strerror(r));
    uv_close((uv_handle_t *)&c->server, NULL);
    return -1;
  }
  c->open = 1;
  return 0;
}

void control_stop(struct control *c)
{
  if (!c->open)
    return;
  while (c->clients)
    client_close(c->clients);
  uv_close((uv_handle_t *)&c->server, NULL);
  unlink(c->path);
  c->open = 0;
}
