#!/bin/sh
# WASI stdio when the host made the descriptors non-blocking (issue 11).
# tests/stdio/host.mjs is a minimal node:wasi embedding that touches
# process.stdin/process.stdout first, as most Node programs do, which puts
# the pipes in O_NONBLOCK mode.  The translated programs must then still
#   - read all of a stdin pipe whose writer is slow (a would-block read is
#     not end of file),
#   - write all of several MB to a stdout pipe whose reader is slow (a short
#     or would-block write is retried, not dropped),
#   - sleep for real in time.sleep (a poll_oneoff clock subscription), under
#     the host, under contrib/run.mjs and under the dashboard's browser
#     runner (web/wasi-worker.js, driven by tests/stdio/worker-host.mjs),
#   - recurse 100,000 Python frames deep with a raised recursion limit under
#     contrib/run.mjs (a 64 MiB module stack, a worker with a big native
#     stack), and raise RecursionError rather than trap when the limit is
#     above what the stack holds.
# Each output is compared byte for byte with python3's on the same input.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
node=${NODE:-node}
py=${PYTHON3:-python3}
portalis="$top_builddir/portalis"
d="$top_srcdir/tests/stdio"
if ! command -v "$node" >/dev/null 2>&1 || ! command -v "$py" >/dev/null 2>&1 || [ ! -x "$portalis" ]; then
  echo "stdio.sh: needs node, python3 and ./portalis: skipped"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for p in lines big sleep deep overflow; do
  if ! "$portalis" translate "$d/$p.py" -o "$tmp/$p" >"$tmp/$p.log" 2>&1; then
    echo "FAIL translate $p.py" >&2
    cat "$tmp/$p.log" >&2
    exit 1
  fi
done
check() { # name expected actual
  if cmp -s "$2" "$3"; then
    echo "ok   $1 ($(wc -c <"$2") bytes)"
  else
    echo "FAIL $1" >&2
    diff "$2" "$3" | head -20 >&2
    fail=1
  fi
}
host="$d/host.mjs"

# 1. a slow stdin pipe, 200,000 lines (about 4 MB)
"$py" -c 'import sys
for i in range(200000): sys.stdout.write(f"line {i} " + "y" * (i % 13) + "\n")
sys.stdout.write("no newline at the end")' >"$tmp/input.txt"
"$py" "$d/lines.py" <"$tmp/input.txt" >"$tmp/lines.exp"
(sleep 0.3; cat "$tmp/input.txt") | "$node" "$host" "$tmp/lines/module.wasm" >"$tmp/lines.out"
check "slow stdin pipe, non-blocking host" "$tmp/lines.exp" "$tmp/lines.out"
# the same through a pipe that delivers in bursts
(head -c 100000 "$tmp/input.txt"; sleep 0.2; tail -c +100001 "$tmp/input.txt") |
  "$node" "$host" "$tmp/lines/module.wasm" >"$tmp/lines2.out"
check "stdin pipe in bursts, non-blocking host" "$tmp/lines.exp" "$tmp/lines2.out"
"$node" "$top_srcdir/contrib/run.mjs" "$tmp/lines/module.wasm" <"$tmp/input.txt" >"$tmp/lines3.out"
check "stdin from a file, run.mjs" "$tmp/lines.exp" "$tmp/lines3.out"

# 2. several MB to a slow reader
"$py" "$d/big.py" 90000 >"$tmp/big.exp" 2>"$tmp/big.err.exp"
"$node" "$host" "$tmp/big/module.wasm" 90000 2>"$tmp/big.err" | (sleep 1; cat >"$tmp/big.out")
check "slow stdout reader, non-blocking host" "$tmp/big.exp" "$tmp/big.out"
check "stderr after a large stdout" "$tmp/big.err.exp" "$tmp/big.err"
"$node" "$host" "$tmp/big/module.wasm" 90000 2>/dev/null | "$py" -c '
import sys, time
f = sys.stdin.buffer
out = bytearray()
while True:
    b = f.read1(4096)
    if not b: break
    out += b
    time.sleep(0.0005)
sys.stdout.buffer.write(out)' >"$tmp/big2.out"
check "trickling stdout reader, non-blocking host" "$tmp/big.exp" "$tmp/big2.out"

# 3. time.sleep really sleeps (the program checks time.monotonic itself)
"$py" "$d/sleep.py" >"$tmp/sleep.exp"
"$node" "$host" "$tmp/sleep/module.wasm" >"$tmp/sleep.out"
check "time.sleep, non-blocking host" "$tmp/sleep.exp" "$tmp/sleep.out"
"$node" "$top_srcdir/contrib/run.mjs" "$tmp/sleep/module.wasm" >"$tmp/sleep2.out"
check "time.sleep, run.mjs" "$tmp/sleep.exp" "$tmp/sleep2.out"
"$node" "$d/worker-host.mjs" "$tmp/sleep/module.wasm" >"$tmp/sleep3.out"
check "time.sleep, the browser runner (web/wasi-worker.js)" "$tmp/sleep.exp" "$tmp/sleep3.out"

# 4. deep recursion under run.mjs
"$py" "$d/deep.py" >"$tmp/deep.exp"
"$node" "$top_srcdir/contrib/run.mjs" "$tmp/deep/module.wasm" >"$tmp/deep.out"
check "100,000-frame recursion, run.mjs" "$tmp/deep.exp" "$tmp/deep.out"
printf 'start\nRecursionError: maximum recursion depth exceeded\n1000\n' >"$tmp/overflow.exp"
"$node" "$top_srcdir/contrib/run.mjs" "$tmp/overflow/module.wasm" >"$tmp/overflow.out"
check "RecursionError at the end of the module's stack" "$tmp/overflow.exp" "$tmp/overflow.out"
exit $fail
