/* fota_phase: the FOTA phases' names (see fota_phase.h). */
#include "fota_phase.h"

#include <string.h>

static const char *const names[] = { "idle", "datacall", "download", "verify", "update",
                                     "reboot" };

const char *fota_phase_name(enum fota_phase p)
{
  return names[p];
}

int fota_phase_parse(const char *name)
{
  for (int p = FOTA_IDLE; p <= FOTA_REBOOT; p++)
    if (!strcmp(name, names[p]))
      return p;
  return -1;
}
