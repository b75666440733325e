"""The staff referral form answers nothing for the referrer (issue 12 §C): no pre-ticked need or
risk (complex needs alone is +15 priority points), and the languages are chosen, not defaulted."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from referrals.models import Referral
from referrals.tests.test_referrals import referral_post

pytestmark = pytest.mark.django_db


def _checked(body: str) -> list[str]:
    return re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*\schecked', body)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_nothing_is_pre_ticked_or_pre_chosen_on_the_staff_form(client_for, alice, language):
    body = client_for(alice).get(f"/{language}/referrals/new/").content.decode()
    assert 'name="complex_needs"' in body and 'name="preferred_language"' in body
    checked = _checked(body)
    assert [
        name
        for name, _value in checked
        if name in ("complex_needs", "preferred_language", "referrer_language", "risks")
    ] == []


def test_the_languages_must_be_chosen(client_for, alice, la_cardiff):
    data = referral_post(la_cardiff)
    del data["preferred_language"], data["referrer_language"]
    response = client_for(alice).post("/cy/referrals/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mae problem" in body or "There is a problem" in body
    assert 'href="#id_preferred_language_0"' in body and 'href="#id_referrer_language_0"' in body
    assert not Referral.objects.exists()


def test_complex_needs_left_unticked_is_recorded_as_not_said(client_for, alice, la_cardiff):
    data = referral_post(la_cardiff)
    del data["complex_needs"]
    assert client_for(alice).post(reverse("referrals:create"), data).status_code == 302
    assert Referral.objects.get().complex_needs is False
