/* module: one virtual EC200U/EG915U. This file owns its lifetime (state dir, first flashing,
 * ports), its status report and its event helpers; module_power.c owns power and boot. */
#include "module.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_util.h"
#include "log.h"
#include "module_faults.h"
#include "module_internal.h"

const char *const model_names[] = { "EC200U", "EG915U" };

struct first_image {
  const struct module_config *cfg;
  uint8_t *buf;
  size_t len;
  char *err;
  size_t errlen;
};

/* The image a new state dir starts with: --image, or the built-in synthetic one. */
static const uint8_t *make_first_image(void *ctx, size_t *len)
{
  struct first_image *fi = ctx;
  if (fi->cfg->image_file) {
    fi->buf = read_whole_file(fi->cfg->image_file, flash_partition(PART_FIRMWARE)->size, &fi->len);
    if (!fi->buf) {
      if (errno == EFBIG)
        snprintf(fi->err, fi->errlen, "image %s does not fit the firmware partition (%u bytes)",
                 fi->cfg->image_file, flash_partition(PART_FIRMWARE)->size);
      else
        snprintf(fi->err, fi->errlen, "cannot read image %s: %s", fi->cfg->image_file,
                 strerror(errno));
      return NULL;
    }
    {
      struct fw_info info;
      enum fw_status st = fw_image_check(fi->buf, fi->len, &info);
      if (st != FW_OK) { /* flashed, it would brick the module at once */
        snprintf(fi->err, fi->errlen,
                 "image %s is not a firmware image: %s (fotapack image makes one)",
                 fi->cfg->image_file, fw_status_text(st));
        free(fi->buf);
        fi->buf = NULL;
        return NULL;
      }
    }
  } else {
    fi->buf = fw_default_image(fi->cfg->model == MODEL_EG915U, fi->cfg->revision, &fi->len);
  }
  *len = fi->len;
  return fi->buf;
}

static void network_changed(void *ctx);

/* Each module of a process draws from its own stream of the scenario's seed (module 0: the
 * seed itself). */
static uint64_t module_seed(uint64_t seed, int index)
{
  return seed + (uint64_t)index * 0x9E3779B97F4A7C15ULL;
}

int module_reflash(struct module *m, const char *image_file, char *err, size_t errlen)
{
  struct module_config cfg = m->cfg;
  struct first_image fi = { &cfg, NULL, 0, err, errlen };
  const uint8_t *img;
  size_t len = 0;
  if (m->power != POWER_OFF && m->power != POWER_BRICKED) {
    snprintf(err, errlen, "reflash needs the module off or bricked (it is %s)",
             module_power_name(m->power));
    return -1;
  }
  cfg.image_file = image_file;
  err[0] = '\0';
  img = make_first_image(&fi, &len);
  if (!img || flash_write_image(&m->flash, img, len) != 0) {
    if (!err[0])
      snprintf(err, errlen, "cannot write the image into the flash");
    free(fi.buf);
    return -1;
  }
  free(fi.buf);
  log_info("module %d: reflashed%s%s", m->cfg.index, image_file ? " from " : "",
           image_file ? image_file : "");
  if (m->power == POWER_BRICKED)
    module_power_cut(m); /* from bricked to off: the next power on boots the new image */
  return 0;
}

