"""Deep recursive solvers, written the direct way with the recursion limit
raised: a flood fill over a long corridor, a recursive-descent parser of
deeply nested lists, and a memoised path count."""
import sys
from functools import lru_cache

sys.setrecursionlimit(100000)

W = 15000
grid = ["." * W, "#" * (W - 1) + ".", "." * W]


def fill(r, c, seen):
    if r < 0 or r >= len(grid) or c < 0 or c >= W or (r, c) in seen or grid[r][c] == "#":
        return 0
    seen.add((r, c))
    return 1 + fill(r, c + 1, seen) + fill(r + 1, c, seen) + fill(r, c - 1, seen) + fill(r - 1, c, seen)


def parse(s, i=0):
    # '[' items ']' where an item is a digit or a nested list
    assert s[i] == "["
    i += 1
    out = []
    while s[i] != "]":
        if s[i] == "[":
            sub, i = parse(s, i)
            out.append(sub)
        else:
            out.append(int(s[i]))
            i += 1
        if s[i] == ",":
            i += 1
    return out, i + 1


def depth(x):
    return 1 + max((depth(y) for y in x if isinstance(y, list)), default=0)


@lru_cache(maxsize=None)
def paths(n):
    if n <= 1:
        return 1
    return (paths(n - 1) + paths(n - 2)) % 1000000007


print("filled", fill(0, 0, set()))
nested = "[1," * 8000 + "2" + "]" * 8000
tree, end = parse(nested)
print("parsed", end == len(nested), "depth", depth(tree))
print("paths", paths(2500))
sys.setrecursionlimit(500)
try:
    paths.cache_clear()
    paths(3000)
except RecursionError as e:
    print("RecursionError:", e)
