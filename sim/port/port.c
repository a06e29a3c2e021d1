/* port: one byte pipe of a module on a PTY (see port.h): polling, the UART model, bounded
 * output, and input handed to the one attached consumer. */
#include "port.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "port_io.h"


/* The UART model applies where a baud rate exists: not on a TCP attachment. */
static int is_uart(const struct port *p)
{
  return p->is_uart && !(p->io && p->io->tcp);
}

static int flow_control(const struct port *p)
{
  return p->flow;
}

static void paced(uv_timer_t *t);

static void pace_wait(struct port *p, int rx, uint64_t ms)
{
  if (rx)
    p->io->rx_wait = 1;
  else
    p->io->tx_wait = 1;
  if (!uv_is_active((uv_handle_t *)&p->io->pace))
    uv_timer_start(&p->io->pace, paced, ms, 0);
}

static void update_poll(struct port *p);

static void emit_bytes(struct port *p, enum event_type type, const char *data, size_t len)
{
  char masked[PORT_IN_CHUNK + URL_MASK_HOLD];
  struct url_mask *mask = type == EV_RX ? &p->mask_rx : &p->mask_tx;
  while (len > 0) {
    size_t n = len < PORT_IN_CHUNK ? len : PORT_IN_CHUNK;
    size_t o = url_mask_feed(mask, data, n, masked);
    if (o > 0) {
      struct event ev = { .type = type, .module = p->owner, .port = p->name,
                          .data = masked, .len = o };
      event_emit(p->bus, &ev);
    }
    data += n;
    len -= n;
  }
}

static void flush_out(struct port *p)
{
  if (p->out_unevented > 0) {
    if (event_wanted(p->bus, EV_TX))
      emit_bytes(p, EV_TX, p->out + p->out_len - p->out_unevented, p->out_unevented);
    p->out_unevented = 0;
  }
  if (!p->io)
    return;
  if (p->io->tcp && !p->io->poll_live) { /* no host connected: what the module says is lost */
    p->out_len = 0;
    return;
  }
  while (p->out_len > 0 && !p->io->tx_wait) {
    size_t n = p->out_len;
    ssize_t w;
    if (is_uart(p) && p->clock->scale == 1.0) { /* --timing real: the line's own pace */
      uint64_t wait = 0;
      size_t budget;
      uart_set_baud(&p->uart, (uint64_t)p->baud);
      budget = uart_tx_budget(&p->uart, uv_hrtime(), &wait);
      if (budget == 0) {
        pace_wait(p, 0, wait);
        break;
      }
      if (n > budget)
        n = budget;
    }
    if (p->io->carry) { /* a channel of a multiplexer: it takes what its flow control allows */
      size_t took = p->io->carry(p->io->carry_ctx, p->out, n);
      if (took == 0)
        break; /* port_carrier_ready goes on */
      w = (ssize_t)took;
    } else if (p->io->tcp) {
      w = send(p->io->master, p->out, n, MSG_NOSIGNAL);
      if (w < 0 && errno != EAGAIN && errno != EINTR) { /* the host went: unplugged */
        port_tcp_drop(p->io);
        p->out_len = 0;
        break;
      }
    } else {
      w = write(p->io->master, p->out, n);
    }
    if (w > 0 && is_uart(p) && p->clock->scale == 1.0)
      uart_tx_spent(&p->uart, (size_t)w);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      break; /* EAGAIN: the host is not reading; the poll tells when to go on */
    p->tx_bytes += (unsigned long)w;
    memmove(p->out, p->out + w, p->out_len - (size_t)w);
    p->out_len -= (size_t)w;
  }
  update_poll(p);
  /* Streaming output: ask for more while there is room (the callback's own writes flush here
   * too, so it is never re-entered). */
  while (p->on_drain && !p->draining && p->out_len < PORT_OUT_LOW && p->io) {
    unsigned long before = p->tx_bytes + (unsigned long)p->out_len; /* grows by what is put */
    p->draining = 1;
    p->on_drain(p->drain_ctx);
    p->draining = 0;
    if (p->tx_bytes + (unsigned long)p->out_len == before)
      break; /* it had nothing now: asked again at the next write, never in a spin */
  }
}

