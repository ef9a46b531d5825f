/*
 * tm_kernel.cu - the translation memory's top-k search on an NVIDIA GPU.
 *
 * The work: Q queries (Q <= 64 per launch) against N stored rows, 256 fp16
 * components each, return each query's 16 best rows by (score desc, row
 * asc). At a million rows the matrix is 512 MB and the products are 33
 * GFLOP for 64 queries: reading the matrix once is the floor, so the
 * kernel reads it exactly once and never writes a score to device memory.
 *
 *   tm__topk<MT>   a persistent grid; each block takes tiles of 128 rows.
 *                  Each of its 8 warps multiplies its 16 rows by all the
 *                  queries on the tensor cores (wmma 16x16x16, fp16 in,
 *                  fp32 accumulate; the queries are MT 16-row tiles), and
 *                  puts the 16 x (16*MT) scores in shared memory. Then every
 *                  thread owns one query and a stride of the tile's rows and
 *                  keeps a running top-16 in registers (a constant-index
 *                  insertion network, taken only when a key beats the
 *                  16th). At the end each thread writes its 16 keys: the
 *                  per-block partial top-k.
 *   tm__merge      one block per query merges all the partial lists on the
 *                  device (register top-16 per thread over a stride of the
 *                  lists, then 16 rounds of a block-wide max), so only
 *                  16 keys per query come back to the host.
 *
 * Keys are tm.h's tm_key: order-preserving score bits above, the complement
 * of the row below; larger is better, no two rows tie. Scores are exact
 * (every component is a multiple of 2^-11 and |partial sums| < 2, see tm.h)
 * so the tensor cores' summation order cannot change them, and the CPU
 * path (tm_rank_cpu) returns the same keys.
 *
 * The matrix grows by appending (gpu_tm_write): capacity doubles, old rows
 * are copied on the device, new rows arrive as int16 and are converted to
 * fp16 on the device (exactly). Capacity is a multiple of the tile, so the
 * last tile reads allocated memory; rows past the count are masked.
 */
#include "gpu.h"

#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <mma.h>
#include <stdio.h>
#include <string.h>

using namespace nvcuda;

#define TM_DIM 256
#define KMAX 16
#define WARPS 8
#define THREADS (WARPS * 32)
#define TILE (WARPS * 16)   /* rows per block iteration */
#define QMAX 64
#define LDS (TILE + 4)      /* scores row stride in floats: multiple of 4, breaks bank alignment */

struct gpu_tm {
  half *m;                  /* cap x TM_DIM */
  size_t rows, cap;
  int16_t *stage;           /* int16 staging for writes and queries */
  size_t stage_rows;
  half *q;                  /* QMAX x TM_DIM, zero-padded */
  unsigned long long *partial;
  size_t partial_cap;       /* keys */
  unsigned long long *out;  /* QMAX x KMAX */
  int sms;
  int grid[3];              /* resident blocks for MT = 1, 2, 4 */
  cudaStream_t s;
};

