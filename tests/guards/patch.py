# Methods monkey-patched on the class, shadowed on the instance, deleted,
# and classes with __new__ / odd __init__ results.
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, o):
        return Point(self.x + o.x, self.y + o.y)

    def norm1(self):
        return abs(self.x) + abs(self.y)


p = Point(1, 2)
for i in range(5):
    p = p.add(Point(i, -i))
print(p.x, p.y, p.norm1())


def add_scaled(self, o):
    return Point(self.x + 10 * o.x, self.y + 10 * o.y)


Point.add = add_scaled
q = p.add(Point(1, 1))
print(q.x, q.y)
q.add = lambda o: "instance attribute wins"
print(q.add(p))
del q.add
print(q.add(Point(0, 1)).y)
del Point.norm1
try:
    q.norm1()
except AttributeError as e:
    print("AttributeError:", e)


class Sub(Point):
    def add(self, o):
        r = super().add(o)
        return Sub(r.x, r.y)


s = Sub(0, 0)
for i in range(3):
    s = s.add(Point(1, 1))
print(type(s).__name__, s.x, s.y)


class Weird:
    def __init__(self, v):
        self.v = v
        return None


class Bad:
    def __init__(self):
        return 5


print(Weird(3).v)
try:
    Bad()
except TypeError as e:
    print("TypeError:", e)


class Cached:
    inst = None

    def __new__(cls, *a):
        if cls.inst is None:
            cls.inst = super().__new__(cls)
        return cls.inst

    def __init__(self, n):
        self.n = n


a, b = Cached(1), Cached(2)
print(a is b, a.n)


class Counter:
    def __init__(self):
        self.n = 0

    def tick(self):
        self.n += 1
        return self.n


c = Counter()
total = 0
for i in range(1000):
    if i == 500:
        Counter.tick = lambda self: -1
    total += c.tick()
print("total", total)