/* Into the output buffer, bounded; written to the PTY now unless a callback is running. */
static void put_out(void *ctx, const char *data, size_t len)
{
  struct port *p = ctx;
  if (!p->io)
    return;
  if (p->out_len + len > p->out_cap) {
    size_t cap = p->out_cap ? p->out_cap : 1024;
    while (cap < p->out_len + len && cap < PORT_OUT_MAX)
      cap *= 2;
    if (cap > p->out_cap) {
      char *n = realloc(p->out, cap);
      if (n) {
        p->out = n;
        p->out_cap = cap;
      }
    }
  }
  if (p->out_len + len > p->out_cap) { /* the host has stopped reading: lose what is over */
    size_t room = p->out_cap - p->out_len;
    if (p->out_dropped == 0)
      log_warn("module %d port %s: host not reading, output dropped", p->owner, p->name);
    p->out_dropped += len - room;
    len = room;
  }
  memcpy(p->out + p->out_len, data, len);
  p->out_len += len;
  p->out_unevented += len;
  if (!p->in_callback)
    flush_out(p);
}

void port_write(struct port *p, const char *data, size_t len)
{
  if (!p->io)
    return;
  if (port_shape_active(&p->shape))
    port_shape_write(&p->shape, data, len); /* a fault rule is acting on the output */
  else
    put_out(p, data, len);
}

/* Feeds held input to the consumer until it is all taken or the consumer takes nothing (a
 * command went asynchronous). The consumer may change on the way (an upload that ends). */
static void feed_held(struct port *p)
{
  if (p->feeding) /* a consumer finished inside this loop: the loop goes on with the next one */
    return;
  p->feeding = 1;
  while (p->in_off < p->in_len && p->listening && p->cur.on_bytes) {
    int from_fallback = !port_attached(p);
    size_t n = p->cur.on_bytes(p->cur.ctx, p->in + p->in_off, p->in_len - p->in_off);
    if (n == 0)
      break;
    p->in_off += n;
    if (from_fallback && port_attached(p) && p->in_off < p->in_len &&
        p->in[p->in_off - 1] == '\r' && p->in[p->in_off] == '\n')
      p->in_off++; /* the LF of the command line's CRLF: the line's end, nobody's data */
  }
  p->feeding = 0;
  if (p->in_off >= p->in_len || !p->listening)
    p->in_off = p->in_len = 0;
}

static void on_poll(uv_poll_t *h, int status, int events)
{
  struct port_io *io = h->data;
  struct port *p = io->port;
  if (!p)
    return;
  if (status < 0) {
    log_warn("module %d port %s: poll error %s", p->owner, p->name, uv_strerror(status));
    return;
  }
  p->in_callback = 1;
  if ((events & UV_READABLE) && p->in_len == 0 && !io->rx_wait) {
    size_t want = sizeof(p->in);
    int raw = port_attached(p);
    ssize_t r;
    if (is_uart(p)) { /* the wire's pace, and CTS when the buffer is full */
      uint64_t wait = 0;
      uart_set_baud(&p->uart, (uint64_t)p->baud);
      want = uart_rx_budget(&p->uart, uv_hrtime(), raw, flow_control(p), &wait);
      if (want == 0)
        pace_wait(p, 1, wait);
      else if (want > sizeof(p->in))
        want = sizeof(p->in);
    }
    r = want ? read(io->master, p->in, want) : 0;
    if (io->device && want && r < 0 && errno != EAGAIN && errno != EINTR) {
      log_warn("module %d port %s: the serial device %s failed: %s", p->owner, p->name, p->spec,
               strerror(errno));
      uv_poll_stop(&io->poll); /* unplugged: nothing more comes from it */
      io->events = -1;
      p->in_callback = 0;
      return;
    }
    if (io->tcp && want && (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))) {
      port_tcp_drop(io); /* the host closed its end: a cable pulled; the module goes on */
      p->in_callback = 0;
      return;
    }
    if (r > 0) {
      size_t kept = (size_t)r;
      p->rx_bytes += (unsigned long)r;
      if (event_wanted(p->bus, EV_RX))
        emit_bytes(p, EV_RX, p->in, (size_t)r);
      if (is_uart(p))
        kept = uart_rx_accept(&p->uart, (size_t)r, raw, flow_control(p));
      if (p->listening && kept > 0) {
        p->in_len = kept;
        p->in_off = 0;
        feed_held(p);
      }
    }
  }
  p->in_callback = 0;
  flush_out(p);
}

