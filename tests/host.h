/* host: what the integration tests use to act as host software: start fotasim as a separate
 * process, open its PTY links in raw mode, exchange bytes with deadlines, talk to its control
 * socket. Every wait here is bounded. */
#ifndef FOTASIM_TEST_HOST_H
#define FOTASIM_TEST_HOST_H

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

struct sim {
  pid_t pid;
  int out_fd;              /* fotasim's stdout */
  char dir[256];           /* state dir */
  char main_link[300], usb_link[300], sock[300], log[300];
  char ready[512];         /* the ready line */
};

/* A new empty temporary directory for a state dir. */
void sim_tempdir(struct sim *s);
/* Starts fotasim on s->dir with --timing instant and extra args (NULL-terminated); waits for
 * the ready line. Returns 0, or -1 if it exited or did not get ready in time. */
int sim_start(struct sim *s, const char *const *extra);
/* SIGTERM, then waits; returns the exit status (or -1 on a signal/timeout). */
int sim_stop(struct sim *s);
/* kill -9 and reap: the process dies wherever it was; the state dir stays for a restart. */
void sim_kill_9(struct sim *s);
/* Runs fotasim with args and returns its exit status; its stderr goes to err. */
int run_fotasim(const char *const *args, char *err, size_t errlen);
/* The same, capturing its standard output instead. */
int run_fotasim_stdout(const char *const *args, char *out, size_t size);
/* The same with a time limit of its own (ms); stderr in err. */
int run_fotasim_for(const char *const *args, char *err, size_t errlen, int timeout_ms);
void sim_cleanup(struct sim *s);

int tty_open(const char *path);
void tty_send(int fd, const char *data, size_t len);
/* Reads exactly n bytes within timeout_ms; returns how many arrived. */
size_t tty_read_n(int fd, char *buf, size_t n, int timeout_ms);
/* Reads whatever arrives within timeout_ms (at most size bytes). */
size_t tty_read_for(int fd, char *buf, size_t size, int timeout_ms);
/* Sends cmd, then asserts (check) that exactly `want` comes back. */
void chat(int fd, const char *cmd, const char *want);
/* Asserts that exactly `want` arrives next. */
void expect_tty(int fd, const char *want);
/* AT+QFUPL of a local file (at most 8 KiB) to the module's file `as`, as a host puts its
 * certificates there: CONNECT, the bytes, +QFUPL: <len>,... */
void ufs_upload(int fd, const char *path, const char *as);

/* One control request; the reply line in reply. Returns 0 if a reply came. */
int ctl(const struct sim *s, const char *json, char *reply, size_t size, int timeout_ms);
/* Runs fotasimctl with args against s's socket; returns its exit status; stdout in out. */
int run_ctl(const struct sim *s, const char *const *args, char *out, size_t size);

/* The real FTP/HTTP/HTTPS servers of tests/servers.py, on 127.0.0.1, serving root. */
struct servers {
  pid_t pid;
  int in_fd;               /* closing it stops them */
  int ftp, http, https, ftps; /* ports (ftps: explicit, AUTH TLS) */
};
int servers_start(struct servers *sv, const char *root);
/* A file of the servers' root, before the tests run (exits the process if it cannot). */
void www_write(const char *root, const char *name, const void *data, size_t len);
/* The servers stop and their root goes. */
void www_end(struct servers *sv, const char *root);
void servers_stop(struct servers *sv);

/* The test fixture every integration test uses: one fotasim (S) on a fresh temporary state
 * dir, and the host's descriptors for its main UART (M) and USB AT port (U), closed afterwards. */
extern struct sim S;
extern int M, U;
void fixture_setup(void);
void fixture_teardown(void);

/* Runs a check suite; the process's exit status. */
int run_suite(Suite *s);

/* Bytes printed with escapes, for failure messages. */
const char *show(const char *data, size_t len);

#endif
