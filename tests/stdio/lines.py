# Reads every line of stdin (input() until EOFError, then the rest with
# sys.stdin), echoes a digest: a would-block read must not look like EOF.
import sys
n = 0
total = 0
first = input()
try:
    while True:
        line = input()
        n += 1
        total += len(line)
        if n % 1000 == 0:
            print(n, total)
except EOFError:
    pass
print("first:", first)
print("lines:", n, "chars:", total)
rest = sys.stdin.read()
print("rest:", len(rest))
