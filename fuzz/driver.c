/*
 * driver.c - runs a libFuzzer target without libFuzzer: the CI smoke run
 * (tests/fuzz_smoke.sh) and the replay of fuzz/regressions/ with the
 * normal compiler. Every file or directory argument is an input (a seed
 * or a saved crash); with -seconds=N each seed is then mutated (byte flips,
 * inserts, deletes, splices with another seed; a fixed random seed so a
 * failure repeats) until N seconds have passed. A crash is the process
 * dying; the input is first written to fuzz-crash.bin in the current
 * folder so it can become a regression file.
 *
 * usage: fuzz_X_smoke [-seconds=N] FILE|DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

typedef struct {
  uint8_t *data;
  size_t len;
} input;

static input *inputs;
static size_t ninputs, capinputs;

static void add_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return;
  input in = {NULL, 0};
  size_t cap = 0;
  for (;;) {
    if (in.len == cap) {
      cap = cap ? cap * 2 : 4096;
      if (cap > (8u << 20)) break;
      in.data = realloc(in.data, cap);
    }
    size_t n = fread(in.data + in.len, 1, cap - in.len, f);
    if (!n) break;
    in.len += n;
  }
  fclose(f);
  if (ninputs == capinputs) {
    capinputs = capinputs ? capinputs * 2 : 64;
    inputs = realloc(inputs, capinputs * sizeof *inputs);
  }
  inputs[ninputs++] = in;
}

static void add_path(const char *path) {
  struct stat st;
  if (stat(path, &st)) return;
  if (!S_ISDIR(st.st_mode)) {
    add_file(path);
    return;
  }
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", path, de->d_name);
    add_path(p);
  }
  closedir(d);
}

static void run(const uint8_t *data, size_t len) {
  FILE *f = fopen("fuzz-crash.bin", "wb");
  if (f) {
    fwrite(data, 1, len, f);
    fclose(f);
  }
  LLVMFuzzerTestOneInput(data, len);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

int main(int argc, char **argv) {
  double seconds = 0;
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; i++) {
    if (!strncmp(argv[i], "-seconds=", 9)) seconds = atof(argv[i] + 9);
    else add_path(argv[i]);
  }
  for (size_t i = 0; i < ninputs; i++) run(inputs[i].data, inputs[i].len);
  size_t runs = ninputs;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  uint8_t *buf = NULL;
  size_t cap = 0;
  while (seconds > 0 && ninputs) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    if ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 >= seconds) break;
    const input *a = &inputs[next() % ninputs];
    size_t len = a->len;
    if (cap < len + 64) {
      cap = len + 64;
      buf = realloc(buf, cap);
    }
    memcpy(buf, a->data, len);
    int edits = 1 + (int)(next() % 8);
    for (int k = 0; k < edits; k++) {
      unsigned op = (unsigned)(next() % 5);
      size_t pos = len ? (size_t)(next() % len) : 0;
      if (op == 0 && len) buf[pos] ^= (uint8_t)(1u << (next() % 8));
      else if (op == 1 && len) buf[pos] = (uint8_t)next();
      else if (op == 2 && len + 1 < cap) {
        memmove(buf + pos + 1, buf + pos, len - pos);
        buf[pos] = (uint8_t)"()[]{}:,.'\"\n\t #=\\0x"[next() % 20];
        len++;
      } else if (op == 3 && len) {
        memmove(buf + pos, buf + pos + 1, len - pos - 1);
        len--;
      } else if (op == 4 && len) { /* splice: the tail of another input */
        const input *b = &inputs[next() % ninputs];
        size_t from = b->len ? (size_t)(next() % b->len) : 0;
        size_t n = b->len - from;
        if (pos + n > cap) n = cap - pos;
        memcpy(buf + pos, b->data + from, n);
        len = pos + n;
      }
    }
    run(buf, len);
    runs++;
  }
  remove("fuzz-crash.bin");
  fprintf(stderr, "%s: %zu inputs, %zu runs, no crash\n", argv[0], ninputs, runs);
  free(buf);
  return 0;
}
