from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import SERVICE_ROLES, User
from core.forms import GovukDateField, NythForm, NythModelForm
from workforce.models import StaffProfile, StaffTraining, TrainingTopic
from workforce.services import PROFILE_FIELDS, TRAINING_FIELDS


class ProfileForm(NythModelForm):
    practice_level_on = GovukDateField(
        label=_("Date the practice level was agreed"),
        help_text=_("For example, 27 3 2026"),
        required=False,
        past_only=True,
        earliest_year=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = StaffProfile
        fields = list(PROFILE_FIELDS)
        widgets = {
            "practice_level": forms.RadioSelect,
            "welsh_level": forms.RadioSelect,
            "supervision_every_weeks": forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        }
        help_texts = {
            "practice_level": _("The Trauma-Informed Wales Framework practice level this person works at."),
            "welsh_level": _("From no Welsh to proficiency, on the common 0 to 5 scale."),
            "supervision_every_weeks": _("Used to suggest when the next supervision is due."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practice_level"].choices = [("", _("Not agreed yet")), *self.fields["practice_level"].choices]
        self.fields["supervision_every_weeks"].min_value = 1
        self.fields["supervision_every_weeks"].max_value = 26
        self.fields["supervision_every_weeks"].validators.append(_weeks)


def _weeks(value: int) -> None:
    if value is not None and not 1 <= value <= 26:
        raise forms.ValidationError(_("Enter a number of weeks between 1 and 26"))


class TrainingForm(NythModelForm):
    completed_on = GovukDateField(
        label=_("Date"), help_text=_("For example, 27 3 2026"), past_only=True, earliest_year=1990
    )

    class Meta:
        model = StaffTraining
        fields = list(TRAINING_FIELDS)
        widgets = {
            "topic": forms.RadioSelect,
            "hours": forms.NumberInput(attrs={"class": "govuk-input--width-4", "step": "0.5"}),
        }
        help_texts = {
            "provider": _("Who gave the training, for example ACE Hub Wales or the health board."),
            "hours": _("For example, 3 or 7.5"),
        }
        labels = {"topic": _("What the training covered")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].initial = TrainingTopic.TRAUMA_INFORMED


class SupervisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class SupervisionForm(NythForm):
    held_on = GovukDateField(
        label=_("Date of supervision"), help_text=_("For example, 27 3 2026"), past_only=True, earliest_year=2000
    )
    supervisor = SupervisorChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.none(),
        empty_label=_("Choose a supervisor"),
        error_messages={"required": _("Choose the supervisor")},
    )
    next_due = GovukDateField(
        label=_("Next supervision due"),
        help_text=_("Leave empty to use the usual interval for this person."),
        required=False,
        earliest_year=2000,
    )

    def __init__(self, *args: Any, staff: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = (
            User.objects.filter(organisation=staff.organisation, role__in=SERVICE_ROLES, is_active=True)
            .exclude(pk=staff.pk)
            .order_by("last_name", "first_name", "pk")
        )
