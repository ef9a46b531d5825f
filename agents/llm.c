/*
 * llm.c - the client of an OpenAI-compatible endpoint: POST
 * /v1/chat/completions for rewrites, GET /v1/models as the health check.
 *
 * One process-wide client. Every request goes through the same gates, in
 * this order:
 *
 *   budget      a job may spend job_token_budget tokens (prompt and
 *               completion, as the server's "usage" reports them); the
 *               completion asked for never exceeds what is left;
 *   breaker     after breaker_threshold consecutive failures (timeouts,
 *               connection errors, 5xx) the breaker opens and requests fail
 *               at once; after breaker_cooldown_ms one caller probes with
 *               GET /v1/models (half-open): a 200 closes the breaker, a
 *               failure opens it again for another cool-down;
 *   concurrency at most `concurrency` requests in flight in the process
 *               (a counting semaphore; waiters give up with the job);
 *   retries     429, 5xx, timeouts and connection errors are retried up to
 *               `retries` times, after backoff_ms * 2^k with full jitter
 *               (capped at backoff_max_ms), or after exactly what
 *               Retry-After says when the server says it (same cap).
 *
 * Connections are pooled in a curl share handle (connection cache and DNS,
 * locked per data kind), so consecutive requests from any worker reuse one
 * keep-alive connection; portalis_llm_connections_total counts the new ones.
 *
 * The key: sent only as "Authorization: Bearer" in a header list that is
 * built per request and wiped after it; CURLOPT_VERBOSE is never set; every
 * text that came back (choices, error bodies) is passed through llm_redact
 * before anything else sees it, so a server that echoes the header cannot
 * make the key reach a log, a report or the database.
 */
#include "llm.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define LLM_BODY_MAX ((size_t)4 << 20)

/* ------------------------------------------------------- configuration */

void llm_config_default(llm_config *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->key_env, sizeof c->key_env, "PORTALIS_LLM_API_KEY");
  snprintf(c->model, sizeof c->model, "default");
  c->connect_timeout_ms = 5000;
  c->timeout_ms = 60000;
  c->retries = 3;
  c->backoff_ms = 500;
  c->backoff_max_ms = 30000;
  c->breaker_threshold = 5;
  c->breaker_cooldown_ms = 30000;
  c->concurrency = 4;
  c->job_token_budget = 20000;
  c->max_tokens = 1024;
  c->candidates = 3;
  c->assist_timeout_s = 600;
  c->temperature = 0.2;
}

static int llm__num(const char *name, const char *v, double lo, double hi, double *out, p_err *e) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  while (*end == ' ' || *end == '\t') end++;
  if (!*v || *end || errno || d < lo || d > hi)
    return p_err_set(e, P_EINVAL, "llm %s: '%s' is not a number from %g to %g", name, v, lo, hi);
  *out = d;
  return 0;
}

static int llm__str(char *dst, size_t cap, const char *name, const char *v, p_err *e) {
  if (strlen(v) >= cap) return p_err_set(e, P_EINVAL, "llm %s: longer than %zu bytes", name, cap - 1);
  snprintf(dst, cap, "%s", v);
  return 0;
}

int llm_config_set(llm_config *c, const char *name, const char *v, p_err *e) {
  static const struct {
    const char *name;
    size_t off;
    double lo, hi, scale; /* scale: value * scale is stored (seconds -> ms) */
  } nums[] = {
      {"timeout_s", offsetof(llm_config, timeout_ms), 0.1, 3600, 1000},
      {"connect_timeout_s", offsetof(llm_config, connect_timeout_ms), 0.1, 600, 1000},
      {"retries", offsetof(llm_config, retries), 0, 20, 1},
      {"backoff_ms", offsetof(llm_config, backoff_ms), 1, 600000, 1},
      {"backoff_max_ms", offsetof(llm_config, backoff_max_ms), 1, 3600000, 1},
      {"breaker_threshold", offsetof(llm_config, breaker_threshold), 1, 1000, 1},
      {"breaker_cooldown_s", offsetof(llm_config, breaker_cooldown_ms), 0.01, 86400, 1000},
      {"concurrency", offsetof(llm_config, concurrency), 1, 256, 1},
      {"job_token_budget", offsetof(llm_config, job_token_budget), 1, 100000000, 1},
      {"max_tokens", offsetof(llm_config, max_tokens), 1, 1000000, 1},
      {"candidates", offsetof(llm_config, candidates), 1, 16, 1},
      {"assist_timeout_s", offsetof(llm_config, assist_timeout_s), 1, 86400, 1},
  };
  if (!strcmp(name, "url")) return llm__str(c->url, sizeof c->url, name, v, e);
  if (!strcmp(name, "model")) return llm__str(c->model, sizeof c->model, name, v, e);
  if (!strcmp(name, "api_key_env")) return llm__str(c->key_env, sizeof c->key_env, name, v, e);
  if (!strcmp(name, "api_key_file")) return llm__str(c->key_file, sizeof c->key_file, name, v, e);
  if (!strcmp(name, "api_key"))
    return p_err_set(e, P_EINVAL, "llm api_key: the key is never a setting; use api_key_env or api_key_file");
  if (!strcmp(name, "temperature")) return llm__num(name, v, 0, 2, &c->temperature, e);
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    if (strcmp(name, nums[i].name)) continue;
    double d;
    if (llm__num(name, v, nums[i].lo, nums[i].hi, &d, e)) return e->code;
    *(int *)((char *)c + nums[i].off) = (int)(d * nums[i].scale + 0.5);
    return 0;
  }
  return p_err_set(e, P_EINVAL, "llm: unknown setting '%s'", name);
}