#define CK(x)                                                                          \
  do {                                                                                 \
    cudaError_t ck__ = (x);                                                            \
    if (ck__ != cudaSuccess) {                                                         \
      if (err) snprintf(err, errsz, "%s: %s", #x, cudaGetErrorString(ck__));           \
      return -1;                                                                       \
    }                                                                                  \
  } while (0)

__device__ __forceinline__ unsigned long long tm__key(float s, unsigned row) {
  unsigned u = __float_as_uint(__fadd_rn(s, 0.0f)); /* -0 -> +0, as tm_key */
  unsigned o = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return ((unsigned long long)o << 32) | (unsigned long long)(0xFFFFFFFFu - row);
}

/* Keeps kk[] descending: the new key sinks to its place, the smallest falls off. */
__device__ __forceinline__ void tm__insert(unsigned long long (&kk)[KMAX], unsigned long long x) {
#pragma unroll
  for (int i = 0; i < KMAX; i++) {
    unsigned long long hi = kk[i] > x ? kk[i] : x;
    x = kk[i] > x ? x : kk[i];
    kk[i] = hi;
  }
}

template <int MT>
__global__ void __launch_bounds__(THREADS) tm__topk(const half *__restrict__ m, unsigned rows,
                                                    const half *__restrict__ q, int nq,
                                                    unsigned long long *__restrict__ partial) {
  constexpr int NQ = MT * 16;
  constexpr int TPQ = THREADS / NQ;     /* threads per query: 16, 8 or 4 */
  __shared__ __align__(32) float sc[NQ * LDS];
  const int warp = threadIdx.x >> 5;
  const int qs = threadIdx.x / TPQ;     /* this thread's query */
  const int lane = threadIdx.x % TPQ;
  unsigned long long kk[KMAX];
#pragma unroll
  for (int i = 0; i < KMAX; i++) kk[i] = 0;

  const unsigned ntiles = (rows + TILE - 1) / TILE;
  for (unsigned t = blockIdx.x; t < ntiles; t += gridDim.x) {
    const size_t r0 = (size_t)t * TILE + (size_t)warp * 16;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[MT];
#pragma unroll
    for (int mt = 0; mt < MT; mt++) wmma::fill_fragment(acc[mt], 0.0f);
#pragma unroll 4
    for (int k0 = 0; k0 < TM_DIM; k0 += 16) {
      wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::col_major> b;
      wmma::load_matrix_sync(b, m + r0 * TM_DIM + k0, TM_DIM);
#pragma unroll
      for (int mt = 0; mt < MT; mt++) {
        wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> a;
        wmma::load_matrix_sync(a, q + (size_t)mt * 16 * TM_DIM + k0, TM_DIM);
        wmma::mma_sync(acc[mt], a, b, acc[mt]);
      }
    }
#pragma unroll
    for (int mt = 0; mt < MT; mt++)
      wmma::store_matrix_sync(sc + mt * 16 * LDS + warp * 16, acc[mt], LDS, wmma::mem_row_major);
    __syncthreads();
    if (qs < nq) {
      const unsigned base = t * TILE;
#pragma unroll 4
      for (int r = lane; r < TILE; r += TPQ) {
        unsigned row = base + (unsigned)r;
        if (row >= rows) break;
        unsigned long long key = tm__key(sc[qs * LDS + r], row);
        if (key > kk[KMAX - 1]) tm__insert(kk, key);
      }
    }
    __syncthreads();
  }
  if (qs < nq) {
    unsigned long long *dst = partial + (((size_t)blockIdx.x * NQ + qs) * TPQ + lane) * KMAX;
#pragma unroll
    for (int i = 0; i < KMAX; i++) dst[i] = kk[i];
  }
}

/* One block per query: lists = blocks * tpq sorted lists of KMAX keys. */
__global__ void __launch_bounds__(THREADS) tm__merge(const unsigned long long *__restrict__ partial, int nblocks,
                                                     int nq_slots, int tpq, unsigned long long *__restrict__ out) {
  __shared__ unsigned long long cand[THREADS * KMAX];
  __shared__ unsigned long long wmax[WARPS];
  const int qi = blockIdx.x;
  unsigned long long kk[KMAX];
#pragma unroll
  for (int i = 0; i < KMAX; i++) kk[i] = 0;
  const int nlists = nblocks * tpq;
  for (int l = threadIdx.x; l < nlists; l += THREADS) {
    int b = l / tpq, lane = l % tpq;
    const unsigned long long *src = partial + (((size_t)b * nq_slots + qi) * tpq + lane) * KMAX;
    for (int i = 0; i < KMAX; i++) {
      unsigned long long x = src[i];
      if (x <= kk[KMAX - 1]) break; /* the list is sorted: nothing better follows */
      tm__insert(kk, x);
    }
  }
#pragma unroll
  for (int i = 0; i < KMAX; i++) cand[threadIdx.x * KMAX + i] = kk[i];
  __syncthreads();
  int ptr = 0;
  for (int round = 0; round < KMAX; round++) {
    unsigned long long head = ptr < KMAX ? cand[threadIdx.x * KMAX + ptr] : 0ULL;
    unsigned long long v = head;
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) {
      unsigned long long o = __shfl_xor_sync(0xFFFFFFFFu, v, off);
      v = o > v ? o : v;
    }
    if ((threadIdx.x & 31) == 0) wmax[threadIdx.x >> 5] = v;
    __syncthreads();
    unsigned long long best = 0;
#pragma unroll
    for (int w = 0; w < WARPS; w++) best = wmax[w] > best ? wmax[w] : best;
    if (threadIdx.x == 0) out[(size_t)qi * KMAX + round] = best;
    if (best != 0 && head == best) ptr++; /* keys are unique: one thread advances */
    __syncthreads();
  }
}

__global__ void tm__to_half(const int16_t *__restrict__ src, half *__restrict__ dst, size_t n) {
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  size_t stride = (size_t)gridDim.x * blockDim.x;
  for (; i < n; i += stride) dst[i] = __float2half_rn((float)src[i] * (1.0f / 2048.0f));
}

