"""Forms for the holistic assessment pages. They only parse what was typed; who may do what is
decided in ``assessments.access`` and enforced in ``assessments.services``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assessments.models import Voice
from assessments.sections import Section
from core.forms import NythForm, reject_markup
from core.text_language import TextLanguageFormMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SectionForm(TextLanguageFormMixin, NythForm):
    """One section: its text, whose words they are, and the version the writer started from."""

    text = forms.CharField(
        label=_("Text of this section"),
        max_length=20000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 14}),
        validators=[reject_markup],
        error_messages={"required": _("Write something in the section before saving.")},
    )
    voice = forms.ChoiceField(
        label=_("Whose words are these?"),
        choices=Voice.choices,
        initial=Voice.PROFESSIONAL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whose words these are.")},
    )
    #: The section's version number when the page was opened (0 if unwritten): a save based on
    #: an older version is refused (StaleSectionError), never silently merged.
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, section: Section, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = section.hint


def _member_label(user: User) -> str:
    detail = user.get_profession_display() if user.profession else (user.job_title or user.get_role_display())
    return f"{user.get_full_name() or user.username} ({detail})" if detail else (user.get_full_name() or user.username)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _member_label(obj)


class RestrictForm(TextLanguageFormMixin, NythForm):
    allowed = PeopleChoiceField(
        label=_("Who else may read this section?"),
        help_text=_(
            "You will always be able to read it. Everyone not chosen here, including the rest of the care team, will see only that something is restricted."
        ),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Why does this section need to be restricted?"),
        help_text=_(
            "For example: a disclosure the young person asked to be known only by the people working with them on it."
        ),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_markup],
        error_messages={"required": _("Give the reason for restricting this section.")},
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allowed"].queryset = people


class CompareForm(NythForm):
    """Two assessment-wide versions to compare, read from the query string (``from``, ``to``).
    ``from`` is a Python keyword, so the fields are added by name."""

    def __init__(self, *args: Any, latest: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.latest = latest
        messages: dict[str, StrOrPromise] = {
            "required": _("Enter a version number"),
            "invalid": _("Enter the version as a whole number, for example 3"),
            "min_value": _("Enter a version from 0 to %(latest)s") % {"latest": latest},
            "max_value": _("Enter a version from 0 to %(latest)s") % {"latest": latest},
        }
        self.fields["from"] = forms.IntegerField(
            label=_("Earlier version"),
            min_value=0,
            max_value=latest,
            error_messages=messages,
            widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
        )
        self.fields["to"] = forms.IntegerField(
            label=_("Later version"),
            min_value=0,
            max_value=latest,
            error_messages=messages,
            widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        earlier, later = data.get("from"), data.get("to")
        if earlier is not None and later is not None and earlier >= later:
            self.add_error("from", _("The earlier version must be a smaller number than the later version"))
        return data
