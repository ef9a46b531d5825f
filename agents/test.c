/*
 * test.c - the Test agent: prove that module.wasm prints what CPython prints.
 *
 * Success has one definition in Portalis: for the same argv and stdin, the
 * WASM module writes byte-for-byte the same stdout and exits with the same
 * code as the user's program under CPython. This stage checks exactly that,
 * on every test vector of the job (none given = no arguments, empty stdin):
 *
 *   - the upload is written to a private directory and run as
 *     `python3 -s -B <entry> args...` (the real interpreter, not a pyenv
 *     shim, so that it runs in a clean environment);
 *   - module.wasm runs as `node run.mjs --argv0=<entry> module.wasm args...`
 *     (contrib/run.mjs, the same runner the package ships);
 *   - both in the sandbox (sandbox.c) with the job's run limits, read-only
 *     inputs, no network, at the same time (CPython on a helper thread);
 *   - stdout and exit code are compared; a mismatch fails the job with
 *     reason test_failure, a diagnostic, and a unified diff in report.json.
 *
 * stderr is recorded (size, digest, head) but not compared: tracebacks name
 * interpreter internals that a translation cannot and should not mimic byte
 * for byte. With job->skip_test (nondeterministic programs) only the WASM
 * runs, once, and its result is recorded.
 *
 * report.json (the job's report: the build section from build.c plus the
 * test section) is stored as an artifact whether the test passes or not, so
 * a failed job keeps what is needed to look into it.
 */
#include "config.h"
#include "pipeline.h"
#include "sandbox.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TEST_DIFF_MAX (64u << 10)
#define TEST_LCS_CELLS ((size_t)4 << 20)
#define TEST_CONTEXT 3

/* --------------------------------------------------------------- diff */

typedef struct {
  const char *s;
  size_t len; /* without the newline */
  bool nl;    /* followed by a newline */
} test__line;

static size_t test__split(const char *s, size_t len, test__line **out) {
  size_t n = 0, cap = 16;
  test__line *v = p_xmalloc(cap * sizeof *v);
  size_t i = 0;
  while (i < len) {
    const char *nl = memchr(s + i, '\n', len - i);
    size_t l = nl ? (size_t)(nl - (s + i)) : len - i;
    if (n == cap) {
      cap *= 2;
      v = p_xrealloc(v, cap * sizeof *v);
    }
    v[n].s = s + i;
    v[n].len = l;
    v[n].nl = nl != NULL;
    n++;
    i += l + (nl ? 1 : 0);
  }
  *out = v;
  return n;
}

static bool test__eq(const test__line *a, const test__line *b) {
  return a->len == b->len && a->nl == b->nl && memcmp(a->s, b->s, a->len) == 0;
}

/* An edit script: one op per line of the diff. */
typedef struct {
  char op;   /* ' ', '-', '+' */
  size_t ai, bi; /* index in a (for ' ' and '-'), in b (for ' ' and '+') */
} test__op;

/* Line diff: common prefix and suffix, then LCS on the middle when it is
 * small enough, otherwise the whole middle as one replacement. */
