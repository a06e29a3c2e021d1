/* test_powercut: a power cut at every sector of a 2 MB update (514 sectors), each torn
 * in one of four ways in turn (during its erase: half erased, half as it was; after 1, 2048 or
 * 4095 bytes of its programming), with and without module.resume_update, on a real module in
 * this process (inproc_module: a process per cut would not fit in the suite's time). The
 * package comes over the USB AT port in FILE mode as a host sends it. Without resume the module
 * never comes up on a bad image: bricked and silent until reflashed. With resume it always
 * finishes on the new firmware. FOTASIM_CUT_EVERY=N tries every N-th sector only (and always
 * the last): the sanitizer run, where each cut costs several times more. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "fota_host.h"
#include "fotasim/package.h"
#include "host.h"
#include "inproc_module.h"
#include "scenario.h"

static const size_t tear[4] = { 0, 1, 2048, 4095 }; /* byte of the sector's write it stops at */

#define BODY_SIZE (2u * 1024 * 1024)

static uint8_t *delta;        /* A to B, 2 MB images */
static size_t delta_len, b_len;
static char a_path[64];       /* image A, flashed at first and to go back */

/* Images A and B of 2 MB (B: A with changes here and there) and the package between them. */
static void make_images(void)
{
  size_t a_len = FW_HEADER_SIZE + BODY_SIZE;
  uint8_t *a = fw_image_synthesize(REV_A, BODY_SIZE, 1);
  uint8_t *b = fw_image_mutate(a, a_len, REV_B, 30, 5, &b_len);
  FILE *f;
  int fd;
  delta = pkg_build(a, a_len, b, b_len, &delta_len, NULL);
  snprintf(a_path, sizeof(a_path), "/tmp/fotasim-cut-a-XXXXXX");
  fd = mkstemp(a_path);
  f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!delta || !f || fwrite(a, 1, a_len, f) != a_len || fclose(f) != 0) {
    fprintf(stderr, "test_powercut: cannot make the images\n");
    exit(1);
  }
  free(a);
  free(b);
}

static size_t every(void)
{
  const char *e = getenv("FOTASIM_CUT_EVERY");
  long n = e ? strtol(e, NULL, 10) : 1;
  return n >= 1 ? (size_t)n : 1;
}

static void inject_cut(struct module *m, uint64_t offset)
{
  char text[128], err[256];
  struct fault_rule r;
  snprintf(text, sizeof(text), "{phase: update, offset: %llu, cut_power: true}",
           (unsigned long long)offset);
  ck_assert_msg(fault_rule_parse(text, &r, err, sizeof(err)) == 0, "%s", err);
  module_fault_clear(m);
  ck_assert_int_gt(module_fault_add(m, &r), 0);
}

/* The module on the old firmware again: reflashed with image A and booted. */
static void back_to_a(struct inproc_module *f)
{
  char err[256];
  if (module_power_state(f->m) != POWER_BRICKED)
    module_power_cut(f->m);
  ck_assert_msg(module_reflash(f->m, a_path, err, sizeof(err)) == 0, "%s", err);
  ck_assert_int_eq(inproc_module_boot(f), POWER_ON);
  ck_assert_str_eq(module_revision(f->m), REV_A);
}

/* Runs until the resumed update has booted the new firmware (or it never does). */
static void until_revision(struct inproc_module *f, const char *rev)
{
  for (int i = 0; i < 40 && strcmp(module_revision(f->m), rev) != 0; i++) {
    inproc_module_run_while_on(f, 20000);
    if (module_power_state(f->m) != POWER_ON)
      inproc_module_boot(f);
  }
}

static void cuts(int resume)
{
  struct inproc_module f;
  /* the host's waits capped (module.host_timeout) so that FILEEND comes at once */
  struct inproc_options o = { resume, a_path, 20 };
  size_t nsec = (b_len + 4095) / 4096, step = every(), tried = 0, bad = 0, bricked = 0;
  char cmd[64];
  inproc_module_init(&f, &o);
  ck_assert_str_eq(module_revision(f.m), REV_A);
  ck_assert_int_ge(nsec, 513);
  snprintf(cmd, sizeof(cmd), "AT+QFOTADL=\"FILE:%zu\",1,0,0\r", delta_len);
  for (size_t sector = 0; sector < nsec; sector++) {
    enum power_state st;
    size_t at = tear[(sector + (size_t)resume) % 4];
    if (sector % step && sector != nsec - 1)
      continue;
    tried++;
    inject_cut(f.m, (uint64_t)sector * 4096 + at);
    inproc_module_send(&f, cmd, strlen(cmd));
    inproc_module_send(&f, (const char *)delta, delta_len);
    st = inproc_module_run_while_on(&f, 1000000);
    ck_assert_msg(st == POWER_OFF, "sector %zu: the power was not cut (state %d); the port said %s",
                  sector, st, show(f.said, strlen(f.said)));
    st = inproc_module_boot(&f);
    if (resume) {
      until_revision(&f, REV_B);
      ck_assert_msg(module_power_state(f.m) == POWER_ON && !strcmp(module_revision(f.m), REV_B),
                    "sector %zu, torn at %zu: resumed to '%s', state %d", sector, at,
                    module_revision(f.m), module_power_state(f.m));
    } else {
      bricked += st == POWER_BRICKED;
      bad += st != POWER_BRICKED; /* up on a torn image */
      ck_assert_msg(st == POWER_BRICKED, "sector %zu, torn at %zu: came up (state %d, '%s')",
                    sector, at, st, module_revision(f.m));
      inproc_module_settle(&f);
      ck_assert_int_eq(module_power_state(f.m), POWER_BRICKED); /* and stays so */
    }
    back_to_a(&f);
  }
  fprintf(stderr, "test_powercut: %s resume: %zu of %zu sectors cut, %zu bricked, %zu up on a "
                  "bad image\n", resume ? "with" : "without", tried, nsec, bricked, bad);
  ck_assert_uint_eq(bad, 0);
  ck_assert_uint_ge(tried, nsec / step);
}

START_TEST(power_cut_at_every_sector_without_resume)
{
  cuts(0);
}
END_TEST

START_TEST(power_cut_at_every_sector_with_resume)
{
  cuts(1);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("powercut");
  TCase *t = tcase_create("powercut");
  make_images();
  tcase_set_timeout(t, 1500);
  tcase_add_test(t, power_cut_at_every_sector_without_resume);
  tcase_add_test(t, power_cut_at_every_sector_with_resume);
  suite_add_tcase(s, t);
  {
    int rc = run_suite(s);
    unlink(a_path);
    return rc;
  }
}
