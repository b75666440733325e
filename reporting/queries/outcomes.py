"""Outcomes: improved wellbeing (CORC's category), a trusted adult, finding and asking for help,
use of a standardised outcome tool, and the feedback summary.

**Who is counted.** The outcome indicators are about the young people supported in the period
(an episode open at some time in it, as ``young_people_supported``), each once, with their
*latest* such episode; their results are those recorded at the measurement points of that
episode and taken on or before the period's last day – "as it stood at the end of the period".
Every young person supported falls in exactly one category (``not_measured`` included), so a
breakdown's counts add up to the people supported and a release exists.

**Why the change category is annotated in SQL, not stored.** ``outcomes.summary`` judges change
per young person in Python. Running it per young person here would be a loop over records;
storing each young person's category would go stale the moment an instrument's parameters
change (ADR 017: an approved change re-categorises everyone at once). So the categories are
*annotated* in the query: per episode and measure, the first and the latest result (correlated
subqueries in (date, id) order, as ``summarise`` sorts), then the change compared with the
instrument's reliable change threshold. The threshold itself is not recomputed in SQL: it comes
from ``Instrument.change_rule()`` (one query over the few instruments, reference data), so the
Jacobson–Truax formula and each instrument's configuration stay in one place; only the
comparison of ``outcomes.scoring.change_category`` and the combination of
``scoring.corc_category`` are restated as SQL ``CASE`` expressions, and the tests check them
against those functions on the same data. Scores have two decimals: the change is compared in
thousandths as a whole number (``round(change × 100) × 10``) with the threshold × 1000, so a
change of exactly the threshold is "no reliable change" on SQLite's floating point as on
PostgreSQL's numeric. Reliable recovery counts as improvement (CORC's rule).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce, Round
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from reporting.filters import Filters
from reporting.periods import Period
from reporting.queries._common import (
    PEOPLE_DIMENSIONS,
    Counts,
    Figures,
    Indicator,
    Share,
    by_dimension,
    episodes_in,
    group,
)

# --- Who is counted -----------------------------------------------------------------------------


def cohort(period: Period, filters: Filters) -> QuerySet[Any]:
    """The young people supported in the period, one row each: their latest episode opened by
    the period's end, when it was open in the period (episodes of one young person do not
    overlap, so an earlier one cannot be open in it when the latest is not)."""
    from episodes.models import Episode

    latest = (
        Episode.objects.filter(child=OuterRef("child"), opened_on__lte=period.end)
        .order_by("-opened_on", "-pk")
        .values("pk")[:1]
    )
    return episodes_in(period, filters).filter(pk=Subquery(latest))


def _not_done(period: Period, filters: Filters, kinds: tuple[str, ...] | None = None) -> Figures:
    """Measurement points of the cohort's episodes marked not done (due by the period's end), by
    reason: ``not_done_<reason>`` (points, not people: a young person may decline twice)."""
    from outcomes.models import MeasurementPoint, NotDoneReason, PointStatus

    points = MeasurementPoint.objects.filter(
        episode__in=cohort(period, filters).values("pk"), status=PointStatus.NOT_DONE, due_on__lte=period.end
    )
    if kinds is not None:
        points = points.filter(kind__in=kinds)
    counts = group(points, "not_done_reason")
    return {f"not_done_{reason}": counts.get(reason, 0) for reason in NotDoneReason.values}


def _not_done_labels() -> dict[str, Any]:
    from outcomes.models import NotDoneReason

    return {f"not_done_{value}": format_lazy("{}: {}", _("Not done"), label) for value, label in NotDoneReason.choices}


# --- Improved wellbeing (CORC) -----------------------------------------------------------------

#: The categories of the young people supported, in the order shown.
WELLBEING = (
    "reliable_improvement",
    "no_reliable_change",
    "reliable_deterioration",
    "mixed",
    "unpaired",
    "not_measured",
)
_PAIRED = WELLBEING[:4]


def _thresholds() -> tuple[dict[int, Decimal], set[int], Any]:
    """Each instrument's reliable change threshold in thousandths (``Instrument.change_rule``:
    the one place it is worked out; unconfigured instruments have none), the ids of those where
    lower is better, and the GBO instrument (or None). One query."""
    from outcomes.models import Instrument
    from outcomes.scoring import Direction

    thresholds, lower, gbo = {}, set(), None
    for instrument in Instrument.objects.all():
        rule = instrument.change_rule()
        if instrument.code == "gbo":
            gbo = instrument
        if rule is not None:
            thresholds[instrument.pk] = rule.threshold * 1000
        if instrument.direction == Direction.LOWER_IS_BETTER:
            lower.add(instrument.pk)
    return thresholds, lower, gbo


def _worse(lower: set[int], field: str) -> Q:
    """The change ``_change`` is in the worse direction of the row's instrument (``field``)."""
    if not lower:
        return Q(_change__lt=0)
    lower_better = Q(**{f"{field}__in": sorted(lower)})
    return (lower_better & Q(_change__gt=0)) | (~lower_better & Q(_change__lt=0))


