# Instance attributes from __init__ and every other attribute store.
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
        self.label = "pt"
        self.moves = 0

    def move(self, dx):
        self.x = self.x + dx
        self.moves += 1
        return self


class Counter:
    total = 0

    def __init__(self):
        self.count = 0
        self.name = "c"

    def hit(self):
        self.count = self.count + 1


p = Point(1, 2)
q = Point(0.5, 1)
c = Counter()
c.hit()
print(p.label, q.x, c.name, c.count)
