from __future__ import annotations

from django import forms

from core.forms import NythModelForm
from core.text_language import TextLanguageFormMixin
from safety.models import PLAN_FIELDS, SafetyPlan


class SafetyPlanForm(TextLanguageFormMixin, NythModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SafetyPlan
        fields = list(PLAN_FIELDS)
        widgets = {field: forms.Textarea(attrs={"rows": 4}) for field in PLAN_FIELDS if field != "made_with"}
