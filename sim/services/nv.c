/* nv: the module's non-volatile settings (the AT&W profile, serial settings, FOTA configuration,
 * PDP context definitions, URC indication switches), kept as nv.json in the state dir. */
#include "nv.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statedir.h"

const char *const nv_qind_names[QIND_COUNT] = { "all", "csq", "smsfull", "ring",
                                                    "smsincoming" };

void nv_default(struct nv *nv)
{
  memset(nv, 0, sizeof(*nv));
  at_settings_default(&nv->profile);
  nv->ipr = 115200;
  nv->icf_format = 3;
  nv->icf_parity = 3;
  snprintf(nv->fota_path, sizeof(nv->fota_path), "UFS:");
  nv->fota_cid = 1;
  nv->ctx[1].defined = 1;
  nv->ctx[1].type = 1;
  nv->qind[QIND_ALL] = 1;
  nv->qind[QIND_RING] = 1;
  nv->qind[QIND_SMSINCOMING] = 1;
}

static void get_int(json_t *o, const char *key, int *out, int min, int max)
{
  json_t *v = json_object_get(o, key);
  if (json_is_integer(v) && json_integer_value(v) >= min && json_integer_value(v) <= max)
    *out = (int)json_integer_value(v);
}

static void get_str(json_t *o, const char *key, char *out, size_t size)
{
  const char *s = json_string_value(json_object_get(o, key));
  if (s && strlen(s) < size)
    snprintf(out, size, "%s", s);
}

void nv_load(struct nv *nv, const struct statedir *sd)
{
  char *text = statedir_read(sd, "nv.json", NULL);
  json_t *j, *p, *ctxs, *q;
  int v;
  nv_default(nv);
  if (!text)
    return;
  j = json_loads(text, 0, NULL);
  free(text);
  if (!j)
    return;
  p = json_object_get(j, "profile");
  get_int(p, "echo", &nv->profile.echo, 0, 1);
  get_int(p, "verbose", &nv->profile.verbose, 0, 1);
  get_int(p, "quiet", &nv->profile.quiet, 0, 1);
  get_int(p, "cmee", &nv->profile.cmee, 0, 2);
  get_int(p, "x", &nv->profile.x, 0, 4);
  get_int(p, "dcd", &nv->profile.dcd, 0, 2);
  get_int(p, "dtr", &nv->profile.dtr, 0, 2);
  v = nv->profile.s3;
  get_int(p, "s3", &v, 0, 127);
  nv->profile.s3 = (unsigned char)v;
  v = nv->profile.s4;
  get_int(p, "s4", &v, 0, 127);
  nv->profile.s4 = (unsigned char)v;
  v = nv->profile.s5;
  get_int(p, "s5", &v, 0, 127);
  nv->profile.s5 = (unsigned char)v;
  v = (int)nv->ipr;
  get_int(j, "ipr", &v, 0, 4000000);
  nv->ipr = v;
  get_int(j, "ifc_dce", &nv->ifc_dce, 0, 2);
  get_int(j, "ifc_dte", &nv->ifc_dte, 0, 2);
  get_int(j, "icf_format", &nv->icf_format, 1, 6);
  get_int(j, "icf_parity", &nv->icf_parity, 0, 3);
  get_str(j, "fota_path", nv->fota_path, sizeof(nv->fota_path));
  get_int(j, "fota_cid", &nv->fota_cid, 1, PDP_CID_MAX);
  get_str(j, "fota_pending", nv->fota_pending, sizeof(nv->fota_pending));
  get_int(j, "fota_pending_port", &nv->fota_pending_port, 0, 1);
  get_int(j, "fota_pending_up_max", &nv->fota_pending_up_max, 0, 100);
  ctxs = json_object_get(j, "contexts");
  if (json_is_array(ctxs)) {
    size_t i;
    json_t *c;
    json_array_foreach(ctxs, i, c) {
      int cid = 0;
      struct pdp_context *pc;
      get_int(c, "cid", &cid, 1, PDP_CID_MAX);
      if (!cid)
        continue;
      pc = &nv->ctx[cid];
      memset(pc, 0, sizeof(*pc));
      pc->defined = 1;
      pc->type = 1;
      get_int(c, "type", &pc->type, 1, 3);
      get_str(c, "apn", pc->apn, sizeof(pc->apn));
      get_str(c, "user", pc->user, sizeof(pc->user));
      get_str(c, "password", pc->password, sizeof(pc->password));
      get_int(c, "auth", &pc->auth, 0, 3);
    }
  }
  q = json_object_get(j, "qindcfg");
  for (int i = 0; i < QIND_COUNT; i++)
    get_int(q, nv_qind_names[i], &nv->qind[i], 0, 1);
  json_decref(j);
}

int nv_save(const struct nv *nv, const struct statedir *sd)
{
  json_t *j = json_object(), *ctxs = json_array(), *q = json_object();
  char *out;
  int rc;
  json_object_set_new(j, "profile",
                      json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
                                "echo", nv->profile.echo, "verbose", nv->profile.verbose,
                                "quiet", nv->profile.quiet, "cmee", nv->profile.cmee,
                                "x", nv->profile.x, "dcd", nv->profile.dcd,
                                "dtr", nv->profile.dtr, "s3", nv->profile.s3,
                                "s4", nv->profile.s4, "s5", nv->profile.s5));
  json_object_set_new(j, "ipr", json_integer(nv->ipr));
  json_object_set_new(j, "ifc_dce", json_integer(nv->ifc_dce));
  json_object_set_new(j, "ifc_dte", json_integer(nv->ifc_dte));
  json_object_set_new(j, "icf_format", json_integer(nv->icf_format));
  json_object_set_new(j, "icf_parity", json_integer(nv->icf_parity));
  json_object_set_new(j, "fota_path", json_string(nv->fota_path));
  json_object_set_new(j, "fota_cid", json_integer(nv->fota_cid));
  json_object_set_new(j, "fota_pending", json_string(nv->fota_pending));
  json_object_set_new(j, "fota_pending_port", json_integer(nv->fota_pending_port));
  json_object_set_new(j, "fota_pending_up_max", json_integer(nv->fota_pending_up_max));
  for (int cid = 1; cid <= PDP_CID_MAX; cid++) {
    const struct pdp_context *pc = &nv->ctx[cid];
    if (!pc->defined)
      continue;
    json_array_append_new(ctxs, json_pack("{s:i, s:i, s:s, s:s, s:s, s:i}", "cid", cid,
                                          "type", pc->type, "apn", pc->apn, "user", pc->user,
                                          "password", pc->password, "auth", pc->auth));
  }
  json_object_set_new(j, "contexts", ctxs);
  for (int i = 0; i < QIND_COUNT; i++)
    json_object_set_new(q, nv_qind_names[i], json_integer(nv->qind[i]));
  json_object_set_new(j, "qindcfg", q);
  out = json_dumps(j, JSON_INDENT(2));
  json_decref(j);
  rc = out ? statedir_write_atomic(sd, "nv.json", out, strlen(out)) : -1;
  free(out);
  return rc;
}
