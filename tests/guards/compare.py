# Guards of the sequence-ordering fast paths: ints and strs compared in one
# step inside tuples and lists, lists compared without copying them (an
# item's __eq__ that changes a list while it is compared), identity of
# short and long strs.
nan = float("nan")


class Shrink:
    """Equal to everything; shrinks the list it sits in when compared."""

    def __init__(self, owner):
        self.owner = owner

    def __eq__(self, other):
        self.owner.clear()
        return True

    __hash__ = object.__hash__


def lists():
    out = []
    pairs = [
        ([1, 2, 3], [1, 2, 4]),
        ([1, 2], [1, 2, 0]),
        (["b", "a"], ["a", "z"]),
        (["é", 1], ["e", 2]),
        ([1, True], [1, 1]),
        ([1.5, 2], [1.5, 2.0]),
        ([nan], [nan]),
        ([[1, 2], "x"], [[1, 3], "a"]),
        ([(1, "a")], [(1, "b")]),
        ([], []),
    ]
    for a, b in pairs:
        out.append((a < b, a <= b, a > b, a >= b, a == b, a != b))
    a = [1, 2, 3]
    b = [1, 2, 3, 4]
    a[0] = Shrink(b)
    out.append(a < b)
    out.append(b)
    try:
        out.append([1, "a"] < [1, 2])
    except TypeError as e:
        out.append(str(e))
    return out


def tuples():
    words = ["pear", "apple", "fig", "apple", "kiwi", "fig", "fig"]
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    out = [ranked]
    out.append(sorted([(2, "b"), (1, "z"), (2, "a"), (1, "a", 0), (1, "a")]))
    out.append(sorted([("x", 2.5), ("x", 2), ("w", 9)]))
    out.append(((nan,) < (nan,), (nan,) == (nan,), (1, nan) < (1, 2)))
    out.append(max([("a", 1), ("a", 2), ("b", 0)]))
    return out


def identity():
    s = "ab"
    t = "".join(["a", "b"])
    one = "".join(["x"])
    return (s is s, s == t, one == "x", [s] == [t], (s,) < (t + "c",))


print(lists())
print(tuples())
print(identity())
