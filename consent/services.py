"""Recording consent to share, withdrawing it, and sharing without consent on safeguarding grounds.

Each function is one use case: it checks who may do it (``PermissionDenied``), validates every
rule at once (``ValidationError`` keyed by field, so a page can explain each problem beside its
answer), writes inside a transaction and records the audit event explicitly.

Nothing here grants access: ``consent.access`` reads what is stored (in force, withdrawn,
approved, expired), so a withdrawal or an expiry takes effect at once for every route.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType, Profession, Role
from assessments.sections import SECTION_KEYS
from audit.models import Action, Route
from audit.services import record
from consent.models import (
    ConsentDecision,
    Decider,
    HowGiven,
    Item,
    LawfulBasis,
    Purpose,
    SafeguardingShare,
    SafeguardingStatus,
    SharingRefusal,
)
from core.history import mark_version
from people.access import audit_route, can_change

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child, RelatedPerson

#: A safeguarding share is time-limited: it ends at most this many days after it is asked for.
MAX_SAFEGUARDING_DAYS = 90
#: A reason for sharing without consent must say something substantial.
MIN_SAFEGUARDING_REASON = 20
#: Under this age a young person decides only when judged competent (Gillick).
AGE_PRESUMED_COMPETENT = 16

#: How the recipient of a consent is named: exactly one of these is stored.
RECIPIENT_KINDS = ("organisation", "organisation_type", "profession")
_RECIPIENT_FIELD = {
    "organisation": "recipient_organisation",
    "organisation_type": "recipient_organisation_type",
    "profession": "recipient_profession",
}
#: A consent's fourth kind of recipient (not a refusal's): a named person in the nest.
PERSON_KIND = "person"
#: Regional Partnership Boards commission; they never receive a child's information.
NEVER_RECIPIENT_TYPES = frozenset({OrganisationType.REGIONAL_PARTNERSHIP_BOARD})


# --- Who may do what --------------------------------------------------------------------------


def can_decide_safeguarding(user: User, share: SafeguardingShare) -> bool:
    """A service manager of the service holding the record, other than the person who asked."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.SERVICE_MANAGER
        and user.organisation_id is not None
        and user.organisation_id == share.child.service_id
        and user.pk != share.requested_by_id
    )


class OwnWithdrawal(enum.Enum):
    """Whether a young person may withdraw a consent themselves, in their own space."""

    ALLOWED = "allowed"
    #: Someone else decided (a parent, the local authority): the practitioner is asked.
    NOT_THEIR_DECISION = "not_their_decision"
    #: They decided under 16 on a judgement of competence now too old to rely on.
    COMPETENCE_TOO_OLD = "competence_too_old"
    #: Not their consent to withdraw at all (not theirs, or no longer in force).
    NO = "no"


def young_person_withdrawal(user: User, consent: ConsentDecision) -> OwnWithdrawal:
    """The one rule for a young person withdrawing in their own space: the decision recorded was
    their own (the decider is the young person), and they are 16 or over today (presumed able to
    decide) or the judgement of their competence recorded with it is at most
    ``NYTH_SPACE_COMPETENCE_MAX_AGE_DAYS`` old. Otherwise they ask their practitioner."""
    from people.models import Child

    if user.role != Role.YOUNG_PERSON or not consent.in_force:
        return OwnWithdrawal.NO
    if not Child.objects.visible_to(user, include_shared=True).filter(pk=consent.child_id).exists():
        return OwnWithdrawal.NO
    return own_decision_withdrawal(consent)


def own_decision_withdrawal(consent: ConsentDecision) -> OwnWithdrawal:
    """The rule of ``young_person_withdrawal`` for a consent in force of a record the young person
    has already reached (their own space lists them with it, without a query each)."""
    if not consent.in_force:
        return OwnWithdrawal.NO
    if consent.decider != Decider.YOUNG_PERSON:
        return OwnWithdrawal.NOT_THEIR_DECISION
    today = timezone.localdate()
    if _age_on(consent.child, today) >= AGE_PRESUMED_COMPETENT:
        return OwnWithdrawal.ALLOWED
    max_age = datetime.timedelta(days=settings.NYTH_SPACE_COMPETENCE_MAX_AGE_DAYS)
    if not consent.competence_judgement.strip() or consent.given_on < today - max_age:
        return OwnWithdrawal.COMPETENCE_TOO_OLD
    return OwnWithdrawal.ALLOWED


