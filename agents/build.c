/*
 * build.c - the Build agent: generated crate -> module.wasm.
 *
 * The Transpile agent leaves a crate in job->crate_dir (Cargo.toml,
 * src/main.rs, one .rs per Python module). We compile it with the rustc that
 * configure found (Debian's 1.63, the one with a wasm32-wasi std) against
 * the precompiled runtime rlib, without cargo: cargo would want a registry
 * and a target dir, while one rustc call on src/main.rs is all a crate of
 * plain modules needs and takes ~0.3 s.
 *
 *   1. Key = sha256 over every crate file (path and content), the rustc
 *      version, the runtime rlib's digest, the wasm-opt version and our
 *      flags. A cached module under cfg->cache_dir is reused as is.
 *   2. rustc runs in the sandbox (read-only crate and runtime, writable
 *      build dir only) with --error-format=json. Errors are generated
 *      code's fault, a translator bug: each is mapped back to the Python
 *      line through the `// file.py:N` comment that precedes every
 *      generated statement, becomes a job diagnostic, and the raw rustc
 *      text goes to the build log for the bug report.
 *   3. wasm-opt where present and the module is at most
 *      cfg->wasm_opt_max bytes (1 MiB by default): -O2 up to 256 KiB, -O1
 *      above, where -O2 gets slow (on a 1.1 MB module -O1 saves 12.4% for
 *      a quarter of the CPU time -O2 takes to save 14.8%); the smaller
 *      module wins. Bigger modules skip it: a module links only the runtime
 *      modules it imports, so most programs come out under 1 MiB.
 *   4. wasm-validate, then our own walk of the import section: a module
 *      that imports anything but wasi_snapshot_preview1 would not run in
 *      a plain WASI host, so it is our bug and fails the job.
 *
 * Libraries. Standard-library modules compiled from CPython's source are
 * library crates of the generated crate (stdlib/<crate>/, listed in build
 * order in stdlib/Units; agents/tr_stdlib.c), translated the same for
 * every program that imports them. Before the crate's own rustc, each is
 * compiled to an rlib once per key - sha256 over its files, the keys of
 * the libraries it needs, the rustc version, the runtime rlib's digest and
 * the flags - into cfg->cache_dir/lib/<key>/ (the job's build dir when
 * there is no cache), and the crate links them with --extern. A lock file
 * per key makes concurrent jobs that need the same missing library build
 * it once: the others wait for it and link the result. The cache's
 * eviction (server/retention.c) treats the rlibs like cached modules:
 * least recently used first, a use touches the file.
 */
#include "config.h"
#include "pipeline.h"
#include "sandbox.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 32 MiB of linear-memory stack (Rust's default is 1 MiB): deep Python
 * recursion (sys.setrecursionlimit raised, 50,000 frames and more) runs out
 * of it rather than of the limit; the runtime raises RecursionError before
 * the stack is used up, and contrib/run.mjs gives the engine's own stack
 * the room to match. */
#define BUILD_STACK_ARG "link-arg=-zstack-size=33554432"
#define BUILD_FLAGS_TAG "portalis-build-v4 -O strip=symbols bulk-memory wasm-opt-O2/O1>256KiB " BUILD_STACK_ARG
#define BUILD_CRATE_MAX ((size_t)64 << 20)
#define BUILD_OPT_O2_MAX (256 << 10) /* bytes: larger modules get wasm-opt -O1 */
#define BUILD_LIB_TAG "portalis-lib-v1 -O rlib bulk-memory"
#define BUILD_LIB_PATH (2 * PATH_MAX + 256)
#define BUILD_LIBS_MAX 64 /* libraries one crate may link (Ingest's ING_STDLIB_MAX modules) */

/* ------------------------------------------------------ crate listing */

typedef struct {
  char **paths; /* relative to the crate dir, sorted */
  size_t n, cap;
  size_t bytes;
} build__list;

static void build__list_free(build__list *l) {
  for (size_t i = 0; i < l->n; i++) free(l->paths[i]);
  free(l->paths);
}

