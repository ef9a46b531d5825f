"""Checks single functions with doctest.run_docstring_examples, the way
notebooks and scripts do: no summary, failures reported under the name given."""
import doctest

__file__ = "main.py"


def square(x):
    """
    >>> square(3)
    9
    >>> square(-2)
    5
    """
    return x * x


def cube(x):
    """
    >>> cube(2)
    8
    """
    return x ** 3


doctest.run_docstring_examples(square, globals())
doctest.run_docstring_examples(cube, globals(), verbose=True, name="cube")
doctest.run_docstring_examples(square, {"square": lambda x: x + 3}, name="patched")
print("done")
