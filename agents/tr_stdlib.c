/*
 * tr_stdlib.c - standard-library modules compiled from CPython's source, as
 * library crates of their own that a job links only when it imports them.
 *
 * Ingest adds every standard-library module the program imports that the
 * runtime lacks (graphlib.py, html/__init__.py, ...) to the job as a Python
 * module, and the translator compiles it like an uploaded one. Compiled
 * inside each job's crate, html alone (html.entities is a 2,231-entry dict)
 * cost every job that imported it a minute of rustc. So the Transpile
 * stage moves those modules out of the job's crate into library crates
 * under stdlib/ that the Build stage compiles once, caches by content and
 * links into every job that needs them (build.c, "libraries"):
 *
 *   1. The plan (rs_lib_plan_build). The standard-library modules of the
 *      job and the imports between them (Analysis's, conditional ones too)
 *      form a graph; each strongly connected component (modules that import
 *      each other must share a crate: crates cannot depend in a cycle)
 *      becomes one library crate, named after its first module
 *      ("plib_html"), and the job's code names a module of it as
 *      plib_html::m_html instead of crate::m_html. A standard-library
 *      module that imports one of the upload's modules (the upload shadows
 *      a name it uses) cannot be compiled apart from that upload: then
 *      nothing moves, and everything stays in the job's crate as before.
 *
 *   2. The library's code (rs_lib_gen). It must not depend on the program
 *      that imports it, or the cache would hand one job's library to
 *      another whose program it does not fit: so each library is
 *      translated anew, from a fresh parse of its modules and of every
 *      module they import (the libraries it depends on), without the job's
 *      modules, in library mode (py_program.library): no entry script, so
 *      no call site is assumed known, and Analysis treats the modules as
 *      imported as a whole and open to reflection, since unseen code may
 *      rebind any of their names. What comes out depends only on those
 *      sources and the translator, and build.c keys the cache on exactly
 *      that text (with the toolchain and the runtime's digest).
 *
 * Files of a library (paths relative to the job's crate):
 *   stdlib/<crate>/Cargo.toml, stdlib/<crate>/src/lib.rs (`pub mod` per
 *   module), stdlib/<crate>/src/m_<module>.rs; and stdlib/Units, one line
 *   per library in build order: its crate name, then the crates it needs
 *   (transitively, in build order).
 */
#include "analysis.h"
#include "transpile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- plan */

typedef struct {
  rs_program *p;
  const an_program *an;
  int n;          /* modules */
  bool **edge;    /* edge[i][j]: standard-library module i imports j */
  int *index, *low, *stack, sp, counter;
  bool *on;
  int *comp;      /* component of each module, -1 before */
  int ncomp;
} lib__scc;

static int lib__find(const rs_program *p, const char *name) {
  for (int i = 0; i < p->nmods; i++)
    if (strcmp(p->mods[i].py->name, name) == 0) return i;
  return -1;
}

/* Marks i -> (module `name` and the packages above it). Returns false when
 * one of them is an uploaded module (the library would depend on it). */
static bool lib__edge(lib__scc *s, int i, const char *name) {
  p_arena *a = s->p->arena;
  char *d = p_arena_strdup(a, name);
  for (char *q = d;; q++) {
    if (*q == '.' || *q == 0) {
      char save = *q;
      *q = 0;
      int j = lib__find(s->p, d);
      if (j >= 0 && !s->p->mods[j].py->is_stdlib) return false;
      if (j >= 0 && j != i) s->edge[i][j] = true;
      *q = save;
    }
    if (!*q) break;
  }
  return true;
}

/* Tarjan: components come out dependencies first. */
static void lib__strong(lib__scc *s, int v) {
  s->index[v] = s->low[v] = ++s->counter;
  s->stack[s->sp++] = v;
  s->on[v] = true;
  for (int w = 0; w < s->n; w++) {
    if (!s->edge[v][w]) continue;
    if (!s->index[w]) {
      lib__strong(s, w);
      if (s->low[w] < s->low[v]) s->low[v] = s->low[w];
    } else if (s->on[w] && s->index[w] < s->low[v]) {
      s->low[v] = s->index[w];
    }
  }
  if (s->low[v] != s->index[v]) return;
  int w;
  do {
    w = s->stack[--s->sp];
    s->on[w] = false;
    s->comp[w] = s->ncomp;
  } while (w != v);
  s->ncomp++;
}

