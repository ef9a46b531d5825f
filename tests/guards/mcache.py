# Method-call sites with an inline cache (rx::cm): each fact the cache
# keeps is broken between two calls at one site.
import random


class Shape:
    def area(self):
        return 0

    def describe(self):
        return "%s with area %s" % (type(self).__name__, self.area())


class Square(Shape):
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side


class Circle(Shape):
    def __init__(self, r):
        self.r = r

    def area(self):
        return round(3.14159 * self.r * self.r, 2)


def areas(shapes):
    return [s.area() for s in shapes]  # one site, several classes


shapes = [Square(2), Circle(1), Square(3), Shape()]
print(areas(shapes))
print([s.describe() for s in shapes])

# the method patched on the class between two calls at the same site
def patched_area(self):
    return -1


for round_ in range(3):
    print(round_, areas(shapes))
    if round_ == 0:
        Square.area = patched_area
    elif round_ == 1:
        del Square.area  # now Shape.area

# shadowed on the instance, then the shadow removed
sq = Square(5)
for i in range(3):
    if i == 1:
        sq.area = lambda: "instance attribute"
    if i == 2:
        del sq.area
    print(i, sq.area())

# __class__ reassigned between calls
c = Circle(2)
for i in range(2):
    print(c.area())
    c.__class__ = Square
    c.side = 7

# a method replaced by a non-function (a staticmethod, a callable object, a property)
class Counter:
    def __init__(self):
        self.n = 0

    def step(self):
        self.n += 1
        return self.n


class Adder:
    def __call__(self, *a):
        return ("called", len(a))


ctr = Counter()
for i in range(5):
    if i == 1:
        Counter.step = staticmethod(lambda: "static")
    elif i == 2:
        Counter.step = Adder()
    elif i == 3:
        Counter.step = classmethod(lambda cls: cls.__name__)
    elif i == 4:
        def step(self):
            return "plain again"
        Counter.step = step
    print(i, ctr.step())

# a class written in Rust (random.Random) and a subclass overriding its method
class Loaded(random.Random):
    def random(self):
        return 0.5


def draws(rngs):
    return [round(r.random(), 6) for r in rngs]


r1 = random.Random(7)
r2 = Loaded(7)
for _ in range(2):
    print(draws([r1, r2, r1]))
r1.random = lambda: "shadowed"
print(draws.__name__, [r.random() for r in (r1, r2)])

# a method that raises, and one that is missing: the errors are CPython's
class Strict:
    def check(self, x):
        if x < 0:
            raise ValueError("negative: %d" % x)
        return x


s = Strict()
for x in (1, -2):
    try:
        print(s.check(x))
    except ValueError as e:
        print("ValueError", e)
for obj in (s, 3, "text"):
    try:
        obj.check(1)
    except AttributeError as e:
        print("AttributeError", e)
# classes made in a loop share the site
for k in range(3):
    K = type("K%d" % k, (), {"who": lambda self, k=k: "K%d" % k})
    print(K().who())
