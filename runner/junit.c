/* junit: the JUnit XML report of `fotasim run`: one test case per scenario, a failure naming
 * each expectation that did not hold and what was seen, the host's output tail. */
#include <stdio.h>
#include <string.h>

#include "run.h"

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

/* Text as XML character data: markup escaped, and whatever XML 1.0 does not allow (control
 * bytes, bytes that are not well-formed UTF-8: a host's binary output) as U+FFFD, so that the
 * report always parses. */
static void xml_text(FILE *f, const char *text)
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
    xml_text(f, j->name);
    fputs("\" file=\"", f);
    xml_text(f, j->path);
    fprintf(f, "\" time=\"%.3f\">\n", j->seconds);
    if (!j->passed) {
      fputs("      <failure type=\"expectation\" message=\"", f);
      xml_text(f, j->er.nfails ? j->er.fails[0] : "failed");
      fputs("\">", f);
      for (int k = 0; k < j->er.nfails; k++) {
        xml_text(f, j->er.fails[k]);
        fputc('\n', f);
      }
      fputs("</failure>\n", f);
    }
    if (j->host_tail && *j->host_tail) {
      fputs("      <system-out>", f);
      xml_text(f, j->host_tail);
      fputs("</system-out>\n", f);
    }
    fputs("    </testcase>\n", f);
  }
  fputs("  </testsuite>\n</testsuites>\n", f);
  return fclose(f) == 0 ? 0 : -1;
}
