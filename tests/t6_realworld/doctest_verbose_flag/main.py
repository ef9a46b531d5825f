#!/usr/bin/env python3
"""
Classic algorithms, each checked by its docstring examples.

>>> sieve(30)
[2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
>>> binary_search([1, 3, 5, 7, 9], 7)
3
"""
from functools import lru_cache
import doctest

__file__ = "main.py"  # CPython's is absolute: keep the report independent of the checkout


def binary_search(items: list[int], target: int) -> int:
    """Return the index of target in the sorted list items, or -1.

    >>> binary_search([], 1)
    -1
    >>> binary_search([2, 4, 6, 8], 2)
    0
    >>> binary_search([2, 4, 6, 8], 5)
    -1
    >>> [binary_search(list(range(0, 20, 2)), t) for t in (0, 18, 7)]
    [0, 9, -1]
    """
    lo, hi = 0, len(items) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if items[mid] == target:
            return mid
        if items[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


def sieve(limit):
    """Primes up to limit (Eratosthenes).

    >>> sieve(1)
    []
    >>> len(sieve(1000))
    168
    >>> sieve(-5)
    Traceback (most recent call last):
        ...
    ValueError: limit must be non-negative, got -5
    """
    if limit < 0:
        raise ValueError(f"limit must be non-negative, got {limit}")
    flags = [True] * (limit + 1)
    primes = []
    for n in range(2, limit + 1):
        if flags[n]:
            primes.append(n)
            for m in range(n * n, limit + 1, n):
                flags[m] = False
    return primes


@lru_cache(maxsize=None)
def partitions(n, k=None):
    """Number of partitions of n into parts of size at most k.

    >>> partitions(5)
    7
    >>> partitions(100)   # doctest: +ELLIPSIS
    190569...
    >>> [partitions(i) for i in range(8)]
    [1, 1, 2, 3, 5, 7, 11, 15]
    """
    if k is None:
        k = n
    if n == 0:
        return 1
    if n < 0 or k == 0:
        return 0
    return partitions(n - k, k) + partitions(n, k - 1)


def gcd(a, b):
    """
    >>> gcd(48, 18)
    6
    >>> gcd(0, 5), gcd(5, 0)
    (5, 0)
    >>> from math import gcd as mgcd
    >>> all(gcd(a, b) == mgcd(a, b) for a in range(30) for b in range(30))
    True
    """
    while b:
        a, b = b, a % b
    return abs(a)


def run_length(text):
    """Run-length encoding, printed one run per line.

    >>> run_length("aaabccdddd")
    a 3
    b 1
    c 2
    d 4
    >>> run_length("")
    >>> print(run_length("xy"))
    x 1
    y 1
    None
    >>> table = {"a": 1,
    ...          "b": 2}
    >>> table
    {'a': 1, 'b': 2}
    """
    if not text:
        return None
    prev, count = text[0], 0
    for ch in text:
        if ch == prev:
            count += 1
        else:
            print(prev, count)
            prev, count = ch, 1
    print(prev, count)


def matrix(n):
    """An n by n multiplication table.

    >>> for row in matrix(3):
    ...     print(*row)
    1 2 3
    2 4 6
    3 6 9
    >>> matrix(2)   # doctest: +NORMALIZE_WHITESPACE
    [[1, 2],
     [2, 4]]
    >>> print("\\n".join(" ".join(str(v) for v in r) for r in matrix(2)) + "\\n")
    1 2
    2 4
    <BLANKLINE>
    """
    return [[(i + 1) * (j + 1) for j in range(n)] for i in range(n)]


if __name__ == "__main__":
    result = doctest.testmod()  # verbose when run with -v
    print(result)
    print(f"{result.attempted} examples, {result.failed} failed")
    print("sieve(50):", sieve(50))
