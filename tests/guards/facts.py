"""Guards of the constructor and attribute-write fast paths.

The runtime caches, per class, whether `Cls(...)` is object.__new__ plus a
plain __init__ and whether a user __setattr__ is on the MRO; generated code
calls module-level defs directly and makes string constants once. Each
section below changes what one of those facts depends on while the program
runs, the way real code (plugins, mocks, decorators applied late) does.
"""


class Account:
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance

    def __repr__(self):
        return "Account(%r, %r)" % (self.owner, self.balance)


def open_accounts(names):
    return [Account(n) for n in names]


print(open_accounts(["ann", "bob"]))


# __init__ replaced on the class after instances were made
def audited_init(self, owner, balance=0):
    self.owner = owner.upper()
    self.balance = balance
    self.audited = True


Account.__init__ = audited_init
a = Account("cy", 5)
print(a, a.audited, vars(a))

# a __setattr__ added later to a base class applies to subclasses at once
class Savings(Account):
    pass


s1 = Savings("dee")
log = []


def logging_setattr(self, name, value):
    log.append(name)
    object.__setattr__(self, name, value)


Account.__setattr__ = logging_setattr
s2 = Savings("eve", 9)
s2.balance += 1
print(s1, s2, log)
del Account.__setattr__
s2.balance = 0
print(s2, log)

# __new__ added later: the constructor fast path must go through it
made = []


def counting_new(cls, *args, **kwargs):
    made.append(cls.__name__)
    return object.__new__(cls)


Account.__new__ = staticmethod(counting_new)
print(Account("fay"), Savings("gus"), made)


# __init__ that returns a value
class Broken:
    def __init__(self, x):
        self.x = x
        return x


try:
    Broken(1)
except TypeError as e:
    print("TypeError:", e)


# many positional arguments (past the constructor's stack buffer)
class Wide:
    def __init__(self, a, b, c, d, e, f, g, h, i, j):
        self.total = a + b + c + d + e + f + g + h + i + j


print(Wide(*range(10)).total, Wide(1, 2, 3, 4, 5, 6, 7, 8, 9, 10).total)


# instances of one class with different attribute counts (the size hint)
class Bag:
    def __init__(self, n):
        for k in range(n):
            setattr(self, "f%d" % k, k)


bags = [Bag(n) for n in (0, 3, 12, 1, 30)]
print([len(vars(b)) for b in bags], list(vars(bags[2]))[-2:])


# a direct call that runs before its def (NameError) and after it
try:
    early(1)
except NameError as e:
    print("NameError:", e)


def early(x):
    return x * 2


print(early(21))


# parameters that are never rebound stay the caller's values
def describe(item, count):
    label = "%s x%d" % (item, count)
    return label


def mutate(items, extra):
    items.append(extra)
    items = items + [extra]
    return items


base = [1]
print(describe("pen", 3), mutate(base, 2), base)

# string constants are shared, and mutable results are never shared
def tags():
    return ["a", "b"]


t1, t2 = tags(), tags()
t1.append("c")
print(t1, t2, tags()[0] == "a")

# list.append and dict.get on builtins and on subclasses that override them
class Stack(list):
    def append(self, x):
        super().append(x * 10)


class Defaults(dict):
    def get(self, key, default=None):
        return super().get(key, "missing")


st = Stack()
st.append(1)
plain = []
plain.append(1)
d = Defaults(a=1)
print(st, plain, d.get("a"), d.get("zz"), {"k": 1}.get("k"), {}.get("k", 7))
try:
    {}.get()
except TypeError as e:
    print("TypeError:", e)
try:
    [].append()
except TypeError as e:
    print("TypeError:", e)
