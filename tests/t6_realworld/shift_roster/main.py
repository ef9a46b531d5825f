"""A staff roster and timesheet report, the kind of script an office
writes once and runs every month: dates and times with datetime (weekday
arithmetic, ISO weeks, timedelta sums, fixed-offset time zones for a remote
team), public holidays skipped, overtime computed per ISO week, and a
report formatted with strftime."""
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

HOLIDAYS = {date(2026, 12, 24): "Christmas Eve", date(2026, 12, 25): "Christmas Day",
            date(2026, 12, 31): "New Year's Eve", date(2027, 1, 1): "New Year's Day"}
STAFF = [("Ana", 0, timezone.utc), ("Bo", 1, timezone(timedelta(hours=-5), "EST")),
         ("Chen", 2, timezone(timedelta(hours=8))), ("Dee", 3, timezone(timedelta(hours=5, minutes=30)))]
SHIFTS = [(time(6, 0), time(14, 30)), (time(14, 0), time(22, 30)), (time(22, 0), time(6, 30))]


def workdays(start, end):
    d = start
    while d <= end:
        if d.weekday() < 5 and d not in HOLIDAYS:
            yield d
        d += timedelta(days=1)


def shift_span(day, shift):
    begin, finish = SHIFTS[shift]
    a = datetime.combine(day, begin, tzinfo=timezone.utc)
    b = datetime.combine(day, finish, tzinfo=timezone.utc)
    if b <= a:
        b += timedelta(days=1)
    return a, b


def roster(start, end):
    plan = []
    for n, day in enumerate(workdays(start, end)):
        for who, offset, tz in STAFF:
            shift = (n + offset) % 4
            if shift == 3:
                continue  # a day off in the rotation
            plan.append((who, tz, day, shift, *shift_span(day, shift)))
    return plan


def fmt_td(td):
    total = int(td.total_seconds())
    sign = "-" if total < 0 else ""
    h, rem = divmod(abs(total), 3600)
    return f"{sign}{h}:{rem // 60:02d}"


def main():
    start, end = date(2026, 12, 21), date(2027, 1, 8)
    print(f"Roster {start:%d %b %Y} to {end.strftime('%d %b %Y')} ({(end - start).days + 1} days)")
    skipped = [f"{d:%a %d}: {name}" for d, name in sorted(HOLIDAYS.items()) if start <= d <= end and d.weekday() < 5]
    print("holidays:", "; ".join(skipped))
    plan = roster(start, end)
    weekly = defaultdict(timedelta)
    nights = defaultdict(int)
    for who, tz, day, shift, a, b in plan:
        iso = day.isocalendar()
        weekly[(who, iso.year, iso.week)] += (b - a) - timedelta(minutes=30)
        nights[who] += shift == 2
    print(f"{'who':<5}{'week':>9}{'hours':>7}{'overtime':>9}")
    for (who, y, w), worked in sorted(weekly.items()):
        over = worked - timedelta(hours=24)
        print(f"{who:<5}{f'{y}-W{w:02d}':>9}{fmt_td(worked):>7}{fmt_td(max(over, timedelta(0))):>9}")
    print("night shifts:", dict(sorted(nights.items())))
    print("first shifts in each person's local time:")
    for who, _, tz in STAFF:
        mine = [p for p in plan if p[0] == who]
        w, tz, day, shift, a, b = mine[0]
        la, lb = a.astimezone(tz), b.astimezone(tz)
        print(f"  {who:<5}{la:%a %d %b %H:%M} - {lb:%H:%M} {la.tzname():>9} (utc{la.strftime('%z')})"
              f"  day {la.timetuple().tm_yday}, {la.isoformat(timespec='minutes')}")
    last = max(plan, key=lambda p: p[5])
    print("last shift ends", last[5].isoformat(), "=", last[5].astimezone(STAFF[1][2]).ctime(), "EST")
    span = datetime(2027, 1, 8, 17, 0) - datetime(2026, 12, 21, 9, 0)
    print(f"span {span}, {span.total_seconds() / 3600:.2f} h, {span // timedelta(weeks=1)} full weeks,"
          f" {span % timedelta(days=1)} left over")
    d = date(2027, 1, 8)
    print(d.isoformat(), d.isoweekday(), d.toordinal(), date.fromordinal(d.toordinal() - 366),
          d.replace(month=2, day=28) + timedelta(days=1), date.fromisoformat("2027-03-01") - timedelta(days=1))
    print(repr(timedelta(days=-1, seconds=5)), timedelta(hours=-1) * 1.5, abs(timedelta(minutes=-90)) // 2)


main()
