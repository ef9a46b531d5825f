# Direct calls still count against the recursion limit, with CPython's
# message, and integers leave i64 exactly.
import sys


def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)


print(depth(900))
try:
    depth(5000)
except RecursionError as e:
    print("RecursionError:", e)


def grow(x, n):
    for _ in range(n):
        x = x * 3 + 1
    return x


print(grow(1, 50))
print(grow(2 ** 62, 2))


class Node:
    def __init__(self, v, nxt):
        self.v = v
        self.nxt = nxt

    def total(self):
        return self.v + (self.nxt.total() if self.nxt else 0)


head = None
for i in range(500):
    head = Node(i, head)
print(head.total())
mixed = [1, 2.5, 3, 2 ** 70]
print(sum(mixed), [m * 2 for m in mixed])
