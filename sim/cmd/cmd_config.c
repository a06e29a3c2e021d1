/* cmd_config: +QCFG (the FOTA settings "fota/path" and "fota/cid", and the radio and port
 * settings host stacks set at init: "nwscanmode", "band", "usbnet", "psm/urc", "apready"; all
 * saved in NV) and +QINDCFG (URC indication switches). Each +QCFG setting is one row of the
 * table below. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

#define FOTA_DIR_MAX 50

/* Normalises "<medium>:<dir>" into out; -1 if the medium is unknown or the dir not allowed. */
int fota_path_parse(const char *in, char *out, size_t size)
{
  static const char *const media[] = { "UFS", "SD", "EFS" };
  const char *colon = strchr(in, ':'), *dir;
  size_t mlen, dlen;
  int medium = -1;

  if (!colon)
    return -1;
  mlen = (size_t)(colon - in);
  for (int i = 0; i < 3; i++)
    if (strlen(media[i]) == mlen && strncasecmp(in, media[i], mlen) == 0)
      medium = i;
  if (medium < 0)
    return -1;
  dir = colon + 1;
  dlen = strlen(dir);
  if (dlen > FOTA_DIR_MAX)
    return -1;
  if (medium == 1 && dlen > 0)
    return -1; /* the SD card takes the package in its root only */
  if (dlen > 0) {
    if (dir[0] == '/' || dir[dlen - 1] == '/' || strstr(dir, "//") || strstr(dir, ".."))
      return -1;
    for (size_t i = 0; i < dlen; i++)
      if (!isalnum((unsigned char)dir[i]) && !strchr("_-./", dir[i]))
        return -1;
  }
  snprintf(out, size, "%s:%s", media[medium], dir);
  return 0;
}

struct qcfg_setting;

static int fota_path_read(struct at_call *c, const struct qcfg_setting *s);
static int fota_path_write(struct at_call *c, const struct qcfg_setting *s);
static int fota_cid_read(struct at_call *c, const struct qcfg_setting *s);
static int fota_cid_write(struct at_call *c, const struct qcfg_setting *s);
static int int_read(struct at_call *c, const struct qcfg_setting *s);
static int int_write(struct at_call *c, const struct qcfg_setting *s);
static int band_read(struct at_call *c, const struct qcfg_setting *s);
static int band_write(struct at_call *c, const struct qcfg_setting *s);
static int apready_read(struct at_call *c, const struct qcfg_setting *s);
static int apready_write(struct at_call *c, const struct qcfg_setting *s);

struct qcfg_setting {
  const char *name;
  const char *test;   /* the value part of the test response */
  int (*read)(struct at_call *c, const struct qcfg_setting *s);
  int (*write)(struct at_call *c, const struct qcfg_setting *s);
  size_t offset;      /* int settings: the field of struct nv */
  int values[5];      /* int settings: the values it takes, -1 ends the list */
  int params;         /* int settings: how many may follow the value (<effect>) */
};

#define NVF(member) offsetof(struct nv, member)

static const struct qcfg_setting qcfg_settings[] = {
  { "fota/path", "(\"UFS:<dir>\",\"SD:\",\"EFS:<dir>\")", fota_path_read, fota_path_write, 0, { -1 }, 0 },
  { "fota/cid", "(1-15)", fota_cid_read, fota_cid_write, 0, { -1 }, 0 },
  { "nwscanmode", "(0,1,3),(0,1)", int_read, int_write, NVF(nwscanmode), { 0, 1, 3, -1 }, 1 },
  { "band", "<gsmbandval>,<ltebandval>,(0,1)", band_read, band_write, 0, { -1 }, 0 },
  { "usbnet", "(0,1,3,5)", int_read, int_write, NVF(usbnet), { 0, 1, 3, 5, -1 }, 0 },
  { "psm/urc", "(0,1)", int_read, int_write, NVF(psm_urc), { 0, 1, -1 }, 0 },
  { "apready", "(0,1),(0,1),(100-3000)", apready_read, apready_write, 0, { -1 }, 0 },
};
#define QCFG_COUNT (sizeof(qcfg_settings) / sizeof(qcfg_settings[0]))

static int saved(struct module *m)
{
  return module_save_nv(m) == 0 ? AT_OK : CME_MEMORY_FULL;
}

static int int_read(struct at_call *c, const struct qcfg_setting *s)
{
  at_info(c, "+QCFG: \"%s\",%d", s->name, *(int *)((char *)module_nv(call_module(c)) + s->offset));
  return AT_OK;
}

static int int_write(struct at_call *c, const struct qcfg_setting *s)
{
  long v, effect;
  if (c->cmd->nparams > 2 + s->params || at_param_int(c, 1, 0, 65535, &v) != 0 ||
      (c->cmd->nparams > 2 && at_param_int(c, 2, 0, 1, &effect) != 0))
    return CME_INCORRECT_PARAMETERS;
  for (int i = 0; s->values[i] >= 0; i++) {
    if (s->values[i] == v) {
      *(int *)((char *)module_nv(call_module(c)) + s->offset) = (int)v;
      return saved(call_module(c));
    }
  }
  return CME_INCORRECT_PARAMETERS;
}

static int band_read(struct at_call *c, const struct qcfg_setting *s)
{
  struct nv *nv = module_nv(call_module(c));
  at_info(c, "+QCFG: \"%s\",%s,%s", s->name, nv->band_gsm, nv->band_lte);
  return AT_OK;
}

