# Values whose type is not certain stay dynamic.
def ident(v):
    return v


def maybe(flag):
    if flag:
        return 1
    return "one"


def power(b, e):
    return b ** e            # int ** negative int is a float


def grow(items):
    items.append("x")
    return items


def annotated(n: int) -> int:  # annotations are not trusted
    return n * 2


def shadow():
    x = 1
    x = x / 2                # int, then float
    return x


print(ident(1), ident("a"), maybe(True), maybe(False), power(2, -1), annotated(2.5), shadow())
data = [1, 2, 3]
alias = data
alias.append("four")
grow(data)
handler = ident              # a function used as a value: call sites unknown
print(handler(3.5), data)
