"""Long-term support through change: episodes that pause and resume, and transitions.

Nothing here closes by itself. An episode is closed only by a person, with a reason and a record
that the young person is ready (their own words and the practitioner's judgement); a closed
episode can be re-opened simply, without a new referral. Transitions (a placement move, a new
school, a change of practitioner, the move into adulthood) each carry a checklist so that what
matters to the young person is not forgotten while everything around them changes.

Every model hangs off a child and is reached through ``visible_to(user)`` (people.access).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text_language import TextLanguageField
from people.models import Child, PersonalQuerySet

if TYPE_CHECKING:
    from accounts.models import User


# --- Episodes ------------------------------------------------------------------------------


class EpisodeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class OpenedFrom(models.TextChoices):
    REFERRAL = "referral", _("A referral")
    RETURNING = "returning", _("Coming back without a new referral")


class Episode(models.Model):
    """A stretch of support. It pauses and resumes as the young person needs; it never closes
    automatically."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="episodes")
    opened_on = models.DateField(_("date support started"))
    opened_from = models.CharField(_("how support started"), max_length=20, choices=OpenedFrom.choices)
    referral = models.ForeignKey(
        "referrals.Referral",
        verbose_name=_("referral"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="episodes",
    )
    status = models.CharField(_("status"), max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Optimistic concurrency: every change names the version it was based on.
    version = models.PositiveIntegerField(default=1)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("episode of support")
        verbose_name_plural = _("episodes of support")
        constraints = [
            # One current episode at a time: a young person coming back re-opens or starts one.
            models.UniqueConstraint(
                fields=["child"], condition=~models.Q(status="closed"), name="one_current_episode_per_child"
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.opened_on:%Y-%m-%d} {self.status}"

    @property
    def is_current(self) -> bool:
        return self.status != EpisodeStatus.CLOSED


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Re-opened")


class EpisodeEventQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> EpisodeEventQuerySet:
        """Visibility is the child's, through the episode."""
        return self.filter(episode__child__in=Child.objects.visible_to(user))


class EpisodeEvent(models.Model):
    """The episode's log: what happened, when, why and who recorded it. Never changed."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what happened"), max_length=10, choices=EventKind.choices)
    on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True, max_length=3000)
    #: Closing only: the young person is ready – in their own words, and as the practitioner judges.
    young_person_words = models.TextField(_("the young person's words"), blank=True, max_length=3000)
    practitioner_judgement = models.TextField(_("the practitioner's judgement"), blank=True, max_length=3000)
    text_language = TextLanguageField()  # core/text_language.py
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = EpisodeEventQuerySet.as_manager()

    class Meta:
        ordering = ["on", "recorded_at", "pk"]
        verbose_name = _("episode event")
        verbose_name_plural = _("episode events")

    def __str__(self) -> str:
        return f"{self.episode_id} {self.kind} {self.on:%Y-%m-%d}"


# --- Transitions ---------------------------------------------------------------------------


class TransitionKind(models.TextChoices):
    PLACEMENT_MOVE = "placement_move", _("Placement move")
    SCHOOL_MOVE = "school_move", _("Moving school")
    PRACTITIONER_CHANGE = "practitioner_change", _("Change of practitioner")
    ADULTHOOD = "adulthood", _("Moving into adulthood and adult services")


class TransitionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


#: Adulthood planning starts at 16; support may continue to 25 where needed (the guidance).
ADULTHOOD_PLANNING_AGE = 16
SUPPORT_UNTIL_AGE = 25


class Transition(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="transitions")
    kind = models.CharField(_("kind of transition"), max_length=30, choices=TransitionKind.choices)
    planned_on = models.DateField(_("planned date"))
    status = models.CharField(
        _("status"), max_length=20, choices=TransitionStatus.choices, default=TransitionStatus.PLANNED
    )
    summary = models.TextField(
        _("summary"),
        max_length=5000,
        help_text=_("What is changing, what the young person thinks about it and what they want."),
    )
    #: The summary's language; the handover, written later, has its own (core/text_language.py).
    text_language = TextLanguageField()
    # Placement move.
    placement = models.ForeignKey(
        "people.Placement",
        verbose_name=_("new placement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transitions",
    )
    out_of_county_to_local = models.BooleanField(
        _("moving from an out-of-county placement to a local community placement"), default=False
    )
    # Change of practitioner.
    from_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("practitioner handing over"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("new practitioner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handover_summary = models.TextField(
        _("handover summary"),
        blank=True,
        max_length=10000,
        help_text=_(
            "What the new practitioner needs to know so the young person does not have to tell their story again."
        ),
    )
    handover_language = TextLanguageField(verbose_name=_("language of the handover summary"))
    trusted_adults = models.ManyToManyField(
        "people.RelatedPerson",
        verbose_name=_("trusted adults the young person keeps contact with while it helps"),
        blank=True,
        related_name="transitions",
    )
    #: Set when a practitioner completed a change of practitioner: a manager changes the care team.
    care_team_change_pending = models.BooleanField(default=False)
    care_team_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    care_team_changed_at = models.DateTimeField(null=True, blank=True)
    # Adulthood.
    adult_service = models.CharField(_("adult service"), max_length=300, blank=True)
    support_until = models.DateField(_("support continues until"), null=True, blank=True)
    # Completion.
    completed_on = models.DateField(_("date completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.planned_on:%Y-%m-%d}"

    @property
    def is_done(self) -> bool:
        return self.status == TransitionStatus.DONE

    @property
    def is_practitioner_change(self) -> bool:
        return self.kind == TransitionKind.PRACTITIONER_CHANGE


class ChecklistItemQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ChecklistItemQuerySet:
        return self.filter(transition__child__in=Child.objects.visible_to(user))


class TransitionChecklistItem(models.Model):
    """One thing to do for a transition. Default items carry a ``key`` and are shown in the
    reader's language; items added by hand carry their own text."""

    transition = models.ForeignKey(Transition, on_delete=models.PROTECT, related_name="checklist")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.CharField(max_length=40, blank=True)
    text = models.CharField(_("what needs doing"), max_length=300)
    # Of an item added by hand (core/text_language.py); a default item (``key``) is shown in the
    # reader's language, so it has none.
    text_language = TextLanguageField()
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ChecklistItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["transition", "position", "pk"]
        verbose_name = _("transition checklist item")
        verbose_name_plural = _("transition checklist items")

    def __str__(self) -> str:
        return f"{self.transition_id} {self.key or self.text[:30]}"

    @property
    def label(self) -> str:
        from episodes.checklists import label_for

        return label_for(self.key) or self.text

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


def twenty_fifth_birthday(child: Child) -> date:
    born = child.date_of_birth
    try:
        return born.replace(year=born.year + SUPPORT_UNTIL_AGE)
    except ValueError:  # born on 29 February
        return date(born.year + SUPPORT_UNTIL_AGE, 3, 1)
