/* test_socket: the TCP/IP note's socket commands against real TCP and UDP echo servers on
 * 127.0.0.1 (a child process of the test), exact bytes on the module's port: buffer access and
 * direct push, fixed-length, Ctrl-Z and cancelled sends, binary data, the counters, the errors
 * that have a natural cause, a peer that closes, an outage that drops the context, twelve
 * sockets at once, and CGACT/CGPADDR. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <check.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "echo_server.h"
#include "fota_host.h"
#include "host.h"


/* ---- the host side ---- */

static void up(void)
{
  ck_assert_msg(sim_start(&S, NULL) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+QIACT=1\r", "\r\nOK\r\n");
}

/* From here on M is the USB AT port (no UART model: bulk tests run at the PTY's pace). */
static void use_usb_port(void)
{
  int uart = M;
  U = tty_open(S.usb_link);
  expect_tty(U, BOOT_URCS);
  M = U;
  U = uart;
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
}

static void open_socket(int id, const char *type, int port, int mode)
{
  char cmd[128], want[64];
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,%d,\"%s\",\"127.0.0.1\",%d,0,%d\r", id, type, port, mode);
  snprintf(want, sizeof(want), "\r\nOK\r\n\r\n+QIOPEN: %d,0\r\n", id);
  chat(M, cmd, want);
}

/* AT+QISEND=<id>,<len>, the prompt, the bytes, SEND OK. */
static void send_fixed(int id, const char *data, size_t len)
{
  char cmd[64];
  snprintf(cmd, sizeof(cmd), "AT+QISEND=%d,%zu\r", id, len);
  chat(M, cmd, "\r\n> ");
  tty_send(M, data, len);
  expect_tty(M, "\r\nSEND OK\r\n");
}

/* AT+QIRD=<id>,<max>: exactly +QIRD: <len>, the bytes, CR LF, OK. */
static void read_exact(int id, const char *data, size_t len)
{
  char cmd[64], head[64], buf[4096];
  size_t hl, got;
  snprintf(cmd, sizeof(cmd), "AT+QIRD=%d,1500\r", id);
  tty_send(M, cmd, strlen(cmd));
  hl = (size_t)snprintf(head, sizeof(head), "\r\n+QIRD: %zu\r\n", len);
  got = tty_read_n(M, buf, hl + len + 8, 3000);
  ck_assert_msg(got == hl + len + 8, "got %s", show(buf, got));
  ck_assert_msg(!memcmp(buf, head, hl), "got %s", show(buf, got));
  ck_assert_msg(!memcmp(buf + hl, data, len), "got %s", show(buf, got));
  ck_assert_msg(!memcmp(buf + hl + len, "\r\n\r\nOK\r\n", 8), "got %s", show(buf, got));
}

START_TEST(tcp_buffer_mode)
{
  up();
  open_socket(0, "TCP", tcp_port, 0);
  send_fixed(0, "hello", 5);
  expect_tty(M, "\r\n+QIURC: \"recv\",0\r\n");
  read_exact(0, "hello", 5);
  chat(M, "AT+QIRD=0,1500\r", "\r\n+QIRD: 0\r\n\r\nOK\r\n");
  chat(M, "AT+QISEND=0,0\r", "\r\n+QISEND: 5,5,0\r\n\r\nOK\r\n");
  chat(M, "AT+QIRD=0,0\r", "\r\n+QIRD: 5,5,0\r\n\r\nOK\r\n");
  /* the URC comes once per emptied buffer: a second send is reported again */
  send_fixed(0, "again", 5);
  expect_tty(M, "\r\n+QIURC: \"recv\",0\r\n");
  read_exact(0, "again", 5);
  chat(M, "AT+QICLOSE=0\r", "\r\nOK\r\n");
  chat(M, "AT+QISTATE?\r", "\r\nOK\r\n");
  chat(M, "AT+QIRD=0\r", "\r\nERROR\r\n");
}
END_TEST

START_TEST(binary_ctrlz_and_cancel)
{
  static const char bin[] = { 'a', 0, '\r', '\n', '+', '+', '+', 0x1a, (char)0xff, 'z' };
  up();
  open_socket(3, "TCP", tcp_port, 0);
  send_fixed(3, bin, sizeof(bin)); /* fixed length: Ctrl-Z and NUL are data */
  expect_tty(M, "\r\n+QIURC: \"recv\",3\r\n");
  read_exact(3, bin, sizeof(bin));
  chat(M, "AT+QISEND=3\r", "\r\n> ");
  tty_send(M, "ctrl-z ends it\x1a", 15);
  expect_tty(M, "\r\nSEND OK\r\n\r\n+QIURC: \"recv\",3\r\n");
  read_exact(3, "ctrl-z ends it", 14);
  chat(M, "AT+QISEND=3\r", "\r\n> ");
  tty_send(M, "never\x1b", 6);
  expect_tty(M, "\r\nERROR\r\n");
  chat(M, "AT+QIGETERROR\r", "\r\n+QIGETERROR: 571,cancel send\r\n\r\nOK\r\n");
  chat(M, "AT+QISEND=3,0\r", "\r\n+QISEND: 24,24,0\r\n\r\nOK\r\n");
  chat(M, "AT\r", "\r\nOK\r\n"); /* nothing of the cancelled data was sent or interpreted */
  chat(M, "AT+QISEND=3,1461\r", "\r\n+CME ERROR: 552\r\n");
}
END_TEST

