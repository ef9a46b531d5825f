# Trace-checked only (t_infer_trace): classes whose objects escape in odd ways.
import operator
class A:
    def __init__(self, v):
        self.v = v
    def get(self, k):
        return self.v + k
    @classmethod
    def make(cls, v):
        return cls(v)
a = A(1)
b = a.make("s")
print(a.get(1), b.v)

class B:
    def __init__(self, v):
        self.v = v
    def twice(self, k):
        return k * 2
bb = B(2)
f = operator.methodcaller("twice", "ab")
print(f(bb), bb.twice(3))
g = getattr(bb, "twice")
print(g([1]))

class C:
    def __init__(self):
        self.items = []
    def add(self, x):
        self.items.append(x)
        return len(self.items)
c = C()
c.add(1)
c.add("two")
print(c.items, c.add(3))

class D:
    def __init__(self, n):
        self.n = n
    def bump(self):
        self.n = self.n + 1
        return self.n
def mk():
    return D
dd = mk()(2.5)
print(dd.bump())
d2 = D(1)
print(d2.bump(), d2.n)

class E:
    k = 1
    def __init__(self):
        self.k = "inst"
e = E()
print(e.k, E.k)

def outer():
    total = 0
    def add(x):
        nonlocal total
        total += x
    add(1.5)
    return total
print(outer())

def loop_try():
    res = 0
    for i in range(4):
        try:
            if i == 2:
                res = "err"
                raise ValueError
            res = i
        except ValueError:
            continue
        finally:
            pass
        print(res)
    return res
print(loop_try())

def while_else(n):
    v = 1
    while n:
        n -= 1
        if n == 5:
            v = "found"
            break
    else:
        v = 2.5
    return v
print(while_else(3), while_else(8))
