/*
 * fuzz_upload.c - libFuzzer target: a request body through
 * srv_upload_build - archive extraction (zip, tar, tar.gz via libarchive),
 * path cleaning, limits and the choice of the entry point. The first byte
 * picks the content type (raw Python, zip, gzip, tar, a multipart file
 * name) and whether an ?entry= is given; the rest is the body. Seeds: a
 * few archives written by fuzz/seeds.sh and the Python corpus.
 */
#include "srv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  srv_cfg.max_upload = 1 << 20;
  srv_cfg.max_files = 64;
  srv_cfg.max_unpacked = 4 << 20;
  srv_cfg.max_ratio = 100.0;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > (1u << 20)) return 0;
  if (!srv_cfg.max_upload) LLVMFuzzerInitialize(NULL, NULL);
  static const char *const ctypes[] = {"text/x-python", "application/zip", "application/gzip",
                                       "application/x-tar", "application/octet-stream"};
  static const char *const names[] = {NULL, "proj.zip", "proj.tar.gz", "a.py", "x.tar"};
  unsigned sel = data[0];
  srv_part part;
  memset(&part, 0, sizeof part);
  part.ctype = (char *)ctypes[sel % 5];
  part.filename = (char *)names[(sel / 5) % 5];
  p_buf_init(&part.data, 0);
  p_buf_append(&part.data, data + 1, size - 1);
  const char *entry = (sel & 0x80) ? "pkg/main.py" : NULL;
  srv_upload up;
  memset(&up, 0, sizeof up);
  cJSON *errors = cJSON_CreateArray();
  p_err e = {0};
  srv_upload_build(&part, 1, entry, &up, errors, &e);
  srv_upload_free(&up);
  cJSON_Delete(errors);
  p_buf_free(&part.data);
  return 0;
}
