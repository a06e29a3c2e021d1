/* fotapack: makes synthetic firmware images and FOTA packages (full, delta, signed), prints
 * what a package or image holds, and makes signing keys. Formats: include/fotasim/fwimage.h,
 * include/fotasim/package.h, docs/package-format.md. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fotasim/fwimage.h"
#include "fotasim/package.h"
#include "file_util.h"

/* Each command's synopsis and what it does: `fotapack --help` prints them all, `fotapack CMD
 * --help` its own. */
static const struct {
  const char *name, *text;
} commands[] = {
  { "image", "  image --revision REV [--size BYTES] [--seed N] -o IMG\n"
             "        a synthetic image (code-like content, deterministic for REV and seed)\n"
             "  image --revision REV --mutate-from OLD [--change PERMILLE] [--seed N] -o IMG\n"
             "        a plausible next version of OLD: PERMILLE/1000 of it rewritten (default 30)\n" },
  { "full", "  full --to NEW [--key KEY] -o PKG          a full package of image NEW\n" },
  { "delta", "  delta --from OLD --to NEW [--key KEY] -o PKG\n"
             "        a delta package that turns image OLD into NEW (zstd --patch-from)\n" },
  { "info", "  info FILE                                 what a package or image holds\n" },
  { "keygen", "  keygen -o KEY                             an ECDSA P-256 key pair: KEY and KEY.pub\n" },
};

static const char key_note[] =
    "--key signs the package with the private key KEY; a module with KEY.pub installed as\n"
    "fota_pubkey.pem in its state dir accepts only packages signed with it.\n";

/* cmd NULL: all of them. */
static void usage(FILE *out, const char *cmd)
{
  size_t known = 0;
  for (size_t i = 0; cmd && i < sizeof(commands) / sizeof(commands[0]); i++)
    known |= !strcmp(cmd, commands[i].name);
  if (!known)
    cmd = NULL;
  fprintf(out, "Usage: fotapack %s [OPTIONS]\n", cmd ? cmd : "COMMAND");
  if (!cmd)
    fprintf(out, "Makes firmware images and FOTA packages for fotasim.\n");
  fputc('\n', out);
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (!cmd || !strcmp(cmd, commands[i].name))
      fputs(commands[i].text, out);
  if (!cmd || !strcmp(cmd, "full") || !strcmp(cmd, "delta"))
    fprintf(out, "\n%s", key_note);
  if (!cmd)
    fprintf(out, "\n  --version   print the version\n");
}

