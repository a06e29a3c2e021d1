/* curl_loop: the process's libcurl multi handle driven by the libuv loop (socket and timer
 * callbacks; no blocking calls, no threads). Every transfer is a curl_job: when curl is done
 * with its easy handle, the job's on_done hears the result. */
#ifndef FOTASIM_CURL_LOOP_H
#define FOTASIM_CURL_LOOP_H

#include <curl/curl.h>
#include <stdint.h>
#include <uv.h>

#include "network.h"
#include "vclock.h"

struct curl_loop;

struct curl_job {
  void (*on_done)(struct curl_job *job, CURLcode rc);
};

struct curl_loop *curl_loop_new(uv_loop_t *loop);
void curl_loop_free(struct curl_loop *cl);
/* The transfer starts on the loop; job->on_done is called once it ends (not for a removed one). */
void curl_loop_add(struct curl_loop *cl, CURL *easy, struct curl_job *job);
void curl_loop_remove(struct curl_loop *cl, CURL *easy);
/* What every transfer the module makes has: no signals, no proxy, the host name resolved
 * through the module's DNS map only (*resolve: the CURLOPT_RESOLVE list, for the caller to
 * free). The downlink's bandwidth is the caller's, with a shaper (shaper.h) in its write
 * callback. 0, or -1 for a name the map does not have. */
int curl_loop_prepare(CURL *easy, const struct dns_entry *dns, int ndns, const char *host,
                      int port, struct curl_slist **resolve);

#endif
