/* identity: IMEI, IMSI and ICCID, generated once per state dir and stable afterwards. */
#include "identity.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "statedir.h"

char identity_luhn(const char *digits)
{
  size_t n = strlen(digits);
  int sum = 0;
  for (size_t i = 0; i < n; i++) {
    int d = digits[n - 1 - i] - '0';
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    sum += d;
  }
  return (char)('0' + (10 - sum % 10) % 10);
}

/* The digits come from the seed when there is one (splitmix64), else from the kernel. */
static void random_digits(char *out, size_t n, int seeded, uint64_t *state)
{
  unsigned char r[32];
  if (seeded) {
    for (size_t i = 0; i < n; i++) {
      uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      r[i] = (unsigned char)((z ^ (z >> 31)) & 0xFF);
    }
  } else if (getrandom(r, n, 0) != (ssize_t)n) {
    for (size_t i = 0; i < n; i++)
      r[i] = (unsigned char)rand();
  }
  for (size_t i = 0; i < n; i++)
    out[i] = (char)('0' + r[i] % 10);
  out[n] = '\0';
}

static int valid(const char *s, size_t len)
{
  if (strlen(s) != len)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

int identity_load(struct identity *id, const struct statedir *sd, int seeded, uint64_t seed)
{
  uint64_t state = seed;
  char *text = statedir_read(sd, "identity.json", NULL);
  char serial[16];
  json_t *j, *o;
  char *out;
  int rc;

  if (text) {
    j = json_loads(text, 0, NULL);
    free(text);
    if (j) {
      const char *imei = json_string_value(json_object_get(j, "imei"));
      const char *imsi = json_string_value(json_object_get(j, "imsi"));
      const char *iccid = json_string_value(json_object_get(j, "iccid"));
      if (imei && imsi && iccid && valid(imei, 15) && valid(imsi, 15) && valid(iccid, 20)) {
        snprintf(id->imei, sizeof(id->imei), "%s", imei);
        snprintf(id->imsi, sizeof(id->imsi), "%s", imsi);
        snprintf(id->iccid, sizeof(id->iccid), "%s", iccid);
        json_decref(j);
        return 0;
      }
      json_decref(j);
    }
  }
  /* IMEI: a Quectel-like TAC, a random serial, the Luhn digit. */
  random_digits(serial, 6, seeded, &state);
  snprintf(id->imei, sizeof(id->imei), "86798304%s", serial);
  id->imei[14] = identity_luhn(id->imei);
  id->imei[15] = '\0';
  /* IMSI: MCC 460, MNC 01 (the CN variant's home network), 10 random digits. */
  random_digits(serial, 10, seeded, &state);
  snprintf(id->imsi, sizeof(id->imsi), "46001%s", serial);
  /* ICCID: 89 86 01, 13 random digits, the Luhn digit. */
  {
    char body[32];
    random_digits(serial, 13, seeded, &state);
    snprintf(body, sizeof(body), "898601%s", serial);
    size_t n = strlen(body);
    memcpy(id->iccid, body, n);
    id->iccid[n] = identity_luhn(body);
    id->iccid[n + 1] = '\0';
  }
  o = json_pack("{s:s, s:s, s:s}", "imei", id->imei, "imsi", id->imsi, "iccid", id->iccid);
  out = json_dumps(o, JSON_INDENT(2));
  json_decref(o);
  rc = out ? statedir_write_atomic(sd, "identity.json", out, strlen(out)) : -1;
  free(out);
  return rc;
}
