"""Consent to share, and sharing without consent on safeguarding grounds.

A consent decision says what may be shared, with whom, for what purpose, who decided and what
the young person thinks – always in their words. It is read by the one access mechanism
(``consent.access``), never by a check in a view, so withdrawal takes effect at once everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, OrganisationType, Profession
from core.text_language import TextLanguageField
from people.models import Child

if TYPE_CHECKING:
    from accounts.models import User


class Purpose(models.TextChoices):
    JOINT_ASSESSMENT = "joint_assessment", _("Joint assessment and care planning")
    COURT = "court", _("Court proceedings")
    TRANSITION = "transition", _("Transition to another service")
    RESEARCH = "research", _("Research")
    #: The carer at home, named in the nest, sees what helps them support the young person in
    #: their own space (myspace.carers): only with a consent naming that person.
    SUPPORT_AT_HOME = "support_at_home", _("Support at home")


#: Purposes for which a recipient may open the shared parts in Nyth and contribute. Court and
#: research consents allow an export for that purpose only.
WORKING_PURPOSES = frozenset({Purpose.JOINT_ASSESSMENT, Purpose.TRANSITION})


class Decider(models.TextChoices):
    YOUNG_PERSON = "young_person", _("The young person, able to decide for themselves")
    PARENT = "parent", _("A person with parental responsibility")
    LOCAL_AUTHORITY = "local_authority", _("The local authority with parental responsibility")


class HowGiven(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    WRITTEN = "written", _("In writing")
    VERBAL_VIA_CARER = "verbal_via_carer", _("Verbally, through a carer")
    PHONE_OR_VIDEO = "phone_or_video", _("By phone or video call")


class LawfulBasis(models.TextChoices):
    """The lawful basis recorded beside consent (domain notes: usually public task, not UK GDPR
    consent; the child's consent to share is the practice standard on top)."""

    HEALTH_SOCIAL_CARE = (
        "health_social_care",
        _("Public task with health or social care purposes (DPA 2018 Schedule 1 paragraph 2)"),
    )
    SAFEGUARDING = "safeguarding", _("Public task with safeguarding (DPA 2018 Schedule 1 paragraph 18)")
    EXPLICIT_CONSENT = "explicit_consent", _("Explicit consent")
    LEGAL_CLAIMS = "legal_claims", _("Legal proceedings (UK GDPR Article 9(2)(f))")


class Item(models.TextChoices):
    """What may be shared, beyond named assessment sections."""

    WHOLE_ASSESSMENT = "assessment", _("The whole assessment")
    PLAN = "plan", _("The plan")
    OUTCOMES = "outcomes", _("Outcome scores")


#: A consent and a refusal each name exactly one recipient: an organisation, a type of
#: organisation, or a role (the database refuses anything else).
ONE_RECIPIENT = (
    Q(recipient_organisation__isnull=False, recipient_organisation_type="", recipient_profession="")
    | Q(recipient_organisation__isnull=True, recipient_organisation_type__gt="", recipient_profession="")
    | Q(recipient_organisation__isnull=True, recipient_organisation_type="", recipient_profession__gt="")
)


#: A consent may also name one person in the young person's nest (a carer), and then nothing else.
CONSENT_ONE_RECIPIENT = (ONE_RECIPIENT & Q(recipient_person__isnull=True)) | Q(
    recipient_person__isnull=False,
    recipient_organisation__isnull=True,
    recipient_organisation_type="",
    recipient_profession="",
)


class RecipientLabel:
    """The one recipient a consent or a refusal names, as a reader sees it."""

    recipient_organisation_id: int | None
    recipient_organisation_type: str

    @property
    def recipient_label(self) -> str:
        if getattr(self, "recipient_person_id", None):
            return str(self.recipient_person)  # type: ignore[attr-defined]
        if self.recipient_organisation_id:
            return str(self.recipient_organisation)  # type: ignore[attr-defined]
        if self.recipient_organisation_type:
            return str(self.get_recipient_organisation_type_display())  # type: ignore[attr-defined]
        return str(self.get_recipient_profession_display())  # type: ignore[attr-defined]


class ConsentQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ConsentQuerySet:
        """Consent decisions are part of the child's record: the record's scope decides."""
        return self.filter(child__in=Child.objects.visible_to(user))

    def in_force(self, on: object | None = None) -> ConsentQuerySet:
        """Given (on or before today) and not withdrawn. A passed review date asks for a review;
        it does not end the consent by itself."""
        today = timezone.localdate() if on is None else on
        return self.filter(withdrawn_at__isnull=True, given_on__lte=today)

    def for_recipient(self, user: User) -> ConsentQuerySet:
        """Consents whose recipient matches the user: their organisation, its type, or their
        profession."""
        if not user.is_authenticated or user.organisation is None:
            return self.none()
        match = Q(recipient_organisation_id=user.organisation_id) | Q(
            recipient_organisation_type=user.organisation.type
        )
        if user.profession:
            match |= Q(recipient_profession=user.profession)
        return self.filter(match)

    def covering_organisation(self, organisation: Organisation) -> ConsentQuerySet:
        return self.filter(Q(recipient_organisation=organisation) | Q(recipient_organisation_type=organisation.type))


class ConsentDecision(RecipientLabel, models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="consents")

    # What may be shared.
    items = models.JSONField(
        _("what may be shared"),
        default=list,
        blank=True,  # a consent may name sections only; services check something is chosen
        help_text=_("The whole assessment, the plan, outcome scores."),
    )
    sections = models.JSONField(_("named sections of the assessment"), default=list, blank=True)

    # With whom: exactly one of these.
    recipient_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents_received",
    )
    recipient_organisation_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    recipient_profession = models.CharField(_("role"), max_length=30, choices=Profession.choices, blank=True)
    #: A named person in this young person's nest (for support at home: their carer).
    recipient_person = models.ForeignKey(
        "people.RelatedPerson",
        verbose_name=_("person in the nest"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents_received",
    )

    purposes = models.JSONField(_("purposes"), default=list)

    # Who decided, and the young person's own views – always, even when they are not the decider.
    decider = models.CharField(_("who decided"), max_length=20, choices=Decider.choices)
    decider_name = models.CharField(_("name of the person who decided"), max_length=200, blank=True)
    competence_judgement = models.TextField(
        _("judgement of the young person's competence"), blank=True, max_length=3000
    )
    young_person_views = models.TextField(_("the young person's views, in their words"), max_length=5000)
    text_language = TextLanguageField()  # of the judgement and the views (core/text_language.py)
    how_given = models.CharField(_("how consent was given"), max_length=20, choices=HowGiven.choices)
    given_on = models.DateField(_("date given"))
    review_on = models.DateField(_("review date"), null=True, blank=True)
    lawful_basis = models.CharField(_("lawful basis"), max_length=30, choices=LawfulBasis.choices)
    sharing_protocol = models.CharField(_("information sharing protocol (WASPI)"), max_length=200, blank=True)

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_note = models.TextField(_("about the withdrawal"), blank=True, max_length=3000)
    # The young person's own words about the withdrawal, kept apart from the note: the label
    # is the page's ("The young person's words"), in the reader's language, never stored.
    withdrawal_words = models.TextField(_("the young person's words about the withdrawal"), blank=True, max_length=1500)
    # Written later than the decision, maybe in the other language (core/text_language.py).
    withdrawal_language = TextLanguageField(verbose_name=_("language of the withdrawal note"))

    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")
        constraints = [
            models.CheckConstraint(
                name="consent_exactly_one_recipient",
                condition=CONSENT_ONE_RECIPIENT,
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.recipient_label}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None and self.given_on <= timezone.localdate()

    @property
    def review_due(self) -> bool:
        return self.in_force and self.review_on is not None and self.review_on <= timezone.localdate()

    def covers_section(self, key: str) -> bool:
        return Item.WHOLE_ASSESSMENT in self.items or key in self.sections

    def purpose_labels(self) -> list[str]:
        labels = dict(Purpose.choices)
        return [str(labels.get(p, p)) for p in self.purposes]

    def item_labels(self) -> list[str]:
        from assessments.sections import BY_KEY

        labels = dict(Item.choices)
        found = [str(labels[i]) for i in self.items if i in labels]
        found += [str(BY_KEY[k].title) for k in self.sections if k in BY_KEY]
        return found


class SafeguardingStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for a manager's approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Not approved")


class SafeguardingShareQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> SafeguardingShareQuerySet:
        return self.filter(child__in=Child.objects.visible_to(user))

    def in_force(self) -> SafeguardingShareQuerySet:
        return self.filter(status=SafeguardingStatus.APPROVED, expires_on__gte=timezone.localdate())


class SafeguardingShare(models.Model):
    """Sharing without consent because of a risk of significant harm: reasoned, approved by a
    service manager (not the requester), time-limited, audited and shown on the child's record."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="safeguarding_shares")
    recipient_organisation = models.ForeignKey(
        Organisation, verbose_name=_("share with"), on_delete=models.PROTECT, related_name="+"
    )
    items = models.JSONField(_("what is shared"), default=list, blank=True)
    sections = models.JSONField(_("named sections of the assessment"), default=list, blank=True)
    reason = models.TextField(
        _("the risk of significant harm, and why sharing without consent is necessary"), max_length=5000
    )
    young_person_views = models.TextField(_("the young person's views, if known"), blank=True, max_length=5000)
    text_language = TextLanguageField()  # of the reason and the views (core/text_language.py)
    expires_on = models.DateField(_("share ends on"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=SafeguardingStatus.choices, default=SafeguardingStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("manager's note"), blank=True, max_length=3000)
    # Written later, by the deciding manager, maybe in the other language.
    decision_language = TextLanguageField(verbose_name=_("language of the manager's note"))

    objects = SafeguardingShareQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("safeguarding share")
        verbose_name_plural = _("safeguarding shares")

    def __str__(self) -> str:
        return f"{self.child_id}: {self.recipient_organisation}"

    @property
    def in_force(self) -> bool:
        return self.status == SafeguardingStatus.APPROVED and self.expires_on >= timezone.localdate()

    def covers_section(self, key: str) -> bool:
        return Item.WHOLE_ASSESSMENT in self.items or key in self.sections


class RefusalQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> RefusalQuerySet:
        """Part of the child's record: the record's scope decides."""
        return self.filter(child__in=Child.objects.visible_to(user))

    def active(self) -> RefusalQuerySet:
        return self.filter(ended_at__isnull=True)


class SharingRefusal(RecipientLabel, models.Model):
    """The young person (or the person deciding for them) does not agree to share with someone –
    "I don't want the school to know". A decision of its own, not the absence of a consent: it is
    recorded in their words, shown on the record, audited, and a later consent that contradicts
    it is warned about and needs their words again. It grants nothing and is never read by
    ``consent.access``; it ends only when a consent given later replaces it."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="sharing_refusals")
    recipient_organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_organisation_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    recipient_profession = models.CharField(_("role"), max_length=30, choices=Profession.choices, blank=True)
    decider = models.CharField(_("who decided"), max_length=20, choices=Decider.choices)
    decider_name = models.CharField(_("name of the person who decided"), max_length=200, blank=True)
    young_person_views = models.TextField(_("the young person's views, in their words"), max_length=5000)
    text_language = TextLanguageField()  # of the views (core/text_language.py)
    decided_on = models.DateField(_("date decided"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    #: Set when a later consent replaced the refusal (with the young person's words again).
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by_consent = models.ForeignKey(
        ConsentDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="ended_refusals"
    )
    ending_words = models.TextField(
        _("what the young person said when asked again, in their words"), blank=True, max_length=5000
    )
    # Written later, on the consent form that ended the refusal: that form's language.
    ending_language = TextLanguageField(verbose_name=_("language of what they said when asked again"))

    objects = RefusalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("refusal to share")
        verbose_name_plural = _("refusals to share")
        constraints = [
            models.CheckConstraint(
                name="refusal_exactly_one_recipient",
                condition=ONE_RECIPIENT,
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: not {self.recipient_label}"

    @property
    def active(self) -> bool:
        return self.ended_at is None
