"""Referral use cases. Every route (staff and partner forms, the public form, CSV import, later
the API) calls ``submit_referral``; decisions, priority and consultations are written here."""

from __future__ import annotations

import enum
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Organisation, Role
from audit.models import Action
from audit.models import Route as AuditRoute
from audit.services import record, record_many
from core import ratelimit
from core.workdays import add_working_days, working_days_between
from jobs.email import send_later, send_once
from people.access import audit_route
from people.identifiers import normalise_nhs_number
from referrals import priority as priority_rules
from referrals.eligibility import Eligibility, assess
from referrals.models import (
    RISK_FIELDS,
    Decision,
    DirectoryService,
    InitialConsultation,
    Outcome,
    PriorityWeights,
    PublicFormToken,
    Referral,
    Route,
    Status,
)
from referrals.tasks import email_referrer_decision

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child

OUTCOME_STATUS = {
    Outcome.ACCEPTED: Status.ACCEPTED,
    Outcome.CONSULTATION: Status.CONSULTATION,
    Outcome.REDIRECTED: Status.REDIRECTED,
}
AUDIT_ROUTE = {"api": AuditRoute.API, "import": AuditRoute.IMPORT}


def new_reference() -> str:
    # 40 random bits: unguessable, and collisions are checked before saving anyway.
    return f"R{timezone.now():%y}-{secrets.token_hex(5).upper()}"


def content_key(prefix: str, data: dict[str, Any], *, service: Organisation, by: User | None = None) -> str:
    """An idempotency key from what a referral says (and who sent it, to which service): the
    same referral sent twice – a double click, a retry, going Back and sending again – gets the
    same key and so is recorded once."""
    canonical: dict[str, Any] = {"service": service.pk, "by": getattr(by, "pk", None)}
    for name, value in sorted(data.items()):
        if hasattr(value, "pk"):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, str):
            value = " ".join(value.split()).casefold()
        canonical[name] = value
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return f"{prefix}:{digest}"


def _assign_references(referrals: list[Referral]) -> None:
    """Give each new referral a reference no other referral has."""
    pending = list(referrals)
    while pending:
        for referral in pending:
            referral.reference = new_reference()
        wanted = [r.reference for r in pending]
        taken = set(Referral.objects.filter(reference__in=wanted).values_list("reference", flat=True))
        duplicated = {ref for ref in wanted if wanted.count(ref) > 1}
        pending = [r for r in pending if r.reference in taken or r.reference in duplicated]


def _build(data: dict[str, Any], *, route: str, service: Organisation, key: str, by: User | None) -> Referral:
    values = dict(data)
    if "nhs_number" in values:
        values["nhs_number"] = normalise_nhs_number(values["nhs_number"] or "")
    if "postcode" in values:
        values["postcode"] = (values["postcode"] or "").strip().upper()
    referral = Referral(
        service=service,
        route=route,
        idempotency_key=key,
        referred_by=by if by is not None and by.is_authenticated else None,
        **values,
    )
    # Foreign keys arrive as objects already read from the database (and the database enforces
    # them); everything else is checked here for every route.
    referral.full_clean(
        exclude=["reference", "idempotency_key", "service", "referred_by", "responsible_local_authority", "child"],
        validate_unique=False,
        validate_constraints=False,
    )
    return referral


