/*
 * ing_stmt.c - Ingest pass 3, statements: simple and compound statements,
 * blocks, definitions and imports into py_node, with the compile-time
 * checks CPython makes on them ('return' outside a function, 'break'
 * outside a loop, too many statically nested blocks...).
 */
#include "ingest.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ statements */

const char *ing_docstring(py_nodes body) {
  if (body.n == 0) return NULL;
  py_node *s = body.v[0];
  if (s->kind == PY_EXPR && s->u.expr.value && s->u.expr.value->kind == PY_STR) {
    s->u.expr.value->u.str.is_docstring = true;
    return s->u.expr.value->u.str.s;
  }
  return NULL;
}

py_nodes ing_block(ing_ctx *c, TSNode n) {
  ing_list l;
  ing_list_init(&l);
  if (!ts_node_is_null(n)) {
    if (++c->depth > ING_MAX_DEPTH) {
      c->depth--;
      ing_err_node(c, ING_PRIO_PARSER, n, "too many statically nested blocks");
      return ing_list_freeze(c, &l);
    }
    ing_it it;
    ing_it_init(&it, n);
    for (TSNode ch; ing_it_next(&it, &ch, false);) {
      if (ing_skip(ch)) continue;
      if (ing_type_is(ch, "case_clause")) continue; /* handled by match */
      ing_stmt(c, ch, &l);
    }
    ing_it_done(&it);
    c->depth--;
  }
  return ing_list_freeze(c, &l);
}

/* Lowers an assignment node (possibly chained) into Assign/AnnAssign. */
static ING_NOINLINE py_node *ing__assignment(ing_ctx *c, TSNode n) {
  TSNode ty = ts_node_child_by_field_name(n, "type", 4);
  TSNode left = ts_node_child_by_field_name(n, "left", 4);
  TSNode right = ts_node_child_by_field_name(n, "right", 5);
  if (!ts_node_is_null(ty)) {
    py_node *r = ing_new(c, PY_ANN_ASSIGN, n);
    r->u.ann_assign.target = ing_expr(c, left, PY_STORE);
    ing_set_ctx(c, r->u.ann_assign.target, PY_STORE, left);
    r->u.ann_assign.simple = ing_type_is(left, "identifier");
    if (r->u.ann_assign.target && (r->u.ann_assign.target->kind == PY_TUPLE || r->u.ann_assign.target->kind == PY_LIST))
      ing_err_node(c, ING_PRIO_PARSER, left, "only single target (not %s) can be annotated",
                    r->u.ann_assign.target->kind == PY_TUPLE ? "tuple" : "list");
    r->u.ann_assign.annotation = ing_expr(c, ty, PY_LOAD);
    if (!ts_node_is_null(right)) r->u.ann_assign.value = ing_expr(c, right, PY_LOAD);
    return r;
  }
  py_node *r = ing_new(c, PY_ASSIGN, n);
  ing_list targets;
  ing_list_init(&targets);
  TSNode cur = n;
  for (;;) {
    TSNode l = ts_node_child_by_field_name(cur, "left", 4);
    py_node *t = ing_expr(c, l, PY_STORE);
    ing_set_ctx(c, t, PY_STORE, l);
    ing_list_add(&targets, t);
    TSNode rr = ts_node_child_by_field_name(cur, "right", 5);
    if (ts_node_is_null(rr)) {
      ing_err_node(c, ING_PRIO_PARSER, cur, "invalid syntax");
      break;
    }
    if (ing_type_is(rr, "assignment") && ts_node_is_null(ts_node_child_by_field_name(rr, "type", 4))) {
      cur = rr;
      continue;
    }
    if (ing_type_is(rr, "augmented_assignment") || ing_type_is(rr, "assignment")) {
      ing_err_node(c, ING_PRIO_PARSER, rr, "invalid syntax");
      break;
    }
    r->u.assign.value = ing_expr(c, rr, PY_LOAD);
    if (r->u.assign.value && r->u.assign.value->kind == PY_STARRED)
      ing_err_node(c, ING_PRIO_COMPILE, rr, "can't use starred expression here");
    break;
  }
  r->u.assign.targets = ing_list_freeze(c, &targets);
  return r;
}

