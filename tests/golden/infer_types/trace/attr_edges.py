# Trace-checked only (t_infer_trace): instances reached through containers, attributes and aliases.
class P:
    def __init__(self, x):
        self.x = x
    def bump(self, k):
        self.x = self.x + k
        return self.x
ps = [P(1), P(2)]
for p in ps:
    print(p.bump(1))
class Holder:
    def __init__(self):
        self.p = P(3)
h = Holder()
h.p.bump(2)
print(h.p.x)
class Q:
    def __init__(self, v):
        self.v = v
    def show(self):
        return self.v
q = Q(1)
q.__init__("re")
print(q.v, q.show())
class R:
    def __init__(self, v):
        self.v = v
    def get(self):
        return self.v
r = R(1)
m = r.get
print(m())
def setv(o):
    o.v = [1]
g = R(2)
def later():
    g.v = 2.5
later()
print(g.get(), g.v)
class S:
    def __init__(self):
        self.items = [1]
    def add(self, x):
        self.items.append(x)
s = S()
s.add("two")
alias = s.items
alias.append(3.5)
print(s.items[0], len(s.items))
class T:
    def __init__(self, n):
        self.n = n
    def gen(self):
        for i in range(self.n):
            yield i * self.n
t = T(3)
print(list(t.gen()))
class U:
    count = 0
    def __init__(self):
        U.count = U.count + 1
        self.id = U.count
u1 = U()
u2 = U()
print(u1.id, u2.id, U.count)
