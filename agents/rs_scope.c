/*
 * rs_scope.c - the translator's view of Python scoping: which Rust variable,
 * cell or module-dict slot every name of every scope turns into.
 *
 * Python decides at compile time, per function, whether a name is local,
 * global or free, and which locals are cells; CPython's symtable makes that
 * decision and Analysis (an_scope.c, an_scope_of / an_lookup) reproduces it
 * exactly. This file does not classify names itself: it takes every
 * scope's symbols and their bindings from Analysis and decides only what is
 * specific to the Rust we emit:
 *   - the scope tree in source order (one rs_scope per def, lambda, class
 *     and comprehension), which fixes the module's function list and so the
 *     unique Rust fn name of every function-like scope;
 *   - how each binding is carried (the "bindings" section): inline scopes
 *     (list/set/dict comprehensions and class bodies) are emitted inside the
 *     Rust fn of their parent, so a name they do not bind is simply the
 *     parent's Rust variable (RS_BIND_OUTER), and a CPython cell only
 *     becomes a Rust Cell when a function-like scope captures it; the
 *     closure cells (`frees`, the __cl order) are Analysis's free names,
 *     already threaded through every intermediate function;
 *   - a Rust identifier per local, which locals check for unbound reads
 *     (Analysis finds those that may be read before assignment), and the
 *     typed fast path (the "typed path" section below).
 *
 * Recursion follows the AST, whose depth ingest bounds (PY_MAX_NESTING);
 * we still stop at RS_MAX_DEPTH with a clean error.
 */
#include "transpile.h"
#include "analysis.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RS_MAX_DEPTH 2000

typedef struct sc_ctx {
  p_arena *a;
  rs_program *prog;
  rs_module *mod;
  p_err *e;
  int depth;
} sc_ctx;

/* ------------------------------------------------------------ idents */

static const char *const rs__keywords[] = {
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "union", NULL};
/* Not valid even as raw identifiers, or names the generated code relies on. */
static const char *const rs__reserved[] = {"self", "Self", "super", "crate", "Ok", "Err", "Some",
                                           "Value", "Cell", "Flow", "Vec", "String", "Option",
                                           "Result", "Box", "PyResult", "PyErr", "Kw", "Params",
                                           "Co", "rt", "rx", NULL};

static bool rs__in(const char *const *list, const char *s) {
  for (int i = 0; list[i]; i++)
    if (strcmp(list[i], s) == 0) return true;
  return false;
}

const char *rs_ident(p_arena *a, const char *name) {
  bool ascii = true;
  for (const char *p = name; *p; p++)
    if ((unsigned char)*p >= 0x80) ascii = false;
  if (!ascii) {
    /* Rust accepts non-ASCII identifiers, but keep the output plain. */
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_puts(&b, "u_");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
      if (*p < 0x80) p_buf_putc(&b, (char)*p);
      else p_buf_printf(&b, "%02x", *p);
    }
    const char *r = p_arena_strdup(a, b.data ? b.data : "u_");
    p_buf_free(&b);
    return r;
  }
  if (strcmp(name, "_") == 0) return "_u";
  if (name[0] == '_' && name[1] == '_') return p_arena_printf(a, "l%s", name); /* our temps are __x */
  if (rs__in(rs__keywords, name)) return p_arena_printf(a, "r#%s", name);
  if (rs__in(rs__reserved, name)) return p_arena_printf(a, "%s_", name);
  return name;
}

/* A Rust fn name from a qualname: "A.<locals>.f" -> "A__f". */
static const char *rs__fn_name(p_arena *a, const char *qual) {
  p_buf b;
  p_buf_init(&b, 0);
  const char *p = qual;
  while (*p) {
    if (strncmp(p, ".<locals>.", 10) == 0 || *p == '.') {
      /* "A.__init__" -> "A__init__": the separator absorbs a dunder's underscores */
      p_buf_puts(&b, "__");
      p += *p == '.' && strncmp(p, ".<locals>.", 10) != 0 ? 1 : 10;
      while (*p == '_') p++;
    } else if (*p == '<' || *p == '>') {
      p++;
    } else if ((unsigned char)*p >= 0x80) {
      p_buf_printf(&b, "%02x", (unsigned char)*p);
      p++;
    } else {
      p_buf_putc(&b, *p);
      p++;
    }
  }
  const char *r = p_arena_strdup(a, b.data ? b.data : "f");
  p_buf_free(&b);
  if (rs__in(rs__keywords, r) || rs__in(rs__reserved, r) || r[0] == '_' || r[0] == 0)
    r = p_arena_printf(a, "f_%s", r);
  return r;
}

/* ------------------------------------------------------------ symbols */

rs_sym *rs_scope_sym(rs_scope *s, const char *name) {
  if (s->an) { /* syms[i] mirrors the Analysis scope's syms[i]: use its hash index */
    const an_symbol *ay = an_symbol_of(s->an, name);
    if (!ay) return NULL;
    ptrdiff_t i = ay - s->an->syms;
    return i < s->nsyms ? &s->syms[i] : NULL;
  }
  for (int i = 0; i < s->nsyms; i++)
    if (strcmp(s->syms[i].name, name) == 0) return &s->syms[i];
  return NULL;
}

static rs_sym *sc__sym(sc_ctx *c, rs_scope *s, const char *name) {
  rs_sym *y = rs_scope_sym(s, name);
  if (y) return y;
  s->syms = p_vec_grow(s->syms, s->nsyms, &s->capsyms, s->nsyms + 1, sizeof *s->syms, c->a);
  y = &s->syms[s->nsyms++];
  memset(y, 0, sizeof *y);
  y->name = name;
  y->rname = rs_ident(c->a, name);
  return y;
}

static void sc__add_free(sc_ctx *c, rs_scope *s, const char *name) {
  for (int i = 0; i < s->nfrees; i++)
    if (strcmp(s->frees[i], name) == 0) return;
  s->frees = p_vec_grow(s->frees, s->nfrees, &s->capfrees, s->nfrees + 1, sizeof *s->frees, c->a);
  s->frees[s->nfrees++] = name;
}

static bool sc__fnlike(const rs_scope *s) {
  return s->kind == RS_SC_FUNC || s->kind == RS_SC_LAMBDA || s->kind == RS_SC_GENEXP;
}

static rs_scope *sc__open(sc_ctx *c, rs_scope_kind k, py_node *n, rs_scope *parent, const char *name) {
  rs_scope *s = p_arena_alloc(c->a, sizeof *s);
  s->kind = k;
  s->node = n;
  s->parent = parent;
  s->mod = c->mod;
  s->name = name;
  /* qualname as CPython computes it */
  if (!parent || parent->kind == RS_SC_MODULE) {
    s->qualname = name;
  } else {
    const rs_scope *q = parent;
    while (q->kind == RS_SC_COMP) q = q->parent; /* comprehensions are invisible here */
    if (q->kind == RS_SC_MODULE) s->qualname = name;
    else if (q->kind == RS_SC_CLASS) s->qualname = p_arena_printf(c->a, "%s.%s", q->qualname, name);
    else s->qualname = p_arena_printf(c->a, "%s.<locals>.%s", q->qualname, name);
  }
  if (n && n->id < c->prog->nids) c->prog->scope_of[n->id] = s;
  if (sc__fnlike(s)) {
    rs_module *m = c->mod;
    m->funcs = p_vec_grow(m->funcs, m->nfuncs, &m->capfuncs, m->nfuncs + 1, sizeof *m->funcs, c->a);
    m->funcs[m->nfuncs++] = s;
  }
  return s;
}

/* ------------------------------------------------------------ scopes */

/*
 * The scope tree mirrors the AST: one rs_scope per def, lambda, class and
 * comprehension, opened in source order (decorators and defaults belong to
 * the defining scope, a comprehension's first iterable too), so that the
 * module's function list and hence the Rust fn names are stable. Nothing
 * about names is decided here: the symbols are copied from Analysis.
 */

static int sc__visit(sc_ctx *c, rs_scope *s, py_node *n);

typedef struct { sc_ctx *c; rs_scope *s; } sc_child;

static int sc__child(py_node *ch, void *ctx) {
  sc_child *k = ctx;
  return sc__visit(k->c, k->s, ch);
}

static int sc__children(sc_ctx *c, rs_scope *s, py_node *n) {
  sc_child k = {c, s};
  return py_node_children(n, sc__child, &k);
}

static int sc__nodes(sc_ctx *c, rs_scope *s, py_nodes ns) {
  for (int i = 0; i < ns.n; i++) {
    int rc = sc__visit(c, s, ns.v[i]);
    if (rc) return rc;
  }
  return 0;
}

/* Defaults of a parameter list (evaluated in the defining scope). */
static int sc__defaults(sc_ctx *c, rs_scope *s, py_arguments *args) {
  if (!args) return 0;
  for (int i = 0; i < args->all.n; i++) {
    py_node *d = args->all.v[i]->u.arg.default_;
    if (d) {
      int rc = sc__visit(c, s, d);
      if (rc) return rc;
    }
  }
  return 0;
}

static int sc__comp(sc_ctx *c, rs_scope *s, py_node *n) {
  py_nodes gens = n->u.comp.generators;
  if (gens.n < 1) return p_err_at(c->e, P_EUNSUPPORTED, n->file, n->line, n->col, "empty comprehension");
  int rc = sc__visit(c, s, gens.v[0]->u.comprehension.iter);
  if (rc) return rc;
  bool gen = n->kind == PY_GENERATOR_EXP;
  const char *nm = gen ? "<genexpr>" : n->kind == PY_LIST_COMP ? "<listcomp>" : n->kind == PY_SET_COMP ? "<setcomp>" : "<dictcomp>";
  rs_scope *cs = sc__open(c, gen ? RS_SC_GENEXP : RS_SC_COMP, n, s, nm);
  for (int i = 0; i < gens.n; i++) {
    py_node *g = gens.v[i];
    if (i > 0 && (rc = sc__visit(c, cs, g->u.comprehension.iter))) return rc;
    if ((rc = sc__visit(c, cs, g->u.comprehension.target))) return rc;
    if ((rc = sc__nodes(c, cs, g->u.comprehension.ifs))) return rc;
  }
  if (n->u.comp.elt && (rc = sc__visit(c, cs, n->u.comp.elt))) return rc;
  if (n->u.comp.value && (rc = sc__visit(c, cs, n->u.comp.value))) return rc;
  return 0;
}

