"""Staff records: permission, validation and the audit live here; views only parse and render.

Managers keep the records of their own service's staff (practice level, Welsh, supervision);
a member of staff may add their own training too. Nobody else reaches a staff record.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Required, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import Action, Route
from audit.services import record
from core.errors import StaleEditError
from workforce.models import StaffProfile, StaffTraining, Supervision, TrainingTopic, staff_visible_to

if TYPE_CHECKING:
    from accounts.models import Organisation, User


class ProfileValues(TypedDict, total=False):
    """What a manager may change on a staff record: ProfileForm's fields, in its order."""

    practice_level: str
    practice_level_on: date | None
    welsh_level: int
    supervision_every_weeks: int


class TrainingValues(TypedDict, total=False):
    """One training a member of staff completed: TrainingForm's fields."""

    topic: str
    topic_detail: str
    completed_on: date
    provider: str
    hours: Decimal


class SupervisionValues(TypedDict, total=False):
    """A supervision session: SupervisionForm's answers (the date is required there)."""

    held_on: Required[date]
    supervisor: User | None
    next_due: date | None


PROFILE_FIELDS = tuple(ProfileValues.__annotations__)
TRAINING_FIELDS = tuple(TrainingValues.__annotations__)


def is_manager_of(by: User, staff: User) -> bool:
    return (
        by.is_authenticated
        and by.role == Role.SERVICE_MANAGER
        and by.organisation_id is not None
        and by.organisation_id == staff.organisation_id
        and staff_visible_to(by).filter(pk=staff.pk).exists()
    )


def can_add_training(by: User, staff: User) -> bool:
    """Managers, and the member of staff themselves (their own learning)."""
    return is_manager_of(by, staff) or (by.pk == staff.pk and staff_visible_to(by).filter(pk=staff.pk).exists())


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def profile_for(staff: User) -> StaffProfile | None:
    return StaffProfile.objects.filter(user=staff).first()


@transaction.atomic
def save_profile(*, by: User, staff: User, expected_version: int, values: ProfileValues) -> StaffProfile:
    """Create (``expected_version`` 0) or change the staff record; a change based on an older
    version raises StaleEditError with what is stored now."""
    _require(is_manager_of(by, staff))
    type(staff).objects.select_for_update().filter(pk=staff.pk).first()  # two first saves: one record
    profile = StaffProfile.objects.select_for_update().filter(user=staff).first()
    if (profile.version if profile else 0) != expected_version:
        raise StaleEditError(profile)
    cleaned: dict[str, Any] = {field: value for field, value in values.items() if field in PROFILE_FIELDS}
    if cleaned.get("practice_level") and not cleaned.get("practice_level_on"):
        raise ValidationError({"practice_level_on": _("Enter the date the practice level was agreed")})
    if not cleaned.get("practice_level"):
        cleaned["practice_level_on"] = None
    if profile is None:
        profile = StaffProfile(user=staff, updated_by=by, **cleaned)
        profile.full_clean()
        profile.save()
        record(
            actor=by,
            action=Action.CREATE,
            obj=profile,
            detail={"staff": staff.pk, "fields": sorted(cleaned)},
            route=Route.UI,
        )
        return profile
    changed = [field for field, value in cleaned.items() if getattr(profile, field) != value]
    if not changed:
        return profile
    for field in changed:
        setattr(profile, field, cleaned[field])
    profile.updated_by = by
    profile.updated_at = timezone.now()
    profile.version += 1
    profile.full_clean()
    profile.save()
    record(actor=by, action=Action.UPDATE, obj=profile, detail={"staff": staff.pk, "fields": changed}, route=Route.UI)
    return profile


