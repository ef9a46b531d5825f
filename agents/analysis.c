/* analysis.c - placeholder until the analysis agent lands: reports "not built". */
#include "pipeline.h"

int pl_stage_analysis(pl_job *job, p_err *e) {
  (void)job;
  return p_err_set(e, P_EUNSUPPORTED, "the analysis stage is not built yet");
}
