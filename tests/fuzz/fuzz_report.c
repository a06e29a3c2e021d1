/* fuzz_report: the HTML report's reading of events (fotasim report reads a transcript, fotasim
 * run a module's control lines) on any bytes, one JSON line at a time, then the page written.
 * Kept events must be bounded and their text and states plain ASCII (escaped); nothing may
 * crash or leak. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report.h"

void fuzz_init(void)
{
}

void fuzz_one(const uint8_t *data, size_t len)
{
  struct report_log log = { 0 };
  struct report_page page = { 0 };
  size_t at = 0;
  while (at < len) {
    const uint8_t *nl = memchr(data + at, '\n', len - at);
    size_t n = nl ? (size_t)(nl - (data + at)) : len - at;
    json_t *ev = json_loadb((const char *)data + at, n, JSON_ALLOW_NUL, NULL);
    if (json_is_object(ev))
      report_log_event(&log, ev, n % 3 ? -1 : (double)n); /* as a transcript, or as a run */
    if (json_is_object(ev) && json_object_get(ev, "status"))
      report_log_status(&log, json_object_get(ev, "status"));
    json_decref(ev);
    at += n + 1;
  }
  if (log.n > REPORT_EVENTS_MAX)
    abort();
  for (size_t i = 1; i < log.n; i++) /* times never go back, whatever a line says */
    if (log.ev[i].vt < log.ev[i - 1].vt || log.ev[i].vt > (uint64_t)REPORT_VT_MAX)
      abort();
  for (size_t i = 0; i < log.n; i++) { /* whatever came is shown escaped: ASCII */
    for (const char *p = log.ev[i].text; p && *p; p++)
      if ((unsigned char)*p >= 0x80)
        abort();
    for (const char *p = log.ev[i].state; p && *p; p++)
      if ((unsigned char)*p >= 0x80)
        abort();
  }
  page.name = "fuzz";
  page.source = "fuzz.jsonl";
  page.verdict = (int)(len % 3) - 1;
  page.log = &log;
  if (report_write_page("/dev/null", &page) != 0)
    abort();
  report_log_free(&log);
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  static const char *const seeds[] = {
    "{\"event\":\"state\",\"t\":0.04,\"vt\":0,\"module\":0,\"state\":\"booting\"}\n"
    "{\"event\":\"rx\",\"t\":1.5,\"vt\":15960,\"module\":0,\"port\":\"usb\",\"data\":\"AT\\r\"}\n"
    "{\"event\":\"tx\",\"t\":1.5,\"vt\":15960,\"module\":0,\"port\":\"usb\",\"data\":\"\\r\\nOK\\r\\n\"}\n"
    "{\"event\":\"rx\",\"t\":1.6,\"vt\":15960,\"module\":0,\"port\":\"usb\",\"base64\":\"RlNJTVBLRzEBAP8=\",\"text\":\"FSIMPKG1\"}\n",
    "{\"event\":\"fota\",\"t\":1.59,\"vt\":15950,\"module\":0,\"port\":\"usb\",\"state\":\"download\",\"detail\":\"0\"}\n"
    "{\"event\":\"fault\",\"t\":1.59,\"vt\":15970,\"module\":0,\"text\":\"phase: download -> stall\",\"detail\":\"rule 1 (scenario line 5)\"}\n"
    "{\"event\":\"urc\",\"t\":1.7,\"vt\":16000,\"module\":0,\"port\":\"usb\",\"text\":\"+QIND: \\\"FOTA\\\",\\\"DOWNLOADING\\\",30\"}\n",
    "{\"status\":{\"boot\":\"on\",\"revision\":\"EC200UCNAAR02A09M08\",\"vclock_ms\":10200,"
    "\"network\":{\"registration\":\"home\",\"rat\":\"LTE\"}}}\n"
    "{\"event\":\"cmd\",\"t\":1.0,\"vt\":10300,\"module\":0,\"port\":\"usb\",\"command\":\"AT+QFOTADL=\\\"\\u00ff\\\"\"}\n",
  };
  for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
    emit((const uint8_t *)seeds[i], strlen(seeds[i]));
}