static int sc__visit(sc_ctx *c, rs_scope *s, py_node *n) {
  if (!n) return 0;
  if (++c->depth > RS_MAX_DEPTH) {
    c->depth--;
    return p_err_at(c->e, P_ETOOBIG, n->file, n->line, n->col, "program nests too deeply to translate");
  }
  int rc = 0;
  switch (n->kind) {
  case PY_FUNCTION_DEF: {
    if ((rc = sc__nodes(c, s, n->u.function_def.decorators))) break;
    if ((rc = sc__defaults(c, s, n->u.function_def.args))) break;
    rs_scope *f = sc__open(c, RS_SC_FUNC, n, s, n->u.function_def.name);
    rc = sc__nodes(c, f, n->u.function_def.body);
    break;
  }
  case PY_LAMBDA: {
    if ((rc = sc__defaults(c, s, n->u.lambda.args))) break;
    rs_scope *f = sc__open(c, RS_SC_LAMBDA, n, s, "<lambda>");
    rc = sc__visit(c, f, n->u.lambda.body);
    break;
  }
  case PY_CLASS_DEF: {
    if ((rc = sc__nodes(c, s, n->u.class_def.decorators))) break;
    if ((rc = sc__nodes(c, s, n->u.class_def.bases))) break;
    if ((rc = sc__nodes(c, s, n->u.class_def.keywords))) break;
    rs_scope *k = sc__open(c, RS_SC_CLASS, n, s, n->u.class_def.name);
    rc = sc__nodes(c, k, n->u.class_def.body);
    break;
  }
  case PY_LIST_COMP:
  case PY_SET_COMP:
  case PY_DICT_COMP:
  case PY_GENERATOR_EXP:
    rc = sc__comp(c, s, n);
    break;
  case PY_ARG: /* annotations are not evaluated by the translation */
    break;
  case PY_ANN_ASSIGN:
    if ((rc = sc__visit(c, s, n->u.ann_assign.target))) break;
    if (n->u.ann_assign.value) rc = sc__visit(c, s, n->u.ann_assign.value);
    break;
  default:
    rc = sc__children(c, s, n);
    break;
  }
  c->depth--;
  return rc;
}

/* ------------------------------------------------------------ bindings */

/*
 * Every symbol comes from Analysis (an_scope_of + the scope's an_symbol
 * list, CPython's symtable). What is left to decide here is how each
 * binding is carried in Rust, which depends on which scopes get a Rust fn
 * of their own:
 *   - function-like scopes (def, lambda, genexp): local/cell/free as
 *     Analysis says, except that a CPython cell only becomes a Rust Cell
 *     when a function-like scope captures it; a cell that only inline
 *     scopes (list/set/dict comprehensions, class bodies) read stays a
 *     plain Rust variable, since those are emitted inside the same fn;
 *   - the frees of a function-like scope (its __cl) are exactly its
 *     free/nonlocal symbols in Analysis, which threads them through every
 *     intermediate scope as CPython does;
 *   - inline scopes bind only their own locals; every other name is
 *     RS_BIND_OUTER (the enclosing Rust fn's variable); a class body's
 *     locals live in its namespace (RS_BIND_CLASSNS).
 */

static unsigned sc__flags(unsigned f) {
  unsigned r = 0;
  if (f & (AN_SYM_ASSIGNED | AN_SYM_PARAM | AN_SYM_DEF | AN_SYM_IMPORTED | AN_SYM_DELETED)) r |= RS_F_BOUND;
  if (f & AN_SYM_USED) r |= RS_F_USED;
  if (f & AN_SYM_PARAM) r |= RS_F_PARAM;
  if (f & (AN_SYM_ASSIGNED | AN_SYM_DELETED)) r |= RS_F_STORED;
  if (f & AN_SYM_DECL_GLOBAL) r |= RS_F_GLOBAL;
  if (f & AN_SYM_DECL_NONLOCAL) r |= RS_F_NONLOCAL;
  return r;
}

/* The Rust binding of an Analysis binding in a scope of kind k (cells are
 * RS_BIND_LOCAL here; rs_program_build promotes those that sc__capture
 * marks). */
static rs_bind sc__bind_of(rs_scope_kind k, an_binding b) {
  switch (k) {
  case RS_SC_MODULE:
    return RS_BIND_GLOBAL;
  case RS_SC_CLASS:
    if (b == AN_GLOBAL_EXPLICIT) return RS_BIND_GLOBAL;
    if (b == AN_LOCAL || b == AN_CELL) return RS_BIND_CLASSNS;
    return RS_BIND_OUTER;
  case RS_SC_COMP:
    return b == AN_LOCAL || b == AN_CELL ? RS_BIND_LOCAL : RS_BIND_OUTER;
  default: /* function-like */
    switch (b) {
    case AN_LOCAL:
    case AN_CELL: return RS_BIND_LOCAL;
    case AN_FREE:
    case AN_NONLOCAL: return RS_BIND_FREE;
    default: return RS_BIND_GLOBAL;
    }
  }
}

/* Copies the symbols of s from its Analysis scope. */
static int sc__fill(sc_ctx *c, rs_scope *s) {
  const an_scope *as = an_scope_of(c->prog->an, s->node);
  if (!as) {
    const py_node *n = s->node;
    return p_err_at(c->e, P_EINTERNAL, n->file, n->line, n->col, "internal: no Analysis scope for %s", s->qualname);
  }
  s->an = as;
  s->is_generator = s->kind == RS_SC_GENEXP || ((s->kind == RS_SC_FUNC || s->kind == RS_SC_LAMBDA) && as->is_generator);
  /* an async def is driven like a generator (runtime gen.rs): its body is
   * the same async block, awaits delegate through the same slot */
  if (s->kind == RS_SC_FUNC && s->node->kind == PY_FUNCTION_DEF && s->node->u.function_def.is_async) {
    s->is_async = true;
    s->has_yield = as->is_generator;
    s->is_generator = true;
  }
  /* a method that reads super() or __class__ (itself or in its
   * comprehensions) gets the zero-argument super() treatment (rs_gen.c) */
  if (s->kind == RS_SC_FUNC && s->parent && s->parent->kind == RS_SC_CLASS && as->uses_super) {
    s->class_cell = true;
    s->parent->class_cell = true;
  }
  for (int i = 0; i < as->nsyms; i++) {
    const an_symbol *ay = &as->syms[i];
    rs_sym *y = sc__sym(c, s, ay->name);
    y->flags = sc__flags(ay->flags);
    y->bind = sc__bind_of(s->kind, ay->binding);
    if (y->bind == RS_BIND_FREE) sc__add_free(c, s, ay->name);
  }
  return 0;
}

/* Marks the scope whose local the free name of function-like scope s
 * refers to as captured: the nearest enclosing non-class scope where
 * Analysis has it as a cell. Inline comprehensions with the name free pass
 * through; an enclosing function-like scope with it free handles its own
 * frees. */
static void sc__capture(rs_scope *s, const char *name) {
  for (rs_scope *q = s->parent; q && q->kind != RS_SC_MODULE; q = q->parent) {
    if (q->kind == RS_SC_CLASS) continue;
    an_binding b = an_lookup(q->an, name);
    if (b == AN_CELL || b == AN_LOCAL) {
      rs_sym *y = rs_scope_sym(q, name);
      if (y) y->flags |= RS_F_CAPTURED;
      return;
    }
    if (sc__fnlike(q) || (b != AN_FREE && b != AN_NONLOCAL)) return;
  }
}

/* ------------------------------------------------------------ unbound locals */

/*
 * A plain local is a Rust variable that always holds a Value, so a read
 * before any assignment would see whatever it was initialised with. Python
 * raises UnboundLocalError there. Analysis (an_unbound.c) marks the locals
 * of each def that a read may find unbound (AN_SYM_MAYBE_UNBOUND); those
 * that stay plain Rust variables here (not cells) become
 * RS_F_MAYBE_UNBOUND and start as the runtime's "unbound" marker, checked
 * on every read (rx::local). The others are definitely assigned before
 * every read and need no check.
 */
static void sc__maybe_unbound(rs_scope *f) {
  for (int i = 0; i < f->nsyms; i++) {
    rs_sym *y = &f->syms[i];
    const an_symbol *ay = an_symbol_of(f->an, y->name);
    if (ay && (ay->flags & AN_SYM_MAYBE_UNBOUND) && y->bind == RS_BIND_LOCAL && !(y->flags & RS_F_PARAM))
      y->flags |= RS_F_MAYBE_UNBOUND;
  }
}

/* ------------------------------------------------------------ typed path */

/*
 * The unboxed fast path. A function gets a twin `<name>__fast` over i64,
 * f64, bool and Vec<i64>/Vec<f64>/Vec<bool> when, assuming its arguments
 * have the types we guessed, we can prove from this module alone that its
 * body only computes on those and calls itself or other such functions. The
 * dynamic fn checks the actual arguments at run time and tries the twin
 * first; the twin reports failure (rx::failed()) when it cannot finish
 * exactly as Python would (i64 overflow, division by zero, an index out of
 * range, too deep) and the dynamic body then re-runs from scratch. That is
 * only correct because the twin has no effect the dynamic re-run could
 * observe:
 *   - scalars are values; lists the function creates (`[0.0] * n`,
 *     `[a, b, c]`) are Rust Vecs no other code can reach (a list-typed name
 *     may only be indexed, measured with len(), iterated, or assigned a new
 *     list: never aliased, passed on, returned or captured);
 *   - a list parameter is copied in before the twin runs (every element
 *     must be exactly a float, int or bool, and no two list arguments may be
 *     the same list) and copied back only when the twin succeeded: while it
 *     runs no other Python code runs, so nothing can see the difference.
 * The rules, deliberately narrow:
 *   - a plain module-level def (no decorators, defaults, closures, star
 *     params, generators), whose name is bound exactly once in the module and
 *     never declared global (so a call by that name always means it; both
 *     facts are Analysis's: an_module_bindings, an_global_written);
 *   - statements: assignment/augmented assignment to plain locals and to
 *     `xs[i]` of a typed list, if, while, `for <name> in range(...)` (builtin
 *     range, literal step), `for <name> in <typed list>`, return, pass,
 *     break, continue, a docstring, a call of another twin as a statement;
 *   - expressions: int/float/bool literals, locals, + - * / // % ** and
 *     unary -, comparisons and and/or/not in conditions, `xs[i]`, `len(xs)`,
 *     abs/min/max/int/float and math.sqrt (when those names are not
 *     rebound), calls to typed functions with exactly matching scalar
 *     argument types;
 *   - every local has one type throughout; all returns agree (a function
 *     that can fall off its end, or returns without a value, returns None).
 *     int/int `/` is a float, as in Python; int ** int only with a small
 *     literal exponent (a negative one would make a float); bools take no
 *     part in arithmetic (True + 1 stays on the dynamic path).
 */

