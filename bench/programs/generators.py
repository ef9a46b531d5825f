# bench: object
# Generators and closures as a data pipeline: a generator of records, stages
# built by closure factories (filters, mappers, running windows), yield from
# for flattening, a generator-based coroutine-free merge of sorted streams,
# a memoizing decorator, and counters kept in nonlocal variables.


def numbers(start, step):
    n = start
    while True:
        yield n
        n += step


def take(n, it):
    for i, x in enumerate(it):
        if i >= n:
            return
        yield x


def make_filter(pred):
    def stage(it):
        for x in it:
            if pred(x):
                yield x
    return stage


def make_mapper(fn):
    def stage(it):
        for x in it:
            yield fn(x)
    return stage


def window(size):
    def stage(it):
        buf = []
        for x in it:
            buf.append(x)
            if len(buf) > size:
                del buf[0]
            if len(buf) == size:
                yield tuple(buf)
    return stage


def pipeline(source, *stages):
    it = source
    for s in stages:
        it = s(it)
    return it


def flatten(items):
    for x in items:
        if isinstance(x, list):
            yield from flatten(x)
        else:
            yield x


def merge(a, b):
    a = iter(a)
    b = iter(b)
    x = next(a, None)
    y = next(b, None)
    while x is not None and y is not None:
        if x <= y:
            yield x
            x = next(a, None)
        else:
            yield y
            y = next(b, None)
    while x is not None:
        yield x
        x = next(a, None)
    while y is not None:
        yield y
        y = next(b, None)


def make_counter():
    count = 0

    def bump(k=1):
        nonlocal count
        count += k
        return count
    return bump


def memoize(fn):
    cache = {}

    def wrapper(*args):
        if args in cache:
            return cache[args]
        result = fn(*args)
        cache[args] = result
        return result
    wrapper.cache = cache
    return wrapper


@memoize
def partitions(n, largest):
    if n == 0:
        return 1
    if n < 0 or largest == 0:
        return 0
    return partitions(n - largest, largest) + partitions(n, largest - 1)


def collatz_len(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


calls = make_counter()


def scaled(k):
    def f(x):
        calls()
        return x * k + 1
    return f


total = 0
for round_no in range(30):
    stream = pipeline(
        take(20000, numbers(round_no, 3)),
        make_filter(lambda x: x % 7 != 3),
        make_mapper(scaled(round_no + 2)),
        window(4),
        make_mapper(lambda w: max(w) - min(w) + sum(w) % 11),
    )
    total += sum(stream)
print("pipeline total", total, "mapper calls", calls(0))

evens = (x * x for x in range(0, 120000, 2))
odds = (x * x + 1 for x in range(1, 120000, 2))
merged = list(merge(evens, odds))
print("merged", len(merged), merged[:5], merged[-1], all(merged[i] <= merged[i + 1] for i in range(len(merged) - 1)))

nested = [[i, [i + 1, [i + 2, [i + 3]]], i * 2] for i in range(30000)]
flat = list(flatten(nested))
print("flattened", len(flat), sum(flat))

print("partitions", [partitions(n, n) for n in (5, 10, 50, 100, 150)], "cache", len(partitions.cache))

lengths = {n: collatz_len(n) for n in range(1, 40000)}
best = max(lengths, key=lambda n: (lengths[n], -n))
print("collatz longest below 40000:", best, lengths[best])
squares = sorted((n for n in lengths if lengths[n] == 20), key=lambda n: (n % 10, n))
print("length-20 starts", len(squares), squares[:8])
gen_total = sum(sum(1 for _ in take(k, numbers(0, 1))) for k in range(400))
print("gen total", gen_total)
