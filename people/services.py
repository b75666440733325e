"""Writes to people records. Each function is one use case: it checks the domain rules, writes
inside a transaction, and records the audit event explicitly."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, ManyToManyRel, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, OrganisationType, Role
from audit.models import Action, Route
from audit.services import record
from core import ratelimit
from core.errors import StaleEditError
from core.history import mark_version
from people.access import audit_route, can_change, unscoped_rows
from people.identifiers import normalise_nhs_number
from people.models import (
    BreakGlassAccess,
    CareTeamMembership,
    CareTeamRole,
    Child,
    NestTraining,
    NestTrainingTopic,
    Placement,
    RelatedPerson,
)

if TYPE_CHECKING:
    from accounts.models import User
    from contacts.models import Contact


class ChildValues(TypedDict, total=False):
    """What may be written on a child's record (``create_child``, ``update_child``). Its keys are
    the editable fields, written once: ChildForm takes its fields from them, in this order."""

    given_name: str
    family_name: str
    preferred_name: str
    former_names: str
    date_of_birth: date
    nhs_number: str
    local_authority_reference: str
    responsible_local_authority: Organisation | None
    postcode: str
    legal_status: str
    preferred_language: str
    other_language: str
    active_offer: str
    active_offer_date: date | None
    pronouns: str
    gender: str
    gender_description: str
    ethnicity: str
    disability: str
    neurodivergence: str


CHILD_EDITABLE_FIELDS = tuple(ChildValues.__annotations__)


class RelatedPersonValues(TypedDict, total=False):
    """A person in the nest as written (RelatedPersonForm's fields, in its order). Only these
    are applied: a key outside them is ignored, never written to the row."""

    name: str
    role: str
    role_other: str
    organisation_name: str
    has_parental_responsibility: bool
    young_person_view: str
    informed_on: date | None
    informed_by: User | None
    contact_permitted: bool
    phone: str
    email: str
    notes: str
    text_language: str  # of the view and the notes (core/text_language.py)
    is_active: bool
    contact_restricted: bool
    contact_restriction_note: str


RELATED_PERSON_FIELDS = tuple(RelatedPersonValues.__annotations__)


class NestTrainingValues(TypedDict, total=False):
    """Training a trusted adult received: NestTrainingForm's fields, in its order."""

    topic: str
    practice_level: str  # Trauma-Informed Wales level of the training
    topic_detail: str
    given_on: date
    trainer: User | None
    trainer_name: str
    contact: Contact | None


class PlacementValues(TypedDict, total=False):
    """A new placement: PlacementForm's fields."""

    type: str
    local_authority_area: Organisation
    outside_wales: bool
    start_date: date
    carers: list[RelatedPerson]  # people in this young person's nest (the M2M, set after saving)


NEST_TRAINING_FIELDS = tuple(NestTrainingValues.__annotations__)
PLACEMENT_FIELDS = tuple(k for k in PlacementValues.__annotations__ if k != "carers")
PLACEMENT_FORM_FIELDS = tuple(PlacementValues.__annotations__)


def can_create_records(user: User) -> bool:
    return user.works_in_service and user.role in (Role.PRACTITIONER, Role.SERVICE_MANAGER)


def can_manage_care_team(user: User, child: Child) -> bool:
    return user.role == Role.SERVICE_MANAGER and user.organisation_id == child.service_id


def _clean_values(values: ChildValues) -> dict[str, Any]:
    cleaned: dict[str, Any] = {k: v for k, v in values.items() if k in CHILD_EDITABLE_FIELDS}
    if "nhs_number" in cleaned:
        cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"])
    return cleaned


@transaction.atomic
def create_child(*, by: User, values: ChildValues) -> Child:
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
    record(actor=by, action=Action.CREATE, obj=child, child_id=child.pk, route=audit_route(by, child))
    return child


@transaction.atomic
def update_child(*, by: User, child: Child, expected_version: int, values: ChildValues, route: str = Route.UI) -> Child:
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


def _without_unpermitted_contact_details(person: RelatedPerson) -> list[str]:
    """Contact details are kept only with the young person's permission: without it they are
    cleared. Returns the fields cleared."""
    if person.contact_permitted:
        return []
    cleared = [field for field in ("phone", "email") if getattr(person, field)]
    for field in cleared:
        setattr(person, field, "")
    return cleared


@transaction.atomic
def _stamp_contact_restriction(person: RelatedPerson, by: User) -> None:
    """Who recorded a contact restriction (or lifted it), and when: shown with its note."""
    person.contact_restriction_recorded_by = by
    person.contact_restriction_recorded_at = timezone.now()


def add_related_person(*, by: User, child: Child, values: RelatedPersonValues) -> RelatedPerson:
    person = RelatedPerson(child=child, **{k: v for k, v in values.items() if k in RELATED_PERSON_FIELDS})
    if person.contact_restricted:
        _stamp_contact_restriction(person, by)
    cleared = _without_unpermitted_contact_details(person)
    person.full_clean()
    person.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=person,
        child_id=child.pk,
        detail={"contact_details_refused": True} if cleared else None,
        route=audit_route(by, child),
    )
    return person


