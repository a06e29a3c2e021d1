/* test_run: `fotasim run` against the reference host (tools/fotahost) and against hosts that
 * misbehave: the shipped suite passes with the right JUnit counts, a host that gives up after an
 * error fails the expectations that say so, a crashing host, a hanging host stopped at the
 * deadline, --jobs giving the serial verdicts, placeholders and transcripts, bad input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

#define RUN_LIMIT_MS 240000  /* a whole `fotasim run` in these tests, ASan included */

static char dir[] = "/tmp/fotasim-runtest-XXXXXX";
static char out[65536];

static const char *fotahost(void)
{
  const char *p = getenv("FOTAHOST_BIN");
  return p ? p : "fotahost";
}

static const char *suite(const char *name, char *buf, size_t size)
{
  const char *d = getenv("FOTASIM_SCENARIOS");
  snprintf(buf, size, "%s/suite/%s", d ? d : "scenarios", name);
  return buf;
}

static const char *write_scenario(const char *name, const char *yaml)
{
  static char path[4][512];
  static int next;
  char *p = path[next++ % 4];
  FILE *f;
  snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
  f = fopen(p, "w");
  ck_assert_ptr_nonnull(f);
  fputs(yaml, f);
  fclose(f);
  return p;
}

static char *read_text(const char *path)
{
  FILE *f = fopen(path, "r");
  static char buf[65536];
  size_t n;
  ck_assert_msg(f != NULL, "cannot read %s", path);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* The JUnit report without its times, which differ from run to run. */
static void strip_times(char *xml)
{
  char *p;
  while ((p = strstr(xml, "time=\""))) {
    char *end = strchr(p + 6, '"');
    memmove(p, end + 1, strlen(end + 1) + 1);
  }
}

static void setup(void)
{
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
  char cmd[600];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", dir);
  strcpy(dir, "/tmp/fotasim-runtest-XXXXXX");
}

START_TEST(shipped_suite_passes_with_the_reference_host)
{
  char s[5][512], junit[600], trdir[600], tr[700];
  const char *args[] = { "run", "--timing", "instant", "--junit", junit, "--transcript-dir",
                         trdir, suite("01-happy-path.yaml", s[0], sizeof(s[0])),
                         suite("02-download-stalls-once.yaml", s[1], sizeof(s[1])),
                         suite("03-module-busy-once.yaml", s[2], sizeof(s[2])),
                         suite("04-urc-quirks.yaml", s[3], sizeof(s[3])),
                         suite("05-roaming-weak-signal.yaml", s[4], sizeof(s[4])), "--",
                         fotahost(), NULL };
  char *xml;
  struct stat st;
  snprintf(junit, sizeof(junit), "%s/report.xml", dir);
  snprintf(trdir, sizeof(trdir), "%s/out/transcripts", dir); /* made by the run */
  ck_assert_msg(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS) == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "PASS  01-happy-path"));
  ck_assert_ptr_nonnull(strstr(out, "PASS  02-download-stalls-once"));
  ck_assert_ptr_nonnull(strstr(out, "fotasim run: 5 of 5 scenarios passed\n"));
  xml = read_text(junit);
  ck_assert_ptr_nonnull(strstr(xml, "<testsuites tests=\"5\" failures=\"0\""));
  ck_assert_ptr_nonnull(strstr(xml, "name=\"03-module-busy-once\""));
  ck_assert_ptr_null(strstr(xml, "<failure"));
  snprintf(tr, sizeof(tr), "%s/01-happy-path.jsonl", trdir);
  ck_assert_int_eq(stat(tr, &st), 0);
  ck_assert_int_gt(st.st_size, 1000);
  ck_assert_ptr_nonnull(strstr(read_text(tr), "AT+QFOTADL=\\\"FILE:"));
}
END_TEST

/* A host that gives up after the first error: the retry expectations name what was missing. */
START_TEST(host_ignoring_an_error_fails_its_expectations)
{
  char s[512], junit[600];
  const char *args[] = { "run", "--timing", "instant", "--junit", junit,
                         suite("02-download-stalls-once.yaml", s, sizeof(s)), "--", fotahost(),
                         "--no-retry", NULL };
  char *xml;
  snprintf(junit, sizeof(junit), "%s/report.xml", dir);
  ck_assert_int_eq(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS), 1);
  ck_assert_ptr_nonnull(strstr(out, "FAIL  02-download-stalls-once"));
  ck_assert_ptr_nonnull(strstr(out, "command 'AT+QFOTADL' (line 19): not sent within 60000 ms "
                                    "after 'END\",'"));
  ck_assert_ptr_nonnull(strstr(out, "host exit status 1, expected 0"));
  ck_assert_ptr_nonnull(strstr(out, "fotahost: download failed: FILEEND,567")); /* its output */
  ck_assert_ptr_nonnull(strstr(out, "fotasim run: 0 of 1 scenarios passed\n"));
  xml = read_text(junit);
  ck_assert_ptr_nonnull(strstr(xml, "<testsuites tests=\"1\" failures=\"1\""));
  ck_assert_ptr_nonnull(strstr(xml, "<failure type=\"expectation\" message=\"host exit status 1"));
}
END_TEST

