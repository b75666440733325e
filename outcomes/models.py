"""Outcome measures: the instruments (data, with scoring in ``outcomes.scoring``), their
licensed wording when a licence holder loads it, and (later) measurement points and scores.

Instruments are reference data, not personal data. Measurements are personal data: they are
reached only through ``Child.objects.visible_to(user)`` (their QuerySet delegates to it).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outcomes.scoring import ChangeRule, Direction


class ScoringMethod(models.TextChoices):
    SWEMWBS_METRIC = "swemwbs_metric", _("Sum of 7 items, converted to the metric score with the published table")
    RAW_SUM = "raw_sum", _("Sum of the items (raw total)")
    GOAL_BASED = "goal_based", _("Each goal rated 0 to 10; change is latest minus first")
    QUESTION = "question", _("One question: yes, not sure or no")
    SCORES_ONLY = "scores_only", _("Entered as scores from the licensed form")


class DirectionChoice(models.TextChoices):
    HIGHER_IS_BETTER = Direction.HIGHER_IS_BETTER.value, _("A higher score is better")
    LOWER_IS_BETTER = Direction.LOWER_IS_BETTER.value, _("A lower score is better")


class ReliableChangeMethod(models.TextChoices):
    SD_RELIABILITY = "sd_reliability", _("From the standard deviation and reliability (Jacobson and Truax)")
    FIXED = "fixed", _("A published fixed threshold")
    NONE = "none", _("Not configured")


class Scale(models.TextChoices):
    RAW = "raw", _("Raw score")
    METRIC = "metric", _("Metric score")


class AppliesTo(models.TextChoices):
    SCORE = "score", _("The score")
    PER_GOAL = "per_goal", _("Each goal")
    MEAN = "mean", _("The mean over goals")


class Instrument(models.Model):
    """An outcome measure. Parameters change only through a reviewed change (django-simple-history
    keeps every earlier state with who changed it); the wording of licensed measures is never
    stored here (``InstrumentWording``, loaded by the licence holder)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200)
    source = models.TextField(_("source"))
    licence_note_en = models.TextField(_("licence in English"))
    licence_note_cy = models.TextField(_("licence in Welsh"))
    #: The item wording is licensed: it may only be loaded as data by a licence holder.
    licensed_wording = models.BooleanField(_("wording is licensed"), default=False)
    scoring = models.CharField(_("scoring"), max_length=20, choices=ScoringMethod.choices)
    items = models.PositiveSmallIntegerField(_("number of items"), default=0)
    response_min = models.SmallIntegerField(_("lowest answer"), null=True, blank=True)
    response_max = models.SmallIntegerField(_("highest answer"), null=True, blank=True)
    score_min = models.DecimalField(_("lowest score"), max_digits=6, decimal_places=2, null=True, blank=True)
    score_max = models.DecimalField(_("highest score"), max_digits=6, decimal_places=2, null=True, blank=True)
    #: Scores-only measures: [{"code", "name_en", "name_cy", "min", "max"}] as on the licensed form.
    subscales = models.JSONField(_("subscales"), default=list, blank=True)
    direction = models.CharField(_("direction"), max_length=20, choices=DirectionChoice.choices)

    rc_method = models.CharField(
        _("reliable change"), max_length=20, choices=ReliableChangeMethod.choices, default=ReliableChangeMethod.NONE
    )
    rc_sd = models.DecimalField(_("standard deviation"), max_digits=6, decimal_places=3, null=True, blank=True)
    rc_reliability = models.DecimalField(_("reliability"), max_digits=4, decimal_places=3, null=True, blank=True)
    rc_threshold = models.DecimalField(_("fixed threshold"), max_digits=6, decimal_places=3, null=True, blank=True)
    rc_scale = models.CharField(_("scale of the parameters"), max_length=10, choices=Scale.choices, blank=True)
    rc_applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.SCORE)
    rc_population = models.TextField(_("population the parameters come from"), blank=True)
    rc_citation = models.TextField(_("source of the parameters"), blank=True)

    # No default cut-off for any instrument: a service sets one with its source and population.
    cutoff = models.DecimalField(_("caseness cut-off"), max_digits=6, decimal_places=2, null=True, blank=True)
    cutoff_population = models.TextField(_("population of the cut-off"), blank=True)
    cutoff_citation = models.TextField(_("source of the cut-off"), blank=True)

    age_min = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    age_citation = models.TextField(_("source of the age range"), blank=True)

    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("outcome measure")
        verbose_name_plural = _("outcome measures")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return self.name_cy if (get_language() or "en").startswith("cy") and self.name_cy else self.name_en

    @property
    def licence_note(self) -> str:
        cy = (get_language() or "en").startswith("cy") and self.licence_note_cy
        return self.licence_note_cy if cy else self.licence_note_en

    def valid_for_age(self, age: int) -> bool:
        return (self.age_min is None or age >= self.age_min) and (self.age_max is None or age <= self.age_max)

    def change_rule(self) -> ChangeRule | None:
        """The rule judging change on this measure, or None when reliable change is not configured."""
        from outcomes.scoring import reliable_change_threshold

        if self.rc_method == ReliableChangeMethod.SD_RELIABILITY and self.rc_sd and self.rc_reliability is not None:
            threshold = reliable_change_threshold(sd=Decimal(self.rc_sd), reliability=Decimal(self.rc_reliability))
        elif self.rc_method == ReliableChangeMethod.FIXED and self.rc_threshold is not None:
            threshold = Decimal(self.rc_threshold)
        else:
            return None
        return ChangeRule(direction=Direction(self.direction), threshold=threshold, cutoff=self.cutoff)


class InstrumentWording(models.Model):
    """One item's licensed wording in both languages, loaded by a licence holder
    (``manage.py load_instrument_wording``). Never shipped with Nyth."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="wording")
    number = models.PositiveSmallIntegerField(_("item number"))
    text_en = models.TextField(_("wording in English"))
    text_cy = models.TextField(_("wording in Welsh"))
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["instrument", "number"]
        constraints = [models.UniqueConstraint(fields=["instrument", "number"], name="one_wording_per_item")]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.number}"

    @property
    def text(self) -> str:
        return self.text_cy if (get_language() or "en").startswith("cy") else self.text_en