def what_labels(shared: ConsentDecision | SafeguardingShare) -> list[str]:
    """What a consent or a safeguarding share covers, in words (items, then named sections)."""
    from assessments.sections import BY_KEY

    labels = dict(Item.choices)
    found = [str(labels[i]) for i in shared.items if i in labels]
    return found + [str(BY_KEY[k].title) for k in shared.sections if k in BY_KEY]


def recipient_organisations() -> Any:
    """Organisations a child's information may go to (never a Regional Partnership Board)."""
    return Organisation.objects.filter(is_active=True).exclude(type__in=NEVER_RECIPIENT_TYPES).order_by("name_en")


def recipient_type_choices() -> list[tuple[str, Any]]:
    return [(value, label) for value, label in OrganisationType.choices if value not in NEVER_RECIPIENT_TYPES]


# --- Validation: every rule, all problems at once ---------------------------------------------


class _RecipientValues(TypedDict, total=False):
    """Who a consent or a refusal is about: one organisation, type of organisation or
    profession (``recipient_kind`` says which; without it exactly one may be given)."""

    recipient_kind: str
    recipient_organisation: Organisation | None
    recipient_organisation_type: str
    recipient_profession: str


class ConsentValues(_RecipientValues, total=False):
    """Recording a consent decision (ConsentForm's answers), checked by ``consent_errors``.
    A consent (not a refusal) may also name a person in the young person's nest
    (``recipient_kind`` "person"), for support at home only."""

    recipient_person: RelatedPerson | None
    items: list[str]
    sections: list[str]
    purposes: list[str]
    decider: str
    decider_name: str
    competence_judgement: str
    young_person_views: str
    how_given: str
    given_on: datetime.date
    review_on: datetime.date | None
    lawful_basis: str
    sharing_protocol: str
    refusal_words: str  # why a refusal it contradicts ends, in the young person's words
    text_language: str  # of the young person's words (core/text_language.py)


class RefusalValues(_RecipientValues, total=False):
    """Recording that the young person does not agree to share (RefusalForm's answers),
    checked by ``refusal_errors``."""

    decider: str
    decider_name: str
    young_person_views: str
    decided_on: datetime.date
    text_language: str  # of the young person's words


class SafeguardingShareValues(TypedDict, total=False):
    """Asking to share without consent (SafeguardingShareForm's answers), checked by
    ``safeguarding_errors``."""

    recipient_organisation: Organisation | None
    items: list[str]
    sections: list[str]
    reason: str
    young_person_views: str
    expires_on: datetime.date
    text_language: str  # of the young person's views


def _what_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    items = list(values.get("items") or [])
    sections = list(values.get("sections") or [])
    if set(items) - set(Item.values):
        errors.setdefault("items", []).append(_("Choose from the list"))
    if set(sections) - set(SECTION_KEYS):
        errors.setdefault("sections", []).append(_("Choose sections from the list"))
    if not items and not sections:
        errors.setdefault("items", []).append(
            _("Choose what may be shared: the whole assessment, the plan, outcome scores or named sections")
        )
    return errors


def _age_on(child: Child, on: datetime.date) -> int:
    return child.age_on(on)


