/* module_internal: what the files of module/ share and nobody else sees: the FOTA engine's
 * callbacks and the fault actions. */
#ifndef FOTASIM_MODULE_INTERNAL_H
#define FOTASIM_MODULE_INTERNAL_H

#include "fota.h"
#include "module.h"
#include "module_faults.h"

/* How the FOTA engine reports to its module (module_fota.c); ctx is the module. */
extern const struct fota_ops module_fota_ops;

#endif
