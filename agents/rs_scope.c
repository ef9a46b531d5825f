/*
 * rs_scope.c - the translator's view of Python scoping: which Rust variable,
 * cell or module-dict slot every name of every scope turns into.
 *
 * Python decides at compile time, per function, whether a name is local,
 * global or free, and which locals are cells; CPython's symtable makes that
 * decision and Analysis (analysis.c, an_scope_of / an_lookup) reproduces it
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
 *   - a Rust identifier per local, unbound-local checks (locals that may be
 *     read before assignment), and the typed fast path (the "typed path"
 *     section below).
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
  if (s->nsyms == s->capsyms) {
    int cap = s->capsyms ? s->capsyms * 2 : 16;
    rs_sym *n = p_arena_alloc(c->a, sizeof *n * (size_t)cap);
    if (s->nsyms) memcpy(n, s->syms, sizeof *n * (size_t)s->nsyms);
    s->syms = n;
    s->capsyms = cap;
  }
  y = &s->syms[s->nsyms++];
  memset(y, 0, sizeof *y);
  y->name = name;
  y->rname = rs_ident(c->a, name);
  return y;
}

static void sc__add_free(sc_ctx *c, rs_scope *s, const char *name) {
  for (int i = 0; i < s->nfrees; i++)
    if (strcmp(s->frees[i], name) == 0) return;
  if (s->nfrees == s->capfrees) {
    int cap = s->capfrees ? s->capfrees * 2 : 8;
    const char **n = p_arena_alloc(c->a, sizeof *n * (size_t)cap);
    if (s->nfrees) memcpy(n, s->frees, sizeof *n * (size_t)s->nfrees);
    s->frees = n;
    s->capfrees = cap;
  }
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
    if (m->nfuncs == m->capfuncs) {
      int cap = m->capfuncs ? m->capfuncs * 2 : 16;
      rs_scope **nf = p_arena_alloc(c->a, sizeof *nf * (size_t)cap);
      if (m->nfuncs) memcpy(nf, m->funcs, sizeof *nf * (size_t)m->nfuncs);
      m->funcs = nf;
      m->capfuncs = cap;
    }
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
 * raises UnboundLocalError there. Most locals are definitely assigned
 * before every read, and those stay plain; the rest are marked
 * RS_F_MAYBE_UNBOUND and start as the runtime's "unbound" marker, checked on
 * every read (rx::local). "Definitely assigned" is a forward walk over the
 * statements with the set of names bound on every path so far: a loop
 * target is bound inside its body, an except name inside its handler, a
 * name bound in both branches of an if after it; a read of a name outside
 * the set, or any `del`, makes it maybe-unbound.
 */

typedef struct ub_ctx {
  rs_scope *f;
  const char **bound;
  int nbound, cap;
  p_arena *a;
} ub_ctx;

static bool ub__is_bound(ub_ctx *u, const char *name) {
  for (int i = 0; i < u->nbound; i++)
    if (strcmp(u->bound[i], name) == 0) return true;
  return false;
}

static void ub__add(ub_ctx *u, const char *name) {
  if (ub__is_bound(u, name)) return;
  if (u->nbound == u->cap) {
    int cap = u->cap ? u->cap * 2 : 16;
    const char **nb = p_arena_alloc(u->a, sizeof *nb * (size_t)cap);
    if (u->nbound) memcpy(nb, u->bound, sizeof *nb * (size_t)u->nbound);
    u->bound = nb;
    u->cap = cap;
  }
  u->bound[u->nbound++] = name;
}

static void ub__mark(ub_ctx *u, const char *name) {
  rs_sym *y = rs_scope_sym(u->f, name);
  if (y && y->bind == RS_BIND_LOCAL && !(y->flags & RS_F_PARAM)) y->flags |= RS_F_MAYBE_UNBOUND;
}

/* Marks reads of not-yet-bound names in n (nested defs/lambdas are their
 * own functions: their reads go through cells). */
