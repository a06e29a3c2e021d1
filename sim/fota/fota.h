/* fota: the FOTA engine of one module: AT+QFOTADL's checks, the data call, the download into
 * the configured medium, verification before any flash write, the sector-by-sector update with
 * progress URCs, and the reboot into the new firmware; upgrade_mode 0 leaves the package for the
 * next boot. */
#ifndef FOTASIM_FOTA_H
#define FOTASIM_FOTA_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "download.h"
#include "fault_rule.h"
#include "fota_phase.h"
#include "fota_url.h"
#include "vclock.h"

#define UPDATE_SECTOR_MS 25   /* virtual time to erase and program one 4 KB sector */
#define FOTA_START_DELAY_MS 200
#define DL_URC_DEFAULT_NETWORK 50   /* download URCs when the command gives none: FTP, HTTP(S) */
#define FILE_PACKAGE_NAME "fota_file.pkg"  /* what a FILE-mode package is stored as */

struct statedir;
struct flash;
struct nv;
struct network;
struct storage;

/* What the engine works with: the module's services, set up by the module. */
struct fota_env {
  uv_loop_t *loop;
  struct vclock *clock;
  struct curl_loop *curl;
  const struct dns_entry *dns;
  int ndns;
  struct statedir *sd;
  struct flash *flash;
  struct nv *nv;
  struct network *net;
  struct storage *storage;
  const char *imei;
  int index;                  /* the module's number, for logs */
  int quirks;                 /* URCs as the note prints them */
  int resume_update;          /* later firmware: an interrupted update resumes after reboot */
};

/* How the engine reports upward; ports are the module's port numbers (0 main, 1 USB). */
struct fota_ops {
  void (*urc)(void *ctx, int port, const char *text);  /* to that port, if it exists */
  void (*phase)(void *ctx, int port, enum fota_phase phase, int percent);
  int (*save_nv)(void *ctx);
  void (*reboot_soon)(void *ctx);  /* after the END URC */
  void (*reset)(void *ctx);        /* reboot now (an update at boot that failed) */
  /* The fault rule that fires at this point, its module-wide actions already applied. */
  const struct fault_rule *(*fault)(void *ctx, enum fault_phase phase, int percent,
                                    uint64_t bytes, int attempt);
  /* FILE mode: the port's input goes to fn(fn_ctx) (fn NULL: released, if fn_ctx has it). */
  void (*attach_input)(void *ctx, int port, download_input_fn fn, void *fn_ctx);
};

struct fota {
  const struct fota_ops *ops;
  void *ctx;
  struct fota_env env;
  int port;                   /* where the URCs go: the port that asked (-1: none) */
  enum fota_phase phase;
  int percent;
  int last_error;             /* -1 before the first FOTA */
  char cause[320];            /* what was seen when it failed, for the one log line */
  struct fota_url url;
  int mode, dl_max, up_max, dl_sent, up_sent;
  int at_boot;                /* installing at boot a package downloaded with upgrade_mode 0 */
  char pkg_path[4300];
  FILE *pkg;
  uint64_t received, room;
  int64_t total;
  struct download *dl;
  uint8_t *image;             /* the verified new image */
  size_t image_len;
  uint32_t sector;
  long tear_at;               /* where in the sector's write a power cut falls (flash_tear) */
  struct vtimer timer;
  int attempts;               /* FOTAs started in this run, for fault rules */
  int corrupting, stalled;    /* download fault actions in force */
  int pending_fail;           /* a time rule's code: the FOTA fails with it at its next step */
};

void fota_init(struct fota *f, const struct fota_env *env, const struct fota_ops *ops, void *ctx);
/* The AT+QFOTADL write command: 0 if accepted (the caller answers OK), else the error code.
 * dl_max < 0: the default for the scheme. */
int fota_request(struct fota *f, int port, const char *url, int mode, int dl_max,
                 int up_max);
/* At boot: runs a pending (upgrade_mode 0) update; returns 1 if it took over the boot. */
int fota_boot(struct fota *f);
/* An interrupted update that later firmware resumes is waiting (the flash may not boot). */
int fota_resumable(struct fota *f);
/* Power is gone: stop everything, drop the partial package. */
void fota_abort(struct fota *f);
/* A time rule fired with a code: the FOTA under way fails with it at its next step. */
void fota_fail_pending(struct fota *f, int code);
json_t *fota_status(const struct fota *f);

#endif
