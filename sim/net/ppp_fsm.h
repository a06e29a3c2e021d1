/* ppp_fsm: the option negotiation automaton of RFC 1661 section 4, once for every protocol
 * that negotiates (LCP, IPCP): its ten states, the events Up, Down, Open, Close, the restart
 * timer and the received Configure/Terminate/Code-Reject packets, with the protocol's options
 * behind a small struct of callbacks. The restart timer runs on real time: it waits for the
 * host. */
#ifndef FOTASIM_PPP_FSM_H
#define FOTASIM_PPP_FSM_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

enum ppp_code { CONF_REQ = 1, CONF_ACK, CONF_NAK, CONF_REJ, TERM_REQ, TERM_ACK, CODE_REJ,
                PROTO_REJ, ECHO_REQ, ECHO_REP, DISCARD_REQ };

enum ppp_state { PPP_INITIAL, PPP_STARTING, PPP_CLOSED, PPP_STOPPED, PPP_CLOSING, PPP_STOPPING,
                 PPP_REQ_SENT, PPP_ACK_RCVD, PPP_ACK_SENT, PPP_OPENED };

#define PPP_RESTART_MS 3000   /* real time between Configure-Requests */
#define PPP_MAX_CONFIGURE 10
#define PPP_MAX_TERMINATE 2
#define PPP_MAX_FAILURE 5     /* Configure-Naks before options are rejected instead */
#define PPP_OPTS_MAX 256

struct ppp_fsm;

struct ppp_fsm_ops {
  /* Our Configure-Request's options: their length. */
  size_t (*request)(struct ppp_fsm *f, uint8_t *out, size_t room);
  /* The peer's Configure-Request: CONF_ACK, CONF_NAK or CONF_REJ, with the options for the
   * answer in out (for an ack: the request itself). */
  int (*check)(struct ppp_fsm *f, const uint8_t *opts, size_t len, uint8_t *out, size_t *olen);
  /* The peer's answer to our request: what it acked, naked (its wishes) or rejected. */
  void (*acked)(struct ppp_fsm *f, const uint8_t *opts, size_t len);
  void (*naked)(struct ppp_fsm *f, const uint8_t *opts, size_t len);
  void (*rejected)(struct ppp_fsm *f, const uint8_t *opts, size_t len);
  void (*up)(struct ppp_fsm *f);
  void (*down)(struct ppp_fsm *f);
  void (*finished)(struct ppp_fsm *f);   /* this layer is done: the link may go */
  /* Codes past 7 (LCP's echo, discard): 1 handled, 0 unknown (Code-Reject). */
  int (*extra)(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *data, size_t len);
  /* A packet of this protocol to the peer. */
  void (*send)(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *data, size_t len);
};

struct ppp_fsm {
  const char *name;          /* "LCP", "IPCP", for logs */
  enum ppp_state state;
  const struct ppp_fsm_ops *ops;
  void *ctx;
  uint8_t id;                /* the last Configure-Request's identifier */
  int restart;               /* transmissions left */
  int naks;                  /* Configure-Naks we sent in a row */
  uv_timer_t timer;
  int timer_open;
  unsigned long sent, received;
};

void ppp_fsm_init(struct ppp_fsm *f, uv_loop_t *loop, const char *name,
                  const struct ppp_fsm_ops *ops, void *ctx);
/* Frees the timer (the fsm may go once its close callback ran: done is called then). */
void ppp_fsm_close_timer(struct ppp_fsm *f, void (*done)(uv_handle_t *h));
void ppp_fsm_up(struct ppp_fsm *f);
void ppp_fsm_down(struct ppp_fsm *f);
void ppp_fsm_open(struct ppp_fsm *f);
void ppp_fsm_close(struct ppp_fsm *f);
/* A packet of this protocol from the peer (code, identifier, length already checked). */
void ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len);
const char *ppp_state_name(enum ppp_state s);

#endif
