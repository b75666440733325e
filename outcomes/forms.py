"""Outcome forms. Answers are taken as typed (text) so that a wrong one is shown back exactly
as entered beside its error; ``outcomes.services`` validates and scores them."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import GovukDateField, NythForm, reject_markup
from core.text_language import TextLanguageFormMixin
from outcomes import feedback
from outcomes.models import (
    Answer,
    AppliesTo,
    FeedbackAnswer,
    Instrument,
    NotDoneReason,
    PointKind,
    RatedBy,
    ReliableChangeMethod,
    Scale,
    ScoringMethod,
    Source,
)
from outcomes.parameters import DECIMALS, INTEGERS, ParameterValues, current_values

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The guidance's two questions in Nyth's own words (ours to ship). Welsh answers follow the
#: question's verb (Oes/Nac oes, Ydw/Nac ydw), hence a context per question.
QUESTIONS: dict[str, tuple[Any, list[tuple[str, Any]]]] = {
    "trusted_adult": (
        _("Do you have a good relationship with a trusted adult?"),
        [
            (Answer.YES, pgettext_lazy("trusted adult question", "Yes")),
            (Answer.NOT_SURE, pgettext_lazy("trusted adult question", "Not sure")),
            (Answer.NO, pgettext_lazy("trusted adult question", "No")),
        ],
    ),
    "knows_help": (
        _("Do you know where to go, and feel able to ask, for help with how you feel?"),
        [
            (Answer.YES, pgettext_lazy("knows where to get help question", "Yes")),
            (Answer.NOT_SURE, pgettext_lazy("knows where to get help question", "Not sure")),
            (Answer.NO, pgettext_lazy("knows where to get help question", "No")),
        ],
    ),
}


def _decimal_text(value: Any) -> str:
    """A range end as written on the licensed form ("40", not "40.00"); blank when not set."""
    return f"{value.normalize():f}" if value is not None else ""


def _number(label: StrOrPromise, hint: StrOrPromise = "", width: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=hint, max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": f"govuk-input--width-{width}"}),
    )  # fmt: skip


class SchedulePointForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Which measurement point?"), choices=PointKind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose start, review or end")},
    )  # fmt: skip
    due_on = GovukDateField(label=_("Date due"), help_text=_("For example, 27 3 2026"), earliest_year=2000)


class NotDoneForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why were the measures not done?"), choices=NotDoneReason.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the measures were not done")},
    )  # fmt: skip
    on = GovukDateField(label=_("Date"), help_text=_("For example, 27 3 2026"), earliest_year=2000)


class EntryForm(forms.Form):
    """One page per measurement point: every measure due, each goal of the plan, who completed it."""

    key = forms.CharField(widget=forms.HiddenInput)
    taken_on = GovukDateField(
        label=_("Date the measures were completed"), help_text=_("For example, 27 3 2026"), earliest_year=2000
    )
    source = forms.ChoiceField(
        label=_("Who completed them?"), widget=forms.RadioSelect,
        # The young person's own space records its own source; staff never choose it.
        choices=[c for c in Source.choices if c[0] != Source.YOUNG_PERSON_SPACE],
        error_messages={"required": _("Choose who completed the measures")},
    )  # fmt: skip

    def __init__(self, *args: Any, instruments: list[Instrument], goals: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"key": uuid.uuid4().hex})
        super().__init__(*args, **kwargs)
        self.groups: list[dict[str, Any]] = []
        self.instruments, self.goals = instruments, goals
        for instrument in instruments:
            names: list[str] = []
            code = instrument.code
            if instrument.scoring in (ScoringMethod.SWEMWBS_METRIC, ScoringMethod.RAW_SUM):
                wording = {w.number: w.text for w in instrument.wording.all()}
                for n in range(1, instrument.items + 1):
                    label = wording.get(n) or _("Item %(number)s") % {"number": n}
                    hint = _("From %(low)s to %(high)s") % {
                        "low": instrument.response_min,
                        "high": instrument.response_max,
                    }
                    self.fields[f"{code}_{n}"] = _number(label, hint)
                    names.append(f"{code}_{n}")
                note = (
                    ""
                    if wording
                    else _(
                        "The wording of this measure is licensed and has not been loaded, so it is not shown: enter "
                        "each numbered item's answer from the paper form."
                    )
                )
            elif instrument.scoring == ScoringMethod.QUESTION:
                label, choices = QUESTIONS.get(code, (instrument.name, Answer.choices))
                self.fields[f"{code}_answer"] = forms.ChoiceField(
                    label=label, required=False, choices=choices, widget=forms.RadioSelect
                )
                names.append(f"{code}_answer")
                note = ""
            elif instrument.scoring == ScoringMethod.SCORES_ONLY:
                hint = _("From %(low)s to %(high)s, as scored on the licensed form") % {
                    "low": _decimal_text(instrument.score_min), "high": _decimal_text(instrument.score_max)}  # fmt: skip
                if any(sub.get("in_total") for sub in instrument.subscales or []):
                    hint = _(
                        "From %(low)s to %(high)s, as scored on the licensed form. Leave it blank to have it added "
                        "up from the subscales it is made of"
                    ) % {"low": _decimal_text(instrument.score_min), "high": _decimal_text(instrument.score_max)}
                self.fields[f"{code}_total"] = _number(_("Total"), hint, width=3)
                names.append(f"{code}_total")
                # Subscales as entered from the licensed form: named only, never an item's text.
                for sub in instrument.subscale_list():
                    self.fields[f"{code}_sub_{sub['code']}"] = _number(
                        sub["name"], _("From %(low)s to %(high)s") % {"low": sub["min"], "high": sub["max"]}
                    )
                    names.append(f"{code}_sub_{sub['code']}")
                note = instrument.licence_note
            else:  # Goal Based Outcomes: the plan's goals
                for goal in goals:
                    self.fields[f"goal_{goal.uuid}"] = _number(str(goal.text), _("From 0 to 10"))
                    names.append(f"goal_{goal.uuid}")
                if goals:
                    self.fields["rated_by"] = forms.ChoiceField(
                        label=_("Who rated the goals?"),
                        required=False,
                        choices=RatedBy.choices,
                        widget=forms.RadioSelect,
                    )
                    names.append("rated_by")
                note = "" if goals else _("The plan has no goals to rate yet.")
            self.groups.append({"instrument": instrument, "note": note, "names": names})

    def bound_groups(self) -> list[dict[str, Any]]:
        return [{**g, "fields": [self[name] for name in g["names"]]} for g in self.groups]

    def answers(self) -> dict[str, dict[str, Any]]:
        data = self.data
        out: dict[str, dict[str, Any]] = {}
        for instrument in self.instruments:
            prefix = f"{instrument.code}_"
            out[instrument.code] = {
                name[len(prefix):]: (data.get(name) or "").strip() for name in self.fields if name.startswith(prefix)
            }  # fmt: skip
        return out

    def goal_ratings(self) -> dict[str, str]:
        return {name[5:]: (self.data.get(name) or "").strip() for name in self.fields if name.startswith("goal_")}


def _text(label: StrOrPromise, hint: StrOrPromise = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=hint, validators=[reject_markup],
        widget=forms.Textarea(attrs={"rows": rows}),
    )  # fmt: skip


class ParameterChangeForm(NythForm):
    """Propose new parameter values: prefilled with the current ones. Numbers are taken as typed
    (text) so a wrong one is shown back exactly as entered; ``outcomes.parameters.validate``
    judges the values, beside each field."""

    rc_method = forms.ChoiceField(
        label=_("How is reliable change judged?"), choices=ReliableChangeMethod.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose how reliable change is judged")},
    )  # fmt: skip
    rc_sd = _number(_("Standard deviation"), _("More than 0, for example 3.92"), width=4)
    rc_reliability = _number(_("Reliability"), _("More than 0 and less than 1, for example 0.88"), width=4)
    rc_threshold = _number(_("Fixed threshold"), _("A change of more than this is reliable"), width=4)
    rc_scale = forms.ChoiceField(
        label=_("Scale of the parameters"), required=False, choices=Scale.choices, widget=forms.RadioSelect
    )
    rc_applies_to = forms.ChoiceField(
        label=_("Reliable change applies to"), choices=AppliesTo.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the reliable change applies to")},
    )  # fmt: skip
    rc_population = _text(_("Population the parameters come from"))
    rc_citation = _text(_("Source of the parameters"))
    cutoff = _number(_("Caseness cut-off"), _("Leave blank for none: reliable recovery is then not reported"), 4)
    cutoff_population = _text(_("Population of the cut-off"))
    cutoff_citation = _text(_("Source of the cut-off"))
    age_min = _number(_("Youngest age"), _("Leave blank for no lower limit"))
    age_max = _number(_("Oldest age"), _("Leave blank for no upper limit"))
    age_citation = _text(_("Source of the age range"))
    active = forms.BooleanField(label=_("In use: offered at measurement points"), required=False)
    reason = _text(_("Why should the parameters change?"), _("Another service manager reads this before deciding"))
    citation = _text(_("Source of the new values"), _("The publication or guide the new values come from"))

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        initial = {k: ("" if v is None else (f"{v.normalize():f}" if isinstance(v, Decimal) else v))
                   for k, v in current_values(instrument).items()}  # fmt: skip
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.instrument = instrument

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in DECIMALS:
            text = (data.get(name) or "").strip()
            try:
                data[name] = Decimal(text) if text else None
            except InvalidOperation:
                self.add_error(name, _("Enter a number, for example 3.92"))
            else:
                if data[name] is not None and not data[name].is_finite():
                    self.add_error(name, _("Enter a number, for example 3.92"))
        for name in INTEGERS:
            text = (data.get(name) or "").strip()
            try:
                data[name] = int(text) if text else None
            except ValueError:
                self.add_error(name, _("Enter the age as a whole number of years"))
        return data

    def values(self) -> ParameterValues:
        return ParameterValues(**{k: self.cleaned_data[k] for k in ParameterValues.__annotations__})  # type: ignore[typeddict-item]


class DecisionForm(NythForm):
    note = _text(_("Note on the decision"), _("Needed when you reject the proposal: say why"))


class FeedbackForm(NythForm):
    """The feedback questionnaire in the respondent's wording (``outcomes.feedback.WORDING``).
    Every statement may be left blank; free text is checked for markup. ``named`` adds the date
    the feedback was given (a practitioner recording it); the anonymous form carries a one-time
    key instead (it becomes the answer's random id, ``feedback.new_form_key``)."""

    anything_else = forms.CharField(
        label=feedback.ANYTHING_ELSE, required=False, max_length=feedback.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}), validators=[reject_markup],
    )  # fmt: skip

    def __init__(self, *args: Any, respondent: str, named: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        statements = {
            name: forms.ChoiceField(
                label=label, required=False, choices=FeedbackAnswer.choices, widget=forms.RadioSelect
            )
            for name, label in feedback.statements_for(respondent)
        }
        fields: dict[str, forms.Field] = dict(statements)
        if named:
            fields["given_on"] = GovukDateField(
                label=_("Date the feedback was given"), help_text=_("For example, 27 3 2026"), earliest_year=2000,
                past_only=True,
            )  # fmt: skip
        else:
            fields["key"] = forms.CharField(widget=forms.HiddenInput)
            if not self.is_bound:
                self.initial.setdefault("key", feedback.new_form_key())
        fields["anything_else"] = self.fields.pop("anything_else")
        self.fields = {**fields, **self.fields}

    def answers(self) -> feedback.FeedbackInput:
        data = self.cleaned_data
        return {
            "listened": data.get("listened") or "",
            "could_choose": data.get("could_choose") or "",
            "knew_contact": data.get("knew_contact") or "",
            "good_time": data.get("good_time") or "",
            "would_recommend": data.get("would_recommend") or "",
            "anything_else": data.get("anything_else") or "",
        }


class NamedFeedbackForm(TextLanguageFormMixin, FeedbackForm):
    """The practitioner's form: the date it was given, and the free text's language (ADR 015)."""

    text_language_after = "anything_else"
