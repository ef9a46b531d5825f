/*
 * an_unbound.c - Analysis pass 1b: the locals a function may read unbound.
 *
 * Python raises UnboundLocalError when a local is read before any
 * assignment (or after `del`); the translator keeps a local in a plain Rust
 * variable when that cannot happen and checks the others on every read.
 * Most locals are definitely assigned before every read, and those are
 * left alone; the rest get AN_SYM_MAYBE_UNBOUND. "Definitely assigned" is
 * a forward walk over the statements of each def with the set of names
 * bound on every path so far: a loop target is bound inside its body, an
 * except name inside its handler, a name bound in both branches of an if
 * after it; a read of a name outside the set, or any `del`, makes it
 * maybe-unbound. The walk is conservative where that is simpler: a name
 * read inside a comprehension or class body nested in the def is looked
 * up among the def's locals, and after 200 levels of nesting every read
 * counts.
 *
 * It needs only pass 1's scopes (an_scope.c) and is not used by inference.
 */
#include "an_internal.h"

typedef struct an_ub {
  an_scope *s;    /* the function's scope */
  const char **bound;
  int nbound, cap;
  p_arena *a;
} an_ub;

static bool an__ub_is_bound(an_ub *u, const char *name) {
  for (int i = 0; i < u->nbound; i++)
    if (strcmp(u->bound[i], name) == 0) return true;
  return false;
}

static void an__ub_add(an_ub *u, const char *name) {
  if (an__ub_is_bound(u, name)) return;
  u->bound = p_vec_grow(u->bound, u->nbound, &u->cap, u->nbound + 1, sizeof *u->bound, u->a);
  u->bound[u->nbound++] = name;
}

/* The function's own locals (cells too) only; parameters are bound on entry. */
static void an__ub_mark(an_ub *u, const char *name) {
  an_symbol *y = an_symbol_of(u->s, name);
  if (y && (y->binding == AN_LOCAL || y->binding == AN_CELL) && !(y->flags & AN_SYM_PARAM))
    y->flags |= AN_SYM_MAYBE_UNBOUND;
}

/* Marks reads of not-yet-bound names in n (nested defs/lambdas are their
 * own functions: their reads go through cells). */
static int an__ub_reads(py_node *n, void *ctx) {
  an_ub *u = ctx;
  switch (n->kind) {
  case PY_FUNCTION_DEF:
    for (int i = 0; i < n->u.function_def.decorators.n; i++) an__ub_reads(n->u.function_def.decorators.v[i], ctx);
    for (int i = 0; i < n->u.function_def.args->all.n; i++)
      if (n->u.function_def.args->all.v[i]->u.arg.default_) an__ub_reads(n->u.function_def.args->all.v[i]->u.arg.default_, ctx);
    return 0;
  case PY_LAMBDA:
    for (int i = 0; n->u.lambda.args && i < n->u.lambda.args->all.n; i++)
      if (n->u.lambda.args->all.v[i]->u.arg.default_) an__ub_reads(n->u.lambda.args->all.v[i]->u.arg.default_, ctx);
    return 0;
  case PY_NAME:
    if (n->u.name.ctx == PY_LOAD && !an__ub_is_bound(u, n->u.name.id)) an__ub_mark(u, n->u.name.id);
    if (n->u.name.ctx == PY_DEL) an__ub_mark(u, n->u.name.id);
    return 0;
  case PY_AUG_ASSIGN:
    if (n->u.aug_assign.target->kind == PY_NAME && !an__ub_is_bound(u, n->u.aug_assign.target->u.name.id))
      an__ub_mark(u, n->u.aug_assign.target->u.name.id);
    break;
  default:
    break;
  }
  return py_node_children(n, an__ub_reads, ctx);
}

static void an__ub_bind_target(an_ub *u, py_node *t) {
  if (t->kind == PY_NAME) an__ub_add(u, t->u.name.id);
  else if (t->kind == PY_TUPLE || t->kind == PY_LIST)
    for (int i = 0; i < t->u.list_or_tuple.elts.n; i++) an__ub_bind_target(u, t->u.list_or_tuple.elts.v[i]);
  else if (t->kind == PY_STARRED) an__ub_bind_target(u, t->u.starred.value);
}

static void an__ub_block(an_ub *u, py_nodes body, int depth);

/* Reads of an expression (NULL is fine). */
static void an__ub_expr(an_ub *u, py_node *n) {
  if (n) an__ub_reads(n, u);
}

/* Names bound by a simple statement, added after its reads. */
static void an__ub_simple_binds(an_ub *u, py_node *s) {
  switch (s->kind) {
  case PY_ASSIGN:
    for (int k = 0; k < s->u.assign.targets.n; k++) an__ub_bind_target(u, s->u.assign.targets.v[k]);
    break;
  case PY_ANN_ASSIGN:
    if (s->u.ann_assign.value) an__ub_bind_target(u, s->u.ann_assign.target);
    break;
  case PY_FUNCTION_DEF: an__ub_add(u, s->u.function_def.name); break;
  case PY_CLASS_DEF: an__ub_add(u, s->u.class_def.name); break;
  case PY_IMPORT:
    for (int k = 0; k < s->u.import.names.n; k++) {
      py_node *al = s->u.import.names.v[k];
      if (al->u.alias.asname) an__ub_add(u, al->u.alias.asname);
      else {
        const char *dot = strchr(al->u.alias.name, '.');
        an__ub_add(u, dot ? p_arena_strndup(u->a, al->u.alias.name, (size_t)(dot - al->u.alias.name)) : al->u.alias.name);
      }
    }
    break;
  case PY_IMPORT_FROM:
    for (int k = 0; k < s->u.import_from.names.n; k++) {
      py_node *al = s->u.import_from.names.v[k];
      an__ub_add(u, al->u.alias.asname ? al->u.alias.asname : al->u.alias.name);
    }
    break;
  default:
    break;
  }
}

