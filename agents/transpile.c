/* transpile.c - placeholder until the transpile agent lands: reports "not built". */
#include "pipeline.h"

int pl_stage_transpile(pl_job *job, p_err *e) {
  (void)job;
  return p_err_set(e, P_EUNSUPPORTED, "the transpile stage is not built yet");
}
