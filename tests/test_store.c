/*
 * test_store.c - Check suites for the SQLite job store: migrations, the
 * job life cycle (create, claim, stages, logs, artifacts, finish), owner
 * scoping, cancel/delete rules, terminal states that never change,
 * pagination, restart recovery, events for SSE, tokens, and concurrent
 * claims from several threads (no job claimed twice).
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srv.h"

static char dbdir[64];
static store *S;

/* As portalisd does: the embedded sql/ migrations handed to the store. */
static int test_store_init(const char *path, p_err *e) {
  store_migration migs[SRV_MAX_MIGRATIONS];
  size_t n = srv_migrations(migs, SRV_MAX_MIGRATIONS);
  return store_init(path, migs, n, e);
}

static void setup(void) {
  snprintf(dbdir, sizeof dbdir, "/tmp/portalis-store-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dbdir));
  char path[128];
  snprintf(path, sizeof path, "%s/t.db", dbdir);
  p_err e = {0};
  store_release();
  ck_assert_msg(test_store_init(path, &e) == 0, "%s", e.msg);
  S = store_get(&e);
  ck_assert_ptr_nonnull(S);
}

static void teardown(void) {
  store_release();
  p_rmtree(dbdir);
}

static void mkjob(int64_t owner, char id[33]) {
  store_upload_file f = {"main.py", "print(1)\n", 9};
  p_err e = {0};
  ck_assert_int_eq(store_job_create(S, owner, "main.py", "{}", &f, 1, 9, id, &e), 0);
}

START_TEST(t_migrations) {
  ck_assert_int_ge(store_schema_version(S), 1);
  /* Re-running init on the same file is a no-op. */
  char path[128];
  snprintf(path, sizeof path, "%s/t.db", dbdir);
  p_err e = {0};
  ck_assert_int_eq(test_store_init(path, &e), 0);
}
END_TEST

START_TEST(t_lifecycle) {
  char id[33], claimed[33], state[16];
  p_err e = {0};
  mkjob(0, id);
  cJSON *j = NULL;
  int64_t v0, v1;
  ck_assert_int_eq(store_job_get(S, id, 0, &j, &v0, state, &e), 0);
  ck_assert_str_eq(state, "queued");
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "stages")), 7);
  cJSON_Delete(j);
  int attempt;
  ck_assert_int_eq(store_job_claim(S, claimed, &attempt, &e), 0);
  ck_assert_str_eq(claimed, id);
  ck_assert_int_eq(attempt, 1);
  ck_assert_int_eq(store_job_claim(S, claimed, &attempt, &e), P_ENOTFOUND);
  ck_assert_int_eq(store_stage_set(S, id, 0, "running", NULL, &e), 0);
  ck_assert_int_eq(store_log(S, id, "ingest", "parsed 1 file", &e), 0);
  ck_assert_int_eq(store_stage_set(S, id, 0, "succeeded", NULL, &e), 0);
  ck_assert_int_eq(store_artifact_put(S, id, "module.wasm", "application/wasm", "\0asm", 4, &e), 0);
  /* staged artifacts are invisible until the job ends */
  cJSON *arts;
  ck_assert_int_eq(store_artifact_list(S, id, 0, &arts, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(arts), 0);
  cJSON_Delete(arts);
  ck_assert_int_eq(store_job_version(S, id, 0, &v1, state, &e), 0);
  ck_assert_int_gt(v1, v0);
  ck_assert_int_eq(store_job_finish(S, id, "succeeded", NULL, NULL, &e), 0);
  ck_assert_int_eq(store_artifact_list(S, id, 0, &arts, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(arts), 1);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(arts, 0), "name")->valuestring, "module.wasm");
  cJSON_Delete(arts);
  char *data;
  size_t len;
  char mime[64], sha[65], want[65];
  ck_assert_int_eq(store_artifact_get(S, id, 0, "module.wasm", &data, &len, mime, sha, &e), 0);
  p_sha256_hex("\0asm", 4, want);
  ck_assert_str_eq(sha, want);
  ck_assert_uint_eq(len, 4);
  ck_assert_str_eq(mime, "application/wasm");
  free(data);
  /* terminal states never change */
  ck_assert_int_eq(store_job_finish(S, id, "failed", "x", NULL, &e), P_ECONFLICT);
  ck_assert_int_eq(store_job_cancel(S, id, 0, state, &e), P_ECONFLICT);
  ck_assert_int_eq(store_job_get(S, id, 0, &j, NULL, state, &e), 0);
  ck_assert_str_eq(state, "succeeded");
  /* later stages that never ran are skipped, not pending */
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "stages"), 6), "state")->valuestring,
                   "skipped");
  cJSON_Delete(j);
  /* events for SSE, resumable */
  p_buf b;
  p_buf_init(&b, 0);
  int64_t last;
  ck_assert_int_eq(store_events_sse(S, id, 0, 100, &b, &last, &e), 0);
  ck_assert_ptr_nonnull(strstr(b.data, "event: log"));
  ck_assert_ptr_nonnull(strstr(b.data, "parsed 1 file"));
  ck_assert_ptr_nonnull(strstr(b.data, "\"state\":\"succeeded\""));
  p_buf_reset(&b);
  int64_t last2;
  ck_assert_int_eq(store_events_sse(S, id, last, 100, &b, &last2, &e), 0);
  ck_assert_uint_eq(b.len, 0);
  ck_assert_int_eq(last2, last);
  p_buf_free(&b);
  ck_assert_int_eq(store_job_delete(S, id, 0, &e), 0);
  ck_assert_int_eq(store_job_version(S, id, 0, &v1, state, &e), P_ENOTFOUND);
}
END_TEST