static char *llm__trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
  return s;
}

int llm_config_kv(llm_config *c, const char *kv, p_err *e) {
  char buf[1024];
  if (strlen(kv) >= sizeof buf) return p_err_set(e, P_EINVAL, "llm setting too long");
  snprintf(buf, sizeof buf, "%s", kv);
  char *eq = strchr(buf, '=');
  if (!eq) return p_err_set(e, P_EINVAL, "llm setting '%s' is not NAME=VALUE", kv);
  *eq = 0;
  return llm_config_set(c, llm__trim(buf), llm__trim(eq + 1), e);
}

int llm_config_file(llm_config *c, const char *path, p_err *e) {
  char *text;
  size_t len;
  if (p_read_file(path, 1 << 20, &text, &len, e)) return e->code;
  int rc = 0, lineno = 0;
  for (char *line = text, *next; line && *line && !rc; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    lineno++;
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *s = llm__trim(line);
    if (!*s) continue;
    rc = llm_config_kv(c, s, e);
    if (rc) {
      char msg[sizeof e->msg];
      snprintf(msg, sizeof msg, "%s", e->msg);
      p_err_set(e, rc, "%s:%d: %s", path, lineno, msg);
    }
  }
  free(text);
  return rc;
}

int llm_config_env(llm_config *c, p_err *e) {
  static const struct { const char *env, *name; } map[] = {
      {"PORTALIS_LLM_URL", "url"}, {"PORTALIS_LLM_MODEL", "model"},
      {"PORTALIS_LLM_API_KEY_ENV", "api_key_env"}, {"PORTALIS_LLM_API_KEY_FILE", "api_key_file"},
      {"PORTALIS_LLM_TIMEOUT", "timeout_s"}, {"PORTALIS_LLM_CANDIDATES", "candidates"},
      {"PORTALIS_LLM_CONCURRENCY", "concurrency"}, {"PORTALIS_LLM_TOKEN_BUDGET", "job_token_budget"},
  };
  const char *v = getenv("PORTALIS_LLM_CONFIG");
  if (v && *v && llm_config_file(c, v, e)) return e->code;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if ((v = getenv(map[i].env)) && *v && llm_config_set(c, map[i].name, v, e)) return e->code;
  return 0;
}

int llm_config_finish(llm_config *c, bool *enabled, p_err *e) {
  *enabled = c->url[0] != 0;
  if (!*enabled) return 0;
  if (strncmp(c->url, "http://", 7) && strncmp(c->url, "https://", 8))
    return p_err_set(e, P_EINVAL, "llm url: '%s' is not an http:// or https:// URL", c->url);
  /* Base URL without a trailing "/" or "/v1": paths are appended. */
  size_t n = strlen(c->url);
  while (n && c->url[n - 1] == '/') c->url[--n] = 0;
  if (n >= 3 && !strcmp(c->url + n - 3, "/v1")) c->url[n - 3] = 0;
  if (c->backoff_max_ms < c->backoff_ms) c->backoff_max_ms = c->backoff_ms;
  free(c->api_key);
  c->api_key = NULL;
  if (c->key_file[0]) {
    char *text;
    size_t len;
    if (p_read_file(c->key_file, 64 << 10, &text, &len, e))
      return p_err_set(e, P_EINVAL, "llm api_key_file %s cannot be read", c->key_file);
    text[strcspn(text, "\r\n")] = 0;
    char *k = llm__trim(text);
    if (*k) c->api_key = p_xstrdup(k);
    explicit_bzero(text, len);
    free(text);
    if (!c->api_key) return p_err_set(e, P_EINVAL, "llm api_key_file %s is empty", c->key_file);
  } else if (c->key_env[0]) {
    const char *k = getenv(c->key_env);
    if (k && *k) c->api_key = p_xstrdup(k);
  }
  /* A key shorter than this would make redaction hit ordinary text. */
  if (c->api_key && strlen(c->api_key) < 4) {
    free(c->api_key);
    c->api_key = NULL;
    return p_err_set(e, P_EINVAL, "llm api key is shorter than 4 characters");
  }
  return 0;
}

