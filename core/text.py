"""Names and identifiers as people type them: one Unicode form, and only characters that show.

A name or a reference is matched, deduplicated, searched and printed on letters. Two spellings
that look the same must be the same string, so every name and identifier is NFC-normalised
(``é`` typed as one character or as ``e`` plus a combining accent is stored once, one way).
Characters that do not show – zero-width spaces, soft hyphens, byte order marks – or that
reorder what is shown (bidirectional overrides, embeddings and isolates, the "Trojan Source"
characters) would let two records look identical while differing, or make a name display as
something else; they are refused with a message naming the character, so the person can find
it (a pasted name usually carries it in from another system). See docs/adr/008-visible-names.md.

``NameField`` and ``IdentifierField`` are the form fields; the CSV import cleans its cells with
the same form fields, so every route applies the same rule.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Listed by the issue; all but the controls are category Cf, which is refused as a whole too.
_NAMED_RANGES: tuple[tuple[int, int], ...] = (
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    (0x202A, 0x202E),  # embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x2069),  # isolates
    (0xFEFF, 0xFEFF),  # byte order mark / zero-width no-break space
    (0x00AD, 0x00AD),  # soft hyphen
)
# Format and control characters, line and paragraph separators, lone surrogates: none of them
# is a visible part of a name or a reference (a tab or a line break in one is a paste accident).
_REFUSED_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp", "Cs"})

NAME = "name"
IDENTIFIER = "identifier"

_MESSAGES = {
    NAME: _(
        "Names must not contain invisible or direction-changing characters (%(characters)s). Type the name again without them."
    ),
    IDENTIFIER: _(
        "Numbers, references and postcodes must not contain invisible or direction-changing characters (%(characters)s). Type it again without them."
    ),
}


def is_refused(character: str) -> bool:
    """True for a character that must not appear in a name or an identifier."""
    point = ord(character)
    if any(low <= point <= high for low, high in _NAMED_RANGES):
        return True
    return unicodedata.category(character) in _REFUSED_CATEGORIES


def refused_characters(value: str) -> list[str]:
    """The refused characters in ``value``, each once, in the order they first appear."""
    found: list[str] = []
    for character in value:
        if is_refused(character) and character not in found:
            found.append(character)
    return found


def code_point(character: str) -> str:
    """``U+202E``: how the message names a character nobody can see."""
    return f"U+{ord(character):04X}"


def clean_visible_text(value: str, *, kind: str = NAME) -> str:
    """``value`` in NFC, or a ValidationError (code ``invisible_character``) naming every
    refused character in it. Used by the form fields below and usable on its own."""
    if kind not in _MESSAGES:
        raise ValueError(f"kind must be one of {tuple(_MESSAGES)}")
    normalised = unicodedata.normalize("NFC", value)
    refused = refused_characters(normalised)
    if refused:
        raise ValidationError(
            _MESSAGES[kind],
            code="invisible_character",
            params={"characters": ", ".join(code_point(character) for character in refused)},
        )
    return normalised


class NameField(forms.CharField):
    """A person's name: NFC, visible characters only. What was typed is shown again on error
    (the widget re-renders the submitted data), so nothing is lost."""

    kind = NAME

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        # Normalised here, before validation, so max_length counts what will be stored.
        return unicodedata.normalize("NFC", text) if text else text

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            clean_visible_text(value, kind=self.kind)


class IdentifierField(NameField):
    """An NHS number, a local authority reference, a postcode, a user name."""

    kind = IDENTIFIER


def name_fields(*names: str) -> dict[str, type[forms.Field]]:
    """For a ModelForm's ``Meta.field_classes``: these model fields are names."""
    return dict.fromkeys(names, NameField)


def identifier_fields(*names: str) -> dict[str, type[forms.Field]]:
    """For a ModelForm's ``Meta.field_classes``: these model fields are identifiers."""
    return dict.fromkeys(names, IdentifierField)