static int ub__reads(py_node *n, void *ctx) {
  ub_ctx *u = ctx;
  switch (n->kind) {
  case PY_FUNCTION_DEF:
    for (int i = 0; i < n->u.function_def.decorators.n; i++) ub__reads(n->u.function_def.decorators.v[i], ctx);
    for (int i = 0; i < n->u.function_def.args->all.n; i++)
      if (n->u.function_def.args->all.v[i]->u.arg.default_) ub__reads(n->u.function_def.args->all.v[i]->u.arg.default_, ctx);
    return 0;
  case PY_LAMBDA:
    for (int i = 0; n->u.lambda.args && i < n->u.lambda.args->all.n; i++)
      if (n->u.lambda.args->all.v[i]->u.arg.default_) ub__reads(n->u.lambda.args->all.v[i]->u.arg.default_, ctx);
    return 0;
  case PY_NAME:
    if (n->u.name.ctx == PY_LOAD && !ub__is_bound(u, n->u.name.id)) ub__mark(u, n->u.name.id);
    if (n->u.name.ctx == PY_DEL) ub__mark(u, n->u.name.id);
    return 0;
  case PY_AUG_ASSIGN:
    if (n->u.aug_assign.target->kind == PY_NAME && !ub__is_bound(u, n->u.aug_assign.target->u.name.id))
      ub__mark(u, n->u.aug_assign.target->u.name.id);
    break;
  default:
    break;
  }
  return py_node_children(n, ub__reads, ctx);
}

static void ub__bind_target(ub_ctx *u, py_node *t) {
  if (t->kind == PY_NAME) ub__add(u, t->u.name.id);
  else if (t->kind == PY_TUPLE || t->kind == PY_LIST)
    for (int i = 0; i < t->u.list_or_tuple.elts.n; i++) ub__bind_target(u, t->u.list_or_tuple.elts.v[i]);
  else if (t->kind == PY_STARRED) ub__bind_target(u, t->u.starred.value);
}

static void ub__block(ub_ctx *u, py_nodes body, int depth);

/* Reads of an expression (NULL is fine). */
static void ub__expr(ub_ctx *u, py_node *n) {
  if (n) ub__reads(n, u);
}

/* Names bound by a simple statement, added after its reads. */
static void ub__simple_binds(ub_ctx *u, py_node *s) {
  switch (s->kind) {
  case PY_ASSIGN:
    for (int k = 0; k < s->u.assign.targets.n; k++) ub__bind_target(u, s->u.assign.targets.v[k]);
    break;
  case PY_ANN_ASSIGN:
    if (s->u.ann_assign.value) ub__bind_target(u, s->u.ann_assign.target);
    break;
  case PY_FUNCTION_DEF: ub__add(u, s->u.function_def.name); break;
  case PY_CLASS_DEF: ub__add(u, s->u.class_def.name); break;
  case PY_IMPORT:
    for (int k = 0; k < s->u.import.names.n; k++) {
      py_node *al = s->u.import.names.v[k];
      if (al->u.alias.asname) ub__add(u, al->u.alias.asname);
      else {
        const char *dot = strchr(al->u.alias.name, '.');
        ub__add(u, dot ? p_arena_strndup(u->a, al->u.alias.name, (size_t)(dot - al->u.alias.name)) : al->u.alias.name);
      }
    }
    break;
  case PY_IMPORT_FROM:
    for (int k = 0; k < s->u.import_from.names.n; k++) {
      py_node *al = s->u.import_from.names.v[k];
      ub__add(u, al->u.alias.asname ? al->u.alias.asname : al->u.alias.name);
    }
    break;
  default:
    break;
  }
}

/* Runs a sub-block on a copy of the bound set; returns the names it added
 * (arena array, *n of them) and restores the set. */
static const char **ub__sub(ub_ctx *u, py_nodes body, int depth, int *n) {
  int save = u->nbound;
  ub__block(u, body, depth + 1);
  *n = u->nbound - save;
  const char **added = NULL;
  if (*n) {
    added = p_arena_alloc(u->a, sizeof *added * (size_t)*n);
    memcpy(added, u->bound + save, sizeof *added * (size_t)*n);
  }
  u->nbound = save;
  return added;
}

