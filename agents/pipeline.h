/*
 * pipeline.h - the seven agents and the state machine that runs them.
 *
 * A pl_job carries one upload through Ingest -> Analysis -> SpecGen ->
 * Transpile -> Build -> Test -> Package. The server (server/worker.c) and the
 * command line (cli/cli.c) both drive it through pl_run; they differ only
 * in the hooks: the server writes logs, diagnostics and artifacts to SQLite
 * and streams them as events, the CLI prints them and writes files.
 *
 * Sections: config and job (pipeline.c), the stages (one file each).
 */
#ifndef PORTALIS_PIPELINE_H
#define PORTALIS_PIPELINE_H

#include "../common/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The stages, by index into pl_stages (the order they run in). */
enum {
  PL_STAGE_INGEST,
  PL_STAGE_ANALYSIS,
  PL_STAGE_SPECGEN,
  PL_STAGE_TRANSPILE,
  PL_STAGE_BUILD,
  PL_STAGE_TEST,
  PL_STAGE_PACKAGE,
  PL_NSTAGES
};

/* ------------------------------------------------------------- config */

/* Process-wide settings, filled once at start (pl_config_default) and
 * read-only afterwards; shared by every job. Strings are borrowed. */
struct pl_job;
struct llm_config;
struct tm_func;
typedef struct pl_config {
  const char *rustc;        /* rustc that targets wasm32-wasi */
  const char *rustc_version;
  const char *node;         /* Node.js for node:wasi */
  const char *python3;      /* CPython oracle */
  const char *stdlib_dir;   /* the oracle's standard library (sysconfig's
                             * "stdlib" path): pure-Python modules the runtime
                             * lacks are translated from there; "" = none */
  const char *wasm_opt;     /* "" if absent */
  uint64_t wasm_opt_max;    /* run wasm-opt only on modules up to this size */
  const char *wasm_validate;/* "" if absent */
  const char *bwrap;        /* "" if absent */
  const char *runtime_dir;  /* holds libportalis_rt.rlib (wasm32-wasi) */
  const char *runtime_src_dir; /* holds the runtime crate's Cargo.toml and src/ */
  const char *share_dir;    /* holds run.mjs, loader files */
  const char *cache_dir;    /* build cache (module.wasm by crate hash) */
  const char *tmp_dir;      /* parent of per-job work dirs */
  int stage_timeout_s[PL_NSTAGES]; /* per-stage wall limits */
  int run_timeout_s;        /* one CPython or WASM run */
  size_t run_memory_mb;     /* address-space limit of one run */
  size_t run_output_max;    /* bytes of stdout/stderr kept per run */
  bool test_hooks;          /* allow test-only job options (debug_sleep_ms) */
  const struct llm_config *llm; /* model assistance (agents/llm.h); NULL = off */
  /* Set with llm (to llm_assist, agents/assist.c) by the program that
   * configured it: called when Transpile, Build or Test failed with code rc
   * (P_EUNSUPPORTED, P_ECOMPILE, P_ETEST); 0 = a verified model rewrite now
   * holds the job's state up to Test. NULL = off. */
  int (*assist)(struct pl_job *job, int stage, int rc, size_t first_diag, p_err *e);
  size_t translate_memory_mb; /* >0: Ingest..Transpile run in a child process
                               * with this much address space on top of the
                               * parent's; 0: in this process */
  /* The translation memory's part in running a job (tm_pipeline_ops,
   * agents/tm_embed.c), set by the program that keeps a memory; NULL =
   * none. The pipeline only carries its records: see pl_tm_ops. */
  const struct pl_tm_ops *tm;
} pl_config;

/* How the isolated translation child (translate_memory_mb > 0) hands the
 * job's functions to Package in the parent: the parsed program stays in
 * the child, so the child collects them and sends each as an opaque record,
 * which the parent decodes into job->tm_funcs. */
typedef struct pl_tm_ops {
  /* Child: calls emit once per function of the translated job (job->ast,
   * job->crate_dir) with its record; rec is valid during the call only. */
  void (*collect)(struct pl_job *job, void (*emit)(void *ctx, p_buf *rec), void *ctx);
  /* Parent: appends the function of one record to job->tm_funcs.
   * false = a malformed record. */
  bool (*absorb)(struct pl_job *job, const char *rec, size_t len);
  /* Frees job->tm_funcs (n of them). */
  void (*free_funcs)(struct tm_func *funcs, int n);
} pl_tm_ops;

