/* cmd_ftp: the FTP(S) note's commands: AT+QFTPCFG, AT+QFTPOPEN/QFTPCLOSE, AT+QFTPCWD/QFTPPWD,
 * AT+QFTPSIZE/QFTPMDTM, AT+QFTPDEL/QFTPMKDIR/QFTPRMDIR/QFTPRENAME, AT+QFTPGET and AT+QFTPLIST/
 * QFTPNLST (into UFS, or to the port: CONNECT, the bytes, OK), AT+QFTPPUT (from UFS, or from the
 * port after CONNECT: a length, or "+++" between guard times), AT+QFTPSTAT, AT+QFTPLEN, on the
 * module's client (sim/net/ftp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"
#include "escape.h"
#include "ftp.h"
#include "module_port.h"
#include "quiet_timer.h"

#define FTP_READ_CHUNK 16384
#define FTP_INPUT_S 90           /* real time: the host's bytes after CONNECT */

/* ---- AT+QFTPCFG ---- */

struct ftpcfg {
  const char *name;
  size_t offset;             /* into struct ftp_config */
  long min, max;
};

#define FC(member) offsetof(struct ftp_config, member)

static const struct ftpcfg ftpcfgs[] = {
  { "filetype", FC(filetype), 0, 1 },
  { "transmode", FC(transmode), 0, 1 },
  { "contextid", FC(contextid), 1, PDP_CID_MAX },
  { "rsptimeout", FC(rsptimeout), 20, 180 },
  { "ssltype", FC(ssltype), 0, 2 },
  { "sslctxid", FC(sslctxid), 0, NET_SSL_CTX - 1 },
};
#define FTPCFG_COUNT (sizeof(ftpcfgs) / sizeof(ftpcfgs[0]))

static int *cfg_value(struct ftp *f, const struct ftpcfg *q)
{
  return (int *)((char *)&f->cfg + q->offset);
}

/* AT+QFTPCFG="account"[,"<user>","<pass>"] or "<name>"[,<value>]; the password is never shown. */
int cmd_qftpcfg_write(struct at_call *c)
{
  struct ftp *f = module_ftp(call_module(c));
  const char *name = at_param_str(c, 0);
  if (!name)
    return FTP_INVALID_PARAM;
  if (!strcasecmp(name, "account")) {
    const char *user = at_param_str(c, 1), *pass = at_param_str(c, 2);
    if (c->cmd->nparams == 1) {
      at_info(c, "+QFTPCFG: \"account\",\"%s\",\"%s\"", f->cfg.user, f->cfg.pass[0] ? "***" : "");
      return AT_OK;
    }
    if (c->cmd->nparams != 3 || !user || !pass || strlen(user) > FTP_ACCOUNT_MAX ||
        strlen(pass) > FTP_ACCOUNT_MAX)
      return FTP_INVALID_PARAM;
    snprintf(f->cfg.user, sizeof(f->cfg.user), "%s", user);
    snprintf(f->cfg.pass, sizeof(f->cfg.pass), "%s", pass);
    return AT_OK;
  }
  if (c->cmd->nparams > 2)
    return FTP_INVALID_PARAM;
  for (size_t i = 0; i < FTPCFG_COUNT; i++) {
    const struct ftpcfg *q = &ftpcfgs[i];
    long v;
    if (strcasecmp(name, q->name))
      continue;
    if (c->cmd->nparams == 1) {
      at_info(c, "+QFTPCFG: \"%s\",%d", q->name, *cfg_value(f, q));
      return AT_OK;
    }
    if (at_param_int(c, 1, q->min, q->max, &v) != 0)
      return FTP_INVALID_PARAM;
    *cfg_value(f, q) = (int)v;
    return AT_OK;
  }
  return FTP_INVALID_PARAM;
}

int cmd_qftpcfg_test(struct at_call *c)
{
  at_info(c, "+QFTPCFG: \"account\",<username>,<password>");
  for (size_t i = 0; i < FTPCFG_COUNT; i++)
    at_info(c, "+QFTPCFG: \"%s\",(%ld-%ld)", ftpcfgs[i].name, ftpcfgs[i].min, ftpcfgs[i].max);
  return AT_OK;
}

