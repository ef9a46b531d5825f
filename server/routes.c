/*
 * routes.c - the server's route table: which handler answers which method
 * and path, with its metrics label and what it may do.
 *
 * main.c hands the table to the daemon (srv_http_start), so http.c, which
 * routes and builds the responses, names no handler, and the handlers
 * (routes_jobs.c, routes_misc.c, routes_tm.c), which call http.c's
 * response helpers, make no circle with it. "{}" matches one path segment;
 * a GET or HEAD outside /api/ that no route matches is served by the
 * fallback, the dashboard's static files.
 */
#define PORTALIS_SRV_HTTP_INTERNAL 1
#include "srv.h"

static const srv_route routes__api[] = {
    {"POST", "/api/v1/jobs", srv_jobs_create, "jobs_create", true, true, true, false},
    {"GET", "/api/v1/jobs", srv_jobs_list, "jobs_list", false, true, false, false},
    {"GET", "/api/v1/jobs/{}", srv_jobs_get, "jobs_get", false, true, false, false},
    {"DELETE", "/api/v1/jobs/{}", srv_jobs_delete, "jobs_delete", false, true, true, false},
    {"GET", "/api/v1/jobs/{}/events", srv_jobs_events, "jobs_events", false, true, false, false},
    {"POST", "/api/v1/jobs/{}/cancel", srv_jobs_cancel, "jobs_cancel", false, true, true, false},
    {"GET", "/api/v1/jobs/{}/files", srv_jobs_files, "jobs_files", false, true, false, false},
    {"GET", "/api/v1/jobs/{}/artifacts", srv_artifacts_list, "artifacts_list", false, true, false, false},
    {"GET", "/api/v1/jobs/{}/artifacts/{}", srv_artifacts_get, "artifacts_get", false, true, false, false},
    {"GET", "/api/v1/jobs/{}/similar", srv_tm_job_similar, "jobs_similar", false, true, false, false},
    /* A search: it carries a body but changes nothing, so read-only tokens may. */
    {"POST", "/api/v1/similar", srv_tm_similar, "similar", true, true, false, false},
    {"GET", "/api/v1/openapi.json", srv_misc_openapi, "openapi", false, false, false, false},
    {"GET", "/healthz", srv_misc_healthz, "healthz", false, false, false, false},
    {"GET", "/readyz", srv_misc_readyz, "readyz", false, false, false, true},
    {"GET", "/metrics", srv_misc_metrics, "metrics", false, false, false, true},
};
static const srv_route routes__static = {"GET", "/*", srv_misc_static, "static", false, false, false, false};

const srv_routes srv_api_routes = {routes__api, sizeof routes__api / sizeof routes__api[0], &routes__static};
