"""Working days in Wales: weekends and Welsh bank holidays (the ``holidays`` package's GB/WLS
calendar, which follows the Royal Proclamations), plus any extra closure days a service sets in
``NYTH_EXTRA_CLOSURE_DAYS`` (ISO dates, comma-separated)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="WLS", years=[year]).keys())


def _extra_closures() -> frozenset[date]:
    return frozenset(date.fromisoformat(d) for d in getattr(settings, "NYTH_EXTRA_CLOSURE_DAYS", ()))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year) and day not in _extra_closures()


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
