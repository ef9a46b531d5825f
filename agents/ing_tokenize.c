/*
 * ing_tokenize.c - Ingest passes 1 and 2: the text and the tokens.
 *
 * Pass 1 (ing_prepare) checks the bytes the way CPython's reader does: NUL
 * bytes, the encoding cookie (utf-8/ascii/latin-1; latin-1 is transcoded,
 * anything else is refused), invalid UTF-8; line endings become "\n" as
 * with universal newlines.
 *
 * Pass 2 (ing_tokenize) is our own tokenizer. tree-sitter recovers from
 * errors and points at places CPython never would; CPython's position comes
 * from its tokenizer, which wins over parser errors anywhere in the file.
 * So we tokenize the way CPython does: indentation with the tab/space
 * consistency check (TabError), unindent mismatches, string literals
 * (unterminated), numbers (invalid literals), brackets (unmatched,
 * mismatched, never closed, more than 200 deep), stray characters. The
 * f-string checks (ing_fstr_check) cut replacement fields the way CPython
 * 3.11's string parser does.
 *
 * ing_structural walks the token list for the errors tree-sitter tolerates
 * silently (a missing indented block, an unexpected indent, a compound
 * header with no ':').
 */
#include "ingest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
char *ing_prepare(p_arena *a, const char *src, size_t len, size_t *out_len, py_syntax_error *err) {
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
  p_vec_reserve(NULL, &c->toks, c->toks.n < 1024 ? 1024 : c->toks.n + 1);
  ing_tok *t = &c->toks.v[c->toks.n++];
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
    ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, (int)((at) - lstart), false, "%s", msg); \
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

