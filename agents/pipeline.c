/*
 * pipeline.c - the state machine over the seven agents.
 *
 * pl_run walks the stage table in order. Before each stage it sets the
 * stage's deadline and tells the hooks the stage is running; after it, it
 * maps the stage's p_code to a stage state and a job outcome. A stage that
 * is not built (run == NULL) ends the job with "error/unsupported": nothing
 * pretends to have run. Each job gets a private work directory under
 * cfg->tmp_dir, removed when the run ends.
 */
#include "config.h"
#include "pipeline.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const pl_stage pl_stages[PL_NSTAGES] = {
    [PL_STAGE_INGEST] = {"ingest", pl_stage_ingest, 30},
    [PL_STAGE_ANALYSIS] = {"analysis", pl_stage_analysis, 30},
    [PL_STAGE_SPECGEN] = {"specgen", pl_stage_specgen, 30},
    [PL_STAGE_TRANSPILE] = {"transpile", pl_stage_transpile, 60},
    [PL_STAGE_BUILD] = {"build", pl_stage_build, 180},
    [PL_STAGE_TEST] = {"test", pl_stage_test, 120},
    [PL_STAGE_PACKAGE] = {"package", pl_stage_package, 60},
};

static char *pl__strdup(const char *s) {
  if (!s) return NULL;
  return p_xstrdup(s);
}

static char pl__exe_dir[PATH_MAX + 8];

void pl_config_default(pl_config *cfg, const char *argv0) {
  memset(cfg, 0, sizeof *cfg);
  cfg->rustc = PORTALIS_RUSTC;
  cfg->rustc_version = PORTALIS_RUSTC_VERSION;
  cfg->node = PORTALIS_NODE;
  cfg->python3 = PORTALIS_PYTHON3;
  cfg->wasm_opt = PORTALIS_WASM_OPT;
  cfg->wasm_opt_max = 1 << 20;
  cfg->wasm_validate = PORTALIS_WASM_VALIDATE;
  cfg->bwrap = PORTALIS_BWRAP;
  /* Run from the build tree when the executable sits next to the built
   * runtime; otherwise use the installed locations. */
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0 && argv0) {
    snprintf(exe, sizeof exe, "%s", argv0);
    n = (ssize_t)strlen(exe);
  }
  exe[n > 0 ? n : 0] = 0;
  char *slash = strrchr(exe, '/');
  if (slash) *slash = 0;
  /* libtool-free build: tests live in tests/, binaries at the top. */
  char probe[PATH_MAX + 64];
  const char *bases[] = {exe, NULL};
  static char upper[PATH_MAX + 8];
  snprintf(upper, sizeof upper, "%s/..", exe);
  bases[1] = upper;
  snprintf(pl__exe_dir, sizeof pl__exe_dir, "%s", PORTALIS_PKGLIBDIR);
  for (int i = 0; i < 2; i++) {
    snprintf(probe, sizeof probe, "%s/agents/runtime/libportalis_rt.rlib", bases[i]);
    if (access(probe, R_OK) == 0) {
      snprintf(pl__exe_dir, sizeof pl__exe_dir, "%s", bases[i]);
      break;
    }
  }
  static char rt[PATH_MAX + 64], rtsrc[PATH_MAX + 64], share[PATH_MAX + 64];
  if (strcmp(pl__exe_dir, PORTALIS_PKGLIBDIR) == 0) {
    snprintf(rt, sizeof rt, "%s/runtime", PORTALIS_PKGLIBDIR);
    snprintf(rtsrc, sizeof rtsrc, "%s/runtime", PORTALIS_PKGLIBDIR);
    snprintf(share, sizeof share, "%s", PORTALIS_PKGDATADIR);
  } else {
    /* Build tree: built files next to the binary, sources in the source
     * tree (the same folder unless this is a VPATH build). */
    snprintf(rt, sizeof rt, "%s/agents/runtime", pl__exe_dir);
    snprintf(rtsrc, sizeof rtsrc, "%s/agents/runtime", PORTALIS_ABS_SRCDIR);
    snprintf(share, sizeof share, "%s/contrib", PORTALIS_ABS_SRCDIR);
  }
  const char *env;
  cfg->runtime_dir = (env = getenv("PORTALIS_RUNTIME_DIR")) && *env ? env : rt;
  cfg->runtime_src_dir = (env = getenv("PORTALIS_RUNTIME_SRC_DIR")) && *env ? env : rtsrc;
  cfg->share_dir = (env = getenv("PORTALIS_SHARE_DIR")) && *env ? env : share;
  cfg->cache_dir = NULL;
  cfg->tmp_dir = (env = getenv("TMPDIR")) && *env ? env : "/tmp";
  for (int i = 0; i < PL_NSTAGES; i++) cfg->stage_timeout_s[i] = pl_stages[i].default_timeout_s;
  cfg->run_timeout_s = 10;
  cfg->run_memory_mb = 1024;
  cfg->run_output_max = 4 << 20;
}

