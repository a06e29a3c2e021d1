/* fotahost_flow: the update flow real firmware runs around AT+QFOTADL, over the module's own
 * MQTT and HTTP clients: subscribe to the device's announcement topic, read the announced
 * revision and manifest URL, fetch the manifest (JSON) over HTTP, and after the update publish
 * the revision that runs. */
#ifndef FOTASIM_FOTAHOST_FLOW_H
#define FOTASIM_FOTAHOST_FLOW_H

#include <stddef.h>

#include "host_port.h"

struct flow_options {
  const char *broker_host;
  int broker_port;
  const char *topic;         /* the announcement: {"revision": R, "manifest": URL} */
  const char *report_topic;  /* where {"revision": R} goes after the update (retained) */
  int wait_s;                /* how long the announcement is waited for */
};

/* The announcement and its manifest ({"revision": R, "url": PACKAGE_URL}): 0 with the package's
 * url and revision, 1 when the module already runs that revision, -1 on failure (said why). */
int flow_learn(struct host_port *p, const struct flow_options *o, const char *running, char *url,
               size_t urlsize, char *revision, size_t revsize);
/* After the update (or with nothing to do): {"revision": R} on the report topic. */
int flow_report(struct host_port *p, const struct flow_options *o, const char *revision);

#endif
