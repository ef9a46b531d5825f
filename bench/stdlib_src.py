#!/usr/bin/env python3
"""How much of CPython's pure-Python standard library the translator
compiles from its installed source (issue 11). A figure, not a test.

For each pure-Python module of the oracle's standard library (a top-level
M.py or M/__init__.py; the runtime's native modules, the test suites, GUI
and platform-only packages left out) a one-line program `import M` is
translated (tests/rs_emit: the module and what it imports at top level are
parsed from their installed files), compiled for wasm32-wasi with the Build
stage's flags (-O), and run under Node (a smoke import: it must print what
CPython prints). The modules compiled from source are library crates of
their own (agents/tr_stdlib.c), built once and cached (tests/stdlib_libs.sh
does what agents/build.c does): each module's libraries are built cold into
an empty cache, then the program is compiled against them. Printed per
module: the stage reached, the translation time, the cold build time of its
cached libraries (and how many), the program's own rustc time (what a job
importing it pays once the libraries are cached), and the .wasm size added
over an empty program's; then the totals.

    python3 bench/stdlib_src.py [--translate-only] [--jobs N] [MODULE ...]

Figures (2026-12-07, the shared 2-core machine at load 11-17, --jobs 1, -O;
"before" is the same `import M` program compiled as one crate, as every job
did before the libraries were cached):

    module     before: rustc   cold library build   program rustc, cached   size added
    graphlib        7.3 s             5.8 s (1)              2.1 s            253,057
    shlex          10.3 s             7.3 s (1)              2.2 s          1,965,012
    difflib        30.6 s            20.7 s (1)              2.9 s          1,020,158
    ipaddress      28.6 s            28.3 s (1)              3.0 s            918,216
    html          140.6 s             8.4 s (2)              2.9 s            343,546

(bytes over `import sys`'s 1,060,769, before wasm-opt; shlex pulls in the
runtime's re, io and os. Linking a library instead of compiling the module
in the program's crate costs about 7 KB: graphlib came to 1,313,826 bytes,
1,306,536 as one crate. html's 140 s were html.entities' literal dicts,
now static tables.)

Run from the build tree (tests/rs_emit and the runtime rlib must be built).
"""
import concurrent.futures
import os
import subprocess
import sys
import sysconfig
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUSTC = os.environ.get("RUSTC", "/usr/bin/rustc")
NODE = os.environ.get("NODE", "node")
FLAGS = ["-O", "-C", "strip=symbols", "-C", "debuginfo=0", "-C", "target-feature=+bulk-memory",
         "-C", "link-arg=-zstack-size=33554432"]
LIBFLAGS = "-O -C debuginfo=0 -C target-feature=+bulk-memory"
SKIP = {"test", "idlelib", "tkinter", "turtledemo", "turtle", "lib2to3", "ensurepip", "venv", "distutils",
        "site-packages", "__phello__", "antigravity", "this", "msilib", "_osx_support", "_aix_support",
        "_bootsubprocess", "pydoc_data", "__pycache__"}


def native_modules():
    src = open(os.path.join(TOP, "agents/runtime/src/stdlib/mod.rs")).read()
    body = src[src.index("pub const STDLIB_MODULES"):]
    body = body[:body.index("];")]
    return {s.split('"')[1] for s in body.split(",") if '"' in s} | {"__future__"}


def candidates():
    d = sysconfig.get_paths()["stdlib"]
    native = native_modules()
    out = []
    for name in sorted(os.listdir(d)):
        full = os.path.join(d, name)
        if name.endswith(".py"):
            mod = name[:-3]
        elif os.path.isfile(os.path.join(full, "__init__.py")):
            mod = name
        else:
            continue
        if mod in SKIP or mod in native or mod.startswith("_"):
            continue
        out.append(mod)
    return out


def run(cmd, **kw):
    t = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    return p, time.monotonic() - t


def first_error(text):
    for line in text.splitlines():
        if "warning" not in line:
            return line[:160]
    return text.strip().splitlines()[0][:160] if text.strip() else ""


