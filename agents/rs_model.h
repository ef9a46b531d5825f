/*
 * rs_model.h - the translator's program model: what SpecGen decides and
 * code generation emits, built by rs_scope.c from the AST and the
 * Analysis results.
 *
 * The model (DESIGN.md section 3): every Python module becomes one Rust
 * module `m_<dotted_name>` with a `pub fn body(__g: &Value) -> PyResult<()>`
 * that runs the module's top-level code against its module object `__g`;
 * every Python function, method, lambda and generator expression becomes
 * one top-level Rust fn
 *
 *     fn <qualname>(__g: &Value, __cl: &[Cell], __a: &[Value]) -> PyResult<Value>
 *
 * where `__cl` are the closure cells it captured (free variables, in the
 * order of rs_scope.frees) and `__a` the bound arguments in parameter order
 * (the runtime's make_function does CPython's argument binding). Values are
 * the runtime's dynamic `Value` everywhere; functions that are provably pure
 * int/float code also get an unboxed twin (`<name>__i64`) that the dynamic
 * fn tries first. All runtime calls go through docs/runtime-api.md; helpers
 * the contract lacks live in agents/runtime/src/extra.rs (`rx::`).
 *
 * Memory: everything here lives in the job's p_arena (or the arena passed
 * in); nothing is freed on its own. Input AST nodes are borrowed.
 */
#ifndef PORTALIS_RS_MODEL_H
#define PORTALIS_RS_MODEL_H

#include "../common/util.h"
#include "ast.h"

#include <stdbool.h>
#include <stdint.h>

/* ------------------------------------------------------------ rs_scope.c */

typedef enum rs_scope_kind {
  RS_SC_MODULE = 0,
  RS_SC_FUNC,    /* def (sync or generator) */
  RS_SC_LAMBDA,
  RS_SC_CLASS,   /* class body: emitted inline in the defining Rust fn */
  RS_SC_COMP,    /* list/set/dict comprehension: emitted inline as a block */
  RS_SC_GENEXP   /* generator expression: its own Rust fn (a generator) */
} rs_scope_kind;

/* Where a name lives at run time, as seen from one scope. */
typedef enum rs_bind {
  RS_BIND_GLOBAL = 0, /* module dict: rt::mod_get / mod_set */
  RS_BIND_LOCAL,      /* a plain Rust `let mut` Value */
  RS_BIND_CELL,       /* a local captured by an inner function: a Rust Cell */
  RS_BIND_FREE,       /* captured from an enclosing function: Cell from __cl */
  RS_BIND_CLASSNS,    /* class body namespace: rx::ns_get / ns_set */
  RS_BIND_OUTER       /* comprehension/class: resolve in the enclosing scope */
} rs_bind;

enum {
  RS_F_BOUND = 1,     /* assigned, imported, def'd, a loop/with/except target */
  RS_F_USED = 2,      /* read */
  RS_F_PARAM = 4,
  RS_F_GLOBAL = 8,    /* declared global */
  RS_F_NONLOCAL = 16, /* declared nonlocal */
  RS_F_CAPTURED = 32, /* an inner function reads it: becomes a cell */
  RS_F_MAYBE_UNBOUND = 64, /* a local that may be read before assignment (or after del):
                              reads check for UnboundLocalError */
  RS_F_STORED = 128        /* bound or deleted by a statement of its scope (not only as a parameter) */
};

typedef struct rs_sym {
  const char *name;   /* Python name (borrowed from the AST) */
  const char *rname;  /* Rust identifier for locals/cells (keywords escaped) */
  unsigned flags;
  rs_bind bind;
  char rflag;         /* while a typed region is emitted: 'L' read before written in it
                         (unboxed at entry), 'S' only written first (boxed back when set) */
  char ty;            /* typed fast path: 'i' (i64), 'f' (f64), 'b' (bool) local, or a
                         list that only this fn sees: 'I' Vec<i64>, 'F' Vec<f64>,
                         'B' Vec<bool>; 0 = untyped */
} rs_sym;

typedef struct rs_module rs_module;

/* A loop of a dynamic fn that runs unboxed (rs_scope.c decides, rs_gen.c
 * emits): the locals' fast-path types and region flags while it runs, one
 * entry per symbol of the fn. */
