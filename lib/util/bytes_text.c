/* bytes_text: bytes as text with escapes, and code-point strings back into bytes (see
 * bytes_text.h). */
#include "bytes_text.h"

#include <mbedtls/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t bytes_escape(const unsigned char *b, size_t n, char *out, size_t size)
{
  size_t at = 0, i;
  if (!size)
    return 0;
  for (i = 0; i < n; i++) {
    char e[5];
    size_t k;
    unsigned char c = b[i];
    if (c == '\r' || c == '\n' || c == '\t' || c == '\\') {
      e[0] = '\\';
      e[1] = c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't' : '\\';
      k = 2;
    } else if (c >= 0x20 && c < 0x7F) {
      e[0] = (char)c;
      k = 1;
    } else {
      snprintf(e, sizeof(e), "\\x%02x", c);
      k = 4;
    }
    if (at + k >= size)
      break;
    for (size_t j = 0; j < k; j++)
      out[at++] = e[j];
  }
  out[at] = '\0';
  return i;
}

size_t bytes_from_codepoints(const char *s, size_t len, unsigned char *out)
{
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  size_t n = 0;
  while (p < end) {
    if (p + 1 < end && p[0] >= 0xC2 && p[0] <= 0xC3 && (p[1] & 0xC0) == 0x80) {
      out[n++] = (unsigned char)((p[0] & 0x03) << 6 | (p[1] & 0x3F));
      p += 2;
    } else {
      out[n++] = *p++;
    }
  }
  return n;
}

char *bytes_preview(const unsigned char *b, size_t n, size_t show)
{
  size_t size, at;
  char *out;
  if (show > n)
    show = n;
  size = show * 4 + 48;
  out = malloc(size);
  if (!out)
    return NULL;
  bytes_escape(b, show, out, size);
  at = strlen(out);
  if (show < n)
    snprintf(out + at, size - at, " ... (%zu bytes)", n);
  return out;
}

unsigned char *bytes_from_base64(const char *s, size_t *n)
{
  size_t len = strlen(s);
  unsigned char *b = malloc(len + 1);
  *n = 0;
  if (b && mbedtls_base64_decode(b, len + 1, n, (const unsigned char *)s, len) == 0)
    return b;
  free(b);
  *n = 0;
  return NULL;
}
