# bench: numeric
# N-queens two ways: by filtering itertools.permutations of the columns
# (a board is a tuple of column indices, one per row), and by backtracking
# over an int list with occupancy lists for columns and both diagonals.
from itertools import permutations


def by_permutations(n):
    count = 0
    first = None
    cols = range(n)
    for p in permutations(cols):
        if n == len(set(p[i] + i for i in cols)) == len(set(p[i] - i for i in cols)):
            count += 1
            if first is None:
                first = p
    return count, first


def by_backtracking(n):
    board = [0] * n
    used_col = [False] * n
    used_up = [False] * (2 * n)
    used_down = [False] * (2 * n)
    solutions = []

    def place(row):
        if row == n:
            solutions.append(board[:])
            return
        for c in range(n):
            if not used_col[c] and not used_up[row + c] and not used_down[row - c + n]:
                board[row] = c
                used_col[c] = used_up[row + c] = used_down[row - c + n] = True
                place(row + 1)
                used_col[c] = used_up[row + c] = used_down[row - c + n] = False

    place(0)
    return solutions


count, first = by_permutations(9)
print("permutations n=9:", count, "first", first)
for n in range(4, 13):
    sols = by_backtracking(n)
    print("backtracking n=%d: %d solutions, last %s" % (n, len(sols), sols[-1]))