static const char *ing__fstr_spec(const char *s, size_t *pi, size_t e, int depth, ing_fregions *out) {
  size_t i = *pi;
  while (i < e) {
    if (s[i] == '{') {
      if (depth >= 2) return "f-string: expressions nested too deeply";
      i++;
      const char *m = ing_fstr_expr(s, &i, e, depth + 1, out);
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
const char *ing_fstr_expr(const char *s, size_t *pi, size_t e, int depth, ing_fregions *out) {
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

const char *ing_fstr_check(const char *s, size_t b, size_t e, ing_fregions *out) {
  size_t i = b;
  while (i < e) {
    char c = s[i];
    if (c == '{') {
      if (i + 1 < e && s[i + 1] == '{') {
        i += 2;
        continue;
      }
      i++;
      const char *m = ing_fstr_expr(s, &i, e, 0, out);
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
int ing_tokenize(ing_ctx *c, int *open_line, int *open_bcol, char *open_ch) {
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
            ing_error_at(c, ING_PRIO_TOKEN, "TabError", line, 1, true, "inconsistent use of tabs and spaces in indentation");
            return depth;
          }
        } else if (col > indstack[ind]) {
          if (ind + 1 >= 100) {
            ing_error_at(c, ING_PRIO_TOKEN, "IndentationError", line, 1, true, "too many levels of indentation");
            return depth;
          }
          if (alt <= altstack[ind]) {
            ing_error_at(c, ING_PRIO_TOKEN, "TabError", line, 1, true, "inconsistent use of tabs and spaces in indentation");
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
            ing_error_at(c, ING_PRIO_TOKEN, "IndentationError", line, (int)(e - lstart), false,
                          "unindent does not match any outer indentation level");
            return depth;
          }
          if (alt != altstack[ind]) {
            ing_error_at(c, ING_PRIO_TOKEN, "TabError", line, 1, true, "inconsistent use of tabs and spaces in indentation");
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
          ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, 0, false, "unexpected EOF while parsing");
          return depth;
        }
        continue;
      }
      ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, (int)(p - lstart) + 1, false,
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
              ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, (int)(p - lstart), false,
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
            ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", bline, bcol, false,
                          "unterminated triple-quoted string literal (detected at line %d)", last_line);
          } else {
            ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", bline, bcol, false,
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
            ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", bline, bcol, false,
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
          const char *m = ing_fstr_check(s, qs + ql, p - ql, NULL);
          if (m) {
            c->fstr_tok = c->toks.n - 1;
            snprintf(c->fstr_msg, sizeof c->fstr_msg, "%s", m);
          }
        }
      }
      continue;
    }
    if (ch == '(' || ch == '[' || ch == '{') {
      if (depth >= PY_MAX_NESTING) {
        ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false, "too many nested parentheses");
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
        ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false, "unmatched '%c'", ch);
        return depth;
      }
      char o = bstack[depth - 1].ch;
      if ((o == '(' && ch != ')') || (o == '[' && ch != ']') || (o == '{' && ch != '}')) {
        if (bstack[depth - 1].line != line)
          ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false,
                        "closing parenthesis '%c' does not match opening parenthesis '%c' on line %d", ch, o,
                        bstack[depth - 1].line);
        else
          ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false,
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
      ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false, "invalid character '%.*s' (U+%04X)", ln,
                    s + p, cp);
      return depth;
    }
    if (ch < 0x20 || ch == 0x7f) {
      ing_error_at(c, ING_PRIO_TOKEN, "SyntaxError", line, bcol, false, "invalid non-printable character U+%04X",
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

bool ing_is_kw(ing_ctx *c, const ing_tok *t) {
  static const char *const kws[] = {"False", "None", "True", "and", "as", "assert", "async", "await", "break",
                                    "class", "continue", "def", "del", "elif", "else", "except", "finally",
                                    "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
                                    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", NULL};
  if (t->type != TK_NAME) return false;
  for (int i = 0; kws[i]; i++)
    if (ing_tok_is(c, t, kws[i])) return true;
  return false;
}

/* An operand token: can end an expression. */
bool ing_ends_operand(ing_ctx *c, const ing_tok *t) {
  if (t->type == TK_NUMBER || t->type == TK_STRING) return true;
  if (t->type == TK_NAME) {
    if (!ing_is_kw(c, t)) return true;
    return ing_tok_is(c, t, "None") || ing_tok_is(c, t, "True") || ing_tok_is(c, t, "False");
  }
  return t->type == TK_OP && (ing_tok_is(c, t, ")") || ing_tok_is(c, t, "]") || ing_tok_is(c, t, "}"));
}

/* An operand token that can start an expression. */
bool ing_starts_operand(ing_ctx *c, const ing_tok *t) {
  if (t->type == TK_NUMBER || t->type == TK_STRING) return true;
  if (t->type == TK_NAME) {
    if (!ing_is_kw(c, t)) return true;
    return ing_tok_is(c, t, "None") || ing_tok_is(c, t, "True") || ing_tok_is(c, t, "False") ||
           ing_tok_is(c, t, "lambda") || ing_tok_is(c, t, "await");
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
    if (ing_tok_is(c, t, kw[i][0])) return kw[i][1];
  return NULL;
}

/* Walks the logical lines of the token list and records the parser-level
 * errors CPython reports that we can see from tokens alone, at the first
 * place they occur. Only errors certain to be errors are recorded here
 * (a missing indented block, an unexpected indent, a compound header with
 * no ':', a stray character). Returns the index of the first token of the
 * first such error, or -1. */
void ing_structural(ing_ctx *c) {
  int i = 0;
  bool expect_indent = false;
  int hdr = -1; /* header's first token when expect_indent */
  while (i < c->toks.n && c->err_prio < ING_PRIO_PARSER) {
    ing_tok *t = &c->toks.v[i];
    if (t->type == TK_EOF) break;
    if (t->type == TK_INDENT) {
      if (!expect_indent) {
        int col = t->bcol; /* CPython points at the last indentation character */
        ing_error_at(c, ING_PRIO_PARSER, "IndentationError", t->line, col > 0 ? col : 1, true, "unexpected indent");
        return;
      }
      expect_indent = false;
      i++;
      continue;
    }
    if (t->type == TK_DEDENT) { i++; continue; }
    if (expect_indent) {
      ing_tok *h = &c->toks.v[hdr];
      const char *what = ing__block_what(c, h);
      if (h->type == TK_NAME && ing_tok_is(c, h, "async") && hdr + 1 < c->toks.n) what = ing__block_what(c, h + 1);
      ing_error_at(c, ING_PRIO_PARSER, "IndentationError", t->line, t->bcol, false,
                    "expected an indented block after %s on line %d", what ? what : "statement", h->line);
      return;
    }
    /* one logical line: tokens i..j-1, then NEWLINE at j */
    int j = i;
    while (j < c->toks.n && c->toks.v[j].type != TK_NEWLINE && c->toks.v[j].type != TK_EOF) j++;
    int first = i;
    while (c->toks.v[first].type == TK_NAME && ing_tok_is(c, &c->toks.v[first], "async") && first + 1 < j) first++;
    const char *what = ing__block_what(c, &c->toks.v[first]);
    bool hard_compound = what && !ing_tok_is(c, &c->toks.v[first], "match") && !ing_tok_is(c, &c->toks.v[first], "case");
    /* stray characters ($, ?, !, `) are invalid syntax where they stand */
    for (int k = i; k < j; k++) {
      if (c->toks.v[k].type == TK_ERRCHAR) {
        ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks.v[k].line, c->toks.v[k].bcol, false, "invalid syntax");
        return;
      }
    }
    /* else, try and finally take nothing before their colon */
    if (j > first + 1 && (ing_tok_is(c, &c->toks.v[first], "else") || ing_tok_is(c, &c->toks.v[first], "try") ||
                          ing_tok_is(c, &c->toks.v[first], "finally")) &&
        !ing_tok_is(c, &c->toks.v[first + 1], ":")) {
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", c->toks.v[first + 1].line, c->toks.v[first + 1].bcol, false,
                    "expected ':'");
      return;
    }
    /* does the line contain a top-level ':' (the header's colon)? */
    int colon = -1;
    int lambdas = 0;
    for (int k = first; k < j; k++) {
      ing_tok *u = &c->toks.v[k];
      if (u->depth == 0 && u->type == TK_NAME && ing_tok_is(c, u, "lambda")) lambdas++;
      if (u->depth == 0 && u->type == TK_OP && ing_tok_is(c, u, ":")) {
        if (lambdas > 0) { lambdas--; continue; }
        colon = k;
        break;
      }
    }
    if (hard_compound && colon < 0 && j > first) {
      /* two adjacent operands before the end point elsewhere first */
      bool adjacent = false;
      for (int k = first + 1; k < j; k++) {
        if (c->toks.v[k].depth == 0 && ing_ends_operand(c, &c->toks.v[k - 1]) && ing_starts_operand(c, &c->toks.v[k]) &&
            !(c->toks.v[k].type == TK_STRING && c->toks.v[k - 1].type == TK_STRING) && k - 1 > first) {
          adjacent = true;
          break;
        }
      }
      if (!adjacent && j < c->toks.n && c->toks.v[j].type == TK_NEWLINE) {
        ing_tok *last = &c->toks.v[j - 1];
        ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", last->end_line, last->end_bcol, false, "expected ':'");
        return;
      }
    }
    if (c->toks.v[j - 1 >= i ? j - 1 : i].type == TK_OP && ing_tok_is(c, &c->toks.v[j - 1 >= i ? j - 1 : i], ":") &&
        c->toks.v[j - 1 >= i ? j - 1 : i].depth == 0 && j < c->toks.n && c->toks.v[j].type == TK_NEWLINE) {
      expect_indent = true;
      hdr = i;
    }
    i = j + 1;
  }
}

