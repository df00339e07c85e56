"""Russian working-day calendar for the regulation's deadlines ("в течение N рабочих дней").

The regulation counts its terms in working days (clauses 1.4.5, 3.1, 3.2, 3.4). Russia moves days off every
year by government decree: a holiday falling on a weekend is transferred to a weekday, and some Saturdays
become working days (e.g. 01.11.2025). The `holidays` package models both: transferred days off are in the
holiday set, working Saturdays/Sundays are in `weekend_workdays`. Counting plain weekdays would put
deadlines on 2, 3 and 8 January, so every deadline goes through this module.

Terms start on the day after the event (Civil Code art. 191): `add_working_days(d, 3)` is the third working
day strictly after `d`, and the term ends at the end of that day.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

__all__ = ["add_working_days", "is_working_day", "working_days_between"]


@lru_cache(maxsize=1)
def _calendar() -> holidays.HolidayBase:
    """One expanding calendar shared by the process: it fills in each year on first use."""
    return holidays.country_holidays("RU")


def is_working_day(day: dt.date) -> bool:
    """True for a working day of the Russian production calendar, with decree transfers applied."""
    cal = _calendar()
    # `in` fills the year (holidays and weekend workdays) before we consult `weekend_workdays`.
    if day in cal:
        return False
    if day.weekday() >= 5:
        return day in cal.weekend_workdays
    return True


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (before it for negative n); n == 0 returns `start` itself."""
    step = 1 if n >= 0 else -1
    day = start
    remaining = abs(n)
    while remaining:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in the half-open interval (start, end]: how many term days have elapsed by `end`.

    Negative when `end` is before `start`, so `working_days_between(a, b) == -working_days_between(b, a)`.
    """
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
