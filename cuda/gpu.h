/*
 * gpu.h - the C interface of Portalis's CUDA code (cuda/tm_kernel.cu).
 *
 * Only tm_index.c calls this, and only when configure found nvcc
 * (HAVE_CUDA). Every function returns 0 or -1 with a message in err; none
 * throws, exits or prints. A machine without a GPU (or without a driver)
 * makes gpu_probe return 0: the caller falls back to the CPU.
 *
 * The device matrix holds rows of TM_DIM fp16 values, row-major, ids
 * ascending by row (tm_index.c keeps that order). It grows by appending
 * (capacity doubles, old rows copied on the device); gpu_tm_write may also
 * rewrite a tail after an out-of-order insert or a removal.
 */
#ifndef PORTALIS_GPU_H
#define PORTALIS_GPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gpu_tm gpu_tm;

/* Number of usable CUDA devices (0 when cudaGetDeviceCount fails: no
 * driver, no device). name receives device 0's name and compute capability. */
int gpu_probe(char *name, size_t namesz);
/* A matrix on device 0 with room for cap rows. NULL + err on failure. */
gpu_tm *gpu_tm_new(size_t cap, char *err, size_t errsz);
void gpu_tm_free(gpu_tm *g);
/* Writes n rows at row `at` from quantised int16 components (value/2048,
 * converted to fp16 exactly on the device) and sets the row count to at+n.
 * at <= current rows. Grows the capacity as needed. */
int gpu_tm_write(gpu_tm *g, size_t at, const int16_t *rows, size_t n, char *err, size_t errsz);
/* Truncates to rows. */
int gpu_tm_truncate(gpu_tm *g, size_t rows);
/* Top-k (k <= 16) of nq queries (int16, nq * 256) over all rows, as
 * tm_key()s (tm.h), best first: keys[i*k + j]. Slots past the row count
 * hold 0. One fused pass over the matrix per 64 queries, partial lists
 * merged on the device. */
int gpu_tm_search(gpu_tm *g, const int16_t *queries, int nq, int k, uint64_t *keys, char *err, size_t errsz);

#ifdef __cplusplus
}
#endif

#endif