def _recipient_errors(values: Mapping[str, Any], add: Any) -> None:
    """With whom: exactly one recipient, of the kind chosen (a consent and a refusal alike)."""
    kind = values.get("recipient_kind") or ""
    named = [k for k in RECIPIENT_KINDS if values.get(_RECIPIENT_FIELD[k])]
    if kind and kind not in RECIPIENT_KINDS:
        add("recipient_kind", _("Choose who the information may be shared with"))
    elif kind:
        chosen = values.get(_RECIPIENT_FIELD[kind])
        if not chosen:
            messages = {
                "organisation": _("Choose the organisation"),
                "organisation_type": _("Choose the type of organisation"),
                "profession": _("Choose the role"),
            }
            add(_RECIPIENT_FIELD[kind], messages[kind])
    elif not named:
        add(
            "recipient_kind",
            _("Choose who the information may be shared with: an organisation, a type of organisation or a role"),
        )
    elif len(named) > 1:
        add("recipient_kind", _("Choose only one: an organisation, a type of organisation or a role"))
    organisation = values.get("recipient_organisation")
    if (kind in ("", "organisation")) and organisation is not None and organisation.type in NEVER_RECIPIENT_TYPES:
        add("recipient_organisation", _("A Regional Partnership Board cannot receive a child's information"))
    org_type = values.get("recipient_organisation_type") or ""
    if (
        kind in ("", "organisation_type")
        and org_type
        and (org_type not in OrganisationType.values or org_type in NEVER_RECIPIENT_TYPES)
    ):
        add("recipient_organisation_type", _("Choose a type of organisation from the list"))
    profession = values.get("recipient_profession") or ""
    if kind in ("", "profession") and profession and profession not in Profession.values:
        add("recipient_profession", _("Choose a role from the list"))


def consent_errors(*, child: Child, values: ConsentValues) -> dict[str, list[str]]:
    """Every problem with a consent decision, by field. Used by the form (to explain all of
    them at once, keeping what was typed) and by ``record_consent`` (so no route can skip one)."""
    errors = _what_errors(values)

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    purposes = list(values.get("purposes") or [])
    if _names_person(values):
        _person_errors(child, values, purposes, add)
    else:
        _recipient_errors(values, add)
        if Purpose.SUPPORT_AT_HOME in purposes:
            add(
                "purposes",
                _("Support at home is shared only with a named person in the nest: choose them under “With whom”"),
            )

    # For what purpose.
    if not purposes:
        add("purposes", _("Choose at least one purpose"))
    elif set(purposes) - set(Purpose.values):
        add("purposes", _("Choose purposes from the list"))

    # When.
    given_on = values.get("given_on")
    today = timezone.localdate()
    if not given_on:
        add("given_on", _("Enter the date consent was given"))
    else:
        if given_on > today:
            add("given_on", _("The date consent was given must be today or in the past"))
        if given_on < child.date_of_birth:
            add("given_on", _("The date consent was given must be after the young person's date of birth"))
    review_on = values.get("review_on")
    if review_on and given_on and review_on <= given_on:
        add("review_on", _("The review date must be after the date consent was given"))

    # Who decided, and the young person's views – always.
    decider = values.get("decider") or ""
    if decider not in Decider.values:
        add("decider", _("Choose who decided"))
    elif decider == Decider.YOUNG_PERSON:
        age = _age_on(child, given_on if given_on and given_on <= today else today)
        if age < AGE_PRESUMED_COMPETENT and not (values.get("competence_judgement") or "").strip():
            add(
                "competence_judgement",
                _(
                    "The young person was %(age)s when they decided: record your judgement of whether they "
                    "understood enough to decide for themselves (Gillick competence)"
                )
                % {"age": age},
            )
    elif not (values.get("decider_name") or "").strip():
        add("decider_name", _("Enter the name of the person who decided"))
    if not (values.get("young_person_views") or "").strip():
        add(
            "young_person_views",
            _("Enter the young person's views in their own words – always needed, even when someone else decided"),
        )
    if (values.get("how_given") or "") not in HowGiven.values:
        add("how_given", _("Choose how consent was given"))
    if (values.get("lawful_basis") or "") not in LawfulBasis.values:
        add("lawful_basis", _("Choose the lawful basis for sharing"))
    # A consent that contradicts an active refusal needs the young person's words again: what
    # they said before must not be overwritten by a tick in a form.
    refused = contradicted_refusals(child=child, values=values)
    if refused and not (values.get("refusal_words") or "").strip():
        add(
            "refusal_words",
            _(
                "The young person said they do not agree to share with %(recipient)s (%(date)s). Ask them again and "
                "enter what they say now, in their words"
            )
            % {
                "recipient": ", ".join(r.recipient_label for r in refused),
                "date": ", ".join(formats.date_format(r.decided_on, "j F Y") for r in refused),
            },
        )
    return errors