int module_init(struct module *m, uv_loop_t *loop, struct vclock *clock, struct event_bus *bus,
                const struct module_config *cfg, char *err, size_t errlen)
{
  char link[4200];
  struct first_image fi = { cfg, NULL, 0, err, errlen };
  int created = 0;

  memset(m, 0, sizeof(*m));
  m->mux_port = -1;
  m->loop = loop;
  m->clock = clock;
  m->bus = bus;
  m->cfg = *cfg;
  m->power = POWER_OFF;
  m->flash.fd = -1;
  err[0] = '\0';
  if (statedir_open(&m->sd, cfg->state_dir, err, errlen) != 0)
    return -1;
  if (flash_open(&m->flash, &m->sd, make_first_image, &fi, cfg->bases, &created) != 0) {
    if (!err[0])
      snprintf(err, errlen, "cannot create flash image in %s: %s", cfg->state_dir,
               strerror(errno));
    free(fi.buf);
    statedir_close(&m->sd);
    return -1;
  }
  free(fi.buf);
  if (created)
    log_info("module %d: new state dir %s, firmware flashed", cfg->index, cfg->state_dir);
  if (identity_load(&m->id, &m->sd, cfg->seed_given,
                    cfg->seed_given ? module_seed(cfg->seed, cfg->index) : 0) != 0) {
    snprintf(err, errlen, "cannot write identity to state dir %s", cfg->state_dir);
    module_close(m);
    return -1;
  }
  nv_load(&m->nv, &m->sd);
  if (storage_init(&m->storage, m->sd.path) != 0) {
    snprintf(err, errlen, "cannot create the file systems in state dir %s", cfg->state_dir);
    module_close(m);
    return -1;
  }
  {
    struct fota_env env = { loop, clock, cfg->curl, cfg->dns, cfg->ndns, &m->sd, &m->flash,
                            &m->nv, &m->net, &m->storage, m->id.imei, cfg->index,
                            cfg->quirks, cfg->resume_update };
    fota_init(&m->fota, &env, &module_fota_ops, m);
  }
  vtimer_init(clock, &m->outage_timer, m);
  vtimer_init(clock, &m->fault_timer, m);
  vtimer_init(clock, &m->defer_timer, m);
  network_init(&m->net, clock, network_changed, m);
  m->faults.rng = module_seed(cfg->seed, cfg->index);
  m->faults.on_fire = fault_fired;
  m->faults.fire_ctx = m;
  net_init(&m->tcpip, loop, clock, &m->net, cfg->dns, cfg->ndns, cfg->index, &module_net_ops, m);
  {
    struct svc_env env = { loop, clock, cfg->curl, &m->net, &m->tcpip, &m->storage, cfg->dns,
                           cfg->ndns };
    http_init(&m->http, &env, &module_http_ops, m);
    ftp_init(&m->ftp, &env, &module_ftp_ops, m);
    mqtt_init(&m->mqtt, &env, &module_mqtt_ops, m);
  }
  vtimer_init(clock, &m->boot_timer, m);
  vtimer_init(clock, &m->power_timer, m);

  if (cfg->main_link)
    snprintf(link, sizeof(link), "%s", cfg->main_link);
  else
    statedir_file(&m->sd, "ttyMAIN", link, sizeof(link));
  module_port_init(&m->ports[PORT_MAIN], m, PORT_MAIN, link);
  port_set_line(&m->ports[PORT_MAIN].port, m->nv.ipr, m->nv.ifc_dte == 2);
  if (cfg->usb_link)
    snprintf(link, sizeof(link), "%s", cfg->usb_link);
  else
    statedir_file(&m->sd, "ttyUSBAT", link, sizeof(link));
  module_port_init(&m->ports[PORT_USB], m, PORT_USB, link);
  for (int i = PORT_DLC1; i <= PORT_DLC4; i++) /* carried by AT+CMUX: no link of their own */
    module_port_init(&m->ports[i], m, (enum port_id)i, "");
  m->mux_port = -1;
  cmux_params_default(&m->cmux_par);
  unlink(m->ports[PORT_USB].port.link); /* a stale link from an earlier run: it is not there */
  statedir_file(&m->sd, "ttyUSBMODEM", link, sizeof(link));
  module_port_init(&m->ports[PORT_MODEM], m, PORT_MODEM, link);
  unlink(m->ports[PORT_MODEM].port.link);
  for (int i = PORT_MAIN; i <= PORT_MODEM; i++) /* --port: a TCP listener rather than a PTY */
    port_set_spec(&m->ports[i].port, cfg->port_spec[i]);
  if (port_open(&m->ports[PORT_MAIN].port, err, errlen) != 0) {
    module_close(m);
    return -1;
  }
  fault_clock_start(m);
  return 0;
}

