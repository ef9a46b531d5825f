"""Structured concurrency with asyncio.TaskGroup (Python 3.11): a build
system runs independent steps in a group, waits for all of them, and a
failing step cancels its sibling and surfaces as an ExceptionGroup."""
import asyncio
from dataclasses import dataclass


@dataclass
class Step:
    name: str
    seconds: float
    fails: bool = False


async def run_step(step, log):
    log.append(f"start {step.name}")
    try:
        await asyncio.sleep(step.seconds)
        if step.fails:
            raise RuntimeError(f"step {step.name!r} exited with status 2")
        log.append(f"done {step.name}")
        return f"{step.name}.o"
    except asyncio.CancelledError:
        log.append(f"cancelled {step.name}")
        raise


async def build(steps):
    log = []
    async with asyncio.TaskGroup() as tg:
        tasks = {s.name: tg.create_task(run_step(s, log), name=s.name) for s in steps}
    return {name: t.result() for name, t in tasks.items()}, log


async def main():
    objects, log = await build([Step("lexer", 0.03), Step("parser", 0.06), Step("codegen", 0.01)])
    print("objects:", objects)
    print("\n".join(log))

    log = []
    try:
        async with asyncio.TaskGroup() as tg:
            slow = tg.create_task(run_step(Step("linker", 0.5), log))
            tg.create_task(run_step(Step("tests", 0.02, fails=True), log))
    except ExceptionGroup as eg:
        print("build failed:", eg)
        for exc in eg.exceptions:
            print("  -", type(exc).__name__, exc)
        print("linker cancelled:", slow.cancelled())
    print("\n".join(log))

    # an error in the body itself also cancels the group's tasks
    log = []
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(run_step(Step("docs", 0.5), log))
            await asyncio.sleep(0)
            raise KeyError("config")
    except ExceptionGroup as eg:
        print("body error:", repr(eg.exceptions[0]), "|", log)

    # nested groups and results gathered through a queue
    q = asyncio.Queue()

    async def produce(n):
        for i in range(n):
            await q.put(i * i)
            await asyncio.sleep(0)

    async with asyncio.TaskGroup() as outer:
        outer.create_task(produce(3))
        async with asyncio.TaskGroup() as inner:
            inner.create_task(produce(2))
    items = []
    while not q.empty():
        items.append(q.get_nowait())
    print("queued:", items)


asyncio.run(main())