typedef struct ty_ctx {
  rs_module *m;
  rs_scope *f;
  bool changed;   /* a local or the return type learned its type this round */
  bool unknown;   /* some expression's type is not known yet */
  bool bad;       /* a rule is broken: no twin */
  bool region;    /* typing a loop of a dynamic fn, not a whole fn */
  bool module;    /* ... of module-level code: its names are module globals */
  const char *why;      /* the first broken rule, for the spec and the dashboard */
  const py_node *why_at;
} ty_ctx;

/* Breaks a rule at node n: no twin. The first reason is kept. */
static void ty__bad(ty_ctx *t, const py_node *n, const char *why) {
  if (!t->bad) {
    t->why = why;
    t->why_at = n;
  }
  t->bad = true;
}

/* A name the typed code may keep unboxed: a plain local, or in a
 * module-level region a global of the module. */
static bool ty__plain(const ty_ctx *t, const rs_sym *y) {
  return y && (y->bind == RS_BIND_LOCAL || (t->module && y->bind == RS_BIND_GLOBAL));
}

static bool ty__num(char c) { return c == 'i' || c == 'f'; }
static bool ty__scalar(char c) { return c == 'i' || c == 'f' || c == 'b'; }
static bool ty__is_list(char c) { return c == 'I' || c == 'F' || c == 'B'; }
static char ty__elem(char c) { return c == 'I' ? 'i' : c == 'F' ? 'f' : c == 'B' ? 'b' : 0; }
static char ty__list_of(char e) { return e == 'i' ? 'I' : e == 'f' ? 'F' : e == 'b' ? 'B' : 0; }

static rs_scope *ty__callee(rs_module *m, rs_scope *caller, py_node *call) {
  py_node *f = call->u.call.func;
  if (f->kind != PY_NAME || call->u.call.keywords.n) return NULL;
  rs_sym *y = rs_scope_sym(caller, f->u.name.id);
  if (!y || y->bind != RS_BIND_GLOBAL) return NULL;
  for (int i = 0; i < m->nfuncs; i++) {
    rs_scope *g = m->funcs[i];
    if (g->typed && g->kind == RS_SC_FUNC && g->parent == m->scope && strcmp(g->name, f->u.name.id) == 0) return g;
  }
  return NULL;
}

/* A call of a builtin the fast path knows (abs, min, max, float, int, len)
 * whose name is never bound in the module (Analysis's count: the module's
 * own bindings, and no `global` for it anywhere). */
static bool ty__builtin_call(ty_ctx *t, py_node *call, const char *which) {
  py_node *f = call->u.call.func;
  if (f->kind != PY_NAME || strcmp(f->u.name.id, which) != 0 || call->u.call.keywords.n) return false;
  rs_sym *y = rs_scope_sym(t->f, which);
  if (!y || y->bind != RS_BIND_GLOBAL) return false;
  if (an_module_bindings(t->m->scope->an, which) != 0 || an_global_written(t->m->scope->an, which)) return false;
  for (int i = 0; i < call->u.call.args.n; i++)
    if (call->u.call.args.v[i]->kind == PY_STARRED) return false;
  return true;
}

/* `math.<attr>` where math is the standard library's, by an `import math`
 * at module level that is its only binding (an_sole_import). */
static bool ty__math_attr(rs_module *m, rs_scope *f, py_node *fe) {
  if (fe->kind != PY_ATTRIBUTE) return false;
  py_node *v = fe->u.attribute.value;
  if (v->kind != PY_NAME || strcmp(v->u.name.id, "math") != 0) return false;
  rs_sym *y = rs_scope_sym(f, "math");
  if (!y || y->bind != RS_BIND_GLOBAL) return false;
  const an_import *im = an_sole_import(m->scope->an, "math");
  return im && im->is_stdlib && !im->name && strcmp(im->module, "math") == 0;
}

/* The one-argument float functions of math the fast path computes with
 * the same f64 functions as the runtime's math module (so both paths give
 * the same bits); a domain or range error makes the twin give up. */
static const char *const ty__math_f1[] = {"sqrt", "exp", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
                                          "tanh", "log2", "log10", "log1p", "expm1", "fabs", "log",
                                          NULL};

/* 'f' for math.<float function>(x), 'i' for math.floor/ceil/trunc(x), 0
 * for anything else. */
static char ty__math_fn(rs_module *m, rs_scope *f, py_node *call) {
  py_node *fe = call->u.call.func;
  if (call->kind != PY_CALL || call->u.call.keywords.n || call->u.call.args.n != 1 || !ty__math_attr(m, f, fe)) return 0;
  if (call->u.call.args.v[0]->kind == PY_STARRED) return 0;
  const char *a = fe->u.attribute.attr;
  for (int i = 0; ty__math_f1[i]; i++)
    if (strcmp(a, ty__math_f1[i]) == 0) return 'f';
  if (!strcmp(a, "floor") || !strcmp(a, "ceil") || !strcmp(a, "trunc")) return 'i';
  return 0;
}

/* math.pi, math.e, math.tau, math.inf */
static bool ty__math_const(rs_module *m, rs_scope *f, py_node *n) {
  if (n->kind != PY_ATTRIBUTE || n->u.attribute.ctx != PY_LOAD || !ty__math_attr(m, f, n)) return false;
  const char *a = n->u.attribute.attr;
  return !strcmp(a, "pi") || !strcmp(a, "e") || !strcmp(a, "tau") || !strcmp(a, "inf");
}


static char ty__expr(ty_ctx *t, py_node *n, int depth);

/* A number (int or float): anything else breaks the rules. */
static char ty__num_expr(ty_ctx *t, py_node *n, int depth) {
  char c = ty__expr(t, n, depth);
  if (c && !ty__num(c)) ty__bad(t, n, "a value that is not a number where a number is needed");
  return c;
}

/* An int (a list index, a repeat count, a range bound). */
static char ty__int_expr(ty_ctx *t, py_node *n, int depth) {
  char c = ty__expr(t, n, depth);
  if (c && c != 'i') ty__bad(t, n, "a value that is not an int where an int is needed (index, count, range bound)");
  return c;
}

/* The typed list a Name refers to, for `xs[i]`, len(xs) and iteration. */
static char ty__list_name(ty_ctx *t, py_node *n) {
  if (n->kind != PY_NAME) {
    ty__bad(t, n, "a list reached through an expression, not a local name");
    return 0;
  }
  char c = ty__expr(t, n, 1);
  if (c && !ty__is_list(c)) ty__bad(t, n, "a value that is not a list of numbers where one is needed");
  return c;
}

/* Type of a known builtin/math call, 0 if it is not one (t->bad untouched)
 * or unknown yet; sets *known when the call is one of ours. */
static char ty__known_call(ty_ctx *t, py_node *n, int depth, bool *known) {
  py_nodes a = n->u.call.args;
  *known = true;
  char mk = ty__math_fn(t->m, t->f, n);
  if (mk) {
    ty__num_expr(t, a.v[0], depth + 1);
    return mk;
  }
  if (ty__builtin_call(t, n, "len") && a.n == 1) {
    ty__list_name(t, a.v[0]);
    return 'i';
  }
  if (ty__builtin_call(t, n, "abs") && a.n == 1) return ty__num_expr(t, a.v[0], depth + 1);
  if ((ty__builtin_call(t, n, "min") || ty__builtin_call(t, n, "max")) && a.n == 2) {
    char x = ty__num_expr(t, a.v[0], depth + 1), y = ty__num_expr(t, a.v[1], depth + 1);
    if (x && y && x != y) ty__bad(t, n, "min()/max() of an int and a float"); /* min(1, 2.0) is an int or a float depending on values */
    return x && y ? x : 0;
  }
  if (ty__builtin_call(t, n, "float") && a.n == 1) {
    ty__num_expr(t, a.v[0], depth + 1);
    return 'f';
  }
  if (ty__builtin_call(t, n, "int") && a.n == 1) {
    ty__num_expr(t, a.v[0], depth + 1);
    return 'i';
  }
  *known = false;
  return 0;
}

static char ty__join_arith(py_op op, char a, char b) {
  if (!a || !b) return 0;
  switch (op) {
  case PY_OP_ADD: case PY_OP_SUB: case PY_OP_MULT: case PY_OP_FLOORDIV: case PY_OP_MOD:
    return a == 'f' || b == 'f' ? 'f' : 'i';
  case PY_OP_DIV:
    return 'f';
  default:
    return 0;
  }
}

static bool ty__arith_op(py_op op) {
  return op == PY_OP_ADD || op == PY_OP_SUB || op == PY_OP_MULT || op == PY_OP_FLOORDIV || op == PY_OP_MOD ||
         op == PY_OP_DIV;
}

/* `[e] * n` or `n * [e]`: the one-element list display, or NULL. */
static py_node *ty__repeat_elem(py_node *n, py_node **count) {
  if (n->kind != PY_BIN_OP || n->u.bin_op.op != PY_OP_MULT) return NULL;
  py_node *l = n->u.bin_op.left, *r = n->u.bin_op.right;
  if (l->kind == PY_LIST && l->u.list_or_tuple.elts.n == 1 && l->u.list_or_tuple.elts.v[0]->kind != PY_STARRED) {
    *count = r;
    return l->u.list_or_tuple.elts.v[0];
  }
  if (r->kind == PY_LIST && r->u.list_or_tuple.elts.n == 1 && r->u.list_or_tuple.elts.v[0]->kind != PY_STARRED) {
    *count = l;
    return r->u.list_or_tuple.elts.v[0];
  }
  return NULL;
}

/* A fresh list (display or repetition): the only list values that may be
 * assigned, since anything else would alias. */
static bool ty__fresh_list(py_node *n) {
  py_node *cnt;
  return n->kind == PY_LIST || ty__repeat_elem(n, &cnt) != NULL;
}

static bool ty__cond(ty_ctx *t, py_node *n, int depth);

