/*
 * an_annot.c - annotations: read, recorded, checked against pass 3.
 *
 * Python does not enforce annotations, so inference never trusts them
 * (an_infer.c). They are still read: the annotations of parameters,
 * returns and annotated assignments are parsed into an_annot values (the
 * text, and the alternatives of a union as types: builtin scalars and
 * containers with their element types, None, user classes; a form not
 * understood gives no alternative and so agrees with anything) and hung
 * on their symbols and functions for analysis.json. Where inference
 * proves a type that the annotation excludes (for the parameter of a
 * closed function, a return, an annotated assignment's value; PEP 484's
 * numeric tower allowed) the pair is recorded as an an_conflict in
 * an_program.conflicts: information for the user, never a change of the
 * translation.
 */
#include "an_internal.h"

static void an__ann_text(p_buf *b, const py_node *e) {
  if (!e) return;
  switch (e->kind) {
  case PY_NAME: p_buf_puts(b, e->u.name.id); break;
  case PY_NONE: p_buf_puts(b, "None"); break;
  case PY_ELLIPSIS: p_buf_puts(b, "..."); break;
  case PY_STR: p_buf_printf(b, "'%s'", e->u.str.s ? e->u.str.s : ""); break;
  case PY_ATTRIBUTE:
    an__ann_text(b, e->u.attribute.value);
    p_buf_printf(b, ".%s", e->u.attribute.attr);
    break;
  case PY_SUBSCRIPT:
    an__ann_text(b, e->u.subscript.value);
    p_buf_putc(b, '[');
    if (e->u.subscript.slice->kind == PY_TUPLE) {
      py_nodes el = e->u.subscript.slice->u.list_or_tuple.elts;
      for (int i = 0; i < el.n; i++) {
        if (i) p_buf_puts(b, ", ");
        an__ann_text(b, el.v[i]);
      }
    } else {
      an__ann_text(b, e->u.subscript.slice);
    }
    p_buf_putc(b, ']');
    break;
  case PY_TUPLE: case PY_LIST: {
    py_nodes el = e->u.list_or_tuple.elts;
    p_buf_putc(b, e->kind == PY_LIST ? '[' : '(');
    for (int i = 0; i < el.n; i++) {
      if (i) p_buf_puts(b, ", ");
      an__ann_text(b, el.v[i]);
    }
    p_buf_putc(b, e->kind == PY_LIST ? ']' : ')');
    break;
  }
  case PY_BIN_OP:
    an__ann_text(b, e->u.bin_op.left);
    p_buf_puts(b, " | ");
    an__ann_text(b, e->u.bin_op.right);
    break;
  default: p_buf_puts(b, "?"); break;
  }
}

/* The name an annotation form goes by: int, List, typing.Optional -> Optional. */
static const char *an__ann_name(an_scope *s, const py_node *e, bool *user) {
  *user = false;
  if (e->kind == PY_NAME) {
    an_binding b = an_resolve(s, e->u.name.id);
    if (b == AN_BUILTIN) return e->u.name.id;
    an_symbol *y = an_target_sym(s, e->u.name.id, NULL);
    if (y && (y->flags & AN_SYM_IMPORTED)) return e->u.name.id; /* from typing import List */
    *user = true;
    return e->u.name.id;
  }
  if (e->kind == PY_ATTRIBUTE && e->u.attribute.value->kind == PY_NAME) return e->u.attribute.attr; /* typing.List */
  return NULL;
}

static void an__ann_alts(an_ctx *c, an_scope *s, const py_node *e, const an_type ***alts, int *n, int *cap);

/* One alternative: a type, dynamic for forms we do not model. */
static const an_type *an__ann_one(an_ctx *c, an_scope *s, const py_node *e) {
  const an_type **alts = NULL;
  int n = 0, cap = 0;
  an__ann_alts(c, s, e, &alts, &n, &cap);
  return n == 1 ? alts[0] : &an_t_dynamic;
}

static void an__ann_push(an_ctx *c, const an_type ***alts, int *n, int *cap, const an_type *t) {
  *alts = an_grow(c->a, *alts, *n, cap, sizeof(an_type *));
  (*alts)[(*n)++] = t;
}

