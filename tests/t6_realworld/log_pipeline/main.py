"""Access-log analysis as ops scripts do it: a regex per line (combined log
format), generators chained into a pipeline, Counter/defaultdict
aggregation, percentiles with statistics, and a JSON summary at the end."""
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from itertools import groupby
from operator import itemgetter

LINE = re.compile(
    r'(?P<ip>\d{1,3}(?:\.\d{1,3}){3}) \S+ (?P<user>\S+) \[(?P<day>\d{2}/\w{3}/\d{4}):(?P<time>[\d:]+) [+-]\d{4}\] '
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/(?P<ver>[\d.]+)" (?P<status>\d{3}) (?P<size>\d+|-) (?P<ms>\d+)ms'
)


def read_lines(stream):
    for n, line in enumerate(stream, 1):
        yield n, line.rstrip("\n")


def parse(lines, bad):
    for n, line in lines:
        m = LINE.match(line)
        if m is None:
            bad.append(n)
            continue
        rec = m.groupdict()
        rec["status"] = int(rec["status"])
        rec["size"] = 0 if rec["size"] == "-" else int(rec["size"])
        rec["ms"] = int(rec["ms"])
        path, _, query = rec["path"].partition("?")
        rec["path"] = re.sub(r"/\d+(?=/|$)", "/:id", path)
        rec["params"] = dict(p.split("=", 1) if "=" in p else (p, "") for p in query.split("&") if p)
        yield rec


def only(records, pred):
    return (r for r in records if pred(r))


def percentile(sorted_values, q):
    if not sorted_values:
        return 0
    k = (len(sorted_values) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return round(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo), 1)


def main():
    bad = []
    records = list(only(parse(read_lines(sys.stdin), bad), lambda r: r["method"] != "OPTIONS"))
    by_status = Counter(r["status"] // 100 for r in records)
    by_route = defaultdict(list)
    for r in records:
        by_route[(r["method"], r["path"])].append(r["ms"])
    print(f"{len(records)} requests, {len(bad)} unparsable (lines {', '.join(map(str, bad))})")
    print("status classes:", ", ".join(f"{k}xx={v}" for k, v in sorted(by_status.items())))
    print(f"{'route':<28}{'n':>3}{'mean':>8}{'p50':>7}{'p90':>7}{'max':>6}")
    rows = []
    for (method, path), times in by_route.items():
        times.sort()
        rows.append((method + " " + path, len(times), statistics.mean(times), percentile(times, 0.5),
                     percentile(times, 0.9), times[-1]))
    rows.sort(key=lambda row: (-row[1], row[0]))
    for route, n, mean, p50, p90, mx in rows:
        print(f"{route:<28}{n:>3}{mean:>8.1f}{p50:>7}{p90:>7}{mx:>6}")
    ips = Counter(r["ip"] for r in records)
    top = ips.most_common(2)
    print("top clients:", top)
    errors = sorted((r for r in records if r["status"] >= 500), key=itemgetter("day", "time"))
    for day, group in groupby(errors, key=itemgetter("day")):
        g = list(group)
        print(f"{day}: {len(g)} server error(s) at {', '.join(r['time'] for r in g)}")
    users = sorted({r["user"] for r in records} - {"-"})
    sizes = [r["size"] for r in records if r["size"]]
    summary = {
        "requests": len(records),
        "bytes": sum(sizes),
        "median_size": statistics.median(sizes),
        "users": users,
        "slowest": max(records, key=lambda r: (r["ms"], r["path"]))["path"],
        "search_terms": Counter(r["params"].get("q", "") for r in records if "q" in r["params"]).most_common(),
        "error_rate": round(sum(1 for r in records if r["status"] >= 400) / len(records), 4),
    }
    print(json.dumps(summary, indent=2, sort_keys=True))


main()