def _names_person(values: Mapping[str, Any]) -> bool:
    """Whether the consent's recipient is a named person in the nest (chosen, or the only one given)."""
    kind = values.get("recipient_kind") or ""
    return kind == PERSON_KIND or (not kind and values.get("recipient_person") is not None)


def _person_errors(child: Child, values: Mapping[str, Any], purposes: list[str], add: Any) -> None:
    """A named person in the nest: one of this young person's, for support at home only (the
    carer's route reads nothing else)."""
    person = values.get("recipient_person")
    if person is None:
        add("recipient_person", _("Choose the person in the nest"))
    elif person.child_id != child.pk:
        add("recipient_person", _("Choose a person in this young person's nest"))
    if purposes and set(purposes) != {Purpose.SUPPORT_AT_HOME}:
        add("purposes", _("A person in the nest can be given information for support at home only"))


def _audit_summary(consent: ConsentDecision) -> dict[str, Any]:
    """What a consent covers, as codes only (no free text in the audit detail)."""
    if consent.recipient_person_id is not None:
        recipient: dict[str, Any] = {"recipient_kind": PERSON_KIND, "recipient": consent.recipient_person_id}
    elif consent.recipient_organisation is not None:
        recipient = {"recipient_kind": "organisation", "recipient": consent.recipient_organisation.code}
    elif consent.recipient_organisation_type:
        recipient = {"recipient_kind": "organisation_type", "recipient": consent.recipient_organisation_type}
    else:
        recipient = {"recipient_kind": "profession", "recipient": consent.recipient_profession}
    return {
        **recipient,
        "purposes": sorted(consent.purposes),
        "items": sorted(consent.items),
        "sections": sorted(consent.sections),
        "decider": consent.decider,
    }


# --- Refusals --------------------------------------------------------------------------------


def _recipient(values: Mapping[str, Any]) -> tuple[Organisation | None, str, str]:
    """(organisation, organisation type, profession) as they will be stored: only the kind chosen."""
    kind = values.get("recipient_kind") or next((k for k in RECIPIENT_KINDS if values.get(_RECIPIENT_FIELD[k])), "")
    return (
        values.get("recipient_organisation") if kind == "organisation" else None,
        (values.get("recipient_organisation_type") or "") if kind == "organisation_type" else "",
        (values.get("recipient_profession") or "") if kind == "profession" else "",
    )


def contradicted_refusals(*, child: Child, values: Mapping[str, Any]) -> list[SharingRefusal]:
    """Active refusals that a consent to this recipient would contradict: the same organisation,
    type or role, an organisation of the refused type, or a type that includes the refused
    organisation ("not Ysgol y Wern" is contradicted by "schools")."""
    wanted = _recipient(values)
    if wanted == (None, "", ""):
        return []
    refusals = SharingRefusal.objects.active().filter(child=child).select_related("recipient_organisation")
    return [refusal for refusal in refusals if _overlap(wanted, refusal)]


def _overlap(wanted: tuple[Organisation | None, str, str], other: ConsentDecision | SharingRefusal) -> bool:
    """Whether a recipient (organisation, type, role) and a stored decision's recipient reach
    some of the same people: the same organisation, type or role, or an organisation of the type."""
    organisation, org_type, profession = wanted
    theirs = other.recipient_organisation
    return bool(
        (organisation is not None and theirs is not None and organisation.pk == theirs.pk)
        or (organisation is not None and other.recipient_organisation_type == organisation.type)
        or (org_type and other.recipient_organisation_type == org_type)
        or (org_type and theirs is not None and theirs.type == org_type)
        or (profession and other.recipient_profession == profession)
    )


