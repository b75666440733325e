"""Accounts of the people the service supports: a young person (their own record) and, later in
issue 14, a carer (a person in that young person's nest). Personal data: reached through the
young person's record (``visible_to``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import PersonalQuerySet


class SpaceAccount(models.Model):
    """Links a young person's or carer's sign-in to the record it belongs to. The link, not the
    user, names the child: a staff page never learns of it, and a merge moves it with the record."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="space_account")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_accounts")
    #: For a carer: the person in the young person's nest they are. Empty for the young person.
    related_person = models.ForeignKey(
        "people.RelatedPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="space_accounts"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    #: Access ended by the practitioner (or, for a carer, by the placement ending): the account
    #: can no longer sign in, and the record keeps who had it and when.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PersonalQuerySet.as_manager()

    class Meta:
        verbose_name = _("own space account")
        verbose_name_plural = _("own space accounts")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.child_id}"


class Invitation(models.Model):
    """A single-use, expiring link a practitioner hands to the young person (in person, as a
    link or a QR code). Stored only as a keyed hash; opening the link shows a page and uses
    nothing (mail scanners prefetch links): the POST that sets the password uses it.

    An invitation for a young person who already has an account is a re-invitation (a forgotten
    password, a lost phone): accepting it sets a new password on the same account."""

    token_hash = models.CharField(max_length=64, unique=True)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_invitations")
    #: For a carer's invitation: the person in the nest (carers' invitations come later in issue 14).
    related_person = models.ForeignKey(
        "people.RelatedPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20)
    #: Set for a re-invitation: the account whose password the invitation resets.
    account = models.ForeignKey(SpaceAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    #: Superseded by a newer invitation, or withdrawn with the account's access.
    voided_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation to their own space")
        verbose_name_plural = _("invitations to their own space")

    def __str__(self) -> str:
        return f"{self.child_id} {self.created_at:%Y-%m-%d}"


class NoticeKind(models.TextChoices):
    WITHDRAWN = "withdrawn", _("They stopped sharing")
    WITHDRAWAL_REQUEST = "withdrawal_request", _("They ask to stop sharing")
    WHY_LOOK = "why_look", _("They ask why someone looked at their story")


class CareTeamNotice(models.Model):
    """Something a young person did or asked in their own space that their care team must see at
    once: a consent they withdrew (the practitioner checks it was freely made), a withdrawal they
    may not make themselves (asked of the practitioner instead), or "why did this person look?".
    Open until someone in the care team marks it done."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_notices")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    consent = models.ForeignKey(
        "consent.ConsentDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: For "why did this person look?": the newest audit event of the line they asked about.
    event = models.ForeignKey("audit.AuditEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    #: The line as the young person read it (in the language they read it in).
    about = models.TextField(blank=True, max_length=2000)
    #: What the young person wanted to add, in their words (optional).
    words = models.TextField(_("what you want to say"), blank=True, max_length=1500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice from their own space")
        verbose_name_plural = _("notices from their own space")

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind}"


class WithheldLogEntry(models.Model):
    """An entry of "who has seen my story" a manager keeps from the young person's view for now
    (telling them could put them at risk: no tipping off). Hidden until ``review_on``; from that
    day it shows again unless a manager renews it with a new date. The entry is still in the
    audit trail and on the staff pages."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    event = models.OneToOneField("audit.AuditEvent", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why it is kept from their view"), max_length=3000)
    review_on = models.DateField(_("review date"))
    withheld_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withheld_at = models.DateTimeField(default=timezone.now)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["review_on", "pk"]
        verbose_name = _("entry kept from their view")
        verbose_name_plural = _("entries kept from their view")

    def __str__(self) -> str:
        return f"{self.child_id} {self.event_id} until {self.review_on}"