/* ---- session commands: OK now, the result as a URC ---- */

/* AT+QFTPOPEN=<hostname>[,<port>] */
int cmd_qftpopen_write(struct at_call *c)
{
  const char *host = at_param_str(c, 0);
  long port = 21;
  int rc;
  if (!host || c->cmd->nparams > 2 ||
      (at_param_present(c, 1) && at_param_int(c, 1, 1, 65535, &port) != 0))
    return FTP_INVALID_PARAM;
  rc = ftp_open(module_ftp(call_module(c)), host, (int)port, call_port(c)->id);
  return rc ? rc : AT_OK;
}

int cmd_qftpopen_test(struct at_call *c)
{
  at_info(c, "+QFTPOPEN: <hostname>,(1-65535)");
  return AT_OK;
}

static int simple(struct at_call *c, enum ftp_op op, const char *verb, int nnames)
{
  struct ftp_request r;
  int rc;
  memset(&r, 0, sizeof(r));
  r.op = op;
  if (c->cmd->nparams != nnames)
    return FTP_INVALID_PARAM;
  if (nnames >= 1 && !(r.name = at_param_str(c, 0)))
    return FTP_INVALID_PARAM;
  if (nnames == 2 && !(r.name2 = at_param_str(c, 1)))
    return FTP_INVALID_PARAM;
  rc = ftp_request(module_ftp(call_module(c)), &r, verb, call_port(c)->id);
  return rc ? rc : AT_OK;
}

int cmd_qftpclose_exec(struct at_call *c)
{
  return simple(c, FTP_OP_CLOSE, "+QFTPCLOSE", 0);
}

int cmd_qftpcwd_write(struct at_call *c)
{
  return simple(c, FTP_OP_CWD, "+QFTPCWD", 1);
}

int cmd_qftpsize_write(struct at_call *c)
{
  return simple(c, FTP_OP_SIZE, "+QFTPSIZE", 1);
}

int cmd_qftpmdtm_write(struct at_call *c)
{
  return simple(c, FTP_OP_MDTM, "+QFTPMDTM", 1);
}

int cmd_qftpdel_write(struct at_call *c)
{
  return simple(c, FTP_OP_DEL, "+QFTPDEL", 1);
}

int cmd_qftpmkdir_write(struct at_call *c)
{
  return simple(c, FTP_OP_MKDIR, "+QFTPMKDIR", 1);
}

int cmd_qftprmdir_write(struct at_call *c)
{
  return simple(c, FTP_OP_RMDIR, "+QFTPRMDIR", 1);
}

int cmd_qftprename_write(struct at_call *c)
{
  return simple(c, FTP_OP_RENAME, "+QFTPRENAME", 2);
}

/* AT+QFTPPWD: OK, then +QFTPPWD: 0,<path> (the directory the last AT+QFTPCWD the server
 * accepted made current). */
int cmd_qftppwd_exec(struct at_call *c)
{
  struct ftp *f = module_ftp(call_module(c));
  char text[FTP_PATH_MAX + 32];
  if (f->state == FTP_CLOSED)
    return FTP_REPLY_530;
  if (f->state != FTP_IDLE)
    return FTP_SERVER_BUSY;
  snprintf(text, sizeof(text), "+QFTPPWD: 0,%s", f->cwd);
  at_urc(&call_port(c)->at, text);
  return AT_OK;
}

/* AT+QFTPSTAT: OK, then +QFTPSTAT: 0,<ftpstat>. */
int cmd_qftpstat_exec(struct at_call *c)
{
  char text[32];
  snprintf(text, sizeof(text), "+QFTPSTAT: 0,%d", ftp_stat(module_ftp(call_module(c))));
  at_urc(&call_port(c)->at, text);
  return AT_OK;
}

/* AT+QFTPLEN: the bytes the last transfer moved. */
int cmd_qftplen_exec(struct at_call *c)
{
  at_info(c, "+QFTPLEN: %llu", (unsigned long long)module_ftp(call_module(c))->transferred);
  return AT_OK;
}

