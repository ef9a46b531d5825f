/*
 * test_analysis.c - Check suites for the Analysis agent (agents/analysis.c
 * and its passes, agents/an_*.c).
 *
 * Covers:
 *   scopes    local/global/nonlocal/free/cell/builtin per LEGB: class
 *             bodies, comprehensions, lambdas, except-as, for targets,
 *             walrus, super()/__class__; and, when $PYTHON3 is set, every
 *             symbol of several programs against CPython's own symtable.
 *             How often each module name is bound by the module's own
 *             code, and whether a function or class declares it global.
 *             The locals a def may read unbound (UnboundLocalError checks).
 *   errors    nonlocal without binding, name used before global.
 *   imports   packages, relative imports, from-import of submodules,
 *             cycles, stdlib table, unknown imports: a compile-time error
 *             only when CPython would fail before any output, otherwise a
 *             runtime ModuleNotFoundError.
 *   types     literals, interprocedural int inference (fib), returns,
 *             containers, escapes, annotations not trusted, values that
 *             must stay dynamic, library mode, purity, range facts.
 *   flow      flow-sensitive Name loads: strong updates, branch joins,
 *             loops to a fixed point, del, try/except/finally, with,
 *             walrus, module-level names and globals written by calls.
 *   classes   constructor calls feed __init__, self, attribute types from
 *             every store, method call sites; what must stay dynamic
 *             (subclass, unknown receiver, setattr, C.m(x), type(x)(...)).
 *   elements  container element types and escapes; unpacking; dict reads.
 *   annotations  parsed, reported, conflicts inference proves.
 *   golden    tests/golden/types/X.py -> X.types (signatures, symbols);
 *             tests/golden/infer_types/X.py -> X.loads (every Name load's
 *             type, attributes, conflicts), hand-checked.
 *   corpus    every program of ../shared/corpus analyses without error.
 *   trace     every static Name-load type of the corpus programs (and of
 *             tests/golden/infer_types, .../trace) holds for every value
 *             CPython produces there (tests/infer_trace.py; needs python3).
 *   stage     pl_stage_analysis: analysis.json artifact is valid JSON.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis.h"
#include "ast.h"
#include "pipeline.h"

typedef struct {
  const char *path, *src;
} src_file;

typedef struct {
  char msgs[8][512];
  int n;
} diags;

static void collect(void *ctx, const char *file, int line, int col, const char *msg) {
  diags *d = ctx;
  if (d->n < 8) snprintf(d->msgs[d->n++], 512, "%s:%d:%d: %s", file, line, col, msg);
}

/* Parses files (the first is the entry unless entry == false) and runs the
 * analysis. Returns its code; *out set. */
static int analyse(p_arena *a, const src_file *files, int n, bool entry, an_program **out, diags *d) {
  py_program *prog = p_arena_alloc(a, sizeof *prog);
  prog->modules = p_arena_alloc(a, sizeof(py_module *) * (size_t)n);
  uint32_t next = 1;
  for (int i = 0; i < n; i++) {
    py_module *m = NULL;
    py_syntax_error se;
    int rc = py_parse_file(a, files[i].path, NULL, files[i].src, strlen(files[i].src), &next, &m, &se);
    ck_assert_msg(rc == 0, "%s: %s %d:%d %s", files[i].path, se.kind, se.line, se.col, se.msg);
    if (i == 0 && entry) {
      m->is_entry = true;
      prog->entry = m;
    }
    prog->modules[prog->nmodules++] = m;
  }
  prog->nnodes = next - 1;
  memset(d, 0, sizeof *d);
  p_err e;
  return an_analyze(a, prog, out, collect, d, &e);
}

static an_program *analyse_one(p_arena *a, const char *src) {
  src_file f = {"main.py", src};
  an_program *p = NULL;
  diags d;
  int rc = analyse(a, &f, 1, true, &p, &d);
  ck_assert_msg(rc == 0, "analysis failed: %s", d.n ? d.msgs[0] : "?");
  return p;
}

static an_func *func(an_program *p, const char *qualname) {
  for (int i = 0; i < p->nfuncs; i++)
    if (!strcmp(p->funcs[i]->qualname, qualname)) return p->funcs[i];
  ck_abort_msg("no function %s", qualname);
  return NULL;
}

static an_scope *scope_named(an_scope *s, const char *qualname) {
  if (!strcmp(s->qualname, qualname)) return s;
  for (int i = 0; i < s->nchildren; i++) {
    an_scope *r = scope_named(s->children[i], qualname);
    if (r) return r;
  }
  return NULL;
}

static const char *ty(p_arena *a, const an_type *t) { return an_type_str(a, t); }

static const char *sym_ty(p_arena *a, an_scope *s, const char *name) {
  an_symbol *y = an_symbol_of(s, name);
  ck_assert_msg(y != NULL, "no symbol %s in %s", name, s->qualname);
  return ty(a, y->type);
}

/* ------------------------------------------------------------- scopes */

static const char *scope_src =
    "import math\n"
    "x = 1\n"
    "def outer(a, *args, **kw):\n"
    "    b = 2\n"
    "    c = [a for a in range(3)]\n"
    "    def inner():\n"
    "        nonlocal b\n"
    "        b += 1\n"
    "        return a + b + x + len(args)\n"
    "    class K:\n"
    "        y = b\n"
    "        def m(self):\n"
    "            return b\n"
    "        z = [y for _ in range(2)]\n"
    "    try:\n"
    "        pass\n"
    "    except Exception as err:\n"
    "        print(err)\n"
    "    g = [(v := i) for i in range(3)]\n"
    "    return inner, K, c, v, g\n"
    "def gl():\n"
    "    global x, fresh\n"
    "    x = 2\n"
    "    fresh = 3\n"
    "    return math.pi\n"
    "class C:\n"
    "    attr = 1\n"
    "    def meth(self):\n"
    "        return super().meth()\n"
    "    def other(self):\n"
    "        return attr\n"
    "for i in range(3):\n"
    "    pass\n";

START_TEST(t_scopes) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a, scope_src);
  an_scope *mod = p->modules[0].scope;
  ck_assert_int_eq(mod->kind, AN_SCOPE_MODULE);
  ck_assert_ptr_eq(an_scope_of(p, p->modules[0].mod->node), mod);
  ck_assert_int_eq(an_lookup(mod, "x"), AN_GLOBAL_IMPLICIT);
  ck_assert_int_eq(an_lookup(mod, "i"), AN_GLOBAL_IMPLICIT);
  ck_assert_int_eq(an_lookup(mod, "print"), AN_UNBOUND); /* only used inside functions */
  ck_assert_int_eq(an_lookup(mod, "fresh"), AN_GLOBAL_IMPLICIT); /* declared global in gl */

  an_func *outer = func(p, "outer");
  an_scope *o = outer->scope;
  ck_assert_ptr_eq(an_scope_of(p, outer->node), o);
  ck_assert_ptr_eq(an_func_of(p, outer->node), outer);
  ck_assert_int_eq(an_lookup(o, "a"), AN_CELL);     /* used by inner */
  ck_assert_int_eq(an_lookup(o, "b"), AN_CELL);     /* nonlocal in inner, read by K */
  ck_assert_int_eq(an_lookup(o, "args"), AN_CELL);
  ck_assert_int_eq(an_lookup(o, "kw"), AN_LOCAL);
  ck_assert_int_eq(an_lookup(o, "c"), AN_LOCAL);
  ck_assert_int_eq(an_lookup(o, "err"), AN_LOCAL);  /* except ... as */
  ck_assert_int_eq(an_lookup(o, "v"), AN_CELL);     /* walrus in a comprehension binds here (a cell, as in CPython) */
  ck_assert_int_eq(an_lookup(o, "i"), AN_UNBOUND);  /* comprehension variable stays inside */
  ck_assert_int_eq(an_lookup(o, "x"), AN_UNBOUND);
  ck_assert_int_eq(an_resolve(o, "print"), AN_BUILTIN);
  ck_assert_int_eq(an_resolve(o, "x"), AN_GLOBAL_IMPLICIT);

  an_scope *inner = scope_named(mod, "outer.<locals>.inner");
  ck_assert_ptr_nonnull(inner);
  ck_assert_int_eq(an_lookup(inner, "b"), AN_NONLOCAL);
  ck_assert_int_eq(an_lookup(inner, "a"), AN_FREE);
  ck_assert_int_eq(an_lookup(inner, "x"), AN_GLOBAL_IMPLICIT);
  ck_assert_int_eq(an_lookup(inner, "len"), AN_BUILTIN);

  an_scope *k = scope_named(mod, "outer.<locals>.K");
  ck_assert_int_eq(k->kind, AN_SCOPE_CLASS);
  ck_assert_int_eq(an_lookup(k, "y"), AN_LOCAL);
  ck_assert_int_eq(an_lookup(k, "b"), AN_FREE);     /* class body reads the enclosing function */
  an_scope *m = scope_named(mod, "outer.<locals>.K.m");
  ck_assert_int_eq(an_lookup(m, "b"), AN_FREE);
  /* the class body's y is not visible in its comprehension (except the
   * first iterable): y there is global */
  an_scope *kc = k->children[1];
  ck_assert_int_eq(kc->kind, AN_SCOPE_COMPREHENSION);
  ck_assert_int_eq(an_lookup(kc, "y"), AN_GLOBAL_IMPLICIT);

  an_scope *comp = o->children[0];
  ck_assert_int_eq(comp->kind, AN_SCOPE_COMPREHENSION);
  ck_assert_ptr_eq(an_scope_of(p, comp->node), comp);
  ck_assert_int_eq(an_lookup(comp, "a"), AN_LOCAL); /* the comprehension's own a */

  an_scope *g = func(p, "gl")->scope;
  ck_assert_int_eq(an_lookup(g, "x"), AN_GLOBAL_EXPLICIT);
  ck_assert_int_eq(an_lookup(g, "fresh"), AN_GLOBAL_EXPLICIT);
  ck_assert_int_eq(an_lookup(g, "math"), AN_GLOBAL_IMPLICIT);

  an_scope *meth = func(p, "C.meth")->scope;
  ck_assert(meth->uses_super);
  ck_assert_int_eq(an_lookup(meth, "__class__"), AN_FREE);
  /* class attributes are not visible in methods */
  ck_assert_int_eq(an_resolve(func(p, "C.other")->scope, "attr"), AN_GLOBAL_IMPLICIT);
  p_arena_free(a);
}
END_TEST

