"""A service whose health check fails: the error leaves asyncio.run, the
background tasks are cancelled on the way out (their cleanup runs), and
the process ends with a traceback and exit status 1."""
import asyncio


class HealthError(RuntimeError):
    pass


async def heartbeat(name, period):
    beats = 0
    try:
        while True:
            await asyncio.sleep(period)
            beats += 1
            print(f"{name} beat {beats}")
    except asyncio.CancelledError:
        print(f"{name} cancelled after {beats} beats")
        raise
    finally:
        print(f"{name} cleanup")


async def check(limit):
    for i in range(limit):
        await asyncio.sleep(0.1)
        print(f"check {i} ok")
    raise HealthError(f"service unhealthy after {limit} checks")


async def main():
    # left running: asyncio.run cancels it on the way out
    asyncio.create_task(heartbeat("hb-fast", 0.13))
    slow = asyncio.create_task(heartbeat("hb-slow", 0.5))
    try:
        results = await asyncio.gather(check(3), asyncio.sleep(0.01, result="ready"))
        print("unreachable", results)
    finally:
        slow.cancel()
        await asyncio.wait([slow])
        print("slow heartbeat stopped:", slow.cancelled())


asyncio.run(main())
print("unreachable too")
