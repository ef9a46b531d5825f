import operator
from operator import itemgetter, attrgetter, methodcaller

rows = [("bob", 30, "nyc"), ("alice", 25, "sf"), ("carol", 30, "la")]
print(sorted(rows, key=itemgetter(1, 0)))
print(list(map(itemgetter(0), rows)), itemgetter(slice(1, None))("abcd"))


class P:
    def __init__(self, name, age):
        self.name, self.age = name, age
        self.addr = type("A", (), {"city": name.upper()})()


ps = [P("z", 3), P("a", 9)]
print([p.name for p in sorted(ps, key=attrgetter("age"), reverse=True)], attrgetter("addr.city")(ps[0]))
print(methodcaller("replace", "a", "o")("banana"), methodcaller("upper")("x"))
print(operator.add(2, 3), operator.mul("ab", 2), operator.neg(5), operator.truediv(7, 2), operator.floordiv(7, 2))
print(operator.eq(1, 1.0), operator.lt("a", "b"), operator.not_(0), operator.truth([]), operator.contains([1], 1))
print(operator.getitem({"k": 1}, "k"), operator.concat([1], [2]), operator.pow(2, 8), operator.mod(-7, 3))
print(operator.and_(12, 10), operator.or_(12, 10), operator.xor(12, 10), operator.invert(5), operator.lshift(1, 4))
d = {"a": 1}
operator.setitem(d, "b", 2)
operator.delitem(d, "a")
print(d, operator.index(7), operator.is_(None, None), operator.abs(-2))
x = [1]
x = operator.iadd(x, [2])
print(x, operator.length_hint([1, 2, 3]))
