"""Recursion through await: an async tree walk, the depth at which
RecursionError comes under asyncio.run and under
loop.run_until_complete (CPython counts the event loop's own frames), and
a raised recursion limit."""
import asyncio
import sys


async def depth(n):
    return 0 if n == 0 else 1 + await depth(n - 1)


async def tree_sum(node):
    if node is None:
        return 0
    value, left, right = node
    return value + await tree_sum(left) + await tree_sum(right)


def build(lo, hi):
    if lo > hi:
        return None
    mid = (lo + hi) // 2
    return (mid, build(lo, mid - 1), build(mid + 1, hi))


async def max_depth():
    lo, hi = 1, 3000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            await depth(mid)
            lo = mid
        except RecursionError:
            hi = mid - 1
    return lo


async def main():
    print("tree sum", await tree_sum(build(1, 500)))
    print("max depth under asyncio.run", await max_depth())
    try:
        await depth(5000)
    except RecursionError as e:
        print("RecursionError:", e)


asyncio.run(main())
loop = asyncio.new_event_loop()
print("max depth under run_until_complete", loop.run_until_complete(max_depth()))
loop.close()
sys.setrecursionlimit(12000)
print("raised limit", asyncio.run(depth(5000)))
