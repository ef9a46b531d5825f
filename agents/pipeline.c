/*
 * pipeline.c - the state machine over the seven agents.
 *
 * pl_run walks the stage table in order. Before each stage it sets the
 * stage's deadline and tells the hooks the stage is running; after it, it
 * maps the stage's p_code to a stage state and a job outcome. A stage that
 * is not built (run == NULL) ends the job with "error/unsupported": nothing
 * pretends to have run. Each job gets a private work directory under
 * cfg->tmp_dir, removed when the run ends.
 *
 * With cfg->translate_memory_mb set (the server), the translation stages
 * (Ingest through Transpile: the ones that hold the whole program in
 * memory) run in a forked child whose address space is capped with
 * RLIMIT_AS. A hostile upload (a 10 MB list literal) then costs the child,
 * not the server: the child dies when it reaches the cap, the job ends
 * `too_large`, and the memory goes back to the system with the child. The
 * child reports through a pipe - stage changes, log lines, diagnostics,
 * artifacts, and finally the outcome and the crate directory, which is all
 * the later stages need - and the parent replays each report into the
 * job's real hooks. The parent keeps the stage deadlines and cancellation:
 * it kills the child when either fires.
 */
#include "config.h"
#include "pipeline.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* The oracle's standard-library directory, asked once per process
 * (PORTALIS_STDLIB_DIR overrides it; set empty, no module is translated
 * from the standard library's source). */
static char pl__stdlib[PATH_MAX];
static void pl__stdlib_probe(void) {
  const char *env = getenv("PORTALIS_STDLIB_DIR");
  if (env) {
    snprintf(pl__stdlib, sizeof pl__stdlib, "%s", env);
    return;
  }
  char cmd[PATH_MAX + 128];
  snprintf(cmd, sizeof cmd, "'%s' -I -S -c 'import sysconfig; print(sysconfig.get_paths()[\"stdlib\"])' 2>/dev/null",
           PORTALIS_PYTHON3);
  FILE *f = popen(cmd, "r");
  if (!f) return;
  if (!fgets(pl__stdlib, sizeof pl__stdlib, f)) pl__stdlib[0] = 0;
  pclose(f);
  pl__stdlib[strcspn(pl__stdlib, "\n")] = 0;
  char probe[PATH_MAX + 16];
  snprintf(probe, sizeof probe, "%s/textwrap.py", pl__stdlib);
  if (access(probe, R_OK) != 0) pl__stdlib[0] = 0;
}

const char *pl_stdlib_dir(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, pl__stdlib_probe);
  return pl__stdlib;
}

