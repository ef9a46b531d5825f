/*
 * ing_doctest.c - doctest examples, extracted and compiled at translate time.
 *
 * `import doctest` ... `doctest.testmod()` ends a large share of published
 * Python. CPython's doctest finds the docstrings of a module and of the
 * functions, classes and methods in it (DocTestFinder), cuts them into
 * `>>>` examples with their expected output (DocTestParser), and runs each
 * example with exec(compile(source, "<doctest name[k]>", "single")) in a
 * copy of the module's globals, comparing what it printed with what the
 * docstring expects (OutputChecker). A translated program has no compiler
 * at run time, but the examples are literal text of the program: so the
 * finding and the parsing happen here, after the files are parsed, and the
 * running and the comparing in the runtime (agents/runtime/src/ext/doctest.rs).
 *
 * For every module that imports doctest, and for the entry script (what a
 * bare testmod() tests), this file
 *  - lists what DocTestFinder would find, statically: the module, then
 *    every def, class and `name = lambda` bound at module level (inside
 *    if/try/with/loops too, not inside functions), and in each class its
 *    defs (methods, static and class methods, properties: a `@x.setter`
 *    keeps the getter's docstring, as property.setter does) and nested
 *    classes; a name bound twice keeps its last binding. Names are
 *    "<module>.<path>", sorted by name as find() sorts its DocTests;
 *  - computes each one's line as _find_lineno does: the def's first line
 *    (its first decorator) or the first `class NAME` line of the file, then
 *    forward to the first line matching (^|.*:)\s*\w*("|'); None (-1)
 *    without a docstring;
 *  - parses each docstring exactly as DocTestParser.parse (expandtabs, the
 *    common indentation removed, the example regular expression, prompt and
 *    indentation checks, want and the expected exception, `# doctest:`
 *    directives); its ValueErrors become translation errors here;
 *  - parses each example's source as a module of its own, named
 *    `__doctest__.N`, path "<doctest NAME[k]>" (the filename CPython gives
 *    it, so tracebacks match), with doctest_host pointing at the tested
 *    module. Analysis, scoping and code generation then treat it like any
 *    module, except that its names are the host's globals copy (no fixed
 *    slots, no builtin shortcuts for names the host binds) and a top-level
 *    expression statement displays its value like the interactive
 *    compile mode does (rs_gen.c). Build links one Rust module per example
 *    and a table of the tests (rs_gen_main) that testmod() walks.
 *
 * An example that does not parse, or that holds several statements
 * ("single" mode accepts one), is a translation error at its line of the
 * docstring (P_ESYNTAX: the job fails on the user's code, where CPython
 * would report a failing example), as are the ValueErrors DocTestParser
 * raises (a prompt without its blank, inconsistent indentation, an unknown
 * directive): a compiled program must not report different results. What
 * this finder cannot see is the run-time dictionary itself: the runtime
 * checks that each name still holds an object with that docstring and
 * runs no examples for one that does not (a decorator without
 * functools.wraps); `__test__` dictionaries and objects created by code
 * (dataclass-generated methods) are not listed.
 */
#include "ingest.h"

#include <ctype.h>
#include <stdio.h>

/* doctest's option flags, by name (OPTIONFLAGS_BY_NAME) */
static const struct {
  const char *name;
  int flag;
} dt__flags[] = {
    {"DONT_ACCEPT_TRUE_FOR_1", 1},
    {"DONT_ACCEPT_BLANKLINE", 2},
    {"NORMALIZE_WHITESPACE", 4},
    {"ELLIPSIS", 8},
    {"SKIP", 16},
    {"IGNORE_EXCEPTION_DETAIL", 32},
    {"REPORT_UDIFF", 64},
    {"REPORT_CDIFF", 128},
    {"REPORT_NDIFF", 256},
    {"REPORT_ONLY_FIRST_FAILURE", 512},
    {"FAIL_FAST", 1024},
};

typedef P_VEC(py_dt_example) dt_exvec;