static int build__walk(build__list *l, const char *root, const char *rel, int depth, p_err *e) {
  if (depth > 16) return p_err_set(e, P_ETOOBIG, "crate directories nested too deep");
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
  DIR *d = opendir(dir);
  if (!d) return p_err_set(e, P_EIO, "%s: %s", dir, strerror(errno));
  struct dirent *de;
  int rc = 0;
  while (!rc && (de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    if (!rel[0] && strcmp(de->d_name, "target") == 0) continue;
    char sub[PATH_MAX], full[2 * PATH_MAX + 2];
    if (snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= (int)sizeof sub) continue;
    snprintf(full, sizeof full, "%s/%s", root, sub);
    struct stat st;
    if (lstat(full, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      rc = build__walk(l, root, sub, depth + 1, e);
    } else if (S_ISREG(st.st_mode)) {
      if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->paths = p_xrealloc(l->paths, l->cap * sizeof *l->paths);
      }
      l->paths[l->n++] = p_xstrdup(sub);
      l->bytes += (size_t)st.st_size;
      if (l->bytes > BUILD_CRATE_MAX) rc = p_err_set(e, P_ETOOBIG, "generated crate larger than 64 MiB");
    }
  }
  closedir(d);
  return rc;
}

static int build__cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ------------------------------------------------------------ the key */

static int build__key(pl_job *job, const build__list *l, const char *rt, char key[65], p_err *e) {
  const pl_config *cfg = job->cfg;
  p_sha256 h;
  p_sha256_init(&h);
  for (size_t i = 0; i < l->n; i++) {
    char full[PATH_MAX];
    snprintf(full, sizeof full, "%s/%s", job->crate_dir, l->paths[i]);
    char *data;
    size_t len;
    int rc = p_read_file(full, BUILD_CRATE_MAX, &data, &len, e);
    if (rc) return rc;
    uint64_t n = len;
    p_sha256_update(&h, l->paths[i], strlen(l->paths[i]) + 1);
    p_sha256_update(&h, &n, sizeof n);
    p_sha256_update(&h, data, len);
    free(data);
  }
  char rlib[PATH_MAX + 32], rlib_hex[65];
  snprintf(rlib, sizeof rlib, "%s/libportalis_rt.rlib", rt);
  int rc = sbx_file_sha256(rlib, rlib_hex, e);
  if (rc) return rc;
  const char *parts[] = {cfg->rustc_version ? cfg->rustc_version : "", rlib_hex,
                         sbx_tool_version(cfg->wasm_opt, "--version"), BUILD_FLAGS_TAG};
  for (int i = 0; i < 4; i++) p_sha256_update(&h, parts[i], strlen(parts[i]) + 1);
  uint64_t opt_max = cfg->wasm_opt_max;
  p_sha256_update(&h, &opt_max, sizeof opt_max);
  uint8_t d[32];
  p_sha256_final(&h, d);
  for (int i = 0; i < 32; i++) snprintf(key + 2 * i, 3, "%02x", d[i]);
  return 0;
}

/* ----------------------------------------------- rustc diagnostics -> .py */

/* Looks upward from rs_line (1-based) in a generated file for the nearest
 * `// some/file.py:N` comment. Returns N and fills py (path); 0 if none. */
static int build__py_line(const char *text, int rs_line, char *py, size_t pysz) {
  /* Index the line starts up to rs_line. */
  int nlines = 0;
  const char *p = text;
  const char **ls = p_xmalloc(sizeof(char *) * (size_t)(rs_line + 1));
  ls[nlines++] = p;
  while (nlines < rs_line && (p = strchr(p, '\n'))) ls[nlines++] = ++p;
  int found = 0;
  for (int i = nlines - 1; i >= 0 && !found; i--) {
    const char *s = ls[i];
    while (*s == ' ' || *s == '\t') s++;
    if (strncmp(s, "//", 2) != 0) continue;
    s += 2;
    while (*s == ' ') s++;
    size_t tok = strcspn(s, " \t\r\n");
    /* token = path.py:N */
    const char *colon = NULL;
    for (size_t k = 0; k < tok; k++)
      if (s[k] == ':') colon = s + k;
    if (!colon || colon - s < 4 || strncmp(colon - 3, ".py", 3) != 0) continue;
    char *end;
    long n = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || n <= 0 || end > s + tok) continue;
    snprintf(py, pysz, "%.*s", (int)(colon - s), s);
    found = (int)n;
  }
  free(ls);
  return found;
}

/* The text of line n (1-based) of a job file, or NULL. Malloc'd. */
static char *build__src_line(pl_job *job, const char *path, int n) {
  const pl_file *f = pl_job_find_file(job, path);
  if (!f) return NULL;
  const char *p = f->data;
  for (int i = 1; i < n && p; i++) {
    p = strchr(p, '\n');
    if (p) p++;
  }
  if (!p) return NULL;
  size_t len = strcspn(p, "\r\n");
  return p_xstrndup(p, len);
}

/* Parses rustc's JSON stream; every error becomes a diagnostic, every
 * rendered message goes to the log. Returns the number of errors and
 * copies the first one's message into first. */
static int build__diagnostics(pl_job *job, const char *json, char *first, size_t firstsz) {
  int errors = 0, warnings = 0;
  const char *line = json;
  size_t prefix = strlen(job->crate_dir);
  while (line && *line) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    cJSON *d = cJSON_ParseWithLength(line, len);
    line = nl ? nl + 1 : NULL;
    if (!d) continue;
    const char *level = cJSON_GetStringValue(cJSON_GetObjectItem(d, "level"));
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(d, "message"));
    const char *rendered = cJSON_GetStringValue(cJSON_GetObjectItem(d, "rendered"));
    bool is_err_level = level && strncmp(level, "error", 5) == 0;
    if (rendered && is_err_level) {
      /* The raw rustc text of errors, line by line, for the bug report
       * (warnings in generated code are only counted). */
      const char *r = rendered;
      while (*r) {
        size_t n = strcspn(r, "\n");
        pl_log(job, "rustc: %.*s", (int)n, r);
        r += n;
        if (*r) r++;
      }
    }
    bool is_error = is_err_level;
    cJSON *spans = cJSON_GetObjectItem(d, "spans");
    /* ("N warnings emitted" is a warning without a span: not counted) */
    if (level && strcmp(level, "warning") == 0 && cJSON_GetArraySize(spans) > 0) warnings++;
    if (is_error && msg && cJSON_GetArraySize(spans) == 0 &&
        (strncmp(msg, "aborting due to", 15) == 0 || strncmp(msg, "For more information", 20) == 0)) {
      cJSON_Delete(d);
      continue;
    }
    if (is_error && msg) {
      errors++;
      if (errors == 1) snprintf(first, firstsz, "%s", msg);
      /* The primary span inside the crate, else any span inside it. */
      const char *rs_file = NULL;
      int rs_line = 0;
      for (int pass = 0; pass < 2 && !rs_file; pass++) {
        cJSON *sp;
        cJSON_ArrayForEach(sp, spans) {
          const char *fn = cJSON_GetStringValue(cJSON_GetObjectItem(sp, "file_name"));
          bool primary = cJSON_IsTrue(cJSON_GetObjectItem(sp, "is_primary"));
          if (!fn || (pass == 0 && !primary)) continue;
          if (fn[0] == '/' && (strncmp(fn, job->crate_dir, prefix) != 0 || fn[prefix] != '/')) continue;
          rs_file = fn[0] == '/' ? fn + prefix + 1 : fn;
          rs_line = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(sp, "line_start"));
          break;
        }
      }
      char py[256] = "";
      int py_line = 0;
      if (rs_file && rs_line > 0) {
        char full[PATH_MAX];
        snprintf(full, sizeof full, "%s/%s", job->crate_dir, rs_file);
        char *text;
        size_t tl;
        if (p_read_file(full, BUILD_CRATE_MAX, &text, &tl, NULL) == 0) {
          py_line = build__py_line(text, rs_line, py, sizeof py);
          free(text);
        }
      }
      char *src = py_line ? build__src_line(job, py, py_line) : NULL;
      if (rs_file)
        pl_diag_add(job, "error", py_line ? py : (job->entry ? job->entry : ""), py_line, 0, src,
                    "generated Rust does not compile (a Portalis bug, please report it): %s [%s:%d]",
                    msg, rs_file, rs_line);
      else
        pl_diag_add(job, "error", job->entry ? job->entry : "", 0, 0, NULL,
                    "generated Rust does not compile (a Portalis bug, please report it): %s", msg);
      free(src);
    }
    cJSON_Delete(d);
  }
  if (warnings) pl_log(job, "rustc: %d warning(s)", warnings);
  return errors;
}

