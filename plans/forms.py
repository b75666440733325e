from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.models import Voice
from core.forms import GovukDateField, NythForm, NythModelForm, reject_markup
from core.text import name_fields
from core.text_language import TextLanguageFormMixin
from plans.models import Goal, GoalStatus, OptionOffer, Plan, PlanAction, PlanReview, SupportOption
from plans.services import (
    ACTION_FIELDS,
    CHOICE_FIELDS,
    GOAL_FIELDS,
    OPTION_LANGUAGE_FIELDS,
    OPTION_TEXT_FIELDS,
    PLAN_FIELDS,
    REVIEW_FIELDS,
)

_LANGUAGE_LABELS = {
    "in_welsh": _("Welsh"),
    "in_english": _("English"),
    "with_interpreter": _("Other languages, with an interpreter"),
}
_LANGUAGES = [(name, _LANGUAGE_LABELS[name]) for name in OPTION_LANGUAGE_FIELDS]


class SupportOptionForm(NythModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages it can be delivered in"),
        choices=_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language it can be delivered in")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SupportOption
        fields = list(OPTION_TEXT_FIELDS)
        widgets = {
            "kind": forms.RadioSelect,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "description_en",
                    "description_cy",
                    "suits_en",
                    "suits_cy",
                    "adaptations_en",
                    "adaptations_cy",
                    "evidence_en",
                    "evidence_cy",
                )
            },
        }
        help_texts = {
            "name_cy": _("Shown to people using Nyth in Welsh."),
            "description_cy": _("If left empty, people using Nyth in Welsh see the English."),
            "evidence_en": _(
                "One line: the NICE guideline or other evidence, saying only what it says. For example: "
                "See NICE guideline NG26 (children's attachment)."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial.setdefault("languages", [name for name, _label in _LANGUAGES if getattr(self.instance, name)])
        elif not self.is_bound:
            self.initial.setdefault("languages", ["in_welsh", "in_english"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = set(data.get("languages") or [])
        for name, _label in _LANGUAGES:
            data[name] = name in chosen
        return data


class OptionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SupportOption) -> str:
        return str(obj.name)


class OfferForm(NythForm):
    """Offer one or several options at once, as discussed with the young person."""

    options = OptionChoiceField(
        label=_("Options offered"),
        queryset=SupportOption.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every option you talked through with the young person."),
        error_messages={"required": _("Choose at least one option")},
    )
    offered_on = GovukDateField(
        label=_("Date offered"), help_text=_("For example, 27 3 2026"), past_only=True, earliest_year=2000
    )
    how_explained = forms.CharField(
        label=_("How the options were explained or adapted"),
        help_text=OptionOffer._meta.get_field("how_explained").help_text,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
        error_messages={"required": _("Say how the options were explained")},
    )

    def __init__(self, *args: Any, options: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["options"].queryset = options


class ChoiceForm(TextLanguageFormMixin, NythModelForm):
    """The young person's response to one offer, and why, in their words."""

    text_language_after = "reason"

    decided_on = GovukDateField(label=_("Date decided"), required=False, past_only=True, earliest_year=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = OptionOffer
        fields = list(CHOICE_FIELDS)
        widgets = {
            "response": forms.RadioSelect,
            "reason_voice": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["response"].required = True
        self.fields["response"].error_messages["required"] = _("Choose what the young person said")


class PlanForm(TextLanguageFormMixin, NythModelForm):
    text_language_after = "agreement_words"

    next_review_on = GovukDateField(
        label=_("Next review of this plan"), help_text=_("For example, 27 9 2026"), earliest_year=2000
    )
    next_lac_review_on = GovukDateField(
        label=_("Next looked-after child review"),
        required=False,
        earliest_year=2000,
        help_text=_("From the local authority, so the therapeutic need is part of that review."),
    )
    looked_after_since = GovukDateField(
        label=_("Date they became looked after (optional)"),
        required=False,
        past_only=True,
        earliest_year=2000,
        help_text=_("When no review date is known, the statutory review cycle is counted from it."),
    )
    agreement_on = GovukDateField(label=_("Date they said so"), required=False, past_only=True, earliest_year=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Plan
        fields = list(PLAN_FIELDS)
        widgets = {
            "language": forms.RadioSelect,
            "agreement": forms.RadioSelect,
            "agreement_words": forms.Textarea(attrs={"rows": 3}),
        }


def suggest_review_date(field: forms.Field, statutory: Any) -> None:
    """Say, beside a plan review date, the statutory review it should come before."""
    if statutory is None:
        return
    field.help_text = gettext(
        "Suggested: %(suggested)s, before the looked-after child review due on %(due)s, so the therapeutic "
        "need is part of that review."
    ) % {
        "suggested": formats.date_format(statutory.suggested_plan_review, "j F Y"),
        "due": formats.date_format(statutory.due_on, "j F Y"),
    }


class GoalForm(TextLanguageFormMixin, NythModelForm):
    text_language_after = "text"

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Goal
        fields = list(GOAL_FIELDS)
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "voice": forms.RadioSelect,
            "status": forms.RadioSelect,
            "order": forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        }
        help_texts = {
            "text": _("As the young person said it, for example: I want to feel OK going to my new school."),
            "order": _("Goals are listed in this order."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # A new goal is being worked on and goes after the others.
            del self.fields["status"]
            del self.fields["order"]
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("voice", Voice.YOUNG_PERSON)


class ActionForm(TextLanguageFormMixin, NythModelForm):
    text_language_after = "what"

    by_when = GovukDateField(label=_("By when"), required=False, earliest_year=2000)
    done_on = GovukDateField(label=_("Date done"), required=False, past_only=True, earliest_year=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PlanAction
        fields = list(ACTION_FIELDS)
        widgets = {"who": forms.RadioSelect, "what": forms.Textarea(attrs={"rows": 3})}
        field_classes = name_fields("who_name")

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goals = plan.goals.filter(status=GoalStatus.ACTIVE) | plan.goals.filter(pk=self.instance.goal_id or 0)
        self.fields["goal"].queryset = goals.order_by("order", "pk")
        self.fields["goal"].empty_label = _("Not for one goal")
        self.fields["goal"].label_from_instance = lambda goal: goal.text[:80]


class ReviewForm(TextLanguageFormMixin, NythModelForm):
    text_language_after = "changes"

    held_on = GovukDateField(label=_("Date of the review"), past_only=True, earliest_year=2000)
    next_review_on = GovukDateField(label=_("Next review"), help_text=_("For example, 27 9 2026"), earliest_year=2000)

    class Meta:
        model = PlanReview
        fields = list(REVIEW_FIELDS)
        widgets = {
            "participants": forms.Textarea(attrs={"rows": 2}),
            "young_person_view": forms.Textarea(attrs={"rows": 4}),
            "progress": forms.Textarea(attrs={"rows": 4}),
            "changes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "participants": _("For example: Nia, her mum, her youth worker, her teacher and her Nyth practitioner.")
        }
