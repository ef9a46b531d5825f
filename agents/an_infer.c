/*
 * an_infer.c - Analysis pass 3: static types, by a monotone fixed point
 * over the whole program.
 *
 * Each symbol starts at "unknown", joins the type of every value bound to
 * it, and becomes "dynamic" the moment two different types meet: that is
 * the symbol's summary type (an_symbol.type). Parameters of a function
 * take the join of the argument types at its call sites, but only when
 * every use of the function is a direct call we can see (otherwise:
 * dynamic). Return types join every return. Nothing is guessed:
 * annotations are parsed and reported (an_annot.c, with the conflicts
 * inference proves) but never trusted (Python does not enforce them); an
 * operator is typed only when its result type is certain for the operand
 * types (int ** int can be a float; float ** float a complex: both
 * dynamic).
 *
 * Inside that fixed point each function body (and each module body whose
 * names nothing else can rebind) is a forward abstract interpretation over
 * a flow environment, name -> type at this point, for its plain locals
 * (see "flow"): assignment replaces, branches join, loops iterate their
 * head to a fixed point (widened to dynamic after a few rounds),
 * return/raise/break/continue end a path, a handler starts from everything
 * the try body may have bound, finally and with likewise. Each Name load
 * is typed with the environment, so `x = 1; f(x); x = "s"` types the first
 * load int though x's summary is dynamic. Container element types always
 * come from the summary, which joins every store through any name, and are
 * dropped when the container escapes (passed to unknown code, stored
 * elsewhere, returned, captured).
 *
 * Classes (see "classes"): C(...) of a plain module-level class (its bases
 * a single-inheritance chain of such classes) is an instance of C and a
 * call site of the __init__ it inherits; `self` is an instance of C while
 * nothing can pass another object (no subclass, C never used as a value we
 * do not follow); an attribute's type joins every store through a
 * receiver that may be a C: a C, self in a method of C or of a base of C;
 * a store through any other receiver makes that attribute name dynamic in
 * every class; p.m(...) on an instance is a call site of the m it finds up
 * the chain.
 *
 * The lattice itself is an_type.c; names are resolved with pass 1's
 * scopes (an_scope.c), modules with pass 2's (an_import.c). The function
 * call graph and each function's purity facts are collected on the way
 * (analysis.c closes purity over the graph).
 */
#include "an_internal.h"

/* ---------------------------------------------------------------- flow
 *
 * The flow environment: for each flow-typed name of the scope being typed
 * (a plain local of a function; a module name nothing else can rebind),
 * the type it has at the current program point. "unknown" means unbound on
 * every path that reaches the point: a read there raises, so such a path
 * contributes nothing to a join. live is false where no execution arrives
 * (after return/raise/break/continue): then loads fall back to the
 * summary type, which is sound everywhere.
 */
typedef struct an_flow {
  const an_scope *s;
  int n;
  bool live;
  const an_type **t;
} an_flow;

/* A loop being typed: environments that jump to its exit and its head.
 * fin is the innermost try-with-finally outside the loop: a break or
 * continue under a finally inside the loop goes through that finally. */
typedef struct an_fin {
  bool brk, cont;
  struct an_fin *up;
} an_fin;

typedef struct an_loop {
  an_flow *brk, *cont;
  an_fin *fin;
} an_loop;

/* try and with bodies being typed: an exception can leave them after any
 * binding, so every binding joins into each of these environments. */
typedef struct an_acc {
  an_flow *f;
  struct an_acc *up;
} an_acc;

typedef struct an_env {
  an_ctx *c;
  an_scope *s;   /* scope of the code being typed */
  an_func *f;    /* function being typed, NULL at module/class level */
  bool record;   /* final pass: store expression types */
  bool safe;     /* the Name being evaluated does not escape (an__expr_safe) */
  bool class_ok; /* a class name here is not a use of the class as a value (isinstance) */
  bool weak;     /* bindings join the flow type instead of replacing it (:=) */
  an_flow *fl;   /* flow environment of v->s, or NULL */
  an_loop *loop;
  an_acc *acc;
  an_fin *fin;
} an_env;

static an_flow *an__fl_new(const an_scope *s, int n) {
  an_flow *f = p_xmalloc(sizeof *f);
  f->s = s;
  f->n = n;
  f->live = true;
  f->t = p_xmalloc(sizeof(an_type *) * (size_t)(n + 1));
  for (int i = 0; i < n; i++) f->t[i] = &an_t_unknown;
  return f;
}

static an_flow *an__fl_copy(const an_flow *x) {
  if (!x) return NULL;
  an_flow *f = an__fl_new(x->s, x->n);
  f->live = x->live;
  memcpy(f->t, x->t, sizeof(an_type *) * (size_t)x->n);
  return f;
}

static void an__fl_free(an_flow *f) {
  if (!f) return;
  free(f->t);
  free(f);
}

static void an__fl_set(an_flow *dst, const an_flow *src) {
  if (!dst || !src) return;
  dst->live = src->live;
  memcpy(dst->t, src->t, sizeof(an_type *) * (size_t)src->n);
}

/* dst = dst joined with src (an unreachable side contributes nothing). */
static void an__fl_join(an_ctx *c, an_flow *dst, const an_flow *src) {
  if (!dst || !src || !src->live) return;
  if (!dst->live) {
    an__fl_set(dst, src);
    return;
  }
  for (int i = 0; i < dst->n; i++) dst->t[i] = an_type_join(c, dst->t[i], src->t[i]);
}

static bool an__fl_eq(const an_flow *x, const an_flow *y) {
  if (x->live != y->live) return false;
  if (!x->live) return true;
  for (int i = 0; i < x->n; i++)
    if (!an_type_eq(x->t[i], y->t[i])) return false;
  return true;
}

static an_flow *an__fl_dead(const an_flow *like) {
  if (!like) return NULL;
  an_flow *f = an__fl_new(like->s, like->n);
  f->live = false;
  return f;
}

/* A binding of y (a symbol of v->s) to a value of type t. */
static void an__fl_bind(an_env *v, const an_symbol *y, const an_type *t) {
  if (!v->fl || v->fl->s != v->s || !y || y->flow_idx < 0 || !v->fl->live) return;
  if (an_symbol_of(v->s, y->name) != y) return; /* a global seen from a function */
  int i = y->flow_idx;
  v->fl->t[i] = v->weak ? an_type_join(v->c, v->fl->t[i], t) : t;
  for (an_acc *a = v->acc; a; a = a->up)
    if (a->f && a->f->live) a->f->t[i] = an_type_join(v->c, a->f->t[i], t);
}

/* del name / the end of `except E as name`: unbound from here on. */
static void an__fl_unbind(an_env *v, const char *name) {
  if (!v->fl || v->fl->s != v->s || !v->fl->live) return;
  an_symbol *y = an_symbol_of(v->s, name);
  if (y && y->flow_idx >= 0) v->fl->t[y->flow_idx] = &an_t_unknown;
}

static void an__fl_kill(an_env *v) {
  if (v->fl) v->fl->live = false;
}

static const an_type *an__expr(an_env *v, py_node *e);
static const an_type *an__expr_safe(an_env *v, py_node *e);
static void an__impure(an_env *v, const char *why);

static const an_type *an__sym_type(an_env *v, const char *name) {
  an_binding b;
  an_symbol *y = an_target_sym(v->s, name, &b);
  if (b == AN_BUILTIN) return &an_t_dynamic;
  if (!y) return &an_t_dynamic;
  if (y->why_dynamic) return &an_t_dynamic;
  if (y->escapes) return an_type_shallow(v->c, y->type);
  return y->type;
}

/* The type of a Name load at this program point: the flow type of a
 * flow-typed name, else the symbol's summary. A container's element types
 * can change through aliases and calls the environment does not see, so
 * they always come from the summary (which joins every store anywhere);
 * the environment only says which kind of container it is. */
static const an_type *an__flow_load(an_env *v, py_node *e) {
  const char *name = e->u.name.id;
  an_flow *fl = v->fl;
  if (!fl || fl->s != v->s || !fl->live) return an__sym_type(v, name);
  an_symbol *y = an_symbol_of(v->s, name);
  if (!y || y->flow_idx < 0) return an__sym_type(v, name);
  const an_type *t = fl->t[y->flow_idx];
  if (t && (t->kind == AN_T_LIST || t->kind == AN_T_SET || t->kind == AN_T_DICT)) {
    const an_type *st = an__sym_type(v, name);
    if (st && st->kind == t->kind) return st;
    return an_type_mk(v->c, t->kind, &an_t_dynamic, t->kind == AN_T_DICT ? &an_t_dynamic : NULL);
  }
  return t;
}

/* ------------------------------------------------------------ classes
 *
 * An instance type "C" is only ever given to a value made by a direct
 * call C(...) of a module-level class without decorators, metaclass or
 * __new__ whose bases form a single-inheritance chain of such classes
 * (an__constructible: attribute lookup then walks exactly C, its base,
 * ...), and to `self` in the plain methods of such a class while nothing
 * can call them with another first argument (an__self_ok: no subclass,
 * the class object never used as a value except C(...), isinstance(x, C),
 * C.data_attr and as a base, no classmethod up the chain, no type(x) or
 * x.__class__ anywhere). An attribute's type joins every store through a
 * receiver that may be an instance of C: stores through an instance of C,
 * through `self` in a method of C or of one of its bases when the whole
 * family is closed (an__family_ok), through a class of the chain
 * (class-level values) and, for a receiver of unknown type, dynamic for
 * that attribute name in every class. Methods are call sites only when
 * every use of the method's name is a direct call on a typed instance
 * (an__method_of; otherwise the name is "open").
 */
static bool an__prim(const an_type *t);

static bool an__in(const char **v, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (!strcmp(v[i], name)) return true;
  return false;
}

/* Marks an attribute name as used in a way we do not follow. */
static void an__open_attr(an_ctx *c, const char *name) {
  if (an__in(c->open_attrs, c->nopen, name)) return;
  c->open_attrs = an_grow(c->a, c->open_attrs, c->nopen, &c->capopen, sizeof(char *));
  c->open_attrs[c->nopen++] = name;
  c->changed = true;
}

static void an__dyn_attr(an_ctx *c, const char *name) {
  if (an__in(c->dyn_attrs, c->ndyn, name)) return;
  c->dyn_attrs = an_grow(c->a, c->dyn_attrs, c->ndyn, &c->capdyn, sizeof(char *));
  c->dyn_attrs[c->ndyn++] = name;
  c->changed = true;
}

static void an__class_open(an_ctx *c, an_class *k) {
  if (k && !k->open) {
    k->open = true;
    c->changed = true;
  }
}

static an_attr *an__cls_attr(an_ctx *c, an_class *k, const char *name, bool create) {
  for (int i = 0; i < k->nattrs; i++)
    if (!strcmp(k->attrs[i].name, name)) return &k->attrs[i];
  if (!create) return NULL;
  k->attrs = an_grow(c->a, k->attrs, k->nattrs, &k->capattrs, sizeof *k->attrs);
  an_attr *at = &k->attrs[k->nattrs++];
  memset(at, 0, sizeof *at);
  at->name = name;
  at->stored = &an_t_unknown;
  return at;
}

static void an__attr_join(an_ctx *c, an_class *k, const char *name, const an_type *t, bool class_level) {
  an_attr *at = an__cls_attr(c, k, name, true);
  if (class_level) at->class_level = true;
  const an_type *j = an_type_join(c, at->stored, t);
  if (!an_type_eq(j, at->stored)) {
    at->stored = j;
    c->changed = true;
  }
}

/* The def (or nested class) bound to name in the class body: a method,
 * property or other descriptor, never a plain data attribute. */
static const py_node *an__class_def(const an_class *k, const char *name) {
  py_nodes body = k->node->u.class_def.body;
  for (int i = 0; i < body.n; i++) {
    const py_node *st = body.v[i];
    if (st->kind == PY_FUNCTION_DEF && !strcmp(st->u.function_def.name, name)) return st;
    if (st->kind == PY_CLASS_DEF && !strcmp(st->u.class_def.name, name)) return st;
  }
  return NULL;
}

/* No base but object: every attribute lookup ends in the class itself
 * (and object's slot wrappers). */
static bool an__no_bases(const an_class *k) {
  py_nodes b = k->node->u.class_def.bases;
  if (b.n == 0) return true;
  return b.n == 1 && b.v[0]->kind == PY_NAME && !strcmp(b.v[0]->u.name.id, "object") &&
         k->scope->parent && an_resolve(k->scope->parent, "object") == AN_BUILTIN;
}

/* One link of a plain hierarchy: a module-level class without
 * decorators, metaclass or __new__. */
static bool an__plain_class(const an_class *k) {
  if (k->has_dynamic_bases || k->node->u.class_def.keywords.n || k->node->u.class_def.decorators.n) return false;
  if (!k->scope->parent || k->scope->parent->kind != AN_SCOPE_MODULE) return false;
  return an__class_def(k, "__new__") == NULL;
}

/* k and its bases form a single-inheritance chain of plain user classes
 * ending at object: attribute lookup walks exactly k, k->base, ... */
bool an_chain_ok(const an_class *k) {
  for (int depth = 0; k && depth < 64; depth++, k = k->base) {
    if (!an__plain_class(k)) return false;
    if (an__no_bases(k)) return true;
    if (k->node->u.class_def.bases.n != 1 || k->base_bad || !k->base) return false;
  }
  return false;
}

/* Attribute access is plain along the whole chain (no __getattr__,
 * __getattribute__, __setattr__, __delattr__, __slots__). */
static bool an__chain_attr_safe(const an_class *k) {
  for (int depth = 0; k && depth < 64; depth++, k = k->base)
    if (!k->attr_safe) return false;
  return true;
}

/* Is anc one of k's classes (k itself or a base)? */
bool an_inherits(const an_class *k, const an_class *anc) {
  for (int depth = 0; k && depth < 64; depth++, k = k->base)
    if (k == anc) return true;
  return false;
}

/* The class of k's chain whose body defines name as a def or class. */
static an_class *an__chain_def(an_class *k, const char *name, const py_node **def) {
  for (int depth = 0; k && depth < 64; depth++, k = k->base) {
    const py_node *d = an__class_def(k, name);
    if (d) {
      if (def) *def = d;
      return k;
    }
  }
  return NULL;
}

/* C(...) makes exactly an instance of C. */
static bool an__constructible(const an_ctx *c, const an_class *k) {
  if (!k || c->uses_reflection) return false;
  return an_chain_ok(k) && !an__chain_def((an_class *)k, "__new__", NULL);
}

/* The class object is reached only through its one module-level binding. */
static bool an__class_name_ok(const an_class *k) {
  an_symbol *y = an_symbol_of(k->scope->parent, k->node->u.class_def.name);
  return y && y->nassign <= 1 && !y->why_dynamic && !(y->flags & (AN_SYM_GLOBAL_WRITTEN | AN_SYM_DELETED)) &&
         (!an_known(y->type) || (an_is(y->type, AN_T_CLASS) && y->type->cls == k)); /* unknown: not typed yet */
}