/* 'i', 'f', 'b', 'I', 'F', 'B', or 0 (unknown yet, or t->bad set). */
static char ty__expr(ty_ctx *t, py_node *n, int depth) {
  if (!n || depth > 100) {
    ty__bad(t, n, "an expression nested too deeply");
    return 0;
  }
  switch (n->kind) {
  case PY_INT:
    if (!n->u.int_.fits_i64) ty__bad(t, n, "an int literal beyond 64 bits");
    return 'i';
  case PY_FLOAT:
    return 'f';
  case PY_BOOL:
    return 'b';
  case PY_ATTRIBUTE:
    if (ty__math_const(t->m, t->f, n)) return 'f';
    ty__bad(t, n, "an attribute (objects run on the dynamic path)");
    return 0;
  case PY_NAME: {
    rs_sym *y = rs_scope_sym(t->f, n->u.name.id);
    if (!ty__plain(t, y)) {
      ty__bad(t, n, "a name that is not a plain local variable (a module global, a builtin or a closure variable)");
      return 0;
    }
    if (!y->ty) t->unknown = true;
    return y->ty;
  }
  case PY_LIST: {
    py_nodes el = n->u.list_or_tuple.elts;
    if (el.n == 0 || n->u.list_or_tuple.ctx != PY_LOAD) { /* an empty list has no element type */
      ty__bad(t, n, "an empty list or a list as a store target (no element type)");
      return 0;
    }
    char e = 0;
    for (int i = 0; i < el.n; i++) {
      if (el.v[i]->kind == PY_STARRED) {
        ty__bad(t, n, "a starred item in a list display");
        return 0;
      }
      char c = ty__expr(t, el.v[i], depth + 1);
      if (c && !ty__scalar(c)) ty__bad(t, n, "a list display holding values that are not numbers");
      if (!c) return 0;
      if (e && c != e) ty__bad(t, n, "a list display mixing ints and floats"); /* [1, 2.0] holds an int and a float */
      e = c;
    }
    return ty__list_of(e);
  }
  case PY_SUBSCRIPT: {
    if (n->u.subscript.slice->kind == PY_SLICE) {
      ty__bad(t, n, "a slice");
      return 0;
    }
    char l = ty__list_name(t, n->u.subscript.value);
    ty__int_expr(t, n->u.subscript.slice, depth + 1);
    return ty__elem(l);
  }
  case PY_BIN_OP: {
    py_op op = n->u.bin_op.op;
    py_node *cnt = NULL, *el = ty__repeat_elem(n, &cnt);
    if (el) {
      char e = ty__expr(t, el, depth + 1);
      if (e && !ty__scalar(e)) ty__bad(t, n, "a repeated list of values that are not numbers");
      ty__int_expr(t, cnt, depth + 1);
      return ty__list_of(e);
    }
    if (op == PY_OP_POW) {
      /* float ** anything is a float (the twin bails on a complex or
       * overflowing result); int ** int only with a literal exponent >= 0 */
      char a = ty__num_expr(t, n->u.bin_op.left, depth + 1), b = ty__num_expr(t, n->u.bin_op.right, depth + 1);
      if (!a || !b) return 0;
      if (a == 'f' || b == 'f') return 'f';
      py_node *e = n->u.bin_op.right;
      if (e->kind == PY_INT && e->u.int_.fits_i64 && e->u.int_.i64 <= 64) return 'i';
      ty__bad(t, n, "** of ints with an exponent that is not a small literal");
      return 0;
    }
    if (!ty__arith_op(op)) {
      ty__bad(t, n, "an operator other than + - * / // % ** on numbers");
      return 0;
    }
    char a = ty__num_expr(t, n->u.bin_op.left, depth + 1), b = ty__num_expr(t, n->u.bin_op.right, depth + 1);
    return ty__join_arith(op, a, b);
  }
  case PY_UNARY_OP:
    if (n->u.unary_op.op != PY_OP_USUB) {
      ty__bad(t, n, "a unary operator other than -");
      return 0;
    }
    return ty__num_expr(t, n->u.unary_op.operand, depth + 1);
  case PY_CALL: {
    bool known;
    char kt = ty__known_call(t, n, depth, &known);
    if (known) return kt;
    rs_scope *callee = ty__callee(t->m, t->f, n);
    if (!callee) {
      ty__bad(t, n, "a call of something that is not a typed function of this module or a known builtin");
      return 0;
    }
    py_arguments *ca = callee->node->u.function_def.args;
    if (n->u.call.args.n != ca->all.n) {
      ty__bad(t, n, "a call whose arguments do not match the parameters");
      return 0;
    }
    for (int i = 0; i < n->u.call.args.n; i++) {
      char at = ty__expr(t, n->u.call.args.v[i], depth + 1);
      /* lists are never passed on: the callee would need the same Vec twice */
      if (at && (at != callee->param_types[i] || !ty__scalar(at))) ty__bad(t, n, "an argument of another type than the parameter (or a list passed on)");
    }
    if (!callee->ret_type) t->unknown = true;
    return callee->ret_type;
  }
  case PY_IF_EXP: {
    ty__cond(t, n->u.if_exp.test, depth + 1);
    char a = ty__expr(t, n->u.if_exp.body, depth + 1), b = ty__expr(t, n->u.if_exp.orelse, depth + 1);
    if (a && b && (a != b || !ty__scalar(a))) ty__bad(t, n, "a conditional expression whose branches differ in type");
    return a && b ? a : 0;
  }
  default:
    ty__bad(t, n, "an expression the typed path does not compile");
    return 0;
  }
}

/* A condition over typed values (comparisons of numbers, and/or/not, the
 * truth of a number or a bool). */
static bool ty__cond(ty_ctx *t, py_node *n, int depth) {
  if (!n || depth > 100) return ty__bad(t, n, "a condition nested too deeply"), false;
  switch (n->kind) {
  case PY_COMPARE:
    ty__num_expr(t, n->u.compare.left, depth + 1);
    for (int i = 0; i < n->u.compare.comparators.n; i++) {
      py_op op = n->u.compare.ops[i];
      if (op != PY_OP_EQ && op != PY_OP_NOTEQ && op != PY_OP_LT && op != PY_OP_LTE && op != PY_OP_GT && op != PY_OP_GTE)
        ty__bad(t, n, "a comparison other than == != < <= > >=");
      ty__num_expr(t, n->u.compare.comparators.v[i], depth + 1);
    }
    return true;
  case PY_BOOL_OP:
    for (int i = 0; i < n->u.bool_op.values.n; i++) ty__cond(t, n->u.bool_op.values.v[i], depth + 1);
    return true;
  case PY_UNARY_OP:
    if (n->u.unary_op.op == PY_OP_NOT) return ty__cond(t, n->u.unary_op.operand, depth + 1);
    ty__expr(t, n, depth);
    return true;
  default: {
    char c = ty__expr(t, n, depth);
    if (c && !ty__scalar(c)) ty__bad(t, n, "a condition on a value that is not a number or a bool");
    return true;
  }
  }
}

/* Learns (or checks) the type of a local assigned a value of type ty. */
static void ty__assign(ty_ctx *t, py_node *target, char ty) {
  rs_sym *y = rs_scope_sym(t->f, target->u.name.id);
  if (!ty__plain(t, y)) {
    ty__bad(t, target, "a store to a name that is not a plain local variable");
    return;
  }
  if (!ty) return;
  if (t->region && ty__is_list(ty)) {
    ty__bad(t, target, "a list assigned inside a loop region"); /* a region's lists are copied back into the lists it started with */
    return;
  }
  if (!y->ty) {
    if ((y->flags & RS_F_PARAM) && !t->region) { ty__bad(t, target, "a parameter assigned before its type is known"); return; }
    y->ty = ty;
    t->changed = true;
  } else if (y->ty != ty) {
    ty__bad(t, target, "a name assigned values of two types");
  } else if (ty__is_list(ty) && (y->flags & RS_F_PARAM)) {
    ty__bad(t, target, "a list parameter rebound"); /* a list parameter is copied back: it must stay the caller's list */
  }
}

/* `xs[i] = v` (op == 0) or `xs[i] op= v` on a typed list. */
static void ty__store_item(ty_ctx *t, py_node *target, py_op op, py_node *v) {
  if (target->u.subscript.slice->kind == PY_SLICE) {
    ty__bad(t, target, "a store into a slice");
    return;
  }
  char l = ty__list_name(t, target->u.subscript.value);
  ty__int_expr(t, target->u.subscript.slice, 1);
  char e = ty__elem(l);
  if (!op) {
    char c = ty__expr(t, v, 0);
    if (e && c && c != e) ty__bad(t, target, "a store of another type into a typed list"); /* storing an int into a list of floats changes what it holds */
    return;
  }
  if (!ty__arith_op(op)) {
    ty__bad(t, target, "an augmented operator other than + - * / // %");
    return;
  }
  char c = ty__num_expr(t, v, 0);
  if (e && !ty__num(e)) ty__bad(t, target, "augmented arithmetic on a list of values that are not numbers");
  if (e && c && ty__join_arith(op, e, c) != e) ty__bad(t, target, "augmented arithmetic that would change a typed list's element type");
}

static bool ty__range_call(ty_ctx *t, py_node *it) {
  if (it->kind != PY_CALL || it->u.call.func->kind != PY_NAME || strcmp(it->u.call.func->u.name.id, "range") != 0)
    return false;
  rs_sym *y = rs_scope_sym(t->f, "range");
  if (!y || y->bind != RS_BIND_GLOBAL) return false;
  rs_sym *g = rs_scope_sym(t->m->scope, "range");
  if (g && (g->flags & RS_F_BOUND)) return false;
  if (it->u.call.keywords.n || it->u.call.args.n < 1 || it->u.call.args.n > 3) return false;
  if (it->u.call.args.n == 3) {
    py_node *st = it->u.call.args.v[2];
    bool lit = st->kind == PY_INT || (st->kind == PY_UNARY_OP && st->u.unary_op.op == PY_OP_USUB &&
                                      st->u.unary_op.operand->kind == PY_INT);
    if (!lit) return false; /* the step's sign decides the loop test */
    if (st->kind == PY_INT && st->u.int_.i64 == 0) return false;
  }
  for (int i = 0; i < it->u.call.args.n; i++) ty__int_expr(t, it->u.call.args.v[i], 1);
  return true;
}

static void ty__body(ty_ctx *t, py_nodes b, int depth);

typedef struct ty_bind { const char *name; bool hit; } ty_bind;