@transaction.atomic
def submit_referrals(
    *, items: list[tuple[dict[str, Any], str]], route: str, service: Organisation, by: User | None = None
) -> list[tuple[Referral, bool]]:
    """Record referrals once each: every intake route (forms, CSV import, later the API) comes
    here. ``items`` pairs each referral's data with its idempotency key (a form's one-time
    token, an import row's content hash): a key seen before returns the existing referral
    instead of creating another, so retries, double clicks and repeated rows create nothing
    twice. Returns (referral, created) in the order given. Raises ValidationError for bad data
    (nothing is written then)."""
    keys = [key for _data, key in items]
    existing = {r.idempotency_key: r for r in Referral.objects.filter(idempotency_key__in=keys)}
    results: list[tuple[Referral, bool]] = []
    new: dict[str, Referral] = {}
    for data, key in items:
        if key in existing:
            results.append((existing[key], False))
        elif key in new:
            results.append((new[key], False))
        else:
            new[key] = _build(data, route=route, service=service, key=key, by=by)
            results.append((new[key], True))
    created = list(new.values())
    _assign_references(created)
    bulk_create_with_history(
        created, Referral, batch_size=500, default_user=by if by is not None and by.is_authenticated else None
    )
    record_many(
        actor=by,
        events=[
            {
                "action": Action.CREATE,
                "obj": referral,
                "route": AUDIT_ROUTE.get(route, AuditRoute.UI),
                "detail": {"reference": referral.reference, "route": route},
            }
            for referral in created
        ],
    )
    return results


def submit_referral(
    *, data: dict[str, Any], route: str, service: Organisation, idempotency_key: str, by: User | None = None
) -> tuple[Referral, bool]:
    """One referral (see ``submit_referrals``)."""
    try:
        with transaction.atomic():
            return submit_referrals(items=[(data, idempotency_key)], route=route, service=service, by=by)[0]
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its referral.
        existing = Referral.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False


class PublicOutcome(enum.Enum):
    CREATED = "created"
    ALREADY_RECEIVED = "already_received"  # the same answers again: a retry, a double click
    TOKEN_REUSED = "token_reused"  # noqa: S105 - not a password; one opened form, different answers: refused
    LIMITED = "limited"  # the address has used its moving window


def public_referral_rate() -> ratelimit.Rate:
    return ratelimit.Rate(settings.NYTH_PUBLIC_REFERRALS_PER_HOUR, 3600)


def submit_public_referral(
    *, data: dict[str, Any], service: Organisation, form_token: str, client_address: str
) -> tuple[Referral | None, PublicOutcome]:
    """A referral from the public form, at most once per form token and within the address's
    moving-window limit (shared by every process, core.ratelimit). Only a referral that is new
    counts against the limit; a retry is answered with the referral it repeats."""
    key = content_key("public", data, service=service)
    token_id = hashlib.sha256(form_token.encode()).hexdigest()
    try:
        # Claiming the token first makes concurrent posts of one form queue on its unique row.
        with transaction.atomic():
            claim = PublicFormToken.objects.create(token=token_id, content_key=key)
    except IntegrityError:
        used = PublicFormToken.objects.filter(token=token_id).select_related("referral").first()
        if used is not None and used.content_key == key and used.referral is not None:
            return used.referral, PublicOutcome.ALREADY_RECEIVED
        return None, PublicOutcome.TOKEN_REUSED
    existing = Referral.objects.filter(idempotency_key=key).first()
    if existing is not None:
        claim.referral = existing
        claim.save(update_fields=["referral"])
        return existing, PublicOutcome.ALREADY_RECEIVED
    if not ratelimit.hit(f"public-referral:{client_address}", public_referral_rate()):
        claim.delete()  # not used: the same form may be sent once the window has room
        return None, PublicOutcome.LIMITED
    referral, created = submit_referral(data=data, route=Route.PUBLIC, service=service, idempotency_key=key)
    claim.referral = referral
    claim.save(update_fields=["referral"])
    if created and referral.referrer_email:
        # Only a referral the limit let through, once: a retry is answered above without one,
        # and the outbox's marker stops a re-run task sending it twice.
        send_once(
            event_key=f"referral-received:{referral.pk}",
            to=referral.referrer_email,
            subject=acknowledgement_subject(referral),
            body=acknowledgement_body(referral),
        )
    return referral, PublicOutcome.CREATED if created else PublicOutcome.ALREADY_RECEIVED


