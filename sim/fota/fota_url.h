/* fota_url: parses and checks the <url> of AT+QFOTADL (SPEC §5): FTP with credentials, HTTP(S),
 * FILE:<length>; the limits on each part and the error each violation gives. */
#ifndef FOTASIM_FOTA_URL_H
#define FOTASIM_FOTA_URL_H

#include <stddef.h>

#define FOTA_URL_MAX 255
#define FOTA_NAME_MAX 50

enum fota_scheme { SCHEME_FTP, SCHEME_HTTP, SCHEME_HTTPS, SCHEME_FILE };

struct fota_url {
  enum fota_scheme scheme;
  char user[FOTA_NAME_MAX + 1];
  char password[FOTA_NAME_MAX + 1];
  char host[FOTA_NAME_MAX + 1];
  int port;
  char path[FOTA_URL_MAX + 1];       /* from the first '/' after the host */
  char file[FOTA_NAME_MAX + 1];      /* the last path component: the name it is stored under */
  unsigned long file_length;         /* FILE:<length> */
};

/* 0, or the FOTA error code for the write command's response (551, 557, 560, 561). */
int fota_url_parse(const char *text, struct fota_url *u);
const char *fota_scheme_name(enum fota_scheme s);  /* "FTP", "HTTP", "FILE" for URCs */
/* The URL as curl takes it and logs show it: scheme://host:port/path, without user and
 * password; "FILE:<length>" for FILE mode. */
void fota_url_format(const struct fota_url *u, char *out, size_t size);

#endif
