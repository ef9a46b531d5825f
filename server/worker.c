/*
 * worker.c - the worker pool.
 *
 * N threads claim queued jobs from the store (one atomic UPDATE ...
 * RETURNING, so two workers never get the same job) and run the pipeline.
 * The pipeline's hooks write every stage change, log line, diagnostic and
 * artifact to the store and wake the requests waiting on the job. A job ends
 * with one transaction that sets its terminal state and commits its
 * artifacts.
 *
 * Cancellation reaches a running stage through the `canceled` hook: the
 * cancel endpoint sets the slot's flag directly (same process), and the
 * store's cancel_requested column is polled as a backstop. On shutdown the
 * pool stops claiming, lets running jobs finish for a grace period, then
 * stops their stages and puts them back in the queue (not canceled: the
 * user asked for nothing).
 */
#include "srv.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct wk_slot {
  pthread_t thread;
  int index;
  char job_id[40];
  atomic_bool busy;
  atomic_bool cancel;   /* user asked to cancel the running job */
  atomic_bool abort;    /* shutdown: stop and re-queue */
  int64_t last_poll_ms;
  int64_t stage_t0;
} wk_slot;

static wk_slot *wk__slots;
static int wk__n;
static atomic_bool wk__stopping;
static pthread_mutex_t wk__lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wk__cond = PTHREAD_COND_INITIALIZER;
static unsigned wk__kicks;

void srv_workers_kick(void) {
  pthread_mutex_lock(&wk__lock);
  wk__kicks++;
  pthread_cond_signal(&wk__cond);
  pthread_mutex_unlock(&wk__lock);
}

int srv_workers_busy(void) {
  int n = 0;
  for (int i = 0; i < wk__n; i++) n += atomic_load(&wk__slots[i].busy);
  return n;
}

void srv_workers_cancel(const char *job_id) {
  pthread_mutex_lock(&wk__lock);
  for (int i = 0; i < wk__n; i++)
    if (atomic_load(&wk__slots[i].busy) && !strcmp(wk__slots[i].job_id, job_id))
      atomic_store(&wk__slots[i].cancel, true);
  pthread_mutex_unlock(&wk__lock);
}

/* ----------------------------------------------------------------- hooks */

/* What the client sees never shows a server path: the job's work folder
 * becomes relative ("test/py/pkg/m.py"), the data directory "<data>".
 * Returns text or a scrubbed copy in buf. */
static const char *wk__scrub(const pl_job *job, const char *text, char *buf, size_t cap) {
  if (!text) return NULL;
  const char *prefixes[2] = {job->workdir[0] ? job->workdir : NULL, srv_cfg.data_dir};
  bool hit = false;
  for (int k = 0; k < 2; k++) hit |= prefixes[k] && *prefixes[k] && strstr(text, prefixes[k]);
  if (!hit) return text;
  size_t n = 0;
  for (const char *p = text; *p && n + 1 < cap;) {
    int k;
    size_t len = 0;
    for (k = 0; k < 2; k++)
      if (prefixes[k] && *prefixes[k] && !strncmp(p, prefixes[k], len = strlen(prefixes[k]))) break;
    if (k < 2) {
      p += len;
      const char *r = k == 1 ? "<data>" : *p == '/' ? "" : ".";
      if (k == 0 && *p == '/') p++;
      for (; *r && n + 1 < cap; r++) buf[n++] = *r;
    } else {
      buf[n++] = *p++;
    }
  }
  buf[n] = 0;
  return buf;
}

static void wk__hook_stage(void *ctx, pl_job *job, int index, const char *state, const char *message) {
  wk_slot *w = ctx;
  p_err e = {0};
  store *s = store_get(&e);
  if (!strcmp(state, "running")) w->stage_t0 = p_mono_ms();
  else srv_metrics_stage(pl_stages[index].name, (double)(p_mono_ms() - w->stage_t0) / 1000.0);
  char clean[2048];
  message = wk__scrub(job, message, clean, sizeof clean);
  if (s && store_stage_set(s, job->id, index, state, message, &e))
    p_log(P_LOG_WARN, "job %s: cannot record stage %s: %s", job->id, pl_stages[index].name, e.msg);
  srv_notify(job->id);
}

static void wk__hook_log(void *ctx, pl_job *job, const char *stage, const char *line) {
  (void)ctx;
  p_err e = {0};
  store *s = store_get(&e);
  char clean[4096];
  line = wk__scrub(job, line, clean, sizeof clean);
  if (s) store_log(s, job->id, stage, line, &e);
  srv_notify(job->id);
}

static void wk__hook_diag(void *ctx, pl_job *job, const pl_diag *d) {
  (void)ctx;
  p_err e = {0};
  store *s = store_get(&e);
  char clean[2048];
  pl_diag copy = *d;
  copy.message = (char *)wk__scrub(job, d->message, clean, sizeof clean);
  if (s) store_diag(s, job->id, &copy, &e);
  srv_notify(job->id);
}

static int wk__hook_artifact(void *ctx, pl_job *job, const char *name, const char *mime, const void *data,
                             size_t len, p_err *e) {
  (void)ctx;
  store *s = store_get(e);
  if (!s) return P_EDB;
  return store_artifact_put(s, job->id, name, mime, data, len, e);
}

static int wk__hook_functions(void *ctx, pl_job *job, const tm_func *fs, int n, p_err *e) {
  (void)ctx;
  store *s = store_get(e);
  if (!s) return P_EDB;
  store_tm_row *rows = p_xcalloc((size_t)n, sizeof *rows);
  for (int i = 0; i < n; i++)
    rows[i] = (store_tm_row){fs[i].file,   fs[i].name, fs[i].line,      fs[i].end_line, fs[i].hash,
                             fs[i].python, fs[i].rust, fs[i].signature, fs[i].is_static, fs[i].emb};
  int rc = store_tm_put(s, job->id, rows, n, e);
  free(rows);
  return rc;
}

