/* run_job: one scenario under `fotasim run`: a fresh module in its own fotasim process, its
 * event stream over the control socket, the host command started once the module is up, the
 * expectations fed from the events, and the end: the host exits, an expectation fails, or a
 * deadline passes; then the module's final state, the verdict, the transcript. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_util.h"
#include "jsonl.h"
#include "run_package.h"
#include "url_mask.h"

#define TICK_MS 100
#define KILL_GRACE_MS 2000

extern char **environ;

static void on_closed(uv_handle_t *h)
{
  struct run_job *j = h->data;
  run_services_closed(j, h);
  if (--j->handles == 0) {
    j->stage = RUN_DONE;
    j->on_done(j);
  }
}

static void close_handle(struct run_job *j, uv_handle_t *h)
{
  (void)j;
  if (!uv_is_closing(h))
    uv_close(h, on_closed);
}

static void path_in(const struct run_job *j, const char *name, char *out, size_t size)
{
  snprintf(out, size, "%s/%s", j->dir, name);
}

static void send_request(struct run_job *j, json_t *obj);
static void start_host(struct run_job *j);
static void boot_module(struct run_job *j);
static void cannot_start(struct run_job *j, const char *why);

/* ---- the end ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* The transcript moves to --transcript-dir (copied when that is another file system). */
static void keep_transcript(struct run_job *j)
{
  char from[4200], to[4200];
  size_t len = 0;
  char *data;
  FILE *f;
  if (!j->o->transcript_dir)
    return;
  path_in(j, "transcript.jsonl", from, sizeof(from));
  snprintf(to, sizeof(to), "%s/%s.jsonl", j->o->transcript_dir, j->name);
  if (rename(from, to) == 0 || errno == ENOENT)
    return;
  data = (char *)read_whole_file(from, 1ull << 32, &len);
  f = data ? fopen(to, "wb") : NULL;
  if (!f || fwrite(data, 1, len, f) != len)
    fprintf(stderr, "fotasim run: cannot write the transcript %s\n", to);
  if (f)
    fclose(f);
  free(data);
}