/* ------------------------------------------------------------ host side */

extern "C" int gpu_probe(char *name, size_t namesz) {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n <= 0) {
    cudaGetLastError(); /* clear the sticky "no driver" error */
    if (name && namesz) name[0] = 0;
    return 0;
  }
  cudaDeviceProp p;
  if (cudaGetDeviceProperties(&p, 0) != cudaSuccess || p.major < 7) {
    if (name && namesz) snprintf(name, namesz, "unsupported device (compute capability < 7.0)");
    return 0;
  }
  if (name && namesz) snprintf(name, namesz, "%s (sm_%d%d, %d SMs)", p.name, p.major, p.minor, p.multiProcessorCount);
  return n;
}

static size_t gpu__round(size_t n) { return (n + TILE - 1) / TILE * TILE; }

extern "C" gpu_tm *gpu_tm_new(size_t cap, char *err, size_t errsz) {
  gpu_tm *g = (gpu_tm *)calloc(1, sizeof *g);
  if (!g) {
    snprintf(err, errsz, "out of memory");
    return NULL;
  }
  auto fail = [&](cudaError_t c, const char *what) {
    snprintf(err, errsz, "%s: %s", what, cudaGetErrorString(c));
    gpu_tm_free(g);
    return (gpu_tm *)NULL;
  };
  cudaError_t c;
  if ((c = cudaSetDevice(0)) != cudaSuccess) return fail(c, "cudaSetDevice");
  if ((c = cudaStreamCreateWithFlags(&g->s, cudaStreamNonBlocking)) != cudaSuccess) return fail(c, "cudaStreamCreate");
  cudaDeviceProp p;
  if ((c = cudaGetDeviceProperties(&p, 0)) != cudaSuccess) return fail(c, "cudaGetDeviceProperties");
  g->sms = p.multiProcessorCount;
  int per[3] = {0, 0, 0};
  cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per[0], tm__topk<1>, THREADS, 0);
  cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per[1], tm__topk<2>, THREADS, 0);
  cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per[2], tm__topk<4>, THREADS, 0);
  for (int i = 0; i < 3; i++) g->grid[i] = g->sms * (per[i] > 0 ? per[i] : 1);
  g->cap = gpu__round(cap ? cap : TILE);
  if ((c = cudaMalloc(&g->m, g->cap * TM_DIM * sizeof(half))) != cudaSuccess) return fail(c, "cudaMalloc matrix");
  if ((c = cudaMemset(g->m, 0, g->cap * TM_DIM * sizeof(half))) != cudaSuccess) return fail(c, "cudaMemset");
  if ((c = cudaMalloc(&g->q, QMAX * TM_DIM * sizeof(half))) != cudaSuccess) return fail(c, "cudaMalloc queries");
  if ((c = cudaMalloc(&g->out, QMAX * KMAX * sizeof(unsigned long long))) != cudaSuccess) return fail(c, "cudaMalloc out");
  g->partial_cap = (size_t)g->grid[0] * THREADS * KMAX;
  for (int i = 1; i < 3; i++)
    if ((size_t)g->grid[i] * THREADS * KMAX > g->partial_cap) g->partial_cap = (size_t)g->grid[i] * THREADS * KMAX;
  if ((c = cudaMalloc(&g->partial, g->partial_cap * sizeof(unsigned long long))) != cudaSuccess)
    return fail(c, "cudaMalloc partial");
  g->stage_rows = 1 << 16;
  if ((c = cudaMalloc(&g->stage, g->stage_rows * TM_DIM * sizeof(int16_t))) != cudaSuccess)
    return fail(c, "cudaMalloc stage");
  return g;
}

extern "C" void gpu_tm_free(gpu_tm *g) {
  if (!g) return;
  cudaFree(g->m);
  cudaFree(g->q);
  cudaFree(g->out);
  cudaFree(g->partial);
  cudaFree(g->stage);
  if (g->s) cudaStreamDestroy(g->s);
  free(g);
}

extern "C" int gpu_tm_truncate(gpu_tm *g, size_t rows) {
  if (rows < g->rows) g->rows = rows;
  return 0;
}

