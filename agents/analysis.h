/*
 * analysis.h - the Analysis agent's results: module graph, scopes, types.
 *
 * What the code generator asks of this header, in order of importance:
 *   1. an_scope_of(prog, node) + an_lookup(scope, name): how each name in
 *      each function/class/lambda/comprehension binds (local, global,
 *      nonlocal, free, cell, builtin), exactly as CPython's symtable.
 *   2. an_func_of(prog, def_node): inferred parameter/return types, local
 *      types, purity. A static type is only ever given when it is certain
 *      for every execution; otherwise the answer is "dynamic".
 *   3. The module graph (an_module, an_import) with stdlib imports.
 * an_type_of(prog, expr_node), the static type of one expression, is asked
 * by the tests and the analysis JSON dump, not by the code generator.
 *
 * Everything lives in the job arena (job->analysis points to an
 * an_program after the stage). All pointers are borrowed from it. After
 * analysis, the `an` slot of each FunctionDef/Lambda node points to its
 * an_func and that of each ClassDef to its an_class.
 */
#ifndef PORTALIS_ANALYSIS_H
#define PORTALIS_ANALYSIS_H

#include "../common/util.h"
#include "ast.h"
#include "pipeline.h"

#include <stdbool.h>
#include <stdint.h>

/* ---------------------------------------------------------------- types */

typedef enum an_type_kind {
  AN_T_UNKNOWN = 0, /* internal "bottom" (no information yet); never in results */
  AN_T_DYNAMIC,     /* not statically known: boxed value with Python semantics */
  AN_T_NONE,
  AN_T_BOOL,
  AN_T_INT,         /* Python int (unbounded); range facts: AN_SYM_RANGE_* flags */
  AN_T_FLOAT,
  AN_T_STR,
  AN_T_BYTES,
  AN_T_LIST,        /* elem */
  AN_T_TUPLE,       /* items[nitems] (fixed shape) */
  AN_T_DICT,        /* key, elem */
  AN_T_SET,         /* elem */
  AN_T_FUNCTION,    /* func */
  AN_T_CLASS,       /* cls (the class object itself) */
  AN_T_INSTANCE,    /* cls (an instance of a user class) */
  AN_T_MODULE,      /* module */
} an_type_kind;

typedef struct an_func an_func;
typedef struct an_program an_program;
typedef struct an_class an_class;
typedef struct an_module an_module;

typedef struct an_type {
  an_type_kind kind;
  const struct an_type *elem;   /* list/set element, dict value */
  const struct an_type *key;    /* dict key */
  const struct an_type **items; /* tuple items */
  int nitems;
  an_func *func;
  an_class *cls;
  an_module *module;
} an_type;

/* A parsed annotation: CPython does not enforce annotations, so they are
 * never a static type by themselves; they are reported next to the
 * inferred types and checked against them (an_conflict). alts are the
 * alternatives of a union (`int | None`, Optional[int]); a dynamic
 * alternative (Any, object, an unknown form) accepts every value. */
typedef struct an_annot {
  const char *text;              /* normalised source form: "list[int] | None" */
  const struct an_type **alts;
  int nalts;
} an_annot;

/* Shared immutable types (static storage). */
extern const an_type an_t_dynamic, an_t_none, an_t_bool, an_t_int, an_t_float, an_t_str, an_t_bytes;

/* "int", "list[int]", "dict[str, float]", "tuple[int, str]", "dynamic",
 * "Point" (instance), "class Point", "function f". Arena string. */
const char *an_type_str(p_arena *a, const an_type *t);
bool an_type_eq(const an_type *x, const an_type *y);

/* -------------------------------------------------------------- scopes */

typedef enum an_scope_kind {
  AN_SCOPE_MODULE,
  AN_SCOPE_FUNCTION,
  AN_SCOPE_CLASS,
  AN_SCOPE_LAMBDA,
  AN_SCOPE_COMPREHENSION, /* list/set/dict comprehension and generator expression */
} an_scope_kind;

