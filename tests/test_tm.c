/*
 * test_tm.c - Check suites for the translation memory (agents/tm.h and its
 * store, sql/003):
 *   embed   normalisation (alpha-renaming, docstrings dropped, literals
 *           kept), hash and embedding determinism, a pinned digest of one
 *           embedding (the stored format), L2 norm and quantisation;
 *   extract the functions of a source and their Rust from crate markers
 *           (twin = static, signature from the twin);
 *   rank    tm_rank_cpu against a brute-force integer reference on random
 *           data with forced ties (ties go to the smaller id), and the
 *           exactness argument of tm.h checked on the data;
 *   index   the dispatcher: out-of-order adds, removals, concurrent
 *           searches from several threads, stats by device, GPU off;
 *   owners  the memory is per owner: a search reads one owner's rows (or
 *           every owner's for a read-only token, ranked as one matrix
 *           would rank them, ties across owners by id); the store's
 *           by-hash and by-id reads keep to the owner too; a loaded job
 *           carries its owner (the LLM assist's examples are its own);
 *   store   rows staged by store_tm_put are invisible until the job
 *           succeeds, dropped when it fails, deleted with the job.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srv.h"
#include "tm.h"

/* sha256 of SRC_A's embedding (little-endian int16) and its AST hash. */
#define PINNED_EMBEDDING "5e7347608e7268a257585a8c60681e4e255e947d081da18a6bfa8bcdd995cfb3"
#define PINNED_HASH "3453ef0492b4b73b4cc01bc47ff5fb28c55d98e4dc637dc194ebdf304f7cf345"

/* ------------------------------------------------------------- helpers */

static tm_func *funcs(const char *src, int *n) {
  tm_func *f = NULL;
  p_err e = {0};
  ck_assert_msg(tm_funcs_of_source(src, strlen(src), &f, n, &e) == 0, "%s", e.msg);
  return f;
}

