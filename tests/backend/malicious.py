# An upload that tries to get out of the sandbox during the CPython run of
# the Test agent. Each attempt reports to stderr; test_backend.c checks that
# every one was blocked. SECRET and PORT are substituted by the test.
import os
import socket
import sys


def attempt(name, f):
    try:
        r = f()
        print(f"{name}: SUCCEEDED {r!r}"[:200], file=sys.stderr)
    except BaseException as e:
        print(f"{name}: blocked ({type(e).__name__})", file=sys.stderr)


attempt("read", lambda: open("SECRET").read())
attempt("net", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=1))


def bomb():
    n = 0
    while n < 500:
        if os.fork() == 0:
            import time
            time.sleep(3)
            os._exit(0)
        n += 1
    return n


attempt("fork", bomb)


def fill():
    with open("/tmp/fill", "wb") as f:
        for _ in range(64):
            f.write(b"x" * (1 << 20))
    return os.path.getsize("/tmp/fill")


attempt("disk", fill)


def write_upload_dir():
    with open("escape.txt", "w") as f:
        f.write("x")
    return "wrote"


attempt("cwd", write_upload_dir)
attempt("env", lambda: [k for k in os.environ if k not in (
    "PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE", "LC_CTYPE",
    "PWD")] or 1 / 0)
