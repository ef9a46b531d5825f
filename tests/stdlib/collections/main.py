from collections import Counter, defaultdict, deque, namedtuple, OrderedDict, ChainMap

words = "the quick brown fox jumps over the lazy dog the end".split()
c = Counter(words)
print(c.most_common(2), c["the"], c["missing"])
c.update(["fox", "fox"])
print(sorted(c.items())[:3], sum(c.values()))
print(Counter("abracadabra"))
print(Counter(a=3, b=1) - Counter(a=1, b=2), Counter(a=1) + Counter(a=2, b=1))
groups = defaultdict(list)
for w in words:
    groups[len(w)].append(w)
print(dict(sorted(groups.items())))
counts = defaultdict(int)
for ch in "mississippi":
    counts[ch] += 1
print(counts)
d = deque([1, 2, 3], maxlen=5)
d.appendleft(0)
d.extend([4, 5, 6])
print(d, d[0], d[-1], len(d))
d.rotate(2)
print(d, d.popleft(), d.pop())
Point = namedtuple("Point", ["x", "y"])
p = Point(3, 4)
print(p, p.x + p.y, p._asdict(), p._replace(x=10), Point._fields)
x, y = p
print(x, y, p == (3, 4))
od = OrderedDict()
od["b"] = 1
od["a"] = 2
od.move_to_end("b")
print(od, list(od.keys()), od.popitem(last=False))
cm = ChainMap({"a": 1}, {"a": 2, "b": 3})
print(cm["a"], cm["b"], len(cm), sorted(cm))
