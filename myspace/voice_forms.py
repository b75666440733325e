"""The forms of the young person's voice. The length and markup rules are the service's
(``myspace.voice``), shown beside the field with ``add_service_errors``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import NythForm
from core.text_language import TextLanguageFormMixin
from myspace.models import Feeling


class CheckInForm(TextLanguageFormMixin, NythForm):
    feeling = forms.TypedChoiceField(
        label=_("How are you feeling today?"),
        # Each point of the face scale is a word, read aloud by a screen reader, never a face alone.
        choices=[(value, label) for value, label in reversed(Feeling.choices)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you are feeling")},
    )
    note = forms.CharField(
        label=_("Anything you want to say (you do not have to)"),
        help_text=_("Your worker will read it. Up to 2,000 characters."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        strip=False,
    )
    text_language_after = "note"


class ReviewNoteForm(TextLanguageFormMixin, NythForm):
    text = forms.CharField(
        label=_("What do you want to say at your next review?"),
        help_text=_(
            "For example what is going well, what is hard, or what you want to change. Up to 2,000 characters."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        strip=False,
        error_messages={"required": _("Write what you want to say at your review")},
    )
    text_language_after = "text"


class PickUpForm(TextLanguageFormMixin, NythForm):
    what_was_done = forms.CharField(
        label=_("What was done"),
        help_text=_("For example: rang them back, visited, passed to the emergency duty team."),
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=False,
        error_messages={"required": _("Say what was done")},
    )
    text_language_after = "what_was_done"


class ReplyForm(TextLanguageFormMixin, NythForm):
    """Marking something from their space read, with a short answer they see (optional). The
    length and markup rules are the inbox's (``myspace.inbox.clean_reply``), so what was typed is
    kept beside the error."""

    reply = forms.CharField(
        label=_("Your reply to them"),
        help_text=_("They will see it with your first name. Up to 1,000 characters."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        strip=False,
    )
    text_language_after = "reply"
