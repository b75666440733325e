"""The self-assessment's forms: GOV.UK markup through the project's renderer; rules stay in
``services.py`` (the forms check shapes: a date, a level offered, links that are web addresses)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.forms import GovukDateField, NythForm, NythModelForm, reject_markup
from selfassess.access import owners_for
from selfassess.models import Action, ActionStatus, Domain, Level, Rating, Round
from selfassess.services import RatingValues, parse_links


class StartRoundForm(NythForm):
    assessed_on = GovukDateField(label=_("Date of the self-assessment"), past_only=True, earliest_year=2020)
    carry_over = forms.TypedMultipleChoiceField(
        label=_("Open actions to carry over (optional)"),
        help_text=_(
            "Actions of the last completed self-assessment that are not done. Each one you choose is "
            "copied into the new action plan, with a link back to where it came from."
        ),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, offered: Iterable[Action] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(action.pk, _action_choice(action)) for action in offered]
        if choices:
            self.fields["carry_over"].choices = choices
        else:
            del self.fields["carry_over"]


def _action_choice(action: Action) -> str:
    owner = action.owner.get_full_name() or action.owner.get_username()
    return str(
        _("%(action)s – %(owner)s, due %(due)s, %(status)s")
        % {
            "action": action.text[:200],
            "owner": owner,
            "due": date_format(action.due_on, "j F Y"),
            "status": action.get_status_display().lower(),
        }
    )


class VersionForm(NythForm):
    """A form whose only answer is the version the page was opened at (completing a round)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class LinksField(forms.CharField):
    def to_python(self, value: Any) -> Any:
        return super().to_python(value) or ""

    def clean(self, value: Any) -> list[str]:  # a list of links, not the text
        text = super().clean(value)
        return parse_links(text)


class RatingsForm(NythForm):
    """One level, evidence and links per statement of the round, grouped by domain on the page."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ratings: list[Rating], levels: list[Level], **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        for rating in ratings:
            initial.setdefault(f"level_{rating.statement_id}", rating.level_id)
            initial.setdefault(f"evidence_{rating.statement_id}", rating.evidence)
            initial.setdefault(f"links_{rating.statement_id}", "\n".join(rating.links))
        super().__init__(*args, **kwargs)
        self.ratings = ratings
        self.levels = {level.pk: level for level in levels}
        choices = [(level.pk, f"{level.value}. {level.name} – {level.description}") for level in levels]
        for rating in ratings:
            sid = rating.statement_id
            self.fields[f"level_{sid}"] = forms.TypedChoiceField(
                label=_("Level"),
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"evidence_{sid}"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
                validators=[reject_markup],
            )
            self.fields[f"links_{sid}"] = LinksField(
                label=_("Links to evidence (optional)"),
                help_text=_("One web address a line, starting https://"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def groups(self) -> Iterable[tuple[Domain, list[tuple[Rating, Any, Any, Any]]]]:
        """(domain, [(rating, level field, evidence field, links field), …]) in framework order."""
        current: Domain | None = None
        rows: list[tuple[Rating, Any, Any, Any]] = []
        for rating in self.ratings:
            domain = rating.statement.domain
            if current is not None and domain.pk != current.pk:
                yield current, rows
                rows = []
            current = domain
            sid = rating.statement_id
            rows.append((rating, self[f"level_{sid}"], self[f"evidence_{sid}"], self[f"links_{sid}"]))
        if current is not None:
            yield current, rows

    def values(self) -> dict[int, RatingValues]:
        out: dict[int, RatingValues] = {}
        for rating in self.ratings:
            sid = rating.statement_id
            level_pk = self.cleaned_data.get(f"level_{sid}")
            out[sid] = RatingValues(
                level=self.levels.get(level_pk) if level_pk else None,
                evidence=self.cleaned_data.get(f"evidence_{sid}", ""),
                links=self.cleaned_data.get(f"links_{sid}", []),
            )
        return out


class ProgressForm(NythForm):
    """Progress on an action: its status now and a dated note (the service checks one changed)."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices, widget=forms.RadioSelect)
    noted_on = GovukDateField(label=_("Date of the progress"), past_only=True, earliest_year=2020)
    note = forms.CharField(
        label=_("Progress note (optional)"),
        help_text=_("What has been done, and what is next"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_markup],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class ActionForm(NythModelForm):
    due_on = GovukDateField(label=_("Due date"), earliest_year=2020)
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Action
        fields = ["text", "domain", "owner", "due_on", "status"]
        field_classes = {"owner": OwnerField}
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "status": forms.RadioSelect}

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service: Organisation = round_.service
        self.fields["owner"].queryset = owners_for(service)
        self.fields["owner"].help_text = _("A member of staff of the service")
        self.fields["domain"].queryset = Domain.objects.filter(framework_id=round_.framework_id).order_by("order")
        self.fields["domain"].required = False
        self.fields["domain"].label = _("Domain (optional)")

    def clean_owner(self) -> User:
        owner: User = self.cleaned_data["owner"]
        return owner

    def clean_text(self) -> str:
        text = str(self.cleaned_data.get("text", "")).strip()
        if not text:
            raise ValidationError(_("Enter the action"))
        return text