static bool wk__hook_canceled(void *ctx, pl_job *job) {
  wk_slot *w = ctx;
  if (atomic_load(&w->cancel) || atomic_load(&w->abort)) return true;
  int64_t now = p_mono_ms();
  if (now - w->last_poll_ms >= 500) {
    w->last_poll_ms = now;
    p_err e = {0};
    store *s = store_get(&e);
    if (s && store_cancel_requested(s, job->id)) {
      atomic_store(&w->cancel, true);
      return true;
    }
  }
  return false;
}

/* ----------------------------------------------------------------- loop */

static void wk__run_one(wk_slot *w, store *s, const char *id, int attempt) {
  p_err e = {0};
  pl_job *job = pl_job_new(&srv_cfg.pl, id);
  job->hooks = (pl_hooks){w, wk__hook_stage, wk__hook_log, wk__hook_diag, wk__hook_artifact, wk__hook_canceled,
                          wk__hook_functions};
  const char *state, *reason = NULL, *message = NULL;
  if (store_job_load(s, id, job, &e)) {
    state = "error";
    reason = "internal";
    message = e.msg;
  } else {
    if (attempt > 1) pl_log(job, "attempt %d (the previous run was interrupted)", attempt);
    pl_outcome out = pl_run(job, PL_STAGE_INGEST, PL_STAGE_PACKAGE);
    if (out == PL_CANCELED && atomic_load(&w->abort) && !atomic_load(&w->cancel)) {
      if (store_job_requeue(s, id, "server shutting down: job re-queued", &e))
        p_log(P_LOG_ERROR, "job %s: cannot re-queue: %s", id, e.msg);
      else
        p_log(P_LOG_INFO, "job %s re-queued for the next start", id);
      srv_notify(id);
      pl_job_free(job);
      return;
    }
    state = pl_outcome_name(out);
    if (out != PL_SUCCEEDED) {
      reason = job->reason[0] ? job->reason : state;
      message = job->message[0] ? job->message : NULL;
    }
  }
  char clean[1024];
  message = wk__scrub(job, message, clean, sizeof clean);
  if (store_job_finish(s, id, state, reason, message, &e))
    p_log(P_LOG_ERROR, "job %s: cannot finish: %s", id, e.msg);
  else {
    srv_metrics_job_done(state);
    if (!strcmp(state, "succeeded")) srv_tm_job_done(id);
  }
  p_log(P_LOG_INFO, "job %s %s%s%s", id, state, reason ? ": " : "", reason ? reason : "");
  srv_notify(id);
  pl_job_free(job);
}

static void *wk__main(void *arg) {
  wk_slot *w = arg;
  p_err e = {0};
  while (!atomic_load(&wk__stopping)) {
    store *s = store_get(&e);
    char id[33];
    int attempt = 0;
    int rc = s ? store_job_claim(s, id, &attempt, &e) : P_EDB;
    if (rc == 0) {
      pthread_mutex_lock(&wk__lock);
      snprintf(w->job_id, sizeof w->job_id, "%s", id);
      atomic_store(&w->cancel, false);
      atomic_store(&w->busy, true);
      pthread_mutex_unlock(&wk__lock);
      srv_notify(id);
      w->last_poll_ms = p_mono_ms();
      wk__run_one(w, s, id, attempt);
      pthread_mutex_lock(&wk__lock);
      atomic_store(&w->busy, false);
      w->job_id[0] = 0;
      pthread_mutex_unlock(&wk__lock);
      continue;
    }
    if (rc != P_ENOTFOUND) p_log(P_LOG_WARN, "worker %d: %s", w->index, e.msg);
    /* Idle: sleep until kicked, or 1 s (jobs queued by another process). */
    pthread_mutex_lock(&wk__lock);
    unsigned seen = wk__kicks;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    while (seen == wk__kicks && !atomic_load(&wk__stopping))
      if (pthread_cond_timedwait(&wk__cond, &wk__lock, &ts)) break;
    pthread_mutex_unlock(&wk__lock);
  }
  store_release();
  return NULL;
}

int srv_workers_start(int n, p_err *e) {
  wk__slots = p_xcalloc((size_t)n, sizeof *wk__slots);
  wk__n = n;
  atomic_store(&wk__stopping, false);
  for (int i = 0; i < n; i++) {
    wk__slots[i].index = i;
    if (pthread_create(&wk__slots[i].thread, NULL, wk__main, &wk__slots[i])) {
      wk__n = i;
      return p_err_set(e, P_EIO, "cannot start worker %d", i);
    }
  }
  return 0;
}

void srv_workers_stop(int grace_s) {
  atomic_store(&wk__stopping, true);
  pthread_mutex_lock(&wk__lock);
  pthread_cond_broadcast(&wk__cond);
  pthread_mutex_unlock(&wk__lock);
  int64_t until = p_mono_ms() + (int64_t)grace_s * 1000;
  while (srv_workers_busy() && p_mono_ms() < until) {
    struct timespec ts = {0, 50 * 1000000};
    nanosleep(&ts, NULL);
  }
  if (srv_workers_busy()) p_log(P_LOG_INFO, "stopping %d running job(s); they will be re-queued", srv_workers_busy());
  for (int i = 0; i < wk__n; i++) atomic_store(&wk__slots[i].abort, true);
  for (int i = 0; i < wk__n; i++) pthread_join(wk__slots[i].thread, NULL);
  free(wk__slots);
  wk__slots = NULL;
  wk__n = 0;
}
