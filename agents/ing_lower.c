/*
 * ing_lower.c - Ingest pass 3: tree-sitter's concrete tree -> py_node
 * (ast.h), expressions, parameters and patterns.
 *
 * ing_expr and ing_pattern dispatch on the node's tree-sitter symbol
 * through a table built once from the grammar (ing__expr_rules,
 * ing__pattern_rules: node type name -> handler; ing_symbol_index), instead
 * of comparing type names: one array index a node. ing_stmt.c does the same
 * for statements. On the way it
 * checks what CPython rejects after parsing (assignment to a literal,
 * argument order, duplicate parameters...), recording the first error in
 * the context with its priority. Recursion is bounded: the tokenizer
 * already refused more than 200 nested brackets, and any tree deeper than
 * ING_MAX_DEPTH (long operator chains) is refused with a diagnostic instead
 * of a stack overflow.
 */
#include "ingest.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ====================================================== pass 3: lowering */

/* Named children, skipping comments and line continuations. */

/* --------------------------------------------------------------- targets */

/* Sets the store/del context on a target expression, and reports what
 * CPython refuses to assign to or delete. */
void ing_set_ctx(ing_ctx *c, py_node *t, py_ctx ctx, TSNode at) {
  if (!t) return;
  const char *what = NULL;
  switch (t->kind) {
  case PY_NAME:
    t->u.name.ctx = ctx;
    if (strcmp(t->u.name.id, "__debug__") == 0) what = "__debug__";
    break;
  case PY_ATTRIBUTE: t->u.attribute.ctx = ctx; break;
  case PY_SUBSCRIPT: t->u.subscript.ctx = ctx; break;
  case PY_STARRED:
    t->u.starred.ctx = ctx;
    if (ctx == PY_DEL) what = "starred";
    else ing_set_ctx(c, t->u.starred.value, ctx, at);
    break;
  case PY_LIST: case PY_TUPLE:
    t->u.list_or_tuple.ctx = ctx;
    for (int i = 0; i < t->u.list_or_tuple.elts.n; i++) ing_set_ctx(c, t->u.list_or_tuple.elts.v[i], ctx, at);
    break;
  case PY_CALL: what = "function call"; break;
  case PY_INT: case PY_FLOAT: case PY_IMAG: case PY_STR: case PY_BYTES: case PY_BOOL: case PY_NONE:
  case PY_ELLIPSIS:
    what = t->kind == PY_BOOL ? (t->u.bool_.value ? "True" : "False") : t->kind == PY_NONE ? "None" :
           t->kind == PY_ELLIPSIS ? "ellipsis" : "literal";
    break;
  case PY_JOINED_STR: what = "f-string expression"; break;
  case PY_BIN_OP: case PY_UNARY_OP: what = "expression"; break;
  case PY_BOOL_OP: what = "expression"; break;
  case PY_COMPARE: what = "comparison"; break;
  case PY_LAMBDA: what = "lambda"; break;
  case PY_IF_EXP: what = "conditional expression"; break;
  case PY_NAMED_EXPR: what = "named expression"; break;
  case PY_DICT: what = "dict literal"; break;
  case PY_SET: what = "set display"; break;
  case PY_LIST_COMP: what = "list comprehension"; break;
  case PY_SET_COMP: what = "set comprehension"; break;
  case PY_DICT_COMP: what = "dict comprehension"; break;
  case PY_GENERATOR_EXP: what = "generator expression"; break;
  case PY_AWAIT: what = "await expression"; break;
  case PY_YIELD: case PY_YIELD_FROM: what = "yield expression"; break;
  default: what = "expression"; break;
  }
  if (what) {
    if (t->kind == PY_NAME || (t->kind == PY_BOOL || t->kind == PY_NONE))
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->col, true, "cannot %s %s",
                    ctx == PY_DEL ? "delete" : "assign to", what);
    else if (ctx == PY_STORE && (t->kind == PY_CALL || t->kind == PY_COMPARE || t->kind == PY_BIN_OP))
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->col, true,
                    "cannot assign to %s here. Maybe you meant '==' instead of '='?", what);
    else
      ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", t->line, t->col, true, "cannot %s %s",
                    ctx == PY_DEL ? "delete" : "assign to", what);
  }
  (void)at;
}

/* ----------------------------------------------------------- expressions */

py_op ing_binop(const char *t) {
  static const struct { const char *s; py_op op; } m[] = {
      {"+", PY_OP_ADD}, {"-", PY_OP_SUB}, {"*", PY_OP_MULT}, {"@", PY_OP_MATMULT}, {"/", PY_OP_DIV},
      {"%", PY_OP_MOD}, {"**", PY_OP_POW}, {"<<", PY_OP_LSHIFT}, {">>", PY_OP_RSHIFT}, {"|", PY_OP_BITOR},
      {"^", PY_OP_BITXOR}, {"&", PY_OP_BITAND}, {"//", PY_OP_FLOORDIV}, {NULL, PY_OP_NONE}};
  for (int i = 0; m[i].s; i++) {
    size_t l = strlen(m[i].s);
    if (strncmp(t, m[i].s, l) == 0 && (t[l] == 0 || t[l] == '=')) return m[i].op;
  }
  return PY_OP_NONE;
}

static py_op ing__cmpop(const char *t) {
  static const struct { const char *s; py_op op; } m[] = {
      {"==", PY_OP_EQ}, {"!=", PY_OP_NOTEQ}, {"<>", PY_OP_NOTEQ}, {"<", PY_OP_LT}, {"<=", PY_OP_LTE},
      {">", PY_OP_GT}, {">=", PY_OP_GTE}, {"is", PY_OP_IS}, {"is not", PY_OP_ISNOT}, {"in", PY_OP_IN},
      {"not in", PY_OP_NOTIN}, {NULL, PY_OP_NONE}};
  for (int i = 0; m[i].s; i++)
    if (strcmp(t, m[i].s) == 0) return m[i].op;
  return PY_OP_NONE;
}

static bool ing__hard_keyword(const char *s) {
  static const char *const kws[] = {"False", "None", "True", "and", "as", "assert", "async", "await", "break",
                                    "class", "continue", "def", "del", "elif", "else", "except", "finally",
                                    "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
                                    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", NULL};
  for (int i = 0; kws[i]; i++)
    if (strcmp(s, kws[i]) == 0) return true;
  return false;
}

static py_node *ing__name(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_NAME, n);
  r->u.name.id = ing_text(c, n);
  if (ing__hard_keyword(r->u.name.id)) ing_err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
  r->u.name.ctx = ctx;
  return r;
}

/* Lowers the named children of n (skipping comments) as a sequence. */
static py_nodes ing__exprs(ing_ctx *c, TSNode n, py_ctx ctx) {
  ing_list l;
  ing_list_init(&l);
  ing_it it;
  ing_it_init(&it, n);
  for (TSNode ch; ing_it_next(&it, &ch, false);) {
    if (ing_skip(ch)) continue;
    ing_list_add(&l, ing_expr(c, ch, ctx));
  }
  ing_it_done(&it);
  return ing_list_freeze(c, &l);
}

