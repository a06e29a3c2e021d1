/* fuzz_dns: the data call's DNS answers from the scenario's map (sim/net/nat) on any IP packet
 * from the host: an answer is only given to a well-formed A query for a mapped name, it fits
 * the buffer, and it is addressed back to the asker. */
#include <string.h>

#include "fuzz.h"
#include "nat.h"

static const struct dns_entry map[] = { { "ppp.example", "127.0.0.1" }, { "a", "10.1.2.3" } };

void fuzz_init(void)
{
}

void fuzz_one(const uint8_t *in, size_t len)
{
  uint8_t rep[600];
  size_t n = nat_dns_reply(in, len, 0x0A400003, map, 2, rep, sizeof(rep));
  if (n == 0)
    return;
  if (n > sizeof(rep) || n < 28 + 12 + 16 || memcmp(rep + 16, in + 12, 4) ||
      memcmp(rep + 12, in + 16, 4) || rep[9] != 17)
    __builtin_trap();
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  static const uint8_t q[] = { 0x45, 0, 0, 57, 0, 0, 0, 0, 64, 17, 0, 0, 10, 64, 0, 15, 10, 64,
                               0, 3, 0x9c, 0x41, 0, 53, 0, 37, 0, 0, 0x12, 0x34, 1, 0, 0, 1, 0,
                               0, 0, 0, 0, 0, 3, 'p', 'p', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l',
                               'e', 0, 0, 1, 0, 1 };
  emit(q, sizeof(q));
}
