/* escape: "+++" between guard times, one byte at a time. */
#include "escape.h"

enum escape_step escape_byte(struct escape *e, char c, int first, uint64_t now_ns, int *released)
{
  /* an escape starts only with the first byte after a guard time of silence */
  int quiet = first && now_ns - e->last_ns >= (uint64_t)ESCAPE_GUARD_MS * 1000000;
  *released = 0;
  if (c == '+' && (e->pluses ? e->pluses < 3 : quiet))
    return ++e->pluses == 3 ? ESCAPE_ARMED : ESCAPE_HELD;
  *released = e->pluses; /* not an escape after all: the pluses were data */
  e->pluses = 0;
  return ESCAPE_DATA;
}
