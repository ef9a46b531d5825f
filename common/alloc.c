/*
 * alloc.c - allocation that cannot fail, the one way the program dies, and
 * the growable array.
 *
 * Out of memory is not an error a job can report: by the time malloc
 * fails, writing the diagnostic would fail too. So every heap allocation
 * outside the arena goes through p_xmalloc and friends, which print what
 * was asked for and abort; code that used to check for NULL and go on
 * half-done no longer has a path nobody tests. The same goes for "cannot
 * happen" states: p_die prints why before it aborts, instead of a bare
 * abort() that leaves a core dump and no sentence.
 *
 * Tests can make the n-th next allocation fail (p_alloc_fail_after) and
 * catch the death (p_die_hook, which may longjmp out), so the message and
 * the path to it are tested like any other behaviour.
 */
#include "util.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void (*p_die_hook)(const char *msg);
static atomic_long alloc__countdown = -1;

void p_alloc_fail_after(long n) { atomic_store(&alloc__countdown, n); }

/* True when the test hook says this allocation fails. */
static bool alloc__fails(void) {
  if (atomic_load_explicit(&alloc__countdown, memory_order_relaxed) < 0) return false;
  return atomic_fetch_sub(&alloc__countdown, 1) == 0;
}

void p_die(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (p_die_hook) p_die_hook(msg);
  fprintf(stderr, "portalis: %s\n", msg);
  abort();
}

void *p_xmalloc(size_t n) {
  void *p = alloc__fails() ? NULL : malloc(n ? n : 1);
  if (!p) p_die("out of memory (%zu bytes)", n);
  return p;
}

void *p_xcalloc(size_t n, size_t size) {
  void *p = alloc__fails() ? NULL : calloc(n ? n : 1, size ? size : 1);
  if (!p) p_die("out of memory (%zu x %zu bytes)", n, size);
  return p;
}

void *p_xrealloc(void *old, size_t n) {
  void *p = alloc__fails() ? NULL : realloc(old, n ? n : 1);
  if (!p) p_die("out of memory (%zu bytes)", n);
  return p;
}

char *p_xstrdup(const char *s) { return p_xstrndup(s, strlen(s)); }

char *p_xstrndup(const char *s, size_t n) {
  size_t len = strnlen(s, n);
  char *d = p_xmalloc(len + 1);
  memcpy(d, s, len);
  d[len] = 0;
  return d;
}

void *p_vec_grow(void *v, int n, int *cap, int need, size_t elem, p_arena *a) {
  if (need <= *cap) return v;
  if (need < 0 || (size_t)need > ((size_t)1 << 40) / (elem ? elem : 1))
    p_die("growable array too large (%d elements of %zu bytes)", need, elem);
  int nc = *cap ? *cap : 8;
  while (nc < need) nc = nc > (1 << 29) ? need : nc * 2;
  void *nv;
  if (a) {
    nv = p_arena_alloc(a, (size_t)nc * elem);
    if (n) memcpy(nv, v, (size_t)n * elem);
  } else {
    nv = p_xrealloc(v, (size_t)nc * elem);
  }
  *cap = nc;
  return nv;
}