void module_close(struct module *m)
{
  for (int i = 0; i < PORT_COUNT; i++) /* data calls end: their NAT's sockets close */
    if (m->ports[i].m && m->ports[i].call_abort)
      m->ports[i].call_abort(&m->ports[i], 0);
  module_cmux_stop(m);
  vtimer_stop(&m->outage_timer);
  fault_clock_stop(m);
  vtimer_stop(&m->defer_timer);
  net_reset(&m->tcpip);
  if (m->http.env.loop)
    http_close(&m->http);
  if (m->mqtt.env.loop)
    mqtt_close(&m->mqtt);
  if (m->ftp.env.loop)
    ftp_close(&m->ftp);
  if (m->fota.ops)
    fota_abort(&m->fota);
  vtimer_stop(&m->boot_timer);
  vtimer_stop(&m->power_timer);
  vtimer_stop(&m->net.reg_timer);
  for (int i = 0; i < PORT_COUNT; i++)
    if (m->ports[i].m)
      port_free(&m->ports[i].port);
  for (int i = 0; i < PORT_COUNT; i++) /* the process is going: no link may dangle */
    if (m->ports[i].m)
      unlink(m->ports[i].port.link);
  flash_close(&m->flash);
  statedir_close(&m->sd);
}

struct module *module_new(void)
{
  return calloc(1, sizeof(struct module));
}

void module_free(struct module *m)
{
  free(m);
}

struct net *module_tcpip(struct module *m)
{
  return &m->tcpip;
}

struct mqtt *module_mqtt(struct module *m)
{
  return &m->mqtt;
}

time_t module_clock_time(struct module *m)
{
  return time(NULL) + m->nv.clock_offset;
}

struct sms *module_sms(struct module *m)
{
  return &m->sms;
}

struct ftp *module_ftp(struct module *m)
{
  return &m->ftp;
}

struct http *module_http(struct module *m)
{
  return &m->http;
}

struct nv *module_nv(struct module *m)
{
  return &m->nv;
}

struct fota *module_fota(struct module *m)
{
  return &m->fota;
}

const struct identity *module_identity(const struct module *m)
{
  return &m->id;
}

const char *module_revision(const struct module *m)
{
  return m->revision;
}

enum model module_model(const struct module *m)
{
  return m->cfg.model;
}

int module_cfun(const struct module *m)
{
  return m->cfun;
}

uv_loop_t *module_loop(struct module *m)
{
  return m->loop;
}

struct vclock *module_clock(struct module *m)
{
  return m->clock;
}

int module_online(const struct module *m)
{
  return m->cfun == 1 && network_registered(&m->net);
}

struct network *module_network(struct module *m)
{
  return &m->net;
}

struct storage *module_storage(struct module *m)
{
  return &m->storage;
}

void module_set_outages(struct module *m, const struct network_outage *o, int n, int base)
{
  if (n > NETWORK_MAX_OUTAGES)
    n = NETWORK_MAX_OUTAGES;
  memcpy(m->outages, o, (size_t)n * sizeof(*o));
  m->noutages = n;
  m->outage_base = base;
}

int module_save_nv(struct module *m)
{
  if (nv_save(&m->nv, &m->sd) != 0) {
    log_error("module %d: cannot save NV settings in %s", m->cfg.index, m->sd.path);
    return -1;
  }
  return 0;
}

void module_emit(struct module *m, enum event_type type, const char *port, const char *data,
                 const char *detail)
{
  struct event ev = { .type = type, .module = m->cfg.index, .port = port, .data = data,
                      .len = strlen(data), .detail = detail };
  event_emit(m->bus, &ev);
}

const struct dns_entry *module_dns(const struct module *m, int *n)
{
  *n = m->cfg.ndns;
  return m->cfg.dns;
}

void module_urc(struct module *m, const char *text)
{
  for (int i = 0; i < PORT_COUNT; i++) {
    struct module_port *p = &m->ports[i];
    if (!module_port_live(p) || i == PORT_MODEM || i > PORT_DLC1) /* CMUX: the first DLC */
      continue;
    at_urc(&p->at, text);
    module_emit(m, EV_URC, p->name, text, NULL);
  }
}

