/* fota: the FOTA engine of one module: AT+QFOTADL's checks, the data call, the download into
 * the configured medium, verification before any flash write, the sector-by-sector update with
 * progress URCs, and the reboot into the new firmware; upgrade_mode 0 leaves the package for the
 * next boot. */
#include "fota.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "fotasim/package.h"
#include "file_util.h"
#include "flash.h"
#include "log.h"
#include "network.h"
#include "nv.h"
#include "statedir.h"
#include "storage.h"

static void set_phase(struct fota *f, enum fota_phase p, int percent)
{
  f->phase = p;
  f->percent = percent;
  f->ops->phase(f->ctx, f->port, p, percent);
}

/* The variants the application note itself prints, for hosts to prove their parsers tolerant:
 * a space after each comma, a space inside " DOWNLOADING", and HTTPEND spelled HTTPPEND. */
static void quirk(const char *rest, char *out, size_t size)
{
  size_t o = 0;
  for (const char *p = rest; *p && o + 4 < size; p++) {
    if (!strncmp(p, "\"DOWNLOADING\"", 13)) {
      o += (size_t)snprintf(out + o, size - o, "\" DOWNLOADING\"");
      p += 12;
    } else if (!strncmp(p, "HTTPEND", 7)) {
      o += (size_t)snprintf(out + o, size - o, "HTTPPEND");
      p += 6;
    } else {
      out[o++] = *p;
      if (*p == ',')
        out[o++] = ' ';
    }
  }
  out[o] = '\0';
}

static int quirks_on(const struct fota *f)
{
  return f->env.quirks;
}