@transaction.atomic
def update_related_person(
    *, by: User, person: RelatedPerson, expected_version: int, values: RelatedPersonValues
) -> RelatedPerson:
    locked = RelatedPerson.objects.select_for_update().get(pk=person.pk)
    if locked.version != expected_version:
        raise StaleEditError(locked)
    had_details = bool(locked.phone or locked.email)
    changed = []
    for field, value in values.items():
        if field in RELATED_PERSON_FIELDS and getattr(locked, field) != value:
            setattr(locked, field, value)
            changed.append(field)
    cleared = _without_unpermitted_contact_details(locked)
    changed += [field for field in cleared if field not in changed]
    if not changed:
        return locked
    if "contact_restricted" in changed or "contact_restriction_note" in changed:
        _stamp_contact_restriction(locked, by)
    locked.full_clean()
    locked.version += 1
    locked.save()
    detail: dict[str, Any] = {"fields": changed}
    if had_details and not locked.contact_permitted:
        detail["contact_details_cleared"] = True  # permission withdrawn
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        detail=detail,
        route=audit_route(by, locked.child_id),
    )
    return locked


@transaction.atomic
def record_nest_training(*, by: User, person: RelatedPerson, values: NestTrainingValues) -> NestTraining:
    """Record training a trusted adult received in responding therapeutically to the young
    person. A linked contact must be one this person took part in (recorded on both sides)."""
    child = person.child
    # Recording the nest's training is a change to the record (not for emergency access).
    if not can_change(by, child):
        raise PermissionDenied
    training = NestTraining(
        related_person=person, recorded_by=by, **{k: v for k, v in values.items() if k in NEST_TRAINING_FIELDS}
    )
    errors: dict[str, str] = {}
    if training.topic == NestTrainingTopic.OTHER and not training.topic_detail.strip():
        errors["topic_detail"] = _("Say what the training covered")
    if training.trainer_id is None and not training.trainer_name.strip():
        errors["trainer_name"] = _("Say who gave the training: choose a member of staff or enter a name")
    if training.trainer is not None and training.trainer.organisation_id != child.service_id:
        errors["trainer"] = _("Choose a member of this service's staff")
    if training.contact is not None and not training.contact.people.filter(pk=person.pk).exists():
        errors["contact"] = _("Choose a contact this person took part in")
    if errors:
        raise ValidationError(errors)
    training.full_clean()
    training.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=training,
        child_id=child.pk,
        detail={"person": person.pk, "topic": training.topic, "contact": training.contact_id},
        route=audit_route(by, child),
    )
    return training


def nest_trained_counts(
    service: Organisation, *, since: date | None = None, until: date | None = None
) -> dict[str, int]:
    """How many people around the service's young people – carers and professionals outside the
    service – the service has trained, by role (``RelationshipRole`` values; roles with none are
    left out). A person counts once however often trained, if they had training from a member
    of the service's staff (``NestTraining.trainer``) or took part in a carer training contact
    that took place. ``since``/``until`` (inclusive dates) limit to training in that period.
    Aggregate figures only: no one is identified."""
    from contacts.models import Attendance, Kind

    trained = Q(trainings__trainer__organisation_id=service.pk)
    in_contact = Q(
        contacts__kind=Kind.CARER_TRAINING,
        contacts__attendance=Attendance.ATTENDED,
        contacts__child__service_id=service.pk,
    )
    if since is not None:
        trained &= Q(trainings__given_on__gte=since)
        in_contact &= Q(contacts__starts_at__date__gte=since)
    if until is not None:
        trained &= Q(trainings__given_on__lte=until)
        in_contact &= Q(contacts__starts_at__date__lte=until)
    rows = (
        RelatedPerson.objects.filter(child__service_id=service.pk)
        .filter(trained | in_contact)
        .values("role")
        .annotate(people=Count("pk", distinct=True))
        .order_by("role")
    )
    return {row["role"]: row["people"] for row in rows}


