/*
 * ingest.c - the Ingest agent: Python source in, the project's AST out.
 *
 * Three passes over each file, in this order:
 *
 *  1. Source checks. NUL bytes, the encoding cookie (utf-8/ascii/latin-1;
 *     latin-1 is transcoded, anything else is refused), invalid UTF-8. Line
 *     endings are normalised to "\n" like CPython's universal newlines.
 *
 *  2. Our own tokenizer (ing__tokenize). tree-sitter recovers from errors
 *     and points at places CPython never would; CPython's position comes
 *     from its tokenizer (which wins over parser errors anywhere in the
 *     file) and from the token where its parser stops. So we tokenize the
 *     way CPython does: indentation with the tab/space consistency check
 *     (TabError), unindent mismatches, string literals (unterminated),
 *     numbers (invalid literals), brackets (unmatched, mismatched, never
 *     closed, more than 200 deep), stray characters. The token list also
 *     lets us find the structural errors tree-sitter tolerates silently
 *     (a missing indented block) and place the common parser errors
 *     ("expected ':'", "Perhaps you forgot a comma?") where CPython does.
 *
 *  3. tree-sitter (tree-sitter-python 0.23.6) builds the concrete tree,
 *     which we lower into py_node (ast.h), checking on the way what CPython
 *     rejects after parsing (assignment to a literal, 'return' outside a
 *     function, argument order...). Recursion in the lowering is bounded:
 *     the tokenizer already refused more than 200 nested brackets, and any
 *     tree deeper than ING_MAX_DEPTH (long operator chains) is refused with
 *     a diagnostic instead of a stack overflow.
 *
 * The stage (pl_stage_ingest) parses every .py file of the job, reports
 * every file's first syntax error as a diagnostic, and leaves a py_program
 * in job->ast, all in job->arena.
 */
#include "ast.h"
#include "pipeline.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_python(void);

/* Deepest tree the lowering accepts (CPython itself stops compiling
 * expressions nested a few thousand deep with RecursionError). */
#define ING_MAX_DEPTH 1500

#define ING_NULL_NODE ((TSNode){{0, 0, 0, 0}, NULL, NULL})

/* ================================================================ errors */

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
  /* tokens (malloc) */
  ing_tok *toks;
  int ntoks, tcap;
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

static void ing__it_init(ing_it *it, TSNode n) {
  it->cur = ts_tree_cursor_new(n);
  it->more = ts_tree_cursor_goto_first_child(&it->cur);
}

/* Next child (named only, or every child when all). */
static bool ing__it_next(ing_it *it, TSNode *out, bool all) {
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

static void ing__it_done(ing_it *it) { ts_tree_cursor_delete(&it->cur); }

/* Character column (1-based) of byte column bcol on line (1-based).
 * ASCII lines (nearly all) answer at once; on others the last answer is
 * kept so that walking along one long line stays linear. */
static int ing__ccol(ing_ctx *c, int line, int bcol) {
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

/* Records an error at (line, byte col) unless a higher- or equal-priority
 * error is already recorded. col_is_chars: col already in characters. */
static void ing__error_at(ing_ctx *c, int prio, const char *kind, int line, int col, bool col_is_chars,
                          const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void ing__error_at(ing_ctx *c, int prio, const char *kind, int line, int col, bool col_is_chars,
                          const char *fmt, ...) {
  if (c->err_prio >= prio) return;
  c->err_prio = prio;
  py_syntax_error *e = c->err;
  e->kind = kind;
  e->line = line;
  e->col = col_is_chars ? col : ing__ccol(c, line, col);
  e->end_line = e->end_col = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  va_end(ap);
  ing__line_text(c, line, e->source_line, sizeof e->source_line);
}

/* =========================================================== pass 1: text */

static bool ing__ieq(const char *a, size_t n, const char *b) {
  if (strlen(b) != n) return false;
  for (size_t i = 0; i < n; i++)
    if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]) && !(a[i] == '_' && b[i] == '-'))
      return false;
  return true;
}

/* Finds a PEP 263 cookie on line 1 or 2 (a comment-only line). */
static bool ing__cookie(const char *s, size_t len, int *line, const char **name, size_t *nlen) {
  size_t off = 0;
  for (int ln = 1; ln <= 2 && off < len; ln++) {
    size_t e = off;
    while (e < len && s[e] != '\n' && s[e] != '\r') e++;
    size_t i = off;
    while (i < e && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f')) i++;
    if (i < e && s[i] == '#') {
      for (size_t j = i; j + 6 < e; j++) {
        if (memcmp(s + j, "coding", 6) == 0 && (s[j + 6] == ':' || s[j + 6] == '=')) {
          size_t k = j + 7;
          while (k < e && (s[k] == ' ' || s[k] == '\t')) k++;
          size_t b = k;
          while (k < e && (isalnum((unsigned char)s[k]) || s[k] == '-' || s[k] == '_' || s[k] == '.')) k++;
          if (k > b) {
            *line = ln;
            *name = s + b;
            *nlen = k - b;
            return true;
          }
        }
      }
    } else if (i < e) {
      return false; /* a code line ends the search */
    }
    off = e < len && s[e] == '\r' && e + 1 < len && s[e + 1] == '\n' ? e + 2 : e + 1;
  }
  return false;
}

/* Line and 1-based character column of byte offset off in raw text. */
static void ing__raw_pos(const char *s, size_t off, int *line, int *col) {
  int ln = 1, cl = 1;
  for (size_t i = 0; i < off; i++) {
    if (s[i] == '\n') {
      ln++;
      cl = 1;
    } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
      cl++;
    }
  }
  *line = ln;
  *col = cl;
}

static void ing__raw_error(py_syntax_error *err, const char *s, size_t len, size_t off, const char *msg) {
  int line, col;
  ing__raw_pos(s, off, &line, &col);
  err->kind = "SyntaxError";
  err->line = line;
  err->col = col;
  snprintf(err->msg, sizeof err->msg, "%s", msg);
  size_t b = off;
  while (b > 0 && s[b - 1] != '\n') b--;
  size_t e = off;
  while (e < len && s[e] != '\n' && s[e] != '\r') e++;
  size_t n = e - b < sizeof err->source_line - 1 ? e - b : sizeof err->source_line - 1;
  /* the source line may itself hold the bad bytes: keep it valid text */
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[b + i];
    err->source_line[o++] = ch == 0 || ch >= 0x80 ? '?' : (char)ch;
  }
  err->source_line[o] = 0;
}

/* Validates and normalises the text; returns an arena copy or NULL with
 * *err filled. */
static char *ing__prepare(p_arena *a, const char *src, size_t len, size_t *out_len, py_syntax_error *err) {
  const char *s = src;
  if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
    s += 3;
    len -= 3;
  }
  const void *nul = memchr(s, 0, len);
  if (nul) {
    ing__raw_error(err, s, len, (size_t)((const char *)nul - s), "source code cannot contain null bytes");
    return NULL;
  }
  bool latin1 = false;
  int cl;
  const char *cn;
  size_t cnl;
  if (ing__cookie(s, len, &cl, &cn, &cnl)) {
    if (ing__ieq(cn, cnl, "utf-8") || ing__ieq(cn, cnl, "utf8") || ing__ieq(cn, cnl, "ascii") ||
        ing__ieq(cn, cnl, "us-ascii") || (cnl > 6 && ing__ieq(cn, 6, "utf-8-")) ||
        (cnl > 5 && ing__ieq(cn, 5, "utf8-"))) {
      /* plain UTF-8 */
    } else if (ing__ieq(cn, cnl, "latin-1") || ing__ieq(cn, cnl, "latin1") ||
               ing__ieq(cn, cnl, "iso-8859-1") || ing__ieq(cn, cnl, "iso8859-1") ||
               ing__ieq(cn, cnl, "l1") || (cnl > 8 && ing__ieq(cn, 8, "latin-1-")) ||
               (cnl > 11 && ing__ieq(cn, 11, "iso-8859-1-"))) {
      latin1 = true;
    } else {
      size_t off = (size_t)(cn - s);
      char msg[200];
      snprintf(msg, sizeof msg, "encoding problem: %.*s (Portalis reads utf-8, ascii and latin-1 sources)",
               (int)(cnl > 60 ? 60 : cnl), cn);
      ing__raw_error(err, s, len, off, msg);
      err->col = 1;
      return NULL;
    }
  }
  /* normalise newlines and transcode latin-1 */
  char *d = p_arena_alloc(a, len * 2 + 2);
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '\r') {
      d[o++] = '\n';
      if (i + 1 < len && s[i + 1] == '\n') i++;
    } else if (latin1 && ch >= 0x80) {
      d[o++] = (char)(0xC0 | (ch >> 6));
      d[o++] = (char)(0x80 | (ch & 0x3F));
    } else {
      d[o++] = (char)ch;
    }
  }
  d[o] = 0;
  size_t bad;
  if (!latin1 && !p_utf8_valid(d, o, &bad)) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "Non-UTF-8 code starting with '\\x%02x' but no encoding declared; see "
             "https://peps.python.org/pep-0263/ for details",
             (unsigned char)d[bad]);
    ing__raw_error(err, d, o, bad, msg);
    return NULL;
  }
  *out_len = o;
  return d;
}

/* ======================================================= pass 2: tokenize */

static void ing__push_tok(ing_ctx *c, int type, int depth, int line, int bcol, size_t off, size_t end, int eline,
                          int ebcol) {
  if (c->ntoks == c->tcap) {
    c->tcap = c->tcap ? c->tcap * 2 : 1024;
    ing_tok *t = realloc(c->toks, (size_t)c->tcap * sizeof *t);
    if (!t) abort();
    c->toks = t;
  }
  ing_tok *t = &c->toks[c->ntoks++];
  t->type = (uint8_t)type;
  t->depth = (uint8_t)(depth > 255 ? 255 : depth);
  t->line = line;
  t->bcol = bcol;
  t->off = off;
  t->end = end;
  t->end_line = eline;
  t->end_bcol = ebcol;
}

static bool ing__is_id_start(unsigned char ch) { return isalpha(ch) || ch == '_' || ch >= 0x80; }
static bool ing__is_id_char(unsigned char ch) { return isalnum(ch) || ch == '_' || ch >= 0x80; }

/* Decodes one UTF-8 code point at s; *n = its length. */
static uint32_t ing__utf8(const char *s, int *n) {
  const unsigned char *u = (const unsigned char *)s;
  if (u[0] < 0x80) { *n = 1; return u[0]; }
  if ((u[0] & 0xE0) == 0xC0) { *n = 2; return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F); }
  if ((u[0] & 0xF0) == 0xE0) { *n = 3; return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F); }
  *n = 4;
  return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) | ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
}

/* Non-ASCII code points that cannot appear in identifiers (symbols,
 * punctuation, spaces): CPython says "invalid character". An
 * approximation of XID_Start/XID_Continue good for real sources. */
static bool ing__bad_id_cp(uint32_t cp) {
  if (cp >= 0x80 && cp <= 0xBF) return cp != 0xAA && cp != 0xB5 && cp != 0xBA && cp != 0xB7;
  if (cp == 0xD7 || cp == 0xF7) return true;
  if (cp >= 0x2000 && cp <= 0x2BFF) return !(cp >= 0x2070 && cp <= 0x209F) && cp != 0x2118 && cp != 0x212E &&
                                           !(cp >= 0x2100 && cp <= 0x214F && cp != 0x2122);
  if (cp >= 0x3000 && cp <= 0x303F) return cp != 0x3005 && cp != 0x3006 && cp != 0x3007;
  if (cp >= 0xFF01 && cp <= 0xFF0F) return true;
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return true;
  if (cp == 0xFEFF) return true;
  return false;
}

/* Is the prefix s[0..n) a valid string prefix (r, b, u, f, rb, br, fr, rf)? */
static bool ing__str_prefix(const char *s, size_t n) {
  if (n == 0 || n > 2) return false;
  char a = (char)tolower((unsigned char)s[0]);
  if (n == 1) return a == 'r' || a == 'b' || a == 'u' || a == 'f';
  char b = (char)tolower((unsigned char)s[1]);
  return (a == 'r' && (b == 'b' || b == 'f')) || (b == 'r' && (a == 'b' || a == 'f'));
}

static const char *const ing__ops3[] = {"**=", "//=", ">>=", "<<=", "...", NULL};
static const char *const ing__ops2[] = {"!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=", ":=", "<<",
                                        "<=", "==", ">=", ">>", "@=", "^=", "|=", "<>", NULL};

/* Scans a number at p; returns its end. Reports CPython's literal errors. */
static size_t ing__number(ing_ctx *c, size_t p, int line, size_t lstart) {
  const char *s = c->src;
  size_t b = p;
#define ING__BAD(at, msg)                                                                   \
  do {                                                                                      \
    ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, (int)((at) - lstart), false, "%s", msg); \
    return p;                                                                               \
  } while (0)
  if (s[p] == '0' && (s[p + 1] == 'x' || s[p + 1] == 'X' || s[p + 1] == 'o' || s[p + 1] == 'O' ||
                      s[p + 1] == 'b' || s[p + 1] == 'B')) {
    char k = (char)tolower((unsigned char)s[p + 1]);
    const char *kind = k == 'x' ? "hexadecimal" : k == 'o' ? "octal" : "binary";
    p += 2;
    int nd = 0;
    for (;;) {
      if (s[p] == '_') p++;
      unsigned char ch = (unsigned char)s[p];
      bool ok = k == 'x' ? isxdigit(ch) : k == 'o' ? (ch >= '0' && ch <= '7') : (ch == '0' || ch == '1');
      if (!ok) {
        if (s[p - 1] == '_' || nd == 0) {
          char m[64];
          snprintf(m, sizeof m, "invalid %s literal", kind);
          ING__BAD(p - 1, m);
        }
        if (isalnum(ch)) {
          char m[64];
          if (isdigit(ch)) snprintf(m, sizeof m, "invalid digit '%c' in %s literal", ch, kind);
          else snprintf(m, sizeof m, "invalid %s literal", kind);
          ING__BAD(isdigit(ch) ? p : b, m);
        }
        break;
      }
      nd++;
      p++;
    }
    return p;
  }
  bool is_float = false;
  /* integer part */
  bool leading_zero = s[p] == '0';
  bool nonzero = false;
  while (isdigit((unsigned char)s[p]) || s[p] == '_') {
    if (s[p] == '_') {
      if (!isdigit((unsigned char)s[p + 1])) ING__BAD(p, "invalid decimal literal");
    } else if (s[p] != '0') {
      nonzero = true;
    }
    p++;
  }
  if (s[p] == '.' && !(p > b && 0)) {
    is_float = true;
    p++;
    while (isdigit((unsigned char)s[p]) || s[p] == '_') {
      if (s[p] == '_' && !isdigit((unsigned char)s[p + 1])) ING__BAD(p, "invalid decimal literal");
      p++;
    }
  }
  if (s[p] == 'e' || s[p] == 'E') {
    size_t q = p + 1;
    if (s[q] == '+' || s[q] == '-') q++;
    if (isdigit((unsigned char)s[q])) {
      is_float = true;
      p = q;
      while (isdigit((unsigned char)s[p]) || s[p] == '_') {
        if (s[p] == '_' && !isdigit((unsigned char)s[p + 1])) ING__BAD(p, "invalid decimal literal");
        p++;
      }
    } else {
      ING__BAD(b, "invalid decimal literal");
    }
  }
  if (s[p] == 'j' || s[p] == 'J') {
    p++;
    is_float = true;
  }
  if (!is_float && leading_zero && nonzero)
    ING__BAD(b, "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
  /* a number directly followed by an identifier character */
  if (ing__is_id_char((unsigned char)s[p]) && s[p] != '_') {
    /* "1if x else y" is still accepted by CPython 3.11 (with a warning) */
    static const char *const kws[] = {"and", "else", "for", "if", "in", "is", "not", "or", NULL};
    for (int i = 0; kws[i]; i++) {
      size_t n = strlen(kws[i]);
      if (strncmp(s + p, kws[i], n) == 0 && !ing__is_id_char((unsigned char)s[p + n])) return p;
    }
    ING__BAD(b, is_float ? "invalid decimal literal" : "invalid decimal literal");
  }
#undef ING__BAD
  return p;
}

/* Checks the replacement fields of an f-string body s[b..e) the way
 * CPython 3.11's string parser does; returns NULL or the message. */
/* Expression regions of an f-string as CPython 3.11 cuts them. */
typedef struct ing_fregions {
  size_t b[32], e[32];
  int n;
} ing_fregions;

static const char *ing__fstr_expr(const char *s, size_t *pi, size_t e, int depth, ing_fregions *out);

static const char *ing__fstr_spec(const char *s, size_t *pi, size_t e, int depth, ing_fregions *out) {
  size_t i = *pi;
  while (i < e) {
    if (s[i] == '{') {
      if (depth >= 2) return "f-string: expressions nested too deeply";
      i++;
      const char *m = ing__fstr_expr(s, &i, e, depth + 1, out);
      if (m) return m;
      continue;
    }
    if (s[i] == '}') {
      *pi = i;
      return NULL;
    }
    i++;
  }
  return "f-string: expecting '}'";
}

/* i points just after '{'; on success *pi is just after the closing '}'. */
static const char *ing__fstr_expr(const char *s, size_t *pi, size_t e, int depth, ing_fregions *out) {
  size_t i = *pi, start = i, expr_end = 0;
  char stack[PY_MAX_NESTING];
  int nest = 0;
  char quote = 0;
  for (;;) {
    if (i >= e) { /* the order of CPython's fstring_find_expr checks */
      if (quote) return "f-string: unterminated string";
      if (nest) return stack[nest - 1] == '(' ? "f-string: unmatched '('" : stack[nest - 1] == '[' ? "f-string: unmatched '['" : "f-string: unmatched '{'";
      return "f-string: expecting '}'";
    }
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      i++;
      continue;
    }
    if (c == '\\') return "f-string expression part cannot include a backslash";
    if (c == '#') return "f-string expression part cannot include '#'";
    if (c == '\'' || c == '"') {
      quote = c;
      i++;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      if (nest >= PY_MAX_NESTING) return "f-string: too many nested parenthesis";
      stack[nest++] = c;
      i++;
      continue;
    }
    if (c == ')' || c == ']' || (c == '}' && nest > 0)) {
      if (nest == 0) return c == ')' ? "f-string: unmatched ')'" : "f-string: unmatched ']'";
      char o = stack[--nest];
      if ((o == '(' && c != ')') || (o == '[' && c != ']') || (o == '{' && c != '}'))
        return "f-string: closing parenthesis does not match opening parenthesis";
      i++;
      continue;
    }
    if (nest == 0 && (c == '}' || c == ':' || (c == '!' && s[i + 1] != '='))) break;
    if (nest == 0 && c == '=' && s[i + 1] != '=' && i > start && !strchr("=!<>", s[i - 1])) {
      /* `{x=}` debug form: the expression ends here */
      expr_end = i;
      i++;
      while (i < e && s[i] == ' ') i++;
      if (i >= e) return "f-string: expecting '}'";
      if (s[i] != '}' && s[i] != ':' && s[i] != '!') continue;
      break;
    }
    i++;
  }
  bool empty = true;
  for (size_t k = start; k < i; k++)
    if (!strchr(" \t\n\f=", s[k])) empty = false;
  if (empty) return "f-string: empty expression not allowed";
  if (out && out->n < 32) {
    out->b[out->n] = start;
    out->e[out->n] = expr_end ? expr_end : i;
    out->n++;
  }
  if (s[i] == '!') {
    i++;
    if (i >= e || !strchr("sra", s[i]) || s[i] == 0) return "f-string: invalid conversion character: expected 's', 'r', or 'a'";
    i++;
    if (i >= e || (s[i] != ':' && s[i] != '}')) return "f-string: expecting '}'";
  }
  if (s[i] == ':') {
    i++;
    const char *m = ing__fstr_spec(s, &i, e, depth, out);
    if (m) return m;
  }
  if (i >= e || s[i] != '}') return "f-string: expecting '}'";
  *pi = i + 1;
  return NULL;
}

static const char *ing__fstr_check(const char *s, size_t b, size_t e, ing_fregions *out) {
  size_t i = b;
  while (i < e) {
    char c = s[i];
    if (c == '{') {
      if (i + 1 < e && s[i + 1] == '{') {
        i += 2;
        continue;
      }
      i++;
      const char *m = ing__fstr_expr(s, &i, e, 0, out);
      if (m) return m;
      continue;
    }
    if (c == '}') {
      if (i + 1 < e && s[i + 1] == '}') {
        i += 2;
        continue;
      }
      return "f-string: single '}' is not allowed";
    }
    i++;
  }
  return NULL;
}

/* Tokenizes the whole source into c->toks, recording the first tokenizer
 * error. Returns the number of brackets still open at EOF (and their
 * innermost position in open_line, open_bcol, open_ch). */