typedef struct dt_ctx {
  pl_job *job;
  p_arena *a;
  py_program *prog;
  const py_module *host;
  uint32_t *next_id;
  int nexamples; /* over the whole program: module names __doctest__.N */
  int nerr;
  P_VEC(py_dt_test) tests;
} dt_ctx;

/* ------------------------------------------------------- source lines */

/* Line i (0-based) of the host's source, as [*b, *e). False past the end. */
static bool dt__line(const py_module *m, int i, const char **b, const char **e) {
  const char *s = m->src, *end = m->src + m->len;
  for (int k = 0; k < i; k++) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl) return false;
    s = nl + 1;
  }
  if (s >= end) return false;
  const char *nl = memchr(s, '\n', (size_t)(end - s));
  *b = s;
  *e = nl ? nl : end;
  return true;
}

static bool dt__wordch(unsigned char c) { return isalnum(c) || c == '_' || c >= 0x80; }

/* (^|.*:)\s*\w*("|') at the start of [b, e) */
static bool dt__docline(const char *b, const char *e) {
  for (const char *p = b; p <= e; p++) {
    if (p != b && p[-1] != ':') continue;
    const char *q = p;
    while (q < e && isspace((unsigned char)*q)) q++;
    while (q < e && dt__wordch((unsigned char)*q)) q++;
    if (q < e && (*q == '"' || *q == '\'')) return true;
  }
  return false;
}

/* _find_lineno's forward scan from 0-based line `from`. */
static int dt__scan(const py_module *m, int from) {
  const char *b, *e;
  for (int i = from; dt__line(m, i, &b, &e); i++)
    if (dt__docline(b, e)) return i;
  return -1;
}

/* The first line matching ^\s*class\s*NAME\b, 0-based, or -1. */
static int dt__class_line(const py_module *m, const char *name) {
  size_t nl = strlen(name);
  const char *b, *e;
  for (int i = 0; dt__line(m, i, &b, &e); i++) {
    const char *p = b;
    while (p < e && isspace((unsigned char)*p)) p++;
    if (e - p < 5 || strncmp(p, "class", 5) != 0) continue;
    p += 5;
    while (p < e && isspace((unsigned char)*p)) p++;
    if ((size_t)(e - p) >= nl && strncmp(p, name, nl) == 0 && (p + nl == e || !dt__wordch((unsigned char)p[nl])))
      return i;
  }
  return -1;
}

/* ------------------------------------------------------ the finder */

static void dt__add(dt_ctx *c, const char *path, const char *doc, int lineno, bool keep_doc) {
  const char *name = *path ? p_arena_printf(c->a, "%s.%s", c->tests.v[0].name, path) : NULL;
  for (int i = 1; i < c->tests.n; i++)
    if (!strcmp(c->tests.v[i].path, path)) {
      if (!keep_doc) {
        c->tests.v[i].docstring = doc;
        c->tests.v[i].lineno = lineno;
      }
      return;
    }
  py_dt_test t = {.name = name, .path = path, .docstring = doc, .lineno = lineno};
  p_vec_push(c->a, &c->tests, t);
}

static void dt__members(dt_ctx *c, const char *prefix, py_nodes body, bool in_class);

