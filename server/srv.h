/*
 * srv.h - the server part: configuration, HTTP core and routes, uploads,
 * authentication, metrics, the waiter hub, the worker pool and retention.
 *
 * Sections follow the files: assets.c (embedded files), config.c (flags and
 * environment), http.c (daemon, routing, responses; the route table it
 * serves is routes.c's, handed over by main.c), hub.c (waiters and
 * notifications), upload.c (+ job options validation), auth.c, metrics.c,
 * worker.c, retention.c (expiry sweep, cache eviction, stale work
 * folders), routes_jobs.c, routes_misc.c. main.c starts and stops them.
 * store.h is the storage interface; it knows nothing of this header.
 */
#ifndef PORTALIS_SRV_H
#define PORTALIS_SRV_H

#include "llm.h"
#include "pipeline.h"
#include "store.h"
#include "tm.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------ embedded */

typedef struct srv_embedded {
  const char *name; /* "sql/001_init.sql", "docs/openapi.json" */
  const char *data; /* NUL-terminated */
  size_t len;
} srv_embedded;
extern const srv_embedded srv_embedded_files[]; /* generated; ends with a NULL name */
/* By name, or NULL (assets.c). */
const srv_embedded *srv_embedded_find(const char *name);
/* The embedded sql/ files as migrations for store_init; returns how many. */
#define SRV_MAX_MIGRATIONS 256
size_t srv_migrations(store_migration *out, size_t max);

/* ------------------------------------------------------------- config */

typedef struct srv_config {
  char listen_host[128];
  int port;
  const char *db_path;
  const char *data_dir;
  const char *web_dir;
  int workers;
  size_t max_upload;        /* request body bytes */
  size_t max_files;         /* files in an archive */
  size_t max_unpacked;      /* total uncompressed bytes */
  double max_ratio;         /* uncompressed / compressed */
  int max_active;           /* queued+running jobs per owner (429 past it) */
  int max_attempts;         /* claims before a job is marked interrupted */
  int shutdown_grace_s;     /* how long running stages may finish on SIGTERM */
  bool require_auth;        /* effective: flag, or listening beyond loopback */
  llm_config llm;           /* model assistance; pl.llm points here when a URL is set */
  bool public_metrics;      /* /metrics and /readyz stay open under require_auth */
  int retain_days;          /* finished jobs are deleted this long after they end */
  uint64_t cache_max;       /* build cache size cap in bytes (LRU eviction past it) */
  int max_connections;      /* global connection limit (capped by the fd limit) */
  int max_per_ip;           /* connections per client address */
  int header_timeout_s;     /* a connection must complete its request headers in this */
  int idle_timeout_s;       /* then may stay idle this long (keep-alive, slow bodies) */
  int http_threads;         /* MHD's thread pool; 0: one per online CPU */
  tm_gpu_mode gpu;          /* --gpu: translation-memory search device */
  pl_config pl;
} srv_config;

extern srv_config srv_cfg;

/* Parses portalisd's flags and PORTALIS_* environment into srv_cfg.
 * Returns 0, or 1 after printing help/version, or an error code. */
int srv_config_parse(int argc, char **argv, p_err *e);
void srv_usage(FILE *f);

/* ---------------------------------------------------------------- http */

/* The routes the daemon serves (routes.c): n routes in v, tried in order,
 * and the fallback for a GET or HEAD outside /api/ that none matches. */
struct srv_route;
typedef struct srv_routes {
  const struct srv_route *v;
  size_t n;
  const struct srv_route *fallback;
} srv_routes;
extern const srv_routes srv_api_routes;

/* Starts libmicrohttpd on srv_cfg.listen_host:port, serving routes (main.c
 * passes srv_api_routes; kept, not copied). */
int srv_http_start(const srv_routes *routes, p_err *e);
/* Shutdown step 1: new work is refused with 503, waiting requests are
 * answered, event streams end; the listening socket stays open. */
