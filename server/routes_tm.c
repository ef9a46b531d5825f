/*
 * routes_tm.c - the translation memory in the server: loading the search
 * index at start, keeping it in step with jobs that succeed or are
 * deleted, the store as tm_search's record source, and the two endpoints:
 *
 *   GET  /api/v1/jobs/{id}/similar?k=5   per function of a succeeded job:
 *        the verified functions with the same normalised-AST hash
 *        ("identical") and the k most similar ones by embedding;
 *   POST /api/v1/similar?k=5             the same for a pasted Python
 *        function (text/x-python body, or JSON {"python": "..."}).
 *
 * The memory is per owner: a hit shows the Python and Rust of someone's
 * upload, so a caller sees only functions of jobs it may read - its own
 * (the token's; without a token, the anonymous owner's), or every job's
 * for a read-only token - in the search index (one partition per owner,
 * tm_index.c) and in the store's queries alike. A job's own rows never
 * count as similar to themselves.
 */
#define PORTALIS_SRV_HTTP_INTERNAL 1
#include "srv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TM_IDENTICAL_MAX 10

static int tm__add_chunk(void *ctx, int64_t owner, const int64_t *ids, const int16_t *emb, size_t n) {
  p_err *e = ctx;
  return tm_index_add(owner, ids, emb, n, e);
}

/* tm_search's record source: the store. */
static int tm__fetch(void *ctx, int64_t owner, tm_hit *hits, int n, p_err *e) {
  (void)ctx;
  store *s = store_get(e);
  if (!s) return P_EDB;
  int64_t *ids = p_xmalloc((size_t)(n ? n : 1) * sizeof *ids);
  for (int i = 0; i < n; i++) ids[i] = hits[i].id;
  cJSON *arr = NULL;
  int rc = store_tm_get(s, ids, n, owner, &arr, e);
  free(ids);
  if (rc) return rc;
  for (int i = 0; i < n; i++) {
    cJSON *o = cJSON_GetArrayItem(arr, i);
    if (!cJSON_IsObject(o)) {
      /* Gone from the store (the index holds only owner's rows, so it is
       * not another owner's): out of the index too. */
      tm_index_remove(&hits[i].id, 1);
      continue;
    }
#define TM__S(k) (cJSON_IsString(cJSON_GetObjectItem(o, k)) ? cJSON_GetObjectItem(o, k)->valuestring : "")
    snprintf(hits[i].job_id, sizeof hits[i].job_id, "%s", TM__S("job_id"));
    snprintf(hits[i].hash, sizeof hits[i].hash, "%s", TM__S("ast_hash"));
    hits[i].file = p_xstrdup(TM__S("file"));
    hits[i].name = p_xstrdup(TM__S("name"));
    hits[i].python = p_xstrdup(TM__S("python"));
    hits[i].rust = p_xstrdup(TM__S("rust"));
    hits[i].signature = p_xstrdup(TM__S("signature"));
    hits[i].is_static = !strcmp(TM__S("translation"), "static");
    hits[i].line = cJSON_GetObjectItem(o, "line") ? cJSON_GetObjectItem(o, "line")->valueint : 0;
#undef TM__S
  }
  cJSON_Delete(arr);
  return 0;
}

int srv_tm_start(p_err *e) {
  tm_options o = {srv_cfg.gpu, 200, 64};
  if (tm_index_start(&o, e)) return e->code;
  store *s = store_get(e);
  if (!s) return P_EDB;
  int64_t t0 = p_mono_ms();
  if (store_tm_scan(s, NULL, tm__add_chunk, e, e)) return e->code;
  p_log(P_LOG_INFO, "translation memory: %zu function(s) loaded in %lld ms, searched on %s", tm_index_rows(TM_OWNER_ANY),
        (long long)(p_mono_ms() - t0), tm_device_name());
  tm_set_source(tm__fetch, NULL);
  return 0;
}

void srv_tm_job_done(const char *job_id) {
  p_err e = {0};
  store *s = store_get(&e);
  if (!s || store_tm_scan(s, job_id, tm__add_chunk, &e, &e))
    p_log(P_LOG_WARN, "job %s: translation memory not updated: %s", job_id, e.msg);
}

void srv_tm_job_deleted(const int64_t *ids, size_t n) { tm_index_remove(ids, n); }

/* ------------------------------------------------------------- the answers */

/* {id, score, job_id, file, name, line, translation, signature, python, rust} */
static cJSON *tm__hit_json(cJSON *row, double score, bool with_score) {
  cJSON *o = cJSON_Duplicate(row, true);
  cJSON_DeleteItemFromObject(o, "end_line");
  if (with_score) cJSON_AddNumberToObject(o, "score", score);
  return o;
}