def refusal_errors(*, child: Child, values: RefusalValues) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    _recipient_errors(values, add)
    decided_on = values.get("decided_on")
    if not decided_on:
        add("decided_on", _("Enter the date of the decision"))
    elif decided_on > timezone.localdate():
        add("decided_on", _("The date of the decision must be today or in the past"))
    decider = values.get("decider") or ""
    if decider not in Decider.values:
        add("decider", _("Choose who decided"))
    elif decider != Decider.YOUNG_PERSON and not (values.get("decider_name") or "").strip():
        add("decider_name", _("Enter the name of the person who decided"))
    if not (values.get("young_person_views") or "").strip():
        add("young_person_views", _("Enter what the young person said, in their own words"))
    # A refusal of someone a consent in force still reaches: the consent must be withdrawn (with
    # their words), not left to contradict it.
    wanted = _recipient(values)
    if wanted != (None, "", ""):
        in_force = ConsentDecision.objects.in_force().filter(child=child).select_related("recipient_organisation")
        clashing = [consent for consent in in_force if _overlap(wanted, consent)]
        if clashing:
            add(
                "recipient_kind",
                _(
                    "A consent to share with %(recipient)s is in force. If the young person no longer agrees, "
                    "withdraw that consent (with their words), then record this"
                )
                % {"recipient": ", ".join(c.recipient_label for c in clashing)},
            )
    return errors


def _recipient_audit(obj: ConsentDecision | SharingRefusal) -> dict[str, str]:
    if obj.recipient_organisation_id:
        return {
            "recipient_kind": "organisation",
            "recipient": obj.recipient_organisation.code if obj.recipient_organisation else "",
        }
    if obj.recipient_organisation_type:
        return {"recipient_kind": "organisation_type", "recipient": obj.recipient_organisation_type}
    return {"recipient_kind": "profession", "recipient": obj.recipient_profession}


@transaction.atomic
def record_refusal(*, by: User, child: Child, values: RefusalValues, route: str = Route.UI) -> SharingRefusal:
    """Record that the young person does not agree to share with a recipient. Nothing is shared
    because of it (it grants nothing); it is shown on the record and guards later consents."""
    if not can_change(by, child):
        raise PermissionDenied
    errors = refusal_errors(child=child, values=values)
    if errors:
        raise ValidationError(errors)
    organisation, org_type, profession = _recipient(values)
    decider = values["decider"]
    refusal = SharingRefusal(
        child=child,
        recipient_organisation=organisation,
        recipient_organisation_type=org_type,
        recipient_profession=profession,
        decider=decider,
        decider_name=(values.get("decider_name") or "").strip() if decider != Decider.YOUNG_PERSON else "",
        young_person_views=values["young_person_views"].strip(),
        text_language=values.get("text_language") or "",
        decided_on=values["decided_on"],
        recorded_by=by,
    )
    refusal.full_clean()
    mark_version(refusal, by=by)  # simple-history: who made this version
    refusal.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=refusal,
        child_id=child.pk,
        route=route,
        detail={"refusal": True, "decider": decider, **_recipient_audit(refusal)},
    )
    return refusal


# --- Consent ---------------------------------------------------------------------------------


