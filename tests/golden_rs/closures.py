# Closures, nonlocal, lambdas and decorators.
def make_counter(start=0):
    count = start

    def inc(step=1):
        nonlocal count
        count += step
        return count

    return inc


def twice(f):
    return lambda x: f(f(x))


@twice
def bump(x):
    return x + 1


c = make_counter(5)
print(c(), c(2), bump(1))
