/* tls: a TLS client session on mbedTLS with memory callbacks in place of a socket (see tls.h).
 * One random generator serves every session of the process. */
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

struct tls {
  mbedtls_ssl_context ssl;
  mbedtls_ssl_config conf;
  mbedtls_x509_crt ca, cert;
  mbedtls_pk_context key;
  int ignore_time;
  int suites[2];
  unsigned char in[TLS_INPUT_MAX];
  size_t in_start, in_len;      /* unread ciphertext: in[in_start .. in_start + in_len) */
  unsigned char *out;           /* ciphertext not yet taken */
  size_t out_len, out_cap;
};

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static int drbg_ready;

static int random_ready(void)
{
  static const char who[] = "fotasim tls";
  if (drbg_ready)
    return 0;
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)who,
                            sizeof(who) - 1) != 0)
    return -1;
  drbg_ready = 1;
  return 0;
}

static void explain(int rc, const char *what, char *why, size_t whylen)
{
  char text[128];
  mbedtls_strerror(rc, text, sizeof(text));
  snprintf(why, whylen, "%s: %s", what, text);
}

static int bio_send(void *p, const unsigned char *buf, size_t len)
{
  struct tls *t = p;
  if (t->out_len + len > t->out_cap) {
    size_t cap = t->out_cap ? t->out_cap : 4096;
    unsigned char *out;
    while (cap < t->out_len + len)
      cap *= 2;
    if (!(out = realloc(t->out, cap)))
      return MBEDTLS_ERR_SSL_ALLOC_FAILED;
    t->out = out;
    t->out_cap = cap;
  }
  memcpy(t->out + t->out_len, buf, len);
  t->out_len += len;
  return (int)len;
}

static int bio_recv(void *p, unsigned char *buf, size_t len)
{
  struct tls *t = p;
  if (!t->in_len)
    return MBEDTLS_ERR_SSL_WANT_READ;
  if (len > t->in_len)
    len = t->in_len;
  memcpy(buf, t->in + t->in_start, len);
  t->in_start += len;
  t->in_len -= len;
  if (!t->in_len)
    t->in_start = 0;
  return (int)len;
}

/* "ignorelocaltime": a certificate outside its dates still passes. */
static int verify_dates(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
  struct tls *t = p;
  (void)crt;
  (void)depth;
  if (t->ignore_time)
    *flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE |
                          MBEDTLS_X509_BADCRL_EXPIRED | MBEDTLS_X509_BADCRL_FUTURE);
  return 0;
}

/* PEM wants its terminating NUL counted, DER does not: a copy that has one, and the length
 * to parse. */
static unsigned char *terminated(const unsigned char *data, size_t len, size_t *parse_len)
{
  unsigned char *copy = malloc(len + 1);
  if (!copy)
    return NULL;
  memcpy(copy, data, len);
  copy[len] = '\0';
  *parse_len = strstr((char *)copy, "-----BEGIN") ? len + 1 : len;
  return copy;
}

static int parse_crt(mbedtls_x509_crt *crt, const unsigned char *data, size_t len)
{
  size_t n;
  unsigned char *copy = terminated(data, len, &n);
  int rc = copy ? mbedtls_x509_crt_parse(crt, copy, n) : MBEDTLS_ERR_X509_ALLOC_FAILED;
  free(copy);
  return rc;
}

static int parse_key(mbedtls_pk_context *pk, const unsigned char *data, size_t len)
{
  size_t n;
  unsigned char *copy = terminated(data, len, &n);
  int rc = copy ? mbedtls_pk_parse_key(pk, copy, n, NULL, 0) : MBEDTLS_ERR_PK_ALLOC_FAILED;
  if (copy)
    mbedtls_platform_zeroize(copy, len); /* the key stays nowhere but in the session */
  free(copy);
  return rc;
}

static int set_version(struct tls *t, int version)
{
  int lo = MBEDTLS_SSL_MINOR_VERSION_1, hi = MBEDTLS_SSL_MINOR_VERSION_3;
  if (version == 0)
    return -1; /* SSL 3.0: Debian's mbedTLS has it compiled out */
  if (version >= 1 && version <= 3)
    lo = hi = version; /* TLS 1.0 is minor 1 ... TLS 1.2 is minor 3 */
  mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, lo);
  mbedtls_ssl_conf_max_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, hi);
  return 0;
}

