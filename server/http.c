/*
 * http.c - the libmicrohttpd daemon, routing and responses.
 *
 * Requests are handled by MHD's internal thread pool (epoll; one thread per
 * CPU unless --http-threads says otherwise). A request that
 * waits - a long-poll GET /jobs/{id}?wait=N or an event stream - does not
 * keep a thread: it is suspended and parked in the hub (hub.c) until its job
 * changes or its deadline passes; the daemon starts and stops the hub with
 * itself.
 *
 * Routing is a table of {method, pattern, handler} that main.c hands to
 * srv_http_start (routes.c holds it, so this file names no handler and the
 * handlers' calls back into it make no circle); "{}" matches one path
 * segment. An unknown path is 404, a known path with another method 405 with
 * an Allow header. Authentication is checked before any body is read.
 *
 * Connections: a global limit below the process's file limit (so accept
 * never fails for lack of descriptors and there is room left for new
 * clients), a per-address limit (one client cannot take them all), and
 * a short timeout until the request headers are complete (an idle socket
 * that never says anything is closed after --header-timeout seconds; a
 * connection that sent a request may then idle 120 s).
 *
 * Every error is problem+json, oversized requests included: the library's
 * per-connection pool is made larger than the server's own limits on the
 * request target and header block (srv.h), so that the server refuses them
 * (414, 431) with the limit in the detail. What the library answers itself,
 * before any callback - malformed requests (400), unsupported HTTP versions
 * (505), a Content-Length too large to read (413), requests past the pool
 * (414/431) - it builds from a fixed HTML page; libmicrohttpd has no hook for
 * these, so the server interposes the two library functions its error path
 * calls through the PLT (see "library replies" below) and swaps the page for
 * a problem+json body with the same status. The pool stays small (48 KiB,
 * limits of 16 KiB each): the library zeroes all of it after every request
 * of a keep-alive connection.
 *
 * Shutdown keeps the listening socket open: new uploads get 503
 * shutting_down, /readyz 503, waiting requests are answered and event
 * streams end with their `end` event; the socket closes only when the
 * process stops.
 */
#define PORTALIS_SRV_HTTP_INTERNAL 1
#include "srv.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static const srv_routes *http__table; /* handed to srv_http_start (routes.c) */
static struct MHD_Daemon *http__daemon;
static int http__port;

/* ------------------------------------------------------ library replies */

/* libmicrohttpd answers what it cannot parse itself (transmit_error_response
 * in its connection.c): MHD_create_response_from_buffer(len, page,
 * MHD_RESPMEM_PERSISTENT) of a static "<html><head><title>..." page, then
 * MHD_queue_response(conn, status, that response), both called through the
 * library's PLT. This executable defines both symbols, so the dynamic linker
 * binds the library's calls to the definitions here (the executable comes
 * first in symbol lookup); they pass everything to the library's own
 * functions (dlsym RTLD_NEXT) except a response made from such a page, which
 * is remembered per thread when created and replaced by problem+json when
 * queued, where the status is known. The page's body text becomes the
 * detail. A libmicrohttpd that stopped calling through its PLT would send
 * its HTML again: tests/hardening_test.py checks each reply. */