/* -------------------------------------------------------------- metrics */

static const double llm__buckets[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
#define LLM_NB (sizeof llm__buckets / sizeof llm__buckets[0])
static const char *const llm__classes[] = {"timeout", "connect", "http_429", "http_5xx", "http_4xx",
                                           "malformed", "breaker_open", "budget", "canceled"};
#define LLM_NCLASS (sizeof llm__classes / sizeof llm__classes[0])
enum { LC_TIMEOUT, LC_CONNECT, LC_429, LC_5XX, LC_4XX, LC_MALFORMED, LC_OPEN, LC_BUDGET, LC_CANCELED };
static const char *const llm__cand[] = {"used", "rejected", "invalid"};
#define LLM_NCAND 3

static struct {
  pthread_mutex_t lock;
  unsigned long long req_chat, req_models, retries, conns, tok_prompt, tok_completion;
  unsigned long long fail[LLM_NCLASS];
  unsigned long long lat_bucket[LLM_NB], lat_count;
  double lat_sum;
  unsigned long long cand[LLM_NCAND];
  int in_flight;
} llm__m = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void llm__count_fail(int cls) {
  pthread_mutex_lock(&llm__m.lock);
  llm__m.fail[cls]++;
  pthread_mutex_unlock(&llm__m.lock);
}

void llm_metrics_candidate(const char *result) {
  pthread_mutex_lock(&llm__m.lock);
  for (int i = 0; i < LLM_NCAND; i++)
    if (!strcmp(llm__cand[i], result)) llm__m.cand[i]++;
  pthread_mutex_unlock(&llm__m.lock);
}

/* --------------------------------------------------------------- client */

static struct {
  const llm_config *cfg;
  CURLSH *share;
  pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];
  /* concurrency */
  pthread_mutex_t sem_lock;
  pthread_cond_t sem_cond;
  int sem_used;
  /* breaker */
  pthread_mutex_t br_lock;
  int br_state;         /* 0 closed, 1 open, 2 half-open (a probe is out) */
  int br_failures;      /* consecutive */
  int64_t br_open_until; /* monotonic ms */
  unsigned long long br_opened; /* times it opened */
} llm__c = {.sem_lock = PTHREAD_MUTEX_INITIALIZER, .sem_cond = PTHREAD_COND_INITIALIZER,
            .br_lock = PTHREAD_MUTEX_INITIALIZER};

static void llm__lock_cb(CURL *h, curl_lock_data d, curl_lock_access a, void *u) {
  (void)h, (void)a, (void)u;
  pthread_mutex_lock(&llm__c.share_lock[d]);
}
static void llm__unlock_cb(CURL *h, curl_lock_data d, void *u) {
  (void)h, (void)u;
  pthread_mutex_unlock(&llm__c.share_lock[d]);
}

