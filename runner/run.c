/* run: `fotasim run`'s command line, its scheduling of scenarios (--jobs at a time, one libuv
 * loop), and its reports: a summary on stderr, a JUnit XML file, transcripts. Exit status 0 only
 * if every expectation of every scenario held; 1 if one did not; 2 for bad input. */
#include "run.h"
#include "report.h"
#include "run_shard.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define MAX_JOBS 64

struct runner {
  struct run_options o;
  struct run_job *jobs;
  int n, next, running, done;
  uv_loop_t *loop;
};

static void usage(FILE *f)
{
  fprintf(f,
          "Usage: fotasim run [OPTIONS] SCENARIO.yaml... -- CMD [ARGS...]\n"
          "Runs the host command CMD against a fresh virtual module for each scenario and\n"
          "checks the scenario's expectations (its `expect` section).\n"
          "\n"
          "The host gets FOTASIM_TTY (main UART), FOTASIM_USB_TTY (USB AT port),\n"
          "FOTASIM_CONTROL (control socket), FOTASIM_PACKAGE (a firmware package built for the\n"
          "scenario) and FOTASIM_PACKAGE_REVISION in its environment; {tty}, {usb}, {control},\n"
          "{package} and {revision} in ARGS are replaced by the same. It starts once the module\n"
          "has booted.\n"
          "\n"
          "  --junit FILE          write a JUnit XML report (one test case per scenario)\n"
          "  --transcript-dir DIR  keep each run's transcript as DIR/<scenario>.jsonl (made\n"
          "                        if missing, as the --junit file's directory is)\n"
          "  --report DIR          write an HTML page per scenario (DIR/<scenario>.html: a\n"
          "                        timeline of commands, output, URCs, FOTA, network, power,\n"
          "                        fault rules and failures, and the events) and DIR/index.html\n"
          "  --jobs N              run N scenarios at a time (default 1, at most %d)\n"
          "  --state-dir DIR       keep each module's files in DIR/<scenario> (default: a\n"
          "                        temporary directory, removed afterwards)\n"
          "  --timing T            module timing when the scenario gives none (default fast)\n"
          "  --deadline SECONDS    wall-time limit of a scenario that gives none (default %u)\n"
          "  --shard I/N           run only shard I of N (1-based): the scenarios sorted by\n"
          "                        name and dealt out in turn, so that N machines together run\n"
          "                        each once; auto: from FOTASIM_SHARD (I/N), or from\n"
          "                        JOB_COMPLETION_INDEX and FOTASIM_SHARD_COUNT (docs/ci.md)\n"
          "  --list                print the scenario files this run (or shard) would run, one\n"
          "                        a line, and run nothing (no '-- CMD' needed)\n"
          "  --help                show this help\n"
          "\n"
          "Exit status: 0 every expectation held, 1 one did not, 2 bad arguments or files.\n",
          MAX_JOBS, RUN_DEFAULT_WALL_MS / 1000);
}

static int bad_usage(const char *fmt, const char *arg)
{
  fprintf(stderr, "fotasim run: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see fotasim run --help)\n");
  return EXIT_USAGE;
}

static void job_name(const char *path, char *out, size_t size)
{
  const char *base = strrchr(path, '/');
  size_t len;
  base = base ? base + 1 : path;
  len = strlen(base);
  if (len > 5 && !strcmp(base + len - 5, ".yaml"))
    len -= 5;
  snprintf(out, size, "%.*s", (int)len, base);
}