@transaction.atomic
def record_consent(*, by: User, child: Child, values: ConsentValues, route: str = Route.UI) -> ConsentDecision:
    """Record a consent decision for ``child``. ``values`` holds the form's answers; with
    ``recipient_kind`` only the chosen kind's recipient is stored (the others are dropped),
    without it exactly one recipient must be given."""
    # Consent is recorded, and a safeguarding share asked for, by those who may change the
    # record (people.access.can_change): not emergency access, not partners.
    if not can_change(by, child):
        raise PermissionDenied
    errors = consent_errors(child=child, values=values)
    if errors:
        raise ValidationError(errors)
    if _names_person(values):
        kind = PERSON_KIND
    else:
        kind = values.get("recipient_kind") or next(k for k in RECIPIENT_KINDS if values.get(_RECIPIENT_FIELD[k]))
    decider = values["decider"]
    consent = ConsentDecision(
        child=child,
        items=[i for i in Item.values if i in (values.get("items") or [])],
        sections=[k for k in SECTION_KEYS if k in (values.get("sections") or [])],
        recipient_organisation=values.get("recipient_organisation") if kind == "organisation" else None,
        recipient_organisation_type=(values.get("recipient_organisation_type") or "")
        if kind == "organisation_type"
        else "",
        recipient_profession=(values.get("recipient_profession") or "") if kind == "profession" else "",
        recipient_person=values.get("recipient_person") if kind == PERSON_KIND else None,
        purposes=[p for p in Purpose.values if p in values["purposes"]],
        decider=decider,
        # The person deciding for the young person is named; the young person is the child.
        decider_name=(values.get("decider_name") or "").strip() if decider != Decider.YOUNG_PERSON else "",
        competence_judgement=(values.get("competence_judgement") or "").strip(),
        young_person_views=values["young_person_views"].strip(),
        text_language=values.get("text_language", ""),
        how_given=values["how_given"],
        given_on=values["given_on"],
        review_on=values.get("review_on"),
        lawful_basis=values["lawful_basis"],
        sharing_protocol=(values.get("sharing_protocol") or "").strip(),
        recorded_by=by,
    )
    # ``items`` may be empty when only named sections are shared (checked above, with sections);
    # the model field is not blank=True, so Django's own check would refuse that.
    consent.full_clean()
    mark_version(consent, by=by)  # simple-history: who made this version
    consent.save()
    refused = contradicted_refusals(child=child, values=values)
    record(
        actor=by,
        action=Action.CREATE,
        obj=consent,
        child_id=child.pk,
        route=route,
        detail={**_audit_summary(consent), **({"replaces_refusals": [r.pk for r in refused]} if refused else {})},
    )
    # The young person was asked again and agreed: the refusal ends, with their words kept.
    for refusal in refused:
        refusal.ended_at = timezone.now()
        refusal.ended_by_consent = consent
        refusal.ending_words = values["refusal_words"].strip()
        refusal.ending_language = consent.text_language
        mark_version(refusal, by=by)
        refusal.save(update_fields=["ended_at", "ended_by_consent", "ending_words", "ending_language"])
        record(
            actor=by,
            action=Action.UPDATE,
            obj=refusal,
            child_id=child.pk,
            route=route,
            reason=_("Replaced by a later consent"),
            detail={"refusal_ended": True, "consent": consent.pk},
        )
    return consent


@transaction.atomic
def withdraw_consent(
    *,
    by: User,
    consent: ConsentDecision,
    note: str = "",
    young_person_words: str = "",
    text_language: str = "",
) -> ConsentDecision:
    """Withdraw a consent now. Every route reads ``withdrawn_at``, so access ends at once.
    Withdrawing an already withdrawn consent changes nothing (and records nothing). The note and
    the young person's words are stored apart, with the language they were written in; the
    page labels them (a label stored in the data would stay in the writer's language)."""
    locked = ConsentDecision.objects.select_for_update().get(pk=consent.pk)
    # The care team, or the young person whose own decision it was (their own space).
    if not can_change(by, locked.child) and young_person_withdrawal(by, locked) != OwnWithdrawal.ALLOWED:
        raise PermissionDenied
    if locked.withdrawn_at is not None:
        return locked
    note = (note or "").strip()
    words = (young_person_words or "").strip()
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = by
    locked.withdrawal_note = note
    locked.withdrawal_words = words
    locked.withdrawal_language = text_language if (note or words) else ""
    locked.full_clean()
    mark_version(locked, by=by)
    locked.save(
        update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note", "withdrawal_words", "withdrawal_language"]
    )
    record(
        actor=by,
        action=Action.UPDATE,
        obj=locked,
        child_id=locked.child_id,
        reason=note or _("Consent withdrawn"),
        detail={"withdrawn": True, **_audit_summary(locked)},
        route=audit_route(by, locked.child_id),
    )
    return locked


# --- Safeguarding shares ----------------------------------------------------------------------


def safeguarding_errors(*, values: SafeguardingShareValues) -> dict[str, list[str]]:
    errors = _what_errors(values)

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    organisation = values.get("recipient_organisation")
    if organisation is None:
        add("recipient_organisation", _("Choose the organisation to share with"))
    elif organisation.type in NEVER_RECIPIENT_TYPES:
        add("recipient_organisation", _("A Regional Partnership Board cannot receive a child's information"))
    reason = (values.get("reason") or "").strip()
    if len(reason) < MIN_SAFEGUARDING_REASON:
        add(
            "reason",
            _(
                "Explain the risk of significant harm and why sharing without consent is necessary "
                "(at least %(count)s characters)"
            )
            % {"count": MIN_SAFEGUARDING_REASON},
        )
    expires_on = values.get("expires_on")
    today = timezone.localdate()
    if not expires_on:
        add("expires_on", _("Enter the date the share ends"))
    elif expires_on <= today:
        add("expires_on", _("The date the share ends must be in the future"))
    elif expires_on > today + datetime.timedelta(days=MAX_SAFEGUARDING_DAYS):
        add(
            "expires_on",
            _("A safeguarding share can last at most %(days)s days: choose a date on or before %(date)s")
            % {
                "days": MAX_SAFEGUARDING_DAYS,
                "date": formats.date_format(today + datetime.timedelta(days=MAX_SAFEGUARDING_DAYS), "j F Y"),
            },
        )
    return errors


