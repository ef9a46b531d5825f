"""Sensor telemetry in typed arrays, as data-logging scripts store it:
readings parsed from stdin into array('d'), per-sensor ids in array('H'),
a moving average, a histogram in array('L'), and a compact binary dump
with tobytes/frombytes round trips."""
import sys
from array import array
import pprint

readings = array("d")
sensor_ids = array("H")
for line in sys.stdin:
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    sid, value = line.split()
    sensor_ids.append(int(sid))
    readings.append(float(value))

print(len(readings), readings.typecode, readings.itemsize, sensor_ids.itemsize)
print(readings[:4], sensor_ids[-3:], readings[0], sensor_ids[1])


def moving_average(xs, n):
    out = array("d")
    acc = 0.0
    for i, x in enumerate(xs):
        acc += x
        if i >= n:
            acc -= xs[i - n]
        if i >= n - 1:
            out.append(round(acc / n, 3))
    return out


print(moving_average(readings, 3))
hist = array("L", [0] * 5)
lo, hi = min(readings), max(readings)
for x in readings:
    bucket = min(int((x - lo) / (hi - lo) * 5), 4)
    hist[bucket] += 1
print("histogram", hist, hist.tolist(), sum(hist))

per_sensor = {}
for sid, x in zip(sensor_ids, readings):
    per_sensor.setdefault(sid, array("f")).append(x)
pprint.pprint({k: v.tolist() for k, v in sorted(per_sensor.items())}, width=60)
print(per_sensor[min(per_sensor)])

blob = sensor_ids.tobytes() + readings.tobytes()
print(len(blob), blob[:8].hex())
back_ids = array("H")
back_ids.frombytes(blob[: len(sensor_ids) * 2])
back_vals = array("d", blob[len(sensor_ids) * 2:])
print(back_ids == sensor_ids, back_vals == readings, back_vals.count(readings[0]), readings.index(readings[2]))

small = array("b", [1, -2, 3])
small.extend([4, 5])
small.insert(0, -128)
small += array("b", [127])
small.reverse()
print(small, small * 2, 3 in small, small.pop(), small.pop(0), small)
small.remove(3)
small[0] = 9
del small[1]
small[1:3] = array("b", [7, 7, 7])
print(small, list(small), sorted(small), small < array("b", [10]), small == array("b", list(small)))
sw = array("i", [1, 256, 65536])
sw.byteswap()
print(sw, array("u", "hello"), array("u", "héllo").tounicode(), array("q", [2**62, -2**62]), array("Q", [2**64 - 1]))
print(array("f", [0.1, 1.5]), array("B", b"\x00\xff"), array("I"), repr(array("h", range(3))), str(array("l", [-1])))
for bad in [lambda: array("b", [128]), lambda: array("B", [-1]), lambda: array("H", [70000]), lambda: array("i", [1.5]),
            lambda: array("d", ["x"]), lambda: array("z"), lambda: small.extend(array("d", [1.0])),
            lambda: array("i").pop(), lambda: small[99], lambda: small.remove(100), lambda: array("I", [-1]),
            lambda: array("i", [1]) + array("d", [1.0]), lambda: array("h", b"abc")]:
    try:
        print(bad())
    except (OverflowError, TypeError, ValueError, IndexError) as e:
        print(type(e).__name__ + ":", e)
