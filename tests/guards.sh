#!/bin/sh
# guards.sh - the fast paths' guards against programs that break them on
# purpose: every tests/guards/*.py (and PORTALIS_GUARD_FUZZ generated ones,
# default 6, from tests/guard_fuzz.py) is translated with ./portalis and run
# under Node; stdout and the exit code must equal python3's.
#   covers: module names read before binding / rebound / defined in loops,
#   methods patched on the class or shadowed on the instance, __new__,
#   __init__ returning a value, recursion limit through direct calls, i64
#   overflow, mixed int/float lists, method-call caches (mcache.py),
#   lazy itertools (itertools_lazy.py), names rebound where counting
#   assignments does not look: a match capture, `global math` (rebind_hidden.py).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bld=${top_builddir:-$top}
work=$(mktemp -d /tmp/portalis-guards.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 "$top/tests/guard_fuzz.py" --count "${PORTALIS_GUARD_FUZZ:-6}" --seed "${PORTALIS_GUARD_SEED:-1}" --out "$work/fuzz" || exit 1
pass=0; fail=0
for f in "$top"/tests/guards/*.py "$work"/fuzz/*.py; do
  n=$(basename "$f" .py)
  d="$work/$n"
  if ! "$bld/portalis" translate "$f" -o "$d" >"$d.log" 2>&1; then
    echo "FAIL $n: translate"; tail -3 "$d.log"; fail=$((fail + 1)); continue
  fi
  (cd "$(dirname "$f")" && python3 "$f" >"$d.want" 2>/dev/null; echo "rc=$?" >>"$d.want")
  (cd "$(dirname "$f")" && node "$top/contrib/run.mjs" "$d/module.wasm" >"$d.got" 2>/dev/null; echo "rc=$?" >>"$d.got")
  if cmp -s "$d.want" "$d.got"; then
    pass=$((pass + 1))
  else
    echo "FAIL $n: output differs"; diff "$d.want" "$d.got" | head -10; fail=$((fail + 1))
    cp "$f" "/tmp/portalis-guard-fail-$n.py" 2>/dev/null
  fi
done
echo "guards: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
