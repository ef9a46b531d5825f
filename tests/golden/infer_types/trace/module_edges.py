# Trace-checked only (t_infer_trace): module-level flow edge cases.
import sys
v = 1
try:
    v = "s"
    int(v)
except ValueError:
    print(v)
w = 0
for i in range(3):
    if i == 1:
        w = "one"
        break
else:
    w = 2.5
print(w)
acc = []
while len(acc) < 3:
    acc.append(len(acc))
print(acc)
def reader():
    return v
v = [1]
print(reader())
match sys.argv:
    case [_, *rest]:
        cnt = len(rest)
    case _:
        cnt = "none"
print(cnt)
total = 0
def adder(n):
    return total + n
total = 2.5
print(adder(1))
flag = None
for k in "abc":
    flag = k if flag is None else flag + k
print(flag)
seq = (1, "a")
a, b = seq
print(a, b)
a, b = b, a
print(a, b)
nums = [1, 2, 3]
nums[0] = nums[1] * 2
first, *others = nums
print(first, others)
del first
first = "again"
print(first)
x = 0
def gen():
    yield x
x = 1.5
print(list(gen()))
class K:
    val = x
print(K.val)
r = 10
r //= 3
r **= 2
print(r)
f = 1.0
f //= 2
print(f)
s = "ab"
s *= 2
print(s)
lst = [0]
lst *= 2
print(lst)
t = ()
for q in range(2):
    t = t + (q,)
print(t)