static int ty__bind_visit(py_node *n, void *ctx) {
  ty_bind *b = ctx;
  if (n->kind == PY_NAME && n->u.name.ctx != PY_LOAD && strcmp(n->u.name.id, b->name) == 0) b->hit = true;
  return b->hit ? 1 : py_node_children(n, ty__bind_visit, ctx);
}

/* Does code b bind name (any store)? */
static bool ty__binds_name(py_nodes b, const char *name) {
  ty_bind k = {name, false};
  for (int i = 0; i < b.n && !k.hit; i++) ty__bind_visit(b.v[i], &k);
  return k.hit;
}

/* Does code b contain a loop? */
static int ty__loop_visit(py_node *n, void *ctx) {
  if (n->kind == PY_FOR || n->kind == PY_WHILE) return *(bool *)ctx = true, 1;
  return py_node_children(n, ty__loop_visit, ctx);
}

static bool ty__has_loop(py_nodes b) {
  bool hit = false;
  for (int i = 0; i < b.n && !hit; i++) ty__loop_visit(b.v[i], &hit);
  return hit;
}

static void ty__stmt(ty_ctx *t, py_node *n, int depth) {
  if (depth > 60) {
    ty__bad(t, n, "statements nested too deeply");
    return;
  }
  switch (n->kind) {
  case PY_PASS: case PY_BREAK: case PY_CONTINUE:
    return;
  case PY_RETURN: {
    char r = 'n';
    if (n->u.return_.value) {
      r = ty__expr(t, n->u.return_.value, 0);
      if (r && !ty__scalar(r)) ty__bad(t, n, "a return of a list or of a value that is not a number");
    }
    if (!r) return;
    if (!t->f->ret_type) {
      t->f->ret_type = r;
      t->changed = true;
    } else if (t->f->ret_type != r) {
      ty__bad(t, n, "returns of two different types");
    }
    return;
  }
  case PY_ASSIGN: {
    if (n->u.assign.targets.n != 1) {
      ty__bad(t, n, "a chained assignment a = b = ...");
      return;
    }
    py_node *tg = n->u.assign.targets.v[0], *v = n->u.assign.value;
    if (tg->kind == PY_NAME) {
      char c = ty__expr(t, v, 0);
      if (c && ty__is_list(c) && !ty__fresh_list(v)) ty__bad(t, n, "a list assigned from another list (the two would alias)"); /* ys = xs would alias */
      if (c == 'n') ty__bad(t, n, "a local assigned None"); /* x = f() where f returns None: a None local is not typed */
      ty__assign(t, tg, c);
      return;
    }
    if (tg->kind == PY_SUBSCRIPT) {
      ty__store_item(t, tg, (py_op)0, v);
      return;
    }
    /* a, b = b, a % b: same-length tuples of names and typed scalar values */
    if (tg->kind == PY_TUPLE && v->kind == PY_TUPLE && tg->u.list_or_tuple.elts.n == v->u.list_or_tuple.elts.n) {
      for (int i = 0; i < tg->u.list_or_tuple.elts.n; i++) {
        py_node *x = tg->u.list_or_tuple.elts.v[i], *e = v->u.list_or_tuple.elts.v[i];
        if (x->kind != PY_NAME || e->kind == PY_STARRED) {
          ty__bad(t, n, "a tuple assignment with a starred target or a target that is not a name");
          return;
        }
        char c = ty__expr(t, e, 0);
        if (c && !ty__scalar(c)) ty__bad(t, n, "a tuple assignment of values that are not numbers");
        ty__assign(t, x, c);
      }
      return;
    }
    ty__bad(t, n, "an assignment to an attribute or another target the typed path does not store");
    return;
  }
  case PY_AUG_ASSIGN: {
    py_node *tg = n->u.aug_assign.target;
    py_op op = n->u.aug_assign.op;
    if (tg->kind == PY_SUBSCRIPT) {
      ty__store_item(t, tg, op, n->u.aug_assign.value);
      return;
    }
    if (tg->kind != PY_NAME || !ty__arith_op(op)) {
      ty__bad(t, n, "an augmented assignment to an attribute, or with an operator other than + - * / // %");
      return;
    }
    char a = ty__num_expr(t, tg, 0), b = ty__num_expr(t, n->u.aug_assign.value, 0);
    ty__assign(t, tg, ty__join_arith(op, a, b));
    return;
  }
  case PY_IF:
    ty__cond(t, n->u.if_.test, 0);
    ty__body(t, n->u.if_.body, depth + 1);
    ty__body(t, n->u.if_.orelse, depth + 1);
    return;
  case PY_WHILE:
    if (n->u.while_.orelse.n) ty__bad(t, n, "a while loop with an else clause");
    ty__cond(t, n->u.while_.test, 0);
    ty__body(t, n->u.while_.body, depth + 1);
    return;
  case PY_FOR:
    if (n->u.for_.orelse.n || n->u.for_.target->kind != PY_NAME) {
      ty__bad(t, n, "a for loop with an else clause or a target that is not a name");
      return;
    }
    if (ty__range_call(t, n->u.for_.iter)) {
      ty__assign(t, n->u.for_.target, 'i');
    } else if (n->u.for_.iter->kind == PY_NAME) {
      /* CPython's iterator keeps the list it started with; the twin re-reads
       * the variable, so the body must not rebind it */
      if (ty__binds_name(n->u.for_.body, n->u.for_.iter->u.name.id)) ty__bad(t, n, "a for loop whose body rebinds the list it iterates");
      ty__assign(t, n->u.for_.target, ty__elem(ty__list_name(t, n->u.for_.iter)));
    } else {
      ty__bad(t, n, "a for loop over something other than range() or a local list");
      return;
    }
    ty__body(t, n->u.for_.body, depth + 1);
    return;
  case PY_EXPR: { /* a docstring, or a call of a twin for its effect on nothing but its result */
    py_node *v = n->u.expr.value;
    if (v->kind == PY_STR) return;
    if (v->kind == PY_CALL && ty__callee(t->m, t->f, v)) {
      ty__expr(t, v, 0);
      return;
    }
    ty__bad(t, n, "a statement that is an expression other than a call of a typed function (print, a method call, ...)");
    return;
  }
  default:
    ty__bad(t, n, "a statement the typed path does not compile");
    return;
  }
}

static void ty__body(ty_ctx *t, py_nodes b, int depth) {
  for (int i = 0; i < b.n && !t->bad; i++) ty__stmt(t, b.v[i], depth);
}

/* Does a body always end in return (so the twin never falls off the end)? */
static bool ty__returns(py_nodes b) {
  if (!b.n) return false;
  py_node *last = b.v[b.n - 1];
  if (last->kind == PY_RETURN) return true;
  if (last->kind == PY_IF) return ty__returns(last->u.if_.body) && ty__returns(last->u.if_.orelse);
  return false;
}

/* Candidate shape, before the body is checked. */
/* Why f cannot have a twin whatever its body holds, or NULL. */
static const char *ty__not_candidate(rs_module *m, rs_scope *f) {
  if (f->kind == RS_SC_LAMBDA) return "a lambda";
  if (f->kind == RS_SC_GENEXP) return "a generator expression";
  if (f->kind != RS_SC_FUNC) return "not a function";
  if (f->parent != m->scope)
    return f->parent->kind == RS_SC_CLASS ? "a method (instances run on the dynamic path)" : "a nested function";
  if (f->is_generator) return "a generator";
  if (f->nfrees) return "a closure (it reads variables of an enclosing function)";
  py_node *n = f->node;
  if (n->u.function_def.decorators.n) return "a decorated function";
  if (n->u.function_def.is_async) return "an async function";
  py_arguments *a = n->u.function_def.args;
  if (a->vararg || a->kwarg || a->kwonly.n || a->posonly.n) return "*args, **kwargs, keyword-only or positional-only parameters";
  if (a->all.n == 0) return "no parameters (nothing to specialise on)";
  if (a->all.n > 10) return "more than 10 parameters";
  for (int i = 0; i < a->all.n; i++)
    if (a->all.v[i]->u.arg.default_) return "a parameter with a default value";
  for (int i = 0; i < f->nsyms; i++) {
    rs_sym *y = &f->syms[i];
    if (y->bind == RS_BIND_CELL || (y->flags & (RS_F_CAPTURED | RS_F_NONLOCAL)))
      return "a variable captured by an inner function";
    if (y->flags & RS_F_GLOBAL) return "a global or nonlocal statement";
    if (y->flags & RS_F_MAYBE_UNBOUND) return "a variable that may be read before it is assigned";
  }
  if (an_global_written(m->scope->an, n->u.function_def.name)) return "another function rebinds its name with `global`";
  return NULL;
}

/*
 * Parameter guesses. A twin is compiled for one set of argument types; the
 * dynamic fn checks the actual arguments, so a wrong guess costs speed,
 * never correctness. Analysis's proved types come first. Otherwise the
 * evidence is how the body uses the parameter: indexed (`p[i]`), measured
 * (`len(p)`) or iterated, it is a list; a list or scalar parameter whose
 * values meet a float in arithmetic, a comparison or a store (directly or
 * through locals that hold floats) is float; a list stored True/False holds
 * bools; anything else is int.
 */
typedef struct ty_ev {
  rs_module *m;
  rs_scope *f;
  const char **fl;  /* names (locals and params) that hold floats */
  int nfl, capfl;
  p_arena *a;
  bool changed;
} ty_ev;

static bool ty__ev_has(ty_ev *v, const char *name) {
  for (int i = 0; i < v->nfl; i++)
    if (strcmp(v->fl[i], name) == 0) return true;
  return false;
}

static void ty__ev_add(ty_ev *v, const char *name) {
  if (ty__ev_has(v, name)) return;
  v->fl = p_vec_grow(v->fl, v->nfl, &v->capfl, v->nfl + 1, sizeof *v->fl, v->a);
  v->fl[v->nfl++] = name;
  v->changed = true;
}

/* The name whose values a leaf carries: x for `x`, xs for `xs[i]`. */
static const char *ty__ev_leaf_name(py_node *n) {
  if (n->kind == PY_NAME) return n->u.name.id;
  if (n->kind == PY_SUBSCRIPT && n->u.subscript.value->kind == PY_NAME && n->u.subscript.slice->kind != PY_SLICE)
    return n->u.subscript.value->u.name.id;
  return NULL;
}

