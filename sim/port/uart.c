/* uart: the main UART's physical model, on real time (see uart.h for the model and numbers). */
#include "uart.h"

static double byte_rate(const struct uart *u)
{
  return (double)u->baud / 10.0;
}

void uart_init(struct uart *u, uint64_t baud, uint64_t now_ns)
{
  u->baud = baud ? baud : 115200;
  u->level = 0;
  u->rx_tokens = UART_BURST;
  u->tx_tokens = UART_BURST;
  u->rx_last_ns = u->tx_last_ns = now_ns;
  u->lost = 0;
}

void uart_set_baud(struct uart *u, uint64_t baud)
{
  u->baud = baud ? baud : 115200;
}

/* Brings the wire's tokens and the buffer's level up to now. */
static void advance(struct uart *u, uint64_t now_ns, int raw)
{
  double dt = now_ns > u->rx_last_ns ? (double)(now_ns - u->rx_last_ns) / 1e9 : 0;
  u->rx_last_ns = now_ns;
  u->rx_tokens += dt * byte_rate(u);
  if (u->rx_tokens > UART_BURST)
    u->rx_tokens = UART_BURST;
  if (!raw)
    u->level = 0; /* the AT interpreter empties the buffer as fast as bytes come */
  else {
    u->level -= dt * byte_rate(u) * UART_DRAIN_PERCENT / 100.0;
    if (u->level < 0)
      u->level = 0;
  }
}

static uint64_t ms_for(double bytes, double rate)
{
  uint64_t ms = (uint64_t)(bytes / rate * 1000.0) + 1;
  return ms;
}

size_t uart_rx_budget(struct uart *u, uint64_t now_ns, int raw, int flow_control,
                      uint64_t *wait_ms)
{
  double allow;
  advance(u, now_ns, raw);
  allow = u->rx_tokens;
  if (flow_control && raw) {
    double room = UART_RX_BUFFER - u->level;
    if (room < 1) { /* CTS off until the firmware has drained some */
      *wait_ms = ms_for(64, byte_rate(u) * UART_DRAIN_PERCENT / 100.0);
      return 0;
    }
    if (allow > room)
      allow = room;
  }
  if (allow < 1) {
    *wait_ms = ms_for(1 - u->rx_tokens + 31, byte_rate(u)); /* a few bytes' worth */
    return 0;
  }
  return (size_t)allow;
}

size_t uart_rx_accept(struct uart *u, size_t n, int raw, int flow_control)
{
  double room;
  size_t kept = n;
  u->rx_tokens -= (double)n;
  if (!raw)
    return n;
  room = UART_RX_BUFFER - u->level;
  if (!flow_control && (double)n > room) { /* overrun: what finds the buffer full is lost */
    kept = room > 0 ? (size_t)room : 0;
    u->lost += n - kept;
  }
  u->level += (double)kept;
  return kept;
}

size_t uart_tx_budget(struct uart *u, uint64_t now_ns, uint64_t *wait_ms)
{
  double dt = now_ns > u->tx_last_ns ? (double)(now_ns - u->tx_last_ns) / 1e9 : 0;
  u->tx_last_ns = now_ns;
  u->tx_tokens += dt * byte_rate(u);
  if (u->tx_tokens > UART_BURST)
    u->tx_tokens = UART_BURST;
  if (u->tx_tokens < 1) {
    *wait_ms = ms_for(32, byte_rate(u));
    return 0;
  }
  return (size_t)u->tx_tokens;
}

void uart_tx_spent(struct uart *u, size_t n)
{
  u->tx_tokens -= (double)n;
}
