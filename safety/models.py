"""The crisis and safety plan: one per young person, written with them, read at any hour.

It is what a duty or on-call worker opens at night through break-glass (read-only, audited),
so it says plainly what to notice, what helps, whom to call and what to avoid – in the young
person's own words first. Every save is a new version (django-simple-history) and a save based
on an older version is refused (``version``), as for the child record.
"""

from __future__ import annotations

from typing import TypedDict

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text_language import TextLanguageField
from people.models import Child, PersonalQuerySet


class SafetyPlanValues(TypedDict, total=False):
    """What a person writes on the plan, in the order the plan reads (``save_plan``'s input and
    SafetyPlanForm's fields)."""

    in_their_words: str
    warning_signs: str
    what_helps: str
    what_to_avoid: str
    who_to_call: str
    who_to_call_out_of_hours: str
    made_with: str
    text_language: str  # of everything above, written at one time (core/text_language.py)


#: The plan's text fields (its language is recorded beside them, not compared as text).
PLAN_FIELDS = tuple(name for name in SafetyPlanValues.__annotations__ if name != "text_language")


class SafetyPlan(models.Model):
    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="safety_plan")
    in_their_words = models.TextField(
        _("in the young person's own words"),
        blank=True,
        max_length=3000,
        help_text=_("What they want people to know when things are hard, as they said it."),
    )
    warning_signs = models.TextField(
        _("warning signs"),
        max_length=3000,
        help_text=_("What you might notice when things are getting difficult."),
    )
    what_helps = models.TextField(
        _("what helps"), max_length=3000, help_text=_("What calms them and keeps them safe; who they want with them.")
    )
    what_to_avoid = models.TextField(
        _("what to avoid"), blank=True, max_length=3000, help_text=_("What makes things worse.")
    )
    who_to_call = models.TextField(
        _("who to call"), max_length=2000, help_text=_("Names, how they know the young person, and phone numbers.")
    )
    who_to_call_out_of_hours = models.TextField(
        _("who to call out of hours"),
        blank=True,
        max_length=2000,
        help_text=_("Evenings, nights and weekends: names and phone numbers, and the emergency duty team."),
    )
    made_with = models.CharField(
        _("made with"),
        max_length=300,
        help_text=_("Who wrote this plan with the young person, for example their foster carer and social worker."),
    )
    #: The plan is written at one sitting, in one language (core/text_language.py).
    text_language = TextLanguageField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic concurrency: a save must name the version it was based on.
    version = models.PositiveIntegerField(default=1)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("crisis and safety plan")
        verbose_name_plural = _("crisis and safety plans")

    def __str__(self) -> str:
        return f"{self.child_id} v{self.version}"
