/* test.c - placeholder until the test agent lands: reports "not built". */
#include "pipeline.h"

int pl_stage_test(pl_job *job, p_err *e) {
  (void)job;
  return p_err_set(e, P_EUNSUPPORTED, "the test stage is not built yet");
}
