"""The child or young person record, the people around them, and who may see it.

Every model here holds personal data and is reached only through ``visible_to(user)``
(``people.access`` decides; see docs/architecture.md).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, OrganisationType
from core.text_language import TextLanguageField
from people.identifiers import format_nhs_number, validate_nhs_number
from workforce.models import PracticeLevel

if TYPE_CHECKING:
    from accounts.models import User


class LegalStatus(models.TextChoices):
    LOOKED_AFTER = "looked_after", _("Looked after")
    ADOPTED = "adopted", _("Adopted")
    SPECIAL_GUARDIANSHIP = "special_guardianship", _("Special guardianship")
    CARE_LEAVER = "care_leaver", _("Care leaver")
    EDGE_OF_CARE = "edge_of_care", _("Edge of care")
    OTHER = "other", _("Other")


class PreferredLanguage(models.TextChoices):
    WELSH = "cy", _("Welsh")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Another language")


class ActiveOfferResponse(models.TextChoices):
    NOT_MADE = "not_made", _("Not made yet")
    WELSH = "welsh", _("Offer made: chose Welsh")
    ENGLISH = "english", _("Offer made: chose English")
    BOTH = "both", _("Offer made: chose both languages")
    NO_ANSWER = "no_answer", _("Offer made: no answer yet")


class Gender(models.TextChoices):
    GIRL = "female", _("Girl or young woman")
    BOY = "male", _("Boy or young man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("Describes themselves another way")
    NOT_KNOWN = "not_known", _("Not known")
    PREFER_NOT = "prefer_not", _("Prefers not to say")


class Ethnicity(models.TextChoices):
    """The ethnic group categories used by Welsh Government (2021 Census, Wales)."""

    WHITE_BRITISH = "white_british", _("White: Welsh, English, Scottish, Northern Irish or British")
    WHITE_IRISH = "white_irish", _("White: Irish")
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", _("White: Gypsy or Irish Traveller")
    WHITE_ROMA = "white_roma", _("White: Roma")
    WHITE_OTHER = "white_other", _("White: any other White background")
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", _("Mixed or Multiple: White and Black Caribbean")
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", _("Mixed or Multiple: White and Black African")
    MIXED_WHITE_ASIAN = "mixed_white_asian", _("Mixed or Multiple: White and Asian")
    MIXED_OTHER = "mixed_other", _("Mixed or Multiple: any other Mixed or Multiple background")
    ASIAN_INDIAN = "asian_indian", _("Asian, Asian Welsh or Asian British: Indian")
    ASIAN_PAKISTANI = "asian_pakistani", _("Asian, Asian Welsh or Asian British: Pakistani")
    ASIAN_BANGLADESHI = "asian_bangladeshi", _("Asian, Asian Welsh or Asian British: Bangladeshi")
    ASIAN_CHINESE = "asian_chinese", _("Asian, Asian Welsh or Asian British: Chinese")
    ASIAN_OTHER = "asian_other", _("Asian, Asian Welsh or Asian British: any other Asian background")
    BLACK_AFRICAN = "black_african", _("Black, Black Welsh, Black British, Caribbean or African: African")
    BLACK_CARIBBEAN = "black_caribbean", _("Black, Black Welsh, Black British, Caribbean or African: Caribbean")
    BLACK_OTHER = (
        "black_other",
        _("Black, Black Welsh, Black British, Caribbean or African: any other Black, Caribbean or African background"),
    )
    OTHER_ARAB = "other_arab", _("Other ethnic group: Arab")
    OTHER_ANY = "other_any", _("Other ethnic group: any other ethnic group")
    NOT_STATED = "not_stated", _("Not stated")


class PlacementType(models.TextChoices):
    FOSTER_LA = "foster_la", _("Foster care (local authority)")
    FOSTER_INDEPENDENT = "foster_independent", _("Foster care (independent fostering agency)")
    KINSHIP = "kinship", _("Kinship care")
    RESIDENTIAL = "residential", _("Residential children's home")
    SECURE = "secure", _("Secure accommodation")
    WITH_PARENTS = "with_parents", _("Placed with parents")
    ADOPTIVE = "adoptive", _("Adoptive home")
    SPECIAL_GUARDIAN = "special_guardian", _("With special guardians")
    SUPPORTED_LIVING = "supported_living", _("Supported or independent living")
    OTHER = "other", _("Other")


class RelationshipRole(models.TextChoices):
    FOSTER_CARER = "foster_carer", _("Foster carer")
    KINSHIP_CARER = "kinship_carer", _("Kinship carer")
    ADOPTIVE_PARENT = "adoptive_parent", _("Adoptive parent")
    SPECIAL_GUARDIAN = "special_guardian", _("Special guardian")
    RESIDENTIAL_WORKER = "residential_worker", _("Residential care worker")
    BIRTH_PARENT = "birth_parent", _("Birth parent")
    BIRTH_FAMILY = "birth_family", _("Other birth family member")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PERSONAL_ADVISER = "personal_adviser", _("Personal adviser")
    TEACHER = "teacher", _("Teacher")
    ALNCO = "alnco", _("Additional learning needs co-ordinator (ALNCo)")
    YOUTH_WORKER = "youth_worker", _("Youth worker")
    PLAY_WORKER = "play_worker", _("Play worker")
    SPORTS_COACH = "sports_coach", _("Sports coach")
    FAMILY_SUPPORT_WORKER = "family_support_worker", _("Family support worker")
    SCHOOL_STAFF = "school_staff", _("Other school or college staff")
    CAMHS_CLINICIAN = "camhs_clinician", _("CAMHS clinician")
    YOUTH_JUSTICE_WORKER = "youth_justice_worker", _("Youth justice worker")
    ADVOCATE = "advocate", _("Advocate")
    GP = "gp", _("GP")
    OTHER = "other", _("Other")


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user: User, *, include_shared: bool = False, include_emergency: bool = False) -> ChildQuerySet:
        """The one way to reach children's records: only those the user has a legitimate
        relationship with (see people.access). ``include_shared`` adds children of whom only
        some parts are shared with the user (consent, safeguarding): for the app owning those
        parts, which then decides which parts. ``include_emergency`` adds children on the
        first tier of the user's emergency access: for the safety plan and contacts pages only."""
        from people.access import child_access_filter

        return self.filter(
            child_access_filter(user, include_shared=include_shared, include_emergency=include_emergency)
        )

    def current(self) -> ChildQuerySet:
        """Records still in use (not merged into another record)."""
        return self.filter(merged_into__isnull=True)