START_TEST(direct_push_and_echo)
{
  up();
  open_socket(1, "TCP", tcp_port, 1);
  chat(M, "ATE1\r", "\r\nOK\r\n");
  /* with ATE1 and AT+QISDE=1 (the default) the data is echoed */
  chat(M, "AT+QISEND=1,4\r", "AT+QISEND=1,4\r\r\n> ");
  tty_send(M, "ping", 4);
  expect_tty(M, "ping\r\nSEND OK\r\n\r\n+QIURC: \"recv\",1,4\r\nping\r\n");
  chat(M, "AT+QISDE=0\r", "AT+QISDE=0\r\r\nOK\r\n");
  chat(M, "AT+QISEND=1,4\r", "AT+QISEND=1,4\r\r\n> ");
  tty_send(M, "pong", 4);
  expect_tty(M, "\r\nSEND OK\r\n\r\n+QIURC: \"recv\",1,4\r\npong\r\n");
  chat(M, "AT+QIRD=1\r", "AT+QIRD=1\r\r\nERROR\r\n"); /* not a buffer-mode socket */
}
END_TEST

START_TEST(udp_client)
{
  char cmd[128], want[160];
  up();
  open_socket(2, "UDP", udp_port, 0);
  send_fixed(2, "datagram", 8);
  expect_tty(M, "\r\n+QIURC: \"recv\",2\r\n");
  read_exact(2, "datagram", 8);
  tty_send(M, "AT+QISTATE=1,2\r", 15);
  {
    char buf[256];
    size_t n = tty_read_for(M, buf, sizeof(buf) - 1, 500);
    buf[n] = '\0';
    snprintf(want, sizeof(want), "\r\n+QISTATE: 2,\"UDP\",\"127.0.0.1\",%d,", udp_port);
    ck_assert_msg(!strncmp(buf, want, strlen(want)), "%s", show(buf, n));
    ck_assert_msg(strstr(buf, ",2,1,-1,0,\"uart1\"\r\n\r\nOK\r\n"), "%s", show(buf, n));
  }
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,2,\"UDP\",\"127.0.0.1\",%d\r", udp_port);
  chat(M, cmd, "\r\nOK\r\n\r\n+QIOPEN: 2,563\r\n"); /* the id is in use */
}
END_TEST

