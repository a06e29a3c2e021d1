/* test_mqtt: the MQTT note's commands against Debian's mosquitto broker, started by the test on
 * 127.0.0.1 with a generated config and password file: exact bytes of each command and URC,
 * QoS 0, 1 and 2 round trips, a retained message, a message from another client
 * (mosquitto_pub), a wrong password, a broker that goes away (+QMTSTAT), natural errors;
 * the five receive buffers of "recv/mode" 1 and AT+QMTRECV, payloads with NUL bytes and of
 * 3,000 bytes, a broker that stops answering PINGREQ (+QMTPING), and MQTT over TLS (a second
 * listener with a certificate the test makes: seclevel 0, 1 with the right and a wrong CA), and
 * the downlink's bandwidth shaping what the broker sends. */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fota_host.h"
#include "host.h"
#include "loopback.h"
#include "server_proc.h"

static char dir[] = "/tmp/fotasim-mqtt-XXXXXX";
static pid_t broker;
static int broker_port, tls_port;


/* mosquitto on 127.0.0.1:broker_port (and TLS on tls_port); anonymous clients allowed, "fw"
 * must give "s3cret". The ports are free a moment before mosquitto binds them: another test's
 * socket may take one in between, so a broker that exits before it listens gets new ports,
 * five times at the most. Its output is in DIR/mosquitto.log. */
static void broker_up(void)
{
  char path[512], log[512], why[512] = "";
  const char *argv[] = { "mosquitto", "-c", path, NULL };
  snprintf(path, sizeof(path), "%s/m.conf", dir);
  snprintf(log, sizeof(log), "%s/mosquitto.log", dir);
  for (int attempt = 0; attempt < 5; attempt++) {
    FILE *f;
    pid_t pid;
    broker_port = loopback_free_port();
    do
      tls_port = loopback_free_port();
    while (tls_port == broker_port);
    ck_assert_int_gt(broker_port, 0);
    ck_assert_int_gt(tls_port, 0);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
               "password_file %s/passwd\n", broker_port, dir);
    fprintf(f, "listener %d 127.0.0.1\ncertfile %s/srv.pem\nkeyfile %s/srv.key\n", tls_port,
            dir, dir);
    if (geteuid() == 0) /* else it drops to user mosquitto, who cannot read the test's files */
      fprintf(f, "user root\n");
    fclose(f);
    pid = server_spawn(argv, NULL, log, broker_port, 300, 10000, why, sizeof(why));
    if (pid > 0 && loopback_accepting(tls_port)) {
      broker = pid;
      return;
    }
    if (pid > 0) { /* the TLS listener's port was taken after the plain one bound */
      snprintf(why, sizeof(why), "mosquitto listens on %d but not on %d", broker_port, tls_port);
      server_stop(pid);
    }
    if (pid < 0) /* alive but not listening in 10 s: new ports would not help */
      break;
  }
  ck_abort_msg("mosquitto did not start: %s", why);
}

static void broker_down(void)
{
  server_stop(broker);
  broker = 0;
}

static void setup(void)
{
  fixture_setup();
  broker_up();
}

static void teardown(void)
{
  broker_down();
  fixture_teardown();
}

static void open_and_connect(int idx, const char *id, const char *auth, const char *conn_result)
{
  char cmd[160], want[64];
  snprintf(cmd, sizeof(cmd), "AT+QMTOPEN=%d,\"127.0.0.1\",%d\r", idx, broker_port);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QMTOPEN: %d,0\r\n", idx);
  chat(U, cmd, want);
  snprintf(cmd, sizeof(cmd), "AT+QMTCONN=%d,\"%s\"%s\r", idx, id, auth);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QMTCONN: %d,%s\r\n", idx, conn_result);
  chat(U, cmd, want);
}

static void up(void)
{
  start();
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
}

