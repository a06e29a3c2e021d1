/* bench_ppp: fotabench --ppp / --ppp-dlc: bulk TCP through a data call against the same
 * transfer straight over loopback. A small PPP host of its own (LCP with ACCM 0, PFC and ACFC;
 * any CHAP answer; IPCP to the address offered) dials on the given port, or on DLC 1 of a CMUX
 * it starts there, then receives TOTAL bytes from a TCP server on 127.0.0.1 through the
 * module's NAT, with a receive-only TCP: in-order segments acknowledged as they come, a 64 KiB
 * window, MSS 1460. */
#include "bench_ppp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cmux.h"
#include "inet_sum.h"
#include "ppp_hdlc.h"

#define TOTAL (8u << 20)

struct link {
  int fd;
  int dlc;                   /* 0: PPP straight on the port; 1: inside UIH frames of DLC 1 */
  struct cmux mux;           /* the frames' parser, its DLC 1 marked open */
  int connected;             /* CONNECT came: what follows is PPP */
  char at[512];
  size_t at_len;
  struct ppp_hdlc_rx rx;
  uint32_t host, gw;
  int lcp_acked, ipcp_acked, ipcp_id;
  uint32_t rcv_nxt, got;
  int syn_acked, fin;
  int lport, sport;
};

static double now_s(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void write_all(struct link *l, const uint8_t *out, size_t n)
{
  size_t off = 0;
  while (off < n) {
    ssize_t w = write(l->fd, out + off, n - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0 && errno == EAGAIN) {
      struct pollfd p = { l->fd, POLLOUT, 0 };
      poll(&p, 1, 1000);
      continue;
    }
    if (w <= 0)
      return;
    off += (size_t)w;
  }
}

/* Bytes to the module: as they are, or in UIH frames of at most 127 bytes on DLC 1. */
static void line_write(struct link *l, const uint8_t *data, size_t n)
{
  static uint8_t f[CMUX_N1_MAX + 8];
  if (!l->dlc) {
    write_all(l, data, n);
    return;
  }
  while (n) {
    size_t k = n < 127 ? n : 127;
    write_all(l, f, cmux_frame(f, 1, 1, 0xEF, data, k));
    data += k;
    n -= k;
  }
}

static void send_frame(struct link *l, uint16_t proto, const uint8_t *pkt, size_t len)
{
  static uint8_t out[2 * (PPP_MRU_MAX + 16) + 2];
  line_write(l, out, ppp_hdlc_encode(out, proto, pkt, len, 0, 1, 1));
}

static void on_packet(void *ctx, const struct ppp_packet *pk);

/* The module's bytes: the dial's answer up to CONNECT, then PPP. */
static void line_bytes(struct link *l, const uint8_t *d, size_t n)
{
  if (!l->connected) {
    char *c;
    size_t k = n < sizeof(l->at) - 1 - l->at_len ? n : sizeof(l->at) - 1 - l->at_len;
    memcpy(l->at + l->at_len, d, k);
    l->at_len += k;
    l->at[l->at_len] = '\0';
    if (!(c = strstr(l->at, "CONNECT\r\n")))
      return;
    l->connected = 1;
    c += 9;
    ppp_hdlc_input(&l->rx, (const uint8_t *)c, l->at_len - (size_t)(c - l->at), on_packet, l);
    return;
  }
  ppp_hdlc_input(&l->rx, d, n, on_packet, l);
}

/* The client side of the frames, parsed by the module's own parser: its answers go nowhere. */
static void mux_write(void *ctx, const char *d, size_t n)
{
  (void)ctx;
  (void)d;
  (void)n;
}

static size_t mux_data(void *ctx, int dlci, const char *d, size_t n)
{
  (void)dlci;
  line_bytes(ctx, (const uint8_t *)d, n);
  return n;
}

static void mux_nothing(void *ctx, int dlci)
{
  (void)ctx;
  (void)dlci;
}

static void mux_ended(void *ctx)
{
  (void)ctx;
}

static const struct cmux_ops client_ops = { mux_write, mux_nothing, mux_nothing, mux_data,
                                            mux_nothing, mux_ended };

static void control(struct link *l, uint16_t proto, uint8_t code, uint8_t id, const uint8_t *d,
                    size_t len)
{
  uint8_t pkt[256] = { code, id, (uint8_t)((len + 4) >> 8), (uint8_t)(len + 4) };
  if (len)
    memcpy(pkt + 4, d, len);
  send_frame(l, proto, pkt, len + 4);
}


/* A TCP segment without data (SYN with MSS 1460, or an ACK). */
static void tcp(struct link *l, uint8_t flags, uint32_t seq, uint32_t ack)
{
  uint8_t p[44];
  size_t hl = flags & 0x02 ? 24 : 20;
  uint16_t c;
  uint32_t ps;
  memset(p, 0, sizeof(p));
  p[0] = 0x45;
  p[3] = (uint8_t)(20 + hl);
  p[8] = 64;
  p[9] = 6;
  for (int i = 0; i < 4; i++) {
    p[12 + i] = (uint8_t)(l->host >> (24 - 8 * i));
    p[16 + i] = (uint8_t)(l->gw >> (24 - 8 * i));
    p[24 + i] = (uint8_t)(seq >> (24 - 8 * i));
    p[28 + i] = (uint8_t)(ack >> (24 - 8 * i));
  }
  c = inet_sum(0, p, 20);
  p[10] = (uint8_t)(c >> 8), p[11] = (uint8_t)c;
  p[20] = (uint8_t)(l->lport >> 8), p[21] = (uint8_t)l->lport;
  p[22] = (uint8_t)(l->sport >> 8), p[23] = (uint8_t)l->sport;
  p[32] = (uint8_t)(hl / 4 << 4);
  p[33] = flags;
  p[34] = 0xFF, p[35] = 0xFF; /* window 65535 */
  if (hl == 24)
    p[40] = 2, p[41] = 4, p[42] = 0x05, p[43] = 0xB4; /* MSS 1460 */
  ps = (l->host >> 16) + (l->host & 0xFFFF) + (l->gw >> 16) + (l->gw & 0xFFFF) + 6 + (uint32_t)hl;
  c = inet_sum(ps, p + 20, hl);
  p[36] = (uint8_t)(c >> 8), p[37] = (uint8_t)c;
  send_frame(l, 0x0021, p, 20 + hl);
}

static uint32_t be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_ip(struct link *l, const uint8_t *p, size_t len)
{
  size_t ihl, thl, dl;
  uint32_t seq;
  uint8_t flags;
  if (len < 40 || p[9] != 6)
    return;
  ihl = (size_t)(p[0] & 15) * 4;
  thl = (size_t)(p[ihl + 12] >> 4) * 4;
  if (ihl + thl > len)
    return;
  flags = p[ihl + 13];
  seq = be32(p + ihl + 4);
  dl = len - ihl - thl;
  if ((flags & 0x12) == 0x12 && !l->syn_acked) { /* SYN-ACK */
    l->syn_acked = 1;
    l->rcv_nxt = seq + 1;
    tcp(l, 0x10, 1001, l->rcv_nxt);
    return;
  }
  if (dl && seq == l->rcv_nxt) {
    l->rcv_nxt += (uint32_t)dl;
    l->got += (uint32_t)dl;
  }
  if ((flags & 0x01) && seq + dl == l->rcv_nxt) {
    l->rcv_nxt++;
    l->fin = 1;
  }
  if (dl || (flags & 0x01))
    tcp(l, 0x10, 1001, l->rcv_nxt); /* cumulative: a repeat for out-of-order segments */
}

static void on_packet(void *ctx, const struct ppp_packet *pk)
{
  struct link *l = ctx;
  const uint8_t *d = pk->data;
  if (pk->protocol == 0x0021) {
    on_ip(l, d, pk->len);
    return;
  }
  if (pk->len < 4)
    return;
  if (pk->protocol == 0xC021 && d[0] == 1) { /* the module's LCP request: acked as it is */
    control(l, 0xC021, 2, d[1], d + 4, pk->len - 4);
  } else if (pk->protocol == 0xC021 && d[0] == 2) {
    l->lcp_acked = 1;
  } else if (pk->protocol == 0xC223 && d[0] == 1) { /* CHAP: any answer does */
    uint8_t r[18] = { 16 };
    r[17] = 'b';
    control(l, 0xC223, 2, d[1], r, sizeof(r));
  } else if (pk->protocol == 0x8021 && d[0] == 1) {
    control(l, 0x8021, 2, d[1], d + 4, pk->len - 4);
    l->gw = pk->len >= 10 ? be32(d + 6) : 0;
    if (!l->ipcp_id) { /* our request, for any address */
      static const uint8_t any[] = { 3, 6, 0, 0, 0, 0 };
      l->ipcp_id = 1;
      control(l, 0x8021, 1, 1, any, sizeof(any));
    }
  } else if (pk->protocol == 0x8021 && d[0] == 3 && pk->len >= 10) { /* naked: take it */
    l->host = be32(d + 6);
    control(l, 0x8021, 1, (uint8_t)++l->ipcp_id, d + 4, 6);
  } else if (pk->protocol == 0x8021 && d[0] == 2) {
    l->ipcp_acked = 1;
  }
}

/* Reads from the line for up to ms, feeding the PPP decoder; 0 on hang-up. */
static int pump(struct link *l, int ms)
{
  static uint8_t buf[65536];
  struct pollfd p = { l->fd, POLLIN, 0 };
  ssize_t n;
  if (poll(&p, 1, ms) <= 0)
    return 1;
  n = read(l->fd, buf, sizeof(buf));
  if (n <= 0)
    return n < 0 && errno == EAGAIN;
  if (l->dlc)
    cmux_input(&l->mux, (const char *)buf, (size_t)n);
  else
    line_bytes(l, buf, (size_t)n);
  return 1;
}

/* A server that sends TOTAL bytes to its first client, then closes. */
static pid_t sender(int *port)
{
  struct sockaddr_in a;
  socklen_t al = sizeof(a);
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  pid_t pid;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4) ||
      getsockname(s, (struct sockaddr *)&a, &al))
    return -1;
  *port = ntohs(a.sin_port);
  pid = fork();
  if (pid == 0) {
    static char block[65536];
    alarm(120);
    memset(block, 'p', sizeof(block));
    for (;;) {
      int c = accept(s, NULL, NULL);
      size_t sent = 0;
      while (c >= 0 && sent < TOTAL) {
        ssize_t w = write(c, block, TOTAL - sent < sizeof(block) ? TOTAL - sent : sizeof(block));
        if (w <= 0)
          break;
        sent += (size_t)w;
      }
      if (c >= 0)
        close(c);
    }
  }
  close(s);
  return pid;
}