/* For nq queries (embeddings emb, hashes, own row ids or 0), fills each
 * function object fo[i] with "identical" and "similar". */
static int tm__answer(store *s, int64_t owner, cJSON **fo, const int16_t *emb, const char *const *hashes,
                      const int64_t *own, int nq, int k, p_err *e) {
  int kk = k + 1 > TM_KMAX ? TM_KMAX : k + 1; /* room for the row itself */
  tm_match *m = p_xcalloc((size_t)(nq ? nq : 1) * (size_t)kk, sizeof *m);
  int *found = p_xcalloc((size_t)(nq ? nq : 1), sizeof *found);
  if (!m || !found) {
    free(m);
    free(found);
    return p_err_set(e, P_ENOMEM, "out of memory");
  }
  int rc = tm_index_search(owner, emb, nq, kk, m, found, e);
  for (int i = 0; i < nq && !rc; i++) {
    cJSON *ident = NULL;
    rc = store_tm_by_hash(s, hashes[i], own[i], owner, TM_IDENTICAL_MAX, &ident, e);
    if (rc) break;
    cJSON *idarr = cJSON_AddArrayToObject(fo[i], "identical");
    cJSON *row;
    cJSON_ArrayForEach(row, ident) cJSON_AddItemToArray(idarr, tm__hit_json(row, 0, false));
    cJSON_Delete(ident);
    int64_t ids[TM_KMAX];
    float scores[TM_KMAX];
    int n = 0;
    for (int j = 0; j < found[i] && n < k; j++) {
      if (m[(size_t)i * kk + j].id == own[i]) continue;
      ids[n] = m[(size_t)i * kk + j].id;
      scores[n++] = m[(size_t)i * kk + j].score;
    }
    cJSON *rows = NULL;
    rc = store_tm_get(s, ids, n, owner, &rows, e);
    if (rc) break;
    cJSON *sim = cJSON_AddArrayToObject(fo[i], "similar");
    for (int j = 0; j < n; j++) {
      cJSON *r = cJSON_GetArrayItem(rows, j);
      if (!cJSON_IsObject(r)) {
        /* Deleted meanwhile, or by something that did not tell the index
         * (another process, a retention sweep): it leaves the index now. */
        tm_index_remove(&ids[j], 1);
        continue;
      }
      cJSON *h = tm__hit_json(r, scores[j], true);
      cJSON *hh = cJSON_GetObjectItem(r, "ast_hash");
      cJSON_AddBoolToObject(h, "identical", cJSON_IsString(hh) && !strcmp(hh->valuestring, hashes[i]));
      cJSON_AddItemToArray(sim, h);
    }
    cJSON_Delete(rows);
  }
  free(m);
  free(found);
  return rc;
}

static bool tm__k(srv_req *r, long *k, enum MHD_Result *ret) {
  return srv_query_int(r, "k", 1, TM_KMAX - 1, 5, k, ret);
}

enum MHD_Result srv_tm_job_similar(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  long k;
  if (!tm__k(r, &k, &ret)) return ret;
  p_err e = {0};
  store *s = store_get(&e);
  if (!s) return srv_problem(r, 503, "database_error", e.msg, NULL);
  int64_t version;
  char state[16];
  if (store_job_version(s, r->params[0], r->who.owner, &version, state, &e)) return srv_problem_err(r, &e);
  cJSON *funcs = NULL;
  int16_t *emb = NULL;
  int64_t t0 = p_mono_ms();
  if (store_tm_job(s, r->params[0], r->who.owner, &funcs, &emb, &e)) return srv_problem_err(r, &e);
  int n = cJSON_GetArraySize(funcs);
  cJSON **fo = p_xcalloc((size_t)(n ? n : 1), sizeof *fo);
  const char **hashes = p_xcalloc((size_t)(n ? n : 1), sizeof *hashes);
  int64_t *own = p_xcalloc((size_t)(n ? n : 1), sizeof *own);
  int rc = (!fo || !hashes || !own) ? p_err_set(&e, P_ENOMEM, "out of memory") : 0;
  for (int i = 0; i < n && !rc; i++) {
    fo[i] = cJSON_GetArrayItem(funcs, i);
    hashes[i] = cJSON_GetObjectItem(fo[i], "ast_hash")->valuestring;
    own[i] = (int64_t)cJSON_GetObjectItem(fo[i], "id")->valuedouble;
  }
  if (!rc && n) rc = tm__answer(s, r->who.owner, fo, emb, hashes, own, n, (int)k, &e);
  free(fo);
  free(hashes);
  free(own);
  free(emb);
  if (rc) {
    cJSON_Delete(funcs);
    return srv_problem_err(r, &e);
  }
  cJSON *b = cJSON_CreateObject();
  cJSON_AddStringToObject(b, "job_id", r->params[0]);
  cJSON_AddStringToObject(b, "state", state);
  cJSON_AddNumberToObject(b, "k", (double)k);
  cJSON_AddStringToObject(b, "device", tm_device_name());
  cJSON_AddNumberToObject(b, "memory_size", (double)tm_index_rows(r->who.owner));
  cJSON_AddNumberToObject(b, "elapsed_ms", (double)(p_mono_ms() - t0));
  cJSON_AddItemToObject(b, "functions", funcs);
  ret = srv_reply_json(r, 200, b, NULL);
  cJSON_Delete(b);
  return ret;
}

