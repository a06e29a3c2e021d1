/* svc_env: what the module's curl-based clients (HTTP(S), FTP(S)) work with: the loop and
 * clock, the process's curl loop, the network model, the SSL contexts of AT+QSSLCFG, the file
 * systems and the DNS map. Filled once by module/. */
#ifndef FOTASIM_SVC_ENV_H
#define FOTASIM_SVC_ENV_H

#include <uv.h>

#include "curl_loop.h"
#include "net.h"
#include "network.h"
#include "storage.h"
#include "vclock.h"

struct svc_env {
  uv_loop_t *loop;
  struct vclock *clock;
  struct curl_loop *cl;
  struct network *nw;
  struct net *tcpip;         /* the SSL contexts of AT+QSSLCFG */
  struct storage *st;
  const struct dns_entry *dns;
  int ndns;
};

#endif
