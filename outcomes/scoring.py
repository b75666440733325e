"""Scoring of outcome measures: plain typed functions, no database.

Every formula here names its source. The instruments' *parameters* (reliable-change SD and
reliability, fixed thresholds, caseness cut-offs) are data on ``outcomes.Instrument`` with their
own citation; this module only turns scores and parameters into numbers and categories.

Scores are ``Decimal`` so that the SWEMWBS metric table's published two-decimal values are exact
and a change of 3.76 compares with a threshold of 3.76 without binary rounding surprises.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class Direction(enum.StrEnum):
    """Which way is better on an instrument's score."""

    HIGHER_IS_BETTER = "higher_better"
    LOWER_IS_BETTER = "lower_better"


class ChangeCategory(enum.StrEnum):
    """The category of change between a first and a latest score on one measure."""

    RELIABLE_RECOVERY = "reliable_recovery"
    RELIABLE_IMPROVEMENT = "reliable_improvement"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    RELIABLE_DETERIORATION = "reliable_deterioration"


class CorcCategory(enum.StrEnum):
    """A young person's change across all their paired measures (CORC's rule)."""

    RELIABLE_IMPROVEMENT = "reliable_improvement"
    RELIABLE_DETERIORATION = "reliable_deterioration"
    MIXED = "mixed"
    NO_RELIABLE_CHANGE = "no_reliable_change"


class ScoringError(ValueError):
    """Responses that cannot be scored (an item missing or out of range)."""


# --- SWEMWBS and WEMWBS -----------------------------------------------------------------------

#: The SWEMWBS raw-to-metric conversion (Rasch), raw 7–35. Source: Stewart-Brown S, Tennant A,
#: Tennant R, Platt S, Parkinson J, Weich S. "Internal construct validity of the Warwick-Edinburgh
#: Mental Well-being Scale (WEMWBS): a Rasch analysis using data from the Scottish Health
#: Education Population Survey." Health Qual Life Outcomes 2009;7:15, and the University of
#: Warwick's SWEMWBS conversion table (warwick.ac.uk/wemwbs), as recorded in domain.md.
SWEMWBS_METRIC: Mapping[int, Decimal] = {
    raw: Decimal(metric)
    for raw, metric in {
        7: "7.00", 8: "9.51", 9: "11.25", 10: "12.40", 11: "13.33", 12: "14.08", 13: "14.75",
        14: "15.32", 15: "15.84", 16: "16.36", 17: "16.88", 18: "17.43", 19: "17.98", 20: "18.59",
        21: "19.25", 22: "19.98", 23: "20.73", 24: "21.54", 25: "22.35", 26: "23.21", 27: "24.11",
        28: "25.03", 29: "26.02", 30: "27.03", 31: "28.13", 32: "29.31", 33: "30.70", 34: "32.55",
        35: "35.00",
    }.items()
}  # fmt: skip


def raw_total(responses: Mapping[int, int | None], *, items: int, low: int = 1, high: int = 5) -> int:
    """The raw total of a Likert instrument whose items are numbered 1..``items``, each answered
    ``low``..``high``; every item is required (WEMWBS/SWEMWBS user guide: no pro-rating).
    Raises ``ScoringError`` naming the first item missing or out of range."""
    total = 0
    for number in range(1, items + 1):
        value = responses.get(number)
        if value is None:
            raise ScoringError(f"item {number} missing")
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ScoringError(f"item {number} out of range")
        total += value
    extra = set(responses) - set(range(1, items + 1))
    if extra:
        raise ScoringError(f"unknown item {min(extra)}")
    return total


def swemwbs_raw(responses: Mapping[int, int | None]) -> int:
    """SWEMWBS raw score: the sum of 7 items each 1 (none of the time) – 5 (all of the time),
    all seven required, so 7–35."""
    return raw_total(responses, items=7)


def swemwbs_metric(raw: int) -> Decimal:
    """The SWEMWBS metric score for a raw score 7–35, from the published table
    (``SWEMWBS_METRIC``). Reliable change for SWEMWBS is computed on this metric score."""
    try:
        return SWEMWBS_METRIC[raw]
    except KeyError:
        raise ScoringError(f"SWEMWBS raw score {raw} is outside 7–35") from None


def wemwbs_raw(responses: Mapping[int, int | None]) -> int:
    """WEMWBS raw score: the sum of 14 items each 1–5, all required, so 14–70. WEMWBS has no
    conversion table: the raw total is the score."""
    return raw_total(responses, items=14)


# --- Reliable change (Jacobson & Truax 1991) ----------------------------------------------------

#: The two-tailed 5 % point of the normal distribution used by Jacobson & Truax.
RCI_CRITICAL = Decimal("1.96")


def standard_error_of_difference(*, sd: Decimal, reliability: Decimal) -> Decimal:
    """SE_diff = SD · √2 · √(1 − r): the standard error of the difference between two scores.

    Jacobson NS, Truax P. "Clinical significance: a statistical approach to defining meaningful
    change in psychotherapy research." J Consult Clin Psychol 1991;59(1):12–19. ``sd`` is the
    standard deviation of the reference population, ``reliability`` its reliability (e.g.
    Cronbach's α or test–retest r), 0 ≤ r < 1."""
    if sd <= 0:
        raise ValueError("SD must be positive")
    if not Decimal(0) <= reliability < Decimal(1):
        raise ValueError("reliability must be in [0, 1)")
    return sd * Decimal(2).sqrt() * (Decimal(1) - reliability).sqrt()


