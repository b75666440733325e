"""Helpers for the GOV.UK field template (core/templates/govuk/forms/field.html)."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def govuk_optional(field: forms.BoundField, optional_word: str) -> bool:
    """Whether the label or legend says "(optional)" – visibly, as the GOV.UK pattern asks: a
    sighted user needs to know as much as a screen reader user. Not for a required or disabled
    field, a single checkbox (ticking it is the choice), a field whose answer is never left
    blank (``show_optional = False``: radios with a default such as "Language of this text"),
    or a label that already says it."""
    inner: Any = field.field
    if inner.required or inner.disabled or getattr(inner, "show_optional", True) is False:
        return False
    if isinstance(inner.widget, forms.CheckboxInput):
        return False
    return str(optional_word) not in str(field.label)
