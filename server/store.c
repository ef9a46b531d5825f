/*
 * store.c - the SQLite job store.
 *
 * SQLite in WAL mode is the durable queue: a job row moves queued ->
 * running -> terminal, each change in a transaction, and a process that dies
 * leaves rows that store_recover puts right at the next start. Every thread
 * (HTTP pool threads, workers) has its own connection, opened lazily and
 * kept in thread-local storage, with a busy timeout so writers queue instead
 * of failing. Terminal states are never changed: every transition's UPDATE
 * says which states it may leave.
 *
 * The public job object is assembled here as cJSON so that the HTTP layer
 * only serialises what it gets.
 */
#include "store.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Statements of the hottest queries (token check, job version) are
 * prepared once per connection and reset after use: keyed by the address
 * of their SQL text, which is a string literal. */
#define STORE__NCACHED 8
struct store {
  sqlite3 *db;
  struct {
    const char *sql;
    sqlite3_stmt *st;
  } cached[STORE__NCACHED];
};

static int64_t store__retain_ms = 30LL * 86400 * 1000;

void store_set_retention(int64_t retain_ms) { store__retain_ms = retain_ms; }

const char *const store_states[STORE_NSTATES] = {
    [STORE_QUEUED] = "queued",     [STORE_RUNNING] = "running", [STORE_SUCCEEDED] = "succeeded",
    [STORE_FAILED] = "failed",     [STORE_CANCELED] = "canceled", [STORE_TIMED_OUT] = "timed_out",
    [STORE_ERROR] = "error"};

static char store__path[4096];
static pthread_key_t store__key;
static pthread_once_t store__once = PTHREAD_ONCE_INIT;
static int store__version;

bool store_state_terminal(const char *state) {
  return state && strcmp(state, "queued") != 0 && strcmp(state, "running") != 0;
}

static int store__dberr(store *s, p_err *e, const char *what) {
  return p_err_set(e, P_EDB, "%s: %s", what, s && s->db ? sqlite3_errmsg(s->db) : "no database");
}

static void store__close(void *p) {
  store *s = p;
  if (!s) return;
  for (int i = 0; i < STORE__NCACHED; i++)
    if (s->cached[i].st) sqlite3_finalize(s->cached[i].st);
  sqlite3_close_v2(s->db);
  free(s);
}

static void store__key_init(void) { pthread_key_create(&store__key, store__close); }

#define STORE__BUSY_MS 10000 /* how long a statement waits for another connection's write */

static int store__open(const char *path, store **out, p_err *e) {
  store *s = p_xcalloc(1, sizeof *s);
  int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    p_err_set(e, P_EDB, "cannot open database %s: %s", path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    store__close(s);
    return P_EDB;
  }
  sqlite3_busy_timeout(s->db, STORE__BUSY_MS);
  char *msg = NULL;
  if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                   NULL, NULL, &msg) != SQLITE_OK) {
    p_err_set(e, P_EDB, "%s: %s", path, msg ? msg : "pragma failed");
    sqlite3_free(msg);
    store__close(s);
    return P_EDB;
  }
  *out = s;
  return 0;
}

static int store__exec(store *s, const char *sql, p_err *e) {
  char *msg = NULL;
  if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    p_err_set(e, P_EDB, "%s", msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return P_EDB;
  }
  return 0;
}

static int store__user_version(store *s) {
  sqlite3_stmt *st;
  int v = -1;
  if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
  }
  return v;
}

/* Applies sql/NNN_name.sql files whose NNN > user_version, in order, each in
 * its own transaction that also sets user_version. */
static int store__migrate(store *s, const store_migration *migs, size_t nmigs, p_err *e) {
  int have = store__user_version(s);
  if (have < 0) return store__dberr(s, e, "reading user_version");
  for (;;) {
    const store_migration *next = NULL;
    int next_n = 0;
    for (const store_migration *f = migs; f < migs + nmigs; f++) {
      const char *base = strrchr(f->name, '/');
      base = base ? base + 1 : f->name;
      int n = atoi(base);
      if (n > have && (!next || n < next_n)) {
        next = f;
        next_n = n;
      }
    }
    if (!next) break;
    if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
    /* Another process may have migrated meanwhile. */
    if (store__user_version(s) >= next_n) {
      store__exec(s, "COMMIT", e);
      have = store__user_version(s);
      continue;
    }
    char setv[64];
    snprintf(setv, sizeof setv, "PRAGMA user_version=%d", next_n);
    if (store__exec(s, next->sql, e) || store__exec(s, setv, e)) {
      char msg[sizeof e->msg];
      snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
      store__exec(s, "ROLLBACK", NULL);
      return p_err_set(e, P_EDB, "migration %s failed: %s", next->name, msg);
    }
    if (store__exec(s, "COMMIT", e)) return P_EDB;
    p_log(P_LOG_INFO, "applied migration %s", next->name);
    have = next_n;
  }
  store__version = have;
  return 0;
}

int store_init(const char *path, const store_migration *migs, size_t nmigs, p_err *e) {
  pthread_once(&store__once, store__key_init);
  snprintf(store__path, sizeof store__path, "%s", path);
  /* Uploads are in the database: only this user may read it. SQLite gives
   * the -wal and -shm files the database file's mode. */
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    fchmod(fd, 0600);
    close(fd);
  }
  store *s = NULL;
  int rc = store__open(path, &s, e);
  if (rc) return rc;
  rc = store__migrate(s, migs, nmigs, e);
  store__close(s);
  return rc;
}

store *store_get(p_err *e) {
  pthread_once(&store__once, store__key_init);
  store *s = pthread_getspecific(store__key);
  if (s) return s;
  if (!store__path[0]) {
    p_err_set(e, P_EINTERNAL, "store_init was not called");
    return NULL;
  }
  if (store__open(store__path, &s, e)) return NULL;
  pthread_setspecific(store__key, s);
  return s;
}

void store_release(void) {
  pthread_once(&store__once, store__key_init);
  store *s = pthread_getspecific(store__key);
  if (s) {
    pthread_setspecific(store__key, NULL);
    store__close(s);
  }
}

void store_shutdown(void) { store_release(); }

int store_schema_version(store *s) { return store__user_version(s); }

/* ------------------------------------------------------------- helpers */

static sqlite3_stmt *store__prep(store *s, const char *sql, p_err *e) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
    store__dberr(s, e, "prepare");
    return NULL;
  }
  return st;
}

/* A cached statement for sql (a string literal), reset and unbound: the
 * caller must sqlite3_reset it, never finalize it. */
static sqlite3_stmt *store__prep_cached(store *s, const char *sql, p_err *e) {
  int free_slot = -1;
  for (int i = 0; i < STORE__NCACHED; i++) {
    if (s->cached[i].sql == sql) {
      sqlite3_reset(s->cached[i].st);
      sqlite3_clear_bindings(s->cached[i].st);
      return s->cached[i].st;
    }
    if (!s->cached[i].sql && free_slot < 0) free_slot = i;
  }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
    store__dberr(s, e, "prepare");
    return NULL;
  }
  if (free_slot >= 0) {
    s->cached[free_slot].sql = sql;
    s->cached[free_slot].st = st;
  }
  return st;
}