void srv_http_quiesce(void);
bool srv_http_stopping(void);
/* Resumes every waiting request and stops the daemon. */
void srv_http_stop(void);
/* The actual port (useful with --listen 127.0.0.1:0). */
int srv_http_port(void);

/* ----------------------------------------------------------------- hub */

/* Wakes long-polls and event streams waiting on job id (any thread). */
void srv_notify(const char *job_id);
/* Finished jobs were deleted in bulk (the retention sweep). */
void srv_notify_expired(void);
/* A number that changes whenever srv_notify(job_id) or srv_notify_expired
 * is called (and sometimes for another job: ids share counters). */
uint64_t srv_hub_changes(const char *job_id);
/* The notification generation; read it before checking a job, pass it to
 * srv_wait. */
uint64_t srv_hub_gen(void);
/* Starts the deadline ticker (with the daemon). */
void srv_hub_start(void);
/* Refuses new waiters and wakes the parked ones (shutdown step 1). */
void srv_hub_close(void);
/* True after srv_hub_close: streams end instead of waiting. */
bool srv_hub_closing(void);
/* Resumes every waiter and stops the ticker. */
void srv_hub_stop(void);

/* ------------------------------------------------------------ options */

/* Job option limits, checked when the job is submitted (docs/openapi.json). */
#define SRV_MAX_OPTIONS (4 << 20)   /* bytes of options JSON (multipart field; in the query
                                     * SRV_MAX_TARGET bounds it first) */
#define SRV_MAX_TARGET (16 << 10)   /* request target: path and query (414 beyond) */
#define SRV_MAX_HEADER_BYTES (16 << 10) /* request header fields, all together (431 beyond) */
#define SRV_CONN_MEMORY (48 << 10)  /* libmicrohttpd's per-connection pool: holds both
                                     * of the above, so that it is this server (not the
                                     * library, whose bodies are HTML) that refuses them.
                                     * Not more: the library zeroes the whole pool after
                                     * every request (160 KiB took a fifth of the CPU of
                                     * a polled GET) */
#define SRV_MAX_VECTORS 32
#define SRV_MAX_ARGS 256            /* args per vector */
#define SRV_MAX_ARG_BYTES 65536     /* one arg, exclusive */
#define SRV_MAX_ARGS_TOTAL (256 << 10) /* all args of a vector, with their NULs */
#define SRV_MAX_STDIN (1 << 20)     /* stdin of one vector */

/* Validates a job-options JSON text ({"vectors":[{"args":[..],"stdin":".."}],
 * "skip_test":bool, "debug_sleep_ms":int}). On success *out is the
 * normalised object (caller deletes). Field errors are appended to errors
 * (array of {"field","message"}) and P_EINVAL returned; unparsable JSON is
 * P_EINVAL with no field errors... caller maps it to 400. */
int srv_options_parse(const char *json, cJSON **out, cJSON *errors, bool *malformed, p_err *e);

/* ------------------------------------------------------------- upload */

typedef struct srv_upload {
  store_upload_file *files; /* paths and data owned by the upload */
  size_t nfiles;
  char *entry;
  size_t unpacked;          /* total bytes of files */
} srv_upload;

/* One uploaded part (a raw body, or a multipart file field). */
typedef struct srv_part {
  char *filename;           /* client's name; NULL for a raw body */
  char *ctype;              /* part or body content type */
  p_buf data;
} srv_part;

/* Turns the parts into files: raw Python, zip, tar.gz/tar; validates every
 * archive entry (no links, devices, absolute paths, '..', bad UTF-8 names),
 * the limits of srv_cfg, and picks the entry point. On failure *e has the
 * code (P_EUPLOAD 422, P_ETOOBIG 413, P_EINVAL 422 for ?entry=, P_EUNSUPPORTED
 * -> 415 for the content type, P_EEMPTY 400 for an empty upload) and
 * `errors` may receive field errors. */
int srv_upload_build(srv_part *parts, size_t nparts, const char *entry_param, srv_upload *up,
                     cJSON *errors, p_err *e);
void srv_upload_free(srv_upload *up);

