/* echo_server: the tests' TCP and UDP echo servers on 127.0.0.1, one child process: every TCP
 * connection and UDP datagram comes back as it went; a connection to the closer port gets "bye"
 * and is closed. */
#ifndef FOTASIM_TEST_ECHO_SERVER_H
#define FOTASIM_TEST_ECHO_SERVER_H

#include <sys/types.h>

extern pid_t echo_pid;
extern int tcp_port, udp_port, closer_port;

/* A socket bound to an ephemeral port of 127.0.0.1 (listening if a stream); the port in *port. */
int listen_on(int type, int *port);
/* Starts the servers (ending after 120 s at the most); echo_stop ends them. */
void echo_start(void);
void echo_stop(void);
/* The fixture of the socket tests: host.h's, with the servers. */
void echo_fixture_setup(void);
void echo_fixture_teardown(void);

#endif
