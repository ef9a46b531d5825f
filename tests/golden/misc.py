try:
    pass
except* ValueError:
    pass
except* (TypeError, KeyError) as eg:
    raise
with (open("a") as fa, open("b") as fb):
    pass
with (yield_ := ctx()):
    pass
async def main():
    return [x async for x in agen() if await x], {k: v async for k, v in pairs()}
x: "Forward" = None
a, *rest = b[1:-1], *c
first, (second, third) = 1, (2, 3)
print(*args, sep="", **opts)
r = lambda a, b=2, *c, d, e=5, **f: (a, b, c, d, e, f)
s = f"{x!r:>{width}.{prec}} {y:%Y-%m-%d} {'q'!a} {3+4=}"
if (n := len(a)) > 10:
    pass
while not done and (line := read()):
    done = line == "q"
assert isinstance(x, int), f"bad {x}"
del x, (y, z), w[0]
g = (i for i in range(3))
t = 1 if a else 2 if b else 3
try:
    import fast
except ImportError:
    fast = None
else:
    pass
@property
def prop(self): return self._p
class E(Exception): pass
nums = [0x10, 0o10, 0b10, 1_000_000, 1e10, 1.5e-3, 1J, 10j]
