/*
 * test_llm.c - Check suites for the model client (agents/llm.c) against a
 * scripted OpenAI-compatible server on loopback (tests/llm_mock.py):
 *
 *   config    settings by name, file and NAME=VALUE; the key only from an
 *             environment variable or a file, never as a setting
 *   chat      a good answer (content, tokens, Authorization sent), a
 *             malformed body (no retry, class "malformed"), a 4xx (no retry)
 *   retry     a slow answer times out and is retried; a run of timeouts
 *             gives up after 1 + retries attempts; 429 with Retry-After
 *             waits what the server said before retrying
 *   breaker   a run of 500s opens it; while open nothing reaches the
 *             server; after the cool-down a GET /v1/models probe that fails
 *             opens it again, one that succeeds closes it
 *   limits    the per-job token budget caps max_tokens and then refuses;
 *             the concurrency limit holds with several threads
 *   reuse     consecutive requests share one connection
 *   secrecy   a server that echoes the key gets it back redacted, in
 *             choices and in error messages; metrics never hold it
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "llm.h"
#include "util.h"

#define KEY "sk-test-0123456789abcdef-SECRET"

static pid_t mock_pid;
static char mock_url[128];
static llm_config cfg;

/* ------------------------------------------------------------ the mock */

static size_t t__write(char *p, size_t sz, size_t n, void *ud) {
  p_buf_append(ud, p, sz * n);
  return sz * n;
}

static cJSON *mock_req(const char *method, const char *path, const char *body) {
  CURL *h = curl_easy_init();
  char url[256];
  snprintf(url, sizeof url, "%s%s", mock_url, path);
  p_buf b;
  p_buf_init(&b, 0);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, t__write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  ck_assert_int_eq(curl_easy_perform(h), CURLE_OK);
  curl_easy_cleanup(h);
  cJSON *j = cJSON_Parse(b.data ? b.data : "");
  p_buf_free(&b);
  return j;
}

static void mock_script(const char *json) { cJSON_Delete(mock_req("POST", "/_script", json)); }
static void mock_models(const char *json) { cJSON_Delete(mock_req("POST", "/_models", json)); }
static void mock_reset(void) { cJSON_Delete(mock_req("POST", "/_reset", "{}")); }
static cJSON *mock_log(void) { return mock_req("GET", "/_log", NULL); }
static int mock_count(const char *path) {
  cJSON *j = mock_log(), *e;
  int n = 0;
  cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "log")) n += !strcmp(cJSON_GetObjectItem(e, "path")->valuestring, path);
  cJSON_Delete(j);
  return n;
}

