#!/usr/bin/env python3
"""Generates the Ingest+Analysis benchmark input: a package of about
LINES lines (default 5000) spread over 20 modules plus main.py, with the
constructs real programs use (functions, classes, loops, comprehensions,
f-strings, closures, exceptions, imports between modules).

    python3 bench/gen_frontend.py OUTDIR [LINES]
"""
import os
import sys

out = sys.argv[1]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
nmod = 20
os.makedirs(os.path.join(out, "pkg"), exist_ok=True)

BLOCK = '''
def compute_{m}_{i}(n, scale=2):
    """Sums a few series; numeric on purpose."""
    total = 0
    for k in range(n):
        if k % 3 == 0:
            total += k * scale
        elif k % 3 == 1:
            total -= k // 2
        else:
            total ^= k
    squares = [x * x for x in range(n) if x % 2]
    table = {{x: x + 1 for x in squares}}
    return total + sum(squares) + len(table)


class Record_{m}_{i}:
    """A small record with a derived field."""

    def __init__(self, name, value):
        self.name = name
        self.value = value
        self.history = []

    def bump(self, by=1):
        self.value += by
        self.history.append(by)
        return self.value

    def describe(self):
        return f"{{self.name:<10}} {{self.value:>6}} ({{len(self.history)}} changes)"


def closure_{m}_{i}(start):
    count = start

    def step():
        nonlocal count
        count += 1
        return count

    return step


def safe_div_{m}_{i}(a, b):
    try:
        return a / b
    except ZeroDivisionError as exc:
        print("cannot divide:", exc)
        return None
    finally:
        pass

'''

lines_per_block = BLOCK.count("\n")
blocks = max(1, -(-target // (lines_per_block * nmod)))
total = 0
with open(os.path.join(out, "pkg", "__init__.py"), "w") as f:
    f.write('"""Generated benchmark package."""\n')
for m in range(nmod):
    with open(os.path.join(out, "pkg", "mod_%02d.py" % m), "w") as f:
        f.write('"""Module %d."""\nimport math\nfrom . import mod_%02d as prev\n\n' % (m, (m - 1) % nmod))
        for i in range(blocks):
            f.write(BLOCK.format(m=m, i=i))
        total += 4 + blocks * lines_per_block
with open(os.path.join(out, "main.py"), "w") as f:
    for m in range(nmod):
        f.write("from pkg import mod_%02d\n" % m)
    for m in range(nmod):
        f.write("print(mod_%02d.compute_%d_0(10))\n" % (m, m))
    total += 2 * nmod
print(total)