/* The same program and a few more against CPython's symtable module. */
static const char *const symtable_progs[] = {
    NULL, /* scope_src */
    "def f():\n    x = 1\n    class A:\n        x = 2\n        def g(self):\n            return x\n"
    "        h = [x for _ in range(1)]\n        k = lambda: x\n    return A\n"
    "def walrus():\n    if any((hit := n) > 2 for n in range(5)):\n        return hit\n"
    "    return [[(z := j) for j in range(i)] for i in range(3)], z\n"
    "def nest():\n    v = 0\n    def mid():\n        def inner():\n            nonlocal v\n            v += 1\n"
    "        return inner\n    return mid\n"
    "def dflt(a=lambda: b, *, k=[q for q in range(2)]):\n    return a\n"
    "def loops():\n    for a, (b, *c) in [(1, (2, 3))]:\n        pass\n    with open('x') as (p, q):\n        pass\n"
    "    import os.path\n    from sys import argv as av\n    return a, b, c, p, q, os, av\n"
    "class Outer:\n    class Inner:\n        def m(self):\n            return Outer\n    def n(self):\n        return Inner\n",
    "total = 0\ndef add(n):\n    global total\n    total += n\n"
    "def comp():\n    base = 10\n    return [base + i for i in range(3)], {k: base for k in 'ab'}, (base for _ in '')\n"
    "def d():\n    x = 1\n    del x\n"
    "match total:\n    case [p1, *rest]:\n        pass\n    case {'k': vv, **kw2}:\n        pass\n"
    "def deep():\n    a = 1\n    def l1():\n        def l2():\n            return a\n        return l2\n    return l1\n",
    /* super() and __class__ below a method: the class's implicit cell */
    "class B:\n    def m(self):\n        return [super().m() for _ in range(1)]\n    def n(self):\n"
    "        def inner():\n            return __class__\n        return inner\n    def o(self):\n"
    "        return lambda: super()\n    f = lambda self: __class__\n    g = [__class__ for _ in range(1)]\n"
    "    h = __class__ if 0 else 1\n"
    "def top():\n    return super()\n",
};

static const char *symtable_py =
    "import symtable, sys\n"
    "src = open(sys.argv[1]).read()\n"
    "names = {1: 'local', 2: 'global_explicit', 3: 'global_implicit', 4: 'free', 5: 'cell'}\n"
    "def walk(t, path):\n"
    "    for s in sorted(t.get_symbols(), key=lambda s: s.get_name()):\n"
    "        if s.get_name() == '.0': continue\n"
    "        b = names.get(s._Symbol__scope, '?')\n"
    "        if t.get_type() == 'module' and b in ('local', 'global_explicit'): b = 'global_implicit'\n"
    "        print(path, s.get_name(), b)\n"
    "    for i, c in enumerate(t.get_children()): walk(c, path + '/' + str(i))\n"
    "walk(symtable.symtable(src, 'main.py', 'exec'), '')\n";

static void our_symbols(an_scope *s, const char *path, p_buf *out) {
  /* sorted by name like the Python side */
  int n = s->nsyms;
  int *idx = malloc(sizeof(int) * (size_t)(n + 1));
  for (int i = 0; i < n; i++) idx[i] = i;
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (strcmp(s->syms[idx[j]].name, s->syms[idx[i]].name) < 0) {
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
  static const char *const names[] = {"?", "local", "global_explicit", "global_implicit", "free", "free", "cell",
                                      "global_implicit"};
  for (int i = 0; i < n; i++) p_buf_printf(out, "%s %s %s\n", path, s->syms[idx[i]].name, names[s->syms[idx[i]].binding]);
  free(idx);
  for (int i = 0; i < s->nchildren; i++) {
    char sub[512];
    snprintf(sub, sizeof sub, "%s/%d", path, i);
    our_symbols(s->children[i], sub, out);
  }
}

START_TEST(t_symtable_vs_cpython) {
  const char *py = getenv("PYTHON3");
  if (!py || !*py) py = "python3";
  char dir[] = "/tmp/portalis-symtab-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char script[256], prog[256];
  snprintf(script, sizeof script, "%s/st.py", dir);
  snprintf(prog, sizeof prog, "%s/main.py", dir);
  p_err e;
  ck_assert_int_eq(p_write_file(script, symtable_py, strlen(symtable_py), &e), 0);
  for (size_t i = 0; i < sizeof symtable_progs / sizeof symtable_progs[0]; i++) {
    const char *src = symtable_progs[i] ? symtable_progs[i] : scope_src;
    ck_assert_int_eq(p_write_file(prog, src, strlen(src), &e), 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s %s 2>&1", py, script, prog);
    FILE *f = popen(cmd, "r");
    if (!f) continue;
    p_buf want;
    p_buf_init(&want, 0);
    char line[1024];
    while (fgets(line, sizeof line, f)) p_buf_puts(&want, line);
    int st = pclose(f);
    if (st != 0) {
      fprintf(stderr, "t_symtable_vs_cpython: %s unavailable, skipped\n", py);
      p_buf_free(&want);
      break;
    }
    p_arena *a = p_arena_new();
    an_program *p = analyse_one(a, src);
    p_buf got;
    p_buf_init(&got, 0);
    our_symbols(p->modules[0].scope, "", &got);
    ck_assert_msg(strcmp(got.data, want.data) == 0, "program %zu differs from CPython's symtable:\n--- ours\n%s--- CPython\n%s",
                  i, got.data, want.data);
    p_buf_free(&got);
    p_buf_free(&want);
    p_arena_free(a);
  }
  unlink(script);
  unlink(prog);
  rmdir(dir);
}
END_TEST

START_TEST(t_scope_errors) {
  p_arena *a = p_arena_new();
  src_file f = {"main.py", "def f():\n    x = 1\n    def g():\n        nonlocal y\n    return g\n"};
  an_program *p;
  diags d;
  ck_assert_int_eq(analyse(a, &f, 1, true, &p, &d), P_ESYNTAX);
  ck_assert_int_eq(d.n, 1);
  ck_assert_msg(strstr(d.msgs[0], "main.py:4:") && strstr(d.msgs[0], "no binding for nonlocal 'y' found"), "%s", d.msgs[0]);
  src_file g = {"main.py", "def f():\n  x = 1\n  global x\n"};
  ck_assert_int_eq(analyse(a, &g, 1, true, &p, &d), P_ESYNTAX);
  ck_assert_msg(strstr(d.msgs[0], "main.py:3:3: SyntaxError: name 'x' is assigned to before global declaration"), "%s", d.msgs[0]);
  p_arena_free(a);
}
END_TEST

/* Module-level binding counts (an_module_bindings, an_global_written): what
 * the translator's direct calls and unboxed twins need to know that a name
 * means its one def. Every kind of binding of the module's own code counts,
 * a comprehension target does not (it is the comprehension's), nor does a
 * bare annotation; `global` in a function or class is a separate fact. */
START_TEST(t_module_bindings) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a,
                              "import os.path\n"
                              "def f(n): return n\n"
                              "def g(n): return n\n"
                              "def h(n): return n\n"
                              "match 1:\n"
                              "    case g: pass\n"
                              "print([h for h in range(2)])\n"
                              "for i in range(2): pass\n"
                              "i = 3\n"
                              "try:\n"
                              "    pass\n"
                              "except Exception as e:\n"
                              "    pass\n"
                              "x: int\n"
                              "(w := 1)\n"
                              "del w\n"
                              "def setter():\n"
                              "    global f, q\n"
                              "    q = 1\n"
                              "class C:\n"
                              "    global h\n");
  an_scope *m = p->entry->scope;
  ck_assert_int_eq(an_module_bindings(m, "f"), 1);
  ck_assert_int_eq(an_module_bindings(m, "g"), 2);    /* def + match capture */
  ck_assert_int_eq(an_module_bindings(m, "h"), 1);    /* the comprehension's h is its own */
  ck_assert_int_eq(an_module_bindings(m, "os"), 1);   /* import os.path binds os */
  ck_assert_int_eq(an_module_bindings(m, "i"), 2);
  ck_assert_int_eq(an_module_bindings(m, "e"), 1);
  ck_assert_int_eq(an_module_bindings(m, "x"), 0);    /* x: int binds nothing */
  ck_assert_int_eq(an_module_bindings(m, "w"), 2);    /* := and del */
  ck_assert_int_eq(an_module_bindings(m, "q"), 0);    /* bound by setter, through global */
  ck_assert_int_eq(an_module_bindings(m, "print"), 0);
  ck_assert(an_global_written(m, "f"));
  ck_assert(an_global_written(m, "q"));
  ck_assert(an_global_written(m, "h"));             /* a class body's global counts */
  ck_assert(!an_global_written(m, "g"));
  ck_assert(!an_global_written(m, "print"));
  p = analyse_one(a, "from os.path import *\ndef f(n): return n\n");
  ck_assert_int_eq(an_module_bindings(p->entry->scope, "f"), 2);    /* the star import may rebind it */
  ck_assert_int_eq(an_module_bindings(p->entry->scope, "join"), 1);
  /* the import that is a name's only binding (an_sole_import) */
  p = analyse_one(a, "import math\nimport os as o\nif True:\n    import re\nfrom json import dumps\ndumps = 1\n"
                     "import sys\ndef f():\n    global sys\n");
  const an_import *im = an_sole_import(p->entry->scope, "math");
  ck_assert(im && im->is_stdlib && !im->name && !strcmp(im->module, "math"));
  im = an_sole_import(p->entry->scope, "o");
  ck_assert(im && !strcmp(im->module, "os"));
  ck_assert(!an_sole_import(p->entry->scope, "re"));    /* conditional */
  ck_assert(!an_sole_import(p->entry->scope, "dumps")); /* bound twice */
  ck_assert(!an_sole_import(p->entry->scope, "sys"));   /* declared global in f */
  ck_assert(!an_sole_import(p->entry->scope, "f"));     /* bound by a def */
  src_file up[] = {{"main.py", "import math\nprint(math.sqrt(4))\n"}, {"math.py", "def sqrt(x): return -1\n"}};
  diags d;
  ck_assert_int_eq(analyse(a, up, 2, true, &p, &d), 0);
  im = an_sole_import(p->entry->scope, "math");
  ck_assert(im && im->is_upload && !im->is_stdlib); /* the upload's math.py, not the standard library's */
  p_arena_free(a);
}
END_TEST

/* Locals a def may read unbound (an_unbound.c): what the translator checks
 * on every read. Bound on both branches, or before every read: no check. */
START_TEST(t_maybe_unbound) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a,
                              "def f(c, xs):\n"
                              "    if c:\n"
                              "        a = 1\n"
                              "        b = 1\n"
                              "    else:\n"
                              "        a = 2\n"
                              "    print(a, b)\n"
                              "    for i in xs:\n"
                              "        d = i\n"
                              "    print(d)\n"
                              "    try:\n"
                              "        e = 1\n"
                              "    except Exception as err:\n"
                              "        pass\n"
                              "    print(e)\n"
                              "    g = 1\n"
                              "    del g\n"
                              "    h = [c for c in xs]\n"
                              "    print(h, c)\n"
                              "    late = 1\n"
                              "    def inner():\n"
                              "        return late\n"
                              "    return inner\n");
  an_scope *s = func(p, "f")->scope;
  struct { const char *name; bool maybe; } want[] = {
      {"a", false}, {"b", true}, {"i", false}, {"d", true}, {"e", true}, {"err", true},
      {"g", true},  {"h", false}, {"c", false}, {"xs", false}, {"late", false}, {"inner", false}};
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
    an_symbol *y = an_symbol_of(s, want[k].name);
    ck_assert_msg(y, "no symbol %s", want[k].name);
    ck_assert_msg(!!(y->flags & AN_SYM_MAYBE_UNBOUND) == want[k].maybe, "%s: maybe-unbound should be %d", want[k].name,
                  want[k].maybe);
  }
  p_arena_free(a);
}
END_TEST

