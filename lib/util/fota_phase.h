/* fota_phase: the FOTA phases as the module reports them on the control channel (events and
 * status) and as `fotasim run`'s expectations name them; the one list both ends share. */
#ifndef FOTASIM_FOTA_PHASE_H
#define FOTASIM_FOTA_PHASE_H

enum fota_phase {
  FOTA_IDLE, FOTA_DATACALL, FOTA_DOWNLOAD, FOTA_VERIFY, FOTA_UPDATE, FOTA_REBOOT
};

const char *fota_phase_name(enum fota_phase p);
int fota_phase_parse(const char *name);  /* -1 if unknown */

#endif