static ING_NOINLINE py_node *ing__expr_stmt(ing_ctx *c, TSNode n) {
  ing_list l;
  ing_list_init(&l);
  TSNode one = ING_NULL_NODE;
  int k = 0;
  ing_it it;
  ing_it_init(&it, n);
  for (TSNode ch; ing_it_next(&it, &ch, false) && k < 2;) {
    if (ing_skip(ch)) continue;
    one = ch;
    k++;
  }
  ing_it_done(&it);
  if (k == 1 && ing_type_is(one, "assignment")) return ing__assignment(c, one);
  if (k == 1 && ing_type_is(one, "augmented_assignment")) {
    py_node *r = ing_new(c, PY_AUG_ASSIGN, one);
    TSNode left = ts_node_child_by_field_name(one, "left", 4);
    r->u.aug_assign.target = ing_expr(c, left, PY_STORE);
    py_node *t = r->u.aug_assign.target;
    if (t && t->kind != PY_NAME && t->kind != PY_ATTRIBUTE && t->kind != PY_SUBSCRIPT) {
      const char *what = t->kind == PY_TUPLE ? "tuple" : t->kind == PY_LIST ? "list" : "expression";
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->col, true,
                    "'%s' is an illegal expression for augmented assignment", what);
    }
    r->u.aug_assign.op = ing_binop(ts_node_type(ts_node_child_by_field_name(one, "operator", 8)));
    r->u.aug_assign.value = ing_expr(c, ts_node_child_by_field_name(one, "right", 5), PY_LOAD);
    return r;
  }
  py_node *r = ing_new(c, PY_EXPR, n);
  if (k == 1) {
    r->u.expr.value = ing_expr(c, one, PY_LOAD);
  } else {
    ing_it_init(&it, n);
    for (TSNode ch; ing_it_next(&it, &ch, false);)
      if (!ing_skip(ch)) ing_list_add(&l, ing_expr(c, ch, PY_LOAD));
    ing_it_done(&it);
    py_node *t = ing_new(c, PY_TUPLE, n);
    t->u.list_or_tuple.elts = ing_list_freeze(c, &l);
    r->u.expr.value = t;
  }
  if (r->u.expr.value && r->u.expr.value->kind == PY_STARRED)
    ing_err_node(c, ING_PRIO_COMPILE, n, "can't use starred expression here");
  return r;
}

/* Field children (all of them) named name, in a malloc'd array the
 * caller frees (never on the stack: blocks nest and frames must stay
 * small). Walks with a cursor: ts_node_field_name_for_child is unreliable
 * in libtree-sitter 0.20. */
static int ing__field_children(TSNode n, const char *name, TSNode **out) {
  int k = 0, cap = 0;
  *out = NULL;
  TSTreeCursor cur = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      const char *f = ts_tree_cursor_current_field_name(&cur);
      if (f && !strcmp(f, name)) {
        *out = p_vec_grow(*out, k, &cap, k + 1, sizeof **out, NULL);
        (*out)[k++] = ts_tree_cursor_current_node(&cur);
      }
    } while (ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
  return k;
}

static ING_NOINLINE py_node *ing__func(ing_ctx *c, TSNode n, py_nodes decorators, TSNode at) {
  py_node *r = ing_new(c, PY_FUNCTION_DEF, at);
  r->u.function_def.decorators = decorators;
  r->u.function_def.is_async = ing_type_is(ING_CHILD(n, 0), "async");
  r->u.function_def.name = ing_text(c, ts_node_child_by_field_name(n, "name", 4));
  r->u.function_def.args = ing_params(c, ts_node_child_by_field_name(n, "parameters", 10));
  TSNode rt = ts_node_child_by_field_name(n, "return_type", 11);
  if (!ts_node_is_null(rt)) r->u.function_def.returns = ing_expr(c, rt, PY_LOAD);
  if (!ts_node_is_null(ts_node_child_by_field_name(n, "type_parameters", 15)))
    ing_err_node(c, ING_PRIO_PARSER, ts_node_child_by_field_name(n, "type_parameters", 15), "invalid syntax");
  int sl = c->loop_depth;
  bool sf = c->in_finally;
  c->loop_depth = 0;
  c->in_finally = false;
  c->func_depth++;
  int scd = c->class_depth;
  c->class_depth = 0;
  r->u.function_def.body = ing_block(c, ts_node_child_by_field_name(n, "body", 4));
  c->class_depth = scd;
  c->func_depth--;
  c->loop_depth = sl;
  c->in_finally = sf;
  r->u.function_def.docstring = ing_docstring(r->u.function_def.body);
  return r;
}