static void one(const char *src, char hash[65], int16_t emb[TM_DIM]) {
  int n;
  tm_func *f = funcs(src, &n);
  ck_assert_int_ge(n, 1);
  memcpy(hash, f[0].hash, 65);
  memcpy(emb, f[0].emb, TM_DIM * sizeof *emb);
  tm_funcs_free(f, n);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* A random unit vector, quantised as tm_embed does. */
static void rnd_vec(int16_t *v) {
  double x[TM_DIM], ss = 0;
  for (int i = 0; i < TM_DIM; i++) {
    double u1 = ((double)(rnd() >> 11) + 1) / 9007199254740993.0, u2 = (double)(rnd() >> 11) / 9007199254740992.0;
    x[i] = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    ss += x[i] * x[i];
  }
  for (int i = 0; i < TM_DIM; i++) {
    double q = x[i] / sqrt(ss) * TM_QSCALE;
    v[i] = (int16_t)(q >= 0 ? floor(q + 0.5) : -floor(-q + 0.5));
  }
}

/* --------------------------------------------------------------- embed */

static const char SRC_A[] =
    "def gcd(a, b):\n"
    "    \"\"\"Greatest common divisor.\"\"\"\n"
    "    while b != 0:\n"
    "        a, b = b, a % b\n"
    "    return a\n";
static const char SRC_B[] = /* renamed, other docstring, other name */
    "def greatest(x, y):\n"
    "    '''Euclid.'''\n"
    "    while y != 0:\n"
    "        x, y = y, x % y\n"
    "    return x\n";
static const char SRC_C[] = /* a different literal */
    "def gcd(a, b):\n"
    "    while b != 1:\n"
    "        a, b = b, a % b\n"
    "    return a\n";
static const char SRC_D[] = /* a different builtin: free names are kept */
    "def f(xs):\n    return len(xs)\n";
static const char SRC_E[] = "def f(xs):\n    return abs(xs)\n";

START_TEST(t_hash_alpha) {
  char ha[65], hb[65], hc[65], hd[65], he[65];
  int16_t ea[TM_DIM], eb[TM_DIM], ec[TM_DIM], ed[TM_DIM], ee[TM_DIM];
  one(SRC_A, ha, ea);
  one(SRC_B, hb, eb);
  one(SRC_C, hc, ec);
  one(SRC_D, hd, ed);
  one(SRC_E, he, ee);
  ck_assert_str_eq(ha, hb);  /* alpha-renamed, docstring dropped */
  ck_assert_str_ne(ha, hc);  /* literals kept */
  ck_assert_str_ne(hd, he);  /* free names kept */
  /* Similar code scores high, different code lower. */
  ck_assert(tm_score(ea, ec) > 0.8);
  ck_assert(tm_score(ea, ed) < tm_score(ea, ec));
  /* The normalised text shows the renaming. */
  int n;
  tm_func *f = funcs(SRC_B, &n);
  p_arena *a = p_arena_new();
  py_module *m;
  py_syntax_error se;
  ck_assert_int_eq(py_parse_file(a, "x.py", NULL, SRC_B, strlen(SRC_B), NULL, &m, &se), 0);
  p_buf b;
  p_buf_init(&b, 0);
  ck_assert_int_eq(tm_normalise(m->node->u.module.body.v[0], &b), 0);
  ck_assert_ptr_nonnull(strstr(b.data, "$self"));
  ck_assert_ptr_nonnull(strstr(b.data, "(Name $0 0)"));
  ck_assert_ptr_null(strstr(b.data, "Euclid"));
  ck_assert_ptr_null(strstr(b.data, "greatest"));
  p_buf_free(&b);
  p_arena_free(a);
  tm_funcs_free(f, n);
}
END_TEST

START_TEST(t_embed_determinism) {
  char h1[65], h2[65];
  int16_t e1[TM_DIM], e2[TM_DIM];
  one(SRC_A, h1, e1);
  one(SRC_A, h2, e2);
  ck_assert_str_eq(h1, h2);
  ck_assert_mem_eq(e1, e2, sizeof e1);
  /* Unit norm up to the quantisation: |q| within sqrt(256) * 2^-12 of 1. */
  double ss = 0;
  int nz = 0;
  for (int i = 0; i < TM_DIM; i++) {
    ss += (double)e1[i] * e1[i];
    nz += e1[i] != 0;
    ck_assert_int_le(abs(e1[i]), TM_QSCALE);
  }
  ck_assert(fabs(sqrt(ss) / TM_QSCALE - 1) < 1.0 / 256);
  ck_assert_int_gt(nz, 20);
  /* The stored format is pinned: this digest changes only with a
   * deliberate change of the embedding (tm_embed.c documents it). */
  uint8_t le[TM_EMB_BYTES];
  for (int i = 0; i < TM_DIM; i++) {
    le[2 * i] = (uint8_t)((uint16_t)e1[i] & 0xFF);
    le[2 * i + 1] = (uint8_t)((uint16_t)e1[i] >> 8);
  }
  char hex[65];
  p_sha256_hex(le, sizeof le, hex);
  ck_assert_str_eq(hex, PINNED_EMBEDDING);
  ck_assert_str_eq(h1, PINNED_HASH);
}
END_TEST

START_TEST(t_pasted_body) {
  /* A source without a def is one function: its statements. */
  int n;
  tm_func *f = funcs("total = 0\nfor i in range(10):\n    total += i\nprint(total)\n", &n);
  ck_assert_int_eq(n, 1);
  ck_assert_str_eq(f[0].name, "<module>");
  tm_funcs_free(f, n);
  p_err e = {0};
  tm_func *g = NULL;
  ck_assert_int_eq(tm_funcs_of_source("def f(:\n", 8, &g, &n, &e), P_ESYNTAX);
  ck_assert_int_eq(e.line, 1);
}
END_TEST

/* ------------------------------------------------------------- extract */

START_TEST(t_extract_rust) {
  static const char py[] =
      "class Shape:\n"
      "    def area(self):\n"
      "        return 0\n"
      "\n"
      "def gcd(a, b):\n"
      "    while b:\n"
      "        a, b = b, a % b\n"
      "    return a\n"
      "\n"
      "def outer():\n"
      "    def inner(x):\n"
      "        return x\n"
      "    return inner\n";
  static const char rs[] =
      "// main.py:1 module body\nfn module_body() {}\n\n"
      "// main.py:2 def Shape.area\nfn Shape_area() -> PyResult<Value> {\n    Ok(Value::int(0))\n}\n\n"
      "// main.py:5 unboxed twin of gcd (rx::failed() after it = overflow, division by zero, index out of range or\n"
      "// too deep: the dynamic fn re-runs the call)\n"
      "fn gcd__fast(__d: u32, a: i64, b: i64) -> i64 {\n    // main.py:6\n    a\n}\n\n"
      "// main.py:5 def gcd\nfn gcd(__g: &Value) -> PyResult<Value> {\n    // main.py:6\n    __fr.line(6);\n}\n\n"
      "// main.py:10 def outer\nfn outer() {}\n";
  char dir[64];
  snprintf(dir, sizeof dir, "/tmp/portalis-tm-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/src", dir);
  ck_assert_int_eq(p_mkdirs(path, 0700), 0);
  snprintf(path, sizeof path, "%s/src/m_main.rs", dir);
  p_err e = {0};
  ck_assert_int_eq(p_write_file(path, rs, strlen(rs), &e), 0);

  p_arena *a = p_arena_new();
  py_module *m;
  py_syntax_error se;
  ck_assert_int_eq(py_parse_file(a, "main.py", NULL, py, strlen(py), NULL, &m, &se), 0);
  py_module *mods[1] = {m};
  py_program prog = {mods, 1, m, 0};
  tm_func *f;
  int n;
  ck_assert_int_eq(tm_funcs_of_program(&prog, dir, &f, &n, &e), 0);
  ck_assert_int_eq(n, 4);
  ck_assert_str_eq(f[0].name, "Shape.area");
  ck_assert_str_eq(f[1].name, "gcd");
  ck_assert_str_eq(f[2].name, "outer");
  ck_assert_str_eq(f[3].name, "outer.<locals>.inner");
  ck_assert_int_eq(f[1].line, 5);
  ck_assert_int_eq(f[1].end_line, 8);
  ck_assert_str_eq(f[1].python, "def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a");
  ck_assert(f[1].is_static);
  ck_assert_str_eq(f[1].signature, "gcd(a: i64, b: i64) -> i64");
  ck_assert_ptr_nonnull(strstr(f[1].rust, "fn gcd__fast("));
  ck_assert_ptr_nonnull(strstr(f[1].rust, "fn gcd(__g"));
  ck_assert_ptr_null(strstr(f[1].rust, "def outer"));
  ck_assert(!f[0].is_static);
  ck_assert_str_eq(f[0].signature, "area(self)");
  ck_assert_ptr_nonnull(strstr(f[0].rust, "fn Shape_area"));
  ck_assert_ptr_null(strstr(f[0].rust, "gcd"));
  ck_assert_str_eq(f[3].rust, ""); /* no marker: no Rust */
  tm_funcs_free(f, n);
  p_arena_free(a);
  p_rmtree(dir);
}
END_TEST

/* ---------------------------------------------------------------- rank */

typedef struct {
  int64_t dot;
  uint32_t row;
} ref_t;

static int ref_cmp(const void *a, const void *b) {
  const ref_t *x = a, *y = b;
  if (x->dot != y->dot) return x->dot > y->dot ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

/* Checks tm_rank_cpu on rows x nq against sorting every exact integer dot
 * product. */
static void check_rank(size_t rows, int nq, int k, int dup_every) {
  int16_t *m = malloc(rows * TM_DIM * sizeof *m), *q = malloc((size_t)nq * TM_DIM * sizeof *q);
  float *mf = malloc(rows * TM_DIM * sizeof *mf), *qf = malloc((size_t)nq * TM_DIM * sizeof *qf);
  for (size_t r = 0; r < rows; r++) {
    if (dup_every && r % dup_every == 1) memcpy(m + r * TM_DIM, m + (r - 1) * TM_DIM, TM_DIM * sizeof *m);
    else rnd_vec(m + r * TM_DIM);
  }
  for (int i = 0; i < nq; i++) {
    if (i % 3 == 2) memcpy(q + (size_t)i * TM_DIM, m + (size_t)(rnd() % rows) * TM_DIM, TM_DIM * sizeof *q);
    else rnd_vec(q + (size_t)i * TM_DIM);
  }
  for (size_t i = 0; i < rows * TM_DIM; i++) mf[i] = (float)m[i] / TM_QSCALE;
  for (size_t i = 0; i < (size_t)nq * TM_DIM; i++) qf[i] = (float)q[i] / TM_QSCALE;
  uint64_t *keys = malloc((size_t)nq * k * sizeof *keys);
  tm_rank_cpu(mf, rows, qf, nq, k, keys);
  ref_t *ref = malloc(rows * sizeof *ref);
  int ties = 0;
  for (int i = 0; i < nq; i++) {
    for (size_t r = 0; r < rows; r++) {
      int64_t s = 0;
      for (int d = 0; d < TM_DIM; d++) s += (int32_t)q[(size_t)i * TM_DIM + d] * m[r * TM_DIM + d];
      ref[r].dot = s;
      ref[r].row = (uint32_t)r;
    }
    qsort(ref, rows, sizeof *ref, ref_cmp);
    for (int j = 0; j < k && (size_t)j < rows; j++) {
      uint64_t key = keys[(size_t)i * k + j];
      ck_assert_msg(tm_key_row(key) == ref[j].row, "query %d rank %d: row %u, reference %u", i, j, tm_key_row(key),
                    ref[j].row);
      /* The fp32 score is the exact integer dot product / 2^22. */
      ck_assert(tm_key_score(key) == (float)((double)ref[j].dot / (1 << 22)));
      if (j && ref[j].dot == ref[j - 1].dot) ties++;
    }
  }
  if (dup_every) ck_assert_int_gt(ties, 0); /* the tie rule was exercised */
  free(ref);
  free(keys);
  free(m);
  free(q);
  free(mf);
  free(qf);
}

START_TEST(t_rank_reference) {
  check_rank(3000, 17, 10, 0);
  check_rank(2000, 9, 16, 4); /* duplicated rows: ties go to the smaller row */
  check_rank(5, 3, 10, 0);    /* fewer rows than k */
}
END_TEST

START_TEST(t_key_order) {
  ck_assert(tm_key(0.5f, 7) > tm_key(0.25f, 1));
  ck_assert(tm_key(0.5f, 1) > tm_key(0.5f, 7)); /* tie: smaller row first */
  ck_assert(tm_key(-0.1f, 1) < tm_key(0.0f, 9));
  ck_assert_uint_eq(tm_key(-0.0f, 4), tm_key(0.0f, 4)); /* the sign of a zero sum does not rank */
  ck_assert(tm_key(-0.5f, 1) < tm_key(-0.25f, 9));
  ck_assert(tm_key_score(tm_key(-0.375f, 3)) == -0.375f);
  ck_assert_uint_eq(tm_key_row(tm_key(1.0f, 123456)), 123456);
}
END_TEST

/* --------------------------------------------------------------- index */

typedef struct {
  const int16_t *q;
  int nq;
  tm_match out[4 * TM_KMAX];
  int found[4];
  int rc;
} search_arg;

static void *searcher(void *p) {
  search_arg *a = p;
  p_err e = {0};
  a->rc = tm_index_search(0, a->q, a->nq, 10, a->out, a->found, &e);
  return NULL;
}

START_TEST(t_index) {
  p_err e = {0};
  tm_options o = {TM_GPU_OFF, 2000, 64};
  ck_assert_int_eq(tm_index_start(&o, &e), 0);
  ck_assert_str_eq(tm_device_name(), "cpu");
  enum { N = 600 };
  static int16_t emb[N * TM_DIM];
  int64_t ids[N];
  for (int i = 0; i < N; i++) {
    rnd_vec(emb + i * TM_DIM);
    ids[i] = 1000 + 2 * i;
  }
  /* Out of order: the second half first. */
  ck_assert_int_eq(tm_index_add(0, ids + N / 2, emb + N / 2 * TM_DIM, N / 2, &e), 0);
  ck_assert_int_eq(tm_index_add(0, ids, emb, N / 2, &e), 0);
  ck_assert_uint_eq(tm_index_rows(TM_OWNER_ANY), N);
  /* A row is its own best match, score 1 (up to quantisation). */
  tm_match m[TM_KMAX];
  int found;
  ck_assert_int_eq(tm_index_search(0, emb + 77 * TM_DIM, 1, 5, m, &found, &e), 0);
  ck_assert_int_eq(found, 5);
  ck_assert_int_eq(m[0].id, ids[77]);
  ck_assert(fabs(m[0].score - 1) < 0.01);
  for (int j = 1; j < 5; j++) ck_assert(m[j].score <= m[j - 1].score);
  /* Removal. */
  ck_assert_int_eq(tm_index_remove(&ids[77], 1), 0);
  ck_assert_uint_eq(tm_index_rows(TM_OWNER_ANY), N - 1);
  ck_assert_int_eq(tm_index_search(0, emb + 77 * TM_DIM, 1, 5, m, &found, &e), 0);
  ck_assert_int_ne(m[0].id, ids[77]);
  /* Concurrent searches are batched and each gets its own answer. */
  enum { T = 6 };
  pthread_t th[T];
  search_arg args[T];
  for (int t = 0; t < T; t++) {
    args[t].q = emb + (size_t)(100 + 4 * t) * TM_DIM;
    args[t].nq = 4;
    pthread_create(&th[t], NULL, searcher, &args[t]);
  }
  for (int t = 0; t < T; t++) pthread_join(th[t], NULL);
  for (int t = 0; t < T; t++) {
    ck_assert_int_eq(args[t].rc, 0);
    for (int i = 0; i < 4; i++) {
      ck_assert_int_eq(args[t].found[i], 10);
      ck_assert_int_eq(args[t].out[i * 10].id, ids[100 + 4 * t + i]);
    }
  }
  tm_stats st;
  tm_index_stats(&st);
  ck_assert_uint_eq(st.queries[0], 2 + T * 4);
  ck_assert_uint_eq(st.queries[1], 0);
  ck_assert_uint_lt(st.batches[0], 2 + T); /* the window put some together */
  ck_assert_uint_eq(st.lat_count[0], 2 + T * 4);
  /* k out of range. */
  ck_assert_int_eq(tm_index_search(0, emb, 1, TM_KMAX + 1, m, &found, &e), P_EINVAL);
  tm_index_stop();
}
END_TEST

/* The memory is per owner: a search reads one owner's partition, or all
 * of them (TM_OWNER_ANY) merged into the ranking one matrix would give. */
START_TEST(t_index_owners) {
  p_err e = {0};
  tm_options o = {TM_GPU_OFF, 100, 64};
  ck_assert_int_eq(tm_index_start(&o, &e), 0);
  enum { N = 300 };
  static int16_t emb[N * TM_DIM];
  int64_t ids[N];
  for (int i = 0; i < N; i++) {
    rnd_vec(emb + i * TM_DIM);
    ids[i] = 1 + i;
  }
  /* Row i belongs to owner i % 3; rows 10 and 11 are the same vector, for
   * a tie across owners (ties go to the smaller id). */
  memcpy(emb + 11 * TM_DIM, emb + 10 * TM_DIM, TM_DIM * sizeof *emb);
  for (int i = 0; i < N; i++) ck_assert_int_eq(tm_index_add(i % 3, &ids[i], emb + i * TM_DIM, 1, &e), 0);
  ck_assert_uint_eq(tm_index_rows(TM_OWNER_ANY), N);
  ck_assert_uint_eq(tm_index_rows(1), N / 3);
  ck_assert_uint_eq(tm_index_rows(7), 0);
  ck_assert_int_eq(tm_index_add(TM_OWNER_ANY, ids, emb, 1, &e), P_EINVAL);
  /* Reference: every row in one CPU matrix. */
  static float mf[N * TM_DIM];
  for (int i = 0; i < N * TM_DIM; i++) mf[i] = (float)emb[i] / TM_QSCALE;
  for (int qi = 0; qi < 20; qi++) {
    int row = qi == 0 ? 10 : (int)(rnd() % N);
    const int16_t *q = emb + (size_t)row * TM_DIM;
    float qf[TM_DIM];
    for (int d = 0; d < TM_DIM; d++) qf[d] = (float)q[d] / TM_QSCALE;
    uint64_t keys[10];
    tm_rank_cpu(mf, N, qf, 1, 10, keys);
    tm_match m[10];
    int found;
    ck_assert_int_eq(tm_index_search(TM_OWNER_ANY, q, 1, 10, m, &found, &e), 0);
    ck_assert_int_eq(found, 10);
    for (int j = 0; j < 10; j++) {
      ck_assert_int_eq(m[j].id, ids[tm_key_row(keys[j])]);
      ck_assert(m[j].score == tm_key_score(keys[j]));
    }
    if (qi == 0) ck_assert_int_eq(m[0].id, 11); /* 11 (owner 2) == 10 (owner 1): the smaller id first */
    ck_assert_int_eq(m[0].id, qi == 0 ? 11 : ids[row]);
    /* One owner: exactly the ranking of its rows alone. */
    for (int64_t ow = 0; ow < 3; ow++) {
      static float mo[N * TM_DIM];
      int64_t io[N];
      int no = 0;
      for (int i = 0; i < N; i++)
        if (i % 3 == ow) {
          memcpy(mo + (size_t)no * TM_DIM, mf + (size_t)i * TM_DIM, TM_DIM * sizeof *mo);
          io[no++] = ids[i];
        }
      tm_rank_cpu(mo, (size_t)no, qf, 1, 10, keys);
      ck_assert_int_eq(tm_index_search(ow, q, 1, 10, m, &found, &e), 0);
      ck_assert_int_eq(found, 10);
      for (int j = 0; j < 10; j++) {
        ck_assert_int_eq(m[j].id, io[tm_key_row(keys[j])]);
        ck_assert_int_eq((m[j].id - 1) % 3, ow);
      }
    }
  }
  /* Removal finds the row whatever its owner. */
  ck_assert_int_eq(tm_index_remove(&ids[4], 1), 0); /* owner 1 */
  ck_assert_uint_eq(tm_index_rows(1), N / 3 - 1);
  tm_index_stop();
}
END_TEST

START_TEST(t_gpu_require) {
  /* No GPU on the test machines (or no CUDA in the build): require fails
   * cleanly, auto falls back to the CPU. On a GPU machine auto takes it. */
  p_err e = {0};
  tm_options o = {TM_GPU_AUTO, 100, 64};
  ck_assert_int_eq(tm_index_start(&o, &e), 0);
  bool gpu = tm_device_is_gpu();
  tm_index_stop();
  if (!gpu) {
    o.gpu = TM_GPU_REQUIRE;
    ck_assert_int_eq(tm_index_start(&o, &e), P_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(e.msg, "--gpu=require"));
  }
}
END_TEST

/* --------------------------------------------------------------- store */

static char dbdir[64];
static store *S;

static void st_setup(void) {
  snprintf(dbdir, sizeof dbdir, "/tmp/portalis-tmst-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dbdir));
  char path[128];
  snprintf(path, sizeof path, "%s/t.db", dbdir);
  p_err e = {0};
  store_release();
  store_migration migs[SRV_MAX_MIGRATIONS];
  size_t nmigs = srv_migrations(migs, SRV_MAX_MIGRATIONS);
  ck_assert_msg(store_init(path, migs, nmigs, &e) == 0, "%s", e.msg);
  S = store_get(&e);
  ck_assert_ptr_nonnull(S);
}

static void st_teardown(void) {
  store_release();
  p_rmtree(dbdir);
}

/* A job of owner that ran and staged the functions of src; finished as `state`. */
static void job_of(int64_t owner, const char *src, const char *state, char id[33]) {
  store_upload_file f = {"main.py", src, strlen(src)};
  p_err e = {0};
  ck_assert_int_eq(store_job_create(S, owner, "main.py", "{}", &f, 1, f.len, id, &e), 0);
  char claimed[33];
  int att;
  ck_assert_int_eq(store_job_claim(S, claimed, &att, &e), 0);
  ck_assert_str_eq(claimed, id);
  int n;
  tm_func *fs = funcs(src, &n);
  store_tm_row *rows = calloc((size_t)n, sizeof *rows);
  for (int i = 0; i < n; i++)
    rows[i] = (store_tm_row){fs[i].file, fs[i].name, fs[i].line, fs[i].end_line, fs[i].hash,
                             fs[i].python, fs[i].rust, fs[i].signature, fs[i].is_static, fs[i].emb};
  ck_assert_int_eq(store_tm_put(S, id, rows, n, &e), 0);
  /* Staged rows are invisible. */
  cJSON *js;
  int16_t *emb;
  ck_assert_int_eq(store_tm_job(S, id, owner, &js, &emb, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(js), 0);
  cJSON_Delete(js);
  free(emb);
  ck_assert_int_eq(store_job_finish(S, id, state, NULL, NULL, &e), 0);
  free(rows);
  tm_funcs_free(fs, n);
}

static void job_with(const char *src, const char *state, char id[33]) { job_of(0, src, state, id); }

static int count_rows(void *ctx, int64_t owner, const int64_t *ids, const int16_t *emb, size_t n) {
  (void)owner;
  (void)ids;
  (void)emb;
  *(size_t *)ctx += n;
  return 0;
}

START_TEST(t_store_rows) {
  char a[33], b[33], c[33];
  p_err e = {0};
  job_with(SRC_A, "succeeded", a);
  job_with(SRC_B, "succeeded", b);
  job_with("def h(x):\n    return x\n", "failed", c);
  /* Visible after success, with the embedding round-tripped. */
  cJSON *js;
  int16_t *emb;
  ck_assert_int_eq(store_tm_job(S, a, 0, &js, &emb, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(js), 1);
  cJSON *f0 = cJSON_GetArrayItem(js, 0);
  ck_assert_str_eq(cJSON_GetObjectItem(f0, "name")->valuestring, "gcd");
  ck_assert_str_eq(cJSON_GetObjectItem(f0, "translation")->valuestring, "dynamic");
  ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(f0, "python")->valuestring, "a % b"));
  char h[65];
  int16_t want[TM_DIM];
  one(SRC_A, h, want);
  ck_assert_mem_eq(emb, want, sizeof want);
  ck_assert_str_eq(cJSON_GetObjectItem(f0, "ast_hash")->valuestring, h);
  int64_t id_a = (int64_t)cJSON_GetObjectItem(f0, "id")->valuedouble;
  free(emb);
  cJSON_Delete(js);
  /* Identical by hash: b's function, not a's own row. */
  cJSON *same;
  ck_assert_int_eq(store_tm_by_hash(S, h, id_a, STORE_OWNER_ANY, 10, &same, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(same), 1);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(same, 0), "job_id")->valuestring, b);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(same, 0), "name")->valuestring, "greatest");
  cJSON_Delete(same);
  /* A failed job keeps nothing; the scan sees a and b only. */
  size_t n = 0;
  ck_assert_int_eq(store_tm_scan(S, NULL, count_rows, &n, &e), 0);
  ck_assert_uint_eq(n, 2);
  int64_t *ids;
  size_t nids;
  ck_assert_int_eq(store_tm_ids(S, c, &ids, &nids, &e), 0);
  ck_assert_uint_eq(nids, 0);
  free(ids);
  /* Deleted with the job. */
  ck_assert_int_eq(store_tm_ids(S, a, &ids, &nids, &e), 0);
  ck_assert_uint_eq(nids, 1);
  ck_assert_int_eq(store_job_delete(S, a, 0, &e), 0);
  cJSON *gone;
  ck_assert_int_eq(store_tm_get(S, ids, 1, STORE_OWNER_ANY, &gone, &e), 0);
  ck_assert(cJSON_IsNull(cJSON_GetArrayItem(gone, 0)));
  cJSON_Delete(gone);
  free(ids);
  n = 0;
  ck_assert_int_eq(store_tm_scan(S, NULL, count_rows, &n, &e), 0);
  ck_assert_uint_eq(n, 1);
  /* Another owner's job is not found. */
  ck_assert_int_eq(store_tm_job(S, b, 42, &js, &emb, &e), P_ENOTFOUND);
}
END_TEST

