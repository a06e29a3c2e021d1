/* uart: the main UART's physical model, on real time (the host on the other end is real).
 * Bytes cross the wire at the baud rate (8N1: baud/10 bytes/s) into a receive buffer of
 * UART_RX_BUFFER bytes. While the firmware reads AT commands it empties the buffer at once; while
 * it takes raw data (FILE mode, AT+QFUPL) it drains it at UART_DRAIN_PERCENT of the line rate,
 * as its file system writes. With AT+IFC=2,2 the module deasserts CTS when the buffer is full:
 * it stops reading the PTY, so the host's writes block. Without flow control, bytes that find the
 * buffer full are lost. Output is paced at the line rate only under --timing real. */
#ifndef FOTASIM_UART_H
#define FOTASIM_UART_H

#include <stddef.h>
#include <stdint.h>

#define UART_RX_BUFFER 2048
#define UART_DRAIN_PERCENT 80
#define UART_BURST 256          /* bytes the wire may deliver at once after an idle spell */

struct uart {
  uint64_t baud;
  double level;             /* bytes waiting in the receive buffer */
  double rx_tokens;         /* bytes the wire has carried that were not read yet */
  double tx_tokens;
  uint64_t rx_last_ns, tx_last_ns;
  unsigned long lost;       /* bytes lost to overruns */
};

void uart_init(struct uart *u, uint64_t baud, uint64_t now_ns);
void uart_set_baud(struct uart *u, uint64_t baud);
/* How many bytes may be read from the PTY now; 0 means wait *wait_ms first. */
size_t uart_rx_budget(struct uart *u, uint64_t now_ns, int raw, int flow_control,
                      uint64_t *wait_ms);
/* Takes n bytes that were read; returns how many survive (the rest are lost to an overrun). */
size_t uart_rx_accept(struct uart *u, size_t n, int raw, int flow_control);
/* How many bytes may be written now (paced output); 0 means wait *wait_ms. */
size_t uart_tx_budget(struct uart *u, uint64_t now_ns, uint64_t *wait_ms);
void uart_tx_spent(struct uart *u, size_t n);

#endif
