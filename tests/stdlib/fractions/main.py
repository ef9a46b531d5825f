from fractions import Fraction
from math import floor

a = Fraction(3, 4)
b = Fraction("2/6")
print(a, b, repr(b), a + b, a - b, a * b, a / b, a ** 2, -a, abs(-a))
print(Fraction(0.75), Fraction(1.1).limit_denominator(100), Fraction("3.1415"), Fraction(5))
print(a.numerator, a.denominator, float(a), int(Fraction(7, 2)), round(Fraction(7, 2)), floor(Fraction(-7, 2)))
print(a < b, a == 0.75, a + 1, 2 * a, a + 0.25, sum([Fraction(1, n) for n in range(1, 6)]))
print(Fraction(1, 3).as_integer_ratio(), hash(Fraction(1, 2)) == hash(0.5), Fraction(10, -4))
try:
    Fraction(1, 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
print(sorted([Fraction(2, 3), Fraction(1, 2), Fraction(5, 6)]))
