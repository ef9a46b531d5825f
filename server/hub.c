/*
 * hub.c - the waiter hub: requests parked until their job changes.
 *
 * A request that waits - a long-poll GET /jobs/{id}?wait=N or an event
 * stream - does not keep a thread: http.c suspends it
 * (MHD_suspend_connection) and registers it here with its job id and
 * deadline. Whoever changes a job (the workers, cancel and delete) calls
 * srv_notify(id), which resumes that job's waiters; a ticker thread resumes
 * the ones whose deadline passed (long-poll timeout, SSE heartbeat).
 *
 * Per-id change counters (srv_hub_changes) let the HTTP threads keep
 * copies of finished jobs without asking the store whether they changed.
 *
 * A global generation counter closes the race between "checked, nothing
 * new" and "suspended": a waiter reads srv_hub_gen() before it checks the
 * store and only suspends if no notification came in between.
 *
 * The hub knows requests only as srv_req (conn, job_id, deadline); it calls
 * nothing of the HTTP layer but MHD's suspend/resume, so the workers, which
 * notify, do not depend on http.c.
 */
#define PORTALIS_SRV_HTTP_INTERNAL 1
#include "srv.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct hub__waiter {
  srv_req *req;
  struct hub__waiter *next;
} hub__waiter;

static pthread_mutex_t hub__lock = PTHREAD_MUTEX_INITIALIZER;
static hub__waiter *hub__list;
static atomic_uint_fast64_t hub__gen;
static pthread_t hub__ticker;
static atomic_bool hub__ticker_run;
static atomic_bool hub__open;    /* between srv_hub_start and srv_hub_stop */
static atomic_bool hub__closing; /* no new waiters (shutdown) */

uint64_t srv_hub_gen(void) { return atomic_load(&hub__gen); }

bool srv_hub_closing(void) { return atomic_load(&hub__closing); }

bool srv_wait(srv_req *r, const char *job_id, int64_t deadline_ms, uint64_t gen) {
  hub__waiter *w = p_xmalloc(sizeof *w);
  pthread_mutex_lock(&hub__lock);
  if (atomic_load(&hub__gen) != gen || atomic_load(&hub__closing)) {
    pthread_mutex_unlock(&hub__lock);
    free(w);
    return false;
  }
  if (job_id != r->job_id) snprintf(r->job_id, sizeof r->job_id, "%s", job_id);
  r->deadline_ms = deadline_ms;
  r->suspended = true;
  w->req = r;
  w->next = hub__list;
  hub__list = w;
  MHD_suspend_connection(r->conn);
  pthread_mutex_unlock(&hub__lock);
  return true;
}

/* Resumes waiters matching job_id (NULL: those past their deadline; "*": all). */
static void hub__resume(const char *job_id) {
  int64_t now = p_mono_ms();
  pthread_mutex_lock(&hub__lock);
  hub__waiter **pp = &hub__list;
  while (*pp) {
    hub__waiter *w = *pp;
    bool hit = job_id ? (!strcmp(job_id, "*") || !strcmp(w->req->job_id, job_id))
                      : w->req->deadline_ms <= now;
    if (hit) {
      *pp = w->next;
      w->req->suspended = false;
      MHD_resume_connection(w->req->conn);
      free(w);
    } else {
      pp = &w->next;
    }
  }
  pthread_mutex_unlock(&hub__lock);
}

/* Change counters per job id (hashed: ids may share one) and for bulk
 * expiry, so that a copy of a finished job can be known to be current
 * without reading the store (routes_jobs.c). */
#define HUB__CHANGE_SLOTS 4096
static atomic_uint hub__changes[HUB__CHANGE_SLOTS];
static atomic_uint hub__expired;

static unsigned hub__slot(const char *job_id) {
  uint32_t h = 2166136261u;
  for (const char *p = job_id; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  return h % HUB__CHANGE_SLOTS;
}

uint64_t srv_hub_changes(const char *job_id) {
  return (uint64_t)atomic_load(&hub__expired) << 32 | atomic_load(&hub__changes[hub__slot(job_id)]);
}

void srv_notify_expired(void) { atomic_fetch_add(&hub__expired, 1); }

void srv_notify(const char *job_id) {
  if (strcmp(job_id, "*") != 0) atomic_fetch_add(&hub__changes[hub__slot(job_id)], 1);
  else atomic_fetch_add(&hub__expired, 1);
  atomic_fetch_add(&hub__gen, 1);
  if (atomic_load(&hub__open)) hub__resume(job_id);
}

static void *hub__tick(void *arg) {
  (void)arg;
  while (atomic_load(&hub__ticker_run)) {
    struct timespec ts = {0, 100 * 1000000};
    nanosleep(&ts, NULL);
    hub__resume(NULL);
  }
  return NULL;
}

void srv_hub_start(void) {
  atomic_store(&hub__closing, false);
  atomic_store(&hub__open, true);
  atomic_store(&hub__ticker_run, true);
  pthread_create(&hub__ticker, NULL, hub__tick, NULL);
}

void srv_hub_close(void) {
  atomic_store(&hub__closing, true);
  /* Parked requests answer now: long-polls with the current state, event
   * streams with their end event (the listening socket stays open). */
  if (atomic_load(&hub__open)) hub__resume("*");
}

void srv_hub_stop(void) {
  if (!atomic_load(&hub__open)) return;
  atomic_store(&hub__closing, true);
  atomic_store(&hub__ticker_run, false);
  pthread_join(hub__ticker, NULL);
  hub__resume("*");
  /* Give resumed streams a moment to send their end. */
  struct timespec ts = {0, 200 * 1000000};
  nanosleep(&ts, NULL);
  hub__resume("*");
  atomic_store(&hub__open, false);
}
