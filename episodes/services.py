"""Episodes and transitions: the rules live here (permission, validation, stale-edit refusal,
audit); views only parse and render.

Every change names the version of the episode or transition it was based on; a change based on
an older version raises ``core.errors.StaleEditError`` with what is stored now, and nothing
is written.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Required, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import SERVICE_ROLES, Role
from audit.models import Action
from audit.services import record
from core.errors import StaleEditError
from core.history import mark_version
from episodes.checklists import items_for
from episodes.models import (
    ADULTHOOD_PLANNING_AGE,
    SUPPORT_UNTIL_AGE,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    OpenedFrom,
    Transition,
    TransitionChecklistItem,
    TransitionKind,
    TransitionStatus,
    twenty_fifth_birthday,
)
from outcomes import schedule as outcome_schedule
from people.access import audit_route, can_change
from people.models import CareTeamMembership, CareTeamRole, Child
from people.services import add_care_team_member, can_manage_care_team, end_care_team_membership

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User
    from people.models import Placement, RelatedPerson
    from referrals.models import Referral


def _require_writer(user: User, child: Child) -> None:
    # The care team and the service's managers change episodes and transitions; emergency
    # access reads them (people.access.can_change, the one rule).
    if not can_change(user, child):
        raise PermissionDenied


# --- Episodes ------------------------------------------------------------------------------


#: Which event each action records, and the statuses it may start from.
EPISODE_ACTIONS: dict[str, tuple[str, frozenset[str], str]] = {
    "pause": (EventKind.PAUSED, frozenset({EpisodeStatus.OPEN}), EpisodeStatus.PAUSED),
    "resume": (EventKind.RESUMED, frozenset({EpisodeStatus.PAUSED}), EpisodeStatus.OPEN),
    "close": (EventKind.CLOSED, frozenset({EpisodeStatus.OPEN, EpisodeStatus.PAUSED}), EpisodeStatus.CLOSED),
    "reopen": (EventKind.REOPENED, frozenset({EpisodeStatus.CLOSED}), EpisodeStatus.OPEN),
}


def current_episode(child: Child) -> Episode | None:
    return Episode.objects.filter(child=child).exclude(status=EpisodeStatus.CLOSED).first()


def _check_date(on: date | None, *, earliest: date | None, field: str = "on") -> None:
    if on is None:
        raise ValidationError({field: _("Enter a date")})
    if on > timezone.localdate():
        raise ValidationError({field: _("The date must be today or in the past")})
    if earliest is not None and on < earliest:
        raise ValidationError(
            {
                field: _("The date must be on or after %(date)s, the last date in this episode")
                % {"date": earliest.strftime("%d/%m/%Y")}
            }
        )


@transaction.atomic
def open_episode(
    *, by: User, child: Child, opened_on: date, opened_from: str, referral: Referral | None = None
) -> Episode:
    """Start a new episode, from a referral or for a young person coming back without one."""
    _require_writer(by, child)
    Child.objects.select_for_update().filter(pk=child.pk).first()  # one current episode, even under races
    errors: dict[str, str] = {}
    if opened_from not in OpenedFrom.values:
        errors["opened_from"] = _("Choose how support started")
    elif opened_from == OpenedFrom.REFERRAL and referral is None:
        errors["referral"] = _("Choose the referral")
    elif opened_from == OpenedFrom.RETURNING:
        referral = None
    if referral is not None and referral.child_id != child.pk:
        errors["referral"] = _("Choose a referral for this young person")
    if current_episode(child) is not None:
        errors["__all__"] = _(
            "Support is already open or paused for this young person: resume it rather than open another"
        )
    if errors:
        raise ValidationError(errors)
    _check_date(opened_on, earliest=None, field="opened_on")
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                child=child, opened_on=opened_on, opened_from=opened_from, referral=referral, opened_by=by
            )
    except IntegrityError as exc:  # a second "open" raced this one
        raise ValidationError({"__all__": _("Support is already open or paused for this young person")}) from exc
    EpisodeEvent.objects.create(episode=episode, kind=EventKind.OPENED, on=opened_on, recorded_by=by)
    record(
        actor=by,
        action=Action.CREATE,
        obj=episode,
        child_id=child.pk,
        detail={"event": EventKind.OPENED, "from": opened_from, "referral": referral.pk if referral else None},
        route=audit_route(by, child),
    )
    outcome_schedule.ensure_start_point(by=by, episode=episode)  # measures at the start
    return episode


class EpisodeEventValues(TypedDict, total=False):
    """Pausing, resuming, closing or re-opening (EpisodeEventForm's answers): the date, and the
    reason and readiness each needs (checked by ``change_episode``)."""

    on: Required[date]
    reason: str
    young_person_words: str
    practitioner_judgement: str
    text_language: str  # of the reason and words (core/text_language.py)


@transaction.atomic
def change_episode(
    *, by: User, episode: Episode, action: str, expected_version: int, values: EpisodeEventValues
) -> Episode:
    """Pause, resume, close or re-open an episode. Closing needs a reason and a record that the
    young person is ready (their words and the practitioner's judgement); pausing and re-opening
    need a reason; re-opening needs no new referral."""
    if action not in EPISODE_ACTIONS:
        raise ValueError(action)
    kind, allowed_from, new_status = EPISODE_ACTIONS[action]
    child = episode.child
    _require_writer(by, child)
    locked = Episode.objects.select_for_update().select_related("opened_by").get(pk=episode.pk)
    if locked.version != expected_version:
        raise StaleEditError(locked)
    if locked.status not in allowed_from:
        raise ValidationError(
            {
                "__all__": _("This cannot be done now: the episode is %(status)s")
                % {"status": locked.get_status_display().lower()}
            }
        )
    reason = (values.get("reason") or "").strip()
    words = (values.get("young_person_words") or "").strip()
    judgement = (values.get("practitioner_judgement") or "").strip()
    errors: dict[str, str] = {}
    if action in ("pause", "close", "reopen") and not reason:
        errors["reason"] = _("Give the reason")
    if action == "close":
        if not words:
            errors["young_person_words"] = _("Record, in the young person's words, that they feel ready")
        if not judgement:
            errors["practitioner_judgement"] = _("Record your judgement that the young person is ready")
    if errors:
        raise ValidationError(errors)
    last = locked.events.order_by("-on", "-pk").values_list("on", flat=True).first()
    _check_date(values.get("on"), earliest=last or locked.opened_on)
    if (
        action == "reopen"
        and Episode.objects.filter(child_id=locked.child_id)
        .exclude(pk=locked.pk)
        .exclude(status=EpisodeStatus.CLOSED)
        .exists()
    ):
        raise ValidationError({"__all__": _("Another episode is already open or paused for this young person")})
    event = EpisodeEvent.objects.create(
        episode=locked,
        kind=kind,
        on=values["on"],
        reason=reason,
        young_person_words=words if action == "close" else "",
        practitioner_judgement=judgement if action == "close" else "",
        text_language=values.get("text_language", ""),
        recorded_by=by,
    )
    locked.status = new_status
    locked.version += 1
    mark_version(locked, reason=reason[:100])
    locked.save(update_fields=["status", "version"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        detail={"event": kind, "status": new_status, "event_id": event.pk},
        route=audit_route(by, locked.child_id),
    )
    # Outcome measures at the end (still recordable after the close); re-opening withdraws one
    # that was never recorded; resuming schedules the next review if none is waiting.
    if action == "close":
        outcome_schedule.ensure_end_point(by=by, episode=locked, on=values["on"])
    elif action == "reopen":
        outcome_schedule.withdraw_end_point(by=by, episode=locked)
    elif action == "resume":
        outcome_schedule.ensure_interval_review(by=by, episode=locked)
    return locked


# --- Transitions ---------------------------------------------------------------------------


class TransitionValues(TypedDict, total=False):
    """A transition as planned or changed (``create_transition``, ``update_transition``). Its keys
    are written once, here: TransitionForm takes its fields from them, in this order; the fields
    of other kinds are cleared (``KIND_FIELDS``)."""

    planned_on: date
    status: str
    summary: str
    text_language: str  # of the summary (core/text_language.py)
    placement: Placement | None
    out_of_county_to_local: bool
    from_practitioner: User | None
    to_practitioner: User | None
    adult_service: str
    support_until: date | None


TRANSITION_FIELDS = tuple(TransitionValues.__annotations__)
#: Fields that belong to one kind only (cleared for the others; TransitionForm shows only these).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    TransitionKind.PLACEMENT_MOVE: ("placement", "out_of_county_to_local"),
    TransitionKind.PRACTITIONER_CHANGE: ("from_practitioner", "to_practitioner"),
    TransitionKind.ADULTHOOD: ("adult_service", "support_until"),
}
_BLANK: dict[str, Any] = {
    "placement": None,
    "out_of_county_to_local": False,
    "from_practitioner": None,
    "to_practitioner": None,
    "adult_service": "",
    "support_until": None,
}


def is_service_staff(user: User | None, child: Child) -> bool:
    return (
        user is not None and user.role in SERVICE_ROLES and user.organisation_id == child.service_id and user.is_active
    )


def _validate_transition(transition: Transition, trusted_adults: Iterable[RelatedPerson]) -> None:
    child = transition.child
    errors: dict[str, str] = {}
    if transition.placement is not None and transition.placement.child_id != child.pk:
        errors["placement"] = _("Choose one of this young person's placements")
    for field in ("from_practitioner", "to_practitioner"):
        person = getattr(transition, field)
        if person is not None and not is_service_staff(person, child):
            errors[field] = _("Choose a member of this service's staff")
    # The work is allocated to a practitioner (not a manager or an on-call worker).
    if transition.to_practitioner is not None and transition.to_practitioner.role != Role.PRACTITIONER:
        errors["to_practitioner"] = _("Choose a practitioner of this service")
    if transition.from_practitioner_id is not None and transition.from_practitioner_id == transition.to_practitioner_id:
        errors["to_practitioner"] = _("The new practitioner must be someone else")
    if any(person.child_id != child.pk for person in trusted_adults):
        errors["trusted_adults"] = _("Choose people around this young person")
    if transition.support_until is not None and transition.support_until > twenty_fifth_birthday(child):
        errors["support_until"] = _("Support can continue up to the young person's 25th birthday (%(date)s)") % {
            "date": twenty_fifth_birthday(child).strftime("%d/%m/%Y")
        }
    if transition.status == TransitionStatus.DONE:
        errors["status"] = _("Use “Complete the transition” to mark it done")
    if errors:
        raise ValidationError(errors)


def _clean_for_kind(kind: str, values: TransitionValues) -> dict[str, Any]:
    given: dict[str, Any] = dict(values)
    cleaned = {field: given[field] for field in TRANSITION_FIELDS if field in given}
    own = KIND_FIELDS.get(kind, ())
    for field, blank in _BLANK.items():
        if field not in own:
            cleaned[field] = blank
    return cleaned


def _add_default_items(transition: Transition, *, start: int = 0) -> int:
    """Create the kind's default items not already on the checklist; returns how many."""
    have = set(transition.checklist.values_list("key", flat=True))
    rows = []
    with override("en"):  # the stored text is a fallback only: labels show in the reader's language
        for position, (key, label) in enumerate(
            items_for(transition.kind, out_of_county_to_local=transition.out_of_county_to_local), start=start
        ):
            if key not in have:
                rows.append(TransitionChecklistItem(transition=transition, position=position, key=key, text=str(label)))
    TransitionChecklistItem.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def create_transition(
    *, by: User, child: Child, kind: str, values: TransitionValues, trusted_adults: Iterable[RelatedPerson] = ()
) -> Transition:
    """Plan a transition; its checklist starts from the kind's default items."""
    _require_writer(by, child)
    if kind not in TransitionKind.values:
        raise ValidationError({"kind": _("Choose the kind of transition")})
    trusted_adults = list(trusted_adults) if kind == TransitionKind.PRACTITIONER_CHANGE else []
    transition = Transition(child=child, kind=kind, created_by=by, **_clean_for_kind(kind, values))
    _validate_transition(transition, trusted_adults)
    transition.full_clean()
    transition.save()
    transition.trusted_adults.set(trusted_adults)
    items = _add_default_items(transition)
    record(
        actor=by,
        action=Action.CREATE,
        obj=transition,
        child_id=child.pk,
        detail={
            "kind": kind,
            "checklist_items": items,
            "placement": transition.placement_id,
            "trusted_adults": [person.pk for person in trusted_adults],
        },
        route=audit_route(by, child),
    )
    return transition


def _lock(transition: Transition, expected_version: int) -> Transition:
    locked = Transition.objects.select_for_update().select_related("child").get(pk=transition.pk)
    if locked.version != expected_version:
        raise StaleEditError(locked)
    return locked


def _refuse_if_done(transition: Transition) -> None:
    if transition.is_done:
        raise ValidationError({"__all__": _("This transition is complete and can no longer be changed")})


@transaction.atomic
def update_transition(
    *,
    by: User,
    transition: Transition,
    expected_version: int,
    values: TransitionValues,
    trusted_adults: Iterable[RelatedPerson] | None = None,
) -> Transition:
    _require_writer(by, transition.child)
    locked = _lock(transition, expected_version)
    _refuse_if_done(locked)
    cleaned = _clean_for_kind(locked.kind, values)
    changed = [field for field, value in cleaned.items() if getattr(locked, field) != value]
    for field in changed:
        setattr(locked, field, cleaned[field])
    adults = list(trusted_adults) if trusted_adults is not None and locked.is_practitioner_change else None
    _validate_transition(locked, adults or [])
    adults_changed = adults is not None and {p.pk for p in adults} != set(
        locked.trusted_adults.values_list("pk", flat=True)
    )
    if not changed and not adults_changed:
        return locked
    locked.full_clean()
    locked.version += 1
    locked.save()
    if adults is not None and adults_changed:
        locked.trusted_adults.set(adults)
        changed.append("trusted_adults")
    added = _add_default_items(locked, start=locked.checklist.count()) if "out_of_county_to_local" in changed else 0
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        detail={
            "fields": changed,
            "checklist_items_added": added,
            **({"trusted_adults": [person.pk for person in adults]} if adults_changed and adults is not None else {}),
        },
        route=audit_route(by, locked.child_id),
    )
    return locked


@transaction.atomic
def tick_checklist(*, by: User, transition: Transition, expected_version: int, done_ids: Iterable[int]) -> Transition:
    """Save the ticks: items ticked now are done today by ``by`` (an item already done keeps
    its date and who did it); items unticked are no longer done."""
    _require_writer(by, transition.child)
    locked = _lock(transition, expected_version)
    _refuse_if_done(locked)
    wanted = {int(pk) for pk in done_ids}
    today = timezone.localdate()
    ticked, unticked = [], []
    for item in locked.checklist.select_for_update():
        if item.pk in wanted and not item.is_done:
            item.done_on, item.done_by = today, by
            item.save(update_fields=["done_on", "done_by"])
            ticked.append(item.pk)
        elif item.pk not in wanted and item.is_done:
            item.done_on, item.done_by = None, None
            item.save(update_fields=["done_on", "done_by"])
            unticked.append(item.pk)
    if not ticked and not unticked:
        return locked
    if locked.status == TransitionStatus.PLANNED:
        locked.status = TransitionStatus.IN_PROGRESS  # work has started
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        detail={"checklist_done": ticked, "checklist_undone": unticked},
        route=audit_route(by, locked.child_id),
    )
    return locked