/* How a name binds in a scope (CPython's symtable terms). */
typedef enum an_binding {
  AN_UNBOUND = 0,       /* not a name of this scope (an_lookup's "not found") */
  AN_LOCAL,             /* bound in this function/class/comprehension scope */
  AN_GLOBAL_EXPLICIT,   /* declared `global` here */
  AN_GLOBAL_IMPLICIT,   /* a module-level name (also every name of the module scope) */
  AN_NONLOCAL,          /* declared `nonlocal` here (a free variable) */
  AN_FREE,              /* bound in an enclosing function scope, used here */
  AN_CELL,              /* local here and captured by an inner scope */
  AN_BUILTIN,           /* not bound anywhere in the module: a builtin (or NameError) */
} an_binding;

/* Symbol flags. */
enum {
  AN_SYM_ASSIGNED = 1 << 0,   /* bound by =, augassign, for, with, except, del, walrus, import, def, class */
  AN_SYM_PARAM = 1 << 1,
  AN_SYM_USED = 1 << 2,       /* read somewhere in the scope */
  AN_SYM_IMPORTED = 1 << 3,
  AN_SYM_ANNOTATED = 1 << 4,
  AN_SYM_DEF = 1 << 5,        /* bound by def/class */
  AN_SYM_DELETED = 1 << 6,
  AN_SYM_DECL_GLOBAL = 1 << 7,
  AN_SYM_DECL_NONLOCAL = 1 << 8,
  AN_SYM_CAPTURED = 1 << 9,   /* used by an inner scope (cell) */
  AN_SYM_COMP_ITER = 1 << 10, /* comprehension target */
  AN_SYM_RANGE_NONNEG = 1 << 11, /* int loop counter that is always >= 0 */
  AN_SYM_RANGE_I32 = 1 << 12,    /* int whose every value fits in int32 (literal range bounds) */
  AN_SYM_WALRUS = 1 << 13,       /* bound by := somewhere */
  AN_SYM_GLOBAL_WRITTEN = 1 << 14, /* module name declared `global` in some function or class body */
  AN_SYM_COMP_WALRUS = 1 << 15,  /* bound by := inside a comprehension (runs lazily in a genexp) */
  AN_SYM_MAYBE_UNBOUND = 1 << 16, /* a def's local (not a parameter) that a read may find unbound,
                                   * or that `del` or an except name unbinds (an_unbound.c) */
};
/* The range facts are only set on a name whose one and only binding is a
 * `for ... in range(...)` loop. */

/* One name of one scope. type is flow-insensitive: every value the name
 * holds anywhere in the scope has that type (dynamic if not certain). For
 * a global seen from an inner scope it is the module symbol's type. */
typedef struct an_symbol {
  const char *name;
  an_binding binding;
  unsigned flags;
  const an_type *type;     /* static type over the whole scope, or dynamic */
  const char *why_dynamic; /* reason when type is dynamic (static string), NULL otherwise */
  int line;                /* first binding (or use) line */
  int nassign;             /* binding statements seen (for range facts and purity) */
  int nbind;               /* places in the scope's own code that bind it (pass 1; see an_module_bindings) */
  bool escapes;            /* a container value that leaves the scope's sight: element types dynamic */
  const an_annot *annotation; /* `x: T` in this scope, or NULL (not trusted: see an_annot) */
  int flow_idx;            /* private: slot in the flow environment, -1 when not flow-typed */
} an_symbol;

typedef struct an_scope an_scope;
struct an_scope {
  an_scope_kind kind;
  const py_node *node;     /* Module, FunctionDef, ClassDef, Lambda, *Comp, GeneratorExp */
  const char *name;        /* "<module>", "f", "C", "<lambda>", "<listcomp>" ... */
  const char *qualname;    /* "C.m.<locals>.g" */
  an_scope *parent;
  an_module *module;
  an_symbol *syms;
  int nsyms, capsyms;
  an_scope **children;
  int nchildren, capchildren;
  bool is_generator;       /* contains yield / yield from (functions and genexps) */
  bool is_async;
  bool uses_super;         /* super() or __class__ in a method: needs the __class__ cell */
  bool has_star_import;
  int nflow;               /* names typed flow-sensitively (see an_infer.c, "flow") */
  int *hidx;               /* private: symbol hash index (open addressing, -1 empty) */
  int hcap;
};

