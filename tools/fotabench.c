/* fotabench: measures how fast a running fotasim answers: the AT round trip over its PTY against
 * a bare PTY echo round trip (the floor any PTY program has), pipelined throughput; with
 * --modules, many modules of one process answering at once; with --sockets, the module's
 * sockets against a TCP echo server, next to the same echo straight over loopback; with --ppp,
 * bulk TCP through a PPP data call (bench_ppp.c). */
#include <arpa/inet.h>
#include <mosquitto.h>

#include "bench_fota.h"
#include "bench_ppp.h"
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int open_raw(const char *path)
{
  struct termios t;
  int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 || tcgetattr(fd, &t) != 0) {
    fprintf(stderr, "fotabench: cannot open %s: %s\n", path, strerror(errno));
    exit(2);
  }
  cfmakeraw(&t);
  tcsetattr(fd, TCSANOW, &t);
  return fd;
}

/* Reads until `want` bytes have come, with a 5 s deadline; -1 on timeout. */
static int read_n(int fd, char *buf, size_t want)
{
  size_t got = 0;
  while (got < want) {
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t r;
    if (poll(&p, 1, 5000) <= 0)
      return -1;
    r = read(fd, buf + got, want - got);
    if (r <= 0)
      return -1;
    got += (size_t)r;
  }
  return 0;
}

static void drain(int fd)
{
  char buf[4096];
  struct pollfd p = { fd, POLLIN, 0 };
  while (poll(&p, 1, 200) > 0 && read(fd, buf, sizeof(buf)) > 0)
    ;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, int n)
{
  double sum = 0;
  for (int i = 0; i < n; i++)
    sum += t[i];
  qsort(t, (size_t)n, sizeof(double), cmp_double);
  printf("%-28s mean %7.1f us  p50 %7.1f us  p99 %7.1f us  (%d round trips)\n", what, sum / n,
         t[n / 2], t[n * 99 / 100], n);
}

/* The floor: a child process echoes "\r\nOK\r\n" for every "AT\r" on a bare PTY. */
static void bare_pty(int n, double *t)
{
  int master = posix_openpt(O_RDWR | O_NOCTTY), slave;
  pid_t pid;
  char buf[16];
  grantpt(master);
  unlockpt(master);
  slave = open_raw(ptsname(master));
  pid = fork();
  if (pid == 0) {
    char in[64];
    for (;;) {
      ssize_t r = read(master, in, sizeof(in));
      if (r <= 0)
        _exit(0);
      if (write(master, "\r\nOK\r\n", 6) != 6)
        _exit(1);
    }
  }
  for (int i = 0; i < n; i++) {
    double t0 = now_us();
    if (write(slave, "AT\r", 3) != 3 || read_n(slave, buf, 6) != 0) {
      fprintf(stderr, "fotabench: bare PTY echo failed\n");
      exit(1);
    }
    t[i] = now_us() - t0;
  }
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
  close(slave);
  close(master);
}

/* Many modules of one fotasim (--modules N): each round sends AT to every module's USB port and
 * waits for every OK. */
