/* fotaerrors: prints the module's error catalogue (docs/errors.md), explains single codes, and
 * writes one scenario per documented code, from the one table (sim/at/errors.def, generators
 * in error_docs.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_docs.h"

static void usage(FILE *to)
{
  fprintf(to,
          "Usage: fotaerrors [CODE...] [--scenarios DIR]\n"
          "Without arguments, prints every error code fotasim reports, as Markdown: the list it\n"
          "belongs to, its meaning, where it appears and what produces it (docs/errors.md is\n"
          "this output).\n"
          "  CODE             explain these codes (a number may be in several lists)\n"
          "  --scenarios DIR  write one scenario per documented code (scenarios/errors/)\n"
          "  --version        print the version\n"
          "  -h, --help       this help\n");
}

/* Every entry with this number; 0 if it is in no list. */
static int explain(int code)
{
  int n, found = 0;
  const struct error_info *t = error_table(&n);
  for (int i = 0; i < n; i++) {
    if (t[i].code != code)
      continue;
    printf("%d (%s list): %s\n  appears in: %s\n  produced by: %s\n", code,
           error_family_name(t[i].family), t[i].text, t[i].where,
           t[i].cause ? t[i].cause : "a fault rule only (fotasim never reports it by itself)");
    found = 1;
  }
  return found;
}

static int write_scenarios(const char *dir)
{
  int n;
  const struct error_info *t = error_table(&n);
  for (int i = 0; i < n; i++) {
    char path[4200], name[64];
    FILE *f;
    if (!error_documented(&t[i]))
      continue;
    error_scenario_name(&t[i], name, sizeof(name));
    snprintf(path, sizeof(path), "%s/%s", dir, name);
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

int main(int argc, char **argv)
{
  static const struct option opts[] = {
    { "scenarios", required_argument, NULL, 's' },
    { "version", no_argument, NULL, 'V' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *dir = NULL;
  int c, rc = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 's': dir = optarg; break;
    case 'V': printf("fotaerrors %s\n", FOTASIM_VERSION); return 0;
    case 'h': usage(stdout); return 0;
    default:
      fprintf(stderr, "fotaerrors: see fotaerrors --help\n");
      return 2;
    }
  }
  if (dir)
    return write_scenarios(dir);
  if (optind == argc) {
    error_catalogue_markdown(stdout);
    return 0;
  }
  for (int i = optind; i < argc; i++) {
    char *end;
    long code = strtol(argv[i], &end, 10);
    if (!argv[i][0] || *end || code < 0 || code > 65535) {
      fprintf(stderr, "fotaerrors: '%s' is not an error code (a number, as in FTPEND,601)\n",
              argv[i]);
      return 2;
    }
    if (!explain((int)code)) {
      fprintf(stderr, "fotaerrors: %ld is in none of the module's lists\n", code);
      rc = 1;
    }
  }
  return rc;
}
