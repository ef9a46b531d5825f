/*
 * arena.c - a bump allocator per job. The translator allocates AST nodes,
 * types and strings here and frees them all at once when the job ends; no
 * individual frees, no leaks on error paths.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct arena__chunk {
  struct arena__chunk *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
} arena__chunk;

struct p_arena {
  arena__chunk *head;
  size_t total;
};

p_arena *p_arena_new(void) {
  return p_xcalloc(1, sizeof(p_arena));
}

void p_arena_free(p_arena *a) {
  if (!a) return;
  arena__chunk *c = a->head;
  while (c) {
    arena__chunk *n = c->next;
    free(c);
    c = n;
  }
  free(a);
}

void *p_arena_alloc(p_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  arena__chunk *c = a->head;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > 60000 ? n : 64 * 1024 - sizeof(arena__chunk);
    c = p_xmalloc(sizeof(arena__chunk) + cap);
    c->used = 0;
    c->cap = cap;
    c->next = a->head;
    a->head = c;
  }
  void *p = c->data + c->used;
  c->used += n;
  a->total += n;
  memset(p, 0, n);
  return p;
}

char *p_arena_strndup(p_arena *a, const char *s, size_t n) {
  char *d = p_arena_alloc(a, n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

char *p_arena_strdup(p_arena *a, const char *s) { return p_arena_strndup(a, s, strlen(s)); }

char *p_arena_printf(p_arena *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *d = p_arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
  vsnprintf(d, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return d;
}

size_t p_arena_used(const p_arena *a) { return a->total; }
