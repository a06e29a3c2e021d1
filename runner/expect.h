/* expect: a scenario's expectations of the host under test (final revision, bricked or not,
 * lines the module writes seen or never seen, commands the host sends: how often, before a
 * deadline, within a window after a line, never during a FOTA phase; the host's exit status)
 * and their evaluation from the module's event stream. Used by `fotasim run`. */
#ifndef FOTASIM_EXPECT_H
#define FOTASIM_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#define EXPECT_MAX 16
#define EXPECT_TEXT_MAX 128
#define EXPECT_FAILS_MAX 8

struct expect_output {       /* a line the module writes: a response or a URC */
  char match[EXPECT_TEXT_MAX];  /* found anywhere in the line */
  int port;                  /* -1: any, 0: main, 1: usb */
  int min, max;              /* how many times; max -1: no limit */
  unsigned long line;        /* in the scenario file, for messages */
};

struct expect_command {      /* a command line the host sends */
  char match[EXPECT_TEXT_MAX];
  int min, max;
  int during;                /* a FOTA phase (enum fota_phase) it must not come in; -1 */
  char after[EXPECT_TEXT_MAX];  /* the module's line that opens the window; "" : the start */
  uint64_t within_ms;        /* virtual ms the window lasts; 0: no window */
  unsigned long line;
};

struct expect_published {    /* a message on the broker `fotasim run` started (services.broker) */
  char topic[EXPECT_TEXT_MAX];  /* exactly this topic */
  char match[EXPECT_TEXT_MAX];  /* found in its payload ({revision}: the package's) */
  unsigned long line;
};

struct expectations {
  int given;                 /* the scenario has an expect section */
  char revision[32];         /* the firmware running at the end; "" : not checked */
  int bricked;               /* -1: not checked */
  int host_exit;             /* the host's exit status; -1: any */
  int host_exit_given;       /* host_exit is the scenario's own, not the default 0 */
  uint64_t wall_ms, virtual_ms;  /* deadlines; 0: none (wall has a default in the runner) */
  struct expect_output out[EXPECT_MAX];
  int nout;
  struct expect_command cmd[EXPECT_MAX];
  int ncmd;
  struct expect_published pub[EXPECT_MAX];
  int npub;
};

void expectations_init(struct expectations *e);
/* Whether nothing is checked but the default host exit status: such a scenario passes any host
 * that exits 0 (deadlines limit a run, they check nothing). */
int expectations_empty(const struct expectations *e);

/* One run's evaluation. */
struct expect_run {
  const struct expectations *e;
  int out_seen[EXPECT_MAX];
  int cmd_seen[EXPECT_MAX];
  int64_t window_from[EXPECT_MAX];  /* virtual ms the window opened; -1: not yet */
  int window_met[EXPECT_MAX];
  int phase;                 /* the FOTA phase now (enum fota_phase) */
  uint64_t now_vt;
  char line[2][512];         /* output being assembled into lines, per port */
  size_t line_len[2];
  char fails[EXPECT_FAILS_MAX][320];
  int nfails;
};

void expect_run_init(struct expect_run *r, const struct expectations *e, uint64_t start_vt);
/* Bytes the module wrote on a port (0 main, 1 usb). */
void expect_output(struct expect_run *r, int port, const char *data, size_t len, uint64_t vt);
/* A command line the host sent ("AT+QFOTADL=..."). */
void expect_command(struct expect_run *r, const char *text, uint64_t vt);
/* The FOTA phase changed (its name, as events give it). */
void expect_phase(struct expect_run *r, const char *name, uint64_t vt);
/* Virtual time has reached vt: windows that closed unmet fail. */
void expect_time(struct expect_run *r, uint64_t vt);
/* The end: final state and how the host ended (exit_status -1 if it was killed by a signal or
 * still running; signal 0 if none). */
void expect_finish(struct expect_run *r, const char *revision, int bricked, int exit_status,
                   int signal);
/* Whether the run can end now as a pass while the host still runs: the host's exit status is
 * not checked, something was to be reached (a revision, an output or command at least once, a
 * window) and every expectation holds with this final state. */
int expect_settled(const struct expect_run *r, const char *revision, int bricked);
/* The broker's messages, as `mosquitto_sub -v` wrote them ("<topic> <payload>" a line), against
 * the published expectations; matches[i] is expectation i's match with the run's keys filled
 * in (NULL: as written). */
void expect_published(struct expect_run *r, const char *log, size_t len,
                      const char *const *matches);
/* A failure the runner found itself (a deadline, a module that died). */
void expect_fail(struct expect_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
