"""Organisations, teams and the people who use Nyth."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OrganisationType(models.TextChoices):
    SERVICE = "service", _("Therapeutic support service")
    LOCAL_AUTHORITY = "local_authority", _("Local authority children's services")
    HEALTH_BOARD = "health_board", _("Health board CAMHS")
    EDUCATION = "education", _("School or education service")
    YOUTH_JUSTICE = "youth_justice", _("Youth justice service")
    THIRD_SECTOR = "third_sector", _("Third sector organisation")
    REGIONAL_PARTNERSHIP_BOARD = "rpb", _("Regional Partnership Board")
    COURT = "court", _("Court")


class Organisation(models.Model):
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices)
    # Official code where one exists: ONS GSS code for a local authority, NHS Wales ODS code
    # for a health board; our own for the rest.
    code = models.CharField(_("code"), max_length=20, unique=True)
    # The Regional Partnership Board region the organisation belongs to.
    region = models.ForeignKey(
        "self",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"type": OrganisationType.REGIONAL_PARTNERSHIP_BOARD},
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_cy if (get_language() or "en").startswith("cy") and self.name_cy else self.name_en


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    DUTY_WORKER = "duty_worker", _("Duty or on-call worker")
    PARTNER = "partner", _("Partner professional")
    COMMISSIONER = "commissioner", _("Commissioner")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Not staff: they sign in to their own space only (myspace), never a staff page.
    YOUNG_PERSON = "young_person", _("Young person")
    CARER = "carer", _("Carer")


class Profession(models.TextChoices):
    """What a professional does: a consent may name a role ("the young person's teacher")
    rather than an organisation."""

    SOCIAL_WORKER = "social_worker", _("Social worker")
    CAMHS_CLINICIAN = "camhs_clinician", _("CAMHS clinician")
    EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist", _("Educational psychologist")
    TEACHER = "teacher", _("Teacher or ALNCo")
    YOUTH_JUSTICE_WORKER = "youth_justice_worker", _("Youth justice worker")
    YOUTH_WORKER = "youth_worker", _("Youth worker")
    GP = "gp", _("GP")
    THERAPIST = "therapist", _("Therapist or psychologist")
    OTHER = "other", _("Other")


#: Roles that work inside the therapeutic service and can be on a child's care team.
SERVICE_ROLES = frozenset({Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER})

#: Roles of the people the service supports: a young person (linked to their own record) and a
#: carer (linked to a person in that young person's nest). They are not staff: their accounts
#: come only from an invitation (myspace), never from the staff account pages, and no staff
#: page, list or search opens for them (myspace.middleware.SpaceOnlyMiddleware).
SPACE_ROLES = frozenset({Role.YOUNG_PERSON, Role.CARER})


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    WELSH = "cy", "Cymraeg"


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    profession = models.CharField(_("profession"), max_length=30, choices=Profession.choices, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    # Set on the request's user by django_otp's OTPMiddleware: whether this session passed the
    # second factor. Declared for the type checker only (no value here).
    is_verified: Callable[[], bool]

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_commissioner(self) -> bool:
        return self.role == Role.COMMISSIONER

    @property
    def is_service_manager(self) -> bool:
        return self.role == Role.SERVICE_MANAGER

    @property
    def works_in_service(self) -> bool:
        return (
            self.role in SERVICE_ROLES
            and self.organisation is not None
            and (self.organisation.type == OrganisationType.SERVICE)
        )


class Team(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(User, verbose_name=_("members"), related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_team_name")]

    def __str__(self) -> str:
        return self.name


def manageable_users(by: User) -> models.QuerySet[User]:
    """Accounts ``by`` may manage: administrators manage every staff account; nobody else any.
    Used by the account pages the way ``visible_to`` is used for children (404 for the rest).
    Young people's and carers' accounts are not staff accounts: their practitioner invites,
    re-invites and revokes them (myspace), so an administrator cannot turn one into a staff
    account or reset it."""
    if by.is_authenticated and by.is_active and by.role == Role.ADMINISTRATOR:
        return User.objects.exclude(role__in=SPACE_ROLES)
    return User.objects.none()


class SignInThrottle(models.Model):
    """Failed sign-ins for one user name from any address (accounts.throttle)."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.username


#: Roles that can reach children's records (a care team, a service, break-glass, a share).
#: Commissioners and administrators never do (people.access.child_access_filter).
RECORD_ROLES = frozenset({Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER, Role.PARTNER})

#: The account fields an access-change request may set (ADR 009). The email address is among them:
#: it is where enrolment codes and password resets go, so changing it hands the account over.
ACCESS_FIELDS = ("role", "organisation", "is_active", "email")


class AccessRequestOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    REPLACED = "replaced", _("Replaced by a newer request")
    STALE = "stale", _("Closed: the account changed after the request")


class AccessRequest(models.Model):
    """A change that would give an account a route to records, waiting for a service manager of
    the service concerned who is neither the requester nor the account holder (ADR 009)."""

    account = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.PROTECT, related_name="access_requests"
    )
    creates_account = models.BooleanField(_("new account"), default=False)
    # Requested values of ACCESS_FIELDS (organisation as its id), and the same fields as they
    # were when asked: an approval finding the account changed since is refused as stale.
    requested = models.JSONField(_("requested values"))
    previous = models.JSONField(_("values when requested"))
    # Whose managers decide; null = any active service manager (a partner asked for by an
    # administrator outside a service, ADR 009).
    service = models.ForeignKey(
        Organisation, verbose_name=_("service"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=AccessRequestOutcome.choices, default=AccessRequestOutcome.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["created"]
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(outcome="pending"), name="one_pending_access_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} ({self.get_outcome_display()})"

    @property
    def is_pending(self) -> bool:
        return self.outcome == AccessRequestOutcome.PENDING

    @property
    def requested_role_label(self) -> str:
        role = self.requested.get("role", "")
        return str(Role(role).label) if role in Role.values else ""

    @property
    def requested_organisation(self) -> Organisation | None:
        return Organisation.objects.filter(pk=self.requested.get("organisation")).first()


class EnrolmentDelivery(models.TextChoices):
    EMAIL = "email", _("Emailed to the account holder")
    SHOWN = "shown", _("Shown once to hand over")


class EnrolmentCode(models.Model):
    """A one-time code that, with the password, lets the holder set up an authenticator
    (accounts.enrolment). Only its keyed hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    delivery = models.CharField(max_length=5, choices=EnrolmentDelivery.choices)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"enrolment code for {self.user_id}"
