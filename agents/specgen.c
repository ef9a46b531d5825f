/*
 * specgen.c - the SpecGen stage: decides the Rust shape of every Python item
 * before any code is written, and writes it down as spec.json.
 *
 * The decisions themselves are made by rs_program_build (rs_scope.c): which
 * Rust fn each def/lambda/generator expression becomes, how each name is
 * stored (local, cell, module dict, class namespace), which functions get
 * an unboxed twin. SpecGen runs it once, hands the result to Transpile
 * through job->spec, and records it as a readable artifact: for each module
 * its Rust module, and for each item the Python name, qualname and line
 * against the Rust signature, so that a reader of the generated crate (or
 * of a compile error) finds the Python behind every fn.
 *
 * Classes are dynamic objects built by rt::make_class at run time (their
 * namespace is whatever the body assigns); they appear in the spec with
 * their bases, their instance fields and the types Analysis proved for
 * them, the protocols their dunder methods implement (what a Rust trait
 * impl would be; the runtime dispatches them), whether they are exception
 * types, and the Rust fns of their methods. Functions show the unboxed twin
 * (i64/f64/bool, Vec<..> for lists) next to the dynamic fn when they have
 * one ("path": "static"), or the first construct that keeps them on the
 * dynamic path, at line:col ("dynamic_because"), which the dashboard shows.
 */
#include "analysis.h"
#include "pipeline.h"
#include "transpile.h"

#include <stdio.h>
#include <string.h>

static void sg__str(p_buf *b, const char *s) { p_buf_json_str(b, s, strlen(s)); }

static const char *sg__kind(const rs_scope *s) {
  switch (s->kind) {
  case RS_SC_FUNC:
    if (s->is_generator) return "generator";
    return s->parent && s->parent->kind == RS_SC_CLASS ? "method" : "function";
  case RS_SC_LAMBDA: return "lambda";
  case RS_SC_GENEXP: return "genexpr";
  case RS_SC_CLASS: return "class";
  default: return "module";
  }
}

static const char *sg__bind_name(rs_bind b) {
  switch (b) {
  case RS_BIND_LOCAL: return "local";
  case RS_BIND_CELL: return "cell";
  case RS_BIND_FREE: return "free";
  case RS_BIND_CLASSNS: return "class";
  case RS_BIND_OUTER: return "outer";
  default: return "global";
  }
}

/* The Python-level types Analysis proved for a function ("int",
 * "list[str]", "dynamic"), as documentation next to the Rust signature. */
static void sg__py_types(p_buf *b, const rs_program *p, const rs_scope *s) {
  if (!p->an || (s->kind != RS_SC_FUNC && s->kind != RS_SC_LAMBDA)) return;
  an_func *af = an_func_of(p->an, s->node);
  if (!af) return;
  py_arguments *a = s->kind == RS_SC_FUNC ? s->node->u.function_def.args : s->node->u.lambda.args;
  p_arena *ar = p->arena;
  p_buf_puts(b, ", \"python_types\": {");
  int k = 0;
  for (int i = 0; a && i < a->all.n && i < af->nparams; i++) {
    if (k++) p_buf_puts(b, ", ");
    sg__str(b, a->all.v[i]->u.arg.name);
    p_buf_puts(b, ": ");
    sg__str(b, af->param_types && af->param_types[i] ? an_type_str(ar, af->param_types[i]) : "dynamic");
  }
  if (af->return_type) {
    if (k++) p_buf_puts(b, ", ");
    p_buf_puts(b, "\"return\": ");
    sg__str(b, an_type_str(ar, af->return_type));
  }
  p_buf_printf(b, "}, \"pure\": %s", af->pure ? "true" : "false");
}

/* What a dunder method implements, for the spec's "protocols". The runtime
 * dispatches them dynamically (rt::add, rt::eq, rt::getitem, ...): they are
 * the class's trait impls in Python terms. */
static const char *sg__dunder_op(const char *n) {
  static const char *const t[][2] = {
      {"__init__", "construction"}, {"__repr__", "repr()"}, {"__str__", "str()/print"}, {"__eq__", "=="},
      {"__ne__", "!="}, {"__lt__", "<"}, {"__le__", "<="}, {"__gt__", ">"}, {"__ge__", ">="},
      {"__hash__", "hash()"}, {"__bool__", "truth"}, {"__len__", "len()"}, {"__iter__", "iter()"},
      {"__next__", "next()"}, {"__contains__", "in"}, {"__getitem__", "x[k]"}, {"__setitem__", "x[k] = v"},
      {"__delitem__", "del x[k]"}, {"__call__", "call"}, {"__enter__", "with (enter)"}, {"__exit__", "with (exit)"},
      {"__add__", "+"}, {"__sub__", "-"}, {"__mul__", "*"}, {"__truediv__", "/"}, {"__floordiv__", "//"},
      {"__mod__", "%"}, {"__pow__", "**"}, {"__neg__", "unary -"}, {"__radd__", "+ (reflected)"},
      {"__rmul__", "* (reflected)"}, {"__iadd__", "+="}, {"__format__", "format()"}, {"__getattr__", "missing attribute"},
      {"__setattr__", "attribute store"}, {"__del__", "finalizer"},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcmp(t[i][0], n) == 0) return t[i][1];
  return NULL;
}

