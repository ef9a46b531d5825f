"""A stack with doctests on its methods.

>>> s = Stack()
>>> s.push(1); s.push(2)
>>> s.pop()
2
"""
from doctest import testmod


class Stack:
    """LIFO stack.

    >>> Stack().is_empty()
    True
    """

    def __init__(self):
        self.items = []

    def push(self, x):
        """Push x.

        >>> st = Stack()
        >>> st.push(3)
        >>> st.items
        [3]
        """
        self.items.append(x)

    def pop(self):
        """
        >>> Stack().pop()
        Traceback (most recent call last):
            ...
        IndexError: pop from empty list
        """
        return self.items.pop()

    def is_empty(self):
        return not self.items

    @property
    def size(self):
        """Number of items.

        >>> st = Stack(); st.push('a'); st.size
        1
        """
        return len(self.items)

    @staticmethod
    def make(*xs):
        """
        >>> Stack.make(1, 2).items
        [1, 2]
        >>> for i in range(3):
        ...     i * i
        0
        1
        4
        >>> def helper(n):
        ...     return n + 1
        >>> helper(41)
        42
        >>> "text"
        'text'
        """
        s = Stack()
        for x in xs:
            s.push(x)
        return s


def fib(n):
    """Return the n-th Fibonacci number.

    >>> [fib(i) for i in range(10)]
    [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    >>> fib(-1)
    Traceback (most recent call last):
    ValueError: n must be >= 0
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


if __name__ == "__main__":
    testmod(verbose=True)
