import numbers
from fractions import Fraction

for x in [1, 2.5, 1 + 2j, Fraction(1, 3), True, "s"]:
    print(repr(x), isinstance(x, numbers.Number), isinstance(x, numbers.Integral), isinstance(x, numbers.Rational),
          isinstance(x, numbers.Real), isinstance(x, numbers.Complex))


def scale(v, k):
    if not isinstance(k, numbers.Real):
        raise TypeError("k must be real")
    return [e * k for e in v]


print(scale([1, 2], 1.5))
try:
    scale([1], "2")
except TypeError as e:
    print("TypeError:", e)