static int ing__tokenize(ing_ctx *c, int *open_line, int *open_bcol, char *open_ch) {
  const char *s = c->src;
  size_t n = c->len, p = 0;
  int line = 1;
  size_t lstart = 0;
  int indstack[101], altstack[101], ind = 0;
  indstack[0] = altstack[0] = 0;
  struct { char ch; int line, bcol; } bstack[PY_MAX_NESTING + 1];
  int depth = 0;
  bool atbol = true, cont_line = false;
  int last_sig = 0; /* type of last non-newline token on this logical line */
  while (p <= n) {
    if (c->err_prio >= ING_PRIO_TOKEN) return depth;
    if (atbol) {
      atbol = false;
      int col = 0, alt = 0;
      size_t q = p;
      for (;; q++) {
        if (s[q] == ' ') col++, alt++;
        else if (s[q] == '\t') col = (col / 8 + 1) * 8, alt++;
        else if (s[q] == '\f') col = alt = 0;
        else break;
      }
      bool blank = s[q] == '#' || s[q] == '\n' || s[q] == 0 || (s[q] == '\\' && s[q + 1] == '\n' && 0);
      if (!blank && depth == 0 && !cont_line) {
        if (col == indstack[ind]) {
          if (alt != altstack[ind]) {
            ing__error_at(c, ING_PRIO_TOKEN, "TabError", line, 1, true, "inconsistent use of tabs and spaces in indentation");
            return depth;
          }
        } else if (col > indstack[ind]) {
          if (ind + 1 >= 100) {
            ing__error_at(c, ING_PRIO_TOKEN, "IndentationError", line, 1, true, "too many levels of indentation");
            return depth;
          }
          if (alt <= altstack[ind]) {
            ing__error_at(c, ING_PRIO_TOKEN, "TabError", line, 1, true, "inconsistent use of tabs and spaces in indentation");
            return depth;
          }
          ind++;
          indstack[ind] = col;
          altstack[ind] = alt;
          ing__push_tok(c, TK_INDENT, 0, line, (int)(q - lstart), q, q, line, (int)(q - lstart));
        } else {
          while (ind > 0 && col < indstack[ind]) {
            ind--;
            ing__push_tok(c, TK_DEDENT, 0, line, (int)(q - lstart), q, q, line, (int)(q - lstart));
          }
          if (col != indstack[ind]) {
            size_t e = q;
            while (s[e] && s[e] != '\n') e++;
            ing__error_at(c, ING_PRIO_TOKEN, "IndentationError", line, (int)(e - lstart), false,
                          "unindent does not match any outer indentation level");
            return depth;
          }
          if (alt != altstack[ind]) {
            ing__error_at(c, ING_PRIO_TOKEN, "TabError", line, 1, true, "inconsistent use of tabs and spaces in indentation");
            return depth;
          }
        }
      }
      cont_line = false;
      p = q;
    }
    char ch = s[p];
    if (p >= n || ch == 0) {
      if (last_sig && depth == 0) ing__push_tok(c, TK_NEWLINE, 0, line, (int)(p - lstart), p, p, line, (int)(p - lstart));
      while (ind > 0) {
        ind--;
        ing__push_tok(c, TK_DEDENT, 0, line, (int)(p - lstart), p, p, line, (int)(p - lstart));
      }
      ing__push_tok(c, TK_EOF, depth, line, (int)(p - lstart), p, p, line, (int)(p - lstart));
      break;
    }
    if (ch == ' ' || ch == '\t' || ch == '\f') { p++; continue; }
    if (ch == '#') { while (p < n && s[p] != '\n') p++; continue; }
    if (ch == '\n') {
      if (depth == 0 && last_sig) {
        ing__push_tok(c, TK_NEWLINE, 0, line, (int)(p - lstart), p, p + 1, line, (int)(p - lstart) + 1);
        last_sig = 0;
      }
      p++;
      line++;
      lstart = p;
      atbol = true;
      continue;
    }
    if (ch == '\\') {
      if (s[p + 1] == '\n') {
        p += 2;
        line++;
        lstart = p;
        if (p >= n) {
          ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, 0, false, "unexpected EOF while parsing");
          return depth;
        }
        continue;
      }
      ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, (int)(p - lstart) + 1, false,
                    "unexpected character after line continuation character");
      return depth;
    }
    size_t b = p;
    int bline = line, bcol = (int)(p - lstart);
    /* names and string prefixes */
    if (ing__is_id_start((unsigned char)ch)) {
      while (p < n && ing__is_id_char((unsigned char)s[p])) {
        if ((unsigned char)s[p] >= 0x80) {
          int ln;
          uint32_t cp = ing__utf8(s + p, &ln);
          if (ing__bad_id_cp(cp)) {
            if (p == b) {
              ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, (int)(p - lstart), false,
                            "invalid character '%.*s' (U+%04X)", ln, s + p, cp);
              return depth;
            }
            break;
          }
          p += (size_t)ln;
        } else {
          p++;
        }
      }
      if ((s[p] == '\'' || s[p] == '"') && ing__str_prefix(s + b, p - b)) {
        ch = s[p];
        goto string;
      }
      ing__push_tok(c, TK_NAME, depth, bline, bcol, b, p, line, (int)(p - lstart));
      last_sig = TK_NAME;
      continue;
    }
    if (isdigit((unsigned char)ch) || (ch == '.' && isdigit((unsigned char)s[p + 1]))) {
      p = ing__number(c, p, line, lstart);
      if (c->err_prio >= ING_PRIO_TOKEN) return depth;
      ing__push_tok(c, TK_NUMBER, depth, bline, bcol, b, p, line, (int)(p - lstart));
      last_sig = TK_NUMBER;
      continue;
    }
    if (ch == '\'' || ch == '"') {
    string:;
      char q = ch;
      bool triple = s[p + 1] == q && s[p + 2] == q;
      bool raw = false;
      for (size_t i = b; i < p; i++) raw |= tolower((unsigned char)s[i]) == 'r';
      p += triple ? 3 : 1;
      for (;;) {
        if (p >= n) {
          int last_line = n > 0 && s[n - 1] == '\n' ? line - 1 : line;
          if (triple) {
            ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", bline, bcol, false,
                          "unterminated triple-quoted string literal (detected at line %d)", last_line);
          } else {
            ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", bline, bcol, false,
                          "unterminated string literal (detected at line %d)", last_line);
          }
          return depth;
        }
        char d = s[p];
        if (d == '\\') {
          if (s[p + 1] == '\n') {
            line++;
            lstart = p + 2;
          }
          p += s[p + 1] ? 2 : 1;
          (void)raw;
          continue;
        }
        if (d == '\n') {
          if (!triple) {
            ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", bline, bcol, false,
                          "unterminated string literal (detected at line %d)", line);
            return depth;
          }
          line++;
          p++;
          lstart = p;
          continue;
        }
        if (d == q && (!triple || (s[p + 1] == q && s[p + 2] == q))) {
          p += triple ? 3 : 1;
          break;
        }
        p++;
      }
      ing__push_tok(c, TK_STRING, depth, bline, bcol, b, p, line, (int)(p - lstart));
      last_sig = TK_STRING;
      {
        bool fs = false;
        for (size_t i = b; i < p && s[i] != '\'' && s[i] != '"'; i++) fs |= tolower((unsigned char)s[i]) == 'f';
        if (fs && c->fstr_tok < 0) {
          size_t qs = b;
          while (s[qs] != '\'' && s[qs] != '"') qs++;
          size_t ql = triple ? 3 : 1;
          const char *m = ing__fstr_check(s, qs + ql, p - ql, NULL);
          if (m) {
            c->fstr_tok = c->ntoks - 1;
            snprintf(c->fstr_msg, sizeof c->fstr_msg, "%s", m);
          }
        }
      }
      continue;
    }
    if (ch == '(' || ch == '[' || ch == '{') {
      if (depth >= PY_MAX_NESTING) {
        ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false, "too many nested parentheses");
        return depth;
      }
      bstack[depth].ch = ch;
      bstack[depth].line = line;
      bstack[depth].bcol = bcol;
      ing__push_tok(c, TK_OP, depth, line, bcol, p, p + 1, line, bcol + 1);
      depth++;
      p++;
      last_sig = TK_OP;
      continue;
    }
    if (ch == ')' || ch == ']' || ch == '}') {
      if (depth == 0) {
        ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false, "unmatched '%c'", ch);
        return depth;
      }
      char o = bstack[depth - 1].ch;
      if ((o == '(' && ch != ')') || (o == '[' && ch != ']') || (o == '{' && ch != '}')) {
        if (bstack[depth - 1].line != line)
          ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false,
                        "closing parenthesis '%c' does not match opening parenthesis '%c' on line %d", ch, o,
                        bstack[depth - 1].line);
        else
          ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false,
                        "closing parenthesis '%c' does not match opening parenthesis '%c'", ch, o);
        return depth;
      }
      depth--;
      ing__push_tok(c, TK_OP, depth, line, bcol, p, p + 1, line, bcol + 1);
      p++;
      last_sig = TK_OP;
      continue;
    }
    /* operators */
    size_t ol = 0;
    for (int i = 0; ing__ops3[i]; i++)
      if (strncmp(s + p, ing__ops3[i], 3) == 0) { ol = 3; break; }
    if (!ol)
      for (int i = 0; ing__ops2[i]; i++)
        if (strncmp(s + p, ing__ops2[i], 2) == 0) { ol = 2; break; }
    if (!ol && strchr("+-*/%@&|^~<>=.,:;", ch)) ol = 1;
    if (ol) {
      ing__push_tok(c, TK_OP, depth, line, bcol, p, p + ol, line, bcol + (int)ol);
      p += ol;
      last_sig = TK_OP;
      continue;
    }
    /* anything else: $, ?, `, ! and stray non-ASCII */
    if ((unsigned char)ch >= 0x80) {
      int ln;
      uint32_t cp = ing__utf8(s + p, &ln);
      ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false, "invalid character '%.*s' (U+%04X)", ln,
                    s + p, cp);
      return depth;
    }
    if (ch < 0x20 || ch == 0x7f) {
      ing__error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false, "invalid non-printable character U+%04X",
                    (unsigned)ch);
      return depth;
    }
    ing__push_tok(c, TK_ERRCHAR, depth, line, bcol, p, p + 1, line, bcol + 1);
    p++;
    last_sig = TK_ERRCHAR;
  }
  if (depth > 0) {
    *open_line = bstack[depth - 1].line;
    *open_bcol = bstack[depth - 1].bcol;
    *open_ch = bstack[depth - 1].ch;
  }
  return depth;
}

static bool ing__tok_is(ing_ctx *c, const ing_tok *t, const char *text) {
  size_t n = strlen(text);
  return t->end - t->off == n && memcmp(c->src + t->off, text, n) == 0;
}

static bool ing__is_kw(ing_ctx *c, const ing_tok *t) {
  static const char *const kws[] = {"False", "None", "True", "and", "as", "assert", "async", "await", "break",
                                    "class", "continue", "def", "del", "elif", "else", "except", "finally",
                                    "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
                                    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", NULL};
  if (t->type != TK_NAME) return false;
  for (int i = 0; kws[i]; i++)
    if (ing__tok_is(c, t, kws[i])) return true;
  return false;
}

/* An operand token: can end an expression. */
static bool ing__ends_operand(ing_ctx *c, const ing_tok *t) {
  if (t->type == TK_NUMBER || t->type == TK_STRING) return true;
  if (t->type == TK_NAME) {
    if (!ing__is_kw(c, t)) return true;
    return ing__tok_is(c, t, "None") || ing__tok_is(c, t, "True") || ing__tok_is(c, t, "False");
  }
  return t->type == TK_OP && (ing__tok_is(c, t, ")") || ing__tok_is(c, t, "]") || ing__tok_is(c, t, "}"));
}

/* An operand token that can start an expression. */
static bool ing__starts_operand(ing_ctx *c, const ing_tok *t) {
  if (t->type == TK_NUMBER || t->type == TK_STRING) return true;
  if (t->type == TK_NAME) {
    if (!ing__is_kw(c, t)) return true;
    return ing__tok_is(c, t, "None") || ing__tok_is(c, t, "True") || ing__tok_is(c, t, "False") ||
           ing__tok_is(c, t, "lambda") || ing__tok_is(c, t, "await");
  }
  return false;
}

/* Names of the compound statements for "expected an indented block". */
static const char *ing__block_what(ing_ctx *c, const ing_tok *t) {
  static const char *const kw[][2] = {{"if", "'if' statement"}, {"elif", "'elif' statement"},
                                      {"else", "'else' statement"}, {"for", "'for' statement"},
                                      {"while", "'while' statement"}, {"with", "'with' statement"},
                                      {"try", "'try' statement"}, {"except", "'except' statement"},
                                      {"finally", "'finally' statement"}, {"def", "function definition"},
                                      {"class", "class definition"}, {"match", "'match' statement"},
                                      {"case", "'case' statement"}, {NULL, NULL}};
  if (t->type != TK_NAME) return NULL;
  for (int i = 0; kw[i][0]; i++)
    if (ing__tok_is(c, t, kw[i][0])) return kw[i][1];
  return NULL;
}

/* Walks the logical lines of the token list and records the parser-level
 * errors CPython reports that we can see from tokens alone, at the first
 * place they occur. Only errors certain to be errors are recorded here
 * (a missing indented block, an unexpected indent, a compound header with
 * no ':', a stray character). Returns the index of the first token of the
 * first such error, or -1. */
static void ing__structural(ing_ctx *c) {
  int i = 0;
  bool expect_indent = false;
  int hdr = -1; /* header's first token when expect_indent */
  while (i < c->ntoks && c->err_prio < ING_PRIO_PARSER) {
    ing_tok *t = &c->toks[i];
    if (t->type == TK_EOF) break;
    if (t->type == TK_INDENT) {
      if (!expect_indent) {
        int col = t->bcol; /* CPython points at the last indentation character */
        ing__error_at(c, ING_PRIO_PARSER, "IndentationError", t->line, col > 0 ? col : 1, true, "unexpected indent");
        return;
      }
      expect_indent = false;
      i++;
      continue;
    }
    if (t->type == TK_DEDENT) { i++; continue; }
    if (expect_indent) {
      ing_tok *h = &c->toks[hdr];
      const char *what = ing__block_what(c, h);
      if (h->type == TK_NAME && ing__tok_is(c, h, "async") && hdr + 1 < c->ntoks) what = ing__block_what(c, h + 1);
      ing__error_at(c, ING_PRIO_PARSER, "IndentationError", t->line, t->bcol, false,
                    "expected an indented block after %s on line %d", what ? what : "statement", h->line);
      return;
    }
    /* one logical line: tokens i..j-1, then NEWLINE at j */
    int j = i;
    while (j < c->ntoks && c->toks[j].type != TK_NEWLINE && c->toks[j].type != TK_EOF) j++;
    int first = i;
    while (c->toks[first].type == TK_NAME && ing__tok_is(c, &c->toks[first], "async") && first + 1 < j) first++;
    const char *what = ing__block_what(c, &c->toks[first]);
    bool hard_compound = what && !ing__tok_is(c, &c->toks[first], "match") && !ing__tok_is(c, &c->toks[first], "case");
    /* stray characters ($, ?, !, `) are invalid syntax where they stand */
    for (int k = i; k < j; k++) {
      if (c->toks[k].type == TK_ERRCHAR) {
        ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks[k].line, c->toks[k].bcol, false, "invalid syntax");
        return;
      }
    }
    /* else, try and finally take nothing before their colon */
    if (j > first + 1 && (ing__tok_is(c, &c->toks[first], "else") || ing__tok_is(c, &c->toks[first], "try") ||
                          ing__tok_is(c, &c->toks[first], "finally")) &&
        !ing__tok_is(c, &c->toks[first + 1], ":")) {
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks[first + 1].line, c->toks[first + 1].bcol, false,
                    "expected ':'");
      return;
    }
    /* does the line contain a top-level ':' (the header's colon)? */
    int colon = -1;
    int lambdas = 0;
    for (int k = first; k < j; k++) {
      ing_tok *u = &c->toks[k];
      if (u->depth == 0 && u->type == TK_NAME && ing__tok_is(c, u, "lambda")) lambdas++;
      if (u->depth == 0 && u->type == TK_OP && ing__tok_is(c, u, ":")) {
        if (lambdas > 0) { lambdas--; continue; }
        colon = k;
        break;
      }
    }
    if (hard_compound && colon < 0 && j > first) {
      /* two adjacent operands before the end point elsewhere first */
      bool adjacent = false;
      for (int k = first + 1; k < j; k++) {
        if (c->toks[k].depth == 0 && ing__ends_operand(c, &c->toks[k - 1]) && ing__starts_operand(c, &c->toks[k]) &&
            !(c->toks[k].type == TK_STRING && c->toks[k - 1].type == TK_STRING) && k - 1 > first) {
          adjacent = true;
          break;
        }
      }
      if (!adjacent && j < c->ntoks && c->toks[j].type == TK_NEWLINE) {
        ing_tok *last = &c->toks[j - 1];
        ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", last->end_line, last->end_bcol, false, "expected ':'");
        return;
      }
    }
    if (c->toks[j - 1 >= i ? j - 1 : i].type == TK_OP && ing__tok_is(c, &c->toks[j - 1 >= i ? j - 1 : i], ":") &&
        c->toks[j - 1 >= i ? j - 1 : i].depth == 0 && j < c->ntoks && c->toks[j].type == TK_NEWLINE) {
      expect_indent = true;
      hdr = i;
    }
    i = j + 1;
  }
}

/* ====================================================== pass 3: lowering */

#define ING_NAMED(n, i) ts_node_named_child((n), (i))
#define ING_CHILD(n, i) ts_node_child((n), (i))

static py_node *ing__new(ing_ctx *c, py_kind k, TSNode n) {
  py_node *p = p_arena_alloc(c->a, sizeof *p);
  p->kind = k;
  p->id = c->next_id ? (*c->next_id)++ : ++c->local_id;
  p->file = c->path;
  TSPoint s = ts_node_start_point(n), e = ts_node_end_point(n);
  p->line = (int)s.row + 1;
  p->col = ing__ccol(c, p->line, (int)s.column);
  p->end_line = (int)e.row + 1;
  p->end_col = ing__ccol(c, p->end_line, (int)e.column);
  return p;
}

/* A growable node list built on malloc then frozen into the arena. */
typedef struct {
  py_node **v;
  int n, cap;
  py_node *small[4];
} ing_list;

static void ing__list_init(ing_list *l) {
  l->v = l->small;
  l->n = 0;
  l->cap = 4;
}
static void ing__list_add(ing_list *l, py_node *x) {
  if (l->n == l->cap) {
    int nc = l->cap * 2;
    py_node **nv = malloc((size_t)nc * sizeof *nv);
    if (!nv) abort();
    memcpy(nv, l->v, (size_t)l->n * sizeof *nv);
    if (l->v != l->small) free(l->v);
    l->v = nv;
    l->cap = nc;
  }
  l->v[l->n++] = x;
}
static py_nodes ing__list_freeze(ing_ctx *c, ing_list *l) {
  py_nodes r = {NULL, l->n};
  if (l->n) {
    r.v = p_arena_alloc(c->a, (size_t)l->n * sizeof *r.v);
    memcpy(r.v, l->v, (size_t)l->n * sizeof *r.v);
  }
  if (l->v != l->small) free(l->v);
  ing__list_init(l);
  return r;
}

static const char *ing__text(ing_ctx *c, TSNode n) {
  uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
  return p_arena_strndup(c->a, c->src + b, e - b);
}

static bool ing__type_is(TSNode n, const char *t) { return strcmp(ts_node_type(n), t) == 0; }

static void ing__err_node(ing_ctx *c, int prio, TSNode n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void ing__err_node(ing_ctx *c, int prio, TSNode n, const char *fmt, ...) {
  if (c->err_prio >= prio) return;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  TSPoint s = ts_node_start_point(n);
  ing__error_at(c, prio, "SyntaxError", (int)s.row + 1, (int)s.column, false, "%s", msg);
}

/* Named children, skipping comments and line continuations. */
static uint32_t ing__nchildren(TSNode n) { return ts_node_named_child_count(n); }
static bool ing__skip(TSNode n) {
  const char *t = ts_node_type(n);
  return strcmp(t, "comment") == 0 || strcmp(t, "line_continuation") == 0;
}

static py_node *ing__expr(ing_ctx *c, TSNode n, py_ctx ctx);
static py_nodes ing__block(ing_ctx *c, TSNode n);
static py_node *ing__pattern(ing_ctx *c, TSNode n);
static py_arguments *ing__params(ing_ctx *c, TSNode n);

/* --------------------------------------------------------------- literals */

static void ing__put_utf8(p_buf *b, uint32_t cp) {
  char o[4];
  if (cp < 0x80) { p_buf_putc(b, (char)cp); return; }
  if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); p_buf_append(b, o, 2); return; }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[2] = (char)(0x80 | (cp & 0x3F));
    p_buf_append(b, o, 3);
    return;
  }
  o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
  p_buf_append(b, o, 4);
}

/* The few \N{...} names real programs use; others are reported. */
static const struct { const char *name; uint32_t cp; } ing__unames[] = {
    {"BULLET", 0x2022}, {"EM DASH", 0x2014}, {"EN DASH", 0x2013}, {"DEGREE SIGN", 0xB0},
    {"HORIZONTAL ELLIPSIS", 0x2026}, {"NO-BREAK SPACE", 0xA0}, {"COPYRIGHT SIGN", 0xA9},
    {"REGISTERED SIGN", 0xAE}, {"EURO SIGN", 0x20AC}, {"POUND SIGN", 0xA3}, {"YEN SIGN", 0xA5},
    {"CHECK MARK", 0x2713}, {"MULTIPLICATION SIGN", 0xD7}, {"DIVISION SIGN", 0xF7},
    {"PLUS-MINUS SIGN", 0xB1}, {"MICRO SIGN", 0xB5}, {"GREEK SMALL LETTER ALPHA", 0x3B1},
    {"GREEK SMALL LETTER BETA", 0x3B2}, {"GREEK SMALL LETTER PI", 0x3C0},
    {"GREEK CAPITAL LETTER DELTA", 0x394}, {"GREEK CAPITAL LETTER SIGMA", 0x3A3},
    {"GREEK CAPITAL LETTER OMEGA", 0x3A9}, {"INFINITY", 0x221E}, {"RIGHTWARDS ARROW", 0x2192},
    {"LEFTWARDS ARROW", 0x2190}, {"BLACK STAR", 0x2605}, {"WHITE STAR", 0x2606}, {"SPACE", 0x20},
    {"LINE FEED", 0x0A}, {"CHARACTER TABULATION", 0x09}, {"NULL", 0}, {"SECTION SIGN", 0xA7},
    {"PILCROW SIGN", 0xB6}, {"MIDDLE DOT", 0xB7}, {"LATIN SMALL LETTER E WITH ACUTE", 0xE9},
    {"SNOWMAN", 0x2603}, {"HEAVY CHECK MARK", 0x2714}, {"BALLOT X", 0x2717}, {"BOX DRAWINGS LIGHT HORIZONTAL", 0x2500},
    {"BOX DRAWINGS LIGHT VERTICAL", 0x2502}, {"FULL BLOCK", 0x2588}, {"LIGHT SHADE", 0x2591},
    {NULL, 0}};

/* A \N{name} outside our small table: asks CPython's unicodedata (the
 * oracle is installed wherever Portalis runs). The name is checked to be
 * made of the characters Unicode names use before it reaches a shell.
 * Returns 0xFFFFFFFF when unknown. */
