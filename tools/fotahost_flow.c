/* fotahost_flow: the announcement over MQTT, the manifest over HTTP and the report after the
 * update, each with the module's AT commands (MQTT and HTTP(S) notes) as firmware sends them. */
#include "fotahost_flow.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_MS 10000
#define NET_MS 30000

/* The data context up (AT+QIACT?, then AT+QIACT=1 if it is not). */
static int context_up(struct host_port *p)
{
  char info[256] = "";
  if (hp_command(p, "AT+QIACT?", info, sizeof(info), CMD_MS) == 0 && !strncmp(info, "+QIACT: 1,", 10))
    return 0;
  if (hp_command(p, "AT+QIACT=1", NULL, 0, NET_MS) != 0) {
    say("AT+QIACT=1 failed: no data context");
    return -1;
  }
  return 0;
}

/* A command whose result comes as a URC: OK, then the line starting with urc (kept in
 * p->line). 0, or -1 (said why). */
static int command_then(struct host_port *p, const char *cmd, const char *urc, int timeout_ms)
{
  int rc = hp_command(p, cmd, NULL, 0, CMD_MS);
  if (rc != 0) {
    say("%s answered %d", cmd, rc);
    return -1;
  }
  if (hp_wait_for(p, urc, timeout_ms) != 1) {
    say("%s: no %s", cmd, urc);
    return -1;
  }
  return 0;
}

/* Client 0 open and connected to the broker. */
static int mqtt_up(struct host_port *p, const struct flow_options *o)
{
  char cmd[300];
  if (context_up(p) != 0)
    return -1;
  snprintf(cmd, sizeof(cmd), "AT+QMTOPEN=0,\"%s\",%d", o->broker_host, o->broker_port);
  if (command_then(p, cmd, "+QMTOPEN: 0,", NET_MS) != 0)
    return -1;
  if (strcmp(p->line, "+QMTOPEN: 0,0") != 0) {
    say("the broker %s:%d: %s", o->broker_host, o->broker_port, p->line);
    return -1;
  }
  if (command_then(p, "AT+QMTCONN=0,\"fotahost\"", "+QMTCONN: 0,", NET_MS) != 0)
    return -1;
  if (strcmp(p->line, "+QMTCONN: 0,0,0") != 0) {
    say("the broker refused the session: %s", p->line);
    return -1;
  }
  return 0;
}

static void mqtt_down(struct host_port *p)
{
  if (hp_command(p, "AT+QMTDISC=0", NULL, 0, CMD_MS) == 0)
    hp_wait_for(p, "+QMTDISC: 0,", CMD_MS);
}

/* The payload of +QMTRECV: <idx>,<msgid>,"<topic>",["<len>",]"<payload>": after the topic's
 * closing quote and the next opening one, up to the line's last quote. */
static int recv_payload(const char *l, const char *topic, char *out, size_t size)
{
  char head[300];
  const char *at, *end;
  size_t n;
  snprintf(head, sizeof(head), ",\"%s\",", topic);
  at = strstr(l, head);
  if (!at)
    return -1;
  at += strlen(head);
  if (*at != '"') { /* the length first */
    at = strchr(at, '"');
    if (!at)
      return -1;
  }
  at++;
  end = strrchr(at, '"');
  if (!end)
    return -1;
  n = (size_t)(end - at);
  if (n >= size)
    return -1;
  memcpy(out, at, n);
  out[n] = '\0';
  return 0;
}

/* A JSON object's string member into out: 0, or -1. */
static int json_member(const char *text, const char *key, char *out, size_t size)
{
  json_t *root = json_loads(text, 0, NULL);
  const char *v = json_string_value(json_object_get(root, key));
  int rc = v && strlen(v) < size ? 0 : -1;
  if (rc == 0)
    snprintf(out, size, "%s", v);
  json_decref(root);
  return rc;
}

