# Generators, yield from, with statements and a typed function.
def countdown(n):
    while n > 0:
        yield n
        n -= 1


def chain(*its):
    for it in its:
        yield from it


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def tri(n):
    total = 0
    for i in range(n + 1):
        total += i
    return total


class Ctx:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


with Ctx() as c:
    print(list(chain(countdown(3), [0])), gcd(84, 36), tri(100))
