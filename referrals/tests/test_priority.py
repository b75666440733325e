"""Property tests for the waiting-list priority."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from referrals.priority import DEFAULT_BANDS, DEFAULT_WEIGHTS, FACTORS, compute

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
FACT_NAMES = [name for name in FACTORS if name not in ("several_risks", "per_week_waiting")]
facts_strategy = st.fixed_dictionaries({name: st.booleans() for name in FACT_NAMES})
weights_strategy = st.fixed_dictionaries({name: st.integers(min_value=0, max_value=100) for name in FACTORS})
waits = st.integers(min_value=0, max_value=400)


def score(facts, days, weights=DEFAULT_WEIGHTS, adjustment=0):
    return compute(
        facts=facts,
        waiting_since=NOW - timedelta(days=days),
        now=NOW,
        weights=weights,
        bands=DEFAULT_BANDS,
        adjustment=adjustment,
        adjustment_reason="reason" if adjustment else "",
    )


@given(facts_strategy, waits, weights_strategy, st.sampled_from(FACT_NAMES))
def test_adding_a_need_or_risk_never_lowers_priority(facts, days, weights, extra):
    before = score(facts, days, weights).score
    after = score({**facts, extra: True}, days, weights).score
    assert after >= before


@given(facts_strategy, waits, waits, weights_strategy)
def test_waiting_longer_never_lowers_priority(facts, days, more, weights):
    assert score(facts, days + more, weights).score >= score(facts, days, weights).score


@given(facts_strategy, waits, weights_strategy)
def test_the_score_is_exactly_the_sum_of_the_reasons_shown(facts, days, weights):
    result = score(facts, days, weights)
    assert result.score == sum(reason.points for reason in result.reasons)
    assert all(reason.points > 0 for reason in result.reasons)


@given(facts_strategy, waits)
def test_bands_follow_the_score(facts, days):
    result = score(facts, days)
    expected = (
        "high"
        if result.score >= DEFAULT_BANDS["high"]
        else "medium"
        if result.score >= DEFAULT_BANDS["medium"]
        else "routine"
    )
    assert result.band == expected


@given(facts_strategy, waits, st.integers(min_value=-100, max_value=100))
def test_a_managers_adjustment_is_shown_and_counted(facts, days, adjustment):
    plain = score(facts, days).score
    adjusted = score(facts, days, adjustment=adjustment)
    assert adjusted.score == plain + adjustment
    if adjustment:
        assert any(reason.text == "reason" for reason in adjusted.reasons)


def test_highest_risk_outranks_a_routine_long_wait():
    risky = score({"risk_self_harm": True, "risk_exploitation": True, "complex_needs": True}, 0).score
    routine = score({"complex_needs": True}, 60).score
    assert risky > routine