/* for_in_clause / if_clause children of a comprehension node. */
static ING_NOINLINE py_nodes ing__generators(ing_ctx *c, TSNode n) {
  ing_list gens, ifs;
  ing_list_init(&gens);
  ing_list_init(&ifs);
  py_node *cur = NULL;
  uint32_t cnt = ing_nchildren(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (ing_type_is(ch, "for_in_clause")) {
      if (cur) cur->u.comprehension.ifs = ing_list_freeze(c, &ifs);
      cur = ing_new(c, PY_COMPREHENSION, ch);
      TSNode first = ING_CHILD(ch, 0);
      cur->u.comprehension.is_async = ing_type_is(first, "async");
      TSNode left = ts_node_child_by_field_name(ch, "left", 4);
      cur->u.comprehension.target = ing_expr(c, left, PY_STORE);
      ing_set_ctx(c, cur->u.comprehension.target, PY_STORE, left);
      /* right may be several expressions (a tuple without parentheses) */
      ing_list r;
      ing_list_init(&r);
      uint32_t k = ts_node_child_count(ch);
      bool after_in = false;
      for (uint32_t j = 0; j < k; j++) {
        TSNode x = ING_CHILD(ch, j);
        if (!ts_node_is_named(x)) {
          if (ing_type_is(x, "in")) after_in = true;
          continue;
        }
        if (after_in && !ing_skip(x)) ing_list_add(&r, ing_expr(c, x, PY_LOAD));
      }
      if (r.n > 1) {
        TSNode par = ts_node_parent(ch);
        if (ing_type_is(par, "generator_expression") && c->src[ts_node_start_byte(par)] != '(')
          ing_err_node(c, ING_PRIO_PARSER, par, "Generator expression must be parenthesized");
        else
          ing_err_node(c, ING_PRIO_PARSER, ch, "invalid syntax");
      }
      if (r.n == 1) {
        cur->u.comprehension.iter = r.v[0];
        (void)ing_list_freeze(c, &r);
      } else {
        py_node *t = ing_new(c, PY_TUPLE, ch);
        t->u.list_or_tuple.elts = ing_list_freeze(c, &r);
        cur->u.comprehension.iter = t;
      }
      ing_list_add(&gens, cur);
    } else if (ing_type_is(ch, "if_clause")) {
      TSNode e = ING_NAMED(ch, 0);
      if (cur) ing_list_add(&ifs, ing_expr(c, e, PY_LOAD));
    }
  }
  if (cur) cur->u.comprehension.ifs = ing_list_freeze(c, &ifs);
  else (void)ing_list_freeze(c, &ifs);
  return ing_list_freeze(c, &gens);
}

/* Call arguments: argument_list or a bare generator_expression. */
ING_NOINLINE void ing_call_args(ing_ctx *c, TSNode al, py_nodes *args, py_nodes *kws) {
  ing_list a, k;
  ing_list_init(&a);
  ing_list_init(&k);
  if (ing_type_is(al, "generator_expression")) {
    ing_list_add(&a, ing_expr(c, al, PY_LOAD));
  } else {
    bool seen_kw = false, seen_kwsplat = false;
    ing_it it;
    ing_it_init(&it, al);
    for (TSNode ch; ing_it_next(&it, &ch, false);) {
      if (ing_skip(ch)) continue;
      if (ing_type_is(ch, "keyword_argument")) {
        py_node *kw = ing_new(c, PY_KEYWORD, ch);
        TSNode nm = ts_node_child_by_field_name(ch, "name", 4);
        kw->u.keyword.arg = ing_text(c, nm);
        kw->u.keyword.value = ing_expr(c, ts_node_child_by_field_name(ch, "value", 5), PY_LOAD);
        for (int j = 0; j < k.n; j++)
          if (k.v[j]->u.keyword.arg && strcmp(k.v[j]->u.keyword.arg, kw->u.keyword.arg) == 0)
            ing_err_node(c, ING_PRIO_COMPILE, ch, "keyword argument repeated: %s", kw->u.keyword.arg);
        ing_list_add(&k, kw);
        seen_kw = true;
      } else if (ing_type_is(ch, "dictionary_splat")) {
        py_node *kw = ing_new(c, PY_KEYWORD, ch);
        kw->u.keyword.value = ing_expr(c, ING_NAMED(ch, 0), PY_LOAD);
        ing_list_add(&k, kw);
        seen_kwsplat = true;
      } else {
        py_node *e = ing_expr(c, ch, PY_LOAD);
        if (ing_type_is(ch, "generator_expression") && c->src[ts_node_start_byte(ch)] != '(')
          ing_err_node(c, ING_PRIO_PARSER, ch, "Generator expression must be parenthesized");
        if (e->kind == PY_STARRED) {
          if (seen_kwsplat)
            ing_err_node(c, ING_PRIO_PARSER, ch, "iterable argument unpacking follows keyword argument unpacking");
        } else if (seen_kwsplat || seen_kw) {
          /* CPython points at the closing parenthesis */
          TSPoint ep = ts_node_end_point(al);
          ing_error_at(c, ING_PRIO_PARSER, "SyntaxError", (int)ep.row + 1, (int)ep.column - 1, false,
                        seen_kwsplat ? "positional argument follows keyword argument unpacking"
                                     : "positional argument follows keyword argument");
        }
        ing_list_add(&a, e);
      }
    }
    ing_it_done(&it);
  }
  *args = ing_list_freeze(c, &a);
  *kws = ing_list_freeze(c, &k);
}

static ING_NOINLINE py_node *ing__seq(ing_ctx *c, TSNode n, py_kind k, py_ctx ctx) {
  if (ing_type_is(n, "tuple_pattern") && ing_nchildren(n) == 1) {
    /* `(p)` as a target is just p */
    TSNode only = ING_NAMED(n, 0);
    bool comma = false;
    for (uint32_t i = ts_node_end_byte(only); i < ts_node_end_byte(n); i++)
      if (c->src[i] == ',') comma = true;
    if (!comma) return ing_expr(c, only, ctx);
  }
  py_node *r = ing_new(c, k, n);
  r->u.list_or_tuple.elts = ing__exprs(c, n, ctx);
  r->u.list_or_tuple.ctx = ctx;
  r->u.list_or_tuple.parenthesized = k == PY_TUPLE && c->src[ts_node_start_byte(n)] == '(';
  return r;
}

static py_node *ing__expr_inner(ing_ctx *c, TSNode n, py_ctx ctx);

py_node *ing_expr(ing_ctx *c, TSNode n, py_ctx ctx) {
  if (ts_node_is_null(n)) return NULL;
  if (++c->depth > ING_MAX_DEPTH) {
    c->depth--;
    ing_err_node(c, ING_PRIO_PARSER, n, "expression too deeply nested (CPython gives up with RecursionError)");
    return ing_new(c, PY_NONE, n);
  }
  py_node *r = ing__expr_inner(c, n, ctx);
  c->depth--;
  return r;
}

static ING_NOINLINE py_node *ing__lambda(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_LAMBDA, n);
  TSNode ps = ts_node_child_by_field_name(n, "parameters", 10);
  r->u.lambda.args = ing_params(c, ps);
  c->func_depth++;
  int saved_loop = c->loop_depth;
  c->loop_depth = 0;
  r->u.lambda.body = ing_expr(c, ts_node_child_by_field_name(n, "body", 4), PY_LOAD);
  c->loop_depth = saved_loop;
  c->func_depth--;
  return r;
}