START_TEST(t_owner_scope) {
  char a[33], b[33], state[16], secret[72];
  p_err e = {0};
  int64_t t1, t2;
  ck_assert_int_eq(store_token_create(S, "one", false, secret, &t1, &e), 0);
  ck_assert_int_eq(store_token_create(S, "two", false, secret, &t2, &e), 0);
  ck_assert_int_eq(t1, 1);
  ck_assert_int_eq(t2, 2);
  mkjob(1, a);
  mkjob(2, b);
  int64_t v;
  ck_assert_int_eq(store_job_version(S, a, 1, &v, state, &e), 0);
  ck_assert_int_eq(store_job_version(S, a, 2, &v, state, &e), P_ENOTFOUND);
  ck_assert_int_eq(store_job_version(S, a, 0, &v, state, &e), P_ENOTFOUND);
  ck_assert_int_eq(store_job_cancel(S, a, 2, state, &e), P_ENOTFOUND);
  cJSON *arr;
  int64_t next;
  ck_assert_int_eq(store_job_list(S, 2, NULL, 0, 10, &arr, &next, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(arr), 1);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "id")->valuestring, b);
  cJSON_Delete(arr);
}
END_TEST

START_TEST(t_cancel_delete) {
  char q[33], r[33], state[16], got[33];
  p_err e = {0};
  mkjob(0, r);
  mkjob(0, q);
  int att;
  ck_assert_int_eq(store_job_claim(S, got, &att, &e), 0);
  ck_assert_str_eq(got, r);
  ck_assert_int_eq(store_job_delete(S, r, 0, &e), P_ECONFLICT); /* running */
  ck_assert_int_eq(store_job_cancel(S, q, 0, state, &e), 0);
  ck_assert_str_eq(state, "canceled");
  ck_assert_int_eq(store_job_cancel(S, r, 0, state, &e), 0);
  ck_assert_str_eq(state, "running");
  ck_assert(store_cancel_requested(S, r));
  ck_assert_int_eq(store_job_finish(S, r, "canceled", "canceled", NULL, &e), 0);
  ck_assert_int_eq(store_job_delete(S, q, 0, &e), 0);
}
END_TEST

START_TEST(t_pagination) {
  char ids[25][33];
  p_err e = {0};
  for (int i = 0; i < 25; i++) mkjob(0, ids[i]);
  int64_t cursor = 0, next;
  int seen = 0, pages = 0;
  do {
    cJSON *arr;
    ck_assert_int_eq(store_job_list(S, 0, NULL, cursor, 10, &arr, &next, &e), 0);
    for (int i = 0; i < cJSON_GetArraySize(arr); i++) {
      /* newest first */
      ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), "id")->valuestring, ids[24 - seen]);
      seen++;
    }
    cJSON_Delete(arr);
    cursor = next;
    pages++;
  } while (cursor);
  ck_assert_int_eq(seen, 25);
  ck_assert_int_eq(pages, 3);
  cJSON *arr;
  ck_assert_int_eq(store_job_list(S, 0, "running", 0, 10, &arr, &next, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(arr), 0);
  cJSON_Delete(arr);
}
END_TEST