/* +QIND: "FOTA",<rest> on the port that started the FOTA. */
static void urc(struct fota *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void urc(struct fota *f, const char *fmt, ...)
{
  char rest[96], odd[128], text[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rest, sizeof(rest), fmt, ap);
  va_end(ap);
  if (quirks_on(f)) {
    quirk(rest, odd, sizeof(odd));
    snprintf(text, sizeof(text), "+QIND: \"FOTA\", %s", odd);
  } else {
    snprintf(text, sizeof(text), "+QIND: \"FOTA\",%s", rest);
  }
  f->ops->urc(f->ctx, f->port, text);
}

void fota_init(struct fota *f, const struct fota_env *env, const struct fota_ops *ops, void *ctx)
{
  memset(f, 0, sizeof(*f));
  f->env = *env;
  f->ops = ops;
  f->ctx = ctx;
  f->port = -1;
  f->last_error = -1;
  f->tear_at = -1;
  vtimer_init(env->clock, &f->timer, f);
}

void fota_fail_pending(struct fota *f, int code)
{
  if (f->phase != FOTA_IDLE)
    f->pending_fail = code;
}

/* The scheme's own codes for a closed connection and for silence. */
static int closed_code(const struct fota *f)
{
  return f->url.scheme == SCHEME_FTP ? FTP_PEER_CLOSED
         : f->url.scheme == SCHEME_FILE ? FOTA_FILE_TIMEOUT : FOTA_CONNECTION_CLOSED;
}

static int timeout_code(const struct fota *f)
{
  return f->url.scheme == SCHEME_FTP ? FTP_TIMEOUT
         : f->url.scheme == SCHEME_FILE ? FOTA_FILE_TIMEOUT : HTTP_TIMEOUT;
}

static int refused_code(const struct fota *f)
{
  return f->url.scheme == SCHEME_FTP ? FTP_NETWORK_ERROR : HTTP_CONNECT_FAILED;
}

static void stall_timeout(struct vtimer *t);

/* What was seen, for the failure's log line (see log_failure). */
static void set_cause(struct fota *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_cause(struct fota *f, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->cause, sizeof(f->cause), fmt, ap);
  va_end(ap);
}

/* The fault rules at this point: the code to fail with, -1 if the FOTA stops here (power is
 * being cut, or a connect that stalls waits out its timeout), 0 to go on. Module-wide actions
 * are fault_apply's; corrupt and stall change how the download goes on. */
static int fault_now(struct fota *f, enum fault_phase phase, int percent)
{
  const struct fault_rule *r;
  if (f->pending_fail) { /* a time rule fired while the FOTA was under way */
    int code = f->pending_fail;
    f->pending_fail = 0;
    return code;
  }
  /* bytes: downloaded, or (update) the last byte this sector's write reaches, so that an
   * offset inside a sector cuts that sector's write at that byte */
  r = f->ops->fault(f->ctx, phase, percent,
                    phase == FAULT_UPDATE ? (uint64_t)f->sector * FLASH_SECTOR + FLASH_SECTOR - 1
                                          : f->received,
                    f->attempts);
  if (!r)
    return 0;
  f->tear_at = -1;
  if (phase == FAULT_UPDATE && r->offset_given &&
      r->offset >= (uint64_t)f->sector * FLASH_SECTOR)
    f->tear_at = (long)(r->offset - (uint64_t)f->sector * FLASH_SECTOR);
  log_info("module %d: fault rule fires in %s at %d%%", f->env.index, fota_phase_name(f->phase),
           percent);
  set_cause(f, "a scenario fault rule fired in %s at %d%%", fota_phase_name(f->phase), percent);
  if (r->cut_power)
    return -1;
  if (r->corrupt)
    f->corrupting = 1;
  if (r->stall && phase == FAULT_CONNECT) { /* nobody answers: the module waits, then gives up */
    vtimer_start(&f->timer, DOWNLOAD_STALL_MS, stall_timeout);
    return -1;
  }
  if (r->stall)
    f->stalled = 1;
  if (r->drop)
    return phase == FAULT_CONNECT ? refused_code(f) : closed_code(f);
  return r->fail > 0 ? r->fail : 0;
}

static void reset_path(struct fota *f)
{
  struct nv *nv = f->env.nv;
  if (strcmp(nv->fota_path, "UFS:") != 0) { /* the note: back to UFS after each FOTA */
    snprintf(nv->fota_path, sizeof(nv->fota_path), "UFS:");
    f->ops->save_nv(f->ctx);
  }
}

/* Where a download writes until it is whole: the package's name with the partial suffix. */
static char *part_path(const struct fota *f, char *buf, size_t size)
{
  snprintf(buf, size, "%s" STORAGE_PARTIAL_SUFFIX, f->pkg_path);
  return buf;
}

static void drop_package(struct fota *f)
{
  char part[sizeof(f->pkg_path) + 8];
  if (f->pkg) {
    fclose(f->pkg);
    f->pkg = NULL;
  }
  if (f->pkg_path[0]) {
    unlink(part_path(f, part, sizeof(part)));
    unlink(f->pkg_path);
  }
  f->pkg_path[0] = '\0';
}

static void resume_forget(struct fota *f);

/* One line for a FOTA that failed: the code, its meaning, the phase, what was seen and where
 * from (the URL without its user and password). */
static void log_failure(struct fota *f, int err)
{
  char where[FOTA_URL_MAX + FOTA_NAME_MAX + 32];
  if (f->at_boot)
    snprintf(where, sizeof(where), "the package downloaded before the reboot");
  else
    fota_url_format(&f->url, where, sizeof(where));
  log_info("module %d: FOTA failed in %s: %d (%s)%s%s; %s", f->env.index,
           fota_phase_name(f->phase), err, error_meaning(err), f->cause[0] ? ": " : "", f->cause,
           where);
}

static void finish(struct fota *f, int err)
{
  if (err)
    log_failure(f, err);
  f->cause[0] = '\0';
  if (f->phase == FOTA_UPDATE || f->phase == FOTA_VERIFY)
    resume_forget(f);
  f->last_error = err;
  free(f->image);
  f->image = NULL;
  reset_path(f);
  set_phase(f, FOTA_IDLE, f->percent);
}

static void end_download(struct fota *f, int err)
{
  urc(f, "\"%sEND\",%d", fota_scheme_name(f->url.scheme), err);
  if (err) {
    drop_package(f);
    finish(f, err);
  }
}

/* Progress URCs: the k-th of n reports k*100/n percent once progress reaches it. */
static void progress(struct fota *f, const char *what, int n, int *sent, uint64_t done,
                     uint64_t total, int final)
{
  while (n > 0 && *sent < n) {
    int pct = (*sent + 1) * 100 / n;
    if (!final && (total == 0 || done * 100 < (uint64_t)pct * total || pct == 100))
      break;
    (*sent)++;
    urc(f, "\"%s\",%d", what, pct);
  }
}

static void update_step(struct vtimer *t);

/* Resume after reboot (later firmware, scenario module.resume_update): the verified image and
 * the number of sectors written are kept in the state dir while the update runs. */
#define RESUME_IMAGE "fota_resume.img"
#define RESUME_RECORD "fota_resume.json"

static int resume_on(const struct fota *f)
{
  return f->env.resume_update;
}

static void resume_record(struct fota *f)
{
  char text[96];
  int n = snprintf(text, sizeof(text), "{\"sector\": %u, \"port\": %d, \"updating\": %d}\n",
                   f->sector, f->port >= 0 ? f->port : 0, f->up_max);
  statedir_write_quick(f->env.sd, RESUME_RECORD, text, (size_t)n);
}

static void resume_forget(struct fota *f)
{
  char path[4300];
  unlink(statedir_file(f->env.sd, RESUME_RECORD, path, sizeof(path)));
  unlink(statedir_file(f->env.sd, RESUME_IMAGE, path, sizeof(path)));
}

static int read_current_image(struct flash *flash, uint8_t **out, size_t *len)
{
  const struct flash_partition *p = flash_partition(PART_FIRMWARE);
  uint8_t hdr[FW_HEADER_SIZE];
  struct fw_info info;
  if (flash_read(flash, p->offset, hdr, sizeof(hdr)) != 0 ||
      fw_header_parse(hdr, p->size - FW_HEADER_SIZE, &info) != FW_OK)
    return -1;
  *len = FW_HEADER_SIZE + info.body_size;
  *out = malloc(*len);
  if (!*out || flash_read(flash, p->offset, *out, *len) != 0) {
    free(*out);
    return -1;
  }
  return 0;
}

static int package_error(enum pkg_status st)
{
  switch (st) {
  case PKG_WRONG_SOURCE: return FOTA_PATCH_MISMATCH;
  case PKG_NO_MEMORY: return FOTA_UPDATE_FAILED;
  default: return FOTA_PACKAGE_INVALID;
  }
}

/* START, then every check before a single flash write; then the update begins. */
static void verify_and_update(struct fota *f)
{
  uint8_t *pkg = NULL, *cur = NULL;
  size_t pkg_len = 0, cur_len = 0;
  char *pubkey;
  enum pkg_status st = PKG_TRUNCATED;

  int fault;
  set_phase(f, FOTA_VERIFY, 0);
  urc(f, "\"START\"");
  fault = fault_now(f, FAULT_VERIFY, 0);
  if (fault != 0) {
    drop_package(f);
    if (fault > 0) {
      urc(f, "\"END\",%d", fault);
      finish(f, fault);
    }
    return;
  }
  pkg = read_whole_file(f->pkg_path, 64u * 1024 * 1024, &pkg_len);
  pubkey = statedir_read(f->env.sd, "fota_pubkey.pem", NULL);
  if (pkg_len > 0) {
    struct pkg_header h; /* only a delta needs the installed image */
    int delta = pkg_header_parse(pkg, pkg_len, &h) == PKG_OK && h.kind == PKG_KIND_DELTA;
    if (!delta || read_current_image(f->env.flash, &cur, &cur_len) == 0)
      st = pkg_apply_checked(pkg, pkg_len, cur, cur_len, flash_firmware_sha256(f->env.flash),
                             pubkey, &f->image, &f->image_len);
    else
      st = PKG_WRONG_SOURCE;
  }
  free(pkg);
  free(cur);
  free(pubkey);
  drop_package(f); /* the package has served, whatever the verdict */
  if (st != PKG_OK) {
    int err = package_error(st);
    set_cause(f, "the package: %s", pkg_status_text(st));
    urc(f, "\"END\",%d", err);
    finish(f, err);
    if (f->at_boot) /* an update at boot that failed: boot the old firmware */
      f->ops->reset(f->ctx);
    return;
  }
  f->sector = 0;
  f->tear_at = -1;
  f->up_sent = 0;
  if (resume_on(f)) {
    statedir_write_atomic(f->env.sd, RESUME_IMAGE, f->image, f->image_len);
    resume_record(f);
  }
  set_phase(f, FOTA_UPDATE, 0);
  vtimer_start(&f->timer, UPDATE_SECTOR_MS, update_step);
}

/* One sector of the new image: erase, program, report progress from the sectors written. */
static void update_step(struct vtimer *t)
{
  struct fota *f = t->data;
  const struct flash_partition *p = flash_partition(PART_FIRMWARE);
  uint32_t nsectors = (uint32_t)((f->image_len + FLASH_SECTOR - 1) / FLASH_SECTOR);
  uint32_t off = f->sector * FLASH_SECTOR;
  size_t n = f->image_len - off < FLASH_SECTOR ? f->image_len - off : FLASH_SECTOR;
  struct fw_info info;
  int fault = fault_now(f, FAULT_UPDATE, f->percent);

  if (fault < 0)
    return; /* the cut tears this sector */
  if (fault > 0) {
    urc(f, "\"END\",%d", fault);
    finish(f, fault);
    return;
  }
  if (flash_op(f->env.flash, FLASH_ERASE, p->offset + off, NULL, 0) != 0 ||
      flash_op(f->env.flash, FLASH_PROGRAM, p->offset + off, f->image + off, n) != 0) {
    set_cause(f, "the flash could not be written at 0x%llx", (unsigned long long)(p->offset + off));
    urc(f, "\"END\",%d", FOTA_UPDATE_FAILED);
    finish(f, FOTA_UPDATE_FAILED);
    return;
  }
  f->sector++;
  if (resume_on(f))
    resume_record(f);
  f->percent = (int)(f->sector * 100 / nsectors);
  progress(f, "UPDATING", f->up_max, &f->up_sent, f->sector, nsectors, 0);
  if (f->sector < nsectors) {
    vtimer_start(&f->timer, UPDATE_SECTOR_MS, update_step);
    return;
  }
  /* Read back: the partition must hold the image verified before the first write. */
  if (flash_matches(f->env.flash, p->offset, f->image, f->image_len) != 1 ||
      fw_header_parse(f->image, f->image_len - FW_HEADER_SIZE, &info) != FW_OK) {
    set_cause(f, "the flash does not read back the image written");
    urc(f, "\"END\",%d", FOTA_UPDATE_FAILED);
    finish(f, FOTA_UPDATE_FAILED);
    return;
  }
  progress(f, "UPDATING", f->up_max, &f->up_sent, nsectors, nsectors, 1);
  urc(f, "\"END\",0");
  log_info("module %d: FOTA installed %s", f->env.index, info.revision);
  finish(f, 0);
  f->at_boot = 0;
  set_phase(f, FOTA_REBOOT, 100);
  if (fault_now(f, FAULT_REBOOT, 100) < 0)
    return; /* the power goes instead of the reboot */
  f->ops->reboot_soon(f->ctx);
}

/* ---- the download ---- */

static int storage_full_error(const struct fota *f)
{
  return f->url.scheme == SCHEME_FTP ? FTP_REPLY_452 : FOTA_FILE_TOO_LARGE;
}

static void on_size(void *ctx, int64_t total)
{
  struct fota *f = ctx;
  f->total = total;
}

static int on_data(void *ctx, const void *data, size_t len)
{
  struct fota *f = ctx;
  if ((f->total > 0 && (uint64_t)f->total > f->room) || f->received + len > f->room)
    return storage_full_error(f);
  if (f->stalled) /* the bytes no longer reach the module */
    return f->url.scheme == SCHEME_FILE ? FOTA_FILE_TIMEOUT : 0;
  if (f->corrupting && len > 0) { /* a bit flipped in every chunk from here on */
    uint8_t bad[4096]; /* a bit in the first 4 KB of it */
    size_t n = len < sizeof(bad) ? len : sizeof(bad);
    memcpy(bad, data, n);
    bad[n / 2] ^= 0x10;
    if (fwrite(bad, 1, n, f->pkg) != n ||
        (len > n && fwrite((const uint8_t *)data + n, 1, len - n, f->pkg) != len - n))
      return FTP_FILE_ERROR;
  } else if (fwrite(data, 1, len, f->pkg) != len) {
    return FTP_FILE_ERROR;
  }
  f->received += len;
  if (f->total > 0) {
    int fault;
    f->percent = (int)(f->received * 100 / (uint64_t)f->total);
    progress(f, "DOWNLOADING", f->dl_max, &f->dl_sent, f->received, (uint64_t)f->total, 0);
    fault = fault_now(f, FAULT_DOWNLOAD, f->percent);
    if (fault > 0)
      return fault; /* the download stops with the rule's code */
  }
  return 0;
}

static void stall_timeout(struct vtimer *t)
{
  struct fota *f = t->data;
  end_download(f, timeout_code(f));
}

static void on_done(void *ctx, int err, const char *cause)
{
  struct fota *f = ctx;
  struct nv *nv = f->env.nv;
  f->dl = NULL;
  if (err && cause && !f->cause[0])
    set_cause(f, "%s", cause);
  if (f->stalled && !err) { /* the rest never came: the module waits, then gives up */
    if (f->pkg) {
      fclose(f->pkg);
      f->pkg = NULL;
    }
    vtimer_start(&f->timer, DOWNLOAD_STALL_MS, stall_timeout);
    return;
  }
  if (!err && fflush(f->pkg) != 0)
    err = FTP_FILE_ERROR;
  if (f->pkg) {
    fclose(f->pkg);
    f->pkg = NULL;
  }
  if (!err) { /* whole: it takes its name */
    char part[sizeof(f->pkg_path) + 8];
    if (rename(part_path(f, part, sizeof(part)), f->pkg_path) != 0) {
      log_error("module %d: cannot rename %s: %s", f->env.index, part, strerror(errno));
      err = f->url.scheme == SCHEME_FTP ? FTP_FILE_ERROR : HTTP_UNKNOWN;
    }
  }
  if (err) {
    end_download(f, err);
    return;
  }
  if (f->mode == 0) { /* update at the next reboot: in NV (written aside, renamed) before
                       * the host hears HTTPEND,0, so that a kill -9 after it keeps it */
    snprintf(nv->fota_pending, sizeof(nv->fota_pending), "%s", f->pkg_path);
    nv->fota_pending_port = f->port;
    nv->fota_pending_up_max = f->up_max;
    f->ops->save_nv(f->ctx);
  }
  progress(f, "DOWNLOADING", f->dl_max, &f->dl_sent, f->received, f->received, 1);
  end_download(f, 0);
  log_info("module %d: FOTA package downloaded, %llu bytes", f->env.index,
           (unsigned long long)f->received);
  if (f->mode == 0) {
    f->pkg_path[0] = '\0'; /* kept */
    finish(f, 0);
    return;
  }
  verify_and_update(f);
}

/* FILE mode: the package comes as the port's input. */
static void attach_input(void *ctx, download_input_fn fn, void *fn_ctx)
{
  struct fota *f = ctx;
  f->ops->attach_input(f->ctx, f->port, fn, fn_ctx);
}

/* The connection is under way once the network's round trips have passed (virtual time). */
static void connect_now(struct vtimer *t)
{
  struct fota *f = t->data;
  /* FILE mode meets its download rules with the first bytes (the host sends them anyway) */
  int fault = f->url.scheme == SCHEME_FILE ? 0 : fault_now(f, FAULT_CONNECT, 0);
  struct download_sink sink = { f, on_size, on_data, on_done };
  struct download_env env = { f->env.loop, f->env.clock, f->env.curl, f->env.dns, f->env.ndns,
                              f->env.net, attach_input, f };
  if (!fault && f->url.scheme != SCHEME_FILE)
    fault = fault_now(f, FAULT_DOWNLOAD, 0);
  if (fault > 0) {
    drop_package(f);
    end_download(f, fault);
    return;
  }
  if (fault < 0)
    return;
  f->dl = download_start(&env, &f->url, &sink);
}

static void start_download(struct fota *f)
{
  struct storage *st = f->env.storage;
  char part[sizeof(f->pkg_path) + 8];
  int medium = storage_resolve(st, f->env.nv->fota_path, f->url.file, f->pkg_path,
                               sizeof(f->pkg_path));
  if (medium < 0 || !st->media[medium].present) {
    f->pkg_path[0] = '\0';
    end_download(f, FOTA_NO_MEDIUM);
    return;
  }
  unlink(f->pkg_path); /* an older package of that name is replaced */
  f->room = storage_free(st, (enum medium)medium);
  f->pkg = fopen(part_path(f, part, sizeof(part)), "wb");
  if (!f->pkg) {
    log_error("module %d: cannot write %s: %s", f->env.index, part, strerror(errno));
    f->pkg_path[0] = '\0';
    end_download(f, f->url.scheme == SCHEME_FTP ? FTP_FILE_ERROR : HTTP_UNKNOWN);
    return;
  }
  f->received = 0;
  f->total = -1;
  set_phase(f, FOTA_DOWNLOAD, 0);
  if (f->url.scheme == SCHEME_FILE) /* the bytes may already be on their way */
    connect_now(&f->timer);
  else
    vtimer_start(&f->timer, 2u * f->env.net->latency_ms, connect_now); /* TCP, request round trips */
}

/* Registered with the radio on (AT+CFUN=1: the radio is off at 0 and 4). */
static int radio_ready(const struct fota *f)
{
  return f->env.net->radio_on && network_registered(f->env.net);
}

static void datacall_up(struct vtimer *t)
{
  struct fota *f = t->data;
  struct network *net = f->env.net;
  int cid = f->env.nv->fota_cid;
  if (!radio_ready(f)) {
    end_download(f, DC_NO_NETWORK);
    return;
  }
  if (!network_apn_accepted(net, f->env.nv->ctx[cid].apn)) {
    end_download(f, DC_APN_REJECTED);
    return;
  }
  network_activate(net, cid, f->env.imei);
  start_download(f);
}

/* FTPSTART/HTTPSTART, then the data call (activated here if the host has not), then the
 * download. */
static void begin(struct vtimer *t)
{
  struct fota *f = t->data;
  int cid = f->env.nv->fota_cid;
  int fault;
  urc(f, "\"%sSTART\"", fota_scheme_name(f->url.scheme));
  set_phase(f, FOTA_DATACALL, 0);
  fault = fault_now(f, FAULT_DATACALL, 0);
  if (fault > 0) {
    end_download(f, fault);
    return;
  }
  if (fault < 0)
    return;
  if (!radio_ready(f)) {
    end_download(f, DC_NO_NETWORK);
    return;
  }
  if (!f->env.nv->ctx[cid].defined) {
    end_download(f, DC_CONTEXT_UNDEFINED);
    return;
  }
  if (f->env.net->active[cid]) {
    start_download(f);
    return;
  }
  vtimer_start(&f->timer, PDP_ACTIVATE_MS, datacall_up);
}

int fota_request(struct fota *f, int port, const char *url, int mode, int dl_max,
                 int up_max)
{
  struct storage *st = f->env.storage;
  int err, medium;
  if (f->phase != FOTA_IDLE)
    return FOTA_BUSY;
  err = fota_url_parse(url, &f->url);
  if (err)
    return err;
  medium = storage_medium_of(st, f->env.nv->fota_path);
  if (medium >= 0 && !st->media[medium].present)
    return FOTA_NO_MEDIUM;
  if (medium >= 0 && f->url.scheme == SCHEME_FILE &&
      f->url.file_length > storage_free(st, (enum medium)medium))
    return FOTA_FILE_TOO_LARGE; /* checked before OK */
  if (dl_max < 0)
    dl_max = f->url.scheme == SCHEME_FILE ? 0 : DL_URC_DEFAULT_NETWORK;
  f->port = port;
  f->at_boot = 0;
  f->attempts++;
  f->corrupting = f->stalled = f->pending_fail = 0;
  f->mode = mode;
  f->dl_max = dl_max;
  f->up_max = up_max;
  f->dl_sent = f->up_sent = 0;
  f->percent = 0;
  if (f->url.scheme == SCHEME_FILE) {
    /* FILESTART follows the OK (URCs wait for the final result); the port reads the package
     * from the very next byte, so nothing the host sends early reaches the AT interpreter. */
    snprintf(f->url.file, sizeof(f->url.file), "%s", FILE_PACKAGE_NAME);
    urc(f, "\"FILESTART\"");
    start_download(f);
    return f->phase == FOTA_DOWNLOAD ? 0 : f->last_error;
  }
  set_phase(f, FOTA_DATACALL, 0);
  vtimer_start(&f->timer, FOTA_START_DELAY_MS, begin);
  return 0;
}

/* A resumable update that power interrupted: go on from the sector it had reached. */
static int resume_at_boot(struct fota *f)
{
  char *rec = statedir_read(f->env.sd, RESUME_RECORD, NULL), path[4300];
  unsigned sector = 0;
  int port = 0, up = 0;
  size_t len = 0;
  uint8_t *img;
  if (!rec)
    return 0;
  if (sscanf(rec, "{\"sector\": %u, \"port\": %d, \"updating\": %d}", &sector, &port, &up) != 3) {
    free(rec);
    resume_forget(f);
    return 0;
  }
  free(rec);
  img = read_whole_file(statedir_file(f->env.sd, RESUME_IMAGE, path, sizeof(path)),
                        flash_partition(PART_FIRMWARE)->size, &len);
  if (!img || fw_image_check(img, len, NULL) != FW_OK ||
      sector > (len + FLASH_SECTOR - 1) / FLASH_SECTOR) {
    free(img);
    resume_forget(f);
    return 0;
  }
  log_info("module %d: resuming the interrupted update at sector %u", f->env.index, sector);
  f->image = img;
  f->image_len = len;
  f->sector = sector;
  f->tear_at = -1;
  f->port = port == 0 ? 0 : 1; /* main UART or USB AT port */
  f->up_max = up;
  f->at_boot = 1;
  /* the URCs already given before the cut are not given again (the rule progress() uses) */
  {
    uint64_t nsec = (len + FLASH_SECTOR - 1) / FLASH_SECTOR;
    f->up_sent = 0;
    while (f->up_sent < up) {
      int pct = (f->up_sent + 1) * 100 / up;
      if (pct == 100 || (uint64_t)sector * 100 < (uint64_t)pct * nsec)
        break;
      f->up_sent++;
    }
    set_phase(f, FOTA_UPDATE, (int)(sector * 100 / nsec));
  }
  urc(f, "\"START\"");
  vtimer_start(&f->timer, UPDATE_SECTOR_MS, update_step);
  return 1;
}

int fota_resumable(struct fota *f)
{
  char path[4300];
  return access(statedir_file(f->env.sd, RESUME_RECORD, path, sizeof(path)), R_OK) == 0;
}

int fota_boot(struct fota *f)
{
  struct nv *nv = f->env.nv;
  if (resume_at_boot(f))
    return 1;
  if (!nv->fota_pending[0])
    return 0;
  snprintf(f->pkg_path, sizeof(f->pkg_path), "%s", nv->fota_pending);
  f->port = nv->fota_pending_port == 0 ? 0 : 1; /* main UART or USB AT port */
  f->up_max = nv->fota_pending_up_max;
  f->at_boot = 1;
  nv->fota_pending[0] = '\0';
  f->ops->save_nv(f->ctx);
  if (access(f->pkg_path, R_OK) != 0) {
    f->pkg_path[0] = '\0';
    return 0;
  }
  log_info("module %d: installing the package downloaded before the reboot", f->env.index);
  verify_and_update(f);
  return 1;
}

void fota_abort(struct fota *f)
{
  vtimer_stop(&f->timer);
  if (f->dl) {
    download_cancel(f->dl);
    f->dl = NULL;
  }
  if (f->phase == FOTA_DATACALL || f->phase == FOTA_DOWNLOAD)
    drop_package(f);   /* a partial package does not survive power loss */
  if (f->phase == FOTA_UPDATE && f->image) { /* the sector being written is torn */
    const struct flash_partition *p = flash_partition(PART_FIRMWARE);
    uint32_t off = f->sector * FLASH_SECTOR;
    size_t n = f->image_len - off < FLASH_SECTOR ? f->image_len - off : FLASH_SECTOR;
    log_info("module %d: power lost during the update, sector %u torn at byte %ld",
             f->env.index, f->sector, f->tear_at < 0 ? (long)n / 2 : f->tear_at);
    flash_tear(f->env.flash, p->offset + off, f->image + off, n, f->tear_at);
    f->tear_at = -1;
  }
  free(f->image);
  f->image = NULL;
  if (f->phase != FOTA_IDLE)
    set_phase(f, FOTA_IDLE, f->percent);
}

json_t *fota_status(const struct fota *f)
{
  return json_pack("{s:s, s:i, s:o}", "phase", fota_phase_name(f->phase), "percent", f->percent,
                   "last_error", f->last_error < 0 ? json_null() : json_integer(f->last_error));
}
