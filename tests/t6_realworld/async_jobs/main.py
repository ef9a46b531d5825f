"""Job queue: producers feed a bounded asyncio.Queue, a pool of workers
drains it, the main coroutine waits with join() and then stops the pool."""
import asyncio
import random
from dataclasses import dataclass, field


@dataclass(order=True)
class Job:
    priority: int
    name: str = field(compare=False)
    cost: int = field(compare=False, default=1)


async def producer(name, queue, jobs):
    for job in jobs:
        await queue.put(job)
        print(f"{name} queued {job.name} (size {queue.qsize()})")
    print(f"{name} done")


async def worker(wid, queue, results):
    handled = 0
    try:
        while True:
            job = await queue.get()
            try:
                for _ in range(job.cost):
                    await asyncio.sleep(0)
                if job.name.startswith("bad"):
                    raise ValueError(f"cannot run {job.name}")
                results.append((wid, job.name))
                handled += 1
                print(f"worker {wid} finished {job.name}")
            except ValueError as exc:
                print(f"worker {wid} error: {exc}")
            finally:
                queue.task_done()
    except asyncio.CancelledError:
        print(f"worker {wid} stopping after {handled} jobs")
        raise


async def main():
    rng = random.Random(7)
    queue = asyncio.Queue(maxsize=3)
    results = []
    workers = [asyncio.create_task(worker(i, queue, results), name=f"w{i}") for i in range(3)]
    batch_a = [Job(rng.randint(1, 9), f"a{i}", rng.randint(1, 3)) for i in range(5)]
    batch_b = [Job(rng.randint(1, 9), f"b{i}", rng.randint(1, 3)) for i in range(4)] + [Job(5, "bad-b4")]
    await asyncio.gather(producer("P1", queue, batch_a), producer("P2", queue, batch_b))
    await queue.join()
    print("all jobs handled:", len(results), "unfinished:", queue.empty())
    for w in workers:
        w.cancel()
    outcome = await asyncio.gather(*workers, return_exceptions=True)
    print([type(o).__name__ for o in outcome])
    print([w.get_name() for w in workers], [w.cancelled() for w in workers])
    by_worker = {}
    for wid, name in results:
        by_worker.setdefault(wid, []).append(name)
    for wid in sorted(by_worker):
        print(wid, by_worker[wid])

    # the other queue kinds
    pq = asyncio.PriorityQueue()
    for job in batch_a:
        pq.put_nowait(job)
    order = []
    while not pq.empty():
        order.append((await pq.get()).name)
    print("by priority:", order)
    lq = asyncio.LifoQueue(maxsize=2)
    lq.put_nowait(1)
    lq.put_nowait(2)
    try:
        lq.put_nowait(3)
    except asyncio.QueueFull:
        print("lifo full:", lq.full(), lq.maxsize)
    print("lifo:", lq.get_nowait(), lq.get_nowait())
    try:
        lq.get_nowait()
    except asyncio.QueueEmpty:
        print("lifo empty")
    try:
        await asyncio.wait_for(lq.get(), timeout=0.05)
    except asyncio.TimeoutError:
        print("get timed out, getters left:", len(lq._getters))


asyncio.run(main())
