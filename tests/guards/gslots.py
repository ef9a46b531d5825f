# Module names bound by several statements of the module's own code live in
# slots beside the module dict (rx::gget/gset). Every way a module statement
# can bind a name must fill the slot, and functions must see each new value.
import random
import math as m
from collections import deque


def show(tag):
    # reads `total`, `item`, `m`, `pair` and `acc` from the module at call time
    print(tag, total, getattr(item, "__name__", item), m.floor(acc) if isinstance(acc, float) else acc, pair)


total = 0
item = None
acc = 0
pair = (0, 0)
show("start")
for item in range(5):
    total += item
    show("for")
total = total * 2
show("mult")
while total > 3:
    total //= 3
show("while")
acc = 0.5
for k in range(100000):  # a loop the typed-region pass may run unboxed
    acc = acc * 1.0000001 + k % 7
show("typed")
acc = 7
pair = (1, 2)
a, (b, total) = 10, (20, 30)
show("unpack")
pair = [x * 2 for x in (a, b)]
show("listcomp")
if (total := total + 1) > 30:
    show("walrus")


class Box:
    def __enter__(self):
        return "entered"

    def __exit__(self, *exc):
        return False


with Box() as item:
    show("with")
match (3, 4):
    case (3, item):
        show("match")
import math as m  # rebinding an import
show("import")
from collections import deque as item
show("from-import")


def item():
    return "def"


show("def")


class item:
    pass


show("class")
r = random.Random(1)
for _ in range(50):
    choice = r.randrange(4)
    if choice == 0:
        total = r.random()
    elif choice == 1:
        total = [total]
    elif choice == 2:
        total = str(total)[:10]
    else:
        total = -1
print(total if not isinstance(total, list) else len(total))
try:
    print(undefined_later)
except NameError as e:
    print("NameError:", e)
undefined_later = 1
print(undefined_later)