START_TEST(qos_0_1_2_round_trips_and_retained)
{
  up();
  chat(U, "AT+QMTCFG=\"version\",0\r", "\r\n+QMTCFG: \"version\",4\r\n\r\nOK\r\n");
  chat(U, "AT+QMTCFG=\"keepalive\",0,30\r", "\r\nOK\r\n");
  chat(U, "AT+QMTCFG=\"keepalive\",0\r", "\r\n+QMTCFG: \"keepalive\",30\r\n\r\nOK\r\n");
  open_and_connect(0, "dev1", ",\"fw\",\"s3cret\"", "0,0");
  chat(U, "AT+QMTCONN?\r", "\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
  chat(U, "AT+QMTSUB=0,1,\"fw/dev1\",2\r", "\r\nOK\r\n\r\n+QMTSUB: 0,1,0,2\r\n");
  chat(U, "AT+QMTPUBEX=0,0,0,0,\"fw/dev1\",4\r", "\r\n> ");
  chat(U, "qos0", "\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\n\r\n+QMTRECV: 0,0,\"fw/dev1\",\"qos0\"\r\n");
  chat(U, "AT+QMTPUBEX=0,7,1,0,\"fw/dev1\",4\r", "\r\n> ");
  tty_send(U, "qos1", 4);
  expect_tty(U, "\r\nOK\r\n");
  {
    char got[256];
    size_t n = tty_read_for(U, got, sizeof(got) - 1, 1500);
    got[n] = '\0';
    ck_assert_msg(strstr(got, "\r\n+QMTPUBEX: 0,7,0\r\n"), "got %s", show(got, n));
    ck_assert_msg(strstr(got, ",\"fw/dev1\",\"qos1\"\r\n"), "got %s", show(got, n));
  }
  chat(U, "AT+QMTPUB=0,8,2,0,\"fw/dev1\"\r", "\r\n> ");
  tty_send(U, "qos2\x1a", 5);
  expect_tty(U, "\r\nOK\r\n");
  {
    char got[256];
    size_t n = tty_read_for(U, got, sizeof(got) - 1, 1500);
    got[n] = '\0';
    ck_assert_msg(strstr(got, "\r\n+QMTPUB: 0,8,0\r\n"), "got %s", show(got, n));
    ck_assert_msg(strstr(got, ",\"fw/dev1\",\"qos2\"\r\n"), "got %s", show(got, n));
  }
  /* retained: a second client subscribing later gets it */
  chat(U, "AT+QMTPUBEX=0,0,0,1,\"fw/rev\",1\r", "\r\n> ");
  chat(U, "B", "\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\n");
  open_and_connect(1, "dev2", "", "0,0");
  chat(U, "AT+QMTCFG=\"recv/mode\",1,0,1\r", "\r\nOK\r\n");
  chat(U, "AT+QMTSUB=1,2,\"fw/rev\",0\r",
       "\r\nOK\r\n\r\n+QMTSUB: 1,2,0,0\r\n\r\n+QMTRECV: 1,0,\"fw/rev\",1,\"B\"\r\n");
  /* another client on the broker */
  {
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "mosquitto_pub -h 127.0.0.1 -p %d -t fw/dev1 -m hi -q 0",
             broker_port);
    ck_assert_int_eq(system(cmd), 0);
    expect_tty(U, "\r\n+QMTRECV: 0,0,\"fw/dev1\",\"hi\"\r\n");
  }
  chat(U, "AT+QMTUNS=0,9,\"fw/dev1\"\r", "\r\nOK\r\n\r\n+QMTUNS: 0,9,0\r\n");
  chat(U, "AT+QMTDISC=0\r", "\r\nOK\r\n\r\n+QMTDISC: 0,0\r\n");
  chat(U, "AT+QMTCLOSE=1\r", "\r\nOK\r\n\r\n+QMTCLOSE: 1,0\r\n");
  chat(U, "AT+QMTCONN?\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(wrong_password_and_errors)
{
  char cmd[128];
  start();
  snprintf(cmd, sizeof(cmd), "AT+QMTOPEN=0,\"127.0.0.1\",%d\r", broker_port);
  chat(U, cmd, "\r\nOK\r\n\r\n+QMTOPEN: 0,3\r\n"); /* no context */
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
  chat(U, "AT+QMTOPEN=0,\"broker.nowhere.example\",1883\r", "\r\nOK\r\n\r\n+QMTOPEN: 0,4\r\n");
  chat(U, "AT+QMTOPEN=0,\"127.0.0.1\",9\r", "\r\nOK\r\n\r\n+QMTOPEN: 0,-1\r\n");
  chat(U, "AT+QMTCONN=0,\"x\"\r", "\r\nERROR\r\n"); /* not open */
  chat(U, "AT+QMTOPEN=6,\"127.0.0.1\",1883\r", "\r\nERROR\r\n");
  chat(U, "AT+QMTCFG=\"version\",0,5\r", "\r\nERROR\r\n");
  chat(U, "AT+QMTCFG=\"ssl\",0,0,2\r", "\r\nOK\r\n"); /* what host stacks send first */
  chat(U, "AT+QMTCFG=\"ssl\",0\r", "\r\n+QMTCFG: \"ssl\",0,2\r\n\r\nOK\r\n");
  open_and_connect(0, "dev1", ",\"fw\",\"wrong\"", "0,5");
  chat(U, "AT+QMTCONN?\r", "\r\nOK\r\n"); /* refused: the session and its network are gone */
  open_and_connect(0, "dev1", ",\"fw\",\"s3cret\"", "0,0");
  chat(U, cmd, "\r\nOK\r\n\r\n+QMTOPEN: 0,2\r\n"); /* the index is in use */
  chat(U, "AT+QMTPUBEX=0,5,0,0,\"t\",1\r", "\r\nERROR\r\n"); /* QoS 0 has no message id */
  chat(U, "AT+QMTPUBEX=0,0,1,0,\"t\",1\r", "\r\nERROR\r\n");
  chat(U, "AT+QMTPUB=0,1,1,0,\"t\"\r", "\r\n> ");
  chat(U, "abc\x1b", "\r\nERROR\r\n"); /* Esc: nothing is sent */
}
END_TEST

START_TEST(broker_goes_away)
{
  up();
  open_and_connect(0, "dev1", "", "0,0");
  chat(U, "AT+QMTSUB=0,1,\"a/b\",1\r", "\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
  broker_down();
  expect_tty(U, "\r\n+QMTSTAT: 0,1\r\n");
  chat(U, "AT+QMTCONN?\r", "\r\nOK\r\n");
  chat(U, "AT+QMTPUBEX=0,1,1,0,\"a/b\",1\r", "\r\nERROR\r\n");
}
END_TEST

/* mqtt rules: a broker that refuses the network, then the session, and a link that drops as
 * the second message goes; one more from the control channel, and one it refuses. */
START_TEST(mqtt_fault_rules)
{
  char cmd[128], reply[512];
  start_with_rules("faults:\n  - mqtt: open\n    occurrence: 1\n    refuse: true\n"
                   "  - mqtt: connect\n    refuse: true\n"
                   "  - mqtt: publish\n    occurrence: 2\n    drop: true\n");
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QMTOPEN=0,\"127.0.0.1\",%d\r", broker_port);
  chat(U, cmd, "\r\nOK\r\n\r\n+QMTOPEN: 0,-1\r\n");
  chat(U, cmd, "\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
  chat(U, "AT+QMTCONN=0,\"dev1\"\r", "\r\nOK\r\n\r\n+QMTCONN: 0,0,3\r\n");
  open_and_connect(0, "dev1", "", "0,0");
  chat(U, "AT+QMTPUBEX=0,0,0,0,\"a/b\",1\r", "\r\n> ");
  chat(U, "1", "\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\n");
  chat(U, "AT+QMTPUBEX=0,0,0,0,\"a/b\",1\r", "\r\n> ");
  chat(U, "2", "\r\nOK\r\n\r\n+QMTSTAT: 0,1\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"mqtt\":\"open\",\"refuse\":true}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "true"), "%s", reply);
  chat(U, cmd, "\r\nOK\r\n\r\n+QMTOPEN: 0,-1\r\n");
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"inject\",\"rule\":{\"mqtt\":\"connect\",\"drop\":true}}",
                       reply, sizeof(reply), 5000), 0);
  ck_assert_msg(strstr(reply, "mqtt rules: open and connect refuse, publish drops the link"), "%s",
                reply);
}
END_TEST

/* Exactly these bytes next on fd (they may hold NUL). */
static void expect_bytes(int fd, const char *want, size_t len)
{
  static char got[8192];
  size_t n = tty_read_n(fd, got, len, 3000);
  ck_assert_msg(n == len && !memcmp(got, want, len), "want %s", show(want, len));
}

static void publish(int idx, const char *topic, const char *data, size_t len)
{
  char cmd[160], want[64];
  snprintf(cmd, sizeof(cmd), "AT+QMTPUBEX=%d,0,0,0,\"%s\",%zu\r", idx, topic, len);
  chat(U, cmd, "\r\n> ");
  tty_send(U, data, len);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QMTPUBEX: %d,0,0\r\n", idx);
  expect_tty(U, want);
}

/* "recv/mode" 1: five buffers, a URC naming each, AT+QMTRECV reading one or all, a backlog
 * moving into freed buffers; then pushed payloads with NUL bytes and of 3,000 bytes. */
START_TEST(buffered_receive_and_binary_payloads)
{
  static char big[3000], want[3200];
  int n;
  up();
  chat(U, "AT+QMTCFG=\"recv/mode\",0,1,1\r", "\r\nOK\r\n");
  chat(U, "AT+QMTCFG=\"recv/mode\",0\r", "\r\n+QMTCFG: \"recv/mode\",1,1\r\n\r\nOK\r\n");
  chat(U, "AT+QMTRECV=?\r", "\r\n+QMTRECV: (0-5),(0-4)\r\n\r\nOK\r\n");
  open_and_connect(0, "dev1", "", "0,0");
  chat(U, "AT+QMTSUB=0,1,\"b/#\",0\r", "\r\nOK\r\n\r\n+QMTSUB: 0,1,0,0\r\n");
  publish(0, "b/0", "a\0b\0c", 5);
  expect_tty(U, "\r\n+QMTRECV: 0,0\r\n");
  chat(U, "AT+QMTRECV?\r", "\r\n+QMTRECV: 0,1,0,0,0,0\r\n\r\nOK\r\n");
  for (int i = 1; i <= 6; i++) { /* four more fill the buffers; two wait */
    char topic[8], data[4];
    snprintf(topic, sizeof(topic), "b/%d", i);
    snprintf(data, sizeof(data), "m%d", i);
    publish(0, topic, data, 2);
    if (i <= 4) {
      char urc[32];
      snprintf(urc, sizeof(urc), "\r\n+QMTRECV: 0,%d\r\n", i);
      expect_tty(U, urc);
    }
  }
  chat(U, "AT+QMTRECV?\r", "\r\n+QMTRECV: 0,1,1,1,1,1\r\n\r\nOK\r\n");
  tty_send(U, "AT+QMTRECV=0,0\r", 15);
  expect_bytes(U, "\r\n+QMTRECV: 0,0,\"b/0\",5,\"a\0b\0c\"\r\n\r\nOK\r\n\r\n+QMTRECV: 0,0\r\n", 56);
  chat(U, "AT+QMTRECV=0\r",
       "\r\n+QMTRECV: 0,0,\"b/5\",2,\"m5\"\r\n+QMTRECV: 0,0,\"b/1\",2,\"m1\"\r\n"
       "+QMTRECV: 0,0,\"b/2\",2,\"m2\"\r\n+QMTRECV: 0,0,\"b/3\",2,\"m3\"\r\n"
       "+QMTRECV: 0,0,\"b/4\",2,\"m4\"\r\n\r\nOK\r\n\r\n+QMTRECV: 0,0\r\n");
  chat(U, "AT+QMTRECV=0,0\r", "\r\n+QMTRECV: 0,0,\"b/6\",2,\"m6\"\r\n\r\nOK\r\n");
  chat(U, "AT+QMTRECV=0,3\r", "\r\nOK\r\n"); /* an empty buffer */
  chat(U, "AT+QMTRECV=0,5\r", "\r\nERROR\r\n");
  chat(U, "AT+QMTRECV?\r", "\r\n+QMTRECV: 0,0,0,0,0,0\r\n\r\nOK\r\n");
  /* pushed again, without the length: the payload's bytes as they came */
  chat(U, "AT+QMTCFG=\"recv/mode\",0,0,0\r", "\r\nOK\r\n");
  publish(0, "b/z", "x\0y", 3);
  expect_bytes(U, "\r\n+QMTRECV: 0,0,\"b/z\",\"x\0y\"\r\n", 29);
  for (size_t i = 0; i < sizeof(big); i++)
    big[i] = (char)('a' + i % 26);
  chat(U, "AT+QMTPUBEX=0,0,0,0,\"b/big\",3000\r", "\r\n> ");
  tty_send(U, big, sizeof(big));
  expect_tty(U, "\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\n");
  n = snprintf(want, sizeof(want), "\r\n+QMTRECV: 0,0,\"b/big\",\"");
  memcpy(want + n, big, sizeof(big));
  memcpy(want + n + sizeof(big), "\"\r\n", 3);
  expect_bytes(U, want, (size_t)n + sizeof(big) + 3);
}
END_TEST

/* A broker that stops answering (SIGSTOP): the PINGRESP is overdue after two keep-alive
 * periods, +QMTPING and +QMTSTAT say so. */
START_TEST(broker_stops_answering_pings)
{
  char got[256];
  size_t n;
  up();
  chat(U, "AT+QMTCFG=\"keepalive\",0,5\r", "\r\nOK\r\n");
  open_and_connect(0, "dev1", "", "0,0");
  kill(broker, SIGSTOP);
  n = tty_read_for(U, got, sizeof(got) - 1, 14000);
  got[n] = '\0';
  ck_assert_msg(!strcmp(got, "\r\n+QMTPING: 0,1\r\n\r\n+QMTSTAT: 0,2\r\n"), "got %s", show(got, n));
  kill(broker, SIGCONT);
  chat(U, "AT+QMTCONN?\r", "\r\nOK\r\n");
}
END_TEST

static void upload(const char *file, const char *as)
{
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", dir, file);
  ufs_upload(U, path, as);
}

/* Client idx over TLS with SSL context ctx: the open, then the CONNECT's outcome. */
static void tls_client(int idx, int ctx, const char *conn_result)
{
  char cmd[160], want[64];
  snprintf(cmd, sizeof(cmd), "AT+QMTCFG=\"ssl\",%d,1,%d\r", idx, ctx);
  chat(U, cmd, "\r\nOK\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QMTOPEN=%d,\"127.0.0.1\",%d\r", idx, tls_port);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QMTOPEN: %d,0\r\n", idx);
  chat(U, cmd, want);
  snprintf(cmd, sizeof(cmd), "AT+QMTCONN=%d,\"tls%d\"\r", idx, idx);
  chat(U, cmd, conn_result);
}

/* MQTT over TLS: seclevel 1 against the broker's certificate (its address checked with sni),
 * a wrong CA (the session never comes: +QMTSTAT 3), seclevel 0 (nothing checked). */
START_TEST(mqtt_over_tls)
{
  up();
  upload("srv.pem", "UFS:broker.pem");
  upload("other.pem", "UFS:other.pem");
  chat(U, "AT+QSSLCFG=\"seclevel\",2,1\r", "\r\nOK\r\n");
  chat(U, "AT+QSSLCFG=\"cacert\",2,\"UFS:broker.pem\"\r", "\r\nOK\r\n");
  chat(U, "AT+QSSLCFG=\"sni\",2,1\r", "\r\nOK\r\n");
  tls_client(0, 2, "\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n");
  chat(U, "AT+QMTSUB=0,1,\"s/1\",1\r", "\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
  publish(0, "s/1", "over tls", 8);
  expect_tty(U, "\r\n+QMTRECV: 0,0,\"s/1\",\"over tls\"\r\n");
  /* a CA that did not sign the broker's certificate; then seclevel 0: any certificate */
  chat(U, "AT+QSSLCFG=\"seclevel\",3,1\r", "\r\nOK\r\n");
  chat(U, "AT+QSSLCFG=\"cacert\",3,\"UFS:other.pem\"\r", "\r\nOK\r\n");
  tls_client(1, 3, "\r\nOK\r\n\r\n+QMTSTAT: 1,3\r\n");
  chat(U, "AT+QSSLCFG=\"seclevel\",4,0\r", "\r\nOK\r\n");
  tls_client(2, 4, "\r\nOK\r\n\r\n+QMTCONN: 2,0,0\r\n");
}
END_TEST

/* What the broker sends crosses the module's downlink, as a socket's bytes do: five 1000-byte
 * messages from another client at 8 kbit/s (1 byte/ms) come as +QMTRECV over about 4 s of
 * virtual time at instant timing (each waits for the link to carry the one before), however
 * fast the broker sends them. */
START_TEST(bandwidth_shapes_what_the_broker_sends)
{
  enum { N = 5, SIZE = 1000 };
  char path[512], tr[512], cmd[1200], want[SIZE + 64], payload[SIZE + 1];
  const char *extra[] = { "--scenario", path, "--transcript", tr, NULL };
  long long first, last;
  int seen;
  double packet = SIZE + 2 + 7 + 3, span; /* payload, topic length and "fw/bulk", header */
  FILE *f;
  snprintf(path, sizeof(path), "%s.scenario.yaml", S.dir);
  snprintf(tr, sizeof(tr), "%s.mqtt.transcript", S.dir);
  f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("network:\n  bandwidth: 8000\n  latency: 0\n", f);
  fclose(f);
  start_args(extra);
  chat(U, "AT+QIACT=1\r", "\r\nOK\r\n");
  open_and_connect(0, "dev1", "", "0,0");
  chat(U, "AT+QMTSUB=0,1,\"fw/bulk\",0\r", "\r\nOK\r\n\r\n+QMTSUB: 0,1,0,0\r\n");
  memset(payload, 'x', SIZE);
  payload[SIZE] = '\0';
  f = fopen(path, "w"); /* the messages, a line each, for mosquitto_pub -l */
  ck_assert_ptr_nonnull(f);
  for (int i = 0; i < N; i++)
    fprintf(f, "%s\n", payload);
  fclose(f);
  snprintf(cmd, sizeof(cmd), "mosquitto_pub -h 127.0.0.1 -p %d -t fw/bulk -q 0 -l < '%s'",
           broker_port, path);
  ck_assert_int_eq(system(cmd), 0);
  snprintf(want, sizeof(want), "\r\n+QMTRECV: 0,0,\"fw/bulk\",\"%s\"\r\n", payload);
  for (int i = 0; i < N; i++)
    expect_tty(U, want);
  unlink(path);
  sim_stop(&S);
  seen = transcript_tx_span(tr, "+QMTRECV: 0,0,\"fw/bulk\"", 0, &first, &last);
  unlink(tr);
  ck_assert_int_eq(seen, N);
  span = (double)(last - first);
  ck_assert_msg(span > (N - 1) * packet * 0.97 && span < (N - 1) * packet * 1.03 + 100,
                "%d messages of %d bytes at 8 kbit/s spanned %.0f ms of virtual time (want %.0f)",
                N, SIZE, span, (N - 1) * packet);
}
END_TEST

int main(void)
{
  int rc;
  char cmd[1024];
  Suite *s = suite_create("mqtt");
  TCase *t = tcase_create("mqtt");
  if (!mkdtemp(dir)) {
    fprintf(stderr, "test_mqtt: cannot make %s\n", dir);
    return 1;
  }
  snprintf(cmd, sizeof(cmd), "mosquitto_passwd -b -c %s/passwd fw s3cret >/dev/null 2>&1", dir);
  if (system(cmd) != 0) {
    fprintf(stderr, "test_mqtt: mosquitto_passwd failed (the mosquitto package)\n");
    return 1;
  }
  /* the TLS listener's certificate (its own CA, naming 127.0.0.1) and a CA that signs nothing */
  snprintf(cmd, sizeof(cmd),
           "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
           "-keyout srv.key -out srv.pem -days 30 -subj /CN=broker -addext "
           "subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 && openssl req -x509 -newkey ec -pkeyopt "
           "ec_paramgen_curve:P-256 -nodes -keyout other.key -out other.pem -days 30 "
           "-subj /CN=otherca >/dev/null 2>&1", dir);
  if (system(cmd) != 0) {
    fprintf(stderr, "test_mqtt: openssl could not make the broker's certificate\n");
    return 1;
  }
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, qos_0_1_2_round_trips_and_retained);
  tcase_add_test(t, wrong_password_and_errors);
  tcase_add_test(t, broker_goes_away);
  tcase_add_test(t, mqtt_fault_rules);
  tcase_add_test(t, buffered_receive_and_binary_payloads);
  tcase_add_test(t, broker_stops_answering_pings);
  tcase_add_test(t, mqtt_over_tls);
  tcase_add_test(t, bandwidth_shapes_what_the_broker_sends);
  suite_add_tcase(s, t);
  rc = run_suite(s);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", dir);
  return rc;
}