def _share_summary(share: SafeguardingShare) -> dict[str, Any]:
    return {
        "recipient": share.recipient_organisation.code,
        "items": sorted(share.items),
        "sections": sorted(share.sections),
        "expires_on": share.expires_on.isoformat(),
    }


@transaction.atomic
def request_safeguarding_share(*, by: User, child: Child, values: SafeguardingShareValues) -> SafeguardingShare:
    """Ask to share without consent because of a risk of significant harm. Nothing is shared
    until another service manager approves."""
    if not can_change(by, child):
        raise PermissionDenied
    errors = safeguarding_errors(values=values)
    if errors:
        raise ValidationError(errors)
    share = SafeguardingShare(
        child=child,
        recipient_organisation=values["recipient_organisation"],
        items=[i for i in Item.values if i in (values.get("items") or [])],
        sections=[k for k in SECTION_KEYS if k in (values.get("sections") or [])],
        reason=values["reason"].strip(),
        young_person_views=(values.get("young_person_views") or "").strip(),
        text_language=values.get("text_language", ""),
        expires_on=values["expires_on"],
        requested_by=by,
        status=SafeguardingStatus.REQUESTED,
    )
    share.full_clean()
    mark_version(share, by=by)
    share.save()
    record(
        actor=by,
        action=Action.CREATE,
        obj=share,
        child_id=child.pk,
        # The reason stays on the request (with its history), not copied into the permanent trail.
        detail={"status": share.status, **_share_summary(share)},
        route=audit_route(by, child),
    )
    return share


@transaction.atomic
def decide_safeguarding_share(
    *, by: User, share: SafeguardingShare, approve: bool, note: str, text_language: str = ""
) -> SafeguardingShare:
    """A service manager (not the requester) approves or declines, with a note. Approval is the
    moment the information is shared, so it is audited as a share (it then appears in "who has
    seen my story"); a decline is audited as a review. A decided request cannot be decided again."""
    locked = SafeguardingShare.objects.select_for_update().get(pk=share.pk)
    if not can_decide_safeguarding(by, locked):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if locked.status != SafeguardingStatus.REQUESTED:
        errors["__all__"] = [_("This request has already been decided.")]
    elif approve and locked.expires_on < timezone.localdate():
        errors["__all__"] = [_("The end date of this request has passed: ask for a new safeguarding share instead.")]
    if not note:
        errors["note"] = [
            _("Explain why you approve sharing without consent")
            if approve
            else _("Explain why you do not approve sharing without consent")
        ]
    if errors:
        raise ValidationError(errors)
    locked.status = SafeguardingStatus.APPROVED if approve else SafeguardingStatus.DECLINED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.decision_language = text_language
    locked.full_clean()
    mark_version(locked, by=by)
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "decision_language"])
    record(
        actor=by,
        action=Action.SHARE if approve else Action.REVIEW,
        obj=locked,
        child_id=locked.child_id,
        reason=note,
        detail={"decision": locked.status, "route": "safeguarding", **_share_summary(locked)},
        route=audit_route(by, locked.child_id),
    )
    return locked


def safeguarding_waiting(user: User) -> Any:
    """Requests in the manager's service waiting for a decision (for the review list and home)."""
    if user.role != Role.SERVICE_MANAGER or not user.organisation_id:
        return SafeguardingShare.objects.none()
    return SafeguardingShare.objects.visible_to(user).filter(
        status=SafeguardingStatus.REQUESTED, child__service_id=user.organisation_id
    )
