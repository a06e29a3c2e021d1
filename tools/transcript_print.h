/* transcript_print: a transcript (fotasim --transcript, fotasim run --transcript-dir) as lines a
 * person reads: time, virtual time, module, port, what happened, and the bytes as text with
 * escapes. `fotasimctl transcript FILE` prints one. */
#ifndef FOTASIM_TRANSCRIPT_PRINT_H
#define FOTASIM_TRANSCRIPT_PRINT_H

#include <stdio.h>

/* Prints the JSON-lines transcript at path (- : standard input) to out; lines that are not
 * events are shown as they are. 0, or -1 (with a message) if it cannot be read. */
int transcript_print(const char *path, FILE *out);

#endif
