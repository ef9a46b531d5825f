"""Money as an integer number of cents (the usual way to avoid floats)."""
from functools import total_ordering


@total_ordering
class Money:
    __slots__ = ("cents",)

    def __init__(self, cents=0):
        self.cents = int(cents)

    @classmethod
    def zero(cls):
        return cls(0)

    @classmethod
    def parse(cls, text):
        text = text.strip()
        neg = text.startswith("-")
        if neg:
            text = text[1:]
        whole, _, frac = text.partition(".")
        if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
            raise ValueError(f"not an amount: {text!r}")
        cents = int(whole) * 100 + int(frac.ljust(2, "0") or 0)
        return cls(-cents if neg else cents)

    def scale_bp(self, bp):
        # basis points, rounded half up
        return Money((self.cents * bp + 5000) // 10000)

    def __add__(self, other):
        return Money(self.cents + other.cents)

    def __sub__(self, other):
        return Money(self.cents - other.cents)

    def __eq__(self, other):
        return isinstance(other, Money) and self.cents == other.cents

    def __lt__(self, other):
        return self.cents < other.cents

    def __bool__(self):
        return self.cents != 0

    def __hash__(self):
        return hash(self.cents)

    def __str__(self):
        sign = "-" if self.cents < 0 else ""
        c = abs(self.cents)
        return f"{sign}{c // 100:,}.{c % 100:02d}"

    def __repr__(self):
        return f"Money({self.cents})"