@transaction.atomic
def add_checklist_item(
    *, by: User, transition: Transition, expected_version: int, text: str, text_language: str = ""
) -> TransitionChecklistItem:
    _require_writer(by, transition.child)
    locked = _lock(transition, expected_version)
    _refuse_if_done(locked)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what needs doing")})
    item = TransitionChecklistItem.objects.create(
        transition=locked, position=locked.checklist.count(), text=text[:300], text_language=text_language
    )
    locked.version += 1
    locked.save(update_fields=["version"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        detail={"checklist_item_added": item.pk},
        route=audit_route(by, locked.child_id),
    )
    return item


class CompletionValues(TypedDict, total=False):
    """Completing a transition (CompleteTransitionForm's answers): the date, and for a change of
    practitioner the new practitioner and the handover summary (checked by
    ``complete_transition``)."""

    completed_on: Required[date]
    to_practitioner: User | None
    handover_summary: str
    text_language: str  # of the handover summary (core/text_language.py)


@transaction.atomic
def complete_transition(
    *, by: User, transition: Transition, expected_version: int, values: CompletionValues
) -> Transition:
    """Mark the transition done. A change of practitioner needs the new practitioner and a
    handover summary; when completed by a service manager the care team changes at once,
    otherwise it waits for a manager (``care_team_change_pending``)."""
    _require_writer(by, transition.child)
    locked = _lock(transition, expected_version)
    _refuse_if_done(locked)
    errors: dict[str, str] = {}
    completed_on = values.get("completed_on")
    if locked.is_practitioner_change:
        handover = (values.get("handover_summary") or "").strip()
        if not handover:
            errors["handover_summary"] = _("Write the handover summary before completing a change of practitioner")
        if "to_practitioner" in values:
            locked.to_practitioner = values["to_practitioner"]
        if locked.to_practitioner_id is None:
            errors["to_practitioner"] = _("Choose the new practitioner")
        locked.handover_summary = handover
        locked.handover_language = values.get("text_language", "")
    if errors:
        raise ValidationError(errors)
    _check_date(completed_on, earliest=None, field="completed_on")
    _validate_transition(locked, [])
    locked.status = TransitionStatus.DONE
    locked.completed_on = completed_on
    locked.completed_by = by
    locked.version += 1
    locked.full_clean()
    locked.save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        detail={"completed": True, "kind": locked.kind},
        route=audit_route(by, locked.child_id),
    )
    if locked.is_practitioner_change:
        if can_manage_care_team(by, locked.child):
            _change_care_team(by, locked)
        else:
            locked.care_team_change_pending = True
            locked.save(update_fields=["care_team_change_pending"])
    return locked