static uint32_t ing__unicode_lookup(const char *name, size_t n) {
  if (n == 0 || n > 100) return 0xFFFFFFFF;
  for (size_t i = 0; i < n; i++) {
    char ch = name[i];
    if (!(isalnum((unsigned char)ch) || ch == ' ' || ch == '-')) return 0xFFFFFFFF;
  }
  const char *py = getenv("PORTALIS_PYTHON3");
  if (!py || !*py) py = "python3";
  for (const char *q = py; *q; q++)
    if (!(isalnum((unsigned char)*q) || strchr("/._-", *q))) return 0xFFFFFFFF;
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "%s -I -c 'import sys, unicodedata\ntry: print(ord(unicodedata.lookup(sys.argv[1])))\nexcept KeyError: pass' "
           "'%.*s' 2>/dev/null",
           py, (int)n, name);
  FILE *f = popen(cmd, "r");
  if (!f) return 0xFFFFFFFF;
  unsigned long v = 0xFFFFFFFFUL;
  if (fscanf(f, "%lu", &v) != 1) v = 0xFFFFFFFFUL;
  pclose(f);
  return v <= 0x10FFFF ? (uint32_t)v : 0xFFFFFFFF;
}

/* Decodes the body of a string literal (between the quotes) into out.
 * is_bytes/raw from the prefix; fstr: also turn {{ and }} into { and }.
 * Returns false (and records an error at node n) on a bad escape. */
__attribute__((noinline)) static bool ing__decode(ing_ctx *c, TSNode n, const char *s, size_t len, bool is_bytes, bool raw, bool fstr, p_buf *out) {
  for (size_t i = 0; i < len; i++) {
    char ch = s[i];
    if (fstr && (ch == '{' || ch == '}') && i + 1 < len && s[i + 1] == ch) {
      p_buf_putc(out, ch);
      i++;
      continue;
    }
    if (ch != '\\' || raw) {
      if (is_bytes && (unsigned char)ch >= 0x80) {
        ing__err_node(c, ING_PRIO_PARSER, n, "bytes can only contain ASCII literal characters");
        return false;
      }
      p_buf_putc(out, ch);
      continue;
    }
    if (i + 1 >= len) { p_buf_putc(out, ch); continue; }
    char e = s[++i];
    switch (e) {
    case '\n': break;
    case '\\': p_buf_putc(out, '\\'); break;
    case '\'': p_buf_putc(out, '\''); break;
    case '"': p_buf_putc(out, '"'); break;
    case 'a': p_buf_putc(out, '\a'); break;
    case 'b': p_buf_putc(out, '\b'); break;
    case 'f': p_buf_putc(out, '\f'); break;
    case 'n': p_buf_putc(out, '\n'); break;
    case 'r': p_buf_putc(out, '\r'); break;
    case 't': p_buf_putc(out, '\t'); break;
    case 'v': p_buf_putc(out, '\v'); break;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      unsigned v = (unsigned)(e - '0');
      for (int k = 0; k < 2 && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '7'; k++) v = v * 8 + (unsigned)(s[++i] - '0');
      if (is_bytes) p_buf_putc(out, (char)(v & 0xFF));
      else ing__put_utf8(out, v);
      break;
    }
    case 'x': {
      unsigned v = 0;
      int k = 0;
      for (; k < 2 && i + 1 < len && isxdigit((unsigned char)s[i + 1]); k++) {
        char h = s[++i];
        v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' : tolower((unsigned char)h) - 'a' + 10);
      }
      if (k < 2) {
        ing__err_node(c, ING_PRIO_PARSER, n, "(%s error) truncated \\xXX escape", is_bytes ? "value" : "unicode");
        return false;
      }
      if (is_bytes) p_buf_putc(out, (char)v);
      else ing__put_utf8(out, v);
      break;
    }
    case 'u': case 'U': case 'N':
      if (is_bytes) {
        p_buf_putc(out, '\\');
        p_buf_putc(out, e);
        break;
      }
      if (e == 'N') {
        if (i + 1 < len && s[i + 1] == '{') {
          size_t b = i + 2, k = b;
          while (k < len && s[k] != '}') k++;
          uint32_t cp = 0xFFFFFFFF;
          for (int u = 0; ing__unames[u].name; u++)
            if (strlen(ing__unames[u].name) == k - b && strncasecmp(ing__unames[u].name, s + b, k - b) == 0)
              cp = ing__unames[u].cp;
          if (cp == 0xFFFFFFFF) cp = ing__unicode_lookup(s + b, k - b);
          if (cp == 0xFFFFFFFF) {
            ing__err_node(c, ING_PRIO_PARSER, n, "(unicode error) unknown Unicode character name");
            return false;
          }
          ing__put_utf8(out, cp);
          i = k;
        } else {
          ing__err_node(c, ING_PRIO_PARSER, n, "(unicode error) malformed \\N character escape");
          return false;
        }
        break;
      } else {
        int want = e == 'u' ? 4 : 8;
        uint32_t v = 0;
        int k = 0;
        for (; k < want && i + 1 < len && isxdigit((unsigned char)s[i + 1]); k++) {
          char h = s[++i];
          v = v * 16 + (uint32_t)(isdigit((unsigned char)h) ? h - '0' : tolower((unsigned char)h) - 'a' + 10);
        }
        if (k < want) {
          ing__err_node(c, ING_PRIO_PARSER, n, "(unicode error) truncated \\%cXXXX%s escape", e, want == 8 ? "XXXX" : "");
          return false;
        }
        if (v > 0x10FFFF) {
          ing__err_node(c, ING_PRIO_PARSER, n, "(unicode error) illegal Unicode character");
          return false;
        }
        ing__put_utf8(out, v);
      }
      break;
    default:
      p_buf_putc(out, '\\');
      p_buf_putc(out, e);
    }
  }
  return true;
}

typedef struct {
  bool is_bytes, raw, fstr, u;
  size_t body_b, body_e; /* between the quotes */
} ing_strinfo;

static void ing__strinfo(ing_ctx *c, TSNode str, ing_strinfo *si) {
  memset(si, 0, sizeof *si);
  uint32_t b = ts_node_start_byte(str), e = ts_node_end_byte(str);
  const char *s = c->src;
  uint32_t q = b;
  while (q < e && s[q] != '\'' && s[q] != '"') {
    char ch = (char)tolower((unsigned char)s[q]);
    if (ch == 'b') si->is_bytes = true;
    if (ch == 'r') si->raw = true;
    if (ch == 'f') si->fstr = true;
    if (ch == 'u') si->u = true;
    q++;
  }
  char qc = s[q];
  int ql = (q + 2 < e && s[q + 1] == qc && s[q + 2] == qc && e - q >= 6) ? 3 : 1;
  si->body_b = q + (uint32_t)ql;
  si->body_e = e - (uint32_t)ql;
  if (si->body_e < si->body_b) si->body_e = si->body_b;
}

static py_node *ing__joined(ing_ctx *c, TSNode at, ing_list *parts);

/* Appends the parts of an f-string (text between interpolations and the
 * interpolations themselves) to parts. text accumulates pending literal
 * text; flushed when an interpolation comes. */
static void ing__flush_text(ing_ctx *c, TSNode at, p_buf *text, ing_list *parts) {
  if (text->len == 0) return;
  py_node *s = ing__new(c, PY_STR, at);
  s->u.str.s = p_arena_strndup(c->a, text->data, text->len);
  s->u.str.len = text->len;
  ing__list_add(parts, s);
  p_buf_reset(text);
}

static py_node *ing__interpolation(ing_ctx *c, TSNode n, p_buf *text, ing_list *parts);
static bool ing__fstr_subparse(ing_ctx *c, const char *expr, size_t n, int line);

/* Lowers a format spec node (":>{w}.2f") into a JoinedStr. */
__attribute__((noinline)) static py_node *ing__format_spec(ing_ctx *c, TSNode fs) {
  ing_list parts;
  ing__list_init(&parts);
  p_buf text;
  p_buf_init(&text, 0);
  uint32_t pos = ts_node_start_byte(fs);
  if (c->src[pos] == ':') pos++;
  uint32_t cnt = ts_node_named_child_count(fs);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(fs, i);
    if (!ing__type_is(ch, "format_expression")) continue;
    uint32_t b = ts_node_start_byte(ch);
    if (b > pos) ing__decode(c, fs, c->src + pos, b - pos, false, false, true, &text);
    ing__interpolation(c, ch, &text, &parts);
    pos = ts_node_end_byte(ch);
  }
  uint32_t e = ts_node_end_byte(fs);
  if (e > pos) ing__decode(c, fs, c->src + pos, e - pos, false, false, true, &text);
  ing__flush_text(c, fs, &text, &parts);
  p_buf_free(&text);
  return ing__joined(c, fs, &parts);
}

static py_node *ing__joined(ing_ctx *c, TSNode at, ing_list *parts) {
  py_node *j = ing__new(c, PY_JOINED_STR, at);
  j->u.joined_str.values = ing__list_freeze(c, parts);
  return j;
}

__attribute__((noinline)) static py_node *ing__interpolation(ing_ctx *c, TSNode n, p_buf *text, ing_list *parts) {
  TSNode ex = ts_node_child_by_field_name(n, "expression", 10);
  TSNode conv = ts_node_child_by_field_name(n, "type_conversion", 15);
  TSNode spec = ts_node_child_by_field_name(n, "format_specifier", 16);
  /* the debug '=' is an anonymous child after the expression */
  bool debug = false;
  uint32_t cnt = ts_node_child_count(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_CHILD(n, i);
    if (!ts_node_is_named(ch) && ing__type_is(ch, "=")) debug = true;
  }
  const char *dbg = NULL;
  if (debug) {
    /* the text from '{' up to the conversion, the spec or the '}' */
    uint32_t b = ts_node_start_byte(n) + 1, e = ts_node_end_byte(n) - 1;
    if (!ts_node_is_null(conv)) e = ts_node_start_byte(conv);
    else if (!ts_node_is_null(spec)) e = ts_node_start_byte(spec);
    dbg = p_arena_strndup(c->a, c->src + b, e - b);
    p_buf_puts(text, dbg);
  }
  ing__flush_text(c, n, text, parts);
  py_node *fv = ing__new(c, PY_FORMATTED_VALUE, n);
  fv->u.formatted_value.conversion = -1;
  if (!ts_node_is_null(ex) && c->src[ts_node_start_byte(n)] == '{') {
    /* where CPython 3.11 ends the expression (e.g. at the ':' of a lambda)
     * may differ from tree-sitter's view: check that region on its own */
    ing_fregions r;
    r.n = 0;
    size_t i = ts_node_start_byte(n) + 1;
    if (!ing__fstr_expr(c->src, &i, ts_node_end_byte(n), 0, &r) && r.n > 0) {
      size_t b = r.b[0], e = r.e[0], tb = ts_node_start_byte(ex), te = ts_node_end_byte(ex);
      while (b < e && isspace((unsigned char)c->src[b])) b++;
      while (e > b && isspace((unsigned char)c->src[e - 1])) e--;
      if (b != tb || e != te) {
        TSNode str = n;
        while (!ts_node_is_null(str) && !ing__type_is(str, "string")) str = ts_node_parent(str);
        int line = (int)ts_node_start_point(ts_node_is_null(str) ? n : str).row + 1;
        if (c->err_prio < ING_PRIO_PARSER && ing__fstr_subparse(c, c->src + r.b[0], r.e[0] - r.b[0], line))
          return fv;
      }
    }
  }
  if (ts_node_is_null(ex)) {
    ing__err_node(c, ING_PRIO_PARSER, n, "f-string: empty expression not allowed");
    return fv;
  }
  if (ing__type_is(ex, "expression_list") || ing__type_is(ex, "pattern_list")) {
    fv->u.formatted_value.value = ing__expr(c, ex, PY_LOAD);
  } else {
    fv->u.formatted_value.value = ing__expr(c, ex, PY_LOAD);
  }
  if (!ts_node_is_null(conv)) {
    const char *t = c->src + ts_node_start_byte(conv);
    if (*t == '!') t++;
    if (*t != 's' && *t != 'r' && *t != 'a') ing__err_node(c, ING_PRIO_PARSER, conv, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
    fv->u.formatted_value.conversion = *t;
  }
  if (!ts_node_is_null(spec)) fv->u.formatted_value.format_spec = ing__format_spec(c, spec);
  if (debug) {
    fv->u.formatted_value.debug_text = dbg;
    if (ts_node_is_null(conv) && ts_node_is_null(spec)) fv->u.formatted_value.conversion = 'r';
  }
  ing__list_add(parts, fv);
  return fv;
}

/* string or concatenated_string -> Str, Bytes or JoinedStr. */
__attribute__((noinline)) static py_node *ing__string(ing_ctx *c, TSNode n) {
  TSNode one[1];
  uint32_t cnt = 1;
  bool concat = ing__type_is(n, "concatenated_string");
  if (concat) cnt = ts_node_named_child_count(n);
  else one[0] = n;
  p_buf text;
  p_buf_init(&text, 0);
  ing_list parts;
  ing__list_init(&parts);
  bool any_f = false, any_bytes = false, any_str = false, u_first = false;
  ing_it it;
  ing__it_init(&it, n);
  bool first = true;
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode s = one[0];
    if (concat && !ing__it_next(&it, &s, false)) break;
    if (!ing__type_is(s, "string")) continue;
    ing_strinfo si;
    ing__strinfo(c, s, &si);
    if (first) u_first = si.u;
    first = false;
    if (si.is_bytes) any_bytes = true;
    else any_str = true;
    if (si.fstr) {
      any_f = true;
      size_t pos = si.body_b;
      uint32_t k = ts_node_named_child_count(s);
      for (uint32_t j = 0; j < k; j++) {
        TSNode ch = ING_NAMED(s, j);
        if (!ing__type_is(ch, "interpolation")) continue;
        uint32_t b = ts_node_start_byte(ch);
        if (b > pos) ing__decode(c, s, c->src + pos, b - pos, false, si.raw, true, &text);
        ing__interpolation(c, ch, &text, &parts);
        pos = ts_node_end_byte(ch);
      }
      if (si.body_e > pos) ing__decode(c, s, c->src + pos, si.body_e - pos, false, si.raw, true, &text);
    } else {
      ing__decode(c, s, c->src + si.body_b, si.body_e - si.body_b, si.is_bytes, si.raw, false, &text);
    }
  }
  ing__it_done(&it);
  if (any_bytes && any_str) ing__err_node(c, ING_PRIO_PARSER, n, "cannot mix bytes and nonbytes literals");
  py_node *r;
  if (any_f) {
    ing__flush_text(c, n, &text, &parts);
    r = ing__joined(c, n, &parts);
  } else {
    r = ing__new(c, any_bytes ? PY_BYTES : PY_STR, n);
    r->u.str.s = p_arena_strndup(c->a, text.data ? text.data : "", text.len);
    r->u.str.len = text.len;
    r->u.str.has_u_prefix = u_first;
    (void)ing__list_freeze(c, &parts);
  }
  p_buf_free(&text);
  return r;
}

__attribute__((noinline)) static py_node *ing__number_node(ing_ctx *c, TSNode n, const char *raw, bool negative_ok) {
  (void)negative_ok;
  size_t l = strlen(raw);
  char *t = p_arena_alloc(c->a, l + 1);
  size_t o = 0;
  for (size_t i = 0; i < l; i++)
    if (raw[i] != '_') t[o++] = (char)tolower((unsigned char)raw[i]);
  t[o] = 0;
  bool imag = o > 0 && t[o - 1] == 'j';
  bool is_float = imag;
  bool hex = o > 1 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b');
  if (!hex)
    for (size_t i = 0; i < o; i++)
      if (t[i] == '.' || t[i] == 'e') is_float = true;
  if (is_float) {
    py_node *r = ing__new(c, imag ? PY_IMAG : PY_FLOAT, n);
    if (imag) t[--o] = 0;
    r->u.float_.text = t;
    r->u.float_.value = strtod(t, NULL);
    return r;
  }
  py_node *r = ing__new(c, PY_INT, n);
  r->u.int_.text = t;
  int base = 10;
  const char *d = t;
  if (hex) {
    base = t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2;
    d = t + 2;
  }
  errno = 0;
  char *end;
  unsigned long long v = strtoull(d, &end, base);
  if (errno == 0 && *end == 0 && v <= (unsigned long long)INT64_MAX) {
    r->u.int_.fits_i64 = true;
    r->u.int_.i64 = (int64_t)v;
  }
  return r;
}

/* --------------------------------------------------------------- targets */

/* Sets the store/del context on a target expression, and reports what
 * CPython refuses to assign to or delete. */
static void ing__set_ctx(ing_ctx *c, py_node *t, py_ctx ctx, TSNode at) {
  if (!t) return;
  const char *what = NULL;
  switch (t->kind) {
  case PY_NAME:
    t->u.name.ctx = ctx;
    if (strcmp(t->u.name.id, "__debug__") == 0) what = "__debug__";
    break;
  case PY_ATTRIBUTE: t->u.attribute.ctx = ctx; break;
  case PY_SUBSCRIPT: t->u.subscript.ctx = ctx; break;
  case PY_STARRED:
    t->u.starred.ctx = ctx;
    if (ctx == PY_DEL) what = "starred";
    else ing__set_ctx(c, t->u.starred.value, ctx, at);
    break;
  case PY_LIST: case PY_TUPLE:
    t->u.list_or_tuple.ctx = ctx;
    for (int i = 0; i < t->u.list_or_tuple.elts.n; i++) ing__set_ctx(c, t->u.list_or_tuple.elts.v[i], ctx, at);
    break;
  case PY_CALL: what = "function call"; break;
  case PY_INT: case PY_FLOAT: case PY_IMAG: case PY_STR: case PY_BYTES: case PY_BOOL: case PY_NONE:
  case PY_ELLIPSIS:
    what = t->kind == PY_BOOL ? (t->u.bool_.value ? "True" : "False") : t->kind == PY_NONE ? "None" :
           t->kind == PY_ELLIPSIS ? "ellipsis" : "literal";
    break;
  case PY_JOINED_STR: what = "f-string expression"; break;
  case PY_BIN_OP: case PY_UNARY_OP: what = "expression"; break;
  case PY_BOOL_OP: what = "expression"; break;
  case PY_COMPARE: what = "comparison"; break;
  case PY_LAMBDA: what = "lambda"; break;
  case PY_IF_EXP: what = "conditional expression"; break;
  case PY_NAMED_EXPR: what = "named expression"; break;
  case PY_DICT: what = "dict literal"; break;
  case PY_SET: what = "set display"; break;
  case PY_LIST_COMP: what = "list comprehension"; break;
  case PY_SET_COMP: what = "set comprehension"; break;
  case PY_DICT_COMP: what = "dict comprehension"; break;
  case PY_GENERATOR_EXP: what = "generator expression"; break;
  case PY_AWAIT: what = "await expression"; break;
  case PY_YIELD: case PY_YIELD_FROM: what = "yield expression"; break;
  default: what = "expression"; break;
  }
  if (what) {
    if (t->kind == PY_NAME || (t->kind == PY_BOOL || t->kind == PY_NONE))
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->col, true, "cannot %s %s",
                    ctx == PY_DEL ? "delete" : "assign to", what);
    else if (ctx == PY_STORE && (t->kind == PY_CALL || t->kind == PY_COMPARE || t->kind == PY_BIN_OP))
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->col, true,
                    "cannot assign to %s here. Maybe you meant '==' instead of '='?", what);
    else
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->col, true, "cannot %s %s",
                    ctx == PY_DEL ? "delete" : "assign to", what);
  }
  (void)at;
}

/* ----------------------------------------------------------- expressions */

static py_op ing__binop(const char *t) {
  static const struct { const char *s; py_op op; } m[] = {
      {"+", PY_OP_ADD}, {"-", PY_OP_SUB}, {"*", PY_OP_MULT}, {"@", PY_OP_MATMULT}, {"/", PY_OP_DIV},
      {"%", PY_OP_MOD}, {"**", PY_OP_POW}, {"<<", PY_OP_LSHIFT}, {">>", PY_OP_RSHIFT}, {"|", PY_OP_BITOR},
      {"^", PY_OP_BITXOR}, {"&", PY_OP_BITAND}, {"//", PY_OP_FLOORDIV}, {NULL, PY_OP_NONE}};
  for (int i = 0; m[i].s; i++) {
    size_t l = strlen(m[i].s);
    if (strncmp(t, m[i].s, l) == 0 && (t[l] == 0 || t[l] == '=')) return m[i].op;
  }
  return PY_OP_NONE;
}

static py_op ing__cmpop(const char *t) {
  static const struct { const char *s; py_op op; } m[] = {
      {"==", PY_OP_EQ}, {"!=", PY_OP_NOTEQ}, {"<>", PY_OP_NOTEQ}, {"<", PY_OP_LT}, {"<=", PY_OP_LTE},
      {">", PY_OP_GT}, {">=", PY_OP_GTE}, {"is", PY_OP_IS}, {"is not", PY_OP_ISNOT}, {"in", PY_OP_IN},
      {"not in", PY_OP_NOTIN}, {NULL, PY_OP_NONE}};
  for (int i = 0; m[i].s; i++)
    if (strcmp(t, m[i].s) == 0) return m[i].op;
  return PY_OP_NONE;
}

