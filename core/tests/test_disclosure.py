"""Safe small numbers (core.disclosure): primary and secondary suppression, rounding.

The property tests attack each row as the module's reader does: knowing the total, every shown
cell and that each [c] is a whole number of at least 1, they enumerate every assignment of the
suppressed cells (independently of the code's ``recoverable``) and check no [c] has one value."""

from __future__ import annotations

import itertools

import pytest
from django.test import override_settings
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core.disclosure import MARK, Reason, is_small, note, suppress, suppress_row, threshold


def feasible_values(row, total: int, index: int) -> set[int]:
    """Every value cell ``index`` could hold, given the shown total and cells (brute force)."""
    hidden = [i for i, c in enumerate(row.cells) if c.suppressed]
    rest = total - sum(c.value for c in row.cells if not c.suppressed)
    found = set()
    for values in itertools.product(range(1, rest + 1), repeat=len(hidden)):
        if sum(values) == rest:
            found.add(values[hidden.index(index)])
    return found


def test_the_threshold_is_five_by_default_and_configurable():
    assert threshold() == 5
    with override_settings(NYTH_SMALL_NUMBER_THRESHOLD=10):
        assert threshold() == 10
        assert suppress(7).suppressed


@pytest.mark.parametrize(("count", "small"), [(0, False), (1, True), (4, True), (5, False), (120, False)])
def test_primary_suppression_hides_1_to_4_and_shows_0(count, small):
    assert is_small(count) is small
    cell = suppress(count)
    assert cell.suppressed is small
    assert str(cell) == (MARK if small else str(count))


def test_a_suppressed_cell_carries_no_count_and_says_why():
    cell = suppress(3)
    assert cell.value is None and cell.reason is Reason.SMALL
    assert cell.explanation == "fewer than 5: not shown so nobody can be identified"
    with translation.override("cy"):
        assert "5" in cell.explanation and cell.explanation != "fewer than 5: not shown so nobody can be identified"
        assert MARK in note()


def test_one_small_cell_in_a_row_takes_the_next_smallest_with_it():
    row = suppress_row([3, 20, 7, 0])
    assert [str(c) for c in row.cells] == [MARK, "20", MARK, "0"]
    assert row.cells[2].reason is Reason.SECONDARY
    assert str(row.total) == "30"


def test_two_small_cells_of_one_each_are_not_enough():
    # 1 + 1 = 2 over two cells each at least 1: both must be 1. The next smallest goes too.
    row = suppress_row([1, 1, 9, 12])
    assert [c.suppressed for c in row.cells] == [True, True, True, False]


def test_a_small_total_is_itself_suppressed():
    row = suppress_row([3, 0, 0])
    assert row.total.suppressed and row.cells[0].suppressed and str(row.cells[1]) == "0"


def test_a_row_that_cannot_be_made_safe_loses_its_total():
    row = suppress_row([1, 1, 1, 1, 1, 0])
    assert all(c.suppressed for c in row.cells[:5]) and row.total.reason is Reason.SECONDARY


def test_rounding_rounds_shown_counts_to_5_and_decides_suppression_on_true_counts():
    row = suppress_row([4, 8, 12, 33], round_to=5)
    assert [str(c) for c in row.cells] == [MARK, MARK, "10", "35"]
    assert str(row.total) == "55"  # 57 rounded
    assert str(suppress(7, round_to=5)) == "5" and str(suppress(8, round_to=5)) == "10"


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        suppress_row([2, -1])


counts = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=5)


# No deadline: the brute-force reader is slow by design, and a loaded CI machine took 266 ms.
@settings(deadline=None)
@given(counts=counts, limit=st.integers(min_value=2, max_value=10))
def test_no_suppressed_cell_can_be_recovered_from_the_total_and_the_shown_cells(counts, limit):
    row = suppress_row(counts, limit=limit)
    if row.total.suppressed:
        return  # without the total, each [c] is only known to be 1 to limit − 1 (or unbounded)
    total = row.total.value
    for index, cell in enumerate(row.cells):
        if cell.suppressed:
            values = feasible_values(row, total, index)
            assert counts[index] in values
            assert len(values) > 1, f"{counts} → cell {index} can only be {values}"


@given(counts=counts, limit=st.integers(min_value=2, max_value=10))
def test_counts_at_or_above_the_threshold_are_shown_unless_needed_for_secondary_suppression(counts, limit):
    row = suppress_row(counts, limit=limit)
    small = [c for c in counts if 0 < c < limit]
    for count, cell in zip(counts, row.cells, strict=True):
        if count == 0 or count >= limit:
            assert not cell.suppressed or cell.reason is Reason.SECONDARY
            if cell.reason is Reason.SECONDARY:
                assert count > 0 and small  # only ever to protect a small count
        else:
            assert cell.suppressed and cell.reason is Reason.SMALL
        if not cell.suppressed:
            assert cell.value == count
    secondary = [c for c, cell in zip(counts, row.cells, strict=True) if cell.reason is Reason.SECONDARY]
    # Never more than needed: without its largest secondary cell the row would be recoverable.
    if secondary and not row.total.suppressed:
        hidden = [c for c, cell in zip(counts, row.cells, strict=True) if cell.suppressed]
        hidden.remove(max(secondary))
        assert len(hidden) == 1 or sum(hidden) == len(hidden)


@given(counts=counts)
def test_rounded_cells_are_multiples_of_5_and_suppression_is_the_same(counts):
    plain, rounded = suppress_row(counts), suppress_row(counts, round_to=5)
    assert [c.suppressed for c in plain.cells] == [c.suppressed for c in rounded.cells]
    assert all(c.value % 5 == 0 for c in rounded.cells if not c.suppressed)
    assert all(abs(c.value - n) <= 2 for c, n in zip(rounded.cells, counts, strict=True) if not c.suppressed)
