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
    Window,
)
from django.db.models.functions import Abs, FirstValue, Round, RowNumber
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


def _ends(rows: QuerySet[Any], partition: tuple[str, ...], on: str, value: str, output: Any) -> QuerySet[Any]:
    """``rows`` reduced to the latest of each ``partition`` in (``on``, id) order – the order
    ``summarise`` sorts by – each annotated with the first one's ``value`` (``_first``) and how
    many there are (``_n``), and the latest one's as ``_latest``: a filter on ``value`` itself
    would be applied *before* the window functions (SQL's order), on ``_latest`` after them.
    Window functions: one pass over the rows, sorted once, where a
    correlated subquery per row (the first version) looked each group up again for every row and
    took minutes at national scale (docs/national-scale.md)."""
    part = [F(p) for p in partition]
    newest_first = [F(on).desc(), F("pk").desc()]
    return rows.annotate(
        _rn=Window(RowNumber(), partition_by=part, order_by=newest_first),
        _latest=Window(FirstValue(value), partition_by=part, order_by=newest_first, output_field=output),
        _first=Window(FirstValue(value), partition_by=part, order_by=[F(on).asc(), F("pk").asc()], output_field=output),
        _n=Window(Count("pk"), partition_by=part),
    ).filter(_rn=1)


def _measure_results(
    period: Period, episodes: QuerySet[Any], thresholds: dict[int, Decimal], lower: set[int]
) -> QuerySet[Any]:
    """Per episode of ``episodes`` and scored measure, its latest result taken by the period's
    end, annotated ``_category`` (first → latest; "" when there is nothing to judge)."""
    from outcomes.models import Measurement, ScoringMethod

    scored = Measurement.objects.filter(taken_on__lte=period.end, point__episode__in=episodes.values("pk")).exclude(
        instrument__scoring=ScoringMethod.QUESTION
    )
    decimal: DecimalField[Any, Any] = DecimalField(max_digits=12, decimal_places=2)
    rows = (
        _ends(scored, ("point__episode_id", "instrument_id"), "taken_on", "score", decimal)
        .annotate(
            _change=ExpressionWrapper(Round((F("score") - F("_first")) * Value(100)) * Value(10), output_field=decimal),
            _threshold=_threshold_case(thresholds, "instrument_id"),
        )
        .annotate(_abs_change=Abs("_change"))
    )
    judged = Q(_n__gt=1, score__isnull=False, _first__isnull=False, _threshold__isnull=False)
    return rows.annotate(_category=_category(F("_threshold"), _worse(lower, "instrument_id"), judged))


def _goal_results(period: Period, episodes: QuerySet[Any]) -> QuerySet[Any]:
    """Per goal of an episode of ``episodes``, its latest rating at a measurement point by the
    period's end, annotated ``_n`` (how many) and ``_change`` (latest − first:
    ``scoring.goal_change``)."""
    from outcomes.models import GoalRating

    at_points = GoalRating.objects.filter(
        point__isnull=False, rated_on__lte=period.end, point__episode__in=episodes.values("pk")
    )
    return _ends(at_points, ("point__episode_id", "goal_id"), "rated_on", "value", IntegerField()).annotate(
        _change=ExpressionWrapper(F("value") - F("_first"), output_field=IntegerField())
    )


def _of(rows: QuerySet[Any]) -> Q:
    """The episode (the query's row) is one of those ``rows`` (results) belong to: a set found
    once for the whole query, not looked up per episode."""
    return Q(pk__in=rows.values("point__episode_id"))


def _annotate_wellbeing(period: Period, filters: Filters) -> QuerySet[Any]:
    """The cohort, each episode annotated ``_corc``: one of ``WELLBEING``. Each condition is a
    set of episodes found once by a subquery (``_of``), so the query reads each result once
    per set, whatever the cohort's size."""
    from outcomes.models import AppliesTo, GoalRating, Measurement, ScoringMethod

    thresholds, lower, gbo = _thresholds()
    episodes = cohort(period, filters)
    measures = _measure_results(period, episodes, thresholds, lower).order_by()
    up = _of(measures.filter(_category="reliable_improvement"))
    down = _of(measures.filter(_category="reliable_deterioration"))
    judged = _of(measures.exclude(_category=""))
    measured = _of(
        Measurement.objects.filter(taken_on__lte=period.end, point__episode__in=episodes.values("pk")).exclude(
            instrument__scoring=ScoringMethod.QUESTION
        )
    )
    rated = _of(GoalRating.objects.filter(point__isnull=False, rated_on__lte=period.end))
    gbo_threshold = thresholds.get(gbo.pk) if gbo is not None else None
    if gbo is not None and gbo_threshold is not None:
        paired_goals = _goal_results(period, episodes).order_by().filter(_n__gt=1)
        if gbo.rc_applies_to == AppliesTo.PER_GOAL:
            # Each goal judged on its own; the GBO's category is CORC's combination of the
            # goals', "mixed" counting as no reliable change (``summarise``).
            goal_rows = paired_goals.annotate(_abs_change=Abs(F("_change") * Value(1000)))
            worse = Q(_change__gt=0) if gbo.pk in lower else Q(_change__lt=0)
            goal_rows = goal_rows.annotate(_category=_category(Value(gbo_threshold), worse))
            g_up_set = _of(goal_rows.filter(_category="reliable_improvement"))
            g_down_set = _of(goal_rows.filter(_category="reliable_deterioration"))
            g_up, g_down = g_up_set & ~g_down_set, g_down_set & ~g_up_set
        else:
            g_up, g_down = _mean_goal_change(period, episodes, gbo_threshold, gbo.pk in lower)
        up, down, judged = up | g_up, down | g_down, judged | _of(paired_goals)
    corc = Case(
        When(up & down, then=Value("mixed")),
        When(up, then=Value("reliable_improvement")),
        When(down, then=Value("reliable_deterioration")),
        When(judged, then=Value("no_reliable_change")),
        When(measured | rated, then=Value("unpaired")),
        default=Value("not_measured"),
        output_field=CharField(),
    )
    return episodes.annotate(_corc=corc)