int llm_init(const llm_config *c, p_err *e) {
  if (llm__c.cfg) return 0;
  if (curl_global_init(CURL_GLOBAL_DEFAULT)) return p_err_set(e, P_EIO, "libcurl: global init failed");
  for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&llm__c.share_lock[i], NULL);
  llm__c.share = curl_share_init();
  if (!llm__c.share) return p_err_set(e, P_ENOMEM, "libcurl: no share handle");
  curl_share_setopt(llm__c.share, CURLSHOPT_LOCKFUNC, llm__lock_cb);
  curl_share_setopt(llm__c.share, CURLSHOPT_UNLOCKFUNC, llm__unlock_cb);
  curl_share_setopt(llm__c.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(llm__c.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  llm__c.sem_used = 0;
  llm__c.br_state = 0;
  llm__c.br_failures = 0;
  llm__c.cfg = c;
  return 0;
}

void llm_shutdown(void) {
  if (!llm__c.cfg) return;
  curl_share_cleanup(llm__c.share);
  llm__c.share = NULL;
  llm__c.cfg = NULL;
  curl_global_cleanup();
}

const llm_config *llm_active(void) { return llm__c.cfg; }

int llm_breaker_state(void) {
  pthread_mutex_lock(&llm__c.br_lock);
  int s = llm__c.br_state;
  pthread_mutex_unlock(&llm__c.br_lock);
  return s;
}

void llm_redact(char *s) {
  const llm_config *c = llm__c.cfg;
  if (!s || !c || !c->api_key || !c->api_key[0]) return;
  size_t kl = strlen(c->api_key);
  static const char mark[] = "[redacted]";
  for (char *p = strstr(s, c->api_key); p; p = strstr(p, c->api_key)) {
    if (kl >= sizeof mark - 1) {
      memcpy(p, mark, sizeof mark - 1);
      memmove(p + sizeof mark - 1, p + kl, strlen(p + kl) + 1);
      p += sizeof mark - 1;
    } else {
      memset(p, '*', kl);
      p += kl;
    }
  }
}

static uint32_t llm__rand(void) {
  uint32_t r;
  if (getrandom(&r, sizeof r, 0) != sizeof r) r = (uint32_t)p_mono_ms() * 2654435761u;
  return r;
}

/* Sleeps ms, waking every 50 ms to ask whether the job is gone. */
static int llm__sleep(int ms, int (*canceled)(void *), void *ctx) {
  int64_t until = p_mono_ms() + ms;
  for (;;) {
    int64_t left = until - p_mono_ms();
    if (left <= 0) return 0;
    if (canceled && canceled(ctx)) return 1;
    struct timespec ts = {0, (long)(left < 50 ? left : 50) * 1000000L};
    nanosleep(&ts, NULL);
  }
}

/* Breaker gate. 0: go; 1: you are the half-open probe; -1: open, fail. */
static int llm__breaker_enter(void) {
  pthread_mutex_lock(&llm__c.br_lock);
  int r = 0;
  if (llm__c.br_state == 1) {
    if (p_mono_ms() >= llm__c.br_open_until) {
      llm__c.br_state = 2;
      r = 1;
    } else {
      r = -1;
    }
  } else if (llm__c.br_state == 2) {
    r = -1; /* a probe is out: everyone else fails fast */
  }
  pthread_mutex_unlock(&llm__c.br_lock);
  return r;
}

static void llm__breaker_result(bool ok) {
  const llm_config *c = llm__c.cfg;
  pthread_mutex_lock(&llm__c.br_lock);
  if (ok) {
    if (llm__c.br_state != 0) p_log(P_LOG_INFO, "llm: circuit breaker closed");
    llm__c.br_state = 0;
    llm__c.br_failures = 0;
  } else {
    llm__c.br_failures++;
    if (llm__c.br_state == 2 || (llm__c.br_state == 0 && llm__c.br_failures >= c->breaker_threshold)) {
      llm__c.br_state = 1;
      llm__c.br_open_until = p_mono_ms() + c->breaker_cooldown_ms;
      llm__c.br_opened++;
      p_log(P_LOG_WARN, "llm: circuit breaker open after %d consecutive failure(s); probing again in %d ms",
            llm__c.br_failures, c->breaker_cooldown_ms);
    }
  }
  pthread_mutex_unlock(&llm__c.br_lock);
}

static int llm__sem_acquire(int (*canceled)(void *), void *ctx) {
  pthread_mutex_lock(&llm__c.sem_lock);
  while (llm__c.sem_used >= llm__c.cfg->concurrency) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&llm__c.sem_cond, &llm__c.sem_lock, &ts);
    if (canceled && canceled(ctx)) {
      pthread_mutex_unlock(&llm__c.sem_lock);
      return 1;
    }
  }
  llm__c.sem_used++;
  pthread_mutex_unlock(&llm__c.sem_lock);
  pthread_mutex_lock(&llm__m.lock);
  llm__m.in_flight++;
  pthread_mutex_unlock(&llm__m.lock);
  return 0;
}

static void llm__sem_release(void) {
  pthread_mutex_lock(&llm__c.sem_lock);
  llm__c.sem_used--;
  pthread_cond_signal(&llm__c.sem_cond);
  pthread_mutex_unlock(&llm__c.sem_lock);
  pthread_mutex_lock(&llm__m.lock);
  llm__m.in_flight--;
  pthread_mutex_unlock(&llm__m.lock);
}

