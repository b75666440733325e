"""Outcome measures: the instruments (data, with scoring in ``outcomes.scoring``), their
licensed wording when a licence holder loads it, and (later) measurement points and scores.

Instruments are reference data, not personal data. Measurements are personal data: they are
reached only through ``Child.objects.visible_to(user)`` (their QuerySet delegates to it).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.access import item_shared_children
from consent.models import Item
from core.text_language import TextLanguageField
from outcomes.scoring import ChangeRule, Direction
from people.models import Child, PersonalQuerySet

if TYPE_CHECKING:
    from accounts.models import User


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

    def subscale_list(self) -> list[dict[str, Any]]:
        """The subscales as defined (code, min, max, in_total) with ``name`` in the page's language."""
        cy = (get_language() or "en").startswith("cy")
        return [{**s, "name": (s.get("name_cy") if cy else None) or s["name_en"]} for s in self.subscales or []]

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


# --- Measurement points and what is recorded at them (personal data) ------------------------


class OutcomeQuerySet(PersonalQuerySet):
    """The child's scope, as every personal model; with ``include_shared`` also the scores a
    consent (or an approved safeguarding share) covering "outcome scores" shares with the user –
    read-only, for a partner the young person chose. As ``plans.PlanQuerySet`` does for the plan:
    the item's owner adds it, always beside the whole record's scope, never instead of it. Only
    the outcomes page asks for it; the points and entry pages stay with the whole record."""

    def visible_to(self, user: User, *, include_shared: bool = False, include_emergency: bool = False) -> Self:
        scope = Q(child__in=Child.objects.visible_to(user, include_emergency=include_emergency))
        if include_shared:
            scope |= Q(child__in=Child.objects.filter(item_shared_children(user, Item.OUTCOMES)))
        return self.filter(scope)


def children_sharing_scores(user: User) -> QuerySet[Child]:
    """The young people whose outcome scores are shared with ``user`` (consent or approved
    safeguarding share covering "outcome scores"), through the one scope: the way in for a
    partner who does not see the whole record."""
    return Child.objects.visible_to(user, include_shared=True).filter(item_shared_children(user, Item.OUTCOMES))


class PointKind(models.TextChoices):
    START = "start", _("Start")
    REVIEW = "review", _("Review")
    END = "end", _("End")


