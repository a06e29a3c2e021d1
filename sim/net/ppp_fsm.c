/* ppp_fsm: RFC 1661's automaton (see ppp_fsm.h). The actions keep the RFC's names: tlu, tld,
 * tls, tlf (this layer up, down, started, finished), irc/zrc (restart counter), scr, sca, scn,
 * str, sta, scj (send Configure-Request, -Ack, -Nak or -Reject, Terminate-Request, -Ack,
 * Code-Reject). */
#include "ppp_fsm.h"

#include <string.h>

#include "log.h"

static const char *const state_names[] = { "initial", "starting", "closed", "stopped", "closing",
                                           "stopping", "req-sent", "ack-rcvd", "ack-sent",
                                           "opened" };

const char *ppp_state_name(enum ppp_state s)
{
  return state_names[s];
}

static void on_timeout(uv_timer_t *t);

void ppp_fsm_init(struct ppp_fsm *f, uv_loop_t *loop, const char *name,
                  const struct ppp_fsm_ops *ops, void *ctx)
{
  memset(f, 0, sizeof(*f));
  f->name = name;
  f->ops = ops;
  f->ctx = ctx;
  f->state = PPP_INITIAL;
  uv_timer_init(loop, &f->timer);
  f->timer.data = f;
  f->timer_open = 1;
}

void ppp_fsm_close_timer(struct ppp_fsm *f, void (*done)(uv_handle_t *h))
{
  if (!f->timer_open)
    return;
  f->timer_open = 0;
  uv_timer_stop(&f->timer);
  uv_close((uv_handle_t *)&f->timer, done);
}

static void enter(struct ppp_fsm *f, enum ppp_state s)
{
  if (f->state != s)
    log_debug("ppp %s: %s -> %s", f->name, state_names[f->state], state_names[s]);
  f->state = s;
  if (s != PPP_CLOSING && s != PPP_STOPPING && s != PPP_REQ_SENT && s != PPP_ACK_RCVD &&
      s != PPP_ACK_SENT && f->timer_open)
    uv_timer_stop(&f->timer); /* only these states run the restart timer */
}

static void arm(struct ppp_fsm *f)
{
  if (f->timer_open)
    uv_timer_start(&f->timer, on_timeout, PPP_RESTART_MS, 0);
}

static void send_code(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *data, size_t len)
{
  f->sent++;
  f->ops->send(f, code, id, data, len);
}

static void irc(struct ppp_fsm *f, int configure)
{
  f->restart = configure ? PPP_MAX_CONFIGURE : PPP_MAX_TERMINATE;
}

static void scr(struct ppp_fsm *f)
{
  uint8_t opts[PPP_OPTS_MAX];
  size_t n = f->ops->request(f, opts, sizeof(opts));
  f->id++;
  f->restart--;
  send_code(f, CONF_REQ, f->id, opts, n);
  arm(f);
}

static void str(struct ppp_fsm *f)
{
  f->restart--;
  send_code(f, TERM_REQ, ++f->id, NULL, 0);
  arm(f);
}

static void tlu(struct ppp_fsm *f)
{
  if (f->ops->up)
    f->ops->up(f);
}

static void tld(struct ppp_fsm *f)
{
  if (f->ops->down)
    f->ops->down(f);
}

static void tlf(struct ppp_fsm *f)
{
  if (f->ops->finished)
    f->ops->finished(f);
}

void ppp_fsm_up(struct ppp_fsm *f)
{
  if (f->state == PPP_INITIAL) {
    enter(f, PPP_CLOSED);
  } else if (f->state == PPP_STARTING) {
    irc(f, 1);
    scr(f);
    enter(f, PPP_REQ_SENT);
  }
}

void ppp_fsm_down(struct ppp_fsm *f)
{
  switch (f->state) {
  case PPP_CLOSED: case PPP_CLOSING:
    enter(f, PPP_INITIAL);
    break;
  case PPP_STOPPED: case PPP_STOPPING: case PPP_REQ_SENT: case PPP_ACK_RCVD: case PPP_ACK_SENT:
    enter(f, PPP_STARTING);
    break;
  case PPP_OPENED:
    enter(f, PPP_STARTING);
    tld(f);
    break;
  default:
    break;
  }
}

void ppp_fsm_open(struct ppp_fsm *f)
{
  switch (f->state) {
  case PPP_INITIAL:
    enter(f, PPP_STARTING);
    break;
  case PPP_CLOSED:
    irc(f, 1);
    scr(f);
    enter(f, PPP_REQ_SENT);
    break;
  case PPP_CLOSING:
    enter(f, PPP_STOPPING);
    break;
  default:
    break;
  }
}

void ppp_fsm_close(struct ppp_fsm *f)
{
  switch (f->state) {
  case PPP_STARTING:
    enter(f, PPP_INITIAL);
    tlf(f);
    break;
  case PPP_STOPPED:
    enter(f, PPP_CLOSED);
    break;
  case PPP_STOPPING:
    enter(f, PPP_CLOSING);
    break;
  case PPP_OPENED:
    tld(f);
    /* fall through */
  case PPP_REQ_SENT: case PPP_ACK_RCVD: case PPP_ACK_SENT:
    irc(f, 0);
    str(f);
    enter(f, PPP_CLOSING);
    break;
  default:
    break;
  }
}

