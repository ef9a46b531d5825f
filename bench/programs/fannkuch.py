# bench: numeric
# Fannkuch: for every permutation of 1..N (generated in place, in the order of
# a counting rotation), count the prefix reversals needed until 1 comes first;
# report the checksum (alternating sum of flip counts) and the maximum.


def fannkuch(n):
    perm1 = list(range(n))
    count = [0] * n
    max_flips = 0
    checksum = 0
    sign = 1
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        if perm1[0] != 0:
            perm = perm1[:]
            flips = 0
            k = perm[0]
            while k != 0:
                i = 0
                j = k
                while i < j:
                    perm[i], perm[j] = perm[j], perm[i]
                    i += 1
                    j -= 1
                flips += 1
                k = perm[0]
            if flips > max_flips:
                max_flips = flips
            checksum += flips * sign
        sign = -sign
        while True:
            if r == n:
                return checksum, max_flips
            first = perm1[0]
            for i in range(r):
                perm1[i] = perm1[i + 1]
            perm1[r] = first
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1


for n in (6, 7, 8, 9, 9):
    checksum, flips = fannkuch(n)
    print("%d\nPfannkuchen(%d) = %d" % (checksum, n, flips))
