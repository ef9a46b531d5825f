/*
 * ast.c - names, traversal and the S-expression dump of the Python AST.
 *
 * The AST itself is plain data (ast.h); this file holds what every reader
 * of it shares: the stable names of kinds and operators, a child visitor
 * (so Analysis walks every field without repeating the per-kind switch) and
 * py_ast_dump, whose output the golden tests compare byte for byte. The
 * dump is CPython-flavoured: `(Kind @line:col field...)` with identifiers
 * bare, strings quoted with C escapes, and empty fields left out.
 */
#include "ast.h"

#include <stdio.h>
#include <string.h>

static const char *const py__kind_names[PY__KIND_COUNT] = {
    [PY_MODULE] = "Module",
    [PY_FUNCTION_DEF] = "FunctionDef", [PY_CLASS_DEF] = "ClassDef", [PY_RETURN] = "Return",
    [PY_DELETE] = "Delete", [PY_ASSIGN] = "Assign", [PY_AUG_ASSIGN] = "AugAssign",
    [PY_ANN_ASSIGN] = "AnnAssign", [PY_FOR] = "For", [PY_WHILE] = "While", [PY_IF] = "If",
    [PY_WITH] = "With", [PY_MATCH] = "Match", [PY_RAISE] = "Raise", [PY_TRY] = "Try",
    [PY_ASSERT] = "Assert", [PY_IMPORT] = "Import", [PY_IMPORT_FROM] = "ImportFrom",
    [PY_GLOBAL] = "Global", [PY_NONLOCAL] = "Nonlocal", [PY_EXPR] = "Expr", [PY_PASS] = "Pass",
    [PY_BREAK] = "Break", [PY_CONTINUE] = "Continue",
    [PY_BOOL_OP] = "BoolOp", [PY_NAMED_EXPR] = "NamedExpr", [PY_BIN_OP] = "BinOp",
    [PY_UNARY_OP] = "UnaryOp", [PY_LAMBDA] = "Lambda", [PY_IF_EXP] = "IfExp", [PY_DICT] = "Dict",
    [PY_SET] = "Set", [PY_LIST_COMP] = "ListComp", [PY_SET_COMP] = "SetComp",
    [PY_DICT_COMP] = "DictComp", [PY_GENERATOR_EXP] = "GeneratorExp", [PY_AWAIT] = "Await",
    [PY_YIELD] = "Yield", [PY_YIELD_FROM] = "YieldFrom", [PY_COMPARE] = "Compare",
    [PY_CALL] = "Call", [PY_FORMATTED_VALUE] = "FormattedValue", [PY_JOINED_STR] = "JoinedStr",
    [PY_INT] = "Int", [PY_FLOAT] = "Float", [PY_IMAG] = "Imag", [PY_STR] = "Str",
    [PY_BYTES] = "Bytes", [PY_BOOL] = "Bool", [PY_NONE] = "None", [PY_ELLIPSIS] = "Ellipsis",
    [PY_ATTRIBUTE] = "Attribute", [PY_SUBSCRIPT] = "Subscript", [PY_STARRED] = "Starred",
    [PY_NAME] = "Name", [PY_LIST] = "List", [PY_TUPLE] = "Tuple", [PY_SLICE] = "Slice",
    [PY_ARG] = "arg", [PY_KEYWORD] = "keyword", [PY_ALIAS] = "alias", [PY_WITH_ITEM] = "withitem",
    [PY_COMPREHENSION] = "comprehension", [PY_EXCEPT_HANDLER] = "ExceptHandler",
    [PY_MATCH_CASE] = "match_case", [PY_MATCH_VALUE] = "MatchValue",
    [PY_MATCH_SINGLETON] = "MatchSingleton", [PY_MATCH_SEQUENCE] = "MatchSequence",
    [PY_MATCH_MAPPING] = "MatchMapping", [PY_MATCH_CLASS] = "MatchClass",
    [PY_MATCH_STAR] = "MatchStar", [PY_MATCH_AS] = "MatchAs", [PY_MATCH_OR] = "MatchOr",
};