static void paced(uv_timer_t *t)
{
  struct port_io *io = t->data;
  struct port *p = io->port;
  io->rx_wait = io->tx_wait = 0;
  if (!p)
    return;
  flush_out(p);
  update_poll(p);
}

static void update_poll(struct port *p)
{
  int want = 0;
  if (!p->io || p->io->carry || (p->io->tcp && !p->io->poll_live))
    return;
  if (p->in_len == 0 && !p->io->rx_wait)
    want |= UV_READABLE;
  if (p->out_len > 0 && !p->io->tx_wait)
    want |= UV_WRITABLE;
  if (want == p->io->events || p->io->events == -1) /* -1: a failed device, not polled */
    return;
  p->io->events = want;
  if (want)
    uv_poll_start(&p->io->poll, want, on_poll);
  else
    uv_poll_stop(&p->io->poll);
}

void port_init(struct port *p, uv_loop_t *loop, struct vclock *clock, struct event_bus *bus,
               int owner, const char *name, int is_uart, const char *link)
{
  memset(p, 0, sizeof(*p));
  p->loop = loop;
  p->clock = clock;
  p->bus = bus;
  p->owner = owner;
  p->name = name;
  p->is_uart = is_uart;
  p->baud = 115200;
  snprintf(p->link, sizeof(p->link), "%s", link);
  port_shape_init(&p->shape, clock, put_out, p);
  url_mask_init(&p->mask_rx);
  url_mask_init(&p->mask_tx);
}

static int link_pts(const char *pts, const char *link)
{
  char tmp[4200];
  snprintf(tmp, sizeof(tmp), "%s.new", link);
  unlink(tmp);
  if (symlink(pts, tmp) != 0)
    return -1;
  if (rename(tmp, link) != 0) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

static int port_open_device(struct port *p, char *err, size_t errlen);

int port_open(struct port *p, char *err, size_t errlen)
{
  if (!strncmp(p->spec, "tcp-listen:", 11))
    return port_tcp_open(p, p->spec + 11, 1, err, errlen);
  if (!strncmp(p->spec, "tcp:", 4))
    return port_tcp_open(p, p->spec + 4, 0, err, errlen);
  if (p->spec[0] == '/')
    return port_open_device(p, err, errlen);
  return port_open_pty(p, err, errlen);
}

void port_set_spec(struct port *p, const char *spec)
{
  snprintf(p->spec, sizeof(p->spec), "%s", spec ? spec : "");
}

int port_open_pty(struct port *p, char *err, size_t errlen)
{
  struct port_io *io;
  struct termios tio;
  const char *name;
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), slave;

  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || !(name = ptsname(master))) {
    snprintf(err, errlen, "cannot create a PTY for port %s: %s", p->name, strerror(errno));
    if (master >= 0)
      close(master);
    return -1;
  }
  snprintf(p->pts, sizeof(p->pts), "%s", name);
  /* Keeping a slave descriptor open ourselves means the master never sees a hang-up when the
   * host closes and reopens the port, and line settings survive between host sessions. */
  slave = open(p->pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0 || tcgetattr(slave, &tio) != 0) {
    snprintf(err, errlen, "cannot open %s: %s", p->pts, strerror(errno));
    close(master);
    if (slave >= 0)
      close(slave);
    return -1;
  }
  cfmakeraw(&tio);
  cfsetispeed(&tio, B115200);
  cfsetospeed(&tio, B115200);
  tcsetattr(slave, TCSANOW, &tio);
  if (link_pts(p->pts, p->link) != 0) {
    snprintf(err, errlen, "cannot create link %s: %s", p->link, strerror(errno));
    close(master);
    close(slave);
    return -1;
  }
  io = calloc(1, sizeof(*io));
  io->master = master;
  io->slave = slave;
  io->lfd = io->pending = -1;
  io->port = p;
  uv_poll_init(p->loop, &io->poll, master);
  io->poll.data = io;
  port_io_install(p, io, 1);
  update_poll(p);
  return 0;
}