static bool ing__hard_keyword(const char *s) {
  static const char *const kws[] = {"False", "None", "True", "and", "as", "assert", "async", "await", "break",
                                    "class", "continue", "def", "del", "elif", "else", "except", "finally",
                                    "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
                                    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", NULL};
  for (int i = 0; kws[i]; i++)
    if (strcmp(s, kws[i]) == 0) return true;
  return false;
}

static py_node *ing__name(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing__new(c, PY_NAME, n);
  r->u.name.id = ing__text(c, n);
  if (ing__hard_keyword(r->u.name.id)) ing__err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
  r->u.name.ctx = ctx;
  return r;
}

/* Lowers the named children of n (skipping comments) as a sequence. */
static py_nodes ing__exprs(ing_ctx *c, TSNode n, py_ctx ctx) {
  ing_list l;
  ing__list_init(&l);
  ing_it it;
  ing__it_init(&it, n);
  for (TSNode ch; ing__it_next(&it, &ch, false);) {
    if (ing__skip(ch)) continue;
    ing__list_add(&l, ing__expr(c, ch, ctx));
  }
  ing__it_done(&it);
  return ing__list_freeze(c, &l);
}

/* for_in_clause / if_clause children of a comprehension node. */
__attribute__((noinline)) static py_nodes ing__generators(ing_ctx *c, TSNode n) {
  ing_list gens, ifs;
  ing__list_init(&gens);
  ing__list_init(&ifs);
  py_node *cur = NULL;
  uint32_t cnt = ing__nchildren(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (ing__type_is(ch, "for_in_clause")) {
      if (cur) cur->u.comprehension.ifs = ing__list_freeze(c, &ifs);
      cur = ing__new(c, PY_COMPREHENSION, ch);
      TSNode first = ING_CHILD(ch, 0);
      cur->u.comprehension.is_async = ing__type_is(first, "async");
      TSNode left = ts_node_child_by_field_name(ch, "left", 4);
      cur->u.comprehension.target = ing__expr(c, left, PY_STORE);
      ing__set_ctx(c, cur->u.comprehension.target, PY_STORE, left);
      /* right may be several expressions (a tuple without parentheses) */
      ing_list r;
      ing__list_init(&r);
      uint32_t k = ts_node_child_count(ch);
      bool after_in = false;
      for (uint32_t j = 0; j < k; j++) {
        TSNode x = ING_CHILD(ch, j);
        if (!ts_node_is_named(x)) {
          if (ing__type_is(x, "in")) after_in = true;
          continue;
        }
        if (after_in && !ing__skip(x)) ing__list_add(&r, ing__expr(c, x, PY_LOAD));
      }
      if (r.n > 1) {
        TSNode par = ts_node_parent(ch);
        if (ing__type_is(par, "generator_expression") && c->src[ts_node_start_byte(par)] != '(')
          ing__err_node(c, ING_PRIO_PARSER, par, "Generator expression must be parenthesized");
        else
          ing__err_node(c, ING_PRIO_PARSER, ch, "invalid syntax");
      }
      if (r.n == 1) {
        cur->u.comprehension.iter = r.v[0];
        (void)ing__list_freeze(c, &r);
      } else {
        py_node *t = ing__new(c, PY_TUPLE, ch);
        t->u.list_or_tuple.elts = ing__list_freeze(c, &r);
        cur->u.comprehension.iter = t;
      }
      ing__list_add(&gens, cur);
    } else if (ing__type_is(ch, "if_clause")) {
      TSNode e = ING_NAMED(ch, 0);
      if (cur) ing__list_add(&ifs, ing__expr(c, e, PY_LOAD));
    }
  }
  if (cur) cur->u.comprehension.ifs = ing__list_freeze(c, &ifs);
  else (void)ing__list_freeze(c, &ifs);
  return ing__list_freeze(c, &gens);
}

/* Call arguments: argument_list or a bare generator_expression. */
__attribute__((noinline)) static void ing__call_args(ing_ctx *c, TSNode al, py_nodes *args, py_nodes *kws) {
  ing_list a, k;
  ing__list_init(&a);
  ing__list_init(&k);
  if (ing__type_is(al, "generator_expression")) {
    ing__list_add(&a, ing__expr(c, al, PY_LOAD));
  } else {
    bool seen_kw = false, seen_kwsplat = false;
    ing_it it;
    ing__it_init(&it, al);
    for (TSNode ch; ing__it_next(&it, &ch, false);) {
      if (ing__skip(ch)) continue;
      if (ing__type_is(ch, "keyword_argument")) {
        py_node *kw = ing__new(c, PY_KEYWORD, ch);
        TSNode nm = ts_node_child_by_field_name(ch, "name", 4);
        kw->u.keyword.arg = ing__text(c, nm);
        kw->u.keyword.value = ing__expr(c, ts_node_child_by_field_name(ch, "value", 5), PY_LOAD);
        for (int j = 0; j < k.n; j++)
          if (k.v[j]->u.keyword.arg && strcmp(k.v[j]->u.keyword.arg, kw->u.keyword.arg) == 0)
            ing__err_node(c, ING_PRIO_COMPILE, ch, "keyword argument repeated: %s", kw->u.keyword.arg);
        ing__list_add(&k, kw);
        seen_kw = true;
      } else if (ing__type_is(ch, "dictionary_splat")) {
        py_node *kw = ing__new(c, PY_KEYWORD, ch);
        kw->u.keyword.value = ing__expr(c, ING_NAMED(ch, 0), PY_LOAD);
        ing__list_add(&k, kw);
        seen_kwsplat = true;
      } else {
        py_node *e = ing__expr(c, ch, PY_LOAD);
        if (ing__type_is(ch, "generator_expression") && c->src[ts_node_start_byte(ch)] != '(')
          ing__err_node(c, ING_PRIO_PARSER, ch, "Generator expression must be parenthesized");
        if (e->kind == PY_STARRED) {
          if (seen_kwsplat)
            ing__err_node(c, ING_PRIO_PARSER, ch, "iterable argument unpacking follows keyword argument unpacking");
        } else if (seen_kwsplat || seen_kw) {
          /* CPython points at the closing parenthesis */
          TSPoint ep = ts_node_end_point(al);
          ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", (int)ep.row + 1, (int)ep.column - 1, false,
                        seen_kwsplat ? "positional argument follows keyword argument unpacking"
                                     : "positional argument follows keyword argument");
        }
        ing__list_add(&a, e);
      }
    }
    ing__it_done(&it);
  }
  *args = ing__list_freeze(c, &a);
  *kws = ing__list_freeze(c, &k);
}

__attribute__((noinline)) static py_node *ing__seq(ing_ctx *c, TSNode n, py_kind k, py_ctx ctx) {
  if (ing__type_is(n, "tuple_pattern") && ing__nchildren(n) == 1) {
    /* `(p)` as a target is just p */
    TSNode only = ING_NAMED(n, 0);
    bool comma = false;
    for (uint32_t i = ts_node_end_byte(only); i < ts_node_end_byte(n); i++)
      if (c->src[i] == ',') comma = true;
    if (!comma) return ing__expr(c, only, ctx);
  }
  py_node *r = ing__new(c, k, n);
  r->u.list_or_tuple.elts = ing__exprs(c, n, ctx);
  r->u.list_or_tuple.ctx = ctx;
  r->u.list_or_tuple.parenthesized = k == PY_TUPLE && c->src[ts_node_start_byte(n)] == '(';
  return r;
}

static py_node *ing__expr_inner(ing_ctx *c, TSNode n, py_ctx ctx);

static py_node *ing__expr(ing_ctx *c, TSNode n, py_ctx ctx) {
  if (ts_node_is_null(n)) return NULL;
  if (++c->depth > ING_MAX_DEPTH) {
    c->depth--;
    ing__err_node(c, ING_PRIO_PARSER, n, "expression too deeply nested (CPython gives up with RecursionError)");
    return ing__new(c, PY_NONE, n);
  }
  py_node *r = ing__expr_inner(c, n, ctx);
  c->depth--;
  return r;
}

__attribute__((noinline)) static py_node *ing__lambda(ing_ctx *c, TSNode n) {
  py_node *r = ing__new(c, PY_LAMBDA, n);
  TSNode ps = ts_node_child_by_field_name(n, "parameters", 10);
  r->u.lambda.args = ing__params(c, ps);
  c->func_depth++;
  int saved_loop = c->loop_depth;
  c->loop_depth = 0;
  r->u.lambda.body = ing__expr(c, ts_node_child_by_field_name(n, "body", 4), PY_LOAD);
  c->loop_depth = saved_loop;
  c->func_depth--;
  return r;
}

/* tree-sitter-python 0.23.6 gives '&' a lower precedence than '^' (the
 * reverse of Python's | < ^ < &). Chains of the three bitwise operators
 * are therefore flattened in source order and rebuilt with Python's
 * precedence (all left-associative). */
static int ing__bitop_prec(TSNode op) {
  if (ts_node_is_null(op)) return 0;
  const char *o = ts_node_type(op);
  return !strcmp(o, "|") ? 1 : !strcmp(o, "^") ? 2 : !strcmp(o, "&") ? 3 : 0;
}

typedef struct {
  py_node **operands;
  int *ops;
  int (*ext)[4]; /* each operand's source extent, parentheses included */
  int nopnd, nops, cap;
} ing_chain;

static void ing__chain_push(ing_chain *ch, py_node *x, int op, const int *ext) {
  if (ch->nopnd == ch->cap || ch->nops == ch->cap) {
    ch->cap = ch->cap ? ch->cap * 2 : 16;
    ch->operands = realloc(ch->operands, sizeof(py_node *) * (size_t)ch->cap);
    ch->ops = realloc(ch->ops, sizeof(int) * (size_t)ch->cap);
    ch->ext = realloc(ch->ext, sizeof(int[4]) * (size_t)ch->cap);
    if (!ch->operands || !ch->ops || !ch->ext) abort();
  }
  if (x) {
    memcpy(ch->ext[ch->nopnd], ext, sizeof(int[4]));
    ch->operands[ch->nopnd++] = x;
  } else {
    ch->ops[ch->nops++] = op;
  }
}

static void ing__chain_collect(ing_ctx *c, TSNode n, ing_chain *ch) {
  TSNode op = ts_node_child_by_field_name(n, "operator", 8);
  if (!ing__type_is(n, "binary_operator") || !ing__bitop_prec(op) || c->depth > ING_MAX_DEPTH) {
    TSPoint sp = ts_node_start_point(n), ep = ts_node_end_point(n);
    int ext[4] = {(int)sp.row + 1, ing__ccol(c, (int)sp.row + 1, (int)sp.column), (int)ep.row + 1,
                  ing__ccol(c, (int)ep.row + 1, (int)ep.column)};
    ing__chain_push(ch, ing__expr(c, n, PY_LOAD), 0, ext);
    return;
  }
  c->depth++;
  ing__chain_collect(c, ts_node_child_by_field_name(n, "left", 4), ch);
  ing__chain_push(ch, NULL, ing__bitop_prec(op), NULL);
  ing__chain_collect(c, ts_node_child_by_field_name(n, "right", 5), ch);
  c->depth--;
}

__attribute__((noinline)) static py_node *ing__bitwise(ing_ctx *c, TSNode n) {
  ing_chain ch = {NULL, NULL, NULL, 0, 0, 0};
  ing__chain_collect(c, n, &ch);
  if (ch.nopnd != ch.nops + 1) {
    free(ch.operands);
    free(ch.ops);
    free(ch.ext);
    ing__err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
    return ing__new(c, PY_NONE, n);
  }
  /* shunting-yard over operands[0] op[0] operands[1] ... */
  py_node **vals = malloc(sizeof(py_node *) * (size_t)(ch.nopnd + 1));
  int (*vext)[4] = malloc(sizeof(int[4]) * (size_t)(ch.nopnd + 1));
  int *ops = malloc(sizeof(int) * (size_t)(ch.nops + 1));
  if (!vals || !ops || !vext) abort();
  int nv = 0, no = 0;
  static const py_op kinds[4] = {PY_OP_NONE, PY_OP_BITOR, PY_OP_BITXOR, PY_OP_BITAND};
#define ING__REDUCE()                                                      \
  do {                                                                     \
    nv -= 2;                                                               \
    py_node *l_ = vals[nv], *r_ = vals[nv + 1];                            \
    py_node *b_ = ing__new(c, PY_BIN_OP, n);                               \
    b_->line = vext[nv][0]; b_->col = vext[nv][1];                         \
    b_->end_line = vext[nv + 1][2]; b_->end_col = vext[nv + 1][3];         \
    b_->u.bin_op.left = l_; b_->u.bin_op.right = r_;                       \
    b_->u.bin_op.op = kinds[ops[--no]];                                    \
    vext[nv][2] = vext[nv + 1][2]; vext[nv][3] = vext[nv + 1][3];          \
    vals[nv++] = b_;                                                       \
  } while (0)
  memcpy(vext[nv], ch.ext[0], sizeof(int[4]));
  vals[nv++] = ch.operands[0];
  for (int i = 0; i < ch.nops; i++) {
    while (no > 0 && ops[no - 1] >= ch.ops[i]) ING__REDUCE();
    ops[no++] = ch.ops[i];
    memcpy(vext[nv], ch.ext[i + 1], sizeof(int[4]));
    vals[nv++] = ch.operands[i + 1];
  }
  while (no > 0) ING__REDUCE();
#undef ING__REDUCE
  py_node *r = vals[0];
  free(vals);
  free(vext);
  free(ops);
  free(ch.operands);
  free(ch.ops);
  free(ch.ext);
  return r;
}

/* true */
static __attribute__((noinline)) py_node *ing__x_true(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_BOOL, n);
  r->u.bool_.value = true;
  return r;
}

/* not_operator */
static __attribute__((noinline)) py_node *ing__x_not_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_UNARY_OP, n);
  r->u.unary_op.op = PY_OP_NOT;
  r->u.unary_op.operand = ing__expr(c, ts_node_child_by_field_name(n, "argument", 8), PY_LOAD);
  return r;
}

/* named_expression */
static __attribute__((noinline)) py_node *ing__x_named_expression(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_NAMED_EXPR, n);
  r->u.named_expr.target = ing__name(c, ts_node_child_by_field_name(n, "name", 4), PY_STORE);
  r->u.named_expr.value = ing__expr(c, ts_node_child_by_field_name(n, "value", 5), PY_LOAD);
  return r;
}

/* set */
static __attribute__((noinline)) py_node *ing__x_set(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_SET, n);
  r->u.set.elts = ing__exprs(c, n, PY_LOAD);
  return r;
}

/* subscript */
static __attribute__((noinline)) py_node *ing__x_subscript(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  r = ing__new(c, PY_SUBSCRIPT, n);
  r->u.subscript.ctx = ctx;
  r->u.subscript.value = ing__expr(c, ts_node_child_by_field_name(n, "value", 5), PY_LOAD);
  ing_list l;
  ing__list_init(&l);
  uint32_t cnt = ts_node_child_count(n);
  bool trailing_comma = false, in_sub = false;
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_CHILD(n, i);
    if (!ts_node_is_named(ch)) {
      if (ing__type_is(ch, "[")) in_sub = true;
      if (in_sub && ing__type_is(ch, ",")) trailing_comma = true;
      continue;
    }
    if (!in_sub || ing__skip(ch)) continue;
    trailing_comma = false;
    ing__list_add(&l, ing__expr(c, ch, PY_LOAD));
  }
  if (l.n == 1 && !trailing_comma) {
    r->u.subscript.slice = l.v[0];
    (void)ing__list_freeze(c, &l);
  } else {
    py_node *tp = ing__new(c, PY_TUPLE, n);
    tp->u.list_or_tuple.elts = ing__list_freeze(c, &l);
    if (tp->u.list_or_tuple.elts.n) {
      py_node *f = tp->u.list_or_tuple.elts.v[0], *la = tp->u.list_or_tuple.elts.v[tp->u.list_or_tuple.elts.n - 1];
      tp->line = f->line; tp->col = f->col; tp->end_line = la->end_line; tp->end_col = la->end_col;
    }
    r->u.subscript.slice = tp;
  }
  return r;
}

/* slice */
static __attribute__((noinline)) py_node *ing__x_slice(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_SLICE, n);
  int part = 0;
  uint32_t cnt = ts_node_child_count(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_CHILD(n, i);
    if (!ts_node_is_named(ch)) {
      if (ing__type_is(ch, ":")) part++;
      continue;
    }
    if (ing__skip(ch)) continue;
    py_node *e = ing__expr(c, ch, PY_LOAD);
    if (part == 0) r->u.slice.lower = e;
    else if (part == 1) r->u.slice.upper = e;
    else r->u.slice.step = e;
  }
  return r;
}

/* set_comprehension */
static __attribute__((noinline)) py_node *ing__x_set_comprehension(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_SET_COMP, n);
  r->u.comp.elt = ing__expr(c, ts_node_child_by_field_name(n, "body", 4), PY_LOAD);
  r->u.comp.generators = ing__generators(c, n);
  return r;
}

/* parenthesized_expression */
static __attribute__((noinline)) py_node *ing__x_parenthesized_expression(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  TSNode in = ING_NULL_NODE;
  uint32_t cnt = ing__nchildren(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (!ing__skip(ch)) { in = ING_NAMED(n, i); break; }
  }
  if (ts_node_is_null(in)) return ing__new(c, PY_TUPLE, n);
  r = ing__expr(c, in, ctx);
  return r;
}

/* list_comprehension */
static __attribute__((noinline)) py_node *ing__x_list_comprehension(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_LIST_COMP, n);
  r->u.comp.elt = ing__expr(c, ts_node_child_by_field_name(n, "body", 4), PY_LOAD);
  r->u.comp.generators = ing__generators(c, n);
  return r;
}

/* generator_expression */
static __attribute__((noinline)) py_node *ing__x_generator_expression(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_GENERATOR_EXP, n);
  r->u.comp.elt = ing__expr(c, ts_node_child_by_field_name(n, "body", 4), PY_LOAD);
  r->u.comp.generators = ing__generators(c, n);
  return r;
}

/* dictionary */
static __attribute__((noinline)) py_node *ing__x_dictionary(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_DICT, n);
  ing_list k, v;
  ing__list_init(&k);
  ing__list_init(&v);
  ing_it it;
  ing__it_init(&it, n);
  for (TSNode ch; ing__it_next(&it, &ch, false);) {
    if (ing__skip(ch)) continue;
    if (ing__type_is(ch, "pair")) {
      ing__list_add(&k, ing__expr(c, ts_node_child_by_field_name(ch, "key", 3), PY_LOAD));
      ing__list_add(&v, ing__expr(c, ts_node_child_by_field_name(ch, "value", 5), PY_LOAD));
    } else if (ing__type_is(ch, "dictionary_splat")) {
      ing__list_add(&k, NULL);
      ing__list_add(&v, ing__expr(c, ING_NAMED(ch, 0), PY_LOAD));
    } else {
      ing__expr(c, ch, PY_LOAD); /* reports ERROR nodes */
    }
  }
  ing__it_done(&it);
  r->u.dict.keys = ing__list_freeze(c, &k);
  r->u.dict.values = ing__list_freeze(c, &v);
  return r;
}

/* dictionary_comprehension */
static __attribute__((noinline)) py_node *ing__x_dictionary_comprehension(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_DICT_COMP, n);
  TSNode pair = ts_node_child_by_field_name(n, "body", 4);
  r->u.comp.elt = ing__expr(c, ts_node_child_by_field_name(pair, "key", 3), PY_LOAD);
  r->u.comp.value = ing__expr(c, ts_node_child_by_field_name(pair, "value", 5), PY_LOAD);
  r->u.comp.generators = ing__generators(c, n);
  return r;
}

/* dotted_name */
static __attribute__((noinline)) py_node *ing__x_dotted_name(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  (void)r;
  uint32_t cnt = ing__nchildren(n);
  py_node *cur = NULL;
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (!cur) {
      cur = ing__name(c, ch, PY_LOAD);
    } else {
      py_node *a = ing__new(c, PY_ATTRIBUTE, n);
      a->end_line = (int)ts_node_end_point(ch).row + 1;
      a->end_col = ing__ccol(c, a->end_line, (int)ts_node_end_point(ch).column);
      a->u.attribute.value = cur;
      a->u.attribute.attr = ing__text(c, ch);
      cur = a;
    }
  }
  return cur;
}

/* attribute */
static __attribute__((noinline)) py_node *ing__x_attribute(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  r = ing__new(c, PY_ATTRIBUTE, n);
  r->u.attribute.ctx = ctx;
  r->u.attribute.value = ing__expr(c, ts_node_child_by_field_name(n, "object", 6), PY_LOAD);
  r->u.attribute.attr = ing__text(c, ts_node_child_by_field_name(n, "attribute", 9));
  return r;
}

/* await */
static __attribute__((noinline)) py_node *ing__x_await(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_AWAIT, n);
  r->u.await_.value = ing__expr(c, ING_NAMED(n, 0), PY_LOAD);
  if (c->func_depth == 0) ing__err_node(c, ING_PRIO_COMPILE, n, "'await' outside function");
  return r;
}

/* as_pattern */
static __attribute__((noinline)) py_node *ing__x_as_pattern(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)r;
  /* only valid inside with/except, which handle it; elsewhere invalid */
  ing__err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
  return ing__expr(c, ING_NAMED(n, 0), ctx);
}

/* binary_operator */
static __attribute__((noinline)) py_node *ing__x_binary_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_BIN_OP, n);
  r->u.bin_op.left = ing__expr(c, ts_node_child_by_field_name(n, "left", 4), PY_LOAD);
  TSNode op = ts_node_child_by_field_name(n, "operator", 8);
  r->u.bin_op.op = ing__binop(ts_node_type(op));
  r->u.bin_op.right = ing__expr(c, ts_node_child_by_field_name(n, "right", 5), PY_LOAD);
  return r;
}

/* boolean_operator */
static __attribute__((noinline)) py_node *ing__x_boolean_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_BOOL_OP, n);
  TSNode op = ts_node_child_by_field_name(n, "operator", 8);
  r->u.bool_op.op = ing__type_is(op, "and") ? PY_OP_AND : PY_OP_OR;
  ing_list l;
  ing__list_init(&l);
  py_node *left = ing__expr(c, ts_node_child_by_field_name(n, "left", 4), PY_LOAD);
  TSNode ln = ts_node_child_by_field_name(n, "left", 4);
  if (left && left->kind == PY_BOOL_OP && left->u.bool_op.op == r->u.bool_op.op && ing__type_is(ln, "boolean_operator")) {
    for (int i = 0; i < left->u.bool_op.values.n; i++) ing__list_add(&l, left->u.bool_op.values.v[i]);
  } else {
    ing__list_add(&l, left);
  }
  ing__list_add(&l, ing__expr(c, ts_node_child_by_field_name(n, "right", 5), PY_LOAD));
  r->u.bool_op.values = ing__list_freeze(c, &l);
  return r;
}

/* unary_operator */
static __attribute__((noinline)) py_node *ing__x_unary_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_UNARY_OP, n);
  TSNode op = ts_node_child_by_field_name(n, "operator", 8);
  const char *o = ts_node_type(op);
  r->u.unary_op.op = o[0] == '-' ? PY_OP_USUB : o[0] == '+' ? PY_OP_UADD : PY_OP_INVERT;
  r->u.unary_op.operand = ing__expr(c, ts_node_child_by_field_name(n, "argument", 8), PY_LOAD);
  return r;
}

/* call */
static __attribute__((noinline)) py_node *ing__x_call(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_CALL, n);
  r->u.call.func = ing__expr(c, ts_node_child_by_field_name(n, "function", 8), PY_LOAD);
  ing__call_args(c, ts_node_child_by_field_name(n, "arguments", 9), &r->u.call.args, &r->u.call.keywords);
  return r;
}