def _change_care_team(by: User, transition: Transition) -> None:
    """The new practitioner joins the care team (as lead if the one leaving was lead) and the
    one leaving stops being a member – through people.services, which checks and audits. The one
    leaving goes first: a young person has one lead at a time (a database rule)."""
    child = transition.child
    joining_user = transition.to_practitioner
    if joining_user is None:  # refused when completing (complete_transition: "Choose the new practitioner")
        return
    leaving = (
        CareTeamMembership.objects.filter(
            child=child, user_id=transition.from_practitioner_id, ended_at__isnull=True
        ).first()
        if transition.from_practitioner_id
        else None
    )
    role = CareTeamRole.LEAD if leaving is not None and leaving.role == CareTeamRole.LEAD else CareTeamRole.PRACTITIONER
    if leaving is not None:
        end_care_team_membership(by=by, membership=leaving)
    joining = CareTeamMembership.objects.filter(child=child, user=joining_user, ended_at__isnull=True).first()
    if joining is not None and joining.role != role and role == CareTeamRole.LEAD:
        # Already in the team in another role: that membership ends and a lead one starts, so
        # the young person is never left without a lead and the history shows the change.
        end_care_team_membership(by=by, membership=joining)
        joining = None
    if joining is None:
        add_care_team_member(by=by, child=child, member=joining_user, role=role)
    transition.care_team_change_pending = False
    transition.care_team_changed_by = by
    transition.care_team_changed_at = timezone.now()
    transition.save(update_fields=["care_team_change_pending", "care_team_changed_by", "care_team_changed_at"])


