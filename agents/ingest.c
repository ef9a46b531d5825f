/*
 * ingest.c - the Ingest agent: Python source in, the project's AST out.
 *
 * This file is the driver; the passes live one a file, chibicc-style, and
 * share one context (ingest.h). For each file, in this order:
 *
 *  1. Source checks (ing_tokenize.c: ing_prepare). NUL bytes, the encoding
 *     cookie, invalid UTF-8; line endings normalised like CPython's
 *     universal newlines. Then the line table the other passes use to turn
 *     byte columns into CPython's character columns.
 *
 *  2. Our own tokenizer (ing_tokenize.c: ing_tokenize). tree-sitter
 *     recovers from errors and points at places CPython never would;
 *     CPython's position comes from its tokenizer (which wins over parser
 *     errors anywhere in the file) and from the token where its parser
 *     stops. So we tokenize the way CPython does, and a tokenizer error
 *     ends the file's parse at once.
 *
 *  3. tree-sitter (tree-sitter-python 0.23.6) builds the concrete tree.
 *     If it holds an error, ing_errloc.c finds where CPython would report
 *     it, from the tokens around the error node. Otherwise the structural
 *     checks tree-sitter tolerates run on the tokens (ing_structural), and
 *     the tree is lowered into py_node (ast.h): statements in ing_stmt.c,
 *     expressions, parameters and patterns in ing_lower.c (statements,
 *     expressions and patterns each through a table of handlers keyed by
 *     tree-sitter symbol), literals in ing_literal.c, checking on the way
 *     what CPython rejects after parsing (assignment to a literal, 'return'
 *     outside a function, argument order, too many statically nested
 *     blocks...).
 *
 * Only the first error of a file is kept (ing_error_at, by priority:
 * tokenizer > parser > compile), as CPython reports one SyntaxError.
 *
 * The stage (pl_stage_ingest) parses every .py file of the job, reports
 * every file's first syntax error as a diagnostic, and leaves a py_program
 * in job->ast, all in job->arena.
 *
 * Then the standard library (ing__stdlib_sources): a module the program
 * imports that neither the upload nor the runtime provides, but that the
 * oracle's standard library holds as Python source (textwrap.py,
 * graphlib.py, html/__init__.py), is parsed from that installed file as a
 * module of the job, transitively for its own imports, so the translator
 * compiles it like an uploaded module and standard-library coverage grows
 * with the translator's fidelity. Such a module's path is the installed
 * file's, so a construct the translator cannot handle there is reported at
 * that file's line:col. Its `if __name__ == "__main__":` blocks are
 * dropped (an imported module never runs them).
 */
#include "ingest.h"
#include "analysis.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
  char *text = ing_prepare(a, src, len, &nlen, err);
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
  c.line_off = p_xmalloc(sizeof(size_t) * (size_t)(nl + 1));
  c.nlines = 0;
  c.line_off[c.nlines++] = 0;
  for (size_t i = 0; i < nlen; i++)
    if (text[i] == '\n') c.line_off[c.nlines++] = i + 1;
  c.line_nonascii = p_xcalloc((size_t)c.nlines + 1, 1);
  for (int l = 0, k = 0; (size_t)k < nlen; k++) {
    if (text[k] == '\n') l++;
    else if ((unsigned char)text[k] >= 0x80) c.line_nonascii[l] = 1;
  }

  int open_line = 0, open_bcol = 0;
  char open_ch = 0;
  int nopen = ing_tokenize(&c, &open_line, &open_bcol, &open_ch);
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
    ing_locate_parse_error(&c, root, nopen, open_line, open_bcol, open_ch);
  } else {
    /* errors tree-sitter tolerates (a missing indented block) */
    ing_structural(&c);
    ing_apply_fstr(&c);
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
    py_node *mod = ing_new(&c, PY_MODULE, root);
    mod->line = 1;
    mod->col = 1;
    ing_list body;
    ing_list_init(&body);
    ing_it it;
    ing_it_init(&it, root);
    for (TSNode ch; ing_it_next(&it, &ch, false);)
      if (!ing_skip(ch)) ing_stmt(&c, ch, &body);
    ing_it_done(&it);
    mod->u.module.body = ing_list_freeze(&c, &body);
    mod->u.module.docstring = ing_docstring(mod->u.module.body);
    py_node *deep = ing_blocks(mod->u.module.body, 0, 0);
    if (deep)
      ing_error_at(&c, ING_PRIO_COMPILE, "SyntaxError", deep->line, deep->col, true, "too many statically nested blocks");
    m->node = mod;
    if (c.err_prio == 0) *out = m;
  }
  ts_tree_delete(tree);
  ts_parser_delete(parser);
