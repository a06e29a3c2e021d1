/* report_html: a run's HTML page and the index of pages (see report.h). Each page is one file
 * with its CSS and JS inline and nothing fetched: the event table is written here, the
 * timeline is drawn from it by report.js. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "markup_text.h"

extern const char report_css[], report_js[];

static const char *verdict_word(int verdict)
{
  return verdict > 0 ? "PASS" : verdict == 0 ? "FAIL" : "TRANSCRIPT";
}

static const char *verdict_class(int verdict)
{
  return verdict > 0 ? "pass" : verdict == 0 ? "fail" : "none";
}

static void head(FILE *f, const char *title)
{
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
  markup_text(f, title);
  fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n", report_css);
}

static void fact(FILE *f, const char *name, const char *value)
{
  fprintf(f, "<dt>%s</dt><dd>", name);
  markup_text(f, value);
  fputs("</dd>\n", f);
}

static uint64_t virtual_span(const struct report_log *l)
{
  return l->n ? l->ev[l->n - 1].vt - l->ev[0].vt : 0;
}

static void failures(FILE *f, const struct report_log *l)
{
  int any = 0;
  for (size_t i = 0; i < l->n; i++) {
    const struct report_event *e = &l->ev[i];
    if (e->kind != RK_FAIL)
      continue;
    if (!any)
      fputs("<section id=\"failures\">\n<h2>Failed expectations</h2>\n<ol>\n", f);
    any = 1;
    fprintf(f, "<li class=\"failure\"><a href=\"#e%zu\">", i);
    markup_text(f, e->text ? e->text : "");
    fprintf(f, "</a> <span class=\"note\">(at %.3f s, virtual %llu ms)</span></li>\n", e->t,
            (unsigned long long)e->vt);
  }
  if (any)
    fputs("</ol>\n</section>\n", f);
}

static void event_rows(FILE *f, const struct report_log *l)
{
  fputs("<table id=\"events\">\n<thead><tr><th>wall s</th><th>virtual ms</th><th>kind</th>"
        "<th>port</th><th>what</th></tr></thead>\n<tbody>\n", f);
  for (size_t i = 0; i < l->n; i++) {
    const struct report_event *e = &l->ev[i];
    const char *kind = report_kind_name(e->kind);
    double t = e->t < 0 ? 0 : e->t; /* a state from before any event, in a run with none */
    fprintf(f, "<tr id=\"e%zu\" class=\"k-%s\" data-kind=\"%s\" data-t=\"%.6f\" data-vt=\"%llu\"",
            i, kind, kind, t, (unsigned long long)e->vt);
    if (e->state && (e->kind == RK_STATE || e->kind == RK_NETWORK || e->kind == RK_FOTA)) {
      fputs(" data-state=\"", f);
      markup_text(f, e->state);
      fputc('"', f);
    }
    fprintf(f, "><td>%.3f</td><td>%llu</td><td>%s</td><td>", t, (unsigned long long)e->vt,
            kind);
    markup_text(f, e->port);
    fputs("</td><td class=\"text\">", f);
    if (e->state) {
      markup_text(f, e->state);
      if (e->text && *e->text)
        fputs(e->kind == RK_FOTA ? " at " : ": ", f);
    }
    markup_text(f, e->text ? e->text : "");
    if (e->kind == RK_FOTA && e->text && *e->text)
      fputc('%', f);
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody>\n</table>\n", f);
}