/* ---------------------------------------------------------------- jobs */

pl_job *pl_job_new(const pl_config *cfg, const char *id) {
  pl_job *job = p_xcalloc(1, sizeof *job);
  job->cfg = cfg;
  snprintf(job->id, sizeof job->id, "%s", id ? id : "local");
  job->arena = p_arena_new();
  job->stage_index = -1;
  return job;
}

void pl_job_free(pl_job *job) {
  if (!job) return;
  for (size_t i = 0; i < job->nfiles; i++) {
    free(job->files[i].path);
    free(job->files[i].data);
  }
  free(job->files);
  free(job->entry);
  for (size_t i = 0; i < job->nvectors; i++) {
    for (int k = 0; k < job->vectors[i].nargs; k++) free(job->vectors[i].args[k]);
    free(job->vectors[i].args);
    free(job->vectors[i].stdin_data);
  }
  free(job->vectors);
  for (size_t i = 0; i < job->ndiags; i++) {
    free(job->diags[i].file);
    free(job->diags[i].message);
    free(job->diags[i].source_line);
  }
  free(job->diags);
  free(job->crate_dir);
  free(job->wasm_path);
  if (job->report_free && job->report) job->report_free(job->report);
  if (job->ast_free && job->ast) job->ast_free(job->ast);
  p_arena_free(job->arena);
  free(job);
}

int pl_job_add_file(pl_job *job, const char *path, const char *data, size_t len, p_err *e) {
  pl_file *f = p_xrealloc(job->files, (job->nfiles + 1) * sizeof *f);
  job->files = f;
  f = &job->files[job->nfiles];
  f->path = pl__strdup(path);
  f->data = p_xmalloc(len + 1);
  memcpy(f->data, data, len);
  f->data[len] = 0;
  f->len = len;
  job->nfiles++;
  return 0;
}

int pl_job_apply_options(pl_job *job, const char *options_json, p_err *e) {
  cJSON *opts = cJSON_Parse(options_json ? options_json : "{}");
  if (!opts) return 0;
  job->skip_test = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opts, "skip_test"));
  job->no_assist = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(opts, "assist"));
  const cJSON *sl = cJSON_GetObjectItemCaseSensitive(opts, "debug_sleep_ms");
  if (cJSON_IsNumber(sl) && job->cfg && job->cfg->test_hooks) job->debug_sleep_ms = (int)sl->valuedouble;
  const cJSON *vs = cJSON_GetObjectItemCaseSensitive(opts, "vectors");
  int n = cJSON_GetArraySize(vs);
  if (n > 0) {
    job->vectors = p_xcalloc((size_t)n, sizeof *job->vectors);
    const cJSON *v;
    cJSON_ArrayForEach(v, vs) {
      pl_vector *pv = &job->vectors[job->nvectors++];
      const cJSON *args = cJSON_GetObjectItemCaseSensitive(v, "args");
      int na = cJSON_GetArraySize(args);
      pv->args = p_xcalloc((size_t)na + 1, sizeof *pv->args);
      const cJSON *a;
      cJSON_ArrayForEach(a, args) pv->args[pv->nargs++] = p_xstrdup(a->valuestring);
      const cJSON *in = cJSON_GetObjectItemCaseSensitive(v, "stdin");
      const char *txt = cJSON_IsString(in) ? in->valuestring : "";
      pv->stdin_data = p_xstrdup(txt);
      pv->stdin_len = strlen(txt);
    }
  }
  cJSON_Delete(opts);
  return 0;
}

