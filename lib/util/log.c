/* log: readable one-line log messages to stderr or a file, with a wall-clock timestamp. */
#include "log.h"

#include <stdarg.h>
#include <sys/time.h>
#include <time.h>

static FILE *log_out;
static enum log_level log_min = LOG_INFO;

void log_setup(FILE *out, enum log_level min)
{
  log_out = out;
  log_min = min;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
  static const char *const names[] = { "debug", "info", "warn", "error" };
  FILE *out = log_out ? log_out : stderr;
  struct timeval tv;
  struct tm tm;
  char stamp[32];
  va_list ap;
  if (level < log_min || !fmt)
    return;
  gettimeofday(&tv, NULL);
  localtime_r(&tv.tv_sec, &tm);
  strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
  fprintf(out, "%s.%03d %-5s ", stamp, (int)(tv.tv_usec / 1000), names[level]);
  va_start(ap, fmt);
  vfprintf(out, fmt, ap);
  va_end(ap);
  fputc('\n', out);
  fflush(out);
}