@transaction.atomic
def apply_care_team_change(*, by: User, transition: Transition) -> Transition:
    """A service manager changes the care team for a change of practitioner a practitioner
    completed."""
    # Lock the transition's row only: PostgreSQL cannot lock the nullable side of the outer join
    # that the new practitioner is read through.
    locked = (
        Transition.objects.select_for_update(of=("self",))
        .select_related("child", "to_practitioner")
        .get(pk=transition.pk)
    )
    if not can_manage_care_team(by, locked.child):
        raise PermissionDenied
    if not (locked.is_done and locked.is_practitioner_change and locked.care_team_change_pending):
        raise ValidationError({"__all__": _("There is no care team change waiting for this transition")})
    _change_care_team(by, locked)
    locked.version += 1
    locked.save(update_fields=["version"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        detail={"care_team_changed": True},
        route=audit_route(by, locked.child_id),
    )
    return locked


def adulthood_planning_due(child: Child, transitions: Iterable[Transition]) -> bool:
    """16 or over (and under 25) with no transition into adulthood planned: planning should start."""
    return ADULTHOOD_PLANNING_AGE <= child.age < SUPPORT_UNTIL_AGE and not any(
        t.kind == TransitionKind.ADULTHOOD for t in transitions
    )


# --- Booked sessions after a change of practitioner ------------------------------------------


def sessions_to_move(transition: Transition) -> Any:
    """The leaving worker's booked sessions with the young person still to come: offered for
    moving to the new worker once a change of practitioner is done. What already happened stays
    as it happened."""
    from contacts.models import Attendance, Contact

    if not (
        transition.is_practitioner_change
        and transition.is_done
        and transition.from_practitioner_id
        and transition.to_practitioner_id
    ):
        return Contact.objects.none()
    return Contact.objects.filter(
        child_id=transition.child_id,
        practitioner_id=transition.from_practitioner_id,
        attendance=Attendance.BOOKED,
        starts_at__gt=timezone.now(),
    ).order_by("starts_at", "pk")


@transaction.atomic
def move_sessions(*, by: User, transition: Transition, contact_ids: Iterable[int]) -> int:
    """Give the chosen booked sessions to the new practitioner; returns how many moved. Only the
    leaving worker's future booked sessions with this young person can be moved this way."""
    _require_writer(by, transition.child)
    moved = 0
    for contact in sessions_to_move(transition).filter(pk__in=list(contact_ids)).select_for_update():
        contact.practitioner = transition.to_practitioner
        contact.version += 1
        contact._change_reason = "Change of practitioner"
        contact.save(update_fields=["practitioner", "version"])
        record(
            actor=by,
            action=Action.UPDATE,
            obj=contact,
            child_id=contact.child_id,
            detail={"practitioner": transition.to_practitioner_id, "transition": transition.pk},
            route=audit_route(by, contact.child_id),
        )
        moved += 1
    return moved
