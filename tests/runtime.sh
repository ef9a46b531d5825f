#!/bin/sh
# Runtime crate tests: runs the host unit-test binary of agents/runtime
# (int promotion, float repr, formatting, containers, exceptions, generators;
# expected values checked against CPython 3.11), then, when node and the
# wasm rlib are available, builds and runs the "as if generated" example
# programs in agents/runtime/examples/ and compares their stdout and exit
# status with the expected files beside them.  Logs are kept only on failure.
# First: lib.rs's module map names every file of src/ (and only those).
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
# lib.rs's module map must name every file and folder of src/ (the files of
# src/stdlib/ one by one) and nothing that is gone.
map=$(sed -n 's,^//! *- *\([A-Za-z0-9_]*\(\.rs\|/\)\).*,\1,p' "$top_srcdir/agents/runtime/src/lib.rs")
for f in "$top_srcdir"/agents/runtime/src/*.rs "$top_srcdir"/agents/runtime/src/*/ "$top_srcdir"/agents/runtime/src/stdlib/*.rs; do
    n=$(basename "$f"); [ -d "$f" ] && n="$n/"
    case $n in lib.rs|tests.rs) continue;; esac
    echo "$map" | grep -qxF "$n" || { echo "runtime.sh: agents/runtime/src/lib.rs's module map does not list $n" >&2; exit 1; }
done
for n in $map; do
    [ -e "$top_srcdir/agents/runtime/src/$n" ] || [ -e "$top_srcdir/agents/runtime/src/stdlib/$n" ] ||
        { echo "runtime.sh: lib.rs's module map lists $n, which is not in src/" >&2; exit 1; }
done
echo "ok   lib.rs module map ($(echo "$map" | wc -l) entries)"
bin="$top_builddir/agents/runtime/rt-host-test"
if [ ! -x "$bin" ]; then
    echo "runtime.sh: $bin not built (make agents/runtime/rt-host-test)" >&2
    exit 1
fi
log=$(mktemp)
if ! "$bin" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
fi
grep 'test result' "$log"
rm -f "$log"

rlib="$top_builddir/agents/runtime/libportalis_rt.rlib"
rustc=${RUSTC_WASM:-/usr/bin/rustc}
node=${NODE:-node}
if [ ! -f "$rlib" ] || ! command -v "$node" >/dev/null 2>&1 || [ ! -x "$rustc" ]; then
    echo "runtime.sh: skipping wasm examples (no rlib, node or rustc)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Differential tests against CPython: generated calls through the runtime
# (host build) versus the same calls in python3.
py=${PYTHON3:-python3}
if command -v "$py" >/dev/null 2>&1; then
    if "$rustc" --edition 2021 --crate-type rlib --crate-name portalis_rt -C opt-level=0 \
            "$top_srcdir/agents/runtime/src/lib.rs" -o "$tmp/libportalis_rt.rlib" 2>"$tmp/host.cc"; then
        for t in "$top_srcdir"/agents/runtime/difftest/*.tests; do
            name=$(basename "$t" .tests)
            "$py" "$top_srcdir/agents/runtime/difftest/gen.py" "$t" "$tmp/d_$name.rs" "$tmp/d_$name.py" &&
            "$rustc" --edition 2021 --extern portalis_rt="$tmp/libportalis_rt.rlib" -L "$tmp" \
                "$tmp/d_$name.rs" -o "$tmp/d_$name" 2>"$tmp/d_$name.cc" &&
            "$tmp/d_$name" >"$tmp/d_$name.out" 2>&1 &&
            "$py" "$tmp/d_$name.py" >"$tmp/d_$name.exp" 2>&1
            if cmp -s "$tmp/d_$name.out" "$tmp/d_$name.exp"; then
                echo "ok   difftest $name ($(wc -l <"$tmp/d_$name.exp") calls)"
            else
                echo "FAIL difftest $name" >&2
                cat "$tmp/d_$name.cc" >&2 2>/dev/null
                diff "$tmp/d_$name.exp" "$tmp/d_$name.out" >&2
                fail=1
            fi
        done
    else
        echo "FAIL host build of the runtime for difftests" >&2
        cat "$tmp/host.cc" >&2
        fail=1
    fi
fi
for ex in "$top_srcdir"/agents/runtime/examples/*.rs; do
    name=$(basename "$ex" .rs)
    dir=$(dirname "$ex")
    [ -f "$dir/$name.expected" ] || continue
    if ! "$rustc" --edition 2021 -O -C target-feature=+bulk-memory --target wasm32-wasi --extern portalis_rt="$rlib" \
            -L "$(dirname "$rlib")" "$ex" -o "$tmp/$name.wasm" 2>"$tmp/$name.cc"; then
        echo "FAIL $name: does not compile" >&2
        cat "$tmp/$name.cc" >&2
        fail=1
        continue
    fi
    "$node" "$top_srcdir/contrib/run.mjs" "$tmp/$name.wasm" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    want_rc=0
    [ -f "$dir/$name.rc" ] && want_rc=$(cat "$dir/$name.rc")
    if ! cmp -s "$tmp/$name.out" "$dir/$name.expected" || [ "$rc" != "$want_rc" ]; then
        echo "FAIL $name (rc $rc, want $want_rc)" >&2
        diff "$dir/$name.expected" "$tmp/$name.out" >&2
        grep -v ExperimentalWarning "$tmp/$name.err" >&2
        fail=1
    else
        echo "ok   $name"
    fi
done
exit $fail