/* Both processes have ended: reports are made from what is kept, the directory goes. */
static void all_ended(struct run_job *j)
{
  keep_transcript(j);
  j->host_tail = run_job_host_output(j, 4096);
  if (j->own_dir)
    nftw(j->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  j->seconds = (double)(uv_now(j->loop) - j->started_ms) / 1000.0;
  j->passed = j->er.nfails == 0;
  if (j->o->report_dir)
    report_log_fails(&j->report, &j->er, (double)uv_now(j->loop) / 1000.0);
  close_handle(j, (uv_handle_t *)&j->tick);
  if (j->ctl_open)
    close_handle(j, (uv_handle_t *)&j->ctl);
  j->ctl_open = 0;
}

static void check_ended(struct run_job *j)
{
  if (j->stage == RUN_STOPPING && !j->sim_alive && !j->host_alive && !run_services_alive(j) &&
      !j->ended) {
    j->ended = 1;
    all_ended(j);
  }
}

/* The verdict, then both processes are asked to end. */
static void finalize(struct run_job *j)
{
  if (j->stage == RUN_STOPPING)
    return;
  j->stage = RUN_STOPPING;
  if (j->er.e) {
    int killed = j->host_killed;
    expect_finish(&j->er, j->have_final ? j->final_revision : "", j->final_bricked,
                  killed || !j->host_started ? -1 : j->host_status, killed ? 0 : j->host_signal);
    run_services_check(j);
  }
  run_services_stop(j);
  if (j->host_alive) {
    uv_process_kill(&j->host, SIGTERM);
    j->host_killed = 1;
    j->host_kill_ms = uv_now(j->loop) + KILL_GRACE_MS;
  }
  if (j->sim_alive) {
    uv_process_kill(&j->sim, SIGTERM);
    j->sim_kill_ms = uv_now(j->loop) + KILL_GRACE_MS * 5; /* it saves its state first */
  }
  check_ended(j);
}

/* Stop the run now (a failure, a deadline): the host is stopped, the final state asked for. */
static void stop_now(struct run_job *j, const char *reason)
{
  if (j->stage >= RUN_SETTLING)
    return;
  snprintf(j->end_reason, sizeof(j->end_reason), "%s", reason);
  if (j->host_alive) {
    uv_process_kill(&j->host, SIGTERM);
    j->host_killed = 1;
    j->host_kill_ms = uv_now(j->loop) + KILL_GRACE_MS;
  }
  j->stage = RUN_SETTLING;
  j->stage_ms = uv_now(j->loop);
  j->settle_quick = 1; /* one more status, then the verdict */
}

/* ---- the module's events and status ---- */

static void on_status(struct run_job *j, json_t *st)
{
  json_t *fota = json_object_get(st, "fota");
  const char *boot = json_string_value(json_object_get(st, "boot"));
  const char *phase = json_string_value(json_object_get(fota, "phase"));
  uint64_t vt = (uint64_t)json_integer_value(json_object_get(st, "vclock_ms"));
  snprintf(j->final_revision, sizeof(j->final_revision), "%s",
           json_string_value(json_object_get(st, "revision")) ? json_string_value(
               json_object_get(st, "revision")) : "");
  j->final_bricked = json_is_true(json_object_get(st, "bricked"));
  j->have_final = 1;
  j->status_asked = 0;
  if (j->stage == RUN_BOOTING) { /* the module is up: the host starts now */
    if (j->o->report_dir)
      report_log_status(&j->report, st);
    j->vt_start = vt;
    expect_run_init(&j->er, &j->sc->expect, vt);
    start_host(j);
    return;
  }
  expect_time(&j->er, vt);
  if (j->stage == RUN_HOST && j->sc->expect.virtual_ms && vt - j->vt_start > j->sc->expect.virtual_ms) {
    char msg[128];
    snprintf(msg, sizeof(msg), "deadline: %llu ms of virtual time passed",
             (unsigned long long)j->sc->expect.virtual_ms);
    expect_fail(&j->er, "%s", msg);
    stop_now(j, msg);
  }
  if (j->stage == RUN_HOST && (!phase || !strcmp(phase, "idle")) && boot &&
      strcmp(boot, "booting") != 0 && expect_settled(&j->er, j->final_revision, j->final_bricked)) {
    stop_now(j, "every expectation holds"); /* a host that does not exit (host_exit: any) */
    finalize(j);
    return;
  }
  if (j->stage == RUN_SETTLING &&
      (j->settle_quick ||
       ((!phase || !strcmp(phase, "idle")) && boot && strcmp(boot, "booting") != 0)))
    finalize(j);
}

static void on_event(struct run_job *j, json_t *ev)
{
  const char *type = json_string_value(json_object_get(ev, "event"));
  const char *port = json_string_value(json_object_get(ev, "port"));
  uint64_t vt = (uint64_t)json_integer_value(json_object_get(ev, "vt"));
  if (!type || j->stage != RUN_HOST)
    return;
  if (!strcmp(type, "tx")) {
    json_t *d = json_object_get(ev, "data");
    expect_output(&j->er, port && !strcmp(port, "usb") ? 1 : 0, json_string_value(d),
                  json_string_length(d), vt);
  } else if (!strcmp(type, "cmd")) {
    expect_command(&j->er, json_string_value(json_object_get(ev, "command")), vt);
  } else if (!strcmp(type, "fota")) {
    expect_phase(&j->er, json_string_value(json_object_get(ev, "state")), vt);
  }
  if (j->er.nfails)
    stop_now(j, "an expectation failed");
}

static void on_ctl_line(struct run_job *j, const char *line, size_t len)
{
  json_t *msg = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
  if (!msg)
    return;
  if (json_object_get(msg, "event")) {
    if (j->o->report_dir)
      report_log_event(&j->report, msg, (double)uv_now(j->loop) / 1000.0);
    on_event(j, msg);
  } else if (json_object_get(msg, "status")) {
    on_status(j, json_object_get(msg, "status"));
  }
  if (j->o->report_dir)
    report_log_fails(&j->report, &j->er, (double)uv_now(j->loop) / 1000.0);
  json_decref(msg);
}

static void ctl_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
  struct run_job *j = h->data;
  size_t room;
  char *at = jsonl_space(&j->in, &room);
  (void)hint;
  *buf = uv_buf_init(at, at ? (unsigned)room : 0);
}

static int ctl_line(void *ctx, const char *line, size_t len)
{
  on_ctl_line(ctx, line, len);
  return 0;
}

