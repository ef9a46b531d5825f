def inner(n):
    for i in range(n):
        got = yield i
        if got is not None:
            print("inner got", got)
    return n * 10
def outer():
    try:
        r = yield from inner(3)
        print("inner returned", r)
        yield "done"
    finally:
        print("outer cleanup")
g = outer()
print(next(g), g.send("hello"), next(g), next(g))
g.close()
print(list(x * x for x in range(5)), sum(inner(4)))
def counter():
    n = 0
    while True:
        n += 1
        yield n
c = counter()
print([next(c) for _ in range(3)], next(iter([]), "empty"))
try:
    next(g)
except StopIteration as e:
    print("stopped", e.value)