static ING_NOINLINE py_node *ing__class(ing_ctx *c, TSNode n, py_nodes decorators, TSNode at) {
  py_node *r = ing_new(c, PY_CLASS_DEF, at);
  r->u.class_def.decorators = decorators;
  r->u.class_def.name = ing_text(c, ts_node_child_by_field_name(n, "name", 4));
  TSNode sc = ts_node_child_by_field_name(n, "superclasses", 12);
  if (!ts_node_is_null(sc)) ing_call_args(c, sc, &r->u.class_def.bases, &r->u.class_def.keywords);
  if (!ts_node_is_null(ts_node_child_by_field_name(n, "type_parameters", 15)))
    ing_err_node(c, ING_PRIO_PARSER, ts_node_child_by_field_name(n, "type_parameters", 15), "invalid syntax");
  int sl = c->loop_depth;
  int sf = c->func_depth;
  c->loop_depth = 0;
  c->class_depth++;
  c->func_depth = 0; /* return/yield in a class body are errors */
  r->u.class_def.body = ing_block(c, ts_node_child_by_field_name(n, "body", 4));
  c->func_depth = sf;
  c->class_depth--;
  c->loop_depth = sl;
  r->u.class_def.docstring = ing_docstring(r->u.class_def.body);
  return r;
}

static ING_NOINLINE py_node *ing__alias(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_ALIAS, n);
  if (ing_type_is(n, "aliased_import")) {
    r->u.alias.name = ing_text(c, ts_node_child_by_field_name(n, "name", 4));
    r->u.alias.asname = ing_text(c, ts_node_child_by_field_name(n, "alias", 5));
  } else {
    /* dotted_name: drop any whitespace/comments between the parts */
    const char *t = ing_text(c, n);
    char *d = p_arena_strdup(c->a, t);
    size_t o = 0;
    for (size_t i = 0; t[i]; i++)
      if (!isspace((unsigned char)t[i]) && t[i] != '\\') d[o++] = t[i];
    d[o] = 0;
    r->u.alias.name = d;
  }
  return r;
}

/* CPython's compiler keeps at most 20 nested blocks per code object
 * (CO_MAXBLOCKS) and fails with "too many statically nested blocks" where
 * it would open one more. This walks the lowered tree in the compiler's
 * order with its block counts (3.11 compile.c): a loop body +1; each with
 * item +1; a try body +1, or +2 with both handlers and finally; handler
 * bodies +2 (EXCEPTION_HANDLER, HANDLER_CLEANUP); else clauses of a try at
 * the try's depth (inside the finally block when there is one); and a
 * finally body twice, first at the try's depth (the normal path) and then
 * one deeper (the exceptional path), which is why an error inside a finally
 * body can show at a deeper line than the first place it could occur. Each
 * def, lambda and class body is a new code object (depth 0). Returns the
 * statement where the compiler would stop, or NULL. */
#define ING_MAXBLOCKS 20

static py_node *ing__blocks_stmt(py_node *s, int d, int guard) {
  py_node *e = NULL;
  switch (s->kind) {
  case PY_FOR: case PY_WHILE: {
    if (d >= ING_MAXBLOCKS) return s;
    bool f = s->kind == PY_FOR;
    if ((e = ing_blocks(f ? s->u.for_.body : s->u.while_.body, d + 1, guard))) return e;
    return ing_blocks(f ? s->u.for_.orelse : s->u.while_.orelse, d, guard);
  }
  case PY_WITH:
    if (d + s->u.with.items.n > ING_MAXBLOCKS) return s;
    return ing_blocks(s->u.with.body, d + s->u.with.items.n, guard);
  case PY_TRY: {
    bool fin = s->u.try_.finalbody.n > 0, hand = s->u.try_.handlers.n > 0;
    int d1 = d;
    if (fin) {
      if (d1 >= ING_MAXBLOCKS) return s;
      d1++;
    }
    if (hand) {
      if (d1 >= ING_MAXBLOCKS) return s;
      if ((e = ing_blocks(s->u.try_.body, d1 + 1, guard))) return e;
      if ((e = ing_blocks(s->u.try_.orelse, d1, guard))) return e;
      for (int i = 0; i < s->u.try_.handlers.n; i++) {
        py_node *h = s->u.try_.handlers.v[i];
        if (d1 + 2 > ING_MAXBLOCKS) return h;
        if ((e = ing_blocks(h->u.except_handler.body, d1 + 2, guard))) return e;
      }
    } else if ((e = ing_blocks(s->u.try_.body, d1, guard))) {
      return e;
    }
    if (fin) {
      if ((e = ing_blocks(s->u.try_.finalbody, d, guard))) return e;
      if (d >= ING_MAXBLOCKS) return s->u.try_.finalbody.v[0];
      return ing_blocks(s->u.try_.finalbody, d + 1, guard);
    }
    return NULL;
  }
  case PY_IF:
    if ((e = ing_blocks(s->u.if_.body, d, guard))) return e;
    return ing_blocks(s->u.if_.orelse, d, guard);
  case PY_MATCH:
    for (int i = 0; i < s->u.match.cases.n; i++)
      if ((e = ing_blocks(s->u.match.cases.v[i]->u.match_case.body, d, guard))) return e;
    return NULL;
  case PY_FUNCTION_DEF:
    return ing_blocks(s->u.function_def.body, 0, guard);
  case PY_CLASS_DEF:
    return ing_blocks(s->u.class_def.body, 0, guard);
  default:
    return NULL;
  }
}

