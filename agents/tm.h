/*
 * tm.h - the translation memory: every function Portalis has translated and
 * verified, kept so that a new upload can be told "this function was
 * verified before" and "these verified functions look like it", and so that
 * the LLM assistance can take its examples from it.
 *
 * Three parts, one file each:
 *
 *   tm_embed.c  what a function *is* for the memory: its normalised AST
 *               (identifiers bound in the function alpha-renamed to $0, $1..
 *               in order of first appearance, docstrings dropped), the
 *               sha256 of that text (identical functions share it), and a
 *               deterministic embedding: feature-hashed 1-, 2- and 3-grams
 *               of the normalised AST's pre-order token stream plus the
 *               sub-tokens of its identifiers, 256 dimensions, L2-normalised,
 *               then quantised to multiples of 2^-11 (TM_QSCALE). Also the
 *               extraction of a job's functions (Python text, generated
 *               Rust between the crate's `// file.py:N def name` markers,
 *               static or dynamic, signature).
 *   tm_index.c  the resident matrix of every stored embedding and the top-k
 *               search over it: on the GPU (cuda/, fp16) when one is there,
 *               else on the CPU (fp32, vectorisable loops), with the same
 *               ranking either way; a dispatcher thread batches queries that
 *               arrive within a short window into one device call.
 *   (server)    the rows themselves live in SQLite (sql/003_translation_memory.sql);
 *               the server registers a tm_source so that searches can return
 *               the Python and Rust of each hit.
 *
 * Why CPU and GPU rank identically. Every stored component is an integer
 * c in [-2048, 2048] standing for c / 2048. fp16 holds every such value
 * exactly (11 significant bits), so does fp32. The product of two components
 * is an integer multiple of 2^-22 of magnitude <= 1, exact in fp32; every
 * partial sum of a dot product is bounded by sum |q_i||r_i| <= |q||r|
 * <= (1 + 2^-8)^2 < 2 (Cauchy-Schwarz; quantisation moves each norm by at
 * most sqrt(256) * 2^-12), so it is an integer multiple of 2^-22 below 2^23
 * of them: exact in fp32's 24-bit significand. Hence the fp32 dot product is
 * exact in any summation order, with or without FMA, on tensor cores or CUDA
 * cores or SIMD lanes, and equals the integer dot product / 2^22. Ranking
 * is by (score descending, id ascending): a total order on exact values, so
 * both paths return the same list.
 *
 * Threads: tm_index_* functions are thread-safe (one lock; searches go
 * through the dispatcher). The embedding functions are pure.
 */
#ifndef PORTALIS_TM_H
#define PORTALIS_TM_H

#include "../common/util.h"
#include "ast.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TM_DIM 256        /* embedding dimension */
#define TM_QSCALE 2048    /* component value = stored integer / TM_QSCALE */
#define TM_KMAX 16        /* most neighbours one search returns */
#define TM_EMB_BYTES (TM_DIM * 2) /* the stored blob: TM_DIM little-endian int16 */

/* ------------------------------------------------------------ tm_embed.c */

/* Appends the normalised text of a function (or, with fn a PY_MODULE, of
 * the module's statements) to out. Deterministic. Returns 0 or out's error. */
int tm_normalise(const py_node *fn, p_buf *out);
/* sha256 hex of the normalised text. */
void tm_hash(const py_node *fn, char hex[65]);
/* The quantised embedding of a function (or module body). */
void tm_embed(const py_node *fn, int16_t emb[TM_DIM]);
/* Score of two quantised embeddings: exact dot product / 2^22. */
double tm_score(const int16_t a[TM_DIM], const int16_t b[TM_DIM]);

/* One function of a program, as the memory stores it. Strings malloc'd. */
typedef struct tm_func {
  char *file;            /* upload path "main.py" */
  char *name;            /* qualified name "Shape.area" */
  int line, end_line;
  char *python;          /* the def's source lines */
  char *rust;            /* generated Rust of it (unboxed twin + fn); "" if not found */
  bool is_static;        /* an unboxed twin was generated */
  char *signature;       /* "gcd(a: i64, b: i64) -> i64" or "classify(n)" */
  char hash[65];
  int16_t emb[TM_DIM];
} tm_func;

/* Every def of a parsed program (functions, methods, nested defs), in
 * module and source order. crate_dir (may be NULL) is the generated crate:
 * its src/ *.rs files give each function's Rust. *out malloc'd (tm_funcs_free). */
int tm_funcs_of_program(const void *py_program, const char *crate_dir, tm_func **out, int *n, p_err *e);
/* Same for one Python source (parsed here; no Rust). A source without a
 * def is one function: its statements (a pasted body). P_ESYNTAX if it
 * does not parse (e->msg says where). */
int tm_funcs_of_source(const char *src, size_t len, tm_func **out, int *n, p_err *e);
void tm_funcs_free(tm_func *f, int n);
/* The translation memory's hooks for the pipeline (pipeline.h, pl_tm_ops):
 * a translated job's functions as records, from the isolated translation
 * child to Package in the parent. A program that keeps a memory sets
 * pl_config.tm to it. */
extern const struct pl_tm_ops tm_pipeline_ops;

/* ------------------------------------------------------------ tm_index.c */

typedef enum { TM_GPU_AUTO = 0, TM_GPU_OFF, TM_GPU_REQUIRE } tm_gpu_mode;