static void an__ann_alts(an_ctx *c, an_scope *s, const py_node *e, const an_type ***alts, int *n, int *cap) {
  if (!e) return;
  if (e->kind == PY_NONE) {
    an__ann_push(c, alts, n, cap, &an_t_none);
    return;
  }
  if (e->kind == PY_BIN_OP && e->u.bin_op.op == PY_OP_BITOR) {
    an__ann_alts(c, s, e->u.bin_op.left, alts, n, cap);
    an__ann_alts(c, s, e->u.bin_op.right, alts, n, cap);
    return;
  }
  bool user = false;
  if (e->kind == PY_SUBSCRIPT) {
    const char *nm = an__ann_name(s, e->u.subscript.value, &user);
    const py_node *sl = e->u.subscript.slice;
    py_nodes args = sl->kind == PY_TUPLE ? sl->u.list_or_tuple.elts : (py_nodes){(py_node **)&e->u.subscript.slice, 1};
    if (!nm || user) {
      an__ann_push(c, alts, n, cap, &an_t_dynamic);
    } else if (!strcmp(nm, "Optional") && args.n == 1) {
      an__ann_alts(c, s, args.v[0], alts, n, cap);
      an__ann_push(c, alts, n, cap, &an_t_none);
    } else if (!strcmp(nm, "Union")) {
      for (int i = 0; i < args.n; i++) an__ann_alts(c, s, args.v[i], alts, n, cap);
    } else if ((!strcmp(nm, "list") || !strcmp(nm, "List")) && args.n == 1) {
      an__ann_push(c, alts, n, cap, an_type_mk(c, AN_T_LIST, an__ann_one(c, s, args.v[0]), NULL));
    } else if ((!strcmp(nm, "set") || !strcmp(nm, "Set")) && args.n == 1) {
      an__ann_push(c, alts, n, cap, an_type_mk(c, AN_T_SET, an__ann_one(c, s, args.v[0]), NULL));
    } else if ((!strcmp(nm, "dict") || !strcmp(nm, "Dict")) && args.n == 2) {
      an__ann_push(c, alts, n, cap, an_type_mk(c, AN_T_DICT, an__ann_one(c, s, args.v[1]), an__ann_one(c, s, args.v[0])));
    } else if ((!strcmp(nm, "tuple") || !strcmp(nm, "Tuple")) && args.n >= 1 &&
               !(args.n == 2 && args.v[1]->kind == PY_ELLIPSIS)) {
      const an_type **it = p_arena_alloc(c->a, sizeof(an_type *) * (size_t)(args.n + 1));
      for (int i = 0; i < args.n; i++) it[i] = an__ann_one(c, s, args.v[i]);
      an_type *t = p_arena_alloc(c->a, sizeof *t);
      t->kind = AN_T_TUPLE;
      t->items = it;
      t->nitems = args.n;
      an__ann_push(c, alts, n, cap, t);
    } else {
      an__ann_push(c, alts, n, cap, &an_t_dynamic);
    }
    return;
  }
  const char *nm = an__ann_name(s, e, &user);
  const an_type *t = &an_t_dynamic;
  if (nm && user && e->kind == PY_NAME) {
    an_symbol *y = an_target_sym(s, nm, NULL);
    if (y && an_is(y->type, AN_T_CLASS) && y->type->cls) t = y->type->cls->instance;
  } else if (nm) {
    if (!strcmp(nm, "int")) t = &an_t_int;
    else if (!strcmp(nm, "float")) t = &an_t_float;
    else if (!strcmp(nm, "str")) t = &an_t_str;
    else if (!strcmp(nm, "bool")) t = &an_t_bool;
    else if (!strcmp(nm, "bytes")) t = &an_t_bytes;
    else if (!strcmp(nm, "list") || !strcmp(nm, "List")) t = an_type_mk(c, AN_T_LIST, &an_t_dynamic, NULL);
    else if (!strcmp(nm, "set") || !strcmp(nm, "Set")) t = an_type_mk(c, AN_T_SET, &an_t_dynamic, NULL);
    else if (!strcmp(nm, "dict") || !strcmp(nm, "Dict")) t = an_type_mk(c, AN_T_DICT, &an_t_dynamic, &an_t_dynamic);
  }
  an__ann_push(c, alts, n, cap, t);
}

static const an_annot *an__annot(an_ctx *c, an_scope *s, const py_node *e) {
  if (!e) return NULL;
  an_annot *a = p_arena_alloc(c->a, sizeof *a);
  int cap = 0;
  an__ann_alts(c, s, e, &a->alts, &a->nalts, &cap);
  p_buf b;
  p_buf_init(&b, 4096);
  an__ann_text(&b, e);
  a->text = p_arena_strdup(c->a, b.data ? b.data : "");
  p_buf_free(&b);
  return a;
}

/* May a value of (inferred, static) type inf be annotated ann? PEP 484's
 * numeric tower: int is acceptable for float, bool for int. */