/* --------------------------------------------------------------- auth */

/* Who is calling: owner 0 = no token (allowed only when auth is off). */
typedef struct srv_identity {
  int64_t owner;
  bool read_only;
  bool authenticated;
} srv_identity;

/* From an Authorization header value (may be NULL). P_EAUTH when a token is
 * required or presented and not valid. */
int srv_auth_identify(const char *authorization, srv_identity *id, p_err *e);

/* ------------------------------------------------------------ metrics */

void srv_metrics_http(const char *route, const char *method, int status);
void srv_metrics_stage(const char *stage, double seconds);
void srv_metrics_job_done(const char *state);
/* The exposition text; busy_workers is the worker pool's srv_workers_busy(). */
int srv_metrics_render(p_buf *out, int busy_workers, p_err *e);

/* True while the server accepts work (false during shutdown). */
bool srv_accepting(void);

/* ------------------------------------------------ translation memory */

/* Starts the search index (--gpu), loads every committed function from the
 * store and registers the store as the record source (routes_tm.c). */
int srv_tm_start(p_err *e);
/* After a job succeeded: its functions join the index. */
void srv_tm_job_done(const char *job_id);
/* Before/after a job is deleted: its rows leave the index. */
void srv_tm_job_deleted(const int64_t *ids, size_t n);
/* The translation memory's part of /readyz and /metrics. */
void srv_tm_readyz(cJSON *readyz);
void srv_tm_metrics(p_buf *out);

/* ------------------------------------------------------------- worker */

int srv_workers_start(int n, p_err *e);
/* Wakes an idle worker (a job was queued). */
void srv_workers_kick(void);
/* Stops claiming; waits up to grace_s for running jobs, then stops their
 * stages and re-queues them. */
void srv_workers_stop(int grace_s);
int srv_workers_busy(void);
/* Marks a running job for cancellation (in memory, besides the store). */
void srv_workers_cancel(const char *job_id);

/* ---------------------------------------------------------- retention */

/* Starts the sweeper thread: expired jobs, build-cache eviction; first
 * pass at once, then every interval_ms. */
int srv_retention_start(int64_t interval_ms, p_err *e);
void srv_retention_stop(void);
/* Removes files under dir, least recently modified first, until at most
 * max_bytes remain. */
int srv_cache_evict(const char *dir, uint64_t max_bytes, size_t *removed, uint64_t *left);
/* Removes tmp_dir/portalis-<id>-* folders of jobs that are not running. */
int srv_workdirs_clean(const char *tmp_dir, size_t *removed);

/* ------------------------------------------------- requests (http.c) */

#ifdef PORTALIS_SRV_HTTP_INTERNAL
#include <microhttpd.h>

#define SRV_MAX_PARAMS 3

typedef struct srv_req srv_req;
typedef enum MHD_Result (*srv_handler)(srv_req *r);

typedef struct srv_route {
  const char *method;
  const char *pattern;  /* "/api/v1/jobs/{}/artifacts/{}" */
  srv_handler handler;
  const char *name;     /* metrics label */
  bool body;            /* accepts a request body */
  bool api;             /* under /api/v1: authentication applies */
  bool changes;         /* creates, changes or deletes: refused to read-only tokens
                         * (reads, POST /similar included, are allowed) */
  bool ops;             /* shows everybody's jobs (/metrics, /readyz): under
                         * --require-auth it needs a token unless --public-metrics */
} srv_route;

struct srv_req {
  struct MHD_Connection *conn;
  const char *method;
  const char *url;
  const srv_route *route;
  char params[SRV_MAX_PARAMS][256];
  srv_identity who;
  int status;           /* status sent, for metrics */
  bool queued;          /* a response was queued */
  /* body */
  srv_part *parts;
  size_t nparts;
  size_t body_bytes;
  bool too_big;
  bool malformed;
  struct MHD_PostProcessor *pp;
  srv_part *cur_part;
  p_buf form_options;   /* multipart "options" field */
  bool options_too_big; /* ... larger than SRV_MAX_OPTIONS */
  p_buf form_entry;     /* multipart "entry" field */
  /* waiting (long-poll, SSE) */
  bool suspended;
  int64_t deadline_ms;  /* monotonic */
  int64_t wait_version; /* version the caller has seen */
  char job_id[40];
  int polls;
  /* the per-thread copy of a finished job (routes_jobs.c): the change
   * counters read before the version read that may fill it */
  bool snap_ok;
  uint64_t snap_changes;
  /* SSE */
  int64_t last_event;
  bool sse_end;
  p_buf sse;
  size_t sse_off;
  int64_t next_heartbeat;
};