static void mock_start(void) {
  char pf[] = "/tmp/llm-mock-port-XXXXXX";
  int fd = mkstemp(pf);
  close(fd);
  unlink(pf);
  const char *py = getenv("PYTHON3") && *getenv("PYTHON3") ? getenv("PYTHON3") : "python3";
  mock_pid = fork();
  if (mock_pid == 0) {
    execlp(py, py, LLM_MOCK, "--port-file", pf, "--key", KEY, "--model", "mock-coder", (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 200; i++) {
    FILE *f = fopen(pf, "r");
    int port = 0;
    if (f && fscanf(f, "%d", &port) == 1 && port > 0) {
      fclose(f);
      unlink(pf);
      snprintf(mock_url, sizeof mock_url, "http://127.0.0.1:%d", port);
      return;
    }
    if (f) fclose(f);
    usleep(50000);
  }
  fprintf(stderr, "mock server did not start\n");
  exit(1);
}

/* A fresh client over cfg (breaker closed, counters kept). */
static void client(void) {
  llm_shutdown();
  bool on;
  p_err e = {0};
  ck_assert_int_eq(llm_config_finish(&cfg, &on, &e), 0);
  ck_assert(on);
  ck_assert_int_eq(llm_init(&cfg, &e), 0);
  mock_reset();
}

static void base_cfg(void) {
  llm_config_default(&cfg);
  snprintf(cfg.url, sizeof cfg.url, "%s/v1/", mock_url);
  snprintf(cfg.model, sizeof cfg.model, "mock-coder");
  cfg.timeout_ms = 700;
  cfg.retries = 2;
  cfg.backoff_ms = 20;
  cfg.backoff_max_ms = 3000;
  cfg.breaker_threshold = 3;
  cfg.breaker_cooldown_ms = 400;
  setenv("PORTALIS_LLM_API_KEY", KEY, 1);
}

/* A counter from the Prometheus text. */
static double metric(const char *series) {
  p_buf b;
  p_buf_init(&b, 0);
  llm_metrics_render(&b);
  ck_assert_ptr_null(strstr(b.data, KEY));
  double v = -1;
  char pat[256];
  snprintf(pat, sizeof pat, "\n%s ", series);
  char *p = strstr(b.data, pat);
  if (p) v = strtod(p + strlen(pat), NULL);
  p_buf_free(&b);
  return v;
}

static const char *MSG = "[{\"role\":\"user\",\"content\":\"hi\"}]";

/* ---------------------------------------------------------------- tests */

START_TEST(t_config) {
  llm_config c;
  llm_config_default(&c);
  p_err e = {0};
  ck_assert_int_eq(llm_config_set(&c, "timeout_s", "2.5", &e), 0);
  ck_assert_int_eq(c.timeout_ms, 2500);
  ck_assert_int_eq(llm_config_kv(&c, "candidates = 5", &e), 0);
  ck_assert_int_eq(c.candidates, 5);
  ck_assert_int_eq(llm_config_set(&c, "candidates", "99", &e), P_EINVAL);
  ck_assert_int_eq(llm_config_set(&c, "nonsense", "1", &e), P_EINVAL);
  ck_assert_int_eq(llm_config_set(&c, "api_key", KEY, &e), P_EINVAL);
  ck_assert_ptr_null(strstr(e.msg, KEY));
  char path[] = "/tmp/llm-conf-XXXXXX";
  int fd = mkstemp(path);
  const char *text = "# assistance\nurl = http://127.0.0.1:9/v1\nmodel = nim-coder  # the NIM model\n"
                     "breaker_threshold = 7\napi_key_file = /tmp/llm-key-file-test\n";
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  FILE *kf = fopen("/tmp/llm-key-file-test", "w");
  fprintf(kf, "%s\n", KEY "-from-file");
  fclose(kf);
  ck_assert_int_eq(llm_config_file(&c, path, &e), 0);
  ck_assert_str_eq(c.model, "nim-coder");
  ck_assert_int_eq(c.breaker_threshold, 7);
  bool on;
  ck_assert_int_eq(llm_config_finish(&c, &on, &e), 0);
  ck_assert(on);
  ck_assert_str_eq(c.url, "http://127.0.0.1:9"); /* "/v1" dropped: paths are appended */
  ck_assert_str_eq(c.api_key, KEY "-from-file");
  free(c.api_key);
  unlink("/tmp/llm-key-file-test");
  /* a bad line names file and line */
  fd = open(path, O_WRONLY | O_TRUNC);
  ck_assert_int_eq(write(fd, "url = x\nretries = many\n", 23), 23);
  close(fd);
  ck_assert_int_eq(llm_config_file(&c, path, &e), P_EINVAL);
  ck_assert_ptr_nonnull(strstr(e.msg, ":2:"));
  unlink(path);
  /* no URL: off */
  llm_config_default(&c);
  ck_assert_int_eq(llm_config_finish(&c, &on, &e), 0);
  ck_assert(!on);
  snprintf(c.url, sizeof c.url, "ftp://x");
  ck_assert_int_eq(llm_config_finish(&c, &on, &e), P_EINVAL);
}
END_TEST

START_TEST(t_chat_ok_and_bad) {
  base_cfg();
  client();
  mock_script("[{\"content\":\"```python\\ndef f():\\n    return 1\\n```\",\"usage\":[30,12]}]");
  llm_job acct = {0};
  char **ch;
  int n;
  p_err e = {0};
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_ptr_nonnull(strstr(ch[0], "def f()"));
  llm_choices_free(ch, n);
  ck_assert_int_eq(acct.tokens_used, 42);
  cJSON *log = mock_log();
  cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(log, "log"), 0);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(first, "auth_ok")));
  cJSON *body = cJSON_GetObjectItem(first, "body");
  ck_assert_str_eq(cJSON_GetObjectItem(body, "model")->valuestring, "mock-coder");
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(body, "messages")), 1);
  cJSON_Delete(log);

  /* Malformed JSON: an error, not retried. */
  double before = metric("portalis_llm_failures_total{class=\"malformed\"}");
  mock_script("[{\"raw\":\"{\\\"choices\\\": [oops\"}]");
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), P_EINTERNAL);
  ck_assert_int_eq(mock_count("/v1/chat/completions"), 2);
  ck_assert(metric("portalis_llm_failures_total{class=\"malformed\"}") == before + 1);
  /* A 400: not retried either. */
  mock_script("[{\"status\":400}]");
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), P_EINVAL);
  ck_assert_int_eq(mock_count("/v1/chat/completions"), 3);
  ck_assert_int_eq(llm_breaker_state(), 0);
  /* The health check. */
  bool has;
  ck_assert_int_eq(llm_health(&has, &e), 0);
  ck_assert(has);
}
END_TEST