done:
  p_vec_free(&c.toks);
  free(c.line_off);
  free(c.line_nonascii);
  if (rc) return rc;
  if (c.err_prio > 0) {
    if (!err->kind) err->kind = "SyntaxError";
    return P_ESYNTAX;
  }
  return 0;
}

/* ====================================================== standard library */

/* The name Analysis gives an uploaded module: rebased on the entry
 * script's directory (an_import.c, "Imports resolve against..."). */
static const char *ing__upload_name(p_arena *a, const py_program *prog, const py_module *m) {
  if (m->is_stdlib || !prog->entry) return m->name;
  const char *slash = strrchr(prog->entry->path, '/');
  if (!slash) return m->name;
  size_t edl = (size_t)(slash - prog->entry->path) + 1;
  if (strncmp(m->path, prog->entry->path, edl) != 0) return m->name;
  return py_module_name_of(a, m->path + edl);
}

/* Whether the job has module `name` (or, prefix, a module inside package `name`). */
static bool ing__has_module(p_arena *a, const py_program *prog, const char *name, bool prefix) {
  size_t n = strlen(name);
  for (int i = 0; i < prog->nmodules; i++) {
    const char *mn = ing__upload_name(a, prog, prog->modules[i]);
    if (strcmp(mn, name) == 0) return true;
    if (prefix && strncmp(mn, name, n) == 0 && mn[n] == '.') return true;
  }
  return false;
}

static bool ing__is_main_guard(const py_node *st) {
  if (st->kind != PY_IF) return false;
  const py_node *t = st->u.if_.test;
  if (t->kind != PY_COMPARE || t->u.compare.comparators.n != 1 || t->u.compare.ops[0] != PY_OP_EQ) return false;
  const py_node *l = t->u.compare.left, *r = t->u.compare.comparators.v[0];
  return l->kind == PY_NAME && strcmp(l->u.name.id, "__name__") == 0 && r->kind == PY_STR &&
         strcmp(r->u.str.s, "__main__") == 0;
}

/* An imported module never runs its `if __name__ == "__main__":`. */
static void ing__drop_main_guards(py_module *m) {
  py_nodes *body = &m->node->u.module.body;
  int o = 0;
  for (int i = 0; i < body->n; i++)
    if (!ing__is_main_guard(body->v[i])) body->v[o++] = body->v[i];
  body->n = o;
}

int py_stdlib_reparse(p_arena *a, const py_module *m, uint32_t *next_id, py_module **out, py_syntax_error *err) {
  int rc = py_parse_file(a, m->path, m->name, m->src, m->len, next_id, out, err);
  if (rc) return rc;
  (*out)->is_stdlib = true;
  (*out)->is_package = m->is_package;
  ing__drop_main_guards(*out);
  return 0;
}

typedef struct ing__imp_walk {
  p_arena *a;
  const py_module *m;
  P_VEC(const char *) names; /* dotted module names to look for, in order */
  bool in_func;              /* inside a function of a standard-library module */
} ing__imp_walk;

/* Modules that standard-library modules import inside functions, followed
 * all the same because a common path runs that function: gettext (hence
 * argparse's every message) imports locale to expand the language 'C'. */
static const char *const ing__stdlib_lazy_follow[] = {"locale", NULL};