static int gpu__grow(gpu_tm *g, size_t need, char *err, size_t errsz) {
  if (need <= g->cap) return 0;
  size_t cap = g->cap;
  while (cap < need) cap *= 2;
  cap = gpu__round(cap);
  half *nm;
  CK(cudaMalloc(&nm, cap * TM_DIM * sizeof(half)));
  cudaError_t c = cudaMemsetAsync(nm, 0, cap * TM_DIM * sizeof(half), g->s);
  if (c == cudaSuccess && g->rows)
    c = cudaMemcpyAsync(nm, g->m, g->rows * TM_DIM * sizeof(half), cudaMemcpyDeviceToDevice, g->s);
  if (c == cudaSuccess) c = cudaStreamSynchronize(g->s);
  if (c != cudaSuccess) {
    cudaFree(nm);
    snprintf(err, errsz, "growing the matrix: %s", cudaGetErrorString(c));
    return -1;
  }
  cudaFree(g->m);
  g->m = nm;
  g->cap = cap;
  return 0;
}

extern "C" int gpu_tm_write(gpu_tm *g, size_t at, const int16_t *rows, size_t n, char *err, size_t errsz) {
  if (at > g->rows) {
    snprintf(err, errsz, "write at %zu past %zu rows", at, g->rows);
    return -1;
  }
  if (gpu__grow(g, at + n, err, errsz)) return -1;
  for (size_t done = 0; done < n;) {
    size_t c = n - done < g->stage_rows ? n - done : g->stage_rows;
    CK(cudaMemcpyAsync(g->stage, rows + done * TM_DIM, c * TM_DIM * sizeof(int16_t), cudaMemcpyHostToDevice, g->s));
    size_t elems = c * TM_DIM;
    int blocks = (int)((elems + 255) / 256 < 4096 ? (elems + 255) / 256 : 4096);
    tm__to_half<<<blocks, 256, 0, g->s>>>(g->stage, g->m + (at + done) * TM_DIM, elems);
    CK(cudaGetLastError());
    CK(cudaStreamSynchronize(g->s)); /* the staging buffer is reused */
    done += c;
  }
  g->rows = at + n;
  return 0;
}

extern "C" int gpu_tm_search(gpu_tm *g, const int16_t *queries, int nq, int k, uint64_t *keys, char *err,
                             size_t errsz) {
  if (k < 1 || k > KMAX) {
    snprintf(err, errsz, "k=%d out of 1..%d", k, KMAX);
    return -1;
  }
  memset(keys, 0, (size_t)nq * k * sizeof *keys);
  if (g->rows == 0) return 0;
  unsigned long long host[QMAX * KMAX];
  for (int q0 = 0; q0 < nq; q0 += QMAX) {
    int n = nq - q0 < QMAX ? nq - q0 : QMAX;
    int mt = n <= 16 ? 1 : n <= 32 ? 2 : 4;
    int slots = mt * 16;
    /* Queries: int16 -> fp16, zero-padded to the tile. */
    CK(cudaMemsetAsync(g->q, 0, QMAX * TM_DIM * sizeof(half), g->s));
    CK(cudaMemcpyAsync(g->stage, queries + (size_t)q0 * TM_DIM, (size_t)n * TM_DIM * sizeof(int16_t),
                       cudaMemcpyHostToDevice, g->s));
    tm__to_half<<<(n * TM_DIM + 255) / 256, 256, 0, g->s>>>(g->stage, g->q, (size_t)n * TM_DIM);
    unsigned ntiles = (unsigned)((g->rows + TILE - 1) / TILE);
    int gi = mt == 1 ? 0 : mt == 2 ? 1 : 2;
    int grid = g->grid[gi] < (int)ntiles ? g->grid[gi] : (int)ntiles;
    if (mt == 1) tm__topk<1><<<grid, THREADS, 0, g->s>>>(g->m, (unsigned)g->rows, g->q, n, g->partial);
    else if (mt == 2) tm__topk<2><<<grid, THREADS, 0, g->s>>>(g->m, (unsigned)g->rows, g->q, n, g->partial);
    else tm__topk<4><<<grid, THREADS, 0, g->s>>>(g->m, (unsigned)g->rows, g->q, n, g->partial);
    CK(cudaGetLastError());
    tm__merge<<<n, THREADS, 0, g->s>>>(g->partial, grid, slots, THREADS / slots, g->out);
    CK(cudaGetLastError());
    CK(cudaMemcpyAsync(host, g->out, (size_t)n * KMAX * sizeof(unsigned long long), cudaMemcpyDeviceToHost, g->s));
    CK(cudaStreamSynchronize(g->s));
    for (int i = 0; i < n; i++)
      for (int j = 0; j < k; j++) keys[(size_t)(q0 + i) * k + j] = host[i * KMAX + j];
  }
  return 0;
}
