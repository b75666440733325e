"""Sharing the assessment with an organisation, and PDF copies for a court or another service.

Both go through one selection (``_select``) so they cannot disagree about what may leave:

* only service staff with a whole-record *write* route (care team, manager of the holding
  service) may share or export – emergency (break-glass) access is read-only;
* a consent in force must cover that organisation (or its type) and that purpose – read through
  ``consent.access.consent_covering``, never decided here – or, for a share in Nyth only, an
  approved, unexpired safeguarding share to that organisation;
* what is shared = the sections chosen ∩ covered by that consent or share ∩ written ∩ **not
  restricted**; every other section is recorded as withheld with its reason (never its content);
* a share is a snapshot of the versions current when shared; the recipient reaches it through
  ``AssessmentShare.objects.visible_to`` only while the consent or share behind it is in force.

Every share and copy is audited (``Action.SHARE``/``Action.EXPORT``), without any of the text.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from assessments.access import restricted_sections
from assessments.models import Assessment, AssessmentExport, AssessmentShare, SectionVersion, WithheldReason
from assessments.sections import SECTION_KEYS
from assessments.services import assessment_for, current_versions
from audit.models import Action, Route
from audit.services import record
from consent.access import consent_covering
from consent.models import ConsentDecision, Purpose, SafeguardingShare
from people.access import can_change, unscoped_rows

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child

#: Sharing in Nyth opens the shared sections to the recipient: only for working purposes (court
#: and research consents allow a copy for that purpose only – see consent.models.WORKING_PURPOSES).
SHARE_PURPOSES: tuple[str, ...] = (Purpose.JOINT_ASSESSMENT, Purpose.TRANSITION)
#: A PDF copy leaves Nyth: for court proceedings, or for another service taking over.
EXPORT_PURPOSES: tuple[str, ...] = (Purpose.COURT, Purpose.TRANSITION)
LANGUAGES: tuple[str, ...] = ("en", "cy")
#: The same sharer sharing the same thing again within this time gets the first share back
#: (a double click or a retried request must not make two shares).
REPEAT_WINDOW = datetime.timedelta(minutes=1)
#: Reference letters: uppercase letters and digits, leaving out those easily misread (0/O, 1/I)
#: when a reference is read out over the phone or copied from paper.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# --- Who may share, and with whom ------------------------------------------------------------


def default_language(child: Child) -> str:
    """Welsh when the young person prefers Welsh, otherwise English (the recipient's own
    preference is not known: the sharer chooses)."""
    return "cy" if child.preferred_language == "cy" else "en"


def recipient_choices(child: Child) -> QuerySet[Organisation]:
    """Organisations with an in-force consent (naming them or their type, for a purpose that
    allows a share or a copy) or an approved safeguarding share for ``child``. Others need a
    consent first. ``child`` must already have been reached through ``visible_to``."""
    from consent.services import NEVER_RECIPIENT_TYPES

    wanted = set(SHARE_PURPOSES) | set(EXPORT_PURPOSES)
    org_ids: set[int] = set()
    types: set[str] = set()
    for consent in ConsentDecision.objects.in_force().filter(child=child):
        if not set(consent.purposes) & wanted:
            continue
        if consent.recipient_organisation_id:
            org_ids.add(consent.recipient_organisation_id)
        elif consent.recipient_organisation_type:
            types.add(consent.recipient_organisation_type)
    org_ids.update(
        SafeguardingShare.objects.in_force().filter(child=child).values_list("recipient_organisation_id", flat=True)
    )
    return (
        Organisation.objects.filter(Q(pk__in=org_ids) | Q(type__in=types), is_active=True)
        .exclude(type__in=NEVER_RECIPIENT_TYPES)
        .order_by("name_en")
    )


# --- What may leave ----------------------------------------------------------------------------


@dataclass
class Selection:
    consent: ConsentDecision | None
    safeguarding: SafeguardingShare | None
    #: section key → the version shared, for every section that may leave.
    versions: dict[str, SectionVersion] = field(default_factory=dict)
    #: section key → WithheldReason, for every other section.
    withheld: dict[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return [key for key in SECTION_KEYS if key in self.versions]


def _safeguarding_covering(child: Child, organisation: Organisation, sections: list[str]) -> SafeguardingShare | None:
    best, best_count = None, 0
    for share in SafeguardingShare.objects.in_force().filter(child=child, recipient_organisation=organisation):
        count = sum(1 for key in sections if share.covers_section(key))
        if count > best_count:
            best, best_count = share, count
    return best


def _missing(child: Child, organisation: Organisation, purpose: str, *, safeguarding_route: bool) -> ValidationError:
    """Say exactly what is missing – a consent to this recipient at all, this purpose, or these
    sections – and where to go next."""
    values = {"recipient": str(organisation), "purpose": str(Purpose(purpose).label)}
    consents = [c for c in ConsentDecision.objects.in_force().covering_organisation(organisation).filter(child=child)]
    if safeguarding_route:
        next_step = _(
            "Record the young person's consent first. If they are at risk of significant harm, ask a manager to "
            "approve a safeguarding share instead."
        )
    else:
        next_step = _("Record the young person's consent for this first.")
    if not consents:
        message = _("No consent in force allows sharing with %(recipient)s.") % values
        return ValidationError({"organisation": f"{message} {next_step}"})
    if not any(purpose in c.purposes for c in consents):
        message = _("The young person's consent to share with %(recipient)s does not include “%(purpose)s”.") % values
        return ValidationError({"purpose": f"{message} {next_step}"})
    message = (
        _(
            "The young person's consent to share with %(recipient)s for “%(purpose)s” does not cover any of the sections you chose."
        )
        % values
    )
    return ValidationError({"sections": f"{message} {next_step}"})


def _select(
    *, child: Child, organisation: Organisation, purpose: str, chosen: list[str], allow_safeguarding: bool
) -> Selection:
    consent = consent_covering(child, organisation, purpose, chosen)
    safeguarding = None
    if consent is None and allow_safeguarding:
        safeguarding = _safeguarding_covering(child, organisation, chosen)
    basis = consent or safeguarding
    if basis is None:
        raise _missing(child, organisation, purpose, safeguarding_route=allow_safeguarding)
    restricted = restricted_sections(child)
    current = current_versions(assessment_for(child))
    selection = Selection(consent=consent, safeguarding=safeguarding)
    for key in SECTION_KEYS:
        # Restricted first: a restriction is honoured whatever was chosen or consented to.
        if key in restricted:
            selection.withheld[key] = WithheldReason.RESTRICTED
        elif key not in chosen:
            selection.withheld[key] = WithheldReason.NOT_CHOSEN
        elif not basis.covers_section(key):
            selection.withheld[key] = WithheldReason.NOT_CONSENTED
        elif key not in current:
            selection.withheld[key] = WithheldReason.EMPTY
        else:
            selection.versions[key] = current[key]
    if not selection.versions:
        raise ValidationError(
            {
                "sections": _(
                    "None of the sections you chose can be shared: they are not written yet, restricted to named "
                    "people, or not covered by the consent."
                )
            }
        )
    return selection


def _check_choice(
    *,
    organisation: Organisation | None,
    purpose: str,
    sections: list[str],
    language: str,
    purposes: tuple[str, ...],
    for_pdf: bool,
) -> list[str]:
    """Every problem with the choice at once (field key → message); returns the chosen section
    keys in the assessment's order."""
    errors: dict[str, str] = {}
    if organisation is None:
        errors["organisation"] = _("Choose who to share with")
    if purpose not in purposes:
        if purpose == Purpose.COURT:
            errors["purpose"] = _("A consent for court proceedings allows a PDF copy only: choose to download a PDF.")
        elif purpose == Purpose.JOINT_ASSESSMENT and for_pdf:
            errors["purpose"] = _(
                "For joint assessment and care planning, share the assessment in Nyth instead of making a copy."
            )
        else:
            errors["purpose"] = _("Choose the purpose of sharing")
    chosen = [key for key in SECTION_KEYS if key in (sections or [])]
    if not chosen:
        errors["sections"] = _("Choose at least one section to share")
    if language not in LANGUAGES:
        errors["language"] = _("Choose English or Welsh")
    if errors:
        raise ValidationError(errors)
    return chosen


