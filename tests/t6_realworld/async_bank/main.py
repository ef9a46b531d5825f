"""Async-style domain code: coroutine methods under a lock, a decorator
wrapping coroutine functions, super() in an async override, recursion
through await, closures with nonlocal, chained exceptions across awaits,
async generators ending early, futures completed by loop callbacks."""
import asyncio
import functools


def logged(fn):
    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        print(f"-> {fn.__name__}{args}")
        try:
            return await fn(*args, **kwargs)
        finally:
            print(f"<- {fn.__name__}")
    return wrapper


class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance
        self._lock = asyncio.Lock()

    def __repr__(self):
        return f"{type(self).__name__}({self.owner!r})"

    async def deposit(self, amount, *, delay=0):
        async with self._lock:
            current = self.balance
            await asyncio.sleep(delay)
            self.balance = current + amount
        return self.balance

    @logged
    async def transfer(self, other, amount):
        if amount > self.balance:
            raise ValueError(f"{self.owner} cannot send {amount}")
        await self.deposit(-amount)
        await other.deposit(amount)
        return (self.balance, other.balance)


class Savings(Account):
    async def deposit(self, amount, *, delay=0):
        bonus = 1 if amount > 0 else 0
        return await super().deposit(amount + bonus, delay=delay)


async def fib(n):
    if n < 2:
        return n
    return await fib(n - 1) + await fib(n - 2)


async def depth(n):
    return 0 if n == 0 else 1 + await depth(n - 1)


def make_counter():
    count = 0

    async def bump(by=1):
        nonlocal count
        await asyncio.sleep(0)
        count += by
        return count

    return bump


async def cleanup_demo():
    try:
        await asyncio.sleep(0)
        raise KeyError("first")
    except KeyError as e:
        await asyncio.sleep(0)
        try:
            raise RuntimeError("second") from e
        except RuntimeError as r:
            print("chained:", repr(r), "cause:", repr(r.__cause__))
    finally:
        await asyncio.sleep(0)
        print("finally ran after await")


async def gen_with_return(n):
    for i in range(n):
        if i == 3:
            return
        yield i


async def main():
    a, b = Account("ann", 100), Savings("bob", 5)
    print(await a.transfer(b, 30))
    try:
        await b.transfer(a, 1000)
    except ValueError as e:
        print("refused:", e)
    print(await asyncio.gather(*[a.deposit(1, delay=0.01) for _ in range(5)]))
    print("balance", a.balance, b.balance, type(b).__mro__[1].__name__)
    print("fib", await fib(15), "depth", await depth(300))
    bump = make_counter()
    print(await asyncio.gather(bump(), bump(2), bump(3)))
    await cleanup_demo()
    async for v in gen_with_return(10):
        print("gen", v)
    agen = gen_with_return(10)
    async for v in agen:
        if v == 1:
            break
    print("after break", await agen.__anext__())
    print(f"inline {await fib(10)} and {[await bump() for _ in range(2)]}")
    lam = lambda x: fib(x)
    print("lambda coro", await lam(7))
    coro = fib(3)
    print(type(coro).__name__, asyncio.iscoroutine(coro), repr(coro).startswith("<coroutine object fib at"))
    print(await coro)
    t = asyncio.ensure_future(fib(5))
    print(type(t).__name__, await t, t.get_coro().__class__.__name__)
    ev = asyncio.Event()
    async def setter():
        await asyncio.sleep(0.01)
        ev.set()
    asyncio.create_task(setter())
    print("waited", await asyncio.wait_for(ev.wait(), 1), ev.is_set())
    s = asyncio.BoundedSemaphore(1)
    async with s:
        pass
    try:
        s.release()
    except ValueError as e:
        print(e)
    lock = asyncio.Lock()
    try:
        lock.release()
    except RuntimeError as e:
        print(e)
    print(await asyncio.shield(fib(6)))
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_later(0.01, fut.set_result, "from callback")
    loop.call_soon(print, "call_soon ran")
    print(await fut)
    fut2 = loop.create_future()
    fut2.add_done_callback(lambda f: print("done callback got", f.result()))
    fut2.set_result(9)
    await asyncio.sleep(0)
    print(fut2)
    results = await asyncio.gather()
    print("empty gather", results)


asyncio.run(main())
