import sys
from util import square

args = sys.argv[1:]
print("hello, world")
for i in range(3):
    print(f"{i} squared is {square(i) + (i == 1)}")
data = sys.stdin.read()
print("args: " + " ".join(args))
print(f"stdin: {len(data)} chars, {len(data.splitlines())} lines")
if "fail" in args:
    print("failing as asked", file=sys.stderr)
    sys.exit(3)