/* tree-sitter-python 0.23.6 gives '&' a lower precedence than '^' (the
 * reverse of Python's | < ^ < &). Chains of the three bitwise operators
 * are therefore flattened in source order and rebuilt with Python's
 * precedence (all left-associative). */
static int ing__bitop_prec(TSNode op) {
  if (ts_node_is_null(op)) return 0;
  const char *o = ts_node_type(op);
  return !strcmp(o, "|") ? 1 : !strcmp(o, "^") ? 2 : !strcmp(o, "&") ? 3 : 0;
}

typedef struct {
  py_node **operands;
  int *ops;
  int (*ext)[4]; /* each operand's source extent, parentheses included */
  int nopnd, nops, cap;
} ing_chain;

static void ing__chain_push(ing_chain *ch, py_node *x, int op, const int *ext) {
  if (ch->nopnd == ch->cap || ch->nops == ch->cap) {
    ch->cap = ch->cap ? ch->cap * 2 : 16;
    ch->operands = p_xrealloc(ch->operands, sizeof(py_node *) * (size_t)ch->cap);
    ch->ops = p_xrealloc(ch->ops, sizeof(int) * (size_t)ch->cap);
    ch->ext = p_xrealloc(ch->ext, sizeof(int[4]) * (size_t)ch->cap);
  }
  if (x) {
    memcpy(ch->ext[ch->nopnd], ext, sizeof(int[4]));
    ch->operands[ch->nopnd++] = x;
  } else {
    ch->ops[ch->nops++] = op;
  }
}

static void ing__chain_collect(ing_ctx *c, TSNode n, ing_chain *ch) {
  TSNode op = ts_node_child_by_field_name(n, "operator", 8);
  if (!ing_type_is(n, "binary_operator") || !ing__bitop_prec(op) || c->depth > ING_MAX_DEPTH) {
    TSPoint sp = ts_node_start_point(n), ep = ts_node_end_point(n);
    int ext[4] = {(int)sp.row + 1, ing_ccol(c, (int)sp.row + 1, (int)sp.column), (int)ep.row + 1,
                  ing_ccol(c, (int)ep.row + 1, (int)ep.column)};
    ing__chain_push(ch, ing_expr(c, n, PY_LOAD), 0, ext);
    return;
  }
  c->depth++;
  ing__chain_collect(c, ts_node_child_by_field_name(n, "left", 4), ch);
  ing__chain_push(ch, NULL, ing__bitop_prec(op), NULL);
  ing__chain_collect(c, ts_node_child_by_field_name(n, "right", 5), ch);
  c->depth--;
}

static ING_NOINLINE py_node *ing__bitwise(ing_ctx *c, TSNode n) {
  ing_chain ch = {NULL, NULL, NULL, 0, 0, 0};
  ing__chain_collect(c, n, &ch);
  if (ch.nopnd != ch.nops + 1) {
    free(ch.operands);
    free(ch.ops);
    free(ch.ext);
    ing_err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
    return ing_new(c, PY_NONE, n);
  }
  /* shunting-yard over operands[0] op[0] operands[1] ... */
  py_node **vals = p_xmalloc(sizeof(py_node *) * (size_t)(ch.nopnd + 1));
  int (*vext)[4] = p_xmalloc(sizeof(int[4]) * (size_t)(ch.nopnd + 1));
  int *ops = p_xmalloc(sizeof(int) * (size_t)(ch.nops + 1));
  int nv = 0, no = 0;
  static const py_op kinds[4] = {PY_OP_NONE, PY_OP_BITOR, PY_OP_BITXOR, PY_OP_BITAND};
#define ING__REDUCE()                                                      \
  do {                                                                     \
    nv -= 2;                                                               \
    py_node *l_ = vals[nv], *r_ = vals[nv + 1];                            \
    py_node *b_ = ing_new(c, PY_BIN_OP, n);                               \
    b_->line = vext[nv][0]; b_->col = vext[nv][1];                         \
    b_->end_line = vext[nv + 1][2]; b_->end_col = vext[nv + 1][3];         \
    b_->u.bin_op.left = l_; b_->u.bin_op.right = r_;                       \
    b_->u.bin_op.op = kinds[ops[--no]];                                    \
    vext[nv][2] = vext[nv + 1][2]; vext[nv][3] = vext[nv + 1][3];          \
    vals[nv++] = b_;                                                       \
  } while (0)
  memcpy(vext[nv], ch.ext[0], sizeof(int[4]));
  vals[nv++] = ch.operands[0];
  for (int i = 0; i < ch.nops; i++) {
    while (no > 0 && ops[no - 1] >= ch.ops[i]) ING__REDUCE();
    ops[no++] = ch.ops[i];
    memcpy(vext[nv], ch.ext[i + 1], sizeof(int[4]));
    vals[nv++] = ch.operands[i + 1];
  }
  while (no > 0) ING__REDUCE();
#undef ING__REDUCE
  py_node *r = vals[0];
  free(vals);
  free(vext);
  free(ops);
  free(ch.operands);
  free(ch.ops);
  free(ch.ext);
  return r;
}

static py_node *ing__x_true(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_BOOL, n);
  r->u.bool_.value = true;
  return r;
}

static py_node *ing__x_not_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_UNARY_OP, n);
  r->u.unary_op.op = PY_OP_NOT;
  r->u.unary_op.operand = ing_expr(c, ts_node_child_by_field_name(n, "argument", 8), PY_LOAD);
  return r;
}

static py_node *ing__x_named_expression(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_NAMED_EXPR, n);
  r->u.named_expr.target = ing__name(c, ts_node_child_by_field_name(n, "name", 4), PY_STORE);
  r->u.named_expr.value = ing_expr(c, ts_node_child_by_field_name(n, "value", 5), PY_LOAD);
  return r;
}

static py_node *ing__x_set(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_SET, n);
  r->u.set.elts = ing__exprs(c, n, PY_LOAD);
  return r;
}

static py_node *ing__x_subscript(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_SUBSCRIPT, n);
  r->u.subscript.ctx = ctx;
  r->u.subscript.value = ing_expr(c, ts_node_child_by_field_name(n, "value", 5), PY_LOAD);
  ing_list l;
  ing_list_init(&l);
  uint32_t cnt = ts_node_child_count(n);
  bool trailing_comma = false, in_sub = false;
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_CHILD(n, i);
    if (!ts_node_is_named(ch)) {
      if (ing_type_is(ch, "[")) in_sub = true;
      if (in_sub && ing_type_is(ch, ",")) trailing_comma = true;
      continue;
    }
    if (!in_sub || ing_skip(ch)) continue;
    trailing_comma = false;
    ing_list_add(&l, ing_expr(c, ch, PY_LOAD));
  }
  if (l.n == 1 && !trailing_comma) {
    r->u.subscript.slice = l.v[0];
    (void)ing_list_freeze(c, &l);
  } else {
    py_node *tp = ing_new(c, PY_TUPLE, n);
    tp->u.list_or_tuple.elts = ing_list_freeze(c, &l);
    if (tp->u.list_or_tuple.elts.n) {
      py_node *f = tp->u.list_or_tuple.elts.v[0], *la = tp->u.list_or_tuple.elts.v[tp->u.list_or_tuple.elts.n - 1];
      tp->line = f->line; tp->col = f->col; tp->end_line = la->end_line; tp->end_col = la->end_col;
    }
    r->u.subscript.slice = tp;
  }
  return r;
}

