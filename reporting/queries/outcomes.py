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
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
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
    by_dimensions,
    dimension_field,
    episodes_in,
    group,
    memoised,
)

# --- Who is counted -----------------------------------------------------------------------------


def cohort(period: Period, filters: Filters) -> QuerySet[Any]:
    """The young people supported in the period, one row each: their latest episode opened by
    the period's end, when it was open in the period (episodes of one young person do not
    overlap, so an earlier one cannot be open in it when the latest is not). "Latest" as "no
    later one" (an anti-join, whose size PostgreSQL estimates well) rather than "equal to the
    first of a sorted subquery" (estimated at a few dozen rows of 20,000, which led it to
    nested loops over everything joined to the cohort)."""
    from episodes.models import Episode

    later = Episode.objects.filter(child=OuterRef("child"), opened_on__lte=period.end).filter(
        Q(opened_on__gt=OuterRef("opened_on")) | Q(opened_on=OuterRef("opened_on"), pk__gt=OuterRef("pk"))
    )
    return episodes_in(period, filters).filter(~Exists(later))


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


def _mine(period: Period, filters: Filters) -> Q:
    """Results by the period's end of the young people the filters select (on the result's own
    young person: an indexed join). Not "of the cohort's episodes": the cohort's latest-episode
    rule is a correlated subquery per episode, and every set below would compute it again; the
    outer query keeps to the cohort, so a superset here is enough."""
    return Q(taken_on__lte=period.end) & filters.child_q(period.end, "child__")


def _measure_results(
    period: Period, filters: Filters, thresholds: dict[int, Decimal], lower: set[int]
) -> QuerySet[Any]:
    """Per episode and scored measure, its latest result taken by the period's end (of the
    young people ``filters`` select), annotated ``_category`` (first → latest; "" when there
    is nothing to judge)."""
    from outcomes.models import Measurement, ScoringMethod

    scored = Measurement.objects.filter(_mine(period, filters)).exclude(instrument__scoring=ScoringMethod.QUESTION)
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


def _rated(period: Period, filters: Filters) -> QuerySet[Any]:
    """Goal ratings at measurement points by the period's end, of the young people ``filters``
    select (see ``_mine``)."""
    from outcomes.models import GoalRating

    return GoalRating.objects.filter(point__isnull=False, rated_on__lte=period.end).filter(
        filters.child_q(period.end, "child__")
    )


def _goal_results(period: Period, filters: Filters) -> QuerySet[Any]:
    """Per goal of an episode, its latest rating at a measurement point by the period's end,
    annotated ``_n`` (how many) and ``_change`` (latest − first: ``scoring.goal_change``)."""
    at_points = _rated(period, filters)
    return _ends(at_points, ("point__episode_id", "goal_id"), "rated_on", "value", IntegerField()).annotate(
        _change=ExpressionWrapper(F("value") - F("_first"), output_field=IntegerField())
    )


#: What is found of an episode's results, one bit each (an episode's ``code``); the CORC
#: category follows from the bits (``corc_of``).
M_UP, M_DOWN, JUDGED, SEEN, G_UP, G_DOWN = 1, 2, 4, 8, 16, 32


def corc_of(code: int) -> str:
    """The CORC category (one of ``WELLBEING``) of an episode whose findings are ``code``:
    ``summarise``'s rule – improvement on a measure or the goals and deterioration on none; the
    goals judged one by one count only when they agree (mixed goals are no reliable change)."""
    g_up = bool(code & G_UP) and not code & G_DOWN
    g_down = bool(code & G_DOWN) and not code & G_UP
    up, down = bool(code & M_UP) or g_up, bool(code & M_DOWN) or g_down
    if up and down:
        return "mixed"
    if up:
        return "reliable_improvement"
    if down:
        return "reliable_deterioration"
    if code & JUDGED:
        return "no_reliable_change"
    return "unpaired" if code & SEEN else "not_measured"


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _compiled(
    rows: QuerySet[Any], columns: tuple[str, ...], written: dict[str, str] | None = None
) -> tuple[str, tuple[Any, ...]]:
    """``rows`` as SQL selecting exactly ``columns`` by name, in that order. Those in
    ``written`` are written here, as a number or another of the columns, not annotated: Django
    leaves out of a query reduced by window functions an annotation equal to another one (a
    constant, or the same condition twice), and SQLite would then read its quoted name as a
    string."""
    written = written or {}
    computed = [c for c in columns if c not in written]
    sql, params = rows.order_by().values(*computed).query.sql_with_params()
    quote = connection.ops.quote_name
    select = ", ".join(f"{written[c]} AS {quote(c)}" if c in written else quote(c) for c in columns)
    return f"SELECT {select} FROM ({sql}) AS rows", tuple(params)  # noqa: S608 – ORM-compiled parts and constants only  # nosec B608  # ORM-compiled parts and constants only


