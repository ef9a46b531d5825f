#!/usr/bin/env python3
"""Bench: upload a fibonacci script to a downloadable module.wasm through the
REST API. Starts portalisd on a loopback port with a fresh data directory,
submits fib.py N times (each upload adds a different constant, so the
generated crate differs and the build cache does not hide the compile; a
last run repeats an upload to show the cache),
waits for each job with ?wait=60, downloads module.wasm, and prints the
median wall time plus the median duration of every stage.

usage: bench/upload_fib.py [RUNS]      (default 10)
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from api_test import Server  # noqa: E402

FIB = """def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

for i in range(20):
    print(i, fib(i) + %d)
"""


def source(k):
    return (FIB % k).encode()


def one(s, src):
    t0 = time.time()
    r, job = s.submit(src, query="?wait=60")
    job = s.wait_terminal(job["id"])
    wasm = [a for a in job["artifacts"] if a["name"] == "module.wasm"]
    if job["state"] != "succeeded" or not wasm:
        raise SystemExit("job %s ended %s (%s): %s" % (job["id"], job["state"], job.get("reason"), job.get("message")))
    r, data = s.request("GET", wasm[0]["url"])
    assert r.status == 200 and len(data) == wasm[0]["size"]
    return time.time() - t0, job, len(data)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    s = Server("--workers", "1")
    try:
        one(s, source(100))
        walls, stages = [], {}
        size = 0
        for i in range(runs):
            wall, job, size = one(s, source(i))
            walls.append(wall)
            for st in job["stages"]:
                stages.setdefault(st["name"], []).append(st["duration_ms"] or 0)
        cached, cjob, _ = one(s, source(0))
        print("upload -> module.wasm, %d runs: median %.3f s (min %.3f, max %.3f); module.wasm %d bytes"
              % (runs, statistics.median(walls), min(walls), max(walls), size))
        for name, ms in stages.items():
            print("  stage %-9s median %7.1f ms" % (name, statistics.median(ms)))
        print("  identical upload (build cache): %.3f s, build stage %s ms" % (cached, cjob["stages"][4]["duration_ms"]))
        print("  target < 1 s: %s" % ("met" if statistics.median(walls) < 1 else "NOT met"))
    finally:
        s.close()


if __name__ == "__main__":
    main()