py_node *ing_blocks(py_nodes b, int depth, int guard) {
  if (guard > PY_MAX_NESTING * 4) return NULL; /* ingest bounds nesting; belt and braces */
  for (int i = 0; i < b.n; i++) {
    py_node *e = ing__blocks_stmt(b.v[i], depth, guard + 1);
    if (e) return e;
  }
  return NULL;
}

static void ing__check_loopctl(ing_ctx *c, TSNode n, const char *what) {
  if (c->loop_depth == 0)
    ing_err_node(c, ING_PRIO_COMPILE, n, strcmp(what, "break") == 0 ? "'break' outside loop" : "'continue' not properly in loop");
}

static py_node *ing__s_expression(ing_ctx *c, TSNode n) {
  return ing__expr_stmt(c, n);
}

static py_node *ing__s_function(ing_ctx *c, TSNode n) {
  py_nodes none = {NULL, 0};
  return ing__func(c, n, none, n);
}

static py_node *ing__s_class(ing_ctx *c, TSNode n) {
  py_nodes none = {NULL, 0};
  return ing__class(c, n, none, n);
}

static py_node *ing__s_decorated(ing_ctx *c, TSNode n) {
  ing_list d;
  ing_list_init(&d);
  uint32_t cnt = ing_nchildren(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (ing_type_is(ch, "decorator")) {
      TSNode e = ING_NULL_NODE;
      for (uint32_t j = 0; j < ing_nchildren(ch); j++)
        if (!ing_skip(ING_NAMED(ch, j))) e = ING_NAMED(ch, j);
      ing_list_add(&d, ing_expr(c, e, PY_LOAD));
    }
  }
  py_nodes decs = ing_list_freeze(c, &d);
  TSNode def = ts_node_child_by_field_name(n, "definition", 10);
  /* like CPython, a decorated definition starts at its def/class line */
  if (ing_type_is(def, "class_definition")) return ing__class(c, def, decs, def);
  return ing__func(c, def, decs, def);
}

static py_node *ing__s_return(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_RETURN, n);
  for (uint32_t i = 0; i < ing_nchildren(n); i++)
    if (!ing_skip(ING_NAMED(n, i))) r->u.return_.value = ing_expr(c, ING_NAMED(n, i), PY_LOAD);
  if (c->func_depth == 0) ing_err_node(c, ING_PRIO_COMPILE, n, "'return' outside function");
  return r;
}

static py_node *ing__s_delete(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_DELETE, n);
  ing_list l;
  ing_list_init(&l);
  for (uint32_t i = 0; i < ing_nchildren(n); i++) {
    TSNode ch = ING_NAMED(n, i);
    if (ing_skip(ch)) continue;
    if (ing_type_is(ch, "expression_list")) {
      for (uint32_t j = 0; j < ing_nchildren(ch); j++) {
        TSNode x = ING_NAMED(ch, j);
        if (ing_skip(x)) continue;
        py_node *e = ing_expr(c, x, PY_DEL);
        ing_set_ctx(c, e, PY_DEL, x);
        ing_list_add(&l, e);
      }
    } else {
      py_node *e = ing_expr(c, ch, PY_DEL);
      ing_set_ctx(c, e, PY_DEL, ch);
      ing_list_add(&l, e);
    }
  }
  r->u.delete_.targets = ing_list_freeze(c, &l);
  return r;
}

static py_node *ing__s_pass(ing_ctx *c, TSNode n) {
  return ing_new(c, PY_PASS, n);
}

static py_node *ing__s_break(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_BREAK, n);
  ing__check_loopctl(c, n, "break");
  return r;
}

