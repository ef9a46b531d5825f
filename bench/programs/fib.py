# bench: numeric
# Naive doubly recursive Fibonacci: function-call overhead on small ints.
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


print(fib(35))
