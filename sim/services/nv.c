/* nv: the module's non-volatile settings (the AT&W profile, serial settings, FOTA configuration,
 * PDP context definitions, URC indication switches), kept as nv.json in the state dir. */
#include "nv.h"

#include <jansson.h>
#include <stddef.h>
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
  snprintf(nv->band_gsm, sizeof(nv->band_gsm), "0xf");
  snprintf(nv->band_lte, sizeof(nv->band_lte), "0x800d5");
  nv->usbnet = 1;
  nv->apready_level = 1;
  nv->apready_interval = 500;
  snprintf(nv->urcport, sizeof(nv->urcport), "usbat");
  snprintf(nv->psm_tau, sizeof(nv->psm_tau), "00000100");
  snprintf(nv->psm_active, sizeof(nv->psm_active), "00001111");
  nv->edrx_act = 5;
  snprintf(nv->edrx_value, sizeof(nv->edrx_value), "0010");
  nv->qind[QIND_ALL] = 1;
  nv->qind[QIND_RING] = 1;
  nv->qind[QIND_SMSINCOMING] = 1;
}

/* NV keys as rows: the section ("" top level, "profile" the AT&W profile), the key, the
 * type and where it lives, and the range a loaded value must be in. */
enum nv_type { NV_INT, NV_LONG, NV_BYTE, NV_STR };

struct nv_field {
  const char *section;
  const char *name;
  enum nv_type type;
  size_t offset;
  long min, max;        /* NV_STR: max is the buffer size */
};

#define N(member) offsetof(struct nv, member)
#define STR(member) NV_STR, N(member), 0, sizeof(((struct nv *)0)->member)

static const struct nv_field nv_fields[] = {
  { "profile", "echo", NV_INT, N(profile.echo), 0, 1 },
  { "profile", "verbose", NV_INT, N(profile.verbose), 0, 1 },
  { "profile", "quiet", NV_INT, N(profile.quiet), 0, 1 },
  { "profile", "cmee", NV_INT, N(profile.cmee), 0, 2 },
  { "profile", "x", NV_INT, N(profile.x), 0, 4 },
  { "profile", "dcd", NV_INT, N(profile.dcd), 0, 2 },
  { "profile", "dtr", NV_INT, N(profile.dtr), 0, 2 },
  { "profile", "s3", NV_BYTE, N(profile.s3), 0, 127 },
  { "profile", "s4", NV_BYTE, N(profile.s4), 0, 127 },
  { "profile", "s5", NV_BYTE, N(profile.s5), 0, 127 },
  { "", "ipr", NV_LONG, N(ipr), 0, 4000000 },
  { "", "ifc_dce", NV_INT, N(ifc_dce), 0, 2 },
  { "", "ifc_dte", NV_INT, N(ifc_dte), 0, 2 },
  { "", "icf_format", NV_INT, N(icf_format), 1, 6 },
  { "", "icf_parity", NV_INT, N(icf_parity), 0, 3 },
  { "", "fota_path", STR(fota_path) },
  { "", "fota_cid", NV_INT, N(fota_cid), 1, PDP_CID_MAX },
  { "", "nwscanmode", NV_INT, N(nwscanmode), 0, 3 },
  { "", "band_gsm", STR(band_gsm) },
  { "", "band_lte", STR(band_lte) },
  { "", "usbnet", NV_INT, N(usbnet), 0, 5 },
  { "", "psm_urc", NV_INT, N(psm_urc), 0, 1 },
  { "", "apready", NV_INT, N(apready), 0, 1 },
  { "", "apready_level", NV_INT, N(apready_level), 0, 1 },
  { "", "apready_interval", NV_INT, N(apready_interval), 100, 3000 },
  { "", "urcport", STR(urcport) },
  { "", "psm_mode", NV_INT, N(psm_mode), 0, 1 },
  { "", "psm_tau", STR(psm_tau) },
  { "", "psm_active", STR(psm_active) },
  { "", "edrx_mode", NV_INT, N(edrx_mode), 0, 3 },
  { "", "edrx_act", NV_INT, N(edrx_act), 1, 5 },
  { "", "edrx_value", STR(edrx_value) },
  { "", "clock_offset", NV_LONG, N(clock_offset), -3153600000L, 3153600000L },
  { "", "ctzu", NV_INT, N(ctzu), 0, 1 },
  { "", "fota_pending", STR(fota_pending) },
  { "", "fota_pending_port", NV_INT, N(fota_pending_port), 0, 1 },
  { "", "fota_pending_up_max", NV_INT, N(fota_pending_up_max), 0, 100 },
};
#define NV_FIELDS (sizeof(nv_fields) / sizeof(nv_fields[0]))