struct tls *tls_new(const struct tls_settings *set, const struct tls_keys *keys,
                    const char *host, char *why, size_t whylen)
{
  struct tls *t;
  int rc;
  if (random_ready() != 0) {
    snprintf(why, whylen, "no random generator");
    return NULL;
  }
  if (!(t = calloc(1, sizeof(*t)))) {
    snprintf(why, whylen, "out of memory");
    return NULL;
  }
  mbedtls_ssl_init(&t->ssl);
  mbedtls_ssl_config_init(&t->conf);
  mbedtls_x509_crt_init(&t->ca);
  mbedtls_x509_crt_init(&t->cert);
  mbedtls_pk_init(&t->key);
  t->ignore_time = set->ignore_time;
  if ((rc = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
                                        MBEDTLS_SSL_TRANSPORT_STREAM,
                                        MBEDTLS_SSL_PRESET_DEFAULT)) != 0) {
    explain(rc, "config", why, whylen);
    goto fail;
  }
  mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &drbg);
  if (set_version(t, set->version) != 0) {
    snprintf(why, whylen, "sslversion %d (SSL 3.0) is not offered", set->version);
    goto fail;
  }
  if (set->ciphersuite != 0xFFFF) {
    t->suites[0] = (int)set->ciphersuite;
    mbedtls_ssl_conf_ciphersuites(&t->conf, t->suites);
  }
  if (set->seclevel == 0) {
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_NONE);
  } else {
    if (!keys->ca) {
      snprintf(why, whylen, "seclevel %d without a cacert", set->seclevel);
      goto fail;
    }
    if ((rc = parse_crt(&t->ca, keys->ca, keys->ca_len)) != 0) {
      explain(rc, "cacert", why, whylen);
      goto fail;
    }
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_verify(&t->conf, verify_dates, t);
  }
  if (set->seclevel == 2) {
    if (!keys->cert || !keys->key) {
      snprintf(why, whylen, "seclevel 2 without a clientcert and a clientkey");
      goto fail;
    }
    if ((rc = parse_crt(&t->cert, keys->cert, keys->cert_len)) != 0) {
      explain(rc, "clientcert", why, whylen);
      goto fail;
    }
    if ((rc = parse_key(&t->key, keys->key, keys->key_len)) != 0) {
      explain(rc, "clientkey", why, whylen);
      goto fail;
    }
    if ((rc = mbedtls_ssl_conf_own_cert(&t->conf, &t->cert, &t->key)) != 0) {
      explain(rc, "clientcert", why, whylen);
      goto fail;
    }
  }
  if ((rc = mbedtls_ssl_setup(&t->ssl, &t->conf)) != 0) {
    explain(rc, "setup", why, whylen);
    goto fail;
  }
  if (set->sni && (rc = mbedtls_ssl_set_hostname(&t->ssl, host)) != 0) {
    explain(rc, "sni", why, whylen);
    goto fail;
  }
  mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
  return t;
fail:
  tls_free(t);
  return NULL;
}

void tls_free(struct tls *t)
{
  if (!t)
    return;
  mbedtls_ssl_free(&t->ssl);
  mbedtls_ssl_config_free(&t->conf);
  mbedtls_x509_crt_free(&t->ca);
  mbedtls_x509_crt_free(&t->cert);
  mbedtls_pk_free(&t->key);
  free(t->out);
  free(t);
}

unsigned char *tls_input_space(struct tls *t, size_t *room)
{
  if (t->in_start && t->in_start + t->in_len == TLS_INPUT_MAX) {
    memmove(t->in, t->in + t->in_start, t->in_len);
    t->in_start = 0;
  }
  *room = TLS_INPUT_MAX - t->in_start - t->in_len;
  return t->in + t->in_start + t->in_len;
}

void tls_input_added(struct tls *t, size_t len)
{
  t->in_len += len;
}

int tls_handshake(struct tls *t, char *why, size_t whylen)
{
  int rc = mbedtls_ssl_handshake(&t->ssl);
  uint32_t flags;
  if (rc == 0)
    return TLS_DONE;
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
    return TLS_AGAIN;
  flags = mbedtls_ssl_get_verify_result(&t->ssl);
  if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags) {
    char text[160];
    int n = mbedtls_x509_crt_verify_info(text, sizeof(text), "", flags);
    while (n > 0 && (text[n - 1] == '\n'))
      text[--n] = '\0';
    snprintf(why, whylen, "server certificate: %s", text);
  } else {
    explain(rc, "handshake", why, whylen);
  }
  return TLS_FAILED;
}

long tls_read(struct tls *t, unsigned char *buf, size_t max)
{
  int rc = mbedtls_ssl_read(&t->ssl, buf, max);
  if (rc > 0)
    return rc;
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
    return 0;
  return -1; /* 0 is close_notify; the rest is a broken session */
}

int tls_write(struct tls *t, const unsigned char *data, size_t len)
{
  while (len) {
    int rc = mbedtls_ssl_write(&t->ssl, data, len);
    if (rc <= 0)
      return -1; /* the output never blocks: what remains is an error */
    data += rc;
    len -= (size_t)rc;
  }
  return 0;
}

const unsigned char *tls_output(const struct tls *t, size_t *len)
{
  *len = t->out_len;
  return t->out;
}

void tls_output_taken(struct tls *t, size_t len)
{
  memmove(t->out, t->out + len, t->out_len - len);
  t->out_len -= len;
}

const char *tls_describe(const struct tls *t, char *buf, size_t len)
{
  snprintf(buf, len, "%s %s", mbedtls_ssl_get_version(&t->ssl),
           mbedtls_ssl_get_ciphersuite(&t->ssl));
  return buf;
}
