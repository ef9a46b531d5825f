/*
 * analysis.c - the Analysis agent: module graph, scopes and static types.
 *
 * Input: the py_program of Ingest. Output: an an_program (analysis.h) in
 * the job arena, the analysis.json artifact and a summary in the log.
 *
 * The passes, one file each, run in this order by an_analyze below:
 *  1. Scopes, as CPython's symtable (an_scope.c): names bound per scope
 *     and each name classified local / global / nonlocal / free / cell /
 *     builtin; then the locals each def may read unbound (an_unbound.c).
 *  2. Modules and imports (an_import.c): every import resolved to an
 *     uploaded module, a supported standard-library module or neither,
 *     and what the translation cannot satisfy reported where CPython
 *     would fail.
 *  3. Types (an_infer.c, over the lattice of an_type.c): a monotone fixed
 *     point over the whole program, flow-sensitive inside each function,
 *     with class instance attributes and the call graph; then annotations
 *     read and checked against it (an_annot.c).
 *  4. Purity over the call graph (below), then the JSON document
 *     (an_json.c).
 * an_internal.h holds what the files share (an_ctx and each pass's entry);
 * each file calls only the ones listed before it there.
 */
#include "an_internal.h"

/* ------------------------------------------------------------- purity */

/* Purity over the call graph: a function calling an impure one is impure. */
static void an__purity(an_ctx *c) {
  an_program *p = c->p;
  for (int i = 0; i < p->nfuncs; i++) {
    an_func *f = p->funcs[i];
    if (f->is_generator && f->pure) {
      f->pure = false;
      f->impure_why = "a generator";
    }
    if (f->node->kind == PY_LAMBDA && f->pure) {
      f->pure = false;
      f->impure_why = "a lambda (not analysed for purity)";
    }
  }
  bool ch = true;
  while (ch) {
    ch = false;
    for (int i = 0; i < p->nfuncs; i++) {
      an_func *f = p->funcs[i];
      if (!f->pure) continue;
      for (int j = 0; j < f->ncallees; j++)
        if (!f->callees[j]->pure) {
          f->pure = false;
          f->impure_why = "calls an impure function";
          ch = true;
          break;
        }
    }
  }
}

/* ------------------------------------------------------------- driver */

int an_analyze(p_arena *a, py_program *prog, an_program **out, an_diag_fn diag, void *diag_ctx, p_err *e) {
  an_ctx c;
  memset(&c, 0, sizeof c);
  c.a = a;
  c.diag = diag;
  c.diag_ctx = diag_ctx;
  an_program *p = p_arena_alloc(a, sizeof *p);
  c.p = p;
  p->ast = prog;
  p->scope_by_id = p_arena_alloc(a, sizeof(an_scope *) * (size_t)(prog->nnodes + 2));
  p->type_by_id = p_arena_alloc(a, sizeof(an_type *) * (size_t)(prog->nnodes + 2));
  p->nmodules = prog->nmodules;
  p->modules = p_arena_alloc(a, sizeof(an_module) * (size_t)(prog->nmodules + 1));
  p->closed_world = prog->entry != NULL;
  /* a library's importers are unseen: any of them may rebind its names */
  if (prog->library) c.uses_reflection = true;
  for (int i = 0; i < prog->nmodules; i++) {
    an_module *m = &p->modules[i];
    m->mod = prog->modules[i];
    m->name = m->mod->is_entry ? "__main__" : m->mod->name;
    if (m->mod->is_entry) p->entry = m;
  }
  an_scopes(&c);
  an_unbound(&c);
  an_imports(&c, prog);
  an_types(&c, prog);
  an_annotations(&c);
  an__purity(&c);
  if (!c.nerr_import) an_missing_attrs(&c);
  free(c.module_attr_writes);
  *out = p;
  if (c.nerr_syntax) return p_err_set(e, P_ESYNTAX, "%d scope error(s)", c.nerr_syntax);
  if (c.nerr_import) return p_err_set(e, P_EIMPORT, "%d unresolved import(s)", c.nerr_import);
  return 0;
}

