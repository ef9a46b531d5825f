"""A build scheduler: targets with dependencies, run in waves with a worker
limit, a critical path by duration, and cycle detection (graphlib)."""
from dataclasses import dataclass, field
from graphlib import TopologicalSorter, CycleError
import heapq


@dataclass
class Target:
    name: str
    seconds: int
    deps: list = field(default_factory=list)


TARGETS = [
    Target("fetch", 3),
    Target("configure", 2, ["fetch"]),
    Target("codegen", 4, ["configure"]),
    Target("lib_core", 7, ["codegen"]),
    Target("lib_net", 5, ["configure"]),
    Target("lib_ui", 6, ["lib_core"]),
    Target("app", 3, ["lib_core", "lib_net", "lib_ui"]),
    Target("tests", 8, ["app"]),
    Target("docs", 2, ["configure"]),
    Target("package", 1, ["app", "docs"]),
]


def graph(targets):
    return {t.name: set(t.deps) for t in targets}


def waves(targets):
    ts = TopologicalSorter(graph(targets))
    ts.prepare()
    out = []
    while ts.is_active():
        ready = sorted(ts.get_ready())
        out.append(ready)
        ts.done(*ready)
    return out


def simulate(targets, workers):
    """Event simulation: at each moment start the ready targets (longest first) on free workers."""
    by_name = {t.name: t for t in targets}
    ts = TopologicalSorter(graph(targets))
    ts.prepare()
    ready = []
    for n in ts.get_ready():
        heapq.heappush(ready, (-by_name[n].seconds, n))
    running = []  # (finish time, name)
    now = 0
    log = []
    while ready or running:
        while ready and len(running) < workers:
            _, n = heapq.heappop(ready)
            heapq.heappush(running, (now + by_name[n].seconds, n))
            log.append(f"t={now:3d} start {n}")
        now, n = heapq.heappop(running)
        log.append(f"t={now:3d} done  {n}")
        ts.done(n)
        for m in ts.get_ready():
            heapq.heappush(ready, (-by_name[m].seconds, m))
    return now, log


def critical_path(targets):
    by_name = {t.name: t for t in targets}
    finish, via = {}, {}
    for n in TopologicalSorter(graph(targets)).static_order():
        t = by_name[n]
        start = max((finish[d] for d in t.deps), default=0)
        via[n] = max(t.deps, key=lambda d: (finish[d], d)) if t.deps else None
        finish[n] = start + t.seconds
    end = max(finish, key=lambda n: (finish[n], n))
    path = []
    while end:
        path.append(end)
        end = via[end]
    return finish[path[0]], path[::-1]


for i, w in enumerate(waves(TARGETS), 1):
    print(f"wave {i}: {', '.join(w)}")
for workers in (1, 2, 3):
    total, log = simulate(TARGETS, workers)
    print(f"{workers} worker(s): {total}s")
    if workers == 2:
        print("\n".join(log))
length, path = critical_path(TARGETS)
print("critical path", length, "s:", " -> ".join(path))

broken = TARGETS + [Target("fetch_mirror", 1, ["package"])]
broken[0] = Target("fetch", 3, ["fetch_mirror"])
try:
    waves(broken)
except CycleError as e:
    msg, cycle = e.args
    print("CycleError:", msg, "length", len(cycle) - 1, "starts and ends at", cycle[0] == cycle[-1])
ts = TopologicalSorter()
ts.add("x")
try:
    ts.done("x")
except ValueError as e:
    print("ValueError:", e)