@transaction.atomic
def record_placement(*, by: User, child: Child, values: PlacementValues) -> Placement:
    """A new placement ends the current one the day it starts (a move, not an overlap)."""
    placement = Placement(child=child, **{k: v for k, v in values.items() if k in PLACEMENT_FIELDS})
    placement.full_clean()
    chosen = list(values.get("carers") or [])
    if any(person.child_id != child.pk for person in chosen):
        raise ValidationError({"carers": _("Choose carers from this young person's nest")})
    current = child.placements.filter(end_date__isnull=True).order_by("-start_date").first()
    if current is not None:
        if placement.start_date <= current.start_date:
            raise ValidationError(
                {
                    "start_date": _("The new placement must start after the current one (%(date)s).")
                    % {"date": current.start_date.strftime("%d/%m/%Y")}
                }
            )
        current.end_date = placement.start_date
        current.save(update_fields=["end_date"])
        record(
            actor=by,
            action=Action.UPDATE,
            obj=current,
            child_id=child.pk,
            detail={"fields": ["end_date"]},
            route=audit_route(by, child),
        )
    placement.save()
    placement.carers.set(chosen)
    record(
        actor=by,
        action=Action.CREATE,
        obj=placement,
        child_id=child.pk,
        route=audit_route(by, child),
        detail={"carers": [p.pk for p in chosen]} if chosen else None,
    )
    return placement


@transaction.atomic
def set_placement_carers(*, by: User, placement: Placement, carers: list[RelatedPerson]) -> Placement:
    """Record who the carers are at a placement (a carer who leaves is taken off here: their
    access to the young person's space ends with it)."""
    if not can_change(by, placement.child):
        raise PermissionDenied
    if any(person.child_id != placement.child_id for person in carers):
        raise ValidationError({"carers": _("Choose carers from this young person's nest")})
    placement.carers.set(carers)
    record(
        actor=by,
        action=Action.UPDATE,
        obj=placement,
        child_id=placement.child_id,
        route=audit_route(by, placement.child_id),
        detail={"carers": sorted(p.pk for p in carers)},
    )
    return placement


@transaction.atomic
def add_care_team_member(
    *, by: User, child: Child, member: User, role: str, replace_lead: bool = False
) -> CareTeamMembership:
    """Add ``member`` to the care team. One lead practitioner at a time (also a database rule):
    a second lead is refused unless ``replace_lead``, when the lead stays in the team as a
    practitioner (their lead membership ends and a practitioner one starts, so history shows it)."""
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
    if role == CareTeamRole.LEAD:
        lead = (
            CareTeamMembership.objects.select_for_update()
            .filter(child=child, role=CareTeamRole.LEAD, ended_at__isnull=True)
            .select_related("user")
            .first()
        )
        if lead is not None and not replace_lead:
            raise ValidationError(
                {
                    "role": _(
                        "%(name)s is the lead practitioner: a young person has one lead at a time. Add this person "
                        "in another role, or end %(name)s's lead role first."
                    )
                    % {"name": lead.user.get_full_name() or lead.user.get_username()}
                }
            )
        if lead is not None:
            end_care_team_membership(by=by, membership=lead)
            stays = CareTeamMembership.objects.create(child=child, user=lead.user, role=CareTeamRole.PRACTITIONER)
            record(
                actor=by,
                action=Action.CREATE,
                obj=stays,
                child_id=child.pk,
                detail={"member": lead.user_id, "was_lead": True},
                route=audit_route(by, child),
            )
    membership = CareTeamMembership.objects.create(child=child, user=member, role=role)
    record(
        actor=by,
        action=Action.CREATE,
        obj=membership,
        child_id=child.pk,
        detail={"member": member.pk},
        route=audit_route(by, child),
    )
    return membership


@transaction.atomic
def end_care_team_membership(*, by: User, membership: CareTeamMembership) -> CareTeamMembership:
    if not can_manage_care_team(by, membership.child):
        raise PermissionDenied
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        record(
            actor=by,
            action=Action.UPDATE,
            obj=membership,
            child_id=membership.child_id,
            detail={"ended": True},
            route=audit_route(by, membership.child_id),
        )
    return membership