const pl_file *pl_job_find_file(const pl_job *job, const char *path) {
  for (size_t i = 0; i < job->nfiles; i++)
    if (strcmp(job->files[i].path, path) == 0) return &job->files[i];
  return NULL;
}

void pl_diag_add(pl_job *job, const char *severity, const char *file, int line, int col,
                 const char *source_line, const char *fmt, ...) {
  if (job->ndiags == job->diag_cap) {
    size_t cap = job->diag_cap ? job->diag_cap * 2 : 8;
    pl_diag *d = p_xrealloc(job->diags, cap * sizeof *d);
    job->diags = d;
    job->diag_cap = cap;
  }
  pl_diag *d = &job->diags[job->ndiags++];
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  d->severity = severity ? severity : "error";
  d->file = pl__strdup(file ? file : "");
  d->line = line;
  d->col = col;
  d->message = pl__strdup(msg);
  d->source_line = pl__strdup(source_line);
  if (job->hooks.diag) job->hooks.diag(job->hooks.ctx, job, d);
}

void pl_log(pl_job *job, const char *fmt, ...) {
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  const char *stage = job->stage_index >= 0 && job->stage_index < PL_NSTAGES
                          ? pl_stages[job->stage_index].name : "pipeline";
  if (job->hooks.log) job->hooks.log(job->hooks.ctx, job, stage, line);
}

int pl_artifact(pl_job *job, const char *name, const char *mime, const void *data, size_t len, p_err *e) {
  if (!job->hooks.artifact) return 0;
  return job->hooks.artifact(job->hooks.ctx, job, name, mime, data, len, e);
}

int pl_check(pl_job *job, p_err *e) {
  if (job->hooks.canceled && job->hooks.canceled(job->hooks.ctx, job))
    return p_err_set(e, P_ECANCELED, "canceled");
  if (job->stage_deadline_ms && p_mono_ms() >= job->stage_deadline_ms)
    return p_err_set(e, P_ETIMEOUT, "stage %s ran past its %d s limit",
                     job->stage_index >= 0 ? pl_stages[job->stage_index].name : "?",
                     job->cfg->stage_timeout_s[job->stage_index]);
  return 0;
}

