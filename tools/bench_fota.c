/* bench_fota: fotabench --fota: whole FOTAs through fotasim (AT+QFOTADL to END,0, on N modules
 * of one process at once) against the floor of the same work done by stock tools (curl, dd,
 * zstd -d or zstd -d --patch-from, sha256sum), side by side, round after round. */
#include "bench_fota.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fotasim/package.h"

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int run_sh(const char *cmd)
{
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* The package's header, fetched with curl's range request: kind and payload size. */
static int fetch_header(const char *url, const char *dir, struct pkg_header *h)
{
  char cmd[8400], path[4200];
  uint8_t buf[PKG_HEADER_SIZE];
  FILE *f;
  size_t n;
  snprintf(path, sizeof(path), "%s/header", dir);
  snprintf(cmd, sizeof(cmd), "curl -sf -r 0-%d -o '%s' '%s'", PKG_HEADER_SIZE - 1, path, url);
  if (run_sh(cmd) != 0)
    return -1;
  f = fopen(path, "rb");
  n = f ? fread(buf, 1, sizeof(buf), f) : 0;
  if (f)
    fclose(f);
  return n == sizeof(buf) && pkg_header_parse(buf, n, h) == PKG_OK ? 0 : -1;
}

/* One fotasim with n modules on new state dirs; its pid, once its ready line came. */
static pid_t start_fotasim(const struct bench_fota *b, const char *dir, int n)
{
  char count[16], line[512];
  int out[2];
  size_t got = 0;
  pid_t pid;
  double until = now_s() + 120;
  snprintf(count, sizeof(count), "%d", n);
  if (pipe(out) != 0)
    return -1;
  pid = fork();
  if (pid == 0) {
    const char *argv[16];
    int k = 0;
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    argv[k++] = b->fotasim;
    argv[k++] = "--state-dir";
    argv[k++] = dir;
    argv[k++] = "--timing";
    argv[k++] = "instant";
    argv[k++] = "--quiet";
    argv[k++] = "--modules";
    argv[k++] = count;
    if (b->source) {
      argv[k++] = "--image";
      argv[k++] = b->source;
    }
    argv[k] = NULL;
    execvp(argv[0], (char **)argv);
    _exit(127);
  }
  close(out[1]);
  while (pid > 0 && now_s() < until && got < sizeof(line) - 1) {
    struct pollfd p = { out[0], POLLIN, 0 };
    ssize_t r;
    if (poll(&p, 1, 1000) < 0 && errno != EINTR)
      break;
    if (!(p.revents & (POLLIN | POLLHUP)))
      continue;
    r = read(out[0], line + got, sizeof(line) - 1 - got);
    if (r <= 0)
      break;
    got += (size_t)r;
    line[got] = '\0';
    if (strstr(line, "fotasim: ready") && strchr(line, '\n')) {
      close(out[0]);
      return pid;
    }
  }
  close(out[0]);
  fprintf(stderr, "fotabench: %s did not get ready\n", b->fotasim);
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
  return -1;
}

static long peak_rss_kb(pid_t pid)
{
  char path[64], line[256];
  long kb = -1;
  FILE *f;
  snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
  f = fopen(path, "r");
  while (f && fgets(line, sizeof(line), f))
    if (!strncmp(line, "VmHWM:", 6))
      kb = atol(line + 6);
  if (f)
    fclose(f);
  return kb;
}

static int open_port(const char *path)
{
  int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  return fd;
}

/* AT+QFOTADL on every module's USB port at once; seconds until the last END (all 0), or -1. */
static double module_round(const struct bench_fota *b, const char *dir, int n, long *rss_kb)
{
  char cmd[4400];
  int *fds = calloc((size_t)n, sizeof(int));
  char (*tail)[256] = calloc((size_t)n, sizeof(*tail));
  int *done = calloc((size_t)n, sizeof(int));
  struct pollfd *p = calloc((size_t)n, sizeof(*p));
  int left = n, cmdlen;
  double t0 = 0, t = -1;
  pid_t pid = start_fotasim(b, dir, n);
  if (pid < 0 || !fds || !tail || !done || !p)
    goto out;
  for (int i = 0; i < n; i++) {
    char path[4400];
    if (n > 1)
      snprintf(path, sizeof(path), "%s/m%d/ttyUSBAT", dir, i);
    else
      snprintf(path, sizeof(path), "%s/ttyUSBAT", dir);
    fds[i] = open_port(path);
    if (fds[i] < 0) {
      fprintf(stderr, "fotabench: cannot open %s: %s\n", path, strerror(errno));
      goto out;
    }
  }
  cmdlen = snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"%s\",1,5,5\r", b->url);
  t0 = now_s();
  for (int i = 0; i < n; i++)
    if (write(fds[i], cmd, (size_t)cmdlen) != cmdlen) {
      fprintf(stderr, "fotabench: cannot write to module %d\n", i);
      goto out;
    }
  while (left > 0) {
    int k = 0;
    for (int i = 0; i < n; i++)
      if (!done[i]) {
        p[k].fd = fds[i];
        p[k].events = POLLIN;
        p[k].revents = 0;
        k++;
      }
    if (poll(p, (nfds_t)k, 60000) <= 0) {
      fprintf(stderr, "fotabench: %d of %d modules did not end their FOTA in 60 s\n", left, n);
      goto out;
    }
    for (int j = 0; j < k; j++) {
      int i = 0;
      char buf[4096];
      ssize_t r;
      if (!p[j].revents)
        continue;
      while (fds[i] != p[j].fd)
        i++;
      r = read(fds[i], buf, sizeof(buf) - 1);
      if (r <= 0)
        continue;
      buf[r] = '\0';
      /* keep the last bytes, so that a URC cut between two reads is still seen */
      {
        char joined[4400], *end;
        size_t tl = strlen(tail[i]);
        memcpy(joined, tail[i], tl);
        memcpy(joined + tl, buf, (size_t)r + 1);
        if ((end = strstr(joined, "\"FOTA\",\"END\","))) {
          if (strtol(end + 13, NULL, 10) != 0) {
            fprintf(stderr, "fotabench: module %d: %.40s\n", i, end);
            goto out;
          }
          done[i] = 1;
          left--;
        }
        tl = strlen(joined);
        snprintf(tail[i], sizeof(tail[i]), "%s", joined + (tl > 200 ? tl - 200 : 0));
      }
    }
  }
  t = now_s() - t0;
  *rss_kb = peak_rss_kb(pid);
out:
  for (int i = 0; fds && i < n; i++)
    if (fds[i] > 0)
      close(fds[i]);
  if (pid > 0) {
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
  }
  free(fds);
  free(tail);
  free(done);
  free(p);
  return t;
}

