"""Writes for choice and co-produced plans. Permission, validation, stale-edit refusal and the
audit live here; views only parse and render.

Who may do what:
- the catalogue: every member of the service's staff reads it; its service managers keep it;
- a young person's offers, choices and plan: whoever can see the record reads them
  (``Child.objects.visible_to``, including emergency access, read-only); the care team and the
  service's managers write them.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import Action, Route
from audit.services import record
from core.errors import StaleEditError
from core.history import mark_version
from outcomes import schedule as outcome_schedule
from people.access import audit_route, can_change
from people.models import Child, LegalStatus
from plans.catalogue import STANDARD_OPTIONS
from plans.models import (
    DECIDED,
    REASON_REQUIRED,
    Agreement,
    DeliveryLanguage,
    Goal,
    OptionOffer,
    Plan,
    PlanAction,
    PlanReview,
    Response,
    SupportOption,
)

if TYPE_CHECKING:
    from accounts.models import User


# Each editable field list is written once, here, as the typed input of its service: the forms
# (plans/forms.py) take their fields from these keys (in this order), and the services apply
# only these. The views pass ``core.forms.service_values(form, XValues)``.


class OptionTextValues(TypedDict, total=False):
    kind: str
    name_en: str
    name_cy: str
    description_en: str
    description_cy: str
    suits_en: str
    suits_cy: str
    adaptations_en: str
    adaptations_cy: str
    evidence_en: str
    evidence_cy: str


class OptionValues(OptionTextValues, total=False):
    """A catalogue option; the language flags are one "Languages it can be delivered in"
    question on the form."""

    in_welsh: bool
    in_english: bool
    with_interpreter: bool


class ChoiceValues(TypedDict, total=False):
    response: str
    reason: str
    reason_voice: str
    chose_instead: str
    decided_on: date | None
    text_language: str  # of the reason (core/text_language.py)


class PlanValues(TypedDict, total=False):
    language: str
    language_other: str
    care_plan_reference: str
    in_care_plan: bool
    next_lac_review_on: date | None
    looked_after_since: date | None
    agreement: str
    agreement_on: date | None
    agreement_words: str
    next_review_on: date
    text_language: str  # of the agreement words


class GoalValues(TypedDict, total=False):
    text: str
    voice: str
    status: str
    order: int | None
    text_language: str


class ActionValues(TypedDict, total=False):
    who: str
    who_name: str
    what: str
    goal: Goal | None
    by_when: date | None
    done_on: date | None
    text_language: str


class ReviewValues(TypedDict, total=False):
    held_on: date
    participants: str
    young_person_view: str
    progress: str
    changes: str
    next_review_on: date
    text_language: str


OPTION_TEXT_FIELDS = tuple(OptionTextValues.__annotations__)
OPTION_FIELDS = tuple(OptionValues.__annotations__)
OPTION_LANGUAGE_FIELDS = tuple(name for name in OPTION_FIELDS if name not in OPTION_TEXT_FIELDS)
CHOICE_FIELDS = tuple(ChoiceValues.__annotations__)
PLAN_FIELDS = tuple(PlanValues.__annotations__)
GOAL_FIELDS = tuple(GoalValues.__annotations__)
ACTION_FIELDS = tuple(ActionValues.__annotations__)
REVIEW_FIELDS = tuple(ReviewValues.__annotations__)


# --- Who may ------------------------------------------------------------------------------


def can_see_catalogue(user: User) -> bool:
    return user.is_authenticated and user.works_in_service


def can_manage_catalogue(user: User) -> bool:
    return can_see_catalogue(user) and user.role == Role.SERVICE_MANAGER


def _require_writer(user: User, child: Child) -> None:
    # The one rule (people.access); a service refuses with 403 whatever the scope, the view
    # has already answered 404 for a record outside it.
    if not can_change(user, child):
        raise PermissionDenied


def _by(instance: Any, user: User) -> Any:
    """Name the person in the saved version's history even outside a web request."""
    mark_version(instance, by=user)
    return instance


