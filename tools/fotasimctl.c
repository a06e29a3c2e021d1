/* fotasimctl: command-line client of fotasim's control channel (JSON lines on a Unix socket).
 * Builds one request from its arguments, prints the reply; "events" prints the stream. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "jsonl.h"
#include "transcript_print.h"

static void usage(FILE *out)
{
  fprintf(out,
          "Usage: fotasimctl [--socket PATH] [--module N] COMMAND [ARGS]\n"
          "Talks to a running fotasim through its control socket.\n\n"
          "Commands:\n"
          "  status                      print the module's state as JSON\n"
          "  power on|off|cut            power on, power off gracefully, or cut power\n"
          "  reset                       reboot the module\n"
          "  inject RULE                 add a fault rule, e.g. '{\"phase\":\"download\",\"fail\":702}'\n"
          "  clear                       remove every fault rule\n"
          "  events [TYPE...]            stream events (rx tx cmd result urc state network)\n"
          "  wait TYPE [--match TEXT] [--port main|usb] [--timeout MS]\n"
          "                              wait for one event; exit 1 on timeout\n"
          "  send JSON                   send a raw request object\n"
          "  transcript FILE             print a transcript (fotasim --transcript) as text: time,\n"
          "                              virtual time, module, port, event, bytes with escapes\n"
          "                              (no socket needed; - reads standard input)\n\n"
          "Options:\n"
          "  --socket PATH   control socket ($FOTASIM_CONTROL, else ./fotasim-state/control.sock)\n"
          "  --module N      module number (0)\n"
          "  --version       print the version\n"
          "  --help          show this help\n\n"
          "Exit status: 0 when the module answers ok, 1 when it answers an error or a wait times\n"
          "out, 2 for bad arguments or no connection.\n");
}

static int die_usage(const char *msg, const char *arg)
{
  fprintf(stderr, "fotasimctl: %s%s (see fotasimctl --help)\n", msg, arg ? arg : "");
  return 2;
}

static int connect_to(const char *path)
{
  struct sockaddr_un addr;
  int fd;
  if (strlen(path) >= sizeof(addr.sun_path)) {
    fprintf(stderr, "fotasimctl: socket path too long: %s\n", path);
    return -1;
  }
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, path);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    fprintf(stderr, "fotasimctl: cannot connect to %s: %s\n", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

/* One request, framed as the control protocol frames it (lib/util/jsonl). */
static int send_request(int fd, json_t *req)
{
  size_t n = 0, off = 0;
  char *text = jsonl_encode(req, &n);
  int rc = text ? 0 : -1;
  while (text && off < n) {
    ssize_t w = write(fd, text + off, n - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      rc = -1;
      break;
    }
    off += (size_t)w;
  }
  free(text);
  return rc;
}

/* Builds the request from COMMAND [ARGS]; NULL after printing a usage error. */
/* wait TYPE [--match TEXT] [--port P] [--timeout MS], options parsed by getopt_long (in any
 * order, --opt=value too). */
static json_t *wait_request(int argc, char **argv)
{
  static const struct option opts[] = {
    { "match", required_argument, NULL, 'm' }, { "port", required_argument, NULL, 'p' },
    { "timeout", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 },
  };
  json_t *req = json_pack("{s:s, s:s}", "cmd", "wait", "event", argv[1]);
  int c;
  optind = 2; /* after the event type; argv[0] is "wait" */
  opterr = 0;
  while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
    char *end;
    long ms;
    switch (c) {
    case 'm': json_object_set_new(req, "match", json_string(optarg)); break;
    case 'p': json_object_set_new(req, "port", json_string(optarg)); break;
    case 't':
      ms = strtol(optarg, &end, 10);
      if (!*optarg || *end || ms < 0) {
        json_decref(req);
        die_usage("bad --timeout ", optarg);
        return NULL;
      }
      json_object_set_new(req, "timeout", json_integer(ms));
      break;
    case ':':
    default:
      json_decref(req);
      die_usage(c == ':' ? "missing value after " : "unknown wait option ", argv[optind - 1]);
      return NULL;
    }
  }
  if (optind < argc) {
    json_decref(req);
    die_usage("unexpected argument to wait: ", argv[optind]);
    return NULL;
  }
  return req;
}

