#!/usr/bin/env python3
"""Bench: run speed of the translated WASM against CPython.

For every program in bench/programs/ (and, with --corpus, every case of the
shared corpus): translate + compile with `portalis translate` (timed), then run
each program RUNS times under CPython and as WASM under Node, interleaved, and
print per program:

  kind     num (the hot loops are int/float arithmetic on locals and lists) or
           obj (classes, dicts, strings, generators, exceptions); from the
           program's `# bench: numeric|object` header line
  tr s     translate + compile seconds (`portalis translate prog.py -o DIR`)
  KB       size of module.wasm
  py       CPython, whole process (`python prog.py`)
  py-in    CPython in-process: the program alone, without interpreter
           start-up (bench/pyrun.py: runpy around the program)
  wasm     WASM, whole process (node + compile + instantiate + run)
  wasm-in  WASM in-process: wasi.start alone (bench/run_timed.mjs, which is
           contrib/run.mjs plus two clock reads)
  x        CPython/WASM, whole process (> 1: the WASM is faster)
  x-in     CPython/WASM, in-process
  out      "same" when stdout and exit status are identical in every run

Each time is the median of the runs. Then the geometric means of x and x-in
over the programs whose output is identical: all of them, the numeric subset
and the rest; and the programs slowest relative to CPython.

The clock: --clock cpu (default) counts user + system CPU seconds of the
process (all threads: Node's compiler and GC threads too; for the in-process
figures the same span inside the process). On this shared 2-core machine the
wall clock mostly measures the other jobs; --clock wall gives wall-clock
seconds for a quiet machine.

usage: bench/speed.py [--runs N] [--only SUBSTRING] [--clock cpu|wall]
                      [--python PATH] [--corpus] [--keep DIR]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(TOP, "bench")
PROGRAMS = os.path.join(BENCH, "programs")
CORPUS = os.environ.get("PORTALIS_CORPUS") or os.path.join(TOP, "..", "shared", "corpus")
TIMEOUT = 900


def kind_of(path):
    """'num' or 'obj' from the `# bench: numeric|object` header line."""
    try:
        with open(path, encoding="utf-8") as f:
            for _ in range(5):
                line = f.readline()
                if line.startswith("# bench:"):
                    return "num" if "numeric" in line else "obj"
    except OSError:
        pass
    return "-"


def run_once(cmd, stdin, cwd):
    """Runs cmd; returns (stdout, rc, stderr, wall seconds)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    try:
        out, err = p.communicate(stdin, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    wall = time.perf_counter() - t0
    return out, p.returncode, err, wall


def child_cpu():
    """CPU seconds of every reaped child so far; a run's is the difference."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timing_line(err):
    """Parses 'portalis-timing start_ms=.. run_ms=.. run_cpu_ms=..' from stderr."""
    for line in reversed(err.decode("utf-8", "replace").splitlines()):
        if line.startswith("portalis-timing "):
            vals = {}
            for item in line.split()[1:]:
                k, _, v = item.partition("=")
                vals[k] = float(v)
            return vals
    return None


class Measure:
    """One command measured several times: whole-process and in-process."""

    def __init__(self):
        self.whole = []
        self.inproc = []
        self.outs = []
        self.errs = []

    def add(self, cmd, stdin, cwd, clock):
        c0 = child_cpu()
        out, rc, err, wall = run_once(cmd, stdin, cwd)
        cpu = child_cpu() - c0
        t = timing_line(err)
        self.whole.append(cpu if clock == "cpu" else wall)
        if t is not None:
            self.inproc.append((t["run_cpu_ms"] if clock == "cpu" else t["run_ms"]) / 1000.0)
        self.outs.append((out, rc))
        self.errs.append(b"\n".join(l for l in err.splitlines() if not l.startswith(b"portalis-timing ")))
        return out, rc, err

    def med(self):
        return statistics.median(self.whole)

    def med_in(self):
        return statistics.median(self.inproc) if self.inproc else None


def translate(src, out):
    t0 = time.perf_counter()
    p = subprocess.run([os.path.join(TOP, "portalis"), "translate", src, "-o", out],
                       capture_output=True, text=True)
    tt = time.perf_counter() - t0
    wasm = os.path.join(out, "module.wasm")
    if p.returncode or not os.path.exists(wasm):
        lines = [l for l in (p.stderr + p.stdout).strip().splitlines() if l.strip()]
        return None, tt, (lines or ["?"])[-1]
    return wasm, tt, None


def fmt_t(t):
    return "%7.3f" % t if t is not None else "      -"


def fmt_x(x):
    return "%6.2f" % x if x else "     -"


HEADER = "%-34s %-4s %6s %6s %7s %7s %7s %7s %6s %6s  %s" % (
    "program", "kind", "tr s", "KB", "py", "py-in", "wasm", "wasm-in", "x", "x-in", "out")


def bench_one(name, kind, src, cwd, script, args, stdin, runs, tmp, clock, python):
    out = os.path.join(tmp, name.replace("/", "_"))
    wasm, tt, why = translate(src, out)
    if wasm is None:
        print("%-34s %-4s %6.1f  translate failed: %s" % (name, kind, tt, why[:100]), flush=True)
        return None
    size = os.path.getsize(wasm)
    py, pyin, wa = Measure(), Measure(), Measure()
    for _ in range(runs):
        py.add([python, script] + args, stdin, cwd, clock)
        pyin.add([python, os.path.join(BENCH, "pyrun.py"), script] + args, stdin, cwd, clock)
        wa.add(["node", os.path.join(BENCH, "run_timed.mjs"), wasm] + args, stdin, cwd, clock)
    ref = py.outs[0]
    same = all(o == ref for o in py.outs + pyin.outs + wa.outs)
    status = "same"
    if not same:
        status = "DIFFERENT OUTPUT" if wa.outs[0] != ref else "UNSTABLE OUTPUT"
        for side, m in (("python", py), ("pyrun", pyin), ("wasm", wa)):
            for i, (o, rc) in enumerate(m.outs):
                if (o, rc) != ref:
                    status += "; %s run %d: rc %s, %d bytes (python: rc %s, %d bytes)%s" % (
                        side, i + 1, rc, len(o), ref[1], len(ref[0]),
                        (", stderr: " + m.errs[i][-200:].decode("utf-8", "replace").strip().replace("\n", " | "))
                        if m.errs[i].strip() else "")
    r = {"name": name, "kind": kind, "tt": tt, "size": size, "same": same,
         "py": py.med(), "pyin": pyin.med_in(), "wa": wa.med(), "wain": wa.med_in()}
    r["x"] = r["py"] / r["wa"] if r["wa"] else None
    r["xin"] = r["pyin"] / r["wain"] if r["pyin"] and r["wain"] else None
    print("%-34s %-4s %6.1f %6d %s %s %s %s %s %s  %s" % (
        name, kind, tt, size // 1024, fmt_t(r["py"]), fmt_t(r["pyin"]), fmt_t(r["wa"]), fmt_t(r["wain"]),
        fmt_x(r["x"]), fmt_x(r["xin"]), status), flush=True)
    return r


def geomean_line(label, rows):
    ok = [r for r in rows if r and r["same"] and r["x"] and r["xin"]]
    if not ok:
        return "%-28s no program with equal output" % label
    faster = sum(1 for r in ok if r["x"] > 1.0)
    return "%-28s %2d programs  geomean x %6.2f  x-in %6.2f   WASM faster (whole process) on %d of %d" % (
        label, len(ok), statistics.geometric_mean([r["x"] for r in ok]),
        statistics.geometric_mean([r["xin"] for r in ok]), faster, len(ok))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per program and side (median; default 3)")
    ap.add_argument("--only", default="", help="only programs whose name contains this")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    ap.add_argument("--python", default=sys.executable, help="CPython to compare with (default: this one)")
    ap.add_argument("--corpus", action="store_true", help="also every case of the shared corpus")
    ap.add_argument("--no-corpus", action="store_true", help="(the default; kept for old command lines)")
    ap.add_argument("--keep", default="", help="keep the translated modules in this folder")
    a = ap.parse_args()
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
        tmp = a.keep
    else:
        tmp = tempfile.mkdtemp(prefix="portalis-bench-")
    pyver = subprocess.run([a.python, "-c", "import sys; print(sys.version.split()[0])"],
                           capture_output=True, text=True).stdout.strip()
    nodever = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print("portalis bench: %s, clock %s, median of %d runs; CPython %s (%s), Node %s; %d CPUs, load %s" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), a.clock, a.runs, pyver, a.python, nodever,
        os.cpu_count(), " ".join("%.1f" % x for x in os.getloadavg())))

    # start-up of an empty program on each side, for reading short programs
    empty = os.path.join(tmp, "empty.py")
    with open(empty, "w") as f:
        f.write("pass\n")
    wasm, _, _ = translate(empty, os.path.join(tmp, "empty"))
    if wasm:
        e_py, e_wa = Measure(), Measure()
        for _ in range(max(a.runs, 5)):
            e_py.add([a.python, empty], b"", tmp, a.clock)
            e_wa.add(["node", os.path.join(BENCH, "run_timed.mjs"), wasm], b"", tmp, a.clock)
        print("start-up of an empty program: cpython %.3f s, wasm (node) %.3f s (%d KB module)"
              % (e_py.med(), e_wa.med(), os.path.getsize(wasm) // 1024))
    print()
    print(HEADER)
    rows = []
    for f in sorted(os.listdir(PROGRAMS)):
        if f.endswith(".py") and a.only in f:
            path = os.path.join(PROGRAMS, f)
            rows.append(bench_one(f[:-3], kind_of(path), path, PROGRAMS, f, [], b"", a.runs, tmp, a.clock,
                                  a.python))
    corpus_rows = []
    if a.corpus and os.path.isdir(CORPUS):
        print()
        for tier in sorted(os.listdir(CORPUS)):
            tdir = os.path.join(CORPUS, tier)
            if not os.path.isdir(tdir) or tier == "t5_errors":
                continue
            for case in sorted(os.listdir(tdir)):
                cdir = os.path.join(tdir, case)
                name = tier + "/" + case
                if a.only not in name or not os.path.exists(os.path.join(cdir, "main.py")):
                    continue
                argf, inf = os.path.join(cdir, "args"), os.path.join(cdir, "stdin")
                args = open(argf).read().splitlines() if os.path.exists(argf) else []
                stdin = open(inf, "rb").read() if os.path.exists(inf) else b""
                src = cdir if tier == "t4_packages" else os.path.join(cdir, "main.py")
                corpus_rows.append(bench_one(name, "-", src, cdir, "main.py", args, stdin, a.runs, tmp,
                                             a.clock, a.python))

    print()
    failed = [r for r in rows if r is None]
    differ = [r for r in rows if r and not r["same"]]
    if rows:
        print(geomean_line("bench programs, all", rows))
        print(geomean_line("bench programs, numeric", [r for r in rows if r and r["kind"] == "num"]))
        print(geomean_line("bench programs, object", [r for r in rows if r and r["kind"] == "obj"]))
        if failed or differ:
            print("not counted: %d failed to translate, %d with different output" % (len(failed), len(differ)))
        ok = sorted((r for r in rows if r and r["same"] and r["x"]), key=lambda r: r["x"])
        if ok:
            print("slowest relative to CPython (whole process): " +
                  ", ".join("%s x%.2f" % (r["name"], r["x"]) for r in ok[:5]))
    if corpus_rows:
        print(geomean_line("corpus", corpus_rows))


if __name__ == "__main__":
    main()
