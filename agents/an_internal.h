/*
 * an_internal.h - what the files of the Analysis agent share among
 * themselves, and nobody else: the analysis context and the functions one
 * pass file offers the next. The public side (results, queries) is
 * analysis.h; code generation never includes this header.
 *
 * The files, each a pass or the layer under one, in the order they call
 * each other (a file calls only files above it in this list, never back):
 *   an_type.c    the type lattice: constructors, join, final form
 *   an_scope.c   pass 1, scopes as CPython's symtable; symbol queries
 *   an_unbound.c pass 1b, the locals a def may read unbound
 *   an_import.c  pass 2, modules and imports; the stdlib tables
 *   an_infer.c   pass 3, types by a fixed point with flow typing
 *   an_annot.c   annotations read and checked against pass 3
 *   an_json.c    analysis.json (public API only)
 *   analysis.c   the driver (an_analyze), purity, and the pipeline stage
 *
 * Everything allocated lives in the job arena unless a comment says
 * otherwise; an_ctx itself lives on an_analyze's stack for one run.
 */
#ifndef PORTALIS_AN_INTERNAL_H
#define PORTALIS_AN_INTERNAL_H

#include "analysis.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ context */

/* The state of one an_analyze run, shared by the passes. */
typedef struct an_ctx {
  p_arena *a;
  an_program *p;
  an_diag_fn diag;
  void *diag_ctx;
  int nerr_syntax, nerr_import;
  /* scope building */
  int funcs_cap, classes_cap;
  /* types */
  bool changed;
  bool uses_reflection;    /* globals(), setattr(), vars(), __dict__: attributes/globals dynamic */
  /* attribute stores anywhere: name -> joined type */
  struct { const char *name; const an_type *type; } *attr_stores;
  int nattr_stores, capattr_stores;
  const char **module_attr_writes; /* `mod.x = ...` names */
  int nmaw, capmaw;
  /* classes (see "classes" in an_infer.c) */
  bool class_of_escapes;   /* type(x) / x.__class__ used: a class object we do not follow */
  bool unknown_base;       /* a class whose base we cannot resolve: any class may be subclassed */
  const char **open_attrs; /* attribute names used other than as typed method calls */
  int nopen, capopen;
  const char **dyn_attrs;  /* attribute names stored through a receiver of unknown type */
  int ndyn, capdyn;
  /* final round: every expression recorded, for the typing counts and flow lists */
  struct an_rec { py_node *n; an_scope *s; an_func *f; an_module *m; bool flow; } *recs;
  int nrecs, caprecs;
  /* annotated assignments seen in the final round */
  struct an_annrec { py_node *st; an_scope *s; } *anns;
  int nanns, capanns;
  const py_node *benign_type_call; /* the type(x) of a type(x).__name__ being typed */
  bool *reach;             /* per module: the entry script can import it (an_import.c) */
} an_ctx;

/* Reports a diagnostic (a "warning: " prefix makes it a warning) through
 * the caller's an_diag_fn; msg is formatted into a 512-byte buffer. */
static inline void an_diag(an_ctx *c, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static inline void an_diag(an_ctx *c, const char *file, int line, int col, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c->diag) c->diag(c->diag_ctx, file, line, col, msg);
}

/* Room for one more element in an arena array (common/'s growable array);
 * returns v or its arena copy, *cap updated. */
static inline void *an_grow(p_arena *a, void *v, int n, int *cap, size_t sz) { return p_vec_grow(v, n, cap, n + 1, sz, a); }

/* ------------------------------------------------------------ an_type.c */

/* "No information yet", the lattice's bottom; never left in results. */
extern const an_type an_t_unknown;

static inline bool an_known(const an_type *t) { return t && t->kind != AN_T_UNKNOWN; }
static inline bool an_is(const an_type *t, an_type_kind k) { return t && t->kind == k; }

/* New container type k[elem] (dict: k[key, elem]) in c's arena; mutable
 * element types are made shallow (an_type_shallow). Inputs borrowed. */
const an_type *an_type_mk(an_ctx *c, an_type_kind k, const an_type *elem, const an_type *key);
/* t, or for a list/set/dict with known elements a copy with dynamic ones:
 * an inner container can be changed through aliases we do not follow. */
const an_type *an_type_shallow(an_ctx *c, const an_type *t);
/* New tuple type of items[0..n) (copied, each made shallow). */
const an_type *an_type_tuple(an_ctx *c, const an_type **items, int n);
/* Least upper bound: unknown < T < dynamic, containers element-wise.
 * Returns x, y, a static type or a new arena type. */
const an_type *an_type_join(an_ctx *c, const an_type *x, const an_type *y);
/* The element type when iterating a value of type t. */
const an_type *an_type_iter_elem(an_ctx *c, const an_type *t);
/* After the fixed point: unknown becomes dynamic, inside containers too. */
const an_type *an_type_final(an_ctx *c, const an_type *t);
/* Values of builtin types (None, numbers, str, bytes, containers): their
 * methods and attributes are never user code. */
bool an_builtin_value(const an_type *t);

/* ----------------------------------------------------------- an_scope.c */

/* Pass 1: a scope tree per module of c->p (whose modules[] are set up),
 * every name bound and classified. Errors counted in c->nerr_syntax. */
void an_scopes(an_ctx *c);
/* The module scope that s belongs to. */
an_scope *an_module_scope(an_scope *s);
/* The symbol a name read in s refers to (for types), or NULL for builtins
 * and names that stay dynamic (free/cell variables); *bout (may be NULL)
 * gets the binding. The symbol is borrowed from its scope. */
an_symbol *an_target_sym(an_scope *s, const char *name, an_binding *bout);

/* --------------------------------------------------------- an_unbound.c */

/* Pass 1b: AN_SYM_MAYBE_UNBOUND on the locals of every def that a read
 * may find unbound (after pass 1). */
void an_unbound(an_ctx *c);

/* ---------------------------------------------------------- an_import.c */

/* Pass 2: module names relative to the entry script, every import
 * resolved and recorded on its an_module, import cycles, and the imports
 * the translation cannot satisfy reported (c->nerr_import counts errors). */
void an_imports(an_ctx *c, py_program *prog);
/* The uploaded module called name, or NULL. */
an_module *an_find_module(an_program *p, const char *name);
/* After pass 3: `mod.name` uses of names a runtime module lacks. */
void an_missing_attrs(an_ctx *c);

/* ----------------------------------------------------------- an_infer.c */

/* Pass 3: every symbol, parameter, return, attribute and expression typed
 * (see an_infer.c); fills c->recs and c->anns for the passes after it. */
void an_types(an_ctx *c, py_program *prog);
/* k and its bases form a single-inheritance chain of plain user classes. */
bool an_chain_ok(const an_class *k);
/* Is anc k itself or one of its bases? */
bool an_inherits(const an_class *k, const an_class *anc);

/* ----------------------------------------------------------- an_annot.c */

/* Annotations of parameters, returns and annotated assignments recorded on
 * their symbols and functions, and conflicts with what pass 3 proves
 * reported; frees c->anns. */
void an_annotations(an_ctx *c);

#endif