static const struct { const char *str, *name; } py__ops[PY__OP_COUNT] = {
    [PY_OP_NONE] = {"?", "?"},
    [PY_OP_ADD] = {"+", "Add"}, [PY_OP_SUB] = {"-", "Sub"}, [PY_OP_MULT] = {"*", "Mult"},
    [PY_OP_MATMULT] = {"@", "MatMult"}, [PY_OP_DIV] = {"/", "Div"}, [PY_OP_MOD] = {"%", "Mod"},
    [PY_OP_POW] = {"**", "Pow"}, [PY_OP_LSHIFT] = {"<<", "LShift"},
    [PY_OP_RSHIFT] = {">>", "RShift"}, [PY_OP_BITOR] = {"|", "BitOr"},
    [PY_OP_BITXOR] = {"^", "BitXor"}, [PY_OP_BITAND] = {"&", "BitAnd"},
    [PY_OP_FLOORDIV] = {"//", "FloorDiv"}, [PY_OP_INVERT] = {"~", "Invert"},
    [PY_OP_NOT] = {"not", "Not"}, [PY_OP_UADD] = {"+", "UAdd"}, [PY_OP_USUB] = {"-", "USub"},
    [PY_OP_AND] = {"and", "And"}, [PY_OP_OR] = {"or", "Or"}, [PY_OP_EQ] = {"==", "Eq"},
    [PY_OP_NOTEQ] = {"!=", "NotEq"}, [PY_OP_LT] = {"<", "Lt"}, [PY_OP_LTE] = {"<=", "LtE"},
    [PY_OP_GT] = {">", "Gt"}, [PY_OP_GTE] = {">=", "GtE"}, [PY_OP_IS] = {"is", "Is"},
    [PY_OP_ISNOT] = {"is not", "IsNot"}, [PY_OP_IN] = {"in", "In"},
    [PY_OP_NOTIN] = {"not in", "NotIn"},
};

const char *py_kind_name(py_kind k) {
  return (unsigned)k < PY__KIND_COUNT && py__kind_names[k] ? py__kind_names[k] : "?";
}
const char *py_op_str(py_op op) { return (unsigned)op < PY__OP_COUNT ? py__ops[op].str : "?"; }
const char *py_op_name(py_op op) { return (unsigned)op < PY__OP_COUNT ? py__ops[op].name : "?"; }

bool py_is_stmt(py_kind k) { return k >= PY_FUNCTION_DEF && k <= PY_CONTINUE; }
bool py_is_expr(py_kind k) { return k >= PY_BOOL_OP && k <= PY_SLICE; }
bool py_is_pattern(py_kind k) { return k >= PY_MATCH_VALUE && k <= PY_MATCH_OR; }

/* ------------------------------------------------------------ children */

#define PY__V(x) do { if ((x)) { int r__ = fn((py_node *)(x), ctx); if (r__) return r__; } } while (0)
#define PY__VS(l) do { for (int i__ = 0; i__ < (l).n; i__++) PY__V((l).v[i__]); } while (0)

static int py__args_children(const py_arguments *a, int (*fn)(py_node *, void *), void *ctx) {
  if (!a) return 0;
  PY__VS(a->all);
  return 0;
}

