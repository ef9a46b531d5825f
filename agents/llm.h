/*
 * llm.h - model assistance through an OpenAI-compatible endpoint (an NVIDIA
 * NIM container, vLLM, llama.cpp's server, any): the client (llm.c) and the
 * assist loop that uses it (assist.c).
 *
 * Nothing a model writes is used untested: a rewrite goes through the normal
 * pipeline and must pass the differential test against the ORIGINAL
 * program's CPython output before the job may use it. Off unless an endpoint
 * URL is configured; a job turns it off with the option "assist": false.
 *
 * The API key is read from an environment variable or a file and lives only
 * in llm_config.api_key: it is never logged, stored or returned, and every
 * text that came back from the endpoint is scrubbed of it (llm_redact)
 * before it reaches a log line, a report or the database.
 *
 * Sections: configuration, client, metrics (llm.c); the assist loop
 * (assist.c).
 */
#ifndef PORTALIS_LLM_H
#define PORTALIS_LLM_H

#include "../common/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------- configuration */

typedef struct llm_config {
  char url[512];            /* base URL: "http://127.0.0.1:8000" (".../v1" also accepted) */
  char model[128];          /* model name sent in every request */
  char key_env[64];         /* environment variable holding the key */
  char key_file[512];       /* or a file holding it (first line) */
  char *api_key;            /* loaded by llm_config_finish; NULL = no Authorization header */
  int connect_timeout_ms;   /* TCP/TLS connect [5000] */
  int timeout_ms;           /* one whole request [60000] */
  int retries;              /* retries after the first attempt [3] */
  int backoff_ms;           /* first retry delay, doubled per retry, with jitter [500] */
  int backoff_max_ms;       /* cap of one delay, Retry-After included [30000] */
  int breaker_threshold;    /* consecutive failures that open the breaker [5] */
  int breaker_cooldown_ms;  /* open time before the half-open probe [30000] */
  int concurrency;          /* requests in flight, whole process [4] */
  int job_token_budget;     /* tokens (prompt + completion) one job may spend [20000] */
  int max_tokens;           /* completion tokens asked for per request [1024] */
  int candidates;           /* rewrites tried per function [3] */
  int assist_timeout_s;     /* wall limit of one job's whole assist loop [600] */
  double temperature;       /* [0.2] */
} llm_config;

/* Defaults, then the environment (PORTALIS_LLM_URL, _MODEL, _API_KEY_ENV,
 * _API_KEY_FILE, _TIMEOUT, _CONFIG (a file, read first), ...). */
void llm_config_default(llm_config *c);
int llm_config_env(llm_config *c, p_err *e);
/* One setting by name ("url", "model", "api_key_env", "api_key_file",
 * "timeout_s", "connect_timeout_s", "retries", "backoff_ms",
 * "backoff_max_ms", "breaker_threshold", "breaker_cooldown_s",
 * "concurrency", "job_token_budget", "max_tokens", "candidates",
 * "assist_timeout_s", "temperature"). The key itself is not a setting. */
int llm_config_set(llm_config *c, const char *name, const char *value, p_err *e);
/* A config file: "name = value" lines, '#' comments. */
int llm_config_file(llm_config *c, const char *path, p_err *e);
/* "NAME=VALUE" (the --llm-set option). */
int llm_config_kv(llm_config *c, const char *kv, p_err *e);
/* Loads the key (file wins over the variable) and checks the settings.
 * Returns 0; *enabled says whether a URL is configured. */
int llm_config_finish(llm_config *c, bool *enabled, p_err *e);

/* -------------------------------------------------------------- client */

/* Installs the process-wide client (borrowed config, must outlive it).
 * Connections are pooled and reused across requests and threads. */
int llm_init(const llm_config *c, p_err *e);
void llm_shutdown(void);
const llm_config *llm_active(void); /* NULL when off */

/* Per-job accounting: tokens spent against the budget. */
typedef struct llm_job {
  int tokens_used;
  int requests;
  int retries;
} llm_job;

/* One chat completion. messages_json is the JSON array of
 * {"role","content"} objects; n the choices asked for. On success
 * *choices (malloc'd array of malloc'd strings, redacted) and *nchoices are
 * set; the caller frees them with llm_choices_free. Errors: P_ETIMEOUT,
 * P_EIO (connect, 5xx, 429 after the retries), P_EINVAL (a 4xx),
 * P_ECONFLICT (breaker open), P_ETOOBIG (token budget), P_EINTERNAL
 * (malformed answer); e->msg never contains the key. */
int llm_chat(llm_job *job, const char *messages_json, int n, char ***choices, int *nchoices,
             int (*canceled)(void *), void *cancel_ctx, p_err *e);
void llm_choices_free(char **choices, int n);
/* GET /v1/models: 0 when the endpoint answers 200 with a JSON model list;
 * *has_model says whether the configured model is in it. */
int llm_health(bool *has_model, p_err *e);

/* Replaces every occurrence of the API key in s (in place) with "[redacted]"
 * when it fits, else with '*'. Safe on NULL. */
void llm_redact(char *s);

/* Breaker state: 0 closed, 1 open, 2 half-open. */
int llm_breaker_state(void);

/* ------------------------------------------------------------- metrics */

/* Appends the portalis_llm_* Prometheus series (nothing when off). */
void llm_metrics_render(p_buf *out);
/* Assist outcomes, counted by assist.c: "used", "rejected", "failed". */
void llm_metrics_candidate(const char *result);

/* --------------------------------------------------------- assist.c */

struct pl_job;
/* Called by pl_run when stage `stage` (transpile, build or test) failed
 * with code rc and the job may be assisted. Returns 0 when a model rewrite
 * passed and the job's state now holds its crate, module and report (the
 * stages up to test are done); otherwise rc (the original failure), with
 * the attempts summarised in a diagnostic. */
int llm_assist(struct pl_job *job, int stage, int rc, size_t first_diag, p_err *e);

#endif
