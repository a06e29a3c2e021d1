/* fota_url: parses and checks the <url> of AT+QFOTADL (SPEC §5): FTP with credentials, HTTP(S),
 * FILE:<length>; the limits on each part and the error each violation gives. */
#include "fota_url.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"

const char *fota_scheme_name(enum fota_scheme s)
{
  return s == SCHEME_FTP ? "FTP" : s == SCHEME_FILE ? "FILE" : "HTTP";
}

static int copy_part(char *dst, const char *src, size_t n)
{
  if (n > FOTA_NAME_MAX)
    return FOTA_NAME_TOO_LONG;
  memcpy(dst, src, n);
  dst[n] = '\0';
  return 0;
}

static int host_ok(const char *h)
{
  if (!*h)
    return 0;
  for (; *h; h++)
    if (!isalnum((unsigned char)*h) && *h != '.' && *h != '-' && *h != '_')
      return 0;
  return 1;
}

int fota_url_parse(const char *text, struct fota_url *u)
{
  const char *p, *auth, *auth_end, *at, *colon;
  size_t len = strlen(text);
  int rc;

  memset(u, 0, sizeof(*u));
  if (len == 0 || len > FOTA_URL_MAX)
    return FOTA_INVALID_PARAM;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)text[i] < 0x21 || (unsigned char)text[i] > 0x7e)
      return FOTA_BAD_URL;
  if (strncasecmp(text, "FILE:", 5) == 0) {
    char *end;
    errno = 0;
    u->scheme = SCHEME_FILE;
    u->file_length = strtoul(text + 5, &end, 10);
    if (errno || end == text + 5 || *end || !isdigit((unsigned char)text[5]) ||
        u->file_length == 0)
      return FOTA_INVALID_PARAM;
    return 0;
  }
  if (strncasecmp(text, "ftp://", 6) == 0) {
    u->scheme = SCHEME_FTP;
    u->port = 21;
    auth = text + 6;
  } else if (strncasecmp(text, "http://", 7) == 0) {
    u->scheme = SCHEME_HTTP;
    u->port = 80;
    auth = text + 7;
  } else if (strncasecmp(text, "https://", 8) == 0) {
    u->scheme = SCHEME_HTTPS;
    u->port = 443;
    auth = text + 8;
  } else {
    return strstr(text, "://") ? FOTA_BAD_SCHEME : FOTA_BAD_URL;
  }
  auth_end = strchr(auth, '/');
  if (!auth_end)
    return FOTA_BAD_URL; /* no file */
  for (at = auth_end; at > auth && at[-1] != '@'; at--) /* the last '@': a password may */
    ;                                                     /* hold raw '@'s, as curl reads it */
  at = at > auth ? at - 1 : NULL;
  if (at) {
    const char *sep = memchr(auth, ':', (size_t)(at - auth));
    if (u->scheme != SCHEME_FTP)
      return FOTA_BAD_URL;
    if (!sep)
      return FOTA_BAD_URL;
    if ((rc = copy_part(u->user, auth, (size_t)(sep - auth))) ||
        (rc = copy_part(u->password, sep + 1, (size_t)(at - sep - 1))))
      return rc;
    if (!u->user[0])
      return FOTA_BAD_URL;
    auth = at + 1;
  } else if (u->scheme == SCHEME_FTP) {
    snprintf(u->user, sizeof(u->user), "anonymous");
  }
  colon = memchr(auth, ':', (size_t)(auth_end - auth));
  if ((rc = copy_part(u->host, auth, (size_t)((colon ? colon : auth_end) - auth))))
    return rc;
  if (!host_ok(u->host))
    return FOTA_BAD_URL;
  if (colon) {
    long port = 0;
    const char *q = colon + 1;
    if (q == auth_end)
      return FOTA_BAD_URL;
    for (; q < auth_end; q++) {
      if (!isdigit((unsigned char)*q))
        return FOTA_BAD_URL;
      port = port * 10 + (*q - '0');
      if (port > 65535)
        return FOTA_BAD_URL;
    }
    if (port < 1)
      return FOTA_BAD_URL;
    u->port = (int)port;
  }
  snprintf(u->path, sizeof(u->path), "%s", auth_end);
  p = strrchr(auth_end, '/') + 1;
  if (u->scheme == SCHEME_FTP && p != auth_end + 1)
    return FOTA_BAD_URL; /* FTP: the file must be in the server's root */
  if (!*p || strchr(p, '?') == p)
    return FOTA_BAD_URL;
  {
    size_t n = strcspn(p, "?#");
    if ((rc = copy_part(u->file, p, n)))
      return rc;
  }
  if (!strcmp(u->file, ".") || !strcmp(u->file, ".."))
    return FOTA_BAD_URL;
  return 0;
}

void fota_url_format(const struct fota_url *u, char *out, size_t size)
{
  if (u->scheme == SCHEME_FILE)
    snprintf(out, size, "FILE:%lu", u->file_length);
  else
    snprintf(out, size, "%s://%s:%d%s",
             u->scheme == SCHEME_FTP ? "ftp" : u->scheme == SCHEME_HTTPS ? "https" : "http",
             u->host, u->port, u->path);
}