/* Builtin exception classes a user class may derive from. */
static bool sg__exc_base(const char *n) {
  size_t l = strlen(n);
  return strcmp(n, "BaseException") == 0 || (l > 5 && strcmp(n + l - 5, "Error") == 0) ||
         (l >= 9 && strcmp(n + l - 9, "Exception") == 0) || strcmp(n, "StopIteration") == 0 ||
         strcmp(n, "KeyboardInterrupt") == 0 || strcmp(n, "SystemExit") == 0 || strcmp(n, "GeneratorExit") == 0 ||
         (l > 7 && strcmp(n + l - 7, "Warning") == 0);
}

/* A class: its bases, its instance fields with the types Analysis proved,
 * the protocols its dunder methods implement, and whether it is an
 * exception type (raised as a PyErr carrying the instance). */
static void sg__class(p_buf *b, const rs_program *p, const rs_scope *s) {
  py_nodes bases = s->node->u.class_def.bases;
  p_buf_puts(b, ", \"bases\": [");
  const char *exc = NULL;
  for (int i = 0; i < bases.n; i++) {
    py_node *x = bases.v[i];
    const char *nm = x->kind == PY_NAME ? x->u.name.id : x->kind == PY_ATTRIBUTE ? x->u.attribute.attr : "<expr>";
    if (i) p_buf_puts(b, ", ");
    sg__str(b, nm);
    if (x->kind == PY_NAME) {
      if (sg__exc_base(nm)) exc = nm;
      /* a user class that is itself an exception */
      for (uint32_t id = 0; id < p->nids && !exc; id++) {
        rs_scope *o = p->scope_of[id];
        if (o && o->kind == RS_SC_CLASS && o != s && strcmp(o->name, nm) == 0) {
          py_nodes ob = o->node->u.class_def.bases;
          for (int k = 0; k < ob.n; k++)
            if (ob.v[k]->kind == PY_NAME && sg__exc_base(ob.v[k]->u.name.id)) exc = nm;
        }
      }
    }
  }
  p_buf_puts(b, "]");
  if (exc) {
    p_buf_puts(b, ", \"exception\": ");
    sg__str(b, exc);
  }
  an_class *k = p->an ? (an_class *)s->node->an : NULL;
  if (k && k->nattrs) {
    p_buf_puts(b, ", \"fields\": {");
    for (int i = 0; i < k->nattrs; i++) {
      if (i) p_buf_puts(b, ", ");
      sg__str(b, k->attrs[i].name);
      p_buf_puts(b, ": ");
      sg__str(b, k->attrs[i].type ? an_type_str(p->arena, k->attrs[i].type) : "dynamic");
    }
    p_buf_puts(b, "}");
  }
  py_nodes body = s->node->u.class_def.body;
  int np = 0;
  for (int i = 0; i < body.n; i++) {
    py_node *m = body.v[i];
    if (m->kind != PY_FUNCTION_DEF) continue;
    const char *op = sg__dunder_op(m->u.function_def.name);
    if (!op) continue;
    p_buf_puts(b, np++ ? ", " : ", \"protocols\": {");
    sg__str(b, m->u.function_def.name);
    p_buf_puts(b, ": ");
    sg__str(b, op);
  }
  if (np) p_buf_puts(b, "}");
}

