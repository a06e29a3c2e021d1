/* host_port: a reference host's AT port, the way a careful MCU driver uses it: blocking I/O with
 * poll() timeouts, one line at a time, commands and their final results, raw bytes after a
 * CONNECT or a "> " prompt, waiting for the module to come (back) up. Used by fotahost. */
#ifndef FOTASIM_HOST_PORT_H
#define FOTASIM_HOST_PORT_H

#include <stddef.h>

struct host_port {
  const char *path;
  int fd;
  int flow;                  /* RTS/CTS */
  int verbose;               /* every line sent and received, on stderr */
  char line[1024];           /* the last line read */
  char buf[8192];            /* bytes read and not yet taken */
  size_t have;
};

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long now_ms(void);
void pause_ms(long ms);

/* Waits for the port's link to exist (again: the USB port goes while the module reboots). */
int hp_reopen(struct host_port *p, int seconds);
void hp_send(struct host_port *p, const char *data, size_t len);
void hp_send_text(struct host_port *p, const char *s);
/* One non-empty line into p->line: 1; 0 on timeout; -1 when the port hung up. */
int hp_read_line(struct host_port *p, int timeout_ms);
/* Raw bytes up to and including `end` (a CONNECT's payload and its OK): their count without
 * `end`, -1 on timeout, hang-up or overflow. */
long hp_read_until(struct host_port *p, const char *end, char *out, size_t size, int timeout_ms);
/* Reads lines until one starts with prefix (a URC that answers a command): 1, 0, -1 as above. */
int hp_wait_for(struct host_port *p, const char *prefix, int timeout_ms);
/* A command and its final result: 0 OK, -2 ERROR, N for +CME ERROR: N, -1 no answer. The last
 * information line is kept in info. */
int hp_command(struct host_port *p, const char *cmd, char *info, size_t infolen, int timeout_ms);
/* Until the module answers (RDY, or OK to a probe every second), then ATE0. */
int hp_wait_ready(struct host_port *p, int seconds);
/* AT+CGMR's answer. */
int hp_revision(struct host_port *p, char *out, size_t size);

#endif
