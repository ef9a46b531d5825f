# bench: object
# An operating-system style scheduler simulation: tasks of three kinds share a
# multi-level feedback queue. Each kind overrides step() (polymorphic calls on
# the hot path); a task that uses its whole quantum drops one priority level,
# a blocked task waits on a timer list, and the scheduler keeps per-kind
# counters in a dict. Prints the clock, the counters and a digest of the
# completion order.
from collections import deque


class Task:
    def __init__(self, tid, priority, work):
        self.tid = tid
        self.priority = priority
        self.work = work
        self.done = 0
        self.slices = 0

    def step(self, clock):
        raise NotImplementedError("step")

    def finished(self):
        return self.done >= self.work

    def kind(self):
        return type(self).__name__

    def __repr__(self):
        return "%s#%d(%d/%d p%d)" % (self.kind(), self.tid, self.done, self.work, self.priority)


class CpuTask(Task):
    def step(self, clock):
        self.done += 3
        return "run"


class IoTask(Task):
    def __init__(self, tid, priority, work, latency):
        super().__init__(tid, priority, work)
        self.latency = latency
        self.wake = 0

    def step(self, clock):
        self.done += 1
        if self.done % 4 == 0:
            self.wake = clock + self.latency
            return "block"
        return "run"


class PeriodicTask(Task):
    def __init__(self, tid, priority, work, period):
        super().__init__(tid, priority, work)
        self.period = period

    def step(self, clock):
        if clock % self.period == 0:
            self.done += 2
            return "yield"
        self.done += 1
        return "run"


class Scheduler:
    LEVELS = 4

    def __init__(self, quantum):
        self.quantum = quantum
        self.queues = [deque() for _ in range(self.LEVELS)]
        self.blocked = []
        self.clock = 0
        self.counts = {}
        self.switches = 0
        self.finished = []

    def add(self, task):
        self.queues[task.priority].append(task)

    def pick(self):
        for q in self.queues:
            if q:
                return q.popleft()
        return None

    def wake_blocked(self):
        if not self.blocked:
            return
        still = []
        for t in self.blocked:
            if t.wake <= self.clock:
                self.add(t)
            else:
                still.append(t)
        self.blocked = still

    def count(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1

    def run(self):
        while True:
            self.wake_blocked()
            task = self.pick()
            if task is None:
                if not self.blocked:
                    break
                self.clock += 1
                self.count("idle")
                continue
            self.switches += 1
            task.slices += 1
            for _ in range(self.quantum):
                self.clock += 1
                outcome = task.step(self.clock)
                self.count(task.kind())
                if task.finished():
                    self.finished.append(task)
                    break
                if outcome == "block":
                    self.count("block")
                    self.blocked.append(task)
                    break
                if outcome == "yield":
                    self.add(task)
                    break
            else:
                if task.priority < self.LEVELS - 1:
                    task.priority += 1
                    self.count("demote")
                self.add(task)


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def next(self, bound):
        self.state = (self.state * 1103515245 + 12345) % 2147483648
        return self.state % bound


def make_tasks(n, rng):
    tasks = []
    for tid in range(n):
        r = rng.next(10)
        work = 20 + rng.next(200)
        if r < 4:
            tasks.append(CpuTask(tid, rng.next(2), work))
        elif r < 8:
            tasks.append(IoTask(tid, rng.next(3), work, 1 + rng.next(7)))
        else:
            tasks.append(PeriodicTask(tid, 0, work, 3 + rng.next(5)))
    return tasks


def simulate(n, quantum, seed):
    sched = Scheduler(quantum)
    for t in make_tasks(n, Lcg(seed)):
        sched.add(t)
    sched.run()
    digest = 0
    for i, t in enumerate(sched.finished):
        digest = (digest * 31 + t.tid * (i + 1) + t.slices) % 1000000007
    return sched, digest


for quantum in (2, 3, 5, 7, 9, 12):
    sched, digest = simulate(4000, quantum, 7 + quantum)
    print("quantum", quantum, "clock", sched.clock, "switches", sched.switches, "digest", digest)
    for key in sorted(sched.counts):
        print("  %-12s %d" % (key, sched.counts[key]))
    print("  first:", sched.finished[:3])
    print("  last:", sched.finished[-2:])
