import copy

a = [1, [2, 3], {"k": [4]}]
s = copy.copy(a)
d = copy.deepcopy(a)
a[1].append(99)
a[2]["k"].append(5)
print(a, s, d)
print(s[1] is a[1], d[1] is a[1])


class Node:
    def __init__(self, v, children=None):
        self.v = v
        self.children = children or []

    def __repr__(self):
        return "Node(%r, %r)" % (self.v, self.children)


tree = Node(1, [Node(2), Node(3)])
t2 = copy.deepcopy(tree)
t2.children[0].v = 20
print(tree, t2)
shared = [1]
pair = [shared, shared]
dp = copy.deepcopy(pair)
print(dp[0] is dp[1])


class Custom:
    def __init__(self):
        self.data = [1]

    def __copy__(self):
        print("custom __copy__")
        c = Custom()
        c.data = self.data
        return c


c2 = copy.copy(Custom())
print(c2.data, copy.copy((1, 2)), copy.deepcopy({"a": (1, [2])}))
