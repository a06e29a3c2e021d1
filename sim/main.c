/* main: the fotasim program: options, one libuv loop, the modules (one, or --modules N each in
 * its own state dir), the control channel, the transcript, the ready line, and a clean shutdown
 * on SIGINT/SIGTERM. `fotasim run` is run.c's. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <uv.h>

#include "commands.h"
#include "control.h"
#include "curl_loop.h"
#include "log.h"
#include "expect_parse.h"
#include "run.h"
#include "module.h"
#include "scenario_apply.h"
#include "transcript.h"

#define EXIT_USAGE 2

#define MAX_DNS DNS_MAX_ENTRIES
#define MAX_MODULES 10000   /* the machine's PTY and descriptor limits usually bind first */
#define PTYS_PER_MODULE 3   /* main UART, USB AT port, USB modem port */
#define FDS_PER_MODULE 9    /* a PTY pair for each, the lock, flash.nor, flash.base */

struct options {
  struct dns_entry dns[MAX_DNS];
  int ndns;
  const char *state_dir, *link, *usb_link, *control, *scenario, *image, *log, *transcript;
  const char *port_spec[3];  /* --port main|usb|modem=SPEC */
  const char *timing;
  enum model model;
  int model_given, timing_given;
  int quiet;
  int nmodules;
};

static void usage(FILE *out)
{
  fprintf(out,
          "Usage: fotasim [OPTION]...\n"
          "       fotasim run [OPTION]... SCENARIO... -- CMD [ARGS]...  (see fotasim run --help)\n"
          "       fotasim report TRANSCRIPT.jsonl [OUT.html]  (see fotasim report --help)\n"
          "A virtual Quectel EC200U / EG915U LTE module on two PTYs.\n\n"
          "  --state-dir DIR     persistent state: flash, NV, file systems (./fotasim-state)\n"
          "  --link PATH         symlink to the main UART PTY (DIR/ttyMAIN)\n"
          "  --usb-link PATH     symlink to the USB AT port PTY (DIR/ttyUSBAT)\n"
          "  --port NAME=SPEC    attach port main, usb or modem otherwise than as a PTY:\n"
          "                      tcp-listen:HOST:PORT (QEMU -serial tcp:...) or tcp:HOST:PORT\n"
          "                      (a client, e.g. to Renode's server socket), or /dev/ttyUSB0 (a\n"
          "                      serial device: AT+IPR and AT+IFC set its line; docs/attach.md)\n"
          "  --control SOCK      control channel socket (DIR/control.sock)\n"
          "  --timing T          real | fast (10x) | instant | a speed-up factor (real)\n"
          "  --model M           EC200U | EG915U (EC200U)\n"
          "  --image FILE        firmware image flashed when the state dir is new (checked:\n"
          "                      a file that is not one is refused)\n"
          "  --scenario FILE     network, storage and fault rules (docs/scenarios.md);\n"
          "                      --model and --timing given here win over the file's\n"
          "  --log FILE          log to FILE instead of stderr\n"
          "  --transcript FILE   write every byte on each port as JSON lines\n"
          "  --modules N         run N modules in this process (1-10000, as PTYs allow), each in its own\n"
          "                      state dir DIR/m0 .. DIR/m<N-1> with its own PTYs\n"
          "  --dns NAME=ADDR     resolve NAME to ADDR for downloads (repeatable; the map\n"
          "                      starts with localhost=127.0.0.1; other names fail as DNS does)\n"
          "  --quiet             log warnings and errors only\n"
          "  --help              show this help\n"
          "  --version           show the version\n\n"
          "When the module is up, one line goes to stdout:\n"
          "  fotasim: ready main=<pts> usb=<pts> control=<sock>\n"
          "(with --modules N, once every module is up: fotasim: ready modules=N control=<sock>)\n"
          "Exit status: 0 after a clean shutdown, 1 on a runtime failure, 2 for bad options.\n");
}