/* One HTTP exchange. */
typedef struct {
  long status;
  p_buf body;
  int retry_after_ms;  /* -1 = none */
  CURLcode cc;
  char cerr[CURL_ERROR_SIZE];
} llm__resp;

static size_t llm__write_cb(char *p, size_t sz, size_t n, void *ud) {
  p_buf *b = ud;
  return p_buf_append(b, p, sz * n) ? 0 : sz * n;
}

/* Retry-After: delta-seconds or an HTTP date. */
static size_t llm__header_cb(char *p, size_t sz, size_t n, void *ud) {
  llm__resp *r = ud;
  size_t len = sz * n;
  if (len > 12 && !strncasecmp(p, "retry-after:", 12)) {
    char v[128];
    size_t vl = len - 12 < sizeof v - 1 ? len - 12 : sizeof v - 1;
    memcpy(v, p + 12, vl);
    v[vl] = 0;
    char *s = llm__trim(v);
    char *end;
    double secs = strtod(s, &end);
    if (end != s && !*end && secs >= 0) {
      r->retry_after_ms = secs * 1000 > INT_MAX / 2 ? INT_MAX / 2 : (int)(secs * 1000);
    } else {
      time_t t = curl_getdate(s, NULL);
      if (t > 0) {
        int64_t d = ((int64_t)t - (int64_t)time(NULL)) * 1000;
        r->retry_after_ms = d < 0 ? 0 : d > INT_MAX / 2 ? INT_MAX / 2 : (int)d;
      }
    }
  }
  return len;
}

static int llm__progress_cb(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) {
  (void)a, (void)b, (void)c, (void)d;
  void **cc = ud;
  int (*canceled)(void *) = (int (*)(void *))cc[0];
  return canceled && canceled(cc[1]) ? 1 : 0;
}

static void llm__exchange(const char *path, const char *body, int timeout_ms, int (*canceled)(void *),
                          void *cctx, llm__resp *r) {
  const llm_config *c = llm__c.cfg;
  p_buf_init(&r->body, LLM_BODY_MAX);
  r->status = 0;
  r->retry_after_ms = -1;
  r->cerr[0] = 0;
  CURL *h = curl_easy_init();
  if (!h) {
    r->cc = CURLE_OUT_OF_MEMORY;
    return;
  }
  char url[sizeof c->url + 64];
  snprintf(url, sizeof url, "%s%s", c->url, path);
  struct curl_slist *hdr = NULL;
  hdr = curl_slist_append(hdr, "Accept: application/json");
  if (body) hdr = curl_slist_append(hdr, "Content-Type: application/json");
  hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip (or 1 s wait) */
  char *auth = NULL;
  if (c->api_key) {
    size_t al = strlen(c->api_key) + 32;
    auth = p_xmalloc(al);
    if (auth) {
      snprintf(auth, al, "Authorization: Bearer %s", c->api_key);
      hdr = curl_slist_append(hdr, auth);
    }
  }
  void *cc[2] = {(void *)canceled, cctx};
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_SHARE, llm__c.share);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "portalis-llm/1");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, llm__write_cb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, llm__header_cb);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->cerr);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, llm__progress_cb);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, cc);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  int64_t t0 = p_mono_ms();
  r->cc = curl_easy_perform(h);
  double dt = (double)(p_mono_ms() - t0) / 1000.0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
  long conns = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
  curl_easy_cleanup(h);
  curl_slist_free_all(hdr);
  if (auth) {
    explicit_bzero(auth, strlen(auth));
    free(auth);
  }
  llm_redact(r->body.data);
  llm_redact(r->cerr);
  pthread_mutex_lock(&llm__m.lock);
  if (body) llm__m.req_chat++;
  else llm__m.req_models++;
  llm__m.conns += (unsigned long long)conns;
  for (size_t b = 0; b < LLM_NB; b++)
    if (dt <= llm__buckets[b]) llm__m.lat_bucket[b]++;
  llm__m.lat_count++;
  llm__m.lat_sum += dt;
  pthread_mutex_unlock(&llm__m.lock);
}

/* Failure class of an exchange, -1 for a 2xx. */
static int llm__class(const llm__resp *r) {
  if (r->cc == CURLE_OPERATION_TIMEDOUT) return LC_TIMEOUT;
  if (r->cc == CURLE_ABORTED_BY_CALLBACK) return LC_CANCELED;
  if (r->cc != CURLE_OK) return LC_CONNECT;
  if (r->status == 429) return LC_429;
  if (r->status >= 500) return LC_5XX;
  if (r->status < 200 || r->status >= 300) return LC_4XX;
  return -1;
}

