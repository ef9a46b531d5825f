/*
 * an_type.c - the type lattice of the Analysis agent.
 *
 * A type is an an_type (analysis.h): a scalar kind, a container with
 * element types (list, set, dict; a tuple with one type per item), a user
 * function, class, instance of a class, or module. The order is
 * unknown < every static type < dynamic: "unknown" is the fixed point's
 * starting point (nothing has reached the name yet), "dynamic" is what the
 * code generator boxes. Two different static types join to dynamic, except
 * containers of one kind, which join element by element.
 *
 * Types are immutable once made and shared freely: the scalar ones are
 * the static an_t_* values, containers and tuples are made in the job
 * arena by the constructors here. A mutable container held inside another
 * one is only ever "shallow" (its elements dynamic), since an alias we do
 * not follow can change it (row = grid[0]; row.append("x")).
 */
#include "an_internal.h"

/* ------------------------------------------------------------- types */

const an_type an_t_dynamic = {.kind = AN_T_DYNAMIC}, an_t_none = {.kind = AN_T_NONE},
              an_t_bool = {.kind = AN_T_BOOL}, an_t_int = {.kind = AN_T_INT},
              an_t_float = {.kind = AN_T_FLOAT}, an_t_str = {.kind = AN_T_STR},
              an_t_bytes = {.kind = AN_T_BYTES};
const an_type an_t_unknown = {.kind = AN_T_UNKNOWN};

bool an_type_eq(const an_type *x, const an_type *y) {
  if (x == y) return true;
  if (!x || !y || x->kind != y->kind) return false;
  switch (x->kind) {
  case AN_T_LIST: case AN_T_SET: return an_type_eq(x->elem, y->elem);
  case AN_T_DICT: return an_type_eq(x->key, y->key) && an_type_eq(x->elem, y->elem);
  case AN_T_TUPLE:
    if (x->nitems != y->nitems) return false;
    for (int i = 0; i < x->nitems; i++)
      if (!an_type_eq(x->items[i], y->items[i])) return false;
    return true;
  case AN_T_FUNCTION: return x->func == y->func;
  case AN_T_CLASS: case AN_T_INSTANCE: return x->cls == y->cls;
  case AN_T_MODULE: return x->module == y->module;
  default: return true;
  }
}

static void an__type_buf(p_buf *b, const an_type *t) {
  if (!t) { p_buf_puts(b, "unknown"); return; }
  switch (t->kind) {
  case AN_T_UNKNOWN: p_buf_puts(b, "unknown"); break;
  case AN_T_DYNAMIC: p_buf_puts(b, "dynamic"); break;
  case AN_T_NONE: p_buf_puts(b, "None"); break;
  case AN_T_BOOL: p_buf_puts(b, "bool"); break;
  case AN_T_INT: p_buf_puts(b, "int"); break;
  case AN_T_FLOAT: p_buf_puts(b, "float"); break;
  case AN_T_STR: p_buf_puts(b, "str"); break;
  case AN_T_BYTES: p_buf_puts(b, "bytes"); break;
  case AN_T_LIST: case AN_T_SET:
    p_buf_puts(b, t->kind == AN_T_LIST ? "list[" : "set[");
    an__type_buf(b, t->elem);
    p_buf_putc(b, ']');
    break;
  case AN_T_DICT:
    p_buf_puts(b, "dict[");
    an__type_buf(b, t->key);
    p_buf_puts(b, ", ");
    an__type_buf(b, t->elem);
    p_buf_putc(b, ']');
    break;
  case AN_T_TUPLE:
    p_buf_puts(b, "tuple[");
    for (int i = 0; i < t->nitems; i++) {
      if (i) p_buf_puts(b, ", ");
      an__type_buf(b, t->items[i]);
    }
    if (t->nitems == 0) p_buf_puts(b, "()");
    p_buf_putc(b, ']');
    break;
  case AN_T_FUNCTION: p_buf_printf(b, "function %s", t->func ? t->func->qualname : "?"); break;
  case AN_T_CLASS: p_buf_printf(b, "class %s", t->cls ? t->cls->qualname : "?"); break;
  case AN_T_INSTANCE: p_buf_printf(b, "%s", t->cls ? t->cls->qualname : "?"); break;
  case AN_T_MODULE: p_buf_printf(b, "module %s", t->module ? t->module->name : "?"); break;
  }
}

const char *an_type_str(p_arena *a, const an_type *t) {
  p_buf b;
  p_buf_init(&b, 4096);
  an__type_buf(&b, t);
  const char *s = p_arena_strdup(a, b.data ? b.data : "");
  p_buf_free(&b);
  return s;
}


/* ------------------------------------------------------------ lattice */

static bool an__mutable(const an_type *t) {
  return t && (t->kind == AN_T_LIST || t->kind == AN_T_SET || t->kind == AN_T_DICT);
}

/* A mutable container held inside another one can be changed through
 * any alias we do not follow (row = grid[0]; row.append("x")), so only
 * the outer container keeps element types: inner ones are shallow. */