/* ------------------------------------------------------------ imports */

START_TEST(t_imports) {
  p_arena *a = p_arena_new();
  src_file files[] = {
      {"main.py", "import math, sys\nimport shop.models as sm\nfrom shop import billing\nfrom shop.billing import total as t\n"
                  "from collections import Counter\nimport os.path\nprint(t(1))\n"},
      {"shop/__init__.py", "from .models import Item\n"},
      {"shop/models.py", "from . import billing\nclass Item:\n    pass\n"},
      {"shop/billing.py", "from .models import Item\nfrom ..shop import models\ndef total(x):\n    return x\n"},
  };
  an_program *p;
  diags d;
  int rc = analyse(a, files, 4, true, &p, &d);
  ck_assert_msg(rc == 0, "%s", d.n ? d.msgs[0] : "");
  an_module *m = &p->modules[0];
  ck_assert_int_eq(m->nimports, 7);
  ck_assert_str_eq(m->imports[0].module, "math");
  ck_assert(m->imports[0].is_stdlib);
  ck_assert_str_eq(m->imports[2].module, "shop.models");
  ck_assert_str_eq(m->imports[2].asname, "sm");
  ck_assert(m->imports[2].is_upload);
  ck_assert_str_eq(m->imports[3].module, "shop");
  ck_assert_str_eq(m->imports[3].name, "billing");
  ck_assert(m->imports[3].is_submodule);
  ck_assert_str_eq(m->imports[4].name, "total");
  ck_assert_str_eq(m->imports[4].asname, "t");
  ck_assert(!m->imports[4].is_submodule);
  ck_assert(m->imports[5].is_stdlib);
  ck_assert_str_eq(m->imports[5].name, "Counter");
  ck_assert_str_eq(m->imports[6].module, "os.path");
  ck_assert_str_eq(m->imports[6].asname, "os");
  /* relative imports resolve against the package */
  an_module *models = &p->modules[2];
  ck_assert_str_eq(models->imports[0].module, "shop");
  ck_assert(models->imports[0].is_submodule);
  an_module *billing = &p->modules[3];
  ck_assert_str_eq(billing->imports[0].module, "shop.models");
  ck_assert_str_eq(billing->imports[1].module, "shop");
  ck_assert_str_eq(p->modules[1].imports[0].module, "shop.models");
  /* shop -> shop.models -> shop.billing -> shop.models is a cycle */
  ck_assert(models->in_cycle && billing->in_cycle && p->modules[1].in_cycle);
  ck_assert(!p->modules[0].in_cycle);
  ck_assert_int_ge(p->nstdlib, 4);
  ck_assert(an_stdlib_supported("heapq") && an_stdlib_supported("os.path") && !an_stdlib_supported("numpy"));
  p_arena_free(a);
}
END_TEST

START_TEST(t_import_errors) {
  p_arena *a = p_arena_new();
  an_program *p;
  diags d;
  /* unconditional, before any output: CPython fails first thing */
  src_file f1 = {"main.py", "\"\"\"Doc.\"\"\"\nimport math\nLIMIT = 3\ndef f():\n    pass\nimport numpy as np\nprint(1)\n"};
  ck_assert_int_eq(analyse(a, &f1, 1, true, &p, &d), P_EIMPORT);
  ck_assert_int_eq(d.n, 1);
  ck_assert_msg(strstr(d.msgs[0], "main.py:6:1: ModuleNotFoundError: No module named 'numpy'"), "%s", d.msgs[0]);
  /* reached through an uploaded module imported first */
  src_file f2[] = {{"main.py", "import helper\nprint(helper.x)\n"}, {"helper.py", "from requests import get\nx = 1\n"}};
  ck_assert_int_eq(analyse(a, f2, 2, true, &p, &d), P_EIMPORT);
  ck_assert_msg(strstr(d.msgs[0], "helper.py:1:1:") && strstr(d.msgs[0], "'requests'"), "%s", d.msgs[0]);
  /* output first, or guarded by try: CPython runs code before failing, so
   * it is a runtime ModuleNotFoundError, not a compile-time error */
  src_file f3 = {"main.py", "print('start')\nimport numpy\n"};
  ck_assert_int_eq(analyse(a, &f3, 1, true, &p, &d), 0);
  ck_assert(p->modules[0].imports[0].runtime_error);
  src_file f4 = {"main.py", "try:\n    import numpy\nexcept ImportError:\n    numpy = None\nprint(numpy)\n"};
  ck_assert_int_eq(analyse(a, &f4, 1, true, &p, &d), 0);
  ck_assert(p->modules[0].imports[0].runtime_error);
  ck_assert(p->modules[0].imports[0].conditional);
  src_file f5 = {"main.py", "def f():\n    import yaml\n    return yaml\nprint(2)\n"};
  ck_assert_int_eq(analyse(a, &f5, 1, true, &p, &d), 0);
  ck_assert(p->modules[0].imports[0].runtime_error);
  /* a class body runs code: what follows it is not "before any output" */
  src_file f6 = {"main.py", "class A:\n    print('x')\nimport numpy\n"};
  ck_assert_int_eq(analyse(a, &f6, 1, true, &p, &d), 0);
  /* a name the uploaded module never binds: ImportError */
  src_file f8[] = {{"main.py", "from helper import nope\nprint(1)\n"}, {"helper.py", "def yes():\n    pass\n"}};
  ck_assert_int_eq(analyse(a, f8, 2, true, &p, &d), P_EIMPORT);
  ck_assert_msg(strstr(d.msgs[0], "main.py:1:1: ImportError: cannot import name 'nope' from 'helper'"), "%s", d.msgs[0]);
  /* ... but not when the name is set through `global` in a function */
  src_file f9[] = {{"main.py", "from helper import late\nprint(1)\n"},
                   {"helper.py", "def init():\n    global late\n    late = 1\ninit()\n"}};
  ck_assert_int_eq(analyse(a, f9, 2, true, &p, &d), 0);
  /* an imported module that prints first: the later failure is at run time */
  src_file f10[] = {{"main.py", "import noisy\nimport numpy\n"}, {"noisy.py", "print('hello')\n"}};
  ck_assert_int_eq(analyse(a, f10, 2, true, &p, &d), 0);
  ck_assert(p->modules[0].imports[1].runtime_error);
  /* a package's __init__ runs before its submodule */
  src_file f11[] = {{"main.py", "import pkg.sub\n"}, {"pkg/__init__.py", "import yaml\n"}, {"pkg/sub.py", "x = 1\n"}};
  ck_assert_int_eq(analyse(a, f11, 3, true, &p, &d), P_EIMPORT);
  ck_assert_msg(strstr(d.msgs[0], "pkg/__init__.py:1:1:") && strstr(d.msgs[0], "'yaml'"), "%s", d.msgs[0]);
  /* the entry's directory is the import root (sys.path[0]) */
  src_file f13[] = {{"src/main.py", "import pkg.mod\nfrom util import helper\nprint(pkg.mod.x, helper)\n"},
                    {"src/pkg/__init__.py", ""}, {"src/pkg/mod.py", "x = 1\n"}, {"src/util.py", "helper = 2\n"}};
  ck_assert_int_eq(analyse(a, f13, 4, true, &p, &d), 0);
  ck_assert(p->modules[0].imports[0].is_upload && p->modules[0].imports[1].is_upload);
  ck_assert_str_eq(p->modules[2].name, "pkg.mod");
  /* relative import in a top-level script */
  src_file f7 = {"main.py", "from . import x\n"};
  ck_assert_int_eq(analyse(a, &f7, 1, true, &p, &d), P_EIMPORT);
  ck_assert_msg(strstr(d.msgs[0], "main.py:1:1: ImportError: attempted relative import with no known parent package"),
                "%s", d.msgs[0]);
  /* a standard-library module the runtime lacks: CPython imports it, so
   * an unguarded import is an error wherever it is; a guarded one keeps its
   * fallback, with a warning; an unknown module after output is a warning */
  src_file f14 = {"main.py", "print('start')\nimport argparse\n"};
  ck_assert_int_eq(analyse(a, &f14, 1, true, &p, &d), P_EIMPORT);
  ck_assert_msg(strstr(d.msgs[0], "main.py:2:1: unsupported import: standard-library module 'argparse'"), "%s", d.msgs[0]);
  src_file f15 = {"main.py", "def f():\n    from sqlite3 import connect\n    return connect\nprint(2)\n"};
  ck_assert_int_eq(analyse(a, &f15, 1, true, &p, &d), P_EIMPORT);
  ck_assert_msg(strstr(d.msgs[0], "main.py:2:5: unsupported import: standard-library module 'sqlite3'"), "%s", d.msgs[0]);
  src_file f16 = {"main.py", "try:\n    import argparse\nexcept (OSError, ImportError):\n    argparse = None\nprint(1)\n"};
  ck_assert_int_eq(analyse(a, &f16, 1, true, &p, &d), 0);
  ck_assert_int_eq(d.n, 1);
  ck_assert_msg(strstr(d.msgs[0], "main.py:2:5: warning: standard-library module 'argparse'"), "%s", d.msgs[0]);
  src_file f17 = {"main.py", "try:\n    pass\nexcept ImportError:\n    import argparse\n"};
  ck_assert_int_eq(analyse(a, &f17, 1, true, &p, &d), P_EIMPORT); /* the handler is not guarded */
  ck_assert_int_eq(analyse(a, &f3, 1, true, &p, &d), 0);
  ck_assert_int_eq(d.n, 1);
  ck_assert_msg(strstr(d.msgs[0], "main.py:2:1: warning: No module named 'numpy'"), "%s", d.msgs[0]);
  ck_assert_int_eq(analyse(a, &f4, 1, true, &p, &d), 0);
  ck_assert_int_eq(d.n, 0);
  /* a name CPython's module has and the runtime's not (an_missing_names.inc) */
  src_file f19 = {"main.py", "from typing import List, TypedDict\nprint(1)\n"};
  ck_assert_int_eq(analyse(a, &f19, 1, true, &p, &d), P_EIMPORT);
  ck_assert_int_eq(d.n, 1);
  ck_assert_msg(strstr(d.msgs[0], "main.py:1:1: unsupported import: 'TypedDict' of standard-library module 'typing'"),
                "%s", d.msgs[0]);
  src_file f20 = {"main.py", "try:\n    from typing import TypedDict\nexcept ImportError:\n    TypedDict = dict\n"};
  ck_assert_int_eq(analyse(a, &f20, 1, true, &p, &d), 0);
  ck_assert_msg(d.n == 1 && strstr(d.msgs[0], "main.py:2:5: warning: 'TypedDict'"), "%s", d.n ? d.msgs[0] : "none");
  src_file f21 = {"main.py", "from typing import NoSuchName\nprint(1)\n"}; /* CPython fails too: at run time */
  ck_assert_int_eq(analyse(a, &f21, 1, true, &p, &d), 0);
  /* ... and the same name read as an attribute of the imported module */
  src_file f22 = {"main.py", "import typing as t\ndef f():\n    return t.TypedDict\nprint(t.List, f())\n"};
  ck_assert_int_eq(analyse(a, &f22, 1, true, &p, &d), P_EIMPORT);
  ck_assert_int_eq(d.n, 1);
  ck_assert_msg(strstr(d.msgs[0], "main.py:3:12: unsupported name: 'TypedDict' of standard-library module 'typing'"),
                "%s", d.msgs[0]);
  /* not when the name is not the module there (a parameter, a name also
   * assigned), nor for a submodule the runtime has (collections.abc) */
  src_file f23 = {"main.py", "import typing\nimport collections.abc\ndef f(typing):\n    return typing.TypedDict\n"
                             "print(collections.abc.Mapping, f(1))\n"};
  ck_assert_int_eq(analyse(a, &f23, 1, true, &p, &d), 0);
  src_file f24 = {"main.py", "import typing\ntyping = object()\nprint(typing.TypedDict)\n"};
  ck_assert_int_eq(analyse(a, &f24, 1, true, &p, &d), 0);
  /* a file the entry never imports is never run */
  src_file f18[] = {{"main.py", "print(1)\n"}, {"tests/test_main.py", "import unittest\n"}};
  ck_assert_int_eq(analyse(a, f18, 2, true, &p, &d), 0);
  src_file f12 = {"main.py", "try:\n    from . import x\nexcept ImportError:\n    x = None\nprint(x)\n"};
  ck_assert_int_eq(analyse(a, &f12, 1, true, &p, &d), 0);
  ck_assert(p->modules[0].imports[0].runtime_error && p->modules[0].imports[0].bad_relative);
  p_arena_free(a);
}
END_TEST