static py_node *ing__x_slice(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_SLICE, n);
  int part = 0;
  uint32_t cnt = ts_node_child_count(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_CHILD(n, i);
    if (!ts_node_is_named(ch)) {
      if (ing_type_is(ch, ":")) part++;
      continue;
    }
    if (ing_skip(ch)) continue;
    py_node *e = ing_expr(c, ch, PY_LOAD);
    if (part == 0) r->u.slice.lower = e;
    else if (part == 1) r->u.slice.upper = e;
    else r->u.slice.step = e;
  }
  return r;
}

static py_node *ing__x_set_comprehension(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_SET_COMP, n);
  r->u.comp.elt = ing_expr(c, ts_node_child_by_field_name(n, "body", 4), PY_LOAD);
  r->u.comp.generators = ing__generators(c, n);
  return r;
}

static py_node *ing__x_parenthesized_expression(ing_ctx *c, TSNode n, py_ctx ctx) {
  TSNode in = ING_NULL_NODE;
  uint32_t cnt = ing_nchildren(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (!ing_skip(ch)) { in = ING_NAMED(n, i); break; }
  }
  if (ts_node_is_null(in)) return ing_new(c, PY_TUPLE, n);
  return ing_expr(c, in, ctx);
}

static py_node *ing__x_list_comprehension(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_LIST_COMP, n);
  r->u.comp.elt = ing_expr(c, ts_node_child_by_field_name(n, "body", 4), PY_LOAD);
  r->u.comp.generators = ing__generators(c, n);
  return r;
}

static py_node *ing__x_generator_expression(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_GENERATOR_EXP, n);
  r->u.comp.elt = ing_expr(c, ts_node_child_by_field_name(n, "body", 4), PY_LOAD);
  r->u.comp.generators = ing__generators(c, n);
  return r;
}

static py_node *ing__x_dictionary(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_DICT, n);
  ing_list k, v;
  ing_list_init(&k);
  ing_list_init(&v);
  ing_it it;
  ing_it_init(&it, n);
  for (TSNode ch; ing_it_next(&it, &ch, false);) {
    if (ing_skip(ch)) continue;
    if (ing_type_is(ch, "pair")) {
      ing_list_add(&k, ing_expr(c, ts_node_child_by_field_name(ch, "key", 3), PY_LOAD));
      ing_list_add(&v, ing_expr(c, ts_node_child_by_field_name(ch, "value", 5), PY_LOAD));
    } else if (ing_type_is(ch, "dictionary_splat")) {
      ing_list_add(&k, NULL);
      ing_list_add(&v, ing_expr(c, ING_NAMED(ch, 0), PY_LOAD));
    } else {
      ing_expr(c, ch, PY_LOAD); /* reports ERROR nodes */
    }
  }
  ing_it_done(&it);
  r->u.dict.keys = ing_list_freeze(c, &k);
  r->u.dict.values = ing_list_freeze(c, &v);
  return r;
}

static py_node *ing__x_dictionary_comprehension(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_DICT_COMP, n);
  TSNode pair = ts_node_child_by_field_name(n, "body", 4);
  r->u.comp.elt = ing_expr(c, ts_node_child_by_field_name(pair, "key", 3), PY_LOAD);
  r->u.comp.value = ing_expr(c, ts_node_child_by_field_name(pair, "value", 5), PY_LOAD);
  r->u.comp.generators = ing__generators(c, n);
  return r;
}

static py_node *ing__x_dotted_name(ing_ctx *c, TSNode n, py_ctx ctx) {
  uint32_t cnt = ing_nchildren(n);
  py_node *cur = NULL;
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (!cur) {
      cur = ing__name(c, ch, PY_LOAD);
    } else {
      py_node *a = ing_new(c, PY_ATTRIBUTE, n);
      a->end_line = (int)ts_node_end_point(ch).row + 1;
      a->end_col = ing_ccol(c, a->end_line, (int)ts_node_end_point(ch).column);
      a->u.attribute.value = cur;
      a->u.attribute.attr = ing_text(c, ch);
      cur = a;
    }
  }
  return cur;
}

static py_node *ing__x_attribute(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_ATTRIBUTE, n);
  r->u.attribute.ctx = ctx;
  r->u.attribute.value = ing_expr(c, ts_node_child_by_field_name(n, "object", 6), PY_LOAD);
  r->u.attribute.attr = ing_text(c, ts_node_child_by_field_name(n, "attribute", 9));
  return r;
}

static py_node *ing__x_await(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_AWAIT, n);
  r->u.await_.value = ing_expr(c, ING_NAMED(n, 0), PY_LOAD);
  if (c->func_depth == 0) ing_err_node(c, ING_PRIO_COMPILE, n, "'await' outside function");
  return r;
}

static py_node *ing__x_as_pattern(ing_ctx *c, TSNode n, py_ctx ctx) {
  /* only valid inside with/except, which handle it; elsewhere invalid */
  ing_err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
  return ing_expr(c, ING_NAMED(n, 0), ctx);
}

static py_node *ing__x_binary_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  if (ing__bitop_prec(ts_node_child_by_field_name(n, "operator", 8))) return ing__bitwise(c, n);
  py_node *r = ing_new(c, PY_BIN_OP, n);
  r->u.bin_op.left = ing_expr(c, ts_node_child_by_field_name(n, "left", 4), PY_LOAD);
  TSNode op = ts_node_child_by_field_name(n, "operator", 8);
  r->u.bin_op.op = ing_binop(ts_node_type(op));
  r->u.bin_op.right = ing_expr(c, ts_node_child_by_field_name(n, "right", 5), PY_LOAD);
  return r;
}

static py_node *ing__x_boolean_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_BOOL_OP, n);
  TSNode op = ts_node_child_by_field_name(n, "operator", 8);
  r->u.bool_op.op = ing_type_is(op, "and") ? PY_OP_AND : PY_OP_OR;
  ing_list l;
  ing_list_init(&l);
  py_node *left = ing_expr(c, ts_node_child_by_field_name(n, "left", 4), PY_LOAD);
  TSNode ln = ts_node_child_by_field_name(n, "left", 4);
  if (left && left->kind == PY_BOOL_OP && left->u.bool_op.op == r->u.bool_op.op && ing_type_is(ln, "boolean_operator")) {
    for (int i = 0; i < left->u.bool_op.values.n; i++) ing_list_add(&l, left->u.bool_op.values.v[i]);
  } else {
    ing_list_add(&l, left);
  }
  ing_list_add(&l, ing_expr(c, ts_node_child_by_field_name(n, "right", 5), PY_LOAD));
  r->u.bool_op.values = ing_list_freeze(c, &l);
  return r;
}

static py_node *ing__x_unary_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_UNARY_OP, n);
  TSNode op = ts_node_child_by_field_name(n, "operator", 8);
  const char *o = ts_node_type(op);
  r->u.unary_op.op = o[0] == '-' ? PY_OP_USUB : o[0] == '+' ? PY_OP_UADD : PY_OP_INVERT;
  r->u.unary_op.operand = ing_expr(c, ts_node_child_by_field_name(n, "argument", 8), PY_LOAD);
  return r;
}