/* A page as a real browser has it after its scripts ran (Debian's chromium, headless, with no
 * name resolving: a page that fetched anything would log an error); what the browser logged
 * from the page's console goes to console. malloc'd. */
static char *browser_dom(const char *page, char *console, size_t size)
{
  const char *bin = getenv("CHROMIUM_BIN");
  char cmd[2048], errpath[700];
  size_t cap = 1 << 22, len = 0, n;
  char *dom = malloc(cap);
  FILE *p, *e;
  snprintf(errpath, sizeof(errpath), "%s/browser.err", dir);
  snprintf(cmd, sizeof(cmd),
           "timeout 120 %s --headless --no-sandbox --disable-gpu --no-first-run "
           "--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir='%s/chromium' "
           "--enable-logging=stderr --v=0 --dump-dom 'file://%s' 2>'%s'",
           bin ? bin : "chromium", dir, page, errpath);
  p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  while (len < cap - 1 && (n = fread(dom + len, 1, cap - 1 - len, p)) > 0)
    len += n;
  dom[len] = '\0';
  ck_assert_msg(pclose(p) == 0, "chromium failed on %s (is Debian's chromium installed?)", page);
  console[0] = '\0';
  e = fopen(errpath, "r");
  ck_assert_ptr_nonnull(e);
  { /* only the lines the page's console made */
    char line[1024];
    size_t used = 0;
    while (fgets(line, sizeof(line), e))
      if (strstr(line, ":CONSOLE") && used + strlen(line) < size) {
        memcpy(console + used, line, strlen(line) + 1);
        used += strlen(line);
      }
  }
  fclose(e);
  return dom;
}

static int count_of(const char *text, const char *what)
{
  int n = 0;
  for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
    n++;
  return n;
}

/* Nothing in a page comes from elsewhere: no scripts, styles or images by address; the only
 * URL is the SVG namespace. */
static void assert_self_contained(const char *path)
{
  char *html = strdup(read_text(path)), *p;
  ck_assert_ptr_null(strstr(html, " src="));
  ck_assert_ptr_null(strstr(html, "<link"));
  ck_assert_ptr_null(strstr(html, "@import"));
  while ((p = strstr(html, "http://www.w3.org/2000/svg")))
    memset(p, '-', strlen("http://www.w3.org/2000/svg"));
  ck_assert_msg(strstr(html, "://") == NULL, "%s names an address", path);
  free(html);
}

/* A page that is self-contained, loads in the browser with nothing on its console and whose
 * scripts ran to the end: its DOM (malloc'd). */
static char *loaded_page(const char *page)
{
  char console[8192], *dom;
  assert_self_contained(page);
  dom = browser_dom(page, console, sizeof(console));
  ck_assert_msg(console[0] == '\0', "%s logged: %s", page, console);
  ck_assert_msg(strstr(dom, "<body data-ready=\"1\">") || strstr(dom, "id=\"scenarios\""),
                "the scripts of %s did not run to the end", page);
  return dom;
}

/* --report DIR: a page per scenario and an index, loaded in a real browser: they load with no
 * console message, the timeline is drawn (lanes, marks, FOTA phases and percent, the stall
 * rule that fired, the failures where they failed), the events are rows, the index has the
 * verdicts and links. */