static py_node *ing__s_continue(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_CONTINUE, n);
  ing__check_loopctl(c, n, "continue");
  return r;
}

static py_node *ing__s_if(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_IF, n);
  r->u.if_.test = ing_expr(c, ts_node_child_by_field_name(n, "condition", 9), PY_LOAD);
  r->u.if_.body = ing_block(c, ts_node_child_by_field_name(n, "consequence", 11));
  TSNode *alts;
  int na = ing__field_children(n, "alternative", &alts);
  /* build the elif chain from the back */
  py_nodes tail = {NULL, 0};
  for (int i = na - 1; i >= 0; i--) {
    if (ing_type_is(alts[i], "else_clause")) {
      tail = ing_block(c, ts_node_child_by_field_name(alts[i], "body", 4));
    } else {
      py_node *e = ing_new(c, PY_IF, alts[i]);
      e->u.if_.test = ing_expr(c, ts_node_child_by_field_name(alts[i], "condition", 9), PY_LOAD);
      e->u.if_.body = ing_block(c, ts_node_child_by_field_name(alts[i], "consequence", 11));
      e->u.if_.orelse = tail;
      tail.v = p_arena_alloc(c->a, sizeof(py_node *));
      tail.v[0] = e;
      tail.n = 1;
    }
  }
  r->u.if_.orelse = tail;
  free(alts);
  return r;
}

static py_node *ing__s_for(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_FOR, n);
  r->u.for_.is_async = ing_type_is(ING_CHILD(n, 0), "async");
  TSNode left = ts_node_child_by_field_name(n, "left", 4);
  r->u.for_.target = ing_expr(c, left, PY_STORE);
  ing_set_ctx(c, r->u.for_.target, PY_STORE, left);
  r->u.for_.iter = ing_expr(c, ts_node_child_by_field_name(n, "right", 5), PY_LOAD);
  c->loop_depth++;
  r->u.for_.body = ing_block(c, ts_node_child_by_field_name(n, "body", 4));
  c->loop_depth--;
  TSNode el = ts_node_child_by_field_name(n, "alternative", 11);
  if (!ts_node_is_null(el)) r->u.for_.orelse = ing_block(c, ts_node_child_by_field_name(el, "body", 4));
  if (r->u.for_.is_async && c->func_depth == 0) ing_err_node(c, ING_PRIO_COMPILE, n, "'async for' outside async function");
  return r;
}

static py_node *ing__s_while(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_WHILE, n);
  r->u.while_.test = ing_expr(c, ts_node_child_by_field_name(n, "condition", 9), PY_LOAD);
  c->loop_depth++;
  r->u.while_.body = ing_block(c, ts_node_child_by_field_name(n, "body", 4));
  c->loop_depth--;
  TSNode el = ts_node_child_by_field_name(n, "alternative", 11);
  if (!ts_node_is_null(el)) r->u.while_.orelse = ing_block(c, ts_node_child_by_field_name(el, "body", 4));
  return r;
}

static py_node *ing__s_with(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_WITH, n);
  r->u.with.is_async = ing_type_is(ING_CHILD(n, 0), "async");
  ing_list items;
  ing_list_init(&items);
  for (uint32_t i = 0; i < ing_nchildren(n); i++) {
    TSNode wc = ING_NAMED(n, i);
    if (!ing_type_is(wc, "with_clause")) continue;
    for (uint32_t j = 0; j < ing_nchildren(wc); j++) {
      TSNode wi = ING_NAMED(wc, j);
      if (!ing_type_is(wi, "with_item")) continue;
      py_node *it = ing_new(c, PY_WITH_ITEM, wi);
      TSNode v = ts_node_child_by_field_name(wi, "value", 5);
      if (ing_type_is(v, "as_pattern")) {
        it->u.with_item.context_expr = ing_expr(c, ING_NAMED(v, 0), PY_LOAD);
        TSNode al = ts_node_child_by_field_name(v, "alias", 5);
        if (ing_type_is(al, "as_pattern_target")) al = ING_NAMED(al, 0);
        it->u.with_item.optional_vars = ing_expr(c, al, PY_STORE);
        ing_set_ctx(c, it->u.with_item.optional_vars, PY_STORE, al);
      } else {
        it->u.with_item.context_expr = ing_expr(c, v, PY_LOAD);
      }
      ing_list_add(&items, it);
    }
  }
  r->u.with.items = ing_list_freeze(c, &items);
  r->u.with.body = ing_block(c, ts_node_child_by_field_name(n, "body", 4));
  return r;
}

