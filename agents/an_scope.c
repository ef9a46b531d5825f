/*
 * an_scope.c - Analysis pass 1: scopes, as CPython's symtable.
 *
 * Every module, function, class, lambda and comprehension gets an
 * an_scope holding the names bound in it: assignment, for, with,
 * except-as, import, def, class, del, walrus, match captures, plus the
 * global and nonlocal declarations. Comprehensions are scopes of their
 * own whose first iterable belongs to the enclosing scope; a walrus inside
 * one binds in the enclosing function. Class bodies are invisible to the
 * functions nested in them.
 *
 * Then each name is classified local / global (explicit or implicit) /
 * nonlocal / free / cell / builtin by an__analyze, CPython's analyze_block:
 * free variables are passed through the intermediate scopes as CPython
 * does, and a method using super() or __class__ gets the implicit
 * __class__ cell. The SyntaxErrors CPython's compiler raises here (no
 * binding for a nonlocal, a name both parameter and global, a walrus in a
 * class-body comprehension, ...) are reported at their position and
 * counted in c->nerr_syntax.
 *
 * The queries of analysis.h that only need scopes (an_symbol_of,
 * an_lookup, an_resolve, an_scope_of, an_func_of, an_type_of) live here
 * too, with the two the type pass asks (an_module_scope, an_target_sym).
 */
#include "an_internal.h"

/* ----------------------------------------------------------- builtins */

/* Builtin names (Python 3.11 builtins module). */
static const char *const an__builtins[] = {
    "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint", "bytearray", "bytes",
    "callable", "chr", "classmethod", "compile", "complex", "copyright", "credits", "delattr", "dict",
    "dir", "divmod", "enumerate", "eval", "exec", "exit", "filter", "float", "format", "frozenset",
    "getattr", "globals", "hasattr", "hash", "help", "hex", "id", "input", "int", "isinstance",
    "issubclass", "iter", "len", "license", "list", "locals", "map", "max", "memoryview", "min", "next",
    "object", "oct", "open", "ord", "pow", "print", "property", "quit", "range", "repr", "reversed",
    "round", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type",
    "vars", "zip", "__import__", "__name__", "__file__", "__doc__", "__build_class__", "__debug__",
    "NotImplemented", "Ellipsis", "BaseException", "Exception", "ArithmeticError", "AssertionError",
    "AttributeError", "BlockingIOError", "BrokenPipeError", "BufferError", "ChildProcessError",
    "ConnectionError", "ConnectionAbortedError", "ConnectionRefusedError", "ConnectionResetError", "EOFError", "EnvironmentError", "FileExistsError", "FileNotFoundError",
    "FloatingPointError", "GeneratorExit", "IOError", "ImportError", "IndentationError", "IndexError",
    "InterruptedError", "IsADirectoryError", "KeyError", "KeyboardInterrupt", "LookupError",
    "MemoryError", "ModuleNotFoundError", "NameError", "NotADirectoryError", "NotImplementedError",
    "OSError", "OverflowError", "PermissionError", "ProcessLookupError", "RecursionError",
    "ReferenceError", "RuntimeError", "StopAsyncIteration", "StopIteration", "SyntaxError",
    "SystemError", "SystemExit", "TabError", "TimeoutError", "TypeError", "UnboundLocalError",
    "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError", "ValueError",
    "ZeroDivisionError", "Warning", "UserWarning", "DeprecationWarning", "RuntimeWarning",
    "ExceptionGroup", "BaseExceptionGroup", "PendingDeprecationWarning", "SyntaxWarning", "FutureWarning",
    "ImportWarning", "UnicodeWarning", "BytesWarning", "ResourceWarning", "EncodingWarning", NULL};

static bool an__is_builtin(const char *n) {
  for (int i = 0; an__builtins[i]; i++)
    if (strcmp(an__builtins[i], n) == 0) return true;
  return false;
}

/* ------------------------------------------------------------ scopes */

