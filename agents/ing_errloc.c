/*
 * ing_errloc.c - where CPython would place a parse error.
 *
 * When tree-sitter reports an ERROR or MISSING node,
 * ing_locate_parse_error goes back to the tokens around it and reports
 * what CPython 3.11's parser says there ("expected ':'", "Perhaps you forgot a comma?", "'(' was never
 * closed", invalid f-strings at the end of their token), falling back to
 * "invalid syntax" at the first token of the error node.
 */
#include "ingest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- error location */

/* First ERROR or MISSING node in document order (iterative walk). */
static bool ing__first_error(TSNode root, TSNode *out) {
  if (!ts_node_has_error(root)) return false;
  TSNode n = root;
  for (;;) {
    if (ts_node_is_missing(n) || ing_type_is(n, "ERROR")) {
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
      if (ing_tok_is(c, t, ops[i])) return true;
  } else if (t->type == TK_NAME) {
    for (int i = 0; kws[i]; i++)
      if (ing_tok_is(c, t, kws[i])) return true;
  }
  return false;
}

/* Tokens that can never follow an operator that needs an operand. */
static bool ing__cannot_follow_op(ing_ctx *c, const ing_tok *prev, const ing_tok *t) {
  static const char *const ops[] = {"/", "//", "%", "@", "<<", ">>", "&", "|", "^", "<", ">", "<=", ">=",
                                    "==", "!=", "=", ")", "]", "}", "+=", "-=", "*=", "/=", ",", NULL};
  if (t->type == TK_NEWLINE || t->type == TK_EOF) return true;
  if (t->type != TK_OP) return false;
  if (ing_tok_is(c, t, "*") || ing_tok_is(c, t, "**"))
    return prev->type == TK_OP && !ing_tok_is(c, prev, "=");
  for (int i = 0; ops[i]; i++)
    if (ing_tok_is(c, t, ops[i])) return true;
  return false;
}

/* Generic parser errors within the logical line of token index k: two
 * operands in a row, an operator with nothing after it, `=` in a
 * condition. Records the first and returns true. */
static bool ing__line_errors(ing_ctx *c, int k, int *det_line) {
  *det_line = 0;
  int a = k;
  while (a > 0 && c->toks.v[a - 1].type != TK_NEWLINE && c->toks.v[a - 1].type != TK_INDENT &&
         c->toks.v[a - 1].type != TK_DEDENT)
    a--;
  int b = k;
  while (b < c->toks.n && c->toks.v[b].type != TK_NEWLINE && c->toks.v[b].type != TK_EOF) b++;
  /* `if x = 1:` */
  if (b > a && (ing_tok_is(c, &c->toks.v[a], "if") || ing_tok_is(c, &c->toks.v[a], "elif") ||
                ing_tok_is(c, &c->toks.v[a], "while"))) {
    for (int i = a + 1; i < b; i++)
      if (c->toks.v[i].depth == 0 && ing_tok_is(c, &c->toks.v[i], "=")) {
        *det_line = c->toks.v[i].line;
        ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks.v[a + 1].line, c->toks.v[a + 1].bcol, false,
                      "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
        return true;
      }
  }
  /* def f((a, b)): */
  if (b - a >= 4 && ing_tok_is(c, &c->toks.v[a], "def") && ing_tok_is(c, &c->toks.v[a + 2], "(") &&
      ing_tok_is(c, &c->toks.v[a + 3], "(")) {
    *det_line = c->toks.v[a + 3].line;
    ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks.v[a + 3].line, c->toks.v[a + 3].bcol, false,
                  "Function parameters cannot be parenthesized");
    return true;
  }
  /* `x if y` without else, outside a comprehension */
  for (int i = a + 1; i < b; i++) {
    ing_tok *t = &c->toks.v[i];
    if (!ing_tok_is(c, t, "if") || !ing_ends_operand(c, &c->toks.v[i - 1])) continue;
    if (i + 1 <= b && ing__cannot_follow_op(c, t, &c->toks.v[i + 1])) continue; /* `x if )`: invalid syntax below */
    int lv = 0, q;
    bool comp = false, has_else = false;
    for (q = i - 1; q >= a; q--) { /* back to the start of the group */
      ing_tok *u = &c->toks.v[q];
      if (u->type == TK_OP && (ing_tok_is(c, u, ")") || ing_tok_is(c, u, "]") || ing_tok_is(c, u, "}"))) lv++;
      else if (u->type == TK_OP && (ing_tok_is(c, u, "(") || ing_tok_is(c, u, "[") || ing_tok_is(c, u, "{"))) {
        if (lv == 0) break;
        lv--;
      } else if (lv == 0 && (ing_tok_is(c, u, "for") || ing_tok_is(c, u, "lambda"))) comp = true;
    }
    if (comp) continue;
    lv = 0;
    for (int r = i + 1; r < b; r++) {
      ing_tok *u = &c->toks.v[r];
      if (u->type == TK_OP && (ing_tok_is(c, u, "(") || ing_tok_is(c, u, "[") || ing_tok_is(c, u, "{"))) lv++;
      else if (u->type == TK_OP && (ing_tok_is(c, u, ")") || ing_tok_is(c, u, "]") || ing_tok_is(c, u, "}"))) {
        if (lv == 0) break;
        lv--;
      } else if (lv == 0 && ing_tok_is(c, u, "else")) {
        has_else = true;
        break;
      } else if (lv == 0 && (ing_tok_is(c, u, ",") || ing_tok_is(c, u, "for"))) break;
    }
    if (has_else) continue;
    /* the start of the expression before `if` */
    int st = i - 1;
    lv = 0;
    while (st > a) {
      ing_tok *u = &c->toks.v[st - 1];
      if (u->type == TK_OP && (ing_tok_is(c, u, ")") || ing_tok_is(c, u, "]") || ing_tok_is(c, u, "}"))) lv++;
      else if (u->type == TK_OP && (ing_tok_is(c, u, "(") || ing_tok_is(c, u, "[") || ing_tok_is(c, u, "{"))) {
        if (lv == 0) break;
        lv--;
      } else if (lv == 0 && (ing_tok_is(c, u, ",") || ing_tok_is(c, u, "=") || ing_tok_is(c, u, ":") ||
                             (u->type == TK_NAME && ing_is_kw(c, u) && !ing_tok_is(c, u, "None") &&
                              !ing_tok_is(c, u, "True") && !ing_tok_is(c, u, "False"))))
        break;
      st--;
    }
    *det_line = t->line;
    ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks.v[st].line, c->toks.v[st].bcol, false,
                  "expected 'else' after 'if' expression");
    return true;
  }
  /* assignment to something that cannot be assigned */
  if (b > a && (!ing_is_kw(c, &c->toks.v[a]) || ing_tok_is(c, &c->toks.v[a], "True") ||
                ing_tok_is(c, &c->toks.v[a], "False") || ing_tok_is(c, &c->toks.v[a], "None"))) {
    int seg = a;
    for (int i = a; i < b; i++) {
      ing_tok *u = &c->toks.v[i];
      if (u->depth != 0 || !ing_tok_is(c, u, "=")) continue;
      ing_tok *f = &c->toks.v[seg];
      int len = i - seg;
      *det_line = u->line;
      if (len == 1 && (f->type == TK_NUMBER || f->type == TK_STRING)) {
        ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", f->line, f->bcol, false, "cannot assign to literal");
        return true;
      }
      if (len == 1 && (ing_tok_is(c, f, "True") || ing_tok_is(c, f, "False") || ing_tok_is(c, f, "None"))) {
        ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", f->line, f->bcol, false, "cannot assign to %.*s",
                      (int)(f->end - f->off), c->src + f->off);
        return true;
      }
      if (len >= 3 && f->type == TK_NAME && !ing_is_kw(c, f) && ing_tok_is(c, &c->toks.v[i - 1], ")")) {
        /* name(...) or name.attr(...) ending the target */
        int lv = 0, q = i - 1;
        for (; q > seg; q--) {
          if (ing_tok_is(c, &c->toks.v[q], ")")) lv++;
          else if (ing_tok_is(c, &c->toks.v[q], "(") && --lv == 0) break;
        }
        if (q > seg && lv == 0) {
          ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", f->line, f->bcol, false,
                        "cannot assign to function call here. Maybe you meant '==' instead of '='?");
          return true;
        }
      }
      seg = i + 1;
    }
  }
  for (int i = a + 1; i <= b && i < c->toks.n; i++) {
    ing_tok *p = &c->toks.v[i - 1], *t = &c->toks.v[i];
    *det_line = t->line;
    /* an unparenthesized `:=` in a plain statement */
    if (ing_tok_is(c, p, ":=") && p->depth == 0 && !ing_tok_is(c, &c->toks.v[a], "if") &&
        !ing_tok_is(c, &c->toks.v[a], "elif") && !ing_tok_is(c, &c->toks.v[a], "while")) {
      *det_line = p->line;
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", p->line, p->bcol, false, "invalid syntax");
      return true;
    }
    if (ing__needs_operand(c, p) && ing__cannot_follow_op(c, p, t)) {
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
      return true;
    }
    /* `(x = 1)`: '=' in parentheses that is not a keyword argument */
    if (ing_tok_is(c, t, "=") && t->depth > 0) {
      int lv = 0, q = i - 1;
      for (; q >= a; q--) {
        ing_tok *u = &c->toks.v[q];
        if (u->type == TK_OP && (ing_tok_is(c, u, ")") || ing_tok_is(c, u, "]") || ing_tok_is(c, u, "}"))) lv++;
        else if (u->type == TK_OP && (ing_tok_is(c, u, "(") || ing_tok_is(c, u, "[") || ing_tok_is(c, u, "{"))) {
          if (lv == 0) break;
          lv--;
        }
      }
      bool kwarg = p->type == TK_NAME && !ing_is_kw(c, p) && i - 2 >= a &&
                   (ing_tok_is(c, &c->toks.v[i - 2], "(") || ing_tok_is(c, &c->toks.v[i - 2], ","));
      bool call_or_def = q > a && ing_tok_is(c, &c->toks.v[q], "(") &&
                         (c->toks.v[q - 1].type == TK_NAME || ing_tok_is(c, &c->toks.v[q - 1], ")") ||
                          ing_tok_is(c, &c->toks.v[q - 1], "]"));
      bool lam = false;
      for (int r = q + 1; r < i; r++)
        if (ing_tok_is(c, &c->toks.v[r], "lambda")) lam = true;
      if (q >= a && ing_tok_is(c, &c->toks.v[q], "(") && !(kwarg && call_or_def) && !ing_tok_is(c, p, "*") && !lam &&
          !(q >= a + 2 && ing_tok_is(c, &c->toks.v[a], "def"))) {
        *det_line = t->line;
        ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
        return true;
      }
    }
    /* `def f(a if, b)`: a keyword right after a parameter name */
    if (b - a >= 4 && ing_tok_is(c, &c->toks.v[a], "def") && t->depth == 1 && t->type == TK_NAME && ing_is_kw(c, t) &&
        p->type == TK_NAME && !ing_is_kw(c, p) && i - 2 > a &&
        (ing_tok_is(c, &c->toks.v[i - 2], "(") || ing_tok_is(c, &c->toks.v[i - 2], ","))) {
      *det_line = t->line;
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
      return true;
    }
    /* `,,` */
    if (ing_tok_is(c, p, ",") && ing_tok_is(c, t, ",")) {
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
      return true;
    }
    /* a ':' directly inside parentheses (not a lambda's, not a slice or a dict) */
    if (t->depth > 0 && ing_tok_is(c, t, ":")) {
      int lv = 0;
      bool lam = false;
      for (int q = i - 1; q >= a; q--) {
        ing_tok *u = &c->toks.v[q];
        if (u->type == TK_OP && (ing_tok_is(c, u, ")") || ing_tok_is(c, u, "]") || ing_tok_is(c, u, "}"))) lv++;
        else if (u->type == TK_OP && (ing_tok_is(c, u, "(") || ing_tok_is(c, u, "[") || ing_tok_is(c, u, "{"))) {
          if (lv == 0) {
            if (ing_tok_is(c, u, "(") && !lam) {
              ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
              return true;
            }
            break;
          }
          lv--;
        } else if (lv == 0 && ing_tok_is(c, u, "lambda")) {
          lam = true;
        }
      }
    }
    if (p->type == TK_OP && (ing_tok_is(c, p, "(") || ing_tok_is(c, p, "{") || ing_tok_is(c, p, "[")) &&
        t->type == TK_OP &&
        (ing_tok_is(c, t, ",") || ing_tok_is(c, t, "=") || (ing_tok_is(c, t, ":") && !ing_tok_is(c, p, "[")))) {
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
      return true;
    }
    if (i == b) break;
    if (!ing_ends_operand(c, p) || !ing_starts_operand(c, t)) continue;
    if (p->type == TK_STRING && t->type == TK_STRING) continue; /* implicit concatenation */
    if (t->depth > 0) {
      /* inside brackets: "Perhaps you forgot a comma?" from the start of
       * the previous element */
      /* the previous operand is the whole disjunction before t (CPython's
       * invalid_expression rule): walk back over balanced brackets, stopping
       * at a separator or a keyword that cannot be inside a disjunction */
      int s = i, lvl = 0;
      while (s > a) {
        ing_tok *u = &c->toks.v[s - 1];
        if (u->type == TK_OP && (ing_tok_is(c, u, ")") || ing_tok_is(c, u, "]") || ing_tok_is(c, u, "}"))) lvl++;
        else if (u->type == TK_OP && (ing_tok_is(c, u, "(") || ing_tok_is(c, u, "[") || ing_tok_is(c, u, "{"))) {
          if (lvl == 0) break;
          lvl--;
        } else if (lvl == 0 && u->type == TK_OP &&
                   (ing_tok_is(c, u, ",") || ing_tok_is(c, u, ":") || ing_tok_is(c, u, "=") ||
                    ing_tok_is(c, u, ":=")))
          break;
        else if (lvl == 0 && u->type == TK_NAME && ing_is_kw(c, u) && !ing_tok_is(c, u, "and") &&
                 !ing_tok_is(c, u, "or") && !ing_tok_is(c, u, "not") && !ing_tok_is(c, u, "in") &&
                 !ing_tok_is(c, u, "is") && !ing_tok_is(c, u, "await") && !ing_tok_is(c, u, "None") &&
                 !ing_tok_is(c, u, "True") && !ing_tok_is(c, u, "False"))
          break;
        s--;
      }
      if (s >= i) s = i - 1;
      ing_tok *st = &c->toks.v[s];
      /* in a def's parameter list CPython gives no hint */
      {
        int lv = 0, q = i - 1;
        for (; q > a; q--) {
          ing_tok *u = &c->toks.v[q];
          if (u->type == TK_OP && (ing_tok_is(c, u, ")") || ing_tok_is(c, u, "]") || ing_tok_is(c, u, "}"))) lv++;
          else if (u->type == TK_OP && (ing_tok_is(c, u, "(") || ing_tok_is(c, u, "[") || ing_tok_is(c, u, "{"))) {
            if (lv == 0) break;
            lv--;
          }
        }
        if (q >= a + 2 && ing_tok_is(c, &c->toks.v[q], "(") && ing_tok_is(c, &c->toks.v[q - 2], "def")) {
          ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
          return true;
        }
      }
      /* in a dict display: "':' expected after dictionary key" */
      bool dict = false;
      if (s > a && ing_tok_is(c, &c->toks.v[s - 1], ",")) {
        int lv = 0;
        for (int q = s - 1; q > a; q--) {
          ing_tok *u = &c->toks.v[q - 1];
          if (u->type == TK_OP && (ing_tok_is(c, u, ")") || ing_tok_is(c, u, "]") || ing_tok_is(c, u, "}"))) lv++;
          else if (u->type == TK_OP && (ing_tok_is(c, u, "(") || ing_tok_is(c, u, "[") || ing_tok_is(c, u, "{"))) {
            if (lv == 0) break;
            lv--;
          } else if (lv == 0 && ing_tok_is(c, u, ":")) {
            dict = true;
          }
        }
      }
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", st->line, st->bcol, false,
                    dict ? "':' expected after dictionary key" : "invalid syntax. Perhaps you forgot a comma?");
      return true;
    }
    ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->bcol, false, "invalid syntax");
    return true;
  }
  return false;
}

