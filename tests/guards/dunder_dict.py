# Writes through x.__dict__ and vars(x) reach the instance (rx::via_dict):
# update, item assignment and deletion, setdefault, pop, clear.
class Config:
    def __init__(self, **kw):
        self.name = "default"
        self.__dict__.update(kw)

    def __repr__(self):
        return "Config(%s)" % ", ".join("%s=%r" % kv for kv in self.__dict__.items())


c = Config(debug=True, level=3)
print(c, c.debug, c.level)
c.__dict__["level"] = 4
c.__dict__.setdefault("extra", [])
c.extra.append(1)
print(c.level, c.extra, vars(c))
del c.__dict__["debug"]
print(hasattr(c, "debug"), sorted(vars(c)))
print(c.__dict__.pop("extra"), c.__dict__.pop("missing", "none"))
c.name = "n2"
print(c)
c.__dict__.clear()
print(vars(c), hasattr(c, "name"))


class Record:
    def __init__(self, d):
        for k, v in d.items():
            self.__dict__[k] = v


r = Record({"a": 1, "b": [2, 3]})
print(r.a, r.b, r.__dict__)
try:
    del r.__dict__["zz"]
except KeyError as e:
    print("KeyError", e)


class Bag:
    pass


b = Bag()
vars(b).update(x=1, y=2)
vars(b)["z"] = 3
del vars(b)["x"]
print(vars(b), b.y, b.z)
b.__dict__.update([("w", 0)], q=9)
print(sorted(b.__dict__), b.w, b.q)
e = Exception("msg")
e.__dict__["note"] = "n"
print(e.note, e.args)
