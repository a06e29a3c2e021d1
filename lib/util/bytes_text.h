/* bytes_text: bytes shown as text for people (printable ASCII as is; \r \n \t \\ and \xHH for
 * the rest), and the JSON strings that carry raw bytes one code point per byte (U+0000-U+00FF,
 * as events do) and base64 turned back into the bytes. */
#ifndef FOTASIM_BYTES_TEXT_H
#define FOTASIM_BYTES_TEXT_H

#include <stddef.h>

/* Writes the escaped text of b[0..n) into out (NUL-terminated, never cut inside an escape);
 * returns how many of the bytes it holds. size 4n+1 always holds all. */
size_t bytes_escape(const unsigned char *b, size_t n, char *out, size_t size);

/* The first `show` bytes of b[0..n) escaped, then " ... (N bytes)" if there were more: a new
 * string (free), or NULL without memory. */
char *bytes_preview(const unsigned char *b, size_t n, size_t show);

/* The bytes of base64 text s: a new buffer (free) with their count in *n, or NULL if s is not
 * base64 (or without memory). */
unsigned char *bytes_from_base64(const char *s, size_t *n);

/* The bytes a code-point-per-byte string of len bytes (UTF-8) stands for, into out (room for
 * len bytes); their count. */
size_t bytes_from_codepoints(const char *s, size_t len, unsigned char *out);

#endif
