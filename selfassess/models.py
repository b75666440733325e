"""The NEST/NYTH self-assessment (issue 15): a service rates its own maturity against a framework
of domains, statements and maturity levels, round after round.

The framework is **data**, not code: its domains and levels are not published in a form we could
verify (docs/self-assessment.md), so Nyth ships its own reading of the NEST principles and the
practice guidance's components, clearly labelled as such, for the service to replace
(``manage.py load_selfassess_framework``, ADR 027). A round keeps the framework it was made
with: loading a new version never changes what an earlier round said.

No personal data lives here: a round belongs to a *service*, not to a young person. Who may read
and change a round is decided in ``selfassess.access``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


def _welsh() -> bool:
    return (get_language() or "en").startswith("cy")


class Bilingual:
    """``name``/``description``/``text`` in the reader's language (Welsh falls back to English
    only when the Welsh was left empty, which the loader refuses)."""

    def _pick(self, field: str) -> str:
        english = str(getattr(self, f"{field}_en", ""))
        welsh = str(getattr(self, f"{field}_cy", ""))
        return welsh if _welsh() and welsh else english


class NamedBilingual(Bilingual):
    """A framework, domain or level: a name and a description in both languages."""

    @property
    def name(self) -> str:
        return self._pick("name")

    @property
    def description(self) -> str:
        return self._pick("description")


class Framework(NamedBilingual, models.Model):
    code = models.SlugField(_("code"), max_length=50)
    version = models.CharField(_("version"), max_length=20)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200)
    description_en = models.TextField(_("description in English"))
    description_cy = models.TextField(_("description in Welsh"))
    #: Nyth's own reading, shipped for the service to replace: said on every page that shows it.
    is_nyth_reading = models.BooleanField(_("Nyth's reading"), default=False)
    #: The framework new rounds are made with (one at a time).
    is_current = models.BooleanField(_("current"), default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="selfassess_framework_version"),
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="selfassess_one_current_framework"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class Domain(NamedBilingual, models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="domains")
    code = models.SlugField(max_length=50)
    order = models.PositiveSmallIntegerField()
    name_en = models.CharField(max_length=200)
    name_cy = models.CharField(max_length=200)
    description_en = models.TextField(blank=True)
    description_cy = models.TextField(blank=True)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="selfassess_domain_code")]

    def __str__(self) -> str:
        return self.name


class Statement(Bilingual, models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="statements")
    code = models.SlugField(max_length=50)
    order = models.PositiveSmallIntegerField()
    text_en = models.TextField()
    text_cy = models.TextField()

    class Meta:
        ordering = ["domain__order", "order"]
        constraints = [models.UniqueConstraint(fields=["domain", "code"], name="selfassess_statement_code")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self._pick("text")


class Level(NamedBilingual, models.Model):
    """A maturity level: ``value`` 1 is the lowest; means are taken over values."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="levels")
    value = models.PositiveSmallIntegerField()
    name_en = models.CharField(max_length=100)
    name_cy = models.CharField(max_length=100)
    description_en = models.TextField()
    description_cy = models.TextField()

    class Meta:
        ordering = ["framework", "value"]
        constraints = [models.UniqueConstraint(fields=["framework", "value"], name="selfassess_level_value")]

    def __str__(self) -> str:
        return f"{self.value}. {self.name}"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")


class Round(models.Model):
    """One self-assessment of a service on a date. Every change – a rating, an action, completion –
    raises ``version``, and every form carries the version it was opened at: a save based on an
    older one is refused (``core.errors.StaleEditError``), never silently overwritten."""

    service = models.ForeignKey(
        Organisation, verbose_name=_("service"), on_delete=models.PROTECT, related_name="self_assessments"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="rounds")
    assessed_on = models.DateField(_("date of the self-assessment"))
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["service", "status", "assessed_on"], name="selfassess_round_service")]

    def __str__(self) -> str:
        return f"{self.service} {self.assessed_on:%Y-%m-%d}"

    @property
    def is_completed(self) -> bool:
        return self.status == RoundStatus.COMPLETED


class Rating(models.Model):
    """A statement's level in a round, with the evidence for it: text and links (one a line)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ratings")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["statement__domain__order", "statement__order"]
        constraints = [models.UniqueConstraint(fields=["round", "statement"], name="selfassess_one_rating")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.statement_id}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class Action(models.Model):
    """One line of the round's action plan, owned by a staff member of the service. Its status
    and progress notes stay changeable after the round is completed (the ratings and evidence do
    not): an action plan is carried out after the self-assessment that made it. An open action
    can be carried into the next round as a copy that points back here (``carried_from``)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="actions")
    domain = models.ForeignKey(
        Domain, verbose_name=_("domain"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    #: The action of an earlier round this one was carried over from (its history stays there).
    carried_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_to")

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def is_open(self) -> bool:
        return self.status != ActionStatus.DONE


class ActionProgress(models.Model):
    """A dated note of progress on an action (and the status it was given then, if it changed).
    Notes are only added, never changed: they are the action's history."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="progress")
    noted_on = models.DateField(_("date of the progress"))
    note = models.TextField(_("progress note"), blank=True)
    #: The status the action was moved to with this note; empty when it stayed the same.
    status = models.CharField(max_length=20, choices=ActionStatus.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["noted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.noted_on:%Y-%m-%d}"
