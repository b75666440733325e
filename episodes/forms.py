from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SERVICE_ROLES, Role, User
from core.forms import GovukDateField, NythForm, NythModelForm, reject_markup
from core.text_language import TextLanguageFormMixin
from episodes.models import OpenedFrom, Transition, TransitionKind, TransitionStatus
from episodes.services import KIND_FIELDS, TRANSITION_FIELDS
from people.models import Child, Placement


class _TextForm(NythForm):
    """Every text answer is checked for markup (as NythModelForm does for model forms)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(reject_markup)


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(reference)s, received %(date)s") % {
            "reference": obj.reference,
            "date": obj.received_at.strftime("%d/%m/%Y"),
        }


class OpenEpisodeForm(_TextForm):
    opened_from = forms.ChoiceField(
        label=_("How is support starting?"),
        choices=OpenedFrom.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how support started")},
    )
    referral = ReferralChoiceField(
        label=_("Referral"),
        queryset=None,
        required=False,
        empty_label=_("Choose a referral"),
        help_text=_("Only if support starts from a referral. Someone coming back does not need a new referral."),
    )
    opened_on = GovukDateField(
        label=_("Date support started"), help_text=_("For example, 27 3 2026"), past_only=True, earliest_year=2000
    )

    def __init__(self, *args: Any, referrals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = referrals
        if not self.is_bound:
            self.initial.setdefault("opened_on", timezone.localdate())
            self.initial.setdefault("opened_from", OpenedFrom.REFERRAL if referrals.exists() else OpenedFrom.RETURNING)


class EpisodeEventForm(TextLanguageFormMixin, _TextForm):
    """Pause, resume, close or re-open: the fields each needs."""

    text_language_after = "practitioner_judgement"

    on = GovukDateField(label=_("Date"), help_text=_("For example, 27 3 2026"), past_only=True, earliest_year=2000)
    reason = forms.CharField(label=_("Reason"), max_length=3000, widget=_textarea(), required=False)
    young_person_words = forms.CharField(
        label=_("In the young person's words: why do they feel ready?"),
        help_text=_("As they said it. Closing needs a record that the young person is ready."),
        max_length=3000,
        widget=_textarea(),
        required=False,
    )
    practitioner_judgement = forms.CharField(
        label=_("Your judgement: why is the young person ready?"),
        help_text=_("What has changed, who is around them now, and how they can come back."),
        max_length=3000,
        widget=_textarea(),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    LABELS = {
        "pause": _("Why is support pausing?"),
        "resume": _("Anything to note about resuming (optional)"),
        "close": _("Why is support closing?"),
        "reopen": _("Why is the young person coming back?"),
    }

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = self.LABELS[action]
        self.fields["reason"].required = action != "resume"
        self.fields["reason"].error_messages["required"] = _("Give the reason")
        if action == "close":
            self.fields["young_person_words"].required = True
            self.fields["young_person_words"].error_messages["required"] = _(
                "Record, in the young person's words, that they feel ready"
            )
            self.fields["practitioner_judgement"].required = True
            self.fields["practitioner_judgement"].error_messages["required"] = _(
                "Record your judgement that the young person is ready"
            )
        else:
            del self.fields["young_person_words"]
            del self.fields["practitioner_judgement"]
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


def service_staff(child: Child) -> Any:
    return User.objects.filter(organisation_id=child.service_id, role__in=SERVICE_ROLES, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )


def service_practitioners(child: Child) -> Any:
    """Whom the work may be allocated to: the service's practitioners only."""
    return service_staff(child).filter(role=Role.PRACTITIONER)


class PlacementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _("%(type)s in %(area)s, from %(date)s") % {
            "type": obj.get_type_display(),
            "area": obj.local_authority_area,
            "date": obj.start_date.strftime("%d/%m/%Y"),
        }