def _category(threshold_1000: Any, worse: Q, judged: Q | None = None) -> Case:
    """``scoring.change_category`` as SQL, on ``_abs_change`` and the threshold both in
    thousandths: no reliable change when |change| ≤ threshold, otherwise deterioration in the
    worse direction, improvement in the better one ("" when there is nothing to judge)."""
    whens = [When(~judged, then=Value(""))] if judged is not None else []
    return Case(
        *whens,
        When(_abs_change__lte=threshold_1000, then=Value("no_reliable_change")),
        When(worse, then=Value("reliable_deterioration")),
        default=Value("reliable_improvement"),
        output_field=CharField(),
    )


def _threshold_case(thresholds: dict[int, Decimal], field: str) -> Case:
    whens = [When(**{field: pk}, then=Value(t)) for pk, t in thresholds.items()]
    return Case(*whens, default=Value(None), output_field=DecimalField(max_digits=12, decimal_places=6))


def _measure_results(period: Period, thresholds: dict[int, Decimal], lower: set[int]) -> QuerySet[Any]:
    """Per episode and scored measure, its latest result taken by the period's end, annotated
    ``_paired`` (an earlier one exists) and ``_category`` (first → latest)."""
    from outcomes.models import Measurement, ScoringMethod

    scored = Measurement.objects.filter(taken_on__lte=period.end).exclude(instrument__scoring=ScoringMethod.QUESTION)
    same = scored.filter(point__episode=OuterRef("point__episode"), instrument=OuterRef("instrument"))
    later = same.filter(Q(taken_on__gt=OuterRef("taken_on")) | Q(taken_on=OuterRef("taken_on"), pk__gt=OuterRef("pk")))
    first = same.order_by("taken_on", "pk").values("score")[:1]
    decimal: DecimalField[Any, Any] = DecimalField(max_digits=12, decimal_places=2)
    rows = (
        scored.filter(~Exists(later))
        .annotate(
            _paired=Exists(same.exclude(pk=OuterRef("pk"))),
            _first=Subquery(first, output_field=decimal),
        )
        .annotate(
            _change=ExpressionWrapper(Round((F("score") - F("_first")) * Value(100)) * Value(10), output_field=decimal),
            _threshold=_threshold_case(thresholds, "instrument_id"),
        )
        .annotate(_abs_change=Abs("_change"))
    )
    judged = Q(_paired=True, score__isnull=False, _first__isnull=False, _threshold__isnull=False)
    return rows.annotate(_category=_category(F("_threshold"), _worse(lower, "instrument_id"), judged))


def _goal_results(period: Period) -> QuerySet[Any]:
    """Per goal of an episode, its latest rating at a measurement point by the period's end,
    annotated ``_paired`` and ``_change`` (latest − first: ``scoring.goal_change``)."""
    from outcomes.models import GoalRating

    at_points = GoalRating.objects.filter(point__isnull=False, rated_on__lte=period.end)
    same = at_points.filter(point__episode=OuterRef("point__episode"), goal=OuterRef("goal"))
    later = same.filter(Q(rated_on__gt=OuterRef("rated_on")) | Q(rated_on=OuterRef("rated_on"), pk__gt=OuterRef("pk")))
    first = same.order_by("rated_on", "pk").values("value")[:1]
    return (
        at_points.filter(~Exists(later))
        .annotate(_paired=Exists(same.exclude(pk=OuterRef("pk"))), _first=Subquery(first, output_field=IntegerField()))
        .annotate(_change=ExpressionWrapper(F("value") - F("_first"), output_field=IntegerField()))
    )