/* Walks an arithmetic tree (+ - * / // % **, unary -, comparisons, list
 * displays): collects the names of its leaves and returns whether its value
 * is a float. Where one operand is a float, the names in the other operand
 * meet a float: they are marked. */
typedef struct ty_leaves { const char *v[64]; int n; } ty_leaves;

static void ty__ev_mark(ty_ev *v, const ty_leaves *l) {
  for (int i = 0; i < l->n; i++) ty__ev_add(v, l->v[i]);
}

static void ty__ev_merge(ty_leaves *into, const ty_leaves *from) {
  for (int i = 0; i < from->n && into->n < 64; i++) into->v[into->n++] = from->v[i];
}

static bool ty__ev_tree(ty_ev *v, py_node *n, ty_leaves *out, int depth) {
  if (depth > 60) return false;
  if (n->kind == PY_BIN_OP || n->kind == PY_COMPARE) {
    py_node *l = n->kind == PY_BIN_OP ? n->u.bin_op.left : n->u.compare.left;
    ty_leaves ll = {{0}, 0};
    bool fl = ty__ev_tree(v, l, &ll, depth + 1);
    int nr = n->kind == PY_BIN_OP ? 1 : n->u.compare.comparators.n;
    for (int i = 0; i < nr; i++) {
      py_node *r = n->kind == PY_BIN_OP ? n->u.bin_op.right : n->u.compare.comparators.v[i];
      ty_leaves rl = {{0}, 0};
      bool fr = ty__ev_tree(v, r, &rl, depth + 1);
      if (fl) ty__ev_mark(v, &rl);
      if (fr) ty__ev_mark(v, &ll);
      fl = fl || fr;
      ty__ev_merge(&ll, &rl);
    }
    /* a / b is a float whatever a and b are, and a comparison a bool: what
     * the enclosing expression meets says nothing about their operands */
    if (n->kind == PY_COMPARE) return false;
    if (n->u.bin_op.op == PY_OP_DIV) return true;
    ty__ev_merge(out, &ll);
    return fl;
  }
  if (n->kind == PY_UNARY_OP && n->u.unary_op.op == PY_OP_USUB) return ty__ev_tree(v, n->u.unary_op.operand, out, depth + 1);
  if (n->kind == PY_FLOAT) return true;
  if (n->kind == PY_LIST || n->kind == PY_TUPLE) { /* [0.0, 4.8] holds floats */
    bool fl = false;
    for (int i = 0; i < n->u.list_or_tuple.elts.n; i++) fl |= ty__ev_tree(v, n->u.list_or_tuple.elts.v[i], out, depth + 1);
    return fl;
  }
  if (ty__math_const(v->m, v->f, n)) return true;
  if (n->kind == PY_CALL && (ty__math_fn(v->m, v->f, n) == 'f' ||
                             (n->u.call.func->kind == PY_NAME && strcmp(n->u.call.func->u.name.id, "float") == 0)))
    return true;
  const char *nm = ty__ev_leaf_name(n);
  if (!nm) return false;
  if (out->n < 64) out->v[out->n++] = nm;
  return ty__ev_has(v, nm);
}

/* target = value / target op= value: the target holds a float when the
 * value is one; for op=, a float target makes the value meet a float. */
static void ty__ev_stmt_tree(ty_ev *v, py_node *target, py_node *value, bool aug) {
  ty_leaves vl = {{0}, 0};
  bool fv = value && ty__ev_tree(v, value, &vl, 0);
  const char *nm = target ? ty__ev_leaf_name(target) : NULL;
  if (!nm) return;
  if (fv) ty__ev_add(v, nm);
  if (ty__ev_has(v, nm) && (aug || target->kind == PY_SUBSCRIPT)) ty__ev_mark(v, &vl);
}

static int ty__ev_visit(py_node *n, void *ctx) {
  ty_ev *v = ctx;
  switch (n->kind) {
  case PY_FUNCTION_DEF: case PY_LAMBDA: case PY_CLASS_DEF:
    return 0;
  case PY_ASSIGN:
    for (int i = 0; i < n->u.assign.targets.n; i++) ty__ev_stmt_tree(v, n->u.assign.targets.v[i], n->u.assign.value, false);
    break;
  case PY_AUG_ASSIGN:
    ty__ev_stmt_tree(v, n->u.aug_assign.target, n->u.aug_assign.value, true);
    break;
  case PY_BIN_OP: case PY_COMPARE: {
    ty_leaves l = {{0}, 0};
    ty__ev_tree(v, n, &l, 0);
    return 0; /* the tree walk saw the operands */
  }
  default:
    break;
  }
  return py_node_children(n, ty__ev_visit, ctx);
}

/* How parameter name is used: 'L' indexed/measured/iterated, 'B' stored a
 * bool as an item, 0 otherwise. */
static bool ty__is_name(py_node *n, const char *name) { return n->kind == PY_NAME && strcmp(n->u.name.id, name) == 0; }

typedef struct ty_use { const char *name; bool list, boolean; } ty_use;

static int ty__use_visit(py_node *n, void *ctx) {
  ty_use *u = ctx;
  if (n->kind == PY_FUNCTION_DEF || n->kind == PY_LAMBDA || n->kind == PY_CLASS_DEF) return 0;
  if (n->kind == PY_SUBSCRIPT && ty__is_name(n->u.subscript.value, u->name)) u->list = true;
  if (n->kind == PY_CALL && n->u.call.func->kind == PY_NAME && strcmp(n->u.call.func->u.name.id, "len") == 0 &&
      n->u.call.args.n == 1 && ty__is_name(n->u.call.args.v[0], u->name))
    u->list = true;
  if (n->kind == PY_FOR && ty__is_name(n->u.for_.iter, u->name)) u->list = true;
  if (n->kind == PY_ASSIGN && n->u.assign.value->kind == PY_BOOL)
    for (int i = 0; i < n->u.assign.targets.n; i++) {
      py_node *tg = n->u.assign.targets.v[i];
      if (tg->kind == PY_SUBSCRIPT && ty__is_name(tg->u.subscript.value, u->name)) u->boolean = true;
    }
  return py_node_children(n, ty__use_visit, ctx);
}

static char ty__an_hint(const an_program *an, rs_scope *f, int k) {
  if (!an) return 0;
  an_func *af = an_func_of(an, f->node);
  if (!af || k >= af->nparams || !af->param_types || !af->param_types[k]) return 0;
  const an_type *t = af->param_types[k];
  if (t->kind == AN_T_INT) return 'i';
  if (t->kind == AN_T_FLOAT) return 'f';
  if (t->kind == AN_T_LIST && t->elem) {
    if (t->elem->kind == AN_T_INT) return 'I';
    if (t->elem->kind == AN_T_FLOAT) return 'F';
    if (t->elem->kind == AN_T_BOOL) return 'B';
  }
  return 0;
}

/* Float evidence over code b of scope f, to a fixed point. */
static void ty__evidence(p_arena *a, rs_module *m, rs_scope *f, py_nodes b, ty_ev *ev) {
  memset(ev, 0, sizeof *ev);
  ev->m = m;
  ev->f = f;
  ev->a = a;
  for (int round = 0; round < 16; round++) {
    ev->changed = false;
    for (int j = 0; j < b.n; j++) ty__ev_visit(b.v[j], ev);
    if (!ev->changed) break;
  }
}

/* Floats the module-level code passes: for `energy(xs, 0.01)` at module
 * level, where xs was assigned a list display of floats, parameters 0 and 1
 * of energy are float evidence. */
typedef struct ty_calls { ty_ev *mev; rs_scope *f; char *fl; } ty_calls;

static int ty__calls_visit(py_node *n, void *ctx) {
  ty_calls *c = ctx;
  if (n->kind == PY_FUNCTION_DEF || n->kind == PY_LAMBDA || n->kind == PY_CLASS_DEF) return 0;
  if (n->kind == PY_CALL && ty__is_name(n->u.call.func, c->f->name)) {
    py_arguments *pa = c->f->node->u.function_def.args;
    for (int i = 0; i < n->u.call.args.n && i < pa->all.n; i++) {
      ty_leaves l = {{0}, 0};
      if (ty__ev_tree(c->mev, n->u.call.args.v[i], &l, 0)) c->fl[i] = 1;
    }
  }
  return py_node_children(n, ty__calls_visit, ctx);
}

static char *ty__guess_params(p_arena *a, const an_program *an, rs_module *m, rs_scope *f, ty_ev *mev) {
  py_arguments *args = f->node->u.function_def.args;
  char *g = p_arena_alloc(a, (size_t)args->all.n + 1);
  ty_ev ev;
  py_nodes body = f->node->u.function_def.body;
  ty__evidence(a, m, f, body, &ev);
  char *callfl = p_arena_alloc(a, (size_t)args->all.n + 1);
  ty_calls tc = {mev, f, callfl};
  py_nodes mb = m->scope->node->u.module.body;
  for (int j = 0; j < mb.n; j++) ty__calls_visit(mb.v[j], &tc);
  for (int k = 0; k < args->all.n; k++) {
    const char *nm = args->all.v[k]->u.arg.name;
    char h = ty__an_hint(an, f, k);
    if (h) {
      g[k] = h;
      continue;
    }
    ty_use u = {nm, false, false};
    for (int j = 0; j < body.n; j++) ty__use_visit(body.v[j], &u);
    bool fl = ty__ev_has(&ev, nm) || callfl[k];
    if (u.list) g[k] = u.boolean ? 'B' : fl ? 'F' : 'I';
    else g[k] = fl ? 'f' : 'i';
  }
  /* a list argument is copied in (O(len) per call): only worth it, and
   * only bounded by the work done, in a function that loops; 'x' = no twin */
  for (int k = 0; k < args->all.n; k++)
    if (ty__is_list(g[k]) && !ty__has_loop(body)) g[k] = 'x';
  return g;
}

static void ty__reset(rs_scope *f) {
  for (int i = 0; i < f->nsyms; i++)
    if (!(f->syms[i].flags & RS_F_PARAM)) f->syms[i].ty = 0;
  /* a body that can fall off its end returns None */
  f->ret_type = ty__returns(f->node->u.function_def.body) ? 0 : 'n';
}

/* Records why f runs on the dynamic path only (the spec and the dashboard
 * show it at file:line:col); a later restart overwrites an earlier guess. */
static void ty__why(rs_scope *f, const py_node *at, const char *why) {
  f->dyn_why = why;
  f->dyn_line = at ? at->line : f->node ? f->node->line : 1;
  f->dyn_col = at ? at->col : f->node ? f->node->col : 1;
}