static void llm__describe(const llm__resp *r, char *out, size_t cap) {
  if (r->cc != CURLE_OK) {
    snprintf(out, cap, "%s", r->cerr[0] ? r->cerr : curl_easy_strerror(r->cc));
    return;
  }
  /* An error body's message, if it is OpenAI-shaped; else its head. */
  const char *msg = NULL;
  cJSON *j = cJSON_Parse(r->body.data ? r->body.data : "");
  cJSON *err = j ? cJSON_GetObjectItem(j, "error") : NULL;
  if (cJSON_IsString(err)) msg = err->valuestring;
  else if (err) msg = cJSON_GetStringValue(cJSON_GetObjectItem(err, "message"));
  snprintf(out, cap, "HTTP %ld%s%.200s", r->status, msg || r->body.len ? ": " : "",
           msg ? msg : r->body.data ? r->body.data : "");
  for (char *p = out; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  cJSON_Delete(j);
}

/* The half-open probe, or the health check: GET /v1/models. */
static int llm__models(bool *has_model, int (*canceled)(void *), void *ctx, p_err *e) {
  const llm_config *c = llm__c.cfg;
  llm__resp r;
  llm__exchange("/v1/models", NULL, c->timeout_ms < 10000 ? c->timeout_ms : 10000, canceled, ctx, &r);
  int cls = llm__class(&r);
  int rc = 0;
  if (has_model) *has_model = false;
  if (cls >= 0) {
    char d[300];
    llm__describe(&r, d, sizeof d);
    llm__count_fail(cls);
    rc = p_err_set(e, cls == LC_TIMEOUT ? P_ETIMEOUT : P_EIO, "GET /v1/models: %s", d);
  } else {
    cJSON *j = cJSON_Parse(r.body.data ? r.body.data : "");
    cJSON *data = j ? cJSON_GetObjectItem(j, "data") : NULL;
    if (!cJSON_IsArray(data)) {
      llm__count_fail(LC_MALFORMED);
      rc = p_err_set(e, P_EINTERNAL, "GET /v1/models: the answer is not a model list");
    } else if (has_model) {
      cJSON *m;
      cJSON_ArrayForEach(m, data) {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(m, "id"));
        if (id && !strcmp(id, c->model)) *has_model = true;
      }
    }
    cJSON_Delete(j);
  }
  p_buf_free(&r.body);
  return rc;
}

int llm_health(bool *has_model, p_err *e) {
  if (!llm__c.cfg) return p_err_set(e, P_ENOTFOUND, "no model endpoint is configured");
  int rc = llm__models(has_model, NULL, NULL, e);
  llm__breaker_result(rc == 0);
  return rc;
}

void llm_choices_free(char **choices, int n) {
  for (int i = 0; i < n; i++) free(choices[i]);
  free(choices);
}

/* Parses a chat completion: choices[].message.content, usage. */
static int llm__parse_chat(llm_job *job, const char *body, char ***choices, int *nchoices, p_err *e) {
  cJSON *j = cJSON_Parse(body ? body : "");
  cJSON *ch = j ? cJSON_GetObjectItem(j, "choices") : NULL;
  if (!cJSON_IsArray(ch) || cJSON_GetArraySize(ch) == 0) {
    cJSON_Delete(j);
    return p_err_set(e, P_EINTERNAL, "the answer is not a chat completion (no choices)");
  }
  int n = cJSON_GetArraySize(ch), k = 0;
  char **v = p_xcalloc((size_t)n, sizeof *v);
  cJSON *c;
  cJSON_ArrayForEach(c, ch) {
    const char *content = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "message"), "content"));
    if (!content) content = cJSON_GetStringValue(cJSON_GetObjectItem(c, "text"));
    if (!content) continue;
    v[k] = p_xstrdup(content);
    llm_redact(v[k]);
    k++;
  }
  cJSON *u = cJSON_GetObjectItem(j, "usage");
  double pt = cJSON_GetNumberValue(cJSON_GetObjectItem(u, "prompt_tokens"));
  double ct = cJSON_GetNumberValue(cJSON_GetObjectItem(u, "completion_tokens"));
  double tt = cJSON_GetNumberValue(cJSON_GetObjectItem(u, "total_tokens"));
  int p = pt == pt && pt > 0 ? (int)pt : 0, cpl = ct == ct && ct > 0 ? (int)ct : 0;
  int total = tt == tt && tt > 0 ? (int)tt : p + cpl;
  cJSON_Delete(j);
  if (!k) {
    free(v);
    return p_err_set(e, P_EINTERNAL, "the answer has no message content");
  }
  if (job) job->tokens_used += total;
  pthread_mutex_lock(&llm__m.lock);
  llm__m.tok_prompt += (unsigned long long)p;
  llm__m.tok_completion += (unsigned long long)(total - p > 0 ? total - p : 0);
  pthread_mutex_unlock(&llm__m.lock);
  *choices = v;
  *nchoices = k;
  return 0;
}

