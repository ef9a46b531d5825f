#!/usr/bin/env python3
"""End-to-end latency of GET /api/v1/jobs/{id}/similar at a given memory size.

    bench/tm_similar.py [ROWS...]      (default: 10000 100000)

Runs one real job (five functions) through a private portalisd, then for
each size fills the translation memory with ROWS synthetic verified
functions (random unit embeddings quantised as tm_embed.c does, written
with sqlite3 under a fake succeeded job), restarts the server so that it
loads them, and times 30 GETs of the real job's /similar (k=5): median and
p95 wall time as the client sees it, and the server's own elapsed_ms.
Figures only.
"""
import http.client, json, math, os, random, shutil, signal, sqlite3, struct, subprocess, sys, tempfile, time

TOP = os.environ.get("top_builddir") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = b'''def gcd(a, b):
    while b:
        a, b = b, a % b
    return a

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def mean(xs):
    return sum(xs) / len(xs)

def words(s):
    return [w.lower() for w in s.split() if w]

def primes(n):
    return [p for p in range(2, n) if all(p % d for d in range(2, p))]

print(gcd(12, 18), fib(15), mean([1, 2, 3]), words("A b"), primes(20))
'''

def start(d, args=()):
    p = subprocess.Popen([os.path.join(TOP, "portalisd"), "--listen", "127.0.0.1:0", "--data-dir", d,
                          "--log-level", "info", *args], stdout=subprocess.PIPE, stderr=open(os.path.join(d, "log"), "ab"))
    port = int(p.stdout.readline().decode().strip().rsplit(":", 1)[1])
    return p, port

def req(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data

def vec(rnd):
    x = [rnd.gauss(0, 1) for _ in range(256)]
    n = math.sqrt(sum(v * v for v in x))
    return struct.pack("<256h", *[int(math.floor(v / n * 2048 + 0.5)) if v >= 0 else -int(math.floor(-v / n * 2048 + 0.5)) for v in x])

def fill(db, rows, rnd):
    con = sqlite3.connect(db)
    con.execute("DELETE FROM tm_functions WHERE job_id='bench'")
    con.execute("INSERT OR IGNORE INTO jobs(id, state, entry, created_at) VALUES ('bench','succeeded','main.py',0)")
    pool = [vec(rnd) for _ in range(4096)]
    now = int(time.time() * 1000)
    con.executemany("INSERT INTO tm_functions(job_id,file,name,line,end_line,ast_hash,python,rust,translation,signature,"
                    "embedding,committed,created_at) VALUES ('bench','main.py',?,1,2,?,?,'','dynamic','f(x)',?,1,?)",
                    (("f%d" % i, "%064x" % i, "def f%d(x):\n    return x\n" % i, pool[i % 4096], now) for i in range(rows)))
    con.commit()
    con.close()

def main():
    sizes = [int(a) for a in sys.argv[1:]] or [10000, 100000]
    d = tempfile.mkdtemp(prefix="portalis-tmbench-")
    try:
        p, port = start(d)
        st, data = req(port, "POST", "/api/v1/jobs?wait=60", PROG, {"Content-Type": "text/x-python"})
        job = json.loads(data)
        while job["state"] in ("queued", "running"):
            st, data = req(port, "GET", "/api/v1/jobs/%s?wait=30" % job["id"])
            job = json.loads(data)
        assert job["state"] == "succeeded", job
        p.send_signal(signal.SIGTERM); p.wait()
        rnd = random.Random(1)
        for rows in sizes:
            fill(os.path.join(d, "portalis.db"), rows, rnd)
            t0 = time.time()
            p, port = start(d)
            ready = time.time() - t0
            _, rz = req(port, "GET", "/readyz")
            dev = json.loads(rz)["translation_memory"]["device"]
            times, server = [], []
            for i in range(33):
                t = time.perf_counter()
                st, data = req(port, "GET", "/api/v1/jobs/%s/similar?k=5" % job["id"])
                dt = time.perf_counter() - t
                assert st == 200, data
                if i >= 3:
                    times.append(dt)
                    server.append(json.loads(data)["elapsed_ms"])
            times.sort(); server.sort()
            nf = len(json.loads(data)["functions"])
            print("similar e2e  %8d functions in memory, %d queries/request, %s: median %.2f ms, p95 %.2f ms "
                  "(server %.0f ms; start with load %.2f s)" % (rows + nf, nf, dev, times[len(times) // 2] * 1e3,
                  times[int(len(times) * 0.95)] * 1e3, server[len(server) // 2], ready))
            p.send_signal(signal.SIGTERM); p.wait()
    finally:
        shutil.rmtree(d, ignore_errors=True)

if __name__ == "__main__":
    main()