/* A def or class bound at this level. */
static void dt__def(dt_ctx *c, const char *prefix, py_node *st, bool in_class) {
  if (st->kind == PY_FUNCTION_DEF) {
    const char *doc = st->u.function_def.docstring;
    int first = st->line;
    bool setter = false;
    for (int i = 0; i < st->u.function_def.decorators.n; i++) {
      py_node *d = st->u.function_def.decorators.v[i];
      if (d->line < first) first = d->line;
      if (in_class && d->kind == PY_ATTRIBUTE && d->u.attribute.value->kind == PY_NAME &&
          !strcmp(d->u.attribute.value->u.name.id, st->u.function_def.name) &&
          (!strcmp(d->u.attribute.attr, "setter") || !strcmp(d->u.attribute.attr, "deleter") ||
           !strcmp(d->u.attribute.attr, "getter")))
        setter = true;
    }
    int lineno = doc ? dt__scan(c->host, first - 1) : -1;
    dt__add(c, p_arena_printf(c->a, "%s%s", prefix, st->u.function_def.name), doc, lineno, setter);
  } else if (st->kind == PY_CLASS_DEF) {
    const char *doc = st->u.class_def.docstring;
    int lineno = -1;
    if (doc) {
      int cl = dt__class_line(c->host, st->u.class_def.name);
      lineno = cl < 0 ? -1 : dt__scan(c->host, cl);
    }
    const char *path = p_arena_printf(c->a, "%s%s", prefix, st->u.class_def.name);
    dt__add(c, path, doc, lineno, false);
    dt__members(c, p_arena_printf(c->a, "%s.", path), st->u.class_def.body, true);
  } else if (st->kind == PY_ASSIGN && st->u.assign.targets.n == 1 && st->u.assign.targets.v[0]->kind == PY_NAME &&
             st->u.assign.value->kind == PY_LAMBDA) {
    dt__add(c, p_arena_printf(c->a, "%s%s", prefix, st->u.assign.targets.v[0]->u.name.id), NULL, -1, false);
  }
}

/* Statements that bind names of this level, through compound statements
 * but not into functions. */
static void dt__members(dt_ctx *c, const char *prefix, py_nodes body, bool in_class) {
  for (int i = 0; i < body.n; i++) {
    py_node *st = body.v[i];
    switch (st->kind) {
    case PY_IF: dt__members(c, prefix, st->u.if_.body, in_class); dt__members(c, prefix, st->u.if_.orelse, in_class); break;
    case PY_WHILE: dt__members(c, prefix, st->u.while_.body, in_class); dt__members(c, prefix, st->u.while_.orelse, in_class); break;
    case PY_FOR: dt__members(c, prefix, st->u.for_.body, in_class); dt__members(c, prefix, st->u.for_.orelse, in_class); break;
    case PY_WITH: dt__members(c, prefix, st->u.with.body, in_class); break;
    case PY_TRY:
      dt__members(c, prefix, st->u.try_.body, in_class);
      for (int h = 0; h < st->u.try_.handlers.n; h++) dt__members(c, prefix, st->u.try_.handlers.v[h]->u.except_handler.body, in_class);
      dt__members(c, prefix, st->u.try_.orelse, in_class);
      dt__members(c, prefix, st->u.try_.finalbody, in_class);
      break;
    default: dt__def(c, prefix, st, in_class);
    }
  }
}

/* ------------------------------------------------------ the parser */

/* A translation error at line `line0` (0-based) of the docstring that
 * starts at source line docline. */
static void dt__error(dt_ctx *c, int docline, int line0, int col, const char *msg) {
  int line = docline + line0;
  const char *b = NULL, *e = NULL;
  char src[512] = "";
  if (dt__line(c->host, line - 1, &b, &e)) snprintf(src, sizeof src, "%.*s", (int)(e - b), b);
  pl_diag_add(c->job, "error", c->host->path, line, col, src, "%s", msg);
  if (!c->nerr) snprintf(c->job->message, sizeof c->job->message, "%s:%d:%d: %s", c->host->path, line, col, msg);
  c->nerr++;
}

/* Python's repr of a str, as ValueError messages show it (ASCII cases). */
static const char *dt__repr(p_arena *a, const char *s, size_t n) {
  bool sq = memchr(s, '\'', n) && !memchr(s, '"', n);
  char q = sq ? '"' : '\'';
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_putc(&b, q);
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '\\') p_buf_puts(&b, "\\\\");
    else if (ch == (unsigned char)q) p_buf_printf(&b, "\\%c", q);
    else if (ch == '\n') p_buf_puts(&b, "\\n");
    else if (ch == '\t') p_buf_puts(&b, "\\t");
    else if (ch < 0x20 || ch == 0x7f) p_buf_printf(&b, "\\x%02x", ch);
    else p_buf_putc(&b, (char)ch);
  }
  p_buf_putc(&b, q);
  char *r = p_arena_strndup(a, b.data ? b.data : "", b.len);
  p_buf_free(&b);
  return r;
}

