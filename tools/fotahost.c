/* fotahost: a reference host for FOTA on an EC200U / EG915U, written to be read. It does what a
 * careful MCU driver does: opens the AT port, waits for RDY or probes with AT, starts the update
 * by URL (AT+QFOTADL="http://...") or pushes the package over the line (FILE mode, paced or with
 * hardware flow control), follows the +QIND: "FOTA" URCs (tolerating the spellings the note
 * prints), retries on errors that can pass, and checks the new revision after the reboot.
 * Blocking I/O with poll() timeouts: one port, one job. Used by `fotasim run`'s own tests and
 * as the worked example in the README. Exit status 0 only when the new firmware runs. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct options {
  const char *port, *url, *file, *expect_revision;
  int retries, flow, verbose;
  size_t chunk;
  int gap_ms;
  int timeout_s;
};

static struct options opt;
static int fd = -1;
static char line[1024];   /* the last line read */

/* Errors after which trying again can work: the network, the server, the line, a busy module.
 * (FTP 601 605-609 614-616 618, HTTP 570 701-703 716, FILE 567, data call 4, busy 549.) */
static int transient(int err)
{
  static const int codes[] = { 4, 549, 567, 570, 601, 605, 606, 607, 608, 609, 614, 615, 616,
                               618, 701, 702, 703, 716 };
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
    if (codes[i] == err)
      return 1;
  return 0;
}

