"""Accounts of the people the service supports: a young person (their own record) and, later in
issue 14, a carer (a person in that young person's nest). Personal data: reached through the
young person's record (``visible_to``)."""

from __future__ import annotations

import datetime
from typing import Any

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
    #: "Email me when there is something new" (myspace.notify): off unless they turn it on. The
    #: address is theirs to give and change, kept only while it is on (turning it off clears it),
    #: and never on the user: staff pages and password resets never see it.
    notify_email = models.EmailField(_("email address"), blank=True)
    notify_on = models.BooleanField(default=False)
    #: Something new waits to be told (set once per email; cleared when the email is sent).
    notify_pending_at = models.DateTimeField(null=True, blank=True)
    #: The last "something new" email: at most one every NYTH_SPACE_NOTIFY_EVERY_HOURS.
    notify_sent_at = models.DateTimeField(null=True, blank=True)

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
    #: Emailing the link (myspace.invitations): the address the young person or carer gave and
    #: the seed the link is derived from are kept only until the email is sent (or the link can
    #: no longer be used), then cleared; the record keeps that it was emailed, when, in which
    #: language – never the address.
    email_to = models.EmailField(blank=True)
    email_seed = models.CharField(max_length=64, blank=True)
    email_language = models.CharField(max_length=10, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation to their own space")
        verbose_name_plural = _("invitations to their own space")

    def __str__(self) -> str:
        return f"{self.child_id} {self.created_at:%Y-%m-%d}"


# --- One care-team inbox (issue 14): whatever a young person sends from their space ----------

#: The longest reply a practitioner writes back (a few sentences: they talk with the young person).
REPLY_MAX = 1000


def read_by_for(made: datetime.datetime) -> datetime.date:
    """The working day by which the care team must have read something sent at ``made``:
    ``NYTH_SPACE_READ_WITHIN_WORKING_DAYS`` Welsh working days later (core.workdays)."""
    from core.workdays import add_working_days

    return add_working_days(timezone.localdate(made), settings.NYTH_SPACE_READ_WITHIN_WORKING_DAYS)


class FromTheirSpace(models.Model):
    """What every item a young person sends their care team carries (a check-in, a "before my
    review", a request, a notice): the date it must be read by, who read it and when, and the
    practitioner's short reply, shown back on the page where they sent it. One rule for all of
    them (``myspace.inbox.mark_read``); the tables stay apart, each with its own fields."""

    #: Set when the item is made (``save``), from ``created_at``: the young person is told it.
    read_by_date = models.DateField(_("read by"))
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reply = models.TextField(_("your reply"), max_length=REPLY_MAX, blank=True)
    #: The reply's own language (the practitioner may answer in Welsh on an English page).
    reply_language = TextLanguageField()

    created_at: models.DateTimeField

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.read_by_date is None:
            self.read_by_date = read_by_for(self.created_at or timezone.now())
        super().save(*args, **kwargs)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.read_at is None and self.read_by_date < (today or timezone.localdate())


# --- The young person's pages: requests to the care team, help now (branch yppages) ----------


class RequestKind(models.TextChoices):
    ADD_PERSON = "add_person", _("Add someone to my nest")
    SESSION_CHANGE = "session_change", _("Change a session")


class SpaceRequest(FromTheirSpace):
    """Something a young person asks of their care team from their space ("add someone to my
    nest", "can we change this session?"). The team reads it in the one care-team inbox
    (``myspace.inbox``) and may answer; it changes nothing by itself – a person decides."""

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


# --- The young person's voice (issue 14: how I'm feeling, the alert, before my review, drafts) ---


class Feeling(models.IntegerChoices):
    """The 5-point face scale, each point with its word (never a face alone)."""

    VERY_BAD = 1, _("Very bad")
    BAD = 2, _("Not good")
    OK = 3, _("OK")
    GOOD = 4, _("Good")
    VERY_GOOD = 5, _("Very good")


class CheckIn(FromTheirSpace):
    """A young person's "how I'm feeling": every one lands on the care team's list and is marked
    read within ``NYTH_SPACE_READ_WITHIN_WORKING_DAYS`` (``read_by_date``)."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_checkins")
    feeling = models.PositiveSmallIntegerField(_("how you are feeling"), choices=Feeling.choices)
    note = models.TextField(_("anything you want to say"), max_length=2000, blank=True)
    text_language = TextLanguageField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.child_id} {self.created_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    NOT_SAFE = "not_safe", _("I don't feel safe")
    TALK = "talk", _("I need to talk to someone")


class Cover(models.TextChoices):
    """Who was watching when the alert was raised: what the young person was told."""

    IN_HOURS = "in_hours", _("The service was open")
    ON_CALL = "on_call", _("Sent to the worker on call")
    NONE = "none", _("Nobody was watching")


class Alert(models.Model):
    """ "I don't feel safe" / "I need to talk to someone": flagged to the lead practitioner and the
    service's duty workers (and the worker on call), escalated to the service's managers when
    nobody picks it up in ``NYTH_SPACE_ALERT_ESCALATE_MINUTES`` of being watched."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    cover = models.CharField(max_length=20, choices=Cover.choices)
    #: When someone was (or will be) watching: the escalation clock starts here, not at night.
    watched_from = models.DateTimeField()
    on_call = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    picked_up_at = models.DateTimeField(null=True, blank=True)
    picked_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    what_was_done = models.TextField(_("what was done"), max_length=2000, blank=True)
    text_language = TextLanguageField()
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("alert from their own space")
        verbose_name_plural = _("alerts from their own space")

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def seen_by(self) -> datetime.datetime:
        """What the young person was told: seen within the hour of someone watching."""
        return self.watched_from + datetime.timedelta(minutes=settings.NYTH_SPACE_ALERT_SEEN_WITHIN_MINUTES)


class OnCallShift(models.Model):
    """The service's on-call rota in Nyth: a duty worker on call between two times. Out of the
    service's cover hours an alert goes to whoever is on call now."""

    service = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    #: Counted up on every save from the manager's rota page: a save made from an older copy is
    #: refused (optimistic concurrency, as the plan's), never a silent overwrite.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call shifts")

    def __str__(self) -> str:
        return f"{self.user_id} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class ReviewNote(FromTheirSpace):
    """ "Before my review": what the young person wants to say at their next plan or looked-after
    child review. The practitioner sees it on the plan review form and marks it read; the young
    person sees that it was read."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_review_notes")
    text = models.TextField(_("what you want to say at your review"), max_length=2000)
    text_language = TextLanguageField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("before my review")
        verbose_name_plural = _("before my review")

    def __str__(self) -> str:
        return f"{self.child_id} {self.created_at:%Y-%m-%d}"


class Draft(models.Model):
    """What a space user was writing when the idle sign-out caught their POST: the non-secret
    fields, kept a day, offered back on that form after they sign in again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.path}"


