"""Statements of every kind."""
from __future__ import annotations
import os.path as osp, sys
from .pkg import (a as b, c)
from .. import d
from m import *
x = y = 1
a, *b = c
a += 1; b: int; c: list[int] = []
(p): float = 1.5
del a[0], b.c, d
with open(f) as g, h:
    pass
try:
    pass
except E as e:
    pass
except (A, B):
    pass
except:
    raise
else:
    pass
finally:
    pass
for i in range(3):
    if i:
        continue
    elif i > 1:
        break
    else:
        pass
else:
    pass
while x := f():
    break
else:
    x = 0
raise E from e
assert x, "m"
global q
def f():
    nonlocal_ = 1
    def g():
        nonlocal nonlocal_
        return
    return g