/* -------------------------------------------------------------- types */

START_TEST(t_infer_fib) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a, "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
                                 "def total(k):\n    s = 0\n    for i in range(k):\n        s += fib(i)\n    return s\n"
                                 "print(fib(20), total(10))\n");
  an_func *f = func(p, "fib");
  ck_assert_int_eq(f->nparams, 1);
  ck_assert_str_eq(ty(a, f->param_types[0]), "int");
  ck_assert_str_eq(ty(a, f->return_type), "int");
  ck_assert(f->pure);
  ck_assert(f->closed);
  an_func *t = func(p, "total");
  ck_assert_str_eq(ty(a, t->param_types[0]), "int");
  ck_assert_str_eq(ty(a, t->return_type), "int");
  ck_assert_str_eq(sym_ty(a, t->scope, "s"), "int");
  an_symbol *i = an_symbol_of(t->scope, "i");
  ck_assert_str_eq(ty(a, i->type), "int");
  ck_assert(i->flags & AN_SYM_RANGE_NONNEG);
  ck_assert(t->pure);
  ck_assert_int_eq(t->ncallees, 1);
  ck_assert_ptr_eq(t->callees[0], f);
  /* expression types of the return expression */
  py_node *ret = f->node->u.function_def.body.v[0]->u.return_.value;
  ck_assert_int_eq(an_type_of(p, ret)->kind, AN_T_INT);
  ck_assert_int_eq(an_type_of(p, ret->u.if_exp.test)->kind, AN_T_BOOL);
  p_arena_free(a);
}
END_TEST

START_TEST(t_infer_literals) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a,
                              "def f():\n"
                              "    i = 1\n    x = 2.5\n    s = 'a' + 'b'\n    b = not i\n    n = None\n"
                              "    q = i / 2\n    r = i // 2\n    m = i * x\n    t = (1, 'a', 2.0)\n"
                              "    l = [1, 2, 3]\n    d = {'a': 1.5}\n    e = {1, 2}\n    c = [k * 2 for k in l]\n"
                              "    w = len(s) + abs(-3) + int('4')\n    u = s.upper()\n    parts = s.split(',')\n"
                              "    p = 2 ** 10\n    pn = 2 ** i\n    fs = f'{i}'\n    cmp = i < x\n"
                              "    print(len(l), l[0], d['a'], 2 in e, c[0], parts[0])\n"
                              "    return i, x, s, b, n, q, r, m, t, w, u, p, pn, fs, cmp\n"
                              "f()\n");
  an_scope *s = func(p, "f")->scope;
  ck_assert_str_eq(sym_ty(a, s, "i"), "int");
  ck_assert_str_eq(sym_ty(a, s, "x"), "float");
  ck_assert_str_eq(sym_ty(a, s, "s"), "str");
  ck_assert_str_eq(sym_ty(a, s, "b"), "bool");
  ck_assert_str_eq(sym_ty(a, s, "n"), "None");
  ck_assert_str_eq(sym_ty(a, s, "q"), "float");
  ck_assert_str_eq(sym_ty(a, s, "r"), "int");
  ck_assert_str_eq(sym_ty(a, s, "m"), "float");
  ck_assert_str_eq(sym_ty(a, s, "t"), "tuple[int, str, float]");
  ck_assert_str_eq(sym_ty(a, s, "l"), "list[int]");
  ck_assert_str_eq(sym_ty(a, s, "d"), "dict[str, float]");
  ck_assert_str_eq(sym_ty(a, s, "e"), "set[int]");
  ck_assert_str_eq(sym_ty(a, s, "c"), "list[int]");
  ck_assert_str_eq(sym_ty(a, s, "w"), "int");
  ck_assert_str_eq(sym_ty(a, s, "u"), "str");
  ck_assert_str_eq(sym_ty(a, s, "parts"), "list[str]");
  ck_assert_str_eq(sym_ty(a, s, "p"), "int");
  ck_assert_str_eq(sym_ty(a, s, "pn"), "dynamic"); /* 2 ** negative is a float */
  ck_assert_str_eq(sym_ty(a, s, "fs"), "str");
  ck_assert_str_eq(sym_ty(a, s, "cmp"), "bool");
  ck_assert_str_eq(ty(a, func(p, "f")->return_type),
                   "tuple[int, float, str, bool, None, float, int, float, tuple[int, str, float], int, str, int, dynamic, str, bool]");
  p_arena_free(a);
}
END_TEST

START_TEST(t_infer_dynamic) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a,
                              "def g(v):\n    return v\n"
                              "def h(x: int) -> int:\n    return x\n"
                              "def f():\n"
                              "    v = 1\n    v = 'now a string'\n"          /* reassigned with another type */
                              "    acc = 0\n    for z in [1.5, 2.5]:\n        acc += z\n" /* int then float */
                              "    xs = [1, 2]\n    ys = xs\n    ys.append('s')\n" /* alias */
                              "    zs = [1]\n    g(zs)\n"                      /* escapes into a call */
                              "    grid = [[1, 2], [3]]\n    row = grid[0]\n"  /* nested container */
                              "    e = None\n    try:\n        e = 1\n    except ValueError as exc:\n        e = exc\n"
                              "    print(grid[0][0])\n"
                              "    return v, acc, xs, zs, row, e\n"
                              "print(g(1), g('a'), h(2.5), f())\n"
                              "cb = g\n");
  an_scope *s = func(p, "f")->scope;
  ck_assert_str_eq(sym_ty(a, s, "v"), "dynamic");
  ck_assert_ptr_nonnull(an_symbol_of(s, "v")->why_dynamic);
  ck_assert_str_eq(sym_ty(a, s, "acc"), "dynamic");
  ck_assert_str_eq(sym_ty(a, s, "xs"), "list[dynamic]");
  ck_assert_str_eq(sym_ty(a, s, "ys"), "list[dynamic]");
  ck_assert_str_eq(sym_ty(a, s, "zs"), "list[dynamic]");
  ck_assert_str_eq(sym_ty(a, s, "grid"), "list[list[dynamic]]");
  ck_assert_str_eq(sym_ty(a, s, "row"), "list[dynamic]");
  ck_assert_str_eq(sym_ty(a, s, "e"), "dynamic");
  /* called with int and str: dynamic; used as a value: not closed */
  an_func *g = func(p, "g");
  ck_assert_str_eq(ty(a, g->param_types[0]), "dynamic");
  ck_assert(!g->closed);
  /* annotations are not trusted: h is called with a float */
  an_func *h = func(p, "h");
  ck_assert_str_eq(ty(a, h->param_types[0]), "float");
  ck_assert_str_eq(ty(a, h->return_type), "float");
  p_arena_free(a);
}
END_TEST

/* Traps where a plausible static type would be wrong. */
START_TEST(t_infer_soundness) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a,
                              "xs = [1, 2]\nys = [1]\nd = {'a': 1}\nc = {'x': 0}\nc['x'] += 0.5\nn = [0]\nn[0] += 1\n"
                              "def add():\n    xs.append('s')\n    d['b'] = 'str'\n"   /* a module list mutated in a function */
                              "f = lambda: ys.append(2.5)\n"                            /* ... and in a lambda */
                              "def total(vals):\n    return sum(vals)\n"               /* sum([]) is the int 0 */
                              "class S(str):\n    pass\n"
                              "class A:\n    def __str__(self):\n        return S('x')\n"
                              "s1 = str(A())\ns2 = f'{A()}'\ns3 = f'{A()!r}'\ns4 = str(3)\ns5 = f'{3}'\ns6 = f'<{A()}>'\n"
                              "add(); f()\nprint(total([1.5]), xs, ys, d, c, n, s1, s2, s3, s4, s5, s6)\n");
  an_scope *m = p->modules[0].scope;
  ck_assert_str_eq(sym_ty(a, m, "xs"), "list[dynamic]");
  ck_assert_str_eq(sym_ty(a, m, "ys"), "list[dynamic]");
  ck_assert_str_eq(sym_ty(a, m, "d"), "dict[str, dynamic]");
  ck_assert_str_eq(sym_ty(a, m, "c"), "dict[str, dynamic]");
  ck_assert_str_eq(sym_ty(a, m, "n"), "list[int]");
  ck_assert_str_eq(ty(a, func(p, "total")->return_type), "dynamic");
  ck_assert_str_eq(sym_ty(a, m, "s1"), "dynamic"); /* __str__ may return a str subclass */
  ck_assert_str_eq(sym_ty(a, m, "s2"), "dynamic");
  ck_assert_str_eq(sym_ty(a, m, "s3"), "str");     /* a conversion makes an exact str */
  ck_assert_str_eq(sym_ty(a, m, "s4"), "str");
  ck_assert_str_eq(sym_ty(a, m, "s5"), "str");
  ck_assert_str_eq(sym_ty(a, m, "s6"), "str");     /* concatenation makes an exact str */
  /* a range fact needs the loop to be the name's only binding */
  p = analyse_one(a, "i = -5\nfor i in range(3):\n    pass\nfor k in range(3):\n    pass\nprint(i, k)\n");
  ck_assert(!(an_symbol_of(p->modules[0].scope, "i")->flags & AN_SYM_RANGE_NONNEG));
  ck_assert(an_symbol_of(p->modules[0].scope, "k")->flags & AN_SYM_RANGE_NONNEG);
  ck_assert(an_symbol_of(p->modules[0].scope, "k")->flags & AN_SYM_RANGE_I32);
  /* reflection: call sites are no longer all known */
  p = analyse_one(a, "def g(n):\n    return n + 1\nprint(g(1), globals()['g'](2.5))\n");
  ck_assert(!func(p, "g")->closed);
  ck_assert_str_eq(ty(a, func(p, "g")->param_types[0]), "dynamic");
  p_arena_free(a);
}
END_TEST

