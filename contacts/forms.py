from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact, ContactLanguage
from contacts.services import CONTACT_FIELDS
from core.forms import GovukDateField, NythModelForm
from core.text_language import TextLanguageFormMixin
from people.models import RelatedPerson

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class ContactForm(TextLanguageFormMixin, NythModelForm):
    """Quick recording, but nothing is assumed: an untouched form records nothing. A kind, an
    outcome, a place, a date or a time filled in for the practitioner made one click record "a
    session that took place now, at home" that never happened. Only the language is offered from
    the young person's preference (the Active Offer), and a link may name the kind."""

    text_language_after = "summary"

    date = GovukDateField(
        label=_("Date"),
        help_text=_("For example, 27 3 2026"),
        earliest_year=2000,
        error_messages={"required": _("Enter the date of the contact")},
    )
    time = forms.CharField(
        label=_("Start time"),
        help_text=_("24-hour clock, for example 14:30"),
        max_length=5,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": _("Enter the start time")},
    )
    people = forms.ModelMultipleChoiceField(
        label=_("People around the young person who took part"),
        queryset=RelatedPerson.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Carers, teachers and others: the contact is recorded on their side too."),
    )
    #: The version the form was opened on: a save over someone else's change is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contact
        fields = [name for name in CONTACT_FIELDS if name != "starts_at"]  # starts_at: the date and time below
        widgets = {
            "kind": forms.RadioSelect,
            "attendance": forms.RadioSelect,
            "language": forms.RadioSelect,
            "location": forms.RadioSelect,
            "duration_minutes": forms.NumberInput(attrs={"class": "govuk-input--width-4", "min": 5, "max": 600}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "consultation_with": _("Only for a professional consultation."),
            "summary": _("Brief and factual; write about the young person as if they will read it."),
        }

    def __init__(self, *args: Any, child: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = child.related_people.filter(is_active=True)
        self.fields["duration_minutes"].min_value = 5
        self.fields["duration_minutes"].max_value = 600
        self.fields["duration_minutes"].validators.append(_duration)
        self.fields["consultation_with"].choices = [
            ("", _("Not a consultation")),
            *self.fields["consultation_with"].choices[1:],
        ]
        if self.instance.pk and not self.is_bound:
            when = timezone.localtime(self.instance.starts_at)
            self.initial.update(
                date=when.date(),
                time=when.strftime("%H:%M"),
                version=self.instance.version,
                people=list(self.instance.people.values_list("pk", flat=True)),
            )
        self.fields["kind"].error_messages["required"] = _("Choose the kind of contact")
        self.fields["attendance"].error_messages["required"] = _("Choose what happened")
        self.fields["location"].error_messages["required"] = _("Choose where it took place")
        self.fields["language"].error_messages["required"] = _("Choose the language of the contact")
        # The model's default ("took place") must not preselect the answer on a new contact.
        self.fields["attendance"].initial = None
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault(
                "language", ContactLanguage.WELSH if child.preferred_language == "cy" else ContactLanguage.ENGLISH
            )

    def clean_time(self) -> datetime.time:
        match = _TIME.match(self.cleaned_data.get("time", ""))
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise forms.ValidationError(_("Enter a real time, for example 09:30 or 14:30"))
        return datetime.time(int(match.group(1)), int(match.group(2)))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date") and isinstance(data.get("time"), datetime.time):
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(data["date"], data["time"]))
        return data


def _duration(value: int) -> None:
    if value is not None and not 5 <= value <= 600:
        raise forms.ValidationError(_("Enter a length between 5 and 600 minutes"))
