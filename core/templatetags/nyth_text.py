"""``{% lang_attr obj %}``: the ``lang`` attribute for text people wrote (core/text_language.py).

Rendered whenever the language is known, also when it is the page's own: the same text is
shown on pages in either language (a Welsh page, an English partner's page, a PDF), so
marking it always is simpler to get right than comparing with each page, and repeating the
page language is harmless. Undetermined text renders nothing: the page language applies,
which is what a reader would have heard before, and never a guess.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.text_language import FIELD_NAME, language_of

register = template.Library()


@register.simple_tag
def lang_attr(obj: Any, field: str = FIELD_NAME) -> SafeString | str:
    """`` lang="cy"`` for ``obj`` (``{% lang_attr transition "handover_language" %}`` for a
    second text written later), nothing when undetermined."""
    language = language_of(obj, field)
    return format_html(' lang="{}"', language) if language else ""
