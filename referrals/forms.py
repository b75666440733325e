from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core import signing
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Organisation, OrganisationType
from core.forms import GovukDateField, NythForm, NythModelForm, reject_markup
from core.text import IdentifierField, identifier_fields, name_fields
from core.text_language import TextLanguageFormMixin
from people.identifiers import normalise_nhs_number, validate_nhs_number
from referrals.models import (
    LETTER_LANGUAGES,
    RISK_FIELDS,
    DirectoryService,
    InitialConsultation,
    Outcome,
    Referral,
    ReferrerType,
)
from referrals.priority import FACTORS
from referrals.services import CONSULTATION_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RISK_CHOICES = [(name, cast(models.Field, Referral._meta.get_field(name)).verbose_name) for name in RISK_FIELDS]
PUBLIC_REFERRER_TYPES = [
    ReferrerType.FOSTER_CARER,
    ReferrerType.KINSHIP_CARER,
    ReferrerType.ADOPTIVE_PARENT,
    ReferrerType.SPECIAL_GUARDIAN,
    ReferrerType.RESIDENTIAL_WORKER,
    ReferrerType.YOUNG_PERSON,
    ReferrerType.OTHER,
]

CHILD_FIELDS = [
    "given_name",
    "family_name",
    "preferred_name",
    "former_names",
    "date_of_birth",
    "nhs_number",
    "postcode",
    "responsible_local_authority",
    "legal_status",
    "placement_type",
    "placement_out_of_county",
    "preferred_language",
    "active_offer_made",
    "communication_needs",
]
REFERRER_FIELDS = [
    "referrer_type",
    "referrer_name",
    "referrer_organisation",
    "referrer_relationship",
    "referrer_email",
    "referrer_phone",
    "referrer_language",
]
NEEDS_FIELDS = [
    "needs",
    "complex_needs",
    "diagnosis",
    "young_person_views",
    "young_person_knows",
    "young_person_agrees",
    "professionals_involved",
    "consent_to_contact_others",
]
RISK_FORM_FIELDS = ["risks", "risk_notes", "text_language"]


