# rebind_hidden.py - module names rebound where counting assignment
# statements does not look: a match capture rebinding a def that other
# functions call (directly, and from their unboxed twins), a function
# declaring `global math` and replacing the module; and a comprehension
# target named like a def, which does not rebind the module's name.
import math


def f(n):
    return n + 1


def h(n):
    return n * 10


def g(n):
    t = 0
    for i in range(n):
        t += f(i)
    return t


print(g(3))
match h:
    case f:
        pass
print(g(3))


def k(n):
    return n - 1


def uses_k(n):
    t = 0
    for i in range(n):
        t += k(i)
    return t


print([k for k in range(3)])
print(uses_k(4))


class FakeMath:
    @staticmethod
    def sqrt(x):
        return -1.0


def root(x):
    s = 0.0
    for i in range(3):
        s += math.sqrt(x)
    return s


def swap():
    global math
    math = FakeMath()


print(root(4.0))
swap()
print(root(4.0))