START_TEST(natural_errors)
{
  char cmd[128];
  int dead;
  close(listen_on(SOCK_STREAM, &dead)); /* a port nobody listens on */
  up();
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,4,\"TCP\",\"127.0.0.1\",%d\r", dead);
  chat(M, cmd, "\r\nOK\r\n\r\n+QIOPEN: 4,566\r\n");
  chat(M, "AT+QIOPEN=1,4,\"TCP\",\"no.such.host\",80\r", "\r\nOK\r\n\r\n+QIOPEN: 4,565\r\n");
  chat(M, "AT+QIGETERROR\r", "\r\n+QIGETERROR: 565,DNS parse failed\r\n\r\nOK\r\n");
  chat(M, "AT+QIOPEN=2,4,\"TCP\",\"127.0.0.1\",80\r", "\r\nOK\r\n\r\n+QIOPEN: 4,561\r\n");
  chat(M, "AT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",80\r", "\r\n+CME ERROR: 552\r\n");
  chat(M, "AT+CMEE=2\r", "\r\nOK\r\n");
  chat(M, "AT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",80\r", "\r\n+CME ERROR: invalid parameters\r\n");
  chat(M, "AT+QISEND=5,3\r", "\r\nERROR\r\n"); /* no such socket */
  chat(M, "AT+QIGETERROR\r", "\r\n+QIGETERROR: 572,operation not allowed\r\n\r\nOK\r\n");
  chat(M, "AT+QIOPEN=1,4,\"UDP SERVICE\",\"127.0.0.1\",0,0\r",
       "\r\n+CME ERROR: invalid parameters\r\n");
  chat(M, "AT+QIOPEN=1,4,\"TCP LISTENER\",\"127.0.0.1\",0,0\r",
       "\r\n+CME ERROR: invalid parameters\r\n");
  chat(M, "AT+QIDNSGIP=1,\"localhost\"\r",
       "\r\nOK\r\n\r\n+QIURC: \"dnsgip\",0,1,600\r\n\r\n+QIURC: \"dnsgip\",\"127.0.0.1\"\r\n");
  chat(M, "AT+QIDNSGIP=1,\"no.such.host\"\r", "\r\nOK\r\n\r\n+QIURC: \"dnsgip\",565\r\n");
}
END_TEST

START_TEST(peer_closes)
{
  up();
  open_socket(0, "TCP", closer_port, 0);
  expect_tty(M, "\r\n+QIURC: \"recv\",0\r\n\r\n+QIURC: \"closed\",0\r\n");
  read_exact(0, "bye", 3); /* what came before the close can still be read */
  chat(M, "AT+QISEND=0,1\r", "\r\nERROR\r\n");
  chat(M, "AT+QIGETERROR\r", "\r\n+QIGETERROR: 567,socket has been closed\r\n\r\nOK\r\n");
  chat(M, "AT+QICLOSE=0\r", "\r\nOK\r\n");
}
END_TEST

START_TEST(outage_drops_the_context)
{
  char reply[512];
  up();
  open_socket(0, "TCP", tcp_port, 0);
  ck_assert_int_eq(ctl(&S, "{\"cmd\":\"network\",\"registration\":\"searching\"}", reply,
                       sizeof(reply), 5000), 0);
  expect_tty(M, "\r\n+QIURC: \"closed\",0\r\n\r\n+QIURC: \"pdpdeact\",1\r\n");
  chat(M, "AT+QISTATE?\r", "\r\nOK\r\n");
  chat(M, "AT+CGACT?\r", "\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
}
END_TEST

START_TEST(twelve_sockets)
{
  char data[48];
  up();
  for (int id = 0; id < 12; id++)
    open_socket(id, id % 2 ? "UDP" : "TCP", id % 2 ? udp_port : tcp_port, 0);
  for (int id = 0; id < 12; id++) {
    snprintf(data, sizeof(data), "socket %02d", id);
    send_fixed(id, data, strlen(data));
    snprintf(data, sizeof(data), "\r\n+QIURC: \"recv\",%d\r\n", id);
    expect_tty(M, data);
  }
  for (int id = 11; id >= 0; id--) {
    snprintf(data, sizeof(data), "socket %02d", id);
    read_exact(id, data, strlen(data));
  }
}
END_TEST

START_TEST(cgact_and_cgpaddr)
{
  char buf[256];
  size_t n;
  ck_assert_msg(sim_start(&S, NULL) == 0, "fotasim did not get ready: %s", S.ready);
  M = tty_open(S.main_link);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+CGACT?\r", "\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
  chat(M, "AT+CGPADDR=1\r", "\r\n+CGPADDR: 1\r\n\r\nOK\r\n");
  chat(M, "AT+CGACT=1,1\r", "\r\nOK\r\n");
  chat(M, "AT+CGACT?\r", "\r\n+CGACT: 1,1\r\n\r\nOK\r\n");
  tty_send(M, "AT+CGPADDR\r", 11);
  n = tty_read_for(M, buf, sizeof(buf) - 1, 500);
  buf[n] = '\0';
  ck_assert_msg(!strncmp(buf, "\r\n+CGPADDR: 1,\"10.", 18), "%s", show(buf, n));
  ck_assert_msg(strstr(buf, "\"\r\n\r\nOK\r\n"), "%s", show(buf, n));
  chat(M, "AT+CGPADDR=3\r", "\r\n+CME ERROR: 50\r\n"); /* not defined */
  chat(M, "AT+CGACT=0,1\r", "\r\nOK\r\n");
  chat(M, "AT+QIACT?\r", "\r\nOK\r\n");
  chat(M, "AT+CGACT=2,1\r", "\r\n+CME ERROR: 50\r\n");
}
END_TEST

/* Exactly want comes next, but for "recv" URCs of socket 0 before it (a buffer-mode socket says
 * so once per emptied buffer, between any two answers). */
static void expect_past_urc(const char *want)
{
  static const char urc[] = "\r\n+QIURC: \"recv\",0\r\n";
  size_t wl = strlen(want), ul = sizeof(urc) - 1, got;
  char buf[256];
  for (;;) {
    got = tty_read_n(M, buf, wl < ul ? wl : ul, 5000);
    if (got == (wl < ul ? wl : ul) && !memcmp(buf, urc, got) && memcmp(buf, want, got)) {
      ck_assert_uint_eq(tty_read_n(M, buf + got, ul - got, 5000), ul - got);
      ck_assert_msg(!memcmp(buf, urc, ul), "%s", show(buf, ul));
      continue;
    }
    break;
  }
  if (wl > got)
    got += tty_read_n(M, buf + got, wl - got, 5000);
  ck_assert_msg(got == wl && !memcmp(buf, want, wl), "wanted %s, got %s", want, show(buf, got));
}

/* AT+QIRD=<id>,<max>: whatever is buffered, appended to out; the count. */
static size_t read_some(int id, char *out)
{
  char cmd[48], buf[1600], *nl;
  size_t got, n;
  snprintf(cmd, sizeof(cmd), "AT+QIRD=%d,1500\r", id);
  tty_send(M, cmd, strlen(cmd));
  expect_past_urc("\r\n+QIRD: ");
  memcpy(buf, "\r\n+QIRD: ", 10);
  got = 10 + tty_read_n(M, buf + 10, 2, 3000); /* a first digit and what follows */
  ck_assert_msg(got == 12 && !memcmp(buf, "\r\n+QIRD: ", 10), "%s", show(buf, got));
  while (!(nl = memchr(buf + 10, '\n', got - 10)) && got < 20)
    got += tty_read_n(M, buf + got, 1, 3000);
  ck_assert_ptr_nonnull(nl);
  n = strtoul(buf + 10, NULL, 10);
  ck_assert_uint_le(n, 1500);
  if (n == 0) {
    expect_tty(M, "\r\nOK\r\n");
    return 0;
  }
  ck_assert_uint_eq(tty_read_n(M, out, n, 3000), n);
  expect_tty(M, "\r\n\r\nOK\r\n");
  return n;
}

/* A megabyte through the echo server and back, byte for byte: the host reads only when the
 * module refuses to take more (SEND FAIL) or all is sent, so every buffer on the way fills up
 * and holds: the module keeps at most 64 KiB and stops reading the peer. */
START_TEST(megabyte_with_back_pressure)
{
  enum { TOTAL = 1 << 20, CHUNK = 1460 };
  char *sent = malloc(TOTAL), *back = malloc(TOTAL), cmd[48], reply[64];
  size_t off = 0, got = 0;
  int fails = 0;
  ck_assert(sent && back);
  for (size_t i = 0; i < TOTAL; i++)
    sent[i] = (char)(i * 7 + (i >> 11));
  up();
  use_usb_port(); /* the main UART's line rate would make this a 90 s test */
  open_socket(0, "TCP", tcp_port, 0);
  while (off < TOTAL) {
    size_t n = TOTAL - off < CHUNK ? TOTAL - off : CHUNK, r;
    snprintf(cmd, sizeof(cmd), "AT+QISEND=0,%zu\r", n);
    tty_send(M, cmd, strlen(cmd));
    expect_past_urc("\r\n> ");
    tty_send(M, sent + off, n);
    r = tty_read_n(M, reply, 11, 5000);
    reply[r] = '\0';
    if (!strcmp(reply, "\r\nSEND OK\r\n")) {
      off += n;
      continue;
    }
    ck_assert_msg(!strcmp(reply, "\r\nSEND FAI"), "%s", show(reply, r));
    expect_tty(M, "L\r\n");
    fails++;
    /* the host reads now: a "recv" URC may stand before the first answer */
    while (got < off) {
      size_t k = read_some(0, back + got);
      if (!k)
        break;
      got += k;
    }
  }
  { /* the host has not read everything: the module holds at most its 64 KiB, the rest waits
       in the peer's TCP stack (the module stopped reading), nothing is lost */
    char rd[128];
    unsigned long rx = 0, rdn = 0, unread = 0;
    size_t r;
    tty_send(M, "AT+QIRD=0,0\r", 12);
    expect_past_urc("\r\n+QIRD: ");
    r = tty_read_for(M, rd, sizeof(rd) - 1, 300);
    rd[r] = '\0';
    ck_assert_int_eq(sscanf(rd, "%lu,%lu,%lu", &rx, &rdn, &unread), 3);
    ck_assert_uint_eq(rdn, got);
    ck_assert_uint_le(unread, 65536);
    ck_assert_uint_lt(rx, TOTAL);
  }
  for (int idle = 0; got < TOTAL && idle < 200;) {
    size_t k = read_some(0, back + got);
    got += k;
    idle = k ? 0 : idle + 1;
  }
  ck_assert_uint_eq(got, TOTAL);
  ck_assert_msg(!memcmp(sent, back, TOTAL), "the bytes came back changed");
  (void)fails; /* SEND FAIL comes only once the host's own TCP buffers are full */
  tty_send(M, "AT+QIRD=0,0\r", 12);
  expect_past_urc("\r\n+QIRD: 1048576,1048576,0\r\n\r\nOK\r\n");
  free(sent);
  free(back);
}
END_TEST

/* Reads exactly want's bytes and compares. */
static void expect_bytes(const char *want, size_t len)
{
  char buf[256];
  size_t got = tty_read_n(M, buf, len, 3000);
  ck_assert_msg(got == len && !memcmp(buf, want, len), "got %s", show(buf, got));
}

START_TEST(transparent_mode)
{
  static const char bin[] = { 'x', '+', '+', '+', 0, 'A', 'T', '\r', '+', '+', '+' };
  char cmd[128];
  up();
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,5,\"TCP\",\"127.0.0.1\",%d,0,2\r", tcp_port);
  chat(M, cmd, "\r\nCONNECT\r\n");
  tty_send(M, "hello", 5);
  expect_bytes("hello", 5);
  /* "+++" inside data, without guard times, and AT commands are data too */
  tty_send(M, bin, sizeof(bin));
  expect_bytes(bin, sizeof(bin));
  usleep(1200 * 1000);
  tty_send(M, "+++", 3);
  usleep(1200 * 1000);
  expect_tty(M, "\r\nOK\r\n");
  chat(M, "AT+QISTATE=1,5\r", "");
  {
    char buf[256];
    size_t n = tty_read_for(M, buf, sizeof(buf) - 1, 300);
    buf[n] = '\0';
    ck_assert_msg(strstr(buf, "+QISTATE: 5,\"TCP\",\"127.0.0.1\","), "%s", show(buf, n));
    ck_assert_msg(strstr(buf, ",2,1,-1,2,\"uart1\"\r\n\r\nOK\r\n"), "%s", show(buf, n));
  }
  chat(M, "ATO\r", "\r\nCONNECT\r\n");
  tty_send(M, "back", 4);
  expect_bytes("back", 4);
  usleep(1200 * 1000);
  tty_send(M, "+++", 3);
  usleep(1200 * 1000);
  expect_tty(M, "\r\nOK\r\n");
  chat(M, "AT+QISWTMD=5,2\r", "\r\nCONNECT\r\n");
  tty_send(M, "again", 5);
  expect_bytes("again", 5);
  usleep(1200 * 1000);
  tty_send(M, "+++", 3);
  usleep(1200 * 1000);
  expect_tty(M, "\r\nOK\r\n");
  chat(M, "AT+QICLOSE=5\r", "\r\nOK\r\n");
  chat(M, "ATO\r", "\r\nERROR\r\n");
  /* the peer closes while online: NO CARRIER, command mode */
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,6,\"TCP\",\"127.0.0.1\",%d,0,2\r", closer_port);
  chat(M, cmd, "\r\nCONNECT\r\n");
  expect_tty(M, "bye\r\nNO CARRIER\r\n");
  chat(M, "AT\r", "\r\nOK\r\n");
  /* a failed transparent open answers ERROR */
  chat(M, "AT+QIOPEN=1,7,\"TCP\",\"no.such.host\",80,0,2\r", "\r\nERROR\r\n");
  chat(M, "AT+QIGETERROR\r", "\r\n+QIGETERROR: 565,DNS parse failed\r\n\r\nOK\r\n");
}
END_TEST

