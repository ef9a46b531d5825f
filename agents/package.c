/*
 * package.c - the Package agent: one package.tar.gz to take away.
 *
 * The package is what a user downloads when the job succeeds, and it must
 * stand on its own, without Portalis:
 *
 *   <name>/module.wasm        the WASI command module (build.c)
 *   <name>/run.mjs            `node run.mjs module.wasm args...`
 *   <name>/loader.mjs         browser (and Node) loader ...
 *   <name>/wasi-shim.mjs      ... with its own small WASI preview1 shim
 *   <name>/index.html         a page that runs the module with the loader
 *   <name>/crate/             the generated Rust crate, with a Cargo.toml
 *                             whose portalis_rt is a path dependency, so
 *                             `cargo build --release --target wasm32-wasi`
 *                             works offline
 *   <name>/portalis_rt/       the runtime crate's source
 *   <name>/python/            the uploaded Python, for reference
 *   <name>/report.json        the equivalence report (test.c)
 *   <name>/README.md
 *   <name>/manifest.json      names, sizes and sha256 of every other file,
 *                             entry point, toolchain versions, Portalis
 *                             version, job id, timings
 *
 * Everything is gathered in memory first (the manifest needs every digest),
 * then written with libarchive as a restricted-pax tar through gzip into a
 * buffer that becomes the artifact. Entries have fixed modes and one
 * timestamp; no owner names leak from the server.
 */
#include "config.h"
#include "pipeline.h"
#include "sandbox.h"
#include "tm.h"

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PKG_MAX ((size_t)256 << 20)

typedef struct {
  char *path; /* inside the package, below the top directory */
  char *data;
  size_t len;
  int mode;
} pkg__file;

typedef struct {
  pkg__file *v;
  size_t n, cap, bytes;
} pkg__list;

static void pkg__free(pkg__list *l) {
  for (size_t i = 0; i < l->n; i++) {
    free(l->v[i].path);
    free(l->v[i].data);
  }
  free(l->v);
}

/* Adds a file; takes ownership of data. */
static int pkg__add(pkg__list *l, const char *path, char *data, size_t len, int mode, p_err *e) {
  if (l->bytes + len > PKG_MAX) {
    free(data);
    return p_err_set(e, P_ETOOBIG, "package larger than %zu MiB", PKG_MAX >> 20);
  }
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 32;
    l->v = p_xrealloc(l->v, cap * sizeof *l->v);
    l->cap = cap;
  }
  l->v[l->n].path = p_xstrdup(path);
  l->v[l->n].data = data;
  l->v[l->n].len = len;
  l->v[l->n].mode = mode;
  if (!l->v[l->n].path) {
    free(data);
    return p_err_set(e, P_ENOMEM, "out of memory");
  }
  l->n++;
  l->bytes += len;
  return 0;
}

static int pkg__add_copy(pkg__list *l, const char *path, const char *data, size_t len, p_err *e) {
  char *d = p_xmalloc(len + 1);
  memcpy(d, data, len);
  d[len] = 0;
  return pkg__add(l, path, d, len, 0644, e);
}

static int pkg__add_disk(pkg__list *l, const char *path, const char *disk, p_err *e) {
  char *data;
  size_t len;
  int rc = p_read_file(disk, PKG_MAX, &data, &len, e);
  if (rc) return rc;
  return pkg__add(l, path, data, len, 0644, e);
}

/* Adds every regular file below disk_dir as prefix/<rel>; skips dotfiles,
 * target/ and any name in skip (top level only). */