#: The columns of a finding row: the episode, then what its result says (see ``_wellbeing_sql``).
_FINDING = ("_e", "_up", "_down", "_judged", "_g_change", "_g_paired", "_g_up", "_g_down")


def _wellbeing_sql(period: Period, filters: Filters, *, grouped: bool) -> tuple[str, tuple[Any, ...]]:
    """SQL giving each cohort episode (``_c``, its young person ``_y``) its ``code`` – or, when
    ``grouped``, the cohort counted by its young people's local authority and code.

    One pass over each kind of result, the three composed in SQL because Django cannot
    aggregate rows reduced by window functions: the latest result of each episode and measure
    (``_measure_results``) and the latest rating of each goal (``_goal_results``) become finding
    rows, grouped by episode into the bits of ``corc_of``. The GBO on the mean change over goals
    is judged there too, on the sum of the paired goals' changes: |Σ| × 1000 > threshold × 1000
    × n (whole numbers, no division). Every part is an ORM query, so the filters and the cohort
    stay the module's one rule; the composition only joins and groups them."""
    from outcomes.models import AppliesTo

    thresholds, lower, gbo = _thresholds()
    measures = _measure_results(period, filters, thresholds, lower).annotate(
        _e=F("point__episode_id"),
        _up=_flag(Q(_category="reliable_improvement")),
        _down=_flag(Q(_category="reliable_deterioration")),
        _judged=_flag(~Q(_category="")),
    )
    parts = [_compiled(measures, _FINDING, {"_g_change": "0", "_g_paired": "0", "_g_up": "0", "_g_down": "0"})]
    gbo_threshold = thresholds.get(gbo.pk) if gbo is not None else None
    per_goal = gbo is not None and gbo.rc_applies_to == AppliesTo.PER_GOAL
    if gbo is not None and gbo_threshold is not None:
        paired = Q(_n__gt=1)
        goals = _goal_results(period, filters).annotate(_abs_change=Abs(F("_change") * Value(1000)))
        worse = Q(_change__gt=0) if gbo.pk in lower else Q(_change__lt=0)
        goals = goals.annotate(_goal_category=_category(Value(gbo_threshold), worse, paired))
        # Judged when paired: the same column (see ``_compiled``).
        goal_constants = {"_up": "0", "_down": "0", "_judged": connection.ops.quote_name("_g_paired")}
        goals = goals.annotate(
            _e=F("point__episode_id"),
            _g_change=Case(When(paired, then=F("_change")), default=Value(0), output_field=IntegerField()),
            _g_paired=_flag(paired),
            _g_up=_flag(Q(_goal_category="reliable_improvement")),
            _g_down=_flag(Q(_goal_category="reliable_deterioration")),
        )
    else:
        # Ratings without a configured GBO rule are still results (the episode was measured).
        goals = _goal_results(period, filters).annotate(_e=F("point__episode_id"))
        goal_constants = dict.fromkeys(_FINDING[1:], "0")
    parts.append(_compiled(goals, _FINDING, goal_constants))
    if gbo is not None and gbo_threshold is not None and not per_goal:
        # On the mean: reliable when |Σ change| × 1000 exceeds threshold × 1000 × paired goals.
        better, worse_sign = ("< 0", "> 0") if gbo.pk in lower else ("> 0", "< 0")
        reliable = "SUM(_g_paired) > 0 AND ABS(SUM(_g_change)) * 1000 > %s * SUM(_g_paired)"
        g_up = f"CASE WHEN {reliable} AND SUM(_g_change) {better} THEN {G_UP} ELSE 0 END"
        g_down = f"CASE WHEN {reliable} AND SUM(_g_change) {worse_sign} THEN {G_DOWN} ELSE 0 END"
        goal_params: tuple[Any, ...] = (gbo_threshold, gbo_threshold)
    else:
        g_up, g_down, goal_params = f"MAX(_g_up) * {G_UP}", f"MAX(_g_down) * {G_DOWN}", ()
    code = f"MAX(_up) * {M_UP} + MAX(_down) * {M_DOWN} + MAX(_judged) * {JUDGED} + {SEEN} + {g_up} + {g_down}"
    return _coded_cohort(period, filters, parts, code, goal_params, grouped=grouped)