static int ing__tok_at(ing_ctx *c, size_t off) {
  int k = 0;
  while (k < c->toks.n && c->toks.v[k].end <= off && c->toks.v[k].type != TK_EOF) k++;
  return k < c->toks.n ? k : c->toks.n - 1;
}

/* Parses "(" expr ")" on its own, as CPython 3.11 does with the
 * expressions of an f-string; on failure records "f-string: <msg>" at the
 * position within that text (CPython's own quirk) on the string's line. */
bool ing_fstr_subparse(ing_ctx *c, const char *expr, size_t n, int line) {
  char *buf = p_xmalloc(n + 4);
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
    ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", line, se.col, true, "f-string: %s", se.msg);
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
  if (ing_fstr_check(s, qs + ql, t->end - ql, &r)) return false;
  for (int i = 0; i < r.n; i++)
    if (ing_fstr_subparse(c, s + r.b[i], r.e[i] - r.b[i], t->line)) return true;
  return false;
}

/* A malformed f-string is a parser-level error at the end of its token,
 * raised when CPython's parser reaches the string. Returns true if it was
 * recorded in place of (or before) the error found so far. */
bool ing_apply_fstr(ing_ctx *c) {
  if (c->fstr_tok < 0) return false;
  ing_tok *t = &c->toks.v[c->fstr_tok];
  if (c->err_prio >= ING_PRIO_PARSER &&
      (c->err->line < t->line || (c->err->line == t->line && c->err->col < ing_ccol(c, t->line, t->bcol))))
    return false;
  c->err_prio = 0;
  ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->end_line, t->end_bcol, false, "%s", c->fstr_msg);
  return true;
}

