"""Staff records for the service's workforce: training relevant to the guidance, the
Trauma-Informed Wales practice level, Welsh language skills and supervision.

Not children's personal data, but personal: only managers of the same organisation and the
person themselves reach a record (``staff_visible_to``); anyone else gets a 404.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import SERVICE_ROLES, OrganisationType, Role

if TYPE_CHECKING:
    from accounts.models import User


class PracticeLevel(models.TextChoices):
    """The four practice levels of the Trauma-Informed Wales Framework."""

    # Translators: Trauma-Informed Wales practice level 1 – glossary: "ymwybodol o drawma".
    AWARE = "aware", _("Trauma aware")
    # Translators: practice level 2 – glossary: "medrus ynghylch trawma".
    SKILLED = "skilled", _("Trauma skilled")
    # Translators: practice level 3 – glossary: "trawma gwell".
    ENHANCED = "enhanced", _("Trauma enhanced")
    # Translators: practice level 4 – glossary: "arbenigol" (VERIFY).
    SPECIALIST = "specialist", _("Specialist")


class WelshLevel(models.IntegerChoices):
    """The common 0–5 scale of Welsh language skills (the Learn Welsh levels)."""

    NONE = 0, _("No Welsh")
    # Translators: Learn Welsh level name "Mynediad".
    ENTRY = 1, _("Entry")
    # Translators: Learn Welsh level name "Sylfaen".
    FOUNDATION = 2, _("Foundation")
    # Translators: Learn Welsh level name "Canolradd".
    INTERMEDIATE = 3, _("Intermediate")
    # Translators: Learn Welsh level name "Uwch".
    ADVANCED = 4, _("Advanced")
    # Translators: Learn Welsh level name "Hyfedredd".
    PROFICIENCY = 5, _("Proficiency")


class TrainingTopic(models.TextChoices):
    """The training the guidance names (and counts): brain development, attachment, the impact
    of trauma and trauma-informed approaches."""

    BRAIN_DEVELOPMENT = "brain_development", _("Brain development")
    ATTACHMENT = "attachment", _("Attachment")
    IMPACT_OF_TRAUMA = "impact_of_trauma", _("Impact of trauma")
    TRAUMA_INFORMED = "trauma_informed", _("Trauma-informed approaches")
    OTHER = "other", _("Other")


def staff_visible_to(user: User) -> models.QuerySet:
    """The staff whose records ``user`` may open: a service manager, everyone on the staff of
    their own service; anyone else, only themselves (if they are service staff)."""
    from accounts.models import User

    if user is None or not user.is_authenticated or not user.is_active:
        return User.objects.none()
    staff = User.objects.filter(
        role__in=SERVICE_ROLES,
        organisation__isnull=False,
        organisation__type=OrganisationType.SERVICE,
    )
    if user.role == Role.SERVICE_MANAGER and user.organisation_id:
        return staff.filter(Q(organisation_id=user.organisation_id) | Q(pk=user.pk))
    return staff.filter(pk=user.pk)


class StaffQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> StaffQuerySet:
        return self.filter(user__in=staff_visible_to(user))


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile")
    practice_level = models.CharField(
        _("Trauma-Informed Wales practice level"), max_length=20, choices=PracticeLevel.choices, blank=True
    )
    practice_level_on = models.DateField(_("date the practice level was agreed"), null=True, blank=True)
    welsh_level = models.PositiveSmallIntegerField(
        _("Welsh language skills"), choices=WelshLevel.choices, default=WelshLevel.NONE
    )
    #: How often supervision is due, in weeks (used to suggest the next date).
    supervision_every_weeks = models.PositiveSmallIntegerField(_("supervision every (weeks)"), default=6)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = StaffQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff record")
        verbose_name_plural = _("staff records")

    def __str__(self) -> str:
        return str(self.user)


class StaffTraining(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_trainings")
    topic = models.CharField(_("topic"), max_length=30, choices=TrainingTopic.choices)
    topic_detail = models.CharField(
        _("details"), max_length=300, blank=True, help_text=_("Required if you chose other.")
    )
    completed_on = models.DateField(_("date"))
    provider = models.CharField(_("provider"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = StaffQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_on", "-pk"]
        verbose_name = _("staff training")
        verbose_name_plural = _("staff training")

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic} {self.completed_on:%Y-%m-%d}"


class Supervision(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisions")
    held_on = models.DateField(_("date of supervision"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+"
    )
    next_due = models.DateField(_("next supervision due"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = StaffQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.held_on:%Y-%m-%d}"

    @property
    def is_overdue(self) -> bool:
        return is_overdue(self.next_due)


def is_overdue(next_due: date | None) -> bool:
    """Overdue when the next supervision date has passed (or none was ever recorded)."""
    return next_due is None or next_due < timezone.localdate()