/* Releases a statement from store__prep_cached. */
static void store__unprep(store *s, sqlite3_stmt *st) {
  for (int i = 0; i < STORE__NCACHED; i++)
    if (s->cached[i].st == st) {
      sqlite3_reset(st);
      return;
    }
  sqlite3_finalize(st);
}

/* Owner parameters: a token id, NULL for 0 (no token), -1 for
 * STORE_OWNER_ANY, which the queries accept as "any owner" with
 * "(owner IS ?N OR ?N = -1)". */
static void store__bind_owner(sqlite3_stmt *st, int i, int64_t owner) {
  if (owner > 0) sqlite3_bind_int64(st, i, owner);
  else if (owner < 0) sqlite3_bind_int64(st, i, -1);
  else sqlite3_bind_null(st, i);
}

static const char *store__col_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? (const char *)t : NULL;
}

static void store__json_time(cJSON *o, const char *key, sqlite3_stmt *st, int i) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL) {
    cJSON_AddNullToObject(o, key);
    return;
  }
  char ts[32];
  p_iso8601(sqlite3_column_int64(st, i), ts);
  cJSON_AddStringToObject(o, key, ts);
}

static void store__json_str(cJSON *o, const char *key, sqlite3_stmt *st, int i) {
  const char *t = store__col_text(st, i);
  if (t) cJSON_AddStringToObject(o, key, t);
  else cJSON_AddNullToObject(o, key);
}

/* Appends an event row; data is a JSON text. */
static int store__event(store *s, const char *id, const char *kind, cJSON *data, p_err *e) {
  char *txt = cJSON_PrintUnformatted(data);
  if (!txt) return p_err_set(e, P_ENOMEM, "out of memory");
  sqlite3_stmt *st = store__prep(s, "INSERT INTO events(job_id, kind, data, created_at) VALUES (?,?,?,?)", e);
  if (!st) {
    free(txt);
    return P_EDB;
  }
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, txt, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, p_now_ms());
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "event");
  sqlite3_finalize(st);
  free(txt);
  return rc;
}

static int store__state_event(store *s, const char *id, const char *state, const char *reason,
                              p_err *e) {
  cJSON *d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "id", id);
  cJSON_AddStringToObject(d, "state", state);
  if (reason) cJSON_AddStringToObject(d, "reason", reason);
  int rc = store__event(s, id, "state", d, e);
  cJSON_Delete(d);
  return rc;
}

/* -------------------------------------------------------------- create */

int store_job_create(store *s, int64_t owner, const char *entry, const char *options_json,
                     const store_upload_file *files, size_t nfiles, size_t upload_size,
                     char id[33], p_err *e) {
  p_random_hex(id, 16);
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  int64_t now = p_now_ms();
  sqlite3_stmt *st = store__prep(s,
      "INSERT INTO jobs(id, owner, state, entry, options, upload_size, created_at) "
      "VALUES (?,?,'queued',?,?,?,?)", e);
  if (!st) goto fail;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  store__bind_owner(st, 2, owner);
  sqlite3_bind_text(st, 3, entry, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, options_json ? options_json : "{}", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, (int64_t)upload_size);
  sqlite3_bind_int64(st, 6, now);
  if (sqlite3_step(st) != SQLITE_DONE) {
    store__dberr(s, e, "insert job");
    sqlite3_finalize(st);
    goto fail;
  }
  sqlite3_finalize(st);

  st = store__prep(s, "INSERT INTO stages(job_id, idx, name) VALUES (?,?,?)", e);
  if (!st) goto fail;
  for (int i = 0; i < PL_NSTAGES; i++) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, i);
    sqlite3_bind_text(st, 3, pl_stages[i].name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
      store__dberr(s, e, "insert stage");
      sqlite3_finalize(st);
      goto fail;
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);

  st = store__prep(s, "INSERT INTO files(job_id, path, data) VALUES (?,?,?)", e);
  if (!st) goto fail;
  for (size_t i = 0; i < nfiles; i++) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, files[i].path, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 3, files[i].data, files[i].len, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) {
      store__dberr(s, e, "insert file");
      sqlite3_finalize(st);
      goto fail;
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (store__state_event(s, id, "queued", NULL, e)) goto fail;
  if (store__exec(s, "COMMIT", e)) goto fail;
  return 0;
fail:
  store__exec(s, "ROLLBACK", NULL);
  return e && e->code ? e->code : P_EDB;
}

/* ------------------------------------------------------------ reading */

static const char *store__job_cols =
    "id, state, stage, reason, message, entry, options, attempts, version, created_at, started_at, "
    "finished_at, upload_size, seq, expires_at";

/* Builds the job object from a row selected with store__job_cols. */
static cJSON *store__job_row(sqlite3_stmt *st) {
  cJSON *j = cJSON_CreateObject();
  const char *id = store__col_text(st, 0);
  char url[128];
  cJSON_AddStringToObject(j, "id", id);
  cJSON_AddStringToObject(j, "state", store__col_text(st, 1));
  store__json_str(j, "stage", st, 2);
  store__json_str(j, "reason", st, 3);
  store__json_str(j, "message", st, 4);
  cJSON_AddStringToObject(j, "entry", store__col_text(st, 5));
  cJSON *opts = cJSON_Parse(store__col_text(st, 6) ? store__col_text(st, 6) : "{}");
  cJSON_AddItemToObject(j, "options", opts ? opts : cJSON_CreateObject());
  cJSON_AddNumberToObject(j, "attempts", sqlite3_column_int(st, 7));
  cJSON_AddNumberToObject(j, "version", (double)sqlite3_column_int64(st, 8));
  store__json_time(j, "created_at", st, 9);
  store__json_time(j, "started_at", st, 10);
  store__json_time(j, "finished_at", st, 11);
  if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
    int64_t end = sqlite3_column_type(st, 11) != SQLITE_NULL ? sqlite3_column_int64(st, 11) : p_now_ms();
    cJSON_AddNumberToObject(j, "duration_ms", (double)(end - sqlite3_column_int64(st, 10)));
  } else {
    cJSON_AddNullToObject(j, "duration_ms");
  }
  cJSON_AddNumberToObject(j, "upload_size", (double)sqlite3_column_int64(st, 12));
  store__json_time(j, "expires_at", st, 14);
  snprintf(url, sizeof url, "/api/v1/jobs/%s", id);
  cJSON_AddStringToObject(j, "url", url);
  return j;
}

/* P_EGONE when the job existed for this owner and expired, else P_ENOTFOUND. */
static int store__missing(store *s, const char *id, int64_t owner, p_err *e) {
  static const char sql[] = "SELECT expired_at FROM expired_jobs WHERE id = ?1 AND (owner IS ?2 OR ?2 = -1)";
  sqlite3_stmt *st = store__prep_cached(s, sql, e);
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    store__bind_owner(st, 2, owner);
    if (sqlite3_step(st) == SQLITE_ROW) {
      char ts[32];
      p_iso8601(sqlite3_column_int64(st, 0), ts);
      store__unprep(s, st);
      return p_err_set(e, P_EGONE, "job %s expired and was deleted at %s (retention)", id, ts);
    }
    store__unprep(s, st);
  }
  return p_err_set(e, P_ENOTFOUND, "no job %s", id);
}