def _annotate_wellbeing(period: Period, filters: Filters) -> QuerySet[Any]:
    """The cohort, each episode annotated ``_corc``: one of ``WELLBEING``."""
    from outcomes.models import AppliesTo, Measurement, ScoringMethod

    thresholds, lower, gbo = _thresholds()
    measures = _measure_results(period, thresholds, lower).filter(point__episode=OuterRef("pk"))
    episodes = cohort(period, filters).annotate(
        _m_up=Exists(measures.filter(_category="reliable_improvement")),
        _m_down=Exists(measures.filter(_category="reliable_deterioration")),
        _m_judged=Exists(measures.exclude(_category="")),
        _measured=Exists(
            Measurement.objects.filter(point__episode=OuterRef("pk"), taken_on__lte=period.end).exclude(
                instrument__scoring=ScoringMethod.QUESTION
            )
        ),
    )
    goals = _goal_results(period).filter(point__episode=OuterRef("pk"))
    episodes = episodes.annotate(_g_rated=Exists(goals))
    up, down, judged = Q(_m_up=True), Q(_m_down=True), Q(_m_judged=True)
    gbo_threshold = thresholds.get(gbo.pk) if gbo is not None else None
    if gbo is not None and gbo_threshold is not None:
        paired_goals = goals.filter(_paired=True)
        if gbo.rc_applies_to == AppliesTo.PER_GOAL:
            # Each goal judged on its own; the GBO's category is CORC's combination of the
            # goals', "mixed" counting as no reliable change (``summarise``).
            goal_rows = paired_goals.annotate(_abs_change=Abs(F("_change") * Value(1000)))
            worse = Q(_change__gt=0) if gbo.pk in lower else Q(_change__lt=0)
            goal_rows = goal_rows.annotate(_category=_category(Value(gbo_threshold), worse))
            episodes = episodes.annotate(
                _g_up=Exists(goal_rows.filter(_category="reliable_improvement")),
                _g_down=Exists(goal_rows.filter(_category="reliable_deterioration")),
                _g_paired=Exists(paired_goals),
            )
            g_up = Q(_g_up=True) & ~Q(_g_down=True)
            g_down = Q(_g_down=True) & ~Q(_g_up=True)
        else:
            # The threshold applies to the mean change over goals: |Σ change| / n > threshold,
            # compared as Σ × 1000 > threshold × 1000 × n (whole numbers, no division).
            sums = paired_goals.order_by().values("point__episode")
            total = sums.annotate(s=Sum("_change")).values("s")
            number = sums.annotate(n=Count("pk")).values("n")
            episodes = episodes.annotate(
                _g_sum=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)),
                _g_n=Coalesce(Subquery(number, output_field=IntegerField()), Value(0)),
            ).annotate(
                _g_sum_1000=ExpressionWrapper(Abs(F("_g_sum")) * Value(1000), output_field=IntegerField()),
                _g_limit=ExpressionWrapper(
                    F("_g_n") * Value(gbo_threshold), output_field=DecimalField(max_digits=14, decimal_places=6)
                ),
                _g_paired=Exists(paired_goals),
            )
            reliable = Q(_g_n__gt=0, _g_sum_1000__gt=F("_g_limit"))
            better_sign = Q(_g_sum__lt=0) if gbo.pk in lower else Q(_g_sum__gt=0)
            g_up = reliable & better_sign
            g_down = reliable & ~better_sign
        up, down, judged = up | g_up, down | g_down, judged | Q(_g_paired=True)
    corc = Case(
        When(up & down, then=Value("mixed")),
        When(up, then=Value("reliable_improvement")),
        When(down, then=Value("reliable_deterioration")),
        When(judged, then=Value("no_reliable_change")),
        When(Q(_measured=True) | Q(_g_rated=True), then=Value("unpaired")),
        default=Value("not_measured"),
        output_field=CharField(),
    )
    return episodes.annotate(_corc=corc)


def improved_wellbeing(period: Period, filters: Filters, by: str = "category") -> Counts:
    """The young people supported, by their CORC category (``WELLBEING``) or by a dimension."""
    if by == "category":
        counts = group(_annotate_wellbeing(period, filters), "_corc")
        return {c: counts[c] for c in WELLBEING if counts.get(c)}
    return by_dimension(cohort(period, filters), by, period, "child__", distinct="child_id")


