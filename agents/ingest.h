/*
 * ingest.h - what the passes of the Ingest agent share (ingest.c is the
 * driver and says how they fit together).
 *
 * One ing_ctx per file being parsed carries the source, its line table, the
 * token list and the first error; every pass reads and writes it. The
 * passes, one file each, in the order the driver runs them:
 *
 *   ing_tokenize.c  source checks (ing_prepare), CPython's tokenizer
 *                   (ing_tokenize) and the structural errors tree-sitter
 *                   tolerates (ing_structural)
 *   ing_lower.c     tree-sitter nodes -> py_node: the expression and
 *                   pattern tables (keyed by tree-sitter symbol: ing_expr,
 *                   ing_pattern), parameters (ing_params)
 *   ing_literal.c   string, bytes, f-string and number literals
 *   ing_stmt.c      statements and blocks: the statement table (ing_stmt),
 *                   ing_block
 *   ing_errloc.c    where CPython places a parse error, from the tokens
 *                   around tree-sitter's error node (ing_locate_parse_error)
 *   ing_error.c     the one error kept per file, by priority (ing_error_at)
 *
 * Nothing outside agents/ing*.c includes this header: the rest of the
 * project sees Ingest through ast.h (py_parse_file) and pipeline.h.
 */
#ifndef PORTALIS_INGEST_H
#define PORTALIS_INGEST_H

#include "ast.h"
#include "pipeline.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_python(void);

/* Deepest tree the lowering accepts (CPython itself stops compiling
 * expressions nested a few thousand deep with RecursionError). */
#define ING_MAX_DEPTH 1500

#define ING_NULL_NODE ((TSNode){{0, 0, 0, 0}, NULL, NULL})
#define ING_NAMED(n, i) ts_node_named_child((n), (i))
#define ING_CHILD(n, i) ts_node_child((n), (i))

/* The lowering recurses once per nesting level (up to ING_MAX_DEPTH), so
 * the frames on that path must stay small. A helper with big locals or
 * many of them (a string decoder, a parameter list, a call's arguments)
 * that is called directly from a recursive function is marked ING_NOINLINE:
 * inlined, its locals would join the caller's frame at every level, and a
 * 1,500-deep expression would need several times the stack. The handlers
 * of the expression, pattern and statement tables need no mark: called
 * through a function pointer, they are never inlined. */
#define ING_NOINLINE __attribute__((noinline))

/* ---------------------------------------------------------- the context */

/* Error priorities: a tokenizer error anywhere beats parser errors;
 * parser errors beat compile-time errors (found only in a clean parse). */
enum { ING_PRIO_COMPILE = 1, ING_PRIO_PARSER = 2, ING_PRIO_TOKEN = 3 };

typedef struct ing_tok {
  uint8_t type;
  uint8_t depth;       /* bracket depth before this token (0..200) */
  int line;            /* 1-based */
  int bcol;            /* 0-based byte column */
  size_t off, end;     /* byte range */
  int end_line, end_bcol;
} ing_tok;

enum { TK_NAME = 1, TK_NUMBER, TK_STRING, TK_OP, TK_NEWLINE, TK_INDENT, TK_DEDENT, TK_ERRCHAR, TK_EOF };

typedef struct ing_ctx {
  p_arena *a;
  const char *path;
  const char *src;     /* normalised source (arena) */
  size_t len;
  size_t *line_off;    /* line_off[i] = byte offset of line i+1 (malloc) */
  int nlines;
  unsigned char *line_nonascii; /* per line: holds a non-ASCII byte (malloc) */
  int cc_line, cc_bcol, cc_col; /* ing__ccol's last answer */
  uint32_t *next_id;
  uint32_t local_id;
  py_syntax_error *err;
  int err_prio;        /* 0 = no error yet */
  P_VEC(ing_tok) toks; /* the token list (heap: p_vec_free) */
  /* lowering state */
  int depth;
  int func_depth;      /* >0 inside def/lambda */
  int loop_depth;      /* loops in the current function */
  int class_depth;
  bool in_finally;
  /* the first malformed f-string (CPython reports it when its parser
   * reaches the string, at the end of the string token) */
  int fstr_tok;        /* token index, -1 if none */
  char fstr_msg[160];
} ing_ctx;