typedef struct rs_region {
  py_node *loop;            /* the For or While statement */
  char *ty;                 /* per symbol: as rs_sym.ty */
  char *flag;               /* per symbol: as rs_sym.rflag */
} rs_region;

typedef struct rs_scope {
  rs_scope_kind kind;
  py_node *node;            /* Module, FunctionDef, Lambda, ClassDef or comprehension */
  struct rs_scope *parent;
  rs_module *mod;
  const char *name;         /* "f", "<lambda>", "<genexpr>", class name */
  const char *qualname;     /* CPython __qualname__ */
  const char *rust_name;    /* Rust fn name (function-like scopes), unique in the module */
  const struct an_scope *an; /* the Analysis scope of node (borrowed): the source of every binding */
  rs_sym *syms;             /* one per Analysis symbol, in its order */
  int nsyms, capsyms;
  const char **frees;       /* captured cells (Analysis free/nonlocal), in __cl order */
  int nfrees, capfrees;
  bool is_generator;        /* def containing yield, a genexp, or an async def: the body is an async block */
  bool is_async;            /* async def: a coroutine (an async generator when it yields: has_yield) */
  bool has_yield;           /* async def containing yield */
  bool class_cell;          /* func: uses super()/__class__; class: provides the cell */
  /* typed fast path (rs_scope.c decides, rs_gen.c emits) */
  bool typed;               /* an unboxed twin <rust_name>__fast is emitted */
  char *param_types;        /* per parameter 'i', 'f', or a list copied in: 'I', 'F', 'B' */
  char ret_type;            /* 'i', 'f', 'b', or 'n' (returns None) */
  const char *dyn_why;      /* no twin: the first rule the body breaks (static text) */
  int dyn_line, dyn_col;    /* ... and where */
  rs_region *regions;       /* loops of this (untyped) fn that run unboxed */
  int nregions;
} rs_scope;

struct rs_module {
  py_module *py;
  const char *rust_mod;     /* "m_main", "m_pkg_util" */
  const char *crate_ref;    /* the crate that holds it: NULL for this one, else a library
                               crate of standard-library modules ("plib_html", tr_stdlib.c) */
  rs_scope *scope;          /* the module scope */
  rs_scope **funcs;         /* function-like scopes (FUNC, LAMBDA, GENEXP) in source order */
  int nfuncs, capfuncs;
};

typedef struct rs_program {
  p_arena *arena;
  py_program *py;
  rs_module *mods;
  int nmods;
  rs_scope **scope_of;      /* by node id: the scope a def/lambda/class/comp node opens */
  uint32_t nids;
  const struct an_program *an; /* Analysis results (borrowed) */
} rs_program;

struct an_program;
/* Builds scopes, Rust bindings, Rust names and fast-path decisions for a
 * parsed program. an (the Analysis results for py, required) is the one
 * source of every name's scope classification; it also refines which
 * parameters the fast path treats as floats. All allocations in a. Returns
 * 0, P_EINTERNAL when an is NULL or lacks a scope, P_EUNSUPPORTED with *e
 * positioned at the construct, or P_ETOOBIG when nesting is too deep. */
int rs_program_build(p_arena *a, py_program *py, const struct an_program *an, rs_program **out, p_err *e);
/* Does code store into items of the list named name (name[i] = ..., name[i] op= ...)?
 * Only such lists are copied back after unboxed code ran. */
bool rs_stores_items(py_nodes code, const char *name);
/* The typed region a loop statement of f is, or NULL. */
rs_region *rs_region_of(rs_scope *f, const py_node *stmt);
/* The Rust type of a fast-path type letter ('i' -> "i64", 'F' -> "Vec<f64>",
 * 'n' -> "()"); static string. */
const char *rs_ty_rust(char t);
/* Fast-path type of expression n inside typed function f: 'i', 'f', 'b',
 * 'I', 'F', 'B' or 0. */
char rs_ty_of(rs_module *m, rs_scope *f, py_node *n);
/* The symbol of name in scope s, NULL if s never mentions it. Borrowed. */
rs_sym *rs_scope_sym(rs_scope *s, const char *name);
/* The module of the program with this dotted name, NULL if none. */
rs_module *rs_program_module(rs_program *p, const char *dotted);
/* A Python identifier as a Rust identifier (keywords escaped). Arena string. */
const char *rs_ident(p_arena *a, const char *name);

#endif
