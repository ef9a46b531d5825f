from array import array

a = array("i", [1, 2, 3])
a.append(4)
a.extend([5, 6])
print(a, a[1], a[-1], len(a), a.itemsize, a.typecode, sum(a))
print(a[1:3], a.index(3), a.count(1), list(reversed(a)))
a.reverse()
print(a.tolist(), a.pop(), a)
d = array("d", [0.5, 1.5])
print(d, d.tobytes())
b = array("B", b"hello")
print(b, bytes(b), array("u", "hi"))
c = array("h")
c.frombytes(b"\x01\x00\x02\x00")
print(c, c * 2, c + array("h", [9]))
try:
    array("b", [200])
except OverflowError as e:
    print("OverflowError:", e)
