/*
 * transpile.h - the translator: SpecGen (the Rust shape of every Python
 * item) and Transpile (the Rust crate), the two stages between Analysis and
 * Build.
 *
 * The program model they share (scopes, bindings, Rust names, typed fast
 * paths, and what a Python module and function become in Rust) is in
 * rs_model.h, below this header.
 *
 * Sections: SpecGen (specgen.c), code generation (rs_gen.c), the Transpile
 * stage (transpile.c).
 *
 * Memory: everything here lives in the job's p_arena (or the arena passed
 * in); nothing is freed on its own. Input AST nodes are borrowed.
 */
#ifndef PORTALIS_TRANSPILE_H
#define PORTALIS_TRANSPILE_H

#include "../common/util.h"
#include "ast.h"
#include "rs_model.h"

#include <stdbool.h>

/* ------------------------------------------------------------ specgen.c */

/* What SpecGen hands to Transpile (job->spec). */
typedef struct sg_spec {
  rs_program *prog;
  char *json;               /* spec.json text (arena) */
  size_t json_len;
} sg_spec;

/* spec.json for a built program: {"modules":[{"python":..,"rust":..,
 * "items":[{"kind","name","qualname","line","rust","typed"}]}]}. */
int sg_spec_json(const rs_program *p, p_buf *out);

/* ------------------------------------------------------------- rs_gen.c */

/* Appends the Rust source of one module (src/<rust_mod>.rs) to out.
 * Returns 0, or P_EUNSUPPORTED with *e at the Python construct. */
int rs_gen_module(rs_program *p, rs_module *m, p_buf *out, p_err *e);
/* Appends src/main.rs (the module list and fn main) to out. */
int rs_gen_main(rs_program *p, p_buf *out, p_err *e);

/* ---------------------------------------------------------- transpile.c */

/* One generated file of the crate. */
typedef struct rs_file {
  const char *path;         /* relative to the crate root: "Cargo.toml", "src/main.rs" */
  const char *text;
  size_t len;
} rs_file;

/* ---------------------------------------------------------- tr_stdlib.c */

/* One library crate of standard-library modules compiled from source. */
typedef struct rs_lib {
  const char *crate;        /* crate name, "plib_html" */
  int *mods, nmods;         /* its modules (indexes into the job program's mods) */
  int *deps, ndeps;         /* the libraries it needs, transitively, in build order
                               (indexes into the plan) */
} rs_lib;

typedef struct rs_lib_plan {
  rs_lib *libs;             /* in build order: a library's deps come before it */
  int nlibs;
} rs_lib_plan;

/* Splits the program's standard-library modules into library crates and
 * sets crate_ref on each of them in p. No library (nlibs 0) when there is
 * no such module or one of them imports an uploaded module. Arena memory. */
int rs_lib_plan_build(rs_program *p, rs_lib_plan *plan, p_err *e);
/* The files of library li (stdlib/<crate>/...), translated anew in library
 * mode from its modules' sources: the same for every program that imports
 * them. Arena memory. */
int rs_lib_gen(rs_program *p, const rs_lib_plan *plan, int li, rs_file **files, int *nfiles, p_err *e);

/* ---------------------------------------------------------- transpile.c (more) */

/* The Rust module name of a dotted Python module name ("pkg.my-mod" ->
 * "m_pkg__my_x2dmod"): always a valid identifier. Arena string. */
const char *rs_mod_ident(p_arena *a, const char *dotted);
/* s as a Rust string literal, quotes included, safely escaped. Arena string. */
const char *rs_str_lit(p_arena *a, const char *s);
/* Generates every file of the crate for a built program into the arena.
 * crate_name is the Cargo package name. */
int rs_crate_files(rs_program *p, const char *crate_name, rs_file **files, int *nfiles, p_err *e);
/* Parses and analyses one Python source and returns its generated module
 * text (tests and tools). path is e.g. "main.py". An import the upload
 * cannot satisfy is not an error here (CPython raises when it runs). */
int rs_translate_source(p_arena *a, const char *path, const char *src, const char **rust, p_err *e);

#endif