static int store__owner_check(store *s, const char *id, int64_t owner, p_err *e) {
  sqlite3_stmt *st = store__prep(s, "SELECT 1 FROM jobs WHERE id = ?1 AND (owner IS ?2 OR ?2 = -1)", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  store__bind_owner(st, 2, owner);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc == SQLITE_ROW) return 0;
  if (rc == SQLITE_DONE) return store__missing(s, id, owner, e);
  return store__dberr(s, e, "owner check");
}

static int store__artifacts(store *s, const char *id, cJSON **out, p_err *e) {
  sqlite3_stmt *st = store__prep(s,
      "SELECT name, mime, size, sha256, created_at FROM artifacts WHERE job_id = ? AND committed = 1 "
      "ORDER BY name", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  cJSON *arr = cJSON_CreateArray();
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    cJSON *a = cJSON_CreateObject();
    const char *name = store__col_text(st, 0);
    char url[512];
    cJSON_AddStringToObject(a, "name", name);
    cJSON_AddStringToObject(a, "content_type", store__col_text(st, 1));
    cJSON_AddNumberToObject(a, "size", (double)sqlite3_column_int64(st, 2));
    cJSON_AddStringToObject(a, "sha256", store__col_text(st, 3));
    store__json_time(a, "created_at", st, 4);
    snprintf(url, sizeof url, "/api/v1/jobs/%s/artifacts/%s", id, name);
    cJSON_AddStringToObject(a, "url", url);
    cJSON_AddItemToArray(arr, a);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    cJSON_Delete(arr);
    return store__dberr(s, e, "artifacts");
  }
  *out = arr;
  return 0;
}

int store_artifact_list(store *s, const char *id, int64_t owner, cJSON **out, p_err *e) {
  if (store__owner_check(s, id, owner, e)) return e->code;
  return store__artifacts(s, id, out, e);
}

static int store__job_details(store *s, const char *id, cJSON *j, p_err *e) {
  sqlite3_stmt *st = store__prep(s,
      "SELECT name, state, started_at, finished_at, message FROM stages WHERE job_id = ? ORDER BY idx", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  cJSON *stages = cJSON_AddArrayToObject(j, "stages");
  while (sqlite3_step(st) == SQLITE_ROW) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", store__col_text(st, 0));
    cJSON_AddStringToObject(o, "state", store__col_text(st, 1));
    store__json_time(o, "started_at", st, 2);
    store__json_time(o, "finished_at", st, 3);
    if (sqlite3_column_type(st, 2) != SQLITE_NULL && sqlite3_column_type(st, 3) != SQLITE_NULL)
      cJSON_AddNumberToObject(o, "duration_ms",
                              (double)(sqlite3_column_int64(st, 3) - sqlite3_column_int64(st, 2)));
    else
      cJSON_AddNullToObject(o, "duration_ms");
    store__json_str(o, "message", st, 4);
    cJSON_AddItemToArray(stages, o);
  }
  sqlite3_finalize(st);

  st = store__prep(s,
      "SELECT severity, file, line, col, message, source_line FROM diagnostics WHERE job_id = ? ORDER BY seq", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  cJSON *diags = cJSON_AddArrayToObject(j, "diagnostics");
  while (sqlite3_step(st) == SQLITE_ROW) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "severity", store__col_text(st, 0));
    store__json_str(o, "file", st, 1);
    cJSON_AddNumberToObject(o, "line", sqlite3_column_int(st, 2));
    cJSON_AddNumberToObject(o, "col", sqlite3_column_int(st, 3));
    cJSON_AddStringToObject(o, "message", store__col_text(st, 4));
    store__json_str(o, "source_line", st, 5);
    cJSON_AddItemToArray(diags, o);
  }
  sqlite3_finalize(st);

  cJSON *arts = NULL;
  if (store__artifacts(s, id, &arts, e)) return e->code;
  cJSON_AddItemToObject(j, "artifacts", arts);
  return 0;
}

int store_job_get(store *s, const char *id, int64_t owner, cJSON **out, int64_t *version,
                  char state[16], p_err *e) {
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT %s FROM jobs WHERE id = ?1 AND (owner IS ?2 OR ?2 = -1)", store__job_cols);
  if (store__exec(s, "BEGIN", e)) return P_EDB;
  sqlite3_stmt *st = store__prep(s, sql, e);
  if (!st) {
    store__exec(s, "ROLLBACK", NULL);
    return P_EDB;
  }
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  store__bind_owner(st, 2, owner);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    sqlite3_finalize(st);
    store__exec(s, "ROLLBACK", NULL);
    if (rc == SQLITE_DONE) return store__missing(s, id, owner, e);
    return store__dberr(s, e, "job");
  }
  cJSON *j = store__job_row(st);
  if (version) *version = sqlite3_column_int64(st, 8);
  if (state) snprintf(state, 16, "%s", store__col_text(st, 1));
  sqlite3_finalize(st);
  /* Details are read in the same transaction: a consistent snapshot. */
  rc = store__job_details(s, id, j, e);
  store__exec(s, "COMMIT", NULL);
  if (rc) {
    cJSON_Delete(j);
    return rc;
  }
  *out = j;
  return 0;
}

int store_job_version(store *s, const char *id, int64_t owner, int64_t *version, char state[16],
                      p_err *e) {
  static const char sql[] = "SELECT version, state FROM jobs WHERE id = ?1 AND (owner IS ?2 OR ?2 = -1)";
  sqlite3_stmt *st = store__prep_cached(s, sql, e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  store__bind_owner(st, 2, owner);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    if (version) *version = sqlite3_column_int64(st, 0);
    if (state) snprintf(state, 16, "%s", store__col_text(st, 1));
    rc = 0;
    store__unprep(s, st);
  } else if (rc == SQLITE_DONE) {
    store__unprep(s, st);
    rc = store__missing(s, id, owner, e);
  } else {
    rc = store__dberr(s, e, "version");
    store__unprep(s, st);
  }
  return rc;
}

int store_job_list(store *s, int64_t owner, const char *state_filter, int64_t cursor, int limit,
                   cJSON **out, int64_t *next, p_err *e) {
  char sql[768];
  snprintf(sql, sizeof sql,
           "SELECT %s FROM jobs WHERE (owner IS ?1 OR ?1 = -1) AND (?2 IS NULL OR state = ?2) "
           "AND (?3 = 0 OR seq < ?3) ORDER BY seq DESC LIMIT ?4",
           store__job_cols);
  sqlite3_stmt *st = store__prep(s, sql, e);
  if (!st) return P_EDB;
  store__bind_owner(st, 1, owner);
  if (state_filter) sqlite3_bind_text(st, 2, state_filter, -1, SQLITE_STATIC);
  else sqlite3_bind_null(st, 2);
  sqlite3_bind_int64(st, 3, cursor);
  sqlite3_bind_int(st, 4, limit + 1);
  cJSON *arr = cJSON_CreateArray();
  int n = 0, rc;
  *next = 0;
  int64_t last_seq = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == limit) {
      *next = last_seq;
      break;
    }
    cJSON_AddItemToArray(arr, store__job_row(st));
    last_seq = sqlite3_column_int64(st, 13);
    n++;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    cJSON_Delete(arr);
    return store__dberr(s, e, "list");
  }
  *out = arr;
  return 0;
}

