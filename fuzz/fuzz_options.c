/*
 * fuzz_options.c - libFuzzer target: job options JSON through
 * srv_options_parse and, when valid, pl_job_apply_options onto a job (the
 * path an options field takes from a request to a pipeline job).
 */
#include "srv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (4u << 20)) return 0;
  char *txt = malloc(size + 1);
  if (!txt) return 0;
  memcpy(txt, data, size);
  txt[size] = 0;
  cJSON *opts = NULL, *errors = cJSON_CreateArray();
  bool malformed = false;
  p_err e = {0};
  if (srv_options_parse(txt, &opts, errors, &malformed, &e) == 0) {
    static pl_config cfg;
    char *norm = cJSON_PrintUnformatted(opts);
    pl_job *job = pl_job_new(&cfg, "fuzz");
    if (norm) pl_job_apply_options(job, norm, &e);
    pl_job_free(job);
    free(norm);
    cJSON_Delete(opts);
  }
  cJSON_Delete(errors);
  free(txt);
  return 0;
}
