"""The manager's form for one on-call shift. It only parses (GOV.UK date boxes and a 24-hour
time); the rules – who may be on call, the end after the start, no overlap – are
``myspace.rota``'s, so there is one copy of each."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import GovukDateField, NythForm
from myspace.models import OnCallShift

_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def _time_field(label: Any, required: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=_("24-hour clock, for example 17:00"),
        max_length=5,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": required},
    )


class ShiftForm(NythForm):
    user = forms.ModelChoiceField(
        label=_("Who is on call"),
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who is on call"), "invalid_choice": _("Choose who is on call")},
    )
    start_date = GovukDateField(label=_("From (date)"), help_text=_("For example, 27 3 2026"), earliest_year=2000)
    start_time = _time_field(_("From (time)"), _("Enter the time the shift starts"))
    end_date = GovukDateField(label=_("To (date)"), help_text=_("For example, 28 3 2026"), earliest_year=2000)
    end_time = _time_field(_("To (time)"), _("Enter the time the shift ends"))
    #: The version the form was opened on: a save over someone else's change is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, staff: Any, shift: OnCallShift | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff
        self.fields["user"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.fields["start_date"].error_messages["required"] = _("Enter the date the shift starts")
        self.fields["end_date"].error_messages["required"] = _("Enter the date the shift ends")
        if shift is not None and not self.is_bound:
            starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
            self.initial.update(
                user=shift.user_id,
                start_date=starts.date(),
                start_time=starts.strftime("%H:%M"),
                end_date=ends.date(),
                end_time=ends.strftime("%H:%M"),
                version=shift.version,
            )

    @staticmethod
    def _time(value: str) -> datetime.time:
        match = _TIME.match(value or "")
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise forms.ValidationError(_("Enter a real time, for example 09:30 or 14:30"))
        return datetime.time(int(match.group(1)), int(match.group(2)))

    def clean_start_time(self) -> datetime.time:
        return self._time(self.cleaned_data.get("start_time", ""))

    def clean_end_time(self) -> datetime.time:
        return self._time(self.cleaned_data.get("end_time", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for side in ("start", "end"):
            day, time = data.get(f"{side}_date"), data.get(f"{side}_time")
            if isinstance(day, datetime.date) and isinstance(time, datetime.time):
                data[f"{side}s_at"] = timezone.make_aware(datetime.datetime.combine(day, time))
        return data


class RemoveShiftForm(NythForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