def one(mod, work, translate_only, base_size):
    d = os.path.join(work, mod)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "main.py"), "w") as f:
        f.write("import %s\nprint('ok')\n" % mod)
    crate = os.path.join(d, "crate")
    p, t_tr = run([os.path.join(TOP, "tests/rs_emit"), d, crate])
    if p.returncode != 0:
        return mod, "translate", t_tr, 0.0, 0, first_error(p.stderr), (0.0, 0)
    if translate_only:
        return mod, "translated", t_tr, 0.0, 0, "", (0.0, 0)
    wasm = os.path.join(d, "m.wasm")
    rt = os.path.join(TOP, "agents/runtime")
    rlib = "%s/libportalis_rt.rlib" % rt
    p, _ = run(["sh", os.path.join(TOP, "tests/stdlib_libs.sh"), crate, os.path.join(d, "libs"), RUSTC, rlib, LIBFLAGS])
    built = []
    log = os.path.join(crate, "stdlib/build.log")
    if os.path.exists(log):
        built = [l.split() for l in open(log) if " built " in l]
    libs = (sum(int(b[2]) for b in built) / 1000.0, len(built))
    if p.returncode != 0:
        return mod, "rustc-lib", t_tr, 0.0, 0, first_error(p.stderr), libs
    p, t_rc = run([RUSTC, "--edition", "2021"] + FLAGS + ["--target", "wasm32-wasi", "--extern",
                   "portalis_rt=%s" % rlib, "-L", rt] + p.stdout.split() + [os.path.join(crate, "src/main.rs"), "-o", wasm])
    if p.returncode != 0:
        err = [l for l in p.stderr.splitlines() if l.startswith("error")]
        return mod, "rustc", t_tr, t_rc, 0, (err[0] if err else p.stderr[:160])[:160], libs
    size = os.path.getsize(wasm) - base_size
    p, _ = run([NODE, os.path.join(TOP, "contrib/run.mjs"), "--argv0=main.py", wasm], cwd=d, timeout=60)
    if p.returncode != 0 or p.stdout != "ok\n":
        return mod, "run", t_tr, t_rc, size, first_error(p.stderr), libs
    return mod, "ok", t_tr, t_rc, size, "", libs


def main():
    args = sys.argv[1:]
    translate_only = "--translate-only" in args
    jobs = 2
    if "--jobs" in args:
        jobs = int(args[args.index("--jobs") + 1])
        del args[args.index("--jobs"):args.index("--jobs") + 2]
    mods = [a for a in args if not a.startswith("--")] or candidates()
    work = tempfile.mkdtemp(prefix="portalis-stdlib-src.")
    base_size = 0
    if not translate_only:
        r = one("sys", work, False, 0)  # a native module: the empty program's size
        base_size = r[4]
        print("baseline (import sys): %.2f s rustc, %d bytes" % (r[3], base_size))
    results = []
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        for r in ex.map(lambda m: one(m, work, translate_only, base_size), mods):
            results.append(r)
            mod, stage, t_tr, t_rc, size, err, (t_lib, nlib) = r
            print("%-18s %-10s translate %5.2f s  libraries %6.2f s (%d)  program rustc %6.2f s  +%8d bytes  %s" %
                  (mod, stage, t_tr, t_lib, nlib, t_rc, size, err), flush=True)
    n = len(results)
    ok = [r for r in results if r[1] in ("ok", "translated")]
    translated = [r for r in results if r[1] != "translate"]
    compiled = [r for r in results if r[1] in ("run", "ok")]
    print("modules tried: %d; translated: %d; compiled: %d; smoke import passes: %d" %
          (n, len(translated), len(compiled), len([r for r in results if r[1] == "ok"])))
    if compiled:
        print("cold library build per module (s): median %.2f, max %.2f; program rustc with the libraries cached (s): "
              "median %.2f, max %.2f; size added per module (bytes): median %d, max %d" % (
                  sorted(r[6][0] for r in compiled)[len(compiled) // 2], max(r[6][0] for r in compiled),
                  sorted(r[3] for r in compiled)[len(compiled) // 2], max(r[3] for r in compiled),
                  sorted(r[4] for r in compiled)[len(compiled) // 2], max(r[4] for r in compiled)))
    if translate_only:
        print("translated: %s" % " ".join(r[0] for r in ok))


if __name__ == "__main__":
    main()