static size_t test__script(const test__line *a, size_t na, const test__line *b, size_t nb, test__op **out) {
  test__op *ops = p_xmalloc((na + nb + 1) * sizeof *ops);
  size_t n = 0, pre = 0, suf = 0;
  while (pre < na && pre < nb && test__eq(&a[pre], &b[pre])) pre++;
  while (suf < na - pre && suf < nb - pre && test__eq(&a[na - 1 - suf], &b[nb - 1 - suf])) suf++;
  for (size_t i = 0; i < pre; i++) ops[n++] = (test__op){' ', i, i};
  size_t ma = na - pre - suf, mb = nb - pre - suf;
  const test__line *A = a + pre, *B = b + pre;
  if (ma && mb && (ma + 1) * (mb + 1) <= TEST_LCS_CELLS) {
    /* L[i][j] = LCS of A[i..], B[j..] */
    uint32_t *L = p_xcalloc((ma + 1) * (mb + 1), sizeof *L);
#define LCS(i, j) L[(i) * (mb + 1) + (j)]
    for (size_t i = ma; i-- > 0;)
      for (size_t j = mb; j-- > 0;)
        LCS(i, j) = test__eq(&A[i], &B[j]) ? LCS(i + 1, j + 1) + 1
                    : LCS(i + 1, j) >= LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1);
    size_t i = 0, j = 0;
    while (i < ma || j < mb) {
      if (i < ma && j < mb && test__eq(&A[i], &B[j])) {
        ops[n++] = (test__op){' ', pre + i, pre + j};
        i++, j++;
      } else if (j < mb && (i == ma || LCS(i, j + 1) > LCS(i + 1, j))) {
        ops[n++] = (test__op){'+', 0, pre + j};
        j++;
      } else {
        ops[n++] = (test__op){'-', pre + i, 0};
        i++;
      }
    }
#undef LCS
    free(L);
  } else {
    for (size_t i = 0; i < ma; i++) ops[n++] = (test__op){'-', pre + i, 0};
    for (size_t j = 0; j < mb; j++) ops[n++] = (test__op){'+', 0, pre + j};
  }
  for (size_t k = 0; k < suf; k++) ops[n++] = (test__op){' ', na - suf + k, nb - suf + k};
  *out = ops;
  return n;
}

static void test__emit_line(p_buf *d, char op, const test__line *l) {
  p_buf_putc(d, op);
  p_buf_append(d, l->s, l->len);
  p_buf_putc(d, '\n');
  if (!l->nl) p_buf_puts(d, "\\ No newline at end of file\n");
}

/* A unified diff (3 lines of context) of expected (CPython) against actual
 * (WASM) into d, at most TEST_DIFF_MAX bytes. Fills *first_line with the
 * 1-based line of the first difference. */
static void test__diff(const char *a, size_t alen, const char *b, size_t blen, p_buf *d, int *first_line) {
  test__line *la, *lb;
  size_t na = test__split(a, alen, &la), nb = test__split(b, blen, &lb);
  test__op *ops;
  size_t n = test__script(la, na, lb, nb, &ops);
  p_buf_puts(d, "--- cpython/stdout\n+++ wasm/stdout\n");
  *first_line = 0;
  size_t k = 0;
  while (k < n) {
    while (k < n && ops[k].op == ' ') k++;
    if (k == n) break;
    if (!*first_line) *first_line = (int)(ops[k].op == '-' ? ops[k].ai : ops[k].bi) + 1;
    /* Hunk: from k - context to the last change followed by < 2*context
     * unchanged lines, plus context. */
    size_t start = k >= TEST_CONTEXT ? k - TEST_CONTEXT : 0, end = k;
    for (;;) {
      while (end < n && ops[end].op != ' ') end++;
      size_t run = 0;
      while (end + run < n && ops[end + run].op == ' ') run++;
      if (end + run < n && run <= 2 * TEST_CONTEXT) {
        end += run;
        continue;
      }
      end += run < TEST_CONTEXT ? run : TEST_CONTEXT;
      break;
    }
    /* Line numbers of the hunk: count a- and b-lines before start. */
    size_t a0 = 0, b0 = 0, ac = 0, bc = 0;
    for (size_t q = 0; q < start; q++) {
      if (ops[q].op != '+') a0++;
      if (ops[q].op != '-') b0++;
    }
    for (size_t q = start; q < end; q++) {
      if (ops[q].op != '+') ac++;
      if (ops[q].op != '-') bc++;
    }
    /* GNU diff's form: ",1" is left out. */
    p_buf_printf(d, "@@ -%zu", ac ? a0 + 1 : a0);
    if (ac != 1) p_buf_printf(d, ",%zu", ac);
    p_buf_printf(d, " +%zu", bc ? b0 + 1 : b0);
    if (bc != 1) p_buf_printf(d, ",%zu", bc);
    p_buf_puts(d, " @@\n");
    for (size_t i = start; i < end; i++)
      test__emit_line(d, ops[i].op, ops[i].op == '+' ? &lb[ops[i].bi] : &la[ops[i].ai]);
    if (d->len > TEST_DIFF_MAX) {
      p_buf_puts(d, "... (diff truncated)\n");
      break;
    }
    k = end;
  }
  free(ops);
  free(la);
  free(lb);
}

