# bench: numeric
# Digits of pi from an unbounded spigot (a linear fractional transformation
# kept as four big integers). The integers grow to thousands of digits, so
# the time goes to big-int multiply, add and floor division.


def pi_digits(count):
    q, r, t, k = 1, 0, 1, 1
    n, l = 3, 3
    digits = []
    while len(digits) < count:
        if 4 * q + r - t < n * t:
            digits.append(n)
            q, r, n = 10 * q, 10 * (r - n * t), (10 * (3 * q + r)) // t - 10 * n
        else:
            q, r, t, k, n, l = q * k, (2 * q + r) * l, t * l, k + 1, (q * (7 * k + 2) + r * l) // (t * l), l + 2
    return digits


digits = pi_digits(5000)
for i in range(0, len(digits), 50):
    print("".join(str(d) for d in digits[i:i + 50]), ":", i + 50)
print("sum", sum(digits))
