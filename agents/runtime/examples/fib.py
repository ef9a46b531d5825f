def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
print(fib(30))
print([fib(k) for k in range(10)], 2 ** 100, 7 // -2, -7 % 3, 1 / 3)