int pl_time_left_ms(pl_job *job) {
  if (!job->stage_deadline_ms) return INT32_MAX;
  int64_t left = job->stage_deadline_ms - p_mono_ms();
  return left < 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

/* ------------------------------------------------------------- running */

const char *pl_outcome_name(pl_outcome o) {
  static const char *names[] = {"succeeded", "failed", "canceled", "timed_out", "error"};
  return (unsigned)o < 5 ? names[o] : "error";
}

pl_outcome pl_outcome_of(p_code code) {
  switch (code) {
  case P_OK: return PL_SUCCEEDED;
  case P_ESYNTAX: case P_EIMPORT: case P_ETEST: case P_EUPLOAD: return PL_FAILED;
  case P_ECANCELED: return PL_CANCELED;
  case P_ETIMEOUT: return PL_TIMED_OUT;
  default: return PL_ERROR;
  }
}

/* Test hook: a cancellable, deadline-aware sleep at the start of a stage. */
static int pl__debug_sleep(pl_job *job, p_err *e) {
  int64_t until = p_mono_ms() + job->debug_sleep_ms;
  while (p_mono_ms() < until) {
    int rc = pl_check(job, e);
    if (rc) return rc;
    struct timespec ts = {0, 20 * 1000000};
    nanosleep(&ts, NULL);
  }
  return 0;
}

static void pl__stage_hook(pl_job *job, int i, const char *state, const char *msg) {
  if (job->hooks.stage) job->hooks.stage(job->hooks.ctx, job, i, state, msg);
}

pl_outcome pl_run(pl_job *job, int first, int last) {
  const pl_config *cfg = job->cfg;
  pl_outcome out = PL_SUCCEEDED;
  snprintf(job->workdir, sizeof job->workdir, "%s/portalis-%s-XXXXXX", cfg->tmp_dir, job->id);
  if (!mkdtemp(job->workdir)) {
    snprintf(job->reason, sizeof job->reason, "io_error");
    snprintf(job->message, sizeof job->message, "cannot create a work directory in %s: %s",
             cfg->tmp_dir, strerror(errno));
    job->workdir[0] = 0;
    return PL_ERROR;
  }
  /* Stages hand this path to sandboxed tools with their own working
   * directory: it must be absolute whatever tmp_dir was given as. */
  char abs[PATH_MAX];
  if (job->workdir[0] != '/' && realpath(job->workdir, abs) && strlen(abs) < sizeof job->workdir)
    memcpy(job->workdir, abs, strlen(abs) + 1);
  for (int i = first; i <= last && i < PL_NSTAGES; i++) {
    const pl_stage *st = &pl_stages[i];
    p_err e = {0};
    job->stage_index = i;
    job->stage_deadline_ms = p_mono_ms() + (int64_t)cfg->stage_timeout_s[i] * 1000;
    pl__stage_hook(job, i, "running", NULL);
    int64_t t0 = p_mono_ms();
    /* Transpile, Build and Test may be rescued by a model rewrite
     * (assist.c): their diagnostics wait until it is known whether they
     * stand. */
    bool assist = cfg->assist && !job->no_assist && i >= PL_STAGE_TRANSPILE && i <= PL_STAGE_TEST;
    size_t first_diag = job->ndiags;
    void (*diag_hook)(void *, pl_job *, const pl_diag *) = job->hooks.diag;
    if (assist) job->hooks.diag = NULL;
    int rc = pl_check(job, &e);
    if (!rc && job->debug_sleep_ms > 0) rc = pl__debug_sleep(job, &e);
    if (!rc) rc = st->run ? st->run(job, &e) : p_err_set(&e, P_EUNSUPPORTED, "stage %s is not built in this version", st->name);
    if (!rc) rc = pl_check(job, &e) == P_ECANCELED ? P_ECANCELED : 0;
    bool assisted = false;
    if (assist && rc && (int)(e.code ? e.code : (p_code)rc) == (i == PL_STAGE_TRANSPILE ? P_EUNSUPPORTED : i == PL_STAGE_BUILD ? P_ECOMPILE : P_ETEST)) {
      if (!e.code) e.code = rc;
      size_t before = job->ndiags;
      rc = cfg->assist(job, i, rc, first_diag, &e);
      if (!rc) {
        assisted = true;
        /* The rule-based failure is history now: keep it as a note. */
        for (size_t k = first_diag; k < before; k++) {
          pl_diag *d = &job->diags[k];
          size_t n = strlen(d->message) + 64;
          char *m = malloc(n);
          if (m) {
            snprintf(m, n, "%s (model-assisted: a verified rewrite is used)", d->message);
            free(d->message);
            d->message = m;
          }
          d->severity = "note";
        }
        job->reason[0] = 0;
        job->message[0] = 0;
      }
    }
    if (assist) {
      job->hooks.diag = diag_hook;
      for (size_t k = first_diag; k < job->ndiags && diag_hook; k++) diag_hook(job->hooks.ctx, job, &job->diags[k]);
    }
    int64_t dt = p_mono_ms() - t0;
    if (assisted) {
      /* The candidate ran this stage and the ones up to Test. */
      pl_log(job, "model-assisted (%lld ms)", (long long)dt);
      pl__stage_hook(job, i, "succeeded", "model-assisted");
      for (int k = i + 1; k <= 5 && k <= last; k++) {
        pl__stage_hook(job, k, "running", NULL);
        pl__stage_hook(job, k, "succeeded", "model-assisted");
      }
      i = 5;
      continue;
    }
    if (rc) {
      if (!e.code) e.code = rc;
      out = pl_outcome_of(e.code);
      if (!job->reason[0]) snprintf(job->reason, sizeof job->reason, "%s", p_code_name(e.code));
      if (!job->message[0]) snprintf(job->message, sizeof job->message, "%s", e.msg[0] ? e.msg : p_code_title(e.code));
      pl_log(job, "%s: %s (%lld ms)", p_code_name(e.code), job->message, (long long)dt);
      pl__stage_hook(job, i, pl_outcome_name(out), job->message);
      break;
    }
    pl__stage_hook(job, i, "succeeded", NULL);
  }
  job->stage_deadline_ms = 0;
  if (job->workdir[0] && !getenv("PORTALIS_KEEP_WORKDIR")) p_rmtree(job->workdir);
  return out;
}
