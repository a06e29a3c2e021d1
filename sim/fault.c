/* fault: the fault-injection engine: the scenario's rules, checked at each point of a FOTA
 * (data call, download progress, verification, update progress). A rule that fires makes the
 * FOTA fail with its code or cuts the power. */
#include "fault.h"

#include <strings.h>

/* A rule with a probability fires when the seeded generator says so (xorshift64). */
static int draw(struct fault_set *fs, const struct fault_rule *r)
{
  uint64_t x = fs->rng ? fs->rng : 0x2545F4914F6CDD1DULL;
  if (!r->probability)
    return 1;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  fs->rng = x;
  return (int)(x % 100) < r->probability;
}

struct fault_rule *fault_check(struct fault_set *fs, enum fault_phase phase, int percent,
                               int attempt)
{
  for (int i = 0; i < fs->n; i++) {
    struct fault_rule *r = &fs->rules[i];
    if (r->command[0] || r->phase != (int)phase || percent < r->percent ||
        (r->fired && !r->repeat))
      continue;
    if (r->attempt && r->attempt != attempt)
      continue;
    if (!draw(fs, r))
      continue;
    r->fired = 1;
    return r;
  }
  return 0;
}

int fault_command(struct fault_set *fs, const char *name)
{
  for (int i = 0; i < fs->n; i++) {
    struct fault_rule *r = &fs->rules[i];
    if (!r->command[0] || strcasecmp(r->command + 2, name) != 0)
      continue;
    r->seen++;
    if (r->occurrence && r->seen != r->occurrence)
      continue;
    if (r->fired && !r->repeat && !r->occurrence)
      continue;
    if (!draw(fs, r))
      continue;
    r->fired = 1;
    return r->fail;
  }
  return -1;
}
