"""Report periods: ``2026-W47`` (ISO week), ``2026-11`` (month), ``2026-Q4`` (quarter),
``2026`` (year), parsed for the report kind that uses them. Pure, no ORM."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

__all__ = ["PATTERNS", "Period", "current_period", "parse_period"]

#: The period text each report kind takes, with an example.
PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "weekly": (re.compile(r"^(\d{4})-W(\d{2})$"), "2026-W47"),
    "monthly": (re.compile(r"^(\d{4})-(\d{2})$"), "2026-11"),
    "quarterly": (re.compile(r"^(\d{4})-Q(\d)$"), "2026-Q4"),
    "annual": (re.compile(r"^(\d{4})$"), "2026"),
}
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    """A report's period: both ends inclusive, and its canonical label (``2026-W07``)."""

    start: datetime.date
    end: datetime.date
    label: str


def _refuse(zh: str, en: str) -> ValidationError:
    return ValidationError(f"{zh} ({en})", code="period")


def parse_period(kind: str, text: str) -> Period:
    """The period ``text`` denotes for ``kind``; a bilingual ValidationError otherwise."""
    if kind not in PATTERNS:
        raise _refuse(f"未知的报告类型 {kind}", f"unknown report kind {kind}")
    pattern, example = PATTERNS[kind]
    match = pattern.match((text or "").strip().upper())
    if match is None:
        raise _refuse(
            f"期间格式应如 {example},收到 “{text}”", f"the period should look like {example}"
        )
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _refuse(
            f"年份须在 {FIRST_YEAR}–{LAST_YEAR} 之间",
            f"the year must be between {FIRST_YEAR} and {LAST_YEAR}",
        )
    if kind == "weekly":
        week = int(match.group(2))
        weeks = datetime.date(year, 12, 28).isocalendar().week  # 28 Dec is in the last week
        if not 1 <= week <= weeks:
            raise _refuse(f"{year} 年只有 {weeks} 周", f"{year} has ISO weeks 1 to {weeks} only")
        start = datetime.date.fromisocalendar(year, week, 1)
        return Period(start, start + datetime.timedelta(days=6), f"{year}-W{week:02d}")
    if kind == "monthly":
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise _refuse("月份须在 01–12 之间", "the month must be 01 to 12")
        last = calendar.monthrange(year, month)[1]
        return Period(
            datetime.date(year, month, 1), datetime.date(year, month, last), f"{year}-{month:02d}"
        )
    if kind == "quarterly":
        quarter = int(match.group(2))
        if not 1 <= quarter <= 4:
            raise _refuse("季度须在 Q1–Q4 之间", "the quarter must be Q1 to Q4")
        first = 3 * quarter - 2
        last_month = first + 2
        end = datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(datetime.date(year, first, 1), end, f"{year}-Q{quarter}")
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year))


def current_period(kind: str, today: datetime.date) -> str:
    """The label of the period of ``kind`` containing ``today`` (the form's default)."""
    if kind == "weekly":
        iso = today.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if kind == "monthly":
        return f"{today.year}-{today.month:02d}"
    if kind == "quarterly":
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return str(today.year)