/* AT+QHTTPURL, AT+QHTTPGET, AT+QHTTPREAD: the body of url, 0 or -1. */
static int http_get(struct host_port *p, const char *url, char *body, size_t size)
{
  char cmd[64];
  int err = -1, status = 0;
  long n;
  if (hp_command(p, "AT+QHTTPCFG=\"contextid\",1", NULL, 0, CMD_MS) != 0)
    return -1;
  snprintf(cmd, sizeof(cmd), "AT+QHTTPURL=%zu,30\r", strlen(url));
  hp_send_text(p, cmd);
  if (hp_wait_for(p, "CONNECT", CMD_MS) != 1)
    return -1;
  hp_send(p, url, strlen(url));
  if (hp_wait_for(p, "OK", CMD_MS) != 1)
    return -1;
  if (command_then(p, "AT+QHTTPGET=60", "+QHTTPGET: ", 70000) != 0)
    return -1;
  sscanf(p->line, "+QHTTPGET: %d,%d", &err, &status);
  if (err != 0 || status != 200) {
    say("GET %s: %s", url, p->line);
    return -1;
  }
  hp_send_text(p, "AT+QHTTPREAD=60\r");
  if (hp_wait_for(p, "CONNECT", CMD_MS) != 1)
    return -1;
  n = hp_read_until(p, "\r\nOK\r\n", body, size - 1, NET_MS); /* "\r\n", the body */
  if (n < 2)
    return -1;
  memmove(body, body + 2, (size_t)n - 2);
  body[n - 2] = '\0';
  if (hp_wait_for(p, "+QHTTPREAD: ", NET_MS) != 1 || strcmp(p->line, "+QHTTPREAD: 0") != 0)
    return -1;
  return 0;
}

int flow_learn(struct host_port *p, const struct flow_options *o, const char *running, char *url,
               size_t urlsize, char *revision, size_t revsize)
{
  char cmd[400], payload[1024], manifest_url[512], body[4096], mrev[64];
  long until;
  if (mqtt_up(p, o) != 0)
    return -1;
  snprintf(cmd, sizeof(cmd), "AT+QMTSUB=0,1,\"%s\",1", o->topic);
  if (command_then(p, cmd, "+QMTSUB: 0,1,", NET_MS) != 0)
    return -1;
  say("waiting for an announcement on %s", o->topic);
  until = now_ms() + o->wait_s * 1000L;
  for (;;) {
    long left = until - now_ms();
    if (left <= 0 || hp_read_line(p, (int)left) != 1) {
      say("no announcement on %s within %d s", o->topic, o->wait_s);
      return -1;
    }
    if (!strncmp(p->line, "+QMTRECV: 0,", 12) &&
        recv_payload(p->line, o->topic, payload, sizeof(payload)) == 0)
      break;
  }
  if (json_member(payload, "revision", revision, revsize) != 0 ||
      json_member(payload, "manifest", manifest_url, sizeof(manifest_url)) != 0) {
    say("the announcement is not {\"revision\": ..., \"manifest\": ...}: %s", payload);
    return -1;
  }
  mqtt_down(p);
  say("announced: %s (manifest %s)", revision, manifest_url);
  if (!strcmp(revision, running)) {
    say("already running %s", running);
    return 1;
  }
  if (http_get(p, manifest_url, body, sizeof(body)) != 0) {
    say("cannot fetch the manifest %s", manifest_url);
    return -1;
  }
  if (json_member(body, "url", url, urlsize) != 0 ||
      json_member(body, "revision", mrev, sizeof(mrev)) != 0) {
    say("the manifest is not {\"revision\": ..., \"url\": ...}: %s", body);
    return -1;
  }
  if (strcmp(mrev, revision) != 0) {
    say("the manifest is for %s, the announcement for %s", mrev, revision);
    return -1;
  }
  return 0;
}

int flow_report(struct host_port *p, const struct flow_options *o, const char *revision)
{
  char cmd[400], msg[128], prompt[512];
  if (mqtt_up(p, o) != 0)
    return -1;
  snprintf(msg, sizeof(msg), "{\"revision\":\"%s\"}", revision);
  snprintf(cmd, sizeof(cmd), "AT+QMTPUBEX=0,1,1,1,\"%s\",%zu\r", o->report_topic, strlen(msg));
  hp_send_text(p, cmd);
  if (hp_read_until(p, "> ", prompt, sizeof(prompt), CMD_MS) < 0) {
    say("AT+QMTPUBEX gave no prompt");
    return -1;
  }
  hp_send(p, msg, strlen(msg));
  if (hp_wait_for(p, "+QMTPUBEX: 0,1,", NET_MS) != 1 || strcmp(p->line, "+QMTPUBEX: 0,1,0") != 0) {
    say("the report was not acknowledged");
    return -1;
  }
  say("reported %s on %s", revision, o->report_topic);
  mqtt_down(p);
  return 0;
}
