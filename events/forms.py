from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import GovukDateField, NythForm, NythModelForm
from core.text_language import TextLanguageFormMixin
from events.models import EventKind, SignificantEvent
from people.models import Child, Placement


class PlacementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(type)s, from %(start)s") % {
            "type": obj.get_type_display(),
            "start": obj.start_date.strftime("%d/%m/%Y"),
        }


class EventForm(TextLanguageFormMixin, NythModelForm):
    occurred_on = GovukDateField(label=_("When it happened"), past_only=True, earliest_year=1990)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    class Meta:
        model = SignificantEvent
        fields = ["kind", "occurred_on", "source", "placement", "note"]
        field_classes = {"placement": PlacementChoiceField}
        widgets = {
            "kind": forms.RadioSelect,
            "source": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        kind.choices = EventKind.choices  # no blank "---------" among the radios
        source = self.fields["source"]
        source.choices = [c for c in source.choices if c[0]]
        placement = self.fields["placement"]
        assert isinstance(placement, forms.ModelChoiceField)
        placement.queryset = Placement.objects.filter(child=child).order_by("-start_date", "-pk")
        placement.help_text = _(
            "For a placement breakdown or unplanned move, if the placement is recorded. The move "
            "itself is counted from the placements: record the new placement as usual."
        )
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("key", uuid.uuid4().hex)


class RemoveForm(NythForm):
    reason = forms.CharField(
        label=_("Why is this event being removed?"),
        help_text=_("For example: recorded on the wrong young person's record."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Say why this event is being removed")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PeriodForm(NythForm):
    starts_on = GovukDateField(label=_("From"), past_only=True, earliest_year=1990)
    ends_on = GovukDateField(
        label=_("To"),
        required=False,
        past_only=True,
        earliest_year=1990,
        help_text=_("Leave empty if the service is recording every event from now on."),
    )
    source = forms.CharField(
        label=_("How do you know the recording is complete?"),
        help_text=_("For example: the social worker's chronology, read at referral."),
        max_length=300,
    )