/* self in C's plain methods is always an instance of C. The class
 * object must only be reachable through its one module-level binding:
 * a name that is rebound, written by `global` elsewhere or imported by
 * another module lets it go where we do not follow. */
static bool an__self_ok(const an_ctx *c, const an_class *k) {
  if (!c->p->closed_world || !an__constructible(c, k) || k->subclassed || c->unknown_base || c->class_of_escapes)
    return false; /* library mode: callers we do not see may subclass it or call C.m(x) */
  /* an open base (a classmethod inherited, a base used as a value) may
   * hand out k itself: cls(...) builds instances we do not see */
  for (const an_class *x = k; x; x = x->base)
    if (x->open) return false;
  return an__class_name_ok(k);
}

/* self in k's plain methods is always an instance of k or of one of its
 * subclasses (the family): every class of the family is plain and never
 * used as a value we do not follow. */
static bool an__family_ok(const an_ctx *c, const an_class *k) {
  if (!c->p->closed_world || c->uses_reflection || c->unknown_base || c->class_of_escapes) return false;
  for (int i = 0; i < c->p->nclasses; i++) {
    const an_class *x = c->p->classes[i];
    if (!an_inherits(x, k)) continue;
    if (!an__constructible(c, x) || x->open || !an__class_name_ok(x)) return false;
  }
  return true;
}

/* When e is the self parameter of the method being typed (never rebound),
 * the method's class; else NULL. */
static an_class *an__self_recv(const an_env *v, const py_node *e) {
  const an_func *f = v->f;
  if (!f || e->kind != PY_NAME || !f->is_method || !f->cls || f->node->kind != PY_FUNCTION_DEF) return NULL;
  const py_arguments *pa = f->node->u.function_def.args;
  if (!pa || pa->posonly.n + pa->args.n == 0 || f->node->u.function_def.decorators.n) return NULL;
  if (strcmp(pa->all.v[0]->u.arg.name, e->u.name.id) != 0 || v->s != f->scope) return NULL;
  an_symbol *y = an_symbol_of(f->scope, e->u.name.id);
  if (!y || y->binding != AN_LOCAL || y->nassign > 0 || (y->flags & (AN_SYM_DELETED | AN_SYM_WALRUS))) return NULL;
  return f->cls;
}

/* A plain method m of C that a call p.m(...) with p: C certainly runs
 * (nothing stored under that name shadows it). NULL otherwise. */
static an_func *an__method_of(an_ctx *c, an_class *k, const char *name) {
  if (!k || !an_chain_ok(k) || !an__chain_attr_safe(k) || c->uses_reflection) return NULL;
  const py_node *d = NULL;
  an_class *owner = an__chain_def(k, name, &d);
  if (!owner || d->kind != PY_FUNCTION_DEF || d->u.function_def.decorators.n || d->u.function_def.is_async) return NULL;
  /* a class-level value of that name lower in the chain hides it */
  for (an_class *x = k; x != owner; x = x->base) {
    an_symbol *cy = an_symbol_of(x->scope, name);
    if (cy && (cy->flags & AN_SYM_ASSIGNED)) return NULL;
  }
  /* an instance or class attribute of that name may hide the method */
  for (int i = 0; i < c->nattr_stores; i++)
    if (!strcmp(c->attr_stores[i].name, name)) return NULL;
  an_symbol *y = an_symbol_of(owner->scope, name);
  if (!y || y->nassign > 1) return NULL;
  an_func *f = d->an;
  return f && f->node == d ? f : NULL;
}

/* Type of a load p.name with p an instance of k; why says why dynamic. */
static const an_type *an__attr_type(an_ctx *c, an_class *k, const char *name, const char **why) {
  *why = NULL;
  if (c->uses_reflection) {
    *why = "the program uses reflection (setattr, getattr, __dict__, ...)";
    return &an_t_dynamic;
  }
  if (!an__chain_attr_safe(k)) {
    *why = "the class customises attribute access (__setattr__, __getattr__, __slots__, ...)";
    return &an_t_dynamic;
  }
  if (!c->p->closed_world) {
    *why = "library mode: code we do not see may set it";
    return &an_t_dynamic;
  }
  if (!an_chain_ok(k)) {
    *why = "inherited attributes are not followed (a base that is not a plain class of the program)";
    return &an_t_dynamic;
  }
  if (an__chain_def(k, name, NULL)) {
    *why = "a method or descriptor of the class";
    return &an_t_dynamic;
  }
  if (an__in(c->dyn_attrs, c->ndyn, name)) {
    *why = "stored through a receiver of unknown type";
    return &an_t_dynamic;
  }
  /* the instance's own stores, then the class-level values up the chain */
  an_attr *own = an__cls_attr(c, k, name, false);
  const an_type *t = own ? own->stored : &an_t_unknown;
  bool class_level = false;
  for (an_class *x = k; x; x = x->base) {
    an_attr *at = an__cls_attr(c, x, name, false);
    an_symbol *cy = an_symbol_of(x->scope, name);
    if (cy && (cy->flags & AN_SYM_ASSIGNED) && (!at || !at->class_level)) {
      *why = "a class-level value we do not follow";
      return &an_t_dynamic;
    }
    if (at && at->class_level) {
      class_level = true;
      t = an_type_join(c, t, at->stored);
    }
  }
  if (!own && !class_level) return &an_t_unknown; /* never stored: a load raises AttributeError */
  if (class_level && an_known(t) && !an__prim(t) && !an_is(t, AN_T_TUPLE)) {
    *why = "a class-level value that may be a descriptor";
    return &an_t_dynamic;
  }
  if (an_is(t, AN_T_DYNAMIC)) *why = "values of different or unknown types are stored";
  /* containers in attributes can be mutated through any alias */
  if (an_is(t, AN_T_LIST) || an_is(t, AN_T_DICT) || an_is(t, AN_T_SET))
    t = an_type_mk(c, t->kind, &an_t_dynamic, t->kind == AN_T_DICT ? &an_t_dynamic : NULL);
  return t;
}

/* A binding in a class body: a class-level value of the attribute. */
static void an__class_level(an_env *v, const char *name, const an_type *t) {
  an_class *k = v->s->node->an;
  an_symbol *y = an_symbol_of(v->s, name);
  if (!k || (y && (y->flags & AN_SYM_DEF))) return;
  an__attr_join(v->c, k, name, t, true);
}

static void an__set_dynamic(an_ctx *c, an_symbol *y, const char *why) {
  if (!y) return;
  if (!y->why_dynamic) {
    y->why_dynamic = why;
    c->changed = true;
  }
  if (y->type != &an_t_dynamic) {
    y->type = &an_t_dynamic;
    c->changed = true;
  }
}

/* Joins t into the type of the symbol that `name` binds in v->s. */
static void an__bind_type(an_env *v, const char *name, const an_type *t) {
  an_binding b = an_lookup(v->s, name);
  an_symbol *y;
  if (b == AN_LOCAL || b == AN_CELL || (v->s->kind == AN_SCOPE_MODULE && b != AN_UNBOUND))
    y = an_symbol_of(v->s, name);
  else if (b == AN_GLOBAL_EXPLICIT)
    y = an_symbol_of(an_module_scope(v->s), name);
  else
    return; /* nonlocal/free: the owner scope stays dynamic (see an__finish_syms) */
  if (y && v->s->kind == AN_SCOPE_CLASS) an__class_level(v, y->name, t);
  an__fl_bind(v, y, t);
  if (!y || y->why_dynamic) return;
  const an_type *j = an_type_join(v->c, y->type, t);
  if (!an_type_eq(j, y->type)) {
    y->type = j;
    v->c->changed = true;
  }
}

/* A container reached through name is mutated (append, add, d[k] = v):
 * its element types join, whichever scope owns the name (a function may
 * append to a module-level list without declaring it global). */
static void an__mutate_type(an_env *v, const char *name, const an_type *t) {
  an_binding b;
  an_symbol *y = an_target_sym(v->s, name, &b);
  if (!y) return; /* free/cell variables are dynamic already */
  if (y->why_dynamic) return;
  const an_type *j = an_type_join(v->c, y->type, t);
  if (!an_type_eq(j, y->type)) {
    y->type = j;
    v->c->changed = true;
  }
}

static void an__bind_target_type(an_env *v, py_node *t, const an_type *ty) {
  if (!t) return;
  if (t->kind == PY_NAME) {
    an__bind_type(v, t->u.name.id, ty);
  } else if (t->kind == PY_TUPLE || t->kind == PY_LIST) {
    int n = t->u.list_or_tuple.elts.n;
    bool star = false;
    for (int i = 0; i < n; i++)
      if (t->u.list_or_tuple.elts.v[i]->kind == PY_STARRED) star = true;
    /* unpacking an iterable: each target gets one of its elements (when
     * the unpacking succeeds: a wrong length raises before any binding) */
    bool iterable = an_is(ty, AN_T_TUPLE) || an_is(ty, AN_T_LIST) || an_is(ty, AN_T_SET) || an_is(ty, AN_T_DICT) ||
                    an_is(ty, AN_T_STR) || an_is(ty, AN_T_BYTES);
    const an_type *each = iterable ? an_type_iter_elem(v->c, ty) : &an_t_dynamic;
    for (int i = 0; i < n; i++) {
      const an_type *et = each;
      if (!an_known(ty)) et = &an_t_unknown;
      else if (!star && an_is(ty, AN_T_TUPLE) && ty->nitems == n) et = ty->items[i];
      py_node *el = t->u.list_or_tuple.elts.v[i];
      if (el->kind == PY_STARRED) {
        an__bind_target_type(v, el->u.starred.value, an_known(ty) ? an_type_mk(v->c, AN_T_LIST, each, NULL) : &an_t_unknown);
      } else {
        an__bind_target_type(v, el, et);
      }
    }
  } else if (t->kind == PY_STARRED) {
    an__bind_target_type(v, t->u.starred.value, &an_t_dynamic);
  } else {
    an__expr(v, t); /* attribute/subscript: type the parts */
  }
}

static bool an__num(const an_type *t) { return an_is(t, AN_T_INT) || an_is(t, AN_T_BOOL) || an_is(t, AN_T_FLOAT); }

static const an_type *an__binop(an_ctx *c, py_op op, const an_type *l, const an_type *r, const py_node *rn) {
  if (!an_known(l) || !an_known(r)) {
    if (an_is(l, AN_T_DYNAMIC) || an_is(r, AN_T_DYNAMIC)) return &an_t_dynamic;
    return &an_t_unknown;
  }
  bool li = an_is(l, AN_T_INT) || an_is(l, AN_T_BOOL), ri = an_is(r, AN_T_INT) || an_is(r, AN_T_BOOL);
  bool lf = an_is(l, AN_T_FLOAT), rf = an_is(r, AN_T_FLOAT);
  switch (op) {
  case PY_OP_ADD: case PY_OP_SUB: case PY_OP_MULT: case PY_OP_FLOORDIV: case PY_OP_MOD:
    if (li && ri) return &an_t_int;
    if ((li || lf) && (ri || rf)) return &an_t_float;
    if (op == PY_OP_ADD && an_is(l, AN_T_STR) && an_is(r, AN_T_STR)) return &an_t_str;
    if (op == PY_OP_ADD && an_is(l, AN_T_BYTES) && an_is(r, AN_T_BYTES)) return &an_t_bytes;
    if (op == PY_OP_ADD && an_is(l, AN_T_LIST) && an_is(r, AN_T_LIST)) return an_type_join(c, l, r);
    if (op == PY_OP_MULT && ((an_is(l, AN_T_STR) && ri) || (li && an_is(r, AN_T_STR)))) return &an_t_str;
    if (op == PY_OP_MULT && an_is(l, AN_T_LIST) && ri) return l;
    if (op == PY_OP_MULT && li && an_is(r, AN_T_LIST)) return r;
    if (op == PY_OP_MOD && an_is(l, AN_T_STR)) return &an_t_str; /* printf-style formatting */
    return &an_t_dynamic;
  case PY_OP_DIV:
    if ((li || lf) && (ri || rf)) return &an_t_float;
    return &an_t_dynamic;
  case PY_OP_POW:
    /* int ** negative int is a float; float ** float may be complex */
    if (li && ri && rn && rn->kind == PY_INT) return &an_t_int;
    if (lf && rn && rn->kind == PY_INT) return &an_t_float;
    return &an_t_dynamic;
  case PY_OP_LSHIFT: case PY_OP_RSHIFT:
    if (li && ri) return &an_t_int;
    return &an_t_dynamic;
  case PY_OP_BITAND: case PY_OP_BITOR: case PY_OP_BITXOR:
    if (an_is(l, AN_T_BOOL) && an_is(r, AN_T_BOOL)) return &an_t_bool;
    if (li && ri) return &an_t_int;
    return &an_t_dynamic;
  default: return &an_t_dynamic;
  }
}

static bool an__prim(const an_type *t) {
  return an_is(t, AN_T_INT) || an_is(t, AN_T_BOOL) || an_is(t, AN_T_FLOAT) || an_is(t, AN_T_STR) ||
         an_is(t, AN_T_NONE) || an_is(t, AN_T_BYTES);
}

static an_func *an__callee(an_env *v, py_node *fn);

/* Records a direct call to a closed user function: argument types join
 * into its parameter types. Anything we cannot map opens the function. */
static void an__call_site(an_env *v, an_func *f, py_node *call, const an_type **argt, const an_type *self_t) {
  /* counted once per call node (loops are typed more than once) */
  if (v->record && !v->c->p->type_by_id[call->id]) f->ncalls++;
  const py_arguments *pa = f->node->u.function_def.args;
  if (!f->closed) return;
  int off = self_t ? 1 : 0;
  if (pa->vararg || pa->kwarg || pa->kwonly.n || pa->posonly.n || pa->args.n < off) {
    f->closed = false;
    v->c->changed = true;
    return;
  }
  int np = pa->args.n;
  const an_type **got = p_xcalloc((size_t)np + 1, sizeof *got);
  if (off) got[0] = self_t;
  py_nodes args = call->u.call.args;
  if (args.n + off > np) f->closed = false;
  for (int i = 0; i < args.n && i + off < np; i++) {
    if (args.v[i]->kind == PY_STARRED) f->closed = false;
    got[i + off] = argt[i];
  }
  for (int k = 0; k < call->u.call.keywords.n; k++) {
    py_node *kw = call->u.call.keywords.v[k];
    int idx = -1;
    for (int i = off; kw->u.keyword.arg && i < np; i++)
      if (!strcmp(pa->args.v[i]->u.arg.name, kw->u.keyword.arg)) idx = i;
    if (idx < 0 || got[idx]) f->closed = false;
    else got[idx] = an__expr(v, kw->u.keyword.value);
  }
  for (int i = 0; i < np && f->closed; i++) {
    const an_type *t = got[i];
    if (!t) {
      if (!pa->args.v[i]->u.arg.default_) {
        f->closed = false; /* a TypeError at run time: keep it dynamic */
        break;
      }
      an_env dv = *v;
      t = an__expr(&dv, pa->args.v[i]->u.arg.default_);
    }
    const an_type *j = an_type_join(v->c, f->param_types[i], t);
    if (!an_type_eq(j, f->param_types[i])) {
      f->param_types[i] = j;
      v->c->changed = true;
    }
  }
  free(got);
  if (!f->closed) v->c->changed = true;
}

