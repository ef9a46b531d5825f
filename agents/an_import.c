/*
 * an_import.c - Analysis pass 2: modules and imports.
 *
 * Every module of the upload has an an_module; module names are taken
 * relative to the entry script's directory (CPython puts it first on
 * sys.path). Every import is resolved to an uploaded module, a supported
 * standard-library module (an__stdlib below, the one table of them), or
 * neither. "Neither" is a compile-time error only when CPython would hit
 * it before the program could print anything: an unconditional top-level
 * import in the entry script (or in a module it imports that way)
 * preceded only by imports, defs, classes and constant assignments
 * (an__static_import_errors). Any other unknown import is recorded as a
 * runtime ModuleNotFoundError so that the translated program fails at the
 * same point CPython does (see corpus t5_errors/uncaught_import_error),
 * with a warning. A module of CPython's own standard library that the
 * runtime lacks is different: CPython would import it, so an import of one
 * is an error wherever it is, unless a try that catches ImportError guards
 * it (then it falls back at run time, with a warning); see "unsupported
 * imports". Example modules of doctests (ing_doctest.c) are modules like
 * the others here.
 *
 * Modules on import cycles are marked (an_module.in_cycle). After pass 3,
 * an_missing_attrs reports `mod.name` uses of names that CPython's module
 * has and the runtime's lacks; an_sole_import answers which import is a
 * module name's only binding.
 */
#include "an_internal.h"

/* ------------------------------------------------- the stdlib table */

/* Standard-library modules the runtime crate supports (docs/runtime-api.md
 * lists what each provides; rt::STDLIB_MODULES is the same list, so that an
 * import the runtime would fail is reported here, at its line:col). One
 * table, sorted by name; a dotted import like os.path must appear itself. */
static const char *const an__stdlib[] = {
    "__future__", "abc",       "array",     "asyncio",   "binascii",  "bisect",    "builtins",  "cmath",     "collections", "collections.abc",
    "contextlib", "copy",      "dataclasses", "doctest", "enum",    "fractions",   "functools",
    "heapq",      "io",        "itertools", "json",      "math",        "numbers",   "operator",
    "os",         "os.path",   "pprint",
    "queue",      "random",    "re",        "statistics", "string",     "struct",
    "sys",        "textwrap",  "time",      "types",     "typing",    "_codecs",   "shutil",    "_collections_abc",
    "errno",      "linecache", NULL};

/* CPython 3.11's own standard-library modules (sys.stdlib_module_names,
 * the private ones left out): an import of one of these that the runtime
 * does not provide is our gap, not the program's (see an__unsupported_imports). */
static const char *const an__cpython_stdlib[] = {
    "__future__", "abc", "aifc", "antigravity", "argparse", "array", "ast", "asynchat", "asyncio", "asyncore",
    "atexit", "audioop", "base64", "bdb", "binascii", "bisect", "builtins", "bz2", "cProfile", "calendar", "cgi",
    "cgitb", "chunk", "cmath", "cmd", "code", "codecs", "codeop", "collections", "colorsys", "compileall",
    "concurrent", "configparser", "contextlib", "contextvars", "copy", "copyreg", "crypt", "csv", "ctypes", "curses",
    "dataclasses", "datetime", "dbm", "decimal", "difflib", "dis", "distutils", "doctest", "email", "encodings",
    "ensurepip", "enum", "errno", "faulthandler", "fcntl", "filecmp", "fileinput", "fnmatch", "fractions", "ftplib",
    "functools", "gc", "genericpath", "getopt", "getpass", "gettext", "glob", "graphlib", "grp", "gzip", "hashlib",
    "heapq", "hmac", "html", "http", "idlelib", "imaplib", "imghdr", "imp", "importlib", "inspect", "io", "ipaddress",
    "itertools", "json", "keyword", "lib2to3", "linecache", "locale", "logging", "lzma", "mailbox", "mailcap",
    "marshal", "math", "mimetypes", "mmap", "modulefinder", "msilib", "msvcrt", "multiprocessing", "netrc", "nis",
    "nntplib", "nt", "ntpath", "nturl2path", "numbers", "opcode", "operator", "optparse", "os", "ossaudiodev",
    "pathlib", "pdb", "pickle", "pickletools", "pipes", "pkgutil", "platform", "plistlib", "poplib", "posix",
    "posixpath", "pprint", "profile", "pstats", "pty", "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data",
    "pyexpat", "queue", "quopri", "random", "re", "readline", "reprlib", "resource", "rlcompleter", "runpy", "sched",
    "secrets", "select", "selectors", "shelve", "shlex", "shutil", "signal", "site", "smtpd", "smtplib", "sndhdr",
    "socket", "socketserver", "spwd", "sqlite3", "sre_compile", "sre_constants", "sre_parse", "ssl", "stat",
    "statistics", "string", "stringprep", "struct", "subprocess", "sunau", "symtable", "sys", "sysconfig", "syslog",
    "tabnanny", "tarfile", "telnetlib", "tempfile", "termios", "textwrap", "this", "threading", "time", "timeit",
    "tkinter", "token", "tokenize", "tomllib", "trace", "traceback", "tracemalloc", "tty", "turtle", "turtledemo",
    "types", "typing", "unicodedata", "unittest", "urllib", "uu", "uuid", "venv", "warnings", "wave", "weakref",
    "webbrowser", "winreg", "winsound", "wsgiref", "xdrlib", "xml", "xmlrpc", "zipapp", "zipfile", "zipimport",
    "zlib", "zoneinfo", NULL};