static void ctl_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
  struct run_job *j = s->data;
  (void)buf;
  if (n < 0) { /* the module's process is gone or going */
    uv_read_stop(s);
    if (j->stage < RUN_SETTLING) {
      expect_fail(&j->er, "the module's control channel closed: fotasim ended early");
      stop_now(j, "the module ended");
    }
    if (j->stage == RUN_SETTLING)
      finalize(j);
    return;
  }
  if (jsonl_feed(&j->in, (size_t)n, ctl_line, j) < 0) { /* not the control protocol */
    uv_read_stop(s);
    expect_fail(&j->er, "the module's control channel sent a line over %u bytes",
                RUN_CONTROL_LINE_MAX);
    stop_now(j, "the control channel broke");
  }
}

static void written(uv_write_t *w, int status)
{
  (void)status;
  free(w->data);
  free(w);
}

/* One request to the module, framed as the control protocol frames it; takes obj. */
static void send_request(struct run_job *j, json_t *obj)
{
  uv_write_t *w;
  uv_buf_t b;
  size_t len = 0;
  char *text = j->ctl_open ? jsonl_encode(obj, &len) : NULL;
  json_decref(obj);
  if (!text)
    return;
  w = malloc(sizeof(*w));
  if (!w) {
    free(text);
    return;
  }
  w->data = text;
  b = uv_buf_init(text, (unsigned)len);
  if (uv_write(w, (uv_stream_t *)&j->ctl, &b, 1, written) != 0) {
    free(text);
    free(w);
  }
}

static void ask_status(struct run_job *j)
{
  if (j->status_asked)
    return;
  j->status_asked = 1;
  send_request(j, json_pack("{s:s}", "cmd", "status"));
}

static void ctl_connected(uv_connect_t *req, int status)
{
  struct run_job *j = req->data;
  free(req);
  if (status != 0) {
    expect_fail(&j->er, "cannot reach the module's control socket: %s", uv_strerror(status));
    finalize(j);
    return;
  }
  uv_read_start((uv_stream_t *)&j->ctl, ctl_alloc, ctl_read);
  if (j->o->report_dir) /* also what only the report shows */
    send_request(j, json_pack("{s:s, s:[s, s, s, s, s, s, s, s]}", "cmd", "events", "types", "tx",
                              "cmd", "fota", "urc", "state", "network", "fault", "sms"));
  else
    send_request(j, json_pack("{s:s, s:[s, s, s]}", "cmd", "events", "types", "tx", "cmd",
                              "fota"));
  ask_status(j);
}

/* ---- the module's process ---- */

static void sim_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
  struct run_job *j = h->data;
  (void)hint;
  if (j->out_len >= sizeof(j->out) - 1)
    j->out_len = 0; /* not a ready line: forget it */
  *buf = uv_buf_init(j->out + j->out_len, (unsigned)(sizeof(j->out) - 1 - j->out_len));
}

static void sim_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
  struct run_job *j = s->data;
  (void)buf;
  if (n < 0) {
    uv_read_stop(s);
    return;
  }
  j->out_len += (size_t)n;
  j->out[j->out_len] = '\0';
  if (j->stage == RUN_BOOTING && !j->ctl_open && strstr(j->out, "fotasim: ready ")) {
    char sock[4200];
    uv_connect_t *req = malloc(sizeof(*req));
    path_in(j, "control.sock", sock, sizeof(sock));
    uv_pipe_init(j->loop, &j->ctl, 0);
    j->ctl.data = j;
    j->handles++;
    j->ctl_open = 1;
    req->data = j;
    uv_pipe_connect(req, &j->ctl, sock, ctl_connected);
  }
}

static void sim_exited(uv_process_t *p, int64_t status, int signal)
{
  struct run_job *j = p->data;
  j->sim_alive = 0;
  close_handle(j, (uv_handle_t *)p);
  close_handle(j, (uv_handle_t *)&j->sim_out);
  if (j->stage < RUN_STOPPING) {
    if (signal)
      expect_fail(&j->er, "the module's process ended by signal %d", signal);
    else
      expect_fail(&j->er, "the module's process ended (status %lld)%s", (long long)status,
                  status == 2 ? ": see its log" : "");
    stop_now(j, "the module ended");
    finalize(j);
  }
  check_ended(j);
}

