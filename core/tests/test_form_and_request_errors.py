"""The two refusals Django would otherwise answer with a bare page: a form whose security
(CSRF) token failed – 403, "Your form could not be sent", nothing saved – and a malformed or
suspicious request – 400. Both translated, in the error pages' own layout."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import sign_in
from people.tests.test_views import child_post

pytestmark = pytest.mark.django_db

CSRF_TEXT = {"en": "Your form could not be sent", "cy": "Nid oedd modd anfon eich ffurflen"}
NOTHING_SAVED = {"en": "Nothing was saved.", "cy": "Ni chafodd dim ei gadw."}
BAD_REQUEST_TEXT = {
    "en": "Sorry, this request could not be handled",
    "cy": "Mae'n ddrwg gennym, nid oedd modd delio â'r cais hwn",
}


def assert_error_page(response, status: int, language: str, heading: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert f'lang="{language}"' in body
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in body
    assert 'rel="icon"' in body and "govuk/nyth.css" in body  # the error pages' own layout
    assert "<script" not in body and "style=" not in body  # the strict CSP
    # None of Django's own pages.
    for bare in ("Forbidden", "CSRF verification failed", "Bad Request", "Bad request"):
        assert bare not in body
    return body


def edit_url(language: str, child) -> str:
    with translation.override(language):
        return reverse("people:edit", args=[child.pk])


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_form_without_its_token_is_refused_with_a_translated_page_and_nothing_saved(
    alice, child, la_cardiff, language
):
    client = sign_in(Client(enforce_csrf_checks=True), alice)
    url = edit_url(language, child)
    data = child_post(
        la_cardiff, given_name="Siôn", family_name="Prydderch", pronouns="fe / he", version=str(child.version)
    )
    refused = client.post(url, data)
    body = assert_error_page(refused, 403, language, CSRF_TEXT[language])
    assert NOTHING_SAVED[language] in body
    child.refresh_from_db()
    assert child.pronouns != "fe / he" and child.version == 1
    # The same form with its token (from the page, as a browser would send it) is saved.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode()).group(1)
    assert client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    child.refresh_from_db()
    assert child.pronouns == "fe / he"


def test_an_expired_token_after_signing_in_again_gets_the_same_page(alice, child, la_cardiff):
    """The everyday case: the form was opened, the person signed in again (new token), then sent it."""
    client = sign_in(Client(enforce_csrf_checks=True), alice)
    url = edit_url("cy", child)
    stale = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode()).group(1)
    client.logout()
    sign_in(client, alice)  # signing in rotates the CSRF secret
    data = child_post(
        la_cardiff, given_name="Siôn", family_name="Prydderch", pronouns="nhw / they", version=str(child.version)
    )
    refused = client.post(url, {**data, "csrfmiddlewaretoken": stale})
    assert_error_page(refused, 403, "cy", CSRF_TEXT["cy"])
    child.refresh_from_db()
    assert child.pronouns != "nhw / they"


def test_the_csrf_page_links_back_to_our_own_form_never_elsewhere(alice, child):
    client = sign_in(Client(enforce_csrf_checks=True), alice)
    url = edit_url("en", child)
    ours = client.post(url, {}, HTTP_REFERER=f"http://testserver{url}")
    assert f'href="http://testserver{url}">Go back to the form</a>' in ours.content.decode()
    foreign = client.post(url, {}, HTTP_REFERER="https://evil.example/phish")
    body = assert_error_page(foreign, 403, "en", CSRF_TEXT["en"])
    assert "evil.example" not in body
    assert 'href="/en/">Go to the home page</a>' in body


def test_signing_in_with_cookies_blocked_gets_the_translated_page():
    """No CSRF cookie at all (cookies blocked), on the public sign-in form."""
    client = Client(enforce_csrf_checks=True)
    with translation.override("cy"):
        url = reverse("accounts:login")
    response = client.post(url, {"username": "alice", "password": "anything"})
    body = assert_error_page(response, 403, "cy", CSRF_TEXT["cy"])
    assert "cwcis" in body


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_suspicious_request_gets_a_translated_400_page(language):
    # A Host header that is not ours: Django refuses it (DisallowedHost) with handler400.
    response = Client(HTTP_HOST="evil.example").get(f"/{language}/")
    body = assert_error_page(response, 400, language, BAD_REQUEST_TEXT[language])
    assert NOTHING_SAVED[language].rstrip(".") in body