int py_node_children(const py_node *n, int (*fn)(py_node *child, void *ctx), void *ctx) {
  if (!n) return 0;
  int r;
  switch (n->kind) {
  case PY_MODULE: PY__VS(n->u.module.body); break;
  case PY_FUNCTION_DEF:
    PY__VS(n->u.function_def.decorators);
    if ((r = py__args_children(n->u.function_def.args, fn, ctx))) return r;
    PY__V(n->u.function_def.returns);
    PY__VS(n->u.function_def.body);
    break;
  case PY_CLASS_DEF:
    PY__VS(n->u.class_def.decorators);
    PY__VS(n->u.class_def.bases);
    PY__VS(n->u.class_def.keywords);
    PY__VS(n->u.class_def.body);
    break;
  case PY_RETURN: PY__V(n->u.return_.value); break;
  case PY_DELETE: PY__VS(n->u.delete_.targets); break;
  case PY_ASSIGN: PY__VS(n->u.assign.targets); PY__V(n->u.assign.value); break;
  case PY_AUG_ASSIGN: PY__V(n->u.aug_assign.target); PY__V(n->u.aug_assign.value); break;
  case PY_ANN_ASSIGN:
    PY__V(n->u.ann_assign.target); PY__V(n->u.ann_assign.annotation); PY__V(n->u.ann_assign.value);
    break;
  case PY_FOR:
    PY__V(n->u.for_.target); PY__V(n->u.for_.iter); PY__VS(n->u.for_.body); PY__VS(n->u.for_.orelse);
    break;
  case PY_WHILE: PY__V(n->u.while_.test); PY__VS(n->u.while_.body); PY__VS(n->u.while_.orelse); break;
  case PY_IF: PY__V(n->u.if_.test); PY__VS(n->u.if_.body); PY__VS(n->u.if_.orelse); break;
  case PY_WITH: PY__VS(n->u.with.items); PY__VS(n->u.with.body); break;
  case PY_MATCH: PY__V(n->u.match.subject); PY__VS(n->u.match.cases); break;
  case PY_RAISE: PY__V(n->u.raise.exc); PY__V(n->u.raise.cause); break;
  case PY_TRY:
    PY__VS(n->u.try_.body); PY__VS(n->u.try_.handlers); PY__VS(n->u.try_.orelse);
    PY__VS(n->u.try_.finalbody);
    break;
  case PY_ASSERT: PY__V(n->u.assert_.test); PY__V(n->u.assert_.msg); break;
  case PY_IMPORT: PY__VS(n->u.import.names); break;
  case PY_IMPORT_FROM: PY__VS(n->u.import_from.names); break;
  case PY_EXPR: PY__V(n->u.expr.value); break;
  case PY_BOOL_OP: PY__VS(n->u.bool_op.values); break;
  case PY_NAMED_EXPR: PY__V(n->u.named_expr.target); PY__V(n->u.named_expr.value); break;
  case PY_BIN_OP: PY__V(n->u.bin_op.left); PY__V(n->u.bin_op.right); break;
  case PY_UNARY_OP: PY__V(n->u.unary_op.operand); break;
  case PY_LAMBDA:
    if ((r = py__args_children(n->u.lambda.args, fn, ctx))) return r;
    PY__V(n->u.lambda.body);
    break;
  case PY_IF_EXP: PY__V(n->u.if_exp.test); PY__V(n->u.if_exp.body); PY__V(n->u.if_exp.orelse); break;
  case PY_DICT:
    for (int i = 0; i < n->u.dict.values.n; i++) {
      PY__V(n->u.dict.keys.v[i]);
      PY__V(n->u.dict.values.v[i]);
    }
    break;
  case PY_SET: PY__VS(n->u.set.elts); break;
  case PY_LIST_COMP: case PY_SET_COMP: case PY_GENERATOR_EXP: case PY_DICT_COMP:
    /* source order: the element comes first, but it is evaluated last */
    PY__V(n->u.comp.elt); PY__V(n->u.comp.value); PY__VS(n->u.comp.generators);
    break;
  case PY_AWAIT: PY__V(n->u.await_.value); break;
  case PY_YIELD: case PY_YIELD_FROM: PY__V(n->u.yield.value); break;
  case PY_COMPARE: PY__V(n->u.compare.left); PY__VS(n->u.compare.comparators); break;
  case PY_CALL: PY__V(n->u.call.func); PY__VS(n->u.call.args); PY__VS(n->u.call.keywords); break;
  case PY_FORMATTED_VALUE: PY__V(n->u.formatted_value.value); PY__V(n->u.formatted_value.format_spec); break;
  case PY_JOINED_STR: PY__VS(n->u.joined_str.values); break;
  case PY_ATTRIBUTE: PY__V(n->u.attribute.value); break;
  case PY_SUBSCRIPT: PY__V(n->u.subscript.value); PY__V(n->u.subscript.slice); break;
  case PY_STARRED: PY__V(n->u.starred.value); break;
  case PY_LIST: case PY_TUPLE: PY__VS(n->u.list_or_tuple.elts); break;
  case PY_SLICE: PY__V(n->u.slice.lower); PY__V(n->u.slice.upper); PY__V(n->u.slice.step); break;
  case PY_ARG: PY__V(n->u.arg.annotation); PY__V(n->u.arg.default_); break;
  case PY_KEYWORD: PY__V(n->u.keyword.value); break;
  case PY_WITH_ITEM: PY__V(n->u.with_item.context_expr); PY__V(n->u.with_item.optional_vars); break;
  case PY_COMPREHENSION:
    PY__V(n->u.comprehension.target); PY__V(n->u.comprehension.iter); PY__VS(n->u.comprehension.ifs);
    break;
  case PY_EXCEPT_HANDLER: PY__V(n->u.except_handler.type); PY__VS(n->u.except_handler.body); break;
  case PY_MATCH_CASE:
    PY__V(n->u.match_case.pattern); PY__V(n->u.match_case.guard); PY__VS(n->u.match_case.body);
    break;
  case PY_MATCH_VALUE: case PY_MATCH_SINGLETON: PY__V(n->u.match_value.value); break;
  case PY_MATCH_SEQUENCE: case PY_MATCH_OR: PY__VS(n->u.match_seq.patterns); break;
  case PY_MATCH_MAPPING: PY__VS(n->u.match_mapping.keys); PY__VS(n->u.match_mapping.patterns); break;
  case PY_MATCH_CLASS:
    PY__V(n->u.match_class.cls); PY__VS(n->u.match_class.patterns); PY__VS(n->u.match_class.kwd_patterns);
    break;
  case PY_MATCH_AS: PY__V(n->u.match_as.pattern); break;
  default: break;
  }
  return 0;
}