typedef struct tm_options {
  tm_gpu_mode gpu;
  int window_us;         /* how long the dispatcher waits for more queries (default 200) */
  int max_batch;         /* queries per device call (default 64) */
} tm_options;

/* Starts the index (empty) and its dispatcher thread. GPU_REQUIRE fails
 * with P_EUNSUPPORTED when no usable device is found; AUTO falls back to
 * the CPU silently (tm_device_name says which). */
int tm_index_start(const tm_options *opt, p_err *e);
void tm_index_stop(void);
/* The memory is per owner (tm_index.c says why): rows belong to an owner
 * (>= 0: the server's token id, 0 without a token) and a search reads one
 * owner's rows, or every owner's with TM_OWNER_ANY (the server's
 * STORE_OWNER_ANY: a read-only token reads every job). */
#define TM_OWNER_ANY ((int64_t)-1)

/* Adds rows of one owner (ids need not arrive in order; each owner's
 * matrix is kept sorted by id; ids are unique across owners). Copies emb
 * (n * TM_DIM). */
int tm_index_add(int64_t owner, const int64_t *ids, const int16_t *emb, size_t n, p_err *e);
/* Removes rows by id, whoever owns them (absent ids are ignored). */
int tm_index_remove(const int64_t *ids, size_t n);
/* Rows of owner, or of all owners with TM_OWNER_ANY. */
size_t tm_index_rows(int64_t owner);

/* One neighbour. */
typedef struct tm_match {
  int64_t id;
  float score;
} tm_match;

/* Top-k (k <= TM_KMAX) of nq queries (nq * TM_DIM quantised components)
 * over owner's rows (all rows with TM_OWNER_ANY), by score descending then
 * id ascending. out has nq * k slots; row i's matches fill out[i*k ..],
 * nfound[i] of them (fewer when there are fewer rows). Goes through the
 * dispatcher, which batches with other callers' queries. */
int tm_index_search(int64_t owner, const int16_t *queries, int nq, int k, tm_match *out, int *nfound, p_err *e);

/* Which device serves searches: "cuda:0 NVIDIA H100 ..." or "cpu". Static. */
const char *tm_device_name(void);
bool tm_device_is_gpu(void);
/* Counters for /readyz and /metrics, per device (0 = cpu, 1 = gpu). */
typedef struct tm_stats {
  uint64_t queries[2], batches[2];
  double seconds[2];      /* summed device-call wall time */
  uint64_t lat_bucket[2][12]; /* per query end-to-end latency, buckets tm_lat_buckets */
  uint64_t lat_count[2];
  double lat_sum[2];
} tm_stats;
extern const double tm_lat_buckets[12]; /* seconds */
void tm_index_stats(tm_stats *out);

/* The ranking itself, without dispatcher or lock (tests, bench, check-gpu):
 * the CPU path over an fp32 row-major matrix (rows x TM_DIM, ids ascending
 * by row), and the total order it uses. */
void tm_rank_cpu(const float *matrix, size_t rows, const float *queries, int nq, int k, uint64_t *keys_out);
/* (score, row) as one key: larger is better; ties of score go to the
 * smaller row. Decoded with tm_key_row / tm_key_score. */
static inline uint64_t tm_key(float score, uint32_t row) {
  union { float f; uint32_t u; } c = {score + 0.0f}; /* -0 -> +0: a zero sum's sign depends on order */
  uint32_t o = (c.u & 0x80000000u) ? ~c.u : (c.u | 0x80000000u);
  return ((uint64_t)o << 32) | (uint64_t)(0xFFFFFFFFu - row);
}
static inline uint32_t tm_key_row(uint64_t key) { return 0xFFFFFFFFu - (uint32_t)key; }
static inline float tm_key_score(uint64_t key) {
  uint32_t o = (uint32_t)(key >> 32);
  union { float f; uint32_t u; } c;
  c.u = (o & 0x80000000u) ? (o & 0x7FFFFFFFu) : ~o;
  return c.f;
}

/* ------------------------------------------------------ the record source */

/* A stored function as a search returns it. Strings malloc'd. */
typedef struct tm_hit {
  int64_t id;
  float score;
  bool identical;        /* same normalised-AST hash as the query */
  char job_id[40];
  char *file, *name;
  int line;
  char *python, *rust;
  bool is_static;
  char *signature;
  char hash[65];
} tm_hit;

/* Fills hits[i] (id already set) from storage; a row that vanished meanwhile,
 * or that owner may not read, gets python == NULL. Registered by the server
 * (its SQLite store). */
typedef int (*tm_fetch_fn)(void *ctx, int64_t owner, tm_hit *hits, int n, p_err *e);
void tm_set_source(tm_fetch_fn fetch, void *ctx);

/* The search for the rest of Portalis (the LLM assistance's examples):
 * the k verified functions of owner (the job's owner: pl_job.owner) most
 * similar to the first def of python_src
 * (or to its statements when it has no def), best first, with their Python
 * and Rust. *hits malloc'd (tm_hits_free). P_ESYNTAX if the source does not
 * parse; an empty memory, or none started (the CLI), gives n = 0. Any
 * thread; the caller's thread opens its own store connection. */
int tm_search(int64_t owner, const char *python_src, size_t len, int k, tm_hit **hits, int *n, p_err *e);
void tm_hits_free(tm_hit *hits, int n);

#endif
