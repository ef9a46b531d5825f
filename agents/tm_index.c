/*
 * tm_index.c - the resident matrices of the translation memory and their
 * top-k search, on the GPU when there is one, on the CPU otherwise.
 *
 * The memory is per owner: one owner's code is never shown to another
 * (a hit carries the Python and Rust of someone's upload). So the index is
 * one partition per owner (the server's token id; 0 for calls without a
 * token), and a search names the owner whose partition it reads, or
 * TM_OWNER_ANY (a read-only token, which reads every job) for all of them.
 * Each partition is an int16 master copy of its embeddings (ids ascending,
 * so that "ties go to the smaller id" is "ties go to the smaller row"),
 * plus the copy the serving device reads: fp16 rows in a matrix of its own
 * on the GPU (cuda/tm_kernel.cu), or fp32 rows in host memory for the CPU
 * path. Rows arrive in id order almost always (a finished job appends its
 * functions); an out-of-order insert or a removal rewrites the tail.
 *
 * Searches from every thread go through one dispatcher thread: the first
 * query opens a batch, the dispatcher waits up to window_us (or until
 * max_batch queries are waiting), then serves the whole batch with one
 * device call per partition that its queries read, so concurrent jobs of
 * one owner share the pass over the matrix. A query that reads several
 * partitions (TM_OWNER_ANY) merges their lists by (score descending, id
 * ascending): the same total order, so the answer is as if the partitions
 * were one matrix.
 *
 * The CPU ranking (tm_rank_cpu) walks the rows once for all queries of a
 * batch: each row is loaded once and dotted with every query in a loop of
 * 16 independent fp32 lanes that the compiler vectorises; a candidate
 * enters a query's running top-k only when its key beats the k-th. Scores
 * are exact (tm.h), so the order of the lanes does not matter and the GPU
 * returns the same keys.
 */
#include "config.h"
#include "tm.h"
#ifdef HAVE_CUDA
#include "../cuda/gpu.h"
#endif

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const double tm_lat_buckets[12] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                   0.01,   0.025,   0.05,   0.1,   0.25,   1.0};

typedef struct tm__req {
  int64_t owner;            /* the partition it reads, or TM_OWNER_ANY */
  const int16_t *q;
  int nq, k;
  tm_match *out;
  int *nfound;
  int rc;
  bool done;
  int64_t t0_us;
  struct tm__req *next;
} tm__req;

/* One owner's rows. */
typedef struct tm__part {
  int64_t owner;
  int64_t *ids;
  int16_t *master;  /* rows * TM_DIM */
  float *f32;       /* CPU copy when the CPU serves */
  size_t rows, cap;
#ifdef HAVE_CUDA
  gpu_tm *g;        /* GPU copy when the GPU serves */
#endif
} tm__part;

static struct {
  bool started;
  tm_options opt;
  /* the partitions (guarded by lock) */
  pthread_mutex_t lock;
  tm__part **parts;
  size_t nparts, capparts;
  size_t rows;      /* over all partitions */
  bool gpu;
  char device[160];
  /* the dispatcher (guarded by qlock) */
  pthread_mutex_t qlock;
  pthread_cond_t qcond, qdone;
  tm__req *head, *tail;
  int queued;
  bool stopping;
  pthread_t thread;
  /* stats (guarded by qlock) */
  tm_stats st;
  /* the record source */
  tm_fetch_fn fetch;
  void *fetch_ctx;
} tm__ix = {.lock = PTHREAD_MUTEX_INITIALIZER,
            .qlock = PTHREAD_MUTEX_INITIALIZER,
            .qcond = PTHREAD_COND_INITIALIZER,
            .qdone = PTHREAD_COND_INITIALIZER,
            .device = "cpu"};

static int64_t tm__now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------ CPU ranking */

static inline __attribute__((always_inline)) float tm__dot(const float *restrict a, const float *restrict b) {
  float acc[16] = {0};
  for (int d = 0; d < TM_DIM; d += 16)
    for (int j = 0; j < 16; j++) acc[j] += a[d + j] * b[d + j];
  float s = 0;
  for (int j = 0; j < 16; j++) s += acc[j];
  return s;
}

