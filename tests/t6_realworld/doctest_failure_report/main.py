"""Statistics helpers whose doctests have fallen behind the code: the run
prints doctest's failure report and exits with the number of failures."""
import doctest
import sys

# doctest names this file in its report; CPython makes __file__ absolute,
# so the expected output would depend on where the case is checked out.
__file__ = "main.py"


def mean(xs):
    """Arithmetic mean.

    >>> mean([1, 2, 3, 4])
    2.5
    >>> mean([])
    Traceback (most recent call last):
    ZeroDivisionError: division by zero
    >>> mean([1, 2])   # the report says: expected 1.5 (right) or 2?
    2
    """
    return sum(xs) / len(xs)


def median(xs):
    """Middle value.

    >>> median([3, 1, 2])
    2
    >>> median([4, 1, 3, 2])
    2.5
    >>> median([])
    Traceback (most recent call last):
    IndexError: list index out of range
    """
    s = sorted(xs)
    n = len(s)
    if n % 2:
        return s[n // 2]
    return (s[n // 2 - 1] + s[n // 2]) / 2


def histogram(xs):
    """Print a bar per value.

    >>> histogram([2, 0, 3])
    0: **
    1:
    2: ***
    >>> histogram([1, 1])
    0: *
    1: **
    >>> histogram([])
    <BLANKLINE>
    """
    for i, x in enumerate(xs):
        print(f"{i}: {'*' * x}".rstrip())


class Summary:
    """Summary statistics of a sample.

    >>> Summary([1, 2, 3]).describe()
    'n=3 mean=2.0'
    >>> Summary([5]).spread()
    0
    """

    def __init__(self, xs):
        self.xs = list(xs)

    def describe(self):
        return f"n={len(self.xs)} mean={mean(self.xs)}"

    def spread(self):
        """
        >>> Summary([1, 5, 3]).spread()
        5
        >>> Summary([]).spread()      # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: max() arg is an empty sequence
        >>> Summary([2, 9]).spread()
        7
        """
        return max(self.xs) - min(self.xs)


if __name__ == "__main__":
    failed, attempted = doctest.testmod()
    print(f"{failed} of {attempted} examples failed")
    sys.exit(failed)