def acknowledgement_subject(referral: Referral) -> str:
    with translation.override(referral.referrer_language):
        return _("We have received your request %(reference)s") % {"reference": referral.reference}


def acknowledgement_body(referral: Referral) -> str:
    """The reference and how to reach the service, in the referrer's language – and nothing about
    the child: an email can reach the wrong inbox, and it waits in the task queue before it is
    sent (so ``send_once`` may carry it)."""
    with translation.override(referral.referrer_language):
        contact = [
            _("Phone: %(phone)s") % {"phone": settings.NYTH_SERVICE_CONTACT_PHONE}
            if settings.NYTH_SERVICE_CONTACT_PHONE
            else "",
            _("Email: %(email)s") % {"email": settings.NYTH_SERVICE_CONTACT_EMAIL}
            if settings.NYTH_SERVICE_CONTACT_EMAIL
            else "",
        ]
        contact = [line for line in contact if line] or [_("Reply to this email.")]
        paragraphs = [
            _(
                "Thank you. %(service)s has received your request for therapeutic support. Your reference is %(reference)s."
            )
            % {"service": referral.service.name, "reference": referral.reference},
            _("A member of the team will read it within 2 working days and contact you, in the language you chose."),
            _("To contact us, quote your reference:") + "\n" + "\n".join(contact),
            _("To keep it private, this email does not repeat what you told us."),
        ]
        return "\n\n".join(paragraphs) + "\n"


def eligibility(referral: Referral, today: date | None = None) -> Eligibility:
    return assess(
        legal_status=referral.legal_status,
        complex_needs=referral.complex_needs,
        responsible_local_authority_known=referral.responsible_local_authority_id is not None,
        date_of_birth=referral.date_of_birth,
        today=today or timezone.localdate(),
    )


def _require_manager(by: User, referral: Referral) -> None:
    if by.role != Role.SERVICE_MANAGER or by.organisation_id != referral.service_id:
        raise PermissionDenied


