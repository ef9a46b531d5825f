"""A single-threaded job runner: work items flow through FIFO, LIFO and
priority queues; bounded queues refuse work when full."""
import queue
from dataclasses import dataclass, field


@dataclass(order=True)
class Job:
    priority: int
    name: str = field(compare=False)
    cost: int = field(default=1, compare=False)


def run_fifo(names):
    q = queue.Queue()
    for n in names:
        q.put(n)
    print("fifo size", q.qsize(), "empty", q.empty())
    done = []
    while not q.empty():
        item = q.get()
        done.append(item)
        q.task_done()
    q.join()
    return done


def run_priority(jobs):
    pq = queue.PriorityQueue()
    for j in jobs:
        pq.put(j)
    total = 0
    while not pq.empty():
        j = pq.get_nowait()
        total += j.cost
        print(f"  run {j.name:<8} prio={j.priority} total={total}")
    return total


print(run_fifo(["parse", "plan", "emit", "link"]))
lifo = queue.LifoQueue()
for i in range(5):
    lifo.put(i * i)
print("lifo", [lifo.get() for _ in range(5)])
print("total cost", run_priority([Job(3, "deploy", 5), Job(1, "build", 2), Job(2, "test", 3), Job(1, "lint")]))

bounded = queue.Queue(maxsize=2)
bounded.put("a")
bounded.put_nowait("b")
print("full", bounded.full(), bounded.maxsize)
try:
    bounded.put_nowait("c")
except queue.Full:
    print("refused: queue full")
bounded.get()
bounded.get()
try:
    bounded.get_nowait()
except queue.Empty:
    print("nothing left")
try:
    bounded.task_done()
    bounded.task_done()
    bounded.task_done()
except ValueError as e:
    print("ValueError:", e)
pq = queue.PriorityQueue()
for t in [(2, "b"), (1, "z"), (1, "a"), (3, "c")]:
    pq.put(t)
print([pq.get() for _ in range(pq.qsize())])
