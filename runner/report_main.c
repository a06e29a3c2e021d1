/* report_main: `fotasim report TRANSCRIPT.jsonl [OUT.html]`: the HTML page of one transcript,
 * as `fotasim run --report` makes for a scenario, without a verdict. */
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

static void usage(FILE *f)
{
  fprintf(f, "Usage: fotasim report TRANSCRIPT.jsonl [OUT.html]\n"
             "Writes the HTML page of a transcript (fotasim --transcript, or fotasim run\n"
             "--transcript-dir): a timeline of the bytes each way, power, network, FOTA and\n"
             "fired fault rules, and the events as a table; one file, nothing fetched.\n"
             "OUT.html defaults to TRANSCRIPT with .html for its .jsonl.\n\n"
             "  --help     show this help\n"
             "  --version  show the version\n");
}

static int read_transcript(const char *path, struct report_log *l)
{
  FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
  char *line = NULL;
  size_t cap = 0;
  unsigned long lineno = 0, bad = 0;
  if (!f) {
    fprintf(stderr, "fotasim report: cannot read %s: %s\n", path, strerror(errno));
    return -1;
  }
  while (getline(&line, &cap, f) > 0) {
    json_t *ev = json_loads(line, JSON_ALLOW_NUL, NULL);
    lineno++;
    if (json_is_object(ev) && json_object_get(ev, "event"))
      report_log_event(l, ev, -1);
    else if (!bad++)
      fprintf(stderr, "fotasim report: %s:%lu: not a transcript event (left out)\n", path,
              lineno);
    json_decref(ev);
  }
  free(line);
  if (f != stdin)
    fclose(f);
  return 0;
}

int report_main(int argc, char **argv)
{
  static const struct option longs[] = {
    { "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 },
  };
  struct report_log log = { 0 };
  struct report_page page = { 0 };
  char out[4200], name[256];
  const char *in, *base;
  size_t len;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
    if (c == 'h') {
      usage(stdout);
      return 0;
    }
    if (c == 'V') {
      printf("fotasim report %s\n", FOTASIM_VERSION);
      return 0;
    }
    fprintf(stderr, "fotasim report: unknown option '%s' (see fotasim report --help)\n",
            argv[optind - 1]);
    return EXIT_USAGE;
  }
  if (argc - optind < 1 || argc - optind > 2) {
    fprintf(stderr, "fotasim report: give a transcript and at most an output file (see "
                    "fotasim report --help)\n");
    return EXIT_USAGE;
  }
  in = argv[optind];
  len = strlen(in);
  if (argc - optind == 2)
    snprintf(out, sizeof(out), "%s", argv[optind + 1]);
  else if (len > 6 && !strcmp(in + len - 6, ".jsonl"))
    snprintf(out, sizeof(out), "%.*s.html", (int)(len - 6), in);
  else
    snprintf(out, sizeof(out), "%s.html", strcmp(in, "-") ? in : "transcript");
  base = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
  len = strlen(base);
  snprintf(name, sizeof(name), "%.*s", (int)(len > 6 && !strcmp(base + len - 6, ".jsonl") ?
                                            len - 6 : len), base);
  if (read_transcript(in, &log) != 0)
    return EXIT_USAGE;
  page.name = name;
  page.source = in;
  page.verdict = -1;
  page.log = &log;
  if (report_write_page(out, &page) != 0) {
    fprintf(stderr, "fotasim report: cannot write %s: %s\n", out, strerror(errno));
    report_log_free(&log);
    return 1;
  }
  fprintf(stderr, "fotasim report: %zu events in %s\n", log.n, out);
  report_log_free(&log);
  return 0;
}
