#!/usr/bin/env python3
"""Integration tests of portalisd over real HTTP on a loopback port.

Each test class starts the real server binary on 127.0.0.1 with port 0 (it
prints the port it got) and a temporary data directory, and talks to it with
http.client. Covered:
  - every endpoint: create (raw, zip, tar.gz, multipart), get, list
    (pagination, state filter), events (SSE, Last-Event-ID, end event),
    cancel, delete, artifacts list/download, healthz, readyz, metrics,
    openapi, static files;
  - every error status: 400, 401, 403, 404 (also another owner's job),
    405, 409, 413, 415, 422, 429, 503, all as application/problem+json;
  - long-poll (?wait= on GET and POST) and ETag / If-None-Match;
  - bad uploads: zip slip, symlink, absolute path, oversize, zip bomb,
    empty body, wrong content type, non-UTF-8 names, device entries;
  - token scoping and the token commands;
  - durability: kill -9 with jobs queued and running, restart, every job
    terminal; 50 concurrent submissions all complete; SIGTERM re-queues.
"""
import http.client
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import unittest
import zipfile

TOP_BUILD = os.environ.get("top_builddir") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP_SRC = os.environ.get("top_srcdir") or TOP_BUILD
PORTALISD = os.path.join(TOP_BUILD, "portalisd")

HELLO = b'print("hello from portalis")\n'


