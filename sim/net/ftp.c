/* ftp: the module's FTP(S) client on the process's curl loop: a session whose control connection
 * lives in a curl share of its own (so every command reuses it and no other module's transfer
 * can take it), each AT command one curl transfer on it, the current directory kept here and
 * every path sent absolute, the server's replies and curl's results as the FTP list's codes. */
#include "ftp.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "curl_tls.h"
#include "errors.h"
#include "log.h"

static void defaults(struct ftp *f)
{
  memset(&f->cfg, 0, sizeof(f->cfg));
  f->cfg.filetype = 0;
  f->cfg.transmode = 0;
  f->cfg.contextid = 1;
  f->cfg.rsptimeout = 90;
  f->cfg.ssltype = 0;
  f->cfg.sslctxid = 1;
}

void ftp_init(struct ftp *f, const struct svc_env *env, const struct ftp_ops *ops, void *ctx)
{
  memset(f, 0, sizeof(*f));
  f->env = *env;
  f->ops = ops;
  f->ctx = ctx;
  uv_timer_init(env->loop, &f->kick_timer);
  f->kick_timer.data = f;
  f->timer_open = 1;
  defaults(f);
}

/* ---- the state, entered in one place ---- */

static void enter(struct ftp *f, enum ftp_state s)
{
  f->state = s;
}

int ftp_stat(const struct ftp *f)
{
  switch (f->state) {
  case FTP_OPENING: return 0;
  case FTP_IDLE: return 1;
  case FTP_WORKING:
  case FTP_TRANSFER: return 2;
  case FTP_CLOSING: return 3;
  default: return 4;
  }
}

/* ---- one request's resources ---- */

static void kick_stop(struct ftp *f);

static void release(struct ftp *f)
{
  kick_stop(f);
  if (f->easy) {
    curl_loop_remove(f->env.cl, f->easy);
    curl_easy_cleanup(f->easy);
    f->easy = NULL;
  }
  curl_slist_free_all(f->resolve);
  curl_slist_free_all(f->quote);
  f->resolve = f->quote = NULL;
  if (f->file) {
    fclose(f->file);
    f->file = NULL;
  }
  if (f->tmp[0]) {
    unlink(f->tmp);
    f->tmp[0] = '\0';
  }
  free(f->tx);
  f->tx = NULL;
  f->tx_len = f->tx_off = 0;
  f->paused = 0;
  shaper_stop(&f->shape);
}

static void forget_rx(struct ftp *f)
{
  free(f->rx);
  f->rx = NULL;
  f->rx_off = f->rx_len = 0;
  f->to_port = 0;
  f->ended = 0;
}

/* The session goes: its share (and the control connection in it) with it. */
static void drop_session(struct ftp *f)
{
  release(f);
  forget_rx(f);
  if (f->share) {
    curl_share_cleanup(f->share);
    f->share = NULL;
  }
  f->cwd[0] = '\0';
  enter(f, FTP_CLOSED);
}

void ftp_reset(struct ftp *f)
{
  drop_session(f);
  defaults(f);
}

static void timer_closed(uv_handle_t *h)
{
  (void)h;
}

void ftp_close(struct ftp *f)
{
  drop_session(f);
  if (f->timer_open) {
    f->timer_open = 0;
    uv_close((uv_handle_t *)&f->kick_timer, timer_closed);
  }
}

void ftp_abandon(struct ftp *f)
{
  if (!f->to_port)
    return;
  release(f);
  forget_rx(f);
  if (f->state == FTP_TRANSFER)
    enter(f, FTP_IDLE);
}

/* ---- results ---- */