/* -------------------------------------------------------------- stage */

static void an__job_diag(void *ctx, const char *file, int line, int col, const char *msg) {
  pl_job *job = ctx;
  const pl_file *f = pl_job_find_file(job, file);
  char src[512] = "";
  if (f && line > 0) {
    const char *s = f->data;
    for (int l = 1; l < line && s; l++) {
      s = strchr(s, '\n');
      if (s) s++;
    }
    if (s) {
      size_t n = strcspn(s, "\r\n");
      if (n >= sizeof src) n = sizeof src - 1;
      memcpy(src, s, n);
      src[n] = 0;
    }
  }
  bool warning = !strncmp(msg, "warning: ", 9);
  pl_diag_add(job, warning ? "warning" : "error", file, line, col, src[0] ? src : NULL, "%s", warning ? msg + 9 : msg);
  pl_log(job, "%s:%d:%d: %s", file, line, col, msg);
}

int pl_stage_analysis(pl_job *job, p_err *e) {
  py_program *prog = job->ast;
  if (!prog) return p_err_set(e, P_EINTERNAL, "analysis needs the ingest stage's AST");
  int64_t t0 = p_mono_ms();
  an_program *p = NULL;
  int rc = an_analyze(job->arena, prog, &p, an__job_diag, job, e);
  if (rc == P_EIMPORT) {
    snprintf(job->reason, sizeof job->reason, "import_error");
    snprintf(job->message, sizeof job->message, "%s", e->msg);
    return rc;
  }
  if (rc == P_ESYNTAX) {
    snprintf(job->reason, sizeof job->reason, "syntax_error");
    snprintf(job->message, sizeof job->message, "%s", e->msg);
    return rc;
  }
  if (rc) return rc;
  job->analysis = p;
  const char *json = an_to_json(job->arena, p);
  rc = pl_artifact(job, "analysis.json", "application/json", json, strlen(json), e);
  if (rc) return rc;
  int typed = 0, pure = 0, ndyn = 0, nimp = 0;
  for (int i = 0; i < p->nfuncs; i++) {
    an_func *f = p->funcs[i];
    bool all = f->return_type->kind != AN_T_DYNAMIC;
    for (int k = 0; k < f->nparams; k++)
      if (f->param_types[k]->kind == AN_T_DYNAMIC) all = false;
    typed += all;
    pure += f->pure;
  }
  for (int i = 0; i < p->nmodules; i++) nimp += p->modules[i].nimports;
  for (uint32_t i = 1; i <= prog->nnodes; i++)
    if (p->type_by_id[i] && p->type_by_id[i]->kind == AN_T_DYNAMIC) ndyn++;
  pl_log(job, "analysed %d module(s), %d import(s) (%d stdlib module(s)), %d function(s) (%d fully typed, %d pure), "
         "%d class(es), %d dynamic expression(s), name loads %d static / %d dynamic, %d annotation conflict(s) in %lld ms",
         p->nmodules, nimp, p->nstdlib, p->nfuncs, typed, pure, p->nclasses, ndyn, p->names_static, p->names_dynamic,
         p->nconflicts, (long long)(p_mono_ms() - t0));
  for (int i = 0; i < p->nfuncs; i++) {
    an_func *f = p->funcs[i];
    if (f->node->kind != PY_FUNCTION_DEF) continue;
    p_buf b;
    p_buf_init(&b, 4096);
    for (int k = 0; k < f->nparams; k++)
      p_buf_printf(&b, "%s%s: %s", k ? ", " : "", f->node->u.function_def.args->all.v[k]->u.arg.name,
                   an_type_str(job->arena, f->param_types[k]));
    pl_log(job, "  %s(%s) -> %s%s", f->qualname, b.data ? b.data : "", an_type_str(job->arena, f->return_type),
           f->pure ? " [pure]" : "");
    p_buf_free(&b);
  }
  return 0;
}

