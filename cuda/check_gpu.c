/*
 * check_gpu.c - `make check-gpu`: on a machine with a CUDA GPU, the GPU
 * ranking must equal the CPU ranking, key for key (score bits and row).
 *
 *   random   1M x 256 quantised unit vectors (some rows duplicated, so ties
 *            must go to the smaller row on both sides), written to the
 *            device in appended chunks from a small capacity (the growth
 *            path), queried with batches of 1, 17, 33, 64 and 100 queries
 *            (the three kernel shapes and a batch over 64), k = 16 and 10;
 *            then a tail rewrite (what a removal does) and the same check;
 *   corpus   every def of the Python files under the given directories
 *            (the corpus, the golden tests), embedded by tm_embed, searched
 *            each against all of them through the real index
 *            (tm_index_start with --gpu=require and its dispatcher) and
 *            compared with tm_rank_cpu.
 *
 * Prints one line per check and "check-gpu: N checks passed"; exit 1 on the
 * first mismatch (with the query, rank and both keys), 2 when no GPU is
 * usable (that is not a pass).
 */
#include "config.h"
#include "tm.h"
#ifdef HAVE_CUDA
#include "../cuda/gpu.h"
#endif

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef HAVE_CUDA
int main(void) {
  fprintf(stderr, "check-gpu: this build has no CUDA (configure --with-cuda=auto|PATH with nvcc installed)\n");
  return 2;
}
#else
static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void rnd_vec(int16_t *v) {
  double x[TM_DIM], ss = 0;
  for (int i = 0; i < TM_DIM; i++) {
    /* sum of three uniforms: cheap, roughly bell-shaped */
    x[i] = (double)(rnd() >> 40) + (double)(rnd() >> 40) + (double)(rnd() >> 40) - 1.5 * (double)(1 << 24);
    ss += x[i] * x[i];
  }
  for (int i = 0; i < TM_DIM; i++) {
    double q = x[i] / sqrt(ss) * TM_QSCALE;
    v[i] = (int16_t)(q >= 0 ? floor(q + 0.5) : -floor(-q + 0.5));
  }
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int checks;

static int compare(const char *what, const uint64_t *gpu, const uint64_t *cpu, int nq, int k) {
  for (int i = 0; i < nq; i++)
    for (int j = 0; j < k; j++)
      if (gpu[(size_t)i * k + j] != cpu[(size_t)i * k + j]) {
        uint64_t g = gpu[(size_t)i * k + j], c = cpu[(size_t)i * k + j];
        fprintf(stderr, "check-gpu: %s: query %d rank %d: GPU row %u score %.9g, CPU row %u score %.9g\n", what, i, j,
                tm_key_row(g), (double)tm_key_score(g), tm_key_row(c), (double)tm_key_score(c));
        return 1;
      }
  checks++;
  printf("ok   %s (%d queries, top-%d)\n", what, nq, k);
  return 0;
}

static int check_random(size_t rows) {
  char err[256];
  int16_t *m = malloc(rows * TM_DIM * sizeof *m);
  float *mf = malloc(rows * TM_DIM * sizeof *mf);
  if (!m || !mf) return fprintf(stderr, "check-gpu: out of memory\n"), 1;
  for (size_t r = 0; r < rows; r++) {
    if (r % 1000 == 7) memcpy(m + r * TM_DIM, m + (r - 5) * TM_DIM, TM_DIM * sizeof *m); /* ties */
    else rnd_vec(m + r * TM_DIM);
  }
  for (size_t i = 0; i < rows * TM_DIM; i++) mf[i] = (float)m[i] / TM_QSCALE;
  gpu_tm *g = gpu_tm_new(1000, err, sizeof err);
  if (!g) return fprintf(stderr, "check-gpu: %s\n", err), 1;
  /* Appended in uneven chunks: capacity grows by doubling on the device. */
  for (size_t at = 0; at < rows;) {
    size_t n = rows - at < 77777 ? rows - at : 77777;
    if (gpu_tm_write(g, at, m + at * TM_DIM, n, err, sizeof err)) return fprintf(stderr, "check-gpu: %s\n", err), 1;
    at += n;
  }
  enum { QN = 100 };
  int16_t *q = malloc((size_t)QN * TM_DIM * sizeof *q);
  float *qf = malloc((size_t)QN * TM_DIM * sizeof *qf);
  for (int i = 0; i < QN; i++) {
    if (i % 4 == 3) memcpy(q + (size_t)i * TM_DIM, m + (size_t)((rnd() % (rows / 1000)) * 1000 + 2) * TM_DIM,
                           TM_DIM * sizeof *q); /* the original of a duplicated row: a tie at the top */
    else rnd_vec(q + (size_t)i * TM_DIM);
  }
  for (size_t i = 0; i < (size_t)QN * TM_DIM; i++) qf[i] = (float)q[i] / TM_QSCALE;
  uint64_t *gk = malloc((size_t)QN * 16 * sizeof *gk), *ck = malloc((size_t)QN * 16 * sizeof *ck);
  static const int batches[] = {1, 17, 33, 64, 100};
  int rc = 0;
  for (size_t b = 0; b < sizeof batches / sizeof batches[0] && !rc; b++) {
    int nq = batches[b];
    for (int k = 16; k >= 10 && !rc; k -= 6) {
      double t0 = now_s();
      if (gpu_tm_search(g, q, nq, k, gk, err, sizeof err)) return fprintf(stderr, "check-gpu: %s\n", err), 1;
      double t1 = now_s();
      tm_rank_cpu(mf, rows, qf, nq, k, ck);
      double t2 = now_s();
      char what[128];
      snprintf(what, sizeof what, "random %zu x %d, batch %d (GPU %.2f ms, CPU %.0f ms)", rows, TM_DIM, nq,
               (t1 - t0) * 1e3, (t2 - t1) * 1e3);
      rc = compare(what, gk, ck, nq, k);
    }
  }
  /* A removal rewrites the tail: drop row 10, shift the rest down. */
  if (!rc) {
    memmove(m + 10 * TM_DIM, m + 11 * TM_DIM, (rows - 11) * TM_DIM * sizeof *m);
    memmove(mf + 10 * TM_DIM, mf + 11 * TM_DIM, (rows - 11) * TM_DIM * sizeof *mf);
    gpu_tm_truncate(g, rows - 1);
    if (gpu_tm_write(g, 10, m + 10 * TM_DIM, rows - 11, err, sizeof err)) return fprintf(stderr, "check-gpu: %s\n", err), 1;
    if (gpu_tm_search(g, q, 64, 10, gk, err, sizeof err)) return fprintf(stderr, "check-gpu: %s\n", err), 1;
    tm_rank_cpu(mf, rows - 1, qf, 64, 10, ck);
    rc = compare("random after a removal", gk, ck, 64, 10);
  }
  gpu_tm_free(g);
  free(m);
  free(mf);
  free(q);
  free(qf);
  free(gk);
  free(ck);
  return rc;
}

/* ------------------------------------------------------------- corpus */

typedef struct {
  int16_t *emb;
  size_t n, cap;
} embs;

static void add_file(embs *E, const char *path) {
  char *src;
  size_t len;
  p_err e = {0};
  if (p_read_file(path, 16 << 20, &src, &len, &e)) return;
  tm_func *f;
  int n;
  if (tm_funcs_of_source(src, len, &f, &n, &e) == 0) {
    for (int i = 0; i < n; i++) {
      if (E->n == E->cap) {
        E->cap = E->cap ? E->cap * 2 : 256;
        E->emb = realloc(E->emb, E->cap * TM_DIM * sizeof *E->emb);
      }
      memcpy(E->emb + E->n * TM_DIM, f[i].emb, sizeof f[i].emb);
      E->n++;
    }
    tm_funcs_free(f, n);
  }
  free(src);
}

static void walk(embs *E, const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (!d || depth > 8) {
    if (d) closedir(d);
    return;
  }
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
    struct stat st;
    if (stat(p, &st)) continue;
    size_t l = strlen(de->d_name);
    if (S_ISDIR(st.st_mode)) walk(E, p, depth + 1);
    else if (l > 3 && !strcmp(de->d_name + l - 3, ".py")) add_file(E, p);
  }
  closedir(d);
}