/* Inserts key into a descending list of k (keys[k-1] is the smallest). */
static inline __attribute__((always_inline)) void tm__topk_insert(uint64_t *keys, int k, uint64_t key) {
  if (key <= keys[k - 1]) return;
  int i = k - 1;
  while (i > 0 && keys[i - 1] < key) {
    keys[i] = keys[i - 1];
    i--;
  }
  keys[i] = key;
}

/* Cloned for AVX-512 and AVX2+FMA, picked at load time: FMA cannot change
 * a score (tm.h: every product and partial sum is exact). */
__attribute__((target_clones("arch=skylake-avx512", "arch=haswell", "default")))
void tm_rank_cpu(const float *matrix, size_t rows, const float *queries, int nq, int k, uint64_t *keys_out) {
  memset(keys_out, 0, (size_t)nq * (size_t)k * sizeof *keys_out);
  for (size_t r = 0; r < rows; r++) {
    const float *row = matrix + r * TM_DIM;
    for (int q = 0; q < nq; q++) {
      float s = tm__dot(queries + (size_t)q * TM_DIM, row);
      tm__topk_insert(keys_out + (size_t)q * k, k, tm_key(s, (uint32_t)r));
    }
  }
}

/* ---------------------------------------------------------- the matrix */

static void tm__to_f32(float *dst, const int16_t *src, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = (float)src[i] * (1.0f / TM_QSCALE);
}

/* The partition of owner, or NULL; with create, a new empty one (NULL +
 * e only when its GPU matrix cannot be made). Under lock. */
static tm__part *tm__part_of(int64_t owner, bool create, p_err *e) {
  for (size_t i = 0; i < tm__ix.nparts; i++)
    if (tm__ix.parts[i]->owner == owner) return tm__ix.parts[i];
  if (!create) return NULL;
  tm__part *p = p_xcalloc(1, sizeof *p);
  p->owner = owner;
#ifdef HAVE_CUDA
  if (tm__ix.gpu) {
    char err[256];
    p->g = gpu_tm_new(1024, err, sizeof err);
    if (!p->g) {
      free(p);
      p_err_set(e, P_EIO, "translation memory: GPU: %s", err);
      return NULL;
    }
  }
#else
  (void)e;
#endif
  if (tm__ix.nparts == tm__ix.capparts) {
    tm__ix.capparts = tm__ix.capparts ? tm__ix.capparts * 2 : 16;
    tm__ix.parts = p_xrealloc(tm__ix.parts, tm__ix.capparts * sizeof *tm__ix.parts);
  }
  tm__ix.parts[tm__ix.nparts++] = p;
  return p;
}

static void tm__part_free(tm__part *p) {
#ifdef HAVE_CUDA
  if (p->g) gpu_tm_free(p->g);
#endif
  free(p->ids);
  free(p->master);
  free(p->f32);
  free(p);
}

static void tm__reserve(tm__part *p, size_t need) {
  if (need <= p->cap) return;
  size_t cap = p->cap ? p->cap : 1024;
  while (cap < need) cap *= 2;
  p->ids = p_xrealloc(p->ids, cap * sizeof *p->ids);
  p->master = p_xrealloc(p->master, cap * TM_DIM * sizeof *p->master);
  if (!tm__ix.gpu) p->f32 = p_xrealloc(p->f32, cap * TM_DIM * sizeof *p->f32);
  p->cap = cap;
}

/* The serving copy of rows [from, rows) after the master changed there. */
static int tm__sync_tail(tm__part *p, size_t from, p_err *e) {
#ifdef HAVE_CUDA
  if (tm__ix.gpu) {
    char err[256];
    if (gpu_tm_write(p->g, from, p->master + from * TM_DIM, p->rows - from, err, sizeof err))
      return p_err_set(e, P_EIO, "translation memory: GPU: %s", err);
    return 0;
  }
#endif
  tm__to_f32(p->f32 + from * TM_DIM, p->master + from * TM_DIM, (p->rows - from) * TM_DIM);
  return 0;
}