def can_break_glass(user: User) -> bool:
    return (
        user.role in (Role.DUTY_WORKER, Role.SERVICE_MANAGER)
        and user.organisation is not None
        and user.organisation.type == OrganisationType.SERVICE
    )


def find_child_for_break_glass(
    *, by: User, nhs_number: str = "", la_reference: str = "", date_of_birth: date | None
) -> Child | None:
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


#: The one message for a reason without words in it (form and service alike).
REASON_ERROR = gettext_lazy(
    "Explain in words why you need emergency access, for example “Carer phoned, young person missing”: "
    "at least three different words."
)

# A word: letters (any script, so ŵ, ŷ and â count) with inner apostrophes (Welsh "Mae'r").
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def reason_has_words(text: str) -> bool:
    """Whether a break-glass reason says something: at least ten characters and three different
    words of two or more letters, none a single letter repeated. Refuses "aaaaaaaaaa",
    ".........." and "asdf asdf asdf"; accepts a short sentence in Welsh or English. It cannot
    tell a true reason from a false one – the manager's review does that – but a worker can no
    longer tick the box without writing anything (ADR 013)."""
    text = (text or "").strip()
    if len(text) < 10:
        return False
    words = {word.casefold() for word in _WORD.findall(text)}
    real = {word for word in words if len(word) >= 2 and len(set(word.replace("'", "").replace("’", ""))) > 1}
    return len(real) >= 3


