#!/bin/sh
# make check-gpu: on a machine with a CUDA GPU, the GPU ranking of the
# translation memory equals the CPU ranking (cuda/check_gpu.c): 1M x 256
# random rows, then every def of the corpus and of the golden tests through
# the real index. Exit 2 (not a pass) without a usable GPU.
# PORTALIS_CORPUS names the corpus folder (default ../shared/corpus or
# shared/corpus beside the source tree); CHECK_GPU_ROWS the random rows.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
dirs=
for d in "${PORTALIS_CORPUS:-}" "$top_srcdir/../shared/corpus" "$top_srcdir/shared/corpus" "$top_srcdir/.gpucheck/corpus"; do
  if [ -n "$d" ] && [ -d "$d" ]; then dirs="$d"; break; fi
done
[ -n "$dirs" ] || echo "check-gpu: no corpus folder found; the golden tests' functions only" >&2
exec "$top_builddir/cuda/check_gpu" $dirs "$top_srcdir/tests/golden" "$top_srcdir/tests/golden_rs" \
  "$top_srcdir/bench/programs" "$top_srcdir/tests/backend"