/* ---- the port as a file: "COM:" ---- */

struct ftp_io {
  struct module_port *port;
  const char *verb;
  int connected;             /* CONNECT is out */
  /* AT+QFTPPUT from the port */
  struct ftp_request req;
  char name[FTP_NAME_MAX + 1];
  char *data;
  size_t len, want;          /* want 0: until "+++" */
  struct escape esc;         /* "+++" held back; when the host's last byte came */
  struct quiet_timer timer;  /* the guard time after "+++", or the input's limit */
};

static void io_freed(uv_handle_t *h)
{
  struct ftp_io *io = h->data;
  free(io->data);
  free(io);
}

static void io_end(struct module_port *p)
{
  struct ftp_io *io = p->xfer;
  if (!io)
    return;
  p->xfer = NULL;
  p->xfer_abort = NULL;
  p->svc_readable = NULL;
  port_set_drain(&p->port, NULL, NULL);
  port_release(&p->port, io);
  ftp_abandon(module_ftp(p->m));
  quiet_timer_close(&io->timer, io_freed);
}

static struct ftp_io *io_new(struct module_port *p, const char *verb)
{
  struct ftp_io *io = calloc(1, sizeof(*io));
  if (!io)
    return NULL;
  io->port = p;
  io->verb = verb;
  quiet_timer_init(&io->timer, module_loop(p->m), io);
  p->xfer = io;
  p->xfer_abort = io_end;
  return io;
}

/* Whether a name means the port. */
static int is_com(const char *local)
{
  return !local || !strcasecmp(local, "COM:");
}

/* A local name: its host path and medium; -1 for a bad one. */
static int local_path(struct module_port *p, const char *local, char *out, size_t size)
{
  if (!strncasecmp(local, "RAM:", 4))
    local += 4; /* RAM files live in UFS here */
  return storage_file(module_storage(p->m), local, out, size);
}

static void read_drained(void *ctx);

/* GET/LIST to the port: as much as the port takes, then OK and the result once all is out. */
static void read_more(struct module_port *p)
{
  struct ftp_io *io = p->xfer;
  struct ftp *f = module_ftp(p->m);
  char buf[FTP_READ_CHUNK], text[64];
  int err, reply, full = 0;
  if (!io)
    return;
  for (;;) {
    size_t room = port_room(&p->port), n;
    if (room < 64) {
      full = 1;
      break;
    }
    n = ftp_take(f, buf, room < sizeof(buf) ? room : sizeof(buf));
    if (!n)
      break;
    if (!io->connected) {
      io->connected = 1;
      at_connect(&p->at);
    }
    port_write(&p->port, buf, n);
  }
  if (ftp_finished(f, &err, &reply)) {
    if (!io->connected && !err)
      at_connect(&p->at); /* an empty file: CONNECT, nothing, OK */
    if (err)
      snprintf(text, sizeof(text), "%s: %d,%d", io->verb, err, reply);
    else
      snprintf(text, sizeof(text), "%s: 0,%llu", io->verb, (unsigned long long)f->transferred);
    io_end(p);
    at_session_complete(&p->at, AT_OK);
    at_urc(&p->at, text);
    return;
  }
  port_set_drain(&p->port, full ? read_drained : NULL, full ? p : NULL);
}

static void read_drained(void *ctx)
{
  read_more(ctx);
}

/* GET and LIST/NLST: into a file (OK now), or to the port (CONNECT once the bytes come). */
static int fetch(struct at_call *c, struct ftp_request *r, const char *local, const char *verb)
{
  struct module_port *p = call_port(c);
  struct ftp *f = module_ftp(p->m);
  char path[4400];
  int rc;
  if (p->xfer)
    return FTP_SERVER_BUSY;
  if (!is_com(local)) {
    int medium = local_path(p, local, path, sizeof(path));
    if (medium < 0)
      return FTP_INVALID_PARAM;
    r->local = path;
    r->medium = medium;
    rc = ftp_request(f, r, verb, p->id);
    return rc ? rc : AT_OK;
  }
  rc = ftp_request(f, r, verb, p->id);
  if (rc)
    return rc;
  if (!f->to_port)
    return AT_OK; /* it failed before it began: the URC says why */
  if (!io_new(p, verb)) {
    ftp_abandon(f);
    return FTP_UNKNOWN;
  }
  p->svc_readable = read_more;
  return AT_PENDING;
}

