import string

print(string.ascii_letters)
print(string.ascii_lowercase, string.ascii_uppercase, string.digits, string.hexdigits, string.octdigits)
print(repr(string.punctuation), repr(string.whitespace))
print(len(string.printable))
print(string.capwords("hello   big world"))
t = string.Template("$who likes ${what}s, costs $$5")
print(t.substitute(who="Tim", what="apple"))
print(t.safe_substitute(who="Ann"))
try:
    t.substitute(who="x")
except KeyError as e:
    print("KeyError", e)
f = string.Formatter()
print(f.format("{0}-{name:>5}", 1, name="ab"))
table = str.maketrans(string.ascii_lowercase, string.ascii_lowercase[13:] + string.ascii_lowercase[:13])
print("hello world".translate(table))
print(all(c in string.printable for c in "abc\n"))
