/* at_line: assembles AT command lines from a byte stream (V.250 prefix, S3, S5, A/, overflow). */
#include "at_line.h"

#include <string.h>

enum { ST_IDLE, ST_GOT_A, ST_BODY };

void at_line_init(struct at_line *line)
{
  memset(line, 0, sizeof(*line));
  line->state = ST_IDLE;
}

void at_line_remember(struct at_line *line, const char *body, size_t len)
{
  if (len > AT_BODY_MAX)
    len = AT_BODY_MAX;
  memmove(line->prev, body, len);
  line->prev[len] = '\0';
  line->prev_len = len;
}

enum at_line_event at_line_feed(struct at_line *line, unsigned char c, unsigned char s3,
                                unsigned char s5, int *echo)
{
  *echo = 0;
  switch (line->state) {
  case ST_IDLE:
    if (c == 'A' || c == 'a') {
      line->state = ST_GOT_A;
      *echo = 1;
    }
    return AT_LINE_NONE;

  case ST_GOT_A:
    if (c == 'T' || c == 't') {
      line->state = ST_BODY;
      line->len = 0;
      line->overflow = 0;
      *echo = 1;
    } else if (c == '/') {
      line->state = ST_IDLE;
      *echo = 1;
      return AT_LINE_REPEAT;
    } else if (c == 'A' || c == 'a') {
      *echo = 1; /* "AAT": the second A may start the line */
    } else {
      line->state = ST_IDLE;
    }
    return AT_LINE_NONE;

  default: /* ST_BODY */
    *echo = 1;
    if (c == s3) {
      line->state = ST_IDLE;
      if (line->overflow)
        return AT_LINE_OVERFLOW;
      line->body[line->len] = '\0';
      return AT_LINE_READY;
    }
    if (c == s5) {
      if (line->len > 0)
        line->len--;
      else if (!line->overflow)
        line->state = ST_GOT_A; /* backspace over the "T" */
      return AT_LINE_NONE;
    }
    if (line->len < AT_BODY_MAX)
      line->body[line->len++] = (char)c;
    else
      line->overflow = 1;
    return AT_LINE_NONE;
  }
}
