#!/bin/sh
# translate_corpus.sh - developer loop for the translator: for every corpus
# case (or the ones named), generate the crate with tests/rs_emit, compile it
# with the wasm32-wasi rustc against the runtime rlib (no wasm-opt, so it is
# quick), run it under Node WASI with the case's args and stdin, and compare
# stdout and exit code with expected_stdout / expected_rc.
#
#   tests/translate_corpus.sh [-k] [TIER/CASE | TIER ...]
#     default: t1_core t2_objects.  -k keeps the work dir (printed).
# Prints one line per case (PASS / FAIL <stage>) and the pass count. Cases with
# expected_error (SyntaxErrors) pass when translation fails at that position.
# Environment: CORPUS (default ../shared/corpus), RUSTC (/usr/bin/rustc),
# NODE (node), RSFLAGS (default: -O, stripped, the 32 MiB stack, as the Build stage does).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS:-$top/../shared/corpus}
corpus=$(cd "$corpus" && pwd)   # absolute: each case runs from inside its folder
rustc=${RUSTC:-/usr/bin/rustc}
node=${NODE:-node}
rsflags=${RSFLAGS:--O -C strip=symbols -C debuginfo=0 -C target-feature=+bulk-memory -C link-arg=-zstack-size=33554432}
keep=0
if [ "${1:-}" = "-k" ]; then keep=1; shift; fi
[ $# -eq 0 ] && set -- t1_core t2_objects
# tests/rs_emit is a check program: build it (and the runtime rlib) on demand
make -C "$top" -s tests/rs_emit agents/runtime/libportalis_rt.rlib >/dev/null || exit 2
work=$(mktemp -d /tmp/portalis-corpus.XXXXXX)
# standard-library library crates (stdlib/ of a generated crate): built once
# per content (tests/stdlib_libs.sh) into PORTALIS_LIB_CACHE or the work dir
libcache=${PORTALIS_LIB_CACHE:-$work/libs}
libflags=${LIBFLAGS:--O -C debuginfo=0 -C target-feature=+bulk-memory}
pass=0; total=0; failed=""
for sel in "$@"; do
  if [ -f "$corpus/$sel/main.py" ]; then cases="$corpus/$sel"; else cases=$(ls -d "$corpus/$sel"/*/ | sed 's,/$,,'); fi
  for c in $cases; do
    name=$(basename "$(dirname "$c")")/$(basename "$c")
    out=$work/$(echo "$name" | tr / _)
    mkdir -p "$out"
    total=$((total + 1))
    status=PASS
    if [ -f "$c/expected_error" ]; then
      # a SyntaxError case: translation must fail at CPython's position
      read -r kind pos < "$c/expected_error"
      if "$top/tests/rs_emit" "$c" "$out/crate" >"$out/emit.log" 2>&1; then
        status="FAIL translated a program CPython rejects"
      elif ! grep -q ":$pos: $kind" "$out/emit.log"; then
        status="FAIL wrong error: $(head -n 1 "$out/emit.log"), want $kind $pos"
      fi
    elif ! "$top/tests/rs_emit" "$c" "$out/crate" >"$out/emit.log" 2>&1; then
      status="FAIL translate: $(head -c 300 "$out/emit.log" | head -n 2 | tr '\n' ' ')"
    elif ! libargs=$(sh "$top/tests/stdlib_libs.sh" "$out/crate" "$libcache" "$rustc" "$top/agents/runtime/libportalis_rt.rlib" \
        "$libflags" 2>"$out/libs.log"); then
      status="FAIL rustc (library crate): $(head -c 300 "$out/libs.log")"
    elif ! "$rustc" --edition 2021 $rsflags --target wasm32-wasi --extern portalis_rt="$top/agents/runtime/libportalis_rt.rlib" \
        -L "$top/agents/runtime" $libargs "$out/crate/src/main.rs" -o "$out/m.wasm" >"$out/rustc.log" 2>&1; then
      status="FAIL rustc: $(grep -m1 -E '^error' "$out/rustc.log")"
    else
      set --
      args=""
      if [ -f "$c/args" ]; then
        # one argument per line
        while IFS= read -r a || [ -n "$a" ]; do set -- "$@" "$a"; done < "$c/args"
      fi
      stdin=/dev/null
      [ -f "$c/stdin" ] && stdin="$c/stdin"
      (cd "$c" && timeout 20 "$node" "$top/contrib/run.mjs" --argv0=main.py "$out/m.wasm" "$@" <"$stdin" >"$out/stdout" 2>"$out/stderr")
      rc=$?
      want_rc=0
      [ -f "$c/expected_rc" ] && want_rc=$(cat "$c/expected_rc")
      if ! cmp -s "$out/stdout" "$c/expected_stdout"; then
        status="FAIL output: $(diff "$out/stdout" "$c/expected_stdout" | head -n 3 | tr '\n' ' ' | head -c 200)"
      elif [ "$rc" != "$want_rc" ]; then
        status="FAIL rc: $rc, want $want_rc"
      fi
    fi
    case $status in PASS) pass=$((pass + 1));; *) failed="$failed $name";; esac
    echo "$name: $status"
  done
done
echo "passed $pass/$total"
[ -n "$failed" ] && echo "failed:$failed"
if [ $keep -eq 1 ]; then echo "work dir: $work"; else rm -rf "$work"; fi
[ "$pass" -eq "$total" ]