/* ----------------------------------------------------------- reporting */

/* Valid UTF-8 for JSON: invalid bytes become U+FFFD. Malloc'd. */
static char *test__utf8(const char *s, size_t len, size_t max) {
  p_buf b;
  p_buf_init(&b, 0);
  if (len > max) len = max;
  size_t off = 0;
  while (off < len) {
    size_t bad;
    if (p_utf8_valid(s + off, len - off, &bad)) {
      p_buf_append(&b, s + off, len - off);
      break;
    }
    p_buf_append(&b, s + off, bad);
    p_buf_puts(&b, "\xEF\xBF\xBD");
    off += bad + 1;
  }
  size_t n;
  char *r = p_buf_steal(&b, &n);
  if (r) r[n] = 0; /* an empty buffer's steal is not terminated */
  return r ? r : p_xstrdup("");
}

static cJSON *test__run_json(const sbx_result *r) {
  cJSON *o = cJSON_CreateObject();
  char hex[65];
  cJSON_AddNumberToObject(o, "exit_code", r->exit_code);
  if (r->signal) cJSON_AddNumberToObject(o, "signal", r->signal);
  cJSON_AddBoolToObject(o, "timed_out", r->timed_out);
  cJSON_AddBoolToObject(o, "truncated", r->truncated);
  cJSON_AddNumberToObject(o, "stdout_size", (double)r->out_len);
  p_sha256_hex(r->out, r->out_len, hex);
  cJSON_AddStringToObject(o, "stdout_sha256", hex);
  cJSON_AddNumberToObject(o, "stderr_size", (double)r->err_len);
  p_sha256_hex(r->err, r->err_len, hex);
  cJSON_AddStringToObject(o, "stderr_sha256", hex);
  char *head = test__utf8(r->err, r->err_len, 2048);
  cJSON_AddStringToObject(o, "stderr_head", head);
  free(head);
  cJSON_AddNumberToObject(o, "wall_ms", (double)r->wall_ms);
  cJSON_AddStringToObject(o, "sandbox", r->mode);
  return o;
}

/* ------------------------------------------------------------- running */

static const char *const test__py_env[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp",
                                           "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "PYTHONHASHSEED=0",
                                           "PYTHONDONTWRITEBYTECODE=1", NULL};
static const char *const test__node_env[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp",
                                             "LANG=C.UTF-8", NULL};

/* One sandboxed run with the job's run limits. cancel/ctx poll for a stop;
 * the caller maps canceled/timed-out results to the job's state. */
static int test__run(pl_job *job, const char *const *argv, const char *const *env, const char *cwd,
                     const char *const *ro, const pl_vector *v, bool (*cancel)(void *), void *ctx,
                     sbx_result *r, p_err *e) {
  const pl_config *cfg = job->cfg;
  sbx_opts o = {0};
  o.argv = argv;
  o.env = env;
  o.cwd = cwd;
  o.ro_paths = ro;
  o.stdin_data = v->stdin_data;
  o.stdin_len = v->stdin_len;
  o.output_max = cfg->run_output_max ? cfg->run_output_max : (4u << 20);
  o.cpu_s = cfg->run_timeout_s > 0 ? cfg->run_timeout_s : 10;
  o.seccomp = true; /* the program is the user's: CPython and WASM runs alike */
  o.mem_mb = cfg->run_memory_mb ? cfg->run_memory_mb : 1024;
  o.nproc = 64;
  o.fsize_mb = 16;
  o.nofile = 256;
  o.wall_ms = sbx_job_wall_ms(job, o.cpu_s);
  o.bwrap = cfg->bwrap;
  o.cancel = cancel;
  o.cancel_ctx = ctx;
  return sbx_run(&o, r, e);
}