static int many_modules(const char *dir, int nmod, int rounds)
{
  int *fds = calloc((size_t)nmod, sizeof(int));
  struct pollfd *p = calloc((size_t)nmod, sizeof(*p));
  int *got = calloc((size_t)nmod, sizeof(int));
  double *t = malloc(sizeof(double) * (size_t)rounds), t0 = now_us();
  char path[4200], buf[256];
  for (int i = 0; i < nmod; i++) {
    snprintf(path, sizeof(path), "%s/m%d/ttyUSBAT", dir, i);
    fds[i] = open_raw(path);
    if (write(fds[i], "ATE0\r", 5) != 5) {
      fprintf(stderr, "fotabench: cannot write to %s: %s\n", path, strerror(errno));
      return 1;
    }
  }
  for (int i = 0; i < nmod; i++)
    drain(fds[i]);
  t0 = now_us();
  for (int r = 0; r < rounds; r++) {
    double r0 = now_us();
    int left = nmod;
    for (int i = 0; i < nmod; i++) {
      got[i] = 0;
      if (write(fds[i], "AT\r", 3) != 3) {
        fprintf(stderr, "fotabench: cannot write to module %d: %s\n", i, strerror(errno));
        return 1;
      }
    }
    while (left > 0) {
      int k = 0;
      for (int i = 0; i < nmod; i++)
        if (got[i] < 6) {
          p[k].fd = fds[i];
          p[k].events = POLLIN;
          k++;
        }
      if (poll(p, (nfds_t)k, 5000) <= 0) {
        fprintf(stderr, "fotabench: %d modules did not answer\n", left);
        return 1;
      }
      for (int j = 0; j < k; j++) {
        if (!(p[j].revents & POLLIN))
          continue;
        for (int i = 0; i < nmod; i++) {
          ssize_t n;
          if (fds[i] != p[j].fd)
            continue;
          n = read(fds[i], buf, sizeof(buf));
          if (n > 0 && (got[i] += (int)n) >= 6)
            left--;
        }
      }
    }
    t[r] = now_us() - r0;
  }
  printf("%d modules, %d rounds of AT on every USB port:\n", nmod, rounds);
  printf("%-28s %.0f commands/s in all\n", "throughput", (double)nmod * rounds / ((now_us() - t0) / 1e6));
  report("one round (all modules)", t, rounds);
  for (int i = 0; i < nmod; i++)
    close(fds[i]);
  free(fds);
  free(p);
  free(got);
  free(t);
  return 0;
}

/* ---- --sockets ---- */

/* A TCP echo server on 127.0.0.1 in a child process (ends with its parent's SIGTERM). */
/* A listening TCP socket on 127.0.0.1 and a port of the kernel's choosing; exits if none. */
static int listening(const char *what, int *port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof(a);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8) ||
      getsockname(fd, (struct sockaddr *)&a, &len)) {
    fprintf(stderr, "fotabench: cannot start %s: %s\n", what, strerror(errno));
    exit(1);
  }
  *port = ntohs(a.sin_port);
  return fd;
}

static pid_t echo_server(int *port)
{
  int fd = listening("an echo server", port);
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) {
      int c = accept(fd, NULL, NULL);
      if (c < 0)
        _exit(0);
      if (fork() == 0) {
        char buf[65536];
        ssize_t r;
        while ((r = read(c, buf, sizeof(buf))) > 0)
          for (ssize_t o = 0; o < r;) {
            ssize_t w = write(c, buf + o, (size_t)(r - o));
            if (w <= 0)
              _exit(0);
            o += w;
          }
        _exit(0);
      }
      close(c);
    }
  }
  close(fd);
  return pid;
}

static int tcp_to(int port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                           .sin_port = htons((uint16_t)port) };
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
    fprintf(stderr, "fotabench: cannot reach the echo server\n");
    exit(1);
  }
  return fd;
}

/* Reads until the bytes so far end with `tail` (the protocol sends nothing after it unasked);
 * -1 on timeout or overflow. */
static int read_until(int fd, const char *tail, char *buf, size_t size)
{
  size_t got = 0, tl = strlen(tail);
  while (got < size) {
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t r;
    if (poll(&p, 1, 5000) <= 0 || (r = read(fd, buf + got, size - got)) <= 0)
      return -1;
    got += (size_t)r;
    if (got >= tl && !memcmp(buf + got - tl, tail, tl))
      return (int)got;
  }
  return -1;
}

/* Writes all of out while reading all of in's length back; MB/s of the echoed bytes. */
static double pump(int wfd, int rfd, size_t total)
{
  static char out[65536], in[65536];
  size_t sent = 0, got = 0;
  double t0 = now_us();
  int fl = fcntl(wfd, F_GETFL);
  fcntl(wfd, F_SETFL, fl | O_NONBLOCK);
  memset(out, 'x', sizeof(out));
  while (got < total) {
    struct pollfd p[2] = { { rfd, POLLIN, 0 }, { wfd, sent < total ? POLLOUT : 0, 0 } };
    if (poll(p, 2, 5000) <= 0) {
      fprintf(stderr, "fotabench: bulk transfer stalled at %zu bytes\n", got);
      exit(1);
    }
    if (p[1].revents & POLLOUT) {
      size_t n = total - sent < sizeof(out) ? total - sent : sizeof(out);
      ssize_t w = write(wfd, out, n);
      if (w > 0)
        sent += (size_t)w;
    }
    if (p[0].revents & POLLIN) {
      ssize_t r = read(rfd, in, sizeof(in));
      if (r > 0)
        got += (size_t)r;
    }
  }
  fcntl(wfd, F_SETFL, fl);
  return (double)total / ((now_us() - t0) / 1e6) / 1e6;
}

