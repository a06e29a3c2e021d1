/* download: picks the implementation for a URL's scheme behind the one download interface. */
#include "download.h"

struct download {
  const struct download_ops *ops;
};

struct download *download_start(const struct download_env *env, const struct fota_url *url,
                                 const struct download_sink *sink)
{
  if (url->scheme == SCHEME_FILE)
    return download_file_start(env, url, sink);
  return download_curl_start(env, url, sink);
}

void download_cancel(struct download *d)
{
  if (d)
    d->ops->cancel(d);
}
