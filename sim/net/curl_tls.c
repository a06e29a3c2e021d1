/* curl_tls: an SSL context of AT+QSSLCFG turned into libcurl's TLS options. */
#include "curl_tls.h"

void curl_tls_options(CURL *easy, const struct net_ssl *ssl, const struct storage *st)
{
  char path[4400];
  /* "sslversion" 1-3 pins that version (lowest and highest); 0 asks for SSL 3.0, 4 for any */
  static const long versions[] = {
    CURL_SSLVERSION_SSLv3, CURL_SSLVERSION_TLSv1_0 | CURL_SSLVERSION_MAX_TLSv1_0,
    CURL_SSLVERSION_TLSv1_1 | CURL_SSLVERSION_MAX_TLSv1_1,
    CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2, CURL_SSLVERSION_DEFAULT };
  curl_easy_setopt(easy, CURLOPT_SSLVERSION, versions[ssl->set.version]);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, ssl->set.seclevel >= 1 ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, ssl->set.seclevel >= 1 && ssl->set.sni ? 2L : 0L);
  if (ssl->set.seclevel >= 1 && storage_file(st, ssl->cacert, path, sizeof(path)) >= 0)
    curl_easy_setopt(easy, CURLOPT_CAINFO, path);
  curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
  if (ssl->set.seclevel == 2) {
    if (storage_file(st, ssl->clientcert, path, sizeof(path)) >= 0)
      curl_easy_setopt(easy, CURLOPT_SSLCERT, path);
    if (storage_file(st, ssl->clientkey, path, sizeof(path)) >= 0)
      curl_easy_setopt(easy, CURLOPT_SSLKEY, path);
  }
}