/* comparison_operator */
static __attribute__((noinline)) py_node *ing__x_comparison_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_COMPARE, n);
  ing_list l;
  ing__list_init(&l);
  int cap = 8, nops = 0;
  py_op *opv = p_arena_alloc(c->a, (size_t)cap * sizeof *opv);
  bool first = true, last_is = false, pending_not = false;
  ing_it it;
  ing__it_init(&it, n);
  for (TSNode ch; ing__it_next(&it, &ch, true);) {
    if (ts_node_is_named(ch)) {
      if (ing__skip(ch)) continue;
      py_node *e = ing__expr(c, ch, PY_LOAD);
      if (first) r->u.compare.left = e;
      else ing__list_add(&l, e);
      first = false;
      last_is = pending_not = false;
      continue;
    }
    /* "not in" / "is not" may come as one token or two */
    const char *ot = ts_node_type(ch);
    if (!strcmp(ot, "not")) {
      if (last_is) opv[nops - 1] = PY_OP_ISNOT;
      else pending_not = true;
      last_is = false;
      continue;
    }
    py_op op = ing__cmpop(ot);
    if (op == PY_OP_NONE) continue;
    if (op == PY_OP_IN && pending_not) op = PY_OP_NOTIN;
    pending_not = false;
    last_is = op == PY_OP_IS;
    if (nops == cap) {
      py_op *nv = p_arena_alloc(c->a, (size_t)cap * 2 * sizeof *nv);
      memcpy(nv, opv, (size_t)nops * sizeof *nv);
      opv = nv;
      cap *= 2;
    }
    opv[nops++] = op;
  }
  ing__it_done(&it);
  r->u.compare.ops = opv;
  r->u.compare.comparators = ing__list_freeze(c, &l);
  return r;
}

/* conditional_expression */
static __attribute__((noinline)) py_node *ing__x_conditional_expression(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  r = ing__new(c, PY_IF_EXP, n);
  py_node *x[3] = {NULL, NULL, NULL};
  int k = 0;
  uint32_t cnt = ing__nchildren(n);
  for (uint32_t i = 0; i < cnt && k < 3; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (!ing__skip(ch)) x[k++] = ing__expr(c, ch, PY_LOAD);
  }
  r->u.if_exp.body = x[0];
  r->u.if_exp.test = x[1];
  r->u.if_exp.orelse = x[2];
  return r;
}

/* yield */
static __attribute__((noinline)) py_node *ing__x_yield(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  bool from = false;
  uint32_t cnt = ts_node_child_count(n);
  for (uint32_t i = 0; i < cnt; i++)
    if (!ts_node_is_named(ING_CHILD(n, i)) && ing__type_is(ING_CHILD(n, i), "from")) from = true;
  r = ing__new(c, from ? PY_YIELD_FROM : PY_YIELD, n);
  TSNode v = ING_NULL_NODE;
  for (uint32_t i = 0; i < ing__nchildren(n); i++)
    if (!ing__skip(ING_NAMED(n, i))) v = ING_NAMED(n, i);
  if (!ts_node_is_null(v)) r->u.yield.value = ing__expr(c, v, PY_LOAD);
  if (c->func_depth == 0) ing__err_node(c, ING_PRIO_COMPILE, n, "'yield' outside function");
  return r;
}

/* keyword_argument */
static __attribute__((noinline)) py_node *ing__x_keyword_argument(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = NULL;
  (void)ctx;
  (void)r;
  /* a keyword argument outside a call: `f(x=1)` is handled by calls */
  ing__err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
  return ing__new(c, PY_NONE, n);
}

static py_node *ing__expr_inner(ing_ctx *c, TSNode n, py_ctx ctx) {
  const char *t = ts_node_type(n);
  py_node *r;
  if (ts_node_is_missing(n) || strcmp(t, "ERROR") == 0) {
    ing__err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
    return ing__new(c, PY_NONE, n);
  }
  switch (t[0]) {
  case 'i':
    if (!strcmp(t, "identifier")) return ing__name(c, n, ctx);
    if (!strcmp(t, "integer")) return ing__number_node(c, n, ing__text(c, n), false);
    break;
  case 'f':
    if (!strcmp(t, "float")) return ing__number_node(c, n, ing__text(c, n), false);
    if (!strcmp(t, "false")) {
      r = ing__new(c, PY_BOOL, n);
      return r;
    }
    break;
  case 't':
    if (!strcmp(t, "true")) return ing__x_true(c, n, ctx);
    if (!strcmp(t, "tuple") || !strcmp(t, "tuple_pattern")) return ing__seq(c, n, PY_TUPLE, ctx);
    if (!strcmp(t, "type")) return ing__expr(c, ING_NAMED(n, 0), ctx);
    break;
  case 'n':
    if (!strcmp(t, "none")) return ing__new(c, PY_NONE, n);
    if (!strcmp(t, "not_operator")) return ing__x_not_operator(c, n, ctx);
    if (!strcmp(t, "named_expression")) return ing__x_named_expression(c, n, ctx);
    break;
  case 'e':
    if (!strcmp(t, "ellipsis")) return ing__new(c, PY_ELLIPSIS, n);
    if (!strcmp(t, "expression_list")) return ing__seq(c, n, PY_TUPLE, ctx);
    break;
  case 's':
    if (!strcmp(t, "string")) return ing__string(c, n);
    if (!strcmp(t, "set")) return ing__x_set(c, n, ctx);
    if (!strcmp(t, "subscript")) return ing__x_subscript(c, n, ctx);
    if (!strcmp(t, "slice")) return ing__x_slice(c, n, ctx);
    if (!strcmp(t, "set_comprehension")) return ing__x_set_comprehension(c, n, ctx);
    break;
  case 'p':
    if (!strcmp(t, "parenthesized_expression")) return ing__x_parenthesized_expression(c, n, ctx);
    if (!strcmp(t, "pattern_list")) return ing__seq(c, n, PY_TUPLE, ctx);
    if (!strcmp(t, "parenthesized_list_splat")) return ing__expr(c, ING_NAMED(n, 0), ctx);
    if (!strcmp(t, "pair")) break;
    break;
  case 'l':
    if (!strcmp(t, "list") || !strcmp(t, "list_pattern")) return ing__seq(c, n, PY_LIST, ctx);
    if (!strcmp(t, "list_splat") || !strcmp(t, "list_splat_pattern")) {
      r = ing__new(c, PY_STARRED, n);
      r->u.starred.ctx = ctx;
      r->u.starred.value = ing__expr(c, ING_NAMED(n, 0), ctx);
      return r;
    }
    if (!strcmp(t, "list_comprehension")) return ing__x_list_comprehension(c, n, ctx);
    if (!strcmp(t, "lambda")) return ing__lambda(c, n);
    break;
  case 'g':
    if (!strcmp(t, "generator_expression")) return ing__x_generator_expression(c, n, ctx);
    break;
  case 'd':
    if (!strcmp(t, "dictionary")) return ing__x_dictionary(c, n, ctx);
    if (!strcmp(t, "dictionary_comprehension")) return ing__x_dictionary_comprehension(c, n, ctx);
    if (!strcmp(t, "dictionary_splat_pattern")) {
      return ing__expr(c, ING_NAMED(n, 0), ctx);
    }
    if (!strcmp(t, "dotted_name")) return ing__x_dotted_name(c, n, ctx);
    break;
  case 'a':
    if (!strcmp(t, "attribute")) return ing__x_attribute(c, n, ctx);
    if (!strcmp(t, "await")) return ing__x_await(c, n, ctx);
    if (!strcmp(t, "as_pattern")) return ing__x_as_pattern(c, n, ctx);
    break;
  case 'b':
    if (!strcmp(t, "binary_operator") && ing__bitop_prec(ts_node_child_by_field_name(n, "operator", 8)))
      return ing__bitwise(c, n);
    if (!strcmp(t, "binary_operator")) return ing__x_binary_operator(c, n, ctx);
    if (!strcmp(t, "boolean_operator")) return ing__x_boolean_operator(c, n, ctx);
    break;
  case 'u':
    if (!strcmp(t, "unary_operator")) return ing__x_unary_operator(c, n, ctx);
    break;
  case 'c':
    if (!strcmp(t, "concatenated_string")) return ing__string(c, n);
    if (!strcmp(t, "call")) return ing__x_call(c, n, ctx);
    if (!strcmp(t, "comparison_operator")) return ing__x_comparison_operator(c, n, ctx);
    if (!strcmp(t, "conditional_expression")) return ing__x_conditional_expression(c, n, ctx);
    break;
  case 'y':
    if (!strcmp(t, "yield")) return ing__x_yield(c, n, ctx);
    break;
  case 'k':
    if (!strcmp(t, "keyword_argument")) return ing__x_keyword_argument(c, n, ctx);
    break;
  default:
    break;
  }
  if (!strcmp(t, "generic_type")) {
    /* list[int] in an annotation */
    r = ing__new(c, PY_SUBSCRIPT, n);
    r->u.subscript.value = ing__expr(c, ING_NAMED(n, 0), PY_LOAD);
    TSNode tp = ING_NAMED(n, 1);
    ing_list l;
    ing__list_init(&l);
    for (uint32_t i = 0; !ts_node_is_null(tp) && i < ing__nchildren(tp); i++) {
      TSNode ch = ING_NAMED(tp, i);
      if (!ing__skip(ch)) ing__list_add(&l, ing__expr(c, ch, PY_LOAD));
    }
    if (l.n == 1) {
      r->u.subscript.slice = l.v[0];
      (void)ing__list_freeze(c, &l);
    } else {
      py_node *tu = ing__new(c, PY_TUPLE, ts_node_is_null(tp) ? n : tp);
      tu->u.list_or_tuple.elts = ing__list_freeze(c, &l);
      r->u.subscript.slice = tu;
    }
    return r;
  }
  if (!strcmp(t, "union_type")) {
    r = ing__new(c, PY_BIN_OP, n);
    r->u.bin_op.op = PY_OP_BITOR;
    r->u.bin_op.left = ing__expr(c, ING_NAMED(n, 0), PY_LOAD);
    r->u.bin_op.right = ing__expr(c, ING_NAMED(n, 1), PY_LOAD);
    return r;
  }
  if (!strcmp(t, "member_type")) {
    r = ing__new(c, PY_ATTRIBUTE, n);
    r->u.attribute.value = ing__expr(c, ING_NAMED(n, 0), PY_LOAD);
    r->u.attribute.attr = ing__text(c, ING_NAMED(n, 1));
    return r;
  }
  if (!strcmp(t, "print_statement")) {
    ing__err_node(c, ING_PRIO_PARSER, n, "Missing parentheses in call to 'print'. Did you mean print(...)?");
    return ing__new(c, PY_NONE, n);
  }
  ing__err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
  return ing__new(c, PY_NONE, n);
}

/* ------------------------------------------------------------ parameters */

__attribute__((noinline)) static py_arguments *ing__params(ing_ctx *c, TSNode ps) {
  py_arguments *a = p_arena_alloc(c->a, sizeof *a);
  if (ts_node_is_null(ps)) return a;
  ing_list all, pos, norm, kwo;
  ing__list_init(&all);
  ing__list_init(&pos);
  ing__list_init(&norm);
  ing__list_init(&kwo);
  int mode = PY_PARAM_NORMAL;
  bool seen_default = false;
  uint32_t cnt = ing__nchildren(ps);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode p = ING_NAMED(ps, i);
    const char *t = ts_node_type(p);
    if (ing__skip(p)) continue;
    if (!strcmp(t, "positional_separator")) {
      a->has_slash_marker = true;
      for (int j = 0; j < norm.n; j++) {
        norm.v[j]->u.arg.kind = PY_PARAM_POSONLY;
        ing__list_add(&pos, norm.v[j]);
      }
      norm.n = 0;
      continue;
    }
    if (!strcmp(t, "keyword_separator")) {
      a->has_star_marker = true;
      mode = PY_PARAM_KWONLY;
      continue;
    }
    py_node *arg = ing__new(c, PY_ARG, p);
    TSNode nm = p;
    int kind = mode;
    if (!strcmp(t, "typed_parameter")) {
      nm = ING_NAMED(p, 0);
      arg->u.arg.annotation = ing__expr(c, ts_node_child_by_field_name(p, "type", 4), PY_LOAD);
    } else if (!strcmp(t, "default_parameter") || !strcmp(t, "typed_default_parameter")) {
      nm = ts_node_child_by_field_name(p, "name", 4);
      TSNode ty = ts_node_child_by_field_name(p, "type", 4);
      if (!ts_node_is_null(ty)) arg->u.arg.annotation = ing__expr(c, ty, PY_LOAD);
      arg->u.arg.default_ = ing__expr(c, ts_node_child_by_field_name(p, "value", 5), PY_LOAD);
    }
    if (ing__type_is(nm, "list_splat_pattern")) {
      kind = PY_PARAM_VARARG;
      nm = ING_NAMED(nm, 0);
      mode = PY_PARAM_KWONLY;
    } else if (ing__type_is(nm, "dictionary_splat_pattern")) {
      kind = PY_PARAM_KWARG;
      nm = ING_NAMED(nm, 0);
    }
    if (ts_node_is_null(nm) || !ing__type_is(nm, "identifier")) {
      ing__err_node(c, ING_PRIO_PARSER, p, "invalid syntax");
      continue;
    }
    arg->u.arg.name = ing__text(c, nm);
    arg->u.arg.kind = (py_param_kind)kind;
    for (int j = 0; j < all.n; j++)
      if (strcmp(all.v[j]->u.arg.name, arg->u.arg.name) == 0)
        ing__err_node(c, ING_PRIO_COMPILE, nm, "duplicate argument '%s' in function definition", arg->u.arg.name);
    if (kind == PY_PARAM_NORMAL) {
      if (arg->u.arg.default_) seen_default = true;
      else if (seen_default)
        ing__err_node(c, ING_PRIO_PARSER, p, "non-default argument follows default argument");
      ing__list_add(&norm, arg);
    } else if (kind == PY_PARAM_KWONLY) {
      ing__list_add(&kwo, arg);
    } else if (kind == PY_PARAM_VARARG) {
      a->vararg = arg;
    } else {
      a->kwarg = arg;
    }
    ing__list_add(&all, arg);
  }
  /* posonly args were moved when '/' came; fix the `all` order kinds */
  a->posonly = ing__list_freeze(c, &pos);
  a->args = ing__list_freeze(c, &norm);
  a->kwonly = ing__list_freeze(c, &kwo);
  a->all = ing__list_freeze(c, &all);
  if (a->has_star_marker && a->kwonly.n == 0 && !a->vararg) {
    TSNode at = ps;
    for (uint32_t i = 0; i < cnt; i++)
      if (ing__type_is(ING_NAMED(ps, i), "keyword_separator")) at = ING_NAMED(ps, i);
    ing__err_node(c, ING_PRIO_PARSER, at, "named arguments must follow bare *");
  }
  return a;
}

/* ------------------------------------------------------------ patterns */

__attribute__((noinline)) static py_node *ing__pattern_value(ing_ctx *c, TSNode n) {
  const char *t = ts_node_type(n);
  if (!strcmp(t, "integer") || !strcmp(t, "float")) {
    const char *txt = ing__text(c, n);
    TSNode prev = ts_node_prev_sibling(n);
    bool minus_tok = !ts_node_is_null(prev) && !ts_node_is_named(prev) && ing__type_is(prev, "-") &&
                     !ing__type_is(ts_node_parent(n), "complex_pattern");
    if (minus_tok) txt = p_arena_printf(c->a, "-%s", txt);
    if (txt[0] == '-') {
      py_node *u = ing__new(c, minus_tok ? PY_UNARY_OP : PY_UNARY_OP, minus_tok ? prev : n);
      u->end_line = (int)ts_node_end_point(n).row + 1;
      u->end_col = ing__ccol(c, u->end_line, (int)ts_node_end_point(n).column);
      u->u.unary_op.op = PY_OP_USUB;
      u->u.unary_op.operand = ing__number_node(c, n, txt + 1, false);
      if (!minus_tok) u->u.unary_op.operand->col++;
      return u;
    }
    return ing__number_node(c, n, txt, false);
  }
  if (!strcmp(t, "complex_pattern")) {
    /* [-]real (+|-) imag */
    py_node *b = ing__new(c, PY_BIN_OP, n);
    uint32_t cnt = ts_node_child_count(n);
    py_node *l = NULL, *r = NULL;
    bool neg_first = false;
    for (uint32_t i = 0; i < cnt; i++) {
      TSNode ch = ING_CHILD(n, i);
      if (!ts_node_is_named(ch)) {
        if (ing__type_is(ch, "-")) {
          if (!l) neg_first = true;
          else b->u.bin_op.op = PY_OP_SUB;
        } else if (ing__type_is(ch, "+")) {
          b->u.bin_op.op = PY_OP_ADD;
        }
        continue;
      }
      py_node *v = ing__pattern_value(c, ch);
      if (!l) {
        if (neg_first) {
          py_node *u = ing__new(c, PY_UNARY_OP, n);
          u->u.unary_op.op = PY_OP_USUB;
          u->u.unary_op.operand = v;
          v = u;
        }
        l = v;
      } else {
        r = v;
      }
    }
    if (b->u.bin_op.op == PY_OP_NONE) b->u.bin_op.op = PY_OP_ADD;
    b->u.bin_op.left = l;
    b->u.bin_op.right = r;
    return b;
  }
  return ing__expr(c, n, PY_LOAD);
}

__attribute__((noinline)) static py_node *ing__pattern(ing_ctx *c, TSNode n) {
  if (++c->depth > ING_MAX_DEPTH) {
    c->depth--;
    ing__err_node(c, ING_PRIO_PARSER, n, "pattern too deeply nested");
    return ing__new(c, PY_MATCH_AS, n);
  }
  const char *t = ts_node_type(n);
  py_node *r = NULL;
  if (!strcmp(t, "case_pattern")) {
    /* a case_pattern wraps one pattern, or is a '-' number handled below */
    uint32_t cnt = ing__nchildren(n);
    TSNode only = ING_NULL_NODE;
    for (uint32_t i = 0; i < cnt; i++)
      if (!ing__skip(ING_NAMED(n, i))) only = ING_NAMED(n, i);
    if (ts_node_is_null(only)) {
      /* the wildcard `_` is an anonymous token */
      r = ing__new(c, PY_MATCH_AS, n);
    } else {
      r = ing__pattern(c, only);
    }
  } else if (!strcmp(t, "as_pattern")) {
    r = ing__new(c, PY_MATCH_AS, n);
    r->u.match_as.pattern = ing__pattern(c, ING_NAMED(n, 0));
    TSNode al = ING_NAMED(n, ing__nchildren(n) - 1);
    if (ing__type_is(al, "as_pattern_target")) al = ING_NAMED(al, 0);
    const char *nm = ing__text(c, al);
    r->u.match_as.name = strcmp(nm, "_") == 0 ? NULL : nm;
    if (!r->u.match_as.name) ing__err_node(c, ING_PRIO_PARSER, al, "cannot use '_' as a target");
  } else if (!strcmp(t, "union_pattern")) {
    r = ing__new(c, PY_MATCH_OR, n);
    ing_list l;
    ing__list_init(&l);
    uint32_t cnt = ts_node_child_count(n);
    for (uint32_t i = 0; i < cnt; i++) {
      TSNode ch = ING_CHILD(n, i);
      if (!ts_node_is_named(ch)) {
        if (ing__type_is(ch, "_")) ing__list_add(&l, ing__new(c, PY_MATCH_AS, ch));
        continue;
      }
      if (ing__skip(ch)) continue;
      py_node *p = ing__pattern(c, ch);
      if (p->kind == PY_MATCH_OR)
        for (int j = 0; j < p->u.match_seq.patterns.n; j++) ing__list_add(&l, p->u.match_seq.patterns.v[j]);
      else
        ing__list_add(&l, p);
    }
    r->u.match_seq.patterns = ing__list_freeze(c, &l);
  } else if (!strcmp(t, "list_pattern") || !strcmp(t, "tuple_pattern")) {
    r = ing__new(c, PY_MATCH_SEQUENCE, n);
    ing_list l;
    ing__list_init(&l);
    uint32_t cnt = ing__nchildren(n);
    for (uint32_t i = 0; i < cnt; i++) {
      TSNode ch = ING_NAMED(n, i);
      if (!ing__skip(ch)) ing__list_add(&l, ing__pattern(c, ch));
    }
    r->u.match_seq.patterns = ing__list_freeze(c, &l);
    /* (p) alone is just p */
    if (!strcmp(t, "tuple_pattern") && r->u.match_seq.patterns.n == 1) {
      uint32_t e = ts_node_end_byte(n);
      bool comma = false;
      for (uint32_t i = ts_node_end_byte(ING_NAMED(n, ing__nchildren(n) - 1)); i < e; i++)
        if (c->src[i] == ',') comma = true;
      if (!comma) r = r->u.match_seq.patterns.v[0];
    }
  } else if (!strcmp(t, "splat_pattern")) {
    r = ing__new(c, PY_MATCH_STAR, n);
    TSNode id = ING_NAMED(n, 0);
    if (!ts_node_is_null(id)) {
      const char *nm = ing__text(c, id);
      r->u.match_star.name = strcmp(nm, "_") == 0 ? NULL : nm;
    }
  } else if (!strcmp(t, "dict_pattern")) {
    r = ing__new(c, PY_MATCH_MAPPING, n);
    ing_list k, v;
    ing__list_init(&k);
    ing__list_init(&v);
    TSTreeCursor cur = ts_tree_cursor_new(n);
    bool more = ts_tree_cursor_goto_first_child(&cur);
    for (; more; more = ts_tree_cursor_goto_next_sibling(&cur)) {
      TSNode ch = ts_tree_cursor_current_node(&cur);
      const char *fn = ts_tree_cursor_current_field_name(&cur);
      if (!ts_node_is_named(ch) || ing__skip(ch)) continue;
      if (ing__type_is(ch, "splat_pattern")) {
        TSNode id = ING_NAMED(ch, 0);
        if (!ts_node_is_null(id)) r->u.match_mapping.rest = ing__text(c, id);
      } else if (fn && !strcmp(fn, "key")) {
        ing__list_add(&k, ing__pattern_value(c, ch));
      } else if (fn && !strcmp(fn, "value")) {
        ing__list_add(&v, ing__pattern(c, ch));
      }
    }
    ts_tree_cursor_delete(&cur);
    r->u.match_mapping.keys = ing__list_freeze(c, &k);
    r->u.match_mapping.patterns = ing__list_freeze(c, &v);
  } else if (!strcmp(t, "class_pattern")) {
    r = ing__new(c, PY_MATCH_CLASS, n);
    ing_list p, kp;
    ing__list_init(&p);
    ing__list_init(&kp);
    int nkw = 0;
    const char **kws = p_arena_alloc(c->a, sizeof(char *) * (ing__nchildren(n) + 1));
    uint32_t cnt = ing__nchildren(n);
    for (uint32_t i = 0; i < cnt; i++) {
      TSNode ch = ING_NAMED(n, i);
      if (ing__skip(ch)) continue;
      if (i == 0 && ing__type_is(ch, "dotted_name")) {
        r->u.match_class.cls = ing__expr(c, ch, PY_LOAD);
        continue;
      }
      TSNode in = ch;
      if (ing__type_is(ch, "case_pattern") && ing__nchildren(ch) == 1 &&
          ing__type_is(ING_NAMED(ch, 0), "keyword_pattern"))
        in = ING_NAMED(ch, 0);
      if (ing__type_is(in, "keyword_pattern")) {
        kws[nkw++] = ing__text(c, ING_NAMED(in, 0));
        TSNode pv = ING_NAMED(in, 1);
        ing__list_add(&kp, ing__pattern(c, pv));
      } else {
        if (nkw) ing__err_node(c, ING_PRIO_PARSER, ch, "positional patterns follow keyword patterns");
        ing__list_add(&p, ing__pattern(c, ch));
      }
    }
    r->u.match_class.patterns = ing__list_freeze(c, &p);
    r->u.match_class.kwd_patterns = ing__list_freeze(c, &kp);
    r->u.match_class.kwd_attrs.v = kws;
    r->u.match_class.kwd_attrs.n = nkw;
  } else if (!strcmp(t, "dotted_name")) {
    if (ing__nchildren(n) == 1) {
      const char *nm = ing__text(c, n);
      r = ing__new(c, PY_MATCH_AS, n);
      r->u.match_as.name = strcmp(nm, "_") == 0 ? NULL : nm;
    } else {
      r = ing__new(c, PY_MATCH_VALUE, n);
      r->u.match_value.value = ing__expr(c, n, PY_LOAD);
    }
  } else if (!strcmp(t, "identifier")) {
    const char *nm = ing__text(c, n);
    r = ing__new(c, PY_MATCH_AS, n);
    r->u.match_as.name = strcmp(nm, "_") == 0 ? NULL : nm;
  } else if (!strcmp(t, "true") || !strcmp(t, "false") || !strcmp(t, "none")) {
    r = ing__new(c, PY_MATCH_SINGLETON, n);
    r->u.match_value.value = ing__expr(c, n, PY_LOAD);
  } else if (!strcmp(t, "keyword_pattern")) {
    ing__err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
    r = ing__new(c, PY_MATCH_AS, n);
  } else {
    r = ing__new(c, PY_MATCH_VALUE, n);
    r->u.match_value.value = ing__pattern_value(c, n);
    py_node *v = r->u.match_value.value;
    r->line = v->line;
    r->col = v->col;
  }
  c->depth--;
  return r;
}

