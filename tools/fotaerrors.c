/* fotaerrors: prints the module's error catalogue (docs/errors.md) from the one table. */
#include <stdio.h>
#include <string.h>

#include "cme_error.h"

int main(int argc, char **argv)
{
  if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    printf("Usage: fotaerrors\nPrints every error code fotasim reports, as Markdown: the list it\n"
           "belongs to, its meaning, where it appears and what produces it. docs/errors.md is\n"
           "this output.\n");
    return 0;
  }
  if (argc > 1) {
    fprintf(stderr, "fotaerrors: unexpected argument '%s' (see fotaerrors --help)\n", argv[1]);
    return 2;
  }
  error_catalogue_markdown(stdout);
  return 0;
}