static int connect_to(int port, int *local)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                           .sin_port = htons((uint16_t)port) };
  socklen_t len = sizeof(a);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  *local = ntohs(a.sin_port);
  return fd;
}

START_TEST(tcp_listener)
{
  char cmd[128], want[128], buf[16];
  int port, cport, clients[12];
  close(listen_on(SOCK_STREAM, &port)); /* a free port for the module's listener */
  up();
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,11,\"TCP LISTENER\",\"127.0.0.1\",0,%d,0\r", port);
  chat(M, cmd, "\r\nOK\r\n\r\n+QIOPEN: 11,0\r\n");
  clients[0] = connect_to(port, &cport);
  snprintf(want, sizeof(want), "\r\n+QIURC: \"incoming\",0,11,\"127.0.0.1\",%d\r\n", cport);
  expect_tty(M, want);
  ck_assert_int_eq(write(clients[0], "hi", 2), 2);
  expect_tty(M, "\r\n+QIURC: \"recv\",0\r\n");
  read_exact(0, "hi", 2);
  send_fixed(0, "there", 5);
  ck_assert_uint_eq(tty_read_n(clients[0], buf, 5, 3000), 5);
  ck_assert(!memcmp(buf, "there", 5));
  snprintf(want, sizeof(want), "\r\n+QISTATE: 0,\"TCP INCOMING\",\"127.0.0.1\",%d,%d,2,1,11,0,\"uart1\"\r\n\r\nOK\r\n",
           cport, port);
  chat(M, "AT+QISTATE=1,0\r", want);
  snprintf(want, sizeof(want), "\r\n+QISTATE: 11,\"TCP LISTENER\",\"127.0.0.1\",0,%d,3,1,-1,0,\"uart1\"\r\n\r\nOK\r\n",
           port);
  chat(M, "AT+QISTATE=1,11\r", want);
  chat(M, "AT+QISEND=11,1\r", "\r\nERROR\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,10,\"TCP LISTENER\",\"127.0.0.1\",0,%d,0\r", port);
  chat(M, cmd, "\r\nOK\r\n\r\n+QIOPEN: 10,557\r\n"); /* the port is taken */
  /* ten more take connectIDs 1-10; the next finds every id taken */
  for (int i = 1; i <= 10; i++) {
    clients[i] = connect_to(port, &cport);
    snprintf(want, sizeof(want), "\r\n+QIURC: \"incoming\",%d,11,\"127.0.0.1\",%d\r\n", i, cport);
    expect_tty(M, want);
  }
  clients[11] = connect_to(port, &cport);
  expect_tty(M, "\r\n+QIURC: \"incoming full\"\r\n");
  ck_assert_uint_eq(tty_read_n(clients[11], buf, 1, 2000), 0); /* closed by the module */
  /* a client that goes away */
  close(clients[3]);
  expect_tty(M, "\r\n+QIURC: \"closed\",3\r\n");
  for (int i = 0; i < 12; i++)
    if (i != 3)
      close(clients[i]);
}
END_TEST

