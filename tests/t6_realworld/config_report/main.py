"""A configuration and inventory report tool: parses an INI-like config and
a CSV-ish inventory from stdin, aggregates it with collections, and dumps
the nested structures with pprint the way debugging and report scripts do."""
import pprint
import sys
from collections import Counter, OrderedDict, defaultdict, deque


def parse(lines):
    config = {}
    section = None
    rows = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            config.setdefault(section, {})
            continue
        if section == "inventory":
            name, cat, qty, price = [f.strip() for f in line.split(",")]
            rows.append({"name": name, "category": cat, "qty": int(qty), "price": float(price)})
        elif "=" in line:
            k, v = [p.strip() for p in line.split("=", 1)]
            if v.isdigit():
                v = int(v)
            elif "," in v:
                v = [x.strip() for x in v.split(",")]
            config[section][k] = v
    return config, rows


def main():
    config, rows = parse(sys.stdin.read().splitlines())
    pprint.pprint(config)
    pprint.pprint(config, width=40)
    pprint.pprint(rows[:3], width=60)
    by_cat = defaultdict(list)
    for r in rows:
        by_cat[r["category"]].append(r["name"])
    pprint.pprint(dict(by_cat))
    pprint.pprint(by_cat, width=50)
    counts = Counter(r["category"] for r in rows)
    pprint.pprint(counts, width=30)
    totals = OrderedDict((r["name"], round(r["qty"] * r["price"], 2)) for r in rows)
    pprint.pprint(totals, width=50)
    recent = deque((r["name"] for r in rows), maxlen=4)
    pprint.pprint(recent, width=20)
    pprint.pprint(deque(range(30)), width=40)
    matrix = [[i * j for j in range(12)] for i in range(6)]
    pprint.pprint(matrix)
    pprint.pprint(matrix, compact=True, width=50)
    pprint.pprint({"tags": set(config.get("server", {}).get("tags", [])), "ids": frozenset(range(20, 40, 3))}, width=40)
    text = ("The quick brown fox jumps over the lazy dog. " * 4).strip()
    pprint.pprint({"description": text, "lines": "first line\nsecond line that is long enough to wrap around\n"}, width=50)
    pprint.pprint(text)
    pprint.pprint(bytes(range(40)), width=40)
    pprint.pprint(bytearray(b"payload" * 8), width=40)
    nested = {"level1": {"level2": {"level3": {"level4": [1, 2, {"deep": True}]}}}, "other": (1,), "empty": [], "t": ()}
    pprint.pprint(nested, depth=2)
    pprint.pprint(nested, depth=3, width=30)
    print(pprint.pformat(nested, indent=4, width=40))
    pprint.pp({"z": 1, "a": 2, "m": [3, 2, 1]}, width=10)
    pprint.pprint({"z": 1, "a": 2}, sort_dicts=False)
    pprint.pprint([10**12, 2**40, 123456789], underscore_numbers=True)
    pprint.pprint({3: "c", 1: "a", "b": 2, (1, 2): None, 2.5: "x"}, width=20)
    loop = [1, 2]
    loop.append(loop)
    print(pprint.saferepr(loop).startswith("[1, 2, <Recursion on list with id="), pprint.isrecursive(loop), pprint.isreadable(loop))
    print(pprint.isreadable({"a": [1, 2.5, None]}), pprint.isreadable(object()), pprint.saferepr({"b": 1, "a": (2,)}))
    pp = pprint.PrettyPrinter(indent=2, width=30, sort_dicts=False)
    pp.pprint(config.get("server"))
    print(pp.pformat(list(range(15))))
    print(pp.isreadable([1, "x"]), pp.isrecursive([1]))


if __name__ == "__main__":
    main()