START_TEST(t_infer_library_and_purity) {
  p_arena *a = p_arena_new();
  /* no entry script: every function may be called from outside */
  src_file f = {"lib.py", "def sq(n):\n    return n * n\ndef use():\n    return sq(3)\n"};
  an_program *p;
  diags d;
  ck_assert_int_eq(analyse(a, &f, 1, false, &p, &d), 0);
  ck_assert_str_eq(ty(a, func(p, "sq")->param_types[0]), "dynamic");
  ck_assert(!p->closed_world);
  ck_assert(func(p, "sq")->pure);
  /* ... and may subclass a class, call C.m(x) or set attributes */
  src_file fc = {"lib.py", "class C:\n    def __init__(self):\n        self.n = 1\n    def get(self):\n        return self.n\n"};
  ck_assert_int_eq(analyse(a, &fc, 1, false, &p, &d), 0);
  ck_assert_str_eq(ty(a, func(p, "C.get")->param_types[0]), "dynamic");
  ck_assert_str_eq(ty(a, p->classes[0]->attrs[0].type), "dynamic");
  /* purity */
  p = analyse_one(a,
                  "counter = 0\n"
                  "def pure_add(a, b):\n    return a + b\n"
                  "def prints(a):\n    print(a)\n"
                  "def writes_global(a):\n    global counter\n    counter += a\n"
                  "def calls_impure(a):\n    return prints(a)\n"
                  "def reads_global():\n    return counter\n"
                  "def gen():\n    yield 1\n"
                  "def mutates(xs):\n    xs.append(1)\n"
                  "pure_add(1, 2); prints(1); writes_global(1); calls_impure(1); reads_global(); gen(); mutates([])\n");
  ck_assert(func(p, "pure_add")->pure);
  ck_assert(!func(p, "prints")->pure);
  ck_assert(!func(p, "writes_global")->pure);
  ck_assert(!func(p, "calls_impure")->pure);
  ck_assert(!func(p, "reads_global")->pure);
  ck_assert(!func(p, "gen")->pure);
  ck_assert(func(p, "gen")->is_generator);
  ck_assert_str_eq(ty(a, func(p, "gen")->return_type), "dynamic");
  ck_assert(!func(p, "mutates")->pure);
  ck_assert_str_eq(ty(a, func(p, "prints")->return_type), "None");
  p_arena_free(a);
}
END_TEST

START_TEST(t_infer_classes) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a,
                              "class Point:\n"
                              "    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n        self.tag = 'p'\n"
                              "        self.hits = 0\n"
                              "    def bump(self):\n        self.hits += 1\n"
                              "p = Point(1, 2)\nq = Point(1.5, 2)\nprint(p.tag, q.x)\n"
                              "class Sub(Point):\n    pass\ns = Sub(1, 2)\n");
  ck_assert_int_eq(p->nclasses, 2);
  an_class *k = p->classes[0];
  ck_assert_str_eq(k->qualname, "Point");
  ck_assert_int_eq(k->nattrs, 4);
  /* Sub(Point): self in Point's methods may be a Sub, so self is dynamic
   * there and Point.__init__'s call sites are not all seen (Sub(1, 2) runs
   * it too): its parameters are dynamic. The stores through self go to
   * every class of the family: tag stays a str. */
  for (int i = 0; i < k->nattrs; i++) {
    ck_assert_str_eq(ty(a, k->attrs[i].type), strcmp(k->attrs[i].name, "tag") ? "dynamic" : "str");
    if (strcmp(k->attrs[i].name, "tag")) ck_assert_ptr_nonnull(k->attrs[i].why_dynamic);
    ck_assert(k->attrs[i].from_init);
  }
  ck_assert_str_eq(ty(a, func(p, "Point.__init__")->param_types[0]), "dynamic");
  ck_assert(!func(p, "Point.__init__")->closed);
  an_scope *mod = p->modules[0].scope;
  ck_assert_str_eq(sym_ty(a, mod, "p"), "Point");
  ck_assert_str_eq(sym_ty(a, mod, "s"), "Sub"); /* a plain single-inheritance chain */
  for (int i = 0; i < p->classes[1]->nattrs; i++) /* Sub.tag, set by Point.__init__ */
    if (!strcmp(p->classes[1]->attrs[i].name, "tag")) ck_assert_str_eq(ty(a, p->classes[1]->attrs[i].type), "str");
  ck_assert_int_eq(p->classes[1]->nattrs, 4);
  /* the same class without a subclass: constructor calls feed __init__,
   * self is a Point, attributes join every store, methods are call sites */
  p = analyse_one(a, "class Point:\n"
                     "    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n        self.tag = 'p'\n"
                     "        self.hits = 0\n"
                     "    def bump(self, by):\n        self.hits += by\n        return self.hits\n"
                     "p = Point(1, 2)\nq = Point(1.5, 2)\nn = p.bump(2)\nprint(p.tag, q.x, p.y, n)\n");
  k = p->classes[0];
  for (int i = 0; i < k->nattrs; i++) {
    const char *nm = k->attrs[i].name, *t = ty(a, k->attrs[i].type);
    if (!strcmp(nm, "tag")) ck_assert_str_eq(t, "str");
    if (!strcmp(nm, "x")) ck_assert_str_eq(t, "dynamic"); /* int and float */
    if (!strcmp(nm, "y")) ck_assert_str_eq(t, "int");
    if (!strcmp(nm, "hits")) ck_assert_str_eq(t, "int");  /* 0, then int + int */
  }
  an_func *init = func(p, "Point.__init__"), *bump = func(p, "Point.bump");
  ck_assert(init->closed && bump->closed);
  ck_assert_str_eq(ty(a, init->param_types[0]), "Point");
  ck_assert_str_eq(ty(a, init->param_types[1]), "dynamic");
  ck_assert_str_eq(ty(a, init->param_types[2]), "int");
  ck_assert_str_eq(ty(a, bump->param_types[1]), "int");
  ck_assert_str_eq(ty(a, bump->return_type), "int");
  ck_assert_str_eq(sym_ty(a, p->modules[0].scope, "n"), "int");
  /* `object` as the only base changes nothing */
  p = analyse_one(a, "class O(object):\n    def __init__(self):\n        self.v = 1\no = O()\nprint(o.v)\n");
  ck_assert_str_eq(sym_ty(a, p->modules[0].scope, "o"), "O");
  ck_assert_str_eq(ty(a, p->classes[0]->attrs[0].type), "int");
  p_arena_free(a);
}
END_TEST

/* Where a Name load is in the entry module: its type. */
struct find_load {
  int line, col;
  const py_node *hit;
};

static int find_load_walk(py_node *n, void *ctx) {
  struct find_load *f = ctx;
  if (n->kind == PY_NAME && n->u.name.ctx == PY_LOAD && n->line == f->line && n->col == f->col) f->hit = n;
  return f->hit ? 1 : py_node_children(n, find_load_walk, ctx);
}

static const char *load_ty(p_arena *a, an_program *p, int line, int col) {
  struct find_load f = {line, col, NULL};
  py_node_children(p->modules[0].mod->node, find_load_walk, &f);
  ck_assert_msg(f.hit != NULL, "no Name load at %d:%d", line, col);
  return ty(a, an_type_of(p, f.hit));
}

START_TEST(t_infer_flow) {
  p_arena *a = p_arena_new();
  /* strong updates; the summary stays the join */
  an_program *p = analyse_one(a, "def f():\n    x = 1\n    print(x)\n    x = 's'\n    print(x)\n    return x + 'a'\nf()\n");
  ck_assert_str_eq(load_ty(a, p, 3, 11), "int");
  ck_assert_str_eq(load_ty(a, p, 5, 11), "str");
  ck_assert_str_eq(sym_ty(a, func(p, "f")->scope, "x"), "dynamic");
  ck_assert_str_eq(ty(a, func(p, "f")->return_type), "str");
  ck_assert_int_eq(func(p, "f")->nflow_loads, 3);
  {
    cJSON *j = cJSON_Parse(an_to_json(a, p));
    ck_assert_ptr_nonnull(j);
    cJSON *fl = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "functions"), 0), "flow");
    ck_assert_int_eq(cJSON_GetArraySize(fl), 3);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(fl, 0), "type")->valuestring, "int");
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(fl, 0), "line")->valueint, 3);
    cJSON_Delete(j);
  }
  /* retyped in one branch: dynamic after the join */
  p = analyse_one(a, "def f(c):\n    v = 1\n    if c:\n        v = 'a'\n    return v\nf(True)\nf(False)\n");
  ck_assert_str_eq(load_ty(a, p, 5, 12), "dynamic");
  /* a loop that changes the type on its second iteration */
  p = analyse_one(a, "def f():\n    v = 0\n    for i in range(3):\n        print(v + 1)\n        v = 'x'\nf()\n");
  ck_assert_str_eq(load_ty(a, p, 4, 15), "dynamic");
  /* while: the test is typed with the head too */
  p = analyse_one(a, "def f():\n    v = 0\n    while v:\n        v = ''\nf()\n");
  ck_assert_str_eq(load_ty(a, p, 3, 11), "dynamic");
  /* del: unbound, then bound again */
  p = analyse_one(a, "def f():\n    x = 1\n    del x\n    x = 's'\n    return x\nf()\n");
  ck_assert_str_eq(load_ty(a, p, 5, 12), "str");
  /* a handler sees the type before the try and after every binding in it */
  p = analyse_one(a, "def f(k):\n    w = 1\n    try:\n        w = 'a'\n        w = 10 // k\n    except ZeroDivisionError:\n"
                     "        print(w)\n    else:\n        print(w)\nf(0)\n");
  ck_assert_str_eq(load_ty(a, p, 7, 15), "dynamic");
  ck_assert_str_eq(load_ty(a, p, 9, 15), "int");
  /* finally on the way out of a loop through break */
  p = analyse_one(a, "def f():\n    for j in range(3):\n        try:\n            t = 1\n            break\n        finally:\n"
                     "            t = 's'\n    return t\nf()\n");
  ck_assert_str_eq(load_ty(a, p, 8, 12), "str");
  /* with: an exception swallowed by __exit__ resumes after the block */
  p = analyse_one(a, "import contextlib\ndef f():\n    m = 1\n    with contextlib.suppress(ValueError):\n        m = 'z'\n"
                     "        int('q')\n        m = 2\n    return m\nf()\n");
  ck_assert_str_eq(load_ty(a, p, 8, 12), "dynamic");
  /* return/raise end a path: only the other branch reaches the load */
  p = analyse_one(a, "def f(c):\n    if c:\n        v = 'a'\n        return 0\n    else:\n        v = 2\n    return v\nf(1)\n");
  ck_assert_str_eq(load_ty(a, p, 7, 12), "int");
  /* walrus in a branch that may not run: both types */
  p = analyse_one(a, "def f(c):\n    n = 's'\n    if c and (n := 5):\n        pass\n    return n\nf(1)\n");
  ck_assert_str_eq(load_ty(a, p, 5, 12), "dynamic");
  /* module level: a global written by a function called in between stays
   * dynamic; one nothing else can rebind is flow-typed */
  p = analyse_one(a, "count = 0\nlabel = 'a'\ndef bump():\n    global count\n    count = 'x'\n"
                     "print(count, label)\nbump()\nprint(count, label)\nlabel = 3\nprint(label)\n");
  ck_assert_str_eq(load_ty(a, p, 6, 7), "dynamic");
  ck_assert_str_eq(load_ty(a, p, 8, 7), "dynamic");
  ck_assert_str_eq(load_ty(a, p, 8, 14), "str");
  ck_assert_str_eq(load_ty(a, p, 10, 7), "int");
  ck_assert_int_eq(p->modules[0].nflow_loads, 3);
  /* a container's elements come from the summary: a call may append */
  p = analyse_one(a, "def add(ys):\n    ys.append('s')\ndef f():\n    xs = [1]\n    add(xs)\n    return xs\nf()\n");
  ck_assert_str_eq(load_ty(a, p, 6, 12), "list[dynamic]");
  /* names a closure or another scope can rebind are not flow-typed */
  p = analyse_one(a, "def f():\n    v = 1\n    def g():\n        nonlocal v\n        v = 's'\n    g()\n    return v\nf()\n");
  ck_assert_str_eq(load_ty(a, p, 7, 12), "dynamic");
  p_arena_free(a);
}
END_TEST