/* curl's result and the server's last error reply → a code of the FTP list and the reply. */
static void map_result(struct ftp *f, CURLcode rc, int *err, int *reply)
{
  *reply = 0;
  if (rc == CURLE_OK) {
    *err = 0;
    return;
  }
  if (f->last_reply && ftp_reply_error(f->last_reply)) { /* the server said why */
    *err = ftp_reply_error(f->last_reply);
    *reply = f->last_reply;
    return;
  }
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST: *err = FTP_DNS_FAILED; break;
  case CURLE_COULDNT_CONNECT: *err = FTP_NETWORK_ERROR; break;
  case CURLE_OPERATION_TIMEDOUT: *err = FTP_TIMEOUT; break;
  case CURLE_LOGIN_DENIED: *err = FTP_REPLY_530; *reply = 530; break;
  case CURLE_REMOTE_FILE_NOT_FOUND: *err = FTP_REPLY_550; *reply = 550; break;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_USE_SSL_FAILED: *err = FTP_TLS_FAILED; break;
  case CURLE_FTP_ACCEPT_FAILED:
  case CURLE_FTP_ACCEPT_TIMEOUT:
  case CURLE_FTP_PORT_FAILED:
  case CURLE_FTP_CANT_GET_HOST:
  case CURLE_FTP_WEIRD_PASV_REPLY:
  case CURLE_FTP_WEIRD_227_FORMAT: *err = FTP_REPLY_425; break;
  case CURLE_PARTIAL_FILE: *err = FTP_DATA_CLOSED; break;
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR: *err = FTP_PEER_CLOSED; break;
  case CURLE_GOT_NOTHING:
  case CURLE_WEIRD_SERVER_REPLY: *err = FTP_CONTROL_CLOSED; break;
  case CURLE_WRITE_ERROR:
  case CURLE_READ_ERROR: *err = FTP_FILE_ERROR; break;
  case CURLE_BAD_DOWNLOAD_RESUME:
  case CURLE_RANGE_ERROR: *err = FTP_BAD_POSITION; break;
  default: *err = FTP_UNKNOWN; break;
  }
}

/* "<verb>: 0,<value>" or "<verb>: <err>,<protocol_error>". */
static void tell(struct ftp *f, int err, int reply, const char *value)
{
  char text[FTP_PATH_MAX + 64];
  if (err)
    snprintf(text, sizeof(text), "%s: %d,%d", f->verb, err, reply);
  else
    snprintf(text, sizeof(text), "%s: 0,%s", f->verb, value);
  f->ops->urc(f->ctx, f->port, text);
}

/* The value a successful command reports. */
/* The value a successful command reports: 0, or -1 when the server did not give it (a size or
 * a time it would not tell). */
static int success_value(struct ftp *f, char *out, size_t size)
{
  curl_off_t v = -1;
  switch (f->op) {
  case FTP_OP_SIZE:
    curl_easy_getinfo(f->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &v);
    snprintf(out, size, "%lld", (long long)v);
    return v < 0 ? -1 : 0;
  case FTP_OP_MDTM: {
    struct tm tm;
    time_t t;
    curl_easy_getinfo(f->easy, CURLINFO_FILETIME_T, &v);
    t = (time_t)v;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y%m%d%H%M%S", &tm);
    return v < 0 ? -1 : 0;
  }
  case FTP_OP_GET:
  case FTP_OP_PUT:
  case FTP_OP_LIST:
  case FTP_OP_NLST:
    snprintf(out, size, "%llu", (unsigned long long)f->transferred);
    return 0;
  default:
    snprintf(out, size, "0");
    return 0;
  }
}

