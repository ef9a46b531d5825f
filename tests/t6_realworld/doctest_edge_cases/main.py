#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Edge cases of doctest: globals shared within a docstring and not across,
the interactive display (and `_`), SKIP, NORMALIZE of trailing blanks, a
decorator that drops the docstring, nested classes, exclude_empty, verbose.

>>> shared = 41
>>> shared + 1
42
"""
import doctest

__file__ = "main.py"


class MyError(Exception):
    pass


def noisy(x):
    """
    >>> print(1); 2
    1
    2
    >>> shared
    Traceback (most recent call last):
    NameError: name 'shared' is not defined
    >>> class P:
    ...     def __repr__(self):
    ...         return "P()"
    >>> P()
    P()
    >>> raise MyError("bad")
    Traceback (most recent call last):
    MyError: bad
    >>> print("caf\\u00e9")
    café
    >>> print("x")  # doctest: +SKIP
    y
    >>> [1,
    ...  2]
    [1, 2]
    >>> 6 * 7
    42
    >>> _ + 1
    43
    >>> "a\\tb"
    'a\\tb'
    >>> print("trailing   ")
    trailing
    """
    return x


def plain(f):
    def wrapper(*a):
        return f(*a)
    return wrapper


@plain
def wrapped():
    """
    >>> 1
    2
    """


class Outer:
    class Inner:
        """
        >>> Outer.Inner.__name__
        'Inner'
        """

    def method(self):
        """
        >>> Outer().method()
        'm'
        """
        return "m"


if __name__ == "__main__":
    print(doctest.testmod(verbose=True))
    print(doctest.testmod(exclude_empty=True, verbose=True))
    print(doctest.testmod(optionflags=doctest.REPORT_ONLY_FIRST_FAILURE))