class Server:
    """A portalisd process on a private port and data directory."""

    def __init__(self, *args, data_dir=None, env=None):
        self.own_dir = data_dir is None
        self.dir = data_dir or tempfile.mkdtemp(prefix="portalis-api-")
        self.args = list(args)
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.port = None
        self.start()

    def start(self):
        cmd = [PORTALISD, "--listen", "127.0.0.1:0", "--data-dir", self.dir,
               "--web-dir", os.path.join(TOP_SRC, "web"), "--log-level", "warn"] + self.args
        self.log = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, env=self.env)
        line = self.proc.stdout.readline().decode()
        if "listening on" not in line:
            raise RuntimeError("portalisd did not start: %r (log in %s)" % (line, self.dir))
        self.port = int(line.strip().rsplit(":", 1)[1])

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)

    def request(self, method, path, body=None, headers=None, token=None):
        c = self.conn()
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r, data

    def json(self, method, path, body=None, headers=None, token=None):
        r, data = self.request(method, path, body, headers, token)
        ctype = r.getheader("Content-Type") or ""
        obj = json.loads(data) if data and "json" in ctype else None
        return r, obj

    def submit(self, source=HELLO, query="", token=None, ctype="text/x-python"):
        return self.json("POST", "/api/v1/jobs" + query, source, {"Content-Type": ctype}, token)

    def wait_terminal(self, job_id, token=None, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r, job = self.json("GET", "/api/v1/jobs/%s?wait=10" % job_id, token=token)
            assert r.status == 200, (r.status, job)
            if job["state"] not in ("queued", "running"):
                return job
        raise AssertionError("job %s not terminal after %ss" % (job_id, timeout))

    def token(self, name, *extra):
        out = subprocess.run([PORTALISD, "--data-dir", self.dir, "token", "create", "--name", name] + list(extra),
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stdout.close()
        self.log.close()
        return self.proc.returncode

    def close(self):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def zip_bytes(entries):
    """entries: list of (name, data, external_attr or None)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, attr in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if attr is not None:
                info.external_attr = attr
            z.writestr(info, data)
    return buf.getvalue()


def tar_gz(members, encoding="utf-8", fmt=tarfile.PAX_FORMAT):
    """members: list of (TarInfo-kwargs dict, data or None)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=fmt, encoding=encoding) as t:
        for kw, data in members:
            ti = tarfile.TarInfo(kw.pop("name"))
            for k, v in kw.items():
                setattr(ti, k, v)
            if data is not None:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
    return buf.getvalue()


def multipart(files, fields=None):
    boundary = "----portalis-test-boundary-7f3a"
    out = io.BytesIO()
    for k, v in (fields or {}).items():
        out.write(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode())
    for name, data, ctype in files:
        out.write(("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                   "Content-Type: %s\r\n\r\n" % (boundary, name, ctype)).encode())
        out.write(data)
        out.write(b"\r\n")
    out.write(("--%s--\r\n" % boundary).encode())
    return out.getvalue(), "multipart/form-data; boundary=" + boundary


class ProblemMixin:
    def assertProblem(self, r, obj, status, code=None):
        self.assertEqual(r.status, status, obj)
        self.assertTrue((r.getheader("Content-Type") or "").startswith("application/problem+json"),
                        r.getheader("Content-Type"))
        self.assertEqual(obj["status"], status)
        self.assertIn("detail", obj)
        self.assertTrue(obj["type"].endswith("/" + obj["code"]))
        if code:
            self.assertEqual(obj["code"], code, obj)


class ApiTest(unittest.TestCase, ProblemMixin):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--workers", "2", "--max-upload", "65536", "--test-hooks")

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    # ---- basics
    def test_health_ready_metrics_openapi(self):
        r, obj = self.s.json("GET", "/healthz")
        self.assertEqual((r.status, obj["status"]), (200, "ok"))
        r, obj = self.s.json("GET", "/readyz")
        self.assertEqual(r.status, 200)
        self.assertTrue(obj["database"])
        r, data = self.s.request("GET", "/metrics")
        self.assertEqual(r.status, 200)
        text = data.decode()
        for needle in ("portalis_jobs{state=\"queued\"}", "portalis_queue_depth", "portalis_workers_busy",
                       "portalis_stage_duration_seconds_bucket", "portalis_http_requests_total{route=\"healthz\""):
            self.assertIn(needle, text)
        r, spec = self.s.json("GET", "/api/v1/openapi.json")
        self.assertEqual(r.status, 200)
        self.assertTrue(spec["openapi"].startswith("3."))
        for p in ("/api/v1/jobs", "/api/v1/jobs/{id}", "/api/v1/jobs/{id}/events", "/api/v1/jobs/{id}/cancel",
                  "/api/v1/jobs/{id}/artifacts", "/api/v1/jobs/{id}/artifacts/{name}", "/healthz", "/readyz",
                  "/metrics", "/api/v1/jobs/{id}/files"):
            self.assertIn(p, spec["paths"])

    def test_static_files(self):
        r, data = self.s.request("GET", "/")
        self.assertEqual(r.status, 200)
        self.assertIn("text/html", r.getheader("Content-Type"))
        etag = r.getheader("ETag")
        r2, _ = self.s.request("GET", "/", headers={"If-None-Match": etag})
        self.assertEqual(r2.status, 304)
        r, obj = self.s.json("GET", "/../../etc/passwd")
        self.assertEqual(r.status, 404)
        r, obj = self.s.json("GET", "/nope.js")
        self.assertProblem(r, obj, 404, "not_found")

    def test_unknown_route_and_method(self):
        r, obj = self.s.json("GET", "/api/v1/nothing")
        self.assertProblem(r, obj, 404, "not_found")
        r, obj = self.s.json("PUT", "/api/v1/jobs")
        self.assertProblem(r, obj, 405, "method_not_allowed")
        self.assertIn("POST", r.getheader("Allow"))
        self.assertIn("GET", r.getheader("Allow"))
        r, obj = self.s.json("PATCH", "/api/v1/jobs/abc")
        self.assertProblem(r, obj, 405)

    # ---- create / get / list
    def test_create_and_get(self):
        r, job = self.s.submit()
        self.assertEqual(r.status, 202, job)
        self.assertEqual(r.getheader("Location"), "/api/v1/jobs/" + job["id"])
        self.assertIn(job["state"], ("queued", "running"))
        self.assertEqual(job["entry"], "main.py")
        self.assertEqual([s["name"] for s in job["stages"]],
                         ["ingest", "analysis", "specgen", "transpile", "build", "test", "package"])
        for k in ("id", "state", "stage", "stages", "diagnostics", "artifacts", "created_at", "started_at",
                  "finished_at"):
            self.assertIn(k, job)
        done = self.s.wait_terminal(job["id"])
        self.assertIn(done["state"], ("succeeded", "failed", "error"))
        self.assertIsNotNone(done["finished_at"])
        # terminal: stages all settled
        self.assertNotIn("running", [s["state"] for s in done["stages"]])
        self.assertNotIn("pending", [s["state"] for s in done["stages"]])

    def test_post_wait(self):
        r, job = self.s.submit(query="?wait=60")
        self.assertEqual(r.status, 200, job)
        self.assertNotIn(job["state"], ("queued", "running"))
        r, job = self.s.submit(query="?wait=1&options=" + json.dumps({"debug_sleep_ms": 3000}).replace(" ", ""))
        self.assertEqual(r.status, 202, job)
        self.assertIn(job["state"], ("queued", "running"))
        self.s.wait_terminal(job["id"])

    def test_bad_wait(self):
        r, obj = self.s.json("GET", "/api/v1/jobs/0123?wait=abc")
        self.assertEqual(r.status, 400)
        r, obj = self.s.submit(query="?wait=61")
        self.assertProblem(r, obj, 400, "invalid_parameter")
        self.assertEqual(obj["errors"][0]["field"], "wait")

    def test_etag_and_long_poll(self):
        r, job = self.s.submit(query="?options=" + json.dumps({"debug_sleep_ms": 1500}).replace(" ", ""))
        jid = job["id"]
        r, cur = self.s.json("GET", "/api/v1/jobs/" + jid)
        etag = r.getheader("ETag")
        self.assertTrue(etag.startswith('"v'))
        r, _ = self.s.request("GET", "/api/v1/jobs/" + jid, headers={"If-None-Match": etag})
        self.assertIn(r.status, (200, 304))  # 304 unless it changed meanwhile
        # long-poll returns on the next change, well before the timeout
        t0 = time.time()
        r, nxt = self.s.json("GET", "/api/v1/jobs/%s?wait=30" % jid, headers={"If-None-Match": r.getheader("ETag") or etag})
        self.assertEqual(r.status, 200)
        self.assertLess(time.time() - t0, 25)
        self.assertNotEqual(r.getheader("ETag"), etag)
        done = self.s.wait_terminal(jid)
        # on a terminal job, wait answers at once
        t0 = time.time()
        r, same = self.s.json("GET", "/api/v1/jobs/%s?wait=20" % jid)
        self.assertLess(time.time() - t0, 5)
        self.assertEqual(same["state"], done["state"])
        # and an unchanged long-poll times out with 200 and the same ETag
        t0 = time.time()
        r2, _ = self.s.request("GET", "/api/v1/jobs/%s?wait=1" % jid, headers={"If-None-Match": r.getheader("ETag")})
        self.assertIn(r2.status, (200, 304))

    def test_list_pagination_and_filter(self):
        ids = []
        for _ in range(5):
            r, job = self.s.submit()
            ids.append(job["id"])
        seen, cursor, pages = [], None, 0
        while True:
            path = "/api/v1/jobs?limit=2" + ("&cursor=%d" % cursor if cursor else "")
            r, page = self.s.json("GET", path)
            self.assertEqual(r.status, 200)
            seen += [j["id"] for j in page["jobs"]]
            pages += 1
            cursor = page["next_cursor"]
            if not cursor:
                break
        # newest first, and our five jobs appear in reverse submission order
        pos = [seen.index(i) for i in ids]
        self.assertEqual(pos, sorted(pos, reverse=True))
        self.assertGreaterEqual(pages, 3)
        for jid in ids:
            self.s.wait_terminal(jid)
        r, page = self.s.json("GET", "/api/v1/jobs?state=queued&limit=200")
        self.assertTrue(all(j["state"] == "queued" for j in page["jobs"]))
        r, obj = self.s.json("GET", "/api/v1/jobs?state=bogus")
        self.assertProblem(r, obj, 400)
        r, obj = self.s.json("GET", "/api/v1/jobs?limit=0")
        self.assertProblem(r, obj, 400, "invalid_parameter")

    def test_not_found(self):
        r, obj = self.s.json("GET", "/api/v1/jobs/ffffffffffffffffffffffffffffffff")
        self.assertProblem(r, obj, 404, "not_found")
        r, obj = self.s.json("GET", "/api/v1/jobs/ffffffffffffffffffffffffffffffff/artifacts/module.wasm")
        self.assertProblem(r, obj, 404)
        r, obj = self.s.json("POST", "/api/v1/jobs/ffffffffffffffffffffffffffffffff/cancel")
        self.assertProblem(r, obj, 404)

    # ---- events
    def test_events_sse(self):
        r, job = self.s.submit(query="?options=" + json.dumps({"debug_sleep_ms": 300}).replace(" ", ""))
        jid = job["id"]
        c = self.s.conn()
        c.request("GET", "/api/v1/jobs/%s/events" % jid)
        resp = c.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertTrue(resp.getheader("Content-Type").startswith("text/event-stream"))
        body = resp.read().decode()  # the stream ends after the job ends
        c.close()
        events = [blk for blk in body.split("\n\n") if blk.strip()]
        kinds = [l.split(": ", 1)[1] for blk in events for l in blk.splitlines() if l.startswith("event: ")]
        self.assertIn("state", kinds)
        self.assertIn("stage", kinds)
        self.assertIn("log", kinds)
        self.assertEqual(kinds[-1], "end")
        ids = [int(l.split(": ")[1]) for blk in events for l in blk.splitlines() if l.startswith("id: ")]
        self.assertEqual(ids, sorted(ids))
        # resume from the middle: only later events
        mid = ids[len(ids) // 2]
        r, data = self.s.request("GET", "/api/v1/jobs/%s/events" % jid, headers={"Last-Event-ID": str(mid)})
        later = [int(l.split(": ")[1]) for l in data.decode().splitlines() if l.startswith("id: ")]
        self.assertEqual(later, [i for i in ids if i > mid])
        r, obj = self.s.json("GET", "/api/v1/jobs/%s/events" % jid, headers={"Last-Event-ID": "x"})
        self.assertProblem(r, obj, 400)

    def test_many_waiters_do_not_hold_threads(self):
        # 40 parked long-polls and streams on one job; the server still answers other requests at once.
        r, job = self.s.submit(query="?options=" + json.dumps({"debug_sleep_ms": 4000}).replace(" ", ""))
        jid = job["id"]
        results = []

        def waiter(kind):
            if kind == "poll":
                r, j = self.s.json("GET", "/api/v1/jobs/%s?wait=30" % jid)
                results.append(r.status)
            else:
                r, d = self.s.request("GET", "/api/v1/jobs/%s/events" % jid)
                results.append(r.status)

        threads = [threading.Thread(target=waiter, args=("poll" if i % 2 else "sse",)) for i in range(40)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        t0 = time.time()
        r, obj = self.s.json("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertLess(time.time() - t0, 2.0)
        for t in threads:
            t.join(60)
        self.assertEqual(len(results), 40)
        self.assertTrue(all(s == 200 for s in results))
        self.s.wait_terminal(jid)

    # ---- cancel / delete
    def test_cancel_running_and_queued(self):
        r, job = self.s.submit(query="?options=" + json.dumps({"debug_sleep_ms": 20000}).replace(" ", ""))
        jid = job["id"]
        # wait until it runs
        deadline = time.time() + 30
        while time.time() < deadline:
            r, j = self.s.json("GET", "/api/v1/jobs/" + jid)
            if j["state"] == "running":
                break
            time.sleep(0.05)
        r, obj = self.s.json("DELETE", "/api/v1/jobs/" + jid)
        self.assertProblem(r, obj, 409, "conflict")
        t0 = time.time()
        r, j = self.s.json("POST", "/api/v1/jobs/%s/cancel" % jid)
        self.assertEqual(r.status, 202)
        done = self.s.wait_terminal(jid)
        self.assertEqual(done["state"], "canceled")
        self.assertLess(time.time() - t0, 10)  # the running stage was stopped, not waited for
        r, obj = self.s.json("POST", "/api/v1/jobs/%s/cancel" % jid)
        self.assertProblem(r, obj, 409, "conflict")
        r, _ = self.s.request("DELETE", "/api/v1/jobs/" + jid)
        self.assertEqual(r.status, 204)
        r, obj = self.s.json("GET", "/api/v1/jobs/" + jid)
        self.assertProblem(r, obj, 404)

    # ---- options
    def test_options_validation(self):
        r, obj = self.s.submit(query="?options=%7Bnot-json")
        self.assertProblem(r, obj, 400, "invalid_options")
        bad = {"vectors": [{"args": [1]}], "frobnicate": True, "skip_test": "yes"}
        from urllib.parse import quote
        r, obj = self.s.submit(query="?options=" + quote(json.dumps(bad)))
        self.assertProblem(r, obj, 422, "invalid_options")
        fields = sorted(e["field"] for e in obj["errors"])
        self.assertEqual(fields, ["frobnicate", "skip_test", "vectors[0]"])
        good = {"vectors": [{"args": ["a", "b"], "stdin": "x\n"}], "skip_test": False}
        r, job = self.s.submit(query="?options=" + quote(json.dumps(good)))
        self.assertEqual(r.status, 202, job)
        self.assertEqual(job["options"]["vectors"][0]["args"], ["a", "b"])
        self.s.wait_terminal(job["id"])

    # ---- uploads
    def test_upload_kinds(self):
        z = zip_bytes([("proj/main.py", b"import util\nprint(util.x)\n", None), ("proj/util.py", b"x = 1\n", None)])
        r, job = self.s.submit(z, ctype="application/zip")
        self.assertEqual(r.status, 202, job)
        self.assertEqual(job["entry"], "main.py")  # the common folder was stripped
        t = tar_gz([({"name": "app/__main__.py"}, b"print(2)\n"), ({"name": "app/lib.py"}, b"y = 2\n")])
        r, job = self.s.submit(t, ctype="application/gzip")
        self.assertEqual(r.status, 202, job)
        self.assertEqual(job["entry"], "__main__.py")
        z = zip_bytes([("a.py", b"print(1)\n", None), ("b.py", b"print(2)\n", None)])
        r, obj = self.s.submit(z, ctype="application/zip")
        self.assertProblem(r, obj, 422)
        self.assertEqual(obj["errors"][0]["field"], "entry")
        r, job = self.s.submit(z, query="?entry=b.py", ctype="application/zip")
        self.assertEqual((r.status, job["entry"]), (202, "b.py"))
        r, obj = self.s.submit(z, query="?entry=c.py", ctype="application/zip")
        self.assertProblem(r, obj, 422)
        body, ctype = multipart([("main.py", HELLO, "text/x-python"), ("helper.py", b"z = 3\n", "text/x-python")],
                                {"options": json.dumps({"skip_test": True})})
        r, job = self.s.submit(body, ctype=ctype)
        self.assertEqual(r.status, 202, job)
        self.assertEqual(job["entry"], "main.py")
        self.assertTrue(job["options"]["skip_test"])

    def test_empty_and_wrong_type(self):
        r, obj = self.s.submit(b"")
        self.assertProblem(r, obj, 400, "empty_upload")
        r, obj = self.s.submit(b"print(1)", ctype="application/x-www-form-urlencoded")
        self.assertProblem(r, obj, 415, "unsupported_media_type")
        r, obj = self.s.submit(b"print(1)", ctype="image/png")
        self.assertProblem(r, obj, 415)

    def test_oversize(self):
        r, obj = self.s.submit(b"#" * 70000)
        self.assertProblem(r, obj, 413, "too_large")
        # chunked, without Content-Length: counted while reading
        c = self.s.conn()
        c.putrequest("POST", "/api/v1/jobs")
        c.putheader("Content-Type", "text/x-python")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        chunk = b"#" * 8192
        try:
            for _ in range(12):
                c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            c.send(b"0\r\n\r\n")
            resp = c.getresponse()
            self.assertEqual(resp.status, 413)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may close early after answering 413
        c.close()

    def test_zip_slip_and_friends(self):
        cases = [
            ("zip slip", zip_bytes([("../evil.py", b"x", None), ("main.py", HELLO, None)]), "application/zip", ".."),
            ("absolute", zip_bytes([("/etc/evil.py", b"x", None), ("main.py", HELLO, None)]), "application/zip", "absolute"),
            ("zip symlink", zip_bytes([("link.py", b"/etc/passwd", (0o120777 << 16)), ("main.py", HELLO, None)]),
             "application/zip", "symbolic link"),
            ("tar symlink", tar_gz([({"name": "main.py"}, HELLO),
                                    ({"name": "evil.py", "type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}, None)]),
             "application/gzip", "symbolic link"),
            ("tar hardlink", tar_gz([({"name": "main.py"}, HELLO),
                                     ({"name": "h.py", "type": tarfile.LNKTYPE, "linkname": "main.py"}, None)]),
             "application/gzip", "hard link"),
            ("tar device", tar_gz([({"name": "main.py"}, HELLO),
                                   ({"name": "dev.py", "type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3}, None)]),
             "application/gzip", "device"),
            ("tar dotdot", tar_gz([({"name": "a/../../x.py"}, b"x"), ({"name": "main.py"}, HELLO)]),
             "application/gzip", ".."),
            ("non-utf8 name", tar_gz([({"name": "caf\u00e9.py"}, b"x"), ({"name": "main.py"}, HELLO)],
                                     encoding="latin-1", fmt=tarfile.GNU_FORMAT), "application/gzip", "UTF-8"),
            ("not an archive", b"PK\x03\x04garbage" * 10, "application/zip", "archive"),
        ]
        for label, body, ctype, needle in cases:
            with self.subTest(label):
                r, obj = self.s.submit(body, ctype=ctype)
                self.assertProblem(r, obj, 422)
                self.assertIn(needle, obj["detail"])

    def test_zip_bomb(self):
        bomb = zip_bytes([("main.py", HELLO, None), ("big.txt", b"\0" * (30 << 20), None)])
        self.assertLess(len(bomb), 65536)
        r, obj = self.s.submit(bomb, ctype="application/zip")
        self.assertIn(r.status, (413, 422), obj)
        self.assertProblem(r, obj, r.status)
        self.assertTrue("zip bomb" in obj["detail"] or "unpacks to more than" in obj["detail"], obj["detail"])

    def test_server_survives_garbage(self):
        # raw garbage on the socket, a half request, then the server still serves
        for payload in (b"\x00\xff garbage\r\n\r\n", b"GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"):
            s = socket.create_connection(("127.0.0.1", self.s.port), timeout=5)
            s.sendall(payload)
            s.close()
        r, obj = self.s.json("GET", "/healthz")
        self.assertEqual(r.status, 200)


class ArtifactTest(unittest.TestCase, ProblemMixin):
    """Artifacts of a finished job: list, download headers, ETag = sha256."""

    @classmethod
    def setUpClass(cls):
        cls.s = Server("--workers", "1")

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def test_download(self):
        import hashlib
        r, job = self.s.submit(b"def f(n):\n    return n * 2\n\nprint(f(21))\n", query="?wait=60")
        job = self.s.wait_terminal(job["id"])
        r, lst = self.s.json("GET", "/api/v1/jobs/%s/artifacts" % job["id"])
        self.assertEqual(r.status, 200)
        self.assertGreaterEqual(len(lst["artifacts"]), 1, job)
        self.assertEqual([a["name"] for a in lst["artifacts"]], [a["name"] for a in job["artifacts"]])
        for a in lst["artifacts"]:
            r, data = self.s.request("GET", a["url"])
            self.assertEqual(r.status, 200)
            self.assertEqual(r.getheader("Content-Type"), a["content_type"])
            self.assertEqual(r.getheader("ETag"), '"%s"' % a["sha256"])
            self.assertEqual(hashlib.sha256(data).hexdigest(), a["sha256"])
            self.assertEqual(len(data), a["size"])
            self.assertIn('attachment; filename="%s"' % a["name"], r.getheader("Content-Disposition"))
            r2, _ = self.s.request("GET", a["url"], headers={"If-None-Match": r.getheader("ETag")})
            self.assertEqual(r2.status, 304)
        r, files = self.s.json("GET", "/api/v1/jobs/%s/files" % job["id"])
        self.assertEqual(r.status, 200)
        self.assertEqual(files["files"], [{"path": "main.py", "size": 41,
                                           "content": "def f(n):\n    return n * 2\n\nprint(f(21))\n"}])
        r, obj = self.s.json("GET", "/api/v1/jobs/%s/artifacts/nope.bin" % job["id"])
        self.assertProblem(r, obj, 404)


class AuthTest(unittest.TestCase, ProblemMixin):
    @classmethod
    def setUpClass(cls):
        cls.s = Server("--require-auth", "--workers", "1")
        cls.a = cls.s.token("alice")
        cls.b = cls.s.token("bob")
        cls.ro = cls.s.token("viewer", "--read-only")

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def test_token_required(self):
        r, obj = self.s.submit()
        self.assertProblem(r, obj, 401, "unauthorized")
        self.assertTrue(r.getheader("WWW-Authenticate").startswith("Bearer"))
        r, obj = self.s.json("GET", "/api/v1/jobs", token="ptl_" + "0" * 48)
        self.assertProblem(r, obj, 401)
        r, obj = self.s.json("GET", "/api/v1/jobs", headers={"Authorization": "Basic Zm9vOmJhcg=="})
        self.assertProblem(r, obj, 401)
        # health and metrics stay open
        r, _ = self.s.request("GET", "/healthz")
        self.assertEqual(r.status, 200)

    def test_scoping(self):
        r, job = self.s.submit(token=self.a)
        self.assertEqual(r.status, 202, job)
        jid = job["id"]
        r, obj = self.s.json("GET", "/api/v1/jobs/" + jid, token=self.b)
        self.assertProblem(r, obj, 404)
        r, obj = self.s.json("POST", "/api/v1/jobs/%s/cancel" % jid, token=self.b)
        self.assertProblem(r, obj, 404)
        r, obj = self.s.json("GET", "/api/v1/jobs/%s/events" % jid, token=self.b)
        self.assertProblem(r, obj, 404)
        r, obj = self.s.json("GET", "/api/v1/jobs/%s/files" % jid, token=self.b)
        self.assertProblem(r, obj, 404)
        r, obj = self.s.json("GET", "/api/v1/jobs/%s/artifacts" % jid, token=self.b)
        self.assertProblem(r, obj, 404)
        r, page = self.s.json("GET", "/api/v1/jobs", token=self.b)
        self.assertNotIn(jid, [j["id"] for j in page["jobs"]])
        r, page = self.s.json("GET", "/api/v1/jobs", token=self.a)
        self.assertIn(jid, [j["id"] for j in page["jobs"]])
        self.s.wait_terminal(jid, token=self.a)

    def test_read_only_token(self):
        r, obj = self.s.submit(token=self.ro)
        self.assertProblem(r, obj, 403, "forbidden")
        r, page = self.s.json("GET", "/api/v1/jobs", token=self.ro)
        self.assertEqual(r.status, 200)

    def test_revoke(self):
        t = self.s.token("temp")
        r, _ = self.s.json("GET", "/api/v1/jobs", token=t)
        self.assertEqual(r.status, 200)
        out = subprocess.run([PORTALISD, "--data-dir", self.s.dir, "token", "list"], capture_output=True, text=True)
        self.assertIn("temp", out.stdout)
        self.assertNotIn(t[4:], out.stdout)
        subprocess.run([PORTALISD, "--data-dir", self.s.dir, "token", "revoke", "temp"], check=True,
                       capture_output=True)
        # a checked token is remembered for one second (no lookup per request)
        deadline = time.time() + 3
        while True:
            r, obj = self.s.json("GET", "/api/v1/jobs", token=t)
            if r.status == 401 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertProblem(r, obj, 401)


class LimitsTest(unittest.TestCase, ProblemMixin):
    def test_rate_limit_429(self):
        s = Server("--workers", "1", "--max-active", "2", "--test-hooks")
        try:
            opt = "?options=" + json.dumps({"debug_sleep_ms": 5000}).replace(" ", "")
            ids = []
            for _ in range(2):
                r, job = s.submit(query=opt)
                self.assertEqual(r.status, 202)
                ids.append(job["id"])
            r, obj = s.submit()
            self.assertProblem(r, obj, 429, "rate_limited")
            self.assertIsNotNone(r.getheader("Retry-After"))
            for jid in ids:
                s.json("POST", "/api/v1/jobs/%s/cancel" % jid)
        finally:
            s.close()

    def test_stage_time_limit(self):
        s = Server("--workers", "1", "--test-hooks", "--stage-timeout", "1")
        try:
            r, job = s.submit(query="?options=" + json.dumps({"debug_sleep_ms": 5000}).replace(" ", ""))
            t0 = time.time()
            job = s.wait_terminal(job["id"])
            self.assertEqual(job["state"], "timed_out", job)
            self.assertEqual(job["stage"], "ingest")
            self.assertEqual(job["stages"][0]["state"], "timed_out")
            self.assertLess(time.time() - t0, 4.5)  # stopped at the limit, not after the sleep
        finally:
            s.close()

    def test_shutdown_503_and_requeue(self):
        d = tempfile.mkdtemp(prefix="portalis-api-")
        s = Server("--workers", "1", "--test-hooks", "--shutdown-grace", "1", data_dir=d)
        try:
            r, job = s.submit(query="?options=" + json.dumps({"debug_sleep_ms": 30000}).replace(" ", ""))
            jid = job["id"]
            deadline = time.time() + 20
            while time.time() < deadline and s.json("GET", "/api/v1/jobs/" + jid)[1]["state"] != "running":
                time.sleep(0.05)
            c = s.conn()  # a keep-alive connection made before the signal
            c.request("GET", "/healthz")
            c.getresponse().read()
            s.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            c.request("GET", "/readyz")
            resp = c.getresponse()
            body = json.loads(resp.read())
            self.assertEqual(resp.status, 503)
            self.assertEqual(body["status"], "unavailable")
            c.request("POST", "/api/v1/jobs", body=HELLO, headers={"Content-Type": "text/x-python"})
            resp = c.getresponse()
            obj = json.loads(resp.read())
            self.assertEqual(resp.status, 503)
            self.assertEqual(obj["code"], "shutting_down")
            c.close()
            self.assertEqual(s.proc.wait(30), 0)
            s.stop()
            # the running job went back to the queue (not canceled) and runs again after a restart
            s.start()
            deadline = time.time() + 20
            job = None
            while time.time() < deadline:
                r, job = s.json("GET", "/api/v1/jobs/" + jid)
                if job["state"] == "running" and job["attempts"] == 2:
                    break
                time.sleep(0.05)
            self.assertEqual((job["state"], job["attempts"]), ("running", 2), job)
            s.json("POST", "/api/v1/jobs/%s/cancel" % jid)
            self.assertEqual(s.wait_terminal(jid)["state"], "canceled")
        finally:
            s.close()
            shutil.rmtree(d, ignore_errors=True)


class RelativeDataDirTest(unittest.TestCase):
    """The quick start runs `portalisd --data-dir var`: a relative data
    directory must work end to end (work dirs go to sandboxed tools)."""

    def test_relative_data_dir(self):
        d = tempfile.mkdtemp(prefix="portalis-api-")
        p = subprocess.Popen([PORTALISD, "--listen", "127.0.0.1:0", "--data-dir", "var", "--log-level", "warn"],
                             cwd=d, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            port = int(p.stdout.readline().decode().strip().rsplit(":", 1)[1])
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
            c.request("POST", "/api/v1/jobs?wait=60", body=HELLO, headers={"Content-Type": "text/x-python"})
            r = c.getresponse()
            job = json.loads(r.read())
            c.close()
            self.assertEqual(r.status, 200, job)
            self.assertEqual(job["state"], "succeeded", job)
            self.assertIn("module.wasm", [a["name"] for a in job["artifacts"]])
            self.assertTrue(os.path.exists(os.path.join(d, "var", "portalis.db")))
        finally:
            p.terminate()
            p.wait(30)
            p.stdout.close()
            shutil.rmtree(d, ignore_errors=True)


class DurabilityTest(unittest.TestCase):
    def test_kill9_and_restart(self):
        d = tempfile.mkdtemp(prefix="portalis-api-")
        s = Server("--workers", "2", "--test-hooks", data_dir=d)
        try:
            opt = "?options=" + json.dumps({"debug_sleep_ms": 400}).replace(" ", "")
            ids = [s.submit(query=opt)[1]["id"] for _ in range(12)]
            deadline = time.time() + 20
            while time.time() < deadline:
                states = [s.json("GET", "/api/v1/jobs/" + i)[1]["state"] for i in ids]
                if "running" in states:
                    break
                time.sleep(0.05)
            self.assertIn("running", states)
            self.assertIn("queued", states)
            s.proc.kill()  # SIGKILL: no cleanup at all
            s.proc.wait()
            s.stop()
            s.start()
            for jid in ids:
                job = s.wait_terminal(jid)
                self.assertIn(job["state"], ("succeeded", "failed", "error"))
                self.assertNotEqual(job.get("reason"), "interrupted")  # re-queued, not given up
            r, page = s.json("GET", "/api/v1/jobs?limit=200")
            self.assertEqual(sorted(j["id"] for j in page["jobs"]), sorted(ids))
            # and the database the kill interrupted is whole
            import sqlite3
            db = sqlite3.connect(os.path.join(d, "portalis.db"), timeout=30)
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])
            db.close()
        finally:
            s.close()
            shutil.rmtree(d, ignore_errors=True)

    def test_50_concurrent_submissions(self):
        s = Server("--workers", "2")
        try:
            ids, errors = [], []
            lock = threading.Lock()

            def submit(i):
                try:
                    r, job = s.submit(b"print(%d)\n" % i)
                    with lock:
                        (ids if r.status == 202 else errors).append(job["id"] if r.status == 202 else r.status)
                except Exception as ex:  # noqa: BLE001 - reported below
                    with lock:
                        errors.append(repr(ex))

            threads = [threading.Thread(target=submit, args=(i,)) for i in range(50)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            self.assertEqual(errors, [])
            self.assertEqual(len(set(ids)), 50)
            for jid in ids:
                job = s.wait_terminal(jid, timeout=300)
                self.assertNotIn(job["state"], ("queued", "running"))
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