static int pkg__add_tree(pkg__list *l, const char *prefix, const char *disk_dir, const char *rel,
                         const char *const *skip, int depth, p_err *e) {
  if (depth > 16) return p_err_set(e, P_ETOOBIG, "directories nested too deep");
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s%s%s", disk_dir, rel[0] ? "/" : "", rel);
  DIR *d = opendir(dir);
  if (!d) return p_err_set(e, P_EIO, "%s: %s", dir, strerror(errno));
  /* Sorted, so that two identical jobs make identical packages. */
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    bool skipped = false;
    for (int i = 0; !rel[0] && skip && skip[i]; i++)
      if (strcmp(de->d_name, skip[i]) == 0) skipped = true;
    if (skipped) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      names = p_xrealloc(names, cap * sizeof *names);
    }
    names[n++] = p_xstrdup(de->d_name);
  }
  closedir(d);
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char *t = names[j];
      names[j] = names[j - 1];
      names[j - 1] = t;
    }
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    char sub[PATH_MAX], full[2 * PATH_MAX + 2], in_pkg[2 * PATH_MAX + 2];
    if (snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", names[i]) >= (int)sizeof sub) continue;
    snprintf(full, sizeof full, "%s/%s", disk_dir, sub);
    snprintf(in_pkg, sizeof in_pkg, "%s/%s", prefix, sub);
    struct stat st;
    if (lstat(full, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) rc = pkg__add_tree(l, prefix, disk_dir, sub, skip, depth + 1, e);
    else if (S_ISREG(st.st_mode)) rc = pkg__add_disk(l, in_pkg, full, e);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return rc;
}

/* A Rust/Cargo-friendly name from the entry script: "my-app.py" -> "my_app". */
static void pkg__name(const char *entry, char *out, size_t outsz) {
  const char *base = strrchr(entry, '/');
  base = base ? base + 1 : entry;
  size_t k = 0;
  for (const char *p = base; *p && *p != '.' && k + 1 < outsz; p++)
    out[k++] = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '_';
  out[k] = 0;
  if (k == 0 || isdigit((unsigned char)out[0])) snprintf(out, outsz, "app_%s", k ? base : "main");
  for (char *p = out; *p; p++)
    if (!isalnum((unsigned char)*p)) *p = '_';
}

/* ------------------------------------------------------------ writing */

static la_ssize_t pkg__write_cb(struct archive *a, void *ctx, const void *buf, size_t len) {
  (void)a;
  return p_buf_append((p_buf *)ctx, buf, len) ? -1 : (la_ssize_t)len;
}

static int pkg__tar(const pkg__list *l, const char *top, p_buf *out, p_err *e) {
  struct archive *a = archive_write_new();
  if (!a) return p_err_set(e, P_ENOMEM, "out of memory");
  int rc = 0;
  time_t now = time(NULL);
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK || /* no padding to 10 KiB */
      archive_write_open(a, out, NULL, pkg__write_cb, NULL) != ARCHIVE_OK) {
    rc = p_err_set(e, P_EIO, "libarchive: %s", archive_error_string(a));
    archive_write_free(a);
    return rc;
  }
  struct archive_entry *en = archive_entry_new();
  /* Directory entries first (every parent of every file, once). */
  char **dirs = NULL;
  size_t nd = 0;
  for (size_t i = 0; i <= l->n && !rc; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", top, i < l->n ? l->v[i].path : "");
    for (char *s = path + strlen(top); s && (s = strchr(s, '/')); s++) {
      *s = 0;
      bool seen = false;
      for (size_t k = 0; k < nd && !seen; k++) seen = strcmp(dirs[k], path) == 0;
      if (!seen) {
        dirs = p_xrealloc(dirs, (nd + 1) * sizeof *dirs);
        dirs[nd++] = p_xstrdup(path);
        archive_entry_clear(en);
        archive_entry_set_pathname(en, path);
        archive_entry_set_filetype(en, AE_IFDIR);
        archive_entry_set_perm(en, 0755);
        archive_entry_set_mtime(en, now, 0);
        if (archive_write_header(a, en) != ARCHIVE_OK)
          rc = p_err_set(e, P_EIO, "libarchive: %s", archive_error_string(a));
      }
      *s = '/';
    }
  }
  for (size_t k = 0; k < nd; k++) free(dirs[k]);
  free(dirs);
  for (size_t i = 0; i < l->n && !rc; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", top, l->v[i].path);
    archive_entry_clear(en);
    archive_entry_set_pathname(en, path);
    archive_entry_set_filetype(en, AE_IFREG);
    archive_entry_set_perm(en, l->v[i].mode);
    archive_entry_set_size(en, (la_int64_t)l->v[i].len);
    archive_entry_set_mtime(en, now, 0);
    if (archive_write_header(a, en) != ARCHIVE_OK ||
        (l->v[i].len && archive_write_data(a, l->v[i].data, l->v[i].len) != (la_ssize_t)l->v[i].len))
      rc = p_err_set(e, P_EIO, "libarchive: %s", archive_error_string(a));
  }
  archive_entry_free(en);
  if (archive_write_close(a) != ARCHIVE_OK && !rc)
    rc = p_err_set(e, P_EIO, "libarchive: %s", archive_error_string(a));
  archive_write_free(a);
  if (!rc && out->err) rc = p_err_set(e, P_ETOOBIG, "package too large");
  return rc;
}

