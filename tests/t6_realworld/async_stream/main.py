"""A streaming pipeline of async generators (source -> parse -> window ->
sink), an async iterator class, an async context manager, and the older
get_event_loop().run_until_complete() entry point."""
import asyncio
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Coroutine, Iterable
from typing import AsyncIterator as TAsyncIterator

RAW = """\
12.5,temp
oops
13.0,temp
7,humidity
14.5,temp
-1,temp
15.0,temp
"""


async def source(text) -> TAsyncIterator[tuple]:
    for lineno, line in enumerate(text.splitlines(), 1):
        await asyncio.sleep(0)
        yield lineno, line


async def parse(lines):
    async for lineno, line in lines:
        try:
            value, kind = line.split(",")
            yield kind, float(value)
        except ValueError:
            print(f"line {lineno}: skipped {line!r}")


async def only(kind, records):
    async for k, v in records:
        if k == kind:
            yield v


async def window(values, size):
    buf = deque(maxlen=size)
    async for v in values:
        buf.append(v)
        if len(buf) == size:
            yield sum(buf) / size


class Ticker:
    """An async iterator written by hand."""

    def __init__(self, n):
        self.n = n
        self.i = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.i >= self.n:
            raise StopAsyncIteration
        self.i += 1
        await asyncio.sleep(0)
        return self.i


class Session:
    """An async context manager that logs and swallows ConnectionError."""

    def __init__(self, name):
        self.name = name

    async def __aenter__(self):
        await asyncio.sleep(0)
        print(f"open {self.name}")
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await asyncio.sleep(0)
        print(f"close {self.name}: {exc_type.__name__ if exc_type else 'ok'}")
        return exc_type is ConnectionError


async def countdown(n):
    try:
        while n > 0:
            yield n
            n -= 1
    finally:
        print("countdown cleaned up")


async def interleave():
    async def tick(name, n):
        async for i in Ticker(n):
            print(name, i)

    await asyncio.gather(tick("A", 3), tick("B", 2))


async def main():
    temps = window(only("temp", parse(source(RAW))), 2)
    print("moving averages:", [round(v, 2) async for v in temps])
    print("squares:", [i * i async for i in Ticker(4) if i % 2 == 0])
    await interleave()

    async with Session("db") as s:
        print("using", s.name)
    async with Session("net"):
        raise ConnectionError("reset")
    print("after swallowed error")
    try:
        async with Session("disk"):
            raise OSError("full")
    except OSError as e:
        print("propagated:", e)

    gen = countdown(3)
    print(await gen.__anext__(), await gen.__anext__())
    await gen.aclose()
    try:
        await gen.__anext__()
    except StopAsyncIteration:
        print("exhausted after aclose")
    async for n in countdown(2):
        print("count", n)


def drive_by_hand():
    async def add(a, b):
        return a + b

    coro = add(2, 3)
    try:
        coro.send(None)
    except StopIteration as stop:
        print("driven by hand:", stop.value)
    try:
        coro.send(None)
    except RuntimeError as e:
        print(e)

    class Pause:
        def __await__(self):
            got = yield "paused"
            return got

    async def guarded():
        try:
            print("resumed with", await Pause())
            await Pause()
        except KeyError as e:
            return f"handled {e}"

    c = guarded()
    print(c.send(None))
    print(c.send("hello"))
    try:
        c.throw(KeyError("k"))
    except StopIteration as stop:
        print(stop.value)


drive_by_hand()
probe = source("")
co = Session("probe").__aenter__()
print("abc:", isinstance(probe, AsyncGenerator), isinstance(probe, AsyncIterator), isinstance(Ticker(1), AsyncIterator),
      isinstance(co, Coroutine), isinstance(co, Awaitable), isinstance(co, Iterable), type(co).__name__, type(probe).__name__)
co.close()
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
try:
    loop.run_until_complete(main())
    print("total:", loop.run_until_complete(asyncio.gather(asyncio.sleep(0.01, result=1), asyncio.sleep(0, result=2))))
finally:
    loop.close()
print("closed:", loop.is_closed())