/* --------------------------------------------------- wasm import check */

static bool build__leb(const uint8_t **p, const uint8_t *end, uint32_t *out) {
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (*p >= end) return false;
    uint8_t b = *(*p)++;
    v |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

/* 0 when every import comes from wasi_snapshot_preview1 (and the module
 * exports _start); otherwise P_EINTERNAL with the offender named. */
static int build__check_imports(const uint8_t *w, size_t len, p_err *e) {
  if (len < 8 || memcmp(w, "\0asm\1\0\0\0", 8) != 0)
    return p_err_set(e, P_EINTERNAL, "module.wasm is not a WebAssembly 1.0 module");
  const uint8_t *p = w + 8, *end = w + len;
  bool start = false;
  while (p < end) {
    uint8_t id = *p++;
    uint32_t size;
    if (!build__leb(&p, end, &size) || size > (size_t)(end - p))
      return p_err_set(e, P_EINTERNAL, "module.wasm: truncated section");
    const uint8_t *s = p, *se = p + size;
    p = se;
    if (id != 2 && id != 7) continue;
    uint32_t count;
    if (!build__leb(&s, se, &count)) return p_err_set(e, P_EINTERNAL, "module.wasm: bad section");
    for (uint32_t i = 0; i < count; i++) {
      uint32_t ml = 0, fl;
      const uint8_t *mod = s;
      if (id == 2) {
        if (!build__leb(&s, se, &ml) || ml > (size_t)(se - s)) goto bad;
        mod = s;
        s += ml;
      }
      if (!build__leb(&s, se, &fl) || fl > (size_t)(se - s)) goto bad;
      const uint8_t *field = s;
      s += fl;
      if (s >= se) goto bad;
      uint8_t kind = *s++;
      uint32_t x;
      if (id == 7) {
        if (!build__leb(&s, se, &x)) goto bad;
        if (kind == 0 && fl == 6 && memcmp(field, "_start", 6) == 0) start = true;
        continue;
      }
      if (ml != 22 || memcmp(mod, "wasi_snapshot_preview1", 22) != 0)
        return p_err_set(e, P_EINTERNAL, "module.wasm imports %.*s.%.*s: only wasi_snapshot_preview1 is allowed",
                         (int)ml, mod, (int)fl, field);
      bool ok = true;
      if (kind == 0) { /* func: type index */
        ok = build__leb(&s, se, &x);
      } else if (kind == 1 || kind == 2) { /* table: reftype + limits; memory: limits */
        uint32_t flags = 0;
        if (kind == 1) s++;
        ok = build__leb(&s, se, &flags) && build__leb(&s, se, &x);
        if (ok && (flags & 1)) ok = build__leb(&s, se, &x);
      } else if (kind == 3) { /* global: valtype + mut */
        s += 2;
      } else {
        ok = false;
      }
      if (!ok) goto bad;
    }
  }
  if (!start) return p_err_set(e, P_EINTERNAL, "module.wasm exports no _start: not a WASI command");
  return 0;
bad:
  return p_err_set(e, P_EINTERNAL, "module.wasm: malformed import/export section");
}

/* ------------------------------------------------------------- running */

static const char *const build__env[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp",
                                         "LANG=C.UTF-8", NULL};

static int build__tool(pl_job *job, const char *const *argv, const char *cwd, const char *const *ro,
                       int limit_s, sbx_result *r, p_err *e) {
  sbx_opts o = {0};
  o.argv = argv;
  o.env = build__env;
  o.cwd = cwd;
  o.cwd_writable = true;
  o.ro_paths = ro;
  o.cpu_s = limit_s;
  o.mem_mb = 4096;
  o.nproc = 256;
  o.fsize_mb = 256;
  o.nofile = 1024;
  o.wall_ms = sbx_job_wall_ms(job, limit_s);
  o.output_max = 8u << 20;
  o.bwrap = job->cfg->bwrap;
  o.cancel = sbx_job_canceled;
  o.cancel_ctx = job;
  int rc = sbx_run(&o, r, e);
  if (rc) return rc;
  if (r->canceled || r->timed_out) {
    rc = pl_check(job, e);
    if (rc) return rc;
    return p_err_set(e, P_ETIMEOUT, "%s ran past its %d s limit", argv[0], limit_s);
  }
  return 0;
}

static int build__copy(const char *from, const char *to, p_err *e) {
  char *data;
  size_t len;
  int rc = p_read_file(from, (size_t)1 << 30, &data, &len, e);
  if (rc) return rc;
  rc = p_write_file(to, data, len, e);
  free(data);
  return rc;
}

/* ------------------------------------------------------------ libraries */

typedef struct build__lib {
  char name[128];           /* crate name, "plib_html" */
  char key[65];
  char dir[BUILD_LIB_PATH];  /* where lib<name>.rlib is */
  char rlib[BUILD_LIB_PATH];
  int deps[BUILD_LIBS_MAX]; /* indexes of earlier libraries it needs */
  int ndeps;
} build__lib;

typedef struct build__libs {
  build__lib v[BUILD_LIBS_MAX];
  int n;
} build__libs;

/* Waits for the lock on path (polling, so a canceled job stops waiting).
 * Returns the locked fd or -1 with *e set. */
static int build__lock(pl_job *job, const char *path, p_err *e) {
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return p_err_set(e, P_EIO, "%s: %s", path, strerror(errno)), -1;
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      p_err_set(e, P_EIO, "lock %s: %s", path, strerror(errno));
      close(fd);
      return -1;
    }
    if (pl_check(job, e)) {
      close(fd);
      return -1;
    }
    nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
  }
}

