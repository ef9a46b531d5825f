/*
 * an_json.c - the analysis.json artifact.
 *
 * One JSON document per job with what the Analysis agent found: the
 * modules and their imports, every scope with its symbols (binding, type,
 * why a type is dynamic, annotation), the functions with parameter and
 * return types, purity and callees, the classes with their attributes'
 * types, the loads flow typing made static, the annotation conflicts and
 * the typing counts. It reads only the public results of analysis.h:
 * nothing here can change what the passes decide.
 */
#include "analysis.h"

#include <stdlib.h>
#include <string.h>

static void an__json_str(p_buf *b, const char *s) { p_buf_json_str(b, s ? s : "", s ? strlen(s) : 0); }

static const char *const an__binding_names[] = {"unbound", "local", "global_explicit", "global_implicit",
                                                "nonlocal", "free", "cell", "builtin"};
static const char *const an__scope_names[] = {"module", "function", "class", "lambda", "comprehension"};

static void an__json_scope(p_buf *b, p_arena *a, const an_scope *s, bool *first_dyn, p_buf *dyn) {
  p_buf_puts(b, "{\"kind\":");
  an__json_str(b, an__scope_names[s->kind]);
  p_buf_puts(b, ",\"name\":");
  an__json_str(b, s->qualname);
  p_buf_printf(b, ",\"line\":%d", s->node->line);
  if (s->is_generator) p_buf_puts(b, ",\"generator\":true");
  if (s->uses_super) p_buf_puts(b, ",\"uses_super\":true");
  p_buf_puts(b, ",\"symbols\":[");
  for (int i = 0; i < s->nsyms; i++) {
    const an_symbol *y = &s->syms[i];
    if (i) p_buf_putc(b, ',');
    p_buf_puts(b, "{\"name\":");
    an__json_str(b, y->name);
    p_buf_puts(b, ",\"binding\":");
    an__json_str(b, an__binding_names[y->binding]);
    p_buf_puts(b, ",\"type\":");
    an__json_str(b, an_type_str(a, y->type));
    if (y->flags & AN_SYM_PARAM) p_buf_puts(b, ",\"param\":true");
    if (y->annotation) {
      p_buf_puts(b, ",\"annotation\":");
      an__json_str(b, y->annotation->text);
    }
    if (y->flags & AN_SYM_RANGE_NONNEG) p_buf_puts(b, ",\"nonneg\":true");
    if (y->flags & AN_SYM_RANGE_I32) p_buf_puts(b, ",\"fits_i32\":true");
    p_buf_putc(b, '}');
    if (y->why_dynamic && y->binding != AN_BUILTIN && (y->flags & (AN_SYM_ASSIGNED | AN_SYM_PARAM))) {
      if (!*first_dyn) p_buf_putc(dyn, ',');
      *first_dyn = false;
      p_buf_puts(dyn, "{\"scope\":");
      an__json_str(dyn, s->qualname);
      p_buf_puts(dyn, ",\"name\":");
      an__json_str(dyn, y->name);
      p_buf_puts(dyn, ",\"why\":");
      an__json_str(dyn, y->why_dynamic);
      p_buf_putc(dyn, '}');
    }
  }
  p_buf_puts(b, "],\"children\":[");
  for (int i = 0; i < s->nchildren; i++) {
    if (i) p_buf_putc(b, ',');
    an__json_scope(b, a, s->children[i], first_dyn, dyn);
  }
  p_buf_puts(b, "]}");
}

/* Loads whose flow type is static while the name's summary is dynamic. */
static void an__json_flow(p_buf *b, p_arena *a, const an_program *p, const py_node **v, int n) {
  p_buf_putc(b, '[');
  for (int i = 0; i < n; i++) {
    if (i) p_buf_putc(b, ',');
    p_buf_puts(b, "{\"name\":");
    an__json_str(b, v[i]->u.name.id);
    p_buf_printf(b, ",\"line\":%d,\"col\":%d,\"type\":", v[i]->line, v[i]->col);
    an__json_str(b, an_type_str(a, an_type_of(p, v[i])));
    p_buf_putc(b, '}');
  }
  p_buf_putc(b, ']');
}

static int an__constructs(py_node *n, void *ctx) {
  int *counts = ctx;
  counts[n->kind]++;
  if (n->kind == PY_FUNCTION_DEF && n->u.function_def.args)
    for (int i = 0; i < n->u.function_def.args->all.n; i++) an__constructs(n->u.function_def.args->all.v[i], ctx);
  return py_node_children(n, an__constructs, ctx);
}