void pl_config_default(pl_config *cfg, const char *argv0) {
  memset(cfg, 0, sizeof *cfg);
  cfg->rustc = PORTALIS_RUSTC;
  cfg->rustc_version = PORTALIS_RUSTC_VERSION;
  cfg->node = PORTALIS_NODE;
  cfg->python3 = PORTALIS_PYTHON3;
  cfg->stdlib_dir = pl_stdlib_dir();
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
  if (job->tm_funcs && job->cfg && job->cfg->tm) job->cfg->tm->free_funcs(job->tm_funcs, job->ntm_funcs);
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
  char src_buf[512];
  if (job->diag_remap) job->diag_remap(job, &file, &line, &col, &source_line, msg, sizeof msg, src_buf, sizeof src_buf);
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
  case P_ESYNTAX: case P_EIMPORT: case P_ETEST: case P_EUPLOAD: case P_ETOOBIG: return PL_FAILED;
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

/* Runs stage i; on failure fills reason/message, reports and returns the
 * outcome (PL_SUCCEEDED when the stage succeeded). */
/* Model assistance (cfg->assist, agents/assist.c) after stage i failed with
 * rc: 0 when a verified rewrite now holds the job's state up to Test. The
 * stage's diagnostics from first_diag on become notes then. */
static int pl__assist(pl_job *job, int i, int rc, size_t first_diag, p_err *e) {
  size_t before = job->ndiags;
  rc = job->cfg->assist(job, i, rc, first_diag, e);
  if (rc) return rc;
  for (size_t k = first_diag; k < before; k++) {
    pl_diag *d = &job->diags[k];
    if (strcmp(d->severity, "error")) continue;
    size_t n = strlen(d->message) + 64;
    char *m = p_xmalloc(n);
    snprintf(m, n, "%s (model-assisted: a verified rewrite is used)", d->message);
    free(d->message);
    d->message = m;
    d->severity = "note";
  }
  job->reason[0] = 0;
  job->message[0] = 0;
  return 0;
}

/* After a successful assist: the candidate ran the stages up to Test. */
static void pl__assisted(pl_job *job, int i, int last, int64_t dt) {
  job->stage_index = i;
  pl_log(job, "model-assisted (%lld ms)", (long long)dt);
  pl__stage_hook(job, i, "succeeded", "model-assisted");
  for (int k = i + 1; k <= PL_STAGE_TEST && k <= last; k++) {
    pl__stage_hook(job, k, "running", NULL);
    pl__stage_hook(job, k, "succeeded", "model-assisted");
  }
}

static pl_outcome pl__run_stage(pl_job *job, int i, int last, bool *assisted) {
  const pl_config *cfg = job->cfg;
  const pl_stage *st = &pl_stages[i];
  p_err e = {0};
  job->stage_index = i;
  job->stage_deadline_ms = p_mono_ms() + (int64_t)cfg->stage_timeout_s[i] * 1000;
  pl__stage_hook(job, i, "running", NULL);
  int64_t t0 = p_mono_ms();
  /* Transpile, Build and Test may be rescued by a model rewrite: their
   * diagnostics wait until it is known whether they stand. */
  bool assist = cfg->assist && !job->no_assist && i >= PL_STAGE_TRANSPILE && i <= PL_STAGE_TEST;
  size_t first_diag = job->ndiags;
  void (*diag_hook)(void *, pl_job *, const pl_diag *) = job->hooks.diag;
  if (assist) job->hooks.diag = NULL;
  int rc = pl_check(job, &e);
  if (!rc && job->debug_sleep_ms > 0) rc = pl__debug_sleep(job, &e);
  if (!rc) rc = st->run ? st->run(job, &e) : p_err_set(&e, P_EUNSUPPORTED, "stage %s is not built in this version", st->name);
  if (!rc) rc = pl_check(job, &e) == P_ECANCELED ? P_ECANCELED : 0;
  if (assist && rc &&
      (int)(e.code ? e.code : (p_code)rc) ==
          (i == PL_STAGE_TRANSPILE ? P_EUNSUPPORTED : i == PL_STAGE_BUILD ? P_ECOMPILE : P_ETEST)) {
    if (!e.code) e.code = rc;
    rc = pl__assist(job, i, rc, first_diag, &e);
    if (!rc) *assisted = true;
  }
  if (assist) {
    job->hooks.diag = diag_hook;
    for (size_t k = first_diag; k < job->ndiags && diag_hook; k++) diag_hook(job->hooks.ctx, job, &job->diags[k]);
  }
  int64_t dt = p_mono_ms() - t0;
  if (*assisted) {
    pl__assisted(job, i, last, dt);
    return PL_SUCCEEDED;
  }
  if (rc) {
    if (!e.code) e.code = rc;
    pl_outcome out = pl_outcome_of(e.code);
    if (!job->reason[0]) snprintf(job->reason, sizeof job->reason, "%s", p_code_name(e.code));
    if (!job->message[0]) snprintf(job->message, sizeof job->message, "%s", e.msg[0] ? e.msg : p_code_title(e.code));
    pl_log(job, "%s: %s (%lld ms)", p_code_name(e.code), job->message, (long long)dt);
    pl__stage_hook(job, i, pl_outcome_name(out), job->message);
    return out;
  }
  pl__stage_hook(job, i, "succeeded", NULL);
  return PL_SUCCEEDED;
}

/* ------------------------------------------------- isolated translation */

/* Child -> parent reports: a type byte, a 32-bit length, then fields, each
 * a NUL-terminated string, except an artifact's data which is the rest. */
enum { PL_MSG_STAGE = 'S', PL_MSG_LOG = 'L', PL_MSG_DIAG = 'D', PL_MSG_ART = 'A', PL_MSG_FUNC = 'F',
       PL_MSG_DONE = 'E' };

static void pl__child_send(int fd, char type, p_buf *b) {
  unsigned char hdr[5];
  uint32_t n = (uint32_t)b->len;
  hdr[0] = (unsigned char)type;
  memcpy(hdr + 1, &n, 4);
  const char *parts[2] = {(const char *)hdr, b->data};
  size_t lens[2] = {5, b->len};
  for (int k = 0; k < 2; k++) {
    size_t off = 0;
    while (off < lens[k]) {
      ssize_t w = write(fd, parts[k] + off, lens[k] - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) _exit(3); /* the parent is gone */
      off += (size_t)w;
    }
  }
  p_buf_reset(b);
}

static void pl__field(p_buf *b, const char *s) {
  p_buf_puts(b, s ? s : "");
  p_buf_putc(b, 0);
}

/* One translation-memory record (pl_tm_ops.collect's emit). */
static void pl__child_func(void *ctx, p_buf *rec) {
  if (!rec->err) pl__child_send((int)(intptr_t)ctx, PL_MSG_FUNC, rec);
}

static void pl__child_stage(void *ctx, pl_job *job, int index, const char *state, const char *message) {
  (void)job;
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_printf(&b, "%d", index);
  p_buf_putc(&b, 0);
  pl__field(&b, state);
  pl__field(&b, message ? "+" : "-");
  pl__field(&b, message);
  pl__child_send((int)(intptr_t)ctx, PL_MSG_STAGE, &b);
  p_buf_free(&b);
}

static void pl__child_log(void *ctx, pl_job *job, const char *stage, const char *line) {
  (void)job;
  p_buf b;
  p_buf_init(&b, 0);
  pl__field(&b, stage);
  pl__field(&b, line);
  pl__child_send((int)(intptr_t)ctx, PL_MSG_LOG, &b);
  p_buf_free(&b);
}

static void pl__child_diag(void *ctx, pl_job *job, const pl_diag *d) {
  (void)job;
  p_buf b;
  p_buf_init(&b, 0);
  pl__field(&b, d->severity);
  pl__field(&b, d->file);
  p_buf_printf(&b, "%d", d->line);
  p_buf_putc(&b, 0);
  p_buf_printf(&b, "%d", d->col);
  p_buf_putc(&b, 0);
  pl__field(&b, d->message);
  pl__field(&b, d->source_line ? "+" : "-");
  pl__field(&b, d->source_line);
  pl__child_send((int)(intptr_t)ctx, PL_MSG_DIAG, &b);
  p_buf_free(&b);
}

static int pl__child_artifact(void *ctx, pl_job *job, const char *name, const char *mime, const void *data,
                              size_t len, p_err *e) {
  (void)job;
  (void)e;
  p_buf b;
  p_buf_init(&b, 0);
  pl__field(&b, name);
  pl__field(&b, mime);
  p_buf_append(&b, data, len);
  if (b.err) {
    p_buf_free(&b);
    return p_err_set(e, P_ENOMEM, "out of memory");
  }
  pl__child_send((int)(intptr_t)ctx, PL_MSG_ART, &b);
  p_buf_free(&b);
  return 0;
}

/* The child: caps its address space, runs stages [first, last] with hooks
 * that report to fd, sends the outcome, exits. Never returns. */
static void pl__child(pl_job *job, int first, int last, int fd) {
  /* Keep stdio and the report pipe (moved to 3) only: the server's
   * listening socket, client connections and database files must not stay
   * open in here while the translation runs. */
  if (fd != 3) {
    if (dup2(fd, 3) < 0) _exit(4);
    fd = 3;
  }
  if (syscall(SYS_close_range, 4U, ~0U, 0) != 0)
    for (int k = 4; k < 65536; k++) close(k);
  signal(SIGPIPE, SIG_DFL);
  sigset_t all;
  sigemptyset(&all);
  pthread_sigmask(SIG_SETMASK, &all, NULL);
  /* The cap is on top of what the parent had mapped (thread stacks, malloc
   * arenas): that much is inherited, not used by the translation. */
  size_t vm = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    unsigned long pages;
    if (fscanf(f, "%lu", &pages) == 1) vm = (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
    fclose(f);
  }
  struct rlimit rl;
  rl.rlim_cur = rl.rlim_max = (rlim_t)(vm + job->cfg->translate_memory_mb * ((size_t)1 << 20));
  setrlimit(RLIMIT_AS, &rl);
  rl.rlim_cur = rl.rlim_max = 0;
  setrlimit(RLIMIT_CORE, &rl);
  bool want_funcs = job->hooks.functions != NULL;
  job->hooks = (pl_hooks){(void *)(intptr_t)fd, pl__child_stage, pl__child_log, pl__child_diag,
                          pl__child_artifact, NULL, NULL};
  pl_outcome out = PL_SUCCEEDED;
  job->no_assist = true; /* the parent asks the model, with its client and limits */
  bool assisted = false;
  for (int i = first; i <= last && out == PL_SUCCEEDED; i++) out = pl__run_stage(job, i, last, &assisted);
  p_buf b;
  p_buf_init(&b, 0);
  /* Package stores the program's functions in the translation memory; the
   * parsed program stays here, so they are computed here and sent. */
  if (out == PL_SUCCEEDED && want_funcs && job->cfg->tm && job->ast && job->crate_dir)
    job->cfg->tm->collect(job, pl__child_func, (void *)(intptr_t)fd);
  p_buf_printf(&b, "%d", (int)out);
  p_buf_putc(&b, 0);
  pl__field(&b, job->reason);
  pl__field(&b, job->message);
  pl__field(&b, job->crate_dir);
  pl__child_send(fd, PL_MSG_DONE, &b);
  p_buf_free(&b);
  _exit(0);
}

/* Splits a report's payload into n NUL-terminated fields; the rest (the
 * artifact data) after them. False when malformed. */
static bool pl__fields(char *p, size_t len, const char **f, int n, size_t *rest) {
  size_t off = 0;
  for (int k = 0; k < n; k++) {
    char *z = memchr(p + off, 0, len - off);
    if (!z) return false;
    f[k] = p + off;
    off = (size_t)(z - p) + 1;
  }
  if (rest) *rest = off;
  return true;
}

typedef struct pl__iso {
  int stage;          /* stage running in the child, -1 none */
  bool done;          /* the child sent its outcome */
  pl_outcome out;
  bool art_failed;
  p_err art_err;
} pl__iso;

/* Replays one report into the job's real hooks. False: malformed. */
static bool pl__dispatch(pl_job *job, pl__iso *st, char type, char *p, size_t len) {
  const char *f[7];
  size_t rest;
  switch (type) {
  case PL_MSG_STAGE: {
    if (!pl__fields(p, len, f, 4, NULL)) return false;
    int i = atoi(f[0]);
    if (i < 0 || i >= PL_NSTAGES) return false;
    job->stage_index = i;
    if (!strcmp(f[1], "running")) {
      st->stage = i;
      /* The child enforces the deadline itself; this one (a little later)
       * catches a child stuck where it does not look at the clock. */
      job->stage_deadline_ms = p_mono_ms() + (int64_t)job->cfg->stage_timeout_s[i] * 1000 + 2000;
    } else {
      st->stage = -1;
    }
    pl__stage_hook(job, i, f[1], f[2][0] == '+' ? f[3] : NULL);
    return true;
  }
  case PL_MSG_LOG:
    if (!pl__fields(p, len, f, 2, NULL)) return false;
    if (job->hooks.log) job->hooks.log(job->hooks.ctx, job, f[0], f[1]);
    return true;
  case PL_MSG_DIAG:
    if (!pl__fields(p, len, f, 7, NULL)) return false;
    pl_diag_add(job, !strcmp(f[0], "warning") ? "warning" : !strcmp(f[0], "note") ? "note" : "error", f[1],
                atoi(f[2]), atoi(f[3]), f[5][0] == '+' ? f[6] : NULL, "%s", f[4]);
    return true;
  case PL_MSG_ART:
    if (!pl__fields(p, len, f, 2, &rest)) return false;
    if (!st->art_failed && pl_artifact(job, f[0], f[1], p + rest, len - rest, &st->art_err)) st->art_failed = true;
    return true;
  case PL_MSG_FUNC:
    return job->cfg->tm && job->cfg->tm->absorb(job, p, len);
  case PL_MSG_DONE:
    if (!pl__fields(p, len, f, 4, NULL)) return false;
    st->done = true;
    st->out = (pl_outcome)atoi(f[0]);
    snprintf(job->reason, sizeof job->reason, "%s", f[1]);
    snprintf(job->message, sizeof job->message, "%s", f[2]);
    free(job->crate_dir);
    job->crate_dir = f[3][0] ? p_xstrdup(f[3]) : NULL;
    return true;
  default:
    return false;
  }
}

/* Runs stages [first, last] in a memory-capped child (see the top). */
static pl_outcome pl__run_isolated(pl_job *job, int first, int last) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC)) {
    snprintf(job->reason, sizeof job->reason, "io_error");
    snprintf(job->message, sizeof job->message, "cannot create a pipe: %s", strerror(errno));
    return PL_ERROR;
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    snprintf(job->reason, sizeof job->reason, "io_error");
    snprintf(job->message, sizeof job->message, "cannot start the translation process: %s", strerror(errno));
    return PL_ERROR;
  }
  if (pid == 0) {
    close(fds[0]);
    pl__child(job, first, last, fds[1]);
  }
  close(fds[1]);
  pl__iso st = {.stage = -1, .out = PL_ERROR};
  p_buf in;
  p_buf_init(&in, 0);
  pl_outcome killed = PL_SUCCEEDED; /* why we killed the child, if we did */
  bool bad = false;
  for (;;) {
    struct pollfd pfd = {fds[0], POLLIN, 0};
    int pr = poll(&pfd, 1, 100);
    if (pr > 0) {
      char chunk[65536];
      ssize_t n = read(fds[0], chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (p_buf_append(&in, chunk, (size_t)n)) bad = true;
      size_t off = 0;
      while (!bad && in.len - off >= 5) {
        uint32_t len;
        memcpy(&len, in.data + off + 1, 4);
        if (in.len - off - 5 < len) break;
        if (!pl__dispatch(job, &st, in.data[off], in.data + off + 5, len)) bad = true;
        off += 5 + (size_t)len;
      }
      if (off) {
        memmove(in.data, in.data + off, in.len - off);
        in.len -= off;
      }
    }
    if (bad) break;
    p_err e = {0};
    int rc = pl_check(job, &e);
    if (rc) {
      killed = rc == P_ECANCELED ? PL_CANCELED : PL_TIMED_OUT;
      if (!job->message[0]) snprintf(job->message, sizeof job->message, "%s", e.msg);
      if (!job->reason[0]) snprintf(job->reason, sizeof job->reason, "%s", p_code_name(e.code));
      break;
    }
  }
  if (killed != PL_SUCCEEDED || bad) kill(pid, SIGKILL);
  close(fds[0]);
  p_buf_free(&in);
  int status = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {}
  job->stage_deadline_ms = 0;
  pl_outcome out = st.done ? st.out : PL_ERROR;
  if (killed != PL_SUCCEEDED) {
    out = killed;
  } else if (!st.done || bad) {
    /* The child died mid-stage. Reaching the cap kills it one way or
     * another (malloc fails -> abort, tree-sitter's exit(1), or a fault):
     * count that as the
     * program being too large when it had used a good part of the cap. */
    size_t peak_mb = (size_t)ru.ru_maxrss / 1024;
    bool mem = (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status))) &&
               peak_mb * 4 >= job->cfg->translate_memory_mb;
    job->reason[0] = job->message[0] = 0;
    if (mem) {
      snprintf(job->reason, sizeof job->reason, "too_large");
      snprintf(job->message, sizeof job->message,
               "the program is too large to translate: %s needed more than the %zu MB a job may use",
               st.stage >= 0 ? pl_stages[st.stage].name : "translation", job->cfg->translate_memory_mb);
      out = PL_FAILED;
    } else {
      snprintf(job->reason, sizeof job->reason, "internal");
      if (WIFSIGNALED(status))
        snprintf(job->message, sizeof job->message, "the translator crashed (signal %d)", WTERMSIG(status));
      else
        snprintf(job->message, sizeof job->message, "the translator stopped unexpectedly (exit status %d)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
      out = PL_ERROR;
    }
  }
  if (out == PL_SUCCEEDED && st.art_failed) {
    out = PL_ERROR;
    snprintf(job->reason, sizeof job->reason, "%s", p_code_name(st.art_err.code ? st.art_err.code : P_EIO));
    snprintf(job->message, sizeof job->message, "%s", st.art_err.msg);
  }
  if (out != PL_SUCCEEDED && st.stage >= 0) {
    /* The child did not get to report the end of its stage. */
    job->stage_index = st.stage;
    pl_log(job, "%s: %s", job->reason, job->message);
    pl__stage_hook(job, st.stage, pl_outcome_name(out), job->message);
  }
  return out;
}