static int spawn_sim(struct run_job *j, char *err, size_t errlen)
{
  char state[4200], sock[4200], tr[4200], logf[4200];
  const char *args[16];
  int n = 0, rc;
  uv_process_options_t po;
  uv_stdio_container_t stdio[3];
  path_in(j, "state", state, sizeof(state));
  path_in(j, "control.sock", sock, sizeof(sock));
  path_in(j, "transcript.jsonl", tr, sizeof(tr));
  path_in(j, "fotasim.log", logf, sizeof(logf));
  args[n++] = j->o->self;
  args[n++] = "--state-dir";
  args[n++] = state;
  args[n++] = "--control";
  args[n++] = sock;
  args[n++] = "--transcript";
  args[n++] = tr;
  args[n++] = "--log";
  args[n++] = logf;
  args[n++] = "--scenario";
  args[n++] = j->path;
  if (j->o->timing || !j->sc->base.timing[0]) {
    args[n++] = "--timing";
    args[n++] = j->o->timing ? j->o->timing : "fast";
  }
  args[n] = NULL;
  uv_pipe_init(j->loop, &j->sim_out, 0);
  j->sim_out.data = j;
  j->handles++;
  memset(&po, 0, sizeof(po));
  memset(stdio, 0, sizeof(stdio));
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t *)&j->sim_out;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  po.file = j->o->self;
  po.args = (char **)args;
  po.stdio = stdio;
  po.stdio_count = 3;
  po.exit_cb = sim_exited;
  j->sim.data = j;
  rc = uv_spawn(j->loop, &j->sim, &po);
  if (rc != 0) {
    snprintf(err, errlen, "cannot start %.300s: %s", j->o->self, uv_strerror(rc));
    return -1;
  }
  j->handles++;
  j->sim_alive = 1;
  uv_read_start((uv_stream_t *)&j->sim_out, sim_alloc, sim_read);
  return 0;
}

/* ---- the host under test ---- */

void run_job_child_closed(struct run_job *j, uv_handle_t *h)
{
  close_handle(j, h);
  check_ended(j);
}

char *run_substitute(const char *arg, const char *const keys[], const char *const values[],
                     int nkeys)
{
  size_t cap = strlen(arg) + 1, len = 0;
  char *out = malloc(cap);
  while (out && *arg) {
    int k = -1;
    const char *add = arg;
    size_t addlen = 1;
    for (int i = 0; i < nkeys; i++)
      if (!strncmp(arg, keys[i], strlen(keys[i])))
        k = i;
    if (k >= 0) {
      add = values[k];
      addlen = strlen(values[k]);
      arg += strlen(keys[k]);
    } else {
      arg++;
    }
    if (len + addlen + 1 > cap) {
      char *n;
      cap = (len + addlen + 1) * 2;
      n = realloc(out, cap);
      if (!n) {
        free(out);
        return NULL;
      }
      out = n;
    }
    memcpy(out + len, add, addlen);
    len += addlen;
  }
  if (out)
    out[len] = '\0';
  return out;
}

static void host_exited(uv_process_t *p, int64_t status, int signal)
{
  struct run_job *j = p->data;
  j->host_alive = 0;
  j->host_status = (int)status;
  j->host_signal = signal;
  close_handle(j, (uv_handle_t *)p);
  if (j->stage == RUN_HOST) { /* the module may still be busy: let it settle */
    snprintf(j->end_reason, sizeof(j->end_reason), "the host exited");
    j->stage = RUN_SETTLING;
    j->stage_ms = uv_now(j->loop);
  }
  check_ended(j);
}

int run_spawn(uv_loop_t *loop, uv_process_t *proc, char **args, char **env, int out_fd,
              int err_fd, uv_exit_cb on_exit, void *data)
{
  uv_process_options_t po;
  uv_stdio_container_t stdio[3];
  memset(&po, 0, sizeof(po));
  memset(stdio, 0, sizeof(stdio));
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = out_fd >= 0 ? UV_INHERIT_FD : UV_IGNORE;
  stdio[1].data.fd = out_fd;
  stdio[2].flags = err_fd >= 0 ? UV_INHERIT_FD : UV_IGNORE;
  stdio[2].data.fd = err_fd;
  po.file = args[0];
  po.args = args;
  po.env = env;
  po.stdio = stdio;
  po.stdio_count = 3;
  po.exit_cb = on_exit;
  proc->data = data;
  return uv_spawn(loop, proc, &po);
}

