# Trace-checked only (t_infer_trace): a single-inheritance hierarchy; stores through self reach the family.
class Shape:
    kind = "shape"
    def __init__(self, name):
        self.name = name
        self.scale = 1
    def area(self):
        return 0
    def describe(self):
        return self.name + ":" + str(self.area() * self.scale)
class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w = w
        self.h = h
    def area(self):
        return self.w * self.h
class Square(Rect):
    kind = "square"
    def __init__(self, s):
        super().__init__(s, s)
        self.scale = 2.5
class Circle(Shape):
    label = 3
    def __init__(self, r):
        super().__init__("circle")
        self.r = r
shapes = [Rect(2, 3), Square(4), Circle(1)]
for s in shapes:
    print(s.describe(), s.kind)
r = Rect(1, 2)
print(r.w, r.h, r.scale, r.name, r.kind, r.area())
q = Square(3)
print(q.w, q.scale, q.kind, q.area(), q.describe())
c = Circle(2)
print(c.r, c.label, c.name, c.area())
class Multi(Rect, Circle):
    pass