def active_break_glass(*, user: User, child: Child) -> BreakGlassAccess | None:
    """The worker's emergency access to ``child`` that is still running, if any."""
    return (
        BreakGlassAccess.objects.filter(user=user, child=child, ended_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-started_at")
        .first()
    )


def _failure_limits(by: User, client_address: str) -> list[tuple[str, ratelimit.Rate]]:
    window = settings.NYTH_BREAK_GLASS_FAILURE_WINDOW_SECONDS
    return [
        (f"break-glass-failed:user:{by.pk}", ratelimit.Rate(settings.NYTH_BREAK_GLASS_FAILURES_PER_WORKER, window)),
        (
            f"break-glass-failed:address:{client_address}",
            ratelimit.Rate(settings.NYTH_BREAK_GLASS_FAILURES_PER_ADDRESS, window),
        ),
    ]


def identification_allowed(*, by: User, client_address: str) -> bool:
    """Whether this worker, from this address, may try to identify a record now: failed
    identifications are limited per worker and per client address (moving windows shared by
    every process, core.ratelimit), so the exact-match form cannot be used to guess NHS numbers
    or dates of birth. Once either window is full every attempt is refused – a right guess too,
    or the refusal itself would confirm it."""
    return all(ratelimit.allows(key, rate) for key, rate in _failure_limits(by, client_address))


def record_failed_identification(*, by: User, reason: str, client_address: str, limited: bool = False) -> None:
    """Audit an identification that matched nothing (or was refused by the limit) and count it."""
    detail: dict[str, Any] = {"matched": False, "client_address": client_address}
    if limited:
        detail["limited"] = True
    else:
        for key, rate in _failure_limits(by, client_address):
            ratelimit.hit(key, rate)
    record(actor=by, action=Action.BREAK_GLASS, route=Route.BREAK_GLASS, reason=reason, detail=detail)


def _repeat_kind(access: BreakGlassAccess) -> str:
    """A repeat is the same worker opening the same record again within the repeat window, or
    their ``NYTH_BREAK_GLASS_DAILY_ALERT``-th emergency access in it (ADR 013)."""
    since = access.started_at - timedelta(hours=settings.NYTH_BREAK_GLASS_REPEAT_HOURS)
    earlier = BreakGlassAccess.objects.filter(user_id=access.user_id, started_at__gte=since).exclude(pk=access.pk)
    if earlier.filter(child_id=access.child_id).exists():
        return BreakGlassAccess.Repeat.SAME_CHILD
    if earlier.count() + 1 >= settings.NYTH_BREAK_GLASS_DAILY_ALERT:
        return BreakGlassAccess.Repeat.MANY
    return ""


def _alert_managers_of_repeat(access: BreakGlassAccess, service_id: int) -> None:
    """Email the service's managers now (not the next morning) about a repeat. Like the morning
    report it names no young person: the worker, when, and the link to the review page."""
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import ngettext

    from accounts.models import User
    from jobs.email import send_once

    hours = settings.NYTH_BREAK_GLASS_REPEAT_HOURS
    since = access.started_at - timedelta(hours=hours)
    count = BreakGlassAccess.objects.filter(user_id=access.user_id, started_at__gte=since).count()
    managers = User.objects.filter(organisation_id=service_id, role=Role.SERVICE_MANAGER, is_active=True).exclude(
        email=""
    )
    for manager in managers:
        with translation.override(manager.preferred_language or settings.LANGUAGE_CODE):
            values = {
                "who": access.user.get_full_name() or access.user.username,
                "when": timezone.localtime(access.started_at).strftime("%d/%m/%Y %H:%M"),
                "count": count,
                "hours": hours,
            }
            if access.repeat == BreakGlassAccess.Repeat.SAME_CHILD:
                what = (
                    ngettext(
                        "%(when)s: %(who)s started emergency access to a record they had already opened through "
                        "emergency access in the last %(hours)s hour.",
                        "%(when)s: %(who)s started emergency access to a record they had already opened through "
                        "emergency access in the last %(hours)s hours.",
                        hours,
                    )
                    % values
                )
            else:
                what = (
                    ngettext(
                        "%(when)s: %(who)s has started emergency access %(count)s time in the last %(hours)s hours.",
                        "%(when)s: %(who)s has started emergency access %(count)s times in the last %(hours)s hours.",
                        count,
                    )
                    % values
                )
            body = "\n".join(
                [
                    what,
                    "",
                    _("Review it now, with the reason given and every page opened:"),
                    settings.NYTH_SITE_URL + reverse("people:break_glass_review"),
                ]
            )
            subject = _("Emergency access repeated: please review")
        send_once(event_key=f"break-glass-repeat:{access.pk}", to=manager.email, subject=subject, body=body)


@transaction.atomic
def start_break_glass(
    *, by: User, child: Child, reason: str, client_address: str = "", text_language: str = ""
) -> BreakGlassAccess:
    """Start emergency access – or, when this worker's access to ``child`` is still running,
    return that one: never a second, overlapping access (its first reason stands)."""
    if not can_break_glass(by) or by.organisation_id != child.service_id:
        raise PermissionDenied
    reason = reason.strip()
    if not reason_has_words(reason):
        raise ValidationError({"reason": REASON_ERROR})
    # One start at a time per worker (two tabs, a double click): the check for a running access
    # and the repeat count below must see each other's rows. SQLite's IMMEDIATE transactions
    # already serialise writers; on PostgreSQL this row lock does.
    from accounts.models import User

    list(User.objects.select_for_update().filter(pk=by.pk).values_list("pk", flat=True))
    existing = active_break_glass(user=by, child=child)
    if existing is not None:
        return existing
    now = timezone.now()
    access = BreakGlassAccess(
        user=by,
        child=child,
        reason=reason,
        text_language=text_language,
        started_at=now,
        expires_at=now + timedelta(hours=settings.NYTH_BREAK_GLASS_HOURS),
    )
    access.repeat = _repeat_kind(access)
    access.save()
    # Where emergency access was started from (core.net.client_address): the morning review
    # can tell the office from an unexpected network.
    detail: dict[str, Any] = {"client_address": client_address} if client_address else {}
    if access.repeat:
        detail["repeat"] = access.repeat
    record(
        actor=by,
        action=Action.BREAK_GLASS,
        obj=access,
        child_id=child.pk,
        route=Route.BREAK_GLASS,
        reason=reason,
        detail=detail or None,
    )
    if access.repeat:
        _alert_managers_of_repeat(access, child.service_id)
    return access


#: The message for a whole-record reason that says nothing (form and service alike).
WHOLE_RECORD_REASON_ERROR = gettext_lazy(
    "Explain in words why the safety plan and contacts are not enough, for example “Police ask "
    "about a placement move last month”: at least three different words."
)


@transaction.atomic
def grant_whole_record(*, by: User, access: BreakGlassAccess, reason: str, text_language: str = "") -> BreakGlassAccess:
    """The second tier of emergency access: the rest of the record, for the rest of this access,
    with its own reason – recorded (``Action.BREAK_GLASS``, detail ``tier: whole_record``) and
    shown to the manager's review as a second grant (ADR 014). Asking again changes nothing."""
    locked = BreakGlassAccess.objects.select_for_update().get(pk=access.pk)
    if locked.user_id != by.pk or locked.ended_at is not None or locked.expires_at <= timezone.now():
        raise PermissionDenied
    if locked.whole_record_at is not None:
        return locked
    reason = reason.strip()
    if not reason_has_words(reason):
        raise ValidationError({"reason": WHOLE_RECORD_REASON_ERROR})
    locked.whole_record_at = timezone.now()
    locked.whole_record_reason = reason
    locked.whole_record_language = text_language
    # A second grant is reviewed (and reported next morning) in its own right, even when the
    # first tier was already reviewed: it waits again. The earlier review stays in the audit trail.
    locked.reviewed_at = None
    locked.reviewed_by = None
    locked.reported_at = None
    locked.save(
        update_fields=[
            "whole_record_at",
            "whole_record_reason",
            "whole_record_language",
            "reviewed_at",
            "reviewed_by",
            "reported_at",
        ]
    )
    record(
        actor=by,
        action=Action.BREAK_GLASS,
        obj=locked,
        child_id=locked.child_id,
        route=Route.BREAK_GLASS,
        reason=reason,
        detail={"tier": "whole_record"},
    )
    return locked


@transaction.atomic
def review_break_glass(*, by: User, access: BreakGlassAccess, note: str, text_language: str = "") -> BreakGlassAccess:
    if by.role != Role.SERVICE_MANAGER or by.organisation_id != access.child.service_id:
        raise PermissionDenied
    access.reviewed_by = by
    access.reviewed_at = timezone.now()
    access.review_note = note.strip()
    access.review_language = text_language if access.review_note else ""
    access.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "review_language"])
    record(
        actor=by,
        action=Action.REVIEW,
        obj=access,
        child_id=access.child_id,
        reason=access.review_note,
        route=audit_route(by, access.child_id),
    )
    return access


