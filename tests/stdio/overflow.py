# A limit above what the module's stack holds: the runtime raises
# RecursionError before its stack is used up, instead of trapping.
import sys
sys.setrecursionlimit(10 ** 7)


def depth(n):
    return 0 if n == 0 else depth(n - 1) + 1


print("start")
try:
    depth(5 * 10 ** 6)
    print("finished")
except RecursionError as e:
    print("RecursionError:", e)
print(depth(1000))
