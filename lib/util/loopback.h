/* loopback: TCP ports of 127.0.0.1 for the servers the runner and the tests start. */
#ifndef FOTASIM_LOOPBACK_H
#define FOTASIM_LOOPBACK_H

/* A TCP port of 127.0.0.1 free a moment ago (bound, read, closed: a server takes it a moment
 * later, and someone else may take it first); -1 if none could be bound. */
int loopback_free_port(void);
/* 1 if something accepts TCP connections on 127.0.0.1:port now (a loopback connect answers
 * at once). */
int loopback_accepting(int port);

#endif