int rs_lib_plan_build(rs_program *p, rs_lib_plan *plan, p_err *e) {
  memset(plan, 0, sizeof *plan);
  const an_program *an = p->an;
  p_arena *a = p->arena;
  int nstd = 0;
  for (int i = 0; i < p->nmods; i++) nstd += p->mods[i].py->is_stdlib;
  if (!nstd || p->py->library || !an || an->nmodules != p->nmods) return 0;
  lib__scc s = {.p = p, .an = an, .n = p->nmods};
  s.edge = p_arena_alloc(a, sizeof(bool *) * (size_t)s.n);
  for (int i = 0; i < s.n; i++) {
    s.edge[i] = p_arena_alloc(a, (size_t)s.n);
    memset(s.edge[i], 0, (size_t)s.n);
  }
  for (int i = 0; i < s.n; i++) {
    if (an->modules[i].mod != p->mods[i].py) return p_err_set(e, P_EINTERNAL, "internal: module order differs");
    if (!p->mods[i].py->is_stdlib) continue;
    const an_module *m = &an->modules[i];
    for (int k = 0; k < m->nimports; k++) {
      const an_import *im = &m->imports[k];
      if (!im->is_upload) continue;
      const char *t = im->is_submodule ? p_arena_printf(a, "%s.%s", im->module, im->name) : im->module;
      if (!lib__edge(&s, i, t)) return 0; /* it imports the upload's own module: keep one crate */
    }
  }
  s.index = p_arena_alloc(a, sizeof(int) * (size_t)s.n);
  s.low = p_arena_alloc(a, sizeof(int) * (size_t)s.n);
  s.stack = p_arena_alloc(a, sizeof(int) * (size_t)s.n);
  s.comp = p_arena_alloc(a, sizeof(int) * (size_t)s.n);
  s.on = p_arena_alloc(a, (size_t)s.n);
  for (int i = 0; i < s.n; i++) {
    s.index[i] = 0;
    s.comp[i] = -1;
    s.on[i] = false;
  }
  for (int i = 0; i < s.n; i++)
    if (p->mods[i].py->is_stdlib && !s.index[i]) lib__strong(&s, i);
  /* every component here is standard-library modules only: an upload
   * module is never reached from one (lib__edge) */
  plan->nlibs = s.ncomp;
  plan->libs = p_arena_alloc(a, sizeof(rs_lib) * (size_t)(s.ncomp ? s.ncomp : 1));
  for (int c = 0; c < s.ncomp; c++) {
    rs_lib *l = &plan->libs[c];
    memset(l, 0, sizeof *l);
    l->mods = p_arena_alloc(a, sizeof(int) * (size_t)s.n);
    l->deps = p_arena_alloc(a, sizeof(int) * (size_t)(s.ncomp + 1));
    const char *first = NULL;
    for (int i = 0; i < s.n; i++) {
      if (s.comp[i] != c) continue;
      l->mods[l->nmods++] = i;
      if (!first || strcmp(p->mods[i].py->name, first) < 0) first = p->mods[i].py->name;
    }
    l->crate = p_arena_printf(a, "plib_%s", rs_mod_ident(a, first) + 2);
    /* the libraries it needs, transitively: a component only reaches
     * components found before it */
    bool *need = p_arena_alloc(a, (size_t)(s.ncomp + 1));
    memset(need, 0, (size_t)(s.ncomp + 1));
    for (int k = 0; k < l->nmods; k++)
      for (int j = 0; j < s.n; j++)
        if (s.edge[l->mods[k]][j] && s.comp[j] != c) need[s.comp[j]] = true;
    for (int d = c - 1; d >= 0; d--)
      if (need[d])
        for (int k = 0; k < plan->libs[d].ndeps; k++) need[plan->libs[d].deps[k]] = true;
    for (int d = 0; d < c; d++)
      if (need[d]) l->deps[l->ndeps++] = d;
  }
  for (int c = 0; c < s.ncomp; c++)
    for (int k = 0; k < plan->libs[c].nmods; k++) p->mods[plan->libs[c].mods[k]].crate_ref = plan->libs[c].crate;
  return 0;
}

/* ----------------------------------------------------------- the code */

static void lib__add(p_arena *a, rs_file **files, int *n, int *cap, const char *path, const p_buf *b) {
  *files = p_vec_grow(*files, *n, cap, *n + 1, sizeof **files, a);
  rs_file *f = &(*files)[(*n)++];
  f->path = path;
  f->text = p_arena_strndup(a, b->data ? b->data : "", b->len);
  f->len = b->len;
}