enum MHD_Result srv_tm_similar(srv_req *r) {
  enum MHD_Result ret = MHD_NO;
  long k;
  if (!tm__k(r, &k, &ret)) return ret;
  if (r->nparts < 1 || !r->parts[0].data.len)
    return srv_problem(r, 400, "invalid_request", "the body must be Python source (text/x-python) or {\"python\": \"...\"}",
                       NULL);
  const char *ct = r->parts[0].ctype ? r->parts[0].ctype : "";
  char *src = NULL;
  size_t len = 0;
  cJSON *json = NULL;
  if (!strncasecmp(ct, "application/json", 16)) {
    json = cJSON_ParseWithLength(r->parts[0].data.data, r->parts[0].data.len);
    cJSON *py = json ? cJSON_GetObjectItem(json, "python") : NULL;
    if (!cJSON_IsString(py)) {
      cJSON_Delete(json);
      return srv_problem(r, 400, "invalid_request", "a JSON body needs a string field \"python\"", NULL);
    }
    src = py->valuestring;
    len = strlen(src);
  } else {
    src = r->parts[0].data.data;
    len = r->parts[0].data.len;
  }
  size_t bad;
  if (!p_utf8_valid(src, len, &bad)) {
    cJSON_Delete(json);
    return srv_problem(r, 400, "invalid_request", "the Python source is not valid UTF-8", NULL);
  }
  p_err e = {0};
  tm_func *fs = NULL;
  int nf = 0;
  int64_t t0 = p_mono_ms();
  int rc = tm_funcs_of_source(src, len, &fs, &nf, &e);
  cJSON_Delete(json);
  if (rc == P_ESYNTAX) {
    cJSON *errs = cJSON_CreateArray();
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "field", "python");
    cJSON_AddStringToObject(x, "message", e.msg);
    cJSON_AddNumberToObject(x, "line", e.line);
    cJSON_AddNumberToObject(x, "col", e.col);
    cJSON_AddItemToArray(errs, x);
    return srv_problem(r, 422, "syntax_error", e.msg, errs);
  }
  if (rc) return srv_problem_err(r, &e);
  store *s = store_get(&e);
  if (!s) {
    tm_funcs_free(fs, nf);
    return srv_problem(r, 503, "database_error", e.msg, NULL);
  }
  cJSON *arr = cJSON_CreateArray();
  cJSON **fo = p_xcalloc((size_t)nf, sizeof *fo);
  const char **hashes = p_xcalloc((size_t)nf, sizeof *hashes);
  int64_t *own = p_xcalloc((size_t)nf, sizeof *own);
  int16_t *emb = p_xmalloc((size_t)nf * TM_DIM * sizeof *emb);
  rc = (!fo || !hashes || !own || !emb) ? p_err_set(&e, P_ENOMEM, "out of memory") : 0;
  for (int i = 0; i < nf && !rc; i++) {
    fo[i] = cJSON_CreateObject();
    cJSON_AddStringToObject(fo[i], "name", fs[i].name);
    cJSON_AddNumberToObject(fo[i], "line", fs[i].line);
    cJSON_AddStringToObject(fo[i], "ast_hash", fs[i].hash);
    cJSON_AddStringToObject(fo[i], "signature", fs[i].signature);
    cJSON_AddItemToArray(arr, fo[i]);
    hashes[i] = fs[i].hash;
    own[i] = 0;
    memcpy(emb + (size_t)i * TM_DIM, fs[i].emb, sizeof fs[i].emb);
  }
  if (!rc) rc = tm__answer(s, r->who.owner, fo, emb, hashes, own, nf, (int)k, &e);
  free(fo);
  free(hashes);
  free(own);
  free(emb);
  tm_funcs_free(fs, nf);
  if (rc) {
    cJSON_Delete(arr);
    return srv_problem_err(r, &e);
  }
  cJSON *b = cJSON_CreateObject();
  cJSON_AddNumberToObject(b, "k", (double)k);
  cJSON_AddStringToObject(b, "device", tm_device_name());
  cJSON_AddNumberToObject(b, "memory_size", (double)tm_index_rows(r->who.owner));
  cJSON_AddNumberToObject(b, "elapsed_ms", (double)(p_mono_ms() - t0));
  cJSON_AddItemToObject(b, "functions", arr);
  ret = srv_reply_json(r, 200, b, NULL);
  cJSON_Delete(b);
  return ret;
}