int report_write_page(const char *path, const struct report_page *p)
{
  FILE *f = fopen(path, "w");
  char line[160], title[400];
  const struct report_log *l = p->log;
  if (!f)
    return -1;
  snprintf(title, sizeof(title), "fotasim: %s", p->name);
  head(f, title);
  fprintf(f, "<body>\n<header>\n<h1>");
  markup_text(f, p->name);
  fprintf(f, " <span class=\"verdict %s\" id=\"verdict\">%s</span></h1>\n",
          verdict_class(p->verdict), verdict_word(p->verdict));
  fputs("<dl class=\"facts\">\n", f);
  fact(f, p->verdict < 0 ? "transcript" : "scenario", p->source);
  if (p->verdict >= 0) {
    snprintf(line, sizeof(line), "%.1f s", p->seconds);
    fact(f, "wall time", line);
  }
  snprintf(line, sizeof(line), "%llu ms", (unsigned long long)virtual_span(l));
  fact(f, "virtual time", line);
  if (p->revision)
    fact(f, "firmware at the end", *p->revision ? p->revision : "(not known)");
  if (p->verdict >= 0)
    fact(f, "bricked", p->bricked ? "yes" : "no");
  if (p->end_reason && *p->end_reason)
    fact(f, "ended", p->end_reason);
  snprintf(line, sizeof(line), "%zu shown%s", l->n, l->left_out ? "" : ", none left out");
  if (l->left_out)
    snprintf(line + strlen(line), sizeof(line) - strlen(line),
             "; %zu more left out (after the first %d commands, lines and URCs)", l->left_out,
             REPORT_TRAFFIC_MAX);
  fact(f, "events", line);
  fputs("</dl>\n", f);
  if (p->verdict >= 0)
    fputs("<p><a href=\"index.html\">All scenarios</a></p>\n", f);
  fputs("</header>\n", f);
  failures(f, l);
  fputs("<section id=\"timeline-box\">\n<h2>Timeline</h2>\n<div class=\"axis-choice\">"
        "<label><input type=\"radio\" name=\"axis\" value=\"t\" checked> wall time</label>"
        "<label><input type=\"radio\" name=\"axis\" value=\"vt\"> virtual time</label></div>\n"
        "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
        "aria-label=\"timeline of the run\" height=\"240\"></svg>\n</section>\n", f);
  fputs("<section>\n<h2>Events</h2>\n<div id=\"filters\"></div>\n", f);
  event_rows(f, l);
  fputs("</section>\n", f);
  if (p->host_output && *p->host_output) {
    fputs("<section>\n<h2>The host's output (its end)</h2>\n<pre class=\"host\">", f);
    markup_text(f, p->host_output);
    fputs("</pre>\n</section>\n", f);
  }
  fprintf(f, "<script>\n%s</script>\n</body>\n</html>\n", report_js);
  return fclose(f) == 0 ? 0 : -1;
}

/* A page's name in a link: what is not a plain file-name character percent-encoded. */
static void href_name(FILE *f, const char *name)
{
  for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
    if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
        strchr("-._~", *c))
      fputc(*c, f);
    else
      fprintf(f, "%%%02X", *c);
  }
}

static const char *first_failure(const struct report_log *l)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->ev[i].kind == RK_FAIL)
      return l->ev[i].text;
  return NULL;
}

int report_write_index(const char *dir, const struct report_page *pages, int n, double seconds)
{
  char path[4200];
  FILE *f;
  int passed = 0;
  snprintf(path, sizeof(path), "%s/index.html", dir);
  if (!(f = fopen(path, "w")))
    return -1;
  for (int i = 0; i < n; i++)
    passed += pages[i].verdict > 0;
  head(f, "fotasim run");
  fprintf(f, "<body>\n<h1>fotasim run <span class=\"verdict %s\" id=\"verdict\">%d of %d "
             "passed</span></h1>\n<p class=\"note\">%.1f s in all</p>\n",
          passed == n ? "pass" : "fail", passed, n, seconds);
  fputs("<table class=\"index\" id=\"scenarios\">\n<thead><tr><th>verdict</th><th>scenario</th>"
        "<th>wall</th><th>virtual</th><th>first failure</th></tr></thead>\n<tbody>\n", f);
  for (int i = 0; i < n; i++) {
    const struct report_page *p = &pages[i];
    const char *fail = first_failure(p->log);
    fprintf(f, "<tr class=\"%s\"><td><span class=\"verdict %s\">%s</span></td><td><a href=\"",
            verdict_class(p->verdict), verdict_class(p->verdict), verdict_word(p->verdict));
    href_name(f, p->name);
    fputs(".html\">", f);
    markup_text(f, p->name);
    fprintf(f, "</a></td><td>%.1f s</td><td>%llu ms</td><td>", p->seconds,
            (unsigned long long)virtual_span(p->log));
    markup_text(f, fail ? fail : "");
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody>\n</table>\n</body>\n</html>\n", f);
  return fclose(f) == 0 ? 0 : -1;
}