START_TEST(t_infer_attrs_dynamic) {
  p_arena *a = p_arena_new();
  /* an attribute written through a receiver of unknown type */
  an_program *p = analyse_one(a, "class B:\n    def __init__(self):\n        self.w = 1\n"
                                 "def poke(o):\n    o.w = 's'\nb = B()\npoke(b)\npoke(3)\nprint(b.w)\n");
  ck_assert_str_eq(load_ty(a, p, 9, 7), "B");
  ck_assert_str_eq(ty(a, p->classes[0]->attrs[0].type), "dynamic");
  /* setattr anywhere: reflection keeps attributes dynamic */
  p = analyse_one(a, "class B:\n    def __init__(self):\n        self.w = 1\nb = B()\nsetattr(b, 'w', 's')\nprint(b.w)\n");
  ck_assert_str_eq(ty(a, p->classes[0]->attrs[0].type), "dynamic");
  /* a method called through the class with another self */
  p = analyse_one(a, "class B:\n    def __init__(self):\n        self.w = 1\n    def get(self):\n        return self.w\n"
                     "b = B()\nprint(B.get(b), b.get())\n");
  ck_assert_str_eq(ty(a, func(p, "B.get")->param_types[0]), "dynamic");
  /* a class used as a value: instances made elsewhere */
  p = analyse_one(a, "class B:\n    def __init__(self, v):\n        self.v = v\nk = B\nb = k('s')\nc = B(1)\nprint(b, c.v)\n");
  ck_assert_str_eq(ty(a, func(p, "B.__init__")->param_types[1]), "dynamic");
  /* type(x)(...) makes an instance we do not see */
  p = analyse_one(a, "class B:\n    def __init__(self, v):\n        self.v = v\n    def clone(self):\n        return type(self)('s')\n"
                     "c = B(1)\nprint(c.clone().v, c.v)\n");
  ck_assert_str_eq(ty(a, func(p, "B.__init__")->param_types[1]), "dynamic");
  /* a classmethod inherited by a subclass: cls(...) builds a B unseen */
  p = analyse_one(a, "class A:\n    @classmethod\n    def make(cls, v):\n        return cls(v)\n"
                     "class B(A):\n    def __init__(self, v):\n        self.w = v\n"
                     "b = B(1)\nc = b.make('s')\nprint(b.w, c.w)\n");
  ck_assert_str_eq(ty(a, func(p, "B.__init__")->param_types[1]), "dynamic");
  ck_assert_str_eq(ty(a, p->classes[1]->attrs[0].type), "dynamic");
  /* a method shadowed by an instance attribute is not a call site */
  p = analyse_one(a, "class B:\n    def m(self, x):\n        return x\nb = B()\nb.m = len\nprint(b.m('ab'))\n");
  ck_assert(!func(p, "B.m")->closed);
  p_arena_free(a);
}
END_TEST

START_TEST(t_infer_elements) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a,
                              "def f():\n    xs = [1, 2]\n    xs.insert(0, 3)\n    xs.extend([4])\n    a = xs.pop()\n"
                              "    d = {'a': 1.5}\n    d['b'] = 2.5\n    b = d['a']\n    s = set()\n    s.add('x')\n"
                              "    z = [0] * 4\n    z[1] = 3\n    t = (1, 'a')\n    u, w = t\n"
                              "    bad = [1]\n    bad[0] = 'one'\n    print(len(s), len(z), len(bad))\n"
                              "    return a, b, u, w\nf()\n");
  an_scope *s = func(p, "f")->scope;
  ck_assert_str_eq(sym_ty(a, s, "xs"), "list[int]");
  ck_assert_str_eq(sym_ty(a, s, "a"), "int");
  ck_assert_str_eq(sym_ty(a, s, "d"), "dict[str, float]");
  ck_assert_str_eq(sym_ty(a, s, "b"), "float");
  ck_assert_str_eq(sym_ty(a, s, "s"), "set[str]");
  ck_assert_str_eq(sym_ty(a, s, "z"), "list[int]");
  ck_assert_str_eq(sym_ty(a, s, "u"), "int");
  ck_assert_str_eq(sym_ty(a, s, "w"), "str");
  ck_assert_str_eq(sym_ty(a, s, "bad"), "list[dynamic]");
  /* unpacking a list or a str: each target is one of the elements */
  p = analyse_one(a, "def f():\n    xs = [1, 2]\n    p, q = xs\n    h, *tl = 'abc'\n    return p + q, h, len(tl)\nf()\n");
  s = func(p, "f")->scope;
  ck_assert_str_eq(sym_ty(a, s, "p"), "int");
  ck_assert_str_eq(sym_ty(a, s, "h"), "str");
  ck_assert_str_eq(sym_ty(a, s, "tl"), "list[str]");
  /* dict reads: get with a default, pop; setdefault stores */
  p = analyse_one(a, "def f():\n    d = {'a': 1}\n    g = d.get('b', 0)\n    h = d.pop('a')\n    n = d.get('a')\n"
                     "    e = {'x': 1}\n    e.setdefault('y', 'z')\n    return g, h, n, e['x']\nf()\n");
  s = func(p, "f")->scope;
  ck_assert_str_eq(sym_ty(a, s, "g"), "int");
  ck_assert_str_eq(sym_ty(a, s, "h"), "int");
  ck_assert_str_eq(sym_ty(a, s, "n"), "dynamic"); /* int or None */
  ck_assert_str_eq(sym_ty(a, s, "e"), "dict[str, dynamic]");
  /* returned inside a tuple: the caller may change it */
  p = analyse_one(a, "def f():\n    s = {1}\n    return (s, 1)\nf()\n");
  ck_assert_str_eq(sym_ty(a, func(p, "f")->scope, "s"), "set[dynamic]");
  /* a list that escapes into a function which appends a str */
  p = analyse_one(a, "def keep(l):\n    l.append('s')\ndef f():\n    zs = [1]\n    keep(zs)\n    zs.append(2)\n"
                     "    return zs[0]\nf()\n");
  ck_assert_str_eq(sym_ty(a, func(p, "f")->scope, "zs"), "list[dynamic]");
  ck_assert_str_eq(ty(a, func(p, "f")->return_type), "dynamic");
  p_arena_free(a);
}
END_TEST

START_TEST(t_infer_annotations) {
  p_arena *a = p_arena_new();
  an_program *p = analyse_one(a, "from typing import Optional, List\n"
                                 "def f(n: int, m: Optional[int], xs: List[int], o: 'Fwd') -> str:\n    return n\n"
                                 "def g(k: float) -> int | None:\n    return None\n"
                                 "x: int = 'a'\ny: float = 1\nz: list[str] = [1]\n"
                                 "print(f('s', None, [1], 0), g(1), x, y, z)\n");
  an_func *f = func(p, "f");
  ck_assert_str_eq(f->param_annots[0]->text, "int");
  ck_assert_str_eq(f->param_annots[1]->text, "Optional[int]");
  ck_assert_str_eq(f->param_annots[2]->text, "List[int]");
  ck_assert_str_eq(f->return_annot->text, "str");
  ck_assert_str_eq(func(p, "g")->return_annot->text, "int | None");
  /* never trusted: n is a str at its only call site */
  ck_assert_str_eq(ty(a, f->param_types[0]), "str");
  ck_assert_str_eq(an_symbol_of(p->modules[0].scope, "x")->annotation->text, "int");
  /* conflicts: n (str vs int), f's return (str is fine: it returns n, a
   * str), x (str vs int), z (list[int] vs list[str]); y: an int is a
   * float per PEP 484; m: None fits Optional[int]; k: int fits float */
  ck_assert_int_eq(p->nconflicts, 3);
  bool seen_n = false, seen_x = false, seen_z = false;
  for (int i = 0; i < p->nconflicts; i++) {
    an_conflict *k = &p->conflicts[i];
    if (!strcmp(k->name, "n")) {
      seen_n = true;
      ck_assert_str_eq(k->annotated, "int");
      ck_assert_str_eq(k->inferred, "str");
      ck_assert_int_eq(k->line, 2);
      ck_assert_str_eq(k->scope, "f");
    }
    if (!strcmp(k->name, "x")) seen_x = !strcmp(k->inferred, "str") && k->line == 6;
    if (!strcmp(k->name, "z")) seen_z = !strcmp(k->inferred, "list[int]");
  }
  ck_assert(seen_n && seen_x && seen_z);
  /* the document lists them */
  cJSON *j = cJSON_Parse(an_to_json(a, p));
  ck_assert_ptr_nonnull(j);
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "annotation_conflicts")), 3);
  cJSON *typing = cJSON_GetObjectItem(j, "typing");
  ck_assert_ptr_nonnull(typing);
  ck_assert_int_gt(cJSON_GetObjectItem(typing, "names_static")->valueint, 0);
  cJSON_Delete(j);
  p_arena_free(a);
}
END_TEST

/* ------------------------------------------------------ golden types */