static unsigned an__hash(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

an_symbol *an_symbol_of(const an_scope *s, const char *name) {
  if (!s) return NULL;
  if (s->hcap) {
    unsigned m = (unsigned)s->hcap - 1;
    for (unsigned i = an__hash(name) & m;; i = (i + 1) & m) {
      int k = s->hidx[i];
      if (k < 0) return NULL;
      if (strcmp(s->syms[k].name, name) == 0) return &s->syms[k];
    }
  }
  for (int i = 0; i < s->nsyms; i++)
    if (s->syms[i].name[0] == name[0] && strcmp(s->syms[i].name, name) == 0) return &s->syms[i];
  return NULL;
}

/* Scopes past 16 names get a hash index (modules can bind thousands). */
static void an__hindex(an_ctx *c, an_scope *s) {
  if (s->nsyms < 16) return;
  if (s->hcap && s->nsyms * 2 < s->hcap) {
    unsigned m = (unsigned)s->hcap - 1;
    unsigned i = an__hash(s->syms[s->nsyms - 1].name) & m;
    while (s->hidx[i] >= 0) i = (i + 1) & m;
    s->hidx[i] = s->nsyms - 1;
    return;
  }
  int cap = 64;
  while (cap < s->nsyms * 4) cap *= 2;
  s->hidx = p_arena_alloc(c->a, sizeof(int) * (size_t)cap);
  for (int i = 0; i < cap; i++) s->hidx[i] = -1;
  s->hcap = cap;
  unsigned m = (unsigned)cap - 1;
  for (int k = 0; k < s->nsyms; k++) {
    unsigned i = an__hash(s->syms[k].name) & m;
    while (s->hidx[i] >= 0) i = (i + 1) & m;
    s->hidx[i] = k;
  }
}

an_binding an_lookup(const an_scope *s, const char *name) {
  an_symbol *y = an_symbol_of(s, name);
  return y ? y->binding : AN_UNBOUND;
}

an_binding an_resolve(const an_scope *s, const char *name) {
  an_binding b = an_lookup(s, name);
  if (b != AN_UNBOUND) return b;
  const an_scope *m = s;
  while (m && m->kind != AN_SCOPE_MODULE) m = m->parent;
  if (m && an_symbol_of(m, name) && (an_symbol_of(m, name)->flags & (AN_SYM_ASSIGNED | AN_SYM_PARAM)))
    return AN_GLOBAL_IMPLICIT;
  return an__is_builtin(name) ? AN_BUILTIN : AN_GLOBAL_IMPLICIT;
}

an_scope *an_scope_of(const an_program *p, const py_node *n) {
  if (!p || !n || n->id == 0 || n->id > p->ast->nnodes) return NULL;
  return p->scope_by_id[n->id];
}

an_func *an_func_of(const an_program *p, const py_node *def) {
  an_scope *s = an_scope_of(p, def);
  if (!s || (s->kind != AN_SCOPE_FUNCTION && s->kind != AN_SCOPE_LAMBDA)) return NULL;
  for (int i = 0; i < p->nfuncs; i++)
    if (p->funcs[i]->node == def) return p->funcs[i];
  return NULL;
}

const an_type *an_type_of(const an_program *p, const py_node *e) {
  if (!p || !e || e->id == 0 || e->id > p->ast->nnodes) return &an_t_dynamic;
  const an_type *t = p->type_by_id[e->id];
  return t && t->kind != AN_T_UNKNOWN ? t : &an_t_dynamic;
}

static an_symbol *an__sym(an_ctx *c, an_scope *s, const char *name, unsigned flags, int line) {
  an_symbol *y = an_symbol_of(s, name);
  if (!y) {
    s->syms = an_grow(c->a, s->syms, s->nsyms, &s->capsyms, sizeof *s->syms);
    y = &s->syms[s->nsyms++];
    memset(y, 0, sizeof *y);
    y->name = name;
    y->line = line;
    y->type = &an_t_unknown;
    an__hindex(c, s);
  }
  y->flags |= flags;
  if (flags & AN_SYM_ASSIGNED) y->nbind++;
  return y;
}

static an_scope *an__new_scope(an_ctx *c, an_scope_kind k, const py_node *n, const char *name, an_scope *parent,
                               an_module *m) {
  an_scope *s = p_arena_alloc(c->a, sizeof *s);
  s->kind = k;
  s->node = n;
  s->name = name;
  s->parent = parent;
  s->module = m;
  if (!parent) s->qualname = name;
  else if (parent->kind == AN_SCOPE_MODULE) s->qualname = name;
  else if (parent->kind == AN_SCOPE_CLASS) s->qualname = p_arena_printf(c->a, "%s.%s", parent->qualname, name);
  else s->qualname = p_arena_printf(c->a, "%s.<locals>.%s", parent->qualname, name);
  if (parent) {
    parent->children = an_grow(c->a, parent->children, parent->nchildren, &parent->capchildren, sizeof(an_scope *));
    parent->children[parent->nchildren++] = s;
  }
  c->p->scope_by_id[n->id] = s;
  return s;
}

static void an__scope_expr(an_ctx *c, an_scope *s, py_node *e);
static void an__scope_stmts(an_ctx *c, an_scope *s, py_nodes b);

struct an__walk {
  an_ctx *c;
  an_scope *s;
};
static int an__scope_child(py_node *ch, void *ctx) {
  struct an__walk *w = ctx;
  an__scope_expr(w->c, w->s, ch);
  return 0;
}

/* Binds every name of a target expression. */
static void an__bind_target(an_ctx *c, an_scope *s, py_node *t, unsigned flags) {
  if (!t) return;
  switch (t->kind) {
  case PY_NAME: an__sym(c, s, t->u.name.id, flags, t->line); break;
  case PY_TUPLE: case PY_LIST:
    for (int i = 0; i < t->u.list_or_tuple.elts.n; i++) an__bind_target(c, s, t->u.list_or_tuple.elts.v[i], flags);
    break;
  case PY_STARRED: an__bind_target(c, s, t->u.starred.value, flags); break;
  default: an__scope_expr(c, s, t); break; /* attribute/subscript: their parts are reads */
  }
}

static bool an__is_funclike(const an_scope *s);

static an_scope *an__func_scope_of(an_scope *s) {
  while (s && s->kind == AN_SCOPE_COMPREHENSION) s = s->parent;
  return s;
}

static void an__scope_args(an_ctx *c, an_scope *outer, const py_arguments *args) {
  if (!args) return;
  for (int i = 0; i < args->all.n; i++) {
    py_node *a = args->all.v[i];
    if (a->u.arg.default_) an__scope_expr(c, outer, a->u.arg.default_);
    if (a->u.arg.annotation) an__scope_expr(c, outer, a->u.arg.annotation);
  }
}

static void an__bind_params(an_ctx *c, an_scope *inner, const py_arguments *args) {
  if (!args) return;
  for (int i = 0; i < args->all.n; i++) an__sym(c, inner, args->all.v[i]->u.arg.name, AN_SYM_PARAM, args->all.v[i]->line);
}

static an_func *an__new_func(an_ctx *c, py_node *n, an_scope *s) {
  an_func *f = p_arena_alloc(c->a, sizeof *f);
  f->node = n;
  f->scope = s;
  f->qualname = s->qualname;
  const py_arguments *args = n->kind == PY_FUNCTION_DEF ? n->u.function_def.args : n->u.lambda.args;
  f->nparams = args ? args->all.n : 0;
  f->param_types = p_arena_alloc(c->a, sizeof(an_type *) * (size_t)(f->nparams + 1));
  for (int i = 0; i < f->nparams; i++) f->param_types[i] = &an_t_unknown;
  f->return_type = &an_t_unknown;
  f->closed = true;
  f->pure = true;
  c->p->funcs = an_grow(c->a, c->p->funcs, c->p->nfuncs, &c->funcs_cap, sizeof(an_func *));
  c->p->funcs[c->p->nfuncs++] = f;
  n->an = f;
  return f;
}

static void an__scope_comp(an_ctx *c, an_scope *s, py_node *e) {
  static const char *const names[] = {[PY_LIST_COMP] = "<listcomp>", [PY_SET_COMP] = "<setcomp>",
                                      [PY_DICT_COMP] = "<dictcomp>", [PY_GENERATOR_EXP] = "<genexpr>"};
  py_nodes g = e->u.comp.generators;
  if (g.n == 0) return;
  an__scope_expr(c, s, g.v[0]->u.comprehension.iter); /* evaluated outside */
  an_scope *cs = an__new_scope(c, AN_SCOPE_COMPREHENSION, e, names[e->kind], s, s->module);
  if (e->kind == PY_GENERATOR_EXP) cs->is_generator = true;
  for (int i = 0; i < g.n; i++) {
    py_node *cl = g.v[i];
    c->p->scope_by_id[cl->id] = NULL;
    if (i > 0) an__scope_expr(c, cs, cl->u.comprehension.iter);
    an__bind_target(c, cs, cl->u.comprehension.target, AN_SYM_ASSIGNED | AN_SYM_COMP_ITER);
    for (int j = 0; j < cl->u.comprehension.ifs.n; j++) an__scope_expr(c, cs, cl->u.comprehension.ifs.v[j]);
  }
  an__scope_expr(c, cs, e->u.comp.elt);
  an__scope_expr(c, cs, e->u.comp.value);
}

static void an__scope_expr(an_ctx *c, an_scope *s, py_node *e) {
  if (!e) return;
  switch (e->kind) {
  case PY_NAME:
    if (e->u.name.ctx == PY_LOAD) {
      an__sym(c, s, e->u.name.id, AN_SYM_USED, e->line);
      if (!strcmp(e->u.name.id, "super") || !strcmp(e->u.name.id, "__class__")) {
        an_scope *f = an__func_scope_of(s);
        if (f) f->uses_super = true;
      }
      /* CPython's symtable: `super` read in any function-like scope counts
       * as a use of __class__ there (resolved like any free name) */
      if (!strcmp(e->u.name.id, "super") && an__is_funclike(s)) an__sym(c, s, "__class__", AN_SYM_USED, e->line);
      if (!strcmp(e->u.name.id, "globals") || !strcmp(e->u.name.id, "__import__") || !strcmp(e->u.name.id, "setattr") || !strcmp(e->u.name.id, "vars") ||
          !strcmp(e->u.name.id, "delattr") || !strcmp(e->u.name.id, "exec") || !strcmp(e->u.name.id, "eval") ||
          !strcmp(e->u.name.id, "locals"))
        c->uses_reflection = true;
    } else {
      an__sym(c, s, e->u.name.id, e->u.name.ctx == PY_DEL ? AN_SYM_ASSIGNED | AN_SYM_DELETED : AN_SYM_ASSIGNED, e->line);
    }
    return;
  case PY_NAMED_EXPR: {
    an__scope_expr(c, s, e->u.named_expr.value);
    an_scope *f = an__func_scope_of(s);
    const char *nm = e->u.named_expr.target->u.name.id;
    if (f && f->kind == AN_SCOPE_CLASS && s->kind == AN_SCOPE_COMPREHENSION) {
      an_diag(c, e->file, e->line, e->col, "SyntaxError: assignment expression within a comprehension cannot be used in a class body");
      c->nerr_syntax++;
    }
    if (f) an__sym(c, f, nm, AN_SYM_ASSIGNED | AN_SYM_WALRUS | (f != s ? AN_SYM_COMP_WALRUS : 0), e->line);
    for (an_scope *k = s; k && k != f; k = k->parent) an__sym(c, k, nm, AN_SYM_USED, e->line);
    return;
  }
  case PY_LAMBDA: {
    an__scope_args(c, s, e->u.lambda.args);
    an_scope *ls = an__new_scope(c, AN_SCOPE_LAMBDA, e, "<lambda>", s, s->module);
    an__bind_params(c, ls, e->u.lambda.args);
    an__new_func(c, e, ls);
    an__scope_expr(c, ls, e->u.lambda.body);
    return;
  }
  case PY_LIST_COMP: case PY_SET_COMP: case PY_DICT_COMP: case PY_GENERATOR_EXP:
    an__scope_comp(c, s, e);
    return;
  case PY_YIELD: case PY_YIELD_FROM: case PY_AWAIT: {
    an_scope *f = s;
    if (e->kind != PY_AWAIT && f) f->is_generator = true;
    break;
  }
  case PY_CALL: {
    /* getattr with a computed name and 3-argument type() reach attributes
     * and classes we cannot follow */
    py_node *fn = e->u.call.func;
    if (fn->kind == PY_NAME && !strcmp(fn->u.name.id, "getattr") &&
        (e->u.call.args.n < 2 || e->u.call.args.v[1]->kind != PY_STR))
      c->uses_reflection = true;
    if (fn->kind == PY_NAME && !strcmp(fn->u.name.id, "type") && e->u.call.args.n == 3) c->uses_reflection = true;
    break;
  }
  case PY_ATTRIBUTE:
    /* object.__setattr__(p, ...), f.__defaults__ = ...: stores and
     * arguments we would not see */
    if (!strcmp(e->u.attribute.attr, "__setattr__") || !strcmp(e->u.attribute.attr, "__getattribute__") ||
        !strcmp(e->u.attribute.attr, "__delattr__") || !strcmp(e->u.attribute.attr, "__defaults__") ||
        !strcmp(e->u.attribute.attr, "__kwdefaults__") || !strcmp(e->u.attribute.attr, "__code__"))
      c->uses_reflection = true;
    if ((!strcmp(e->u.attribute.attr, "__class__") && e->u.attribute.ctx != PY_LOAD) ||
        !strcmp(e->u.attribute.attr, "__dict__") || !strcmp(e->u.attribute.attr, "__globals__") ||
        (!strcmp(e->u.attribute.attr, "modules") && e->u.attribute.value->kind == PY_NAME &&
         !strcmp(e->u.attribute.value->u.name.id, "sys")))
      c->uses_reflection = true;
    break;
  default: break;
  }
  struct an__walk w = {c, s};
  py_node_children(e, an__scope_child, &w);
}

static void an__scope_pattern(an_ctx *c, an_scope *s, py_node *p) {
  if (!p) return;
  switch (p->kind) {
  case PY_MATCH_AS:
    if (p->u.match_as.name) an__sym(c, s, p->u.match_as.name, AN_SYM_ASSIGNED, p->line);
    an__scope_pattern(c, s, p->u.match_as.pattern);
    return;
  case PY_MATCH_STAR:
    if (p->u.match_star.name) an__sym(c, s, p->u.match_star.name, AN_SYM_ASSIGNED, p->line);
    return;
  case PY_MATCH_MAPPING:
    for (int i = 0; i < p->u.match_mapping.keys.n; i++) an__scope_expr(c, s, p->u.match_mapping.keys.v[i]);
    for (int i = 0; i < p->u.match_mapping.patterns.n; i++) an__scope_pattern(c, s, p->u.match_mapping.patterns.v[i]);
    if (p->u.match_mapping.rest) an__sym(c, s, p->u.match_mapping.rest, AN_SYM_ASSIGNED, p->line);
    return;
  case PY_MATCH_SEQUENCE: case PY_MATCH_OR:
    for (int i = 0; i < p->u.match_seq.patterns.n; i++) an__scope_pattern(c, s, p->u.match_seq.patterns.v[i]);
    return;
  case PY_MATCH_CLASS:
    an__scope_expr(c, s, p->u.match_class.cls);
    for (int i = 0; i < p->u.match_class.patterns.n; i++) an__scope_pattern(c, s, p->u.match_class.patterns.v[i]);
    for (int i = 0; i < p->u.match_class.kwd_patterns.n; i++) an__scope_pattern(c, s, p->u.match_class.kwd_patterns.v[i]);
    return;
  case PY_MATCH_VALUE: case PY_MATCH_SINGLETON: an__scope_expr(c, s, p->u.match_value.value); return;
  default: return;
  }
}

static void an__declare(an_ctx *c, an_scope *s, py_node *st) {
  bool glob = st->kind == PY_GLOBAL;
  for (int i = 0; i < st->u.global.names.n; i++) {
    const char *nm = st->u.global.names.v[i];
    an_symbol *y = an_symbol_of(s, nm);
    const char *what = glob ? "global" : "nonlocal";
    if (y && (y->flags & AN_SYM_PARAM)) {
      an_diag(c, st->file, st->line, st->col, "SyntaxError: name '%s' is parameter and %s", nm, what);
      c->nerr_syntax++;
    } else if (y && (y->flags & AN_SYM_ASSIGNED) && !(y->flags & (AN_SYM_DECL_GLOBAL | AN_SYM_DECL_NONLOCAL))) {
      an_diag(c, st->file, st->line, st->col, "SyntaxError: name '%s' is assigned to before %s declaration", nm, what);
      c->nerr_syntax++;
    } else if (y && (y->flags & AN_SYM_USED) && !(y->flags & (AN_SYM_DECL_GLOBAL | AN_SYM_DECL_NONLOCAL))) {
      an_diag(c, st->file, st->line, st->col, "SyntaxError: name '%s' is used prior to %s declaration", nm, what);
      c->nerr_syntax++;
    }
    y = an__sym(c, s, nm, glob ? AN_SYM_DECL_GLOBAL : AN_SYM_DECL_NONLOCAL, st->line);
    if (glob && s->kind != AN_SCOPE_MODULE) {
      an_scope *m = s;
      while (m->parent) m = m->parent;
      (void)m;
    }
  }
}

static void an__scope_stmt(an_ctx *c, an_scope *s, py_node *st) {
  switch (st->kind) {
  case PY_FUNCTION_DEF: {
    for (int i = 0; i < st->u.function_def.decorators.n; i++) an__scope_expr(c, s, st->u.function_def.decorators.v[i]);
    an__scope_args(c, s, st->u.function_def.args);
    an__scope_expr(c, s, st->u.function_def.returns);
    an__sym(c, s, st->u.function_def.name, AN_SYM_ASSIGNED | AN_SYM_DEF, st->line);
    an_scope *fs = an__new_scope(c, AN_SCOPE_FUNCTION, st, st->u.function_def.name, s, s->module);
    fs->is_async = st->u.function_def.is_async;
    an__bind_params(c, fs, st->u.function_def.args);
    an_func *f = an__new_func(c, st, fs);
    f->is_method = s->kind == AN_SCOPE_CLASS;
    if (st->u.function_def.decorators.n) f->closed = false;
    an__scope_stmts(c, fs, st->u.function_def.body);
    f->is_generator = fs->is_generator;
    return;
  }
  case PY_CLASS_DEF: {
    for (int i = 0; i < st->u.class_def.decorators.n; i++) an__scope_expr(c, s, st->u.class_def.decorators.v[i]);
    for (int i = 0; i < st->u.class_def.bases.n; i++) an__scope_expr(c, s, st->u.class_def.bases.v[i]);
    for (int i = 0; i < st->u.class_def.keywords.n; i++) an__scope_expr(c, s, st->u.class_def.keywords.v[i]);
    an__sym(c, s, st->u.class_def.name, AN_SYM_ASSIGNED | AN_SYM_DEF, st->line);
    an_scope *cs = an__new_scope(c, AN_SCOPE_CLASS, st, st->u.class_def.name, s, s->module);
    an_class *k = p_arena_alloc(c->a, sizeof *k);
    k->node = st;
    k->scope = cs;
    k->qualname = cs->qualname;
    k->module = s->module;
    for (int i = 0; i < st->u.class_def.decorators.n; i++) {
      py_node *d = st->u.class_def.decorators.v[i];
      if (d->kind == PY_CALL) d = d->u.call.func;
      if ((d->kind == PY_NAME && !strcmp(d->u.name.id, "dataclass")) ||
          (d->kind == PY_ATTRIBUTE && !strcmp(d->u.attribute.attr, "dataclass")))
        k->is_dataclass = true;
    }
    for (int i = 0; i < st->u.class_def.bases.n; i++)
      if (st->u.class_def.bases.v[i]->kind != PY_NAME) k->has_dynamic_bases = true;
    st->an = k;
    c->p->classes = an_grow(c->a, c->p->classes, c->p->nclasses, &c->classes_cap, sizeof(an_class *));
    c->p->classes[c->p->nclasses++] = k;
    an__scope_stmts(c, cs, st->u.class_def.body);
    return;
  }
  case PY_GLOBAL: case PY_NONLOCAL: an__declare(c, s, st); return;
  case PY_ASSIGN:
    an__scope_expr(c, s, st->u.assign.value);
    for (int i = 0; i < st->u.assign.targets.n; i++) an__bind_target(c, s, st->u.assign.targets.v[i], AN_SYM_ASSIGNED);
    return;
  case PY_AUG_ASSIGN:
    an__scope_expr(c, s, st->u.aug_assign.value);
    if (st->u.aug_assign.target->kind == PY_NAME)
      an__sym(c, s, st->u.aug_assign.target->u.name.id, AN_SYM_ASSIGNED | AN_SYM_USED, st->line);
    else
      an__bind_target(c, s, st->u.aug_assign.target, AN_SYM_ASSIGNED);
    return;
  case PY_ANN_ASSIGN:
    an__scope_expr(c, s, st->u.ann_assign.annotation);
    an__scope_expr(c, s, st->u.ann_assign.value);
    if (st->u.ann_assign.target->kind == PY_NAME)
      an__sym(c, s, st->u.ann_assign.target->u.name.id,
              AN_SYM_ANNOTATED | (st->u.ann_assign.value || s->kind != AN_SCOPE_MODULE ? AN_SYM_ASSIGNED : 0), st->line);
    else
      an__bind_target(c, s, st->u.ann_assign.target, AN_SYM_ASSIGNED);
    return;
  case PY_FOR:
    an__scope_expr(c, s, st->u.for_.iter);
    an__bind_target(c, s, st->u.for_.target, AN_SYM_ASSIGNED);
    an__scope_stmts(c, s, st->u.for_.body);
    an__scope_stmts(c, s, st->u.for_.orelse);
    return;
  case PY_WITH:
    for (int i = 0; i < st->u.with.items.n; i++) {
      py_node *it = st->u.with.items.v[i];
      an__scope_expr(c, s, it->u.with_item.context_expr);
      an__bind_target(c, s, it->u.with_item.optional_vars, AN_SYM_ASSIGNED);
    }
    an__scope_stmts(c, s, st->u.with.body);
    return;
  case PY_TRY:
    an__scope_stmts(c, s, st->u.try_.body);
    for (int i = 0; i < st->u.try_.handlers.n; i++) {
      py_node *h = st->u.try_.handlers.v[i];
      an__scope_expr(c, s, h->u.except_handler.type);
      if (h->u.except_handler.name) an__sym(c, s, h->u.except_handler.name, AN_SYM_ASSIGNED | AN_SYM_DELETED, h->line);
      an__scope_stmts(c, s, h->u.except_handler.body);
    }
    an__scope_stmts(c, s, st->u.try_.orelse);
    an__scope_stmts(c, s, st->u.try_.finalbody);
    return;
  case PY_IMPORT:
    for (int i = 0; i < st->u.import.names.n; i++) {
      py_node *al = st->u.import.names.v[i];
      const char *nm = al->u.alias.asname;
      if (!nm) {
        const char *dot = strchr(al->u.alias.name, '.');
        nm = dot ? p_arena_strndup(c->a, al->u.alias.name, (size_t)(dot - al->u.alias.name)) : al->u.alias.name;
      }
      an__sym(c, s, nm, AN_SYM_ASSIGNED | AN_SYM_IMPORTED, st->line);
    }
    return;
  case PY_IMPORT_FROM:
    for (int i = 0; i < st->u.import_from.names.n; i++) {
      py_node *al = st->u.import_from.names.v[i];
      if (!strcmp(al->u.alias.name, "*")) {
        s->has_star_import = true;
        continue;
      }
      an__sym(c, s, al->u.alias.asname ? al->u.alias.asname : al->u.alias.name, AN_SYM_ASSIGNED | AN_SYM_IMPORTED,
              st->line);
    }
    return;
  case PY_MATCH:
    an__scope_expr(c, s, st->u.match.subject);
    for (int i = 0; i < st->u.match.cases.n; i++) {
      py_node *mc = st->u.match.cases.v[i];
      an__scope_pattern(c, s, mc->u.match_case.pattern);
      an__scope_expr(c, s, mc->u.match_case.guard);
      an__scope_stmts(c, s, mc->u.match_case.body);
    }
    return;
  case PY_IF: case PY_WHILE:
    an__scope_expr(c, s, st->u.if_.test);
    an__scope_stmts(c, s, st->u.if_.body);
    an__scope_stmts(c, s, st->u.if_.orelse);
    return;
  case PY_DELETE:
    for (int i = 0; i < st->u.delete_.targets.n; i++) an__bind_target(c, s, st->u.delete_.targets.v[i], AN_SYM_ASSIGNED | AN_SYM_DELETED);
    return;
  default: {
    struct an__walk w = {c, s};
    py_node_children(st, an__scope_child, &w);
    return;
  }
  }
}

static void an__scope_stmts(an_ctx *c, an_scope *s, py_nodes b) {
  for (int i = 0; i < b.n; i++) an__scope_stmt(c, s, b.v[i]);
}

/* ------------------------------------------------- binding resolution */

typedef struct an_names {
  const char **v;
  int n;
} an_names;

static bool an__has(const an_names *l, const char *n) {
  for (int i = 0; i < l->n; i++)
    if (strcmp(l->v[i], n) == 0) return true;
  return false;
}

static bool an__is_funclike(const an_scope *s) {
  return s->kind == AN_SCOPE_FUNCTION || s->kind == AN_SCOPE_LAMBDA || s->kind == AN_SCOPE_COMPREHENSION;
}

/* CPython's analyze_block. bound: names bound in enclosing function
 * scopes. Returns (in *free) the free names of s and its children that
 * must come from outside s. */
static void an__analyze(an_ctx *c, an_scope *s, const an_names *bound, an_names *free_out) {
  an_scope *mod = s;
  while (mod->parent) mod = mod->parent;
  /* super() / __class__ in a method: an implicit __class__ cell of the class */
  if (s->kind == AN_SCOPE_FUNCTION && s->uses_super && s->parent && s->parent->kind == AN_SCOPE_CLASS)
    an__sym(c, s, "__class__", AN_SYM_USED, s->node->line);
  for (int i = 0; i < s->nsyms; i++) {
    an_symbol *y = &s->syms[i];
    unsigned f = y->flags;
    if (f & AN_SYM_DECL_GLOBAL) {
      y->binding = AN_GLOBAL_EXPLICIT;
      an_symbol *g = an__sym(c, mod, y->name, 0, y->line);
      if (g->binding == AN_UNBOUND) g->binding = AN_GLOBAL_IMPLICIT;
      if (f & AN_SYM_ASSIGNED) g->flags |= AN_SYM_ASSIGNED;
      if (s != mod) g->flags |= AN_SYM_GLOBAL_WRITTEN; /* module code cannot flow-type it */
    } else if (f & AN_SYM_DECL_NONLOCAL) {
      if (!an__has(bound, y->name)) {
        an_diag(c, s->module ? s->module->mod->path : "?", y->line, 1, "SyntaxError: no binding for nonlocal '%s' found", y->name);
        c->nerr_syntax++;
      }
      y->binding = AN_NONLOCAL;
    } else if (!(f & (AN_SYM_ASSIGNED | AN_SYM_PARAM)) && !strcmp(y->name, "__class__") && s->uses_super &&
               s->parent && s->parent->kind == AN_SCOPE_CLASS) {
      y->binding = AN_FREE; /* the class's implicit __class__ cell */
    } else if (s->kind == AN_SCOPE_MODULE) {
      y->binding = (f & (AN_SYM_ASSIGNED | AN_SYM_PARAM)) || s->has_star_import || !an__is_builtin(y->name)
                       ? AN_GLOBAL_IMPLICIT : AN_BUILTIN;
    } else if (f & (AN_SYM_ASSIGNED | AN_SYM_PARAM)) {
      y->binding = AN_LOCAL;
    } else if (an__has(bound, y->name)) {
      y->binding = AN_FREE;
    } else {
      an_symbol *g = an_symbol_of(mod, y->name);
      bool mod_bound = (g && (g->flags & AN_SYM_ASSIGNED)) || mod->has_star_import;
      y->binding = mod_bound || !an__is_builtin(y->name) ? AN_GLOBAL_IMPLICIT : AN_BUILTIN;
    }
  }
  /* names visible as enclosing-function bindings to the children */
  an_names nb = {NULL, 0};
  int cap = bound->n + s->nsyms + 1;
  nb.v = p_xmalloc(sizeof(char *) * (size_t)cap);
  for (int i = 0; i < bound->n; i++) nb.v[nb.n++] = bound->v[i];
  if (an__is_funclike(s)) {
    for (int i = 0; i < s->nsyms; i++) {
      an_symbol *y = &s->syms[i];
      if ((y->binding == AN_LOCAL || y->binding == AN_NONLOCAL) && !an__has(&nb, y->name)) nb.v[nb.n++] = y->name;
    }
  }
  /* a class body makes its implicit __class__ cell visible to every scope
   * nested in it (CPython's analyze_block) */
  if (s->kind == AN_SCOPE_CLASS && !an__has(&nb, "__class__")) nb.v[nb.n++] = "__class__";
  /* names declared global here hide outer bindings */
  an_names child_bound = nb;
  an_names nb2 = {NULL, 0};
  bool has_glob = false;
  for (int i = 0; i < s->nsyms; i++)
    if (s->syms[i].binding == AN_GLOBAL_EXPLICIT) has_glob = true;
  if (has_glob) {
    nb2.v = p_xmalloc(sizeof(char *) * (size_t)(nb.n + 1));
    for (int i = 0; i < nb.n; i++)
      if (an_lookup(s, nb.v[i]) != AN_GLOBAL_EXPLICIT) nb2.v[nb2.n++] = nb.v[i];
    child_bound = nb2;
  }
  an_names frees = {NULL, 0};
  int fcap = 0;
  for (int i = 0; i < s->nchildren; i++) {
    an_names cf = {NULL, 0};
    an__analyze(c, s->children[i], s->kind == AN_SCOPE_MODULE ? &(an_names){NULL, 0} : &child_bound, &cf);
    for (int j = 0; j < cf.n; j++) {
      if (an__has(&frees, cf.v[j])) continue;
      if (frees.n == fcap) {
        fcap = fcap ? fcap * 2 : 8;
        const char **nv = p_xrealloc(frees.v, sizeof(char *) * (size_t)fcap);
        frees.v = nv;
      }
      frees.v[frees.n++] = cf.v[j];
    }
    free(cf.v);
  }
  /* children's free names: cells here, or passed through */
  an_names out = {NULL, 0};
  out.v = p_xmalloc(sizeof(char *) * (size_t)(frees.n + s->nsyms + 1));
  for (int i = 0; i < frees.n; i++) {
    an_symbol *y = an_symbol_of(s, frees.v[i]);
    if (s->kind == AN_SCOPE_CLASS && !strcmp(frees.v[i], "__class__")) {
      continue; /* provided by the class itself (CPython's drop_class_free) */
    } else if (y && an__is_funclike(s) && (y->binding == AN_LOCAL || y->binding == AN_CELL)) {
      y->binding = AN_CELL;
      y->flags |= AN_SYM_CAPTURED;
    } else if (s->kind != AN_SCOPE_MODULE) {
      if (!y) {
        y = an__sym(c, s, frees.v[i], 0, 0);
        y->binding = AN_FREE;
      } else if (y->binding == AN_GLOBAL_IMPLICIT || y->binding == AN_BUILTIN) {
        if (s->kind == AN_SCOPE_CLASS) {
          /* a class body keeps its own lookup; the method's closure still
           * needs the variable passed through */
        } else {
          y->binding = AN_FREE;
        }
      }
      if (!an__has(&out, frees.v[i])) out.v[out.n++] = frees.v[i];
    }
  }
  if (s->kind != AN_SCOPE_MODULE)
    for (int i = 0; i < s->nsyms; i++)
      if ((s->syms[i].binding == AN_FREE || s->syms[i].binding == AN_NONLOCAL) && !an__has(&out, s->syms[i].name))
        out.v[out.n++] = s->syms[i].name;
  free(frees.v);
  free(nb.v);
  free(nb2.v);
  *free_out = out;
}

void an_scopes(an_ctx *c) {
  an_program *p = c->p;
  for (int i = 0; i < p->nmodules; i++) {
    an_module *m = &p->modules[i];
    m->scope = an__new_scope(c, AN_SCOPE_MODULE, m->mod->node, "<module>", NULL, m);
    an__scope_stmts(c, m->scope, m->mod->node->u.module.body);
  }
  for (int i = 0; i < p->nmodules; i++) {
    an_names none = {NULL, 0}, fr = {NULL, 0};
    an__analyze(c, p->modules[i].scope, &none, &fr);
    free(fr.v);
  }
}

int an_module_bindings(const an_scope *m, const char *name) {
  const an_symbol *y = an_symbol_of(m, name);
  return (y ? y->nbind : 0) + (m->has_star_import ? 1 : 0);
}

bool an_global_written(const an_scope *m, const char *name) {
  const an_symbol *y = an_symbol_of(m, name);
  return y && (y->flags & AN_SYM_GLOBAL_WRITTEN);
}

/* ------------------------------------------------- names for the typer */

an_scope *an_module_scope(an_scope *s) {
  while (s->parent) s = s->parent;
  return s;
}

/* The symbol a name read in s refers to (for types), or NULL for builtins
 * and names that stay dynamic (free/cell variables). */
an_symbol *an_target_sym(an_scope *s, const char *name, an_binding *bout) {
  an_binding b = an_resolve(s, name);
  if (bout) *bout = b;
  switch (b) {
  case AN_LOCAL: return an_symbol_of(s, name);
  case AN_GLOBAL_EXPLICIT: case AN_GLOBAL_IMPLICIT: return an_symbol_of(an_module_scope(s), name);
  default: return NULL;
  }
}