START_TEST(report_pages_load_in_a_browser)
{
  char s[2][512], rep[600], page[700], trdir[600], tr[700];
  const char *args[] = { "run", "--timing", "instant", "--report", rep, "--transcript-dir", trdir,
                         suite("01-happy-path.yaml", s[0], sizeof(s[0])),
                         suite("02-download-stalls-once.yaml", s[1], sizeof(s[1])), "--",
                         fotahost(), "--no-retry", NULL };
  char *dom;
  const char *one[] = { "report", tr, page, NULL };
  snprintf(rep, sizeof(rep), "%s/out/report", dir); /* made by the run */
  snprintf(trdir, sizeof(trdir), "%s/out/transcripts", dir);
  ck_assert_int_eq(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS), 1);
  ck_assert_ptr_nonnull(strstr(out, "fotasim run: report in "));

  snprintf(page, sizeof(page), "%s/02-download-stalls-once.html", rep);
  dom = loaded_page(page);
  ck_assert_ptr_nonnull(strstr(dom, "id=\"verdict\">FAIL</span>"));
  ck_assert_int_eq(count_of(dom, "<g class=\"lane\""), 8);
  ck_assert_int_eq(count_of(dom, "class=\"mark k-fail-mark\""), 5); /* one per failure */
  ck_assert_int_eq(count_of(dom, "class=\"mark k-fault-mark\""), 1); /* the stall */
  ck_assert_ptr_nonnull(strstr(dom, "class=\"st-download\""));
  ck_assert_ptr_nonnull(strstr(dom, "<polyline class=\"percent\""));
  ck_assert_ptr_nonnull(strstr(dom, "phase: download, percent: 30, attempt: 1 -&gt; stall"));
  ck_assert_ptr_nonnull(strstr(dom, "<li class=\"failure\"><a href=\"#e"));
  ck_assert_ptr_nonnull(strstr(dom, "host exit status 1, expected 0</a>"));
  ck_assert_ptr_nonnull(strstr(dom, "data-kind=\"cmd\""));
  ck_assert_ptr_nonnull(strstr(dom, "AT+QFOTADL=\"FILE:")); /* the command, as sent */
  ck_assert_ptr_nonnull(strstr(dom, "\\r\\n+QIND: \"FOTA\",\"FILESTART\"\\r\\n")); /* escaped */
  ck_assert_int_ge(count_of(dom, "<tr id=\"e"), 20);
  free(dom);

  snprintf(page, sizeof(page), "%s/01-happy-path.html", rep);
  dom = loaded_page(page);
  ck_assert_ptr_nonnull(strstr(dom, "id=\"verdict\">PASS</span>"));
  ck_assert_ptr_null(strstr(dom, "class=\"mark k-fail-mark\""));
  ck_assert_ptr_nonnull(strstr(dom, "class=\"st-update\"")); /* the update, then the reboot */
  ck_assert_ptr_nonnull(strstr(dom, "class=\"st-booting\""));
  ck_assert_ptr_nonnull(strstr(dom, "EC200UCNAAR02A10M08"));
  free(dom);

  snprintf(page, sizeof(page), "%s/index.html", rep);
  dom = loaded_page(page);
  ck_assert_ptr_nonnull(strstr(dom, "1 of 2 passed"));
  ck_assert_ptr_nonnull(strstr(dom, "<a href=\"01-happy-path.html\">01-happy-path</a>"));
  ck_assert_ptr_nonnull(strstr(dom, "<a href=\"02-download-stalls-once.html\">"));
  ck_assert_int_eq(count_of(dom, "<span class=\"verdict fail\">FAIL</span>"), 1);
  ck_assert_int_eq(count_of(dom, "<span class=\"verdict pass\">PASS</span>"), 1);
  ck_assert_ptr_nonnull(strstr(dom, "host exit status 1, expected 0"));
  free(dom);

  /* fotasim report: one transcript's page, no verdict */
  snprintf(tr, sizeof(tr), "%s/02-download-stalls-once.jsonl", trdir);
  snprintf(page, sizeof(page), "%s/one.html", dir);
  ck_assert_msg(run_fotasim_for(one, out, sizeof(out), RUN_LIMIT_MS) == 0, "%s", out);
  dom = loaded_page(page);
  ck_assert_ptr_nonnull(strstr(dom, "id=\"verdict\">TRANSCRIPT</span>"));
  ck_assert_int_eq(count_of(dom, "class=\"mark k-fault-mark\""), 1);
  ck_assert_int_ge(count_of(dom, "class=\"mark k-rx-mark\""), 2); /* the host's bytes */
  ck_assert_ptr_nonnull(strstr(dom, "<polyline class=\"percent\"")); /* from the output */
  ck_assert_ptr_nonnull(strstr(dom, "FSIMPKG1\\x01")); /* the package, as text with escapes */
  free(dom);
}
END_TEST

START_TEST(crashing_host_fails)
{
  const char *sc = write_scenario("crash.yaml", "name: crash\nexpect:\n  bricked: false\n");
  const char *args[] = { "run", "--timing", "instant", sc, "--", "/bin/sh", "-c",
                         "kill -SEGV $$", NULL };
  ck_assert_int_eq(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS), 1);
  ck_assert_ptr_nonnull(strstr(out, "FAIL  crash"));
  ck_assert_ptr_nonnull(strstr(out, "- host killed by signal 11\n"));
}
END_TEST

/* A host whose output is hostile: bytes that are not UTF-8, control bytes, markup, a URL with
 * a password (a raw '@' in it). The JUnit report still parses (Python's expat reads it) and
 * neither it nor stderr shows the password. */
