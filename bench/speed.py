#!/usr/bin/env python3
"""Bench: translation and run speed, WASM against CPython.

For bench/programs/*.py (recursive fib, a sieve, an n-body loop) and every
case of the shared corpus: translate + compile with `portalis translate`
(timed), then run CPython and the WASM under Node (median of RUNS each, same
args and stdin), check the outputs agree, and print the .wasm size, both run
times and the CPython/WASM speed ratio (> 1 means the WASM is faster).

usage: bench/speed.py [--runs N] [--only SUBSTRING] [--no-corpus]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.environ.get("PORTALIS_CORPUS") or os.path.join(TOP, "..", "shared", "corpus")


def timed(cmd, stdin, cwd, runs):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, input=stdin, capture_output=True, cwd=cwd, timeout=300)
        times.append(time.perf_counter() - t0)
        out = (p.stdout, p.returncode)
    return statistics.median(times), out


START = {"py": 0.0, "wasm": 0.0}  # start-up of an empty program, measured once in main()


def bench(name, src, cwd, args, stdin, runs, tmp):
    out = os.path.join(tmp, name.replace("/", "_"))
    t0 = time.perf_counter()
    p = subprocess.run([os.path.join(TOP, "portalis"), "translate", src, "-o", out], capture_output=True, text=True)
    tt = time.perf_counter() - t0
    wasm = os.path.join(out, "module.wasm")
    if p.returncode or not os.path.exists(wasm):
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        print("%-40s translate failed: %s" % (name, last[:90]))
        return None
    script = "main.py" if os.path.isdir(src) else os.path.basename(src)
    py_t, py_out = timed([sys.executable, script] + args, stdin, cwd, runs)
    wa_t, wa_out = timed(["node", os.path.join(TOP, "contrib", "run.mjs"), wasm] + args, stdin, cwd, runs)
    same = "same" if py_out == wa_out else "DIFFERENT OUTPUT"
    ratio = py_t / wa_t if wa_t else 0
    # the same ratio without each side's start-up (interpreter / node + wasm
    # instantiation), which dominates short programs; floor 5 ms
    net = max(py_t - START["py"], 0.005) / max(wa_t - START["wasm"], 0.005)
    print("%-40s translate+compile %5.2f s  wasm %8d B  cpython %6.3f s  wasm %6.3f s  speed x%5.2f  without start-up x%5.1f  %s"
          % (name, tt, os.path.getsize(wasm), py_t, wa_t, ratio, net, same))
    return ratio if py_out == wa_out else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--no-corpus", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="portalis-bench-")
    empty = os.path.join(tmp, "empty.py")
    with open(empty, "w") as f:
        f.write("pass\n")
    p = subprocess.run([os.path.join(TOP, "portalis"), "translate", empty, "-o", os.path.join(tmp, "empty")], capture_output=True)
    if p.returncode == 0:
        START["py"] = timed([sys.executable, empty], b"", tmp, max(a.runs, 5))[0]
        START["wasm"] = timed(["node", os.path.join(TOP, "contrib", "run.mjs"), os.path.join(tmp, "empty", "module.wasm")],
                              b"", tmp, max(a.runs, 5))[0]
        print("start-up of an empty program: cpython %.3f s, wasm (node) %.3f s" % (START["py"], START["wasm"]))
    rows = []
    progs = os.path.join(TOP, "bench", "programs")
    for f in sorted(os.listdir(progs)):
        if f.endswith(".py") and a.only in f:
            rows.append(("bench/" + f, bench("bench/" + f, os.path.join(progs, f), progs, [], b"", a.runs, tmp)))
    if not a.no_corpus and os.path.isdir(CORPUS):
        for tier in sorted(os.listdir(CORPUS)):
            tdir = os.path.join(CORPUS, tier)
            if not os.path.isdir(tdir) or tier == "t5_errors":
                continue
            for case in sorted(os.listdir(tdir)):
                cdir = os.path.join(tdir, case)
                name = tier + "/" + case
                if a.only not in name or not os.path.exists(os.path.join(cdir, "main.py")):
                    continue
                args = open(os.path.join(cdir, "args")).read().splitlines() if os.path.exists(os.path.join(cdir, "args")) else []
                stdin = open(os.path.join(cdir, "stdin"), "rb").read() if os.path.exists(os.path.join(cdir, "stdin")) else b""
                src = cdir if tier == "t4_packages" else os.path.join(cdir, "main.py")
                rows.append((name, bench(name, src, cdir, args, stdin, a.runs, tmp)))
    ok = [r for _, r in rows if r]
    if ok:
        print("\n%d programs ran with equal output; speed ratio CPython/WASM: median x%.2f, geometric mean x%.2f"
              % (len(ok), statistics.median(ok), statistics.geometric_mean(ok)))


if __name__ == "__main__":
    main()
