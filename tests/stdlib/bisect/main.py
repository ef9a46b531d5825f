import bisect

a = [1, 3, 3, 5, 8, 13]
print(bisect.bisect_left(a, 3), bisect.bisect_right(a, 3), bisect.bisect(a, 4), bisect.bisect(a, 100))
bisect.insort(a, 4)
bisect.insort_left(a, 3)
print(a)


def grade(score, breakpoints=[60, 70, 80, 90], grades="FDCBA"):
    return grades[bisect.bisect(breakpoints, score)]


print([grade(s) for s in [33, 99, 77, 70, 89, 90, 100]])
recs = [("ann", 23), ("bob", 31), ("cy", 45)]
print(bisect.bisect_left(recs, 31, key=lambda r: r[1]))
print(bisect.bisect_left(a, 5, 0, 3), bisect.bisect_right(a, 0))
