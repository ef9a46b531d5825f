import types
from types import SimpleNamespace

ns = SimpleNamespace(a=1, b="two")
ns.c = [3]
print(ns, ns.a, vars(ns), ns == SimpleNamespace(a=1, b="two", c=[3]))
del ns.b
print(ns, hasattr(ns, "b"))


def f():
    pass


def g():
    yield 1


class C:
    def m(self):
        pass


print(isinstance(f, types.FunctionType), isinstance(len, types.BuiltinFunctionType), isinstance(g(), types.GeneratorType))
print(isinstance(C().m, types.MethodType), isinstance(lambda: 0, types.LambdaType), isinstance(C.m, types.FunctionType))
print(type(None) is types.NoneType, isinstance(types, types.ModuleType))
mp = types.MappingProxyType({"k": 1})
print(mp["k"], len(mp), list(mp), "k" in mp)
try:
    mp["k"] = 2
except TypeError as e:
    print("TypeError:", e)
print(types.GenericAlias(list, (int,)), list[int] == types.GenericAlias(list, (int,)))
M = types.new_class("M", (object,), {}, lambda ns: ns.update({"x": 5}))
print(M.__name__, M().x)
mod = types.ModuleType("dyn")
mod.value = 10
print(mod.__name__, mod.value)