class TransitionForm(TextLanguageFormMixin, NythModelForm):
    """Only the fields of the transition's kind are shown (the kind is chosen first)."""

    text_language_after = "summary"

    planned_on = GovukDateField(label=_("Planned date"), help_text=_("For example, 1 9 2026"), earliest_year=2000)
    support_until = GovukDateField(
        label=_("Support continues until"),
        help_text=_("Support can continue up to the young person's 25th birthday where needed."),
        required=False,
        earliest_year=2000,
    )
    placement = PlacementChoiceField(
        label=_("New placement"), queryset=Placement.objects.none(), required=False, empty_label=_("Not recorded yet")
    )
    from_practitioner = StaffChoiceField(
        label=_("Practitioner handing over"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Choose a practitioner"),
    )
    to_practitioner = StaffChoiceField(
        label=_("New practitioner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Not decided yet"),
        help_text=_("Needed before the change can be completed."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Transition
        # The service's fields, and the trusted adults of a change of practitioner (passed to the
        # service on their own) after the new practitioner.
        fields = list(TRANSITION_FIELDS)
        fields.insert(fields.index("to_practitioner") + 1, "trusted_adults")
        widgets = {
            "status": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "trusted_adults": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "trusted_adults": _("People the young person trusts who stay in touch for as long as it helps."),
            "adult_service": _(
                "For example the adult mental health team, a leaving care team or a third sector service."
            ),
            "out_of_county_to_local": _(
                "Adds the steps for coming home to a local community placement to the checklist."
            ),
        }

    def __init__(self, *args: Any, child: Child, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        own = KIND_FIELDS.get(kind, ())
        keep = {
            "planned_on",
            "status",
            "summary",
            "text_language",
            "version",
            *own,
            *(["trusted_adults"] if "to_practitioner" in own else []),
        }
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["status"].choices = [
            (value, label) for value, label in TransitionStatus.choices if value != TransitionStatus.DONE
        ]
        if "placement" in self.fields:
            self.fields["placement"].queryset = Placement.objects.filter(child=child).select_related(
                "local_authority_area"
            )
        if "from_practitioner" in self.fields:
            self.fields["from_practitioner"].queryset = service_staff(child)
        if "to_practitioner" in self.fields:
            self.fields["to_practitioner"].queryset = service_practitioners(child)
        if "trusted_adults" in self.fields:
            self.fields["trusted_adults"].queryset = child.related_people.filter(is_active=True)
        if not self.is_bound and self.instance.pk is None:
            self.initial.setdefault("status", TransitionStatus.PLANNED)


class KindForm(NythForm):
    kind = forms.ChoiceField(
        label=_("What kind of transition?"),
        choices=TransitionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of transition")},
    )


class CompleteTransitionForm(TextLanguageFormMixin, _TextForm):
    completed_on = GovukDateField(
        label=_("Date completed"), help_text=_("For example, 27 3 2026"), past_only=True, earliest_year=2000
    )
    to_practitioner = StaffChoiceField(
        label=_("New practitioner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Choose a practitioner"),
    )
    handover_summary = forms.CharField(
        label=_("Handover summary"),
        help_text=_(
            "What the new practitioner needs to know so the young person does not have to tell their story again: what helps, what to avoid, the plan and who matters to them."
        ),
        max_length=10000,
        widget=_textarea(8),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, transition: Transition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if transition.is_practitioner_change:
            self.fields["to_practitioner"].queryset = service_practitioners(transition.child)
            self.fields["to_practitioner"].required = True
            self.fields["to_practitioner"].error_messages["required"] = _("Choose the new practitioner")
            self.fields["handover_summary"].required = True
            self.fields["handover_summary"].error_messages["required"] = _(
                "Write the handover summary before completing a change of practitioner"
            )
        else:
            del self.fields["to_practitioner"]
            del self.fields["handover_summary"]
            del self.fields["text_language"]  # no text to write: nothing to say the language of
        if not self.is_bound:
            self.initial.setdefault("completed_on", timezone.localdate())


class _ItemIdsField(forms.Field):
    """The ids of the ticked items as sent (``done`` repeated); anything not a number is
    dropped, and the service ignores ids that are not this transition's."""

    widget = forms.MultipleHiddenInput  # the checkboxes are written in the template, with their hints

    def to_python(self, value: Any) -> list[int]:
        return [int(v) for v in (value or []) if str(v).isdigit()]


class ChecklistForm(NythForm):
    """The checklist's ticks and the version they were ticked on: a form, so the "someone saved
    first" branch is the shared one (``core.forms.rebind_after_stale_save``)."""

    done = _ItemIdsField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def ticked(self) -> set[int]:
        """The ticks as sent, valid or not, to show them again."""
        return set(self.fields["done"].to_python(self["done"].value()))


class ChecklistItemForm(TextLanguageFormMixin, _TextForm):
    text = forms.CharField(
        label=_("Add something to the checklist"),
        max_length=300,
        error_messages={"required": _("Say what needs doing")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
