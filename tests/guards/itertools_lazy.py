# itertools.permutations, combinations, combinations_with_replacement and
# product are lazy, as in CPython: a first tuple of 30! permutations is one
# step; r given positionally, by keyword, None, negative or of a wrong type.
from itertools import permutations, combinations, combinations_with_replacement, product, islice
print(list(permutations("abc")))
print(list(permutations(range(4), 2)))
print(list(permutations([], 0)), list(permutations([1], 2)), list(permutations(range(3), r=0)), list(combinations(range(4), r=3)))
print(list(combinations(range(5), 3)))
print(list(combinations("ab", 0)), list(combinations("ab", 3)), list(combinations([], 0)))
print(list(combinations_with_replacement("abc", 2)))
print(list(combinations_with_replacement([], 0)), list(combinations_with_replacement([], 2)))
print(list(product("ab", range(3))))
print(list(product(repeat=2)), list(product()), list(product([1, 2], [])))
print(list(product([0, 1], repeat=3)))
print(next(permutations(range(30))))
print(list(islice(combinations(range(100), 50), 2))[1][-3:])
print(list(islice(product(range(10), repeat=30), 3))[2][-3:])
it = permutations(range(3))
print(next(it), next(it), list(it))
for f in (permutations, combinations, combinations_with_replacement):
    for args in ((range(3), 'x'), (range(3), -1), (range(3),), (range(3), None), (range(3), 2.0), (range(3), True)):
        try:
            print(f.__name__, args[1:], list(f(*args))[:3])
        except (TypeError, ValueError) as e:
            print(f.__name__, args[1:], type(e).__name__, e)
print(sum(1 for p in permutations(range(9)) if p[0] < p[1]))
