import sys

print(sys.argv[1:])
print(sys.maxsize == 2 ** 63 - 1)
print(sys.version_info[:1] == (3,), sys.version_info.major)
print(sys.byteorder)
print(isinstance(sys.path, list))
sys.stdout.write("written with sys.stdout.write\n")
print("to stderr", file=sys.stderr)
sys.setrecursionlimit(5000)
print(sys.getrecursionlimit())


def deep(n):
    return 0 if n == 0 else 1 + deep(n - 1)


print(deep(3000))
try:
    raise ValueError("boom")
except ValueError:
    t, v, tb = sys.exc_info()
    print(t.__name__, v)
print("__main__" in sys.modules, "sys" in sys.modules)
print(sys.float_info.max, sys.float_info.epsilon, sys.float_info.dig)
print(sys.int_info.bits_per_digit > 0)
sys.stdout.flush()
sys.exit(3)