/* Runs a sub-block on a copy of the bound set; returns the names it added
 * (arena array, *n of them) and restores the set. */
static const char **an__ub_sub(an_ub *u, py_nodes body, int depth, int *n) {
  int save = u->nbound;
  an__ub_block(u, body, depth + 1);
  *n = u->nbound - save;
  const char **added = NULL;
  if (*n) {
    added = p_arena_alloc(u->a, sizeof *added * (size_t)*n);
    memcpy(added, u->bound + save, sizeof *added * (size_t)*n);
  }
  u->nbound = save;
  return added;
}

static void an__ub_stmt(an_ub *u, py_node *s, int depth) {
  if (depth > 200) { /* give up precision, never correctness: everything read is checked */
    an__ub_reads(s, u);
    return;
  }
  int na, nb;
  switch (s->kind) {
  case PY_IF: {
    an__ub_expr(u, s->u.if_.test);
    const char **a = an__ub_sub(u, s->u.if_.body, depth, &na);
    const char **b = an__ub_sub(u, s->u.if_.orelse, depth, &nb);
    for (int i = 0; i < na; i++) /* bound on both paths */
      for (int k = 0; k < nb; k++)
        if (strcmp(a[i], b[k]) == 0) an__ub_add(u, a[i]);
    break;
  }
  case PY_WHILE:
    an__ub_expr(u, s->u.while_.test);
    an__ub_sub(u, s->u.while_.body, depth, &na);
    an__ub_sub(u, s->u.while_.orelse, depth, &nb);
    break;
  case PY_FOR: {
    an__ub_expr(u, s->u.for_.iter);
    int save = u->nbound;
    an__ub_bind_target(u, s->u.for_.target);
    an__ub_sub(u, s->u.for_.body, depth, &na);
    u->nbound = save;
    an__ub_sub(u, s->u.for_.orelse, depth, &nb);
    break;
  }
  case PY_WITH: {
    for (int k = 0; k < s->u.with.items.n; k++) an__ub_expr(u, s->u.with.items.v[k]->u.with_item.context_expr);
    for (int k = 0; k < s->u.with.items.n; k++)
      if (s->u.with.items.v[k]->u.with_item.optional_vars) an__ub_bind_target(u, s->u.with.items.v[k]->u.with_item.optional_vars);
    /* the body may be left early by an exception that __exit__ swallows:
     * its bindings are not definite afterwards */
    an__ub_sub(u, s->u.with.body, depth, &na);
    break;
  }
  case PY_TRY: {
    int save = u->nbound;
    an__ub_block(u, s->u.try_.body, depth + 1);
    an__ub_block(u, s->u.try_.orelse, depth + 1); /* else runs after the whole body */
    u->nbound = save;
    for (int k = 0; k < s->u.try_.handlers.n; k++) {
      py_node *h = s->u.try_.handlers.v[k];
      an__ub_expr(u, h->u.except_handler.type);
      int hs = u->nbound;
      /* the name is deleted when the handler ends: every read is checked */
      if (h->u.except_handler.name) an__ub_mark(u, h->u.except_handler.name);
      if (h->u.except_handler.name) an__ub_add(u, h->u.except_handler.name);
      an__ub_block(u, h->u.except_handler.body, depth + 1);
      u->nbound = hs;
    }
    an__ub_sub(u, s->u.try_.finalbody, depth, &na);
    break;
  }
  case PY_FUNCTION_DEF:
  case PY_CLASS_DEF:
    an__ub_reads(s, u); /* decorators, bases; a class body reads at definition */
    an__ub_simple_binds(u, s);
    break;
  case PY_AUG_ASSIGN:
    an__ub_reads(s, u);
    if (s->u.aug_assign.target->kind == PY_NAME) an__ub_add(u, s->u.aug_assign.target->u.name.id);
    break;
  default:
    an__ub_reads(s, u);
    an__ub_simple_binds(u, s);
    break;
  }
}

static void an__ub_block(an_ub *u, py_nodes body, int depth) {
  for (int i = 0; i < body.n; i++) an__ub_stmt(u, body.v[i], depth);
}

void an_unbound(an_ctx *c) {
  for (int i = 0; i < c->p->nfuncs; i++) {
    an_func *f = c->p->funcs[i];
    if (f->node->kind != PY_FUNCTION_DEF) continue;
    an_ub u = {f->scope, NULL, 0, 0, c->a};
    an__ub_block(&u, f->node->u.function_def.body, 0);
  }
}
