/* run_services: the servers `fotasim run` starts for a scenario that asks for them (its
 * `services` section): Debian's mosquitto and `python3 -m http.server` on 127.0.0.1 ports of
 * their own, the files they serve, a retained announcement put on the broker before the module
 * starts, and a `mosquitto_sub` that records every message for the `published` expectations. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_util.h"
#include "loopback.h"

#define SERVICES_WAIT_MS 10000   /* for the servers to listen and the announcement to go */
#define SERVICES_ATTEMPTS 5      /* starts with new ports when a server ends before it listens */

static const char *const child_names[] = { "mosquitto", "python3 -m http.server", "mosquitto_pub",
                                           "mosquitto_sub" };

void run_services_values(const struct run_job *j, const char *keys[RUN_SUBST_KEYS],
                         const char *values[RUN_SUBST_KEYS])
{
  keys[0] = "{http}";
  values[0] = j->svc.http_url;
  keys[1] = "{broker_host}";
  values[1] = "127.0.0.1";
  keys[2] = "{broker_port}";
  values[2] = j->svc.broker_port_text;
  keys[3] = "{revision}";
  values[3] = j->package_revision;
}

static char *expand(const struct run_job *j, const char *text)
{
  const char *keys[RUN_SUBST_KEYS], *values[RUN_SUBST_KEYS];
  run_services_values(j, keys, values);
  return run_substitute(text, keys, values, RUN_SUBST_KEYS);
}

/* Ports free a moment ago, the broker's config and the scenario's files that name them. */
static int write_ports_and_files(struct run_job *j, char *err, size_t errlen)
{
  const struct scenario_services *s = &j->sc->services;
  char path[4200];
  if (s->broker) {
    FILE *f;
    j->svc.broker_port = loopback_free_port();
    snprintf(j->svc.broker_port_text, sizeof(j->svc.broker_port_text), "%d", j->svc.broker_port);
    snprintf(path, sizeof(path), "%s/mosquitto.conf", j->dir);
    f = fopen(path, "w");
    if (!f || j->svc.broker_port < 0) {
      snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
      if (f)
        fclose(f);
      return -1;
    }
    fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n",
            j->svc.broker_port);
    if (geteuid() == 0) /* else mosquitto drops to its own user, who may not read this dir */
      fprintf(f, "user root\n");
    fclose(f);
  }
  if (s->http) {
    j->svc.http_port = loopback_free_port();
    snprintf(j->svc.http_url, sizeof(j->svc.http_url), "http://127.0.0.1:%d", j->svc.http_port);
  }
  for (int i = 0; i < s->nfiles; i++) {
    char *text = expand(j, s->files[i].text);
    int rc;
    snprintf(path, sizeof(path), "%s/%s", j->dir, s->files[i].name);
    FILE *f = text ? fopen(path, "w") : NULL;
    rc = f && fwrite(text, 1, strlen(text), f) == strlen(text) ? 0 : -1;
    if (f && fclose(f) != 0)
      rc = -1;
    free(text);
    if (rc != 0) {
      snprintf(err, errlen, "cannot write %s", path);
      return -1;
    }
  }
  return 0;
}

int run_services_prepare(struct run_job *j, char *err, size_t errlen)
{
  memset(&j->svc, 0, sizeof(j->svc));
  return write_ports_and_files(j, err, errlen);
}

static void child_exited(uv_process_t *p, int64_t status, int signal)
{
  struct run_job *j = p->data;
  for (int i = 0; i < SVC_CHILDREN; i++)
    if (&j->svc.child[i].proc == p) {
      j->svc.child[i].alive = 0;
      j->svc.child[i].status = signal ? -signal : status;
    }
  run_job_child_closed(j, (uv_handle_t *)p);
}

/* One server or client, its output into DIR/<log> (mosquitto_sub's complaints apart from its
 * messages, in services.log). */
