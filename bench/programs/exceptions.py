# bench: object
# Exceptions on the hot path: a record validator that raises and catches in a
# loop. A custom exception hierarchy with attributes, built-in errors from
# int(), dict and list lookups, try/except/else/finally, raise ... from, and
# a retry helper. Prints counts per error class and a digest of the messages.


class ValidationError(Exception):
    def __init__(self, field, message):
        super().__init__("%s: %s" % (field, message))
        self.field = field


class MissingField(ValidationError):
    def __init__(self, field):
        super().__init__(field, "missing")


class OutOfRange(ValidationError):
    def __init__(self, field, value, low, high):
        super().__init__(field, "%r not in [%d, %d]" % (value, low, high))
        self.value = value


class TransientError(Exception):
    pass


FIELDS = ("id", "age", "code", "qty")
RANGES = {"age": (0, 130), "qty": (1, 1000)}


def parse_record(line):
    parts = line.split(";")
    rec = {}
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep:
            raise ValidationError(key or "?", "no '=' in %r" % part)
        rec[key.strip()] = value.strip()
    return rec


def validate(rec):
    out = {}
    for field in FIELDS:
        try:
            raw = rec[field]
        except KeyError:
            raise MissingField(field) from None
        if field == "code":
            if not raw.isalnum():
                raise ValidationError(field, "not alphanumeric")
            out[field] = raw.upper()
            continue
        try:
            value = int(raw)
        except ValueError as e:
            raise ValidationError(field, "bad int") from e
        low, high = RANGES.get(field, (0, 10 ** 9))
        if not low <= value <= high:
            raise OutOfRange(field, value, low, high)
        out[field] = value
    return out


def flaky(n, attempt):
    if (n * 7 + attempt * 3) % 5 == 0:
        raise TransientError("try %d" % attempt)
    return n * 2


def with_retry(n, tries):
    last = None
    for attempt in range(tries):
        try:
            return flaky(n, attempt)
        except TransientError as e:
            last = e
    raise RuntimeError("gave up after %d tries" % tries) from last


def make_line(i):
    fields = ["id=%d" % i, "age=%d" % (i * 37 % 150), "code=%s" % ("ab%d" % i if i % 13 else "a-b"),
              "qty=%s" % (str(i % 1200) if i % 17 else "x%d" % i)]
    if i % 19 == 0:
        del fields[i % 4]
    if i % 23 == 0:
        fields.append("junk")
    return ";".join(fields)


counts = {}
digest = 0
accepted = 0
cleanups = 0
total_qty = 0
for i in range(200000):
    line = make_line(i)
    try:
        rec = validate(parse_record(line))
    except OutOfRange as e:
        kind = "OutOfRange"
        digest = (digest * 31 + e.value) % 1000000007
    except MissingField as e:
        kind = "MissingField:" + e.field
    except ValidationError as e:
        kind = "ValidationError:" + e.field
        if e.__cause__ is not None:
            kind += "<" + type(e.__cause__).__name__
        digest = (digest * 31 + len(str(e))) % 1000000007
    else:
        kind = "ok"
        accepted += 1
        total_qty += rec["qty"]
    finally:
        cleanups += 1
    counts[kind] = counts.get(kind, 0) + 1

retried = 0
gave_up = 0
for n in range(100000):
    try:
        retried += with_retry(n, 1 + n % 3)
    except RuntimeError as e:
        gave_up += 1
        if gave_up == 1:
            print("first give-up:", e, "| cause:", repr(e.__cause__))

lookups = 0
table = {k: k * k for k in range(0, 4000, 3)}
items = list(range(2000))
for k in range(200000):
    try:
        lookups += table[k % 5000]
    except KeyError:
        lookups -= 1
    try:
        lookups += items[k % 2600]
    except IndexError:
        lookups += 2

for kind in sorted(counts):
    print("%-32s %d" % (kind, counts[kind]))
print("accepted", accepted, "qty", total_qty, "cleanups", cleanups, "digest", digest)
print("retried", retried, "gave up", gave_up, "lookups", lookups)
