# match statements, unbound locals, private names and float twins.
import math


class Vec:
    __match_args__ = ("x", "y")

    def __init__(self, x, y):
        self.__x = x
        self.x = x
        self.y = y


def norm(x, y):
    return math.sqrt(x * x + y * y)


def describe(v):
    match v:
        case Vec(0, 0):
            return "zero"
        case Vec(x, y) if x == y:
            return f"diagonal {x}"
        case [first, *rest]:
            return f"list from {first} (+{len(rest)})"
        case {"name": name}:
            return f"named {name}"
        case _:
            return "other"


def pick(flag):
    if flag:
        chosen = "yes"
    return chosen


for v in (Vec(0, 0), Vec(2, 2), [1, 2, 3], {"name": "n"}, 7):
    print(describe(v))
print(pick(True), norm(3.0, 4.0))
try:
    pick(False)
except UnboundLocalError as e:
    print(type(e).__name__)