/* str.expandtabs(8) */
static char *dt__expandtabs(p_arena *a, const char *s) {
  p_buf b;
  p_buf_init(&b, 0);
  int col = 0;
  for (const char *p = s; *p; p++) {
    if (*p == '\t') {
      do p_buf_putc(&b, ' ');
      while (++col % 8);
    } else {
      p_buf_putc(&b, *p);
      col = *p == '\n' || *p == '\r' ? 0 : ((unsigned char)*p & 0xc0) == 0x80 ? col : col + 1;
    }
  }
  char *r = p_arena_strndup(a, b.data ? b.data : "", b.len);
  p_buf_free(&b);
  return r;
}

/* [b, e) is blank: only spaces */
static bool dt__blank(const char *b, const char *e) {
  while (b < e && *b == ' ') b++;
  return b == e;
}

/* [b, e) starts with spaces and ">>>" */
static bool dt__ps(const char *b, const char *e, const char *prompt) {
  while (b < e && *b == ' ') b++;
  return e - b >= 3 && strncmp(b, prompt, 3) == 0;
}

static const char *dt__eol(const char *p) {
  const char *nl = strchr(p, '\n');
  return nl ? nl : p + strlen(p);
}

static int dt__count_nl(const char *b, const char *e) {
  int n = 0;
  for (; b < e; b++) n += *b == '\n';
  return n;
}

/* line[k:] of a line [b, e) in characters (the prefixes cut are spaces or
 * ASCII, so bytes do) */
static const char *dt__cut(const char *b, const char *e, int k) { return e - b > k ? b + k : e; }

/* The directive flags of an example's source; false after a ValueError. */
static bool dt__options(dt_ctx *c, const py_dt_test *t, int docline, int lineno, const char *source,
                        int *on, int *off) {
  *on = *off = 0;
  bool any = false;
  for (const char *l = source; *l;) {
    const char *e = dt__eol(l);
    for (const char *h = l; h < e; h++) {
      if (*h != '#') continue;
      const char *p = h + 1;
      while (p < e && isspace((unsigned char)*p)) p++;
      if (e - p < 8 || strncmp(p, "doctest:", 8) != 0) continue;
      p += 8;
      while (p < e && isspace((unsigned char)*p)) p++;
      if (memchr(p, '\'', (size_t)(e - p)) || memchr(p, '"', (size_t)(e - p))) continue;
      /* options separated by spaces or commas */
      while (p < e) {
        while (p < e && (*p == ' ' || *p == ',' || isspace((unsigned char)*p))) p++;
        if (p >= e) break;
        const char *q = p;
        while (q < e && *q != ' ' && *q != ',' && !isspace((unsigned char)*q)) q++;
        int flag = 0;
        for (size_t f = 0; f < sizeof dt__flags / sizeof dt__flags[0]; f++)
          if ((size_t)(q - p - 1) == strlen(dt__flags[f].name) && !strncmp(p + 1, dt__flags[f].name, (size_t)(q - p - 1)))
            flag = dt__flags[f].flag;
        if ((*p != '+' && *p != '-') || !flag) {
          dt__error(c, docline, lineno, 1,
                    p_arena_printf(c->a, "ValueError: line %d of the doctest for %s has an invalid option: %s", lineno + 1,
                                   t->name, dt__repr(c->a, p, (size_t)(q - p))));
          return false;
        }
        if (*p == '+') *on |= flag, *off &= ~flag;
        else *off |= flag, *on &= ~flag;
        any = true;
        p = q;
      }
      break;
    }
    l = *e ? e + 1 : e;
  }
  if (any) {
    /* ^[ ]*(#.*)?$ on the whole source: a directive with no example */
    const char *p = source;
    while (*p == ' ') p++;
    if (*p == 0 || (*p == '#' && !strchr(p, '\n'))) {
      dt__error(c, docline, lineno, 1,
                p_arena_printf(c->a, "ValueError: line %d of the doctest for %s has an option directive on a line with "
                                     "no example: %s", lineno, t->name, dt__repr(c->a, source, strlen(source))));
      return false;
    }
  }
  return true;
}