/* Module-wide fixed point: every candidate starts typed with unknown local
 * and return types; rounds propagate what is known; a function that breaks
 * a rule, or still has unknowns when nothing changes, loses its twin, and
 * everything restarts (its callers must be re-checked). */
static void ty__decide(p_arena *a, const an_program *an, rs_module *m) {
  ty_ev mev; /* float evidence in module-level code */
  ty__evidence(a, m, m->scope, m->scope->node->u.module.body, &mev);
  for (int i = 0; i < m->nfuncs; i++) {
    rs_scope *f = m->funcs[i];
    const char *why = ty__not_candidate(m, f);
    if (!why && an_module_bindings(m->scope->an, f->name) != 1) why = "its name is bound more than once in the module";
    f->typed = !why;
    if (!f->typed) {
      ty__why(f, f->node, why);
      continue;
    }
    py_arguments *args = f->node->u.function_def.args;
    f->param_types = ty__guess_params(a, an, m, f, &mev);
    for (int k = 0; k < args->all.n; k++) {
      rs_sym *y = rs_scope_sym(f, args->all.v[k]->u.arg.name);
      if (y) y->ty = f->param_types[k];
    }
  }
  for (int restart = 0; restart < 64; restart++) {
    for (int i = 0; i < m->nfuncs; i++)
      if (m->funcs[i]->typed) ty__reset(m->funcs[i]);
    bool dropped = false;
    for (int round = 0; round < 64 && !dropped; round++) {
      bool changed = false, unknown = false;
      for (int i = 0; i < m->nfuncs && !dropped; i++) {
        rs_scope *f = m->funcs[i];
        if (!f->typed) continue;
        ty_ctx t = {m, f, false, false, false, false, false, NULL, NULL};
        ty__body(&t, f->node->u.function_def.body, 0);
        if (t.bad) {
          f->typed = false;
          ty__why(f, t.why_at, t.why);
          dropped = true;
        }
        changed |= t.changed;
        unknown |= t.unknown;
      }
      if (dropped) break;
      if (!changed) {
        if (!unknown) return; /* stable and fully typed */
        /* stuck with unknowns: drop the functions that still have them */
        for (int i = 0; i < m->nfuncs; i++) {
          rs_scope *f = m->funcs[i];
          if (!f->typed) continue;
          ty_ctx t = {m, f, false, false, false, false, false, NULL, NULL};
          ty__body(&t, f->node->u.function_def.body, 0);
          if (t.unknown || t.bad || !f->ret_type) {
            f->typed = false;
            ty__why(f, t.bad ? t.why_at : f->node,
                    t.bad ? t.why : "a value whose type stays unknown (a call of a function without a twin, or a return type never settled)");
            dropped = true;
          }
        }
        if (!dropped) return;
      }
    }
    if (!dropped) break;
  }
  /* did not converge: be safe */
  for (int i = 0; i < m->nfuncs; i++)
    if (m->funcs[i]->typed) {
      m->funcs[i]->typed = false;
      ty__why(m->funcs[i], m->funcs[i]->node, "the module's types did not settle");
    }
}

/* ------------------------------------------------------------ typed regions */

/*
 * A loop inside a function that has no twin (it prints, builds objects,
 * raises...) can still run unboxed when the loop itself keeps to the typed
 * rules (the same ty__stmt rules as a twin's body). At the loop, the
 * dynamic fn checks that the locals the loop reads before writing (its
 * live-in names) hold values of the guessed types, unboxes them (lists are
 * copied in), runs the loop in a closure over i64/f64/bool/Vec, and boxes
 * back every local the loop assigned (lists copied back). If the closure
 * fails (overflow, division by zero, index out of range, a callee twin that
 * failed) nothing has changed yet: the boxed loop runs from the same state.
 * Lists may be indexed and stored into but not rebound in a region, so the
 * copy-back always goes to the list object the loop started with. The
 * outermost loops that qualify become regions; inside a loop that does not
 * qualify, its inner loops are tried.
 */

/* Live-in: names read in the loop before any write on some path. */
typedef struct rg_live { p_arena *a; rs_scope *f; char *def; char *live; } rg_live;

static int rg__reads_visit(py_node *n, void *ctx) {
  rg_live *l = ctx;
  /* a callee's or an attribute base's name is not a value the region
   * unboxes (range, len, math, a twin): the typing checks those */
  if (n->kind == PY_CALL && n->u.call.func->kind == PY_NAME) {
    for (int i = 0; i < n->u.call.args.n; i++) rg__reads_visit(n->u.call.args.v[i], ctx);
    for (int i = 0; i < n->u.call.keywords.n; i++) rg__reads_visit(n->u.call.keywords.v[i], ctx);
    return 0;
  }
  if (n->kind == PY_ATTRIBUTE && n->u.attribute.value->kind == PY_NAME) return 0;
  if (n->kind == PY_NAME && n->u.name.ctx == PY_LOAD) {
    rs_sym *y = rs_scope_sym(l->f, n->u.name.id);
    if (y) {
      ptrdiff_t i = y - l->f->syms;
      if (!l->def[i]) l->live[i] = 1;
    }
    return 0;
  }
  if (n->kind == PY_LAMBDA || n->kind == PY_LIST_COMP || n->kind == PY_SET_COMP || n->kind == PY_DICT_COMP ||
      n->kind == PY_GENERATOR_EXP)
    return 0; /* never typed: the region is rejected anyway */
  return py_node_children(n, rg__reads_visit, ctx);
}

static void rg__reads(rg_live *l, py_node *e) {
  if (e) rg__reads_visit(e, l);
}

static void rg__define(rg_live *l, py_node *t) {
  if (t->kind == PY_NAME) {
    rs_sym *y = rs_scope_sym(l->f, t->u.name.id);
    if (y) l->def[y - l->f->syms] = 1;
  } else if (t->kind == PY_TUPLE || t->kind == PY_LIST) {
    for (int i = 0; i < t->u.list_or_tuple.elts.n; i++) rg__define(l, t->u.list_or_tuple.elts.v[i]);
  } else if (t->kind == PY_SUBSCRIPT) { /* xs[i] = v reads xs and i */
    rg__reads(l, t->u.subscript.value);
    rg__reads(l, t->u.subscript.slice);
  }
}

static void rg__stmts(rg_live *l, py_nodes b);

static void rg__stmt(rg_live *l, py_node *n) {
  int ns = l->f->nsyms;
  switch (n->kind) {
  case PY_ASSIGN:
    rg__reads(l, n->u.assign.value);
    for (int i = 0; i < n->u.assign.targets.n; i++) rg__define(l, n->u.assign.targets.v[i]);
    break;
  case PY_AUG_ASSIGN:
    rg__reads(l, n->u.aug_assign.value);
    if (n->u.aug_assign.target->kind == PY_NAME) { /* x += v reads x (a Store-context Name) */
      rs_sym *y = rs_scope_sym(l->f, n->u.aug_assign.target->u.name.id);
      if (y && !l->def[y - l->f->syms]) l->live[y - l->f->syms] = 1;
    }
    rg__define(l, n->u.aug_assign.target);
    break;
  case PY_IF: {
    rg__reads(l, n->u.if_.test);
    char *before = p_arena_alloc(l->a, (size_t)ns + 1), *after_body = p_arena_alloc(l->a, (size_t)ns + 1);
    memcpy(before, l->def, (size_t)ns);
    rg__stmts(l, n->u.if_.body);
    memcpy(after_body, l->def, (size_t)ns);
    memcpy(l->def, before, (size_t)ns);
    rg__stmts(l, n->u.if_.orelse);
    for (int i = 0; i < ns; i++) l->def[i] = l->def[i] && after_body[i];
    break;
  }
  case PY_WHILE: case PY_FOR: {
    char *before = p_arena_alloc(l->a, (size_t)ns + 1);
    if (n->kind == PY_WHILE) rg__reads(l, n->u.while_.test);
    else rg__reads(l, n->u.for_.iter);
    memcpy(before, l->def, (size_t)ns);
    if (n->kind == PY_FOR) rg__define(l, n->u.for_.target);
    rg__stmts(l, n->kind == PY_WHILE ? n->u.while_.body : n->u.for_.body);
    memcpy(l->def, before, (size_t)ns); /* the body may run zero times */
    break;
  }
  case PY_RETURN:
    rg__reads(l, n->u.return_.value);
    break;
  case PY_EXPR:
    rg__reads(l, n->u.expr.value);
    break;
  default:
    break; /* anything else is not typed: the region is rejected */
  }
}

static void rg__stmts(rg_live *l, py_nodes b) {
  for (int i = 0; i < b.n; i++) rg__stmt(l, b.v[i]);
}

static void rg__add(p_arena *a, rs_scope *f, py_node *loop, const char *flag) {
  rs_region *n = p_arena_alloc(a, sizeof *n * (size_t)(f->nregions + 1));
  if (f->nregions) memcpy(n, f->regions, sizeof *n * (size_t)f->nregions);
  rs_region *r = &n[f->nregions];
  r->loop = loop;
  r->ty = p_arena_alloc(a, (size_t)f->nsyms + 1);
  r->flag = p_arena_alloc(a, (size_t)f->nsyms + 1);
  for (int i = 0; i < f->nsyms; i++) {
    r->ty[i] = f->syms[i].ty;
    r->flag[i] = flag[i];
  }
  f->regions = n;
  f->nregions++;
}

/* Tries loop as a region of f; true when it is one. */
/* Does code n store into items of list `name` (name[i] = ..., name[i] op= ...)? */
typedef struct rg_wr { const char *name; bool hit; } rg_wr;

static int rg__item_store_visit(py_node *n, void *ctx) {
  rg_wr *w = ctx;
  py_node *t = n->kind == PY_ASSIGN && n->u.assign.targets.n == 1 ? n->u.assign.targets.v[0]
               : n->kind == PY_AUG_ASSIGN ? n->u.aug_assign.target : NULL;
  if (t && t->kind == PY_SUBSCRIPT && ty__is_name(t->u.subscript.value, w->name)) w->hit = true;
  return w->hit ? 1 : py_node_children(n, rg__item_store_visit, ctx);
}

bool rs_stores_items(py_nodes code, const char *name) {
  rg_wr w = {name, false};
  for (int i = 0; i < code.n && !w.hit; i++) rg__item_store_visit(code.v[i], &w);
  return w.hit;
}