class Child(models.Model):
    # The therapeutic service that holds this record.
    service = models.ForeignKey(
        Organisation,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"type": OrganisationType.SERVICE},
    )
    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=100)
    preferred_name = models.CharField(
        _("preferred name"), max_length=100, blank=True, help_text=_("The name they like to be called.")
    )
    former_names = models.CharField(
        _("former or other names"),
        max_length=300,
        blank=True,
        help_text=_("For example a birth surname before adoption."),
    )
    date_of_birth = models.DateField(_("date of birth"))
    nhs_number = models.CharField(
        _("NHS number"), max_length=10, blank=True, db_index=True, validators=[validate_nhs_number]
    )
    local_authority_reference = models.CharField(_("local authority reference"), max_length=50, blank=True)
    responsible_local_authority = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible local authority"),
        on_delete=models.PROTECT,
        related_name="children_responsible_for",
        limit_choices_to={"type": OrganisationType.LOCAL_AUTHORITY},
    )
    legal_status = models.CharField(_("legal status"), max_length=30, choices=LegalStatus.choices)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=PreferredLanguage.choices, default=PreferredLanguage.ENGLISH
    )
    other_language = models.CharField(_("other language"), max_length=100, blank=True)
    active_offer = models.CharField(
        _("Welsh language Active Offer"),
        max_length=20,
        choices=ActiveOfferResponse.choices,
        default=ActiveOfferResponse.NOT_MADE,
    )
    active_offer_date = models.DateField(_("date the Active Offer was made"), null=True, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=50, blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    gender_description = models.CharField(_("gender in their own words"), max_length=100, blank=True)
    ethnicity = models.CharField(_("ethnic group"), max_length=40, choices=Ethnicity.choices, blank=True)
    # Recorded when known and wished; never required.
    disability = models.TextField(_("disability"), blank=True, max_length=2000)
    neurodivergence = models.TextField(_("neurodivergence (identified or suspected)"), blank=True, max_length=2000)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    # Identity-matching keys (people.identity): computed from the details above on every save
    # (and by fill_identity_keys before bulk inserts); indexed for blocking; never edited.
    given_name_ascii = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    family_name_ascii = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    name_key_given = models.CharField(max_length=20, blank=True, editable=False)
    name_key_family = models.CharField(max_length=20, blank=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Merges keep both records: the merged-away record points at the one that continues.
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    # Optimistic concurrency: a save must name the version it was based on.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChildQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        verbose_name = _("child or young person")
        verbose_name_plural = _("children and young people")
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
            # Blocking for identity matching (people.identity.blocking_filter).
            models.Index(fields=["name_key_given", "birth_year", "birth_month"], name="child_given_ym"),
            models.Index(fields=["name_key_given", "birth_month", "birth_day"], name="child_given_md"),
            models.Index(fields=["name_key_given", "birth_year", "birth_day"], name="child_given_yd"),
            models.Index(fields=["name_key_family", "birth_year", "birth_month"], name="child_family_ym"),
            models.Index(fields=["name_key_family", "birth_month", "birth_day"], name="child_family_md"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        from people.identity import IDENTITY_KEY_FIELDS, IDENTITY_SOURCE_FIELDS, fill_identity_keys

        fill_identity_keys(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(IDENTITY_SOURCE_FIELDS):
            kwargs["update_fields"] = {*update_fields, *IDENTITY_KEY_FIELDS}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        return format_nhs_number(self.nhs_number)

    def age_on(self, on: date) -> int:
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def current_placement(self) -> Placement | None:
        # Uses the prefetched list when the view prefetched placements.
        placements = [p for p in self.placements.all() if p.end_date is None]
        return max(placements, key=lambda p: p.start_date) if placements else None


class PersonalQuerySet(models.QuerySet):
    """For models that hang off a child: visibility is the child's, never decided again here."""

    def visible_to(self, user: User, *, include_emergency: bool = False) -> Self:
        return self.filter(child__in=Child.objects.visible_to(user, include_emergency=include_emergency))


class Placement(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="placements")
    type = models.CharField(_("placement type"), max_length=30, choices=PlacementType.choices)
    local_authority_area = models.ForeignKey(
        Organisation,
        verbose_name=_("local authority area the placement is in"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"type": OrganisationType.LOCAL_AUTHORITY},
    )
    outside_wales = models.BooleanField(_("placement is outside Wales"), default=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    #: The carer or carers at this placement (a foster home often has two): people in the
    #: young person's nest. Who is the current carer is read from here (myspace.carers).
    carers: models.ManyToManyField[RelatedPerson, Any] = models.ManyToManyField(
        "RelatedPerson",
        verbose_name=_("carers at this placement"),
        blank=True,
        related_name="placements_caring",
    )

    objects = PersonalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.get_type_display()} ({self.start_date:%Y-%m-%d})"

    @property
    def out_of_county(self) -> bool:
        """Out of county: placed outside the responsible local authority's own area."""
        return self.outside_wales or self.local_authority_area_id != self.child.responsible_local_authority_id


#: Contacts that are support given to the adult rather than a session with the young person
#: (values of ``contacts.models.Kind``, named here because contacts depends on people).
SUPPORT_CONTACT_KINDS = ("consultation", "carer_training", "information")


def _received_contacts(prefix: str) -> models.Q:
    """Contacts (through ``prefix``) that were support to the adult and took place ("attended":
    ``contacts.Attendance.ATTENDED``, named here because contacts imports this module)."""
    return models.Q(**{f"{prefix}kind__in": SUPPORT_CONTACT_KINDS, f"{prefix}attendance": "attended"})


class RelatedPersonQuerySet(PersonalQuerySet):
    def with_nest(self) -> RelatedPersonQuerySet:
        """What the nest needs per person, in a fixed number of queries however many people:
        who told them about the support, how many consultations and training sessions they
        received (contacts naming them) and their training, newest first."""
        return (
            self.select_related("informed_by")
            .annotate(
                # What they received: consultation, training and information contacts that took
                # place (not booked or cancelled ones), plus training recorded on its own – a
                # training given in one of those contacts is the same event, counted once.
                support_contacts=models.Count("contacts", filter=_received_contacts("contacts__"), distinct=True),
                support_trainings=models.Count(
                    "trainings",
                    filter=models.Q(trainings__contact__isnull=True) | ~_received_contacts("trainings__contact__"),
                    distinct=True,
                ),
            )
            .annotate(support_received=models.F("support_contacts") + models.F("support_trainings"))
            .prefetch_related(
                models.Prefetch(
                    "trainings",
                    queryset=NestTraining.objects.select_related("trainer", "contact").order_by("-given_on", "-pk"),
                )
            )
        )


class RelatedPerson(models.Model):
    """Someone in the nest around the young person: carer, teacher, coach, family… With the young
    person's view of them, whether they were told about the support and trained to respond
    therapeutically, and contact details only with the young person's permission."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="related_people")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=30, choices=RelationshipRole.choices)
    role_other = models.CharField(_("role, if other"), max_length=100, blank=True)
    organisation_name = models.CharField(_("organisation or school"), max_length=200, blank=True)
    has_parental_responsibility = models.BooleanField(_("has parental responsibility"), default=False)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    contact_permitted = models.BooleanField(_("the young person agrees we may contact them"), default=False)
    young_person_view = models.TextField(
        _("how the young person feels about them"),
        blank=True,
        max_length=2000,
        help_text=_("In the young person's own words, if they want to say."),
    )
    informed_on = models.DateField(_("date told about the support"), null=True, blank=True)
    informed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("told about the support by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    text_language = TextLanguageField()  # of the young person's view and the notes (core/text_language.py)
    is_active = models.BooleanField(_("still involved"), default=True)
    #: A recorded restriction on contact with the young person (a court order, a safety plan):
    #: such a person is never invited to the young person's space.
    contact_restricted = models.BooleanField(_("contact with the young person is restricted"), default=False)
    contact_restriction_note = models.TextField(
        _("about the contact restriction"),
        blank=True,
        max_length=2000,
        help_text=_("Why contact is restricted, and on whose decision (for example a court order)."),
    )
    contact_restriction_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    contact_restriction_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    objects = RelatedPersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_active", "role", "name"]
        verbose_name = _("person around the child")
        verbose_name_plural = _("people around the child")

    def __str__(self) -> str:
        return self.name

    @property
    def is_informed(self) -> bool:
        return self.informed_on is not None

    @property
    def latest_training(self) -> NestTraining | None:
        # Uses the list prefetched by ``with_nest`` (newest first) when there is one.
        trainings = self.trainings.all()
        if hasattr(self, "_prefetched_objects_cache") and "trainings" in self._prefetched_objects_cache:
            return trainings[0] if trainings else None
        return trainings.order_by("-given_on", "-pk").first()


class NestTrainingTopic(models.TextChoices):
    TRAUMA_ATTACHMENT = "trauma_attachment", _("Understanding trauma and attachment")
    RESPONDING = "responding", _("Responding therapeutically")
    SAFETY_PLAN = "safety_plan", _("The young person's safety plan")
    OTHER = "other", _("Other")


class NestTrainingQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> NestTrainingQuerySet:
        """Visibility is the child's, through the person trained."""
        return self.filter(related_person__child__in=Child.objects.visible_to(user))


class NestTraining(models.Model):
    """Training a trusted adult received in how to respond therapeutically to the young person.
    Linked to the contact when it was given in one, so it is recorded on both sides."""

    related_person = models.ForeignKey(
        RelatedPerson, verbose_name=_("person trained"), on_delete=models.PROTECT, related_name="trainings"
    )
    topic = models.CharField(_("what the training covered"), max_length=30, choices=NestTrainingTopic.choices)
    #: The Trauma-Informed Wales Framework practice level the training was at (the same levels as
    #: the staff's training, ``workforce.PracticeLevel``). Blank only on rows recorded before it was asked.
    practice_level = models.CharField(
        _("Trauma-Informed Wales practice level"), max_length=20, choices=PracticeLevel.choices, blank=True
    )
    topic_detail = models.CharField(
        _("details"), max_length=300, blank=True, help_text=_("Required if you chose other.")
    )
    given_on = models.DateField(_("date of the training"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by (member of staff)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trainer_name = models.CharField(
        _("given by (someone else)"),
        max_length=200,
        blank=True,
        help_text=_("Name and organisation, if the training was not given by our staff."),
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("recorded contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nest_trainings",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = NestTrainingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("training for a trusted adult")
        verbose_name_plural = _("training for trusted adults")

    def __str__(self) -> str:
        return f"{self.related_person_id} {self.topic} {self.given_on:%Y-%m-%d}"

    @property
    def trained_by(self) -> str:
        return str(self.trainer) if self.trainer_id else self.trainer_name


class CareTeamRole(models.TextChoices):
    LEAD = "lead", _("Lead practitioner")
    PRACTITIONER = "practitioner", _("Practitioner")
    MANAGER = "manager", _("Service manager")
    DUTY = "duty", _("Duty or on-call worker")


class CareTeamQuerySet(PersonalQuerySet):
    def active(self) -> CareTeamQuerySet:
        return self.filter(ended_at__isnull=True)


class CareTeamMembership(models.Model):
    """Membership of a child's care team in the service: the everyday route to a record."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="care_teams"
    )
    role = models.CharField(_("role in the care team"), max_length=20, choices=CareTeamRole.choices)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = CareTeamQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "user__last_name"]
        verbose_name = _("care team membership")
        verbose_name_plural = _("care team memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "user"], condition=models.Q(ended_at__isnull=True), name="one_active_membership"
            ),
            # One lead practitioner per young person at a time: the one who holds the work.
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(ended_at__isnull=True, role="lead"), name="one_lead_per_child"
            ),
        ]
        indexes = [
            # A person's current caseload (home page, team page, the care-team access route):
            # their active memberships only, not every case they ever held.
            models.Index(
                fields=["user", "child"], condition=models.Q(ended_at__isnull=True), name="care_team_active_by_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class BreakGlassQuerySet(models.QuerySet):
    def active(self) -> BreakGlassQuerySet:
        return self.filter(expires_at__gt=timezone.now(), ended_at__isnull=True)

    def whole_record(self) -> BreakGlassQuerySet:
        """Those with the second grant (the whole record), not only the safety plan and contacts."""
        return self.filter(whole_record_at__isnull=False)

    def visible_to(self, user: User) -> BreakGlassQuerySet:
        """A duty worker sees their own; a service manager sees those in their service."""
        if user.is_authenticated and user.is_service_manager and user.organisation_id:
            return self.filter(child__service_id=user.organisation_id)
        if user.is_authenticated:
            return self.filter(user=user)
        return self.none()


class BreakGlassAccess(models.Model):
    """Emergency access by a duty/on-call worker: a stated reason, time-limited, audited, and
    listed for the service manager to review.

    Two tiers (ADR 014): starting it reaches the safety plan and contacts only (and records the
    out-of-hours contact); the rest of the record is a second grant on the same access, asked
    for with its own reason (``whole_record_at``), audited and reviewed as such."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="break_glass")
    reason = models.TextField(_("reason"), max_length=2000)
    # Three texts written at three times, by two people: each carries its own language
    # (core/text_language.py): the reason, the second grant's reason, the manager's review note.
    text_language = TextLanguageField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    #: The second grant: when the worker asked for the whole record, and why (its own reason).
    #: Ends with the access (``expires_at``); empty for an access that stayed on the first tier.
    whole_record_at = models.DateTimeField(_("whole record granted at"), null=True, blank=True)
    whole_record_reason = models.TextField(_("reason for the whole record"), max_length=2000, blank=True)
    whole_record_language = TextLanguageField(verbose_name=_("language of the reason for the whole record"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, max_length=2000)
    review_language = TextLanguageField(verbose_name=_("language of the review note"))
    #: When the service's managers were sent the next-morning report that listed it
    #: (``manage.py report_emergency_access``): each access is reported once.
    reported_at = models.DateTimeField(null=True, blank=True)

    class Repeat(models.TextChoices):
        """Why an access was flagged as a repeat within a day (ADR 013)."""

        SAME_CHILD = "same_child", _("Repeat within a day: the same record again")
        MANY = "many", _("Repeat within a day: many records")

    #: Set when the access was started: the managers were emailed at once and the review page flags it.
    repeat = models.CharField(_("repeat"), max_length=20, choices=Repeat.choices, blank=True, default="")

    objects = BreakGlassQuerySet.as_manager()
    #: Not stored: the review page attaches what was opened through this access
    #: (people.views._attach_pages_opened).
    pages_opened: list[dict[str, Any]]

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")

    def __str__(self) -> str:
        return f"{self.user} → {self.child_id} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()


class MergeRecordQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MergeRecordQuerySet:
        """Visibility is the continuing record's (people.access), never decided again here."""
        return self.filter(keep__in=Child.objects.visible_to(user))


class MergeRecord(models.Model):
    """Two records found to be one child, merged by a service manager (never automatically).

    Both records are kept: ``merged.merged_into`` points at ``keep``, and ``moved`` lists exactly
    which rows were re-pointed from ``merged`` to ``keep`` (``{"app.Model": [ids]}``), so that
    undoing the merge moves exactly those rows back. Rows that could not move because ``keep``
    already had the same (for example the same practitioner in both care teams) stay with
    ``merged`` and are listed in ``left_in_place``."""

    keep = models.ForeignKey(
        Child, verbose_name=_("record kept"), on_delete=models.PROTECT, related_name="merge_records_kept"
    )
    merged = models.ForeignKey(
        Child, verbose_name=_("record merged"), on_delete=models.PROTECT, related_name="merge_records"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("merged by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("merged at"), default=timezone.now)
    reason = models.TextField(_("reason"), max_length=2000)
    moved = models.JSONField(_("rows moved"), default=dict, blank=True)
    left_in_place = models.JSONField(_("rows left in place"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    undo_reason = models.TextField(_("reason for undoing"), blank=True, max_length=2000)

    objects = MergeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("merge of records")
        verbose_name_plural = _("merges of records")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.keep_id} ({self.at:%Y-%m-%d %H:%M})"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
