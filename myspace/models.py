"""Accounts of the people the service supports: a young person (their own record) and, later in
issue 14, a carer (a person in that young person's nest). Personal data: reached through the
young person's record (``visible_to``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text_language import TextLanguageField
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


# --- The young person's pages: requests to the care team, help now (branch yppages) ----------


class RequestKind(models.TextChoices):
    ADD_PERSON = "add_person", _("Add someone to my nest")
    SESSION_CHANGE = "session_change", _("Change a session")


class SpaceRequest(models.Model):
    """Something a young person asks of their care team from their space ("add someone to my
    nest", "can we change this session?"). The team sees it on the staff page about the space
    and marks it read; it changes nothing by itself – a person decides."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_requests")
    kind = models.CharField(_("kind of request"), max_length=20, choices=RequestKind.choices)
    text = models.TextField(_("what they asked"), max_length=1000)
    #: The language of their space when they wrote it (core/text_language.py).
    text_language = TextLanguageField()
    #: The session a "can we change this?" is about (kept if the session is later changed).
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="space_requests"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    #: The form's one-time key: the same form sent twice makes one request.
    form_key = models.CharField(max_length=64, unique=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("request from their own space")
        verbose_name_plural = _("requests from their own space")
        indexes = [models.Index(fields=["child", "created_at"])]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.created_at:%Y-%m-%d}"


class HelpLine(models.Model):
    """A line a young person can call or text now (Help now). Not personal data: kept as data,
    seeded with the national lines, so a number that changes is changed without a release.
    ``citation`` is where the number was taken from (the organisation's own site)."""

    name_en = models.CharField(_("name in English"), max_length=100)
    name_cy = models.CharField(_("name in Welsh"), max_length=100)
    what_en = models.CharField(_("what it is for, in English"), max_length=300)
    what_cy = models.CharField(_("what it is for, in Welsh"), max_length=300)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    text_number = models.CharField(_("number to text"), max_length=30, blank=True)
    #: For a second number in Welsh (Samaritans' Welsh-language line).
    welsh_phone = models.CharField(_("phone number for a Welsh-speaking line"), max_length=30, blank=True)
    citation = models.URLField(_("where the numbers come from"))
    order = models.PositiveSmallIntegerField(_("order on the page"), default=0)
    is_active = models.BooleanField(_("listed"), default=True)

    #: Who changed a number, and from what (service managers keep the lines).
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("help line")
        verbose_name_plural = _("help lines")

    def __str__(self) -> str:
        return self.name_en

    def _localised(self, field: str) -> str:
        welsh = (translation.get_language() or "en").startswith("cy")
        value: str = (
            getattr(self, f"{field}_cy") if welsh and getattr(self, f"{field}_cy") else getattr(self, f"{field}_en")
        )
        return value

    @property
    def name(self) -> str:
        return self._localised("name")

    @property
    def what(self) -> str:
        return self._localised("what")
