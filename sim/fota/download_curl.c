/* download_curl: FTP, HTTP and HTTPS downloads on the process's curl loop (sim/services). Host
 * names resolve through the module's DNS map only; a stall watchdog runs on the virtual clock;
 * bandwidth is capped as the network model and timing say; curl's errors and the servers'
 * replies become the module's FTPEND/HTTPEND codes. */
#include "download.h"

#include <arpa/inet.h>

#include <curl/curl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curl_loop.h"
#include "errors.h"
#include "log.h"
#include "quiet_timer.h"
#include "shaper.h"

struct download {
  const struct download_ops *ops; /* first: the interface's view of a download */
  struct curl_loop *cl;
  struct curl_job job;
  struct download_sink sink;
  enum fota_scheme scheme;
  CURL *easy;
  struct curl_slist *resolve;
  struct quiet_timer watchdog; /* stall detection */
  uv_timer_t deferred;       /* failures found before curl starts, reported asynchronously */
  struct shaper shape;       /* the bytes cross the modelled downlink on the virtual clock */
  uint64_t stall_ms;
  int deferred_err;
  int size_told;
  int stop_err;              /* the error a sink callback asked to stop with */
  int ftp_error_reply;       /* the last FTP reply >= 400, as the server sent it */
  int finished;
  int handles_open;
  char host[FOTA_NAME_MAX + 1];
  char curl_err[CURL_ERROR_SIZE];  /* curl's words for a failure */
};

/* ---- one download ---- */

static void handle_closed(uv_handle_t *h)
{
  struct download *d = h->data;
  if (--d->handles_open == 0)
    free(d);
}

static void release(struct download *d)
{
  if (d->easy) {
    curl_loop_remove(d->cl, d->easy);
    curl_easy_cleanup(d->easy);
    d->easy = NULL;
  }
  curl_slist_free_all(d->resolve);
  d->resolve = NULL;
  shaper_stop(&d->shape);
  quiet_timer_close(&d->watchdog, handle_closed);
  uv_close((uv_handle_t *)&d->deferred, handle_closed);
}

static void finish(struct download *d, int err, const char *cause)
{
  struct download_sink sink = d->sink;
  if (d->finished)
    return;
  d->finished = 1;
  release(d);
  sink.on_done(sink.ctx, err, cause);
}

static int ftp(const struct download *d)
{
  return d->scheme == SCHEME_FTP;
}

/* What was seen, for the log: the server's reply, else curl's words. */
static void describe(struct download *d, CURLcode rc, char *out, size_t size)
{
  long reply = 0;
  if (d->easy)
    curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &reply);
  if (ftp(d) && d->ftp_error_reply)
    snprintf(out, size, "the FTP server replied %d", d->ftp_error_reply);
  else if (!ftp(d) && reply && (reply < 200 || reply > 299))
    snprintf(out, size, "the HTTP server answered status %ld", reply);
  else if (rc != CURLE_OK)
    snprintf(out, size, "%s", d->curl_err[0] ? d->curl_err : curl_easy_strerror(rc));
  else
    out[0] = '\0';
}

/* curl's result, the server's last reply, and the scheme → the module's code. */
static int map_error(struct download *d, CURLcode rc)
{
  long reply = 0;
  curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &reply);
  if (d->stop_err)
    return d->stop_err;
  if (rc == CURLE_OK) {
    if (!ftp(d) && (reply < 200 || reply > 299))
      return HTTP_BAD_STATUS;
    return 0;
  }
  if (ftp(d) && ftp_reply_error(d->ftp_error_reply)) /* the server said why: that comes first */
    return ftp_reply_error(d->ftp_error_reply);
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST:
    return ftp(d) ? FTP_DNS_FAILED : HTTP_DNS_FAILED;
  case CURLE_COULDNT_CONNECT:
    return ftp(d) ? FTP_NETWORK_ERROR : HTTP_CONNECT_FAILED;
  case CURLE_OPERATION_TIMEDOUT:
    return ftp(d) ? FTP_TIMEOUT : HTTP_TIMEOUT;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_USE_SSL_FAILED:
    return FTP_TLS_FAILED;
  case CURLE_HTTP_RETURNED_ERROR:
    return HTTP_BAD_STATUS;
  default:
    break;
  }
  if (ftp(d)) {
    switch (rc) {
    case CURLE_LOGIN_DENIED: return FTP_REPLY_530;
    case CURLE_REMOTE_FILE_NOT_FOUND: return FTP_REPLY_550;
    case CURLE_PARTIAL_FILE: return FTP_DATA_CLOSED;   /* the data connection ended early */
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR: { /* the server's sockets go away: before any file byte, that is
                              * its control connection closing; under a transfer, the peer
                              * closing the socket */
      curl_off_t got = 0;
      curl_easy_getinfo(d->easy, CURLINFO_SIZE_DOWNLOAD_T, &got);
      return got > 0 ? FTP_PEER_CLOSED : FTP_CONTROL_CLOSED;
    }
    default: return FTP_UNKNOWN;
    }
  }
  switch (rc) {
  case CURLE_PARTIAL_FILE:
  case CURLE_GOT_NOTHING:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
    return FOTA_CONNECTION_CLOSED;
  default:
    return HTTP_UNKNOWN;
  }
}

static void transfer_done(struct curl_job *job, CURLcode rc)
{
  struct download *d = (struct download *)((char *)job - offsetof(struct download, job));
  char cause[CURL_ERROR_SIZE + 64];
  if (d->finished)
    return;
  describe(d, rc, cause, sizeof(cause));
  finish(d, map_error(d, rc), cause[0] ? cause : NULL);
}

