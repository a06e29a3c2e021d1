/* url_mask: hides passwords of URLs ("scheme://user:PASSWORD@host") and the user name and
 * password of AT+QMTCONN and AT+QFTPCFG="account" in logs, events and the transcript. Streaming: bytes of a URL's authority are held until it is known whether they hold
 * a password, so a password split across reads is still masked. Each password byte becomes '*'. */
#ifndef FOTASIM_URL_MASK_H
#define FOTASIM_URL_MASK_H

#include <stddef.h>

#define URL_MASK_HOLD 320
#define URL_MASK_CREDS 5 /* commands with credentials (url_mask.c) */

struct url_mask {
  int matched;            /* how much of "://" has been seen */
  int in_authority;
  size_t hold_len;
  size_t last_at;         /* 1 + where the held authority's last '@' is (0: none yet) */
  char hold[URL_MASK_HOLD];
  int cred_matched[URL_MASK_CREDS]; /* how much of each credential command has been seen */
  int cred_on, cred_commas, cred_after; /* in its parameters: after cred_after commas, masked */
};

void url_mask_init(struct url_mask *m);
/* Masks n bytes of in into out (room for n + URL_MASK_HOLD); returns the bytes written, which
 * may lag the input while an authority is held. */
size_t url_mask_feed(struct url_mask *m, const char *in, size_t n, char *out);
/* Releases held bytes (end of stream): a held authority with a ':' is masked after it. */
size_t url_mask_flush(struct url_mask *m, char *out);
/* One-shot: masks a whole string in place (the length never changes). */
void url_mask_string(char *s, size_t len);

#endif
