/*
 * test_backend.c - the Build, Test and Package agents on hand-written
 * crates (tests/backend/), through pl_run(job, build..package) exactly as
 * the server's workers call it.
 *
 * Covers: a crate builds to a WASI command importing only
 * wasi_snapshot_preview1; the second identical build is a cache hit; the
 * equivalence test passes on several vectors (args, stdin, exit code 3);
 * a program that prints one different line fails with test_failure, a
 * diagnostic and an exact unified diff in report.json; skip_test; a crate
 * that does not compile fails with compile_error and a diagnostic mapped
 * back to pkg/util.py:12 with the raw rustc text in the log; the package
 * opens with libarchive and every file matches manifest.json's size and
 * sha256; the package's browser loader (wasi-shim.mjs) runs the module
 * under Node with the same output; three jobs at once from three threads;
 * a hostile upload (tests/backend/malicious.py) whose CPython run tries to
 * read a file outside, reach a listener on 127.0.0.1, fork 500 processes,
 * write 64 MiB to /tmp, write into its own directory and see the server's
 * environment: each attempt must be blocked; a cancel during the CPython
 * run (on the test stage's helper thread) ends the job promptly, with the
 * cancel hook only ever called from the worker's thread.
 */
#include "config.h"
#include "pipeline.h"
#include "sandbox.h"

#include <arpa/inet.h>
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <cjson/cJSON.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pl_config cfg;
static char srcdir[PATH_MAX], cache_dir[PATH_MAX] = "/tmp/portalis-test-cache-XXXXXX";
static const char *argv0_;

/* ---------------------------------------------------------------- hooks */

typedef struct {
  char name[64];
  char *data;
  size_t len;
} artifact;

typedef struct {
  artifact arts[8];
  int narts;
  p_buf log;
} capture;

static int cap_artifact(void *ctx, pl_job *job, const char *name, const char *mime, const void *data,
                        size_t len, p_err *e) {
  (void)job; (void)mime; (void)e;
  capture *c = ctx;
  ck_assert_int_lt(c->narts, 8);
  artifact *a = &c->arts[c->narts++];
  snprintf(a->name, sizeof a->name, "%s", name);
  a->data = malloc(len + 1);
  memcpy(a->data, data, len);
  a->data[len] = 0;
  a->len = len;
  return 0;
}

static void cap_log(void *ctx, pl_job *job, const char *stage, const char *line) {
  (void)job;
  capture *c = ctx;
  p_buf_printf(&c->log, "[%s] %s\n", stage, line);
}

static const artifact *find_art(const capture *c, const char *name) {
  for (int i = 0; i < c->narts; i++)
    if (strcmp(c->arts[i].name, name) == 0) return &c->arts[i];
  return NULL;
}

static void cap_free(capture *c) {
  for (int i = 0; i < c->narts; i++) free(c->arts[i].data);
  p_buf_free(&c->log);
}

static char *fixture(const char *rel, size_t *len) {
  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/tests/backend/%s", srcdir, rel);
  char *data;
  p_err e = {0};
  ck_assert_msg(p_read_file(path, 1 << 20, &data, len, &e) == 0, "%s", e.msg);
  return data;
}

/* A job for crate `crate` with main.py = `py` (+ util.py). */
static pl_job *new_job(capture *c, const char *crate, const char *py, const char *id) {
  memset(c, 0, sizeof *c);
  p_buf_init(&c->log, 0);
  pl_job *job = pl_job_new(&cfg, id);
  job->hooks.ctx = c;
  job->hooks.artifact = cap_artifact;
  job->hooks.log = cap_log;
  char dir[PATH_MAX + 64];
  snprintf(dir, sizeof dir, "%s/tests/backend/%s", srcdir, crate);
  job->crate_dir = strdup(dir);
  job->entry = strdup("main.py");
  size_t len;
  char *d = fixture(py, &len);
  ck_assert_int_eq(pl_job_add_file(job, "main.py", d, len, NULL), 0);
  free(d);
  d = fixture("util.py", &len);
  ck_assert_int_eq(pl_job_add_file(job, "util.py", d, len, NULL), 0);
  free(d);
  return job;
}

