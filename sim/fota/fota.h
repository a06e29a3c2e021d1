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
#include "fota_url.h"
#include "vclock.h"

enum fota_phase {
  FOTA_IDLE, FOTA_DATACALL, FOTA_DOWNLOAD, FOTA_VERIFY, FOTA_UPDATE, FOTA_REBOOT
};

#define UPDATE_SECTOR_MS 25   /* virtual time to erase and program one 4 KB sector */
#define FOTA_START_DELAY_MS 200
#define DL_URC_DEFAULT_NETWORK 50   /* download URCs when the command gives none: FTP, HTTP(S) */
#define FILE_PACKAGE_NAME "fota_file.pkg"  /* what a FILE-mode package is stored as */

struct module;
struct port;

struct fota {
  struct module *m;
  struct port *port;          /* where the URCs go: the port that asked */
  enum fota_phase phase;
  int percent;
  int last_error;             /* -1 before the first FOTA */
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
  struct vtimer timer;
  int attempts;               /* FOTAs started in this run, for fault rules */
  int corrupting, stalled;    /* download fault actions in force */
  int pending_fail;           /* a time rule's code: the FOTA fails with it at its next step */
};

void fota_init(struct fota *f, struct module *m);
/* The AT+QFOTADL write command: 0 if accepted (the caller answers OK), else the error code.
 * dl_max < 0: the default for the scheme. */
int fota_request(struct fota *f, struct port *port, const char *url, int mode, int dl_max,
                 int up_max);
/* At boot: runs a pending (upgrade_mode 0) update; returns 1 if it took over the boot. */
int fota_boot(struct fota *f);
/* An interrupted update that later firmware resumes is waiting (the flash may not boot). */
int fota_resumable(struct fota *f);
/* Power is gone: stop everything, drop the partial package. */
void fota_abort(struct fota *f);
const char *fota_phase_name(enum fota_phase p);
json_t *fota_status(const struct fota *f);

#endif
