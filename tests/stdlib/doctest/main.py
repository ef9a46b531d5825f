"""A small module tested by its docstrings."""


def add(a, b):
    """Return a + b.

    >>> add(2, 3)
    5
    >>> add("a", "b")
    'ab'
    >>> [add(i, i) for i in range(4)]
    [0, 2, 4, 6]
    """
    return a + b


def div(a, b):
    """
    >>> div(7, 2)
    3.5
    >>> div(1, 0)
    Traceback (most recent call last):
        ...
    ZeroDivisionError: division by zero
    """
    return a / b


if __name__ == "__main__":
    import doctest
    print(doctest.testmod())
    doctest.testmod(verbose=True)
