# bench: numeric
# A small ray tracer written the way Python code usually is: a Vector class
# with operator dunders (+, -, *, unary -, /, ==), shapes with a polymorphic
# intersect(), a Scene holding lights, Lambert shading, shadows and one mirror
# bounce. Prints the image as ASCII art and a checksum of a larger render.
import math


class Vector:
    __slots__ = ("x", "y", "z")

    def __init__(self, x, y, z):
        self.x = x
        self.y = y
        self.z = z

    def __add__(self, o):
        return Vector(self.x + o.x, self.y + o.y, self.z + o.z)

    def __sub__(self, o):
        return Vector(self.x - o.x, self.y - o.y, self.z - o.z)

    def __mul__(self, k):
        return Vector(self.x * k, self.y * k, self.z * k)

    __rmul__ = __mul__

    def __truediv__(self, k):
        return Vector(self.x / k, self.y / k, self.z / k)

    def __neg__(self):
        return Vector(-self.x, -self.y, -self.z)

    def __eq__(self, o):
        return self.x == o.x and self.y == o.y and self.z == o.z

    def __repr__(self):
        return "Vector(%g, %g, %g)" % (self.x, self.y, self.z)

    def dot(self, o):
        return self.x * o.x + self.y * o.y + self.z * o.z

    def length(self):
        return math.sqrt(self.dot(self))

    def normalized(self):
        return self / self.length()


class Ray:
    def __init__(self, origin, direction):
        self.origin = origin
        self.direction = direction

    def at(self, t):
        return self.origin + self.direction * t


class Shape:
    def __init__(self, color, mirror):
        self.color = color
        self.mirror = mirror

    def intersect(self, ray):
        raise NotImplementedError

    def normal(self, point):
        raise NotImplementedError


class Sphere(Shape):
    def __init__(self, center, radius, color, mirror=0.0):
        super().__init__(color, mirror)
        self.center = center
        self.radius = radius

    def intersect(self, ray):
        oc = ray.origin - self.center
        b = oc.dot(ray.direction)
        c = oc.dot(oc) - self.radius * self.radius
        disc = b * b - c
        if disc < 0.0:
            return None
        root = math.sqrt(disc)
        t = -b - root
        if t > 1e-6:
            return t
        t = -b + root
        if t > 1e-6:
            return t
        return None

    def normal(self, point):
        return (point - self.center) / self.radius


class Plane(Shape):
    def __init__(self, point, normal, color, mirror=0.0):
        super().__init__(color, mirror)
        self.point = point
        self.n = normal.normalized()

    def intersect(self, ray):
        denom = self.n.dot(ray.direction)
        if abs(denom) < 1e-9:
            return None
        t = (self.point - ray.origin).dot(self.n) / denom
        if t > 1e-6:
            return t
        return None

    def normal(self, point):
        return self.n


class Scene:
    def __init__(self):
        self.shapes = []
        self.lights = []
        self.ambient = 0.08

    def add(self, shape):
        self.shapes.append(shape)
        return self

    def nearest(self, ray):
        best_t = None
        best = None
        for s in self.shapes:
            t = s.intersect(ray)
            if t is not None and (best_t is None or t < best_t):
                best_t, best = t, s
        return best, best_t

    def shadowed(self, point, to_light, dist):
        ray = Ray(point, to_light)
        for s in self.shapes:
            t = s.intersect(ray)
            if t is not None and t < dist:
                return True
        return False

    def trace(self, ray, depth):
        shape, t = self.nearest(ray)
        if shape is None:
            return 0.02 + 0.1 * max(ray.direction.y, 0.0)
        p = ray.at(t)
        n = shape.normal(p)
        light = self.ambient
        for lp, power in self.lights:
            d = lp - p
            dist = d.length()
            d = d / dist
            lam = n.dot(d)
            if lam > 0.0 and not self.shadowed(p, d, dist):
                light += power * lam
        value = shape.color * light
        if shape.mirror > 0.0 and depth < 2:
            r = ray.direction - n * (2.0 * ray.direction.dot(n))
            value = value * (1.0 - shape.mirror) + self.trace(Ray(p, r), depth + 1) * shape.mirror
        return value


def build_scene():
    scene = Scene()
    scene.add(Plane(Vector(0.0, -1.0, 0.0), Vector(0.0, 1.0, 0.0), 0.7, 0.2))
    scene.add(Sphere(Vector(0.0, 0.0, 4.0), 1.0, 0.9, 0.4))
    scene.add(Sphere(Vector(-1.8, -0.4, 5.0), 0.6, 0.6))
    scene.add(Sphere(Vector(1.7, -0.3, 3.2), 0.7, 0.8, 0.1))
    for k in range(5):
        a = k * 1.2566370614359172
        scene.add(Sphere(Vector(math.cos(a) * 2.6, 1.4, 6.0 + math.sin(a)), 0.35, 0.5 + 0.1 * k))
    scene.lights.append((Vector(-4.0, 5.0, -1.0), 0.7))
    scene.lights.append((Vector(3.0, 3.0, 1.0), 0.35))
    return scene


def render(scene, width, height):
    eye = Vector(0.0, 0.3, -1.0)
    rows = []
    for j in range(height):
        row = []
        for i in range(width):
            x = (i + 0.5) / width * 2.0 - 1.0
            y = 1.0 - (j + 0.5) / height * 2.0
            d = Vector(x * 0.75, y * 0.45, 1.0).normalized()
            row.append(scene.trace(Ray(eye, d), 0))
        rows.append(row)
    return rows


scene = build_scene()
shades = " .:-=+*#%@"
for row in render(scene, 64, 24):
    print("".join(shades[min(int(v * 9.99), 9)] for v in row))
image = render(scene, 280, 210)
total = 0.0
lit = 0
for row in image:
    for v in row:
        total += v
        if v > 0.5:
            lit += 1
print("checksum %.9f lit %d of %d" % (total, lit, 280 * 210))
print(Vector(1.0, 2.0, 3.0) * 2.0 == 2.0 * Vector(1.0, 2.0, 3.0), -Vector(1.5, 0.0, 2.0))