int store_job_counts(store *s, int64_t owner, int64_t counts[STORE_NSTATES], p_err *e) {
  sqlite3_stmt *st = store__prep(s,
      "SELECT state, count(*) FROM jobs WHERE ?1 < 0 OR owner IS ?2 GROUP BY state", e);
  if (!st) return P_EDB;
  sqlite3_bind_int64(st, 1, owner);
  store__bind_owner(st, 2, owner);
  memset(counts, 0, STORE_NSTATES * sizeof counts[0]);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *state = store__col_text(st, 0);
    for (int i = 0; i < STORE_NSTATES; i++)
      if (state && !strcmp(state, store_states[i])) counts[i] = sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
  return 0;
}

/* ------------------------------------------------------ cancel, delete */

int store_job_cancel(store *s, const char *id, int64_t owner, char state_out[16], p_err *e) {
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  int64_t v;
  char state[16];
  int rc = store_job_version(s, id, owner, &v, state, e);
  if (rc) goto out;
  if (store_state_terminal(state)) {
    rc = p_err_set(e, P_ECONFLICT, "job %s is already %s", id, state);
    goto out;
  }
  sqlite3_stmt *st;
  int64_t now = p_now_ms();
  if (!strcmp(state, "queued")) {
    st = store__prep(s, "UPDATE jobs SET state='canceled', reason='canceled', message='canceled by request', "
                        "finished_at=?2, version=version+1 WHERE id=?1 AND state='queued'", e);
    if (!st) { rc = P_EDB; goto out; }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "cancel");
    sqlite3_finalize(st);
    if (!rc) rc = store__state_event(s, id, "canceled", "canceled", e);
    snprintf(state_out, 16, "canceled");
  } else {
    st = store__prep(s, "UPDATE jobs SET cancel_requested=1, version=version+1 WHERE id=? AND state='running'", e);
    if (!st) { rc = P_EDB; goto out; }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "cancel");
    sqlite3_finalize(st);
    snprintf(state_out, 16, "running");
  }
out:
  if (rc) store__exec(s, "ROLLBACK", NULL);
  else if (store__exec(s, "COMMIT", e)) rc = P_EDB;
  return rc;
}

int store_job_delete(store *s, const char *id, int64_t owner, p_err *e) {
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  int64_t v;
  char state[16];
  int rc = store_job_version(s, id, owner, &v, state, e);
  if (!rc && !store_state_terminal(state))
    rc = p_err_set(e, P_ECONFLICT, "job %s is %s: cancel it before deleting it", id, state);
  if (!rc) {
    sqlite3_stmt *st = store__prep(s, "DELETE FROM jobs WHERE id = ?", e);
    if (!st) rc = P_EDB;
    else {
      sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "delete");
      sqlite3_finalize(st);
    }
  }
  if (rc) store__exec(s, "ROLLBACK", NULL);
  else if (store__exec(s, "COMMIT", e)) rc = P_EDB;
  return rc;
}

/* ----------------------------------------------------------- worker side */

int store_job_claim(store *s, char id[33], int *attempt, p_err *e) {
  sqlite3_stmt *st = store__prep(s,
      "UPDATE jobs SET state='running', attempts=attempts+1, started_at=coalesce(started_at, ?1), "
      "version=version+1 WHERE seq = (SELECT seq FROM jobs WHERE state='queued' ORDER BY seq LIMIT 1) "
      "AND state='queued' RETURNING id, attempts", e);
  if (!st) return P_EDB;
  sqlite3_bind_int64(st, 1, p_now_ms());
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    snprintf(id, 33, "%s", store__col_text(st, 0));
    *attempt = sqlite3_column_int(st, 1);
    sqlite3_step(st);
    sqlite3_finalize(st);
    return store__state_event(s, id, "running", NULL, e);
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_DONE) return p_err_set(e, P_ENOTFOUND, "queue empty");
  return store__dberr(s, e, "claim");
}

int store_job_load(store *s, const char *id, pl_job *job, p_err *e) {
  sqlite3_stmt *st = store__prep(s, "SELECT entry, options, coalesce(owner, 0) FROM jobs WHERE id = ?", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return p_err_set(e, P_ENOTFOUND, "no job %s", id);
  }
  job->entry = p_xstrdup(store__col_text(st, 0));
  job->owner = sqlite3_column_int64(st, 2);
  int rc = pl_job_apply_options(job, store__col_text(st, 1), e);
  sqlite3_finalize(st);
  if (rc) return rc;
  st = store__prep(s, "SELECT path, data FROM files WHERE job_id = ? ORDER BY path", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const void *data = sqlite3_column_blob(st, 1);
    int len = sqlite3_column_bytes(st, 1);
    if (pl_job_add_file(job, store__col_text(st, 0), data ? data : "", (size_t)len, e)) {
      sqlite3_finalize(st);
      return e->code;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : store__dberr(s, e, "files");
}

bool store_cancel_requested(store *s, const char *id) {
  sqlite3_stmt *st = store__prep(s, "SELECT cancel_requested FROM jobs WHERE id = ?", NULL);
  if (!st) return false;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  bool yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return yes;
}

int store_stage_set(store *s, const char *id, int idx, const char *state, const char *message, p_err *e) {
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  int64_t now = p_now_ms();
  bool running = !strcmp(state, "running");
  sqlite3_stmt *st = store__prep(s, running
      ? "UPDATE stages SET state=?3, started_at=?4, finished_at=NULL, message=?5 WHERE job_id=?1 AND idx=?2"
      : "UPDATE stages SET state=?3, finished_at=?4, message=?5 WHERE job_id=?1 AND idx=?2", e);
  int rc = P_EDB;
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, idx);
    sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    if (message) sqlite3_bind_text(st, 5, message, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 5);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "stage");
    sqlite3_finalize(st);
  }
  if (!rc) {
    st = store__prep(s, "UPDATE jobs SET stage=?2, version=version+1 WHERE id=?1 AND state='running'", e);
    if (st) {
      sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, pl_stages[idx].name, -1, SQLITE_STATIC);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "stage");
      sqlite3_finalize(st);
    } else {
      rc = P_EDB;
    }
  }
  if (!rc) {
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "stage", pl_stages[idx].name);
    cJSON_AddNumberToObject(d, "index", idx);
    cJSON_AddStringToObject(d, "state", state);
    if (message) cJSON_AddStringToObject(d, "message", message);
    char ts[32];
    p_iso8601(now, ts);
    cJSON_AddStringToObject(d, "at", ts);
    rc = store__event(s, id, "stage", d, e);
    cJSON_Delete(d);
  }
  if (rc) store__exec(s, "ROLLBACK", NULL);
  else if (store__exec(s, "COMMIT", e)) rc = P_EDB;
  return rc;
}