static void add_vector(pl_job *job, const char *const *args, const char *stdin_data) {
  job->vectors = realloc(job->vectors, (job->nvectors + 1) * sizeof *job->vectors);
  pl_vector *v = &job->vectors[job->nvectors++];
  memset(v, 0, sizeof *v);
  while (args && args[v->nargs]) v->nargs++;
  v->args = calloc((size_t)v->nargs + 1, sizeof *v->args);
  for (int i = 0; i < v->nargs; i++) v->args[i] = strdup(args[i]);
  if (stdin_data) {
    v->stdin_data = strdup(stdin_data);
    v->stdin_len = strlen(stdin_data);
  }
}

/* The three vectors the hello fixture is checked on. */
static void hello_vectors(pl_job *job) {
  add_vector(job, NULL, NULL);
  const char *a1[] = {"alpha", "beta", NULL};
  add_vector(job, a1, "one\ntwo\nthree");
  const char *a2[] = {"fail", NULL};
  add_vector(job, a2, "\xc3\xa9t\xc3\xa9\n"); /* "été": 4 chars */
}

/* ---------------------------------------------------------------- tests */

START_TEST(t_build_test_package) {
  /* _i = 1: the same job with bubblewrap off (rlimits mode). */
  const char *saved = cfg.bwrap;
  if (_i == 1) cfg.bwrap = "";
  capture c;
  pl_job *job = new_job(&c, "hello", "hello.py", "bk1");
  hello_vectors(job);
  pl_outcome o = pl_run(job, 4, 6);
  ck_assert_msg(o == PL_SUCCEEDED, "outcome %s: %s %s\nlog:\n%s", pl_outcome_name(o), job->reason, job->message,
                c.log.data);
  const artifact *w = find_art(&c, "module.wasm"), *r = find_art(&c, "report.json"),
                 *p = find_art(&c, "package.tar.gz");
  ck_assert_ptr_nonnull(w);
  ck_assert_ptr_nonnull(r);
  ck_assert_ptr_nonnull(p);
  ck_assert(memcmp(w->data, "\0asm", 4) == 0);
  if (!job->cache_hit) ck_assert_msg(strstr(c.log.data, "rustc: 1 warning(s)"), "log:\n%s", c.log.data);
  /* The report: three matching vectors, the third exiting 3 on both sides. */
  cJSON *rep = cJSON_Parse(r->data);
  ck_assert_ptr_nonnull(rep);
  cJSON *t = cJSON_GetObjectItem(rep, "test");
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(t, "passed")));
  cJSON *vs = cJSON_GetObjectItem(t, "vectors");
  ck_assert_int_eq(cJSON_GetArraySize(vs), 3);
  cJSON *v3 = cJSON_GetArrayItem(vs, 2);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(v3, "match")));
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(v3, "wasm"), "exit_code")->valueint, 3);
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(v3, "cpython"), "exit_code")->valueint, 3);
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(v3, "speed_ratio"));
  const char *sbx = cJSON_GetStringValue(cJSON_GetObjectItem(t, "sandbox"));
  ck_assert_ptr_nonnull(sbx);
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "build"), "key"));
  const char *wmode = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(v3, "wasm"), "sandbox"));
  ck_assert_ptr_nonnull(wmode);
  ck_assert_msg(strncmp(wmode, _i ? "rlimits" : (sbx_bwrap_works(saved) ? "bwrap" : "rlimits"), 5) == 0,
                "sandbox %s", wmode);
  cJSON_Delete(rep);
  cap_free(&c);
  pl_job_free(job);
  cfg.bwrap = saved;
}
END_TEST

START_TEST(t_cache_hit) {
  capture c;
  pl_job *job = new_job(&c, "hello", "hello.py", "bk2a");
  pl_outcome o = pl_run(job, 4, 4);
  ck_assert_msg(o == PL_SUCCEEDED, "%s\n%s", job->message, c.log.data);
  char *first = strdup(find_art(&c, "module.wasm")->data + 0);
  size_t flen = find_art(&c, "module.wasm")->len;
  free(first);
  cap_free(&c);
  pl_job_free(job);
  /* Same crate again: reused, not recompiled, byte-identical. */
  job = new_job(&c, "hello", "hello.py", "bk2b");
  o = pl_run(job, 4, 4);
  ck_assert_int_eq(o, PL_SUCCEEDED);
  ck_assert(job->cache_hit);
  ck_assert_ptr_nonnull(strstr(c.log.data, "cache hit"));
  ck_assert_ptr_null(strstr(c.log.data, "rustc: ok"));
  ck_assert_uint_eq(find_art(&c, "module.wasm")->len, flen);
  cap_free(&c);
  pl_job_free(job);
}
END_TEST

