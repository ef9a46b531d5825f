# Element types of containers, kept only while no alias can change them.
def stats():
    values = [3, 1, 4, 1, 5]
    values.append(9)
    squares = [v * v for v in values]
    lookup = {name: len(name) for name in ["ab", "cde"]}
    seen = set()
    for v in values:
        seen.add(v)
    pair = (len(values), "items")
    words = "a b c".split()
    total = 0
    for w in words:
        total += len(w)
    print(squares[0], lookup["ab"], len(seen), pair[1], total)
    return pair


grid = [[0] * 3 for _ in range(3)]
row = grid[0]
row.append("x")              # inner lists stay dynamic
print(stats(), grid)