int store_log(store *s, const char *id, const char *stage, const char *line, p_err *e) {
  cJSON *d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "stage", stage);
  cJSON_AddStringToObject(d, "line", line);
  char ts[32];
  p_iso8601(p_now_ms(), ts);
  cJSON_AddStringToObject(d, "at", ts);
  int rc = store__event(s, id, "log", d, e);
  cJSON_Delete(d);
  return rc;
}

int store_diag(store *s, const char *id, const pl_diag *dg, p_err *e) {
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  sqlite3_stmt *st = store__prep(s,
      "INSERT INTO diagnostics(job_id, seq, severity, file, line, col, message, source_line) "
      "VALUES (?1, (SELECT coalesce(max(seq),0)+1 FROM diagnostics WHERE job_id=?1), ?2,?3,?4,?5,?6,?7)", e);
  int rc = P_EDB;
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dg->severity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, dg->file, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, dg->line);
    sqlite3_bind_int(st, 5, dg->col);
    sqlite3_bind_text(st, 6, dg->message, -1, SQLITE_STATIC);
    if (dg->source_line) sqlite3_bind_text(st, 7, dg->source_line, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 7);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "diagnostic");
    sqlite3_finalize(st);
  }
  if (!rc) {
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "severity", dg->severity);
    cJSON_AddStringToObject(d, "file", dg->file);
    cJSON_AddNumberToObject(d, "line", dg->line);
    cJSON_AddNumberToObject(d, "col", dg->col);
    cJSON_AddStringToObject(d, "message", dg->message);
    if (dg->source_line) cJSON_AddStringToObject(d, "source_line", dg->source_line);
    rc = store__event(s, id, "diagnostic", d, e);
    cJSON_Delete(d);
  }
  if (rc) store__exec(s, "ROLLBACK", NULL);
  else if (store__exec(s, "COMMIT", e)) rc = P_EDB;
  return rc;
}

int store_artifact_put(store *s, const char *id, const char *name, const char *mime,
                       const void *data, size_t len, p_err *e) {
  char sha[65];
  p_sha256_hex(data, len, sha);
  sqlite3_stmt *st = store__prep(s,
      "INSERT OR REPLACE INTO artifacts(job_id, name, mime, size, sha256, data, committed, created_at) "
      "VALUES (?,?,?,?,?,?,0,?)", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, mime, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, (int64_t)len);
  sqlite3_bind_text(st, 5, sha, -1, SQLITE_STATIC);
  sqlite3_bind_blob64(st, 6, data ? data : "", len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, p_now_ms());
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "artifact");
  sqlite3_finalize(st);
  return rc;
}

int store_job_finish(store *s, const char *id, const char *state, const char *reason,
                     const char *message, p_err *e) {
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  sqlite3_stmt *st = store__prep(s,
      "UPDATE jobs SET state=?2, reason=?3, message=?4, finished_at=?5, expires_at=?5+?6, version=version+1 "
      "WHERE id=?1 AND state='running'", e);
  int rc = P_EDB;
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    if (reason) sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 3);
    if (message) sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, p_now_ms());
    sqlite3_bind_int64(st, 6, store__retain_ms);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "finish");
    sqlite3_finalize(st);
    if (!rc && sqlite3_changes(s->db) == 0) rc = p_err_set(e, P_ECONFLICT, "job %s is not running", id);
  }
  if (!rc) {
    st = store__prep(s, "UPDATE artifacts SET committed=1 WHERE job_id=?", e);
    if (st) {
      sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "commit artifacts");
      sqlite3_finalize(st);
    } else {
      rc = P_EDB;
    }
  }
  /* The translation memory keeps the functions of succeeded jobs only. */
  if (!rc) {
    st = store__prep(s, !strcmp(state, "succeeded") ? "UPDATE tm_functions SET committed=1 WHERE job_id=?"
                                                    : "DELETE FROM tm_functions WHERE job_id=?", e);
    if (st) {
      sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "commit functions");
      sqlite3_finalize(st);
    } else {
      rc = P_EDB;
    }
  }
  /* Stages that never ran are marked skipped, so a finished job has no
   * pending stage. */
  if (!rc) {
    st = store__prep(s, "UPDATE stages SET state='skipped' WHERE job_id=? AND state='pending'", e);
    if (st) {
      sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
      sqlite3_step(st);
      sqlite3_finalize(st);
    }
  }
  if (!rc) rc = store__state_event(s, id, state, reason, e);
  if (rc) store__exec(s, "ROLLBACK", NULL);
  else if (store__exec(s, "COMMIT", e)) rc = P_EDB;
  return rc;
}

static int store__requeue_one(store *s, const char *id, p_err *e) {
  static const char *sqls[] = {
      "UPDATE jobs SET state='queued', stage=NULL, cancel_requested=0, version=version+1 WHERE id=?1",
      "UPDATE stages SET state='pending', started_at=NULL, finished_at=NULL, message=NULL WHERE job_id=?1",
      "DELETE FROM artifacts WHERE job_id=?1 AND committed=0",
      "DELETE FROM diagnostics WHERE job_id=?1",
  };
  for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++) {
    sqlite3_stmt *st = store__prep(s, sqls[i], e);
    if (!st) return P_EDB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return store__dberr(s, e, "requeue");
  }
  return store__state_event(s, id, "queued", "requeued", e);
}

int store_job_requeue(store *s, const char *id, const char *why, p_err *e) {
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  int rc = store__requeue_one(s, id, e);
  if (!rc) {
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "stage", "pipeline");
    cJSON_AddStringToObject(d, "line", why);
    rc = store__event(s, id, "log", d, e);
    cJSON_Delete(d);
  }
  if (rc) store__exec(s, "ROLLBACK", NULL);
  else if (store__exec(s, "COMMIT", e)) rc = P_EDB;
  return rc;
}