class NoticeKind(models.TextChoices):
    WITHDRAWN = "withdrawn", _("They stopped sharing")
    WITHDRAWAL_REQUEST = "withdrawal_request", _("They ask to stop sharing")
    WHY_LOOK = "why_look", _("They ask why someone looked at their story")


class CareTeamNotice(FromTheirSpace):
    """Something a young person did or asked in their own space that their care team must see at
    once: a consent they withdrew (the practitioner checks it was freely made), a withdrawal they
    may not make themselves (asked of the practitioner instead), or "why did this person look?".
    Open until someone in the care team marks it done (``read_at``: done is the one read rule)."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_notices")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    consent = models.ForeignKey(
        "consent.ConsentDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: For "why did this person look?": the newest audit event of the line they asked about.
    # No database constraint: the audit trail is append-only and owned apart (ADR 011, 012); no
    # table may hold it hostage, and its own integrity checks must still be able to wipe it in tests.
    event = models.ForeignKey(
        "audit.AuditEvent", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    #: The line as the young person read it (in the language they read it in).
    about = models.TextField(blank=True, max_length=2000)
    #: What the young person wanted to add, in their words (optional).
    words = models.TextField(_("what you want to say"), blank=True, max_length=1500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice from their own space")
        verbose_name_plural = _("notices from their own space")

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind}"

    @property
    def recipient(self) -> str:
        """Whom a withdrawal is about, in the *reader's* language (an organisation's name is
        bilingual): from the consent, not ``about``, which keeps the young person's words."""
        if self.consent_id and self.consent is not None:
            return self.consent.recipient_label
        return self.about


class WithheldLogEntry(models.Model):
    """An entry of "who has seen my story" a manager keeps from the young person's view for now
    (telling them could put them at risk: no tipping off). Hidden until ``review_on``; from that
    day it shows again unless a manager renews it with a new date. The entry is still in the
    audit trail and on the staff pages."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_withheld_entries")
    # No database constraint, as on CareTeamNotice.event: the audit trail is referenced, never held.
    event = models.OneToOneField("audit.AuditEvent", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
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


# --- Reviews of access: at 26, or long after the last episode closed (myspace/reviews.py) ------


class ReviewReason(models.TextChoices):
    AGE = "age", _("They are older than the service's age range")
    EPISODE_CLOSED = "episode_closed", _("Their support ended a long time ago")


class ReviewDecision(models.TextChoices):
    KEEP = "keep", _("Keep their access")
    END = "end", _("End their access")


class AccessReview(models.Model):
    """A prompt to the service's managers to decide about a space account: a young person past
    the service's age range, or whose last episode closed long ago. Never a silent loss: the
    account keeps working until a person keeps it (with a reason and a next review date) or ends
    it. At most one open review per account."""

    account = models.ForeignKey(SpaceAccount, on_delete=models.PROTECT, related_name="reviews")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="space_access_reviews")
    reason = models.CharField(max_length=20, choices=ReviewReason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices, blank=True)
    why = models.TextField(_("why"), max_length=2000, blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review of access to their own space")
        verbose_name_plural = _("reviews of access to their own space")
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(decided_at__isnull=True), name="one_open_space_review"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.reason} {self.created_at:%Y-%m-%d}"