const an_type *an_type_mk(an_ctx *c, an_type_kind k, const an_type *elem, const an_type *key) {
  if (an__mutable(elem)) elem = an_type_shallow(c, elem);
  if (an__mutable(key)) key = an_type_shallow(c, key);
  an_type *t = p_arena_alloc(c->a, sizeof *t);
  t->kind = k;
  t->elem = elem;
  t->key = key;
  return t;
}

const an_type *an_type_shallow(an_ctx *c, const an_type *t) {
  if (!an__mutable(t)) return t;
  if ((!t->elem || t->elem->kind == AN_T_DYNAMIC) && (t->kind != AN_T_DICT || (t->key && t->key->kind == AN_T_DYNAMIC)))
    return t;
  an_type *r = p_arena_alloc(c->a, sizeof *r);
  r->kind = t->kind;
  r->elem = &an_t_dynamic;
  r->key = t->kind == AN_T_DICT ? &an_t_dynamic : NULL;
  return r;
}

const an_type *an_type_tuple(an_ctx *c, const an_type **items, int n) {
  an_type *t = p_arena_alloc(c->a, sizeof *t);
  t->kind = AN_T_TUPLE;
  t->items = p_arena_alloc(c->a, sizeof(an_type *) * (size_t)(n + 1));
  for (int i = 0; i < n; i++) t->items[i] = an_type_shallow(c, items[i]);
  t->nitems = n;
  return t;
}

/* Least upper bound in the lattice unknown < T < dynamic; containers join
 * element-wise (a list that may hold ints or strs is list[dynamic]). */
const an_type *an_type_join(an_ctx *c, const an_type *x, const an_type *y) {
  if (!x || x->kind == AN_T_UNKNOWN) return y ? y : &an_t_unknown;
  if (!y || y->kind == AN_T_UNKNOWN) return x;
  if (an_type_eq(x, y)) return x;
  if (x->kind == AN_T_DYNAMIC || y->kind == AN_T_DYNAMIC || x->kind != y->kind) return &an_t_dynamic;
  switch (x->kind) {
  case AN_T_LIST: case AN_T_SET: return an_type_mk(c, x->kind, an_type_join(c, x->elem, y->elem), NULL);
  case AN_T_DICT: return an_type_mk(c, AN_T_DICT, an_type_join(c, x->elem, y->elem), an_type_join(c, x->key, y->key));
  case AN_T_TUPLE:
    if (x->nitems == y->nitems) {
      const an_type **it = p_arena_alloc(c->a, sizeof(an_type *) * (size_t)(x->nitems + 1));
      for (int i = 0; i < x->nitems; i++) it[i] = an_type_join(c, x->items[i], y->items[i]);
      return an_type_tuple(c, it, x->nitems);
    }
    return &an_t_dynamic;
  default: return &an_t_dynamic;
  }
}

/* Element type when iterating a value of type t (unknown if unknown). */
const an_type *an_type_iter_elem(an_ctx *c, const an_type *t) {
  if (!an_known(t)) return &an_t_unknown;
  switch (t->kind) {
  case AN_T_LIST: case AN_T_SET: return t->elem ? t->elem : &an_t_unknown;
  case AN_T_DICT: return t->key ? t->key : &an_t_unknown;
  case AN_T_STR: return &an_t_str;
  case AN_T_BYTES: return &an_t_int;
  case AN_T_TUPLE: {
    const an_type *r = &an_t_unknown;
    for (int i = 0; i < t->nitems; i++) r = an_type_join(c, r, t->items[i]);
    return t->nitems ? r : &an_t_dynamic;
  }
  default: return &an_t_dynamic;
  }
}


/* After the fixed point: unknown becomes dynamic, escaped containers lose
 * element types, and reasons are recorded. */
const an_type *an_type_final(an_ctx *c, const an_type *t) {
  if (!an_known(t)) return &an_t_dynamic;
  switch (t->kind) {
  case AN_T_LIST: case AN_T_SET: case AN_T_DICT: {
    const an_type *e = an_type_final(c, t->elem), *k = t->kind == AN_T_DICT ? an_type_final(c, t->key) : NULL;
    if (e == t->elem && k == t->key) return t;
    return an_type_mk(c, t->kind, e, k);
  }
  case AN_T_TUPLE: {
    const an_type **it = p_arena_alloc(c->a, sizeof(an_type *) * (size_t)(t->nitems + 1));
    for (int i = 0; i < t->nitems; i++) it[i] = an_type_final(c, t->items[i]);
    return an_type_tuple(c, it, t->nitems);
  }
  default: return t;
  }
}

/* Values of builtin types: their methods and attributes are never user code. */
bool an_builtin_value(const an_type *t) {
  switch (t->kind) {
  case AN_T_NONE: case AN_T_BOOL: case AN_T_INT: case AN_T_FLOAT: case AN_T_STR: case AN_T_BYTES:
  case AN_T_LIST: case AN_T_TUPLE: case AN_T_DICT: case AN_T_SET:
    return true;
  default:
    return false;
  }
}
