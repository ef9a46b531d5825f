import queue

q = queue.Queue()
for i in range(3):
    q.put(i)
print(q.qsize(), q.empty(), q.get(), q.get_nowait(), q.full())
lq = queue.LifoQueue()
for x in "abc":
    lq.put(x)
print([lq.get() for _ in range(3)])
pq = queue.PriorityQueue()
for item in [(2, "b"), (1, "a"), (3, "c")]:
    pq.put(item)
print([pq.get() for _ in range(3)])
bq = queue.Queue(maxsize=1)
bq.put(1)
try:
    bq.put_nowait(2)
except queue.Full:
    print("Full")
try:
    queue.Queue().get_nowait()
except queue.Empty:
    print("Empty")
sq = queue.SimpleQueue()
sq.put("x")
print(sq.get(), sq.empty())
q.task_done()
q.task_done()
