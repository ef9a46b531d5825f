/*
 * store.h - the job store: jobs, stages, logs/events, uploaded sources,
 * artifacts and tokens in SQLite (WAL, one connection per thread).
 *
 * The interface is deliberately narrow (jobs in, JSON out) so that a second
 * backend (PostgreSQL with FOR UPDATE SKIP LOCKED, DESIGN.md section 6) can sit
 * behind it without touching the server or the workers.
 *
 * Owners: jobs belong to a token id; 0 means "made without a token". Every
 * read that takes an owner returns P_ENOTFOUND for another owner's job.
 * Reads also accept STORE_OWNER_ANY (a read-only token: every job).
 */
#ifndef PORTALIS_STORE_H
#define PORTALIS_STORE_H

#include "pipeline.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct store store;

#define STORE_OWNER_ANY ((int64_t)-1)

/* Job states, in the order of store_states; the terminal ones start at
 * STORE_SUCCEEDED. */
typedef enum store_state {
  STORE_QUEUED,
  STORE_RUNNING,
  STORE_SUCCEEDED,
  STORE_FAILED,
  STORE_CANCELED,
  STORE_TIMED_OUT,
  STORE_ERROR,
  STORE_NSTATES
} store_state;

/* One schema migration: name "sql/NNN_what.sql" (NNN orders them and becomes
 * PRAGMA user_version), sql its text. */
typedef struct store_migration {
  const char *name;
  const char *sql;
} store_migration;

/* Opens path (created if missing) once for the process, applies the
 * migrations newer than its PRAGMA user_version (the caller hands them in:
 * portalisd embeds sql/NNN_*.sql, srv_migrations) and remembers the path
 * for per-thread connections. */
int store_init(const char *path, const store_migration *migs, size_t nmigs, p_err *e);
/* The calling thread's connection (opened on first use). NULL + e on failure. */
store *store_get(p_err *e);
/* Closes the calling thread's connection (worker/HTTP thread exit). */
void store_release(void);
/* Closes everything at shutdown. */
void store_shutdown(void);
/* Schema version after migrations. */
int store_schema_version(store *s);

/* ---------------------------------------------------------------- jobs */

typedef struct store_upload_file {
  const char *path;  /* borrowed */
  const char *data;
  size_t len;
} store_upload_file;

/* Creates a queued job with its files and PL_NSTAGES pending stages. id[33] out. */
int store_job_create(store *s, int64_t owner, const char *entry, const char *options_json,
                     const store_upload_file *files, size_t nfiles, size_t upload_size,
                     char id[33], p_err *e);
/* The public job object (DESIGN.md section 4). *out owned by the caller
 * (cJSON_Delete). version/state may be NULL. P_ENOTFOUND if absent or not owner's. */
int store_job_get(store *s, const char *id, int64_t owner, cJSON **out, int64_t *version,
                  char state[16], p_err *e);
/* Cheap: version and state only. */
int store_job_version(store *s, const char *id, int64_t owner, int64_t *version, char state[16],
                      p_err *e);
/* Newest first. cursor: 0 = from the newest, else seq to continue below.
 * state_filter NULL = all. *out is a JSON array; *next = cursor for the next
 * page or 0 when there is none. */
int store_job_list(store *s, int64_t owner, const char *state_filter, int64_t cursor, int limit,
                   cJSON **out, int64_t *next, p_err *e);
/* Cancel: queued -> canceled at once; running -> cancel_requested (the worker
 * stops the stage). *state_out is the state after the call. Terminal: P_ECONFLICT. */
int store_job_cancel(store *s, const char *id, int64_t owner, char state_out[16], p_err *e);
/* Deletes a terminal job and everything it owns; P_ECONFLICT while active. */
int store_job_delete(store *s, const char *id, int64_t owner, p_err *e);
/* Queue counts by state for /metrics and quota checks (owner < 0: all). */
int store_job_counts(store *s, int64_t owner, int64_t counts[STORE_NSTATES], p_err *e);
/* The states' names, by store_state: "queued" "running" "succeeded" ... */
extern const char *const store_states[STORE_NSTATES];
bool store_state_terminal(const char *state);

/* ---------------------------------------------------------- the worker */

/* Claims the oldest queued job atomically (queued -> running, attempts+1).
 * P_ENOTFOUND when the queue is empty. */
int store_job_claim(store *s, char id[33], int *attempt, p_err *e);
/* Loads files, entry and options into a pipeline job. */
int store_job_load(store *s, const char *id, pl_job *job, p_err *e);
bool store_cancel_requested(store *s, const char *id);
int store_stage_set(store *s, const char *id, int idx, const char *state, const char *message, p_err *e);
int store_log(store *s, const char *id, const char *stage, const char *line, p_err *e);
int store_diag(store *s, const char *id, const pl_diag *d, p_err *e);
/* Stages an artifact; visible only after store_job_finish. */
int store_artifact_put(store *s, const char *id, const char *name, const char *mime,
                       const void *data, size_t len, p_err *e);
/* Ends a running job in one transaction: terminal state, reason, message,
 * artifacts committed. Never changes a terminal job (P_ECONFLICT). */