START_TEST(hostile_host_output_gives_a_well_formed_masked_report)
{
  const char *sc = write_scenario("hostile.yaml", "name: hostile\nexpect:\n  bricked: true\n");
  char junit[600], cmd[1400];
  const char *args[] = { "run", "--timing", "instant", "--junit", junit, sc, "--", "/bin/sh",
                         "-c",
                         "printf '\\377\\376 <x>&\"\\001\\033[1m \\355\\240\\200 \\300\\257 "
                         "\\360\\220\\200 caf\\303\\251 AT+QFOTADL=\"ftp://fw:pa@ss5@h/p\"\\r\\n'",
                         NULL };
  char *xml;
  snprintf(junit, sizeof(junit), "%s/reports/fota/report.xml", dir); /* directories made */
  ck_assert_int_eq(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS), 1);
  ck_assert_ptr_nonnull(strstr(out, "FAIL  hostile"));
  ck_assert_ptr_nonnull(strstr(out, "fw:******@h/p")); /* the tail on stderr, masked */
  ck_assert_ptr_null(strstr(out, "ss5"));
  xml = read_text(junit);
  ck_assert_ptr_null(strstr(xml, "ss5"));
  ck_assert_ptr_nonnull(strstr(xml, "fw:******@h/p"));
  ck_assert_ptr_nonnull(strstr(xml, "caf\xc3\xa9")); /* good UTF-8 stays */
  ck_assert_ptr_nonnull(strstr(xml, "&#xFFFD;&#xFFFD; &lt;x&gt;&amp;&quot;&#xFFFD;&#xFFFD;[1m"));
  snprintf(cmd, sizeof(cmd),
           "python3 -c 'import sys, xml.etree.ElementTree as E; "
           "t = E.parse(sys.argv[1]).getroot(); "
           "sys.exit(0 if t.find(\"testsuite/testcase/system-out\") is not None else 3)' '%s'",
           junit);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(hanging_host_stopped_at_the_deadline)
{
  const char *sc = write_scenario("hang.yaml",
                                  "expect:\n  bricked: false\n  deadline: {wall: 2000}\n");
  const char *args[] = { "run", "--timing", "instant", sc, "--", "/bin/sleep", "600", NULL };
  ck_assert_int_eq(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS), 1);
  ck_assert_ptr_nonnull(
      strstr(out, "- deadline: 2000 ms of wall time passed with the host still running\n"));
  ck_assert_ptr_null(strstr(out, "signal")); /* the runner stopped it: no crash reported */
}
END_TEST

/* The same scenarios and host, one at a time and five at a time: the same verdicts. */
START_TEST(parallel_jobs_give_the_serial_verdicts)
{
  char s[5][512], junit1[600], junit5[600], serial[65536];
  const char *args[] = { "run", "--timing", "instant", "--jobs", "1", "--junit", junit1,
                         suite("01-happy-path.yaml", s[0], sizeof(s[0])),
                         suite("02-download-stalls-once.yaml", s[1], sizeof(s[1])),
                         suite("03-module-busy-once.yaml", s[2], sizeof(s[2])),
                         suite("04-urc-quirks.yaml", s[3], sizeof(s[3])),
                         suite("05-roaming-weak-signal.yaml", s[4], sizeof(s[4])), "--",
                         fotahost(), "--no-retry", NULL };
  snprintf(junit1, sizeof(junit1), "%s/serial.xml", dir);
  snprintf(junit5, sizeof(junit5), "%s/parallel.xml", dir);
  ck_assert_int_eq(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS), 1);
  ck_assert_ptr_nonnull(strstr(out, "fotasim run: 3 of 5 scenarios passed\n"));
  strcpy(serial, read_text(junit1));
  strip_times(serial);
  args[4] = "5";
  args[6] = junit5;
  ck_assert_int_eq(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS), 1);
  ck_assert_ptr_nonnull(strstr(out, "fotasim run: 3 of 5 scenarios passed\n"));
  {
    char *parallel = read_text(junit5);
    strip_times(parallel);
    ck_assert_str_eq(parallel, serial);
  }
}
END_TEST

/* {usb} in the host's arguments, FOTASIM_TTY in its environment; commands and output seen. */
START_TEST(placeholders_and_environment_reach_the_host)
{
  const char *sc = write_scenario("probe.yaml",
                                  "expect:\n  commands:\n    - match: AT+CSQ\n      count: 2\n"
                                  "  output:\n    - match: '+CSQ: 24,99'\n      port: usb\n"
                                  "      count: 1\n    - match: '+CSQ: 24,99'\n      port: main\n"
                                  "      count: 1\n");
  const char *args[] = { "run", "--timing", "instant", sc, "--", "/bin/sh", "-c",
                         "exec 3<>\"$1\" 4<>\"$FOTASIM_TTY\"; printf 'AT+CSQ\\r' >&3; "
                         "printf 'AT+CSQ\\r' >&4; sleep 1",
                         "host", "{usb}", NULL };
  ck_assert_msg(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS) == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "PASS  probe"));
}
END_TEST

