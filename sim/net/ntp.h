/* ntp: one SNTP exchange (RFC 4330) over UDP with a real server, on the loop: the module's
 * AT+QNTP. The reply's parser is apart, for the fuzz target and the tests. */
#ifndef FOTASIM_NTP_H
#define FOTASIM_NTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#include "vclock.h"

#define NTP_PACKET 48
#define NTP_WAIT_MS 10000            /* virtual: how long the server's answer is waited for */
#define NTP_WAIT_FLOOR_MS 2000       /* real time, at the least (the server is real) */

/* err: 0 and the server's time, or a TCP/IP code (569: no answer). */
typedef void (*ntp_done_fn)(void *ctx, int err, time_t server_time);

struct ntp_query;

/* Asks ip:port (a literal address); NULL if no socket could be made. deaf: replies are not
 * heard (a fault rule's silent server), so the query ends 569 after the wait. */
struct ntp_query *ntp_query_start(uv_loop_t *loop, struct vclock *clock, const char *ip, int port,
                                  int deaf, ntp_done_fn done, void *ctx);
/* Ends it without a report. */
void ntp_query_cancel(struct ntp_query *q);

/* The client's request: mode 3, version 4, its transmit time (which the reply must echo). */
void ntp_request(uint8_t out[NTP_PACKET], const uint8_t transmit[8]);
/* A server's reply to that request: 0 and its transmit time as Unix time, or -1 for one that is
 * not an answer to it (wrong size, mode, origin, a kiss-of-death, no time). */
int ntp_parse_reply(const uint8_t *buf, size_t len, const uint8_t transmit[8], time_t *out);

#endif
