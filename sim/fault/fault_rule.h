/* fault_rule: one fault rule as data: its trigger (a FOTA phase with a percent or byte offset,
 * a command and its occurrence, a virtual time, the N-th FOTA, a socket's connect, N-th send or
 * received bytes, the N-th HTTP(S) request, MQTT moment, SMS sent or NTP query, a probability)
 * and its actions.
 * The scenario file and the control channel produce rules; fault.c matches them; the module
 * applies them. */
#ifndef FOTASIM_FAULT_RULE_H
#define FOTASIM_FAULT_RULE_H

#include <stdint.h>

#define FAULT_MAX_RULES 32

enum fault_phase {
  FAULT_ANY = -1, FAULT_DATACALL, FAULT_CONNECT, FAULT_DOWNLOAD, FAULT_VERIFY, FAULT_UPDATE,
  FAULT_REBOOT, FAULT_PHASES
};

/* A socket's moments (AT+QIOPEN/AT+QSSLOPEN connects, sends, received bytes). */
enum fault_socket { FAULT_SOCKET_NONE = -1, FAULT_SOCKET_CONNECT, FAULT_SOCKET_SEND,
                    FAULT_SOCKET_RECEIVE };

/* The HTTP(S) client's moment: a request (AT+QHTTPGET/QHTTPPOST/QHTTPPOSTFILE). */
enum fault_http { FAULT_HTTP_NONE = -1, FAULT_HTTP_REQUEST };

/* An MQTT client's moments: AT+QMTOPEN, AT+QMTCONN, a publish. */
enum fault_mqtt { FAULT_MQTT_NONE = -1, FAULT_MQTT_OPEN, FAULT_MQTT_CONNECT, FAULT_MQTT_PUBLISH };
/* An SMS moment: the N-th message the host sends (AT+CMGS). */
enum fault_sms { FAULT_SMS_NONE = -1, FAULT_SMS_SEND };
/* An NTP moment: the N-th query (AT+QNTP). */
enum fault_ntp { FAULT_NTP_NONE = -1, FAULT_NTP_QUERY };
/* A data call's moments: the N-th dial, the host's bytes past an offset in a call. */
enum fault_call { FAULT_CALL_NONE = -1, FAULT_CALL_DIAL, FAULT_CALL_DATA };

#define FAULT_COMMAND_MAX 32

struct fault_rule {
  /* triggers */
  int phase;                 /* enum fault_phase; FAULT_ANY for a command or time rule */
  char command[FAULT_COMMAND_MAX];  /* "AT+QFOTADL": when that command comes */
  int occurrence;            /* the N-th time the command comes (0: every time) */
  int seen;
  int percent;               /* fires once progress reaches it (0: at the phase's start) */
  uint64_t offset;           /* download: fires once this many bytes have come */
  int offset_given;
  uint64_t at_ms;            /* virtual ms after the module started (repeat: every at_ms) */
  int at_given;
  int attempt;               /* the N-th FOTA of this run; 0: any */
  int socket;                /* enum fault_socket: connect, send (occurrence), receive (offset) */
  int socket_id;             /* that connectID only; -1: any */
  int http;                  /* enum fault_http: the N-th request (occurrence) */
  int mqtt;                  /* enum fault_mqtt: the N-th open, connect or publish */
  int sms;                   /* enum fault_sms: the N-th message sent */
  int ntp;                   /* enum fault_ntp: the N-th query */
  int call;                  /* enum fault_call: the N-th dial, or the call's bytes (offset) */
  /* actions */
  int fail;                  /* the error code to fail with; -1: none */
  int cut_power;
  int corrupt;               /* download: flip bits in the bytes from here on */
  int drop;                  /* download: the connection closes (the scheme's own code) */
  int stall;                 /* download: no more bytes (the download times out); a socket:
                              * nothing more passes either way */
  int refuse;                /* a socket's connect fails (566) */
  int pdpdeact;              /* the socket's PDP context drops ("pdpdeact") */
  int network;               /* offer this registration (enum reg_stat); -1: none */
  int rssi;                  /* the signal (+CSQ) from now on; -1: none */
  char urc[64];              /* emit this URC on every port */
  char sms_from[24];         /* a message arrives from this address ... */
  char sms_text[164];        /* ... with this text (the action is on when it is set) */
  int fill_medium;           /* fill this medium (enum medium) ...; -1: none */
  uint64_t fill_free;        /* ... leaving this many bytes free */
  int output;                /* enum output_fault on the module's next output */
  uint32_t output_ms;        /* how long output is held (delay, split) */
  uint32_t output_bytes;     /* split: bytes that go before the pause */
  int output_port;           /* enum port_id; -1: every port */
  int probability;           /* percent chance each time it could fire (0: always) */
  int repeat;                /* fires every time, not once */
  unsigned line;             /* where the scenario file gives it; 0: injected */
  int fired;
  unsigned fires;            /* how many times it has fired */
};

#endif