/* Public names of CPython's version of a runtime module that the runtime
 * does not provide (generated by contrib/gen-missing-names.sh; the
 * runtime's host tests check that each is still missing). */
static const struct {
  const char *module, *names;
} an__missing_names[] = {
#include "an_missing_names.inc"
    {NULL, NULL}};

static bool an__rt_lacks(const char *module, const char *name) {
  size_t nl = strlen(name);
  for (int i = 0; an__missing_names[i].module; i++) {
    if (strcmp(an__missing_names[i].module, module) != 0) continue;
    for (const char *p = an__missing_names[i].names; *p;) {
      while (*p == ' ') p++;
      const char *q = p;
      while (*q && *q != ' ') q++;
      if ((size_t)(q - p) == nl && !strncmp(p, name, nl)) return true;
      p = q;
    }
  }
  return false;
}

static bool an__cpython_stdlib_has(const char *module) {
  size_t n = strcspn(module, ".");
  for (int i = 0; an__cpython_stdlib[i]; i++)
    if (strlen(an__cpython_stdlib[i]) == n && !strncmp(an__cpython_stdlib[i], module, n)) return true;
  return false;
}

bool an_stdlib_supported(const char *name) {
  for (int i = 0; an__stdlib[i]; i++)
    if (strcmp(an__stdlib[i], name) == 0) return true;
  return false;
}


/* ------------------------------------------------------------ imports */

an_module *an_find_module(an_program *p, const char *name) {
  for (int i = 0; i < p->nmodules; i++)
    if (strcmp(p->modules[i].name, name) == 0) return &p->modules[i];
  return NULL;
}

/* Is name a module of the upload, or a package directory prefix of one
 * (namespace package: pkg/mod.py without pkg/__init__.py)? */
static bool an__upload_has(an_program *p, const char *name) {
  if (an_find_module(p, name)) return true;
  size_t n = strlen(name);
  for (int i = 0; i < p->nmodules; i++)
    if (strncmp(p->modules[i].name, name, n) == 0 && p->modules[i].name[n] == '.') return true;
  return false;
}

/* Resolves `from .x import` bases: the package of module m, level dots up. */
static const char *an__relative_base(an_ctx *c, an_module *m, int level, const char *sub) {
  const char *name = m->name;
  /* the package of a module is its name minus the last part, of a package itself */
  char *base = p_arena_strdup(c->a, name);
  int up = m->mod->is_package ? level - 1 : level;
  for (int i = 0; i < up; i++) {
    char *dot = strrchr(base, '.');
    if (!dot) {
      if (*base == 0) return NULL;
      *base = 0;
      continue;
    }
    *dot = 0;
  }
  if (sub && *sub) return *base ? p_arena_printf(c->a, "%s.%s", base, sub) : sub;
  return base;
}

