/*
 * routes_jobs.c - the /api/v1/jobs resource: create (upload), list, get
 * (with ETag and long-poll), events (SSE), cancel, delete, artifacts.
 *
 * Every handler works on behalf of r->who: a job that belongs to another
 * owner is answered exactly like one that does not exist (404), so ids
 * leak nothing.
 */
#define PORTALIS_SRV_HTTP_INTERNAL 1
#include "srv.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static store *jobs__store(srv_req *r, enum MHD_Result *ret) {
  p_err e = {0};
  store *s = store_get(&e);
  if (!s) *ret = srv_problem(r, 503, "database_error", e.msg, NULL);
  return s;
}

/* ------------------------------------------------------ the body cache */

/* The job object is a few SQL reads and a JSON print; polling clients ask
 * for the same version again and again. Bodies are cached per job, keyed
 * by (id, owner, version): a finished job's body is valid until its version
 * changes (deletion or expiry also fail the version read first); a running
 * job's for 500 ms, because its duration_ms moves with the clock. */
#define JOBS__CACHE_SLOTS 4096
#define JOBS__CACHE_LOCKS 64
typedef struct jobs__cached {
  char id[33];
  int64_t owner, version, at_ms;
  bool terminal;
  char *body;
  size_t len;
} jobs__cached;
static jobs__cached jobs__cache[JOBS__CACHE_SLOTS];
static pthread_mutex_t jobs__cache_lock[JOBS__CACHE_LOCKS];
static pthread_once_t jobs__cache_once = PTHREAD_ONCE_INIT;

static void jobs__cache_init(void) {
  for (int i = 0; i < JOBS__CACHE_LOCKS; i++) pthread_mutex_init(&jobs__cache_lock[i], NULL);
}

