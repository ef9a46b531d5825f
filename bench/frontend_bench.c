/*
 * frontend_bench.c - times the Ingest and Analysis stages on a directory
 * (bench/frontend.sh generates one). Runs both stages REPEAT times on a
 * fresh job each time and prints the best and median wall times.
 *
 *   bench/frontend_bench DIR [REPEAT]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analysis.h"
#include "pipeline.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void add_dir(pl_job *job, const char *root, const char *rel, size_t *lines) {
  char full[4096];
  snprintf(full, sizeof full, "%s/%s", root, rel);
  DIR *d = opendir(full);
  if (!d) return;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char r[2048], f[4096];
    snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
    snprintf(f, sizeof f, "%s/%s", root, r);
    struct stat st;
    if (stat(f, &st)) continue;
    if (S_ISDIR(st.st_mode)) {
      add_dir(job, root, r, lines);
    } else if (strlen(r) > 3 && !strcmp(r + strlen(r) - 3, ".py")) {
      char *data;
      size_t len;
      p_err e;
      if (p_read_file(f, 1 << 26, &data, &len, &e) == 0) {
        pl_job_add_file(job, r, data, len, &e);
        for (size_t i = 0; i < len; i++) *lines += data[i] == '\n';
        free(data);
      }
    }
  }
  closedir(d);
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [REPEAT]\n", argv[0]);
    return 2;
  }
  int repeat = argc > 2 ? atoi(argv[2]) : 10;
  if (repeat < 1) repeat = 1;
  pl_config cfg;
  memset(&cfg, 0, sizeof cfg);
  double *ing = calloc((size_t)repeat, sizeof *ing), *ana = calloc((size_t)repeat, sizeof *ana),
         *tot = calloc((size_t)repeat, sizeof *tot);
  size_t lines = 0, files = 0;
  int nfuncs = 0;
  for (int r = 0; r < repeat; r++) {
    pl_job *job = pl_job_new(&cfg, "bench");
    lines = 0;
    add_dir(job, argv[1], "", &lines);
    files = job->nfiles;
    if (pl_job_find_file(job, "main.py")) job->entry = strdup("main.py");
    p_err e;
    memset(&e, 0, sizeof e);
    double t0 = now_ms();
    int rc = pl_stage_ingest(job, &e);
    double t1 = now_ms();
    if (!rc) rc = pl_stage_analysis(job, &e);
    double t2 = now_ms();
    if (rc) {
      fprintf(stderr, "frontend_bench: %s (%s)\n", e.msg, job->ndiags ? job->diags[0].message : "");
      return 1;
    }
    nfuncs = ((an_program *)job->analysis)->nfuncs;
    ing[r] = t1 - t0;
    ana[r] = t2 - t1;
    tot[r] = t2 - t0;
    pl_job_free(job);
  }
  qsort(ing, (size_t)repeat, sizeof *ing, cmp_d);
  qsort(ana, (size_t)repeat, sizeof *ana, cmp_d);
  qsort(tot, (size_t)repeat, sizeof *tot, cmp_d);
  printf("files %zu, lines %zu, functions %d, runs %d\n", files, lines, nfuncs, repeat);
  printf("ingest    best %7.1f ms  median %7.1f ms\n", ing[0], ing[repeat / 2]);
  printf("analysis  best %7.1f ms  median %7.1f ms\n", ana[0], ana[repeat / 2]);
  printf("total     best %7.1f ms  median %7.1f ms  (target < 200 ms)\n", tot[0], tot[repeat / 2]);
  free(ing);
  free(ana);
  free(tot);
  return 0;
}