static int fail_usage(const char *fmt, const char *arg)
{
  fprintf(stderr, "fotasim: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, " (see fotasim --help)\n");
  return EXIT_USAGE;
}

static int parse_options(int argc, char **argv, struct options *o)
{
  static const struct option longopts[] = {
    { "state-dir", required_argument, NULL, 'd' }, { "link", required_argument, NULL, 'l' },
    { "usb-link", required_argument, NULL, 'u' },  { "control", required_argument, NULL, 'c' },
    { "scenario", required_argument, NULL, 's' },  { "timing", required_argument, NULL, 't' },
    { "model", required_argument, NULL, 'm' },     { "image", required_argument, NULL, 'i' },
    { "log", required_argument, NULL, 'L' },       { "transcript", required_argument, NULL, 'T' },
    { "quiet", no_argument, NULL, 'q' },           { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },         { "dns", required_argument, NULL, 'D' },
    { "modules", required_argument, NULL, 'n' },   { "port", required_argument, NULL, 'P' },
    { NULL, 0, NULL, 0 },
  };
  int ch;
  memset(o, 0, sizeof(*o));
  o->state_dir = "./fotasim-state";
  o->timing = "real";
  snprintf(o->dns[0].name, sizeof(o->dns[0].name), "localhost");
  snprintf(o->dns[0].addr, sizeof(o->dns[0].addr), "127.0.0.1");
  o->ndns = 1;
  o->nmodules = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (ch) {
    case 'd': o->state_dir = optarg; break;
    case 'l': o->link = optarg; break;
    case 'u': o->usb_link = optarg; break;
    case 'c': o->control = optarg; break;
    case 's': o->scenario = optarg; break;
    case 't': o->timing = optarg; o->timing_given = 1; break;
    case 'i': o->image = optarg; break;
    case 'L': o->log = optarg; break;
    case 'T': o->transcript = optarg; break;
    case 'q': o->quiet = 1; break;
    case 'n': {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (*end || n < 1 || n > MAX_MODULES)
        return fail_usage("bad --modules '%s' (1 to 10000)", optarg);
      o->nmodules = (int)n;
      break;
    }
    case 'D': {
      const char *eq = strchr(optarg, '=');
      if (!eq || eq == optarg || !eq[1] || (size_t)(eq - optarg) >= sizeof(o->dns[0].name) ||
          strlen(eq + 1) >= sizeof(o->dns[0].addr) || o->ndns == MAX_DNS)
        return fail_usage("bad --dns '%s' (NAME=ADDR)", optarg);
      snprintf(o->dns[o->ndns].name, sizeof(o->dns[0].name), "%.*s", (int)(eq - optarg), optarg);
      snprintf(o->dns[o->ndns].addr, sizeof(o->dns[0].addr), "%s", eq + 1);
      o->ndns++;
      break;
    }
    case 'P': {
      static const char *const names[3] = { "main", "usb", "modem" };
      const char *eq = strchr(optarg, '=');
      int k = -1;
      for (int i = 0; i < 3 && eq; i++)
        if ((size_t)(eq - optarg) == strlen(names[i]) && !strncmp(optarg, names[i], strlen(names[i])))
          k = i;
      if (k < 0 || (strncmp(eq + 1, "tcp-listen:", 11) != 0 && strncmp(eq + 1, "tcp:", 4) != 0 &&
                    eq[1] != '/' && strcmp(eq + 1, "pty") != 0) ||
          strlen(eq + 1) >= 100)
        return fail_usage("bad --port '%s' (main, usb or modem = pty, tcp-listen:HOST:PORT, "
                          "tcp:HOST:PORT or a serial device's /path)", optarg);
      o->port_spec[k] = strcmp(eq + 1, "pty") ? eq + 1 : NULL;
      break;
    }
    case 'm':
      o->model_given = 1;
      if (strcasecmp(optarg, "EC200U") == 0)
        o->model = MODEL_EC200U;
      else if (strcasecmp(optarg, "EG915U") == 0)
        o->model = MODEL_EG915U;
      else
        return fail_usage("unknown model '%s' (EC200U or EG915U)", optarg);
      break;
    case 'h': usage(stdout); exit(0);
    case 'V': printf("fotasim %s\n", FOTASIM_VERSION); exit(0);
    default:
      return fail_usage("bad option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return fail_usage("unexpected argument '%s'", argv[optind]);
  if (o->nmodules > 1 && (o->port_spec[0] || o->port_spec[1] || o->port_spec[2]))
    return fail_usage("%s", "--port names one module's ports: not with --modules");
  if (o->nmodules > 1 && (o->link || o->usb_link))
    return fail_usage("%s", "--link and --usb-link name one module's ports: not with --modules");
  return 0;
}

struct app {
  uv_loop_t *loop;
  struct curl_loop *curl;
  struct flash_bases bases;   /* the modules' flashes share one base file */
  struct vclock clock;
  struct event_bus bus;
  struct module **modules;
  int nmodules, nready;
  char *booted;               /* which modules have ended their first boot */
  char state_dir[4096];
  struct control control;
  struct transcript transcript;
  struct event_sub ready_sub;
  uv_signal_t sigint, sigterm;
  int ready;
};

static void print_ready(struct app *a)
{
  struct module *m = a->modules[0];
  if (a->nmodules > 1) {
    printf("fotasim: ready modules=%d control=%s\n", a->nmodules, a->control.path);
    fflush(stdout);
    log_info("attach to %s/m<i>/ttyMAIN, ttyUSBAT and ttyUSBMODEM, i = 0..%d", a->state_dir,
             a->nmodules - 1);
  } else {
    const char *usb = module_port_pts(m, PORT_USB);
    printf("fotasim: ready main=%s usb=%s control=%s\n", module_port_pts(m, PORT_MAIN),
           usb ? usb : "-", a->control.path);
    fflush(stdout);
    log_info("attach to %s (main UART), %s (USB AT port) and %s (USB modem port)",
             module_port_link(m, PORT_MAIN), module_port_link(m, PORT_USB),
             module_port_link(m, PORT_MODEM));
  }
  a->ready = 1;
}

/* The ready line goes out once, when every module's first boot has ended (up, or bricked). */
static void on_state(void *ctx, const struct event *ev)
{
  struct app *a = ctx;
  struct module *m;
  if (a->ready || ev->type != EV_STATE || ev->module < 0 || ev->module >= a->nmodules)
    return;
  m = a->modules[ev->module];
  if (!a->booted[ev->module] && (module_power_state(m) == POWER_ON || module_power_state(m) == POWER_BRICKED)) {
    a->booted[ev->module] = 1;
    a->nready++;
  }
  if (a->nready == a->nmodules) {
    print_ready(a);
    event_unsubscribe(&a->bus, &a->ready_sub);
  }
}

/* A start that failed: the first n modules were opened. */
static void close_modules(struct app *a, int n)
{
  for (int i = 0; i < a->nmodules && a->modules; i++) {
    if (i < n)
      module_close(a->modules[i]);
    module_free(a->modules[i]);
  }
  free(a->modules);
  free(a->booted);
  curl_loop_free(a->curl);
}

static void close_walk(uv_handle_t *h, void *arg)
{
  (void)arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void on_signal(uv_signal_t *s, int signum)
{
  struct app *a = s->data;
  log_info("signal %d: shutting down", signum);
  control_stop(&a->control);
  transcript_close(&a->transcript);
  for (int i = 0; i < a->nmodules; i++)
    module_close(a->modules[i]);
  curl_loop_free(a->curl);
  vclock_close(&a->clock);
  uv_signal_stop(&a->sigint);
  uv_signal_stop(&a->sigterm);
  uv_walk(a->loop, close_walk, NULL);
}

static long read_proc_long(const char *path)
{
  FILE *f = fopen(path, "r");
  long v = -1;
  if (f) {
    if (fscanf(f, "%ld", &v) != 1)
      v = -1;
    fclose(f);
  }
  return v;
}

/* Whether the machine has PTYs and descriptors for n modules (the soft descriptor limit is
 * lifted to the hard one first); -1 with a line naming the limit and how to raise it. */
static int check_capacity(int n, char *err, size_t errlen)
{
  long max = read_proc_long("/proc/sys/kernel/pty/max"), used = read_proc_long("/proc/sys/kernel/pty/nr");
  long need = (long)n * PTYS_PER_MODULE;
  struct rlimit rl;
  if (max > 0 && used >= 0 && need > max - used) {
    snprintf(err, errlen,
             "--modules %d needs %ld PTYs and this machine has %ld free (kernel.pty.max %ld, %ld in "
             "use): at most %ld modules; raise it with sysctl -w kernel.pty.max=%ld",
             n, need, max - used, max, used, (max - used) / PTYS_PER_MODULE, used + need + 64);
    return -1;
  }
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    if (rl.rlim_cur < rl.rlim_max) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)n * FDS_PER_MODULE + 64 > rl.rlim_cur) {
      snprintf(err, errlen,
               "--modules %d needs %d file descriptors and the limit is %llu: at most %llu "
               "modules; raise it with ulimit -n (hard limit: limits.conf or LimitNOFILE=)",
               n, n * FDS_PER_MODULE + 64, (unsigned long long)rl.rlim_cur,
               ((unsigned long long)rl.rlim_cur - 64) / FDS_PER_MODULE);
      return -1;
    }
  }
  return 0;
}

/* The process's modules, made and set up from the options and the scenario (NULL: none); 0,
 * or the exit status after a message. */
static int open_modules(struct app *a, const struct options *o, const struct scenario *sc)
{
  struct module_config cfg;
  char err[512];
  a->curl = curl_loop_new(a->loop);
  memset(&cfg, 0, sizeof(cfg));
  cfg.curl = a->curl;
  cfg.bases = &a->bases;
  cfg.commands = at_command_table;
  cfg.ncommands = at_command_count;
  cfg.dns = o->dns;
  cfg.ndns = o->ndns;
  if (sc)
    scenario_apply_config(sc, &cfg);
  cfg.state_dir = o->state_dir;
  cfg.main_link = o->link;
  cfg.usb_link = o->usb_link;
  for (int i = 0; i < 3; i++)
    cfg.port_spec[i] = o->port_spec[i];
  cfg.image_file = o->image;
  cfg.model = o->model;
  a->nmodules = o->nmodules;
  a->modules = calloc((size_t)o->nmodules, sizeof(*a->modules));
  a->booted = calloc((size_t)o->nmodules, 1);
  snprintf(a->state_dir, sizeof(a->state_dir), "%s", o->state_dir);
  if (!a->modules || !a->booted) {
    close_modules(a, 0);
    return 1;
  }
  if (o->nmodules > 1) {
    if (check_capacity(o->nmodules, err, sizeof(err)) != 0) {
      fprintf(stderr, "fotasim: %s\n", err);
      close_modules(a, 0);
      return EXIT_USAGE;
    }
    mkdir(o->state_dir, 0755);
  }
  for (int i = 0; i < o->nmodules; i++) {
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/m%d", o->state_dir, i);
    cfg.state_dir = o->nmodules > 1 ? dir : o->state_dir;
    cfg.index = i;
    if (!(a->modules[i] = module_new())) {
      close_modules(a, i);
      return 1;
    }
    if (module_init(a->modules[i], a->loop, &a->clock, &a->bus, &cfg, err, sizeof(err)) != 0) {
      fprintf(stderr, "fotasim: %s\n", err);
      close_modules(a, i);
      return EXIT_USAGE;
    }
    if (sc)
      scenario_apply(sc, a->modules[i]);
  }
  return 0;
}

int main(int argc, char **argv)
{
  struct options o;
  static struct run_scenario rs; /* the whole file is read: a runner's scenario works too */
  struct scenario *scp = &rs.base;
  struct app a;
  char err[512], sock[4200];
  double scale;
  FILE *logf = NULL;
  int rc;
  if (argc > 1 && !strcmp(argv[1], "run")) /* fotasim run SCENARIO... -- CMD */
    return run_main(argc - 1, argv + 1);
  if (argc > 1 && !strcmp(argv[1], "report")) /* fotasim report TRANSCRIPT [OUT] */
    return report_main(argc - 1, argv + 1);
  rc = parse_options(argc, argv, &o);
  if (rc)
    return rc;
  if (o.scenario) {
    if (run_scenario_load(o.scenario, &rs, err, sizeof(err)) != 0) {
      fprintf(stderr, "fotasim: %s\n", err);
      return EXIT_USAGE;
    }
    if (!o.model_given && scp->model >= 0)
      o.model = (enum model)scp->model;
    if (!o.timing_given && scp->timing[0])
      o.timing = scp->timing;
    for (int i = 0; i < scp->ndns && o.ndns < MAX_DNS; i++)
      o.dns[o.ndns++] = scp->dns[i];
  }
  if (vclock_parse_timing(o.timing, &scale) != 0)
    return fail_usage("bad --timing '%s' (real, fast, instant or a positive factor)", o.timing);
  if (o.log && !(logf = fopen(o.log, "a"))) {
    fprintf(stderr, "fotasim: cannot open log file %s\n", o.log);
    return EXIT_USAGE;
  }
  log_setup(logf, o.quiet ? LOG_WARN : LOG_INFO);
  signal(SIGPIPE, SIG_IGN);

  memset(&a, 0, sizeof(a));
  a.loop = uv_default_loop();
  vclock_init(&a.clock, a.loop, scale);
  if (o.scenario)
    a.clock.host_cap_ms = scp->host_timeout_ms;
  event_bus_init(&a.bus, &a.clock);

  rc = open_modules(&a, &o, o.scenario ? scp : NULL);
  if (rc)
    return rc;
  if (o.control)
    snprintf(sock, sizeof(sock), "%s", o.control);
  else
    snprintf(sock, sizeof(sock), "%s/control.sock", o.state_dir);
  if (control_start(&a.control, a.loop, sock, a.modules, o.nmodules, &a.bus, err,
                    sizeof(err)) != 0) {
    fprintf(stderr, "fotasim: %s\n", err);
    close_modules(&a, o.nmodules);
    return EXIT_USAGE;
  }
  if (o.transcript && transcript_open(&a.transcript, a.loop, &a.bus, o.transcript) != 0) {
    fprintf(stderr, "fotasim: cannot open transcript file %s\n", o.transcript);
    control_stop(&a.control);
    close_modules(&a, o.nmodules);
    return EXIT_USAGE;
  }
  a.ready_sub.fn = on_state;
  a.ready_sub.ctx = &a;
  a.ready_sub.mask = EV_MASK(EV_STATE);
  event_subscribe(&a.bus, &a.ready_sub);

  uv_signal_init(a.loop, &a.sigint);
  uv_signal_init(a.loop, &a.sigterm);
  a.sigint.data = a.sigterm.data = &a;
  uv_signal_start(&a.sigint, on_signal, SIGINT);
  uv_signal_start(&a.sigterm, on_signal, SIGTERM);

  log_info("fotasim: %d x %s, state dir %s, timing %s", o.nmodules, model_names[o.model],
           o.state_dir, o.timing);
  for (int i = 0; i < o.nmodules; i++)
    module_power_on(a.modules[i]);
  rc = uv_run(a.loop, UV_RUN_DEFAULT);
  uv_loop_close(a.loop);
  for (int i = 0; i < a.nmodules; i++)
    module_free(a.modules[i]);
  free(a.modules);
  free(a.booted);
  if (logf)
    fclose(logf);
  return rc ? 1 : 0;
}