/* Fills cfg with the configure-time defaults and the paths next to the
 * executable (argv0); env PORTALIS_RUNTIME_DIR / PORTALIS_SHARE_DIR win. */
/* The oracle's standard-library directory ("" when unknown); see stdlib_dir. */
const char *pl_stdlib_dir(void);
void pl_config_default(pl_config *cfg, const char *argv0);

/* ---------------------------------------------------------------- job */

typedef struct pl_file {   /* one uploaded file, path relative, '/'-separated */
  char *path;
  char *data;              /* NUL-terminated; len excludes the NUL */
  size_t len;
} pl_file;

typedef struct pl_vector { /* one test input: argv after the script, stdin */
  char **args;
  int nargs;
  char *stdin_data;
  size_t stdin_len;
} pl_vector;

typedef struct pl_diag {
  const char *severity;    /* "error" | "warning" | "note" (static) */
  char *file;              /* relative path in the upload */
  int line, col;           /* 1-based; col as CPython's SyntaxError.offset */
  char *message;
  char *source_line;       /* the offending line, without newline; may be NULL */
} pl_diag;

typedef struct pl_job pl_job;
struct tm_func;

/* Where the pipeline reports to. All optional. Called on the worker thread. */
typedef struct pl_hooks {
  void *ctx;
  /* A stage starts (state "running") or ends ("succeeded", "failed",
   * "canceled", "timed_out", "error", "skipped"); message may be NULL. */
  void (*stage)(void *ctx, pl_job *job, int index, const char *state, const char *message);
  /* One log line of a stage (no trailing newline). */
  void (*log)(void *ctx, pl_job *job, const char *stage, const char *line);
  /* A diagnostic was added (already appended to job->diags). */
  void (*diag)(void *ctx, pl_job *job, const pl_diag *d);
  /* An artifact; the hook copies data. Nonzero = failure (job errors). */
  int (*artifact)(void *ctx, pl_job *job, const char *name, const char *mime,
                  const void *data, size_t len, p_err *e);
  /* Polled by stages; true = stop now with P_ECANCELED. */
  bool (*canceled)(void *ctx, pl_job *job);
  /* Package: the job's functions for the translation memory (agents/tm.h),
   * kept by the hook only if the job succeeds. Nonzero = not stored (the
   * stage logs it and goes on). */
  int (*functions)(void *ctx, pl_job *job, const struct tm_func *funcs, int n, p_err *e);
} pl_hooks;

struct pl_job {
  char id[40];
  int64_t owner;           /* whose job (the server's token id, 0 = none): the
                            * translation memory it may read is that owner's */
  const pl_config *cfg;    /* borrowed */
  pl_hooks hooks;

  /* ---- input (owned by the job, freed by pl_job_free) */
  pl_file *files;
  size_t nfiles;
  char *entry;             /* path of the entry script within files */
  pl_vector *vectors;      /* test vectors; none = one vector, no args, no stdin */
  size_t nvectors;
  bool skip_test;          /* nondeterministic program: build, do not compare */
  int debug_sleep_ms;      /* test hook: sleep at the start of each stage */
  bool no_assist;          /* job option "assist": false: no model assistance */
  /* Borrowed: when set, Test runs CPython on these instead of files (a
   * model rewrite is compared with the original program). */
  const pl_file *oracle_files;
  size_t noracle_files;

