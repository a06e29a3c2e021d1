/* fota_host: what the FOTA integration tests share (see fota_host.h). */
#include "fota_host.h"

#include <check.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes_text.h"
#include "fotasim/package.h"
#include "host.h"

uint8_t *delta_ab, *delta_bc;

size_t delta_ab_len, delta_bc_len, image_b_len;

void make_packages(void)
{
  size_t a_len = FW_HEADER_SIZE + FW_DEFAULT_BODY_SIZE, b_len, c_len;
  uint8_t *a = fw_image_synthesize(REV_A, FW_DEFAULT_BODY_SIZE, 1);
  uint8_t *b = fw_image_mutate(a, a_len, REV_B, 30, 5, &b_len);
  uint8_t *c = fw_image_mutate(b, b_len, REV_C, 20, 6, &c_len);
  delta_ab = pkg_build(a, a_len, b, b_len, &delta_ab_len, NULL);
  delta_bc = pkg_build(b, b_len, c, c_len, &delta_bc_len, NULL);
  image_b_len = b_len;
  free(a);
  free(b);
  free(c);
  if (!delta_ab || !delta_bc) {
    fprintf(stderr, "cannot build the test packages\n");
    exit(1);
  }
}

void start_args(const char *const *extra)
{
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  U = tty_open(S.usb_link);
  expect_tty(M, BOOT_URCS);
  expect_tty(U, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

void start(void)
{
  start_args(NULL);
}

void urc(int fd, const char *body)
{
  char want[320];
  snprintf(want, sizeof(want), "\r\n+QIND: \"FOTA\",%s\r\n", body);
  expect_tty(fd, want);
}

/* The n progress URCs of one kind: the k-th says k*100/n. */
void progress(int fd, const char *what, int n)
{
  for (int k = 1; k <= n; k++) {
    char body[64];
    snprintf(body, sizeof(body), "\"%s\",%d", what, k * 100 / n);
    urc(fd, body);
  }
}

void updating(int fd, int n)
{
  progress(fd, "UPDATING", n);
}

void file_command(int fd, size_t len, const char *rest)
{
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"FILE:%zu\"%s\r", len, rest);
  chat(fd, cmd, "\r\nOK\r\n\r\n+QIND: \"FOTA\",\"FILESTART\"\r\n");
}

void send_delta_ab(int fd, const char *rest)
{
  file_command(fd, delta_ab_len, rest);
  tty_send(fd, (const char *)delta_ab, delta_ab_len);
  urc(fd, "\"FILEEND\",0");
  urc(fd, "\"START\"");
}

size_t read_until_hangup(int fd, char *buf, size_t size)
{
  size_t n = 0;
  for (;;) {
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t r;
    ck_assert_int_eq(poll(&p, 1, 5000), 1);
    r = read(fd, buf + n, size - 1 - n);
    if (r <= 0)
      break;
    n += (size_t)r;
    ck_assert_uint_lt(n, size - 1);
  }
  buf[n] = '\0';
  return n;
}

size_t usb_cut_then_power_on(char *got, size_t size)
{
  char reply[4096];
  size_t n = read_until_hangup(U, got, size);
  status_has("\"power\":\"off\"", 5000);
  close(U);
  U = -1;
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"power\",\"action\":\"on\"}", reply, sizeof(reply),
                       5000), 0);
  return n;
}

void revision_is(int fd, const char *rev)
{
  char want[128];
  snprintf(want, sizeof(want), "\r\n%s\r\n\r\nOK\r\n", rev);
  chat(fd, "AT+CGMR\r", want);
}

/* After END,0 on the USB port: it goes away; the new one comes up with the new firmware. */
void usb_reboots_into(const char *rev)
{
  char buf[64];
  struct pollfd p = { U, POLLIN, 0 };
  ck_assert_int_eq(poll(&p, 1, 10000), 1);
  ck_assert_int_le(read(U, buf, sizeof(buf)), 0); /* hang-up */
  close(U);
  expect_tty(M, BOOT_URCS);
  for (int i = 0; i < 500 && access(S.usb_link, F_OK) != 0; i++)
    usleep(10000);
  U = tty_open(S.usb_link);
  expect_tty(U, BOOT_URCS);
  chat(U, "ATE0\r", "ATE0\r\r\nOK\r\n");
  revision_is(U, rev);
}

void status_has(const char *needle, int timeout_ms)
{
  char reply[8192];
  for (int waited = 0;; waited += 50) {
    ck_assert_int_eq(ctl(&S, "{\"cmd\":\"status\"}", reply, sizeof(reply), 5000), 0);
    if (strstr(reply, needle))
      return;
    ck_assert_msg(waited < timeout_ms, "status never showed %s: %s", needle, reply);
    usleep(50000);
  }
}

const char *scenario_dir(void)
{
  const char *d = getenv("FOTASIM_SCENARIOS");
  return d ? d : "scenarios";
}

