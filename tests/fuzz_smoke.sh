#!/bin/sh
# Fuzz smoke run for CI (see "BEGIN fuzz" in Makefile.am): each libFuzzer
# target, built with the normal compiler against fuzz/driver.c, replays its
# seeds and every saved crash in fuzz/regressions/<target>/, then mutates
# the seeds for FUZZ_SMOKE_SECONDS (default 10) seconds. Fails when an
# input crashes a target; the input is left in fuzz-crash.bin (in a
# temporary folder whose name is printed).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
secs=${FUZZ_SMOKE_SECONDS:-10}
work=$(mktemp -d /tmp/portalis-fuzz-XXXXXX)
cd "$work" || exit 1
status=0
for t in transpile upload options multipart; do
  seeds="$top_srcdir/fuzz/seeds/$t $top_srcdir/fuzz/regressions/$t"
  [ "$t" = transpile ] && seeds="$seeds $top_srcdir/tests/golden $top_srcdir/bench/programs"
  dirs=""
  for d in $seeds; do [ -d "$d" ] && dirs="$dirs $d"; done
  if ! "$top_builddir/tests/fuzz_${t}_smoke" -seconds="$secs" $dirs; then
    echo "fuzz_$t: CRASH; the input is in $work/fuzz-crash.bin" >&2
    status=1
    break
  fi
done
[ $status -eq 0 ] && rm -rf "$work"
exit $status