static int spawn(struct run_job *j, int which, char **args, const char *log, char *err,
                 size_t errlen)
{
  struct run_child *c = &j->svc.child[which];
  char path[4200];
  int fd, efd, rc;
  snprintf(path, sizeof(path), "%s/%s", j->dir, log);
  fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  efd = fd;
  if (which == SVC_SUB) {
    snprintf(path, sizeof(path), "%s/services.log", j->dir);
    efd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }
  rc = run_spawn(j->loop, &c->proc, args, NULL, fd, efd, child_exited, j);
  if (fd >= 0)
    close(fd);
  if (efd != fd && efd >= 0)
    close(efd);
  if (rc != 0) {
    snprintf(err, errlen, "cannot start %s for the scenario's services: %s (the mosquitto, "
             "mosquitto-clients and python3 packages)", args[0], uv_strerror(rc));
    return -1;
  }
  j->handles++;
  c->alive = 1;
  c->started = 1;
  c->open = 1;
  return 0;
}

int run_services_start(struct run_job *j, char *err, size_t errlen)
{
  const struct scenario_services *s = &j->sc->services;
  char conf[4200], port[16];
  j->svc.since = uv_now(j->loop);
  if (s->broker) {
    char *args[] = { "mosquitto", "-c", conf, NULL };
    snprintf(conf, sizeof(conf), "%s/mosquitto.conf", j->dir);
    if (spawn(j, SVC_BROKER, args, "services.log", err, errlen) != 0)
      return -1;
  }
  if (s->http) {
    char *args[] = { "python3", "-m", "http.server", port, "--bind", "127.0.0.1", "--directory",
                     j->dir, NULL };
    snprintf(port, sizeof(port), "%d", j->svc.http_port);
    if (spawn(j, SVC_HTTP, args, "services.log", err, errlen) != 0)
      return -1;
  }
  return 0;
}

/* The servers listen: the recorder subscribes, the announcement goes (retained). */
static int announce(struct run_job *j, char *err, size_t errlen)
{
  const struct scenario_services *s = &j->sc->services;
  char *args[16];
  int rc = 0;
  if (!s->broker)
    return 0;
  {
    char *sub[] = { "mosquitto_sub", "-h", "127.0.0.1", "-p", j->svc.broker_port_text, "-v",
                    "-t", "#", NULL };
    if (spawn(j, SVC_SUB, sub, "broker.log", err, errlen) != 0)
      return -1;
  }
  if (s->announce_topic[0]) {
    char *topic = expand(j, s->announce_topic), *msg = expand(j, s->announce_message);
    int n = 0;
    args[n++] = "mosquitto_pub";
    args[n++] = "-h";
    args[n++] = "127.0.0.1";
    args[n++] = "-p";
    args[n++] = j->svc.broker_port_text;
    args[n++] = "-q";
    args[n++] = "1";
    args[n++] = "-r";
    args[n++] = "-t";
    args[n++] = topic;
    args[n++] = "-m";
    args[n++] = msg;
    args[n] = NULL;
    rc = topic && msg ? spawn(j, SVC_PUB, args, "services.log", err, errlen) : -1;
    free(topic);
    free(msg);
  }
  return rc;
}

/* A server ended before it listened: most likely its port, free a moment before, was taken
 * in between by another program. The others stop; once all are closed they start again on
 * new ports (restart). The note goes to services.log. */
static void ended_early(struct run_job *j, int which)
{
  char path[4200];
  FILE *f;
  snprintf(path, sizeof(path), "%s/services.log", j->dir);
  f = fopen(path, "a");
  if (f) {
    fprintf(f, "fotasim run: %s ended (status %lld) before it listened; starting the services "
               "again on new ports (start %d of %d)\n", child_names[which],
            (long long)j->svc.child[which].status, j->svc.attempts + 2, SERVICES_ATTEMPTS);
    fclose(f);
  }
  j->svc.restarting = 1;
  j->svc.since = uv_now(j->loop); /* the bound for the others to stop */
  run_services_stop(j);
}