def _coded_cohort(
    period: Period,
    filters: Filters,
    parts: list[tuple[str, tuple[Any, ...]]],
    code: str,
    code_params: tuple[Any, ...] = (),
    *,
    grouped: bool = True,
) -> tuple[str, tuple[Any, ...]]:
    """The cohort joined to what was found of its episodes: ``parts`` (finding rows from
    ``_compiled``, the episode ``_e`` first, the same columns each) grouped per episode into
    ``code`` (an aggregate over their columns, with ``code_params``). Counted by the young
    people's local authority and code when ``grouped`` (for a region's authority table too),
    else a row per episode (``_c``, its young person ``_y``, ``code``) for the parity tests.
    Django cannot aggregate rows reduced by window functions, so the parts are composed here;
    each is a plain SELECT, put together as a compound SELECT as it is (SQLite refuses
    parenthesised members, and each extra level of nesting costs its parser)."""
    union = " UNION ALL ".join(sql for sql, _p in parts)
    union_params = tuple(p for _sql, ps in parts for p in ps)
    cohort_rows = cohort(period, filters).annotate(
        _c=F("pk"), _y=F("child_id"), _a=F("child__responsible_local_authority_id")
    )
    cohort_sql, cohort_params = _compiled(cohort_rows, ("_c", "_y", "_a"))
    shown = "c._a, COALESCE(f.code, 0), COUNT(*)" if grouped else "c._c, c._y, COALESCE(f.code, 0)"
    sql = (
        f"SELECT {shown} FROM ({cohort_sql}) AS c LEFT JOIN ("  # noqa: S608 – ORM-compiled parts and constants only
        f"SELECT _e, {code} AS code FROM ({union}) AS findings GROUP BY _e"
        ") AS f ON f._e = c._c" + (" GROUP BY c._a, COALESCE(f.code, 0)" if grouped else "")  # nosec B608  # ORM-compiled parts and constants only
    )
    return sql, cohort_params + code_params + union_params


def _count_coded(sql: str, params: tuple[Any, ...]) -> dict[tuple[str, int], int]:
    """Run a grouped ``_coded_cohort``: {(authority id or "", code): young people}."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {("" if a is None else str(a), int(code)): int(n) for a, code, n in cursor.fetchall()}


@memoised
def _wellbeing_codes(period: Period, filters: Filters) -> dict[tuple[str, int], int]:
    """The cohort counted by (local authority, ``code``): one query, a few hundred groups at
    most; the authority so that a region's two-way table by authority comes from it too."""
    return _count_coded(*_wellbeing_sql(period, filters, grouped=True))


def _by_code(codes: dict[tuple[str, int], int], name: Any, order: tuple[str, ...]) -> Counts:
    counts: Counts = {}
    for (_authority, code), n in codes.items():
        counts[name(code)] = counts.get(name(code), 0) + n
    return {c: counts[c] for c in order if counts.get(c)}


def _by_authority_and_code(codes: dict[tuple[str, int], int], name: Any) -> dict[tuple[str, str], int]:
    cells: dict[tuple[str, str], int] = {}
    for (authority, code), n in codes.items():
        key = (authority, name(code))
        cells[key] = cells.get(key, 0) + n
    return cells


def _people_many(period: Period, filters: Filters, dims: Sequence[str], own: str, counts: Counts) -> dict[str, Counts]:
    """The cohort's breakdowns ``dims`` from one query, the indicator's own (``own``) given."""
    people = [d for d in dims if d != own]
    out = (
        by_dimensions(
            cohort(period, filters),
            {d: dimension_field(d, "child__") if d != "age_band" else "" for d in people},
            period,
            age_from="child__date_of_birth",
            distinct="child_id",
        )
        if people
        else {}
    )
    return {d: (counts if d == own else out[d]) for d in dims}