static py_node *ing__x_call(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_CALL, n);
  r->u.call.func = ing_expr(c, ts_node_child_by_field_name(n, "function", 8), PY_LOAD);
  ing_call_args(c, ts_node_child_by_field_name(n, "arguments", 9), &r->u.call.args, &r->u.call.keywords);
  return r;
}

static py_node *ing__x_comparison_operator(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_COMPARE, n);
  ing_list l;
  ing_list_init(&l);
  int cap = 8, nops = 0;
  py_op *opv = p_arena_alloc(c->a, (size_t)cap * sizeof *opv);
  bool first = true, last_is = false, pending_not = false;
  ing_it it;
  ing_it_init(&it, n);
  for (TSNode ch; ing_it_next(&it, &ch, true);) {
    if (ts_node_is_named(ch)) {
      if (ing_skip(ch)) continue;
      py_node *e = ing_expr(c, ch, PY_LOAD);
      if (first) r->u.compare.left = e;
      else ing_list_add(&l, e);
      first = false;
      last_is = pending_not = false;
      continue;
    }
    /* "not in" / "is not" may come as one token or two */
    const char *ot = ts_node_type(ch);
    if (!strcmp(ot, "not")) {
      if (last_is) opv[nops - 1] = PY_OP_ISNOT;
      else pending_not = true;
      last_is = false;
      continue;
    }
    py_op op = ing__cmpop(ot);
    if (op == PY_OP_NONE) continue;
    if (op == PY_OP_IN && pending_not) op = PY_OP_NOTIN;
    pending_not = false;
    last_is = op == PY_OP_IS;
    if (nops == cap) {
      py_op *nv = p_arena_alloc(c->a, (size_t)cap * 2 * sizeof *nv);
      memcpy(nv, opv, (size_t)nops * sizeof *nv);
      opv = nv;
      cap *= 2;
    }
    opv[nops++] = op;
  }
  ing_it_done(&it);
  r->u.compare.ops = opv;
  r->u.compare.comparators = ing_list_freeze(c, &l);
  return r;
}

static py_node *ing__x_conditional_expression(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_IF_EXP, n);
  py_node *x[3] = {NULL, NULL, NULL};
  int k = 0;
  uint32_t cnt = ing_nchildren(n);
  for (uint32_t i = 0; i < cnt && k < 3; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (!ing_skip(ch)) x[k++] = ing_expr(c, ch, PY_LOAD);
  }
  r->u.if_exp.body = x[0];
  r->u.if_exp.test = x[1];
  r->u.if_exp.orelse = x[2];
  return r;
}

static py_node *ing__x_yield(ing_ctx *c, TSNode n, py_ctx ctx) {
  bool from = false;
  uint32_t cnt = ts_node_child_count(n);
  for (uint32_t i = 0; i < cnt; i++)
    if (!ts_node_is_named(ING_CHILD(n, i)) && ing_type_is(ING_CHILD(n, i), "from")) from = true;
  py_node *r = ing_new(c, from ? PY_YIELD_FROM : PY_YIELD, n);
  TSNode v = ING_NULL_NODE;
  for (uint32_t i = 0; i < ing_nchildren(n); i++)
    if (!ing_skip(ING_NAMED(n, i))) v = ING_NAMED(n, i);
  if (!ts_node_is_null(v)) r->u.yield.value = ing_expr(c, v, PY_LOAD);
  if (c->func_depth == 0) ing_err_node(c, ING_PRIO_COMPILE, n, "'yield' outside function");
  return r;
}

static py_node *ing__x_keyword_argument(ing_ctx *c, TSNode n, py_ctx ctx) {
  /* a keyword argument outside a call: `f(x=1)` is handled by calls */
  ing_err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
  return ing_new(c, PY_NONE, n);
}

/* Node types whose lowering is a line or two. */
static py_node *ing__x_identifier(ing_ctx *c, TSNode n, py_ctx ctx) { return ing__name(c, n, ctx); }

static py_node *ing__x_number(ing_ctx *c, TSNode n, py_ctx ctx) {
  return ing_number_node(c, n, ing_text(c, n), false);
}

static py_node *ing__x_false(ing_ctx *c, TSNode n, py_ctx ctx) { return ing_new(c, PY_BOOL, n); }

static py_node *ing__x_none(ing_ctx *c, TSNode n, py_ctx ctx) { return ing_new(c, PY_NONE, n); }

static py_node *ing__x_ellipsis(ing_ctx *c, TSNode n, py_ctx ctx) { return ing_new(c, PY_ELLIPSIS, n); }

static py_node *ing__x_tuple(ing_ctx *c, TSNode n, py_ctx ctx) { return ing__seq(c, n, PY_TUPLE, ctx); }

static py_node *ing__x_list(ing_ctx *c, TSNode n, py_ctx ctx) { return ing__seq(c, n, PY_LIST, ctx); }

/* A wrapper whose one named child is the expression (type, (*x), **x). */
static py_node *ing__x_inner(ing_ctx *c, TSNode n, py_ctx ctx) { return ing_expr(c, ING_NAMED(n, 0), ctx); }

static py_node *ing__x_string(ing_ctx *c, TSNode n, py_ctx ctx) { return ing_string(c, n); }

static py_node *ing__x_lambda(ing_ctx *c, TSNode n, py_ctx ctx) { return ing__lambda(c, n); }

static py_node *ing__x_starred(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_STARRED, n);
  r->u.starred.ctx = ctx;
  r->u.starred.value = ing_expr(c, ING_NAMED(n, 0), ctx);
  return r;
}

/* list[int] in an annotation */
static py_node *ing__x_generic_type(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_SUBSCRIPT, n);
  r->u.subscript.value = ing_expr(c, ING_NAMED(n, 0), PY_LOAD);
  TSNode tp = ING_NAMED(n, 1);
  ing_list l;
  ing_list_init(&l);
  for (uint32_t i = 0; !ts_node_is_null(tp) && i < ing_nchildren(tp); i++) {
    TSNode ch = ING_NAMED(tp, i);
    if (!ing_skip(ch)) ing_list_add(&l, ing_expr(c, ch, PY_LOAD));
  }
  if (l.n == 1) {
    r->u.subscript.slice = l.v[0];
    (void)ing_list_freeze(c, &l);
  } else {
    py_node *tu = ing_new(c, PY_TUPLE, ts_node_is_null(tp) ? n : tp);
    tu->u.list_or_tuple.elts = ing_list_freeze(c, &l);
    r->u.subscript.slice = tu;
  }
  return r;
}

static py_node *ing__x_union_type(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_BIN_OP, n);
  r->u.bin_op.op = PY_OP_BITOR;
  r->u.bin_op.left = ing_expr(c, ING_NAMED(n, 0), PY_LOAD);
  r->u.bin_op.right = ing_expr(c, ING_NAMED(n, 1), PY_LOAD);
  return r;
}