def _wellbeing_figures(period: Period, filters: Filters) -> Figures:
    counts = improved_wellbeing(period, filters)
    paired = sum(counts.get(c, 0) for c in _PAIRED)
    figures: Figures = {c: Share(counts.get(c, 0), paired) for c in _PAIRED}
    figures.update(paired=paired, unpaired=counts.get("unpaired", 0), not_measured=counts.get("not_measured", 0))
    figures.update(_not_done(period, filters))
    return figures


# --- Single questions: a trusted adult, finding and asking for help ----------------------------

QUESTION_CATEGORIES = ("yes", "not_sure", "no", "once", "not_asked")


def _annotate_question(period: Period, filters: Filters, code: str) -> QuerySet[Any]:
    """The cohort, each episode annotated with the first and the latest answer to the question
    ``code`` at its points by the period's end, and ``_answer``: the latest answer when there
    were two or more, "once" or "not_asked"."""
    from outcomes.models import Measurement

    answers = Measurement.objects.filter(
        point__episode=OuterRef("pk"), instrument__code=code, taken_on__lte=period.end
    ).exclude(answer="")
    first = answers.order_by("taken_on", "pk")
    latest = answers.order_by("-taken_on", "-pk")
    episodes = cohort(period, filters).annotate(
        _first=Subquery(first.values("answer")[:1]),
        _latest=Subquery(latest.values("answer")[:1]),
        _first_pk=Subquery(first.values("pk")[:1]),
        _latest_pk=Subquery(latest.values("pk")[:1]),
    )
    return episodes.annotate(
        _answer=Case(
            When(_first_pk__isnull=True, then=Value("not_asked")),
            When(_first_pk=F("_latest_pk"), then=Value("once")),
            default=F("_latest"),
            output_field=CharField(),
        )
    )


def question_answers(period: Period, filters: Filters, code: str, by: str = "answer") -> Counts:
    """The young people supported by their latest answer (``QUESTION_CATEGORIES``), or by a
    dimension."""
    if by == "answer":
        counts = group(_annotate_question(period, filters, code), "_answer")
        return {c: counts[c] for c in QUESTION_CATEGORIES if counts.get(c)}
    return by_dimension(cohort(period, filters), by, period, "child__", distinct="child_id")


def question_figures(period: Period, filters: Filters, code: str) -> Figures:
    """Of the young people answering at least twice (``paired``): yes at the start (their first
    answer) and yes at the latest. One query."""
    rows = _annotate_question(period, filters, code).exclude(_answer__in=("once", "not_asked"))
    figures = rows.aggregate(
        paired=Count("pk"),
        start_yes=Count("pk", filter=Q(_first="yes")),
        latest_yes=Count("pk", filter=Q(_latest="yes")),
    )
    paired = int(figures["paired"] or 0)
    return {
        "paired": paired,
        "start_yes": Share(int(figures["start_yes"] or 0), paired),
        "latest_yes": Share(int(figures["latest_yes"] or 0), paired),
    }


def _trusted_adult(period: Period, filters: Filters, by: str = "answer") -> Counts:
    return question_answers(period, filters, "trusted_adult", by)


def _trusted_adult_figures(period: Period, filters: Filters) -> Figures:
    return question_figures(period, filters, "trusted_adult")


def _knows_help(period: Period, filters: Filters, by: str = "answer") -> Counts:
    return question_answers(period, filters, "knows_help", by)


def _knows_help_figures(period: Period, filters: Filters) -> Figures:
    return question_figures(period, filters, "knows_help")


# --- Use of a standardised outcome tool ------------------------------------------------------

TOOL_USE = ("start_and_review", "start_only", "review_only", "neither")


def _annotate_tool_use(period: Period, filters: Filters) -> QuerySet[Any]:
    """The cohort, each episode annotated ``_use``: whether a standardised measure (any scored
    measure, or a GBO rating, at the point: a single question is not a standardised tool) was
    taken at its start point and at a review point by the period's end."""
    from outcomes.models import GoalRating, Measurement, PointKind, ScoringMethod

    def measured(kind: str) -> Q:
        scored = Measurement.objects.filter(
            point__episode=OuterRef("pk"), point__kind=kind, taken_on__lte=period.end
        ).exclude(instrument__scoring=ScoringMethod.QUESTION)
        rated = GoalRating.objects.filter(point__episode=OuterRef("pk"), point__kind=kind, rated_on__lte=period.end)
        return Q(Exists(scored)) | Q(Exists(rated))

    start, review = measured(PointKind.START), measured(PointKind.REVIEW)
    return cohort(period, filters).annotate(
        _use=Case(
            When(start & review, then=Value("start_and_review")),
            When(start, then=Value("start_only")),
            When(review, then=Value("review_only")),
            default=Value("neither"),
            output_field=CharField(),
        )
    )