static void types_scope(p_arena *a, an_scope *s, p_buf *b) {
  static const char *const bn[] = {"unbound", "local", "global", "global", "nonlocal", "free", "cell", "builtin"};
  p_buf_printf(b, "scope %s\n", s->qualname);
  for (int i = 0; i < s->nsyms; i++) {
    an_symbol *y = &s->syms[i];
    if (y->binding == AN_BUILTIN) continue;
    p_buf_printf(b, "  %s: %s %s%s%s\n", y->name, bn[y->binding], an_type_str(a, y->type),
                 y->flags & AN_SYM_RANGE_NONNEG ? " nonneg" : "", y->flags & AN_SYM_RANGE_I32 ? " i32" : "");
  }
  for (int i = 0; i < s->nchildren; i++) types_scope(a, s->children[i], b);
}

/* tests/golden/types/X.py: inferred signatures and symbol types in X.types */
static void types_dump(p_arena *a, an_program *p, p_buf *b) {
  for (int i = 0; i < p->nfuncs; i++) {
    an_func *f = p->funcs[i];
    p_buf_printf(b, "def %s(", f->qualname);
    const py_arguments *pa = f->node->kind == PY_FUNCTION_DEF ? f->node->u.function_def.args : f->node->u.lambda.args;
    for (int k = 0; k < f->nparams; k++)
      p_buf_printf(b, "%s%s: %s", k ? ", " : "", pa->all.v[k]->u.arg.name, an_type_str(a, f->param_types[k]));
    p_buf_printf(b, ") -> %s%s%s\n", an_type_str(a, f->return_type), f->pure ? " pure" : "", f->closed ? " closed" : "");
  }
  for (int i = 0; i < p->nclasses; i++) {
    an_class *k = p->classes[i];
    p_buf_printf(b, "class %s\n", k->qualname);
    for (int j = 0; j < k->nattrs; j++) p_buf_printf(b, "  .%s: %s\n", k->attrs[j].name, an_type_str(a, k->attrs[j].type));
  }
  types_scope(a, p->modules[0].scope, b);
}

START_TEST(t_golden_types) {
  const char *top = getenv("top_srcdir");
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/tests/golden/types", top && *top ? top : ".");
  DIR *d = opendir(dir);
  ck_assert_msg(d != NULL, "no %s", dir);
  struct dirent *de;
  int n = 0;
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l < 4 || strcmp(de->d_name + l - 3, ".py")) continue;
    char path[1400], exp[1400];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    snprintf(exp, sizeof exp, "%s/%.*s.types", dir, (int)(l - 3), de->d_name);
    char *src;
    size_t len;
    p_err e;
    ck_assert_int_eq(p_read_file(path, 1 << 20, &src, &len, &e), 0);
    p_arena *a = p_arena_new();
    an_program *p = analyse_one(a, src);
    p_buf b;
    p_buf_init(&b, 0);
    types_dump(a, p, &b);
    if (getenv("GOLDEN_REGEN")) p_write_file(exp, b.data, b.len, &e);
    char *want;
    size_t wl;
    ck_assert_msg(p_read_file(exp, 1 << 20, &want, &wl, &e) == 0, "missing %s", exp);
    ck_assert_msg(strcmp(b.data, want) == 0, "%s:\n--- got\n%s--- want\n%s", de->d_name, b.data, want);
    free(want);
    free(src);
    p_buf_free(&b);
    p_arena_free(a);
    n++;
  }
  closedir(d);
  ck_assert_int_ge(n, 4);
}
END_TEST

/* ------------------------------------------------- golden flow types */

/* One line per Name load the analysis typed: "line:col name type". The
 * callee name of a call (typed by the call) and annotations (never
 * evaluated for types) are left out. */
struct loads_ctx {
  p_arena *a;
  an_program *p;
  p_buf *b;
};

static int loads_walk(py_node *n, void *ctx) {
  struct loads_ctx *c = ctx;
  if (n->kind == PY_CALL && n->u.call.func->kind == PY_NAME) {
    for (int i = 0; i < n->u.call.args.n; i++) loads_walk(n->u.call.args.v[i], ctx);
    for (int i = 0; i < n->u.call.keywords.n; i++) loads_walk(n->u.call.keywords.v[i], ctx);
    return 0;
  }
  if (n->kind == PY_FUNCTION_DEF && n->u.function_def.returns) {
    /* annotations are not evaluated by us: skip them */
    for (int i = 0; i < n->u.function_def.decorators.n; i++) loads_walk(n->u.function_def.decorators.v[i], ctx);
    for (int i = 0; i < n->u.function_def.body.n; i++) loads_walk(n->u.function_def.body.v[i], ctx);
    return 0;
  }
  if (n->kind == PY_ANN_ASSIGN) {
    if (n->u.ann_assign.value) loads_walk(n->u.ann_assign.value, ctx);
    return 0;
  }
  if (n->kind == PY_ARG) return 0;
  if (n->kind == PY_NAME && n->u.name.ctx == PY_LOAD) {
    if (c->p->type_by_id[n->id])
      p_buf_printf(c->b, "%d:%d %s %s\n", n->line, n->col, n->u.name.id, an_type_str(c->a, an_type_of(c->p, n)));
    return 0;
  }
  return py_node_children(n, loads_walk, ctx);
}

/* tests/golden/infer_types/X.py: every Name load's type in X.loads, then
 * the attribute types and annotation conflicts. */
START_TEST(t_golden_infer) {
  const char *top = getenv("top_srcdir");
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/tests/golden/infer_types", top && *top ? top : ".");
  DIR *d = opendir(dir);
  ck_assert_msg(d != NULL, "no %s", dir);
  struct dirent *de;
  int n = 0;
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l < 4 || strcmp(de->d_name + l - 3, ".py")) continue;
    char path[1400], exp[1400];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    snprintf(exp, sizeof exp, "%s/%.*s.loads", dir, (int)(l - 3), de->d_name);
    char *src;
    size_t len;
    p_err e;
    ck_assert_int_eq(p_read_file(path, 1 << 20, &src, &len, &e), 0);
    p_arena *a = p_arena_new();
    an_program *p = analyse_one(a, src);
    p_buf b;
    p_buf_init(&b, 0);
    struct loads_ctx lc = {a, p, &b};
    py_node_children(p->modules[0].mod->node, loads_walk, &lc);
    for (int i = 0; i < p->nclasses; i++)
      for (int j = 0; j < p->classes[i]->nattrs; j++)
        p_buf_printf(&b, "attr %s.%s %s\n", p->classes[i]->qualname, p->classes[i]->attrs[j].name,
                     an_type_str(a, p->classes[i]->attrs[j].type));
    for (int i = 0; i < p->nconflicts; i++)
      p_buf_printf(&b, "conflict %d:%d %s %s: annotated %s, inferred %s\n", p->conflicts[i].line, p->conflicts[i].col,
                   p->conflicts[i].scope, p->conflicts[i].name, p->conflicts[i].annotated, p->conflicts[i].inferred);
    if (getenv("GOLDEN_SHOW")) fprintf(stderr, "== %s\n%s", de->d_name, b.data);
    char *want;
    size_t wl;
    ck_assert_msg(p_read_file(exp, 1 << 20, &want, &wl, &e) == 0, "missing %s", exp);
    ck_assert_msg(strcmp(b.data, want) == 0, "%s:\n--- got\n%s--- want\n%s", de->d_name, b.data, want);
    free(want);
    free(src);
    p_buf_free(&b);
    p_arena_free(a);
    n++;
  }
  closedir(d);
  ck_assert_int_ge(n, 2);
}
END_TEST

/* ------------------------------------------------------------- corpus */

/* Writes "line:col name type" for every Name load (and ".attr" for every
 * attribute load) of the entry module that has a static type (for
 * tests/infer_trace.py). */
struct static_loads {
  an_program *p;
  p_arena *a;
  FILE *f;
  int n;
};

static int static_loads_walk(py_node *n, void *ctx) {
  struct static_loads *c = ctx;
  bool name = n->kind == PY_NAME && n->u.name.ctx == PY_LOAD;
  bool attr = n->kind == PY_ATTRIBUTE && n->u.attribute.ctx == PY_LOAD;
  if ((name || attr) && c->p->type_by_id[n->id] && an_type_of(c->p, n)->kind != AN_T_DYNAMIC) {
    fprintf(c->f, "%d:%d %s%s %s\n", n->line, n->col, attr ? "." : "", attr ? n->u.attribute.attr : n->u.name.id,
            an_type_str(c->a, an_type_of(c->p, n)));
    c->n++;
  }
  return py_node_children(n, static_loads_walk, ctx);
}

static int corpus_case_types(const char *dir, const char *types_out);
static int corpus_case(const char *dir) { return corpus_case_types(dir, NULL); }

static int corpus_case_types(const char *dir, const char *types_out) {
  if (getenv("ANALYSIS_TRACE")) fprintf(stderr, "corpus: %s\n", dir);
  /* gathers the case's .py files like an upload */
  src_file files[64];
  char *bufs[64];
  int n = 0;
  char *stack[64];
  int sp = 0;
  stack[sp++] = strdup("");
  while (sp > 0 && n < 64) {
    char *rel = stack[--sp];
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", dir, rel);
    DIR *d = opendir(full);
    struct dirent *de;
    while (d && (de = readdir(d))) {
      if (de->d_name[0] == '.') continue;
      char r[2048];
      snprintf(r, sizeof r, "%.1000s%s%.255s", rel, *rel ? "/" : "", de->d_name);
      char f[8192];
      snprintf(f, sizeof f, "%s/%s", dir, r);
      struct stat st;
      if (stat(f, &st)) continue;
      if (S_ISDIR(st.st_mode)) {
        if (sp < 64) stack[sp++] = strdup(r);
      } else if (strlen(r) > 3 && !strcmp(r + strlen(r) - 3, ".py") && n < 64) {
        size_t len;
        p_err e;
        char *data;
        if (p_read_file(f, 1 << 24, &data, &len, &e)) continue;
        bufs[n] = data;
        files[n].src = data;
        files[n].path = strdup(r);
        n++;
      }
    }
    if (d) closedir(d);
    free(rel);
  }
  while (sp > 0) free(stack[--sp]);
  /* main.py first: it is the entry */
  for (int i = 0; i < n; i++)
    if (!strcmp(files[i].path, "main.py")) {
      src_file t = files[0];
      files[0] = files[i];
      files[i] = t;
      char *tb = bufs[0];
      bufs[0] = bufs[i];
      bufs[i] = tb;
    }
  p_arena *a = p_arena_new();
  an_program *p;
  diags dg;
  int rc = analyse(a, files, n, true, &p, &dg);
  ck_assert_msg(rc == 0, "%s: %s", dir, dg.n ? dg.msgs[0] : "?");
  const char *json = an_to_json(a, p);
  cJSON *j = cJSON_Parse(json);
  ck_assert_msg(j != NULL, "%s: analysis.json does not parse", dir);
  cJSON_Delete(j);
  if (getenv("ANALYSIS_TRACE"))
    fprintf(stderr, "  typing: names %d static / %d dynamic, exprs %d static / %d dynamic\n", p->names_static,
            p->names_dynamic, p->exprs_static, p->exprs_dynamic);
  if (types_out) {
    FILE *tf = fopen(types_out, "w");
    ck_assert_ptr_nonnull(tf);
    struct static_loads sl = {p, a, tf, 0};
    if (!strcmp(files[0].path, "main.py")) py_node_children(p->modules[0].mod->node, static_loads_walk, &sl);
    fclose(tf);
  }
  p_arena_free(a);
  for (int i = 0; i < n; i++) {
    free(bufs[i]);
    free((char *)files[i].path);
  }
  return n;
}