static py_node *ing__x_member_type(ing_ctx *c, TSNode n, py_ctx ctx) {
  py_node *r = ing_new(c, PY_ATTRIBUTE, n);
  r->u.attribute.value = ing_expr(c, ING_NAMED(n, 0), PY_LOAD);
  r->u.attribute.attr = ing_text(c, ING_NAMED(n, 1));
  return r;
}

static py_node *ing__x_print_statement(ing_ctx *c, TSNode n, py_ctx ctx) {
  ing_err_node(c, ING_PRIO_PARSER, n, "Missing parentheses in call to 'print'. Did you mean print(...)?");
  return ing_new(c, PY_NONE, n);
}

/* ------------------------------------------------------- the expression table
 * Every tree-sitter node type an expression can be, with its handler. At
 * first use the names are looked up among the grammar's symbols (aliases
 * included: every symbol of that name gets the handler), so ing_expr finds
 * a node's handler with one index by ts_node_symbol. A type not listed -
 * and ERROR - is "invalid syntax", as CPython says. */

typedef py_node *(*ing__expr_fn)(ing_ctx *c, TSNode n, py_ctx ctx);

static const struct {
  const char *type;
  ing__expr_fn fn;
} ing__expr_rules[] = {
    {"identifier", ing__x_identifier},
    {"integer", ing__x_number},
    {"float", ing__x_number},
    {"true", ing__x_true},
    {"false", ing__x_false},
    {"none", ing__x_none},
    {"ellipsis", ing__x_ellipsis},
    {"string", ing__x_string},
    {"concatenated_string", ing__x_string},
    {"tuple", ing__x_tuple},
    {"tuple_pattern", ing__x_tuple},
    {"expression_list", ing__x_tuple},
    {"pattern_list", ing__x_tuple},
    {"list", ing__x_list},
    {"list_pattern", ing__x_list},
    {"set", ing__x_set},
    {"dictionary", ing__x_dictionary},
    {"list_comprehension", ing__x_list_comprehension},
    {"set_comprehension", ing__x_set_comprehension},
    {"dictionary_comprehension", ing__x_dictionary_comprehension},
    {"generator_expression", ing__x_generator_expression},
    {"parenthesized_expression", ing__x_parenthesized_expression},
    {"type", ing__x_inner},
    {"parenthesized_list_splat", ing__x_inner},
    {"dictionary_splat_pattern", ing__x_inner},
    {"list_splat", ing__x_starred},
    {"list_splat_pattern", ing__x_starred},
    {"not_operator", ing__x_not_operator},
    {"named_expression", ing__x_named_expression},
    {"subscript", ing__x_subscript},
    {"slice", ing__x_slice},
    {"dotted_name", ing__x_dotted_name},
    {"attribute", ing__x_attribute},
    {"await", ing__x_await},
    {"as_pattern", ing__x_as_pattern},
    {"binary_operator", ing__x_binary_operator},
    {"boolean_operator", ing__x_boolean_operator},
    {"unary_operator", ing__x_unary_operator},
    {"call", ing__x_call},
    {"comparison_operator", ing__x_comparison_operator},
    {"conditional_expression", ing__x_conditional_expression},
    {"lambda", ing__x_lambda},
    {"yield", ing__x_yield},
    {"keyword_argument", ing__x_keyword_argument},
    {"generic_type", ing__x_generic_type},
    {"union_type", ing__x_union_type},
    {"member_type", ing__x_member_type},
    {"print_statement", ing__x_print_statement},
};

uint16_t *ing_symbol_index(const char *const *types, size_t stride, size_t n, uint32_t *nsymbols) {
  const TSLanguage *lang = tree_sitter_python();
  uint32_t ns = ts_language_symbol_count(lang);
  uint16_t *index = p_xcalloc(ns, sizeof *index);
  for (uint32_t s = 0; s < ns; s++) {
    const char *name = ts_language_symbol_name(lang, (TSSymbol)s);
    for (size_t i = 0; name && i < n; i++)
      if (!strcmp(name, *(const char *const *)((const char *)types + i * stride))) index[s] = (uint16_t)(i + 1);
  }
  *nsymbols = ns;
  return index;
}

static uint16_t *ing__expr_table; /* by TSSymbol: 1 + index in ing__expr_rules, 0 none */
static uint32_t ing__nsymbols;
static pthread_once_t ing__expr_once = PTHREAD_ONCE_INIT;

static void ing__expr_table_init(void) {
  ing__expr_table = ing_symbol_index(&ing__expr_rules[0].type, sizeof ing__expr_rules[0],
                                     sizeof ing__expr_rules / sizeof ing__expr_rules[0], &ing__nsymbols);
}

static py_node *ing__expr_inner(ing_ctx *c, TSNode n, py_ctx ctx) {
  pthread_once(&ing__expr_once, ing__expr_table_init);
  TSSymbol sym = ts_node_symbol(n);
  int rule = sym < ing__nsymbols ? ing__expr_table[sym] : 0;
  if (ts_node_is_missing(n) || !rule) {
    ing_err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
    return ing_new(c, PY_NONE, n);
  }
  return ing__expr_rules[rule - 1].fn(c, n, ctx);
}

/* ------------------------------------------------------------ parameters */

ING_NOINLINE py_arguments *ing_params(ing_ctx *c, TSNode ps) {
  py_arguments *a = p_arena_alloc(c->a, sizeof *a);
  if (ts_node_is_null(ps)) return a;
  ing_list all, pos, norm, kwo;
  ing_list_init(&all);
  ing_list_init(&pos);
  ing_list_init(&norm);
  ing_list_init(&kwo);
  int mode = PY_PARAM_NORMAL;
  bool seen_default = false;
  uint32_t cnt = ing_nchildren(ps);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode p = ING_NAMED(ps, i);
    const char *t = ts_node_type(p);
    if (ing_skip(p)) continue;
    if (!strcmp(t, "positional_separator")) {
      a->has_slash_marker = true;
      for (int j = 0; j < norm.n; j++) {
        norm.v[j]->u.arg.kind = PY_PARAM_POSONLY;
        ing_list_add(&pos, norm.v[j]);
      }
      norm.n = 0;
      continue;
    }
    if (!strcmp(t, "keyword_separator")) {
      a->has_star_marker = true;
      mode = PY_PARAM_KWONLY;
      continue;
    }
    py_node *arg = ing_new(c, PY_ARG, p);
    TSNode nm = p;
    int kind = mode;
    if (!strcmp(t, "typed_parameter")) {
      nm = ING_NAMED(p, 0);
      arg->u.arg.annotation = ing_expr(c, ts_node_child_by_field_name(p, "type", 4), PY_LOAD);
    } else if (!strcmp(t, "default_parameter") || !strcmp(t, "typed_default_parameter")) {
      nm = ts_node_child_by_field_name(p, "name", 4);
      TSNode ty = ts_node_child_by_field_name(p, "type", 4);
      if (!ts_node_is_null(ty)) arg->u.arg.annotation = ing_expr(c, ty, PY_LOAD);
      arg->u.arg.default_ = ing_expr(c, ts_node_child_by_field_name(p, "value", 5), PY_LOAD);
    }
    if (ing_type_is(nm, "list_splat_pattern")) {
      kind = PY_PARAM_VARARG;
      nm = ING_NAMED(nm, 0);
      mode = PY_PARAM_KWONLY;
    } else if (ing_type_is(nm, "dictionary_splat_pattern")) {
      kind = PY_PARAM_KWARG;
      nm = ING_NAMED(nm, 0);
    }
    if (ts_node_is_null(nm) || !ing_type_is(nm, "identifier")) {
      ing_err_node(c, ING_PRIO_PARSER, p, "invalid syntax");
      continue;
    }
    arg->u.arg.name = ing_text(c, nm);
    arg->u.arg.kind = (py_param_kind)kind;
    for (int j = 0; j < all.n; j++)
      if (strcmp(all.v[j]->u.arg.name, arg->u.arg.name) == 0)
        ing_err_node(c, ING_PRIO_COMPILE, nm, "duplicate argument '%s' in function definition", arg->u.arg.name);
    if (kind == PY_PARAM_NORMAL) {
      if (arg->u.arg.default_) seen_default = true;
      else if (seen_default)
        ing_err_node(c, ING_PRIO_PARSER, p, "non-default argument follows default argument");
      ing_list_add(&norm, arg);
    } else if (kind == PY_PARAM_KWONLY) {
      ing_list_add(&kwo, arg);
    } else if (kind == PY_PARAM_VARARG) {
      a->vararg = arg;
    } else {
      a->kwarg = arg;
    }
    ing_list_add(&all, arg);
  }
  /* posonly args were moved when '/' came; fix the `all` order kinds */
  a->posonly = ing_list_freeze(c, &pos);
  a->args = ing_list_freeze(c, &norm);
  a->kwonly = ing_list_freeze(c, &kwo);
  a->all = ing_list_freeze(c, &all);
  if (a->has_star_marker && a->kwonly.n == 0 && !a->vararg) {
    TSNode at = ps;
    for (uint32_t i = 0; i < cnt; i++)
      if (ing_type_is(ING_NAMED(ps, i), "keyword_separator")) at = ING_NAMED(ps, i);
    ing_err_node(c, ING_PRIO_PARSER, at, "named arguments must follow bare *");
  }
  return a;
}

