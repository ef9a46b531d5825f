/*
 * main.c - portalisd: start-up, token commands, and an orderly shutdown.
 *
 * Start: settings, state directories, database (migrations), recovery of
 * jobs a dead process left running, HTTP, workers. Then the main thread
 * only waits for SIGTERM/SIGINT (blocked in every other thread); on one it
 * stops accepting, lets running stages finish within the grace period (or
 * re-queues them), wakes every parked request, and exits 0.
 */
#include "config.h"
#include "srv.h"

#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

extern atomic_bool srv_ready;

static int main__token(int argc, char **argv) {
  /* argv: token SUBCOMMAND ... (after server options) */
  p_err e = {0};
  if (p_mkdirs(srv_cfg.data_dir, 0700) && !strchr(srv_cfg.db_path, '/')) {
    fprintf(stderr, "portalisd: cannot create %s\n", srv_cfg.data_dir);
    return 1;
  }
  if (strchr(srv_cfg.db_path, '/')) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", srv_cfg.db_path);
    *strrchr(dir, '/') = 0;
    if (*dir) p_mkdirs(dir, 0700);
  }
  store_migration migs[SRV_MAX_MIGRATIONS];
  size_t nmigs = srv_migrations(migs, SRV_MAX_MIGRATIONS);
  if (store_init(srv_cfg.db_path, migs, nmigs, &e)) {
    fprintf(stderr, "portalisd: %s\n", e.msg);
    return 1;
  }
  store *s = store_get(&e);
  if (!s) {
    fprintf(stderr, "portalisd: %s\n", e.msg);
    return 1;
  }
  const char *sub = argc > 1 ? argv[1] : "";
  if (!strcmp(sub, "create")) {
    const char *name = NULL;
    bool ro = false;
    for (int i = 2; i < argc; i++) {
      if (!strcmp(argv[i], "--name") && i + 1 < argc) name = argv[++i];
      else if (!strncmp(argv[i], "--name=", 7)) name = argv[i] + 7;
      else if (!strcmp(argv[i], "--read-only")) ro = true;
      else {
        fprintf(stderr, "portalisd token create: unknown argument '%s'\n", argv[i]);
        return 2;
      }
    }
    if (!name || !*name) {
      fprintf(stderr, "usage: portalisd token create --name NAME [--read-only]\n");
      return 2;
    }
    char secret[72];
    int64_t tid;
    if (store_token_create(s, name, ro, secret, &tid, &e)) {
      fprintf(stderr, "portalisd: %s\n", e.msg);
      return 1;
    }
    printf("%s\n", secret);
    fprintf(stderr, "token %lld '%s'%s created; it is shown only this once\n", (long long)tid, name,
            ro ? " (read-only)" : "");
    return 0;
  }
  if (!strcmp(sub, "list")) {
    cJSON *arr;
    if (store_token_list(s, &arr, &e)) {
      fprintf(stderr, "portalisd: %s\n", e.msg);
      return 1;
    }
    printf("%-6s %-24s %-9s %-26s %s\n", "ID", "NAME", "ACCESS", "CREATED", "STATE");
    cJSON *t;
    cJSON_ArrayForEach(t, arr) {
      cJSON *rev = cJSON_GetObjectItem(t, "revoked_at");
      printf("%-6d %-24s %-9s %-26s %s\n", cJSON_GetObjectItem(t, "id")->valueint,
             cJSON_GetObjectItem(t, "name")->valuestring,
             cJSON_IsTrue(cJSON_GetObjectItem(t, "read_only")) ? "read" : "read+write",
             cJSON_GetObjectItem(t, "created_at")->valuestring, cJSON_IsString(rev) ? "revoked" : "active");
    }
    cJSON_Delete(arr);
    return 0;
  }
  if (!strcmp(sub, "revoke")) {
    if (argc != 3) {
      fprintf(stderr, "usage: portalisd token revoke ID|NAME\n");
      return 2;
    }
    if (store_token_revoke(s, argv[2], &e)) {
      fprintf(stderr, "portalisd: %s\n", e.msg);
      return 1;
    }
    printf("revoked %s\n", argv[2]);
    return 0;
  }
  fprintf(stderr, "usage: portalisd token create --name NAME [--read-only] | list | revoke ID|NAME\n");
  return 2;
}