int tm_index_add(int64_t owner, const int64_t *ids, const int16_t *emb, size_t n, p_err *e) {
  if (!n) return 0;
  if (owner < 0) return p_err_set(e, P_EINVAL, "translation memory: rows need an owner");
  pthread_mutex_lock(&tm__ix.lock);
  tm__part *p = tm__part_of(owner, true, e);
  if (!p) {
    pthread_mutex_unlock(&tm__ix.lock);
    return e->code;
  }
  tm__reserve(p, p->rows + n);
  size_t first = p->rows;
  for (size_t i = 0; i < n; i++) {
    /* Sorted insert; almost always at the end. Duplicates replace. */
    size_t pos = p->rows;
    while (pos > 0 && p->ids[pos - 1] > ids[i]) pos--;
    if (pos > 0 && p->ids[pos - 1] == ids[i]) {
      memcpy(p->master + (pos - 1) * TM_DIM, emb + i * TM_DIM, TM_DIM * sizeof *emb);
      if (pos - 1 < first) first = pos - 1;
      continue;
    }
    memmove(p->ids + pos + 1, p->ids + pos, (p->rows - pos) * sizeof *p->ids);
    memmove(p->master + (pos + 1) * TM_DIM, p->master + pos * TM_DIM, (p->rows - pos) * TM_DIM * sizeof *p->master);
    p->ids[pos] = ids[i];
    memcpy(p->master + pos * TM_DIM, emb + i * TM_DIM, TM_DIM * sizeof *emb);
    p->rows++;
    tm__ix.rows++;
    if (pos < first) first = pos;
  }
  int rc = first < p->rows ? tm__sync_tail(p, first, e) : 0;
  pthread_mutex_unlock(&tm__ix.lock);
  return rc;
}

static int tm__cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

int tm_index_remove(const int64_t *ids, size_t n) {
  if (!n) return 0;
  int64_t *sorted = p_xmalloc(n * sizeof *sorted);
  memcpy(sorted, ids, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, tm__cmp_i64);
  pthread_mutex_lock(&tm__ix.lock);
  int rc = 0;
  for (size_t pi = 0; pi < tm__ix.nparts; pi++) {
    tm__part *p = tm__ix.parts[pi];
    size_t w = 0, first = p->rows;
    for (size_t r = 0; r < p->rows; r++) {
      if (bsearch(&p->ids[r], sorted, n, sizeof *sorted, tm__cmp_i64)) {
        if (r < first) first = r;
        continue;
      }
      if (w != r) {
        p->ids[w] = p->ids[r];
        memcpy(p->master + w * TM_DIM, p->master + r * TM_DIM, TM_DIM * sizeof *p->master);
      }
      w++;
    }
    if (w == p->rows) continue;
    tm__ix.rows -= p->rows - w;
    p->rows = w;
    if (first < w) {
      p_err e = {0};
      if (tm__sync_tail(p, first, &e)) rc = e.code;
    }
#ifdef HAVE_CUDA
    if (tm__ix.gpu) gpu_tm_truncate(p->g, w);
#endif
  }
  pthread_mutex_unlock(&tm__ix.lock);
  free(sorted);
  return rc;
}

size_t tm_index_rows(int64_t owner) {
  pthread_mutex_lock(&tm__ix.lock);
  size_t n = tm__ix.rows;
  if (owner != TM_OWNER_ANY) {
    tm__part *p = tm__part_of(owner, false, NULL);
    n = p ? p->rows : 0;
  }
  pthread_mutex_unlock(&tm__ix.lock);
  return n;
}

const char *tm_device_name(void) { return tm__ix.device; }
bool tm_device_is_gpu(void) { return tm__ix.gpu; }

void tm_index_stats(tm_stats *out) {
  pthread_mutex_lock(&tm__ix.qlock);
  *out = tm__ix.st;
  pthread_mutex_unlock(&tm__ix.qlock);
}

/* One device call for nq queries over one partition: keys (nq * k), under
 * the lock. */
static int tm__rank(tm__part *p, const int16_t *q, int nq, int k, uint64_t *keys, p_err *e) {
#ifdef HAVE_CUDA
  if (tm__ix.gpu) {
    char err[256];
    if (gpu_tm_search(p->g, q, nq, k, keys, err, sizeof err))
      return p_err_set(e, P_EIO, "translation memory: GPU search: %s", err);
    return 0;
  }
#endif
  float *qf = p_xmalloc((size_t)nq * TM_DIM * sizeof *qf);
  tm__to_f32(qf, q, (size_t)nq * TM_DIM);
  tm_rank_cpu(p->f32, p->rows, qf, nq, k, keys);
  free(qf);
  return 0;
}

