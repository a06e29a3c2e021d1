/* runner_alone: `fotasim run` linked with nothing but the runner's own dependencies (the
 * scenario loader and lib/): if runner/ ever calls into the module or libcurl, this program
 * does not link. Run as a test, it answers --help as fotasim run does. */
#include "run.h"

int main(int argc, char **argv)
{
  return run_main(argc, argv);
}