def _apply(instance: Any, fields: Iterable[str], values: Mapping[str, object]) -> list[str]:
    changed = []
    for field in fields:
        if field in values and getattr(instance, field) != values[field]:
            setattr(instance, field, values[field])
            changed.append(field)
    return changed


def _not_future(day: date | None, field: str, errors: dict[str, str]) -> None:
    if day is not None and day > timezone.localdate():
        errors[field] = _("The date must be today or in the past")


# --- The catalogue ------------------------------------------------------------------------


def _validate_option(option: SupportOption) -> None:
    errors: dict[str, str] = {}
    if not (option.in_welsh or option.in_english or option.with_interpreter):
        errors["languages"] = _("Choose at least one language it can be delivered in")
    same_name = SupportOption.objects.for_service(option.service_id).filter(name_en__iexact=option.name_en.strip())
    if option.pk:
        same_name = same_name.exclude(pk=option.pk)
    if same_name.exists():
        errors["name_en"] = _("The catalogue already has an option with this name")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_option(
    *, by: User, option: SupportOption | None, expected_version: int, values: OptionValues
) -> SupportOption:
    """Add an option to the manager's service catalogue, or change one (refused if someone
    saved it after ``expected_version``)."""
    if not can_manage_catalogue(by) or by.organisation_id is None:  # a manager works in a service
        raise PermissionDenied
    if option is None:
        option = SupportOption(service_id=by.organisation_id)
        _apply(option, OPTION_FIELDS, values)
        _validate_option(option)
        option.full_clean()
        _by(option, by).save()
        record(actor=by, action=Action.CREATE, obj=option, detail={"catalogue": True}, route=Route.UI)
        return option
    if option.service_id != by.organisation_id:
        raise PermissionDenied
    locked = SupportOption.objects.select_for_update().get(pk=option.pk)
    if locked.version != expected_version:
        raise StaleEditError(locked)
    changed = _apply(locked, OPTION_FIELDS, values)
    if not changed:
        return locked
    _validate_option(locked)
    locked.full_clean()
    locked.version += 1
    locked.updated_at = timezone.now()
    _by(locked, by).save()
    record(actor=by, action=Action.UPDATE, obj=locked, detail={"catalogue": True, "fields": changed}, route=Route.UI)
    return locked


@transaction.atomic
def set_option_active(*, by: User, option: SupportOption, active: bool) -> SupportOption:
    """Stop offering an option (or offer it again). Never deleted: offers made keep it."""
    if not can_manage_catalogue(by) or option.service_id != by.organisation_id:
        raise PermissionDenied
    locked = SupportOption.objects.select_for_update().get(pk=option.pk)
    if locked.is_active == active:
        return locked
    locked.is_active = active
    locked.version += 1
    locked.updated_at = timezone.now()
    _by(locked, by).save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        detail={"catalogue": True, "fields": ["is_active"], "active": active},
        route=Route.UI,
    )
    return locked


def _is_missing(entry: dict[str, Any], keys: set[str], names: set[str]) -> bool:
    return entry["key"] not in keys and entry["name_en"].lower() not in names


def standard_options_missing(options: Iterable[SupportOption]) -> bool:
    """Whether some standard option is not in this catalogue yet (by key, or an option of the
    same English name the service wrote itself)."""
    options = list(options)
    keys = {o.standard_key for o in options if o.standard_key}
    names = {o.name_en.lower() for o in options}
    return any(_is_missing(entry, keys, names) for entry in STANDARD_OPTIONS)