/* ------------------------------------------------------------ contents */

static char *pkg__cargo_toml(const char *name, const char *crate_dir) {
  p_buf b;
  p_buf_init(&b, 0);
  /* the standard-library library crates (stdlib/Units, tr_stdlib.c) */
  p_buf deps;
  p_buf_init(&deps, 0);
  char units[PATH_MAX + 16], *text = NULL;
  size_t tl;
  snprintf(units, sizeof units, "%s/stdlib/Units", crate_dir);
  if (access(units, R_OK) == 0 && p_read_file(units, 1 << 20, &text, &tl, NULL) == 0) {
    for (char *l = text; *l;) {
      size_t k = strcspn(l, " \n");
      if (k) p_buf_printf(&deps, "%.*s = { path = \"stdlib/%.*s\" }\n", (int)k, l, (int)k, l);
      l += strcspn(l, "\n");
      if (*l) l++;
    }
    free(text);
  }
  p_buf_printf(&b,
               "# Generated by Portalis %s. Build offline with:\n"
               "#   cargo build --release --target wasm32-wasi\n"
               "# (the module lands in target/wasm32-wasi/release/%s.wasm)\n"
               "[package]\n"
               "name = \"%s\"\n"
               "version = \"0.1.0\"\n"
               "edition = \"2021\"\n"
               "publish = false\n\n"
               "[[bin]]\n"
               "name = \"%s\"\n"
               "path = \"src/main.rs\"\n\n"
               "[dependencies]\n"
               "portalis_rt = { path = \"../portalis_rt\" }\n%s\n"
               "[profile.release]\n"
               "opt-level = 3\n"
               "strip = true\n\n"
               "# A workspace of its own: never picked up by a parent workspace.\n"
               "[workspace]\n",
               PACKAGE_VERSION, name, name, name, deps.data ? deps.data : "");
  p_buf_free(&deps);
  size_t n;
  return p_buf_steal(&b, &n);
}

static char *pkg__readme(const pl_job *job, const char *name) {
  p_buf b;
  p_buf_init(&b, 0);
  p_buf_printf(&b,
               "# %s: %s translated to WebAssembly by Portalis %s\n\n"
               "`module.wasm` is a WASI preview1 command module: it reads stdin, writes\n"
               "stdout and stderr, takes arguments and exits with the program's exit code,\n"
               "like `python3 %s` does. It imports nothing but `wasi_snapshot_preview1`.\n\n"
               "## Run it\n\n"
               "    node run.mjs module.wasm [args...]      # Node.js >= 20\n"
               "    wasmtime module.wasm [args...]          # or any WASI runtime\n\n"
               "In a browser, serve this directory and open `index.html`, or use the loader:\n\n"
               "    import { runWasi } from './loader.mjs';\n"
               "    const r = await runWasi('module.wasm', { args: ['x'], stdin: 'input' });\n"
               "    console.log(r.exitCode, r.stdout);\n\n"
               "## Rebuild it\n\n"
               "`crate/` is the generated Rust, `portalis_rt/` the runtime crate it uses\n"
               "(a path dependency, no registry needed):\n\n"
               "    cd crate && cargo build --release --target wasm32-wasi\n\n"
               "(Rust 1.78 and later call the target `wasm32-wasip1`.)\n\n"
               "## What is here\n\n"
               "- `python/`: the uploaded program (entry point `%s`)\n"
               "- `report.json`: the equivalence test: stdout and exit code of CPython and\n"
               "  of this module on each test vector, with digests and timings\n"
               "- `manifest.json`: size and sha256 of every file, toolchain versions\n\n"
               "Job %s.\n",
               name, job->entry ? job->entry : "the program", PACKAGE_VERSION,
               job->entry ? job->entry : "main.py", job->entry ? job->entry : "main.py", job->id);
  size_t n;
  return p_buf_steal(&b, &n);
}

