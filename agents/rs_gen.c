/*
 * rs_gen.c - Rust code generation: Python statements and expressions into
 * Rust source that calls the portalis_rt runtime (docs/runtime-api.md).
 *
 * The shape (see transpile.h): one Rust module per Python module with
 * `pub fn body(__g: &Value)`, one Rust fn per Python function. Every Python
 * expression becomes one Rust expression of type `Value` (owned), with `?`
 * propagating exceptions; conditions become Rust `bool` expressions so that
 * `if a < b:` does not build a bool object. Names follow rs_scope.c: plain
 * `let mut` locals, `Cell`s for captured ones, `rt::mod_get/mod_set` for
 * globals, `rx::ns_get/ns_set` in class bodies. Internal temporaries start
 * with two underscores (Python names that do are renamed by rs_ident).
 *
 * Control flow is the interesting part. Python loops are labeled Rust
 * loops ('l3: while ...) so that `break` inside a for-else's else clause
 * still reaches the right loop. `try`, `with` and everything else that must
 * catch an exception run their body in an immediately-called closure
 * (`rx::try_sync(|| { ... })`, or `rx::try_async(async { ... }).await`
 * inside generators) that returns `PyResult<Flow>`: `?` keeps working
 * inside, and `return`/`break`/`continue` that leave the body become
 * `Flow::Return(v)`/`Flow::Break`/`Flow::Continue`, re-dispatched after the
 * handlers and the finally clause have run. (Rust 1.63 has no labeled
 * blocks; the closure is what the optimizer inlines anyway.)
 *
 * Generators are `async move` blocks driven by the runtime; `yield` is
 * `__co.yield_(v).await?`. An `async def` is the same block made with
 * `rt::make_coroutine`: `await x` is `rt::await_(&__co, x).await?` (the
 * runtime delegates to the awaited coroutine through the same slot, as
 * CPython's `yield from`), an async generator's own `yield` is
 * `__co.ayield(v)`, `async for`/`async with` and async comprehensions call
 * rt::aiter/anext/aenter/aexit. Comprehensions are inline blocks with their own
 * variables shadowing the outer ones (exactly Python 3's scoping); generator
 * expressions are generator fns of their own.
 *
 * `match` is a labeled loop that the first matching case leaves; patterns
 * compile to Rust bool expressions over rx:: helpers (PEP 634 semantics,
 * captures stored as the match proceeds). `for x in range(...)` with the
 * builtin range counts in i64 (rx::RangeIter) instead of an iterator
 * object. Locals that may be read before assignment (rs_scope.c) start as
 * rx::unbound() and are read through rx::local (UnboundLocalError).
 *
 * Every statement is preceded by a `// file.py:LINE` comment (Build maps
 * rustc errors back through it) and, outside generators, `__fr.line(LINE)`
 * for tracebacks.
 *
 * Recursion follows the AST (bounded by ingest); gn->depth guards it anyway.
 * All strings are allocated in the program's arena.
 */
#include "transpile.h"
#include "analysis.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GN_MAX_DEPTH 1500
#define GN_MAX_NEST 256

typedef struct gn {
  rs_program *p;
  rs_module *m;
  p_arena *a;
  p_err *e;
  int err;
  p_buf *o;
  int ind;
  rs_scope *sc;    /* scope for name resolution (class/comp when inside one) */
  rs_scope *fn;    /* function-like scope of the Rust fn being written; NULL = module body */
  bool gen;        /* inside a generator's async block */
  bool coro;       /* ... of an async def (await, async for/with allowed) */
  bool agen;       /* ... of an async def that yields (an async generator) */
  int closure;     /* try closures open in this Rust fn */
  const char *loops[GN_MAX_NEST]; /* labels of Python loops since the innermost closure */
  int nloops;
  const char *handlers[GN_MAX_NEST]; /* error variables of enclosing except clauses */
  int nhandlers;
  int tmp;
  int depth;
  bool typed;      /* writing the unboxed twin */
  const py_node *region_done; /* the region loop whose boxed fallback is being written */
  bool ticks;      /* typed loops count their iterations (rx::tick): lists were copied in */
  struct gn_consts *k; /* the module's cached string constants (shared by every copy of g) */
} gn;

/* String literals read inside functions and loops are made once: each
 * distinct text of the module gets a slot K_n (an
 * rx::KStr static, see rx::Static) that holds the str object after its first use. */
typedef struct gn_consts {
  const char **text;
  size_t *len;
  int n, cap;
  int nacache; /* attribute reads with an inline cache A_n (rx::ga) */
  int nmcache; /* method calls with an inline cache M_n (rx::cm) */
  int nscache; /* attribute stores with an inline cache S_n (rx::sa) */
} gn_consts;

/* ------------------------------------------------------------ helpers */

/* gn_fmt(g, fmt, ...): a formatted string in the translation's arena (for
 * Rust expressions and statements built up before they are emitted). */
#define gn_fmt(g, ...) p_arena_printf((g)->a, __VA_ARGS__)

