/*
 * fuzz_transpile.c - libFuzzer target: Python source through Ingest,
 * Analysis and the Rust generator (rs_translate_source), the stages that
 * hold an untrusted program in memory. Any input must end in a value (a
 * translation, a syntax error, "unsupported"), never a crash, a leak or
 * undefined behaviour. Seeds: tests/golden, bench/programs, the corpus.
 */
#include "transpile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (256u << 10)) return 0; /* the memory cap, not the fuzzer, handles huge programs */
  char *src = malloc(size + 1);
  if (!src) return 0;
  memcpy(src, data, size);
  src[size] = 0;
  p_arena *a = p_arena_new();
  const char *rust = NULL;
  p_err e = {0};
  rs_translate_source(a, "main.py", src, &rust, &e);
  p_arena_free(a);
  free(src);
  return 0;
}
