"""Choice and co-produced plans.

- ``SupportOption``: the service's catalogue of what it can offer (therapeutic, wellbeing and
  practical support, work with carers and with professionals), in English and Welsh, kept by
  service managers. Options are deactivated, never deleted: offers made keep pointing at them.
- ``OptionOffer``: an option offered to a young person, how it was explained, what they chose
  and why in their own words. Choice is a first-class fact, not a comment.
- ``Plan``: one living plan per young person (goals in their words, actions for everyone around
  them, language of delivery, the link to the statutory care and support plan, their agreement,
  the next review). ``Goal``, ``PlanAction`` and ``PlanReview`` hang off it.

Everything personal is reached through ``visible_to(user)`` (the child's scope), every save is
kept (django-simple-history) and a save based on an older ``version`` is refused.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, OrganisationType
from assessments.models import Voice
from consent.access import item_shared_children
from consent.models import Item
from core.text_language import TextLanguageField
from people.models import Child, PersonalQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User


# --- The catalogue --------------------------------------------------------------------------


class OptionKind(models.TextChoices):
    THERAPEUTIC = "therapeutic", _("Therapeutic intervention")
    WELLBEING = "wellbeing", _("Wellbeing or practical support")
    PARENTS_CARERS = "parents_carers", _("Work with parents and carers")
    PROFESSIONALS = "professionals", _("Work with professionals")


class Localised(str):
    """Text in the reader's language, carrying the language it is actually in (``lang``), so a
    page in Welsh that falls back to English marks that passage ``lang="en"``."""

    lang: str

    def __new__(cls, value: str, lang: str) -> Localised:
        text = super().__new__(cls, value)
        text.lang = lang
        return text


def _welsh_wanted() -> bool:
    return (get_language() or "en").startswith("cy")


class SupportOptionQuerySet(models.QuerySet):
    def for_service(self, service_id: int | None) -> SupportOptionQuerySet:
        """A service sees and offers only its own catalogue."""
        return self.filter(service_id=service_id) if service_id else self.none()

    def active(self) -> SupportOptionQuerySet:
        return self.filter(is_active=True)

    def in_catalogue_order(self) -> SupportOptionQuerySet:
        """Grouped by kind in the order ``OptionKind`` lists them (work with the young person
        first), then by name."""
        order = models.Case(
            *(models.When(kind=kind, then=models.Value(index)) for index, kind in enumerate(OptionKind.values)),
            default=models.Value(len(OptionKind.values)),
            output_field=models.IntegerField(),
        )
        return self.order_by(order, "name_en", "pk")


class SupportOption(models.Model):
    """Something the service can offer, described so a young person can make an informed choice."""

    service = models.ForeignKey(
        Organisation,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="support_options",
        limit_choices_to={"type": OrganisationType.SERVICE},
    )
    kind = models.CharField(_("kind of support"), max_length=20, choices=OptionKind.choices)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200)
    description_en = models.TextField(_("what it is, in English"), max_length=2000)
    description_cy = models.TextField(_("what it is, in Welsh"), max_length=2000, blank=True)
    suits_en = models.TextField(_("who it suits, in English"), max_length=2000)
    suits_cy = models.TextField(_("who it suits, in Welsh"), max_length=2000, blank=True)
    adaptations_en = models.TextField(
        _("how it is adapted for neurodivergent young people and those with FASD, in English"), max_length=2000
    )
    adaptations_cy = models.TextField(
        _("how it is adapted for neurodivergent young people and those with FASD, in Welsh"),
        max_length=2000,
        blank=True,
    )
    evidence_en = models.TextField(_("evidence and NICE note, in English"), max_length=1000, blank=True)
    evidence_cy = models.TextField(_("evidence and NICE note, in Welsh"), max_length=1000, blank=True)
    in_welsh = models.BooleanField(_("can be delivered in Welsh"), default=False)
    in_english = models.BooleanField(_("can be delivered in English"), default=True)
    with_interpreter = models.BooleanField(_("can be delivered in other languages with an interpreter"), default=False)
    is_active = models.BooleanField(_("offered now"), default=True)
    #: Set on the options from the standard catalogue (``plans.catalogue``), so adding it twice adds nothing.
    standard_key = models.CharField(max_length=40, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = SupportOptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name_en", "pk"]
        verbose_name = _("support option")
        verbose_name_plural = _("support options")
        constraints = [
            models.UniqueConstraint(fields=["service", "name_en"], name="support_option_unique_name"),
            models.UniqueConstraint(
                fields=["service", "standard_key"],
                condition=~models.Q(standard_key=""),
                name="support_option_unique_standard",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def _localised(self, field: str) -> Localised:
        welsh = getattr(self, f"{field}_cy")
        if _welsh_wanted() and welsh:
            return Localised(welsh, "cy")
        return Localised(getattr(self, f"{field}_en"), "en")

    @property
    def name(self) -> Localised:
        return self._localised("name")

    @property
    def description(self) -> Localised:
        return self._localised("description")

    @property
    def suits(self) -> Localised:
        return self._localised("suits")

    @property
    def adaptations(self) -> Localised:
        return self._localised("adaptations")

    @property
    def evidence(self) -> Localised:
        return self._localised("evidence")

    @property
    def language_labels(self) -> list[StrOrPromise]:
        labels: list[StrOrPromise] = []
        if self.in_welsh:
            labels.append(_("Welsh"))
        if self.in_english:
            labels.append(_("English"))
        if self.with_interpreter:
            labels.append(_("other languages with an interpreter"))
        return labels


# --- Offers and choices ---------------------------------------------------------------------


class Response(models.TextChoices):
    CHOSEN = "chosen", _("Chose this")
    NOT_CHOSEN = "not_chosen", _("Did not choose this")
    THINKING = "thinking", _("Wants to think about it")
    SOMETHING_ELSE = "something_else", _("Chose something else")


#: Responses that are a decision: they need the reason in the young person's words and a date.
DECIDED = frozenset({Response.CHOSEN, Response.NOT_CHOSEN, Response.SOMETHING_ELSE})
#: Responses whose reason is required (the young person's "why" is the point of recording it).
REASON_REQUIRED = frozenset({Response.CHOSEN, Response.NOT_CHOSEN})


class OptionOffer(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="option_offers")
    option = models.ForeignKey(SupportOption, verbose_name=_("option"), on_delete=models.PROTECT, related_name="offers")
    offered_on = models.DateField(_("date offered"))
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("offered by"), on_delete=models.PROTECT, related_name="+"
    )
    how_explained = models.TextField(
        _("how it was explained or adapted"),
        max_length=3000,
        help_text=_("For example with pictures, a short video, in Welsh, with their carer there, over two visits."),
    )
    response = models.CharField(_("the young person's response"), max_length=20, choices=Response.choices, blank=True)
    reason = models.TextField(
        _("why, in their own words"),
        max_length=3000,
        blank=True,
        help_text=_("What they said about why. Needed when they chose it or did not choose it."),
    )
    reason_voice = models.CharField(
        _("whose words these are"), max_length=20, choices=Voice.choices, default=Voice.YOUNG_PERSON
    )
    chose_instead = models.CharField(
        _("what they chose instead"), max_length=300, blank=True, help_text=_("Only if they chose something else.")
    )
    decided_on = models.DateField(_("date decided"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    text_language = TextLanguageField()  # core/text_language.py
    version = models.PositiveIntegerField(default=1)

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-offered_on", "-pk"]
        verbose_name = _("option offered")
        verbose_name_plural = _("options offered")
        constraints = [
            # The same form sent twice (double click, retry) records one offer.
            models.UniqueConstraint(fields=["child", "option", "offered_on"], name="option_offer_once_a_day"),
        ]
        indexes = [models.Index(fields=["child", "offered_on"])]

    def __str__(self) -> str:
        return f"{self.child_id} {self.option_id} {self.offered_on:%Y-%m-%d}"

    @property
    def is_decided(self) -> bool:
        return self.response in DECIDED


# --- The plan -------------------------------------------------------------------------------


class DeliveryLanguage(models.TextChoices):
    WELSH = "cy", _("Welsh")
    ENGLISH = "en", _("English")
    BILINGUAL = "bilingual", _("Welsh and English")
    OTHER = "other", _("Another language")


class Agreement(models.TextChoices):
    AGREED = "agreed", _("Yes, they agree with the plan")
    NOT_YET = "not_yet", _("Not yet")
    NOT_AGREED = "not_agreed", _("No, they do not agree")


class PlanQuerySet(PersonalQuerySet):
    def visible_to(self, user: User, *, include_shared: bool = False, include_emergency: bool = False) -> PlanQuerySet:
        """The child's scope; with ``include_shared`` also plans a consent (or approved
        safeguarding share) shares with the user – read-only, for partners in the nest."""
        scope = Q(child__in=Child.objects.visible_to(user, include_emergency=include_emergency))
        if include_shared:
            scope |= Q(child__in=Child.objects.filter(item_shared_children(user, Item.PLAN)))
        return self.filter(scope)

    def review_overdue(self, today: object = None) -> PlanQuerySet:
        return self.filter(next_review_on__lt=today or timezone.localdate())


class Plan(models.Model):
    """The young person's living plan: one per young person, changed over time, every state kept."""

    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="plan")
    language = models.CharField(
        _("language the support is delivered in"), max_length=10, choices=DeliveryLanguage.choices
    )
    language_other = models.CharField(
        _("other language"),
        max_length=100,
        blank=True,
        help_text=_("Which language, and whether an interpreter is needed."),
    )
    care_plan_reference = models.CharField(
        _("care and support plan reference"),
        max_length=100,
        blank=True,
        help_text=_("The local authority's reference for the statutory care and support plan."),
    )
    in_care_plan = models.BooleanField(
        _("the therapeutic need and this support are written into the care and support plan"), default=False
    )
    next_lac_review_on = models.DateField(_("next looked-after child review"), null=True, blank=True)
    #: When no next review date is recorded, the statutory cycle is computed from this.
    looked_after_since = models.DateField(_("date they became looked after"), null=True, blank=True)
    agreement = models.CharField(
        _("does the young person agree with the plan?"),
        max_length=20,
        choices=Agreement.choices,
        default=Agreement.NOT_YET,
    )
    agreement_on = models.DateField(_("date they said so"), null=True, blank=True)
    agreement_words = models.TextField(_("what they said about the plan, in their words"), max_length=3000, blank=True)
    next_review_on = models.DateField(_("next review of this plan"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic concurrency: a save must name the version it was based on.
    text_language = TextLanguageField()  # core/text_language.py
    version = models.PositiveIntegerField(default=1)

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        indexes = [models.Index(fields=["next_review_on"])]

    def __str__(self) -> str:
        return f"{self.child_id} v{self.version}"

    @property
    def review_overdue(self) -> bool:
        return self.next_review_on < timezone.localdate()


class PlanPartQuerySet(models.QuerySet):
    def visible_to(self, user: User, *, include_shared: bool = False) -> PlanPartQuerySet:
        """Visibility is the plan's."""
        return self.filter(plan__in=Plan.objects.visible_to(user, include_shared=include_shared))


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Working on it")
    ACHIEVED = "achieved", _("Achieved")
    STOPPED = "stopped", _("Stopped")


class Goal(models.Model):
    """A goal in the young person's words. Never deleted (stopped instead), with a stable
    ``uuid``, so goal-based outcome ratings can attach to it later."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goals")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    text = models.TextField(_("the goal"), max_length=1000)
    voice = models.CharField(
        _("whose words these are"), max_length=20, choices=Voice.choices, default=Voice.YOUNG_PERSON
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    added_on = models.DateField(_("date added"), default=timezone.localdate)
    text_language = TextLanguageField()  # core/text_language.py
    version = models.PositiveIntegerField(default=1)

    objects = PlanPartQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def in_their_words(self) -> bool:
        return self.voice in (Voice.YOUNG_PERSON, Voice.WITH_YOUNG_PERSON)


class ActionBy(models.TextChoices):
    YOUNG_PERSON = "young_person", _("The young person")
    CARER = "carer", _("Carer")
    SCHOOL = "school", _("School or college")
    SERVICE = "service", _("This service")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    OTHER_AGENCY = "other_agency", _("Another agency")


class PlanAction(models.Model):
    """Who does what, by when – including carers, school and other agencies."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="actions")
    who = models.CharField(_("who"), max_length=20, choices=ActionBy.choices)
    who_name = models.CharField(
        _("name or organisation"), max_length=200, blank=True, help_text=_("For example Mrs Jones, Ysgol y Bont.")
    )
    what = models.TextField(_("what they will do"), max_length=2000)
    goal = models.ForeignKey(
        Goal, verbose_name=_("for the goal"), null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    by_when = models.DateField(_("by when"), null=True, blank=True)
    done_on = models.DateField(_("date done"), null=True, blank=True)
    text_language = TextLanguageField()  # core/text_language.py
    version = models.PositiveIntegerField(default=1)

    objects = PlanPartQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["done_on", "by_when", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.what[:80]

    @property
    def is_late(self) -> bool:
        return self.done_on is None and self.by_when is not None and self.by_when < timezone.localdate()


class PlanReview(models.Model):
    """A review of the plan with the young person: their view first, progress, what changed."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField(_("date of the review"))
    participants = models.TextField(_("who took part"), max_length=1000)
    young_person_view = models.TextField(
        _("the young person's view"),
        max_length=3000,
        help_text=_("In their words. If they did not want to take part or say, write that."),
    )
    progress = models.TextField(_("progress"), max_length=3000)
    changes = models.TextField(_("changes made to the plan"), max_length=3000, blank=True)
    next_review_on = models.DateField(_("next review"))
    text_language = TextLanguageField()  # core/text_language.py
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = PlanPartQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.held_on:%Y-%m-%d}"
