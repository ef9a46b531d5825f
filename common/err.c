/*
 * err.c - error values. Every fallible function returns a p_code and fills
 * a caller-supplied p_err; this file holds the one table that turns codes
 * into stable names (used as problem+json "code" and job "reason"), human
 * titles and HTTP statuses.
 */
#include "util.h"

#include <stdio.h>
#include <string.h>

static const struct {
  const char *name, *title;
  int http;
} err__table[P__ECOUNT] = {
  [P_OK] = {"ok", "OK", 200},
  [P_ENOMEM] = {"out_of_memory", "Out of memory", 503},
  [P_ETOOBIG] = {"too_large", "Limit exceeded", 413},
  [P_EINVAL] = {"invalid", "Invalid request", 422},
  [P_ENOTFOUND] = {"not_found", "Not found", 404},
  [P_EIO] = {"io_error", "I/O error", 500},
  [P_EDB] = {"database_error", "Database error", 503},
  [P_ESYNTAX] = {"syntax_error", "Syntax error", 422},
  [P_EUNSUPPORTED] = {"unsupported", "Unsupported construct", 422},
  [P_EIMPORT] = {"import_error", "Unknown import", 422},
  [P_ECOMPILE] = {"compile_error", "Generated Rust did not compile", 500},
  [P_ETEST] = {"test_failure", "WASM and CPython disagree", 422},
  [P_ETIMEOUT] = {"timed_out", "Time limit exceeded", 504},
  [P_ECANCELED] = {"canceled", "Canceled", 409},
  [P_EUPLOAD] = {"bad_upload", "Unacceptable upload", 422},
  [P_ECONFLICT] = {"conflict", "Conflict", 409},
  [P_EAUTH] = {"unauthorized", "Authentication required", 401},
  [P_EFORBIDDEN] = {"forbidden", "Forbidden", 403},
  [P_EINTERNAL] = {"internal", "Internal error", 500},
  [P_EEMPTY] = {"empty_upload", "Empty upload", 400},
  [P_EGONE] = {"gone", "Gone", 410},
};

static int err__vset(p_err *e, p_code code, const char *file, int line, int col,
                     const char *fmt, va_list ap) {
  if (!e) return code;
  e->code = code;
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  snprintf(e->file, sizeof e->file, "%s", file ? file : "");
  e->line = line;
  e->col = col;
  return code;
}

int p_err_set(p_err *e, p_code code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  err__vset(e, code, NULL, 0, 0, fmt, ap);
  va_end(ap);
  return code;
}

int p_err_at(p_err *e, p_code code, const char *file, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  err__vset(e, code, file, line, col, fmt, ap);
  va_end(ap);
  return code;
}

const char *p_code_name(p_code code) {
  return (unsigned)code < P__ECOUNT ? err__table[code].name : "internal";
}

const char *p_code_title(p_code code) {
  return (unsigned)code < P__ECOUNT ? err__table[code].title : "Internal error";
}

int p_code_http(p_code code) {
  return (unsigned)code < P__ECOUNT ? err__table[code].http : 500;
}