/* _EXCEPTION_RE.match(want): the message lines, or NULL. */
static const char *dt__exc_msg(p_arena *a, const char *want) {
  static const char *const hdrs[] = {"Traceback (most recent call last):", "Traceback (innermost last):"};
  const char *p = NULL;
  for (int i = 0; i < 2 && !p; i++)
    if (!strncmp(want, hdrs[i], strlen(hdrs[i]))) p = want + strlen(hdrs[i]);
  if (!p) return NULL;
  /* \s*$ : trailing whitespace up to a line end (MULTILINE) */
  const char *q = p;
  while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\f' || *q == '\v') q++;
  if (*q != '\n' && *q != 0) {
    /* \s* may also eat newlines; find a line end reached through whitespace */
    return NULL;
  }
  /* then the first later line that starts with a word character */
  for (const char *l = *q ? q + 1 : q; *l;) {
    if (dt__wordch((unsigned char)*l)) return p_arena_strdup(a, l);
    const char *e = dt__eol(l);
    l = *e ? e + 1 : e;
  }
  return NULL;
}

static bool dt__example(dt_ctx *c, py_dt_test *t, dt_exvec *out, int docline, int min_indent,
                        const char *s, const char *m_start, const char *src_end, const char *want_b,
                        const char *want_e, int lineno) {
  int indent = 0;
  while (m_start[indent] == ' ') indent++;
  /* source lines: _check_prompt_blank, _check_prefix */
  p_buf src;
  p_buf_init(&src, 0);
  int i = 0;
  for (const char *l = m_start; l <= src_end; i++) {
    const char *e = dt__eol(l);
    if (e > src_end) e = src_end;
    if (e - l >= indent + 4 && l[indent + 3] != ' ') {
      dt__error(c, docline, lineno + i, indent + 4,
                p_arena_printf(c->a, "ValueError: line %d of the docstring for %s lacks blank after %.3s: %s", lineno + i + 1,
                               t->name, l + indent, dt__repr(c->a, l, (size_t)(e - l))));
      p_buf_free(&src);
      return false;
    }
    if (i > 0 && e > l) {
      bool ok = e - l >= indent + 1;
      for (int k = 0; ok && k < indent; k++) ok = l[k] == ' ';
      if (ok) ok = l[indent] == '.';
      if (!ok) {
        dt__error(c, docline, lineno + i, 1,
                  p_arena_printf(c->a, "ValueError: line %d of the docstring for %s has inconsistent leading whitespace: %s",
                                 lineno + i + 1, t->name, dt__repr(c->a, l, (size_t)(e - l))));
        p_buf_free(&src);
        return false;
      }
    }
    if (i > 0) p_buf_putc(&src, '\n');
    const char *cut = dt__cut(l, e, indent + 4);
    p_buf_append(&src, cut, (size_t)(e - cut));
    if (e >= src_end) break;
    l = e + 1;
  }
  int nsrc = i + 1;
  char *source = p_arena_strndup(c->a, src.data ? src.data : "", src.len);
  p_buf_free(&src);
  /* want lines: a last line of spaces dropped, the indentation checked and cut */
  p_buf w;
  p_buf_init(&w, 0);
  {
    /* want.split('\n') */
    const char *l = want_b;
    int nlines = 1;
    for (const char *p = want_b; p < want_e; p++) nlines += *p == '\n';
    const char *last = want_e;
    while (last > want_b && last[-1] != '\n') last--;
    if (nlines > 1 && dt__blank(last, want_e)) nlines--;
    for (int k = 0; k < nlines; k++) {
      const char *e = l;
      while (e < want_e && *e != '\n') e++;
      bool ok = true;
      if (e > l)
        for (int j = 0; ok && j < indent; j++) ok = l + j < e && l[j] == ' ';
      if (!ok) {
        dt__error(c, docline, lineno + nsrc + k, 1,
                  p_arena_printf(c->a, "ValueError: line %d of the docstring for %s has inconsistent leading whitespace: %s",
                                 lineno + nsrc + k + 1, t->name, dt__repr(c->a, l, (size_t)(e - l))));
        p_buf_free(&w);
        return false;
      }
      if (k > 0) p_buf_putc(&w, '\n');
      const char *cut = dt__cut(l, e, indent);
      p_buf_append(&w, cut, (size_t)(e - cut));
      l = e + 1;
    }
  }
  char *want = p_arena_strndup(c->a, w.data ? w.data : "", w.len);
  p_buf_free(&w);
  const char *exc = dt__exc_msg(c->a, want);
  int on, off;
  if (!dt__options(c, t, docline, lineno + 1, source, &on, &off)) return false;
  /* _IS_BLANK_OR_COMMENT: ^[ ]*(#.*)?$ */
  {
    const char *p = source;
    while (*p == ' ') p++;
    const char *nl = *p == '#' ? strchr(p, '\n') : *p == '\n' ? p : NULL;
    if (*p == 0 || ((*p == '#' || *p == '\n') && (!nl || !nl[1]))) return true;
  }
  (void)s;
  py_dt_example ex = {0};
  size_t sl = strlen(source);
  ex.source = sl && source[sl - 1] == '\n' ? source : p_arena_printf(c->a, "%s\n", source);
  size_t wl = strlen(want);
  ex.want = !wl || want[wl - 1] == '\n' ? want : p_arena_printf(c->a, "%s\n", want);
  if (exc) {
    size_t el = strlen(exc);
    ex.exc_msg = el && exc[el - 1] == '\n' ? exc : p_arena_printf(c->a, "%s\n", exc);
  }
  ex.lineno = lineno;
  ex.indent = min_indent + indent;
  ex.opt_on = on;
  ex.opt_off = off;
  p_vec_push(c->a, out, ex);
  return true;
}