/* A host that stays running (a daemon): the run ends, as a pass, once every expectation holds. */
START_TEST(daemon_host_ends_when_expectations_settle)
{
  const char *sc = write_scenario("daemon.yaml",
                                  "expect:\n  host_exit: any\n  revision: EC200UCNAAR02A10M08\n"
                                  "  deadline: {wall: 100000}\n"
                                  "  output:\n    - match: '\"END\",0'\n");
  char script[1024];
  const char *args[] = { "run", "--timing", "instant", sc, "--", "/bin/sh", "-c", script, NULL };
  snprintf(script, sizeof(script), "'%s' && exec sleep 600", fotahost());
  ck_assert_msg(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS) == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "PASS  daemon"));
}
END_TEST

/* The reference host by URL from a real HTTP server: the first download stalls (HTTPEND,702),
 * the host tries again and installs the package. */
START_TEST(reference_host_by_url_retries_after_a_stall)
{
  char s[512], script[2048];
  struct servers sv;
  const char *args[] = { "run", "--timing", "instant",
                         suite("02-download-stalls-once.yaml", s, sizeof(s)), "--", "/bin/sh",
                         "-c", script, NULL };
  ck_assert_int_eq(servers_start(&sv, dir), 0);
  snprintf(script, sizeof(script),
           "cp \"$FOTASIM_PACKAGE\" '%s/fw.pkg' && exec '%s' --url http://127.0.0.1:%d/fw.pkg",
           dir, fotahost(), sv.http);
  ck_assert_msg(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS) == 0, "%s", out);
  servers_stop(&sv);
  ck_assert_ptr_nonnull(strstr(out, "PASS  02-download-stalls-once"));
}
END_TEST

/* FILE mode on the main UART with hardware flow control (AT+IFC=2,2): the line's pace. */
START_TEST(reference_host_on_the_main_uart_with_flow_control)
{
  char s[512];
  const char *args[] = { "run", "--timing", "instant",
                         suite("01-happy-path.yaml", s, sizeof(s)), "--", fotahost(), "--port",
                         "{tty}", NULL }; /* its defaults: flow control on */
  ck_assert_msg(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS) == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "PASS  01-happy-path"));
}
END_TEST

/* The shipped update story: a broker and an HTTP server the runner starts, an announcement,
 * a manifest, the FOTA, the revision published after the reboot; JUnit says it passed. */
START_TEST(update_story_passes_through_the_runner)
{
  char s[512], junit[600];
  const char *args[] = { "run", "--timing", "instant", "--junit", junit,
                         suite("06-update-announced-over-mqtt.yaml", s, sizeof(s)), "--",
                         fotahost(), NULL };
  char *xml;
  snprintf(junit, sizeof(junit), "%s/report.xml", dir);
  ck_assert_msg(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS) == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "PASS  06-update-announced-over-mqtt"));
  xml = read_text(junit);
  ck_assert_ptr_nonnull(strstr(xml, "<testsuites tests=\"1\" failures=\"0\""));
  ck_assert_ptr_null(strstr(xml, "<failure"));
}
END_TEST

/* The same story with a host that reports on another topic: only the published expectation
 * fails, naming the topic, the wanted payload and what the broker saw. */
START_TEST(update_story_without_the_report_fails)
{
  char s[512];
  const char *args[] = { "run", "--timing", "instant",
                         suite("06-update-announced-over-mqtt.yaml", s, sizeof(s)), "--",
                         fotahost(), "--report", "devices/dev1/elsewhere", NULL };
  ck_assert_int_eq(run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS), 1);
  ck_assert_msg(strstr(out, "FAIL  06-update-announced-over-mqtt"), "%s", out);
  ck_assert_msg(strstr(out, "      - published (line 21): no message on 'devices/dev1/fota/state' "
                            "with '{\"revision\":\"EC200UCNAAR02A10M08\"}' (0 on that topic)\n"), "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "| fotahost: reported EC200UCNAAR02A10M08 on devices/dev1/elsewhere"));
  ck_assert_ptr_nonnull(strstr(out, "fotasim run: 0 of 1 scenarios passed\n"));
}
END_TEST

/* A broker that ends before it listens (its port taken in between, as a wrapper on PATH makes
 * mosquitto's first starts do): the services start again on new ports, each start noted in
 * services.log, and the run passes; a broker that never listens fails the run in one line. */
