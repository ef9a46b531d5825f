class Shape:
    count = 0
    def __init__(self, name):
        self.name = name
        Shape.count += 1
    def area(self):
        raise NotImplementedError("area")
    def __str__(self):
        return f"{self.name} with area {self.area():.2f}"
    def __lt__(self, other):
        return self.area() < other.area()
class Circle(Shape):
    def __init__(self, r):
        super().__init__("circle")
        self.r = r
    @property
    def diameter(self):
        return 2 * self.r
    def area(self):
        return 3.14159 * self.r ** 2
    @classmethod
    def unit(cls):
        return cls(1)
class Square(Shape):
    def __init__(self, side, *, label="square"):
        super().__init__(label)
        self.side = side
    def area(self):
        return self.side * self.side
shapes = [Circle(2), Square(3), Circle.unit(), Square(1.5, label="tile")]
for sh in sorted(shapes):
    print(sh)
print(Shape.count, Circle(5).diameter, max(shapes).name, [type(x).__name__ for x in shapes])
print(isinstance(shapes[0], Shape), issubclass(Square, Circle), [c.__name__ for c in Circle.__mro__])
try:
    Shape("blob").area()
except NotImplementedError as e:
    print("abstract:", repr(e))
for args, kw in [((), {}), ((1, 2), {}), ((1,), {"colour": "red"})]:
    try:
        Square(*args, **kw)
    except TypeError as e:
        print(e)
c = Circle(1)
try:
    c.diameter = 3
except AttributeError as e:
    print("AttributeError:", e)
print(vars(c))
