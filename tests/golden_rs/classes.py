# Classes, inheritance, super(), properties and exceptions.
class Shape:
    sides = 0

    def __init__(self, name):
        self.name = name

    @property
    def label(self):
        return f"{self.name}/{self.sides}"


class Square(Shape):
    sides = 4

    def __init__(self, side):
        super().__init__("square")
        self.side = side


try:
    s = Square(3)
    print(s.label, s.side ** 2)
    raise ValueError("bad shape")
except ValueError as e:
    print("caught", e)
finally:
    print("end")
