"""A discrete-event simulation of a bank with tellers, in the style of
simulation tutorials: processes are generators that yield delays, a heapq
event queue orders them, the random module (seeded) draws arrival and
service times, and a report compares staffing levels."""
import heapq
import itertools
import random
import statistics
from dataclasses import dataclass, field


@dataclass(order=True)
class Event:
    time: float
    seq: int
    proc: object = field(compare=False)


class Sim:
    def __init__(self):
        self.now = 0.0
        self.queue = []
        self.counter = itertools.count()
        self.trace = []

    def spawn(self, gen, delay=0.0):
        heapq.heappush(self.queue, Event(self.now + delay, next(self.counter), gen))

    def run(self, until):
        while self.queue and self.queue[0].time <= until:
            ev = heapq.heappop(self.queue)
            self.now = ev.time
            try:
                delay = next(ev.proc)
            except StopIteration:
                continue
            if delay is not None:
                self.spawn(ev.proc, delay)


class Bank:
    def __init__(self, sim, tellers, rng):
        self.sim, self.rng = sim, rng
        self.free = tellers
        self.line = []
        self.waits, self.served, self.balked = [], 0, 0
        self.max_line = 0

    def customer(self, cid, patience):
        arrived = self.sim.now
        if len(self.line) >= 6:
            self.balked += 1
            self.sim.trace.append(f"{self.sim.now:7.2f} c{cid} balks (line {len(self.line)})")
            return
        token = object()
        self.line.append(token)
        self.max_line = max(self.max_line, len(self.line))
        while self.free == 0 or self.line[0] is not token:
            if self.sim.now - arrived > patience:
                self.line.remove(token)
                self.balked += 1
                self.sim.trace.append(f"{self.sim.now:7.2f} c{cid} gives up after {self.sim.now - arrived:.2f}")
                return
            yield 0.25
        self.line.pop(0)
        self.free -= 1
        self.waits.append(self.sim.now - arrived)
        yield self.rng.expovariate(1 / 4.0)
        self.free += 1
        self.served += 1

    def arrivals(self, rate):
        for cid in itertools.count(1):
            yield self.rng.expovariate(rate)
            patience = self.rng.uniform(2, 12)
            self.sim.spawn(self.customer(cid, patience))


def simulate(tellers, seed, hours=2):
    rng = random.Random(seed)
    sim = Sim()
    bank = Bank(sim, tellers, rng)
    sim.spawn(bank.arrivals(0.9))
    sim.run(hours * 60)
    return sim, bank


def main():
    print(f"{'tellers':>7} {'served':>6} {'balked':>6} {'mean wait':>9} {'p95 wait':>8} {'max line':>8}")
    results = {}
    for tellers in (2, 3, 4, 5):
        sim, bank = simulate(tellers, seed=2026)
        waits = sorted(bank.waits)
        p95 = statistics.quantiles(waits, n=20)[-1] if len(waits) > 1 else 0.0
        results[tellers] = (bank.served, bank.balked)
        print(f"{tellers:>7} {bank.served:>6} {bank.balked:>6} {statistics.fmean(waits):>9.3f} {p95:>8.3f} {bank.max_line:>8}")
        if tellers == 2:
            print("  first events:")
            for line in sim.trace[:4]:
                print("   ", line)
    best = min(results, key=lambda t: (results[t][1] > 3, t))
    print("fewest tellers with at most 3 lost customers:", best)
    rng = random.Random(7)
    sample = [round(rng.gauss(10, 2), 3) for _ in range(5)]
    print("gauss sample:", sample, "shuffled:", rng.sample(range(10), 4))


main()
