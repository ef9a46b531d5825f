@dec
@dec2(1)
def f(a, /, b: int = 1, *args, c, d=2, **kw) -> int:
    "doc"
    return a
def g(a, b=2, *, c):
    pass
def h(*, k=1, **rest):
    pass
f = lambda *a, b=1, **c: 0
g = lambda: None
h = lambda x, /, y: x
def gen():
    yield
    yield 1
    x = yield from y
    return (yield)
class C(B, metaclass=M):
    """cdoc"""
    x: int = 0
    def m(self):
        return super().m()
@dataclass
class D:
    pass
async def co():
    async for x in y:
        await z
    async with a as b:
        pass
    return [i async for i in aiter()]