# --------------------------------------------------------------------------------------------
# Merging two records of one child (issue 3, "one child, one record"). Never automatic: a service
# manager of the service holding both records confirms, states why, and can undo it.


#: The audit writer, under a name that ``unmerge_children``'s ``record`` argument does not hide.
_audit_record = record


def _json_id(pk: Any) -> Any:
    return pk if isinstance(pk, int) else str(pk)


def can_merge(user: User, *children: Child) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.SERVICE_MANAGER
        and user.organisation_id is not None
        and all(child.service_id == user.organisation_id for child in children)
    )


def _child_relations() -> list[tuple[type[models.Model], str, str]]:
    """(model, field name, key in MergeRecord.moved) for every row type that points at a Child,
    discovered generically so later apps' models move too. Skips the merge links themselves
    (``merged_into``, MergeRecord) and django-simple-history's historical models: history is
    never rewritten."""
    from simple_history.models import HistoricalChanges

    from people.models import MergeRecord

    found: list[tuple[type[models.Model], str]] = []
    for relation in Child._meta.related_objects:
        # A class once the apps are loaded (only a lazy reference like "self" before).
        model = cast("type[models.Model]", relation.related_model)
        if model is MergeRecord or issubclass(model, HistoricalChanges):
            continue
        if model is Child and relation.field.name == "merged_into":
            continue
        if relation.many_to_many:
            # A ManyToManyRel has ``through``; a many-to-many field's own relation names it on
            # its remote field.
            through = cast(
                "type[models.Model]",
                getattr(relation, "through", None) or cast(ManyToManyRel, relation.field.remote_field).through,
            )
            for through_field in through._meta.get_fields():
                if getattr(through_field, "related_model", None) is Child and through_field.many_to_one:
                    found.append((through, through_field.name))
            continue
        found.append((model, relation.field.name))
    counts: dict[type[models.Model], int] = {}
    for model, _name in found:
        counts[model] = counts.get(model, 0) + 1
    return [
        (model, name, model._meta.label if counts[model] == 1 else f"{model._meta.label}.{name}")
        for model, name in found
    ]


def _move_rows(
    model: type[models.Model], field_name: str, ids: list[Any], to: Child, reason: str
) -> tuple[list[Any], list[Any]]:
    """Point each row at ``to``, one at a time inside a savepoint, saving through the model so
    field history records the move. A row that would break a uniqueness rule (``to`` already has
    the same) stays where it is. Returns (moved ids, left ids)."""
    from django.db import IntegrityError

    moved, left = [], []
    for row in unscoped_rows(model).filter(pk__in=ids).order_by("pk"):
        setattr(row, field_name, to)
        mark_version(row, reason=reason)
        try:
            with transaction.atomic():
                row.save(update_fields=[field_name])
        except IntegrityError:
            left.append(_json_id(row.pk))
        else:
            moved.append(_json_id(row.pk))
    return moved, left


