/* package.c - placeholder until the package agent lands: reports "not built". */
#include "pipeline.h"

int pl_stage_package(pl_job *job, p_err *e) {
  (void)job;
  return p_err_set(e, P_EUNSUPPORTED, "the package stage is not built yet");
}
