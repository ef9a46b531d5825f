/*
 * specgen.c - the SpecGen stage: decides the Rust shape of every Python item
 * before any code is written, and writes it down as spec.json.
 *
 * The decisions themselves are made by rs_program_build (rs_scope.c): which
 * Rust fn each def/lambda/generator expression becomes, how each name is
 * stored (local, cell, module dict, class namespace), which functions get
 * an unboxed i64 twin. SpecGen runs it once, hands the result to Transpile
 * through job->spec, and records it as a readable artifact: for each module
 * its Rust module, and for each item the Python name, qualname and line
 * against the Rust signature, so that a reader of the generated crate (or
 * of a compile error) finds the Python behind every fn.
 *
 * Classes are dynamic objects built by rt::make_class at run time (their
 * namespace is whatever the body assigns); they appear in the spec with the
 * Rust fns of their methods.
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
      for (int i = 0; i < a->all.n; i++)
        p_buf_printf(&b2, ", %s: %s", a->all.v[i]->u.arg.name, s->param_types[i] == 'f' ? "f64" : "i64");
      p_buf_printf(&b2, ") -> %s", s->ret_type == 'f' ? "f64" : "i64");
      p_buf_puts(b, ", \"typed\": ");
      sg__str(b, b2.data);
      p_buf_free(&b2);
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
    p_buf_printf(out, ", \"rust\": \"src/%s.rs\", \"body\": \"pub fn body(__g: &Value) -> PyResult<()>\",", m->rust_mod);
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