@transaction.atomic
def install_standard_options(*, service_id: int, by: User | None = None) -> list[SupportOption]:
    """Add the standard options (``plans.catalogue``) the service does not have yet – by key, or
    by an option of the same English name it already wrote. Returns those added."""
    if by is not None and (not can_manage_catalogue(by) or by.organisation_id != service_id):
        raise PermissionDenied
    existing = SupportOption.objects.for_service(service_id)
    keys = set(existing.exclude(standard_key="").values_list("standard_key", flat=True))
    names = {name.lower() for name in existing.values_list("name_en", flat=True)}
    added = []
    for entry in STANDARD_OPTIONS:
        if not _is_missing(entry, keys, names):
            continue
        values = {k: v for k, v in entry.items() if k != "key"}
        option = SupportOption(service_id=service_id, standard_key=entry["key"], **values)
        option.full_clean()
        if by is not None:
            _by(option, by)
        option.save()
        added.append(option)
    if added:
        record(
            actor=by,
            action=Action.CREATE,
            route=Route.UI if by is not None else Route.SYSTEM,
            detail={"catalogue": True, "standard_options": [o.standard_key for o in added]},
        )
    return added


# --- Offers and choices -------------------------------------------------------------------


@transaction.atomic
def offer_options(
    *, by: User, child: Child, options: Iterable[SupportOption], offered_on: date, how_explained: str
) -> list[OptionOffer]:
    """Record that these options were offered to the young person, and how they were explained.
    Returns the offers created; an option already offered that day is not recorded twice."""
    _require_writer(by, child)
    options = list(options)
    errors: dict[str, str] = {}
    if not options:
        errors["options"] = _("Choose at least one option")
    elif any(o.service_id != child.service_id or not o.is_active for o in options):
        errors["options"] = _("Choose options from this service's catalogue")
    _not_future(offered_on, "offered_on", errors)
    if not how_explained.strip():
        errors["how_explained"] = _("Say how the options were explained")
    if errors:
        raise ValidationError(errors)
    already = set(
        OptionOffer.objects.filter(child=child, offered_on=offered_on, option__in=options).values_list(
            "option_id", flat=True
        )
    )
    created = []
    for option in options:
        if option.pk in already:
            continue
        offer = OptionOffer(
            child=child,
            option=option,
            offered_on=offered_on,
            offered_by=by,
            recorded_by=by,
            how_explained=how_explained,
        )
        offer.full_clean(validate_constraints=False)
        _by(offer, by).save()
        created.append(offer)
        record(
            actor=by,
            action=Action.CREATE,
            obj=offer,
            child_id=child.pk,
            detail={"option": option.pk},
            route=audit_route(by, child),
        )
    return created


def _validate_choice(offer: OptionOffer) -> None:
    errors: dict[str, str] = {}
    if not offer.response:
        errors["response"] = _("Choose what the young person said")
    if offer.response in REASON_REQUIRED and not offer.reason.strip():
        errors["reason"] = _("Write why, in the young person's own words (or that they did not want to say)")
    if offer.response == Response.SOMETHING_ELSE and not offer.chose_instead.strip():
        errors["chose_instead"] = _("Say what they chose instead")
    if offer.response in DECIDED and offer.decided_on is None:
        errors["decided_on"] = _("Enter the date they decided")
    if offer.decided_on is not None:
        _not_future(offer.decided_on, "decided_on", errors)
        if offer.decided_on < offer.offered_on and "decided_on" not in errors:
            errors["decided_on"] = _("The date they decided cannot be before the option was offered")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_choice(*, by: User, offer: OptionOffer, expected_version: int, values: ChoiceValues) -> OptionOffer:
    """Record the young person's response to an offer and why, in their words."""
    _require_writer(by, offer.child)
    locked = OptionOffer.objects.select_for_update().select_related("option").get(pk=offer.pk)
    if locked.version != expected_version:
        raise StaleEditError(locked)
    answer = values.copy()  # the caller's values are left as they were
    if answer.get("response") != Response.SOMETHING_ELSE:
        answer["chose_instead"] = ""
    changed = _apply(locked, CHOICE_FIELDS, answer)
    _validate_choice(locked)
    if not changed:
        return locked
    locked.full_clean(validate_constraints=False)
    locked.recorded_by = by
    locked.updated_at = timezone.now()
    locked.version += 1
    _by(locked, by).save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        detail={"fields": changed, "response": locked.response},
        route=audit_route(by, locked.child_id),
    )
    return locked