static py_node *ing__s_try(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_TRY, n);
  r->u.try_.body = ing_block(c, ts_node_child_by_field_name(n, "body", 4));
  ing_list h;
  ing_list_init(&h);
  for (uint32_t i = 0; i < ing_nchildren(n); i++) {
    TSNode ch = ING_NAMED(n, i);
    const char *ct = ts_node_type(ch);
    if (!strcmp(ct, "except_clause") || !strcmp(ct, "except_group_clause")) {
      if (!strcmp(ct, "except_group_clause")) r->u.try_.is_star = true;
      py_node *eh = ing_new(c, PY_EXCEPT_HANDLER, ch);
      TSNode v = ts_node_child_by_field_name(ch, "value", 5);
      TSNode al = ts_node_child_by_field_name(ch, "alias", 5);
      TSNode blk = ING_NULL_NODE;
      for (uint32_t j = 0; j < ing_nchildren(ch); j++)
        if (ing_type_is(ING_NAMED(ch, j), "block")) blk = ING_NAMED(ch, j);
      if (ts_node_is_null(v)) {
        /* except_group_clause: first expression child */
        for (uint32_t j = 0; j < ing_nchildren(ch); j++) {
          TSNode x = ING_NAMED(ch, j);
          if (!ing_type_is(x, "block") && !ing_skip(x)) { v = x; break; }
        }
      }
      if (!ts_node_is_null(v) && ing_type_is(v, "as_pattern")) {
        eh->u.except_handler.type = ing_expr(c, ING_NAMED(v, 0), PY_LOAD);
        TSNode a = ts_node_child_by_field_name(v, "alias", 5);
        if (ing_type_is(a, "as_pattern_target")) a = ING_NAMED(a, 0);
        if (!ing_type_is(a, "identifier")) ing_err_node(c, ING_PRIO_PARSER, a, "invalid syntax");
        eh->u.except_handler.name = ing_text(c, a);
      } else if (!ts_node_is_null(v)) {
        eh->u.except_handler.type = ing_expr(c, v, PY_LOAD);
        if (!ts_node_is_null(al)) eh->u.except_handler.name = ing_text(c, al);
      }
      eh->u.except_handler.body = ing_block(c, blk);
      ing_list_add(&h, eh);
    } else if (!strcmp(ct, "else_clause")) {
      r->u.try_.orelse = ing_block(c, ts_node_child_by_field_name(ch, "body", 4));
    } else if (!strcmp(ct, "finally_clause")) {
      TSNode blk = ING_NULL_NODE;
      for (uint32_t j = 0; j < ing_nchildren(ch); j++)
        if (ing_type_is(ING_NAMED(ch, j), "block")) blk = ING_NAMED(ch, j);
      r->u.try_.finalbody = ing_block(c, blk);
    }
  }
  r->u.try_.handlers = ing_list_freeze(c, &h);
  for (int i = 0; i + 1 < r->u.try_.handlers.n; i++)
    if (!r->u.try_.handlers.v[i]->u.except_handler.type) {
      py_node *hh = r->u.try_.handlers.v[i];
      ing_error_at(c, ING_PRIO_COMPILE, "SyntaxError", hh->line, hh->col, true, "default 'except:' must be last");
    }
  return r;
}

static py_node *ing__s_raise(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_RAISE, n);
  TSNode cause = ts_node_child_by_field_name(n, "cause", 5);
  for (uint32_t i = 0; i < ts_node_child_count(n); i++) {
    TSNode ch = ING_CHILD(n, i);
    if (!ts_node_is_named(ch) || ing_skip(ch) || ts_node_eq(ch, cause)) continue;
    r->u.raise.exc = ing_expr(c, ch, PY_LOAD);
    break;
  }
  if (!ts_node_is_null(cause)) r->u.raise.cause = ing_expr(c, cause, PY_LOAD);
  return r;
}

static py_node *ing__s_assert(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_ASSERT, n);
  int k = 0;
  for (uint32_t i = 0; i < ing_nchildren(n); i++) {
    TSNode ch = ING_NAMED(n, i);
    if (ing_skip(ch)) continue;
    if (k == 0) r->u.assert_.test = ing_expr(c, ch, PY_LOAD);
    else r->u.assert_.msg = ing_expr(c, ch, PY_LOAD);
    k++;
  }
  return r;
}