/* The scope a Module/FunctionDef/ClassDef/Lambda/comprehension node opens,
 * NULL for any other node. */
an_scope *an_scope_of(const an_program *p, const py_node *n);
/* How name binds in scope s (AN_UNBOUND if s has no such symbol; then the
 * name is a builtin or global per LEGB, see an_resolve). */
an_binding an_lookup(const an_scope *s, const char *name);
/* The symbol, or NULL. */
an_symbol *an_symbol_of(const an_scope *s, const char *name);
/* Full LEGB resolution of a name read in s: the binding as used in s
 * (never AN_UNBOUND: falls back to AN_GLOBAL_IMPLICIT / AN_BUILTIN). */
an_binding an_resolve(const an_scope *s, const char *name);
/* How many times the module-level code of module scope m binds name:
 * every statement or target of the module's own code that binds it (=,
 * augmented assignment, annotated assignment with a value, for, with,
 * except-as, import, def, class, del, :=, match captures; comprehension
 * targets are the comprehension's own), plus one when the module has a
 * star import (it may bind any name). Code inside functions and classes is
 * not counted: see an_global_written. 1 for a def bound nowhere else. */
int an_module_bindings(const an_scope *m, const char *name);
/* Does a function or class body of module scope m declare name global (so
 * code other than the module's own may rebind it)? */
bool an_global_written(const an_scope *m, const char *name);

/* ------------------------------------------------------- functions, classes */

struct an_func {
  const py_node *node;     /* FunctionDef or Lambda */
  an_scope *scope;
  const char *qualname;
  int nparams;
  const an_type **param_types;   /* per node->args->all entry */
  const an_type *return_type;    /* dynamic for generators / async */
  bool pure;               /* no I/O, no global or attribute writes, only pure calls */
  const char *impure_why;  /* static string */
  bool closed;             /* every call site is known (param types come from them) */
  bool is_method;
  bool is_generator;
  an_class *cls;           /* owning class for methods */
  an_func **callees;       /* user functions called directly */
  int ncallees, capcallees;
  int ncalls;              /* number of direct call sites seen */
  const an_annot **param_annots; /* per node->args->all entry, NULL when not annotated */
  const an_annot *return_annot;  /* `-> T`, or NULL */
  /* Name loads of this function whose flow type (an_type_of) is static
   * while the name's summary type (an_symbol.type) is dynamic: what flow
   * typing gained (analysis.json "flow"). Arena array. */
  const py_node **flow_loads;
  int nflow_loads;
};

typedef struct an_attr {
  const char *name;
  const an_type *type;     /* type of every load `p.name` with p an instance of the class */
  bool from_init;          /* self.x = ... in __init__ */
  bool class_level;        /* assigned in the class body */
  const char *why_dynamic; /* static string when type is dynamic */
  const an_type *stored;   /* private: join of the stores through an instance (or the class) */
} an_attr;

struct an_class {
  const py_node *node;
  an_scope *scope;
  const char *qualname;
  an_module *module;
  an_attr *attrs;
  int nattrs, capattrs;
  bool is_dataclass;
  bool has_dynamic_bases;  /* a base that is not a plain user/builtin class name */
  bool subclassed;         /* some class of the program names it as a base */
  bool open;               /* the class object is used as a value we do not follow */
  bool attr_safe;          /* no __setattr__/__getattr__/__getattribute__/__delattr__/__slots__ */
  const an_type *instance; /* the type "instance of this class" */
  const an_type *self_type;/* type of `self` in its plain methods: instance, or dynamic */
  an_class *base;          /* private: the one user-class base (single inheritance), or NULL */
  bool base_bad;           /* private: a base that is not one fixed user class */
};

