/* download: the one interface the FOTA engine downloads through. A download takes a URL and a
 * sink, and reports the size when known, the bytes, and completion with an error code (0, or the
 * FTPEND/HTTPEND code). The engine does not know which implementation runs: network URLs go to
 * libcurl (download_curl.c); FILE mode will plug in beside it. */
#ifndef FOTASIM_DOWNLOAD_H
#define FOTASIM_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "fota_url.h"
#include "network.h"
#include "vclock.h"

#define FILE_RX_TIMEOUT_MS 10000       /* real, unscaled: FILE mode gives up after this pause */
#define FILE_GUARD_MS 300              /* real, unscaled: quiet time after the last expected byte */
#define DOWNLOAD_STALL_MS 60000         /* virtual: no byte for this long is a timeout */
#define DOWNLOAD_STALL_FLOOR_MS 5000    /* real: never shorter (servers delay failed logins) */

/* FILE mode's consumer of the port's input: returns how many bytes it took. */
typedef size_t (*download_input_fn)(void *ctx, const char *data, size_t len);

/* What a download needs from its module and process. */
struct download_env {
  uv_loop_t *loop;
  struct vclock *clock;
  struct curl_loop *curl;
  const struct dns_entry *dns;
  int ndns;
  struct network *nw;        /* the module's link, which downloads are shaped on; NULL: none */
  /* FILE mode: the port's input goes to fn(fn_ctx); fn NULL gives it back. */
  void (*attach_input)(void *actx, download_input_fn fn, void *fn_ctx);
  void *actx;
};

struct download_sink {
  void *ctx;
  void (*on_size)(void *ctx, int64_t total);           /* once, when known (-1: unknown) */
  int (*on_data)(void *ctx, const void *data, size_t len); /* nonzero: stop with that error */
  /* 0: complete; not called if cancelled. cause: what was seen (an HTTP status, an FTP reply,
   * curl's or the system's words), for the log; NULL if nothing more than the code. */
  void (*on_done)(void *ctx, int err, const char *cause);
};

struct download;

/* What every implementation's download starts with. */
struct download_ops {
  void (*cancel)(struct download *d);
};

struct download *download_start(const struct download_env *env, const struct fota_url *url,
                                 const struct download_sink *sink);
/* Stops a download; its sink hears nothing more. */
void download_cancel(struct download *d);

/* The implementations download_start chooses from by scheme. */
struct download *download_curl_start(const struct download_env *env, const struct fota_url *url,
                                      const struct download_sink *sink);
struct download *download_file_start(const struct download_env *env, const struct fota_url *url,
                                      const struct download_sink *sink);

#endif
