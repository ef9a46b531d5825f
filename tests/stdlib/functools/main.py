import functools
from functools import lru_cache, partial, reduce, wraps, total_ordering, cache, cmp_to_key


@lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(80), fib.cache_info())


@cache
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


print(fact(20))
print(reduce(lambda a, b: a * b, range(1, 6)), reduce(lambda a, b: a + b, [], 0))
pow2 = partial(pow, 2)
print(pow2(10), pow2.func is pow, pow2.args)


def logged(fn):
    @wraps(fn)
    def inner(*a, **k):
        print("calling", fn.__name__)
        return fn(*a, **k)
    return inner


@logged
def add(a, b):
    "Add two numbers."
    return a + b


print(add(2, 3), add.__name__, add.__doc__)


@total_ordering
class Version:
    def __init__(self, s):
        self.t = tuple(int(x) for x in s.split("."))

    def __eq__(self, o):
        return self.t == o.t

    def __lt__(self, o):
        return self.t < o.t


print(Version("1.2") <= Version("1.10"), Version("2.0") > Version("1.9"), Version("1.0") >= Version("1.0"))
print(sorted(["b", "A", "c"], key=cmp_to_key(lambda x, y: (x.lower() > y.lower()) - (x.lower() < y.lower()))))


class Circle:
    def __init__(self, r):
        self.r = r

    @functools.cached_property
    def area(self):
        print("computing")
        return 3 * self.r * self.r


ci = Circle(2)
print(ci.area, ci.area)


@functools.singledispatch
def describe(x):
    return "object"


@describe.register
def _(x: int):
    return "int %d" % x


@describe.register(list)
def _(x):
    return "list of %d" % len(x)


print(describe(5), describe([1, 2]), describe("s"))