static void print_verdict(const struct run_job *j)
{
  if (j->passed) {
    fprintf(stderr, "PASS  %s (%.1f s)\n", j->name, j->seconds);
    return;
  }
  fprintf(stderr, "FAIL  %s (%.1f s)\n", j->name, j->seconds);
  for (int k = 0; k < j->er.nfails; k++)
    fprintf(stderr, "      - %s\n", j->er.fails[k]);
  if (j->host_tail && *j->host_tail) {
    const char *tail = j->host_tail;
    size_t len = strlen(tail);
    int lines = 0;
    size_t from = len;
    while (from > 0 && lines < 8) /* the host's last lines */
      if (tail[--from] == '\n' && from + 1 < len)
        lines++;
    fprintf(stderr, "      host output (last lines):\n");
    for (const char *p = tail + from; *p;) {
      const char *nl = strchr(p, '\n');
      size_t n = nl ? (size_t)(nl - p) : strlen(p);
      if (n)
        fprintf(stderr, "        | %.*s\n", (int)n, p);
      p += n + (nl ? 1 : 0);
    }
  }
}

static void start_next(struct runner *r);

static void job_done(struct run_job *j)
{
  struct runner *r = j->ctx;
  r->running--;
  r->done++;
  print_verdict(j);
  start_next(r);
}

static void start_next(struct runner *r)
{
  while (r->running < r->o.jobs && r->next < r->n) {
    struct run_job *j = &r->jobs[r->next++];
    if (!j->prepared)
      continue; /* failed before it could start: its verdict is out */
    r->running++;
    run_job_start(j);
  }
}

