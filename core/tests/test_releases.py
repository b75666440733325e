"""A release suppressed as a whole (core.releases), attacked as issue 15 asks.

The attacker here is independent of the code: it builds the full cross-classification of the
release's people (every combination of every dimension's categories, a whole number of at least
0 each), adds every shown number of every table as a constraint (a rounded number as the interval
it could have come from), every [c] as "at least 1", nothing for a withheld table, and asks
``scipy.optimize.milp`` (HiGHS, integer) for the smallest and largest value of each [c]."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import LinearConstraint, milp

from core.disclosure import MARK, Reason
from core.releases import (
    Breakdown,
    CrossTable,
    _Circulation,
    _two_way,
    share,
    statistic,
    suppress_release,
)

LIMIT = 5


# --- The attacker ------------------------------------------------------------------------------


def _bounds_of(shown: int, round_to: int | None) -> tuple[int, int]:
    """What true count a shown number could have come from (half-up rounding)."""
    if not round_to:
        return shown, shown
    return max(0, shown - round_to // 2), shown + (round_to - 1) // 2


def attack(
    cube: dict[tuple[int, ...], int], dims: list[list[str]], release, names: list[str]
) -> list[tuple[str, int, float]]:
    """Every [c] of ``release`` with its feasible range (name, true value, largest − smallest)."""
    cells = list(cube)
    n = len(cells)
    rows, lo, hi = [], [], []
    hidden: list[tuple[str, np.ndarray, int]] = []

    def quantity(select) -> np.ndarray:
        return np.array([1.0 if select(c) else 0.0 for c in cells])

    def take(name: str, vector: np.ndarray, cell) -> None:
        true = int(vector @ np.array([cube[c] for c in cells]))
        if cell.reason is Reason.WITHHELD:
            return
        if cell.suppressed:
            rows.append(vector), lo.append(1), hi.append(np.inf)
            hidden.append((name, vector, true))
        else:
            a, b = _bounds_of(cell.value, release.round_to)
            assert a <= true <= b, f"{name}: shown {cell.value} but is {true}"
            rows.append(vector), lo.append(a), hi.append(b)

    take("total", quantity(lambda c: True), release.total)
    for d, name in enumerate(names):
        if name in release.breakdowns:
            for i, cat in enumerate(dims[d]):
                take(f"{name}={cat}", quantity(lambda c, d=d, i=i: c[d] == i), release.breakdowns[name][cat])
    for table in release.tables:
        dr, dc = names.index(table.rows), names.index(table.columns)
        for (r, c), cell in table.cells.items():
            i, j = dims[dr].index(r), dims[dc].index(c)
            take(f"{r}×{c}", quantity(lambda x, dr=dr, dc=dc, i=i, j=j: x[dr] == i and x[dc] == j), cell)
        for r, cell in table.row_totals.items():
            i = dims[dr].index(r)
            take(f"rows {r}", quantity(lambda x, dr=dr, i=i: x[dr] == i), cell)
        for c, cell in table.column_totals.items():
            j = dims[dc].index(c)
            take(f"columns {c}", quantity(lambda x, dc=dc, j=j: x[dc] == j), cell)
    constraints = LinearConstraint(np.array(rows), np.array(lo, dtype=float), np.array(hi, dtype=float))
    found = []
    for name, vector, true in hidden:
        low = milp(vector, constraints=constraints, integrality=np.ones(n), bounds=(0, np.inf))
        assert low.status == 0, low.message  # the true counts satisfy every constraint
        high = milp(-vector, constraints=constraints, integrality=np.ones(n), bounds=(0, np.inf))
        # Feasible (above), so a failure to solve the maximum is unboundedness: nothing learnt.
        smallest, largest = low.fun, (-high.fun if high.status == 0 else math.inf)
        assert smallest <= true <= largest
        found.append((name, true, largest - smallest))
    return found


# --- Random releases ----------------------------------------------------------------------------

# Counts like a quarter's: mostly small, some large (most cells of a real release are small).
counts = st.one_of(st.integers(0, 6), st.integers(0, 6), st.integers(0, 40))


@st.composite
def releases(draw):
    sizes = draw(st.lists(st.integers(2, 4), min_size=2, max_size=3))
    names = ["la", "age", "gender"][: len(sizes)]
    dims = [[f"{n}{i}" for i in range(k)] for n, k in zip(names, sizes, strict=True)]
    cube = {c: draw(counts) for c in itertools.product(*(range(k) for k in sizes))}
    total = sum(cube.values())
    breakdowns = []
    for d, name in enumerate(names):
        margin = {cat: sum(v for c, v in cube.items() if c[d] == i) for i, cat in enumerate(dims[d])}
        breakdowns.append(Breakdown(name, margin))
    tables = []
    if draw(st.booleans()):
        tables.append(
            CrossTable(
                "la",
                "age",
                {
                    (dims[0][i], dims[1][j]): sum(v for c, v in cube.items() if c[0] == i and c[1] == j)
                    for i in range(sizes[0])
                    for j in range(sizes[1])
                },
            )
        )
    round_to = draw(st.sampled_from([None, None, 5]))
    return cube, dims, names, total, breakdowns, tables, round_to


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(releases())
def test_no_suppressed_number_of_a_release_can_be_narrowed_below_the_threshold(case):
    cube, dims, names, total, breakdowns, tables, round_to = case
    release = suppress_release(total, breakdowns, tables, limit=LIMIT, round_to=round_to)
    for name, true, width in attack(cube, dims, release, names):
        assert width >= LIMIT - 1, f"{name} (really {true}) can be narrowed to {width + 1} values"
    # Nothing small is ever shown, and nothing is shown as other than it is (checked in attack).
    for cell in release.cells():
        if not cell.suppressed:
            assert cell.value == 0 or cell.value >= LIMIT - (round_to or 0) // 2


@settings(max_examples=80, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: st.tuples(st.just(r), st.just(c), st.lists(counts, min_size=r * c, max_size=r * c))
        )
    ),
    st.data(),
)
def test_the_flow_check_gives_the_same_range_as_the_integer_programme(shape, data):
    """The run-time check (a maximum flow) is exact: the same movement as milp on one table."""
    r, c, values = shape
    table = CrossTable("a", "b", {(f"a{i}", f"b{j}"): values[i * c + j] for i in range(r) for j in range(c)})
    total = sum(values)
    net: _Circulation = _two_way(table, total)
    keys = [k for k in net.ends if k != ("total",) and net.value[k] > 0]
    if not keys:
        return
    hidden = set(data.draw(st.lists(st.sampled_from(keys), min_size=1, unique=True)))
    order = list(net.ends)
    vectors = {}
    for key in order:  # each quantity over the r × c cells
        if key == ("total",):
            vectors[key] = np.ones(r * c)
        elif key[0] == "two":
            vectors[key] = np.array(
                [1.0 if (f"a{i}", f"b{j}") == (key[2], key[4]) else 0.0 for i in range(r) for j in range(c)]
            )
        elif key[1] == "a":
            vectors[key] = np.array([1.0 if f"a{i}" == key[2] else 0.0 for i in range(r) for j in range(c)])
        else:
            vectors[key] = np.array([1.0 if f"b{j}" == key[2] else 0.0 for i in range(r) for j in range(c)])
    rows = [vectors[k] for k in order]
    lo = [1 if k in hidden else net.value[k] for k in order]
    hi = [np.inf if k in hidden else net.value[k] for k in order]
    constraints = LinearConstraint(np.array(rows), np.array(lo, dtype=float), np.array(hi, dtype=float))
    big = 10**6
    for key in hidden:
        low = milp(vectors[key], constraints=constraints, integrality=np.ones(r * c), bounds=(0, np.inf)).fun
        high = -milp(-vectors[key], constraints=constraints, integrality=np.ones(r * c), bounds=(0, np.inf)).fun
        assert net.movement(key, hidden, big) == round(high - low)


# --- Worked examples ----------------------------------------------------------------------------


def test_a_small_total_withholds_the_whole_release():
    release = suppress_release(4, [Breakdown("la", {"Cardiff": 3, "Powys": 1})], limit=LIMIT)
    assert release.total.suppressed and release.total.reason is Reason.SMALL
    assert all(c.reason is Reason.WITHHELD for c in release.breakdowns["la"].values())
    assert release.withheld_breakdowns == {"la"}


def test_a_breakdown_takes_the_next_smallest_with_a_small_count():
    release = suppress_release(
        30, [Breakdown("la", {"Cardiff": 3, "Swansea": 20, "Powys": 7, "Conwy": 0})], limit=LIMIT
    )
    shown = {k: str(c) for k, c in release.breakdowns["la"].items()}
    assert shown == {"Cardiff": MARK, "Swansea": "20", "Powys": MARK, "Conwy": "0"}
    assert release.breakdowns["la"]["Powys"].reason is Reason.SECONDARY
    assert str(release.total) == "30"


def test_two_ones_are_not_enough_to_hide_each_other():
    # 1 + 1 = 2 with each at least 1: both would be known. The 100 goes too.
    release = suppress_release(102, [Breakdown("la", {"a": 1, "b": 1, "c": 100})], limit=LIMIT)
    assert all(c.suppressed for c in release.breakdowns["la"].values())


def test_a_table_that_cannot_be_made_safe_is_withheld_and_its_margin_tried_alone():
    # Five people, all in one local authority: 1 young and 4 old. Whatever is hidden, a young
    # count of at least 1 and an old count of at least 1 adding up to 5 leave only 1 to 4.
    table = CrossTable("la", "age", {("x", "young"): 0, ("x", "old"): 0, ("y", "young"): 1, ("y", "old"): 4})
    release = suppress_release(5, [Breakdown("la", {"x": 0, "y": 5})], [table], limit=LIMIT)
    assert release.tables[0].withheld
    assert all(c.reason is Reason.WITHHELD for c in release.tables[0].cells.values())
    # Alone, the breakdown by local authority tells nothing small: it is shown.
    assert [str(c) for c in release.breakdowns["la"].values()] == ["0", "5"]
    assert not release.withheld_breakdowns


def test_a_breakdown_that_is_a_tables_margin_is_decided_with_the_table():
    table = CrossTable("la", "age", {("x", "young"): 2, ("x", "old"): 30, ("y", "young"): 40, ("y", "old"): 50})
    release = suppress_release(122, [Breakdown("la", {"x": 32, "y": 90})], [table], limit=LIMIT)
    assert release.breakdowns["la"] == release.tables[0].row_totals
    assert release.tables[0].cells[("x", "young")].suppressed


def test_rounding_applies_to_shown_numbers_only_after_the_decision():
    release = suppress_release(58, [Breakdown("la", {"a": 3, "b": 22, "c": 33})], limit=LIMIT, round_to=5)
    assert [str(c) for c in release.breakdowns["la"].values()] == [MARK, MARK, "35"]
    assert str(release.total) == "60"


@pytest.mark.parametrize(
    "bad",
    [
        lambda: suppress_release(10, [Breakdown("la", {"a": 4, "b": 5})]),  # does not add up
        lambda: suppress_release(
            10,
            tables=[CrossTable("la", "age", {("a", "y"): 10}), CrossTable("la", "sex", {("a", "f"): 10})],
        ),  # la in two two-way tables
        lambda: suppress_release(
            10, [Breakdown("la", {"a": 6, "b": 4})], [CrossTable("la", "age", {("a", "y"): 5, ("b", "y"): 5})]
        ),  # not the margin
        lambda: suppress_release(-1),
    ],
)
def test_a_release_of_another_shape_is_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_shares_and_statistics_of_few_people_are_not_shown():
    assert share(3, 4).reason is Reason.FEW
    assert share(3, 50).reason is Reason.SMALL
    assert share(0, 8).reason is Reason.ALL_OR_NONE and share(8, 8).reason is Reason.ALL_OR_NONE
    assert share(0, 12).value == 0.0 and share(12, 12).value == 100.0
    assert share(7, 20).value == 35.0
    assert statistic(12.25, 4).suppressed and statistic(12.25, 5).value == 12.2
    assert share(3, 4).explanation and statistic(None, 9).suppressed
    with pytest.raises(ValueError):
        share(5, 4)
