/* fault: the fault-injection engine: the scenario's rules, checked at each point of a FOTA
 * (data call, download progress, verification, update progress). A rule that fires makes the
 * FOTA fail with its code or cuts the power. */
#include "fault.h"

struct fault_rule *fault_check(struct fault_set *fs, enum fault_phase phase, int percent,
                               int attempt)
{
  for (int i = 0; i < fs->n; i++) {
    struct fault_rule *r = &fs->rules[i];
    if (r->phase != (int)phase || percent < r->percent || (r->fired && !r->repeat))
      continue;
    if (r->attempt && r->attempt != attempt)
      continue;
    r->fired = 1;
    return r;
  }
  return 0;
}
