"""Exact rational arithmetic in the styles real code uses fractions.Fraction:
a ledger that splits bills without rounding drift, continued fractions and
best rational approximations, Egyptian fractions, and Bernoulli numbers."""
from fractions import Fraction
import math
import sys


def egyptian(q):
    """Greedy Egyptian fraction expansion.

    >>> egyptian(Fraction(4, 13))
    [Fraction(1, 4), Fraction(1, 18), Fraction(1, 468)]
    """
    out = []
    while q > 0:
        d = math.ceil(1 / q)
        unit = Fraction(1, d)
        out.append(unit)
        q -= unit
    return out


def continued_fraction(q, limit=20):
    terms = []
    for _ in range(limit):
        a = math.floor(q)
        terms.append(a)
        q -= a
        if q == 0:
            break
        q = 1 / q
    return terms


def convergents(terms):
    h0, h1 = 0, 1
    k0, k1 = 1, 0
    for a in terms:
        h0, h1 = h1, a * h1 + h0
        k0, k1 = k1, a * k1 + k0
        yield Fraction(h1, k1)


def bernoulli(n):
    a = [Fraction(0)] * (n + 1)
    for m in range(n + 1):
        a[m] = Fraction(1, m + 1)
        for j in range(m, 0, -1):
            a[j - 1] = j * (a[j - 1] - a[j])
    return a[0]


class Ledger:
    def __init__(self, people):
        self.balance = {p: Fraction(0) for p in people}

    def expense(self, payer, amount, among):
        amount = Fraction(amount)
        share = amount / len(among)
        self.balance[payer] += amount
        for p in among:
            self.balance[p] -= share

    def settle(self):
        debtors = sorted((b, p) for p, b in self.balance.items() if b < 0)
        creditors = sorted(((b, p) for p, b in self.balance.items() if b > 0), reverse=True)
        moves = []
        i = j = 0
        debtors = [[b, p] for b, p in debtors]
        creditors = [[b, p] for b, p in creditors]
        while i < len(debtors) and j < len(creditors):
            pay = min(-debtors[i][0], creditors[j][0])
            moves.append((debtors[i][1], creditors[j][1], pay))
            debtors[i][0] += pay
            creditors[j][0] -= pay
            if debtors[i][0] == 0:
                i += 1
            if creditors[j][0] == 0:
                j += 1
        return moves


def main():
    data = sys.stdin.read().split("\n")
    people = data[0].split()
    ledger = Ledger(people)
    for line in data[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        payer, amount, *among = line.split()
        ledger.expense(payer, amount, among or people)
    for p in people:
        b = ledger.balance[p]
        print(f"{p:>6}: {str(b):>10} = {float(b):10.4f} {'owes' if b < 0 else 'is owed'}")
    print("sum of balances:", sum(ledger.balance.values()))
    for frm, to, amt in ledger.settle():
        print(f"  {frm} -> {to}: {amt} ({round(amt, 2)}, {float(round(amt, 2))})")

    print(egyptian(Fraction(4, 13)), egyptian(Fraction("5/121"))[:3])
    pi_cf = continued_fraction(Fraction(math.pi), 8)
    print("pi cf:", pi_cf)
    print("convergents:", [str(c) for c in convergents(pi_cf)][:6])
    for d in (10, 100, 1000, 100000):
        approx = Fraction(math.pi).limit_denominator(d)
        print(d, approx, repr(approx), float(approx) - math.pi < 1e-3)
    print(Fraction("3.1415926535").limit_denominator(1000), Fraction(0.1), Fraction(0.1).limit_denominator())
    print([str(bernoulli(n)) for n in range(0, 13)])

    x = Fraction(3, 4)
    y = Fraction("-1.25e-1")
    print(x, y, repr(y), x + y, x - y, x * y, x / y, x // y, x % y, divmod(x, y), -x, abs(y), +y)
    print(x + 1, 1 + x, x * 2, 2 / x, x + 0.5, 0.5 * x, x ** 2, x ** -2, 2 ** x, x ** 0.5, Fraction(4) ** Fraction(1, 2))
    print(x == 0.75, x == Fraction(6, 8), Fraction(2, 1) == 2, x < 1, x > y, 1 > x, x <= 0.75, 0.8 > x, x != y)
    print(hash(Fraction(5, 1)) == hash(5), hash(Fraction(1, 2)) == hash(0.5), hash(x), hash(y), hash(Fraction(10**30, 7)))
    print(x.numerator, x.denominator, y.as_integer_ratio(), int(Fraction(-7, 2)), math.floor(Fraction(-7, 2)),
          math.ceil(Fraction(-7, 2)), round(Fraction(5, 2)), round(Fraction(7, 2)), round(Fraction(-1, 3), 3), math.trunc(Fraction(-7, 2)))
    print(sorted([Fraction(1, 3), 0.3, Fraction(2, 7), 1, Fraction(-1, 2)]), max(Fraction(1, 3), Fraction(1, 4)))
    print(Fraction(10**20, 3 * 10**19) + Fraction(1, 3), Fraction(2**70, 6), Fraction(1.5), Fraction(-0.0), Fraction(" 7 "), Fraction("1_000/3"))
    print(Fraction.from_float(0.375), {Fraction(1, 2): "half", 0.25: "quarter"}[0.5], Fraction(1, 2) in {0.5}, bool(Fraction(0)))
    print(sum(Fraction(1, n) for n in range(1, 11)), f"{Fraction(22, 7)}", "%s and %r" % (x, x))
    for bad in ["1/0", "abc", "1.2.3", "/3"]:
        try:
            Fraction(bad)
        except (ValueError, ZeroDivisionError) as e:
            print(type(e).__name__, e)
    try:
        Fraction(1.5, 2)
    except TypeError as e:
        print("TypeError", e)
    try:
        x / 0
    except ZeroDivisionError as e:
        print("ZeroDivisionError", e)


if __name__ == "__main__":
    main()