static void ub__stmt(ub_ctx *u, py_node *s, int depth) {
  if (depth > 200) { /* give up precision, never correctness: everything read is checked */
    ub__reads(s, u);
    return;
  }
  int na, nb;
  switch (s->kind) {
  case PY_IF: {
    ub__expr(u, s->u.if_.test);
    const char **a = ub__sub(u, s->u.if_.body, depth, &na);
    const char **b = ub__sub(u, s->u.if_.orelse, depth, &nb);
    for (int i = 0; i < na; i++) /* bound on both paths */
      for (int k = 0; k < nb; k++)
        if (strcmp(a[i], b[k]) == 0) ub__add(u, a[i]);
    break;
  }
  case PY_WHILE:
    ub__expr(u, s->u.while_.test);
    ub__sub(u, s->u.while_.body, depth, &na);
    ub__sub(u, s->u.while_.orelse, depth, &nb);
    break;
  case PY_FOR: {
    ub__expr(u, s->u.for_.iter);
    int save = u->nbound;
    ub__bind_target(u, s->u.for_.target);
    ub__sub(u, s->u.for_.body, depth, &na);
    u->nbound = save;
    ub__sub(u, s->u.for_.orelse, depth, &nb);
    break;
  }
  case PY_WITH: {
    for (int k = 0; k < s->u.with.items.n; k++) ub__expr(u, s->u.with.items.v[k]->u.with_item.context_expr);
    for (int k = 0; k < s->u.with.items.n; k++)
      if (s->u.with.items.v[k]->u.with_item.optional_vars) ub__bind_target(u, s->u.with.items.v[k]->u.with_item.optional_vars);
    /* the body may be left early by an exception that __exit__ swallows:
     * its bindings are not definite afterwards */
    ub__sub(u, s->u.with.body, depth, &na);
    break;
  }
  case PY_TRY: {
    int save = u->nbound;
    ub__block(u, s->u.try_.body, depth + 1);
    ub__block(u, s->u.try_.orelse, depth + 1); /* else runs after the whole body */
    u->nbound = save;
    for (int k = 0; k < s->u.try_.handlers.n; k++) {
      py_node *h = s->u.try_.handlers.v[k];
      ub__expr(u, h->u.except_handler.type);
      int hs = u->nbound;
      /* the name is deleted when the handler ends: every read is checked */
      if (h->u.except_handler.name) ub__mark(u, h->u.except_handler.name);
      if (h->u.except_handler.name) ub__add(u, h->u.except_handler.name);
      ub__block(u, h->u.except_handler.body, depth + 1);
      u->nbound = hs;
    }
    ub__sub(u, s->u.try_.finalbody, depth, &na);
    break;
  }
  case PY_FUNCTION_DEF:
  case PY_CLASS_DEF:
    ub__reads(s, u); /* decorators, bases; a class body reads at definition */
    ub__simple_binds(u, s);
    break;
  case PY_AUG_ASSIGN:
    ub__reads(s, u);
    if (s->u.aug_assign.target->kind == PY_NAME) ub__add(u, s->u.aug_assign.target->u.name.id);
    break;
  default:
    ub__reads(s, u);
    ub__simple_binds(u, s);
    break;
  }
}

static void ub__block(ub_ctx *u, py_nodes body, int depth) {
  for (int i = 0; i < body.n; i++) ub__stmt(u, body.v[i], depth);
}

static void ub__function(p_arena *a, rs_scope *f) {
  ub_ctx u = {f, NULL, 0, 0, a};
  ub__block(&u, f->node->u.function_def.body, 0);
}

/* ------------------------------------------------------------ typed path */

/*
 * The unboxed fast path. A function gets a twin `<name>__fast` over i64/f64
 * when, assuming its arguments are exactly int (or float, where Analysis
 * says the parameter is a float), we can prove from this module alone that
 * its body only does arithmetic and comparisons on ints and floats and calls
 * itself or other such functions. The dynamic fn checks the argument types
 * at run time and tries the twin first; the twin returns None when it cannot
 * finish exactly as Python would (i64 overflow, division by zero, too deep)
 * and the dynamic body then re-runs from scratch, which is safe because the
 * twin has no side effects. The rules, deliberately narrow:
 *   - a plain module-level def (no decorators, defaults, closures, star
 *     params, generators), whose name is bound exactly once in the module and
 *     never declared global (so a call by that name always means it);
 *   - statements: assignment/augmented assignment to plain locals, if,
 *     while, `for <name> in range(...)` (builtin range, literal step), return
 *     <expr>, pass, break, continue; every path ends in return;
 *   - expressions: int/float literals, locals, + - * / // % ** and unary -,
 *     comparisons and and/or/not in conditions, abs/min/max/int/float and
 *     math.sqrt (when those names are not rebound), calls to typed
 *     functions with exactly matching argument types;
 *   - every local has one type (int or float) throughout; all returns
 *     agree. int/int `/` is a float, as in Python; int ** int only with a
 *     small literal exponent (a negative one would make a float).
 */

typedef struct ty_ctx {
  rs_module *m;
  rs_scope *f;
  bool changed;   /* a local or the return type learned its type this round */
  bool unknown;   /* some expression's type is not known yet */
  bool bad;       /* a rule is broken: no twin */
} ty_ctx;

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

static int ty__bindings(rs_module *m, const char *name);

