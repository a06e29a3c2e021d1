/* markup_text: text as XML or HTML character data (see markup_text.h). */
#include "markup_text.h"

/* The length of the well-formed UTF-8 sequence at s that XML 1.0 allows (no surrogates, no
 * U+FFFE/U+FFFF, nothing over U+10FFFF, shortest form), or 0. */
static size_t utf8_char(const unsigned char *s)
{
  unsigned cp, n;
  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xC2 && s[0] <= 0xDF) {
    n = 2;
    cp = s[0] & 0x1Fu;
  } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
    n = 3;
    cp = s[0] & 0x0Fu;
  } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
    n = 4;
    cp = s[0] & 0x07u;
  } else {
    return 0;
  }
  for (unsigned i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
      return 0;
    cp = cp << 6 | (s[i] & 0x3Fu);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
    return 0;
  return n;
}

void markup_text(FILE *f, const char *text)
{
  const unsigned char *s = (const unsigned char *)text;
  while (s && *s) {
    unsigned char c = *s;
    size_t n = utf8_char(s);
    if (n == 0) {
      fputs("&#xFFFD;", f);
      s++;
      continue;
    }
    if (n > 1) {
      fwrite(s, 1, n, f);
      s += n;
      continue;
    }
    s++;
    if (c == '<')
      fputs("&lt;", f);
    else if (c == '>')
      fputs("&gt;", f);
    else if (c == '&')
      fputs("&amp;", f);
    else if (c == '"')
      fputs("&quot;", f);
    else if (c == '\r')
      fputs("&#13;", f); /* kept as it was: a raw CR would be read as a line end */
    else if (c < 0x20 && c != '\n' && c != '\t')
      fputs("&#xFFFD;", f); /* not allowed in XML 1.0 */
    else
      fputc(c, f);
  }
}

