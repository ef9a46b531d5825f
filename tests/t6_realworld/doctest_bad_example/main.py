"""Rectangle helpers; one example has a typo that CPython reports only when
testmod() runs it: the translator says so when it translates."""
import doctest


def area(w, h):
    """
    >>> area(2, 3)
    6
    >>> area(2,, 3)
    6
    """
    return w * h


print(doctest.testmod())