def wellbeing_of_each(period: Period, filters: Filters) -> dict[int, str]:
    """Each young person's CORC category (by the young person's id): for tests that compare the
    query with ``outcomes.summary``, never for a page (it returns a row per young person)."""
    sql, params = _wellbeing_sql(period, filters, grouped=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(child): corc_of(int(code)) for _episode, child, code in cursor.fetchall()}


def improved_wellbeing(period: Period, filters: Filters, by: str = "category") -> Counts:
    """The young people supported, by their CORC category (``WELLBEING``) or by a dimension."""
    if by == "category":
        return _by_code(_wellbeing_codes(period, filters), corc_of, WELLBEING)
    return by_dimension(cohort(period, filters), by, period, "child__", distinct="child_id")


def _wellbeing_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    return _people_many(period, filters, dims, "category", improved_wellbeing(period, filters))


def _wellbeing_by_authority(period: Period, filters: Filters) -> dict[tuple[str, str], int]:
    return _by_authority_and_code(_wellbeing_codes(period, filters), corc_of)


def _wellbeing_figures(period: Period, filters: Filters) -> Figures:
    counts = improved_wellbeing(period, filters)
    paired = sum(counts.get(c, 0) for c in _PAIRED)
    figures: Figures = {c: Share(counts.get(c, 0), paired) for c in _PAIRED}
    figures.update(paired=paired, unpaired=counts.get("unpaired", 0), not_measured=counts.get("not_measured", 0))
    figures.update(_not_done(period, filters))
    return figures


# --- Single questions: a trusted adult, finding and asking for help ----------------------------

QUESTION_CATEGORIES = ("yes", "not_sure", "no", "once", "not_asked")


#: What ``_annotate_question`` finds of an episode, one bit each (``_code``), as for wellbeing.
ASKED, ONCE, START_YES = 1, 2, 4
LATEST = {"yes": 8, "not_sure": 16, "no": 32}


def answer_of(code: int) -> str:
    """The category (``QUESTION_CATEGORIES``) of an episode whose findings are ``code``: its
    latest answer when it answered twice or more, "once" or "not_asked"."""
    if not code & ASKED:
        return "not_asked"
    if code & ONCE:
        return "once"
    return next((answer for answer, bit in LATEST.items() if code & bit), "")


@memoised
def _question_codes(period: Period, filters: Filters, code: str) -> dict[tuple[str, int], int]:
    """The cohort counted by its bits for the question ``code``: the answers at its points by the
    period's end reduced by window functions to each episode's latest (one row per episode, with
    the first answer and how many), the bits worked out on that row, the cohort joined to it.
    One query (composed as ``_wellbeing_sql`` is), a few dozen groups at most."""
    from outcomes.models import Measurement

    answers = Measurement.objects.filter(_mine(period, filters), instrument__code=code).exclude(answer="")
    latest = _ends(answers, ("point__episode_id",), "taken_on", "answer", CharField())
    paired = Q(_n__gt=1)
    bits: Any = Value(ASKED) + Case(When(_n=1, then=Value(ONCE)), default=Value(0), output_field=IntegerField())
    bits += Case(When(paired & Q(_first="yes"), then=Value(START_YES)), default=Value(0), output_field=IntegerField())
    for answer, value in LATEST.items():
        bits += Case(When(paired & Q(_latest=answer), then=Value(value)), default=Value(0), output_field=IntegerField())
    coded = latest.annotate(_e=F("point__episode_id"), _code=ExpressionWrapper(bits, output_field=IntegerField()))
    return _count_coded(*_coded_cohort(period, filters, [_compiled(coded, ("_e", "_code"))], "MAX(_code)"))


def question_answers(period: Period, filters: Filters, code: str, by: str = "answer") -> Counts:
    """The young people supported by their latest answer (``QUESTION_CATEGORIES``), or by a
    dimension."""
    if by == "answer":
        return _by_code(_question_codes(period, filters, code), answer_of, QUESTION_CATEGORIES)
    return by_dimension(cohort(period, filters), by, period, "child__", distinct="child_id")


def question_figures(period: Period, filters: Filters, code: str) -> Figures:
    """Of the young people answering at least twice (``paired``): yes at the start (their first
    answer) and yes at the latest. One query."""
    paired = start_yes = latest_yes = 0
    for (_authority, bits), n in _question_codes(period, filters, code).items():
        if answer_of(bits) in ("once", "not_asked"):
            continue
        paired += n
        start_yes += n if bits & START_YES else 0
        latest_yes += n if bits & LATEST["yes"] else 0
    return {
        "paired": paired,
        "start_yes": Share(start_yes, paired),
        "latest_yes": Share(latest_yes, paired),
    }