/* Merges one candidate into a query's list (best first, at most k):
 * score descending, then id ascending. */
static void tm__merge(tm_match *list, int *n, int k, int64_t id, float score) {
  int i = *n;
  if (i == k) {
    const tm_match *w = &list[k - 1];
    if (score < w->score || (score == w->score && id > w->id)) return;
    i = k - 1;
  } else {
    (*n)++;
  }
  while (i > 0 && (list[i - 1].score < score || (list[i - 1].score == score && list[i - 1].id > id))) {
    list[i] = list[i - 1];
    i--;
  }
  list[i].id = id;
  list[i].score = score;
}

/* ---------------------------------------------------------- dispatcher */

static void tm__serve(tm__req *batch) {
  int nq = 0, k = 1;
  for (tm__req *r = batch; r; r = r->next) {
    nq += r->nq;
    if (r->k > k) k = r->k;
    for (int i = 0; i < r->nq; i++) r->nfound[i] = 0;
  }
  int16_t *q = p_xmalloc((size_t)nq * TM_DIM * sizeof *q);
  uint64_t *keys = p_xmalloc((size_t)nq * (size_t)k * sizeof *keys);
  tm__req **of = p_xmalloc((size_t)nq * sizeof *of); /* the request of each gathered query */
  int *qi = p_xmalloc((size_t)nq * sizeof *qi);      /* and its index there */
  p_err e = {0};
  int rc = 0;
  pthread_mutex_lock(&tm__ix.lock);
  int dev = tm__ix.gpu ? 1 : 0;
  int64_t t0 = tm__now_us();
  /* One device call per partition that some query of the batch reads. */
  for (size_t pi = 0; pi < tm__ix.nparts && !rc; pi++) {
    tm__part *p = tm__ix.parts[pi];
    if (!p->rows) continue;
    int m = 0, kk = 1;
    for (tm__req *r = batch; r; r = r->next) {
      if (r->owner != p->owner && r->owner != TM_OWNER_ANY) continue;
      memcpy(q + (size_t)m * TM_DIM, r->q, (size_t)r->nq * TM_DIM * sizeof *q);
      for (int i = 0; i < r->nq; i++) {
        of[m + i] = r;
        qi[m + i] = i;
      }
      m += r->nq;
      if (r->k > kk) kk = r->k;
    }
    if (!m) continue;
    rc = tm__rank(p, q, m, kk, keys, &e);
    for (int j = 0; j < m && !rc; j++) {
      tm__req *r = of[j];
      int i = qi[j];
      for (int c = 0; c < r->k; c++) {
        uint64_t key = keys[(size_t)j * kk + c];
        if (!key) break;
        uint32_t row = tm_key_row(key);
        if (row >= p->rows) break;
        tm__merge(r->out + (size_t)i * r->k, &r->nfound[i], r->k, p->ids[row], tm_key_score(key));
      }
    }
  }
  int64_t t1 = tm__now_us();
  for (tm__req *r = batch; r; r = r->next) r->rc = rc ? (e.code ? (int)e.code : rc) : 0;
  pthread_mutex_unlock(&tm__ix.lock);
  free(q);
  free(keys);
  free(of);
  free(qi);
  pthread_mutex_lock(&tm__ix.qlock);
  tm__ix.st.queries[dev] += (uint64_t)nq;
  tm__ix.st.batches[dev]++;
  tm__ix.st.seconds[dev] += (double)(t1 - t0) / 1e6;
  int64_t now = tm__now_us();
  for (tm__req *r = batch; r; r = r->next) {
    double lat = (double)(now - r->t0_us) / 1e6;
    for (int b = 0; b < 12; b++)
      if (lat <= tm_lat_buckets[b]) tm__ix.st.lat_bucket[dev][b] += (uint64_t)r->nq;
    tm__ix.st.lat_count[dev] += (uint64_t)r->nq;
    tm__ix.st.lat_sum[dev] += lat * r->nq;
    r->done = true;
  }
  pthread_cond_broadcast(&tm__ix.qdone);
  pthread_mutex_unlock(&tm__ix.qlock);
}