static an_import *an__add_import(an_ctx *c, an_module *m, const py_node *st, const char *module, const char *name,
                                 const char *asname, bool conditional) {
  m->imports = an_grow(c->a, m->imports, m->nimports, &m->capimports, sizeof *m->imports);
  an_import *im = &m->imports[m->nimports++];
  memset(im, 0, sizeof *im);
  im->node = st;
  im->module = module;
  im->name = name;
  im->asname = asname;
  im->conditional = conditional;
  im->line = st->line;
  im->col = st->col;
  /* `import a.b.c` needs every prefix */
  im->is_upload = an__upload_has(c->p, module);
  im->is_stdlib = !im->is_upload && an_stdlib_supported(module);
  if (!im->is_upload && !im->is_stdlib) {
    /* a supported parent with an unsupported child (os.path is listed) */
    im->runtime_error = true;
  }
  if (name && im->is_upload) {
    const char *full = p_arena_printf(c->a, "%s.%s", module, name);
    im->is_submodule = an__upload_has(c->p, full);
    /* `from m import name` of a name m never binds: ImportError when run */
    an_module *t = an_find_module(c->p, module);
    if (!im->is_submodule && t && t->scope && strcmp(name, "*") != 0 && !t->scope->has_star_import) {
      an_symbol *y = an_symbol_of(t->scope, name);
      bool bound = y && (y->flags & (AN_SYM_ASSIGNED | AN_SYM_DECL_GLOBAL));
      bool getattr_hook = an_symbol_of(t->scope, "__getattr__") != NULL;
      /* names set from functions through `global` count as bound */
      if (!bound && !getattr_hook && !c->uses_reflection) {
        im->runtime_error = true;
        im->missing_name = true;
      }
    }
  }
  if (im->is_stdlib) {
    bool seen = false;
    for (int i = 0; i < c->p->nstdlib; i++)
      if (!strcmp(c->p->stdlib_used[i], module)) seen = true;
    if (!seen) {
      const char **nv = p_arena_alloc(c->a, sizeof(char *) * (size_t)(c->p->nstdlib + 1));
      if (c->p->nstdlib) memcpy(nv, c->p->stdlib_used, sizeof(char *) * (size_t)c->p->nstdlib);
      nv[c->p->nstdlib++] = module;
      c->p->stdlib_used = nv;
    }
  }
  return im;
}

/* Collects imports anywhere in a statement list. conditional: not an
 * unconditional top-level statement of the module. */
static void an__collect_imports(an_ctx *c, an_module *m, py_nodes body, bool conditional);

static int an__collect_child(py_node *ch, void *ctx) {
  void **cv = ctx;
  an_ctx *c = cv[0];
  an_module *m = cv[1];
  if (py_is_stmt(ch->kind)) {
    py_nodes one = {&ch, 1};
    an__collect_imports(c, m, one, true);
  } else if (ch->kind == PY_EXCEPT_HANDLER || ch->kind == PY_MATCH_CASE) {
    py_node_children(ch, an__collect_child, ctx);
  }
  return 0;
}

static void an__collect_imports(an_ctx *c, an_module *m, py_nodes body, bool conditional) {
  for (int i = 0; i < body.n; i++) {
    py_node *st = body.v[i];
    if (st->kind == PY_IMPORT) {
      for (int j = 0; j < st->u.import.names.n; j++) {
        py_node *al = st->u.import.names.v[j];
        const char *bound = al->u.alias.asname;
        if (!bound) {
          const char *dot = strchr(al->u.alias.name, '.');
          bound = dot ? p_arena_strndup(c->a, al->u.alias.name, (size_t)(dot - al->u.alias.name)) : al->u.alias.name;
        }
        an__add_import(c, m, st, al->u.alias.name, NULL, bound, conditional);
      }
    } else if (st->kind == PY_IMPORT_FROM) {
      const char *mod = st->u.import_from.module;
      if (st->u.import_from.level > 0) {
        const char *base = an__relative_base(c, m, st->u.import_from.level, mod);
        if (!base || !*base) {
          /* CPython raises ImportError when the statement runs */
          m->imports = an_grow(c->a, m->imports, m->nimports, &m->capimports, sizeof *m->imports);
          an_import *im = &m->imports[m->nimports++];
          memset(im, 0, sizeof *im);
          im->node = st;
          im->module = p_arena_printf(c->a, "%.*s%s", st->u.import_from.level, "..........", mod ? mod : "");
          im->runtime_error = im->bad_relative = true;
          im->conditional = conditional;
          im->line = st->line;
          im->col = st->col;
          continue;
        }
        mod = base;
      }
      for (int j = 0; j < st->u.import_from.names.n; j++) {
        py_node *al = st->u.import_from.names.v[j];
        an__add_import(c, m, st, mod, al->u.alias.name, al->u.alias.asname ? al->u.alias.asname : al->u.alias.name,
                       conditional);
      }
    } else {
      void *cv[2] = {c, m};
      py_node_children(st, an__collect_child, cv);
    }
  }
}