/* ---------------------------------------------------------------- dump */

typedef struct {
  p_buf *out;
  bool pos;
} py__dumper;

static void py__dump(py__dumper *d, const py_node *n);

static void py__qstr(p_buf *b, const char *s, size_t len) { p_buf_quote(b, s, len, P_QUOTE_C); }

static void py__field(py__dumper *d, const char *name, const py_node *n) {
  if (!n) return;
  p_buf_printf(d->out, " (%s ", name);
  py__dump(d, n);
  p_buf_putc(d->out, ')');
}

static void py__fields(py__dumper *d, const char *name, py_nodes l) {
  if (l.n == 0) return;
  p_buf_printf(d->out, " (%s", name);
  for (int i = 0; i < l.n; i++) {
    p_buf_putc(d->out, ' ');
    py__dump(d, l.v[i]);
  }
  p_buf_putc(d->out, ')');
}

static void py__ident(py__dumper *d, const char *name, const char *v) {
  if (v) p_buf_printf(d->out, " (%s %s)", name, v);
}

static void py__names(py__dumper *d, const char *name, py_names l) {
  if (l.n == 0) return;
  p_buf_printf(d->out, " (%s", name);
  for (int i = 0; i < l.n; i++) p_buf_printf(d->out, " %s", l.v[i]);
  p_buf_putc(d->out, ')');
}

static const char *py__ctx(py_ctx c) { return c == PY_STORE ? " store" : c == PY_DEL ? " del" : ""; }

static void py__args(py__dumper *d, const py_arguments *a) {
  if (!a || a->all.n == 0) return;
  py__fields(d, "args", a->all);
}