static void *tm__dispatcher(void *arg) {
  (void)arg;
  pthread_mutex_lock(&tm__ix.qlock);
  for (;;) {
    while (!tm__ix.head && !tm__ix.stopping) pthread_cond_wait(&tm__ix.qcond, &tm__ix.qlock);
    if (!tm__ix.head && tm__ix.stopping) break;
    /* A short window for other callers' queries. */
    int64_t until = tm__ix.head->t0_us + tm__ix.opt.window_us;
    while (tm__ix.queued < tm__ix.opt.max_batch && !tm__ix.stopping) {
      int64_t now = tm__now_us();
      if (now >= until) break;
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      int64_t ns = ts.tv_nsec + (until - now) * 1000;
      ts.tv_sec += ns / 1000000000;
      ts.tv_nsec = ns % 1000000000;
      pthread_cond_timedwait(&tm__ix.qcond, &tm__ix.qlock, &ts);
    }
    /* Take whole requests up to max_batch queries (at least one). */
    tm__req *batch = tm__ix.head, *last = batch;
    int n = batch->nq;
    while (last->next && n + last->next->nq <= tm__ix.opt.max_batch) {
      last = last->next;
      n += last->nq;
    }
    tm__ix.head = last->next;
    if (!tm__ix.head) tm__ix.tail = NULL;
    last->next = NULL;
    tm__ix.queued -= n;
    pthread_mutex_unlock(&tm__ix.qlock);
    tm__serve(batch);
    pthread_mutex_lock(&tm__ix.qlock);
  }
  pthread_mutex_unlock(&tm__ix.qlock);
  return NULL;
}

int tm_index_search(int64_t owner, const int16_t *queries, int nq, int k, tm_match *out, int *nfound, p_err *e) {
  if (k < 1 || k > TM_KMAX) return p_err_set(e, P_EINVAL, "k must be 1..%d", TM_KMAX);
  if (nq <= 0) return 0;
  if (!tm__ix.started) return p_err_set(e, P_EINTERNAL, "translation memory not started");
  /* Large requests are split so that a batch never exceeds max_batch. */
  int step = tm__ix.opt.max_batch;
  if (nq > step) {
    for (int i = 0; i < nq; i += step) {
      int n = nq - i < step ? nq - i : step;
      int rc = tm_index_search(owner, queries + (size_t)i * TM_DIM, n, k, out + (size_t)i * k, nfound + i, e);
      if (rc) return rc;
    }
    return 0;
  }
  tm__req r = {owner, queries, nq, k, out, nfound, 0, false, tm__now_us(), NULL};
  pthread_mutex_lock(&tm__ix.qlock);
  if (tm__ix.stopping) {
    pthread_mutex_unlock(&tm__ix.qlock);
    return p_err_set(e, P_EINTERNAL, "translation memory stopping");
  }
  if (tm__ix.tail) tm__ix.tail->next = &r;
  else tm__ix.head = &r;
  tm__ix.tail = &r;
  tm__ix.queued += nq;
  pthread_cond_signal(&tm__ix.qcond);
  while (!r.done) pthread_cond_wait(&tm__ix.qdone, &tm__ix.qlock);
  pthread_mutex_unlock(&tm__ix.qlock);
  if (r.rc) return p_err_set(e, r.rc, "translation memory search failed");
  return 0;
}

/* -------------------------------------------------------------- start/stop */

