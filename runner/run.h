/* run: `fotasim run SCENARIO... -- CMD [ARGS]`: host software under test against virtual
 * modules replaying scenarios, with a verdict per scenario from its expectations, a summary, a
 * JUnit report and transcripts. run.c owns the command line, the scheduling and the reports;
 * run_job.c one scenario's run; run_services.c the servers a scenario asks for. */
#ifndef FOTASIM_RUN_H
#define FOTASIM_RUN_H

#include <stdint.h>
#include <uv.h>

#include "expect_parse.h"
#include "jsonl.h"
#include "report.h"

#define RUN_DEFAULT_WALL_MS (300u * 1000)   /* a scenario's wall deadline unless it says */
#define RUN_SETTLE_MS 15000
#define RUN_CONTROL_LINE_MAX (64u * 1024 * 1024)  /* the longest line from a module */                 /* after the host: the module may still reboot */

struct run_options {
  const char *junit, *transcript_dir, *state_dir, *timing;
  const char *report_dir;     /* --report DIR: HTML pages */
  int jobs;
  int shard_index, shard_count; /* --shard I/N; count 0: all scenarios */
  int list;                   /* --list: name this shard's scenarios, run nothing */
  uint64_t wall_ms;           /* --deadline: the wall deadline of scenarios that give none */
  char **cmd;                 /* the host command, NULL-terminated */
  char self[4096];            /* this program, to start each module */
};

enum run_stage { RUN_SERVICES, RUN_BOOTING, RUN_HOST, RUN_SETTLING, RUN_STOPPING, RUN_DONE };

/* A process the runner starts beside the module for a scenario's services. */
struct run_child {
  uv_process_t proc;
  int started, alive;
  int open;                  /* its handle is not closed yet: it cannot be started again */
  int64_t status;            /* its exit status; -signal when a signal ended it */
};

enum { SVC_BROKER, SVC_HTTP, SVC_PUB, SVC_SUB, SVC_CHILDREN };

struct run_services {
  int broker_port, http_port;
  char broker_port_text[16], http_url[64];
  struct run_child child[SVC_CHILDREN];
  int announced;             /* the servers listened: the recorder and the announcement went */
  int attempts;              /* servers started with new ports (a port taken in between) */
  int restarting;            /* a server ended before it listened: the others are stopping */
  uint64_t since;
};

#define RUN_SUBST_KEYS 4       /* {http} {broker_host} {broker_port} {revision} */

struct run_job {
  const struct run_options *o;
  uv_loop_t *loop;
  const char *path;           /* the scenario file */
  struct run_scenario *sc;
  char name[256];             /* the file's name without .yaml */
  char dir[4096];             /* this run's directory: state, socket, transcript, logs */
  int own_dir;                /* made by the runner: removed afterwards */
  int prepared;               /* its directory and package are ready */
  char package_revision[48];
  enum run_stage stage;
  struct run_services svc;

  uv_process_t sim, host;
  uv_pipe_t sim_out, ctl;
  uv_timer_t tick;
  int handles;                /* open handles; the job is done when none is left */
  int sim_alive, host_alive, ctl_open, host_started;
  int host_killed;            /* the runner stopped it (a deadline, a failure) */
  int settle_quick;           /* stopping on a failure: one more status is enough */
  int ended;
  int host_status, host_signal;
  char out[1024];             /* fotasim's standard output, for its ready line */
  size_t out_len;
  struct jsonl_reader in;     /* the control connection's bytes, for whole lines */
  int status_asked;
  uint64_t started_ms, stage_ms, host_kill_ms, sim_kill_ms;

  struct expect_run er;
  struct report_log report;   /* the events, for --report */
  uint64_t vt_start;
  char final_revision[48];
  int final_bricked, have_final;
  char end_reason[160];
  double seconds;
  int passed;
  char *host_tail;            /* the end of the host's output, kept for the reports */
  void (*on_done)(struct run_job *j);
  void *ctx;
};

/* Before the loop runs: the run's directory and its package (slow work that would hold up
 * other runs). -1 with a message. */
int run_job_prepare(struct run_job *j, char *err, size_t errlen);
/* Starts a prepared run; on_done is called once everything it started has ended. */
void run_job_start(struct run_job *j);
/* The last bytes of the host's output, for reports. */
char *run_job_host_output(const struct run_job *j, size_t max);

int run_main(int argc, char **argv);

/* text with each key replaced by its value; malloc'd (NULL when memory runs out). */
char *run_substitute(const char *text, const char *const keys[], const char *const values[],
                     int nkeys);
/* A process with no input and its output to out_fd and err_fd (-1: nowhere); env NULL: ours.
 * uv_spawn's result. */
int run_spawn(uv_loop_t *loop, uv_process_t *proc, char **args, char **env, int out_fd,
              int err_fd, uv_exit_cb on_exit, void *data);
/* A handle of the job's has ended: closed, and the job ends once nothing is left. */
void run_job_child_closed(struct run_job *j, uv_handle_t *h);

/* The scenario's services (run_services.c): ports and files before the loop, the servers
 * started, polled until they listen and the announcement is on the broker (1; 0 waiting; -1
 * with a message), stopped, and the broker's record checked against `expect.published`. */
int run_services_prepare(struct run_job *j, char *err, size_t errlen);
int run_services_start(struct run_job *j, char *err, size_t errlen);
int run_services_poll(struct run_job *j, char *err, size_t errlen);
void run_services_stop(struct run_job *j);
int run_services_alive(const struct run_job *j);
void run_services_check(struct run_job *j);
/* One of the job's handles is closed: if it is a service's, it may be started again. */
void run_services_closed(struct run_job *j, const uv_handle_t *h);
/* The keys the host command and the served files may hold, and their values for this job. */
void run_services_values(const struct run_job *j, const char *keys[RUN_SUBST_KEYS],
                         const char *values[RUN_SUBST_KEYS]);

/* JUnit XML for finished jobs. */
int junit_write(const char *path, const struct run_options *o, struct run_job *jobs, int n,
                double seconds);

#endif