static void transfer_done(struct curl_job *job, CURLcode rc)
{
  struct ftp *f = (struct ftp *)((char *)job - offsetof(struct ftp, job));
  int err, reply;
  char value[64];
  if (f->quote && f->first_reply) { /* the server refused a command: its first refusal says why */
    rc = CURLE_QUOTE_ERROR;
    f->last_reply = f->first_reply;
  }
  map_result(f, rc, &err, &reply);
  if (success_value(f, value, sizeof(value)) != 0 && !err)
    err = FTP_UNKNOWN;
  if (err == FTP_FILE_ERROR && f->tmp[0] && f->transferred >= f->file_room)
    err = FTP_REPLY_452; /* the medium is full */
  if (err)
    log_info("ftp: %s: %s (reply %d)", f->verb, curl_easy_strerror(rc), reply);
  if (f->tmp[0] && f->file && !err) { /* GET, LIST, NLST into a file: it is complete */
    int ok = fflush(f->file) == 0 && fclose(f->file) == 0;
    f->file = NULL;
    if (!ok || rename(f->tmp, f->path) != 0)
      err = FTP_FILE_ERROR;
    else
      f->tmp[0] = '\0';
  }
  if (!err && f->op == FTP_OP_OPEN) {
    char *entry = NULL;
    curl_easy_getinfo(f->easy, CURLINFO_FTP_ENTRY_PATH, &entry);
    snprintf(f->cwd, sizeof(f->cwd), "%s", entry && entry[0] == '/' ? entry : "/");
  }
  if (!err && f->op == FTP_OP_CWD)
    snprintf(f->cwd, sizeof(f->cwd), "%s", f->target);

  if (f->op == FTP_OP_OPEN && err) {
    tell(f, err, reply, NULL);
    drop_session(f);
    return;
  }
  if (f->op == FTP_OP_CLOSE) {
    drop_session(f);
    tell(f, 0, 0, "0"); /* closed either way */
    return;
  }
  if (f->to_port) { /* the reader reports once it has taken everything */
    f->err = err;
    f->reply = reply;
    f->ended = 1;
    release(f);
    enter(f, FTP_IDLE);
    f->ops->readable(f->ctx, f->port);
    return;
  }
  release(f);
  enter(f, FTP_IDLE);
  tell(f, err, reply, value);
}

/* ---- libcurl 7.88's passive data connection ----
 * When the server's PASV/EPSV reply is read in the same pass that sent the command (a fast
 * server), curl starts the data connection without asking the loop to watch its socket, and the
 * transfer sits until its timeout. From that reply until the transfer command's, a timer
 * nudges it (pause and unpause: curl runs the transfer now), 1 ms at first, backing off to 64. */

static void kick(uv_timer_t *t)
{
  struct ftp *f = t->data;
  uint64_t next;
  if (!f->easy || !f->kicking)
    return;
  if (!f->paused) {
    curl_easy_pause(f->easy, CURLPAUSE_ALL);
    curl_easy_pause(f->easy, CURLPAUSE_CONT);
  }
  next = uv_timer_get_repeat(t) * 2;
  uv_timer_set_repeat(t, next > 64 ? 64 : next);
}

static void kick_stop(struct ftp *f)
{
  f->kicking = 0;
  if (f->timer_open)
    uv_timer_stop(&f->kick_timer);
}

/* ---- curl callbacks ---- */

/* For FTP, curl hands every server reply line here: remember the first and last error reply. */
static size_t on_reply(char *line, size_t size, size_t n, void *userp)
{
  struct ftp *f = userp;
  size_t len = size * n;
  int code = ftp_reply_code(line, len);
  if ((code == 227 || code == 229) && f->timer_open) {
    f->kicking = 1; /* passive: curl is about to connect the data connection */
    uv_timer_start(&f->kick_timer, kick, 1, 1);
  } else if (f->kicking && code >= 100 && code < 200) {
    kick_stop(f); /* the transfer command was answered: curl watches its sockets again */
  }
  if (code >= 400 && line[3] == ' ') {
    if (!f->first_reply)
      f->first_reply = code;
    f->last_reply = code;
  }
  return len;
}

/* The bytes held for the link have crossed: curl offers them again (unless the buffer is full:
 * then the reader unpauses). */
static void data_carried(void *ctx)
{
  struct ftp *f = ctx;
  if (f->easy && !f->paused)
    curl_easy_pause(f->easy, CURLPAUSE_CONT);
}

