# Guards of the unpacking fast paths: `a, b = x, y` without a tuple,
# fixed-count unpacking into an array, `for a, b in` over enumerate, zip and
# dict items without building each item's tuple, truth and len() of a deque
# without its dunders, stores to __slots__ attributes, type(x).__name__.
from collections import deque


class Box:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b


class Counted(deque):
    def __len__(self):
        return 42


class Falsy(deque):
    def __bool__(self):
        return False


class Plain:
    pass


class Sized:
    def __len__(self):
        return 0


def swaps(xs):
    a, b = 1, 2
    a, b = b, a
    xs[0], xs[-1] = xs[-1], xs[0]
    [p, q] = a + b, a - b
    i, (j, k) = 1, (2, 3)
    return a, b, xs, p, q, i, j, k


def unpack_errors():
    out = []
    for bad in [(1, 2, 3), (1,), 5, "ab", [1, 2], iter([7, 8])]:
        try:
            a, b = bad
            out.append((a, b))
        except (ValueError, TypeError) as e:
            out.append(type(e).__name__ + ": " + str(e))
    return out


def loops():
    d = {"x": 1, "y": 2, "z": 3}
    total = []
    for k, v in d.items():
        total.append(k * v)
    for i, (k, v) in enumerate(d.items()):
        total.append((i, k, v))
    for i, c in enumerate("héllo"):
        total.append(c * i)
    for a, b, c in zip([1, 2, 3], "abcd", (True, False, None)):
        total.append((a, b, c))
    for a, b in zip(range(3), iter(range(10))):
        total.append(a + b)
    for a, b in [(1, 2), [3, 4]]:
        total.append(a * b)
    for k, v in d.items():
        if k == "y":
            break
    else:
        total.append("no break")
    for a, b in zip([], []):
        pass
    else:
        total.append("empty zip else")
    try:
        for k, v in d.items():
            d[k + k] = v
    except RuntimeError as e:
        total.append(str(e))
    try:
        for a, b in [(1, 2), (3, 4, 5)]:
            total.append(a)
    except ValueError as e:
        total.append(str(e))
    try:
        for i, x in enumerate(5):
            pass
    except TypeError as e:
        total.append(str(e))
    return total


def truth():
    out = []
    for q in (deque(), deque([1]), Counted(), Counted([1]), Falsy([1, 2]), Plain(), Sized()):
        out.append((type(q).__name__, bool(q), "yes" if q else "no"))
        try:
            out.append(len(q))
        except TypeError as e:
            out.append(str(e))
    q = deque([1, 2, 3])
    n = 0
    while q:
        n += q.popleft()
    out.append(n)
    Plain.__len__ = lambda self: 0
    out.append(bool(Plain()))
    del Plain.__len__
    out.append(bool(Plain()))
    return out


def slots():
    b = Box(1, 2)
    for i in range(3):
        b.a = b.a + i
        b.b = b.b * 2
    try:
        b.c = 5
    except AttributeError as e:
        print("AttributeError:", e)
    return b.a, b.b


print(swaps([1, 2, 3]))
print(unpack_errors())
print(loops())
print(truth())
print(slots())
print(type(Box(0, 0)).__name__, type(3).__name__, type(type).__name__, type(None).__name__)
