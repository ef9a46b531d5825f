# Attribute-store sites with an inline cache (rx::sa): each fact the cache
# keeps is broken between two stores at one site.


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def move(self, dx):
        self.x += dx  # one read site, one store site
        return self


class Logged(Point):
    def __setattr__(self, name, value):
        print("  set", name, value)
        object.__setattr__(self, name, value)


class Slotted:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def move(self, dx):
        self.x += dx
        return self


def bump_all(objs, dx):
    for o in objs:
        try:
            o.move(dx)
            print(type(o).__name__, o.x)
        except AttributeError as e:
            print("AttributeError", e)


pts = [Point(1, 2), Logged(3, 4), Slotted(5, 6), Point(7, 8)]
bump_all(pts, 1)

# a property added to the class later turns the store into a setter call
def set_x(self, v):
    print("  property setter", v)
    self._x = v * 100


for i in range(3):
    if i == 2:
        del Point.x
    p = Point(0, 0)
    if i == 1:
        Point.x = property(lambda self: self.__dict__.get("_x", -1), set_x)
    if i == 1:
        p.move(5)  # twice through the property
    p.move(5)
    print(i, sorted(p.__dict__.items()))

# a read-only property: the store raises
class Frozen:
    @property
    def x(self):
        return 1


def store(o, v):
    o.x = v
    return o.x


for o in (Point(0, 0), Frozen(), Point(1, 1)):
    try:
        print(store(o, 9))
    except AttributeError as e:
        print("AttributeError", e)

# a data descriptor with __set__ on the class
class Upper:
    def __set_name__(self, owner, name):
        self.name = "_" + name

    def __get__(self, obj, cls=None):
        return getattr(obj, self.name)

    def __set__(self, obj, value):
        setattr(obj, self.name, value.upper())


class Person:
    name = Upper()


people = [Point(0, 0), Person(), Person()]
for o, v in zip(people, ["ann", "bob", "cy"]):
    o.name = v
    print(o.name)

# key order and deletion: the cached position moves
class Bag:
    pass


b = Bag()
for i in range(4):
    if i == 2:
        del b.a
    b.a = i
    b.z = -i
    print(list(b.__dict__.items()))

# exceptions keep args outside the dict
e = ValueError("x")
for v in (("a",), ("b", 2)):
    e.args = v
    print(e.args, str(e))

# __class__ assigned at a store site
class A:
    pass


class B:
    pass


objs = [A(), A()]
for o in objs:
    o.__class__ = B
    print(type(o).__name__)
