/* cmd_config: +QCFG (the FOTA settings "fota/path" and "fota/cid", saved in NV) and +QINDCFG
 * (URC indication switches). Each +QCFG setting is one row of the table below. */
#include <ctype.h>
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

static int fota_path_read(struct at_call *c, const char *name)
{
  at_info(c, "+QCFG: \"%s\",\"%s\"", name, module_nv(call_module(c))->fota_path);
  return AT_OK;
}

static int fota_path_write(struct at_call *c)
{
  struct module *m = call_module(c);
  const char *v = at_param_str(c, 1);
  char path[FOTA_PATH_MAX];
  if (!v || !c->cmd->params[1].quoted || c->cmd->nparams != 2 ||
      fota_path_parse(v, path, sizeof(path)) != 0)
    return CME_INCORRECT_PARAMETERS;
  snprintf(module_nv(m)->fota_path, sizeof(module_nv(m)->fota_path), "%s", path);
  return module_save_nv(m) == 0 ? AT_OK : CME_MEMORY_FULL;
}

static int fota_cid_read(struct at_call *c, const char *name)
{
  at_info(c, "+QCFG: \"%s\",%d", name, module_nv(call_module(c))->fota_cid);
  return AT_OK;
}

static int fota_cid_write(struct at_call *c)
{
  struct module *m = call_module(c);
  long cid;
  if (c->cmd->nparams != 2 || at_param_int(c, 1, 1, PDP_CID_MAX, &cid) != 0)
    return CME_INCORRECT_PARAMETERS;
  module_nv(m)->fota_cid = (int)cid;
  return module_save_nv(m) == 0 ? AT_OK : CME_MEMORY_FULL;
}

struct qcfg_setting {
  const char *name;
  const char *test;   /* the value part of the test response */
  int (*read)(struct at_call *c, const char *name);
  int (*write)(struct at_call *c);
};

static const struct qcfg_setting qcfg_settings[] = {
  { "fota/path", "(\"UFS:<dir>\",\"SD:\",\"EFS:<dir>\")", fota_path_read, fota_path_write },
  { "fota/cid", "(1-15)", fota_cid_read, fota_cid_write },
};
#define QCFG_COUNT (sizeof(qcfg_settings) / sizeof(qcfg_settings[0]))

int cmd_qcfg_write(struct at_call *c)
{
  const char *name = at_param_str(c, 0);
  if (!name || !c->cmd->params[0].quoted)
    return CME_INCORRECT_PARAMETERS;
  for (size_t i = 0; i < QCFG_COUNT; i++) {
    const struct qcfg_setting *s = &qcfg_settings[i];
    if (strcasecmp(name, s->name) != 0)
      continue;
    return c->cmd->nparams == 1 ? s->read(c, s->name) : s->write(c);
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