/* A statement CPython runs without any visible effect before a failing
 * import: imports, defs, classes without decorators, docstrings, pass,
 * assignments of literals. */
static bool an__silent_stmt(const py_node *st) {
  switch (st->kind) {
  case PY_IMPORT: case PY_IMPORT_FROM: case PY_PASS: case PY_GLOBAL: return true;
  case PY_FUNCTION_DEF:
    for (int i = 0; i < st->u.function_def.decorators.n; i++)
      if (st->u.function_def.decorators.v[i]->kind != PY_NAME) return false;
    return true;
  case PY_CLASS_DEF: return false; /* a class body runs code */
  case PY_EXPR: {
    py_kind k = st->u.expr.value->kind;
    return k == PY_STR || k == PY_INT || k == PY_FLOAT || k == PY_ELLIPSIS || k == PY_NONE;
  }
  case PY_ASSIGN: case PY_ANN_ASSIGN: {
    const py_node *v = st->kind == PY_ASSIGN ? st->u.assign.value : st->u.ann_assign.value;
    if (!v) return true;
    py_kind k = v->kind;
    return k == PY_STR || k == PY_INT || k == PY_FLOAT || k == PY_BOOL || k == PY_NONE || k == PY_BYTES;
  }
  default: return false;
  }
}

/* Reports the unknown imports CPython would fail on before any output:
 * walks the entry module's silent prefix, following unconditional imports
 * of uploaded modules (packages first, depth-first, like execution).
 * Returns 1 if an error was reported, 0 if the whole module ran silently,
 * -1 if it stopped at a statement that may produce output. */
static int an__static_import_errors(an_ctx *c, an_module *m, int depth, bool *visiting) {
  if (depth > 64) return -1;
  int idx = (int)(m - c->p->modules);
  if (visiting[idx]) return 0; /* already imported: not executed again */
  visiting[idx] = true;
  py_nodes body = m->mod->node->u.module.body;
  for (int i = 0; i < body.n; i++) {
    py_node *st = body.v[i];
    if (st->kind == PY_IMPORT || st->kind == PY_IMPORT_FROM) {
      for (int j = 0; j < m->nimports; j++) {
        an_import *im = &m->imports[j];
        if (im->node != st) continue;
        if (im->is_upload) {
          /* executing the packages, then the module, then a submodule */
          const char *full = im->is_submodule && im->name ? p_arena_printf(c->a, "%s.%s", im->module, im->name) : im->module;
          char *name = p_arena_strdup(c->a, full);
          for (char *dot = name;; dot++) {
            bool end = *dot == 0;
            if (*dot != '.' && !end) continue;
            char save = *dot;
            *dot = 0;
            an_module *t = an_find_module(c->p, name);
            *dot = save;
            if (t) {
              int r = an__static_import_errors(c, t, depth + 1, visiting);
              if (r) return r;
            }
            if (end) break;
          }
        }
        if (im->runtime_error) {
          if (im->bad_relative)
            an_diag(c, st->file, im->line, im->col, "ImportError: attempted relative import %s",
                    m->mod->is_entry || !strchr(m->name, '.') ? "with no known parent package"
                                                              : "beyond top-level package");
          else if (im->missing_name)
            an_diag(c, st->file, im->line, im->col, "ImportError: cannot import name '%s' from '%s'", im->name,
                    im->module);
          else
            an_diag(c, st->file, im->line, im->col,
                    "ModuleNotFoundError: No module named '%s' (neither in the upload nor supported by Portalis)",
                    im->module);
          c->nerr_import++;
          im->runtime_error = false; /* reported statically */
          return 1;
        }
      }
    }
    if (!an__silent_stmt(st)) return -1;
  }
  return 0;
}

/* ---------------------------------------------- unsupported imports
 *
 * An import that the translated program cannot satisfy is reported here,
 * at its line:col, rather than found when the program runs:
 *  - a module of CPython's standard library that the runtime does not
 *    provide: CPython imports it, so the translation would behave
 *    differently. An error, unless the import sits in the body of a try
 *    whose handlers catch ImportError (or ModuleNotFoundError, Exception,
 *    BaseException, a bare except): such a program is written to run
 *    without the module, so it keeps its runtime fallback, with a warning
 *    that it takes the except branch where CPython would not;
 *  - any other unknown module: CPython fails there too (the module is not
 *    installed). Before any output that is an error already
 *    (an__static_import_errors); elsewhere the translation raises the same
 *    ModuleNotFoundError at the same point as CPython, and a warning says
 *    so, unless the import is guarded;
 *  - `from M import name` of a runtime module M where CPython's M has the
 *    name and ours does not (an_missing_names.inc): like the first case.
 * Warnings travel as an_diag messages starting "warning: " (an__job_diag
 * in analysis.c turns them into diagnostics of that severity). */

