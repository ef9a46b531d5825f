# Instances, attributes and methods of closed classes; what stays dynamic.
class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y
        self.hits = 0

    def dot(self, other):
        self.hits += 1
        return self.x * other.x + self.y * other.y


class Shape:
    def __init__(self):
        self.sides = 3

    def count(self):
        return self.sides


class Square(Shape):
    def __init__(self):
        self.sides = 4


class Box:
    def __init__(self):
        self.w = 1


def poke(o):
    o.w = "wide"


a = Vec(1, 2)
b = Vec(3, 4)
d = a.dot(b)
s = Shape()
sq = Square()
bx = Box()
poke(bx)
poke(a)
print(d, a.x, a.hits, s.count(), sq.count(), bx.w)


def elements():
    xs = [1, 2, 3]
    xs.append(4)
    first = xs[0]
    sq = {k: k * k for k in xs}
    ys = [0] * 5
    ys[1] = 7
    last = ys.pop()
    zs = [1]
    keep(zs)
    zs.append(2)
    return first, sq[2], last, zs[0]


def keep(lst):
    lst.append("s")


n: int = "not an int"


def half(v: int) -> int:
    return v / 2


print(elements(), n, half(3))