static void at(int fd, const char *cmd, const char *tail)
{
  char buf[4096];
  if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
      read_until(fd, tail, buf, sizeof(buf)) < 0) {
    fprintf(stderr, "fotabench: no \"%s\" after %s\n", tail, cmd);
    exit(1);
  }
}

static int sockets(const char *tty, int n)
{
  static const char payload[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
  double *t = malloc(sizeof(double) * (size_t)n), direct_mbs, module_mbs, direct_p50, module_p50;
  double pty_mbs;
  char buf[512], cmd[96];
  int port, fd, s;
  pid_t echo = echo_server(&port);
  const size_t bulk = 32u << 20;

  s = tcp_to(port); /* the floor: the same echo straight over loopback */
  for (int i = 0; i < n; i++) {
    double t0 = now_us();
    if (write(s, payload, 64) != 64 || read_n(s, buf, 64) != 0)
      return 1;
    t[i] = now_us() - t0;
  }
  report("loopback echo 64 B", t, n);
  direct_p50 = t[n / 2];
  direct_mbs = pump(s, s, bulk);
  printf("%-28s %.1f MB/s\n", "loopback bulk echo", direct_mbs);
  close(s);

  { /* and the floor of any PTY program: a child echoing bytes on a bare PTY */
    int master = posix_openpt(O_RDWR | O_NOCTTY), slave;
    pid_t pid;
    grantpt(master);
    unlockpt(master);
    slave = open_raw(ptsname(master));
    pid = fork();
    if (pid == 0) {
      char in[65536];
      ssize_t r;
      while ((r = read(master, in, sizeof(in))) > 0)
        for (ssize_t o = 0; o < r;) {
          ssize_t w = write(master, in + o, (size_t)(r - o));
          if (w <= 0)
            _exit(0);
          o += w;
        }
      _exit(0);
    }
    pty_mbs = pump(slave, slave, bulk);
    printf("%-28s %.1f MB/s\n", "bare PTY bulk echo", pty_mbs);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(slave);
    close(master);
  }

  fd = open_raw(tty);
  drain(fd);
  at(fd, "ATE0\r", "OK\r\n");
  at(fd, "AT+QIACT=1\r", "OK\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",%d,0,0\r", port);
  at(fd, cmd, "+QIOPEN: 0,0\r\n");
  for (int i = 0; i < n; i++) { /* QISEND, the echo, the recv URC, QIRD */
    double t0 = now_us();
    at(fd, "AT+QISEND=0,64\r", "> ");
    if (write(fd, payload, 64) != 64)
      return 1;
    at(fd, "", "\"recv\",0\r\n");
    at(fd, "AT+QIRD=0,1500\r", "\r\nOK\r\n");
    t[i] = now_us() - t0;
  }
  report("module echo 64 B (QIRD)", t, n);
  module_p50 = t[n / 2];
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,1,\"TCP\",\"127.0.0.1\",%d,0,2\r", port);
  at(fd, cmd, "CONNECT\r\n");
  module_mbs = pump(fd, fd, bulk);
  printf("%-28s %.1f MB/s\n", "module transparent bulk", module_mbs);
  sleep(2); /* the guard times around +++ */
  at(fd, "+++", "OK\r\n");
  at(fd, "AT+QICLOSE=1;+QICLOSE=0\r", "OK\r\n");
  printf("ratios: echo round trip %.2fx loopback; bulk throughput %.2fx loopback, %.2fx a bare "
         "PTY\n", module_p50 / direct_p50, direct_mbs / module_mbs, pty_mbs / module_mbs);
  kill(echo, SIGTERM);
  waitpid(echo, NULL, 0);
  close(fd);
  free(t);
  return 0;
}

/* ---- --http ---- */

#define HTTP_BODY (1 << 20)

/* An HTTP/1.0 server on 127.0.0.1 in a child: 1 MB for every request, then it closes. */
static pid_t http_server(int *port)
{
  int fd = listening("an HTTP server", port);
  pid_t pid = fork();
  if (pid == 0) {
    static char body[HTTP_BODY];
    char head[128], req[4096];
    int hl = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n",
                      HTTP_BODY);
    memset(body, 'b', sizeof(body));
    for (;;) {
      int c = accept(fd, NULL, NULL);
      size_t got = 0;
      if (c < 0)
        _exit(0);
      while (got < sizeof(req) - 1) { /* the request, to its blank line */
        ssize_t r = read(c, req + got, sizeof(req) - 1 - got);
        if (r <= 0)
          break;
        got += (size_t)r;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n"))
          break;
      }
      if (write(c, head, (size_t)hl) == hl)
        for (size_t o = 0; o < sizeof(body);) {
          ssize_t w = write(c, body + o, sizeof(body) - o);
          if (w <= 0)
            break;
          o += (size_t)w;
        }
      close(c);
    }
  }
  close(fd);
  return pid;
}

