/* escape: V.250's way out of a data mode, "+++" after a guard time of the host's silence (the
 * guard time after it is the caller's timer); for transparent sockets and uploads from the port. */
#ifndef FOTASIM_ESCAPE_H
#define FOTASIM_ESCAPE_H

#include <stdint.h>

#define ESCAPE_GUARD_MS 1000       /* real time: the host's silence around "+++" */

struct escape {
  int pluses;                      /* escape candidates held back */
  uint64_t last_ns;                /* when the host's last bytes came (uv_hrtime) */
};

enum escape_step {
  ESCAPE_DATA,                     /* the byte is data (after *released held pluses) */
  ESCAPE_HELD,                     /* a '+' held back: it may be part of an escape */
  ESCAPE_ARMED                     /* the third: an escape, once the guard time passes quietly */
};

/* One byte of a read that came at now_ns; first: the read's first byte. *released: how many
 * held pluses turned out to be data and go before this byte. */
enum escape_step escape_byte(struct escape *e, char c, int first, uint64_t now_ns, int *released);

#endif
