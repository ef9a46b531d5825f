"""A polynomial class with the full numeric protocol, in the style of
maths-library code: operator overloading (+ - * ** divmod, reflected and
in-place forms), exact Fraction coefficients, __hash__/__eq__ consistency,
__call__ (Horner), __iter__/__len__/__getitem__, formatting with __format__,
derivative and integral, gcd by the Euclidean algorithm, Sturm-free root
isolation by bisection, and sorted containers of polynomials."""
from fractions import Fraction
from functools import reduce
from itertools import zip_longest


class Poly:
    __slots__ = ("c",)

    def __init__(self, coeffs=()):
        c = [Fraction(x) for x in coeffs]
        while c and c[-1] == 0:
            c.pop()
        self.c = tuple(c)

    @classmethod
    def x(cls):
        return cls([0, 1])

    @classmethod
    def from_roots(cls, *roots):
        return reduce(lambda p, r: p * cls([-r, 1]), roots, cls([1]))

    @staticmethod
    def _lift(v):
        return v if isinstance(v, Poly) else Poly([v])

    def degree(self):
        return len(self.c) - 1

    def __len__(self):
        return len(self.c)

    def __iter__(self):
        return iter(self.c)

    def __getitem__(self, i):
        return self.c[i] if 0 <= i < len(self.c) else Fraction(0)

    def __bool__(self):
        return bool(self.c)

    def __eq__(self, other):
        if isinstance(other, (int, Fraction)):
            other = Poly([other])
        return isinstance(other, Poly) and self.c == other.c

    def __hash__(self):
        return hash(self.c)

    def __lt__(self, other):
        return (self.degree(), self.c[::-1]) < (other.degree(), other.c[::-1])

    def __add__(self, other):
        other = self._lift(other)
        return Poly(a + b for a, b in zip_longest(self.c, other.c, fillvalue=0))

    __radd__ = __add__

    def __neg__(self):
        return Poly(-a for a in self.c)

    def __sub__(self, other):
        return self + -self._lift(other)

    def __rsub__(self, other):
        return self._lift(other) - self

    def __mul__(self, other):
        other = self._lift(other)
        out = [Fraction(0)] * (len(self.c) + len(other.c))
        for i, a in enumerate(self.c):
            for j, b in enumerate(other.c):
                out[i + j] += a * b
        return Poly(out)

    __rmul__ = __mul__

    def __pow__(self, n):
        if not isinstance(n, int) or n < 0:
            return NotImplemented
        result, base = Poly([1]), self
        while n:
            if n & 1:
                result *= base
            base *= base
            n >>= 1
        return result

    def __divmod__(self, other):
        other = self._lift(other)
        if not other:
            raise ZeroDivisionError("polynomial division by zero")
        q = [Fraction(0)] * max(len(self.c) - len(other.c) + 1, 0)
        r = list(self.c)
        while len(r) >= len(other.c) and any(r):
            k = len(r) - len(other.c)
            f = r[-1] / other.c[-1]
            q[k] = f
            for i, b in enumerate(other.c):
                r[k + i] -= f * b
            r.pop()
            while r and r[-1] == 0:
                r.pop()
        return Poly(q), Poly(r)

    def __floordiv__(self, other):
        return divmod(self, other)[0]

    def __mod__(self, other):
        return divmod(self, other)[1]

    def __call__(self, x):
        acc = Fraction(0) if not isinstance(x, float) else 0.0
        for a in reversed(self.c):
            acc = acc * x + (a if not isinstance(x, float) else float(a))
        return acc

    def derivative(self):
        return Poly(i * a for i, a in enumerate(self.c) if i)

    def integral(self, const=0):
        return Poly([const] + [a / (i + 1) for i, a in enumerate(self.c)])

    def monic(self):
        return self * Fraction(1, self.c[-1]) if self else self

    def __repr__(self):
        return f"Poly({[str(a) for a in self.c]})"

    def __str__(self):
        return format(self, "x")

    def __format__(self, spec):
        var = spec or "x"
        if not self.c:
            return "0"
        terms = []
        for i in range(len(self.c) - 1, -1, -1):
            a = self.c[i]
            if a == 0:
                continue
            sign = "-" if a < 0 else "+"
            mag = abs(a)
            coef = "" if mag == 1 and i else (f"({mag})" if mag.denominator != 1 and i else str(mag))
            power = "" if i == 0 else var if i == 1 else f"{var}^{i}"
            terms.append((sign, coef + power))
        first_sign, first = terms[0]
        out = ("-" if first_sign == "-" else "") + first
        for sign, t in terms[1:]:
            out += f" {sign} {t}"
        return out


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a.monic()


def bisect_root(p, lo, hi, steps=40):
    flo = p(lo)
    for _ in range(steps):
        mid = (lo + hi) / 2
        fm = p(mid)
        if (fm < 0) == (flo < 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


def main():
    x = Poly.x()
    p = (x - 1) * (x + 2) ** 2
    q = Poly.from_roots(1, Fraction(1, 2), -3)
    print("p =", p)
    print("q =", q, "| repr", repr(q))
    print("p + q =", p + q, "| 3 - p =", 3 - p)
    print("p * q has degree", (p * q).degree(), "and leading", (p * q)[5])
    d, m = divmod(p * q + x, q)
    print("divmod:", d, "|", m)
    print("gcd(p, q) =", gcd(p, q), "| gcd(p, p') =", gcd(p, p.derivative()))
    print("p' =", p.derivative(), "| ∫q =", format(q.integral(), "t"))
    print("p(3) =", p(3), "| q(1/3) =", q(Fraction(1, 3)), "| p(0.5) =", p(0.5))
    r = x ** 3 - 2 * x - 5
    root = bisect_root(r, 2.0, 3.0)
    print(f"root of {r} in [2, 3]: {root:.12f} (residual {abs(r(root)):.1e})")
    polys = {p, q, p * 1, Poly([0, 0, 0]), Poly([5]), x}
    print("distinct:", len(polys), "sorted:", [str(t) for t in sorted(polys)])
    print("coefficients of q:", [str(a) for a in q], "len", len(q), "q[7] =", q[7])
    acc = Poly()
    for k in range(4):
        acc += Poly([1]) * x ** k
    print("geometric:", acc, "==", (x ** 4 - 1) // (x - 1), acc == (x ** 4 - 1) // (x - 1))
    try:
        p // Poly()
    except ZeroDivisionError as e:
        print("error:", e)
    try:
        p ** -1
    except TypeError as e:
        print("error:", e)


main()
