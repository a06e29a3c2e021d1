/* test_units: unit tests of the support modules: URL password masking, the virtual clock's
 * ordering, firmware image checks, NOR flash semantics, identity check digits. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "bytes_text.h"
#include "error_docs.h"
#include "fault.h"
#include "network.h"
#include "scenario.h"
#include "shaper.h"
#include "errors.h"
#include "flash.h"
#include "fotasim/fwimage.h"
#include "fotasim/package.h"
#include "identity.h"
#include "statedir.h"
#include "url_mask.h"
#include "vclock.h"

static void masked(const char *in, const char *want)
{
  char buf[512];
  snprintf(buf, sizeof(buf), "%s", in);
  url_mask_string(buf, strlen(buf));
  ck_assert_str_eq(buf, want);
}

/* A fired rule is named by its fields, as a scenario would give them. */
START_TEST(fault_rules_in_words)
{
  static const struct { const char *rule, *words; } cases[] = {
    { "{phase: download, percent: 30, fail: 702}", "phase: download, percent: 30 -> fail: 702" },
    { "{command: AT+QFOTADL, occurrence: 2, fail: 551}",
      "command: AT+QFOTADL, occurrence: 2 -> fail: 551" },
    { "{at: 5000, network: denied, rssi: 3}", "at: 5000 -> network: denied, rssi: 3" },
    { "{socket: receive, id: 1, offset: 100, corrupt: true}",
      "socket: receive, id: 1, offset: 100 -> corrupt" },
    { "{phase: update, offset: 4096, cut_power: true}",
      "phase: update, offset: 4096 -> cut_power" },
    { "{phase: connect, output: split, bytes: 3, repeat: true, drop: true}",
      "phase: connect, repeat -> drop, output: split" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct fault_rule r;
    char err[256], words[320];
    ck_assert_msg(fault_rule_parse(cases[i].rule, &r, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(r.line, 0); /* injected, not from a file */
    ck_assert_int_eq(fault_rule_format(&r, network_stat_name, words, sizeof(words)),
                     (int)strlen(cases[i].words));
    ck_assert_str_eq(words, cases[i].words);
  }
  { /* a small buffer: cut, terminated, and the length it needed */
    struct fault_rule r;
    char err[256], words[8];
    ck_assert_int_eq(fault_rule_parse(cases[0].rule, &r, err, sizeof(err)), 0);
    ck_assert_int_eq(fault_rule_format(&r, network_stat_name, words, sizeof(words)),
                     (int)strlen(cases[0].words));
    ck_assert_str_eq(words, "phase: ");
  }
}
END_TEST

/* Bytes as text: escapes never cut in half, and code-point strings back into bytes. */
START_TEST(bytes_as_text)
{
  const unsigned char b[] = { 'A', 'T', '\r', '\n', 0x00, 0xff, '\\', '"', '\t' };
  char out[64];
  unsigned char back[8];
  ck_assert_uint_eq(bytes_escape(b, sizeof(b), out, sizeof(out)), sizeof(b));
  ck_assert_str_eq(out, "AT\\r\\n\\x00\\xff\\\\\"\\t");
  ck_assert_uint_eq(bytes_escape(b, sizeof(b), out, 6), 3); /* "AT\r" fits, "\n" would not */
  ck_assert_str_eq(out, "AT\\r");
  ck_assert_uint_eq(bytes_escape(b, sizeof(b), out, 1), 0);
  ck_assert_str_eq(out, "");
  ck_assert_uint_eq(bytes_from_codepoints("a\xc3\xbf\xc2\x80z", 6, back), 4);
  ck_assert_mem_eq(back, "a\xff\x80z", 4);
  {
    char *p = bytes_preview(b, sizeof(b), 4);
    unsigned char *raw;
    size_t n = 99;
    ck_assert_str_eq(p, "AT\\r\\n ... (9 bytes)");
    free(p);
    p = bytes_preview(b, 3, 4); /* all of it: no note */
    ck_assert_str_eq(p, "AT\\r");
    free(p);
    raw = bytes_from_base64("QVQNCgD/", &n);
    ck_assert_ptr_nonnull(raw);
    ck_assert_uint_eq(n, 6);
    ck_assert_mem_eq(raw, "AT\r\n\x00\xff", 6);
    free(raw);
    ck_assert_ptr_null(bytes_from_base64("QVQ*", &n));
    ck_assert_uint_eq(n, 0);
  }
}
END_TEST

START_TEST(mask_whole_strings)
{
  masked("AT+QFOTADL=\"FTP://user:secret@host:21/f.bin\"",
         "AT+QFOTADL=\"FTP://user:******@host:21/f.bin\"");
  masked("http://host:8080/f.bin", "http://host:8080/f.bin");
  masked("ftp://anon@host/f", "ftp://anon@host/f");
  masked("no url here: a:b@c", "no url here: a:b@c");
  masked("two ftp://a:b@h/ and ftp://c:dd@h/", "two ftp://a:*@h/ and ftp://c:**@h/");
  masked("ftp://fw:p@ss@w0rd@host:21/f", "ftp://fw:*********@host:21/f"); /* raw '@'s */
  masked("ftp://fw:p@ss", "ftp://fw:****"); /* cut short: all after the ':' */
  masked("AT+QMTCONN=0,\"dev1\",\"user\",\"pw\"\r\nAT\r",
         "AT+QMTCONN=0,\"dev1\",\"****\",\"**\"\r\nAT\r");
  masked("at+qmtconn=1,\"dev\"\r", "at+qmtconn=1,\"dev\"\r");
  masked("AT+QMTCONN?\r", "AT+QMTCONN?\r");
  masked("AT+QICSGP=1,1,\"apn\",\"fw\",\"s3cret\",1\r", "AT+QICSGP=1,1,\"apn\",\"**\",\"******\",*\r");
  masked("\r\n+QICSGP: 1,\"apn\",\"fw\",\"pw\",1\r\n", "\r\n+QICSGP: 1,\"apn\",\"**\",\"**\",*\r\n");
  masked("AT+CGAUTH=1,1,\"fw\",\"s3cret\"\r", "AT+CGAUTH=1,1,\"**\",\"******\"\r");
  masked("AT+QFTPCFG=\"account\",\"fw\",\"s3cret\"\r\nAT\r",
         "AT+QFTPCFG=\"account\",\"**\",\"******\"\r\nAT\r");
  masked("at+qftpcfg=\"Account\",\"u\",\"p\"\r", "at+qftpcfg=\"Account\",\"*\",\"*\"\r");
  masked("AT+QFTPCFG=\"contextid\",1\r", "AT+QFTPCFG=\"contextid\",1\r");
}
END_TEST

/* A password split across any two chunks is still masked. */
START_TEST(mask_streaming_split)
{
  const char *in = "AT+QFOTADL=\"ftp://u:pa55@word@10.0.0.1/x\"\r";
  const char *want = "AT+QFOTADL=\"ftp://u:*********@10.0.0.1/x\"\r";
  size_t n = strlen(in);
  for (size_t cut = 0; cut <= n; cut++) {
    struct url_mask m;
    char out[2 * URL_MASK_HOLD + 128];
    size_t o;
    url_mask_init(&m);
    o = url_mask_feed(&m, in, cut, out);
    o += url_mask_feed(&m, in + cut, n - cut, out + o);
    o += url_mask_flush(&m, out + o);
    ck_assert_uint_eq(o, n);
    ck_assert_msg(memcmp(out, want, n) == 0, "cut %zu: %.*s", cut, (int)o, out);
  }
}
END_TEST

static char order[16];
static int norder;
static void record(struct vtimer *t)
{
  order[norder++] = *(const char *)t->data;
}

/* In instant mode timers fire in virtual-time order, not in the order they were started. */
START_TEST(clock_instant_keeps_order)
{
  uv_loop_t loop;
  struct vclock c;
  struct vtimer a, b, d;
  uv_loop_init(&loop);
  vclock_init(&c, &loop, 0.0);
  vtimer_init(&c, &a, "a");
  vtimer_init(&c, &b, "b");
  vtimer_init(&c, &d, "d");
  norder = 0;
  vtimer_start(&a, 10000, record);
  vtimer_start(&b, 5, record);
  vtimer_start(&d, 10000, record); /* same due time as a: start order breaks the tie */
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(norder, 3);
  ck_assert(memcmp(order, "bad", 3) == 0);
  ck_assert_uint_eq(vclock_now(&c), 10000);
  vclock_close(&c);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
}
END_TEST

struct shaped {
  struct shaper sh;
  struct vclock *clock;
  uint64_t resumed_vt;
};

static void shaped_resume(void *ctx)
{
  struct shaped *t = ctx;
  t->resumed_vt = vclock_now(t->clock);
}

/* Two transfers of one module shape on the one downlink: together they take what both would
 * alone, one after the other (1000 bytes at 8 kbit/s: 1 s each), and a socket's bytes read
 * meanwhile (shaper_carry) wait behind them. */
START_TEST(shapers_share_the_downlink)
{
  uv_loop_t loop;
  struct vclock c;
  struct network nw;
  struct shaped a, b;
  memset(&nw, 0, sizeof(nw));
  nw.bandwidth_bps = 8000;
  uv_loop_init(&loop);
  vclock_init(&c, &loop, 0.0);
  a.clock = b.clock = &c;
  a.resumed_vt = b.resumed_vt = 0;
  memset(&a.sh, 0, sizeof(a.sh));
  memset(&b.sh, 0, sizeof(b.sh));
  shaper_init(&a.sh, &c, &nw, shaped_resume, &a);
  shaper_init(&b.sh, &c, &nw, shaped_resume, &b);
  ck_assert_int_eq(shaper_admit(&a.sh, 1000), 0); /* held: the link needs 1 s */
  ck_assert_int_eq(shaper_admit(&b.sh, 1000), 0); /* held behind it: 2 s */
  ck_assert_uint_eq(shaper_carry(&nw, &c, 1000), 3001); /* a socket's bytes: after both */
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_uint_eq(a.resumed_vt, 1001);
  ck_assert_uint_eq(b.resumed_vt, 2001);
  ck_assert_int_eq(shaper_admit(&a.sh, 1000), 1); /* crossed: taken now */
  shaper_took(&a.sh, 1000);
  /* now 2001: the link is busy until 3000 with the socket's bytes, then 10 more */
  ck_assert_uint_eq(shaper_carry(&nw, &c, 10), 3010 - 2001 + 1);
  nw.bandwidth_bps = 0; /* no shaping */
  ck_assert_int_eq(shaper_admit(&a.sh, 1 << 20), 1);
  ck_assert_uint_eq(shaper_carry(&nw, &c, 1 << 20), 0);
  vclock_close(&c);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
}
END_TEST

START_TEST(clock_stop_cancels)
{
  uv_loop_t loop;
  struct vclock c;
  struct vtimer a, b;
  uv_loop_init(&loop);
  vclock_init(&c, &loop, 0.0);
  vtimer_init(&c, &a, "a");
  vtimer_init(&c, &b, "b");
  norder = 0;
  vtimer_start(&a, 100, record);
  vtimer_start(&b, 200, record);
  vtimer_stop(&a);
  uv_run(&loop, UV_RUN_DEFAULT);
  ck_assert_int_eq(norder, 1);
  ck_assert_int_eq(order[0], 'b');
  vclock_close(&c);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
}
END_TEST

START_TEST(clock_timing_names)
{
  double s;
  ck_assert_int_eq(vclock_parse_timing("real", &s), 0);
  ck_assert(s == 1.0);
  ck_assert_int_eq(vclock_parse_timing("fast", &s), 0);
  ck_assert(s == 10.0);
  ck_assert_int_eq(vclock_parse_timing("instant", &s), 0);
  ck_assert(s == 0.0);
  ck_assert_int_eq(vclock_parse_timing("2.5", &s), 0);
  ck_assert(s == 2.5);
  ck_assert_int_eq(vclock_parse_timing("0", &s), -1);
  ck_assert_int_eq(vclock_parse_timing("-3", &s), -1);
  ck_assert_int_eq(vclock_parse_timing("quick", &s), -1);
}
END_TEST

START_TEST(image_roundtrip_and_corruption)
{
  uint8_t *img = fw_image_synthesize("REV_A", 100000, 7);
  uint8_t *again = fw_image_synthesize("REV_A", 100000, 7);
  uint8_t *other = fw_image_synthesize("REV_B", 100000, 7);
  struct fw_info info;
  size_t len = FW_HEADER_SIZE + 100000;
  ck_assert_int_eq(fw_image_check(img, len, &info), FW_OK);
  ck_assert_str_eq(info.revision, "REV_A");
  ck_assert_uint_eq(info.body_size, 100000);
  ck_assert(memcmp(img, again, len) == 0);                  /* deterministic */
  ck_assert(memcmp(img + FW_HEADER_SIZE, other + FW_HEADER_SIZE, 1000) != 0);
  img[FW_HEADER_SIZE + 5000] ^= 1;
  ck_assert_int_eq(fw_image_check(img, len, &info), FW_BAD_HASH);
  img[FW_HEADER_SIZE + 5000] ^= 1;
  img[20] ^= 1; /* revision byte */
  ck_assert_int_eq(fw_image_check(img, len, &info), FW_BAD_HEADER);
  img[20] ^= 1;
  img[0] = 'X';
  ck_assert_int_eq(fw_image_check(img, len, &info), FW_BAD_MAGIC);
  img[0] = 'F';
  ck_assert_int_eq(fw_image_check(img, len - 1, &info), FW_BAD_SIZE);
  free(img);
  free(again);
  free(other);
}
END_TEST

static const uint8_t *no_image(void *ctx, size_t *len)
{
  (void)ctx;
  *len = 0;
  return (const uint8_t *)"";
}

static int images_made;

static const uint8_t *small_image(void *ctx, size_t *len)
{
  images_made++;
  *len = 3 * FLASH_SECTOR + 100;
  return ctx;
}

static long long disk_blocks(const char *dir, const char *name)
{
  char path[300];
  struct stat st;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  return stat(path, &st) == 0 ? (long long)st.st_blocks : -1;
}

/* The store: a shared base under the sectors written since, erased ones as holes; an old
 * flash.bin moves in. */
START_TEST(flash_store_base_and_migration)
{
  char dir1[] = "/tmp/fotasim-flash-XXXXXX", dir2[] = "/tmp/fotasim-flash-XXXXXX", err[256];
  char path[300];
  static uint8_t image[3 * FLASH_SECTOR + 100], buf[FLASH_SECTOR], old[FLASH_SIZE];
  const uint32_t fw = flash_partition(PART_FIRMWARE)->offset;
  struct flash_bases bases;
  struct statedir sd1, sd2;
  struct flash f1, f2;
  struct stat st1, st2;
  int created;
  memset(&bases, 0, sizeof(bases));
  for (size_t i = 0; i < sizeof(image); i++)
    image[i] = (uint8_t)(i * 7 + 1);
  ck_assert_ptr_nonnull(mkdtemp(dir1));
  ck_assert_ptr_nonnull(mkdtemp(dir2));
  ck_assert_int_eq(statedir_open(&sd1, dir1, err, sizeof(err)), 0);
  ck_assert_int_eq(statedir_open(&sd2, dir2, err, sizeof(err)), 0);
  images_made = 0;
  ck_assert_int_eq(flash_open(&f1, &sd1, small_image, image, &bases, &created), 0);
  ck_assert_int_eq(created, 1);
  ck_assert_int_eq(flash_open(&f2, &sd2, small_image, image, &bases, &created), 0);
  ck_assert_int_eq(created, 1);
  ck_assert_int_eq(images_made, 1); /* the second state dir links the first's base */
  snprintf(path, sizeof(path), "%s/flash.base", dir1);
  ck_assert_int_eq(stat(path, &st1), 0);
  snprintf(path, sizeof(path), "%s/flash.base", dir2);
  ck_assert_int_eq(stat(path, &st2), 0);
  ck_assert_uint_eq(st1.st_ino, st2.st_ino);
  ck_assert_int_eq(st1.st_size, sizeof(image));
  ck_assert_int_le(disk_blocks(dir2, "flash.nor"), 64); /* 8 MB erased: holes and the map */
  /* reads: the image in the firmware partition, erased around it */
  ck_assert_int_eq(flash_read(&f2, fw, buf, sizeof(buf)), 0);
  ck_assert_int_eq(memcmp(buf, image, sizeof(buf)), 0);
  ck_assert_int_eq(flash_read(&f2, fw + 3 * FLASH_SECTOR, buf, 200), 0);
  ck_assert_int_eq(memcmp(buf, image + 3 * FLASH_SECTOR, 100), 0);
  ck_assert_uint_eq(buf[100], 0xFF);
  ck_assert_uint_eq(buf[199], 0xFF);
  ck_assert_int_eq(flash_read(&f2, fw - 1, buf, 2), 0);
  ck_assert_uint_eq(buf[0], 0xFF);
  ck_assert_uint_eq(buf[1], image[0]);
  /* a base sector programmed (bits cleared) and another erased: this store's, not the base's */
  buf[0] = image[FLASH_SECTOR + 10] & 0x0F;
  ck_assert_int_eq(flash_op(&f2, FLASH_PROGRAM, fw + FLASH_SECTOR + 10, buf, 1), 0);
  buf[0] = 0xFF;
  ck_assert_int_eq(flash_op(&f2, FLASH_PROGRAM, fw + FLASH_SECTOR + 11, buf, 1),
                   image[FLASH_SECTOR + 11] == 0xFF ? 0 : -1);
  ck_assert_int_eq(flash_op(&f2, FLASH_ERASE, fw, NULL, 0), 0);
  flash_close(&f2);
  ck_assert_int_eq(flash_open(&f2, &sd2, small_image, image, &bases, &created), 0);
  ck_assert_int_eq(created, 0);
  ck_assert_int_eq(flash_read(&f2, fw, buf, FLASH_SECTOR), 0);
  for (size_t i = 0; i < FLASH_SECTOR; i++)
    ck_assert_uint_eq(buf[i], 0xFF);
  ck_assert_int_eq(flash_read(&f2, fw + FLASH_SECTOR, buf, FLASH_SECTOR), 0);
  ck_assert_uint_eq(buf[10], image[FLASH_SECTOR + 10] & 0x0F);
  ck_assert_int_eq(memcmp(buf + 11, image + FLASH_SECTOR + 11, FLASH_SECTOR - 11), 0);
  ck_assert_int_eq(flash_read(&f1, fw, buf, FLASH_SECTOR), 0); /* the other's is untouched */
  ck_assert_int_eq(memcmp(buf, image, FLASH_SECTOR), 0);
  ck_assert_int_le(disk_blocks(dir2, "flash.nor"), 64 + 8);
  flash_close(&f1);
  flash_close(&f2);
  /* migration: an old 8 MB flash.bin, its sectors move into the store and it goes */
  snprintf(path, sizeof(path), "%s/flash.nor", dir1);
  unlink(path);
  memset(old, 0xFF, sizeof(old));
  memcpy(old + fw, image, sizeof(image));
  old[FLASH_SIZE - 1] = 0x5A;
  {
    FILE *fp;
    snprintf(path, sizeof(path), "%s/flash.bin", dir1);
    fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(old, 1, sizeof(old), fp), sizeof(old));
    fclose(fp);
  }
  ck_assert_int_eq(flash_open(&f1, &sd1, small_image, image, NULL, &created), 0);
  ck_assert_int_eq(created, 0);
  ck_assert_int_ne(access(path, F_OK), 0);
  ck_assert_int_le(disk_blocks(dir1, "flash.nor"), 5 * 8 + 16);
  for (uint32_t off = 0; off < FLASH_SIZE; off += FLASH_SECTOR) {
    ck_assert_int_eq(flash_read(&f1, off, buf, FLASH_SECTOR), 0);
    ck_assert_int_eq(memcmp(buf, old + off, FLASH_SECTOR), 0);
  }
  flash_close(&f1);
  statedir_close(&sd1);
  statedir_close(&sd2);
  {
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir1, dir2);
    ck_assert_int_eq(system(cmd), 0);
  }
}
END_TEST

/* A torn sector write, as a power cut leaves it: during the erase, half erased and half as it
 * was; during programming, erased with the first bytes written. */
START_TEST(flash_torn_writes)
{
  char dir[] = "/tmp/fotasim-flash-XXXXXX", err[256], cmd[300];
  static uint8_t image[3 * FLASH_SECTOR + 100], next[FLASH_SECTOR], buf[FLASH_SECTOR];
  const uint32_t fw = flash_partition(PART_FIRMWARE)->offset;
  struct statedir sd;
  struct flash f;
  int created;
  for (size_t i = 0; i < sizeof(image); i++)
    image[i] = (uint8_t)(i * 7 + 1);
  for (size_t i = 0; i < sizeof(next); i++)
    next[i] = (uint8_t)(i * 13 + 5);
  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert_int_eq(statedir_open(&sd, dir, err, sizeof(err)), 0);
  ck_assert_int_eq(flash_open(&f, &sd, small_image, image, NULL, &created), 0);
  ck_assert_int_eq(flash_tear(&f, fw, next, FLASH_SECTOR, 0), 0); /* mid-erase */
  ck_assert_int_eq(flash_read(&f, fw, buf, FLASH_SECTOR), 0);
  for (size_t i = 0; i < FLASH_SECTOR / 2; i++)
    ck_assert_uint_eq(buf[i], 0xFF);
  ck_assert_int_eq(memcmp(buf + FLASH_SECTOR / 2, image + FLASH_SECTOR / 2, FLASH_SECTOR / 2), 0);
  ck_assert_int_eq(flash_tear(&f, fw + FLASH_SECTOR, next, FLASH_SECTOR, 1000), 0);
  ck_assert_int_eq(flash_read(&f, fw + FLASH_SECTOR, buf, FLASH_SECTOR), 0);
  ck_assert_int_eq(memcmp(buf, next, 1000), 0);
  for (size_t i = 1000; i < FLASH_SECTOR; i++)
    ck_assert_uint_eq(buf[i], 0xFF);
  ck_assert_int_eq(flash_tear(&f, fw, next, 100, -1), 0); /* half way: 50 of 100 bytes */
  ck_assert_int_eq(flash_read(&f, fw, buf, 64), 0);
  ck_assert_int_eq(memcmp(buf, next, 50), 0);
  ck_assert_uint_eq(buf[50], 0xFF);
  flash_close(&f);
  statedir_close(&sd);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(flash_nor_semantics)
{
  char dir[] = "/tmp/fotasim-flash-XXXXXX", err[256];
  struct statedir sd;
  struct flash f;
  uint8_t buf[16], zero = 0x00, ff = 0xFF, half = 0x0F;
  int created;
  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert_int_eq(statedir_open(&sd, dir, err, sizeof(err)), 0);
  ck_assert_int_eq(flash_open(&f, &sd, no_image, NULL, NULL, &created), 0);
  ck_assert_int_eq(created, 1);
  ck_assert_int_eq(flash_read(&f, 0, buf, sizeof(buf)), 0);
  ck_assert_uint_eq(buf[0], 0xFF);                                   /* new part is erased */
  ck_assert_int_eq(flash_op(&f, FLASH_PROGRAM, 100, &half, 1), 0);   /* clears bits: fine */
  ck_assert_int_eq(flash_op(&f, FLASH_PROGRAM, 100, &zero, 1), 0);
  ck_assert_int_eq(flash_op(&f, FLASH_PROGRAM, 100, &ff, 1), -1);    /* 0 -> 1 refused */
  ck_assert_int_eq(flash_op(&f, FLASH_ERASE, 1, NULL, 0), -1);       /* unaligned erase */
  ck_assert_int_eq(flash_op(&f, FLASH_ERASE, 0, NULL, 0), 0);
  ck_assert_int_eq(flash_read(&f, 100, buf, 1), 0);
  ck_assert_uint_eq(buf[0], 0xFF);
  ck_assert_int_eq(flash_op(&f, FLASH_PROGRAM, FLASH_SIZE - 1, buf, 2), -1); /* past the end */
  ck_assert_int_eq(flash_check_firmware(&f, &(struct fw_info){ 0 }), FW_BAD_MAGIC);
  flash_close(&f);
  ck_assert_int_eq(flash_open(&f, &sd, no_image, NULL, NULL, &created), 0);
  ck_assert_int_eq(created, 0); /* reused */
  flash_close(&f);
  statedir_close(&sd);
  {
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
  }
}
END_TEST

START_TEST(state_dir_lock_is_exclusive)
{
  char dir[] = "/tmp/fotasim-lock-XXXXXX", err[256], cmd[300];
  struct statedir a, b;
  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert_int_eq(statedir_open(&a, dir, err, sizeof(err)), 0);
  ck_assert_int_eq(statedir_open(&b, dir, err, sizeof(err)), -1);
  ck_assert_ptr_nonnull(strstr(err, "in use"));
  statedir_close(&a);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(luhn_digits)
{
  ck_assert_int_eq(identity_luhn("7992739871"), '3');
  ck_assert_int_eq(identity_luhn("35145120840121"), '6'); /* a published sample IMEI */
}
END_TEST


/* Packages: what pkg_apply accepts and every reason it refuses, without touching anything. */
START_TEST(package_full_delta_signed_and_refusals)
{
  size_t a_len = FW_HEADER_SIZE + 200000, b_len, full_len, delta_len, out_len, slen;
  uint8_t *a = fw_image_synthesize("REV_A", 200000, 1);
  uint8_t *b = fw_image_mutate(a, a_len, "REV_B", 30, 9, &b_len);
  uint8_t *c = fw_image_synthesize("REV_C", 200000, 2);
  uint8_t *full = pkg_build(NULL, 0, b, b_len, &full_len, NULL);
  uint8_t *delta = pkg_build(a, a_len, b, b_len, &delta_len, NULL);
  uint8_t *out, *signed_pkg;
  char *priv, *pub, *pub2, *priv2, err[256];

  ck_assert_ptr_nonnull(b);
  ck_assert_ptr_nonnull(full);
  ck_assert_ptr_nonnull(delta);
  ck_assert_uint_lt(delta_len, full_len / 4);   /* a delta of a 3% change is small */
  /* full onto anything */
  ck_assert_int_eq(pkg_apply(full, full_len, c, a_len, NULL, &out, &out_len), PKG_OK);
  ck_assert_uint_eq(out_len, b_len);
  ck_assert(memcmp(out, b, b_len) == 0);
  free(out);
  /* delta onto its source only */
  ck_assert_int_eq(pkg_apply(delta, delta_len, a, a_len, NULL, &out, &out_len), PKG_OK);
  ck_assert(memcmp(out, b, b_len) == 0);
  free(out);
  ck_assert_int_eq(pkg_apply(delta, delta_len, c, a_len, NULL, &out, &out_len),
                   PKG_WRONG_SOURCE);
  ck_assert_ptr_null(out);
  /* an installed image checked at boot: its digest stands in for hashing it again */
  {
    struct pkg_header h;
    uint8_t wrong[32];
    ck_assert_int_eq(pkg_header_parse(delta, delta_len, &h), PKG_OK);
    ck_assert_int_eq(pkg_apply_checked(delta, delta_len, a, a_len, h.source_sha256, NULL, &out,
                                       &out_len), PKG_OK);
    ck_assert(memcmp(out, b, b_len) == 0);
    free(out);
    memcpy(wrong, h.source_sha256, 32);
    wrong[31] ^= 1;
    ck_assert_int_eq(pkg_apply_checked(delta, delta_len, a, a_len, wrong, NULL, &out, &out_len),
                     PKG_WRONG_SOURCE);
    ck_assert_int_eq(pkg_apply_checked(delta, delta_len, c, a_len, h.source_sha256, NULL, &out,
                                       &out_len), PKG_WRONG_SOURCE); /* another revision */
    ck_assert_int_eq(pkg_apply_checked(delta, delta_len, a, 10, h.source_sha256, NULL, &out,
                                       &out_len), PKG_WRONG_SOURCE); /* no header */
  }
  /* truncated, corrupted, trailing bytes, not a package */
  ck_assert_int_eq(pkg_apply(delta, delta_len - 1, a, a_len, NULL, &out, &out_len),
                   PKG_TRUNCATED);
  ck_assert_int_eq(pkg_apply(delta, 100, a, a_len, NULL, &out, &out_len), PKG_TRUNCATED);
  delta[PKG_HEADER_SIZE + 10] ^= 0x40;
  ck_assert_int_eq(pkg_apply(delta, delta_len, a, a_len, NULL, &out, &out_len), PKG_BAD_PAYLOAD);
  delta[PKG_HEADER_SIZE + 10] ^= 0x40;
  ck_assert_int_eq(pkg_apply(a, a_len, a, a_len, NULL, &out, &out_len), PKG_BAD_HEADER);
  /* signatures */
  ck_assert_int_eq(pkg_keygen(&priv, &pub, err, sizeof(err)), 0);
  ck_assert_int_eq(pkg_keygen(&priv2, &pub2, err, sizeof(err)), 0);
  ck_assert_int_eq(pkg_apply(delta, delta_len, a, a_len, pub, &out, &out_len), PKG_UNSIGNED);
  slen = delta_len;
  signed_pkg = pkg_sign(delta, &slen, priv, err, sizeof(err));
  ck_assert_ptr_nonnull(signed_pkg);
  delta = NULL; /* pkg_sign took it */
  ck_assert_int_eq(pkg_apply(signed_pkg, slen, a, a_len, pub, &out, &out_len), PKG_OK);
  free(out);
  ck_assert_int_eq(pkg_apply(signed_pkg, slen, a, a_len, pub2, &out, &out_len),
                   PKG_BAD_SIGNATURE);
  signed_pkg[PKG_HEADER_SIZE + 5] ^= 1; /* tampered after signing */
  ck_assert_int_eq(pkg_apply(signed_pkg, slen, a, a_len, pub, &out, &out_len),
                   PKG_BAD_SIGNATURE);
  ck_assert_ptr_null(pkg_sign(full, &full_len, "not a key", err, sizeof(err)));
  free(priv);
  free(pub);
  free(priv2);
  free(pub2);
  free(signed_pkg);
  free(full);
  free(a);
  free(b);
  free(c);
}
END_TEST

/* Every code SPEC section 7 lists is in the one catalogue, in its list. */
START_TEST(catalogue_has_every_documented_code)
{
  static const int fota[] = { 0, 500, 502, 510, 547 };
  static const int http[] = { 701, 702, 703, 714, 716, 729, 730, 731 };
  int n = 0;
  for (size_t i = 0; i < sizeof(fota) / sizeof(fota[0]); i++, n++)
    ck_assert_msg(error_find(ERR_FOTA, fota[i]), "FOTA %d", fota[i]);
  for (int c = 549; c <= 571; c++, n++)
    ck_assert_msg(error_find(ERR_FOTA, c), "FOTA %d", c);
  for (int c = 601; c <= 631; c++, n++)
    ck_assert_msg(error_find(ERR_FTP, c), "FTP %d", c);
  for (size_t i = 0; i < sizeof(http) / sizeof(http[0]); i++, n++)
    ck_assert_msg(error_find(ERR_HTTP, http[i]), "HTTP %d", http[i]);
  for (int c = 1; c <= 22; c++, n++)
    ck_assert_msg(error_find(ERR_DATACALL, c), "data call %d", c);
  ck_assert_int_eq(n, 89);
  ck_assert_str_eq(cme_error_find(50)->text, "incorrect parameters");
  ck_assert_str_eq(error_find(ERR_DATACALL, 4)->text, "data call: no network");
  ck_assert_str_eq(cme_error_find(4)->text, "operation not supported");
}
END_TEST

/* docs/errors.md is the generator's output, byte for byte. */
START_TEST(errors_doc_matches_catalogue)
{
  const char *path = getenv("FOTASIM_ERRORS_DOC");
  char *want = NULL, *have;
  size_t want_len = 0;
  long n;
  FILE *mem = open_memstream(&want, &want_len), *f;
  ck_assert_ptr_nonnull(path);
  error_catalogue_markdown(mem);
  fclose(mem);
  f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  have = malloc((size_t)n + 1);
  ck_assert_uint_eq(fread(have, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  have[n] = '\0';
  ck_assert_msg((size_t)n == want_len && memcmp(have, want, want_len) == 0,
                "docs/errors.md is stale: regenerate it with build/tools/fotaerrors > docs/errors.md");
  free(want);
  free(have);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("units");
  TCase *t = tcase_create("units");
  SRunner *sr;
  int failed;
  tcase_add_test(t, fault_rules_in_words);
  tcase_add_test(t, bytes_as_text);
  tcase_add_test(t, mask_whole_strings);
  tcase_add_test(t, mask_streaming_split);
  tcase_add_test(t, clock_instant_keeps_order);
  tcase_add_test(t, shapers_share_the_downlink);
  tcase_add_test(t, clock_stop_cancels);
  tcase_add_test(t, clock_timing_names);
  tcase_add_test(t, image_roundtrip_and_corruption);
  tcase_add_test(t, flash_nor_semantics);
  tcase_add_test(t, flash_store_base_and_migration);
  tcase_add_test(t, flash_torn_writes);
  tcase_add_test(t, state_dir_lock_is_exclusive);
  tcase_add_test(t, luhn_digits);
  tcase_add_test(t, package_full_delta_signed_and_refusals);
  tcase_add_test(t, catalogue_has_every_documented_code);
  tcase_add_test(t, errors_doc_matches_catalogue);
  suite_add_tcase(s, t);
  sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
