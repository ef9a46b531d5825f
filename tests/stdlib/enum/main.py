from enum import Enum, IntEnum, Flag, IntFlag, auto, unique


class Color(Enum):
    RED = 1
    GREEN = 2
    BLUE = 3


class Status(IntEnum):
    OK = 200
    NOT_FOUND = 404


class Perm(Flag):
    R = auto()
    W = auto()
    X = auto()


@unique
class Shape(Enum):
    SQUARE = auto()
    CIRCLE = auto()

    def describe(self):
        return "%s=%d" % (self.name, self.value)


print(Color.RED, repr(Color.GREEN), Color(3), Color["BLUE"], Color.RED.name, Color.RED.value)
print(list(Color), len(Color), Color.RED is Color(1), Color.RED == 1)
print(Status.OK == 200, Status.NOT_FOUND + 1, Status(404), sorted([Status.NOT_FOUND, Status.OK]))
p = Perm.R | Perm.W
print(p, Perm.R in p, Perm.X in p, bool(Perm.R & Perm.X))
print(Shape.CIRCLE.describe(), [s.value for s in Shape])
print({c: c.value for c in Color})
try:
    Color(7)
except ValueError as e:
    print("ValueError:", e)
print(isinstance(Color.RED, Color), type(Color.RED).__name__)
for name, member in Color.__members__.items():
    print(name, member)