@transaction.atomic
def link_child(*, by: User, referral: Referral, child: Child) -> Referral:
    """A person confirms who the child is: never automatic."""
    _require_manager(by, referral)
    if child.service_id != referral.service_id:
        raise ValidationError(_("That record belongs to another service."))
    referral.child = child
    referral.save(update_fields=["child"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=referral,
        child_id=child.pk,
        detail={"linked_child": child.pk},
        route=audit_route(by, child),
    )
    return referral


@transaction.atomic
def create_child_for(*, by: User, referral: Referral, local_authority: Organisation | None = None) -> Child:
    """Open a new record from what the referral says, when no existing record is the child.

    A record needs the responsible local authority; referrers (carers, young people) often do not
    know it, so the manager supplies it here and the referral is completed with it too.
    """
    from people.services import create_child

    _require_manager(by, referral)
    if referral.responsible_local_authority_id is None:
        if local_authority is None:
            raise ValidationError(_("Choose the responsible local authority to open a new record."))
        referral.responsible_local_authority = local_authority
        referral.save(update_fields=["responsible_local_authority"])
    child = create_child(
        by=by,
        values={
            "given_name": referral.given_name,
            "family_name": referral.family_name,
            "preferred_name": referral.preferred_name,
            "former_names": referral.former_names,
            "date_of_birth": referral.date_of_birth,
            "postcode": referral.postcode,
            "nhs_number": referral.nhs_number,
            "responsible_local_authority": referral.responsible_local_authority,
            "legal_status": referral.legal_status,
            "preferred_language": referral.preferred_language,
            "active_offer": "welsh"
            if referral.preferred_language == "cy" and referral.active_offer_made
            else "not_made",
        },
    )
    link_child(by=by, referral=referral, child=child)
    return child


def _written_in(decision: Decision) -> tuple[str, str]:
    """What the letter says before the reason and before the advice when the manager wrote them
    in the other language ("" when they match, or when the language was not recorded). Called
    inside the letter's language."""
    if not decision.reason_language or decision.reason_language == decision.message_language:
        return "", ""
    if decision.reason_language == "en":
        return _("This reason was written in English."), _("This advice was written in English.")
    return _("This reason was written in Welsh."), _("This advice was written in Welsh.")


def referrer_message(decision: Decision) -> str:
    """What the referrer is told, in their language (``decision.message_language``)."""
    referral = decision.referral
    with translation.override(decision.message_language or referral.referrer_language):
        if decision.outcome == Outcome.ACCEPTED:
            text = _(
                "Thank you for referring %(child)s (reference %(reference)s). We have accepted the referral and "
                "added it to our waiting list. While they wait, we will arrange an initial consultation with "
                "the people around them within %(days)s working days. Reason: %(reason)s"
            )
        elif decision.outcome == Outcome.CONSULTATION:
            text = _(
                "Thank you for referring %(child)s (reference %(reference)s). We will support you with a "
                "consultation rather than direct work for now. Our advice: %(advice)s Reason: %(reason)s"
            )
        else:
            text = _(
                "Thank you for referring %(child)s (reference %(reference)s). Another service is better placed "
                "to help: %(service)s. We have contacted them and passed on what you told us. How to reach "
                "them: %(route)s Reason: %(reason)s"
            )
        reason_note, advice_note = _written_in(decision)
        return text % {
            "child": referral.child_name,
            "reference": referral.reference,
            "days": settings.NYTH_INITIAL_CONSULTATION_WORKING_DAYS,
            "reason": f"{reason_note} {decision.reason}" if reason_note else decision.reason,
            "advice": f"{advice_note} {decision.consultation_advice}" if advice_note else decision.consultation_advice,
            "service": decision.directory_service.name if decision.directory_service else "",
            "route": decision.directory_service.referral_route if decision.directory_service else "",
        }


def referrer_message_html(decision: Decision) -> SafeString:
    """The message as sent, for a page: the manager's text marked with its own language when it
    differs from the letter's, so a screen reader reads it with the right voice (WCAG 3.1.2)."""
    html = str(escape(decision.referrer_message))
    if decision.reason_language and decision.message_language and decision.reason_language != decision.message_language:
        # The reason is the message's last part and the advice comes before it; mark each once.
        for text, last in ((decision.reason, True), (decision.consultation_advice, False)):
            escaped = str(escape(text))
            if not escaped or escaped not in html:
                continue
            head, found, tail = html.rpartition(escaped) if last else html.partition(escaped)
            html = f'{head}<span lang="{decision.reason_language}">{found}</span>{tail}'
    return mark_safe(html)  # noqa: S308  # nosec B308 B703  # every part is escaped above


@transaction.atomic
def decide(
    *,
    by: User,
    referral: Referral,
    outcome: str,
    reason: str,
    directory_service: DirectoryService | None = None,
    handover_contact: str = "",
    handover_contacted_at: datetime | None = None,
    handover_notes: str = "",
    consultation_advice: str = "",
    reason_language: str = "",
) -> Decision:
    """Accept, answer with a consultation, or hand on warmly. Never a bare rejection. A later
    decision replaces an earlier one; both stay in the history."""
    _require_manager(by, referral)
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose a decision")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the decision")
    if outcome == Outcome.REDIRECTED:
        if directory_service is None:
            errors["directory_service"] = _("Choose the service the referral is handed on to")
        if not handover_contact.strip():
            errors["handover_contact"] = _("Say who you contacted at that service")
        if handover_contacted_at is None:
            errors["handover_contacted_at"] = _("Say when you contacted them")
    if outcome == Outcome.CONSULTATION and not consultation_advice.strip():
        errors["consultation_advice"] = _("Record the advice given to the referrer")
    if reason_language not in ("", "cy", "en"):
        errors["reason_language"] = _("Choose the language you wrote in")
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    decision = Decision.objects.create(
        referral=referral,
        outcome=outcome,
        reason=reason.strip(),
        decided_by=by,
        directory_service=directory_service if outcome == Outcome.REDIRECTED else None,
        handover_contact=handover_contact.strip() if outcome == Outcome.REDIRECTED else "",
        handover_contacted_at=handover_contacted_at if outcome == Outcome.REDIRECTED else None,
        handover_notes=handover_notes.strip() if outcome == Outcome.REDIRECTED else "",
        consultation_advice=consultation_advice.strip() if outcome == Outcome.CONSULTATION else "",
        reason_language=reason_language,
        # The letter's language is fixed when it is written: the referrer's, then.
        message_language=referral.referrer_language,
    )
    decision.referrer_message = referrer_message(decision)
    decision.save(update_fields=["referrer_message"])
    new_status = OUTCOME_STATUS[Outcome(outcome)]
    if new_status == Status.ACCEPTED and referral.allocated_to_id is not None:
        # Accepted again after an allocation: the allocation (and its wait) still stands.
        new_status = Status.ALLOCATED
    elif new_status == Status.ACCEPTED and referral.status != Status.ACCEPTED:
        referral.accepted_at = decision.decided_at
    referral.status = new_status
    referral.version += 1
    referral.save(update_fields=["status", "accepted_at", "version"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=referral,
        child_id=referral.child_id,
        reason=decision.reason,
        detail={"decision": outcome, "decision_id": decision.pk},
        route=audit_route(by, referral.child_id),
    )
    if referral.referrer_email:
        # Sent by a worker once this decision is committed; one email per decision, at least once.
        send_later(email_referrer_decision, decision_id=decision.pk)
    return decision


def referrer_email_subject(referral: Referral) -> str:
    with translation.override(referral.referrer_language):
        return _("Your referral %(reference)s") % {"reference": referral.reference}


@transaction.atomic
def adjust_priority(*, by: User, referral: Referral, points: int, reason: str, text_language: str = "") -> Referral:
    _require_manager(by, referral)
    if points and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for changing the priority")})
    referral.priority_adjustment = points
    referral.priority_adjustment_reason = reason.strip() if points else ""
    referral.priority_adjustment_language = text_language if referral.priority_adjustment_reason else ""
    referral.save(update_fields=["priority_adjustment", "priority_adjustment_reason", "priority_adjustment_language"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=referral,
        child_id=referral.child_id,
        reason=reason.strip(),
        detail={"priority_adjustment": points},
        route=audit_route(by, referral.child_id),
    )
    return referral


class ConsultationValues(TypedDict):
    """The initial consultation as recorded: InitialConsultationForm's fields, all required but
    the language of the text (the form's radios default it)."""

    held_on: date
    participants: str
    best_placed_to_help: str
    can_start_now: str
    text_language: NotRequired[str]  # core/text_language.py


CONSULTATION_FIELDS = tuple(ConsultationValues.__annotations__)


@transaction.atomic
def record_initial_consultation(*, by: User, referral: Referral, values: ConsultationValues) -> InitialConsultation:
    if by.organisation_id != referral.service_id or by.role not in (
        Role.PRACTITIONER,
        Role.SERVICE_MANAGER,
        Role.DUTY_WORKER,
    ):
        raise PermissionDenied
    if hasattr(referral, "initial_consultation"):
        raise ValidationError(_("An initial consultation is already recorded for this referral."))
    consultation = InitialConsultation(referral=referral, held_by=by, **values)
    consultation.full_clean()
    consultation.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=consultation,
        child_id=referral.child_id,
        route=audit_route(by, referral.child_id),
    )
    return consultation


@transaction.atomic
def set_weights(*, by: User, service: Organisation, weights: dict[str, int], bands: dict[str, int]) -> PriorityWeights:
    if by.role != Role.SERVICE_MANAGER or by.organisation_id != service.pk:
        raise PermissionDenied
    if bands["medium"] >= bands["high"]:
        raise ValidationError({"band_medium": _("The medium band must start below the high band.")})
    config, _created = PriorityWeights.objects.get_or_create(service=service)
    config.weights = {**weights, "bands": bands}
    config.updated_by = by
    config.save()
    record(actor=by, action=Action.UPDATE, obj=config, detail={"weights": config.weights}, route=AuditRoute.UI)
    return config


def weights_for(service: Organisation) -> tuple[dict[str, int], dict[str, int]]:
    config = PriorityWeights.objects.filter(service=service).first()
    stored = config.weights if config else {}
    return priority_rules.merged_weights(stored), priority_rules.merged_bands(stored)


@dataclass(frozen=True)
class WaitingEntry:
    referral: Referral
    priority: priority_rules.Priority
    position: int
    days_waiting: int
    consultation_due: date
    consultation_overdue: bool


def waiting_list(referrals: Any, service: Organisation, now: datetime | None = None) -> list[WaitingEntry]:
    """The accepted referrals in priority order, each with its reasons; the longest wait first
    among equals. ``referrals`` is already scoped (``Referral.objects.visible_to(user)``)."""
    now = now or timezone.now()
    weights, bands = weights_for(service)
    rows = []
    for referral in referrals.waiting().filter(service=service).select_related("initial_consultation"):
        facts = {name: getattr(referral, name) for name in RISK_FIELDS}
        facts["complex_needs"] = referral.complex_needs
        facts["out_of_county"] = referral.placement_out_of_county
        since = referral.accepted_at or referral.received_at
        result = priority_rules.compute(
            facts=facts,
            waiting_since=referral.received_at,
            now=now,
            weights=weights,
            bands=bands,
            adjustment=referral.priority_adjustment,
            adjustment_reason=referral.priority_adjustment_reason,
            adjustment_language=referral.priority_adjustment_language,
        )
        due = add_working_days(timezone.localdate(since), settings.NYTH_INITIAL_CONSULTATION_WORKING_DAYS)
        has_consultation = hasattr(referral, "initial_consultation")
        rows.append((referral, result, due, not has_consultation and timezone.localdate(now) > due))
    rows.sort(key=lambda row: (-row[1].score, row[0].received_at, row[0].pk))
    return [
        WaitingEntry(
            referral=referral,
            priority=result,
            position=index,
            days_waiting=(now - referral.received_at).days,
            consultation_due=due,
            consultation_overdue=overdue,
        )
        for index, (referral, result, due, overdue) in enumerate(rows, start=1)
    ]


def consultations_overdue(referrals: Any, service: Organisation, now: datetime | None = None) -> int:
    """How many entries of ``waiting_list(referrals, service, now)`` have their initial
    consultation overdue, counted by the database (the manager's home page shows only the
    number: scoring and sorting the whole waiting list for it took longer than the rest of the
    page). The same rule: no consultation yet, and today is after the date
    NYTH_INITIAL_CONSULTATION_WORKING_DAYS working days after acceptance (or receipt)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = settings.NYTH_INITIAL_CONSULTATION_WORKING_DAYS
    # add_working_days never decreases as its start moves later, so "overdue" is "started on or
    # before the last day whose due date is before today": find that day, walking back.
    last_start = today - timedelta(days=1)
    while add_working_days(last_start, days) >= today:
        last_start -= timedelta(days=1)
    cutoff = timezone.make_aware(datetime.combine(last_start + timedelta(days=1), datetime.min.time()))
    return (
        referrals.waiting()
        .filter(service=service, initial_consultation__isnull=True)
        .annotate(waiting_since=Coalesce("accepted_at", "received_at"))
        .filter(waiting_since__lt=cutoff)
        .count()
    )


@dataclass(frozen=True)
class Timeliness:
    referrals: int
    decided: int
    median_days_to_decision: float | None
    consultations: int
    median_working_days_to_consultation: float | None
    within_target: int
    started: int
    median_days_to_first_session: float | None
    within_28_days: int
    waiting_now: int
    average_days_on_list: float | None
    allocated: int = 0
    average_days_to_allocation: float | None = None


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def timeliness(referrals: Any, now: datetime | None = None) -> Timeliness:
    """Computed from recorded events only (never typed in): referral → decision, → initial
    consultation, → first therapeutic session (the Mental Health Measure's 28 days as the model)."""
    now = now or timezone.now()
    referrals = list(referrals.prefetch_related("decisions").select_related("initial_consultation"))
    to_decision, to_consultation, to_session, on_list, to_allocation = [], [], [], [], []
    within_target = within_28 = 0
    for referral in referrals:
        decisions = list(referral.decisions.all())
        if decisions:
            first = min(d.decided_at for d in decisions)
            to_decision.append((first - referral.received_at).total_seconds() / 86400)
        consultation = getattr(referral, "initial_consultation", None)
        if consultation is not None:
            start = timezone.localdate(referral.accepted_at or referral.received_at)
            days = working_days_between(start, consultation.held_on)
            to_consultation.append(days)
            within_target += days <= settings.NYTH_INITIAL_CONSULTATION_WORKING_DAYS
        if referral.first_session_at:
            days = (referral.first_session_at - referral.received_at).days
            to_session.append(days)
            within_28 += days <= 28
        if referral.status == Status.ACCEPTED:
            on_list.append((now - (referral.accepted_at or referral.received_at)).days)
        if referral.allocated_at:
            to_allocation.append(
                (referral.allocated_at - (referral.accepted_at or referral.received_at)).total_seconds() / 86400
            )
    return Timeliness(
        referrals=len(referrals),
        decided=len(to_decision),
        median_days_to_decision=_median(to_decision),
        consultations=len(to_consultation),
        median_working_days_to_consultation=_median(to_consultation),
        within_target=within_target,
        started=len(to_session),
        median_days_to_first_session=_median(to_session),
        within_28_days=within_28,
        waiting_now=len(on_list),
        average_days_on_list=(sum(on_list) / len(on_list)) if on_list else None,
        allocated=len(to_allocation),
        average_days_to_allocation=(sum(to_allocation) / len(to_allocation)) if to_allocation else None,
    )


def candidates_for(referral: Referral, user: User) -> list[Any]:
    """Existing records that may be this child, with the reasons and a score, for a person to
    confirm. Only records the user may already see are offered (the one scope)."""
    from people.identity import find_candidates
    from people.models import Child

    found = find_candidates(
        given_name=referral.given_name,
        family_name=referral.family_name,
        date_of_birth=referral.date_of_birth,
        nhs_number=referral.nhs_number,
        local_authority_id=referral.responsible_local_authority_id,
        postcode=referral.postcode,
        preferred_name=referral.preferred_name,
        former_names=referral.former_names,
    )
    visible = set(
        Child.objects.visible_to(user).filter(pk__in=[c.child.pk for c in found]).values_list("pk", flat=True)
    )
    return [candidate for candidate in found if candidate.child.pk in visible]


OPEN_STATUSES = (Status.RECEIVED, Status.ACCEPTED)
#: How many of the service's unlinked open referrals are compared with one: the newest first. A
#: service has tens of them at a time; the bound keeps the page's work fixed if that ever grows.
OPEN_REFERRALS_COMPARED = 500


@dataclass(frozen=True)
class ReferralMatch:
    """Another open referral that may be about the same child (two people referred them)."""

    referral: Referral
    score: float
    reasons: list[Any]


def similar_open_referrals(referral: Referral, user: User, *, limit: int = 10) -> list[ReferralMatch]:
    """Other open referrals of the service, not yet linked to a record, that may be this child,
    best first. Two referrals for the same child both wait for a record, so matching against
    records alone would never show them to each other. Only referrals the user may already see are
    compared (the one scope)."""
    from people.identity import POSSIBLE_MATCH, Details, compare

    def details(r: Referral) -> Details:
        return Details(
            given_name=r.given_name,
            family_name=r.family_name,
            date_of_birth=r.date_of_birth,
            nhs_number=r.nhs_number,
            local_authority_id=r.responsible_local_authority_id,
            postcode=r.postcode,
            preferred_name=r.preferred_name,
            former_names=r.former_names,
        )

    others = (
        Referral.objects.visible_to(user)
        .filter(service_id=referral.service_id, child__isnull=True, status__in=OPEN_STATUSES)
        .exclude(pk=referral.pk)
        .order_by("-received_at", "-pk")[:OPEN_REFERRALS_COMPARED]
    )
    query = details(referral)
    found = []
    for other in others:
        score, evidence, reasons = compare(query, details(other))
        if score >= POSSIBLE_MATCH:
            found.append((ReferralMatch(referral=other, score=score, reasons=reasons), evidence))
    found.sort(key=lambda item: (-item[0].score, -item[1], item[0].referral.received_at))
    return [match for match, _evidence in found[:limit]]


def allocatable_practitioners(service: Organisation) -> list[User]:
    """The service's active practitioners, each with ``caseload`` (children whose care team they are
    in now) so a manager sees who has room before allocating."""
    from django.db.models import Count, Q

    from accounts.models import User as UserModel

    return list(
        UserModel.objects.filter(organisation=service, role=Role.PRACTITIONER, is_active=True)
        .annotate(caseload=Count("care_teams", filter=Q(care_teams__ended_at__isnull=True), distinct=True))
        .order_by("last_name", "first_name", "pk")
    )


@transaction.atomic
def allocate(*, by: User, referral: Referral, practitioner: User) -> Referral:
    """Allocate an accepted referral to a practitioner: the wait ends and the practitioner joins the
    child's care team (the access route), so the child must be identified first. Re-allocating to
    someone else is allowed (a change of practitioner); the earlier allocation stays in the history."""
    from people.models import CareTeamMembership, CareTeamRole
    from people.services import add_care_team_member

    _require_manager(by, referral)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in (Status.ACCEPTED, Status.ALLOCATED):
        raise ValidationError(_("Only an accepted referral can be allocated."))
    child = referral.child
    if child is None:
        raise ValidationError(_("Confirm which record is this child before allocating."))
    if (
        practitioner.organisation_id != referral.service_id
        or practitioner.role != Role.PRACTITIONER
        or not practitioner.is_active
    ):
        raise ValidationError({"practitioner": _("Choose a practitioner of this service.")})
    if referral.allocated_to_id == practitioner.pk:
        return referral  # a repeated click changes nothing
    if not CareTeamMembership.objects.filter(child=child, user=practitioner, ended_at__isnull=True).exists():
        # Reallocating: the new practitioner leads; the one before stays in the team until a
        # change of practitioner hands over.
        add_care_team_member(by=by, child=child, member=practitioner, role=CareTeamRole.LEAD, replace_lead=True)
    first_allocation = referral.allocated_at is None
    referral.allocated_to = practitioner
    if first_allocation:
        referral.allocated_at = timezone.now()
    referral.status = Status.ALLOCATED
    referral.version += 1
    referral.save(update_fields=["allocated_to", "allocated_at", "status", "version"])
    record(
        actor=by,
        action=Action.UPDATE,
        obj=referral,
        child_id=referral.child_id,
        detail={"allocated_to": practitioner.pk},
        route=audit_route(by, referral.child_id),
    )
    return referral


@transaction.atomic
def save_directory_entry(*, by: User, form: Any) -> DirectoryService:
    if by.role != Role.SERVICE_MANAGER:
        raise PermissionDenied
    creating = form.instance.pk is None
    entry = form.save()
    record(actor=by, action=Action.CREATE if creating else Action.UPDATE, obj=entry, route=AuditRoute.UI)
    return entry