/* A GET straight over a loopback socket: the bytes of the answer. */
static size_t direct_get(int port)
{
  static char buf[65536];
  static const char req[] = "GET /fw.bin HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  int fd = tcp_to(port);
  size_t total = 0;
  ssize_t r;
  if (write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1))
    exit(1);
  while ((r = read(fd, buf, sizeof(buf))) > 0)
    total += (size_t)r;
  close(fd);
  return total;
}

/* Reads until tail; the bytes read. */
static size_t read_through(int fd, const char *tail)
{
  static char buf[HTTP_BODY + 4096];
  size_t got = 0, tl = strlen(tail);
  while (got < sizeof(buf)) {
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t r;
    if (poll(&p, 1, 10000) <= 0 || (r = read(fd, buf + got, sizeof(buf) - got)) <= 0)
      break;
    got += (size_t)r;
    if (got >= tl && !memcmp(buf + got - tl, tail, tl))
      return got;
  }
  fprintf(stderr, "fotabench: no \"%s\" from the module\n", tail);
  exit(1);
}

static int http(const char *tty, int rounds)
{
  char cmd[96], url[64], want[64];
  int port, fd;
  pid_t srv = http_server(&port);
  double t0, direct_s, module_s;
  fd = open_raw(tty);
  drain(fd);
  at(fd, "ATE0\r", "OK\r\n");
  at(fd, "AT+QIACT=1\r", "\r\n");
  drain(fd);
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/fw.bin", port);
  snprintf(cmd, sizeof(cmd), "AT+QHTTPURL=%zu,10\r", strlen(url));
  at(fd, cmd, "CONNECT\r\n");
  at(fd, url, "OK\r\n");
  snprintf(want, sizeof(want), "+QHTTPGET: 0,200,%d\r\n", HTTP_BODY);
  t0 = now_us();
  for (int i = 0; i < rounds; i++)
    if (direct_get(port) < HTTP_BODY) {
      fprintf(stderr, "fotabench: the direct GET came back short\n");
      return 1;
    }
  direct_s = (now_us() - t0) / 1e6;
  t0 = now_us();
  for (int i = 0; i < rounds; i++) {
    at(fd, "AT+QHTTPGET=10\r", want);
    if (write(fd, "AT+QHTTPREAD=10\r", 16) != 16 ||
        read_through(fd, "+QHTTPREAD: 0\r\n") < HTTP_BODY) {
      fprintf(stderr, "fotabench: AT+QHTTPREAD came back short\n");
      return 1;
    }
  }
  module_s = (now_us() - t0) / 1e6;
  printf("%-28s %.1f ms a GET, %.1f MB/s (%d rounds of 1 MB)\n", "direct GET over loopback",
         direct_s * 1000 / rounds, rounds * (HTTP_BODY / 1e6) / direct_s, rounds);
  printf("%-28s %.1f ms a GET, %.1f MB/s\n", "module QHTTPGET + QHTTPREAD",
         module_s * 1000 / rounds, rounds * (HTTP_BODY / 1e6) / module_s);
  printf("ratio: %.2fx the direct GET\n", module_s / direct_s);
  kill(srv, SIGTERM);
  waitpid(srv, NULL, 0);
  close(fd);
  return 0;
}

