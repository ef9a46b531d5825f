# Module names: read before their binding, rebound through `global`,
# through globals(), and a def executed in a loop.
try:
    early()
except NameError as e:
    print("early:", e)


def early():
    return "early ran"


print(early())

counter = 0


def bump():
    global counter
    counter += 1
    return counter


for _ in range(3):
    bump()
print("counter", counter)

fns = []
for k in range(3):
    def scaled(x, k=k):
        return x * k
    fns.append(scaled)
print([f(10) for f in fns], scaled(7))


def one():
    return 1


def two():
    return 2


alias = one
print(alias())


def swap():
    global alias
    alias = two


swap()
print(alias(), one(), two())
