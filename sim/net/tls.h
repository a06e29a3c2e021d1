/* tls: one TLS client session (mbedTLS) over bytes its caller carries: ciphertext comes in
 * through tls_input_space/tls_input_added and goes out through tls_output; it opens no socket
 * and reads no file. */
#ifndef FOTASIM_TLS_H
#define FOTASIM_TLS_H

#include <stddef.h>

#define TLS_INPUT_MAX (32 * 1024)  /* ciphertext received and not yet decrypted */

/* AT+QSSLCFG's settings of one SSL context. */
struct tls_settings {
  int version;            /* "sslversion": 0 SSL 3.0, 1 TLS 1.0, 2 TLS 1.1, 3 TLS 1.2, 4 all */
  unsigned ciphersuite;   /* "ciphersuite": 0xFFFF all, else one IANA number */
  int seclevel;           /* 0 no check, 1 the server against the CA, 2 also our certificate */
  int ignore_time;        /* "ignorelocaltime" 1: validity dates are not checked */
  int sni;                /* 1: the host name goes in the ClientHello and is checked */
};

/* The files "cacert", "clientcert", "clientkey" name, as read (PEM or DER); NULL if unset. */
struct tls_keys {
  const unsigned char *ca, *cert, *key;
  size_t ca_len, cert_len, key_len;
};

enum { TLS_DONE = 0, TLS_AGAIN = 1, TLS_FAILED = -1 };

struct tls;

/* A session for host (NULL on failure, with why: the bad file, the missing CA). */
struct tls *tls_new(const struct tls_settings *set, const struct tls_keys *keys,
                    const char *host, char *why, size_t whylen);
void tls_free(struct tls *t);
/* Where the next ciphertext may go, and how much fits (0: full). */
unsigned char *tls_input_space(struct tls *t, size_t *room);
void tls_input_added(struct tls *t, size_t len);
/* The handshake goes as far as the input allows: TLS_DONE, TLS_AGAIN, TLS_FAILED (with why). */
int tls_handshake(struct tls *t, char *why, size_t whylen);
/* Plaintext: the count, 0 for none yet, -1 when the peer closed (close_notify, an alert, bad
 * records). */
long tls_read(struct tls *t, unsigned char *buf, size_t max);
/* Plaintext to send: 0, or -1 if the session is broken. */
int tls_write(struct tls *t, const unsigned char *data, size_t len);
/* Ciphertext waiting to go out; tls_output_taken says how much the caller took. */
const unsigned char *tls_output(const struct tls *t, size_t *len);
void tls_output_taken(struct tls *t, size_t len);
/* The protocol version and cipher suite agreed, for logs. */
const char *tls_describe(const struct tls *t, char *buf, size_t len);

#endif
