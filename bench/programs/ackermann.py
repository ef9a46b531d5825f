# bench: numeric
# Deeply recursive integer functions: Ackermann (kept below CPython's default
# recursion limit), Takeuchi's tak, and a mutually recursive even/odd pair.


def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))


def tak(x, y, z):
    if y < x:
        return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y))
    return z


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


for m, n in ((1, 50), (2, 100), (3, 5)) + ((3, 6),) * 6:
    print("ack(%d, %d) = %d" % (m, n, ack(m, n)))
print("tak(18, 12, 6) =", tak(18, 12, 6))
print("tak(24, 16, 8) =", tak(24, 16, 8))
evens = 0
for i in range(2000):
    if is_even(i % 400):
        evens += 1
print("evens", evens)
