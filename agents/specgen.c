/* specgen.c - placeholder until the specgen agent lands: reports "not built". */
#include "pipeline.h"

int pl_stage_specgen(pl_job *job, p_err *e) {
  (void)job;
  return p_err_set(e, P_EUNSUPPORTED, "the specgen stage is not built yet");
}
