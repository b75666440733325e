"""Reporting periods: quarters and years of the service's reporting year, or a custom range.

Welsh Government and Regional Partnership Board returns run on the financial year (April to
March), so by default a year starts in April (``NYTH_REPORTING_YEAR_START_MONTH``, 1 for calendar
years) and "2026Q1" is April to June 2026, "2026" April 2026 to March 2027. Commissioners get
fixed periods only (quarters and years: ``Period.fixed``) – a custom range is for the service's
own managers, because overlapping custom ranges could be differenced to single people.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.conf import settings


def year_start_month() -> int:
    return int(getattr(settings, "NYTH_REPORTING_YEAR_START_MONTH", 4))


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    code: str  # "2026Q1", "2026", or "2026-05-01..2026-06-12"
    fixed: bool  # a quarter or a year (what commissioners may be given)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return self.code


def quarter(year: int, number: int) -> Period:
    if number not in (1, 2, 3, 4):
        raise ValueError("a quarter is 1 to 4")
    start = _add_months(datetime.date(year, year_start_month(), 1), 3 * (number - 1))
    end = _add_months(start, 3) - datetime.timedelta(days=1)
    return Period(start, end, f"{year}Q{number}", True)


def year(first: int) -> Period:
    start = datetime.date(first, year_start_month(), 1)
    return Period(start, _add_months(start, 12) - datetime.timedelta(days=1), str(first), True)


def custom(start: datetime.date, end: datetime.date) -> Period:
    if end < start:
        raise ValueError("the end must be on or after the start")
    return Period(start, end, f"{start.isoformat()}..{end.isoformat()}", False)


_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse(code: str) -> Period:
    """``2026Q3``, ``2026`` or ``2026-04-01..2026-06-30``; ValueError otherwise."""
    code = code.strip()
    if m := _QUARTER.match(code):
        return quarter(int(m[1]), int(m[2]))
    if m := _YEAR.match(code):
        return year(int(m[1]))
    if m := _RANGE.match(code):
        return custom(datetime.date.fromisoformat(m[1]), datetime.date.fromisoformat(m[2]))
    raise ValueError(f"not a period: {code!r}")


def quarter_of(day: datetime.date) -> Period:
    """The reporting quarter holding ``day``."""
    months = (day.month - year_start_month()) % 12
    first = day.year if day.month >= year_start_month() else day.year - 1
    return quarter(first, months // 3 + 1)


def previous_quarters(day: datetime.date, count: int) -> list[Period]:
    """The ``count`` whole quarters before the one holding ``day``, oldest first (trends)."""
    current = quarter_of(day)
    found: list[Period] = []
    probe = current.start - datetime.timedelta(days=1)
    while len(found) < count:
        q = quarter_of(probe)
        found.append(q)
        probe = q.start - datetime.timedelta(days=1)
    return found[::-1]


def last_day_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
