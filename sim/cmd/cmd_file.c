/* cmd_file: the file commands on the emulated media (UFS, SD, EFS): +QFLDS (space), +QFLST
 * (list), +QFDEL (delete), +QFUPL (upload from the host after CONNECT, answered with size and
 * checksum), +QFDWL (download to the host after CONNECT, streamed as the port drains). */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "quiet_timer.h"

#define QFUPL_DEFAULT_SIZE 10240
#define QFUPL_DEFAULT_TIMEOUT_S 5
#define QFUPL_ACK_BLOCK 1024ULL  /* ack mode: the host waits for an "A" after each block */
#define QFDWL_CHUNK 16384

/* ---- listing ---- */

struct entry {
  char name[FILE_NAME_MAX + 8];
  long long size;
};

struct listing {
  struct entry *e;
  size_t n, cap;
};

static void collect(struct listing *l, const char *dir, const char *rel, int depth)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  if (!d)
    return;
  while ((de = readdir(d)) && depth < 8) {
    char path[4400], name[FILE_NAME_MAX + 8];
    if (strlen(rel) + strlen(de->d_name) + 1 >= sizeof(name))
      continue; /* longer than any name the module can address */
    struct stat s;
    if (de->d_name[0] == '.')
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
    snprintf(name, sizeof(name), "%.*s%s%.*s", (int)strlen(rel), rel, rel[0] ? "/" : "",
             (int)(sizeof(name) - 2 - strlen(rel)), de->d_name);
    if (lstat(path, &s) != 0)
      continue;
    if (S_ISDIR(s.st_mode)) {
      collect(l, path, name, depth + 1);
    } else if (S_ISREG(s.st_mode)) {
      if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->e = realloc(l->e, l->cap * sizeof(*l->e));
      }
      snprintf(l->e[l->n].name, sizeof(l->e[l->n].name), "%s", name);
      l->e[l->n++].size = (long long)s.st_size;
    }
  }
  closedir(d);
}

static int by_name(const void *a, const void *b)
{
  return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* The files of a medium matching pattern ("*" when NULL), sorted. -1: bad pattern or medium. */
static int list(struct module *m, const char *pattern, struct listing *l, int *medium)
{
  const char *colon = pattern ? strchr(pattern, ':') : NULL, *glob = pattern ? pattern : "*";
  char dir[4200];
  size_t keep = 0;
  memset(l, 0, sizeof(*l));
  *medium = MEDIUM_UFS;
  if (colon) {
    char mname[8];
    size_t n = (size_t)(colon - pattern);
    if (n >= sizeof(mname))
      return -1;
    memcpy(mname, pattern, n);
    mname[n] = '\0';
    if ((*medium = storage_medium(module_storage(m), mname, n)) < 0)
      return -1;
    glob = colon + 1;
  }
  if (!module_storage(m)->media[*medium].present || !*glob)
    return -1;
  snprintf(dir, sizeof(dir), "%s/%s", module_storage(m)->root, module_storage(m)->media[*medium].dirname);
  collect(l, dir, "", 0);
  for (size_t i = 0; i < l->n; i++)
    if (fnmatch(glob, l->e[i].name, 0) == 0)
      l->e[keep++] = l->e[i];
  l->n = keep;
  if (l->n > 1)
    qsort(l->e, l->n, sizeof(*l->e), by_name);
  return 0;
}

static const char *display_prefix(int medium)
{
  return medium == MEDIUM_UFS ? "" : medium == MEDIUM_SD ? "SD:" : "EFS:";
}

int cmd_qflds_exec(struct at_call *c)
{
  struct listing l;
  int medium;
  long long total = 0;
  list(call_module(c), NULL, &l, &medium);
  for (size_t i = 0; i < l.n; i++)
    total += l.e[i].size;
  at_info(c, "+QFLDS: %lld,%zu", total, l.n);
  free(l.e);
  return AT_OK;
}

int cmd_qflds_write(struct at_call *c)
{
  struct storage *st = module_storage(call_module(c));
  const char *name = at_param_str(c, 0);
  int medium = name ? storage_medium(st, name, strcspn(name, ":")) : -1;
  if (medium < 0 || c->cmd->nparams != 1)
    return FILE_INVALID_INPUT;
  if (!st->media[medium].present)
    return FILE_INVALID_INPUT;
  at_info(c, "+QFLDS: %llu,%llu", (unsigned long long)storage_free(st, (enum medium)medium),
          (unsigned long long)st->media[medium].capacity);
  return AT_OK;
}

int cmd_qflds_test(struct at_call *c)
{
  at_info(c, "+QFLDS: (\"UFS\",\"SD\",\"EFS\")");
  return AT_OK;
}

static int do_list(struct at_call *c, const char *pattern)
{
  struct listing l;
  int medium;
  if (list(call_module(c), pattern, &l, &medium) != 0)
    return FILE_INVALID_INPUT;
  if (l.n == 0 && pattern && !strchr(pattern, '*')) { /* one name, not there: as AT+QFDEL */
    free(l.e);
    return FILE_NOT_FOUND;
  }
  for (size_t i = 0; i < l.n; i++)
    at_info(c, "+QFLST: \"%s%s\",%lld", display_prefix(medium), l.e[i].name, l.e[i].size);
  free(l.e);
  return AT_OK;
}

int cmd_qflst_exec(struct at_call *c)
{
  return do_list(c, NULL);
}

int cmd_qflst_write(struct at_call *c)
{
  const char *pattern = at_param_str(c, 0);
  if (!pattern || c->cmd->nparams != 1)
    return FILE_INVALID_INPUT;
  return do_list(c, pattern);
}

int cmd_qfdel_write(struct at_call *c)
{
  struct module *m = call_module(c);
  const char *pattern = at_param_str(c, 0);
  struct listing l;
  int medium, rc = AT_OK;
  if (!pattern || c->cmd->nparams != 1)
    return FILE_INVALID_INPUT;
  if (list(m, pattern, &l, &medium) != 0)
    return FILE_INVALID_NAME;
  if (l.n == 0)
    rc = FILE_NOT_FOUND;
  for (size_t i = 0; i < l.n; i++) {
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s/%s", module_storage(m)->root, module_storage(m)->media[medium].dirname,
             l.e[i].name);
    if (unlink(path) != 0)
      rc = FILE_WRITE_FAILED;
  }
  free(l.e);
  return rc;
}

