"""A simulated crawler: fetches with latencies, a concurrency limit, a
deadline per request, retries, a shared counter under a lock, and a
start signal.  Latencies are far apart so the order is the same on any
machine."""
import asyncio
import time

LATENCY = {"alpha": 0.12, "beta": 0.04, "gamma": 0.20, "delta": 0.08, "slow": 1.5, "broken": 0.06}


class FetchError(Exception):
    pass


class Stats:
    def __init__(self):
        self.lock = asyncio.Lock()
        self.count = 0
        self.log = []

    async def record(self, name):
        async with self.lock:
            n = self.count
            await asyncio.sleep(0)  # another task may run here; the lock keeps count exact
            self.count = n + 1
            self.log.append(name)


async def fetch(name, stats, sem=None):
    if sem is not None:
        async with sem:
            return await fetch(name, stats)
    await asyncio.sleep(LATENCY[name])
    if name == "broken":
        raise FetchError(f"{name}: HTTP 500")
    await stats.record(name)
    return f"<{name}:{len(name) * 100}>"


async def fetch_with_retry(name, stats, attempts=3):
    for attempt in range(1, attempts + 1):
        try:
            return await asyncio.wait_for(fetch(name, stats), timeout=0.3)
        except asyncio.TimeoutError:
            print(f"  {name}: attempt {attempt} timed out")
    return None


async def waiter(event, label):
    print(f"{label} waiting for start")
    await event.wait()
    print(f"{label} started")
    return label


async def main():
    t0 = time.monotonic()
    stats = Stats()
    start = asyncio.Event()
    waiters = [asyncio.create_task(waiter(start, f"client{i}")) for i in range(3)]
    await asyncio.sleep(0)
    print("event set:", start.is_set())
    start.set()
    print("waiters:", await asyncio.gather(*waiters))

    print("-- gather keeps argument order")
    names = ["alpha", "beta", "gamma", "delta"]
    pages = await asyncio.gather(*(fetch(n, stats) for n in names))
    print(pages)
    print("finished in order:", stats.log)

    print("-- as_completed yields in finishing order")
    for fut in asyncio.as_completed([fetch(n, stats) for n in ["gamma", "alpha", "beta"]]):
        print("got", await fut)

    print("-- failures")
    res = await asyncio.gather(fetch("alpha", stats), fetch("broken", stats), return_exceptions=True)
    print([repr(r) for r in res])
    try:
        await asyncio.gather(fetch("delta", stats), fetch("broken", stats))
    except FetchError as e:
        print("gather raised:", e)
    await asyncio.sleep(0.1)  # the delta fetch still finishes in the background

    print("-- semaphore limits concurrency to 2")
    sem = asyncio.Semaphore(2)
    active = 0
    peak = 0

    async def limited(name):
        nonlocal active, peak
        async with sem:
            active += 1
            peak = max(peak, active)
            print(f"  enter {name} (active {active}, locked {sem.locked()})")
            await asyncio.sleep(LATENCY[name])
            active -= 1
            print(f"  leave {name}")
        return name

    print(await asyncio.gather(*(limited(n) for n in ["alpha", "beta", "gamma", "delta"])), "peak", peak)

    print("-- timeouts and retries")
    print("slow:", await fetch_with_retry("slow", stats, attempts=2))
    print("beta:", await fetch_with_retry("beta", stats))
    try:
        async with asyncio.timeout(0.1):
            await fetch("gamma", stats)
    except TimeoutError:
        print("asyncio.timeout expired")

    print("-- wait with FIRST_COMPLETED")
    tasks = [asyncio.create_task(fetch(n, stats), name=n) for n in ["gamma", "beta", "alpha"]]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print("done:", sorted(t.get_name() for t in done), "pending:", sorted(t.get_name() for t in pending))
    done, pending = await asyncio.wait(tasks)
    print("all done:", sorted(t.result() for t in done), len(pending))

    print("records:", stats.count, "==", len(stats.log))
    elapsed = time.monotonic() - t0
    print("elapsed within bounds:", 0.5 < elapsed < 5)


if __name__ == "__main__":
    asyncio.run(main())
