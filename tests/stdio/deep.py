# Recursion as deep as CPython goes with a raised limit, then the limit
# itself: RecursionError with CPython's message, and the program goes on.
import sys
sys.setrecursionlimit(120000)


def depth(n):
    if n == 0:
        return 0
    return depth(n - 1) + 1


class Node:
    def __init__(self, nxt, val):
        self.nxt = nxt
        self.val = val

    def total(self):
        return self.val + (0 if self.nxt is None else self.nxt.total())


def walk(tree, acc):
    # a recursive solver with a few locals per frame
    if not tree:
        return acc
    head, *rest = tree
    label = f"{head}:{len(rest)}"
    acc.append(label if len(rest) % 10000 == 0 else head)
    return walk(rest[:], acc) if len(rest) < 60 else walk_list(rest, acc)


def walk_list(xs, acc, i=0):
    if i == len(xs):
        return acc
    acc.append(xs[i])
    return walk_list(xs, acc, i + 1)


for n in (1000, 20000, 50000, 100000):
    print(n, depth(n))
head = None
for i in range(60000):
    head = Node(head, i % 7)
print("list total", head.total())
print("walked", len(walk(list(range(55000)), [])))
sys.setrecursionlimit(1000)
try:
    depth(5000)
except RecursionError as e:
    print("RecursionError:", e)
print(depth(900))
