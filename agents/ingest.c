/* ingest.c - placeholder until the ingest agent lands: reports "not built". */
#include "pipeline.h"

int pl_stage_ingest(pl_job *job, p_err *e) {
  (void)job;
  return p_err_set(e, P_EUNSUPPORTED, "the ingest stage is not built yet");
}
