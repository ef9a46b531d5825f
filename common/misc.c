/*
 * misc.c - clocks, files, randomness, UTF-8 validation and logging: the
 * few system helpers every part needs.
 */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

p_log_level p_log_min = P_LOG_INFO;
static pthread_mutex_t misc__log_lock = PTHREAD_MUTEX_INITIALIZER;

int64_t p_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t p_mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void p_iso8601(int64_t ms, char out[32]) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

int p_read_file(const char *path, size_t max, char **out, size_t *len, p_err *e) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return p_err_set(e, errno == ENOENT ? P_ENOTFOUND : P_EIO, "%s: %s", path, strerror(errno));
  p_buf b;
  p_buf_init(&b, max);
  char tmp[65536];
  for (;;) {
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int er = errno;
      close(fd);
      p_buf_free(&b);
      return p_err_set(e, P_EIO, "%s: %s", path, strerror(er));
    }
    if (n == 0) break;
    if (p_buf_append(&b, tmp, (size_t)n)) {
      close(fd);
      p_buf_free(&b);
      return p_err_set(e, P_ETOOBIG, "%s: larger than %zu bytes", path, max);
    }
  }
  close(fd);
  *out = p_buf_steal(&b, len);
  return *out ? 0 : p_err_set(e, P_ENOMEM, "out of memory");
}

int p_write_file(const char *path, const void *data, size_t len, p_err *e) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return p_err_set(e, P_EIO, "%s: %s", path, strerror(errno));
  const char *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int er = errno;
      close(fd);
      return p_err_set(e, P_EIO, "%s: %s", path, strerror(er));
    }
    p += n;
    len -= (size_t)n;
  }
  if (close(fd)) return p_err_set(e, P_EIO, "%s: %s", path, strerror(errno));
  return 0;
}

int p_mkdirs(const char *path, int mode) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      if (mkdir(tmp, (mode_t)mode) && errno != EEXIST) return -1;
      *p = '/';
    }
  }
  if (mkdir(tmp, (mode_t)mode) && errno != EEXIST) return -1;
  return 0;
}

static int misc__rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb; (void)flag; (void)ftw;
  return remove(p) ? 0 : 0;
}

int p_rmtree(const char *path) {
  if (!path || !*path || !strcmp(path, "/")) return -1;
  return nftw(path, misc__rm, 32, FTW_DEPTH | FTW_PHYS);
}

void p_random_hex(char *out, size_t nbytes) {
  unsigned char buf[64];
  if (nbytes > sizeof buf) nbytes = sizeof buf;
  size_t got = 0;
  while (got < nbytes) {
    ssize_t n = getrandom(buf + got, nbytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) p_die("getrandom: no entropy (never hand out a guessable id)");
    got += (size_t)n;
  }
  for (size_t i = 0; i < nbytes; i++) {
    out[i * 2] = "0123456789abcdef"[buf[i] >> 4];
    out[i * 2 + 1] = "0123456789abcdef"[buf[i] & 15];
  }
  out[nbytes * 2] = 0;
}

bool p_utf8_valid(const char *s, size_t len, size_t *bad_off) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    unsigned c = p[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) { i++; continue; }
    else if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else goto bad;
    for (size_t k = 1; k <= n; k++) {
      if (i + k >= len || (p[i + k] & 0xC0) != 0x80) goto bad;
      cp = cp << 6 | (p[i + k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      goto bad;
    i += n + 1;
  }
  return true;
bad:
  if (bad_off) *bad_off = i;
  return false;
}

void p_log(p_log_level lvl, const char *fmt, ...) {
  if (lvl < p_log_min) return;
  static const char *names[] = {"debug", "info", "warn", "error"};
  char ts[32];
  p_iso8601(p_now_ms(), ts);
  va_list ap;
  va_start(ap, fmt);
  pthread_mutex_lock(&misc__log_lock);
  fprintf(stderr, "%s portalisd %s: ", ts, names[lvl]);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  pthread_mutex_unlock(&misc__log_lock);
  va_end(ap);
}