START_TEST(t_imports_only_wasi) {
  capture c;
  pl_job *job = new_job(&c, "hello", "hello.py", "bk3");
  ck_assert_int_eq(pl_run(job, 4, 4), PL_SUCCEEDED);
  const artifact *w = find_art(&c, "module.wasm");
  char path[] = "/tmp/portalis-test-wasm-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_eq(write(fd, w->data, w->len), (ssize_t)w->len);
  close(fd);
  /* Independent check with wabt's objdump where installed. */
  if (access("/usr/bin/wasm-objdump", X_OK) == 0) {
    const char *argv[] = {"/usr/bin/wasm-objdump", "-x", "-j", "Import", path, NULL};
    sbx_opts o = {0};
    o.argv = argv;
    o.cwd = "/tmp";
    o.keep_uid = true;
    sbx_result r;
    ck_assert_int_eq(sbx_run(&o, &r, NULL), 0);
    ck_assert_int_eq(r.exit_code, 0);
    int imports = 0;
    for (char *l = strstr(r.out, " <- "); l; l = strstr(l + 4, " <- ")) {
      imports++;
      ck_assert_msg(strncmp(l + 4, "wasi_snapshot_preview1.", 23) == 0, "foreign import: %.60s", l);
    }
    ck_assert_int_gt(imports, 0);
    sbx_result_free(&r);
  }
  unlink(path);
  cap_free(&c);
  pl_job_free(job);
}
END_TEST

static const char expected_diff[] =
    "--- cpython/stdout\n"
    "+++ wasm/stdout\n"
    "@@ -1,6 +1,6 @@\n"
    " hello, world\n"
    " 0 squared is 0\n"
    "-1 squared is 2\n"
    "+1 squared is 1\n"
    " 2 squared is 4\n"
    " args: \n"
    " stdin: 0 chars, 0 lines\n";

START_TEST(t_test_failure_diff) {
  const char *saved = cfg.bwrap;
  if (_i == 1) cfg.bwrap = "";
  capture c;
  pl_job *job = new_job(&c, "hello", "hello_wrong.py", "bk4");
  pl_outcome o = pl_run(job, 4, 6);
  ck_assert_int_eq(o, PL_FAILED);
  ck_assert_str_eq(job->reason, "test_failure");
  ck_assert_ptr_nonnull(strstr(job->message, "line 3"));
  ck_assert_int_ge((int)job->ndiags, 1);
  ck_assert_str_eq(job->diags[0].file, "main.py");
  ck_assert_ptr_nonnull(strstr(job->diags[0].message, "\"1 squared is 2\""));
  /* The artifacts stay for inspection; no package for a failed test. */
  ck_assert_ptr_nonnull(find_art(&c, "module.wasm"));
  ck_assert_ptr_null(find_art(&c, "package.tar.gz"));
  const artifact *r = find_art(&c, "report.json");
  ck_assert_ptr_nonnull(r);
  cJSON *rep = cJSON_Parse(r->data);
  cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "test"), "vectors"), 0);
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(v, "match")));
  const char *diff = cJSON_GetStringValue(cJSON_GetObjectItem(v, "diff"));
  ck_assert_ptr_nonnull(diff);
  ck_assert_str_eq(diff, expected_diff);
  cJSON_Delete(rep);
  cap_free(&c);
  pl_job_free(job);
  cfg.bwrap = saved;
}
END_TEST

START_TEST(t_skip_test) {
  capture c;
  pl_job *job = new_job(&c, "hello", "hello_wrong.py", "bk5");
  job->skip_test = true;
  pl_outcome o = pl_run(job, 4, 6);
  ck_assert_msg(o == PL_SUCCEEDED, "%s\n%s", job->message, c.log.data);
  ck_assert_ptr_nonnull(strstr(c.log.data, "comparison skipped"));
  cJSON *rep = cJSON_Parse(find_art(&c, "report.json")->data);
  cJSON *t = cJSON_GetObjectItem(rep, "test");
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(t, "skip_test")));
  cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "vectors"), 0);
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(v, "wasm"));
  ck_assert_ptr_null(cJSON_GetObjectItem(v, "cpython"));
  cJSON_Delete(rep);
  cap_free(&c);
  pl_job_free(job);
}
END_TEST

