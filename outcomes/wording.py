"""Loading licensed item wording (SWEMWBS, WEMWBS) as data, supplied by a licence holder.

The file is JSON: ``{"en": ["item 1 wording", ...], "cy": ["geiriad eitem 1", ...]}``, items in
order. Both languages are required (Welsh parity: a young person chooses the language of the
form) and each must have exactly the instrument's number of items. Nothing is changed unless the
whole file is valid.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from outcomes.models import Instrument, InstrumentWording


class WordingError(ValueError):
    pass


def validate_wording(instrument: Instrument, data: Any) -> list[tuple[str, str]]:
    """The (English, Welsh) wording per item, or ``WordingError`` saying what is wrong."""
    if not instrument.licensed_wording:
        raise WordingError(f"{instrument.code} has no licensed wording to load (its wording is Nyth's or scores only).")
    if not isinstance(data, dict):
        raise WordingError('The file must be a JSON object: {"en": [...], "cy": [...]}.')
    for lang, label in (("en", "English"), ("cy", "Welsh")):
        if lang not in data or not data[lang]:
            raise WordingError(f"The file has no {label} wording ({lang!r}): both English and Welsh are needed.")
    for lang, label in (("en", "English"), ("cy", "Welsh")):
        texts = data[lang]
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise WordingError(f"The {label} wording must be a list of texts.")
        if len(texts) != instrument.items:
            raise WordingError(f"{instrument.code} has {instrument.items} items; the file has {len(texts)} in {label}.")
        for number, text in enumerate(texts, start=1):
            if not text.strip():
                raise WordingError(f"Item {number} has no {label} wording.")
    extra = set(data) - {"en", "cy"}
    if extra:
        raise WordingError(f"Unknown key {sorted(extra)[0]!r}: only 'en' and 'cy' are allowed.")
    return [(en.strip(), cy.strip()) for en, cy in zip(data["en"], data["cy"], strict=True)]


@transaction.atomic
def load_wording(*, instrument: Instrument, data: Any) -> list[InstrumentWording]:
    """Replace ``instrument``'s wording with the validated file's (all or nothing)."""
    pairs = validate_wording(instrument, data)
    now = timezone.now()
    instrument.wording.all().delete()
    return InstrumentWording.objects.bulk_create(
        InstrumentWording(instrument=instrument, number=n, text_en=en, text_cy=cy, loaded_at=now)
        for n, (en, cy) in enumerate(pairs, start=1)
    )