/* The function info of a FunctionDef or Lambda node, or NULL. */
an_func *an_func_of(const an_program *p, const py_node *def);
/* Static type of the value an expression node evaluates to (a load),
 * &an_t_dynamic when unknown. A Name load gets the type the name has at
 * that program point (flow-sensitive), which may be static where the
 * symbol's summary type is dynamic. For a name being assigned (Store
 * context) ask its symbol (an_symbol_of) instead. */
const an_type *an_type_of(const an_program *p, const py_node *expr);

/* ------------------------------------------------------------- modules */

typedef struct an_import {
  const py_node *node;     /* Import / ImportFrom */
  const char *module;      /* resolved absolute dotted name ("pkg.sub", "math") */
  const char *name;        /* for `from m import name`: the name; NULL for `import m` */
  const char *asname;      /* the bound name */
  bool is_stdlib;          /* supported standard-library module */
  bool is_upload;          /* a module of the upload */
  bool is_submodule;       /* `from pkg import sub` names a module */
  bool runtime_error;      /* neither: CPython raises ModuleNotFoundError when it runs
                              (or ImportError when missing_name) */
  bool conditional;        /* inside a function, try, if, ... */
  int line, col;
  bool missing_name;       /* `from m import name`: m (uploaded) never binds name */
  bool bad_relative;       /* a relative import with no parent package (ImportError when run) */
} an_import;

struct an_module {
  py_module *mod;
  const char *name;
  an_scope *scope;
  an_import *imports;
  int nimports, capimports;
  bool in_cycle;           /* part of an import cycle */
  const py_node **flow_loads; /* the same for module-level code (see an_func) */
  int nflow_loads;
};

struct an_program {
  py_program *ast;
  an_module *modules;
  int nmodules;
  an_module *entry;
  an_scope **scope_by_id;  /* indexed by node id (1..ast->nnodes) */
  const an_type **type_by_id;
  an_func **funcs;
  int nfuncs;
  an_class **classes;
  int nclasses;
  const char **stdlib_used; /* distinct supported stdlib modules imported */
  int nstdlib;
  bool closed_world;        /* the program has an entry script: call sites are all known */
  struct an_conflict *conflicts; /* annotations that inference proves wrong */
  int nconflicts;
  /* Name loads (callee names of calls aside) and expressions typed static
   * vs dynamic (analysis.json "typing") */
  int names_static, names_dynamic, exprs_static, exprs_dynamic;
};

/* An annotation that inference proves wrong: the value there always has
 * a static type the annotation does not allow (CPython runs such programs
 * fine: a report in analysis.json and the log, never an error). */
typedef struct an_conflict {
  const char *file;
  int line, col;
  const char *scope;       /* qualname of the function (or "<module>") */
  const char *name;        /* variable or parameter name, "return" for `-> T` */
  const char *annotated, *inferred;
} an_conflict;

/* ------------------------------------------------------------ an_import.c */

/* True if name (dotted) is a supported standard-library module. */
bool an_stdlib_supported(const char *name);
/* The import that binds name in module scope m when it is name's only
 * binding there: an unconditional top-level `import x` or `from x import
 * y` statement, no other binding of name in the module (an_module_bindings
 * is 1) and no `global` for it in a function or class. NULL otherwise.
 * Borrowed from m's an_module. */
const an_import *an_sole_import(const an_scope *m, const char *name);

/* ------------------------------------------------------------- analysis.c */

/* Analyses a parsed program. Diagnostics go to diag (may be NULL) as
 * (file, line, col, message); returns 0, P_EIMPORT (unknown import that
 * CPython would hit before any output), P_ESYNTAX (symtable errors such as
 * a nonlocal with no binding), or P_EINTERNAL. *out in arena a. */
typedef void (*an_diag_fn)(void *ctx, const char *file, int line, int col, const char *msg);
int an_analyze(p_arena *a, py_program *prog, an_program **out, an_diag_fn diag, void *diag_ctx, p_err *e);

/* ---------------------------------------------------------------- an_json.c */

/* The analysis.json document (arena string). */
const char *an_to_json(p_arena *a, const an_program *p);

#endif
