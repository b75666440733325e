"""Writes to people records. Each function is one use case: it checks the domain rules, writes
inside a transaction, and records the audit event explicitly."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrganisationType, Role
from audit.models import Action, Route
from audit.services import record
from people.identifiers import normalise_nhs_number
from people.models import (
    BreakGlassAccess,
    CareTeamMembership,
    CareTeamRole,
    Child,
    Placement,
    RelatedPerson,
)

if TYPE_CHECKING:
    from accounts.models import User


class StaleEditError(Exception):
    """Someone else saved this record after the form was opened: refuse rather than overwrite."""

    def __init__(self, current: Any) -> None:
        super().__init__("stale edit")
        self.current = current


CHILD_EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "former_names",
    "date_of_birth",
    "nhs_number",
    "local_authority_reference",
    "responsible_local_authority",
    "legal_status",
    "preferred_language",
    "other_language",
    "active_offer",
    "active_offer_date",
    "pronouns",
    "gender",
    "gender_description",
    "ethnicity",
    "disability",
    "neurodivergence",
)


def can_create_records(user: User) -> bool:
    return user.works_in_service and user.role in (Role.PRACTITIONER, Role.SERVICE_MANAGER)


def can_manage_care_team(user: User, child: Child) -> bool:
    return user.role == Role.SERVICE_MANAGER and user.organisation_id == child.service_id


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in values.items() if k in CHILD_EDITABLE_FIELDS}
    if "nhs_number" in cleaned:
        cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"])
    return cleaned


@transaction.atomic
def create_child(*, by: User, values: dict[str, Any]) -> Child:
    """Open a new record in the user's service; the creator joins the care team."""
    if not can_create_records(by):
        raise PermissionDenied
    child = Child(service=by.organisation, **_clean_values(values))
    child.full_clean()
    child.save()
    CareTeamMembership.objects.create(
        child=child,
        user=by,
        role=CareTeamRole.MANAGER if by.role == Role.SERVICE_MANAGER else CareTeamRole.LEAD,
    )
    record(actor=by, action=Action.CREATE, obj=child, child_id=child.pk)
    return child


@transaction.atomic
def update_child(*, by: User, child: Child, expected_version: int, values: dict[str, Any], route: str = Route.UI) -> Child:
    """Save changes made from ``expected_version``; refuse if the record moved on meanwhile."""
    locked = Child.objects.select_for_update().get(pk=child.pk)
    if locked.version != expected_version:
        raise StaleEditError(locked)
    changed = []
    for field, value in _clean_values(values).items():
        if getattr(locked, field) != value:
            setattr(locked, field, value)
            changed.append(field)
    if not changed:
        return locked
    locked.full_clean()
    locked.version += 1
    locked.save()
    record(actor=by, action=Action.UPDATE, obj=locked, child_id=locked.pk, route=route, detail={"fields": changed})
    return locked


@transaction.atomic
def add_related_person(*, by: User, child: Child, values: dict[str, Any]) -> RelatedPerson:
    person = RelatedPerson(child=child, **values)
    person.full_clean()
    person.save()
    record(actor=by, action=Action.CREATE, obj=person, child_id=child.pk)
    return person


@transaction.atomic
def update_related_person(
    *, by: User, person: RelatedPerson, expected_version: int, values: dict[str, Any]
) -> RelatedPerson:
    locked = RelatedPerson.objects.select_for_update().get(pk=person.pk)
    if locked.version != expected_version:
        raise StaleEditError(locked)
    changed = []
    for field, value in values.items():
        if getattr(locked, field) != value:
            setattr(locked, field, value)
            changed.append(field)
    if not changed:
        return locked
    locked.full_clean()
    locked.version += 1
    locked.save()
    record(actor=by, action=Action.UPDATE, obj=locked, child_id=locked.child_id, detail={"fields": changed})
    return locked


