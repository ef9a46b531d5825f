# Numeric code the transpiler should unbox: every type here is certain.
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def mean3(x, y, z):
    return (x + y + z) / 3


def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def triangle(k):
    total = 0
    for i in range(1, k + 1):
        total += i
    return total


def is_prime(p):
    if p < 2:
        return False
    d = 2
    while d * d <= p:
        if p % d == 0:
            return False
        d += 1
    return True


print(fib(25), gcd(1071, 462), mean3(1, 2, 4), collatz(27), triangle(100))
print([p for p in range(50) if is_prime(p)])
for j in range(10):
    print(j, fib(j))