/* The CPython run goes on a helper thread while the worker runs the WASM:
 * the two are independent and the stage takes the longer of the two, not
 * the sum. Hooks are only ever called from the worker thread (the helper
 * polls a flag the worker sets), since a hook may touch per-thread state
 * such as the worker's database connection. */
typedef struct {
  pl_job *job;
  const char *const *argv, *const *env, *const *ro;
  const char *cwd;
  const pl_vector *v;
  sbx_result r;
  p_err e;
  int rc;
  atomic_bool stop, done;
} test__bg;

static bool test__bg_cancel(void *ctx) {
  return atomic_load(&((test__bg *)ctx)->stop);
}

static void *test__bg_main(void *arg) {
  test__bg *b = arg;
  b->rc = test__run(b->job, b->argv, b->env, b->cwd, b->ro, b->v, test__bg_cancel, b, &b->r, &b->e);
  atomic_store(&b->done, true);
  return NULL;
}

typedef struct {
  pl_job *job;
  test__bg *bg;
} test__fg;

/* The worker's cancel poll: the job's own check, passed on to the helper. */
static bool test__fg_cancel(void *ctx) {
  test__fg *f = ctx;
  bool stop = sbx_job_canceled(f->job);
  if (stop && f->bg) atomic_store(&f->bg->stop, true);
  return stop;
}

/* Waits for the helper, still polling the job for cancellation. */
static void test__bg_wait(pl_job *job, test__bg *b, pthread_t th) {
  while (!atomic_load(&b->done)) {
    if (sbx_job_canceled(job)) atomic_store(&b->stop, true);
    struct timespec ts = {0, 5 * 1000000};
    nanosleep(&ts, NULL);
  }
  pthread_join(th, NULL);
}

/* Writes the upload into dir; paths were checked by ingest, and are
 * checked again here because this is where they touch the disk. */
static int test__write_files(pl_job *job, const char *dir, p_err *e) {
  /* A model-assisted candidate is compared with the ORIGINAL program. */
  const pl_file *files = job->oracle_files ? job->oracle_files : job->files;
  size_t nfiles = job->oracle_files ? job->noracle_files : job->nfiles;
  for (size_t i = 0; i < nfiles; i++) {
    const char *p = files[i].path;
    bool dotdot = false;
    for (const char *c = p; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c))
      if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == 0)) dotdot = true;
    if (p[0] == '/' || dotdot || !*p)
      return p_err_set(e, P_EUPLOAD, "unsafe path in the upload: %s", p);
    char full[PATH_MAX];
    if (snprintf(full, sizeof full, "%s/%s", dir, p) >= (int)sizeof full)
      return p_err_set(e, P_EUPLOAD, "path too long: %s", p);
    char *slash = strrchr(full, '/');
    *slash = 0;
    if (p_mkdirs(full, 0755) != 0) return p_err_set(e, P_EIO, "%s: %s", full, strerror(errno));
    *slash = '/';
    int rc = p_write_file(full, files[i].data, files[i].len, e);
    if (rc) return rc;
  }
  return 0;
}

static char *test__args_text(const pl_vector *v) {
  p_buf b;
  p_buf_init(&b, 4096);
  for (int i = 0; i < v->nargs; i++) {
    if (i) p_buf_putc(&b, ' ');
    p_buf_printf(&b, "%s", v->args[i]);
  }
  if (b.err) p_buf_puts(&b, "...");
  size_t n;
  char *s = p_buf_steal(&b, &n);
  if (s) s[n] = 0;
  return s ? s : p_xstrdup("");
}

/* First line of s (for messages), quoted-ish and short. */
static void test__line_at(const char *s, size_t len, int line, char *out, size_t outsz) {
  const char *p = s, *end = s + len;
  for (int i = 1; i < line && p < end; i++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    p = nl ? nl + 1 : end;
  }
  if (p >= end) {
    snprintf(out, outsz, "(end of output)");
    return;
  }
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
  char *u = test__utf8(p, n, 120);
  snprintf(out, outsz, "\"%s\"%s", u, n > 120 ? "..." : "");
  free(u);
}