def _mean_goal_change(period: Period, episodes: QuerySet[Any], threshold_1000: Decimal, lower: bool) -> tuple[Q, Q]:
    """The GBO judged on the mean change over an episode's paired goals: reliable when
    |Σ change| / n > threshold, compared as |Σ| × 1000 > threshold × 1000 × n (whole numbers, no
    division). The sum is of plain ratings – each paired goal's latest counted +, its first −,
    both picked by window functions – grouped by episode in one subquery per direction."""
    from outcomes.models import GoalRating

    ratings = GoalRating.objects.filter(
        point__isnull=False, rated_on__lte=period.end, point__episode__in=episodes.values("pk")
    )
    part = [F("point__episode_id"), F("goal_id")]
    windows = ratings.annotate(
        _last=Window(RowNumber(), partition_by=part, order_by=[F("rated_on").desc(), F("pk").desc()]),
        _first=Window(RowNumber(), partition_by=part, order_by=[F("rated_on").asc(), F("pk").asc()]),
        _n=Window(Count("pk"), partition_by=part),
    ).order_by()
    latest = windows.filter(_last=1, _n__gt=1).values("pk")
    first = windows.filter(_first=1, _n__gt=1).values("pk")
    per_episode = (
        GoalRating.objects.filter(Q(pk__in=latest) | Q(pk__in=first))
        .order_by()
        .values("point__episode_id")
        .annotate(
            _sum=Sum(Case(When(pk__in=latest, then=F("value")), default=-F("value"), output_field=IntegerField())),
            _goals=Count("pk", filter=Q(pk__in=latest)),
        )
        .annotate(
            _limit=ExpressionWrapper(
                F("_goals") * Value(threshold_1000), output_field=DecimalField(max_digits=14, decimal_places=6)
            )
        )
    )
    rising = per_episode.filter(_sum__gt=0).annotate(_s=F("_sum") * Value(1000)).filter(_s__gt=F("_limit"))
    falling = per_episode.filter(_sum__lt=0).annotate(_s=-F("_sum") * Value(1000)).filter(_s__gt=F("_limit"))
    rising_set = Q(pk__in=rising.values("point__episode_id"))
    falling_set = Q(pk__in=falling.values("point__episode_id"))
    return (falling_set, rising_set) if lower else (rising_set, falling_set)


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
    """The cohort, each episode annotated ``_answer`` (its latest answer to the question ``code``
    at its points by the period's end when it answered twice or more, "once" or "not_asked")
    and ``_start_yes`` (its first answer, of two or more, was yes). Each is a set of episodes
    found once (``_of``) from the answers reduced by window functions to each episode's latest."""
    from outcomes.models import Measurement

    episodes = cohort(period, filters)
    answers = Measurement.objects.filter(
        point__episode__in=episodes.values("pk"), instrument__code=code, taken_on__lte=period.end
    ).exclude(answer="")
    latest = _ends(answers, ("point__episode_id",), "taken_on", "answer", CharField()).order_by()
    paired = latest.filter(_n__gt=1)
    whens = [When(_of(paired.filter(_latest=a)), then=Value(a)) for a in QUESTION_CATEGORIES[:3]]
    return episodes.annotate(
        _answer=Case(
            When(~_of(latest), then=Value("not_asked")),
            When(_of(latest.filter(_n=1)), then=Value("once")),
            *whens,
            default=Value(""),
            output_field=CharField(),
        ),
        _start_yes=Case(When(_of(paired.filter(_first="yes")), then=Value(True)), default=Value(False)),
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
        start_yes=Count("pk", filter=Q(_start_yes=True)),
        latest_yes=Count("pk", filter=Q(_answer="yes")),
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