/* A context's keys, the same way (offsets into struct pdp_context). */
#define C(member) offsetof(struct pdp_context, member)
#define CSTR(member) NV_STR, C(member), 0, sizeof(((struct pdp_context *)0)->member)

static const struct nv_field ctx_fields[] = {
  { "", "type", NV_INT, C(type), 1, 3 },
  { "", "apn", CSTR(apn) },
  { "", "user", CSTR(user) },
  { "", "password", CSTR(password) },
  { "", "auth", NV_INT, C(auth), 0, 3 },
};
#define CTX_FIELDS (sizeof(ctx_fields) / sizeof(ctx_fields[0]))

/* A value from the file, if it has the key with the right type and range. */
static void field_load(const struct nv_field *f, json_t *o, void *base)
{
  json_t *v = json_object_get(o, f->name);
  char *at = (char *)base + f->offset;
  json_int_t n;
  if (f->type == NV_STR) {
    const char *s = json_string_value(v);
    if (s && strlen(s) < (size_t)f->max)
      snprintf(at, (size_t)f->max, "%s", s);
    return;
  }
  if (!json_is_integer(v) || (n = json_integer_value(v)) < f->min || n > f->max)
    return;
  if (f->type == NV_INT)
    *(int *)at = (int)n;
  else if (f->type == NV_LONG)
    *(long *)at = (long)n;
  else
    *(unsigned char *)at = (unsigned char)n;
}

static json_t *field_json(const struct nv_field *f, const void *base)
{
  const char *at = (const char *)base + f->offset;
  switch (f->type) {
  case NV_INT: return json_integer(*(const int *)at);
  case NV_LONG: return json_integer(*(const long *)at);
  case NV_BYTE: return json_integer(*(const unsigned char *)at);
  case NV_STR: return json_string(at);
  }
  return json_null();
}

static json_t *section_of(json_t *j, const char *section)
{
  return section[0] ? json_object_get(j, section) : j;
}

void nv_load(struct nv *nv, const struct statedir *sd)
{
  char *text = statedir_read(sd, "nv.json", NULL);
  json_t *j, *ctxs, *q;
  nv_default(nv);
  if (!text)
    return;
  j = json_loads(text, 0, NULL);
  free(text);
  if (!j)
    return;
  for (size_t i = 0; i < NV_FIELDS; i++)
    field_load(&nv_fields[i], section_of(j, nv_fields[i].section), nv);
  ctxs = json_object_get(j, "contexts");
  if (json_is_array(ctxs)) {
    size_t i;
    json_t *c, *cidv;
    json_array_foreach(ctxs, i, c) {
      struct pdp_context *pc;
      json_int_t cid;
      cidv = json_object_get(c, "cid");
      if (!json_is_integer(cidv) || (cid = json_integer_value(cidv)) < 1 || cid > PDP_CID_MAX)
        continue;
      pc = &nv->ctx[cid];
      memset(pc, 0, sizeof(*pc));
      pc->defined = 1;
      pc->type = 1;
      for (size_t k = 0; k < CTX_FIELDS; k++)
        field_load(&ctx_fields[k], c, pc);
    }
  }
  q = json_object_get(j, "qindcfg");
  for (int i = 0; i < QIND_COUNT; i++) {
    json_t *v = json_object_get(q, nv_qind_names[i]);
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 1)
      nv->qind[i] = (int)json_integer_value(v);
  }
  json_decref(j);
}

int nv_save(const struct nv *nv, const struct statedir *sd)
{
  json_t *j = json_object(), *ctxs = json_array(), *q = json_object();
  char *out;
  int rc;
  json_object_set_new(j, "profile", json_object());
  for (size_t i = 0; i < NV_FIELDS; i++)
    json_object_set_new(section_of(j, nv_fields[i].section), nv_fields[i].name,
                        field_json(&nv_fields[i], nv));
  for (int cid = 1; cid <= PDP_CID_MAX; cid++) {
    const struct pdp_context *pc = &nv->ctx[cid];
    json_t *c;
    if (!pc->defined)
      continue;
    c = json_pack("{s:i}", "cid", cid);
    for (size_t k = 0; k < CTX_FIELDS; k++)
      json_object_set_new(c, ctx_fields[k].name, field_json(&ctx_fields[k], pc));
    json_array_append_new(ctxs, c);
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