typedef struct MHD_Response *(*http__create_fn)(size_t, void *, enum MHD_ResponseMemoryMode);
typedef enum MHD_Result (*http__queue_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
static __thread struct MHD_Response *http__lib_page;
static __thread char http__lib_detail[256];

static http__create_fn http__real_create(void) {
  static http__create_fn fn;
  if (!fn) fn = (http__create_fn)dlsym(RTLD_NEXT, "MHD_create_response_from_buffer");
  return fn;
}

static http__queue_fn http__real_queue(void) {
  static http__queue_fn fn;
  if (!fn) fn = (http__queue_fn)dlsym(RTLD_NEXT, "MHD_queue_response");
  return fn;
}

/* "<html><head><title>T</title></head><body>B</body></html>" -> B without
 * tags and with &quot; as '"'; false if page is not such a page. */
static bool http__page_text(const char *page, size_t len, char *out, size_t cap) {
  static const char head[] = "<html><head><title>";
  if (len < sizeof head - 1 || memcmp(page, head, sizeof head - 1) != 0) return false;
  const char *end = page + len, *b = NULL;
  for (const char *p = page; p + 6 <= end; p++)
    if (!memcmp(p, "<body>", 6)) {
      b = p + 6;
      break;
    }
  if (!b) b = page + sizeof head - 1;
  size_t n = 0;
  bool tag = false;
  for (const char *p = b; p < end && n + 1 < cap; p++) {
    if (*p == '<') tag = true;
    else if (*p == '>') tag = false;
    else if (tag) continue;
    else if (end - p >= 6 && !memcmp(p, "&quot;", 6)) {
      out[n++] = '"';
      p += 5;
    } else out[n++] = *p;
  }
  out[n] = 0;
  return true;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
                                                     enum MHD_ResponseMemoryMode mode) {
  http__create_fn real = http__real_create();
  if (!real) return NULL;
  struct MHD_Response *resp = real(size, buffer, mode);
  if (resp && mode == MHD_RESPMEM_PERSISTENT && buffer &&
      http__page_text(buffer, size, http__lib_detail, sizeof http__lib_detail))
    http__lib_page = resp;
  return resp;
}

static const char *http__lib_code(unsigned status) {
  switch (status) {
  case 400: return "malformed_request";
  case 413: return "too_large";
  case 414: return "uri_too_long";
  case 431: return "headers_too_large";
  case 505: return "http_version_not_supported";
  default: return status >= 500 ? "internal" : "bad_request";
  }
}

static const char *http__status_title(int status);

enum MHD_Result MHD_queue_response(struct MHD_Connection *conn, unsigned int status,
                                   struct MHD_Response *resp) {
  http__queue_fn real = http__real_queue();
  if (!real) return MHD_NO;
  if (!resp || resp != http__lib_page) return real(conn, status, resp);
  http__lib_page = NULL;
  cJSON *p = cJSON_CreateObject();
  char type[160];
  snprintf(type, sizeof type, "https://portalis.dev/problems/%s", http__lib_code(status));
  cJSON_AddStringToObject(p, "type", type);
  cJSON_AddStringToObject(p, "title", http__status_title((int)status));
  cJSON_AddNumberToObject(p, "status", status);
  cJSON_AddStringToObject(p, "code", http__lib_code(status));
  cJSON_AddStringToObject(p, "detail", http__lib_detail[0] ? http__lib_detail : http__status_title((int)status));
  char *txt = cJSON_PrintUnformatted(p);
  cJSON_Delete(p);
  struct MHD_Response *j = txt ? http__real_create()(strlen(txt), txt, MHD_RESPMEM_MUST_COPY) : NULL;
  free(txt);
  if (!j) return real(conn, status, resp); /* out of memory: the library's page */
  MHD_add_response_header(j, MHD_HTTP_HEADER_CONTENT_TYPE, "application/problem+json");
  MHD_add_response_header(j, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ret = real(conn, status, j);
  MHD_destroy_response(j);
  return ret;
}

/* ------------------------------------------------------------ responses */

struct MHD_Response *srv_response(const char *ctype, const void *data, size_t len,
                                  const char *const *headers) {
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
  if (!resp) return NULL;
  if (ctype) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
  for (const char *const *h = headers; h && h[0]; h += 2)
    MHD_add_response_header(resp, h[0], h[1]);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  return resp;
}

enum MHD_Result srv_reply_prebuilt(srv_req *r, int status, struct MHD_Response *resp) {
  enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
  r->status = status;
  r->queued = true;
  return ret;
}

enum MHD_Result srv_reply(srv_req *r, int status, const char *ctype, const void *data, size_t len,
                          const char *const *headers) {
  struct MHD_Response *resp = srv_response(ctype, data, len, headers);
  if (!resp) return MHD_NO;
  enum MHD_Result ret = srv_reply_prebuilt(r, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

enum MHD_Result srv_reply_json(srv_req *r, int status, cJSON *body, const char *const *headers) {
  char *txt = cJSON_PrintUnformatted(body);
  if (!txt) return srv_problem(r, 500, "internal", "out of memory", NULL);
  size_t n = strlen(txt);
  txt = p_xrealloc(txt, n + 2);
  txt[n] = '\n';
  txt[n + 1] = 0;
  enum MHD_Result ret = srv_reply(r, status, "application/json", txt, n + 1, headers);
  free(txt);
  return ret;
}

static const char *http__status_title(int status) {
  switch (status) {
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 409: return "Conflict";
  case 410: return "Gone";
  case 413: return "Content Too Large";
  case 415: return "Unsupported Media Type";
  case 422: return "Unprocessable Content";
  case 414: return "URI Too Long";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  case 503: return "Service Unavailable";
  case 505: return "HTTP Version Not Supported";
  default: return status >= 500 ? "Internal Server Error" : "Error";
  }
}

enum MHD_Result srv_problem_h(srv_req *r, int status, const char *code, const char *detail,
                              cJSON *errors, const char *const *headers) {
  static const char *const auth_h[] = {"WWW-Authenticate", "Bearer realm=\"portalis\"", NULL};
  if (status == 401 && !headers) headers = auth_h;
  cJSON *p = cJSON_CreateObject();
  char type[160];
  snprintf(type, sizeof type, "https://portalis.dev/problems/%s", code);
  cJSON_AddStringToObject(p, "type", type);
  cJSON_AddStringToObject(p, "title", http__status_title(status));
  cJSON_AddNumberToObject(p, "status", status);
  cJSON_AddStringToObject(p, "code", code);
  cJSON_AddStringToObject(p, "detail", detail ? detail : http__status_title(status));
  cJSON_AddStringToObject(p, "instance", r->url);
  if (errors) cJSON_AddItemToObject(p, "errors", errors);
  char *txt = cJSON_PrintUnformatted(p);
  cJSON_Delete(p);
  enum MHD_Result ret = srv_reply(r, status, "application/problem+json", txt, strlen(txt), headers);
  free(txt);
  return ret;
}

enum MHD_Result srv_problem(srv_req *r, int status, const char *code, const char *detail, cJSON *errors) {
  return srv_problem_h(r, status, code, detail, errors, NULL);
}

enum MHD_Result srv_problem_err(srv_req *r, const p_err *e) {
  return srv_problem(r, p_code_http(e->code), p_code_name(e->code), e->msg, NULL);
}

const char *srv_query(srv_req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *srv_header(srv_req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

bool srv_query_int(srv_req *r, const char *name, long lo, long hi, long dflt, long *out,
                   enum MHD_Result *ret) {
  const char *v = srv_query(r, name);
  *out = dflt;
  if (!v) return true;
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (!*v || *end || errno || n < lo || n > hi) {
    char msg[256];
    snprintf(msg, sizeof msg, "query parameter '%s' must be an integer from %ld to %ld", name, lo, hi);
    cJSON *errs = cJSON_CreateArray();
    cJSON *fe = cJSON_CreateObject();
    cJSON_AddStringToObject(fe, "field", name);
    cJSON_AddStringToObject(fe, "message", msg);
    cJSON_AddItemToArray(errs, fe);
    *ret = srv_problem(r, 400, "invalid_parameter", msg, errs);
    return false;
  }
  *out = n;
  return true;
}

/* ------------------------------------------------------------------ SSE */

static ssize_t http__sse_read(void *cls, uint64_t pos, char *buf, size_t max) {
  srv_req *r = cls;
  (void)pos;
  for (;;) {
    if (r->sse_off < r->sse.len) {
      size_t n = r->sse.len - r->sse_off;
      if (n > max) n = max;
      memcpy(buf, r->sse.data + r->sse_off, n);
      r->sse_off += n;
      return (ssize_t)n;
    }
    p_buf_reset(&r->sse);
    r->sse_off = 0;
    if (r->sse_end) return MHD_CONTENT_READER_END_OF_STREAM;
    if (srv_hub_closing()) {
      p_buf_puts(&r->sse, "event: end\ndata: {\"reason\":\"shutting_down\"}\n\n");
      r->sse_end = true;
      continue;
    }
    uint64_t gen = srv_hub_gen();
    p_err e = {0};
    store *s = store_get(&e);
    if (!s) return MHD_CONTENT_READER_END_WITH_ERROR;
    int64_t last = r->last_event;
    if (store_events_sse(s, r->job_id, r->last_event, 200, &r->sse, &last, &e))
      return MHD_CONTENT_READER_END_WITH_ERROR;
    r->last_event = last;
    if (r->sse.len) continue;
    char state[16];
    int64_t v;
    if (store_job_version(s, r->job_id, r->who.owner, &v, state, &e)) {
      /* Deleted while streaming. */
      p_buf_puts(&r->sse, "event: end\ndata: {\"reason\":\"deleted\"}\n\n");
      r->sse_end = true;
      continue;
    }
    if (store_state_terminal(state)) {
      p_buf_printf(&r->sse, "event: end\ndata: {\"state\":\"%s\"}\n\n", state);
      r->sse_end = true;
      continue;
    }
    int64_t now = p_mono_ms();
    if (now >= r->next_heartbeat) {
      p_buf_puts(&r->sse, ": heartbeat\n\n");
      r->next_heartbeat = now + 15000;
      continue;
    }
    if (srv_wait(r, r->job_id, r->next_heartbeat, gen)) return 0;
  }
}

enum MHD_Result srv_sse_start(srv_req *r, const char *job_id, int64_t after) {
  snprintf(r->job_id, sizeof r->job_id, "%s", job_id);
  r->last_event = after;
  r->next_heartbeat = p_mono_ms() + 15000;
  p_buf_init(&r->sse, 1 << 20);
  p_buf_puts(&r->sse, "retry: 2000\n\n");
  struct MHD_Response *resp =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, http__sse_read, r, NULL);
  if (!resp) return MHD_NO;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  MHD_add_response_header(resp, "X-Accel-Buffering", "no");
  enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
  MHD_destroy_response(resp);
  r->status = 200;
  r->queued = true;
  return ret;
}

/* -------------------------------------------------------------- routing */

/* Matches url against pattern; fills params. */
static bool http__match(const char *pattern, const char *url, srv_req *r) {
  int np = 0;
  const char *p = pattern, *u = url;
  while (*p && *u) {
    if (p[0] == '{' && p[1] == '}') {
      const char *end = strchr(u, '/');
      size_t n = end ? (size_t)(end - u) : strlen(u);
      if (n == 0 || n >= sizeof r->params[0] || np >= SRV_MAX_PARAMS) return false;
      memcpy(r->params[np], u, n);
      r->params[np][n] = 0;
      np++;
      u += n;
      p += 2;
    } else if (*p == *u) {
      p++;
      u++;
    } else {
      return false;
    }
  }
  return !*p && (!*u || (u[0] == '/' && !u[1]));
}

static const srv_route *http__route(srv_req *r, char allow[128]) {
  allow[0] = 0;
  const srv_route *found = NULL;
  for (size_t i = 0; i < http__table->n; i++) {
    const srv_route *rt = &http__table->v[i];
    if (!http__match(rt->pattern, r->url, r)) continue;
    if (!strcmp(rt->method, r->method) || (!strcmp(r->method, "HEAD") && !strcmp(rt->method, "GET")))
      return rt;
    size_t n = strlen(allow);
    snprintf(allow + n, 128 - n, "%s%s", n ? ", " : "", rt->method);
    found = rt;
  }
  (void)found;
  return NULL;
}

/* ------------------------------------------------------------- uploads */

static srv_part *http__new_part(srv_req *r, const char *filename, const char *ctype) {
  srv_part *p = p_xrealloc(r->parts, (r->nparts + 1) * sizeof *p);
  r->parts = p;
  p = &r->parts[r->nparts++];
  memset(p, 0, sizeof *p);
  p->filename = filename ? p_xstrdup(filename) : NULL;
  p->ctype = ctype ? p_xstrdup(ctype) : NULL;
  p_buf_init(&p->data, srv_cfg.max_upload);
  return p;
}

static enum MHD_Result http__post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *filename, const char *content_type,
                                       const char *transfer_encoding, const char *data, uint64_t off,
                                       size_t size) {
  srv_req *r = cls;
  (void)kind;
  (void)transfer_encoding;
  if (filename && key && (!strcmp(key, "file") || !strcmp(key, "files") || !strcmp(key, "upload"))) {
    if (off == 0 || !r->cur_part || !r->cur_part->filename || strcmp(r->cur_part->filename, filename)) {
      r->cur_part = http__new_part(r, filename, content_type);
      if (!r->cur_part) return MHD_NO;
    }
    if (size && p_buf_append(&r->cur_part->data, data, size)) r->too_big = true;
  } else if (key && !strcmp(key, "options")) {
    if (size && p_buf_append(&r->form_options, data, size)) r->options_too_big = true;
  } else if (key && !strcmp(key, "entry")) {
    if (size) p_buf_append(&r->form_entry, data, size);
  }
  return MHD_YES;
}

/* ------------------------------------------------------- access handler */

/* Sizes of the request as received: libmicrohttpd answers an oversized
 * target or header block itself only when it does not fit its
 * per-connection pool (SRV_CONN_MEMORY; its page becomes problem+json, see
 * "library replies"); below that this server refuses it, with the limit in
 * the detail. */
static enum MHD_Result http__add_len(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  size_t *n = cls;
  *n += (key ? strlen(key) : 0) + (value ? strlen(value) : 0) + (kind == MHD_HEADER_KIND ? 4 : 2);
  return MHD_YES;
}

static enum MHD_Result http__too_big(srv_req *r, struct MHD_Connection *conn, const char *url, bool *refused) {
  size_t target = strlen(url), headers = 0;
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http__add_len, &target);
  MHD_get_connection_values(conn, MHD_HEADER_KIND, http__add_len, &headers);
  *refused = true;
  char detail[200];
  if (target > SRV_MAX_TARGET) {
    /* The problem's instance would echo the whole target: a short one. */
    r->url = "(request target too long)";
    snprintf(detail, sizeof detail,
             "the request target (path and query) is about %zu bytes; the limit is %d (send options in a "
             "multipart field)", target, SRV_MAX_TARGET);
    return srv_problem(r, 414, "uri_too_long", detail, NULL);
  }
  if (headers > SRV_MAX_HEADER_BYTES) {
    snprintf(detail, sizeof detail, "the request headers are about %zu bytes; the limit is %d", headers,
             SRV_MAX_HEADER_BYTES);
    return srv_problem(r, 431, "headers_too_large", detail, NULL);
  }
  *refused = false;
  return MHD_YES;
}

static enum MHD_Result http__access(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version, const char *upload_data,
                                    size_t *upload_data_size, void **req_cls) {
  (void)cls;
  (void)version;
  srv_req *r = *req_cls;
  if (!r) {
    r = p_xcalloc(1, sizeof *r);
    *req_cls = r;
    r->conn = conn;
    /* The headers are complete: from here the longer idle timeout applies. */
    MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned)srv_cfg.idle_timeout_s);
    r->method = method;
    r->url = url;
    p_buf_init(&r->form_options, SRV_MAX_OPTIONS);
    p_buf_init(&r->form_entry, 4096);
    bool refused;
    enum MHD_Result big = http__too_big(r, conn, url, &refused);
    if (refused) return big;
    char allow[128];
    r->route = http__route(r, allow);
    if (!r->route) {
      if (allow[0]) {
        const char *h[] = {"Allow", allow, NULL};
        char detail[256];
        snprintf(detail, sizeof detail, "%s is not allowed on %s (allowed: %s)", method, url, allow);
        return srv_problem_h(r, 405, "method_not_allowed", detail, NULL, h);
      }
      if ((!strcmp(method, "GET") || !strcmp(method, "HEAD")) && strncmp(url, "/api/", 5) != 0) {
        r->route = http__table->fallback;
      } else {
        char detail[300];
        snprintf(detail, sizeof detail, "no such resource: %s", url);
        return srv_problem(r, 404, "not_found", detail, NULL);
      }
    }
    /* Under --require-auth, /metrics and /readyz (what they show is about
     * everybody's jobs) need a token too unless --public-metrics. */
    if (r->route->api || (r->route->ops && srv_cfg.require_auth && !srv_cfg.public_metrics)) {
      p_err e = {0};
      if (srv_auth_identify(srv_header(r, MHD_HTTP_HEADER_AUTHORIZATION), &r->who, &e))
        return srv_problem(r, e.code == P_EAUTH ? 401 : 503, p_code_name(e.code), e.msg, NULL);
      if (r->route->changes && r->who.read_only)
        return srv_problem(r, 403, "forbidden",
                           r->route->body ? "this token is read-only: it cannot submit jobs"
                                          : "this token is read-only: it cannot change jobs",
                           NULL);
    }
    if (r->route->body) {
      const char *cl = srv_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
      if (cl && strtoull(cl, NULL, 10) > srv_cfg.max_upload) {
        char detail[160];
        snprintf(detail, sizeof detail, "the upload is %s bytes; the limit is %zu bytes", cl, srv_cfg.max_upload);
        return srv_problem(r, 413, "too_large", detail, NULL);
      }
      const char *ct = srv_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
      if (ct && !strncasecmp(ct, "multipart/form-data", 19)) {
        r->pp = MHD_create_post_processor(conn, 65536, http__post_iter, r);
        if (!r->pp) r->malformed = true;
      }
    }
    return MHD_YES;
  }
  if (r->queued) {
    /* A response was queued early (413/401...): swallow any body. */
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (*upload_data_size) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    if (!r->route->body) return MHD_YES;
    r->body_bytes += n;
    if (r->body_bytes > srv_cfg.max_upload) {
      r->too_big = true;
      return MHD_YES;
    }
    if (r->pp) {
      if (MHD_post_process(r->pp, upload_data, n) != MHD_YES) r->malformed = true;
    } else {
      if (!r->nparts && !http__new_part(r, NULL, srv_header(r, MHD_HTTP_HEADER_CONTENT_TYPE))) return MHD_NO;
      if (p_buf_append(&r->parts[0].data, upload_data, n)) r->too_big = true;
    }
    return MHD_YES;
  }
  if (r->too_big) {
    char detail[160];
    snprintf(detail, sizeof detail, "the upload is larger than the limit of %zu bytes", srv_cfg.max_upload);
    return srv_problem(r, 413, "too_large", detail, NULL);
  }
  if (r->options_too_big) {
    char detail[160];
    snprintf(detail, sizeof detail, "the options field is larger than the limit of %d bytes", SRV_MAX_OPTIONS);
    return srv_problem(r, 413, "too_large", detail, NULL);
  }
  if (r->malformed) return srv_problem(r, 400, "malformed_body", "the multipart body could not be parsed", NULL);
  return r->route->handler(r);
}

static void http__completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                            enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  (void)toe;
  srv_req *r = *req_cls;
  if (!r) return;
  if (r->route) srv_metrics_http(r->route->name, r->method, r->status ? r->status : 499);
  if (r->pp) MHD_destroy_post_processor(r->pp);
  for (size_t i = 0; i < r->nparts; i++) {
    free(r->parts[i].filename);
    free(r->parts[i].ctype);
    p_buf_free(&r->parts[i].data);
  }
  free(r->parts);
  p_buf_free(&r->form_options);
  p_buf_free(&r->form_entry);
  p_buf_free(&r->sse);
  free(r);
  *req_cls = NULL;
}