def _require_recipient(organisation: Organisation | None) -> Organisation:
    """A real check, not an ``assert`` (which ``python -O`` removes): nothing is shared or
    copied without a recipient, even if an earlier check changes."""
    if organisation is None:
        raise ValidationError({"organisation": _("Choose who to share with")})
    return organisation


def _reference(prefix: str, model: type[Model]) -> str:
    year = timezone.localdate().year
    while True:
        reference = f"{prefix}-{year}-{''.join(secrets.choice(_REFERENCE_ALPHABET) for _i in range(6))}"
        if not unscoped_rows(model).filter(reference=reference).exists():
            return reference


# --- Sharing in Nyth ---------------------------------------------------------------------------


@transaction.atomic
def share_assessment(
    *,
    by: User,
    child: Child,
    organisation: Organisation | None,
    purpose: str,
    sections: list[str],
    note: str = "",
    language: str | None = None,
    route: str = Route.UI,
    text_language: str = "",
) -> AssessmentShare:
    """Share chosen sections of ``child``'s assessment with ``organisation`` for ``purpose``.

    Raises PermissionDenied for anyone without a whole-record write route, ValidationError
    (field keys: organisation, purpose, sections, language, note) when nothing allows it."""
    # Those who may change the record share it (not emergency access, not a recipient).
    if not can_change(by, child):
        raise PermissionDenied
    language = language or default_language(child)
    chosen = _check_choice(
        organisation=organisation,
        purpose=purpose,
        sections=sections,
        language=language,
        purposes=SHARE_PURPOSES,
        for_pdf=False,
    )
    note = (note or "").strip()
    if len(note) > 3000:
        raise ValidationError({"note": _("The message must be 3,000 characters or fewer")})
    organisation = _require_recipient(organisation)
    # One share at a time per child: a repeated request waits here and then finds the first.
    Assessment.objects.select_for_update().get(pk=assessment_for(child).pk)
    selection = _select(child=child, organisation=organisation, purpose=purpose, chosen=chosen, allow_safeguarding=True)

    repeat = _recent_same_share(by=by, child=child, organisation=organisation, purpose=purpose, selection=selection)
    if repeat is not None:
        return repeat

    share = AssessmentShare.objects.create(
        reference=_reference("SH", AssessmentShare),
        child=child,
        recipient_organisation=organisation,
        purpose=purpose,
        consent=selection.consent,
        safeguarding=selection.safeguarding,
        withheld=selection.withheld,
        language=language,
        note=note,
        text_language=text_language if note else "",
        shared_by=by,
    )
    share.versions.set(selection.versions.values())
    record(
        actor=by,
        action=Action.SHARE,
        obj=share,
        child_id=child.pk,
        route=route,
        detail={
            "recipient": organisation.pk,
            "purpose": purpose,
            "sections": selection.keys,
            "withheld": len(selection.withheld),
            "basis": "consent" if selection.consent else "safeguarding",
            "reference": share.reference,
        },
    )
    return share