static py_node *ing__s_import(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_IMPORT, n);
  ing_list l;
  ing_list_init(&l);
  TSNode *names;
  int nn = ing__field_children(n, "name", &names);
  for (int i = 0; i < nn; i++) ing_list_add(&l, ing__alias(c, names[i]));
  free(names);
  r->u.import.names = ing_list_freeze(c, &l);
  /* tree-sitter accepts `import a,`; CPython points past the comma */
  uint32_t e = ts_node_end_byte(n);
  if (e > 0 && c->src[e - 1] == ',') {
    TSPoint ep = ts_node_end_point(n);
    ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", (int)ep.row + 1, (int)ep.column, false, "invalid syntax");
  }
  return r;
}

static py_node *ing__s_import_from(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_IMPORT_FROM, n);
  if (ing_type_is(n, "future_import_statement")) {
    r->u.import_from.module = "__future__";
  } else {
    TSNode mn = ts_node_child_by_field_name(n, "module_name", 11);
    if (ing_type_is(mn, "relative_import")) {
      for (uint32_t i = 0; i < ing_nchildren(mn); i++) {
        TSNode ch = ING_NAMED(mn, i);
        if (ing_type_is(ch, "import_prefix")) {
          r->u.import_from.level = (int)(ts_node_end_byte(ch) - ts_node_start_byte(ch));
        } else if (ing_type_is(ch, "dotted_name")) {
          py_node *al = ing__alias(c, ch);
          r->u.import_from.module = al->u.alias.name;
        }
      }
    } else {
      r->u.import_from.module = ing__alias(c, mn)->u.alias.name;
    }
  }
  ing_list l;
  ing_list_init(&l);
  TSNode *names;
  int nn = ing__field_children(n, "name", &names);
  for (int i = 0; i < nn; i++) ing_list_add(&l, ing__alias(c, names[i]));
  free(names);
  for (uint32_t i = 0; i < ing_nchildren(n); i++) {
    TSNode ch = ING_NAMED(n, i);
    if (ing_type_is(ch, "wildcard_import")) {
      py_node *al = ing_new(c, PY_ALIAS, ch);
      al->u.alias.name = "*";
      ing_list_add(&l, al);
      if (c->func_depth > 0 || c->class_depth > 0)
        ing_err_node(c, ING_PRIO_COMPILE, n, "import * only allowed at module level");
    }
  }
  r->u.import_from.names = ing_list_freeze(c, &l);
  return r;
}

static py_node *ing__s_global(ing_ctx *c, TSNode n) {
  py_node *r;
  bool glob = ing_type_is(n, "global_statement");
  r = ing_new(c, glob ? PY_GLOBAL : PY_NONLOCAL, n);
  uint32_t cnt = ing_nchildren(n);
  r->u.global.names.v = p_arena_alloc(c->a, sizeof(char *) * (cnt + 1));
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (ing_type_is(ch, "identifier")) r->u.global.names.v[r->u.global.names.n++] = ing_text(c, ch);
  }
  if (!glob && c->func_depth == 0 && c->class_depth == 0)
    ing_err_node(c, ING_PRIO_COMPILE, n, "nonlocal declaration not allowed at module level");
  return r;
}

static py_node *ing__s_match(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_MATCH, n);
  TSNode *subj;
  int ns = ing__field_children(n, "subject", &subj);
  if (ns == 1) {
    r->u.match.subject = ing_expr(c, subj[0], PY_LOAD);
  } else {
    ing_list l;
    ing_list_init(&l);
    for (int i = 0; i < ns; i++) ing_list_add(&l, ing_expr(c, subj[i], PY_LOAD));
    py_node *tp = ing_new(c, PY_TUPLE, subj[0]);
    tp->u.list_or_tuple.elts = ing_list_freeze(c, &l);
    r->u.match.subject = tp;
  }
  free(subj);
  TSNode body = ts_node_child_by_field_name(n, "body", 4);
  ing_list cases;
  ing_list_init(&cases);
  TSNode *alts = NULL;
  int na = ts_node_is_null(body) ? 0 : ing__field_children(body, "alternative", &alts);
  for (int i = 0; i < na; i++) {
    TSNode cc = alts[i];
    py_node *mc = ing_new(c, PY_MATCH_CASE, cc);
    ing_list pats;
    ing_list_init(&pats);
    for (uint32_t j = 0; j < ing_nchildren(cc); j++) {
      TSNode ch = ING_NAMED(cc, j);
      if (ing_type_is(ch, "case_pattern")) ing_list_add(&pats, ing_pattern(c, ch));
    }
    if (pats.n == 1) {
      mc->u.match_case.pattern = pats.v[0];
      (void)ing_list_freeze(c, &pats);
    } else {
      py_node *sq = ing_new(c, PY_MATCH_SEQUENCE, cc);
      sq->u.match_seq.patterns = ing_list_freeze(c, &pats);
      if (sq->u.match_seq.patterns.n) {
        py_node *f = sq->u.match_seq.patterns.v[0], *l = sq->u.match_seq.patterns.v[sq->u.match_seq.patterns.n - 1];
        sq->line = f->line; sq->col = f->col; sq->end_line = l->end_line; sq->end_col = l->end_col;
      }
      mc->u.match_case.pattern = sq;
    }
    TSNode g = ts_node_child_by_field_name(cc, "guard", 5);
    if (!ts_node_is_null(g)) mc->u.match_case.guard = ing_expr(c, ING_NAMED(g, 0), PY_LOAD);
    mc->u.match_case.body = ing_block(c, ts_node_child_by_field_name(cc, "consequence", 11));
    ing_list_add(&cases, mc);
  }
  r->u.match.cases = ing_list_freeze(c, &cases);
  free(alts);
  return r;
}