START_TEST(qicfg_dns_and_ping)
{
  up();
  chat(M, "AT+QICFG=\"transpktsize\"\r", "\r\n+QICFG: \"transpktsize\",1024\r\n\r\nOK\r\n");
  chat(M, "AT+QICFG=\"transwaittm\",5\r", "\r\nOK\r\n");
  chat(M, "AT+QICFG=\"transwaittm\",21\r", "\r\n+CME ERROR: 50\r\n");
  chat(M, "AT+QICFG=\"tcp/keepalive\",1,10,30,5\r", "\r\nOK\r\n");
  chat(M, "AT+QICFG=\"tcp/keepalive\"\r",
       "\r\n+QICFG: \"tcp/keepalive\",1,10,30,5\r\n\r\nOK\r\n");
  chat(M, "AT+QICFG=\"recvind\",1\r", "\r\nOK\r\n");
  open_socket(0, "TCP", tcp_port, 0);
  send_fixed(0, "abc", 3);
  expect_tty(M, "\r\n+QIURC: \"recv\",0,3\r\n"); /* recvind: with the length */
  read_exact(0, "abc", 3);
  chat(M, "AT+QICFG=\"dataformat\",1,1\r", "\r\nOK\r\n");
  chat(M, "AT+QISEND=0,2\r", "\r\n> ");
  tty_send(M, "6869", 4); /* two bytes as hex text */
  expect_tty(M, "\r\nSEND OK\r\n\r\n+QIURC: \"recv\",0,2\r\n");
  chat(M, "AT+QIRD=0\r", "\r\n+QIRD: 2\r\n6869\r\n\r\nOK\r\n");
  chat(M, "AT+QISEND=0,1\r", "\r\n> ");
  tty_send(M, "zz", 2);
  expect_tty(M, "\r\nERROR\r\n");
  chat(M, "AT+QICFG=\"dataformat\",0,0;+QICFG=\"viewmode\",1\r", "\r\nOK\r\n");
  send_fixed(0, "hi", 2);
  expect_tty(M, "\r\n+QIURC: \"recv\",0,2\r\n");
  chat(M, "AT+QIRD=0\r", "\r\n+QIRD: 2,hi\r\n\r\nOK\r\n");
  chat(M, "AT+QIDNSCFG=1\r", "\r\n+QIDNSCFG: 1,\"8.8.8.8\",\"114.114.114.114\"\r\n\r\nOK\r\n");
  chat(M, "AT+QIDNSCFG=1,\"1.1.1.1\",\"9.9.9.9\"\r", "\r\nOK\r\n");
  chat(M, "AT+QIDNSCFG=1\r", "\r\n+QIDNSCFG: 1,\"1.1.1.1\",\"9.9.9.9\"\r\n\r\nOK\r\n");
  chat(M, "AT+QIDNSCFG=1,\"dns.example\"\r", "\r\n+CME ERROR: 50\r\n");
  /* pings answered by the modelled network: its round trip (LTE: 50 ms) */
  chat(M, "AT+QPING=1,\"localhost\",4,2\r",
       "\r\nOK\r\n\r\n+QPING: 0,\"127.0.0.1\",32,50,255\r\n\r\n+QPING: 0,\"127.0.0.1\",32,50,255\r\n"
       "\r\n+QPING: 0,2,2,0,50,50,50\r\n");
  chat(M, "AT+QPING=1,\"no.such.host\"\r", "\r\nOK\r\n\r\n+QPING: 565\r\n");
  chat(M, "AT+QPING=2,\"localhost\"\r", "\r\nOK\r\n\r\n+QPING: 561\r\n");
}
END_TEST