int store_job_finish(store *s, const char *id, const char *state, const char *reason,
                     const char *message, p_err *e);
/* Puts a running job back in the queue (shutdown): stages reset, staged
 * artifacts dropped, attempt kept. */
int store_job_requeue(store *s, const char *id, const char *why, p_err *e);
/* Start-up recovery of jobs left running by a dead process: re-queued, or
 * error/interrupted once attempts >= max_attempts. */
int store_recover(store *s, int max_attempts, int *requeued, int *failed, p_err *e);

/* The uploaded files of a job as [{"path","size","content"}] (UTF-8 text;
 * a file that is not valid UTF-8 has "content": null). */
int store_job_files(store *s, const char *id, int64_t owner, cJSON **out, p_err *e);

/* ----------------------------------------------------------- artifacts */

int store_artifact_list(store *s, const char *id, int64_t owner, cJSON **out, p_err *e);
/* Loads one committed artifact; *data is malloc'd (free it). */
int store_artifact_get(store *s, const char *id, int64_t owner, const char *name, char **data,
                       size_t *len, char mime[64], char sha256[65], p_err *e);

/* -------------------------------------------------------------- events */

/* Appends SSE frames ("id:/event:/data:") for events after `after` to out,
 * at most limit; *last = id of the last event written (after if none). */
int store_events_sse(store *s, const char *id, int64_t after, int limit, p_buf *out, int64_t *last,
                     p_err *e);

/* -------------------------------------------------------------- tokens */

/* Creates a token; secret[72] receives the only copy of the secret. */
int store_token_create(store *s, const char *name, bool read_only, char secret[72], int64_t *tid,
                       p_err *e);
/* JSON array of tokens (no secrets). */
int store_token_list(store *s, cJSON **out, p_err *e);
/* Revokes by id (decimal) or name; P_ENOTFOUND if none. */
int store_token_revoke(store *s, const char *id_or_name, p_err *e);
/* Resolves a presented secret: owner id and read-only flag; P_EAUTH if
 * unknown or revoked. */
int store_token_check(store *s, const char *secret, int64_t *owner, bool *read_only, p_err *e);

/* ----------------------------------------------------------- retention */

/* How long a finished job is kept (sets expires_at at finish). */
void store_set_retention(int64_t retain_ms);
/* Deletes up to max jobs that expired by now (rows, files, artifacts,
 * events, translation-memory rows), leaving a tombstone so their ids
 * answer P_EGONE; prunes tombstones older than one more retention window
 * (those ids answer P_ENOTFOUND again). *tm_ids (malloc'd, *tm_n of them)
 * are the deleted translation-memory rows, for the search index. */
int store_sweep(store *s, int64_t now, int max, int *deleted, int64_t **tm_ids, size_t *tm_n, p_err *e);
/* Is the job running now (its work folder is in use)? */
bool store_job_running(store *s, const char *id);

/* ------------------------------------------------- translation memory */

/* One function of a job for the translation memory (sql/003). Borrowed. */
typedef struct store_tm_row {
  const char *file, *name;
  int line, end_line;
  const char *ast_hash, *python, *rust, *signature;
  bool is_static;
  const int16_t *embedding; /* 256 components */
} store_tm_row;

/* Stages a job's functions (visible once store_job_finish commits the job as
 * succeeded; dropped if it ends otherwise). Replaces earlier staged rows. */
int store_tm_put(store *s, const char *job_id, const store_tm_row *rows, int n, p_err *e);
/* Calls fn with committed rows in chunks, each of one owner (the owner of
 * the rows' job, 0 for none), ids ascending within an owner (job_id NULL =
 * all jobs). ids and emb (n * 256) are valid during the call only. */
int store_tm_scan(store *s, const char *job_id,
                  int (*fn)(void *ctx, int64_t owner, const int64_t *ids, const int16_t *emb, size_t n), void *ctx,
                  p_err *e);
/* Ids of a job's rows, committed or not (*ids malloc'd). */
int store_tm_ids(store *s, const char *job_id, int64_t **ids, size_t *n, p_err *e);
/* A job's committed functions as a JSON array of {id, file, name, line,
 * end_line, ast_hash, python, rust, translation, signature}, in id order,
 * and their embeddings (*emb malloc'd, n * 256; NULL when empty).
 * P_ENOTFOUND for another owner's job. */
int store_tm_job(store *s, const char *id, int64_t owner, cJSON **funcs, int16_t **emb, p_err *e);
/* The translation memory is per owner: one owner's code is never shown to
 * another. These two return only rows of jobs owner may read
 * (STORE_OWNER_ANY: all). */
/* Committed functions by id, as objects like store_tm_job's plus job_id, in
 * the order of ids; an id that is gone (or not owner's) gives a JSON null. */
int store_tm_get(store *s, const int64_t *ids, int n, int64_t owner, cJSON **out, p_err *e);
/* Committed functions with this normalised-AST hash (oldest first, at most
 * limit), except the row `exclude_id`. */
int store_tm_by_hash(store *s, const char *ast_hash, int64_t exclude_id, int64_t owner, int limit, cJSON **out,
                     p_err *e);

#endif