static int fail(const char *fmt, const char *arg)
{
  fprintf(stderr, "fotapack: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  return 1;
}

static uint8_t *read_file(const char *path, size_t *len)
{
  return read_whole_file(path, 64u * 1024 * 1024, len);
}

static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
  char tmp[4200];
  FILE *f;
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  f = fopen(tmp, "wb");
  if (!f)
    return -1;
  if (fwrite(data, 1, len, f) != len || fclose(f) != 0 || chmod(tmp, mode) != 0 ||
      rename(tmp, path) != 0) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

static void show_progress(const char *what, int percent)
{
  if (isatty(2)) {
    fprintf(stderr, "\rfotapack: %s %3d%%", what, percent);
    if (percent == 100)
      fputc('\n', stderr);
  }
}

static uint8_t *load_image(const char *path, size_t *len, struct fw_info *info)
{
  uint8_t *img = read_file(path, len);
  enum fw_status st;
  if (!img) {
    fprintf(stderr, "fotapack: cannot read %s: %s\n", path, strerror(errno));
    return NULL;
  }
  st = fw_image_check(img, *len, info);
  if (st != FW_OK) {
    fprintf(stderr, "fotapack: %s is not a valid image: %s\n", path, fw_status_text(st));
    free(img);
    return NULL;
  }
  return img;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
  char *end;
  unsigned long long v;
  errno = 0;
  v = strtoull(s, &end, 0);
  if (errno || end == s || *end || v > max || s[0] == '-')
    return -1;
  *out = v;
  return 0;
}

struct opts {
  const char *revision, *out, *from, *to, *key, *mutate;
  unsigned long long size, seed, change;
};

static int cmd_image(struct opts *o)
{
  uint8_t *img;
  size_t len;
  if (!o->revision || !o->out)
    return fail("image needs --revision and -o%s", "");
  if (strlen(o->revision) > FW_REVISION_MAX)
    return fail("revision too long (max 47 characters): %s", o->revision);
  for (const char *p = o->revision; *p; p++)
    if (*p < 0x21 || *p > 0x7e)
      return fail("revision must be printable ASCII without spaces: %s", o->revision);
  if (o->mutate) {
    struct fw_info info;
    size_t old_len;
    uint8_t *old = load_image(o->mutate, &old_len, &info);
    if (!old)
      return 1;
    img = fw_image_mutate(old, old_len, o->revision, (unsigned)o->change, o->seed, &len);
    free(old);
  } else {
    img = fw_image_synthesize(o->revision, (uint32_t)o->size, o->seed);
    len = FW_HEADER_SIZE + (size_t)o->size;
  }
  if (!img)
    return fail("cannot make the image%s", "");
  if (write_file(o->out, img, len, 0644) != 0) {
    free(img);
    return fail("cannot write %s", o->out);
  }
  fprintf(stderr, "fotapack: wrote %s: revision %s, %zu bytes\n", o->out, o->revision, len);
  free(img);
  return 0;
}

static int cmd_package(struct opts *o, int delta)
{
  struct fw_info from_info, to_info;
  uint8_t *from = NULL, *to, *pkg;
  size_t from_len = 0, to_len, pkg_len;
  if (!o->to || !o->out || (delta && !o->from))
    return fail(delta ? "delta needs --from, --to and -o%s" : "full needs --to and -o%s", "");
  if (delta && !(from = load_image(o->from, &from_len, &from_info)))
    return 1;
  if (!(to = load_image(o->to, &to_len, &to_info))) {
    free(from);
    return 1;
  }
  pkg = pkg_build(from, from_len, to, to_len, &pkg_len, show_progress);
  free(from);
  free(to);
  if (!pkg)
    return fail("cannot build the package%s", "");
  if (o->key) {
    size_t klen;
    char err[256];
    char *key = (char *)read_file(o->key, &klen);
    uint8_t *signed_pkg;
    if (!key) {
      free(pkg);
      return fail("cannot read key %s", o->key);
    }
    signed_pkg = pkg_sign(pkg, &pkg_len, key, err, sizeof(err));
    free(key);
    if (!signed_pkg) {
      free(pkg);
      fprintf(stderr, "fotapack: %s: %s\n", o->key, err);
      return 1;
    }
    pkg = signed_pkg;
  }
  if (write_file(o->out, pkg, pkg_len, 0644) != 0) {
    free(pkg);
    return fail("cannot write %s", o->out);
  }
  fprintf(stderr, "fotapack: wrote %s: %s package %s%s%s, %zu bytes%s\n", o->out,
          delta ? "delta" : "full", delta ? from_info.revision : "", delta ? " -> " : "",
          to_info.revision, pkg_len, o->key ? ", signed" : "");
  free(pkg);
  return 0;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
  for (size_t i = 0; i < n; i++)
    sprintf(out + 2 * i, "%02x", p[i]);
}

static int cmd_info(const char *path)
{
  size_t len;
  uint8_t *buf = read_file(path, &len);
  struct pkg_header h;
  struct fw_info fi;
  char a[65], b[65];
  if (!buf)
    return fail("cannot read %s", path);
  if (len >= 8 && memcmp(buf, FW_MAGIC, 8) == 0) {
    enum fw_status st = fw_image_check(buf, len, &fi);
    hex(fi.body_sha256, 32, a);
    printf("image %s\n  revision     %s\n  body         %u bytes\n  body sha256  %s\n  check        %s\n",
           path, st == FW_OK || st == FW_BAD_HASH ? fi.revision : "?", fi.body_size, a,
           fw_status_text(st));
    free(buf);
    return st == FW_OK ? 0 : 1;
  }
  if (pkg_header_parse(buf, len, &h) != PKG_OK) {
    free(buf);
    return fail("%s is neither a package nor an image", path);
  }
  printf("package %s\n  kind         %s\n", path, h.kind == PKG_KIND_DELTA ? "delta" : "full");
  if (h.kind == PKG_KIND_DELTA) {
    hex(h.source_sha256, 32, a);
    printf("  source       %s\n  source sha256 %s\n", h.source_rev, a);
  }
  hex(h.target_sha256, 32, b);
  printf("  target       %s\n  target sha256 %s\n  target size  %u bytes\n  payload      %u bytes"
         " (zstd)\n  signed       %s\n  file         %zu bytes\n",
         h.target_rev, b, h.target_size, h.payload_size,
         h.flags & PKG_FLAG_SIGNED ? "yes (ECDSA P-256)" : "no", len);
  free(buf);
  return 0;
}

static int cmd_keygen(const char *out)
{
  char *priv, *pub, err[256], pubpath[4200];
  if (!out)
    return fail("keygen needs -o KEY%s", "");
  if (pkg_keygen(&priv, &pub, err, sizeof(err)) != 0)
    return fail("%s", err);
  snprintf(pubpath, sizeof(pubpath), "%s.pub", out);
  if (write_file(out, priv, strlen(priv), 0600) != 0 ||
      write_file(pubpath, pub, strlen(pub), 0644) != 0) {
    free(priv);
    free(pub);
    return fail("cannot write %s", out);
  }
  fprintf(stderr, "fotapack: wrote %s (private) and %s (public)\n", out, pubpath);
  free(priv);
  free(pub);
  return 0;
}

int main(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "revision", required_argument, NULL, 'r' }, { "size", required_argument, NULL, 's' },
    { "seed", required_argument, NULL, 'S' },     { "mutate-from", required_argument, NULL, 'm' },
    { "change", required_argument, NULL, 'c' },   { "from", required_argument, NULL, 'f' },
    { "to", required_argument, NULL, 't' },       { "key", required_argument, NULL, 'k' },
    { "output", required_argument, NULL, 'o' },   { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct opts o;
  const char *cmd;
  int ch;
  memset(&o, 0, sizeof(o));
  o.size = FW_DEFAULT_BODY_SIZE;
  o.seed = 1;
  o.change = 30;
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage(argc < 2 ? stderr : stdout, NULL);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("fotapack %s\n", FOTASIM_VERSION);
    return 0;
  }
  cmd = argv[1];
  optind = 2;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
    switch (ch) {
    case 'r': o.revision = optarg; break;
    case 'm': o.mutate = optarg; break;
    case 'f': o.from = optarg; break;
    case 't': o.to = optarg; break;
    case 'k': o.key = optarg; break;
    case 'o': o.out = optarg; break;
    case 's':
      if (parse_uint(optarg, 6u * 1024 * 1024 - FW_HEADER_SIZE, &o.size) || o.size < 1024) {
        fprintf(stderr, "fotapack: bad --size %s (1024 to %u bytes)\n", optarg,
                6u * 1024 * 1024 - FW_HEADER_SIZE);
        return 2;
      }
      break;
    case 'S':
      if (parse_uint(optarg, ~0ULL, &o.seed)) {
        fprintf(stderr, "fotapack: bad --seed %s\n", optarg);
        return 2;
      }
      break;
    case 'c':
      if (parse_uint(optarg, 1000, &o.change)) {
        fprintf(stderr, "fotapack: bad --change %s (0 to 1000 per mille)\n", optarg);
        return 2;
      }
      break;
    case 'h': usage(stdout, cmd); return 0;
    default:
      fprintf(stderr, "fotapack: bad option '%s' (see fotapack --help)\n", argv[optind - 1]);
      return 2;
    }
  }
  if (!strcmp(cmd, "image"))
    return cmd_image(&o);
  if (!strcmp(cmd, "full"))
    return cmd_package(&o, 0);
  if (!strcmp(cmd, "delta"))
    return cmd_package(&o, 1);
  if (!strcmp(cmd, "keygen"))
    return cmd_keygen(o.out);
  if (!strcmp(cmd, "info")) {
    if (optind != argc - 1) {
      fprintf(stderr, "fotapack: info takes one file (see fotapack --help)\n");
      return 2;
    }
    return cmd_info(argv[optind]);
  }
  fprintf(stderr, "fotapack: unknown command '%s' (see fotapack --help)\n", cmd);
  return 2;
}
