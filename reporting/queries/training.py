"""Training: carers' (nest) training and the service's professionals' training, by topic and by
Trauma-Informed Wales practice level.

Only the service and region filters apply. Staff have no local authority, age, legal status,
language of support, gender or ethnicity in Nyth's sense (those are the young person's), so those
filters are not applied to staff training; a carer's training is the carer's, not the young
person's, so they are not applied to it either (the carer's service is the young person's
service, through whom the carer is recorded). The indicators say so beside them.

A staff member's practice level is the one on their staff record now (``StaffProfile``: Nyth
keeps no history of it per training); a carer's training records its own level.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from reporting.filters import Filters
from reporting.periods import Period
from reporting.queries._common import Counts, Figures, Indicator, Stat, group, on


def _service_q(filters: Filters, organisation: str) -> Q:
    q = Q()
    if filters.service_id:
        q &= Q(**{f"{organisation}_id": filters.service_id})
    if filters.region_id:
        q &= Q(**{f"{organisation}__region_id": filters.region_id})
    return q


def _carer_rows(period: Period, filters: Filters) -> QuerySet[Any]:
    from people.models import NestTraining

    return NestTraining.objects.filter(on(period, "given_on")).filter(
        _service_q(filters, "related_person__child__service")
    )


def _staff_rows(period: Period, filters: Filters) -> QuerySet[Any]:
    from workforce.models import StaffTraining

    return (
        StaffTraining.objects.filter(on(period, "completed_on"))
        .filter(_service_q(filters, "user__organisation"))
        .annotate(_level=Coalesce("user__staff_profile__practice_level", Value("", output_field=CharField())))
    )


def carer_training(period: Period, filters: Filters, by: str = "topic") -> Counts:
    """Training sessions given to carers (trusted adults) in the period, by topic or by
    Trauma-Informed Wales level ("" where not recorded)."""
    if by not in ("topic", "practice_level"):
        raise ValueError(f"carer training has no breakdown by {by}")
    return group(_carer_rows(period, filters), by)


def _carer_figures(period: Period, filters: Filters) -> Figures:
    figures = _carer_rows(period, filters).aggregate(
        sessions=Count("pk"), people=Count("related_person_id", distinct=True)
    )
    return {k: int(v or 0) for k, v in figures.items()}


def staff_training(period: Period, filters: Filters, by: str = "topic") -> Counts:
    """Training completed by the service's staff in the period, by topic or by the staff
    member's Trauma-Informed Wales level ("" where not recorded)."""
    if by == "topic":
        return group(_staff_rows(period, filters), "topic")
    if by == "practice_level":
        return group(_staff_rows(period, filters), "_level")
    raise ValueError(f"staff training has no breakdown by {by}")


def _staff_figures(period: Period, filters: Filters) -> Figures:
    figures = _staff_rows(period, filters).aggregate(
        sessions=Count("pk"), people=Count("user_id", distinct=True), hours=Sum("hours")
    )
    people = int(figures["people"] or 0)
    hours = figures["hours"]
    return {
        "sessions": int(figures["sessions"] or 0),
        "people": people,
        "hours": Stat(float(hours) if hours is not None else None, people),
    }


_FILTERS_CAVEAT = _(
    "Only the service and region filters apply: local authority, age band, legal status, language, gender and ethnicity are the young person's and are not applied to training."
)


def _labels() -> dict[str, Any]:
    from people.models import NestTrainingTopic
    from workforce.models import PracticeLevel, TrainingTopic

    return {
        **dict(TrainingTopic.choices),
        **dict(NestTrainingTopic.choices),
        **dict(PracticeLevel.choices),
        "sessions": _("Training sessions"),
        "people": _("People trained"),
        "hours": _("Hours of training"),
    }


INDICATORS: list[Indicator] = [
    Indicator(
        "carer_training",
        _("Carers' training"),
        _(
            "Training given to carers and other trusted adults in responding therapeutically, by topic and by Trauma-Informed Wales practice level."
        ),
        _("None: a count of sessions; people trained are counted once each."),
        _("Given on a day in the period."),
        carer_training,
        dimensions=("topic", "practice_level"),
        figures=_carer_figures,
        labels=_labels(),
        caveat=_FILTERS_CAVEAT,
    ),
    Indicator(
        "staff_training",
        _("Professionals' training"),
        _(
            "Training completed by the service's staff, by topic and by the staff member's Trauma-Informed Wales practice level (as on their staff record now)."
        ),
        _("None: a count of sessions; people trained are counted once each; hours summed."),
        _("Completed on a day in the period."),
        staff_training,
        dimensions=("topic", "practice_level"),
        figures=_staff_figures,
        labels=_labels(),
        caveat=_FILTERS_CAVEAT,
    ),
]