/* Named children of n in order through a private cursor, O(1) a step:
 * ts_node_named_child(n, i) is O(i), which makes long lists (a 100,000
 * element literal, 50,000 statements) quadratic. Loops over lists of any
 * length use this; short fixed shapes use ts_node_named_child. */
typedef struct ing_it {
  TSTreeCursor cur;
  bool more;
} ing_it;

/* A node list being built (heap), then frozen into the arena as py_nodes. */
typedef P_VEC(py_node *) ing_list;

/* Expression regions of an f-string as CPython 3.11 cuts them. */
typedef struct ing_fregions {
  size_t b[32], e[32];
  int n;
} ing_fregions;

static inline void ing_it_init(ing_it *it, TSNode n) {
  it->cur = ts_tree_cursor_new(n);
  it->more = ts_tree_cursor_goto_first_child(&it->cur);
}

/* Next child (named only, or every child when all). */
static inline bool ing_it_next(ing_it *it, TSNode *out, bool all) {
  while (it->more) {
    TSNode x = ts_tree_cursor_current_node(&it->cur);
    it->more = ts_tree_cursor_goto_next_sibling(&it->cur);
    if (all || ts_node_is_named(x)) {
      *out = x;
      return true;
    }
  }
  return false;
}

static inline void ing_it_done(ing_it *it) { ts_tree_cursor_delete(&it->cur); }

/* Character column (1-based) of byte column bcol on line (1-based).
 * ASCII lines (nearly all) answer at once; on others the last answer is
 * kept so that walking along one long line stays linear. */
static inline int ing_ccol(ing_ctx *c, int line, int bcol) {
  if (line < 1 || line > c->nlines || !c->line_nonascii || !c->line_nonascii[line - 1]) return bcol + 1;
  const char *s = c->src + c->line_off[line - 1];
  int from = 0, col = 1;
  if (c->cc_line == line && c->cc_bcol <= bcol) {
    from = c->cc_bcol;
    col = c->cc_col;
  }
  for (int i = from; i < bcol && s[i]; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) col++;
  c->cc_line = line;
  c->cc_bcol = bcol;
  c->cc_col = col;
  return col;
}

static inline bool ing_tok_is(ing_ctx *c, const ing_tok *t, const char *text) {
  size_t n = strlen(text);
  return t->end - t->off == n && memcmp(c->src + t->off, text, n) == 0;
}

static inline bool ing_type_is(TSNode n, const char *t) { return strcmp(ts_node_type(n), t) == 0; }

static inline uint32_t ing_nchildren(TSNode n) { return ts_node_named_child_count(n); }

static inline bool ing_skip(TSNode n) {
  const char *t = ts_node_type(n);
  return strcmp(t, "comment") == 0 || strcmp(t, "line_continuation") == 0;
}

static inline const char *ing_text(ing_ctx *c, TSNode n) {
  uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
  return p_arena_strndup(c->a, c->src + b, e - b);
}

static inline py_node *ing_new(ing_ctx *c, py_kind k, TSNode n) {
  py_node *p = p_arena_alloc(c->a, sizeof *p);
  p->kind = k;
  p->id = c->next_id ? (*c->next_id)++ : ++c->local_id;
  p->file = c->path;
  TSPoint s = ts_node_start_point(n), e = ts_node_end_point(n);
  p->line = (int)s.row + 1;
  p->col = ing_ccol(c, p->line, (int)s.column);
  p->end_line = (int)e.row + 1;
  p->end_col = ing_ccol(c, p->end_line, (int)e.column);
  return p;
}

static inline void ing_list_init(ing_list *l) { *l = (ing_list){0}; }

static inline void ing_list_add(ing_list *l, py_node *x) { p_vec_push(NULL, l, x); }

