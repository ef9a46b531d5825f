/*
 * tm_bench.c - speed of the translation memory's top-k search.
 *
 *   bench/tm_bench [cpu|gpu|all]
 *
 * CPU path (tm_rank_cpu, one thread, fp32): 1 and 64 queries over 100k and
 * 1M rows, top-10. GPU path (when the build has CUDA and a device is
 * there): 64 queries over 1M x 256 fp16 rows, top-10 (the target:
 * <= 0.5 ms on an H100), and 1 query over 10M rows; each the median of 20
 * timed runs after 3 warm-ups, with the bandwidth the pass over the matrix
 * implies. Figures only: nothing here asserts a speed.
 */
#include "config.h"
#include "tm.h"
#ifdef HAVE_CUDA
#include "../cuda/gpu.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void rnd_vec(int16_t *v) {
  double x[TM_DIM], ss = 0;
  for (int i = 0; i < TM_DIM; i++) {
    x[i] = (double)(rnd() >> 40) - (double)(1 << 23);
    ss += x[i] * x[i];
  }
  for (int i = 0; i < TM_DIM; i++) v[i] = (int16_t)lrint(x[i] / sqrt(ss) * TM_QSCALE);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This thread's CPU time: on a loaded machine, wall time also counts the
 * time other processes had the core. */
static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void bench_cpu(size_t rows, int nq, int reps) {
  float *m = malloc(rows * TM_DIM * sizeof *m), *q = malloc((size_t)nq * TM_DIM * sizeof *q);
  int16_t v[TM_DIM];
  for (size_t r = 0; r < rows; r++) {
    rnd_vec(v);
    for (int d = 0; d < TM_DIM; d++) m[r * TM_DIM + d] = (float)v[d] / TM_QSCALE;
  }
  for (int i = 0; i < nq; i++) {
    rnd_vec(v);
    for (int d = 0; d < TM_DIM; d++) q[(size_t)i * TM_DIM + d] = (float)v[d] / TM_QSCALE;
  }
  uint64_t *keys = malloc((size_t)nq * 10 * sizeof *keys);
  double t[16], c[16];
  tm_rank_cpu(m, rows, q, nq, 10, keys); /* warm */
  for (int i = 0; i < reps; i++) {
    double t0 = now_s(), c0 = cpu_s();
    tm_rank_cpu(m, rows, q, nq, 10, keys);
    t[i] = now_s() - t0;
    c[i] = cpu_s() - c0;
  }
  qsort(t, (size_t)reps, sizeof *t, cmp_d);
  qsort(c, (size_t)reps, sizeof *c, cmp_d);
  double med = t[reps / 2], cmed = c[reps / 2];
  printf("cpu  %2d queries x %8zu rows x %d fp32, top-10: %9.2f ms wall, %9.2f ms CPU  (%.2f GFLOP/s, %.2f GB/s of matrix, "
         "by CPU time)\n", nq, rows, TM_DIM, med * 1e3, cmed * 1e3, 2.0 * nq * rows * TM_DIM / cmed / 1e9,
         (double)rows * TM_DIM * 4 / cmed / 1e9);
  free(m);
  free(q);
  free(keys);
}

#ifdef HAVE_CUDA
static int bench_gpu(size_t rows, int nq) {
  char err[256];
  gpu_tm *g = gpu_tm_new(rows, err, sizeof err);
  if (!g) return fprintf(stderr, "gpu: %s\n", err), 1;
  size_t chunk = 1 << 20;
  int16_t *buf = malloc(chunk * TM_DIM * sizeof *buf);
  for (size_t at = 0; at < rows; at += chunk) {
    size_t n = rows - at < chunk ? rows - at : chunk;
    for (size_t r = 0; r < n; r++) rnd_vec(buf + r * TM_DIM);
    if (gpu_tm_write(g, at, buf, n, err, sizeof err)) return fprintf(stderr, "gpu: %s\n", err), 1;
  }
  int16_t *q = malloc((size_t)nq * TM_DIM * sizeof *q);
  for (int i = 0; i < nq; i++) rnd_vec(q + (size_t)i * TM_DIM);
  uint64_t *keys = malloc((size_t)nq * 10 * sizeof *keys);
  for (int i = 0; i < 3; i++)
    if (gpu_tm_search(g, q, nq, 10, keys, err, sizeof err)) return fprintf(stderr, "gpu: %s\n", err), 1;
  enum { REPS = 20 };
  double t[REPS];
  for (int i = 0; i < REPS; i++) {
    double t0 = now_s();
    gpu_tm_search(g, q, nq, 10, keys, err, sizeof err);
    t[i] = now_s() - t0;
  }
  qsort(t, REPS, sizeof *t, cmp_d);
  double med = t[REPS / 2];
  printf("gpu  %2d queries x %8zu rows x %d fp16, top-10: %9.3f ms  (min %.3f; %.0f GB/s of matrix, %.1f TFLOP/s)\n", nq,
         rows, TM_DIM, med * 1e3, t[0] * 1e3, (double)rows * TM_DIM * 2 / med / 1e9, 2.0 * nq * rows * TM_DIM / med / 1e12);
  gpu_tm_free(g);
  free(buf);
  free(q);
  free(keys);
  return 0;
}
#endif

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "all";
  if (!strcmp(what, "cpu") || !strcmp(what, "all")) {
    bench_cpu(100000, 1, 9);
    bench_cpu(100000, 64, 3);
    bench_cpu(1000000, 1, 5);
    bench_cpu(1000000, 64, 1);
  }
  if (!strcmp(what, "gpu") || !strcmp(what, "all")) {
#ifdef HAVE_CUDA
    char name[256];
    if (gpu_probe(name, sizeof name) <= 0) {
      printf("gpu  none usable: skipped\n");
      return 0;
    }
    printf("gpu  %s\n", name);
    if (bench_gpu(1000000, 64) || bench_gpu(1000000, 1) || bench_gpu(10000000, 1) || bench_gpu(10000000, 64)) return 1;
#else
    printf("gpu  this build has no CUDA: skipped\n");
#endif
  }
  return 0;
}
