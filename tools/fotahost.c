/* fotahost: a reference host for FOTA on an EC200U / EG915U, written to be read. It does what a
 * careful MCU driver does: opens the AT port, waits for RDY or probes with AT, starts the update
 * by URL (AT+QFOTADL="http://...") or pushes the package over the line (FILE mode, paced or with
 * hardware flow control), follows the +QIND: "FOTA" URCs (tolerating the spellings the note
 * prints), retries on errors that can pass, and checks the new revision after the reboot.
 * With --announce it runs the flow around that as device firmware does (fotahost_flow.c): an
 * MQTT announcement, a JSON manifest over HTTP, the update, the new revision published.
 * Blocking I/O with poll() timeouts: one port, one job. Used by `fotasim run`'s own tests and
 * as the worked example in the README. Exit status 0 only when the new firmware runs. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fotahost_flow.h"
#include "host_port.h"

struct options {
  const char *port, *url, *file, *expect_revision;
  const char *announce, *broker, *report;
  int wait_s;
  int retries, flow, verbose;
  size_t chunk;
  int gap_ms;
  int timeout_s;
};

static struct options opt;
static struct host_port hp = { .fd = -1 };

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
    ssize_t w = write(hp.fd, data + off, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    off += (size_t)w;
    while ((r = hp_read_line(&hp, opt.gap_ms)) == 1)
      if (fota_urc(hp.line, what, sizeof(what), &code) && !strcmp(what, "FILEEND") && code)
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
  err = hp_command(&hp, cmd, NULL, 0, 10000);
  if (err != 0) {
    say("AT+QFOTADL answered %s%d", err > 0 ? "+CME ERROR: " : "error ", err);
    return err > 0 && transient(err) ? RETRY : FAILED;
  }
  for (;;) {
    int r = hp_read_line(&hp, opt.timeout_s * 1000);
    if (r == 0) {
      say("no word from the module for %d s", opt.timeout_s);
      return FAILED;
    }
    if (r < 0) { /* the port went away: power lost, or the reboot into the new firmware */
      say(updating ? "the module went away during the update; waiting for it"
                   : "the module went away; waiting for it");
      if (hp_reopen(&hp, opt.timeout_s) != 0 || hp_wait_ready(&hp, opt.timeout_s) != 0)
        return FAILED;
      return updating ? DONE : RETRY; /* after an update, the revision tells */
    }
    if (!fota_urc(hp.line, what, sizeof(what), &n))
      continue;
    if (!strcmp(what, "FILESTART")) {
      int code = push_file(pkg, pkg_len);
      if (code < 0)
        return RETRY;
      if (code > 0) {
        say("download failed: FILEEND,%d", code);
        pause_ms(1000); /* let the module's line go quiet first */
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
      if (!strcmp(what, "FILEEND")) /* let the module's line go quiet before trying again */
        pause_ms(1000);
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
      while ((r = hp_read_line(&hp, 60000)) == 1 && strcmp(hp.line, "RDY") != 0)
        ;
      if (r <= 0 && hp_reopen(&hp, opt.timeout_s) != 0)
        return FAILED;
      return hp_wait_ready(&hp, opt.timeout_s) == 0 ? DONE : FAILED;
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
          "  --no-flow             FILE mode without RTS/CTS flow control (by default the host\n"
          "                        sends AT+IFC=2,2 first, so a UART at any speed loses nothing)\n"
          "  --chunk N             FILE mode: bytes per write (default 4096)\n"
          "  --gap-ms N            FILE mode: pause between writes (default 0)\n"
          "  --timeout S           give up when the port is missing or the module says nothing\n"
          "                        for S s (default 180)\n"
          "  --announce TOPIC      the update flow: subscribe to TOPIC on the broker, take the\n"
          "                        announced {\"revision\",\"manifest\"}, fetch the manifest\n"
          "                        {\"revision\",\"url\"} over HTTP, update from its url, then\n"
          "                        publish {\"revision\"} (retained) on the report topic\n"
          "                        (default $FOTASIM_ANNOUNCE_TOPIC)\n"
          "  --broker HOST:PORT    the broker for --announce (default $FOTASIM_BROKER)\n"
          "  --report TOPIC        where the revision goes (default TOPIC/state)\n"
          "  --wait S              how long the announcement is waited for (default 60)\n"
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
    { "no-flow", no_argument, NULL, 'N' },         { "version", no_argument, NULL, 'V' },
    { "gap-ms", required_argument, NULL, 'g' },    { "timeout", required_argument, NULL, 't' },
    { "verbose", no_argument, NULL, 'v' },         { "help", no_argument, NULL, 'h' },
    { "announce", required_argument, NULL, 'A' },  { "broker", required_argument, NULL, 'B' },
    { "report", required_argument, NULL, 'R' },    { "wait", required_argument, NULL, 'W' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  opt.retries = 3;
  opt.flow = 1;
  opt.chunk = 4096;
  opt.timeout_s = 180;
  opt.wait_s = 60;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
    switch (c) {
    case 'p': opt.port = optarg; break;
    case 'u': opt.url = optarg; break;
    case 'f': opt.file = optarg; break;
    case 'e': opt.expect_revision = optarg; break;
    case 'r': opt.retries = atoi(optarg); break;
    case 'n': opt.retries = 0; break;
    case 'F': opt.flow = 1; break; /* the default; kept for scripts that pass it */
    case 'N': opt.flow = 0; break;
    case 'V': printf("fotahost %s\n", FOTASIM_VERSION); exit(0);
    case 'c': opt.chunk = (size_t)atol(optarg); break;
    case 'g': opt.gap_ms = atoi(optarg); break;
    case 't': opt.timeout_s = atoi(optarg); break;
    case 'v': opt.verbose = 1; break;
    case 'A': opt.announce = optarg; break;
    case 'B': opt.broker = optarg; break;
    case 'R': opt.report = optarg; break;
    case 'W': opt.wait_s = atoi(optarg); break;
    case 'h': usage(stdout); exit(0);
    default:
      fprintf(stderr, "fotahost: unknown option '%s' (see fotahost --help)\n", argv[optind - 1]);
      return -1;
    }
  }
  if (!opt.port)
    opt.port = getenv("FOTASIM_USB_TTY") ? getenv("FOTASIM_USB_TTY") : getenv("FOTASIM_TTY");
  if (!opt.broker)
    opt.broker = getenv("FOTASIM_BROKER");
  if (!opt.announce) /* under `fotasim run`, a scenario with an announcement */
    opt.announce = getenv("FOTASIM_ANNOUNCE_TOPIC");
  if (opt.announce) { /* the url comes from the manifest */
    if (!opt.broker || !strchr(opt.broker, ':') || opt.url || opt.file || opt.wait_s <= 0) {
      fprintf(stderr, "fotahost: --announce needs --broker HOST:PORT (or $FOTASIM_BROKER) and "
                      "no --url or --file\n");
      return -1;
    }
    opt.url = "(from the manifest)";
  }
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

/* --announce: the update's url and revision from the announcement and its manifest. 0: go on
 * with the update; 1: nothing to do; -1: failed. */
static struct flow_options flow;
static char flow_url[512], flow_revision[64], report_topic[300];

static int learn(const char *running)
{
  static char host[256];
  const char *colon = strrchr(opt.broker, ':');
  int rc;
  snprintf(host, sizeof(host), "%.*s", (int)(colon - opt.broker), opt.broker);
  snprintf(report_topic, sizeof(report_topic), "%s/state", opt.announce);
  flow.broker_host = host;
  flow.broker_port = atoi(colon + 1);
  flow.topic = opt.announce;
  flow.report_topic = opt.report ? opt.report : report_topic;
  flow.wait_s = opt.wait_s;
  rc = flow_learn(&hp, &flow, running, flow_url, sizeof(flow_url), flow_revision,
                  sizeof(flow_revision));
  if (rc == 0) {
    opt.url = flow_url;
    opt.expect_revision = flow_revision;
    say("updating to %s from %s", flow_revision, flow_url);
  }
  return rc;
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
  hp.path = opt.port;
  hp.flow = opt.flow;
  hp.verbose = opt.verbose;
  if (hp_reopen(&hp, opt.timeout_s) != 0 || hp_wait_ready(&hp, opt.timeout_s) != 0) {
    say("no module answers on %s", opt.port);
    return 1;
  }
  if (opt.flow && hp_command(&hp, "AT+IFC=2,2", NULL, 0, 5000) != 0)
    say("AT+IFC=2,2 refused; going on without flow control");
  if (hp_revision(&hp, before, sizeof(before)) != 0) {
    say("AT+CGMR gave no revision");
    return 1;
  }
  say("running %s", before);
  if (opt.announce) {
    int rc = learn(before);
    if (rc != 0)
      return rc > 0 && flow_report(&hp, &flow, before) == 0 ? 0 : 1;
  }
  for (int i = 0; i <= opt.retries && o == RETRY; i++) {
    if (i > 0) {
      say("trying again (%d of %d)", i, opt.retries);
      pause_ms(2000);
    }
    o = attempt(pkg, pkg_len);
  }
  free(pkg);
  if (o != DONE) {
    say("firmware update failed");
    return 1;
  }
  if (hp_revision(&hp, after, sizeof(after)) != 0) {
    say("AT+CGMR gave no revision after the update");
    return 1;
  }
  if (opt.expect_revision ? strcmp(after, opt.expect_revision) != 0 : !strcmp(after, before)) {
    say("running %s after the update, expected %s", after,
        opt.expect_revision ? opt.expect_revision : "a new revision");
    return 1;
  }
  say("updated %s -> %s", before, after);
  if (opt.announce && flow_report(&hp, &flow, after) != 0)
    return 1;
  return 0;
}