static const char pkg__index_html[] =
    "<!doctype html>\n<meta charset=\"utf-8\">\n<title>Portalis module</title>\n"
    "<style>body{font:14px system-ui;margin:2em}pre{background:#f4f4f4;padding:1em}</style>\n"
    "<h1>module.wasm</h1>\n"
    "<label>args <input id=\"args\" size=\"40\"></label><br>\n"
    "<label>stdin<br><textarea id=\"stdin\" rows=\"4\" cols=\"60\"></textarea></label><br>\n"
    "<button id=\"run\">Run</button> <span id=\"rc\"></span>\n"
    "<pre id=\"out\"></pre>\n"
    "<script type=\"module\">\n"
    "import { runWasi } from './loader.mjs';\n"
    "document.getElementById('run').onclick = async () => {\n"
    "  const args = document.getElementById('args').value.split(' ').filter(Boolean);\n"
    "  const stdin = document.getElementById('stdin').value;\n"
    "  const r = await runWasi('module.wasm', { args, stdin });\n"
    "  document.getElementById('out').textContent = r.stdout + r.stderr;\n"
    "  document.getElementById('rc').textContent = 'exit code ' + r.exitCode;\n"
    "};\n"
    "</script>\n";

static cJSON *pkg__get(cJSON *o, const char *a, const char *b) {
  cJSON *x = cJSON_GetObjectItem(o, a);
  return x && b ? cJSON_GetObjectItem(x, b) : x;
}

static void pkg__copy_item(cJSON *dst, const char *as, cJSON *src) {
  if (src) cJSON_AddItemToObject(dst, as, cJSON_Duplicate(src, true));
}

/* The translation memory: every def of the verified program, with its
 * generated Rust, handed to the functions hook. A failure here costs the
 * memory an entry, never the user a package. */
static void pkg__memory(pl_job *job) {
  tm_func *fs = NULL;
  int n = 0;
  p_err e = {0};
  int rc = 0;
  bool own = true;
  if (!job->ast && job->tm_funcs) {
    /* Translated in a child process (pipeline.c): it sent the functions. */
    fs = job->tm_funcs;
    n = job->ntm_funcs;
    own = false;
  } else if (job->ast) {
    rc = tm_funcs_of_program(job->ast, job->crate_dir, &fs, &n, &e);
  }
  if (!rc && n) rc = job->hooks.functions(job->hooks.ctx, job, fs, n, &e);
  if (rc) pl_log(job, "translation memory: not stored: %s", e.msg);
  else if (n) pl_log(job, "translation memory: %d function(s) stored", n);
  if (own) tm_funcs_free(fs, n);
}

