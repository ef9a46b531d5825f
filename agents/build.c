/* build.c - placeholder until the build agent lands: reports "not built". */
#include "pipeline.h"

int pl_stage_build(pl_job *job, p_err *e) {
  (void)job;
  return p_err_set(e, P_EUNSUPPORTED, "the build stage is not built yet");
}