START_TEST(t_compile_error_mapped) {
  capture c;
  pl_job *job = new_job(&c, "broken", "hello.py", "bk6");
  const char *util = "def twice(x):\n    s = x * 2\n    y = int('not a number')\n";
  /* pkg/util.py's line 12 is what the comment names; make it exist. */
  p_buf b;
  p_buf_init(&b, 0);
  for (int i = 1; i < 12; i++) p_buf_printf(&b, "# line %d\n", i);
  p_buf_puts(&b, "    y = int('not a number')\n");
  ck_assert_int_eq(pl_job_add_file(job, "pkg/util.py", b.data, b.len, NULL), 0);
  p_buf_free(&b);
  (void)util;
  pl_outcome o = pl_run(job, 4, 6);
  ck_assert_int_eq(o, PL_ERROR);
  ck_assert_str_eq(job->reason, "compile_error");
  ck_assert_int_ge((int)job->ndiags, 1);
  const pl_diag *d = &job->diags[0];
  ck_assert_str_eq(d->file, "pkg/util.py");
  ck_assert_int_eq(d->line, 12);
  ck_assert_ptr_nonnull(d->source_line);
  ck_assert_str_eq(d->source_line, "    y = int('not a number')");
  ck_assert_ptr_nonnull(strstr(d->message, "mismatched types"));
  ck_assert_ptr_nonnull(strstr(d->message, "src/util.rs:6"));
  /* The raw rustc text is in the build log. */
  ck_assert_ptr_nonnull(strstr(c.log.data, "[build] rustc: error[E0308]"));
  ck_assert_ptr_null(find_art(&c, "module.wasm"));
  cap_free(&c);
  pl_job_free(job);
}
END_TEST

/* Reads every entry of a tar.gz into parallel arrays. */
static int read_tar(const artifact *p, char **names, char **datas, size_t *lens, int max) {
  struct archive *a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_tar(a);
  ck_assert_int_eq(archive_read_open_memory(a, p->data, p->len), ARCHIVE_OK);
  struct archive_entry *en;
  int n = 0;
  while (archive_read_next_header(a, &en) == ARCHIVE_OK) {
    if (archive_entry_filetype(en) != AE_IFREG) continue;
    ck_assert_int_lt(n, max);
    size_t size = (size_t)archive_entry_size(en);
    names[n] = strdup(archive_entry_pathname(en));
    datas[n] = malloc(size + 1);
    ck_assert_int_eq(archive_read_data(a, datas[n], size), (la_ssize_t)size);
    datas[n][size] = 0;
    lens[n] = size;
    n++;
  }
  archive_read_free(a);
  return n;
}

START_TEST(t_package_manifest) {
  capture c;
  pl_job *job = new_job(&c, "hello", "hello.py", "bk7");
  ck_assert_int_eq(pl_run(job, 4, 6), PL_SUCCEEDED);
  const artifact *p = find_art(&c, "package.tar.gz");
  ck_assert_ptr_nonnull(p);
  enum { MAX = 256 };
  char *names[MAX], *datas[MAX];
  size_t lens[MAX];
  int n = read_tar(p, names, datas, lens, MAX);
  int mi = -1;
  for (int i = 0; i < n; i++) {
    ck_assert_msg(strncmp(names[i], "main/", 5) == 0, "entry outside the top dir: %s", names[i]);
    if (strcmp(names[i], "main/manifest.json") == 0) mi = i;
  }
  ck_assert_int_ge(mi, 0);
  cJSON *m = cJSON_Parse(datas[mi]);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m, "portalis_version")), PACKAGE_VERSION);
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m, "job_id")), "bk7");
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(m, "entry")), "main.py");
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "toolchain"), "rustc"));
  cJSON *files = cJSON_GetObjectItem(m, "files");
  /* Every file but the manifest is listed, with the right size and digest. */
  ck_assert_int_eq(cJSON_GetArraySize(files), n - 1);
  const char *must[] = {"module.wasm", "run.mjs", "loader.mjs", "wasi-shim.mjs", "README.md",
                        "report.json", "crate/Cargo.toml", "crate/src/main.rs", "crate/src/util.rs",
                        "portalis_rt/Cargo.toml", "portalis_rt/src/lib.rs", "python/main.py", NULL};
  for (int k = 0; must[k]; k++) {
    bool found = false;
    cJSON *f;
    cJSON_ArrayForEach(f, files) found |= strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(f, "path")), must[k]) == 0;
    ck_assert_msg(found, "%s missing from the manifest", must[k]);
  }
  cJSON *f;
  cJSON_ArrayForEach(f, files) {
    char full[PATH_MAX];
    snprintf(full, sizeof full, "main/%s", cJSON_GetStringValue(cJSON_GetObjectItem(f, "path")));
    int i = 0;
    while (i < n && strcmp(names[i], full) != 0) i++;
    ck_assert_msg(i < n, "%s in the manifest but not in the tar", full);
    char hex[65];
    p_sha256_hex(datas[i], lens[i], hex);
    ck_assert_str_eq(hex, cJSON_GetStringValue(cJSON_GetObjectItem(f, "sha256")));
    ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(f, "size")), (int)lens[i]);
  }
  /* The crate's Cargo.toml points at the bundled runtime. */
  for (int i = 0; i < n; i++)
    if (strcmp(names[i], "main/crate/Cargo.toml") == 0)
      ck_assert_ptr_nonnull(strstr(datas[i], "portalis_rt = { path = \"../portalis_rt\" }"));
  cJSON_Delete(m);
  for (int i = 0; i < n; i++) {
    free(names[i]);
    free(datas[i]);
  }
  cap_free(&c);
  pl_job_free(job);
}
END_TEST

