/* module_cmux: AT+CMUX on one of the module's ports: that port's input goes to the 27.010
 * multiplexer (sim/port/cmux), whose DLCs 1-4 are the module ports dlc1-dlc4, each carried
 * (no PTY) with its own AT session and settings; CLD, DISC of DLCI 0 or a power loss give the
 * port back to plain AT. */
#include <stdio.h>

#include "log.h"
#include "module_internal.h"

static struct module_port *dlc_port(struct module *m, int dlci)
{
  return &m->ports[PORT_DLC1 + dlci - 1];
}

/* A DLC port's output, into UIH frames on the carrying port. */
static size_t dlc_carry(void *ctx, const char *data, size_t len)
{
  struct module_port *mp = ctx;
  return cmux_send(&mp->m->mux, mp->id - PORT_DLC1 + 1, data, len);
}

static void mux_write(void *ctx, const char *data, size_t len)
{
  struct module *m = ctx;
  port_write(&m->ports[m->mux_port].port, data, len);
}

static void mux_opened(void *ctx, int dlci)
{
  struct module *m = ctx;
  struct module_port *mp = dlc_port(m, dlci);
  port_open_carried(&mp->port, dlc_carry, mp);
  module_port_boot(mp);
  module_port_listen(mp, 1);
  log_info("module %d: CMUX DLC %d open", m->cfg.index, dlci);
}

static void close_dlc(struct module *m, int dlci)
{
  struct module_port *mp = dlc_port(m, dlci);
  module_port_listen(mp, 0);
  port_close(&mp->port, 0);
}

static void mux_closed(void *ctx, int dlci)
{
  struct module *m = ctx;
  close_dlc(m, dlci);
  log_info("module %d: CMUX DLC %d closed", m->cfg.index, dlci);
}

static size_t mux_data(void *ctx, int dlci, const char *data, size_t len)
{
  struct module *m = ctx;
  return port_input(&dlc_port(m, dlci)->port, data, len);
}

static void mux_ready(void *ctx, int dlci)
{
  struct module *m = ctx;
  port_carrier_ready(&dlc_port(m, dlci)->port);
}

/* The carrying port is plain AT again. */
static void mux_ended(void *ctx)
{
  struct module *m = ctx;
  struct module_port *carrier = &m->ports[m->mux_port];
  log_info("module %d: CMUX closed down; port %s is plain AT again", m->cfg.index,
           carrier->name);
  carrier->muxed = 0;
  port_release(&carrier->port, m);
  m->mux_port = -1;
}

static const struct cmux_ops mux_ops = {
  .write = mux_write,
  .opened = mux_opened,
  .closed = mux_closed,
  .data = mux_data,
  .ready = mux_ready,
  .ended = mux_ended,
};

static size_t carrier_bytes(void *ctx, const char *data, size_t len)
{
  struct module *m = ctx;
  return cmux_input(&m->mux, data, len);
}

int module_cmux_start(struct module *m, struct module_port *carrier, const struct cmux_params *par)
{
  if (m->mux_port >= 0 || carrier->id >= PORT_DLC1)
    return -1; /* one multiplexer, on a physical port */
  cmux_init(&m->mux, par, &mux_ops, m);
  m->mux_port = carrier->id;
  carrier->muxed = 1;
  port_attach(&carrier->port, carrier_bytes, m);
  at_session_yield(&carrier->at); /* what follows the command line is frames */
  log_info("module %d: CMUX on port %s (N1 %d)", m->cfg.index, carrier->name, par->n1);
  return 0;
}

void module_cmux_stop(struct module *m)
{
  if (m->mux_port < 0)
    return;
  for (int d = 1; d <= CMUX_DLCS; d++)
    if (m->mux.dlc[d].open) {
      m->mux.dlc[d].open = 0;
      close_dlc(m, d);
    }
  m->ports[m->mux_port].muxed = 0;
  port_release(&m->ports[m->mux_port].port, m);
  m->mux_port = -1;
}

struct cmux_params *module_cmux_params(struct module *m)
{
  return &m->cmux_par;
}

json_t *module_cmux_status(const struct module *m)
{
  json_t *dlcs;
  if (m->mux_port < 0)
    return json_null();
  dlcs = json_array();
  for (int d = 1; d <= CMUX_DLCS; d++)
    if (m->mux.dlc[d].open)
      json_array_append_new(dlcs, json_pack("{s:i, s:s, s:b, s:i}", "dlci", d, "port",
                                            m->ports[PORT_DLC1 + d - 1].name, "flow_stopped",
                                            m->mux.dlc[d].stopped || m->mux.fcoff, "v24",
                                            m->mux.dlc[d].v24));
  return json_pack("{s:s, s:i, s:b, s:o, s:I, s:I, s:I, s:I, s:I}", "port",
                   m->ports[m->mux_port].name, "n1", m->mux.par.n1, "started", m->mux.started,
                   "dlcs", dlcs, "frames_in", (json_int_t)m->mux.frames_in, "frames_out",
                   (json_int_t)m->mux.frames_out, "bad_fcs", (json_int_t)m->mux.bad_fcs,
                   "too_long", (json_int_t)m->mux.too_long, "dropped_bytes",
                   (json_int_t)m->mux.dropped_bytes);
}