/* ---- transfers ---- */

struct xfer {
  struct module_port *port;
  FILE *f;
  char path[4400], tmp[4500];
  unsigned long long size, done;
  uint16_t sum;
  int odd;
  uint8_t pending;
  int ack;               /* AT+QFUPL's ack mode: an "A" after each 1024 bytes */
  struct quiet_timer timer; /* upload timeout, real time */
};

static uint16_t final_sum(const struct xfer *x)
{
  return x->odd ? (uint16_t)(x->sum ^ (uint16_t)(x->pending << 8)) : x->sum;
}

static void xfer_freed(uv_handle_t *h)
{
  free(h->data);
}

static void xfer_end(struct module_port *p)
{
  struct xfer *x = p->xfer;
  if (!x)
    return;
  p->xfer = NULL;
  p->xfer_abort = NULL;
  port_set_drain(&p->port, NULL, NULL);
  port_release(&p->port, x);
  if (x->f)
    fclose(x->f);
  if (x->tmp[0])
    unlink(x->tmp);
  quiet_timer_close(&x->timer, xfer_freed);
}

static void upload_done(struct xfer *x)
{
  struct module_port *p = x->port;
  int ok = fflush(x->f) == 0 && fclose(x->f) == 0;
  x->f = NULL;
  if (!ok || rename(x->tmp, x->path) != 0) {
    xfer_end(p);
    at_session_complete(&p->at, FILE_WRITE_FAILED);
    return;
  }
  x->tmp[0] = '\0';
  at_session_info(&p->at, "+QFUPL: %llu,%x", x->done, final_sum(x));
  xfer_end(p);
  at_session_complete(&p->at, AT_OK);
}

static size_t upload_bytes(void *ctx, const char *data, size_t len)
{
  struct xfer *x = ctx;
  size_t take = len;
  if (take > x->size - x->done)
    take = (size_t)(x->size - x->done);
  if (fwrite(data, 1, take, x->f) != take) {
    struct module_port *p = x->port;
    xfer_end(p);
    at_session_complete(&p->at, FILE_WRITE_FAILED);
    return take;
  }
  x->sum = storage_checksum(x->sum, (const uint8_t *)data, take, &x->odd, &x->pending);
  if (x->ack) /* one "A" for each block of 1024 that does not end the file */
    for (unsigned long long b = x->done / QFUPL_ACK_BLOCK + 1;
         b * QFUPL_ACK_BLOCK <= x->done + take && b * QFUPL_ACK_BLOCK < x->size; b++)
      port_write(&x->port->port, "A", 1);
  x->done += take;
  quiet_timer_again(&x->timer);
  if (x->done == x->size)
    upload_done(x);
  return take; /* what follows the file is AT input again */
}

/* The host paused for longer than <timeout>: keep what came, as the module does. */
static void upload_timeout(void *data)
{
  struct xfer *x = data;
  struct module_port *p = x->port;
  if (x->done == 0) {
    xfer_end(p);
    at_session_complete(&p->at, FILE_TIMEOUT);
    return;
  }
  upload_done(x);
}

static struct xfer *xfer_new(struct module_port *p)
{
  struct xfer *x = calloc(1, sizeof(*x));
  x->port = p;
  quiet_timer_init(&x->timer, module_loop(p->m), x);
  p->xfer = x;
  p->xfer_abort = xfer_end;
  return x;
}