int store_recover(store *s, int max_attempts, int *requeued, int *failed, p_err *e) {
  *requeued = *failed = 0;
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  sqlite3_stmt *st = store__prep(s, "SELECT id, attempts FROM jobs WHERE state='running'", e);
  if (!st) {
    store__exec(s, "ROLLBACK", NULL);
    return P_EDB;
  }
  char (*ids)[33] = NULL;
  int *att = NULL;
  size_t n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    ids = p_xrealloc(ids, (n + 1) * sizeof *ids);
    att = p_xrealloc(att, (n + 1) * sizeof *att);
    snprintf(ids[n], 33, "%s", store__col_text(st, 0));
    att[n] = sqlite3_column_int(st, 1);
    n++;
  }
  sqlite3_finalize(st);
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    if (att[i] < max_attempts) {
      rc = store__requeue_one(s, ids[i], e);
      (*requeued)++;
    } else {
      st = store__prep(s,
          "UPDATE jobs SET state='error', reason='interrupted', message=?2, finished_at=?3, "
          "version=version+1 WHERE id=?1 AND state='running'", e);
      if (!st) { rc = P_EDB; break; }
      char msg[128];
      snprintf(msg, sizeof msg, "the server stopped while the job ran, %d times", att[i]);
      sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, msg, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 3, p_now_ms());
      rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "recover");
      sqlite3_finalize(st);
      if (!rc) {
        sqlite3_stmt *u = store__prep(s, "UPDATE artifacts SET committed=1 WHERE job_id=?", e);
        if (u) {
          sqlite3_bind_text(u, 1, ids[i], -1, SQLITE_STATIC);
          sqlite3_step(u);
          sqlite3_finalize(u);
        }
        rc = store__state_event(s, ids[i], "error", "interrupted", e);
      }
      (*failed)++;
    }
  }
  free(ids);
  free(att);
  if (rc) store__exec(s, "ROLLBACK", NULL);
  else if (store__exec(s, "COMMIT", e)) rc = P_EDB;
  return rc;
}

int store_job_files(store *s, const char *id, int64_t owner, cJSON **out, p_err *e) {
  if (store__owner_check(s, id, owner, e)) return e->code;
  sqlite3_stmt *st = store__prep(s, "SELECT path, data FROM files WHERE job_id = ? ORDER BY path", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  cJSON *arr = cJSON_CreateArray();
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    cJSON *f = cJSON_CreateObject();
    const char *data = sqlite3_column_blob(st, 1);
    int len = sqlite3_column_bytes(st, 1);
    cJSON_AddStringToObject(f, "path", store__col_text(st, 0));
    cJSON_AddNumberToObject(f, "size", len);
    char *txt = p_xmalloc((size_t)len + 1);
    if (len) memcpy(txt, data, (size_t)len);
    txt[len] = 0;
    if (p_utf8_valid(txt, (size_t)len, NULL) && !memchr(txt, 0, (size_t)len))
      cJSON_AddStringToObject(f, "content", txt);
    else
      cJSON_AddNullToObject(f, "content");
    free(txt);
    cJSON_AddItemToArray(arr, f);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    cJSON_Delete(arr);
    return store__dberr(s, e, "files");
  }
  *out = arr;
  return 0;
}

/* ------------------------------------------------------------ artifacts */

int store_artifact_get(store *s, const char *id, int64_t owner, const char *name, char **data,
                       size_t *len, char mime[64], char sha256[65], p_err *e) {
  if (store__owner_check(s, id, owner, e)) return e->code;
  sqlite3_stmt *st = store__prep(s,
      "SELECT data, mime, sha256 FROM artifacts WHERE job_id=? AND name=? AND committed=1", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? p_err_set(e, P_ENOTFOUND, "job %s has no artifact %s", id, name)
                             : store__dberr(s, e, "artifact");
  }
  int n = sqlite3_column_bytes(st, 0);
  *data = p_xmalloc((size_t)n + 1);
  if (n) memcpy(*data, sqlite3_column_blob(st, 0), (size_t)n);
  *len = (size_t)n;
  snprintf(mime, 64, "%s", store__col_text(st, 1));
  snprintf(sha256, 65, "%s", store__col_text(st, 2));
  sqlite3_finalize(st);
  return 0;
}

/* --------------------------------------------------------------- events */

int store_events_sse(store *s, const char *id, int64_t after, int limit, p_buf *out, int64_t *last,
                     p_err *e) {
  sqlite3_stmt *st = store__prep(s,
      "SELECT id, kind, data FROM events WHERE job_id=? AND id > ? ORDER BY id LIMIT ?", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, after);
  sqlite3_bind_int(st, 3, limit);
  *last = after;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    *last = sqlite3_column_int64(st, 0);
    p_buf_printf(out, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)*last, store__col_text(st, 1),
                 store__col_text(st, 2));
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : store__dberr(s, e, "events");
}

/* --------------------------------------------------------------- tokens */

int store_token_create(store *s, const char *name, bool read_only, char secret[72], int64_t *tid,
                       p_err *e) {
  char raw[65], hash[65];
  p_random_hex(raw, 24);
  snprintf(secret, 72, "ptl_%s", raw);
  p_sha256_hex(secret, strlen(secret), hash);
  sqlite3_stmt *st = store__prep(s,
      "INSERT INTO tokens(name, hash, read_only, created_at) VALUES (?,?,?,?) RETURNING id", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, read_only);
  sqlite3_bind_int64(st, 4, p_now_ms());
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    if (tid) *tid = sqlite3_column_int64(st, 0);
    sqlite3_step(st);
    rc = 0;
  } else {
    rc = store__dberr(s, e, "token");
  }
  sqlite3_finalize(st);
  return rc;
}

int store_token_list(store *s, cJSON **out, p_err *e) {
  sqlite3_stmt *st = store__prep(s,
      "SELECT id, name, read_only, created_at, last_used_at, revoked_at FROM tokens ORDER BY id", e);
  if (!st) return P_EDB;
  cJSON *arr = cJSON_CreateArray();
  while (sqlite3_step(st) == SQLITE_ROW) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(o, "name", store__col_text(st, 1));
    cJSON_AddBoolToObject(o, "read_only", sqlite3_column_int(st, 2));
    store__json_time(o, "created_at", st, 3);
    store__json_time(o, "last_used_at", st, 4);
    store__json_time(o, "revoked_at", st, 5);
    cJSON_AddItemToArray(arr, o);
  }
  sqlite3_finalize(st);
  *out = arr;
  return 0;
}

int store_token_revoke(store *s, const char *id_or_name, p_err *e) {
  sqlite3_stmt *st = store__prep(s,
      "UPDATE tokens SET revoked_at=?2 WHERE (CAST(id AS TEXT)=?1 OR name=?1) AND revoked_at IS NULL", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id_or_name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, p_now_ms());
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "revoke");
  sqlite3_finalize(st);
  if (!rc && sqlite3_changes(s->db) == 0)
    rc = p_err_set(e, P_ENOTFOUND, "no active token with id or name '%s'", id_or_name);
  return rc;
}

