"""My consents, in the young person's own space: what they have agreed to share, and stopping it.

The rule for who may withdraw is the consent app's (``consent.services.young_person_withdrawal``)
and the withdrawal is its service (``withdraw_consent``): access ends at once for every route,
because every route reads ``withdrawn_at``. What this module adds is what the space needs around
it: the care team is told at once (a notice and an email naming no one), and a withdrawal the
young person may not make themselves becomes a request to the practitioner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from audit.models import Action, Route
from audit.services import record
from consent.models import ConsentDecision
from consent.services import OwnWithdrawal, own_decision_withdrawal, withdraw_consent, young_person_withdrawal
from jobs.email import send_once
from myspace.models import CareTeamNotice, NoticeKind
from people.models import CareTeamMembership, CareTeamRole

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Child


@dataclass(frozen=True)
class MyConsent:
    consent: ConsentDecision
    #: What stopping it does: ALLOWED (it stops now) or a reason it is asked of the practitioner.
    withdrawal: OwnWithdrawal
    #: They have already asked their practitioner to stop it.
    asked: bool


def my_consents(child: Child) -> list[MyConsent]:
    """The consents in force for ``child`` (their own record, already reached through the scope),
    newest first. Two queries whatever their number."""
    consents = list(ConsentDecision.objects.in_force().filter(child=child).select_related("recipient_organisation"))
    for consent in consents:
        consent.child = child  # the rule reads the child's age; it is the record already reached
    asked = set(
        CareTeamNotice.objects.filter(
            child=child, kind=NoticeKind.WITHDRAWAL_REQUEST, read_at__isnull=True, consent__in=consents
        ).values_list("consent_id", flat=True)
    )
    return [MyConsent(c, own_decision_withdrawal(c), c.pk in asked) for c in consents]


def my_consent(child: Child, consent_pk: int) -> ConsentDecision | None:
    """One of ``child``'s consents in force, or None (not theirs, or stopped already)."""
    consent = (
        ConsentDecision.objects.in_force()
        .filter(child=child, pk=consent_pk)
        .select_related("recipient_organisation")
        .first()
    )
    if consent is not None:
        consent.child = child
    return consent


@transaction.atomic
def stop_sharing(*, by: User, child: Child, consent: ConsentDecision, words: str = "") -> CareTeamNotice:
    """Withdraw ``consent`` now when it is the young person's own decision to withdraw, else ask
    their practitioner to. Either way the care team is told at once. Returns the notice."""
    words = (words or "").strip()
    rule = young_person_withdrawal(by, consent)
    if rule == OwnWithdrawal.NO:
        raise PermissionDenied
    if rule == OwnWithdrawal.ALLOWED:
        withdraw_consent(by=by, consent=consent, young_person_words=words, text_language=translation.get_language())
        kind = NoticeKind.WITHDRAWN
    else:
        kind = NoticeKind.WITHDRAWAL_REQUEST
    notice = CareTeamNotice.objects.create(
        child=child, kind=kind, consent=consent, words=words, about=consent.recipient_label, created_by=by
    )
    record(
        actor=by,
        action=Action.CREATE,
        obj=notice,
        child_id=child.pk,
        detail={"kind": kind, "consent": consent.pk, "rule": rule.value},
        route=Route.SELF,
    )
    tell_care_team(notice)
    return notice


def care_team(child: Child) -> list[User]:
    """The lead and practitioners working with ``child``: the people the young person knows."""
    return [
        m.user
        for m in CareTeamMembership.objects.filter(
            child=child, ended_at__isnull=True, role__in=[CareTeamRole.LEAD, CareTeamRole.PRACTITIONER]
        ).select_related("user")
    ]


def tell_care_team(notice: CareTeamNotice) -> None:
    """An email to each of the care team, in their language, naming no one (an inbox is not the
    record): it says something is waiting and links to the sign-in, nothing more."""
    link = settings.NYTH_SITE_URL + reverse("core:home")
    for user in care_team(notice.child):
        if not user.email:
            continue
        with translation.override(user.preferred_language or "en"):
            subject = _("Nyth: a young person you work with needs you to look at their own space")
            body = _(
                "A young person you work with did something in their own space that you need to see "
                "today. Sign in to see it on your home page: %(link)s"
            ) % {"link": link}
        send_once(event_key=f"space-notice:{notice.pk}", to=user.email, subject=subject, body=body)
