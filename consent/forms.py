"""Forms for consent decisions, their withdrawal and safeguarding shares.

The forms parse what was typed; the rules themselves live in ``consent.services`` (the same
functions the services enforce), and each form's ``clean`` asks them for every problem at once so
the page explains all of them beside the answers, with everything typed kept.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Profession
from assessments.sections import SECTION_CHOICES
from consent import services
from consent.models import Decider, HowGiven, Item, LawfulBasis, Purpose
from core.forms import GovukDateField, NythForm, reject_markup
from core.text import NameField
from core.text_language import TextLanguageFormMixin
from people.models import Child, RelatedPerson

RECIPIENT_KIND_CHOICES = [
    ("organisation", _("An organisation")),
    ("organisation_type", _("A type of organisation")),
    ("profession", _("A role, for example the young person's teacher")),
]

PERSON_CHOICE = (services.PERSON_KIND, _("A named person in the nest, for support at home"))


class _ConsentBaseForm(NythForm):
    """Every text answer is checked for markup; problems from the domain rules are added to the
    fields they concern (once: a field already in error keeps its own message)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(reject_markup)

    def add_rule_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            target = field if field in self.fields else None
            if target is not None and target in self.errors:
                continue
            for message in messages:
                self.add_error(target, message)


def _what_fields() -> tuple[forms.MultipleChoiceField, forms.MultipleChoiceField]:
    items = forms.MultipleChoiceField(
        label=_("What may be shared?"),
        choices=Item.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick all that apply, or choose named sections of the assessment below."),
    )
    sections = forms.MultipleChoiceField(
        label=_("Named sections of the assessment"),
        choices=SECTION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these sections, when not the whole assessment."),
    )
    return items, sections