int tm_index_start(const tm_options *opt, p_err *e) {
  if (tm__ix.started) return 0;
  tm__ix.opt = opt ? *opt : (tm_options){0};
  if (tm__ix.opt.window_us <= 0) tm__ix.opt.window_us = 200;
  if (tm__ix.opt.max_batch <= 0 || tm__ix.opt.max_batch > 1024) tm__ix.opt.max_batch = 64;
  tm__ix.gpu = false;
  snprintf(tm__ix.device, sizeof tm__ix.device, "cpu");
  if (tm__ix.opt.gpu != TM_GPU_OFF) {
#ifdef HAVE_CUDA
    char name[128] = "", err[256] = "";
    int n = gpu_probe(name, sizeof name);
    if (n > 0) {
      /* A matrix made and freed: the device really takes allocations.
       * Each owner's partition makes its own. */
      gpu_tm *g = gpu_tm_new(1024, err, sizeof err);
      if (g) {
        gpu_tm_free(g);
        tm__ix.gpu = true;
        snprintf(tm__ix.device, sizeof tm__ix.device, "cuda:0 %s", name);
      }
    } else {
      snprintf(err, sizeof err, "no CUDA device (cudaGetDeviceCount found none)");
    }
    if (!tm__ix.gpu && tm__ix.opt.gpu == TM_GPU_REQUIRE)
      return p_err_set(e, P_EUNSUPPORTED, "--gpu=require: %s", err);
    if (!tm__ix.gpu) p_log(P_LOG_INFO, "translation memory on the CPU: %s", err);
#else
    if (tm__ix.opt.gpu == TM_GPU_REQUIRE)
      return p_err_set(e, P_EUNSUPPORTED, "--gpu=require: this build has no CUDA (configure --with-cuda)");
#endif
  }
  tm__ix.stopping = false;
  if (pthread_create(&tm__ix.thread, NULL, tm__dispatcher, NULL))
    return p_err_set(e, P_EIO, "cannot start the translation memory dispatcher");
  tm__ix.started = true;
  p_log(P_LOG_INFO, "translation memory: search on %s", tm__ix.device);
  return 0;
}

void tm_index_stop(void) {
  if (!tm__ix.started) return;
  pthread_mutex_lock(&tm__ix.qlock);
  tm__ix.stopping = true;
  pthread_cond_broadcast(&tm__ix.qcond);
  pthread_mutex_unlock(&tm__ix.qlock);
  pthread_join(tm__ix.thread, NULL);
  pthread_mutex_lock(&tm__ix.lock);
  for (size_t i = 0; i < tm__ix.nparts; i++) tm__part_free(tm__ix.parts[i]);
  free(tm__ix.parts);
  tm__ix.parts = NULL;
  tm__ix.nparts = tm__ix.capparts = 0;
  tm__ix.rows = 0;
  tm__ix.started = false;
  memset(&tm__ix.st, 0, sizeof tm__ix.st);
  pthread_mutex_unlock(&tm__ix.lock);
}

/* ------------------------------------------------------- the public search */

void tm_set_source(tm_fetch_fn fetch, void *ctx) {
  tm__ix.fetch = fetch;
  tm__ix.fetch_ctx = ctx;
}

void tm_hits_free(tm_hit *hits, int n) {
  for (int i = 0; hits && i < n; i++) {
    free(hits[i].file);
    free(hits[i].name);
    free(hits[i].python);
    free(hits[i].rust);
    free(hits[i].signature);
  }
  free(hits);
}

int tm_search(int64_t owner, const char *python_src, size_t len, int k, tm_hit **hits, int *n, p_err *e) {
  *hits = NULL;
  *n = 0;
  if (k < 1) k = 1;
  if (k > TM_KMAX) k = TM_KMAX;
  if (!tm__ix.started) return 0; /* no memory here (the CLI): no examples */
  tm_func *fs;
  int nf;
  int rc = tm_funcs_of_source(python_src, len, &fs, &nf, e);
  if (rc) return rc;
  tm_match m[TM_KMAX];
  int found = 0;
  rc = tm_index_search(owner, fs[0].emb, 1, k, m, &found, e);
  if (!rc && found) {
    tm_hit *h = p_xcalloc((size_t)found, sizeof *h);
    if (!h) rc = p_err_set(e, P_ENOMEM, "out of memory");
    for (int i = 0; h && i < found; i++) {
      h[i].id = m[i].id;
      h[i].score = m[i].score;
    }
    if (!rc && tm__ix.fetch) rc = tm__ix.fetch(tm__ix.fetch_ctx, owner, h, found, e);
    if (!rc) {
      /* Rows deleted between search and fetch drop out. */
      int w = 0;
      for (int i = 0; i < found; i++) {
        if (!h[i].python && tm__ix.fetch) {
          free(h[i].file);
          free(h[i].name);
          free(h[i].rust);
          free(h[i].signature);
          continue;
        }
        h[i].identical = !strcmp(h[i].hash, fs[0].hash);
        h[w++] = h[i];
      }
      *hits = h;
      *n = w;
    } else {
      tm_hits_free(h, found);
    }
  }
  tm_funcs_free(fs, nf);
  return rc;
}