int store_token_check(store *s, const char *secret, int64_t *owner, bool *read_only, p_err *e) {
  char hash[65];
  p_sha256_hex(secret, strlen(secret), hash);
  /* A read per request; last_used_at is written at most once a minute per
   * token, so polling clients do not turn every GET into a write. That
   * write never waits for the database: on an HTTP thread, waiting out
   * another connection's write (up to STORE__BUSY_MS) would stall every
   * request of that thread; a busy database skips it, and a later check
   * (a second later, auth.c) writes it. */
  static const char sql[] =
      "SELECT id, read_only, coalesce(last_used_at, 0) FROM tokens WHERE hash=?1 AND revoked_at IS NULL";
  sqlite3_stmt *st = store__prep_cached(s, sql, e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int64_t last = 0, now = p_now_ms();
  if (rc == SQLITE_ROW) {
    *owner = sqlite3_column_int64(st, 0);
    *read_only = sqlite3_column_int(st, 1);
    last = sqlite3_column_int64(st, 2);
    rc = 0;
  } else if (rc == SQLITE_DONE) {
    rc = p_err_set(e, P_EAUTH, "unknown or revoked token");
  } else {
    rc = store__dberr(s, e, "token");
  }
  store__unprep(s, st);
  if (!rc && now - last >= 60000) {
    static const char upd[] = "UPDATE tokens SET last_used_at=?2 WHERE id=?1";
    sqlite3_stmt *u = store__prep_cached(s, upd, NULL);
    if (u) {
      sqlite3_bind_int64(u, 1, *owner);
      sqlite3_bind_int64(u, 2, now);
      sqlite3_busy_timeout(s->db, 0);
      sqlite3_step(u); /* best effort: a busy database must neither refuse nor delay the call */
      sqlite3_busy_timeout(s->db, STORE__BUSY_MS);
      store__unprep(s, u);
    }
  }
  return rc;
}

/* ----------------------------------------------------------- retention */

int store_sweep(store *s, int64_t now, int max, int *deleted, int64_t **tm_ids, size_t *tm_n, p_err *e) {
  *deleted = 0;
  *tm_ids = NULL;
  *tm_n = 0;
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  int rc = 0;
  sqlite3_stmt *st = store__prep(s,
      "SELECT id, owner FROM jobs WHERE state NOT IN ('queued','running') AND "
      "coalesce(expires_at, coalesce(finished_at, created_at) + ?2) <= ?1 LIMIT ?3", e);
  if (!st) rc = P_EDB;
  char (*ids)[40] = NULL;
  int64_t *owners = NULL;
  int n = 0;
  if (!rc) {
    ids = p_xcalloc((size_t)max, sizeof *ids);
    owners = p_xcalloc((size_t)max, sizeof *owners);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, store__retain_ms);
    sqlite3_bind_int(st, 3, max);
    while (!rc && n < max && sqlite3_step(st) == SQLITE_ROW) {
      snprintf(ids[n], sizeof ids[n], "%s", store__col_text(st, 0));
      owners[n] = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 1);
      n++;
    }
    sqlite3_finalize(st);
  }
  for (int i = 0; i < n && !rc; i++) {
    /* The job's translation-memory rows go with it (ON DELETE CASCADE);
     * their ids go back to the caller, which takes them out of the
     * search index. */
    int64_t *tv = NULL;
    size_t tn = 0;
    rc = store_tm_ids(s, ids[i], &tv, &tn, e);
    if (!rc && tn) {
      *tm_ids = p_xrealloc(*tm_ids, (*tm_n + tn) * sizeof **tm_ids);
      memcpy(*tm_ids + *tm_n, tv, tn * sizeof *tv);
      *tm_n += tn;
    }
    free(tv);
    if (rc) break;
    sqlite3_stmt *t = store__prep(s, "INSERT OR REPLACE INTO expired_jobs(id, owner, expired_at) VALUES (?, ?, ?)", e);
    if (!t) {
      rc = P_EDB;
      break;
    }
    sqlite3_bind_text(t, 1, ids[i], -1, SQLITE_STATIC);
    store__bind_owner(t, 2, owners[i]);
    sqlite3_bind_int64(t, 3, now);
    if (sqlite3_step(t) != SQLITE_DONE) rc = store__dberr(s, e, "tombstone");
    sqlite3_finalize(t);
    if (rc) break;
    t = store__prep(s, "DELETE FROM jobs WHERE id = ?", e);
    if (!t) {
      rc = P_EDB;
      break;
    }
    sqlite3_bind_text(t, 1, ids[i], -1, SQLITE_STATIC);
    if (sqlite3_step(t) != SQLITE_DONE) rc = store__dberr(s, e, "delete expired");
    sqlite3_finalize(t);
  }
  /* Tombstones do not stay for ever: one more retention window after the
   * job expired, its id answers 404 like one that never existed. */
  if (!rc) {
    sqlite3_stmt *t = store__prep(s, "DELETE FROM expired_jobs WHERE expired_at <= ?1", e);
    if (!t) rc = P_EDB;
    else {
      sqlite3_bind_int64(t, 1, now - store__retain_ms);
      if (sqlite3_step(t) != SQLITE_DONE) rc = store__dberr(s, e, "prune tombstones");
      sqlite3_finalize(t);
    }
  }
  free(ids);
  free(owners);
  if (rc) {
    store__exec(s, "ROLLBACK", NULL);
    free(*tm_ids);
    *tm_ids = NULL;
    *tm_n = 0;
    return rc;
  }
  if (store__exec(s, "COMMIT", e)) {
    free(*tm_ids);
    *tm_ids = NULL;
    *tm_n = 0;
    return P_EDB;
  }
  *deleted = n;
  return 0;
}

bool store_job_running(store *s, const char *id) {
  sqlite3_stmt *st = store__prep(s, "SELECT 1 FROM jobs WHERE id = ? AND state = 'running'", NULL);
  if (!st) return true; /* when in doubt, keep its folder */
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  bool running = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return running;
}

/* ------------------------------------------------- translation memory */

int store_tm_put(store *s, const char *job_id, const store_tm_row *rows, int n, p_err *e) {
  if (store__exec(s, "BEGIN IMMEDIATE", e)) return P_EDB;
  int rc = 0;
  sqlite3_stmt *st = store__prep(s, "DELETE FROM tm_functions WHERE job_id=? AND committed=0", e);
  if (!st) rc = P_EDB;
  else {
    sqlite3_bind_text(st, 1, job_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "tm reset");
    sqlite3_finalize(st);
  }
  st = rc ? NULL : store__prep(s,
      "INSERT INTO tm_functions(job_id, file, name, line, end_line, ast_hash, python, rust, translation, "
      "signature, embedding, committed, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?)", e);
  if (!rc && !st) rc = P_EDB;
  for (int i = 0; i < n && !rc; i++) {
    const store_tm_row *f = &rows[i];
    uint8_t blob[512];
    for (int d = 0; d < 256; d++) { /* little-endian int16, whatever the host */
      uint16_t u = (uint16_t)f->embedding[d];
      blob[2 * d] = (uint8_t)(u & 0xFF);
      blob[2 * d + 1] = (uint8_t)(u >> 8);
    }
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, job_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, f->line);
    sqlite3_bind_int(st, 5, f->end_line);
    sqlite3_bind_text(st, 6, f->ast_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, f->python ? f->python : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, f->rust ? f->rust : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, f->is_static ? "static" : "dynamic", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, f->signature ? f->signature : "", -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 11, blob, sizeof blob, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 12, p_now_ms());
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store__dberr(s, e, "tm insert");
  }
  if (st) sqlite3_finalize(st);
  if (rc) store__exec(s, "ROLLBACK", NULL);
  else if (store__exec(s, "COMMIT", e)) rc = P_EDB;
  return rc;
}