/* DocTestParser.parse(docstring) into t->examples; docline is the
 * docstring's first source line (1-based) for diagnostics. */
static bool dt__parse(dt_ctx *c, py_dt_test *t, int docline) {
  char *s = dt__expandtabs(c->a, t->docstring);
  /* _min_indent: over lines with a non-space character */
  int min_indent = -1;
  for (const char *l = s; *l;) {
    const char *e = dt__eol(l);
    const char *p = l;
    while (p < e && *p == ' ') p++;
    if (p < e && !isspace((unsigned char)*p) && (min_indent < 0 || p - l < min_indent)) min_indent = (int)(p - l);
    l = *e ? e + 1 : e;
  }
  if (min_indent > 0) {
    p_buf b;
    p_buf_init(&b, 0);
    for (const char *l = s;;) {
      const char *e = dt__eol(l);
      const char *cut = dt__cut(l, e, min_indent);
      p_buf_append(&b, cut, (size_t)(e - cut));
      if (!*e) break;
      p_buf_putc(&b, '\n');
      l = e + 1;
    }
    s = p_arena_strndup(c->a, b.data ? b.data : "", b.len);
    p_buf_free(&b);
  } else if (min_indent < 0) {
    min_indent = 0;
  }
  dt_exvec out = {0};
  int lineno = 0;
  const char *charno = s;
  for (const char *l = s; *l;) {
    const char *e = dt__eol(l);
    if (!dt__ps(l, e, ">>>")) {
      l = *e ? e + 1 : e;
      continue;
    }
    /* the PS1 line, PS2 lines, then want lines up to a blank or PS1 line */
    const char *m_start = l, *src_end = e;
    const char *n = *e ? e + 1 : e;
    while (*e && *n) {
      const char *ne = dt__eol(n);
      const char *p = n;
      while (p < ne && *p == ' ') p++;
      if (ne - p < 3 || strncmp(p, "...", 3) != 0) break;
      src_end = e = ne;
      n = *ne ? ne + 1 : ne;
    }
    const char *want_b = *e ? e + 1 : e, *want_e = want_b, *m_end = want_b;
    for (const char *w = want_b; *w;) {
      const char *we = dt__eol(w);
      if (dt__blank(w, we) || dt__ps(w, we, ">>>")) break;
      want_e = we;
      m_end = *we ? we + 1 : we;
      w = m_end;
    }
    lineno += dt__count_nl(charno, m_start);
    if (!dt__example(c, t, &out, docline, min_indent, s, m_start, src_end, want_b,
                     want_e < want_b ? want_b : want_e, lineno))
      return false;
    lineno += dt__count_nl(m_start, m_end);
    charno = m_end;
    l = m_end;
  }
  t->examples = out.v;
  t->nexamples = out.n;
  return true;
}

