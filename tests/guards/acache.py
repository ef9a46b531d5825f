# Attribute reads through inline caches (rx::ga): each site remembers the
# class it saw and where the name sat in the instance dict. Everything here
# changes one of those facts between two reads at the same site.


class P:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Q:
    def __init__(self, x, y):
        self.y = y  # the other order
        self.x = x


def getx(o):
    return o.x


def read_all(objs):
    return [getx(o) for o in objs]


print(read_all([P(1, 2), Q(3, 4), P(5, 6)]))

# the instance dict changes shape under the cache
p = P(7, 8)
print(getx(p))
del p.x
p.x = 70  # now after y
print(getx(p))
delattr(p, "x")
del p.y
try:
    getx(p)
except AttributeError as e:
    print("AttributeError:", e)

# a property appears on the class after the site cached the dict slot
q = P(1, 2)
print(getx(q))
P.x = property(lambda self: "prop")
print(getx(q))
del P.x
print(getx(q))


# __class__ reassignment
class R:
    def __init__(self):
        self.x = "r"


class S:
    @property
    def x(self):
        return "s-prop"


r = R()
print(getx(r))
r.__class__ = S
print(getx(r))


# __getattr__ fallback and a class attribute behind a missing instance key
class G:
    z = "class-level"

    def __getattr__(self, name):
        return "missing " + name


def getz(o):
    return o.z


g = G()
print(getz(g), getx(g))
g.z = "instance"
print(getz(g))


# classes made in a loop: a new class may reuse a freed class's address
def make(i):
    if i % 2:
        class C:
            def __init__(self):
                self.x = i
    else:
        class C:
            @property
            def x(self):
                return -i
    return C()


print([getx(make(i)) for i in range(8)])


# slots, a module, a function, a class and an exception at the same site
class Sl:
    __slots__ = ("x",)

    def __init__(self):
        self.x = "slot"


import math


class HasX:
    x = "class attr"


def f():
    pass


f.x = "func attr"
err = ValueError("boom")
err.x = "exc attr"
print([getx(o) for o in (Sl(), HasX, f, err, HasX())])
try:
    getx(math)
except AttributeError as e:
    print("AttributeError:", e)


# a data descriptor class, assigned after the cache saw plain instances
class Desc:
    def __get__(self, obj, typ=None):
        return "descriptor"

    def __set__(self, obj, value):
        raise AttributeError("read-only")

    def __delete__(self, obj):
        raise AttributeError("undeletable")


class T:
    def __init__(self):
        setattr(self, "x", "dict")


t = T()
print(getx(t))
T.x = Desc()
print(getx(t))
for _ in range(3):
    print(getx(P(1, 2)), getx(t))
try:
    t.x = "new"
except AttributeError as e:
    print("AttributeError:", e)
try:
    del t.x
except AttributeError as e:
    print("AttributeError:", e)
print(getx(t))
