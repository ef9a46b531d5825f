/*
 * cli.c - `portalis`, the pipeline without the server: cli/ sits beside
 * server/ on the same pipeline library and uses nothing of the server.
 *
 *   portalis translate FILE.py|DIR -o OUTDIR [--entry PATH] [--test] [--package] [-v]
 *
 * Runs ingest -> ... -> build (or on through test and package) in this
 * process with the same pipeline library as portalisd, prints diagnostics
 * as `file:line:col: severity: message` with the source line and a caret,
 * and writes every artifact (crate.tar.gz, module.wasm, ...) into OUTDIR.
 */
#include "config.h"
#include "llm.h"
#include "pipeline.h"

#include <locale.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct cli_ctx {
  const char *outdir;
  bool verbose;
  int artifacts;
} cli_ctx;

static void cli__stage(void *ctx, pl_job *job, int index, const char *state, const char *message) {
  cli_ctx *c = ctx;
  (void)job;
  if (c->verbose || (strcmp(state, "running") && strcmp(state, "succeeded")))
    fprintf(stderr, "portalis: %-9s %s%s%s\n", pl_stages[index].name, state, message ? ": " : "", message ? message : "");
}

static void cli__log(void *ctx, pl_job *job, const char *stage, const char *line) {
  cli_ctx *c = ctx;
  (void)job;
  if (c->verbose) fprintf(stderr, "  [%s] %s\n", stage, line);
}

static void cli__diag(void *ctx, pl_job *job, const pl_diag *d) {
  (void)ctx;
  (void)job;
  fprintf(stderr, "%s:%d:%d: %s: %s\n", d->file, d->line, d->col, d->severity, d->message);
  if (d->source_line) {
    fprintf(stderr, "    %s\n    ", d->source_line);
    for (int i = 1; i < d->col; i++) fputc(d->source_line[i - 1] == '\t' ? '\t' : ' ', stderr);
    fputs("^\n", stderr);
  }
}

static int cli__artifact(void *ctx, pl_job *job, const char *name, const char *mime, const void *data,
                         size_t len, p_err *e) {
  cli_ctx *c = ctx;
  (void)job;
  (void)mime;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", c->outdir, name);
  if (p_write_file(path, data, len, e)) return e->code;
  c->artifacts++;
  if (c->verbose) fprintf(stderr, "portalis: wrote %s (%zu bytes)\n", path, len);
  return 0;
}

/* Adds every regular file under dir (relative paths), skipping caches. */
static int cli__add_tree(pl_job *job, const char *root, const char *rel, p_err *e) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
  DIR *d = opendir(path);
  if (!d) return p_err_set(e, P_EIO, "%s: %s", path, strerror(errno));
  struct dirent *de;
  int rc = 0;
  while (!rc && (de = readdir(d))) {
    if (de->d_name[0] == '.' || !strcmp(de->d_name, "__pycache__")) continue;
    char sub[4096], full[8192];
    snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
    snprintf(full, sizeof full, "%s/%s", root, sub);
    struct stat st;
    if (lstat(full, &st)) continue;
    if (S_ISDIR(st.st_mode)) rc = cli__add_tree(job, root, sub, e);
    else if (S_ISREG(st.st_mode)) {
      size_t n = strlen(sub);
      if (n < 3 || strcmp(sub + n - 3, ".py")) continue;
      char *data;
      size_t len;
      if ((rc = p_read_file(full, 16 << 20, &data, &len, e))) break;
      rc = pl_job_add_file(job, sub, data, len, e);
      free(data);
    }
  }
  closedir(d);
  return rc;
}

static void cli__usage(FILE *f) {
  fprintf(f, "usage: portalis translate FILE.py|DIR -o OUTDIR [--entry PATH] [--test] [--package] [-v]\n"
             "\n"
             "Translates Python to a Rust crate and a WASI module (module.wasm) in OUTDIR.\n"
             "  -o, --output DIR  where artifacts go (created)\n"
             "  --entry PATH      entry script inside DIR (default __main__.py, main.py or the only .py)\n"
             "  --test            also run the WASM against CPython (test stage)\n"
             "  --package         also build package.tar.gz (implies --test)\n"
             "  --optimize        always run wasm-opt (smaller module, about a second slower)\n"
             "  --no-assist       never ask the model endpoint configured by PORTALIS_LLM_URL /\n"
             "                    PORTALIS_LLM_CONFIG (see portalisd --help) for rewrites\n"
             "  -v, --verbose     show stages and logs\n");
}

