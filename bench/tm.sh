#!/bin/sh
# bench/tm.sh (make bench-tm): the translation memory's search speed. The
# kernel and CPU path alone (bench/tm_bench: 64 x 1M x 256 top-10 and 1 x
# 10M on the GPU when there is one; the CPU path at 100k and 1M rows), then
# end-to-end GET /jobs/{id}/similar through a real server
# (bench/tm_similar.py). Figures only.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
"$top_builddir/bench/tm_bench" "${TM_BENCH:-all}" || exit 1
top_builddir=$top_builddir "${PYTHON3:-python3}" "$top_srcdir/bench/tm_similar.py" ${TM_E2E_ROWS:-10000 100000}
