"""Domain containers built on collections.abc: a case-insensitive mapping,
a read-only sequence of records and a tag set, getting the mixin methods
from the ABCs; isinstance checks against the ABCs for builtins too."""
from collections.abc import (Callable, Container, Hashable, Iterable, Iterator, Mapping,
                             MutableMapping, MutableSequence, Sequence, Set, Sized)
import collections.abc


class Inventory(MutableMapping):
    def __init__(self):
        self._data = {}

    def __getitem__(self, key):
        return self._data[key.lower()]

    def __setitem__(self, key, value):
        self._data[key.lower()] = value

    def __delitem__(self, key):
        del self._data[key.lower()]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)


class Ledger(Sequence):
    def __init__(self, rows):
        self._rows = list(rows)

    def __getitem__(self, i):
        return self._rows[i]

    def __len__(self):
        return len(self._rows)


class Tags(Set):
    def __init__(self, items=()):
        self._items = []
        for x in items:
            if x not in self._items:
                self._items.append(x)

    def __contains__(self, x):
        return x in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)


inv = Inventory()
inv["Apple"] = 3
inv["PEAR"] = 5
inv.update({"Fig": 1}, plum=7)
print(len(inv), sorted(inv), inv["apple"], inv.get("kiwi", 0), "pear" in inv, "kiwi" in inv)
print(inv.setdefault("kiwi", 9), inv.pop("fig"), inv.pop("nothing", "-"))
print(sorted(inv.keys()), sorted(inv.values()), sorted(inv.items()))
print(inv == {"apple": 3, "pear": 5, "plum": 7, "kiwi": 9}, inv != {"apple": 3})
del inv["KIWI"]
print(dict(inv))

led = Ledger(["open", "pay", "ship", "pay", "close"])
print(len(led), led[1], list(led), list(reversed(led)), "ship" in led, led.index("pay"), led.count("pay"))
try:
    led.index("refund")
except ValueError:
    print("no refund")

a, b = Tags("abcd"), Tags("cdef")
print(sorted(a & b), sorted(a | b), sorted(a - b), sorted(a ^ b), a <= Tags("abcdz"), a.isdisjoint(Tags("xy")))

for name, abc in [("Iterable", Iterable), ("Sequence", Sequence), ("Mapping", Mapping), ("Sized", Sized),
                  ("Hashable", Hashable), ("Container", Container), ("Callable", Callable), ("Set", Set)]:
    row = [isinstance(x, abc) for x in ([1], (1,), "s", {1: 2}, {1}, 3, len, inv, led, a)]
    print(f"{name:<9}", "".join("x" if r else "." for r in row))
print(isinstance(iter([]), Iterator), isinstance([], Iterator), isinstance([], MutableSequence),
      isinstance((), MutableSequence), issubclass(dict, MutableMapping), issubclass(Inventory, Mapping))
print(collections.abc.Mapping is Mapping)
