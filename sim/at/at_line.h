/* at_line: assembles AT command lines from a byte stream (V.250 prefix, S3, S5, A/, overflow). */
#ifndef FOTASIM_AT_LINE_H
#define FOTASIM_AT_LINE_H

#include <stddef.h>

/* The longest command line accepted, "AT" included, S3 excluded. */
#define AT_LINE_MAX 1024
#define AT_BODY_MAX (AT_LINE_MAX - 2)

enum at_line_event {
  AT_LINE_NONE,     /* byte absorbed, nothing to do yet */
  AT_LINE_READY,    /* a full line: its body (after "AT") is in line->body */
  AT_LINE_REPEAT,   /* "A/": repeat the previous line (in line->prev) */
  AT_LINE_OVERFLOW  /* S3 ended a line longer than AT_LINE_MAX: discard, answer ERROR */
};

struct at_line {
  int state;
  size_t len;
  int overflow;
  char body[AT_BODY_MAX + 1];
  size_t prev_len;
  char prev[AT_BODY_MAX + 1];
};

void at_line_init(struct at_line *line);
/* Feeds one byte. *echo is set to 1 when the byte belongs to a command line (and so is echoed
 * while E1 is in force); bytes before "A" are discarded unechoed. */
enum at_line_event at_line_feed(struct at_line *line, unsigned char c, unsigned char s3,
                                unsigned char s5, int *echo);
/* Records the body just executed as the line "A/" repeats. */
void at_line_remember(struct at_line *line, const char *body, size_t len);

#endif
