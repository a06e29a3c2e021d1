/* server_proc: a server program the tests run (mosquitto, openssl s_server): started with
 * its output in a log, awaited until it accepts on its port, stopped. Every wait is bounded. */
#ifndef FOTASIM_TEST_SERVER_PROC_H
#define FOTASIM_TEST_SERVER_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Runs argv[0] (found on PATH) in dir (NULL: here), its stdout and stderr appended to log,
 * killed by SIGALRM after lifetime_s; waits until it accepts on 127.0.0.1:port. Returns its
 * pid; or 0 if it exited first (its port taken a moment after it was free, a bad config),
 * with the reason and the log's last line in why; or -1 if it did not listen in timeout_ms
 * (it is stopped). */
pid_t server_spawn(const char *const *argv, const char *dir, const char *log, int port,
                   int lifetime_s, int timeout_ms, char *why, size_t whylen);
/* SIGCONT (it may be stopped), SIGTERM, SIGKILL after 5 s, and reaps it; nothing for
 * pid <= 0. */
void server_stop(pid_t pid);

#endif