static bool an__compat(const an_type *inf, const an_type *ann) {
  if (!ann || !inf || ann->kind == AN_T_DYNAMIC || ann->kind == AN_T_UNKNOWN || inf->kind == AN_T_DYNAMIC ||
      inf->kind == AN_T_UNKNOWN)
    return true;
  switch (ann->kind) {
  case AN_T_INT: return inf->kind == AN_T_INT || inf->kind == AN_T_BOOL;
  case AN_T_FLOAT: return inf->kind == AN_T_FLOAT || inf->kind == AN_T_INT || inf->kind == AN_T_BOOL;
  case AN_T_BOOL: case AN_T_STR: case AN_T_BYTES: case AN_T_NONE: return inf->kind == ann->kind;
  case AN_T_LIST: case AN_T_SET: return inf->kind == ann->kind && an__compat(inf->elem, ann->elem);
  case AN_T_DICT: return inf->kind == AN_T_DICT && an__compat(inf->key, ann->key) && an__compat(inf->elem, ann->elem);
  case AN_T_TUPLE:
    if (inf->kind != AN_T_TUPLE) return false;
    if (inf->nitems != ann->nitems) return false;
    for (int i = 0; i < inf->nitems; i++)
      if (!an__compat(inf->items[i], ann->items[i])) return false;
    return true;
  case AN_T_INSTANCE:
    if (inf->kind == AN_T_INSTANCE)
      /* a subclass along the chain, or bases we do not follow */
      return an_inherits(inf->cls, ann->cls) || !an_chain_ok(inf->cls);
    return !an_builtin_value(inf);
  default: return true;
  }
}

static bool an__compat_annot(const an_type *inf, const an_annot *a) {
  for (int i = 0; i < a->nalts; i++)
    if (an__compat(inf, a->alts[i])) return true;
  return a->nalts == 0;
}

static void an__conflict(an_ctx *c, const py_node *at, an_scope *s, const char *name, const an_annot *a,
                         const an_type *inf) {
  an_program *p = c->p;
  if (!an_known(inf) || inf->kind == AN_T_DYNAMIC || an__compat_annot(inf, a)) return;
  an_conflict *v = p_arena_alloc(c->a, sizeof(an_conflict) * (size_t)(p->nconflicts + 1));
  if (p->nconflicts) memcpy(v, p->conflicts, sizeof(an_conflict) * (size_t)p->nconflicts);
  an_conflict *k = &v[p->nconflicts++];
  k->file = at->file;
  k->line = at->line;
  k->col = at->col;
  k->scope = s->kind == AN_SCOPE_MODULE ? "<module>" : s->qualname;
  k->name = name;
  k->annotated = a->text;
  k->inferred = an_type_str(c->a, inf);
  p->conflicts = v;
}

/* Annotations of parameters, returns and variables: recorded, and checked
 * against what inference proves. */
void an_annotations(an_ctx *c) {
  an_program *p = c->p;
  for (int i = 0; i < p->nfuncs; i++) {
    an_func *f = p->funcs[i];
    if (f->node->kind != PY_FUNCTION_DEF) continue;
    const py_arguments *pa = f->node->u.function_def.args;
    an_scope *outer = f->scope->parent;
    f->param_annots = p_arena_alloc(c->a, sizeof(an_annot *) * (size_t)(f->nparams + 1));
    for (int k = 0; pa && k < pa->all.n && k < f->nparams; k++) {
      py_node *arg = pa->all.v[k];
      if (!arg->u.arg.annotation) continue;
      const an_annot *a = an__annot(c, outer, arg->u.arg.annotation);
      f->param_annots[k] = a;
      an_symbol *y = an_symbol_of(f->scope, arg->u.arg.name);
      if (y) y->annotation = a;
      if (f->closed) an__conflict(c, arg, f->scope, arg->u.arg.name, a, f->param_types[k]);
    }
    if (f->node->u.function_def.returns) {
      f->return_annot = an__annot(c, outer, f->node->u.function_def.returns);
      if (!f->is_generator && !f->node->u.function_def.is_async)
        an__conflict(c, f->node, f->scope, "return", f->return_annot, f->return_type);
    }
  }
  for (int i = 0; i < c->nanns; i++) {
    py_node *st = c->anns[i].st;
    an_scope *s = c->anns[i].s;
    py_node *tg = st->u.ann_assign.target;
    const an_annot *a = an__annot(c, s, st->u.ann_assign.annotation);
    const char *name = "?";
    if (tg->kind == PY_NAME) {
      name = tg->u.name.id;
      an_symbol *y = an_symbol_of(s, name);
      if (y) y->annotation = a;
    } else {
      p_buf b;
      p_buf_init(&b, 4096);
      an__ann_text(&b, tg->kind == PY_ATTRIBUTE ? tg->u.attribute.value : tg);
      if (tg->kind == PY_ATTRIBUTE) p_buf_printf(&b, ".%s", tg->u.attribute.attr);
      name = p_arena_strdup(c->a, b.data ? b.data : "?");
      p_buf_free(&b);
    }
    if (st->u.ann_assign.value) an__conflict(c, tg, s, name, a, an_type_of(p, st->u.ann_assign.value));
  }
  free(c->anns);

}