START_TEST(t_retry_timeout) {
  base_cfg();
  client();
  /* slow, then fine: one retry */
  mock_script("[{\"sleep\":1.5,\"content\":\"late\"},{\"content\":\"ok\"}]");
  llm_job acct = {0};
  char **ch;
  int n;
  p_err e = {0};
  double t0 = metric("portalis_llm_failures_total{class=\"timeout\"}");
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), 0);
  ck_assert_str_eq(ch[0], "ok");
  llm_choices_free(ch, n);
  ck_assert_int_eq(acct.retries, 1);
  ck_assert(metric("portalis_llm_failures_total{class=\"timeout\"}") == t0 + 1);
  /* only slow answers: 1 + retries attempts, then P_ETIMEOUT */
  mock_reset();
  mock_script("[{\"sleep\":1.5},{\"sleep\":1.5},{\"sleep\":1.5}]");
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), P_ETIMEOUT);
  ck_assert_int_eq(mock_count("/v1/chat/completions"), 3);
  ck_assert_ptr_nonnull(strstr(e.msg, "3 attempts"));
}
END_TEST

START_TEST(t_retry_after) {
  base_cfg();
  client();
  mock_script("[{\"status\":429,\"retry_after\":\"1\"},{\"content\":\"ok\"}]");
  llm_job acct = {0};
  char **ch;
  int n;
  p_err e = {0};
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), 0);
  llm_choices_free(ch, n);
  cJSON *log = mock_log();
  cJSON *l = cJSON_GetObjectItem(log, "log");
  ck_assert_int_eq(cJSON_GetArraySize(l), 2);
  double gap = cJSON_GetObjectItem(cJSON_GetArrayItem(l, 1), "t")->valuedouble -
               cJSON_GetObjectItem(cJSON_GetArrayItem(l, 0), "t")->valuedouble;
  /* backoff_ms is 20: only Retry-After explains a wait of a second */
  ck_assert_msg(gap >= 0.95, "retried after %.3f s, Retry-After said 1 s", gap);
  cJSON_Delete(log);
  /* 429 does not count toward the breaker */
  ck_assert_int_eq(llm_breaker_state(), 0);
}
END_TEST

START_TEST(t_breaker) {
  base_cfg();
  cfg.retries = 1;
  client();
  llm_job acct = {0};
  char **ch;
  int n;
  p_err e = {0};
  double opened = metric("portalis_llm_breaker_opened_total");
  mock_script("[{\"status\":500},{\"status\":503},{\"status\":500}]");
  /* two attempts fail, then the third consecutive failure opens it */
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), P_EIO);
  ck_assert_int_eq(llm_breaker_state(), 0);
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), P_EIO);
  ck_assert_int_eq(llm_breaker_state(), 1);
  ck_assert(metric("portalis_llm_breaker_state") == 1);
  ck_assert(metric("portalis_llm_breaker_opened_total") == opened + 1);
  int sent = mock_count("/v1/chat/completions");
  ck_assert_int_eq(sent, 3);
  /* open: fails at once, nothing sent */
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), P_ECONFLICT);
  ck_assert_int_eq(mock_count("/v1/chat/completions"), sent);
  ck_assert_int_eq(mock_count("/v1/models"), 0);
  /* cool-down over, the probe fails: open again */
  usleep(450000);
  mock_models("[{\"status\":502}]");
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), P_ECONFLICT);
  ck_assert_int_eq(mock_count("/v1/models"), 1);
  ck_assert_int_eq(llm_breaker_state(), 1);
  ck_assert_int_eq(mock_count("/v1/chat/completions"), sent);
  /* cool-down over, the probe succeeds: closed, and the request goes out */
  usleep(450000);
  mock_script("[{\"content\":\"back\"}]");
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), 0);
  ck_assert_str_eq(ch[0], "back");
  llm_choices_free(ch, n);
  ck_assert_int_eq(mock_count("/v1/models"), 2);
  ck_assert_int_eq(llm_breaker_state(), 0);
  ck_assert(metric("portalis_llm_breaker_state") == 0);
}
END_TEST

