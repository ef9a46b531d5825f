#!/usr/bin/env python3
"""A scripted OpenAI-compatible server for the LLM tests (loopback only).

    llm_mock.py --port-file F [--key KEY] [--model NAME]

Serves POST /v1/chat/completions and GET /v1/models over HTTP/1.1 with
keep-alive (so connection reuse is visible). Each chat request takes the
next scripted action; with none left it answers 500. Control endpoints:

    POST /_script   [action, ...] appended to the chat queue
    POST /_models   [action, ...] appended to the /v1/models queue (default: 200)
    POST /_reset    clears queues and the log
    GET  /_log      [{"path", "t", "auth_ok", "auth_present", "client", "body"}]
                    (never the key itself); "max_in_flight"

An action is a JSON object:
    {"content": "..."}            200, a chat completion with that message
    {"status": 500}               that status with an OpenAI-shaped error
    {"retry_after": "1"}          adds a Retry-After header
    {"raw": "..."}                200 with this body verbatim (malformed JSON)
    {"sleep": 2.0}                waits before answering (timeouts)
    "{KEY}" in content            replaced by the key the request carried
    {"echo_key": true}            puts the Authorization header's key into the
                                  content / error text (redaction tests)
    {"usage": [p, c]}             prompt/completion tokens reported
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"chat": [], "models": [], "log": [], "in_flight": 0, "max_in_flight": 0}
ARGS = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _send(self, status, body, headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _record(self, body):
        auth = self.headers.get("Authorization")
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        with LOCK:
            STATE["log"].append({"path": self.path, "t": time.monotonic(), "auth_present": auth is not None,
                                 "auth_ok": ARGS.key is not None and auth == "Bearer " + ARGS.key,
                                 "client": "%s:%d" % self.client_address[:2], "body": parsed})

    def _act(self, a):
        key = ""
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Bearer "):
            key = auth[7:]
        if a.get("sleep"):
            time.sleep(float(a["sleep"]))
        headers = {}
        if "retry_after" in a:
            headers["Retry-After"] = str(a["retry_after"])
        status = int(a.get("status", 200))
        if "raw" in a:
            return self._send(status, a["raw"], headers)
        if status != 200:
            msg = "scripted failure" + (" for key " + key if a.get("echo_key") else "")
            return self._send(status, json.dumps({"error": {"message": msg, "type": "server_error"}}), headers)
        content = a.get("content", "").replace("{KEY}", key)
        if a.get("echo_key"):
            content = content + "\n# seen key: " + key + "\n"
        p, c = a.get("usage", [100, 50])
        resp = {"id": "chatcmpl-mock", "object": "chat.completion", "model": ARGS.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}}
        return self._send(200, json.dumps(resp), headers)

    def do_GET(self):
        if self.path == "/_log":
            with LOCK:
                return self._send(200, json.dumps({"log": STATE["log"], "max_in_flight": STATE["max_in_flight"]}))
        if self.path == "/v1/models":
            self._record(b"")
            with LOCK:
                a = STATE["models"].pop(0) if STATE["models"] else None
            if a:
                return self._act(a)
            return self._send(200, json.dumps({"object": "list", "data": [{"id": ARGS.model, "object": "model"}]}))
        return self._send(404, json.dumps({"error": "not found"}))

    def do_POST(self):
        body = self._body()
        if self.path in ("/_script", "/_models"):
            with LOCK:
                STATE["chat" if self.path == "/_script" else "models"].extend(json.loads(body))
            return self._send(200, "{}")
        if self.path == "/_reset":
            with LOCK:
                STATE["chat"].clear()
                STATE["models"].clear()
                STATE["log"].clear()
                STATE["max_in_flight"] = 0
            return self._send(200, "{}")
        if self.path == "/v1/chat/completions":
            self._record(body)
            with LOCK:
                a = STATE["chat"].pop(0) if STATE["chat"] else {"status": 500}
                STATE["in_flight"] += 1
                STATE["max_in_flight"] = max(STATE["max_in_flight"], STATE["in_flight"])
            try:
                return self._act(a)
            finally:
                with LOCK:
                    STATE["in_flight"] -= 1
        return self._send(404, json.dumps({"error": "not found"}))


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--key")
    ap.add_argument("--model", default="mock-coder")
    ARGS = ap.parse_args()
    class Quiet(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass
    srv = Quiet(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
