/* module_fota: the FOTA engine's callbacks into its module: URCs and phase events on the port
 * that asked, NV saves, the reboot after END, fault rules at the engine's points, and FILE
 * mode's hold on a port's input. */
#include "module_internal.h"

static struct module_port *port_of(struct module *m, int port)
{
  return port >= 0 && port < PORT_COUNT ? &m->ports[port] : NULL;
}

static void fota_urc(void *ctx, int port, const char *text)
{
  struct module *m = ctx;
  struct module_port *mp = port_of(m, port);
  if (!mp || !mp->port.io)
    return;
  at_urc(&mp->at, text);
  module_emit(m, EV_URC, mp->name, text, NULL);
}

static void fota_phase(void *ctx, int port, enum fota_phase phase, int percent)
{
  struct module *m = ctx;
  struct module_port *mp = port_of(m, port);
  char detail[32];
  snprintf(detail, sizeof(detail), "%d", percent);
  module_emit(m, EV_FOTA, mp ? mp->name : NULL, fota_phase_name(phase), detail);
}

static int fota_save_nv(void *ctx)
{
  return module_save_nv(ctx);
}

static void fota_reboot_soon(void *ctx)
{
  module_reboot_soon(ctx);
}

static void fota_reset(void *ctx)
{
  module_defer(ctx, DEFER_RESET);
}

static const struct fault_rule *fota_fault(void *ctx, enum fault_phase phase, int percent,
                                           uint64_t bytes, int attempt)
{
  struct module *m = ctx;
  struct fault_rule *r = fault_check(&m->faults, phase, percent, bytes, attempt);
  if (r)
    fault_apply(m, r, NULL);
  return r;
}

static void fota_attach_input(void *ctx, int port, download_input_fn fn, void *fn_ctx)
{
  struct module_port *mp = port_of(ctx, port);
  if (!mp)
    return;
  if (fn) {
    port_attach(&mp->port, fn, fn_ctx);
    if (at_session_busy(&mp->at)) /* the bytes after AT+QFOTADL="FILE:..." are the package */
      at_session_yield(&mp->at);
  } else
    port_release(&mp->port, fn_ctx);
}

const struct fota_ops module_fota_ops = {
  .urc = fota_urc,
  .phase = fota_phase,
  .save_nv = fota_save_nv,
  .reboot_soon = fota_reboot_soon,
  .reset = fota_reset,
  .fault = fota_fault,
  .attach_input = fota_attach_input,
};
