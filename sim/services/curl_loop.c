/* curl_loop: libcurl's multi interface on the libuv loop: curl's sockets as uv_poll handles,
 * its timeout as a uv_timer, finished transfers handed to their jobs. */
#include "curl_loop.h"

#include <stdio.h>
#include <stdlib.h>

struct curl_loop {
  uv_loop_t *loop;
  CURLM *multi;
  uv_timer_t timer;
  int running;
};

struct curl_sock {
  uv_poll_t poll;
  curl_socket_t fd;
  struct curl_loop *cl;
};

static void check_done(struct curl_loop *cl);

static void sock_closed(uv_handle_t *h)
{
  free(h->data);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
  struct curl_sock *s = h->data;
  int flags = 0;
  if (status < 0)
    flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  curl_multi_socket_action(s->cl->multi, s->fd, flags, &s->cl->running);
  check_done(s->cl);
}

static int socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
  struct curl_loop *cl = userp;
  struct curl_sock *s = socketp;
  int events = 0;
  (void)e;
  if (what == CURL_POLL_REMOVE) {
    if (s) {
      uv_poll_stop(&s->poll);
      uv_close((uv_handle_t *)&s->poll, sock_closed);
      curl_multi_assign(cl->multi, fd, NULL);
    }
    return 0;
  }
  if (!s) {
    s = calloc(1, sizeof(*s));
    s->fd = fd;
    s->cl = cl;
    uv_poll_init_socket(cl->loop, &s->poll, fd);
    s->poll.data = s;
    curl_multi_assign(cl->multi, fd, s);
  }
  if (what & CURL_POLL_IN)
    events |= UV_READABLE;
  if (what & CURL_POLL_OUT)
    events |= UV_WRITABLE;
  uv_poll_start(&s->poll, events, on_poll);
  return 0;
}

static void on_curl_timer(uv_timer_t *t)
{
  struct curl_loop *cl = t->data;
  curl_multi_socket_action(cl->multi, CURL_SOCKET_TIMEOUT, 0, &cl->running);
  check_done(cl);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  struct curl_loop *cl = userp;
  (void)multi;
  if (timeout_ms < 0)
    uv_timer_stop(&cl->timer);
  else
    uv_timer_start(&cl->timer, on_curl_timer, (uint64_t)timeout_ms, 0);
  return 0;
}

struct curl_loop *curl_loop_new(uv_loop_t *loop)
{
  struct curl_loop *cl = calloc(1, sizeof(*cl));
  static int global_done;
  if (!global_done) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    global_done = 1;
  }
  cl->loop = loop;
  cl->multi = curl_multi_init();
  uv_timer_init(loop, &cl->timer);
  cl->timer.data = cl;
  curl_multi_setopt(cl->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt(cl->multi, CURLMOPT_SOCKETDATA, cl);
  curl_multi_setopt(cl->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt(cl->multi, CURLMOPT_TIMERDATA, cl);
  return cl;
}

static void curl_loop_closed(uv_handle_t *h)
{
  free(h->data);
}

void curl_loop_free(struct curl_loop *cl)
{
  if (!cl)
    return;
  curl_multi_cleanup(cl->multi);
  uv_close((uv_handle_t *)&cl->timer, curl_loop_closed);
}

void curl_loop_add(struct curl_loop *cl, CURL *easy, struct curl_job *job)
{
  curl_easy_setopt(easy, CURLOPT_PRIVATE, job);
  curl_multi_add_handle(cl->multi, easy);
}

void curl_loop_remove(struct curl_loop *cl, CURL *easy)
{
  curl_multi_remove_handle(cl->multi, easy);
}

static void check_done(struct curl_loop *cl)
{
  CURLMsg *msg;
  int pending;
  while ((msg = curl_multi_info_read(cl->multi, &pending))) {
    struct curl_job *job = NULL;
    if (msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&job);
    if (job)
      job->on_done(job, msg->data.result);
  }
}

int curl_loop_prepare(CURL *easy, const struct dns_entry *dns, int ndns, const char *host,
                      int port, struct curl_slist **resolve)
{
  const char *addr = network_resolve(dns, ndns, host);
  char entry[400];
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_PROXY, ""); /* the module has no proxy */
  if (!addr)
    return -1;
  if (!network_is_ip(host)) {
    snprintf(entry, sizeof(entry), "%s:%d:%s", host, port, addr);
    *resolve = curl_slist_append(*resolve, entry);
    curl_easy_setopt(easy, CURLOPT_RESOLVE, *resolve);
  }
  return 0;
}