# --- The plan -----------------------------------------------------------------------------


def _validate_plan(plan: Plan) -> None:
    errors: dict[str, str] = {}
    if plan.language == DeliveryLanguage.OTHER and not plan.language_other.strip():
        errors["language_other"] = _("Say which language")
    if plan.agreement != Agreement.NOT_YET and plan.agreement_on is None:
        errors["agreement_on"] = _("Enter the date they said so")
    _not_future(plan.agreement_on, "agreement_on", errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_plan(*, by: User, child: Child, expected_version: int, values: PlanValues) -> Plan:
    """Create the plan (``expected_version`` 0) or save changes made from ``expected_version``.
    If someone saved meanwhile – including creating the plan while this person wrote theirs –
    raise ``StaleEditError`` with what is stored now, and change nothing."""
    _require_writer(by, child)
    # Lock the child so two first saves cannot both create a plan.
    Child.objects.select_for_update().filter(pk=child.pk).first()
    plan = Plan.objects.select_for_update().filter(child=child).first()
    if (plan.version if plan is not None else 0) != expected_version:
        raise StaleEditError(plan)
    if plan is None:
        plan = Plan(child=child, updated_by=by)
        _apply(plan, PLAN_FIELDS, values)
        _validate_plan(plan)
        plan.full_clean()
        _by(plan, by).save()
        record(actor=by, action=Action.CREATE, obj=plan, child_id=child.pk, route=audit_route(by, child))
        return plan
    changed = _apply(plan, PLAN_FIELDS, values)
    if not changed:
        return plan
    _validate_plan(plan)
    plan.full_clean()
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.version += 1
    _by(plan, by).save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=plan,
        child_id=child.pk,
        detail={"fields": changed},
        route=audit_route(by, child),
    )
    return plan


@transaction.atomic
def add_goal(*, by: User, plan: Plan, values: GoalValues) -> Goal:
    _require_writer(by, plan.child)
    goal = Goal(plan=plan)
    _apply(goal, GOAL_FIELDS, values)
    if not values.get("order"):
        goal.order = (plan.goals.aggregate(last=Max("order"))["last"] or 0) + 1
    goal.full_clean()
    _by(goal, by).save()
    record(actor=by, action=Action.CREATE, obj=goal, child_id=plan.child_id, route=audit_route(by, plan.child_id))
    return goal


@transaction.atomic
def update_goal(*, by: User, goal: Goal, expected_version: int, values: GoalValues) -> Goal:
    _require_writer(by, goal.plan.child)
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    if locked.version != expected_version:
        raise StaleEditError(locked)
    changed = _apply(locked, GOAL_FIELDS, values)
    if not changed:
        return locked
    locked.full_clean()
    locked.version += 1
    _by(locked, by).save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=goal.plan.child_id,
        detail={"fields": changed},
        route=audit_route(by, goal.plan.child_id),
    )
    return locked


def _validate_action(action: PlanAction) -> None:
    errors: dict[str, str] = {}
    if action.goal is not None and action.goal.plan_id != action.plan_id:
        errors["goal"] = _("Choose one of this plan's goals")
    _not_future(action.done_on, "done_on", errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_action(*, by: User, plan: Plan, values: ActionValues) -> PlanAction:
    _require_writer(by, plan.child)
    action = PlanAction(plan=plan)
    _apply(action, ACTION_FIELDS, values)
    _validate_action(action)
    action.full_clean()
    _by(action, by).save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=action,
        child_id=plan.child_id,
        detail={"who": action.who},
        route=audit_route(by, plan.child_id),
    )
    return action


@transaction.atomic
def update_action(*, by: User, action: PlanAction, expected_version: int, values: ActionValues) -> PlanAction:
    _require_writer(by, action.plan.child)
    locked = PlanAction.objects.select_for_update().get(pk=action.pk)
    if locked.version != expected_version:
        raise StaleEditError(locked)
    changed = _apply(locked, ACTION_FIELDS, values)
    if not changed:
        return locked
    _validate_action(locked)
    locked.full_clean()
    locked.version += 1
    _by(locked, by).save()
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=action.plan.child_id,
        detail={"fields": changed},
        route=audit_route(by, action.plan.child_id),
    )
    return locked