START_TEST(t_budget) {
  base_cfg();
  cfg.job_token_budget = 100;
  cfg.max_tokens = 500;
  client();
  llm_job acct = {0};
  char **ch;
  int n;
  p_err e = {0};
  mock_script("[{\"content\":\"a\",\"usage\":[60,20]},{\"content\":\"b\",\"usage\":[15,5]}]");
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), 0);
  llm_choices_free(ch, n);
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), 0);
  llm_choices_free(ch, n);
  cJSON *log = mock_log();
  cJSON *l = cJSON_GetObjectItem(log, "log");
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(l, 0), "body"), "max_tokens")->valueint, 100);
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(l, 1), "body"), "max_tokens")->valueint, 20);
  cJSON_Delete(log);
  ck_assert_int_eq(acct.tokens_used, 100);
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), P_ETOOBIG);
  ck_assert_int_eq(mock_count("/v1/chat/completions"), 2);
  /* another job has its own budget */
  llm_job other = {0};
  mock_script("[{\"content\":\"c\"}]");
  ck_assert_int_eq(llm_chat(&other, MSG, 1, &ch, &n, NULL, NULL, &e), 0);
  llm_choices_free(ch, n);
}
END_TEST

static void *t__slow_call(void *arg) {
  (void)arg;
  llm_job acct = {0};
  char **ch;
  int n;
  p_err e = {0};
  int rc = llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e);
  if (!rc) llm_choices_free(ch, n);
  return (void *)(intptr_t)rc;
}

START_TEST(t_concurrency_and_reuse) {
  base_cfg();
  cfg.concurrency = 2;
  client();
  mock_script("[{\"sleep\":0.3,\"content\":\"1\"},{\"sleep\":0.3,\"content\":\"2\"},{\"sleep\":0.3,\"content\":\"3\"},"
              "{\"sleep\":0.3,\"content\":\"4\"},{\"sleep\":0.3,\"content\":\"5\"}]");
  pthread_t th[5];
  for (int i = 0; i < 5; i++) pthread_create(&th[i], NULL, t__slow_call, NULL);
  for (int i = 0; i < 5; i++) {
    void *rc;
    pthread_join(th[i], &rc);
    ck_assert_int_eq((int)(intptr_t)rc, 0);
  }
  cJSON *log = mock_log();
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(log, "log")), 5);
  ck_assert_int_le(cJSON_GetObjectItem(log, "max_in_flight")->valueint, 2);
  ck_assert_int_ge(cJSON_GetObjectItem(log, "max_in_flight")->valueint, 1);
  cJSON_Delete(log);

  /* one after the other: one connection for all */
  client();
  double c0 = metric("portalis_llm_connections_total");
  mock_script("[{\"content\":\"a\"},{\"content\":\"b\"},{\"content\":\"c\"},{\"content\":\"d\"}]");
  for (int i = 0; i < 4; i++) ck_assert_int_eq((int)(intptr_t)t__slow_call(NULL), 0);
  log = mock_log();
  cJSON *l = cJSON_GetObjectItem(log, "log");
  const char *c = cJSON_GetObjectItem(cJSON_GetArrayItem(l, 0), "client")->valuestring;
  for (int i = 1; i < 4; i++) ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(l, i), "client")->valuestring, c);
  cJSON_Delete(log);
  ck_assert(metric("portalis_llm_connections_total") <= c0 + 1);
}
END_TEST

START_TEST(t_secrecy) {
  base_cfg();
  client();
  llm_job acct = {0};
  char **ch;
  int n;
  p_err e = {0};
  mock_script("[{\"content\":\"def f(): pass\",\"echo_key\":true},{\"status\":400,\"echo_key\":true}]");
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), 0);
  ck_assert_ptr_null(strstr(ch[0], KEY));
  ck_assert_ptr_nonnull(strstr(ch[0], "[redacted]"));
  llm_choices_free(ch, n);
  ck_assert_int_eq(llm_chat(&acct, MSG, 1, &ch, &n, NULL, NULL, &e), P_EINVAL);
  ck_assert_ptr_null(strstr(e.msg, KEY));
  ck_assert_ptr_nonnull(strstr(e.msg, "scripted failure"));
  char s[] = "a " KEY " b " KEY;
  llm_redact(s);
  ck_assert_str_eq(s, "a [redacted] b [redacted]");
  metric("portalis_llm_requests_total"); /* asserts the key is not in the text */
}
END_TEST

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  mock_start();
  Suite *s = suite_create("llm");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, t_config);
  tcase_add_test(tc, t_chat_ok_and_bad);
  tcase_add_test(tc, t_retry_timeout);
  tcase_add_test(tc, t_retry_after);
  tcase_add_test(tc, t_breaker);
  tcase_add_test(tc, t_budget);
  tcase_add_test(tc, t_concurrency_and_reuse);
  tcase_add_test(tc, t_secrecy);
  suite_add_tcase(s, tc);
  SRunner *r = srunner_create(s);
  srunner_set_fork_status(r, CK_NOFORK);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  llm_shutdown();
  kill(mock_pid, SIGTERM);
  waitpid(mock_pid, NULL, 0);
  return failed ? 1 : 0;
}
