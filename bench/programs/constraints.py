# bench: object
# A small constraint solver: variables with finite domains, a class hierarchy
# of constraints (each subclass extends its parent through super()), and a
# backtracking search with forward checking and a smallest-domain-first
# heuristic. It solves generated Sudoku grids and "killer" cages (sum
# constraints), then prints each solution's first row and a digest.


class Constraint:
    def __init__(self, variables):
        self.variables = tuple(variables)

    def describe(self):
        return "%s over %d vars" % (type(self).__name__, len(self.variables))

    def prune(self, var, value, domains, assignment, trail):
        """Remove values made impossible by var=value; False on a wipe-out."""
        return True

    def check(self, assignment):
        return True


class AllDifferent(Constraint):
    def __init__(self, variables, label):
        super().__init__(variables)
        self.label = label

    def describe(self):
        return super().describe() + " (" + self.label + ")"

    def prune(self, var, value, domains, assignment, trail):
        for other in self.variables:
            if other != var and other not in assignment:
                dom = domains[other]
                if value in dom:
                    dom.remove(value)
                    trail.append((other, value))
                    if not dom:
                        return False
        return True

    def check(self, assignment):
        seen = set()
        for v in self.variables:
            if v in assignment:
                x = assignment[v]
                if x in seen:
                    return False
                seen.add(x)
        return True


class CageSum(AllDifferent):
    """Killer-sudoku cage: all different and summing to a total."""

    def __init__(self, variables, total):
        super().__init__(variables, "cage=%d" % total)
        self.total = total

    def prune(self, var, value, domains, assignment, trail):
        if not super().prune(var, value, domains, assignment, trail):
            return False
        placed = 0
        free = []
        for v in self.variables:
            if v in assignment:
                placed += assignment[v]
            elif v != var:
                free.append(v)
        if var not in assignment:
            placed += value
        left = self.total - placed
        if not free:
            return left == 0
        if len(free) == 1:
            only = free[0]
            dom = domains[only]
            for x in list(dom):
                if x != left:
                    dom.remove(x)
                    trail.append((only, x))
            return bool(dom)
        low = sum(min(domains[v]) for v in free)
        high = sum(max(domains[v]) for v in free)
        return low <= left <= high


class Problem:
    def __init__(self):
        self.domains = {}
        self.constraints = []
        self.by_var = {}
        self.nodes = 0

    def add_variable(self, name, values):
        self.domains[name] = set(values)
        self.by_var[name] = []

    def add_constraint(self, c):
        self.constraints.append(c)
        for v in c.variables:
            self.by_var[v].append(c)

    def select(self, assignment):
        best = None
        best_size = 100
        for var, dom in self.domains.items():
            if var not in assignment:
                n = len(dom)
                if n < best_size:
                    best, best_size = var, n
                    if n <= 1:
                        break
        return best

    def solve(self):
        assignment = {}
        if self.search(assignment):
            return assignment
        return None

    def search(self, assignment):
        var = self.select(assignment)
        if var is None:
            return True
        for value in sorted(self.domains[var]):
            self.nodes += 1
            trail = []
            ok = True
            for c in self.by_var[var]:
                if not c.prune(var, value, self.domains, assignment, trail):
                    ok = False
                    break
            if ok:
                assignment[var] = value
                saved = self.domains[var]
                self.domains[var] = {value}
                if self.search(assignment):
                    return True
                self.domains[var] = saved
                del assignment[var]
            for other, x in trail:
                self.domains[other].add(x)
        return False


def base_grid(shift):
    return [[(r * 3 + r // 3 + c + shift) % 9 + 1 for c in range(9)] for r in range(9)]


def scramble(grid, seed):
    state = seed
    for _ in range(30):
        state = (state * 214013 + 2531011) % 4294967296
        band = (state >> 8) % 3
        a = band * 3 + (state >> 12) % 3
        b = band * 3 + (state >> 16) % 3
        grid[a], grid[b] = grid[b], grid[a]
        for row in grid:
            row[a], row[b] = row[b], row[a]
    return grid, state


def sudoku(seed, holes, cages):
    grid, state = scramble(base_grid(seed % 9), seed)
    p = Problem()
    for r in range(9):
        for c in range(9):
            p.add_variable((r, c), range(1, 10))
    for i in range(9):
        p.add_constraint(AllDifferent([(i, c) for c in range(9)], "row%d" % i))
        p.add_constraint(AllDifferent([(r, i) for r in range(9)], "col%d" % i))
        br, bc = i // 3 * 3, i % 3 * 3
        p.add_constraint(AllDifferent([(br + r, bc + c) for r in range(3) for c in range(3)], "box%d" % i))
    for k in range(cages):
        r, c = k // 5 * 2 % 9, k * 2 % 8
        cells = [(r, c), (r, c + 1)]
        p.add_constraint(CageSum(cells, grid[r][c] + grid[r][c + 1]))
    clues = 0
    for r in range(9):
        for c in range(9):
            state = (state * 214013 + 2531011) % 4294967296
            if (state >> 16) % 100 >= holes:
                p.domains[(r, c)] = {grid[r][c]}
                clues += 1
    return p, clues


total_nodes = 0
digest = 0
for seed in range(320):
    p, clues = sudoku(seed, 64 + seed % 7, 4 + seed % 5)
    sol = p.solve()
    total_nodes += p.nodes
    row = "".join(str(sol[(0, c)]) for c in range(9))
    ok = all(c.check(sol) for c in p.constraints)
    for r in range(9):
        for c in range(9):
            digest = (digest * 10 + sol[(r, c)]) % 998244353
    if seed % 10 == 0:
        print("grid %3d clues %2d nodes %5d row0 %s valid %s" % (seed, clues, p.nodes, row, ok))
print(p.constraints[0].describe(), "|", p.constraints[-1].describe())
print("nodes", total_nodes, "digest", digest)