/* n runs of the stock tools at once, each into its own files: seconds, and the largest tool's
 * peak RSS. */
static double floor_round(const struct bench_fota *b, const struct pkg_header *h,
                          const char *dir, const char *source, int n, long *rss_kb)
{
  size_t cap = (size_t)n * 1200 + 200;
  char *cmd = malloc(cap);
  size_t len = 0;
  double t0, t;
  struct rusage ru;
  int res[2];
  pid_t pid;
  if (!cmd)
    return -1;
  len += (size_t)snprintf(cmd + len, cap - len, "set -e; cd '%s'; pids=;", dir);
  for (int i = 0; i < n; i++)
    len += (size_t)snprintf(cmd + len, cap - len,
                            " (curl -sf -o p%d '%s' && dd if=p%d of=z%d bs=64K "
                            "iflag=skip_bytes,count_bytes skip=%d count=%u status=none && "
                            "zstd -dqf %s%s%s --memory=512MB z%d -o i%d && sha256sum i%d "
                            ">/dev/null) & pids=\"$pids $!\";",
                            i, b->url, i, i, PKG_HEADER_SIZE, h->payload_size,
                            source ? "--patch-from='" : "", source ? source : "",
                            source ? "'" : "", i, i, i);
  snprintf(cmd + len, cap - len, " for j in $pids; do wait $j; done; rm -f p* z* i*");
  /* in a child of its own, so that its peak RSS is the tools' alone (fotasim is ours too) */
  if (pipe(res) != 0) {
    free(cmd);
    return -1;
  }
  t0 = now_s();
  pid = fork();
  if (pid == 0) {
    long kb;
    int ok = run_sh(cmd) == 0;
    getrusage(RUSAGE_CHILDREN, &ru);
    kb = ok ? ru.ru_maxrss : -1;
    _exit(write(res[1], &kb, sizeof(kb)) == sizeof(kb) ? 0 : 1);
  }
  close(res[1]);
  if (pid < 0 || read(res[0], rss_kb, sizeof(*rss_kb)) != sizeof(*rss_kb) || *rss_kb < 0) {
    fprintf(stderr, "fotabench: the floor's tools failed (curl, dd, zstd, sha256sum)\n");
    t = -1;
  } else {
    t = now_s() - t0;
  }
  close(res[0]);
  if (pid > 0)
    waitpid(pid, NULL, 0);
  free(cmd);
  return t;
}