@transaction.atomic
def merge_children(*, by: User, keep: Child, merge: Child, reason: str) -> Any:
    """Merge ``merge`` into ``keep``: every row that belongs to ``merge`` (placements, people
    around the child, care team, emergency accesses and any later app's rows) is re-pointed to
    ``keep``, and ``merge.merged_into`` is set. Both records and all history stay; the
    ``MergeRecord`` lists exactly which rows moved so ``unmerge_children`` can put them back.

    Only a service manager of the service holding both records may merge, and only after
    confirming: nothing calls this automatically. Audited for both children."""
    from people.models import MergeRecord

    if not can_merge(by, keep, merge):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Explain why these records are the same child (at least 10 characters).")})
    if keep.pk == merge.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    locked = {c.pk: c for c in Child.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk]).order_by("pk")}
    keep, merge = locked[keep.pk], locked[merge.pk]
    if keep.merged_into_id is not None or merge.merged_into_id is not None:
        raise ValidationError(_("One of these records has already been merged into another record."))
    merge_record = MergeRecord.objects.create(keep=keep, merged=merge, by=by, reason=reason)
    change_reason = f"merge {merge_record.pk}: child {merge.pk} into {keep.pk}"
    moved: dict[str, list[Any]] = {}
    left_in_place: dict[str, list[Any]] = {}
    for model, field_name, label in _child_relations():
        ids = list(unscoped_rows(model).filter(**{field_name: merge}).order_by("pk").values_list("pk", flat=True))
        if not ids:
            continue
        done, left = _move_rows(model, field_name, ids, keep, change_reason)
        if done:
            moved[label] = done
        if left:
            left_in_place[label] = left
    merge_record.moved = moved
    merge_record.left_in_place = left_in_place
    merge_record.save(update_fields=["moved", "left_in_place"])
    merge.merged_into = keep
    merge.version += 1
    mark_version(merge, reason=change_reason)
    merge.save(update_fields=["merged_into", "version", "updated_at"])
    counts = {label: len(ids) for label, ids in moved.items()}
    _audit_record(
        actor=by,
        action=Action.MERGE,
        obj=keep,
        child_id=keep.pk,
        reason=reason,
        detail={"merged": merge.pk, "merge_record": merge_record.pk, "moved": counts},
        route=audit_route(by, keep),
    )
    _audit_record(
        actor=by,
        action=Action.MERGE,
        obj=merge,
        child_id=merge.pk,
        reason=reason,
        detail={"merged_into": keep.pk, "merge_record": merge_record.pk, "moved": counts},
        route=audit_route(by, merge),
    )
    return merge_record


@transaction.atomic
def unmerge_children(*, by: User, record: Any, reason: str) -> Any:
    """Undo a merge: move exactly the rows the merge moved back to the merged record and clear
    ``merged_into``. Rows added to the kept record since the merge stay with it. A later merge of
    the kept record into another must be undone first."""
    from people.models import MergeRecord

    merge_record = MergeRecord.objects.select_for_update().select_related("keep", "merged").get(pk=record.pk)
    keep, merged = merge_record.keep, merge_record.merged
    if not can_merge(by, keep, merged):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Explain why this merge is being undone (at least 10 characters).")})
    if merge_record.undone_at is not None:
        raise ValidationError(_("This merge has already been undone."))
    locked = {c.pk: c for c in Child.objects.select_for_update().filter(pk__in=[keep.pk, merged.pk]).order_by("pk")}
    keep, merged = locked[keep.pk], locked[merged.pk]
    if keep.merged_into_id is not None:
        raise ValidationError(_("The kept record has since been merged into another record: undo that merge first."))
    if merged.merged_into_id != keep.pk:
        raise ValidationError(_("This merge has already been undone."))
    change_reason = f"unmerge {merge_record.pk}: child {merged.pk} from {keep.pk}"
    relations = {label: (model, field_name) for model, field_name, label in _child_relations()}
    returned: dict[str, list[Any]] = {}
    not_returned: dict[str, list[Any]] = {}
    for label, ids in merge_record.moved.items():
        if label not in relations:
            not_returned[label] = list(ids)
            continue
        model, field_name = relations[label]
        still_here = list(
            unscoped_rows(model).filter(pk__in=ids, **{field_name: keep}).order_by("pk").values_list("pk", flat=True)
        )
        done, left = _move_rows(model, field_name, still_here, merged, change_reason)
        if done:
            returned[label] = done
        missing = sorted(set(ids) - set(done), key=str)
        if missing:
            not_returned[label] = missing
    merged.merged_into = None
    merged.version += 1
    mark_version(merged, reason=change_reason)
    merged.save(update_fields=["merged_into", "version", "updated_at"])
    merge_record.undone_at = timezone.now()
    merge_record.undone_by = by
    merge_record.undo_reason = reason
    merge_record.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    counts = {label: len(ids) for label, ids in returned.items()}
    detail_extra = {"merge_record": merge_record.pk, "moved_back": counts}
    if not_returned:
        detail_extra["not_moved_back"] = not_returned
    _audit_record(
        actor=by,
        action=Action.UPDATE,
        obj=keep,
        child_id=keep.pk,
        reason=reason,
        detail={"unmerged": merged.pk, **detail_extra},
        route=audit_route(by, keep),
    )
    _audit_record(
        actor=by,
        action=Action.UPDATE,
        obj=merged,
        child_id=merged.pk,
        reason=reason,
        detail={"unmerged": keep.pk, **detail_extra},
        route=audit_route(by, merged),
    )
    return merge_record