const char *an_to_json(p_arena *a, const an_program *p) {
  p_buf b, dyn;
  p_buf_init(&b, 0);
  p_buf_init(&dyn, 0);
  p_buf_puts(&b, "{\"version\":1,\"entry\":");
  an__json_str(&b, p->entry ? p->entry->mod->path : NULL);
  p_buf_puts(&b, ",\"modules\":[");
  for (int i = 0; i < p->nmodules; i++) {
    const an_module *m = &p->modules[i];
    if (i) p_buf_putc(&b, ',');
    p_buf_puts(&b, "{\"name\":");
    an__json_str(&b, m->name);
    p_buf_puts(&b, ",\"path\":");
    an__json_str(&b, m->mod->path);
    p_buf_printf(&b, ",\"package\":%s,\"entry\":%s,\"in_cycle\":%s,\"lines\":%d,\"imports\":[",
                 m->mod->is_package ? "true" : "false", m->mod->is_entry ? "true" : "false",
                 m->in_cycle ? "true" : "false", m->mod->nlines);
    for (int j = 0; j < m->nimports; j++) {
      const an_import *im = &m->imports[j];
      if (j) p_buf_putc(&b, ',');
      p_buf_puts(&b, "{\"module\":");
      an__json_str(&b, im->module);
      if (im->name) {
        p_buf_puts(&b, ",\"name\":");
        an__json_str(&b, im->name);
      }
      p_buf_puts(&b, ",\"as\":");
      an__json_str(&b, im->asname);
      p_buf_printf(&b, ",\"kind\":\"%s\",\"line\":%d,\"col\":%d,\"conditional\":%s}",
                   im->missing_name ? (im->runtime_error ? "runtime_error" : "error")
                   : im->is_upload ? (im->is_submodule ? "upload_submodule" : "upload")
                                   : im->is_stdlib ? "stdlib" : im->runtime_error ? "runtime_error" : "error",
                   im->line, im->col, im->conditional ? "true" : "false");
    }
    p_buf_puts(&b, "],\"flow\":");
    an__json_flow(&b, a, p, m->flow_loads, m->nflow_loads);
    p_buf_puts(&b, "}");
  }
  p_buf_puts(&b, "],\"stdlib\":[");
  for (int i = 0; i < p->nstdlib; i++) {
    if (i) p_buf_putc(&b, ',');
    an__json_str(&b, p->stdlib_used[i]);
  }
  p_buf_puts(&b, "],\"functions\":[");
  for (int i = 0; i < p->nfuncs; i++) {
    const an_func *f = p->funcs[i];
    if (i) p_buf_putc(&b, ',');
    p_buf_puts(&b, "{\"name\":");
    an__json_str(&b, f->qualname);
    p_buf_puts(&b, ",\"file\":");
    an__json_str(&b, f->node->file);
    p_buf_printf(&b, ",\"line\":%d,\"params\":[", f->node->line);
    const py_arguments *pa = f->node->kind == PY_FUNCTION_DEF ? f->node->u.function_def.args : f->node->u.lambda.args;
    for (int k = 0; k < f->nparams; k++) {
      if (k) p_buf_putc(&b, ',');
      p_buf_puts(&b, "{\"name\":");
      an__json_str(&b, pa->all.v[k]->u.arg.name);
      p_buf_puts(&b, ",\"type\":");
      an__json_str(&b, an_type_str(a, f->param_types[k]));
      if (f->param_annots && f->param_annots[k]) {
        p_buf_puts(&b, ",\"annotation\":");
        an__json_str(&b, f->param_annots[k]->text);
      }
      p_buf_putc(&b, '}');
    }
    p_buf_puts(&b, "],\"returns\":");
    an__json_str(&b, an_type_str(a, f->return_type));
    if (f->return_annot) {
      p_buf_puts(&b, ",\"return_annotation\":");
      an__json_str(&b, f->return_annot->text);
    }
    p_buf_puts(&b, ",\"flow\":");
    an__json_flow(&b, a, p, f->flow_loads, f->nflow_loads);
    p_buf_printf(&b, ",\"pure\":%s,\"closed\":%s,\"generator\":%s,\"method\":%s,\"calls\":%d",
                 f->pure ? "true" : "false", f->closed ? "true" : "false", f->is_generator ? "true" : "false",
                 f->is_method ? "true" : "false", f->ncalls);
    if (!f->pure && f->impure_why) {
      p_buf_puts(&b, ",\"impure_why\":");
      an__json_str(&b, f->impure_why);
    }
    p_buf_puts(&b, ",\"callees\":[");
    for (int k = 0; k < f->ncallees; k++) {
      if (k) p_buf_putc(&b, ',');
      an__json_str(&b, f->callees[k]->qualname);
    }
    p_buf_puts(&b, "]}");
  }
  p_buf_puts(&b, "],\"classes\":[");
  for (int i = 0; i < p->nclasses; i++) {
    const an_class *k = p->classes[i];
    if (i) p_buf_putc(&b, ',');
    p_buf_puts(&b, "{\"name\":");
    an__json_str(&b, k->qualname);
    p_buf_printf(&b, ",\"line\":%d,\"dataclass\":%s,\"attributes\":[", k->node->line, k->is_dataclass ? "true" : "false");
    for (int j = 0; j < k->nattrs; j++) {
      if (j) p_buf_putc(&b, ',');
      p_buf_puts(&b, "{\"name\":");
      an__json_str(&b, k->attrs[j].name);
      p_buf_puts(&b, ",\"type\":");
      an__json_str(&b, an_type_str(a, k->attrs[j].type));
      p_buf_printf(&b, ",\"from_init\":%s,\"class_level\":%s", k->attrs[j].from_init ? "true" : "false",
                   k->attrs[j].class_level ? "true" : "false");
      if (k->attrs[j].why_dynamic) {
        p_buf_puts(&b, ",\"why_dynamic\":");
        an__json_str(&b, k->attrs[j].why_dynamic);
      }
      p_buf_putc(&b, '}');
    }
    p_buf_puts(&b, "]}");
  }
  p_buf_puts(&b, "],\"call_graph\":[");
  bool firstedge = true;
  for (int i = 0; i < p->nfuncs; i++)
    for (int k = 0; k < p->funcs[i]->ncallees; k++) {
      if (!firstedge) p_buf_putc(&b, ',');
      firstedge = false;
      p_buf_puts(&b, "[");
      an__json_str(&b, p->funcs[i]->qualname);
      p_buf_putc(&b, ',');
      an__json_str(&b, p->funcs[i]->callees[k]->qualname);
      p_buf_puts(&b, "]");
    }
  p_buf_puts(&b, "],\"scopes\":[");
  bool first_dyn = true;
  for (int i = 0; i < p->nmodules; i++) {
    if (i) p_buf_putc(&b, ',');
    an__json_scope(&b, a, p->modules[i].scope, &first_dyn, &dyn);
  }
  p_buf_puts(&b, "],\"dynamic\":[");
  p_buf_append(&b, dyn.data ? dyn.data : "", dyn.len);
  p_buf_puts(&b, "],\"constructs\":{");
  int *counts = p_xcalloc(PY__KIND_COUNT, sizeof(int));
  for (int i = 0; i < p->nmodules; i++) an__constructs(p->modules[i].mod->node, counts);
  bool firstc = true;
  for (int k = 1; k < PY__KIND_COUNT; k++) {
    if (!counts[k]) continue;
    if (!firstc) p_buf_putc(&b, ',');
    firstc = false;
    an__json_str(&b, py_kind_name((py_kind)k));
    p_buf_printf(&b, ":%d", counts[k]);
  }
  free(counts);
  p_buf_printf(&b, "},\"typing\":{\"names_static\":%d,\"names_dynamic\":%d,\"exprs_static\":%d,\"exprs_dynamic\":%d}",
               p->names_static, p->names_dynamic, p->exprs_static, p->exprs_dynamic);
  p_buf_puts(&b, ",\"annotation_conflicts\":[");
  for (int i = 0; i < p->nconflicts; i++) {
    const an_conflict *k = &p->conflicts[i];
    if (i) p_buf_putc(&b, ',');
    p_buf_puts(&b, "{\"file\":");
    an__json_str(&b, k->file);
    p_buf_printf(&b, ",\"line\":%d,\"col\":%d,\"scope\":", k->line, k->col);
    an__json_str(&b, k->scope);
    p_buf_puts(&b, ",\"name\":");
    an__json_str(&b, k->name);
    p_buf_puts(&b, ",\"annotated\":");
    an__json_str(&b, k->annotated);
    p_buf_puts(&b, ",\"inferred\":");
    an__json_str(&b, k->inferred);
    p_buf_putc(&b, '}');
  }
  p_buf_puts(&b, "]}");
  const char *r = p_arena_strndup(a, b.data ? b.data : "", b.len);
  p_buf_free(&b);
  p_buf_free(&dyn);
  return r;
}

