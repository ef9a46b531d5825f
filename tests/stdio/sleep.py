import time
t0 = time.monotonic()
time.sleep(0.25)
print("slept", time.monotonic() - t0 >= 0.2)
for bad in (-1, "x", float("nan")):
    try:
        time.sleep(bad)
    except (ValueError, TypeError) as e:
        print(type(e).__name__, e)