/* The source line where t's docstring starts (1-based), for diagnostics. */
static int dt__docstart(const py_module *host, const py_dt_test *t) {
  return t->lineno >= 0 ? t->lineno + 1 : 1;
  (void)host;
}

/* Compiles example k of t as module __doctest__.N. */
static void dt__compile(dt_ctx *c, py_dt_test *t, int k) {
  py_dt_example *ex = &t->examples[k];
  const char *path = p_arena_printf(c->a, "<doctest %s[%d]>", t->name, k);
  const char *modname = p_arena_printf(c->a, "__doctest__.%d", c->nexamples++);
  py_module *m = NULL;
  py_syntax_error se;
  int docline = dt__docstart(c->host, t);
  int rc = py_parse_file(c->a, path, modname, ex->source, strlen(ex->source), c->next_id, &m, &se);
  if (rc == P_ESYNTAX) {
    dt__error(c, docline, ex->lineno + se.line - 1, ex->indent + 4 + se.col,
              p_arena_printf(c->a, "doctest example %s[%d] cannot be translated: %s: %s (CPython would report it "
                                   "as a failing example)", t->name, k, se.kind ? se.kind : "SyntaxError", se.msg));
    return;
  }
  if (rc || !m) {
    dt__error(c, docline, ex->lineno, ex->indent + 1,
              p_arena_printf(c->a, "doctest example %s[%d] cannot be translated", t->name, k));
    return;
  }
  py_nodes body = m->node->u.module.body;
  if (body.n > 1 && body.v[body.n - 1]->line > body.v[0]->end_line) {
    dt__error(c, docline, ex->lineno + body.v[1]->line - 1, ex->indent + 4 + body.v[1]->col,
              p_arena_printf(c->a, "doctest example %s[%d] holds several statements: CPython compiles an example in "
                                   "'single' mode and reports a SyntaxError (multiple statements found while compiling "
                                   "a single statement); write one statement per >>> prompt", t->name, k));
    return;
  }
  m->doctest_host = c->host;
  m->doctest_line = docline + ex->lineno;
  m->doctest_col = ex->indent + 5;
  ex->mod = m;
  c->prog->modules[c->prog->nmodules++] = m;
}

static int dt__cmp_test(const void *x, const void *y) {
  return strcmp(((const py_dt_test *)x)->name, ((const py_dt_test *)y)->name);
}

/* ------------------------------------------------------ the driver */

static int dt__imports_doctest(py_node *n, void *ctx) {
  (void)ctx;
  if (n->kind == PY_IMPORT)
    for (int i = 0; i < n->u.import.names.n; i++)
      if (!strcmp(n->u.import.names.v[i]->u.alias.name, "doctest")) return 1;
  if (n->kind == PY_IMPORT_FROM && n->u.import_from.level == 0 && n->u.import_from.module &&
      !strcmp(n->u.import_from.module, "doctest"))
    return 1;
  return py_node_children(n, dt__imports_doctest, NULL);
}