static py_node *ing__s_print(ing_ctx *c, TSNode n) {
  ing_err_node(c, ING_PRIO_PARSER, n, "Missing parentheses in call to 'print'. Did you mean print(...)?");
  return NULL;
}

static py_node *ing__s_exec(ing_ctx *c, TSNode n) {
  ing_err_node(c, ING_PRIO_PARSER, n, "Missing parentheses in call to 'exec'. Did you mean exec(...)?");
  return NULL;
}

/* ------------------------------------------------------- the statement table
 * Every tree-sitter node type a statement can be, with its handler, looked
 * up by symbol as ing_lower.c's expression table is (ing_symbol_index). A
 * type not listed - ERROR, a missing node, type_alias_statement (3.12) - is
 * "invalid syntax", as CPython says. A handler returns the statement, or
 * NULL when it recorded an error instead. Being called through the table,
 * a handler is never inlined into ing_stmt: each recursion level through
 * ing_block pays for the frame of the one statement kind it lowers. */

typedef py_node *(*ing__stmt_fn)(ing_ctx *c, TSNode n);

static const struct {
  const char *type;
  ing__stmt_fn fn;
} ing__stmt_rules[] = {
    {"expression_statement", ing__s_expression},
    {"function_definition", ing__s_function},
    {"class_definition", ing__s_class},
    {"decorated_definition", ing__s_decorated},
    {"return_statement", ing__s_return},
    {"delete_statement", ing__s_delete},
    {"pass_statement", ing__s_pass},
    {"break_statement", ing__s_break},
    {"continue_statement", ing__s_continue},
    {"if_statement", ing__s_if},
    {"for_statement", ing__s_for},
    {"while_statement", ing__s_while},
    {"with_statement", ing__s_with},
    {"try_statement", ing__s_try},
    {"raise_statement", ing__s_raise},
    {"assert_statement", ing__s_assert},
    {"import_statement", ing__s_import},
    {"import_from_statement", ing__s_import_from},
    {"future_import_statement", ing__s_import_from},
    {"global_statement", ing__s_global},
    {"nonlocal_statement", ing__s_global},
    {"match_statement", ing__s_match},
    {"print_statement", ing__s_print},
    {"exec_statement", ing__s_exec},
};

static uint16_t *ing__stmt_table; /* by TSSymbol: 1 + index in ing__stmt_rules, 0 none */
static uint32_t ing__stmt_nsymbols;
static pthread_once_t ing__stmt_once = PTHREAD_ONCE_INIT;

static void ing__stmt_table_init(void) {
  ing__stmt_table = ing_symbol_index(&ing__stmt_rules[0].type, sizeof ing__stmt_rules[0],
                                     sizeof ing__stmt_rules / sizeof ing__stmt_rules[0], &ing__stmt_nsymbols);
}

py_node *ing_stmt(ing_ctx *c, TSNode n, ing_list *out) {
  pthread_once(&ing__stmt_once, ing__stmt_table_init);
  TSSymbol sym = ts_node_symbol(n);
  int rule = sym < ing__stmt_nsymbols ? ing__stmt_table[sym] : 0;
  if (ts_node_is_missing(n) || !rule) {
    ing_err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
    return NULL;
  }
  py_node *r = ing__stmt_rules[rule - 1].fn(c, n);
  if (r) ing_list_add(out, r);
  return r;
}

