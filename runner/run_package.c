/* run_package: the package `fotasim run` builds for a scenario (see run_package.h): the module's
 * first image (as fotasim makes it from the model or the scenario's revision), a new image
 * mutated from it, and a delta or full package between them. */
#include "run_package.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fotasim/package.h"

int run_package_build(const struct run_scenario *sc, int model, const char *path, char *revision,
                      size_t revlen, char *err, size_t errlen)
{
  const char *new_rev = sc->package.revision[0] ? sc->package.revision
                        : model == 1 ? RUN_PACKAGE_REVISION_EG915U
                                     : RUN_PACKAGE_REVISION_EC200U;
  size_t base_len = 0, new_len = 0, pkg_len = 0;
  uint8_t *base, *img = NULL, *pkg = NULL;
  FILE *f;
  int rc = -1;
  /* the module's own first image, or the model's default one */
  base = fw_default_image(model, sc->package.base_default ? NULL : sc->base.revision, &base_len);
  if (base)
    img = fw_image_mutate(base, base_len, new_rev, 30, 5, &new_len);
  if (img)
    pkg = sc->package.full ? pkg_build(NULL, 0, img, new_len, &pkg_len, NULL)
                           : pkg_build(base, base_len, img, new_len, &pkg_len, NULL);
  if (!pkg) {
    snprintf(err, errlen, "cannot build the package for revision %s", new_rev);
  } else if (!(f = fopen(path, "wb"))) {
    snprintf(err, errlen, "cannot write the package %s", path);
  } else {
    size_t w = fwrite(pkg, 1, pkg_len, f);
    if (fclose(f) != 0 || w != pkg_len)
      snprintf(err, errlen, "cannot write the package %s", path);
    else
      rc = 0;
    snprintf(revision, revlen, "%s", new_rev);
  }
  free(base);
  free(img);
  free(pkg);
  return rc;
}