static unsigned jobs__slot(const char *id) {
  uint32_t h = 2166136261u;
  for (const char *p = id; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
  return h % JOBS__CACHE_SLOTS;
}

/* A copy of the cached body (malloc'd) or NULL. */
static char *jobs__cache_get(const char *id, int64_t owner, int64_t version, size_t *len) {
  pthread_once(&jobs__cache_once, jobs__cache_init);
  unsigned k = jobs__slot(id);
  pthread_mutex_t *lk = &jobs__cache_lock[k % JOBS__CACHE_LOCKS];
  char *out = NULL;
  pthread_mutex_lock(lk);
  jobs__cached *c = &jobs__cache[k];
  if (c->body && c->owner == owner && c->version == version && !strcmp(c->id, id) &&
      (c->terminal || p_mono_ms() - c->at_ms < 500)) {
    out = p_xmalloc(c->len + 1);
    memcpy(out, c->body, c->len + 1);
    *len = c->len;
  }
  pthread_mutex_unlock(lk);
  return out;
}

static void jobs__cache_put(const char *id, int64_t owner, int64_t version, bool terminal, const char *body,
                            size_t len) {
  pthread_once(&jobs__cache_once, jobs__cache_init);
  char *copy = p_xmalloc(len + 1);
  memcpy(copy, body, len + 1);
  unsigned k = jobs__slot(id);
  pthread_mutex_t *lk = &jobs__cache_lock[k % JOBS__CACHE_LOCKS];
  pthread_mutex_lock(lk);
  jobs__cached *c = &jobs__cache[k];
  free(c->body);
  snprintf(c->id, sizeof c->id, "%s", id);
  c->owner = owner;
  c->version = version;
  c->terminal = terminal;
  c->at_ms = p_mono_ms();
  c->body = copy;
  c->len = len;
  pthread_mutex_unlock(lk);
}

/* ------------------------------------------ the per-thread fast path */

/* A finished job changes only when it is deleted or expires, and CI fleets
 * poll finished jobs hard. Each HTTP thread keeps its own copies of the
 * finished jobs it answered (no lock, no SQL read) and serves one while
 *   - nothing in this process has changed that job since the copy was
 *     checked (srv_hub_changes: srv_notify and the retention sweep count
 *     changes), and
 *   - the copy was checked against the database less than a second ago, so
 *     what another process sharing the database did shows within a second
 *     (as a revoked token does, auth.c).
 * Anything else takes the path above: one version read, then the shared
 * body cache. The copy is kept as a libmicrohttpd response with its
 * headers, queued again for each poll (no allocation or copy per request). */
#define JOBS__MINE 32
#define JOBS__MINE_TTL_MS 1000
typedef struct jobs__mine {
  char id[33];
  int64_t owner, version, checked_ms;
  uint64_t changes; /* srv_hub_changes(id) when it was checked */
  struct MHD_Response *resp; /* the 200 answer, headers and all, built once */
} jobs__mine;
static pthread_key_t jobs__mine_key;
static pthread_once_t jobs__mine_once = PTHREAD_ONCE_INIT;

static void jobs__mine_free(void *p) {
  jobs__mine *m = p;
  for (int i = 0; i < JOBS__MINE; i++)
    if (m[i].resp) MHD_destroy_response(m[i].resp);
  free(m);
}

static void jobs__mine_init(void) { pthread_key_create(&jobs__mine_key, jobs__mine_free); }

static jobs__mine *jobs__mine_slot(const char *id) {
  pthread_once(&jobs__mine_once, jobs__mine_init);
  jobs__mine *m = pthread_getspecific(jobs__mine_key);
  if (!m) {
    m = p_xcalloc(JOBS__MINE, sizeof *m);
    pthread_setspecific(jobs__mine_key, m);
  }
  return &m[jobs__slot(id) % JOBS__MINE];
}

/* Before the version read that may fill the copy: what it is checked against. */
static void jobs__mine_snap(srv_req *r, const char *id) {
  r->snap_changes = srv_hub_changes(id);
  r->snap_ok = true;
}

static void jobs__mine_put(srv_req *r, const char *id, int64_t version, const char *body, size_t len) {
  if (!r->snap_ok) return;
  jobs__mine *m = jobs__mine_slot(id);
  if (m->resp) MHD_destroy_response(m->resp); /* MHD keeps its own reference while sending */
  char etag[48];
  snprintf(etag, sizeof etag, "\"v%lld\"", (long long)version);
  const char *h[] = {"ETag", etag, "Cache-Control", "no-cache", NULL};
  m->resp = srv_response("application/json", body, len, h);
  if (!m->resp) {
    m->id[0] = 0;
    return;
  }
  snprintf(m->id, sizeof m->id, "%s", id);
  m->owner = r->who.owner;
  m->version = version;
  m->changes = r->snap_changes;
  m->checked_ms = p_mono_ms();
}

/* Answers from this thread's copy when it is still good; false otherwise. */
static bool jobs__mine_reply(srv_req *r, const char *id, enum MHD_Result *ret) {
  jobs__mine *m = jobs__mine_slot(id);
  if (!m->resp || m->owner != r->who.owner || strcmp(m->id, id) != 0 ||
      p_mono_ms() - m->checked_ms >= JOBS__MINE_TTL_MS || m->changes != srv_hub_changes(id))
    return false;
  char etag[48];
  snprintf(etag, sizeof etag, "\"v%lld\"", (long long)m->version);
  const char *inm = srv_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
  if (inm && !strcmp(inm, etag)) {
    const char *h[] = {"ETag", etag, "Cache-Control", "no-cache", NULL};
    *ret = srv_reply(r, 304, NULL, "", 0, h);
  } else {
    *ret = srv_reply_prebuilt(r, 200, m->resp);
  }
  return true;
}

/* Answers with the job object, honouring If-None-Match. known_state: the
 * version and state the caller has just read (one read of the jobs table per
 * poll, not two), or NULL to read them here. */
static enum MHD_Result jobs__reply_job(srv_req *r, store *s, const char *id, int status, bool location,
                                       int64_t known_version, const char *known_state) {
  p_err e = {0};
  cJSON *job = NULL;
  int64_t version = known_version;
  char state[16];
  if (known_state) snprintf(state, sizeof state, "%s", known_state);
  else if (store_job_version(s, id, r->who.owner, &version, state, &e)) return srv_problem_err(r, &e);
  char etag[48], loc[96];
  snprintf(etag, sizeof etag, "\"v%lld\"", (long long)version);
  const char *inm = srv_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
  if (status == 200 && !location) {
    if (inm && !strcmp(inm, etag)) {
      const char *h[] = {"ETag", etag, "Cache-Control", "no-cache", NULL};
      return srv_reply(r, 304, NULL, "", 0, h);
    }
    size_t len;
    char *body = jobs__cache_get(id, r->who.owner, version, &len);
    if (body) {
      const char *h[] = {"ETag", etag, "Cache-Control", "no-cache", NULL};
      if (store_state_terminal(state)) jobs__mine_put(r, id, version, body, len);
      enum MHD_Result ret = srv_reply(r, 200, "application/json", body, len, h);
      free(body);
      return ret;
    }
  }
  if (store_job_get(s, id, r->who.owner, &job, &version, state, &e)) return srv_problem_err(r, &e);
  snprintf(etag, sizeof etag, "\"v%lld\"", (long long)version);
  snprintf(loc, sizeof loc, "/api/v1/jobs/%s", id);
  if (status == 200 && inm && !strcmp(inm, etag) && !location) {
    cJSON_Delete(job);
    const char *h[] = {"ETag", etag, "Cache-Control", "no-cache", NULL};
    return srv_reply(r, 304, NULL, "", 0, h);
  }
  const char *h[] = {"ETag", etag, "Cache-Control", "no-cache", location ? "Location" : NULL, loc, NULL};
  char *txt = cJSON_PrintUnformatted(job);
  cJSON_Delete(job);
  if (!txt) return srv_problem(r, 500, "internal", "out of memory", NULL);
  size_t n = strlen(txt);
  txt = p_xrealloc(txt, n + 2);
  txt[n++] = '\n';
  txt[n] = 0;
  jobs__cache_put(id, r->who.owner, version, store_state_terminal(state), txt, n);
  if (status == 200 && !location && store_state_terminal(state)) jobs__mine_put(r, id, version, txt, n);
  enum MHD_Result ret = srv_reply(r, status, "application/json", txt, n, h);
  free(txt);
  return ret;
}

/* Long-poll: wait until the job's version differs from `seen` or the
 * deadline passes, without holding a thread. Returns true if it suspended. */
static bool jobs__maybe_wait(srv_req *r, store *s, const char *id, int64_t seen, bool until_terminal) {
  for (;;) {
    if (p_mono_ms() >= r->deadline_ms || srv_http_stopping()) return false;
    uint64_t gen = srv_hub_gen();
    int64_t v;
    char state[16];
    p_err e = {0};
    if (store_job_version(s, id, r->who.owner, &v, state, &e)) return false;
    if (until_terminal ? store_state_terminal(state) : v != seen) return false;
    if (srv_wait(r, id, r->deadline_ms, gen)) return true;
  }
}

/* ---------------------------------------------------------------- create */

/* After a POST: wait for the job to end while ?wait=N allows (suspended,
 * re-entered on every change), then answer 200 with a finished job or 202. */
static enum MHD_Result jobs__created_wait(srv_req *r, store *s) {
  if (jobs__maybe_wait(r, s, r->job_id, 0, true)) return MHD_YES;
  char state[16] = "";
  int64_t v;
  p_err e = {0};
  store_job_version(s, r->job_id, r->who.owner, &v, state, &e);
  return jobs__reply_job(r, s, r->job_id, store_state_terminal(state) ? 200 : 202, true, 0, NULL);
}

enum MHD_Result srv_jobs_create(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  store *s = jobs__store(r, &ret);
  if (!s) return ret;
  if (r->job_id[0]) return jobs__created_wait(r, s); /* resumed after ?wait=N */
  if (!srv_accepting()) {
    static const char *const h[] = {"Retry-After", "10", NULL};
    return srv_problem_h(r, 503, "shutting_down", "the server is shutting down; retry later", NULL, h);
  }
  long wait_s;
  if (!srv_query_int(r, "wait", 0, 60, 0, &wait_s, &ret)) return ret;
  cJSON *errors = cJSON_CreateArray();
  p_err e = {0};

  /* Options: query ?options=<json> or the multipart "options" field. */
  const char *opt_txt = r->form_options.len ? r->form_options.data : srv_query(r, "options");
  cJSON *opts = NULL;
  bool malformed = false;
  if (srv_options_parse(opt_txt ? opt_txt : "{}", &opts, errors, &malformed, &e)) {
    if (malformed) {
      cJSON_Delete(errors);
      return srv_problem(r, 400, "invalid_options", e.msg, NULL);
    }
    return srv_problem(r, 422, "invalid_options", e.msg, errors);
  }
  /* Quota: at most max_active unfinished jobs per owner. */
  int64_t counts[STORE_NSTATES];
  if (store_job_counts(s, r->who.owner, counts, &e) == 0 && counts[STORE_QUEUED] + counts[STORE_RUNNING] >= srv_cfg.max_active) {
    cJSON_Delete(opts);
    cJSON_Delete(errors);
    char detail[160];
    snprintf(detail, sizeof detail, "%lld jobs are queued or running for this caller (limit %d); retry later",
             (long long)(counts[STORE_QUEUED] + counts[STORE_RUNNING]), srv_cfg.max_active);
    static const char *const h[] = {"Retry-After", "5", NULL};
    return srv_problem_h(r, 429, "rate_limited", detail, NULL, h);
  }

  /* A multipart body whose file part could not be read is not "empty". */
  if (r->pp && !r->nparts && r->body_bytes > 0) {
    cJSON_Delete(opts);
    cJSON_Delete(errors);
    return srv_problem(r, 400, "malformed_body",
                       "the multipart body has no readable file part: send the file in a part named 'file' "
                       "with a filename (a line break in a file name cannot be sent in a multipart header)",
                       NULL);
  }
  const char *entry = r->form_entry.len ? r->form_entry.data : srv_query(r, "entry");
  srv_upload up = {0};
  if (srv_upload_build(r->parts, r->nparts, entry, &up, errors, &e)) {
    cJSON_Delete(opts);
    int status = e.code == P_EUNSUPPORTED ? 415 : p_code_http(e.code);
    const char *code = status == 415 ? "unsupported_media_type" : p_code_name(e.code);
    if (cJSON_GetArraySize(errors) == 0) {
      cJSON_Delete(errors);
      errors = NULL;
    }
    srv_upload_free(&up);
    return srv_problem(r, status, code, e.msg, errors);
  }
  cJSON_Delete(errors);
  char *opts_txt = cJSON_PrintUnformatted(opts);
  cJSON_Delete(opts);
  char id[33];
  size_t upload_size = 0;
  for (size_t i = 0; i < r->nparts; i++) upload_size += r->parts[i].data.len;
  int rc = store_job_create(s, r->who.owner, up.entry, opts_txt, up.files, up.nfiles, upload_size, id, &e);
  free(opts_txt);
  srv_upload_free(&up);
  if (rc) return srv_problem_err(r, &e);
  srv_workers_kick();
  snprintf(r->job_id, sizeof r->job_id, "%s", id);
  r->deadline_ms = p_mono_ms() + wait_s * 1000;
  return jobs__created_wait(r, s);
}

/* ------------------------------------------------------------------ read */

enum MHD_Result srv_jobs_get(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  store *s = jobs__store(r, &ret);
  if (!s) return ret;
  const char *id = r->params[0];
  if (r->polls++ == 0) {
    long wait_s;
    if (!srv_query_int(r, "wait", 0, 60, 0, &wait_s, &ret)) return ret;
    if (jobs__mine_reply(r, id, &ret)) return ret; /* a finished job, checked < 1 s ago */
    jobs__mine_snap(r, id);
    int64_t v;
    char state[16];
    p_err e = {0};
    if (store_job_version(s, id, r->who.owner, &v, state, &e)) return srv_problem_err(r, &e);
    /* The version the caller has seen: If-None-Match, else the current one. */
    r->wait_version = v;
    const char *inm = srv_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    long long seen;
    if (inm && sscanf(inm, "\"v%lld\"", &seen) == 1) r->wait_version = seen;
    if (wait_s > 0 && !store_state_terminal(state) && r->wait_version == v) {
      r->deadline_ms = p_mono_ms() + wait_s * 1000;
      if (jobs__maybe_wait(r, s, id, r->wait_version, false)) return MHD_YES;
      return jobs__reply_job(r, s, id, 200, false, 0, NULL);
    }
    return jobs__reply_job(r, s, id, 200, false, v, state);
  }
  if (jobs__maybe_wait(r, s, id, r->wait_version, false)) return MHD_YES;
  return jobs__reply_job(r, s, id, 200, false, 0, NULL);
}

enum MHD_Result srv_jobs_list(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  store *s = jobs__store(r, &ret);
  if (!s) return ret;
  long limit, cursor;
  if (!srv_query_int(r, "limit", 1, 200, 20, &limit, &ret)) return ret;
  if (!srv_query_int(r, "cursor", 0, INT32_MAX, 0, &cursor, &ret)) return ret;
  const char *state = srv_query(r, "state");
  if (state) {
    bool ok = false;
    for (int i = 0; i < STORE_NSTATES; i++) ok |= !strcmp(state, store_states[i]);
    if (!ok) {
      cJSON *errs = cJSON_CreateArray();
      cJSON *fe = cJSON_CreateObject();
      cJSON_AddStringToObject(fe, "field", "state");
      cJSON_AddStringToObject(fe, "message", "one of queued, running, succeeded, failed, canceled, timed_out, error");
      cJSON_AddItemToArray(errs, fe);
      return srv_problem(r, 400, "invalid_parameter", "unknown state filter", errs);
    }
  }
  p_err e = {0};
  cJSON *arr = NULL;
  int64_t next = 0;
  if (store_job_list(s, r->who.owner, state, cursor, (int)limit, &arr, &next, &e)) return srv_problem_err(r, &e);
  cJSON *body = cJSON_CreateObject();
  cJSON_AddItemToObject(body, "jobs", arr);
  if (next) {
    char url[256];
    snprintf(url, sizeof url, "/api/v1/jobs?limit=%ld&cursor=%lld%s%s", limit, (long long)next,
             state ? "&state=" : "", state ? state : "");
    cJSON_AddNumberToObject(body, "next_cursor", (double)next);
    cJSON_AddStringToObject(body, "next", url);
  } else {
    cJSON_AddNullToObject(body, "next_cursor");
    cJSON_AddNullToObject(body, "next");
  }
  ret = srv_reply_json(r, 200, body, NULL);
  cJSON_Delete(body);
  return ret;
}

enum MHD_Result srv_jobs_events(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  store *s = jobs__store(r, &ret);
  if (!s) return ret;
  int64_t v;
  char state[16];
  p_err e = {0};
  if (store_job_version(s, r->params[0], r->who.owner, &v, state, &e)) return srv_problem_err(r, &e);
  const char *lei = srv_header(r, "Last-Event-ID");
  if (!lei) lei = srv_query(r, "last_event_id");
  long long after = 0;
  if (lei && (sscanf(lei, "%lld", &after) != 1 || after < 0))
    return srv_problem(r, 400, "invalid_parameter", "Last-Event-ID must be a non-negative integer", NULL);
  return srv_sse_start(r, r->params[0], after);
}

/* ---------------------------------------------------------- cancel, delete */

enum MHD_Result srv_jobs_cancel(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  store *s = jobs__store(r, &ret);
  if (!s) return ret;
  p_err e = {0};
  char state[16];
  if (store_job_cancel(s, r->params[0], r->who.owner, state, &e)) return srv_problem_err(r, &e);
  srv_workers_cancel(r->params[0]);
  srv_notify(r->params[0]);
  return jobs__reply_job(r, s, r->params[0], 202, false, 0, NULL);
}

enum MHD_Result srv_jobs_delete(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  store *s = jobs__store(r, &ret);
  if (!s) return ret;
  p_err e = {0};
  int64_t *tm_ids = NULL;
  size_t tm_n = 0;
  store_tm_ids(s, r->params[0], &tm_ids, &tm_n, &e);
  if (store_job_delete(s, r->params[0], r->who.owner, &e)) {
    free(tm_ids);
    return srv_problem_err(r, &e);
  }
  srv_tm_job_deleted(tm_ids, tm_n);
  free(tm_ids);
  srv_notify(r->params[0]);
  return srv_reply(r, 204, NULL, "", 0, NULL);
}

/* The uploaded sources (the dashboard shows Python beside the Rust). */
enum MHD_Result srv_jobs_files(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  store *s = jobs__store(r, &ret);
  if (!s) return ret;
  p_err e = {0};
  cJSON *arr = NULL;
  if (store_job_files(s, r->params[0], r->who.owner, &arr, &e)) return srv_problem_err(r, &e);
  cJSON *body = cJSON_CreateObject();
  cJSON_AddItemToObject(body, "files", arr);
  ret = srv_reply_json(r, 200, body, NULL);
  cJSON_Delete(body);
  return ret;
}

/* -------------------------------------------------------------- artifacts */

enum MHD_Result srv_artifacts_list(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  store *s = jobs__store(r, &ret);
  if (!s) return ret;
  p_err e = {0};
  cJSON *arr = NULL;
  if (store_artifact_list(s, r->params[0], r->who.owner, &arr, &e)) return srv_problem_err(r, &e);
  cJSON *body = cJSON_CreateObject();
  cJSON_AddItemToObject(body, "artifacts", arr);
  ret = srv_reply_json(r, 200, body, NULL);
  cJSON_Delete(body);
  return ret;
}

enum MHD_Result srv_artifacts_get(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  store *s = jobs__store(r, &ret);
  if (!s) return ret;
  p_err e = {0};
  char *data = NULL, mime[64], sha[65];
  size_t len = 0;
  const char *name = r->params[1];
  if (strchr(name, '"') || strchr(name, '\\'))
    return srv_problem(r, 404, "not_found", "no such artifact", NULL);
  if (store_artifact_get(s, r->params[0], r->who.owner, name, &data, &len, mime, sha, &e))
    return srv_problem_err(r, &e);
  char etag[80], disp[300];
  snprintf(etag, sizeof etag, "\"%s\"", sha);
  snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
  const char *inm = srv_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
  if (inm && !strcmp(inm, etag)) {
    free(data);
    const char *h[] = {"ETag", etag, NULL};
    return srv_reply(r, 304, NULL, "", 0, h);
  }
  const char *h[] = {"ETag", etag, "Content-Disposition", disp, "Cache-Control", "private, max-age=0", NULL};
  ret = srv_reply(r, 200, mime, data, len, h);
  free(data);
  return ret;
}
