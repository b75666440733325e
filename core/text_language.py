"""The language a piece of free text was written in (WCAG 2.2 SC 3.1.2, Language of Parts).

People write in Welsh or in English whatever language their screen is in: a practitioner
using Nyth in English may write a young person's words in Welsh, and a Welsh page may show
a summary written in English. A screen reader reads each part aloud with the right voice
only if the page marks it with ``lang``. So every record people write carries the language
it was written in (``TextLanguageField``, one per record where a form is written at one
time), chosen on the form ("Language of this text", defaulting to the writer's interface
language) and shown with ``{% lang_attr obj %}`` (``core/templatetags/nyth_text.py``).

Rows from before this existed are *undetermined* (the empty string): they get no ``lang``
attribute, never a guess from the page language or the text. See
docs/adr/015-language-of-free-text.md.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

#: The field name every model and form uses, so one template tag and one form mixin fit all.
FIELD_NAME = "text_language"


class TextLanguage(models.TextChoices):
    # Each language named in itself (as the GOV.UK language switcher does): a reader who
    # cannot read the page's language still finds their own.
    WELSH = "cy", "Cymraeg"
    ENGLISH = "en", "English"


class TextLanguageField(models.CharField):
    """``cy``, ``en`` or empty (undetermined: rows written before the language was recorded)."""

    description = "The language a piece of free text was written in"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("verbose_name", _("language of this text"))
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("choices", TextLanguage.choices)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:  # Django's own (name, path, args, kwargs); stubs differ on args' type
        name, path, args, kwargs = super().deconstruct()
        # The choices and size are the field's own: migrations need not repeat them.
        for key, value in (("max_length", 2), ("choices", TextLanguage.choices), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs


def interface_language() -> str:
    """The writer's interface language as a ``TextLanguage`` value (the form's default)."""
    return TextLanguage.WELSH if (get_language() or "en").startswith("cy") else TextLanguage.ENGLISH


def language_of(obj: Any, field: str = FIELD_NAME) -> str:
    """The recorded language of ``obj``'s text, or "" when undetermined (or not recorded).
    ``field`` names another ``TextLanguageField`` on a record written at two times (a
    transition's plan, then its handover)."""
    value = getattr(obj, field, "") or ""
    return value if value in TextLanguage.values else ""


class TextLanguageFormMixin:
    """For a form people write free text in: adds the "Language of this text" radios (placed
    last, after the text), defaulting to the writer's interface language on a new record and
    to the recorded one when changing a record (undetermined rows default to the interface
    language too: whoever saves the text now says which language it is in). A post without
    the field (a script, an old page) records the writer's interface language, the default
    the radios show, rather than leaving new text undetermined. ``text_language_after`` names
    the field the radios follow when the text is not the form's last field."""

    text_language_after: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        recorded = language_of(instance) if instance is not None and instance.pk else ""
        field = forms.ChoiceField(
            label=_("Language of this text"),
            choices=TextLanguage.choices,
            widget=forms.RadioSelect,
            initial=recorded or interface_language(),
            required=False,
        )
        field.show_optional = False  # type: ignore[attr-defined]  # always answered: one is chosen
        self.fields[FIELD_NAME] = field  # type: ignore[attr-defined]
        after = self.text_language_after
        if after and after in self.fields:  # type: ignore[attr-defined]
            names = [name for name in self.fields if name != FIELD_NAME]  # type: ignore[attr-defined]
            names.insert(names.index(after) + 1, FIELD_NAME)
            self.order_fields(names)  # type: ignore[attr-defined]

    def clean_text_language(self) -> str:
        return self.cleaned_data.get(FIELD_NAME) or interface_language()  # type: ignore[attr-defined]
