print(1 if x else 2, not x, -x, ~x, +x, x and y or z, a < b <= c is not d not in e in f is g)
y = {1: 2, **d}, {1, *s}, {k: v for k, v in d.items()}, {s for s in t}, (g for g in h), [*a], ()
z = [i * j for i in range(3) if i if i > 0 for j in i]
s = x[1:], x[:2], x[::2], x[a:b:c], x[...], x[1, 2], x[1:2, ::3], x[:, None]
f(*a, **k, key=1)
f(x for x in y)
a.b.c(d)[e].f
x = a @ b | c ^ d & e << f >> g + h - i * j / k // l % m ** -n
t = 1,
u = (1, 2)
v = [1, 2][0]
w = "a" "b" 'c'
a[i], b.c = 1, 2
b = a | b ^ c & d ^ e | f & g, (a | b) & c, a ^ (b | c), a & b & c, a | b << c & d
c = -a ** b, not a == b, a if b else c if d else e, a or b and c or d, x < y == z > w
d = a + b * c - d / e % f, ~a ** b, a ** b ** c, -2 ** 2, a.b ** -c, a in b | c, not a in b, a is not -b
e = lambda: a if b else c, (yield_ := 3), [x for x in y if x if not x], a[b][c](d)(e).f