static void ing__want(ing__imp_walk *w, const char *dotted) {
  if (w->in_func) {
    bool follow = false;
    for (int i = 0; ing__stdlib_lazy_follow[i]; i++)
      if (strcmp(ing__stdlib_lazy_follow[i], dotted) == 0) follow = true;
    if (!follow) return;
  }
  /* every prefix: `import a.b.c` runs a and a.b first */
  for (const char *d = strchr(dotted, '.');; d = strchr(d + 1, '.')) {
    p_vec_push(w->a, &w->names, d ? p_arena_strndup(w->a, dotted, (size_t)(d - dotted)) : dotted);
    if (!d) break;
  }
}

static int ing__imp_child(py_node *ch, void *ctx) {
  ing__imp_walk *w = ctx;
  if (ch->kind == PY_IMPORT) {
    for (int i = 0; i < ch->u.import.names.n; i++) ing__want(w, ch->u.import.names.v[i]->u.alias.name);
    return 0;
  }
  if (ch->kind == PY_IMPORT_FROM) {
    const char *base = ch->u.import_from.module;
    int level = ch->u.import_from.level;
    if (level > 0) {
      /* relative imports name the job's own modules; only a standard-library
       * package's are resolved here */
      if (!w->m->is_stdlib) return 0;
      char *pkg = p_arena_strdup(w->a, w->m->name);
      for (int up = w->m->is_package ? level - 1 : level; up > 0; up--) {
        char *dot = strrchr(pkg, '.');
        if (!dot) return 0;
        *dot = 0;
      }
      base = base ? p_arena_printf(w->a, "%s.%s", pkg, base) : pkg;
    }
    if (!base) return 0;
    ing__want(w, base);
    /* `from pkg import sub` may name a submodule */
    for (int i = 0; i < ch->u.import_from.names.n; i++) {
      const char *nm = ch->u.import_from.names.v[i]->u.alias.name;
      if (strcmp(nm, "*") != 0 && !w->in_func) p_vec_push(w->a, &w->names, p_arena_printf(w->a, "%s.%s?", base, nm));
    }
    return 0;
  }
  /* a standard-library module's imports inside functions run only when
   * called: followed only at the top level (Analysis reports the rest) */
  if (w->m->is_stdlib && (ch->kind == PY_FUNCTION_DEF || ch->kind == PY_LAMBDA) && !w->in_func) {
    w->in_func = true; /* only the modules of ing__stdlib_lazy_follow */
    int rc = py_node_children(ch, ing__imp_child, ctx);
    w->in_func = false;
    return rc;
  }
  return py_node_children(ch, ing__imp_child, ctx);
}

/* The installed source of standard-library module `dotted`, or NULL. */
static char *ing__stdlib_file(p_arena *a, const char *dir, const char *dotted, bool *is_pkg) {
  char *rel = p_arena_strdup(a, dotted);
  for (char *p = rel; *p; p++)
    if (*p == '.') *p = '/';
  char *path = p_arena_printf(a, "%s/%s/__init__.py", dir, rel);
  *is_pkg = true;
  if (access(path, R_OK) == 0) return path;
  path = p_arena_printf(a, "%s/%s.py", dir, rel);
  *is_pkg = false;
  return access(path, R_OK) == 0 ? path : NULL;
}

/* Modules whose translation from source is known to run differently from
 * CPython because of a gap elsewhere in the runtime: left to Analysis,
 * which reports an import of one as unsupported (its reason in the log). */
static const struct {
  const char *module, *why;
} ing__stdlib_known_bad[] = {
    {"uuid", "the runtime's enum module lacks _simple_enum"},
    {"traceback", "the runtime keeps no traceback objects (e.__traceback__, sys.exc_info()[2] are None)"},
    {NULL, NULL}};

/* Most standard-library modules one job may pull in (argparse brings
 * gettext, locale, os...; a runaway chain is stopped here). */
#define ING_STDLIB_MAX 64