static void an__add_callee(an_ctx *c, an_func *from, an_func *to) {
  if (!from) return;
  for (int i = 0; i < from->ncallees; i++)
    if (from->callees[i] == to) return;
  from->callees = an_grow(c->a, from->callees, from->ncallees, &from->capcallees, sizeof(an_func *));
  from->callees[from->ncallees++] = to;
}

/* Values whose str()/repr()/format() is always a newly built exact str. */
static bool an__builtin_string_arg(const an_type *t) {
  switch (t->kind) {
  case AN_T_INT: case AN_T_BOOL: case AN_T_FLOAT: case AN_T_STR: case AN_T_NONE: case AN_T_BYTES:
  case AN_T_LIST: case AN_T_TUPLE: case AN_T_DICT: case AN_T_SET:
    return true;
  default:
    return false;
  }
}

/* Builtin functions with a certain result type, given the argument types. */
static const an_type *an__builtin_call(an_env *v, const char *name, py_node *call, const an_type **at, int n) {
  int nk = call->u.call.keywords.n;
  for (int i = 0; i < call->u.call.args.n; i++)
    if (call->u.call.args.v[i]->kind == PY_STARRED) return &an_t_dynamic;
  if (!strcmp(name, "len") && n == 1 && !nk) return &an_t_int;
  if (!strcmp(name, "int") && !nk && n <= 2) return &an_t_int;
  if (!strcmp(name, "float") && !nk && n <= 1) return &an_t_float;
  /* str()/repr()/format() return what __str__/__repr__/__format__ return,
   * which may be a str subclass for user objects: exact only for values
   * whose conversion builds a new string */
  if ((!strcmp(name, "str") || !strcmp(name, "repr") || !strcmp(name, "format") || !strcmp(name, "ascii")) && !nk &&
      n <= (strcmp(name, "format") ? 1 : 2)) {
    if (n == 0) return &an_t_str;
    if (!an_known(at[0])) return &an_t_unknown;
    return an__builtin_string_arg(at[0]) ? &an_t_str : &an_t_dynamic;
  }
  if (!strcmp(name, "chr") && n == 1) return &an_t_str;
  if (!strcmp(name, "ord") && n == 1) return &an_t_int;
  if (!strcmp(name, "bool") && n <= 1 && !nk) return &an_t_bool;
  if (!strcmp(name, "isinstance") && n == 2) return &an_t_bool;
  if (!strcmp(name, "callable") && n == 1) return &an_t_bool;
  if (!strcmp(name, "hash") && n == 1) return &an_t_int;
  if (!strcmp(name, "input")) return &an_t_str;
  if (!strcmp(name, "print")) return &an_t_none;
  if (!strcmp(name, "hex") || !strcmp(name, "oct") || !strcmp(name, "bin")) return &an_t_str;
  if (!strcmp(name, "abs") && n == 1) {
    if (!an_known(at[0])) return &an_t_unknown;
    if (an_is(at[0], AN_T_INT) || an_is(at[0], AN_T_BOOL)) return &an_t_int;
    if (an_is(at[0], AN_T_FLOAT)) return &an_t_float;
    return &an_t_dynamic;
  }
  if (!strcmp(name, "round") && !nk) {
    if (n == 1) {
      if (!an_known(at[0])) return &an_t_unknown;
      return an__num(at[0]) ? &an_t_int : &an_t_dynamic;
    }
    if (n == 2) {
      if (!an_known(at[0])) return &an_t_unknown;
      if (an_is(at[0], AN_T_FLOAT)) return &an_t_float;
      if (an_is(at[0], AN_T_INT)) return &an_t_int;
    }
    return &an_t_dynamic;
  }
  if ((!strcmp(name, "min") || !strcmp(name, "max")) && !nk && n >= 1) {
    const an_type *r = &an_t_unknown;
    if (n == 1) {
      if (!an_known(at[0])) return &an_t_unknown;
      if (an_is(at[0], AN_T_LIST) || an_is(at[0], AN_T_SET) || an_is(at[0], AN_T_TUPLE)) r = an_type_iter_elem(v->c, at[0]);
      else return &an_t_dynamic;
    } else {
      for (int i = 0; i < n; i++) r = an_type_join(v->c, r, at[i]);
    }
    return an__prim(r) || !an_known(r) ? r : &an_t_dynamic;
  }
  if (!strcmp(name, "sum") && n == 1 && !nk) {
    if (!an_known(at[0])) return &an_t_unknown;
    const an_type *el = an_is(at[0], AN_T_LIST) || an_is(at[0], AN_T_SET) || an_is(at[0], AN_T_TUPLE)
                            ? an_type_iter_elem(v->c, at[0]) : &an_t_dynamic;
    /* sum([]) is the int 0, so only int elements give a certain type */
    if (an_is(el, AN_T_INT) || an_is(el, AN_T_BOOL)) return &an_t_int;
    return an_known(el) ? &an_t_dynamic : &an_t_unknown;
  }
  if (!strcmp(name, "sorted") && n == 1) {
    if (!an_known(at[0])) return &an_t_unknown;
    return an_type_mk(v->c, AN_T_LIST, an_type_iter_elem(v->c, at[0]), NULL);
  }
  if (!strcmp(name, "list") && n <= 1 && !nk) {
    if (n == 0) return an_type_mk(v->c, AN_T_LIST, &an_t_unknown, NULL);
    if (!an_known(at[0])) return &an_t_unknown;
    return an_type_mk(v->c, AN_T_LIST, an_type_iter_elem(v->c, at[0]), NULL);
  }
  if (!strcmp(name, "set") && n <= 1 && !nk) {
    if (n == 0) return an_type_mk(v->c, AN_T_SET, &an_t_unknown, NULL);
    if (!an_known(at[0])) return &an_t_unknown;
    return an_type_mk(v->c, AN_T_SET, an_type_iter_elem(v->c, at[0]), NULL);
  }
  if (!strcmp(name, "dict") && n == 0 && !nk) return an_type_mk(v->c, AN_T_DICT, &an_t_unknown, &an_t_unknown);
  if (!strcmp(name, "divmod") && n == 2) {
    if (!an_known(at[0]) || !an_known(at[1])) return &an_t_unknown;
    if ((an_is(at[0], AN_T_INT) || an_is(at[0], AN_T_BOOL)) && (an_is(at[1], AN_T_INT) || an_is(at[1], AN_T_BOOL))) {
      const an_type *it[2] = {&an_t_int, &an_t_int};
      return an_type_tuple(v->c, it, 2);
    }
    return &an_t_dynamic;
  }
  return &an_t_dynamic;
}

/* Methods of str with a certain result type. */
static const an_type *an__str_method(an_env *v, const char *m) {
  static const char *const to_str[] = {"upper", "lower", "strip", "lstrip", "rstrip", "replace", "join", "format",
                                       "title", "capitalize", "center", "ljust", "rjust", "zfill", "swapcase",
                                       "casefold", "expandtabs", "removeprefix", "removesuffix", NULL};
  static const char *const to_bool[] = {"startswith", "endswith", "isdigit", "isalpha", "isalnum", "isspace",
                                        "isupper", "islower", "isnumeric", "isdecimal", "isidentifier",
                                        "istitle", "isprintable", "isascii", NULL};
  static const char *const to_int[] = {"find", "rfind", "count", "index", "rindex", NULL};
  for (int i = 0; to_str[i]; i++)
    if (!strcmp(m, to_str[i])) return &an_t_str;
  for (int i = 0; to_bool[i]; i++)
    if (!strcmp(m, to_bool[i])) return &an_t_bool;
  for (int i = 0; to_int[i]; i++)
    if (!strcmp(m, to_int[i])) return &an_t_int;
  if (!strcmp(m, "split") || !strcmp(m, "rsplit") || !strcmp(m, "splitlines"))
    return an_type_mk(v->c, AN_T_LIST, &an_t_str, NULL);
  return &an_t_dynamic;
}

/* A container-typed local used in a way we cannot follow: its element
 * types may change behind our back. */
static void an__escape_name(an_env *v, py_node *e) {
  if (!e || e->kind != PY_NAME) return;
  an_symbol *y = an_target_sym(v->s, e->u.name.id, NULL);
  if (!y || y->escapes) return;
  if (an_is(y->type, AN_T_LIST) || an_is(y->type, AN_T_DICT) || an_is(y->type, AN_T_SET) || !an_known(y->type)) {
    y->escapes = true;
    v->c->changed = true;
  }
}

/* Types the receiver of `value.attr`. C.attr is not a use of the class C
 * as a value unless attr is one of its methods (C.m(x) may pass any x as
 * self); type(x).__name__ does not let the class escape. */
static const an_type *an__recv(an_env *v, py_node *value, const char *attr) {
  bool saved = v->class_ok;
  const py_node *saved_tc = v->c->benign_type_call;
  if (value->kind == PY_NAME) v->class_ok = true;
  if (value->kind == PY_CALL && (!strcmp(attr, "__name__") || !strcmp(attr, "__qualname__")))
    v->c->benign_type_call = value;
  const an_type *t = value->kind == PY_NAME ? an__expr_safe(v, value) : an__expr(v, value);
  v->class_ok = saved;
  v->c->benign_type_call = saved_tc;
  if (an_is(t, AN_T_CLASS) && t->cls) {
    /* C.m where m is C's or an inherited method: m may get any self, and
     * a classmethod gets C itself */
    an_class *owner = an__chain_def(t->cls, attr, NULL);
    if (owner || an__class_def(t->cls, attr)) {
      an__class_open(v->c, owner ? owner : t->cls);
      an__class_open(v->c, t->cls);
    }
  }
  if (!strcmp(attr, "__class__")) {
    if (!v->c->class_of_escapes) v->c->changed = true;
    v->c->class_of_escapes = true;
  }
  return t;
}