START_TEST(udp_service)
{
  char cmd[128], want[160], buf[16];
  int sport, cport, peer = listen_on(SOCK_DGRAM, &cport);
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  close(listen_on(SOCK_DGRAM, &sport)); /* a free port for the module's service */
  to.sin_port = htons((uint16_t)sport);
  up();
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,8,\"UDP SERVICE\",\"127.0.0.1\",0,%d,0\r", sport);
  chat(M, cmd, "\r\nOK\r\n\r\n+QIOPEN: 8,0\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,9,\"UDP SERVICE\",\"127.0.0.1\",0,%d,0\r", sport);
  chat(M, cmd, "\r\nOK\r\n\r\n+QIOPEN: 9,556\r\n"); /* the port is taken */
  ck_assert_int_eq(sendto(peer, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)), 5);
  ck_assert_int_eq(sendto(peer, "world!", 6, 0, (struct sockaddr *)&to, sizeof(to)), 6);
  expect_tty(M, "\r\n+QIURC: \"recv\",8\r\n");
  usleep(100 * 1000);
  snprintf(want, sizeof(want), "\r\n+QIRD: 5,\"127.0.0.1\",%d\r\nhello\r\n\r\nOK\r\n", cport);
  chat(M, "AT+QIRD=8\r", want); /* one datagram a read, with its sender */
  snprintf(want, sizeof(want), "\r\n+QIRD: 6,\"127.0.0.1\",%d\r\nworld!\r\n\r\nOK\r\n", cport);
  chat(M, "AT+QIRD=8\r", want);
  chat(M, "AT+QIRD=8\r", "\r\n+QIRD: 0\r\n\r\nOK\r\n");
  snprintf(cmd, sizeof(cmd), "AT+QISEND=8,3,\"127.0.0.1\",%d\r", cport);
  chat(M, cmd, "\r\n> ");
  tty_send(M, "abc", 3);
  expect_tty(M, "\r\nSEND OK\r\n");
  ck_assert_uint_eq(tty_read_n(peer, buf, 3, 3000), 3);
  ck_assert(!memcmp(buf, "abc", 3));
  chat(M, "AT+QISEND=8,3\r", "\r\n+CME ERROR: 552\r\n"); /* a service needs a destination */
  chat(M, "AT+QISWTMD=8,1\r", "\r\nOK\r\n");
  ck_assert_int_eq(sendto(peer, "push", 4, 0, (struct sockaddr *)&to, sizeof(to)), 4);
  snprintf(want, sizeof(want), "\r\n+QIURC: \"recv\",8,4,\"127.0.0.1\",%d\r\npush\r\n", cport);
  expect_tty(M, want);
  close(peer);
}
END_TEST