static size_t on_data(char *data, size_t size, size_t n, void *userp)
{
  struct ftp *f = userp;
  size_t len = size * n;
  if (!shaper_admit(&f->shape, len))
    return CURL_WRITEFUNC_PAUSE; /* on the link: data_carried unpauses */
  if (f->file) {
    if (f->transferred + len > f->file_room || fwrite(data, 1, len, f->file) != len)
      return 0; /* CURLE_WRITE_ERROR */
    shaper_took(&f->shape, len);
    f->transferred += len;
    return len;
  }
  if (f->rx_len + len > FTP_RX_MAX) {
    f->paused = 1;
    return CURL_WRITEFUNC_PAUSE; /* curl hands the same bytes again once unpaused */
  }
  if (!f->rx && !(f->rx = malloc(FTP_RX_MAX)))
    return 0;
  if (f->rx_off + f->rx_len + len > FTP_RX_MAX) { /* compact: the taken bytes' room */
    memmove(f->rx, f->rx + f->rx_off, f->rx_len);
    f->rx_off = 0;
  }
  memcpy(f->rx + f->rx_off + f->rx_len, data, len);
  shaper_took(&f->shape, len);
  f->rx_len += len;
  f->transferred += len;
  if (!f->taking)
    f->ops->readable(f->ctx, f->port);
  return len;
}

static size_t on_upload(char *out, size_t size, size_t n, void *userp)
{
  struct ftp *f = userp;
  size_t room = size * n, got;
  if (f->file) {
    got = fread(out, 1, room, f->file);
    if (!got && ferror(f->file))
      return CURL_READFUNC_ABORT;
  } else {
    got = f->tx_len - f->tx_off < room ? f->tx_len - f->tx_off : room;
    memcpy(out, f->tx + f->tx_off, got);
    f->tx_off += got;
  }
  f->transferred += got;
  return got;
}

size_t ftp_take(struct ftp *f, char *out, size_t max)
{
  size_t n = f->rx_len < max ? f->rx_len : max;
  if (!n)
    return 0;
  memcpy(out, f->rx + f->rx_off, n);
  f->rx_off += n;
  f->rx_len -= n;
  if (!f->rx_len)
    f->rx_off = 0;
  if (f->paused && f->easy && FTP_RX_MAX - f->rx_len >= FTP_CURL_CHUNK) {
    f->paused = 0;
    f->taking = 1;
    curl_easy_pause(f->easy, CURLPAUSE_CONT); /* may call on_data again at once */
    f->taking = 0;
  }
  return n;
}

int ftp_finished(const struct ftp *f, int *err, int *reply)
{
  if (!f->ended || f->rx_len)
    return 0;
  *err = f->err;
  *reply = f->reply;
  return 1;
}

/* ---- paths and URLs ---- */

/* dir joined with name ("/a" + "b/../c" → "/a/c"); 0, or -1 if it does not fit. */
static int join_path(const char *dir, const char *name, char *out, size_t size)
{
  char buf[FTP_PATH_MAX * 2 + 2];
  size_t o = 0;
  const char *p;
  if (snprintf(buf, sizeof(buf), "%s/%s", name[0] == '/' ? "" : dir, name) >= (int)sizeof(buf))
    return -1;
  out[0] = '\0';
  for (p = buf; *p;) {
    const char *seg;
    size_t len;
    while (*p == '/')
      p++;
    seg = p;
    while (*p && *p != '/')
      p++;
    len = (size_t)(p - seg);
    if (!len || (len == 1 && seg[0] == '.'))
      continue;
    if (len == 2 && seg[0] == '.' && seg[1] == '.') {
      while (o > 0 && out[o - 1] != '/')
        o--;
      if (o > 0)
        o--;
      out[o] = '\0';
      continue;
    }
    if (o + 1 + len + 1 > size || o + 1 + len > FTP_PATH_MAX)
      return -1;
    out[o++] = '/';
    memcpy(out + o, seg, len);
    o += len;
    out[o] = '\0';
  }
  if (!o) {
    if (size < 2)
      return -1;
    strcpy(out, "/");
  }
  return 0;
}

/* scheme://host:port/%2F<path, escaped>[/]: the absolute path, whatever the login directory. */
static void make_url(const struct ftp *f, const char *path, int dir, char *out, size_t size)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t o = (size_t)snprintf(out, size, "%s://%s:%d/%%2F", f->cfg.ssltype == 1 ? "ftps" : "ftp",
                              f->host, f->port_no);
  for (const unsigned char *p = (const unsigned char *)path + (path[0] == '/'); *p && o + 4 < size;
       p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        strchr("-._~/", *p)) {
      out[o++] = (char)*p;
    } else {
      out[o++] = '%';
      out[o++] = hex[*p >> 4];
      out[o++] = hex[*p & 15];
    }
  }
  if (dir && o + 1 < size && out[o - 1] != '/')
    out[o++] = '/';
  out[o < size ? o : size - 1] = '\0';
}

