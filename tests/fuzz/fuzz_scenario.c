/* fuzz_scenario: the scenario loader (libyaml, every section and field, fault rules,
 * expectations) on any bytes, read from a file as fotasim reads one; and the control channel's
 * rule parser on the same text. Errors must be one line naming the file; nothing may crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "expect_parse.h"

static char path[64];
static struct run_scenario sc;

static void remove_file(void)
{
  unlink(path);
}

void fuzz_init(void)
{
  int fd;
  snprintf(path, sizeof(path), "/tmp/fotasim-fuzz-XXXXXX");
  fd = mkstemp(path);
  if (fd < 0)
    abort();
  close(fd);
  atexit(remove_file);
}

void fuzz_one(const uint8_t *data, size_t len)
{
  char err[512];
  struct fault_rule r;
  char *text;
  FILE *f = fopen(path, "wb");
  if (!f)
    abort();
  fwrite(data, 1, len, f);
  fclose(f);
  if (run_scenario_load(path, &sc, err, sizeof(err)) != 0 &&
      (strncmp(err, path, strlen(path)) != 0 || strchr(err, '\n')))
    __builtin_trap(); /* one line, naming the file */
  text = malloc(len + 1);
  memcpy(text, data, len);
  text[len] = '\0';
  fault_rule_parse(text, &r, err, sizeof(err));
  free(text);
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  static const char *const seeds[] = {
    "name: x\nmodule: {model: EC200U, revision: EC200UCNAAR02A09M08, timing: fast}\n",
    "network:\n  registration: roaming\n  rat: GSM\n  rssi: 9\n  dns: {fw.example.com: 127.0.0.1}\n"
    "  apns: [fota.corp]\n  outages:\n    - {at: 1000, for: 2000, registration: denied}\n",
    "storage: {ufs: 1000000, sd: {present: true, capacity: 9999999}}\nseed: 42\n",
    "faults:\n  - {phase: download, percent: 40, attempt: 1, probability: 50, fail: 702}\n"
    "  - {command: AT+QFOTADL, occurrence: 2, fail: 549}\n"
    "  - {at: 3000, repeat: true, network: searching, rssi: 3, urc: '+QIND: 1'}\n"
    "  - {phase: update, cut_power: true}\n  - {command: AT+CSQ, output: split, bytes: 3, ms: 9}\n"
    "  - {phase: download, offset: 100, fill: {medium: EFS, free: 10}}\n",
    "package: {revision: X, kind: full, base: default}\nexpect:\n  revision: X\n  bricked: false\n"
    "  host_exit: any\n  deadline: {wall: 1000, virtual: 2000}\n"
    "  output:\n    - {match: 'END', count: 1, port: usb}\n"
    "  commands:\n    - {match: AT+QFOTADL, after: 'END\",', within: 100, min: 1, max: 3}\n"
    "    - {match: AT+QPOWD, never: true, during: update}\n",
    "{phase: verify, fail: 547}",
  };
  for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
    emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}