/* ------------------------------------------------------------ statements */

static py_node *ing__stmt(ing_ctx *c, TSNode n, ing_list *out);

static const char *ing__docstring(py_nodes body) {
  if (body.n == 0) return NULL;
  py_node *s = body.v[0];
  if (s->kind == PY_EXPR && s->u.expr.value && s->u.expr.value->kind == PY_STR) {
    s->u.expr.value->u.str.is_docstring = true;
    return s->u.expr.value->u.str.s;
  }
  return NULL;
}

static py_nodes ing__block(ing_ctx *c, TSNode n) {
  ing_list l;
  ing__list_init(&l);
  if (!ts_node_is_null(n)) {
    if (++c->depth > ING_MAX_DEPTH) {
      c->depth--;
      ing__err_node(c, ING_PRIO_PARSER, n, "too many statically nested blocks");
      return ing__list_freeze(c, &l);
    }
    ing_it it;
    ing__it_init(&it, n);
    for (TSNode ch; ing__it_next(&it, &ch, false);) {
      if (ing__skip(ch)) continue;
      if (ing__type_is(ch, "case_clause")) continue; /* handled by match */
      ing__stmt(c, ch, &l);
    }
    ing__it_done(&it);
    c->depth--;
  }
  return ing__list_freeze(c, &l);
}

/* Lowers an assignment node (possibly chained) into Assign/AnnAssign. */
__attribute__((noinline)) static py_node *ing__assignment(ing_ctx *c, TSNode n) {
  TSNode ty = ts_node_child_by_field_name(n, "type", 4);
  TSNode left = ts_node_child_by_field_name(n, "left", 4);
  TSNode right = ts_node_child_by_field_name(n, "right", 5);
  if (!ts_node_is_null(ty)) {
    py_node *r = ing__new(c, PY_ANN_ASSIGN, n);
    r->u.ann_assign.target = ing__expr(c, left, PY_STORE);
    ing__set_ctx(c, r->u.ann_assign.target, PY_STORE, left);
    r->u.ann_assign.simple = ing__type_is(left, "identifier");
    if (r->u.ann_assign.target && (r->u.ann_assign.target->kind == PY_TUPLE || r->u.ann_assign.target->kind == PY_LIST))
      ing__err_node(c, ING_PRIO_PARSER, left, "only single target (not %s) can be annotated",
                    r->u.ann_assign.target->kind == PY_TUPLE ? "tuple" : "list");
    r->u.ann_assign.annotation = ing__expr(c, ty, PY_LOAD);
    if (!ts_node_is_null(right)) r->u.ann_assign.value = ing__expr(c, right, PY_LOAD);
    return r;
  }
  py_node *r = ing__new(c, PY_ASSIGN, n);
  ing_list targets;
  ing__list_init(&targets);
  TSNode cur = n;
  for (;;) {
    TSNode l = ts_node_child_by_field_name(cur, "left", 4);
    py_node *t = ing__expr(c, l, PY_STORE);
    ing__set_ctx(c, t, PY_STORE, l);
    ing__list_add(&targets, t);
    TSNode rr = ts_node_child_by_field_name(cur, "right", 5);
    if (ts_node_is_null(rr)) {
      ing__err_node(c, ING_PRIO_PARSER, cur, "invalid syntax");
      break;
    }
    if (ing__type_is(rr, "assignment") && ts_node_is_null(ts_node_child_by_field_name(rr, "type", 4))) {
      cur = rr;
      continue;
    }
    if (ing__type_is(rr, "augmented_assignment") || ing__type_is(rr, "assignment")) {
      ing__err_node(c, ING_PRIO_PARSER, rr, "invalid syntax");
      break;
    }
    r->u.assign.value = ing__expr(c, rr, PY_LOAD);
    if (r->u.assign.value && r->u.assign.value->kind == PY_STARRED)
      ing__err_node(c, ING_PRIO_COMPILE, rr, "can't use starred expression here");
    break;
  }
  r->u.assign.targets = ing__list_freeze(c, &targets);
  return r;
}

__attribute__((noinline)) static py_node *ing__expr_stmt(ing_ctx *c, TSNode n) {
  ing_list l;
  ing__list_init(&l);
  TSNode one = ING_NULL_NODE;
  int k = 0;
  ing_it it;
  ing__it_init(&it, n);
  for (TSNode ch; ing__it_next(&it, &ch, false) && k < 2;) {
    if (ing__skip(ch)) continue;
    one = ch;
    k++;
  }
  ing__it_done(&it);
  if (k == 1 && ing__type_is(one, "assignment")) return ing__assignment(c, one);
  if (k == 1 && ing__type_is(one, "augmented_assignment")) {
    py_node *r = ing__new(c, PY_AUG_ASSIGN, one);
    TSNode left = ts_node_child_by_field_name(one, "left", 4);
    r->u.aug_assign.target = ing__expr(c, left, PY_STORE);
    py_node *t = r->u.aug_assign.target;
    if (t && t->kind != PY_NAME && t->kind != PY_ATTRIBUTE && t->kind != PY_SUBSCRIPT) {
      const char *what = t->kind == PY_TUPLE ? "tuple" : t->kind == PY_LIST ? "list" : "expression";
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->col, true,
                    "'%s' is an illegal expression for augmented assignment", what);
    }
    r->u.aug_assign.op = ing__binop(ts_node_type(ts_node_child_by_field_name(one, "operator", 8)));
    r->u.aug_assign.value = ing__expr(c, ts_node_child_by_field_name(one, "right", 5), PY_LOAD);
    return r;
  }
  py_node *r = ing__new(c, PY_EXPR, n);
  if (k == 1) {
    r->u.expr.value = ing__expr(c, one, PY_LOAD);
  } else {
    ing__it_init(&it, n);
    for (TSNode ch; ing__it_next(&it, &ch, false);)
      if (!ing__skip(ch)) ing__list_add(&l, ing__expr(c, ch, PY_LOAD));
    ing__it_done(&it);
    py_node *t = ing__new(c, PY_TUPLE, n);
    t->u.list_or_tuple.elts = ing__list_freeze(c, &l);
    r->u.expr.value = t;
  }
  if (r->u.expr.value && r->u.expr.value->kind == PY_STARRED)
    ing__err_node(c, ING_PRIO_COMPILE, n, "can't use starred expression here");
  return r;
}

/* Field children (all of them) named name, in a malloc'd array the
 * caller frees (never on the stack: blocks nest and frames must stay
 * small). Walks with a cursor: ts_node_field_name_for_child is unreliable
 * in libtree-sitter 0.20. */
static int ing__field_children(TSNode n, const char *name, TSNode **out) {
  int k = 0, cap = 0;
  *out = NULL;
  TSTreeCursor cur = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      const char *f = ts_tree_cursor_current_field_name(&cur);
      if (f && !strcmp(f, name)) {
        if (k == cap) {
          cap = cap ? cap * 2 : 8;
          TSNode *nv = realloc(*out, sizeof(TSNode) * (size_t)cap);
          if (!nv) abort();
          *out = nv;
        }
        (*out)[k++] = ts_tree_cursor_current_node(&cur);
      }
    } while (ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
  return k;
}

__attribute__((noinline)) static py_node *ing__func(ing_ctx *c, TSNode n, py_nodes decorators, TSNode at) {
  py_node *r = ing__new(c, PY_FUNCTION_DEF, at);
  r->u.function_def.decorators = decorators;
  r->u.function_def.is_async = ing__type_is(ING_CHILD(n, 0), "async");
  r->u.function_def.name = ing__text(c, ts_node_child_by_field_name(n, "name", 4));
  r->u.function_def.args = ing__params(c, ts_node_child_by_field_name(n, "parameters", 10));
  TSNode rt = ts_node_child_by_field_name(n, "return_type", 11);
  if (!ts_node_is_null(rt)) r->u.function_def.returns = ing__expr(c, rt, PY_LOAD);
  if (!ts_node_is_null(ts_node_child_by_field_name(n, "type_parameters", 15)))
    ing__err_node(c, ING_PRIO_PARSER, ts_node_child_by_field_name(n, "type_parameters", 15), "invalid syntax");
  int sl = c->loop_depth;
  bool sf = c->in_finally;
  c->loop_depth = 0;
  c->in_finally = false;
  c->func_depth++;
  int scd = c->class_depth;
  c->class_depth = 0;
  r->u.function_def.body = ing__block(c, ts_node_child_by_field_name(n, "body", 4));
  c->class_depth = scd;
  c->func_depth--;
  c->loop_depth = sl;
  c->in_finally = sf;
  r->u.function_def.docstring = ing__docstring(r->u.function_def.body);
  return r;
}

__attribute__((noinline)) static py_node *ing__class(ing_ctx *c, TSNode n, py_nodes decorators, TSNode at) {
  py_node *r = ing__new(c, PY_CLASS_DEF, at);
  r->u.class_def.decorators = decorators;
  r->u.class_def.name = ing__text(c, ts_node_child_by_field_name(n, "name", 4));
  TSNode sc = ts_node_child_by_field_name(n, "superclasses", 12);
  if (!ts_node_is_null(sc)) ing__call_args(c, sc, &r->u.class_def.bases, &r->u.class_def.keywords);
  if (!ts_node_is_null(ts_node_child_by_field_name(n, "type_parameters", 15)))
    ing__err_node(c, ING_PRIO_PARSER, ts_node_child_by_field_name(n, "type_parameters", 15), "invalid syntax");
  int sl = c->loop_depth;
  int sf = c->func_depth;
  c->loop_depth = 0;
  c->class_depth++;
  c->func_depth = 0; /* return/yield in a class body are errors */
  r->u.class_def.body = ing__block(c, ts_node_child_by_field_name(n, "body", 4));
  c->func_depth = sf;
  c->class_depth--;
  c->loop_depth = sl;
  r->u.class_def.docstring = ing__docstring(r->u.class_def.body);
  return r;
}

__attribute__((noinline)) static py_node *ing__alias(ing_ctx *c, TSNode n) {
  py_node *r = ing__new(c, PY_ALIAS, n);
  if (ing__type_is(n, "aliased_import")) {
    r->u.alias.name = ing__text(c, ts_node_child_by_field_name(n, "name", 4));
    r->u.alias.asname = ing__text(c, ts_node_child_by_field_name(n, "alias", 5));
  } else {
    /* dotted_name: drop any whitespace/comments between the parts */
    const char *t = ing__text(c, n);
    char *d = p_arena_strdup(c->a, t);
    size_t o = 0;
    for (size_t i = 0; t[i]; i++)
      if (!isspace((unsigned char)t[i]) && t[i] != '\\') d[o++] = t[i];
    d[o] = 0;
    r->u.alias.name = d;
  }
  return r;
}

/* CPython's compiler keeps at most 20 nested blocks per code object
 * (CO_MAXBLOCKS) and fails with "too many statically nested blocks" where
 * it would open one more. This walks the lowered tree in the compiler's
 * order with its block counts (3.11 compile.c): a loop body +1; each with
 * item +1; a try body +1, or +2 with both handlers and finally; handler
 * bodies +2 (EXCEPTION_HANDLER, HANDLER_CLEANUP); else clauses of a try at
 * the try's depth (inside the finally block when there is one); and a
 * finally body twice, first at the try's depth (the normal path) and then
 * one deeper (the exceptional path), which is why an error inside a finally
 * body can show at a deeper line than the first place it could occur. Each
 * def, lambda and class body is a new code object (depth 0). Returns the
 * statement where the compiler would stop, or NULL. */
#define ING_MAXBLOCKS 20
static py_node *ing__blocks(py_nodes b, int depth, int guard);

static py_node *ing__blocks_stmt(py_node *s, int d, int guard) {
  py_node *e = NULL;
  switch (s->kind) {
  case PY_FOR: case PY_WHILE: {
    if (d >= ING_MAXBLOCKS) return s;
    bool f = s->kind == PY_FOR;
    if ((e = ing__blocks(f ? s->u.for_.body : s->u.while_.body, d + 1, guard))) return e;
    return ing__blocks(f ? s->u.for_.orelse : s->u.while_.orelse, d, guard);
  }
  case PY_WITH:
    if (d + s->u.with.items.n > ING_MAXBLOCKS) return s;
    return ing__blocks(s->u.with.body, d + s->u.with.items.n, guard);
  case PY_TRY: {
    bool fin = s->u.try_.finalbody.n > 0, hand = s->u.try_.handlers.n > 0;
    int d1 = d;
    if (fin) {
      if (d1 >= ING_MAXBLOCKS) return s;
      d1++;
    }
    if (hand) {
      if (d1 >= ING_MAXBLOCKS) return s;
      if ((e = ing__blocks(s->u.try_.body, d1 + 1, guard))) return e;
      if ((e = ing__blocks(s->u.try_.orelse, d1, guard))) return e;
      for (int i = 0; i < s->u.try_.handlers.n; i++) {
        py_node *h = s->u.try_.handlers.v[i];
        if (d1 + 2 > ING_MAXBLOCKS) return h;
        if ((e = ing__blocks(h->u.except_handler.body, d1 + 2, guard))) return e;
      }
    } else if ((e = ing__blocks(s->u.try_.body, d1, guard))) {
      return e;
    }
    if (fin) {
      if ((e = ing__blocks(s->u.try_.finalbody, d, guard))) return e;
      if (d >= ING_MAXBLOCKS) return s->u.try_.finalbody.v[0];
      return ing__blocks(s->u.try_.finalbody, d + 1, guard);
    }
    return NULL;
  }
  case PY_IF:
    if ((e = ing__blocks(s->u.if_.body, d, guard))) return e;
    return ing__blocks(s->u.if_.orelse, d, guard);
  case PY_MATCH:
    for (int i = 0; i < s->u.match.cases.n; i++)
      if ((e = ing__blocks(s->u.match.cases.v[i]->u.match_case.body, d, guard))) return e;
    return NULL;
  case PY_FUNCTION_DEF:
    return ing__blocks(s->u.function_def.body, 0, guard);
  case PY_CLASS_DEF:
    return ing__blocks(s->u.class_def.body, 0, guard);
  default:
    return NULL;
  }
}

static py_node *ing__blocks(py_nodes b, int depth, int guard) {
  if (guard > PY_MAX_NESTING * 4) return NULL; /* ingest bounds nesting; belt and braces */
  for (int i = 0; i < b.n; i++) {
    py_node *e = ing__blocks_stmt(b.v[i], depth, guard + 1);
    if (e) return e;
  }
  return NULL;
}

static void ing__check_loopctl(ing_ctx *c, TSNode n, const char *what) {
  if (c->loop_depth == 0)
    ing__err_node(c, ING_PRIO_COMPILE, n, strcmp(what, "break") == 0 ? "'break' outside loop" : "'continue' not properly in loop");
}

