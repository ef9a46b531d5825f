# bench: numeric
# Sieve of Eratosthenes over a list of bools, repeated for 50 growing limits;
# prints the total count of primes.
def sieve(limit):
    flags = [True] * (limit + 1)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i <= limit:
        if flags[i]:
            j = i * i
            while j <= limit:
                flags[j] = False
                j += i
        i += 1
    count = 0
    for k in range(limit + 1):
        if flags[k]:
            count += 1
    return count


def total(rounds):
    s = 0
    for r in range(rounds):
        s += sieve(200000 + r)
    return s


print(total(80))
