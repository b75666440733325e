"""The self-assessment's rules: start a round (carrying over the open actions of the last
completed one that the manager chooses), rate its statements with evidence, keep an action plan,
complete it, and record progress on its actions afterwards. Every change checks who asks
(``access.can_manage``), refuses a completed round – except progress on its actions, which is
carried out after the self-assessment –, compares the version the form was opened at (``StaleEditError``, never an overwrite) and
is audited in the same transaction (``audit.services.record``, route UI: these are changes of
service data, not of a record, so no child is named)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from audit.models import Action as AuditAction
from audit.models import Route
from audit.services import record
from core.errors import StaleEditError
from selfassess.access import can_manage, owners_for
from selfassess.models import (
    Action,
    ActionProgress,
    ActionStatus,
    Domain,
    Framework,
    Level,
    Rating,
    Round,
    RoundStatus,
    Statement,
)

#: Links must be web addresses: a file path or a ``javascript:`` link is refused.
_URL = URLValidator(schemes=["http", "https"])
MAX_LINKS = 10


class RatingValues(TypedDict):
    level: Level | None
    evidence: str
    links: list[str]


class ActionValues(TypedDict):
    text: str
    owner: User
    due_on: datetime.date
    status: str
    domain: Domain | None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def parse_links(text: str) -> list[str]:
    """One web address a line (blank lines ignored); ``ValidationError`` naming the first bad
    one, so the form can say which."""
    links = [line.strip() for line in text.splitlines() if line.strip()]
    if len(links) > MAX_LINKS:
        raise ValidationError(_("Give at most %(max)d links") % {"max": MAX_LINKS})
    for link in links:
        try:
            _URL(link)
        except ValidationError:
            raise ValidationError(
                _("“%(link)s” is not a web address: give each link on its own line, starting https://")
                % {"link": link[:80]}
            ) from None
    return links


def _locked(round_: Round, expected_version: int, *, completed_too: bool = False) -> Round:
    """The round, locked for this change: at the version the form saw, and still a draft unless
    the change is progress on its action plan (``completed_too``)."""
    current = Round.objects.select_for_update().get(pk=round_.pk)
    if current.version != expected_version:
        raise StaleEditError(current)
    if current.is_completed and not completed_too:
        raise ValidationError(_("This self-assessment is completed and can no longer be changed."))
    return current


def latest_completed(service: Organisation) -> Round | None:
    return Round.objects.filter(service=service, status=RoundStatus.COMPLETED).order_by("-assessed_on", "-pk").first()


def carry_over_candidates(service: Organisation) -> QuerySet[Action]:
    """The open actions (not done) of the service's latest completed round, not yet carried into
    another round: what starting a new round offers to carry over."""
    previous = latest_completed(service)
    if previous is None:
        return Action.objects.none()
    return (
        Action.objects.filter(round=previous)
        .exclude(status=ActionStatus.DONE)
        .exclude(carried_to__isnull=False)
        .select_related("owner", "domain")
        .order_by("due_on", "pk")
    )


def _carry_over(by: User, round_: Round, action_ids: Iterable[int]) -> list[Action]:
    """Copy the chosen open actions of the last completed round into ``round_``, each pointing
    back to its original. A domain is matched by code in the new round's framework (none if the
    new framework has no such domain); an owner who is no longer staff of the service is replaced
    by the manager starting the round, who can change it."""
    wanted = set(action_ids)
    if not wanted:
        return []
    offered = {a.pk: a for a in carry_over_candidates(round_.service).select_for_update(of=("self",))}
    if not wanted <= set(offered):
        raise ValidationError({"carry_over": _("Choose only open actions of the last completed self-assessment.")})
    domains = {d.code: d for d in Domain.objects.filter(framework_id=round_.framework_id)}
    owners = set(owners_for(round_.service).values_list("pk", flat=True))
    copies = []
    for pk in sorted(wanted, key=lambda k: (offered[k].due_on, k)):
        original = offered[pk]
        copy = Action.objects.create(
            round=round_,
            domain=domains.get(original.domain.code) if original.domain else None,
            text=original.text,
            owner_id=original.owner_id if original.owner_id in owners else by.pk,
            due_on=original.due_on,
            status=original.status,
            carried_from=original,
        )
        record(
            actor=by,
            action=AuditAction.CREATE,
            obj=copy,
            detail={"self_assessment": round_.pk, "owner": copy.owner_id, "carried_from": original.pk},
            route=Route.UI,
        )
        copies.append(copy)
    return copies


@transaction.atomic
def start_round(
    *, by: User, service: Organisation, assessed_on: datetime.date, carry_over: Iterable[int] = ()
) -> Round:
    """A new draft round with the current framework, one empty rating per statement, and copies
    of the chosen open actions of the last completed round (``carry_over``: their ids, from
    ``carry_over_candidates``). A service has one draft at a time: a second start (a double
    submit, two managers at once) returns the draft already there instead of making another,
    and carries nothing over twice."""
    _require(can_manage(by, service))
    Organisation.objects.select_for_update().filter(pk=service.pk).first()  # two starts: one draft
    draft = Round.objects.filter(service=service, status=RoundStatus.DRAFT).first()
    if draft is not None:
        return draft
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("The date must be today or in the past")})
    framework = Framework.objects.filter(is_current=True).first()
    if framework is None:
        raise ValidationError(_("No self-assessment framework is loaded. Ask an administrator to load one."))
    round_ = Round.objects.create(service=service, framework=framework, assessed_on=assessed_on, created_by=by)
    statements = Statement.objects.filter(domain__framework=framework)
    Rating.objects.bulk_create([Rating(round=round_, statement=statement) for statement in statements])
    record(
        actor=by,
        action=AuditAction.CREATE,
        obj=round_,
        detail={"self_assessment": True, "service": service.pk, "framework": framework.pk},
        route=Route.UI,
    )
    _carry_over(by, round_, carry_over)
    return round_


@transaction.atomic
def save_ratings(*, by: User, round_: Round, expected_version: int, values: dict[int, RatingValues]) -> Round:
    """Save the levels and evidence of the statements in ``values`` (keyed by statement id)."""
    _require(can_manage(by, round_.service))
    current = _locked(round_, expected_version)
    ratings = {rating.statement_id: rating for rating in Rating.objects.filter(round=current)}
    levels = set(Level.objects.filter(framework_id=current.framework_id).values_list("pk", flat=True))
    changed: list[Rating] = []
    for statement_id, value in values.items():
        rating = ratings.get(statement_id)
        if rating is None:
            raise ValidationError(_("That statement is not part of this self-assessment."))
        level = value["level"]
        if level is not None and level.pk not in levels:
            raise ValidationError(_("Choose one of this framework's levels."))
        new = (level.pk if level else None, value["evidence"].strip(), list(value["links"]))
        if (rating.level_id, rating.evidence, rating.links) != new:
            rating.level_id, rating.evidence, rating.links = new
            changed.append(rating)
    if changed:
        Rating.objects.bulk_update(changed, ["level", "evidence", "links"])
        current.version += 1
        current.save(update_fields=["version", "updated_at"])
        record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=current,
            detail={"self_assessment": True, "ratings": sorted(r.statement_id for r in changed)},
            route=Route.UI,
        )
    return current


def _check_action(service: Organisation, values: ActionValues, framework_id: int) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not values["text"].strip():
        errors["text"] = _("Enter the action")
    if not owners_for(service).filter(pk=values["owner"].pk).exists():
        errors["owner"] = _("Choose a member of staff of the service")
    if values["status"] not in ActionStatus.values:
        errors["status"] = _("Choose a status")
    if values["domain"] is not None and values["domain"].framework_id != framework_id:
        errors["domain"] = _("Choose one of this framework's domains")
    if errors:
        raise ValidationError(errors)
    return {**values, "text": values["text"].strip()}


@transaction.atomic
def add_action(*, by: User, round_: Round, expected_version: int, values: ActionValues) -> Action:
    _require(can_manage(by, round_.service))
    current = _locked(round_, expected_version)
    action = Action.objects.create(round=current, **_check_action(current.service, values, current.framework_id))
    current.version += 1
    current.save(update_fields=["version", "updated_at"])
    record(
        actor=by,
        action=AuditAction.CREATE,
        obj=action,
        detail={"self_assessment": current.pk, "owner": action.owner_id},
        route=Route.UI,
    )
    return action


@transaction.atomic
def update_action(*, by: User, action: Action, expected_version: int, values: ActionValues) -> Action:
    round_ = action.round
    _require(can_manage(by, round_.service))
    current = _locked(round_, expected_version)
    cleaned = _check_action(current.service, values, current.framework_id)
    stored = Action.objects.select_for_update().get(pk=action.pk, round=current)
    fields = [name for name, value in cleaned.items() if getattr(stored, name) != value]
    if not fields:
        return stored
    for name in fields:
        setattr(stored, name, cleaned[name])
    stored.save(update_fields=fields)
    current.version += 1
    current.save(update_fields=["version", "updated_at"])
    record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=stored,
        detail={"self_assessment": current.pk, "fields": fields},
        route=Route.UI,
    )
    return stored


@transaction.atomic
def record_progress(
    *,
    by: User,
    action: Action,
    expected_version: int,
    status: str,
    note: str,
    noted_on: datetime.date,
) -> ActionProgress:
    """Progress on an action of a round, draft or completed: its new status and a dated note
    (at least one of the two). The ratings and evidence of a completed round stay read-only;
    this is the one change it still takes. Raises the round's version like every change, so a
    progress form opened before someone else's change is refused (``StaleEditError``)."""
    round_ = action.round
    _require(can_manage(by, round_.service))
    current = _locked(round_, expected_version, completed_too=True)
    stored = Action.objects.select_for_update().get(pk=action.pk, round=current)
    errors: dict[str, str] = {}
    if status not in ActionStatus.values:
        errors["status"] = _("Choose a status")
    if noted_on > timezone.localdate():
        errors["noted_on"] = _("The date must be today or in the past")
    note = note.strip()
    if not errors and status == stored.status and not note:
        errors["note"] = _("Write a progress note or change the status")
    if errors:
        raise ValidationError(errors)
    changed = status != stored.status
    progress = ActionProgress.objects.create(
        action=stored, noted_on=noted_on, note=note, status=status if changed else "", recorded_by=by
    )
    if changed:
        stored.status = status
        stored.save(update_fields=["status"])
    current.version += 1
    current.save(update_fields=["version", "updated_at"])
    record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=stored,
        detail={
            "self_assessment": current.pk,
            "progress": progress.pk,
            "fields": ["status"] if changed else [],
            "completed_round": current.is_completed,
        },
        route=Route.UI,
    )
    return progress


@transaction.atomic
def complete_round(*, by: User, round_: Round, expected_version: int) -> Round:
    """Complete the round: every statement must have a level. Read-only from then on."""
    _require(can_manage(by, round_.service))
    current = _locked(round_, expected_version)
    missing = Rating.objects.filter(round=current, level__isnull=True).count()
    if missing:
        raise ValidationError(
            _("Choose a level for every statement before completing: %(n)d still without one.") % {"n": missing}
        )
    current.status = RoundStatus.COMPLETED
    current.completed_by = by
    current.completed_at = timezone.now()
    current.version += 1
    current.save(update_fields=["status", "completed_by", "completed_at", "version", "updated_at"])
    record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=current,
        detail={"self_assessment": True, "completed": True},
        route=Route.UI,
    )
    return current