int ing_doctest_extract(pl_job *job, py_program *prog, uint32_t *next_id, p_err *e) {
  bool any = false;
  /* a standard-library module compiled from source (ingest.c) is never a host */
  for (int i = 0; i < prog->nmodules && !any; i++)
    any = !prog->modules[i]->is_stdlib && dt__imports_doctest(prog->modules[i]->node, NULL);
  if (!any) return 0;
  int nhosts = prog->nmodules;
  /* room for the example modules: grown below as they come */
  dt_ctx c = {.job = job, .a = job->arena, .prog = prog, .next_id = next_id};
  P_VEC(py_dt_module) mods = {0};
  P_VEC(py_module *) all = {0};
  for (int i = 0; i < nhosts; i++) p_vec_push(c.a, &all, prog->modules[i]);
  int total = 0;
  for (int i = 0; i < nhosts; i++) {
    py_module *host = all.v[i];
    if (host->is_stdlib || (!host->is_entry && !dt__imports_doctest(host->node, NULL))) continue;
    c.host = host;
    memset(&c.tests, 0, sizeof c.tests);
    const char *name = host->is_entry ? "__main__" : host->name;
    const char *mdoc = host->node->u.module.docstring;
    py_dt_test mt = {.name = name, .path = "", .docstring = mdoc, .lineno = mdoc ? dt__scan(host, 0) : -1};
    p_vec_push(c.a, &c.tests, mt);
    dt__members(&c, "", host->node->u.module.body, false);
    qsort(c.tests.v, (size_t)c.tests.n, sizeof *c.tests.v, dt__cmp_test);
    for (int k = 0; k < c.tests.n; k++) {
      py_dt_test *t = &c.tests.v[k];
      if (t->docstring && !dt__parse(&c, t, dt__docstart(host, t))) continue;
      total += t->nexamples;
    }
    py_dt_module dm = {.host = host, .name = name, .tests = c.tests.v, .ntests = c.tests.n};
    p_vec_push(c.a, &mods, dm);
  }
  if (c.nerr) {
    snprintf(job->reason, sizeof job->reason, "syntax_error");
    return p_err_set(e, P_ESYNTAX, "%s", job->message);
  }
  /* the examples' modules go after the uploaded ones */
  py_module **nv = p_arena_alloc(c.a, sizeof(py_module *) * (size_t)(prog->nmodules + total + 1));
  memcpy(nv, prog->modules, sizeof(py_module *) * (size_t)prog->nmodules);
  prog->modules = nv;
  for (int i = 0; i < mods.n; i++) {
    c.host = mods.v[i].host;
    for (int k = 0; k < mods.v[i].ntests; k++)
      for (int x = 0; x < mods.v[i].tests[k].nexamples; x++) dt__compile(&c, &mods.v[i].tests[k], x);
  }
  if (c.nerr) {
    snprintf(job->reason, sizeof job->reason, "syntax_error");
    return p_err_set(e, P_ESYNTAX, "%s", job->message);
  }
  prog->doctests = mods.v;
  prog->ndoctests = mods.n;
  pl_log(job, "doctest: %d example(s) in %d module(s) compiled", total, mods.n);
  return 0;
}

/* pl_job.diag_remap: a diagnostic in an example's module (file
 * "<doctest NAME[k]>") moves to the example's place in its docstring, with
 * the docstring's line as the source line. */
void ing_doctest_remap(const pl_job *job, const char **file, int *line, int *col, const char **source_line,
                       char *msg, size_t msg_size, char *src_buf, size_t src_size) {
  if (!*file || strncmp(*file, "<doctest ", 9) != 0 || !job->ast) return;
  const py_program *prog = job->ast;
  for (int i = 0; i < prog->nmodules; i++) {
    const py_module *m = prog->modules[i];
    if (!m->doctest_host || strcmp(m->path, *file) != 0) continue;
    char where[1024];
    snprintf(where, sizeof where, "in doctest example %.200s: %.800s", *file, msg);
    snprintf(msg, msg_size, "%s", where);
    *file = m->doctest_host->path;
    *col = *col > 0 ? m->doctest_col + *col - 1 : *col;
    *line = *line > 0 ? m->doctest_line + *line - 1 : m->doctest_line;
    const char *s = m->doctest_host->src, *end = s + m->doctest_host->len;
    for (int k = 1; k < *line && s < end; k++) {
      const char *nl = memchr(s, '\n', (size_t)(end - s));
      s = nl ? nl + 1 : end;
    }
    const char *nl = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;
    snprintf(src_buf, src_size, "%.*s", (int)((nl ? nl : end) - s), s);
    *source_line = src_buf;
    return;
  }
}
