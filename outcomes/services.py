"""Writes for outcomes: scheduling measurement points, marking one not done, recording what was
measured. Keyword-only, typed, atomic, audited (``audit.services.record`` with the route from
``people.access.audit_route``). Scoring is ``outcomes.scoring``; the views only parse and render.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record
from outcomes import schedule, scoring
from outcomes.models import (
    Answer,
    GoalRating,
    Instrument,
    Measurement,
    MeasurementPoint,
    NotDoneReason,
    PointKind,
    PointStatus,
    RatedBy,
    ScoringMethod,
    Source,
)
from people.access import audit_route, require_change

if TYPE_CHECKING:
    from accounts.models import User
    from episodes.models import Episode
    from people.models import Child
    from plans.models import Goal

#: At most three goals are rated at once (GBO guidance: up to three goals).
MAX_GOALS = 3


def instruments_due(child: Child, on: datetime.date, kind: str = PointKind.START) -> list[Instrument]:
    """The measures a point offers: those in use and valid for the young person's age that day.
    The guidance's two questions are asked at the start and at reviews, not at the end."""
    age = child.age_on(on)
    return [
        i
        for i in Instrument.objects.filter(active=True)
        if i.valid_for_age(age) and not (kind == PointKind.END and i.scoring == ScoringMethod.QUESTION)
    ]


def measured_at(point: MeasurementPoint) -> set[str]:
    """The codes of the instruments already recorded at ``point`` (the young person may have
    completed one in their own space before the practitioner records the rest)."""
    return set(Measurement.objects.filter(point=point).values_list("instrument__code", flat=True))


def recorded_at(point: MeasurementPoint) -> list[Measurement]:
    """What is already recorded at a point still due (shown on the entry page, which does not
    ask it again): the measures a young person completed in their own space."""
    return list(Measurement.objects.filter(point=point).select_related("instrument").order_by("pk"))


def instruments_to_enter(point: MeasurementPoint, on: datetime.date) -> list[Instrument]:
    """What the practitioner's entry page asks at ``point``: the measures due, less those
    already recorded there."""
    already = measured_at(point)
    return [i for i in instruments_due(point.child, on, point.kind) if i.code not in already]


#: The measures a young person completes themselves: answered item by item (SWEMWBS, WEMWBS).
SELF_REPORT_SCORING = (ScoringMethod.SWEMWBS_METRIC, ScoringMethod.RAW_SUM)


def has_wording(instrument: Instrument) -> bool:
    """Whether every item's wording is loaded (by the licence holder: ``outcomes.wording``). A
    young person cannot answer numbered items from a paper form they do not have."""
    return instrument.items > 0 and instrument.wording.count() == instrument.items


def self_report_due(child: Child, today: datetime.date) -> list[tuple[MeasurementPoint, Instrument]]:
    """The measures ``child`` (a record already reached through the scope) can complete
    themselves now: at a point that is due or overdue (the due window, ``schedule``), an
    item-scored measure due there for their age whose wording is loaded, not yet recorded."""
    points = list(
        schedule.waiting_points(MeasurementPoint.objects.filter(child=child), today=today).select_related("episode")
    )
    if not points:
        return []
    done = set(Measurement.objects.filter(point__in=points).values_list("point_id", "instrument_id"))
    offers = []
    for point in points:
        for instrument in instruments_due(child, today, point.kind):
            if (
                instrument.scoring in SELF_REPORT_SCORING
                and (point.pk, instrument.pk) not in done
                and has_wording(instrument)
            ):
                offers.append((point, instrument))
    return offers