@transaction.atomic
def record_placement(*, by: User, child: Child, values: dict[str, Any]) -> Placement:
    """A new placement ends the current one the day it starts (a move, not an overlap)."""
    placement = Placement(child=child, **values)
    placement.full_clean()
    current = child.placements.filter(end_date__isnull=True).order_by("-start_date").first()
    if current is not None:
        if placement.start_date <= current.start_date:
            raise ValidationError(
                {"start_date": _("The new placement must start after the current one (%(date)s).")
                 % {"date": current.start_date.strftime("%d/%m/%Y")}}
            )
        current.end_date = placement.start_date
        current.save(update_fields=["end_date"])
        record(actor=by, action=Action.UPDATE, obj=current, child_id=child.pk, detail={"fields": ["end_date"]})
    placement.save()
    record(actor=by, action=Action.CREATE, obj=placement, child_id=child.pk)
    return placement


@transaction.atomic
def add_care_team_member(*, by: User, child: Child, member: User, role: str) -> CareTeamMembership:
    if not can_manage_care_team(by, child):
        raise PermissionDenied
    if member.organisation_id != child.service_id or member.role not in (
        Role.PRACTITIONER,
        Role.SERVICE_MANAGER,
        Role.DUTY_WORKER,
    ):
        raise ValidationError({"user": _("Only staff of this service can join the care team.")})
    if CareTeamMembership.objects.filter(child=child, user=member, ended_at__isnull=True).exists():
        raise ValidationError({"user": _("This person is already in the care team.")})
    membership = CareTeamMembership.objects.create(child=child, user=member, role=role)
    record(actor=by, action=Action.CREATE, obj=membership, child_id=child.pk, detail={"member": member.pk})
    return membership


@transaction.atomic
def end_care_team_membership(*, by: User, membership: CareTeamMembership) -> CareTeamMembership:
    if not can_manage_care_team(by, membership.child):
        raise PermissionDenied
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        record(actor=by, action=Action.UPDATE, obj=membership, child_id=membership.child_id, detail={"ended": True})
    return membership


def can_break_glass(user: User) -> bool:
    return (
        user.role in (Role.DUTY_WORKER, Role.SERVICE_MANAGER)
        and user.organisation is not None
        and user.organisation.type == OrganisationType.SERVICE
    )


def find_child_for_break_glass(*, by: User, nhs_number: str = "", la_reference: str = "", date_of_birth: date | None) -> Child | None:
    """Exact identification for emergency access: the NHS number, or the local authority
    reference with the date of birth, within the user's own service. Deliberately not a search:
    it reveals nothing unless the caller already holds the identifying details.

    This is the one place outside ``visible_to`` that reads Child unscoped; it returns at most
    one record and only to ``start_break_glass``."""
    if not can_break_glass(by) or date_of_birth is None:
        return None
    candidates = Child.objects.current().filter(service_id=by.organisation_id, date_of_birth=date_of_birth)
    if nhs_number:
        candidates = candidates.filter(nhs_number=normalise_nhs_number(nhs_number))
    elif la_reference:
        candidates = candidates.filter(local_authority_reference__iexact=la_reference.strip())
    else:
        return None
    found = list(candidates[:2])
    return found[0] if len(found) == 1 else None


@transaction.atomic
def start_break_glass(*, by: User, child: Child, reason: str) -> BreakGlassAccess:
    if not can_break_glass(by) or by.organisation_id != child.service_id:
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Explain why you need emergency access (at least 10 characters).")})
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        user=by,
        child=child,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(hours=settings.NYTH_BREAK_GLASS_HOURS),
    )
    record(actor=by, action=Action.BREAK_GLASS, obj=access, child_id=child.pk, route=Route.BREAK_GLASS, reason=reason)
    return access


@transaction.atomic
def review_break_glass(*, by: User, access: BreakGlassAccess, note: str) -> BreakGlassAccess:
    if by.role != Role.SERVICE_MANAGER or by.organisation_id != access.child.service_id:
        raise PermissionDenied
    access.reviewed_by = by
    access.reviewed_at = timezone.now()
    access.review_note = note.strip()
    access.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    record(actor=by, action=Action.REVIEW, obj=access, child_id=access.child_id, reason=access.review_note)
    return access
