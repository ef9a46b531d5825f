/*
 * rs_emit.c - developer tool for the translator: runs ingest, analysis and
 * specgen on a script or a case folder and writes the generated crate
 * (without building it), so tests/translate_corpus.sh can compile with
 * plain rustc and skip the Build stage's wasm-opt pass.
 *
 *   tests/rs_emit (FILE.py | DIR) OUTDIR     writes OUTDIR/Cargo.toml, OUTDIR/src/...
 *
 * Exit 0 on success; 1 with the error (file:line:col: message) on stderr.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pipeline.h"
#include "transpile.h"

static int add_tree(pl_job *job, const char *root, const char *rel, p_err *e) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
  DIR *d = opendir(path);
  if (!d) return p_err_set(e, P_EIO, "cannot open %s", path);
  struct dirent *de;
  int rc = 0;
  while (!rc && (de = readdir(d))) {
    if (de->d_name[0] == '.' || strcmp(de->d_name, "__pycache__") == 0) continue;
    char sub[4096], full[8192];
    snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
    snprintf(full, sizeof full, "%s/%s", root, sub);
    struct stat st;
    if (stat(full, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      rc = add_tree(job, root, sub, e);
    } else {
      size_t n = strlen(sub);
      if (n < 3 || strcmp(sub + n - 3, ".py") != 0) continue;
      char *data;
      size_t len;
      rc = p_read_file(full, 1 << 24, &data, &len, e);
      if (!rc) rc = pl_job_add_file(job, sub, data, len, e);
      free(data);
    }
  }
  closedir(d);
  return rc;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s (FILE.py|DIR) OUTDIR\n", argv[0]);
    return 2;
  }
  pl_config cfg;
  pl_config_default(&cfg, argv[0]);
  pl_job *job = pl_job_new(&cfg, "rs_emit");
  p_err e = {0};
  struct stat st;
  int rc = 0;
  if (stat(argv[1], &st) == 0 && S_ISDIR(st.st_mode)) {
    rc = add_tree(job, argv[1], "", &e);
    job->entry = strdup("main.py");
  } else {
    char *data = NULL;
    size_t len;
    const char *base = strrchr(argv[1], '/');
    base = base ? base + 1 : argv[1];
    rc = p_read_file(argv[1], 1 << 24, &data, &len, &e);
    if (!rc) rc = pl_job_add_file(job, base, data, len, &e);
    free(data);
    job->entry = strdup(base);
  }
  if (rc) {
    fprintf(stderr, "rs_emit: %s\n", e.msg);
    return 1;
  }
  pl_outcome o = pl_run(job, 0, 2);
  if (o != PL_SUCCEEDED) {
    for (size_t i = 0; i < job->ndiags; i++)
      fprintf(stderr, "%s:%d:%d: %s%s\n", job->diags[i].file ? job->diags[i].file : "", job->diags[i].line,
              job->diags[i].col, strcmp(job->diags[i].severity, "warning") == 0 ? "warning: " : "",
              job->diags[i].message);
    fprintf(stderr, "rs_emit: %s: %s\n", pl_outcome_name(o), job->message);
    pl_job_free(job);
    return 1;
  }
  sg_spec *spec = job->spec;
  rs_file *files;
  int n;
  rc = rs_crate_files(spec->prog, "main", &files, &n, &e);
  if (rc) {
    fprintf(stderr, "%s:%d:%d: %s\n", e.file, e.line, e.col, e.msg);
    pl_job_free(job);
    return 1;
  }
  for (int i = 0; i < n && !rc; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[2], files[i].path);
    char *slash = strrchr(path, '/');
    *slash = 0;
    p_mkdirs(path, 0755);
    *slash = '/';
    rc = p_write_file(path, files[i].text, files[i].len, &e);
  }
  if (rc) fprintf(stderr, "rs_emit: %s\n", e.msg);
  pl_job_free(job);
  return rc ? 1 : 0;
}