static void say(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fotahost: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static long now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* ---- the port ---- */

static int open_port(const char *path)
{
  struct termios t;
  int f = open(path, O_RDWR | O_NOCTTY);
  if (f < 0)
    return -1;
  if (tcgetattr(f, &t) == 0) {
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    if (opt.flow)
      t.c_cflag |= CRTSCTS;
    tcsetattr(f, TCSANOW, &t);
  }
  return f;
}

/* Waits for the port's link to exist again (the USB port goes away while the module reboots). */
static int reopen_port(int seconds)
{
  long until = now_ms() + seconds * 1000L;
  if (fd >= 0)
    close(fd);
  fd = -1;
  while (now_ms() < until) {
    struct timespec pause = { 0, 100 * 1000000L };
    if ((fd = open_port(opt.port)) >= 0)
      return 0;
    nanosleep(&pause, NULL);
  }
  return -1;
}

static void send_text(const char *s)
{
  size_t len = strlen(s), off = 0;
  if (opt.verbose)
    say("> %s", s);
  while (off < len) {
    ssize_t w = write(fd, s + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    off += (size_t)w;
  }
}

/* Reads one non-empty line (CR/LF stripped) into `line`. 1: a line; 0: timeout; -1: the port
 * hung up (the module lost power or is rebooting). */
static int read_line(int timeout_ms)
{
  static char buf[4096];
  static size_t have;
  long until = now_ms() + timeout_ms;
  for (;;) {
    char *end = NULL;
    size_t start = 0;
    while (start < have && (buf[start] == '\r' || buf[start] == '\n'))
      start++;
    if (start) {
      memmove(buf, buf + start, have - start);
      have -= start;
    }
    for (size_t i = 0; i < have; i++)
      if (buf[i] == '\r' || buf[i] == '\n') {
        end = buf + i;
        break;
      }
    if (end) {
      size_t n = (size_t)(end - buf);
      if (n >= sizeof(line))
        n = sizeof(line) - 1;
      memcpy(line, buf, n);
      line[n] = '\0';
      memmove(buf, end, have - (size_t)(end - buf));
      have -= (size_t)(end - buf);
      if (opt.verbose)
        say("< %s", line);
      return 1;
    }
    long left = until - now_ms();
    if (left <= 0)
      return 0;
    struct pollfd p = { fd, POLLIN, 0 };
    int r = poll(&p, 1, (int)left);
    if (r == 0)
      return 0;
    if (r < 0)
      continue;
    if (have == sizeof(buf))
      have = 0; /* a line this long is noise */
    ssize_t n = read(fd, buf + have, sizeof(buf) - have);
    if (n <= 0) {
      have = 0;
      return -1;
    }
    have += (size_t)n;
  }
}

/* Sends a command and waits for its final result; an information line is kept in `info`. */
static int command(const char *cmd, char *info, size_t infolen, int timeout_ms)
{
  char text[600];
  snprintf(text, sizeof(text), "%s\r", cmd);
  send_text(text);
  for (;;) {
    int r = read_line(timeout_ms);
    if (r <= 0)
      return -1;
    if (!strcmp(line, "OK"))
      return 0;
    if (!strcmp(line, "ERROR"))
      return -2;
    if (!strncmp(line, "+CME ERROR:", 11))
      return atoi(line + 11);
    if (info && strncmp(line, "+QIND:", 6) != 0 && strncasecmp(line, "AT", 2) != 0)
      snprintf(info, infolen, "%.*s", (int)infolen - 1, line); /* not a URC, not an echo */
  }
}

/* Until the module answers: RDY, or OK to a probe every second. */
static int wait_ready(int seconds)
{
  long until = now_ms() + seconds * 1000L;
  while (now_ms() < until) {
    int r;
    send_text("AT\r");
    while ((r = read_line(1000)) == 1)
      if (!strcmp(line, "OK") || !strcmp(line, "RDY"))
        goto ready;
    if (r < 0 && reopen_port(seconds) != 0)
      return -1;
  }
  return -1;
ready:
  while (read_line(300) == 1) /* answers to earlier probes, boot URCs: let them pass */
    ;
  return command("ATE0", NULL, 0, 5000) == 0 ? 0 : -1;
}

static int revision(char *out, size_t size)
{
  out[0] = '\0';
  return command("AT+CGMR", out, size, 5000) == 0 && out[0] ? 0 : -1;
}

/* ---- the URCs ---- */

/* A FOTA URC, normalised: +QIND: "FOTA","<what>"[,<n>] with the note's variants (spaces after
 * commas, " DOWNLOADING", HTTPPEND) read as their plain forms. Returns 1 with what and n. */
static int fota_urc(const char *l, char *what, size_t size, int *n)
{
  char flat[1024];
  size_t k = 0;
  const char *p;
  for (p = l; *p && k < sizeof(flat) - 1; p++)
    if (*p != ' ')
      flat[k++] = *p;
  flat[k] = '\0';
  if (strncmp(flat, "+QIND:\"FOTA\",\"", 14) != 0)
    return 0;
  p = flat + 14;
  k = 0;
  while (*p && *p != '"' && k < size - 1)
    what[k++] = *p++;
  what[k] = '\0';
  if (!strcmp(what, "HTTPPEND"))
    snprintf(what, size, "HTTPEND");
  *n = 0;
  if (*p == '"' && p[1] == ',')
    *n = atoi(p + 2);
  return 1;
}

static int ends_with(const char *s, const char *tail)
{
  size_t a = strlen(s), b = strlen(tail);
  return a >= b && !strcmp(s + a - b, tail);
}

/* ---- one attempt ---- */

enum outcome { DONE, RETRY, FAILED };

static int fota_urc(const char *l, char *what, size_t size, int *n);

/* FILE mode: the package's bytes, in chunks. Between chunks the module's lines are read: a
 * FILEEND with an error ends the push (the module swallows the rest anyway). Returns that
 * error, 0 when every byte went, -1 if the port failed. */
static int push_file(const unsigned char *data, size_t len)
{
  size_t off = 0;
  while (off < len) {
    size_t n = len - off < opt.chunk ? len - off : opt.chunk;
    char what[32];
    int code, r;
    ssize_t w = write(fd, data + off, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    off += (size_t)w;
    while ((r = read_line(opt.gap_ms)) == 1)
      if (fota_urc(line, what, sizeof(what), &code) && !strcmp(what, "FILEEND") && code)
        return code;
    if (r < 0)
      return -1;
  }
  return 0;
}

static unsigned char *read_package(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  unsigned char *data = NULL;
  long size;
  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (data = malloc((size_t)size)) && fread(data, 1, (size_t)size, f) == (size_t)size)
    *len = (size_t)size;
  else {
    free(data);
    data = NULL;
  }
  fclose(f);
  return data;
}

static enum outcome attempt(const unsigned char *pkg, size_t pkg_len)
{
  char cmd[700], what[32];
  int err, n, updating = 0, last_pct = -1;
  if (opt.url)
    snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"%s\",1,10,10", opt.url);
  else
    snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"FILE:%zu\",1,10,10", pkg_len);
  err = command(cmd, NULL, 0, 10000);
  if (err != 0) {
    say("AT+QFOTADL answered %s%d", err > 0 ? "+CME ERROR: " : "error ", err);
    return err > 0 && transient(err) ? RETRY : FAILED;
  }
  for (;;) {
    int r = read_line(opt.timeout_s * 1000);
    if (r == 0) {
      say("no word from the module for %d s", opt.timeout_s);
      return FAILED;
    }
    if (r < 0) { /* the port went away: power lost, or the reboot into the new firmware */
      say(updating ? "the module went away during the update; waiting for it"
                   : "the module went away; waiting for it");
      if (reopen_port(120) != 0 || wait_ready(120) != 0)
        return FAILED;
      return updating ? DONE : RETRY; /* after an update, the revision tells */
    }
    if (!fota_urc(line, what, sizeof(what), &n))
      continue;
    if (!strcmp(what, "FILESTART")) {
      int code = push_file(pkg, pkg_len);
      if (code < 0)
        return RETRY;
      if (code > 0) {
        struct timespec pause = { 1, 0 }; /* let the module's line go quiet first */
        say("download failed: FILEEND,%d", code);
        nanosleep(&pause, NULL);
        return transient(code) ? RETRY : FAILED;
      }
    } else if (!strcmp(what, "DOWNLOADING") || !strcmp(what, "UPDATING")) {
      if (n / 10 != last_pct / 10)
        say("%s %d%%", !strcmp(what, "UPDATING") ? "updating" : "downloading", n);
      last_pct = n;
    } else if (ends_with(what, "END") && strcmp(what, "END") != 0) { /* FTPEND HTTPEND FILEEND */
      if (n == 0)
        continue;
      say("download failed: %s,%d", what, n);
      if (!strcmp(what, "FILEEND")) { /* let the module's line go quiet before trying again */
        struct timespec pause = { 1, 0 };
        nanosleep(&pause, NULL);
      }
      return transient(n) ? RETRY : FAILED;
    } else if (!strcmp(what, "START")) {
      updating = 1;
      last_pct = -1;
    } else if (!strcmp(what, "END")) {
      if (n != 0) {
        say("update failed: END,%d", n);
        return FAILED;
      }
      say("update done; the module reboots");
      while ((r = read_line(60000)) == 1 && strcmp(line, "RDY") != 0)
        ;
      if (r <= 0 && reopen_port(120) != 0)
        return FAILED;
      return wait_ready(120) == 0 ? DONE : FAILED;
    }
  }
}