@transaction.atomic
def record_self_report(
    *, by: User, point: MeasurementPoint, code: str, key: str, answers: dict[str, Any]
) -> tuple[Measurement, bool]:
    """A young person completes one measure offered to them (``self_report_due``) in their own
    space; returns (measurement, created). Scored by the same rule as the practitioner's entry
    (``_score_instrument``). Recorded at the point with the source "in their own space"; the
    point stays due for the practitioner to record the rest. The same form sent twice (``key``),
    or a measure already recorded at that point, records nothing more. Anyone but the young
    person whose record it is (through the one scope, route "self") gets 404."""
    from accounts.models import Role
    from people.models import Child

    if by.role != Role.YOUNG_PERSON:
        raise PermissionDenied
    if not Child.objects.visible_to(by, include_shared=True).filter(pk=point.child_id).exists():
        raise Http404
    done = Measurement.objects.filter(entry_key=key).first()
    if done is not None:
        if done.point_id != point.pk:
            raise PermissionDenied
        return done, False
    point = MeasurementPoint.objects.select_for_update().select_related("episode", "child").get(pk=point.pk)
    child = point.child
    existing = Measurement.objects.filter(point=point, instrument__code=code).first()
    if existing is not None:
        return existing, False
    today = timezone.localdate()
    offered = {i.code: i for p, i in self_report_due(child, today) if p.pk == point.pk}
    if code not in offered:
        raise Http404  # not due now, not for their age, or its wording is not loaded
    instrument = offered[code]
    errors: dict[str, str] = {}
    fields = _score_instrument(instrument, answers, errors)
    if fields is None and not errors:
        errors[NON_FIELD_ERRORS] = _("Answer every question, then send it")
    if errors:
        raise ValidationError(errors)
    assert fields is not None
    measurement = Measurement(
        child=child, point=point, instrument=instrument, taken_on=today, source=Source.YOUNG_PERSON_SPACE,
        recorded_by=by, entry_key=key, **fields,
    )  # fmt: skip
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError:  # the same key, or this measure, committed by a concurrent request
        return Measurement.objects.get(point=point, instrument=instrument), False
    record(
        actor=by, action=Action.CREATE, obj=measurement, child_id=child.pk, route=audit_route(by, child),
        detail={"measures": [code], "source": Source.YOUNG_PERSON_SPACE, "point": point.pk},
    )  # fmt: skip
    return measurement, True


def goals_to_rate(child: Child) -> list[Goal]:
    """The plan's goals still being worked on, at most three (the GBO goals *are* these)."""
    from plans.models import Goal, GoalStatus

    return list(Goal.objects.filter(plan__child=child, status=GoalStatus.ACTIVE).order_by("order", "pk")[:MAX_GOALS])


def _require_writer(user: User, child: Child) -> None:
    # The care team and the service's managers record measures; emergency access only reads.
    require_change(user, child)


