# Trace-checked only (t_infer_trace): edge cases of flow typing.
import contextlib
def f1(n):
    x = 1
    for i in range(n):
        if i == 2:
            x = "two"
            continue
        x = x if isinstance(x, int) else 0
        print(x)
    print(x)
    while n > 0:
        n -= 1
        y = n
    else:
        y = "else"
    print(y)
    try:
        z = 1
        try:
            z = "inner"
            raise ValueError
        finally:
            w = z
    except ValueError:
        print(z, w)
    for k in range(3):
        try:
            q = 1
            if k == 1:
                continue
            q = "s"
        finally:
            pass
        print(q)
    with contextlib.suppress(KeyError):
        r = 1
        {}["x"]
        r = "never"
    print(r)
    match n:
        case 0:
            m = "zero"
        case _:
            m = 1
    print(m)
    g = (t := v for v in range(3))
    print(list(g))
    lst = [u := 5, 6]
    print(u, lst)
    def inner():
        return x
    x = 2.5
    print(inner())
    e = 1
    try:
        raise KeyError
    except KeyError as e:
        pass
    e = "rebound"
    print(e)
    return x
f1(4)

class Acc:
    total = 0
    def __init__(self, v):
        self.v = v
        Acc.total += v
    def add(self, o):
        self.v = self.v + o.v
        return self
    def __repr__(self):
        return "Acc(%r)" % self.v
a1 = Acc(1)
a2 = Acc(2)
a3 = a1.add(a2)
print(a3.v, Acc.total, a1.total, a3)

class Node:
    def __init__(self, val, nxt=None):
        self.val = val
        self.nxt = nxt
n1 = Node(1)
n2 = Node(2, n1)
cur = n2
while cur is not None:
    print(cur.val)
    cur = cur.nxt

def gen():
    s = 0
    for i in range(3):
        s += i
        yield s
for s in gen():
    print(s)
vals = {}
vals["a"] = 1
vals.setdefault("b", "x")
print(vals)
items = [3, 1]
items.sort(key=lambda q: -q)
other = items
other.append("x")
print(items)
def ret_list():
    return [1, 2]
rl = ret_list()
rl.append("s")
print(rl)
pairs = [(1, "a"), (2, "b")]
for num, lab in pairs:
    print(num, lab)
d2 = dict(a=1)
print(d2)
x5 = 5
x5 /= 2
print(x5)
bb = True
bb += 1
print(bb)
ii = 2 ** -1
print(ii)
mm = max(1, 2.5)
print(mm)
cc = abs(-2)
print(cc)
