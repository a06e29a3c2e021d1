/* error_docs: what is generated from the error table: docs/errors.md and one scenario per
 * documented code (scenarios/errors/<code>.yaml). fotaerrors prints them; tests compare them
 * with the files in the tree. */
#include "error_docs.h"

#include <string.h>

enum error_route error_route_of(const struct error_info *e)
{
  if (e->family == ERR_TCPIP) {
    if (strstr(e->where, "pdpdeact"))
      return ROUTE_PDPDEACT;
    return !strncmp(e->where, "+QIOPEN", 7) ? ROUTE_QIOPEN : ROUTE_QICOMMAND;
  }
  if (e->family == ERR_FTP)
    return ROUTE_FTPEND;
  if (e->family == ERR_HTTP && !strstr(e->where, "HTTPEND"))
    return !strncmp(e->where, "response", 8) ? ROUTE_QHTTPCOMMAND : ROUTE_QHTTPGET;
  if (e->family == ERR_HTTP || e->family == ERR_DATACALL)
    return ROUTE_HTTPEND;
  if (e->code == FOTA_OK)
    return ROUTE_SUCCESS;
  if (!strncmp(e->where, "response", 8))
    return ROUTE_RESPONSE;
  if (!strcmp(e->where, "FILEEND"))
    return ROUTE_FILEEND;
  if (!strcmp(e->where, "HTTPEND"))
    return ROUTE_HTTPEND;
  return ROUTE_END;
}

void error_scenario_name(const struct error_info *e, char *buf, size_t size)
{
  snprintf(buf, size, "%s%d.yaml", e->family == ERR_TCPIP ? "tcpip-" : "", e->code);
}

void error_scenario_yaml(const struct error_info *e, FILE *out)
{
  static const char *const hosts[] = {
    "a FOTA that works", "AT+QFOTADL (answered with the code)",
    "a FILE-mode FOTA (FILEEND carries the code)", "a FILE-mode FOTA (END carries the code)",
    "an HTTP FOTA (HTTPEND carries the code)", "an FTP FOTA (FTPEND carries the code)",
    "AT+QIACT=1, then AT+QIOPEN of a TCP client (+QIOPEN: 0,<code>)",
    "AT+QIACT=1, then AT+QIOPEN (answered with the code)",
    "AT+QIACT=1, then AT+QIOPEN (+QIOPEN: 0,<code>, +QIURC: \"pdpdeact\",1; AT+QIGETERROR)",
    "AT+QHTTPGET (answered with the code)",
    "AT+QIACT=1, AT+QHTTPURL, then AT+QHTTPGET (+QHTTPGET: <code>)",
  };
  enum error_route route = error_route_of(e);
  fprintf(out, "# Error %d (%s): %s.\n# Where: %s. Natural cause here: %s.\n"
               "# The host: %s.\n# Generated from the catalogue by `fotaerrors --scenarios`.\n"
               "name: error %d\n",
          e->code, error_family_name(e->family), e->text, e->where,
          e->cause ? e->cause : "none, injection only", hosts[route], e->code);
  switch (route) {
  case ROUTE_SUCCESS:
    break;
  case ROUTE_RESPONSE:
    fprintf(out, "faults:\n  - command: AT+QFOTADL\n    fail: %d\n", e->code);
    break;
  case ROUTE_FILEEND:
    fprintf(out, "faults:\n  - phase: download\n    fail: %d\n", e->code);
    break;
  case ROUTE_END:
    fprintf(out, "faults:\n  - phase: verify\n    fail: %d\n", e->code);
    break;
  case ROUTE_QIOPEN:
    fprintf(out, "faults:\n  - socket: connect\n    fail: %d\n", e->code);
    break;
  case ROUTE_QICOMMAND:
    fprintf(out, "faults:\n  - command: AT+QIOPEN\n    fail: %d\n", e->code);
    break;
  case ROUTE_QHTTPCOMMAND:
    fprintf(out, "faults:\n  - command: AT+QHTTPGET\n    fail: %d\n", e->code);
    break;
  case ROUTE_QHTTPGET:
    fprintf(out, "faults:\n  - http: request\n    fail: %d\n", e->code);
    break;
  case ROUTE_PDPDEACT:
    fprintf(out, "faults:\n  - socket: connect\n    fail: %d\n    pdpdeact: true\n", e->code);
    break;
  default:
    fprintf(out, "faults:\n  - phase: datacall\n    fail: %d\n", e->code);
    break;
  }
}

void error_catalogue_markdown(FILE *out)
{
  fprintf(out, "# Error codes\n\n"
               "Generated from the table in `sim/at/errors.def` by `fotaerrors`; a test fails "
               "when this file and the table disagree. Every code can be produced by a fault "
               "rule (`fail: <code>` in a scenario, or `inject` on the control channel); each "
               "documented FOTA, FTP, HTTP(S) and data-call code has its scenario in "
               "`scenarios/errors/<code>.yaml`, each TCP/IP code (its own list: the numbers "
               "550-574 are FOTA codes as well) in `scenarios/errors/tcpip-<code>.yaml`; the "
               "last column says what produces it by itself.\n\n"
               "| code | list | meaning | where | natural cause here |\n"
               "| --- | --- | --- | --- | --- |\n");
  int n;
  const struct error_info *table = error_table(&n);
  for (int i = 0; i < n; i++)
    fprintf(out, "| %d | %s | %s | %s | %s |\n", table[i].code,
            error_family_name(table[i].family), table[i].text, table[i].where,
            table[i].cause ? table[i].cause : "injection only");
}

