/*
 * config.c - portalisd's settings: flags, their PORTALIS_* environment
 * equivalents, defaults, floors and ceilings.
 *
 * Precedence: flag > environment > default. Every limit has a floor and a
 * ceiling; 0 never means unlimited (DESIGN.md section 5).
 */
#include "config.h"
#include "srv.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

srv_config srv_cfg;

void srv_usage(FILE *f) {
  fprintf(f,
      "usage: portalisd [OPTIONS]                 run the server\n"
      "       portalisd token create --name NAME [--read-only]\n"
      "       portalisd token list\n"
      "       portalisd token revoke ID|NAME\n"
      "\n"
      "Portalis turns Python into Rust and WebAssembly and checks the result against CPython.\n"
      "\n"
      "options (environment variable in brackets):\n"
      "  --listen ADDR:PORT   address to serve on, default 127.0.0.1:8080; [::1]:8080 for IPv6;\n"
      "                       port 0 picks a free one [PORTALIS_LISTEN]\n"
      "  --db PATH            SQLite database, default DATA_DIR/portalis.db [PORTALIS_DB]\n"
      "  --data-dir DIR       state directory (database, build cache, work dirs), default ./var\n"
      "                       [PORTALIS_DATA_DIR]\n"
      "  --workers N          pipeline worker threads, 1..64, default 2 [PORTALIS_WORKERS]\n"
      "  --max-upload BYTES   largest request body, 1024..1073741824, default 10485760\n"
      "                       [PORTALIS_MAX_UPLOAD]\n"
      "  --max-active N       queued+running jobs per caller before 429, 1..100000, default 256\n"
      "                       [PORTALIS_MAX_ACTIVE]\n"
      "  --require-auth       every /api/v1 call needs 'Authorization: Bearer TOKEN'; always on when\n"
      "                       listening beyond loopback [PORTALIS_REQUIRE_AUTH=1]\n"
      "  --web-dir DIR        dashboard files served at / [PORTALIS_WEB_DIR]\n"
      "  --stage-timeout S    wall-clock limit of every stage in seconds, 1..3600 [PORTALIS_STAGE_TIMEOUT]\n"
      "  --wasm-opt-max BYTES run wasm-opt on modules up to this size, 0..1073741824, default 1048576\n"
      "                       (0: never; it saves ~12%% on a 1.5 MB module for ~1 s) [PORTALIS_WASM_OPT_MAX]\n"
      "  --shutdown-grace S   on SIGTERM, seconds running jobs may finish before they are re-queued,\n"
      "                       0..3600, default 10\n"
      "  --retain-days N      finished jobs (rows, artifacts) are deleted N days after they end,\n"
      "                       1..36500, default 30 [PORTALIS_RETAIN_DAYS]\n"
      "  --cache-max BYTES    build cache size cap; least recently used modules are evicted past it,\n"
      "                       1048576..1099511627776, default 1073741824 [PORTALIS_CACHE_MAX]\n"
      "  --translate-memory MB  address space one job's translation (ingest..transpile, in a child\n"
      "                       process) may use, 64..65536, default 1024 [PORTALIS_TRANSLATE_MEMORY]\n"
      "  --max-connections N  open HTTP connections, 16..1000000, default 4096 (less if the file\n"
      "                       limit is lower: 64 descriptors stay free) [PORTALIS_MAX_CONNECTIONS]\n"
      "  --max-connections-per-ip N  per client address, 1..1000000, default 128\n"
      "  --header-timeout S   seconds a new connection has to send complete request headers,\n"
      "                       1..600, default 10; afterwards it may idle 120 s\n"
      "  --public-metrics     /metrics and /readyz answer without a token under --require-auth\n"
      "  --http-threads N     threads answering HTTP (epoll, each serving its share of the\n"
      "                       connections), 1..64, default: one per CPU\n"
      "  --gpu MODE           translation-memory search device: auto (a CUDA GPU if one is usable,\n"
      "                       else the CPU), off (CPU), require (refuse to start without one) [PORTALIS_GPU]\n"
      "  --llm-url URL        OpenAI-compatible endpoint (NVIDIA NIM, vLLM, ...) that rewrites functions\n"
      "                       the translator cannot handle; off when unset [PORTALIS_LLM_URL]\n"
      "  --llm-model NAME     model name sent to it [PORTALIS_LLM_MODEL]\n"
      "  --llm-key-file PATH  file holding its API key; else the variable named by api_key_env\n"
      "                       (default PORTALIS_LLM_API_KEY) [PORTALIS_LLM_API_KEY_FILE]\n"
      "  --llm-config FILE    'name = value' lines: url, model, api_key_env, api_key_file, timeout_s,\n"
      "                       connect_timeout_s, retries, backoff_ms, backoff_max_ms, breaker_threshold,\n"
      "                       breaker_cooldown_s, concurrency, job_token_budget, max_tokens, candidates,\n"
      "                       assist_timeout_s, temperature [PORTALIS_LLM_CONFIG]\n"
      "  --llm-set NAME=VALUE one of those settings (repeatable; wins over the file)\n"
      "  --test-hooks         accept the test-only job option debug_sleep_ms (tests only)\n"
      "  --log-level LEVEL    debug, info, warn or error (default info)\n"
      "  -h, --help           this text\n"
      "  --version            version and toolchain\n"
      "\n"
      "SIGTERM or SIGINT: stop accepting uploads, let running stages finish (or re-queue them), exit.\n");
}