# --- The next-morning emergency access report ----------------------------------------------------


def report_emergency_access() -> dict[int, int]:
    """Email each service's managers the emergency accesses not yet reported to them, so every
    one is looked at the next morning. The email names no young person (email is not the
    record): it gives who opened records, when, for how long, and the link to the review page,
    where the reason and every page opened are shown. Each access is reported once: it is
    marked after its service's email is sent, so a failed send is retried on the next run.
    Each manager's email goes through the outbox's sent-marker (``jobs.email.deliver_once``),
    keyed by the service and the accesses it reports: a run killed part-way and run again
    (the reaper re-queues it) skips the managers already told – only an email in flight at
    the crash can go twice. Returns {service id: accesses reported}."""
    import hashlib

    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import ngettext

    from accounts.models import User
    from jobs.crash import crash_point
    from jobs.email import deliver_once
    from people.models import BreakGlassAccess

    pending = (
        BreakGlassAccess.objects.filter(reported_at__isnull=True, started_at__lte=timezone.now())
        .select_related("user", "child")
        .order_by("child__service_id", "started_at", "pk")
    )
    by_service: dict[int, list[BreakGlassAccess]] = {}
    for access in pending:
        by_service.setdefault(access.child.service_id, []).append(access)
    reported: dict[int, int] = {}
    for service_id, accesses in by_service.items():
        managers = list(
            User.objects.filter(organisation_id=service_id, role=Role.SERVICE_MANAGER, is_active=True).exclude(email="")
        )
        if not managers:
            continue  # left unreported: it stays on the review page and the home page warning
        # A second grant (the whole record) is reported again in its own right: its own key.
        ids = ",".join(f"{a.pk}{'+whole' if a.whole_record_at else ''}" for a in accesses)
        event_key = f"emergency-access-report:{service_id}:{hashlib.sha256(ids.encode()).hexdigest()[:32]}"
        for manager in managers:
            language = manager.preferred_language or settings.LANGUAGE_CODE
            with translation.override(language):
                lines = []
                for a in accesses:
                    hours = max(1, round((a.expires_at - a.started_at).total_seconds() / 3600))
                    lines.append(
                        ngettext(
                            "%(when)s: %(who)s, for %(hours)s hour.", "%(when)s: %(who)s, for %(hours)s hours.", hours
                        )
                        % {
                            "when": timezone.localtime(a.started_at).strftime("%d/%m/%Y %H:%M"),
                            "who": a.user.get_full_name() or a.user.username,
                            "hours": hours,
                        }
                    )
                    if a.whole_record_at:
                        lines.append("  " + _("Then the whole record, as a second grant with its own reason."))
                body = "\n".join(
                    [
                        _("Emergency access was used to open young people's records out of hours:"),
                        "",
                        *lines,
                        "",
                        _("Review each one, with the reason given and every page opened:"),
                        settings.NYTH_SITE_URL + reverse("people:break_glass_review"),
                    ]
                )
                subject = _("Emergency access to review: %(count)s") % {"count": len(accesses)}
            deliver_once(event_key=event_key, to=manager.email, subject=subject, body=body)
        crash_point("emergency_report:before_marking")
        BreakGlassAccess.objects.filter(pk__in=[a.pk for a in accesses]).update(reported_at=timezone.now())
        reported[service_id] = len(accesses)
    return reported
