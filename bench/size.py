#!/usr/bin/env python3
"""Bench: module size and time to first output (issue 12).

Prints:
  - the size of module.wasm for print("hi") and for every case of the shared
    corpus (each case, then the median and the maximum);
  - the time from process start to the first line of output for print("hi"):
    `node contrib/run.mjs module.wasm` against `python -c 'print("hi")'`
    (median, min and max of --runs, default 20, interleaved), and the whole
    process until exit and its CPU time (user + system, all threads) for both.

Times are wall clock (a latency); on a loaded machine they mostly measure the
other jobs, so the load average is printed with them.

usage: bench/size.py [--runs N] [--python PATH] [--no-corpus] [--keep DIR]
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
CORPUS = os.environ.get("PORTALIS_CORPUS") or os.path.join(TOP, "..", "shared", "corpus")


def translate(src, out):
    t0 = time.perf_counter()
    p = subprocess.run([os.path.join(TOP, "portalis"), "translate", src, "-o", out], capture_output=True, text=True)
    wasm = os.path.join(out, "module.wasm")
    ok = p.returncode == 0 and os.path.exists(wasm)
    return (wasm if ok else None), time.perf_counter() - t0


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def first_line(cmd, cwd):
    """Seconds from spawning cmd to its first stdout line, to its exit, and
    the CPU seconds (user + system, all threads) it used."""
    c0 = child_cpu()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, cwd=cwd)
    line = p.stdout.readline()
    t1 = time.perf_counter()
    p.stdout.read()
    p.wait()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t0, child_cpu() - c0, line


def summary(ts):
    return "median %6.1f ms  (min %6.1f, max %6.1f)" % (
        statistics.median(ts) * 1000, min(ts) * 1000, max(ts) * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--python", default=sys.executable, help="CPython to compare with (default: this one)")
    ap.add_argument("--no-corpus", action="store_true", help="only print(\"hi\")")
    ap.add_argument("--keep", default="", help="keep the translated modules in this folder")
    a = ap.parse_args()
    tmp = a.keep or tempfile.mkdtemp(prefix="portalis-size-")
    os.makedirs(tmp, exist_ok=True)
    print("portalis size bench: %s, CPython %s, Node %s, %d CPUs, load %s" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), a.python,
        subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
        os.cpu_count(), " ".join("%.1f" % x for x in os.getloadavg())))

    hi = os.path.join(tmp, "hi.py")
    with open(hi, "w") as f:
        f.write('print("hi")\n')
    wasm, tt = translate(hi, os.path.join(tmp, "hi"))
    if wasm is None:
        print('print("hi"): translate failed')
        return 1
    print('print("hi"): module %d bytes (%.1f KB), translate+compile %.1f s' % (
        os.path.getsize(wasm), os.path.getsize(wasm) / 1024, tt))

    node_first, node_exit, node_cpu, py_first, py_exit, py_cpu = [], [], [], [], [], []
    run_mjs = os.path.join(TOP, "contrib", "run.mjs")
    for _ in range(a.runs):
        f, e, c, line = first_line(["node", run_mjs, wasm], tmp)
        if line != b"hi\n":
            print("node printed %r" % line)
        node_first.append(f)
        node_exit.append(e)
        node_cpu.append(c)
        f, e, c, line = first_line([a.python, "-c", 'print("hi")'], tmp)
        py_first.append(f)
        py_exit.append(e)
        py_cpu.append(c)
    print("time to first output, %d runs:" % a.runs)
    print("  node contrib/run.mjs     first line %s" % summary(node_first))
    print("                                 exit %s   cpu %s" % (summary(node_exit), summary(node_cpu)))
    print("  python -c 'print(\"hi\")'  first line %s" % summary(py_first))
    print("                                 exit %s   cpu %s" % (summary(py_exit), summary(py_cpu)))
    print("  ratio node/python (medians, first line): %.2f" % (statistics.median(node_first) / statistics.median(py_first)))

    if a.no_corpus or not os.path.isdir(CORPUS):
        return 0
    print()
    sizes = []
    failed = []
    for tier in sorted(os.listdir(CORPUS)):
        tdir = os.path.join(CORPUS, tier)
        if not os.path.isdir(tdir):
            continue
        for case in sorted(os.listdir(tdir)):
            cdir = os.path.join(tdir, case)
            if not os.path.exists(os.path.join(cdir, "main.py")) or os.path.exists(os.path.join(cdir, "expected_error")):
                continue
            name = tier + "/" + case
            src = cdir if tier == "t4_packages" else os.path.join(cdir, "main.py")
            wasm, tt = translate(src, os.path.join(tmp, name.replace("/", "_")))
            if wasm is None:
                failed.append(name)
                print("%-40s translate failed" % name, flush=True)
                continue
            size = os.path.getsize(wasm)
            sizes.append((size, name))
            print("%-40s %9d bytes  %7.1f KB" % (name, size, size / 1024), flush=True)
    if sizes:
        big = max(sizes)
        print("\ncorpus: %d modules, median %.1f KB, max %.1f KB (%s), min %.1f KB%s" % (
            len(sizes), statistics.median(s for s, _ in sizes) / 1024, big[0] / 1024, big[1],
            min(sizes)[0] / 1024, ", %d failed to translate" % len(failed) if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