START_TEST(t_corpus) {
  const char *top = getenv("top_srcdir");
  char root[1024];
  snprintf(root, sizeof root, "%s/../shared/corpus", top && *top ? top : ".");
  DIR *d = opendir(root);
  if (!d) {
    fprintf(stderr, "t_corpus: %s not found, skipped\n", root);
    return;
  }
  struct dirent *tier;
  int cases = 0;
  while ((tier = readdir(d))) {
    if (tier->d_name[0] != 't') continue;
    char tdir[1400];
    snprintf(tdir, sizeof tdir, "%.1024s/%.255s", root, tier->d_name);
    DIR *t = opendir(tdir);
    struct dirent *c;
    while (t && (c = readdir(t))) {
      if (c->d_name[0] == '.') continue;
      char cdir[1700], ee[1800];
      snprintf(cdir, sizeof cdir, "%.1400s/%.255s", tdir, c->d_name);
      snprintf(ee, sizeof ee, "%s/expected_error", cdir);
      if (access(ee, F_OK) == 0) continue; /* syntax error cases: test_ingest */
      struct stat st;
      if (stat(cdir, &st) || !S_ISDIR(st.st_mode)) continue;
      corpus_case(cdir);
      cases++;
    }
    if (t) closedir(t);
  }
  closedir(d);
  ck_assert_int_gt(cases, 40);
}
END_TEST

/* -------------------------------------------------------------- stage */

typedef struct {
  char *json;
  char name[64];
} art_ctx;

static int art_hook(void *ctx, pl_job *job, const char *name, const char *mime, const void *data, size_t len, p_err *e) {
  (void)job;
  (void)e;
  art_ctx *c = ctx;
  ck_assert_str_eq(mime, "application/json");
  snprintf(c->name, sizeof c->name, "%s", name);
  c->json = strndup(data, len);
  return 0;
}

/* Soundness against CPython: every static type the analysis gives a Name
 * or attribute load of a corpus program's main.py must hold for every
 * value that load produces when CPython runs the program
 * (tests/infer_trace.py wraps the loads and checks each value). Skipped
 * without python3. */
START_TEST(t_infer_trace) {
  const char *top = getenv("top_srcdir");
  if (!top || !*top) top = ".";
  if (system("python3 -c pass >/dev/null 2>&1") != 0) {
    fprintf(stderr, "t_infer_trace: no python3, skipped\n");
    return;
  }
  char root[1024];
  snprintf(root, sizeof root, "%s/../shared/corpus", top);
  if (access(root, F_OK) != 0) {
    fprintf(stderr, "t_infer_trace: %s not found, skipped\n", root);
    return;
  }
  char tmp[] = "/tmp/portalis-infer-trace.XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(tmp));
  char list[1200];
  snprintf(list, sizeof list, "%s/cases", tmp);
  FILE *lf = fopen(list, "w");
  ck_assert_ptr_nonnull(lf);
  static const char *const tiers[] = {"t1_core", "t2_objects", "t3_stdlib", "t4_packages", NULL};
  int ncases = 0;
  for (int ti = 0; tiers[ti]; ti++) {
    char tdir[1400];
    snprintf(tdir, sizeof tdir, "%.1024s/%s", root, tiers[ti]);
    DIR *t = opendir(tdir);
    struct dirent *c;
    while (t && (c = readdir(t))) {
      if (c->d_name[0] == '.') continue;
      char cdir[1700], tf[1800];
      snprintf(cdir, sizeof cdir, "%.1400s/%.255s", tdir, c->d_name);
      struct stat st;
      if (stat(cdir, &st) || !S_ISDIR(st.st_mode)) continue;
      char *abs = realpath(cdir, NULL);
      ck_assert_ptr_nonnull(abs);
      snprintf(tf, sizeof tf, "%s/%d.types", tmp, ncases);
      corpus_case_types(abs, tf);
      fprintf(lf, "%s\t%s\n", abs, tf);
      free(abs);
      ncases++;
    }
    if (t) closedir(t);
  }
  /* the golden inference programs and the trace-only edge cases too */
  static const char *const gdirs[] = {"tests/golden/infer_types", "tests/golden/infer_types/trace", NULL};
  for (int gi = 0; gdirs[gi]; gi++) {
    char gdir[1200];
    snprintf(gdir, sizeof gdir, "%s/%s", top, gdirs[gi]);
    DIR *gd = opendir(gdir);
    struct dirent *ge;
    while (gd && (ge = readdir(gd))) {
      size_t l = strlen(ge->d_name);
      if (l < 4 || strcmp(ge->d_name + l - 3, ".py")) continue;
      char path[1500], tf[1800];
      snprintf(path, sizeof path, "%s/%s", gdir, ge->d_name);
      char *abs = realpath(path, NULL), *src;
      size_t len;
      p_err e;
      ck_assert_ptr_nonnull(abs);
      ck_assert_int_eq(p_read_file(abs, 1 << 20, &src, &len, &e), 0);
      p_arena *a = p_arena_new();
      an_program *p = analyse_one(a, src);
      snprintf(tf, sizeof tf, "%s/g%d.types", tmp, ncases);
      FILE *f = fopen(tf, "w");
      ck_assert_ptr_nonnull(f);
      struct static_loads sl = {p, a, f, 0};
      py_node_children(p->modules[0].mod->node, static_loads_walk, &sl);
      fclose(f);
      fprintf(lf, "%s\t%s\n", abs, tf);
      p_arena_free(a);
      free(src);
      free(abs);
      ncases++;
    }
    if (gd) closedir(gd);
  }
  fclose(lf);
  ck_assert_int_gt(ncases, 34);
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "python3 %s/tests/infer_trace.py %s 2>&1", top, list);
  FILE *pf = popen(cmd, "r");
  ck_assert_ptr_nonnull(pf);
  char line[4096];
  int checked = 0, mismatches = 0, ran = 0;
  p_buf bad;
  p_buf_init(&bad, 0);
  while (fgets(line, sizeof line, pf)) {
    if (!strncmp(line, "MISMATCH ", 9)) {
      mismatches++;
      p_buf_puts(&bad, line);
    } else if (!strncmp(line, "CHECKED ", 8)) {
      const char *sp = strrchr(line, ' ');
      checked += atoi(sp + 1);
      ran++;
    } else {
      p_buf_puts(&bad, line); /* the helper failed */
    }
  }
  int rc = pclose(pf);
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
  if (system(cmd) != 0) fprintf(stderr, "t_infer_trace: could not remove %s\n", tmp);
  if (getenv("ANALYSIS_TRACE")) fprintf(stderr, "t_infer_trace: %d cases, %d static loads checked\n", ran, checked);
  ck_assert_msg(mismatches == 0 && rc == 0, "static types CPython contradicts (rc %d):\n%s", rc, bad.data ? bad.data : "");
  ck_assert_int_eq(ran, ncases);
  ck_assert_int_gt(checked, 100);
  p_buf_free(&bad);
}
END_TEST

START_TEST(t_stage) {
  pl_config cfg;
  memset(&cfg, 0, sizeof cfg);
  pl_job *job = pl_job_new(&cfg, "a");
  art_ctx ac = {NULL, ""};
  job->hooks.ctx = &ac;
  job->hooks.artifact = art_hook;
  p_err e;
  memset(&e, 0, sizeof e);
  const char *src = "import math\ndef fib(n):\n    return n if n < 2 else fib(n-1) + fib(n-2)\nprint(fib(10), math.pi)\n";
  ck_assert_int_eq(pl_job_add_file(job, "main.py", src, strlen(src), &e), 0);
  job->entry = strdup("main.py");
  ck_assert_int_eq(pl_stage_ingest(job, &e), 0);
  ck_assert_int_eq(pl_stage_analysis(job, &e), 0);
  ck_assert_ptr_nonnull(job->analysis);
  ck_assert_str_eq(ac.name, "analysis.json");
  cJSON *j = cJSON_Parse(ac.json);
  ck_assert_ptr_nonnull(j);
  cJSON *fns = cJSON_GetObjectItem(j, "functions");
  ck_assert_int_eq(cJSON_GetArraySize(fns), 1);
  cJSON *fib = cJSON_GetArrayItem(fns, 0);
  ck_assert_str_eq(cJSON_GetObjectItem(fib, "returns")->valuestring, "int");
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(fib, "pure")));
  ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "stdlib"), 0)->valuestring, "math");
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(j, "call_graph"));
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(j, "dynamic"));
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "constructs"), "FunctionDef"));
  cJSON_Delete(j);
  free(ac.json);
  pl_job_free(job);

  /* an unknown import fails the job with import_error and a diagnostic */
  job = pl_job_new(&cfg, "b");
  src = "import numpy\nprint(1)\n";
  ck_assert_int_eq(pl_job_add_file(job, "main.py", src, strlen(src), &e), 0);
  job->entry = strdup("main.py");
  ck_assert_int_eq(pl_stage_ingest(job, &e), 0);
  ck_assert_int_eq(pl_stage_analysis(job, &e), P_EIMPORT);
  ck_assert_str_eq(job->reason, "import_error");
  ck_assert_uint_eq(job->ndiags, 1);
  ck_assert_int_eq(job->diags[0].line, 1);
  ck_assert_int_eq(job->diags[0].col, 1);
  ck_assert_str_eq(job->diags[0].source_line, "import numpy");
  pl_job_free(job);
}
END_TEST

static Suite *analysis_suite(void) {
  Suite *s = suite_create("analysis");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, t_scopes);
  tcase_add_test(tc, t_symtable_vs_cpython);
  tcase_add_test(tc, t_scope_errors);
  tcase_add_test(tc, t_module_bindings);
  tcase_add_test(tc, t_maybe_unbound);
  tcase_add_test(tc, t_imports);
  tcase_add_test(tc, t_import_errors);
  tcase_add_test(tc, t_infer_fib);
  tcase_add_test(tc, t_infer_literals);
  tcase_add_test(tc, t_infer_dynamic);
  tcase_add_test(tc, t_infer_soundness);
  tcase_add_test(tc, t_infer_library_and_purity);
  tcase_add_test(tc, t_infer_classes);
  tcase_add_test(tc, t_infer_flow);
  tcase_add_test(tc, t_infer_attrs_dynamic);
  tcase_add_test(tc, t_infer_elements);
  tcase_add_test(tc, t_infer_annotations);
  tcase_add_test(tc, t_golden_types);
  tcase_add_test(tc, t_golden_infer);
  tcase_add_test(tc, t_corpus);
  tcase_add_test(tc, t_infer_trace);
  tcase_add_test(tc, t_stage);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  SRunner *sr = srunner_create(analysis_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? 1 : 0;
}
