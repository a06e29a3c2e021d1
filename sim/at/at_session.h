/* at_session: one AT interpreter bound to one port: echo, result-code formatting (V0/V1, Q,
 * CMEE), command dispatch through a command table, asynchronous commands and the URC queue. */
#ifndef FOTASIM_AT_SESSION_H
#define FOTASIM_AT_SESSION_H

#include <stdarg.h>
#include <stddef.h>

#include "at_line.h"
#include "at_parser.h"

/* Handler results: OK, plain ERROR, later completion, or a CME error code (>= 0). */
#define AT_OK       (-1)
#define AT_ERROR    (-2)
#define AT_PENDING  (-3)

/* The settings V.250 commands change; AT&W saves them, ATZ restores them. */
struct at_settings {
  int echo;      /* ATE */
  int verbose;   /* ATV */
  int quiet;     /* ATQ */
  int cmee;      /* AT+CMEE */
  unsigned char s3, s4, s5;
  int x;         /* ATX */
  int dcd, dtr;  /* AT&C, AT&D */
};

void at_settings_default(struct at_settings *set);

struct at_session;
struct at_call {
  struct at_session *session;
  const struct at_cmd *cmd;
  void *user; /* the session's owner (a module port) */
};

typedef int (*at_handler)(struct at_call *call);

/* One row of the command table: a handler for each form; NULL means that form is an error. */
struct at_command {
  const char *name;
  at_handler test, read, write, exec;
};

struct at_session_ops {
  void (*write)(void *user, const char *data, size_t len);
  void (*on_command)(void *user, const struct at_cmd *cmd);             /* may be NULL */
  void (*on_result)(void *user, const struct at_cmd *cmd, const char *result); /* may be NULL */
  void (*on_idle)(void *user);  /* a pending command finished: input may resume */
  /* May answer a command in its place (fault injection): a result, or AT_PENDING for "no". */
  int (*intercept)(void *user, const struct at_cmd *cmd);  /* may be NULL */
  void (*on_ready)(void *user);  /* a line ended: URCs go out at once again; may be NULL */
};

#define AT_URC_BYTES 16384   /* URCs held while a command runs: each a 2-byte length and text */

struct at_session {
  struct at_settings set;
  struct at_line line;
  const struct at_command *table;
  size_t table_len;
  const struct at_session_ops *ops;
  void *user;

  int busy;              /* a command line is executing */
  int yielded;           /* the line handed the port to someone else: stop parsing */
  int info_started;      /* the current command has written information text */
  char exec[AT_BODY_MAX + 1];
  size_t exec_len, exec_pos;
  struct at_cmd cmd;

  size_t urc_used;
  unsigned long urc_dropped;
  unsigned char urc[AT_URC_BYTES];
};

void at_session_init(struct at_session *s, const struct at_command *table, size_t table_len,
                     const struct at_session_ops *ops, void *user);
/* Feeds host bytes; returns how many were consumed. It stops early when a command goes
 * asynchronous: the caller holds the rest until ops->on_idle. */
size_t at_session_input(struct at_session *s, const char *data, size_t len);
/* Completes the pending command with a handler result and runs the rest of the line. */
void at_session_complete(struct at_session *s, int result);
/* Ends the pending command's line with a final result of its own (SEND OK, SEND FAIL), framed
 * as OK is; the rest of the line is not run. */
void at_session_finish(struct at_session *s, const char *text);
/* Whether a command line is running (URCs queue, input waits). */
static inline int at_session_busy(const struct at_session *s)
{
  return s->busy;
}
/* A handler gave the port's input to another consumer (AT+CMUX): at_session_input returns
 * after this line, and the bytes after it go to that consumer. */
static inline void at_session_yield(struct at_session *s)
{
  s->yielded = 1;
}
/* Drops any line being typed or executed (power loss, reboot). */
void at_session_reset(struct at_session *s);

/* For handlers: information text lines, and the current command's parameters. */
void at_info(struct at_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void at_raw(struct at_session *s, const char *data, size_t len);
/* The data prompt "\r\n> " of AT+QISEND, AT+QSSLSEND, AT+CMGS and AT+QMTPUB: the host sends
 * its data after it. */
void at_prompt(struct at_session *s);
/* One line of information text that may hold any byte (an MQTT payload). */
void at_info_bytes(struct at_call *call, const char *text, size_t len);
/* Information text from a command that went asynchronous (before at_session_complete). */
void at_session_info(struct at_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* An intermediate result code: CONNECT (V1: framed text, V0: "1" S3). */
void at_connect(struct at_session *s);
/* An unsolicited result code: written now, or after the final result if a command runs. */
void at_urc(struct at_session *s, const char *text);
/* The same for text that may hold any byte (an MQTT payload); at most AT_URC_BYTES - 2 kept. */
void at_urc_len(struct at_session *s, const char *text, size_t len);

const struct at_command *at_table_find(const struct at_command *table, size_t n, const char *name);

/* Parameter helpers: 0 on success, -1 when absent or malformed or out of range. */
int at_param_int(const struct at_call *call, int i, long min, long max, long *out);
const char *at_param_str(const struct at_call *call, int i);  /* NULL if absent */
int at_param_present(const struct at_call *call, int i);

#endif
