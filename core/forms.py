"""GOV.UK Design System forms for Django.

Django renders every field through ``core/templates/govuk/forms/field.html`` (the form renderer
below), so forms only declare fields; the markup, error messages and error summary follow the
GOV.UK patterns everywhere. Dates use the GOV.UK three-box date input.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_Form = TypeVar("_Form", bound=forms.BaseForm)
_Values = TypeVar("_Values")


class TypedFormMixin:
    """How Nyth's forms are typed (no behaviour of its own; mypy reads it).

    ``self.fields`` holds the declared fields by name, each its own class (a ``ModelChoiceField``
    has a queryset, a ``ChoiceField`` choices); django-stubs can only call them ``Field``, so a
    form that narrows ``self.fields["child"].queryset`` would need a cast on every line. And
    ``BaseForm.clean()`` returns ``cleaned_data``, which django-stubs widens to ``| None`` in case
    an override returns nothing: Nyth's ``clean()`` methods always return the dict.
    """

    fields: dict[str, Any]
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        super().clean()  # type: ignore[misc]  # BaseForm.clean, next in the MRO
        return self.cleaned_data


class NythForm(TypedFormMixin, forms.Form):
    """The base of every plain (non-model) form: Django's ``Form``, typed as above."""


# Text that looks like markup: a tag, a comment or a script URL. Output is always escaped,
# but refusing it at the door keeps records clean for exports and other systems.
_MARKUP = re.compile(r"<\s*[a-zA-Z!/]|javascript\s*:", re.IGNORECASE)


def reject_markup(value: str) -> None:
    if isinstance(value, str) and _MARKUP.search(value):
        raise ValidationError(
            _("Remove the HTML or script from this answer (text inside < and > is not allowed)"), code="markup"
        )


class NythModelForm(TypedFormMixin, forms.ModelForm):
    """Every text answer is checked for markup; everything else is Django's own validation."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(reject_markup)
            # A radio list needs no empty option: choosing none leaves an optional answer blank.
            # (Checkboxes are RadioSelect's subclass, with no empty option to remove.)
            if not isinstance(field.widget, forms.RadioSelect) or isinstance(
                field.widget, forms.CheckboxSelectMultiple
            ):
                continue
            if isinstance(field, forms.ModelChoiceField):
                # Keep a model's choices lazy: a form that narrows the queryset afterwards (to
                # one child's people, say) must offer only those, never every row in the table.
                field.empty_label = None
            elif hasattr(field, "choices"):
                field.choices = [choice for choice in field.choices if choice[0] != ""]


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"


class GovukDateWidget(forms.MultiWidget):
    template_name = "govuk/forms/date_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
            ),
            "month": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
            ),
            "year": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-4"}
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        labels = [_("Day"), _("Month"), _("Year")]
        for subwidget, label in zip(context["widget"]["subwidgets"], labels, strict=True):
            subwidget["label"] = label
        return context


class GovukDateField(forms.MultiValueField):
    """Day, month and year boxes. Keeps what was typed when invalid (the widget re-renders
    the raw values) and says exactly what is wrong, as the GOV.UK pattern asks."""

    widget = GovukDateWidget
    default_error_messages = {
        "required": _("Enter a date"),
        "incomplete": _("The date must include a day, a month and a year"),
        "invalid": _("The date must be a real date"),
        "future": _("The date must be today or in the past"),
        "too_old": _("The date must be after %(year)s"),
    }

    def __init__(self, *, past_only: bool = False, earliest_year: int = 1900, **kwargs: Any) -> None:
        self.past_only = past_only
        self.earliest_year = earliest_year
        fields = (
            forms.CharField(max_length=2),
            forms.CharField(max_length=2),
            forms.CharField(max_length=4),
        )
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, **kwargs)

    def clean(self, value: Any) -> datetime.date | None:
        parts = [str(p).strip() if p is not None else "" for p in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        if not all(parts):
            raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            result = datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if self.past_only and result > timezone.localdate():
            raise forms.ValidationError(self.error_messages["future"], code="future")
        if result.year < self.earliest_year:
            raise forms.ValidationError(
                self.error_messages["too_old"], code="too_old", params={"year": self.earliest_year}
            )
        return result

    def compress(self, data_list: list[Any]) -> Any:  # pragma: no cover - clean() is overridden
        return data_list


_CLASS_BY_WIDGET = {
    "textinput": "govuk-input",
    "emailinput": "govuk-input",
    "numberinput": "govuk-input",
    "passwordinput": "govuk-input",
    "urlinput": "govuk-input",
    "telinput": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
}
_ERROR_CLASS = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
}


class GovukBoundField(forms.BoundField):
    """Adds GOV.UK classes, error states and described-by links to standard widgets."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = _CLASS_BY_WIDGET.get(widget.__class__.__name__.lower())
        if css:
            # Keep the widget's own classes (e.g. govuk-input--width-10): ours would replace them.
            classes = [css, widget.attrs.get("class", ""), attrs.get("class", "")]
            if self.errors:
                classes.append(_ERROR_CLASS[css])
            attrs["class"] = " ".join(c for c in classes if c)
        described = []
        if self.help_text:
            described.append(f"{self.auto_id}_helptext")
        if self.errors:
            described.append(f"{self.auto_id}-error")
            attrs["aria-invalid"] = "true"
        if described and not isinstance(widget, forms.MultiWidget):
            attrs["aria-describedby"] = " ".join(described)
        return attrs


# Every form rendered by Django uses GOV.UK markup (Django 5.2 reads this from the renderer).
GovukFormRenderer.bound_field_class = GovukBoundField


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, renamed: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal on the form that was sent. Each field's messages go beside that
    field when the form has it (``renamed`` maps a model field to the form field that edits it);
    the rest, and an error that names no field, go in the error summary at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        field = (renamed or {}).get(field, field)
        form.add_error(field if field in form.fields else None, messages)


def service_values(form: forms.BaseForm, shape: type[_Values]) -> _Values:
    """A valid form's answers as the typed input its service declares (a ``TypedDict``, whose
    keys are also the form's fields: the list is written once, in the service). Only the keys
    the shape names are passed on (not the hidden ``version``, nor a form's helper fields)."""
    keys = shape.__annotations__
    return cast(_Values, {name: value for name, value in form.cleaned_data.items() if name in keys})


def rebind_after_stale_save(
    form_class: type[_Form],
    data: Any,
    current: Any,
    message: str,
    *,
    version_field: str = "version",
    version_attr: str = "version",
    **kwargs: Any,
) -> _Form:
    """The form to show when a save was refused because someone else saved first: everything
    the user typed is kept, the hidden ``version`` becomes the stored one (so the next save is
    based on what they can now see), and ``message`` explains at the top. ``current`` is the
    stored object (or None when there is none yet); model forms get a copy as their instance so
    validation never alters the object the page shows beside the form. A form with a
    ``prefix`` (several on one page) has its version under the prefixed name. A form whose
    hidden field has another name, or whose record counts its versions in another attribute,
    names them (an assessment section: ``version_field="based_on"``, ``version_attr="number"``)."""
    import copy

    data = data.copy()
    prefix = kwargs.get("prefix")
    stored = getattr(current, version_attr) if current is not None else 0
    data[f"{prefix}-{version_field}" if prefix else version_field] = str(stored)
    if issubclass(form_class, forms.BaseModelForm):
        kwargs["instance"] = copy.copy(current) if current is not None else None
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, message)
    return form