int llm_chat(llm_job *job, const char *messages_json, int n, char ***choices, int *nchoices,
             int (*canceled)(void *), void *cctx, p_err *e) {
  const llm_config *c = llm__c.cfg;
  *choices = NULL;
  *nchoices = 0;
  if (!c) return p_err_set(e, P_ENOTFOUND, "no model endpoint is configured");
  int left = c->job_token_budget - (job ? job->tokens_used : 0);
  if (left <= 0) {
    llm__count_fail(LC_BUDGET);
    return p_err_set(e, P_ETOOBIG, "the job's token budget (%d) is spent", c->job_token_budget);
  }
  int gate = llm__breaker_enter();
  if (gate < 0) {
    llm__count_fail(LC_OPEN);
    return p_err_set(e, P_ECONFLICT, "circuit breaker open: the endpoint failed %d time(s) in a row",
                     c->breaker_threshold);
  }
  if (gate == 1) {
    p_err pe = {0};
    int prc = llm__models(NULL, canceled, cctx, &pe);
    llm__breaker_result(prc == 0);
    p_log(P_LOG_INFO, "llm: half-open probe %s", prc ? "failed" : "succeeded");
    if (prc) return p_err_set(e, P_ECONFLICT, "circuit breaker open (the probe failed: %s)", pe.msg);
  }
  if (llm__sem_acquire(canceled, cctx)) {
    llm__count_fail(LC_CANCELED);
    return p_err_set(e, P_ECANCELED, "canceled while waiting for a free model slot");
  }
  p_buf body;
  p_buf_init(&body, 0);
  p_buf_puts(&body, "{\"model\":");
  p_buf_json_str(&body, c->model, strlen(c->model));
  p_buf_printf(&body, ",\"messages\":%s,\"n\":%d,\"max_tokens\":%d,\"temperature\":%g,\"stream\":false}",
               messages_json, n < 1 ? 1 : n, c->max_tokens < left ? c->max_tokens : left, c->temperature);
  int rc = 0;
  for (int attempt = 0;; attempt++) {
    llm__resp r;
    llm__exchange("/v1/chat/completions", body.data, c->timeout_ms, canceled, cctx, &r);
    int cls = llm__class(&r);
    if (job) job->requests++;
    if (cls < 0) {
      rc = llm__parse_chat(job, r.body.data, choices, nchoices, e);
      if (rc) llm__count_fail(LC_MALFORMED);
      /* The server answered: it is alive, whatever it said. */
      llm__breaker_result(true);
      p_buf_free(&r.body);
      break;
    }
    llm__count_fail(cls);
    char d[300];
    llm__describe(&r, d, sizeof d);
    int retry_after = r.retry_after_ms;
    p_buf_free(&r.body);
    if (cls == LC_CANCELED) {
      rc = p_err_set(e, P_ECANCELED, "canceled during a model request");
      break;
    }
    bool retryable = cls == LC_TIMEOUT || cls == LC_CONNECT || cls == LC_429 || cls == LC_5XX;
    /* 429 says the server is alive but busy: it does not trip the breaker. */
    if (cls != LC_429) llm__breaker_result(!retryable);
    bool open = llm_breaker_state() != 0;
    if (!retryable || attempt >= c->retries || open) {
      p_code code = cls == LC_TIMEOUT ? P_ETIMEOUT : cls == LC_4XX ? P_EINVAL : P_EIO;
      rc = p_err_set(e, code, "POST /v1/chat/completions: %s%s (%d attempt%s)", d,
                     open ? "; circuit breaker open" : "", attempt + 1, attempt ? "s" : "");
      break;
    }
    int64_t exp = (int64_t)c->backoff_ms << (attempt < 20 ? attempt : 20);
    if (exp > c->backoff_max_ms) exp = c->backoff_max_ms;
    int delay = retry_after >= 0 ? retry_after : (int)(exp / 2 + llm__rand() % (uint32_t)(exp / 2 + 1));
    if (delay > c->backoff_max_ms) delay = c->backoff_max_ms;
    pthread_mutex_lock(&llm__m.lock);
    llm__m.retries++;
    pthread_mutex_unlock(&llm__m.lock);
    if (job) job->retries++;
    p_log(P_LOG_INFO, "llm: %s; retry %d/%d in %d ms", d, attempt + 1, c->retries, delay);
    if (llm__sleep(delay, canceled, cctx)) {
      rc = p_err_set(e, P_ECANCELED, "canceled while waiting to retry");
      break;
    }
  }
  p_buf_free(&body);
  llm__sem_release();
  return rc;
}

