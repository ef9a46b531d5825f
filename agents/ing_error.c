/*
 * ing_error.c - the one error a file's parse reports.
 *
 * CPython reports one SyntaxError per file, so the context keeps one:
 * errors have priorities - a tokenizer error anywhere beats parser errors,
 * and parser errors beat compile-time errors (found only in a clean parse)
 * - and ing_error_at keeps the first error of the highest priority, with
 * the column in characters and the source line. Every pass records its
 * errors here; this file calls no pass.
 */
#include "ingest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void ing__line_text(ing_ctx *c, int line, char *out, size_t cap) {
  out[0] = 0;
  if (line < 1 || line > c->nlines) return;
  const char *s = c->src + c->line_off[line - 1];
  size_t n = 0;
  while (s[n] && s[n] != '\n') n++;
  if (n >= cap) n = cap - 1;
  memcpy(out, s, n);
  out[n] = 0;
}

void ing_error_at(ing_ctx *c, int prio, const char *kind, int line, int col, bool col_is_chars,
                  const char *fmt, ...) {
  if (c->err_prio >= prio) return;
  c->err_prio = prio;
  py_syntax_error *e = c->err;
  e->kind = kind;
  e->line = line;
  e->col = col_is_chars ? col : ing_ccol(c, line, col);
  e->end_line = e->end_col = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  ing__line_text(c, line, e->source_line, sizeof e->source_line);
}

void ing_err_node(ing_ctx *c, int prio, TSNode n, const char *fmt, ...) {
  if (c->err_prio >= prio) return;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  TSPoint s = ts_node_start_point(n);
  ing_error_at(c, prio, "SyntaxError", (int)s.row + 1, (int)s.column, false, "%s", msg);
}