/* AT+QFTPGET=<file_name>[,<local_name>[,<startpos>[,<downloadlen>]]] */
int cmd_qftpget_write(struct at_call *c)
{
  struct ftp_request r;
  long start = 0, len = 0;
  memset(&r, 0, sizeof(r));
  r.op = FTP_OP_GET;
  r.name = at_param_str(c, 0);
  if (!r.name || c->cmd->nparams > 4 ||
      (at_param_present(c, 1) && !at_param_str(c, 1)) ||
      (at_param_present(c, 2) && at_param_int(c, 2, 0, 0x7fffffffL, &start) != 0) ||
      (at_param_present(c, 3) && at_param_int(c, 3, 1, 0x7fffffffL, &len) != 0))
    return FTP_INVALID_PARAM;
  r.startpos = (uint64_t)start;
  r.length = (uint64_t)len;
  return fetch(c, &r, at_param_str(c, 1), "+QFTPGET");
}

int cmd_qftpget_test(struct at_call *c)
{
  at_info(c, "+QFTPGET: <file_name>,<local_name>,<startpos>,<downloadlen>");
  return AT_OK;
}

/* AT+QFTPLIST[=<dir_name>[,<local_name>]], AT+QFTPNLST likewise. */
static int listing(struct at_call *c, enum ftp_op op, const char *verb)
{
  struct ftp_request r;
  memset(&r, 0, sizeof(r));
  r.op = op;
  if (c->cmd->nparams > 2 || (at_param_present(c, 0) && !at_param_str(c, 0)) ||
      (at_param_present(c, 1) && !at_param_str(c, 1)))
    return FTP_INVALID_PARAM;
  r.name = at_param_present(c, 0) ? at_param_str(c, 0) : NULL;
  if (r.name && (!r.name[0] || !strcmp(r.name, ".")))
    r.name = NULL; /* the current directory */
  return fetch(c, &r, at_param_present(c, 1) ? at_param_str(c, 1) : NULL, verb);
}

int cmd_qftplist_write(struct at_call *c)
{
  return listing(c, FTP_OP_LIST, "+QFTPLIST");
}

int cmd_qftplist_exec(struct at_call *c)
{
  return listing(c, FTP_OP_LIST, "+QFTPLIST");
}

int cmd_qftpnlst_write(struct at_call *c)
{
  return listing(c, FTP_OP_NLST, "+QFTPNLST");
}

int cmd_qftpnlst_exec(struct at_call *c)
{
  return listing(c, FTP_OP_NLST, "+QFTPNLST");
}

/* ---- AT+QFTPPUT from the port ---- */

/* The host's bytes are all in: OK, and the upload starts (its URC follows). */
static void put_ready(struct ftp_io *io, int timed_out)
{
  struct module_port *p = io->port;
  struct ftp *f = module_ftp(p->m);
  struct ftp_request r = io->req;
  char *data = io->data;
  size_t len = io->len;
  int rc;
  io->data = NULL;
  io_end(p);
  at_session_complete(&p->at, AT_OK);
  if (timed_out && !len) {
    char text[48];
    snprintf(text, sizeof(text), "+QFTPPUT: %d,0", FTP_TIMEOUT);
    at_urc(&p->at, text);
    free(data);
    return;
  }
  r.data = data ? data : "";
  r.data_len = len;
  rc = ftp_request(f, &r, "+QFTPPUT", p->id);
  free(data);
  if (rc) {
    char text[48];
    snprintf(text, sizeof(text), "+QFTPPUT: %d,0", rc);
    at_urc(&p->at, text);
  }
}

static void put_timer(void *data)
{
  struct ftp_io *io = data;
  put_ready(io, io->esc.pluses != 3);
}

