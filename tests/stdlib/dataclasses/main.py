from dataclasses import dataclass, field, asdict, astuple, replace, fields, FrozenInstanceError
from typing import List


@dataclass
class Item:
    name: str
    price: float
    qty: int = 1
    tags: List[str] = field(default_factory=list)

    def total(self) -> float:
        return self.price * self.qty


@dataclass(order=True, frozen=True)
class Version:
    major: int
    minor: int = 0


@dataclass
class Order:
    id: int
    items: List[Item] = field(default_factory=list)
    note: str = field(default="", repr=False)

    def __post_init__(self):
        self.count = len(self.items)


a = Item("apple", 0.5, 4)
print(a, a.total(), a == Item("apple", 0.5, 4, []))
print(asdict(a), astuple(a))
print(replace(a, qty=10))
print([f.name for f in fields(Item)])
o = Order(1, [a, Item("pear", 1.25)])
print(o, o.count)
print(asdict(o))
v = sorted([Version(1, 2), Version(1), Version(0, 9)])
print(v, Version(1, 2) < Version(2), hash(Version(1)) == hash(Version(1)))
try:
    v[0].major = 5
except FrozenInstanceError as ex:
    print("FrozenInstanceError", ex)