def tool_use(period: Period, filters: Filters, by: str = "use") -> Counts:
    """The young people supported by whether they had a start and a review measure, or by a
    dimension."""
    if by == "use":
        counts = group(_annotate_tool_use(period, filters), "_use")
        return {c: counts[c] for c in TOOL_USE if counts.get(c)}
    return by_dimension(cohort(period, filters), by, period, "child__", distinct="child_id")


def _tool_use_figures(period: Period, filters: Filters) -> Figures:
    from outcomes.models import PointKind

    counts = tool_use(period, filters)
    supported = sum(counts.values())
    with_start = counts.get("start_and_review", 0) + counts.get("start_only", 0)
    with_review = counts.get("start_and_review", 0) + counts.get("review_only", 0)
    figures: Figures = {
        "supported": supported,
        "with_start": Share(with_start, supported),
        "with_review": Share(with_review, supported),
    }
    figures.update(_not_done(period, filters, (PointKind.START, PointKind.REVIEW)))
    return figures


# --- Feedback ----------------------------------------------------------------------------------


def feedback_quarters(period: Period) -> list[str]:
    """The calendar quarters ("2026-Q2", as feedback is stored) lying wholly inside the period:
    anonymous feedback is kept by quarter only, so a period that cuts a quarter leaves it out."""
    quarters = []
    year, number = period.start.year, (period.start.month - 1) // 3 + 1
    while True:
        start = datetime.date(year, 3 * number - 2, 1)
        if start > period.end:
            break
        end = datetime.date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1) - datetime.timedelta(days=1)
        if start >= period.start and end <= period.end:
            quarters.append(f"{year}-Q{number}")
        year, number = (year + 1, 1) if number == 4 else (year, number + 1)
    return quarters


def _feedback_rows(period: Period, filters: Filters) -> list[QuerySet[Any]]:
    """Named and anonymous answers of the period's quarters, filtered by service and region
    only: anonymous feedback has no young person, so the young person's filters cannot apply to
    it (and are not applied to the named answers either, so the two add up to one table)."""
    from outcomes.models import AnonymousFeedback, NamedFeedback

    q = Q(quarter__in=feedback_quarters(period))
    if filters.service_id:
        q &= Q(service_id=filters.service_id)
    if filters.region_id:
        q &= Q(service__region_id=filters.region_id)
    return [NamedFeedback.objects.filter(q), AnonymousFeedback.objects.filter(q)]


def feedback_by_respondent(period: Period, filters: Filters, by: str = "respondent") -> Counts:
    """Answers to the questionnaire, named and anonymous together, by who gave them. Two
    queries."""
    out: Counts = {}
    for rows in _feedback_rows(period, filters):
        for key, n in group(rows, "respondent").items():
            out[key] = out.get(key, 0) + n
    return out


def _feedback_figures(period: Period, filters: Filters) -> Figures:
    """Each statement's answers (``<statement>_<answer>``, "not answered" included so each
    statement's counts add up to ``answers``). Two aggregate queries."""
    from outcomes.feedback import STATEMENTS
    from outcomes.models import FeedbackAnswer

    figures: dict[str, int] = {"answers": 0}
    for rows in _feedback_rows(period, filters):
        annotations: dict[str, Any] = {"answers": Count("pk")}
        for s in STATEMENTS:
            for a in FeedbackAnswer.values:
                annotations[f"{s}_{a}"] = Count("pk", filter=Q(**{s: a}))
            annotations[f"{s}_not_answered"] = Count("pk", filter=Q(**{s: ""}))
        for key, value in rows.aggregate(**annotations).items():
            figures[key] = figures.get(key, 0) + int(value or 0)
    return dict(figures)


def _feedback_labels() -> dict[str, Any]:
    from outcomes.feedback import STATEMENTS, WORDING
    from outcomes.models import FeedbackAnswer, Respondent

    labels: dict[str, Any] = {"answers": _("Answers"), **dict(Respondent.choices)}
    for s in STATEMENTS:
        statement = WORDING[Respondent.YOUNG_PERSON][s]
        for a, answer in FeedbackAnswer.choices:
            labels[f"{s}_{a}"] = format_lazy("{}: {}", statement, answer)
        labels[f"{s}_not_answered"] = format_lazy("{}: {}", statement, _("Not answered"))
    return labels