static bool rg__try(p_arena *a, rs_module *m, rs_scope *f, py_node *loop, ty_ev *ev, bool module) {
  int ns = f->nsyms;
  if (ns == 0) return false;
  char *def = p_arena_alloc(a, (size_t)ns + 1), *live = p_arena_alloc(a, (size_t)ns + 1);
  rg_live l = {a, f, def, live};
  rg__stmt(&l, loop);
  char *flag = p_arena_alloc(a, (size_t)ns + 1);
  ty_ctx probe = {m, f, false, false, false, true, module, NULL, NULL};
  for (int i = 0; i < ns; i++) {
    rs_sym *y = &f->syms[i];
    y->ty = 0;
    if (!live[i]) continue;
    if (!ty__plain(&probe, y)) continue; /* a global or builtin read: the typing decides */
    ty_use u = {y->name, false, false};
    ty__use_visit(loop, &u);
    bool fl = ty__ev_has(ev, y->name); /* guesses from how the whole fn uses the name */
    y->ty = u.list ? (u.boolean ? 'B' : fl ? 'F' : 'I') : fl ? 'f' : 'i';
    flag[i] = 'L';
  }
  bool ok = false;
  for (int round = 0; round < 16; round++) {
    ty_ctx t = {m, f, false, false, false, true, module, NULL, NULL};
    ty__stmt(&t, loop, 0);
    if (t.bad) break;
    if (!t.changed) {
      ok = !t.unknown;
      break;
    }
  }
  /* 'L' read only, 'W' read first and written (boxed back; lists copied
   * back), 'S' written first (boxed back when the loop set it) */
  int nout = 0;
  py_nodes one = {&loop, 1};
  for (int i = 0; ok && i < ns; i++) {
    rs_sym *y = &f->syms[i];
    if (!y->ty) continue;
    if (!ty__plain(&probe, y)) ok = false;
    if (!flag[i]) {
      flag[i] = 'S';
      nout += 2;
    } else if (ty__is_list(y->ty)) {
      if (rs_stores_items(one, y->name)) flag[i] = 'W';
    } else if (ty__binds_name(one, y->name)) {
      flag[i] = 'W';
      nout++;
    }
  }
  if (ok && nout > 12) ok = false; /* the closure returns a tuple (Default up to 12) */
  if (ok) rg__add(a, f, loop, flag);
  for (int i = 0; i < ns; i++) f->syms[i].ty = 0;
  return ok;
}

static void rg__find(p_arena *a, rs_module *m, rs_scope *f, py_nodes b, ty_ev *ev, bool module, int depth) {
  if (depth > 40) return;
  for (int i = 0; i < b.n; i++) {
    py_node *n = b.v[i];
    switch (n->kind) {
    case PY_FOR: case PY_WHILE:
      if (rg__try(a, m, f, n, ev, module)) break;
      rg__find(a, m, f, n->kind == PY_FOR ? n->u.for_.body : n->u.while_.body, ev, module, depth + 1);
      rg__find(a, m, f, n->kind == PY_FOR ? n->u.for_.orelse : n->u.while_.orelse, ev, module, depth + 1);
      break;
    case PY_IF:
      rg__find(a, m, f, n->u.if_.body, ev, module, depth + 1);
      rg__find(a, m, f, n->u.if_.orelse, ev, module, depth + 1);
      break;
    case PY_WITH:
      rg__find(a, m, f, n->u.with.body, ev, module, depth + 1);
      break;
    case PY_TRY:
      rg__find(a, m, f, n->u.try_.body, ev, module, depth + 1);
      for (int k = 0; k < n->u.try_.handlers.n; k++)
        rg__find(a, m, f, n->u.try_.handlers.v[k]->u.except_handler.body, ev, module, depth + 1);
      rg__find(a, m, f, n->u.try_.orelse, ev, module, depth + 1);
      rg__find(a, m, f, n->u.try_.finalbody, ev, module, depth + 1);
      break;
    default:
      break;
    }
  }
}

/* Regions for a plain function without a twin (not a generator, whose
 * locals live across suspensions, nor a fn with cells). */
static void rg__function(p_arena *a, rs_module *m, rs_scope *f) {
  if (f->typed || f->kind != RS_SC_FUNC || f->is_generator) return;
  ty_ev ev;
  ty__evidence(a, m, f, f->node->u.function_def.body, &ev);
  rg__find(a, m, f, f->node->u.function_def.body, &ev, false, 0);
}

/* Regions of module-level code (not inside defs or classes): the loop's
 * names are module globals, read from and written back to the module dict
 * (no other code runs while the region does). */
static void rg__module(p_arena *a, rs_module *m) {
  py_nodes b = m->scope->node->u.module.body;
  ty_ev ev;
  ty__evidence(a, m, m->scope, b, &ev);
  rg__find(a, m, m->scope, b, &ev, true, 0);
}

rs_region *rs_region_of(rs_scope *f, const py_node *stmt) {
  for (int i = 0; f && i < f->nregions; i++)
    if (f->regions[i].loop == stmt) return &f->regions[i];
  return NULL;
}

const char *rs_ty_rust(char t) {
  switch (t) {
  case 'f': return "f64";
  case 'b': return "bool";
  case 'n': return "()";
  case 'I': return "Vec<i64>";
  case 'F': return "Vec<f64>";
  case 'B': return "Vec<bool>";
  default: return "i64";
  }
}

char rs_ty_of(rs_module *m, rs_scope *f, py_node *n) {
  ty_ctx t = {m, f, false, false, false, false, f == m->scope, NULL, NULL};
  return ty__expr(&t, n, 0);
}

/* ------------------------------------------------------------ program */

rs_module *rs_program_module(rs_program *p, const char *dotted) {
  for (int i = 0; i < p->nmods; i++)
    if (strcmp(p->mods[i].py->name, dotted) == 0) return &p->mods[i];
  return NULL;
}

/* Every scope of a module, parents before children, for the resolve pass. */
typedef P_VEC(rs_scope *) sc_list;

static void sc__list_add(p_arena *a, sc_list *l, rs_scope *s) { p_vec_push(a, l, s); }

int rs_program_build(p_arena *a, py_program *py, const an_program *an, rs_program **out, p_err *e) {
  if (!an) return p_err_set(e, P_EINTERNAL, "internal: the translator needs the Analysis results");
  rs_program *p = p_arena_alloc(a, sizeof *p);
  p->arena = a;
  p->py = py;
  p->nids = py->nnodes + 1;
  p->an = an;
  p->scope_of = p_arena_alloc(a, sizeof *p->scope_of * p->nids);
  p->nmods = py->nmodules;
  p->mods = p_arena_alloc(a, sizeof *p->mods * (size_t)(py->nmodules ? py->nmodules : 1));
  for (int i = 0; i < py->nmodules; i++) {
    rs_module *m = &p->mods[i];
    m->py = py->modules[i];
    /* Rust module name from the dotted name, unique within the crate */
    const char *rm = rs_mod_ident(a, m->py->name);
    const char *base = rm + 2;
    for (int k = 2;; k++) {
      bool clash = false;
      for (int j = 0; j < i; j++)
        if (strcmp(p->mods[j].rust_mod, rm) == 0) clash = true;
      if (!clash) break;
      rm = p_arena_printf(a, "m_%s_%d", base, k);
    }
    m->rust_mod = rm;
  }
  for (int i = 0; i < p->nmods; i++) {
    rs_module *m = &p->mods[i];
    sc_ctx c = {.a = a, .prog = p, .mod = m, .e = e};
    m->scope = sc__open(&c, RS_SC_MODULE, m->py->node, NULL, "<module>");
    int rc = sc__nodes(&c, m->scope, m->py->node->u.module.body);
    if (rc) return rc;
    /* every scope of this module in creation order (parents first) */
    sc_list l = {0};
    for (uint32_t id = 0; id < p->nids; id++) {
      rs_scope *s = p->scope_of[id];
      if (s && s->mod == m) sc__list_add(a, &l, s);
    }
    if ((rc = sc__fill(&c, m->scope))) return rc;
    for (int k = 0; k < l.n; k++)
      if (l.v[k] != m->scope && (rc = sc__fill(&c, l.v[k]))) return rc;
    /* a class provides the __class__ cell when a scope in it needs it free
     * (super() or __class__ in a method, or deeper) */
    for (int k = 0; k < l.n; k++) {
      rs_scope *s = l.v[k];
      if (s->parent && s->parent->kind == RS_SC_CLASS && an_lookup(s->an, "__class__") == AN_FREE)
        s->parent->class_cell = true;
    }
    /* a cell is a Rust Cell only where a function-like scope captures it */
    for (int k = 0; k < l.n; k++) {
      rs_scope *s = l.v[k];
      if (!sc__fnlike(s)) continue;
      for (int j = 0; j < s->nfrees; j++) sc__capture(s, s->frees[j]);
    }
    for (int k = 0; k < l.n; k++) {
      rs_scope *s = l.v[k];
      for (int j = 0; j < s->nsyms; j++) {
        rs_sym *y = &s->syms[j];
        if (y->bind == RS_BIND_LOCAL && (y->flags & RS_F_CAPTURED)) y->bind = RS_BIND_CELL;
      }
    }
    /* Rust fn names, unique within the module */
    for (int k = 0; k < m->nfuncs; k++) {
      rs_scope *f = m->funcs[k];
      const char *q = f->qualname;
      if (f->kind == RS_SC_LAMBDA || f->kind == RS_SC_GENEXP)
        q = p_arena_printf(a, "%s_L%d", q, f->node->line);
      const char *base = rs__fn_name(a, q);
      const char *nm = base;
      for (int n = 2;; n++) {
        bool clash = strcmp(nm, "body") == 0;
        for (int j = 0; j < k && !clash; j++)
          if (strcmp(m->funcs[j]->rust_name, nm) == 0) clash = true;
        if (!clash) break;
        nm = p_arena_printf(a, "%s_%d", base, n);
      }
      f->rust_name = nm;
    }
    for (int k = 0; k < m->nfuncs; k++)
      if (m->funcs[k]->kind == RS_SC_FUNC) sc__maybe_unbound(m->funcs[k]);
    ty__decide(a, an, m);
    for (int k = 0; k < m->nfuncs; k++) rg__function(a, m, m->funcs[k]);
    if (!m->py->doctest_host) rg__module(a, m); /* an example's names live in a globals copy */
  }
  *out = p;
  return 0;
}