/* ------------------------------------------------------------- lifetime */

int srv_http_start(const srv_routes *routes, p_err *e) {
  http__table = routes;
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t slen;
  struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                   MHD_USE_ERROR_LOG;
  if (inet_pton(AF_INET, srv_cfg.listen_host, &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)srv_cfg.port);
    slen = sizeof *in4;
  } else if (inet_pton(AF_INET6, srv_cfg.listen_host, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)srv_cfg.port);
    slen = sizeof *in6;
    flags |= MHD_USE_IPv6;
  } else {
    return p_err_set(e, P_EINVAL, "--listen: '%s' is not an IPv4 or IPv6 address", srv_cfg.listen_host);
  }
  (void)slen;
  /* Descriptors: raise the soft limit to the hard one, keep 64 for the
   * database, pipes and sandboxed tools. */
  struct rlimit nf;
  unsigned max_conn = (unsigned)srv_cfg.max_connections;
  if (getrlimit(RLIMIT_NOFILE, &nf) == 0) {
    if (nf.rlim_cur < nf.rlim_max) {
      nf.rlim_cur = nf.rlim_max;
      setrlimit(RLIMIT_NOFILE, &nf);
      getrlimit(RLIMIT_NOFILE, &nf);
    }
    if (nf.rlim_cur != RLIM_INFINITY && nf.rlim_cur < (rlim_t)max_conn + 128)
      max_conn = nf.rlim_cur > 192 ? (unsigned)(nf.rlim_cur - 128) : 64;
  }
  unsigned per_ip = (unsigned)srv_cfg.max_per_ip;
  if (per_ip > max_conn) per_ip = max_conn;
  /* One thread per CPU: more only queue behind each other (and behind the
   * workers) for the same cores, which shows in the latency tail. */
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned threads = srv_cfg.http_threads > 0 ? (unsigned)srv_cfg.http_threads
                                              : (unsigned)(ncpu < 1 ? 1 : ncpu > 64 ? 64 : ncpu);
  http__daemon = MHD_start_daemon(flags, (uint16_t)srv_cfg.port, NULL, NULL, http__access, NULL,
                                  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                  MHD_OPTION_THREAD_POOL_SIZE, threads,
                                  MHD_OPTION_NOTIFY_COMPLETED, http__completed, NULL,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv_cfg.header_timeout_s,
                                  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SRV_CONN_MEMORY,
                                  MHD_OPTION_CONNECTION_LIMIT, max_conn,
                                  MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                                  MHD_OPTION_END);
  if (!http__daemon)
    return p_err_set(e, P_EIO, "cannot listen on %s:%d (address in use or not permitted)",
                     srv_cfg.listen_host, srv_cfg.port);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(http__daemon, MHD_DAEMON_INFO_BIND_PORT);
  http__port = info ? info->port : srv_cfg.port;
  srv_hub_start();
  return 0;
}

int srv_http_port(void) { return http__port; }

void srv_http_quiesce(void) {
  /* The listening socket stays open (see the top): requests keep being
   * answered, with 503 where they would start work; parked requests are
   * woken by srv_hub_close. */
  srv_hub_close();
}

bool srv_http_stopping(void) { return srv_hub_closing(); }

void srv_http_stop(void) {
  if (!http__daemon) return;
  srv_hub_stop();
  MHD_stop_daemon(http__daemon);
  http__daemon = NULL;
}