/* A call of a builtin the fast path knows (abs, min, max, float, int) whose
 * name is never rebound in the module. */
static bool ty__builtin_call(ty_ctx *t, py_node *call, const char *which) {
  py_node *f = call->u.call.func;
  if (f->kind != PY_NAME || strcmp(f->u.name.id, which) != 0 || call->u.call.keywords.n) return false;
  rs_sym *y = rs_scope_sym(t->f, which);
  if (!y || y->bind != RS_BIND_GLOBAL) return false;
  if (ty__bindings(t->m, which) != 0) return false;
  for (int i = 0; i < t->m->nfuncs; i++) {
    rs_sym *z = rs_scope_sym(t->m->funcs[i], which);
    if (z && (z->flags & RS_F_GLOBAL)) return false;
  }
  for (int i = 0; i < call->u.call.args.n; i++)
    if (call->u.call.args.v[i]->kind == PY_STARRED) return false;
  return true;
}

/* `math.sqrt(x)` where math is `import math` at module level, bound once. */
static bool ty__math_call(ty_ctx *t, py_node *call, const char *fn) {
  py_node *f = call->u.call.func;
  if (f->kind != PY_ATTRIBUTE || strcmp(f->u.attribute.attr, fn) != 0 || call->u.call.keywords.n) return false;
  py_node *v = f->u.attribute.value;
  if (v->kind != PY_NAME || strcmp(v->u.name.id, "math") != 0) return false;
  rs_sym *y = rs_scope_sym(t->f, "math");
  if (!y || y->bind != RS_BIND_GLOBAL || ty__bindings(t->m, "math") != 1) return false;
  py_nodes b = t->m->scope->node->u.module.body;
  for (int i = 0; i < b.n; i++) {
    if (b.v[i]->kind != PY_IMPORT) continue;
    for (int k = 0; k < b.v[i]->u.import.names.n; k++) {
      py_node *al = b.v[i]->u.import.names.v[k];
      if (strcmp(al->u.alias.name, "math") == 0 && !al->u.alias.asname) return call->u.call.args.n == 1;
    }
  }
  return false;
}

/* Type of a known builtin/math call, 0 if it is not one (t->bad untouched)
 * or unknown yet; sets *known when the call is one of ours. */