START_TEST(t_browser_loader_runs_module) {
  capture c;
  pl_job *job = new_job(&c, "hello", "hello.py", "bk8");
  ck_assert_int_eq(pl_run(job, 4, 4), PL_SUCCEEDED);
  const artifact *w = find_art(&c, "module.wasm");
  char dir[] = "/tmp/portalis-test-loader-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/module.wasm", dir);
  ck_assert_int_eq(p_write_file(path, w->data, w->len, NULL), 0);
  char script[PATH_MAX * 2];
  snprintf(script, sizeof script,
           "import { runWasi } from '%s/loader.mjs';\n"
           "import fs from 'node:fs';\n"
           "const r = await runWasi(fs.readFileSync('%s'), { args: ['x', 'fail'], stdin: 'ab\\ncd' });\n"
           "process.stdout.write(r.stdout + 'rc=' + r.exitCode + '\\n');\n",
           cfg.share_dir, path);
  const char *argv[] = {cfg.node, "--input-type=module", "-e", script, NULL};
  sbx_opts o = {0};
  o.argv = argv;
  o.cwd = dir;
  o.keep_uid = true;
  sbx_result r;
  ck_assert_int_eq(sbx_run(&o, &r, NULL), 0);
  ck_assert_msg(r.exit_code == 0, "node: %s", r.err);
  ck_assert_str_eq(r.out, "hello, world\n0 squared is 0\n1 squared is 1\n2 squared is 4\n"
                          "args: x fail\nstdin: 5 chars, 2 lines\nrc=3\n");
  sbx_result_free(&r);
  p_rmtree(dir);
  cap_free(&c);
  pl_job_free(job);
}
END_TEST

/* The CPython run of a hostile upload: every escape attempt is blocked. */
START_TEST(t_malicious_upload) {
  if (!sbx_bwrap_works(cfg.bwrap)) {
    fprintf(stderr, "note: no bwrap here, malicious-upload case skipped\n");
    return;
  }
  char secret[] = "/var/tmp/portalis-secret-XXXXXX";
  int fd = mkstemp(secret);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, "top secret\n", 11), 11);
  close(fd);
  chmod(secret, 0644);
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof sa), 0);
  ck_assert_int_eq(listen(ls, 8), 0);
  socklen_t sl = sizeof sa;
  getsockname(ls, (struct sockaddr *)&sa, &sl);
  size_t len;
  char *src = fixture("malicious.py", &len);
  p_buf b;
  p_buf_init(&b, 0);
  char port[16];
  snprintf(port, sizeof port, "%d", ntohs(sa.sin_port));
  for (const char *p = src; *p;) {
    if (strncmp(p, "\"SECRET\"", 8) == 0) { p_buf_printf(&b, "\"%s\"", secret); p += 8; }
    else if (strncmp(p, "PORT)", 5) == 0) { p_buf_printf(&b, "%s)", port); p += 5; }
    else p_buf_putc(&b, *p++);
  }
  free(src);
  capture c;
  pl_job *job = new_job(&c, "hello", "hello.py", "bkevil");
  free(job->files[0].data);
  job->files[0].data = strdup(b.data);
  job->files[0].len = b.len;
  p_buf_free(&b);
  int64_t t0 = p_mono_ms();
  pl_outcome o = pl_run(job, 4, 5);
  unlink(secret); /* before any assertion can end the test */
  ck_assert_int_eq(o, PL_FAILED); /* it prints nothing the WASM prints */
  ck_assert_msg(p_mono_ms() - t0 < 20000, "took %lld ms", (long long)(p_mono_ms() - t0));
  cJSON *rep = cJSON_Parse(find_art(&c, "report.json")->data);
  cJSON *v = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "test"), "vectors"), 0);
  const char *err = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "cpython"), "stderr_head"));
  ck_assert_ptr_nonnull(err);
  const char *want[] = {"read: blocked", "net: blocked", "fork: blocked", "disk: blocked", "cwd: blocked",
                        "env: blocked", NULL};
  for (int i = 0; want[i]; i++) ck_assert_msg(strstr(err, want[i]), "%s missing; CPython stderr:\n%s", want[i], err);
  ck_assert_ptr_null(strstr(err, "SUCCEEDED"));
  cJSON_Delete(rep);
  cap_free(&c);
  pl_job_free(job);
  close(ls);
}
END_TEST