/* ---- starting a transfer ---- */

/* The options every transfer of the session has. 0, or a code for the URC. */
static int common_options(struct ftp *f, const char *url)
{
  long wait_s;
  f->easy = curl_easy_init();
  if (!f->easy)
    return FTP_UNKNOWN;
  shaper_init(&f->shape, f->env.clock, f->env.nw, data_carried, f);
  if (curl_loop_prepare(f->easy, f->env.dns, f->env.ndns, f->host, f->port_no, &f->resolve) != 0)
    return FTP_DNS_FAILED;
  curl_easy_setopt(f->easy, CURLOPT_URL, url);
  curl_easy_setopt(f->easy, CURLOPT_SHARE, f->share);
  curl_easy_setopt(f->easy, CURLOPT_PROTOCOLS_STR, "ftp,ftps");
  if (f->cfg.user[0]) {
    curl_easy_setopt(f->easy, CURLOPT_USERNAME, f->cfg.user);
    curl_easy_setopt(f->easy, CURLOPT_PASSWORD, f->cfg.pass);
  }
  curl_easy_setopt(f->easy, CURLOPT_FTP_FILEMETHOD, (long)CURLFTPMETHOD_SINGLECWD);
  curl_easy_setopt(f->easy, CURLOPT_FTPPORT, f->cfg.transmode == 0 ? "127.0.0.1" : NULL);
  curl_easy_setopt(f->easy, CURLOPT_TRANSFERTEXT, f->cfg.filetype == 1 ? 1L : 0L);
  curl_easy_setopt(f->easy, CURLOPT_HEADERFUNCTION, on_reply);
  curl_easy_setopt(f->easy, CURLOPT_HEADERDATA, f);
  curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
  curl_easy_setopt(f->easy, CURLOPT_BUFFERSIZE, (long)FTP_CURL_CHUNK);
  wait_s = (long)((vclock_real_timeout(f->env.clock, (uint64_t)f->cfg.rsptimeout * 1000,
                                       FTP_WAIT_FLOOR_MS) + 999) / 1000);
  curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT, wait_s);
  curl_easy_setopt(f->easy, CURLOPT_SERVER_RESPONSE_TIMEOUT, wait_s);
  curl_easy_setopt(f->easy, CURLOPT_ACCEPTTIMEOUT_MS, wait_s * 1000);
  curl_easy_setopt(f->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(f->easy, CURLOPT_LOW_SPEED_TIME, wait_s);
  if (f->cfg.ssltype) {
    curl_easy_setopt(f->easy, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    curl_tls_options(f->easy, &f->env.tcpip->ssl[f->cfg.sslctxid], f->env.st);
  }
  if (f->env.clock->scale != 0.0 && f->env.nw->bandwidth_bps > 0) /* uploads as downloads */
    curl_easy_setopt(f->easy, CURLOPT_MAX_SEND_SPEED_LARGE,
                     (curl_off_t)((double)f->env.nw->bandwidth_bps / 8.0 * f->env.clock->scale));
  return 0;
}

/* The request is set up: it runs; a failure found before curl starts is reported at once. */
static int launch(struct ftp *f, int err, enum ftp_state s)
{
  f->last_reply = f->first_reply = 0;
  if (!err && !f->env.nw->active[f->cfg.contextid])
    err = FTP_NETWORK_ERROR;
  if (err) {
    int open = f->op == FTP_OP_OPEN;
    release(f);
    forget_rx(f);
    tell(f, err, 0, NULL);
    if (open)
      drop_session(f);
    else
      enter(f, FTP_IDLE);
    return 0;
  }
  enter(f, s);
  f->job.on_done = transfer_done;
  curl_loop_add(f->env.cl, f->easy, &f->job);
  return 0;
}

int ftp_open(struct ftp *f, const char *host, int port, int at_port)
{
  char url[600];
  if (f->state != FTP_CLOSED)
    return FTP_SERVER_BUSY;
  if (!host[0] || strlen(host) >= sizeof(f->host) || port < 1 || port > 65535)
    return FTP_INVALID_PARAM;
  snprintf(f->host, sizeof(f->host), "%s", host);
  f->port_no = port;
  f->share = curl_share_init();
  if (!f->share)
    return FTP_UNKNOWN;
  curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  f->op = FTP_OP_OPEN;
  f->verb = "+QFTPOPEN";
  f->port = at_port;
  f->transferred = 0;
  snprintf(url, sizeof(url), "%s://%s:%d/", f->cfg.ssltype == 1 ? "ftps" : "ftp", host, port);
  {
    int err = common_options(f, url);
    if (!err)
      curl_easy_setopt(f->easy, CURLOPT_NOBODY, 1L);
    return launch(f, err, FTP_OPENING);
  }
}

/* A server command before the transfer: "<cmd> <absolute path>". The '*' tells curl to go on
 * if the server refuses it (a refused quote command would make curl drop the control
 * connection); the reply it gave says how it went. */
static int quote(struct ftp *f, const char *cmd, const char *path)
{
  char line[FTP_PATH_MAX + 16];
  struct curl_slist *l;
  snprintf(line, sizeof(line), "*%s %s", cmd, path);
  l = curl_slist_append(f->quote, line);
  if (!l)
    return -1;
  f->quote = l;
  return 0;
}

int ftp_request(struct ftp *f, const struct ftp_request *r, const char *verb, int at_port)
{
  char url[FTP_PATH_MAX * 3 + 600], path[FTP_PATH_MAX + 1], path2[FTP_PATH_MAX + 1];
  int err = 0;
  enum ftp_state next = FTP_WORKING;
  if (f->state == FTP_CLOSED)
    return FTP_REPLY_530; /* no session: not logged in */
  if (f->state != FTP_IDLE || f->to_port)
    return FTP_SERVER_BUSY;
  if ((r->name && (strlen(r->name) > FTP_NAME_MAX || memchr(r->name, '\r', strlen(r->name)) ||
                   memchr(r->name, '\n', strlen(r->name)))) ||
      (r->name2 && (strlen(r->name2) > FTP_NAME_MAX || strpbrk(r->name2, "\r\n"))))
    return FTP_INVALID_PARAM;
  if (join_path(f->cwd, r->name ? r->name : ".", path, sizeof(path)) != 0 ||
      (r->name2 && join_path(f->cwd, r->name2, path2, sizeof(path2)) != 0))
    return FTP_INVALID_PARAM;
  f->op = r->op;
  f->verb = verb;
  f->port = at_port;
  if (r->op == FTP_OP_GET || r->op == FTP_OP_PUT || r->op == FTP_OP_LIST || r->op == FTP_OP_NLST)
    f->transferred = 0; /* AT+QFTPLEN: the last transfer's */
  forget_rx(f);

  switch (r->op) {
  case FTP_OP_CLOSE:
    make_url(f, f->cwd, 1, url, sizeof(url));
    if (!(err = common_options(f, url))) {
      curl_easy_setopt(f->easy, CURLOPT_NOBODY, 1L);
      curl_easy_setopt(f->easy, CURLOPT_FORBID_REUSE, 1L); /* QUIT once it is done */
    }
    next = FTP_CLOSING;
    break;
  case FTP_OP_CWD:
    snprintf(f->target, sizeof(f->target), "%s", path);
    make_url(f, path, 1, url, sizeof(url));
    if (!(err = common_options(f, url)))
      curl_easy_setopt(f->easy, CURLOPT_NOBODY, 1L);
    break;
  case FTP_OP_SIZE:
  case FTP_OP_MDTM:
    make_url(f, path, 0, url, sizeof(url));
    if (!(err = common_options(f, url))) {
      curl_easy_setopt(f->easy, CURLOPT_NOBODY, 1L);
      curl_easy_setopt(f->easy, CURLOPT_FILETIME, r->op == FTP_OP_MDTM ? 1L : 0L);
    }
    break;
  case FTP_OP_DEL:
  case FTP_OP_MKDIR:
  case FTP_OP_RMDIR:
  case FTP_OP_RENAME: {
    static const char *const cmds[] = { [FTP_OP_DEL] = "DELE", [FTP_OP_MKDIR] = "MKD",
                                        [FTP_OP_RMDIR] = "RMD", [FTP_OP_RENAME] = "RNFR" };
    make_url(f, f->cwd, 1, url, sizeof(url));
    if (!(err = common_options(f, url))) {
      if (quote(f, cmds[r->op], path) || (r->op == FTP_OP_RENAME && quote(f, "RNTO", path2)))
        err = FTP_UNKNOWN;
      curl_easy_setopt(f->easy, CURLOPT_NOBODY, 1L);
      curl_easy_setopt(f->easy, CURLOPT_QUOTE, f->quote);
    }
    break;
  }
  case FTP_OP_LIST:
  case FTP_OP_NLST: {
    char cmd[FTP_PATH_MAX + 8];
    make_url(f, f->cwd, 1, url, sizeof(url));
    if (!(err = common_options(f, url)) && r->name) {
      snprintf(cmd, sizeof(cmd), "%s %s", r->op == FTP_OP_NLST ? "NLST" : "LIST", path);
      curl_easy_setopt(f->easy, CURLOPT_CUSTOMREQUEST, cmd);
    }
    if (!err && r->op == FTP_OP_NLST)
      curl_easy_setopt(f->easy, CURLOPT_DIRLISTONLY, 1L);
    next = FTP_TRANSFER;
    break;
  }
  case FTP_OP_GET:
    make_url(f, path, 0, url, sizeof(url));
    if (!(err = common_options(f, url))) {
      if (r->length) {
        char range[64];
        snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)r->startpos,
                 (unsigned long long)(r->startpos + r->length - 1));
        curl_easy_setopt(f->easy, CURLOPT_RANGE, range);
      } else if (r->startpos) {
        curl_easy_setopt(f->easy, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)r->startpos);
      }
    }
    next = FTP_TRANSFER;
    break;
  case FTP_OP_PUT:
    make_url(f, path, 0, url, sizeof(url));
    if (!(err = common_options(f, url))) {
      curl_easy_setopt(f->easy, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(f->easy, CURLOPT_READFUNCTION, on_upload);
      curl_easy_setopt(f->easy, CURLOPT_READDATA, f);
      curl_easy_setopt(f->easy, CURLOPT_APPEND, r->startpos ? 1L : 0L);
    }
    next = FTP_TRANSFER;
    break;
  default:
    return FTP_INVALID_PARAM;
  }
  if (err)
    return launch(f, err, next);

  /* where the bytes come from or go */
  if (r->op == FTP_OP_GET || r->op == FTP_OP_LIST || r->op == FTP_OP_NLST) {
    if (r->local) {
      snprintf(f->path, sizeof(f->path), "%s", r->local);
      snprintf(f->tmp, sizeof(f->tmp), "%s.download", r->local);
      f->file = fopen(f->tmp, "wb");
      if (!f->file) {
        f->tmp[0] = '\0';
        return launch(f, FTP_OPEN_FAILED, next);
      }
      f->file_room = storage_free(f->env.st, (enum medium)r->medium);
    } else {
      f->to_port = 1;
    }
  } else if (r->op == FTP_OP_PUT) {
    if (r->local) {
      f->file = fopen(r->local, "rb");
      if (!f->file)
        return launch(f, FTP_OPEN_FAILED, next);
    } else {
      f->tx = malloc(r->data_len ? r->data_len : 1);
      if (!f->tx)
        return launch(f, FTP_UNKNOWN, next);
      memcpy(f->tx, r->data, r->data_len);
      f->tx_len = r->data_len;
      curl_easy_setopt(f->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->data_len);
    }
  }
  return launch(f, 0, next);
}