/* ---- the whole job ---- */

static void usage(FILE *f)
{
  fprintf(f,
          "Usage: fotahost [OPTIONS]\n"
          "Updates a module's firmware over the air, as a careful host would.\n\n"
          "  --port TTY            the AT port (default $FOTASIM_USB_TTY, else $FOTASIM_TTY)\n"
          "  --url URL             let the module download URL (ftp://, http://, https://)\n"
          "  --file PKG            push PKG over the line (FILE mode; default $FOTASIM_PACKAGE)\n"
          "  --expect-revision R   the revision the update installs (default\n"
          "                        $FOTASIM_PACKAGE_REVISION; else: any other than before)\n"
          "  --retries N           attempts after errors that can pass (default 3)\n"
          "  --no-retry            give up at the first error (same as --retries 0)\n"
          "  --flow                RTS/CTS flow control (AT+IFC=2,2) for FILE mode\n"
          "  --chunk N             FILE mode: bytes per write (default 4096)\n"
          "  --gap-ms N            FILE mode: pause between writes (default 0)\n"
          "  --timeout S           give up when the module says nothing for S s (default 180)\n"
          "  --verbose             print every line sent and received\n"
          "  --help                show this help\n\n"
          "Exit status: 0 the new firmware runs, 1 the update failed, 2 bad arguments.\n");
}

