"""Identifiers: the NHS number and its modulus-11 check digit."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s-]+")


def normalise_nhs_number(value: str) -> str:
    """Strip the spaces and hyphens people type (``943 476 5919``)."""
    return _SEPARATORS.sub("", value or "")


def nhs_number_is_valid(value: str) -> bool:
    """Ten digits whose last is the modulus-11 check digit of the first nine.

    Weights 10..2; check = 11 - (sum mod 11); 11 becomes 0; 10 means no valid number exists.
    """
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not digits:
        return
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError(_("Enter an NHS number with 10 digits, like 943 476 5919"), code="nhs_length")
    if not nhs_number_is_valid(digits):
        raise ValidationError(
            _("Enter a valid NHS number – check the digits, this one is not a real NHS number"), code="nhs_check"
        )


def format_nhs_number(value: str) -> str:
    """Display as 3-3-4: ``943 476 5919``."""
    digits = normalise_nhs_number(value)
    if len(digits) != 10:
        return digits
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