/* ------------------------------------------------------------ patterns */

static ING_NOINLINE py_node *ing__pattern_value(ing_ctx *c, TSNode n) {
  const char *t = ts_node_type(n);
  if (!strcmp(t, "integer") || !strcmp(t, "float")) {
    const char *txt = ing_text(c, n);
    TSNode prev = ts_node_prev_sibling(n);
    bool minus_tok = !ts_node_is_null(prev) && !ts_node_is_named(prev) && ing_type_is(prev, "-") &&
                     !ing_type_is(ts_node_parent(n), "complex_pattern");
    if (minus_tok) txt = p_arena_printf(c->a, "-%s", txt);
    if (txt[0] == '-') {
      py_node *u = ing_new(c, minus_tok ? PY_UNARY_OP : PY_UNARY_OP, minus_tok ? prev : n);
      u->end_line = (int)ts_node_end_point(n).row + 1;
      u->end_col = ing_ccol(c, u->end_line, (int)ts_node_end_point(n).column);
      u->u.unary_op.op = PY_OP_USUB;
      u->u.unary_op.operand = ing_number_node(c, n, txt + 1, false);
      if (!minus_tok) u->u.unary_op.operand->col++;
      return u;
    }
    return ing_number_node(c, n, txt, false);
  }
  if (!strcmp(t, "complex_pattern")) {
    /* [-]real (+|-) imag */
    py_node *b = ing_new(c, PY_BIN_OP, n);
    uint32_t cnt = ts_node_child_count(n);
    py_node *l = NULL, *r = NULL;
    bool neg_first = false;
    for (uint32_t i = 0; i < cnt; i++) {
      TSNode ch = ING_CHILD(n, i);
      if (!ts_node_is_named(ch)) {
        if (ing_type_is(ch, "-")) {
          if (!l) neg_first = true;
          else b->u.bin_op.op = PY_OP_SUB;
        } else if (ing_type_is(ch, "+")) {
          b->u.bin_op.op = PY_OP_ADD;
        }
        continue;
      }
      py_node *v = ing__pattern_value(c, ch);
      if (!l) {
        if (neg_first) {
          py_node *u = ing_new(c, PY_UNARY_OP, n);
          u->u.unary_op.op = PY_OP_USUB;
          u->u.unary_op.operand = v;
          v = u;
        }
        l = v;
      } else {
        r = v;
      }
    }
    if (b->u.bin_op.op == PY_OP_NONE) b->u.bin_op.op = PY_OP_ADD;
    b->u.bin_op.left = l;
    b->u.bin_op.right = r;
    return b;
  }
  return ing_expr(c, n, PY_LOAD);
}

/* A case_pattern wraps one pattern, or is a '-' number handled below. */
static py_node *ing__p_case(ing_ctx *c, TSNode n) {
  uint32_t cnt = ing_nchildren(n);
  TSNode only = ING_NULL_NODE;
  for (uint32_t i = 0; i < cnt; i++)
    if (!ing_skip(ING_NAMED(n, i))) only = ING_NAMED(n, i);
  if (ts_node_is_null(only)) return ing_new(c, PY_MATCH_AS, n); /* the wildcard `_` is an anonymous token */
  return ing_pattern(c, only);
}

static py_node *ing__p_as(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_MATCH_AS, n);
  r->u.match_as.pattern = ing_pattern(c, ING_NAMED(n, 0));
  TSNode al = ING_NAMED(n, ing_nchildren(n) - 1);
  if (ing_type_is(al, "as_pattern_target")) al = ING_NAMED(al, 0);
  const char *nm = ing_text(c, al);
  r->u.match_as.name = strcmp(nm, "_") == 0 ? NULL : nm;
  if (!r->u.match_as.name) ing_err_node(c, ING_PRIO_PARSER, al, "cannot use '_' as a target");
  return r;
}

static py_node *ing__p_union(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_MATCH_OR, n);
  ing_list l;
  ing_list_init(&l);
  uint32_t cnt = ts_node_child_count(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_CHILD(n, i);
    if (!ts_node_is_named(ch)) {
      if (ing_type_is(ch, "_")) ing_list_add(&l, ing_new(c, PY_MATCH_AS, ch));
      continue;
    }
    if (ing_skip(ch)) continue;
    py_node *p = ing_pattern(c, ch);
    if (p->kind == PY_MATCH_OR)
      for (int j = 0; j < p->u.match_seq.patterns.n; j++) ing_list_add(&l, p->u.match_seq.patterns.v[j]);
    else
      ing_list_add(&l, p);
  }
  r->u.match_seq.patterns = ing_list_freeze(c, &l);
  return r;
}

static py_node *ing__p_list(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_MATCH_SEQUENCE, n);
  ing_list l;
  ing_list_init(&l);
  uint32_t cnt = ing_nchildren(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (!ing_skip(ch)) ing_list_add(&l, ing_pattern(c, ch));
  }
  r->u.match_seq.patterns = ing_list_freeze(c, &l);
  /* (p) alone is just p */
  if (ing_type_is(n, "tuple_pattern") && r->u.match_seq.patterns.n == 1) {
    uint32_t e = ts_node_end_byte(n);
    bool comma = false;
    for (uint32_t i = ts_node_end_byte(ING_NAMED(n, ing_nchildren(n) - 1)); i < e; i++)
      if (c->src[i] == ',') comma = true;
    if (!comma) r = r->u.match_seq.patterns.v[0];
  }
  return r;
}