/* One library to an rlib at l->rlib, unless it is there already. */
static int build__lib_make(pl_job *job, const char *rt, const char *bdir, build__libs *ls, build__lib *l,
                           const char *lock_dir, cJSON *rep, p_err *e) {
  const pl_config *cfg = job->cfg;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddItemToArray(rep, o);
  cJSON_AddStringToObject(o, "crate", l->name);
  cJSON_AddStringToObject(o, "key", l->key);
  if (access(l->rlib, R_OK) == 0) {
    utimensat(AT_FDCWD, l->rlib, NULL, 0); /* mtime = last use: the cache evicts by it */
    cJSON_AddBoolToObject(o, "cache_hit", true);
    pl_log(job, "stdlib library %s: cached (key %.16s)", l->name, l->key);
    return 0;
  }
  int fd = -1;
  if (lock_dir) {
    char lock[PATH_MAX + 80];
    snprintf(lock, sizeof lock, "%s/%s.lock", lock_dir, l->key);
    int64_t w0 = p_mono_ms();
    fd = build__lock(job, lock, e);
    if (fd < 0) return e && e->code ? e->code : P_EIO;
    if (access(l->rlib, R_OK) == 0) { /* another job built it while we waited */
      close(fd);
      cJSON_AddBoolToObject(o, "cache_hit", true);
      pl_log(job, "stdlib library %s: built by another job while this one waited %lld ms (key %.16s)", l->name,
             (long long)(p_mono_ms() - w0), l->key);
      return 0;
    }
  }
  /* rustc writes into the build dir (the sandbox's writable cwd); the rlib
   * is then published whole into the library's directory */
  char out_dir[PATH_MAX + 160], out[2 * PATH_MAX], src[PATH_MAX + 160], meta[40], rtx[PATH_MAX + 32];
  snprintf(out_dir, sizeof out_dir, "%s/lib-%s", bdir, l->name);
  snprintf(out, sizeof out, "%s/lib%s.rlib", out_dir, l->name);
  snprintf(src, sizeof src, "%s/stdlib/%s/src/lib.rs", job->crate_dir, l->name);
  snprintf(meta, sizeof meta, "metadata=%.16s", l->key);
  snprintf(rtx, sizeof rtx, "portalis_rt=%s/libportalis_rt.rlib", rt);
  int rc = p_mkdirs(out_dir, 0755) ? p_err_set(e, P_EIO, "%s: %s", out_dir, strerror(errno)) : 0;
  const char *argv[32 + 4 * BUILD_LIBS_MAX];
  const char *ro[4 + BUILD_LIBS_MAX];
  int na = 0, nr = 0;
  const char *fixed[] = {cfg->rustc, "--edition", "2021", "-O", "--target", "wasm32-wasi", "--crate-type", "rlib",
                         "--crate-name", l->name, "-C", meta, "-C", "debuginfo=0", "-C", "target-feature=+bulk-memory",
                         "--extern", rtx, "-L", rt, "--error-format=json", "--color=never", NULL};
  for (int i = 0; fixed[i]; i++) argv[na++] = fixed[i];
  ro[nr++] = job->crate_dir;
  ro[nr++] = rt;
  char (*ext)[BUILD_LIB_PATH + 200] = p_xcalloc((size_t)(2 * l->ndeps + 1), sizeof *ext);
  for (int k = 0; k < l->ndeps; k++) {
    build__lib *d = &ls->v[l->deps[k]];
    snprintf(ext[2 * k], sizeof ext[0], "%s=%s", d->name, d->rlib);
    snprintf(ext[2 * k + 1], sizeof ext[0], "dependency=%s", d->dir);
    argv[na++] = "--extern";
    argv[na++] = ext[2 * k];
    argv[na++] = "-L";
    argv[na++] = ext[2 * k + 1];
    ro[nr++] = d->dir;
  }
  argv[na++] = "-o";
  argv[na++] = out;
  argv[na++] = src;
  argv[na] = NULL;
  ro[nr] = NULL;
  sbx_result r;
  memset(&r, 0, sizeof r);
  int64_t t0 = p_mono_ms();
  if (!rc) rc = build__tool(job, argv, bdir, ro, cfg->stage_timeout_s[4] > 0 ? cfg->stage_timeout_s[4] : 180, &r, e);
  free(ext);
  if (!rc && r.exit_code != 0) {
    char first[512] = "";
    int n = build__diagnostics(job, r.err, first, sizeof first);
    rc = p_err_set(e, P_ECOMPILE, "standard-library library %s does not compile (%d error%s; first: %s)", l->name, n,
                   n == 1 ? "" : "s", n ? first : "rustc failed without a diagnostic");
    snprintf(job->reason, sizeof job->reason, "compile_error");
  }
  int64_t ms = p_mono_ms() - t0;
  sbx_result_free(&r);
  if (!rc && lock_dir) {
    /* publish: a temporary directory renamed into place (over the empty
     * directory the cache's eviction may have left of an older copy) */
    char tmp[PATH_MAX + 160], tmp_rlib[2 * PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.%s.%s.tmp", lock_dir, l->key, job->id);
    snprintf(tmp_rlib, sizeof tmp_rlib, "%s/lib%s.rlib", tmp, l->name);
    p_rmtree(tmp);
    rc = p_mkdirs(tmp, 0755) ? p_err_set(e, P_EIO, "%s: %s", tmp, strerror(errno)) : build__copy(out, tmp_rlib, e);
    if (!rc && rename(tmp, l->dir) != 0 && (p_rmtree(l->dir), rename(tmp, l->dir) != 0))
      rc = p_err_set(e, P_EIO, "cannot store library %s in %s: %s", l->name, l->dir, strerror(errno));
    p_rmtree(tmp);
  } else if (!rc) {
    snprintf(l->dir, sizeof l->dir, "%s", out_dir);
    snprintf(l->rlib, sizeof l->rlib, "%s", out);
  }
  if (fd >= 0) close(fd);
  if (rc) return rc;
  cJSON_AddBoolToObject(o, "cache_hit", false);
  cJSON_AddNumberToObject(o, "rustc_ms", (double)ms);
  pl_log(job, "stdlib library %s: built in %lld ms (key %.16s)", l->name, (long long)ms, l->key);
  return 0;
}

/* Every library of the crate (stdlib/Units), each built or found in the
 * cache, in build order. ls->n is 0 for a crate without any. */
static int build__libs_make(pl_job *job, const char *rt, const char *bdir, build__libs *ls, p_err *e) {
  const pl_config *cfg = job->cfg;
  ls->n = 0;
  char units[PATH_MAX];
  snprintf(units, sizeof units, "%s/stdlib/Units", job->crate_dir);
  if (access(units, R_OK) != 0) return 0;
  char *text;
  size_t len;
  int rc = p_read_file(units, 1 << 20, &text, &len, e);
  if (rc) return rc;
  char rlib[PATH_MAX + 32], rlib_hex[65];
  snprintf(rlib, sizeof rlib, "%s/libportalis_rt.rlib", rt);
  rc = sbx_file_sha256(rlib, rlib_hex, e);
  char lock_dir[PATH_MAX];
  lock_dir[0] = 0;
  if (!rc && cfg->cache_dir && *cfg->cache_dir) {
    snprintf(lock_dir, sizeof lock_dir, "%s/lib", cfg->cache_dir);
    if (p_mkdirs(lock_dir, 0755) != 0) rc = p_err_set(e, P_EIO, "%s: %s", lock_dir, strerror(errno));
  }
  cJSON *rep = cJSON_GetObjectItem(sbx_job_report(job), "build");
  cJSON *arr = rep ? cJSON_AddArrayToObject(rep, "stdlib") : cJSON_CreateArray();
  for (char *line = text, *nl; !rc && line && *line; line = nl) {
    nl = strchr(line, '\n');
    if (nl) *nl++ = 0;
    if (!*line) continue;
    if (ls->n == BUILD_LIBS_MAX) {
      rc = p_err_set(e, P_ETOOBIG, "more than %d standard-library libraries", BUILD_LIBS_MAX);
      break;
    }
    build__lib *l = &ls->v[ls->n];
    memset(l, 0, sizeof *l);
    char *tok = strtok(line, " ");
    snprintf(l->name, sizeof l->name, "%s", tok);
    for (const char *c = l->name; *c; c++)
      if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
        rc = p_err_set(e, P_EINTERNAL, "stdlib/Units: bad crate name %s", l->name);
    while (!rc && (tok = strtok(NULL, " "))) {
      int d = -1;
      for (int k = 0; k < ls->n; k++)
        if (!strcmp(ls->v[k].name, tok)) d = k;
      if (d < 0) rc = p_err_set(e, P_EINTERNAL, "stdlib/Units: %s needs %s, not built before it", l->name, tok);
      else l->deps[l->ndeps++] = d;
    }
    if (rc) break;
    /* the key */
    char root[PATH_MAX + 160];
    snprintf(root, sizeof root, "%s/stdlib/%s", job->crate_dir, l->name);
    build__list fl = {0};
    rc = build__walk(&fl, root, "", 0, e);
    if (!rc) qsort(fl.paths, fl.n, sizeof *fl.paths, build__cmp);
    p_sha256 h;
    p_sha256_init(&h);
    const char *parts[] = {BUILD_LIB_TAG, l->name, cfg->rustc_version ? cfg->rustc_version : "", rlib_hex};
    for (int i = 0; i < 4; i++) p_sha256_update(&h, parts[i], strlen(parts[i]) + 1);
    for (int k = 0; k < l->ndeps; k++) p_sha256_update(&h, ls->v[l->deps[k]].key, 65);
    for (size_t i = 0; !rc && i < fl.n; i++) {
      char full[2 * PATH_MAX];
      snprintf(full, sizeof full, "%s/%s", root, fl.paths[i]);
      char *data;
      size_t dl;
      rc = p_read_file(full, BUILD_CRATE_MAX, &data, &dl, e);
      if (rc) break;
      uint64_t n = dl;
      p_sha256_update(&h, fl.paths[i], strlen(fl.paths[i]) + 1);
      p_sha256_update(&h, &n, sizeof n);
      p_sha256_update(&h, data, dl);
      free(data);
    }
    build__list_free(&fl);
    if (rc) break;
    uint8_t dg[32];
    p_sha256_final(&h, dg);
    for (int i = 0; i < 32; i++) snprintf(l->key + 2 * i, 3, "%02x", dg[i]);
    char path[BUILD_LIB_PATH];
    if (lock_dir[0]) {
      snprintf(path, sizeof path, "%s/%s", lock_dir, l->key);
      memcpy(l->dir, path, sizeof path);
      snprintf(path, sizeof path, "%s/%s/lib%s.rlib", lock_dir, l->key, l->name);
    } else {
      snprintf(path, sizeof path, "%s/lib-%s/lib%s.rlib", bdir, l->name, l->name); /* not there yet */
    }
    memcpy(l->rlib, path, sizeof path);
    ls->n++;
    rc = build__lib_make(job, rt, bdir, ls, l, lock_dir[0] ? lock_dir : NULL, arr, e);
    if (!rc) rc = pl_check(job, e);
  }
  if (!rep) cJSON_Delete(arr);
  free(text);
  return rc;
}

static int build__compile(pl_job *job, const char *rt, const char *bdir, const char *out, p_err *e) {
  const pl_config *cfg = job->cfg;
  char main_rs[PATH_MAX], ext[PATH_MAX + 32];
  snprintf(main_rs, sizeof main_rs, "%s/src/main.rs", job->crate_dir);
  snprintf(ext, sizeof ext, "portalis_rt=%s/libportalis_rt.rlib", rt);
  if (access(main_rs, R_OK) != 0)
    return p_err_set(e, P_EINTERNAL, "the generated crate has no src/main.rs");
  /* the standard-library libraries first (cached, see "libraries") */
  build__libs *ls = p_xcalloc(1, sizeof *ls);
  int rc = build__libs_make(job, rt, bdir, ls, e);
  if (rc) {
    free(ls);
    return rc;
  }
  const char *fixed[] = {cfg->rustc, "--edition", "2021", "-O", "--target", "wasm32-wasi",
                         "--crate-type", "bin", "--crate-name", "main", "--extern", ext,
                         "-L", rt, "-C", "strip=symbols", "-C", "debuginfo=0", "-C", BUILD_STACK_ARG, "-C", "target-feature=+bulk-memory",
                         "--error-format=json", "--color=never", "-o", out, main_rs, NULL};
  const char *argv[40 + 4 * BUILD_LIBS_MAX], *ro[3 + BUILD_LIBS_MAX];
  char (*lx)[BUILD_LIB_PATH + 200] = p_xcalloc((size_t)(2 * ls->n + 1), sizeof *lx);
  int na = 0, nr = 0;
  for (int i = 0; fixed[i]; i++) argv[na++] = fixed[i];
  na -= 3; /* -o out main_rs go last */
  ro[nr++] = job->crate_dir;
  ro[nr++] = rt;
  for (int i = 0; i < ls->n; i++) {
    snprintf(lx[2 * i], sizeof lx[0], "%s=%s", ls->v[i].name, ls->v[i].rlib);
    snprintf(lx[2 * i + 1], sizeof lx[0], "dependency=%s", ls->v[i].dir);
    argv[na++] = "--extern";
    argv[na++] = lx[2 * i];
    argv[na++] = "-L";
    argv[na++] = lx[2 * i + 1];
    ro[nr++] = ls->v[i].dir;
  }
  argv[na++] = "-o";
  argv[na++] = out;
  argv[na++] = main_rs;
  argv[na] = NULL;
  ro[nr] = NULL;
  sbx_result r;
  int64_t t0 = p_mono_ms();
  rc = build__tool(job, argv, bdir, ro, cfg->stage_timeout_s[4] > 0 ? cfg->stage_timeout_s[4] : 180, &r, e);
  free(lx);
  free(ls);
  if (rc) {
    sbx_result_free(&r);
    return rc;
  }
  pl_log(job, "rustc: %s in %lld ms (sandbox %s)", r.exit_code == 0 ? "ok" : "failed",
         (long long)(p_mono_ms() - t0), r.mode);
  cJSON *rep = sbx_job_report(job);
  cJSON *b = cJSON_GetObjectItem(rep, "build");
  if (b) cJSON_AddNumberToObject(b, "rustc_ms", (double)r.wall_ms);
  if (r.exit_code != 0) {
    char first[512] = "";
    int n = build__diagnostics(job, r.err, first, sizeof first);
    if (n == 0) {
      /* Not a diagnostic stream: rustc itself failed (killed, ICE, ...). */
      const char *t = r.err;
      while (*t) {
        size_t k = strcspn(t, "\n");
        pl_log(job, "rustc: %.*s", (int)k, t);
        t += k;
        if (*t) t++;
      }
      rc = p_err_set(e, P_ECOMPILE, "rustc failed (exit %d%s) without a diagnostic", r.exit_code,
                     r.truncated ? ", output truncated" : "");
      pl_diag_add(job, "error", job->entry ? job->entry : "", 0, 0, NULL, "%s", e ? e->msg : "rustc failed");
    } else {
      rc = p_err_set(e, P_ECOMPILE, "the generated Rust does not compile (%d error%s; first: %s)", n,
                     n == 1 ? "" : "s", first);
    }
    snprintf(job->reason, sizeof job->reason, "compile_error");
  } else {
    build__diagnostics(job, r.err, (char[8]){0}, 8); /* warnings to the log */
  }
  sbx_result_free(&r);
  return rc;
}

/* wasm-opt -O2; keeps the optimized module only if it is smaller. */
static void build__optimize(pl_job *job, const char *bdir, const char *out) {
  const pl_config *cfg = job->cfg;
  if (!cfg->wasm_opt || !*cfg->wasm_opt || access(cfg->wasm_opt, X_OK) != 0) return;
  char opt[PATH_MAX + 16];
  snprintf(opt, sizeof opt, "%s/module.opt.wasm", bdir);
  /* -O2 takes ~0.2 s on a small module and grows with size; rustc -O has
   * done the heavy lifting already, so larger modules get the cheap -O1
   * (an 842 KB module: -O1 -12% in 1.8 s of CPU, -O2 -15% in 6.7 s, on
   * a loaded 2-core machine). */
  struct stat st0;
  if (stat(out, &st0) != 0) return;
  if ((uint64_t)st0.st_size > cfg->wasm_opt_max) {
    pl_log(job, "wasm-opt skipped: the module is %lld bytes, over the %llu-byte limit for optimizing",
           (long long)st0.st_size, (unsigned long long)cfg->wasm_opt_max);
    return;
  }
  const char *level = st0.st_size > BUILD_OPT_O2_MAX ? "-O1" : "-O2";
  const char *argv[] = {cfg->wasm_opt, level, "--enable-bulk-memory", out, "-o", opt, NULL};
  sbx_result r;
  p_err e = {0};
  int64_t t0 = p_mono_ms();
  if (build__tool(job, argv, bdir, NULL, 60, &r, &e) == 0) {
    struct stat a, b;
    if (r.exit_code == 0 && stat(out, &a) == 0 && stat(opt, &b) == 0) {
      bool better = b.st_size < a.st_size;
      pl_log(job, "wasm-opt %s: %lld -> %lld bytes in %lld ms%s", level, (long long)a.st_size,
             (long long)b.st_size, (long long)(p_mono_ms() - t0), better ? "" : " (kept the original)");
      if (better) rename(opt, out);
    } else {
      pl_log(job, "wasm-opt failed (exit %d), keeping rustc's module: %.300s", r.exit_code, r.err);
    }
  } else {
    pl_log(job, "wasm-opt did not run: %s", e.msg);
  }
  unlink(opt);
  sbx_result_free(&r);
}

static int build__validate(pl_job *job, const char *bdir, const char *out, p_err *e) {
  const pl_config *cfg = job->cfg;
  if (!cfg->wasm_validate || !*cfg->wasm_validate || access(cfg->wasm_validate, X_OK) != 0) {
    pl_log(job, "wasm-validate not available: skipped");
    return 0;
  }
  const char *argv[] = {cfg->wasm_validate, out, NULL};
  sbx_result r;
  int rc = build__tool(job, argv, bdir, NULL, 30, &r, e);
  if (!rc && r.exit_code != 0)
    rc = p_err_set(e, P_EINTERNAL, "module.wasm does not validate: %.300s", r.err);
  if (!rc) pl_log(job, "wasm-validate: ok");
  sbx_result_free(&r);
  return rc;
}

/* --------------------------------------------------------- test hook */

#define BUILD_BREAK_MARK "portalis-test: break-build"

/* With --test-hooks only: every line of the upload that carries the comment
 * `# portalis-test: break-build` gets a compile_error! in the Rust generated
 * for it (after its `// file.py:N` statement marker), so the tests can drive
 * what follows a Build failure - the diagnostic placed on the Python line,
 * the model assistance's Build trigger - without relying on a translator
 * bug. A rewrite without the comment compiles normally. */
static int build__test_break(pl_job *job, p_err *e) {
  p_buf marks;
  p_buf_init(&marks, 0);
  int nmarks = 0;
  for (size_t i = 0; i < job->nfiles; i++) {
    const char *t = job->files[i].data;
    for (int line = 1; t && *t; line++) {
      const char *nl = strchr(t, '\n');
      size_t n = nl ? (size_t)(nl - t) : strlen(t);
      if (memmem(t, n, BUILD_BREAK_MARK, sizeof BUILD_BREAK_MARK - 1)) {
        p_buf_printf(&marks, "// %s:%d", job->files[i].path, line);
        p_buf_putc(&marks, 0);
        nmarks++;
      }
      t = nl ? nl + 1 : NULL;
    }
  }
  int rc = 0;
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/src", job->crate_dir);
  DIR *d = nmarks ? opendir(dir) : NULL;
  struct dirent *de;
  while (!rc && d && (de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l < 4 || strcmp(de->d_name + l - 3, ".rs")) continue;
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    char *text;
    size_t len;
    if ((rc = p_read_file(path, BUILD_CRATE_MAX, &text, &len, e))) break;
    p_buf out;
    p_buf_init(&out, 0);
    int hit = 0;
    for (const char *t = text; *t;) {
      const char *nl = strchr(t, '\n');
      size_t n = nl ? (size_t)(nl - t) + 1 : strlen(t);
      p_buf_append(&out, t, n);
      size_t ind = strspn(t, " ");
      size_t body = n - ind - (nl ? 1 : 0);
      const char *m = marks.data;
      for (int k = 0; k < nmarks; k++, m += strlen(m) + 1)
        if (strlen(m) == body && !memcmp(t + ind, m, body)) {
          p_buf_printf(&out, "%.*scompile_error!(\"%s\");\n", (int)ind, t, BUILD_BREAK_MARK);
          hit++;
          break;
        }
      t += n;
    }
    if (hit) {
      pl_log(job, "test hook: %d compile_error! put in %s", hit, de->d_name);
      rc = p_write_file(path, out.data, out.len, e);
    }
    p_buf_free(&out);
    free(text);
  }
  if (d) closedir(d);
  p_buf_free(&marks);
  return rc;
}

/* ------------------------------------------------------------- the stage */

int pl_stage_build(pl_job *job, p_err *e) {
  const pl_config *cfg = job->cfg;
  if (!job->crate_dir) return p_err_set(e, P_EINTERNAL, "no crate to build (transpile did not run)");
  int64_t t0 = p_mono_ms();
  /* Absolute, canonical paths: they are bound into the sandbox as is and
   * stripped from rustc's file names. */
  char crate[PATH_MAX], rt[PATH_MAX];
  if (!realpath(job->crate_dir, crate)) return p_err_set(e, P_EINTERNAL, "crate %s: %s", job->crate_dir, strerror(errno));
  if (!realpath(cfg->runtime_dir, rt))
    return p_err_set(e, P_EINTERNAL, "runtime %s: %s", cfg->runtime_dir, strerror(errno));
  if (strcmp(crate, job->crate_dir) != 0) {
    char *c = p_xstrdup(crate);
    free(job->crate_dir);
    job->crate_dir = c;
  }
  cJSON *rep = sbx_job_report(job);
  cJSON_DeleteItemFromObject(rep, "build");
  cJSON *b = cJSON_AddObjectToObject(rep, "build");

  if (cfg->test_hooks) {
    int rc = build__test_break(job, e);
    if (rc) return rc;
  }
  build__list l = {0};
  int rc = build__walk(&l, job->crate_dir, "", 0, e);
  if (rc) {
    build__list_free(&l);
    return rc;
  }
  qsort(l.paths, l.n, sizeof *l.paths, build__cmp);
  char key[65];
  rc = build__key(job, &l, rt, key, e);
  build__list_free(&l);
  if (rc) return rc;
  cJSON_AddStringToObject(b, "key", key);
  cJSON_AddStringToObject(b, "rustc", cfg->rustc_version ? cfg->rustc_version : "");
  cJSON_AddStringToObject(b, "wasm_opt", sbx_tool_version(cfg->wasm_opt, "--version"));
  cJSON_AddStringToObject(b, "sandbox", sbx_mode_name(cfg->bwrap));

  sbx_job_open_workdir(job);
  char bdir[PATH_MAX], out[PATH_MAX + 16];
  snprintf(bdir, sizeof bdir, "%s/build", job->workdir);
  snprintf(out, sizeof out, "%s/module.wasm", bdir);
  if (p_mkdirs(bdir, 0755) != 0) return p_err_set(e, P_EIO, "%s: %s", bdir, strerror(errno));

  char cached[PATH_MAX];
  cached[0] = 0;
  if (cfg->cache_dir && *cfg->cache_dir)
    snprintf(cached, sizeof cached, "%s/%.2s/%s.wasm", cfg->cache_dir, key, key);
  job->cache_hit = false;
  if (cached[0] && access(cached, R_OK) == 0 && build__copy(cached, out, NULL) == 0) {
    job->cache_hit = true;
    utimensat(AT_FDCWD, cached, NULL, 0); /* mtime = last use: the cache evicts by it */
    pl_log(job, "build cache hit %.16s: reusing the module built for an identical crate", key);
  } else {
    rc = build__compile(job, rt, bdir, out, e);
    if (!rc) rc = pl_check(job, e);
    if (rc) return rc;
    build__optimize(job, bdir, out);
  }
  cJSON_AddBoolToObject(b, "cache_hit", job->cache_hit);

  rc = build__validate(job, bdir, out, e);
  if (rc) return rc;
  char *wasm;
  size_t len;
  rc = p_read_file(out, (size_t)1 << 30, &wasm, &len, e);
  if (rc) return rc;
  rc = build__check_imports((const uint8_t *)wasm, len, e);
  if (!rc && cached[0] && !job->cache_hit) {
    /* Publish atomically: concurrent identical jobs race harmlessly. */
    char dir[PATH_MAX], tmp[PATH_MAX + 160];
    snprintf(dir, sizeof dir, "%s/%.2s", cfg->cache_dir, key);
    snprintf(tmp, sizeof tmp, "%s/.%s.%s.tmp", dir, key, job->id);
    if (p_mkdirs(dir, 0755) == 0 && p_write_file(tmp, wasm, len, NULL) == 0 && rename(tmp, cached) == 0)
      pl_log(job, "build cache: stored %.16s", key);
    else
      unlink(tmp);
  }
  if (!rc) rc = pl_artifact(job, "module.wasm", "application/wasm", wasm, len, e);
  if (!rc) {
    char hex[65];
    p_sha256_hex(wasm, len, hex);
    cJSON_AddNumberToObject(b, "module_size", (double)len);
    cJSON_AddStringToObject(b, "module_sha256", hex);
    free(job->wasm_path);
    job->wasm_path = p_xstrdup(out);
  }
  free(wasm);
  cJSON_AddNumberToObject(b, "wall_ms", (double)(p_mono_ms() - t0));
  if (!rc) pl_log(job, "module.wasm: %zu bytes%s in %lld ms", len, job->cache_hit ? " (cached)" : "",
                  (long long)(p_mono_ms() - t0));
  return rc;
}