static int cfg__num(const char *name, const char *v, long long lo, long long hi, long long *out, p_err *e) {
  char *end;
  long long n = strtoll(v, &end, 10);
  if (!*v || *end || n < lo || n > hi)
    return p_err_set(e, P_EINVAL, "%s: '%s' is not a number from %lld to %lld", name, v, lo, hi);
  *out = n;
  return 0;
}

static int cfg__listen(const char *v, p_err *e) {
  const char *colon = strrchr(v, ':');
  if (!colon) return p_err_set(e, P_EINVAL, "--listen: '%s' is not ADDR:PORT", v);
  long long port;
  if (cfg__num("--listen port", colon + 1, 0, 65535, &port, e)) return e->code;
  const char *h = v;
  size_t hl = (size_t)(colon - v);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h++;
    hl -= 2;
  }
  if (hl == 0 || hl >= sizeof srv_cfg.listen_host) return p_err_set(e, P_EINVAL, "--listen: bad address in '%s'", v);
  if (hl == 9 && !strncmp(h, "localhost", 9)) {
    h = "127.0.0.1";
    hl = 9;
  }
  memcpy(srv_cfg.listen_host, h, hl);
  srv_cfg.listen_host[hl] = 0;
  srv_cfg.port = (int)port;
  return 0;
}

static int cfg__gpu(const char *what, const char *v, p_err *e) {
  if (!strcmp(v, "auto")) srv_cfg.gpu = TM_GPU_AUTO;
  else if (!strcmp(v, "off")) srv_cfg.gpu = TM_GPU_OFF;
  else if (!strcmp(v, "require")) srv_cfg.gpu = TM_GPU_REQUIRE;
  else return p_err_set(e, P_EINVAL, "%s: '%s' is not auto, off or require", what, v);
  return 0;
}

static bool cfg__loopback(const char *host) {
  return !strncmp(host, "127.", 4) || !strcmp(host, "::1");
}