class ReferralForm(TextLanguageFormMixin, NythModelForm):
    """The referral as any professional (or staff for a caller) makes it."""

    date_of_birth = GovukDateField(label=_("Date of birth"), help_text=_("For example, 27 3 2012"), past_only=True)
    nhs_number = IdentifierField(
        label=_("NHS number"),
        required=False,
        max_length=20,
        help_text=_("If you know it. 10 digits, for example 943 476 5919."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
    )
    risks = forms.MultipleChoiceField(
        label=_("Current risks"),
        help_text=_("Select all that apply."),
        choices=RISK_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    sections = (
        (_("The child or young person"), CHILD_FIELDS),
        (_("About you"), REFERRER_FIELDS),
        (_("What is happening"), NEEDS_FIELDS),
        (_("Risks"), RISK_FORM_FIELDS),
    )

    class Meta:
        model = Referral
        fields = [
            f
            for f in CHILD_FIELDS + REFERRER_FIELDS + NEEDS_FIELDS + ["risk_notes"]
            if f not in ("date_of_birth", "nhs_number")
        ]
        widgets = {
            "legal_status": forms.RadioSelect,
            "preferred_language": forms.RadioSelect,
            "referrer_language": forms.RadioSelect,
            "young_person_knows": forms.RadioSelect,
            "young_person_agrees": forms.RadioSelect,
            "needs": forms.Textarea(attrs={"rows": 6}),
            "young_person_views": forms.Textarea(attrs={"rows": 4}),
            "professionals_involved": forms.Textarea(attrs={"rows": 3}),
            "communication_needs": forms.Textarea(attrs={"rows": 3}),
            "risk_notes": forms.Textarea(attrs={"rows": 3}),
        }
        # The CSV import cleans its cells with these fields too (referrals.importer.RowValidator).
        field_classes = {
            **name_fields("given_name", "family_name", "preferred_name", "former_names", "referrer_name"),
            **identifier_fields("postcode"),
            # The model allows "not yet judged" (None: public referrals); a professional's form is
            # a plain checkbox, ticked or not.
            "complex_needs": forms.BooleanField,
        }
        help_texts = {
            "needs": _("In your own words. A diagnosis is never needed."),
            "young_person_views": _("Their own words if you can: what they want help with, and how."),
            "postcode": _("Where the child or young person lives now."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        authorities = Organisation.objects.filter(type=OrganisationType.LOCAL_AUTHORITY, is_active=True).order_by(
            "name_en"
        )
        self.fields["responsible_local_authority"].queryset = authorities
        self.fields["responsible_local_authority"].empty_label = _("Not known")
        self.fields["placement_type"].choices = [
            ("", _("Not known or not placed")),
            *[c for c in self.fields["placement_type"].choices if c[0]],
        ]
        self.fields["postcode"].widget.attrs["class"] = "govuk-input--width-10"
        self.fields["postcode"].widget.attrs["autocomplete"] = "off"
        if not self.is_bound and not self.initial.get("risks") and self.instance.pk:
            self.initial["risks"] = [name for name in RISK_FIELDS if getattr(self.instance, name)]
        if self.instance.pk is None:
            # A new referral says only what the referrer said: the model's defaults (complex
            # needs, +15 priority points; English) are for the CSV import's empty cells, never a
            # pre-ticked box or a pre-chosen language on a form.
            for name in ("complex_needs", "preferred_language", "referrer_language"):
                if name in self.fields:
                    self.fields[name].initial = None

    def grouped(self) -> list[tuple[StrOrPromise, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.sections]

    def clean_nhs_number(self) -> str:
        value = normalise_nhs_number(self.cleaned_data.get("nhs_number", ""))
        validate_nhs_number(value)
        return value

    def referral_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("risks", "website", "started")}
        for name in RISK_FIELDS:
            data[name] = name in self.cleaned_data.get("risks", [])
        return data


class PublicReferralForm(ReferralForm):
    """For carers and young people, without an account. A hidden honeypot field and a minimum
    time to fill the form keep robots out without any third-party service."""

    website = forms.CharField(required=False, label=_("Leave this empty"))
    started = forms.CharField(widget=forms.HiddenInput)

    MINIMUM_SECONDS = 3

    sections = (
        (
            _("The child or young person"),
            [
                f
                for f in CHILD_FIELDS
                if f not in ("nhs_number", "placement_type", "placement_out_of_county", "active_offer_made")
            ],
        ),
        (_("About you"), REFERRER_FIELDS),
        (
            _("What is happening"),
            ["needs", "young_person_views", "young_person_knows", "young_person_agrees", "consent_to_contact_others"],
        ),
        (_("Risks"), RISK_FORM_FIELDS),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (
            "nhs_number",
            "placement_type",
            "placement_out_of_county",
            "active_offer_made",
            "diagnosis",
            "professionals_involved",
            "complex_needs",
            "referrer_organisation",
        ):
            self.fields.pop(name, None)
        self.fields["referrer_type"].choices = [
            c for c in self.fields["referrer_type"].choices if c[0] in PUBLIC_REFERRER_TYPES
        ]
        self.fields["referrer_email"].required = False
        self.fields["referrer_email"].help_text = _("So we can tell you what happens next. Or give a phone number.")

    @staticmethod
    def new_started_token() -> str:
        # The random part makes every opened form's token unique (it is used once, see
        # referrals.services.submit_public_referral).
        return signing.dumps({"t": timezone.now().timestamp(), "n": secrets.token_hex(8)}, salt="public-referral")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("This form could not be sent. Please try again."), code="spam")
        try:
            started = signing.loads(data.get("started", ""), salt="public-referral", max_age=6 * 3600)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form has expired. Please check your answers and send it again."), code="expired"
            ) from None
        if isinstance(started, dict):
            started = started.get("t", 0)
        if timezone.now().timestamp() - float(started) < self.MINIMUM_SECONDS:
            raise forms.ValidationError(_("This form could not be sent. Please try again."), code="spam")
        if not data.get("referrer_email") and not data.get("referrer_phone"):
            self.add_error("referrer_email", _("Give an email address or a phone number so we can reply"))
        return data

    def referral_data(self) -> dict[str, Any]:
        data = super().referral_data()
        # Carers and young people describe the needs; complexity is judged at triage, so it is
        # recorded as not yet judged (no priority points, "not stated" on the eligibility check)
        # rather than as complex for every public referral.
        data["complex_needs"] = None
        return data


class LinkChildForm(NythForm):
    """The match page's choice: an existing record (its id) or "new". Which records may be chosen
    is the view's scope (``visible_to``), not this form's."""

    child = forms.CharField(
        max_length=20, error_messages={"required": _("Choose the record that is this child, or open a new record")}
    )
    responsible_local_authority = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(type=OrganisationType.LOCAL_AUTHORITY), required=False
    )


class DecisionForm(NythForm):
    """The outcome, then only what that outcome needs: each outcome's fields sit in its GOV.UK
    conditional reveal (decide.html). Without JavaScript every field is shown, so the fields of
    the outcomes not chosen are ignored here, never refused."""

    #: The fields each outcome reveals. They are required when that outcome is chosen (so no
    #: "(optional)" beside them), except those listed in OPTIONAL.
    REVEALS: dict[str, tuple[str, ...]] = {
        Outcome.CONSULTATION: ("consultation_advice",),
        Outcome.REDIRECTED: ("directory_service", "handover_contact", "handover_contacted_on", "handover_notes"),
    }
    OPTIONAL = ("handover_notes",)

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision")},
    )
    consultation_advice = forms.CharField(
        label=_("Advice given to the referrer"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
        error_messages={"required": _("Record the advice given to the referrer")},
    )
    directory_service = forms.ModelChoiceField(
        label=_("Service handed on to"),
        queryset=DirectoryService.objects.none(),
        empty_label=_("Choose a service"),
        error_messages={"required": _("Choose the service the referral is handed on to")},
    )
    handover_contact = forms.CharField(
        label=_("Who you contacted there"),
        max_length=200,
        validators=[reject_markup],
        error_messages={"required": _("Say who you contacted at that service")},
    )
    handover_contacted_on = GovukDateField(
        label=_("When you contacted them"),
        past_only=True,
        earliest_year=2000,
        error_messages={"required": _("Say when you contacted them")},
    )
    handover_notes = forms.CharField(
        label=_("What was agreed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_markup],
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
        error_messages={"required": _("Give the reason for the decision")},
    )
    reason_language = forms.ChoiceField(
        label=_("Which language did you write in?"),
        choices=LETTER_LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the language you wrote in")},
    )

    def __init__(self, *args: Any, letter_language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["directory_service"].queryset = DirectoryService.objects.active()
        self.letter_language = letter_language
        if letter_language == "cy":
            self.fields["reason_language"].help_text = _(
                "The reason and any advice go into the letter as you write them. Written in English, the letter says so."
            )
        else:
            self.fields["reason_language"].help_text = _(
                "The reason and any advice go into the letter as you write them. Written in Welsh, the letter says so."
            )

    def revealed(self, outcome: str) -> list[forms.BoundField]:
        return [self[name] for name in self.REVEALS.get(outcome, ())]

    def outcome_options(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """Each outcome radio with the fields it reveals, for decide.html."""
        return [(option, self.revealed(option.data["value"])) for option in self["outcome"].subwidgets]

    def full_clean(self) -> None:
        chosen = self.data.get("outcome") if self.is_bound else None
        others = [name for outcome, names in self.REVEALS.items() if outcome != chosen for name in names]
        for name in others:
            self.fields[name].required = False
        try:
            super().full_clean()
        finally:
            # Shown as required (the label has no "(optional)") under their own outcome.
            for names in self.REVEALS.values():
                for name in names:
                    self.fields[name].required = name not in self.OPTIONAL
        if self.is_bound and hasattr(self, "cleaned_data"):
            for name in others:
                self.errors.pop(name, None)
                self.cleaned_data.pop(name, None)


class PriorityAdjustmentForm(TextLanguageFormMixin, NythForm):
    points = forms.IntegerField(
        label=_("Adjustment in points"),
        min_value=-100,
        max_value=100,
        help_text=_("Positive moves the referral up the list, negative down. 0 removes the adjustment."),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_markup],
    )


class PractitionerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        caseload = getattr(obj, "caseload", 0)
        count = ngettext("%(count)d young person now", "%(count)d young people now", caseload) % {"count": caseload}
        return f"{obj.get_full_name() or obj.username} – {count}"


class AllocationForm(NythForm):
    """Choose the practitioner; each choice shows their current caseload."""

    practitioner = PractitionerChoiceField(
        label=_("Practitioner"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose a practitioner"), "invalid_choice": _("Choose a practitioner")},
    )

    def __init__(self, *args: Any, practitioners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from accounts.models import User

        field = self.fields["practitioner"]
        field.queryset = User.objects.filter(pk__in=[p.pk for p in practitioners])
        # Keep the annotated objects (with their caseloads) and their order for the labels.
        by_pk = {p.pk: p for p in practitioners}
        field.choices = [(p.pk, field.label_from_instance(by_pk[p.pk])) for p in practitioners]


class InitialConsultationForm(TextLanguageFormMixin, NythModelForm):
    held_on = GovukDateField(label=_("Date held"), past_only=True, earliest_year=2000)

    class Meta:
        model = InitialConsultation
        fields = list(CONSULTATION_FIELDS)
        widgets = {
            "participants": forms.Textarea(attrs={"rows": 2}),
            "best_placed_to_help": forms.Textarea(attrs={"rows": 3}),
            "can_start_now": forms.Textarea(attrs={"rows": 3}),
        }


class WeightsForm(NythForm):
    band_high = forms.IntegerField(label=_("High band starts at (points)"), min_value=1, max_value=1000)
    band_medium = forms.IntegerField(label=_("Medium band starts at (points)"), min_value=0, max_value=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (_default, label) in FACTORS.items():
            self.fields[f"w_{name}"] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=100,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
            )
        self.order_fields([f"w_{name}" for name in FACTORS] + ["band_high", "band_medium"])


class DirectoryServiceForm(NythModelForm):
    # A web address typed without a scheme is taken as https (Django 6's default).
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = DirectoryService
        fields = [
            "name_en",
            "name_cy",
            "offer_en",
            "offer_cy",
            "min_age",
            "max_age",
            "areas",
            "welsh_provision",
            "referral_route_en",
            "referral_route_cy",
            "out_of_hours",
            "phone",
            "email",
            "website",
            "is_active",
        ]
        widgets = {
            "welsh_provision": forms.RadioSelect,
            "areas": forms.CheckboxSelectMultiple,
            "offer_en": forms.Textarea(attrs={"rows": 3}),
            "offer_cy": forms.Textarea(attrs={"rows": 3}),
            "referral_route_en": forms.Textarea(attrs={"rows": 2}),
            "referral_route_cy": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("min_age") is not None and data.get("max_age") is not None and data["min_age"] > data["max_age"]:
            self.add_error("max_age", _("The oldest age must not be below the youngest age"))
        return data
