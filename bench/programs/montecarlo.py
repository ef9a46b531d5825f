# bench: numeric
# Monte-Carlo simulations driven by a seeded random.Random: estimating pi by
# dart throwing, a random walk's mean squared distance, a queue at a bank
# counter with random arrivals and service times, and a shuffled-deck
# experiment. Every figure depends on CPython's exact Mersenne Twister stream.
import random


def estimate_pi(rng, darts):
    inside = 0
    for _ in range(darts):
        x = rng.random()
        y = rng.random()
        if x * x + y * y <= 1.0:
            inside += 1
    return 4.0 * inside / darts


def random_walk(rng, walkers, steps):
    total = 0
    moves = ((1, 0), (-1, 0), (0, 1), (0, -1))
    for _ in range(walkers):
        x = y = 0
        for _ in range(steps):
            dx, dy = rng.choice(moves)
            x += dx
            y += dy
        total += x * x + y * y
    return total / walkers


def bank_queue(rng, customers):
    clock = 0.0
    free_at = 0.0
    waited = 0.0
    longest = 0.0
    for _ in range(customers):
        clock += rng.uniform(0.5, 2.5)
        start = max(clock, free_at)
        wait = start - clock
        waited += wait
        if wait > longest:
            longest = wait
        free_at = start + rng.uniform(0.4, 2.4)
    return waited / customers, longest


def deck_fixed_points(rng, trials):
    deck = list(range(52))
    hits = 0
    for _ in range(trials):
        rng.shuffle(deck)
        for i in range(52):
            if deck[i] == i:
                hits += 1
    return hits / trials


def dice_histogram(rng, rolls):
    hist = [0] * 13
    for _ in range(rolls):
        hist[rng.randint(1, 6) + rng.randint(1, 6)] += 1
    return hist


rng = random.Random(20240601)
print("pi ~ %.6f" % estimate_pi(rng, 2500000))
print("walk msd %.4f" % random_walk(rng, 1500, 600))
avg, worst = bank_queue(rng, 700000)
print("bank wait avg %.6f max %.6f" % (avg, worst))
print("deck fixed points %.5f" % deck_fixed_points(rng, 14000))
hist = dice_histogram(rng, 250000)
print("dice", hist[2:], "mode", hist.index(max(hist)))
random.seed(7)
print("module-level", random.random(), random.randrange(1000), random.sample(range(100), 5))