int srv_config_parse(int argc, char **argv, p_err *e) {
  static char dbbuf[4096], webbuf[PATH_MAX + 64];
  pl_config_default(&srv_cfg.pl, argv[0]);
  snprintf(srv_cfg.listen_host, sizeof srv_cfg.listen_host, "127.0.0.1");
  srv_cfg.port = 8080;
  srv_cfg.workers = 2;
  srv_cfg.max_upload = 10 << 20;
  srv_cfg.max_files = 1000;
  srv_cfg.max_ratio = 100.0;
  srv_cfg.max_active = 256;
  srv_cfg.max_attempts = 3;
  srv_cfg.shutdown_grace_s = 10;
  srv_cfg.data_dir = "var";
  srv_cfg.retain_days = 30;
  srv_cfg.cache_max = (uint64_t)1 << 30;
  srv_cfg.pl.translate_memory_mb = 1024;
  srv_cfg.max_connections = 4096;
  srv_cfg.max_per_ip = 128;
  srv_cfg.header_timeout_s = 10;
  srv_cfg.idle_timeout_s = 120;
  long long n;
  const char *env;
  if ((env = getenv("PORTALIS_LISTEN")) && *env && cfg__listen(env, e)) return e->code;
  if ((env = getenv("PORTALIS_DB")) && *env) srv_cfg.db_path = env;
  if ((env = getenv("PORTALIS_DATA_DIR")) && *env) srv_cfg.data_dir = env;
  if ((env = getenv("PORTALIS_WEB_DIR")) && *env) srv_cfg.web_dir = env;
  if ((env = getenv("PORTALIS_WORKERS")) && *env) {
    if (cfg__num("PORTALIS_WORKERS", env, 1, 64, &n, e)) return e->code;
    srv_cfg.workers = (int)n;
  }
  if ((env = getenv("PORTALIS_MAX_UPLOAD")) && *env) {
    if (cfg__num("PORTALIS_MAX_UPLOAD", env, 1024, 1 << 30, &n, e)) return e->code;
    srv_cfg.max_upload = (size_t)n;
  }
  if ((env = getenv("PORTALIS_MAX_ACTIVE")) && *env) {
    if (cfg__num("PORTALIS_MAX_ACTIVE", env, 1, 100000, &n, e)) return e->code;
    srv_cfg.max_active = (int)n;
  }
  if ((env = getenv("PORTALIS_STAGE_TIMEOUT")) && *env) {
    if (cfg__num("PORTALIS_STAGE_TIMEOUT", env, 1, 3600, &n, e)) return e->code;
    for (int i = 0; i < PL_NSTAGES; i++) srv_cfg.pl.stage_timeout_s[i] = (int)n;
  }
  if ((env = getenv("PORTALIS_WASM_OPT_MAX")) && *env) {
    if (cfg__num("PORTALIS_WASM_OPT_MAX", env, 0, 1 << 30, &n, e)) return e->code;
    srv_cfg.pl.wasm_opt_max = (uint64_t)n;
  }
  if ((env = getenv("PORTALIS_RETAIN_DAYS")) && *env) {
    if (cfg__num("PORTALIS_RETAIN_DAYS", env, 1, 36500, &n, e)) return e->code;
    srv_cfg.retain_days = (int)n;
  }
  if ((env = getenv("PORTALIS_CACHE_MAX")) && *env) {
    if (cfg__num("PORTALIS_CACHE_MAX", env, 1 << 20, 1LL << 40, &n, e)) return e->code;
    srv_cfg.cache_max = (uint64_t)n;
  }
  if ((env = getenv("PORTALIS_TRANSLATE_MEMORY")) && *env) {
    if (cfg__num("PORTALIS_TRANSLATE_MEMORY", env, 64, 65536, &n, e)) return e->code;
    srv_cfg.pl.translate_memory_mb = (size_t)n;
  }
  if ((env = getenv("PORTALIS_MAX_CONNECTIONS")) && *env) {
    if (cfg__num("PORTALIS_MAX_CONNECTIONS", env, 16, 1000000, &n, e)) return e->code;
    srv_cfg.max_connections = (int)n;
  }
  if ((env = getenv("PORTALIS_GPU")) && *env && cfg__gpu("PORTALIS_GPU", env, e)) return e->code;
  if ((env = getenv("PORTALIS_REQUIRE_AUTH")) && *env && strcmp(env, "0")) srv_cfg.require_auth = true;
  llm_config_default(&srv_cfg.llm);
  if (llm_config_env(&srv_cfg.llm, e)) return e->code;

  enum { O_LISTEN = 256, O_DB, O_DATA, O_WORKERS, O_MAXUP, O_MAXACT, O_AUTH, O_WEB, O_STAGE, O_GRACE,
         O_HOOKS, O_LOG, O_VERSION, O_WOPT, O_RETAIN, O_CACHEMAX, O_TMEM, O_MAXCONN, O_PERIP, O_HDRTO,
         O_PUBMET, O_HTHREADS, O_GPU, O_LLM_URL, O_LLM_MODEL, O_LLM_KEYF, O_LLM_CONF, O_LLM_SET };
  static const struct option opts[] = {
      {"listen", required_argument, NULL, O_LISTEN}, {"db", required_argument, NULL, O_DB},
      {"data-dir", required_argument, NULL, O_DATA}, {"workers", required_argument, NULL, O_WORKERS},
      {"max-upload", required_argument, NULL, O_MAXUP}, {"max-active", required_argument, NULL, O_MAXACT},
      {"require-auth", no_argument, NULL, O_AUTH}, {"web-dir", required_argument, NULL, O_WEB},
      {"stage-timeout", required_argument, NULL, O_STAGE}, {"shutdown-grace", required_argument, NULL, O_GRACE},
      {"test-hooks", no_argument, NULL, O_HOOKS}, {"wasm-opt-max", required_argument, NULL, O_WOPT}, {"log-level", required_argument, NULL, O_LOG},
      {"retain-days", required_argument, NULL, O_RETAIN}, {"cache-max", required_argument, NULL, O_CACHEMAX},
      {"translate-memory", required_argument, NULL, O_TMEM}, {"max-connections", required_argument, NULL, O_MAXCONN},
      {"max-connections-per-ip", required_argument, NULL, O_PERIP},
      {"header-timeout", required_argument, NULL, O_HDRTO}, {"public-metrics", no_argument, NULL, O_PUBMET},
      {"http-threads", required_argument, NULL, O_HTHREADS}, {"gpu", required_argument, NULL, O_GPU},
      {"llm-url", required_argument, NULL, O_LLM_URL}, {"llm-model", required_argument, NULL, O_LLM_MODEL},
      {"llm-key-file", required_argument, NULL, O_LLM_KEYF}, {"llm-config", required_argument, NULL, O_LLM_CONF},
      {"llm-set", required_argument, NULL, O_LLM_SET},
      {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, O_VERSION}, {NULL, 0, NULL, 0}};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
    switch (c) {
    case O_LISTEN: if (cfg__listen(optarg, e)) return e->code; break;
    case O_DB: srv_cfg.db_path = optarg; break;
    case O_DATA: srv_cfg.data_dir = optarg; break;
    case O_WORKERS:
      if (cfg__num("--workers", optarg, 1, 64, &n, e)) return e->code;
      srv_cfg.workers = (int)n;
      break;
    case O_MAXUP:
      if (cfg__num("--max-upload", optarg, 1024, 1 << 30, &n, e)) return e->code;
      srv_cfg.max_upload = (size_t)n;
      break;
    case O_MAXACT:
      if (cfg__num("--max-active", optarg, 1, 100000, &n, e)) return e->code;
      srv_cfg.max_active = (int)n;
      break;
    case O_AUTH: srv_cfg.require_auth = true; break;
    case O_WEB: srv_cfg.web_dir = optarg; break;
    case O_STAGE:
      if (cfg__num("--stage-timeout", optarg, 1, 3600, &n, e)) return e->code;
      for (int i = 0; i < PL_NSTAGES; i++) srv_cfg.pl.stage_timeout_s[i] = (int)n;
      break;
    case O_GRACE:
      if (cfg__num("--shutdown-grace", optarg, 0, 3600, &n, e)) return e->code;
      srv_cfg.shutdown_grace_s = (int)n;
      break;
    case O_HOOKS: srv_cfg.pl.test_hooks = true; break;
    case O_RETAIN:
      if (cfg__num("--retain-days", optarg, 1, 36500, &n, e)) return e->code;
      srv_cfg.retain_days = (int)n;
      break;
    case O_CACHEMAX:
      if (cfg__num("--cache-max", optarg, 1 << 20, 1LL << 40, &n, e)) return e->code;
      srv_cfg.cache_max = (uint64_t)n;
      break;
    case O_TMEM:
      if (cfg__num("--translate-memory", optarg, 64, 65536, &n, e)) return e->code;
      srv_cfg.pl.translate_memory_mb = (size_t)n;
      break;
    case O_MAXCONN:
      if (cfg__num("--max-connections", optarg, 16, 1000000, &n, e)) return e->code;
      srv_cfg.max_connections = (int)n;
      break;
    case O_PERIP:
      if (cfg__num("--max-connections-per-ip", optarg, 1, 1000000, &n, e)) return e->code;
      srv_cfg.max_per_ip = (int)n;
      break;
    case O_HDRTO:
      if (cfg__num("--header-timeout", optarg, 1, 600, &n, e)) return e->code;
      srv_cfg.header_timeout_s = (int)n;
      break;
    case O_PUBMET: srv_cfg.public_metrics = true; break;
    case O_HTHREADS:
      if (cfg__num("--http-threads", optarg, 1, 64, &n, e)) return e->code;
      srv_cfg.http_threads = (int)n;
      break;
    case O_GPU: if (cfg__gpu("--gpu", optarg, e)) return e->code; break;
    case O_WOPT:
      if (cfg__num("--wasm-opt-max", optarg, 0, 1 << 30, &n, e)) return e->code;
      srv_cfg.pl.wasm_opt_max = (uint64_t)n;
      break;
    case O_LOG:
      if (!strcmp(optarg, "debug")) p_log_min = P_LOG_DEBUG;
      else if (!strcmp(optarg, "info")) p_log_min = P_LOG_INFO;
      else if (!strcmp(optarg, "warn")) p_log_min = P_LOG_WARN;
      else if (!strcmp(optarg, "error")) p_log_min = P_LOG_ERROR;
      else return p_err_set(e, P_EINVAL, "--log-level: '%s' is not debug, info, warn or error", optarg);
      break;
    case O_LLM_URL: if (llm_config_set(&srv_cfg.llm, "url", optarg, e)) return e->code; break;
    case O_LLM_MODEL: if (llm_config_set(&srv_cfg.llm, "model", optarg, e)) return e->code; break;
    case O_LLM_KEYF: if (llm_config_set(&srv_cfg.llm, "api_key_file", optarg, e)) return e->code; break;
    case O_LLM_CONF: if (llm_config_file(&srv_cfg.llm, optarg, e)) return e->code; break;
    case O_LLM_SET: if (llm_config_kv(&srv_cfg.llm, optarg, e)) return e->code; break;
    case 'h': srv_usage(stdout); return 1;
    case O_VERSION:
      printf("portalisd %s\nrustc: %s (%s)\nnode: %s\npython3: %s\n", PACKAGE_VERSION, srv_cfg.pl.rustc_version,
             srv_cfg.pl.rustc, srv_cfg.pl.node, srv_cfg.pl.python3);
      return 1;
    default:
      return p_err_set(e, P_EINVAL, "unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
    }
  }
  bool llm_on;
  if (llm_config_finish(&srv_cfg.llm, &llm_on, e)) return e->code;
  srv_cfg.pl.llm = llm_on ? &srv_cfg.llm : NULL;
  srv_cfg.pl.assist = llm_on ? llm_assist : NULL;
  /* The upload limits follow the body limit. */
  srv_cfg.max_unpacked = srv_cfg.max_upload * 8 > ((size_t)256 << 20) ? (size_t)256 << 20 : srv_cfg.max_upload * 8;
  if (srv_cfg.max_unpacked < ((size_t)1 << 20)) srv_cfg.max_unpacked = (size_t)1 << 20;
  if (!cfg__loopback(srv_cfg.listen_host)) srv_cfg.require_auth = true;
  if (!srv_cfg.db_path) {
    snprintf(dbbuf, sizeof dbbuf, "%s/portalis.db", srv_cfg.data_dir);
    srv_cfg.db_path = dbbuf;
  }
  if (!srv_cfg.web_dir) {
    /* From the source tree when running from a build tree, else the
     * installed copy. */
    snprintf(webbuf, sizeof webbuf, "%s/web/index.html", PORTALIS_ABS_SRCDIR);
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[len > 0 ? len : 0] = 0;
    bool installed = !strncmp(exe, PORTALIS_BINDIR "/", strlen(PORTALIS_BINDIR) + 1);
    if (!installed && access(webbuf, R_OK) == 0) snprintf(webbuf, sizeof webbuf, "%s/web", PORTALIS_ABS_SRCDIR);
    else snprintf(webbuf, sizeof webbuf, "%s/web", PORTALIS_PKGDATADIR);
    srv_cfg.web_dir = webbuf;
  }
  return 0;
}
