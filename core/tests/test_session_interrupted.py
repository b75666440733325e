"""A session save that fails after the page has done its work: a database outage gets the 503
page, a session ended by a concurrent sign-out its own translated 400 (never Django's bare 400)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DatabaseError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

from core.middleware import caused_by_outage
from dashboard import views as home_views

pytestmark = pytest.mark.django_db


def session_save_loses_the_database():
    """The database goes away between the view and the session save (Django's store turns the
    error into UpdateError, its middleware into SessionInterrupted)."""
    return mock.patch.object(Session, "save", side_effect=OperationalError("server closed the connection unexpectedly"))


def signed_out_elsewhere_during(client):
    """Another tab signs out (deleting the session row) while this request's view runs."""
    real_render = home_views.render
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    def render_after_sign_out(*args, **kwargs):
        Session.objects.filter(session_key=key).delete()
        return real_render(*args, **kwargs)

    return mock.patch.object(home_views, "render", side_effect=render_after_sign_out)


@pytest.mark.parametrize(
    ("language", "text", "maybe_saved", "promise"),
    [
        (
            "en",
            "Sorry, the service is unavailable",
            "your last change may have been saved",
            "if the page did not confirm your change",
        ),
        (
            "cy",
            "nid yw'r gwasanaeth ar gael",
            "efallai fod eich newid diwethaf wedi'i gadw",
            "Ni chafodd dim byd ei gadw ar ei hanner",
        ),
    ],
)
def test_a_session_save_lost_to_an_outage_gets_the_503_page(client_for, alice, language, text, maybe_saved, promise):
    client = client_for(alice)
    with session_save_loses_the_database():
        response = client.get(f"/{language}/")
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert text in body
    # The page had done its work (and committed) before the database went: it must not promise
    # that nothing was saved.
    assert maybe_saved in body and promise not in body
    # The session itself is still good: once the database is back the person carries on.
    assert response.cookies.get(settings.SESSION_COOKIE_NAME) is None
    assert client.get(f"/{language}/").status_code == 200


def test_an_unreachable_database_behind_any_update_error_is_an_outage(client_for, alice):
    # Not an OperationalError in the chain, but the probe finds the database gone.
    client = client_for(alice)
    gone = []
    real_ensure_connection = BaseDatabaseWrapper.ensure_connection

    def save_fails(*args, **kwargs):
        gone.append(True)  # from here on the database does not answer
        raise DatabaseError("could not write")

    def ensure_connection(self):
        if gone:
            raise OperationalError("connection refused")
        return real_ensure_connection(self)

    with (
        mock.patch.object(Session, "save", side_effect=save_fails),
        mock.patch.object(BaseDatabaseWrapper, "ensure_connection", ensure_connection),
    ):
        response = client.get("/en/")
    assert gone and response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "text"), [("en", "You have been signed out"), ("cy", "Rydych chi wedi cael eich allgofnodi")]
)
def test_a_session_ended_by_a_concurrent_sign_out_gets_its_own_400_page(client_for, alice, language, text):
    client = client_for(alice)
    with signed_out_elsewhere_during(client):
        response = client.get(f"/{language}/")
    body = response.content.decode()
    assert response.status_code == 400
    assert text in body
    assert "Bad Request" not in body
    assert f'lang="{language}"' in body
    # The ended session's cookie goes, so the next page asks for sign-in.
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""
    follow = client.get(f"/{language}/")
    assert follow.status_code == 302 and follow["Location"].startswith(reverse("accounts:login"))


def _raised(make):
    with pytest.raises(Exception) as caught:
        make()
    return caught.value


def _wrapped(outer, *, hide_context):
    def make():
        try:
            raise OperationalError("gone")
        except OperationalError:
            if hide_context:
                raise outer from None
            raise outer  # noqa: B904 - the implicit context is what Django's session store leaves

    return make


def test_caused_by_outage_follows_the_chain():
    assert caused_by_outage(_raised(_wrapped(ValueError("update failed"), hide_context=False)))
    # "from None" hides the cause: then the probe of the database decides.
    assert not caused_by_outage(_raised(_wrapped(DatabaseError("wrapped"), hide_context=True)))
    assert not caused_by_outage(DatabaseError("Forced update did not affect any rows."))