/* AT+QFUPL=<name>[,<file_size>[,<timeout>[,<ackmode>]]] */
int cmd_qfupl_write(struct at_call *c)
{
  struct module *m = call_module(c);
  struct module_port *p = call_port(c);
  const char *name = at_param_str(c, 0);
  long size = QFUPL_DEFAULT_SIZE, timeout = QFUPL_DEFAULT_TIMEOUT_S, ack = 0;
  char path[4400];
  struct xfer *x;
  struct stat s;
  int medium;
  if (!name || c->cmd->nparams > 4)
    return FILE_INVALID_PARAM;
  if ((at_param_present(c, 1) && at_param_int(c, 1, 1, 1L << 30, &size) != 0) ||
      (at_param_present(c, 2) && at_param_int(c, 2, 1, 3600, &timeout) != 0) ||
      (at_param_present(c, 3) && at_param_int(c, 3, 0, 1, &ack) != 0))
    return FILE_INVALID_PARAM;
  medium = storage_file(module_storage(m), name, path, sizeof(path));
  if (medium < 0 || !module_storage(m)->media[medium].present)
    return FILE_INVALID_NAME;
  if (storage_is_partial(path))
    return FILE_INVALID_NAME; /* the name of a transfer under way, cleared at boot */
  if (stat(path, &s) == 0)
    return FILE_EXISTS;
  if ((unsigned long long)size > storage_free(module_storage(m), (enum medium)medium))
    return FILE_DRIVE_FULL;
  {
    char *slash = strrchr(path, '/'); /* the file's directory, made as needed */
    *slash = '\0';
    storage_mkdirs(module_storage(m), path);
    *slash = '/';
  }
  x = xfer_new(p);
  snprintf(x->path, sizeof(x->path), "%s", path);
  snprintf(x->tmp, sizeof(x->tmp), "%s" STORAGE_PARTIAL_SUFFIX, path);
  x->size = (unsigned long long)size;
  x->ack = (int)ack;
  x->f = fopen(x->tmp, "wb");
  if (!x->f) {
    x->tmp[0] = '\0';
    xfer_end(p);
    return FILE_OPEN_FAILED;
  }
  at_connect(&p->at);
  port_attach(&p->port, upload_bytes, x);
  {
    uint64_t ms = vclock_host_timeout(module_clock(m), (uint64_t)timeout * 1000);
    quiet_timer_start(&x->timer, ms, upload_timeout);
  }
  return AT_PENDING;
}

int cmd_qfupl_test(struct at_call *c)
{
  at_info(c, "+QFUPL: <filename>,(1-%lu),(1-3600),(0,1)", (unsigned long)UFS_CAPACITY);
  return AT_OK;
}

static void download_more(void *ctx)
{
  struct module_port *p = ctx;
  struct xfer *x = p->xfer;
  uint8_t buf[QFDWL_CHUNK];
  size_t n;
  if (!x)
    return;
  n = fread(buf, 1, sizeof(buf), x->f);
  if (n > 0) {
    x->sum = storage_checksum(x->sum, buf, n, &x->odd, &x->pending);
    x->done += n;
    port_write(&p->port, (const char *)buf, n);
    return;
  }
  {
    int failed = ferror(x->f) || x->done != x->size;
    unsigned long long done = x->done;
    uint16_t sum = final_sum(x);
    xfer_end(p);
    if (failed) {
      at_session_complete(&p->at, FILE_READ_FAILED);
      return;
    }
    at_session_info(&p->at, "+QFDWL: %llu,%x", done, sum);
    at_session_complete(&p->at, AT_OK);
  }
}

/* AT+QFDWL=<name>: CONNECT, the file's bytes, then +QFDWL: <size>,<checksum>. */
int cmd_qfdwl_write(struct at_call *c)
{
  struct module *m = call_module(c);
  struct module_port *p = call_port(c);
  const char *name = at_param_str(c, 0);
  char path[4400];
  struct xfer *x;
  struct stat s;
  int medium;
  if (!name || c->cmd->nparams != 1)
    return FILE_INVALID_PARAM;
  medium = storage_file(module_storage(m), name, path, sizeof(path));
  if (medium < 0 || !module_storage(m)->media[medium].present)
    return FILE_INVALID_NAME;
  if (stat(path, &s) != 0 || !S_ISREG(s.st_mode))
    return FILE_NOT_FOUND;
  x = xfer_new(p);
  x->size = (unsigned long long)s.st_size;
  x->f = fopen(path, "rb");
  if (!x->f) {
    xfer_end(p);
    return FILE_OPEN_FAILED;
  }
  at_connect(&p->at);
  port_set_drain(&p->port, download_more, p);
  download_more(p); /* the first chunk now; the rest as the host reads */
  return AT_PENDING;
}