static void on_timeout(uv_timer_t *t)
{
  struct ppp_fsm *f = t->data;
  if (f->restart > 0) { /* TO+ */
    if (f->state == PPP_CLOSING || f->state == PPP_STOPPING)
      str(f);
    else if (f->state == PPP_REQ_SENT || f->state == PPP_ACK_RCVD || f->state == PPP_ACK_SENT) {
      scr(f);
      if (f->state == PPP_ACK_RCVD)
        enter(f, PPP_REQ_SENT);
    }
    return;
  }
  /* TO-: the peer never answered */
  log_info("ppp %s: no answer from the host after the last request", f->name);
  if (f->state == PPP_CLOSING)
    enter(f, PPP_CLOSED);
  else if (f->state == PPP_STOPPING || f->state == PPP_REQ_SENT || f->state == PPP_ACK_RCVD ||
           f->state == PPP_ACK_SENT)
    enter(f, PPP_STOPPED);
  else
    return;
  tlf(f);
}

/* The peer's Configure-Request. */
static void rcr(struct ppp_fsm *f, uint8_t id, const uint8_t *opts, size_t len)
{
  uint8_t out[PPP_OPTS_MAX];
  size_t olen = 0;
  int code;
  switch (f->state) {
  case PPP_CLOSED:
    send_code(f, TERM_ACK, id, NULL, 0);
    return;
  case PPP_CLOSING: case PPP_STOPPING: case PPP_INITIAL: case PPP_STARTING:
    return;
  default:
    break;
  }
  code = f->ops->check(f, opts, len, out, &olen);
  if (code == CONF_NAK && ++f->naks > PPP_MAX_FAILURE)
    code = CONF_REJ; /* it will not agree: reject instead (RFC 1661 4.6 Max-Failure) */
  if (code == CONF_ACK)
    f->naks = 0;
  if (f->state == PPP_OPENED) {
    tld(f);
    scr(f);
  } else if (f->state == PPP_STOPPED) {
    irc(f, 1);
    scr(f);
  }
  send_code(f, (uint8_t)code, id, code == CONF_ACK ? opts : out, code == CONF_ACK ? len : olen);
  if (code == CONF_ACK) {
    if (f->state == PPP_ACK_RCVD) {
      enter(f, PPP_OPENED);
      tlu(f);
    } else {
      enter(f, PPP_ACK_SENT);
    }
  } else if (f->state != PPP_ACK_RCVD) {
    enter(f, PPP_REQ_SENT);
  }
}

/* The peer's Configure-Ack, -Nak or -Reject of our request. */
static void answer(struct ppp_fsm *f, uint8_t code, uint8_t id, const uint8_t *opts, size_t len)
{
  if (id != f->id)
    return; /* not an answer to our last request */
  switch (f->state) {
  case PPP_CLOSED: case PPP_STOPPED:
    send_code(f, TERM_ACK, id, NULL, 0);
    return;
  case PPP_REQ_SENT: case PPP_ACK_RCVD: case PPP_ACK_SENT: case PPP_OPENED:
    break;
  default:
    return;
  }
  if (code == CONF_ACK) {
    f->ops->acked(f, opts, len);
    if (f->state == PPP_REQ_SENT) {
      irc(f, 1);
      enter(f, PPP_ACK_RCVD);
    } else if (f->state == PPP_ACK_SENT) {
      irc(f, 1);
      enter(f, PPP_OPENED);
      tlu(f);
    } else { /* Ack-Rcvd (crossed) or Opened: ask again */
      if (f->state == PPP_OPENED)
        tld(f);
      scr(f);
      enter(f, PPP_REQ_SENT);
    }
    return;
  }
  if (code == CONF_NAK)
    f->ops->naked(f, opts, len);
  else
    f->ops->rejected(f, opts, len);
  if (f->state == PPP_OPENED)
    tld(f);
  if (f->state == PPP_REQ_SENT || f->state == PPP_ACK_SENT)
    irc(f, 1);
  scr(f);
  if (f->state != PPP_ACK_SENT)
    enter(f, PPP_REQ_SENT);
}

void ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len)
{
  uint8_t code, id;
  size_t plen;
  if (len < 4)
    return;
  code = pkt[0];
  id = pkt[1];
  plen = (size_t)pkt[2] << 8 | pkt[3];
  if (plen < 4 || plen > len)
    return; /* RFC 1661 5: a bad length is silently discarded */
  f->received++;
  pkt += 4;
  plen -= 4;
  switch (code) {
  case CONF_REQ:
    rcr(f, id, pkt, plen);
    break;
  case CONF_ACK: case CONF_NAK: case CONF_REJ:
    answer(f, code, id, pkt, plen);
    break;
  case TERM_REQ: /* RTR */
    send_code(f, TERM_ACK, id, NULL, 0);
    if (f->state == PPP_OPENED) {
      tld(f);
      f->restart = 0;
      arm(f);
      enter(f, PPP_STOPPING);
    } else if (f->state == PPP_ACK_RCVD || f->state == PPP_ACK_SENT) {
      enter(f, PPP_REQ_SENT);
    }
    break;
  case TERM_ACK: /* RTA */
    if (f->state == PPP_CLOSING) {
      enter(f, PPP_CLOSED);
      tlf(f);
    } else if (f->state == PPP_STOPPING) {
      enter(f, PPP_STOPPED);
      tlf(f);
    } else if (f->state == PPP_ACK_RCVD) {
      enter(f, PPP_REQ_SENT);
    } else if (f->state == PPP_OPENED) {
      tld(f);
      scr(f);
      enter(f, PPP_REQ_SENT);
    }
    break;
  case CODE_REJ: /* RXJ+: nothing we send is essential beyond what RFC 1661 needs */
    break;
  default:
    if (!f->ops->extra || !f->ops->extra(f, code, id, pkt, plen)) { /* RUC: scj */
      uint8_t rej[PPP_OPTS_MAX];
      size_t n = plen + 4 < sizeof(rej) ? plen + 4 : sizeof(rej);
      memcpy(rej, pkt - 4, n);
      send_code(f, CODE_REJ, ++f->id, rej, n);
    }
    break;
  }
}
