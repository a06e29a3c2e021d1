/* curl_tls: an SSL context of AT+QSSLCFG as libcurl's TLS options, for the clients that run on
 * curl (HTTP(S), FTP(S)). */
#ifndef FOTASIM_CURL_TLS_H
#define FOTASIM_CURL_TLS_H

#include <curl/curl.h>

#include "net.h"
#include "storage.h"

/* seclevel 0: no check; 1: the server against "cacert" (its name only with "sni"); 2: also the
 * client's own certificate and key. "sslversion" 0-3 pins that version, 4 allows any. */
void curl_tls_options(CURL *easy, const struct net_ssl *ssl, const struct storage *st);

#endif