/* Registration URCs, each port as its +CREG/+CGREG/+CEREG mode asks. */
static void network_changed(void *ctx)
{
  struct module *m = ctx;
  struct network *n = &m->net;
  module_emit(m, EV_NETWORK, NULL, network_stat_name(n->stat), network_rat_name(n));
  module_contexts_changed(m);
  for (int i = 0; i < PORT_COUNT; i++) {
    struct module_port *p = &m->ports[i];
    const char *names[3] = { "+CREG", "+CGREG", "+CEREG" };
    int modes[3] = { p->creg_n, p->cgreg_n, p->cereg_n };
    if (!module_port_live(p))
      continue;
    for (int k = 0; k < 3; k++) {
      char text[128];
      size_t o;
      if (modes[k] == 0)
        continue;
      o = (size_t)snprintf(text, sizeof(text), "%s: ", names[k]);
      network_reg_text(n, modes[k], m->nv.psm_active, m->nv.psm_mode ? m->nv.psm_tau : NULL,
                       text + o, sizeof(text) - o);
      at_urc(&p->at, text);
      module_emit(m, EV_URC, p->name, text, NULL);
    }
  }
}

const char *module_power_name(enum power_state p)
{
  switch (p) {
  case POWER_OFF: return "off";
  case POWER_BOOTING: return "booting";
  case POWER_ON: return "on";
  case POWER_BRICKED: return "bricked";
  }
  return "?";
}

enum power_state module_power_state(const struct module *m)
{
  return m->power;
}

const char *module_port_pts(const struct module *m, enum port_id id)
{
  return m->ports[id].port.io ? m->ports[id].port.pts : NULL;
}

const char *module_port_link(const struct module *m, enum port_id id)
{
  return m->ports[id].port.spec[0] ? m->ports[id].port.spec : m->ports[id].port.link;
}

json_t *module_status(struct module *m)
{
  json_t *ports = json_object();
  char timing[32];
  for (int i = 0; i < PORT_COUNT; i++) {
    struct port *p = &m->ports[i].port;
    json_object_set_new(ports, p->name,
                        json_pack("{s:s, s:s?, s:b, s:I, s:I, s:I, s:I, s:I}", "link", p->link, "pts",
                                  p->io ? p->pts : NULL, "present", p->io != NULL, "rx_bytes",
                                  (json_int_t)p->rx_bytes, "tx_bytes", (json_int_t)p->tx_bytes,
                                  "tx_dropped", (json_int_t)p->out_dropped, "rx_lost",
                                  (json_int_t)p->uart.lost, "host_baud",
                                  (json_int_t)port_host_baud(p)));
    if (m->ports[i].call_status) /* a data call on it */
      json_object_set_new(json_object_get(ports, p->name), "call",
                          m->ports[i].call_status(&m->ports[i]));
  }
  return json_pack(
      "{s:i, s:s, s:s, s:b, s:s?, s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:o, s:{s:s, s:s, s:i, s:s, s:i},"
      " s:o, s:s, s:I, s:o}",
      "module", m->cfg.index, "model", model_names[m->cfg.model], "power",
      m->power == POWER_OFF ? "off" : "on", "bricked", m->power == POWER_BRICKED, "brick_reason",
      m->power == POWER_BRICKED ? m->brick_reason : NULL, "boot", module_power_name(m->power),
      "revision", m->revision, "imei", m->id.imei, "state_dir", m->sd.path, "cfun", m->cfun,
      "boots", (json_int_t)m->boots, "baud", (json_int_t)m->nv.ipr, "ports", ports, "network", "registration",
      network_stat_name(m->net.stat), "rat", network_rat_name(&m->net), "rssi", m->net.rssi,
      "operator", m->net.oper_long, "stat", m->net.stat, "fota", fota_status(&m->fota), "timing", vclock_describe(m->clock, timing, sizeof(timing)), "vclock_ms",
      (json_int_t)vclock_now(m->clock), "cmux", module_cmux_status(m));
}