int main(int argc, char **argv) {
  /* libarchive (Package, crate.tar.gz) converts names through the locale. */
  if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "");
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    cli__usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("portalis %s\n", PACKAGE_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "translate")) {
    fprintf(stderr, "portalis: unknown command '%s'\n", argv[1]);
    cli__usage(stderr);
    return 2;
  }
  static const struct option opts[] = {{"output", required_argument, NULL, 'o'}, {"entry", required_argument, NULL, 'e'},
                                       {"test", no_argument, NULL, 't'}, {"package", no_argument, NULL, 'p'}, {"optimize", no_argument, NULL, 'O'}, {"no-assist", no_argument, NULL, 'A'},
                                       {"verbose", no_argument, NULL, 'v'}, {NULL, 0, NULL, 0}};
  const char *out = NULL, *entry = NULL;
  int last = PL_STAGE_BUILD;
  bool optimize = false, no_assist = false;
  cli_ctx ctx = {0};
  int c;
  optind = 2;
  while ((c = getopt_long(argc, argv, "o:v", opts, NULL)) != -1) {
    switch (c) {
    case 'o': out = optarg; break;
    case 'e': entry = optarg; break;
    case 't': if (last < PL_STAGE_TEST) last = PL_STAGE_TEST; break;
    case 'p': last = PL_STAGE_PACKAGE; break;
    case 'v': ctx.verbose = true; break;
    case 'O': optimize = true; break;
    case 'A': no_assist = true; break;
    default: cli__usage(stderr); return 2;
    }
  }
  if (optind != argc - 1 || !out) {
    cli__usage(stderr);
    return 2;
  }
  const char *src = argv[optind];
  if (p_mkdirs(out, 0755)) {
    fprintf(stderr, "portalis: cannot create %s: %s\n", out, strerror(errno));
    return 1;
  }
  ctx.outdir = out;
  pl_config cfg;
  pl_config_default(&cfg, argv[0]);
  if (optimize) cfg.wasm_opt_max = UINT64_MAX;
  p_err e = {0};
  /* Model assistance: off unless the environment configures an endpoint. */
  static llm_config lc;
  llm_config_default(&lc);
  bool llm_on = false;
  if (llm_config_env(&lc, &e) || llm_config_finish(&lc, &llm_on, &e)) {
    fprintf(stderr, "portalis: %s\n", e.msg);
    return 2;
  }
  if (llm_on && !no_assist) {
    if (llm_init(&lc, &e)) {
      fprintf(stderr, "portalis: %s\n", e.msg);
      return 1;
    }
    cfg.llm = &lc;
    cfg.assist = llm_assist;
  }
  pl_job *job = pl_job_new(&cfg, "cli");
  job->hooks = (pl_hooks){&ctx, cli__stage, cli__log, cli__diag, cli__artifact, NULL, NULL};
  struct stat st;
  if (stat(src, &st)) {
    fprintf(stderr, "portalis: %s: %s\n", src, strerror(errno));
    return 1;
  }
  int rc;
  if (S_ISDIR(st.st_mode)) {
    rc = cli__add_tree(job, src, "", &e);
  } else {
    char *data;
    size_t len;
    rc = p_read_file(src, 16 << 20, &data, &len, &e);
    if (!rc) {
      const char *base = strrchr(src, '/');
      rc = pl_job_add_file(job, base ? base + 1 : src, data, len, &e);
      free(data);
      if (!entry) entry = base ? base + 1 : src;
    }
  }
  if (rc) {
    fprintf(stderr, "portalis: %s\n", e.msg);
    return 1;
  }
  if (!entry) {
    if (pl_job_find_file(job, "__main__.py")) entry = "__main__.py";
    else if (pl_job_find_file(job, "main.py")) entry = "main.py";
    else if (job->nfiles == 1) entry = job->files[0].path;
    else {
      fprintf(stderr, "portalis: %s has several .py files and no __main__.py or main.py: pass --entry\n", src);
      return 2;
    }
  }
  if (!pl_job_find_file(job, entry)) {
    fprintf(stderr, "portalis: entry '%s' not found in %s\n", entry, src);
    return 2;
  }
  job->entry = p_xstrdup(entry);
  pl_outcome o = pl_run(job, PL_STAGE_INGEST, last);
  if (o != PL_SUCCEEDED) {
    fprintf(stderr, "portalis: %s: %s%s%s\n", pl_outcome_name(o), job->reason, job->message[0] ? ": " : "", job->message);
  } else {
    fprintf(stderr, "portalis: ok: %d artifact(s) in %s\n", ctx.artifacts, out);
  }
  pl_job_free(job);
  llm_shutdown();
  return o == PL_SUCCEEDED ? 0 : o == PL_FAILED ? 1 : 3;
}