/* ------------------------------------------------------ readyz and metrics */

void srv_tm_readyz(cJSON *b) {
  tm_stats st;
  tm_index_stats(&st);
  cJSON *o = cJSON_AddObjectToObject(b, "translation_memory");
  cJSON_AddStringToObject(o, "device", tm_device_name());
  cJSON_AddBoolToObject(o, "gpu", tm_device_is_gpu());
  cJSON_AddNumberToObject(o, "functions", (double)tm_index_rows(TM_OWNER_ANY));
  static const char *const dev[2] = {"cpu", "gpu"};
  cJSON *served = cJSON_AddObjectToObject(o, "served");
  for (int d = 0; d < 2; d++) {
    cJSON *x = cJSON_AddObjectToObject(served, dev[d]);
    cJSON_AddNumberToObject(x, "queries", (double)st.queries[d]);
    cJSON_AddNumberToObject(x, "batches", (double)st.batches[d]);
    cJSON_AddNumberToObject(x, "mean_latency_ms", st.lat_count[d] ? st.lat_sum[d] / (double)st.lat_count[d] * 1e3 : 0);
  }
}

void srv_tm_metrics(p_buf *out) {
  tm_stats st;
  tm_index_stats(&st);
  static const char *const dev[2] = {"cpu", "gpu"};
  p_buf_printf(out, "# HELP portalis_tm_functions Functions in the translation memory's search index.\n"
                    "# TYPE portalis_tm_functions gauge\nportalis_tm_functions %zu\n", tm_index_rows(TM_OWNER_ANY));
  p_buf_printf(out, "# HELP portalis_tm_device_info The device that serves translation-memory searches.\n"
                    "# TYPE portalis_tm_device_info gauge\nportalis_tm_device_info{device=\"%s\",name=\"",
               tm_device_is_gpu() ? "gpu" : "cpu");
  for (const char *p = tm_device_name(); *p; p++)
    if (*p != '"' && *p != '\\' && *p != '\n') p_buf_putc(out, *p);
  p_buf_puts(out, "\"} 1\n");
  p_buf_puts(out, "# HELP portalis_tm_queries_total Similarity queries served, by device.\n"
                  "# TYPE portalis_tm_queries_total counter\n");
  for (int d = 0; d < 2; d++) p_buf_printf(out, "portalis_tm_queries_total{device=\"%s\"} %llu\n", dev[d],
                                           (unsigned long long)st.queries[d]);
  p_buf_puts(out, "# HELP portalis_tm_batches_total Device calls (batches of queries), by device.\n"
                  "# TYPE portalis_tm_batches_total counter\n");
  for (int d = 0; d < 2; d++) p_buf_printf(out, "portalis_tm_batches_total{device=\"%s\"} %llu\n", dev[d],
                                           (unsigned long long)st.batches[d]);
  p_buf_puts(out, "# HELP portalis_tm_device_seconds_total Wall time of device calls, by device.\n"
                  "# TYPE portalis_tm_device_seconds_total counter\n");
  for (int d = 0; d < 2; d++) p_buf_printf(out, "portalis_tm_device_seconds_total{device=\"%s\"} %.6f\n", dev[d], st.seconds[d]);
  p_buf_puts(out, "# HELP portalis_tm_query_seconds Latency of a query (queueing, batching window, search).\n"
                  "# TYPE portalis_tm_query_seconds histogram\n");
  for (int d = 0; d < 2; d++) {
    for (int b = 0; b < 12; b++)
      p_buf_printf(out, "portalis_tm_query_seconds_bucket{device=\"%s\",le=\"%g\"} %llu\n", dev[d], tm_lat_buckets[b],
                   (unsigned long long)st.lat_bucket[d][b]);
    p_buf_printf(out, "portalis_tm_query_seconds_bucket{device=\"%s\",le=\"+Inf\"} %llu\n", dev[d],
                 (unsigned long long)st.lat_count[d]);
    p_buf_printf(out, "portalis_tm_query_seconds_sum{device=\"%s\"} %.6f\n", dev[d], st.lat_sum[d]);
    p_buf_printf(out, "portalis_tm_query_seconds_count{device=\"%s\"} %llu\n", dev[d], (unsigned long long)st.lat_count[d]);
  }
}