static void sg__item(p_buf *b, const rs_program *p, const rs_scope *s, bool first) {
  p_buf_puts(b, first ? "\n      {" : ",\n      {");
  p_buf_puts(b, "\"kind\": ");
  sg__str(b, sg__kind(s));
  p_buf_puts(b, ", \"name\": ");
  sg__str(b, s->name);
  p_buf_puts(b, ", \"qualname\": ");
  sg__str(b, s->qualname);
  p_buf_printf(b, ", \"line\": %d", s->node ? s->node->line : 1);
  if (s->kind == RS_SC_CLASS) {
    p_buf_puts(b, ", \"rust\": \"rt::make_class (dynamic object)\"");
    sg__class(b, p, s);
  } else {
    p_buf_puts(b, ", \"rust\": ");
    char sig[512];
    snprintf(sig, sizeof sig, "fn %s(__g: &Value, __cl: &[Cell], __a: &[Value]) -> PyResult<Value>", s->rust_name);
    sg__str(b, sig);
    if (s->typed) {
      p_buf b2;
      p_buf_init(&b2, 0);
      p_buf_printf(&b2, "fn %s__fast(__d: u32", s->rust_name);
      py_arguments *a = s->node->u.function_def.args;
      for (int i = 0; i < a->all.n; i++) {
        char t = s->param_types[i];
        bool list = t == 'I' || t == 'F' || t == 'B'; /* copied in, and back when stored into */
        p_buf_printf(&b2, ", %s: %s%s", a->all.v[i]->u.arg.name, list ? "&mut " : "", rs_ty_rust(t));
      }
      p_buf_printf(&b2, ") -> %s", rs_ty_rust(s->ret_type));
      p_buf_puts(b, ", \"typed\": ");
      sg__str(b, b2.data);
      p_buf_free(&b2);
    }
    /* static: the unboxed twin runs when the arguments have the types it
     * was compiled for; dynamic: only the Value fn, and the first rule of
     * the typed subset that the function breaks, where */
    p_buf_printf(b, ", \"path\": \"%s\"", s->typed ? "static" : "dynamic");
    if (!s->typed && s->dyn_why) {
      p_buf_puts(b, ", \"dynamic_because\": {\"why\": ");
      sg__str(b, s->dyn_why);
      p_buf_printf(b, ", \"line\": %d, \"col\": %d}", s->dyn_line, s->dyn_col);
    }
    if (s->nfrees) {
      p_buf_puts(b, ", \"captures\": [");
      for (int i = 0; i < s->nfrees; i++) {
        if (i) p_buf_puts(b, ", ");
        sg__str(b, s->frees[i]);
      }
      p_buf_puts(b, "]");
    }
  }
  sg__py_types(b, p, s);
  /* how each name of the scope is stored */
  p_buf_puts(b, ", \"names\": {");
  int k = 0;
  for (int i = 0; i < s->nsyms; i++) {
    const rs_sym *y = &s->syms[i];
    if (k++) p_buf_puts(b, ", ");
    sg__str(b, y->name);
    p_buf_puts(b, ": ");
    sg__str(b, sg__bind_name(y->bind));
  }
  p_buf_puts(b, "}}");
}

int sg_spec_json(const rs_program *p, p_buf *out) {
  p_buf_puts(out, "{\n  \"format\": \"portalis-spec/1\",\n  \"modules\": [");
  for (int i = 0; i < p->nmods; i++) {
    const rs_module *m = &p->mods[i];
    p_buf_puts(out, i ? ",\n    {" : "\n    {");
    p_buf_puts(out, "\"python\": ");
    sg__str(out, m->py->path);
    p_buf_puts(out, ", \"name\": ");
    sg__str(out, m->py->name);
    if (m->crate_ref) /* a standard-library library crate (tr_stdlib.c) */
      p_buf_printf(out, ", \"rust\": \"stdlib/%s/src/%s.rs\", \"crate\": \"%s\",", m->crate_ref, m->rust_mod, m->crate_ref);
    else
      p_buf_printf(out, ", \"rust\": \"src/%s.rs\",", m->rust_mod);
    p_buf_puts(out, " \"body\": \"pub fn body(__g: &Value) -> PyResult<()>\",");
    p_buf_puts(out, "\n     \"items\": [");
    bool first = true;
    for (uint32_t id = 0; id < p->nids; id++) {
      rs_scope *s = p->scope_of[id];
      if (!s || s->mod != m || s->kind == RS_SC_MODULE || s->kind == RS_SC_COMP) continue;
      sg__item(out, p, s, first);
      first = false;
    }
    p_buf_puts(out, "]}");
  }
  p_buf_puts(out, "\n  ]\n}\n");
  return out->err;
}

int pl_stage_specgen(pl_job *job, p_err *e) {
  py_program *py = job->ast;
  if (!py) return p_err_set(e, P_EINTERNAL, "specgen: no AST (ingest did not run)");
  rs_program *prog;
  int rc = rs_program_build(job->arena, py, job->analysis, &prog, e);
  if (rc) {
    if (e->line) pl_diag_add(job, "error", e->file, e->line, e->col, NULL, "%s", e->msg);
    if (rc == P_EUNSUPPORTED) snprintf(job->reason, sizeof job->reason, "unsupported");
    return rc;
  }
  rs_lib_plan plan; /* which modules Transpile moves into library crates */
  rc = rs_lib_plan_build(prog, &plan, e);
  if (rc) return rc;
  sg_spec *spec = p_arena_alloc(job->arena, sizeof *spec);
  spec->prog = prog;
  p_buf b;
  p_buf_init(&b, 0);
  rc = sg_spec_json(prog, &b);
  if (rc) {
    p_buf_free(&b);
    return p_err_set(e, rc, "spec.json is too large");
  }
  spec->json = p_arena_strndup(job->arena, b.data, b.len);
  spec->json_len = b.len;
  p_buf_free(&b);
  int nitems = 0, ntyped = 0;
  for (int i = 0; i < prog->nmods; i++) {
    nitems += prog->mods[i].nfuncs;
    for (int k = 0; k < prog->mods[i].nfuncs; k++) ntyped += prog->mods[i].funcs[k]->typed;
  }
  pl_log(job, "spec: %d module(s), %d function(s), %d with an unboxed twin", prog->nmods, nitems, ntyped);
  rc = pl_artifact(job, "spec.json", "application/json", spec->json, spec->json_len, e);
  if (rc) return rc;
  job->spec = spec;
  return 0;
}