/* A band mask as the module writes it: 0x and 1-16 hex digits. */
static int hex_mask(const struct at_call *c, int i, char *out, size_t size)
{
  const char *v = at_param_str(c, i);
  size_t n;
  if (!v || strncasecmp(v, "0x", 2) != 0 || (n = strlen(v + 2)) == 0 || n > 16 || n + 3 > size)
    return -1;
  for (size_t k = 0; k < n; k++)
    if (!isxdigit((unsigned char)v[2 + k]))
      return -1;
  snprintf(out, size, "0x%s", v + 2);
  for (char *p = out + 2; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return 0;
}

static int band_write(struct at_call *c, const struct qcfg_setting *s)
{
  struct nv *nv = module_nv(call_module(c));
  char gsm[sizeof(nv->band_gsm)], lte[sizeof(nv->band_lte)];
  long effect;
  (void)s;
  if (c->cmd->nparams < 3 || c->cmd->nparams > 4 || hex_mask(c, 1, gsm, sizeof(gsm)) ||
      hex_mask(c, 2, lte, sizeof(lte)) ||
      (c->cmd->nparams == 4 && at_param_int(c, 3, 0, 1, &effect)))
    return CME_INCORRECT_PARAMETERS;
  snprintf(nv->band_gsm, sizeof(nv->band_gsm), "%s", gsm);
  snprintf(nv->band_lte, sizeof(nv->band_lte), "%s", lte);
  return saved(call_module(c));
}

static int apready_read(struct at_call *c, const struct qcfg_setting *s)
{
  struct nv *nv = module_nv(call_module(c));
  at_info(c, "+QCFG: \"%s\",%d,%d,%d", s->name, nv->apready, nv->apready_level,
          nv->apready_interval);
  return AT_OK;
}

static int apready_write(struct at_call *c, const struct qcfg_setting *s)
{
  struct nv *nv = module_nv(call_module(c));
  long on, level, interval;
  (void)s;
  if (c->cmd->nparams != 4 || at_param_int(c, 1, 0, 1, &on) || at_param_int(c, 2, 0, 1, &level) ||
      at_param_int(c, 3, 100, 3000, &interval))
    return CME_INCORRECT_PARAMETERS;
  nv->apready = (int)on;
  nv->apready_level = (int)level;
  nv->apready_interval = (int)interval;
  return saved(call_module(c));
}

static int fota_path_read(struct at_call *c, const struct qcfg_setting *s)
{
  at_info(c, "+QCFG: \"%s\",\"%s\"", s->name, module_nv(call_module(c))->fota_path);
  return AT_OK;
}

static int fota_path_write(struct at_call *c, const struct qcfg_setting *s)
{
  struct module *m = call_module(c);
  const char *v = at_param_str(c, 1);
  char path[FOTA_PATH_MAX];
  if (!v || !c->cmd->params[1].quoted || c->cmd->nparams != 2 ||
      fota_path_parse(v, path, sizeof(path)) != 0)
    return CME_INCORRECT_PARAMETERS;
  (void)s;
  snprintf(module_nv(m)->fota_path, sizeof(module_nv(m)->fota_path), "%s", path);
  return saved(m);
}

static int fota_cid_read(struct at_call *c, const struct qcfg_setting *s)
{
  at_info(c, "+QCFG: \"%s\",%d", s->name, module_nv(call_module(c))->fota_cid);
  return AT_OK;
}

static int fota_cid_write(struct at_call *c, const struct qcfg_setting *s)
{
  struct module *m = call_module(c);
  long cid;
  if (c->cmd->nparams != 2 || at_param_int(c, 1, 1, PDP_CID_MAX, &cid) != 0)
    return CME_INCORRECT_PARAMETERS;
  (void)s;
  module_nv(m)->fota_cid = (int)cid;
  return saved(m);
}

int cmd_qcfg_write(struct at_call *c)
{
  const char *name = at_param_str(c, 0);
  if (!name || !c->cmd->params[0].quoted)
    return CME_INCORRECT_PARAMETERS;
  for (size_t i = 0; i < QCFG_COUNT; i++) {
    const struct qcfg_setting *s = &qcfg_settings[i];
    if (strcasecmp(name, s->name) != 0)
      continue;
    return c->cmd->nparams == 1 ? s->read(c, s) : s->write(c, s);
  }
  return CME_INCORRECT_PARAMETERS;
}

int cmd_qcfg_test(struct at_call *c)
{
  for (size_t i = 0; i < QCFG_COUNT; i++)
    at_info(c, "+QCFG: \"%s\",%s", qcfg_settings[i].name, qcfg_settings[i].test);
  return AT_OK;
}

/* AT+QINDCFG=<type>[,<enable>[,<savetonvram>]] */
int cmd_qindcfg_write(struct at_call *c)
{
  struct module *m = call_module(c);
  const char *type = at_param_str(c, 0);
  long enable, save = 0;
  for (int i = 0; type && i < QIND_COUNT; i++) {
    if (strcasecmp(type, nv_qind_names[i]) != 0)
      continue;
    if (c->cmd->nparams == 1) {
      at_info(c, "+QINDCFG: \"%s\",%d", nv_qind_names[i], module_nv(m)->qind[i]);
      return AT_OK;
    }
    if (at_param_int(c, 1, 0, 1, &enable) != 0 || c->cmd->nparams > 3 ||
        (at_param_present(c, 2) && at_param_int(c, 2, 0, 1, &save) != 0))
      return CME_INCORRECT_PARAMETERS;
    module_nv(m)->qind[i] = (int)enable;
    if (save && module_save_nv(m) != 0)
      return CME_MEMORY_FULL;
    return AT_OK;
  }
  return CME_INCORRECT_PARAMETERS;
}

int cmd_qindcfg_test(struct at_call *c)
{
  for (int i = 0; i < QIND_COUNT; i++)
    at_info(c, "+QINDCFG: \"%s\",(0,1),(0,1)", nv_qind_names[i]);
  return AT_OK;
}
