/* echo_server: the tests' echo servers (see echo_server.h). */
#include "echo_server.h"

#include "host.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

pid_t echo_pid = -1;
int tcp_port, udp_port, closer_port;

int listen_on(int type, int *port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof(a);
  int fd = socket(AF_INET, type, 0), one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      (type == SOCK_STREAM && listen(fd, 32) != 0) ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0)
    abort();
  *port = ntohs(a.sin_port);
  return fd;
}

/* Echoes every TCP connection and UDP datagram; a connection to the closer port gets "bye" and
 * is closed. Ends after 120 s at the most, or on SIGTERM. */
static void echo_serve(int tcp, int udp, int closer)
{
  struct pollfd p[64];
  int n = 3;
  time_t end = time(NULL) + 120;
  p[0] = (struct pollfd){ .fd = tcp, .events = POLLIN };
  p[1] = (struct pollfd){ .fd = udp, .events = POLLIN };
  p[2] = (struct pollfd){ .fd = closer, .events = POLLIN };
  while (time(NULL) < end) {
    if (poll(p, (nfds_t)n, 1000) <= 0)
      continue;
    for (int i = 0; i < n; i++) {
      char buf[65536];
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      if (i == 0 && n < 64) {
        int c = accept(tcp, NULL, NULL);
        if (c >= 0)
          p[n++] = (struct pollfd){ .fd = c, .events = POLLIN };
      } else if (i == 1) {
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t r = recvfrom(udp, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (r > 0)
          sendto(udp, buf, (size_t)r, 0, (struct sockaddr *)&from, fl);
      } else if (i == 2) {
        int c = accept(closer, NULL, NULL);
        if (c >= 0) {
          if (write(c, "bye", 3) != 3)
            _exit(3);
          close(c);
        }
      } else if (i > 2) {
        ssize_t r = read(p[i].fd, buf, sizeof(buf));
        if (r <= 0) {
          close(p[i].fd);
          p[i--] = p[--n];
          continue;
        }
        for (ssize_t off = 0; off < r;) {
          ssize_t w = write(p[i].fd, buf + off, (size_t)(r - off));
          if (w <= 0)
            break;
          off += w;
        }
      }
    }
  }
  _exit(0);
}

void echo_start(void)
{
  int tcp = listen_on(SOCK_STREAM, &tcp_port), udp = listen_on(SOCK_DGRAM, &udp_port);
  int closer = listen_on(SOCK_STREAM, &closer_port);
  echo_pid = fork();
  ck_assert_int_ge(echo_pid, 0);
  if (echo_pid == 0) { /* not check's handlers: they would end the whole process group */
    signal(SIGTERM, SIG_DFL);
    signal(SIGALRM, SIG_DFL);
    echo_serve(tcp, udp, closer);
  }
  close(tcp);
  close(udp);
  close(closer);
}

void echo_fixture_setup(void)
{
  fixture_setup();
  echo_start();
}

void echo_fixture_teardown(void)
{
  echo_stop();
  fixture_teardown();
}

void echo_stop(void)
{
  if (echo_pid > 0) {
    kill(echo_pid, SIGTERM);
    waitpid(echo_pid, NULL, 0);
    echo_pid = -1;
  }
}