/* Places a parse error CPython-style, given tree-sitter's first error.
 * With a bracket left open at EOF, CPython reports "'(' was never closed"
 * unless its parser failed on the bracket's own line or before. */
void ing_locate_parse_error(ing_ctx *c, TSNode root, int nopen, int open_line, int open_bcol, char open_ch) {
  TSNode en;
  bool have = ing__first_error(root, &en);
  ing_structural(c);
  if (nopen > 0) {
    if (c->err_prio >= ING_PRIO_PARSER && c->err->line <= open_line) return;
    c->err_prio = 0;
    if (c->fstr_tok >= 0 && c->toks.v[c->fstr_tok].line <= open_line) {
      ing_apply_fstr(c);
      return;
    }
    /* errors on the logical line that holds the bracket */
    int k = 0;
    while (k < c->toks.n && !(c->toks.v[k].line == open_line && c->toks.v[k].bcol == open_bcol)) k++;
    int det = 0;
    if (k < c->toks.n && ing__line_errors(c, k, &det) && det <= open_line) return;
    c->err_prio = 0;
    ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", open_line, open_bcol, false, "'%c' was never closed", open_ch);
    return;
  }
  size_t eoff = have ? ts_node_start_byte(en) : c->len;
  int eline = have ? (int)ts_node_start_point(en).row + 1 : c->nlines + 1;
  if (c->fstr_tok >= 0 && c->toks.v[c->fstr_tok].line <= eline &&
      !(c->err_prio >= ING_PRIO_PARSER && c->err->line < c->toks.v[c->fstr_tok].line)) {
    c->err_prio = 0;
    ing_apply_fstr(c);
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
  if (c->toks.v[k].type == TK_STRING && c->toks.v[k].off <= eoff && ing__fstr_token_errors(c, &c->toks.v[k])) return;
  if (ing__line_errors(c, k, &det)) return;
  /* fallback: invalid syntax at the first token of the error node */
  ing_tok *tk = &c->toks.v[k];
  ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", tk->line, tk->bcol, false, "invalid syntax");
}