START_TEST(t_recover) {
  char a[33], got[33], state[16];
  p_err e = {0};
  mkjob(0, a);
  int att, rq, fl;
  /* three interrupted runs: re-queued twice, then error/interrupted */
  for (int round = 1; round <= 3; round++) {
    ck_assert_int_eq(store_job_claim(S, got, &att, &e), 0);
    ck_assert_int_eq(att, round);
    ck_assert_int_eq(store_artifact_put(S, a, "x", "text/plain", "1", 1, &e), 0);
    ck_assert_int_eq(store_recover(S, 3, &rq, &fl, &e), 0);
    int64_t v;
    ck_assert_int_eq(store_job_version(S, a, 0, &v, state, &e), 0);
    if (round < 3) {
      ck_assert_int_eq(rq, 1);
      ck_assert_str_eq(state, "queued");
    } else {
      ck_assert_int_eq(fl, 1);
      ck_assert_str_eq(state, "error");
    }
  }
  cJSON *j;
  ck_assert_int_eq(store_job_get(S, a, 0, &j, NULL, state, &e), 0);
  ck_assert_str_eq(cJSON_GetObjectItem(j, "reason")->valuestring, "interrupted");
  cJSON_Delete(j);
}
END_TEST

START_TEST(t_tokens) {
  char secret[72];
  int64_t tid, owner;
  bool ro;
  p_err e = {0};
  ck_assert_int_eq(store_token_create(S, "ci", false, secret, &tid, &e), 0);
  ck_assert(strncmp(secret, "ptl_", 4) == 0);
  ck_assert_int_eq(store_token_check(S, secret, &owner, &ro, &e), 0);
  ck_assert_int_eq(owner, tid);
  ck_assert(!ro);
  ck_assert_int_eq(store_token_check(S, "ptl_nope", &owner, &ro, &e), P_EAUTH);
  cJSON *arr;
  ck_assert_int_eq(store_token_list(S, &arr, &e), 0);
  char *txt = cJSON_PrintUnformatted(arr);
  ck_assert_ptr_null(strstr(txt, secret + 4)); /* the secret is never stored or listed */
  free(txt);
  cJSON_Delete(arr);
  ck_assert_int_eq(store_token_revoke(S, "ci", &e), 0);
  ck_assert_int_eq(store_token_check(S, secret, &owner, &ro, &e), P_EAUTH);
  ck_assert_int_eq(store_token_revoke(S, "ci", &e), P_ENOTFOUND);
}
END_TEST

static int claimed_total;
static pthread_mutex_t claim_lock = PTHREAD_MUTEX_INITIALIZER;
static char claimed_ids[200][33];

static void *claimer(void *arg) {
  (void)arg;
  p_err e = {0};
  store *s = store_get(&e);
  for (;;) {
    char id[33];
    int att;
    int rc = store_job_claim(s, id, &att, &e);
    if (rc == P_ENOTFOUND) break;
    ck_assert_int_eq(rc, 0);
    pthread_mutex_lock(&claim_lock);
    snprintf(claimed_ids[claimed_total++], 33, "%s", id);
    pthread_mutex_unlock(&claim_lock);
  }
  store_release();
  return NULL;
}

START_TEST(t_concurrent_claims) {
  char id[33];
  for (int i = 0; i < 100; i++) mkjob(0, id);
  pthread_t t[4];
  claimed_total = 0;
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, claimer, NULL);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  ck_assert_int_eq(claimed_total, 100);
  for (int i = 0; i < 100; i++)
    for (int k = i + 1; k < 100; k++) ck_assert_str_ne(claimed_ids[i], claimed_ids[k]);
}
END_TEST

int main(void) {
  Suite *s = suite_create("store");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, t_migrations);
  tcase_add_test(tc, t_lifecycle);
  tcase_add_test(tc, t_owner_scope);
  tcase_add_test(tc, t_cancel_delete);
  tcase_add_test(tc, t_pagination);
  tcase_add_test(tc, t_recover);
  tcase_add_test(tc, t_tokens);
  tcase_add_test(tc, t_concurrent_claims);
  suite_add_tcase(s, tc);
  SRunner *r = srunner_create(s);
  srunner_set_fork_status(r, CK_NOFORK);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? 1 : 0;
}
