#!/usr/bin/env python3
"""Bench: where a translated program's time goes, by part of the runtime.

For each program named (default: every bench/programs/*.py), build the WASM
module the way the Build stage does but keeping function names (tests/rs_emit
for the crate, then rustc against the runtime rlib, not stripped), run it once
under `node --cpu-prof`, and sum the samples' self time by where the function
comes from:

  program      the generated code of the program itself (`main::...`)
  attributes   attribute reads and stores, their inline caches, StrMap
  calls        calls, method calls, frames, argument binding
  operators    arithmetic, comparison, hashing, truthiness (ops::)
  containers   list, dict, set, tuple, str methods and subscripts
  iteration    iterators, generators and their futures
  refcounts    Value clone and drop, Rc increments and releases
  allocation   the allocator (smalloc, dlmalloc, sbrk, memcpy/memmove)
  stdlib       modules written in Rust (random, json, re, itertools, ...)
  exceptions   raising, matching and formatting exceptions, tracebacks
  formatting   str(), repr(), %-format, f-strings, number printing
  engine       V8: compiling the module, garbage collection, start-up
  other runtime   the rest of portalis_rt

and prints, per program, the parts above 3% of its samples, then the five
hottest functions. The figures say what to make faster next; they are
samples of one run (1 ms interval), so parts under a few percent are noise.

usage: bench/where.py [--top N] [PROGRAM.py ...]
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUSTC = os.environ.get("RUSTC", "/usr/bin/rustc")
RT = os.path.join(TOP, "agents", "runtime")

# (part, regular expression over the demangled-ish symbol), first match wins
PARTS = [
    ("engine", r"^\(garbage collector\)$|^\(program\)$|^\(idle\)$|^compile|^instantiate|^\(root\)$|^node:|^internal/|^$"),
    ("refcounts", r"Value\$u20\$as\$u20\$core\.\.clone|drop_in_place|Rc\$LT\$T\$GT\$\$u20\$as\$u20\$core\.\.ops\.\.drop|Rc\$LT\$T\$GT\$\$u20\$as\$u20\$core\.\.clone"),
    ("allocation", r"smalloc|dlmalloc|dlfree|dlrealloc|__rg_alloc|__rg_dealloc|__rg_realloc|__rust_alloc|__rust_dealloc|__rust_realloc|^sbrk$|^memcpy$|^memmove$|^memset$|dispose_chunk|raw_vec|finish_grow|^malloc$|^free$|^realloc$|^calloc$"),
    ("program", r"^_ZN4main"),
    ("exceptions", r"exc|traceback|Frame.*unwind|new_exc|PyErr"),
    ("attributes", r"portalis_rt(5extra2ga|5extra2sa|4attr|6object(6lookup|13lookup|4bind|11class_facts)|5value6StrMap|5value8name_tag|5value11intern_name)"),
    ("calls", r"portalis_rt(5extra2cm|4call|5extra4func|5frame|5Frame)|enter_call|call_function|call_method"),
    ("iteration", r"portalis_rt(4iter|3gen)|GenFuture|YieldFut|future\.\.Future|RangeIter"),
    ("formatting", r"portalis_rt(6format|5value5Value3str|5value5Value4repr|3fmt)|core\.\.fmt|core3fmt|float_to_decimal|fmt\.\.Write|write_str|pad_integral|flt2dec|dec2flt"),
    ("operators", r"portalis_rt(3ops|4cmp)|_b17h|hash"),
    ("containers", r"portalis_rt(7methods|5value4Dict|5value3Set|5value4List|4attr7getitem|4attr7setitem|4attr12getitem|5tuple|4list|4dict)|hashbrown|slice|Vec"),
    ("stdlib", r"portalis_rt(6stdlib|3ext|7bigint|5regex|2re|4json|6random)"),
    ("other runtime", r"portalis_rt|^std|^core|^alloc|^_ZN3std|^_ZN4core|^_ZN5alloc"),
]
PARTS_RE = [(p, re.compile(rx)) for p, rx in PARTS]


def part_of(name):
    for p, rx in PARTS_RE:
        if rx.search(name):
            return p
    return "other runtime"


def short(name):
    """A readable name for a mangled Rust symbol: the path segments."""
    m = re.match(r"^_ZN(.*)17h[0-9a-f]{16}E", name)
    if not m:
        return name[:80]
    s, out = m.group(1), []
    while s and s[0].isdigit():
        n = re.match(r"\d+", s).group(0)
        s = s[len(n):]
        out.append(s[: int(n)])
        s = s[int(n):]
    return "::".join(out).replace("$LT$", "<").replace("$GT$", ">").replace("$u20$", " ")[:80]


def build(src, work):
    crate = os.path.join(work, "crate")
    r = subprocess.run([os.path.join(TOP, "tests", "rs_emit"), src, crate], capture_output=True, text=True)
    if r.returncode:
        return None, "rs_emit failed: " + (r.stderr or r.stdout).strip()[-200:]
    wasm = os.path.join(work, "m.wasm")
    r = subprocess.run([RUSTC, "--edition", "2021", "-O", "--target", "wasm32-wasi", "--crate-type", "bin",
                        "--crate-name", "main", "--extern", "portalis_rt=%s/libportalis_rt.rlib" % RT, "-L", RT,
                        "-C", "link-arg=-zstack-size=33554432", "-C", "target-feature=+bulk-memory",
                        "-o", wasm, os.path.join(crate, "src", "main.rs")], capture_output=True, text=True)
    if r.returncode:
        return None, "rustc failed: " + r.stderr.strip()[-200:]
    return wasm, None


def profile(wasm, cwd, work):
    pdir = os.path.join(work, "prof")
    subprocess.run(["node", "--cpu-prof", "--cpu-prof-dir=" + pdir, os.path.join(TOP, "contrib", "run.mjs"), wasm],
                   cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    best, best_n = None, -1
    for f in glob.glob(os.path.join(pdir, "*.cpuprofile")):
        with open(f) as fh:
            d = json.load(fh)
        # the thread that runs the module has the most samples that are not idle
        names = {n["id"]: n["callFrame"]["functionName"] for n in d["nodes"]}
        d["samples"] = [s for s in d["samples"] if names.get(s) != "(idle)"]
        if len(d["samples"]) > best_n:
            best, best_n = d, len(d["samples"])
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--top", type=int, default=5, help="hottest functions to list (default 5)")
    ap.add_argument("programs", nargs="*")
    a = ap.parse_args()
    progs = a.programs or sorted(glob.glob(os.path.join(TOP, "bench", "programs", "*.py")))
    if not os.path.exists(os.path.join(TOP, "tests", "rs_emit")):
        sys.exit("bench/where.py: build tests/rs_emit first (make tests/rs_emit)")
    for src in progs:
        name = os.path.basename(src)[:-3]
        with tempfile.TemporaryDirectory(prefix="portalis-where-") as work:
            wasm, why = build(os.path.abspath(src), work)
            if not wasm:
                print("%-16s %s" % (name, why))
                continue
            d = profile(wasm, os.path.dirname(os.path.abspath(src)), work)
            if not d or not d["samples"]:
                print("%-16s no profile" % name)
                continue
            nodes = {n["id"]: n["callFrame"]["functionName"] or n["callFrame"]["url"] for n in d["nodes"]}
            per_fn = collections.Counter(nodes[s] for s in d["samples"])
            total = sum(per_fn.values())
            parts = collections.Counter()
            for fn, c in per_fn.items():
                parts[part_of(fn)] += c
            line = ", ".join("%s %d%%" % (p, round(100 * c / total)) for p, c in parts.most_common() if 100 * c / total >= 3)
            print("%-16s %6d samples  %s" % (name, total, line))
            for fn, c in per_fn.most_common(a.top):
                print("%16s %5.1f%%  %s" % ("", 100 * c / total, short(fn)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