int rs_lib_gen(rs_program *p, const rs_lib_plan *plan, int li, rs_file **files, int *nfiles, p_err *e) {
  p_arena *a = p->arena;
  const rs_lib *l = &plan->libs[li];
  *files = NULL;
  *nfiles = 0;
  int cap = 0;
  /* the library's modules and those of the libraries it needs, parsed anew */
  int nm = l->nmods;
  for (int k = 0; k < l->ndeps; k++) nm += plan->libs[l->deps[k]].nmods;
  py_program *lp = p_arena_alloc(a, sizeof *lp);
  memset(lp, 0, sizeof *lp);
  lp->library = true;
  lp->modules = p_arena_alloc(a, sizeof(py_module *) * (size_t)nm);
  const char **crate_of = p_arena_alloc(a, sizeof(char *) * (size_t)nm);
  uint32_t next_id = 1;
  for (int k = -1; k < l->ndeps; k++) {
    const rs_lib *from = k < 0 ? l : &plan->libs[l->deps[k]];
    for (int i = 0; i < from->nmods; i++) {
      const py_module *src = p->mods[from->mods[i]].py;
      py_syntax_error se;
      py_module *m;
      int rc = py_stdlib_reparse(a, src, &next_id, &m, &se);
      if (rc) return p_err_at(e, (p_code)rc, src->path, se.line, se.col, "%s: %s", se.kind, se.msg);
      crate_of[lp->nmodules] = k < 0 ? NULL : from->crate;
      lp->modules[lp->nmodules++] = m;
    }
  }
  lp->nnodes = next_id - 1;
  an_program *an = NULL;
  p_err ae = {0};
  int rc = an_analyze(a, lp, &an, NULL, NULL, &ae);
  if (rc && rc != P_EIMPORT) return p_err_set(e, (p_code)rc, "library %s: %s", l->crate, ae.msg);
  rs_program *rp;
  rc = rs_program_build(a, lp, an, &rp, e);
  if (rc) return rc;
  p_buf b, lib;
  p_buf_init(&b, 0);
  p_buf_init(&lib, 0);
  p_buf_puts(&lib, "// Generated by Portalis: standard-library modules compiled from CPython's source, as a library\n"
                   "// crate of their own (agents/tr_stdlib.c). Regenerate instead of editing.\n"
                   "#![allow(warnings)]\n#![recursion_limit = \"1024\"]\n\n");
  for (int i = 0; i < rp->nmods && !rc; i++) {
    rs_module *m = &rp->mods[i];
    m->crate_ref = crate_of[i];
    if (m->crate_ref) continue;
    /* the job names it by the same Rust module name */
    if (strcmp(m->rust_mod, rs_mod_ident(a, m->py->name)) != 0)
      rc = p_err_set(e, P_EINTERNAL, "library %s: module %s is %s here", l->crate, m->py->name, m->rust_mod);
  }
  for (int i = 0; i < rp->nmods && !rc; i++) {
    rs_module *m = &rp->mods[i];
    if (m->crate_ref) continue;
    p_buf_printf(&lib, "pub mod %s; // %s\n", m->rust_mod, m->py->path);
    p_buf_reset(&b);
    rc = rs_gen_module(rp, m, &b, e);
    if (!rc) lib__add(a, files, nfiles, &cap, p_arena_printf(a, "stdlib/%s/src/%s.rs", l->crate, m->rust_mod), &b);
  }
  if (!rc) {
    lib__add(a, files, nfiles, &cap, p_arena_printf(a, "stdlib/%s/src/lib.rs", l->crate), &lib);
    p_buf_reset(&b);
    p_buf_printf(&b,
                 "# Generated by Portalis.\n[package]\nname = \"%s\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
                 "[lib]\npath = \"src/lib.rs\"\n\n[dependencies]\n"
                 "portalis_rt = { path = \"../../../portalis_rt\" } # the package's layout (agents/package.c)\n",
                 l->crate);
    for (int k = 0; k < l->ndeps; k++)
      p_buf_printf(&b, "%s = { path = \"../%s\" }\n", plan->libs[l->deps[k]].crate, plan->libs[l->deps[k]].crate);
    lib__add(a, files, nfiles, &cap, p_arena_printf(a, "stdlib/%s/Cargo.toml", l->crate), &b);
  }
  if (!rc && (b.err || lib.err)) rc = p_err_set(e, P_ETOOBIG, "generated Rust is too large");
  p_buf_free(&b);
  p_buf_free(&lib);
  return rc;
}
