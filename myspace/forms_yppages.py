"""Forms of the young person's own pages. They only parse: the rules (a rating from 0 to 10, a
request's length) are the services' (``outcomes.services.rate_goal``, ``myspace.yppages``), so
there is one copy of each."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import NythForm, NythModelForm, reject_markup
from myspace.models import HelpLine


class GoalRatingForm(NythForm):
    #: Text, not a number field: what was typed ("eleven", "12") is kept beside the error, and the
    #: range is checked once, by the service.
    value = forms.CharField(
        label=_("Your score from 0 to 10"),
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-2"}),
        error_messages={"required": _("Enter a score from 0 to 10")},
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RequestForm(NythForm):
    text = forms.CharField(
        label=_("What would you like?"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-textarea"}),
        validators=[reject_markup],
        error_messages={"required": _("Write what you would like")},
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class HelpLineForm(NythModelForm):
    # A web address typed without a scheme is taken as https (Django 6's default).
    citation = forms.URLField(
        label=_("where the numbers come from"),
        help_text=_("The page on the organisation's own website that gives these numbers."),
        assume_scheme="https",
        max_length=200,
    )

    class Meta:
        model = HelpLine
        fields = [
            "name_en", "name_cy", "what_en", "what_cy", "phone", "welsh_phone", "text_number", "citation", "order",
            "is_active",
        ]  # fmt: skip