struct port_io *port_io_new(struct port *p, int fd, char *err, size_t errlen)
{
  struct port_io *io = calloc(1, sizeof(*io));
  if (!io) {
    if (fd >= 0)
      close(fd);
    snprintf(err, errlen, "port %s: out of memory", p->name);
    return NULL;
  }
  io->master = io->slave = io->lfd = io->pending = -1;
  io->port = p;
  return io;
}

void port_io_install(struct port *p, struct port_io *io, int handles)
{
  uv_timer_init(p->loop, &io->pace);
  io->pace.data = io;
  io->handles_open = handles + 1;
  uart_init(&p->uart, (uint64_t)p->baud, uv_hrtime());
  p->io = io;
  p->in_len = p->in_off = 0;
}

void port_open_carried(struct port *p, port_carry_fn carry, void *ctx)
{
  struct port_io *io = calloc(1, sizeof(*io));
  if (!io)
    return;
  io->carry = carry;
  io->carry_ctx = ctx;
  io->port = p;
  p->io = io;
  p->in_len = p->in_off = 0;
  snprintf(p->pts, sizeof(p->pts), "(carried)");
}

size_t port_input(struct port *p, const char *data, size_t len)
{
  size_t room;
  int nested = p->in_callback;
  if (!p->io || !p->listening)
    return len; /* nobody reads it: gone, as on a PTY nobody reads */
  if (p->in_off > 0) { /* keep what is held at the start */
    memmove(p->in, p->in + p->in_off, p->in_len - p->in_off);
    p->in_len -= p->in_off;
    p->in_off = 0;
  }
  room = sizeof(p->in) - p->in_len;
  if (len > room)
    len = room;
  p->rx_bytes += (unsigned long)len;
  if (event_wanted(p->bus, EV_RX))
    emit_bytes(p, EV_RX, data, len);
  memcpy(p->in + p->in_len, data, len);
  p->in_len += len;
  p->in_callback = 1;
  feed_held(p);
  p->in_callback = nested;
  if (!nested)
    flush_out(p);
  return len;
}

void port_carrier_ready(struct port *p)
{
  if (p->io && p->io->carry && !p->in_callback)
    flush_out(p);
}

void port_io_closed(uv_handle_t *h)
{
  struct port_io *io = h->data;
  if (--io->handles_open > 0)
    return;
  if (io->master >= 0)
    close(io->master);
  if (io->slave >= 0)
    close(io->slave);
  if (io->lfd >= 0)
    close(io->lfd);
  if (io->pending >= 0)
    close(io->pending);
  free(io);
}

void port_on_poll(uv_poll_t *h, int status, int events)
{
  on_poll(h, status, events);
}

void port_flush(struct port *p)
{
  flush_out(p);
}

void port_update_poll(struct port *p)
{
  update_poll(p);
}

void port_close(struct port *p, int remove_link)
{
  struct port_io *io = p->io;
  if (!io)
    return;
  flush_out(p);
  port_shape_reset(&p->shape);
  p->io = NULL;
  io->port = NULL;
  if (io->carry) {
    free(io);
  } else if (io->tcp) {
    port_tcp_close(io, port_io_closed);
  } else {
    uv_close((uv_handle_t *)&io->poll, port_io_closed);
    uv_close((uv_handle_t *)&io->pace, port_io_closed);
  }
  p->out_len = p->out_unevented = 0;
  p->in_len = p->in_off = 0;
  p->pts[0] = '\0';
  if (remove_link)
    unlink(p->link);
}