int pl_stage_test(pl_job *job, p_err *e) {
  const pl_config *cfg = job->cfg;
  if (!job->wasm_path) return p_err_set(e, P_EINTERNAL, "no module to test (build did not run)");
  if (!job->entry) return p_err_set(e, P_EINTERNAL, "the job has no entry script");
  int64_t t0 = p_mono_ms();
  sbx_job_open_workdir(job);
  char pydir[PATH_MAX], wdir[PATH_MAX], wasm[PATH_MAX + 16], runner[PATH_MAX + 16], src[PATH_MAX + 16];
  snprintf(pydir, sizeof pydir, "%s/test/py", job->workdir);
  snprintf(wdir, sizeof wdir, "%s/test/wasm", job->workdir);
  if (p_mkdirs(pydir, 0755) || p_mkdirs(wdir, 0755))
    return p_err_set(e, P_EIO, "%s: %s", wdir, strerror(errno));
  int rc = test__write_files(job, pydir, e);
  if (rc) return rc;
  /* The WASM side sees only the module and the runner. */
  snprintf(wasm, sizeof wasm, "%s/module.wasm", wdir);
  snprintf(runner, sizeof runner, "%s/run.mjs", wdir);
  snprintf(src, sizeof src, "%s/run.mjs", cfg->share_dir);
  char *data;
  size_t len;
  if ((rc = p_read_file(job->wasm_path, (size_t)1 << 30, &data, &len, e))) return rc;
  rc = p_write_file(wasm, data, len, e);
  free(data);
  if (rc) return rc;
  if ((rc = p_read_file(src, 1 << 20, &data, &len, e))) return rc;
  rc = p_write_file(runner, data, len, e);
  free(data);
  if (rc) return rc;

  char py_exe[PATH_MAX], py_prefix[PATH_MAX];
  if (!job->skip_test && (rc = sbx_python_resolve(cfg->python3, py_exe, py_prefix, e))) return rc;
  char node[PATH_MAX];
  if (!realpath(cfg->node, node)) return p_err_set(e, P_EIO, "node (%s) not found", cfg->node);

  cJSON *rep = sbx_job_report(job);
  cJSON_DeleteItemFromObject(rep, "test");
  cJSON *t = cJSON_AddObjectToObject(rep, "test");
  char mode[128];
  snprintf(mode, sizeof mode, "%s%s", sbx_mode_name(cfg->bwrap), sbx_seccomp_available() ? "+seccomp" : "");
  cJSON_AddStringToObject(t, "sandbox", mode);
  cJSON_AddStringToObject(t, "entry", job->entry);
  cJSON_AddBoolToObject(t, "skip_test", job->skip_test);
  if (!job->skip_test) {
    cJSON_AddStringToObject(t, "python", sbx_tool_version(py_exe, "--version"));
    cJSON_AddStringToObject(t, "python_exe", py_exe);
  }
  cJSON_AddStringToObject(t, "node", sbx_tool_version(node, "--version"));
  cJSON_AddStringToObject(t, "compared", "stdout and exit code, byte for byte");
  cJSON *limits = cJSON_AddObjectToObject(t, "limits");
  cJSON_AddNumberToObject(limits, "run_timeout_s", cfg->run_timeout_s);
  cJSON_AddNumberToObject(limits, "memory_mb", (double)cfg->run_memory_mb);
  cJSON_AddNumberToObject(limits, "output_max", (double)cfg->run_output_max);
  cJSON_AddNumberToObject(limits, "nproc", 64);
  cJSON_AddNumberToObject(limits, "fsize_mb", 16);
  cJSON *vs = cJSON_AddArrayToObject(t, "vectors");

  pl_vector dflt = {0};
  const pl_vector *vec = job->nvectors ? job->vectors : &dflt;
  size_t nvec = job->nvectors ? job->nvectors : 1;
  if (job->skip_test) nvec = 1;
  int failures = 0, timeouts = 0;
  char first_msg[512] = "";
  const char *py_ro[] = {py_prefix, NULL};
  for (size_t vi = 0; vi < nvec && !rc; vi++) {
    const pl_vector *v = &vec[vi];
    const char **pargv = p_xcalloc((size_t)v->nargs + 8, sizeof *pargv);
    const char **wargv = p_xcalloc((size_t)v->nargs + 8, sizeof *wargv);
    char argv0[PATH_MAX + 16];
    snprintf(argv0, sizeof argv0, "--argv0=%s", job->entry);
    int pn = 0, wn = 0;
    pargv[pn++] = py_exe;
    pargv[pn++] = "-s";
    pargv[pn++] = "-B";
    pargv[pn++] = job->entry;
    wargv[wn++] = node;
    wargv[wn++] = "--no-warnings";
    wargv[wn++] = runner;
    wargv[wn++] = argv0;
    wargv[wn++] = wasm;
    for (int k = 0; k < v->nargs; k++) pargv[pn++] = wargv[wn++] = v->args[k];

    cJSON *vj = cJSON_CreateObject();
    cJSON_AddItemToArray(vs, vj);
    cJSON *aj = cJSON_AddArrayToObject(vj, "args");
    for (int k = 0; k < v->nargs; k++) {
      char *u = test__utf8(v->args[k], strlen(v->args[k]), 4096);
      cJSON_AddItemToArray(aj, cJSON_CreateString(u));
      free(u);
    }
    cJSON_AddNumberToObject(vj, "stdin_size", (double)v->stdin_len);

    sbx_result pr = {0}, wr = {0};
    bool have_py = false;
    test__bg *bg = NULL;
    pthread_t th;
    bool threaded = false;
    if (!job->skip_test) {
      bg = p_xcalloc(1, sizeof *bg);
      bg->job = job;
      bg->argv = pargv;
      bg->env = test__py_env;
      bg->ro = py_ro;
      bg->cwd = pydir;
      bg->v = v;
      atomic_init(&bg->stop, false);
      atomic_init(&bg->done, false);
      threaded = pthread_create(&th, NULL, test__bg_main, bg) == 0;
      if (!threaded) test__bg_main(bg); /* no thread: one after the other */
    }
    test__fg fg = {job, bg};
    rc = test__run(job, wargv, test__node_env, wdir, NULL, v, test__fg_cancel, &fg, &wr, e);
    if (bg) {
      if (threaded) test__bg_wait(job, bg, th);
      pr = bg->r;
      if (!rc && bg->rc) {
        rc = bg->rc;
        if (e) *e = bg->e;
      }
      have_py = rc == 0;
    }
    /* A run cut short by the job's deadline or a cancel ends the stage. */
    if (!rc && (wr.canceled || wr.timed_out || pr.canceled || pr.timed_out)) rc = pl_check(job, e);
    if (!rc && have_py) cJSON_AddItemToObject(vj, "cpython", test__run_json(&pr));
    if (!rc) cJSON_AddItemToObject(vj, "wasm", test__run_json(&wr));
    free(bg);
    if (!rc && have_py) {
      if (wr.wall_ms > 0) cJSON_AddNumberToObject(vj, "speed_ratio", (double)pr.wall_ms / (double)wr.wall_ms);
      bool same_out = pr.out_len == wr.out_len && memcmp(pr.out, wr.out, pr.out_len) == 0;
      bool same_rc = pr.exit_code == wr.exit_code;
      bool hit_limit = pr.timed_out || wr.timed_out || pr.truncated || wr.truncated;
      bool ok = same_out && same_rc && !hit_limit;
      cJSON_AddBoolToObject(vj, "match", ok);
      char *args = test__args_text(v);
      char msg[1024] = "";
      bool timed = pr.timed_out || wr.timed_out;
      if (timed) {
        /* A program that does not finish in time (a loop) is timed_out,
         * whatever it printed before it was stopped. */
        timeouts++;
        snprintf(msg, sizeof msg, "the program ran past the %d s limit of one run (%s)", cfg->run_timeout_s,
                 pr.timed_out && wr.timed_out ? "CPython and WASM" : pr.timed_out ? "CPython" : "WASM");
      } else if (!same_out) {
        p_buf d;
        p_buf_init(&d, 0);
        int line = 0;
        test__diff(pr.out, pr.out_len, wr.out, wr.out_len, &d, &line);
        char *u = test__utf8(d.data ? d.data : "", d.len, TEST_DIFF_MAX + 64);
        cJSON_AddStringToObject(vj, "diff", u);
        free(u);
        p_buf_free(&d);
        char exp[200], got[200];
        test__line_at(pr.out, pr.out_len, line, exp, sizeof exp);
        test__line_at(wr.out, wr.out_len, line, got, sizeof got);
        snprintf(msg, sizeof msg, "stdout differs from CPython at line %d: CPython printed %s, WASM printed %s",
                 line, exp, got);
      } else if (!same_rc) {
        snprintf(msg, sizeof msg, "exit code differs: CPython exited %d, WASM exited %d", pr.exit_code,
                 wr.exit_code);
      } else if (hit_limit) {
        snprintf(msg, sizeof msg, "a run hit a limit (%s%s%s%s)", pr.timed_out ? "CPython timed out " : "",
                 wr.timed_out ? "WASM timed out " : "", pr.truncated ? "CPython output too large " : "",
                 wr.truncated ? "WASM output too large" : "");
      }
      if (!ok) {
        failures++;
        if (same_out && !same_rc) cJSON_AddNullToObject(vj, "diff");
        pl_diag_add(job, "error", job->entry, 0, 0, NULL, "test vector %zu%s%s%s: %s", vi + 1,
                    args[0] ? " (args: " : "", args, args[0] ? ")" : "", msg);
        pl_log(job, "vector %zu: MISMATCH: %s", vi + 1, msg);
        if (!first_msg[0]) snprintf(first_msg, sizeof first_msg, "vector %zu: %s", vi + 1, msg);
      } else {
        cJSON_AddNullToObject(vj, "diff");
        pl_log(job, "vector %zu: match (%zu bytes, exit %d; CPython %lld ms, WASM %lld ms)", vi + 1,
               wr.out_len, wr.exit_code, (long long)pr.wall_ms, (long long)wr.wall_ms);
      }
      free(args);
    } else if (!rc) {
      pl_log(job, "vector %zu: WASM ran (exit %d, %zu bytes, %lld ms); comparison skipped", vi + 1,
             wr.exit_code, wr.out_len, (long long)wr.wall_ms);
    }
    sbx_result_free(&pr);
    sbx_result_free(&wr);
    free(pargv);
    free(wargv);
    if (!rc) rc = pl_check(job, e);
  }
  cJSON_AddBoolToObject(t, "passed", !rc && failures == 0 && !job->skip_test);
  cJSON_AddNumberToObject(t, "wall_ms", (double)(p_mono_ms() - t0));
  if (rc) return rc;

  char *json = cJSON_Print(rep);
  if (!json) return p_err_set(e, P_ENOMEM, "out of memory");
  rc = pl_artifact(job, "report.json", "application/json", json, strlen(json), e);
  free(json);
  if (rc) return rc;
  if (failures && timeouts == failures) {
    snprintf(job->reason, sizeof job->reason, "timed_out");
    return p_err_set(e, P_ETIMEOUT, "%s", first_msg);
  }
  if (failures) {
    snprintf(job->reason, sizeof job->reason, "test_failure");
    return p_err_set(e, P_ETEST, "WASM and CPython disagree on %d of %zu vector%s; %s", failures, nvec,
                     nvec == 1 ? "" : "s", first_msg);
  }
  return 0;
}
