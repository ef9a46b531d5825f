import heapq

h = [5, 1, 8, 3, 2]
heapq.heapify(h)
print(h)
heapq.heappush(h, 0)
print(heapq.heappop(h), heapq.heappop(h), h)
print(heapq.heappushpop(h, 4), heapq.heapreplace(h, 10), h)
print(heapq.nlargest(3, [4, 9, 1, 7, 3]), heapq.nsmallest(2, [4, 9, 1, 7, 3]))
print(heapq.nlargest(2, ["apple", "fig", "banana"], key=len))
print(list(heapq.merge([1, 4, 7], [2, 5], [3, 6, 9])))
tasks = []
for prio, name in [(3, "low"), (1, "urgent"), (2, "normal"), (1, "also urgent")]:
    heapq.heappush(tasks, (prio, name))
while tasks:
    print(heapq.heappop(tasks))


def dijkstra(graph, src):
    dist = {src: 0}
    pq = [(0, src)]
    while pq:
        d, u = heapq.heappop(pq)
        if d > dist.get(u, float("inf")):
            continue
        for v, w in graph[u]:
            nd = d + w
            if nd < dist.get(v, float("inf")):
                dist[v] = nd
                heapq.heappush(pq, (nd, v))
    return dist


g = {"a": [("b", 1), ("c", 4)], "b": [("c", 2), ("d", 5)], "c": [("d", 1)], "d": []}
print(dijkstra(g, "a"))
