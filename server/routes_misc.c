/*
 * routes_misc.c - health, readiness, metrics, the OpenAPI document and the
 * static dashboard files.
 *
 * /healthz answers as long as the process serves HTTP; /readyz also checks
 * the database and that the workers run, so a load balancer stops sending
 * uploads to an instance that is shutting down. Static files come from the
 * web directory, with a content type by extension, an ETag from the
 * content's sha256, and no way out of that directory.
 */
#define PORTALIS_SRV_HTTP_INTERNAL 1
#include "config.h"
#include "srv.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

atomic_bool srv_ready;

bool srv_accepting(void) { return atomic_load(&srv_ready); }

enum MHD_Result srv_misc_healthz(srv_req *r) {
  static const char body[] = "{\"status\":\"ok\"}\n";
  return srv_reply(r, 200, "application/json", body, sizeof body - 1, NULL);
}

enum MHD_Result srv_misc_readyz(srv_req *r) {
  p_err e = {0};
  store *s = store_get(&e);
  cJSON *b = cJSON_CreateObject();
  bool db_ok = s && store_schema_version(s) > 0;
  bool ready = db_ok && atomic_load(&srv_ready);
  cJSON_AddStringToObject(b, "status", ready ? "ready" : "unavailable");
  cJSON_AddBoolToObject(b, "database", db_ok);
  cJSON_AddBoolToObject(b, "accepting", atomic_load(&srv_ready));
  cJSON_AddNumberToObject(b, "workers", srv_cfg.workers);
  cJSON_AddNumberToObject(b, "busy_workers", srv_workers_busy());
  /* What a client should know before uploading (the dashboard checks sizes
   * before sending). */
  cJSON *lim = cJSON_AddObjectToObject(b, "limits");
  cJSON_AddNumberToObject(lim, "max_upload", (double)srv_cfg.max_upload);
  cJSON_AddNumberToObject(lim, "max_files", (double)srv_cfg.max_files);
  cJSON_AddNumberToObject(lim, "max_unpacked", (double)srv_cfg.max_unpacked);
  cJSON_AddBoolToObject(b, "require_auth", srv_cfg.require_auth);
  cJSON_AddStringToObject(b, "version", PACKAGE_VERSION);
  srv_tm_readyz(b);
  enum MHD_Result ret;
  if (ready) {
    ret = srv_reply_json(r, 200, b, NULL);
  } else {
    const char *h[] = {"Retry-After", "5", NULL};
    char *txt = cJSON_PrintUnformatted(b);
    ret = srv_reply(r, 503, "application/json", txt, strlen(txt), h);
    free(txt);
  }
  cJSON_Delete(b);
  return ret;
}

enum MHD_Result srv_misc_metrics(srv_req *r) {
  p_buf out;
  p_buf_init(&out, 8 << 20);
  p_err e = {0};
  /* The counters, then the translation memory's part: metrics.c is handed
   * what it cannot know and calls no route. */
  int rc = srv_metrics_render(&out, srv_workers_busy(), &e);
  if (!rc) {
    srv_tm_metrics(&out);
    if (out.err) rc = p_err_set(&e, P_ETOOBIG, "metrics too large");
  }
  if (rc) {
    p_buf_free(&out);
    return srv_problem_err(r, &e);
  }
  enum MHD_Result ret = srv_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len, NULL);
  p_buf_free(&out);
  return ret;
}

enum MHD_Result srv_misc_openapi(srv_req *r) {
  const srv_embedded *f = srv_embedded_find("docs/openapi.json");
  if (!f) return srv_problem(r, 404, "not_found", "no OpenAPI document in this build", NULL);
  return srv_reply(r, 200, "application/json", f->data, f->len, NULL);
}

static const char *misc__mime(const char *path) {
  static const struct { const char *ext, *mime; } t[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".ico", "image/x-icon"}, {".wasm", "application/wasm"}, {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"}, {".woff2", "font/woff2"},
  };
  const char *dot = strrchr(path, '.');
  if (dot)
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
      if (!strcmp(dot, t[i].ext)) return t[i].mime;
  return "application/octet-stream";
}

enum MHD_Result srv_misc_static(srv_req *r) {
  const char *url = r->url;
  char rel[1024];
  if (!strcmp(url, "/") || !strncmp(url, "/jobs/", 6) || !strcmp(url, "/jobs"))
    snprintf(rel, sizeof rel, "index.html"); /* client-side routes */
  else
    snprintf(rel, sizeof rel, "%s", url + 1);
  if (strstr(rel, "..") || rel[0] == '/' || strchr(rel, '\\') || !srv_cfg.web_dir)
    return srv_problem(r, 404, "not_found", "no such file", NULL);
  char path[2048];
  snprintf(path, sizeof path, "%s/%s", srv_cfg.web_dir, rel);
  char *data = NULL;
  size_t len = 0;
  p_err e = {0};
  if (p_read_file(path, 32 << 20, &data, &len, &e)) {
    char detail[1100];
    snprintf(detail, sizeof detail, "no such resource: %s", url);
    return srv_problem(r, 404, "not_found", detail, NULL);
  }
  char hex[65], etag[70];
  p_sha256_hex(data, len, hex);
  snprintf(etag, sizeof etag, "\"%.32s\"", hex);
  const char *inm = srv_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
  enum MHD_Result ret;
  if (inm && !strcmp(inm, etag)) {
    const char *h[] = {"ETag", etag, NULL};
    ret = srv_reply(r, 304, NULL, "", 0, h);
  } else {
    const char *h[] = {"ETag", etag, "Cache-Control", "no-cache", "Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                       "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src 'self'",
                       NULL};
    ret = srv_reply(r, 200, misc__mime(path), data, len, h);
  }
  free(data);
  return ret;
}