static int parse(int argc, char **argv, struct runner *r, int *first_scenario, int *nscen)
{
  static const struct option longs[] = {
    { "junit", required_argument, NULL, 'j' },     { "transcript-dir", required_argument, NULL, 't' },
    { "jobs", required_argument, NULL, 'J' },      { "state-dir", required_argument, NULL, 's' },
    { "timing", required_argument, NULL, 'T' },    { "deadline", required_argument, NULL, 'd' },
    { "shard", required_argument, NULL, 'S' },     { "list", no_argument, NULL, 'l' },
    { "report", required_argument, NULL, 'r' },    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int dashdash = -1, c;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--")) {
      dashdash = i;
      break;
    }
  r->o.jobs = 1;
  r->o.wall_ms = RUN_DEFAULT_WALL_MS;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(dashdash < 0 ? argc : dashdash, argv, "h", longs, NULL)) != -1) {
    char *end;
    long v;
    switch (c) {
    case 'j': r->o.junit = optarg; break;
    case 't': r->o.transcript_dir = optarg; break;
    case 'r': r->o.report_dir = optarg; break;
    case 's': r->o.state_dir = optarg; break;
    case 'T': r->o.timing = optarg; break;
    case 'J':
      v = strtol(optarg, &end, 10);
      if (*end || v < 1 || v > MAX_JOBS)
        return bad_usage("bad --jobs '%s' (1 to 64)", optarg);
      r->o.jobs = (int)v;
      break;
    case 'd':
      v = strtol(optarg, &end, 10);
      if (*end || v < 1 || v > 86400)
        return bad_usage("bad --deadline '%s' (seconds, 1 to 86400)", optarg);
      r->o.wall_ms = (uint64_t)v * 1000;
      break;
    case 'S': {
      struct run_shard sh;
      char err[256];
      if (run_shard_parse(optarg, &sh, err, sizeof(err)) != 0)
        return bad_usage("%s", err);
      r->o.shard_index = sh.index;
      r->o.shard_count = sh.count;
      break;
    }
    case 'l': r->o.list = 1; break;
    case 'h': usage(stdout); return -1;
    default:
      return bad_usage("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (!r->o.list && (dashdash < 0 || dashdash + 1 >= argc))
    return bad_usage("%s", "missing '-- CMD': the host command to run");
  *first_scenario = optind;
  *nscen = (dashdash < 0 ? argc : dashdash) - optind;
  if (*nscen < 1)
    return bad_usage("%s", "no scenario files before '--'");
  r->o.cmd = dashdash < 0 ? NULL : argv + dashdash + 1;
  return 0;
}

static void free_jobs(struct runner *r)
{
  for (int i = 0; i < r->n; i++) {
    free(r->jobs[i].sc);
    jsonl_free(&r->jobs[i].in);
    free(r->jobs[i].host_tail);
    report_log_free(&r->jobs[i].report);
  }
  free(r->jobs);
}

/* --shard: only this shard's jobs stay (all were loaded and checked, so that every shard
 * refuses the same bad file). */
static int select_shard(struct runner *r)
{
  struct run_shard sh = { r->o.shard_index, r->o.shard_count };
  const char **names = malloc(sizeof(char *) * (size_t)r->n);
  char *keep = malloc((size_t)r->n);
  int kept = 0;
  if (!names || !keep) {
    free(names);
    free(keep);
    return -1;
  }
  for (int i = 0; i < r->n; i++)
    names[i] = r->jobs[i].name;
  if (run_shard_select(&sh, names, r->n, keep) != 0) {
    free(names);
    free(keep);
    return -1;
  }
  for (int i = 0; i < r->n; i++) {
    if (keep[i]) {
      r->jobs[kept++] = r->jobs[i];
      continue;
    }
    free(r->jobs[i].sc);
    jsonl_free(&r->jobs[i].in);
  }
  r->n = kept;
  free(names);
  free(keep);
  return 0;
}

static int check_dir(const char *what, const char *dir)
{
  struct stat st;
  if (dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
    return bad_usage(what, dir);
  return 0;
}

/* A directory for the run's output: made, with its parents, when it is not there yet. */
static int output_dir(const char *what, const char *dir)
{
  char path[4096];
  size_t n;
  if (!dir)
    return 0;
  n = strlen(dir);
  if (n == 0 || n >= sizeof(path))
    return bad_usage(what, dir);
  memcpy(path, dir, n + 1);
  for (char *p = path + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    mkdir(path, 0755); /* an error shows below, as the directory missing */
    *p = '/';
  }
  mkdir(path, 0755);
  return check_dir(what, dir);
}

/* --report DIR: a page per scenario and the index. */
static int write_report(struct runner *r, double seconds)
{
  struct report_page *pages = calloc((size_t)r->n, sizeof(*pages));
  char path[4500];
  int rc = 0;
  if (!pages)
    return -1;
  for (int i = 0; i < r->n; i++) {
    struct run_job *j = &r->jobs[i];
    struct report_page *p = &pages[i];
    p->name = j->name;
    p->source = j->path;
    p->verdict = j->passed;
    p->seconds = j->seconds;
    p->revision = j->have_final ? j->final_revision : NULL;
    p->bricked = j->final_bricked;
    p->end_reason = j->end_reason;
    p->host_output = j->host_tail;
    report_log_fails(&j->report, &j->er, -1); /* left: one that could not start, say */
    p->log = &j->report;
    snprintf(path, sizeof(path), "%s/%s.html", r->o.report_dir, j->name);
    if (report_write_page(path, p) != 0) {
      fprintf(stderr, "fotasim run: cannot write the report page %s\n", path);
      rc = -1;
    }
  }
  if (report_write_index(r->o.report_dir, pages, r->n, seconds) != 0) {
    fprintf(stderr, "fotasim run: cannot write the report index %s/index.html\n",
            r->o.report_dir);
    rc = -1;
  }
  free(pages);
  if (rc == 0)
    fprintf(stderr, "fotasim run: report in %s/index.html\n", r->o.report_dir);
  return rc;
}

int run_main(int argc, char **argv)
{
  struct runner r;
  int first = 0, nscen = 0, rc, failed = 0;
  ssize_t n;
  uint64_t t0;
  memset(&r, 0, sizeof(r));
  rc = parse(argc, argv, &r, &first, &nscen);
  if (rc)
    return rc < 0 ? 0 : rc;
  if (r.o.junit && strrchr(r.o.junit, '/') && strlen(r.o.junit) < 4096) {
    char parent[4096];
    snprintf(parent, sizeof(parent), "%s", r.o.junit);
    *strrchr(parent, '/') = '\0';
    if (parent[0] && (rc = output_dir("the --junit file's directory %s cannot be made", parent)))
      return rc;
  }
  if ((rc = output_dir("--transcript-dir %s is not a directory and cannot be made",
                       r.o.transcript_dir)) ||
      (rc = output_dir("--report %s is not a directory and cannot be made", r.o.report_dir)) ||
      (rc = check_dir("--state-dir %s is not a directory", r.o.state_dir)))
    return rc;
  n = readlink("/proc/self/exe", r.o.self, sizeof(r.o.self) - 1);
  if (n <= 0)
    return bad_usage("%s", "cannot find this program's own path");
  r.o.self[n] = '\0';
  r.jobs = calloc((size_t)nscen, sizeof(*r.jobs));
  if (!r.jobs)
    return 1;
  r.loop = uv_default_loop();
  r.n = nscen;
  for (int i = 0; i < nscen; i++) { /* every file is read before anything runs */
    struct run_job *j = &r.jobs[i];
    char err[512], name[256];
    j->sc = malloc(sizeof(*j->sc));
    if (!j->sc || run_scenario_load(argv[first + i], j->sc, err, sizeof(err)) != 0) {
      fprintf(stderr, "fotasim run: %s\n", j->sc ? err : "out of memory");
      free_jobs(&r);
      return EXIT_USAGE;
    }
    if (expectations_empty(&j->sc->expect)) {
      fprintf(stderr, "fotasim run: %s: no expectations: it would pass any host (give 'expect:' "
                      "revision, bricked, host_exit, output, commands or published)\n",
              argv[first + i]);
      free_jobs(&r);
      return EXIT_USAGE;
    }
    job_name(argv[first + i], name, sizeof(name));
    for (int k = 0; k < i; k++)
      if (!strcmp(name, r.jobs[k].name)) {
        free_jobs(&r);
        return bad_usage("two scenarios are named '%s'", name);
      }
    j->o = &r.o;
    jsonl_init(&j->in, RUN_CONTROL_LINE_MAX);
    j->loop = r.loop;
    j->path = argv[first + i];
    job_name(j->path, j->name, sizeof(j->name));
    j->on_done = job_done;
    j->ctx = &r;
  }
  if (select_shard(&r) != 0) {
    free_jobs(&r);
    return 1;
  }
  nscen = r.n;
  if (r.o.list) {
    for (int i = 0; i < nscen; i++)
      printf("%s\n", r.jobs[i].path);
    free_jobs(&r);
    return 0;
  }
  if (r.o.shard_count)
    fprintf(stderr, "fotasim run: shard %d of %d: %d scenario%s\n", r.o.shard_index,
            r.o.shard_count, nscen, nscen == 1 ? "" : "s");
  t0 = uv_hrtime();
  for (int i = 0; i < nscen; i++) { /* directories and packages, before any module runs */
    struct run_job *j = &r.jobs[i];
    char err[512];
    expect_run_init(&j->er, &j->sc->expect, 0);
    if (run_job_prepare(j, err, sizeof(err)) != 0) {
      expect_fail(&j->er, "%s", err);
      print_verdict(j);
      continue;
    }
    j->prepared = 1;
  }
  start_next(&r);
  uv_run(r.loop, UV_RUN_DEFAULT);
  for (int i = 0; i < nscen; i++)
    failed += !r.jobs[i].passed;
  fprintf(stderr, "fotasim run: %d of %d scenarios passed\n", nscen - failed, nscen);
  if (r.o.junit &&
      junit_write(r.o.junit, &r.o, r.jobs, nscen, (double)(uv_hrtime() - t0) / 1e9) != 0) {
    fprintf(stderr, "fotasim run: cannot write the JUnit report %s\n", r.o.junit);
    failed = failed ? failed : 1;
  }
  if (r.o.report_dir && write_report(&r, (double)(uv_hrtime() - t0) / 1e9) != 0)
    failed = failed ? failed : 1;
  free_jobs(&r);
  uv_loop_close(r.loop);
  return failed ? 1 : 0;
}