/* Cancellation reaches a CPython run on the test stage's helper thread,
 * and the hook is only ever called from the worker's own thread. */
static int64_t cancel_at;
static pthread_t cancel_thread;
static int cancel_wrong_thread;

static bool cancel_hook(void *ctx, pl_job *job) {
  (void)ctx; (void)job;
  if (!pthread_equal(pthread_self(), cancel_thread)) cancel_wrong_thread++;
  return cancel_at && p_mono_ms() >= cancel_at;
}

START_TEST(t_cancel_during_test) {
  capture c;
  pl_job *job = new_job(&c, "hello", "hello.py", "bkcancel");
  free(job->files[0].data);
  job->files[0].data = strdup("import time\ntime.sleep(30)\n");
  job->files[0].len = strlen(job->files[0].data);
  job->hooks.canceled = cancel_hook;
  cancel_thread = pthread_self();
  ck_assert_int_eq(pl_run(job, 4, 4), PL_SUCCEEDED);
  cancel_at = p_mono_ms() + 1000;
  int64_t t0 = p_mono_ms();
  free(job->wasm_path);
  job->wasm_path = NULL;
  pl_outcome o = pl_run(job, 4, 5);
  ck_assert_int_eq(o, PL_CANCELED);
  ck_assert_msg(p_mono_ms() - t0 < 5000, "cancel took %lld ms", (long long)(p_mono_ms() - t0));
  ck_assert_int_eq(cancel_wrong_thread, 0);
  cancel_at = 0;
  cap_free(&c);
  pl_job_free(job);
}
END_TEST

static void *worker(void *arg) {
  intptr_t i = (intptr_t)arg;
  capture c;
  char id[32];
  snprintf(id, sizeof id, "bkpar%d", (int)i);
  pl_job *job = new_job(&c, "hello", i == 1 ? "hello_wrong.py" : "hello.py", id);
  hello_vectors(job);
  pl_outcome o = pl_run(job, 4, 6);
  cap_free(&c);
  pl_job_free(job);
  return (void *)(intptr_t)o;
}

START_TEST(t_concurrent_jobs) {
  pthread_t th[3];
  for (intptr_t i = 0; i < 3; i++) pthread_create(&th[i], NULL, worker, (void *)i);
  for (int i = 0; i < 3; i++) {
    void *res;
    pthread_join(th[i], &res);
    ck_assert_int_eq((int)(intptr_t)res, i == 1 ? PL_FAILED : PL_SUCCEEDED);
  }
}
END_TEST

/* ------------------------------------------------ standard-library cache */

/* A job from source to module.wasm (ingest..build, or ..test): main.py = src. */
static pl_job *src_job(capture *c, const char *id, const char *src, int last) {
  memset(c, 0, sizeof *c);
  p_buf_init(&c->log, 0);
  pl_job *job = pl_job_new(&cfg, id);
  job->hooks.ctx = c;
  job->hooks.artifact = cap_artifact;
  job->hooks.log = cap_log;
  job->entry = strdup("main.py");
  ck_assert_int_eq(pl_job_add_file(job, "main.py", src, strlen(src), NULL), 0);
  pl_outcome o = pl_run(job, 0, last);
  ck_assert_msg(o == PL_SUCCEEDED, "%s: %s %s\nlog:\n%s", id, job->reason, job->message, c->log.data);
  return job;
}

/* The report's build.stdlib entry for crate (borrowed), asserting there is one. */
static cJSON *lib_entry(pl_job *job, const char *crate) {
  cJSON *arr = cJSON_GetObjectItem(cJSON_GetObjectItem(sbx_job_report(job), "build"), "stdlib");
  cJSON *it;
  cJSON_ArrayForEach(it, arr)
    if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "crate")), crate)) return it;
  ck_abort_msg("no build.stdlib entry for %s", crate);
  return NULL;
}