static const an_type *an__call(an_env *v, py_node *e) {
  int n = e->u.call.args.n;
  const an_type *small[16];
  const an_type **at = n <= 16 ? small : p_xcalloc((size_t)n, sizeof *at);
  py_node *fn = e->u.call.func;
  bool is_method_on_name = fn->kind == PY_ATTRIBUTE && fn->u.attribute.value->kind == PY_NAME;
  /* builtins that only look at their arguments */
  static const char *const lookers[] = {"len", "sum", "min", "max", "sorted", "any", "all", "print", "str", "repr",
                                        "list", "set", "tuple", "frozenset", "enumerate", "isinstance", "bool",
                                        "int", "float", "abs", "round", "hash", "id", "type", "format", NULL};
  bool looker = false;
  if (fn->kind == PY_NAME && an_resolve(v->s, fn->u.name.id) == AN_BUILTIN)
    for (int i = 0; lookers[i]; i++)
      if (!strcmp(lookers[i], fn->u.name.id)) looker = true;
  bool isinst = fn->kind == PY_NAME && an_resolve(v->s, fn->u.name.id) == AN_BUILTIN &&
                (!strcmp(fn->u.name.id, "isinstance") || !strcmp(fn->u.name.id, "issubclass"));
  if (fn->kind == PY_NAME && an_resolve(v->s, fn->u.name.id) == AN_BUILTIN && !strcmp(fn->u.name.id, "type") &&
      n == 1 && v->c->benign_type_call != e && !v->c->class_of_escapes) {
    v->c->class_of_escapes = true; /* type(x) is x's class: it can be called or subclassed */
    v->c->changed = true;
  }
  /* getattr(p, 'm'), operator.methodcaller('m', ...): the attribute is
   * reached by name, and a method so reached is called who knows how */
  bool by_name = (fn->kind == PY_NAME && !strcmp(fn->u.name.id, "getattr")) ||
                 (fn->kind == PY_NAME && (!strcmp(fn->u.name.id, "methodcaller") || !strcmp(fn->u.name.id, "attrgetter"))) ||
                 (fn->kind == PY_ATTRIBUTE && (!strcmp(fn->u.attribute.attr, "methodcaller") || !strcmp(fn->u.attribute.attr, "attrgetter")));
  for (int i = 0; by_name && i < n; i++)
    if (e->u.call.args.v[i]->kind == PY_STR && e->u.call.args.v[i]->u.str.s) {
      /* attrgetter('a.b') reaches a and b */
      char *names = p_arena_strdup(v->c->a, e->u.call.args.v[i]->u.str.s);
      char *save = NULL;
      for (char *tok = strtok_r(names, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) an__open_attr(v->c, tok);
    }
  for (int i = 0; i < n; i++) {
    py_node *a = e->u.call.args.v[i];
    /* isinstance(x, C): the class is only compared with */
    bool saved = v->class_ok;
    if (isinst && i == 1 && (a->kind == PY_NAME || a->kind == PY_TUPLE)) v->class_ok = true;
    /* a container passed to a call may be mutated or kept there */
    at[i] = looker ? an__expr_safe(v, a) : an__expr(v, a);
    v->class_ok = saved;
    if (a->kind == PY_STARRED) an__escape_name(v, a->u.starred.value);
  }
  for (int i = 0; i < e->u.call.keywords.n; i++) {
    an__expr(v, e->u.call.keywords.v[i]->u.keyword.value);
    an__escape_name(v, e->u.call.keywords.v[i]->u.keyword.value);
  }
  const an_type *r = &an_t_dynamic;
  if (fn->kind == PY_NAME) {
    an_binding b = an_resolve(v->s, fn->u.name.id);
    if (v->record) v->c->p->type_by_id[fn->id] = &an_t_dynamic;
    if (b == AN_BUILTIN) {
      r = an__builtin_call(v, fn->u.name.id, e, at, n);
      if (v->f && v->f->pure) {
        static const char *const pure[] = {"len", "abs", "min", "max", "int", "float", "str", "bool", "round",
                                           "range", "divmod", "pow", "ord", "chr", "isinstance", "sum",
                                           "sorted", "tuple", "list", "set", "dict", "repr", "enumerate",
                                           "zip", "reversed", "all", "any", "hash", "frozenset", NULL};
        bool ok = false;
        for (int i = 0; pure[i]; i++)
          if (!strcmp(pure[i], fn->u.name.id)) ok = true;
        if (!ok) {
          v->f->pure = false;
          v->f->impure_why = "calls a builtin with effects (print, input, open, ...)";
        }
      }
    } else {
      an_func *f = an__callee(v, fn);
      if (f) {
        an__add_callee(v->c, v->f, f);
        an__call_site(v, f, e, at, NULL);
        r = f->is_generator || f->node->u.function_def.is_async ? &an_t_dynamic : f->return_type;
      } else {
        const an_type *ft = an__flow_load(v, fn);
        if (an_is(ft, AN_T_CLASS) && ft->cls) {
          /* C(...): an instance of C, and a call of C.__init__(self, ...) */
          an_class *k = ft->cls;
          if (an__constructible(v->c, k)) {
            r = k->instance;
            const py_node *init = NULL;
            an__chain_def(k, "__init__", &init);
            an_func *f2 = init && init->kind == PY_FUNCTION_DEF ? init->an : NULL;
            if (f2) {
              an__add_callee(v->c, v->f, f2);
              an__call_site(v, f2, e, at, k->instance);
            }
          }
        } else if (!an_known(ft)) {
          r = &an_t_unknown;
        }
        if (v->f && v->f->pure) {
          v->f->pure = false;
          v->f->impure_why = "calls a function that is not known to be pure";
        }
      }
    }
  } else {
    const an_type *recv = fn->kind == PY_ATTRIBUTE ? an__recv(v, fn->u.attribute.value, fn->u.attribute.attr)
                                                   : an__expr(v, fn);
    if (v->record) v->c->p->type_by_id[fn->id] = &an_t_dynamic;
    if (fn->kind == PY_ATTRIBUTE) {
      const char *m = fn->u.attribute.attr;
      an_func *mf = an_is(recv, AN_T_INSTANCE) ? an__method_of(v->c, recv->cls, m) : NULL;
      if (mf) {
        /* p.m(...) with p: C runs C.m(p, ...) */
        an__add_callee(v->c, v->f, mf);
        an__call_site(v, mf, e, at, recv);
        r = mf->is_generator ? &an_t_dynamic : mf->return_type;
      } else if (an_known(recv) && !an_builtin_value(recv)) {
        an__open_attr(v->c, m); /* may be a method of any class, called with arguments we do not map */
      }
      if (mf) {
        /* typed above */
      } else if (an_is(recv, AN_T_STR)) {
        r = an__str_method(v, m);
      } else if (an_is(recv, AN_T_LIST) && is_method_on_name) {
        py_node *obj = fn->u.attribute.value;
        if ((!strcmp(m, "append") && n == 1) || (!strcmp(m, "insert") && n == 2)) {
          an__mutate_type(v, obj->u.name.id, an_type_mk(v->c, AN_T_LIST, at[n - 1], NULL));
          r = &an_t_none;
        } else if (!strcmp(m, "extend") && n == 1) {
          an__mutate_type(v, obj->u.name.id, an_type_mk(v->c, AN_T_LIST, an_type_iter_elem(v->c, at[0]), NULL));
          r = &an_t_none;
        } else if (!strcmp(m, "pop") && n <= 1) {
          r = recv->elem ? recv->elem : &an_t_unknown;
        } else if (!strcmp(m, "sort") || !strcmp(m, "reverse") || !strcmp(m, "clear")) {
          r = &an_t_none;
        } else if (!strcmp(m, "index") || !strcmp(m, "count")) {
          r = &an_t_int;
        } else if (!strcmp(m, "copy")) {
          r = recv;
        } else {
          an__escape_name(v, obj);
        }
      } else if (an_is(recv, AN_T_SET) && is_method_on_name && !strcmp(m, "add") && n == 1) {
        an__mutate_type(v, fn->u.attribute.value->u.name.id, an_type_mk(v->c, AN_T_SET, at[0], NULL));
        r = &an_t_none;
      } else if (an_is(recv, AN_T_DICT) && is_method_on_name) {
        const an_type *val = recv->elem ? recv->elem : &an_t_unknown;
        if (e->u.call.keywords.n) an__escape_name(v, fn->u.attribute.value);
        else if (!strcmp(m, "get") && n == 1) r = an_type_join(v->c, val, &an_t_none); /* value or None */
        else if ((!strcmp(m, "get") || !strcmp(m, "pop")) && n == 2) r = an_type_join(v->c, val, at[1]);
        else if (!strcmp(m, "pop") && n == 1) r = val; /* or KeyError */
        else if (!strcmp(m, "setdefault") && n == 2) {
          /* stores the default when the key is missing */
          an__mutate_type(v, fn->u.attribute.value->u.name.id, an_type_mk(v->c, AN_T_DICT, at[1], at[0]));
          r = an_type_join(v->c, val, at[1]);
        } else if (!strcmp(m, "clear")) r = &an_t_none;
        else if (!strcmp(m, "keys") || !strcmp(m, "values") || !strcmp(m, "items")) r = &an_t_dynamic;
        else an__escape_name(v, fn->u.attribute.value);
      } else if (is_method_on_name && !an_is(recv, AN_T_STR)) {
        an__escape_name(v, fn->u.attribute.value);
      }
    }
    if (v->f && v->f->pure) {
      bool ok = fn->kind == PY_ATTRIBUTE && an_is(recv, AN_T_STR);
      if (!ok) {
        v->f->pure = false;
        v->f->impure_why = "calls a method or a computed callee";
      }
    }
  }
  if (at != small) free(at);
  return r;
}

/* The user function a call's callee names: a def bound exactly once to a
 * module-level name (or a local def in the same function). */
static an_func *an__callee(an_env *v, py_node *fn) {
  if (fn->kind != PY_NAME) return NULL;
  const an_type *t = an__sym_type(v, fn->u.name.id);
  if (an_is(t, AN_T_FUNCTION) && t->func && t->func->node->kind == PY_FUNCTION_DEF) return t->func;
  return NULL;
}

/* Element type of iterating `it`: range(...) gives ints, enumerate(x)
 * (int, elem) pairs, d.items()/keys()/values() of a dict local their
 * parts; otherwise the container's element type. */
static const an_type *an__iter_of(an_env *v, py_node *it) {
  an_ctx *c = v->c;
  if (it->kind == PY_CALL && it->u.call.func->kind == PY_NAME && it->u.call.keywords.n == 0) {
    const char *fn = it->u.call.func->u.name.id;
    bool builtin = an_resolve(v->s, fn) == AN_BUILTIN;
    if (builtin && !strcmp(fn, "range") && it->u.call.args.n >= 1 && it->u.call.args.n <= 3) {
      for (int i = 0; i < it->u.call.args.n; i++) an__expr_safe(v, it->u.call.args.v[i]);
      if (v->record) {
        c->p->type_by_id[it->id] = &an_t_dynamic;
        c->p->type_by_id[it->u.call.func->id] = &an_t_dynamic;
      }
      return &an_t_int;
    }
    if (builtin && !strcmp(fn, "enumerate") && it->u.call.args.n == 1) {
      const an_type *inner = an__expr_safe(v, it->u.call.args.v[0]);
      if (v->record) {
        c->p->type_by_id[it->id] = &an_t_dynamic;
        c->p->type_by_id[it->u.call.func->id] = &an_t_dynamic;
      }
      if (!an_known(inner)) return &an_t_unknown;
      const an_type *items[2] = {&an_t_int, an_type_iter_elem(c, inner)};
      return an_type_tuple(c, items, 2);
    }
  }
  if (it->kind == PY_CALL && it->u.call.func->kind == PY_ATTRIBUTE && it->u.call.args.n == 0 &&
      it->u.call.keywords.n == 0 && it->u.call.func->u.attribute.value->kind == PY_NAME) {
    const an_type *d = an__expr_safe(v, it->u.call.func->u.attribute.value);
    const char *m = it->u.call.func->u.attribute.attr;
    if (an_is(d, AN_T_DICT) && (!strcmp(m, "items") || !strcmp(m, "keys") || !strcmp(m, "values"))) {
      if (v->record) {
        c->p->type_by_id[it->id] = &an_t_dynamic;
        c->p->type_by_id[it->u.call.func->id] = &an_t_dynamic;
      }
      const an_type *k = d->key ? d->key : &an_t_unknown, *val = d->elem ? d->elem : &an_t_unknown;
      if (!strcmp(m, "keys")) return k;
      if (!strcmp(m, "values")) return val;
      const an_type *items[2] = {k, val};
      return an_type_tuple(c, items, 2);
    }
  }
  return an_type_iter_elem(c, an__expr_safe(v, it));
}

static const an_type *an__comp(an_env *v, py_node *e) {
  an_scope *cs = an_scope_of(v->c->p, e);
  if (!cs) return &an_t_dynamic;
  an_env inner = *v;
  inner.s = cs;
  py_nodes g = e->u.comp.generators;
  for (int i = 0; i < g.n; i++) {
    py_node *cl = g.v[i];
    const an_type *el = an__iter_of(i == 0 ? v : &inner, cl->u.comprehension.iter);
    an__bind_target_type(&inner, cl->u.comprehension.target, el);
    for (int j = 0; j < cl->u.comprehension.ifs.n; j++) an__expr(&inner, cl->u.comprehension.ifs.v[j]);
  }
  const an_type *el = an__expr(&inner, e->u.comp.elt);
  switch (e->kind) {
  case PY_LIST_COMP: return an_type_mk(v->c, AN_T_LIST, el, NULL);
  case PY_SET_COMP: return an_type_mk(v->c, AN_T_SET, el, NULL);
  case PY_DICT_COMP: return an_type_mk(v->c, AN_T_DICT, an__expr(&inner, e->u.comp.value), el);
  default: return &an_t_dynamic;
  }
}

/* Evaluates e where a container name is only looked at (subscripted,
 * iterated, compared, measured): it does not escape. */
static const an_type *an__expr_safe(an_env *v, py_node *e) {
  if (!e || e->kind != PY_NAME) return an__expr(v, e);
  bool saved = v->safe;
  v->safe = true;
  const an_type *t = an__expr(v, e);
  v->safe = saved;
  return t;
}

static int an__expr_child(py_node *ch, void *ctx) {
  an__expr(ctx, ch);
  return 0;
}

static const an_type *an__expr_inner(an_env *v, py_node *e) {
  an_ctx *c = v->c;
  switch (e->kind) {
  case PY_INT: return &an_t_int;
  case PY_FLOAT: return &an_t_float;
  case PY_STR:
    return &an_t_str;
  case PY_JOINED_STR: {
    py_nodes parts = e->u.joined_str.values;
    const an_type *last = &an_t_str;
    for (int i = 0; i < parts.n; i++) {
      py_node *pt = parts.v[i];
      if (pt->kind != PY_FORMATTED_VALUE) continue;
      last = an__expr(v, pt->u.formatted_value.value);
      if (pt->u.formatted_value.format_spec) an__expr(v, pt->u.formatted_value.format_spec);
    }
    /* f"{x}" alone is x.__format__(...), which may return a str subclass */
    if (parts.n == 1 && parts.v[0]->kind == PY_FORMATTED_VALUE && parts.v[0]->u.formatted_value.conversion < 0) {
      if (!an_known(last)) return &an_t_unknown;
      return an__builtin_string_arg(last) ? &an_t_str : &an_t_dynamic;
    }
    return &an_t_str;
  }
  case PY_BYTES: return &an_t_bytes;
  case PY_BOOL: return &an_t_bool;
  case PY_NONE: return &an_t_none;
  case PY_NAME:
    if (e->u.name.ctx != PY_LOAD) return &an_t_dynamic;
    if (v->f && v->f->pure) {
      an_binding b = an_resolve(v->s, e->u.name.id);
      if (b == AN_GLOBAL_IMPLICIT || b == AN_GLOBAL_EXPLICIT || b == AN_FREE || b == AN_NONLOCAL) {
        const an_type *t = an__sym_type(v, e->u.name.id);
        an_symbol *y = an_target_sym(v->s, e->u.name.id, NULL);
        bool constant = y && y->nassign <= 1 && (an_is(t, AN_T_FUNCTION) || an_is(t, AN_T_CLASS) || an__prim(t));
        if (!constant) {
          v->f->pure = false;
          v->f->impure_why = "reads a variable that may change between calls";
        }
      }
    }
    if (!v->safe) an__escape_name(v, e);
    return an__flow_load(v, e);
  case PY_BIN_OP: {
    const an_type *l = an__expr(v, e->u.bin_op.left), *r = an__expr(v, e->u.bin_op.right);
    return an__binop(c, e->u.bin_op.op, l, r, e->u.bin_op.right);
  }
  case PY_UNARY_OP: {
    const an_type *t = an__expr(v, e->u.unary_op.operand);
    if (e->u.unary_op.op == PY_OP_NOT) return &an_t_bool;
    if (!an_known(t)) return t;
    if (an_is(t, AN_T_INT) || an_is(t, AN_T_BOOL)) return &an_t_int;
    if (an_is(t, AN_T_FLOAT) && e->u.unary_op.op != PY_OP_INVERT) return &an_t_float;
    return &an_t_dynamic;
  }
  case PY_BOOL_OP: {
    const an_type *r = &an_t_unknown;
    for (int i = 0; i < e->u.bool_op.values.n; i++) r = an_type_join(c, r, an__expr(v, e->u.bool_op.values.v[i]));
    return r;
  }
  case PY_COMPARE: {
    const an_type *l = an__expr_safe(v, e->u.compare.left);
    bool prim = an__prim(l) || !an_known(l);
    for (int i = 0; i < e->u.compare.comparators.n; i++) {
      const an_type *r = an__expr_safe(v, e->u.compare.comparators.v[i]);
      py_op op = e->u.compare.ops[i];
      if (op == PY_OP_IS || op == PY_OP_ISNOT || op == PY_OP_IN || op == PY_OP_NOTIN) {
        if (op == PY_OP_IN || op == PY_OP_NOTIN) prim = prim && (an_is(r, AN_T_STR) || an_is(r, AN_T_LIST) ||
                                                                an_is(r, AN_T_DICT) || an_is(r, AN_T_SET) ||
                                                                an_is(r, AN_T_TUPLE) || !an_known(r));
        continue;
      }
      prim = prim && (an__prim(r) || !an_known(r));
    }
    return prim ? &an_t_bool : &an_t_dynamic;
  }
  case PY_IF_EXP: {
    an__expr(v, e->u.if_exp.test);
    return an_type_join(c, an__expr(v, e->u.if_exp.body), an__expr(v, e->u.if_exp.orelse));
  }
  case PY_NAMED_EXPR: {
    const an_type *t = an__expr(v, e->u.named_expr.value);
    an_env fv = *v;
    while (fv.s->kind == AN_SCOPE_COMPREHENSION) fv.s = fv.s->parent;
    /* the := may sit in a branch that does not run (a and (x := 1)):
     * the name keeps its old type too */
    fv.weak = true;
    an__bind_type(&fv, e->u.named_expr.target->u.name.id, t);
    return t;
  }
  case PY_LIST: case PY_SET: case PY_TUPLE: {
    py_nodes el = e->kind == PY_SET ? e->u.set.elts : e->u.list_or_tuple.elts;
    const an_type *small[16];
    const an_type **it = el.n <= 16 ? small : p_xcalloc((size_t)el.n, sizeof *it);
    const an_type *j = &an_t_unknown;
    bool star = false;
    for (int i = 0; i < el.n; i++) {
      it[i] = an__expr(v, el.v[i]);
      if (el.v[i]->kind == PY_STARRED) star = true;
      an__escape_name(v, el.v[i]->kind == PY_STARRED ? el.v[i]->u.starred.value : el.v[i]);
      j = an_type_join(c, j, it[i]);
    }
    const an_type *r;
    if (e->kind == PY_TUPLE) r = star ? &an_t_dynamic : an_type_tuple(c, it, el.n);
    else r = an_type_mk(c, e->kind == PY_LIST ? AN_T_LIST : AN_T_SET, star ? &an_t_dynamic : j, NULL);
    if (it != small) free(it);
    return r;
  }
  case PY_DICT: {
    const an_type *k = &an_t_unknown, *val = &an_t_unknown;
    for (int i = 0; i < e->u.dict.values.n; i++) {
      if (e->u.dict.keys.v[i]) {
        k = an_type_join(c, k, an__expr(v, e->u.dict.keys.v[i]));
        val = an_type_join(c, val, an__expr(v, e->u.dict.values.v[i]));
        an__escape_name(v, e->u.dict.values.v[i]);
      } else {
        an__expr(v, e->u.dict.values.v[i]);
        k = val = &an_t_dynamic;
      }
    }
    return an_type_mk(c, AN_T_DICT, val, k);
  }
  case PY_LIST_COMP: case PY_SET_COMP: case PY_DICT_COMP: case PY_GENERATOR_EXP: return an__comp(v, e);
  case PY_CALL: return an__call(v, e);
  case PY_SUBSCRIPT: {
    const an_type *t = an__expr_safe(v, e->u.subscript.value);
    const an_type *ix = an__expr(v, e->u.subscript.slice);
    if (e->u.subscript.ctx != PY_LOAD) return &an_t_dynamic;
    if (!an_known(t)) return t;
    bool slice = e->u.subscript.slice->kind == PY_SLICE;
    bool int_ix = an_is(ix, AN_T_INT) || an_is(ix, AN_T_BOOL);
    if (an_is(t, AN_T_STR) && (slice || int_ix)) return &an_t_str;
    if (an_is(t, AN_T_LIST) && slice) return t;
    if (an_is(t, AN_T_LIST) && int_ix) return t->elem ? t->elem : &an_t_unknown;
    if (an_is(t, AN_T_DICT)) return t->elem ? t->elem : &an_t_unknown;
    if (an_is(t, AN_T_TUPLE) && e->u.subscript.slice->kind == PY_INT && e->u.subscript.slice->u.int_.fits_i64 &&
        e->u.subscript.slice->u.int_.i64 < t->nitems)
      return t->items[e->u.subscript.slice->u.int_.i64];
    if (an_is(t, AN_T_TUPLE) && int_ix) return an_type_iter_elem(c, t);
    return &an_t_dynamic;
  }
  case PY_ATTRIBUTE: {
    const char *attr = e->u.attribute.attr;
    const an_type *t = an__recv(v, e->u.attribute.value, attr);
    an__impure(v, "reads an attribute (a property may run code)");
    if (e->u.attribute.ctx != PY_LOAD) return &an_t_dynamic;
    if (an_is(t, AN_T_INSTANCE) && t->cls) {
      if (an__class_def(t->cls, attr)) an__open_attr(c, attr); /* a bound method, called who knows how */
      const char *why;
      return an__attr_type(c, t->cls, attr, &why);
    }
    if (an_is(t, AN_T_CLASS) && t->cls && an__constructible(c, t->cls) && !an__chain_def(t->cls, attr, NULL)) {
      /* C.x: a class-level value up the chain (joined with the instance
       * stores, a superset; no instance dict is involved) */
      const char *why;
      for (an_class *x = t->cls; x; x = x->base) {
        an_attr *at = an__cls_attr(c, x, attr, false);
        if (at && at->class_level) return an__attr_type(c, t->cls, attr, &why);
      }
      return &an_t_dynamic;
    }
    if (an_known(t) && !an_builtin_value(t)) an__open_attr(c, attr);
    return an_known(t) ? &an_t_dynamic : &an_t_unknown;
  }
  case PY_LAMBDA: {
    /* defaults are typed here; the body in its own scope */
    for (int i = 0; e->u.lambda.args && i < e->u.lambda.args->all.n; i++)
      if (e->u.lambda.args->all.v[i]->u.arg.default_) an__expr(v, e->u.lambda.args->all.v[i]->u.arg.default_);
    an_env inner = *v;
    inner.s = an_scope_of(c->p, e);
    inner.f = an_func_of(c->p, e);
    if (inner.s) {
      if (inner.f) inner.f->closed = false;
      an__expr(&inner, e->u.lambda.body);
    }
    return &an_t_dynamic;
  }
  default: {
    py_node_children(e, an__expr_child, v);
    return &an_t_dynamic;
  }
  }
}

/* Remembers an expression typed in the final round (first time only). */
static void an__rec(an_env *v, py_node *e) {
  an_ctx *c = v->c;
  c->recs = an_grow(c->a, c->recs, c->nrecs, &c->caprecs, sizeof *c->recs);
  struct an_rec *r = &c->recs[c->nrecs++];
  r->n = e;
  r->s = v->s;
  r->f = v->f;
  r->m = v->s->module;
  r->flow = false;
  if (e->kind == PY_NAME && v->fl && v->fl->s == v->s && v->fl->live) {
    an_symbol *y = an_symbol_of(v->s, e->u.name.id);
    r->flow = y && y->flow_idx >= 0;
  }
}

static const an_type *an__expr(an_env *v, py_node *e) {
  if (!e) return &an_t_none;
  const an_type *t = an__expr_inner(v, e);
  if (e->kind == PY_NAME && e->u.name.ctx == PY_LOAD) {
    /* a name of a function used as a value: the function escapes */
    if (an_is(t, AN_T_FUNCTION) && t->func && t->func->closed) {
      /* direct callees are looked up through an__callee, not here */
      t->func->closed = false;
      v->c->changed = true;
    }
    /* ... and a class used as a value may be called or subclassed anywhere */
    if (an_is(t, AN_T_CLASS) && !v->class_ok) an__class_open(v->c, t->cls);
  }
  if (v->record && e->id && e->id <= v->c->p->ast->nnodes) {
    if (!v->c->p->type_by_id[e->id]) an__rec(v, e);
    v->c->p->type_by_id[e->id] = t;
  }
  return t;
}

/* ------------------------------------------------------ statements */

static void an__attr_store(an_ctx *c, const char *name, const an_type *t) {
  for (int i = 0; i < c->nattr_stores; i++)
    if (!strcmp(c->attr_stores[i].name, name)) {
      const an_type *j = an_type_join(c, c->attr_stores[i].type, t);
      if (!an_type_eq(j, c->attr_stores[i].type)) {
        c->attr_stores[i].type = j;
        c->changed = true;
      }
      return;
    }
  c->attr_stores = an_grow(c->a, c->attr_stores, c->nattr_stores, &c->capattr_stores, sizeof *c->attr_stores);
  c->attr_stores[c->nattr_stores].name = name;
  c->attr_stores[c->nattr_stores].type = t;
  c->nattr_stores++;
  c->changed = true;
}

/* Stores into attributes and subscripts: their value types matter for
 * instance attributes and container elements. */
static void an__store(an_env *v, py_node *t, const an_type *ty) {
  if (!t) return;
  if (t->kind == PY_ATTRIBUTE) {
    const char *attr = t->u.attribute.attr;
    const an_type *rt = an__recv(v, t->u.attribute.value, attr);
    an__attr_store(v->c, attr, ty);
    if (an_is(rt, AN_T_INSTANCE) && rt->cls) {
      an__attr_join(v->c, rt->cls, attr, ty, false);
    } else if (an_is(rt, AN_T_CLASS) && rt->cls) {
      an__attr_join(v->c, rt->cls, attr, ty, true);
      if (an__class_def(rt->cls, attr)) an__dyn_attr(v->c, attr); /* replaces a method */
    } else if (an_known(rt)) {
      an_class *fam = an__self_recv(v, t->u.attribute.value);
      if (fam && an__family_ok(v->c, fam)) {
        /* self.x = ... in a method of a class with subclasses: a store
         * into every class of the family */
        for (int i = 0; i < v->c->p->nclasses; i++)
          if (an_inherits(v->c->p->classes[i], fam)) an__attr_join(v->c, v->c->p->classes[i], attr, ty, false);
      } else {
        an__dyn_attr(v->c, attr); /* may be an instance of any class */
      }
    }
    if (v->f && v->f->pure) {
      v->f->pure = false;
      v->f->impure_why = "writes an attribute";
    }
  } else if (t->kind == PY_SUBSCRIPT) {
    const an_type *ct = an__expr_safe(v, t->u.subscript.value);
    const an_type *kt = an__expr(v, t->u.subscript.slice);
    py_node *obj = t->u.subscript.value;
    if (obj->kind == PY_NAME) {
      if (an_is(ct, AN_T_LIST)) an__mutate_type(v, obj->u.name.id, an_type_mk(v->c, AN_T_LIST, t->u.subscript.slice->kind == PY_SLICE ? an_type_iter_elem(v->c, ty) : ty, NULL));
      else if (an_is(ct, AN_T_DICT)) an__mutate_type(v, obj->u.name.id, an_type_mk(v->c, AN_T_DICT, ty, kt));
      an_binding b = an_resolve(v->s, obj->u.name.id);
      if (v->f && v->f->pure && b != AN_LOCAL) {
        v->f->pure = false;
        v->f->impure_why = "writes into a container it does not own";
      }
    } else if (v->f && v->f->pure) {
      v->f->pure = false;
      v->f->impure_why = "writes into a container it does not own";
    }
  } else if (t->kind == PY_TUPLE || t->kind == PY_LIST) {
    int n = t->u.list_or_tuple.elts.n;
    for (int i = 0; i < n; i++) {
      py_node *el = t->u.list_or_tuple.elts.v[i];
      const an_type *et = an_is(ty, AN_T_TUPLE) && ty->nitems == n ? ty->items[i] : an_known(ty) ? &an_t_dynamic : ty;
      /* names are bound by an__bind_target_type; here only the
       * attributes and subscripts among the targets */
      py_node *inner = el->kind == PY_STARRED ? el->u.starred.value : el;
      if (inner->kind == PY_NAME) continue;
      an__store(v, inner, el->kind == PY_STARRED ? &an_t_dynamic : et);
    }
  } else if (t->kind == PY_NAME) {
    an__bind_type(v, t->u.name.id, ty);
  } else if (t->kind == PY_STARRED) {
    an__store(v, t->u.starred.value, &an_t_dynamic);
  }
}

static void an__count_assign(an_env *v, py_node *t) {
  if (!t) return;
  if (t->kind == PY_NAME) {
    an_binding b;
    an_symbol *y = an_target_sym(v->s, t->u.name.id, &b);
    if (y) y->nassign++;
  } else if (t->kind == PY_TUPLE || t->kind == PY_LIST) {
    for (int i = 0; i < t->u.list_or_tuple.elts.n; i++) an__count_assign(v, t->u.list_or_tuple.elts.v[i]);
  } else if (t->kind == PY_STARRED) {
    an__count_assign(v, t->u.starred.value);
  }
}

static bool an__stmts(an_env *v, py_nodes b, bool count);

static void an__impure(an_env *v, const char *why) {
  if (v->f && v->f->pure) {
    v->f->pure = false;
    v->f->impure_why = why;
  }
}

/* A base that is certainly not a class of the program: a builtin name or
 * something imported from a standard-library module. */
static bool an__known_base(an_env *v, py_node *b) {
  py_node *root = b;
  while (root->kind == PY_ATTRIBUTE) root = root->u.attribute.value;
  if (root->kind != PY_NAME) return false;
  an_binding bd = an_resolve(v->s, root->u.name.id);
  if (bd == AN_BUILTIN) return root == b;
  an_module *m = v->s->module;
  for (int i = 0; m && i < m->nimports; i++)
    if (m->imports[i].asname && !strcmp(m->imports[i].asname, root->u.name.id)) {
      if (!m->imports[i].is_stdlib) return false;
      an_symbol *y = an_target_sym(v->s, root->u.name.id, NULL);
      return y && (y->flags & AN_SYM_IMPORTED) && y->nassign <= 1;
    }
  return false;
}

/* break/continue with environment f: to the loop's exit/head, or through
 * the finally between us and the loop (which then forwards it). */
static void an__jump(an_env *v, bool brk, const an_flow *f) {
  if (!v->loop) return;
  if (v->fin && v->fin != v->loop->fin) {
    if (brk) v->fin->brk = true;
    else v->fin->cont = true;
    return;
  }
  an__fl_join(v->c, brk ? v->loop->brk : v->loop->cont, f);
}

static void an__fl_captures(an_env *v, py_node *p) {
  if (!p || !v->fl) return;
  const char *nm = NULL;
  if (p->kind == PY_MATCH_AS) nm = p->u.match_as.name;
  else if (p->kind == PY_MATCH_STAR) nm = p->u.match_star.name;
  else if (p->kind == PY_MATCH_MAPPING) nm = p->u.match_mapping.rest;
  if (nm) {
    bool w = v->weak;
    v->weak = true;
    an__fl_bind(v, an_symbol_of(v->s, nm), &an_t_dynamic);
    v->weak = w;
  }
  switch (p->kind) {
  case PY_MATCH_AS: an__fl_captures(v, p->u.match_as.pattern); break;
  case PY_MATCH_SEQUENCE: case PY_MATCH_OR:
    for (int i = 0; i < p->u.match_seq.patterns.n; i++) an__fl_captures(v, p->u.match_seq.patterns.v[i]);
    break;
  case PY_MATCH_MAPPING:
    for (int i = 0; i < p->u.match_mapping.patterns.n; i++) an__fl_captures(v, p->u.match_mapping.patterns.v[i]);
    break;
  case PY_MATCH_CLASS:
    for (int i = 0; i < p->u.match_class.patterns.n; i++) an__fl_captures(v, p->u.match_class.patterns.v[i]);
    for (int i = 0; i < p->u.match_class.kwd_patterns.n; i++) an__fl_captures(v, p->u.match_class.kwd_patterns.v[i]);
    break;
  default: break;
  }
}

/* Loops: the head environment is iterated to a fixed point (the join of
 * the entry and of every way back: the end of the body and continue).
 * After AN_LOOP_WIDEN rounds a name whose head type still changes becomes
 * dynamic, so that it terminates. The last round types the body with the
 * final head, so the recorded expression types hold on every iteration.
 * The exit is the head (test false, iterator exhausted) through the else
 * clause, joined with every break. */
enum { AN_LOOP_WIDEN = 3 };

static void an__loop(an_env *v, py_node *target, const an_type *el, py_node *test, py_nodes body, py_nodes orelse,
                     bool count, bool infinite) {
  an_ctx *c = v->c;
  an_flow *head = an__fl_copy(v->fl), *exit_env = NULL;
  an_loop lp = {NULL, NULL, v->fin};
  an_loop *saved = v->loop;
  for (int round = 0;; round++) {
    an__fl_set(v->fl, head);
    lp.brk = an__fl_dead(v->fl);
    lp.cont = an__fl_dead(v->fl);
    v->loop = &lp;
    if (test) an__expr(v, test);
    an__fl_free(exit_env);
    exit_env = an__fl_copy(v->fl);
    if (target) {
      an__bind_target_type(v, target, el);
      if (target->kind != PY_NAME && target->kind != PY_TUPLE && target->kind != PY_LIST) an__store(v, target, el);
    }
    an__stmts(v, body, count && round == 0);
    v->loop = saved;
    if (!v->fl) break;
    /* ascending: the head only grows (it already holds the entry) */
    an_flow *nh = an__fl_copy(head);
    an__fl_join(c, nh, v->fl);
    an__fl_join(c, nh, lp.cont);
    if (an__fl_eq(nh, head)) {
      an__fl_free(nh);
      break;
    }
    if (round >= AN_LOOP_WIDEN)
      for (int i = 0; i < nh->n; i++)
        if (!an_type_eq(nh->t[i], head->t[i])) nh->t[i] = &an_t_dynamic;
    an__fl_free(head);
    head = nh;
    an__fl_free(lp.brk);
    an__fl_free(lp.cont);
  }
  if (v->fl) {
    an__fl_set(v->fl, exit_env);
    if (infinite) v->fl->live = false;
  }
  an__stmts(v, orelse, count);
  an__fl_join(c, v->fl, lp.brk);
  an__fl_free(lp.brk);
  an__fl_free(lp.cont);
  an__fl_free(head);
  an__fl_free(exit_env);
}

/* try: an exception may come after any binding of the body, so a handler
 * starts from the join of the environment before the try and of every
 * binding in the body (acc_body). The finally runs on every path: from
 * the join of everything bound anywhere in body, handlers and else
 * (acc_all), which also types a break/continue that passes through it;
 * the statement's normal exit is the finally typed from the normal exits
 * alone. */
static void an__try(an_env *v, py_node *st, bool count) {
  an_ctx *c = v->c;
  bool hasfin = st->u.try_.finalbody.n > 0;
  an_flow *acc_body = an__fl_copy(v->fl), *acc_all = an__fl_copy(v->fl);
  an_acc l_all = {acc_all, v->acc}, l_body = {acc_body, &l_all};
  an_acc *saved_acc = v->acc;
  an_fin fin = {false, false, v->fin};
  an_fin *saved_fin = v->fin;
  if (hasfin) v->fin = &fin;
  if (v->fl) v->acc = &l_body;
  an__stmts(v, st->u.try_.body, count);
  if (v->fl) v->acc = &l_all;
  an__stmts(v, st->u.try_.orelse, count);
  an_flow *out = an__fl_copy(v->fl);
  /* except*: several handlers may run one after another, each seeing what
   * the ones before bound */
  if (st->u.try_.is_star && v->fl) v->acc = &l_body;
  for (int i = 0; i < st->u.try_.handlers.n; i++) {
    py_node *h = st->u.try_.handlers.v[i];
    an__fl_set(v->fl, acc_body);
    an__expr(v, h->u.except_handler.type);
    if (h->u.except_handler.name) an__bind_type(v, h->u.except_handler.name, &an_t_dynamic);
    an__stmts(v, h->u.except_handler.body, count);
    /* `except E as e` unbinds e at the end of the handler */
    if (h->u.except_handler.name) an__fl_unbind(v, h->u.except_handler.name);
    an__fl_join(c, out, v->fl);
  }
  v->acc = saved_acc;
  v->fin = saved_fin;
  an__fl_set(v->fl, out);
  if (hasfin) {
    bool twice = v->fl && v->fl->live && !an__fl_eq(out, acc_all);
    an_flow *normal = NULL;
    if (twice) {
      an__stmts(v, st->u.try_.finalbody, count);
      normal = an__fl_copy(v->fl);
    }
    /* typed last from the widest environment: its records hold on every path */
    an__fl_set(v->fl, acc_all);
    an__stmts(v, st->u.try_.finalbody, count && !twice);
    if (fin.brk) an__jump(v, true, v->fl);
    if (fin.cont) an__jump(v, false, v->fl);
    if (normal) an__fl_set(v->fl, normal);
    else if (v->fl && !out->live) v->fl->live = false;
    an__fl_free(normal);
  }
  an__fl_free(out);
  an__fl_free(acc_body);
  an__fl_free(acc_all);
}

/* Types one statement; returns false when control cannot continue after
 * it (return, raise, continue, break). count: first pass over this code
 * (binding counts are taken once). */
static bool an__stmt(an_env *v, py_node *st, bool count) {
  an_ctx *c = v->c;
  switch (st->kind) {
  case PY_EXPR: an__expr(v, st->u.expr.value); return true;
  case PY_ASSIGN: {
    /* a, b = xs only reads xs's elements: xs itself is not aliased */
    bool unpack = true;
    for (int i = 0; i < st->u.assign.targets.n; i++)
      if (st->u.assign.targets.v[i]->kind != PY_TUPLE && st->u.assign.targets.v[i]->kind != PY_LIST) unpack = false;
    const an_type *t = unpack ? an__expr_safe(v, st->u.assign.value) : an__expr(v, st->u.assign.value);
    bool alias = st->u.assign.value->kind == PY_NAME || st->u.assign.targets.n > 1;
    for (int i = 0; i < st->u.assign.targets.n; i++) {
      py_node *tg = st->u.assign.targets.v[i];
      if (alias) {
        /* x = y (or x = y = [..]): two names for one container */
        an_env fv = *v;
        if (tg->kind == PY_NAME) {
          an_symbol *ty = an_target_sym(v->s, tg->u.name.id, NULL);
          if (ty && !ty->escapes) {
            ty->escapes = true;
            c->changed = true;
          }
        }
        (void)fv;
      }
      if (count) an__count_assign(v, tg);
      if (tg->kind == PY_NAME || tg->kind == PY_TUPLE || tg->kind == PY_LIST) an__bind_target_type(v, tg, t);
      if (tg->kind != PY_NAME) an__store(v, tg, t);
    }
    return true;
  }
  case PY_AUG_ASSIGN: {
    py_node *tg = st->u.aug_assign.target;
    const an_type *r = an__expr(v, st->u.aug_assign.value);
    if (count) an__count_assign(v, tg);
    if (tg->kind == PY_NAME) {
      const an_type *cur = an__flow_load(v, tg); /* the value before the update */
      const an_type *nt = an__binop(c, st->u.aug_assign.op, cur, r, st->u.aug_assign.value);
      if (an_is(cur, AN_T_LIST) && st->u.aug_assign.op == PY_OP_ADD)
        nt = an_known(r) ? an_type_mk(c, AN_T_LIST, an_type_iter_elem(c, r), NULL) : &an_t_unknown;
      an__bind_type(v, tg->u.name.id, nt);
      an_binding b = an_resolve(v->s, tg->u.name.id);
      if (b == AN_GLOBAL_EXPLICIT || b == AN_NONLOCAL) an__impure(v, "writes a global or nonlocal variable");
    } else if (tg->kind == PY_SUBSCRIPT) {
      /* d[k] += x stores old + x into the container */
      py_ctx saved = tg->u.subscript.ctx;
      tg->u.subscript.ctx = PY_LOAD; /* type the read half */
      const an_type *cur = an__expr(v, tg);
      tg->u.subscript.ctx = saved;
      const an_type *nt = an__binop(c, st->u.aug_assign.op, cur, r, st->u.aug_assign.value);
      an__store(v, tg, nt);
    } else if (tg->kind == PY_ATTRIBUTE) {
      /* p.n += x stores p.n + x (the attribute's type is sound for the read) */
      py_ctx saved = tg->u.attribute.ctx;
      tg->u.attribute.ctx = PY_LOAD;
      const an_type *cur = an__expr(v, tg);
      tg->u.attribute.ctx = saved;
      an__store(v, tg, an__binop(c, st->u.aug_assign.op, cur, r, st->u.aug_assign.value));
    } else {
      an__expr(v, tg);
      an__store(v, tg, &an_t_dynamic);
    }
    return true;
  }
  case PY_ANN_ASSIGN:
    if (v->record && (!st->u.ann_assign.value || !c->p->type_by_id[st->u.ann_assign.value->id])) {
      bool seen = false;
      for (int i = c->nanns - 1; i >= 0 && i >= c->nanns - 8; i--)
        if (c->anns[i].st == st) seen = true;
      if (!seen) {
        if (c->nanns == c->capanns) {
          c->capanns = c->capanns ? c->capanns * 2 : 16;
          struct an_annrec *nv = p_xrealloc(c->anns, sizeof *nv * (size_t)c->capanns);
          c->anns = nv;
        }
        c->anns[c->nanns].st = st;
        c->anns[c->nanns++].s = v->s;
      }
    }
    if (st->u.ann_assign.value) {
      const an_type *t = an__expr(v, st->u.ann_assign.value);
      if (count) an__count_assign(v, st->u.ann_assign.target);
      if (st->u.ann_assign.target->kind == PY_NAME) an__bind_type(v, st->u.ann_assign.target->u.name.id, t);
      else an__store(v, st->u.ann_assign.target, t);
    }
    return true;
  case PY_FOR: {
    py_node *it = st->u.for_.iter;
    bool nonneg = false, i32 = false;
    if (it->kind == PY_CALL && it->u.call.func->kind == PY_NAME && !strcmp(it->u.call.func->u.name.id, "range") &&
        an_resolve(v->s, "range") == AN_BUILTIN && it->u.call.keywords.n == 0 && it->u.call.args.n >= 1 &&
        it->u.call.args.n <= 3) {
      /* range facts: never negative with a literal start >= 0 and step > 0;
       * within int32 when every bound is a small literal */
      py_nodes a = it->u.call.args;
      py_node *start = a.n >= 2 ? a.v[0] : NULL;
      py_node *step = a.n == 3 ? a.v[2] : NULL;
      bool start_ok = !start || (start->kind == PY_INT && start->u.int_.fits_i64);
      bool step_pos = !step || (step->kind == PY_INT && step->u.int_.fits_i64 && step->u.int_.i64 > 0);
      nonneg = start_ok && step_pos;
      i32 = true;
      for (int i = 0; i < a.n; i++)
        if (!(a.v[i]->kind == PY_INT && a.v[i]->u.int_.fits_i64 && a.v[i]->u.int_.i64 < 2147483647) &&
            !(a.v[i]->kind == PY_UNARY_OP && a.v[i]->u.unary_op.op == PY_OP_USUB && a.v[i]->u.unary_op.operand->kind == PY_INT &&
              a.v[i]->u.unary_op.operand->u.int_.fits_i64 && a.v[i]->u.unary_op.operand->u.int_.i64 < 2147483647))
          i32 = false;
    }
    const an_type *el = an__iter_of(v, it);
    if (count) an__count_assign(v, st->u.for_.target);
    if (count && st->u.for_.target->kind == PY_NAME && (nonneg || i32)) {
      an_symbol *y = an_target_sym(v->s, st->u.for_.target->u.name.id, NULL);
      if (y) y->flags |= (nonneg ? AN_SYM_RANGE_NONNEG : 0) | (i32 ? AN_SYM_RANGE_I32 : 0);
    }
    an__loop(v, st->u.for_.target, el, NULL, st->u.for_.body, st->u.for_.orelse, count, false);
    return true;
  }
  case PY_WHILE: {
    /* `while True:` never ends but by break */
    py_node *t = st->u.while_.test;
    bool infinite = (t->kind == PY_BOOL && t->u.bool_.value) || (t->kind == PY_INT && t->u.int_.fits_i64 && t->u.int_.i64 != 0);
    an__loop(v, NULL, NULL, t, st->u.while_.body, st->u.while_.orelse, count, infinite);
    return true;
  }
  case PY_IF: {
    an__expr(v, st->u.if_.test);
    an_flow *els = an__fl_copy(v->fl);
    bool a = an__stmts(v, st->u.if_.body, count);
    an_flow *then = an__fl_copy(v->fl);
    an__fl_set(v->fl, els);
    bool b = st->u.if_.orelse.n ? an__stmts(v, st->u.if_.orelse, count) : true;
    an__fl_join(c, v->fl, then);
    an__fl_free(els);
    an__fl_free(then);
    return a || b;
  }
  case PY_RETURN: {
    const an_type *t = st->u.return_.value ? an__expr(v, st->u.return_.value) : &an_t_none;
    if (st->u.return_.value) an__escape_name(v, st->u.return_.value);
    if (v->f) {
      const an_type *j = an_type_join(c, v->f->return_type, t);
      if (!an_type_eq(j, v->f->return_type)) {
        v->f->return_type = j;
        c->changed = true;
      }
    }
    an__fl_kill(v);
    return false;
  }
  case PY_RAISE:
    an__expr(v, st->u.raise.exc);
    an__expr(v, st->u.raise.cause);
    an__fl_kill(v);
    return false;
  case PY_BREAK: case PY_CONTINUE:
    an__jump(v, st->kind == PY_BREAK, v->fl);
    an__fl_kill(v);
    return false;
  case PY_FUNCTION_DEF: {
    an_func *f = an_func_of(c->p, st);
    for (int i = 0; i < st->u.function_def.decorators.n; i++) an__expr(v, st->u.function_def.decorators.v[i]);
    const py_arguments *pa = st->u.function_def.args;
    for (int i = 0; pa && i < pa->all.n; i++)
      if (pa->all.v[i]->u.arg.default_) an__expr(v, pa->all.v[i]->u.arg.default_);
    if (count) {
      an_symbol *y = an_target_sym(v->s, st->u.function_def.name, NULL);
      if (y) y->nassign++;
    }
    if (f) {
      an_type *ft = p_arena_alloc(c->a, sizeof *ft);
      ft->kind = AN_T_FUNCTION;
      ft->func = f;
      an__bind_type(v, st->u.function_def.name, st->u.function_def.decorators.n ? &an_t_dynamic : ft);
      /* only module-level functions (and methods of module-level classes,
       * see an__method_closed) get call-site types */
      bool top = v->s->kind == AN_SCOPE_MODULE ||
                 (v->s->kind == AN_SCOPE_CLASS && v->s->parent && v->s->parent->kind == AN_SCOPE_MODULE);
      if (!top && f->closed) {
        f->closed = false;
        c->changed = true;
      }
      if (!c->p->closed_world && f->closed) {
        f->closed = false;
        c->changed = true;
      }
    }
    an__impure(v, "defines a function");
    return true;
  }
  case PY_CLASS_DEF: {
    for (int i = 0; i < st->u.class_def.decorators.n; i++) an__expr(v, st->u.class_def.decorators.v[i]);
    for (int i = 0; i < st->u.class_def.bases.n; i++) {
      py_node *b = st->u.class_def.bases.v[i];
      /* naming a base is not a use of it as a value: it makes it
       * "subclassed", which is what matters */
      bool saved_ok = v->class_ok;
      v->class_ok = b->kind == PY_NAME;
      const an_type *bt = an__expr(v, b);
      v->class_ok = saved_ok;
      an_class *self_k = st->an;
      if (an_is(bt, AN_T_CLASS) && bt->cls && !self_k->base_bad && (!self_k->base || self_k->base == bt->cls) &&
          st->u.class_def.bases.n == 1) {
        if (!self_k->base) c->changed = true;
        self_k->base = bt->cls;
      } else if (an_known(bt) && !self_k->base_bad) {
        self_k->base_bad = true; /* several bases, or not always the same class */
        c->changed = true;
      }
      if (an_is(bt, AN_T_CLASS) && bt->cls) {
        if (!bt->cls->subclassed) c->changed = true;
        bt->cls->subclassed = true;
      } else if (an_known(bt) && !an__known_base(v, b) && !c->unknown_base) {
        c->unknown_base = true; /* it may be any of our classes */
        c->changed = true;
      }
    }
    if (count) {
      an_symbol *y = an_target_sym(v->s, st->u.class_def.name, NULL);
      if (y) y->nassign++;
    }
    an_class *k = st->an;
    an_type *kt = p_arena_alloc(c->a, sizeof *kt);
    kt->kind = AN_T_CLASS;
    kt->cls = k;
    an__bind_type(v, st->u.class_def.name, st->u.class_def.decorators.n ? &an_t_dynamic : kt);
    an_env cv = *v;
    cv.s = an_scope_of(c->p, st);
    cv.f = NULL;
    /* class-body names are never flow-typed; they cannot touch ours */
    cv.fl = NULL;
    cv.loop = NULL;
    cv.acc = NULL;
    cv.fin = NULL;
    if (cv.s) an__stmts(&cv, st->u.class_def.body, count);
    an__impure(v, "defines a class");
    return true;
  }
  case PY_WITH: {
    for (int i = 0; i < st->u.with.items.n; i++) {
      py_node *it = st->u.with.items.v[i];
      an__expr(v, it->u.with_item.context_expr);
      if (it->u.with_item.optional_vars) {
        if (count) an__count_assign(v, it->u.with_item.optional_vars);
        an__bind_target_type(v, it->u.with_item.optional_vars, &an_t_dynamic);
        an__store(v, it->u.with_item.optional_vars, &an_t_dynamic);
      }
    }
    an__impure(v, "uses a context manager");
    /* __exit__ may swallow an exception raised after any binding of the
     * body: execution then goes on after the with */
    an_flow *acc = an__fl_copy(v->fl);
    an_acc link = {acc, v->acc};
    an_acc *saved = v->acc;
    if (acc) v->acc = &link;
    an__stmts(v, st->u.with.body, count);
    v->acc = saved;
    an__fl_join(c, v->fl, acc);
    an__fl_free(acc);
    return true;
  }
  case PY_TRY: an__try(v, st, count); return true;
  case PY_IMPORT: case PY_IMPORT_FROM: {
    py_nodes names = st->kind == PY_IMPORT ? st->u.import.names : st->u.import_from.names;
    for (int i = 0; i < names.n; i++) {
      py_node *al = names.v[i];
      if (!strcmp(al->u.alias.name, "*")) continue;
      const char *nm = al->u.alias.asname ? al->u.alias.asname : al->u.alias.name;
      if (st->kind == PY_IMPORT && !al->u.alias.asname) {
        const char *dot = strchr(nm, '.');
        if (dot) nm = p_arena_strndup(c->a, nm, (size_t)(dot - nm));
      }
      an_symbol *y = an_target_sym(v->s, nm, NULL);
      an__fl_bind(v, y, &an_t_dynamic);
      if (y) an__set_dynamic(c, y, "bound by import");
    }
    an__impure(v, "imports");
    return true;
  }
  case PY_DELETE:
    for (int i = 0; i < st->u.delete_.targets.n; i++) {
      py_node *t = st->u.delete_.targets.v[i];
      if (t->kind == PY_NAME) {
        an_symbol *y = an_target_sym(v->s, t->u.name.id, NULL);
        if (y) an__set_dynamic(c, y, "deleted with del");
        an__fl_unbind(v, t->u.name.id);
      } else {
        an__expr(v, t->kind == PY_ATTRIBUTE ? t->u.attribute.value : t);
        if (t->kind == PY_ATTRIBUTE) an__attr_store(c, t->u.attribute.attr, &an_t_dynamic);
        an__impure(v, "deletes");
      }
    }
    return true;
  case PY_GLOBAL: case PY_NONLOCAL:
    for (int i = 0; i < st->u.global.names.n; i++) {
      an_symbol *y = an_symbol_of(v->s, st->u.global.names.v[i]);
      if (y && (y->flags & AN_SYM_ASSIGNED)) an__impure(v, "writes a global or nonlocal variable");
    }
    return true;
  case PY_MATCH: {
    an__expr(v, st->u.match.subject);
    /* captures are dynamic, and a pattern that fails half-way may still
     * have bound some: every capture may be bound after any case */
    for (int i = 0; i < st->u.match.cases.n; i++) an__fl_captures(v, st->u.match.cases.v[i]->u.match_case.pattern);
    an_flow *out = an__fl_dead(v->fl);
    for (int i = 0; i < st->u.match.cases.n; i++) {
      py_node *mc = st->u.match.cases.v[i];
      an__expr(v, mc->u.match_case.guard);
      an_flow *next = an__fl_copy(v->fl);
      an__stmts(v, mc->u.match_case.body, count);
      an__fl_join(c, out, v->fl);
      an__fl_set(v->fl, next);
      an__fl_free(next);
    }
    an__fl_join(c, v->fl, out); /* or no case matched */
    an__fl_free(out);
    return true;
  }
  case PY_ASSERT:
    an__expr(v, st->u.assert_.test);
    an__expr(v, st->u.assert_.msg);
    return true;
  default: {
    py_node_children(st, an__expr_child, v);
    return true;
  }
  }
}

static bool an__stmts(an_env *v, py_nodes b, bool count) {
  bool reach = true;
  for (int i = 0; i < b.n; i++)
    if (!an__stmt(v, b.v[i], count)) reach = false;
  return reach;
}

/* Names bound by match patterns and free/cell variables are dynamic;
 * containers that escape lose their element types. */
static void an__pattern_dynamic(an_ctx *c, an_scope *s, py_node *p) {
  if (!p) return;
  const char *nm = NULL;
  if (p->kind == PY_MATCH_AS) nm = p->u.match_as.name;
  else if (p->kind == PY_MATCH_STAR) nm = p->u.match_star.name;
  else if (p->kind == PY_MATCH_MAPPING) nm = p->u.match_mapping.rest;
  if (nm) {
    an_symbol *y = an_target_sym(s, nm, NULL);
    if (y) an__set_dynamic(c, y, "bound by a match pattern");
  }
  switch (p->kind) {
  case PY_MATCH_AS: an__pattern_dynamic(c, s, p->u.match_as.pattern); break;
  case PY_MATCH_SEQUENCE: case PY_MATCH_OR:
    for (int i = 0; i < p->u.match_seq.patterns.n; i++) an__pattern_dynamic(c, s, p->u.match_seq.patterns.v[i]);
    break;
  case PY_MATCH_MAPPING:
    for (int i = 0; i < p->u.match_mapping.patterns.n; i++) an__pattern_dynamic(c, s, p->u.match_mapping.patterns.v[i]);
    break;
  case PY_MATCH_CLASS:
    for (int i = 0; i < p->u.match_class.patterns.n; i++) an__pattern_dynamic(c, s, p->u.match_class.patterns.v[i]);
    for (int i = 0; i < p->u.match_class.kwd_patterns.n; i++) an__pattern_dynamic(c, s, p->u.match_class.kwd_patterns.v[i]);
    break;
  default: break;
  }
}

static int an__match_walk(py_node *n, void *ctx) {
  void **cv = ctx;
  an_ctx *c = cv[0];
  an_scope *s = cv[1];
  if (n->kind == PY_FUNCTION_DEF || n->kind == PY_CLASS_DEF || n->kind == PY_LAMBDA) {
    an_scope *inner = an_scope_of(c->p, n);
    void *iv[2] = {c, inner ? inner : s};
    return py_node_children(n, an__match_walk, iv);
  }
  if (n->kind == PY_MATCH_CASE) an__pattern_dynamic(c, s, n->u.match_case.pattern);
  return py_node_children(n, an__match_walk, ctx);
}

/* Fixes what the fixed point does not cover, before iterating. */
static void an__seed(an_ctx *c, an_scope *s) {
  for (int i = 0; i < s->nsyms; i++) {
    an_symbol *y = &s->syms[i];
    if (y->binding == AN_CELL) an__set_dynamic(c, y, "captured by an inner function");
    else if (y->binding == AN_FREE || y->binding == AN_NONLOCAL) an__set_dynamic(c, y, "a closure variable");
    else if (s->kind == AN_SCOPE_CLASS) an__set_dynamic(c, y, "a class attribute");
    else if (s->kind == AN_SCOPE_MODULE && s->has_star_import) an__set_dynamic(c, y, "the module has a star import");
    else if (s->kind == AN_SCOPE_MODULE && c->uses_reflection) an__set_dynamic(c, y, "the program uses reflection (globals, setattr, ...)");
    else if (y->flags & AN_SYM_DELETED) an__set_dynamic(c, y, "deleted with del or unbound after except");
  }
  for (int i = 0; i < s->nchildren; i++) an__seed(c, s->children[i]);
}

/* Module names that other modules import or reach as attributes: their
 * values can be changed from outside, so they stay dynamic. */
static void an__exports(an_ctx *c) {
  an_program *p = c->p;
  for (int i = 0; i < p->nmodules; i++) {
    an_module *m = &p->modules[i];
    for (int j = 0; j < m->nimports; j++) {
      an_import *im = &m->imports[j];
      if (!im->is_upload) continue;
      an_module *t = an_find_module(p, im->module);
      if (!t) continue;
      if (im->name && !im->is_submodule) {
        an_symbol *y = an_symbol_of(t->scope, im->name);
        if (y && !(y->flags & AN_SYM_DEF)) an__set_dynamic(c, y, "imported by another module");
        if (y && (y->flags & AN_SYM_DEF)) {
          /* a function used from another module: its call sites are not all seen */
          for (int k = 0; k < p->nfuncs; k++)
            if (p->funcs[k]->scope->parent == t->scope && !strcmp(p->funcs[k]->scope->name, im->name)) p->funcs[k]->closed = false;
          /* ... and a class: constructed and passed around where we do not look */
          for (int k = 0; k < p->nclasses; k++)
            if (p->classes[k]->scope->parent == t->scope && !strcmp(p->classes[k]->scope->name, im->name))
              p->classes[k]->open = true;
        }
      } else {
        for (int k = 0; k < t->scope->nsyms; k++) {
          an_symbol *y = &t->scope->syms[k];
          if (!(y->flags & AN_SYM_DEF)) an__set_dynamic(c, y, "the module is imported as a whole");
        }
        for (int k = 0; k < p->nfuncs; k++)
          if (p->funcs[k]->scope->parent == t->scope) p->funcs[k]->closed = false;
        for (int k = 0; k < p->nclasses; k++)
          if (p->classes[k]->scope->parent == t->scope) p->classes[k]->open = true;
      }
    }
  }
}

/* A method keeps call-site parameter types while every call of it is a
 * typed p.m(...) (or C(...) for __init__) that we see. */
static bool an__method_closed(an_ctx *c, an_func *f) {
  an_class *k = f->cls;
  const char *name = f->scope->name;
  if (!k || !an__self_ok(c, k) || an__in(c->open_attrs, c->nopen, name)) return false;
  /* other dunders are called by the runtime with arguments we do not see */
  if (name[0] == '_' && name[1] == '_' && strcmp(name, "__init__") != 0) return false;
  return an__method_of(c, k, name) == f;
}

/* The first parameter of a method that Python binds to the instance. */
static bool an__self_param(const an_func *f) {
  if (!f->is_method || !f->cls || f->node->kind != PY_FUNCTION_DEF) return false;
  const py_arguments *pa = f->node->u.function_def.args;
  if (!pa || pa->posonly.n + pa->args.n == 0) return false;
  py_nodes decos = f->node->u.function_def.decorators;
  for (int i = 0; i < decos.n; i++) {
    py_node *d = decos.v[i];
    bool prop = (d->kind == PY_NAME && !strcmp(d->u.name.id, "property") && an_resolve(f->scope->parent, "property") == AN_BUILTIN) ||
                (d->kind == PY_ATTRIBUTE && (!strcmp(d->u.attribute.attr, "setter") || !strcmp(d->u.attribute.attr, "getter") ||
                                             !strcmp(d->u.attribute.attr, "deleter")));
    if (!prop) return false;
  }
  return true;
}

/* One round over every scope's code. */
static void an__round(an_ctx *c, bool count, bool record) {
  an_program *p = c->p;
  for (int i = 0; i < p->nfuncs; i++) {
    an_func *f = p->funcs[i];
    if (f->is_method && f->closed && !an__method_closed(c, f)) {
      f->closed = false;
      c->changed = true;
    }
  }
  for (int i = 0; i < p->nmodules; i++) {
    an_scope *ms = p->modules[i].scope;
    an_env v = {.c = c, .s = ms, .record = record};
    v.fl = ms->nflow ? an__fl_new(ms, ms->nflow) : NULL;
    an__stmts(&v, p->modules[i].mod->node->u.module.body, count);
    an__fl_free(v.fl);
  }
  for (int i = 0; i < p->nfuncs; i++) {
    an_func *f = p->funcs[i];
    if (f->node->kind != PY_FUNCTION_DEF) continue;
    an_env v = {.c = c, .s = f->scope, .f = f, .record = record};
    v.fl = f->scope->nflow ? an__fl_new(f->scope, f->scope->nflow) : NULL;
    const py_arguments *pa = f->node->u.function_def.args;
    bool selfp = an__self_param(f);
    for (int k = 0; pa && k < pa->all.n; k++) {
      const an_type *t = f->closed ? f->param_types[k] : &an_t_dynamic;
      if (k == 0 && selfp) {
        /* self: the class's instance when nothing else can be passed */
        t = an__self_ok(c, f->cls) ? f->cls->instance : &an_t_dynamic;
        if (!an_type_eq(f->param_types[0], t)) {
          f->param_types[0] = t;
          c->changed = true;
        }
      } else if (!f->closed && f->param_types[k] != &an_t_dynamic) {
        f->param_types[k] = &an_t_dynamic;
        c->changed = true;
      }
      if (!an_known(t)) continue;
      an__bind_type(&v, pa->all.v[k]->u.arg.name, t);
    }
    bool reach = an__stmts(&v, f->node->u.function_def.body, count);
    if (v.fl) reach = v.fl->live;
    an__fl_free(v.fl);
    if (reach) {
      const an_type *j = an_type_join(c, f->return_type, &an_t_none);
      if (!an_type_eq(j, f->return_type)) {
        f->return_type = j;
        c->changed = true;
      }
    }
  }
}

/* Before the fixed point: per class, whether attribute access is plain
 * (attr_safe), its instance type, the owner of each method, and the
 * attributes its methods set on self (from_init when in __init__). */
static void an__class_setup(an_ctx *c) {
  an_program *p = c->p;
  for (int i = 0; i < p->nfuncs; i++) {
    an_func *f = p->funcs[i];
    if (f->is_method && f->scope->parent && f->scope->parent->kind == AN_SCOPE_CLASS)
      f->cls = f->scope->parent->node->an;
  }
  for (int i = 0; i < p->nclasses; i++) {
    an_class *k = p->classes[i];
    py_nodes body = k->node->u.class_def.body;
    bool special = false;
    for (int j = 0; j < body.n; j++) {
      py_node *st = body.v[j];
      if (st->kind == PY_FUNCTION_DEF) {
        const char *nm = st->u.function_def.name;
        if (!strcmp(nm, "__setattr__") || !strcmp(nm, "__getattr__") || !strcmp(nm, "__getattribute__") ||
            !strcmp(nm, "__delattr__"))
          special = true;
        /* a classmethod (or a decorator we do not know) hands out the
         * class object: cls(...) builds instances we do not see */
        for (int d = 0; d < st->u.function_def.decorators.n; d++) {
          py_node *dn = st->u.function_def.decorators.v[d];
          bool known = (dn->kind == PY_NAME && (!strcmp(dn->u.name.id, "property") || !strcmp(dn->u.name.id, "staticmethod"))) ||
                       (dn->kind == PY_ATTRIBUTE && (!strcmp(dn->u.attribute.attr, "setter") ||
                                                     !strcmp(dn->u.attribute.attr, "getter") ||
                                                     !strcmp(dn->u.attribute.attr, "deleter")));
          if (!known) k->open = true;
        }
      }
    }
    an_symbol *slots = an_symbol_of(k->scope, "__slots__");
    if (slots && (slots->flags & AN_SYM_ASSIGNED)) special = true;
    k->attr_safe = !special;
    an_type *it = p_arena_alloc(c->a, sizeof *it);
    it->kind = AN_T_INSTANCE;
    it->cls = k;
    k->instance = it;
    k->self_type = &an_t_dynamic;
    for (int j = 0; j < body.n; j++) {
      py_node *m = body.v[j];
      if (m->kind != PY_FUNCTION_DEF || !m->u.function_def.args || m->u.function_def.args->all.n == 0) continue;
      const char *self = m->u.function_def.args->all.v[0]->u.arg.name;
      bool init = !strcmp(m->u.function_def.name, "__init__");
      /* walk the method for self.<name> = ... */
      py_node *stack[256];
      int sp = 0;
      for (int q = m->u.function_def.body.n - 1; q >= 0 && sp < 256; q--) stack[sp++] = m->u.function_def.body.v[q];
      while (sp > 0) {
        py_node *st = stack[--sp];
        py_nodes tg = {NULL, 0};
        py_node *one = NULL;
        if (st->kind == PY_ASSIGN) tg = st->u.assign.targets;
        else if (st->kind == PY_ANN_ASSIGN) one = st->u.ann_assign.target;
        else if (st->kind == PY_AUG_ASSIGN) one = st->u.aug_assign.target;
        for (int q = 0; q < tg.n + (one ? 1 : 0); q++) {
          py_node *t = q < tg.n ? tg.v[q] : one;
          if (t->kind != PY_ATTRIBUTE || t->u.attribute.value->kind != PY_NAME ||
              strcmp(t->u.attribute.value->u.name.id, self) != 0)
            continue;
          an_attr *at = an__cls_attr(c, k, t->u.attribute.attr, true);
          at->from_init |= init;
        }
        /* nested blocks */
        py_nodes subs[4] = {{NULL, 0}, {NULL, 0}, {NULL, 0}, {NULL, 0}};
        if (st->kind == PY_IF || st->kind == PY_WHILE) { subs[0] = st->u.if_.body; subs[1] = st->u.if_.orelse; }
        else if (st->kind == PY_FOR) { subs[0] = st->u.for_.body; subs[1] = st->u.for_.orelse; }
        else if (st->kind == PY_WITH) subs[0] = st->u.with.body;
        else if (st->kind == PY_TRY) { subs[0] = st->u.try_.body; subs[1] = st->u.try_.orelse; subs[2] = st->u.try_.finalbody; }
        for (int q = 0; q < 4; q++)
          for (int r = subs[q].n - 1; r >= 0 && sp < 256; r--) stack[sp++] = subs[q].v[r];
      }
    }
  }
}

/* After the fixed point: the attribute types of every class. */
static void an__class_finish(an_ctx *c) {
  an_program *p = c->p;
  for (int i = 0; i < p->nclasses; i++) {
    an_class *k = p->classes[i];
    k->self_type = an__self_ok(c, k) ? k->instance : &an_t_dynamic;
    for (int r = 0; r < k->nattrs; r++) {
      an_attr *at = &k->attrs[r];
      const char *why = NULL;
      const an_type *t = an__attr_type(c, k, at->name, &why);
      if (!an_known(t) && !why) why = "no value of a known type is stored";
      at->type = an_type_final(c, t);
      at->why_dynamic = at->type->kind == AN_T_DYNAMIC ? (why ? why : "values of different or unknown types are stored") : NULL;
    }
  }
}

/* Which names are flow-typed (see "flow"): the plain locals of functions,
 * and the module names that nothing but the module's own code can rebind:
 * no function or class declares them global, no other module imports the
 * module as a whole, no reflection or star import. */
static void an__flow_slots(an_ctx *c) {
  an_program *p = c->p;
  bool *imported = p_xcalloc((size_t)p->nmodules + 1, sizeof(bool));
  for (int i = 0; i < p->nmodules; i++)
    for (int j = 0; j < p->modules[i].nimports; j++) {
      an_import *im = &p->modules[i].imports[j];
      if (!im->is_upload) continue;
      const char *target = im->is_submodule ? p_arena_printf(c->a, "%s.%s", im->module, im->name) : im->module;
      an_module *t = an_find_module(p, target);
      if (t && (!im->name || im->is_submodule)) imported[t - p->modules] = true;
      /* `import a.b` also binds a: a's names can be set through it */
      if (!im->name) {
        char *pre = p_arena_strdup(c->a, im->module);
        for (char *dot = strchr(pre, '.'); dot; dot = strchr(dot + 1, '.')) {
          *dot = 0;
          an_module *pm = an_find_module(p, pre);
          if (pm) imported[pm - p->modules] = true;
          *dot = '.';
        }
      }
    }
  for (int i = 0; i < p->nmodules; i++) {
    /* the entry script is __main__: `import __main__` reaches it */
    an_scope *ms = p->modules[i].scope;
    bool ok = !ms->has_star_import && !c->uses_reflection && !imported[i];
    ms->nflow = 0;
    for (int k = 0; k < ms->nsyms; k++) {
      an_symbol *y = &ms->syms[k];
      y->flow_idx = -1;
      if (ok && y->binding == AN_GLOBAL_IMPLICIT && (y->flags & AN_SYM_ASSIGNED) &&
          !(y->flags & (AN_SYM_GLOBAL_WRITTEN | AN_SYM_COMP_WALRUS)))
        y->flow_idx = ms->nflow++;
    }
  }
  free(imported);
  for (int i = 0; i < p->nfuncs; i++) {
    an_scope *s = p->funcs[i]->scope;
    s->nflow = 0;
    for (int k = 0; k < s->nsyms; k++) {
      an_symbol *y = &s->syms[k];
      y->flow_idx = -1;
      if (s->kind == AN_SCOPE_FUNCTION && y->binding == AN_LOCAL && !(y->flags & AN_SYM_COMP_WALRUS))
        y->flow_idx = s->nflow++;
    }
  }
}

/* Scopes with no flow environment (classes, comprehensions). */
static void an__flow_none(an_scope *s) {
  if (s->kind == AN_SCOPE_CLASS || s->kind == AN_SCOPE_COMPREHENSION) {
    s->nflow = 0;
    for (int k = 0; k < s->nsyms; k++) s->syms[k].flow_idx = -1;
  }
  for (int i = 0; i < s->nchildren; i++) an__flow_none(s->children[i]);
}


static void an__finish_syms(an_ctx *c, an_scope *s) {
  an_scope *mod = an_module_scope(s);
  for (int i = 0; i < s->nsyms; i++) {
    an_symbol *y = &s->syms[i];
    if (s != mod && (y->binding == AN_GLOBAL_EXPLICIT || y->binding == AN_GLOBAL_IMPLICIT)) {
      /* a global seen from here: the module's answer */
      an_symbol *g = an_symbol_of(mod, y->name);
      y->type = g && !g->why_dynamic ? (g->escapes ? an_type_shallow(c, g->type) : g->type) : &an_t_dynamic;
      y->why_dynamic = g ? g->why_dynamic : "not bound at module level";
      if (!an_known(y->type)) y->type = &an_t_dynamic;
      y->type = an_type_final(c, y->type);
      continue;
    }
    if (y->binding == AN_BUILTIN) {
      y->type = &an_t_dynamic;
      y->why_dynamic = "a builtin";
      continue;
    }
    /* range facts hold only for a name the loop alone binds */
    if (y->nassign != 1 || (y->flags & (AN_SYM_PARAM | AN_SYM_WALRUS | AN_SYM_DELETED | AN_SYM_IMPORTED)))
      y->flags &= ~(unsigned)(AN_SYM_RANGE_NONNEG | AN_SYM_RANGE_I32);
    if (y->escapes && (an_is(y->type, AN_T_LIST) || an_is(y->type, AN_T_SET) || an_is(y->type, AN_T_DICT)))
      y->type = an_type_mk(c, y->type->kind, &an_t_dynamic, y->type->kind == AN_T_DICT ? &an_t_dynamic : NULL);
    if (!an_known(y->type) && !y->why_dynamic) y->why_dynamic = "no value of a known type reaches it";
    else if (an_is(y->type, AN_T_DYNAMIC) && !y->why_dynamic) y->why_dynamic = "values of different or unknown types reach it";
    y->type = an_type_final(c, y->type);
  }
  for (int i = 0; i < s->nchildren; i++) an__finish_syms(c, s->children[i]);
}

/* After the final round: the typing counts and the per-function lists of
 * loads that flow typing made static although the name's summary type is
 * dynamic. */
static void an__records(an_ctx *c) {
  an_program *p = c->p;
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < c->nrecs; i++) {
      struct an_rec *r = &c->recs[i];
      const an_type *t = p->type_by_id[r->n->id];
      bool dyn = !t || t->kind == AN_T_DYNAMIC || t->kind == AN_T_UNKNOWN;
      bool name = r->n->kind == PY_NAME && r->n->u.name.ctx == PY_LOAD;
      if (pass == 0) {
        if (dyn) p->exprs_dynamic++;
        else p->exprs_static++;
        if (name && dyn) p->names_dynamic++;
        else if (name) p->names_static++;
      }
      if (!r->flow || dyn || !name) continue;
      an_symbol *y = an_symbol_of(r->s, r->n->u.name.id);
      if (!y || y->type->kind != AN_T_DYNAMIC) continue;
      const py_node ***v = r->f ? &r->f->flow_loads : &r->m->flow_loads;
      int *n = r->f ? &r->f->nflow_loads : &r->m->nflow_loads;
      if (pass == 0) (*n)++;
      else (*v)[(*n)++] = r->n;
    }
    if (pass == 0) {
      for (int i = 0; i < p->nfuncs; i++) {
        an_func *f = p->funcs[i];
        f->flow_loads = p_arena_alloc(c->a, sizeof(py_node *) * (size_t)(f->nflow_loads + 1));
        f->nflow_loads = 0;
      }
      for (int i = 0; i < p->nmodules; i++) {
        an_module *m = &p->modules[i];
        m->flow_loads = p_arena_alloc(c->a, sizeof(py_node *) * (size_t)(m->nflow_loads + 1));
        m->nflow_loads = 0;
      }
    }
  }
}

