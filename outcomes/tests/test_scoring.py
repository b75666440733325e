"""The scoring domain against independent copies of its sources.

The SWEMWBS table below is typed here from the published conversion table (University of Warwick,
"SWEMWBS conversion table", warwick.ac.uk/wemwbs; Stewart-Brown et al., Health Qual Life Outcomes
2009;7:15), as quoted in /work/shared/domain.md – it is NOT imported from the code, so a typo in
either copy fails the test.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from outcomes import scoring
from outcomes.scoring import ChangeCategory, ChangeRule, CorcCategory, Direction, GoalRating, ScoringError

PUBLISHED_SWEMWBS = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32, 15: 15.84,
    16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98, 23: 20.73,
    24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13,
    32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}  # fmt: skip


def test_swemwbs_metric_matches_the_published_table():
    assert {raw: float(scoring.swemwbs_metric(raw)) for raw in range(7, 36)} == PUBLISHED_SWEMWBS


@pytest.mark.parametrize("raw", [6, 36, 0])
def test_swemwbs_metric_refuses_a_raw_score_outside_7_to_35(raw):
    with pytest.raises(ScoringError):
        scoring.swemwbs_metric(raw)


def test_swemwbs_raw_sums_seven_items():
    assert scoring.swemwbs_raw({1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 1, 7: 2}) == 18


@pytest.mark.parametrize(
    ("responses", "message"),
    [
        ({1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3}, "item 7 missing"),
        ({1: 3, 2: None, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3}, "item 2 missing"),
        ({1: 3, 2: 3, 3: 6, 4: 3, 5: 3, 6: 3, 7: 3}, "item 3 out of range"),
        ({1: 0, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3}, "item 1 out of range"),
        ({1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 3}, "unknown item 8"),
    ],
)
def test_swemwbs_needs_every_item_in_range(responses, message):
    with pytest.raises(ScoringError, match=message):
        scoring.swemwbs_raw(responses)


def test_wemwbs_raw_is_14_to_70():
    assert scoring.wemwbs_raw(dict.fromkeys(range(1, 15), 1)) == 14
    assert scoring.wemwbs_raw(dict.fromkeys(range(1, 15), 5)) == 70
    with pytest.raises(ScoringError, match="item 14 missing"):
        scoring.wemwbs_raw(dict.fromkeys(range(1, 14), 3))


def test_threshold_example_from_domain_notes():
    # domain.md: SD 3.92, r 0.88 gives a reliable-change threshold of about 3.76 points.
    t = scoring.reliable_change_threshold(sd=Decimal("3.92"), reliability=Decimal("0.88"))
    assert round(float(t), 2) == 3.76


@given(st.integers(7, 34))
def test_swemwbs_metric_is_strictly_monotonic(raw):
    assert scoring.swemwbs_metric(raw) < scoring.swemwbs_metric(raw + 1)


# An independent statement of Jacobson & Truax, in floats, written from the paper's formula.
def expected_category(x1, x2, *, higher_better, sd=None, r=None, fixed=None, cutoff=None):
    if fixed is None:
        rci = (x2 - x1) / (sd * math.sqrt(2) * math.sqrt(1 - r))
        reliable = abs(rci) > 1.96
    else:
        reliable = abs(x2 - x1) > fixed
    if not reliable:
        return "no_reliable_change"
    improved = (x2 > x1) if higher_better else (x2 < x1)
    if not improved:
        return "reliable_deterioration"
    if cutoff is not None:
        was_case = x1 < cutoff if higher_better else x1 > cutoff
        now_case = x2 < cutoff if higher_better else x2 > cutoff
        if was_case and not now_case:
            return "reliable_recovery"
    return "reliable_improvement"


scores = st.decimals(min_value=0, max_value=100, places=2)


@given(
    x1=scores,
    x2=scores,
    sd=st.decimals(min_value="0.5", max_value=20, places=2),
    r=st.decimals(min_value=0, max_value="0.99", places=2),
    higher_better=st.booleans(),
    cutoff=st.one_of(st.none(), scores),
)
def test_change_category_from_sd_and_reliability(x1, x2, sd, r, higher_better, cutoff):
    rci = float(x2 - x1) / (float(sd) * math.sqrt(2) * math.sqrt(1 - float(r)))
    assume(abs(abs(rci) - 1.96) > 1e-9)  # the knife edge belongs to neither float nor Decimal
    direction = Direction.HIGHER_IS_BETTER if higher_better else Direction.LOWER_IS_BETTER
    rule = ChangeRule(
        direction=direction, threshold=scoring.reliable_change_threshold(sd=sd, reliability=r), cutoff=cutoff
    )
    got = scoring.change_category(first=x1, latest=x2, rule=rule)
    want = expected_category(
        float(x1), float(x2), higher_better=higher_better, sd=float(sd), r=float(r),
        cutoff=None if cutoff is None else float(cutoff),
    )  # fmt: skip
    assert got.value == want


@given(
    x1=st.integers(0, 10), x2=st.integers(0, 10), fixed=st.decimals(min_value=0, max_value=5, places=2),
    higher_better=st.booleans(),
)  # fmt: skip
def test_change_category_with_a_fixed_threshold(x1, x2, fixed, higher_better):
    direction = Direction.HIGHER_IS_BETTER if higher_better else Direction.LOWER_IS_BETTER
    got = scoring.change_category(
        first=Decimal(x1), latest=Decimal(x2), rule=ChangeRule(direction=direction, threshold=fixed)
    )
    assert got.value == expected_category(x1, x2, higher_better=higher_better, fixed=float(fixed))


def test_no_recovery_without_a_cutoff():
    rule = ChangeRule(direction=Direction.HIGHER_IS_BETTER, threshold=Decimal("3.76"))
    got = scoring.change_category(first=Decimal("14.08"), latest=Decimal("22.35"), rule=rule)
    assert got is ChangeCategory.RELIABLE_IMPROVEMENT


def test_exactly_the_threshold_is_not_reliable():
    rule = ChangeRule(direction=Direction.HIGHER_IS_BETTER, threshold=Decimal("3"))
    assert scoring.change_category(first=Decimal(5), latest=Decimal(8), rule=rule) is ChangeCategory.NO_RELIABLE_CHANGE


@pytest.mark.parametrize(
    ("cats", "want"),
    [
        ([], None),
        (["reliable_improvement", "no_reliable_change"], CorcCategory.RELIABLE_IMPROVEMENT),
        (["reliable_recovery"], CorcCategory.RELIABLE_IMPROVEMENT),
        (["reliable_improvement", "reliable_deterioration"], CorcCategory.MIXED),
        (["no_reliable_change", "reliable_deterioration"], CorcCategory.RELIABLE_DETERIORATION),
        (["no_reliable_change", "no_reliable_change"], CorcCategory.NO_RELIABLE_CHANGE),
    ],
)
def test_corc_category(cats, want):
    assert scoring.corc_category(ChangeCategory(c) for c in cats) is want


rating_lists = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 10), st.booleans()), max_size=8)


@given(st.dictionaries(st.sampled_from("abc"), rating_lists, max_size=3))
def test_gbo_change_over_random_rating_sequences(goals):
    start = date(2026, 1, 5)
    built = {
        g: [GoalRating(on=start + timedelta(days=d), value=v, at_point=p) for d, v, p in seq]
        for g, seq in goals.items()
    }
    expected = []
    for g, seq in goals.items():
        points = [(d, v) for d, v, p in seq if p]
        # first = earliest day (first given on a tie), latest = latest day (last given on a tie)
        if len(points) < 2:
            assert scoring.goal_change(built[g]) is None
            continue
        first = min(points, key=lambda t: t[0])[1]
        latest_day = max(d for d, _ in points)
        latest = [v for d, v in points if d == latest_day][-1]
        change = scoring.goal_change(built[g])
        assert (change.first, change.latest, change.change) == (first, latest, latest - first)
        expected.append(latest - first)
    mean = scoring.episode_gbo_change(built)
    if expected:
        assert mean == Decimal(sum(expected)) / len(expected)
        assert -10 <= mean <= 10
    else:
        assert mean is None


@pytest.mark.parametrize("value", [-1, 11])
def test_gbo_rating_outside_0_to_10_is_refused(value):
    with pytest.raises(ScoringError):
        GoalRating(on=date(2026, 1, 5), value=value)


def test_goal_added_at_review_is_left_out_of_the_mean_until_rated_twice():
    d = date(2026, 1, 5)
    goals = {
        "sleep": [GoalRating(on=d, value=2), GoalRating(on=d + timedelta(days=90), value=6)],
        "school": [GoalRating(on=d + timedelta(days=90), value=3)],
        "friends": [GoalRating(on=d, value=5), GoalRating(on=d + timedelta(days=30), value=9, at_point=False)],
    }
    assert scoring.episode_gbo_change(goals) == Decimal(4)