/* 4 MB each way in transparent mode on the USB port, byte for byte: the module holds the peer
 * back while the host's port is full, never dropping a byte. */
/* In transparent mode on M: out goes to the echo server as fast as the port takes it, and
 * what comes back lands in in; the number of bytes that came back. */
static size_t transparent_round_trip(const char *out, char *in, size_t total)
{
  char cmd[128];
  size_t sent = 0, got = 0;
  int fl;
  snprintf(cmd, sizeof(cmd), "AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",%d,0,2\r", tcp_port);
  chat(M, cmd, "\r\nCONNECT\r\n");
  fl = fcntl(M, F_GETFL);
  fcntl(M, F_SETFL, fl | O_NONBLOCK);
  for (int idle = 0; got < total && idle < 100;) {
    struct pollfd p = { M, POLLIN | (sent < total ? POLLOUT : 0), 0 };
    if (poll(&p, 1, 100) <= 0) {
      idle++;
      continue;
    }
    idle = 0;
    if ((p.revents & POLLOUT) && sent < total) {
      ssize_t w = write(M, out + sent, total - sent < 65536 ? total - sent : 65536);
      if (w > 0)
        sent += (size_t)w;
    }
    if (p.revents & POLLIN) {
      ssize_t r = read(M, in + got, total - got);
      if (r > 0)
        got += (size_t)r;
    }
  }
  fcntl(M, F_SETFL, fl);
  return got;
}

START_TEST(transparent_bulk)
{
  enum { TOTAL = 4 << 20 };
  char *out = malloc(TOTAL), *in = malloc(TOTAL);
  ck_assert(out && in);
  for (size_t i = 0; i < TOTAL; i++)
    out[i] = (char)(i * 13 + (i >> 9));
  up();
  use_usb_port();
  ck_assert_uint_eq(transparent_round_trip(out, in, TOTAL), TOTAL);
  ck_assert_msg(!memcmp(out, in, TOTAL), "the bytes came back changed");
  free(out);
  free(in);
}
END_TEST

/* A module that plays this scenario text with these extra options, its context up, the USB AT
 * port as M (as up() and use_usb_port() leave it). */
static void up_with_scenario(const char *yaml, const char *timing, const char *transcript)
{
  char path[512];
  const char *extra[] = { "--scenario", path, "--timing", timing,
                          transcript ? "--transcript" : NULL, transcript, NULL };
  FILE *f;
  snprintf(path, sizeof(path), "%s.scenario.yaml", S.dir);
  f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(yaml, f);
  fclose(f);
  ck_assert_msg(sim_start(&S, extra) == 0, "fotasim did not get ready: %s", S.ready);
  unlink(path);
  M = tty_open(S.main_link);
  expect_tty(M, BOOT_URCS);
  chat(M, "ATE0\r", "ATE0\r\r\nOK\r\n");
  chat(M, "AT+QIACT=1\r", "\r\nOK\r\n");
  use_usb_port();
}

/* The scenario's bandwidth paces what the sockets read: 64 KiB at 80 kbit/s take 6.5 s of
 * virtual time, 0.65 s of real time at --timing fast (x10), however fast the echo is. */
START_TEST(bandwidth_paces_the_downlink)
{
  enum { TOTAL = 64 << 10 };
  char out[TOTAL], in[TOTAL];
  struct timespec t0, t1;
  double took;
  up_with_scenario("network:\n  bandwidth: 80000\n", "fast", NULL);
  for (size_t i = 0; i < TOTAL; i++)
    out[i] = (char)(i * 7 + (i >> 8));
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ck_assert_uint_eq(transparent_round_trip(out, in, TOTAL), TOTAL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ck_assert_msg(!memcmp(out, in, TOTAL), "the bytes came back changed");
  took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  /* a lower bound only: the downlink may not carry more than its bandwidth */
  ck_assert_msg(took >= 0.6, "64 KiB crossed an 80 kbit/s link (x10) in %.3f s", took);
}
END_TEST

/* At instant timing too, the downlink's bandwidth shapes what a socket reads, on the virtual
 * clock: the echo of 64 KiB at 80 kbit/s spans 6.5 s of virtual time in the transcript (the
 * first data to the last), however fast it runs in real time. */
START_TEST(bandwidth_shapes_sockets_at_instant)
{
  enum { TOTAL = 64 << 10 };
  char tr[512], out[TOTAL], in[TOTAL];
  long long first, last;
  double want = (double)TOTAL * 8000.0 / 80000.0, span;
  snprintf(tr, sizeof(tr), "%s.bandwidth.transcript", S.dir);
  up_with_scenario("network:\n  bandwidth: 80000\n  latency: 0\n", "instant", tr);
  for (size_t i = 0; i < TOTAL; i++)
    out[i] = (char)(i * 7 + (i >> 8) + 0x80);
  ck_assert_uint_eq(transparent_round_trip(out, in, TOTAL), TOTAL);
  ck_assert_msg(!memcmp(out, in, TOTAL), "the bytes came back changed");
  sim_stop(&S);
  ck_assert_int_ge(transcript_tx_span(tr, NULL, 0, &first, &last), 2); /* the echo: binary */
  unlink(tr);
  span = (double)(last - first);
  ck_assert_msg(span > want * 0.97 && span < want * 1.03 + 100,
                "64 KiB at 80 kbit/s spanned %.0f ms of virtual time (want %.0f)", span, want);
}
END_TEST

static Suite *socket_suite(void)
{
  Suite *s = suite_create("socket");
  TCase *t = tcase_create("socket");
  tcase_add_checked_fixture(t, echo_fixture_setup, echo_fixture_teardown);
  tcase_set_timeout(t, 60);
  tcase_add_test(t, tcp_buffer_mode);
  tcase_add_test(t, binary_ctrlz_and_cancel);
  tcase_add_test(t, direct_push_and_echo);
  tcase_add_test(t, udp_client);
  tcase_add_test(t, natural_errors);
  tcase_add_test(t, peer_closes);
  tcase_add_test(t, outage_drops_the_context);
  tcase_add_test(t, twelve_sockets);
  tcase_add_test(t, cgact_and_cgpaddr);
  tcase_add_test(t, megabyte_with_back_pressure);
  tcase_add_test(t, transparent_mode);
  tcase_add_test(t, tcp_listener);
  tcase_add_test(t, qicfg_dns_and_ping);
  tcase_add_test(t, udp_service);
  tcase_add_test(t, transparent_bulk);
  tcase_add_test(t, bandwidth_paces_the_downlink);
  tcase_add_test(t, bandwidth_shapes_sockets_at_instant);
  suite_add_tcase(s, t);
  return s;
}

int main(void)
{
  return run_suite(socket_suite());
}