int main(int argc, char **argv) {
  /* libarchive converts entry names through the locale: without a UTF-8
   * one, non-ASCII names fail ("Can't translate pathname"). Only LC_CTYPE:
   * number formatting stays "C". */
  if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "");
  p_err e = {0};
  int rc = srv_config_parse(argc, argv, &e);
  if (rc == 1) return 0;
  if (rc) {
    fprintf(stderr, "portalisd: %s\n", e.msg);
    return 2;
  }
  if (optind < argc) {
    if (!strcmp(argv[optind], "token")) return main__token(argc - optind, argv + optind);
    fprintf(stderr, "portalisd: unexpected argument '%s' (see --help)\n", argv[optind]);
    return 2;
  }

  /* The data directory is made absolute once: work dirs and the build
   * cache are handed to sandboxed tools that run elsewhere. */
  static char data[PATH_MAX], cache[PATH_MAX + 16], tmp[PATH_MAX + 16];
  if (p_mkdirs(srv_cfg.data_dir, 0700) || !realpath(srv_cfg.data_dir, data) || chmod(data, 0700)) {
    fprintf(stderr, "portalisd: cannot create the data directory %s\n", srv_cfg.data_dir);
    return 1;
  }
  srv_cfg.data_dir = data;
  snprintf(cache, sizeof cache, "%s/cache", data);
  snprintf(tmp, sizeof tmp, "%s/tmp", data);
  if (p_mkdirs(cache, 0700) || p_mkdirs(tmp, 0700) || chmod(cache, 0700) || chmod(tmp, 0700)) {
    fprintf(stderr, "portalisd: cannot create %s/cache and %s/tmp\n", data, data);
    return 1;
  }
  srv_cfg.pl.cache_dir = cache;
  srv_cfg.pl.tmp_dir = tmp;
  srv_cfg.pl.tm = &tm_pipeline_ops; /* Package stores verified functions (routes_tm.c) */

  /* Signals go to the main thread only. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  store_migration migs[SRV_MAX_MIGRATIONS];
  size_t nmigs = srv_migrations(migs, SRV_MAX_MIGRATIONS);
  if (store_init(srv_cfg.db_path, migs, nmigs, &e)) {
    fprintf(stderr, "portalisd: %s\n", e.msg);
    return 1;
  }
  store *s = store_get(&e);
  int requeued = 0, failed = 0;
  if (!s || store_recover(s, srv_cfg.max_attempts, &requeued, &failed, &e)) {
    fprintf(stderr, "portalisd: recovery failed: %s\n", e.msg);
    return 1;
  }
  if (requeued || failed)
    p_log(P_LOG_INFO, "recovered jobs left running: %d re-queued, %d marked error (interrupted)", requeued, failed);
  size_t stale = 0;
  srv_workdirs_clean(tmp, &stale);
  if (stale) p_log(P_LOG_INFO, "removed %zu work folder(s) left by a stopped process", stale);
  /* Retention; with --test-hooks, PORTALIS_TEST_RETAIN_MS shortens it to
   * milliseconds and sweeps every 200 ms. */
  int64_t retain_ms = (int64_t)srv_cfg.retain_days * 86400 * 1000, sweep_ms = 60000;
  const char *tr = getenv("PORTALIS_TEST_RETAIN_MS");
  if (srv_cfg.pl.test_hooks && tr && *tr) {
    retain_ms = atoll(tr);
    sweep_ms = 200;
  }
  store_set_retention(retain_ms);
  if (srv_retention_start(sweep_ms, &e)) {
    fprintf(stderr, "portalisd: %s\n", e.msg);
    return 1;
  }
  if (srv_tm_start(&e)) {
    fprintf(stderr, "portalisd: %s\n", e.msg);
    return 1;
  }
  if (srv_cfg.pl.llm) {
    if (llm_init(srv_cfg.pl.llm, &e)) {
      fprintf(stderr, "portalisd: %s\n", e.msg);
      return 1;
    }
    bool has_model = false;
    p_err he = {0};
    if (llm_health(&has_model, &he))
      p_log(P_LOG_WARN, "llm: %s is not answering yet (%s); assistance will retry per job", srv_cfg.llm.url, he.msg);
    else
      p_log(P_LOG_INFO, "llm: assistance on: %s, model %s%s%s", srv_cfg.llm.url, srv_cfg.llm.model,
            has_model ? "" : " (not in its model list)", srv_cfg.llm.api_key ? ", with an API key" : "");
  }
  if (srv_http_start(&srv_api_routes, &e)) {
    fprintf(stderr, "portalisd: %s\n", e.msg);
    return 1;
  }
  if (srv_workers_start(srv_cfg.workers, &e)) {
    fprintf(stderr, "portalisd: %s\n", e.msg);
    srv_http_stop();
    return 1;
  }
  atomic_store(&srv_ready, true);
  const char *fmt = strchr(srv_cfg.listen_host, ':') ? "http://[%s]:%d" : "http://%s:%d";
  char url[256];
  snprintf(url, sizeof url, fmt, srv_cfg.listen_host, srv_http_port());
  p_log(P_LOG_INFO, "portalisd %s listening on %s (database %s, %d workers%s)", PACKAGE_VERSION, url,
        srv_cfg.db_path, srv_cfg.workers, srv_cfg.require_auth ? ", tokens required" : "");
  printf("portalisd listening on %s\n", url);
  fflush(stdout);

  int sig = 0;
  sigwait(&set, &sig);
  p_log(P_LOG_INFO, "%s: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  atomic_store(&srv_ready, false);
  srv_http_quiesce();
  srv_workers_stop(srv_cfg.shutdown_grace_s);
  srv_http_stop();
  srv_retention_stop();
  tm_index_stop();
  store_shutdown();
  llm_shutdown();
  p_log(P_LOG_INFO, "stopped");
  return 0;
}