/* Does an except clause of this try catch ImportError (and go on: a
 * handler that ends in `raise`, as codecs.py's for _codecs does, only
 * changes the error)? */
static bool an__catches_import_error(const py_node *try_) {
  static const char *const names[] = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException", NULL};
  for (int h = 0; h < try_->u.try_.handlers.n; h++) {
    py_nodes hb = try_->u.try_.handlers.v[h]->u.except_handler.body;
    if (hb.n && hb.v[hb.n - 1]->kind == PY_RAISE) continue;
    const py_node *t = try_->u.try_.handlers.v[h]->u.except_handler.type;
    if (!t) return true;
    py_nodes one = {(py_node **)&t, 1};
    py_nodes alts = t->kind == PY_TUPLE ? t->u.list_or_tuple.elts : one;
    for (int i = 0; i < alts.n; i++) {
      const py_node *x = alts.v[i];
      const char *id = x->kind == PY_NAME ? x->u.name.id : x->kind == PY_ATTRIBUTE ? x->u.attribute.attr : NULL;
      for (int k = 0; id && names[k]; k++)
        if (!strcmp(id, names[k])) return true;
    }
  }
  return false;
}

typedef struct an_guard_walk {
  bool *guarded; /* by node id */
  uint32_t n;
  bool on;
  bool *infunc;  /* by node id: the import runs only when a function is called */
  bool fn;
  bool else_too; /* a standard-library module: the else of such a try runs only
                    when the guarded imports succeeded, so it is guarded too */
} an_guard_walk;

static int an__guard_child(py_node *ch, void *ctx);

static void an__guard_stmts(an_guard_walk *w, py_nodes body, bool on) {
  bool save = w->on;
  w->on = on;
  for (int i = 0; i < body.n; i++) an__guard_child(body.v[i], w);
  w->on = save;
}

/* Marks the import statements lexically inside a guarding try body (a
 * def inside one is not guarded when it runs later). */
static int an__guard_child(py_node *ch, void *ctx) {
  an_guard_walk *w = ctx;
  if (ch->kind == PY_IMPORT || ch->kind == PY_IMPORT_FROM) {
    if (ch->id < w->n) w->guarded[ch->id] = w->on;
    if (ch->id < w->n && w->infunc) w->infunc[ch->id] = w->fn;
    return 0;
  }
  if (ch->kind == PY_TRY) {
    an__guard_stmts(w, ch->u.try_.body, w->on || an__catches_import_error(ch));
    for (int h = 0; h < ch->u.try_.handlers.n; h++) an__guard_stmts(w, ch->u.try_.handlers.v[h]->u.except_handler.body, w->on);
    an__guard_stmts(w, ch->u.try_.orelse, w->on || (w->else_too && an__catches_import_error(ch)));
    an__guard_stmts(w, ch->u.try_.finalbody, w->on);
    return 0;
  }
  if (ch->kind == PY_FUNCTION_DEF || ch->kind == PY_LAMBDA) {
    bool save = w->on, savefn = w->fn;
    w->on = false;
    w->fn = true;
    py_node_children(ch, an__guard_child, w);
    w->on = save;
    w->fn = savefn;
    return 0;
  }
  if (py_is_stmt(ch->kind) || ch->kind == PY_EXCEPT_HANDLER || ch->kind == PY_MATCH_CASE || ch->kind == PY_MODULE)
    py_node_children(ch, an__guard_child, w);
  return 0;
}

/* The errors for unguarded imports of standard-library modules the
 * runtime lacks (before an__static_import_errors, which then skips them);
 * with warnings=true instead, the warnings for what is left. */
