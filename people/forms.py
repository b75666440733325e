from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationType, Role, User
from core.forms import GovukDateField, NythForm, NythModelForm, reject_markup
from core.text import IdentifierField, identifier_fields, name_fields
from core.text_language import TextLanguageFormMixin
from people.identifiers import normalise_nhs_number, validate_nhs_number
from people.models import (
    CareTeamRole,
    Child,
    NestTraining,
    NestTrainingTopic,
    Placement,
    PreferredLanguage,
    RelatedPerson,
)
from people.services import (
    CHILD_EDITABLE_FIELDS,
    NEST_TRAINING_FIELDS,
    PLACEMENT_FIELDS,
    REASON_ERROR,
    RELATED_PERSON_FIELDS,
    WHOLE_RECORD_REASON_ERROR,
    reason_has_words,
)


def _local_authorities() -> Any:
    return Organisation.objects.filter(type=OrganisationType.LOCAL_AUTHORITY, is_active=True).order_by("name_en")


class ChildForm(NythModelForm):
    date_of_birth = GovukDateField(label=_("Date of birth"), help_text=_("For example, 27 3 2012"), past_only=True)
    active_offer_date = GovukDateField(
        label=_("Date the Active Offer was made"), required=False, past_only=True, earliest_year=2000
    )
    # Declared here (not from the model) so people can type the spaces of "943 476 5919".
    nhs_number = IdentifierField(
        label=_("NHS number"),
        required=False,
        max_length=20,
        help_text=_("10 digits, for example 943 476 5919. Leave empty if not known."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Child
        fields = list(CHILD_EDITABLE_FIELDS)
        widgets = {
            "legal_status": forms.RadioSelect,
            "preferred_language": forms.RadioSelect,
            "active_offer": forms.RadioSelect,
            "gender": forms.RadioSelect,
            "disability": forms.Textarea(attrs={"rows": 3}),
            "neurodivergence": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {
            **name_fields("given_name", "family_name", "preferred_name", "former_names"),
            **identifier_fields("local_authority_reference", "postcode"),
        }
        help_texts = {
            "postcode": _("Where the child or young person lives now."),
            "disability": _("Only if the young person is happy for it to be recorded. Never required."),
            "neurodivergence": _("For example autism, ADHD or FASD, identified or suspected. Never required."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_local_authority"].queryset = _local_authorities()
        self.fields["responsible_local_authority"].empty_label = _("Choose a local authority")
        self.fields["postcode"].widget.attrs.update({"class": "govuk-input--width-10", "autocomplete": "off"})
        self.fields["ethnicity"].choices = [("", _("Not recorded")), *self.fields["ethnicity"].choices[1:]]

    def clean_nhs_number(self) -> str:
        value = normalise_nhs_number(self.cleaned_data.get("nhs_number", ""))
        validate_nhs_number(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("preferred_language") == PreferredLanguage.OTHER and not data.get("other_language"):
            self.add_error("other_language", _("Enter the young person's preferred language"))
        return data


class RelatedPersonForm(TextLanguageFormMixin, NythModelForm):
    """A person in the nest. Contact details are kept only with the young person's permission:
    typed without it they are refused; when permission is withdrawn they are cleared."""

    text_language_after = "notes"

    informed_on = GovukDateField(
        label=_("Date they were told about the support"),
        required=False,
        past_only=True,
        earliest_year=2000,
        help_text=_("When they were told about the therapeutic support and how it can help. Leave empty if not yet."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RelatedPerson
        fields = list(RELATED_PERSON_FIELDS)
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "young_person_view": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off", "type": "tel"}),
        }
        field_classes = name_fields("name")
        help_texts = {
            "contact_permitted": _("Their phone number and email address are kept only if the young person agrees."),
        }

    def __init__(self, *args: Any, child: Child | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        child = child or (self.instance.child if self.instance.child_id else None)
        staff = User.objects.none()
        if child is not None:
            staff = User.objects.filter(
                organisation_id=child.service_id, role__in=[Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER]
            ).order_by("last_name", "first_name")
            if self.instance.informed_by_id:  # someone who has since left still shows
                staff = staff | User.objects.filter(pk=self.instance.informed_by_id)
        self.fields["informed_by"].queryset = staff.distinct()
        self.fields["informed_by"].empty_label = _("Choose a member of staff")
        #: Set by clean() when the young person withdrew permission and the details were cleared.
        self.contact_details_cleared = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("role") == "other" and not data.get("role_other"):
            self.add_error("role_other", _("Describe this person's role"))
        if data.get("informed_by") and not data.get("informed_on") and "informed_on" not in self.errors:
            self.add_error("informed_on", _("Enter the date they were told about the support"))
        if not data.get("contact_permitted") and (data.get("phone") or data.get("email")):
            if self.instance.pk and self.instance.contact_permitted:
                # Permission withdrawn: the details go, whatever is still in the boxes.
                data["phone"] = ""
                data["email"] = ""
                self.contact_details_cleared = True
            else:
                self.add_error(
                    "contact_permitted",
                    _(
                        "Contact details are kept only if the young person agrees: tick this box if they "
                        "agree, or remove the phone number and email address"
                    ),
                )
        return data


class NestTrainingForm(NythModelForm):
    """Training a trusted adult received: what, when, by whom, and the contact it was given in."""

    given_on = GovukDateField(label=_("Date of the training"), past_only=True, earliest_year=2000)

    class Meta:
        model = NestTraining
        fields = list(NEST_TRAINING_FIELDS)
        widgets = {"topic": forms.RadioSelect, "practice_level": forms.RadioSelect}
        field_classes = name_fields("trainer_name")

    def __init__(self, *args: Any, person: RelatedPerson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = User.objects.filter(
            organisation_id=person.child.service_id,
            role__in=[Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER],
        ).order_by("last_name", "first_name")
        self.fields["trainer"].empty_label = _("Not a member of our staff")
        # Asked of every new training (the model allows blank only for rows from before).
        self.fields["practice_level"].required = True
        self.fields["practice_level"].error_messages["required"] = _("Choose the Trauma-Informed Wales practice level")
        self.fields["practice_level"].help_text = _(
            "The level of the Trauma-Informed Wales Framework the training was at."
        )
        # Only contacts this person took part in: the training is then recorded on both sides.
        self.fields["contact"].queryset = person.contacts.filter(child_id=person.child_id).order_by("-starts_at", "-pk")
        self.fields["contact"].empty_label = _("Not given in a recorded contact")
        self.fields["contact"].label_from_instance = lambda contact: (
            _("%(date)s: %(kind)s")
            % {
                "date": contact.starts_at.strftime("%d/%m/%Y"),
                "kind": contact.get_kind_display(),
            }
        )
        self.fields["contact"].help_text = _("Contacts this person took part in, newest first.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("topic") == NestTrainingTopic.OTHER and not data.get("topic_detail"):
            self.add_error("topic_detail", _("Say what the training covered"))
        if not data.get("trainer") and not data.get("trainer_name"):
            self.add_error("trainer_name", _("Say who gave the training: choose a member of staff or enter a name"))
        return data


def _carers_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Carers at this placement (optional)"),
        queryset=RelatedPerson.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "People in the nest who care for them here. Only a current carer can be invited to the young person's space."
        ),
    )


class PlacementForm(NythModelForm):
    start_date = GovukDateField(label=_("Start date"), past_only=False, earliest_year=1990)
    carers = _carers_field()

    class Meta:
        model = Placement
        fields = list(PLACEMENT_FIELDS)
        widgets = {"type": forms.RadioSelect}

    def __init__(self, *args: Any, child: Child | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if child is not None:
            self.fields["carers"].queryset = child.related_people.filter(is_active=True).order_by("name")
        self.fields["local_authority_area"].queryset = _local_authorities()
        self.fields["local_authority_area"].empty_label = _("Choose a local authority")
        self.fields["local_authority_area"].help_text = _(
            "For a placement outside Wales, choose the responsible local authority and tick the box below."
        )


class CareTeamForm(NythForm):
    user = forms.ModelChoiceField(
        label=_("Member of staff"), queryset=User.objects.none(), empty_label=_("Choose a member of staff")
    )
    role = forms.ChoiceField(label=_("Role in the care team"), choices=CareTeamRole.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            organisation_id=child.service_id,
            is_active=True,
            role__in=[Role.PRACTITIONER, Role.SERVICE_MANAGER, Role.DUTY_WORKER],
        ).order_by("last_name", "first_name")


class WholeRecordForm(TextLanguageFormMixin, NythForm):
    """The second grant of emergency access: the rest of the record, with its own reason."""

    reason = forms.CharField(
        label=_("I need the whole record because…"),
        help_text=_(
            "The safety plan and contacts are open to you now. Say why you need the rest: your manager reviews this as a second grant."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
        error_messages={"required": WHOLE_RECORD_REASON_ERROR},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason_has_words(reason):
            raise forms.ValidationError(WHOLE_RECORD_REASON_ERROR)
        return reason


class BreakGlassForm(TextLanguageFormMixin, NythForm):
    nhs_number = IdentifierField(
        label=_("NHS number"),
        required=False,
        max_length=20,
        help_text=_("Or leave empty and give the local authority reference."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
    )
    la_reference = IdentifierField(label=_("Local authority reference"), required=False, max_length=50)
    date_of_birth = GovukDateField(label=_("Date of birth"), past_only=True)
    reason = forms.CharField(
        label=_("Why do you need emergency access?"),
        help_text=_("Your manager will review this tomorrow. Access ends automatically after a few hours."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": REASON_ERROR},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(reject_markup)

    def clean_nhs_number(self) -> str:
        value = normalise_nhs_number(self.cleaned_data.get("nhs_number", ""))
        validate_nhs_number(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("nhs_number") and not data.get("la_reference") and "nhs_number" not in self.errors:
            self.add_error("nhs_number", _("Enter the NHS number or the local authority reference"))
        # One message for a missing reason or one without words (a missing one is "required" above).
        if "reason" not in self.errors and not reason_has_words(data.get("reason") or ""):
            self.add_error("reason", REASON_ERROR)
        return data


class ReviewForm(TextLanguageFormMixin, NythForm):
    note = forms.CharField(
        label=_("Review note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_markup],
    )


class MergeForm(NythForm):
    keep = forms.ChoiceField(label=_("Which record continues?"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Why are these the same child?"),
        help_text=_("For example: the same NHS number, confirmed with the social worker."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
    )

    def __init__(self, *args: Any, child: Child, other: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (
                "this",
                _("%(name)s, opened %(date)s")
                % {"name": child.display_name, "date": child.created_at.strftime("%d/%m/%Y")},
            ),
            (
                "other",
                _("%(name)s, opened %(date)s")
                % {"name": other.display_name, "date": other.created_at.strftime("%d/%m/%Y")},
            ),
        ]


class UndoMergeForm(NythForm):
    reason = forms.CharField(
        label=_("Why undo this merge?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[reject_markup],
    )


class PlacementCarersForm(NythForm):
    """Who the carers are at a placement (the current one, usually)."""

    carers = _carers_field()

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carers"].queryset = child.related_people.filter(is_active=True).order_by("name")