/* tm_search end to end: the store as the record source. */
START_TEST(t_search_source) {
  char a[33], b[33];
  p_err e = {0};
  job_with(SRC_A, "succeeded", a);
  job_with(SRC_D, "succeeded", b);
  tm_options o = {TM_GPU_OFF, 100, 64};
  ck_assert_int_eq(tm_index_start(&o, &e), 0);
  ck_assert_int_eq(srv_tm_start(&e), 0); /* loads the store, registers the source */
  ck_assert_uint_eq(tm_index_rows(TM_OWNER_ANY), 2);
  tm_hit *hits;
  int n;
  ck_assert_int_eq(tm_search(0, SRC_B, strlen(SRC_B), 2, &hits, &n, &e), 0);
  ck_assert_int_eq(n, 2);
  ck_assert_str_eq(hits[0].job_id, a);
  ck_assert(hits[0].identical);
  ck_assert_str_eq(hits[0].name, "gcd");
  ck_assert_ptr_nonnull(strstr(hits[0].python, "def gcd"));
  ck_assert(!hits[1].identical);
  ck_assert(hits[0].score > hits[1].score);
  tm_hits_free(hits, n);
  /* A job deleted behind the index's back (a retention sweep, another
   * process): its rows drop out of answers and out of the index. */
  ck_assert_int_eq(store_job_delete(S, a, 0, &e), 0);
  ck_assert_int_eq(tm_search(0, SRC_B, strlen(SRC_B), 2, &hits, &n, &e), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_str_eq(hits[0].job_id, b);
  ck_assert_uint_eq(tm_index_rows(TM_OWNER_ANY), 1);
  tm_hits_free(hits, n);
  tm_index_stop();
}
END_TEST

/* One owner's code is never shown to another: the index, the record
 * source and the store's queries all keep to the owner. */
START_TEST(t_search_owners) {
  char a[33], b[33], c[33];
  p_err e = {0};
  char secret[72];
  int64_t t7, t9; /* two owners (tokens) */
  ck_assert_int_eq(store_token_create(S, "seven", false, secret, &t7, &e), 0);
  ck_assert_int_eq(store_token_create(S, "nine", false, secret, &t9, &e), 0);
  job_of(t7, SRC_A, "succeeded", a);
  job_of(0, SRC_D, "succeeded", b);
  job_of(t9, SRC_B, "succeeded", c); /* the same normalised AST as SRC_A */
  tm_options o = {TM_GPU_OFF, 100, 64};
  ck_assert_int_eq(tm_index_start(&o, &e), 0);
  ck_assert_int_eq(srv_tm_start(&e), 0);
  ck_assert_uint_eq(tm_index_rows(TM_OWNER_ANY), 3);
  ck_assert_uint_eq(tm_index_rows(t7), 1);
  ck_assert_uint_eq(tm_index_rows(0), 1);
  tm_hit *hits;
  int n;
  ck_assert_int_eq(tm_search(0, SRC_B, strlen(SRC_B), 5, &hits, &n, &e), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_str_eq(hits[0].job_id, b);
  tm_hits_free(hits, n);
  ck_assert_int_eq(tm_search(t7, SRC_B, strlen(SRC_B), 5, &hits, &n, &e), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_str_eq(hits[0].job_id, a);
  ck_assert(hits[0].identical);
  tm_hits_free(hits, n);
  ck_assert_int_eq(tm_search(t9 + 100, SRC_B, strlen(SRC_B), 5, &hits, &n, &e), 0);
  ck_assert_int_eq(n, 0);
  tm_hits_free(hits, n);
  ck_assert_int_eq(tm_search(TM_OWNER_ANY, SRC_B, strlen(SRC_B), 5, &hits, &n, &e), 0);
  ck_assert_int_eq(n, 3);
  tm_hits_free(hits, n);
  /* Identical by hash: the second owner sees nothing of the first's gcd. */
  char h[65];
  int16_t v[TM_DIM];
  one(SRC_B, h, v);
  cJSON *same;
  ck_assert_int_eq(store_tm_by_hash(S, h, 0, t9, 10, &same, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(same), 1);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(same, 0), "job_id")->valuestring, c);
  cJSON_Delete(same);
  ck_assert_int_eq(store_tm_by_hash(S, h, 0, 0, 10, &same, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(same), 0);
  cJSON_Delete(same);
  ck_assert_int_eq(store_tm_by_hash(S, h, 0, STORE_OWNER_ANY, 10, &same, &e), 0);
  ck_assert_int_eq(cJSON_GetArraySize(same), 2);
  cJSON_Delete(same);
  /* By id: another owner's row reads as absent. */
  int64_t *ids;
  size_t nids;
  ck_assert_int_eq(store_tm_ids(S, a, &ids, &nids, &e), 0);
  ck_assert_uint_eq(nids, 1);
  cJSON *got;
  ck_assert_int_eq(store_tm_get(S, ids, 1, t9, &got, &e), 0);
  ck_assert(cJSON_IsNull(cJSON_GetArrayItem(got, 0)));
  cJSON_Delete(got);
  ck_assert_int_eq(store_tm_get(S, ids, 1, t7, &got, &e), 0);
  ck_assert(cJSON_IsObject(cJSON_GetArrayItem(got, 0)));
  cJSON_Delete(got);
  free(ids);
  /* The pipeline's job carries its owner (the assist's examples are its). */
  pl_job *job = pl_job_new(NULL, a);
  ck_assert_int_eq(store_job_load(S, a, job, &e), 0);
  ck_assert_int_eq(job->owner, t7);
  pl_job_free(job);
  tm_index_stop();
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("tm");
  TCase *t = tcase_create("embed");
  tcase_add_test(t, t_hash_alpha);
  tcase_add_test(t, t_embed_determinism);
  tcase_add_test(t, t_pasted_body);
  tcase_add_test(t, t_extract_rust);
  suite_add_tcase(s, t);
  t = tcase_create("rank");
  tcase_set_timeout(t, 120);
  tcase_add_test(t, t_rank_reference);
  tcase_add_test(t, t_key_order);
  tcase_add_test(t, t_index);
  tcase_add_test(t, t_index_owners);
  tcase_add_test(t, t_gpu_require);
  suite_add_tcase(s, t);
  t = tcase_create("store");
  tcase_add_checked_fixture(t, st_setup, st_teardown);
  tcase_add_test(t, t_store_rows);
  tcase_add_test(t, t_search_source);
  tcase_add_test(t, t_search_owners);
  suite_add_tcase(s, t);
  return s;
}

int main(void) {
  SRunner *r = srunner_create(suite());
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? 1 : 0;
}