/* ---- --mqtt ---- */

static int got_back;

static void bench_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
  (void)m;
  (void)obj;
  (void)msg;
  got_back = 1;
}

/* One client straight on the broker: publish to a topic it subscribes to, wait for it. */
static void direct_mqtt(int port, int n, double *t)
{
  struct mosquitto *m;
  mosquitto_lib_init();
  m = mosquitto_new("fotabench-direct", true, NULL);
  if (!m || mosquitto_connect(m, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
    fprintf(stderr, "fotabench: no broker on 127.0.0.1:%d\n", port);
    exit(1);
  }
  mosquitto_message_callback_set(m, bench_message);
  mosquitto_subscribe(m, NULL, "bench/direct", 1);
  for (int i = 0; i < 20; i++) /* the SUBACK */
    mosquitto_loop(m, 10, 1);
  for (int i = 0; i < n; i++) {
    double t0 = now_us();
    got_back = 0;
    mosquitto_publish(m, NULL, "bench/direct", 64, "0123456789abcdef0123456789abcdef"
                      "0123456789abcdef0123456789abcdef", 1, false);
    while (!got_back)
      if (mosquitto_loop(m, 1000, 1) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "fotabench: the broker went away\n");
        exit(1);
      }
    t[i] = now_us() - t0;
  }
  mosquitto_disconnect(m);
  mosquitto_destroy(m);
}

/* Reads until both needles have come (in any order, in any pieces); -1 on timeout. */
static int read_both(int fd, const char *a, const char *b)
{
  char buf[4096];
  size_t got = 0;
  while (got < sizeof(buf) - 1) {
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t r;
    if (poll(&p, 1, 5000) <= 0 || (r = read(fd, buf + got, sizeof(buf) - 1 - got)) <= 0)
      return -1;
    got += (size_t)r;
    buf[got] = '\0';
    if (strstr(buf, a) && strstr(buf, b))
      return 0;
  }
  return -1;
}

static int mqtt(const char *tty, int port, int n)
{
  double *t = malloc(sizeof(double) * (size_t)n), direct_p50, module_p50;
  char cmd[128];
  int fd = open_raw(tty);
  direct_mqtt(port, n, t);
  report("direct publish -> receive", t, n);
  qsort(t, (size_t)n, sizeof(double), cmp_double);
  direct_p50 = t[n / 2];
  drain(fd);
  at(fd, "ATE0\r", "OK\r\n");
  at(fd, "AT+QIACT=1\r", "\r\n");
  drain(fd);
  snprintf(cmd, sizeof(cmd), "AT+QMTOPEN=5,\"127.0.0.1\",%d\r", port);
  at(fd, cmd, "+QMTOPEN: 5,0\r\n");
  at(fd, "AT+QMTCONN=5,\"fotabench-module\"\r", "+QMTCONN: 5,0,0\r\n");
  at(fd, "AT+QMTSUB=5,1,\"bench/module\",1\r", "+QMTSUB: 5,1,0,1\r\n");
  for (int i = 0; i < n; i++) {
    double t0 = now_us();
    at(fd, "AT+QMTPUBEX=5,1,1,0,\"bench/module\",64\r", "> ");
    if (write(fd, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 64) != 64 ||
        read_both(fd, "0123456789abcdef\"\r\n", "+QMTPUBEX: 5,1,0\r\n") < 0) {
      fprintf(stderr, "fotabench: no +QMTRECV and +QMTPUBEX from the module\n");
      return 1;
    }
    t[i] = now_us() - t0;
  }
  report("module QMTPUBEX -> QMTRECV", t, n);
  qsort(t, (size_t)n, sizeof(double), cmp_double);
  module_p50 = t[n / 2];
  printf("ratio: %.2fx the direct round trip (p50)\n", module_p50 / direct_p50);
  at(fd, "AT+QMTDISC=5\r", "+QMTDISC: 5,0\r\n");
  close(fd);
  free(t);
  return 0;
}

