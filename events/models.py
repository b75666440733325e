"""Significant events in a young person's life: a light record the service's measures count
(issue 15) – self-harm, going missing, police, exclusion, placement breakdown, secure
accommodation and deprivation of liberty, return to birth family.

Light on purpose: a kind, a date, who told us (the source), an optional short note. It is not a
case file: the detail stays in the systems that hold it (the social worker's, the police's).
Placement *moves* are already recorded as placements (``people.Placement``) and counted from
there; a breakdown may name the placement that ended, so it is never asked for twice.

A **recording period** says that every kind of event was recorded for this young person from one
date to another (a chronology read at referral, say): "before support" figures use only young
people whose recording was complete for the period before (``events.services.complete_for``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text_language import TextLanguageField
from people.models import Child, PersonalQuerySet


class EventKind(models.TextChoices):
    SELF_HARM = "self_harm", _("Self-harm incident")
    MISSING = "missing", _("Went missing")
    POLICE = "police", _("Police involvement")
    ARREST = "arrest", _("Arrested")
    EXCLUSION = "exclusion", _("Excluded from school")
    PLACEMENT_BREAKDOWN = "placement_breakdown", _("Placement breakdown or unplanned move")
    SECURE_APPLICATION = "secure_application", _("Secure accommodation: application made")
    SECURE_ORDER = "secure_order", _("Secure accommodation: order made")
    DOL_APPLICATION = "dol_application", _("Deprivation of liberty: application made")
    DOL_ORDER = "dol_order", _("Deprivation of liberty: order made")
    RETURN_HOME = "return_home", _("Returned to live with birth family")


class EventSource(models.TextChoices):
    """Who told the service (the measures are only as good as their sources)."""

    YOUNG_PERSON = "young_person", _("The young person")
    CARER = "carer", _("A carer or family member")
    SOCIAL_WORKER = "social_worker", _("Their social worker")
    POLICE = "police", _("The police")
    SCHOOL = "school", _("School or college")
    HEALTH = "health", _("Health services")
    SERVICE = "service", _("This service saw it")
    RECORDS = "records", _("Records or a chronology")
    OTHER = "other", _("Someone else")


class SignificantEvent(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="significant_events")
    kind = models.CharField(_("what happened"), max_length=30, choices=EventKind.choices)
    occurred_on = models.DateField(_("when it happened"))
    source = models.CharField(_("who told us"), max_length=20, choices=EventSource.choices)
    note = models.TextField(
        _("note (optional)"),
        blank=True,
        max_length=1000,
        help_text=_("A few words only. The detail stays in the records of whoever holds it."),
    )
    text_language = TextLanguageField()
    #: For a placement breakdown: the placement that ended (moves are counted from placements).
    placement = models.ForeignKey(
        "people.Placement",
        verbose_name=_("the placement that ended"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="significant_events",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    #: The form's random key: the same form sent twice records one event.
    form_key = models.CharField(max_length=64, unique=True)
    version = models.PositiveIntegerField(default=1)
    #: Entered in error: kept (and audited), left out of every count and list.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_reason = models.TextField(blank=True, max_length=1000)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("significant event")
        verbose_name_plural = _("significant events")
        indexes = [models.Index(fields=["child", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.occurred_on}"


class RecordingPeriod(models.Model):
    """Every kind of significant event was recorded for this young person from ``starts_on`` to
    ``ends_on`` (open: up to today, while the service keeps recording)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="event_recording_periods")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    source = models.CharField(
        _("how we know it is complete"),
        max_length=300,
        help_text=_("For example: the social worker's chronology, read at referral."),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        verbose_name = _("recording period")
        verbose_name_plural = _("recording periods")

    def __str__(self) -> str:
        return f"{self.child_id} {self.starts_on}–{self.ends_on or ''}"