int pl_stage_package(pl_job *job, p_err *e) {
  const pl_config *cfg = job->cfg;
  if (!job->wasm_path) return p_err_set(e, P_EINTERNAL, "no module to package (build did not run)");
  int64_t t0 = p_mono_ms();
  char name[128];
  pkg__name(job->entry ? job->entry : "main.py", name, sizeof name);
  pkg__list l = {0};
  int rc = pkg__add_disk(&l, "module.wasm", job->wasm_path, e);
  const char *share[] = {"run.mjs", "loader.mjs", "wasi-shim.mjs", NULL};
  for (int i = 0; share[i] && !rc; i++) {
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/%s", cfg->share_dir, share[i]);
    rc = pkg__add_disk(&l, share[i], p, e);
  }
  if (!rc) rc = pkg__add_copy(&l, "index.html", pkg__index_html, sizeof pkg__index_html - 1, e);

  /* The crate, with our Cargo.toml in place of the generated one. */
  if (!rc && job->crate_dir) {
    char *toml = pkg__cargo_toml(name, job->crate_dir);
    rc = toml ? pkg__add(&l, "crate/Cargo.toml", toml, strlen(toml), 0644, e)
              : p_err_set(e, P_ENOMEM, "out of memory");
    const char *skip[] = {"Cargo.toml", "Cargo.lock", "target", NULL};
    if (!rc) rc = pkg__add_tree(&l, "crate", job->crate_dir, "", skip, 0, e);
  }
  /* The runtime crate's source. */
  if (!rc) {
    char src[PATH_MAX + 16], toml[PATH_MAX + 16];
    snprintf(src, sizeof src, "%s/src", cfg->runtime_src_dir);
    snprintf(toml, sizeof toml, "%s/Cargo.toml", cfg->runtime_src_dir);
    struct stat st;
    if (stat(src, &st) != 0 || !S_ISDIR(st.st_mode)) {
      rc = p_err_set(e, P_EINTERNAL, "the runtime crate's source is not installed (%s)", src);
    } else {
      rc = pkg__add_tree(&l, "portalis_rt/src", src, "", NULL, 0, e);
      if (!rc && access(toml, R_OK) == 0) {
        rc = pkg__add_disk(&l, "portalis_rt/Cargo.toml", toml, e);
      } else if (!rc) {
        const char *t = "[package]\nname = \"portalis_rt\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
                        "[lib]\npath = \"src/lib.rs\"\n";
        rc = pkg__add_copy(&l, "portalis_rt/Cargo.toml", t, strlen(t), e);
      }
    }
  }
  for (size_t i = 0; i < job->nfiles && !rc; i++) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "python/%s", job->files[i].path);
    rc = pkg__add_copy(&l, p, job->files[i].data, job->files[i].len, e);
  }
  cJSON *rep = job->report;
  if (!rc && rep) {
    char *json = cJSON_Print(rep);
    rc = json ? pkg__add(&l, "report.json", json, strlen(json), 0644, e) : p_err_set(e, P_ENOMEM, "out of memory");
  }
  if (!rc) {
    char *readme = pkg__readme(job, name);
    rc = readme ? pkg__add(&l, "README.md", readme, strlen(readme), 0644, e) : p_err_set(e, P_ENOMEM, "out of memory");
  }

  /* The manifest, over everything above. */
  if (!rc) {
    cJSON *m = cJSON_CreateObject();
    char when[32];
    p_iso8601(p_now_ms(), when);
    cJSON_AddStringToObject(m, "name", name);
    cJSON_AddStringToObject(m, "entry", job->entry ? job->entry : "");
    cJSON_AddStringToObject(m, "module", "module.wasm");
    cJSON_AddStringToObject(m, "module_kind", "wasi-preview1-command");
    cJSON_AddStringToObject(m, "run", "node run.mjs module.wasm [args...]");
    cJSON_AddStringToObject(m, "portalis_version", PACKAGE_VERSION);
    cJSON_AddStringToObject(m, "job_id", job->id);
    cJSON_AddStringToObject(m, "created_at", when);
    cJSON *tc = cJSON_AddObjectToObject(m, "toolchain");
    cJSON_AddStringToObject(tc, "rustc", cfg->rustc_version ? cfg->rustc_version : "");
    cJSON_AddStringToObject(tc, "target", "wasm32-wasi");
    cJSON_AddStringToObject(tc, "wasm_opt", sbx_tool_version(cfg->wasm_opt, "--version"));
    pkg__copy_item(tc, "node", pkg__get(rep, "test", "node"));
    pkg__copy_item(tc, "python", pkg__get(rep, "test", "python"));
    pkg__copy_item(m, "sandbox", pkg__get(rep, "test", "sandbox"));
    cJSON *tm = cJSON_AddObjectToObject(m, "timings_ms");
    pkg__copy_item(tm, "build", pkg__get(rep, "build", "wall_ms"));
    pkg__copy_item(tm, "rustc", pkg__get(rep, "build", "rustc_ms"));
    pkg__copy_item(tm, "test", pkg__get(rep, "test", "wall_ms"));
    pkg__copy_item(m, "build_cache_hit", pkg__get(rep, "build", "cache_hit"));
    pkg__copy_item(m, "test_passed", pkg__get(rep, "test", "passed"));
    cJSON *files = cJSON_AddArrayToObject(m, "files");
    for (size_t i = 0; i < l.n; i++) {
      cJSON *f = cJSON_CreateObject();
      char hex[65];
      p_sha256_hex(l.v[i].data, l.v[i].len, hex);
      cJSON_AddStringToObject(f, "path", l.v[i].path);
      cJSON_AddNumberToObject(f, "size", (double)l.v[i].len);
      cJSON_AddStringToObject(f, "sha256", hex);
      cJSON_AddItemToArray(files, f);
    }
    char *json = cJSON_Print(m);
    cJSON_Delete(m);
    rc = json ? pkg__add(&l, "manifest.json", json, strlen(json), 0644, e) : p_err_set(e, P_ENOMEM, "out of memory");
  }
  p_buf out;
  p_buf_init(&out, PKG_MAX);
  if (!rc) rc = pkg__tar(&l, name, &out, e);
  if (!rc) rc = pl_artifact(job, "package.tar.gz", "application/gzip", out.data, out.len, e);
  if (!rc)
    pl_log(job, "package.tar.gz: %zu files, %zu bytes (%zu uncompressed) in %lld ms", l.n, out.len, l.bytes,
           (long long)(p_mono_ms() - t0));
  p_buf_free(&out);
  pkg__free(&l);
  if (!rc && job->hooks.functions) pkg__memory(job);
  return rc;
}