/* ------------------------------------------------------------ the pass */

void an_types(an_ctx *c, py_program *prog) {
  an_program *p = c->p;
  for (int i = 0; i < p->nmodules; i++) an__seed(c, p->modules[i].scope);
  {
    void *cv[2];
    for (int i = 0; i < p->nmodules; i++) {
      cv[0] = c;
      cv[1] = p->modules[i].scope;
      py_node_children(p->modules[i].mod->node, an__match_walk, cv);
    }
  }
  an__exports(c);
  /* library mode (no entry script) or reflection: call sites are not all known */
  if (!p->closed_world || c->uses_reflection)
    for (int i = 0; i < p->nfuncs; i++) p->funcs[i]->closed = false;
  for (int i = 0; i < p->nfuncs; i++)
    if (p->funcs[i]->is_generator) p->funcs[i]->closed = false;
  an__class_setup(c);
  an__flow_slots(c);
  for (int i = 0; i < p->nmodules; i++) an__flow_none(p->modules[i].scope);
  int rounds = 0;
  c->changed = true;
  bool first = true;
  while (c->changed && rounds < 50) {
    c->changed = false;
    /* purity is recomputed each round from scratch */
    for (int i = 0; i < p->nfuncs; i++) {
      p->funcs[i]->pure = true;
      p->funcs[i]->impure_why = NULL;
      p->funcs[i]->ncalls = 0;
    }
    an__round(c, first, false);
    first = false;
    rounds++;
  }
  /* final round: record expression types with the fixed point's answers */
  for (int i = 0; i < p->nfuncs; i++) {
    p->funcs[i]->pure = true;
    p->funcs[i]->impure_why = NULL;
    p->funcs[i]->ncalls = 0;
  }
  c->changed = false;
  an__round(c, false, true);
  for (int i = 0; i < p->nmodules; i++) an__finish_syms(c, p->modules[i].scope);
  for (int i = 0; i < p->nfuncs; i++) {
    an_func *f = p->funcs[i];
    for (int k = 0; k < f->nparams; k++)
      f->param_types[k] = f->closed || (k == 0 && an__self_param(f)) ? an_type_final(c, f->param_types[k]) : &an_t_dynamic;
    f->return_type = f->is_generator || (f->node->kind == PY_FUNCTION_DEF && f->node->u.function_def.is_async)
                         ? &an_t_dynamic : an_type_final(c, f->return_type);
    if (f->node->kind == PY_LAMBDA) f->return_type = &an_t_dynamic;
  }
  for (uint32_t i = 0; i <= prog->nnodes; i++)
    if (p->type_by_id[i]) p->type_by_id[i] = an_type_final(c, p->type_by_id[i]);
  an__class_finish(c);
  an__records(c);
}
