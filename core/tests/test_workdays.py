from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from core.workdays import add_working_days, is_working_day, working_days_between


def test_welsh_bank_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day (substitute)
    assert not is_working_day(date(2026, 8, 31))  # late summer bank holiday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert is_working_day(date(2026, 11, 24))


def test_ten_working_days_over_christmas():
    # Accepted Friday 18 December 2026: 21, 22, 23, 24, 29, 30, 31 Dec, 4, 5, 6 Jan.
    assert add_working_days(date(2026, 12, 18), 10) == date(2027, 1, 6)


def test_extra_closure_days_are_configurable(settings):
    settings.NYTH_EXTRA_CLOSURE_DAYS = ["2026-11-25"]
    assert not is_working_day(date(2026, 11, 25))
    assert add_working_days(date(2026, 11, 24), 1) == date(2026, 11, 26)


dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(dates, st.integers(min_value=0, max_value=60))
def test_adding_then_counting_gives_back_the_days(start, days):
    end = add_working_days(start, days)
    assert working_days_between(start, end) == days
    assert end == start or is_working_day(end)


@given(dates, st.integers(min_value=1, max_value=40))
def test_adding_is_monotonic(start, days):
    assert add_working_days(start, days) > add_working_days(start, days - 1)


@given(dates, dates)
def test_counting_never_exceeds_calendar_days(a, b):
    count = working_days_between(a, b)
    assert 0 <= count <= max((b - a).days, 0)
    assert count <= max((b - a + timedelta(days=0)).days, 0) * 5 // 7 + 2
