/*
 * ing_literal.c - Ingest pass 3, literals: strings, bytes, f-strings and
 * numbers into py_node constants and joined strings.
 *
 * Escapes are decoded as CPython does (\N{...} through a small name table,
 * octal and hex escapes, bytes that must be ASCII); an f-string's
 * replacement fields are lowered as expressions (ing_expr) and malformed
 * ones are re-checked by ing_fstr_subparse so the error lands where
 * CPython's parser would put it.
 */
#include "ingest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static ING_NOINLINE bool ing__decode(ing_ctx *c, TSNode n, const char *s, size_t len, bool is_bytes, bool raw, bool fstr, p_buf *out) {
  for (size_t i = 0; i < len; i++) {
    char ch = s[i];
    if (fstr && (ch == '{' || ch == '}') && i + 1 < len && s[i + 1] == ch) {
      p_buf_putc(out, ch);
      i++;
      continue;
    }
    if (ch != '\\' || raw) {
      if (is_bytes && (unsigned char)ch >= 0x80) {
        ing_err_node(c, ING_PRIO_PARSER, n, "bytes can only contain ASCII literal characters");
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
        ing_err_node(c, ING_PRIO_PARSER, n, "(%s error) truncated \\xXX escape", is_bytes ? "value" : "unicode");
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
            ing_err_node(c, ING_PRIO_PARSER, n, "(unicode error) unknown Unicode character name");
            return false;
          }
          ing__put_utf8(out, cp);
          i = k;
        } else {
          ing_err_node(c, ING_PRIO_PARSER, n, "(unicode error) malformed \\N character escape");
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
          ing_err_node(c, ING_PRIO_PARSER, n, "(unicode error) truncated \\%cXXXX%s escape", e, want == 8 ? "XXXX" : "");
          return false;
        }
        if (v > 0x10FFFF) {
          ing_err_node(c, ING_PRIO_PARSER, n, "(unicode error) illegal Unicode character");
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
  py_node *s = ing_new(c, PY_STR, at);
  s->u.str.s = p_arena_strndup(c->a, text->data, text->len);
  s->u.str.len = text->len;
  ing_list_add(parts, s);
  p_buf_reset(text);
}

static py_node *ing__interpolation(ing_ctx *c, TSNode n, p_buf *text, ing_list *parts);

/* Lowers a format spec node (":>{w}.2f") into a JoinedStr. */
static ING_NOINLINE py_node *ing__format_spec(ing_ctx *c, TSNode fs) {
  ing_list parts;
  ing_list_init(&parts);
  p_buf text;
  p_buf_init(&text, 0);
  uint32_t pos = ts_node_start_byte(fs);
  if (c->src[pos] == ':') pos++;
  uint32_t cnt = ts_node_named_child_count(fs);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(fs, i);
    if (!ing_type_is(ch, "format_expression")) continue;
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
  py_node *j = ing_new(c, PY_JOINED_STR, at);
  j->u.joined_str.values = ing_list_freeze(c, parts);
  return j;
}

static ING_NOINLINE py_node *ing__interpolation(ing_ctx *c, TSNode n, p_buf *text, ing_list *parts) {
  TSNode ex = ts_node_child_by_field_name(n, "expression", 10);
  TSNode conv = ts_node_child_by_field_name(n, "type_conversion", 15);
  TSNode spec = ts_node_child_by_field_name(n, "format_specifier", 16);
  /* the debug '=' is an anonymous child after the expression */
  bool debug = false;
  uint32_t cnt = ts_node_child_count(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_CHILD(n, i);
    if (!ts_node_is_named(ch) && ing_type_is(ch, "=")) debug = true;
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
  py_node *fv = ing_new(c, PY_FORMATTED_VALUE, n);
  fv->u.formatted_value.conversion = -1;
  if (!ts_node_is_null(ex) && c->src[ts_node_start_byte(n)] == '{') {
    /* where CPython 3.11 ends the expression (e.g. at the ':' of a lambda)
     * may differ from tree-sitter's view: check that region on its own */
    ing_fregions r;
    r.n = 0;
    size_t i = ts_node_start_byte(n) + 1;
    if (!ing_fstr_expr(c->src, &i, ts_node_end_byte(n), 0, &r) && r.n > 0) {
      size_t b = r.b[0], e = r.e[0], tb = ts_node_start_byte(ex), te = ts_node_end_byte(ex);
      while (b < e && isspace((unsigned char)c->src[b])) b++;
      while (e > b && isspace((unsigned char)c->src[e - 1])) e--;
      if (b != tb || e != te) {
        TSNode str = n;
        while (!ts_node_is_null(str) && !ing_type_is(str, "string")) str = ts_node_parent(str);
        int line = (int)ts_node_start_point(ts_node_is_null(str) ? n : str).row + 1;
        if (c->err_prio < ING_PRIO_PARSER && ing_fstr_subparse(c, c->src + r.b[0], r.e[0] - r.b[0], line))
          return fv;
      }
    }
  }
  if (ts_node_is_null(ex)) {
    ing_err_node(c, ING_PRIO_PARSER, n, "f-string: empty expression not allowed");
    return fv;
  }
  if (ing_type_is(ex, "expression_list") || ing_type_is(ex, "pattern_list")) {
    fv->u.formatted_value.value = ing_expr(c, ex, PY_LOAD);
  } else {
    fv->u.formatted_value.value = ing_expr(c, ex, PY_LOAD);
  }
  if (!ts_node_is_null(conv)) {
    const char *t = c->src + ts_node_start_byte(conv);
    if (*t == '!') t++;
    if (*t != 's' && *t != 'r' && *t != 'a') ing_err_node(c, ING_PRIO_PARSER, conv, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
    fv->u.formatted_value.conversion = *t;
  }
  if (!ts_node_is_null(spec)) fv->u.formatted_value.format_spec = ing__format_spec(c, spec);
  if (debug) {
    fv->u.formatted_value.debug_text = dbg;
    if (ts_node_is_null(conv) && ts_node_is_null(spec)) fv->u.formatted_value.conversion = 'r';
  }
  ing_list_add(parts, fv);
  return fv;
}

/* string or concatenated_string -> Str, Bytes or JoinedStr. */
ING_NOINLINE py_node *ing_string(ing_ctx *c, TSNode n) {
  TSNode one[1];
  uint32_t cnt = 1;
  bool concat = ing_type_is(n, "concatenated_string");
  if (concat) cnt = ts_node_named_child_count(n);
  else one[0] = n;
  p_buf text;
  p_buf_init(&text, 0);
  ing_list parts;
  ing_list_init(&parts);
  bool any_f = false, any_bytes = false, any_str = false, u_first = false;
  ing_it it;
  ing_it_init(&it, n);
  bool first = true;
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode s = one[0];
    if (concat && !ing_it_next(&it, &s, false)) break;
    if (!ing_type_is(s, "string")) continue;
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
        if (!ing_type_is(ch, "interpolation")) continue;
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
  ing_it_done(&it);
  if (any_bytes && any_str) ing_err_node(c, ING_PRIO_PARSER, n, "cannot mix bytes and nonbytes literals");
  py_node *r;
  if (any_f) {
    ing__flush_text(c, n, &text, &parts);
    r = ing__joined(c, n, &parts);
  } else {
    r = ing_new(c, any_bytes ? PY_BYTES : PY_STR, n);
    r->u.str.s = p_arena_strndup(c->a, text.data ? text.data : "", text.len);
    r->u.str.len = text.len;
    r->u.str.has_u_prefix = u_first;
    (void)ing_list_freeze(c, &parts);
  }
  p_buf_free(&text);
  return r;
}

ING_NOINLINE py_node *ing_number_node(ing_ctx *c, TSNode n, const char *raw, bool negative_ok) {
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
    py_node *r = ing_new(c, imag ? PY_IMAG : PY_FLOAT, n);
    if (imag) t[--o] = 0;
    r->u.float_.text = t;
    r->u.float_.value = strtod(t, NULL);
    return r;
  }
  py_node *r = ing_new(c, PY_INT, n);
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

