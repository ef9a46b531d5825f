# Module globals, a function, loops and f-strings.
LIMIT = 10


def classify(n):
    if n % 15 == 0:
        return "FizzBuzz"
    elif n % 3 == 0:
        return "Fizz"
    return str(n)


words = [classify(i) for i in range(1, LIMIT) if i != 7]
for w in words:
    if w == "Fizz":
        continue
    print(f"{w:>8}|")
else:
    print("done", len(words))