static void an__unsupported_imports(an_ctx *c, const py_program *prog, bool warnings) {
  an_guard_walk w = {p_arena_alloc(c->a, prog->nnodes + 2), prog->nnodes + 2, false, p_arena_alloc(c->a, prog->nnodes + 2),
                     false, false};
  memset(w.guarded, 0, prog->nnodes + 2);
  memset(w.infunc, 0, prog->nnodes + 2);
  for (int i = 0; i < c->p->nmodules; i++) {
    w.else_too = c->p->modules[i].mod->is_stdlib;
    an__guard_child(c->p->modules[i].mod->node, &w);
  }
  /* only the modules the entry script can import (a stray file of the
   * upload, a test suite beside the package, is never run) */
  int nm = c->p->nmodules;
  bool *reach = p_arena_alloc(c->a, (size_t)nm + 1);
  memset(reach, 0, (size_t)nm + 1);
  for (int i = 0; i < nm; i++) reach[i] = !c->p->entry || &c->p->modules[i] == c->p->entry || c->p->modules[i].mod->doctest_host;
  for (bool grew = true; grew;) {
    grew = false;
    for (int i = 0; i < nm; i++) {
      if (!reach[i]) continue;
      an_module *m = &c->p->modules[i];
      for (int j = 0; j < m->nimports; j++) {
        an_import *im = &m->imports[j];
        if (!im->is_upload) continue;
        const char *names[2] = {im->module, im->name ? p_arena_printf(c->a, "%s.%s", im->module, im->name) : NULL};
        for (int k = 0; k < 2; k++) {
          /* a.b.c runs a and a.b too */
          char *nmod = names[k] ? p_arena_strdup(c->a, names[k]) : NULL;
          for (char *d = nmod; d;) {
            char *dot = strchr(d, '.');
            if (dot) *dot = 0;
            an_module *t = an_find_module(c->p, nmod);
            if (t && !reach[t - c->p->modules]) reach[t - c->p->modules] = grew = true;
            if (dot) *dot = '.';
            d = dot ? dot + 1 : NULL;
          }
        }
      }
    }
  }
  c->reach = reach;
  for (int i = 0; i < nm; i++) {
    if (!reach[i]) continue;
    an_module *m = &c->p->modules[i];
    const py_node *last = NULL;
    for (int j = 0; j < m->nimports; j++) {
      an_import *im = &m->imports[j];
      bool guarded = im->node->id < w.n && w.guarded[im->node->id];
      const char *file = im->node->file;
      if (im->is_stdlib && im->name && !warnings && an__rt_lacks(im->module, im->name)) {
        /* `from typing import X` of a name CPython's module has and ours not */
        if (guarded) {
          an_diag(c, file, im->line, im->col,
                  "warning: '%s' of standard-library module '%s' is not supported by Portalis yet: this import raises "
                  "ImportError and the except clause runs, where CPython would import the name", im->name, im->module);
        } else {
          an_diag(c, file, im->line, im->col,
                  "unsupported import: '%s' of standard-library module '%s' is not supported by Portalis yet (CPython "
                  "would import it)", im->name, im->module);
          c->nerr_import++;
        }
        continue;
      }
      if (!im->runtime_error || im->bad_relative) continue;
      if (m->mod->is_stdlib) {
        /* in a standard-library module compiled from CPython's source
         * (ingest.c): what it imports and the runtime lacks (a C module such
         * as _csv, a module not followed) is reported there */
        const char *what = im->missing_name ? p_arena_printf(c->a, "'%s' of module '%s'", im->name, im->module)
                                            : p_arena_printf(c->a, "module '%s'", im->module);
        if (im->node == last) continue; /* once per statement */
        if (guarded || w.infunc[im->node->id]) {
          /* a guarded import is the module's own fallback: silent */
          if (warnings && !guarded && (last = im->node))
            an_diag(c, file, im->line, im->col,
                    "warning: %s, imported by standard-library module '%s' (compiled from CPython's source), is not "
                    "available: this import raises ImportError%s", what, m->name,
                    " if the function runs");
          continue;
        }
        if (warnings) continue;
        last = im->node;
        an_diag(c, file, im->line, im->col,
                "unsupported import: %s, imported by standard-library module '%s' (compiled from CPython's source), "
                "is not supported by Portalis (%s)", what, m->name,
                im->missing_name ? "the name is not bound there" : an__cpython_stdlib_has(im->module) ? "a module the runtime lacks and that has no Python source" : "a C module of CPython");
        c->nerr_import++;
        im->runtime_error = false; /* reported statically */
        continue;
      }
      if (im->missing_name) continue;
      if (an__cpython_stdlib_has(im->module)) {
        if (warnings) continue;
        if (guarded) {
          an_diag(c, file, im->line, im->col,
                  "warning: standard-library module '%s' is not supported by Portalis yet: this import raises "
                  "ImportError and the except clause runs, where CPython would import the module", im->module);
          continue;
        }
        an_diag(c, file, im->line, im->col,
                "unsupported import: standard-library module '%s' is not supported by Portalis yet (CPython would "
                "import it; a try/except ImportError around the import would fall back when translated)", im->module);
        c->nerr_import++;
        im->runtime_error = false; /* reported statically */
      } else if (warnings && !guarded) {
        an_diag(c, file, im->line, im->col,
                "warning: No module named '%s' (neither in the upload nor in the standard library): the program "
                "raises ModuleNotFoundError here when it runs, as CPython does without it installed", im->module);
      }
    }
  }
}