def _trusted_adult(period: Period, filters: Filters, by: str = "answer") -> Counts:
    return question_answers(period, filters, "trusted_adult", by)


def _trusted_adult_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    return _people_many(period, filters, dims, "answer", _trusted_adult(period, filters))


def _trusted_adult_by_authority(period: Period, filters: Filters) -> dict[tuple[str, str], int]:
    return _by_authority_and_code(_question_codes(period, filters, "trusted_adult"), answer_of)


def _knows_help_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    return _people_many(period, filters, dims, "answer", _knows_help(period, filters))


def _knows_help_by_authority(period: Period, filters: Filters) -> dict[tuple[str, str], int]:
    return _by_authority_and_code(_question_codes(period, filters, "knows_help"), answer_of)


def _trusted_adult_figures(period: Period, filters: Filters) -> Figures:
    return question_figures(period, filters, "trusted_adult")


def _knows_help(period: Period, filters: Filters, by: str = "answer") -> Counts:
    return question_answers(period, filters, "knows_help", by)


def _knows_help_figures(period: Period, filters: Filters) -> Figures:
    return question_figures(period, filters, "knows_help")


# --- Use of a standardised outcome tool ------------------------------------------------------

TOOL_USE = ("start_and_review", "start_only", "review_only", "neither")


#: Whether an episode had a standardised measure at its start point and at a review point.
START_USED, REVIEW_USED = 1, 2


def use_of(code: int) -> str:
    """The category (``TOOL_USE``) of an episode whose findings are ``code``."""
    return {START_USED | REVIEW_USED: "start_and_review", START_USED: "start_only", REVIEW_USED: "review_only"}.get(
        code, "neither"
    )


@memoised
def _tool_codes(period: Period, filters: Filters) -> dict[tuple[str, int], int]:
    """The cohort counted by (local authority, code): whether a standardised measure (any scored
    measure, or a GBO rating, at the point: a single question is not a standardised tool) was
    taken at the episode's start point and at a review point by the period's end. The measures
    and ratings at those points are read once each (composed as ``_wellbeing_sql`` is)."""
    from outcomes.models import Measurement, PointKind, ScoringMethod

    kinds = Q(point__kind__in=[PointKind.START, PointKind.REVIEW])
    flags = {"_e": F("point__episode_id"), "_s": _flag(Q(point__kind=PointKind.START)),
             "_r": _flag(Q(point__kind=PointKind.REVIEW))}  # fmt: skip
    scored = Measurement.objects.filter(_mine(period, filters), kinds).exclude(
        instrument__scoring=ScoringMethod.QUESTION
    )
    parts = [
        _compiled(rows.annotate(**flags), ("_e", "_s", "_r"))
        for rows in (scored, _rated(period, filters).filter(kinds))
    ]
    return _count_coded(*_coded_cohort(period, filters, parts, f"MAX(_s) * {START_USED} + MAX(_r) * {REVIEW_USED}"))


def tool_use(period: Period, filters: Filters, by: str = "use") -> Counts:
    """The young people supported by whether they had a start and a review measure, or by a
    dimension."""
    if by == "use":
        return _by_code(_tool_codes(period, filters), use_of, TOOL_USE)
    return by_dimension(cohort(period, filters), by, period, "child__", distinct="child_id")


def _tool_use_many(period: Period, filters: Filters, dims: Sequence[str]) -> dict[str, Counts]:
    return _people_many(period, filters, dims, "use", tool_use(period, filters))


def _tool_use_by_authority(period: Period, filters: Filters) -> dict[tuple[str, str], int]:
    return _by_authority_and_code(_tool_codes(period, filters), use_of)


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
        count_many=_wellbeing_many,
        count_by_authority=_wellbeing_by_authority,
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
        count_many=_trusted_adult_many,
        count_by_authority=_trusted_adult_by_authority,
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
        count_many=_knows_help_many,
        count_by_authority=_knows_help_by_authority,
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
        count_many=_tool_use_many,
        count_by_authority=_tool_use_by_authority,
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
