/* fotaerrors: prints the module's error catalogue (docs/errors.md) and writes one scenario per
 * documented code, from the one table (sim/at/errors.def, generators in error_docs.c). */
#include <stdio.h>
#include <string.h>

#include "error_docs.h"
#include "error_docs.h"

int main(int argc, char **argv)
{
  if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    printf("Usage: fotaerrors [--scenarios DIR]\n"
           "Prints every error code fotasim reports, as Markdown: the list it belongs to, its\n"
           "meaning, where it appears and what produces it (docs/errors.md is this output).\n"
           "--scenarios DIR writes one scenario per documented code (scenarios/errors/).\n");
    return 0;
  }
  if (argc == 3 && !strcmp(argv[1], "--scenarios")) {
    int n;
    const struct error_info *t = error_table(&n);
    for (int i = 0; i < n; i++) {
      char path[4200], name[64];
      FILE *f;
      if (!error_documented(&t[i]))
        continue;
      error_scenario_name(&t[i], name, sizeof(name));
      snprintf(path, sizeof(path), "%s/%s", argv[2], name);
      f = fopen(path, "w");
      if (!f) {
        fprintf(stderr, "fotaerrors: cannot write %s\n", path);
        return 1;
      }
      error_scenario_yaml(&t[i], f);
      fclose(f);
    }
    return 0;
  }
  if (argc > 1) {
    fprintf(stderr, "fotaerrors: unexpected argument '%s' (see fotaerrors --help)\n", argv[1]);
    return 2;
  }
  error_catalogue_markdown(stdout);
  return 0;
}
