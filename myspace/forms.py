from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from core.forms import GovukDateField, NythForm


class AcceptForm(NythForm):
    """The young person's choice of user name, password and language. The user name is asked
    only for a first invitation (a re-invitation keeps the account's)."""

    username = forms.CharField(
        label=_("Choose a user name"),
        help_text=_("You will use it to sign in. It does not have to be your real name."),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}),
        error_messages={"required": _("Choose a user name")},
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        help_text=_("At least 12 characters. Nobody else will know it, not even your worker."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        error_messages={"required": _("Choose a password")},
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        error_messages={"required": _("Enter the password again")},
    )
    language = forms.ChoiceField(
        label=_("Which language do you want to use?"),
        choices=Language.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a language")},
    )

    def __init__(self, *args: Any, reinvite: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reinvite:
            del self.fields["username"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match"))
        return data


class WordsForm(NythForm):
    """What the young person wants to add, in their own words (always optional)."""

    words = forms.CharField(
        label=_("Anything you want to say (you do not have to)"),
        required=False,
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Write 1,500 characters or fewer")},
    )


class WithholdForm(NythForm):
    reason = forms.CharField(
        label=_("Why should they not see this yet?"),
        help_text=_("Only staff read this. It is kept in the audit trail."),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why they should not see this yet")},
    )
    review_on = GovukDateField(
        label=_("Review date"),
        help_text=_("From this date they see it again, unless a manager renews this."),
        error_messages={"required": _("Enter the review date")},
    )


class InviteForm(NythForm):
    """The invitation may also be emailed to an address the young person (or carer) gives the
    practitioner there and then. Kept only until the email is sent (myspace.invitations)."""

    email = forms.EmailField(
        label=_("Email the link to them too (optional)"),
        help_text=_(
            "Only an address they give you now, that only they read. It is kept until the email is sent, then deleted."
        ),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"invalid": _("Enter an email address in the correct format, like name@example.org")},
    )
    email_language = forms.ChoiceField(
        label=_("Language of the email"),
        help_text=_("The email is in both languages: this one first."),
        choices=Language.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("email") and not data.get("email_language"):
            self.add_error("email_language", _("Choose the language of the email"))
        return data


class NotifyForm(NythForm):
    """ "Email me when there is something new": the address is needed only to turn it on."""

    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We only send an email to say there is something new. It never says what."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
        },
    )


class KeepAccessForm(NythForm):
    """A manager keeps a space account after a review: why, and when to look again."""

    why = forms.CharField(
        label=_("Why do they keep their access?"),
        help_text=_("For example: still in touch with their worker while they settle in a new job."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why they keep their access, in a sentence")},
    )
    next_review_on = GovukDateField(
        label=_("Next review"),
        help_text=_("Within a year. They are prompted again on this date."),
        error_messages={"required": _("Enter the next review date")},
    )
