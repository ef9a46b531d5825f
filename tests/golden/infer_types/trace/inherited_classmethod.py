# Trace-checked only (t_infer_trace): a classmethod inherited by a subclass builds its instances.
class A:
    def __init__(self, v):
        self.v = v
    @classmethod
    def make(cls, v):
        return cls(v)
class B(A):
    def __init__(self, v):
        self.v = v
        self.w = v
    def get(self):
        return self.w
b = B(1)
c = B.make("s")
d = b.make(2.5)
print(b.get(), c.get(), d.get())
