"""Every phone number on the safety plan and contacts pages is a ``tel:`` link (issue 12 B)."""

import pytest

from core.templatetags.phone_links import link_phone_numbers, tel_href


@pytest.mark.parametrize(
    ("written", "href"),
    [
        ("07700 900123", "tel:+447700900123"),
        ("0117 496 0123", "tel:+441174960123"),
        ("029-2087-0000", "tel:+442920870000"),
        ("+44 7700 900123", "tel:+447700900123"),
        ("+44 (0)29 2087 0000", "tel:+442920870000"),
        ("999", "tel:999"),
        ("116 123", "tel:116123"),
    ],
)
def test_a_written_number_becomes_a_dialable_address(written, href):
    assert tel_href(written) == href
    assert link_phone_numbers(f"Call {written} now") == f'Call <a class="govuk-link" href="{href}">{written}</a> now'


def test_text_is_escaped_and_other_numbers_are_left_alone():
    out = link_phone_numbers("<b>Mam</b> 07700 900123, room 12, born 2012, NHS 943 476 5919")
    assert out.startswith("&lt;b&gt;Mam&lt;/b&gt; ")
    assert out.count("<a ") == 1  # not the room, the year or the NHS number
    assert link_phone_numbers("") == ""
