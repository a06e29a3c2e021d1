/* host_port: a reference host's AT port: opening it raw at 115200, lines, commands, raw bytes
 * after CONNECT, waiting for the module; blocking I/O with poll() timeouts. */
#include "host_port.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

void say(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fotahost: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

long now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

void pause_ms(long ms)
{
  struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep(&t, &t) != 0 && errno == EINTR)
    ;
}

static int open_port(const struct host_port *p)
{
  struct termios t;
  int f = open(p->path, O_RDWR | O_NOCTTY);
  if (f < 0)
    return -1;
  if (tcgetattr(f, &t) == 0) {
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    if (p->flow)
      t.c_cflag |= CRTSCTS;
    tcsetattr(f, TCSANOW, &t);
  }
  return f;
}

int hp_reopen(struct host_port *p, int seconds)
{
  long until = now_ms() + seconds * 1000L;
  if (p->fd >= 0)
    close(p->fd);
  p->fd = -1;
  p->have = 0;
  while (now_ms() < until) {
    if ((p->fd = open_port(p)) >= 0)
      return 0;
    pause_ms(100);
  }
  return -1;
}

void hp_send(struct host_port *p, const char *data, size_t len)
{
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(p->fd, data + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    off += (size_t)w;
  }
}

void hp_send_text(struct host_port *p, const char *s)
{
  if (p->verbose)
    say("> %s", s);
  hp_send(p, s, strlen(s));
}

/* More bytes into the buffer: 1, 0 on timeout, -1 on hang-up. */
static int fill(struct host_port *p, long until)
{
  long left = until - now_ms();
  struct pollfd pf = { p->fd, POLLIN, 0 };
  ssize_t n;
  int r;
  if (left <= 0)
    return 0;
  r = poll(&pf, 1, (int)left);
  if (r == 0)
    return 0;
  if (r < 0)
    return 1; /* EINTR: look again */
  if (p->have == sizeof(p->buf))
    p->have = 0; /* a line this long is noise */
  n = read(p->fd, p->buf + p->have, sizeof(p->buf) - p->have);
  if (n <= 0) {
    p->have = 0;
    return -1;
  }
  p->have += (size_t)n;
  return 1;
}

int hp_read_line(struct host_port *p, int timeout_ms)
{
  long until = now_ms() + timeout_ms;
  for (;;) {
    char *end = NULL;
    size_t start = 0;
    int r;
    while (start < p->have && (p->buf[start] == '\r' || p->buf[start] == '\n'))
      start++;
    if (start) {
      memmove(p->buf, p->buf + start, p->have - start);
      p->have -= start;
    }
    for (size_t i = 0; i < p->have; i++)
      if (p->buf[i] == '\r' || p->buf[i] == '\n') {
        end = p->buf + i;
        break;
      }
    if (end) {
      size_t n = (size_t)(end - p->buf);
      if (n >= sizeof(p->line))
        n = sizeof(p->line) - 1;
      memcpy(p->line, p->buf, n);
      p->line[n] = '\0';
      memmove(p->buf, end, p->have - (size_t)(end - p->buf));
      p->have -= (size_t)(end - p->buf);
      if (p->verbose)
        say("< %s", p->line);
      return 1;
    }
    if ((r = fill(p, until)) <= 0)
      return r;
  }
}

long hp_read_until(struct host_port *p, const char *end, char *out, size_t size, int timeout_ms)
{
  long until = now_ms() + timeout_ms;
  size_t el = strlen(end);
  for (;;) {
    for (size_t i = 0; i + el <= p->have; i++)
      if (!memcmp(p->buf + i, end, el)) {
        if (i > size)
          return -1;
        memcpy(out, p->buf, i);
        memmove(p->buf, p->buf + i + el, p->have - i - el);
        p->have -= i + el;
        return (long)i;
      }
    if (p->have == sizeof(p->buf) || fill(p, until) <= 0)
      return -1;
  }
}

int hp_wait_for(struct host_port *p, const char *prefix, int timeout_ms)
{
  long until = now_ms() + timeout_ms;
  for (;;) {
    long left = until - now_ms();
    int r = hp_read_line(p, left > 0 ? (int)left : 0);
    if (r <= 0)
      return r;
    if (!strncmp(p->line, prefix, strlen(prefix)))
      return 1;
  }
}

int hp_command(struct host_port *p, const char *cmd, char *info, size_t infolen, int timeout_ms)
{
  char text[600];
  snprintf(text, sizeof(text), "%s\r", cmd);
  hp_send_text(p, text);
  for (;;) {
    int r = hp_read_line(p, timeout_ms);
    if (r <= 0)
      return -1;
    if (!strcmp(p->line, "OK"))
      return 0;
    if (!strcmp(p->line, "ERROR"))
      return -2;
    if (!strncmp(p->line, "+CME ERROR:", 11))
      return atoi(p->line + 11);
    if (info && strncmp(p->line, "+QIND:", 6) != 0 && strncasecmp(p->line, "AT", 2) != 0)
      snprintf(info, infolen, "%.*s", (int)infolen - 1, p->line); /* not a URC, not an echo */
  }
}

int hp_wait_ready(struct host_port *p, int seconds)
{
  long until = now_ms() + seconds * 1000L;
  while (now_ms() < until) {
    int r;
    hp_send_text(p, "AT\r");
    while ((r = hp_read_line(p, 1000)) == 1)
      if (!strcmp(p->line, "OK") || !strcmp(p->line, "RDY"))
        goto ready;
    if (r < 0 && hp_reopen(p, seconds) != 0)
      return -1;
  }
  return -1;
ready:
  while (hp_read_line(p, 300) == 1) /* answers to earlier probes, boot URCs: let them pass */
    ;
  return hp_command(p, "ATE0", NULL, 0, 5000) == 0 ? 0 : -1;
}

int hp_revision(struct host_port *p, char *out, size_t size)
{
  out[0] = '\0';
  return hp_command(p, "AT+CGMR", out, size, 5000) == 0 && out[0] ? 0 : -1;
}