def reliable_change_threshold(*, sd: Decimal, reliability: Decimal) -> Decimal:
    """The smallest change that is reliable: 1.96 × SE_diff (Jacobson & Truax 1991), i.e.
    |RCI| = |x₂ − x₁| / SE_diff > 1.96. Example (domain.md): SD 3.92, r 0.88 → about 3.76."""
    return RCI_CRITICAL * standard_error_of_difference(sd=sd, reliability=reliability)


def reliable_change_index(*, first: Decimal, latest: Decimal, sd: Decimal, reliability: Decimal) -> Decimal:
    """RCI = (x₂ − x₁) / (SD · √2 · √(1 − r)) (Jacobson & Truax 1991)."""
    return (latest - first) / standard_error_of_difference(sd=sd, reliability=reliability)


@dataclass(frozen=True)
class ChangeRule:
    """How change on one measure is judged.

    ``threshold``: a change must be strictly greater than this (in the score's own units) to be
    reliable – either ``reliable_change_threshold(sd=, reliability=)`` or a published fixed
    threshold. ``cutoff``: an optional caseness cut-off, the first score *not* in the clinical
    range (direction-aware: for higher-is-better a score below it is a case; for lower-is-better a
    score above it is). No instrument has a default cut-off."""

    direction: Direction
    threshold: Decimal
    cutoff: Decimal | None = None

    def is_case(self, score: Decimal) -> bool:
        assert self.cutoff is not None
        if self.direction is Direction.HIGHER_IS_BETTER:
            return score < self.cutoff
        return score > self.cutoff


def change_category(*, first: Decimal, latest: Decimal, rule: ChangeRule) -> ChangeCategory:
    """The category of the change from ``first`` to ``latest``.

    Reliable when |latest − first| > threshold (Jacobson & Truax 1991: |RCI| > 1.96 is the same
    test with threshold 1.96 × SE_diff). Improvement is the change in the better direction
    (``rule.direction``). **Reliable recovery** (Jacobson & Truax's "recovered": reliable
    improvement and crossing the cut-off from the clinical to the non-clinical side) only when
    the rule has a cut-off; otherwise it is never given."""
    change = latest - first
    better = change if rule.direction is Direction.HIGHER_IS_BETTER else -change
    if abs(change) <= rule.threshold:
        return ChangeCategory.NO_RELIABLE_CHANGE
    if better < 0:
        return ChangeCategory.RELIABLE_DETERIORATION
    if rule.cutoff is not None and rule.is_case(first) and not rule.is_case(latest):
        return ChangeCategory.RELIABLE_RECOVERY
    return ChangeCategory.RELIABLE_IMPROVEMENT


def corc_category(categories: Iterable[ChangeCategory]) -> CorcCategory | None:
    """A young person's category across their paired measures, by CORC's rule (domain.md):
    **reliable improvement** = reliable improvement (or recovery) on at least one measure and
    reliable deterioration on none; **reliable deterioration** = deterioration on at least one
    and improvement on none; **mixed** = both; otherwise no reliable change. ``None`` when there
    is no paired measure at all (not "no change": there is nothing to judge)."""
    cats = list(categories)
    if not cats:
        return None
    improved = any(c in (ChangeCategory.RELIABLE_IMPROVEMENT, ChangeCategory.RELIABLE_RECOVERY) for c in cats)
    worse = any(c is ChangeCategory.RELIABLE_DETERIORATION for c in cats)
    if improved and worse:
        return CorcCategory.MIXED
    if improved:
        return CorcCategory.RELIABLE_IMPROVEMENT
    if worse:
        return CorcCategory.RELIABLE_DETERIORATION
    return CorcCategory.NO_RELIABLE_CHANGE


# --- Goal Based Outcomes ------------------------------------------------------------------------

GBO_MIN, GBO_MAX = 0, 10


@dataclass(frozen=True)
class GoalRating:
    """One GBO rating of a goal, 0–10. ``at_point``: made at a measurement point (start, review,
    end). Ratings between points (e.g. the young person's own) are shown but decide nothing."""

    on: date
    value: int
    at_point: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not GBO_MIN <= self.value <= GBO_MAX:
            raise ScoringError("GBO rating must be 0–10")


@dataclass(frozen=True)
class GoalChange:
    first: int
    latest: int

    @property
    def change(self) -> int:
        return self.latest - self.first


def goal_change(ratings: Sequence[GoalRating]) -> GoalChange | None:
    """Change on one goal = latest − first rating (Law D, Jacob J. *Goals and Goal Based
    Outcomes (GBOs)*, CAMHS Press, 3rd ed. 2015), over ratings made at measurement points
    only, ordered by date (a stable sort keeps the given order on the same day). ``None`` with
    fewer than two such ratings: a goal added at a review has its own first rating and no change
    until it is rated again."""
    at_points = sorted((r for r in ratings if r.at_point), key=lambda r: r.on)
    if len(at_points) < 2:
        return None
    return GoalChange(first=at_points[0].value, latest=at_points[-1].value)


def episode_gbo_change(goals: Mapping[Hashable, Sequence[GoalRating]]) -> Decimal | None:
    """The episode's GBO change: the mean of ``goal_change`` over the goals that have both a first
    and a latest rating at measurement points; ``None`` when no goal has. Goals with a single
    rating are left out of the mean, not counted as zero."""
    changes = [c.change for c in (goal_change(r) for r in goals.values()) if c is not None]
    if not changes:
        return None
    return Decimal(sum(changes)) / Decimal(len(changes))