static int services_run(int fails, const char *state)
{
  char bin[600], wrapper[700], path[4096], real[512] = "";
  const char *sc = write_scenario("announced.yaml",
                                  "services:\n  broker: true\n  announce: {topic: t/1, message: hello}\n"
                                  "expect:\n  published:\n    - topic: t/1\n      match: hello\n");
  const char *args[] = { "run", "--timing", "instant", "--state-dir", state, sc, "--",
                         "/bin/sh", "-c", "sleep 1", NULL };
  FILE *f, *p = popen("command -v mosquitto", "r");
  ck_assert_ptr_nonnull(p);
  ck_assert_ptr_nonnull(fgets(real, sizeof(real), p));
  pclose(p);
  real[strcspn(real, "\n")] = '\0';
  snprintf(bin, sizeof(bin), "%s/bin", dir);
  ck_assert_int_eq(mkdir(bin, 0755), 0);
  ck_assert_int_eq(mkdir(state, 0755), 0);
  snprintf(wrapper, sizeof(wrapper), "%s/mosquitto", bin);
  f = fopen(wrapper, "w");
  ck_assert_ptr_nonnull(f);
  fprintf(f, "#!/bin/sh\nn=$(cat '%s/starts' 2>/dev/null || echo 0); n=$((n + 1))\n"
             "echo $n > '%s/starts'\n"
             "if [ $n -le %d ]; then echo 'Error: Address already in use' >&2; exit 1; fi\n"
             "exec '%s' \"$@\"\n", dir, dir, fails, real);
  fclose(f);
  ck_assert_int_eq(chmod(wrapper, 0755), 0);
  snprintf(path, sizeof(path), "%s:%s", bin, getenv("PATH"));
  setenv("PATH", path, 1);
  return run_fotasim_for(args, out, sizeof(out), RUN_LIMIT_MS);
}

START_TEST(services_start_again_when_a_server_ends_before_it_listens)
{
  char state[600], log[700];
  const char *text;
  snprintf(state, sizeof(state), "%s/state", dir);
  ck_assert_msg(services_run(2, state) == 0, "%s", out);
  ck_assert_msg(strstr(out, "PASS  announced"), "%s", out);
  snprintf(log, sizeof(log), "%s/announced/services.log", state);
  text = read_text(log);
  ck_assert_msg(strstr(text, "fotasim run: mosquitto ended (status 1) before it listened; starting "
                             "the services again on new ports (start 2 of 5)\n"), "%s", text);
  ck_assert_msg(strstr(text, "(start 3 of 5)\n"), "%s", text);
  ck_assert_msg(!strstr(text, "(start 4 of 5)"), "%s", text);
  ck_assert_str_eq(read_text(strcat(strcpy(log, dir), "/starts")), "3\n");
}
END_TEST

START_TEST(services_fail_after_five_starts)
{
  char state[600];
  snprintf(state, sizeof(state), "%s/state", dir);
  ck_assert_int_eq(services_run(5, state), 1);
  ck_assert_msg(strstr(out, "FAIL  announced"), "%s", out);
  ck_assert_msg(strstr(out, "mosquitto ended (status 1) before it listened, at each of 5 starts: "
                            "see services.log"), "%s", out);
}
END_TEST