  /* ---- working state */
  p_arena *arena;          /* AST, analysis, spec, generated text */
  char workdir[1024];      /* private temporary directory of this job */
  int stage_index;         /* stage running now */
  int64_t stage_deadline_ms; /* monotonic ms; 0 = none */
  void *ast;               /* struct py_program * after ingest */
  void *analysis;          /* struct an_program * after analysis */
  void *spec;              /* struct sg_spec * after specgen */
  char *crate_dir;         /* transpile: generated crate (in workdir) */
  char *wasm_path;         /* build: module.wasm (in workdir) */
  void *report;            /* test: cJSON * report */
  void (*report_free)(void *);
  void (*ast_free)(void *);  /* frees job->ast/analysis/spec beyond the arena */
  /* Set by a stage that compiles text under another file's name (Ingest,
   * for doctest examples, each a module of its own): moves a diagnostic to
   * its real place. It may rewrite *file, *line, *col, *source_line (into
   * src_buf) and msg (in place); pl_diag_add calls it before recording. */
  void (*diag_remap)(const pl_job *job, const char **file, int *line, int *col, const char **source_line,
                     char *msg, size_t msg_size, char *src_buf, size_t src_size);
  bool cache_hit;          /* build reused a cached module */
  struct tm_func *tm_funcs; /* translation-memory entries made by the isolated
                             * translation child (job->ast stays there) */
  int ntm_funcs;

  /* ---- outcome */
  pl_diag *diags;
  size_t ndiags, diag_cap;
  char reason[64];         /* failure reason code ("syntax_error", ...) */
  char message[512];       /* human summary of the failure */
};

/* A new empty job (zeroed, own arena). Never NULL. */
pl_job *pl_job_new(const pl_config *cfg, const char *id);
void pl_job_free(pl_job *job);
/* Copies a file into the job. */
int pl_job_add_file(pl_job *job, const char *path, const char *data, size_t len, p_err *e);
const pl_file *pl_job_find_file(const pl_job *job, const char *path);
/* Applies a job's stored options (JSON text as validated by the server:
 * {"vectors":[{"args":[..],"stdin":".."}], "skip_test":bool,
 * "debug_sleep_ms":int, the last only with cfg->test_hooks). Text that does
 * not parse is no options. */
int pl_job_apply_options(pl_job *job, const char *options_json, p_err *e);
/* Adds a diagnostic (strings copied) and calls the diag hook. */
void pl_diag_add(pl_job *job, const char *severity, const char *file, int line, int col,
                 const char *source_line, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Logs a line for the current stage (printf-style). */
void pl_log(pl_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Stores an artifact through the hook. */
int pl_artifact(pl_job *job, const char *name, const char *mime, const void *data, size_t len, p_err *e);
/* 0, or P_ECANCELED / P_ETIMEOUT when the job must stop now. Stages call it
 * between steps; subprocess runners call it while waiting. */
int pl_check(pl_job *job, p_err *e);
/* Milliseconds left before the stage deadline (INT32_MAX if none). */
int pl_time_left_ms(pl_job *job);

/* -------------------------------------------------------------- stages */

typedef int (*pl_stage_fn)(pl_job *job, p_err *e);

typedef struct pl_stage {
  const char *name;
  pl_stage_fn run;         /* NULL: not built in this version */
  int default_timeout_s;
} pl_stage;

extern const pl_stage pl_stages[PL_NSTAGES];

/* The stages, one file each (agents/<name>.c). Each returns 0 or a p_code and
 * fills e; a user-program problem also sets job->reason and adds diagnostics. */
int pl_stage_ingest(pl_job *job, p_err *e);
int pl_stage_analysis(pl_job *job, p_err *e);
int pl_stage_specgen(pl_job *job, p_err *e);
int pl_stage_transpile(pl_job *job, p_err *e);
int pl_stage_build(pl_job *job, p_err *e);
int pl_stage_test(pl_job *job, p_err *e);
int pl_stage_package(pl_job *job, p_err *e);

/* Outcome of a whole run. */
typedef enum {
  PL_SUCCEEDED,  /* every stage ran, artifacts stored */
  PL_FAILED,     /* the user's program: syntax error, unknown import, test mismatch */
  PL_CANCELED,
  PL_TIMED_OUT,
  PL_ERROR       /* ours: translator gap, compile error of generated Rust, I/O */
} pl_outcome;

/* Runs stages [first, last] (PL_STAGE_INGEST..PL_STAGE_PACKAGE) in order,
 * stopping at the first failure.
 * Creates and removes job->workdir. Fills job->reason/message on failure. */
pl_outcome pl_run(pl_job *job, int first, int last);
const char *pl_outcome_name(pl_outcome o); /* "succeeded", "failed", ... */
/* Which outcome a stage's error code means. */
pl_outcome pl_outcome_of(p_code code);

#endif