static json_t *build_request(int argc, char **argv, int *streaming, int *rc)
{
  const char *cmd = argv[0];
  json_t *req;
  *rc = 2;
  if (strcmp(cmd, "status") == 0 || strcmp(cmd, "reset") == 0 || strcmp(cmd, "help") == 0 ||
      strcmp(cmd, "clear") == 0) {
    if (argc != 1) {
      die_usage("too many arguments for ", cmd);
      return NULL;
    }
    return json_pack("{s:s}", "cmd", cmd);
  }
  if (strcmp(cmd, "power") == 0) {
    if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off") && strcmp(argv[1], "cut"))) {
      die_usage("power takes one of: on, off, cut", NULL);
      return NULL;
    }
    return json_pack("{s:s, s:s}", "cmd", "power", "action", argv[1]);
  }
  if (strcmp(cmd, "events") == 0) {
    json_t *types = json_array();
    for (int i = 1; i < argc; i++)
      json_array_append_new(types, json_string(argv[i]));
    *streaming = 1;
    req = json_pack("{s:s}", "cmd", "events");
    if (argc > 1)
      json_object_set_new(req, "types", types);
    else
      json_decref(types);
    return req;
  }
  if (strcmp(cmd, "wait") == 0) {
    if (argc < 2) {
      die_usage("wait needs an event type", NULL);
      return NULL;
    }
    return wait_request(argc, argv);
  }
  if (strcmp(cmd, "inject") == 0) {
    json_error_t jerr;
    json_t *rule;
    if (argc != 2) {
      die_usage("inject takes one rule as JSON", NULL);
      return NULL;
    }
    rule = json_loads(argv[1], 0, &jerr);
    if (!json_is_object(rule)) {
      fprintf(stderr, "fotasimctl: inject: not a JSON object: %s\n", jerr.text);
      json_decref(rule);
      return NULL;
    }
    return json_pack("{s:s, s:o}", "cmd", "inject", "rule", rule);
  }
  if (strcmp(cmd, "send") == 0) {
    json_error_t jerr;
    if (argc != 2) {
      die_usage("send takes one JSON object", NULL);
      return NULL;
    }
    req = json_loads(argv[1], 0, &jerr);
    if (!json_is_object(req)) {
      fprintf(stderr, "fotasimctl: send: not a JSON object: %s\n", jerr.text);
      json_decref(req);
      return NULL;
    }
    return req;
  }
  die_usage("unknown command ", cmd);
  return NULL;
}

int main(int argc, char **argv)
{
  const char *sock = getenv("FOTASIM_CONTROL");
  long module = -1;
  int i, streaming = 0, rc, fd;
  json_t *req, *rep;
  FILE *in;
  char *line = NULL;
  size_t cap = 0;

  static const struct option opts[] = {
    { "socket", required_argument, NULL, 's' }, { "module", required_argument, NULL, 'm' },
    { "version", no_argument, NULL, 'V' },      { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  char *end;
  if (!sock)
    sock = "./fotasim-state/control.sock";
  opterr = 0;
  /* "+": the options before the command only; the command's own (wait --match) are its own */
  while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
    switch (c) {
    case 's': sock = optarg; break;
    case 'm':
      module = strtol(optarg, &end, 10);
      if (!optarg[0] || *end || module < 0)
        return die_usage("bad --module ", optarg);
      break;
    case 'V': printf("fotasimctl %s\n", FOTASIM_VERSION); return 0;
    case 'h': usage(stdout); return 0;
    default: return die_usage("bad option ", argv[optind - 1]);
    }
  }
  i = optind;
  if (i >= argc)
    return die_usage("no command given", NULL);
  if (!strcmp(argv[i], "transcript")) { /* a file, not the socket */
    if (argc - i != 2)
      return die_usage("transcript takes one file", NULL);
    return transcript_print(argv[i + 1], stdout) == 0 ? 0 : 2;
  }
  req = build_request(argc - i, argv + i, &streaming, &rc);
  if (!req)
    return rc;
  if (module >= 0)
    json_object_set_new(req, "module", json_integer(module));
  fd = connect_to(sock);
  if (fd < 0) {
    json_decref(req);
    return 2;
  }
  if (send_request(fd, req) != 0) {
    fprintf(stderr, "fotasimctl: cannot send to %s: %s\n", sock, strerror(errno));
    json_decref(req);
    close(fd);
    return 2;
  }
  json_decref(req);
  in = fdopen(fd, "r");
  rc = 2;
  while (getline(&line, &cap, in) > 0) {
    json_error_t jerr;
    rep = json_loads(line, 0, &jerr);
    if (!rep) {
      fprintf(stderr, "fotasimctl: bad reply: %s\n", jerr.text);
      break;
    }
    if (!json_object_get(rep, "ok")) { /* a streamed event: replies always carry "ok" */
      fputs(line, stdout);
      fflush(stdout);
      json_decref(rep);
      continue;
    }
    if (!json_is_true(json_object_get(rep, "ok"))) {
      fprintf(stderr, "fotasimctl: %s\n", json_string_value(json_object_get(rep, "error")));
      json_decref(rep);
      rc = 1;
      break;
    }
    if (!streaming) {
      json_dumpf(rep, stdout, JSON_INDENT(2));
      fputc('\n', stdout);
      rc = 0;
      json_decref(rep);
      break;
    }
    json_decref(rep); /* the ok of "events": the stream follows */
    rc = 0;
  }
  free(line);
  fclose(in);
  return rc;
}
