"""No Wrong Door: referrals from any agency, decisions that never simply reject, the service
directory for warm handovers, and the waiting list with its initial consultations."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, OrganisationType, Role
from core.text_language import TextLanguageField
from people.models import Child, LegalStatus, PlacementType, PreferredLanguage

if TYPE_CHECKING:
    from accounts.models import User


class ReferrerType(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    CAMHS = "camhs", _("CAMHS clinician")
    TEACHER = "teacher", _("Teacher")
    ALNCO = "alnco", _("Additional learning needs co-ordinator (ALNCo)")
    EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist", _("Educational psychologist")
    YOUTH_JUSTICE = "youth_justice", _("Youth justice worker")
    YOUTH_WORKER = "youth_worker", _("Youth worker")
    GP = "gp", _("GP")
    FOSTER_CARER = "foster_carer", _("Foster carer")
    KINSHIP_CARER = "kinship_carer", _("Kinship carer")
    ADOPTIVE_PARENT = "adoptive_parent", _("Adoptive parent")
    SPECIAL_GUARDIAN = "special_guardian", _("Special guardian")
    RESIDENTIAL_WORKER = "residential_worker", _("Residential care worker")
    YOUNG_PERSON = "young_person", _("The young person themself")
    SERVICE_STAFF = "service_staff", _("Service staff, for a caller")
    OTHER = "other", _("Other")


class Route(models.TextChoices):
    STAFF = "staff", _("Staff form")
    PARTNER = "partner", _("Partner professional form")
    PUBLIC = "public", _("Public referral form")
    PHONE = "phone", _("Phone or walk-in, recorded by staff")
    IMPORT = "import", _("CSV import")
    API = "api", _("API")


class Awareness(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_YET = "not_yet", _("Not yet")
    NOT_KNOWN = "not_known", _("Not known")


class Outcome(models.TextChoices):
    """No referral is simply rejected: every decision is one of these."""

    ACCEPTED = "accepted", _("Accepted onto the waiting list")
    CONSULTATION = "consultation", _("Consultation only (advice to the referrer)")
    REDIRECTED = "redirected", _("Redirected with a warm handover")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received, awaiting a decision")
    ACCEPTED = "accepted", _("Accepted: on the waiting list")
    CONSULTATION = "consultation", _("Consultation only")
    REDIRECTED = "redirected", _("Redirected with a warm handover")
    ALLOCATED = "allocated", _("Allocated: support started")


RISK_FIELDS = (
    "risk_self_harm",
    "risk_exploitation",
    "risk_going_missing",
    "risk_placement_breakdown",
    "risk_secure_or_dols",
    "risk_harm_to_others",
)


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ReferralQuerySet:
        """Referrals a user may see: those about children in their scope (the one mechanism in
        people.access), plus two intake routes – before a child record is linked, the service's
        triage staff (service managers, duty workers) see its unlinked referrals; and a referrer
        sees the referrals they made."""
        if not user.is_authenticated or not user.is_active or user.role in (Role.COMMISSIONER, "", None):
            return self.none()
        scope = Q(child__in=Child.objects.visible_to(user))
        if user.role in (Role.SERVICE_MANAGER, Role.DUTY_WORKER) and user.organisation_id:
            scope |= Q(child__isnull=True, service_id=user.organisation_id)
        scope |= Q(referred_by=user)
        return self.filter(scope)

    def waiting(self) -> ReferralQuerySet:
        return self.filter(status=Status.ACCEPTED)


class Referral(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    service = models.ForeignKey(
        Organisation,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="referrals",
        limit_choices_to={"type": OrganisationType.SERVICE},
    )
    # Set when a person confirms who the child is (an existing record or a new one).
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    # Retries, double clicks and repeated import rows carry the same key: one referral.
    idempotency_key = models.CharField(max_length=100, unique=True, editable=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made"
    )

    # The child, as the referrer describes them.
    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    # Surnames before adoption or a special guardianship order: the commonest reason an existing
    # record is missed, so identity matching compares them.
    former_names = models.CharField(
        _("former or other names"),
        max_length=300,
        blank=True,
        help_text=_("For example a surname before adoption. Helps us find an existing record."),
    )
    date_of_birth = models.DateField(_("date of birth"))
    nhs_number = models.CharField(_("NHS number"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    responsible_local_authority = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible local authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"type": OrganisationType.LOCAL_AUTHORITY},
    )
    legal_status = models.CharField(_("legal status"), max_length=30, choices=LegalStatus.choices)
    placement_type = models.CharField(_("current placement"), max_length=30, choices=PlacementType.choices, blank=True)
    placement_out_of_county = models.BooleanField(_("placed out of county"), default=False)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=PreferredLanguage.choices, default=PreferredLanguage.ENGLISH
    )
    active_offer_made = models.BooleanField(_("the Welsh language Active Offer was made"), default=False)
    communication_needs = models.TextField(_("accessibility or communication needs"), blank=True, max_length=2000)

    # The referrer.
    referrer_type = models.CharField(_("who is referring"), max_length=30, choices=ReferrerType.choices)
    referrer_name = models.CharField(_("referrer's name"), max_length=200)
    referrer_organisation = models.CharField(_("referrer's organisation"), max_length=200, blank=True)
    referrer_relationship = models.CharField(_("relationship to the child or young person"), max_length=200, blank=True)
    referrer_email = models.EmailField(_("referrer's email address"), blank=True)
    referrer_phone = models.CharField(_("referrer's phone number"), max_length=30, blank=True)
    referrer_language = models.CharField(
        _("language for replies to the referrer"),
        max_length=5,
        choices=[("en", "English"), ("cy", "Cymraeg")],
        default="en",
    )

    # Needs, in the referrer's words, and the young person's voice.
    needs = models.TextField(_("what is happening and what help is needed"), max_length=5000)
    # None: not yet judged. A carer or young person on the public form describes the needs in their
    # own words; whether they are complex is judged at triage, so such a referral earns no priority
    # points for them until then (the manager's priority adjustment, with its reason, is the way).
    complex_needs = models.BooleanField(
        _("complex mental health and wellbeing needs, including trauma"), null=True, blank=True, default=True
    )
    diagnosis = models.CharField(_("any diagnosis (never required)"), max_length=300, blank=True)
    young_person_views = models.TextField(_("what the young person wants"), blank=True, max_length=3000)
    young_person_knows = models.CharField(
        _("does the young person know about this referral?"),
        max_length=10,
        choices=Awareness.choices,
        default=Awareness.NOT_KNOWN,
    )
    young_person_agrees = models.CharField(
        _("does the young person agree to it?"), max_length=10, choices=Awareness.choices, default=Awareness.NOT_KNOWN
    )
    consent_to_contact_others = models.BooleanField(_("we may contact the other professionals involved"), default=False)
    professionals_involved = models.TextField(_("professionals already involved"), blank=True, max_length=2000)

    # Current risks.
    risk_self_harm = models.BooleanField(_("self-harm"), default=False)
    risk_exploitation = models.BooleanField(_("exploitation"), default=False)
    risk_going_missing = models.BooleanField(_("going missing"), default=False)
    risk_placement_breakdown = models.BooleanField(_("placement at risk of breaking down"), default=False)
    risk_secure_or_dols = models.BooleanField(
        _("risk of secure accommodation or a deprivation of liberty order"), default=False
    )
    risk_harm_to_others = models.BooleanField(_("harm to others"), default=False)
    risk_notes = models.TextField(_("more about the risks"), blank=True, max_length=3000)
    #: Of what the referrer wrote (needs, views, risks): core/text_language.py. Imported rows
    #: stay undetermined – a spreadsheet does not say.
    text_language = TextLanguageField()

    # Where the referral stands (derived from the latest decision; stored for fast lists).
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    # A service manager's adjustment of the computed priority, always with a reason.
    priority_adjustment = models.IntegerField(_("priority adjustment"), default=0)
    priority_adjustment_reason = models.TextField(_("reason for the adjustment"), blank=True, max_length=1000)
    # Written later than the referral, by the manager, maybe in the other language.
    priority_adjustment_language = TextLanguageField(verbose_name=_("language of the reason for the adjustment"))
    # Allocation to a practitioner ends the wait; it also puts them in the child's care team,
    # which is what gives them access to the record (people.access).
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("allocated to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    allocated_at = models.DateTimeField(_("allocated"), null=True, blank=True)
    first_session_at = models.DateTimeField(_("first therapeutic session"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return self.reference

    @property
    def child_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"

    @property
    def risks(self) -> list[str]:
        return [
            str(cast(models.Field, self._meta.get_field(name)).verbose_name)
            for name in RISK_FIELDS
            if getattr(self, name)
        ]

    @property
    def latest_decision(self) -> Decision | None:
        decisions = list(self.decisions.all())
        return max(decisions, key=lambda d: (d.decided_at, d.pk)) if decisions else None


class DirectoryServiceQuerySet(models.QuerySet):
    def active(self) -> DirectoryServiceQuerySet:
        return self.filter(is_active=True)


class WelshProvision(models.TextChoices):
    FULL = "full", _("Services available in Welsh")
    PARTIAL = "partial", _("Some services in Welsh")
    NONE = "none", _("English only")


class DirectoryService(models.Model):
    """A better-placed service a referral can be handed on to warmly (not personal data)."""

    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offer_en = models.TextField(_("what it offers (English)"), max_length=2000)
    offer_cy = models.TextField(_("what it offers (Welsh)"), max_length=2000)
    min_age = models.PositiveSmallIntegerField(_("youngest age"), default=0)
    max_age = models.PositiveSmallIntegerField(_("oldest age"), default=25)
    areas = models.ManyToManyField(
        Organisation,
        verbose_name=_("local authority areas covered"),
        related_name="+",
        limit_choices_to={"type": OrganisationType.LOCAL_AUTHORITY},
        blank=True,
        help_text=_("Leave empty for all of Wales."),
    )
    welsh_provision = models.CharField(_("Welsh-language provision"), max_length=10, choices=WelshProvision.choices)
    referral_route_en = models.TextField(_("how to refer (English)"), max_length=1000)
    referral_route_cy = models.TextField(_("how to refer (Welsh)"), max_length=1000)
    out_of_hours = models.BooleanField(_("available out of hours"), default=False)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("listed"), default=True)

    objects = DirectoryServiceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("directory service")
        verbose_name_plural = _("service directory")

    def __str__(self) -> str:
        return self.name

    def _localised(self, field: str) -> str:
        welsh = (get_language() or "en").startswith("cy")
        return getattr(self, f"{field}_cy") if welsh and getattr(self, f"{field}_cy") else getattr(self, f"{field}_en")

    @property
    def name(self) -> str:
        return self._localised("name")

    @property
    def offer(self) -> str:
        return self._localised("offer")

    @property
    def referral_route(self) -> str:
        return self._localised("referral_route")


LETTER_LANGUAGES = [("cy", _("Welsh")), ("en", _("English"))]


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> DecisionQuerySet:
        return self.filter(referral__in=Referral.objects.visible_to(user))


class Decision(models.Model):
    """Each decision is kept; the latest is the current one, so a decision is reversible with
    its history."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("reason"), max_length=3000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    # Warm handover (redirected).
    directory_service = models.ForeignKey(
        DirectoryService, verbose_name=_("service handed on to"), null=True, blank=True, on_delete=models.PROTECT
    )
    handover_contact = models.CharField(_("who was contacted there"), max_length=200, blank=True)
    handover_contacted_at = models.DateTimeField(_("when they were contacted"), null=True, blank=True)
    handover_notes = models.TextField(_("what was agreed"), blank=True, max_length=2000)
    # Consultation only: the advice given to the referrer (counted as a professional consultation).
    consultation_advice = models.TextField(_("advice given to the referrer"), blank=True, max_length=3000)
    # The message to the referrer, written in their language when the decision was made.
    referrer_message = models.TextField(blank=True)
    # The language the manager wrote the reason (and advice) in, and the letter's: when they
    # differ the letter says so before the text, and pages mark it with lang (issue 12 §C).
    # Empty for decisions recorded before this was asked.
    reason_language = models.CharField(_("language of the reason"), max_length=5, choices=LETTER_LANGUAGES, blank=True)
    message_language = models.CharField(
        _("language of the message"), max_length=5, choices=LETTER_LANGUAGES, blank=True
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.outcome}"


class InitialConsultationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> InitialConsultationQuerySet:
        return self.filter(referral__in=Referral.objects.visible_to(user))


class InitialConsultation(models.Model):
    """Nobody waits without a plan: who in the system is best placed to help, what starts now."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="initial_consultation")
    held_on = models.DateField(_("date held"))
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    participants = models.TextField(_("who took part"), max_length=2000)
    best_placed_to_help = models.TextField(_("who in the system is best placed to help"), max_length=3000)
    can_start_now = models.TextField(_("what can start now"), max_length=3000)
    text_language = TextLanguageField()  # core/text_language.py

    objects = InitialConsultationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("initial consultation")
        verbose_name_plural = _("initial consultations")

    def __str__(self) -> str:
        return f"{self.referral_id} {self.held_on}"


class PriorityWeights(models.Model):
    """A service's waiting-list weights, set by its service manager and shown on screen."""

    service = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="priority_weights")
    weights = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("priority weights")
        verbose_name_plural = _("priority weights")

    def __str__(self) -> str:
        return str(self.service)


class PublicFormToken(models.Model):
    """A public form's one-time token, once it has been used. The same token sent again with
    the same answers is a retry (answered with the same referral); with different answers it is
    refused, so one opened form cannot be replayed to send many referrals."""

    token = models.CharField(max_length=64, unique=True)  # sha256 of the signed token
    content_key = models.CharField(max_length=100)
    referral = models.ForeignKey(Referral, null=True, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token[:12]


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    CHECKING = "checking", _("Checking rows")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Stopped")


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        """The uploader, and the managers of the service the file was imported into."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        route = Q(uploaded_by=user)
        if user.role == Role.SERVICE_MANAGER and user.organisation_id:
            route |= Q(service_id=user.organisation_id)
        return self.filter(route)


class ImportJob(models.Model):
    """A CSV file uploaded on the import page, imported in the background by a worker
    (``referrals.import_jobs``). The file's bytes are kept here, where every worker can read
    them, until ``purge_uploads`` deletes them (NYTH_UPLOAD_RETENTION_DAYS after the import
    finished); the counts and the row-by-row report stay. ``checkpoint`` (valid rows written)
    commits in the same transaction as each batch of referrals, so a worker killed part-way
    resumes where the last batch ended and the counts stay exact."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="import_jobs")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs")
    filename = models.CharField(max_length=255)
    mode = models.CharField(max_length=20)
    language = models.CharField(max_length=10, default="en")
    data = models.BinaryField(null=True)  # the uploaded file; None once purged
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    valid_total = models.PositiveIntegerField(default=0)  # rows to write (after in-file repeats)
    checkpoint = models.PositiveIntegerField(default=0)  # of those, written and committed
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0)  # times a worker started it (>1: resumed after a crash)
    file_errors = models.JSONField(default=list)
    errors = models.JSONField(default=list)  # [[row, column, message], …]
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    purged_at = models.DateTimeField(null=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["finished_at"], name="referrals_importjob_finished")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)
