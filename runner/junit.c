/* junit: the JUnit XML report of `fotasim run`: one test case per scenario, a failure naming
 * each expectation that did not hold and what was seen, the host's output tail. */
#include <stdio.h>
#include <string.h>

#include "markup_text.h"
#include "run.h"

/* A shard's report names its suite "fotasim shard I of N", so that the reports of all shards
 * merge (their <testsuite> elements side by side, test case names disjoint). */
int junit_write(const char *path, const struct run_options *o, struct run_job *jobs, int n,
                double seconds)
{
  FILE *f = fopen(path, "w");
  int failures = 0;
  char suite[64] = "fotasim";
  if (!f)
    return -1;
  for (int i = 0; i < n; i++)
    failures += !jobs[i].passed;
  if (o->shard_count)
    snprintf(suite, sizeof(suite), "fotasim shard %d of %d", o->shard_index, o->shard_count);
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fprintf(f, "<testsuites tests=\"%d\" failures=\"%d\" errors=\"0\" time=\"%.3f\">\n", n,
          failures, seconds);
  fprintf(f, "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
             "skipped=\"0\" time=\"%.3f\">\n", suite, n, failures, seconds);
  for (int i = 0; i < n; i++) {
    struct run_job *j = &jobs[i];
    fputs("    <testcase classname=\"fotasim.scenario\" name=\"", f);
    markup_text(f, j->name);
    fputs("\" file=\"", f);
    markup_text(f, j->path);
    fprintf(f, "\" time=\"%.3f\">\n", j->seconds);
    if (!j->passed) {
      fputs("      <failure type=\"expectation\" message=\"", f);
      markup_text(f, j->er.nfails ? j->er.fails[0] : "failed");
      fputs("\">", f);
      for (int k = 0; k < j->er.nfails; k++) {
        markup_text(f, j->er.fails[k]);
        fputc('\n', f);
      }
      fputs("</failure>\n", f);
    }
    if (j->host_tail && *j->host_tail) {
      fputs("      <system-out>", f);
      markup_text(f, j->host_tail);
      fputs("</system-out>\n", f);
    }
    fputs("    </testcase>\n", f);
  }
  fputs("  </testsuite>\n</testsuites>\n", f);
  return fclose(f) == 0 ? 0 : -1;
}
