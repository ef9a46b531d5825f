/*
 * retention.c - what keeps the disk from growing without bound.
 *
 * Three jobs, all run by one sweeper thread (once at start, then every
 * minute):
 *   - expired jobs: a finished job expires --retain-days after it ended
 *     (jobs.expires_at, shown in the API); the sweep deletes its rows -
 *     sources, artifacts, events, translation-memory functions (which also
 *     leave the search index) - and leaves a tombstone so the id answers
 *     410 Gone; a tombstone is pruned one more retention window later
 *     (the id then answers 404, as one that never existed);
 *   - the build cache: modules by crate hash under DATA/cache; past
 *     --cache-max bytes the least recently used are removed (Build touches
 *     a module's mtime when it reuses it, so mtime order is use order);
 *   - work folders: DATA/tmp/portalis-<job>-XXXXXX of jobs that are not
 *     running (a killed process leaves them) are removed at start-up.
 */
#include "srv.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_t ret__thread;
static bool ret__started;
static pthread_mutex_t ret__lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ret__cond = PTHREAD_COND_INITIALIZER;
static bool ret__stop;
static int64_t ret__interval_ms = 60000;

/* ----------------------------------------------------------- the cache */

typedef struct ret__file {
  char *path;
  int64_t mtime_ns;
  uint64_t size;
} ret__file;

typedef struct ret__list {
  ret__file *v;
  size_t n, cap;
  uint64_t total;
} ret__list;

static void ret__walk(const char *dir, ret__list *l, int depth) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path) continue;
    struct stat st;
    if (lstat(path, &st)) continue;
    if (S_ISDIR(st.st_mode)) {
      if (depth < 4) ret__walk(path, l, depth + 1);
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    if (l->n == l->cap) {
      l->cap = l->cap ? l->cap * 2 : 256;
      l->v = p_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (ret__file){p_xstrdup(path), (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                               (uint64_t)st.st_size};
    l->total += (uint64_t)st.st_size;
  }
  closedir(d);
}

static int ret__by_age(const void *a, const void *b) {
  const ret__file *x = a, *y = b;
  return x->mtime_ns < y->mtime_ns ? -1 : x->mtime_ns > y->mtime_ns;
}

int srv_cache_evict(const char *dir, uint64_t max_bytes, size_t *removed, uint64_t *left) {
  ret__list l = {0};
  ret__walk(dir, &l, 0);
  *removed = 0;
  if (l.total > max_bytes) {
    qsort(l.v, l.n, sizeof *l.v, ret__by_age);
    for (size_t i = 0; i < l.n && l.total > max_bytes; i++) {
      if (unlink(l.v[i].path) == 0) {
        l.total -= l.v[i].size;
        (*removed)++;
      }
    }
  }
  *left = l.total;
  for (size_t i = 0; i < l.n; i++) free(l.v[i].path);
  free(l.v);
  return 0;
}

/* ------------------------------------------------------- work folders */

int srv_workdirs_clean(const char *tmp_dir, size_t *removed) {
  *removed = 0;
  DIR *d = opendir(tmp_dir);
  if (!d) return 0;
  p_err e = {0};
  store *s = store_get(&e);
  struct dirent *de;
  while ((de = readdir(d))) {
    if (strncmp(de->d_name, "portalis-", 9) != 0) continue;
    /* portalis-<job id>-XXXXXX */
    char id[64];
    const char *p = de->d_name + 9;
    const char *dash = strrchr(p, '-');
    if (!dash || (size_t)(dash - p) >= sizeof id) continue;
    memcpy(id, p, (size_t)(dash - p));
    id[dash - p] = 0;
    if (s && store_job_running(s, id)) continue;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", tmp_dir, de->d_name) >= (int)sizeof path) continue;
    if (p_rmtree(path) == 0) (*removed)++;
  }
  closedir(d);
  return 0;
}

/* ------------------------------------------------------------ sweeper */

static void ret__sweep_once(void) {
  p_err e = {0};
  store *s = store_get(&e);
  if (s) {
    int total = 0, n = 0;
    do {
      int64_t *tm_ids = NULL;
      size_t tm_n = 0;
      if (store_sweep(s, p_now_ms(), 200, &n, &tm_ids, &tm_n, &e)) {
        p_log(P_LOG_WARN, "retention: %s", e.msg);
        break;
      }
      if (n) srv_notify_expired(); /* HTTP threads' copies of finished jobs */
      srv_tm_job_deleted(tm_ids, tm_n); /* their functions leave the search index */
      free(tm_ids);
      total += n;
    } while (n == 200);
    if (total) p_log(P_LOG_INFO, "retention: deleted %d expired job(s)", total);
  }
  if (srv_cfg.pl.cache_dir) {
    size_t removed;
    uint64_t left;
    srv_cache_evict(srv_cfg.pl.cache_dir, srv_cfg.cache_max, &removed, &left);
    if (removed)
      p_log(P_LOG_INFO, "build cache: evicted %zu module(s), %llu bytes left", removed, (unsigned long long)left);
  }
}

static void *ret__main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&ret__lock);
  while (!ret__stop) {
    pthread_mutex_unlock(&ret__lock);
    ret__sweep_once();
    pthread_mutex_lock(&ret__lock);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ns = ts.tv_nsec + (ret__interval_ms % 1000) * 1000000;
    ts.tv_sec += ret__interval_ms / 1000 + ns / 1000000000;
    ts.tv_nsec = ns % 1000000000;
    while (!ret__stop && pthread_cond_timedwait(&ret__cond, &ret__lock, &ts) == 0) {}
  }
  pthread_mutex_unlock(&ret__lock);
  store_release();
  return NULL;
}

int srv_retention_start(int64_t interval_ms, p_err *e) {
  ret__interval_ms = interval_ms > 0 ? interval_ms : 60000;
  ret__stop = false;
  if (pthread_create(&ret__thread, NULL, ret__main, NULL)) return p_err_set(e, P_EIO, "cannot start the sweeper");
  ret__started = true;
  return 0;
}

void srv_retention_stop(void) {
  if (!ret__started) return;
  pthread_mutex_lock(&ret__lock);
  ret__stop = true;
  pthread_cond_broadcast(&ret__cond);
  pthread_mutex_unlock(&ret__lock);
  pthread_join(ret__thread, NULL);
  ret__started = false;
}
