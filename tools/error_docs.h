/* error_docs: the generators behind fotaerrors (docs/errors.md, scenarios/errors/). */
#ifndef FOTASIM_ERROR_DOCS_H
#define FOTASIM_ERROR_DOCS_H

#include <stdio.h>

#include "errors.h"

/* How a host meets a documented code: the scenario rule that produces it and the FOTA the host
 * starts. */
enum error_route {
  ROUTE_SUCCESS,      /* 0: a FOTA that works */
  ROUTE_RESPONSE,     /* the write command's answer: a command rule on AT+QFOTADL */
  ROUTE_FILEEND,      /* FILE mode, failing as the download starts */
  ROUTE_END,          /* FILE mode, failing at verification */
  ROUTE_HTTPEND,      /* an HTTP FOTA whose data call fails */
  ROUTE_FTPEND,       /* an FTP FOTA whose data call fails */
  ROUTE_QIOPEN,       /* a TCP/IP code in +QIOPEN: <id>,<err>: a socket rule on connect */
  ROUTE_QICOMMAND,    /* a TCP/IP code as a command's answer: a command rule on AT+QIOPEN */
  ROUTE_PDPDEACT,     /* the context drops as a socket opens: +QIURC: "pdpdeact", QIGETERROR */
  ROUTE_QHTTPCOMMAND, /* an HTTP(S) client code as a command's answer: a rule on AT+QHTTPGET */
  ROUTE_QHTTPGET      /* an HTTP(S) client code in +QHTTPGET: <err>: an http rule on the request */
};
enum error_route error_route_of(const struct error_info *e);
/* The scenario's file name: "<code>.yaml", "tcpip-<code>.yaml" for the TCP/IP list. */
void error_scenario_name(const struct error_info *e, char *buf, size_t size);
/* scenarios/errors/<name> for one documented code. */
void error_scenario_yaml(const struct error_info *e, FILE *out);
/* docs/errors.md. */
void error_catalogue_markdown(FILE *out);

#endif