/* `M.name` (and `P.M.name` for a dotted module) where M is bound only by
 * `import M` of a runtime module whose CPython version has name and ours
 * not: the same error as for `from M import name`, at the attribute, where
 * the program would otherwise stop with an AttributeError when it runs.
 * Only names that resolve to the import's binding count (a parameter or a
 * local of the same name, or a name also bound by an assignment, is not
 * the module). Runs after the type rounds, which count the assignments. */
typedef struct an_mattr_walk {
  an_ctx *c;
  an_module *m;
  an_scope *s;
} an_mattr_walk;

/* The runtime module `id` is bound to in scope s by `import`, or NULL. */
static const char *an__module_of_name(an_mattr_walk *w, const char *id) {
  an_scope *s = w->s;
  while (s && s->kind != AN_SCOPE_MODULE && an_lookup(s, id) != AN_LOCAL) s = s->parent;
  if (!s) return NULL;
  an_symbol *y = an_symbol_of(s, id);
  if (!y || !(y->flags & AN_SYM_IMPORTED) || y->nassign != 0 ||
      (y->flags & (AN_SYM_PARAM | AN_SYM_WALRUS | AN_SYM_DELETED | AN_SYM_GLOBAL_WRITTEN | AN_SYM_COMP_ITER)))
    return NULL;
  const char *mod = NULL;
  for (int i = 0; i < w->m->nimports; i++) {
    const an_import *im = &w->m->imports[i];
    if (!im->asname || strcmp(im->asname, id) != 0) continue;
    if (im->name || !im->is_stdlib) return NULL; /* also bound by from-import or to an upload module */
    const char *full = im->module;
    /* `import os.path` binds os; `import os.path as p` binds os.path */
    const char *which = im->node->kind == PY_IMPORT && strcmp(full, id) != 0 && strncmp(full, id, strlen(id)) == 0 &&
                                full[strlen(id)] == '.'
                            ? id
                            : full;
    if (mod && strcmp(mod, which) != 0) return NULL;
    mod = which;
  }
  return mod;
}

static int an__missing_attr_child(py_node *ch, void *ctx) {
  an_mattr_walk *w = ctx;
  an_scope *save = w->s, *ns = an_scope_of(w->c->p, ch);
  if (ns) w->s = ns;
  if (ch->kind == PY_ATTRIBUTE && ch->u.attribute.ctx == PY_LOAD) {
    py_node *v = ch->u.attribute.value;
    const char *mod = NULL;
    if (v->kind == PY_NAME) {
      mod = an__module_of_name(w, v->u.name.id);
    } else if (v->kind == PY_ATTRIBUTE && v->u.attribute.value->kind == PY_NAME) {
      /* os.path.x: os bound by `import os` or `import os.path` */
      const char *root = an__module_of_name(w, v->u.attribute.value->u.name.id);
      if (root && !strchr(root, '.')) {
        const char *dotted = p_arena_printf(w->c->a, "%s.%s", root, v->u.attribute.attr);
        if (an_stdlib_supported(dotted)) mod = dotted;
      }
    }
    /* collections.abc is a module of its own, not a missing name */
    if (mod && an__rt_lacks(mod, ch->u.attribute.attr) &&
        !an_stdlib_supported(p_arena_printf(w->c->a, "%s.%s", mod, ch->u.attribute.attr))) {
      /* in a function of a standard-library module compiled from source,
       * it matters only if that function runs: a warning */
      bool lazy = false;
      for (an_scope *s = w->s; s && w->m->mod->is_stdlib; s = s->parent)
        if (s->kind == AN_SCOPE_FUNCTION || s->kind == AN_SCOPE_LAMBDA) lazy = true;
      if (lazy) {
        an_diag(w->c, ch->file, ch->line, ch->col,
                "warning: '%s' of standard-library module '%s' is not supported by Portalis yet: standard-library "
                "module '%s' (compiled from CPython's source) raises AttributeError here if this function runs",
                ch->u.attribute.attr, mod, w->m->name);
      } else {
      an_diag(w->c, ch->file, ch->line, ch->col,
              "unsupported name: '%s' of standard-library module '%s' is not supported by Portalis yet (CPython's "
              "module has it)", ch->u.attribute.attr, mod);
      w->c->nerr_import++;
      }
    }
  }
  py_node_children(ch, an__missing_attr_child, w);
  w->s = save;
  return 0;
}