class PointStatus(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


class NotDoneReason(models.TextChoices):
    # A young person may always say no: not done is a fact with its reason, not a gap.
    DECLINED = "declined", _("The young person declined")
    NOT_RIGHT_TIME = "not_right_time", _("Not the right time")
    UNABLE = "unable", _("Unable to take part")
    NOT_SUITABLE = "not_suitable", _("The measure is not suitable")


class Source(models.TextChoices):
    YOUNG_PERSON_PAPER = "young_person_paper", _("Completed by the young person on paper")
    WITH_PRACTITIONER = "with_practitioner", _("Completed with the practitioner")
    CARER = "carer", _("Completed by a carer")
    #: In their own space (myspace), on the page offered after a check-in: never offered on the
    #: practitioner's entry form.
    YOUNG_PERSON_SPACE = "young_person_space", _("Completed by the young person in their own space")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NOT_SURE = "not_sure", _("Not sure")
    NO = "no", _("No")


class RatedBy(models.TextChoices):
    YOUNG_PERSON = "young_person", _("The young person")
    CARER = "carer", _("A carer")
    WITH_PRACTITIONER = "with_practitioner", _("The practitioner with the young person")


class MeasurementPoint(models.Model):
    """A time an episode's measures are due: at the start, at each review, at the end."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="measurement_points")
    episode = models.ForeignKey("episodes.Episode", on_delete=models.PROTECT, related_name="measurement_points")
    kind = models.CharField(_("kind"), max_length=10, choices=PointKind.choices)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=PointStatus.choices, default=PointStatus.DUE)
    not_done_reason = models.CharField(_("reason"), max_length=20, choices=NotDoneReason.choices, blank=True)
    taken_on = models.DateField(_("date completed"), null=True, blank=True)
    source = models.CharField(_("who completed it"), max_length=20, choices=Source.choices, blank=True)
    #: The entry form's one-time key: the same form sent twice records one set of measurements.
    entry_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("measurement point")
        verbose_name_plural = _("measurement points")
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "kind"], condition=~models.Q(kind="review"), name="one_start_and_end_per_episode"
            )
        ]

    def __str__(self) -> str:
        return f"{self.episode_id} {self.kind} {self.due_on}"


class Measurement(models.Model):
    """One instrument's result at a point: item answers by number only (never wording), the
    raw and (for SWEMWBS) metric score, or a question's answer, or scores entered from a
    licensed form."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="measurements")
    point = models.ForeignKey(MeasurementPoint, on_delete=models.PROTECT, related_name="measurements")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    responses = models.JSONField(default=dict, blank=True)
    raw_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    taken_on = models.DateField()
    source = models.CharField(max_length=20, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    #: The young person's form's one-time key (their own space): the same form sent twice
    #: records once. The practitioner's entry form keys the whole point instead.
    entry_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["taken_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["point", "instrument"], name="one_result_per_point")]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.taken_on}"


class GoalRating(models.Model):
    """A Goal Based Outcomes rating (0–10) of one of the plan's goals. With a point it counts
    for change; without one (between points) it is shown but decides nothing."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="goal_ratings")
    goal = models.ForeignKey("plans.Goal", on_delete=models.PROTECT, related_name="ratings", to_field="uuid")
    point = models.ForeignKey(
        MeasurementPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="goal_ratings"
    )
    value = models.PositiveSmallIntegerField()
    rated_by = models.CharField(max_length=20, choices=RatedBy.choices)
    rated_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    #: The one-time key of the form a rating between points came from (``services.rate_goal``):
    #: the same form sent twice records one rating. Ratings at a point use the point's key.
    entry_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["rated_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__lte=10), name="gbo_rating_0_to_10"),
            models.UniqueConstraint(fields=["point", "goal"], name="one_rating_per_goal_per_point"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.rated_on} {self.value}"


# --- Reviewed parameter changes (ADR 017) ---------------------------------------------------


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class InstrumentChange(models.Model):
    """A proposed change to an instrument's parameters, applied only when a *different* service
    manager approves it (``outcomes.parameters``). ``proposed`` and ``based_on`` hold every
    changeable field (``parameters.CHANGEABLE``) as JSON: one list of fields, kept in code, so a
    field made changeable later needs no new column here; the values are validated by typed
    functions before they are stored. ``based_on_history_id`` and ``based_on`` are the state the
    proposal was made against: if the instrument changed since, approval is refused."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="changes")
    proposed = models.JSONField(_("proposed values"))
    based_on = models.JSONField(_("values when proposed"))
    based_on_history_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(_("reason for the change"))
    citation = models.TextField(_("source of the new values"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    #: The history row the approval wrote (links the instrument's history to this proposal).
    applied_history_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("proposed change to a measure")
        verbose_name_plural = _("proposed changes to measures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="instrument_change_decided_has_who_and_when",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.status} {self.pk}"


# --- Feedback on the support (outcomes/feedback.py; ADR 018) ---------------------------------


class FeedbackAnswer(models.TextChoices):
    YES = "yes", pgettext_lazy("feedback answer", "Yes")
    SORT_OF = "sort_of", pgettext_lazy("feedback answer", "Sort of")
    NO = "no", pgettext_lazy("feedback answer", "No")


class Respondent(models.TextChoices):
    YOUNG_PERSON = "young_person", _("A young person")
    CARER = "carer", _("A parent or carer")
    PROFESSIONAL = "professional", _("A professional")


class FeedbackAnswers(models.Model):
    """The questionnaire's answers, the same whether named or anonymous: five statements, each
    yes / sort of / no or left blank (nobody has to answer all), and free text. The service and
    the quarter ("2026-Q4") are what the summary groups by."""

    service = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(_("quarter"), max_length=7, db_index=True)
    respondent = models.CharField(_("who gave the feedback"), max_length=20, choices=Respondent.choices)
    listened = models.CharField(max_length=10, choices=FeedbackAnswer.choices, blank=True)
    could_choose = models.CharField(max_length=10, choices=FeedbackAnswer.choices, blank=True)
    knew_contact = models.CharField(max_length=10, choices=FeedbackAnswer.choices, blank=True)
    good_time = models.CharField(max_length=10, choices=FeedbackAnswer.choices, blank=True)
    would_recommend = models.CharField(max_length=10, choices=FeedbackAnswer.choices, blank=True)
    anything_else = models.TextField(_("anything else"), max_length=2000, blank=True)
    #: The free text's language (ADR 015); empty when nothing was written.
    text_language = TextLanguageField()

    class Meta:
        abstract = True

    def answered(self) -> list[tuple[Any, str]]:
        """Each statement in the respondent's wording with the answer shown ("" if blank)."""
        from outcomes.feedback import WORDING

        labels = dict(FeedbackAnswer.choices)
        return [(label, str(labels.get(getattr(self, name), ""))) for name, label in WORDING[self.respondent].items()]


class NamedFeedback(FeedbackAnswers):
    """Feedback a practitioner records from a young person, carer or professional about one
    young person's support: personal data, through the one scope, audited."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="feedback")
    given_on = models.DateField(_("date given"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    #: The one-time key of the form it came from, when the form carries one (a carer's own
    #: feedback from their space): the same form sent twice records one answer.
    entry_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = PersonalQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.child_id} {self.given_on}"


class AnonymousFeedback(FeedbackAnswers):
    """An anonymous answer from the public page. Deliberately **only** the service, the quarter
    and the answers: no user, child, timestamp, address or session, and a random primary key so
    that neither a sequence number nor the order of ids tells when it came (ADR 018). Never
    audited with its id. Shown only in aggregate, free text only at or above the small-number
    threshold (``outcomes.feedback.service_summary``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["quarter", "id"]  # random within a quarter: never the order they came in
        verbose_name = _("anonymous feedback")
        verbose_name_plural = _("anonymous feedback")

    def __str__(self) -> str:
        return f"{self.service_id} {self.quarter}"