static void start_host(struct run_job *j)
{
  char tty[4200], usb[4200], sock[4200], pkg[4200], logf[4200], broker[64];
  /* {tty} {usb} {control} {package}, then the services' keys ({revision} among them) */
  const char *keys[4 + RUN_SUBST_KEYS] = { "{tty}", "{usb}", "{control}", "{package}" };
  const char *values[4 + RUN_SUBST_KEYS] = { tty, usb, sock, pkg };
  const char *names[8] = { "FOTASIM_TTY", "FOTASIM_USB_TTY", "FOTASIM_CONTROL",
                           "FOTASIM_PACKAGE", "FOTASIM_PACKAGE_REVISION" };
  const char *env_values[8] = { tty, usb, sock, pkg, j->package_revision };
  int nnames = 5;
  char *topic = NULL;
  size_t nenv = 0, nargs = 0;
  char **env, **args;
  int fd, rc;
  path_in(j, "state/ttyMAIN", tty, sizeof(tty));
  path_in(j, "state/ttyUSBAT", usb, sizeof(usb));
  path_in(j, "control.sock", sock, sizeof(sock));
  path_in(j, "package.pkg", pkg, sizeof(pkg));
  path_in(j, "host.log", logf, sizeof(logf));
  run_services_values(j, keys + 4, values + 4);
  snprintf(broker, sizeof(broker), "127.0.0.1:%d", j->svc.broker_port);
  if (j->sc->services.broker) {
    names[nnames] = "FOTASIM_BROKER";
    env_values[nnames++] = broker;
  }
  if (j->sc->services.http) {
    names[nnames] = "FOTASIM_HTTP";
    env_values[nnames++] = j->svc.http_url;
  }
  if (j->sc->services.announce_topic[0] &&
      (topic = run_substitute(j->sc->services.announce_topic, keys + 4, values + 4,
                              RUN_SUBST_KEYS))) {
    names[nnames] = "FOTASIM_ANNOUNCE_TOPIC";
    env_values[nnames++] = topic;
  }
  while (environ[nenv])
    nenv++;
  while (j->o->cmd[nargs])
    nargs++;
  env = calloc(nenv + 9, sizeof(char *)); /* up to 8 of ours and the NULL */
  args = calloc(nargs + 1, sizeof(char *));
  for (size_t i = 0; i < nenv; i++)
    env[i] = environ[i];
  for (int i = 0; i < nnames; i++) {
    size_t len = strlen(names[i]) + strlen(env_values[i]) + 2;
    env[nenv + (size_t)i] = malloc(len);
    snprintf(env[nenv + (size_t)i], len, "%s=%s", names[i], env_values[i]);
  }
  for (size_t i = 0; i < nargs; i++)
    args[i] = run_substitute(j->o->cmd[i], keys, values, 4 + RUN_SUBST_KEYS);
  fd = open(logf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  rc = run_spawn(j->loop, &j->host, args, env, fd, fd, host_exited, j);
  if (fd >= 0)
    close(fd);
  for (int i = 0; i < nnames; i++)
    free(env[nenv + (size_t)i]);
  free(topic);
  for (size_t i = 0; i < nargs; i++)
    free(args[i]);
  free(env);
  free(args);
  if (rc != 0) {
    expect_fail(&j->er, "cannot start the host %s: %s", j->o->cmd[0], uv_strerror(rc));
    j->stage = RUN_SETTLING;
    j->settle_quick = 1;
    return;
  }
  j->handles++;
  j->host_alive = 1;
  j->host_started = 1;
  j->stage = RUN_HOST;
  j->stage_ms = uv_now(j->loop);
}

/* ---- time ---- */

static void tick(uv_timer_t *t)
{
  struct run_job *j = t->data;
  uint64_t now = uv_now(j->loop);
  uint64_t wall = j->sc->expect.wall_ms ? j->sc->expect.wall_ms : j->o->wall_ms;
  if (j->stage == RUN_SERVICES) {
    char err[512];
    int rc = run_services_poll(j, err, sizeof(err));
    if (rc > 0)
      boot_module(j);
    else if (rc < 0)
      cannot_start(j, err);
    return;
  }
  if (j->stage < RUN_SETTLING && now - j->started_ms > wall) {
    char msg[128];
    snprintf(msg, sizeof(msg), "deadline: %llu ms of wall time passed%s",
             (unsigned long long)wall, j->stage == RUN_BOOTING ? " before the module was up"
                                       : j->host_alive ? " with the host still running" : "");
    expect_fail(&j->er, "%s", msg);
    stop_now(j, msg);
    if (!j->ctl_open)
      finalize(j);
  }
  if (j->stage == RUN_SETTLING && now - j->stage_ms > RUN_SETTLE_MS)
    finalize(j); /* the module never settled: the verdict with the last state seen */
  if (j->host_alive && j->host_kill_ms && now > j->host_kill_ms)
    uv_process_kill(&j->host, SIGKILL);
  if (j->sim_alive && j->sim_kill_ms && now > j->sim_kill_ms) /* a module that hangs */
    uv_process_kill(&j->sim, SIGKILL);
  if (j->stage < RUN_STOPPING && j->ctl_open)
    ask_status(j);
}

int run_job_prepare(struct run_job *j, char *err, size_t errlen)
{
  char pkg[4200];
  if (j->o->state_dir) {
    snprintf(j->dir, sizeof(j->dir), "%s/%s", j->o->state_dir, j->name);
    if (mkdir(j->dir, 0755) != 0 && errno != EEXIST) {
      snprintf(err, errlen, "cannot create %s: %s", j->dir, strerror(errno));
      return -1;
    }
  } else {
    const char *tmp = getenv("TMPDIR");
    snprintf(j->dir, sizeof(j->dir), "%s/fotasim-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(j->dir)) {
      snprintf(err, errlen, "cannot create a directory in %s: %s", tmp ? tmp : "/tmp",
               strerror(errno));
      return -1;
    }
    j->own_dir = 1;
  }
  path_in(j, "package.pkg", pkg, sizeof(pkg));
  if (run_package_build(j->sc, j->sc->base.model >= 0 ? j->sc->base.model : 0, pkg, j->package_revision,
                        sizeof(j->package_revision), err, errlen) != 0 ||
      run_services_prepare(j, err, errlen) != 0) {
    if (j->own_dir)
      nftw(j->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return -1;
  }
  return 0;
}

/* The run cannot start (a server, the module): the verdict, by the usual way out. */
static void cannot_start(struct run_job *j, const char *why)
{
  expect_fail(&j->er, "%s", why);
  j->stage = RUN_STOPPING;
  run_services_stop(j);
  if (run_services_alive(j))
    return; /* check_ended ends it once they are gone */
  j->ended = 1;
  all_ended(j);
}

static void boot_module(struct run_job *j)
{
  char err[512];
  j->stage = RUN_BOOTING;
  if (spawn_sim(j, err, sizeof(err)) != 0) {
    close_handle(j, (uv_handle_t *)&j->sim_out);
    cannot_start(j, err);
  }
}

void run_job_start(struct run_job *j)
{
  char err[512];
  const struct scenario_services *s = &j->sc->services;
  j->started_ms = uv_now(j->loop);
  expect_run_init(&j->er, &j->sc->expect, 0);
  uv_timer_init(j->loop, &j->tick);
  j->tick.data = j;
  j->handles++;
  uv_timer_start(&j->tick, tick, TICK_MS, TICK_MS);
  if (!s->broker && !s->http) {
    boot_module(j);
    return;
  }
  j->stage = RUN_SERVICES; /* the tick boots the module once they listen */
  if (run_services_start(j, err, sizeof(err)) != 0)
    cannot_start(j, err);
}

char *run_job_host_output(const struct run_job *j, size_t max)
{
  char path[4200];
  char *tail = malloc(max + 1);
  FILE *f;
  size_t n = 0;
  path_in(j, "host.log", path, sizeof(path));
  f = fopen(path, "rb");
  if (!f || !tail) {
    if (f)
      fclose(f);
    free(tail);
    return NULL;
  }
  if (fseek(f, -(long)max, SEEK_END) != 0) /* a shorter file: from its start */
    rewind(f);
  n = fread(tail, 1, max, f);
  fclose(f);
  tail[n] = '\0';
  url_mask_string(tail, n); /* reports never show a password the host printed */
  return tail;
}