void an_missing_attrs(an_ctx *c) {
  for (int i = 0; i < c->p->nmodules; i++) {
    if (c->reach && !c->reach[i]) continue;
    an_mattr_walk w = {c, &c->p->modules[i], c->p->modules[i].scope};
    py_node_children(c->p->modules[i].mod->node, an__missing_attr_child, &w);
  }
}

/* Marks modules on import cycles (Tarjan-free: DFS with a path stack). */
static void an__cycles(an_ctx *c, int i, int *state, int *stack, int *sp) {
  an_program *p = c->p;
  state[i] = 1;
  stack[(*sp)++] = i;
  an_module *m = &p->modules[i];
  for (int j = 0; j < m->nimports; j++) {
    an_import *im = &m->imports[j];
    if (!im->is_upload) continue;
    /* importing a.b.c runs a, a.b and a.b.c; `from a import b` may run a.b */
    const char *targets[2] = {im->module, im->is_submodule ? p_arena_printf(c->a, "%s.%s", im->module, im->name) : NULL};
    for (int ti = 0; ti < 2; ti++) {
      if (!targets[ti]) continue;
      char *name = p_arena_strdup(c->a, targets[ti]);
      for (char *dot = name;; dot++) {
        bool end = *dot == 0;
        if (*dot != '.' && !end) continue;
        char save = *dot;
        *dot = 0;
        an_module *t = an_find_module(p, name);
        *dot = save;
        if (t) {
          int k = (int)(t - p->modules);
          if (state[k] == 1) {
            for (int q = *sp - 1; q >= 0; q--) {
              p->modules[stack[q]].in_cycle = true;
              if (stack[q] == k) break;
            }
          } else if (state[k] == 0) {
            an__cycles(c, k, state, stack, sp);
          }
        }
        if (end) break;
      }
    }
  }
  (*sp)--;
  state[i] = 2;
}

const an_import *an_sole_import(const an_scope *m, const char *name) {
  if (!m->module || an_module_bindings(m, name) != 1 || an_global_written(m, name)) return NULL;
  for (int i = 0; i < m->module->nimports; i++) {
    const an_import *im = &m->module->imports[i];
    if (!im->conditional && im->asname && !strcmp(im->asname, name)) return im;
  }
  return NULL;
}

/* ------------------------------------------------------------ the pass */

void an_imports(an_ctx *c, py_program *prog) {
  an_program *p = c->p;
  /* Imports resolve against the entry script's directory (CPython puts it
   * first on sys.path): with the entry at src/main.py, src/pkg/mod.py is
   * pkg.mod. Modules outside that directory keep their upload-path name. */
  const char *edir = NULL;
  size_t edl = 0;
  if (prog->entry) {
    const char *slash = strrchr(prog->entry->path, '/');
    if (slash) {
      edir = prog->entry->path;
      edl = (size_t)(slash - edir) + 1;
    }
  }
  for (int i = 0; i < prog->nmodules; i++) {
    py_module *mm = p->modules[i].mod;
    if (edir && strncmp(mm->path, edir, edl) == 0) mm->name = py_module_name_of(c->a, mm->path + edl);
    p->modules[i].name = mm->name;
  }
  for (int i = 0; i < prog->nmodules; i++)
    an__collect_imports(c, &p->modules[i], p->modules[i].mod->node->u.module.body, false);
  if (p->nmodules) {
    int *state = p_xcalloc((size_t)p->nmodules, sizeof(int)), *stack = p_xcalloc((size_t)p->nmodules + 1, sizeof(int));
    int sp = 0;
    for (int i = 0; i < p->nmodules; i++)
      if (!state[i]) an__cycles(c, i, state, stack, &sp);
    free(state);
    free(stack);
  }
  an__unsupported_imports(c, prog, false);
  if (p->entry && !c->nerr_import) {
    bool *visiting = p_xcalloc((size_t)p->nmodules + 1, sizeof(bool));
    (void)an__static_import_errors(c, p->entry, 0, visiting);
    free(visiting);
  }
  if (!c->nerr_import) an__unsupported_imports(c, prog, true);
}