static int parse(int argc, char **argv)
{
  static const struct option longs[] = {
    { "port", required_argument, NULL, 'p' },      { "url", required_argument, NULL, 'u' },
    { "file", required_argument, NULL, 'f' },      { "expect-revision", required_argument, NULL, 'e' },
    { "retries", required_argument, NULL, 'r' },   { "no-retry", no_argument, NULL, 'n' },
    { "flow", no_argument, NULL, 'F' },            { "chunk", required_argument, NULL, 'c' },
    { "gap-ms", required_argument, NULL, 'g' },    { "timeout", required_argument, NULL, 't' },
    { "verbose", no_argument, NULL, 'v' },         { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  opt.retries = 3;
  opt.chunk = 4096;
  opt.timeout_s = 180;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
    switch (c) {
    case 'p': opt.port = optarg; break;
    case 'u': opt.url = optarg; break;
    case 'f': opt.file = optarg; break;
    case 'e': opt.expect_revision = optarg; break;
    case 'r': opt.retries = atoi(optarg); break;
    case 'n': opt.retries = 0; break;
    case 'F': opt.flow = 1; break;
    case 'c': opt.chunk = (size_t)atol(optarg); break;
    case 'g': opt.gap_ms = atoi(optarg); break;
    case 't': opt.timeout_s = atoi(optarg); break;
    case 'v': opt.verbose = 1; break;
    case 'h': usage(stdout); exit(0);
    default:
      fprintf(stderr, "fotahost: unknown option '%s' (see fotahost --help)\n", argv[optind - 1]);
      return -1;
    }
  }
  if (!opt.port)
    opt.port = getenv("FOTASIM_USB_TTY") ? getenv("FOTASIM_USB_TTY") : getenv("FOTASIM_TTY");
  if (!opt.url && !opt.file)
    opt.file = getenv("FOTASIM_PACKAGE");
  if (!opt.expect_revision)
    opt.expect_revision = getenv("FOTASIM_PACKAGE_REVISION");
  if (!opt.port || (!opt.url && !opt.file) || opt.chunk == 0 || opt.retries < 0 ||
      opt.timeout_s <= 0 || opt.gap_ms < 0) {
    fprintf(stderr, "fotahost: needs --port and --url or --file (see fotahost --help)\n");
    return -1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  unsigned char *pkg = NULL;
  size_t pkg_len = 0;
  char before[128], after[128];
  enum outcome o = RETRY;
  if (parse(argc, argv) != 0)
    return 2;
  if (opt.file && !(pkg = read_package(opt.file, &pkg_len))) {
    fprintf(stderr, "fotahost: cannot read the package %s\n", opt.file);
    return 2;
  }
  if (reopen_port(30) != 0 || wait_ready(60) != 0) {
    say("no module answers on %s", opt.port);
    return 1;
  }
  if (opt.flow && command("AT+IFC=2,2", NULL, 0, 5000) != 0)
    say("AT+IFC=2,2 refused; going on without flow control");
  if (revision(before, sizeof(before)) != 0) {
    say("AT+CGMR gave no revision");
    return 1;
  }
  say("running %s", before);
  for (int i = 0; i <= opt.retries && o == RETRY; i++) {
    if (i > 0) {
      struct timespec pause = { 2, 0 };
      say("trying again (%d of %d)", i, opt.retries);
      nanosleep(&pause, NULL);
    }
    o = attempt(pkg, pkg_len);
  }
  free(pkg);
  if (o != DONE) {
    say("firmware update failed");
    return 1;
  }
  if (revision(after, sizeof(after)) != 0) {
    say("AT+CGMR gave no revision after the update");
    return 1;
  }
  if (opt.expect_revision ? strcmp(after, opt.expect_revision) != 0 : !strcmp(after, before)) {
    say("running %s after the update, expected %s", after,
        opt.expect_revision ? opt.expect_revision : "a new revision");
    return 1;
  }
  say("updated %s -> %s", before, after);
  return 0;
}