static int restart(struct run_job *j, char *err, size_t errlen)
{
  for (int i = 0; i < SVC_CHILDREN; i++)
    if (j->svc.child[i].open) {
      if (uv_now(j->loop) - j->svc.since > SERVICES_WAIT_MS) {
        snprintf(err, errlen, "%s did not stop for the services' new start", child_names[i]);
        return -1;
      }
      return 0;
    }
  for (int i = 0; i < SVC_CHILDREN; i++)
    j->svc.child[i].started = 0;
  j->svc.restarting = 0;
  j->svc.attempts++;
  if (write_ports_and_files(j, err, errlen) != 0 || run_services_start(j, err, errlen) != 0)
    return -1;
  return 0;
}

void run_services_closed(struct run_job *j, const uv_handle_t *h)
{
  for (int i = 0; i < SVC_CHILDREN; i++)
    if ((const uv_handle_t *)&j->svc.child[i].proc == h)
      j->svc.child[i].open = 0;
}

int run_services_poll(struct run_job *j, char *err, size_t errlen)
{
  const struct scenario_services *s = &j->sc->services;
  struct run_child *pub = &j->svc.child[SVC_PUB];
  if (j->svc.restarting)
    return restart(j, err, errlen);
  for (int i = SVC_BROKER; i <= SVC_HTTP; i++)
    if (j->svc.child[i].started && !j->svc.child[i].alive) {
      if (!j->svc.announced && j->svc.attempts + 1 < SERVICES_ATTEMPTS) {
        ended_early(j, i);
        return 0;
      }
      if (j->svc.announced)
        snprintf(err, errlen, "%s ended (status %lld): see services.log", child_names[i],
                 (long long)j->svc.child[i].status);
      else
        snprintf(err, errlen, "%s ended (status %lld) before it listened, at each of %d starts: "
                 "see services.log", child_names[i], (long long)j->svc.child[i].status,
                 SERVICES_ATTEMPTS);
      return -1;
    }
  if (!j->svc.announced) {
    if ((s->broker && !loopback_accepting(j->svc.broker_port)) ||
        (s->http && !loopback_accepting(j->svc.http_port)))
      goto waiting;
    j->svc.announced = 1;
    if (announce(j, err, errlen) != 0)
      return -1;
  }
  if (pub->started && pub->alive)
    goto waiting;
  if (pub->started && pub->status != 0) {
    snprintf(err, errlen, "mosquitto_pub could not put the announcement on the broker (status "
             "%lld)", (long long)pub->status);
    return -1;
  }
  return 1;
waiting:
  if (uv_now(j->loop) - j->svc.since > SERVICES_WAIT_MS) {
    snprintf(err, errlen, "the scenario's services did not come up within %d ms",
             SERVICES_WAIT_MS);
    return -1;
  }
  return 0;
}

void run_services_stop(struct run_job *j)
{
  for (int i = 0; i < SVC_CHILDREN; i++)
    if (j->svc.child[i].alive)
      uv_process_kill(&j->svc.child[i].proc, SIGTERM);
}

int run_services_alive(const struct run_job *j)
{
  for (int i = 0; i < SVC_CHILDREN; i++)
    if (j->svc.child[i].alive)
      return 1;
  return 0;
}

void run_services_check(struct run_job *j)
{
  char path[4200];
  size_t len = 0;
  char *log;
  if (!j->sc->expect.npub)
    return;
  snprintf(path, sizeof(path), "%s/broker.log", j->dir);
  log = (char *)read_whole_file(path, 64u << 20, &len);
  {
    char *matches[EXPECT_MAX] = { NULL };
    for (int i = 0; i < j->sc->expect.npub; i++) /* {revision}, {http}, ... as elsewhere */
      matches[i] = expand(j, j->sc->expect.pub[i].match);
    expect_published(&j->er, log ? log : "", log ? len : 0, (const char *const *)matches);
    for (int i = 0; i < j->sc->expect.npub; i++)
      free(matches[i]);
  }
  free(log);
}