@transaction.atomic
def record_training(*, by: User, staff: User, values: TrainingValues) -> StaffTraining:
    _require(can_add_training(by, staff))
    training = StaffTraining(user=staff, recorded_by=by, **values)
    errors: dict[str, str] = {}
    if training.topic == TrainingTopic.OTHER and not (training.topic_detail or "").strip():
        errors["topic_detail"] = _("Say what the training covered")
    if training.hours is not None and not 0 < training.hours <= 500:
        errors["hours"] = _("Enter the hours, between 0.5 and 500")
    if training.completed_on and training.completed_on > timezone.localdate():
        errors["completed_on"] = _("The date must be today or in the past")
    if errors:
        raise ValidationError(errors)
    training.full_clean()
    training.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=training,
        detail={"staff": staff.pk, "topic": training.topic},
        route=Route.UI,
    )
    return training


def suggested_next_due(staff: User, held_on: date) -> date:
    profile = profile_for(staff)
    weeks = profile.supervision_every_weeks if profile else 6
    return held_on + timedelta(weeks=weeks)


@transaction.atomic
def record_supervision(*, by: User, staff: User, values: SupervisionValues) -> Supervision:
    """Record a supervision session (the date, who supervised, when the next is due)."""
    _require(is_manager_of(by, staff))
    held_on = values["held_on"]
    supervisor = values.get("supervisor")
    next_due = values.get("next_due") or suggested_next_due(staff, held_on)
    errors: dict[str, str] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("The date must be today or in the past")
    if supervisor is not None and (supervisor.pk == staff.pk or supervisor.organisation_id != staff.organisation_id):
        errors["supervisor"] = _("Choose someone else in this service")
    if next_due <= held_on:
        errors["next_due"] = _("The next supervision must be after this one")
    if errors:
        raise ValidationError(errors)
    supervision = Supervision(user=staff, held_on=held_on, supervisor=supervisor, next_due=next_due, recorded_by=by)
    supervision.full_clean()
    supervision.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=supervision,
        detail={"staff": staff.pk, "next_due": str(next_due)},
        route=Route.UI,
    )
    return supervision


def staff_rows(by: User) -> QuerySet:
    """The staff ``by`` may see, with what the list shows – one query however many staff."""
    latest = Supervision.objects.filter(user=OuterRef("pk")).order_by("-held_on", "-pk")
    hours = (
        StaffTraining.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return (
        staff_visible_to(by)
        .annotate(
            practice_level=Max("staff_profile__practice_level"),
            welsh_level=Max("staff_profile__welsh_level"),
            last_supervision=Subquery(latest.values("held_on")[:1]),
            next_supervision=Subquery(latest.values("next_due")[:1]),
            trainings=Count("staff_trainings", distinct=True),
            training_hours=Subquery(hours),
        )
        .order_by("last_name", "first_name", "pk")
    )


def staff_trained_by_topic(by: User) -> dict[str, int]:
    """How many of the staff ``by`` sees have had training on each topic the guidance names."""
    rows = (
        StaffTraining.objects.filter(user__in=staff_visible_to(by))
        .values("topic")
        .annotate(people=Count("user", distinct=True))
    )
    return {row["topic"]: row["people"] for row in rows}


# --- Professionals outside the service trained by it ----------------------------------------


def professionals_trained(
    service: Organisation, *, since: date | None = None, until: date | None = None
) -> dict[str, int]:
    """People outside the service trained by it, by role (training recorded on the nest or a
    carer training contact; see people.services.nest_trained_counts). Aggregate figures only."""
    from people.services import nest_trained_counts

    return nest_trained_counts(service, since=since, until=until)


def consultations_by_professional(
    service: Organisation, *, since: date | None = None, until: date | None = None
) -> dict[str, int]:
    """Professional consultations held (advice to social workers, teachers, residential staff,
    foster carers…) by whom they were with – a measure the guidance names."""
    from contacts.models import Attendance, Contact, Kind

    rows = Contact.objects.filter(child__service_id=service.pk, kind=Kind.CONSULTATION, attendance=Attendance.ATTENDED)
    if since is not None:
        rows = rows.filter(starts_at__date__gte=since)
    if until is not None:
        rows = rows.filter(starts_at__date__lte=until)
    counted = rows.values("consultation_with").annotate(held=Count("pk")).order_by("consultation_with")
    return {row["consultation_with"]: row["held"] for row in counted}