void llm_metrics_render(p_buf *out) {
  const llm_config *c = llm__c.cfg;
  if (!c) return;
  int br = llm_breaker_state();
  pthread_mutex_lock(&llm__m.lock);
  p_buf_printf(out,
               "# HELP portalis_llm_requests_total Requests sent to the model endpoint.\n"
               "# TYPE portalis_llm_requests_total counter\n"
               "portalis_llm_requests_total{endpoint=\"chat_completions\"} %llu\n"
               "portalis_llm_requests_total{endpoint=\"models\"} %llu\n",
               llm__m.req_chat, llm__m.req_models);
  p_buf_puts(out, "# HELP portalis_llm_failures_total Failed model requests by class.\n"
                  "# TYPE portalis_llm_failures_total counter\n");
  for (size_t i = 0; i < LLM_NCLASS; i++)
    p_buf_printf(out, "portalis_llm_failures_total{class=\"%s\"} %llu\n", llm__classes[i], llm__m.fail[i]);
  p_buf_printf(out,
               "# HELP portalis_llm_retries_total Model requests retried.\n# TYPE portalis_llm_retries_total counter\n"
               "portalis_llm_retries_total %llu\n"
               "# HELP portalis_llm_connections_total New connections opened (the rest were reused).\n"
               "# TYPE portalis_llm_connections_total counter\nportalis_llm_connections_total %llu\n"
               "# HELP portalis_llm_tokens_total Tokens the endpoint reported.\n# TYPE portalis_llm_tokens_total counter\n"
               "portalis_llm_tokens_total{kind=\"prompt\"} %llu\nportalis_llm_tokens_total{kind=\"completion\"} %llu\n"
               "# HELP portalis_llm_in_flight Model requests in flight.\n# TYPE portalis_llm_in_flight gauge\n"
               "portalis_llm_in_flight %d\n"
               "# HELP portalis_llm_breaker_state Circuit breaker: 0 closed, 1 open, 2 half-open.\n"
               "# TYPE portalis_llm_breaker_state gauge\nportalis_llm_breaker_state %d\n"
               "# HELP portalis_llm_breaker_opened_total Times the circuit breaker opened.\n"
               "# TYPE portalis_llm_breaker_opened_total counter\nportalis_llm_breaker_opened_total %llu\n",
               llm__m.retries, llm__m.conns, llm__m.tok_prompt, llm__m.tok_completion, llm__m.in_flight, br,
               llm__c.br_opened);
  p_buf_puts(out, "# HELP portalis_llm_request_duration_seconds Latency of model requests.\n"
                  "# TYPE portalis_llm_request_duration_seconds histogram\n");
  for (size_t b = 0; b < LLM_NB; b++)
    p_buf_printf(out, "portalis_llm_request_duration_seconds_bucket{le=\"%g\"} %llu\n", llm__buckets[b],
                 llm__m.lat_bucket[b]);
  p_buf_printf(out,
               "portalis_llm_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
               "portalis_llm_request_duration_seconds_sum %.6f\nportalis_llm_request_duration_seconds_count %llu\n",
               llm__m.lat_count, llm__m.lat_sum, llm__m.lat_count);
  p_buf_puts(out, "# HELP portalis_llm_candidates_total Model rewrites by outcome (used, rejected by the tests, "
                  "invalid).\n# TYPE portalis_llm_candidates_total counter\n");
  for (int i = 0; i < LLM_NCAND; i++)
    p_buf_printf(out, "portalis_llm_candidates_total{result=\"%s\"} %llu\n", llm__cand[i], llm__m.cand[i]);
  pthread_mutex_unlock(&llm__m.lock);
}
