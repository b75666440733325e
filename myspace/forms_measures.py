"""The young person's form for a measure they complete themselves. It is the practitioner's
entry form (``outcomes.forms.EntryForm``) for that one measure, less what a young person does
not choose (the date: today; who completed it: they did), with each item answered by choosing
a number. It only parses: the scoring rule is ``outcomes.services``'s, once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outcomes.forms import EntryForm
from outcomes.models import Instrument


class SelfReportForm(EntryForm):
    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, instruments=[instrument], goals=[], **kwargs)
        del self.fields["taken_on"], self.fields["source"]
        low, high = instrument.response_min, instrument.response_max
        choices = [(str(n), str(n)) for n in range(low or 0, (high or 0) + 1)]
        for name in self.groups[0]["names"]:
            field = self.fields[name]
            field.widget = forms.RadioSelect(choices=choices, attrs={"class": "govuk-radios--inline"})
            # Every item is needed for a score (the service says so beside each one left out):
            # not "(optional)", though the form leaves the judging to the service.
            field.show_optional = False  # type: ignore[attr-defined]
            field.help_text = _("Choose a number from %(low)s to %(high)s. %(low)s is the least and %(high)s is the most.") % {
                "low": low, "high": high}  # fmt: skip