static int ing__stdlib_sources(pl_job *job, py_program *prog, uint32_t *next_id, int *cap, p_err *e) {
  const char *dir = job->cfg->stdlib_dir;
  if (!dir || !*dir) return 0;
  int added = 0;
  for (int mi = 0; mi < prog->nmodules; mi++) {
    py_module *m = prog->modules[mi];
    ing__imp_walk w = {.a = job->arena, .m = m};
    py_node_children(m->node, ing__imp_child, &w);
    for (int k = 0; k < w.names.n; k++) {
      const char *d = w.names.v[k];
      size_t dl = strlen(d);
      bool maybe = dl && d[dl - 1] == '?'; /* a submodule only if such a file exists */
      if (maybe) d = p_arena_strndup(job->arena, d, dl - 1);
      /* a native module (or a module inside one) keeps the runtime's path */
      bool native = false;
      char *pre = p_arena_strdup(job->arena, d);
      for (char *q = pre;; q++) {
        if (*q == '.' || *q == 0) {
          char save = *q;
          *q = 0;
          if (an_stdlib_supported(pre)) native = true;
          *q = save;
        }
        if (!*q) break;
      }
      if (native) continue;
      const char *top = p_arena_strndup(job->arena, d, strcspn(d, "."));
      /* the upload's own modules win, as on CPython's sys.path */
      bool top_is_stdlib = false;
      for (int i = 0; i < prog->nmodules; i++)
        if (prog->modules[i]->is_stdlib && strcmp(ing__upload_name(job->arena, prog, prog->modules[i]), top) == 0)
          top_is_stdlib = true;
      if (!top_is_stdlib && ing__has_module(job->arena, prog, top, true)) continue;
      if (ing__has_module(job->arena, prog, d, false)) continue;
      const char *bad = NULL;
      for (int i = 0; ing__stdlib_known_bad[i].module; i++)
        if (strcmp(ing__stdlib_known_bad[i].module, d) == 0) bad = ing__stdlib_known_bad[i].why;
      if (bad) {
        pl_log(job, "standard-library module %s: not compiled from source: %s", d, bad);
        continue;
      }
      bool is_pkg;
      char *path = ing__stdlib_file(job->arena, dir, d, &is_pkg);
      if (!path) continue; /* Analysis reports what is left */
      if (added >= ING_STDLIB_MAX) {
        snprintf(job->reason, sizeof job->reason, "unsupported");
        return p_err_set(e, P_EUNSUPPORTED,
                         "the program needs more than %d standard-library modules compiled from CPython's source "
                         "(%s is one more)", ING_STDLIB_MAX, d);
      }
      char *data;
      size_t len;
      int rc = p_read_file(path, 1 << 24, &data, &len, e);
      if (rc) return rc;
      py_module *sm = NULL;
      py_syntax_error se;
      rc = py_parse_file(job->arena, path, d, data, len, next_id, &sm, &se);
      free(data);
      if (rc) {
        pl_diag_add(job, "error", path, se.line, se.col, se.source_line, "%s: %s (standard-library module '%s')",
                    se.kind, se.msg, d);
        return p_err_at(e, (p_code)rc, path, se.line, se.col, "%s: %s", se.kind, se.msg);
      }
      sm->is_stdlib = true;
      sm->is_package = is_pkg;
      sm->name = d;
      ing__drop_main_guards(sm);
      if (prog->nmodules + 1 > *cap) {
        *cap = *cap * 2 + 8;
        py_module **nv = p_arena_alloc(job->arena, sizeof(py_module *) * (size_t)*cap);
        memcpy(nv, prog->modules, sizeof(py_module *) * (size_t)prog->nmodules);
        prog->modules = nv;
      }
      prog->modules[prog->nmodules++] = sm;
      added++;
      pl_log(job, "standard-library module %s: translated from %s", d, path);
    }
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
  int cap = (int)job->nfiles + 1;
  int src = ing__stdlib_sources(job, prog, &next_id, &cap, e);
  if (src) return src;
  int drc = ing_doctest_extract(job, prog, &next_id, e);
  if (drc) return drc;
  prog->nnodes = next_id - 1;
  job->ast = prog;
  job->ast_free = NULL;
  job->diag_remap = ing_doctest_remap;
  (void)ing__program_free;
  pl_log(job, "parsed %d module(s), %zu lines, %u AST nodes in %lld ms", prog->nmodules, lines,
         (unsigned)prog->nnodes, (long long)(p_mono_ms() - t0));
  return 0;
}

