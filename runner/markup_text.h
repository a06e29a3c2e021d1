/* markup_text: text as XML or HTML character data or attribute value, for the JUnit and HTML
 * reports: markup escaped, and whatever XML 1.0 does not allow (control bytes, bytes that are
 * not well-formed UTF-8: a host's binary output) as U+FFFD, so that a report always parses. A
 * CR is kept as &#13;. */
#ifndef FOTASIM_MARKUP_TEXT_H
#define FOTASIM_MARKUP_TEXT_H

#include <stdio.h>

void markup_text(FILE *f, const char *text);

#endif
