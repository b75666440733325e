"""Support delivery: every contact with or about a young person, recorded quickly.

Contacts are the events the service's figures are computed from (first therapeutic session,
professional consultations, did-not-attend rates); nothing is typed in twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text_language import TextLanguageField
from people.models import Child, PersonalQuerySet, RelatedPerson


class Kind(models.TextChoices):
    INDIVIDUAL = "individual", _("Direct session: individual")
    FAMILY = "family", _("Direct session: family")
    GROUP = "group", _("Direct session: group")
    CONSULTATION = "consultation", _("Professional consultation")
    CARER_TRAINING = "carer_training", _("Carer training")
    INFORMATION = "information", _("Information session")
    OUT_OF_HOURS = "out_of_hours", _("Out-of-hours or crisis contact")


#: Kinds that are therapeutic sessions with the young person (the first one ends the wait for
#: the Mental Health Measure-style "referral to first session" figure).
DIRECT_KINDS = frozenset({Kind.INDIVIDUAL, Kind.FAMILY, Kind.GROUP})


class Attendance(models.TextChoices):
    BOOKED = "booked", _("Booked (not happened yet)")
    ATTENDED = "attended", _("Took place")
    DID_NOT_ATTEND = "did_not_attend", _("Did not attend")
    CANCELLED_BY_YOUNG_PERSON = "cancelled_young_person", _("Cancelled by the young person")
    CANCELLED_BY_CARER = "cancelled_carer", _("Cancelled by the carer")
    CANCELLED_BY_SERVICE = "cancelled_service", _("Cancelled by the service")
    CANCELLED_BY_OTHER = "cancelled_other", _("Cancelled by another agency")


class ConsultationWith(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    TEACHER = "teacher", _("Teacher or school staff")
    RESIDENTIAL_STAFF = "residential_staff", _("Residential care staff")
    FOSTER_CARER = "foster_carer", _("Foster carer")
    KINSHIP_CARER = "kinship_carer", _("Kinship carer")
    ADOPTIVE_PARENT = "adoptive_parent", _("Adoptive parent or special guardian")
    YOUTH_JUSTICE = "youth_justice", _("Youth justice worker")
    HEALTH = "health", _("Health professional")
    OTHER = "other", _("Another professional")


class Location(models.TextChoices):
    HOME = "home", _("Home")
    SCHOOL = "school", _("School or college")
    COMMUNITY = "community", _("Community")
    SERVICE = "service", _("Service base")
    ONLINE = "online", _("Online (video)")
    PHONE = "phone", _("Phone")


class ContactLanguage(models.TextChoices):
    WELSH = "cy", _("Welsh")
    ENGLISH = "en", _("English")
    BILINGUAL = "bilingual", _("Welsh and English")
    OTHER = "other", _("Another language (with an interpreter)")


class ContactQuerySet(PersonalQuerySet):
    def between(self, start: object, end: object) -> ContactQuerySet:
        return self.filter(starts_at__gte=start, starts_at__lt=end)


class Contact(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="contacts")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("practitioner"), on_delete=models.PROTECT, related_name="contacts"
    )
    kind = models.CharField(_("kind of contact"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveIntegerField(_("length in minutes"), default=60)
    attendance = models.CharField(
        _("what happened"), max_length=30, choices=Attendance.choices, default=Attendance.ATTENDED
    )
    consultation_with = models.CharField(
        _("consultation with"), max_length=30, choices=ConsultationWith.choices, blank=True
    )
    #: The trusted adults who took part (carers trained, teachers consulted): recorded on their
    #: side too, so the nest shows who has been informed and supported.
    people = models.ManyToManyField(
        RelatedPerson,
        verbose_name=_("people around the young person who took part"),
        blank=True,
        related_name="contacts",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=ContactLanguage.choices, default=ContactLanguage.ENGLISH
    )
    location = models.CharField(_("where"), max_length=20, choices=Location.choices)
    summary = models.TextField(_("summary"), blank=True, max_length=5000)
    #: The summary's language (``language`` above is the session's): core/text_language.py.
    text_language = TextLanguageField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    #: A hash of the submitted form: a double click or a retry records one contact.
    idempotency_key = models.CharField(max_length=64, unique=True)
    version = models.PositiveIntegerField(default=1)

    objects = ContactQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            # A practitioner's contacts in a time range (diary, team page), with what the team
            # page counts them by, so its counts are index-only scans: at national scale their
            # cost otherwise crosses PostgreSQL's JIT threshold, and compiling costs more than
            # the query (docs/national-scale.md).
            models.Index(
                fields=["practitioner", "starts_at"], include=["attendance", "kind"], name="contact_practitioner_time"
            ),
            models.Index(fields=["child", "starts_at"]),
            # The team page's "booked, outcome not recorded" counts a practitioner's booked
            # contacts over their whole history: a few rows in this index, not every contact.
            models.Index(
                fields=["practitioner", "starts_at"],
                condition=models.Q(attendance="booked"),
                name="contact_booked_by_practitioner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.starts_at:%Y-%m-%d}"

    @property
    def ends_at(self) -> object:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def awaiting_outcome(self) -> bool:
        """Booked, and its time has passed: what happened still needs recording."""
        return self.attendance == Attendance.BOOKED and self.starts_at <= timezone.now()

    @property
    def is_direct_session(self) -> bool:
        return self.kind in DIRECT_KINDS