/* gn_emit(g, fmt, ...): one line of Rust at the current indentation. */
static void gn_emit(gn *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gn_emit(gn *g, const char *fmt, ...) {
  for (int i = 0; i < g->ind; i++) p_buf_puts(g->o, "    ");
  va_list ap;
  va_start(ap, fmt);
  p_buf_vprintf(g->o, fmt, ap);
  va_end(ap);
  p_buf_putc(g->o, '\n');
}

static int gn__fail(gn *g, py_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int gn__fail(gn *g, py_node *n, const char *fmt, ...) {
  if (g->err) return g->err;
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  g->err = p_err_at(g->e, P_EUNSUPPORTED, n ? n->file : "", n ? n->line : 0, n ? n->col : 0, "%s", msg);
  return g->err;
}

static int gn__id(gn *g) { return ++g->tmp; }

/* A Rust string literal for UTF-8 text s of length n. */
static char *gn__strlit(gn *g, const char *s, size_t n) {
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_putc(&b, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': p_buf_puts(&b, "\\\""); break;
    case '\\': p_buf_puts(&b, "\\\\"); break;
    case '\n': p_buf_puts(&b, "\\n"); break;
    case '\r': p_buf_puts(&b, "\\r"); break;
    case '\t': p_buf_puts(&b, "\\t"); break;
    case 0: p_buf_puts(&b, "\\0"); break;
    default:
      if (c < 0x20 || c == 0x7f) p_buf_printf(&b, "\\u{%x}", c);
      else p_buf_putc(&b, (char)c);
    }
  }
  p_buf_putc(&b, '"');
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

static char *gn__cstr(gn *g, const char *s) { return gn__strlit(g, s, strlen(s)); }

static char *gn__byteslit(gn *g, const char *s, size_t n) {
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_puts(&b, "b\"");
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') p_buf_printf(&b, "\\%c", c);
    else if (c >= 0x20 && c < 0x7f) p_buf_putc(&b, (char)c);
    else p_buf_printf(&b, "\\x%02x", c);
  }
  p_buf_putc(&b, '"');
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

/* Shortest decimal text that reads back as d, as a Rust f64 literal. */
static char *gn__float(gn *g, double d) {
  if (isnan(d)) return "f64::NAN";
  if (isinf(d)) return d > 0 ? "f64::INFINITY" : "f64::NEG_INFINITY";
  char buf[64];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (strtod(buf, NULL) == d) break;
  }
  if (!strpbrk(buf, ".e")) strcat(buf, ".0");
  else if (strchr(buf, 'e') && !strchr(buf, '.')) {
    /* "1e+16" is a valid Rust literal only with a digit before e: it has one */
  }
  return gn_fmt(g, "%sf64", buf);
}

/* ------------------------------------------------------------ names */

/* CPython's private name mangling: inside a class body (and the functions
 * nested in it), `__x` (not ending in two underscores) means `_Class__x`,
 * for attribute names and for the names stored in dicts. */
static const char *gn__mangle(gn *g, const char *name) {
  if (name[0] != '_' || name[1] != '_') return name;
  size_t n = strlen(name);
  if (n >= 4 && name[n - 1] == '_' && name[n - 2] == '_') return name;
  if (strchr(name, '.')) return name;
  for (rs_scope *s = g->sc; s; s = s->parent) {
    if (s->kind != RS_SC_CLASS) continue;
    const char *cn = s->name;
    while (*cn == '_') cn++;
    if (!*cn) return name;
    return gn_fmt(g, "_%s%s", cn, name);
  }
  return name;
}

/* An attribute name as a Rust string literal, mangled. */
static char *gn__attr(gn *g, const char *attr) { return gn__cstr(g, gn__mangle(g, attr)); }

/* Builtins the runtime certainly provides; other unbound names go through
 * rt::mod_get, which falls back to the builtins itself. */
static const char *const gn__builtins[] = {
    "print", "len", "range", "int", "str", "float", "bool", "list", "dict", "set", "tuple",
    "sorted", "sum", "min", "max", "abs", "isinstance", "enumerate", "zip", "map", "filter",
    "reversed", "repr", "round", "ord", "chr", "any", "all", "iter", "next", "divmod", "hash",
    "type", "super", "object", "getattr", "setattr", "hasattr", "input", NULL};

static bool gn__module_binds(gn *g, const char *name) {
  rs_module *m = g->m;
  rs_sym *y = rs_scope_sym(m->scope, name);
  if (y && (y->flags & RS_F_BOUND)) return true;
  for (int i = 0; i < m->nfuncs; i++) {
    rs_sym *z = rs_scope_sym(m->funcs[i], name);
    if (z && (z->flags & RS_F_GLOBAL) && (z->flags & RS_F_BOUND)) return true;
  }
  /* star imports and class bodies declaring global: be conservative */
  for (uint32_t id = 0; id < g->p->nids; id++) {
    rs_scope *s = g->p->scope_of[id];
    if (s && s->mod == m && s->kind == RS_SC_CLASS) {
      rs_sym *z = rs_scope_sym(s, name);
      if (z && (z->flags & RS_F_GLOBAL)) return true;
    }
  }
  return false;
}

static bool gn__star_import(py_nodes body) {
  for (int i = 0; i < body.n; i++) {
    py_node *s = body.v[i];
    if (s->kind == PY_IMPORT_FROM && s->u.import_from.names.n == 1 &&
        strcmp(s->u.import_from.names.v[0]->u.alias.name, "*") == 0)
      return true;
  }
  return false;
}

static bool gn__is_builtin(gn *g, const char *name) {
  /* a doctest example's globals are a copy of its module's, and earlier
   * examples may have bound any name there */
  if (g->m->py->doctest_host) return false;
  bool known = false;
  for (int i = 0; gn__builtins[i]; i++)
    if (strcmp(gn__builtins[i], name) == 0) known = true;
  if (!known) return false;
  if (gn__module_binds(g, name)) return false;
  if (gn__star_import(g->m->py->node->u.module.body)) return false;
  return true;
}

/* Module names whose every binding is a statement of the module's own code
 * (Analysis's flow-typed module names: no `global` writes from functions,
 * no reflection, no star import, the module never imported as a whole, never
 * deleted), however many statements bind them (assignments, loops, with,
 * imports, defs). Each has a slot (`G_name`, an rx::GSlot static) that every binding
 * statement fills beside the module dict, so reads skip the dict lookup;
 * an empty slot (read before the binding ran) falls back to the dict and
 * its NameError. Returns the slot's Rust name or NULL. */
static const char *gn__gslot(gn *g, const char *name) {
  const an_scope *ms = g->m->scope->an;
  if (!ms || g->m->py->doctest_host) return NULL;
  an_symbol *y = an_symbol_of(ms, name);
  if (!y || y->binding != AN_GLOBAL_IMPLICIT || y->flow_idx < 0 || (y->flags & AN_SYM_DELETED)) return NULL;
  /* the entry script imported under its own file name runs twice */
  const an_program *ap = g->p->an;
  if (g->m->py->is_entry || g->m->py == g->p->py->entry)
    for (int i = 0; i < ap->nmodules; i++)
      for (int j = 0; j < ap->modules[i].nimports; j++)
        if (!strcmp(ap->modules[i].imports[j].module, g->m->py->name)) return NULL;
  for (const char *c = name; *c; c++)
    if ((unsigned char)*c >= 0x80) return NULL;
  return gn_fmt(g, "G_%s", name);
}

typedef struct gn_ref {
  rs_bind bind;
  const char *rname; /* Rust variable (LOCAL/CELL/FREE) */
  bool check;        /* LOCAL that may be unbound: reads go through rx::local */
} gn_ref;

/* Where name lives as seen from the current scope. */
static gn_ref gn__resolve(gn *g, const char *name) {
  gn_ref r = {RS_BIND_GLOBAL, NULL, false};
  rs_scope *s = g->sc;
  bool skip_class = false;
  while (s) {
    if (s->kind == RS_SC_MODULE) return r;
    if (s->kind == RS_SC_CLASS && skip_class) {
      s = s->parent;
      continue;
    }
    rs_sym *y = rs_scope_sym(s, name);
    if (s->kind == RS_SC_CLASS && strcmp(name, "__class__") == 0 && s->class_cell) {
      r.bind = RS_BIND_CELL;
      r.rname = rs_ident(g->a, "__class__");
      return r;
    }
    if (y && y->bind != RS_BIND_OUTER) {
      r.bind = y->bind;
      r.rname = y->rname;
      r.check = y->bind == RS_BIND_LOCAL && (y->flags & RS_F_MAYBE_UNBOUND);
      return r;
    }
    if (s->kind == RS_SC_FUNC || s->kind == RS_SC_LAMBDA || s->kind == RS_SC_GENEXP) return r;
    s = s->parent;
    skip_class = true;
  }
  return r;
}

static char *gn__load_name(gn *g, const char *name) {
  gn_ref r = gn__resolve(g, name);
  switch (r.bind) {
  case RS_BIND_LOCAL:
    if (r.check) return gn_fmt(g, "rx::local(&%s, %s)?.clone()", r.rname, gn__cstr(g, name));
    return gn_fmt(g, "%s.clone()", r.rname);
  case RS_BIND_CELL:
  case RS_BIND_FREE: return gn_fmt(g, "%s.get()?", r.rname);
  case RS_BIND_CLASSNS: return gn_fmt(g, "rx::ns_get(&__ns, __g, %s)?", gn__cstr(g, gn__mangle(g, name)));
  default:
    if (gn__is_builtin(g, name)) return gn_fmt(g, "rt::builtin(%s)", gn__cstr(g, name));
    if (!strcmp(gn__mangle(g, name), name)) {
      const char *slot = gn__gslot(g, name);
      if (slot) return gn_fmt(g, "rx::gget(&%s, __g, %s)?", slot, gn__cstr(g, name));
    }
    return gn_fmt(g, "rt::mod_get(__g, %s)?", gn__cstr(g, gn__mangle(g, name)));
  }
}

/* Statement text storing the owned Value expression v into name. */
static char *gn__store_name(gn *g, const char *name, const char *v) {
  gn_ref r = gn__resolve(g, name);
  switch (r.bind) {
  case RS_BIND_LOCAL: return gn_fmt(g, "%s = %s;", r.rname, v);
  case RS_BIND_CELL:
  case RS_BIND_FREE: return gn_fmt(g, "%s.set(%s);", r.rname, v);
  case RS_BIND_CLASSNS: {
    int id = gn__id(g);
    return gn_fmt(g, "{ let __n%d = %s; rx::ns_set(&mut __ns, %s, __n%d); }", id, v, gn__cstr(g, gn__mangle(g, name)), id);
  }
  default:
    if (!strcmp(gn__mangle(g, name), name)) {
      const char *slot = gn__gslot(g, name);
      if (slot) return gn_fmt(g, "rx::gset(&%s, __g, %s, %s);", slot, gn__cstr(g, name), v);
    }
    return gn_fmt(g, "rt::mod_set(__g, %s, %s);", gn__cstr(g, gn__mangle(g, name)), v);
  }
}

/* ------------------------------------------------------------ expressions */

static char *gn__expr(gn *g, py_node *n);
static char *gn__cond(gn *g, py_node *n);
static char *gn__store(gn *g, py_node *t, const char *v);

/* A `&Value` for n: locals by reference, everything else as a temporary. */
static char *gn__ref(gn *g, py_node *n) {
  if (n->kind == PY_NAME) {
    gn_ref r = gn__resolve(g, n->u.name.id);
    if (r.bind == RS_BIND_LOCAL && r.check) return gn_fmt(g, "rx::local(&%s, %s)?", r.rname, gn__cstr(g, n->u.name.id));
    if (r.bind == RS_BIND_LOCAL) return gn_fmt(g, "&%s", r.rname);
  }
  return gn_fmt(g, "&%s", gn__expr(g, n));
}

static const char *gn__binop_fn(py_op op, bool inplace) {
  switch (op) {
  case PY_OP_ADD: return inplace ? "iadd" : "add";
  case PY_OP_SUB: return inplace ? "isub" : "sub";
  case PY_OP_MULT: return inplace ? "imul" : "mul";
  case PY_OP_MATMULT: return inplace ? "imatmul" : "matmul";
  case PY_OP_DIV: return inplace ? "itruediv" : "truediv";
  case PY_OP_MOD: return inplace ? "imod" : "modulo";
  case PY_OP_POW: return inplace ? "ipow" : "pow";
  case PY_OP_LSHIFT: return inplace ? "ilshift" : "lshift";
  case PY_OP_RSHIFT: return inplace ? "irshift" : "rshift";
  case PY_OP_BITOR: return inplace ? "ior" : "bitor";
  case PY_OP_BITXOR: return inplace ? "ixor" : "bitxor";
  case PY_OP_BITAND: return inplace ? "iand" : "bitand";
  case PY_OP_FLOORDIV: return inplace ? "ifloordiv" : "floordiv";
  default: return NULL;
  }
}

/* One comparison a OP b of two `&Value`s, as a Value or as a bool. */
static char *gn__cmp1(gn *g, py_op op, const char *a, const char *b, bool as_bool) {
  const char *f = NULL;
  switch (op) {
  case PY_OP_EQ: f = "eq"; break;
  case PY_OP_NOTEQ: f = "ne"; break;
  case PY_OP_LT: f = "lt"; break;
  case PY_OP_LTE: f = "le"; break;
  case PY_OP_GT: f = "gt"; break;
  case PY_OP_GTE: f = "ge"; break;
  case PY_OP_IS: return as_bool ? gn_fmt(g, "rt::is(%s, %s)", a, b) : gn_fmt(g, "Value::bool(rt::is(%s, %s))", a, b);
  case PY_OP_ISNOT: return as_bool ? gn_fmt(g, "!rt::is(%s, %s)", a, b) : gn_fmt(g, "Value::bool(!rt::is(%s, %s))", a, b);
  case PY_OP_IN: return as_bool ? gn_fmt(g, "rx::in_(%s, %s)?", a, b) : gn_fmt(g, "Value::bool(rx::in_(%s, %s)?)", a, b);
  case PY_OP_NOTIN: return as_bool ? gn_fmt(g, "!rx::in_(%s, %s)?", a, b) : gn_fmt(g, "Value::bool(!rx::in_(%s, %s)?)", a, b);
  default: return NULL;
  }
  return as_bool ? gn_fmt(g, "rx::%s_b(%s, %s)?", f, a, b) : gn_fmt(g, "rt::%s(%s, %s)?", f, a, b);
}

/* a < b < c: each operand evaluated once, left to right, stopping early. */
static char *gn__compare(gn *g, py_node *n, bool as_bool) {
  py_nodes cs = n->u.compare.comparators;
  if (cs.n == 1) {
    py_op op = n->u.compare.ops[0];
    char *l = gn__ref(g, n->u.compare.left);
    char *r = gn__ref(g, cs.v[0]);
    return gn__cmp1(g, op, l, r, as_bool);
  }
  int id = gn__id(g);
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_printf(&b, "{ let __c%d_0 = %s; ", id, gn__expr(g, n->u.compare.left));
  int close = 0;
  for (int i = 0; i < cs.n; i++) {
    p_buf_printf(&b, "let __c%d_%d = %s; ", id, i + 1, gn__expr(g, cs.v[i]));
    char *l = gn_fmt(g, "&__c%d_%d", id, i), *r = gn_fmt(g, "&__c%d_%d", id, i + 1);
    char *c = gn__cmp1(g, n->u.compare.ops[i], l, r, as_bool || i < cs.n - 1);
    if (i < cs.n - 1) {
      if (as_bool) {
        p_buf_printf(&b, "%s && { ", c);
      } else {
        p_buf_printf(&b, "if !%s { Value::bool(false) } else { ", c);
      }
      close++;
    } else {
      p_buf_puts(&b, c);
    }
  }
  for (int i = 0; i < close; i++) p_buf_puts(&b, " }");
  p_buf_puts(&b, " }");
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

/* Rust bool for the truth of n. */
static char *gn__cond(gn *g, py_node *n) {
  switch (n->kind) {
  case PY_BOOL: return n->u.bool_.value ? "true" : "false";
  case PY_COMPARE: return gn__compare(g, n, true);
  case PY_UNARY_OP:
    if (n->u.unary_op.op == PY_OP_NOT) return gn_fmt(g, "!(%s)", gn__cond(g, n->u.unary_op.operand));
    break;
  case PY_BOOL_OP: {
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_putc(&b, '(');
    for (int i = 0; i < n->u.bool_op.values.n; i++) {
      if (i) p_buf_puts(&b, n->u.bool_op.op == PY_OP_AND ? " && " : " || ");
      p_buf_printf(&b, "(%s)", gn__cond(g, n->u.bool_op.values.v[i]));
    }
    p_buf_putc(&b, ')');
    char *r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    return r;
  }
  default: break;
  }
  return gn_fmt(g, "rt::truthy(%s)?", gn__ref(g, n));
}

static char *gn__boolop(gn *g, py_node *n, int from) {
  py_nodes vs = n->u.bool_op.values;
  if (from == vs.n - 1) return gn__expr(g, vs.v[from]);
  int id = gn__id(g);
  char *first = gn__expr(g, vs.v[from]);
  char *rest = gn__boolop(g, n, from + 1);
  if (n->u.bool_op.op == PY_OP_AND)
    return gn_fmt(g, "{ let __t%d = %s; if !rt::truthy(&__t%d)? { __t%d } else { %s } }", id, first, id, id, rest);
  return gn_fmt(g, "{ let __t%d = %s; if rt::truthy(&__t%d)? { __t%d } else { %s } }", id, first, id, id, rest);
}

/* vec![...] of positional arguments / display elements, with *x spliced. */
/* ---------------------------------------------------- constant tables */

/* A literal list, tuple, set or dict of many plain constants (html.entities
 * holds a 2,231-entry dict of str) written element by element is one long
 * vec! of constructor calls, and rustc spends about a minute on such a
 * module. At GN_TABLE_MIN elements and more, when every element (every key,
 * every value) of a column is a constant of one kind, the literal becomes a
 * static array of plain Rust data and one loop that boxes it: the same
 * values in the same order, compiled as data. */
#define GN_TABLE_MIN 32

/* The table column kind of a constant: 's' str, 'i' int that fits i64,
 * 'f' float, 'b' bool; 0 for anything else. */
static char gn__const_kind(const py_node *n) {
  switch (n->kind) {
  case PY_STR: return 's';
  case PY_INT: return n->u.int_.fits_i64 ? 'i' : 0;
  case PY_FLOAT: return 'f';
  case PY_BOOL: return 'b';
  case PY_UNARY_OP: {
    const py_node *o = n->u.unary_op.operand;
    if (n->u.unary_op.op != PY_OP_USUB) return 0;
    if (o->kind == PY_INT && o->u.int_.fits_i64 && o->u.int_.i64 > 0) return 'i';
    return o->kind == PY_FLOAT ? 'f' : 0;
  }
  default: return 0;
  }
}

/* The column kind every node of v shares (stride apart from off), or 0. */
static char gn__column_kind(py_node **v, int n, int off, int stride) {
  char k = 0;
  for (int i = off; i < n; i += stride) {
    char c = v[i] ? gn__const_kind(v[i]) : 0;
    if (!c || (k && c != k)) return 0;
    k = c;
  }
  return k;
}

static const char *gn__column_rust(char k) {
  return k == 's' ? "&str" : k == 'i' ? "i64" : k == 'f' ? "f64" : "bool";
}

static const char *gn__column_box(char k) {
  return k == 's' ? "Value::str" : k == 'i' ? "Value::int" : k == 'f' ? "Value::float" : "Value::bool";
}

/* One constant as plain Rust data of its column kind. */
static char *gn__const_data(gn *g, const py_node *n) {
  switch (n->kind) {
  case PY_STR: return gn__strlit(g, n->u.str.s, n->u.str.len);
  case PY_INT: return gn_fmt(g, "%lld", (long long)n->u.int_.i64);
  case PY_FLOAT: return gn__float(g, n->u.float_.value);
  case PY_BOOL: return n->u.bool_.value ? "true" : "false";
  default: {
    const py_node *o = n->u.unary_op.operand;
    if (o->kind == PY_INT) return gn_fmt(g, "-%lld", (long long)o->u.int_.i64);
    return gn_fmt(g, "-%s", gn__float(g, o->u.float_.value));
  }
  }
}

/* A Vec<Value> (or, pairs, Vec<(Value, Value)>) expression built from a
 * static table, or NULL when the elements are not such constants. For
 * pairs v holds key, value, key, value... (n nodes). */
static char *gn__table(gn *g, py_node **v, int n, bool pairs) {
  if (g->typed || n < (pairs ? 2 * GN_TABLE_MIN : GN_TABLE_MIN)) return NULL;
  char k0 = gn__column_kind(v, n, 0, pairs ? 2 : 1);
  char k1 = pairs ? gn__column_kind(v, n, 1, 2) : 0;
  if (!k0 || (pairs && !k1)) return NULL;
  int id = gn__id(g);
  p_buf b;
  p_buf_init(&b, 0);
  if (pairs)
    p_buf_printf(&b, "{ static __T%d: [(%s, %s); %d] = [", id, gn__column_rust(k0), gn__column_rust(k1), n / 2);
  else
    p_buf_printf(&b, "{ static __T%d: [%s; %d] = [", id, gn__column_rust(k0), n);
  for (int i = 0; i < n; i += pairs ? 2 : 1) {
    if (pairs) p_buf_printf(&b, "%s(%s, %s)", i ? ", " : "", gn__const_data(g, v[i]), gn__const_data(g, v[i + 1]));
    else p_buf_printf(&b, "%s%s", i ? ", " : "", gn__const_data(g, v[i]));
  }
  if (pairs)
    p_buf_printf(&b, "]; __T%d.iter().map(|&(k, v)| (%s(k), %s(v))).collect::<Vec<(Value, Value)>>() }", id,
                 gn__column_box(k0), gn__column_box(k1));
  else
    p_buf_printf(&b, "]; __T%d.iter().map(|&x| %s(x)).collect::<Vec<Value>>() }", id, gn__column_box(k0));
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

static char *gn__values(gn *g, py_nodes elts) {
  bool star = false;
  for (int i = 0; i < elts.n; i++)
    if (elts.v[i]->kind == PY_STARRED) star = true;
  char *table = star ? NULL : gn__table(g, elts.v, elts.n, false);
  if (table) return table;
  p_buf b;
  p_buf_init(&b, 0);
  if (!star) {
    p_buf_puts(&b, "vec![");
    for (int i = 0; i < elts.n; i++) p_buf_printf(&b, "%s%s", i ? ", " : "", gn__expr(g, elts.v[i]));
    p_buf_puts(&b, "]");
  } else {
    int id = gn__id(g);
    p_buf_printf(&b, "{ let mut __v%d: Vec<Value> = Vec::new(); ", id);
    for (int i = 0; i < elts.n; i++) {
      py_node *x = elts.v[i];
      if (x->kind == PY_STARRED) p_buf_printf(&b, "rt::extend_args(&mut __v%d, %s)?; ", id, gn__ref(g, x->u.starred.value));
      else p_buf_printf(&b, "__v%d.push(%s); ", id, gn__expr(g, x));
    }
    p_buf_printf(&b, "__v%d }", id);
  }
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

static char *gn__kwargs(gn *g, py_nodes kws) {
  if (!kws.n) return "vec![]";
  bool dstar = false;
  for (int i = 0; i < kws.n; i++)
    if (!kws.v[i]->u.keyword.arg) dstar = true;
  p_buf b;
  p_buf_init(&b, 0);
  if (!dstar) {
    p_buf_puts(&b, "vec![");
    for (int i = 0; i < kws.n; i++)
      p_buf_printf(&b, "%s(%s.to_string(), %s)", i ? ", " : "", gn__cstr(g, kws.v[i]->u.keyword.arg),
                   gn__expr(g, kws.v[i]->u.keyword.value));
    p_buf_puts(&b, "]");
  } else {
    int id = gn__id(g);
    p_buf_printf(&b, "{ let mut __k%d: Kw = Vec::new(); ", id);
    for (int i = 0; i < kws.n; i++) {
      py_node *k = kws.v[i];
      if (!k->u.keyword.arg) p_buf_printf(&b, "rt::extend_kwargs(&mut __k%d, %s)?; ", id, gn__ref(g, k->u.keyword.value));
      else p_buf_printf(&b, "rx::push_kw(&mut __k%d, %s, %s)?; ", id, gn__cstr(g, k->u.keyword.arg), gn__expr(g, k->u.keyword.value));
    }
    p_buf_printf(&b, "__k%d }", id);
  }
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

/* The Rust expression for the first parameter of the enclosing method
 * (zero-argument super()). */
static char *gn__first_param(gn *g, py_node *at) {
  rs_scope *f = g->fn;
  if (!f || f->kind != RS_SC_FUNC || !f->node->u.function_def.args->all.n) {
    gn__fail(g, at, "super() without arguments outside a method");
    return "Value::none()";
  }
  const char *nm = f->node->u.function_def.args->all.v[0]->u.arg.name;
  rs_scope *save = g->sc;
  g->sc = f;
  char *r = gn__load_name(g, nm);
  g->sc = save;
  return r;
}

static char *gn__super(gn *g, py_node *at) {
  rs_scope *save = g->sc;
  if (g->fn) g->sc = g->fn;
  gn_ref r = gn__resolve(g, "__class__");
  g->sc = save;
  if (r.bind != RS_BIND_FREE && r.bind != RS_BIND_CELL) {
    gn__fail(g, at, "super() without arguments outside a method");
    return "Value::none()";
  }
  return gn_fmt(g, "rt::super_(&%s.get()?, &%s)?", r.rname, gn__first_param(g, at));
}

/* The module-level def that a call `name(a, b, ...)` reaches for certain,
 * or NULL. Certain: the name has a slot (only the module's own statements
 * bind it), that binding is this one plain def (no decorator, not async)
 * and nothing else, and the call passes exactly its positional parameters
 * (no defaults, no *args or keyword-only parameters), so the function
 * object's run-time state (defaults, attributes) cannot change the call. */
static rs_scope *gn__direct_callee(gn *g, py_node *call) {
  py_node *f = call->u.call.func;
  if (f->kind != PY_NAME || call->u.call.keywords.n) return NULL;
  if (gn__resolve(g, f->u.name.id).bind != RS_BIND_GLOBAL) return NULL;
  if (strcmp(gn__mangle(g, f->u.name.id), f->u.name.id) || !gn__gslot(g, f->u.name.id)) return NULL;
  an_symbol *y = an_symbol_of(g->m->scope->an, f->u.name.id);
  if (!y || !(y->flags & AN_SYM_DEF) || (y->flags & (AN_SYM_IMPORTED | AN_SYM_WALRUS | AN_SYM_DELETED)) || y->nassign != 1 ||
      an_module_bindings(g->m->scope->an, f->u.name.id) != 1) /* a match capture or star import rebinds it too */
    return NULL;
  rs_scope *hit = NULL;
  for (int i = 0; i < g->m->nfuncs; i++) {
    rs_scope *h = g->m->funcs[i];
    if (h->kind != RS_SC_FUNC || h->parent != g->m->scope || strcmp(h->name, f->u.name.id)) continue;
    if (hit) return NULL; /* two defs of the name */
    hit = h;
  }
  if (!hit || hit->node->u.function_def.decorators.n || hit->node->u.function_def.is_async) return NULL;
  py_arguments *a = hit->node->u.function_def.args;
  for (int i = 0; a && i < a->all.n; i++)
    if (a->all.v[i]->u.arg.kind != PY_PARAM_NORMAL && a->all.v[i]->u.arg.kind != PY_PARAM_POSONLY) return NULL;
  if ((a ? a->all.n : 0) != call->u.call.args.n) return NULL;
  for (int i = 0; i < call->u.call.args.n; i++)
    if (call->u.call.args.v[i]->kind == PY_STARRED) return NULL;
  return hit;
}

/* `x.__dict__`: an instance's attributes live in the runtime's own map, and
 * x.__dict__ reads a copy of them as a dict. A write through that dict
 * (x.__dict__[k] = v, del x.__dict__[k], x.__dict__.update(...), ...) is
 * made on the copy inside rx::via_dict, which writes the result back.
 * vars(x), the builtin, is the same object as x.__dict__. */
static bool gn__dict_mutator(const char *m) {
  static const char *const ms[] = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__", "__ior__", NULL};
  for (int i = 0; ms[i]; i++)
    if (strcmp(m, ms[i]) == 0) return true;
  return false;
}

static py_node *gn__dict_owner(gn *g, py_node *n) {
  if (n->kind == PY_ATTRIBUTE && strcmp(n->u.attribute.attr, "__dict__") == 0) return n->u.attribute.value;
  if (n->kind == PY_CALL && n->u.call.func->kind == PY_NAME && strcmp(n->u.call.func->u.name.id, "vars") == 0 &&
      n->u.call.args.n == 1 && n->u.call.args.v[0]->kind != PY_STARRED && !n->u.call.keywords.n &&
      gn__resolve(g, "vars").bind == RS_BIND_GLOBAL && !gn__module_binds(g, "vars"))
    return n->u.call.args.v[0];
  return NULL;
}

static char *gn__call(gn *g, py_node *n) {
  py_node *f = n->u.call.func;
  /* zero-argument super() directly in a method's body; inside a
   * comprehension CPython's super() sees the comprehension's own frame (and
   * fails), so there it stays a call of the builtin */
  if (f->kind == PY_NAME && strcmp(f->u.name.id, "super") == 0 && n->u.call.args.n == 0 && !n->u.call.keywords.n &&
      gn__resolve(g, "super").bind == RS_BIND_GLOBAL && g->fn && g->fn->class_cell && g->sc == g->fn)
    return gn__super(g, n);
  /* globals() (and locals()/vars() at module level): a snapshot of the
   * module dict; the runtime has no live view of it */
  if (f->kind == PY_NAME && n->u.call.args.n == 0 && !n->u.call.keywords.n &&
      gn__resolve(g, f->u.name.id).bind == RS_BIND_GLOBAL && !gn__module_binds(g, f->u.name.id) &&
      (strcmp(f->u.name.id, "globals") == 0 ||
       (!g->fn && g->sc->kind == RS_SC_MODULE && (strcmp(f->u.name.id, "locals") == 0 || strcmp(f->u.name.id, "vars") == 0))))
    return "rt::getattr(__g, \"__dict__\")?";
  /* direct runtime entry points for the hottest builtins (when the name
   * really is the builtin: never bound in the module) */
  if (f->kind == PY_NAME && !n->u.call.keywords.n && gn__resolve(g, f->u.name.id).bind == RS_BIND_GLOBAL &&
      gn__is_builtin(g, f->u.name.id)) {
    bool star = false;
    for (int i = 0; i < n->u.call.args.n; i++)
      if (n->u.call.args.v[i]->kind == PY_STARRED) star = true;
    const char *id = f->u.name.id;
    if (!star && n->u.call.args.n == 1 && strcmp(id, "len") == 0)
      return gn_fmt(g, "Value::int(rt::len(%s)? as i64)", gn__ref(g, n->u.call.args.v[0]));
    if (!star && n->u.call.args.n == 1 && strcmp(id, "abs") == 0) return gn_fmt(g, "rt::abs(%s)?", gn__ref(g, n->u.call.args.v[0]));
    if (!star && strcmp(id, "print") == 0) {
      p_buf b;
      p_buf_init(&b, 0);
      for (int i = 0; i < n->u.call.args.n; i++) p_buf_printf(&b, "%s%s", i ? ", " : "", gn__expr(g, n->u.call.args.v[i]));
      char *r = gn_fmt(g, "{ rt::print(&[%s])?; Value::none() }", b.data ? b.data : "");
      p_buf_free(&b);
      return r;
    }
  }
  /* positional-only calls pass their arguments as a borrowed slice: plain
   * functions, methods and constructors then run without a Vec */
  bool plain = !n->u.call.keywords.n;
  for (int i = 0; i < n->u.call.args.n; i++)
    if (n->u.call.args.v[i]->kind == PY_STARRED) plain = false;
  if (f->kind == PY_ATTRIBUTE && gn__dict_mutator(f->u.attribute.attr) && gn__dict_owner(g, f->u.attribute.value)) {
    /* x.__dict__.update(...) and the other mutators: on the copy, written back */
    char *x = gn__ref(g, gn__dict_owner(g, f->u.attribute.value));
    char *args = gn__values(g, n->u.call.args);
    char *kw = gn__kwargs(g, n->u.call.keywords);
    return gn_fmt(g, "rx::via_dict(%s, |__d| rt::call_method(__d, %s, %s, %s))?", x, gn__attr(g, f->u.attribute.attr), args, kw);
  }
  if (plain) {
    p_buf b;
    p_buf_init(&b, 0);
    if (f->kind == PY_ATTRIBUTE) p_buf_printf(&b, "%s", gn__expr(g, f->u.attribute.value));
    for (int i = 0; i < n->u.call.args.n; i++)
      p_buf_printf(&b, "%s%s", (i || f->kind == PY_ATTRIBUTE) ? ", " : "", gn__expr(g, n->u.call.args.v[i]));
    char *r;
    rs_scope *direct = gn__direct_callee(g, n);
    if (direct)
      /* the name is checked bound first (NameError as CPython), then the
       * Rust fn is called as call_args would, without the function object */
      r = gn_fmt(g, "{ rx::gready(&%s, __g, %s)?; let _d = rt::enter_call()?; %s(__g, &[], &[%s])? }", gn__gslot(g, f->u.name.id),
            gn__cstr(g, f->u.name.id), direct->rust_name, b.data ? b.data : "");
    else if (f->kind == PY_ATTRIBUTE && g->k && (g->fn || g->nloops))
      /* inside functions and loops a method call gets an inline cache M_n
       * (rx::cm): the receiver's class last seen and the function found */
      r = gn_fmt(g, "rx::cm(&M_%d, %s, &[%s])?", g->k->nmcache++, gn__attr(g, f->u.attribute.attr), b.data ? b.data : "");
    else if (f->kind == PY_ATTRIBUTE)
      r = gn_fmt(g, "rt::call_method_args(%s, &[%s])?", gn__attr(g, f->u.attribute.attr), b.data ? b.data : "");
    else {
      char *fn = gn__ref(g, f);
      r = gn_fmt(g, "rt::call_args(%s, &[%s])?", fn, b.data ? b.data : "");
    }
    p_buf_free(&b);
    return r;
  }
  if (f->kind == PY_ATTRIBUTE) {
    char *obj = gn__ref(g, f->u.attribute.value);
    char *args = gn__values(g, n->u.call.args);
    char *kw = gn__kwargs(g, n->u.call.keywords);
    return gn_fmt(g, "rt::call_method(%s, %s, %s, %s)?", obj, gn__attr(g, f->u.attribute.attr), args, kw);
  }
  char *fn = gn__ref(g, f);
  char *args = gn__values(g, n->u.call.args);
  char *kw = gn__kwargs(g, n->u.call.keywords);
  return gn_fmt(g, "rt::call(%s, %s, %s)?", fn, args, kw);
}

static char *gn__str_const(gn *g, const char *text, size_t len) {
  gn_consts *k = g->k;
  if (!k || (!g->fn && !g->nloops)) return gn_fmt(g, "Value::str(%s)", gn__strlit(g, text, len));
  int i = 0;
  while (i < k->n && !(k->len[i] == len && memcmp(k->text[i], text, len) == 0)) i++;
  if (i == k->n) {
    if (k->n == k->cap) {
      int cap = k->cap ? 2 * k->cap : 16;
      const char **t = p_arena_alloc(g->a, cap * sizeof *t);
      size_t *l = p_arena_alloc(g->a, cap * sizeof *l);
      if (k->n) {
        memcpy(t, k->text, k->n * sizeof *t);
        memcpy(l, k->len, k->n * sizeof *l);
      }
      k->text = t;
      k->len = l;
      k->cap = cap;
    }
    k->text[k->n] = text;
    k->len[k->n] = len;
    k->n++;
  }
  return gn_fmt(g, "rx::kstr(&K_%d, %s)", i, gn__strlit(g, text, len));
}

/* An attribute read. Inside functions and loops, where a site runs many
 * times, it gets an inline cache A_n (rx::ga): the class last seen there
 * and where the name sat in the instance dict. Straight-line module code
 * runs once and calls getattr. */
static char *gn__getattr_of(gn *g, const char *obj, const char *name) {
  if (!g->k || (!g->fn && !g->nloops)) return gn_fmt(g, "rt::getattr(%s, %s)?", obj, name);
  return gn_fmt(g, "rx::ga(&A_%d, %s, %s)?", g->k->nacache++, obj, name);
}

static char *gn__getattr(gn *g, py_node *n) {
  return gn__getattr_of(g, gn__ref(g, n->u.attribute.value), gn__attr(g, n->u.attribute.attr));
}

/* An attribute store of the owned value v (an expression naming it), as a
 * statement without its semicolon; inside functions and loops with an
 * inline cache S_n (rx::sa): the class last stored to, known to take a
 * plain instance-dict store, and where the name sat. */
static char *gn__setattr(gn *g, const char *obj, const char *name, const char *v) {
  if (!g->k || (!g->fn && !g->nloops)) return gn_fmt(g, "rt::setattr(%s, %s, %s)?", obj, name, v);
  return gn_fmt(g, "rx::sa(&S_%d, %s, %s, %s)?", g->k->nscache++, obj, name, v);
}

static void gn__const_decls(gn_consts *k, p_buf *out) {
  if (k->n) {
    p_buf_puts(out, "// String constants, made once.\nportalis_rt::sites! {\n");
    for (int i = 0; i < k->n; i++) p_buf_printf(out, "    static K_%d: rx::KStr = rx::KStr::new();\n", i);
    p_buf_puts(out, "}\n");
  }
  if (k->nacache) {
    p_buf_puts(out, "// Inline caches of attribute reads: the class last seen and where the name was.\nportalis_rt::sites! {\n");
    for (int i = 0; i < k->nacache; i++) p_buf_printf(out, "    static A_%d: rx::ACache = rx::ACache::new();\n", i);
    p_buf_puts(out, "}\n");
  }
  if (k->nscache) {
    p_buf_puts(out, "// Inline caches of attribute stores: the class last seen and where the name was.\nportalis_rt::sites! {\n");
    for (int i = 0; i < k->nscache; i++) p_buf_printf(out, "    static S_%d: rx::SCache = rx::SCache::new();\n", i);
    p_buf_puts(out, "}\n");
  }
  if (k->nmcache) {
    p_buf_puts(out, "// Inline caches of method calls: the receiver's class last seen and its function.\nportalis_rt::sites! {\n");
    for (int i = 0; i < k->nmcache; i++) p_buf_printf(out, "    static M_%d: rx::MCache = rx::MCache::new();\n", i);
    p_buf_puts(out, "}\n");
  }
}

static char *gn__int(gn *g, py_node *n) {
  if (n->u.int_.fits_i64) return gn_fmt(g, "Value::int(%lld)", (long long)n->u.int_.i64);
  const char *t = n->u.int_.text;
  if (t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b')) {
    int base = t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2;
    return gn_fmt(g, "rx::int_radix(%s, %d)", gn__cstr(g, t + 2), base);
  }
  return gn_fmt(g, "rt::int_from_str(%s)", gn__cstr(g, t));
}

/* The text of a format spec (a JoinedStr) as a Rust &str expression. */
static char *gn__spec(gn *g, py_node *spec) {
  if (!spec) return "\"\"";
  bool constant = true;
  p_buf b;
  p_buf_init(&b, 0);
  for (int i = 0; i < spec->u.joined_str.values.n; i++) {
    py_node *p = spec->u.joined_str.values.v[i];
    if (p->kind == PY_STR) p_buf_append(&b, p->u.str.s, p->u.str.len);
    else constant = false;
  }
  char *r;
  if (constant) r = gn__strlit(g, b.data ? b.data : "", b.len);
  else r = gn_fmt(g, "&rt::to_str(%s)?", gn__ref(g, spec));
  p_buf_free(&b);
  return r;
}

static char *gn__joined(gn *g, py_node *n) {
  py_nodes vs = n->u.joined_str.values;
  if (vs.n == 0) return "Value::str(\"\")";
  if (vs.n == 1 && vs.v[0]->kind == PY_STR) return gn_fmt(g, "Value::str(%s)", gn__strlit(g, vs.v[0]->u.str.s, vs.v[0]->u.str.len));
  int id = gn__id(g);
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_printf(&b, "{ let mut __s%d = String::new(); ", id);
  for (int i = 0; i < vs.n; i++) {
    py_node *p = vs.v[i];
    if (p->kind == PY_STR) {
      p_buf_printf(&b, "__s%d.push_str(%s); ", id, gn__strlit(g, p->u.str.s, p->u.str.len));
    } else if (p->kind == PY_FORMATTED_VALUE) {
      int conv = p->u.formatted_value.conversion;
      char *v = gn__ref(g, p->u.formatted_value.value);
      char *spec = gn__spec(g, p->u.formatted_value.format_spec);
      if (conv < 0 && !p->u.formatted_value.format_spec)
        p_buf_printf(&b, "__s%d.push_str(&rt::to_str(%s)?); ", id, v);
      else
        p_buf_printf(&b, "__s%d.push_str(&rx::fmt(%s, '%c', %s)?); ", id, v, conv < 0 ? ' ' : (char)conv, spec);
    } else {
      p_buf_printf(&b, "__s%d.push_str(&rt::to_str(%s)?); ", id, gn__ref(g, p));
    }
  }
  p_buf_printf(&b, "Value::string(__s%d) }", id);
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

static char *gn__slice_key(gn *g, py_node *s) {
  if (s->kind == PY_SLICE) {
    const char *lo = s->u.slice.lower ? gn__expr(g, s->u.slice.lower) : "Value::none()";
    const char *hi = s->u.slice.upper ? gn__expr(g, s->u.slice.upper) : "Value::none()";
    const char *st = s->u.slice.step ? gn__expr(g, s->u.slice.step) : "Value::none()";
    return gn_fmt(g, "rt::slice(%s, %s, %s)", lo, hi, st);
  }
  if (s->kind == PY_TUPLE) {
    /* a[1:2, 3]: a tuple that may hold slices */
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_puts(&b, "rt::tuple(vec![");
    for (int i = 0; i < s->u.list_or_tuple.elts.n; i++)
      p_buf_printf(&b, "%s%s", i ? ", " : "", gn__slice_key(g, s->u.list_or_tuple.elts.v[i]));
    p_buf_puts(&b, "])");
    char *r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    return r;
  }
  return gn__expr(g, s);
}

static char *gn__slice_ref(gn *g, py_node *s) {
  if (s->kind == PY_SLICE || s->kind == PY_TUPLE) return gn_fmt(g, "&%s", gn__slice_key(g, s));
  return gn__ref(g, s);
}

static char *gn__cells_for(gn *g, rs_scope *f, py_node *at);
static char *gn__func_value(gn *g, rs_scope *f, py_node *at);
static char *gn__comp_loops(gn *g, py_node *n, const char *first_it, const char *action);

static char *gn__comp(gn *g, py_node *n) {
  rs_scope *cs = g->p->scope_of[n->id];
  if (!cs) {
    gn__fail(g, n, "comprehension without a scope");
    return "Value::none()";
  }
  py_nodes gens = n->u.comp.generators;
  for (int i = 0; i < gens.n; i++) {
    if (!gens.v[i]->u.comprehension.is_async) continue;
    if (n->kind == PY_GENERATOR_EXP) {
      gn__fail(g, gens.v[i], "asynchronous generator expressions are not supported yet");
      return "Value::none()";
    }
    if (!g->coro) {
      gn__fail(g, gens.v[i], "asynchronous comprehension outside of an asynchronous function");
      return "Value::none()";
    }
  }
  if (n->kind == PY_GENERATOR_EXP) {
    char *it = gn__ref(g, gens.v[0]->u.comprehension.iter);
    return gn_fmt(g, "rx::genexp(__g, %s, %s, rt::iter(%s)?)?", gn__cells_for(g, cs, n), cs->rust_name, it);
  }
  int id = gn__id(g);
  char *it0 = gn__ref(g, gens.v[0]->u.comprehension.iter);
  rs_scope *save = g->sc;
  g->sc = cs;
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_printf(&b, "{ let __it%d = rt::%s(%s)?; let mut __acc%d = Vec::new(); ", id, gens.v[0]->u.comprehension.is_async ? "aiter" : "iter", it0, id);
  for (int i = 0; i < cs->nsyms; i++) {
    rs_sym *y = &cs->syms[i];
    if (y->bind == RS_BIND_LOCAL) p_buf_printf(&b, "let mut %s = Value::none(); ", y->rname);
    else if (y->bind == RS_BIND_CELL) p_buf_printf(&b, "let %s = Cell::empty(); ", y->rname);
  }
  char *action;
  if (n->kind == PY_DICT_COMP)
    action = gn_fmt(g, "__acc%d.push((%s, %s));", id, gn__expr(g, n->u.comp.elt), gn__expr(g, n->u.comp.value));
  else
    action = gn_fmt(g, "__acc%d.push(%s);", id, gn__expr(g, n->u.comp.elt));
  p_buf_puts(&b, gn__comp_loops(g, n, gn_fmt(g, "__it%d", id), action));
  if (n->kind == PY_LIST_COMP) p_buf_printf(&b, " rt::list(__acc%d) }", id);
  else if (n->kind == PY_SET_COMP) p_buf_printf(&b, " rt::set(__acc%d)? }", id);
  else p_buf_printf(&b, " rt::dict(__acc%d)? }", id);
  g->sc = save;
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

/* The nested loops of a comprehension (scope already switched): the first
 * clause iterates first_it, action runs for every surviving combination.
 * Returns statements text. Note: elt/value were generated before this
 * (only their text is placed innermost), which is fine: generation has no
 * side effects beyond temporaries' numbering. */
static char *gn__comp_loops(gn *g, py_node *n, const char *first_it, const char *action) {
  py_nodes gens = n->u.comp.generators;
  p_buf b;
  p_buf_init(&b, 0);
  for (int i = 0; i < gens.n; i++) {
    py_node *c = gens.v[i];
    int id = gn__id(g);
    const char *it = first_it;
    bool as = c->u.comprehension.is_async;
    if (i > 0) {
      p_buf_printf(&b, "let __it%d = rt::%s(%s)?; ", id, as ? "aiter" : "iter", gn__ref(g, c->u.comprehension.iter));
      it = gn_fmt(g, "__it%d", id);
    }
    if (as) p_buf_printf(&b, "while let Some(__x%d) = rt::anext(&__co, &%s).await? { ", id, it);
    else p_buf_printf(&b, "while let Some(__x%d) = rt::next(&%s)? { ", id, it);
    p_buf_printf(&b, "%s ", gn__store(g, c->u.comprehension.target, gn_fmt(g, "__x%d", id)));
    for (int k = 0; k < c->u.comprehension.ifs.n; k++)
      p_buf_printf(&b, "if !(%s) { continue; } ", gn__cond(g, c->u.comprehension.ifs.v[k]));
  }
  p_buf_puts(&b, action);
  for (int i = 0; i < gens.n; i++) p_buf_puts(&b, " }");
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

static char *gn__dict(gn *g, py_node *n) {
  py_nodes ks = n->u.dict.keys, vs = n->u.dict.values;
  bool dstar = false;
  for (int i = 0; i < ks.n; i++)
    if (!ks.v[i]) dstar = true;
  if (!dstar && ks.n >= GN_TABLE_MIN) {
    py_node **kv = p_arena_alloc(g->a, sizeof(py_node *) * (size_t)(2 * ks.n));
    for (int i = 0; i < ks.n; i++) {
      kv[2 * i] = ks.v[i];
      kv[2 * i + 1] = vs.v[i];
    }
    char *table = gn__table(g, kv, 2 * ks.n, true);
    if (table) return gn_fmt(g, "rt::dict(%s)?", table);
  }
  p_buf b;
  p_buf_init(&b, 0);
  if (!dstar) {
    p_buf_puts(&b, "rt::dict(vec![");
    for (int i = 0; i < ks.n; i++) p_buf_printf(&b, "%s(%s, %s)", i ? ", " : "", gn__expr(g, ks.v[i]), gn__expr(g, vs.v[i]));
    p_buf_puts(&b, "])?");
  } else {
    int id = gn__id(g);
    p_buf_printf(&b, "{ let mut __p%d: Vec<(Value, Value)> = Vec::new(); ", id);
    for (int i = 0; i < ks.n; i++) {
      if (!ks.v[i]) p_buf_printf(&b, "rx::extend_pairs(&mut __p%d, %s)?; ", id, gn__ref(g, vs.v[i]));
      else p_buf_printf(&b, "__p%d.push((%s, %s)); ", id, gn__expr(g, ks.v[i]), gn__expr(g, vs.v[i]));
    }
    p_buf_printf(&b, "rt::dict(__p%d)? }", id);
  }
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

static char *gn__expr(gn *g, py_node *n) {
  if (g->err) return "Value::none()";
  if (++g->depth > GN_MAX_DEPTH) {
    gn__fail(g, n, "expression nests too deeply to translate");
    g->depth--;
    return "Value::none()";
  }
  char *r = NULL;
  switch (n->kind) {
  case PY_INT: r = gn__int(g, n); break;
  case PY_FLOAT: r = gn_fmt(g, "Value::float(%s)", gn__float(g, n->u.float_.value)); break;
  case PY_IMAG: r = gn_fmt(g, "rt::imag(%s)", gn__float(g, n->u.float_.value)); break;
  case PY_STR: r = gn__str_const(g, n->u.str.s, n->u.str.len); break;
  case PY_BYTES: r = gn_fmt(g, "rt::bytes(%s)", gn__byteslit(g, n->u.str.s, n->u.str.len)); break;
  case PY_BOOL: r = n->u.bool_.value ? "Value::bool(true)" : "Value::bool(false)"; break;
  case PY_NONE: r = "Value::none()"; break;
  case PY_ELLIPSIS: r = "Value::ellipsis()"; break;
  case PY_NAME: r = gn__load_name(g, n->u.name.id); break;
  case PY_BIN_OP: {
    const char *f = gn__binop_fn(n->u.bin_op.op, false);
    char *a = gn__ref(g, n->u.bin_op.left);
    char *b = gn__ref(g, n->u.bin_op.right);
    r = gn_fmt(g, "rt::%s(%s, %s)?", f, a, b);
    break;
  }
  case PY_UNARY_OP: {
    py_node *o = n->u.unary_op.operand;
    switch (n->u.unary_op.op) {
    case PY_OP_NOT: r = gn_fmt(g, "Value::bool(!(%s))", gn__cond(g, o)); break;
    case PY_OP_USUB:
      if (o->kind == PY_INT && o->u.int_.fits_i64) r = gn_fmt(g, "Value::int(-%lld)", (long long)o->u.int_.i64);
      else if (o->kind == PY_FLOAT) r = gn_fmt(g, "Value::float(-%s)", gn__float(g, o->u.float_.value));
      else r = gn_fmt(g, "rt::neg(%s)?", gn__ref(g, o));
      break;
    case PY_OP_UADD: r = gn_fmt(g, "rt::pos(%s)?", gn__ref(g, o)); break;
    default: r = gn_fmt(g, "rt::invert(%s)?", gn__ref(g, o)); break;
    }
    break;
  }
  case PY_BOOL_OP: r = gn__boolop(g, n, 0); break;
  case PY_COMPARE: r = gn__compare(g, n, false); break;
  case PY_IF_EXP:
    r = gn_fmt(g, "if %s { %s } else { %s }", gn__cond(g, n->u.if_exp.test), gn__expr(g, n->u.if_exp.body),
          gn__expr(g, n->u.if_exp.orelse));
    break;
  case PY_NAMED_EXPR: {
    int id = gn__id(g);
    char *v = gn__expr(g, n->u.named_expr.value);
    r = gn_fmt(g, "{ let __w%d = %s; %s __w%d }", id, v, gn__store(g, n->u.named_expr.target, gn_fmt(g, "__w%d.clone()", id)), id);
    break;
  }
  case PY_CALL: r = gn__call(g, n); break;
  case PY_ATTRIBUTE: r = gn__getattr(g, n); break;
  case PY_SUBSCRIPT: {
    char *o = gn__ref(g, n->u.subscript.value);
    r = gn_fmt(g, "rt::getitem(%s, %s)?", o, gn__slice_ref(g, n->u.subscript.slice));
    break;
  }
  case PY_LIST: r = gn_fmt(g, "rt::list(%s)", gn__values(g, n->u.list_or_tuple.elts)); break;
  case PY_TUPLE: r = gn_fmt(g, "rt::tuple(%s)", gn__values(g, n->u.list_or_tuple.elts)); break;
  case PY_SET: r = gn_fmt(g, "rt::set(%s)?", gn__values(g, n->u.set.elts)); break;
  case PY_DICT: r = gn__dict(g, n); break;
  case PY_LIST_COMP:
  case PY_SET_COMP:
  case PY_DICT_COMP:
  case PY_GENERATOR_EXP: r = gn__comp(g, n); break;
  case PY_JOINED_STR: r = gn__joined(g, n); break;
  case PY_FORMATTED_VALUE: {
    int conv = n->u.formatted_value.conversion;
    r = gn_fmt(g, "Value::string(rx::fmt(%s, '%c', %s)?)", gn__ref(g, n->u.formatted_value.value), conv < 0 ? ' ' : (char)conv,
          gn__spec(g, n->u.formatted_value.format_spec));
    break;
  }
  case PY_LAMBDA: {
    rs_scope *f = g->p->scope_of[n->id];
    r = f ? gn__func_value(g, f, n) : "Value::none()";
    break;
  }
  case PY_YIELD:
    if (!g->gen) { gn__fail(g, n, "yield outside a generator function"); break; }
    r = gn_fmt(g, "__co.%s(%s).await?", g->agen ? "ayield" : "yield_", n->u.yield.value ? gn__expr(g, n->u.yield.value) : "Value::none()");
    break;
  case PY_YIELD_FROM:
    if (!g->gen) { gn__fail(g, n, "yield outside a generator function"); break; }
    r = gn_fmt(g, "rt::yield_from(&__co, %s).await?", gn__ref(g, n->u.yield.value));
    break;
  case PY_STARRED:
    gn__fail(g, n, "starred expression in this position is not supported");
    break;
  case PY_AWAIT:
    if (!g->coro && g->fn && g->fn->kind == RS_SC_GENEXP) {
      gn__fail(g, n, "await in a generator expression (an asynchronous generator expression) is not supported yet");
      break;
    }
    if (!g->coro) { gn__fail(g, n, "'await' outside async function"); break; }
    r = gn_fmt(g, "rt::await_(&__co, %s).await?", gn__expr(g, n->u.await_.value));
    break;
  default:
    gn__fail(g, n, "%s expressions are not supported yet", py_kind_name(n->kind));
    break;
  }
  g->depth--;
  return r ? r : "Value::none()";
}

/* ------------------------------------------------------------ targets */

/* Statement text that stores the owned Value expression v into target t
 * (v is evaluated first, as in Python). */
static char *gn__store(gn *g, py_node *t, const char *v) {
  switch (t->kind) {
  case PY_NAME: return gn__store_name(g, t->u.name.id, v);
  case PY_ATTRIBUTE: {
    int id = gn__id(g);
    return gn_fmt(g, "{ let __v%d = %s; %s; }", id, v,
                  gn__setattr(g, gn__ref(g, t->u.attribute.value), gn__attr(g, t->u.attribute.attr), gn_fmt(g, "__v%d", id)));
  }
  case PY_SUBSCRIPT: {
    int id = gn__id(g);
    if (gn__dict_owner(g, t->u.subscript.value)) {
      char *x = gn__ref(g, gn__dict_owner(g, t->u.subscript.value));
      char *k = gn__slice_ref(g, t->u.subscript.slice);
      return gn_fmt(g, "{ let __v%d = %s; rx::via_dict(%s, |__d| { rt::setitem(__d, %s, __v%d)?; Ok(Value::none()) })?; }", id, v, x,
                    k, id);
    }
    char *o = gn__ref(g, t->u.subscript.value);
    char *k = gn__slice_ref(g, t->u.subscript.slice);
    return gn_fmt(g, "{ let __v%d = %s; rt::setitem(%s, %s, __v%d)?; }", id, v, o, k, id);
  }
  case PY_TUPLE:
  case PY_LIST: {
    py_nodes es = t->u.list_or_tuple.elts;
    int star = -1;
    for (int i = 0; i < es.n; i++)
      if (es.v[i]->kind == PY_STARRED) star = i;
    int id = gn__id(g);
    p_buf b;
    p_buf_init(&b, 0);
    if (star < 0) p_buf_printf(&b, "{ let __u%d = rt::unpack(&%s, %d)?; ", id, v, es.n);
    else p_buf_printf(&b, "{ let __u%d = rt::unpack_ex(&%s, %d, %d)?; ", id, v, star, es.n - star - 1);
    for (int i = 0; i < es.n; i++) {
      py_node *x = es.v[i];
      if (x->kind == PY_STARRED) x = x->u.starred.value;
      p_buf_printf(&b, "%s ", gn__store(g, x, gn_fmt(g, "__u%d[%d].clone()", id, i)));
    }
    p_buf_puts(&b, "}");
    char *r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    return r;
  }
  case PY_STARRED:
    return gn__store(g, t->u.starred.value, v);
  default:
    gn__fail(g, t, "cannot assign to %s", py_kind_name(t->kind));
    return "";
  }
}

static void gn__delete(gn *g, py_node *t) {
  switch (t->kind) {
  case PY_NAME: {
    gn_ref r = gn__resolve(g, t->u.name.id);
    switch (r.bind) {
    case RS_BIND_LOCAL: gn_emit(g, "rx::local(&%s, %s)?;", r.rname, gn__cstr(g, t->u.name.id)); gn_emit(g, "%s = rx::unbound();", r.rname); break;
    case RS_BIND_CELL:
    case RS_BIND_FREE: gn_emit(g, "%s.clear();", r.rname); break;
    case RS_BIND_CLASSNS: gn_emit(g, "rx::ns_del(&mut __ns, %s)?;", gn__cstr(g, gn__mangle(g, t->u.name.id))); break;
    default: gn_emit(g, "rt::mod_del(__g, %s)?;", gn__cstr(g, gn__mangle(g, t->u.name.id))); break;
    }
    break;
  }
  case PY_ATTRIBUTE: gn_emit(g, "rt::delattr(%s, %s)?;", gn__ref(g, t->u.attribute.value), gn__attr(g, t->u.attribute.attr)); break;
  case PY_SUBSCRIPT: {
    if (gn__dict_owner(g, t->u.subscript.value)) {
      char *x = gn__ref(g, gn__dict_owner(g, t->u.subscript.value));
      gn_emit(g, "rx::via_dict(%s, |__d| { rt::delitem(__d, %s)?; Ok(Value::none()) })?;", x, gn__slice_ref(g, t->u.subscript.slice));
      break;
    }
    char *o = gn__ref(g, t->u.subscript.value);
    gn_emit(g, "rt::delitem(%s, %s)?;", o, gn__slice_ref(g, t->u.subscript.slice));
    break;
  }
  case PY_TUPLE:
  case PY_LIST:
    for (int i = 0; i < t->u.list_or_tuple.elts.n; i++) gn__delete(g, t->u.list_or_tuple.elts.v[i]);
    break;
  default: gn__fail(g, t, "cannot delete %s", py_kind_name(t->kind)); break;
  }
}

/* ------------------------------------------------------------ functions */

/* vec![cells...] a new function object captures, resolved here. */
static char *gn__cells_for(gn *g, rs_scope *f, py_node *at) {
  if (!f->nfrees) return "vec![]";
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_puts(&b, "vec![");
  for (int i = 0; i < f->nfrees; i++) {
    gn_ref r = gn__resolve(g, f->frees[i]);
    if (r.bind != RS_BIND_CELL && r.bind != RS_BIND_FREE) {
      gn__fail(g, at, "internal: free variable '%s' is not a cell here", f->frees[i]);
      break;
    }
    p_buf_printf(&b, "%s%s.clone()", i ? ", " : "", r.rname);
  }
  p_buf_puts(&b, "]");
  char *r = p_arena_strdup(g->a, b.data);
  p_buf_free(&b);
  return r;
}

static py_arguments *gn__args_of(rs_scope *f) {
  if (f->kind == RS_SC_FUNC) return f->node->u.function_def.args;
  if (f->kind == RS_SC_LAMBDA) return f->node->u.lambda.args;
  return NULL;
}

/* rx::func(&P_x, __g, defaults, kwdefaults, cells, x): a function object. */
static char *gn__func_value(gn *g, rs_scope *f, py_node *at) {
  py_arguments *a = gn__args_of(f);
  p_buf d, k;
  p_buf_init(&d, 0);
  p_buf_init(&k, 0);
  p_buf_puts(&d, "vec![");
  p_buf_puts(&k, "vec![");
  int nd = 0, nk = 0;
  for (int i = 0; a && i < a->all.n; i++) {
    py_node *p = a->all.v[i];
    if (!p->u.arg.default_) continue;
    if (p->u.arg.kind == PY_PARAM_KWONLY)
      p_buf_printf(&k, "%s(%s, %s)", nk++ ? ", " : "", gn__cstr(g, p->u.arg.name), gn__expr(g, p->u.arg.default_));
    else
      p_buf_printf(&d, "%s%s", nd++ ? ", " : "", gn__expr(g, p->u.arg.default_));
  }
  p_buf_puts(&d, "]");
  p_buf_puts(&k, "]");
  char *r = gn_fmt(g, "rx::func(&P_%s, __g, %s, %s, %s, %s)", f->rust_name, d.data, k.data, gn__cells_for(g, f, at), f->rust_name);
  p_buf_free(&d);
  p_buf_free(&k);
  return r;
}

/* ------------------------------------------------------------ statements */

static void gn__body(gn *g, py_nodes body);
static void gn__stmt(gn *g, py_node *n);
static char *gn__ann_text(gn *g, py_node *ann);
static bool gn__future_annotations(gn *g);

static const char *gn__file(gn *g) { return g->m->py->path; }

static void gn__line(gn *g, py_node *n) {
  gn_emit(g, "// %s:%d", gn__file(g), n->line);
  if (!g->gen && !g->typed) gn_emit(g, "__fr.line(%d);", n->line);
}

static char *gn__ret(gn *g, const char *v) {
  if (g->closure) return gn_fmt(g, "return Ok(Flow::Return(%s));", v);
  if (!g->fn) return "unreachable!();";
  return gn_fmt(g, "return Ok(%s);", v);
}

static char *gn__break(gn *g) {
  if (g->nloops) return gn_fmt(g, "break %s;", g->loops[g->nloops - 1]);
  if (g->closure) return "return Ok(Flow::Break);";
  return "unreachable!();";
}

static char *gn__continue(gn *g) {
  if (g->nloops) return gn_fmt(g, "continue %s;", g->loops[g->nloops - 1]);
  if (g->closure) return "return Ok(Flow::Continue);";
  return "unreachable!();";
}

/* Opens a try closure; the caller emits the body, then gn__close_try. */
typedef struct gn_saved {
  const char *loops[GN_MAX_NEST];
  int nloops;
} gn_saved;

static void gn__open_try(gn *g, const char *var, gn_saved *sv) {
  if (g->gen) gn_emit(g, "let %s = rx::try_async(async {", var);
  else gn_emit(g, "let %s = rx::try_sync(|| {", var);
  g->ind++;
  g->closure++;
  memcpy(sv->loops, g->loops, sizeof g->loops);
  sv->nloops = g->nloops;
  g->nloops = 0;
}

static void gn__close_try(gn *g, gn_saved *sv) {
  gn_emit(g, "Ok::<Flow, PyErr>(Flow::Normal)");
  g->ind--;
  g->closure--;
  memcpy(g->loops, sv->loops, sizeof g->loops);
  g->nloops = sv->nloops;
  if (g->gen) gn_emit(g, "}).await;");
  else gn_emit(g, "});");
}

static void gn__dispatch(gn *g, const char *var) {
  gn_emit(g, "match %s? {", var);
  g->ind++;
  gn_emit(g, "Flow::Normal => {}");
  gn_emit(g, "Flow::Return(__rv) => { %s }", gn__ret(g, "__rv"));
  gn_emit(g, "Flow::Break => { %s }", gn__break(g));
  gn_emit(g, "Flow::Continue => { %s }", gn__continue(g));
  g->ind--;
  gn_emit(g, "}");
}

static void gn__block_try(gn *g, const char *var, py_nodes body) {
  gn_saved sv;
  gn__open_try(g, var, &sv);
  gn__body(g, body);
  gn__close_try(g, &sv);
}

/* `except E as name:` ends with `del name` (errors ignored). */
static void gn__unbind(gn *g, const char *name) {
  gn_ref r = gn__resolve(g, name);
  switch (r.bind) {
  case RS_BIND_LOCAL: gn_emit(g, "%s = rx::unbound();", r.rname); break;
  case RS_BIND_CELL:
  case RS_BIND_FREE: gn_emit(g, "%s.clear();", r.rname); break;
  case RS_BIND_CLASSNS: gn_emit(g, "let _ = rx::ns_del(&mut __ns, %s);", gn__cstr(g, gn__mangle(g, name))); break;
  default: gn_emit(g, "let _ = rt::mod_del(__g, %s);", gn__cstr(g, gn__mangle(g, name))); break;
  }
}

static void gn__try(gn *g, py_node *n) {
  int id = gn__id(g);
  char *r = gn_fmt(g, "__r%d", id);
  gn_emit(g, "{");
  g->ind++;
  gn__block_try(g, r, n->u.try_.body);
  py_nodes hs = n->u.try_.handlers;
  if (hs.n || n->u.try_.orelse.n) {
    gn_emit(g, "let %s = match %s {", r, r);
    g->ind++;
    if (hs.n) {
      char *e = gn_fmt(g, "__e%d", id);
      gn_emit(g, "Err(%s) => {", e);
      g->ind++;
      for (int i = 0; i < hs.n; i++) {
        py_node *h = hs.v[i];
        py_node *ty = h->u.except_handler.type;
        if (ty) gn_emit(g, "%sif rt::exc_matches(&%s, %s)? {", i ? "} else " : "", e, gn__ref(g, ty));
        else gn_emit(g, "%sif true {", i ? "} else " : "");
        g->ind++;
        gn_emit(g, "rt::exc_enter(&%s);", e);
        if (h->u.except_handler.name) gn_emit(g, "%s", gn__store_name(g, h->u.except_handler.name, gn_fmt(g, "%s.value()", e)));
        if (g->nhandlers < GN_MAX_NEST) g->handlers[g->nhandlers++] = e;
        char *hr = gn_fmt(g, "__h%d_%d", id, i);
        gn__block_try(g, hr, h->u.except_handler.body);
        g->nhandlers--;
        if (h->u.except_handler.name) gn__unbind(g, h->u.except_handler.name);
        gn_emit(g, "rt::exc_leave();");
        gn_emit(g, "%s", hr);
        g->ind--;
      }
      gn_emit(g, "} else {");
      gn_emit(g, "    Err(%s)", e);
      gn_emit(g, "}");
      g->ind--;
      gn_emit(g, "}");
    }
    if (n->u.try_.orelse.n) {
      gn_emit(g, "Ok(Flow::Normal) => {");
      g->ind++;
      char *er = gn_fmt(g, "__o%d", id);
      gn__block_try(g, er, n->u.try_.orelse);
      gn_emit(g, "%s", er);
      g->ind--;
      gn_emit(g, "}");
    }
    gn_emit(g, "__other => __other,");
    g->ind--;
    gn_emit(g, "};");
  }
  if (n->u.try_.finalbody.n) {
    char *f = gn_fmt(g, "__f%d", id);
    gn__block_try(g, f, n->u.try_.finalbody);
    gn_emit(g, "let %s = match %s { Ok(Flow::Normal) => %s, __other => __other };", r, f, r);
  }
  gn__dispatch(g, r);
  g->ind--;
  gn_emit(g, "}");
}

static void gn__with(gn *g, py_node *n, int item) {
  py_node *it = n->u.with.items.v[item];
  int id = gn__id(g);
  gn_emit(g, "{");
  g->ind++;
  bool as = n->u.with.is_async;
  gn_emit(g, "let __m%d = %s;", id, gn__expr(g, it->u.with_item.context_expr));
  if (as) gn_emit(g, "let __x%d = rt::aenter(&__co, &__m%d).await?;", id, id);
  else gn_emit(g, "let __x%d = rt::call_method(&__m%d, \"__enter__\", vec![], vec![])?;", id, id);
  if (it->u.with_item.optional_vars) gn_emit(g, "%s", gn__store(g, it->u.with_item.optional_vars, gn_fmt(g, "__x%d", id)));
  char *r = gn_fmt(g, "__r%d", id);
  gn_saved sv;
  gn__open_try(g, r, &sv);
  if (item + 1 < n->u.with.items.n) gn__with(g, n, item + 1);
  else gn__body(g, n->u.with.body);
  gn__close_try(g, &sv);
  gn_emit(g, "let %s = match %s {", r, r);
  if (as) {
    gn_emit(g, "    Err(__e) => if rt::aexit(&__co, &__m%d, Some(&__e)).await? { Ok(Flow::Normal) } else { Err(__e) },", id);
    gn_emit(g, "    Ok(__fl) => { rt::aexit(&__co, &__m%d, None).await?; Ok(__fl) }", id);
  } else {
    gn_emit(g, "    Err(__e) => if rx::with_exit(&__m%d, Some(&__e))? { Ok(Flow::Normal) } else { Err(__e) },", id);
    gn_emit(g, "    Ok(__fl) => { rx::with_exit(&__m%d, None)?; Ok(__fl) }", id);
  }
  gn_emit(g, "};");
  gn__dispatch(g, r);
  g->ind--;
  gn_emit(g, "}");
}

/* `range(a[, b[, c]])` with the builtin range and plain positional args. */
static bool gn__is_range_call(gn *g, py_node *it) {
  if (it->kind != PY_CALL || it->u.call.func->kind != PY_NAME || strcmp(it->u.call.func->u.name.id, "range") != 0) return false;
  if (it->u.call.keywords.n || it->u.call.args.n < 1 || it->u.call.args.n > 3) return false;
  for (int i = 0; i < it->u.call.args.n; i++)
    if (it->u.call.args.v[i]->kind == PY_STARRED) return false;
  return gn__resolve(g, "range").bind == RS_BIND_GLOBAL && gn__is_builtin(g, "range");
}

static void gn__for(gn *g, py_node *n) {
  int id = gn__id(g);
  char *label = gn_fmt(g, "'l%d", id);
  const char *next;
  if (!n->u.for_.is_async && gn__is_range_call(g, n->u.for_.iter)) {
    py_nodes a = n->u.for_.iter->u.call.args;
    p_buf b;
    p_buf_init(&b, 0);
    for (int i = 0; i < a.n; i++) p_buf_printf(&b, "%s%s", i ? ", " : "", gn__expr(g, a.v[i]));
    gn_emit(g, "let mut __it%d = rx::RangeIter::new(&[%s])?;", id, b.data);
    p_buf_free(&b);
    next = gn_fmt(g, "__it%d.next()?", id);
  } else if (n->u.for_.is_async) {
    gn_emit(g, "let __it%d = rt::aiter(&%s)?;", id, gn__expr(g, n->u.for_.iter));
    next = gn_fmt(g, "rt::anext(&__co, &__it%d).await?", id);
  } else {
    gn_emit(g, "let __it%d = rt::iter(%s)?;", id, gn__ref(g, n->u.for_.iter));
    next = gn_fmt(g, "rt::next(&__it%d)?", id);
  }
  if (!n->u.for_.orelse.n) {
    gn_emit(g, "%s: while let Some(__x%d) = %s {", label, id, next);
  } else {
    gn_emit(g, "%s: loop {", label);
    g->ind++;
    gn_emit(g, "let __x%d = match %s {", id, next);
    gn_emit(g, "    Some(__x) => __x,");
    gn_emit(g, "    None => {");
    g->ind += 2;
    gn__body(g, n->u.for_.orelse);
    gn_emit(g, "break %s;", label);
    g->ind -= 2;
    gn_emit(g, "    }");
    gn_emit(g, "};");
    g->ind--;
  }
  g->ind++;
  gn_emit(g, "%s", gn__store(g, n->u.for_.target, gn_fmt(g, "__x%d", id)));
  if (g->nloops < GN_MAX_NEST) g->loops[g->nloops++] = label;
  gn__body(g, n->u.for_.body);
  g->nloops--;
  g->ind--;
  gn_emit(g, "}");
}

static void gn__while(gn *g, py_node *n) {
  int id = gn__id(g);
  char *label = gn_fmt(g, "'l%d", id);
  if (!n->u.while_.orelse.n) {
    gn_emit(g, "%s: while %s {", label, gn__cond(g, n->u.while_.test));
  } else {
    gn_emit(g, "%s: loop {", label);
    g->ind++;
    gn_emit(g, "if !(%s) {", gn__cond(g, n->u.while_.test));
    g->ind++;
    gn__body(g, n->u.while_.orelse);
    gn_emit(g, "break %s;", label);
    g->ind--;
    gn_emit(g, "}");
    g->ind--;
  }
  g->ind++;
  if (g->nloops < GN_MAX_NEST) g->loops[g->nloops++] = label;
  gn__body(g, n->u.while_.body);
  g->nloops--;
  g->ind--;
  gn_emit(g, "}");
}

static void gn__if(gn *g, py_node *n, bool elif) {
  gn_emit(g, "%sif %s {", elif ? "} else " : "", gn__cond(g, n->u.if_.test));
  g->ind++;
  gn__body(g, n->u.if_.body);
  g->ind--;
  py_nodes orelse = n->u.if_.orelse;
  if (orelse.n == 1 && orelse.v[0]->kind == PY_IF && orelse.v[0]->line != n->line) {
    gn__line(g, orelse.v[0]);
    gn__if(g, orelse.v[0], true);
    return;
  }
  if (orelse.n) {
    gn_emit(g, "} else {");
    g->ind++;
    gn__body(g, orelse);
    g->ind--;
  }
  gn_emit(g, "}");
}

/* The module a dotted import name is, as a Rust expression of a Value. */
static char *gn__import_mod(gn *g, const char *dotted) {
  rs_module *m = rs_program_module(g->p, dotted);
  if (m)
    return gn_fmt(g, "rt::import_user(%s, %s::%s::body)?", gn__cstr(g, dotted), m->crate_ref ? m->crate_ref : "crate",
                  m->rust_mod);
  /* A runtime module with its own constructor in rt::stdlib::modules (dots
   * as underscores, enum_/struct_): naming it links that module only, where
   * rt::import(name) links them all. */
  static const char *const with_fn[] = {
      "math", "sys", "time", "heapq", "bisect", "itertools", "functools", "collections", "string", "random",
      "json", "enum", "dataclasses", "re", "operator", "typing", "abc", "copy", "contextlib", "statistics",
      "textwrap", "io", "os", "os.path", "struct", "collections.abc", "queue", "cmath", "fractions", "pprint",
      "asyncio", "doctest", "types", "numbers", "builtins", NULL};
  for (int i = 0; with_fn[i]; i++) {
    if (strcmp(with_fn[i], dotted) != 0) continue;
    char fn[64];
    snprintf(fn, sizeof fn, "%s%s", dotted, strcmp(dotted, "enum") == 0 || strcmp(dotted, "struct") == 0 ? "_" : "");
    for (char *c = fn; *c; c++)
      if (*c == '.') *c = '_';
    return gn_fmt(g, "rt::stdlib::import_std(%s, rt::stdlib::modules::%s)?", gn__cstr(g, dotted), fn);
  }
  return gn_fmt(g, "rt::import(%s)?", gn__cstr(g, dotted));
}

/* Imports every user-package prefix of dotted (so parents exist first). */
static void gn__import_chain(gn *g, const char *dotted) {
  const char *p = dotted;
  while ((p = strchr(p, '.'))) {
    char *pre = p_arena_strndup(g->a, dotted, (size_t)(p - dotted));
    if (rs_program_module(g->p, pre)) gn_emit(g, "%s;", gn__import_mod(g, pre));
    p++;
  }
}

static const char *gn__package(gn *g) {
  py_module *pm = g->m->py;
  if (pm->is_package) return pm->name;
  const char *dot = strrchr(pm->name, '.');
  return dot ? p_arena_strndup(g->a, pm->name, (size_t)(dot - pm->name)) : "";
}

/* `from __future__ import annotations` anywhere in the module. */
static bool gn__future_annotations(gn *g) {
  py_nodes b = g->m->py->node->u.module.body;
  for (int i = 0; i < b.n; i++) {
    py_node *s = b.v[i];
    if (s->kind != PY_IMPORT_FROM || !s->u.import_from.module || strcmp(s->u.import_from.module, "__future__") != 0) continue;
    for (int k = 0; k < s->u.import_from.names.n; k++)
      if (strcmp(s->u.import_from.names.v[k]->u.alias.name, "annotations") == 0) return true;
  }
  return false;
}

static void gn__import_from(gn *g, py_node *n) {
  const char *mod = n->u.import_from.module;
  if (mod && strcmp(mod, "__future__") == 0 && n->u.import_from.level == 0) {
    gn_emit(g, "// from __future__ import ...: compile-time only");
    return;
  }
  const char *abs = mod ? mod : "";
  if (n->u.import_from.level > 0) {
    const char *pkg = gn__package(g);
    for (int i = 1; i < n->u.import_from.level; i++) {
      const char *dot = strrchr(pkg, '.');
      pkg = dot ? p_arena_strndup(g->a, pkg, (size_t)(dot - pkg)) : "";
    }
    abs = mod ? (*pkg ? gn_fmt(g, "%s.%s", pkg, mod) : mod) : pkg;
  }
  int id = gn__id(g);
  gn_emit(g, "{");
  g->ind++;
  gn__import_chain(g, abs);
  gn_emit(g, "let __m%d = %s;", id, gn__import_mod(g, abs));
  for (int i = 0; i < n->u.import_from.names.n; i++) {
    py_node *al = n->u.import_from.names.v[i];
    const char *name = al->u.alias.name;
    if (strcmp(name, "*") == 0) {
      gn_emit(g, "rx::import_star(__g, &__m%d)?;", id);
      continue;
    }
    const char *bind = al->u.alias.asname ? al->u.alias.asname : name;
    const char *sub = *abs ? gn_fmt(g, "%s.%s", abs, name) : name;
    if (rs_program_module(g->p, sub))
      gn_emit(g, "%s", gn__store_name(g, bind, gn__import_mod(g, sub)));
    else
      gn_emit(g, "%s", gn__store_name(g, bind, gn_fmt(g, "rx::import_name(&__m%d, %s)?", id, gn__cstr(g, name))));
  }
  g->ind--;
  gn_emit(g, "}");
}

static void gn__import(gn *g, py_node *n) {
  for (int i = 0; i < n->u.import.names.n; i++) {
    py_node *al = n->u.import.names.v[i];
    const char *name = al->u.alias.name;
    gn__import_chain(g, name);
    if (al->u.alias.asname) {
      gn_emit(g, "%s", gn__store_name(g, al->u.alias.asname, gn__import_mod(g, name)));
    } else {
      const char *dot = strchr(name, '.');
      if (dot) {
        gn_emit(g, "%s;", gn__import_mod(g, name));
        const char *top = p_arena_strndup(g->a, name, (size_t)(dot - name));
        gn_emit(g, "%s", gn__store_name(g, top, gn__import_mod(g, top)));
      } else {
        gn_emit(g, "%s", gn__store_name(g, name, gn__import_mod(g, name)));
      }
    }
  }
}

static void gn__funcdef(gn *g, py_node *n) {
  rs_scope *f = g->p->scope_of[n->id];
  if (!f) {
    gn__fail(g, n, "internal: def without a scope");
    return;
  }
  int id = gn__id(g);
  gn_emit(g, "{");
  g->ind++;
  py_nodes decs = n->u.function_def.decorators;
  for (int i = 0; i < decs.n; i++) gn_emit(g, "let __d%d_%d = %s;", id, i, gn__expr(g, decs.v[i]));
  gn_emit(g, "let %s__f%d = %s;", decs.n ? "mut " : "", id, gn__func_value(g, f, n));
  if (n->u.function_def.docstring)
    gn_emit(g, "rt::set_doc(&__f%d, %s);", id, gn__cstr(g, n->u.function_def.docstring));
  /* __annotations__ (functools.singledispatch reads them): plain names are
   * evaluated as CPython does at def time, anything else is kept as text */
  py_arguments *fa = n->u.function_def.args;
  p_buf ann;
  p_buf_init(&ann, 0);
  for (int i = 0; fa && i <= fa->all.n; i++) {
    py_node *an = i < fa->all.n ? fa->all.v[i]->u.arg.annotation : n->u.function_def.returns;
    if (!an) continue;
    const char *key = i < fa->all.n ? fa->all.v[i]->u.arg.name : "return";
    bool eval = !gn__future_annotations(g) && (an->kind == PY_NAME || an->kind == PY_STR || an->kind == PY_NONE);
    const char *val = eval ? gn__expr(g, an)
                                                                                        : gn_fmt(g, "Value::str(%s)", gn__ann_text(g, an));
    p_buf_printf(&ann, "%s(Value::str(%s), %s)", ann.len ? ", " : "", gn__cstr(g, key), val);
  }
  if (ann.len) gn_emit(g, "rt::setattr(&__f%d, \"__annotations__\", rt::dict(vec![%s])?)?;", id, ann.data);
  p_buf_free(&ann);
  for (int i = decs.n - 1; i >= 0; i--) gn_emit(g, "__f%d = rt::call(&__d%d_%d, vec![__f%d], vec![])?;", id, id, i, id);
  gn_emit(g, "%s", gn__store_name(g, n->u.function_def.name, gn_fmt(g, "__f%d", id)));
  g->ind--;
  gn_emit(g, "}");
}

static void gn__classdef(gn *g, py_node *n) {
  rs_scope *k = g->p->scope_of[n->id];
  if (!k) {
    gn__fail(g, n, "internal: class without a scope");
    return;
  }
  int id = gn__id(g);
  gn_emit(g, "{");
  g->ind++;
  py_nodes decs = n->u.class_def.decorators;
  for (int i = 0; i < decs.n; i++) gn_emit(g, "let __d%d_%d = %s;", id, i, gn__expr(g, decs.v[i]));
  gn_emit(g, "let %s__c%d = {", decs.n ? "mut " : "", id);
  g->ind++;
  gn_emit(g, "let __bases = %s;", gn__values(g, n->u.class_def.bases));
  gn_emit(g, "let __kw: Kw = %s;", gn__kwargs(g, n->u.class_def.keywords));
  if (k->class_cell) gn_emit(g, "let %s = Cell::empty();", rs_ident(g->a, "__class__"));
  gn_emit(g, "let mut __ns: Vec<(String, Value)> = Vec::new();");
  gn_emit(g, "rx::ns_set(&mut __ns, \"__module__\", rt::mod_get(__g, \"__name__\")?);");
  gn_emit(g, "rx::ns_set(&mut __ns, \"__qualname__\", Value::str(%s));", gn__cstr(g, k->qualname));
  if (n->u.class_def.docstring) gn_emit(g, "rx::ns_set(&mut __ns, \"__doc__\", Value::str(%s));", gn__cstr(g, n->u.class_def.docstring));
  rs_scope *save = g->sc;
  g->sc = k;
  gn__body(g, n->u.class_def.body);
  g->sc = save;
  gn_emit(g, "let __cls = rt::make_class(%s, %s, __bases, __ns, __kw)?;", gn__cstr(g, n->u.class_def.name), gn__cstr(g, k->qualname));
  if (k->class_cell) gn_emit(g, "%s.set(__cls.clone());", rs_ident(g->a, "__class__"));
  gn_emit(g, "__cls");
  g->ind--;
  gn_emit(g, "};");
  for (int i = decs.n - 1; i >= 0; i--) gn_emit(g, "__c%d = rt::call(&__d%d_%d, vec![__c%d], vec![])?;", id, id, i, id);
  gn_emit(g, "%s", gn__store_name(g, n->u.class_def.name, gn_fmt(g, "__c%d", id)));
  g->ind--;
  gn_emit(g, "}");
}

static char *gn__ann_text(gn *g, py_node *ann) {
  /* the annotation's source text, as CPython keeps it only with
   * `from __future__ import annotations`; the value matters less than the
   * names (dataclasses read the keys) */
  py_module *pm = g->m->py;
  if (ann->line == ann->end_line && ann->line >= 1) {
    const char *p = pm->src;
    for (int l = 1; l < ann->line && p; l++) {
      p = strchr(p, '\n');
      if (p) p++;
    }
    if (p && ann->end_col > ann->col) {
      /* columns are code points; annotations are ASCII in practice */
      size_t len = (size_t)(ann->end_col - ann->col);
      return gn__strlit(g, p + ann->col - 1, len);
    }
  }
  return "\"\"";
}

/* ------------------------------------------------------------ match */

/* A Rust bool expression: does the value `subj` (a `&Value` expression
 * without side effects) match pattern p? Captures are stored as the match
 * goes, as CPython does. */
static char *gn__pattern(gn *g, py_node *p, const char *subj) {
  if (g->err) return "false";
  if (++g->depth > GN_MAX_DEPTH) {
    gn__fail(g, p, "pattern nests too deeply to translate");
    g->depth--;
    return "false";
  }
  char *r = "false";
  switch (p->kind) {
  case PY_MATCH_VALUE: r = gn_fmt(g, "rx::eq_b(%s, %s)?", subj, gn__ref(g, p->u.match_value.value)); break;
  case PY_MATCH_SINGLETON: r = gn_fmt(g, "rt::is(%s, &%s)", subj, gn__expr(g, p->u.match_value.value)); break;
  case PY_MATCH_AS: {
    const char *name = p->u.match_as.name;
    char *inner = p->u.match_as.pattern ? gn__pattern(g, p->u.match_as.pattern, subj) : "true";
    if (!name) r = inner;
    else r = gn_fmt(g, "(%s && { %s true })", inner, gn__store_name(g, name, gn_fmt(g, "(%s).clone()", subj)));
    break;
  }
  case PY_MATCH_OR: {
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_putc(&b, '(');
    for (int i = 0; i < p->u.match_seq.patterns.n; i++)
      p_buf_printf(&b, "%s%s", i ? " || " : "", gn__pattern(g, p->u.match_seq.patterns.v[i], subj));
    p_buf_putc(&b, ')');
    r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    break;
  }
  case PY_MATCH_SEQUENCE: {
    py_nodes ps = p->u.match_seq.patterns;
    int star = -1;
    for (int i = 0; i < ps.n; i++)
      if (ps.v[i]->kind == PY_MATCH_STAR) star = i;
    int id = gn__id(g);
    p_buf b;
    p_buf_init(&b, 0);
    if (star < 0) p_buf_printf(&b, "(match rx::match_seq(%s)? { Some(__q%d) if __q%d.len() == %d => true", subj, id, id, ps.n);
    else p_buf_printf(&b, "(match rx::match_seq(%s)? { Some(__q%d) if __q%d.len() >= %d => true", subj, id, id, ps.n - 1);
    for (int i = 0; i < ps.n; i++) {
      py_node *x = ps.v[i];
      if (x->kind == PY_MATCH_STAR) {
        if (x->u.match_star.name)
          p_buf_printf(&b, " && { %s true }",
                       gn__store_name(g, x->u.match_star.name,
                                      gn_fmt(g, "rt::list(__q%d[%d..__q%d.len() - %d].to_vec())", id, i, id, ps.n - 1 - i)));
        continue;
      }
      const char *el = star >= 0 && i > star ? gn_fmt(g, "&__q%d[__q%d.len() - %d]", id, id, ps.n - i) : gn_fmt(g, "&__q%d[%d]", id, i);
      p_buf_printf(&b, " && %s", gn__pattern(g, x, el));
    }
    p_buf_puts(&b, ", _ => false })");
    r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    break;
  }
  case PY_MATCH_MAPPING: {
    py_nodes ks = p->u.match_mapping.keys, ps = p->u.match_mapping.patterns;
    int id = gn__id(g);
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_printf(&b, "(rx::is_mapping(%s)", subj);
    for (int i = 0; i < ks.n; i++)
      p_buf_printf(&b, " && (match rx::map_get(%s, %s)? { Some(__m%d_%d) => %s, None => false })", subj, gn__ref(g, ks.v[i]), id, i,
                   gn__pattern(g, ps.v[i], gn_fmt(g, "&__m%d_%d", id, i)));
    if (p->u.match_mapping.rest) {
      p_buf kv;
      p_buf_init(&kv, 0);
      for (int i = 0; i < ks.n; i++) p_buf_printf(&kv, "%s%s", i ? ", " : "", gn__expr(g, ks.v[i]));
      p_buf_printf(&b, " && { %s true }",
                   gn__store_name(g, p->u.match_mapping.rest, gn_fmt(g, "rx::map_rest(%s, &[%s])?", subj, kv.data ? kv.data : "")));
      p_buf_free(&kv);
    }
    p_buf_putc(&b, ')');
    r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    break;
  }
  case PY_MATCH_CLASS: {
    py_nodes ps = p->u.match_class.patterns;
    int id = gn__id(g);
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_printf(&b, "(match rx::match_class(%s, %s, %d)? { Some(__k%d) => true", subj, gn__ref(g, p->u.match_class.cls), ps.n, id);
    for (int i = 0; i < ps.n; i++) p_buf_printf(&b, " && %s", gn__pattern(g, ps.v[i], gn_fmt(g, "&__k%d[%d]", id, i)));
    for (int i = 0; i < p->u.match_class.kwd_attrs.n; i++)
      p_buf_printf(&b, " && (match rx::match_attr(%s, %s) { Some(__a%d_%d) => %s, None => false })", subj,
                   gn__cstr(g, p->u.match_class.kwd_attrs.v[i]), id, i,
                   gn__pattern(g, p->u.match_class.kwd_patterns.v[i], gn_fmt(g, "&__a%d_%d", id, i)));
    p_buf_puts(&b, ", None => false })");
    r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    break;
  }
  default:
    gn__fail(g, p, "%s patterns are not supported yet", py_kind_name(p->kind));
    break;
  }
  g->depth--;
  return r;
}

static void gn__match(gn *g, py_node *n) {
  int id = gn__id(g);
  gn_emit(g, "{");
  g->ind++;
  gn_emit(g, "let __subj%d = %s;", id, gn__expr(g, n->u.match.subject));
  gn_emit(g, "'m%d: loop {", id);
  g->ind++;
  for (int i = 0; i < n->u.match.cases.n && !g->err; i++) {
    py_node *c = n->u.match.cases.v[i];
    gn_emit(g, "// %s:%d case", gn__file(g), c->line);
    char *test = gn__pattern(g, c->u.match_case.pattern, gn_fmt(g, "&__subj%d", id));
    if (c->u.match_case.guard) test = gn_fmt(g, "%s && %s", test, gn__cond(g, c->u.match_case.guard));
    gn_emit(g, "if %s {", test);
    g->ind++;
    gn__body(g, c->u.match_case.body);
    gn_emit(g, "break 'm%d;", id);
    g->ind--;
    gn_emit(g, "}");
  }
  gn_emit(g, "break 'm%d;", id);
  g->ind--;
  gn_emit(g, "}");
  g->ind--;
  gn_emit(g, "}");
}

static void gn__ty_stmt(gn *g, py_node *n);
static const char *gn__rzero(char t);
static bool gn__ty_list(char t);

static const char *gn__box(char t) { return t == 'f' ? "Value::float" : t == 'b' ? "Value::Bool" : "Value::int"; }

/* Opens the guard around unboxed code that takes lists: a per-site
 * rx::Site (off once copying costs more than it saves), the copy-in
 * (`pin` = the Some(mut ..) patterns, `cin` = the rx::list_in_* calls) and,
 * for several lists, the check that none is passed twice. Returns the
 * number of blocks opened (the caller closes each). */
static int gn__copy_in_open(gn *g, int nlists, const char *pin, const char *cin, const char *addrs) {
  if (!nlists) return 0;
  gn_emit(g, "static __SITE: rx::Site = rx::Site::new(); // off once copying lists in costs more than it saves");
  gn_emit(g, "if let (%s,) = (if __SITE.on() { (%s,) } else { Default::default() }) {", pin, cin);
  g->ind++;
  if (nlists == 1) return 1;
  gn_emit(g, "if rx::distinct(&[%s]) {", addrs);
  g->ind++;
  return 2;
}

/* A typed region (rs_scope.c, "typed regions"): unbox the loop's live-in
 * locals, run the loop in a closure over unboxed values, box back what it
 * assigned; on failure (or other argument types) the boxed loop runs. */
static void gn__region(gn *g, py_node *n, rs_region *r) {
  /* module-level code: the names are module globals (g->fn is NULL there;
   * the typed emitters look names up in g->fn) */
  bool mod = g->fn == NULL;
  rs_scope *f = mod ? g->m->scope : g->fn;
  g->fn = f;
  int id = gn__id(g);
  for (int i = 0; i < f->nsyms; i++) {
    f->syms[i].ty = r->ty[i];
    f->syms[i].rflag = r->flag[i];
  }
  p_buf pat, vals, pin, cin, addrs, unbox, outs, back, lens;
  p_buf *bufs[] = {&pat, &vals, &pin, &cin, &addrs, &unbox, &outs, &back, &lens};
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) p_buf_init(bufs[i], 0);
  int npat = 0, nl = 0, no = 0;
  for (int i = 0; i < f->nsyms; i++) {
    rs_sym *y = &f->syms[i];
    char t = y->ty;
    if (!t) continue;
    bool list = gn__ty_list(t);
    const char *ek = t == 'F' ? "f64" : t == 'I' ? "i64" : "bool";
    if (y->rflag == 'L' || y->rflag == 'W') {
      const char *vk = list ? "List" : t == 'f' ? "Float" : t == 'b' ? "Bool" : "Int";
      /* a function's locals are matched by reference; a module global is
       * looked up (no NameError here: a missing name just fails the match) */
      if (mod) {
        p_buf_printf(&pat, "%sSome(Value::%s(__e%d_%d))", npat ? ", " : "", vk, id, i);
        p_buf_printf(&vals, "%srt::mod_get(__g, %s).ok()", npat++ ? ", " : "", gn__cstr(g, y->name));
      } else {
        p_buf_printf(&pat, "%sValue::%s(__e%d_%d)", npat ? ", " : "", vk, id, i);
        p_buf_printf(&vals, "%s&%s", npat++ ? ", " : "", y->rname);
      }
      if (list) {
        p_buf_printf(&pin, "%sSome(mut __l%d_%d)", nl ? ", " : "", id, i);
        p_buf_printf(&cin, "%srx::list_in_%s(&__e%d_%d)", nl ? ", " : "", ek, id, i);
        p_buf_printf(&lens, " + __l%d_%d.len()", id, i);
        p_buf_printf(&addrs, "%srx::addr(&__e%d_%d)", nl++ ? ", " : "", id, i);
        p_buf_printf(&unbox, "let %s: &mut %s = &mut __l%d_%d; ", y->rname, rs_ty_rust(t), id, i);
        if (y->rflag == 'W') p_buf_printf(&back, "rx::list_out_%s(&__e%d_%d, &__l%d_%d); ", ek, id, i, id, i);
      } else {
        p_buf_printf(&unbox, "let mut %s: %s = %s__e%d_%d; ", y->rname, rs_ty_rust(t), mod ? "" : "*", id, i);
        if (y->rflag == 'W') {
          p_buf_printf(&outs, "%s, ", y->rname);
          if (mod) p_buf_printf(&back, "%s ", gn__store_name(g, y->name, gn_fmt(g, "%s(__r%d.%d)", gn__box(t), id, no++)));
          else p_buf_printf(&back, "%s = %s(__r%d.%d); ", y->rname, gn__box(t), id, no++);
        }
      }
    } else { /* 'S' */
      p_buf_printf(&unbox, "let mut %s: %s = %s; let mut __s_%s = false; ", y->rname, rs_ty_rust(t), gn__rzero(t), y->rname);
      p_buf_printf(&outs, "%s, __s_%s, ", y->rname, y->rname);
      if (mod)
        p_buf_printf(&back, "if __r%d.%d { %s } ", id, no + 1, gn__store_name(g, y->name, gn_fmt(g, "%s(__r%d.%d)", gn__box(t), id, no)));
      else
        p_buf_printf(&back, "if __r%d.%d { %s = %s(__r%d.%d); } ", id, no + 1, y->rname, gn__box(t), id, no);
      no += 2;
    }
  }
  gn_emit(g, "// %s:%d typed region: this loop runs on unboxed locals; if it cannot finish as Python would,", gn__file(g), n->line);
  gn_emit(g, "// nothing has changed yet and the boxed loop below runs from the same state");
  int opened = 0;
  if (npat) gn_emit(g, "let __rg%d = if let (%s,) = (%s,) {", id, pat.data, vals.data);
  else gn_emit(g, "let __rg%d = if true {", id);
  g->ind++;
  opened = gn__copy_in_open(g, nl, pin.data, cin.data, addrs.data);
  if (nl) gn_emit(g, "let __w0 = rx::work();");
  gn_emit(g, "rx::clear_failed();");
  gn_emit(g, "let __r%d = (|| {", id);
  g->ind++;
  gn_emit(g, "let __d: u32 = rt::object::frame_depth() as u32;");
  if (unbox.data) gn_emit(g, "%s", unbox.data);
  g->typed = true;
  g->ticks = nl > 0;
  gn__ty_stmt(g, n);
  g->typed = false;
  g->ticks = false;
  gn_emit(g, "(%s)", outs.data ? outs.data : "");
  g->ind--;
  gn_emit(g, "})();");
  if (nl) gn_emit(g, "__SITE.account(0%s, rx::work() - __w0);", lens.data);
  gn_emit(g, "if !rx::failed() { %strue } else { false }", back.data ? back.data : "");
  for (; opened > 0; opened--) {
    g->ind--;
    gn_emit(g, "} else { false }");
  }
  g->ind--;
  gn_emit(g, "} else { false };");
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) p_buf_free(bufs[i]);
  for (int i = 0; i < f->nsyms; i++) {
    f->syms[i].ty = 0;
    f->syms[i].rflag = 0;
  }
  if (mod) g->fn = NULL;
  gn_emit(g, "if !__rg%d {", id);
  g->ind++;
  g->region_done = n;
  gn__stmt(g, n);
  g->ind--;
  gn_emit(g, "}");
}

static void gn__stmt(gn *g, py_node *n) {
  if (g->err) return;
  if ((n->kind == PY_FOR || n->kind == PY_WHILE) && !g->typed && !g->gen && g->region_done != n) {
    rs_region *r = rs_region_of(g->fn ? g->fn : g->sc == g->m->scope ? g->m->scope : NULL, n);
    if (r) {
      gn__region(g, n, r);
      return;
    }
  }
  if (++g->depth > GN_MAX_DEPTH) {
    gn__fail(g, n, "statements nest too deeply to translate");
    g->depth--;
    return;
  }
  /* A doctest example (ing_doctest.c) runs in the interactive compile
   * mode: an expression statement of its module scope, a string too,
   * displays its value (sys.displayhook) */
  bool display = n->kind == PY_EXPR && g->m->py->doctest_host && !g->fn && g->sc->kind == RS_SC_MODULE;
  if (n->kind == PY_EXPR && n->u.expr.value->kind == PY_STR && !display) { /* docstring or bare string */
    g->depth--;
    return;
  }
  gn__line(g, n);
  switch (n->kind) {
  case PY_EXPR: {
    char *x = gn__expr(g, n->u.expr.value);
    if (display) {
      gn_emit(g, "rt::ext::doctest::display(__g, &%s)?;", x);
      break;
    }
    size_t xl = strlen(x);
    const char *tail = "; Value::none() }";
    size_t tl = strlen(tail);
    if (strncmp(x, "{ rt::print(", 12) == 0 && xl > tl && strcmp(x + xl - tl, tail) == 0)
      gn_emit(g, "%.*s;", (int)(xl - tl - 2), x + 2); /* a print statement reads as one */
    else
      gn_emit(g, "%s;", x);
    break;
  }
  case PY_ASSIGN: {
    py_nodes ts = n->u.assign.targets;
    char *v = gn__expr(g, n->u.assign.value);
    if (ts.n == 1) {
      gn_emit(g, "%s", gn__store(g, ts.v[0], v));
    } else {
      int id = gn__id(g);
      gn_emit(g, "let __a%d = %s;", id, v);
      for (int i = 0; i < ts.n; i++) gn_emit(g, "%s", gn__store(g, ts.v[i], gn_fmt(g, "__a%d.clone()", id)));
    }
    break;
  }
  case PY_ANN_ASSIGN:
    if (g->sc->kind == RS_SC_CLASS && n->u.ann_assign.target->kind == PY_NAME && n->u.ann_assign.simple)
      gn_emit(g, "rx::ns_annotate(&mut __ns, %s, Value::str(%s))?;", gn__cstr(g, n->u.ann_assign.target->u.name.id),
        gn__ann_text(g, n->u.ann_assign.annotation));
    if (n->u.ann_assign.value) gn_emit(g, "%s", gn__store(g, n->u.ann_assign.target, gn__expr(g, n->u.ann_assign.value)));
    break;
  case PY_AUG_ASSIGN: {
    py_node *t = n->u.aug_assign.target;
    const char *f = gn__binop_fn(n->u.aug_assign.op, true);
    if (t->kind == PY_NAME) {
      char *cur = gn__ref(g, t);
      char *v = gn__ref(g, n->u.aug_assign.value);
      gn_emit(g, "%s", gn__store_name(g, t->u.name.id, gn_fmt(g, "rt::%s(%s, %s)?", f, cur, v)));
    } else if (t->kind == PY_ATTRIBUTE) {
      int id = gn__id(g);
      gn_emit(g, "{");
      gn_emit(g, "    let __o%d = %s;", id, gn__expr(g, t->u.attribute.value));
      char *o = gn_fmt(g, "&__o%d", id);
      const char *name = gn__attr(g, t->u.attribute.attr);
      gn_emit(g, "    let __v%d = rt::%s(&%s, %s)?;", id, f, gn__getattr_of(g, o, name), gn__ref(g, n->u.aug_assign.value));
      gn_emit(g, "    %s;", gn__setattr(g, o, name, gn_fmt(g, "__v%d", id)));
      gn_emit(g, "}");
    } else if (t->kind == PY_SUBSCRIPT) {
      int id = gn__id(g);
      gn_emit(g, "{");
      gn_emit(g, "    let __o%d = %s;", id, gn__expr(g, t->u.subscript.value));
      gn_emit(g, "    let __k%d = %s;", id, gn__slice_key(g, t->u.subscript.slice));
      gn_emit(g, "    let __v%d = rt::%s(&rt::getitem(&__o%d, &__k%d)?, %s)?;", id, f, id, id, gn__ref(g, n->u.aug_assign.value));
      gn_emit(g, "    rt::setitem(&__o%d, &__k%d, __v%d)?;", id, id, id);
      gn_emit(g, "}");
    } else {
      gn__fail(g, t, "cannot augment-assign %s", py_kind_name(t->kind));
    }
    break;
  }
  case PY_DELETE:
    for (int i = 0; i < n->u.delete_.targets.n; i++) gn__delete(g, n->u.delete_.targets.v[i]);
    break;
  case PY_PASS: gn_emit(g, "// pass"); break;
  case PY_BREAK: gn_emit(g, "%s", gn__break(g)); break;
  case PY_CONTINUE: gn_emit(g, "%s", gn__continue(g)); break;
  case PY_RETURN:
    if (!g->fn) {
      gn__fail(g, n, "'return' outside function");
      break;
    }
    gn_emit(g, "%s", gn__ret(g, n->u.return_.value ? gn__expr(g, n->u.return_.value) : "Value::none()"));
    break;
  case PY_IF: gn__if(g, n, false); break;
  case PY_WHILE: gn__while(g, n); break;
  case PY_FOR:
    if (n->u.for_.is_async && !g->coro) gn__fail(g, n, "'async for' outside async function");
    else gn__for(g, n);
    break;
  case PY_TRY:
    if (n->u.try_.is_star) gn__fail(g, n, "except* is not supported yet");
    else gn__try(g, n);
    break;
  case PY_WITH:
    if (n->u.with.is_async && !g->coro) gn__fail(g, n, "'async with' outside async function");
    else gn__with(g, n, 0);
    break;
  case PY_RAISE:
    if (!n->u.raise.exc) {
      if (g->nhandlers) gn_emit(g, "return Err(%s.clone());", g->handlers[g->nhandlers - 1]);
      else gn_emit(g, "return Err(rx::reraise());");
    } else if (n->u.raise.cause) {
      char *v = gn__expr(g, n->u.raise.exc);
      gn_emit(g, "return Err(rt::raise_from(%s, %s));", v, gn__expr(g, n->u.raise.cause));
    } else {
      gn_emit(g, "return Err(rt::raise(%s));", gn__expr(g, n->u.raise.exc));
    }
    break;
  case PY_ASSERT:
    gn_emit(g, "if !(%s) {", gn__cond(g, n->u.assert_.test));
    gn_emit(g, "    return Err(rx::assert_error(%s));", n->u.assert_.msg ? gn_fmt(g, "Some(%s)", gn__expr(g, n->u.assert_.msg)) : "None");
    gn_emit(g, "}");
    break;
  case PY_GLOBAL:
  case PY_NONLOCAL: gn_emit(g, "// %s declaration", n->kind == PY_GLOBAL ? "global" : "nonlocal"); break;
  case PY_IMPORT: gn__import(g, n); break;
  case PY_IMPORT_FROM: gn__import_from(g, n); break;
  case PY_FUNCTION_DEF:
    gn__funcdef(g, n);
    break;
  case PY_CLASS_DEF: gn__classdef(g, n); break;
  case PY_MATCH: gn__match(g, n); break;
  default: gn__fail(g, n, "%s statements are not supported yet", py_kind_name(n->kind)); break;
  }
  g->depth--;
}

static void gn__body(gn *g, py_nodes body) {
  for (int i = 0; i < body.n && !g->err; i++) gn__stmt(g, body.v[i]);
}

/* ------------------------------------------------------------ typed twin */

static char *gn__ty_expr(gn *g, py_node *n);

static char gn__ty(gn *g, py_node *n) { return rs_ty_of(g->m, g->fn, n); }

/* n as an f64 expression (ints converted as Python's int.__float__ does
 * for the magnitudes i64 holds: round to nearest). */
static char *gn__ty_f(gn *g, py_node *n) {
  char *x = gn__ty_expr(g, n);
  return gn__ty(g, n) == 'f' ? x : gn_fmt(g, "(%s as f64)", x);
}

static const char *gn__ty_cmp_op(py_op op) {
  switch (op) {
  case PY_OP_EQ: return "==";
  case PY_OP_NOTEQ: return "!=";
  case PY_OP_LT: return "<";
  case PY_OP_LTE: return "<=";
  case PY_OP_GT: return ">";
  default: return ">=";
  }
}

static char *gn__ty_cond(gn *g, py_node *n) {
  switch (n->kind) {
  case PY_COMPARE: {
    /* typed operands are side-effect free: evaluating one twice is fine */
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_putc(&b, '(');
    py_node *l = n->u.compare.left;
    for (int i = 0; i < n->u.compare.comparators.n; i++) {
      py_node *r = n->u.compare.comparators.v[i];
      bool fl = gn__ty(g, l) == 'f' || gn__ty(g, r) == 'f';
      p_buf_printf(&b, "%s(%s %s %s)", i ? " && " : "", fl ? gn__ty_f(g, l) : gn__ty_expr(g, l),
                   gn__ty_cmp_op(n->u.compare.ops[i]), fl ? gn__ty_f(g, r) : gn__ty_expr(g, r));
      l = r;
    }
    p_buf_putc(&b, ')');
    char *r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    return r;
  }
  case PY_BOOL_OP: {
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_putc(&b, '(');
    for (int i = 0; i < n->u.bool_op.values.n; i++)
      p_buf_printf(&b, "%s%s", i ? (n->u.bool_op.op == PY_OP_AND ? " && " : " || ") : "", gn__ty_cond(g, n->u.bool_op.values.v[i]));
    p_buf_putc(&b, ')');
    char *r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    return r;
  }
  case PY_UNARY_OP:
    if (n->u.unary_op.op == PY_OP_NOT) return gn_fmt(g, "!%s", gn__ty_cond(g, n->u.unary_op.operand));
    break;
  default: break;
  }
  char t = gn__ty(g, n);
  if (t == 'b') return gn_fmt(g, "(%s)", gn__ty_expr(g, n));
  return t == 'f' ? gn_fmt(g, "(%s != 0.0)", gn__ty_expr(g, n)) : gn_fmt(g, "(%s != 0)", gn__ty_expr(g, n));
}

/* a op b over Rust expressions a (type ta) and b (type tb), not `**`. */
static char *gn__ty_binop_s(gn *g, py_op op, char *a, char ta, char *b, char tb) {
  if (op == PY_OP_DIV || ta == 'f' || tb == 'f') {
    if (ta != 'f') a = gn_fmt(g, "(%s as f64)", a);
    if (tb != 'f') b = gn_fmt(g, "(%s as f64)", b);
    switch (op) {
    case PY_OP_ADD: return gn_fmt(g, "(%s + %s)", a, b);
    case PY_OP_SUB: return gn_fmt(g, "(%s - %s)", a, b);
    case PY_OP_MULT: return gn_fmt(g, "(%s * %s)", a, b);
    case PY_OP_DIV: return gn_fmt(g, "ck!(rx::div_f64(%s, %s))", a, b);
    case PY_OP_FLOORDIV: return gn_fmt(g, "ck!(rx::floordiv_f64(%s, %s))", a, b);
    default: return gn_fmt(g, "ck!(rx::mod_f64(%s, %s))", a, b);
    }
  }
  switch (op) {
  case PY_OP_ADD: return gn_fmt(g, "ck!(%s.checked_add(%s))", a, b);
  case PY_OP_SUB: return gn_fmt(g, "ck!(%s.checked_sub(%s))", a, b);
  case PY_OP_MULT: return gn_fmt(g, "ck!(%s.checked_mul(%s))", a, b);
  case PY_OP_FLOORDIV: return gn_fmt(g, "ck!(rx::floordiv_i64(%s, %s))", a, b);
  default: return gn_fmt(g, "ck!(rx::mod_i64(%s, %s))", a, b);
  }
}

static char *gn__ty_binop(gn *g, py_op op, py_node *l, py_node *r) {
  bool fl = op == PY_OP_DIV || gn__ty(g, l) == 'f' || gn__ty(g, r) == 'f';
  if (op == PY_OP_POW) {
    if (fl) return gn_fmt(g, "ck!(rx::pow_f64(%s, %s))", gn__ty_f(g, l), gn__ty_f(g, r));
    return gn_fmt(g, "ck!(%s.checked_pow(%lld))", gn__ty_expr(g, l), (long long)r->u.int_.i64);
  }
  return gn__ty_binop_s(g, op, gn__ty_expr(g, l), gn__ty(g, l), gn__ty_expr(g, r), gn__ty(g, r));
}

/* The checked position of index i in the typed list named by list. */
static char *gn__ty_index(gn *g, py_node *sub) {
  const char *l = rs_scope_sym(g->fn, sub->u.subscript.value->u.name.id)->rname;
  return gn_fmt(g, "ck!(rx::ix(%s.len(), %s))", l, gn__ty_expr(g, sub->u.subscript.slice));
}

/* `[e] * n` / `n * [e]` (the same test as the typing's). */
static py_node *gn__ty_repeat(py_node *n, py_node **count) {
  if (n->kind != PY_BIN_OP || n->u.bin_op.op != PY_OP_MULT) return NULL;
  py_node *l = n->u.bin_op.left, *r = n->u.bin_op.right;
  if (l->kind == PY_LIST && l->u.list_or_tuple.elts.n == 1) return *count = r, l->u.list_or_tuple.elts.v[0];
  if (r->kind == PY_LIST && r->u.list_or_tuple.elts.n == 1) return *count = l, r->u.list_or_tuple.elts.v[0];
  return NULL;
}

static char *gn__ty_expr(gn *g, py_node *n) {
  switch (n->kind) {
  case PY_INT: return gn_fmt(g, "%lldi64", (long long)n->u.int_.i64);
  case PY_FLOAT: return gn__float(g, n->u.float_.value);
  case PY_BOOL: return n->u.bool_.value ? "true" : "false";
  case PY_ATTRIBUTE: { /* math.pi / e / tau / inf */
    const char *a = n->u.attribute.attr;
    return !strcmp(a, "pi") ? "std::f64::consts::PI" : !strcmp(a, "e") ? "std::f64::consts::E"
           : !strcmp(a, "tau") ? "std::f64::consts::TAU" : "f64::INFINITY";
  }
  case PY_NAME: return (char *)rs_scope_sym(g->fn, n->u.name.id)->rname;
  case PY_SUBSCRIPT:
    return gn_fmt(g, "%s[%s]", rs_scope_sym(g->fn, n->u.subscript.value->u.name.id)->rname, gn__ty_index(g, n));
  case PY_LIST: {
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_puts(&b, "vec![");
    for (int i = 0; i < n->u.list_or_tuple.elts.n; i++)
      p_buf_printf(&b, "%s%s", i ? ", " : "", gn__ty_expr(g, n->u.list_or_tuple.elts.v[i]));
    p_buf_putc(&b, ']');
    char *r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    return r;
  }
  case PY_UNARY_OP:
    if (gn__ty(g, n) == 'f') return gn_fmt(g, "(-%s)", gn__ty_expr(g, n->u.unary_op.operand));
    return gn_fmt(g, "ck!(%s.checked_neg())", gn__ty_expr(g, n->u.unary_op.operand));
  case PY_BIN_OP: {
    py_node *cnt = NULL, *el = gn__ty_repeat(n, &cnt);
    if (el) return gn_fmt(g, "ck!(rx::vec_rep(%s, %s))", gn__ty_expr(g, el), gn__ty_expr(g, cnt));
    return gn__ty_binop(g, n->u.bin_op.op, n->u.bin_op.left, n->u.bin_op.right);
  }
  case PY_IF_EXP:
    return gn_fmt(g, "(if %s { %s } else { %s })", gn__ty_cond(g, n->u.if_exp.test), gn__ty_expr(g, n->u.if_exp.body),
             gn__ty_expr(g, n->u.if_exp.orelse));
  case PY_CALL: {
    py_node *fn = n->u.call.func;
    py_nodes ca = n->u.call.args;
    if (fn->kind == PY_ATTRIBUTE) { /* math.<fn>(x): the only attribute calls the typing admits */
      const char *a = fn->u.attribute.attr;
      if (!strcmp(a, "sqrt")) return gn_fmt(g, "ck!(rx::sqrt_f64(%s))", gn__ty_f(g, ca.v[0]));
      if (!strcmp(a, "log")) return gn_fmt(g, "ck!(rx::log_f64(%s))", gn__ty_f(g, ca.v[0]));
      if (!strcmp(a, "floor") || !strcmp(a, "ceil") || !strcmp(a, "trunc")) {
        if (gn__ty(g, ca.v[0]) != 'f') return gn__ty_expr(g, ca.v[0]); /* math.floor(int) is that int */
        return gn_fmt(g, "ck!(rx::f64_to_i64(%s.%s()))", gn__ty_expr(g, ca.v[0]), a);
      }
      const char *rf = !strcmp(a, "log2") ? "log2" : !strcmp(a, "log10") ? "log10" : !strcmp(a, "log1p") ? "ln_1p"
                       : !strcmp(a, "expm1") ? "exp_m1" : !strcmp(a, "fabs") ? "abs" : !strcmp(a, "degrees") ? "to_degrees"
                       : !strcmp(a, "radians") ? "to_radians" : a;
      /* the functions the runtime's math module takes from its own libm.rs */
      bool own = !strcmp(a, "sin") || !strcmp(a, "cos") || !strcmp(a, "tan") || !strcmp(a, "atan") || !strcmp(a, "tanh") ||
                 !strcmp(a, "log10");
      return gn_fmt(g, "ck!(rx::math1(%s::%s, %s))", own ? "rx::libm" : "f64", rf, gn__ty_f(g, ca.v[0]));
    }
    const char *bn = fn->u.name.id;
    bool local = false;
    for (int i = 0; i < g->m->nfuncs; i++) {
      rs_scope *f = g->m->funcs[i];
      if (f->typed && f->parent == g->m->scope && strcmp(f->name, bn) == 0) local = true;
    }
    if (!local) {
      if (strcmp(bn, "abs") == 0)
        return gn__ty(g, ca.v[0]) == 'f' ? gn_fmt(g, "%s.abs()", gn__ty_expr(g, ca.v[0])) : gn_fmt(g, "ck!(%s.checked_abs())", gn__ty_expr(g, ca.v[0]));
      if (strcmp(bn, "min") == 0 || strcmp(bn, "max") == 0) {
        int id = gn__id(g);
        /* CPython keeps the first of equal (or unordered) items */
        return gn_fmt(g, "{ let __m%d_a = %s; let __m%d_b = %s; if __m%d_b %s __m%d_a { __m%d_b } else { __m%d_a } }", id,
                 gn__ty_expr(g, ca.v[0]), id, gn__ty_expr(g, ca.v[1]), id, strcmp(bn, "min") == 0 ? "<" : ">", id, id, id);
      }
      if (strcmp(bn, "float") == 0) return gn__ty_f(g, ca.v[0]);
      if (strcmp(bn, "len") == 0) return gn_fmt(g, "(%s.len() as i64)", gn__ty_expr(g, ca.v[0]));
      if (strcmp(bn, "int") == 0)
        return gn__ty(g, ca.v[0]) == 'f' ? gn_fmt(g, "ck!(rx::f64_to_i64(%s))", gn__ty_expr(g, ca.v[0])) : gn__ty_expr(g, ca.v[0]);
    }
    rs_scope *callee = NULL;
    for (int i = 0; i < g->m->nfuncs; i++) {
      rs_scope *f = g->m->funcs[i];
      if (f->typed && f->parent == g->m->scope && strcmp(f->name, n->u.call.func->u.name.id) == 0) callee = f;
    }
    if (!callee) {
      gn__fail(g, n, "internal: typed call target vanished");
      return "0";
    }
    p_buf b;
    p_buf_init(&b, 0);
    p_buf_printf(&b, "cc!(%s__fast(__d + 1", callee->rust_name);
    for (int i = 0; i < n->u.call.args.n; i++) p_buf_printf(&b, ", %s", gn__ty_expr(g, n->u.call.args.v[i]));
    p_buf_puts(&b, "))");
    char *r = p_arena_strdup(g->a, b.data);
    p_buf_free(&b);
    return r;
  }
  default:
    gn__fail(g, n, "internal: untyped expression in the typed path");
    return "0";
  }
}

static void gn__ty_body(gn *g, py_nodes body);

/* The value of n converted to the type of local sym (same type by the rules). */
static char *gn__ty_store_val(gn *g, rs_sym *y, py_node *n) {
  return y->ty == 'f' ? gn__ty_f(g, n) : gn__ty_expr(g, n);
}

/* In a typed region: a local the loop writes before reading is boxed back
 * only if it was set; this records that it was. */
static void gn__ty_mark(gn *g, py_node *name) {
  rs_sym *y = rs_scope_sym(g->fn, name->u.name.id);
  if (y && y->rflag == 'S') gn_emit(g, "__s_%s = true;", y->rname);
}

static void gn__ty_stmt(gn *g, py_node *n) {
  if (n->kind == PY_EXPR && n->u.expr.value->kind == PY_STR) return; /* a docstring */
  gn_emit(g, "// %s:%d", gn__file(g), n->line);
  switch (n->kind) {
  case PY_PASS: break;
  case PY_BREAK: gn_emit(g, "break;"); break;
  case PY_CONTINUE: gn_emit(g, "continue;"); break;
  case PY_RETURN:
    if (!n->u.return_.value) gn_emit(g, "return;");
    else gn_emit(g, "return %s;", g->fn->ret_type == 'f' ? gn__ty_f(g, n->u.return_.value) : gn__ty_expr(g, n->u.return_.value));
    break;
  case PY_EXPR: /* a call of a twin; its value (if any) is dropped */
    gn_emit(g, "let _ = %s;", gn__ty_expr(g, n->u.expr.value));
    break;
  case PY_ASSIGN: {
    py_node *tg = n->u.assign.targets.v[0], *v = n->u.assign.value;
    if (tg->kind == PY_SUBSCRIPT) { /* the value's type is the element type (the typing checked it) */
      const char *l = rs_scope_sym(g->fn, tg->u.subscript.value->u.name.id)->rname;
      gn_emit(g, "{ let __v = %s; let __k = %s; %s[__k] = __v; }", gn__ty_expr(g, v), gn__ty_index(g, tg), l);
      break;
    }
    if (tg->kind == PY_TUPLE) { /* every value first, then the stores */
      int id = gn__id(g);
      py_nodes ts = tg->u.list_or_tuple.elts, vs = v->u.list_or_tuple.elts;
      for (int i = 0; i < ts.n; i++)
        gn_emit(g, "let __t%d_%d = %s;", id, i, gn__ty_store_val(g, rs_scope_sym(g->fn, ts.v[i]->u.name.id), vs.v[i]));
      for (int i = 0; i < ts.n; i++) {
        gn_emit(g, "%s = __t%d_%d;", rs_scope_sym(g->fn, ts.v[i]->u.name.id)->rname, id, i);
        gn__ty_mark(g, ts.v[i]);
      }
      break;
    }
    rs_sym *y = rs_scope_sym(g->fn, tg->u.name.id);
    gn_emit(g, "%s = %s;", y->rname, gn__ty_store_val(g, y, v));
    gn__ty_mark(g, tg);
    break;
  }
  case PY_AUG_ASSIGN: {
    py_node *tg = n->u.aug_assign.target;
    if (tg->kind == PY_SUBSCRIPT) {
      rs_sym *ly = rs_scope_sym(g->fn, tg->u.subscript.value->u.name.id);
      char et = ly->ty == 'F' ? 'f' : 'i';
      gn_emit(g, "{ let __k = %s; let __o = %s[__k]; let __v = %s; %s[__k] = %s; }", gn__ty_index(g, tg), ly->rname,
        gn__ty_expr(g, n->u.aug_assign.value), ly->rname,
        gn__ty_binop_s(g, n->u.aug_assign.op, "__o", et, "__v", gn__ty(g, n->u.aug_assign.value)));
      break;
    }
    rs_sym *y = rs_scope_sym(g->fn, n->u.aug_assign.target->u.name.id);
    gn_emit(g, "%s = %s;", y->rname, gn__ty_binop(g, n->u.aug_assign.op, n->u.aug_assign.target, n->u.aug_assign.value));
    gn__ty_mark(g, tg);
    break;
  }
  case PY_IF:
    gn_emit(g, "if %s {", gn__ty_cond(g, n->u.if_.test));
    g->ind++;
    gn__ty_body(g, n->u.if_.body);
    g->ind--;
    if (n->u.if_.orelse.n) {
      gn_emit(g, "} else {");
      g->ind++;
      gn__ty_body(g, n->u.if_.orelse);
      g->ind--;
    }
    gn_emit(g, "}");
    break;
  case PY_WHILE:
    gn_emit(g, "while %s {", gn__ty_cond(g, n->u.while_.test));
    g->ind++;
    if (g->ticks) gn_emit(g, "rx::tick();");
    gn__ty_body(g, n->u.while_.body);
    g->ind--;
    gn_emit(g, "}");
    break;
  case PY_FOR: {
    py_node *c = n->u.for_.iter;
    int id = gn__id(g);
    if (c->kind == PY_NAME) { /* a list iterator: re-reads the length every step, as CPython's does */
      const char *l = rs_scope_sym(g->fn, c->u.name.id)->rname;
      gn_emit(g, "let mut __k%d: usize = 0;", id);
      gn_emit(g, "while __k%d < %s.len() {", id, l);
      g->ind++;
      if (g->ticks) gn_emit(g, "rx::tick();");
      gn_emit(g, "%s = %s[__k%d];", rs_scope_sym(g->fn, n->u.for_.target->u.name.id)->rname, l, id);
      gn__ty_mark(g, n->u.for_.target);
      gn_emit(g, "__k%d += 1;", id);
      gn__ty_body(g, n->u.for_.body);
      g->ind--;
      gn_emit(g, "}");
      break;
    }
    py_nodes a = c->u.call.args;
    const char *start = a.n >= 2 ? gn__ty_expr(g, a.v[0]) : "0i64";
    const char *stop = gn__ty_expr(g, a.n >= 2 ? a.v[1] : a.v[0]);
    const char *step = a.n == 3 ? gn__ty_expr(g, a.v[2]) : "1i64";
    bool neg = a.n == 3 && a.v[2]->kind == PY_UNARY_OP;
    gn_emit(g, "let mut __i%d: i64 = %s;", id, start);
    gn_emit(g, "let __stop%d: i64 = %s;", id, stop);
    gn_emit(g, "while __i%d %s __stop%d {", id, neg ? ">" : "<", id);
    g->ind++;
    if (g->ticks) gn_emit(g, "rx::tick();");
    gn_emit(g, "%s = __i%d;", rs_scope_sym(g->fn, n->u.for_.target->u.name.id)->rname, id);
    gn__ty_mark(g, n->u.for_.target);
    gn_emit(g, "__i%d = ck!(__i%d.checked_add(%s));", id, id, step);
    gn__ty_body(g, n->u.for_.body);
    g->ind--;
    gn_emit(g, "}");
    break;
  }
  default: gn__fail(g, n, "internal: untyped statement in the typed path"); break;
  }
}

static void gn__ty_body(gn *g, py_nodes body) {
  for (int i = 0; i < body.n && !g->err; i++) gn__ty_stmt(g, body.v[i]);
}

static const char *gn__rty(char t) { return rs_ty_rust(t); }

static const char *gn__rzero(char t) {
  switch (t) {
  case 'f': return "0.0";
  case 'b': return "false";
  case 'I': case 'F': case 'B': return "Vec::new()";
  default: return "0";
  }
}

static bool gn__ty_list(char t) { return t == 'I' || t == 'F' || t == 'B'; }


static void gn__typed_fn(gn *g, rs_scope *f) {
  py_arguments *a = f->node->u.function_def.args;
  p_buf sig;
  p_buf_init(&sig, 0);
  for (int i = 0; i < a->all.n; i++)
    p_buf_printf(&sig, ", %s: %s%s", rs_scope_sym(f, a->all.v[i]->u.arg.name)->rname,
                 gn__ty_list(f->param_types[i]) ? "&mut " : "", gn__rty(f->param_types[i]));
  gn_emit(g, "// %s:%d unboxed twin of %s (rx::failed() after it = overflow, division by zero, index out of range or",
    gn__file(g), f->node->line, f->qualname);
  gn_emit(g, "// too deep: the dynamic fn re-runs the call; list parameters are copies the caller writes back on success)");
  gn_emit(g, "fn %s__fast(__d: u32%s) -> %s {", f->rust_name, sig.data, gn__rty(f->ret_type));
  p_buf_free(&sig);
  g->ind++;
  gn_emit(g, "if __d > 800 { return rx::bail(); }");
  for (int i = 0; i < f->nsyms; i++) {
    rs_sym *y = &f->syms[i];
    if (!(y->flags & RS_F_PARAM) && y->bind == RS_BIND_LOCAL && y->ty)
      gn_emit(g, "let mut %s: %s = %s;", y->rname, gn__rty(y->ty), gn__rzero(y->ty));
  }
  for (int i = 0; i < a->all.n; i++) {
    const char *r = rs_scope_sym(f, a->all.v[i]->u.arg.name)->rname;
    gn_emit(g, "let mut %s = %s;", r, r);
  }
  g->typed = true;
  g->ticks = false;
  for (int i = 0; i < a->all.n; i++) g->ticks |= gn__ty_list(f->param_types[i]);
  gn__ty_body(g, f->node->u.function_def.body);
  g->typed = false;
  g->ticks = false;
  g->ind--;
  gn_emit(g, "}");
  p_buf_putc(g->o, '\n');
}

/* ------------------------------------------------------------ fns */

static void gn__params_static(gn *g, rs_scope *f, p_buf *out) {
  py_arguments *a = gn__args_of(f);
  p_buf names;
  p_buf_init(&names, 0);
  int npos = 0, posonly = 0, kwonly = 0;
  bool star = false, dstar = false;
  for (int i = 0; a && i < a->all.n; i++) {
    py_node *p = a->all.v[i];
    p_buf_printf(&names, "%s%s", i ? ", " : "", gn__cstr(g, p->u.arg.name));
    switch (p->u.arg.kind) {
    case PY_PARAM_POSONLY: posonly++; npos++; break;
    case PY_PARAM_NORMAL: npos++; break;
    case PY_PARAM_VARARG: star = true; break;
    case PY_PARAM_KWONLY: kwonly++; break;
    case PY_PARAM_KWARG: dstar = true; break;
    }
  }
  const char *name = f->kind == RS_SC_FUNC ? f->node->u.function_def.name : f->name;
  p_buf_printf(out,
               "static P_%s: Params = Params { name: %s, qualname: %s, args: &[%s], posonly: %d, npos: %d, "
               "star: %s, kwonly: %d, dstar: %s };\n",
               f->rust_name, gn__cstr(g, name), gn__cstr(g, f->qualname), names.data ? names.data : "", posonly, npos,
               star ? "true" : "false", kwonly, dstar ? "true" : "false");
  p_buf_free(&names);
}

/* Declarations at the top of a fn: parameters, free cells, locals. */
static void gn__prologue(gn *g, rs_scope *f) {
  py_arguments *a = gn__args_of(f);
  int np = 0;
  if (f->kind == RS_SC_GENEXP) {
    gn_emit(g, "let __it0 = __a[0].clone();");
  } else {
    for (int i = 0; a && i < a->all.n; i++, np++) {
      rs_sym *y = rs_scope_sym(f, a->all.v[i]->u.arg.name);
      if (y->bind == RS_BIND_CELL) gn_emit(g, "let %s = Cell::new(__a[%d].clone());", y->rname, i);
      /* a parameter no statement rebinds is read where the caller put it */
      else if (!g->gen && !(y->flags & RS_F_STORED) && y->bind == RS_BIND_LOCAL && (!y->ty || !f->nregions)) gn_emit(g, "let %s = &__a[%d];", y->rname, i);
      else gn_emit(g, "let mut %s = __a[%d].clone();", y->rname, i);
    }
  }
  for (int i = 0; i < f->nfrees; i++) {
    rs_sym *y = rs_scope_sym(f, f->frees[i]);
    gn_emit(g, "let %s = __cl[%d].clone();", y ? y->rname : rs_ident(g->a, f->frees[i]), i);
  }
  for (int i = 0; i < f->nsyms; i++) {
    rs_sym *y = &f->syms[i];
    if (y->flags & RS_F_PARAM) continue;
    if (y->bind == RS_BIND_LOCAL && (y->flags & RS_F_MAYBE_UNBOUND)) gn_emit(g, "let mut %s = rx::unbound();", y->rname);
    else if (y->bind == RS_BIND_LOCAL) gn_emit(g, "let mut %s = Value::none();", y->rname);
    else if (y->bind == RS_BIND_CELL) gn_emit(g, "let %s = Cell::named(%s);", y->rname, gn__cstr(g, y->name));
  }
}

static int gn__function(gn *g0, rs_scope *f, p_buf *out, p_buf *statics) {
  gn g = *g0;
  g.o = out;
  g.ind = 0;
  g.sc = f;
  g.fn = f;
  g.gen = f->is_generator;
  g.coro = f->is_async;
  g.agen = f->is_async && f->has_yield;
  g.closure = 0;
  g.nloops = 0;
  g.nhandlers = 0;
  g.tmp = 0;
  g.depth = 0;
  if (f->typed) gn__typed_fn(&g, f);
  if (g.err) return g.err;
  if (f->kind != RS_SC_GENEXP) gn__params_static(&g, f, statics);
  const char *what = f->kind == RS_SC_LAMBDA ? "lambda" : f->kind == RS_SC_GENEXP ? "generator expression" : "def";
  gn_emit(&g, "// %s:%d %s %s", gn__file(&g), f->node->line, what, f->qualname);
  gn_emit(&g, "fn %s(__g: &Value, __cl: &[Cell], __a: &[Value]) -> PyResult<Value> {", f->rust_name);
  g.ind++;
  if (f->typed) {
    /* try the twin when the arguments have the types it was compiled for:
     * scalars by value, lists copied in (exact element types, no list
     * passed twice) and, for the lists it stores into, copied back */
    py_arguments *a = f->node->u.function_def.args;
    p_buf pat, vals, call, cin, cout, addrs, lens, pin;
    p_buf_init(&lens, 0);
    p_buf_init(&pin, 0);
    p_buf_init(&pat, 0);
    p_buf_init(&vals, 0);
    p_buf_init(&call, 0);
    p_buf_init(&cin, 0);
    p_buf_init(&cout, 0);
    p_buf_init(&addrs, 0);
    int nlists = 0;
    for (int i = 0; i < a->all.n; i++) {
      char t = f->param_types[i];
      const char *vk = t == 'f' ? "Float" : t == 'i' ? "Int" : "List";
      p_buf_printf(&pat, "%sValue::%s(__p%d)", i ? ", " : "", vk, i);
      p_buf_printf(&vals, "%s&__a[%d]", i ? ", " : "", i);
      if (gn__ty_list(t)) {
        const char *ek = t == 'F' ? "f64" : t == 'I' ? "i64" : "bool";
        p_buf_printf(&cin, "%srx::list_in_%s(__p%d)", nlists ? ", " : "", ek, i);
        p_buf_printf(&pin, "%sSome(mut __v%d)", nlists ? ", " : "", i);
        p_buf_printf(&lens, " + __v%d.len()", i);
        p_buf_printf(&call, ", &mut __v%d", i);
        p_buf_printf(&addrs, "%srx::addr(__p%d)", nlists ? ", " : "", i);
        if (rs_stores_items(f->node->u.function_def.body, a->all.v[i]->u.arg.name)) p_buf_printf(&cout, " rx::list_out_%s(__p%d, &__v%d);", ek, i, i);
        nlists++;
      } else {
        p_buf_printf(&call, ", *__p%d", i);
      }
    }
    gn_emit(&g, "if let (%s,) = (%s,) {", pat.data, vals.data);
    g.ind++;
    int opened = gn__copy_in_open(&g, nlists, pin.data, cin.data, addrs.data);
    const char *ret = f->ret_type == 'f' ? "Value::float(__r)" : f->ret_type == 'b' ? "Value::Bool(__r)"
                    : f->ret_type == 'n' ? "Value::none()" : "Value::int(__r)";
    /* start the twin's depth at the Python call depth, so that a twin that
     * bails out for depth is not re-entered from every dynamic level */
    if (nlists) gn_emit(&g, "let __w0 = rx::work();");
    gn_emit(&g, "rx::clear_failed();");
    gn_emit(&g, "let __r = %s__fast(rt::object::frame_depth() as u32%s);", f->rust_name, call.data);
    if (nlists) gn_emit(&g, "__SITE.account(0%s, rx::work() - __w0);", lens.data);
    gn_emit(&g, "if !rx::failed() {%s return Ok(%s); }", cout.data ? cout.data : "", ret);
    for (; opened > 0; opened--) {
      g.ind--;
      gn_emit(&g, "}");
    }
    g.ind--;
    gn_emit(&g, "}");
    p_buf_free(&pin);
    p_buf_free(&pat);
    p_buf_free(&vals);
    p_buf_free(&call);
    p_buf_free(&cin);
    p_buf_free(&cout);
    p_buf_free(&addrs);
    p_buf_free(&lens);
  }
  if (g.gen) {
    gn_emit(&g, "let __g = __g.clone();");
    gn_emit(&g, "let __cl: Vec<Cell> = __cl.to_vec();");
    gn_emit(&g, "let __a: Vec<Value> = __a.to_vec();");
    if (f->is_async)
      gn_emit(&g, "Ok(rt::make_coroutine(%s, %s, %s, move |__co: Co| async move {", gn__cstr(&g, f->node->u.function_def.name),
        gn__cstr(&g, f->qualname), f->has_yield ? "true" : "false");
    else
      gn_emit(&g, "Ok(rt::make_generator(%s, %s, move |__co: Co| async move {", gn__cstr(&g, f->kind == RS_SC_FUNC ? f->node->u.function_def.name : f->name),
        gn__cstr(&g, f->qualname));
    g.ind++;
    gn_emit(&g, "let __g = &__g;");
  } else {
    gn_emit(&g, "let __fr = rt::Frame::enter(%s, %s, %d);", gn__cstr(&g, f->kind == RS_SC_FUNC ? f->node->u.function_def.name : f->name),
      gn__cstr(&g, gn__file(&g)), f->node->line);
  }
  gn__prologue(&g, f);
  if (f->kind == RS_SC_FUNC) {
    gn__body(&g, f->node->u.function_def.body);
    gn_emit(&g, "Ok(Value::none())");
  } else if (f->kind == RS_SC_LAMBDA) {
    gn_emit(&g, "// %s:%d", gn__file(&g), f->node->u.lambda.body->line);
    gn_emit(&g, "Ok(%s)", gn__expr(&g, f->node->u.lambda.body));
  } else { /* genexp */
    py_node *n = f->node;
    char *action = gn_fmt(&g, "__co.yield_(%s).await?;", gn__expr(&g, n->u.comp.elt));
    gn_emit(&g, "%s", gn__comp_loops(&g, n, "__it0", action));
    gn_emit(&g, "Ok(Value::none())");
  }
  if (g.gen) {
    g.ind--;
    gn_emit(&g, "}))");
  }
  g.ind--;
  gn_emit(&g, "}");
  p_buf_putc(g.o, '\n');
  return g.err;
}

/* The slots of the module's fixed names (see gn__gslot). */
static void gn__gslot_decls(gn *g, p_buf *out) {
  const an_scope *ms = g->m->scope->an;
  if (!ms) return;
  bool any = false;
  for (int i = 0; i < ms->nsyms; i++) {
    const char *slot = gn__gslot(g, ms->syms[i].name);
    if (!slot) continue;
    if (!any) p_buf_puts(out, "// Module names bound only by this module's own statements: read without a dict lookup.\nportalis_rt::sites! {\n");
    any = true;
    p_buf_printf(out, "    static %s: rx::GSlot = rx::GSlot::new();\n", slot);
  }
  if (any) p_buf_puts(out, "}\n");
}

int rs_gen_module(rs_program *p, rs_module *m, p_buf *out, p_err *e) {
  gn_consts consts = {0};
  gn g = {.p = p, .m = m, .a = p->arena, .e = e, .k = &consts};
  p_buf fns, statics, body;
  p_buf_init(&fns, 0);
  p_buf_init(&statics, 0);
  p_buf_init(&body, 0);
  g.o = &body;
  g.sc = m->scope;
  g.fn = NULL;
  g.ind = 1;
  if (m->py->is_entry || m->py == p->py->entry)
    gn_emit(&g, "let __fr = rx::top_frame(); // run_main entered the <module> frame");
  else
    gn_emit(&g, "let __fr = rt::Frame::enter(\"<module>\", %s, 1);", gn__cstr(&g, m->py->path));
  const char *doc = m->py->node->u.module.docstring;
  if (!m->py->doctest_host) /* an example runs in its module's globals */
    gn_emit(&g, "rt::mod_set(__g, \"__doc__\", %s);", doc ? gn_fmt(&g, "Value::str(%s)", gn__cstr(&g, doc)) : "Value::none()");
  gn__body(&g, m->py->node->u.module.body);
  for (int i = 0; i < m->nfuncs && !g.err; i++) g.err = gn__function(&g, m->funcs[i], &fns, &statics);
  if (!g.err) {
    p_buf_printf(out, "// Generated by Portalis from %s (module %s). Regenerate instead of editing.\n", m->py->path, m->py->name);
    p_buf_puts(out, "use portalis_rt::prelude::*;\nuse portalis_rt::extra as rx;\nuse portalis_rt::extra::Flow;\n\n");
    bool typed = m->scope->nregions > 0;
    for (int i = 0; i < m->nfuncs; i++) typed |= m->funcs[i]->typed || m->funcs[i]->nregions;
    if (typed)
      p_buf_puts(out, "// Unboxed twins signal failure through rx::failed(): ck! unwraps a checked result,\n"
                      "// cc! returns right after a call to another twin that failed.\n"
                      "macro_rules! ck { ($e:expr) => { match $e { Some(v) => v, None => return rx::bail() } }; }\n"
                      "macro_rules! cc { ($e:expr) => {{ let v = $e; if rx::failed() { return rx::bail(); } v }}; }\n\n");
    p_buf_printf(out, "// %s:1 module body\npub fn body(__g: &Value) -> PyResult<()> {\n", m->py->path);
    p_buf_append(out, body.data ? body.data : "", body.len);
    p_buf_puts(out, "    Ok(())\n}\n\n");
    p_buf_append(out, fns.data ? fns.data : "", fns.len);
    p_buf_append(out, statics.data ? statics.data : "", statics.len);
    gn__gslot_decls(&g, out);
    gn__const_decls(&consts, out);
    if (out->err) g.err = p_err_set(e, out->err, "generated Rust is too large");
  }
  p_buf_free(&fns);
  p_buf_free(&statics);
  p_buf_free(&body);
  return g.err;
}

/* The doctests of the program (ing_doctest.c), as the table that
 * doctest.testmod() walks (rt::ext::doctest): per module, every object
 * DocTestFinder lists, each example with the Rust module compiled from it. */
static void gn__doctest_table(rs_program *p, p_buf *out) {
  const py_program *py = p->py;
  if (!py->ndoctests) return;
  p_arena *a = p->arena;
  p_buf_puts(out, "\nuse portalis_rt::ext::doctest as dt;\n// The docstring examples, compiled (doctest.testmod() runs them).\n");
  p_buf_puts(out, "static DOCTESTS: &[dt::Module] = &[\n");
  for (int i = 0; i < py->ndoctests; i++) {
    const py_dt_module *dm = &py->doctests[i];
    p_buf_printf(out, "    dt::Module { name: %s, tests: &[\n", rs_str_lit(a, dm->name));
    for (int k = 0; k < dm->ntests; k++) {
      const py_dt_test *t = &dm->tests[k];
      p_buf_printf(out, "        dt::Test { name: %s, path: %s, doc: %s, lineno: %d, examples: &[\n", rs_str_lit(a, t->name),
                   rs_str_lit(a, t->path), t->docstring ? p_arena_printf(a, "Some(%s)", rs_str_lit(a, t->docstring)) : "None",
                   t->lineno);
      for (int x = 0; x < t->nexamples; x++) {
        const py_dt_example *ex = &t->examples[x];
        const char *rm = "?";
        for (int j = 0; j < p->nmods; j++)
          if (p->mods[j].py == ex->mod) rm = p->mods[j].rust_mod;
        p_buf_printf(out, "            dt::Example { source: %s, want: %s, exc_msg: %s, lineno: %d, indent: %d, on: %d, off: %d, body: %s::body },\n",
                     rs_str_lit(a, ex->source), rs_str_lit(a, ex->want),
                     ex->exc_msg ? p_arena_printf(a, "Some(%s)", rs_str_lit(a, ex->exc_msg)) : "None", ex->lineno,
                     ex->indent, ex->opt_on, ex->opt_off, rm);
      }
      p_buf_puts(out, "        ] },\n");
    }
    p_buf_puts(out, "    ] },\n");
  }
  p_buf_puts(out, "];\n");
}

int rs_gen_main(rs_program *p, p_buf *out, p_err *e) {
  rs_module *entry = NULL;
  for (int i = 0; i < p->nmods; i++)
    if (p->mods[i].py->is_entry || p->mods[i].py == p->py->entry) entry = &p->mods[i];
  if (!entry) return p_err_set(e, P_EINVAL, "the program has no entry module");
  p_buf_puts(out, "// Generated by Portalis. The crate root: one Rust module per Python module.\n");
  p_buf_puts(out, "#![allow(warnings)]\n#![recursion_limit = \"1024\"]\n\n");
  for (int i = 0; i < p->nmods; i++)
    if (!p->mods[i].crate_ref) p_buf_printf(out, "mod %s; // %s\n", p->mods[i].rust_mod, p->mods[i].py->path);
    else p_buf_printf(out, "// %s: %s::%s (a library crate, stdlib/)\n", p->mods[i].py->path, p->mods[i].crate_ref, p->mods[i].rust_mod);
  /* __import__ with a name known only at run time may ask for any runtime
   * module: only then does the program link them all. */
  bool dyn_import = false;
  for (int i = 0; i < p->nmods && !dyn_import; i++)
    dyn_import = p->mods[i].py->src && strstr(p->mods[i].py->src, "__import__");
  gn__doctest_table(p, out);
  p_buf_printf(out, "\nfn main() {\n%s%s    portalis_rt::run_main(%s, %s::body)\n}\n",
               dyn_import ? "    portalis_rt::stdlib::enable_dynamic_import();\n" : "",
               p->py->ndoctests ? "    portalis_rt::ext::doctest::register(DOCTESTS);\n" : "",
               rs_str_lit(p->arena, entry->py->path), entry->rust_mod);
  return out->err ? p_err_set(e, out->err, "generated Rust is too large") : 0;
}