/* The input's limit, from the host's last byte (real time: the host is real). */
static void restart_put_timer(struct ftp_io *io)
{
  uint64_t ms = vclock_host_timeout(module_clock(io->port->m), (uint64_t)FTP_INPUT_S * 1000);
  quiet_timer_start(&io->timer, ms, put_timer);
}

static void keep(struct ftp_io *io, const char *d, size_t n)
{
  memcpy(io->data + io->len, d, n);
  io->len += n;
}

/* With a length: exactly that many bytes. Without: everything until "+++" that comes after a
 * guard time of silence and is followed by one. */
static size_t put_bytes(void *ctx, const char *data, size_t len)
{
  struct ftp_io *io = ctx;
  uint64_t now = uv_hrtime();
  size_t i;
  if (io->want) {
    size_t take = io->want - io->len < len ? io->want - io->len : len;
    keep(io, data, take);
    if (io->len == io->want)
      put_ready(io, 0);
    return take;
  }
  for (i = 0; i < len; i++) {
    int released;
    enum escape_step step;
    if (io->len + (size_t)io->esc.pluses >= FTP_PUT_MAX)
      break; /* the rest waits: the upload holds at most FTP_PUT_MAX (held pluses count) */
    step = escape_byte(&io->esc, data[i], i == 0, now, &released);
    if (step == ESCAPE_ARMED)
      quiet_timer_start(&io->timer, ESCAPE_GUARD_MS, put_timer);
    if (step != ESCAPE_DATA)
      continue;
    keep(io, "+++", (size_t)released);
    keep(io, data + i, 1);
  }
  io->esc.last_ns = now;
  if (io->esc.pluses != 3)
    restart_put_timer(io);
  return i;
}

/* AT+QFTPPUT=<file_name>,<local_name>[,<startpos>[,<uploadlen>[,<beof>]]] */
int cmd_qftpput_write(struct at_call *c)
{
  struct module_port *p = call_port(c);
  struct ftp *f = module_ftp(p->m);
  const char *name = at_param_str(c, 0), *local = at_param_str(c, 1);
  long start = 0, len = 0, beof = 1;
  struct ftp_request r;
  struct ftp_io *io;
  char path[4400];
  int rc;
  if (!name || !local || c->cmd->nparams > 5 || strlen(name) > FTP_NAME_MAX ||
      (at_param_present(c, 2) && at_param_int(c, 2, 0, 0x7fffffffL, &start) != 0) ||
      (at_param_present(c, 3) && at_param_int(c, 3, 1, FTP_PUT_MAX, &len) != 0) ||
      (at_param_present(c, 4) && at_param_int(c, 4, 0, 1, &beof) != 0))
    return FTP_INVALID_PARAM;
  memset(&r, 0, sizeof(r));
  r.op = FTP_OP_PUT;
  r.name = name;
  r.startpos = (uint64_t)start;
  if (p->xfer)
    return FTP_SERVER_BUSY;
  if (!is_com(local)) {
    if (local_path(p, local, path, sizeof(path)) < 0)
      return FTP_INVALID_PARAM;
    r.local = path;
    rc = ftp_request(f, &r, "+QFTPPUT", p->id);
    return rc ? rc : AT_OK;
  }
  if (f->state == FTP_CLOSED)
    return FTP_REPLY_530;
  if (f->state != FTP_IDLE)
    return FTP_SERVER_BUSY;
  if (!(io = io_new(p, "+QFTPPUT")) || !(io->data = malloc(len ? (size_t)len : FTP_PUT_MAX))) {
    if (io)
      io_end(p);
    return FTP_UNKNOWN;
  }
  snprintf(io->name, sizeof(io->name), "%s", name);
  io->req = r;
  io->req.name = io->name;
  io->want = (size_t)len;
  io->esc.last_ns = uv_hrtime();
  restart_put_timer(io);
  at_connect(&p->at);
  port_attach(&p->port, put_bytes, io);
  return AT_PENDING;
}

int cmd_qftpput_test(struct at_call *c)
{
  at_info(c, "+QFTPPUT: <file_name>,<local_name>,<startpos>,(1-%d),(0,1)", FTP_PUT_MAX);
  return AT_OK;
}
