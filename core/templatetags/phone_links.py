"""``{{ text|phone_links }}``: every UK phone number in a text becomes a ``tel:`` link, so the
on-call worker at 2 a.m. can tap it (issue 12 B). The text is escaped first; only the links
are markup."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A UK number: +44 or 0, then 9–10 more digits, spaced or hyphenated as people write them
# ("07700 900123", "+44 (0)29 2087 0000", "029-2087-0000"); or the short emergency and
# helpline numbers said on their own (999, 111, 116 123).
_NUMBER = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[\s-]?\d){8,9}(?!\w)"
    r"|(?<![\w+])(?:999|111|116[\s-]?123)(?![\w-])"
)


def tel_href(number: str) -> str:
    """``tel:`` address for a written number: digits only, in international form for UK numbers."""
    digits = re.sub(r"\(0\)", "", number)
    digits = re.sub(r"\D", "", digits)
    if number.strip().startswith("+44"):
        return f"tel:+{digits}"
    if digits.startswith("0"):
        return f"tel:+44{digits[1:]}"
    return f"tel:{digits}"


def link_phone_numbers(text: str) -> SafeString:
    escaped = str(escape(text or ""))
    return mark_safe(  # noqa: S308  # nosec B308 B703  # escaped above; only our own links are added
        _NUMBER.sub(lambda m: f'<a class="govuk-link" href="{tel_href(m.group(0))}">{m.group(0)}</a>', escaped)
    )


@register.filter(needs_autoescape=False)
def phone_links(value: object) -> SafeString:
    return link_phone_numbers("" if value is None else str(value))
