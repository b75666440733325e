"""Names and identifiers: NFC, and no invisible or direction-changing characters, from every form."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from accounts.tests.test_admin_pages import new_account
from core.text import IDENTIFIER, NAME, IdentifierField, NameField, clean_visible_text, is_refused
from people.forms import BreakGlassForm
from people.models import Child, RelatedPerson
from people.tests.test_nest import person_post
from people.tests.test_views import child_post
from referrals.models import Referral
from referrals.tests.test_referrals import public_post, referral_post

# Every character the issue names, and one of each other refused kind.
LISTED = [
    chr(c)
    for c in [
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        0xFEFF,
        0xAD,
    ]
]
OTHERS = ["\x00", "\t", "\n", "\x7f", "\u0085", "\u2028", "\u2029", "\u061c", "\U000e0001"]
REFUSED = LISTED + OTHERS

visible_text = st.text(st.characters(exclude_categories=("Cf", "Cc", "Zl", "Zp", "Cs")), max_size=40)


# --- The rule -----------------------------------------------------------------------------------
@pytest.mark.parametrize("character", REFUSED)
def test_every_listed_character_is_refused_and_named(character):
    with pytest.raises(ValidationError) as caught:
        clean_visible_text(f"Mer{character}edith")
    assert f"U+{ord(character):04X}" in caught.value.messages[0]
    assert caught.value.error_list[0].code == "invisible_character"


@given(visible_text)
def test_visible_text_is_accepted_in_nfc_and_cleaning_is_idempotent(text):
    cleaned = clean_visible_text(text)
    assert cleaned == unicodedata.normalize("NFC", text)
    assert clean_visible_text(cleaned) == cleaned


@given(visible_text)
def test_composed_and_decomposed_spellings_are_stored_the_same(text):
    assert clean_visible_text(unicodedata.normalize("NFD", text)) == clean_visible_text(
        unicodedata.normalize("NFC", text)
    )


@given(visible_text, st.sampled_from(REFUSED), visible_text, st.sampled_from([NAME, IDENTIFIER]))
def test_a_refused_character_anywhere_is_refused_and_named(before, character, after, kind):
    with pytest.raises(ValidationError) as caught:
        clean_visible_text(before + character + after, kind=kind)
    assert f"U+{ord(character):04X}" in caught.value.messages[0]


@given(st.text(max_size=40))
def test_the_check_agrees_with_the_characters_it_finds(text):
    refused = [c for c in unicodedata.normalize("NFC", text) if is_refused(c)]
    if not refused:
        assert clean_visible_text(text) == unicodedata.normalize("NFC", text)
        return
    with pytest.raises(ValidationError) as caught:
        clean_visible_text(text)
    assert all(f"U+{ord(c):04X}" in caught.value.messages[0] for c in refused)


def test_welsh_letters_and_real_names_pass():
    for name in ("Llŷr-Evans", "Gwenllïan", "Siân O'Brien", "Nguyễn Thị", "محمد", "Zoë", "Ŵyn"):
        assert clean_visible_text(name) == unicodedata.normalize("NFC", name)


def test_the_fields_normalise_before_they_count_the_length():
    decomposed = unicodedata.normalize("NFD", "ŵ" * 10)  # 20 code points, 10 once composed
    assert NameField(max_length=10).clean(decomposed) == "ŵ" * 10
    with pytest.raises(ValidationError):
        IdentifierField(max_length=10).clean("CF10\u200b1AA")


def test_the_message_is_in_welsh_on_welsh_pages():
    with translation.override("cy"):
        with pytest.raises(ValidationError) as caught:
            NameField().clean("Mer\u202eedith")
        message = caught.value.messages[0]  # lazy: rendered in the active language
    assert "U+202E" in message and "Names must not" not in message and "enwau" in message


# --- Every form ---------------------------------------------------------------------------------
RLO_NAME = "Mer\u202eedith"


def assert_refused_and_kept(response, typed):
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "invisible or direction-changing characters" in body
    assert f'value="{typed}"' in body  # what was typed is kept, character and all


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", RLO_NAME),
        ("family_name", "Llŷr\u200b-Evans"),
        ("preferred_name", "\ufeffMer"),
        ("former_names", "Jones\u00ad"),
        ("local_authority_reference", "CRD\u2066-123"),
        ("postcode", "CF10\u200d1AA"),
        ("nhs_number", "943\u200b476 5919"),
    ],
)
def test_the_child_record_form_refuses_invisible_characters(client_for, alice, la_cardiff, field, value):
    response = client_for(alice).post(reverse("people:create"), child_post(la_cardiff, **{field: value}))
    assert_refused_and_kept(response, value)
    assert Child.objects.count() == 0


def test_the_child_record_is_stored_in_nfc(client_for, alice, la_cardiff):
    decomposed = unicodedata.normalize("NFD", "Llŷr-Evans")
    assert decomposed != "Llŷr-Evans"
    client_for(alice).post(reverse("people:create"), child_post(la_cardiff, family_name=decomposed))
    assert Child.objects.get().family_name == "Llŷr-Evans"


def test_a_person_around_the_child_needs_a_visible_name(client_for, alice, child):
    response = client_for(alice).post(
        reverse("people:related_person_create", args=[child.pk]), person_post(name="Gareth\u202e Lloyd")
    )
    assert_refused_and_kept(response, "Gareth\u202e Lloyd")
    assert not RelatedPerson.objects.filter(name__startswith="Gareth").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", RLO_NAME),
        ("referrer_name", "Eleri\u2067 Athro"),
        ("postcode", "cf10\u00ad1aa"),
        ("nhs_number", "9434765919\u200e"),
    ],
)
def test_the_referral_form_refuses_invisible_characters(client_for, alice, la_cardiff, field, value):
    response = client_for(alice).post(reverse("referrals:create"), referral_post(la_cardiff, **{field: value}))
    assert_refused_and_kept(response, value)
    assert not Referral.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("family_name", "Bevan\u202d"), ("referrer_name", "\u200bSioned Maeth")])
def test_the_public_referral_form_refuses_invisible_characters(client, la_cardiff, south, field, value):
    response = client.post(reverse("public_referral"), public_post(la_cardiff, **{field: value}))
    assert_refused_and_kept(response, value)
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("username", "gw\u200ben"), ("first_name", "Gwen\u202ellïan"), ("last_name", "Ap\u2060Rhys")]
)
def test_the_account_form_refuses_invisible_characters(client_for, administrator, south, field, value):
    response = client_for(administrator).post(reverse("accounts:user_create"), new_account(south, **{field: value}))
    assert_refused_and_kept(response, value)
    assert not User.objects.filter(email="gwen@example.invalid").exists()


def test_emergency_access_identifiers_are_checked_too():
    form = BreakGlassForm(
        data={
            "nhs_number": "",
            "la_reference": "CRD\u202e-123",
            "date_of_birth_day": "5",
            "date_of_birth_month": "11",
            "date_of_birth_year": "2011",
            "reason": "Out of hours call from the police",
        }
    )
    assert not form.is_valid()
    assert "U+202E" in form.errors["la_reference"][0]
