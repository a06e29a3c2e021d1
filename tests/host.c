/* host: what the integration tests use to act as host software: start fotasim as a separate
 * process, open its PTY links in raw mode, exchange bytes with deadlines, talk to its control
 * socket. Every wait here is bounded. */
#include "host.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static const char *bin(const char *env, const char *fallback)
{
  const char *p = getenv(env);
  return p ? p : fallback;
}

const char *show(const char *data, size_t len)
{
  static char buf[8192];
  size_t k = 0;
  for (size_t i = 0; i < len && k < sizeof(buf) - 8; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c == '\r')
      k += (size_t)snprintf(buf + k, sizeof(buf) - k, "\\r");
    else if (c == '\n')
      k += (size_t)snprintf(buf + k, sizeof(buf) - k, "\\n");
    else if (c >= 0x20 && c < 0x7f)
      buf[k++] = (char)c;
    else
      k += (size_t)snprintf(buf + k, sizeof(buf) - k, "\\x%02x", c);
  }
  buf[k] = '\0';
  return buf;
}

void sim_tempdir(struct sim *s)
{
  memset(s, 0, sizeof(*s));
  snprintf(s->dir, sizeof(s->dir), "/tmp/fotasim-test-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(s->dir));
  s->pid = -1;
}

int sim_start(struct sim *s, const char *const *extra)
{
  const char *argv[32];
  int n = 0, pipefd[2];
  size_t got = 0;
  long deadline;

  snprintf(s->main_link, sizeof(s->main_link), "%s/ttyMAIN", s->dir);
  snprintf(s->usb_link, sizeof(s->usb_link), "%s/ttyUSBAT", s->dir);
  snprintf(s->sock, sizeof(s->sock), "%s/control.sock", s->dir);
  snprintf(s->log, sizeof(s->log), "%s.log", s->dir);
  argv[n++] = bin("FOTASIM_BIN", "fotasim");
  argv[n++] = "--state-dir";
  argv[n++] = s->dir;
  argv[n++] = "--timing";
  argv[n++] = "instant";
  argv[n++] = "--log";
  argv[n++] = s->log;
  for (int i = 0; extra && extra[i] && n < 30; i++)
    argv[n++] = extra[i];
  argv[n] = NULL;
  ck_assert_int_eq(pipe(pipefd), 0);
  s->pid = fork();
  ck_assert_int_ge(s->pid, 0);
  if (s->pid == 0) {
    dup2(pipefd[1], 1);
    close(pipefd[0]);
    close(pipefd[1]);
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  close(pipefd[1]);
  s->out_fd = pipefd[0];
  deadline = now_ms() + 10000;
  while (now_ms() < deadline && got < sizeof(s->ready) - 1) {
    struct pollfd p = { s->out_fd, POLLIN, 0 };
    ssize_t r;
    if (poll(&p, 1, 100) <= 0)
      continue;
    r = read(s->out_fd, s->ready + got, 1);
    if (r <= 0)
      return -1;
    got += (size_t)r;
    if (s->ready[got - 1] == '\n') {
      s->ready[got] = '\0';
      return strncmp(s->ready, "fotasim: ready ", 15) == 0 ? 0 : -1;
    }
  }
  return -1;
}

static int wait_exit(pid_t pid, int timeout_ms)
{
  long deadline = now_ms() + timeout_ms;
  int st;
  while (now_ms() < deadline) {
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid)
      return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    usleep(5000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &st, 0);
  return -1;
}

int sim_stop(struct sim *s)
{
  int rc;
  if (s->pid <= 0)
    return -1;
  kill(s->pid, SIGTERM);
  rc = wait_exit(s->pid, 10000);
  close(s->out_fd);
  s->pid = -1;
  return rc;
}

void sim_cleanup(struct sim *s)
{
  char cmd[700];
  if (s->pid > 0)
    sim_stop(s);
  if (getenv("FOTASIM_TEST_KEEP")) { /* for a look at the state dir and the log afterwards */
    fprintf(stderr, "kept %s and %s\n", s->dir, s->log);
    return;
  }
  snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", s->dir, s->log);
  if (system(cmd) != 0)
    fprintf(stderr, "cleanup of %s failed\n", s->dir);
}

static int run_capture(const char *const *argv, char *out, size_t size, int to_stdout,
                       int timeout_ms)
{
  int pipefd[2];
  pid_t pid;
  size_t got = 0;
  long deadline = now_ms() + timeout_ms;
  ck_assert_int_eq(pipe(pipefd), 0);
  pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(pipefd[1], to_stdout ? 1 : 2);
    dup2(devnull, to_stdout ? 2 : 1);
    close(pipefd[0]);
    close(pipefd[1]);
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  close(pipefd[1]);
  while (now_ms() < deadline && got + 1 < size) {
    struct pollfd p = { pipefd[0], POLLIN, 0 };
    ssize_t r;
    if (poll(&p, 1, 100) <= 0)
      continue;
    r = read(pipefd[0], out + got, size - 1 - got);
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  out[got] = '\0';
  close(pipefd[0]);
  return wait_exit(pid, 15000);
}

/* fotasim and its arguments, into argv[64]. */
static const char *const *fotasim_argv(const char *const *args, const char **argv)
{
  int n = 0;
  argv[n++] = bin("FOTASIM_BIN", "fotasim");
  for (int i = 0; args[i] && n < 63; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  return argv;
}

int run_fotasim_for(const char *const *args, char *err, size_t errlen, int timeout_ms)
{
  const char *argv[64];
  return run_capture(fotasim_argv(args, argv), err, errlen, 0, timeout_ms);
}

int run_fotasim_stdout(const char *const *args, char *out, size_t size)
{
  const char *argv[64];
  return run_capture(fotasim_argv(args, argv), out, size, 1, 15000);
}

void sim_kill_9(struct sim *s)
{
  kill(s->pid, SIGKILL);
  waitpid(s->pid, NULL, 0);
  close(s->out_fd);
  s->pid = -1;
}

int run_fotasim(const char *const *args, char *err, size_t errlen)
{
  return run_fotasim_for(args, err, errlen, 15000);
}

int run_ctl(const struct sim *s, const char *const *args, char *out, size_t size)
{
  const char *argv[32];
  int n = 0;
  argv[n++] = bin("FOTASIMCTL_BIN", "fotasimctl");
  argv[n++] = "--socket";
  argv[n++] = s->sock;
  for (int i = 0; args[i] && n < 31; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  return run_capture(argv, out, size, 1, 15000);
}

int tty_open(const char *path)
{
  struct termios t;
  int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  ck_assert_msg(fd >= 0, "cannot open %s: %s", path, strerror(errno));
  ck_assert_int_eq(tcgetattr(fd, &t), 0);
  cfmakeraw(&t);
  ck_assert_int_eq(tcsetattr(fd, TCSANOW, &t), 0); /* TCSANOW: keep what is already queued */
  return fd;
}

void tty_send(int fd, const char *data, size_t len)
{
  while (len > 0) {
    ssize_t w = write(fd, data, len);
    ck_assert_msg(w > 0, "write to tty failed: %s", strerror(errno));
    data += w;
    len -= (size_t)w;
  }
}

size_t tty_read_n(int fd, char *buf, size_t n, int timeout_ms)
{
  long deadline = now_ms() + timeout_ms;
  size_t got = 0;
  while (got < n) {
    long left = deadline - now_ms();
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t r;
    if (left <= 0 || poll(&p, 1, (int)left) <= 0)
      break;
    if (!(p.revents & POLLIN))
      break;
    r = read(fd, buf + got, n - got);
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  return got;
}

size_t tty_read_for(int fd, char *buf, size_t size, int timeout_ms)
{
  return tty_read_n(fd, buf, size, timeout_ms);
}

void expect_tty(int fd, const char *want)
{
  size_t n = strlen(want);
  char *got = malloc(n + 1);
  size_t k = tty_read_n(fd, got, n, 15000);
  if (k != n || memcmp(got, want, n) != 0) {
    char w[4096];
    snprintf(w, sizeof(w), "%s", show(want, n));
    ck_abort_msg("wanted \"%s\", got \"%s\"", w, show(got, k));
  }
  free(got);
}

void ufs_upload(int fd, const char *path, const char *as)
{
  char cmd[128], buf[256], want[64];
  static char data[8192];
  FILE *f = fopen(path, "rb");
  size_t len, n;
  ck_assert_msg(f != NULL, "cannot read %s", path);
  len = fread(data, 1, sizeof(data), f);
  fclose(f);
  snprintf(cmd, sizeof(cmd), "AT+QFUPL=\"%s\",%zu,5\r", as, len);
  chat(fd, cmd, "\r\nCONNECT\r\n");
  tty_send(fd, data, len);
  n = tty_read_for(fd, buf, sizeof(buf) - 1, 1500);
  buf[n] = '\0';
  snprintf(want, sizeof(want), "\r\n+QFUPL: %zu,", len);
  ck_assert_msg(!strncmp(buf, want, strlen(want)) && strstr(buf, "\r\n\r\nOK\r\n"), "%s",
                show(buf, n));
}

void chat(int fd, const char *cmd, const char *want)
{
  tty_send(fd, cmd, strlen(cmd));
  expect_tty(fd, want);
}

int ctl(const struct sim *s, const char *json, char *reply, size_t size, int timeout_ms)
{
  struct sockaddr_un addr;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  size_t got = 0;
  long deadline = now_ms() + timeout_ms;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, s->sock, strnlen(s->sock, sizeof(addr.sun_path) - 1));
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  tty_send(fd, json, strlen(json));
  tty_send(fd, "\n", 1);
  while (got + 1 < size && now_ms() < deadline) {
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t r;
    if (poll(&p, 1, 50) <= 0)
      continue;
    r = read(fd, reply + got, 1);
    if (r <= 0)
      break;
    got += (size_t)r;
    if (reply[got - 1] == '\n')
      break;
  }
  reply[got] = '\0';
  close(fd);
  return got > 0 && reply[got - 1] == '\n' ? 0 : -1;
}

int servers_start(struct servers *sv, const char *root)
{
  int in[2], out[2];
  char line[256];
  size_t got = 0;
  long deadline = now_ms() + 15000;
  const char *script = bin("FOTASIM_SERVERS", "tests/servers.py");
  memset(sv, 0, sizeof(*sv));
  if (pipe(in) != 0 || pipe(out) != 0)
    return -1;
  sv->pid = fork();
  if (sv->pid < 0)
    return -1;
  if (sv->pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(devnull, 2);
    close(in[1]);
    close(out[0]);
    execl("/usr/bin/python3", "python3", script, root, root, "600", (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  sv->in_fd = in[1];
  while (got < sizeof(line) - 1 && now_ms() < deadline) {
    struct pollfd p = { out[0], POLLIN, 0 };
    ssize_t r;
    if (poll(&p, 1, 100) <= 0)
      continue;
    r = read(out[0], line + got, 1);
    if (r <= 0)
      break;
    if (line[got++] == '\n')
      break;
  }
  line[got] = '\0';
  close(out[0]);
  if (sscanf(line, "{\"http\": %d, \"https\": %d, \"ftp\": %d, \"ftps\": %d}", &sv->http,
             &sv->https, &sv->ftp, &sv->ftps) != 4) {
    servers_stop(sv);
    return -1;
  }
  return 0;
}

void servers_stop(struct servers *sv)
{
  if (sv->pid <= 0)
    return;
  close(sv->in_fd);
  if (wait_exit(sv->pid, 5000) < 0)
    fprintf(stderr, "test servers did not stop in time\n");
  sv->pid = 0;
}

struct sim S;
int M = -1, U = -1;

void fixture_setup(void)
{
  sim_tempdir(&S);
  M = U = -1;
}

void fixture_teardown(void)
{
  if (M >= 0)
    close(M);
  if (U >= 0)
    close(U);
  M = U = -1;
  sim_cleanup(&S);
}

int run_suite(Suite *s)
{
  SRunner *sr = srunner_create(s);
  int failed;
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void www_write(const char *root, const char *name, const void *data, size_t len)
{
  char path[512];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", root, name);
  f = fopen(path, "wb");
  if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path); /* before the tests: no check assertions */
    exit(1);
  }
}

void www_end(struct servers *sv, const char *root)
{
  char cmd[600];
  servers_stop(sv);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", root);
}
