"""One living holistic assessment per child, written in sections by several agencies.

Nothing is ever overwritten: each save of a section is a new ``SectionVersion`` and a new
assessment-wide revision number, so any two states can be compared. Who may read or write which
section is decided only in ``assessments.access``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from assessments.sections import SECTION_CHOICES
from core.text_language import TextLanguageField
from people.models import Child

if TYPE_CHECKING:
    from accounts.models import User


class Assessment(models.Model):
    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="assessment")
    created_at = models.DateTimeField(default=timezone.now)
    #: Bumped (under a row lock) by every saved section: the assessment-wide version number.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("holistic assessment")
        verbose_name_plural = _("holistic assessments")

    def __str__(self) -> str:
        return f"{self.child_id}"


class Voice(models.TextChoices):
    """Whose words these are – the young person's voice is visible, not assumed."""

    PROFESSIONAL = "professional", _("Written by a professional")
    WITH_YOUNG_PERSON = "with_young_person", _("Written with the young person")
    YOUNG_PERSON = "young_person", _("Written by the young person")


class SectionVersion(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="versions")
    section = models.CharField(_("section"), max_length=30, choices=SECTION_CHOICES)
    #: 1, 2, 3… within this section.
    number = models.PositiveIntegerField()
    #: The assessment-wide revision this save created.
    revision = models.PositiveIntegerField()
    text = models.TextField(_("text"), max_length=20000)
    voice = models.CharField(_("whose words"), max_length=20, choices=Voice.choices, default=Voice.PROFESSIONAL)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text_language = TextLanguageField()  # core/text_language.py
    #: As they were when writing (people change jobs; the record must not). The organisation
    #: and profession are kept by identity, so every page names them in its reader's language
    #: (accounts.names); the labels are the fallback for versions from before that.
    author_organisation = models.CharField(max_length=200, blank=True)
    author_organisation_ref = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_profession = models.CharField(max_length=100, blank=True)
    author_profession_key = models.CharField(max_length=30, blank=True)
    #: How the author reached the section: care_team, service_manager, consent.
    route = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "section", "number"]
        verbose_name = _("assessment section version")
        verbose_name_plural = _("assessment section versions")
        constraints = [
            # The database itself refuses a second "version 4" of a section: the last line of
            # defence against a lost update when two people save at once.
            models.UniqueConstraint(fields=["assessment", "section", "number"], name="one_section_version_number"),
            models.UniqueConstraint(fields=["assessment", "revision"], name="one_assessment_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.section} v{self.number}"

    def byline_who(self) -> str:
        """ "Name, profession, organisation" in the reader's language, as when it was written."""
        from accounts.names import organisation_name, profession_name

        parts = [
            str(self.author),
            profession_name(self.author_profession_key, self.author_profession),
            organisation_name(self.author_organisation_ref, self.author_organisation),
        ]
        return ", ".join(p for p in parts if p)


class SectionRestriction(models.Model):
    """A section readable only by named people, even inside the care team (for example a
    disclosure of sexual abuse). Never shared or exported."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="restrictions")
    section = models.CharField(_("section"), max_length=30, choices=SECTION_CHOICES)
    allowed_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people who may read it"), related_name="+"
    )
    reason = models.TextField(_("reason for restricting"), max_length=3000)
    text_language = TextLanguageField()  # of the reason (core/text_language.py)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("restricted section")
        verbose_name_plural = _("restricted sections")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "section"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_restriction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.section} ({'lifted' if self.lifted_at else 'restricted'})"


class WithheldReason(models.TextChoices):
    RESTRICTED = "restricted", _("Restricted to named people")
    NOT_CONSENTED = "not_consented", _("Not covered by the young person's consent")
    NOT_CHOSEN = "not_chosen", _("Not chosen for this purpose")
    EMPTY = "empty", _("Not written yet")


class ShareQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ShareQuerySet:
        """The sharer's side (the child's record) or the recipient's side – see
        ``assessments.access.shares_for``."""
        from assessments.access import share_filter

        return self.filter(share_filter(user))


class AssessmentShare(models.Model):
    """The assessment, or chosen sections, shared with an organisation under a consent (or an
    approved safeguarding share). A snapshot: the versions as they were when shared."""

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessment_shares")
    recipient_organisation = models.ForeignKey(
        Organisation, verbose_name=_("shared with"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=30)
    consent = models.ForeignKey(
        "consent.ConsentDecision", on_delete=models.PROTECT, null=True, blank=True, related_name="shares"
    )
    safeguarding = models.ForeignKey(
        "consent.SafeguardingShare", on_delete=models.PROTECT, null=True, blank=True, related_name="assessment_shares"
    )
    versions = models.ManyToManyField(SectionVersion, related_name="+")
    #: section key → WithheldReason, for every section not shared: shown as "something was
    #: withheld, and why", never what.
    withheld = models.JSONField(default=dict)
    language = models.CharField(_("language"), max_length=5, default="en")
    note = models.TextField(_("message to the recipient"), blank=True, max_length=3000)
    # Of the note; ``language`` above is the language of the headings and labels, the reader's.
    text_language = TextLanguageField()
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-shared_at"]
        verbose_name = _("assessment share")
        verbose_name_plural = _("assessment shares")

    def __str__(self) -> str:
        return self.reference


class AssessmentExport(models.Model):
    """A PDF produced for a court or another service: the record of what left the system."""

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessment_exports")
    recipient_organisation = models.ForeignKey(
        Organisation, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=30)
    consent = models.ForeignKey("consent.ConsentDecision", on_delete=models.PROTECT, related_name="exports")
    language = models.CharField(_("language"), max_length=5)
    sections = models.JSONField(default=list)
    versions = models.ManyToManyField(SectionVersion, related_name="+")
    withheld = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assessment export")
        verbose_name_plural = _("assessment exports")

    def __str__(self) -> str:
        return self.reference
