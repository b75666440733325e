"""Each role's home page offers only what that role can open (issue 12 §C)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')


def _links(body: str) -> list[str]:
    return sorted({link.replace("&amp;", "&") for link in HREF.findall(body) if not link.startswith("/static/")})


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_link_on_the_commissioners_home_opens(client_for, commissioner, language):
    client = client_for(commissioner)
    home = client.get(f"/{language}/")
    assert home.status_code == 200
    links = _links(home.content.decode())
    assert links, "the home page links at least to itself and the other language"
    broken = {link: client.get(link).status_code for link in links}
    assert {link: status for link, status in broken.items() if status != 200} == {}


def test_the_commissioners_home_links_to_their_areas_reports(client_for, commissioner):
    body = client_for(commissioner).get("/en/").content.decode()
    assert "see aggregate figures only" not in body
    assert f'href="{reverse("reporting:area")}"' in body and "Reports for your area" in body
    assert "No page in Nyth shows you a child's identifiable details." in body


def test_a_partners_home_offers_make_a_referral(client_for, partner):
    body = client_for(partner).get("/en/").content.decode()
    assert f'href="{reverse("referrals:create")}"' in body
    assert "Make a referral" in body