static int check_corpus(int ndirs, char **dirs) {
  embs E = {0};
  for (int i = 0; i < ndirs; i++) walk(&E, dirs[i], 0);
  if (E.n < 2) return fprintf(stderr, "check-gpu: no Python functions found under the given directories\n"), 1;
  p_err e = {0};
  tm_options o = {TM_GPU_REQUIRE, 200, 64};
  if (tm_index_start(&o, &e)) return fprintf(stderr, "check-gpu: %s\n", e.msg), 1;
  int64_t *ids = malloc(E.n * sizeof *ids);
  for (size_t i = 0; i < E.n; i++) ids[i] = (int64_t)i + 1;
  if (tm_index_add(0, ids, E.emb, E.n, &e)) return fprintf(stderr, "check-gpu: %s\n", e.msg), 1;
  int k = 10;
  tm_match *m = malloc(E.n * k * sizeof *m);
  int *found = malloc(E.n * sizeof *found);
  if (tm_index_search(0, E.emb, (int)E.n, k, m, found, &e)) return fprintf(stderr, "check-gpu: %s\n", e.msg), 1;
  float *mf = malloc(E.n * TM_DIM * sizeof *mf);
  for (size_t i = 0; i < E.n * TM_DIM; i++) mf[i] = (float)E.emb[i] / TM_QSCALE;
  uint64_t *ck = malloc(E.n * k * sizeof *ck), *gk = malloc(E.n * k * sizeof *gk);
  tm_rank_cpu(mf, E.n, mf, (int)E.n, k, ck);
  for (size_t i = 0; i < E.n; i++)
    for (int j = 0; j < k; j++)
      gk[i * k + j] = j < found[i] ? tm_key(m[i * k + j].score, (uint32_t)(m[i * k + j].id - 1)) : 0;
  char what[160];
  snprintf(what, sizeof what, "corpus: %zu functions through the index on %s", E.n, tm_device_name());
  int rc = compare(what, gk, ck, (int)E.n, k);
  tm_stats st;
  tm_index_stats(&st);
  if (!rc && st.queries[1] != E.n) {
    fprintf(stderr, "check-gpu: the GPU served %llu of %zu queries\n", (unsigned long long)st.queries[1], E.n);
    rc = 1;
  }
  tm_index_stop();
  /* The memory is per owner: the same rows spread over three owners'
   * partitions (one GPU matrix each); a search of every owner's rows
   * merges them into the ranking of the single matrix above. */
  if (!rc && tm_index_start(&o, &e)) return fprintf(stderr, "check-gpu: %s\n", e.msg), 1;
  for (size_t i = 0; i < E.n && !rc; i++)
    if (tm_index_add((int64_t)(i % 3), &ids[i], E.emb + i * TM_DIM, 1, &e)) {
      fprintf(stderr, "check-gpu: %s\n", e.msg);
      rc = 1;
    }
  if (!rc && tm_index_search(TM_OWNER_ANY, E.emb, (int)E.n, k, m, found, &e)) {
    fprintf(stderr, "check-gpu: %s\n", e.msg);
    rc = 1;
  }
  if (!rc) {
    for (size_t i = 0; i < E.n; i++)
      for (int j = 0; j < k; j++)
        gk[i * k + j] = j < found[i] ? tm_key(m[i * k + j].score, (uint32_t)(m[i * k + j].id - 1)) : 0;
    snprintf(what, sizeof what, "corpus: %zu functions in 3 owners' partitions, all searched, on %s", E.n,
             tm_device_name());
    rc = compare(what, gk, ck, (int)E.n, k);
  }
  tm_index_stop();
  free(ids);
  free(m);
  free(found);
  free(mf);
  free(ck);
  free(gk);
  free(E.emb);
  return rc;
}

int main(int argc, char **argv) {
  char name[256];
  if (gpu_probe(name, sizeof name) <= 0) {
    fprintf(stderr, "check-gpu: no usable CUDA device%s%s\n", name[0] ? ": " : "", name);
    return 2;
  }
  printf("check-gpu on %s\n", name);
  size_t rows = 1000000;
  if (getenv("CHECK_GPU_ROWS")) rows = strtoull(getenv("CHECK_GPU_ROWS"), NULL, 10);
  if (rows < 2000) rows = 2000;
  if (check_random(rows)) return 1;
  if (check_corpus(argc - 1, argv + 1)) return 1;
  printf("check-gpu: %d checks passed\n", checks);
  return 0;
}
#endif