void port_free(struct port *p)
{
  port_close(p, 0);
  port_shape_free(&p->shape);
  free(p->out);
  p->out = NULL;
  p->out_cap = 0;
}

static const struct { speed_t code; long baud; } speeds[] = {
  { B4800, 4800 },     { B9600, 9600 },     { B19200, 19200 },     { B38400, 38400 },
  { B57600, 57600 },   { B115200, 115200 }, { B230400, 230400 },   { B460800, 460800 },
  { B921600, 921600 }, { B1000000, 1000000 }, { B2000000, 2000000 }, { B3000000, 3000000 },
};

long port_host_baud(const struct port *p)
{
  struct termios t;
  speed_t sp;
  int fd = p->io ? (p->io->device ? p->io->master : p->io->slave) : -1;
  if (!p->io || p->io->carry || fd < 0 || tcgetattr(fd, &t) != 0)
    return 0;
  sp = cfgetospeed(&t);
  for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
    if (speeds[i].code == sp)
      return speeds[i].baud;
  return 0;
}

/* A serial device's own line: raw, at the port's baud rate, RTS/CTS as AT+IFC says. */
static void device_line(struct port *p)
{
  struct termios t;
  if (!p->io || !p->io->device || tcgetattr(p->io->master, &t) != 0)
    return;
  cfmakeraw(&t);
  for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
    if (speeds[i].baud == p->baud) {
      cfsetispeed(&t, speeds[i].code);
      cfsetospeed(&t, speeds[i].code);
    }
  if (p->flow)
    t.c_cflag |= CRTSCTS;
  else
    t.c_cflag &= ~(tcflag_t)CRTSCTS;
  t.c_cflag |= CLOCAL | CREAD;
  tcsetattr(p->io->master, TCSANOW, &t);
}

/* An existing serial device (a USB-serial adapter wired to the MCU's UART): no PTY, no link. */
static int port_open_device(struct port *p, char *err, size_t errlen)
{
  struct port_io *io;
  struct termios t;
  int fd = open(p->spec, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 || tcgetattr(fd, &t) != 0) {
    snprintf(err, errlen, "port %s: cannot open the serial device %s: %s", p->name, p->spec,
             strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  if (!(io = port_io_new(p, fd, err, errlen)))
    return -1;
  io->device = 1;
  io->master = fd;
  uv_poll_init(p->loop, &io->poll, fd);
  io->poll.data = io;
  port_io_install(p, io, 1);
  snprintf(p->pts, sizeof(p->pts), "%.63s", p->spec);
  device_line(p);
  update_poll(p);
  return 0;
}

void port_set_fallback(struct port *p, port_bytes_fn on_bytes, void *ctx)
{
  int attached = port_attached(p);
  p->fallback.on_bytes = on_bytes;
  p->fallback.ctx = ctx;
  if (!attached)
    p->cur = p->fallback;
}

void port_attach(struct port *p, port_bytes_fn on_bytes, void *ctx)
{
  p->cur.on_bytes = on_bytes;
  p->cur.ctx = ctx;
}

void port_release(struct port *p, void *ctx)
{
  if (!ctx || p->cur.ctx == ctx)
    p->cur = p->fallback;
}

void port_resume(struct port *p)
{
  int nested = p->in_callback;
  p->in_callback = 1;
  feed_held(p);
  p->in_callback = nested;
  if (!nested)
    flush_out(p);
}

void port_set_drain(struct port *p, void (*fn)(void *ctx), void *ctx)
{
  p->on_drain = fn;
  p->drain_ctx = ctx;
}

void port_set_line(struct port *p, long baud, int flow)
{
  p->baud = baud;
  p->flow = flow;
  device_line(p); /* a real serial device takes the settings on its own line */
}

void port_listen(struct port *p, int on)
{
  p->listening = on;
  if (!on) {
    p->cur = p->fallback;
    p->on_drain = NULL;
    port_shape_reset(&p->shape);
    p->in_len = p->in_off = 0;
    update_poll(p);
  }
}