/* Two jobs at once that need the same library, not built yet. */
typedef struct {
  const char *id, *src;
  capture c;
  pl_outcome o;
  char key[65];
} lib_par;

static void *lib_worker(void *arg) {
  lib_par *w = arg;
  memset(&w->c, 0, sizeof w->c);
  p_buf_init(&w->c.log, 0);
  pl_job *job = pl_job_new(&cfg, w->id);
  job->hooks.ctx = &w->c;
  job->hooks.artifact = cap_artifact;
  job->hooks.log = cap_log;
  job->entry = strdup("main.py");
  pl_job_add_file(job, "main.py", w->src, strlen(w->src), NULL);
  w->o = pl_run(job, 0, 4);
  cJSON *arr = cJSON_GetObjectItem(cJSON_GetObjectItem(sbx_job_report(job), "build"), "stdlib");
  const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "key"));
  snprintf(w->key, sizeof w->key, "%s", k ? k : "");
  pl_job_free(job);
  return NULL;
}

/* A standard-library module compiled from source (graphlib, from a copy of
 * the installed file so the test can change it) is a library crate built
 * once: a second program that imports it links the cached rlib without
 * recompiling it (same key, the file not rewritten), and a changed source
 * makes a new key and a new build beside the old one. Two jobs at once
 * that need a library not built yet build it once (the per-key lock). */
START_TEST(t_stdlib_library_cached) {
  const char *real = pl_stdlib_dir();
  char from[PATH_MAX + 32];
  snprintf(from, sizeof from, "%s/graphlib.py", real ? real : "");
  if (!real || !*real || access(from, R_OK) != 0) {
    fprintf(stderr, "t_stdlib_library_cached: skipped (no installed graphlib.py)\n");
    return;
  }
  char dir[] = "/tmp/portalis-test-stdlib-XXXXXX", to[PATH_MAX];
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(to, sizeof to, "%s/graphlib.py", dir);
  char *text;
  size_t len;
  p_err e = {0};
  ck_assert_int_eq(p_read_file(from, 1 << 20, &text, &len, &e), 0);
  ck_assert_int_eq(p_write_file(to, text, len, &e), 0);
  const char *saved = cfg.stdlib_dir;
  cfg.stdlib_dir = dir;

  capture c;
  pl_job *job = src_job(&c, "lib1", "import graphlib\nts = graphlib.TopologicalSorter({'b': {'a'}, 'c': {'b', 'a'}})\n"
                                     "print(list(ts.static_order()))\n", 5);
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(sbx_job_report(job), "test"), "passed")));
  cJSON *l = lib_entry(job, "plib_graphlib");
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(l, "cache_hit")));
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(l, "rustc_ms"));
  char key1[65], rlib[PATH_MAX + 200];
  snprintf(key1, sizeof key1, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(l, "key")));
  snprintf(rlib, sizeof rlib, "%s/lib/%s/libplib_graphlib.rlib", cache_dir, key1);
  struct stat st1, st2;
  ck_assert_int_eq(stat(rlib, &st1), 0);
  ck_assert_msg(strstr(c.log.data, "stdlib library plib_graphlib: built in"), "log:\n%s", c.log.data);
  cap_free(&c);
  pl_job_free(job);

  /* another program (so no module cache hit): the library is linked as is */
  job = src_job(&c, "lib2", "from graphlib import TopologicalSorter, CycleError\n"
                            "try:\n    list(TopologicalSorter({'x': {'y'}, 'y': {'x'}}).static_order())\n"
                            "except CycleError as err:\n    print('cycle', err.args[0])\n", 4);
  ck_assert(!job->cache_hit);
  l = lib_entry(job, "plib_graphlib");
  ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(l, "cache_hit")));
  ck_assert_ptr_null(cJSON_GetObjectItem(l, "rustc_ms"));
  ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(l, "key")), key1);
  ck_assert_msg(strstr(c.log.data, "stdlib library plib_graphlib: cached"), "log:\n%s", c.log.data);
  ck_assert_ptr_null(strstr(c.log.data, "stdlib library plib_graphlib: built"));
  ck_assert_ptr_nonnull(strstr(c.log.data, "rustc: ok")); /* the program itself was compiled */
  ck_assert_int_eq(stat(rlib, &st2), 0);
  ck_assert_uint_eq(st2.st_ino, st1.st_ino);
  ck_assert_uint_eq(st2.st_size, st1.st_size);
  cap_free(&c);
  pl_job_free(job);

  /* the source changed (a new PORTALIS_STDLIB_DIR would do the same): a new key, built again */
  char *more = p_xmalloc(len + 64);
  memcpy(more, text, len);
  memcpy(more + len, "\n\ndef _portalis_changed():\n    return 1\n", 40);
  ck_assert_int_eq(p_write_file(to, more, len + 40, &e), 0);
  job = src_job(&c, "lib3", "from graphlib import TopologicalSorter, CycleError\n"
                            "try:\n    list(TopologicalSorter({'x': {'y'}, 'y': {'x'}}).static_order())\n"
                            "except CycleError as err:\n    print('cycle', err.args[0])\n", 4);
  l = lib_entry(job, "plib_graphlib");
  ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(l, "cache_hit")));
  ck_assert_str_ne(cJSON_GetStringValue(cJSON_GetObjectItem(l, "key")), key1);
  ck_assert_msg(strstr(c.log.data, "stdlib library plib_graphlib: built in"), "log:\n%s", c.log.data);
  ck_assert_int_eq(stat(rlib, &st2), 0); /* the old one stays for programs that still match it */
  cap_free(&c);
  pl_job_free(job);

  /* changed once more, then two jobs at once */
  memcpy(more + len, "\n\ndef _portalis_changed():\n    return 2\n", 40);
  ck_assert_int_eq(p_write_file(to, more, len + 40, &e), 0);
  lib_par w[2] = {{.id = "libpar0", .src = "import graphlib\nprint(graphlib.TopologicalSorter().static_order)\n"},
                  {.id = "libpar1", .src = "from graphlib import TopologicalSorter\nprint(len(list(TopologicalSorter({1: {2}}).static_order())))\n"}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, lib_worker, &w[i]);
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  int built = 0;
  for (int i = 0; i < 2; i++) {
    ck_assert_msg(w[i].o == PL_SUCCEEDED, "%s: log:\n%s", w[i].id, w[i].c.log.data);
    built += strstr(w[i].c.log.data, "stdlib library plib_graphlib: built in") != NULL;
  }
  ck_assert_str_eq(w[0].key, w[1].key);
  ck_assert_str_ne(w[0].key, key1);
  ck_assert_msg(built == 1, "built %d times:\n%s\n%s", built, w[0].c.log.data, w[1].c.log.data);
  for (int i = 0; i < 2; i++) cap_free(&w[i].c);
  free(more);
  free(text);
  cfg.stdlib_dir = saved;
  p_rmtree(dir);
}
END_TEST