def _recent_same_share(
    *, by: User, child: Child, organisation: Organisation, purpose: str, selection: Selection
) -> AssessmentShare | None:
    since = timezone.now() - REPEAT_WINDOW
    wanted = {version.pk for version in selection.versions.values()}
    recent = AssessmentShare.objects.filter(
        child=child, shared_by=by, recipient_organisation=organisation, purpose=purpose, shared_at__gte=since
    ).order_by("shared_at")
    for share in recent:
        if share.withheld == selection.withheld and set(share.versions.values_list("pk", flat=True)) == wanted:
            return share
    return None


def share_contents(share: AssessmentShare) -> tuple[list[SectionVersion], dict[str, str]]:
    """The versions a share shows now, in the assessment's order, and what is withheld: a
    section restricted *since* sharing is dropped and counted as restricted (restrictions are
    honoured everywhere, including in shares already made)."""
    restricted = restricted_sections(share.child)
    withheld = dict(share.withheld)
    by_key = {
        version.section: version for version in share.versions.select_related("author", "author_organisation_ref")
    }
    shown = []
    for key in SECTION_KEYS:
        if key not in by_key:
            continue
        if key in restricted:
            withheld[key] = WithheldReason.RESTRICTED
            continue
        shown.append(by_key[key])
    return shown, withheld


# --- PDF copies --------------------------------------------------------------------------------


@transaction.atomic
def export_pdf(
    *,
    by: User,
    child: Child,
    organisation: Organisation | None,
    purpose: str,
    sections: list[str],
    language: str,
    route: str = Route.UI,
) -> tuple[AssessmentExport, bytes]:
    """A PDF copy of chosen sections for ``organisation`` (a court, or a service taking over),
    with the fixed text in ``language``. Needs a consent covering that organisation and purpose
    (a safeguarding share does not allow a copy); restricted sections never appear. The export
    is stored with the SHA-256 of the bytes and audited."""
    from assessments.pdf import render_assessment_pdf

    # Those who may change the record share it (not emergency access, not a recipient).
    if not can_change(by, child):
        raise PermissionDenied
    chosen = _check_choice(
        organisation=organisation,
        purpose=purpose,
        sections=sections,
        language=language,
        purposes=EXPORT_PURPOSES,
        for_pdf=True,
    )
    organisation = _require_recipient(organisation)
    selection = _select(
        child=child, organisation=organisation, purpose=purpose, chosen=chosen, allow_safeguarding=False
    )
    if selection.consent is None:
        # A safeguarding share allows reading in Nyth, never a copy: only a consent allows a PDF.
        raise _missing(child, organisation, purpose, safeguarding_route=False)
    reference = _reference("EX", AssessmentExport)
    made_at = timezone.now()
    content = render_assessment_pdf(
        child=child,
        organisation=organisation,
        purpose_label=Purpose(purpose).label,
        reference=reference,
        consent=selection.consent,
        versions=selection.versions,
        withheld=selection.withheld,
        made_by=by,
        made_at=made_at,
        language=language,
    )
    digest = hashlib.sha256(content).hexdigest()
    export = AssessmentExport.objects.create(
        reference=reference,
        child=child,
        recipient_organisation=organisation,
        purpose=purpose,
        consent=selection.consent,
        language=language,
        sections=selection.keys,
        withheld=selection.withheld,
        sha256=digest,
        created_by=by,
        created_at=made_at,
    )
    export.versions.set(selection.versions.values())
    record(
        actor=by,
        action=Action.EXPORT,
        obj=export,
        child_id=child.pk,
        route=route,
        detail={
            "reference": reference,
            "recipient": organisation.pk,
            "purpose": purpose,
            "sections": selection.keys,
            "withheld": len(selection.withheld),
            "language": language,
            "sha256": digest,
        },
    )
    return export, content
