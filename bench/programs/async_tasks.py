# bench: object
"""asyncio's hot paths: task switches through sleep(0), Queue round trips
between two tasks, and many short timers gathered."""
import asyncio


async def ping(q_in, q_out, n):
    for _ in range(n):
        x = await q_in.get()
        await q_out.put(x + 1)


async def switcher(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(*(switcher(10000) for _ in range(10)))
    a, b = asyncio.Queue(), asyncio.Queue()
    task = asyncio.create_task(ping(a, b, 20000))
    total = 0
    for i in range(20000):
        await a.put(i)
        total += await b.get()
    await task
    tasks = [asyncio.create_task(asyncio.sleep(0.001, result=i)) for i in range(5000)]
    print(total, sum(await asyncio.gather(*tasks)))


asyncio.run(main())