static void store__tm_emb(sqlite3_stmt *st, int col, int16_t *out) {
  const uint8_t *b = sqlite3_column_blob(st, col);
  int n = sqlite3_column_bytes(st, col);
  for (int d = 0; d < 256; d++)
    out[d] = (b && n >= 512) ? (int16_t)(uint16_t)(b[2 * d] | (b[2 * d + 1] << 8)) : 0;
}

int store_tm_scan(store *s, const char *job_id,
                  int (*fn)(void *ctx, int64_t owner, const int64_t *ids, const int16_t *emb, size_t n), void *ctx,
                  p_err *e) {
  sqlite3_stmt *st = store__prep(s, job_id
      ? "SELECT t.id, t.embedding, coalesce(j.owner, 0) FROM tm_functions t JOIN jobs j ON j.id = t.job_id "
        "WHERE t.committed=1 AND t.job_id=? ORDER BY t.id"
      : "SELECT t.id, t.embedding, coalesce(j.owner, 0) FROM tm_functions t JOIN jobs j ON j.id = t.job_id "
        "WHERE t.committed=1 ORDER BY j.owner, t.id", e);
  if (!st) return P_EDB;
  if (job_id) sqlite3_bind_text(st, 1, job_id, -1, SQLITE_STATIC);
  enum { CHUNK = 4096 };
  int64_t *ids = p_xmalloc(CHUNK * sizeof *ids);
  int16_t *emb = p_xmalloc((size_t)CHUNK * 256 * sizeof *emb);
  int rc = (!ids || !emb) ? p_err_set(e, P_ENOMEM, "out of memory") : 0;
  size_t n = 0;
  int64_t owner = 0;
  int step;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t o = sqlite3_column_int64(st, 2);
    if (n && o != owner) { /* a chunk is one owner's */
      rc = fn(ctx, owner, ids, emb, n);
      n = 0;
      if (rc) break;
    }
    owner = o;
    ids[n] = sqlite3_column_int64(st, 0);
    store__tm_emb(st, 1, emb + n * 256);
    if (++n == CHUNK) {
      rc = fn(ctx, owner, ids, emb, n);
      n = 0;
    }
  }
  if (!rc && step != SQLITE_DONE) rc = store__dberr(s, e, "tm scan");
  if (!rc && n) rc = fn(ctx, owner, ids, emb, n);
  if (rc && !e->code) p_err_set(e, rc, "translation memory: loading rows failed");
  sqlite3_finalize(st);
  free(ids);
  free(emb);
  return rc;
}

int store_tm_ids(store *s, const char *job_id, int64_t **ids, size_t *n, p_err *e) {
  *ids = NULL;
  *n = 0;
  sqlite3_stmt *st = store__prep(s, "SELECT id FROM tm_functions WHERE job_id=? ORDER BY id", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, job_id, -1, SQLITE_STATIC);
  size_t cap = 0;
  int rc = 0, step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      int64_t *nv = p_xrealloc(*ids, cap * sizeof *nv);
      if (!nv) { rc = p_err_set(e, P_ENOMEM, "out of memory"); break; }
      *ids = nv;
    }
    (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
  }
  if (!rc && step != SQLITE_DONE) rc = store__dberr(s, e, "tm ids");
  sqlite3_finalize(st);
  return rc;
}

#define STORE__TM_COLS "id, file, name, line, end_line, ast_hash, python, rust, translation, signature, job_id, embedding"

static cJSON *store__tm_row(sqlite3_stmt *st) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
  store__json_str(o, "file", st, 1);
  store__json_str(o, "name", st, 2);
  cJSON_AddNumberToObject(o, "line", sqlite3_column_int(st, 3));
  cJSON_AddNumberToObject(o, "end_line", sqlite3_column_int(st, 4));
  store__json_str(o, "ast_hash", st, 5);
  store__json_str(o, "python", st, 6);
  store__json_str(o, "rust", st, 7);
  store__json_str(o, "translation", st, 8);
  store__json_str(o, "signature", st, 9);
  store__json_str(o, "job_id", st, 10);
  return o;
}

int store_tm_job(store *s, const char *id, int64_t owner, cJSON **funcs, int16_t **emb, p_err *e) {
  *funcs = NULL;
  *emb = NULL;
  int rc = store__owner_check(s, id, owner, e);
  if (rc) return rc;
  sqlite3_stmt *st = store__prep(s, "SELECT " STORE__TM_COLS " FROM tm_functions WHERE job_id=? AND committed=1 ORDER BY id", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  cJSON *arr = cJSON_CreateArray();
  int16_t *v = NULL;
  size_t n = 0, cap = 0;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      int16_t *nv = p_xrealloc(v, cap * 256 * sizeof *nv);
      if (!nv) { rc = p_err_set(e, P_ENOMEM, "out of memory"); break; }
      v = nv;
    }
    store__tm_emb(st, 11, v + n * 256);
    n++;
    cJSON_AddItemToArray(arr, store__tm_row(st));
  }
  if (!rc && step != SQLITE_DONE) rc = store__dberr(s, e, "tm job");
  sqlite3_finalize(st);
  if (rc) {
    cJSON_Delete(arr);
    free(v);
    return rc;
  }
  *funcs = arr;
  *emb = v;
  return 0;
}

/* Rows of jobs that owner may read (the translation memory is per owner). */
#define STORE__TM_OWNED "(?2 = -1 OR (SELECT owner FROM jobs WHERE jobs.id = tm_functions.job_id) IS ?2)"

int store_tm_get(store *s, const int64_t *ids, int n, int64_t owner, cJSON **out, p_err *e) {
  *out = NULL;
  sqlite3_stmt *st = store__prep(s, "SELECT " STORE__TM_COLS " FROM tm_functions WHERE id=?1 AND committed=1 AND "
                                    STORE__TM_OWNED, e);
  if (!st) return P_EDB;
  cJSON *arr = cJSON_CreateArray();
  for (int i = 0; i < n; i++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, ids[i]);
    store__bind_owner(st, 2, owner);
    cJSON_AddItemToArray(arr, sqlite3_step(st) == SQLITE_ROW ? store__tm_row(st) : cJSON_CreateNull());
  }
  sqlite3_finalize(st);
  *out = arr;
  return 0;
}

int store_tm_by_hash(store *s, const char *ast_hash, int64_t exclude_id, int64_t owner, int limit, cJSON **out,
                     p_err *e) {
  *out = NULL;
  sqlite3_stmt *st = store__prep(s, "SELECT " STORE__TM_COLS " FROM tm_functions WHERE ast_hash=?1 AND id<>?3 "
                                    "AND committed=1 AND " STORE__TM_OWNED " ORDER BY id LIMIT ?4", e);
  if (!st) return P_EDB;
  sqlite3_bind_text(st, 1, ast_hash, -1, SQLITE_STATIC);
  store__bind_owner(st, 2, owner);
  sqlite3_bind_int64(st, 3, exclude_id);
  sqlite3_bind_int(st, 4, limit);
  cJSON *arr = cJSON_CreateArray();
  while (sqlite3_step(st) == SQLITE_ROW) cJSON_AddItemToArray(arr, store__tm_row(st));
  sqlite3_finalize(st);
  *out = arr;
  return 0;
}
