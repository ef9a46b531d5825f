import calendar

print(calendar.isleap(2024), calendar.leapdays(2000, 2025), calendar.monthrange(2024, 2), calendar.weekday(2024, 1, 1))
print(calendar.month(2024, 2))
print(calendar.monthcalendar(2023, 9))
print(calendar.month_name[3], calendar.day_abbr[0], list(calendar.day_name)[:2])
c = calendar.TextCalendar(calendar.SUNDAY)
print(c.formatmonth(2025, 7))
print(calendar.timegm((2024, 1, 1, 0, 0, 0)))
print(list(calendar.Calendar().itermonthdays(2024, 2))[:10])
