#!/bin/sh
# contrib/gpu-check.sh - the one prepared script for a session that is lent
# a GPU machine (the device tool): `make check-gpu` and the GPU bench there,
# without building anything on it (it has none of our Debian packages).
#
#   contrib/gpu-check.sh prepare   here, after make: links cuda/check_gpu and
#       bench/tm_bench (static tree-sitter), copies them with every shared
#       library they need (the loader too, so the device's own glibc does not
#       matter) and the corpus's and golden tests' Python into .gpucheck/
#       (ignored through .git/info/exclude);
#   contrib/gpu-check.sh run       there: device run with carry [".gpucheck"]
#       and command "sh contrib/gpu-check.sh run" (about 3 minutes on an H100:
#       1M x 256 ranking checks, corpus checks, bench); the output lands in
#       $OUT/check-gpu.txt and $OUT/bench.txt.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
case "${1:-}" in
prepare)
  rm -f cuda/check_gpu bench/tm_bench
  make cuda/check_gpu bench/tm_bench TREESITTER_LIBS="-Wl,-Bstatic -ltree-sitter -Wl,-Bdynamic" \
    AM_LDFLAGS="-Wl,--as-needed" >/dev/null
  rm -rf .gpucheck && mkdir -p .gpucheck/lib .gpucheck/py
  cp cuda/check_gpu bench/tm_bench .gpucheck/
  for b in cuda/check_gpu bench/tm_bench; do ldd "$b"; done | awk '/=>/ {print $3} /ld-linux/ {print $1}' | sort -u |
    while read -r lib; do cp -L "$lib" .gpucheck/lib/; done
  rm -f cuda/check_gpu bench/tm_bench   # the next plain make links them normally
  corpus=${PORTALIS_CORPUS:-$top/../shared/corpus}
  for d in "$corpus" tests/golden tests/golden_rs bench/programs tests/backend; do
    [ -d "$d" ] || continue
    (cd "$d" && find . -name '*.py' | while read -r f; do mkdir -p "$top/.gpucheck/py/$(basename "$d")/$(dirname "$f")";
       cp "$f" "$top/.gpucheck/py/$(basename "$d")/$f"; done)
  done
  grep -qx '/.gpucheck/' .git/info/exclude 2>/dev/null || echo '/.gpucheck/' >> "$(git rev-parse --git-path info/exclude)"
  du -sh .gpucheck
  ;;
run)
  [ -x .gpucheck/check_gpu ] || { echo "no .gpucheck/: run 'contrib/gpu-check.sh prepare' here and carry .gpucheck" >&2; exit 2; }
  out=${OUT:-/tmp}
  ld=$(ls .gpucheck/lib/ld-linux-x86-64.so.2)
  # the driver (libcuda.so.1) comes from the machine; everything else from .gpucheck/lib
  drv=$(dirname "$(ldconfig -p | awk '/libcuda.so.1 /{print $NF; exit}')" 2>/dev/null || true)
  lp=".gpucheck/lib${drv:+:$drv}"
  nvidia-smi -L > "$out/check-gpu.txt" 2>&1 || true
  set +e
  "$ld" --library-path "$lp" .gpucheck/check_gpu .gpucheck/py >> "$out/check-gpu.txt" 2>&1
  rc=$?
  echo "check-gpu exit $rc" >> "$out/check-gpu.txt"
  "$ld" --library-path "$lp" .gpucheck/tm_bench gpu > "$out/bench.txt" 2>&1
  echo "bench exit $?" >> "$out/bench.txt"
  cat "$out/check-gpu.txt" "$out/bench.txt"
  exit $rc
  ;;
*) echo "usage: contrib/gpu-check.sh prepare|run" >&2; exit 2 ;;
esac
