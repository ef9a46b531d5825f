#!/usr/bin/env python3
"""The corpus end to end, through the real server over HTTP.

For every case of ../shared/corpus (or $PORTALIS_CORPUS): zip the case's .py
files, POST them with the case's args/stdin as the test vector and ?wait=60,
then
  - expected_error cases: the job must be `failed` with a diagnostic at
    exactly that line and column;
  - the others: download module.wasm, run it under Node's WASI with the
    case's args and stdin, and compare stdout and exit status byte for byte
    with expected_stdout / expected_rc (and, where the case has one, the
    last line of stderr with expected_stderr_last_line).
Prints one line per case and a pass count per tier.

Cases the translator does not handle yet are listed in
tests/corpus_known_failures.txt. The run fails if a case not on that list
fails, and also if a listed case passes (so the list only shrinks: remove
the line).
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_test import Server, TOP_SRC, TOP_BUILD  # noqa: E402

CORPUS = os.environ.get("PORTALIS_CORPUS") or os.path.join(TOP_SRC, "..", "shared", "corpus")
KNOWN = os.path.join(TOP_SRC, "tests", "corpus_known_failures.txt")
NODE = os.environ.get("NODE", "node")
RUNNER = os.path.join(TOP_SRC, "contrib", "run.mjs")


# The project's own tier of real-world-style programs (issue 11), in the
# corpus format, run beside the shared corpus.
T6 = os.path.join(TOP_SRC, "tests", "t6_realworld")


def cases():
    out = []
    roots = [(t, os.path.join(CORPUS, t)) for t in sorted(os.listdir(CORPUS))]
    if os.path.isdir(T6):
        roots.append(("t6_realworld", T6))
    for tier, tdir in roots:
        if not os.path.isdir(tdir) or not tier.startswith("t"):
            continue
        for case in sorted(os.listdir(tdir)):
            if os.path.isfile(os.path.join(tdir, case, "main.py")):
                out.append((tier, case, os.path.join(tdir, case)))
    return out


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def case_zip(cdir):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for root, dirs, files in os.walk(cdir):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for f in sorted(files):
                if f.endswith(".py"):
                    full = os.path.join(root, f)
                    z.write(full, os.path.relpath(full, cdir))
    return buf.getvalue()


def run_case(s, tier, case, cdir):
    """Returns (ok, detail)."""
    args = read(os.path.join(cdir, "args"), "r").splitlines() if os.path.exists(os.path.join(cdir, "args")) else []
    stdin = read(os.path.join(cdir, "stdin")) if os.path.exists(os.path.join(cdir, "stdin")) else b""
    opts = {"vectors": [{"args": args, "stdin": stdin.decode("utf-8")}]}
    r, job = s.submit(case_zip(cdir), query="?entry=main.py&wait=60&options=" + quote(json.dumps(opts)),
                      ctype="application/zip")
    if r.status not in (200, 202):
        return False, "upload answered %d: %s" % (r.status, job)
    job = s.wait_terminal(job["id"], timeout=300)
    err_file = os.path.join(cdir, "expected_error")
    if os.path.exists(err_file):
        want = read(err_file, "r").split()[1]  # "SyntaxError 3:7"
        line, col = (int(x) for x in want.split(":"))
        if job["state"] != "failed":
            return False, "expected a failed job, got %s (%s)" % (job["state"], job.get("reason"))
        got = ["%d:%d" % (d["line"], d["col"]) for d in job["diagnostics"]]
        if "%d:%d" % (line, col) not in got:
            return False, "expected a diagnostic at %d:%d, got %s" % (line, col, got or "none")
        return True, "diagnostic at %d:%d" % (line, col)
    wasm = [a for a in job["artifacts"] if a["name"] == "module.wasm"]
    if not wasm:
        diag = "; ".join("%s:%s:%s %s" % (d["file"], d["line"], d["col"], d["message"]) for d in job["diagnostics"][:2])
        return False, "no module.wasm (job %s, %s: %s) %s" % (job["state"], job.get("reason"),
                                                               (job.get("message") or "")[:160], diag[:300])
    r, data = s.request("GET", wasm[0]["url"])
    if r.status != 200 or hashlib.sha256(data).hexdigest() != wasm[0]["sha256"]:
        return False, "module.wasm download failed or sha256 differs"
    path = os.path.join(s.dir, "%s-%s.wasm" % (tier, case))
    with open(path, "wb") as f:
        f.write(data)
    t0 = time.time()
    p = subprocess.run([NODE, RUNNER, path] + args, input=stdin, capture_output=True, timeout=60, cwd=cdir)
    dt = time.time() - t0
    want_out = read(os.path.join(cdir, "expected_stdout"))
    want_rc = int(read(os.path.join(cdir, "expected_rc"), "r").strip() or 0)
    if p.stdout != want_out or p.returncode != want_rc:
        exp = want_out.decode(errors="replace").splitlines()
        got = p.stdout.decode(errors="replace").splitlines()
        first = next((i for i in range(max(len(exp), len(got)))
                      if i >= len(exp) or i >= len(got) or exp[i] != got[i]), None)
        where = ""
        if first is not None:
            where = " first difference at line %d: expected %r, got %r" % (
                first + 1, exp[first] if first < len(exp) else "<eof>", got[first] if first < len(got) else "<eof>")
        return False, "rc %d (want %d)%s%s" % (p.returncode, want_rc, where,
                                             (" stderr: " + p.stderr.decode(errors="replace")[-200:]) if p.returncode != want_rc else "")
    # Optional: the last line of stderr (an uncaught exception's traceback
    # ends with "Type: message", the same as CPython's).
    tail_file = os.path.join(cdir, "expected_stderr_last_line")
    if os.path.exists(tail_file):
        want_tail = read(tail_file, "r").strip()
        lines = p.stderr.decode(errors="replace").strip().splitlines()
        got_tail = lines[-1] if lines else ""
        if got_tail != want_tail:
            return False, "last line of stderr %r, expected %r" % (got_tail, want_tail)
    return True, "ok (%.2fs, %d bytes wasm, job %s)" % (dt, len(data), job["state"])


def main():
    known = set()
    if os.path.exists(KNOWN):
        for line in read(KNOWN, "r").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                known.add(line)
    s = Server("--workers", "2")
    results = {}
    try:
        for tier, case, cdir in cases():
            name = "%s/%s" % (tier, case)
            try:
                ok, detail = run_case(s, tier, case, cdir)
            except Exception as ex:  # noqa: BLE001 - a harness error is a failure of that case
                ok, detail = False, "harness: %r" % ex
            results[name] = ok
            tag = "PASS" if ok else ("XFAIL" if name in known else "FAIL")
            print("%-5s %s: %s" % (tag, name, detail), flush=True)
    finally:
        s.close()
    tiers = {}
    for name, ok in results.items():
        t = name.split("/")[0]
        tiers.setdefault(t, [0, 0])
        tiers[t][0] += ok
        tiers[t][1] += 1
    print()
    for t, (p, n) in sorted(tiers.items()):
        print("corpus %-11s %2d/%d passed" % (t, p, n))
    total = sum(results.values())
    print("corpus total       %2d/%d passed" % (total, len(results)))
    unexpected_fail = sorted(n for n, ok in results.items() if not ok and n not in known)
    unexpected_pass = sorted(n for n, ok in results.items() if ok and n in known)
    stale = sorted(known - set(results))
    for n in unexpected_fail:
        print("UNEXPECTED FAILURE: %s (not in tests/corpus_known_failures.txt)" % n)
    for n in unexpected_pass:
        print("NOW PASSING: %s: remove it from tests/corpus_known_failures.txt" % n)
    for n in stale:
        print("STALE: %s is listed as a known failure but is not in the corpus" % n)
    bad = len(unexpected_fail) + len(unexpected_pass) + len(stale)
    print("%d passed, %d failed" % (total, len(results) - total))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