class ConsentForm(TextLanguageFormMixin, _ConsentBaseForm):
    items, sections = _what_fields()
    recipient_kind = forms.ChoiceField(
        label=_("Who may it be shared with?"),
        choices=RECIPIENT_KIND_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Choose one, then choose the organisation, the type of organisation or the role below. Only the one you choose is kept."
        ),
    )
    recipient_organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=services.recipient_organisations(),
        required=False,
        empty_label=_("Choose an organisation"),
        help_text=_("If you chose an organisation."),
    )
    recipient_organisation_type = forms.ChoiceField(
        label=_("Type of organisation"),
        choices=(),
        required=False,
        help_text=_("If you chose a type of organisation: everyone in organisations of that type."),
    )
    recipient_profession = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("Choose a role")), *Profession.choices],
        required=False,
        help_text=_("If you chose a role: professionals in that role, in any organisation."),
    )
    recipient_person = forms.ModelChoiceField(
        label=_("Person in the nest"),
        queryset=RelatedPerson.objects.none(),
        required=False,
        empty_label=_("Choose a person"),
        help_text=_("If you chose a named person in the nest: for support at home only, for example their carer."),
    )
    purposes = forms.MultipleChoiceField(
        label=_("For what purposes?"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one purpose")},
        help_text=_(
            "Court proceedings and research allow a copy for that purpose only; they do not open the "
            "assessment to the recipient in Nyth."
        ),
    )
    decider = forms.ChoiceField(
        label=_("Who decided?"),
        choices=Decider.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who decided")},
        help_text=_(
            "Young people aged 16 or 17 are presumed able to decide. Under 16, a young person decides "
            "when they understand enough to (Gillick competence)."
        ),
    )
    decider_name = NameField(
        label=_("Name of the person who decided"),
        required=False,
        max_length=200,
        help_text=_(
            "Needed when the young person did not decide: the person or local authority with parental responsibility."
        ),
    )
    competence_judgement = forms.CharField(
        label=_("Your judgement of the young person's competence to decide"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Needed when the young person decided and is under 16: did they understand what would be "
            "shared, with whom, why, and what could happen?"
        ),
    )
    young_person_views = forms.CharField(
        label=_("The young person's views, in their own words"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _(
                "Enter the young person's views in their own words – always needed, even when someone else decided"
            )
        },
        help_text=_("Always needed, even when someone else decided. Write what they said, as they said it."),
    )
    how_given = forms.ChoiceField(
        label=_("How was consent given?"),
        choices=HowGiven.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how consent was given")},
    )
    given_on = GovukDateField(
        label=_("Date consent was given"),
        past_only=True,
        error_messages={"required": _("Enter the date consent was given")},
        earliest_year=2000,
        help_text=_("For example, 27 3 2026"),
    )
    review_on = GovukDateField(
        label=_("Review date (optional)"),
        required=False,
        earliest_year=2000,
        help_text=_("When to check the decision with the young person again. It does not end the consent."),
    )
    lawful_basis = forms.ChoiceField(
        label=_("Lawful basis for sharing"),
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the lawful basis for sharing")},
        help_text=_("Recorded beside the consent: for a local authority or NHS body it is usually a public task."),
    )
    sharing_protocol = forms.CharField(
        label=_("Information sharing protocol (optional)"),
        required=False,
        max_length=200,
        help_text=_("The WASPI information sharing protocol this sharing comes under, if there is one."),
    )
    refusal_words = forms.CharField(
        label=_("Only if the young person had refused: what they say now, in their own words"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when this consent goes against a refusal they made before. Ask them again."),
    )

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["recipient_organisation"].queryset = services.recipient_organisations()
        self.fields["recipient_organisation_type"].choices = [
            ("", _("Choose a type of organisation")),
            *services.recipient_type_choices(),
        ]
        # A consent (not a refusal) may name a person in this young person's nest: the people
        # still involved (the service checks the person is in the nest, whatever is posted).
        self.fields["recipient_kind"].choices = [*RECIPIENT_KIND_CHOICES, PERSON_CHOICE]
        self.fields["recipient_person"].queryset = child.related_people.filter(is_active=True).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.add_rule_errors(services.consent_errors(child=self.child, values=cast(services.ConsentValues, data)))
        return data


class RefusalForm(TextLanguageFormMixin, _ConsentBaseForm):
    """The young person does not agree to share with someone: a decision of its own."""

    recipient_kind = ConsentForm.base_fields["recipient_kind"]
    recipient_organisation = ConsentForm.base_fields["recipient_organisation"]
    recipient_organisation_type = ConsentForm.base_fields["recipient_organisation_type"]
    recipient_profession = ConsentForm.base_fields["recipient_profession"]
    decider = ConsentForm.base_fields["decider"]
    decider_name = ConsentForm.base_fields["decider_name"]
    young_person_views = forms.CharField(
        label=_("What the young person said, in their own words"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter what the young person said, in their own words")},
        help_text=_("For example: “I don't want the school to know about my family.”"),
    )
    decided_on = GovukDateField(
        label=_("Date of the decision"),
        past_only=True,
        error_messages={"required": _("Enter the date of the decision")},
        earliest_year=2000,
        help_text=_("For example, 27 3 2026"),
    )

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["recipient_kind"].label = _("Who does the young person not agree to share with?")
        self.fields["recipient_organisation"].queryset = services.recipient_organisations()
        self.fields["recipient_organisation_type"].choices = [
            ("", _("Choose a type of organisation")),
            *services.recipient_type_choices(),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.add_rule_errors(services.refusal_errors(child=self.child, values=cast(services.RefusalValues, data)))
        return data


class WithdrawForm(TextLanguageFormMixin, _ConsentBaseForm):
    note = forms.CharField(
        label=_("Note about the withdrawal (optional)"),
        required=False,
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, who told you and when."),
    )
    young_person_words = forms.CharField(
        label=_("What the young person said about it, in their words (optional)"),
        required=False,
        max_length=1400,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SafeguardingShareForm(TextLanguageFormMixin, _ConsentBaseForm):
    text_language_after = "young_person_views"

    recipient_organisation = forms.ModelChoiceField(
        label=_("Organisation to share with"),
        queryset=services.recipient_organisations(),
        empty_label=_("Choose an organisation"),
        error_messages={"required": _("Choose the organisation to share with")},
    )
    items, sections = _what_fields()
    reason = forms.CharField(
        label=_("The risk of significant harm, and why sharing without consent is necessary"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A service manager other than you reads this before anything is shared."),
    )
    young_person_views = forms.CharField(
        label=_("The young person's views, if known (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In their own words, where you know them."),
    )
    expires_on = GovukDateField(
        label=_("Date the share ends"),
        earliest_year=2000,
        error_messages={"required": _("Enter the date the share ends")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient_organisation"].queryset = services.recipient_organisations()
        # Interpolated here, in the language of the request (not once, at import).
        self.fields["reason"].error_messages["required"] = gettext(
            "Explain the risk of significant harm and why sharing without consent is necessary "
            "(at least %(count)s characters)"
        ) % {"count": services.MIN_SAFEGUARDING_REASON}
        self.fields["expires_on"].help_text = gettext(
            "At most %(days)s days from today. Nothing is shared after this date."
        ) % {"days": services.MAX_SAFEGUARDING_DAYS}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.add_rule_errors(services.safeguarding_errors(values=cast(services.SafeguardingShareValues, data)))
        return data


class SafeguardingDecisionForm(TextLanguageFormMixin, _ConsentBaseForm):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("approve", _("Approve sharing without consent")), ("decline", _("Do not approve"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you approve")},
    )
    note = forms.CharField(
        label=_("Your reasons"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Explain your decision")},
    )