static char ty__expr(ty_ctx *t, py_node *n, int depth);
static char ty__known_call(ty_ctx *t, py_node *n, int depth, bool *known) {
  py_nodes a = n->u.call.args;
  *known = true;
  if (ty__math_call(t, n, "sqrt")) {
    ty__expr(t, a.v[0], depth + 1);
    return 'f';
  }
  if (ty__builtin_call(t, n, "abs") && a.n == 1) return ty__expr(t, a.v[0], depth + 1);
  if ((ty__builtin_call(t, n, "min") || ty__builtin_call(t, n, "max")) && a.n == 2) {
    char x = ty__expr(t, a.v[0], depth + 1), y = ty__expr(t, a.v[1], depth + 1);
    if (x && y && x != y) t->bad = true; /* min(1, 2.0) is an int or a float depending on values */
    return x && y ? x : 0;
  }
  if (ty__builtin_call(t, n, "float") && a.n == 1) {
    ty__expr(t, a.v[0], depth + 1);
    return 'f';
  }
  if (ty__builtin_call(t, n, "int") && a.n == 1) {
    ty__expr(t, a.v[0], depth + 1);
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

static bool ty__cond(ty_ctx *t, py_node *n, int depth);

/* 'i', 'f', or 0 (unknown yet, or t->bad set). */
static char ty__expr(ty_ctx *t, py_node *n, int depth) {
  if (!n || depth > 100) {
    t->bad = true;
    return 0;
  }
  switch (n->kind) {
  case PY_INT:
    if (!n->u.int_.fits_i64) t->bad = true;
    return 'i';
  case PY_FLOAT:
    return 'f';
  case PY_NAME: {
    rs_sym *y = rs_scope_sym(t->f, n->u.name.id);
    if (!y || y->bind != RS_BIND_LOCAL) {
      t->bad = true;
      return 0;
    }
    if (!y->ty) t->unknown = true;
    return y->ty;
  }
  case PY_BIN_OP: {
    py_op op = n->u.bin_op.op;
    if (op == PY_OP_POW) {
      /* float ** anything is a float (the twin bails on a complex or
       * overflowing result); int ** int only with a literal exponent >= 0 */
      char a = ty__expr(t, n->u.bin_op.left, depth + 1), b = ty__expr(t, n->u.bin_op.right, depth + 1);
      if (!a || !b) return 0;
      if (a == 'f' || b == 'f') return 'f';
      py_node *e = n->u.bin_op.right;
      if (e->kind == PY_INT && e->u.int_.fits_i64 && e->u.int_.i64 <= 64) return 'i';
      t->bad = true;
      return 0;
    }
    if (op != PY_OP_ADD && op != PY_OP_SUB && op != PY_OP_MULT && op != PY_OP_FLOORDIV && op != PY_OP_MOD && op != PY_OP_DIV) {
      t->bad = true;
      return 0;
    }
    char a = ty__expr(t, n->u.bin_op.left, depth + 1), b = ty__expr(t, n->u.bin_op.right, depth + 1);
    return ty__join_arith(op, a, b);
  }
  case PY_UNARY_OP:
    if (n->u.unary_op.op != PY_OP_USUB) {
      t->bad = true;
      return 0;
    }
    return ty__expr(t, n->u.unary_op.operand, depth + 1);
  case PY_CALL: {
    bool known;
    char kt = ty__known_call(t, n, depth, &known);
    if (known) return kt;
    rs_scope *callee = ty__callee(t->m, t->f, n);
    if (!callee) {
      t->bad = true;
      return 0;
    }
    py_arguments *ca = callee->node->u.function_def.args;
    if (n->u.call.args.n != ca->all.n) {
      t->bad = true;
      return 0;
    }
    for (int i = 0; i < n->u.call.args.n; i++) {
      char at = ty__expr(t, n->u.call.args.v[i], depth + 1);
      if (at && at != callee->param_types[i]) t->bad = true;
    }
    if (!callee->ret_type) t->unknown = true;
    return callee->ret_type;
  }
  case PY_IF_EXP: {
    ty__cond(t, n->u.if_exp.test, depth + 1);
    char a = ty__expr(t, n->u.if_exp.body, depth + 1), b = ty__expr(t, n->u.if_exp.orelse, depth + 1);
    if (a && b && a != b) t->bad = true;
    return a && b ? a : 0;
  }
  default:
    t->bad = true;
    return 0;
  }
}

/* A condition over typed values (comparisons, and/or/not, number truth). */
static bool ty__cond(ty_ctx *t, py_node *n, int depth) {
  if (!n || depth > 100) return t->bad = true, false;
  switch (n->kind) {
  case PY_COMPARE:
    ty__expr(t, n->u.compare.left, depth + 1);
    for (int i = 0; i < n->u.compare.comparators.n; i++) {
      py_op op = n->u.compare.ops[i];
      if (op != PY_OP_EQ && op != PY_OP_NOTEQ && op != PY_OP_LT && op != PY_OP_LTE && op != PY_OP_GT && op != PY_OP_GTE)
        t->bad = true;
      ty__expr(t, n->u.compare.comparators.v[i], depth + 1);
    }
    return true;
  case PY_BOOL_OP:
    for (int i = 0; i < n->u.bool_op.values.n; i++) ty__cond(t, n->u.bool_op.values.v[i], depth + 1);
    return true;
  case PY_UNARY_OP:
    if (n->u.unary_op.op == PY_OP_NOT) return ty__cond(t, n->u.unary_op.operand, depth + 1);
    ty__expr(t, n, depth);
    return true;
  default:
    ty__expr(t, n, depth);
    return true;
  }
}

/* Learns (or checks) the type of a local assigned a value of type ty. */
static void ty__assign(ty_ctx *t, py_node *target, char ty) {
  rs_sym *y = rs_scope_sym(t->f, target->u.name.id);
  if (!y || y->bind != RS_BIND_LOCAL) {
    t->bad = true;
    return;
  }
  if (!ty) return;
  if (!y->ty) {
    if (y->flags & RS_F_PARAM) { t->bad = true; return; }
    y->ty = ty;
    t->changed = true;
  } else if (y->ty != ty) {
    t->bad = true;
  }
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
  for (int i = 0; i < it->u.call.args.n; i++) {
    char a = ty__expr(t, it->u.call.args.v[i], 1);
    if (a == 'f') t->bad = true;
  }
  return true;
}

static void ty__body(ty_ctx *t, py_nodes b, int depth);

static void ty__stmt(ty_ctx *t, py_node *n, int depth) {
  if (depth > 60) {
    t->bad = true;
    return;
  }
  switch (n->kind) {
  case PY_PASS: case PY_BREAK: case PY_CONTINUE:
    return;
  case PY_RETURN: {
    if (!n->u.return_.value) {
      t->bad = true;
      return;
    }
    char r = ty__expr(t, n->u.return_.value, 0);
    if (!r) return;
    if (!t->f->ret_type) {
      t->f->ret_type = r;
      t->changed = true;
    } else if (t->f->ret_type != r) {
      t->bad = true;
    }
    return;
  }
  case PY_ASSIGN: {
    if (n->u.assign.targets.n != 1) {
      t->bad = true;
      return;
    }
    py_node *tg = n->u.assign.targets.v[0], *v = n->u.assign.value;
    if (tg->kind == PY_NAME) {
      ty__assign(t, tg, ty__expr(t, v, 0));
      return;
    }
    /* a, b = b, a % b: same-length tuples of names and typed values */
    if (tg->kind == PY_TUPLE && v->kind == PY_TUPLE && tg->u.list_or_tuple.elts.n == v->u.list_or_tuple.elts.n) {
      for (int i = 0; i < tg->u.list_or_tuple.elts.n; i++) {
        py_node *x = tg->u.list_or_tuple.elts.v[i], *e = v->u.list_or_tuple.elts.v[i];
        if (x->kind != PY_NAME || e->kind == PY_STARRED) {
          t->bad = true;
          return;
        }
        ty__assign(t, x, ty__expr(t, e, 0));
      }
      return;
    }
    t->bad = true;
    return;
  }
  case PY_AUG_ASSIGN: {
    if (n->u.aug_assign.target->kind != PY_NAME) {
      t->bad = true;
      return;
    }
    py_op op = n->u.aug_assign.op;
    if (op != PY_OP_ADD && op != PY_OP_SUB && op != PY_OP_MULT && op != PY_OP_FLOORDIV && op != PY_OP_MOD && op != PY_OP_DIV) {
      t->bad = true;
      return;
    }
    char a = ty__expr(t, n->u.aug_assign.target, 0), b = ty__expr(t, n->u.aug_assign.value, 0);
    ty__assign(t, n->u.aug_assign.target, ty__join_arith(op, a, b));
    return;
  }
  case PY_IF:
    ty__cond(t, n->u.if_.test, 0);
    ty__body(t, n->u.if_.body, depth + 1);
    ty__body(t, n->u.if_.orelse, depth + 1);
    return;
  case PY_WHILE:
    if (n->u.while_.orelse.n) t->bad = true;
    ty__cond(t, n->u.while_.test, 0);
    ty__body(t, n->u.while_.body, depth + 1);
    return;
  case PY_FOR:
    if (n->u.for_.orelse.n || n->u.for_.target->kind != PY_NAME || !ty__range_call(t, n->u.for_.iter)) {
      t->bad = true;
      return;
    }
    ty__assign(t, n->u.for_.target, 'i');
    ty__body(t, n->u.for_.body, depth + 1);
    return;
  case PY_EXPR: /* a docstring */
    if (n->u.expr.value->kind != PY_STR) t->bad = true;
    return;
  default:
    t->bad = true;
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
static bool ty__candidate(rs_module *m, rs_scope *f) {
  if (f->kind != RS_SC_FUNC || f->parent != m->scope || f->is_generator || f->nfrees) return false;
  py_node *n = f->node;
  if (n->u.function_def.decorators.n || n->u.function_def.is_async) return false;
  py_arguments *a = n->u.function_def.args;
  if (a->vararg || a->kwarg || a->kwonly.n || a->posonly.n || a->all.n == 0 || a->all.n > 8) return false;
  for (int i = 0; i < a->all.n; i++)
    if (a->all.v[i]->u.arg.default_) return false;
  for (int i = 0; i < f->nsyms; i++) {
    rs_sym *y = &f->syms[i];
    if (y->bind == RS_BIND_CELL || (y->flags & (RS_F_CAPTURED | RS_F_NONLOCAL | RS_F_GLOBAL | RS_F_MAYBE_UNBOUND))) return false;
  }
  for (int i = 0; i < m->nfuncs; i++) {
    rs_sym *y = rs_scope_sym(m->funcs[i], n->u.function_def.name);
    if (y && (y->flags & RS_F_GLOBAL)) return false;
  }
  return ty__returns(n->u.function_def.body);
}

/* Counts the bindings of name in module-level code (not inside defs or
 * lambdas, whose names are their own; comprehension targets are their own
 * too, but counting them only makes us more conservative). */
typedef struct ty_count { const char *name; int n; } ty_count;

static int ty__count_visit(py_node *n, void *ctx) {
  ty_count *k = ctx;
  switch (n->kind) {
  case PY_FUNCTION_DEF:
    if (strcmp(n->u.function_def.name, k->name) == 0) k->n++;
    return 0;
  case PY_CLASS_DEF:
    if (strcmp(n->u.class_def.name, k->name) == 0) k->n++;
    return 0;
  case PY_LAMBDA:
    return 0;
  case PY_NAME:
    if (n->u.name.ctx != PY_LOAD && strcmp(n->u.name.id, k->name) == 0) k->n++;
    return 0;
  case PY_ALIAS: {
    const char *b = n->u.alias.asname ? n->u.alias.asname : n->u.alias.name;
    if (strcmp(b, k->name) == 0 || strcmp(n->u.alias.name, "*") == 0) k->n++;
    return 0;
  }
  case PY_EXCEPT_HANDLER:
    if (n->u.except_handler.name && strcmp(n->u.except_handler.name, k->name) == 0) k->n++;
    break;
  default:
    break;
  }
  return py_node_children(n, ty__count_visit, ctx);
}

static int ty__bindings(rs_module *m, const char *name) {
  ty_count k = {name, 0};
  py_nodes b = m->scope->node->u.module.body;
  for (int i = 0; i < b.n; i++) ty__count_visit(b.v[i], &k);
  return k.n;
}

static bool ty__rebound(rs_module *m, const char *name) { return ty__bindings(m, name) != 1; }

/* Parameter type: float where Analysis proved it, else int (speculative:
 * the dynamic fn checks the actual argument types before using the twin). */
static char ty__param_hint(const an_program *an, rs_scope *f, int i) {
  if (!an) return 'i';
  an_func *af = an_func_of(an, f->node);
  if (!af || i >= af->nparams || !af->param_types || !af->param_types[i]) return 'i';
  return af->param_types[i]->kind == AN_T_FLOAT ? 'f' : 'i';
}

static void ty__reset(rs_scope *f) {
  for (int i = 0; i < f->nsyms; i++)
    if (!(f->syms[i].flags & RS_F_PARAM)) f->syms[i].ty = 0;
}

/* Module-wide fixed point: every candidate starts typed with unknown local
 * and return types; rounds propagate what is known; a function that breaks
 * a rule, or still has unknowns when nothing changes, loses its twin, and
 * everything restarts (its callers must be re-checked). */
/* Float evidence for a parameter Analysis left dynamic: it meets a float
 * in arithmetic or a comparison (`x / r * dt`). The guess only decides which
 * argument types the twin is compiled for; the dynamic fn checks them. */
typedef struct ty_ev { rs_module *m; rs_scope *f; const char *name; bool hit; } ty_ev;

static bool ty__is_name(py_node *n, const char *name) { return n->kind == PY_NAME && strcmp(n->u.name.id, name) == 0; }

static int ty__evidence_visit(py_node *n, void *ctx) {
  ty_ev *v = ctx;
  py_node *l = NULL, *r = NULL;
  if (n->kind == PY_BIN_OP) l = n->u.bin_op.left, r = n->u.bin_op.right;
  else if (n->kind == PY_AUG_ASSIGN) l = n->u.aug_assign.target, r = n->u.aug_assign.value;
  else if (n->kind == PY_COMPARE && n->u.compare.comparators.n == 1) l = n->u.compare.left, r = n->u.compare.comparators.v[0];
  if (l && r) {
    if ((ty__is_name(l, v->name) && rs_ty_of(v->m, v->f, r) == 'f') || (ty__is_name(r, v->name) && rs_ty_of(v->m, v->f, l) == 'f'))
      v->hit = true;
  }
  if (n->kind == PY_FUNCTION_DEF || n->kind == PY_LAMBDA || n->kind == PY_CLASS_DEF) return 0;
  return py_node_children(n, ty__evidence_visit, ctx);
}

static void ty__decide_once(p_arena *a, const an_program *an, rs_module *m);

static void ty__decide(p_arena *a, const an_program *an, rs_module *m) {
  /* guesses[i][k] = 'f' once parameter k of function i showed float evidence */
  char **guess = p_arena_alloc(a, sizeof *guess * (size_t)(m->nfuncs + 1));
  for (int round = 0; round < 8; round++) {
    for (int i = 0; i < m->nfuncs; i++) m->funcs[i]->param_types = guess[i];
    ty__decide_once(a, an, m);
    bool flipped = false;
    for (int i = 0; i < m->nfuncs; i++) {
      rs_scope *f = m->funcs[i];
      if (!f->typed) continue;
      py_arguments *args = f->node->u.function_def.args;
      if (!guess[i]) guess[i] = p_arena_alloc(a, (size_t)args->all.n + 1);
      for (int k = 0; k < args->all.n; k++) {
        if (f->param_types[k] == 'f' || guess[i][k] == 'f') continue;
        if (an && ty__param_hint(an, f, k) == 'i' && an_func_of(an, f->node) && an_func_of(an, f->node)->param_types &&
            an_func_of(an, f->node)->param_types[k] && an_func_of(an, f->node)->param_types[k]->kind == AN_T_INT)
          continue; /* proved int */
        ty_ev ev = {m, f, args->all.v[k]->u.arg.name, false};
        for (int j = 0; j < f->node->u.function_def.body.n; j++) ty__evidence_visit(f->node->u.function_def.body.v[j], &ev);
        if (ev.hit) {
          guess[i][k] = 'f';
          flipped = true;
        }
      }
    }
    if (!flipped) return;
  }
}

static void ty__decide_once(p_arena *a, const an_program *an, rs_module *m) {
  for (int i = 0; i < m->nfuncs; i++) {
    rs_scope *f = m->funcs[i];
    const char *guess = f->param_types; /* float guesses from the previous round, or NULL */
    f->typed = ty__candidate(m, f) && !ty__rebound(m, f->name);
    if (!f->typed) continue;
    py_arguments *args = f->node->u.function_def.args;
    f->param_types = p_arena_alloc(a, (size_t)args->all.n + 1);
    for (int k = 0; k < args->all.n; k++) {
      f->param_types[k] = guess && guess[k] == 'f' ? 'f' : ty__param_hint(an, f, k);
      rs_sym *y = rs_scope_sym(f, args->all.v[k]->u.arg.name);
      if (y) y->ty = f->param_types[k];
    }
  }
  for (int restart = 0; restart < 64; restart++) {
    for (int i = 0; i < m->nfuncs; i++)
      if (m->funcs[i]->typed) {
        ty__reset(m->funcs[i]);
        m->funcs[i]->ret_type = 0;
      }
    bool dropped = false;
    for (int round = 0; round < 64 && !dropped; round++) {
      bool changed = false, unknown = false;
      for (int i = 0; i < m->nfuncs && !dropped; i++) {
        rs_scope *f = m->funcs[i];
        if (!f->typed) continue;
        ty_ctx t = {m, f, false, false, false};
        ty__body(&t, f->node->u.function_def.body, 0);
        if (t.bad) {
          f->typed = false;
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
          ty_ctx t = {m, f, false, false, false};
          ty__body(&t, f->node->u.function_def.body, 0);
          if (t.unknown || t.bad || !f->ret_type) {
            f->typed = false;
            dropped = true;
          }
        }
        if (!dropped) return;
      }
    }
    if (!dropped) break;
  }
  /* did not converge: be safe */
  for (int i = 0; i < m->nfuncs; i++) m->funcs[i]->typed = false;
}

char rs_ty_of(rs_module *m, rs_scope *f, py_node *n) {
  ty_ctx t = {m, f, false, false, false};
  return ty__expr(&t, n, 0);
}

/* ------------------------------------------------------------ program */

rs_module *rs_program_module(rs_program *p, const char *dotted) {
  for (int i = 0; i < p->nmods; i++)
    if (strcmp(p->mods[i].py->name, dotted) == 0) return &p->mods[i];
  return NULL;
}

/* Every scope of a module, parents before children, for the resolve pass. */
typedef struct sc_list {
  rs_scope **v;
  int n, cap;
} sc_list;

static void sc__list_add(p_arena *a, sc_list *l, rs_scope *s) {
  if (l->n == l->cap) {
    int cap = l->cap ? l->cap * 2 : 32;
    rs_scope **nv = p_arena_alloc(a, sizeof *nv * (size_t)cap);
    if (l->n) memcpy(nv, l->v, sizeof *nv * (size_t)l->n);
    l->v = nv;
    l->cap = cap;
  }
  l->v[l->n++] = s;
}

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
    const char *base = rs__fn_name(a, m->py->name);
    const char *rm = p_arena_printf(a, "m_%s", base);
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
      if (m->funcs[k]->kind == RS_SC_FUNC) ub__function(a, m->funcs[k]);
    ty__decide(a, an, m);
  }
  *out = p;
  return 0;
}
