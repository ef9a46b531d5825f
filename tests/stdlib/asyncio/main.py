import asyncio


async def worker(name, q, results):
    while True:
        n = await q.get()
        await asyncio.sleep(0)
        results.append((name, n * n))
        q.task_done()


async def main():
    q = asyncio.Queue()
    results = []
    tasks = [asyncio.create_task(worker("w%d" % i, q, results)) for i in range(2)]
    for n in range(5):
        q.put_nowait(n)
    await q.join()
    for t in tasks:
        t.cancel()
    print(sorted(results))
    print(await asyncio.gather(asyncio.sleep(0, "a"), asyncio.sleep(0.01, "b")))
    try:
        await asyncio.wait_for(asyncio.sleep(1), 0.01)
    except asyncio.TimeoutError:
        print("timeout")


asyncio.run(main())