/* The services section's mistakes: one line each. */
START_TEST(services_section_errors)
{
  static const struct { const char *yaml, *want; } cases[] = {
    { "services:\n  http: true\n  files:\n    - name: ../x\n      text: a\n",
      "%s:4: services.files.name: expected a plain file name (no '/')\n" },
    { "services:\n  announce: {topic: t, message: m}\n",
      "%s:2: services: 'announce' needs 'broker: true'\n" },
    { "services:\n  broker: true\n  announce: {topic: t}\n",
      "%s:3: services.announce: needs 'topic' and 'message'\n" },
    { "expect:\n  published:\n    - topic: a/b\n      match: x\n",
      "%s:3: expect.published: needs 'services: {broker: true}'\n" },
    { "services:\n  brokers: true\n", "%s:2: services: unknown field 'brokers'\n" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *path = write_scenario("svc.yaml", cases[i].yaml);
    const char *args[] = { "run", path, "--", "true", NULL };
    char want[1024], msg[900];
    snprintf(msg, sizeof(msg), cases[i].want, path);
    snprintf(want, sizeof(want), "fotasim run: %s", msg);
    ck_assert_int_eq(run_fotasim(args, out, sizeof(out)), 2);
    ck_assert_str_eq(out, want);
  }
}
END_TEST

START_TEST(bad_arguments_and_files)
{
  const char *good = write_scenario("good.yaml", "name: good\nexpect:\n  bricked: false\n");
  const char *bad = write_scenario("bad.yaml", "expect:\n  revison: X\n");
  const char *empty = write_scenario("empty.yaml", "name: nothing checked\n"
                                                   "expect:\n  deadline: {wall: 2000}\n");
  const char *no_expect[] = { "run", good, empty, "--", "true", NULL };
  const char *no_cmd[] = { "run", good, NULL };
  const char *no_scen[] = { "run", "--", "true", NULL };
  const char *bad_jobs[] = { "run", "--jobs", "0", good, "--", "true", NULL };
  const char *bad_opt[] = { "run", "--colour", good, "--", "true", NULL };
  const char *bad_file[] = { "run", good, bad, "--", "true", NULL };
  const char *missing[] = { "run", "/nonexistent/x.yaml", "--", "true", NULL };
  char want[1024];
  ck_assert_int_eq(run_fotasim(no_cmd, out, sizeof(out)), 2);
  ck_assert_str_eq(out, "fotasim run: missing '-- CMD': the host command to run "
                        "(see fotasim run --help)\n");
  ck_assert_int_eq(run_fotasim(no_scen, out, sizeof(out)), 2);
  ck_assert_str_eq(out, "fotasim run: no scenario files before '--' (see fotasim run --help)\n");
  ck_assert_int_eq(run_fotasim(bad_jobs, out, sizeof(out)), 2);
  ck_assert_str_eq(out, "fotasim run: bad --jobs '0' (1 to 64) (see fotasim run --help)\n");
  ck_assert_int_eq(run_fotasim(bad_opt, out, sizeof(out)), 2);
  ck_assert_str_eq(out, "fotasim run: unknown option '--colour' (see fotasim run --help)\n");
  ck_assert_int_eq(run_fotasim(bad_file, out, sizeof(out)), 2);
  snprintf(want, sizeof(want), "fotasim run: %s:2: expect: unknown field 'revison'\n", bad);
  ck_assert_str_eq(out, want);
  ck_assert_int_eq(run_fotasim(no_expect, out, sizeof(out)), 2);
  snprintf(want, sizeof(want), "fotasim run: %s: no expectations: it would pass any host (give "
                               "'expect:' revision, bricked, host_exit, output, commands or "
                               "published)\n", empty);
  ck_assert_str_eq(out, want);
  ck_assert_int_eq(run_fotasim(missing, out, sizeof(out)), 2);
  ck_assert_str_eq(out, "fotasim run: /nonexistent/x.yaml: cannot read: No such file or "
                        "directory\n");
}
END_TEST

/* --shard I/N: for several N, the shards' lists are disjoint, cover the suite, differ in size
 * by one at most and do not depend on the command line's order; auto reads CI variables; a
 * shard's run and JUnit hold its scenarios only. */
#define SHARD_FILES 13
START_TEST(shards_are_disjoint_and_complete)
{
  static const char *names[SHARD_FILES] = { "m", "c", "k", "a", "x", "f", "b", "q", "e", "z",
                                            "d", "p", "h" };
  static const int counts[] = { 1, 2, 3, 5, 13, 20 };
  char paths[SHARD_FILES][600], spec[32], list[16384], junit[600];
  const char *args[SHARD_FILES + 8];
  for (int i = 0; i < SHARD_FILES; i++) {
    char file[64];
    snprintf(file, sizeof(file), "%s.yaml", names[i]);
    snprintf(paths[i], sizeof(paths[i]), "%s", write_scenario(file, "expect:\n  bricked: false\n"));
  }
  for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
    int n = counts[c], shard_of[2][SHARD_FILES];
    for (int order = 0; order < 2; order++) { /* the files as given, then reversed */
      for (int i = 0; i < SHARD_FILES; i++)
        shard_of[order][i] = 0;
      for (int k = 1; k <= n; k++) {
        int a = 0, size = 0;
        args[a++] = "run";
        args[a++] = "--shard";
        snprintf(spec, sizeof(spec), "%d/%d", k, n);
        args[a++] = spec;
        args[a++] = "--list";
        for (int i = 0; i < SHARD_FILES; i++)
          args[a++] = paths[order ? SHARD_FILES - 1 - i : i];
        args[a] = NULL;
        ck_assert_int_eq(run_fotasim_stdout(args, list, sizeof(list)), 0);
        for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
          int found = -1;
          for (int i = 0; i < SHARD_FILES; i++)
            if (!strcmp(line, paths[i]))
              found = i;
          ck_assert_msg(found >= 0, "shard %s listed '%s'", spec, line);
          ck_assert_msg(shard_of[order][found] == 0, "%s in two shards", line);
          shard_of[order][found] = k;
          size++;
        }
        ck_assert_int_ge(size, SHARD_FILES / n);
        ck_assert_int_le(size, (SHARD_FILES + n - 1) / n);
      }
      for (int i = 0; i < SHARD_FILES; i++)
        ck_assert_msg(shard_of[order][i] > 0, "%s in no shard of %d", paths[i], n);
    }
    for (int i = 0; i < SHARD_FILES; i++)
      ck_assert_int_eq(shard_of[0][i], shard_of[1][i]);
  }
  /* auto: a matrix's FOTASIM_SHARD, a Kubernetes Indexed Job's index */
  {
    const char *a3[] = { "run", "--shard", "auto", "--list", paths[3], paths[6], paths[1], NULL };
    setenv("FOTASIM_SHARD", "3/3", 1);
    ck_assert_int_eq(run_fotasim_stdout(a3, list, sizeof(list)), 0);
    ck_assert_str_eq(list, strcat(strcpy(out, paths[1]), "\n")); /* a, b, c: the third is c */
    unsetenv("FOTASIM_SHARD");
    setenv("JOB_COMPLETION_INDEX", "0", 1);
    setenv("FOTASIM_SHARD_COUNT", "3", 1);
    ck_assert_int_eq(run_fotasim_stdout(a3, list, sizeof(list)), 0);
    ck_assert_str_eq(list, strcat(strcpy(out, paths[3]), "\n")); /* index 0: shard 1, a */
    unsetenv("FOTASIM_SHARD_COUNT");
    ck_assert_int_eq(run_fotasim(a3, out, sizeof(out)), 2);
    ck_assert_str_eq(out, "fotasim run: --shard auto: JOB_COMPLETION_INDEX is 0 but "
                          "FOTASIM_SHARD_COUNT (the Job's completions) is not set (see fotasim "
                          "run --help)\n");
    unsetenv("JOB_COMPLETION_INDEX");
    ck_assert_int_eq(run_fotasim(a3, out, sizeof(out)), 2);
    ck_assert_str_eq(out, "fotasim run: --shard auto: neither FOTASIM_SHARD (I/N) nor "
                          "JOB_COMPLETION_INDEX is set (see fotasim run --help)\n");
  }
  /* a shard's run: its one scenario, and a JUnit suite named for it */
  {
    const char *run[] = { "run", "--timing", "instant", "--shard", "2/3", "--junit", junit,
                          paths[3], paths[6], paths[1], "--", "/bin/true", NULL };
    const char *bad[] = { "run", "--shard", "0/3", paths[3], "--", "/bin/true", NULL };
    char *xml;
    snprintf(junit, sizeof(junit), "%s/shard.xml", dir);
    ck_assert_msg(run_fotasim_for(run, out, sizeof(out), RUN_LIMIT_MS) == 0, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "fotasim run: shard 2 of 3: 1 scenario\n"));
    ck_assert_ptr_nonnull(strstr(out, "PASS  b"));
    ck_assert_ptr_nonnull(strstr(out, "fotasim run: 1 of 1 scenarios passed\n"));
    xml = read_text(junit);
    ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"fotasim shard 2 of 3\" tests=\"1\""));
    ck_assert_ptr_nonnull(strstr(xml, "name=\"b\""));
    ck_assert_ptr_null(strstr(xml, "name=\"a\""));
    ck_assert_ptr_null(strstr(xml, "name=\"c\""));
    ck_assert_int_eq(run_fotasim(bad, out, sizeof(out)), 2);
    ck_assert_str_eq(out, "fotasim run: bad --shard '0/3' (I/N with 1 <= I <= N <= 1000, or auto) "
                          "(see fotasim run --help)\n");
  }
}
END_TEST

