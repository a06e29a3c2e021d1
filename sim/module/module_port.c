/* module_port: a port's session (see module_port.h): the AT interpreter fed by the port, its
 * write, command, result and idle hooks, fault rules on commands, and the session's resets. */
#include "module_port.h"

#include <stdio.h>
#include <string.h>

#include "module_internal.h"

static void at_write(void *user, const char *data, size_t len)
{
  struct module_port *mp = user;
  port_write(&mp->port, data, len);
}

static void at_on_command(void *user, const struct at_cmd *cmd)
{
  struct module_port *mp = user;
  struct module *m = mp->m;
  if (event_wanted(m->bus, EV_CMD)) {
    char text[AT_BODY_MAX + 4];
    int n = snprintf(text, sizeof(text), "AT%s", cmd->text);
    url_mask_string(text, (size_t)n);
    struct event ev = { .type = EV_CMD, .module = m->cfg.index, .port = mp->name,
                        .data = text, .len = (size_t)n };
    event_emit(m->bus, &ev);
  }
}

static void at_on_result(void *user, const struct at_cmd *cmd, const char *result)
{
  struct module_port *mp = user;
  struct module *m = mp->m;
  if (event_wanted(m->bus, EV_RESULT)) {
    char text[AT_BODY_MAX + 4];
    snprintf(text, sizeof(text), "AT%s", cmd->text);
    url_mask_string(text, strlen(text));
    struct event ev = { .type = EV_RESULT, .module = m->cfg.index, .port = mp->name,
                        .data = result, .len = strlen(result), .detail = text };
    event_emit(m->bus, &ev);
  }
}

static void at_on_idle(void *user)
{
  struct module_port *mp = user;
  port_resume(&mp->port);
}

static void at_on_ready(void *user)
{
  struct module_port *mp = user;
  net_port_ready(&mp->m->tcpip, mp->id);
}

static int at_intercept(void *user, const struct at_cmd *cmd)
{
  struct module_port *mp = user;
  struct fault_rule *r = fault_command(&mp->m->faults, cmd->name);
  if (!r)
    return AT_PENDING;
  fault_apply(mp->m, r, mp); /* e.g. the answer to this command delayed, cut or lost */
  return r->fail > 0 ? r->fail : AT_PENDING;
}

static const struct at_session_ops port_at_ops = {
  .intercept = at_intercept,
  .write = at_write,
  .on_command = at_on_command,
  .on_result = at_on_result,
  .on_idle = at_on_idle,
  .on_ready = at_on_ready,
};

/* The port's fallback consumer: the AT interpreter, which takes nothing while a command runs. */
static size_t at_bytes(void *ctx, const char *data, size_t len)
{
  struct module_port *mp = ctx;
  if (mp->at.busy)
    return 0;
  return at_session_input(&mp->at, data, len);
}

void module_port_init(struct module_port *mp, struct module *m, enum port_id id,
                      const char *link)
{
  memset(mp, 0, sizeof(*mp));
  mp->m = m;
  mp->id = id;
  static const char *const names[PORT_COUNT] = { "main", "usb", "modem", "dlc1", "dlc2", "dlc3",
                                                 "dlc4" };
  mp->name = names[id];
  port_init(&mp->port, m->loop, m->clock, m->bus, m->cfg.index, mp->name, id == PORT_MAIN, link);
  port_set_fallback(&mp->port, at_bytes, mp);
  at_session_init(&mp->at, m->cfg.commands, m->cfg.ncommands, &port_at_ops, mp);
  snprintf(mp->cscs, sizeof(mp->cscs), "GSM");
  mp->data_id = -1;
  vtimer_init(m->clock, &mp->cmd_timer, mp);
}

void module_port_boot(struct module_port *mp)
{
  mp->at.set = mp->m->nv.profile;
  mp->creg_n = mp->cgreg_n = mp->cereg_n = 0;
  mp->cops_format = 0;
  mp->cgerep_mode = mp->cgerep_bfr = 0;
  snprintf(mp->cscs, sizeof(mp->cscs), "GSM");
}

void module_port_listen(struct module_port *mp, int on)
{
  if (!on) {
    vtimer_stop(&mp->cmd_timer);
    if (mp->xfer_abort)
      mp->xfer_abort(mp);
    if (mp->call_abort) /* the power went: the call with it, without a word */
      mp->call_abort(mp, 0);
    at_session_reset(&mp->at);
    mp->data_id = -1;
  }
  port_listen(&mp->port, on);
}

int module_port_live(const struct module_port *mp)
{
  return mp->port.io && mp->port.listening && !mp->muxed;
}