int main(int argc, char **argv)
{
  const char *tty = NULL, *modules_dir = NULL;
  struct bench_fota fota = { NULL, NULL, NULL, 1, 5 };
  int nmodules = 0, socks = 0, web = 0, broker = 0, ppp = 0;
  int n = 2000, pipelined = 20000, fd;
  double *t;
  char buf[64];

  static const struct option opts[] = {
    { "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
    { "modules", required_argument, NULL, 'M' }, { "sockets", no_argument, NULL, 'S' },
    { "ppp", no_argument, NULL, 'P' },           { "ppp-dlc", no_argument, NULL, 'D' },
    { "http", no_argument, NULL, 'H' },          { "mqtt", required_argument, NULL, 'Q' },
    { "fota", required_argument, NULL, 'F' },    { "parallel", required_argument, NULL, 'p' },
    { "rounds", required_argument, NULL, 'r' },  { "image", required_argument, NULL, 'i' },
    { "fotasim", required_argument, NULL, 'f' }, { "count", required_argument, NULL, 'n' },
    { "pipelined", required_argument, NULL, 'l' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'h':
      printf("Usage: fotabench [--count N] [--pipelined N] TTY\n"
             "       fotabench [--count N] --modules DIR M\n"
             "       fotabench [--count N] --sockets TTY\n"
             "       fotabench [--count N] --http TTY\n"
             "       fotabench [--count N] --mqtt PORT TTY\n"
             "       fotabench --ppp TTY | --ppp-dlc TTY\n"
             "       fotabench --fota URL [--parallel N] [--rounds R] [--image IMG] [--fotasim BIN]\n"
             "Measures a running fotasim on TTY (its main or USB link): AT round trip latency\n"
             "against a bare PTY echo, and the rate of pipelined AT commands. With --modules,\n"
             "a fotasim started with --modules M --state-dir DIR: N rounds of AT to all M.\n"
             "With --sockets (a fotasim with --timing instant, its USB link): a 64-byte echo\n"
             "through AT+QISEND/AT+QIRD and 32 MB in transparent mode against a TCP echo\n"
             "server, next to the same straight over loopback, and the two ratios.\n"
             "With --http (the same fotasim): N/100 GETs of 1 MB through AT+QHTTPGET and\n"
             "AT+QHTTPREAD against the same GET straight over loopback, and the ratio.\n"
             "With --mqtt (the same fotasim, a broker on 127.0.0.1:PORT): N/10 QoS 1 publish to\n"
             "receive round trips of 64 bytes through the module against a client straight on\n"
             "the broker, and the ratio.\n"
             "With --ppp (the same fotasim, its modem link ttyUSBMODEM): 8 MB of TCP through a\n"
             "PPP data call and the module's NAT against the same straight over loopback;\n"
             "with --ppp-dlc (its USB AT link ttyUSBAT), the call on DLC 1 of a CMUX.\n"
             "With --fota (no TTY: it starts fotasim itself, --timing instant, new state dirs\n"
             "each round): AT+QFOTADL of the package at URL on N modules of one process at once\n"
             "(default 1), from the command to END,0, against the floor of N runs at once of\n"
             "curl, dd, zstd -d (--patch-from the module's image for a delta) and sha256sum;\n"
             "medians of R rounds (default 5), MB/s of package bytes, peak RSS. --image: the\n"
             "modules' first image (a delta's source); --fotasim: the program (default: the\n"
             "fotasim beside this build, else on PATH).\n");
      return 0;
    case 'V': printf("fotabench %s\n", FOTASIM_VERSION); return 0;
    case 'M': modules_dir = optarg; break; /* and M, the next argument */
    case 'S': socks = 1; break;
    case 'P': ppp = 1; break;
    case 'D': ppp = 2; break;
    case 'H': web = 1; break;
    case 'Q': broker = atoi(optarg); break;
    case 'F': fota.url = optarg; break;
    case 'p': fota.parallel = atoi(optarg); break;
    case 'r': fota.rounds = atoi(optarg); break;
    case 'i': fota.source = optarg; break;
    case 'f': fota.fotasim = optarg; break;
    case 'n': n = atoi(optarg); break;
    case 'l': pipelined = atoi(optarg); break;
    default:
      fprintf(stderr, "fotabench: bad argument '%s' (see fotabench --help)\n", argv[optind - 1]);
      return 2;
    }
  }
  if (modules_dir && optind < argc) /* --modules DIR M */
    nmodules = atoi(argv[optind++]);
  if (optind < argc)
    tty = argv[optind++];
  if (optind < argc) {
    fprintf(stderr, "fotabench: bad argument '%s' (see fotabench --help)\n", argv[optind]);
    return 2;
  }
  if (fota.url) {
    static char beside[4200];
    if (fota.parallel < 1 || fota.rounds < 1) {
      fprintf(stderr, "fotabench: --parallel and --rounds take a positive number\n");
      return 2;
    }
    if (!fota.fotasim) { /* build/tools/fotabench: build/fotasim */
      const char *slash = strrchr(argv[0], '/');
      snprintf(beside, sizeof(beside), "%.*s/../fotasim", slash ? (int)(slash - argv[0]) : 1,
               slash ? argv[0] : ".");
      fota.fotasim = slash && access(beside, X_OK) == 0 ? beside : "fotasim";
    }
    return bench_fota(&fota);
  }
  if (modules_dir)
    return nmodules > 0 && n > 0 ? many_modules(modules_dir, nmodules, n < 10 ? n : n / 10) : 2;
  if (socks && tty && n >= 10)
    return sockets(tty, n);
  if (ppp && tty)
    return bench_ppp(tty, ppp == 2);
  if (web && tty && n >= 100)
    return http(tty, n / 100);
  if (broker > 0 && tty && n >= 100)
    return mqtt(tty, broker, n / 10);
  if (!tty || n < 10 || pipelined < 1) {
    fprintf(stderr, "fotabench: give the TTY of a running fotasim (see fotabench --help)\n");
    return 2;
  }
  t = malloc(sizeof(double) * (size_t)n);
  bare_pty(n, t);
  report("bare PTY echo", t, n);

  fd = open_raw(tty);
  drain(fd);
  if (write(fd, "ATE0\r", 5) != 5)
    return 1;
  drain(fd);
  for (int i = 0; i < n; i++) {
    double t0 = now_us();
    if (write(fd, "AT\r", 3) != 3 || read_n(fd, buf, 6) != 0 || memcmp(buf, "\r\nOK\r\n", 6)) {
      fprintf(stderr, "fotabench: no OK from %s\n", tty);
      return 1;
    }
    t[i] = now_us() - t0;
  }
  report("fotasim AT round trip", t, n);
  for (int i = 0; i < n; i++) {
    double t0 = now_us();
    static const char want[] = "\r\n+CSQ: 24,99\r\n\r\n+CREG: 0,1\r\n\r\nOK\r\n";
    if (write(fd, "AT+CSQ;+CREG?\r", 14) != 14 || read_n(fd, buf, sizeof(want) - 1) != 0 ||
        memcmp(buf, want, sizeof(want) - 1) != 0) {
      fprintf(stderr, "fotabench: no answer to AT+CSQ;+CREG? from %s\n", tty);
      return 1;
    }
    t[i] = now_us() - t0;
  }
  report("fotasim AT+CSQ;+CREG?", t, n);

  /* Pipelined: the host writes as fast as the PTY takes while reading every answer. */
  {
    double t0 = now_us();
    long sent = 0, oks = 0;
    char in[65536];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    while (oks < pipelined) {
      struct pollfd p = { fd, POLLIN | (sent < pipelined ? POLLOUT : 0), 0 };
      if (poll(&p, 1, 5000) <= 0) {
        fprintf(stderr, "fotabench: stalled after %ld answers\n", oks);
        return 1;
      }
      if ((p.revents & POLLOUT) && sent < pipelined && write(fd, "AT\r", 3) == 3)
        sent++;
      if (p.revents & POLLIN) {
        ssize_t r = read(fd, in, sizeof(in));
        for (ssize_t i = 0; i < r; i++)
          if (in[i] == 'K')
            oks++;
      }
    }
    printf("%-28s %.0f commands/s (%d commands)\n", "fotasim pipelined AT",
           pipelined / ((now_us() - t0) / 1e6), pipelined);
    fcntl(fd, F_SETFL, fl);
  }
  close(fd);
  free(t);
  return 0;
}
