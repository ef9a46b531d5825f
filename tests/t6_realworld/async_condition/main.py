"""Coordination with asyncio.Condition (wait, wait_for with a predicate,
notify, notify_all) and blocking work handed to asyncio.to_thread."""
import asyncio
import time

async def consumer(cond, items, name):
    async with cond:
        await cond.wait_for(lambda: len(items) > 0)
        print(name, "got", items.pop(0))

async def waiter(cond, name):
    async with cond:
        print(name, "waiting", cond.locked())
        r = await cond.wait()
        print(name, "woke", r)

def blocking(n):
    time.sleep(0.01)
    return n * 2

async def main():
    cond = asyncio.Condition()
    items = []
    cs = [asyncio.create_task(consumer(cond, items, f"c{i}")) for i in range(3)]
    ws = [asyncio.create_task(waiter(cond, f"w{i}")) for i in range(2)]
    await asyncio.sleep(0)
    for i in range(3):
        async with cond:
            items.append(i)
            cond.notify()
        await asyncio.sleep(0)
    async with cond:
        cond.notify_all()
    await asyncio.gather(*cs, *ws)
    try:
        cond.notify()
    except RuntimeError as e:
        print(e)
    print(await asyncio.to_thread(blocking, 21))
    print(await asyncio.gather(asyncio.to_thread(blocking, 1), asyncio.to_thread(blocking, 2)))

asyncio.run(main())
