from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import SPACE_ROLES, Language, Organisation, User
from accounts.services import ACCOUNT_FIELDS, NEW_ACCOUNT_FIELDS
from core.forms import NythForm, TypedFormMixin
from core.text import NameField, name_fields


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Enter a correct user name and password. After several wrong attempts the account is locked for a while."
        ),
        "inactive": _("This account is not active. Speak to your administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].label = _("Password")
        # A language chosen here wins and is saved on the account. Nothing is pre-selected (GOV.UK
        # radios guidance, and so that signing in on a page in the other language does not
        # silently change the account's language): left alone, the account's language applies.
        self.fields["language"] = forms.ChoiceField(
            label=_("Language for Nyth (optional)"),
            help_text=_("Leave this to keep the language saved on your account."),
            choices=Language.choices,
            widget=forms.RadioSelect,
            required=False,
        )


class LanguageForm(NythForm):
    """The account's language, changed only by this form's POST (the header links store nothing)."""

    preferred_language = forms.ChoiceField(
        label=_("Language for Nyth"), choices=Language.choices, widget=forms.RadioSelect
    )


class TokenForm(NythForm):
    token = forms.CharField(
        label=_("Security code"),
        help_text=_("The 6-digit code from your authenticator app."),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "govuk-input--width-5"}
        ),
        error_messages={"required": _("Enter the security code from your authenticator app")},
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("The security code must be 6 digits"))
        return token


class UserDetailsForm(TypedFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = list(ACCOUNT_FIELDS)
        widgets = {"role": forms.RadioSelect, "preferred_language": forms.RadioSelect}
        field_classes = name_fields("first_name", "last_name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email", "organisation", "role"):
            self.fields[name].required = True
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("type", "name_en")
        self.fields["organisation"].empty_label = _("Choose an organisation")
        # Staff roles only: a young person's or carer's account comes from an invitation.
        self.fields["role"].choices = [c for c in self.fields["role"].choices if c[0] and c[0] not in SPACE_ROLES]
        self.fields["is_active"].label = _("Account is active (can sign in)")


class NewUserForm(UserDetailsForm):
    """No password: only the holder sets one, with the enrolment code (ADR 009)."""

    username = NameField(label=_("User name"), max_length=150)

    field_order = list(NEW_ACCOUNT_FIELDS)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is already taken"))
        return username


def _code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Enrolment code"),
        help_text=_("The code you were emailed or given, for example ABCD-EFGH-JKMN."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-10"}),
        error_messages={"required": _("Enter your enrolment code")},
    )


class EnrolmentCodeForm(NythForm):
    code = _code_field()


class EnrolForm(NythForm):
    """First sign-in of an account that has no password yet: the code, then a password only
    the holder knows (Django's validators)."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={"required": _("Enter your user name")},
    )
    code = _code_field()
    password1 = forms.CharField(
        label=_("Choose a password"),
        help_text=_("At least 12 characters. Nobody else will know it."),
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

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match"))
        elif first:
            try:
                password_validation.validate_password(first, User(username=data.get("username", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ApproveForm(NythForm):
    delivery = forms.ChoiceField(
        label=_("How should the person get their enrolment code?"),
        choices=[
            ("email", _("Email it to their own address")),
            ("shown", _("Show it to me once, to hand over in person")),
        ],
        initial="email",
        widget=forms.RadioSelect,
        required=False,
    )


class RefuseForm(NythForm):
    reason = forms.CharField(
        label=_("Why are you refusing this request?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter why you are refusing this request")},
    )


class SharedPhoneForm(NythForm):
    """Asked before a passkey is made (ADR 020): a passkey lets whoever can unlock the phone pass
    the second step, so someone else who uses or manages it could get in too."""

    shared = forms.ChoiceField(
        label=_("Does anyone else use this phone, or manage it for you?"),
        help_text=_("For example, a parent or carer who knows how to unlock it, or who set it up."),
        choices=[("no", _("No, only I use it")), ("yes", _("Yes, or I am not sure"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether anyone else uses or manages this phone")},
    )
