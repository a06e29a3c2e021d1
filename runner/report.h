/* report: the HTML report of `fotasim run --report DIR` (and of `fotasim report` for one
 * transcript): the events of a run kept as they come (report_log.c), then a self-contained page
 * per scenario, with one time axis (wall and virtual) for the host's commands, the module's
 * output and URCs, FOTA phases and percent, the network, power and fired fault rules, failed
 * expectations marked where they failed, and an index page of verdicts (report_html.c). */
#ifndef FOTASIM_REPORT_H
#define FOTASIM_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "expect.h"

#define REPORT_TRAFFIC_MAX 20000  /* commands, output and URCs kept; later ones are counted */
#define REPORT_EVENTS_MAX 60000   /* every kind together */
#define REPORT_TEXT_BYTES 400     /* of one event's bytes, shown */
#define REPORT_VT_MAX (1ll << 53) /* virtual ms past this are nonsense (and lose precision in JS) */

enum report_kind { RK_CMD, RK_TX, RK_RX, RK_URC, RK_STATE, RK_NETWORK, RK_FOTA, RK_FAULT,
                   RK_SMS, RK_FAIL, RK_KINDS };

struct report_event {
  double t;                   /* wall seconds since the module started */
  uint64_t vt;                /* virtual ms */
  enum report_kind kind;
  char port[8];
  char *text;                 /* shown with escapes: ASCII */
  char *state;                /* state, network, fota: the state; NULL otherwise */
};

struct report_log {
  struct report_event *ev;
  size_t n, cap;
  size_t traffic;             /* commands, output and URCs kept */
  size_t left_out;            /* events past the limits, not kept */
  double t;                   /* the latest event's times */
  uint64_t vt;
  double t_offset;            /* the module's wall clock minus ours (seconds) ... */
  int have_offset;            /* ... once an event has said it */
  int fails_noted;            /* of the expect_run's failures, those already kept */
};

const char *report_kind_name(enum report_kind k);
/* One event as the control channel or a transcript gives it (rx/tx "data" or "base64"); now:
 * our wall clock in seconds (-1: none, as for a transcript). */
void report_log_event(struct report_log *l, json_t *ev, double now);
/* The module's state as a status reply gives it (power and network), for a run whose events
 * start after the boot. */
void report_log_status(struct report_log *l, json_t *status);
/* The run's failures not yet kept, at our wall clock's now (-1: none, they take the last
 * event's time) and the latest virtual time. */
void report_log_fails(struct report_log *l, const struct expect_run *er, double now);
void report_log_free(struct report_log *l);

/* What a page says about its run. verdict 1 passed, 0 failed, -1 no verdict (a transcript). */
struct report_page {
  const char *name, *source;  /* the scenario's name and file (or the transcript) */
  int verdict;
  double seconds;
  const char *revision;       /* at the end; NULL: not known */
  int bricked;
  const char *end_reason;
  const char *host_output;    /* the end of it, or NULL */
  const struct report_log *log;
};

/* The page for one run; -1 with errno when it cannot be written. */
int report_write_page(const char *path, const struct report_page *p);
/* index.html in dir: one row per page, with its verdict, linking to NAME.html. */
int report_write_index(const char *dir, const struct report_page *pages, int n, double seconds);

/* `fotasim report TRANSCRIPT [OUT]` (report_main.c). */
int report_main(int argc, char **argv);

#endif