static py_node *ing__stmt(ing_ctx *c, TSNode n, ing_list *out) {
  const char *t = ts_node_type(n);
  py_node *r = NULL;
  if (ts_node_is_missing(n) || !strcmp(t, "ERROR")) {
    ing__err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
    return NULL;
  }
  if (!strcmp(t, "expression_statement")) {
    r = ing__expr_stmt(c, n);
  } else if (!strcmp(t, "function_definition")) {
    py_nodes none = {NULL, 0};
    r = ing__func(c, n, none, n);
  } else if (!strcmp(t, "class_definition")) {
    py_nodes none = {NULL, 0};
    r = ing__class(c, n, none, n);
  } else if (!strcmp(t, "decorated_definition")) {
    ing_list d;
    ing__list_init(&d);
    uint32_t cnt = ing__nchildren(n);
    for (uint32_t i = 0; i < cnt; i++) {
      TSNode ch = ING_NAMED(n, i);
      if (ing__type_is(ch, "decorator")) {
        TSNode e = ING_NULL_NODE;
        for (uint32_t j = 0; j < ing__nchildren(ch); j++)
          if (!ing__skip(ING_NAMED(ch, j))) e = ING_NAMED(ch, j);
        ing__list_add(&d, ing__expr(c, e, PY_LOAD));
      }
    }
    py_nodes decs = ing__list_freeze(c, &d);
    TSNode def = ts_node_child_by_field_name(n, "definition", 10);
    /* like CPython, a decorated definition starts at its def/class line */
    if (ing__type_is(def, "class_definition")) r = ing__class(c, def, decs, def);
    else r = ing__func(c, def, decs, def);
  } else if (!strcmp(t, "return_statement")) {
    r = ing__new(c, PY_RETURN, n);
    for (uint32_t i = 0; i < ing__nchildren(n); i++)
      if (!ing__skip(ING_NAMED(n, i))) r->u.return_.value = ing__expr(c, ING_NAMED(n, i), PY_LOAD);
    if (c->func_depth == 0) ing__err_node(c, ING_PRIO_COMPILE, n, "'return' outside function");
  } else if (!strcmp(t, "delete_statement")) {
    r = ing__new(c, PY_DELETE, n);
    ing_list l;
    ing__list_init(&l);
    for (uint32_t i = 0; i < ing__nchildren(n); i++) {
      TSNode ch = ING_NAMED(n, i);
      if (ing__skip(ch)) continue;
      if (ing__type_is(ch, "expression_list")) {
        for (uint32_t j = 0; j < ing__nchildren(ch); j++) {
          TSNode x = ING_NAMED(ch, j);
          if (ing__skip(x)) continue;
          py_node *e = ing__expr(c, x, PY_DEL);
          ing__set_ctx(c, e, PY_DEL, x);
          ing__list_add(&l, e);
        }
      } else {
        py_node *e = ing__expr(c, ch, PY_DEL);
        ing__set_ctx(c, e, PY_DEL, ch);
        ing__list_add(&l, e);
      }
    }
    r->u.delete_.targets = ing__list_freeze(c, &l);
  } else if (!strcmp(t, "pass_statement")) {
    r = ing__new(c, PY_PASS, n);
  } else if (!strcmp(t, "break_statement")) {
    r = ing__new(c, PY_BREAK, n);
    ing__check_loopctl(c, n, "break");
  } else if (!strcmp(t, "continue_statement")) {
    r = ing__new(c, PY_CONTINUE, n);
    ing__check_loopctl(c, n, "continue");
  } else if (!strcmp(t, "if_statement")) {
    r = ing__new(c, PY_IF, n);
    r->u.if_.test = ing__expr(c, ts_node_child_by_field_name(n, "condition", 9), PY_LOAD);
    r->u.if_.body = ing__block(c, ts_node_child_by_field_name(n, "consequence", 11));
    TSNode *alts;
    int na = ing__field_children(n, "alternative", &alts);
    /* build the elif chain from the back */
    py_nodes tail = {NULL, 0};
    for (int i = na - 1; i >= 0; i--) {
      if (ing__type_is(alts[i], "else_clause")) {
        tail = ing__block(c, ts_node_child_by_field_name(alts[i], "body", 4));
      } else {
        py_node *e = ing__new(c, PY_IF, alts[i]);
        e->u.if_.test = ing__expr(c, ts_node_child_by_field_name(alts[i], "condition", 9), PY_LOAD);
        e->u.if_.body = ing__block(c, ts_node_child_by_field_name(alts[i], "consequence", 11));
        e->u.if_.orelse = tail;
        tail.v = p_arena_alloc(c->a, sizeof(py_node *));
        tail.v[0] = e;
        tail.n = 1;
      }
    }
    r->u.if_.orelse = tail;
    free(alts);
  } else if (!strcmp(t, "for_statement")) {
    r = ing__new(c, PY_FOR, n);
    r->u.for_.is_async = ing__type_is(ING_CHILD(n, 0), "async");
    TSNode left = ts_node_child_by_field_name(n, "left", 4);
    r->u.for_.target = ing__expr(c, left, PY_STORE);
    ing__set_ctx(c, r->u.for_.target, PY_STORE, left);
    r->u.for_.iter = ing__expr(c, ts_node_child_by_field_name(n, "right", 5), PY_LOAD);
    c->loop_depth++;
    r->u.for_.body = ing__block(c, ts_node_child_by_field_name(n, "body", 4));
    c->loop_depth--;
    TSNode el = ts_node_child_by_field_name(n, "alternative", 11);
    if (!ts_node_is_null(el)) r->u.for_.orelse = ing__block(c, ts_node_child_by_field_name(el, "body", 4));
    if (r->u.for_.is_async && c->func_depth == 0) ing__err_node(c, ING_PRIO_COMPILE, n, "'async for' outside async function");
  } else if (!strcmp(t, "while_statement")) {
    r = ing__new(c, PY_WHILE, n);
    r->u.while_.test = ing__expr(c, ts_node_child_by_field_name(n, "condition", 9), PY_LOAD);
    c->loop_depth++;
    r->u.while_.body = ing__block(c, ts_node_child_by_field_name(n, "body", 4));
    c->loop_depth--;
    TSNode el = ts_node_child_by_field_name(n, "alternative", 11);
    if (!ts_node_is_null(el)) r->u.while_.orelse = ing__block(c, ts_node_child_by_field_name(el, "body", 4));
  } else if (!strcmp(t, "with_statement")) {
    r = ing__new(c, PY_WITH, n);
    r->u.with.is_async = ing__type_is(ING_CHILD(n, 0), "async");
    ing_list items;
    ing__list_init(&items);
    for (uint32_t i = 0; i < ing__nchildren(n); i++) {
      TSNode wc = ING_NAMED(n, i);
      if (!ing__type_is(wc, "with_clause")) continue;
      for (uint32_t j = 0; j < ing__nchildren(wc); j++) {
        TSNode wi = ING_NAMED(wc, j);
        if (!ing__type_is(wi, "with_item")) continue;
        py_node *it = ing__new(c, PY_WITH_ITEM, wi);
        TSNode v = ts_node_child_by_field_name(wi, "value", 5);
        if (ing__type_is(v, "as_pattern")) {
          it->u.with_item.context_expr = ing__expr(c, ING_NAMED(v, 0), PY_LOAD);
          TSNode al = ts_node_child_by_field_name(v, "alias", 5);
          if (ing__type_is(al, "as_pattern_target")) al = ING_NAMED(al, 0);
          it->u.with_item.optional_vars = ing__expr(c, al, PY_STORE);
          ing__set_ctx(c, it->u.with_item.optional_vars, PY_STORE, al);
        } else {
          it->u.with_item.context_expr = ing__expr(c, v, PY_LOAD);
        }
        ing__list_add(&items, it);
      }
    }
    r->u.with.items = ing__list_freeze(c, &items);
    r->u.with.body = ing__block(c, ts_node_child_by_field_name(n, "body", 4));
  } else if (!strcmp(t, "try_statement")) {
    r = ing__new(c, PY_TRY, n);
    r->u.try_.body = ing__block(c, ts_node_child_by_field_name(n, "body", 4));
    ing_list h;
    ing__list_init(&h);
    for (uint32_t i = 0; i < ing__nchildren(n); i++) {
      TSNode ch = ING_NAMED(n, i);
      const char *ct = ts_node_type(ch);
      if (!strcmp(ct, "except_clause") || !strcmp(ct, "except_group_clause")) {
        if (!strcmp(ct, "except_group_clause")) r->u.try_.is_star = true;
        py_node *eh = ing__new(c, PY_EXCEPT_HANDLER, ch);
        TSNode v = ts_node_child_by_field_name(ch, "value", 5);
        TSNode al = ts_node_child_by_field_name(ch, "alias", 5);
        TSNode blk = ING_NULL_NODE;
        for (uint32_t j = 0; j < ing__nchildren(ch); j++)
          if (ing__type_is(ING_NAMED(ch, j), "block")) blk = ING_NAMED(ch, j);
        if (ts_node_is_null(v)) {
          /* except_group_clause: first expression child */
          for (uint32_t j = 0; j < ing__nchildren(ch); j++) {
            TSNode x = ING_NAMED(ch, j);
            if (!ing__type_is(x, "block") && !ing__skip(x)) { v = x; break; }
          }
        }
        if (!ts_node_is_null(v) && ing__type_is(v, "as_pattern")) {
          eh->u.except_handler.type = ing__expr(c, ING_NAMED(v, 0), PY_LOAD);
          TSNode a = ts_node_child_by_field_name(v, "alias", 5);
          if (ing__type_is(a, "as_pattern_target")) a = ING_NAMED(a, 0);
          if (!ing__type_is(a, "identifier")) ing__err_node(c, ING_PRIO_PARSER, a, "invalid syntax");
          eh->u.except_handler.name = ing__text(c, a);
        } else if (!ts_node_is_null(v)) {
          eh->u.except_handler.type = ing__expr(c, v, PY_LOAD);
          if (!ts_node_is_null(al)) eh->u.except_handler.name = ing__text(c, al);
        }
        eh->u.except_handler.body = ing__block(c, blk);
        ing__list_add(&h, eh);
      } else if (!strcmp(ct, "else_clause")) {
        r->u.try_.orelse = ing__block(c, ts_node_child_by_field_name(ch, "body", 4));
      } else if (!strcmp(ct, "finally_clause")) {
        TSNode blk = ING_NULL_NODE;
        for (uint32_t j = 0; j < ing__nchildren(ch); j++)
          if (ing__type_is(ING_NAMED(ch, j), "block")) blk = ING_NAMED(ch, j);
        r->u.try_.finalbody = ing__block(c, blk);
      }
    }
    r->u.try_.handlers = ing__list_freeze(c, &h);
    for (int i = 0; i + 1 < r->u.try_.handlers.n; i++)
      if (!r->u.try_.handlers.v[i]->u.except_handler.type) {
        py_node *hh = r->u.try_.handlers.v[i];
        ing__error_at(c, ING_PRIO_COMPILE, "SyntaxError", hh->line, hh->col, true, "default 'except:' must be last");
      }
  } else if (!strcmp(t, "raise_statement")) {
    r = ing__new(c, PY_RAISE, n);
    TSNode cause = ts_node_child_by_field_name(n, "cause", 5);
    for (uint32_t i = 0; i < ts_node_child_count(n); i++) {
      TSNode ch = ING_CHILD(n, i);
      if (!ts_node_is_named(ch) || ing__skip(ch) || ts_node_eq(ch, cause)) continue;
      r->u.raise.exc = ing__expr(c, ch, PY_LOAD);
      break;
    }
    if (!ts_node_is_null(cause)) r->u.raise.cause = ing__expr(c, cause, PY_LOAD);
  } else if (!strcmp(t, "assert_statement")) {
    r = ing__new(c, PY_ASSERT, n);
    int k = 0;
    for (uint32_t i = 0; i < ing__nchildren(n); i++) {
      TSNode ch = ING_NAMED(n, i);
      if (ing__skip(ch)) continue;
      if (k == 0) r->u.assert_.test = ing__expr(c, ch, PY_LOAD);
      else r->u.assert_.msg = ing__expr(c, ch, PY_LOAD);
      k++;
    }
  } else if (!strcmp(t, "import_statement")) {
    r = ing__new(c, PY_IMPORT, n);
    ing_list l;
    ing__list_init(&l);
    TSNode *names;
    int nn = ing__field_children(n, "name", &names);
    for (int i = 0; i < nn; i++) ing__list_add(&l, ing__alias(c, names[i]));
    free(names);
    r->u.import.names = ing__list_freeze(c, &l);
    /* tree-sitter accepts `import a,`; CPython points past the comma */
    uint32_t e = ts_node_end_byte(n);
    if (e > 0 && c->src[e - 1] == ',') {
      TSPoint ep = ts_node_end_point(n);
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", (int)ep.row + 1, (int)ep.column, false, "invalid syntax");
    }
  } else if (!strcmp(t, "import_from_statement") || !strcmp(t, "future_import_statement")) {
    r = ing__new(c, PY_IMPORT_FROM, n);
    if (t[0] == 'f') {
      r->u.import_from.module = "__future__";
    } else {
      TSNode mn = ts_node_child_by_field_name(n, "module_name", 11);
      if (ing__type_is(mn, "relative_import")) {
        for (uint32_t i = 0; i < ing__nchildren(mn); i++) {
          TSNode ch = ING_NAMED(mn, i);
          if (ing__type_is(ch, "import_prefix")) {
            r->u.import_from.level = (int)(ts_node_end_byte(ch) - ts_node_start_byte(ch));
          } else if (ing__type_is(ch, "dotted_name")) {
            py_node *al = ing__alias(c, ch);
            r->u.import_from.module = al->u.alias.name;
          }
        }
      } else {
        r->u.import_from.module = ing__alias(c, mn)->u.alias.name;
      }
    }
    ing_list l;
    ing__list_init(&l);
    TSNode *names;
    int nn = ing__field_children(n, "name", &names);
    for (int i = 0; i < nn; i++) ing__list_add(&l, ing__alias(c, names[i]));
    free(names);
    for (uint32_t i = 0; i < ing__nchildren(n); i++) {
      TSNode ch = ING_NAMED(n, i);
      if (ing__type_is(ch, "wildcard_import")) {
        py_node *al = ing__new(c, PY_ALIAS, ch);
        al->u.alias.name = "*";
        ing__list_add(&l, al);
        if (c->func_depth > 0 || c->class_depth > 0)
          ing__err_node(c, ING_PRIO_COMPILE, n, "import * only allowed at module level");
      }
    }
    r->u.import_from.names = ing__list_freeze(c, &l);
  } else if (!strcmp(t, "global_statement") || !strcmp(t, "nonlocal_statement")) {
    bool glob = t[0] == 'g';
    r = ing__new(c, glob ? PY_GLOBAL : PY_NONLOCAL, n);
    uint32_t cnt = ing__nchildren(n);
    r->u.global.names.v = p_arena_alloc(c->a, sizeof(char *) * (cnt + 1));
    for (uint32_t i = 0; i < cnt; i++) {
      TSNode ch = ING_NAMED(n, i);
      if (ing__type_is(ch, "identifier")) r->u.global.names.v[r->u.global.names.n++] = ing__text(c, ch);
    }
    if (!glob && c->func_depth == 0 && c->class_depth == 0)
      ing__err_node(c, ING_PRIO_COMPILE, n, "nonlocal declaration not allowed at module level");
  } else if (!strcmp(t, "match_statement")) {
    r = ing__new(c, PY_MATCH, n);
    TSNode *subj;
    int ns = ing__field_children(n, "subject", &subj);
    if (ns == 1) {
      r->u.match.subject = ing__expr(c, subj[0], PY_LOAD);
    } else {
      ing_list l;
      ing__list_init(&l);
      for (int i = 0; i < ns; i++) ing__list_add(&l, ing__expr(c, subj[i], PY_LOAD));
      py_node *tp = ing__new(c, PY_TUPLE, subj[0]);
      tp->u.list_or_tuple.elts = ing__list_freeze(c, &l);
      r->u.match.subject = tp;
    }
    free(subj);
    TSNode body = ts_node_child_by_field_name(n, "body", 4);
    ing_list cases;
    ing__list_init(&cases);
    TSNode *alts = NULL;
    int na = ts_node_is_null(body) ? 0 : ing__field_children(body, "alternative", &alts);
    for (int i = 0; i < na; i++) {
      TSNode cc = alts[i];
      py_node *mc = ing__new(c, PY_MATCH_CASE, cc);
      ing_list pats;
      ing__list_init(&pats);
      for (uint32_t j = 0; j < ing__nchildren(cc); j++) {
        TSNode ch = ING_NAMED(cc, j);
        if (ing__type_is(ch, "case_pattern")) ing__list_add(&pats, ing__pattern(c, ch));
      }
      if (pats.n == 1) {
        mc->u.match_case.pattern = pats.v[0];
        (void)ing__list_freeze(c, &pats);
      } else {
        py_node *sq = ing__new(c, PY_MATCH_SEQUENCE, cc);
        sq->u.match_seq.patterns = ing__list_freeze(c, &pats);
        if (sq->u.match_seq.patterns.n) {
          py_node *f = sq->u.match_seq.patterns.v[0], *l = sq->u.match_seq.patterns.v[sq->u.match_seq.patterns.n - 1];
          sq->line = f->line; sq->col = f->col; sq->end_line = l->end_line; sq->end_col = l->end_col;
        }
        mc->u.match_case.pattern = sq;
      }
      TSNode g = ts_node_child_by_field_name(cc, "guard", 5);
      if (!ts_node_is_null(g)) mc->u.match_case.guard = ing__expr(c, ING_NAMED(g, 0), PY_LOAD);
      mc->u.match_case.body = ing__block(c, ts_node_child_by_field_name(cc, "consequence", 11));
      ing__list_add(&cases, mc);
    }
    r->u.match.cases = ing__list_freeze(c, &cases);
    free(alts);
  } else if (!strcmp(t, "print_statement")) {
    ing__err_node(c, ING_PRIO_PARSER, n, "Missing parentheses in call to 'print'. Did you mean print(...)?");
    return NULL;
  } else if (!strcmp(t, "exec_statement")) {
    ing__err_node(c, ING_PRIO_PARSER, n, "Missing parentheses in call to 'exec'. Did you mean exec(...)?");
    return NULL;
  } else {
    /* type_alias_statement (3.12) and anything unknown */
    ing__err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
    return NULL;
  }
  if (r) ing__list_add(out, r);
  return r;
}

/* ------------------------------------------------------- error location */

/* First ERROR or MISSING node in document order (iterative walk). */
static bool ing__first_error(TSNode root, TSNode *out) {
  if (!ts_node_has_error(root)) return false;
  TSNode n = root;
  for (;;) {
    if (ts_node_is_missing(n) || ing__type_is(n, "ERROR")) {
      *out = n;
      return true;
    }
    uint32_t cnt = ts_node_child_count(n);
    bool down = false;
    for (uint32_t i = 0; i < cnt; i++) {
      TSNode ch = ts_node_child(n, i);
      if (ts_node_has_error(ch) || ts_node_is_missing(ch)) {
        n = ch;
        down = true;
        break;
      }
    }
    if (!down) {
      *out = n;
      return true;
    }
  }
}

/* Operators after which an operand must follow. */
static bool ing__needs_operand(ing_ctx *c, const ing_tok *t) {
  static const char *const ops[] = {"+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", "<",
                                    ">", "<=", ">=", "==", "!=", "=", "+=", "-=", "*=", "/=", "//=", "%=",
                                    "**=", "@=", "<<=", ">>=", "&=", "|=", "^=", ".", ":=", "->", NULL};
  static const char *const kws[] = {"import", "as", "from", "in", "is", "not", "and", "or", "if", "else",
                                    "del", "assert", "await", "global", "nonlocal", "elif", "while", "for",
                                    "with", "class", "def", NULL};
  if (t->type == TK_OP) {
    for (int i = 0; ops[i]; i++)
      if (ing__tok_is(c, t, ops[i])) return true;
  } else if (t->type == TK_NAME) {
    for (int i = 0; kws[i]; i++)
      if (ing__tok_is(c, t, kws[i])) return true;
  }
  return false;
}

/* Tokens that can never follow an operator that needs an operand. */
static bool ing__cannot_follow_op(ing_ctx *c, const ing_tok *prev, const ing_tok *t) {
  static const char *const ops[] = {"/", "//", "%", "@", "<<", ">>", "&", "|", "^", "<", ">", "<=", ">=",
                                    "==", "!=", "=", ")", "]", "}", "+=", "-=", "*=", "/=", ",", NULL};
  if (t->type == TK_NEWLINE || t->type == TK_EOF) return true;
  if (t->type != TK_OP) return false;
  if (ing__tok_is(c, t, "*") || ing__tok_is(c, t, "**"))
    return prev->type == TK_OP && !ing__tok_is(c, prev, "=");
  for (int i = 0; ops[i]; i++)
    if (ing__tok_is(c, t, ops[i])) return true;
  return false;
}

/* Generic parser errors within the logical line of token index k: two
 * operands in a row, an operator with nothing after it, `=` in a
 * condition. Records the first and returns true. */