static double direct(int port)
{
  static char buf[65536];
  struct sockaddr_in a;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  size_t got = 0;
  double t0 = now_s();
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((uint16_t)port);
  if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0)
    return -1;
  for (ssize_t n; (n = read(s, buf, sizeof(buf))) > 0;)
    got += (size_t)n;
  close(s);
  return got == TOTAL ? now_s() - t0 : -1;
}

/* AT on the port: the line's answer, until want or 5 s. */
static int port_answer(int fd, const char *cmd, const char *want)
{
  char got[512];
  size_t have = 0;
  double until = now_s() + 5;
  if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
    return -1;
  while (now_s() < until) {
    struct pollfd p = { fd, POLLIN, 0 };
    ssize_t n;
    if (poll(&p, 1, 200) > 0 && (n = read(fd, got + have, sizeof(got) - 1 - have)) > 0) {
      have += (size_t)n;
      got[have] = '\0';
      if (strstr(got, want))
        return 0;
    }
  }
  return -1;
}

int bench_ppp(const char *tty, int dlc)
{
  struct link l;
  struct termios t;
  int port;
  pid_t srv = sender(&port);
  double t_direct, t0, t_ppp, deadline;
  memset(&l, 0, sizeof(l));
  if (srv < 0 || (t_direct = direct(port)) < 0) {
    fprintf(stderr, "fotabench: the loopback TCP server failed\n");
    return 1;
  }
  l.fd = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (l.fd < 0 || tcgetattr(l.fd, &t) != 0) {
    fprintf(stderr, "fotabench: cannot open %s\n", tty);
    kill(srv, SIGTERM);
    return 1;
  }
  cfmakeraw(&t);
  tcsetattr(l.fd, TCSANOW, &t);
  ppp_hdlc_rx_init(&l.rx);
  if (port_answer(l.fd, "ATE0\r", "OK\r\n") != 0 ||
      (dlc && port_answer(l.fd, "AT+CMUX=0,0,5,127,10,3,30,10,2\r", "OK\r\n") != 0)) {
    fprintf(stderr, "fotabench: %s does not answer AT%s\n", tty, dlc ? "+CMUX" : "");
    kill(srv, SIGTERM);
    return 1;
  }
  if (dlc) { /* DLCI 0 and 1 opened; their UAs are read by the parser and dropped */
    struct cmux_params par;
    uint8_t f[16];
    cmux_params_default(&par);
    cmux_init(&l.mux, &par, &client_ops, &l);
    l.mux.started = 1;
    l.mux.dlc[1].open = 1;
    l.dlc = 1;
    write_all(&l, f, cmux_frame(f, 0, 1, 0x3F, NULL, 0));
    write_all(&l, f, cmux_frame(f, 1, 1, 0x3F, NULL, 0));
  }
  line_write(&l, (const uint8_t *)"ATD*99#\r", 8);
  for (deadline = now_s() + 10; now_s() < deadline && !l.connected;)
    pump(&l, 100);
  if (!l.connected) {
    fprintf(stderr, "fotabench: no CONNECT to ATD*99# on %s\n", tty);
    kill(srv, SIGTERM);
    return 1;
  }
  {
    static const uint8_t ours[] = { 2, 6, 0, 0, 0, 0, 7, 2, 8, 2 }; /* ACCM 0, PFC, ACFC */
    control(&l, 0xC021, 1, 1, ours, sizeof(ours));
  }
  for (deadline = now_s() + 10; now_s() < deadline && !(l.lcp_acked && l.ipcp_acked && l.host);)
    pump(&l, 100);
  if (!l.ipcp_acked || !l.host) {
    fprintf(stderr, "fotabench: PPP did not come up on %s\n", tty);
    kill(srv, SIGTERM);
    return 1;
  }
  l.gw = (l.host & 0xFFFFFF00) | 1;
  l.lport = 41000;
  l.sport = port;
  t0 = now_s();
  tcp(&l, 0x02, 1000, 0);
  for (deadline = t0 + 120; now_s() < deadline && !l.fin;)
    if (!pump(&l, 1000))
      break;
  t_ppp = now_s() - t0;
  kill(srv, SIGTERM);
  waitpid(srv, NULL, 0);
  if (!l.fin || l.got != TOTAL) {
    fprintf(stderr, "fotabench: %u of %u bytes came through PPP\n", l.got, TOTAL);
    return 1;
  }
  printf("direct TCP over loopback    %6.1f MB/s (%u MB)\n", TOTAL / t_direct / 1e6, TOTAL >> 20);
  printf("TCP through PPP%s and the NAT %6.1f MB/s\n", dlc ? " on a DLC" : "", TOTAL / t_ppp / 1e6);
  printf("ratio: %.1fx the direct transfer\n", t_ppp / t_direct);
  return 0;
}