static inline py_nodes ing_list_freeze(ing_ctx *c, ing_list *l) {
  py_nodes r = {NULL, l->n};
  if (l->n) {
    r.v = p_arena_alloc(c->a, (size_t)l->n * sizeof *r.v);
    memcpy(r.v, l->v, (size_t)l->n * sizeof *r.v);
  }
  p_vec_free(l);
  return r;
}

/* ------------------------------------------------ ing_tokenize.c */

/* ing_doctest.c: when the program imports doctest, finds and parses the
 * docstring examples of the entry script and of every module importing
 * doctest into prog->doctests, and appends one module per example to
 * prog->modules (all in job->arena). Errors are diagnostics, P_ESYNTAX. */
int ing_doctest_extract(pl_job *job, py_program *prog, uint32_t *next_id, p_err *e);
void ing_doctest_remap(const pl_job *job, const char **file, int *line, int *col, const char **source_line,
                       char *msg, size_t msg_size, char *src_buf, size_t src_size);
bool ing_is_kw(ing_ctx *c, const ing_tok *t);
char *ing_prepare(p_arena *a, const char *src, size_t len, size_t *out_len, py_syntax_error *err);
const char *ing_fstr_expr(const char *s, size_t *pi, size_t e, int depth, ing_fregions *out);
const char *ing_fstr_check(const char *s, size_t b, size_t e, ing_fregions *out);
int ing_tokenize(ing_ctx *c, int *open_line, int *open_bcol, char *open_ch);
bool ing_ends_operand(ing_ctx *c, const ing_tok *t);
bool ing_starts_operand(ing_ctx *c, const ing_tok *t);
void ing_structural(ing_ctx *c);

/* --------------------------------------------------- ing_lower.c */

/* The dispatch tables of ing_lower.c (expressions) and ing_stmt.c
 * (statements): for every symbol of the grammar, 1 + the index i of the rule
 * whose type name is the symbol's (aliases included), 0 where none is. The
 * rules are n structs of stride bytes whose member at types names the type
 * ("&rules[0].type, sizeof rules[0], n"). A heap array of *nsymbols
 * entries, built once per process and kept. */
uint16_t *ing_symbol_index(const char *const *types, size_t stride, size_t n, uint32_t *nsymbols);
void ing_set_ctx(ing_ctx *c, py_node *t, py_ctx ctx, TSNode at);
py_op ing_binop(const char *t);
void ing_call_args(ing_ctx *c, TSNode al, py_nodes *args, py_nodes *kws);
py_node *ing_expr(ing_ctx *c, TSNode n, py_ctx ctx);
py_arguments *ing_params(ing_ctx *c, TSNode ps);
py_node *ing_pattern(ing_ctx *c, TSNode n);

/* ------------------------------------------------- ing_literal.c */

py_node *ing_string(ing_ctx *c, TSNode n);
py_node *ing_number_node(ing_ctx *c, TSNode n, const char *raw, bool negative_ok);

/* ---------------------------------------------------- ing_stmt.c */

const char *ing_docstring(py_nodes body);
py_nodes ing_block(ing_ctx *c, TSNode n);
py_node *ing_blocks(py_nodes b, int depth, int guard);
py_node *ing_stmt(ing_ctx *c, TSNode n, ing_list *out);

/* -------------------------------------------------- ing_errloc.c */

bool ing_fstr_subparse(ing_ctx *c, const char *expr, size_t n, int line);
bool ing_apply_fstr(ing_ctx *c);
void ing_locate_parse_error(ing_ctx *c, TSNode root, int nopen, int open_line, int open_bcol, char open_ch);

/* ------------------------------------------------------------ ing_error.c */

/* Records an error at (line, byte col) unless one of higher or equal
 * priority is recorded. col_is_chars: col is already in characters. */
void ing_error_at(ing_ctx *c, int prio, const char *kind, int line, int col, bool col_is_chars,
                  const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* ing_error_at at the start of node n ("SyntaxError"). */
void ing_err_node(ing_ctx *c, int prio, TSNode n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