@transaction.atomic
def rate_goal(
    *, by: User, goal: Goal, value: Any, rated_by: str, on: datetime.date, key: str
) -> tuple[GoalRating, bool]:
    """A Goal Based Outcomes rating between measurement points (no point): shown on the charts,
    decides nothing about change. Returns (rating, created). The same rule as at a point: a
    current goal of the plan, 0 to 10 – ``value`` as typed. The same form sent twice (``key``)
    records once. A young person rates their own goals (``rated_by`` young person) through the
    one scope's "self" route; a carer rates as a carer through their own route ("carer"), only
    while the consent shares the plan with them (``myspace.carers.may_rate_goals``, read now: a
    withdrawal or the placement's end stops it at once); anyone else must be able to change the
    record."""
    from accounts.models import Role
    from people.models import Child

    child = goal.plan.child
    if by.role == Role.YOUNG_PERSON:
        if rated_by != RatedBy.YOUNG_PERSON:
            raise PermissionDenied
        if not Child.objects.visible_to(by, include_shared=True).filter(pk=child.pk).exists():
            raise Http404
    elif by.role == Role.CARER:
        from myspace.carers import may_rate_goals

        if rated_by != RatedBy.CARER:
            raise PermissionDenied
        if not may_rate_goals(by, child):
            raise Http404
    else:
        _require_writer(by, child)
    done = GoalRating.objects.filter(entry_key=key).first()
    if done is not None:
        if done.goal_id != goal.uuid:
            raise PermissionDenied
        return done, False
    errors: dict[str, str] = {}
    if goal.pk not in {g.pk for g in goals_to_rate(child)}:
        errors["value"] = _("This goal is not one of the plan's current goals")
    try:
        number: int | None = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not scoring.GBO_MIN <= number <= scoring.GBO_MAX:
        errors["value"] = _("Enter a rating from 0 to 10")
    if rated_by not in RatedBy.values:
        errors["rated_by"] = _("Choose who rated the goals")
    if on > timezone.localdate():
        errors["on"] = _("The date must be today or in the past")
    if errors:
        raise ValidationError(errors)
    assert number is not None
    rating = GoalRating(
        child=child, goal=goal, point=None, value=number, rated_by=rated_by, rated_on=on, recorded_by=by, entry_key=key
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:  # the same key committed by a concurrent request
        return GoalRating.objects.get(entry_key=key), False
    record(
        actor=by, action=Action.CREATE, obj=rating, child_id=child.pk, route=audit_route(by, child),
        detail={"goal_rating": True, "rated_by": rated_by, "between_points": True},
    )  # fmt: skip
    return rating, True


@transaction.atomic
def schedule_point(*, by: User, episode: Episode, kind: str, due_on: datetime.date) -> MeasurementPoint:
    """Add a measurement point by hand to a current episode (one start and one end per episode;
    points are also created automatically: ``outcomes.schedule``)."""
    child = episode.child
    _require_writer(by, child)
    if not episode.is_current:
        raise ValidationError({"kind": _("Support has ended: measures are scheduled only for current support")})
    if kind != PointKind.REVIEW and MeasurementPoint.objects.filter(episode=episode, kind=kind).exists():
        raise ValidationError({"kind": _("This support already has that measurement point")})
    if due_on < episode.opened_on:
        raise ValidationError({"due_on": _("The date must be on or after the day support started")})
    point = MeasurementPoint.objects.create(child=child, episode=episode, kind=kind, due_on=due_on)
    record(
        actor=by,
        action=Action.CREATE,
        obj=point,
        child_id=child.pk,
        route=audit_route(by, child),
        detail={"kind": kind},
    )
    return point


def _check_date(point: MeasurementPoint, on: datetime.date | None, field: str) -> None:
    if on is None:
        raise ValidationError({field: _("Enter the date the measures were completed")})
    if on > timezone.localdate():
        raise ValidationError({field: _("The date must be today or in the past")})
    if on < point.episode.opened_on:
        raise ValidationError({field: _("The date must be on or after the day support started")})


@transaction.atomic
def mark_not_done(*, by: User, point: MeasurementPoint, reason: str, on: datetime.date) -> MeasurementPoint:
    """Record that a point's measures were not done, and why. A young person may always say no."""
    _require_writer(by, point.child)
    point = MeasurementPoint.objects.select_for_update().select_related("episode").get(pk=point.pk)
    schedule.require_recordable(point)
    if reason not in NotDoneReason.values:
        raise ValidationError({"reason": _("Choose why the measures were not done")})
    _check_date(point, on, "on")
    point.status, point.not_done_reason, point.taken_on, point.recorded_by = PointStatus.NOT_DONE, reason, on, by
    point.save(update_fields=["status", "not_done_reason", "taken_on", "recorded_by"])
    record(
        actor=by, action=Action.UPDATE, obj=point, child_id=point.child_id, route=audit_route(by, point.child),
        detail={"not_done": reason},
    )  # fmt: skip
    schedule.ensure_interval_review(by=by, episode=point.episode)
    return point


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


def _score_instrument(instrument: Instrument, raw: dict[str, Any], errors: dict[str, str]) -> dict[str, Any] | None:
    """Validate and score one instrument's answers from the form (``raw``: field suffix → value).
    Returns the measurement's fields, None when nothing was entered for it, and adds errors."""
    code = instrument.code
    if instrument.scoring in (ScoringMethod.SWEMWBS_METRIC, ScoringMethod.RAW_SUM):
        low, high = instrument.response_min, instrument.response_max
        if low is None or high is None:
            raise ImproperlyConfigured(f"{code}: an item-scored instrument needs its response range")
        answers = {n: raw.get(str(n)) for n in range(1, instrument.items + 1)}
        if all(v in (None, "") for v in answers.values()):
            return None
        responses: dict[int, int | None] = {}
        for n, value in answers.items():
            field = f"{code}_{n}"
            try:
                responses[n] = _int_or_none(value)
            except (TypeError, ValueError):
                responses[n] = None
                errors[field] = _("Enter a whole number from %(low)s to %(high)s") % {
                    "low": low, "high": high}  # fmt: skip
                continue
            if responses[n] is None:
                errors[field] = _("Enter the answer to item %(number)s: every item is needed for a score") % {
                    "number": n
                }
            elif not low <= (responses[n] or 0) <= high:
                errors[field] = _("Item %(number)s must be from %(low)s to %(high)s") % {
                    "number": n, "low": low, "high": high}  # fmt: skip
        if any(k.startswith(f"{code}_") for k in errors):
            return None
        total = scoring.raw_total(responses, items=instrument.items, low=low, high=high)
        score: Decimal = (
            scoring.swemwbs_metric(total) if instrument.scoring == ScoringMethod.SWEMWBS_METRIC else Decimal(total)
        )
        return {"responses": {str(k): v for k, v in responses.items()}, "raw_score": Decimal(total), "score": score}
    if instrument.scoring == ScoringMethod.QUESTION:
        answer = raw.get("answer") or ""
        if not answer:
            return None
        if answer not in Answer.values:
            errors[f"{code}_answer"] = _("Choose yes, not sure or no")
            return None
        return {"answer": answer}
    if instrument.scoring == ScoringMethod.SCORES_ONLY:
        return _scores_only(instrument, raw, errors)
    return None  # GBO ratings are recorded per goal, below


def _scores_only(instrument: Instrument, raw: dict[str, Any], errors: dict[str, str]) -> dict[str, Any] | None:
    """A licensed measure's total and subscales as entered from its form (no item text).

    Each subscale is a whole number within its range (``Instrument.subscales``). The subscales
    marked ``in_total`` (SDQ: the four difficulties subscales) add up to the total: when all of
    them are entered with a total, the two must agree; when they are entered without a total,
    the total is their sum. Otherwise the total is required whenever anything is entered."""
    code = instrument.code
    score_min, score_max = instrument.score_min, instrument.score_max
    if score_min is None or score_max is None:
        raise ImproperlyConfigured(f"{code}: a scores-only instrument needs its score range")
    subscales = instrument.subscale_list()
    total_text = (raw.get("total") or "").strip()
    sub_texts = {s["code"]: (raw.get(f"sub_{s['code']}") or "").strip() for s in subscales}
    if not total_text and not any(sub_texts.values()):
        return None
    entered: dict[str, int] = {}
    for sub in subscales:
        text, field = sub_texts[sub["code"]], f"{code}_sub_{sub['code']}"
        if not text:
            continue
        try:
            value = int(text)
        except ValueError:
            errors[field] = _("Enter %(name)s as a whole number from %(low)s to %(high)s") % {
                "name": sub["name"], "low": sub["min"], "high": sub["max"]}  # fmt: skip
            continue
        if not sub["min"] <= value <= sub["max"]:
            errors[field] = _("%(name)s must be from %(low)s to %(high)s") % {
                "name": sub["name"], "low": sub["min"], "high": sub["max"]}  # fmt: skip
            continue
        entered[sub["code"]] = value
    parts = [s["code"] for s in subscales if s.get("in_total")]
    all_parts = bool(parts) and all(p in entered for p in parts)
    field = f"{code}_total"
    total: Decimal | None = None
    if total_text:
        try:
            total = Decimal(total_text)
            if not total.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors[field] = _("Enter the total as a number")
            return None
        if not score_min <= total <= score_max:
            errors[field] = _("The total must be from %(low)s to %(high)s") % {
                "low": f"{score_min.normalize():f}", "high": f"{score_max.normalize():f}"}  # fmt: skip
            return None
        if all_parts and total != sum(entered[p] for p in parts):
            errors[field] = _("The total must be the sum of %(names)s (%(sum)s), as on the licensed form") % {
                "names": ", ".join(s["name"] for s in subscales if s.get("in_total")),
                "sum": sum(entered[p] for p in parts),
            }
            return None
    elif all_parts:
        total = Decimal(sum(entered[p] for p in parts))
    else:
        errors[field] = _("Enter the total, or every subscale that makes it up") if parts else _("Enter the total")
        return None
    if any(k.startswith(f"{code}_") for k in errors):
        return None
    return {"raw_score": total, "score": total, "subscales": entered}


@transaction.atomic
def record_point(
    *,
    by: User,
    point: MeasurementPoint,
    key: str,
    taken_on: datetime.date | None,
    source: str,
    answers: dict[str, dict[str, Any]],
    goal_ratings: dict[str, Any],
    rated_by: str = "",
) -> tuple[MeasurementPoint, bool]:
    """Record a point's measures from its one entry page; returns (point, created).

    ``answers``: instrument code → {item number or "answer"/"total" → value as typed};
    ``goal_ratings``: goal uuid → rating as typed. Everything is validated before anything is
    written: any error raises one ``ValidationError`` keyed by form field and nothing is saved.
    The same form sent twice (same ``key``) records once."""
    child = point.child
    _require_writer(by, child)
    done = MeasurementPoint.objects.filter(entry_key=key).first()
    if done is not None:
        if done.pk != point.pk:
            raise PermissionDenied
        return done, False
    point = MeasurementPoint.objects.select_for_update().select_related("episode", "child").get(pk=point.pk)
    schedule.require_recordable(point)
    errors: dict[str, str] = {}
    try:
        _check_date(point, taken_on, "taken_on")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if source not in Source.values or source == Source.YOUNG_PERSON_SPACE:
        errors["source"] = _("Choose who completed the measures")
    due = instruments_to_enter(point, taken_on if taken_on and "taken_on" not in errors else timezone.localdate())
    already = measured_at(point)
    results: list[tuple[Instrument, dict[str, Any]]] = []
    for instrument in due:
        fields = _score_instrument(instrument, answers.get(instrument.code, {}), errors)
        if fields is not None:
            results.append((instrument, fields))
    unknown = set(answers) - {i.code for i in due}
    if any(v not in (None, "") for code in unknown for v in answers[code].values()):
        errors[NON_FIELD_ERRORS] = _("A measure was entered that is not valid for the young person's age on that date")
    ratings: list[tuple[Goal, int]] = []
    goals = (
        {str(g.uuid): g for g in goals_to_rate(child)}
        if any(i.scoring == ScoringMethod.GOAL_BASED for i in due)
        else {}
    )
    for goal_uuid, text in goal_ratings.items():
        if text in (None, ""):
            continue
        field = f"goal_{goal_uuid}"
        if goal_uuid not in goals:
            errors[field] = _("This goal is not one of the plan's current goals")
            continue
        try:
            value = int(text)
        except (TypeError, ValueError):
            value = -1
        if not scoring.GBO_MIN <= value <= scoring.GBO_MAX:
            errors[field] = _("Enter a rating from 0 to 10")
            continue
        ratings.append((goals[goal_uuid], value))
    if ratings and rated_by not in RatedBy.values:
        errors["rated_by"] = _("Choose who rated the goals")
    if not errors and not results and not ratings and not already:
        errors[NON_FIELD_ERRORS] = _("Enter at least one measure, or record that the measures were not done")
    if errors:
        raise ValidationError(errors)
    assert taken_on is not None
    point.status, point.taken_on, point.source, point.recorded_by, point.entry_key = (
        PointStatus.DONE, taken_on, source, by, key)  # fmt: skip
    try:
        with transaction.atomic():
            point.save(update_fields=["status", "taken_on", "source", "recorded_by", "entry_key"])
    except IntegrityError:  # the same key committed by a concurrent request
        return MeasurementPoint.objects.get(entry_key=key), False
    Measurement.objects.bulk_create(
        Measurement(child=child, point=point, instrument=i, taken_on=taken_on, source=source, recorded_by=by, **f)
        for i, f in results
    )
    GoalRating.objects.bulk_create(
        GoalRating(child=child, goal=g, point=point, value=v, rated_by=rated_by, rated_on=taken_on, recorded_by=by)
        for g, v in ratings
    )
    record(
        actor=by, action=Action.CREATE, obj=point, child_id=child.pk, route=audit_route(by, child),
        detail={"measures": [i.code for i, _f in results], "goals_rated": len(ratings), "source": source},
    )  # fmt: skip
    schedule.ensure_interval_review(by=by, episode=point.episode)
    return point, True
