"""Working-day arithmetic for mainland China: official holidays and make-up workdays (调休).

Deadlines in Linli (joint-review sign-offs, request handling) count *working days*: a day is a
workday when the State Council's holiday arrangement says people work that day. That is
Monday-Friday minus the official holidays, plus the weekend days declared make-up workdays
(e.g. Saturday 2026-10-10 after the National Day week).

The arrangement comes from the ``chinese_calendar`` package (PyPI ``chinesecalendar``), which
knows each year once the State Council publishes it (2004 through the package's last year).
**For a year it does not know, a plain Monday-Friday week is assumed** and a warning is logged
once per year: upgrade the package when the next year's arrangement is published.

Counting conventions (pure functions, no database):

* ``workdays_between(a, b)`` counts the workdays in ``(a, b]`` when ``b >= a``, and minus the
  workdays in ``[b, a)`` when ``b < a``.
* ``add_workdays(d, n)`` is the ``n``-th workday after ``d`` (``n > 0``) or before it
  (``n < 0``); ``d`` itself is never counted, and ``n == 0`` returns ``d`` unchanged. So a
  review requested on a Friday with a 5-workday limit is due the next Friday (no holidays).
* They round-trip: ``workdays_between(d, add_workdays(d, n)) == n`` for every ``d`` and ``n``.
"""

from __future__ import annotations

import datetime
import logging
from bisect import bisect_right
from functools import cache

import chinese_calendar

logger = logging.getLogger(__name__)

_ONE_DAY = datetime.timedelta(days=1)

# The package's tables, read once: chinese_calendar.is_workday() re-derives its year range on
# every call, which is too slow for counting across years. Same rule as the package's.
_HOLIDAYS = frozenset(chinese_calendar.holidays)
_MAKE_UP_WORKDAYS = frozenset(chinese_calendar.workdays)
#: Weekday holidays and weekend make-up workdays, sorted, for counting without walking days.
_WEEKDAY_HOLIDAYS = sorted(d for d in _HOLIDAYS if d.weekday() < 5)
_WEEKEND_WORKDAYS = sorted(d for d in _MAKE_UP_WORKDAYS if d.weekday() >= 5)

KNOWN_FIRST_YEAR = min(d.year for d in _HOLIDAYS)
KNOWN_LAST_YEAR = max(d.year for d in _HOLIDAYS)


@cache
def _warn_unknown_year(year: int) -> None:
    # cached: logs once per year and process.
    logger.warning(
        "No official holiday arrangement known for %s (chinese_calendar covers %s-%s): "
        "counting Monday-Friday as workdays. Upgrade chinesecalendar when it is published.",
        year,
        KNOWN_FIRST_YEAR,
        KNOWN_LAST_YEAR,
    )


def knows_year(year: int) -> bool:
    """Whether the official holiday arrangement of ``year`` is known."""
    return KNOWN_FIRST_YEAR <= year <= KNOWN_LAST_YEAR


def is_workday(day: datetime.date) -> bool:
    """Whether people work on ``day`` (holidays and make-up workdays included).

    Years the calendar does not know fall back to Monday-Friday (see the module docstring).
    """
    if isinstance(day, datetime.datetime):
        day = day.date()
    if not knows_year(day.year):
        _warn_unknown_year(day.year)
        return day.weekday() < 5
    return day in _MAKE_UP_WORKDAYS or (day.weekday() < 5 and day not in _HOLIDAYS)


def add_workdays(day: datetime.date, n: int) -> datetime.date:
    """The ``n``-th workday after ``day`` (before it when ``n`` is negative); ``day`` itself
    never counts and ``n == 0`` returns ``day``."""
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Workdays in ``(start, end]``; negative (workdays in ``[end, start)``) when end < start."""
    if end < start:
        return -_count(end - _ONE_DAY, start - _ONE_DAY)
    return _count(start, end)


def _weekdays(after: datetime.date, through: datetime.date) -> int:
    """Mondays to Fridays in ``(after, through]``."""
    weeks, rest = divmod((through - after).days, 7)
    count = weeks * 5
    first = after.weekday()
    for i in range(1, rest + 1):
        if (first + i) % 7 < 5:
            count += 1
    return count


def _between(days: list[datetime.date], after: datetime.date, through: datetime.date) -> int:
    return bisect_right(days, through) - bisect_right(days, after)


def _count(after: datetime.date, through: datetime.date) -> int:
    """Workdays in ``(after, through]``, without walking the days one by one."""
    for year in range((after + _ONE_DAY).year, through.year + 1):
        if not knows_year(year):
            _warn_unknown_year(year)
    return (
        _weekdays(after, through)
        - _between(_WEEKDAY_HOLIDAYS, after, through)
        + _between(_WEEKEND_WORKDAYS, after, through)
    )