# --- Definitions --------------------------------------------------------------------------------


def _labels_wellbeing() -> dict[str, Any]:
    return {
        "reliable_improvement": _("Reliable improvement"),
        "no_reliable_change": _("No reliable change"),
        "reliable_deterioration": _("Reliable deterioration"),
        "mixed": _("Mixed (improvement on one measure, deterioration on another)"),
        "unpaired": _("Measured, but not twice on a measure with a reliable change rule"),
        "not_measured": _("Not measured"),
        "paired": _("Young people with a first and a latest result (paired)"),
        **_not_done_labels(),
    }


def _labels_question() -> dict[str, Any]:
    return {
        "yes": _("Yes (latest answer)"),
        "not_sure": _("Not sure (latest answer)"),
        "no": _("No (latest answer)"),
        "once": _("Asked once only"),
        "not_asked": _("Not asked"),
        "paired": _("Young people asked at least twice (paired)"),
        "start_yes": _("Yes at the start"),
        "latest_yes": _("Yes at the latest"),
    }


_COHORT_RULE = _(
    "Young people supported in the period (their latest episode), with results at its measurement points taken by the period's last day."
)

INDICATORS: list[Indicator] = [
    Indicator(
        "improved_wellbeing",
        _("Improved wellbeing"),
        _(
            "Young people whose change from first to latest result shows reliable improvement on at least one wellbeing measure and reliable deterioration on none (CORC's rule); deterioration, mixed and no reliable change beside it."
        ),
        _("Young people with a first and a latest result on a measure with a reliable change rule (paired)."),
        _COHORT_RULE,
        improved_wellbeing,
        dimensions=("category", *PEOPLE_DIMENSIONS),
        figures=_wellbeing_figures,
        labels=_labels_wellbeing(),
        caveat=_("Measurement points not done are counted by reason (points, not young people)."),
    ),
    Indicator(
        "trusted_adult",
        _("A good relationship with a trusted adult"),
        _(
            "Young people answering yes to the question on a good relationship with a trusted adult, at the start and at the latest."
        ),
        _("Young people who answered the question at least twice (paired)."),
        _COHORT_RULE,
        _trusted_adult,
        dimensions=("answer", *PEOPLE_DIMENSIONS),
        figures=_trusted_adult_figures,
        labels=_labels_question(),
    ),
    Indicator(
        "knows_help",
        _("Able to find and ask for help"),
        _(
            "Young people answering yes to the question on knowing how to find and ask for help, at the start and at the latest."
        ),
        _("Young people who answered the question at least twice (paired)."),
        _COHORT_RULE,
        _knows_help,
        dimensions=("answer", *PEOPLE_DIMENSIONS),
        figures=_knows_help_figures,
        labels=_labels_question(),
    ),
    Indicator(
        "outcome_tool_use",
        _("Use of a standardised outcome tool"),
        _(
            "Young people with a standardised measure (a scored measure or goal ratings) at their start point, and at a review point."
        ),
        _("Young people supported in the period."),
        _COHORT_RULE,
        tool_use,
        dimensions=("use", *PEOPLE_DIMENSIONS),
        figures=_tool_use_figures,
        labels={
            "start_and_review": _("Start and review"),
            "start_only": _("Start only"),
            "review_only": _("Review only"),
            "neither": _("Neither"),
            "supported": _("Young people supported"),
            "with_start": _("With a start measure"),
            "with_review": _("With a review measure"),
            **_not_done_labels(),
        },
        caveat=_("Measurement points not done are counted by reason (points, not young people)."),
    ),
    Indicator(
        "feedback",
        _("Feedback on the support"),
        _("Answers to the feedback questionnaire, named and anonymous together, by statement and answer."),
        _("None: a count of answers."),
        _("Given in a calendar quarter lying wholly inside the period (anonymous feedback is kept by quarter only)."),
        feedback_by_respondent,
        dimensions=("respondent",),
        figures=_feedback_figures,
        labels=_feedback_labels(),
        caveat=_(
            "Anonymous feedback has no young person: only the service and region filters apply to this indicator."
        ),
    ),
]