pl_outcome pl_run(pl_job *job, int first, int last) {
  const pl_config *cfg = job->cfg;
  pl_outcome out = PL_SUCCEEDED;
  /* A work dir the caller made (a model-assist candidate) is the caller's. */
  bool own_workdir = !job->workdir[0];
  if (own_workdir) snprintf(job->workdir, sizeof job->workdir, "%s/portalis-%s-XXXXXX", cfg->tmp_dir, job->id);
  if (own_workdir && !mkdtemp(job->workdir)) {
    snprintf(job->reason, sizeof job->reason, "io_error");
    snprintf(job->message, sizeof job->message, "cannot create a work directory: %s", strerror(errno));
    job->workdir[0] = 0;
    return PL_ERROR;
  }
  /* Stages hand this path to sandboxed tools with their own working
   * directory: it must be absolute whatever tmp_dir was given as. */
  char abs[PATH_MAX];
  if (job->workdir[0] != '/' && realpath(job->workdir, abs) && strlen(abs) < sizeof job->workdir)
    memcpy(job->workdir, abs, strlen(abs) + 1);
  int i = first;
  const int last_translation = 3; /* transpile */
  bool assisted = false;
  if (cfg->translate_memory_mb && first <= last_translation && first <= last) {
    int upto = last < last_translation ? last : last_translation;
    size_t first_diag = job->ndiags;
    int64_t t0 = p_mono_ms();
    /* With assistance possible, diagnostics wait until it is known whether
     * they stand (as in pl__run_stage). */
    bool may_assist = cfg->assist && !job->no_assist && upto == PL_STAGE_TRANSPILE;
    void (*diag_hook)(void *, pl_job *, const pl_diag *) = job->hooks.diag;
    if (may_assist) job->hooks.diag = NULL;
    out = pl__run_isolated(job, first, upto);
    i = upto + 1;
    /* Transpile failed in the child on something it cannot translate: the
     * model is asked from here (its diagnostics already went out). */
    if (out == PL_ERROR && cfg->assist && !job->no_assist && upto == PL_STAGE_TRANSPILE &&
        job->stage_index == PL_STAGE_TRANSPILE && !strcmp(job->reason, "unsupported")) {
      p_err e = {0};
      p_err_set(&e, P_EUNSUPPORTED, "%s", job->message);
      if (pl__assist(job, PL_STAGE_TRANSPILE, P_EUNSUPPORTED, first_diag, &e) == 0) {
        out = PL_SUCCEEDED;
        assisted = true;
        pl__assisted(job, PL_STAGE_TRANSPILE, last, p_mono_ms() - t0);
      } else {
        snprintf(job->message, sizeof job->message, "%s", e.msg);
      }
    }
    if (may_assist) {
      job->hooks.diag = diag_hook;
      for (size_t k = first_diag; k < job->ndiags && diag_hook; k++) diag_hook(job->hooks.ctx, job, &job->diags[k]);
    }
  }
  for (; out == PL_SUCCEEDED && i <= last && i < PL_NSTAGES; i++) {
    if (assisted && i <= PL_STAGE_TEST) continue;
    out = pl__run_stage(job, i, last, &assisted);
  }
  job->stage_deadline_ms = 0;
  if (own_workdir && job->workdir[0] && !getenv("PORTALIS_KEEP_WORKDIR")) p_rmtree(job->workdir);
  return out;
}