static bool ing__line_errors(ing_ctx *c, int k, int *det_line) {
  *det_line = 0;
  int a = k;
  while (a > 0 && c->toks[a - 1].type != TK_NEWLINE && c->toks[a - 1].type != TK_INDENT &&
         c->toks[a - 1].type != TK_DEDENT)
    a--;
  int b = k;
  while (b < c->ntoks && c->toks[b].type != TK_NEWLINE && c->toks[b].type != TK_EOF) b++;
  /* `if x = 1:` */
  if (b > a && (ing__tok_is(c, &c->toks[a], "if") || ing__tok_is(c, &c->toks[a], "elif") ||
                ing__tok_is(c, &c->toks[a], "while"))) {
    for (int i = a + 1; i < b; i++)
      if (c->toks[i].depth == 0 && ing__tok_is(c, &c->toks[i], "=")) {
        *det_line = c->toks[i].line;
        ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks[a + 1].line, c->toks[a + 1].bcol, false,
                      "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
        return true;
      }
  }
  /* def f((a, b)): */
  if (b - a >= 4 && ing__tok_is(c, &c->toks[a], "def") && ing__tok_is(c, &c->toks[a + 2], "(") &&
      ing__tok_is(c, &c->toks[a + 3], "(")) {
    *det_line = c->toks[a + 3].line;
    ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks[a + 3].line, c->toks[a + 3].bcol, false,
                  "Function parameters cannot be parenthesized");
    return true;
  }
  /* `x if y` without else, outside a comprehension */
  for (int i = a + 1; i < b; i++) {
    ing_tok *t = &c->toks[i];
    if (!ing__tok_is(c, t, "if") || !ing__ends_operand(c, &c->toks[i - 1])) continue;
    if (i + 1 <= b && ing__cannot_follow_op(c, t, &c->toks[i + 1])) continue; /* `x if )`: invalid syntax below */
    int lv = 0, q;
    bool comp = false, has_else = false;
    for (q = i - 1; q >= a; q--) { /* back to the start of the group */
      ing_tok *u = &c->toks[q];
      if (u->type == TK_OP && (ing__tok_is(c, u, ")") || ing__tok_is(c, u, "]") || ing__tok_is(c, u, "}"))) lv++;
      else if (u->type == TK_OP && (ing__tok_is(c, u, "(") || ing__tok_is(c, u, "[") || ing__tok_is(c, u, "{"))) {
        if (lv == 0) break;
        lv--;
      } else if (lv == 0 && (ing__tok_is(c, u, "for") || ing__tok_is(c, u, "lambda"))) comp = true;
    }
    if (comp) continue;
    lv = 0;
    for (int r = i + 1; r < b; r++) {
      ing_tok *u = &c->toks[r];
      if (u->type == TK_OP && (ing__tok_is(c, u, "(") || ing__tok_is(c, u, "[") || ing__tok_is(c, u, "{"))) lv++;
      else if (u->type == TK_OP && (ing__tok_is(c, u, ")") || ing__tok_is(c, u, "]") || ing__tok_is(c, u, "}"))) {
        if (lv == 0) break;
        lv--;
      } else if (lv == 0 && ing__tok_is(c, u, "else")) {
        has_else = true;
        break;
      } else if (lv == 0 && (ing__tok_is(c, u, ",") || ing__tok_is(c, u, "for"))) break;
    }
    if (has_else) continue;
    /* the start of the expression before `if` */
    int st = i - 1;
    lv = 0;
    while (st > a) {
      ing_tok *u = &c->toks[st - 1];
      if (u->type == TK_OP && (ing__tok_is(c, u, ")") || ing__tok_is(c, u, "]") || ing__tok_is(c, u, "}"))) lv++;
      else if (u->type == TK_OP && (ing__tok_is(c, u, "(") || ing__tok_is(c, u, "[") || ing__tok_is(c, u, "{"))) {
        if (lv == 0) break;
        lv--;
      } else if (lv == 0 && (ing__tok_is(c, u, ",") || ing__tok_is(c, u, "=") || ing__tok_is(c, u, ":") ||
                             (u->type == TK_NAME && ing__is_kw(c, u) && !ing__tok_is(c, u, "None") &&
                              !ing__tok_is(c, u, "True") && !ing__tok_is(c, u, "False"))))
        break;
      st--;
    }
    *det_line = t->line;
    ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks[st].line, c->toks[st].bcol, false,
                  "expected 'else' after 'if' expression");
    return true;
  }
  /* assignment to something that cannot be assigned */
  if (b > a && (!ing__is_kw(c, &c->toks[a]) || ing__tok_is(c, &c->toks[a], "True") ||
                ing__tok_is(c, &c->toks[a], "False") || ing__tok_is(c, &c->toks[a], "None"))) {
    int seg = a;
    for (int i = a; i < b; i++) {
      ing_tok *u = &c->toks[i];
      if (u->depth != 0 || !ing__tok_is(c, u, "=")) continue;
      ing_tok *f = &c->toks[seg];
      int len = i - seg;
      *det_line = u->line;
      if (len == 1 && (f->type == TK_NUMBER || f->type == TK_STRING)) {
        ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", f->line, f->bcol, false, "cannot assign to literal");
        return true;
      }
      if (len == 1 && (ing__tok_is(c, f, "True") || ing__tok_is(c, f, "False") || ing__tok_is(c, f, "None"))) {
        ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", f->line, f->bcol, false, "cannot assign to %.*s",
                      (int)(f->end - f->off), c->src + f->off);
        return true;
      }
      if (len >= 3 && f->type == TK_NAME && !ing__is_kw(c, f) && ing__tok_is(c, &c->toks[i - 1], ")")) {
        /* name(...) or name.attr(...) ending the target */
        int lv = 0, q = i - 1;
        for (; q > seg; q--) {
          if (ing__tok_is(c, &c->toks[q], ")")) lv++;
          else if (ing__tok_is(c, &c->toks[q], "(") && --lv == 0) break;
        }
        if (q > seg && lv == 0) {
          ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", f->line, f->bcol, false,
                        "cannot assign to function call here. Maybe you meant '==' instead of '='?");
          return true;
        }
      }
      seg = i + 1;
    }
  }
  for (int i = a + 1; i <= b && i < c->ntoks; i++) {
    ing_tok *p = &c->toks[i - 1], *t = &c->toks[i];
    *det_line = t->line;
    /* an unparenthesized `:=` in a plain statement */
    if (ing__tok_is(c, p, ":=") && p->depth == 0 && !ing__tok_is(c, &c->toks[a], "if") &&
        !ing__tok_is(c, &c->toks[a], "elif") && !ing__tok_is(c, &c->toks[a], "while")) {
      *det_line = p->line;
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", p->line, p->bcol, false, "invalid syntax");
      return true;
    }
    if (ing__needs_operand(c, p) && ing__cannot_follow_op(c, p, t)) {
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
      return true;
    }
    /* `(x = 1)`: '=' in parentheses that is not a keyword argument */
    if (ing__tok_is(c, t, "=") && t->depth > 0) {
      int lv = 0, q = i - 1;
      for (; q >= a; q--) {
        ing_tok *u = &c->toks[q];
        if (u->type == TK_OP && (ing__tok_is(c, u, ")") || ing__tok_is(c, u, "]") || ing__tok_is(c, u, "}"))) lv++;
        else if (u->type == TK_OP && (ing__tok_is(c, u, "(") || ing__tok_is(c, u, "[") || ing__tok_is(c, u, "{"))) {
          if (lv == 0) break;
          lv--;
        }
      }
      bool kwarg = p->type == TK_NAME && !ing__is_kw(c, p) && i - 2 >= a &&
                   (ing__tok_is(c, &c->toks[i - 2], "(") || ing__tok_is(c, &c->toks[i - 2], ","));
      bool call_or_def = q > a && ing__tok_is(c, &c->toks[q], "(") &&
                         (c->toks[q - 1].type == TK_NAME || ing__tok_is(c, &c->toks[q - 1], ")") ||
                          ing__tok_is(c, &c->toks[q - 1], "]"));
      bool lam = false;
      for (int r = q + 1; r < i; r++)
        if (ing__tok_is(c, &c->toks[r], "lambda")) lam = true;
      if (q >= a && ing__tok_is(c, &c->toks[q], "(") && !(kwarg && call_or_def) && !ing__tok_is(c, p, "*") && !lam &&
          !(q >= a + 2 && ing__tok_is(c, &c->toks[a], "def"))) {
        *det_line = t->line;
        ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
        return true;
      }
    }
    /* `def f(a if, b)`: a keyword right after a parameter name */
    if (b - a >= 4 && ing__tok_is(c, &c->toks[a], "def") && t->depth == 1 && t->type == TK_NAME && ing__is_kw(c, t) &&
        p->type == TK_NAME && !ing__is_kw(c, p) && i - 2 > a &&
        (ing__tok_is(c, &c->toks[i - 2], "(") || ing__tok_is(c, &c->toks[i - 2], ","))) {
      *det_line = t->line;
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
      return true;
    }
    /* `,,` */
    if (ing__tok_is(c, p, ",") && ing__tok_is(c, t, ",")) {
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
      return true;
    }
    /* a ':' directly inside parentheses (not a lambda's, not a slice or a dict) */
    if (t->depth > 0 && ing__tok_is(c, t, ":")) {
      int lv = 0;
      bool lam = false;
      for (int q = i - 1; q >= a; q--) {
        ing_tok *u = &c->toks[q];
        if (u->type == TK_OP && (ing__tok_is(c, u, ")") || ing__tok_is(c, u, "]") || ing__tok_is(c, u, "}"))) lv++;
        else if (u->type == TK_OP && (ing__tok_is(c, u, "(") || ing__tok_is(c, u, "[") || ing__tok_is(c, u, "{"))) {
          if (lv == 0) {
            if (ing__tok_is(c, u, "(") && !lam) {
              ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
              return true;
            }
            break;
          }
          lv--;
        } else if (lv == 0 && ing__tok_is(c, u, "lambda")) {
          lam = true;
        }
      }
    }
    if (p->type == TK_OP && (ing__tok_is(c, p, "(") || ing__tok_is(c, p, "{") || ing__tok_is(c, p, "[")) &&
        t->type == TK_OP &&
        (ing__tok_is(c, t, ",") || ing__tok_is(c, t, "=") || (ing__tok_is(c, t, ":") && !ing__tok_is(c, p, "[")))) {
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
      return true;
    }
    if (i == b) break;
    if (!ing__ends_operand(c, p) || !ing__starts_operand(c, t)) continue;
    if (p->type == TK_STRING && t->type == TK_STRING) continue; /* implicit concatenation */
    if (t->depth > 0) {
      /* inside brackets: "Perhaps you forgot a comma?" from the start of
       * the previous element */
      /* the previous operand is the whole disjunction before t (CPython's
       * invalid_expression rule): walk back over balanced brackets, stopping
       * at a separator or a keyword that cannot be inside a disjunction */
      int s = i, lvl = 0;
      while (s > a) {
        ing_tok *u = &c->toks[s - 1];
        if (u->type == TK_OP && (ing__tok_is(c, u, ")") || ing__tok_is(c, u, "]") || ing__tok_is(c, u, "}"))) lvl++;
        else if (u->type == TK_OP && (ing__tok_is(c, u, "(") || ing__tok_is(c, u, "[") || ing__tok_is(c, u, "{"))) {
          if (lvl == 0) break;
          lvl--;
        } else if (lvl == 0 && u->type == TK_OP &&
                   (ing__tok_is(c, u, ",") || ing__tok_is(c, u, ":") || ing__tok_is(c, u, "=") ||
                    ing__tok_is(c, u, ":=")))
          break;
        else if (lvl == 0 && u->type == TK_NAME && ing__is_kw(c, u) && !ing__tok_is(c, u, "and") &&
                 !ing__tok_is(c, u, "or") && !ing__tok_is(c, u, "not") && !ing__tok_is(c, u, "in") &&
                 !ing__tok_is(c, u, "is") && !ing__tok_is(c, u, "await") && !ing__tok_is(c, u, "None") &&
                 !ing__tok_is(c, u, "True") && !ing__tok_is(c, u, "False"))
          break;
        s--;
      }
      if (s >= i) s = i - 1;
      ing_tok *st = &c->toks[s];
      /* in a def's parameter list CPython gives no hint */
      {
        int lv = 0, q = i - 1;
        for (; q > a; q--) {
          ing_tok *u = &c->toks[q];
          if (u->type == TK_OP && (ing__tok_is(c, u, ")") || ing__tok_is(c, u, "]") || ing__tok_is(c, u, "}"))) lv++;
          else if (u->type == TK_OP && (ing__tok_is(c, u, "(") || ing__tok_is(c, u, "[") || ing__tok_is(c, u, "{"))) {
            if (lv == 0) break;
            lv--;
          }
        }
        if (q >= a + 2 && ing__tok_is(c, &c->toks[q], "(") && ing__tok_is(c, &c->toks[q - 2], "def")) {
          ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
          return true;
        }
      }
      /* in a dict display: "':' expected after dictionary key" */
      bool dict = false;
      if (s > a && ing__tok_is(c, &c->toks[s - 1], ",")) {
        int lv = 0;
        for (int q = s - 1; q > a; q--) {
          ing_tok *u = &c->toks[q - 1];
          if (u->type == TK_OP && (ing__tok_is(c, u, ")") || ing__tok_is(c, u, "]") || ing__tok_is(c, u, "}"))) lv++;
          else if (u->type == TK_OP && (ing__tok_is(c, u, "(") || ing__tok_is(c, u, "[") || ing__tok_is(c, u, "{"))) {
            if (lv == 0) break;
            lv--;
          } else if (lv == 0 && ing__tok_is(c, u, ":")) {
            dict = true;
          }
        }
      }
      ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", st->line, st->bcol, false,
                    dict ? "':' expected after dictionary key" : "invalid syntax. Perhaps you forgot a comma?");
      return true;
    }
    ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
    return true;
  }
  return false;
}

static int ing__tok_at(ing_ctx *c, size_t off) {
  int k = 0;
  while (k < c->ntoks && c->toks[k].end <= off && c->toks[k].type != TK_EOF) k++;
  return k < c->ntoks ? k : c->ntoks - 1;
}

/* Parses "(" expr ")" on its own, as CPython 3.11 does with the
 * expressions of an f-string; on failure records "f-string: <msg>" at the
 * position within that text (CPython's own quirk) on the string's line. */
static bool ing__fstr_subparse(ing_ctx *c, const char *expr, size_t n, int line) {
  char *buf = malloc(n + 4);
  if (!buf) abort();
  buf[0] = '(';
  memcpy(buf + 1, expr, n);
  buf[n + 1] = ')';
  buf[n + 2] = '\n';
  /* newlines inside the expression are fine within the parentheses */
  p_arena *a = p_arena_new();
  py_module *m = NULL;
  py_syntax_error se;
  int rc = py_parse_file(a, c->path, NULL, buf, n + 3, NULL, &m, &se);
  free(buf);
  bool bad = rc == P_ESYNTAX;
  if (bad) {
    c->err_prio = 0;
    ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", line, se.col, true, "f-string: %s", se.msg);
  }
  p_arena_free(a);
  return bad;
}

/* Sub-parses every expression of the f-string token t; true if one failed. */
static bool ing__fstr_token_errors(ing_ctx *c, const ing_tok *t) {
  const char *s = c->src;
  size_t qs = t->off;
  bool fs = false;
  while (qs < t->end && s[qs] != '\'' && s[qs] != '"') fs |= tolower((unsigned char)s[qs++]) == 'f';
  if (!fs || qs >= t->end) return false;
  size_t ql = qs + 2 < t->end && s[qs + 1] == s[qs] && s[qs + 2] == s[qs] && t->end - qs >= 6 ? 3 : 1;
  ing_fregions r;
  r.n = 0;
  if (ing__fstr_check(s, qs + ql, t->end - ql, &r)) return false;
  for (int i = 0; i < r.n; i++)
    if (ing__fstr_subparse(c, s + r.b[i], r.e[i] - r.b[i], t->line)) return true;
  return false;
}

/* A malformed f-string is a parser-level error at the end of its token,
 * raised when CPython's parser reaches the string. Returns true if it was
 * recorded in place of (or before) the error found so far. */
static bool ing__apply_fstr(ing_ctx *c) {
  if (c->fstr_tok < 0) return false;
  ing_tok *t = &c->toks[c->fstr_tok];
  if (c->err_prio >= ING_PRIO_PARSER &&
      (c->err->line < t->line || (c->err->line == t->line && c->err->col < ing__ccol(c, t->line, t->bcol))))
    return false;
  c->err_prio = 0;
  ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", t->end_line, t->end_bcol, false, "%s", c->fstr_msg);
  return true;
}

/* Places a parse error CPython-style, given tree-sitter's first error.
 * With a bracket left open at EOF, CPython reports "'(' was never closed"
 * unless its parser failed on the bracket's own line or before. */
static void ing__locate_parse_error(ing_ctx *c, TSNode root, int nopen, int open_line, int open_bcol, char open_ch) {
  TSNode en;
  bool have = ing__first_error(root, &en);
  ing__structural(c);
  if (nopen > 0) {
    if (c->err_prio >= ING_PRIO_PARSER && c->err->line <= open_line) return;
    c->err_prio = 0;
    if (c->fstr_tok >= 0 && c->toks[c->fstr_tok].line <= open_line) {
      ing__apply_fstr(c);
      return;
    }
    /* errors on the logical line that holds the bracket */
    int k = 0;
    while (k < c->ntoks && !(c->toks[k].line == open_line && c->toks[k].bcol == open_bcol)) k++;
    int det = 0;
    if (k < c->ntoks && ing__line_errors(c, k, &det) && det <= open_line) return;
    c->err_prio = 0;
    ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", open_line, open_bcol, false, "'%c' was never closed", open_ch);
    return;
  }
  size_t eoff = have ? ts_node_start_byte(en) : c->len;
  int eline = have ? (int)ts_node_start_point(en).row + 1 : c->nlines + 1;
  if (c->fstr_tok >= 0 && c->toks[c->fstr_tok].line <= eline &&
      !(c->err_prio >= ING_PRIO_PARSER && c->err->line < c->toks[c->fstr_tok].line)) {
    c->err_prio = 0;
    ing__apply_fstr(c);
    return;
  }
  if (c->err_prio >= ING_PRIO_PARSER) {
    /* a structural error is certain; an error our heuristics find on an
     * earlier line (where tree-sitter stumbled first) comes before it */
    if (c->err->line <= eline) return;
    py_syntax_error saved = *c->err;
    c->err_prio = 0;
    int k = ing__tok_at(c, eoff), det;
    if (ing__line_errors(c, k, &det) && c->err->line < saved.line) return;
    *c->err = saved;
    c->err_prio = ING_PRIO_PARSER;
    return;
  }
  int k = ing__tok_at(c, eoff), det;
  if (c->toks[k].type == TK_STRING && c->toks[k].off <= eoff && ing__fstr_token_errors(c, &c->toks[k])) return;
  if (ing__line_errors(c, k, &det)) return;
  /* fallback: invalid syntax at the first token of the error node */
  ing_tok *tk = &c->toks[k];
  ing__error_at(c, ING_PRIO_PARSER, "SyntaxError", tk->line, tk->bcol, false, "invalid syntax");
}

/* ================================================================ driver */

const char *py_module_name_of(p_arena *a, const char *path) {
  size_t n = strlen(path);
  if (n > 3 && strcmp(path + n - 3, ".py") == 0) n -= 3;
  if (n >= 9 && strncmp(path + n - 9, "/__init__", 9) == 0) n -= 9;
  else if (n == 8 && strncmp(path, "__init__", 8) == 0) n = 0;
  char *s = p_arena_strndup(a, path, n);
  for (char *p = s; *p; p++)
    if (*p == '/') *p = '.';
  return s;
}

int py_parse_file(p_arena *a, const char *path, const char *modname, const char *src, size_t len,
                  uint32_t *next_id, py_module **out, py_syntax_error *err) {
  memset(err, 0, sizeof *err);
  *out = NULL;
  size_t nlen = 0;
  char *text = ing__prepare(a, src, len, &nlen, err);
  if (!text) return P_ESYNTAX;
  ing_ctx c;
  memset(&c, 0, sizeof c);
  c.a = a;
  c.path = p_arena_strdup(a, path);
  c.src = text;
  c.len = nlen;
  c.next_id = next_id;
  c.err = err;
  c.fstr_tok = -1;
  /* line table */
  int nl = 1;
  for (size_t i = 0; i < nlen; i++)
    if (text[i] == '\n') nl++;
  c.line_off = malloc(sizeof(size_t) * (size_t)(nl + 1));
  if (!c.line_off) return p_err_set(NULL, P_ENOMEM, "out of memory");
  c.nlines = 0;
  c.line_off[c.nlines++] = 0;
  for (size_t i = 0; i < nlen; i++)
    if (text[i] == '\n') c.line_off[c.nlines++] = i + 1;
  c.line_nonascii = calloc((size_t)c.nlines + 1, 1);
  if (!c.line_nonascii) abort();
  for (int l = 0, k = 0; (size_t)k < nlen; k++) {
    if (text[k] == '\n') l++;
    else if ((unsigned char)text[k] >= 0x80) c.line_nonascii[l] = 1;
  }

  int open_line = 0, open_bcol = 0;
  char open_ch = 0;
  int nopen = ing__tokenize(&c, &open_line, &open_bcol, &open_ch);
  int rc = 0;
  if (c.err_prio >= ING_PRIO_TOKEN) goto done;

  TSParser *parser = ts_parser_new();
  if (!parser || !ts_parser_set_language(parser, tree_sitter_python())) {
    if (parser) ts_parser_delete(parser);
    rc = P_EINTERNAL;
    snprintf(err->msg, sizeof err->msg, "tree-sitter-python does not load (ABI mismatch?)");
    goto done;
  }
  TSTree *tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)nlen);
  if (!tree) {
    ts_parser_delete(parser);
    rc = P_EINTERNAL;
    snprintf(err->msg, sizeof err->msg, "tree-sitter failed to parse");
    goto done;
  }
  TSNode root = ts_tree_root_node(tree);
  if (ts_node_has_error(root) || nopen > 0) {
    ing__locate_parse_error(&c, root, nopen, open_line, open_bcol, open_ch);
  } else {
    /* errors tree-sitter tolerates (a missing indented block) */
    ing__structural(&c);
    ing__apply_fstr(&c);
  }
  if (c.err_prio == 0) {
    py_module *m = p_arena_alloc(a, sizeof *m);
    m->path = c.path;
    m->name = modname ? p_arena_strdup(a, modname) : py_module_name_of(a, path);
    size_t pl = strlen(path);
    m->is_package = pl >= 11 && strcmp(path + pl - 11, "__init__.py") == 0;
    m->src = text;
    m->len = nlen;
    m->nlines = c.nlines;
    py_node *mod = ing__new(&c, PY_MODULE, root);
    mod->line = 1;
    mod->col = 1;
    ing_list body;
    ing__list_init(&body);
    ing_it it;
    ing__it_init(&it, root);
    for (TSNode ch; ing__it_next(&it, &ch, false);)
      if (!ing__skip(ch)) ing__stmt(&c, ch, &body);
    ing__it_done(&it);
    mod->u.module.body = ing__list_freeze(&c, &body);
    mod->u.module.docstring = ing__docstring(mod->u.module.body);
    py_node *deep = ing__blocks(mod->u.module.body, 0, 0);
    if (deep)
      ing__error_at(&c, ING_PRIO_COMPILE, "SyntaxError", deep->line, deep->col, true, "too many statically nested blocks");
    m->node = mod;
    if (c.err_prio == 0) *out = m;
  }
  ts_tree_delete(tree);
  ts_parser_delete(parser);
done:
  free(c.toks);
  free(c.line_off);
  free(c.line_nonascii);
  if (rc) return rc;
  if (c.err_prio > 0) {
    if (!err->kind) err->kind = "SyntaxError";
    return P_ESYNTAX;
  }
  return 0;
}

/* ================================================================= stage */

static void ing__program_free(void *p) { (void)p; /* everything is in the job arena */ }

/* About how many tokens src has: runs of name/number characters, each
 * operator character, each string literal; comments and blanks count
 * nothing. Used only to refuse programs far too large to translate before
 * the parser spends memory on them, so it may be rough. */
static size_t ing__token_estimate(const char *s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n;) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '#') {
      while (i < n && s[i] != '\n') i++;
    } else if (ch == '"' || ch == '\'') {
      bool triple = i + 2 < n && s[i + 1] == (char)ch && s[i + 2] == (char)ch;
      i += triple ? 3 : 1;
      while (i < n) {
        if (s[i] == '\\') i += 2;
        else if (s[i] == (char)ch && (!triple || (i + 2 < n && s[i + 1] == (char)ch && s[i + 2] == (char)ch))) {
          i += triple ? 3 : 1;
          break;
        } else if (s[i] == '\n' && !triple) break;
        else i++;
      }
      count++;
    } else if (isalnum(ch) || ch == '_' || ch >= 0x80) {
      while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || (unsigned char)s[i] >= 0x80)) i++;
      count++;
    } else {
      if (!isspace(ch)) count++;
      i++;
    }
  }
  return count;
}

int pl_stage_ingest(pl_job *job, p_err *e) {
  /* Proportional limit: the parse tree and the AST cost a few hundred
   * bytes a token, so the memory a job may use bounds the tokens. */
  size_t budget_mb = job->cfg->translate_memory_mb ? job->cfg->translate_memory_mb : 1024;
  size_t max_tokens = budget_mb * 2048, tokens = 0;
  for (size_t i = 0; i < job->nfiles; i++) {
    const pl_file *f = &job->files[i];
    size_t fl = strlen(f->path);
    if (fl >= 3 && strcmp(f->path + fl - 3, ".py") == 0) tokens += ing__token_estimate(f->data, f->len);
  }
  if (tokens > max_tokens) {
    snprintf(job->reason, sizeof job->reason, "too_large");
    return p_err_set(e, P_ETOOBIG,
                     "the program is too large to translate: about %zu tokens, at most %zu fit in the %zu MB "
                     "a job may use", tokens, max_tokens, budget_mb);
  }
  py_program *prog = p_arena_alloc(job->arena, sizeof *prog);
  prog->modules = p_arena_alloc(job->arena, sizeof(py_module *) * (job->nfiles + 1));
  uint32_t next_id = 1;
  int nerr = 0;
  size_t lines = 0;
  int64_t t0 = p_mono_ms();
  for (size_t i = 0; i < job->nfiles; i++) {
    const pl_file *f = &job->files[i];
    size_t pl = strlen(f->path);
    if (pl < 3 || strcmp(f->path + pl - 3, ".py") != 0) continue;
    int rc = pl_check(job, e);
    if (rc) return rc;
    py_module *m = NULL;
    py_syntax_error se;
    rc = py_parse_file(job->arena, f->path, NULL, f->data, f->len, &next_id, &m, &se);
    if (rc == P_ESYNTAX) {
      pl_diag_add(job, "error", f->path, se.line, se.col, se.source_line, "%s: %s", se.kind, se.msg);
      pl_log(job, "%s:%d:%d: %s: %s", f->path, se.line, se.col, se.kind, se.msg);
      if (!nerr) p_err_at(e, P_ESYNTAX, f->path, se.line, se.col, "%s: %s", se.kind, se.msg);
      nerr++;
      continue;
    }
    if (rc) return p_err_set(e, (p_code)rc, "%s: %s", f->path, se.msg[0] ? se.msg : "parse failed");
    m->is_entry = job->entry && strcmp(job->entry, f->path) == 0;
    if (m->is_entry) prog->entry = m;
    prog->modules[prog->nmodules++] = m;
    lines += (size_t)m->nlines;
  }
  if (nerr) {
    snprintf(job->reason, sizeof job->reason, "syntax_error");
    snprintf(job->message, sizeof job->message, "%s", e->msg);
    return P_ESYNTAX;
  }
  if (job->entry && !prog->entry) {
    snprintf(job->reason, sizeof job->reason, "invalid_input");
    return p_err_set(e, P_EINVAL, "entry script %s is not among the uploaded Python files", job->entry);
  }
  prog->nnodes = next_id - 1;
  job->ast = prog;
  job->ast_free = NULL;
  (void)ing__program_free;
  pl_log(job, "parsed %d module(s), %zu lines, %u AST nodes in %lld ms", prog->nmodules, lines,
         (unsigned)prog->nnodes, (long long)(p_mono_ms() - t0));
  return 0;
}
