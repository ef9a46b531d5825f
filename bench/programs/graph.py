# bench: object
# Graph algorithms in everyday style: a dataclass for edges, a Graph class
# with adjacency lists in a dict, Dijkstra with heapq, breadth-first search
# with a deque, union-find with path halving for components, and a
# topological order of a generated DAG. Prints distances and digests.
import heapq
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Edge:
    src: int
    dst: int
    weight: int


class Graph:
    def __init__(self, n):
        self.n = n
        self.adj = {v: [] for v in range(n)}
        self.edges = 0

    def add(self, edge):
        self.adj[edge.src].append(edge)
        self.edges += 1

    def dijkstra(self, source):
        dist = {source: 0}
        heap = [(0, source)]
        done = set()
        while heap:
            d, v = heapq.heappop(heap)
            if v in done:
                continue
            done.add(v)
            for e in self.adj[v]:
                nd = d + e.weight
                if nd < dist.get(e.dst, nd + 1):
                    dist[e.dst] = nd
                    heapq.heappush(heap, (nd, e.dst))
        return dist

    def bfs_levels(self, source):
        level = {source: 0}
        queue = deque([source])
        while queue:
            v = queue.popleft()
            for e in self.adj[v]:
                if e.dst not in level:
                    level[e.dst] = level[v] + 1
                    queue.append(e.dst)
        return level


class UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x):
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return True


def generate(n, degree, seed):
    g = Graph(n)
    s = seed
    for v in range(n):
        for _ in range(degree):
            s = (s * 1103515245 + 12345) & 0x7FFFFFFF
            w = (s >> 16) % (n // 10 + 1)
            dst = (v + 1 + w * 7) % n
            s = (s * 1103515245 + 12345) & 0x7FFFFFFF
            g.add(Edge(v, dst, 1 + (s >> 16) % 50))
    return g


def topo_order(n, seed):
    deps = {v: set() for v in range(n)}
    s = seed
    for v in range(1, n):
        for _ in range(3):
            s = (s * 214013 + 2531011) % 4294967296
            deps[v].add((s >> 16) % v)
    indeg = {v: len(deps[v]) for v in deps}
    users = {v: [] for v in deps}
    for v, ds in deps.items():
        for d in ds:
            users[d].append(v)
    ready = [((v * 7919) % 10007, v) for v in deps if indeg[v] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, v = heapq.heappop(ready)
        order.append(v)
        for u in users[v]:
            indeg[u] -= 1
            if indeg[u] == 0:
                heapq.heappush(ready, ((u * 7919) % 10007, u))
    return order


g = generate(8000, 5, 99)
print("graph", g.n, "vertices", g.edges, "edges", g.adj[0][:2])
total = 0
for source in range(0, 8000, 700):
    dist = g.dijkstra(source)
    far = max(dist, key=lambda v: (dist[v], v))
    total += sum(dist.values())
    print("dijkstra from %4d: reached %d, farthest %d at %d" % (source, len(dist), far, dist[far]))
levels = g.bfs_levels(0)
hist = {}
for lv in levels.values():
    hist[lv] = hist.get(lv, 0) + 1
print("bfs levels", sorted(hist.items()))
uf = UnionFind(g.n)
merged = 0
for v in range(g.n):
    for e in g.adj[v]:
        if e.weight < 4 and uf.union(e.src, e.dst):
            merged += 1
roots = {uf.find(v) for v in range(g.n)}
print("light components", len(roots), "merges", merged, "largest", max(uf.size[r] for r in roots))
order = topo_order(20000, 5)
pos = {v: i for i, v in enumerate(order)}
print("topo", len(order), order[:8], order[-3:], "checksum", sum(i * v for i, v in enumerate(order)) % 1000003)
print("total distance", total, Edge(1, 2, 3) == Edge(1, 2, 3), Edge(1, 2, 3))