/* A scenario with data services, the PDP context active on the main port. */
void start_data(const char *scenario_yaml)
{
  start_with_rules(scenario_yaml);
  chat(M, "AT+QIACT=1\r", "\r\nOK\r\n");
}

void start_with_scenario(const char *name, const char *timing)
{
  char path[512];
  const char *extra[] = { "--scenario", path, "--timing", timing, NULL };
  snprintf(path, sizeof(path), "%s/%s", scenario_dir(), name);
  start_args(extra);
}

/* An event's bytes as one code point per byte, from "data" or from "base64"; malloc'd. */
static char *event_bytes(json_t *ev, size_t *len)
{
  const char *b64 = json_string_value(json_object_get(ev, "base64"));
  json_t *d = json_object_get(ev, "data");
  unsigned char *raw;
  size_t n = 0;
  char *out;
  if (!b64) {
    *len = json_string_length(d);
    out = malloc(*len + 1);
    memcpy(out, json_string_value(d) ? json_string_value(d) : "", *len);
    return out;
  }
  raw = bytes_from_base64(b64, &n);
  ck_assert_msg(raw != NULL, "bad base64 in the transcript: %s", b64);
  out = malloc(2 * n + 1);
  *len = 0;
  for (size_t i = 0; i < n; i++) {
    if (raw[i] < 0x80) {
      out[(*len)++] = (char)raw[i];
    } else {
      out[(*len)++] = (char)(0xC0 | raw[i] >> 6);
      out[(*len)++] = (char)(0x80 | (raw[i] & 0x3F));
    }
  }
  free(raw);
  return out;
}

/* The transcript's bytes per port and direction, and its state, network, FOTA and fault events,
 * timestamps aside. */
char *transcript_streams(const char *path)
{
  FILE *f = fopen(path, "r");
  char *line = NULL, *out = NULL;
  size_t cap = 0, outlen = 0;
  json_t *streams = json_object();
  ck_assert_ptr_nonnull(f);
  while (getline(&line, &cap, f) > 0) {
    json_t *ev = json_loads(line, JSON_ALLOW_NUL, NULL);
    const char *type = json_string_value(json_object_get(ev, "event"));
    int bytes = !strcmp(type, "rx") || !strcmp(type, "tx");
    char key[64], *add;
    size_t alen;
    json_t *old;
    ck_assert_ptr_nonnull(ev);
    if (bytes) {
      snprintf(key, sizeof(key), "%s/%s", json_string_value(json_object_get(ev, "port")), type);
      add = event_bytes(ev, &alen);
    } else { /* state, network, fota: the state; fault: the rule */
      json_t *v = json_object_get(ev, !strcmp(type, "fault") ? "text" : "state");
      snprintf(key, sizeof(key), "%s", type);
      alen = json_string_length(v);
      add = strdup(json_string_value(v) ? json_string_value(v) : "");
    }
    old = json_object_get(streams, key);
    {
      /* bytes are compared as streams: how the kernel split them into reads is not ours */
      size_t olen = old ? json_string_length(old) : 0;
      char *joined = malloc(olen + alen + 1);
      if (old)
        memcpy(joined, json_string_value(old), olen);
      memcpy(joined + olen, add, alen);
      joined[olen + alen] = '|';
      json_object_set_new(streams, key, json_stringn(joined, olen + alen + (size_t)!bytes));
      free(joined);
    }
    free(add);
    json_decref(ev);
  }
  free(line);
  fclose(f);
  out = json_dumps(streams, JSON_SORT_KEYS | JSON_ENSURE_ASCII);
  outlen = strlen(out);
  ck_assert_uint_gt(outlen, 1000);
  json_decref(streams);
  return out;
}

/* A scenario written by the test into the state dir's neighbourhood. */
void start_with_rules(const char *yaml)
{
  char path[512];
  const char *extra[] = { "--scenario", path, NULL };
  FILE *f;
  snprintf(path, sizeof(path), "%s.rules.yaml", S.dir);
  f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(yaml, f);
  fclose(f);
  start_args(extra);
  unlink(path);
}

int transcript_tx_span(const char *path, const char *text, size_t min_bytes, long long *first,
                       long long *last)
{
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  int n = 0;
  *first = *last = -1;
  ck_assert_msg(f != NULL, "cannot read the transcript %s", path);
  while (getline(&line, &cap, f) > 0) {
    json_t *ev = json_loads(line, 0, NULL);
    const char *type = json_string_value(json_object_get(ev, "event"));
    const char *data = json_string_value(json_object_get(ev, "data"));
    json_t *b64 = json_object_get(ev, "base64");
    int match = text ? data && strstr(data, text)
                     : b64 && json_string_length(b64) > min_bytes * 4 / 3;
    if (type && !strcmp(type, "tx") && match) {
      long long vt = (long long)json_integer_value(json_object_get(ev, "vt"));
      if (*first < 0)
        *first = vt;
      *last = vt;
      n++;
    }
    json_decref(ev);
  }
  free(line);
  fclose(f);
  return n;
}
