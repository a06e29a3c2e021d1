/* server_proc: a server program the tests run, started, awaited until it listens, stopped. */
#include "server_proc.h"

#include "loopback.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The last non-empty line of the file at path, at most size - 1 bytes of it. */
static void last_line(const char *path, char *out, size_t size)
{
  char buf[4096];
  FILE *f = fopen(path, "r");
  out[0] = '\0';
  if (!f)
    return;
  while (fgets(buf, sizeof(buf), f)) {
    size_t n = strcspn(buf, "\r\n");
    buf[n] = '\0';
    if (n == 0)
      continue;
    if (n >= size)
      n = size - 1;
    memcpy(out, buf, n);
    out[n] = '\0';
  }
  fclose(f);
}

pid_t server_spawn(const char *const *argv, const char *dir, const char *log, int port,
                   int lifetime_s, int timeout_ms, char *why, size_t whylen)
{
  long deadline = now_ms() + timeout_ms;
  char tail[300];
  int status;
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(why, whylen, "fork: %s", strerror(errno));
    return 0;
  }
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    signal(SIGTERM, SIG_DFL);
    signal(SIGALRM, SIG_DFL);
    alarm((unsigned)lifetime_s);
    if (dir && chdir(dir) != 0)
      _exit(126);
    execvp(argv[0], (char *const *)argv);
    _exit(127);
  }
  while (now_ms() < deadline) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      last_line(log, tail, sizeof(tail));
      if (WIFEXITED(status))
        snprintf(why, whylen, "%s exited with %d before it listened on %d: %s", argv[0],
                 WEXITSTATUS(status), port, tail[0] ? tail : "(no output)");
      else
        snprintf(why, whylen, "%s died of signal %d before it listened on %d: %s", argv[0],
                 WTERMSIG(status), port, tail[0] ? tail : "(no output)");
      return 0;
    }
    if (loopback_accepting(port))
      return pid;
    usleep(20 * 1000);
  }
  server_stop(pid);
  last_line(log, tail, sizeof(tail));
  snprintf(why, whylen, "%s did not listen on %d in %d ms: %s", argv[0], port, timeout_ms,
           tail[0] ? tail : "(no output)");
  return -1;
}

void server_stop(pid_t pid)
{
  if (pid <= 0)
    return;
  kill(pid, SIGCONT);
  kill(pid, SIGTERM);
  for (int i = 0; i < 250; i++) { /* 5 s, then SIGKILL */
    if (waitpid(pid, NULL, WNOHANG) != 0)
      return;
    usleep(20 * 1000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}