static void py__dump(py__dumper *d, const py_node *n) {
  p_buf *b = d->out;
  if (!n) {
    p_buf_puts(b, "nil");
    return;
  }
  p_buf_printf(b, "(%s", py_kind_name(n->kind));
  if (d->pos) p_buf_printf(b, " @%d:%d", n->line, n->col);
  switch (n->kind) {
  case PY_MODULE:
    if (n->u.module.docstring) p_buf_puts(b, " docstring");
    py__fields(d, "body", n->u.module.body);
    break;
  case PY_FUNCTION_DEF:
    p_buf_printf(b, " %s%s", n->u.function_def.name, n->u.function_def.is_async ? " async" : "");
    if (n->u.function_def.docstring) p_buf_puts(b, " docstring");
    py__fields(d, "decorators", n->u.function_def.decorators);
    py__args(d, n->u.function_def.args);
    py__field(d, "returns", n->u.function_def.returns);
    py__fields(d, "body", n->u.function_def.body);
    break;
  case PY_CLASS_DEF:
    p_buf_printf(b, " %s", n->u.class_def.name);
    if (n->u.class_def.docstring) p_buf_puts(b, " docstring");
    py__fields(d, "decorators", n->u.class_def.decorators);
    py__fields(d, "bases", n->u.class_def.bases);
    py__fields(d, "keywords", n->u.class_def.keywords);
    py__fields(d, "body", n->u.class_def.body);
    break;
  case PY_RETURN: if (n->u.return_.value) { p_buf_putc(b, ' '); py__dump(d, n->u.return_.value); } break;
  case PY_DELETE: py__fields(d, "targets", n->u.delete_.targets); break;
  case PY_ASSIGN: py__fields(d, "targets", n->u.assign.targets); py__field(d, "value", n->u.assign.value); break;
  case PY_AUG_ASSIGN:
    p_buf_printf(b, " %s", py_op_name(n->u.aug_assign.op));
    py__field(d, "target", n->u.aug_assign.target);
    py__field(d, "value", n->u.aug_assign.value);
    break;
  case PY_ANN_ASSIGN:
    if (n->u.ann_assign.simple) p_buf_puts(b, " simple");
    py__field(d, "target", n->u.ann_assign.target);
    py__field(d, "annotation", n->u.ann_assign.annotation);
    py__field(d, "value", n->u.ann_assign.value);
    break;
  case PY_FOR:
    if (n->u.for_.is_async) p_buf_puts(b, " async");
    py__field(d, "target", n->u.for_.target);
    py__field(d, "iter", n->u.for_.iter);
    py__fields(d, "body", n->u.for_.body);
    py__fields(d, "orelse", n->u.for_.orelse);
    break;
  case PY_WHILE: case PY_IF:
    py__field(d, "test", n->u.if_.test);
    py__fields(d, "body", n->u.if_.body);
    py__fields(d, "orelse", n->u.if_.orelse);
    break;
  case PY_WITH:
    if (n->u.with.is_async) p_buf_puts(b, " async");
    py__fields(d, "items", n->u.with.items);
    py__fields(d, "body", n->u.with.body);
    break;
  case PY_MATCH: py__field(d, "subject", n->u.match.subject); py__fields(d, "cases", n->u.match.cases); break;
  case PY_RAISE: py__field(d, "exc", n->u.raise.exc); py__field(d, "cause", n->u.raise.cause); break;
  case PY_TRY:
    if (n->u.try_.is_star) p_buf_puts(b, " star");
    py__fields(d, "body", n->u.try_.body);
    py__fields(d, "handlers", n->u.try_.handlers);
    py__fields(d, "orelse", n->u.try_.orelse);
    py__fields(d, "finalbody", n->u.try_.finalbody);
    break;
  case PY_ASSERT: py__field(d, "test", n->u.assert_.test); py__field(d, "msg", n->u.assert_.msg); break;
  case PY_IMPORT: py__fields(d, "names", n->u.import.names); break;
  case PY_IMPORT_FROM:
    p_buf_printf(b, " %s", n->u.import_from.module ? n->u.import_from.module : "-");
    if (n->u.import_from.level) p_buf_printf(b, " (level %d)", n->u.import_from.level);
    py__fields(d, "names", n->u.import_from.names);
    break;
  case PY_GLOBAL: case PY_NONLOCAL: py__names(d, "names", n->u.global.names); break;
  case PY_EXPR: p_buf_putc(b, ' '); py__dump(d, n->u.expr.value); break;
  case PY_BOOL_OP: p_buf_printf(b, " %s", py_op_name(n->u.bool_op.op)); py__fields(d, "values", n->u.bool_op.values); break;
  case PY_NAMED_EXPR: py__field(d, "target", n->u.named_expr.target); py__field(d, "value", n->u.named_expr.value); break;
  case PY_BIN_OP:
    p_buf_printf(b, " %s ", py_op_name(n->u.bin_op.op));
    py__dump(d, n->u.bin_op.left);
    p_buf_putc(b, ' ');
    py__dump(d, n->u.bin_op.right);
    break;
  case PY_UNARY_OP: p_buf_printf(b, " %s ", py_op_name(n->u.unary_op.op)); py__dump(d, n->u.unary_op.operand); break;
  case PY_LAMBDA: py__args(d, n->u.lambda.args); py__field(d, "body", n->u.lambda.body); break;
  case PY_IF_EXP:
    py__field(d, "test", n->u.if_exp.test); py__field(d, "body", n->u.if_exp.body);
    py__field(d, "orelse", n->u.if_exp.orelse);
    break;
  case PY_DICT:
    for (int i = 0; i < n->u.dict.values.n; i++) {
      p_buf_puts(b, " (");
      if (n->u.dict.keys.v[i]) py__dump(d, n->u.dict.keys.v[i]);
      else p_buf_puts(b, "**");
      p_buf_putc(b, ' ');
      py__dump(d, n->u.dict.values.v[i]);
      p_buf_putc(b, ')');
    }
    break;
  case PY_SET: py__fields(d, "elts", n->u.set.elts); break;
  case PY_LIST_COMP: case PY_SET_COMP: case PY_GENERATOR_EXP: case PY_DICT_COMP:
    py__field(d, n->kind == PY_DICT_COMP ? "key" : "elt", n->u.comp.elt);
    py__field(d, "value", n->u.comp.value);
    py__fields(d, "generators", n->u.comp.generators);
    break;
  case PY_AWAIT: p_buf_putc(b, ' '); py__dump(d, n->u.await_.value); break;
  case PY_YIELD: case PY_YIELD_FROM: if (n->u.yield.value) { p_buf_putc(b, ' '); py__dump(d, n->u.yield.value); } break;
  case PY_COMPARE:
    p_buf_putc(b, ' ');
    py__dump(d, n->u.compare.left);
    for (int i = 0; i < n->u.compare.comparators.n; i++) {
      p_buf_printf(b, " %s ", py_op_name(n->u.compare.ops[i]));
      py__dump(d, n->u.compare.comparators.v[i]);
    }
    break;
  case PY_CALL:
    py__field(d, "func", n->u.call.func);
    py__fields(d, "args", n->u.call.args);
    py__fields(d, "keywords", n->u.call.keywords);
    break;
  case PY_FORMATTED_VALUE:
    p_buf_putc(b, ' ');
    py__dump(d, n->u.formatted_value.value);
    if (n->u.formatted_value.conversion >= 0) p_buf_printf(b, " !%c", n->u.formatted_value.conversion);
    py__field(d, "spec", n->u.formatted_value.format_spec);
    break;
  case PY_JOINED_STR: py__fields(d, "values", n->u.joined_str.values); break;
  case PY_INT: p_buf_printf(b, " %s", n->u.int_.text); break;
  case PY_FLOAT: case PY_IMAG: p_buf_printf(b, " %s", n->u.float_.text); break;
  case PY_STR: case PY_BYTES: p_buf_putc(b, ' '); py__qstr(b, n->u.str.s, n->u.str.len); break;
  case PY_BOOL: p_buf_puts(b, n->u.bool_.value ? " True" : " False"); break;
  case PY_ATTRIBUTE:
    p_buf_putc(b, ' ');
    py__dump(d, n->u.attribute.value);
    p_buf_printf(b, " %s%s", n->u.attribute.attr, py__ctx(n->u.attribute.ctx));
    break;
  case PY_SUBSCRIPT:
    p_buf_putc(b, ' ');
    py__dump(d, n->u.subscript.value);
    p_buf_putc(b, ' ');
    py__dump(d, n->u.subscript.slice);
    p_buf_puts(b, py__ctx(n->u.subscript.ctx));
    break;
  case PY_STARRED: p_buf_putc(b, ' '); py__dump(d, n->u.starred.value); p_buf_puts(b, py__ctx(n->u.starred.ctx)); break;
  case PY_NAME: p_buf_printf(b, " %s%s", n->u.name.id, py__ctx(n->u.name.ctx)); break;
  case PY_LIST: case PY_TUPLE:
    p_buf_puts(b, py__ctx(n->u.list_or_tuple.ctx));
    for (int i = 0; i < n->u.list_or_tuple.elts.n; i++) {
      p_buf_putc(b, ' ');
      py__dump(d, n->u.list_or_tuple.elts.v[i]);
    }
    break;
  case PY_SLICE:
    py__field(d, "lower", n->u.slice.lower); py__field(d, "upper", n->u.slice.upper);
    py__field(d, "step", n->u.slice.step);
    break;
  case PY_ARG: {
    static const char *const k[] = {"posonly", "", "vararg", "kwonly", "kwarg"};
    p_buf_printf(b, " %s", n->u.arg.name);
    if (*k[n->u.arg.kind]) p_buf_printf(b, " %s", k[n->u.arg.kind]);
    py__field(d, "annotation", n->u.arg.annotation);
    py__field(d, "default", n->u.arg.default_);
    break;
  }
  case PY_KEYWORD: p_buf_printf(b, " %s ", n->u.keyword.arg ? n->u.keyword.arg : "**"); py__dump(d, n->u.keyword.value); break;
  case PY_ALIAS: p_buf_printf(b, " %s", n->u.alias.name); if (n->u.alias.asname) p_buf_printf(b, " as %s", n->u.alias.asname); break;
  case PY_WITH_ITEM: p_buf_putc(b, ' '); py__dump(d, n->u.with_item.context_expr); py__field(d, "as", n->u.with_item.optional_vars); break;
  case PY_COMPREHENSION:
    if (n->u.comprehension.is_async) p_buf_puts(b, " async");
    py__field(d, "target", n->u.comprehension.target);
    py__field(d, "iter", n->u.comprehension.iter);
    py__fields(d, "ifs", n->u.comprehension.ifs);
    break;
  case PY_EXCEPT_HANDLER:
    py__field(d, "type", n->u.except_handler.type);
    py__ident(d, "name", n->u.except_handler.name);
    py__fields(d, "body", n->u.except_handler.body);
    break;
  case PY_MATCH_CASE:
    py__field(d, "pattern", n->u.match_case.pattern);
    py__field(d, "guard", n->u.match_case.guard);
    py__fields(d, "body", n->u.match_case.body);
    break;
  case PY_MATCH_VALUE: case PY_MATCH_SINGLETON: p_buf_putc(b, ' '); py__dump(d, n->u.match_value.value); break;
  case PY_MATCH_SEQUENCE: case PY_MATCH_OR: py__fields(d, "patterns", n->u.match_seq.patterns); break;
  case PY_MATCH_MAPPING:
    py__fields(d, "keys", n->u.match_mapping.keys);
    py__fields(d, "patterns", n->u.match_mapping.patterns);
    py__ident(d, "rest", n->u.match_mapping.rest);
    break;
  case PY_MATCH_CLASS:
    py__field(d, "cls", n->u.match_class.cls);
    py__fields(d, "patterns", n->u.match_class.patterns);
    py__names(d, "kwd_attrs", n->u.match_class.kwd_attrs);
    py__fields(d, "kwd_patterns", n->u.match_class.kwd_patterns);
    break;
  case PY_MATCH_STAR: py__ident(d, "name", n->u.match_star.name); break;
  case PY_MATCH_AS: py__field(d, "pattern", n->u.match_as.pattern); py__ident(d, "name", n->u.match_as.name); break;
  default: break;
  }
  p_buf_putc(b, ')');
}

int py_ast_dump(const py_node *n, p_buf *out) {
  py__dumper d = {out, true};
  py__dump(&d, n);
  return out->err;
}

int py_ast_dump_nopos(const py_node *n, p_buf *out) {
  py__dumper d = {out, false};
  py__dump(&d, n);
  return out->err;
}
