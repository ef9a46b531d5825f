# Flow-sensitive local types: each load gets the type at that point.
def retype(flag):
    x = 1
    print(x)
    x = "s"
    print(x)
    if flag:
        y = 1
    else:
        y = 2
    print(y)
    if flag:
        z = 1
    else:
        z = "one"
    print(z)
    return y


def second_round(n):
    v = 0
    for i in range(n):
        print(v)
        v = str(v)
    print(v)


def deleted():
    a = 1
    del a
    a = "back"
    return a


def handler(k):
    w = 1
    try:
        w = "a"
        w = k // 2
    except ZeroDivisionError:
        print(w)
    return w


def loops(limit):
    i = 0
    while True:
        if i > limit:
            break
        i += 1
    for j in range(3):
        try:
            t = 1
            if j:
                break
        finally:
            t = "done"
    print(i, t)
    if (m := limit * 2) > 3:
        print(m)


print(retype(True), deleted(), handler(4))
second_round(3)
loops(5)
count = 0
label = "a"


def bump():
    global count
    count = "many"


print(count, label)
bump()
print(count, label)
label = 3
print(label)
