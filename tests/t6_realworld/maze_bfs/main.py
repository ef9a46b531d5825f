"""Grid path finding, sliding windows and round-robin scheduling on deques.

The three ways published code leans on collections.deque: a breadth-first
search queue (append/popleft, thousands of entries), a monotonic queue for
sliding-window maxima (pop from both ends), and a bounded history
(maxlen) beside a rotating run queue.
"""
from collections import deque
import copy

MAZE = """\
##########################
#S.....#.........#.......#
#.####.#.#######.#.#####.#
#.#....#.#.....#...#...#.#
#.#.####.#.###.#####.#.#.#
#.#......#...#.......#...#
#.###########.#########.##
#.....#.......#.......#..#
#####.#.#######.#####.##.#
#.....#.........#...#....#
#.#######.#######.#.####.#
#.........#.......#.....E#
##########################"""


def parse(text):
    grid = [list(row) for row in text.splitlines()]
    start = end = None
    for r, row in enumerate(grid):
        for c, ch in enumerate(row):
            if ch == "S":
                start = (r, c)
            elif ch == "E":
                end = (r, c)
    return grid, start, end


def bfs(grid, start, end):
    rows, cols = len(grid), len(grid[0])
    prev = {start: None}
    queue = deque([start])
    while queue:
        cell = queue.popleft()
        if cell == end:
            break
        r, c = cell
        for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#" and (nr, nc) not in prev:
                prev[(nr, nc)] = cell
                queue.append((nr, nc))
    if end not in prev:
        return None
    path = deque()
    cell = end
    while cell is not None:
        path.appendleft(cell)
        cell = prev[cell]
    return list(path)


def sliding_max(values, k):
    window = deque()  # indices, values decreasing
    out = []
    for i, v in enumerate(values):
        while window and values[window[-1]] <= v:
            window.pop()
        window.append(i)
        if window[0] <= i - k:
            window.popleft()
        if i >= k - 1:
            out.append(values[window[0]])
    return out


class RoundRobin:
    def __init__(self, quantum):
        self.quantum = quantum
        self.ready = deque()
        self.log = deque(maxlen=6)
        self.clock = 0

    def add(self, name, work):
        self.ready.append([name, work])

    def run(self):
        finished = []
        while self.ready:
            task = self.ready[0]
            step = min(self.quantum, task[1])
            task[1] -= step
            self.clock += step
            self.log.append("%s@%d" % (task[0], self.clock))
            if task[1] == 0:
                finished.append((task[0], self.clock))
                self.ready.popleft()
            else:
                self.ready.rotate(-1)
        return finished


def big_bfs(n):
    # a ring of n nodes with chords; count nodes per distance from 0
    dist = [-1] * n
    dist[0] = 0
    q = deque([0])
    while q:
        v = q.popleft()
        for u in ((v + 1) % n, (v - 1) % n, (v * 7 + 3) % n):
            if dist[u] < 0:
                dist[u] = dist[v] + 1
                q.append(u)
    levels = {}
    for d in dist:
        levels[d] = levels.get(d, 0) + 1
    return max(dist), sorted(levels.items())[:5]


def main():
    grid, start, end = parse(MAZE)
    path = bfs(grid, start, end)
    print("path length:", len(path) - 1)
    for r, c in path[1:-1]:
        grid[r][c] = "*"
    print("\n".join("".join(row) for row in grid))

    values = [(i * 37) % 101 - 50 for i in range(40)]
    print("window max:", sliding_max(values, 5))

    rr = RoundRobin(3)
    for name, work in [("A", 7), ("B", 4), ("C", 9), ("D", 1)]:
        rr.add(name, work)
    print("finished:", rr.run())
    print("last events:", rr.log, "maxlen", rr.log.maxlen)

    print("ring:", big_bfs(150000))

    d = deque("abcdef")
    d.rotate(2)
    d.extendleft("xy")
    print(d, d.index("a"), "c" in d, d.count("z"), d[-2])
    e = copy.deepcopy(d)
    e.append("!")
    print(len(d), len(e), d == e, d < e, reversed(e).__next__())
    try:
        d.insert(0, "q")
        deque([1, 2], maxlen=2).insert(0, 0)
    except IndexError as exc:
        print("IndexError:", exc)
    try:
        for ch in d:
            d.append(ch)
    except RuntimeError as exc:
        print("RuntimeError:", exc)
    empty = deque()
    empty.popleft()


if __name__ == "__main__":
    main()
