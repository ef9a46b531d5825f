from collections.abc import Mapping, MutableMapping, Sequence, Iterable, Iterator, Callable, Hashable, Sized, Container, Set, Generator


class Registry(MutableMapping):
    def __init__(self):
        self._d = {}

    def __getitem__(self, k):
        return self._d[k]

    def __setitem__(self, k, v):
        self._d[k] = v

    def __delitem__(self, k):
        del self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)


r = Registry()
r["a"] = 1
r.update(b=2, c=3)
print(len(r), sorted(r.items()), r.get("z", 0), "a" in r, r.pop("c"), r.setdefault("d", 4), dict(r))
print(isinstance(r, Mapping), isinstance({}, MutableMapping), isinstance([], Sequence), isinstance((), Sequence))
print(isinstance("s", Iterable), isinstance(iter([]), Iterator), isinstance(len, Callable), isinstance([], Hashable))
print(isinstance({1}, Set), isinstance(3, Sized), isinstance((x for x in []), Generator), issubclass(list, Container))


class Span(Sequence):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        return i * i

    def __len__(self):
        return self.n


s = Span(5)
print(list(s), s.index(9), s.count(4), 16 in s, list(reversed(s)))
