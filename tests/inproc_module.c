/* inproc_module: a real module in the process that drives it (see inproc_module.h). */
#include "inproc_module.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"
#include "curl_loop.h"
#include "log.h"

static void open_usb(struct inproc_module *f)
{
  struct termios t;
  const char *link = module_port_link(f->m, PORT_USB);
  if (f->usb >= 0)
    close(f->usb);
  f->usb = link ? open(link, O_RDWR | O_NOCTTY | O_NONBLOCK) : -1;
  if (f->usb >= 0 && tcgetattr(f->usb, &t) == 0) {
    cfmakeraw(&t);
    tcsetattr(f->usb, TCSANOW, &t);
  }
}

static void drain(struct inproc_module *f)
{
  char buf[4096];
  ssize_t n;
  while (f->usb >= 0 && (n = read(f->usb, buf, sizeof(buf))) > 0) {
    size_t keep = sizeof(f->said) - 1, have = strlen(f->said), add = (size_t)n;
    const char *from = buf;
    if (add > keep) { /* only the end of it */
      from += add - keep;
      add = keep;
    }
    if (have + add > keep) {
      memmove(f->said, f->said + have + add - keep, keep - add);
      have = keep - add;
    }
    memcpy(f->said + have, from, add);
    f->said[have + add] = '\0';
  }
}

void inproc_module_settle(struct inproc_module *f)
{
  for (int i = 0; i < 16; i++) {
    uv_run(f->loop, UV_RUN_NOWAIT);
    drain(f);
  }
}

/* Runs the loop until the module answers AT again (instant clock: a boot takes loop turns). */
static void until_on(struct inproc_module *f)
{
  for (int i = 0; i < 100000 && module_power_state(f->m) != POWER_ON; i++)
    uv_run(f->loop, UV_RUN_NOWAIT);
  if (module_power_state(f->m) != POWER_ON) {
    fprintf(stderr, "inproc_module: the module did not boot\n");
    exit(1);
  }
  open_usb(f);
  inproc_module_settle(f);
}

static char made_dir[64];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void remove_state_dir(void)
{
  if (made_dir[0])
    nftw(made_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void inproc_module_init(struct inproc_module *f, const struct inproc_options *o)
{
  static const struct inproc_options defaults = { 0 };
  static struct flash_bases bases;
  struct module_config cfg = { 0 };
  char err[512];
  snprintf(f->dir, sizeof(f->dir), "/tmp/fotasim-fuzz-XXXXXX");
  if (!mkdtemp(f->dir)) {
    perror("inproc_module: mkdtemp");
    exit(1);
  }
  snprintf(made_dir, sizeof(made_dir), "%s", f->dir);
  atexit(remove_state_dir);
  log_setup(stderr, LOG_ERROR); /* a fuzzed module warns all the time */
  f->loop = uv_default_loop();
  f->usb = -1;
  f->said[0] = '\0';
  vclock_init(&f->clock, f->loop, 0.0);
  f->clock.host_cap_ms = o ? o->host_cap_ms : 0;
  event_bus_init(&f->bus, &f->clock);
  f->curl = curl_loop_new(f->loop);
  cfg.state_dir = f->dir;
  cfg.curl = f->curl;
  cfg.bases = &bases;
  cfg.commands = at_command_table;
  cfg.ncommands = at_command_count;
  o = o ? o : &defaults;
  cfg.resume_update = o->resume_update;
  cfg.image_file = o->image_file;
  f->m = module_new();
  if (!f->m || module_init(f->m, f->loop, &f->clock, &f->bus, &cfg, err, sizeof(err)) != 0) {
    fprintf(stderr, "inproc_module: %s\n", err);
    exit(1);
  }
  module_power_on(f->m);
  until_on(f);
}

void inproc_module_reset(struct inproc_module *f)
{
  if (module_power_state(f->m) == POWER_ON)
    module_reset(f->m);
  else
    module_power_on(f->m);
  for (int i = 0; i < 64 && module_power_state(f->m) == POWER_ON; i++) /* the reset is deferred */
    uv_run(f->loop, UV_RUN_NOWAIT);
  until_on(f);
}

void inproc_module_send(struct inproc_module *f, const char *data, size_t len)
{
  size_t off = 0;
  uint64_t since = uv_hrtime(); /* the last progress */
  int stuck = 0;
  while (off < len && f->usb >= 0) {
    ssize_t n = write(f->usb, data + off, len - off);
    if (n > 0) {
      off += (size_t)n;
      since = uv_hrtime();
      stuck = 0;
    } else if (++stuck > 64 && uv_hrtime() - since > 200000000ull) {
      break; /* 64 turns and 200 ms without reading: the module holds its input (a command
              * runs); a loaded machine alone does not take that long */
    }
    inproc_module_settle(f);
    if (module_power_state(f->m) != POWER_ON)
      break; /* AT+QPOWD, AT+CFUN=1,1: the port went away */
  }
}

enum power_state inproc_module_boot(struct inproc_module *f)
{
  enum power_state st = module_power_state(f->m);
  if (st == POWER_OFF)
    module_power_on(f->m);
  for (int i = 0; i < 200000; i++) {
    st = module_power_state(f->m);
    if (st == POWER_ON || st == POWER_BRICKED)
      break;
    uv_run(f->loop, UV_RUN_NOWAIT);
  }
  if (st == POWER_ON) {
    open_usb(f);
    inproc_module_settle(f);
  }
  return st;
}

enum power_state inproc_module_run_while_on(struct inproc_module *f, int max_turns)
{
  for (int i = 0; i < max_turns && module_power_state(f->m) == POWER_ON; i++) {
    uv_run(f->loop, UV_RUN_NOWAIT);
    if (i % 32 == 0) /* a read per turn would cost more than the turn */
      drain(f);
  }
  return module_power_state(f->m);
}