/* Responses. Every one of these queues exactly one response. */
enum MHD_Result srv_reply(srv_req *r, int status, const char *ctype, const void *data, size_t len,
                          const char *const *headers /* name,value,...,NULL or NULL */);
enum MHD_Result srv_reply_json(srv_req *r, int status, cJSON *body, const char *const *headers);
/* A response built once and queued many times (a polled finished job):
 * srv_response makes it as srv_reply would send it; srv_reply_prebuilt
 * queues it (the caller keeps its reference, MHD_destroy_response). */
struct MHD_Response *srv_response(const char *ctype, const void *data, size_t len,
                                  const char *const *headers);
enum MHD_Result srv_reply_prebuilt(srv_req *r, int status, struct MHD_Response *resp);
/* application/problem+json: type "https://portalis.dev/problems/<code>",
 * title from the status, the request URL as instance, extra headers
 * (name,value,...,NULL or NULL; a 401 without headers gets
 * WWW-Authenticate). The one place a problem document is built. */
enum MHD_Result srv_problem_h(srv_req *r, int status, const char *code, const char *detail,
                              cJSON *errors /* taken, may be NULL */, const char *const *headers);
/* srv_problem_h without extra headers. */
enum MHD_Result srv_problem(srv_req *r, int status, const char *code, const char *detail,
                            cJSON *errors /* taken, may be NULL */);
enum MHD_Result srv_problem_err(srv_req *r, const p_err *e);
/* Query parameter or NULL. */
const char *srv_query(srv_req *r, const char *name);
const char *srv_header(srv_req *r, const char *name);
/* Parses an integer query parameter in [lo, hi]; 400 problem on bad input
 * (returns false and queues the problem). */
bool srv_query_int(srv_req *r, const char *name, long lo, long hi, long dflt, long *out,
                   enum MHD_Result *ret);
/* Suspends the request until srv_notify(job_id) or the deadline (hub.c); the
 * access handler is called again afterwards. Returns false if a notification
 * came in since `gen` (the caller must re-check instead). */
bool srv_wait(srv_req *r, const char *job_id, int64_t deadline_ms, uint64_t gen);
/* Starts an SSE stream for job id from event `after`. */
enum MHD_Result srv_sse_start(srv_req *r, const char *job_id, int64_t after);

/* Route handlers (routes_jobs.c, routes_misc.c). */
enum MHD_Result srv_jobs_create(srv_req *r);
enum MHD_Result srv_jobs_list(srv_req *r);
enum MHD_Result srv_jobs_get(srv_req *r);
enum MHD_Result srv_jobs_events(srv_req *r);
enum MHD_Result srv_jobs_cancel(srv_req *r);
enum MHD_Result srv_jobs_delete(srv_req *r);
enum MHD_Result srv_jobs_files(srv_req *r);
enum MHD_Result srv_artifacts_list(srv_req *r);
enum MHD_Result srv_artifacts_get(srv_req *r);
enum MHD_Result srv_misc_healthz(srv_req *r);
enum MHD_Result srv_misc_readyz(srv_req *r);
enum MHD_Result srv_misc_metrics(srv_req *r);
enum MHD_Result srv_misc_openapi(srv_req *r);
enum MHD_Result srv_misc_static(srv_req *r);
enum MHD_Result srv_tm_job_similar(srv_req *r);
enum MHD_Result srv_tm_similar(srv_req *r);
#endif

#endif