int main(int argc, char **argv) {
  (void)argc;
  argv0_ = argv[0];
  const char *s = getenv("top_srcdir");
  snprintf(srcdir, sizeof srcdir, "%s", s && *s ? s : ".");
  pl_config_default(&cfg, argv0_);
  if (!mkdtemp(cache_dir)) {
    perror("mkdtemp");
    return 1;
  }
  cfg.cache_dir = cache_dir;
  fprintf(stderr, "runtime %s, share %s, sandbox %s\n", cfg.runtime_dir, cfg.share_dir, sbx_mode_name(cfg.bwrap));
  Suite *su = suite_create("backend");
  TCase *t = tcase_create("stages");
  tcase_set_timeout(t, 120);
  tcase_add_loop_test(t, t_build_test_package, 0, 2);
  tcase_add_test(t, t_cache_hit);
  tcase_add_test(t, t_imports_only_wasi);
  tcase_add_loop_test(t, t_test_failure_diff, 0, 2);
  tcase_add_test(t, t_skip_test);
  tcase_add_test(t, t_compile_error_mapped);
  tcase_add_test(t, t_package_manifest);
  tcase_add_test(t, t_browser_loader_runs_module);
  tcase_add_test(t, t_concurrent_jobs);
  tcase_add_test(t, t_malicious_upload);
  tcase_add_test(t, t_cancel_during_test);
  suite_add_tcase(su, t);
  t = tcase_create("stdlib");
  tcase_set_timeout(t, 900);
  tcase_add_test(t, t_stdlib_library_cached);
  suite_add_tcase(su, t);
  SRunner *r = srunner_create(su);
  srunner_run_all(r, CK_NORMAL);
  int f = srunner_ntests_failed(r);
  srunner_free(r);
  p_rmtree(cache_dir);
  return f != 0;
}