int bench_fota(const struct bench_fota *b)
{
  char dir[] = "/tmp/fotabench-XXXXXX", work[4200], base[4400], state[4300];
  struct pkg_header h;
  double *fl = calloc((size_t)b->rounds, sizeof(double));
  double *mo = calloc((size_t)b->rounds, sizeof(double));
  long frss = 0, mrss = 0;
  int rc = 1;
  if (!fl || !mo || !mkdtemp(dir)) {
    fprintf(stderr, "fotabench: cannot make a work directory\n");
    goto out;
  }
  if (fetch_header(b->url, dir, &h) != 0) {
    fprintf(stderr, "fotabench: %s is not a fotasim package (or curl cannot fetch it)\n", b->url);
    goto out;
  }
  snprintf(work, sizeof(work), "%s/floor", dir);
  if (mkdir(work, 0700) != 0 && errno != EEXIST)
    goto out;
  printf("FOTA %s: %s package, %u bytes of payload, image of %u bytes; %d module%s, %d rounds\n",
         b->url, h.kind == PKG_KIND_DELTA ? "delta" : "full", h.payload_size, h.target_size,
         b->parallel, b->parallel > 1 ? "s at once" : "", b->rounds);
  for (int r = 0; r < b->rounds; r++) {
    long rss = 0;
    snprintf(state, sizeof(state), "%s/state%d", dir, r);
    mo[r] = module_round(b, state, b->parallel, &rss);
    if (mo[r] < 0)
      goto out;
    if (rss > mrss)
      mrss = rss;
    /* the floor patches from what the module had installed: its first image */
    if (b->source) {
      if (!realpath(b->source, base)) {
        fprintf(stderr, "fotabench: %s: %s\n", b->source, strerror(errno));
        goto out;
      }
    } else if (b->parallel > 1)
      snprintf(base, sizeof(base), "%s/m0/flash.base", state);
    else
      snprintf(base, sizeof(base), "%s/flash.base", state);
    fl[r] = floor_round(b, &h, work, h.kind == PKG_KIND_DELTA ? base : NULL, b->parallel, &rss);
    if (fl[r] < 0)
      goto out;
    if (rss > frss)
      frss = rss;
    {
      char cmd[4400];
      snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state);
      run_sh(cmd);
    }
    fprintf(stderr, "round %d of %d: floor %.1f ms, fotasim %.1f ms\n", r + 1, b->rounds,
            fl[r] * 1e3, mo[r] * 1e3);
  }
  qsort(fl, (size_t)b->rounds, sizeof(double), cmp_double);
  qsort(mo, (size_t)b->rounds, sizeof(double), cmp_double);
  {
    double f = fl[b->rounds / 2], m = mo[b->rounds / 2];
    double mb = (double)b->parallel * (PKG_HEADER_SIZE + h.payload_size) / 1e6;
    printf("%-44s %8.1f ms  %7.1f MB/s  peak RSS %ld MB (largest tool)\n",
           "floor: curl, dd, zstd -d, sha256sum", f * 1e3, mb / f, frss / 1024);
    printf("%-44s %8.1f ms  %7.1f MB/s  peak RSS %ld MB (the process)\n",
           "fotasim: AT+QFOTADL to END,0", m * 1e3, mb / m, mrss / 1024);
    printf("%-44s %8.2fx (median of %d rounds)\n", "ratio", m / f, b->rounds);
  }
  rc = 0;
out:
  if (dir[0] && strncmp(dir, "/tmp/fotabench-XXXXXX", sizeof(dir)) != 0) {
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    run_sh(cmd);
  }
  free(fl);
  free(mo);
  return rc;
}
