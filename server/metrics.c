/*
 * metrics.c - Prometheus text exposition at /metrics.
 *
 * Counters live in memory: HTTP requests by route, method and status
 * (atomic, counted without a lock: every request does it), finished jobs by
 * state and stage duration histograms behind one mutex; gauges that the
 * database knows better (jobs by state, queue depth) are read from the
 * store at scrape time, so they are right after a restart too. The caller
 * passes what only the worker pool knows (busy workers), so metrics depend
 * on nothing above them.
 */
#include "srv.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define MET_MAX_HTTP 256
static const double met__buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
#define MET_NB (sizeof met__buckets / sizeof met__buckets[0])

static pthread_mutex_t met__lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  char route[32], method[8];
  int status;
  atomic_ullong n;
} met__http[MET_MAX_HTTP];
static atomic_int met__nhttp; /* entries below it are complete and never change but n */
static struct {
  unsigned long long bucket[MET_NB];
  unsigned long long count;
  double sum;
} met__stage[PL_NSTAGES];
static unsigned long long met__done[STORE_NSTATES];

static int met__find(int n, const char *route, const char *method, int status) {
  for (int i = 0; i < n; i++)
    if (met__http[i].status == status && !strcmp(met__http[i].route, route) && !strcmp(met__http[i].method, method))
      return i;
  return -1;
}

/* Every request: a lookup without the lock (entries are published by
 * met__nhttp after they are written) and an atomic add; the lock only to
 * add a new (route, method, status). */
void srv_metrics_http(const char *route, const char *method, int status) {
  int i = met__find(atomic_load_explicit(&met__nhttp, memory_order_acquire), route, method, status);
  if (i < 0) {
    pthread_mutex_lock(&met__lock);
    int n = atomic_load_explicit(&met__nhttp, memory_order_relaxed);
    i = met__find(n, route, method, status);
    if (i < 0 && n < MET_MAX_HTTP) {
      snprintf(met__http[n].route, sizeof met__http[n].route, "%s", route);
      snprintf(met__http[n].method, sizeof met__http[n].method, "%s", method);
      met__http[n].status = status;
      i = n;
      atomic_store_explicit(&met__nhttp, n + 1, memory_order_release);
    }
    pthread_mutex_unlock(&met__lock);
  }
  if (i >= 0) atomic_fetch_add_explicit(&met__http[i].n, 1, memory_order_relaxed);
}

void srv_metrics_stage(const char *stage, double seconds) {
  for (int s = 0; s < PL_NSTAGES; s++) {
    if (strcmp(pl_stages[s].name, stage)) continue;
    pthread_mutex_lock(&met__lock);
    for (size_t b = 0; b < MET_NB; b++)
      if (seconds <= met__buckets[b]) met__stage[s].bucket[b]++;
    met__stage[s].count++;
    met__stage[s].sum += seconds;
    pthread_mutex_unlock(&met__lock);
  }
}

void srv_metrics_job_done(const char *state) {
  pthread_mutex_lock(&met__lock);
  for (int i = 0; i < STORE_NSTATES; i++)
    if (!strcmp(store_states[i], state)) met__done[i]++;
  pthread_mutex_unlock(&met__lock);
}

int srv_metrics_render(p_buf *out, int busy_workers, p_err *e) {
  store *s = store_get(e);
  if (!s) return P_EDB;
  int64_t counts[STORE_NSTATES];
  if (store_job_counts(s, -1, counts, e)) return e->code;
  p_buf_puts(out, "# HELP portalis_jobs Jobs in the store by state.\n# TYPE portalis_jobs gauge\n");
  for (int i = 0; i < STORE_NSTATES; i++)
    p_buf_printf(out, "portalis_jobs{state=\"%s\"} %lld\n", store_states[i], (long long)counts[i]);
  p_buf_printf(out, "# HELP portalis_queue_depth Jobs waiting for a worker.\n# TYPE portalis_queue_depth gauge\n"
                    "portalis_queue_depth %lld\n", (long long)counts[STORE_QUEUED]);
  p_buf_printf(out, "# HELP portalis_workers Worker threads.\n# TYPE portalis_workers gauge\nportalis_workers %d\n",
               srv_cfg.workers);
  p_buf_printf(out, "# HELP portalis_workers_busy Workers running a job.\n# TYPE portalis_workers_busy gauge\n"
                    "portalis_workers_busy %d\n", busy_workers);
  pthread_mutex_lock(&met__lock);
  p_buf_puts(out, "# HELP portalis_jobs_finished_total Jobs this process finished, by final state.\n"
                  "# TYPE portalis_jobs_finished_total counter\n");
  for (int i = STORE_SUCCEEDED; i < STORE_NSTATES; i++)
    p_buf_printf(out, "portalis_jobs_finished_total{state=\"%s\"} %llu\n", store_states[i], met__done[i]);
  p_buf_puts(out, "# HELP portalis_stage_duration_seconds Wall time of pipeline stages.\n"
                  "# TYPE portalis_stage_duration_seconds histogram\n");
  for (int st = 0; st < PL_NSTAGES; st++) {
    for (size_t b = 0; b < MET_NB; b++)
      p_buf_printf(out, "portalis_stage_duration_seconds_bucket{stage=\"%s\",le=\"%g\"} %llu\n", pl_stages[st].name,
                   met__buckets[b], met__stage[st].bucket[b]);
    p_buf_printf(out, "portalis_stage_duration_seconds_bucket{stage=\"%s\",le=\"+Inf\"} %llu\n", pl_stages[st].name,
                 met__stage[st].count);
    p_buf_printf(out, "portalis_stage_duration_seconds_sum{stage=\"%s\"} %.6f\n", pl_stages[st].name, met__stage[st].sum);
    p_buf_printf(out, "portalis_stage_duration_seconds_count{stage=\"%s\"} %llu\n", pl_stages[st].name,
                 met__stage[st].count);
  }
  p_buf_puts(out, "# HELP portalis_http_requests_total HTTP requests by route, method and status.\n"
                  "# TYPE portalis_http_requests_total counter\n");
  int nh = atomic_load(&met__nhttp);
  for (int i = 0; i < nh; i++)
    p_buf_printf(out, "portalis_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
                 met__http[i].route, met__http[i].method, met__http[i].status, atomic_load(&met__http[i].n));
  pthread_mutex_unlock(&met__lock);
  llm_metrics_render(out);
  return out->err ? p_err_set(e, P_ETOOBIG, "metrics too large") : 0;
}