static void stalled(void *data)
{
  struct download *d = data;
  log_info("download stalled: no data for %llu ms", (unsigned long long)d->stall_ms);
  char cause[96];
  snprintf(cause, sizeof(cause), "no data from the server for %llu ms",
           (unsigned long long)d->stall_ms);
  finish(d, ftp(d) ? FTP_TIMEOUT : HTTP_TIMEOUT, cause);
}

static void tell_size(struct download *d)
{
  curl_off_t total = -1;
  if (d->size_told)
    return;
  d->size_told = 1;
  curl_easy_getinfo(d->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &total);
  d->sink.on_size(d->sink.ctx, total);
}

static size_t on_write(char *data, size_t size, size_t n, void *userp)
{
  struct download *d = userp;
  size_t len = size * n;
  long reply = 0;
  int err;
  if (d->finished)
    return 0;
  quiet_timer_again(&d->watchdog);
  if (!ftp(d)) { /* an error page is not the package */
    curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &reply);
    if (reply < 200 || reply > 299) {
      d->stop_err = HTTP_BAD_STATUS;
      return 0;
    }
  }
  tell_size(d);
  if (!shaper_admit(&d->shape, len)) { /* on the link: no stall while it carries them */
    quiet_timer_stop(&d->watchdog);
    return CURL_WRITEFUNC_PAUSE;       /* curl offers the same bytes again once unpaused */
  }
  shaper_took(&d->shape, len);
  err = d->sink.on_data(d->sink.ctx, data, len);
  if (err) {
    d->stop_err = err;
    return 0;
  }
  return len;
}

static void carried(void *ctx)
{
  struct download *d = ctx;
  if (d->finished || !d->easy)
    return;
  quiet_timer_again(&d->watchdog);
  curl_easy_pause(d->easy, CURLPAUSE_CONT); /* may call on_write at once */
}

/* For FTP, curl hands every server reply line here: remember the last error reply. */
static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
  struct download *d = userp;
  size_t len = size * n;
  int code = ftp(d) ? ftp_reply_code(line, len) : 0;
  if (code >= 400)
    d->ftp_error_reply = code;
  return len;
}

static void deferred_fail(uv_timer_t *t)
{
  struct download *d = t->data;
  char cause[FOTA_NAME_MAX + 64];
  snprintf(cause, sizeof(cause), "%s is not in the scenario's DNS map", d->host);
  finish(d, d->deferred_err, cause);
}


static void curl_cancel(struct download *d)
{
  if (d->finished)
    return;
  d->finished = 1;
  release(d);
}

static const struct download_ops curl_ops = { curl_cancel };

struct download *download_curl_start(const struct download_env *env, const struct fota_url *url,
                                      const struct download_sink *sink)
{
  struct download *d = calloc(1, sizeof(*d));
  char full[FOTA_URL_MAX + 128];

  d->ops = &curl_ops;
  d->cl = env->curl;
  d->sink = *sink;
  d->scheme = url->scheme;
  snprintf(d->host, sizeof(d->host), "%s", url->host);
  quiet_timer_init(&d->watchdog, env->loop, d);
  uv_timer_init(env->loop, &d->deferred);
  d->deferred.data = d;
  d->handles_open = 2;
  shaper_init(&d->shape, env->clock, env->nw, carried, d);

  /* Names resolve through the module's DNS map only: an unknown name fails as DNS does. */
  d->easy = curl_easy_init();
  if (!d->easy ||
      curl_loop_prepare(d->easy, env->dns, env->ndns, url->host, url->port, &d->resolve) != 0) {
    d->deferred_err = ftp(d) ? FTP_DNS_FAILED : HTTP_DNS_FAILED;
    uv_timer_start(&d->deferred, deferred_fail, 0, 0);
    return d;
  }
  fota_url_format(url, full, sizeof(full));
  curl_easy_setopt(d->easy, CURLOPT_URL, full);
  curl_easy_setopt(d->easy, CURLOPT_ERRORBUFFER, d->curl_err);
  curl_easy_setopt(d->easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(d->easy, CURLOPT_WRITEDATA, d);
  curl_easy_setopt(d->easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(d->easy, CURLOPT_HEADERDATA, d);
  /* Each FOTA opens its own session. (Not FORBID_REUSE: its QUIT would overwrite the reply
   * code that says why a transfer failed.) */
  curl_easy_setopt(d->easy, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(d->easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(d->easy, CURLOPT_SSL_VERIFYPEER, 0L); /* the module's default seclevel 0 */
  curl_easy_setopt(d->easy, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(d->easy, CURLOPT_PROTOCOLS_STR, "ftp,http,https");
  if (url->scheme == SCHEME_FTP) {
    curl_easy_setopt(d->easy, CURLOPT_USERNAME, url->user);
    curl_easy_setopt(d->easy, CURLOPT_PASSWORD, url->password);
  }
  d->stall_ms = vclock_real_timeout(env->clock, DOWNLOAD_STALL_MS, DOWNLOAD_STALL_FLOOR_MS);
  curl_easy_setopt(d->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)d->stall_ms);
  quiet_timer_start(&d->watchdog, d->stall_ms, stalled);
  d->job.on_done = transfer_done;
  curl_loop_add(d->cl, d->easy, &d->job);
  return d;
}

