import contextlib
from contextlib import contextmanager, suppress, redirect_stdout, ExitStack, closing, nullcontext
import io


@contextmanager
def tag(name):
    print("<%s>" % name)
    try:
        yield name.upper()
    finally:
        print("</%s>" % name)


with tag("p") as t:
    print("inside", t)
with suppress(KeyError, ValueError):
    {}["missing"]
print("suppressed")
f = io.StringIO()
with redirect_stdout(f):
    print("captured")
print(repr(f.getvalue()))


class Res:
    def __init__(self, n):
        self.n = n

    def close(self):
        print("close", self.n)


with closing(Res(1)):
    print("using 1")
with ExitStack() as stack:
    for i in range(3):
        stack.enter_context(tag("t%d" % i))
    stack.callback(print, "callback ran")
with nullcontext(42) as v:
    print(v)
try:
    with tag("err"):
        raise RuntimeError("bad")
except RuntimeError as e:
    print("caught", e)


class Managed(contextlib.AbstractContextManager):
    def __exit__(self, *exc):
        print("exit", exc[0])
        return False


with Managed() as m:
    print(type(m).__name__)