static py_node *ing__p_splat(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_MATCH_STAR, n);
  TSNode id = ING_NAMED(n, 0);
  if (!ts_node_is_null(id)) {
    const char *nm = ing_text(c, id);
    r->u.match_star.name = strcmp(nm, "_") == 0 ? NULL : nm;
  }
  return r;
}

static py_node *ing__p_dict(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_MATCH_MAPPING, n);
  ing_list k, v;
  ing_list_init(&k);
  ing_list_init(&v);
  TSTreeCursor cur = ts_tree_cursor_new(n);
  bool more = ts_tree_cursor_goto_first_child(&cur);
  for (; more; more = ts_tree_cursor_goto_next_sibling(&cur)) {
    TSNode ch = ts_tree_cursor_current_node(&cur);
    const char *fn = ts_tree_cursor_current_field_name(&cur);
    if (!ts_node_is_named(ch) || ing_skip(ch)) continue;
    if (ing_type_is(ch, "splat_pattern")) {
      TSNode id = ING_NAMED(ch, 0);
      if (!ts_node_is_null(id)) r->u.match_mapping.rest = ing_text(c, id);
    } else if (fn && !strcmp(fn, "key")) {
      ing_list_add(&k, ing__pattern_value(c, ch));
    } else if (fn && !strcmp(fn, "value")) {
      ing_list_add(&v, ing_pattern(c, ch));
    }
  }
  ts_tree_cursor_delete(&cur);
  r->u.match_mapping.keys = ing_list_freeze(c, &k);
  r->u.match_mapping.patterns = ing_list_freeze(c, &v);
  return r;
}

static py_node *ing__p_class(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_MATCH_CLASS, n);
  ing_list p, kp;
  ing_list_init(&p);
  ing_list_init(&kp);
  int nkw = 0;
  const char **kws = p_arena_alloc(c->a, sizeof(char *) * (ing_nchildren(n) + 1));
  uint32_t cnt = ing_nchildren(n);
  for (uint32_t i = 0; i < cnt; i++) {
    TSNode ch = ING_NAMED(n, i);
    if (ing_skip(ch)) continue;
    if (i == 0 && ing_type_is(ch, "dotted_name")) {
      r->u.match_class.cls = ing_expr(c, ch, PY_LOAD);
      continue;
    }
    TSNode in = ch;
    if (ing_type_is(ch, "case_pattern") && ing_nchildren(ch) == 1 &&
        ing_type_is(ING_NAMED(ch, 0), "keyword_pattern"))
      in = ING_NAMED(ch, 0);
    if (ing_type_is(in, "keyword_pattern")) {
      kws[nkw++] = ing_text(c, ING_NAMED(in, 0));
      TSNode pv = ING_NAMED(in, 1);
      ing_list_add(&kp, ing_pattern(c, pv));
    } else {
      if (nkw) ing_err_node(c, ING_PRIO_PARSER, ch, "positional patterns follow keyword patterns");
      ing_list_add(&p, ing_pattern(c, ch));
    }
  }
  r->u.match_class.patterns = ing_list_freeze(c, &p);
  r->u.match_class.kwd_patterns = ing_list_freeze(c, &kp);
  r->u.match_class.kwd_attrs.v = kws;
  r->u.match_class.kwd_attrs.n = nkw;
  return r;
}

static py_node *ing__p_dotted_name(ing_ctx *c, TSNode n) {
  py_node *r;
  if (ing_nchildren(n) == 1) {
    const char *nm = ing_text(c, n);
    r = ing_new(c, PY_MATCH_AS, n);
    r->u.match_as.name = strcmp(nm, "_") == 0 ? NULL : nm;
  } else {
    r = ing_new(c, PY_MATCH_VALUE, n);
    r->u.match_value.value = ing_expr(c, n, PY_LOAD);
  }
  return r;
}

static py_node *ing__p_identifier(ing_ctx *c, TSNode n) {
  const char *nm = ing_text(c, n);
  py_node *r = ing_new(c, PY_MATCH_AS, n);
  r->u.match_as.name = strcmp(nm, "_") == 0 ? NULL : nm;
  return r;
}

static py_node *ing__p_singleton(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_MATCH_SINGLETON, n);
  r->u.match_value.value = ing_expr(c, n, PY_LOAD);
  return r;
}

static py_node *ing__p_keyword(ing_ctx *c, TSNode n) {
  ing_err_node(c, ING_PRIO_PARSER, n, "invalid syntax");
  return ing_new(c, PY_MATCH_AS, n);
}

/* any other node: a value pattern (a literal, a dotted name's value) */
static py_node *ing__p_value(ing_ctx *c, TSNode n) {
  py_node *r = ing_new(c, PY_MATCH_VALUE, n);
  r->u.match_value.value = ing__pattern_value(c, n);
  py_node *v = r->u.match_value.value;
  r->line = v->line;
  r->col = v->col;
  return r;
}

/* The pattern table: a type not listed is a value pattern (ing__p_value). */
typedef py_node *(*ing__pattern_fn)(ing_ctx *c, TSNode n);

static const struct {
  const char *type;
  ing__pattern_fn fn;
} ing__pattern_rules[] = {
    {"case_pattern", ing__p_case},
    {"as_pattern", ing__p_as},
    {"union_pattern", ing__p_union},
    {"list_pattern", ing__p_list},
    {"tuple_pattern", ing__p_list},
    {"splat_pattern", ing__p_splat},
    {"dict_pattern", ing__p_dict},
    {"class_pattern", ing__p_class},
    {"dotted_name", ing__p_dotted_name},
    {"identifier", ing__p_identifier},
    {"true", ing__p_singleton},
    {"false", ing__p_singleton},
    {"none", ing__p_singleton},
    {"keyword_pattern", ing__p_keyword},
};

static uint16_t *ing__pattern_table; /* by TSSymbol: 1 + index in ing__pattern_rules, 0 none */
static uint32_t ing__pattern_nsymbols;
static pthread_once_t ing__pattern_once = PTHREAD_ONCE_INIT;

static void ing__pattern_table_init(void) {
  ing__pattern_table = ing_symbol_index(&ing__pattern_rules[0].type, sizeof ing__pattern_rules[0],
                                        sizeof ing__pattern_rules / sizeof ing__pattern_rules[0],
                                        &ing__pattern_nsymbols);
}

ING_NOINLINE py_node *ing_pattern(ing_ctx *c, TSNode n) {
  if (++c->depth > ING_MAX_DEPTH) {
    c->depth--;
    ing_err_node(c, ING_PRIO_PARSER, n, "pattern too deeply nested");
    return ing_new(c, PY_MATCH_AS, n);
  }
  pthread_once(&ing__pattern_once, ing__pattern_table_init);
  TSSymbol sym = ts_node_symbol(n);
  int rule = sym < ing__pattern_nsymbols ? ing__pattern_table[sym] : 0;
  py_node *r = rule ? ing__pattern_rules[rule - 1].fn(c, n) : ing__p_value(c, n);
  c->depth--;
  return r;
}