@transaction.atomic
def add_review(*, by: User, plan: Plan, values: ReviewValues) -> PlanReview:
    """Record a review of the plan; its next review date becomes the plan's (which clears an
    overdue review when it lies ahead)."""
    _require_writer(by, plan.child)
    review = PlanReview(plan=plan, recorded_by=by)
    _apply(review, REVIEW_FIELDS, values)
    errors: dict[str, str] = {}
    _not_future(review.held_on, "held_on", errors)
    if review.held_on and review.next_review_on and review.next_review_on <= review.held_on:
        errors["next_review_on"] = _("The next review must be after this review")
    if errors:
        raise ValidationError(errors)
    review.full_clean()
    _by(review, by).save()
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if locked.next_review_on != review.next_review_on:
        locked.next_review_on = review.next_review_on
        locked.updated_by = by
        locked.updated_at = timezone.now()
        locked.version += 1
        _by(locked, by).save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=review,
        child_id=plan.child_id,
        detail={"next_review_on": review.next_review_on.isoformat()},
        route=audit_route(by, plan.child_id),
    )
    outcome_schedule.ensure_review_point(by=by, review=review)  # measures at every review
    return review


# --- The statutory review cycle ----------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 January + 1 month = 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def statutory_review_due(*, looked_after_since: date, today: date) -> date:
    """The next looked-after child review due on or after ``today`` (Care Planning, Placement and
    Case Review (Wales) Regulations 2015): the first within ``NYTH_LAC_REVIEW_FIRST_DAYS`` of
    becoming looked after, the second within ``NYTH_LAC_REVIEW_SECOND_MONTHS`` of the first, then
    every ``NYTH_LAC_REVIEW_THEN_MONTHS``. Counted from the latest dates allowed (Nyth does not
    hold the dates reviews were held: the local authority's recorded date, when given, wins)."""
    due = looked_after_since + timedelta(days=settings.NYTH_LAC_REVIEW_FIRST_DAYS)
    if due >= today:
        return due
    due = _add_months(due, settings.NYTH_LAC_REVIEW_SECOND_MONTHS)
    while due < today:
        due = _add_months(due, settings.NYTH_LAC_REVIEW_THEN_MONTHS)
    return due


@dataclass(frozen=True)
class StatutoryReview:
    #: The next looked-after child review.
    due_on: date
    #: True when computed from the date they became looked after, not recorded.
    computed: bool
    #: The plan review date suggested, before it.
    suggested_plan_review: date

    def plan_review_after(self, day: date | None) -> bool:
        return day is not None and day > self.due_on


def statutory_review(
    child: Child, *, next_lac_review_on: date | None, looked_after_since: date | None, today: date | None = None
) -> StatutoryReview | None:
    """The statutory review the plan review should come before – only for a young person who is
    looked after now (care leavers, adopted young people and others have no such cycle). From the
    recorded next review date, or one computed from the date they became looked after (as
    recorded on the plan, else the start of their earliest placement); None when neither is known."""
    if child.legal_status != LegalStatus.LOOKED_AFTER:
        return None
    today = today or timezone.localdate()
    computed = False
    due = next_lac_review_on if next_lac_review_on and next_lac_review_on >= today else None
    if due is None:
        since = (
            looked_after_since or child.placements.order_by("start_date").values_list("start_date", flat=True).first()
        )
        if since is None:
            return None
        due, computed = statutory_review_due(looked_after_since=since, today=today), True
    suggested = max(today, due - timedelta(days=settings.NYTH_PLAN_REVIEW_BEFORE_LAC_DAYS))
    return StatutoryReview(due_on=due, computed=computed, suggested_plan_review=suggested)
