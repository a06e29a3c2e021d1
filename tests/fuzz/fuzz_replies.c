/* fuzz_replies: the downloaders against a server that says anything: a TCP server on 127.0.0.1
 * answers each connection with the input's bytes (an HTTP response, or FTP control replies)
 * and half-closes, while a real FOTA download (libcurl on the loop, download_curl's header, data
 * and error handling) reads them. The download must
 * end, once, with 0 or a documented code, and never hand on more bytes than came. An input
 * that starts with byte 1 is FTP control replies (the byte dropped), any other an HTTP reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "curl_loop.h"
#include "download.h"
#include "errors.h"
#include "fuzz.h"
#include "fota_url.h"
#include "vclock.h"

static uv_loop_t *loop;
static struct vclock clock_;
static struct curl_loop *curl;
static uv_tcp_t server;
static int port;
static const uint8_t *reply;
static size_t reply_len;
static int done, result;
static uint64_t got;

static void closed(uv_handle_t *h)
{
  free(h);
}

static void alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
  static char sink[4096];
  (void)h;
  (void)hint;
  *b = uv_buf_init(sink, sizeof(sink));
}

/* What the client sends is read and ignored; its end of the connection ends ours. */
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
  (void)b;
  if (n < 0 && !uv_is_closing((uv_handle_t *)s))
    uv_close((uv_handle_t *)s, closed);
}

static void shut(uv_shutdown_t *r, int status)
{
  (void)status;
  free(r);
}

static void written(uv_write_t *w, int status)
{
  uv_stream_t *c = w->data;
  uv_shutdown_t *r = malloc(sizeof(*r));
  free(w);
  if (status < 0 || uv_shutdown(r, c, shut) != 0) /* FIN after its say, not a reset */
    free(r);
}

static void on_connection(uv_stream_t *s, int status)
{
  uv_tcp_t *c;
  uv_write_t *w;
  uv_buf_t b;
  if (status < 0)
    return;
  c = malloc(sizeof(*c));
  uv_tcp_init(loop, c);
  if (uv_accept(s, (uv_stream_t *)c) != 0) {
    uv_close((uv_handle_t *)c, closed);
    return;
  }
  uv_read_start((uv_stream_t *)c, alloc, on_read);
  w = malloc(sizeof(*w));
  w->data = c;
  b = uv_buf_init((char *)reply, (unsigned)reply_len);
  if (uv_write(w, (uv_stream_t *)c, &b, 1, written) != 0) {
    free(w);
    uv_close((uv_handle_t *)c, closed);
  }
}

static void on_size(void *ctx, int64_t total)
{
  (void)ctx;
  (void)total;
}

static int on_data(void *ctx, const void *data, size_t len)
{
  (void)ctx;
  (void)data;
  got += len;
  return 0;
}

static void on_done(void *ctx, int err, const char *cause)
{
  (void)ctx;
  (void)cause;
  if (done)
    __builtin_trap(); /* a download ends once */
  done = 1;
  result = err;
}

void fuzz_init(void)
{
  struct sockaddr_in a;
  struct sockaddr_storage bound;
  int len = sizeof(bound);
  loop = uv_default_loop();
  vclock_init(&clock_, loop, 0.0);
  curl = curl_loop_new(loop);
  uv_tcp_init(loop, &server);
  uv_ip4_addr("127.0.0.1", 0, &a);
  if (uv_tcp_bind(&server, (const struct sockaddr *)&a, 0) != 0 ||
      uv_listen((uv_stream_t *)&server, 64, on_connection) != 0 ||
      uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &len) != 0)
    abort();
  port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

void fuzz_one(const uint8_t *data, size_t len)
{
  struct download_env env = { loop, &clock_, curl, NULL, 0, NULL, NULL, NULL };
  struct download_sink sink = { NULL, on_size, on_data, on_done };
  struct fota_url url;
  struct download *d;
  uint64_t until;
  if (len < 1)
    return;
  memset(&url, 0, sizeof(url));
  url.scheme = data[0] == 0x01 ? SCHEME_FTP : SCHEME_HTTP; /* FTP: the byte is not a reply's */
  snprintf(url.host, sizeof(url.host), "127.0.0.1");
  url.port = port;
  snprintf(url.path, sizeof(url.path), "/fw.pkg");
  snprintf(url.file, sizeof(url.file), "fw.pkg");
  snprintf(url.user, sizeof(url.user), "fw");
  snprintf(url.password, sizeof(url.password), "pw");
  reply = url.scheme == SCHEME_FTP ? data + 1 : data;
  reply_len = url.scheme == SCHEME_FTP ? len - 1 : len;
  done = 0;
  got = 0;
  d = download_start(&env, &url, &sink);
  until = uv_hrtime() + 10ull * 1000 * 1000 * 1000; /* the stall watchdog ends it in 5 s */
  while (!done && uv_hrtime() < until)
    uv_run(loop, UV_RUN_ONCE);
  if (!done) {
    download_cancel(d);
    __builtin_trap(); /* a download that never ends */
  }
  if (got > reply_len || (result && !error_known(result)))
    __builtin_trap(); /* bytes from nowhere, or a code the catalogue does not have */
  for (int i = 0; i < 8; i++) /* the connection's handles close (the server's stays) */
    uv_run(loop, UV_RUN_NOWAIT);
}

static void emit_text(void (*emit)(const uint8_t *, size_t), const char *text)
{
  emit((const uint8_t *)text, strlen(text));
}

void fuzz_seeds(void (*emit)(const uint8_t *data, size_t len))
{
  emit_text(emit, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde");
  emit_text(emit, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  emit_text(emit, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n");
  emit_text(emit, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
  emit_text(emit, "HTTP/1.0 302 Found\r\nLocation: http://127.0.0.1:1/x\r\n\r\n");
  emit_text(emit, "\x01" "220 hi\r\n331 pw\r\n230 in\r\n257 \"/\"\r\n");
  emit_text(emit, "\x01" "220 hi\r\n530 Login incorrect.\r\n");
  emit_text(emit, "\x01" "220-multi\r\n220 line\r\n331 pw\r\n230 in\r\n550 no file\r\n");
  emit_text(emit, "\x01" "421 Service not available\r\n");
}