int main(void)
{
  Suite *s = suite_create("run");
  TCase *t = tcase_create("run");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 300);
  tcase_add_test(t, shipped_suite_passes_with_the_reference_host);
  tcase_add_test(t, host_ignoring_an_error_fails_its_expectations);
  tcase_add_test(t, report_pages_load_in_a_browser);
  tcase_add_test(t, crashing_host_fails);
  tcase_add_test(t, hostile_host_output_gives_a_well_formed_masked_report);
  tcase_add_test(t, hanging_host_stopped_at_the_deadline);
  tcase_add_test(t, parallel_jobs_give_the_serial_verdicts);
  tcase_add_test(t, placeholders_and_environment_reach_the_host);
  tcase_add_test(t, daemon_host_ends_when_expectations_settle);
  tcase_add_test(t, reference_host_by_url_retries_after_a_stall);
  tcase_add_test(t, reference_host_on_the_main_uart_with_flow_control);
  tcase_add_test(t, bad_arguments_and_files);
  tcase_add_test(t, update_story_passes_through_the_runner);
  tcase_add_test(t, update_story_without_the_report_fails);
  tcase_add_test(t, services_section_errors);
  tcase_add_test(t, services_start_again_when_a_server_ends_before_it_listens);
  tcase_add_test(t, services_fail_after_five_starts);
  tcase_add_test(t, shards_are_disjoint_and_complete);
  suite_add_tcase(s, t);
  return run_suite(s);
}
