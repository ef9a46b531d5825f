# Several MB of output: a slow reader must still receive every byte.
import sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 60000
for i in range(n):
    print(f"{i:08d} " + "x" * (i % 71))
print("end", n, file=sys.stderr)
print("done")
